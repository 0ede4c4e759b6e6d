"""The evidence pack's figures: the Moderation and Results sheets (formulas, each with
ProcureDesk's value stored beside it).

Every formula reads a bounded block: a (bid, criterion) pair's own rows of the
Scores sheet, a bid's own rows of the Moderation sheet, the bid rows of the Results
sheet. LibreOffice opens and recalculates the large evaluation's pack in seconds.
"""

from __future__ import annotations

import math
from typing import Any

from ..wording import column_letter
from . import Report, Source
from .xlsx_layout import (
    P_PROCEDURE,
    P_SCALE,
    P_SPREAD,
    TIE,
    Col,
    F,
    Layout,
    Sheet,
    Styles,
    ranges,
    status_rules,
    t,
)
from .xlsx_rows import FORMULA, INPUT, NUMBER, TEXT

# Results: the fixed columns (1-based).
STATUS, RANK, TOTAL, QUALITY, PRICE, BASIS, ELIGIBLE = 3, 4, 5, 6, 7, 8, 9
PD_STATUS, PD_RANK, PD_TOTAL, AGREES = 10, 11, 12, 13
KEYS = ("Key: total", "Key: quality", "Key: cost", "Key: id order", "Key: listing order")
UNLISTED = 1_000_000  # listing keys of bids without a rank start here


def _n(x: Any) -> Any:
    """A number from the engine, or "" where it is missing (nan or None)."""
    if x is None:
        return ""
    x = float(x)
    return "" if math.isnan(x) else x


def moderation_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout,
                     report: Report) -> None:
    """One row per bid and scored criterion: the scores counted, mean, lowest, highest,
    spread, consensus (an input), final score, flag, and the minimum it must reach."""
    doc, res = src.doc, src.results
    snap = res.snap
    ev = res.scores
    pairs = snap.pair_scores()  # each pair's lowest and highest non-conflicted score
    lo = pairs.lo.reshape(ev.count.shape)
    hi = pairs.hi.reshape(ev.count.shape)
    cons = {(c["bid"], c["criterion"]): c for c in doc.get("consensus", [])}
    cname = {c["id"]: t(c["name"]) for c in doc["criteria"]}
    mins = {c["id"]: c.get("min_score") for c in doc["criteria"]}
    sh = Sheet(wb, "Moderation", st, caps={11: 70}, freeze="E2", title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Criterion ID", "Criterion", "Scores counted", "Mean",
               "Lowest", "Highest", "Spread", "Consensus", "Consensus rationale",
               "Final score", "Flag", "Minimum", "Below minimum"])
    total = lay.nb * lay.ns
    cols, fallback = _moderation_columns(st)
    blocks = lay.blocks
    crow = {cid: str(r) for cid, r in lay.crow.items()}
    rows: list[Any] = []
    add = rows.append
    k = 0
    for i, b in enumerate(doc["bids"]):
        bid = t(b["id"])
        raw = b["id"]
        sup = t(b["supplier"])
        for j, cid in enumerate(snap.scored_ids):
            if k % 2000 == 0 and k:
                report(0.6 + 0.15 * k / total, f"Writing moderation ({k:,} of {total:,})")
            k += 1
            c = cons.get((raw, cid))
            block = blocks.get((i, j))
            count = float(ev.count[i, j])
            final = _n(ev.final[i, j])
            ms = mins[cid]
            below = int(ms is not None and final != "" and final < float(ms) - 1e-9)
            values = (
                bid, sup, t(cid), cname[cid],
                count, _n(ev.mean[i, j]), float(lo[i, j]) if count else "",
                float(hi[i, j]) if count else "", _n(ev.spread[i, j]),
                c["score"] if c else None, t(c["rationale"]) if c else "",
                final, "FLAG" if ev.flagged[i, j] else "", "" if ms is None else ms, below,
                *((str(block[0]), str(block[1])) if block else ("0", "0")), crow[cid])
            if block is None:
                add(sh._cells(fallback, (*values[:4], 0, "", "", "", "", *values[9:]),
                              k + 1))
            else:
                add(values)
    sh.bulk(cols, rows)
    if st is not None and total:
        sh.rule(f"M2:M{total + 1}", '"FLAG"', st.red_fill)
        sh.rule(f"L2:L{total + 1}", '""', st.amber_fill)
        sh.rule(f"O2:O{total + 1}", "1", st.red_fill)


def _moderation_columns(st: Styles | None) -> tuple[list[Col], list[Col]]:
    """The Moderation sheet's columns (its rows' parameters: the first and last row of
    the pair's scores on the Scores sheet, and the criterion's row on the Criteria
    sheet), and the same for a pair with no scores (its statistics plain values)."""
    num = {"fmt": "0.00"}
    use, sc = "Scores!$I${0}:$I${1}", "Scores!$G${0}:$G${1}"
    stats = [
        Col(FORMULA, formula=f"=COUNTIF({use},1)"),
        Col(FORMULA, num, f'=IF(E{{r}}>0,AVERAGEIF({use},1,{sc}),"")'),
        Col(FORMULA, formula=f'=IF(E{{r}}>0,_xlfn.MINIFS({sc},{use},1),"")'),
        Col(FORMULA, formula=f'=IF(E{{r}}>0,_xlfn.MAXIFS({sc},{use},1),"")'),
        Col(FORMULA, formula='=IF(E{r}>0,H{r}-G{r},"")'),
    ]
    head = [Col(TEXT)] * 4
    tail = [
        Col(INPUT, {"fill": st.input_fill, "input": True} if st else None),
        Col(TEXT, {"align": st.wrap} if st else None),
        Col(FORMULA, num, '=IF(J{r}<>"",J{r},IF(E{r}>0,F{r},""))'),
        Col(FORMULA, {"align": st.top} if st else None,  # "FLAG": text, on the left
            f'=IF(AND(E{{r}}>0,J{{r}}=""),IF(I{{r}}>={P_SPREAD}-{TIE},"FLAG",""),"")'),
        Col(FORMULA, formula='=IF(Criteria!$I${2}="","",Criteria!$I${2})'),
        Col(FORMULA, formula='=IF(AND(N{r}<>"",L{r}<>""),IF(L{r}<N{r}-{TIE},1,0),0)'
            .replace("{TIE}", TIE)),
    ]
    return head + stats + tail, head + [Col(NUMBER)] * 5 + tail


def _status_formula(r: int, i: int, lay: Layout) -> str:
    """excluded / incomplete / comparator / ranked, in the scoring rules' order, from the
    bid's gateway results (Bids sheet) and final scores (its Moderation block)."""
    fail, missing = [], []
    if lay.gate_cols:
        g0, g1 = lay.gate_cols
        gates = f"Bids!${g0}${r}:${g1}${r}"
        fail.append(f'COUNTIF({gates},"Fail")')
        missing.append(f'COUNTIF({gates},"No result")')
    if lay.ns:
        a = lay.mod_row0 + i * lay.ns
        z = a + lay.ns - 1
        fail.append(f"SUM(Moderation!$O${a}:$O${z})")
        missing.append(f'SUMPRODUCT((Moderation!$L${a}:$L${z}="")*1)')
    excl = f"({'+'.join(fail)})>0" if fail else "FALSE()"
    inc = f"({'+'.join(missing)})>0" if missing else "FALSE()"
    return (f'=IF({excl},"excluded",IF({inc},"incomplete",IF(AND({P_PROCEDURE}='
            f'"competitive_tender",Bids!$D${r}<>"Yes"),"comparator","ranked")))')


def _rank_formula(r: int, lay: Layout) -> str:
    """1 + the ranked bids ahead: higher total, then higher quality, then lower cost,
    then the smaller id (totals, qualities and costs within 1e-9 count as equal)."""
    kt, kq, kc, ki = (column_letter(lay.c_key0 + k) for k in range(4))
    last = lay.last

    def col(c: str) -> str:
        return f"${c}$2:${c}${last}"

    tot, qua, cost, ids = col(kt), col(kq), col(kc), col(ki)
    ahead = (f"({tot}>{kt}{r}+{TIE})+(ABS({tot}-{kt}{r})<={TIE})*(({qua}>{kq}{r}+{TIE})"
             f"+(ABS({qua}-{kq}{r})<={TIE})*(({cost}<{kc}{r}-{TIE})"
             f"+(ABS({cost}-{kc}{r})<={TIE})*({ids}<{ki}{r})))")
    return f'=IF($C{r}<>"ranked","",1+SUMPRODUCT({ahead}))'


def _sum_if_all(cols: list[int], r: int) -> tuple[str, int]:
    pieces = [x.format(r=r) for x in ranges(cols)]
    return ",".join(pieces), len(cols)


def results_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    snap = res.snap
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
    sh = Sheet(wb, "Results", st, freeze="C2", title_rows="1:1", repeat_cols="A:B")
    sh.legible = True
    sh.print_cols = lay.c_key0 - 1
    sh.header(["Bid ID", "Supplier", "Status", "Rank", "Total", "Quality", "Price",
               "Cost basis", "Eligible cost", "ProcureDesk status", "ProcureDesk rank",
               "ProcureDesk total", "Agrees with ProcureDesk",
               *[t(f"{c['id']} price fraction") for c in price],
               *[t(f"{sid} {snap.names.get(sid, '')}") for sid in snap.section_ids],
               *[t(f"{cid} points") for cid in lay.con_col], *KEYS])
    order_of_id = {b: k for k, b in enumerate(sorted(snap.bid_ids))}
    basis_col = column_letter(5 + int(doc["evaluation"]["appraisal"]["years"]))
    for i, b in enumerate(doc["bids"]):
        sh.append(_results_row(sh, src, lay, i, b, price, below, basis_col,
                               order_of_id[b["id"]]))
    nb = lay.nb
    sh.blank()
    elig = f"I2:I{nb + 1}"
    cmin = _cmin(src)
    sh.append(["", sh.spill("Lowest cost basis priced against",
                            font=st.italic if st else None), "", "", "", "", "", "",
               sh.cell(F(f'=IF(COUNT({elig})=0,"",MIN({elig}))' if nb else '=""', cmin),
                       fmt=money)])
    if st is not None and nb:
        status_rules(sh, st, f"C2:C{nb + 1}")
        sh.rule(f"D2:D{nb + 1}", "1", st.green_fill)
        sh.rule(f"M2:M{nb + 1}", '"NO"', st.red_fill)


def _cmin(src: Source) -> Any:
    res = src.results
    snap = res.snap
    c = snap.cost_basis
    pool = [float(c[i]) for i, s in enumerate(res.status) if s != "excluded"
            and (not snap.competitive or bool(snap.tender[i]))]
    return min(pool) if pool else ""


def _results_row(sh: Sheet, src: Source, lay: Layout, i: int, b: dict[str, Any],
                 price: list[dict[str, Any]], below: dict[str, list[int]], basis_col: str,
                 id_order: int) -> list[Any]:
    res = src.results
    snap = res.snap
    st = sh.st
    money = st.money if st else None
    r = lay.brow[b["id"]]
    cmin = f"$I${lay.cmin_row}"
    status = res.status[i]
    shown = status in ("ranked", "comparator")
    c_q = [lay.con_col[c] for c in snap.scored_ids]
    c_p = [lay.con_col[c] for c in snap.price_ids]

    def part(cols: list[int], value: Any) -> F:
        if not cols:
            return F(f'=IF(OR($C{r}="ranked",$C{r}="comparator"),0,"")', 0.0 if shown else "")
        refs, n = _sum_if_all(cols, r)
        return F(f'=IF(OR($C{r}="ranked",$C{r}="comparator"),IF(COUNT({refs})<{n},"",'
                 f'SUM({refs})),"")', _n(value) if shown else "")

    eligible = status != "excluded" and (not snap.competitive or bool(snap.tender[i]))
    basis = float(snap.cost_basis[i])
    row: list[Any] = [
        t(b["id"]), t(b["supplier"]),
        F(_status_formula(r, i, lay), status),
        F(_rank_formula(r, lay), res.rank[i] if res.rank[i] is not None else ""),
        sh.cell(F(f'=IF(OR(F{r}="",G{r}=""),"",F{r}+G{r})', _n(res.total[i])), fmt="0.00",
                font=st.bold if st else None),
        sh.cell(part(c_q, res.quality[i]), fmt="0.00"),
        sh.cell(part(c_p, res.price[i]), fmt="0.00"),
        sh.cell(F(f"=Costs!${basis_col}${lay.cost_row0 + i}", basis), fmt=money),
        sh.cell(F(f'=IF(AND($C{r}<>"excluded",OR({P_PROCEDURE}<>"competitive_tender",'
                  f'Bids!$D${r}="Yes")),H{r},"")', basis if eligible else ""), fmt=money),
        sh.cell(status, align=st.align(horizontal="left", indent=1) if st else None),
        res.rank[i] if res.rank[i] is not None else "",
        sh.cell(_n(res.total[i]), fmt="0.00"),
        sh.cell(F(f'=IF(AND(C{r}=J{r},D{r}&""=K{r}&"",IF(L{r}="",E{r}="",IF(E{r}="",'
                  f'FALSE(),ABS(E{r}-L{r})<=0.000001))),"yes","NO")', "yes"),
                align=st.align(horizontal="center") if st else None),
    ]
    for j, c in enumerate(price):
        if (c.get("formula") or "lowest_relative") == "linear_deviation":
            core = f"IF({cmin}=0,IF(H{r}=0,1,0),MAX(0,1-(H{r}-{cmin})/{cmin}))"
        else:
            core = f"IF(H{r}=0,1,{cmin}/H{r})"
        f = f'=IF(OR({cmin}="",$C{r}="excluded"),"",IF(I{r}<>"",{core},MIN(1,{core})))'
        row.append(sh.cell(F(f, _n(res.price_frac[i, j])), fmt="0.0000"))
    for k, sid in enumerate(snap.section_ids):
        refs, n = _sum_if_all(below[sid], r)
        row.append(sh.cell(F(f'=IF(COUNT({refs})<{n},"",SUM({refs}))' if n else '=""',
                             _n(res.sections[i, k])), fmt="0.00"))
    crow = lay.crow
    for j, cid in enumerate(snap.scored_ids):
        fin = f"Moderation!$L${lay.mod_row0 + i * lay.ns + j}"
        row.append(sh.cell(F(f'=IF({fin}="","",{fin}/{P_SCALE}*Criteria!$H${crow[cid]})',
                             _n(res.scored_contrib[i, j])), fmt="0.00"))
    for j, c in enumerate(price):
        fr = f"{column_letter(lay.c_frac0 + j)}{r}"
        row.append(sh.cell(F(f'=IF({fr}="","",{fr}*Criteria!$H${crow[c["id"]]})',
                             _n(res.price_contrib[i, j])), fmt="0.00"))
    ranked = status == "ranked"
    rank = res.rank[i]
    row += [
        F(f'=IF($C{r}="ranked",E{r},-1E+300)', float(res.total[i]) if ranked else -1e300),
        F(f'=IF($C{r}="ranked",F{r},0)', float(res.quality[i]) if ranked else 0.0),
        F(f'=IF($C{r}="ranked",H{r},0)', basis if ranked else 0.0),
        id_order,
        F(f'=IF(D{r}="",{UNLISTED + i},D{r})', rank if rank is not None else UNLISTED + i),
    ]
    return row
