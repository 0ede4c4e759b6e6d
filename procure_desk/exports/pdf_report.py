"""The PDF evaluation report (reportlab platypus), A4, for the file and the board.

Supplier and evaluator text goes through `safe_text.para` before any
Paragraph (which reads markup), or into table cells as plain strings (which
reportlab draws as they are). Long tables are LongTables with a repeating
header row, so a 60-bid, 100-criterion evaluation splits across pages quickly.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from pathlib import Path
from typing import Any

from .. import __version__
from ..wording import money
from . import Report, Source, no_report, num, recorded_target
from .safe_text import para, plain_text

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
_FONT_FILES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
)
_fonts_ready = False



def fonts() -> tuple[str, str]:
    """A Unicode TrueType font where the machine has one, else the built-in Helvetica."""
    global _fonts_ready, FONT, FONT_BOLD
    if not _fonts_ready:
        _fonts_ready = True
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for regular, bold in _FONT_FILES:
            if Path(regular).exists() and Path(bold).exists():
                try:
                    pdfmetrics.registerFont(TTFont("PDSans", regular))
                    pdfmetrics.registerFont(TTFont("PDSans-Bold", bold))
                    from reportlab.lib.fonts import addMapping

                    addMapping("PDSans", 0, 0, "PDSans")
                    addMapping("PDSans", 1, 0, "PDSans-Bold")
                    addMapping("PDSans", 0, 1, "PDSans")
                    addMapping("PDSans", 1, 1, "PDSans-Bold")
                    FONT, FONT_BOLD = "PDSans", "PDSans-Bold"
                except Exception:  # a damaged font file: keep Helvetica
                    continue
                break
    return FONT, FONT_BOLD


class Kit:
    """Styles and table helpers shared by the report and the assessment summaries."""

    def __init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        font, bold = fonts()
        self.colors = colors
        ss = getSampleStyleSheet()
        self.body = ParagraphStyle("pd-body", parent=ss["BodyText"], fontName=font,
                                   fontSize=9.5, leading=12.5, spaceAfter=4)
        self.small = ParagraphStyle("pd-small", parent=self.body, fontSize=8, leading=10,
                                    spaceAfter=0)
        self.small_bold = ParagraphStyle("pd-small-b", parent=self.small, fontName=bold,
                                         textColor=colors.white)
        self.h1 = ParagraphStyle("pd-h1", parent=ss["Heading1"], fontName=bold, fontSize=16,
                                 leading=20, textColor=colors.HexColor("#1F4E79"),
                                 spaceBefore=6, spaceAfter=8)
        self.h2 = ParagraphStyle("pd-h2", parent=ss["Heading2"], fontName=bold, fontSize=12,
                                 leading=15, textColor=colors.HexColor("#1F4E79"),
                                 spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.title = ParagraphStyle("pd-title", parent=self.h1, fontSize=24, leading=30,
                                    spaceAfter=14)
        self.font, self.bold = font, bold

    def p(self, text: Any, style: Any = None) -> Any:
        """A Paragraph of user text (escaped)."""
        from reportlab.platypus import Paragraph

        return Paragraph(para(text), style or self.body)

    def m(self, markup: str, style: Any = None) -> Any:
        """A Paragraph of our own markup (callers escape any user text inside it)."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup, style or self.body)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float],
              align_right: tuple[int, ...] = (), zebra: bool = True,
              extra: list[tuple[Any, ...]] | None = None) -> Any:
        """A LongTable whose header repeats on every page.

        A table of more than CHUNK_ROWS rows is laid out as consecutive tables of
        CHUNK_ROWS rows, each with the header: reportlab splits a table across pages
        by re-measuring every row left after each page, so one table of n rows takes
        time in n squared (minutes for a few thousand rows), and chunks keep it linear.
        Row-wise `extra` commands go to the chunk holding their rows.
        """
        if len(rows) <= CHUNK_ROWS:
            return self._table(header, rows, widths, align_right, zebra, extra or [])
        parts = []
        for start in range(0, len(rows), CHUNK_ROWS):
            end = min(start + CHUNK_ROWS, len(rows))
            parts.append(self._table(header, rows[start:end], widths, align_right, zebra,
                                     _rows_of(extra or [], start, end)))
        return _consecutive(parts)

    def _table(self, header: list[str], rows: list[list[Any]], widths: list[float],
               align_right: tuple[int, ...], zebra: bool,
               extra: list[tuple[Any, ...]]) -> Any:
        from reportlab.platypus import LongTable

        c = self.colors
        data = [[self.m(f"<b>{h}</b>", self.small_bold) if len(h) > 14 else h
                 for h in header], *rows]
        style = [
            ("FONT", (0, 0), (-1, -1), self.font, 8),
            ("FONT", (0, 0), (-1, 0), self.bold, 8),
            ("BACKGROUND", (0, 0), (-1, 0), c.HexColor("#1F4E79")),
            ("TEXTCOLOR", (0, 0), (-1, 0), c.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, c.HexColor("#BBBBBB")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for k in align_right:
            style.append(("ALIGN", (k, 0), (k, -1), "RIGHT"))
        if zebra:
            style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [c.white, c.HexColor("#F2F6FA")]))
        style += extra
        return LongTable(data, colWidths=widths, repeatRows=1, style=style)

    def cell(self, text: Any, limit: int = 0, fit: int = 0) -> Any:
        """A table cell of user text: wrapped, or plain (much quicker) when it fits."""
        s = plain_text(text)
        if limit and len(s) > limit:
            s = s[: limit - 1] + "…"
        if len(s) <= fit and "\n" not in s:
            return s  # a plain cell is drawn as it is, never read as markup
        return self.p(s, self.small)


#: Rows of one table in the story; a longer one is laid out in chunks (Kit.table).
CHUNK_ROWS = 200


def _rows_of(extra: list[tuple[Any, ...]], start: int, end: int) -> list[tuple[Any, ...]]:
    """The style commands of data rows start..end-1 (table rows start+1..end), renumbered
    for a chunk; commands on the header or counted from the end apply to every chunk."""
    out = []
    for cmd in extra:
        (c0, r0), (c1, r1) = cmd[1], cmd[2]
        if r0 < 1 or r1 < 1:
            out.append(cmd)
        elif r0 <= end and r1 > start:
            lo, hi = max(r0, start + 1) - start, min(r1, end) - start
            out.append((cmd[0], (c0, lo), (c1, hi), *cmd[3:]))
    return out


def _consecutive(parts: list[Any]) -> Any:
    """Tables laid out one after another, as one flowable of the story."""
    return _consecutive_type()(parts)


@functools.cache
def _consecutive_type() -> type:
    from reportlab.platypus.flowables import Flowable

    class Consecutive(Flowable):
        """Never placed whole: asked to split, it gives what of its first table fits
        (all of it, or the table's own split) followed by the other tables."""

        def __init__(self, parts: list[Any]) -> None:
            super().__init__()
            self.parts = parts

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return avail_width, avail_height + 1

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            first, rest = self.parts[0], self.parts[1:]
            if first.wrapOn(self.canv, avail_width, avail_height)[1] <= avail_height:
                return [first, *rest]
            pieces = first.splitOn(self.canv, avail_width, avail_height)
            return [*pieces, *rest] if pieces else []

        def draw(self) -> None:  # never placed: split always
            pass

    return Consecutive


def build_doc(target: Path, title: str, author: str, *, keywords: str = "",
              subject: str = "") -> Any:
    """An A4 document; `keywords` (the audit stamp) goes into the PDF's Info dictionary,
    which is never compressed, so `verify --against` finds it in the raw bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(str(target), pagesize=A4, leftMargin=18 * mm,
                             rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
                             title=plain_text(title), author=plain_text(author),
                             subject=plain_text(subject), keywords=keywords,
                             creator="ProcureDesk")


def numbered_canvas(footer: str, *, stamp: str = "", draft: bool = False) -> Any:
    """A canvas class that writes "footer · Page n of m" on every page, the audit stamp
    beneath it, and while the results are provisional DRAFT across the page and above
    it."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font, bold = fonts()
    text = plain_text(footer)
    if len(text) > 90:
        text = text[:89] + "…"

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            n = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, _h = self._pagesize
                if draft:
                    self._draft()
                self.setFont(font, 7.5)
                self.setFillGray(0.4)
                self.drawString(18 * mm, 10 * mm, text)
                self.drawRightString(w - 18 * mm, 10 * mm,
                                     f"ProcureDesk {__version__} · Page {self._pageNumber} of {n}")
                if stamp:
                    self.setFont(font, 6)
                    self.drawString(18 * mm, 6.5 * mm, stamp)
                super().showPage()
            super().save()

        def _draft(self) -> None:
            """DRAFT faintly across the page and plainly above it."""
            w, h = self._pagesize
            self.saveState()
            self.setFillColorRGB(0.75, 0, 0)
            self.setFont(bold, 8)
            self.drawCentredString(w / 2, h - 10 * mm,
                                   "DRAFT: provisional results, not a decision to award")
            self.setFillAlpha(0.08)
            self.translate(w / 2, h / 2)
            self.rotate(50)
            self.setFont(bold, 130)
            self.drawCentredString(0, -45, "DRAFT")
            self.restoreState()

    return NumberedCanvas


def points_chart(kit: Kit, labels: list[str], series: list[tuple[str, list[float]]],
                 width: float, height: float) -> Any:
    """Stacked vertical bars of points by section, one bar per bid; the k-th series in
    the k-th section colour (`palette`), as in the evidence pack's chart."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String

    from .palette import section_colour

    d = Drawing(width, height)
    ch = VerticalBarChart()
    ch.x, ch.y = 36, 60
    ch.width, ch.height = width - 50, height - 110
    ch.data = [vals for _, vals in series] or [[0] * len(labels)]
    ch.categoryAxis.categoryNames = [plain_text(x)[:12] for x in labels]
    ch.categoryAxis.style = "stacked"
    ch.categoryAxis.labels.angle = 90 if len(labels) > 12 else 0
    ch.categoryAxis.labels.boxAnchor = "e" if len(labels) > 12 else "n"
    ch.categoryAxis.labels.fontName = kit.font
    ch.categoryAxis.labels.fontSize = 6 if len(labels) > 20 else 8
    ch.valueAxis.valueMin = 0
    top = max((sum(v) for v in zip(*ch.data)), default=100) if ch.data and labels else 100
    ch.valueAxis.valueMax = max(10, math.ceil(top / 10) * 10)
    ch.valueAxis.valueStep = 10 if ch.valueAxis.valueMax <= 100 else 20
    ch.valueAxis.labels.fontName = kit.font
    ch.valueAxis.labels.fontSize = 7
    ch.barSpacing = 1
    for k in range(len(ch.data)):
        ch.bars[k].fillColor = kit.colors.HexColor(section_colour(k))
        ch.bars[k].strokeColor = None
    d.add(ch)
    lg = Legend()
    lg.x, lg.y = 36, height - 12
    lg.dx = lg.dy = 7
    lg.fontName = kit.font
    lg.fontSize = 7
    lg.columnMaximum = 2
    lg.deltax = 230
    lg.alignment = "right"
    lg.colorNamePairs = [(kit.colors.HexColor(section_colour(k)),
                          plain_text(name)[:45]) for k, (name, _) in enumerate(series)]
    d.add(lg)
    d.add(String(0, height - 30, "", fontSize=1))
    return d


def write_pdf(source: Source, target: str | Path, *, force: bool = False,
              report: Report = no_report) -> Path:
    """Write the evaluation report to `target` (atomically); returns the path."""
    target = Path(target)
    with recorded_target(source, target, force, "export.pdf") as tmp:
        story = build_story(source, report)
        report(0.8, "Laying out the pages")
        ev = source.ev
        draft = source.provisional
        doc = build_doc(tmp, f"Evaluation report: {ev.get('title', '')}",
                        ev.get("authority", ""), keywords=source.stamp,
                        subject=("DRAFT: provisional results" if draft
                                 else "Evaluation report"))
        doc.build(story, canvasmaker=numbered_canvas(
            f"{ev.get('reference', '')} {ev.get('title', '')} · evaluation report"
            + (" · DRAFT" if draft else ""), stamp=source.stamp, draft=draft))
    report(1.0, f"Wrote {target.name}")
    return target


class _Story:
    """What every section of the report reads, worked out once."""

    def __init__(self, src: Source, kit: Kit) -> None:
        from reportlab.lib.units import mm

        self.src, self.kit = src, kit
        self.doc, self.res, self.rj = src.doc, src.results, src.results_json()
        self.ev = self.doc["evaluation"]
        self.cur = self.ev.get("currency") or "GBP"
        self.snap = self.res.snap
        self.by_id = {b["id"]: b for b in self.doc["bids"]}
        self.rb = {b["id"]: b for b in self.rj["bids"]}
        self.names = {c["id"]: c["name"] for c in self.doc["criteria"]}
        ranked = set(self.res.ranking)
        # ranked bids in rank order, then the others in file order
        self.order = list(self.res.ranking) + [i for i in range(len(self.doc["bids"]))
                                               if i not in ranked]
        self.width = 174 * mm


def build_story(src: Source, report: Report = no_report) -> list[Any]:
    from reportlab.platypus import PageBreak

    from .pdf_governance import ROBUSTNESS_CAVEAT, declarations_section
    from .pdf_robustness import robustness_findings, robustness_section, robustness_summary
    from .xlsx_analysis import analysis_of

    st = _Story(src, Kit())
    kit = st.kit
    story = _cover(st)
    report(0.05, "Writing the executive summary")
    story += _executive_summary(st)
    report(0.08, "Testing the robustness of the decision")
    analysis = analysis_of(src)
    findings = robustness_findings(analysis, {b["id"]: b["supplier"] for b in st.doc["bids"]})
    if st.res.winner:
        verdict = (ROBUSTNESS_CAVEAT if src.provisional
                   else robustness_summary(analysis))
        story.append(kit.m("<b>Robustness.</b> " + para(verdict) + " See section 4."))
    report(0.1, "Writing the methodology")
    story += _methodology(st)
    report(0.2, "Writing the results")
    story += _results(st)
    report(0.22, "Writing the robustness tests")
    story.append(PageBreak())
    story += robustness_section(kit, src, analysis, findings, st.width)
    story.append(PageBreak())
    story += _bid_by_bid(st, report)
    report(0.6, "Writing the moderation record")
    story.append(PageBreak())
    story += _moderation(st)
    report(0.7, "Writing the declarations and the audit")
    story += declarations_section(kit, src, 7)
    story += _audit(st)
    return story


def _cover(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    from .pdf_governance import status_banners

    kit, src, ev = st.kit, st.src, st.ev
    return [Spacer(1, 30 * mm), *status_banners(kit, src), Spacer(1, 6 * mm),
            kit.p(ev.get("authority", ""), kit.h2),
            kit.p(ev.get("title", ""), kit.title),
            kit.m("Evaluation report" + (" (DRAFT)" if src.provisional else ""), kit.h1),
            kit.p(f"Reference: {ev.get('reference', '')}"),
            Spacer(1, 20 * mm),
            kit.p(f"Produced by ProcureDesk {src.version} on {src.exported_at} from the "
                  f"evaluation file {src.path.name}.", kit.small),
            kit.p(f"SHA-256 of that file: {src.sha256}", kit.small),
            kit.p(f"Made from the audit chain as it then stood: {src.stamp}. The command "
                  f"procure-desk verify {src.path.name} --against REPORT checks that the "
                  f"evaluation file still holds that history.", kit.small),
            kit.m("The figures in this report are computed by the same rules as the "
                  "Excel evidence pack, whose formulas let a reader check each one.",
                  kit.small),
            PageBreak()]


def _executive_summary(st: _Story) -> list[Any]:
    from .pdf_governance import outstanding_section

    kit, doc, res, rb, by_id = st.kit, st.doc, st.res, st.rb, st.by_id
    story = [kit.m("1. Executive summary", kit.h1)]
    story += outstanding_section(kit, st.src)
    statuses = Counter(res.status)
    ranking = [st.snap.bid_ids[i] for i in res.ranking]
    if res.winner:
        w = rb[res.winner]
        provisional = st.src.provisional
        lead = ("On the results so far the provisional leader" if provisional
                else "The most advantageous tender")
        text = (f"{lead} is {res.winner} from {by_id[res.winner]['supplier']}, with "
                f"{w['total']:.2f} points of 100 (quality {w['quality']:.2f}, price "
                f"{w['price']:.2f}).")
        if provisional:  # never a recommendation while anything is outstanding
            text += (" This is not a recommendation to award while the items above are "
                     "outstanding.")
        if len(ranking) > 1:
            s = rb[ranking[1]]
            text += (f" It is {w['total'] - s['total']:.2f} points ahead of the second, "
                     f"{ranking[1]} from {by_id[ranking[1]]['supplier']} "
                     f"({s['total']:.2f} points).")
        label = "Provisional leader." if provisional else "Recommendation."
        story.append(kit.m(f"<b>{label}</b> " + para(text)))
    else:
        story.append(kit.m("<b>Recommendation.</b> No bid can be ranked yet: every bid is "
                           "excluded or incomplete (see section 5)."))
    story.append(kit.p(
        f"{len(doc['bids'])} bids were received: {statuses.get('ranked', 0)} ranked, "
        f"{statuses.get('excluded', 0)} excluded and {statuses.get('incomplete', 0)} "
        f"incomplete. {len(doc['evaluators'])} evaluators gave {len(doc['scores'])} scores; "
        f"{len(doc.get('consensus', []))} consensus scores were recorded at moderation, and "
        f"{len(st.rj['flags'])} divergent scores remain flagged without a consensus."))
    if res.winner and len(ranking) > 1:
        margin = rb[ranking[0]]["total"] - rb[ranking[1]]["total"]
        if margin < 2:
            story.append(kit.m("<b>Note.</b> The margin is under 2 points: check the "
                               "robustness tests (section 4) before award."))
    return story


def _methodology(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm

    from .pdf_robustness import PRICE_FORMULAS

    kit, doc, ev, snap = st.kit, st.doc, st.ev, st.snap
    story = [kit.m("2. Methodology", kit.h1), kit.m(
        "Each criterion's weight is shared among its siblings; a criterion's effective "
        "weight is 100 times the product of the shares along its path. A scored "
        "criterion's final score is the consensus score where moderation recorded one, "
        "otherwise the mean of the scores of evaluators with no declared conflict with "
        "the bid. Its points are final score / scale maximum x effective weight.")]
    depth: dict[str, int] = {}
    rows = []
    for c in doc["criteria"]:
        p = c.get("parent")
        depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
        eff = snap.eff.get(c["id"])
        kind = {"section": "section", "scored": "scored", "price": "price",
                "pass_fail": "gateway"}[c["kind"]]
        rows.append([c["id"], kit.p(("\u00a0\u00a0\u00a0" * depth[c["id"]]) + c["name"],
                                    kit.small), kind,
                     "" if c["kind"] == "pass_fail" else f"{float(c.get('weight') or 0):g}",
                     "" if eff is None else f"{eff:.2f}%",
                     "" if c.get("min_score") is None else f"{c['min_score']:g}"])
    story.append(kit.table(["ID", "Criterion", "Kind", "Weight", "Effective weight",
                            "Min. score"], rows,
                           [14 * mm, 88 * mm, 18 * mm, 14 * mm, 22 * mm, 18 * mm],
                           align_right=(3, 4, 5)))
    scale = ev["scale"]
    desc = scale.get("descriptors") or {}
    story.append(kit.m("Scoring scale", kit.h2))
    line = f"Scores run from 0 to {scale['max']:g} in steps of {scale['step']:g}."
    if desc:
        line += " " + "; ".join(f"{k} {v}" for k, v in sorted(desc.items(),
                                                            key=lambda kv: float(kv[0])))
    story.append(kit.p(line))
    appr = ev["appraisal"]
    story.append(kit.m("Price", kit.h2))
    basis = "net present value" if appr["cost_basis"] == "npv" else "whole-life cost"
    for c in doc["criteria"]:
        if c["kind"] == "price":
            f = c.get("formula") or "lowest_relative"
            story.append(kit.p(f"{c['id']} {c['name']}: scored on each bid's {basis} over "
                               f"{appr['years']} years, {PRICE_FORMULAS.get(f, f)}, times "
                               f"the effective weight. Excluded bids score no price points, "
                               f"and the lowest cost is taken among the bids not "
                               f"excluded."))
    story.append(kit.p(f"Costs are summed per year over {appr['years']} years (year 0 is the "
                       f"first); the net present value discounts year y by "
                       f"1 / (1 + {appr['discount_rate']:.2%})^y."))
    from .pdf_governance import methodology_changes_section

    return story + _gateways(st) + methodology_changes_section(kit, st.src)


def _gateways(st: _Story) -> list[Any]:
    kit, doc, ev = st.kit, st.doc, st.ev
    gates = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
    mins = [c for c in doc["criteria"] if c.get("min_score") is not None]
    items = [f"Gateway {g['id']} {g['name']}: a fail excludes the bid." for g in gates]
    items += [f"Minimum score {c['min_score']:g} on {c['id']} {c['name']}: a final score "
              f"below it excludes the bid." for c in mins]
    items.append(f"Moderation: a spread of {ev['moderation']['spread_flag']:g} points or "
                 f"more between evaluators' scores is flagged until a consensus is "
                 f"recorded.")
    items.append("A bid missing a gateway result or a final score is incomplete and is not "
                 "ranked. Ties go to the higher quality score, then the lower cost, then "
                 "the smaller bid id.")
    return [kit.m("Gateways and thresholds", kit.h2)] + [kit.p("• " + x) for x in items]


def _results(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak

    kit, doc, res, snap = st.kit, st.doc, st.res, st.snap
    story = [CondPageBreak(110 * mm), kit.m("3. Results", kit.h1)]
    rows = []
    for i in st.order:
        b = st.rj["bids"][i]
        rows.append([str(b["rank"] or "—"), b["id"], kit.cell(b["supplier"], 120),
                     b["status"], num(b["quality"]), num(b["price"]), num(b["total"]),
                     money(snap.cost_basis[i], st.cur)])
    story.append(kit.table(["Rank", "Bid", "Supplier", "Status", "Quality", "Price", "Total",
                            f"Cost ({st.ev['appraisal']['cost_basis'].upper()})"], rows,
                           [11 * mm, 14 * mm, 62 * mm, 19 * mm, 15 * mm, 15 * mm, 15 * mm,
                            23 * mm], align_right=(4, 5, 6, 7)))
    parent = {c["id"]: c.get("parent") for c in doc["criteria"]}
    tops = [k for k, sid in enumerate(snap.section_ids) if parent.get(sid) is None]
    ranked_i = list(res.ranking)
    if ranked_i and tops:
        story.append(CondPageBreak(95 * mm))
        story.append(kit.m("Points by section, ranked bids in rank order", kit.h2))
        series = [(f"{snap.section_ids[k]} {st.names.get(snap.section_ids[k], '')}",
                   [float(res.sections[i, k]) for i in ranked_i]) for k in tops]
        story.append(points_chart(kit, [snap.bid_ids[i] for i in ranked_i], series,
                                  st.width, 85 * mm))
    return story


def _bid_by_bid(st: _Story, report: Report) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak

    kit, cur, order = st.kit, st.cur, st.order
    story = [kit.m("5. Bid by bid", kit.h1)]
    smax = float(st.ev["scale"]["max"])
    leaves = [c for c in st.doc["criteria"] if c["kind"] in ("scored", "price")]
    for n, i in enumerate(order):
        if n % 5 == 0:
            report(0.25 + 0.35 * n / max(1, len(order)), f"Writing bid {n + 1} of {len(order)}")
        b = st.rj["bids"][i]
        story.append(CondPageBreak(40 * mm))
        story.append(kit.p(f"{b['id']} {b['supplier']}", kit.h2))
        head = (f"Status: {b['status']}" + (f", rank {b['rank']}" if b["rank"] else "") +
                f". Whole-life cost {money(b['wlc'], cur)}; NPV {money(b['npv'], cur)}.")
        if b["total"] is not None:
            head += (f" Quality {b['quality']:.2f} + price {b['price']:.2f} = "
                     f"{b['total']:.2f} points.")
        story.append(kit.p(head))
        for r in b["reasons"]:
            story.append(kit.p("• " + r, kit.small))
        rows = []
        for c in leaves:
            v = b["criteria"][c["id"]]
            if c["kind"] == "scored":
                score = "—" if v["score"] is None else f"{v['score']:.2f} / {smax:g}"
            else:
                score = "—" if v["score"] is None else f"fraction {v['score']:.4f}"
            rows.append([c["id"], kit.cell(c["name"], 90, fit=48),
                         f"{st.snap.eff[c['id']]:.2f}", score, num(v["contribution"])])
        story.append(kit.table(["ID", "Criterion", "Effective weight", "Final score",
                                "Points"], rows,
                               [16 * mm, 92 * mm, 22 * mm, 26 * mm, 18 * mm],
                               align_right=(2, 3, 4)))
    return story


def _moderation(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm

    kit, res, snap = st.kit, st.res, st.snap
    story = [kit.m("6. Moderation record", kit.h1)]
    cons = st.doc.get("consensus", [])
    sj = {cid: j for j, cid in enumerate(snap.scored_ids)}
    bi = {bid: i for i, bid in enumerate(snap.bid_ids)}
    if cons:
        story.append(kit.p(f"{len(cons)} consensus scores were agreed. The evaluators' own "
                           f"scores are kept in the Excel pack (Scores sheet)."))
        rows = []
        for c in cons:
            i, j = bi[c["bid"]], sj[c["criterion"]]
            m = res.scores.mean[i, j]
            sp = res.scores.spread[i, j]
            rows.append([c["bid"], c["criterion"],
                         "—" if math.isnan(m) else f"{m:.2f}",
                         "—" if math.isnan(sp) else f"{sp:g}", f"{c['score']:g}",
                         kit.cell(c["rationale"], 600)])
        story.append(kit.table(["Bid", "Criterion", "Mean", "Spread", "Consensus",
                                "Rationale"], rows,
                               [14 * mm, 18 * mm, 14 * mm, 14 * mm, 18 * mm, 96 * mm],
                               align_right=(2, 3, 4)))
    else:
        story.append(kit.p("No consensus scores were recorded."))
    flags = st.rj["flags"]
    story.append(kit.m("Divergent scores still flagged", kit.h2))
    if flags:
        rows = [[f["bid"], kit.cell(st.by_id[f["bid"]]["supplier"], 80), f["criterion"],
                 kit.cell(st.names.get(f["criterion"], ""), 80), f"{f['spread']:g}"]
                for f in flags]
        story.append(kit.table(["Bid", "Supplier", "Criterion", "Name", "Spread"], rows,
                               [14 * mm, 60 * mm, 18 * mm, 66 * mm, 16 * mm],
                               align_right=(4,)))
    else:
        story.append(kit.p("None: every divergence of "
                           f"{st.ev['moderation']['spread_flag']:g} points or more has a "
                           "consensus."))
    return story


def _audit(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm

    from .governance import sealed_line

    kit, src = st.kit, st.src
    story = [kit.m("8. Audit summary", kit.h1)]
    story.append(kit.p(f"The evaluation file verified as intact when this report was made "
                       f"(every audit event follows the one before it, and the data are as "
                       f"the last event left them): {src.stamp}."))
    if src.sealed:
        story.append(kit.p(sealed_line(src)))
    audit = src.audit
    if not audit:
        story.append(kit.p("The audit log is empty."))
        return story
    story.append(kit.p(f"{len(audit)} recorded events from {audit[0].at} to "
                       f"{audit[-1].at}, by {len({a.actor for a in audit})} people. "
                       f"The full log is in the Excel pack (Audit sheet)."))
    counts = Counter(a.action for a in audit)
    rows = [[kit.cell(k, 80), str(v)] for k, v in counts.most_common()]
    story.append(kit.table(["Action", "Events"], rows, [120 * mm, 30 * mm],
                           align_right=(1,)))
    story.append(kit.m("Latest events", kit.h2))
    rows = [[a.at, kit.cell(a.actor, 40), kit.cell(a.action, 40),
             kit.cell(f"{a.entity} {a.entity_id}", 60)] for a in audit[-15:]]
    story.append(kit.table(["When", "Who", "Action", "Record"], rows,
                           [44 * mm, 36 * mm, 46 * mm, 48 * mm]))
    return story
