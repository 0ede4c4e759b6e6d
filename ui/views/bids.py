"""Bids: the table of suppliers' bids, and the selected bid's cost lines, years and
gateway results.

WLC and NPV come from the engine's snapshot (the same figures the results use);
exit cost is the share of the whole-life cost in cost lines of category "exit".
Cost lines are edited in place; each change rewrites the bid's cost list in one
undoable step, and a negative amount is refused with the reason shown. A bid with
no cost lines counts as costing nothing, which sets the lowest price for everyone
else: its WLC and NPV say "no costs" in the warning colour.

Gateways are the pass/fail criteria: one row per criterion for the selected bid,
its result (Passed, Failed, Not assessed) and a note, each change one undoable
`Document.set_gateway`. A failed gateway excludes the bid; a missing one leaves it
incomplete.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from procure_desk import interchange
from procure_desk.engine import Results, year_costs
from procure_desk.errors import BadInput
from procure_desk.wording import money, plural

from .. import ask, clipboard
from ..columns import keep_name_column
from ..delegates import ChoiceDelegate
from ..document import Document
from ..table_model import (
    CENTER,
    RIGHT,
    Column,
    Index,
    RecordTableModel,
    current_record_row,
    edit_across,
    keep_current,
    natural,
    parse_int,
    parse_number,
    select_row,
    selected_record_rows,
    sortable,
    source_row,
    view_row,
)
from .base import Banner, View
from .common import bold_font, warning_colour, warning_style

CATEGORY_LABELS = [(c, c.capitalize()) for c in interchange.CATEGORIES]
RESULTS = [("passed", "Passed"), ("failed", "Failed"), ("", "Not assessed")]
RESULT_LABELS = {True: "✔ Passed", False: "✘ Failed", None: "Not assessed"}
NO_COSTS = "no costs"
TENDER_TIP = ("Ticked: a supplier's tender. In a competitive tender only tenders can win; "
              "an option that is not a tender (your in-house team, another council's shared "
              "service, doing nothing) is a comparator: scored the same way to show whether "
              "the tenders are good value, but never ranked. Ticked at first for an "
              "enterprise suite or best-of-breed product; tick a commercial shared service "
              "that bid.")


def cost_warnings(doc: dict[str, Any], res: Results) -> list[str]:
    """One sentence for each bid still in the price competition whose costs are nil.

    By the scoring rules a bid's price counts whatever it is; a bid with no cost lines
    costs £0, sets the lowest price, and every other bid's price score drops to 0.
    """
    currency = doc["evaluation"]["currency"]
    out = []
    for i, b in enumerate(doc["bids"]):
        if res.status[i] in ("excluded", "withdrawn"):
            continue
        name = " ".join(str(b["supplier"]).split())[:80]
        if not b["costs"]:
            what = f"has no cost lines: it counts as costing {money(0, currency)}"
        elif float(res.snap.cost_basis[i]) <= 0:
            what = f"has costs that add up to {money(0, currency)}"
        else:
            continue
        out.append(f"{b['id']} {name} {what}, which sets the lowest price and lowers every "
                   "other bid's price score. Enter its costs in Bids.")
    return out


def procedure_note(doc: dict[str, Any]) -> str:
    """What "Tender" means under the evaluation's procedure, in plain words."""
    others = [b["id"] for b in doc["bids"] if not b.get("tender")]
    if doc["evaluation"].get("procedure") == "competitive_tender":
        text = ("Competitive tender: only bids ticked Tender can win. ")
        if others:
            one = len(others) == 1
            what = ("is a comparator: an option that is not a supplier's tender" if one
                    else "are comparators: options that are not suppliers' tenders")
            text += (f"{', '.join(others)} {what} (an in-house team, another council's "
                     "shared service, doing nothing), scored the same way to show whether "
                     "the tenders are good value, but never ranked.")
        else:
            text += "Every bid is a tender."
        return text
    return ("Options appraisal: every option is ranked with the others, tender or not "
            "(set the procedure in Overview).")


def gateway_summary(bid: str, gate_ids: list[str], results: dict[tuple[str, str], bool]
                    ) -> tuple[str, bool]:
    """What the bids table says of a bid's gateways, and whether it failed one."""
    if not gate_ids:
        return "", False
    failed = [g for g in gate_ids if results.get((bid, g)) is False]
    missing = [g for g in gate_ids if (bid, g) not in results]
    if failed:
        return "Failed " + ", ".join(failed), True
    if missing:
        return f"{len(missing)} not assessed", False
    return "All passed", False


class ToneTableModel(RecordTableModel):
    """A record table whose cells can warn: `tone(row, column)` returns "warn" for the
    palette-aware warning colour in bold, "muted" for placeholder text, else None."""

    def __init__(self, columns: list[Column], tone: Any, parent: Any = None):
        super().__init__(columns, parent)
        self.tone = tone

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole) \
                and index.isValid() and index.row() < len(self.rows):
            tone = self.tone(self.rows[index.row()], index.column())
            if tone == "warn":
                return (QBrush(warning_colour()) if role == Qt.ItemDataRole.ForegroundRole
                        else bold_font(QApplication.font()))
            if tone == "muted" and role == Qt.ItemDataRole.ForegroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
            return None
        return super().data(index, role)


def parse_result(value: Any, where: str) -> bool | None:
    """Passed / Failed / Not assessed, as chosen in the combo box (or typed)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower().lstrip("✔✘ ")
    if text in ("passed", "pass", "yes", "true"):
        return True
    if text in ("failed", "fail", "no", "false"):
        return False
    if text in ("", "not assessed", "none"):
        return None
    raise BadInput.one(where, f"{value!r} is not Passed, Failed or Not assessed")


def make_table(model: RecordTableModel, name: str) -> QTableView:
    """A table view with fixed row heights (no per-row measuring on big tables).

    Tab leaves the table for the next control (arrows move between cells), so a
    keyboard user is never held in it; after a reset the current cell stays put."""
    view = QTableView()
    view.setModel(model)
    view.setTabKeyNavigation(False)
    keep_current(view)
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
    interests = ("bids", "evaluation", "partners", "criteria", "gateways")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        cur = lambda: self.document.doc()["evaluation"]["currency"]  # noqa: E731
        self.bid_model = ToneTableModel([
            Column("ID", lambda r: r["id"], sort=lambda r: natural(r["id"])),
            Column("Supplier", lambda r: r["supplier"], self._edit("supplier"),
                   tooltip=lambda r: r["supplier"]),
            Column("Option type", lambda r: interchange.OPTION_TYPE_LABELS[r["option_type"]],
                   self._edit_type, edit_value=lambda r: r["option_type"]),
            Column("SME", lambda r: None, self._edit("sme"), check=lambda r: r["sme"],
                   header_tip="Small or medium-sized enterprise"),
            Column("Term", lambda r: r.get("term_years"), self._edit_term, align=RIGHT,
                   header_tip="Contract term in years",
                   sort=lambda r: _number(r.get("term_years"))),
            Column("WLC", lambda r: money(r["_wlc"], cur(), none="") if r["costs"] else NO_COSTS,
                   align=RIGHT, header_tip="Whole-life cost over the appraisal period",
                   tooltip=self._cost_tip,
                   sort=lambda r: _number(r["_wlc"] if r["costs"] else None)),
            Column("NPV", lambda r: money(r["_npv"], cur(), none="") if r["costs"] else NO_COSTS,
                   align=RIGHT, header_tip="Net present value of the costs",
                   tooltip=self._cost_tip,
                   sort=lambda r: _number(r["_npv"] if r["costs"] else None)),
            Column("Exit cost", lambda r: f"{r['_exit'] * 100:.1f}%" if r["_exit"] is not None
                   else "", align=RIGHT, header_tip="Exit costs as a share of the WLC",
                   sort=lambda r: _number(r["_exit"])),
            Column("Gateways", lambda r: r["_gates"],
                   header_tip="Pass/fail results (record them below, under Gateways)"),
            Column("Tender", lambda r: None, self._edit("tender"),
                   check=lambda r: bool(r.get("tender")), header_tip=TENDER_TIP,
                   tooltip=self._tender_tip),
        ], self._bid_tone, self)
        self.watch(self.bid_model)
        self.table = make_table(self.bid_model, "Bids")
        # a click on a header sorts the bids (their order means nothing); every edit,
        # selection and paste goes through the proxy to the record shown
        self.bid_proxy = sortable(self.table, self.bid_model)
        self.table.setItemDelegateForColumn(2, ChoiceDelegate(
            list(interchange.OPTION_TYPE_LABELS.items()), self.table))
        for col, width in enumerate((44, 300, 120, 44, 60, 100, 100, 64, 110, 58)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setMinimumSectionSize(36)
        keep_name_column(self.table, 1, 220)  # the supplier's name keeps its room
        # the detail follows the selection (what `current_bid` reads), however it moves
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_bid())

        self._make_cost_tables(cur)
        self._make_gateways()

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
        self.detail_title.setWordWrap(True)
        self.detail_title.setFont(bold_font(self.detail_title.font()))
        self.total_label = QLabel()
        self.procedure_note = QLabel()
        self.procedure_note.setWordWrap(True)
        self.procedure_note.setTextFormat(Qt.TextFormat.PlainText)
        self.procedure_note.setAccessibleName("Tenders and other options")

        self._lay_out()
        self.focus_target = self.table
        self.refresh()

    def _make_cost_tables(self, cur: Callable[[], str]) -> None:
        """The selected bid's cost lines (editable, sortable, pasted into) and its costs
        by year."""
        self.cost_model = RecordTableModel([
            Column("Item", lambda r: r["item"], self._edit_line("item")),
            Column("Category", lambda r: r["category"].capitalize(),
                   self._edit_line("category"), edit_value=lambda r: r["category"]),
            Column("Amount per year", lambda r: money(r["amount"], cur(), none=""),
                   self._edit_line("amount"), align=RIGHT, edit_value=lambda r: r["amount"],
                   sort=lambda r: _number(r["amount"])),
            Column("Start year", lambda r: r["start_year"], self._edit_line("start_year"),
                   align=RIGHT, header_tip="Year 0 is the first year",
                   sort=lambda r: _number(r["start_year"])),
            Column("Years", lambda r: r["years"], self._edit_line("years"), align=RIGHT,
                   sort=lambda r: _number(r["years"])),
        ], self)
        self.watch(self.cost_model)
        self.costs = make_table(self.cost_model, "Cost lines")
        self.cost_proxy = sortable(self.costs, self.cost_model)
        self.costs.setItemDelegateForColumn(1, ChoiceDelegate(CATEGORY_LABELS, self.costs))
        for col, width in enumerate((220, 120, 140, 80, 60)):
            self.costs.setColumnWidth(col, width)
        header = self.costs.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        clipboard.install(self.costs, paste=self.paste_lines)
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

    def _make_gateways(self) -> None:
        """The selected bid's pass/fail results, editable in place."""
        self.gateway_model = ToneTableModel([
            Column("Criterion", lambda r: r["id"]),
            Column("Name", lambda r: " ".join(str(r["name"]).split()),
                   tooltip=lambda r: r["name"]),
            Column("Result", lambda r: RESULT_LABELS[r["passed"]], self._edit_result,
                   edit_value=lambda r: {True: "passed", False: "failed"}.get(r["passed"], ""),
                   header_tip="Passed, Failed (the bid is excluded) or Not assessed "
                              "(the bid stays incomplete)"),
            Column("Note", lambda r: " ".join(str(r["note"]).split()), self._edit_note,
                   tooltip=lambda r: r["note"] or None, edit_value=lambda r: r["note"],
                   header_tip="Why: the evidence seen, or what failed"),
        ], self._gate_tone, self)
        self.watch(self.gateway_model)
        self.gateways = make_table(self.gateway_model, "Gateways")
        self.gateways.setItemDelegateForColumn(2, ChoiceDelegate(RESULTS, self.gateways))
        for col, width in enumerate((80, 320, 130)):
            self.gateways.setColumnWidth(col, width)
        self.gateways.setEditTriggers(QTableView.EditTrigger.DoubleClicked
                                      | QTableView.EditTrigger.EditKeyPressed
                                      | QTableView.EditTrigger.AnyKeyPressed)
        self.gateway_title = QLabel()
        self.gateway_title.setTextFormat(Qt.TextFormat.RichText)  # ids and counts only
        self.gateway_title.setWordWrap(True)

    def _lay_out(self) -> None:
        """The bid table above, the selected bid's costs and gateways below."""
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
        dl.addLayout(row, 1)
        dl.addWidget(self.gateway_title)
        dl.addWidget(self.gateways)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setSizes([300, 480])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Bids</h2>"))
        layout.addWidget(self.procedure_note)
        layout.addWidget(self.toolbar)
        if self.banner is not None:
            layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

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
    def lockables(self) -> list[object]:
        return [self.table, self.costs, self.gateways, *self.toolbar.actions(),
                *self.cost_bar.actions()]

    def refresh(self) -> None:
        current = self.current_bid()
        doc = self.document.doc()
        snap = self.document.snapshot()
        years = doc["evaluation"]["appraisal"]["years"]
        gate_ids = list(snap.gate_ids)
        results = {(g["bid"], g["criterion"]): g["passed"] for g in doc["gateways"]}
        rows = []
        for i, b in enumerate(doc["bids"]):
            wlc = float(snap.wlc[i])
            exit_cost = float(year_costs([c for c in b["costs"] if c["category"] == "exit"],
                                         years).sum())
            gates, failed = gateway_summary(b["id"], gate_ids, results)
            rows.append(dict(b, _wlc=wlc, _npv=float(snap.npv[i]),
                             _exit=exit_cost / wlc if wlc > 0 else None, _i=i,
                             _gates=gates, _failed=failed))
        self.bid_model.set_rows(rows)
        self._fit_table(len(rows))
        self.procedure_note.setText(procedure_note(doc))
        row = self.bid_model.row_of(lambda r: r["id"] == current) if current else -1
        select_row(self.table, row if row >= 0 else 0)
        self._show_bid()

    def _fit_table(self, n: int) -> None:
        """The bids table takes the height of its rows (3 to 12), the detail the rest."""
        total = sum(self.splitter.sizes())
        want = (min(max(n, 3), 12) * self.table.verticalHeader().defaultSectionSize()
                + self.table.horizontalHeader().sizeHint().height() + 6)
        if total > want + 300:
            self.splitter.setSizes([want, total - want])

    def _bid_tone(self, row: dict[str, Any], col: int) -> str | None:
        if col in (5, 6) and not row["costs"]:
            return "warn"
        if col == 8 and row["_failed"]:
            return "warn"
        return None

    def _tender_tip(self, row: dict[str, Any]) -> str:
        if row.get("tender"):
            return f"{row['id']} is a supplier's tender: it competes for the award."
        competitive = self.document.doc()["evaluation"].get("procedure") == \
            "competitive_tender"
        return (f"{row['id']} is not a tender: " + (
            "in this competitive tender it is a comparator, scored beside the tenders "
            "but never ranked." if competitive else
            "in this options appraisal it is ranked with the others."))

    def _gate_tone(self, row: dict[str, Any], col: int) -> str | None:
        if col == 2:
            return {False: "warn", None: "muted"}.get(row["passed"])
        return None

    def _cost_tip(self, row: dict[str, Any]) -> str | None:
        if row["costs"]:
            return None
        zero = money(0, self.document.doc()["evaluation"]["currency"])
        return (f"This bid has no cost lines: it counts as costing {zero}, which sets the "
                "lowest price and lowers every other bid's price score. Enter its costs below.")

    def current_bid(self) -> str | None:
        rows = selected_record_rows(self.table)
        if not rows or not 0 <= rows[0] < len(self.bid_model.rows):
            return None
        return self.bid_model.rows[rows[0]]["id"]

    def select(self, bid: str) -> None:
        """Make `bid` the selected bid (Find goes here)."""
        row = self.bid_model.row_of(lambda r: r["id"] == bid)
        if row < 0:
            raise KeyError(bid)
        select_row(self.table, row)

    def _bid(self) -> dict[str, Any] | None:
        bid = self.current_bid()
        return next((r for r in self.bid_model.rows if r["id"] == bid), None)

    def _show_bid(self) -> None:
        b = self._bid()
        self.cost_bar.setEnabled(b is not None)
        self._show_gateways(b)
        if b is None:
            self.detail_title.setText("No bid selected. Add one with Add bid (Ctrl+Shift+B).")
            self.detail_title.setStyleSheet("")
            self.cost_model.set_rows([])
            self.year_model.set_rows([])
            self.total_label.setText("")
            return
        name = " ".join(str(b["supplier"]).split())[:120]
        if b["costs"]:
            self.detail_title.setText(f"Cost lines of {b['id']} {name}")
            self.detail_title.setStyleSheet("")
        else:
            self.detail_title.setText(
                f"{b['id']} {name} has no cost lines yet: add them with Add cost line "
                f"(Ctrl+Shift+L). Until then it counts as costing "
                f"{money(0, self.document.doc()['evaluation']['currency'])} and lowers every "
                "other bid's price score.")
            self.detail_title.setStyleSheet(warning_style(self.palette(), bold=True))
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

    def _show_gateways(self, b: dict[str, Any] | None) -> None:
        doc = self.document.doc()
        gates = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
        if b is None:
            self.gateway_model.set_rows([])
            self.gateway_title.setText("<b>Gateways</b>")
            return
        results = {g["criterion"]: g for g in doc["gateways"] if g["bid"] == b["id"]}
        rows = []
        for c in gates:
            g = results.get(c["id"])
            rows.append({"bid": b["id"], "id": c["id"], "name": c["name"],
                         "passed": None if g is None else g["passed"],
                         "note": "" if g is None else g.get("note") or ""})
        self.gateway_model.set_rows(rows)
        self.gateways.setVisible(bool(rows))
        h = self.gateways.verticalHeader().defaultSectionSize()
        self.gateways.setFixedHeight(self.gateways.horizontalHeader().sizeHint().height()
                                     + min(max(len(rows), 1), 5) * h + 4)
        if not gates:
            self.gateway_title.setText("<b>Gateways</b>: this evaluation has no pass/fail "
                                       "criteria (add them in Criteria, kind Pass/fail).")
            return
        bid = html.escape(b["id"])
        failed = sum(1 for r in rows if r["passed"] is False)
        missing = sum(1 for r in rows if r["passed"] is None)
        state = (f"{bid} failed {plural(failed, 'gateway')} and is excluded" if failed
                 else f"{plural(missing, 'result')} still to record" if missing
                 else f"{bid} passed every gateway")
        self.gateway_title.setText(
            f"<b>Gateways of {bid}</b> (pass/fail criteria): {state}. Choose Passed, Failed "
            "or Not assessed in the Result column (F2 or double-click); a failed gateway "
            "excludes the bid.")

    # ---- edits -----------------------------------------------------------------------
    def _edit_result(self, row: dict[str, Any], value: Any) -> None:
        passed = parse_result(value, f"gateway {row['bid']}/{row['id']}.passed")
        if passed is row["passed"]:
            return
        self.document.set_gateway(row["bid"], row["id"], passed,
                                  row["note"] if passed is not None else "")

    def _edit_note(self, row: dict[str, Any], value: Any) -> None:
        note = str(value).strip()
        if note == row["note"]:
            return
        if row["passed"] is None:
            raise BadInput.one(f"gateway {row['bid']}/{row['id']}.note",
                               "choose Passed or Failed first: a note goes with a result")
        self.document.set_gateway(row["bid"], row["id"], row["passed"], note)

    def _edit(self, field: str) -> Any:
        def edit(row: dict[str, Any], value: Any) -> None:
            self.document.update_bid(row["id"], {field: value})
        return edit

    def _edit_type(self, row: dict[str, Any], value: Any) -> None:
        """A new option type; "Tender" follows it while it still held the old type's
        default (a build is not a tender, a best-of-breed product is), in one step."""
        change: dict[str, Any] = {"option_type": value}
        if value in interchange.OPTION_TYPE_LABELS and bool(row.get("tender")) == \
                interchange.default_tender(str(row["option_type"])):
            change["tender"] = interchange.default_tender(str(value))
        self.document.update_bid(row["id"], change)

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
            # the supplier, then Enter: the option type, the term; then the costs (a
            # bid without them counts as free and skews every price score)
            last = len(self.bid_model.rows) - 1
            select_row(self.table, last)
            edit_across(self.table, last, (1, 2, 4),
                        then=lambda: self.costs.setFocus(Qt.FocusReason.OtherFocusReason))

    def remove_bid(self) -> None:
        b = self._bid()
        if b is None:
            return
        n = self.document.has_scores(bid=b["id"])
        if n and not ask.confirm(self, "Remove bid",
                                 f"Remove {b['id']} {b['supplier'][:80]} with "
                                 f"{plural(n, 'score or result', 'scores and results')} "
                                 "recorded against it? You can undo this (Ctrl+Z)."):
            return
        self.edit(self.document.delete_bid, b["id"], title="Not removed")

    def add_line(self) -> None:
        b = self._bid()
        if b is None:
            return
        costs = [*copy.deepcopy(b["costs"]), {"item": "New cost", "category": "other",
                                              "amount": 0, "start_year": 0, "years": 1}]
        if self.edit(self.document.update_bid, b["id"], {"costs": costs}, title="Not added"):
            self.costs.setCurrentIndex(self.costs.model().index(
                view_row(self.costs, len(costs) - 1), 0))

    def paste_lines(self, block: clipboard.Block) -> bool:
        """Cost lines copied from a spreadsheet (Item, Category, Amount per year, Start
        year, Years; with or without that header row), from the current cell: rows
        past the last are new lines. All checked, then saved as one undoable step."""
        b = self._bid()
        if b is None:
            self.show_problem("Not pasted", "select a bid first")
            return False
        cur = self.costs.currentIndex()
        titles = [[c.title] for c in self.cost_model.columns]
        placed = clipboard.place(block, (max(cur.row(), 0), max(cur.column(), 0)),
                                 len(b["costs"]), len(titles), headers=titles, grow=True)
        costs = copy.deepcopy(b["costs"])
        problems = list(placed.problems)
        fields = ("item", "category", "amount", "start_year", "years")
        shown = len(b["costs"])
        for at, col, text in placed.cells:
            # rows shown sorted are the lines under them; rows past the last are new
            row = source_row(self.costs, at) if at < shown else at
            while row >= len(costs):
                costs.append({"item": "New cost", "category": "other", "amount": 0,
                              "start_year": 0, "years": 1})
            where = f"bid {b['id']}.costs[{row}].{fields[col]}"
            try:
                costs[row][fields[col]] = _cost_cell(fields[col], text, where)
            except BadInput as exc:
                problems.append(ask.problem_text(exc))
        if problems:
            self.show_problem("Not pasted", clipboard.refused_text(problems))
            return False
        return self.edit(self.document.update_bid, b["id"], {"costs": costs},
                         title="Not pasted")

    def remove_line(self) -> None:
        b = self._bid()
        row = current_record_row(self.costs)
        if b is None or not (0 <= row < len(b["costs"])):
            return
        costs = copy.deepcopy(b["costs"])
        del costs[row]
        self.edit(self.document.update_bid, b["id"], {"costs": costs}, title="Not removed")


def _number(value: Any) -> float:
    """A figure's sort key: a missing one sorts last (after every number)."""
    return float("inf") if value is None else float(value)


def _cost_cell(field: str, text: str, where: str) -> Any:
    """One pasted cost-line cell as the line holds it (BadInput naming `where`)."""
    if field == "amount":
        return parse_number(text, where)
    if field in ("start_year", "years"):
        return parse_int(text, where)
    if field == "category":
        value = {label.casefold(): v for v, label in CATEGORY_LABELS}.get(text.casefold())
        if value is None:
            raise BadInput.one(where, f"{text!r} is not one of "
                                      f"{', '.join(label for _v, label in CATEGORY_LABELS)}")
        return value
    return text
