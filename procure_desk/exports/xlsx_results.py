"""The evidence pack's figures: the Moderation and Results sheets (formulas, each with
ProcureDesk's value stored beside it).

Every formula reads a bounded block: a (bid, criterion) pair's own rows of the
Scores sheet, a bid's own rows of the Moderation sheet, the bid rows of the Results
sheet. LibreOffice opens and recalculates the large evaluation's pack in seconds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..wording import column_letter
from . import Report, Source
from .xlsx_columns import Computed, Items, Labels, Numbers, Part, Rows
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
from .xlsx_map import sheet_ref
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
    """One row per bid and scored criterion with a score or a consensus score: the scores
    counted, mean, lowest, highest, spread, consensus (an input), final score, flag, and
    the minimum it must reach; over as many sheets as they need, each bid's rows on one."""
    doc, res = src.doc, src.results
    snap = res.snap
    ev = res.scores
    ns = max(lay.ns, 1)
    pair = lay.mod_pair
    i, j = pair // ns, pair % ns
    ps = snap.pair_scores()  # each pair's lowest and highest non-conflicted score
    count = ev.count.reshape(-1)[pair]
    some = count > 0
    lo = np.where(some, ps.lo[pair], np.nan)
    hi = np.where(some, ps.hi[pair], np.nan)
    cname = {c["id"]: t(c["name"]) for c in doc["criteria"]}
    mins = _mins(doc, snap.scored_ids)
    ms = np.array([np.nan if m is None else float(m) for m in mins] or [np.nan])[j]
    final = ev.final.reshape(-1)[pair]
    with np.errstate(invalid="ignore"):
        below = (~np.isnan(ms) & ~np.isnan(final) & (final < ms - 1e-9)).astype(np.float64)
    ids, cids = snap.bid_ids, snap.scored_ids
    bix, cix = {x: k for k, x in enumerate(ids)}, {x: k for k, x in enumerate(cids)}
    why = {bix[c["bid"]] * ns + cix[c["criterion"]]: t(c["rationale"])
           for c in doc.get("consensus", []) if c["bid"] in bix and c["criterion"] in cix}
    names = [sheet_ref(x) for x in lay.scores.names]
    report(0.6, f"Writing moderation ({pair.size:,} rows)")
    rows = Rows([
        Labels(i, [t(x) for x in ids]), Labels(i, [t(b["supplier"]) for b in snap.bids]),
        Labels(j, [t(x) for x in cids]), Labels(j, [cname[x] for x in cids]),
        Numbers(count), Numbers(ev.mean.reshape(-1)[pair], ""), Numbers(lo, ""),
        Numbers(hi, ""), Numbers(ev.spread.reshape(-1)[pair], ""),
        Numbers(snap.consensus.reshape(-1)[pair]),
        Computed(pair.size, lambda a, z: [why.get(p, "") for p in pair[a:z].tolist()]),
        Numbers(final, ""), Labels(ev.flagged.reshape(-1)[pair].astype(np.int64), ["", "FLAG"]),
        Numbers(ms, ""), Numbers(below),
        Labels(np.maximum(lay.block_sheet, 0), names or ["Scores"]),
        _texts(lay.block_first), _texts(lay.block_last),
        Labels(j, [str(lay.crow[x]) for x in cids]),
    ])
    cols, fallback = _moderation_columns(st)
    unscored = np.flatnonzero(lay.block_sheet < 0)
    for name, (a, z) in zip(lay.moderation.names, lay.moderation.spans):
        sh = Sheet(wb, name, st, caps={11: 70}, freeze="E2", title_rows="1:1")
        sh.header(["Bid ID", "Supplier", "Criterion ID", "Criterion", "Scores counted",
                   "Mean", "Lowest", "Highest", "Spread", "Consensus",
                   "Consensus rationale", "Final score", "Flag", "Minimum", "Below minimum"])
        alt = {int(p) - a for p in unscored[(unscored >= a) & (unscored < z)]}
        sh.bulk(cols, rows.window(a, z), (fallback, alt))
        if st is not None and z > a:
            last = z - a + 1
            sh.rule(f"M2:M{last}", '"FLAG"', st.red_fill)
            sh.rule(f"L2:L{last}", '""', st.amber_fill)
            sh.rule(f"O2:O{last}", "1", st.red_fill)


def _mins(doc: dict[str, Any], ids: list[str]) -> list[Any]:
    by_id = {c["id"]: c.get("min_score") for c in doc["criteria"]}
    return [by_id[x] for x in ids]


def _texts(values: np.ndarray) -> Computed:
    """Whole numbers as the text a formula takes (a row number)."""
    return Computed(int(values.size), lambda a, z: list(map(str, values[a:z].tolist())))


def _moderation_columns(st: Styles | None) -> tuple[list[Col], list[Col]]:
    """The Moderation sheet's columns (its rows' parameters: the first and last row of
    the pair's scores on the Scores sheet, and the criterion's row on the Criteria
    sheet), and the same for a pair with no scores (its statistics plain values)."""
    num = {"fmt": "0.00"}
    use, sc = "{0}!$I${1}:$I${2}", "{0}!$G${1}:$G${2}"
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
        Col(FORMULA, formula='=IF(Criteria!$I${3}="","",Criteria!$I${3})'),
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
        fails, finals = lay.bid_block(i, "O"), lay.bid_block(i, "L")
        if fails and finals:  # scored criteria minus the final scores in its rows
            fail.append(f"SUM({fails})")
            missing.append(f"{lay.ns}-COUNT({finals})")
        else:  # no row: every final score is missing
            missing.append(str(lay.ns))
    excl = f"({'+'.join(fail)})>0" if fail else "FALSE()"
    inc = f"({'+'.join(missing)})>0" if missing else "FALSE()"
    return (f'=IF({excl},"excluded",IF({inc},"incomplete",IF(AND({P_PROCEDURE}='
            f'"competitive_tender",Bids!$D${r}<>"Yes"),"comparator","ranked")))')


def _rank_formula(r: int | str, lay: Layout) -> str:
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


def _sum_if_all(cols: list[int], r: int | str) -> tuple[str, int]:
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
    basis_col = column_letter(5 + int(doc["evaluation"]["appraisal"]["years"]))
    cols, parts = _fixed_columns(sh, src, lay, basis_col)
    more, extra = _criteria_columns(sh, src, lay, price, below)
    sh.bulk(cols + more, Rows(parts[:len(cols)] + extra[:len(more)] + parts[len(cols):]
                              + extra[len(more):]))
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


def _fixed_columns(sh: Sheet, src: Source, lay: Layout, basis_col: str
                   ) -> tuple[list[Col], list[Part]]:
    """The Results sheet's first 13 columns, and their values (then two parameters: each
    row's status formula and its row of the Costs sheet)."""
    res = src.results
    snap = res.snap
    st = sh.st
    nb = lay.nb
    r = "{r}"
    money = {"fmt": st.money} if st else None
    num = {"fmt": "0.00"}
    shown = f'OR($C{r}="ranked",$C{r}="comparator")'
    c_q = [lay.con_col[c] for c in snap.scored_ids]
    c_p = [lay.con_col[c] for c in snap.price_ids]

    def part(cols: list[int]) -> str:
        if not cols:
            return f'=IF({shown},0,"")'
        refs, n = _sum_if_all(cols, r)
        return f'=IF({shown},IF(COUNT({refs})<{n},"",SUM({refs})),"")'

    status = list(res.status)
    ok = np.array([s in ("ranked", "comparator") for s in status], dtype=bool)
    eligible = np.array([s != "excluded" and (not snap.competitive or bool(snap.tender[i]))
                         for i, s in enumerate(status)], dtype=bool)
    basis = np.asarray(snap.cost_basis, dtype=np.float64)
    rank = np.array([np.nan if x is None else x for x in res.rank] or [0.0])[:nb]
    total = np.asarray(res.total, dtype=np.float64)
    kinds = sorted(set(status))
    cols = [
        Col(TEXT), Col(TEXT), Col(FORMULA, {"align": st.top} if st else None, "={0}"),
        Col(FORMULA, formula=_rank_formula(r, lay)),
        Col(FORMULA, {**num, "font": st.bold} if st else num,
            f'=IF(OR(F{r}="",G{r}=""),"",F{r}+G{r})'),
        Col(FORMULA, num, part(c_q)), Col(FORMULA, num, part(c_p)),
        Col(FORMULA, money, f"=Costs!${basis_col}${{1}}"),
        Col(FORMULA, money, f'=IF(AND($C{r}<>"excluded",OR({P_PROCEDURE}<>"competitive_'
                            f'tender",Bids!$D${r}="Yes")),H{r},"")'),
        Col(TEXT, {"align": st.align(horizontal="left", indent=1)} if st else None),
        Col(NUMBER), Col(NUMBER, num),
        Col(FORMULA, {"align": st.align(horizontal="center")} if st else None,
            f'=IF(AND(C{r}=J{r},D{r}&""=K{r}&"",IF(L{r}="",E{r}="",IF(E{r}="",'
            f'FALSE(),ABS(E{r}-L{r})<=0.000001))),"yes","NO")'),
    ]
    at = np.arange(nb)
    parts: list[Part] = [
        Labels(at, [t(x) for x in snap.bid_ids]),
        Labels(at, [t(b["supplier"]) for b in snap.bids]),
        Labels(at, status), Numbers(rank, ""), Numbers(total, ""),
        Numbers(np.where(ok, res.quality, np.nan), ""),
        Numbers(np.where(ok, res.price, np.nan), ""), Numbers(basis),
        Numbers(np.where(eligible, basis, np.nan), ""),
        Labels(np.array([kinds.index(s) for s in status], dtype=np.int64), kinds),
        Numbers(rank), Numbers(total),
        Labels(np.zeros(nb, dtype=np.int64), ["yes"]),
        # parameters: the status formula, the Costs row
        Items([_status_formula(i + 2, i, lay)[1:] for i in range(nb)]),
        Items([str(lay.cost_row0 + i) for i in range(nb)]),
    ]
    return cols, parts


def _criteria_columns(sh: Sheet, src: Source, lay: Layout, price: list[dict[str, Any]],
                      below: dict[str, list[int]]) -> tuple[list[Col], list[Part]]:
    """The Results sheet's columns after the first 13: price fractions, sections, points
    and the ranking keys, and their values (then their parameters: each scored
    criterion's points formula, which reads the pair's Moderation row or, where the
    pair has none, is empty, and each row's listing key)."""
    res = src.results
    snap = res.snap
    nb, ns = lay.nb, lay.ns
    r = "{r}"
    cmin = f"$I${lay.cmin_row}"
    cols: list[Col] = []
    parts: list[Part] = []
    params: list[Part] = []
    first = 2  # the fixed columns' parameters come first
    for j, c in enumerate(price):
        if (c.get("formula") or "lowest_relative") == "linear_deviation":
            core = f"IF({cmin}=0,IF(H{r}=0,1,0),MAX(0,1-(H{r}-{cmin})/{cmin}))"
        else:
            core = f"IF(H{r}=0,1,{cmin}/H{r})"
        cols.append(Col(FORMULA, {"fmt": "0.0000"}, f'=IF(OR({cmin}="",$C{r}="excluded"),"",'
                                                    f'IF(I{r}<>"",{core},MIN(1,{core})))'))
        parts.append(Numbers(res.price_frac[:, j], ""))
    for k, sid in enumerate(snap.section_ids):
        refs, n = _sum_if_all(below[sid], r)
        cols.append(Col(FORMULA, {"fmt": "0.00"},
                        f'=IF(COUNT({refs})<{n},"",SUM({refs}))' if n else '=""'))
        parts.append(Numbers(res.sections[:, k], ""))
    rows = np.zeros(nb * ns, dtype=np.int64)
    rows[lay.mod_pair] = lay.mod_row
    sheet = [sheet_ref(x) for x in lay.moderation.names]
    on = [sheet[int(lay.mod_sheet[lay.bid_first[i]])] if lay.bid_stop[i] > lay.bid_first[i]
          else "" for i in range(nb)]
    crow = lay.crow
    for j, cid in enumerate(snap.scored_ids):
        cols.append(Col(FORMULA, {"fmt": "0.00"}, f"={{{first + len(params)}}}"))
        parts.append(Numbers(res.scored_contrib[:, j], ""))
        params.append(Computed(nb, _points(rows[j::ns] if ns else rows, on,
                                           f"/{P_SCALE}*Criteria!$H${crow[cid]}")))
    for j, c in enumerate(price):
        fr = f"{column_letter(lay.c_frac0 + j)}{r}"
        cols.append(Col(FORMULA, {"fmt": "0.00"},
                        f'=IF({fr}="","",{fr}*Criteria!$H${crow[c["id"]]})'))
        parts.append(Numbers(res.price_contrib[:, j], ""))
    ranked = np.array([s == "ranked" for s in res.status], dtype=bool)
    listing = np.array([UNLISTED + i if x is None else x for i, x in enumerate(res.rank)],
                       dtype=np.float64)
    id_order = {b: k for k, b in enumerate(sorted(snap.bid_ids))}
    cols += [Col(FORMULA, formula=f'=IF($C{r}="ranked",E{r},-1E+300)'),
             Col(FORMULA, formula=f'=IF($C{r}="ranked",F{r},0)'),
             Col(FORMULA, formula=f'=IF($C{r}="ranked",H{r},0)'), Col(NUMBER),
             Col(FORMULA, formula=f'=IF(D{r}="",{{{first + len(params)}}},D{r})')]
    parts += [Numbers(np.where(ranked, res.total, -1e300)),
              Numbers(np.where(ranked, res.quality, 0.0)),
              Numbers(np.where(ranked, snap.cost_basis, 0.0)),
              Numbers(np.array([id_order[b] for b in snap.bid_ids], dtype=np.float64)),
              Numbers(listing)]
    params.append(Items([str(UNLISTED + i) for i in range(nb)]))
    return cols, parts + params


def _points(rows: np.ndarray, on: list[str], tail: str) -> Any:
    """The points formulas (text) of one scored criterion for bids a..b: the pair's final
    score on its Moderation row, or nothing where it has no row."""

    def make(a: int, z: int) -> list[str]:
        out = []
        for i, row in zip(range(a, z), rows[a:z].tolist()):
            if row:
                ref = f"{on[i]}!$L${row}"
                out.append(f'IF({ref}="","",{ref}{tail})')
            else:
                out.append('""')
        return out
    return make
