"""Evaluators: the roster, each one's declaration of interests, and who declared a
conflict of interest with which bid, when.

Declaring a conflict sets aside that evaluator's scores on the bid (a conflicted
person does not evaluate it), so the view asks first when there are any; undo puts
them back. The declaration and what each conflict is are in `declarations`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QToolBar, QVBoxLayout, QWidget

from procure_desk.errors import BadInput

from .. import ask
from ..document import Document
from ..table_model import (
    Column,
    RecordTableModel,
    current_record_row,
    edit_across,
    natural,
    select_row,
    sortable,
)
from .base import Banner, View
from .bids import make_table
from .declarations import DeclarationPanel

Index = QModelIndex | QPersistentModelIndex


class ConflictModel(QAbstractTableModel):
    """Evaluators (rows) x bids (columns); a checked cell is a declared conflict.

    With the same evaluators and bids, `reload` updates the cells in place, so ticking
    one from the keyboard keeps the current cell."""

    refused = Signal(str)
    accepted = Signal()

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.evaluators: list[dict[str, Any]] = []
        self.bids: list[dict[str, Any]] = []
        self.dates: dict[tuple[str, str], str] = {}
        self.locked = False  # the file takes no edits: nothing can be ticked
        self.confirm = lambda eid, bid, n: True  # the view asks the user
        self.reload()

    def reload(self) -> None:
        doc = self.document.doc()
        same = ([e["id"] for e in doc["evaluators"]] == [e["id"] for e in self.evaluators]
                and [b["id"] for b in doc["bids"]] == [b["id"] for b in self.bids])
        if not same:
            self.beginResetModel()
        self.evaluators = doc["evaluators"]
        self.bids = doc["bids"]
        self.dates = self.document.conflict_dates()
        if not same:
            self.endResetModel()
        elif self.evaluators and self.bids:
            last = self.index(len(self.evaluators) - 1, len(self.bids) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.bids) - 1)
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self.evaluators) - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.evaluators)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.bids)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and section < len(self.bids):
            b = self.bids[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return b["id"]
            if role == Qt.ItemDataRole.ToolTipRole:
                return b["supplier"]
        if (orientation == Qt.Orientation.Vertical and section < len(self.evaluators)
                and role == Qt.ItemDataRole.DisplayRole):
            e = self.evaluators[section]
            return f"{e['id']} {e['name']}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f if self.locked else f | Qt.ItemFlag.ItemIsUserCheckable

    def _key(self, index: Index) -> tuple[str, str]:
        return self.evaluators[index.row()]["id"], self.bids[index.column()]["id"]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.evaluators) \
                or index.column() >= len(self.bids):
            return None
        e = self.evaluators[index.row()]
        b = self.bids[index.column()]
        conflicted = b["id"] in e["conflicts"]
        when = self.dates.get((e["id"], b["id"]))
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if conflicted else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return (when or "declared") if conflicted else ""
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if conflicted:
                return (f"{e['name']} declared a conflict of interest with {b['id']} "
                        f"{b['supplier'][:80]} on {when or 'an unknown date'}")
            return f"{e['name']}: no conflict with {b['id']} {b['supplier'][:80]}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        eid, bid = self._key(index)
        conflicted = Qt.CheckState(value) == Qt.CheckState.Checked
        if conflicted:
            n = sum(1 for r in self.document.doc()["scores"]
                    if r["evaluator"] == eid and r["bid"] == bid)
            if n and not self.confirm(eid, bid, n):
                return False
        try:
            self.document.set_conflict(eid, bid, conflicted)
        except BadInput as exc:
            self.refused.emit(ask.problem_text(exc))
            return False
        self.accepted.emit()
        return True


def declaration_text(e: dict[str, Any]) -> str:
    decl = e.get("declaration")
    if not decl:
        return "none yet"
    return f"{decl['date']}" + (" nil return" if not decl.get("interests") else " interests")


class EvaluatorsView(View):
    title = "Evaluators"
    interests = ("evaluators", "bids")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        self.roster_model = RecordTableModel([
            Column("ID", lambda r: r["id"], sort=lambda r: natural(r["id"])),
            Column("Name", lambda r: r["name"], self._edit("name")),
            Column("Role", lambda r: r["role"], self._edit("role")),
            Column("Declaration", lambda r: declaration_text(r),
                   header_tip="Their dated declaration of interests"),
            Column("Conflicts", lambda r: ", ".join(r["conflicts"]) or "none"),
        ], self)
        self.watch(self.roster_model)
        self.roster = make_table(self.roster_model, "Evaluators")
        # a click on a header sorts the roster (its order means nothing)
        self.roster_proxy = sortable(self.roster, self.roster_model)
        for col, width in enumerate((36, 120, 170, 150)):
            self.roster.setColumnWidth(col, width)
        self.declaration = DeclarationPanel(self)
        self.roster.selectionModel().currentRowChanged.connect(lambda *_: self._show_declaration())
        self.conflicts_model = ConflictModel(document, self)
        self.conflicts_model.confirm = self._confirm_conflict
        self.watch(self.conflicts_model)
        self.matrix = QTableView()
        self.matrix.setModel(self.conflicts_model)
        self.matrix.setAccessibleName("Conflicts of interest")
        self.matrix.verticalHeader().setSectionResizeMode(
            self.matrix.verticalHeader().ResizeMode.Fixed)
        self.matrix.horizontalHeader().setDefaultSectionSize(120)
        self.matrix.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.matrix.setWordWrap(False)
        self.matrix.setTabKeyNavigation(False)  # Tab moves on; the arrows move in it

        bar = QToolBar("Evaluators")
        bar.setAccessibleName("Evaluator actions")
        self.toolbar = bar
        for text, slot, key, owner in (
                ("Add evaluator", self.add_evaluator, "Ctrl+Shift+E", self),
                ("Remove evaluator", self.remove_evaluator, QKeySequence.StandardKey.Delete,
                 self.roster)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text} ({QKeySequence(key).toString()})")
            action.triggered.connect(slot)
            bar.addAction(action)
            owner.addAction(action)

        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Conflicts of interest</b>: tick a cell (Space) when an "
                         "evaluator declares an interest in a bid. The date of the "
                         "declaration is kept; their scores on that bid are set aside.")
        heading.setWordWrap(True)  # a narrow window wraps it instead of widening
        ll.addWidget(heading)
        ll.addWidget(self.matrix)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.roster)
        upper.addWidget(self.declaration)
        upper.setSizes([600, 600])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setSizes([520, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Evaluators</h2>"))
        layout.addWidget(bar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.focus_target = self.roster
        self.refresh()

    def lockables(self) -> list[object]:
        return [self.roster, self.matrix, *self.toolbar.actions(),
                *self.declaration.lockables()]

    def lock_changed(self) -> None:
        self.declaration.refresh()

    def refresh(self) -> None:
        row = current_record_row(self.roster)
        self.roster_model.set_rows(self.document.doc()["evaluators"])
        self.conflicts_model.reload()
        if self.roster_model.rows:
            select_row(self.roster, min(max(row, 0), len(self.roster_model.rows) - 1))
        self._show_declaration()
        self.declaration.refresh()

    def select(self, eid: str) -> None:
        """Make `eid` the current evaluator (their declaration is shown)."""
        select_row(self.roster, self.roster_model.row_of(lambda r: r["id"] == eid))

    def _show_declaration(self) -> None:
        row = current_record_row(self.roster)
        rows = self.roster_model.rows
        self.declaration.show_evaluator(rows[row]["id"] if 0 <= row < len(rows) else None)

    def _edit(self, field: str) -> Any:
        def edit(row: dict[str, Any], value: Any) -> None:
            self.document.update_evaluator(row["id"], {field: str(value).strip()})
        return edit

    def _confirm_conflict(self, eid: str, bid: str, n: int) -> bool:
        return ask.confirm(self, "Declare conflict",
                           f"{eid} has {n} scores on {bid}. Declaring the conflict sets them "
                           "aside (you can undo this). Go on?")

    def add_evaluator(self) -> None:
        if self.edit(self.document.add_evaluator, {"name": "New evaluator", "role": ""},
                     title="Not added"):
            # the name, then Enter: the role (typing it never overwrites the name)
            last = len(self.roster_model.rows) - 1
            select_row(self.roster, last)
            edit_across(self.roster, last, (1, 2))

    def remove_evaluator(self) -> None:
        row = current_record_row(self.roster)
        if not 0 <= row < len(self.roster_model.rows):
            return
        e = self.roster_model.rows[row]
        n = sum(1 for r in self.document.doc()["scores"] if r["evaluator"] == e["id"])
        if n and not ask.confirm(self, "Remove evaluator",
                                 f"Remove {e['id']} {e['name']} and their {n} scores? "
                                 "You can undo this (Ctrl+Z)."):
            return
        self.edit(self.document.delete_evaluator, e["id"], title="Not removed")
