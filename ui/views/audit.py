"""Audit log: every change, who made it, when, and the values before and after.

The filter is applied by the service in SQL, so it stays quick on long logs; the
view shows the latest LIMIT matches. Before and After show only what changed
(`score 3` -> `score 4`, `costs[0].amount 250000` -> `costs[0].amount 1`), not the
fields the Record column already names; the full record is in the tooltip.
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


def _diff(before: Any, after: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    """(path, before, after) of each leaf that differs; lists of one length and dicts
    are followed down, so one changed amount in a bid's costs reads as just that."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for k in [*before, *(k for k in after if k not in before)]:
            _diff(before.get(k, _MISSING), after.get(k, _MISSING),
                  f"{path}.{k}" if path else str(k), out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for n, (b, a) in enumerate(zip(before, after)):
            _diff(b, a, f"{path}[{n}]", out)
    else:
        out.append((path, before, after))


_MISSING = object()


def _fields(items: list[tuple[str, Any]], width: int) -> str:
    text = ", ".join(f"{k} {json.dumps(v, ensure_ascii=False)}".strip()
                     for k, v in items if v is not _MISSING)
    return text if len(text) <= width else text[: width - 1] + "…"


def changes(before: Any, after: Any, record: str = "", width: int = 160) -> tuple[str, str]:
    """What Before and After show: the fields that changed, without the ones that name
    the record (evaluator, bid, criterion: already in the Record column)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return compact(before, width), compact(after, width)
    if isinstance(before, dict) and isinstance(after, dict):
        diffs: list[tuple[str, Any, Any]] = []
        _diff(before, after, "", diffs)
        return (_fields([(p, b) for p, b, _a in diffs], width),
                _fields([(p, a) for p, _b, a in diffs], width))
    # created or deleted: the whole record, less what names it
    names = set(record.split("/")) if record else set()
    one = before if isinstance(before, dict) else after
    shown = _fields([(k, v) for k, v in one.items()
                     if not (isinstance(v, str) and v in names)], width)
    other = compact(after if one is before else before, width)
    return (shown, other) if one is before else (other, shown)


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
            Column("Before", lambda e: changes(e.before, e.after, e.entity_id)[0],
                   tooltip=lambda e: json.dumps(e.before, ensure_ascii=False, indent=1)[:4000]
                   if e.before is not None else None,
                   header_tip="What changed, as it was (the whole record in the tooltip)"),
            Column("After", lambda e: changes(e.before, e.after, e.entity_id)[1],
                   tooltip=lambda e: json.dumps(e.after, ensure_ascii=False, indent=1)[:4000]
                   if e.after is not None else None,
                   header_tip="What changed, as it is now (the whole record in the tooltip)"),
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
        self.focus_target = self.table
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
