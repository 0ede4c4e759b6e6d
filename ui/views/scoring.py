"""Scoring: one evaluator's grid of bids x scored criteria, typed from the keyboard.

Typing a digit records the score at once (one undoable edit) and moves to the next
cell; Delete clears; arrows and Tab move. A score the scale refuses is not saved and
the reason is shown above the grid. Beside the grid: the current criterion's
guidance and descriptors, and the evaluator's comment on the current score.

Above the grid: whose scores are being entered, and the sign-off step (`signoff`):
a submitted evaluator's grid is locked. Switching to another evaluator than the one
the user last entered as asks them to confirm they enter on that evaluator's behalf,
and the audit log records it (`scoring.on_behalf`).

Blind scoring (on by default) shows only the chosen evaluator's own scores and no
prices. The grid is built once per refresh from a dict of this evaluator's scores; a
typed score (or its undo) updates only the cells that changed (`dataChanged`), so it
stays quick on an evaluation of 60 bids x 100 criteria x 8 evaluators.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from procure_desk.errors import BadInput
from procure_desk.wording import one_line

from .. import ask, clipboard, permissions
from ..document import Document, concerns
from ..table_model import parse_number
from .base import Banner, View
from .scale import bid_label, criterion_label, descriptors, score_text
from .score_table import ScoreTable
from .signoff import SignOffBar, is_me

Index = QModelIndex | QPersistentModelIndex
Record = dict[str, Any]
Key = tuple[str, str]  # (bid, criterion)
CENTER = Qt.AlignmentFlag.AlignCenter
COMMENT_LABEL = "&Comment (saved when you leave the box, or Ctrl+Enter):"
MANY_CHANGES = 64  # beyond this many changed cells, one dataChanged over the whole grid


class ScoreGridModel(QAbstractTableModel):
    """Bids (rows) x scored criteria (columns): one evaluator's scores.

    `load` rebuilds everything (a new evaluator, criteria or bids); `update_scores`
    re-reads the scores only and signals the cells that changed.
    """

    refused = Signal(str)
    saved = Signal()

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.evaluator: Record | None = None
        self.bids: list[Record] = []
        self.criteria: list[Record] = []
        self.weights: dict[str, float] = {}
        self.scale: Record = {"max": 5, "step": 1}
        self.mine: dict[Key, Record] = {}
        self.others: dict[Key, list[tuple[str, float]]] = {}
        self.conflicts: dict[str, str] = {}  # bid -> date declared
        self.blind = True
        self.locked = False  # the file takes no edits
        self.may_enter = lambda eid: True  # the view asks on whose behalf, if need be
        # comments typed on cells with no score yet: saved with the score when it is
        # typed (the file keeps a comment only with its score)
        self.drafts: dict[tuple[str, str, str], str] = {}

    # ---- building ----------------------------------------------------------------------
    def load(self, eid: str | None, blind: bool) -> None:
        self.beginResetModel()
        doc = self.document.doc()
        self.blind = blind
        self.evaluator = next((e for e in doc["evaluators"] if e["id"] == eid), None)
        self.bids = doc["bids"] if self.evaluator else []
        self.criteria = [c for c in doc["criteria"] if c["kind"] == "scored"]
        self.weights = self.document.snapshot().eff
        self.scale = doc["evaluation"]["scale"]
        self.conflicts = {}
        if self.evaluator is not None:
            dates = self.document.conflict_dates()
            self.conflicts = {b: dates.get((self.evaluator["id"], b), "an unknown date")
                              for b in self.evaluator["conflicts"]}
        self.mine, self.others = self._read_scores()
        self._rows = {b["id"]: i for i, b in enumerate(self.bids)}
        self._cols = {c["id"]: j for j, c in enumerate(self.criteria)}
        self.endResetModel()

    def _read_scores(self) -> tuple[dict[Key, Record], dict[Key, list[tuple[str, float]]]]:
        """This evaluator's score records by (bid, criterion), and the others' scores.

        The snapshot's score arrays follow the document's score list, so numpy picks
        this evaluator's rows without a Python pass over every evaluator's scores; the
        results need the same snapshot next, so it is built once for both.
        """
        mine: dict[Key, Record] = {}
        others: dict[Key, list[tuple[str, float]]] = {}
        if self.evaluator is None:
            return mine, others
        eid = self.evaluator["id"]
        records = self.document.doc()["scores"]
        snap = self.document.snapshot()
        if len(snap.s_eval) != len(records) or eid not in self._eix(snap):
            for r in records:  # not expected: the arrays always follow the records
                if r["evaluator"] == eid:
                    mine[(r["bid"], r["criterion"])] = r
        else:
            at = np.flatnonzero(snap.s_eval == self._eix(snap)[eid]).tolist()
            mine = {(r["bid"], r["criterion"]): r for r in map(records.__getitem__, at)}
        if not self.blind:
            for r in records:
                if r["evaluator"] != eid:
                    others.setdefault((r["bid"], r["criterion"]), []).append(
                        (r["evaluator"], r["score"]))
        return mine, others

    @staticmethod
    def _eix(snap: Any) -> dict[str, int]:
        return {e["id"]: i for i, e in enumerate(snap.evaluators)}

    def update_scores(self) -> None:
        """Re-read the scores and tell the view which cells changed (no reset)."""
        old_mine, old_others = self.mine, self.others
        self.mine, self.others = self._read_scores()
        changed = {k for k in old_mine.keys() | self.mine.keys()
                   if old_mine.get(k) is not self.mine.get(k)
                   and old_mine.get(k) != self.mine.get(k)}
        if not self.blind:
            changed |= {k for k in old_others.keys() | self.others.keys()
                        if old_others.get(k) != self.others.get(k)}
        if not changed or not self.bids or not self.criteria:
            return
        if len(changed) > MANY_CHANGES:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.bids) - 1, len(self.criteria) - 1))
            return
        for b, c in changed:
            i, j = self._rows.get(b), self._cols.get(c)
            if i is not None and j is not None:
                at = self.index(i, j)
                self.dataChanged.emit(at, at)

    # ---- questions ---------------------------------------------------------------------
    def key(self, index: Index) -> Key:
        return self.bids[index.row()]["id"], self.criteria[index.column()]["id"]

    def score_of(self, index: Index) -> Record | None:
        return self.mine.get(self.key(index)) if index.isValid() else None

    def conflicted(self, index: Index) -> bool:
        return index.isValid() and self.bids[index.row()]["id"] in self.conflicts

    def submitted(self) -> bool:
        """The evaluator has signed off their scores: the grid is locked."""
        return bool(self.evaluator and self.evaluator.get("submitted"))

    def expected(self) -> int:
        return (len(self.bids) - len(self.conflicts)) * len(self.criteria)

    def entered(self) -> int:
        return sum(1 for (b, _c) in self.mine if b not in self.conflicts)

    def others_text(self, key: Key) -> str:
        """Other evaluators' scores on a cell (empty in blind mode)."""
        got = self.others.get(key)
        if self.blind or not got:
            return ""
        mean = sum(s for _e, s in got) / len(got)
        each = ", ".join(f"{e} {score_text(s)}" for e, s in got)
        return f"Others: mean {mean:.2g} ({each})"

    # ---- Qt ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.bids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.criteria)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.criteria):
                return None
            c = self.criteria[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{c['id']}\n{self.weights.get(c['id'], 0.0):.1f}%"
            if role == Qt.ItemDataRole.ToolTipRole:
                extra = (f"; minimum score {score_text(c['min_score'])}"
                         if c.get("min_score") is not None else "")
                return (f"{c['id']} {one_line(c['name'], 200)}: "
                        f"{self.weights.get(c['id'], 0.0):.2f}% of the total{extra}")
            return None
        if not 0 <= section < len(self.bids):
            return None
        b = self.bids[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return bid_label(b, 32)
        if role == Qt.ItemDataRole.ToolTipRole:
            note = (f"\n{self.evaluator['name'] if self.evaluator else ''} declared a "
                    f"conflict of interest on {self.conflicts[b['id']]}"
                    if b["id"] in self.conflicts else "")
            return f"{b['id']} {one_line(b['supplier'], 200)}{note}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.conflicted(index):
            return Qt.ItemFlag.ItemIsSelectable  # greyed, not editable: a conflict
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        # submitted or a file that takes no edits: a digit typed still says why not
        return f if self.locked or self.submitted() else f | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.bids) \
                or index.column() >= len(self.criteria):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if self.conflicted(index):
                return "–"
            r = self.mine.get(self.key(index))
            return score_text(r["score"]) if r else ""
        if role == Qt.ItemDataRole.EditRole:
            r = self.mine.get(self.key(index))
            return score_text(r["score"]) if r else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return CENTER
        if role == Qt.ItemDataRole.BackgroundRole and self.conflicted(index):
            return QApplication.palette().brush(QPalette.ColorGroup.Disabled,
                                                QPalette.ColorRole.Window)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(index, role == Qt.ItemDataRole.ToolTipRole)
        return None

    def _describe(self, index: Index, tooltip: bool) -> str:
        b = self.bids[index.row()]
        c = self.criteria[index.column()]
        name = self.evaluator["name"] if self.evaluator else ""
        if self.conflicted(index):
            return (f"{name} declared a conflict of interest on {self.conflicts[b['id']]}: "
                    f"{b['id']} is not scored by them")
        r = self.mine.get((b["id"], c["id"]))
        text = f"{c['id']} for {b['id']}: " + (f"score {score_text(r['score'])}" if r
                                                 else "no score yet")
        if tooltip and r and r.get("comment"):
            text += f"\n{one_line(r['comment'], 200)}"
        others = self.others_text((b["id"], c["id"]))
        return f"{text}\n{others}" if others else text

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Record a typed score ("" clears); a refusal is signalled, nothing changes."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.evaluator is None:
            return False
        if self.conflicted(index):
            return False
        b, c = self.key(index)
        text = str(value).strip()
        try:
            score = None if text == "" else parse_number(text, f"score {b}/{c}")
            if score is None and (b, c) not in self.mine:
                return True
            if not self.may_enter(self.evaluator["id"]):
                return False
            key = (self.evaluator["id"], b, c)
            draft = self.drafts.get(key) if score is not None and (b, c) not in self.mine \
                else None
            self.document.set_score(key[0], b, c, score, draft)
            if draft is not None:
                self.drafts.pop(key, None)
        except BadInput as exc:
            self.refused.emit(ask.problem_text(exc))
            return False
        self.saved.emit()
        return True

    def paste_items(self, cells: list[tuple[int, int, str]]
                    ) -> tuple[list[Record], list[str]]:
        """The score changes a pasted block asks for, and its refused cells, each named
        (a typed score's rules: a number on the scale; an empty cell clears)."""
        items: list[Record] = []
        problems: list[str] = []
        if self.evaluator is None:
            return [], ["choose an evaluator first"]
        eid = self.evaluator["id"]
        for row, col, text in cells:
            at = self.index(row, col)
            b, c = self.key(at)
            where = f"score {eid}/{b}/{c}"
            if self.conflicted(at):
                if text in ("", "–", "-"):
                    continue  # as shown (a copied grid pasted back): nothing to record
                problems.append(f"{where}: {self.evaluator['name']} declared a conflict of "
                                f"interest with {b}")
                continue
            try:
                score = None if text == "" else parse_number(text, where)
            except BadInput as exc:
                problems.append(ask.problem_text(exc))
                continue
            if score is None and (b, c) not in self.mine:
                continue
            draft = self.drafts.get((eid, b, c)) if (b, c) not in self.mine else None
            items.append({"evaluator": eid, "bid": b, "criterion": c, "score": score,
                          "comment": draft})
        return items, problems


class ScoringView(View):
    title = "Scoring"
    interests = ("scores", "criteria", "bids", "evaluators", "evaluation")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        self._full = True  # the next refresh rebuilds the grid (else: scores only)
        self._comment_key: tuple[str, str, str] | None = None  # (evaluator, bid, criterion)
        self._noted = False  # the progress line carries a note about the current cell

        self._shown: str | None = None  # the evaluator whose grid is shown
        self._entered_as: tuple[str, str] | None = None  # (user, evaluator) last entered as
        self.evaluator_box = QComboBox()
        self.evaluator_box.setAccessibleName("Evaluator")
        self.evaluator_box.setMinimumContentsLength(24)
        self.evaluator_box.activated.connect(lambda _i: self._switch())
        self.blind_box = QCheckBox("&Blind scoring")
        self.blind_box.setChecked(True)
        self.blind_box.setAccessibleName("Blind scoring")
        self.blind_box.setToolTip("Hide other evaluators' scores and all prices")
        self.blind_box.toggled.connect(lambda _on: self._reload())
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Scoring progress")
        self.progress_bar.setMaximumWidth(260)
        # "&Evaluator" would be Alt+E, the Edit menu's
        pick = QLabel("Evaluat&or:")
        pick.setBuddy(self.evaluator_box)
        self.signoff = SignOffBar(self)

        self.model = ScoreGridModel(document, self)
        self.model.may_enter = self._may_enter
        self.model.refused.connect(lambda t: self.show_problem("Not saved", t))
        self.model.saved.connect(self.banner.clear_text)
        self.grid = ScoreTable(self.model)
        self.grid.reached_end.connect(
            lambda: self._update_progress("Last score entered: the cursor stays on the last "
                                          "cell."))
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._moved())
        clipboard.install(self.grid, paste=self.paste)
        self.focus_target = self.grid  # Ctrl+5 then a digit: a score
        self.hint = QLabel()
        self.hint.setWordWrap(True)

        self.cell_title = QLabel()
        self.cell_title.setTextFormat(Qt.TextFormat.PlainText)
        self.cell_title.setWordWrap(True)
        font = self.cell_title.font()
        font.setBold(True)
        self.cell_title.setFont(font)
        self.cell_info = QLabel()
        self.cell_info.setTextFormat(Qt.TextFormat.PlainText)
        self.cell_info.setWordWrap(True)
        self.guidance = QTextBrowser()
        self.guidance.setAccessibleName("Guidance and descriptors")
        self.guidance.setOpenLinks(False)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Comment")
        self.comment.setPlaceholderText("Why this score: evidence in the bid, page or answer…")
        self.comment.setTabChangesFocus(True)
        self.comment.installEventFilter(self)
        self.comment_label = QLabel(COMMENT_LABEL)
        self.comment_label.setBuddy(self.comment)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(6, 0, 0, 0)
        sl.addWidget(self.cell_title)
        sl.addWidget(self.cell_info)
        sl.addWidget(self.guidance, 3)
        sl.addWidget(self.comment_label)
        sl.addWidget(self.comment, 1)

        top = QHBoxLayout()
        top.addWidget(pick)
        top.addWidget(self.evaluator_box)
        top.addSpacing(12)
        top.addWidget(self.blind_box)
        top.addStretch(1)
        top.addWidget(self.progress_label)
        top.addWidget(self.progress_bar)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.grid)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Scoring</h2>"))
        layout.addLayout(top)
        layout.addWidget(self.signoff)
        layout.addWidget(self.hint)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.refresh()

    # ---- refresh -----------------------------------------------------------------------
    def _on_changed(self, kind: str) -> None:
        if concerns(kind, *self.interests) and kind != "scores":
            self._full = True
        super()._on_changed(kind)

    def refresh(self) -> None:
        if self._full:
            self._full = False
            self._fill_evaluators()
            self._reload()
            return
        self.model.update_scores()
        self._update_progress()
        self._show_cell(keep_comment=self.comment.document().isModified())

    def _fill_evaluators(self) -> None:
        evaluators = self.document.doc()["evaluators"]
        current = self.evaluator_box.currentData()
        self.evaluator_box.blockSignals(True)
        self.evaluator_box.clear()
        for e in evaluators:
            self.evaluator_box.addItem(f"{one_line(e['name'], 40)} ({e['id']})", e["id"])
        i = self.evaluator_box.findData(current) if current is not None else -1
        if i < 0:
            i = next((n for n, e in enumerate(evaluators) if is_me(e, self.document.actor)), 0)
        self.evaluator_box.setCurrentIndex(i if evaluators else -1)
        permissions.fix_evaluator(self.document, self.evaluator_box)  # a server evaluator
        self.evaluator_box.blockSignals(False)
        if self._entered_as is None and evaluators:
            # the first shown (the user, when they are an evaluator) needs no question
            self._entered_as = (self.document.actor, self.evaluator_box.currentData())

    # ---- whose scores ------------------------------------------------------------------
    def _switch(self) -> None:
        """The user chose an evaluator: on someone else's behalf, they confirm first."""
        eid = self.evaluator_box.currentData()
        if eid is not None and eid != self._shown and not self._may_enter(eid):
            self.evaluator_box.setCurrentIndex(max(self.evaluator_box.findData(self._shown), 0))
            return
        self._reload()

    def _may_enter(self, eid: str) -> bool:
        """True when the user may enter `eid`'s scores now: they are that evaluator, or
        last entered as them, or confirm they enter on their behalf (recorded)."""
        actor = self.document.actor
        if self._entered_as == (actor, eid) or not self.editable:
            return True  # a file that takes no edits: only looking
        e = next((e for e in self.document.doc()["evaluators"] if e["id"] == eid), None)
        if e is None:
            return False
        if not is_me(e, actor):
            if not ask.confirm(self, "Enter scores on someone's behalf",
                               f"You are {actor}. Enter scores as {e['name']} ({eid}), on "
                               "their behalf?\n\nThe audit log records that you did."):
                return False
            try:
                self.document.record_on_behalf(eid)
            except BadInput as exc:
                self.show_problem("Not switched", ask.problem_text(exc))
                return False
        self._entered_as = (actor, eid)
        return True

    def _reload(self) -> None:
        self.commit_comment()
        here = self.grid.currentIndex()
        row, col = (here.row(), here.column()) if here.isValid() else (0, 0)
        self.model.load(self.evaluator_box.currentData(), self.blind_box.isChecked())
        self._shown = self.evaluator_box.currentData()
        blind = self.blind_box.isChecked()
        s = self.model.scale
        locked = self.model.submitted() or not self.editable
        self.hint.setText(
            "These scores are shown read-only: "
            + ("they were submitted. " if self.model.submitted() else
               "no change can be made to this file (the bar above says why). ")
            + ("Blind scoring: only this evaluator's scores are shown, and no prices."
               if blind else "Others' scores are in each cell's tooltip and beside the grid.")
            if locked else
            f"Type a score from 0 to {score_text(s['max'])}"
            + (f" in steps of {score_text(s['step'])}" if float(s["step"]) != 1 else "")
            + ": it is saved at once and the cursor moves on. Arrows and Tab move, Delete "
            "clears, Ctrl+Z undoes; Ctrl+V pastes a block copied from a spreadsheet. "
            + ("Blind scoring: only this evaluator's scores are shown, and no prices."
               if blind else "Others' scores are in each cell's tooltip and beside the grid."))
        if self.model.rowCount() and self.model.columnCount():
            at = self.model.index(min(row, self.model.rowCount() - 1),
                                  min(col, self.model.columnCount() - 1))
            if not self.model.flags(at) & Qt.ItemFlag.ItemIsEnabled:
                at = self._first_enabled()
            if at.isValid():
                self.grid.setCurrentIndex(at)
        self._update_progress()
        self._show_cell()

    def _first_enabled(self) -> QModelIndex:
        for i in range(self.model.rowCount()):
            at = self.model.index(i, 0)
            if self.model.flags(at) & Qt.ItemFlag.ItemIsEnabled:
                return at
        return QModelIndex()

    def _moved(self) -> None:
        if self._noted:
            self._update_progress()  # the note was about the cell just left
        self._show_cell()

    def _update_progress(self, note: str = "") -> None:
        """The progress line; `note` goes before it (until the next edit or move)."""
        self._noted = bool(note)
        e = self.model.evaluator
        if e is None:
            self.progress_label.setText("No evaluators yet: add them in the Evaluators view.")
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
            self.signoff.show_evaluator(None, 0, 0)
            return
        done, expected = self.model.entered(), self.model.expected()
        self.signoff.show_evaluator(e, done, expected)
        self.progress_label.setText((f"{note} " if note else "")
                                    + f"{done} of {expected} scores entered for "
                                      f"{one_line(e['name'], 40)}")
        self.progress_bar.setRange(0, max(expected, 1))
        self.progress_bar.setValue(done)

    # ---- the side panel ------------------------------------------------------------------
    def _show_cell(self, keep_comment: bool = False) -> None:
        index = self.grid.currentIndex()
        if not keep_comment:
            self.commit_comment()
        if not index.isValid() or self.model.evaluator is None:
            self.cell_title.setText("No cell selected")
            self.cell_info.setText("")
            self.guidance.setHtml("")
            self._set_comment(None, "")
            return
        b = self.model.bids[index.row()]
        c = self.model.criteria[index.column()]
        self.cell_title.setText(f"{criterion_label(c, 120)}\nfor {bid_label(b, 80)}")
        info = [f"Weight {self.model.weights.get(c['id'], 0.0):.2f}% of the total"]
        if c.get("min_score") is not None:
            info.append(f"minimum score {score_text(c['min_score'])} (below it the bid is "
                        "excluded)")
        others = self.model.others_text((b["id"], c["id"]))
        if others:
            info.append(others)
        if self.model.conflicted(index):
            info.append(f"{self.model.evaluator['name']} declared a conflict of interest on "
                        f"{self.model.conflicts[b['id']]}: not scored by them")
        self.cell_info.setText("; ".join(info))
        mine = self.model.score_of(index)
        self.guidance.setHtml(self._guidance_html(c, mine["score"] if mine else None))
        if not keep_comment:
            key = (self.model.evaluator["id"], b["id"], c["id"])
            draft = self.model.drafts.get(key)
            self._set_comment(key, draft if draft is not None
                              else (mine or {}).get("comment") or "")
            if draft is not None and mine is not None:
                self.comment.document().setModified(True)  # refused before: tried again
        self.comment_label.setText(
            "&Comment: no score yet, so it is kept as a draft and saved with the score "
            "when you type it" if mine is None and self.model.drafts.get(self._comment_key
                                                                         or ("", "", ""))
            else "&Comment: not saved (the reason is above); kept here until it can be"
            if mine is not None and self._comment_key in self.model.drafts
            else COMMENT_LABEL)
        self.comment.setEnabled(not self.model.conflicted(index))
        self.comment.setReadOnly(not self.editable or self.model.submitted())

    def _guidance_html(self, c: Record, score: Any) -> str:
        words = descriptors(c, self.model.scale)
        parts = []
        if c.get("guidance"):
            parts.append(f"<p>{html.escape(c['guidance'])}</p>")
        if words:
            rows = []
            for value, text in sorted(words.items(), key=lambda kv: float(kv[0])):
                now = score is not None and float(value) == float(score)
                cell = html.escape(text)
                rows.append(f"<tr><td align='right' valign='top'><b>{html.escape(value)}"
                            f"</b>&nbsp;</td><td>{'<b>' + cell + '</b>' if now else cell}"
                            f"{' ◀' if now else ''}</td></tr>")
            parts.append("<table cellspacing='2'>" + "".join(rows) + "</table>")
        return "".join(parts) or "<p>No guidance for this criterion.</p>"

    def _set_comment(self, key: tuple[str, str, str] | None, text: str) -> None:
        self._comment_key = key
        self.comment.blockSignals(True)
        self.comment.setPlainText(text)
        self.comment.document().setModified(False)
        self.comment.blockSignals(False)

    def commit_comment(self) -> bool:
        """Save the comment being edited (if it changed); False if it was refused."""
        key = self._comment_key
        if key is None or not self.comment.document().isModified():
            return True
        self.comment.document().setModified(False)
        text = self.comment.toPlainText().strip()
        eid, b, c = key
        current = next((r for r in self.document.doc()["scores"]
                        if (r["evaluator"], r["bid"], r["criterion"]) == key), None)
        if current is None:
            # the file keeps a comment with its score: a draft until the score is typed
            if text:
                self.model.drafts[key] = self.comment.toPlainText()
            else:
                self.model.drafts.pop(key, None)
            if key == self._comment_key and self.grid.currentIndex().isValid():
                self._show_cell(keep_comment=True)
            return True
        if (current.get("comment") or "") == text:
            self.model.drafts.pop(key, None)
            return True
        if not self._may_enter(eid) or not self.edit(
                self.document.set_score, eid, b, c, current["score"], text,
                title="Comment not saved (kept in the box)"):
            self.model.drafts[key] = self.comment.toPlainText()  # never thrown away
            return False
        self.model.drafts.pop(key, None)
        return True

    def commit_pending(self) -> list[str]:
        self.commit_comment()
        scored = {(r["evaluator"], r["bid"], r["criterion"])
                  for r in self.document.doc()["scores"]}
        return [f"Scoring: the comment on {b}/{c} for {e} ("
                + ("not saved: see the reason shown" if (e, b, c) in scored
                   else "kept until the score is typed") + ")"
                for (e, b, c) in self.model.drafts]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.comment:
            if event.type() == QEvent.Type.FocusOut:
                self.commit_comment()
            elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
                    event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                self.commit_comment()
                self.grid.setFocus()
                return True
        return super().eventFilter(watched, event)

    def enter(self) -> None:
        """The keyboard goes to the grid's current cell (the first scorable one if
        none), so a digit typed next is a score (Ctrl+5 brings the view here)."""
        if not self.grid.currentIndex().isValid():
            at = self._first_enabled()
            if at.isValid():
                self.grid.setCurrentIndex(at)
        self.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def paste(self, block: clipboard.Block) -> bool:
        """A block of scores copied from a spreadsheet, from the current cell (or by
        criterion ids in a header row and bid ids in the first column): every cell
        checked, all saved as one undoable step, or nothing with each refusal named."""
        self.commit_comment()
        m = self.model
        if m.evaluator is None or not m.rowCount() or not m.columnCount():
            self.show_problem("Not pasted", "there is no grid to paste into")
            return False
        if m.submitted() or not self.editable:
            self.show_problem("Not pasted", f"{m.evaluator['name']}'s scores are read-only "
                              "here (" + ("submitted" if m.submitted() else "see the bar "
                                          "above") + ")")
            return False
        cur = self.grid.currentIndex()
        placed = clipboard.place(
            block, (max(cur.row(), 0), max(cur.column(), 0)), m.rowCount(), m.columnCount(),
            headers=[[c["id"]] for c in m.criteria], row_labels=[[b["id"]] for b in m.bids],
            describe=lambda r: m.bids[r]["id"])
        items, problems = m.paste_items(placed.cells)
        problems = placed.problems + problems + [
            f"{p.where}: {p.message}" for p in self.document.file.score_problems(items)]
        if problems or not items:
            self.show_problem("Not pasted", clipboard.refused_text(
                problems or ["no score in the pasted block changes anything"]))
            return False
        if not self._may_enter(m.evaluator["id"]):
            return False
        if not self.edit(self.document.set_scores, items, f"Paste {len(items)} scores",
                         title="Not pasted"):
            return False
        for it in items:
            if it["comment"] is not None:
                m.drafts.pop((it["evaluator"], it["bid"], it["criterion"]), None)
        self._update_progress(f"Pasted {len(items)} scores (Ctrl+Z undoes them all).")
        return True

    def select(self, bid: str, cid: str) -> None:
        """Make (bid, criterion) the current cell."""
        i = next(n for n, b in enumerate(self.model.bids) if b["id"] == bid)
        j = next(n for n, c in enumerate(self.model.criteria) if c["id"] == cid)
        self.grid.setCurrentIndex(self.model.index(i, j))

    def set_evaluator(self, eid: str) -> bool:
        """Choose the evaluator as the user does (asking on whose behalf, if need be)."""
        self.evaluator_box.setCurrentIndex(self.evaluator_box.findData(eid))
        self._switch()
        return self._shown == eid

    def lockables(self) -> list[object]:
        return [self.grid, self.comment, *self.signoff.lockables()]

    def lock_changed(self) -> None:
        self._full = True
        self.refresh()

