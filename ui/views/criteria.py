"""Criteria: the weighted tree, edited in place.

Each row shows its weight among its siblings and its live effective percentage of
the whole (the product of sibling shares down the tree, as `engine.effective_weights`
computes it). Sections also show the sum of their children's weights. Sections that
would weigh nothing are warned of above the tree; sibling weights that do not total
100 are shown with their total and the share each counts for. Every edit is one
undoable step.

Once scoring has opened the criteria are the published methodology: a change to a
weight, kind, formula, minimum score or descriptors, adding, removing or re-parenting
a criterion asks for a reason, showing the ranking before and after
(`ui.methodology`). An edit typed in the tree asks once its editor has closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from procure_desk import interchange
from procure_desk.criteria_tree import subtree_ids
from procure_desk.engine import effective_weights
from procure_desk.errors import BadInput

from .. import ask, methodology
from ..delegates import ChoiceDelegate
from ..document import Document
from ..table_model import RIGHT, parse_number, plain_text
from .base import Banner, View

Index = QModelIndex | QPersistentModelIndex
KIND_LABELS = {"section": "Section", "scored": "Scored question", "price": "Price",
               "pass_fail": "Pass/fail gateway"}
FORMULA_LABELS = {"lowest_relative": "Relative to lowest", "linear_deviation": "Linear deviation"}
COLUMNS = ("Criterion", "Kind", "Weight", "Effective %", "Children sum", "Minimum score",
           "Price formula")
NAME, KIND, WEIGHT, EFFECTIVE, SUM, MIN, FORMULA = range(len(COLUMNS))


def fmt(x: float | None, digits: int = 2) -> str:
    if x is None:
        return ""
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


class CriteriaModel(QAbstractItemModel):
    """The criteria tree. internalId of an index is the criterion's place in the list + 1.

    `reload` updates in place (`dataChanged`) while the tree keeps its shape, so a typed
    weight neither closes its editor mid-commit nor loses the current cell; a change of
    shape resets the model, after the commit when one is under way."""

    refused = Signal(str)
    accepted = Signal()

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.items: list[dict[str, Any]] = []
        self.kids: dict[str | None, list[int]] = {}
        self.pos: dict[str, int] = {}
        self.eff: dict[str, float] = {}
        self._committing = 0
        self._pending = False
        self.locked = False  # the file takes no edits
        # a change that needs a reason: the view asks, after the editor has closed
        self.on_locked: Callable[[str, dict[str, Any]], None] | None = None
        self.reload()

    def reload(self) -> None:
        items = list(self.document.doc()["criteria"])
        shape = [(c["id"], c.get("parent")) for c in items]
        if shape == [(c["id"], c.get("parent")) for c in self.items]:
            self.items = items
            self.eff = effective_weights(items)
            self._changed_all(QModelIndex())
            return
        if self._committing:
            if not self._pending:
                self._pending = True
                QTimer.singleShot(0, self._reload_later)
            return
        self.beginResetModel()
        self.items = items
        self.pos = {c["id"]: i for i, c in enumerate(self.items)}
        self.kids = {}
        for i, c in enumerate(self.items):
            self.kids.setdefault(c.get("parent"), []).append(i)
        self.eff = effective_weights(self.items)
        self.endResetModel()

    def _reload_later(self) -> None:
        self._pending = False
        self.reload()

    def _changed_all(self, parent: QModelIndex) -> None:
        n = self.rowCount(parent)
        if n:
            self.dataChanged.emit(self.index(0, 0, parent),
                                  self.index(n - 1, len(COLUMNS) - 1, parent))
            for row in range(n):
                child = self.index(row, 0, parent)
                if self.rowCount(child):
                    self._changed_all(child)

    # ---- structure -------------------------------------------------------------------
    def record(self, index: Index) -> dict[str, Any] | None:
        if not index.isValid():
            return None
        return self.items[index.internalId() - 1]

    def index_of(self, cid: str, column: int = 0) -> QModelIndex:
        if cid not in self.pos:
            return QModelIndex()
        i = self.pos[cid]
        siblings = self.kids[self.items[i].get("parent")]
        return self.createIndex(siblings.index(i), column, i + 1)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        rec = self.record(parent)
        siblings = self.kids.get(rec["id"] if rec is not None else None, [])
        if not (0 <= row < len(siblings) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row] + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        rec = self.record(index)
        if rec is None or rec.get("parent") is None:
            return QModelIndex()
        return self.index_of(rec["parent"])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        rec = self.record(parent)
        if rec is None:
            return len(self.kids.get(None, []))
        return len(self.kids.get(rec["id"], [])) if parent.column() == 0 else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    # ---- data ------------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        rec = self.record(index)
        if rec is None:
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        col = index.column()
        editable = not self.locked and (col in (NAME, KIND)
                    or (col == WEIGHT and rec["kind"] != "pass_fail")
                    or (col == MIN and rec["kind"] == "scored")
                    or (col == FORMULA and rec["kind"] == "price"))
        return f | Qt.ItemFlag.ItemIsEditable if editable else f

    def children_sum(self, rec: dict[str, Any]) -> float:
        return sum(float(self.items[i].get("weight") or 0) for i in self.kids.get(rec["id"], [])
                   if self.items[i]["kind"] != "pass_fail")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rec = self.record(index)
        if rec is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            edit = role == Qt.ItemDataRole.EditRole
            if col == NAME:
                return rec["name"] if edit else f"{rec['id']}  {rec['name']}"
            if col == KIND:
                return rec["kind"] if edit else KIND_LABELS[rec["kind"]]
            if col == WEIGHT:
                return plain_text(rec.get("weight") or 0) if edit and rec.get("weight") \
                    is not None else fmt(rec.get("weight"), 4)
            if col == EFFECTIVE:
                return "" if rec["kind"] == "pass_fail" else fmt(self.eff.get(rec["id"], 0.0))
            if col == SUM:
                return fmt(self.children_sum(rec), 4) if rec["kind"] == "section" else ""
            if col == MIN:
                return plain_text(rec["min_score"]) if edit and rec.get("min_score") \
                    is not None else fmt(rec.get("min_score"), 4)
            if col == FORMULA:
                if rec["kind"] != "price":
                    return ""
                f = rec.get("formula") or "lowest_relative"
                return f if edit else FORMULA_LABELS[f]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (WEIGHT, EFFECTIVE, SUM, MIN):
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and col == NAME:
            return rec.get("guidance") or None
        if role == Qt.ItemDataRole.ToolTipRole and col == EFFECTIVE:
            return "Share of the total score: the product of the sibling shares down the tree"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        rec = self.record(index)
        if rec is None or role != Qt.ItemDataRole.EditRole:
            return False
        col = index.column()
        cid = rec["id"]
        try:
            if col == NAME:
                change: dict[str, Any] = {"name": str(value).strip()}
            elif col == KIND:
                change = {"kind": value}
                if value == "pass_fail":
                    change.update(weight=None, min_score=None, formula=None)
                elif rec.get("weight") is None:
                    change["weight"] = 0
                if value != "scored":
                    change["min_score"] = None
                if value != "price":
                    change["formula"] = None
            elif col == WEIGHT:
                change = {"weight": parse_number(value, f"criterion {cid}.weight")}
            elif col == MIN:
                text = str(value).strip()
                change = {"min_score": parse_number(text, f"criterion {cid}.min_score")
                          if text else None}
            elif col == FORMULA:
                change = {"formula": value}
            else:
                return False
            if self.on_locked is not None and methodology.criterion_locked(self.document,
                                                                           change):
                # ask once the editor has closed: a dialog now would take its focus and
                # commit it a second time
                on_locked = self.on_locked
                QTimer.singleShot(0, lambda: on_locked(cid, change))
                return False
            self._committing += 1
            try:
                self.document.update_criterion(cid, change)
            finally:
                self._committing -= 1
        except BadInput as exc:
            self.refused.emit(ask.problem_text(exc))
            return False
        self.accepted.emit()
        return True


class CriteriaView(View):
    title = "Criteria"
    interests = ("criteria", "evaluation")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.model = CriteriaModel(document, self)
        self.banner = Banner(self)
        self.watch(self.model)
        self.model.on_locked = self._locked_edit
        self.warnings = Banner(self, "Weight warnings")
        self.shares = Banner(self, "Weight shares")
        self.shares.setTextFormat(Qt.TextFormat.PlainText)  # criterion names as typed

        self.tree = QTreeView()
        self.tree.setAccessibleName("Criteria tree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setTabKeyNavigation(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.DoubleClicked
                                  | QTreeView.EditTrigger.EditKeyPressed
                                  | QTreeView.EditTrigger.AnyKeyPressed)
        self.tree.setItemDelegateForColumn(KIND, ChoiceDelegate(
            list(KIND_LABELS.items()), self.tree))
        self.tree.setItemDelegateForColumn(FORMULA, ChoiceDelegate(
            list(FORMULA_LABELS.items()), self.tree))
        self.tree.header().setStretchLastSection(False)
        self.tree.setColumnWidth(NAME, 360)
        for col, width in ((KIND, 140), (WEIGHT, 80), (EFFECTIVE, 95), (SUM, 100), (MIN, 110),
                           (FORMULA, 150)):
            self.tree.setColumnWidth(col, width)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._show_detail())

        self.toolbar = QToolBar("Criteria")
        self.toolbar.setAccessibleName("Criteria actions")
        self.add_action = self._tool("Add question", self.add_question, "Ctrl+Shift+Q")
        self.add_section_action = self._tool("Add section", self.add_section, "Ctrl+Shift+T")
        self.add_gateway_action = self._tool("Add gateway", self.add_gateway, "Ctrl+Shift+G")
        self.remove_action = self._tool("Remove", self.remove, QKeySequence.StandardKey.Delete)
        self.toolbar.addSeparator()
        self.up_action = self._tool("Move up", lambda: self.move_current(-1), "Ctrl+Up")
        self.down_action = self._tool("Move down", lambda: self.move_current(1), "Ctrl+Down")
        self.indent_action = self._tool("Indent", self.indent, "Ctrl+Right")
        self.outdent_action = self._tool("Outdent", self.outdent, "Ctrl+Left")

        # detail: guidance and scale descriptors of the current criterion
        self.detail_title = QLabel()
        self.guidance = QPlainTextEdit()
        self.guidance.setAccessibleName("Guidance for evaluators")
        self.guidance.setTabChangesFocus(True)
        self.guidance.setPlaceholderText("What evaluators should look for when scoring this.")
        self.descriptors = QPlainTextEdit()
        self.descriptors.setAccessibleName("Scale descriptors")
        self.descriptors.setTabChangesFocus(True)
        self.descriptors.setToolTip("One per line, e.g. '3: Meets the requirement'. Leave "
                                    "empty to use the evaluation's scale descriptors.")
        for box in (self.guidance, self.descriptors):
            box.installEventFilter(self)
        self._detail_for: str | None = None  # the criterion whose text the boxes hold
        self.text_drafts: dict[str, tuple[str, str]] = {}  # refused text, kept
        self.apply_button = QPushButton("&Apply text")
        self.apply_button.setToolTip("Saves the guidance and descriptors now (they are "
                                     "saved anyway when you leave the box or the "
                                     "criterion)")
        self.apply_button.setAccessibleName("Apply guidance and descriptors")
        self.apply_button.clicked.connect(lambda: self.apply_text())
        detail = QWidget()
        form = QFormLayout(detail)
        form.addRow(self.detail_title)
        form.addRow("&Guidance", self.guidance)
        form.addRow("&Descriptors", self.descriptors)
        form.addRow("", self.apply_button)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(detail)
        splitter.setSizes([520, 260])
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel("<h2>Criteria and weights</h2>")
        top.addWidget(heading)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.warnings)
        layout.addWidget(self.shares)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.focus_target = self.tree
        # a reset that waited for an edit's commit: open the tree and find our place again
        self._place: tuple[str | None, int] = (None, 0)
        self.model.modelAboutToBeReset.connect(self._remember_place)
        self.model.modelReset.connect(self._restore_place)
        self.refresh()

    def _tool(self, text: str, slot: Any, shortcut: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(shortcut).toString()})")
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.addAction(action)
        return action

    # ---- refresh ---------------------------------------------------------------------
    def _remember_place(self) -> None:
        self._place = (self.current_id(), max(self.tree.currentIndex().column(), 0))

    def _restore_place(self) -> None:
        self.tree.expandAll()
        cid, column = self._place
        if cid and cid in self.model.pos:
            self.select(cid, column)
        elif self.model.items:
            self.tree.setCurrentIndex(self.model.index(0, 0))

    def refresh(self) -> None:
        self.model.reload()
        if not self.tree.currentIndex().isValid():  # the first time
            self._restore_place()
        problems = interchange.section_weight_problems(self.model.items)
        self.warnings.show_text("\n".join(
            "⚠ " + p.message[0].upper() + p.message[1:] + ": give it weighted criteria, or "
            "weights above 0" for p in problems))
        self.shares.show_text("\n".join(share_lines(self.model.items)))
        self._show_detail()

    def lockables(self) -> list[object]:
        return [self.tree, *self.toolbar.actions(), self.guidance, self.descriptors,
                self.apply_button]

    def lock_changed(self) -> None:
        self._show_detail()

    # ---- the locked methodology ------------------------------------------------------
    def _reason(self, locked: bool, what: str,
                trial: methodology.Trial) -> tuple[bool, str | None]:
        """(go on, the reason to give): asked when `locked`; a change the service would
        refuse is refused here, with its reason."""
        try:
            return True, methodology.maybe_reason(self, self.document, locked, what, trial)
        except methodology.Declined:
            self.show_problem("Not changed", "no reason was given, so the published "
                                             "methodology stays as it was")
            return False, None
        except BadInput as exc:
            self.show_problem("Not changed", ask.problem_text(exc))
            return False, None

    def _locked_edit(self, cid: str, change: dict[str, Any]) -> None:
        """A change typed in the tree that needs a reason (see CriteriaModel.setData)."""
        actor = self.document.actor
        fields = ", ".join(k.replace("_", " ") for k in change)
        go, reason = self._reason(True, f"Changing the {fields} of {cid}",
                                  lambda f: f.update_criterion(actor, cid, change,
                                                               reason=methodology.PREVIEW))
        if go and self.edit(self.document.update_criterion, cid, change, reason):
            self.select(cid, max(self.tree.currentIndex().column(), 0))

    def current_id(self) -> str | None:
        rec = self.model.record(self.tree.currentIndex())
        return rec["id"] if rec else None

    def select(self, cid: str, column: int = 0) -> None:
        idx = self.model.index_of(cid, column)
        if idx.isValid():
            self.tree.setCurrentIndex(idx)

    def _show_detail(self) -> None:
        rec = self.model.record(self.tree.currentIndex())
        if self._detail_for is not None and self._typed():
            if rec is not None and rec["id"] == self._detail_for:
                return  # the same criterion, being typed in: leave the text alone
            self.apply_text(self._detail_for)  # another criterion: save it first
            rec = self.model.record(self.tree.currentIndex())
        self._detail_for = rec["id"] if rec else None
        enabled = rec is not None
        for w in (self.guidance, self.descriptors):
            w.setEnabled(enabled)
        self.apply_button.setEnabled(enabled and self.editable)
        if rec is None:
            self.detail_title.setText("Select a criterion to see its guidance.")
            self.guidance.setPlainText("")
            self.descriptors.setPlainText("")
            return
        self.detail_title.setTextFormat(Qt.TextFormat.RichText)
        self.detail_title.setText(f"<b>{_esc(rec['id'])} {_esc(rec['name'])}</b> · "
                                  f"{KIND_LABELS[rec['kind']]}")
        desc = rec.get("descriptors") or {}
        guidance, lines = self.text_drafts.get(rec["id"], (
            rec.get("guidance") or "", "\n".join(f"{k}: {v}" for k, v in desc.items())))
        for box, text in ((self.guidance, guidance), (self.descriptors, lines)):
            box.setPlainText(text)
            box.document().setModified(rec["id"] in self.text_drafts)
        scale = self.document.doc()["evaluation"]["scale"].get("descriptors") or {}
        self.descriptors.setPlaceholderText("Evaluation scale:\n" + "\n".join(
            f"{k}: {v}" for k, v in scale.items()))

    # ---- edits -----------------------------------------------------------------------
    def commit_pending(self) -> list[str]:
        if self._detail_for is not None and self._typed():
            self.apply_text(self._detail_for)
        return [f"Criteria: the guidance and descriptors typed for {cid} (not saved: see "
                "the reason shown)" for cid in self.text_drafts]

    def _typed(self) -> bool:
        return self.guidance.document().isModified() or \
            self.descriptors.document().isModified()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in (self.guidance, self.descriptors) and \
                event.type() == QEvent.Type.FocusOut and self._typed() and \
                QApplication.focusWidget() not in (self.guidance, self.descriptors):
            self.apply_text(self._detail_for)
        return super().eventFilter(watched, event)

    def apply_text(self, cid: str | None = None) -> bool:
        """Save the guidance and descriptors of `cid` (the criterion shown) as one
        undoable step. Text that cannot be saved (a malformed descriptor line, no reason
        given for a change to the published methodology) is kept as a draft for that
        criterion, shown again when it is chosen, with the reason above."""
        cid = cid or self._detail_for or self.current_id()
        if cid is None:
            return True
        texts = (self.guidance.toPlainText(), self.descriptors.toPlainText())
        for box in (self.guidance, self.descriptors):
            box.document().setModified(False)
        if self._save_text(cid, *texts):
            self.text_drafts.pop(cid, None)
            return True
        self.text_drafts[cid] = texts
        if cid == self._detail_for:
            for box in (self.guidance, self.descriptors):
                box.document().setModified(True)
        return False

    def _save_text(self, cid: str, guidance_text: str, lines: str) -> bool:
        desc: dict[str, str] = {}
        for n, line in enumerate(lines.splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, text = line.partition(":")
            if not sep:
                self.show_problem(f"Not changed (the text of {cid} is kept as a draft)",
                                  f"descriptors line {n}: write it as 'score: description'")
                return False
            desc[key.strip()] = text.strip()
        guidance = guidance_text.strip()
        change: dict[str, Any] = {"guidance": guidance or None, "descriptors": desc or None}
        rec = next((c for c in self.document.doc()["criteria"] if c["id"] == cid), None)
        if rec is None:
            return True  # removed meanwhile: nothing to save it to
        if (rec.get("descriptors") or None) == change["descriptors"]:
            change.pop("descriptors")  # the guidance alone is not the methodology
        if (rec.get("guidance") or None) == change["guidance"]:
            change.pop("guidance")
        if not change:
            return True
        actor = self.document.actor
        go, reason = self._reason(methodology.criterion_locked(self.document, change),
                                  f"Changing the descriptors of {cid}",
                                  lambda f: f.update_criterion(actor, cid, change,
                                                               reason=methodology.PREVIEW))
        if not go:
            return False
        return self.edit(self.document.update_criterion, cid, change, reason,
                         title=f"Not changed (the text of {cid} is kept as a draft)")

    def _place_for_new(self) -> tuple[str | None, int | None]:
        rec = self.model.record(self.tree.currentIndex())
        if rec is None:
            return None, None
        if rec["kind"] == "section":
            return rec["id"], None
        parent = rec.get("parent")
        siblings = [self.model.items[i]["id"] for i in self.model.kids.get(parent, [])]
        return parent, siblings.index(rec["id"]) + 1

    def _add(self, record: dict[str, Any]) -> None:
        parent, index = self._place_for_new()
        if record["kind"] != "pass_fail":
            record["weight"] = 10
        record["parent"] = parent if record["kind"] != "pass_fail" else None
        at = None if record["parent"] != parent else index
        actor = self.document.actor
        go, reason = self._reason(methodology.structure_locked(self.document),
                                  f"Adding {record['name'].lower()}",
                                  lambda f: f.add_criterion(actor, record, index=at,
                                                            reason=methodology.PREVIEW))
        if not go:
            return
        try:
            new = self.document.add_criterion(record, at, reason)
        except BadInput as exc:
            self.show_problem("Not added", ask.problem_text(exc))
            return
        self.select(new)
        self.tree.edit(self.model.index_of(new, NAME))

    def add_question(self) -> None:
        self._add({"name": "New question", "kind": "scored"})

    def add_section(self) -> None:
        self._add({"name": "New section", "kind": "section"})

    def add_gateway(self) -> None:
        self._add({"name": "New gateway", "kind": "pass_fail"})

    def remove(self) -> None:
        rec = self.model.record(self.tree.currentIndex())
        if rec is None:
            return
        n = self.document.has_scores(criterion=rec["id"])
        below = len(subtree_ids(self.model.items, rec["id"])) - 1
        if n or below:
            what = []
            if below:
                what.append(f"{below} criteria under it")
            if n:
                what.append(f"{n} scores and results recorded against it")
            if not ask.confirm(self, "Remove criterion",
                               f"Remove {rec['id']} {rec['name']} with {' and '.join(what)}? "
                               "You can undo this (Ctrl+Z)."):
                return
        cid, actor = rec["id"], self.document.actor
        go, reason = self._reason(methodology.structure_locked(self.document),
                                  f"Removing {cid} {rec['name']}",
                                  lambda f: f.delete_criterion(actor, cid,
                                                               reason=methodology.PREVIEW))
        if go:
            self.edit(self.document.delete_criterion, cid, reason, title="Not removed")

    def _siblings(self, rec: dict[str, Any]) -> list[str]:
        return [self.model.items[i]["id"] for i in self.model.kids.get(rec.get("parent"), [])]

    def move_current(self, step: int) -> None:
        rec = self.model.record(self.tree.currentIndex())
        if rec is None:
            return
        sibs = self._siblings(rec)
        i = sibs.index(rec["id"]) + step
        if 0 <= i < len(sibs) and self.edit(self.document.move_criterion, rec["id"],
                                            rec.get("parent"), i, title="Not moved"):
            self.select(rec["id"])

    def indent(self) -> None:
        """Make the criterion the last child of the section just above it."""
        rec = self.model.record(self.tree.currentIndex())
        if rec is None:
            return
        sibs = self._siblings(rec)
        i = sibs.index(rec["id"])
        above = self.model.items[self.model.pos[sibs[i - 1]]] if i > 0 else None
        if above is None or above["kind"] != "section":
            self.show_problem("Not moved", "indent puts a criterion into the section just "
                                           "above it, and there is none")
            return
        n = len(self.model.kids.get(above["id"], []))
        self._move(rec, above["id"], n, f"Moving {rec['id']} into {above['id']}")

    def outdent(self) -> None:
        """Move the criterion out of its section, just after it."""
        rec = self.model.record(self.tree.currentIndex())
        if rec is None or rec.get("parent") is None:
            return
        parent = self.model.items[self.model.pos[rec["parent"]]]
        grand = parent.get("parent")
        sibs = [self.model.items[i]["id"] for i in self.model.kids.get(grand, [])]
        self._move(rec, grand, sibs.index(parent["id"]) + 1,
                   f"Moving {rec['id']} out of {parent['id']}")

    def _move(self, rec: dict[str, Any], parent: str | None, index: int, what: str) -> None:
        """Move to another parent: a change of structure (a reason once scoring opened)."""
        cid, actor = rec["id"], self.document.actor
        go, reason = self._reason(methodology.structure_locked(self.document), what,
                                  lambda f: f.move_criterion(actor, cid, parent, index,
                                                             reason=methodology.PREVIEW))
        if go and self.edit(self.document.move_criterion, cid, parent, index, reason,
                            title="Not moved"):
            self.select(cid)


def share_lines(items: list[dict[str, Any]], shown: int = 8) -> list[str]:
    """For each set of siblings whose weights do not total 100: the total, and the
    share each counts for (weights count relative to their siblings')."""
    by_id = {c["id"]: c for c in items}
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for c in items:
        if c["kind"] != "pass_fail":
            groups.setdefault(c.get("parent"), []).append(c)
    lines = []
    for parent, kids in groups.items():
        total = sum(float(c.get("weight") or 0) for c in kids)
        if total <= 0 or abs(total - 100) < 1e-9:
            continue
        where = ("at the top level" if parent is None
                 else f"under {parent} {by_id[parent]['name'][:40]}" if parent in by_id
                 else f"under {parent}")
        each = [f"{c['id']} {c['name'][:30]} counts as "
                f"{float(c.get('weight') or 0) / total * 100:.1f}%" for c in kids[:shown]]
        more = f" and {len(kids) - shown} more" if len(kids) > shown else ""
        lines.append(f"Weights {where} total {fmt(total, 4)}: " + ", ".join(each) + more
                     + ".")
    return lines


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
