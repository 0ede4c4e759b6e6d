"""Audit log: every change, who made it, when (in the user's local time; stored in
UTC), and what it was, in plain English (`ui.audit_words`): "S. Kaur's score for B3
on F1 changed from 3 to 4", not `score.set`. The records as stored are in each row's
tooltip.

The filter is applied by the service in SQL, so it stays quick on long logs; the
view shows the latest LIMIT matches. The search looks in what is stored (actions,
ids, values), so "score" or "B3" finds what the sentences speak of.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..audit_words import Names, describe, details
from ..document import Document
from ..table_model import Column, RecordTableModel, select_row, sortable, view_row
from ..when import local_time
from .base import View
from .bids import make_table

LIMIT = 5000
ENTITIES = ("evaluation", "criterion", "bid", "evaluator", "conflict", "score", "consensus",
            "gateway", "partner")


def stored(e: Any) -> str:
    """The event as stored, for the tooltip: action, record, before and after."""
    def dump(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False, indent=1)[:1800] if v is not None else "none"
    return (f"{e.action} {e.entity} {e.entity_id}".strip() + f"\nat {e.at} (UTC)"
            + f"\nbefore: {dump(e.before)}\nafter: {dump(e.after)}")


class AuditView(View):
    title = "Audit log"
    interests = tuple(k for k in ("evaluation", "criteria", "bids", "evaluators", "scores",
                                  "consensus", "gateways", "partners"))

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.names = Names()
        self.model = RecordTableModel([
            Column("When (local time)", lambda e: local_time(e.at),
                   tooltip=lambda e: f"{e.at} (UTC)",
                   header_tip="In this computer's time zone (the file keeps UTC)",
                   sort=lambda e: e.id),
            Column("Who", lambda e: e.actor),
            Column("What happened", lambda e: describe(e, self.names), tooltip=stored),
            Column("Details", lambda e: details(e), tooltip=lambda e: details(e) or None,
                   header_tip="Comments, reasons and the fields a change touched"),
        ], self)
        self.table = make_table(self.model, "Audit log")
        # the latest first, as the service gives them, until a header is clicked: then by
        # time (oldest first), who, what or details
        self.proxy = sortable(self.table, self.model)
        for col, width in enumerate((150, 130, 500)):
            self.table.setColumnWidth(col, width)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: a name, an id (B3, F1), a word such as "
                                       "score or conflict…")
        self.search.setAccessibleName("Search the audit log")
        self.search.setClearButtonEnabled(True)
        self.who = QComboBox()
        self.who.setAccessibleName("Who")
        self.what = QComboBox()
        self.what.setAccessibleName("Kind of record")
        self.what.addItem("All records", None)
        for e in ENTITIES:
            self.what.addItem(e.capitalize(), e)
        self.count = QLabel()
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.who.activated.connect(lambda _i: self.refresh())
        self.what.activated.connect(lambda _i: self.refresh())
        filters = QHBoxLayout()
        for text, field, stretch in (("&Search", self.search, 3), ("&Who", self.who, 1),
                                     ("&Record", self.what, 1)):
            label = QLabel(text)
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Audit log</h2>"))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.focus_target = self.table
        self.refresh()

    def refresh(self) -> None:
        self.names = Names.of(self.document.doc())
        actors = sorted({e.actor for e in self.document.audit()})
        chosen = self.who.currentData()
        self.who.clear()
        self.who.addItem("Anyone", None)
        for a in actors:
            self.who.addItem(a, a)
        if chosen in actors:
            self.who.setCurrentIndex(actors.index(chosen) + 1)
        entries = self.document.audit(text=self.search.text().strip(),
                                      actor=self.who.currentData(),
                                      entity=self.what.currentData(), limit=LIMIT)
        self.model.set_rows(entries)
        more = " (the latest; narrow the search to see older ones)" if len(entries) == LIMIT \
            else ""
        self.count.setText(f"{len(entries)} change{'' if len(entries) == 1 else 's'}{more}")

    def select_event(self, event_id: int) -> None:
        """Show and select one event (Find goes here), clearing a filter that hides it."""
        row = self.model.row_of(lambda e: e.id == event_id)
        if row < 0:
            self.search.clear()
            self.who.setCurrentIndex(0)
            self.what.setCurrentIndex(0)
            self.refresh()
            row = self.model.row_of(lambda e: e.id == event_id)
        if row < 0:
            raise KeyError(event_id)
        select_row(self.table, row)
        self.table.scrollTo(self.table.model().index(view_row(self.table, row), 0))
