"""Bids: the table of suppliers' bids, and the selected bid's cost lines and years.

WLC and NPV come from the engine's snapshot (the same figures the results use);
exit cost is the share of the whole-life cost in cost lines of category "exit".
Cost lines are edited in place; each change rewrites the bid's cost list in one
undoable step, and a negative amount is refused with the reason shown.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from procure_desk import interchange
from procure_desk.engine import year_costs

from .. import ask
from ..delegates import ChoiceDelegate
from ..document import Document
from ..table_model import CENTER, RIGHT, Column, RecordTableModel, parse_int, parse_number
from .base import Banner, View
from .money import money

CATEGORY_LABELS = [(c, c.capitalize()) for c in interchange.CATEGORIES]


def make_table(model: RecordTableModel, name: str) -> QTableView:
    """A table view with fixed row heights (no per-row measuring on big tables)."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.verticalHeader().setSectionResizeMode(view.verticalHeader().ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


class BidsView(View):
    title = "Bids"
    interests = ("bids", "evaluation", "partners")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        cur = lambda: self.document.doc()["evaluation"]["currency"]  # noqa: E731
        self.bid_model = RecordTableModel([
            Column("ID", lambda r: r["id"]),
            Column("Supplier", lambda r: r["supplier"], self._edit("supplier"),
                   tooltip=lambda r: r["supplier"]),
            Column("Option type", lambda r: interchange.OPTION_TYPE_LABELS[r["option_type"]],
                   self._edit("option_type"), edit_value=lambda r: r["option_type"]),
            Column("SME", lambda r: None, self._edit("sme"), check=lambda r: r["sme"],
                   header_tip="Small or medium-sized enterprise"),
            Column("Term (years)", lambda r: r.get("term_years"), self._edit_term, align=RIGHT),
            Column("WLC", lambda r: money(r["_wlc"], cur()), align=RIGHT,
                   header_tip="Whole-life cost over the appraisal period"),
            Column("NPV", lambda r: money(r["_npv"], cur()), align=RIGHT,
                   header_tip="Net present value of the costs"),
            Column("Exit cost", lambda r: f"{r['_exit'] * 100:.1f}%" if r["_exit"] is not None
                   else "", align=RIGHT, header_tip="Exit costs as a share of the WLC"),
        ], self)
        self.bid_model.refused.connect(lambda t: self.show_problem("Not changed", t))
        self.table = make_table(self.bid_model, "Bids")
        self.table.setItemDelegateForColumn(2, ChoiceDelegate(
            list(interchange.OPTION_TYPE_LABELS.items()), self.table))
        for col, width in enumerate((50, 300, 140, 50, 100, 120, 120)):
            self.table.setColumnWidth(col, width)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_bid())

        self.cost_model = RecordTableModel([
            Column("Item", lambda r: r["item"], self._edit_line("item")),
            Column("Category", lambda r: r["category"].capitalize(),
                   self._edit_line("category"), edit_value=lambda r: r["category"]),
            Column("Amount per year", lambda r: money(r["amount"], cur()),
                   self._edit_line("amount"), align=RIGHT, edit_value=lambda r: r["amount"]),
            Column("Start year", lambda r: r["start_year"], self._edit_line("start_year"),
                   align=RIGHT, header_tip="Year 0 is the first year"),
            Column("Years", lambda r: r["years"], self._edit_line("years"), align=RIGHT),
        ], self)
        self.cost_model.refused.connect(lambda t: self.show_problem("Not changed", t))
        self.costs = make_table(self.cost_model, "Cost lines")
        self.costs.setItemDelegateForColumn(1, ChoiceDelegate(CATEGORY_LABELS, self.costs))
        for col, width in enumerate((220, 120, 140, 80, 60)):
            self.costs.setColumnWidth(col, width)
        header = self.costs.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        self.costs.setEditTriggers(QTableView.EditTrigger.DoubleClicked
                                   | QTableView.EditTrigger.EditKeyPressed
                                   | QTableView.EditTrigger.AnyKeyPressed)

        self.year_model = RecordTableModel([
            Column("Year", lambda r: r[0], align=CENTER),
            Column("Cost", lambda r: money(r[1], cur()), align=RIGHT),
            Column("Discount factor", lambda r: f"{r[2]:.4f}", align=RIGHT),
            Column("Present value", lambda r: money(r[1] * r[2], cur()), align=RIGHT),
        ], self)
        self.years = make_table(self.year_model, "Costs by year")

        self.toolbar = QToolBar("Bids")
        self.toolbar.setAccessibleName("Bid actions")
        self._tool(self.toolbar, "Add bid", self.add_bid, "Ctrl+Shift+B")
        self._tool(self.toolbar, "Remove bid", self.remove_bid, QKeySequence.StandardKey.Delete,
                   self.table)
        self.cost_bar = QToolBar("Cost lines")
        self.cost_bar.setAccessibleName("Cost line actions")
        self._tool(self.cost_bar, "Add cost line", self.add_line, "Ctrl+Shift+L")
        self._tool(self.cost_bar, "Remove cost line", self.remove_line, "Ctrl+Shift+Delete")
        self.detail_title = QLabel()
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.total_label = QLabel()

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.cost_bar)
        row = QHBoxLayout()
        row.addWidget(self.costs, 3)
        right = QVBoxLayout()
        right.addWidget(QLabel("By year (the appraisal period)"))
        right.addWidget(self.years)
        right.addWidget(self.total_label)
        row.addLayout(right, 2)
        dl.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setSizes([380, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Bids</h2>"))
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.refresh()

    def _tool(self, bar: QToolBar, text: str, slot: Any, shortcut: Any,
              owner: QWidget | None = None) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(shortcut).toString()})")
        action.triggered.connect(slot)
        bar.addAction(action)
        (owner or self).addAction(action)
        return action

    # ---- refresh ---------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.current_bid()
        doc = self.document.doc()
        snap = self.document.snapshot()
        years = doc["evaluation"]["appraisal"]["years"]
        rows = []
        for i, b in enumerate(doc["bids"]):
            wlc = float(snap.wlc[i])
            exit_cost = float(year_costs([c for c in b["costs"] if c["category"] == "exit"],
                                         years).sum())
            rows.append(dict(b, _wlc=wlc, _npv=float(snap.npv[i]),
                             _exit=exit_cost / wlc if wlc > 0 else None, _i=i))
        self.bid_model.set_rows(rows)
        row = self.bid_model.row_of(lambda r: r["id"] == current) if current else -1
        self.table.selectRow(row if row >= 0 else 0)
        self._show_bid()

    def current_bid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.bid_model.rows):
            return None
        return self.bid_model.rows[rows[0].row()]["id"]

    def _bid(self) -> dict[str, Any] | None:
        bid = self.current_bid()
        return next((r for r in self.bid_model.rows if r["id"] == bid), None)

    def _show_bid(self) -> None:
        b = self._bid()
        self.cost_bar.setEnabled(b is not None)
        if b is None:
            self.detail_title.setText("No bid selected. Add one with Add bid (Ctrl+Shift+B).")
            self.cost_model.set_rows([])
            self.year_model.set_rows([])
            self.total_label.setText("")
            return
        self.detail_title.setText(f"Cost lines of {b['id']} {b['supplier'][:120]}")
        self.cost_model.set_rows(b["costs"])
        snap = self.document.snapshot()
        ev = self.document.doc()["evaluation"]
        rate = float(ev["appraisal"]["discount_rate"])
        costs = snap.costs[b["_i"]]
        self.year_model.set_rows([(y, float(c), 1 / (1 + rate) ** y)
                                  for y, c in enumerate(costs)])
        self.total_label.setText(
            f"WLC {money(b['_wlc'], ev['currency'])} · NPV {money(b['_npv'], ev['currency'])} "
            f"at {rate * 100:g}% · scored on {ev['appraisal']['cost_basis'].upper()}")

    # ---- edits -----------------------------------------------------------------------
    def _edit(self, field: str) -> Any:
        def edit(row: dict[str, Any], value: Any) -> None:
            self.document.update_bid(row["id"], {field: value})
        return edit

    def _edit_term(self, row: dict[str, Any], value: Any) -> None:
        text = str(value).strip()
        self.document.update_bid(row["id"], {"term_years": parse_int(
            text, f"bid {row['id']}.term_years") if text else None})

    def _edit_line(self, field: str) -> Any:
        def edit(line: dict[str, Any], value: Any) -> None:
            b = self._bid()
            if b is None:
                return
            n = b["costs"].index(line)
            where = f"bid {b['id']}.costs[{n}].{field}"
            if field == "amount":
                value = parse_number(value, where)
            elif field in ("start_year", "years"):
                value = parse_int(value, where)
            costs = copy.deepcopy(b["costs"])
            costs[n][field] = value
            self.document.update_bid(b["id"], {"costs": costs})
        return edit

    def add_bid(self) -> None:
        if self.edit(self.document.add_bid, {"supplier": "New supplier",
                                             "option_type": "best_of_breed"},
                     title="Not added"):
            last = len(self.bid_model.rows) - 1
            self.table.selectRow(last)
            self.table.edit(self.bid_model.index(last, 1))

    def remove_bid(self) -> None:
        b = self._bid()
        if b is None:
            return
        n = self.document.has_scores(bid=b["id"])
        if n and not ask.confirm(self, "Remove bid",
                                 f"Remove {b['id']} {b['supplier'][:80]} with {n} scores and "
                                 "results recorded against it? You can undo this (Ctrl+Z)."):
            return
        self.edit(self.document.delete_bid, b["id"], title="Not removed")

    def add_line(self) -> None:
        b = self._bid()
        if b is None:
            return
        costs = [*copy.deepcopy(b["costs"]), {"item": "New cost", "category": "other",
                                              "amount": 0, "start_year": 0, "years": 1}]
        if self.edit(self.document.update_bid, b["id"], {"costs": costs}, title="Not added"):
            self.costs.setCurrentIndex(self.cost_model.index(len(costs) - 1, 0))

    def remove_line(self) -> None:
        b = self._bid()
        row = self.costs.currentIndex().row()
        if b is None or not (0 <= row < len(b["costs"])):
            return
        costs = copy.deepcopy(b["costs"])
        del costs[row]
        self.edit(self.document.update_bid, b["id"], {"costs": costs}, title="Not removed")
