"""Moderation: each evaluators' scores side by side, the spread, and the consensus.

One row per (bid, scored criterion) that has at least one score. A row is flagged
when the spread of the scores (of evaluators with no conflict) reaches the
evaluation's threshold and no consensus is recorded: the engine decides
(`Results.scores.flagged`), this view only shows it. The moderators record a
consensus score with its rationale; the original scores stay visible beside it, and
the consensus replaces the mean in the results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from procure_desk.errors import BadInput
from procure_desk.wording import one_line

from .. import ask, clipboard
from ..clipboard import label_key
from ..document import Document
from ..table_model import parse_number
from .base import Banner, View
from .common import warning_colour
from .feedback import FeedbackPanel, feedback_needed
from .scale import bid_label, criterion_label, descriptors, scale_values, score_text

Index = QModelIndex | QPersistentModelIndex
Record = dict[str, Any]
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
FIXED = ("Bid", "Criterion")
TAIL = ("Spread", "Mean", "Consensus", "Rationale", "Feedback")
SORT = Qt.ItemDataRole.UserRole  # what a column sorts by: numbers as numbers


class Row:
    """One (bid, scored criterion) pair and what the moderators need to see of it."""

    __slots__ = ("bid", "consensus", "criterion", "flagged", "i", "j", "mean", "rationale",
                 "scores", "spread")

    def __init__(self, bid: Record, criterion: Record, i: int, j: int, scores: list[Any],
                 spread: float | None, mean: float | None, flagged: bool,
                 consensus: Any, rationale: str):
        self.bid, self.criterion, self.i, self.j = bid, criterion, i, j
        self.scores, self.spread, self.mean, self.flagged = scores, spread, mean, flagged
        self.consensus, self.rationale = consensus, rationale


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


class ModerationModel(QAbstractTableModel):
    """Rows of (bid, criterion); columns: bid, criterion, one per evaluator, then
    spread, mean, consensus and rationale. `flagged_only` hides the rest.

    Rows are kept as indices into the engine's arrays (the evaluators' scores cube,
    spreads, flags) and turned into `Row`s only when shown, so 6,000 pairs of a large
    evaluation cost a few numpy calls per refresh, not 6,000 Python records.
    """

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.evaluators: list[Record] = []
        self.flagged_only = False
        self.threshold: float = 2
        self.total = 0  # pairs with at least one score
        self.rows: list[int] = []  # shown pairs, as positions in the arrays below
        self._pi = np.zeros(0, dtype=np.int64)
        self._pj = np.zeros(0, dtype=np.int64)
        self._flag = np.zeros(0, dtype=bool)
        self._cache: dict[int, Row] = {}

    def reload(self) -> None:
        self.beginResetModel()
        doc = self.document.doc()
        self._res = res = self.document.results()
        snap = res.snap
        self.evaluators = doc["evaluators"]
        self.threshold = doc["evaluation"]["moderation"]["spread_flag"]
        self._consensus = {(c["bid"], c["criterion"]): c for c in doc["consensus"]}
        self.feedback = {(f["bid"], f["criterion"]): f["text"]
                         for f in doc.get("feedback", [])}
        self.needed = set(feedback_needed(doc, res))
        crit = {c["id"]: c for c in doc["criteria"]}
        self._crit = [crit[c] for c in snap.scored_ids]
        pairs = np.argwhere(res.scores.count > 0)  # bid order, then criterion order
        self._pi, self._pj = pairs[:, 0], pairs[:, 1]
        self._flag = res.scores.flagged[self._pi, self._pj]
        self.total = len(pairs)
        self._filter()
        self.endResetModel()

    def row(self, n: int) -> Row:
        """The n-th shown row, built from the arrays on first use."""
        got = self._cache.get(n)
        if got is not None:
            return got
        k = self.rows[n]
        i, j = int(self._pi[k]), int(self._pj[k])
        snap, ev = self._res.snap, self._res.scores
        scores: list[Any] = []
        for e in range(len(self.evaluators)):
            if snap.conflict[e, i]:
                scores.append("conflict")
            else:
                scores.append(_num(snap.cube_val[e, i, j]) if snap.cube_has[e, i, j]
                              else None)
        bid, criterion = snap.bids[i], self._crit[j]
        con = self._consensus.get((bid["id"], criterion["id"]))
        got = Row(bid, criterion, i, j, scores, _num(ev.spread[i, j]), _num(ev.mean[i, j]),
                  bool(self._flag[k]), None if con is None else con["score"],
                  "" if con is None else con["rationale"])
        self._cache[n] = got
        return got

    def comments(self, r: Row) -> list[tuple[Record, Record]]:
        """(evaluator, score record) of each evaluator who scored the pair."""
        key = (r.bid["id"], r.criterion["id"])
        got = {s["evaluator"]: s for s in self.document.doc()["scores"]
               if (s["bid"], s["criterion"]) == key}
        return [(e, got[e["id"]]) for e in self.evaluators if e["id"] in got]

    def set_flagged_only(self, on: bool) -> None:
        self.beginResetModel()
        self.flagged_only = on
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._cache = {}
        self.rows = (np.flatnonzero(self._flag) if self.flagged_only
                     else np.arange(self.total)).tolist()

    def flag_count(self) -> int:
        return int(self._flag.sum())

    def row_of(self, bid: str, cid: str) -> int:
        for n in range(len(self.rows)):
            k = self.rows[n]
            if self._res.snap.bid_ids[self._pi[k]] == bid and \
                    self._res.snap.scored_ids[self._pj[k]] == cid:
                return n
        return -1

    # ---- Qt ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED) + len(self.evaluators) + len(TAIL)

    def _tail(self, column: int) -> str | None:
        k = column - len(FIXED) - len(self.evaluators)
        return TAIL[k] if 0 <= k < len(TAIL) else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                    and 0 <= section < len(self.rows):
                return section + 1
            return None
        ne = len(self.evaluators)
        if section < len(FIXED):
            return FIXED[section] if role == Qt.ItemDataRole.DisplayRole else None
        if section < len(FIXED) + ne:
            e = self.evaluators[section - len(FIXED)]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{e['id']}\n{one_line(e['name'], 12)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{e['id']} {one_line(e['name'], 80)}: {one_line(e['role'], 80)}"
            return None
        name = self._tail(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            return {"Spread": "Highest minus lowest score of evaluators with no conflict; "
                              f"flagged at {score_text(self.threshold)} or more unless a "
                              "consensus is recorded",
                    "Mean": "Mean of the scores of evaluators with no conflict",
                    "Consensus": "The moderated score: it replaces the mean in the results",
                    "Rationale": "Why the moderators agreed that score",
                    "Feedback": "What the bidder is told on this criterion (below): "
                                "\"missing\" where an assessment summary needs it"
                    }.get(name or "")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == SORT:
            return self._sort_key(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter \
                if col < len(FIXED) or self._tail(col) in ("Rationale", "Feedback") \
                else CENTER
        if role == Qt.ItemDataRole.ForegroundRole and self._tail(col) == "Feedback" \
                and self._display(r, col) == "missing":
            return QBrush(warning_colour())
        if role == Qt.ItemDataRole.BackgroundRole and r.flagged:
            return flag_colour()
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and r.flagged:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                tip = f"{r.bid['id']} {one_line(r.bid['supplier'], 200)}"
                return tip + (f"\nFlagged: the scores differ by {score_text(r.spread)}"
                              if r.flagged else "")
            if col == 1:
                return f"{r.criterion['id']} {one_line(r.criterion['name'], 200)}"
            if self._tail(col) == "Rationale" and r.rationale:
                return r.rationale
            if self._tail(col) == "Feedback":
                return self.feedback.get((r.bid["id"], r.criterion["id"]))
            k = col - len(FIXED)
            if 0 <= k < len(self.evaluators) and r.scores[k] == "conflict":
                return f"{self.evaluators[k]['name']} declared a conflict of interest"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(r, col)
            return f"{self.headerData(col, Qt.Orientation.Horizontal)}: {text}" + (
                " (flagged)" if r.flagged and col == 0 else "")
        return None

    def _sort_key(self, r: Row, col: int) -> Any:
        """Bids in their order (then criteria), criteria in theirs, scores as numbers
        (blanks and conflicts first), the rationale as text."""
        if col == 0:
            return r.i * 1_000_000 + r.j
        if col == 1:
            return r.j * 1_000_000 + r.i
        k = col - len(FIXED)
        if k < len(self.evaluators):
            v = r.scores[k]
            return -1.0 if not isinstance(v, int | float) else float(v)
        name = self._tail(col)
        value = {"Spread": r.spread, "Mean": r.mean, "Consensus": r.consensus}.get(name or "")
        if name in ("Rationale", "Feedback"):
            return self._display(r, col).casefold()
        return -1.0 if value is None else float(value)

    def _display(self, r: Row, col: int) -> str:
        if col == 0:
            return bid_label(r.bid, 28)
        if col == 1:
            return criterion_label(r.criterion, 36)
        k = col - len(FIXED)
        if k < len(self.evaluators):
            v = r.scores[k]
            return v if isinstance(v, str) else score_text(v)
        name = self._tail(col)
        if name == "Spread":
            return score_text(r.spread)
        if name == "Mean":
            return "" if r.mean is None else f"{r.mean:.2f}".rstrip("0").rstrip(".")
        if name == "Consensus":
            return score_text(r.consensus)
        if name == "Feedback":
            key = (r.bid["id"], r.criterion["id"])
            return "written" if key in self.feedback else (
                "missing" if key in self.needed else "")
        return one_line(r.rationale, 80)


def flag_colour() -> QColor:
    """Amber, never the selection's colour, in light and dark themes (ui.colours)."""
    from ..colours import flag_tint

    return flag_tint()


class ModerationView(View):
    title = "Moderation"
    interests = ("scores", "consensus", "criteria", "bids", "evaluators", "evaluation",
                 "feedback")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = self.problems_banner = Banner(self)
        self._filter_chosen = False  # once the user sets the filter, keep their choice
        self._shown: tuple[str, str] | None = None  # the pair the entry below belongs to
        self.drafts: dict[tuple[str, str], str] = {}  # rationales typed, not yet saved
        self.model = ModerationModel(document, self)
        # sorted by a click on a header; the rows' own order (bid, then criterion) is
        # the first column's, and no sort at all until a header is clicked
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAccessibleName("Scores to moderate")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the consensus entry
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(vh.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vh.hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_row())
        clipboard.install(self.table, paste=self.paste)

        self.flagged_box = QCheckBox("Fla&gged only")
        self.flagged_box.setAccessibleName("Show flagged rows only")
        self.flagged_box.toggled.connect(self._toggle_filter)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        # what the last save did: with Flagged only on, the saved row leaves the table
        self.notice = Banner(self, "Last change")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self._build_detail()
        self._lay_out()
        self.focus_target = self.table
        self.refresh()

    def _build_detail(self) -> None:
        self.detail_title = QLabel()
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_title.setWordWrap(True)
        font = self.detail_title.font()
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_info = QLabel()
        self.detail_info.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_info.setWordWrap(True)
        self.comments = QPlainTextEdit()
        self.comments.setReadOnly(True)
        self.comments.setTabChangesFocus(True)
        self.comments.setAccessibleName("Evaluators' scores and comments")

        self.score_box = QComboBox()
        self.score_box.setAccessibleName("Consensus score")
        self.rationale = QPlainTextEdit()
        self.rationale.setAccessibleName("Rationale")
        self.rationale.setTabChangesFocus(True)
        self.rationale.setPlaceholderText("Why the panel agreed this score (required; "
                                          "internal, never sent to the bidder)")
        self.rationale.installEventFilter(self)
        self.draft_note = QLabel()
        self.draft_note.setWordWrap(True)
        self.draft_note.setTextFormat(Qt.TextFormat.PlainText)
        self.save_button = QPushButton("&Save consensus")
        self.save_button.setToolTip("Record the consensus score and rationale (Ctrl+Enter)")
        self.save_button.clicked.connect(self.save_consensus)
        self.clear_button = QPushButton("C&lear consensus")
        self.clear_button.setToolTip("Remove the consensus: the mean is used again")
        self.clear_button.clicked.connect(self.clear_consensus)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self.rationale)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.save_consensus)
        self.feedback = FeedbackPanel(self.document, self.show_problem, self)

    def _lay_out(self) -> None:
        entry = QGroupBox("Consensus (internal)")
        form = QFormLayout(entry)
        form.addRow("Sc&ore", self.score_box)
        form.addRow("&Rationale", self.rationale)
        form.addRow(self.draft_note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        form.addRow(buttons)

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(6, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail_info)
        dl.addWidget(QLabel("Evaluators' scores and comments (internal)"))
        dl.addWidget(self.comments, 2)
        dl.addWidget(entry, 1)
        dl.addWidget(self.feedback, 1)

        top = QHBoxLayout()
        top.addWidget(self.flagged_box)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Moderation</h2>"))
        layout.addLayout(top)
        layout.addWidget(self.problems_banner)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

    # ---- refresh -----------------------------------------------------------------------
    def lockables(self) -> list[object]:
        return [self.score_box, self.rationale, self.save_button, self.clear_button,
                self.feedback.text]

    def lock_changed(self) -> None:
        self.feedback.editable = self.editable
        self._show_row()

    def refresh(self) -> None:
        key = self.current_key()
        row = self.table.currentIndex().row()
        self.model.reload()
        if not self._filter_chosen:
            self.flagged_box.blockSignals(True)
            self.flagged_box.setChecked(self.model.flag_count() > 0)
            self.flagged_box.blockSignals(False)
            self.model.set_flagged_only(self.flagged_box.isChecked())
        self._size_columns()
        self._fill_scores()
        self._reselect(key, row)
        self.feedback.refresh()
        n = self.model.flag_count()
        self.summary.setText(
            f"{n} flagged: evaluators' scores differ by "
            f"{score_text(self.model.threshold)} or more with no consensus yet"
            if n else f"No flags: no scores differ by {score_text(self.model.threshold)} "
                      "or more without a consensus")

    def _size_columns(self) -> None:
        bold = self.table.horizontalHeader().font()
        bold.setBold(True)
        fm = QFontMetrics(bold)
        widths = [165, 175]
        widths += [max(fm.horizontalAdvance("conflict"),
                       fm.horizontalAdvance(one_line(e["name"], 12))) + 14
                   for e in self.model.evaluators]
        widths += [56, 50, 76]
        for col, w in enumerate(widths):
            self.table.setColumnWidth(col, w)
        # the rationale takes the spare width; the feedback column fits its word
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        last = self.model.columnCount() - 1
        header.setSectionResizeMode(last - 1, header.ResizeMode.Stretch)
        header.setSectionResizeMode(last, header.ResizeMode.Interactive)
        self.table.setColumnWidth(last, fm.horizontalAdvance("Feedback") + 24)

    def _fill_scores(self) -> None:
        doc = self.document.doc()
        scale = doc["evaluation"]["scale"]
        words = descriptors(None, scale)
        current = self.score_box.currentData()
        self.score_box.blockSignals(True)
        self.score_box.clear()
        for v in scale_values(scale):
            label = score_text(v)
            if words.get(str(v)):
                label += f" – {words[str(v)]}"
            self.score_box.addItem(label, v)
        if current is not None:
            self.score_box.setCurrentIndex(max(self.score_box.findData(current), 0))
        self.score_box.blockSignals(False)

    def _toggle_filter(self, on: bool) -> None:
        self._filter_chosen = True
        key = self.current_key()
        self.model.set_flagged_only(on)
        self._reselect(key, 0)

    # ---- rows, through the sorting proxy -----------------------------------------------
    def _source_row(self, view_row: int) -> int:
        return self.proxy.mapToSource(self.proxy.index(view_row, 0)).row()

    def _view_row(self, source_row: int) -> int:
        return self.proxy.mapFromSource(self.model.index(source_row, 0)).row()

    def _reselect(self, key: tuple[str, str] | None, row: int) -> None:
        n = self.proxy.rowCount()
        at = self._view_row(self.model.row_of(*key)) if key and \
            self.model.row_of(*key) >= 0 else -1
        if at < 0 and n:
            at = min(max(row, 0), n - 1)
        if at >= 0:
            cur = self.table.currentIndex()
            if not (cur.isValid() and cur.row() == at):
                self.table.selectionModel().setCurrentIndex(
                    self.proxy.index(at, max(cur.column(), 0)),
                    self.table.selectionModel().SelectionFlag.ClearAndSelect
                    | self.table.selectionModel().SelectionFlag.Rows)
        self._show_row()

    def current_key(self) -> tuple[str, str] | None:
        r = self._row()
        return (r.bid["id"], r.criterion["id"]) if r else None

    def _row(self) -> Row | None:
        i = self.table.currentIndex().row()
        if not 0 <= i < self.proxy.rowCount():
            return None
        return self.model.row(self._source_row(i))

    def select(self, bid: str, cid: str) -> None:
        i = self.model.row_of(bid, cid)
        if i < 0:
            raise KeyError((bid, cid))
        self.table.selectRow(self._view_row(i))

    # ---- detail ----------------------------------------------------------------------
    def _show_row(self) -> None:
        self.commit_rationale()
        r = self._row()
        for w in (self.score_box, self.save_button, self.clear_button):
            w.setEnabled(r is not None and self.editable)
        self.rationale.setEnabled(r is not None)
        self.feedback.editable = self.editable
        self.feedback.show_pair(r.bid if r else None, r.criterion if r else None)
        if r is None:
            self._shown = None
            self.detail_title.setText("Nothing to moderate here"
                                      if not self.model.total else "No row selected")
            self.detail_info.setText("Untick Flagged only to see every scored pair."
                                     if self.model.flagged_only and self.model.total
                                     else "")
            self.comments.setPlainText("")
            self._set_rationale("")
            self.draft_note.setText("")
            return
        self.detail_title.setText(f"{criterion_label(r.criterion, 120)}\n"
                                  f"for {bid_label(r.bid, 80)}")
        info = [f"spread {score_text(r.spread)}" if r.spread is not None else "no spread",
                "mean " + ("–" if r.mean is None else f"{r.mean:.2f}")]
        if r.flagged:
            info.insert(0, f"Flagged: the scores differ by {score_text(r.spread)} "
                           f"(threshold {score_text(self.model.threshold)})")
        if r.consensus is not None:
            info.append(f"consensus {score_text(r.consensus)} replaces the mean")
        self.detail_info.setText("; ".join(info))
        self.comments.setPlainText("\n".join(self._comment_lines(r)))
        key = (r.bid["id"], r.criterion["id"])
        if key != self._shown or not self.rationale.document().isModified():
            value = r.consensus if r.consensus is not None else r.mean
            self.score_box.setCurrentIndex(self._nearest(value))
            draft = self.drafts.get(key)
            self._set_rationale(r.rationale if draft is None else draft)
            if draft is not None:
                self.rationale.document().setModified(True)
        self._shown = key
        self.draft_note.setText(
            "Draft rationale, not saved yet: choose the score and Save consensus "
            "(it is kept while you look at other rows)." if key in self.drafts else "")
        self.clear_button.setEnabled(r.consensus is not None and self.editable)

    def _comment_lines(self, r: Row) -> list[str]:
        lines = []
        for e, s in self.model.comments(r):
            lines.append(f"{e['id']} {one_line(e['name'], 60)}: {score_text(s['score'])}")
            if s.get("comment"):
                lines.append(f"    {s['comment']}")
        conflicted = [e for e, v in zip(self.model.evaluators, r.scores) if v == "conflict"]
        for e in conflicted:
            lines.append(f"{e['id']} {one_line(e['name'], 60)}: conflict of interest "
                         "declared, not scored")
        return lines

    def _set_rationale(self, text: str) -> None:
        self.rationale.blockSignals(True)
        self.rationale.setPlainText(text)
        self.rationale.document().setModified(False)
        self.rationale.blockSignals(False)

    def _nearest(self, value: float | None) -> int:
        if value is None or self.score_box.count() == 0:
            return 0
        values = [float(self.score_box.itemData(k)) for k in range(self.score_box.count())]
        return min(range(len(values)), key=lambda k: (abs(values[k] - value), -values[k]))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.rationale and event.type() == QEvent.Type.FocusOut:
            self.commit_rationale()
        return super().eventFilter(watched, event)

    def commit_pending(self) -> list[str]:
        self.commit_rationale()
        self.feedback.commit()
        return ([f"Moderation: the rationale typed for {b}/{c} (no consensus saved yet)"
                 for b, c in self.drafts]
                + [f"Moderation: the feedback for {b}/{c} (not saved: see the reason shown)"
                   for b, c in self.feedback.drafts])

    def commit_rationale(self) -> bool:
        """A rationale typed and not saved: on a recorded consensus it is saved (one
        undoable step, with the score chosen); with no consensus yet it is kept as a
        draft for its row, since a consensus score is the panel's to choose."""
        key = self._shown
        if key is None or not self.rationale.document().isModified():
            return True
        text = self.rationale.toPlainText()
        saved = next((c for c in self.document.doc()["consensus"]
                      if (c["bid"], c["criterion"]) == key), None)
        if saved is not None and text.strip() == saved["rationale"]:
            self.drafts.pop(key, None)
            self.rationale.document().setModified(False)
            return True
        if saved is None or not text.strip():
            self.drafts[key] = text  # nothing to attach it to yet, or emptied: kept
            self.draft_note.setText("Draft rationale kept: choose the score and Save "
                                    "consensus to record it.")
            return True
        self.rationale.document().setModified(False)
        if not self.edit(self.document.set_consensus, key[0], key[1],
                         self.score_box.currentData(), text.strip(),
                         title="Rationale not saved (kept as a draft)"):
            self.drafts[key] = text
            return False
        self.drafts.pop(key, None)
        return True

    # ---- edits -------------------------------------------------------------------------
    def save_consensus(self) -> bool:
        r = self._row()
        if r is None:
            return False
        score = self.score_box.currentData()
        key = (r.bid["id"], r.criterion["id"])
        self.notice.clear_text()
        self.rationale.document().setModified(False)  # saved here, not again on leaving
        if not self.edit(self.document.set_consensus, key[0], key[1],
                         score, self.rationale.toPlainText().strip(),
                         title="Consensus not saved"):
            self.rationale.document().setModified(True)
            return False
        self.drafts.pop(key, None)
        self._saved(r, f"Consensus recorded for {key[0]} {key[1]}: {score_text(score)}.")
        return True

    def clear_consensus(self) -> bool:
        r = self._row()
        if r is None or r.consensus is None:
            return False
        self.notice.clear_text()
        self.rationale.document().setModified(False)
        if not self.edit(self.document.set_consensus, r.bid["id"], r.criterion["id"], None,
                         "", title="Consensus not cleared"):
            return False
        self._saved(r, f"Consensus cleared for {r.bid['id']} {r.criterion['id']}: the mean "
                       "counts again.")
        return True

    def _saved(self, r: Row, text: str) -> None:
        """Say what was saved; when the row has left the table (Flagged only), say what
        is selected now, the next flagged row."""
        nxt = self._row()
        if r.flagged and self.model.flag_count() == 0:
            text += " No flags left."
        elif self.model.row_of(r.bid["id"], r.criterion["id"]) < 0 and nxt is not None:
            text += f" Next flagged: {nxt.bid['id']} {nxt.criterion['id']}."
        self.notice.show_text(text)

    # ---- paste -------------------------------------------------------------------------
    def paste(self, block: clipboard.Block) -> bool:
        """A block pasted into the Consensus (and Rationale) columns: rows from the
        current one down as shown, or by the Bid and Criterion columns when the block
        has them (copied out of this table). One undoable step, or nothing."""
        self.commit_rationale()
        headers = [[self.model.headerData(c, Qt.Orientation.Horizontal) or ""]
                   for c in range(self.model.columnCount())]
        headers = [[" ".join(str(h[0]).split())] + ([self.model.evaluators[c - 2]["id"]]
                   if 2 <= c < 2 + len(self.model.evaluators) else [])
                   for c, h in enumerate(headers)]
        cur = self.table.currentIndex()
        consensus_col = len(FIXED) + len(self.model.evaluators) + TAIL.index("Consensus")
        start = (max(cur.row(), 0), consensus_col if not cur.isValid()
                 or cur.column() < consensus_col else cur.column())
        labels: list[list[str]] = []
        by_pair = bool(block) and [label_key(c) for c in block[0][:2]] == ["bid", "criterion"]
        if by_pair:
            # copied out of this table: each row goes back to its own pair, whatever
            # order either is in (the key is a first column only this paste reads)
            block = [["", *block[0]]] + [
                [f"{r[0].split(' ')[0]}|{(r[1:2] or [''])[0].split(' ')[0]}", *r]
                for r in block[1:]]
            headers = [[""], *headers]
            labels = [[f"{k[0]}|{k[1]}"] for k in map(self._view_pair,
                                                      range(self.proxy.rowCount()))]
        placed = clipboard.place(block, start, self.proxy.rowCount(),
                                 len(headers), headers=headers, row_labels=labels,
                                 describe=lambda r: self._describe_row(r))
        if by_pair:  # back to the table's own columns
            placed.cells = [(r, c - 1, t) for r, c, t in placed.cells if c > 0]
        items, problems = self._consensus_items(placed, lenient=by_pair)
        problems = placed.problems + problems + [
            f"{p.where}: {p.message}" for p in self.document.file.consensus_problems(items)]
        if not problems and not items:
            problems = ["no Consensus or Rationale cell in the pasted block"]
        if problems:
            self.show_problem("Not pasted", clipboard.refused_text(problems))
            return False
        return self.edit(self.document.set_consensus_many, items,
                         f"Paste {len(items)} consensus scores", title="Not pasted")

    def _view_pair(self, view_row: int) -> tuple[str, str]:
        r = self.model.row(self._source_row(view_row))
        return r.bid["id"], r.criterion["id"]

    def _describe_row(self, view_row: int) -> str:
        if not 0 <= view_row < self.proxy.rowCount():
            return f"row {view_row + 1}"
        r = self.model.row(self._source_row(view_row))
        return f"{r.bid['id']} {r.criterion['id']}"

    def _consensus_items(self, placed: clipboard.Placed, lenient: bool = False
                         ) -> tuple[list[Record], list[str]]:
        """The consensus records a placed block asks for, and its refused cells. A
        cell in another column is refused when it differs from what is shown, unless
        `lenient` (a copied sheet pasted back: the other columns came along)."""
        ne = len(self.model.evaluators)
        score_col = len(FIXED) + ne + TAIL.index("Consensus")
        why_col = score_col + 1
        wanted: dict[int, dict[str, Any]] = {}
        problems: list[str] = []
        for row, col, text in placed.cells:
            r = self.model.row(self._source_row(row))
            where = f"consensus {r.bid['id']}/{r.criterion['id']}"
            if col == score_col:
                try:
                    wanted.setdefault(row, {})["score"] = (
                        None if not text else parse_number(text, where))
                except BadInput as exc:
                    problems.append(ask.problem_text(exc))
            elif col == why_col:
                wanted.setdefault(row, {})["rationale"] = text
            elif not lenient and text and text != self.model.data(self.model.index(
                    self._source_row(row), col)):
                name = " ".join(str(self.model.headerData(
                    col, Qt.Orientation.Horizontal)).split())
                problems.append(f"{where}: {name} is not entered here (only Consensus and "
                                "Rationale)")
        items = []
        for row, got in sorted(wanted.items()):
            r = self.model.row(self._source_row(row))
            key = (r.bid["id"], r.criterion["id"])
            score = got.get("score", r.consensus)
            rationale = got.get("rationale") or self.drafts.get(key) or r.rationale
            items.append({"bid": key[0], "criterion": key[1], "score": score,
                          "rationale": rationale.strip()})
        return items, problems
