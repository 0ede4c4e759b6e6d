"""Audit log: every change, who made it, when, and the values before and after.

The filter is applied by the service in SQL, so it stays quick on long logs; the
view shows the latest LIMIT matches.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..document import Document
from ..table_model import Column, RecordTableModel
from .base import View
from .bids import make_table

LIMIT = 5000
ENTITIES = ("evaluation", "criterion", "bid", "evaluator", "conflict", "score", "consensus",
            "gateway", "partner")


def compact(value: Any, width: int = 160) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


class AuditView(View):
    title = "Audit log"
    interests = tuple(k for k in ("evaluation", "criteria", "bids", "evaluators", "scores",
                                  "consensus", "gateways", "partners"))

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.model = RecordTableModel([
            Column("When (UTC)", lambda e: e.at.replace("T", " ").rstrip("Z")),
            Column("Who", lambda e: e.actor),
            Column("Action", lambda e: e.action),
            Column("Record", lambda e: e.entity_id or e.entity),
            Column("Before", lambda e: compact(e.before),
                   tooltip=lambda e: json.dumps(e.before, ensure_ascii=False, indent=1)[:4000]
                   if e.before is not None else None),
            Column("After", lambda e: compact(e.after),
                   tooltip=lambda e: json.dumps(e.after, ensure_ascii=False, indent=1)[:4000]
                   if e.after is not None else None),
        ], self)
        self.table = make_table(self.model, "Audit log")
        for col, width in enumerate((150, 110, 140, 110, 380)):
            self.table.setColumnWidth(col, width)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search actions, records, values…")
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
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Who"))
        filters.addWidget(self.who, 1)
        filters.addWidget(QLabel("Record"))
        filters.addWidget(self.what, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Audit log</h2>"))
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.refresh()

    def refresh(self) -> None:
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
