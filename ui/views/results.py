"""Results: the ranking with each bid's status and reasons, section totals as a chart,
the selected bid's per-criterion breakdown, and how price was scored.

While anything a final decision needs is outstanding (docs/governance.md) the
headline names the provisional leader and lists what is outstanding; only a final
result names the preferred bidder.

Every figure comes from `Document.results()` (the engine's `Results` and its
`bid_json`), the same numbers as `procure-desk results --json`; nothing is scored
here. The view listens to every kind of change, so it is current whenever shown.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from procure_desk import interchange
from procure_desk.engine import Results
from procure_desk.wording import money, one_line, plural

from ..document import KINDS, Document
from ..table_model import RIGHT, Column, RecordTableModel, select_row
from .base import Banner, View
from .bids import cost_warnings, make_table
from .common import bold_font, colour_axes, follow_palette
from .scale import score_text

Record = dict[str, Any]
FORMULA_LABELS = {"lowest_relative": "lowest price / this price",
                  "linear_deviation": "1 - (this price - lowest) / lowest"}
STATUS_LABELS = {"ranked": "Ranked", "excluded": "Excluded", "incomplete": "Incomplete",
                 "withdrawn": "Withdrawn", "comparator": "Comparator"}


def ranking_rows(res: Results) -> list[Record]:
    """What `Results.bid_json(i)` says of each bid, less the per-criterion detail
    (read from the same arrays: 60 bids x 100 criteria of dicts per keystroke is
    time the table does not need). The breakdown uses `bid_json` itself."""
    snap = res.snap

    def num(x: Any) -> float | None:
        x = float(x)
        return None if math.isnan(x) else x

    rows = []
    for i, bid in enumerate(snap.bids):
        rows.append({
            "id": bid["id"], "supplier": bid["supplier"], "option_type": bid["option_type"],
            "status": res.status[i], "reasons": list(res.reasons[i]), "rank": res.rank[i],
            "total": num(res.total[i]), "quality": num(res.quality[i]),
            "price": num(res.price[i]), "wlc": float(snap.wlc[i]), "npv": float(snap.npv[i]),
            "sections": {sid: num(res.sections[i, k])
                         for k, sid in enumerate(snap.section_ids)},
            "_i": i})
    return rows


def stretch_first(view: QTableView, widths: tuple[int, ...]) -> None:
    """The first column takes the spare width, so the figures on the right stay in view."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    header.setSectionResizeMode(0, header.ResizeMode.Stretch)


def points(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


class ResultsView(View):
    title = "Results"
    interests = KINDS

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.basis = "npv"
        self.currency = "GBP"
        self.no_costs: set[str] = set()
        cur = lambda: self.currency  # noqa: E731
        self.ranking_model = RecordTableModel([
            Column("Rank", lambda r: r["rank"] or "–", align=RIGHT),
            Column("Bid", lambda r: r["id"]),
            Column("Supplier", lambda r: one_line(r["supplier"], 80),
                   tooltip=lambda r: r["supplier"]),
            Column("Option type", lambda r: interchange.OPTION_TYPE_LABELS.get(
                r["option_type"], r["option_type"])),
            Column("Status", lambda r: STATUS_LABELS.get(r["status"], r["status"])),
            Column("Total", lambda r: points(r["total"]), align=RIGHT,
                   header_tip="Quality plus price, out of 100"),
            Column("Quality", lambda r: points(r["quality"]), align=RIGHT,
                   header_tip="Points from the scored criteria"),
            Column("Price", lambda r: points(r["price"]), align=RIGHT,
                   header_tip="Points from the price criteria"),
            Column("NPV", lambda r: money(r[self.basis], cur(), none="")
                   + (" (no costs)" if r["id"] in self.no_costs else ""), align=RIGHT),
            Column("Reasons", lambda r: "; ".join(r["reasons"]),
                   tooltip=lambda r: "\n".join(r["reasons"]) or None,
                   header_tip="Why a bid is not ranked"),
        ], self)
        self.table = make_table(self.ranking_model, "Ranking")
        for col, width in enumerate((44, 44, 230, 120, 90, 64, 64, 64, 100)):
            self.table.setColumnWidth(col, width)
        # the reasons a bid is not ranked take the spare width (in full as a tooltip)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_bid())

        self.headline, self.outstanding = self._make_headline()
        # bids without costs: they set the lowest price, so every other price score drops
        self.cost_banner = Banner(self, "Bids without costs")
        self.cost_banner.setTextFormat(Qt.TextFormat.PlainText)  # supplier names as typed
        self.cost_banner.setFont(bold_font(self.cost_banner.font()))

        self.chart = QChart()
        self.chart.setTitle("Points by section, ranked bids")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setAccessibleName("Points by section chart")
        self.chart_view.viewport().setAccessibleName("Points by section chart")
        self.chart_view.setMinimumWidth(360)
        self.series: QHorizontalStackedBarSeries | None = None
        self._chart_shape: tuple[list[str], list[str]] = ([], [])

        self.breakdown_title = QLabel()
        self.breakdown_title.setTextFormat(Qt.TextFormat.PlainText)
        self.breakdown_title.setWordWrap(True)
        self.breakdown_model = RecordTableModel([
            Column("Criterion", lambda r: f"{r['id']} {one_line(r['name'], 60)}",
                   tooltip=lambda r: r["name"]),
            Column("Section", lambda r: one_line(r["section"], 30)),
            Column("Weight", lambda r: f"{r['weight']:.2f}%", align=RIGHT,
                   header_tip="Effective weight: its share of the 100 points"),
            Column("Score", lambda r: r["score_text"], align=RIGHT,
                   header_tip="Final score (consensus, else the mean), or the price "
                              "fraction"),
            Column("Points", lambda r: points(r["contribution"]), align=RIGHT,
                   header_tip="Contribution to the total"),
        ], self)
        self.breakdown = make_table(self.breakdown_model, "Breakdown of the selected bid")
        stretch_first(self.breakdown, (300, 150, 70, 64, 64))
        self.price_label = QLabel()
        self.price_label.setTextFormat(Qt.TextFormat.PlainText)
        self.price_label.setWordWrap(True)
        self.price_label.setAccessibleName("Price details")
        self.price_model = RecordTableModel([
            Column("Price criterion", lambda r: f"{r['id']} {one_line(r['name'], 50)}"),
            Column("Formula", lambda r: FORMULA_LABELS.get(r["formula"], r["formula"])),
            Column("Weight", lambda r: f"{r['weight']:.2f}%", align=RIGHT),
            Column("Fraction", lambda r: "" if r["fraction"] is None
                   else f"{r['fraction']:.4f}", align=RIGHT),
            Column("Points", lambda r: points(r["contribution"]), align=RIGHT),
        ], self)
        self.price_table = make_table(self.price_model, "Price scoring of the selected bid")
        stretch_first(self.price_table, (220, 230, 70, 70, 64))
        self.price_table.setMaximumHeight(self.fontMetrics().height() * 6)

        self._lay_out()
        self.focus_target = self.table
        self.refresh()

    def _lay_out(self) -> None:
        """The results table above, the chart and the selected bid's breakdown below."""
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.breakdown_title)
        rl.addWidget(self.breakdown, 1)
        rl.addWidget(self.price_label)
        rl.addWidget(self.price_table)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.chart_view)
        lower.addWidget(right)
        lower.setSizes([520, 680])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([300, 480])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Results</h2>"))
        layout.addWidget(self.headline)
        layout.addWidget(self.outstanding)
        layout.addWidget(self.cost_banner)
        layout.addWidget(splitter, 1)

    def _make_headline(self) -> tuple[QLabel, QLabel]:
        """The headline (leader or preferred bidder) and, under it, what is outstanding."""
        headline = QLabel()
        headline.setTextFormat(Qt.TextFormat.PlainText)
        headline.setWordWrap(True)
        headline.setAccessibleName("Headline")
        font = headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        headline.setFont(font)
        outstanding = QLabel()
        outstanding.setTextFormat(Qt.TextFormat.PlainText)
        outstanding.setWordWrap(True)
        outstanding.setAccessibleName("What is outstanding")
        outstanding.hide()
        return headline, outstanding

    # ---- refresh -----------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.current_bid()
        res = self.document.results()
        ev = self.document.doc()["evaluation"]
        self.basis = ev["appraisal"]["cost_basis"]
        self.no_costs = {b["id"] for b in self.document.doc()["bids"] if not b["costs"]}
        self.currency = ev["currency"]
        self.ranking_model.columns[8].title = self.basis.upper()
        self.ranking_model.columns[8].header_tip = (
            "Net present value of the costs (the price basis)" if self.basis == "npv"
            else "Whole-life cost (the price basis)")
        bids = ranking_rows(res)
        order = [bids[i] for i in res.ranking]
        order += [b for b in bids if b["rank"] is None]
        self.ranking_model.set_rows(order)
        self._fit_ranking(len(order))
        self._headline(res.winner, order, self.document.outstanding())
        self.cost_banner.show_text("\n".join(
            f"⚠ {w}" for w in cost_warnings(self.document.doc(), res)))
        self._chart(order, res.snap)
        row = self.ranking_model.row_of(lambda r: r["id"] == current) if current else -1
        if self.ranking_model.rows:
            select_row(self.table, row if row >= 0 else 0)
        self._show_bid()

    def _fit_ranking(self, n: int) -> None:
        """The ranking takes the height of its rows (up to 12), the rest goes below."""
        total = sum(self.splitter.sizes())
        want = (min(max(n, 3), 12) * self.table.verticalHeader().defaultSectionSize()
                + self.table.horizontalHeader().height() + 4)
        if total > want + 200:
            self.splitter.setSizes([want, total - want])

    def _headline(self, winner: str | None, order: list[Record],
                  outstanding: list[Record]) -> None:
        ranked = [b for b in order if b["rank"] is not None]
        self.outstanding.setVisible(bool(outstanding))
        self.outstanding.setText(
            "Provisional: the results are not final while this is outstanding:\n"
            + "\n".join(f"• {r['detail']}" for r in outstanding) if outstanding else "")
        if winner is None or not ranked:
            waiting = {s: sum(1 for b in order if b["status"] == s)
                       for s in ("incomplete", "excluded")}
            self.headline.setText(
                "No bid can be ranked yet: "
                f"{waiting['incomplete']} incomplete, {waiting['excluded']} excluded. "
                "The reasons are in the table." if order else "No bids yet.")
            return
        w = ranked[0]
        word = "Provisional leader" if outstanding else "Preferred bidder"
        text = (f"{word}: {w['id']} {one_line(w['supplier'], 60)} with "
                f"{points(w['total'])} points")
        if len(ranked) > 1:
            r = ranked[1]
            text += (f", {points(w['total'] - r['total'])} ahead of {r['id']} "
                     f"{one_line(r['supplier'], 60)} ({points(r['total'])})")
        else:
            text += ", the only ranked bid"
        comparators = [b["id"] for b in order if b["status"] == "comparator"]
        not_ranked = len(order) - len(ranked) - len(comparators)
        if not_ranked:
            text += f". {plural(not_ranked, 'bid')} not ranked"
        if comparators:
            what = "is a comparator" if len(comparators) == 1 else "are comparators"
            text += (f". {', '.join(comparators)} {what} (not a tender): scored beside the "
                     "tenders, never ranked")
        self.headline.setText(text + ".")

    def _chart(self, order: list[Record], snap: Any) -> None:
        """One bar set per top-level section, one category per ranked bid (rank 1 on top)."""
        parent = {c["id"]: c.get("parent") for c in snap.criteria}
        tops = [s for s in snap.section_ids if parent.get(s) is None]
        ranked = [b for b in order if b["rank"] is not None][::-1]
        labels = [one_line(f"{sid} {snap.names.get(sid, sid)}", 40) for sid in tops]
        cats = [f"{b['rank']}. {b['id']} {one_line(b['supplier'], 18)}" for b in ranked]
        values = [[float(b["sections"].get(sid) or 0.0) for b in ranked] for sid in tops]
        if (labels, cats) == self._chart_shape and self.series is not None:
            # the same bars: change their lengths in place (a typed score's usual case)
            for bar, vals in zip(self.series.barSets(), values):
                for k, v in enumerate(vals):
                    if bar.at(k) != v:
                        bar.replace(k, v)
            return
        self._chart_shape = (labels, cats)
        # the legend elides long section names: hovering the chart shows them whole
        self.chart_view.setToolTip("\n".join(
            [f"{sid} {snap.names.get(sid, sid)}" for sid in tops]
            + [f"{b['rank']}. {b['id']} {one_line(b['supplier'], 120)}" for b in ranked[::-1]]))
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        follow_palette(chart, self.palette())  # before the bars take the theme's colours
        series = QHorizontalStackedBarSeries()
        for label, vals in zip(labels, values):
            bar = QBarSet(label)
            bar.append(vals)
            series.append(bar)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        self.series = series
        cat_axis = QBarCategoryAxis()
        cat_axis.append(cats)
        value_axis = QValueAxis()
        value_axis.setRange(0, 100)
        value_axis.setLabelFormat("%d")
        value_axis.setTitleText("points of 100")
        chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(cat_axis)
        series.attachAxis(value_axis)
        colour_axes(chart, self.palette())

    def current_bid(self) -> str | None:
        i = self.table.currentIndex().row()
        rows = self.ranking_model.rows
        return rows[i]["id"] if 0 <= i < len(rows) else None

    def select(self, bid: str) -> None:
        self.table.selectRow(self.ranking_model.row_of(lambda r: r["id"] == bid))

    # ---- the selected bid ------------------------------------------------------------
    def _show_bid(self) -> None:
        i = self.table.currentIndex().row()
        rows = self.ranking_model.rows
        if not 0 <= i < len(rows):
            self.breakdown_title.setText("Select a bid to see its points by criterion.")
            self.breakdown_model.set_rows([])
            self.price_model.set_rows([])
            self.price_label.setText("")
            return
        b = rows[i]
        snap = self.document.results().snap
        crit = {c["id"]: c for c in snap.criteria}

        def top(cid: str) -> str:
            node = cid
            while crit[node].get("parent"):
                node = crit[node]["parent"]
            return crit[node]["name"] if node != cid else ""

        status = STATUS_LABELS.get(b["status"], b["status"]).lower()
        self.breakdown_title.setText(
            f"Points by criterion: {b['id']} {one_line(b['supplier'], 80)} ({status}"
            + (f", rank {b['rank']}, total {points(b['total'])}" if b["rank"] else "") + ")")
        breakdown, prices = [], []
        detail = self.document.results().bid_json(b["_i"])
        for cid, got in detail["criteria"].items():
            c = crit[cid]
            row = {"id": cid, "name": c["name"], "section": top(cid),
                   "weight": snap.eff.get(cid, 0.0), "contribution": got["contribution"]}
            if c["kind"] == "price":
                row["score_text"] = "" if got["score"] is None else f"{got['score']:.4f}"
                prices.append({**row, "fraction": got["score"],
                               "formula": c.get("formula") or "lowest_relative"})
            else:
                row["score_text"] = "missing" if got["score"] is None else (
                    f"{got['score']:.2f}".rstrip("0").rstrip("."))
            breakdown.append(row)
        self.breakdown_model.set_rows(breakdown)
        self.price_model.set_rows(prices)
        self.price_label.setText(self._price_text(b, rows))

    def _price_text(self, b: Record, rows: list[Record]) -> str:
        ev = self.document.doc()["evaluation"]
        ap = ev["appraisal"]
        basis = ("net present value (NPV) at a discount rate of "
                 f"{score_text(round(ap['discount_rate'] * 100, 6))}%"
                 if self.basis == "npv" else "whole-life cost (WLC)")
        competitive = ev.get("procedure") == "competitive_tender"
        tenders = {x["id"] for x in self.document.doc()["bids"] if x.get("tender")}
        eligible = [r for r in rows if r["status"] not in ("excluded", "withdrawn")
                    and (not competitive or r["id"] in tenders)]
        text = f"Price is scored on the {basis} over {ap['years']} years."
        if eligible:
            low = min(eligible, key=lambda r: r[self.basis])
            lowest = money(low[self.basis], self.currency)
            among = "tenders" if competitive else "bids"
            text += (f" Lowest among {among} not excluded (c_min): {lowest}"
                     f" ({low['id']} {one_line(low['supplier'], 40)}).")
        text += f" This bid: {money(b[self.basis], self.currency)}"
        if b["status"] == "excluded":
            text += ", excluded, so it gets no price points."
        elif b["status"] == "comparator":
            text += (", a comparator: its price is scored against the lowest tender "
                     "(at most full marks), for comparison only.")
        else:
            text += "."
        return text
