"""Analysis: how sensitive is the ranking to the weights, the price formula and
the other bids?

Switching values as a table and a tornado chart (for each top-level weight, the
range in which today's leader holds), what-if sliders that re-run the scoring live
with other weights, the price-formula and leave-one-out findings in plain words,
and the Monte Carlo win probabilities, simulated in the background.

While the results are provisional (docs/governance.md) the view speaks of the
provisional leader and says the findings describe the scores as they stand: it
never calls a provisional result a decision, let alone a safe one.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from procure_desk import analysis, integrity
from procure_desk.engine import compute
from procure_desk.wording import one_line, plural

from ..document import Document
from ..jobs import Job, run_job
from ..table_model import RIGHT, Column, RecordTableModel
from .base import Banner, View
from .bids import make_table
from .common import colour_axes, follow_palette, is_dark, warning_style

STEPS = 10  # slider steps per percentage point
HOLDS = QColor("#2f6f9f")
HOLDS_UP = QColor("#5b9bd5")
OTHER = QColor("#d9d9d9")
OTHER_DARK = QColor("#5a5a5a")


def pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}%"


def wrapped(text: str) -> QLabel:
    """A heading that wraps on a narrow window instead of widening it."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def verdict_text(verdict: dict[str, Any], names: dict[str, str]) -> str:
    """`integrity.verdict` in words: robust or not, and every reason it gives."""
    if verdict["robust"]:
        return ("Verdict: robust. The results are final, no withdrawal changes the winner, "
                "both price formulas agree, the winner comes first in at least "
                f"{integrity.ROBUST_WIN_SHARE:.0%} of the simulations, and no failed "
                "gateway would change the winner if it were passed.")
    reasons = [r[0].upper() + r[1:] for r in verdict["reasons"]]
    lines = ["Verdict: not robust, because:"] + [f"• {r}" for r in reasons]
    about = [r for r in verdict["reasons"] if not r.startswith("results are provisional")]
    if names and about:
        words = {w.strip(".,:;'s()") for r in about for w in r.replace("'s", " ").split()}
        who = sorted(b for b in names if b in words)
        if who:
            lines.append("(" + "; ".join(f"{b} {one_line(names[b], 40)}" for b in who) + ")")
    return "\n".join(lines)


def leader_words(finding: str) -> str:
    """A finding of `analysis.plain_warnings` in this view's words: the bid ranked
    first is the leader (a winner is what a final decision has)."""
    return (finding.replace("The winner depends", "Which bid comes first depends")
            .replace("would win instead", "would come first instead")
            .replace("would win", "would come first"))


class AnalysisView(View):
    title = "Analysis"
    interests = ("evaluation", "criteria", "bids", "evaluators", "scores", "consensus",
                 "gateways")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.data: dict[str, Any] = {}
        self.provisional = True  # until the first refresh says otherwise
        self.names: dict[str, str] = {}
        self.shares: dict[str, float] = {}
        self.mc_job: Job | None = None
        self.mc_result: dict[str, Any] | None = None

        self.headline = QLabel()
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setAccessibleName("Headline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Verdict")
        self.verdict_result: dict[str, Any] | None = None
        self.findings = QLabel()
        self.findings.setTextFormat(Qt.TextFormat.PlainText)  # supplier names are not markup
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName("Findings")
        self.banner = Banner(self)

        # switching: table and tornado chart
        self.switching_model = RecordTableModel([
            Column("Criterion", lambda e: f"{e['node']} {one_line(e['name'], 60)}",
                   tooltip=lambda e: f"{e['node']} {e['name']}"),
            Column("Weight today", lambda e: pct(e["weight"]), align=RIGHT),
            Column("Holds from", lambda e: pct(e["holds_from"]), align=RIGHT,
                   header_tip="The lowest weight at which today's leader stays first"),
            Column("Holds to", lambda e: pct(e["holds_to"]), align=RIGHT,
                   header_tip="The highest weight at which today's leader stays first"),
            Column("First if lower", lambda e: self.who(e["winner_below"]) or "–",
                   tooltip=lambda e: self.beyond(e, "below"),
                   header_tip="Who comes first if this weight falls below the range"),
            Column("First if higher", lambda e: self.who(e["winner_above"]) or "–",
                   tooltip=lambda e: self.beyond(e, "above"),
                   header_tip="Who comes first if this weight rises above the range"),
        ], self)
        # one line per row, fixed heights; names elided to the column, in full as tooltips
        self.switching_table = make_table(self.switching_model, "Switching values")
        self.switching_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.switching_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.switching_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        # the criterion's name takes the spare width; who comes first is elided to 110 px
        # (in full in the tooltip)
        for col, mode in enumerate((header.ResizeMode.Stretch,
                                    *[header.ResizeMode.ResizeToContents] * 3,
                                    header.ResizeMode.Interactive,
                                    header.ResizeMode.Interactive)):
            header.setSectionResizeMode(col, mode)
        for col in (4, 5):
            self.switching_table.setColumnWidth(col, 110)
        self.tornado = QChartView()
        self.tornado.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.tornado.setAccessibleName("Switching values chart")
        self.tornado.viewport().setAccessibleName("Switching values chart")
        self.tornado.setMinimumHeight(220)

        # what-if sliders
        self.sliders: dict[str, QSlider] = {}
        self.slider_labels: dict[str, QLabel] = {}
        self.slider_box = QGroupBox("What if the weights were different?")
        self.slider_grid = QGridLayout(self.slider_box)
        self.what_if_label = QLabel()
        self.what_if_label.setTextFormat(Qt.TextFormat.PlainText)
        self.what_if_label.setWordWrap(True)
        self.what_if_label.setAccessibleName("What-if result")
        self.what_if_top = QLabel()
        self.what_if_top.setTextFormat(Qt.TextFormat.PlainText)
        self.what_if_top.setWordWrap(True)
        self.what_if_top.setAccessibleName("What-if totals")
        self.reset_button = QPushButton("&Back to the evaluation's weights")
        self.reset_button.clicked.connect(self.reset_weights)

        # Monte Carlo
        self.mc_label = QLabel()
        self.mc_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mc_label.setWordWrap(True)
        self.mc_label.setAccessibleName("Monte Carlo")
        self.mc_chart = QChartView()
        self.mc_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.mc_chart.setAccessibleName("Win probability chart")
        self.mc_chart.viewport().setAccessibleName("Win probability chart")
        self.mc_chart.setMinimumHeight(200)

        self._lay_out()
        self.focus_target = self.switching_table

    # ---- helpers ---------------------------------------------------------------------
    def _lay_out(self) -> None:
        """Switching values on the left, what-if and Monte Carlo on the right."""
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(wrapped("<b>Switching values</b>: each top-level weight moved on its "
                             "own, the others keeping their proportions"))
        lv.addWidget(self.switching_table)
        lv.addWidget(self.tornado, 1)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.slider_box)
        rv.addWidget(self.what_if_label)
        rv.addWidget(self.what_if_top)
        row = QHBoxLayout()
        row.addWidget(self.reset_button)
        row.addStretch(1)
        rv.addLayout(row)
        rv.addWidget(wrapped("<b>Monte Carlo</b>: how often each bid wins when weights "
                             "and scores are uncertain"))
        rv.addWidget(self.mc_label)
        rv.addWidget(self.mc_chart, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        title = QLabel("<h2>Analysis</h2>")
        title.setAccessibleName("Analysis")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.headline)
        layout.addWidget(self.verdict)
        layout.addWidget(self.findings)
        if self.banner is not None:
            layout.addWidget(self.banner)
        layout.addWidget(split, 1)

    def who(self, bid: str | None, width: int = 40) -> str:
        if bid is None:
            return ""
        return f"{bid} {one_line(self.names.get(bid, ''), width)}".strip()

    def beyond(self, e: dict[str, Any], side: str) -> str:
        """A switching row's winner beyond one end of the range, in words (a tooltip)."""
        bid = e[f"winner_{side}"]
        edge = e["holds_from"] if side == "below" else e["holds_to"]
        if bid is None:
            end = "down to 0%" if side == "below" else "up to 100%"
            return f"Today's leader stays first all the way {end}." if edge is not None else ""
        return (f"{bid} {one_line(self.names.get(bid, ''), 200)} comes first if the weight of "
                f"{e['node']} is {'below' if side == 'below' else 'above'} {pct(edge)}.")

    def fit_switching(self) -> None:
        """The switching table shows all its rows (a node each, usually 3 to 6), no more."""
        t = self.switching_table
        rows = min(max(1, self.switching_model.rowCount()), 10)
        t.setFixedHeight(t.horizontalHeader().sizeHint().height()
                         + rows * t.verticalHeader().defaultSectionSize() + 2 * t.frameWidth())

    # ---- refresh ---------------------------------------------------------------------
    def refresh(self) -> None:
        ef = self.document.file
        snap = self.document.snapshot()
        res = self.document.results()
        self.names = {b["id"]: b["supplier"] for b in snap.bids}
        self.provisional = self.document.provisional()
        self.data = {
            "winner": res.winner,
            "switching": analysis.switching(snap, res),
            "formulas": analysis.formulas(snap, res),
            "leave_one_out": analysis.leave_one_out(snap, res),
            "exclusions": integrity.exclusions(snap, res),
        }
        self.verdict_result = None
        self.verdict.setStyleSheet("")
        self.verdict.setText("Verdict: being worked out (it waits for the simulation)…"
                             if res.winner is not None else "")
        if res.winner is None:
            self.headline.setText("No bid is ranked yet: there is no ranking to test.")
        else:
            word = "Provisional leader" if self.provisional else "Preferred bidder"
            self.headline.setText(f"{word}: {self.who(res.winner)} with "
                                  f"{res.total[res.ranking[0]]:.2f} points")
        self.show_findings()
        self.switching_model.set_rows(self.data["switching"])
        self.fit_switching()
        self.draw_tornado()
        self.build_sliders()
        self.start_monte_carlo(snap, res, ef.revision)

    def show_findings(self) -> None:
        names = {k: one_line(v, 40) for k, v in self.names.items()}
        warnings = [leader_words(w) for w in analysis.plain_warnings(self.data, names)]
        if self.data["winner"] is None:
            self.findings.setText("")
            return
        lines = []
        if self.provisional:
            lines.append("Provisional: the results are not final (see Results for what is "
                         "outstanding), so these findings describe the scores as they stand "
                         "now, not a decision.")
        lines += [f"• {w}" for w in warnings]
        self.findings.setText("\n".join(lines))

    def draw_tornado(self) -> None:
        chart = QChart()
        pal = self.palette()
        follow_palette(chart, pal)  # the theme first: it would recolour the bars after
        chart.setTitle("Weight range in which today's leader stays first")
        chart.setMargins(QMargins(4, 4, 4, 4))
        other = OTHER_DARK if is_dark(pal) else OTHER
        entries = [e for e in self.data["switching"] if e["holds_from"] is not None]
        # the narrowest range first, so the most sensitive weight sits on top
        entries.sort(key=lambda e: e["holds_to"] - e["holds_from"], reverse=True)
        sets = [QBarSet("Another bid first"), QBarSet("Leader holds: below today's weight"),
                QBarSet("Leader holds: above today's weight"), QBarSet("Another bid first ")]
        for s, colour in zip(sets, (other, HOLDS, HOLDS_UP, other)):
            s.setColor(colour)
            s.setBorderColor(colour)
        for e in entries:
            lo, w, hi = e["holds_from"], e["weight"], e["holds_to"]
            for s, v in zip(sets, (lo, w - lo, hi - w, 100 - hi)):
                s.append(max(0.0, v))
        series = QHorizontalStackedBarSeries()
        series.setBarWidth(0.6)
        for s in sets:
            series.append(s)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([f"{e['node']} {one_line(e['name'], 22)} ({e['weight']:.0f}%)"
                       for e in entries])
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat("%d%%")
        axis_x.setTickCount(11)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        colour_axes(chart, pal)
        markers = chart.legend().markers(series)
        if len(markers) == 4:
            markers[3].setVisible(False)  # one legend entry for "another bid first"
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.tornado.setChart(chart)
        # the axis elides long criterion names: hovering the chart shows them whole
        self.tornado.setToolTip("\n".join(
            f"{e['node']} {one_line(e['name'], 200)}: {e['weight']:.1f}% today, the leader "
            f"holds from {pct(e['holds_from'])} to {pct(e['holds_to'])}" for e in entries))

    # ---- what-if sliders -------------------------------------------------------------
    def build_sliders(self) -> None:
        snap = self.document.snapshot()
        today = analysis.top_shares(snap)
        if set(today) != set(self.sliders):
            while self.slider_grid.count():
                item = self.slider_grid.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.sliders.clear()
            self.slider_labels.clear()
            for row, node in enumerate(today):
                name = QLabel(f"{node} {one_line(snap.names.get(node, node), 28)}")
                slider = QSlider(Qt.Orientation.Horizontal)
                slider.setRange(0, 100 * STEPS)
                slider.setPageStep(5 * STEPS)
                slider.setAccessibleName(f"Weight of {node}")
                value = QLabel()
                value.setMinimumWidth(48)
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                slider.valueChanged.connect(lambda v, n=node: self.slider_moved(n, v / STEPS))
                self.slider_grid.addWidget(name, row, 0)
                self.slider_grid.addWidget(slider, row, 1)
                self.slider_grid.addWidget(value, row, 2)
                self.sliders[node] = slider
                self.slider_labels[node] = value
        self.shares = dict(today)
        self.show_shares()
        self.update_what_if()

    def show_shares(self) -> None:
        for node, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(round(self.shares[node] * STEPS))
            slider.blockSignals(False)
            self.slider_labels[node].setText(pct(self.shares[node]))

    def slider_moved(self, node: str, share: float) -> None:
        self.shares = analysis.rebalance(self.shares, node, share)
        self.show_shares()
        self.update_what_if()

    def set_share(self, node: str, share: float) -> None:
        """Move one slider as a user would (tests and keyboard users)."""
        self.sliders[node].setValue(round(share * STEPS))

    def reset_weights(self) -> None:
        self.shares = analysis.top_shares(self.document.snapshot())
        self.show_shares()
        self.update_what_if()

    def update_what_if(self) -> None:
        snap = self.document.snapshot()
        today = self.document.results().winner
        sw, pw = analysis.leaf_weights(snap, self.shares)
        res = compute(snap, scored_w=sw, price_w=pw)
        self.what_if_winner = res.winner
        if res.winner is None:
            self.what_if_label.setText("No bid is ranked.")
            return
        top = ", ".join(f"{self.who(snap.bid_ids[i])} {res.total[i]:.2f}"
                        for i in res.ranking[:3])
        moved = any(abs(self.shares[n] - v) > 0.05
                    for n, v in analysis.top_shares(snap).items())
        self.what_if_top.setText(f"Top three: {top}")
        if res.winner != today:
            self.what_if_label.setText(f"⚠ With these weights the leader changes to "
                                       f"{self.who(res.winner)}.")
            self.what_if_label.setStyleSheet(warning_style(self.palette(), bold=True))
        else:
            lead = "With these weights " if moved else "With today's weights "
            self.what_if_label.setText(f"{lead}{self.who(res.winner)} comes first.")
            self.what_if_label.setStyleSheet("")
        self.reset_button.setEnabled(moved)

    # ---- Monte Carlo in the background -------------------------------------------------
    def busy(self) -> bool:
        """True while the simulation of the current evaluation is still running."""
        return self.mc_result is None and self.mc_job is not None

    def start_monte_carlo(self, snap: Any, res: Any, revision: int) -> None:
        if self.mc_job is not None:
            self.mc_job.cancel()
        self.mc_result = None
        draws = analysis.DEFAULT_DRAWS
        self.mc_label.setText(f"Simulating {draws:,} draws…")

        def work(progress: Any) -> dict[str, Any]:
            # the snapshot and results are not changed by later edits (new ones are made)
            return analysis.monte_carlo(snap, res, draws=draws, seed=analysis.DEFAULT_SEED)

        def done(result: dict[str, Any]) -> None:
            if not shiboken6.isValid(self.mc_chart):
                return  # the view was closed while the simulation ran
            if revision != self.document.revision:
                return  # an edit arrived meanwhile; a newer run is on its way
            self.show_monte_carlo(result)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self.mc_label):
                self.mc_label.setText(f"The simulation failed: {exc}")
                if revision == self.document.revision:
                    self.mc_job = None  # nothing more is coming: not busy

        self.mc_job = run_job(self, "Monte Carlo", work, done, show_dialog=False,
                              on_failure=failed)

    def show_monte_carlo(self, result: dict[str, Any]) -> None:
        self.mc_result = result
        probs = sorted(result["win_probability"].items(), key=lambda kv: -kv[1])
        shown = [(b, p) for b, p in probs if p > 0][:10]
        winner = self.data.get("winner")
        pw = result["win_probability"].get(winner, 0.0) if winner else 0.0
        rest = len(probs) - len(shown)
        self.mc_label.setText(
            f"{result['draws']:,} draws (seed {result['seed']}): today's leader comes "
            f"first in {100 * pw:.1f}% of them. Weights vary by about ±20%, scores by their "
            f"standard error; consensus scores stay fixed."
            + (f" {plural(rest, 'other ranked bid')} never won." if rest and all(
                p == 0 for _, p in probs[len(shown):]) else ""))
        chart = QChart()
        pal = self.palette()
        follow_palette(chart, pal)
        chart.setTitle("Share of draws won")
        chart.setMargins(QMargins(4, 4, 4, 4))
        bars = QBarSet("Win probability")
        bars.setColor(HOLDS)
        for _, p in reversed(shown):
            bars.append(100 * p)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value%")
        series.setLabelsPrecision(3)
        bars.setLabelColor(pal.color(QPalette.ColorRole.WindowText))
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([self.who(b) for b, _ in reversed(shown)])
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat("%d%%")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        colour_axes(chart, pal)
        chart.legend().hide()
        self.mc_chart.setChart(chart)
        self.mc_chart.setToolTip("\n".join(f"{self.who(b, 200)}: {100 * p:.1f}%"
                                           for b, p in shown))
        self.show_verdict(result)

    def show_verdict(self, monte_carlo: dict[str, Any]) -> None:
        """The verdict the report and the workbook give (procure_desk.integrity)."""
        if self.data.get("winner") is None:
            return
        res = self.document.results()
        self.verdict_result = integrity.verdict(
            res, leave_one_out=self.data["leave_one_out"], formulas=self.data["formulas"],
            monte_carlo=monte_carlo, exclusions=self.data["exclusions"])
        self.verdict.setText(verdict_text(self.verdict_result, self.names))
        self.verdict.setStyleSheet("" if self.verdict_result["robust"]
                                   else warning_style(self.palette()))
