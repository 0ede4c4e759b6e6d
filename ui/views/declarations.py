"""One evaluator's declaration of interests, and what each declared conflict is.

Every evaluator makes a dated declaration (docs/governance.md): a nil return (no
interests) or the interests they declare. Results stay provisional until everyone
has one. For each conflict ticked in the Evaluators view's matrix, the panel keeps
what the conflict is and the mitigation agreed. Each change is one undoable edit;
the text boxes save when they lose focus (or on Ctrl+Enter).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from procure_desk.wording import one_line

from ..table_model import Column, RecordTableModel
from .bids import make_table

if TYPE_CHECKING:
    from .evaluators import EvaluatorsView

Record = dict[str, Any]
DATE_FORMAT = "yyyy-MM-dd"
EARLIEST = QDate(2000, 1, 1)


class DeclarationPanel(QWidget):
    """The declaration of the evaluator chosen in the roster (`show_evaluator`)."""

    def __init__(self, view: EvaluatorsView):
        super().__init__(view)
        self.view = view
        self.document = view.document
        self.eid: str | None = None

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.declared = QCheckBox("&Declared on")
        self.declared.setAccessibleName("Declaration made")
        self.declared.setToolTip("Tick when the evaluator has made their declaration, and "
                                 "give its date (an earlier date is fine)")
        self.declared.toggled.connect(lambda _on: self._commit_declared())
        self.date = QDateEdit()
        self.date.setAccessibleName("Date of the declaration")
        self.date.setDisplayFormat(DATE_FORMAT)
        self.date.setCalendarPopup(True)
        self.date.setMinimumDate(EARLIEST)
        self.date.setMaximumDate(QDate.currentDate())
        self.date.setDate(QDate.currentDate())
        self.date.editingFinished.connect(self._commit_date)
        # a day picked in the calendar: save once the edit has taken the date
        self.date.calendarWidget().clicked.connect(
            lambda _d: QTimer.singleShot(0, self._commit_date))
        self.nil = QRadioButton("&Nil return: no interests to declare")
        self.nil.setAccessibleName("Nil return")
        self.some = QRadioButton("&Interests declared:")
        self.some.setAccessibleName("Interests declared")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.nil)
        self.choice.addButton(self.some)
        self.nil.clicked.connect(self._choose_nil)
        self.some.clicked.connect(self._choose_some)
        self.interests = QPlainTextEdit()
        self.interests.setAccessibleName("Interests declared")
        self.interests.setPlaceholderText("What the evaluator declares: shareholdings, "
                                          "family or past employment with a bidder, gifts…")
        self.interests.setTabChangesFocus(True)
        self.interests.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.interests.installEventFilter(self)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Declaration status")

        self.conflicts_model = RecordTableModel([
            Column("Bid", lambda r: f"{r['bid']} {one_line(r['supplier'], 40)}",
                   tooltip=lambda r: r["supplier"]),
            Column("Declared", lambda r: r["declared_on"] or "",
                   header_tip="When the conflict was ticked in the matrix below"),
            Column("Nature of the conflict", lambda r: r["nature"], self._edit("nature"),
                   tooltip=lambda r: r["nature"] or None),
            Column("Mitigation agreed", lambda r: r["mitigation"], self._edit("mitigation"),
                   tooltip=lambda r: r["mitigation"] or None),
        ], self, key=lambda r: r["bid"])
        view.watch(self.conflicts_model)
        self.conflicts = make_table(self.conflicts_model, "Declared conflicts")
        self.conflicts.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.conflicts.setEditTriggers(QTableView.EditTrigger.DoubleClicked
                                       | QTableView.EditTrigger.EditKeyPressed
                                       | QTableView.EditTrigger.AnyKeyPressed)
        # a few rows at most (one per bid): the texts wrap, each row as tall as it needs
        self.conflicts.setWordWrap(True)
        self.conflicts.verticalHeader().setSectionResizeMode(
            self.conflicts.verticalHeader().ResizeMode.ResizeToContents)
        header = self.conflicts.horizontalHeader()
        header.setStretchLastSection(False)
        for col, width in enumerate((170, 84)):
            self.conflicts.setColumnWidth(col, width)
        for col in (2, 3):
            header.setSectionResizeMode(col, header.ResizeMode.Stretch)

        when = QHBoxLayout()
        when.addWidget(self.declared)
        when.addWidget(self.date)
        when.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(when)
        layout.addWidget(self.nil)
        layout.addWidget(self.some)
        layout.addWidget(self.interests)
        layout.addWidget(self.status)
        heading = QLabel("<b>Declared conflicts</b>: what each is, and the "
                         "mitigation agreed (double-click or type to edit)")
        heading.setWordWrap(True)  # a narrow window wraps it instead of widening
        layout.addWidget(heading)
        layout.addWidget(self.conflicts, 1)

    def lockables(self) -> list[object]:
        return [self.declared, self.date, self.nil, self.some, self.interests, self.conflicts]

    # ---- showing ---------------------------------------------------------------------
    def evaluator(self) -> Record | None:
        return next((e for e in self.document.doc()["evaluators"] if e["id"] == self.eid),
                    None)

    def show_evaluator(self, eid: str | None) -> None:
        if eid != self.eid:
            self.commit_interests()  # what was typed for the one shown until now
            self.eid = eid
            self._fill(new=True)

    def refresh(self) -> None:
        self._fill(new=False)

    def _fill(self, new: bool) -> None:
        e = self.evaluator()
        if e is None:
            self.eid = None
            self.title.setText("Add an evaluator to record their declaration of interests.")
            for w in (self.declared, self.date, self.nil, self.some, self.interests):
                w.setEnabled(False)
            self.conflicts_model.set_rows([])
            self.status.setText("")
            return
        can = self.view.editable
        self.declared.setEnabled(can)
        decl = e.get("declaration")
        self.title.setText(f"Declaration of interests: {e['name']} ({e['id']})")
        _quietly(self.declared, lambda: self.declared.setChecked(decl is not None))
        day = QDate.fromString(decl["date"], DATE_FORMAT) if decl else QDate.currentDate()
        if not self.date.hasFocus() or new:
            _quietly(self.date, lambda: self.date.setDate(day))
        self.date.setEnabled(can and decl is not None)
        for w in (self.nil, self.some):
            w.setEnabled(can and decl is not None)
        text = decl.get("interests", "") if decl else ""
        typing = self.interests.hasFocus() and self.interests.document().isModified()
        if new or not typing:
            self.nil.setChecked(decl is not None and not text)
            self.some.setChecked(bool(text))
            if decl is None:  # neither: no declaration to describe
                self.choice.setExclusive(False)
                self.nil.setChecked(False)
                self.some.setChecked(False)
                self.choice.setExclusive(True)
            self.interests.setPlainText(text)
            self.interests.document().setModified(False)
        self.interests.setEnabled(decl is not None and (bool(text) or self.some.isChecked()))
        self.status.setText(self._status_text(e))
        dates = self.document.conflict_dates()
        details = e.get("conflict_details", {})
        suppliers = {b["id"]: b["supplier"] for b in self.document.doc()["bids"]}
        self.conflicts_model.set_rows([
            {"bid": b, "supplier": suppliers.get(b, ""),
             "declared_on": dates.get((e["id"], b)),
             "nature": details.get(b, {}).get("nature", ""),
             "mitigation": details.get(b, {}).get("mitigation", "")}
            for b in e["conflicts"]])

    @staticmethod
    def _status_text(e: Record) -> str:
        decl = e.get("declaration")
        if decl is None:
            return (f"{e['name']} has made no declaration yet: the results stay provisional "
                    "until every evaluator has one.")
        what = "a nil return" if not decl.get("interests") else "interests declared"
        n = len(e["conflicts"])
        return (f"Declared on {decl['date']}: {what}. "
                + (f"{n} conflict{'' if n == 1 else 's'} with bids: not scored by them."
                   if n else "No conflict with any bid."))

    # ---- edits -----------------------------------------------------------------------
    def _declare(self, day: str | None, interests: str) -> bool:
        if self.eid is None:
            return False
        ok = self.view.edit(self.document.set_declaration, self.eid, day, interests,
                            title="Declaration not saved")
        if not ok:
            self.refresh()  # show what is saved
        return ok

    def _current_text(self) -> str:
        decl = (self.evaluator() or {}).get("declaration") or {}
        return str(decl.get("interests", ""))

    def _commit_declared(self) -> None:
        e = self.evaluator()
        if e is None or self.declared.isChecked() == (e.get("declaration") is not None):
            return
        if self.declared.isChecked():
            self._declare(_iso(self.date.date()), "")  # a nil return until told otherwise
        else:
            self._declare(None, "")

    def _commit_date(self) -> None:
        decl = (self.evaluator() or {}).get("declaration")
        day = _iso(self.date.date())
        if decl is None or decl["date"] == day:
            return
        self._declare(day, decl.get("interests", ""))

    def _choose_nil(self) -> None:
        decl = (self.evaluator() or {}).get("declaration")
        self.interests.setEnabled(False)
        if decl is not None and decl.get("interests"):
            self._declare(decl["date"], "")

    def _choose_some(self) -> None:
        self.interests.setEnabled(True)
        self.interests.setFocus()

    def commit_interests(self) -> bool:
        """Save the interests typed (if they changed); False if refused."""
        if not self.interests.document().isModified():
            return True
        self.interests.document().setModified(False)
        decl = (self.evaluator() or {}).get("declaration")
        text = self.interests.toPlainText().strip()
        if decl is None or text == decl.get("interests", ""):
            return True
        return self._declare(decl["date"], text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.interests:
            if event.type() == QEvent.Type.FocusOut:
                self.commit_interests()
            elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
                    event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                self.commit_interests()
                return True
        return super().eventFilter(watched, event)

    def _edit(self, field: str) -> Any:
        def edit(row: Record, value: Any) -> None:
            if self.eid is None:
                return
            text = str(value).strip()
            if text == row[field]:
                return
            nature = text if field == "nature" else row["nature"]
            mitigation = text if field == "mitigation" else row["mitigation"]
            self.document.set_conflict_details(self.eid, row["bid"], nature, mitigation)
        return edit


def _iso(day: QDate) -> str:
    return dt.date(day.year(), day.month(), day.day()).isoformat()


def _quietly(widget: QObject, change: Any) -> None:
    widget.blockSignals(True)
    try:
        change()
    finally:
        widget.blockSignals(False)
