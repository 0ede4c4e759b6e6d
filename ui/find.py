"""Find (Ctrl+F): one search across bids, criteria, comments and the audit log.

`search(document, text)` lists the hits as `Hit`s (what was found, where, and the view
and record to go to); `FindDialog` shows them and, on Enter or a double-click, asks the
window to go there (`MainWindow.go_to`). The search is case-insensitive and finds text
anywhere in a field; the audit log is searched by the service, in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from procure_desk import interchange
from procure_desk.wording import one_line

from .audit_words import Names, describe, details
from .document import Document
from .table_model import Column, RecordTableModel

LIMIT = 500  # hits shown; the audit log alone can hold tens of thousands of events


@dataclass(frozen=True)
class Hit:
    kind: str  # Bid, Criterion, Comment, Rationale, Gateway note, Audit log
    where: str  # the record: "B3 Kestrelway Ltd", "E1 on B2 / Q1"
    text: str  # the text that matched, on one line
    view: str  # the view key to show
    target: tuple[str, ...]  # what to select there


def _matches(needle: str, *fields: Any) -> str | None:
    """The first field holding `needle` (already casefolded), or None."""
    for f in fields:
        if f is not None and needle in str(f).casefold():
            return str(f)
    return None


def _records(doc: dict[str, Any], needle: str) -> Iterable[Hit]:
    bids = {b["id"]: b for b in doc["bids"]}
    crit = {c["id"]: c for c in doc["criteria"]}
    evaluators = {e["id"]: e["name"] for e in doc["evaluators"]}
    for b in doc["bids"]:
        label = interchange.OPTION_TYPE_LABELS.get(b["option_type"], b["option_type"])
        got = _matches(needle, b["id"], b["supplier"], b.get("notes"), label)
        if got is not None:
            yield Hit("Bid", f"{b['id']} {one_line(b['supplier'], 60)}", got, "bids",
                      (b["id"],))
    for c in doc["criteria"]:
        got = _matches(needle, c["id"], c["name"], c.get("guidance"))
        if got is not None:
            yield Hit("Criterion", f"{c['id']} {one_line(c['name'], 60)}", got, "criteria",
                      (c["id"],))

    def pair(r: dict[str, Any]) -> str:
        b = bids.get(r["bid"], {}).get("supplier", "")
        c = crit.get(r["criterion"], {}).get("name", "")
        return f"{r['bid']} {one_line(b, 30)} / {r['criterion']} {one_line(c, 30)}"

    for r in doc["scores"]:
        got = _matches(needle, r.get("comment"))
        if got is not None:
            who = evaluators.get(r["evaluator"], r["evaluator"])
            yield Hit("Comment", f"{who}: {pair(r)}", got, "moderation",
                      (r["bid"], r["criterion"]))
    for r in doc["consensus"]:
        got = _matches(needle, r.get("rationale"))
        if got is not None:
            yield Hit("Rationale", pair(r), got, "moderation", (r["bid"], r["criterion"]))
    for g in doc["gateways"]:
        got = _matches(needle, g.get("note"))
        if got is not None:
            yield Hit("Gateway note", pair(g), got, "bids", (g["bid"],))


def search(document: Document, text: str, limit: int = LIMIT) -> list[Hit]:
    """Every record holding `text`, then the audit log's matching events (newest first)."""
    needle = text.strip().casefold()
    if not needle:
        return []
    hits: list[Hit] = []
    for hit in _records(document.doc(), needle):
        hits.append(hit)
        if len(hits) >= limit:
            return hits
    names = Names.of(document.doc())
    for e in document.audit(text=text.strip(), limit=limit - len(hits)):
        hits.append(Hit("Audit log", f"{e.actor}, {e.at[:16].replace('T', ' ')} UTC",
                        one_line(f"{describe(e, names)} {details(e)}".strip(), 200),
                        "audit", (str(e.id),)))
    return hits


class FindDialog(QDialog):
    """A search box above a list of hits; Enter or a double-click goes to the hit."""

    def __init__(self, parent: QWidget, document: Document, go_to: Callable[[Hit], None]):
        super().__init__(parent)
        self.document = document
        self.go_to = go_to
        self.setWindowTitle("Find")
        self.resize(720, 420)
        self.box = QLineEdit()
        self.box.setAccessibleName("Find")
        self.box.setPlaceholderText("A supplier, an id (B3, Q1), a word from a comment or "
                                    "the audit log…")
        self.box.setClearButtonEnabled(True)
        self.model = RecordTableModel([
            Column("Found in", lambda h: h.kind),
            Column("Record", lambda h: h.where, tooltip=lambda h: h.where),
            Column("Text", lambda h: one_line(h.text, 200), tooltip=lambda h: h.text),
        ], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Found")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((100, 240)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda _i: self.go())
        self.count = QLabel()
        self.go_button = QPushButton("&Go to")
        self.go_button.clicked.connect(self.go)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.run)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self._enter)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.go_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    def run(self) -> None:
        self._timer.stop()
        hits = search(self.document, self.box.text())
        self.model.set_rows(hits)
        text = self.box.text().strip()
        self.count.setText("" if not text else
                           f"{len(hits)} found" + (" (the first ones: narrow the search)"
                                                   if len(hits) >= LIMIT else ""))
        if hits:
            self.table.selectRow(0)
        self.go_button.setEnabled(bool(hits))

    def _enter(self) -> None:
        if self._timer.isActive() or not self.model.rows:
            self.run()
        self.go()

    def go(self) -> None:
        i = self.table.currentIndex().row()
        if 0 <= i < len(self.model.rows):
            self.go_to(self.model.rows[i])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the list goes to the hit (a dialog would take it as "accept")
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self.go()
            return
        super().keyPressEvent(event)
