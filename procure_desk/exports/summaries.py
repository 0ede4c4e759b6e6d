"""Assessment summaries: one PDF per assessed bidder (Procurement Act 2023 s.50,
Procurement Regulations 2024 reg. 31).

Each summary holds what the law asks about that bidder's own tender: the
criteria and their weights, the points available, its score and points per
criterion and sub-criterion, the explanation of each score (the moderation
rationale, else its evaluators' comments, unattributed), its totals, and for
an unsuccessful bidder the reasons. It is built from that bid's figures only:
no other supplier's name, id, price, score or comment is ever put in the
story, and the price explanation gives the formula without the lowest price
(which belongs to another bidder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput
from ..wording import money
from . import Report, Source, no_report, num, record_and_place
from .pdf_report import Kit, build_doc, numbered_canvas
from .safe_text import para, safe_filename

PRICE_WORDS = {
    "lowest_relative": "the lowest cost among the tenders not excluded divided by your "
                       "cost",
    "linear_deviation": "1 minus the amount by which your cost exceeds the lowest cost "
                        "among the tenders not excluded, as a fraction of that lowest cost "
                        "(never below 0)",
}


def summary_names(bids: list[dict[str, Any]]) -> dict[str, str]:
    """File name per bid id: safe on Windows, unique even when suppliers' names clash."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for b in bids:
        stem = safe_filename(f"{b['id']} {b['supplier']}", limit=70)
        name = f"Assessment summary {stem}"
        k = 2
        while name.lower() in used:
            name = f"Assessment summary {stem} ({k})"
            k += 1
        used.add(name.lower())
        out[b["id"]] = name + ".pdf"
    return out


def write_summaries(source: Source, folder: str | Path, *, force: bool = False,
                    report: Report = no_report) -> list[Path]:
    """One PDF per bid into `folder` (created if absent); refuses to overwrite without force.

    All or nothing (an `atomic.Batch`): every summary is first written to a hidden
    temporary file beside its target and only renamed into place once all are built.
    Cancelled (`report` raising `Cancelled`), refused or failed (a full disk), the run
    removes its own temporary files (and the folder, if it made it) and leaves the
    folder as it was: no half set of summaries that looks complete, and no earlier
    summary overwritten.
    """
    from . import check_target

    folder = Path(folder)
    check_target(folder, force, folder=True)
    if not folder.parent.exists():
        raise BadInput.one(str(folder), "its folder does not exist")
    names = summary_names(source.doc["bids"])
    targets = {bid: folder / n for bid, n in names.items()}
    bids = source.doc["bids"]
    kit = Kit()  # styles once, not once per bidder
    draft = source.provisional
    with atomic.Batch(targets.values(), force=force, make_folders=True) as batch:
        for n, b in enumerate(bids):
            report(n / max(1, len(bids)), f"Writing the summary for {b['id']}")
            story = build_summary_story(source, b["id"], kit=kit)
            ev = source.ev
            doc = build_doc(batch.part(targets[b["id"]]),
                            f"Assessment summary: {ev.get('title', '')}",
                            ev.get("authority", ""), keywords=source.stamp,
                            subject="DRAFT: provisional results" if draft
                            else "Assessment summary")
            doc.build(story, canvasmaker=numbered_canvas(
                f"{ev.get('reference', '')} · assessment summary for {b['supplier']}"
                + (" · DRAFT" if draft else ""), stamp=source.stamp, draft=draft))
        # the last moment to cancel: after this the summaries are put in place
        report(1.0, f"Saving {len(bids)} assessment summaries")
        record_and_place(source, batch, "export.summaries", folder.name,
                         list(targets.values()))
    return list(targets.values())


def build_summary_story(src: Source, bid_id: str, *, kit: Kit | None = None) -> list[Any]:
    """The flowables of one bidder's summary: that bid's own figures and nothing else."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    kit = kit or Kit()
    doc, res = src.doc, src.results
    ev = doc["evaluation"]
    i = res.snap.bid_ids.index(bid_id)
    bid = doc["bids"][i]
    mine = res.bid_json(i)  # this bid's figures only
    story: list[Any] = [
        kit.p(ev.get("authority", ""), kit.h2),
        kit.m("Assessment summary", kit.title),
        kit.p(f"{ev.get('title', '')} (reference {ev.get('reference', '')})"),
        kit.m(f"<b>For:</b> {para(bid['supplier'])}, tender {para(bid['id'])}"),
        kit.p(f"Issued under section 50 of the Procurement Act 2023 and regulation 31 of "
              f"the Procurement Regulations 2024. Prepared on {src.exported_at[:10]}."),
        kit.p(f"Made from the evaluation's record as it then stood: {src.stamp}.", kit.small),
        Spacer(1, 4 * mm),
    ]
    story[0:0] = _status(kit, src)
    story.append(kit.m("Outcome", kit.h1))
    story += _outcome(kit, src, i, mine)
    story += _your_scores(kit, src, i, mine)
    story += _price(kit, src, i)
    story += _why(kit, src, bid_id)
    return story


def _status(kit: Kit, src: Source) -> list[Any]:
    """DRAFT while the results are provisional (this is not a notice of the outcome);
    who sealed the record and when, once sealed. Nothing about other bids."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from .pdf_governance import banner

    out: list[Any] = []
    if src.provisional:
        out += [banner(kit, "DRAFT: the evaluation's results are provisional, so this "
                            "summary is not a notice of the outcome and must not be sent "
                            "to the bidder as one."), Spacer(1, 3 * mm)]
    if src.sealed:
        from .governance import sealed_line

        out += [banner(kit, sealed_line(src), "#1F4E79"), Spacer(1, 3 * mm)]
    return out


def _outcome(kit: Kit, src: Source, i: int, mine: dict[str, Any]) -> list[Any]:
    """Successful, ranked lower, excluded (and why) or not yet assessed in full; while
    the results are provisional, only where the tender stands so far."""
    res = src.results
    story: list[Any] = []
    status = res.status[i]
    n_ranked = len(res.ranking)
    if src.provisional and status == "ranked":
        story.append(kit.p(f"DRAFT: the results are provisional. On the results so far "
                           f"your tender has {mine['total']:.2f} points of 100 and is "
                           f"ranked {res.rank[i]} of {n_ranked} tenders assessed in full; "
                           f"no tender has been found successful yet."))
    elif status == "ranked" and res.rank[i] == 1:
        story.append(kit.p(f"Your tender is the most advantageous tender and is the "
                           f"successful tender, with {mine['total']:.2f} points of 100."))
    elif status == "ranked":
        story.append(kit.p(f"Your tender was not successful. It scored {mine['total']:.2f} "
                           f"points of 100 and was ranked {res.rank[i]} of {n_ranked} "
                           f"tenders assessed in full: another tender scored higher and is "
                           f"the most advantageous tender."))
    elif status == "excluded" and src.provisional:
        story.append(kit.p("DRAFT: the results are provisional. On the results so far "
                           "your tender is excluded from the award for the following "
                           "reasons, as the tender documents said a tender would be."))
        story += [kit.p("• " + r) for r in mine["reasons"]]
    elif status == "excluded":
        story.append(kit.p("Your tender was not successful: it was excluded from the "
                           "award for the following reasons, as the tender documents "
                           "said a tender would be."))
        story += [kit.p("• " + r) for r in mine["reasons"]]
    else:
        story.append(kit.p("The assessment of your tender is not complete; the following "
                           "items are outstanding."))
        story += [kit.p("• " + r) for r in mine["reasons"]]

    return story


def _your_scores(kit: Kit, src: Source, i: int, mine: dict[str, Any]) -> list[Any]:
    """Every criterion with its weight, this bid's score and points; sections add up."""
    from reportlab.lib.units import mm

    doc, res = src.doc, src.results
    snap = res.snap
    bid_id = snap.bid_ids[i]
    smax = float(doc["evaluation"]["scale"]["max"])
    story: list[Any] = []
    story.append(kit.m("Your scores", kit.h1))
    story.append(kit.p(f"Scores run from 0 to {smax:g}. The points available for a "
                       f"criterion are its effective weight; a scored criterion earns "
                       f"score / {smax:g} x its weight. Section rows add up the "
                       f"criteria beneath them."))
    rows = []
    depth: dict[str, int] = {}
    sec_index = {sid: k for k, sid in enumerate(snap.section_ids)}
    gateways = {x["criterion"]: x for x in src.gateways_of(bid_id)}
    for c in doc["criteria"]:
        p = c.get("parent")
        depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
        # a plain cell when the name fits its column: far quicker than a Paragraph
        name = kit.cell(("\u00a0\u00a0\u00a0" * depth[c["id"]]) + c["name"], fit=44)
        if c["kind"] == "pass_fail":
            g = gateways.get(c["id"])
            rows.append([c["id"], name, "pass/fail", "",
                         "no result" if g is None else ("pass" if g["passed"] else "fail"),
                         ""])
            continue
        eff = snap.eff.get(c["id"], 0.0)
        if c["kind"] == "section":
            sub = res.sections[i, sec_index[c["id"]]]
            rows.append([c["id"], name, f"{eff:.2f}", f"{eff:.2f}", "",
                         "—" if sub != sub else f"{sub:.2f}"])
            continue
        v = mine["criteria"][c["id"]]
        if c["kind"] == "scored":
            score = "—" if v["score"] is None else f"{v['score']:.2f} / {smax:g}"
        else:
            score = "—" if v["score"] is None else f"price {v['score']:.4f}"
        rows.append([c["id"], name, f"{eff:.2f}", f"{eff:.2f}", score,
                     num(v["contribution"])])
    story.append(kit.table(["ID", "Criterion", "Weight (%)", "Points available",
                            "Your score", "Your points"], rows,
                           [14 * mm, 78 * mm, 18 * mm, 20 * mm, 24 * mm, 20 * mm],
                           align_right=(2, 3, 4, 5)))
    if mine["total"] is not None:
        story.append(kit.p(f"Totals: quality {mine['quality']:.2f} + price "
                           f"{mine['price']:.2f} = {mine['total']:.2f} points of 100."))

    return story


def _price(kit: Kit, src: Source, i: int) -> list[Any]:
    """This bid's own costs and how price is scored (without the lowest price)."""
    ev = src.ev
    cur = ev.get("currency") or "GBP"
    snap = src.results.snap
    story: list[Any] = []
    story.append(kit.m("Price", kit.h2))
    appr = ev["appraisal"]
    basis = "net present value" if appr["cost_basis"] == "npv" else "whole-life cost"
    story.append(kit.p(f"Your tender's whole-life cost over {appr['years']} years is "
                       f"{money(float(snap.wlc[i]), cur)}, and its net present value at "
                       f"{appr['discount_rate']:.1%} a year is "
                       f"{money(float(snap.npv[i]), cur)}."))
    for c in src.doc["criteria"]:
        if c["kind"] == "price":
            f = c.get("formula") or "lowest_relative"
            story.append(kit.p(f"{c['id']} {c['name']} is scored on {basis}: the price score "
                               f"is {PRICE_WORDS.get(f, f)}, times the weight. An excluded "
                               f"tender earns no price points."))

    return story


def _why(kit: Kit, src: Source, bid_id: str) -> list[Any]:
    """Each scored criterion's explanation: the moderation rationale, else the
    non-conflicted evaluators' comments, unattributed."""
    from reportlab.platypus import Paragraph

    doc = src.doc
    story: list[Any] = []
    story.append(kit.m("Why each score was given", kit.h1))
    cons = {c["criterion"]: c for c in src.consensus_of(bid_id)}
    conflicted = {e["id"] for e in doc["evaluators"] if bid_id in e.get("conflicts", [])}
    order = {e["id"]: k for k, e in enumerate(doc["evaluators"])}
    comments: dict[str, list[tuple[int, float, str]]] = {}
    for s in src.scores_of(bid_id):
        if s["evaluator"] not in conflicted:
            comments.setdefault(s["criterion"], []).append(
                (order[s["evaluator"]], s["score"], s.get("comment") or ""))
    labelled = _labelled_style(kit, [f"Evaluator {len(v)} (score {sc:g}):"
                                     for v in comments.values() for _, sc, _ in v])
    for c in doc["criteria"]:
        if c["kind"] != "scored":
            continue
        story.append(kit.p(f"{c['id']} {c['name']}", kit.h2))
        if c["id"] in cons:
            k = cons[c["id"]]
            story.append(kit.m(f"<b>Agreed at moderation (score {k['score']:g}):</b> "
                               f"{para(k['rationale'])}"))
        elif comments.get(c["id"]):
            for n, (_, given, text) in enumerate(sorted(comments[c["id"]]), start=1):
                # the label as the paragraph's bullet, the comment in one font: laid out
                # about twice as fast as bold and regular text mixed in one paragraph
                story.append(Paragraph(para(text) if text else "<i>no comment recorded</i>",
                                       labelled, bulletText=f"Evaluator {n} (score {given:g}):"))
        else:
            story.append(kit.m("<i>No score has been recorded for this criterion.</i>"))
    return story


def _labelled_style(kit: Kit, labels: list[str]) -> Any:
    """Body text hanging beside a bold label ("Evaluator 2 (score 3):") wide enough for all."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = kit.body.fontSize
    widest = max((stringWidth(x, kit.bold, size) for x in set(labels)), default=0.0)
    return ParagraphStyle("pd-labelled", parent=kit.body, leftIndent=widest + 6,
                          bulletIndent=0, bulletFontName=kit.bold, bulletFontSize=size)
