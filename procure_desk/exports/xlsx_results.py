"""The evidence pack's figures: the Summary, Moderation and Results sheets (formulas)."""

from __future__ import annotations

from typing import Any

from ..wording import column_letter
from . import Report, Source
from .xlsx_governance import outstanding_rows, status_text
from .xlsx_layout import (
    P_SCALE,
    P_SPREAD,
    TIE,
    Layout,
    Sheet,
    Styles,
    ranges,
    status_rules,
    t,
)


def summary_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    ev = doc["evaluation"]
    sh = Sheet(wb, "Summary", st)
    sh.title(t(f"Evidence pack: {ev.get('title', '')}"))
    sh.append([t(f"{ev.get('authority', '')}, reference {ev.get('reference', '')}")])
    status = status_text(src)  # row 3: DRAFT, or who sealed the record and when
    sh.append([sh.spill(t(status), font=_status_font(st, src))] if status else [])
    winner = res.winner
    ranking = res.ranking
    bold = st.bold if st else None
    label = "Recommendation"
    if winner and src.provisional:  # never "award" while anything is outstanding
        label, rec = "Provisional leader", f"{winner}: {src.supplier(winner)}"
    elif winner:
        rec = f"Award to {winner}: {src.supplier(winner)}"
    else:
        rec = "No bid can be ranked yet: see the Results and Bids sheets"
    sh.append([sh.cell(label, font=bold), sh.spill(t(rec), font=bold)])  # row 4
    r_total = f"=Results!$E${lay.brow[winner]}" if winner else "n/a"
    sh.append(["Provisional leader's total" if src.provisional else
               "Winning total (points of 100)", sh.cell(r_total, fmt="0.00")])  # 5
    second = res.snap.bid_ids[ranking[1]] if len(ranking) > 1 else None
    sh.append(["Runner-up total", sh.cell(f"=Results!$E${lay.brow[second]}" if second
                                          else "n/a", fmt="0.00")])  # 6
    sh.append(["Margin (points)", sh.cell("=B5-B6" if winner and second else "n/a",
                                          fmt="0.00")])  # 7
    sh.blank()  # 8
    sh.append([sh.cell("Parameters (inputs: the formulas read these cells)", font=bold)])  # 9
    fill = st.input_fill if st else None
    scale, appr = ev["scale"], ev["appraisal"]
    sh.append(["Scale maximum", sh.cell(scale["max"], fill=fill)])  # 10
    sh.append(["Scale step", sh.cell(scale["step"], fill=fill)])  # 11
    sh.append(["Discount rate", sh.cell(appr["discount_rate"], fmt="0.0%", fill=fill)])  # 12
    sh.append(["Appraisal years", sh.cell(appr["years"], fill=fill)])  # 13
    sh.append(["Cost basis (npv or wlc)", sh.cell(appr["cost_basis"], fill=fill)])  # 14
    sh.append(["Score spread that flags", sh.cell(ev["moderation"]["spread_flag"],
                                                  fill=fill)])  # 15
    sh.append(["Currency", t(ev.get("currency") or "GBP")])  # 16
    sh.blank()
    snap = res.snap
    tops = _top_sections(src)
    sections = [snap.section_ids[k] for k in tops]
    first = sh.header(["Rank", "Bid ID", "Supplier", "Total", "Quality", "Price", "Status",
                       *[t(f"{sid} {snap.names.get(sid, '')}") for sid in sections]])
    order = list(ranking) + [i for i in range(lay.nb) if i not in set(ranking)]
    for i in order:
        b = doc["bids"][i]
        r = lay.brow[b["id"]]
        sh.append([sh.cell(res.rank[i] if res.rank[i] is not None else "—", fmt="0"),
                   t(b["id"]), t(b["supplier"]), sh.cell(f"=Results!$E${r}", fmt="0.00"),
                   sh.cell(f"=Results!$F${r}", fmt="0.00"),
                   sh.cell(f"=Results!$G${r}", fmt="0.00"), res.status[i],
                   *[sh.cell(f"=Results!${column_letter(lay.c_sec0 + k)}${r}", fmt="0.00")
                     for k in tops]])
    outstanding_rows(sh, src, st)
    if st is not None and ranking and tops:
        _chart(sh, src, first, len(ranking), tops)


def _status_font(st: Styles | None, src: Source) -> Any:
    if st is None:
        return None
    from openpyxl.styles import Font

    return Font(bold=True, color="C00000" if src.provisional else "1F4E79")


def _top_sections(src: Source) -> list[int]:
    """Indices (in the engine's section_ids) of the top-level sections, in criteria order."""
    snap = src.results.snap
    parent = {c["id"]: c.get("parent") for c in src.doc["criteria"]}
    return [k for k, sid in enumerate(snap.section_ids) if parent.get(sid) is None]


def _chart(sh: Sheet, src: Source, head: int, n_ranked: int, tops: list[int]) -> None:
    """Stacked bars of the ranked bids' points by top-level section, in rank order, in the
    sections' colours (as in the PDF report); they read the ranking table below."""
    from openpyxl.chart import BarChart, Reference

    from .palette import SECTION_COLOURS

    ch = BarChart()
    ch.type = "col"
    ch.grouping = "stacked"
    ch.overlap = 100
    ch.title = "Points by section, ranked bids in rank order"
    ch.y_axis.title = "Points of 100"
    ch.x_axis.title = "Bid"
    ch.y_axis.delete = False
    ch.x_axis.delete = False
    ch.y_axis.scaling.min = 0
    ch.height = 6.8
    ch.width = 17 + 0.3 * max(0, n_ranked - 10)
    last = head + n_ranked
    for n in range(len(tops)):
        c = column_letter(8 + n)
        ch.add_data(Reference(range_string=f"Summary!${c}${head}:${c}${last}"),
                    titles_from_data=True)
        colour = SECTION_COLOURS[n % len(SECTION_COLOURS)]
        series = ch.series[-1]
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    ch.set_categories(Reference(range_string=f"Summary!$B${head + 1}:$B${last}"))
    sh.ws.add_chart(ch, "D2")


def moderation_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout,
                report: Report) -> None:
    doc, res = src.doc, src.results
    snap = res.snap
    cons = {(c["bid"], c["criterion"]): c for c in doc.get("consensus", [])}
    cname = {c["id"]: t(c["name"]) for c in doc["criteria"]}
    sh = Sheet(wb, "Moderation", st, caps={11: 70}, freeze="E2", title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Criterion ID", "Criterion", "Scores counted", "Mean",
               "Lowest", "Highest", "Spread", "Consensus", "Consensus rationale",
               "Final score", "Flag"])
    last = lay.scores_last
    sc, sb, scr, use = (f"Scores!$G$2:$G${last}", f"Scores!$C$2:$C${last}",
                        f"Scores!$E$2:$E${last}", f"Scores!$I$2:$I${last}")
    fill = st.input_fill if st else None
    wrap = st.wrap if st else None
    total = lay.nb * lay.ns
    k = 0
    for b in doc["bids"]:
        bid = b["id"]
        sup = t(b["supplier"])
        for cid in snap.scored_ids:
            if k % 2000 == 0 and k:
                report(0.6 + 0.15 * k / total, f"Writing moderation ({k:,} of {total:,})")
            k += 1
            r = sh.row + 1
            cr = f"{sb},$A{r},{scr},$C{r},{use},1"
            c = cons.get((bid, cid))
            sh.append([
                t(bid), sup, t(cid), cname[cid],
                f"=COUNTIFS({cr})",
                sh.cell(f'=IF(E{r}>0,AVERAGEIFS({sc},{cr}),"")', fmt="0.00"),
                f'=IF(E{r}>0,_xlfn.MINIFS({sc},{cr}),"")',
                f'=IF(E{r}>0,_xlfn.MAXIFS({sc},{cr}),"")',
                f'=IF(E{r}>0,H{r}-G{r},"")',
                sh.cell(c["score"] if c else None, fill=fill),
                sh.cell(t(c["rationale"]) if c else "", align=wrap),
                sh.cell(f'=IF(J{r}<>"",J{r},IF(E{r}>0,F{r},""))', fmt="0.00"),
                f'=IF(AND(E{r}>0,J{r}=""),IF(I{r}>={P_SPREAD}-{TIE},"FLAG",""),"")',
            ])
    if st is not None and total:
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"M2:M{total + 1}", CellIsRule(operator="equal", formula=['"FLAG"'],
                                           fill=st.red_fill))
        sh.ws.conditional_formatting.add(
            f"L2:L{total + 1}", CellIsRule(operator="equal", formula=['""'],
                                           fill=st.amber_fill))


def results_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    snap = res.snap
    crow = lay.crow
    price = [c for c in doc["criteria"] if c["kind"] == "price"]
    parent = {c["id"]: c.get("parent") for c in doc["criteria"]}
    below: dict[str, list[int]] = {sid: [] for sid in snap.section_ids}
    for cid, c in lay.con_col.items():
        node: Any = cid
        while node is not None:
            if node in below:
                below[node].append(c)
            node = parent.get(node)
    money = st.money if st else None
    sh = Sheet(wb, "Results", st, freeze="C2", title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Status", "Rank", "Total", "Quality", "Price",
               "Cost basis", "Eligible cost",
               *[t(f"{c['id']} price fraction") for c in price],
               *[t(f"{sid} {snap.names.get(sid, '')}") for sid in snap.section_ids],
               *[t(f"{cid} points") for cid in lay.con_col]])
    cmin = f"$I${lay.cmin_row}"
    nb = lay.nb
    c_q = [lay.con_col[c] for c in snap.scored_ids]
    c_p = [lay.con_col[c] for c in snap.price_ids]
    for i, b in enumerate(doc["bids"]):
        r = lay.brow[b["id"]]
        cost_r = lay.cost_row0 + i
        basis = f"Costs!${column_letter(5 + int(doc['evaluation']['appraisal']['years']))}${cost_r}"
        q = f"SUM({column_letter(c_q[0])}{r}:{column_letter(c_q[-1])}{r})" if c_q else "0"
        p = f"SUM({column_letter(c_p[0])}{r}:{column_letter(c_p[-1])}{r})" if c_p else "0"
        row: list[Any] = [
            t(b["id"]), t(b["supplier"]), res.status[i],
            res.rank[i] if res.rank[i] is not None else "",
            sh.cell(f'=IF($C{r}="ranked",F{r}+G{r},"")', fmt="0.00",
                    font=st.bold if st else None),
            sh.cell(f'=IF($C{r}="ranked",{q},"")', fmt="0.00"),
            sh.cell(f'=IF($C{r}="ranked",{p},"")', fmt="0.00"),
            sh.cell(f"={basis}", fmt=money),
            sh.cell(f'=IF($C{r}<>"excluded",H{r},"")', fmt=money),
        ]
        for c in price:
            if (c.get("formula") or "lowest_relative") == "linear_deviation":
                f = (f'=IF(I{r}="","",IF({cmin}=0,IF(H{r}=0,1,0),'
                     f'MAX(0,1-(H{r}-{cmin})/{cmin})))')
            else:
                f = f'=IF(I{r}="","",IF(H{r}=0,1,{cmin}/H{r}))'
            row.append(sh.cell(f, fmt="0.0000"))
        for sid in snap.section_ids:
            pieces = [x.format(r=r) for x in ranges(below[sid])]
            n = len(below[sid])
            refs = ",".join(pieces)
            row.append(sh.cell(f'=IF(COUNT({refs})<{n},"",SUM({refs}))' if n else "",
                               fmt="0.00"))
        for j, cid in enumerate(snap.scored_ids):
            m = lay.mod_row0 + i * lay.ns + j
            fin = f"Moderation!$L${m}"
            row.append(sh.cell(f'=IF({fin}="","",{fin}/{P_SCALE}*Criteria!$H${crow[cid]})',
                               fmt="0.00"))
        for j, c in enumerate(price):
            fr = f"{column_letter(lay.c_frac0 + j)}{r}"
            row.append(sh.cell(f'=IF({fr}="","",{fr}*Criteria!$H${crow[c["id"]]})',
                               fmt="0.00"))
        sh.append(row)
    sh.blank()
    sh.append(["", sh.spill("Lowest cost basis among bids not excluded",
                            font=st.italic if st else None), "", "", "", "", "", "",
               sh.cell(f"=MIN(I2:I{nb + 1})" if nb else 0, fmt=money)])
    if st is not None and nb:
        status_rules(sh, st, f"C2:C{nb + 1}")
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"D2:D{nb + 1}", CellIsRule(operator="equal", formula=["1"], fill=st.green_fill))
