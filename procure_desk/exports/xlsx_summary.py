"""The evidence pack's Summary sheet: the decision, the verdict, the parameters and the
ranking, as formulas over the other sheets, each beside ProcureDesk's own figure and
a formula that says whether the two agree.

The verdict is the one of `integrity.verdict` (the app's and the report's): robust
only when the results are final, no withdrawal reverses the winner, both price
formulas agree, the winner wins at least 90% of the simulations and no failed
gateway would change the winner if passed. Whether the results are final and who
wins are formulas here; the other tests come from ProcureDesk's analysis (values)
and hold for the winner it analysed, so the verdict also asks that the workbook's
winner be that bid.
"""

from __future__ import annotations

from typing import Any

from ..wording import column_letter
from . import Report, Source
from .xlsx_governance import outstanding_rows, status_text
from .xlsx_layout import F, Layout, Sheet, Styles, agree, t
from .xlsx_results import RANK, STATUS, TOTAL, _n

ELSEWHERE = ("scores_missing", "not_submitted", "declaration_missing")
ROW_WINNER, ROW_FINAL, ROW_PARAMS, ROW_RANKING = 6, 14, 21, 32
NO_BID = "No bid can be ranked yet: see the Results and Bids sheets"


def summary_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    ev = src.ev
    sh = Sheet(wb, "Summary", st, caps={1: 40, 2: 34})
    sh.title(t(f"Evidence pack: {ev.get('title', '')}"))
    sh.append([t(f"{ev.get('authority', '')}, reference {ev.get('reference', '')}")])
    status = status_text(src)  # row 3: DRAFT, or who sealed the record and when
    font = (st.red_bold if src.provisional else st.blue_bold) if st else None
    sh.append([sh.spill(t(status), font=font)] if status else [])
    _decision(sh, src, lay)
    _verdict_tests(sh, src, lay)
    assert sh.row + 1 == ROW_PARAMS
    _parameters(sh, src, lay)
    sh.blank()
    assert sh.row + 1 == ROW_RANKING
    _ranking(sh, src, lay)
    outstanding_rows(sh, src, st)
    _verdict_reasons(sh, src, lay)


def _head(sh: Sheet, first: str, second: str) -> None:
    sh.header([first, second, "ProcureDesk", "Agrees"])


def _decision(sh: Sheet, src: Source, lay: Layout) -> None:
    """Rows 4-11: the recommendation, winner, totals, margin and verdict."""
    res = src.results
    ids = res.snap.bid_ids
    ranking = res.ranking
    winner = res.winner
    second = ids[ranking[1]] if len(ranking) > 1 else None
    total = {ids[i]: float(res.total[i]) for i in ranking}
    verdict = lay.analysis["verdict"]
    st = sh.st
    bold = st.bold if st else None
    ids, ranks = f"Results!$A$2:$A${lay.last}", lay.col(RANK)
    totals, names = lay.col(TOTAL), f"Results!$B$2:$B${lay.last}"
    w = ROW_WINNER
    _head(sh, "Decision", "This workbook (formulas)")  # row 4
    supplier = f"INDEX({names},MATCH(B{w},{ids},0))"
    rec_pd = (NO_BID if not winner else f"{winner}: {src.supplier(winner)}"
              if src.provisional else f"Award to {winner}: {src.supplier(winner)}")
    label = "Provisional leader" if winner and src.provisional else "Recommendation"
    f = ROW_FINAL
    rows: list[tuple[Any, Any, Any, str]] = [
        (F(f'=IF(AND(B{w}<>"",B{f}="no"),"Provisional leader","Recommendation")', label),
         F(f'=IF(B{w}="","{NO_BID}",IF(B{f}="no",B{w}&": "&{supplier},'
           f'"Award to "&B{w}&": "&{supplier}))', t(rec_pd)), t(rec_pd), ""),
        ("Winner (the bid ranked 1)",
         F(f'=IFERROR(INDEX({ids},MATCH(1,{ranks},0)),"")', t(winner or "")), t(winner or ""), ""),
        ("Its total (points of 100)",
         F(f'=IF(B{w}="","",INDEX({totals},MATCH(1,{ranks},0)))', total.get(winner or "", "")),
         total.get(winner or "", ""), "0.00"),
        ("Runner-up (the bid ranked 2)",
         F(f'=IFERROR(INDEX({ids},MATCH(2,{ranks},0)),"")', t(second or "")), t(second or ""), ""),
        ("Runner-up's total",
         F(f'=IF(B{w + 2}="","",INDEX({totals},MATCH(2,{ranks},0)))', total.get(second or "", "")),
         total.get(second or "", ""), "0.00"),
        ("Margin (points)",
         F(f'=IF(OR(B{w + 1}="",B{w + 3}=""),"",B{w + 1}-B{w + 3})',
           total[winner] - total[second] if winner and second else ""),
         total[winner] - total[second] if winner and second else "", "0.00"),
        ("Verdict", F(f'=IF(AND(B{w}<>"",COUNTIF(B{f}:B{f + 5},"yes")=6),"robust",'
                      f'"not robust")', _robust(verdict)), _robust(verdict), ""),
    ]
    left = st.top if st else None
    for a, b, c, fmt in rows:
        r = sh.row + 1
        sh.append([sh.cell(a, font=bold, align=left),
                   sh.cell(b, font=bold, fmt=fmt or None, align=None if fmt else left),
                   sh.cell(c, fmt=fmt or None, align=None if fmt else left), _agree(sh, r)])
    sh.blank()


def _agree(sh: Sheet, r: int) -> Any:
    return sh.cell(agree(r), align=sh.st.align(horizontal="center") if sh.st else None)


def _robust(verdict: dict[str, Any]) -> str:
    return "robust" if verdict["robust"] else "not robust"


def _verdict_tests(sh: Sheet, src: Source, lay: Layout) -> None:
    """Rows 13-19: each test of the verdict, a formula where the workbook can work it
    out, else ProcureDesk's analysis of the winner it found."""
    data = lay.analysis
    res = src.results
    winner = res.winner
    checks = {o["check"] for o in src.outstanding}
    bool(checks & set(ELSEWHERE))
    flags = "+".join(f'COUNTIF({rng},"FLAG")' for rng in lay.moderation.ranges("M"))
    gates = ""
    if lay.gate_cols:
        g0, g1 = lay.gate_cols
        gates = f',COUNTIF(Bids!${g0}$2:${g1}${lay.last},"No result")>0'
    share = float(data["monte_carlo"].get("win_probability", {}).get(winner, 0.0)
                  if winner else 0.0)

    def yes(ok: bool) -> str:
        return "yes" if ok else "no"

    final = yes(not src.provisional)
    loo = yes(not any(r.get("reversal") for r in data["leave_one_out"]))
    same = yes(len(set(data["formulas"].values())) <= 1)
    mc = yes(share >= 0.9)
    gate = yes(all(e["winner_if_passed"] == winner for e in data["exclusions"]))
    _head(sh, "What the verdict rests on", "Holds")  # row 13
    w, p = ROW_WINNER, ROW_PARAMS
    rows = [
        ("Nothing a decision needs is outstanding (results final)",
         F(f'=IF(OR(B{p + 8}="yes",({flags})>0{gates}),"no","yes")', final),
         final),
        ("The winner is the bid ProcureDesk analysed", F(f'=IF(B{w}=C{w},"yes","no")', "yes"),
         "yes"),
        ("No withdrawal of another bid changes the winner (analysis)", loo, loo),
        ("Both price formulas give the same winner (analysis)", same, same),
        (f"The winner wins at least 90% of the simulations (analysis: {share:.1%})", mc, mc),
        ("No failed gateway, were it a pass, changes the winner (analysis)", gate, gate),
    ]
    for a, b, c in rows:
        r = sh.row + 1
        sh.append([a, b, c, _agree(sh, r)])
    sh.blank()


def _parameters(sh: Sheet, src: Source, lay: Layout) -> None:
    """Rows 21-30: the parameters the formulas read (inputs)."""
    ev = src.ev
    st = sh.st
    scale, appr = ev["scale"], ev["appraisal"]
    checks = {o["check"] for o in src.outstanding}
    sh.append([sh.cell("Parameters (inputs: the formulas read these cells)",
                       font=st.bold if st else None)])  # 21
    sh.append(["Scale maximum", sh.input(scale["max"])])  # 22
    sh.append(["Scale step", sh.input(scale["step"])])  # 23
    sh.append(["Discount rate", sh.input(appr["discount_rate"], fmt="0.0%")])  # 24
    sh.append(["Appraisal years", appr["years"]])  # 25 (the Costs sheet has its columns)
    sh.append(["Cost basis (npv or wlc)", sh.input(appr["cost_basis"])])  # 26
    sh.append(["Score spread that flags", sh.input(ev["moderation"]["spread_flag"])])  # 27
    sh.append(["Procedure (options_appraisal or competitive_tender)",
               sh.input(ev.get("procedure") or "options_appraisal")])  # 28
    sh.append(["Outstanding beyond this workbook (missing scores, submissions, "
               "declarations)", "yes" if checks & set(ELSEWHERE) else "no"])  # 29
    sh.append(["Currency", t(ev.get("currency") or "GBP")])  # 30
    sh.choices(f"B{ROW_PARAMS + 5}", ["npv", "wlc"])
    sh.choices(f"B{ROW_PARAMS + 7}", ["options_appraisal", "competitive_tender"])


def top_sections(src: Source) -> list[int]:
    """Indices (in the engine's section_ids) of the top-level sections, in criteria order."""
    snap = src.results.snap
    parent = {c["id"]: c.get("parent") for c in src.doc["criteria"]}
    return [k for k, sid in enumerate(snap.section_ids) if parent.get(sid) is None]


def _ranking(sh: Sheet, src: Source, lay: Layout) -> None:
    """Every bid, ranked bids first in rank order, the others in the file's order: each
    row finds its bid by the Results sheet's listing key (so it re-sorts on a change)."""
    res = src.results
    snap = res.snap
    st = sh.st
    tops = top_sections(src)
    names = [t(f"{snap.section_ids[k]} {snap.names.get(snap.section_ids[k], '')}")
             for k in tops]
    ncol = 8 + len(tops)
    h = column_letter(ncol)
    first = sh.header(["Rank", "Bid ID", "Supplier", "Total", "Quality", "Price", "Status",
                       *names, "Results row"])
    keys = lay.col(lay.c_key0 + 4)
    order = list(res.ranking) + [i for i in range(lay.nb) if i not in set(res.ranking)]

    def at(col: int, r: int) -> str:
        c = column_letter(col)
        return f"INDEX(Results!${c}$2:${c}${lay.last},${h}{r})"

    for k, i in enumerate(order, start=1):
        r = sh.row + 1
        row = [
            sh.cell(F(f'=IF({at(RANK, r)}="","—",{at(RANK, r)})',
                      res.rank[i] if res.rank[i] is not None else "—"), fmt="0"),
            F(f"={at(1, r)}", t(snap.bid_ids[i])), F(f"={at(2, r)}", t(snap.bids[i]["supplier"])),
            *[sh.cell(F(f"={at(c, r)}", _n(v)), fmt="0.00")
              for c, v in ((TOTAL, res.total[i]), (6, res.quality[i]), (7, res.price[i]))],
            F(f"={at(STATUS, r)}", res.status[i]),
            *[sh.cell(F(f"={at(lay.c_sec0 + s, r)}", _n(res.sections[i, s])), fmt="0.00")
              for s in tops],
            sh.cell(F(f"=MATCH(SMALL({keys},{k}),{keys},0)", i + 1), fmt="0"),
        ]
        sh.append(row)
    if st is not None and res.ranking and tops:
        _chart(sh, first, len(res.ranking), len(tops))


def _chart(sh: Sheet, head: int, n_ranked: int, n_tops: int) -> None:
    """Stacked bars of the ranked bids' points by top-level section, in rank order, in the
    sections' colours (as in the PDF report); they read the ranking table."""
    from .palette import SECTION_COLOURS

    ch = sh.book.wb.add_chart({"type": "column", "subtype": "stacked"})
    last = head + n_ranked - 1  # 0-based rows: the header is row head - 1
    for n in range(n_tops):
        colour = "#" + SECTION_COLOURS[n % len(SECTION_COLOURS)]
        col = 7 + n
        ch.add_series({"name": ["Summary", head - 1, col],
                       "categories": ["Summary", head, 1, last, 1],
                       "values": ["Summary", head, col, last, col],
                       "fill": {"color": colour}, "border": {"color": colour},
                       "gap": 60, "overlap": 100})
    ch.set_title({"name": "Points by section, ranked bids in rank order",
                  "name_font": {"size": 11}})
    ch.set_y_axis({"name": "Points of 100", "min": 0})
    ch.set_x_axis({"name": "Bid"})
    ch.set_legend({"position": "bottom"})
    ch.set_size({"width": 640 + 12 * max(0, n_ranked - 10), "height": 260})
    sh.chart("F4", ch)


def _verdict_reasons(sh: Sheet, src: Source, lay: Layout) -> None:
    """ProcureDesk's verdict in words: why the decision is, or is not, robust."""
    verdict = lay.analysis["verdict"]
    st = sh.st
    sh.blank()
    head = ("ProcureDesk's verdict: robust" if verdict["robust"] else
            "ProcureDesk's verdict: not robust, because")
    sh.append([sh.spill(head, font=st.bold if st else None)])
    for reason in verdict["reasons"]:
        sh.append([sh.spill(t(f"• {reason}"))])
