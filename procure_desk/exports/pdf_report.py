"""The PDF evaluation report (reportlab platypus), A4, for the file and the board.

A record a records office can keep and an auditor can follow: fonts embedded, title,
author, subject and language set, a bookmark for every section and bid, the security
marking on every page, a sign-off block, and the decision's integrity (the one verdict
of `integrity.verdict`) said in words. The machinery shared with the assessment
summaries (`Kit`, `build_doc`, `numbered_canvas`) lives in `pdf_base` and is
importable from here too.

Supplier and evaluator text goes through `pdf_fonts.markup` before any Paragraph
(which reads markup), or into table cells as plain strings (which reportlab draws as
they are). Long tables are chunked LongTables with a repeating header row, so the
time grows with the rows, not their square (docs/evidence.md).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from pathlib import Path
from typing import Any

from ..report_text import decisive_tie
from ..wording import money, plural
from . import Report, Source, no_report, num, pdf_fonts, recorded_target
from .pdf_base import CHUNK_ROWS, Kit, build_doc, fonts, numbered_canvas, wrapped
from .safe_text import plain_text

__all__ = ["CHUNK_ROWS", "Kit", "build_doc", "build_story", "fonts", "numbered_canvas",
           "points_chart", "write_pdf"]

#: Divergent scores listed in the report, widest first; the evidence pack has every one.
WORST_FLAGS = 100
#: A consensus rationale longer than this is cut (…) in the report; the evidence pack's
#: Moderation sheet holds it whole. A table row cannot run over a page.
RATIONALE_LIMIT = 2500
#: Consensus scores listed in the report (10,484 at the input limits take 240 pages);
#: past it those of the bids first in section 5's order; the pack has every one.
CONSENSUS_ROWS = 20_000
log = logging.getLogger(__name__)


def points_chart(kit: Kit, labels: list[str], series: list[tuple[str, list[float]]],
                 width: float, height: float) -> Any:
    """Stacked vertical bars of points by section, one bar per bid; the k-th series in
    the k-th section colour (`palette`), as in the evidence pack's chart. Legend names
    wrap onto a second line rather than being cut."""
    from reportlab.graphics import shapes
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend

    from .palette import section_colour

    # a drawing starts in the graphics' default font: ours, so no font goes unembedded
    shapes.STATE_DEFAULTS["fontName"] = kit.font
    d = shapes.Drawing(width, height)
    ch = VerticalBarChart()
    ch.x, ch.y = 36, 60
    ch.width, ch.height = width - 50, height - 118
    ch.data = [vals for _, vals in series] or [[0] * len(labels)]
    ch.categoryAxis.categoryNames = [_short(x, 12) for x in labels]
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
    lg.x, lg.y = 36, height - 6
    lg.dx = lg.dy = 7
    lg.fontName = kit.font
    lg.fontSize = 7
    lg.columnMaximum = 2
    lg.deltax = 240
    lg.deltay = 18
    lg.alignment = "right"
    lg.colorNamePairs = [(kit.colors.HexColor(section_colour(k)), _legend_name(name, kit.font))
                         for k, (name, _) in enumerate(series)]
    d.add(lg)
    return d


def _legend_name(name: str, font: str) -> str:
    """A legend entry on at most two lines; a longer one ends in an ellipsis."""
    lines = wrapped(pdf_fonts.visual(plain_text(name)), font, 7, 215).split("\n")
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def _short(text: str, n: int) -> str:
    """At most n characters; a cut one ends in an ellipsis."""
    s = plain_text(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def write_pdf(source: Source, target: str | Path, *, force: bool = False,
              report: Report = no_report) -> Path:
    """Write the evaluation report to `target` (atomically); returns the path. Text in a
    script no font on this machine can draw is said in words (in the report and through
    `report`), never left as empty boxes unremarked."""
    target = Path(target)
    with recorded_target(source, target, force, "export.pdf") as tmp:
        story = build_story(source, report)
        report(0.8, "Laying out the pages")
        ev = source.ev
        draft = source.provisional
        doc = build_doc(tmp, f"Evaluation report: {ev.get('title', '')}",
                        ev.get("authority", ""), keywords=source.stamp,
                        subject=(f"{ev.get('reference', '')} evaluation report"
                                 + (" (DRAFT: provisional results)" if draft else "")))
        doc.build(story, canvasmaker=numbered_canvas(
            f"{ev.get('reference', '')} {ev.get('title', '')} · evaluation report"
            + (" · DRAFT" if draft else ""), stamp=source.stamp, draft=draft,
            marking=ev.get("marking")))
    report(1.0, f"Wrote {target.name}")
    return target


def font_warning(src: Source) -> str:
    """A sentence naming the scripts of the evaluation's text that no font here can
    draw, and what to do; "" when every character can be drawn."""
    doc = src.doc
    texts = [doc["evaluation"].get(k) or "" for k in ("title", "authority", "reference")]
    texts += [b["supplier"] for b in doc["bids"]] + [b.get("notes") or "" for b in doc["bids"]]
    texts += [c["name"] for c in doc["criteria"]] + [e["name"] for e in doc["evaluators"]]
    texts += [c.get("rationale") or "" for c in doc.get("consensus", [])]
    texts += [g.get("note") or "" for g in doc.get("gateways", [])]
    scripts = sorted({s for t in texts if not t.isascii() for s in pdf_fonts.missing(t)})
    if not scripts:
        return ""
    return (f"Some text is in a script that no font on this computer can draw "
            f"({', '.join(scripts)}): it shows as empty boxes in this report. Install a "
            f"font that covers it (on Debian or Ubuntu: fonts-droid-fallback or "
            f"fonts-wqy-microhei; on Windows and macOS the system's own CJK fonts) and "
            f"export the report again. The evidence pack holds the text as typed.")


class _Story:
    """What every section of the report reads, worked out once: the bids' figures
    (`pdf_bids.bid_figures`), never the results JSON with its record per bid and
    criterion."""

    def __init__(self, src: Source, kit: Kit) -> None:
        from reportlab.lib.units import mm

        from .pdf_bids import results_figures

        self.src, self.kit = src, kit
        self.doc, self.res = src.doc, src.results
        data = results_figures(self.res)
        self.figures: list[dict[str, Any]] = data["bids"]
        self.ev = self.doc["evaluation"]
        self.cur = self.ev.get("currency") or "GBP"
        self.snap = self.res.snap
        self.by_id = {b["id"]: b for b in self.doc["bids"]}
        self.rb = {b["id"]: b for b in self.figures}
        self.names = {c["id"]: c["name"] for c in self.doc["criteria"]}
        parent = {c["id"]: c.get("parent") for c in self.doc["criteria"]}
        # the top-level sections (and criteria), as positions in snap.section_ids
        self.tops = [k for k, sid in enumerate(self.snap.section_ids)
                     if parent.get(sid) is None]
        ranked = set(self.res.ranking)
        # ranked bids in rank order, then the others in file order
        self.order = list(self.res.ranking) + [i for i in range(len(self.doc["bids"]))
                                               if i not in ranked]
        self.width = 174 * mm
        self.tie = decisive_tie(data, self.ev["appraisal"]["cost_basis"])
        self.flag_count = int(self.res.scores.flagged.sum())

    def who(self, bid: str | None) -> str:
        return "—" if bid is None else f"{bid} {self.by_id[bid]['supplier']}"


def build_story(src: Source, report: Report = no_report) -> list[Any]:
    from reportlab.platypus import PageBreak

    from .pdf_bids import bid_by_bid
    from .pdf_governance import declarations_section
    from .pdf_integrity import final_verdict, integrity_section, sign_off
    from .pdf_robustness import (
        robustness_findings,
        robustness_section,
        robustness_summary,
        verdict_sentence,
    )
    from .xlsx_analysis import analysis_of

    st = _Story(src, Kit())
    kit = st.kit
    warning = font_warning(src)
    if warning:
        log.warning(warning)
        report(0.01, "Warning: " + warning)
    story = _cover(st, warning)
    report(0.05, "Writing the executive summary")
    story += _executive_summary(st)
    report(0.08, "Testing the robustness of the decision")
    analysis = analysis_of(src)
    verdict = final_verdict(analysis, st.tie)
    findings = robustness_findings(analysis, {b["id"]: b["supplier"] for b in st.doc["bids"]})
    if st.res.winner:
        story.append(kit.m("<b>Robustness.</b> " + kit.t(
            robustness_summary(analysis, verdict, src.provisional))
            + " See section 4."))
        story.append(kit.m("<b>Verdict.</b> " + kit.t(verdict_sentence(verdict))))
    story += sign_off(kit, src)
    report(0.1, "Writing the methodology")
    story += _methodology(st)
    report(0.2, "Writing the results")
    story += _results(st)
    report(0.22, "Writing the robustness tests")
    story.append(PageBreak())
    story += robustness_section(kit, src, analysis, findings, verdict,
                                integrity_section(kit, src, analysis, verdict, st.tie, st.who))
    story.append(PageBreak())
    story += bid_by_bid(st, report)
    report(0.6, "Writing the moderation record")
    story.append(PageBreak())
    story += _moderation(st)
    report(0.7, "Writing the declarations and the audit")
    story += declarations_section(kit, src, 7)
    story += _audit(st)
    return story


def _cover(st: _Story, warning: str) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    from .pdf_governance import banner, status_banners

    kit, src, ev = st.kit, st.src, st.ev
    out = [Spacer(1, 26 * mm), *status_banners(kit, src)]
    if warning:
        out += [banner(kit, warning, "#9C5700"), Spacer(1, 3 * mm)]
    return [*out, Spacer(1, 6 * mm),
            kit.p(ev.get("authority", ""), kit.h2),
            kit.p(ev.get("title", ""), kit.title),
            kit.m("Evaluation report" + (" (DRAFT)" if src.provisional else ""), kit.h1),
            kit.p(f"Reference: {ev.get('reference', '')}"),
            kit.p(f"Security marking: {ev.get('marking') or 'OFFICIAL-SENSITIVE: COMMERCIAL'}"
                  f" (at the top and foot of every page)."),
            Spacer(1, 16 * mm),
            kit.p(f"Produced by ProcureDesk {src.version} on {src.exported_at} from the "
                  f"evaluation file {src.path.name}, by {src.actor}.", kit.small),
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

    kit, doc, res, rb = st.kit, st.doc, st.res, st.rb
    story = [kit.heading("1. Executive summary", 0, key="s1")]
    story += outstanding_section(kit, st.src)
    statuses = Counter(res.status)
    ranking = [st.snap.bid_ids[i] for i in res.ranking]
    if res.winner:
        w = rb[res.winner]
        provisional = st.src.provisional
        lead = ("On the results so far the provisional leader" if provisional
                else "The most advantageous tender")
        text = (f"{lead} is {res.winner} from {st.by_id[res.winner]['supplier']}, with "
                f"{w['total']:.2f} points of 100 (quality {w['quality']:.2f}, price "
                f"{w['price']:.2f}).")
        if provisional:  # never a recommendation while anything is outstanding
            text += (" This is not a recommendation to award while the items above are "
                     "outstanding.")
        if len(ranking) > 1:
            s = rb[ranking[1]]
            text += (f" It is {w['total'] - s['total']:.2f} points ahead of the second, "
                     f"{ranking[1]} from {st.by_id[ranking[1]]['supplier']} "
                     f"({s['total']:.2f} points).")
        label = "Provisional leader." if provisional else "Recommendation."
        story.append(kit.m(f"<b>{label}</b> " + kit.t(text)))
        if st.tie and st.tie["printed"]:
            story.append(kit.m("<b>A tie.</b> " + kit.t(st.tie["sentence"])))
    else:
        story.append(kit.m("<b>Recommendation.</b> No bid can be ranked yet: every bid is "
                           "excluded or incomplete (see section 5)."))
    parts = [f"{statuses.get('ranked', 0)} ranked", f"{statuses.get('excluded', 0)} excluded",
             f"{statuses.get('incomplete', 0)} incomplete"]
    if statuses.get("comparator"):  # options that are not tenders, in a competitive tender
        parts.append(plural(statuses["comparator"], "comparator") + " (not tenders)")
    story.append(kit.p(
        f"{len(doc['bids'])} bids were received: {', '.join(parts[:-1])} and {parts[-1]}"
        + f". {len(doc['evaluators'])} evaluators gave {len(doc['scores'])} scores; "
        f"{len(doc.get('consensus', []))} consensus scores were recorded at moderation, and "
        f"{st.flag_count} divergent scores remain flagged without a consensus."))
    if res.winner and len(ranking) > 1:
        margin = rb[ranking[0]]["total"] - rb[ranking[1]]["total"]
        if margin < 2:
            story.append(kit.m("<b>Note.</b> The margin is under 2 points: check the "
                               "robustness tests (section 4) before award."))
    return story


def _methodology(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak

    from .pdf_robustness import PRICE_FORMULAS

    kit, doc, ev, snap = st.kit, st.doc, st.ev, st.snap
    story = [PageBreak(), kit.heading("2. Methodology", 0, key="s2"), kit.m(
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
        rows.append([c["id"], kit.cell(("\u00a0\u00a0\u00a0" * depth[c["id"]]) + c["name"],
                                       width=88 * mm), kind,
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
    lowest = ("the lowest cost is taken among the tenders not excluded (other options "
              "are priced against it)" if ev.get("procedure") == "competitive_tender"
              else "the lowest cost is taken among the bids not excluded")
    for c in doc["criteria"]:
        if c["kind"] == "price":
            f = c.get("formula") or "lowest_relative"
            story.append(kit.p(f"{c['id']} {c['name']}: scored on each bid's {basis} over "
                               f"{appr['years']} years, {PRICE_FORMULAS.get(f, f)}, times "
                               f"the effective weight. Excluded bids score no price points, "
                               f"and {lowest}."))
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

    kit, res, snap = st.kit, st.res, st.snap
    story = [CondPageBreak(110 * mm), kit.heading("3. Results", 0, key="s3")]
    rows = []
    for i in st.order:
        b = st.figures[i]
        rows.append([str(b["rank"] or "—"), b["id"], kit.cell(b["supplier"], width=62 * mm),
                     b["status"], num(b["quality"]), num(b["price"]), num(b["total"]),
                     money(snap.cost_basis[i], st.cur)])
    story.append(kit.table(["Rank", "Bid", "Supplier", "Status", "Quality", "Price", "Total",
                            f"Cost ({st.ev['appraisal']['cost_basis'].upper()})"], rows,
                           [11 * mm, 14 * mm, 62 * mm, 19 * mm, 15 * mm, 15 * mm, 15 * mm,
                            23 * mm], align_right=(4, 5, 6, 7)))
    tops = st.tops
    ranked_i = list(res.ranking)
    if ranked_i and tops:
        story.append(CondPageBreak(95 * mm))
        story.append(kit.m("Points by section, ranked bids in rank order", kit.h2))
        series = [(f"{snap.section_ids[k]} {st.names.get(snap.section_ids[k], '')}",
                   [float(res.sections[i, k]) for i in ranked_i]) for k in tops]
        story.append(points_chart(kit, [snap.bid_ids[i] for i in ranked_i], series,
                                  st.width, 85 * mm))
    return story


def _moderation(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm

    kit, res, snap = st.kit, st.res, st.snap
    story = [kit.heading("6. Moderation record", 0, key="s6")]
    cons = st.doc.get("consensus", [])
    sj = {cid: j for j, cid in enumerate(snap.scored_ids)}
    bi = {bid: i for i, bid in enumerate(snap.bid_ids)}
    if cons:
        story.append(kit.p(f"{len(cons):,} consensus scores were agreed. The evaluators' own "
                           f"scores are kept in the Excel pack (Scores sheet)."))
        cut = sum(len(c["rationale"]) > RATIONALE_LIMIT for c in cons)
        if cut:
            story.append(kit.p(
                f"{cut} rationale{'s are' if cut != 1 else ' is'} longer than "
                f"{RATIONALE_LIMIT:,} characters and cut here, ending in …; the evidence "
                f"pack's Moderation sheet holds every rationale in full."))
        shown = _consensus_shown(st, cons, bi, sj)
        if len(shown) < len(cons):
            story.append(kit.p(
                f"The {len(shown):,} consensus scores of the bids first in the order of "
                f"section 5 are listed here; the evidence pack's Moderation sheet holds "
                f"all {len(cons):,}, each with its rationale."))
        rows = []
        for c in shown:
            i, j = bi[c["bid"]], sj[c["criterion"]]
            m = res.scores.mean[i, j]
            sp = res.scores.spread[i, j]
            rows.append([c["bid"], c["criterion"],
                         "—" if math.isnan(m) else f"{m:.2f}",
                         "—" if math.isnan(sp) else f"{sp:g}", f"{c['score']:g}",
                         kit.cell(c["rationale"], RATIONALE_LIMIT, width=96 * mm)])
        story.append(kit.table(["Bid", "Criterion", "Mean", "Spread", "Consensus",
                                "Rationale"], rows,
                               [14 * mm, 18 * mm, 14 * mm, 14 * mm, 18 * mm, 96 * mm],
                               align_right=(2, 3, 4)))
    else:
        story.append(kit.p("No consensus scores were recorded."))
    story += _flags(st)
    return story


def _consensus_shown(st: _Story, cons: list[dict[str, Any]], bi: dict[str, int],
                     sj: dict[str, int]) -> list[dict[str, Any]]:
    """Every consensus score, as recorded; past CONSENSUS_ROWS, the first CONSENSUS_ROWS
    in the order of section 5's bids and then of the criteria."""
    if len(cons) <= CONSENSUS_ROWS:
        return cons
    place = {i: n for n, i in enumerate(st.order)}
    return sorted(cons, key=lambda c: (place[bi[c["bid"]]], sj[c["criterion"]])
                  )[:CONSENSUS_ROWS]


def _flags(st: _Story) -> list[Any]:
    """How many divergent scores are still flagged, and the widest of them: an auditor
    wants the count and the worst cases; the evidence pack lists every one."""
    from reportlab.lib.units import mm

    from .pdf_bids import flagged

    kit = st.kit
    count, bids, shown = flagged(st.res, WORST_FLAGS)
    story = [kit.m("Divergent scores still flagged", kit.h2)]
    if not count:
        story.append(kit.p("None: every divergence of "
                           f"{st.ev['moderation']['spread_flag']:g} points or more has a "
                           "consensus."))
        return story
    if len(shown) < count:
        story.append(kit.p(
            f"{count:,} scores across {bids:,} bids differ between evaluators by "
            f"{st.ev['moderation']['spread_flag']:g} points or more and have no consensus. "
            f"The {len(shown)} widest are listed here; the evidence pack's Moderation sheet "
            f"flags every one."))
    else:
        story.append(kit.p(f"{count} score{'s differ' if count != 1 else ' differs'}"
                           f" between evaluators by {st.ev['moderation']['spread_flag']:g} "
                           f"points or more and {'have' if count != 1 else 'has'} no "
                           f"consensus:"))
    rows = [[f["bid"], kit.cell(st.by_id[f["bid"]]["supplier"], width=60 * mm),
             f["criterion"], kit.cell(st.names.get(f["criterion"], ""), width=66 * mm),
             f"{f['spread']:g}"] for f in shown]
    story.append(kit.table(["Bid", "Supplier", "Criterion", "Name", "Spread"], rows,
                           [14 * mm, 60 * mm, 18 * mm, 66 * mm, 16 * mm],
                           align_right=(4,)))
    return story


def _audit(st: _Story) -> list[Any]:
    from reportlab.lib.units import mm

    from .governance import sealed_line

    kit, src = st.kit, st.src
    story = [kit.heading("8. Audit summary", 0, key="s8")]
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
    rows = [[kit.cell(k, width=120 * mm), str(v)] for k, v in counts.most_common()]
    story.append(kit.table(["Action", "Events"], rows, [120 * mm, 30 * mm],
                           align_right=(1,)))
    story.append(kit.m("Latest events", kit.h2))
    rows = [[a.at, kit.cell(a.actor, width=36 * mm), kit.cell(a.action, width=46 * mm),
             kit.cell(f"{a.entity} {a.entity_id}", width=48 * mm)] for a in audit[-15:]]
    story.append(kit.table(["When", "Who", "Action", "Record"], rows,
                           [44 * mm, 36 * mm, 46 * mm, 48 * mm]))
    return story
