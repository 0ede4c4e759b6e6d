"""Shared service: the partner councils, how each shared bid is split, and who saves what.

Partners (population, baseline annual cost) are edited in place. A bid's
apportionment (equally, by population, or custom percentages) is prepared in the
editor, checked as it is typed (custom shares must add up to 100) and applied as one
undoable edit. The costs and savings below are the shared-service analysis of
docs/analysis.md, as `procure-desk analyse` prints them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from procure_desk import analysis
from procure_desk.errors import BadInput
from procure_desk.interchange import OPTION_TYPE_LABELS
from procure_desk.wording import money, one_line, plural

from .. import ask, clipboard
from ..document import Document
from ..table_model import (
    RIGHT,
    Column,
    RecordTableModel,
    current_record_row,
    natural,
    parse_int,
    parse_number,
    selected_record_rows,
    sortable,
    source_row,
)
from .base import Banner, View
from .bids import make_table
from .common import warning_style

METHODS = [(None, "Not shared"), ("equal", "Equally"), ("population", "By population"),
           ("custom", "Custom shares")]
NO_SHARED_BID = "No shared-service bid: mark a bid's option type as Shared service in Bids"


def offered(bid: dict[str, Any]) -> bool:
    """Whether the split editor offers `bid`: a shared-service bid, or one already split."""
    return bid["option_type"] == "shared_service" or bool(bid.get("apportionment"))


def table(model: RecordTableModel, name: str, stretch: tuple[int, ...] = (1,),
          sort: bool = False) -> QTableView:
    """Fixed row heights as elsewhere; the name columns share the spare width (elided when
    short of it), the figures fit their contents (a handful of partners: cheap). `sort`:
    a click on a header sorts the rows (where their order means nothing)."""
    view = make_table(model, name)
    if sort:
        sortable(view, model)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    for col in range(model.columnCount()):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col in stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return view


class SharedView(View):
    title = "Shared service"
    interests = ("evaluation", "bids", "partners", "criteria", "scores", "consensus",
                 "gateways", "evaluators")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        self.currency = "GBP"
        self.pending: dict[str, Any] = {"method": None, "members": set(), "shares": {}}
        self.loaded_for: tuple[str | None, Any] = (None, None)  # the bid being edited
        self.drafts: dict[str, dict[str, Any]] = {}  # splits typed, not applied, per bid

        # partners
        self.partners_model = RecordTableModel([
            Column("Id", lambda p: p["id"], sort=lambda p: natural(p["id"])),
            Column("Council", lambda p: p["name"], edit=self.edit_name),
            Column("Population", lambda p: f"{p['population']:,.0f}", align=RIGHT,
                   edit=self.edit_population, edit_value=lambda p: p["population"],
                   sort=lambda p: float(p["population"])),
            Column("Baseline cost a year", lambda p: money(p["baseline_annual_cost"],
                                                           self.currency),
                   align=RIGHT, edit=self.edit_baseline,
                   edit_value=lambda p: p["baseline_annual_cost"],
                   header_tip="What the council spends a year today, without the new system",
                   sort=lambda p: float(p["baseline_annual_cost"])),
        ], self)
        self.partners_model.refused.connect(lambda m: self.show_problem("Not changed", m))
        # a click on a header sorts the partners (their order means nothing)
        self.partners_table = table(self.partners_model, "Partner councils", sort=True)
        clipboard.install(self.partners_table, paste=self.paste_partners)
        # mnemonics clear of the menu bar's (File, Edit, View, Help)
        self.add_button = QPushButton("&Add partner")
        self.add_button.clicked.connect(self.add_partner)
        self.remove_button = QPushButton("&Remove partner")
        self.remove_button.clicked.connect(self.remove_partner)

        # apportionment editor
        self.bid_box = QComboBox()
        self.bid_box.setAccessibleName("Shared bid")
        self.bid_box.currentIndexChanged.connect(lambda _: self.load_pending())
        self.method_box = QComboBox()
        self.method_box.setAccessibleName("How the cost is split")
        for value, label in METHODS:
            self.method_box.addItem(label, value)
        self.method_box.currentIndexChanged.connect(self.method_changed)
        self.split_model = RecordTableModel([
            Column("Shares", lambda p: None, check=lambda p: p["id"] in self.pending["members"],
                   edit=self.toggle_member),
            Column("Council", lambda p: f"{p['id']} {one_line(p['name'], 30)}"),
            Column("Population", lambda p: f"{p['population']:,.0f}", align=RIGHT),
            Column("Custom share %", self.custom_text, align=RIGHT, edit=self.edit_share,
                   edit_value=lambda p: self.pending["shares"].get(p["id"], 0.0)),
            Column("Share", lambda p: self.preview().get(p["id"], ""), align=RIGHT),
        ], self)
        self.split_model.refused.connect(lambda m: self.show_problem("Not changed", m))
        self.split_table = table(self.split_model, "Split between partners")
        self.split_check = QLabel()
        self.split_check.setTextFormat(Qt.TextFormat.PlainText)
        self.split_check.setWordWrap(True)
        self.split_check.setAccessibleName("Split check")
        self.apply_button = QPushButton("A&pply split")
        self.apply_button.clicked.connect(self.apply)
        # mnemonics clear of the menu bar's (File, Edit, View, Tools, Help)
        self.revert_button = QPushButton("&Discard changes")
        self.revert_button.setToolTip("Put the split back as it was saved")
        self.revert_button.clicked.connect(self.discard_pending)

        # costs and savings
        self.savings_model = RecordTableModel([
            Column("Bid", lambda r: f"{r['bid']} {one_line(self.supplier(r['bid']), 80)}"),
            Column("Partner", lambda r: f"{r['partner']} {one_line(r['partner_name'], 80)}"),
            Column("Share", lambda r: f"{100 * r['share']:.1f}%", align=RIGHT,
                   sort=lambda r: float(r["share"])),
            Column("Cost", lambda r: money(r["cost"], self.currency), align=RIGHT,
                   sort=lambda r: float(r["cost"])),
            Column("Baseline", lambda r: money(r["baseline"], self.currency), align=RIGHT,
                   sort=lambda r: float(r["baseline"])),
            Column("Saving", lambda r: money(r["saving"], self.currency), align=RIGHT,
                   sort=lambda r: float(r["saving"])),
            Column("Cheaper than going alone?",
                   lambda r: {True: "yes", False: "no", None: "no solo bid"}[r["beats_go_alone"]],
                   tooltip=lambda r: None if r["go_alone_bid"] is None else (
                       f"Going alone: {r['go_alone_bid']} at "
                       f"{money(r['go_alone_cost'], self.currency)}")),
        ], self)
        # which partner saves most: a click on a header sorts (the order means nothing)
        self.savings_table = table(self.savings_model, "Costs and savings per partner",
                                   stretch=(0, 1), sort=True)
        self.basis_label = QLabel()
        self.basis_label.setWordWrap(True)
        self.break_even_label = QLabel()
        self.break_even_label.setTextFormat(Qt.TextFormat.PlainText)
        self.break_even_label.setWordWrap(True)
        self.break_even_label.setAccessibleName("Break-even")

        self._lay_out()

    def _lay_out(self) -> None:
        """Partners and the split above, what each partner pays and saves below."""
        partners_box = QGroupBox("Partner councils")
        pv = QVBoxLayout(partners_box)
        pv.addWidget(self.partners_table)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        pv.addLayout(row)
        split_box = QGroupBox("How a bid's cost is split")
        sv = QVBoxLayout(split_box)
        form = QFormLayout()
        form.addRow("&Bid:", self.bid_box)
        form.addRow("&Split:", self.method_box)
        sv.addLayout(form)
        sv.addWidget(self.split_table)
        sv.addWidget(self.split_check)
        row = QHBoxLayout()
        row.addWidget(self.apply_button)
        row.addWidget(self.revert_button)
        row.addStretch(1)
        sv.addLayout(row)
        top = QSplitter()
        top.addWidget(partners_box)
        top.addWidget(split_box)
        savings_box = QGroupBox("What each partner pays and saves")
        cv = QVBoxLayout(savings_box)
        cv.addWidget(self.basis_label)
        cv.addWidget(self.savings_table, 1)
        cv.addWidget(self.break_even_label)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(top)
        outer.addWidget(savings_box)
        title = QLabel("<h2>Shared service</h2>")
        title.setAccessibleName("Shared service")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if self.banner is not None:
            layout.addWidget(self.banner)
        layout.addWidget(outer, 1)

    # ---- reading -----------------------------------------------------------------------
    def partners(self) -> list[dict[str, Any]]:
        return list(self.document.doc().get("partners", []))

    def supplier(self, bid: str) -> str:
        return next((b["supplier"] for b in self.document.doc()["bids"] if b["id"] == bid), "")

    def current_bid(self) -> dict[str, Any] | None:
        bid = self.bid_box.currentData()
        return next((b for b in self.document.doc()["bids"] if b["id"] == bid), None)

    def lockables(self) -> list[object]:
        return [self.partners_table, self.split_table, self.add_button, self.remove_button,
                self.method_box, self.apply_button, self.revert_button]

    def lock_changed(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        doc = self.document.doc()
        ev = doc["evaluation"]
        self.currency = ev["currency"]
        self.partners_model.set_rows(self.partners())
        chosen = self.bid_box.currentData()
        self.bid_box.blockSignals(True)
        self.bid_box.clear()
        # only a shared-service bid is split; one split before its type changed is
        # offered too, so its split can be seen and taken off
        bids = [b for b in doc["bids"] if offered(b)]
        for b in bids:
            split = b.get("apportionment")
            how = dict(METHODS).get(split["method"], "") if split else "not shared"
            self.bid_box.addItem(f"{b['id']} {one_line(b['supplier'], 40)} · "
                                 f"{OPTION_TYPE_LABELS[b['option_type']]} · {how.lower()}",
                                 b["id"])
        i = self.bid_box.findData(chosen)
        self.bid_box.setCurrentIndex(max(i, 0) if bids else -1)
        self.bid_box.blockSignals(False)
        for w in (self.bid_box, self.split_table):
            w.setEnabled(bool(bids))
        self.method_box.setEnabled(bool(bids) and self.editable)
        self.load_pending()
        self.show_savings()

    def show_savings(self) -> None:
        doc = self.document.doc()
        ap = doc["evaluation"]["appraisal"]
        snap, res = self.document.snapshot(), self.document.results()
        basis = "net present value" if ap["cost_basis"] == "npv" else "whole-life cost"
        self.basis_label.setText(
            f"Costs and baselines over {ap['years']} years as {basis}. A partner's baseline "
            "is its cost a year today, every year. Going alone means paying in full for the "
            "cheapest ranked bid that is not shared.")
        self.savings_model.set_rows(analysis.shared(doc, snap, res))
        lines = []
        for be in analysis.break_even(doc, snap, res):
            if be["go_alone_bid"] is None:
                lines.append(f"{be['bid']}: no ranked bid without sharing to compare with.")
            else:
                alone = (f"going alone ({be['go_alone_bid']}, "
                         f"{money(be['go_alone_cost'], self.currency)})")
                now = _partners_share(be["partners_sharing"])
                if be["partners_needed"] is None:
                    lines.append(f"{be['bid']}: no number of partners makes sharing cheaper "
                                 f"than {alone}; {now} it now.")
                    continue
                lines.append(
                    f"{be['bid']}: sharing beats {alone} once "
                    f"{_partners_share(be['partners_needed'], ' of average size')} it; "
                    f"{now} it now.")
        self.break_even_label.setText(
            "\n".join(lines) if lines else
            "No bid is shared yet: choose a bid above and a way to split it."
            if self.bid_box.count() else f"{NO_SHARED_BID}.")

    # ---- the apportionment editor -------------------------------------------------------
    def dirty(self) -> bool:
        """The editor holds a split not applied yet."""
        bid = self.current_bid()
        return bid is not None and self.loaded_for[0] == bid["id"] and \
            self.pending_apportionment() != _comparable(bid.get("apportionment"),
                                                        self.partners())

    def commit_pending(self) -> list[str]:
        """A split is applied only when asked (Apply split): one typed is only named."""
        bids = dict(self.drafts)
        bid = self.current_bid()
        if bid is not None and self.dirty():
            bids[bid["id"]] = self.pending
        return [f"Shared service: the split typed for {b} (not applied)" for b in bids]

    def discard_pending(self) -> None:
        """Put the chosen bid's saved split back in the editor (Discard changes)."""
        bid = self.current_bid()
        if bid is not None:
            self.drafts.pop(bid["id"], None)
        self.loaded_for = (None, None)
        self.load_pending()

    def load_pending(self) -> None:
        """Fill the editor from the chosen bid's saved apportionment; a split typed for
        it and not applied yet (kept when another bid was chosen, or when the file
        changed meanwhile) is kept instead, and the editor says so."""
        bid = self.current_bid()
        before = self.loaded_for[0]
        if before is not None and (bid is None or bid["id"] != before):
            if self.pending_changed(before):
                self.drafts[before] = self.pending  # chosen another bid: kept
            else:
                self.drafts.pop(before, None)
        elif bid is not None and before == bid["id"] and self.pending_changed(bid["id"]):
            self.update_editor()  # a change elsewhere: the typed split stays
            return
        self.loaded_for = (bid["id"] if bid else None, None)
        if bid is not None and bid["id"] in self.drafts:
            self.pending = self.drafts.pop(bid["id"])
            self.method_box.blockSignals(True)
            self.method_box.setCurrentIndex(self.method_box.findData(self.pending["method"]))
            self.method_box.blockSignals(False)
            self.update_editor()
            return
        app = (bid or {}).get("apportionment")
        ids = [p["id"] for p in self.partners()]
        if app:
            members = set(app.get("partners") or ids)
            self.pending = {"method": app["method"], "members": members,
                            "shares": dict(app.get("shares") or {})}
        else:
            self.pending = {"method": None, "members": set(ids), "shares": {}}
        self.method_box.blockSignals(True)
        self.method_box.setCurrentIndex(self.method_box.findData(self.pending["method"]))
        self.method_box.blockSignals(False)
        self.update_editor()

    def pending_changed(self, bid_id: str) -> bool:
        bid = next((b for b in self.document.doc()["bids"] if b["id"] == bid_id), None)
        if bid is None:
            return False
        return self.pending_apportionment() != _comparable(bid.get("apportionment"),
                                                           self.partners())

    def method_changed(self) -> None:
        before = self.pending["method"]
        self.pending["method"] = self.method_box.currentData()
        if self.pending["method"] == "custom" and not self.pending["shares"]:
            # start from the split shown before, in whole hundredths adding up to 100
            members = [p["id"] for p in self.partners() if p["id"] in self.pending["members"]]
            if members:
                split = analysis.apportion({"method": before or "equal", "partners": members},
                                           self.partners())
                shares = {pid: round(100 * share, 2) for pid, share, _ in split}
                shares[members[-1]] = round(100 - sum(shares[m] for m in members[:-1]), 2)
                self.pending["shares"] = shares
        self.update_editor()

    def toggle_member(self, partner: dict[str, Any], on: bool) -> None:
        (self.pending["members"].add if on else self.pending["members"].discard)(partner["id"])
        QTimer.singleShot(0, self.update_editor)

    def edit_share(self, partner: dict[str, Any], value: Any) -> None:
        share = parse_number(value, f"custom share of {partner['id']}")
        if share < 0:
            raise BadInput.one(f"custom share of {partner['id']}", "must be 0 or more")
        self.pending["shares"][partner["id"]] = share
        self.clear_problem()
        QTimer.singleShot(0, self.update_editor)

    def custom_text(self, partner: dict[str, Any]) -> str:
        if self.pending["method"] != "custom" or partner["id"] not in self.pending["members"]:
            return ""
        return f"{self.pending['shares'].get(partner['id'], 0.0):g}"

    def pending_apportionment(self) -> dict[str, Any] | None:
        method = self.pending["method"]
        if method is None:
            return None
        ids = [p["id"] for p in self.partners()]
        members = [i for i in ids if i in self.pending["members"]]
        app: dict[str, Any] = {"method": method}
        if len(members) < len(ids):
            app["partners"] = members
        if method == "custom":
            app["shares"] = {m: self.pending["shares"].get(m, 0.0) for m in members}
        return app

    def problems(self) -> str:
        """Why the split cannot be applied yet, in plain words ('' when it can)."""
        bid = self.current_bid()
        if bid is None:
            return f"{NO_SHARED_BID}."
        app = self.pending_apportionment()
        if app is None:
            return ""
        if bid["option_type"] != "shared_service":
            return (f"{bid['id']} is {OPTION_TYPE_LABELS[bid['option_type']]}, not a "
                    "shared-service bid: choose Not shared to take its split off, or mark "
                    "it as Shared service in Bids.")
        if not self.partners():
            return "Add the partner councils first."
        members = app.get("partners", [p["id"] for p in self.partners()])
        if not members:
            return "Tick at least one partner council that shares this bid."
        if app["method"] == "custom":
            total = sum(app["shares"].values())
            if abs(total - 100) > 1e-6:
                return f"The custom shares add up to {total:g}%: they must add up to 100%."
        return ""

    def preview(self) -> dict[str, str]:
        app = self.pending_apportionment()
        if app is None or self.problems():
            return {}
        return {pid: f"{100 * share:.1f}%"
                for pid, share, _ in analysis.apportion(app, self.partners())}

    def update_editor(self) -> None:
        self.split_model.set_rows(self.partners())
        problem = self.problems()
        bid = self.current_bid()
        saved = (bid or {}).get("apportionment")
        changed = self.pending_apportionment() != _comparable(saved, self.partners())
        if problem:
            self.split_check.setText(f"⚠ {problem}")
            self.split_check.setStyleSheet(warning_style(self.palette()))
        elif self.pending["method"] is None:
            self.split_check.setText("This bid is not shared: its whole cost falls on one "
                                     "council.")
            self.split_check.setStyleSheet("")
        else:
            self.split_check.setText("The shares add up to 100%." if not changed else
                                     "The shares add up to 100%. Apply to save the split.")
            self.split_check.setStyleSheet("")
        if changed:
            self.split_check.setText(self.split_check.text() + " Not applied yet: kept "
                                     "here for this bid until you apply or discard it.")
        self.apply_button.setEnabled(bid is not None and not problem and changed
                                     and self.editable)
        self.revert_button.setEnabled(changed and self.editable)

    def apply(self) -> None:
        bid = self.current_bid()
        if bid is None or self.problems():
            return
        self.edit(self.document.set_apportionment, bid["id"], self.pending_apportionment(),
                  title="Split not saved")

    # ---- partner edits -------------------------------------------------------------------
    # Typed cells arrive as text ("1250.50", "12,500") and are parsed here; a refusal
    # (BadInput) is shown in the banner with its reason, and the next good edit clears it.
    def edit_name(self, p: dict[str, Any], value: Any) -> None:
        self.document.update_partner(p["id"], {"name": str(value)})
        self.clear_problem()

    def edit_population(self, p: dict[str, Any], value: Any) -> None:
        self.document.update_partner(p["id"], {"population": parse_int(
            value, f"partner {p['id']}.population")})
        self.clear_problem()

    def edit_baseline(self, p: dict[str, Any], value: Any) -> None:
        self.document.update_partner(p["id"], {"baseline_annual_cost": parse_number(
            value, f"partner {p['id']}.baseline_annual_cost")})
        self.clear_problem()

    def add_partner(self) -> None:
        n = len(self.partners()) + 1
        self.edit(self.document.add_partner, {"name": f"Partner council {n}", "population": 0,
                                              "baseline_annual_cost": 0},
                  title="Partner not added")

    def paste_partners(self, block: clipboard.Block) -> bool:
        """Council names, populations and baseline costs copied from a spreadsheet
        (with or without the header row; rows named by Id when the block has it):
        all checked, then saved as one undoable step, or nothing."""
        # the partners in the order shown (sorted or not): the block lands on what is seen
        view = self.partners_table
        rows = [self.partners_model.rows[source_row(view, r)]
                for r in range(len(self.partners_model.rows))]
        cur = view.currentIndex()
        titles = [[c.title] for c in self.partners_model.columns]
        placed = clipboard.place(block, (max(cur.row(), 0), max(cur.column(), 0)),
                                 len(rows), len(titles), headers=titles,
                                 row_labels=[[p["id"]] for p in rows],
                                 describe=lambda r: f"{rows[r]['id']}; add partners first",
                                 label_column=0)
        problems = list(placed.problems)
        changes: dict[str, dict[str, Any]] = {}
        fields = (None, "name", "population", "baseline_annual_cost")
        for row, col, text in placed.cells:
            p = rows[row]
            field = fields[col]
            where = f"partner {p['id']}.{field or 'id'}"
            try:
                if field is None:
                    if text != p["id"]:
                        problems.append(f"{where}: an id cannot change")
                    continue
                value: Any = (parse_int(text, where) if field == "population" else
                              parse_number(text, where) if field != "name" else text)
            except BadInput as exc:
                problems.append(ask.problem_text(exc))
                continue
            if value != p.get(field):
                changes.setdefault(p["id"], {})[field] = value
        if problems:
            self.show_problem("Not pasted", clipboard.refused_text(problems))
            return False
        if not changes:
            return True
        return self.edit(self.document.update_partners, changes,
                         f"Paste into {len(changes)} partners", title="Not pasted")

    def remove_partner(self) -> None:
        rows = selected_record_rows(self.partners_table)
        row = rows[0] if rows else current_record_row(self.partners_table)
        if not 0 <= row < len(self.partners_model.rows):
            self.show_problem("Nothing removed", "select a partner council first")
            return
        pid = self.partners_model.rows[row]["id"]
        self.edit(self.document.delete_partner, pid, title="Partner not removed")


def _partners_share(n: int, which: str = "") -> str:
    """'1 partner shares', '3 partners of average size share'."""
    return f"{plural(n, 'partner')}{which} {'shares' if n == 1 else 'share'}"


def _comparable(app: dict[str, Any] | None, partners: list[dict[str, Any]]
                ) -> dict[str, Any] | None:
    """A saved apportionment in the editor's form, to tell whether the editor changed it."""
    if not app:
        return None
    ids = [p["id"] for p in partners]
    members = [i for i in ids if i in (app.get("partners") or ids)]
    out: dict[str, Any] = {"method": app["method"]}
    if len(members) < len(ids):
        out["partners"] = members
    if app["method"] == "custom":
        out["shares"] = {m: (app.get("shares") or {}).get(m, 0.0) for m in members}
    return out
