"""The evidence pack's input sheets: criteria, bids, costs, scores and evaluators.

The inputs the formulas read are shaded yellow and left editable on the protected
sheets; the effective weights, per-year costs, whole-life cost and NPV are formulas
over them, each stored with ProcureDesk's value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..wording import column_letter
from . import Report, Source
from .xlsx_columns import Computed, Labels, Numbers, Rows
from .xlsx_layout import P_BASIS, P_DISCOUNT, Col, F, Layout, Sheet, Styles, status_rules, t
from .xlsx_rows import FORMULA, NUMBER, TEXT

GATEWAY_CHOICES = ["Pass", "Fail", "No result"]


def criteria_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    crit = src.doc["criteria"]
    eff = src.results.snap.eff
    sh = Sheet(wb, "Criteria", st, caps={11: 70}, freeze="C2", title_rows="1:1")
    sh.header(["ID", "Name", "Kind", "Parent", "Weight", "Sibling weights", "Share",
               "Effective weight (%)", "Min score", "Price formula", "Guidance"])
    depth: dict[str, int] = {}
    siblings: dict[Any, list[dict[str, Any]]] = {}
    for c in crit:
        if c["kind"] != "pass_fail":
            siblings.setdefault(c.get("parent"), []).append(c)
    for c in crit:
        p = c.get("parent")
        depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
        r = lay.crow[c["id"]]
        align = st.align(indent=depth[c["id"]] * 2) if st else None
        font = st.bold if st and c["kind"] == "section" else None
        row: list[Any] = [t(c["id"]), sh.cell(t(c["name"]), align=align, font=font),
                          c["kind"], t(p or "")]
        if c["kind"] == "pass_fail":
            row += ["", "", "", "gateway"]
        else:
            sib = siblings[p]
            total = sum(float(s.get("weight") or 0) for s in sib)
            weight = float(c.get("weight") or 0)
            refs = ",".join(f"E{lay.crow[s['id']]}" for s in sib)
            eff_f = f"=100*G{r}" if p is None else f"=H{lay.crow[p]}*G{r}"
            row += [sh.input(weight),
                    sh.cell(F(f"=SUM({refs})", total), fmt="0.##"),
                    sh.cell(F(f"=IF(F{r}=0,0,E{r}/F{r})", weight / total if total else 0.0),
                            fmt="0.0000"),
                    sh.cell(F(eff_f, eff.get(c["id"], 0.0)), fmt="0.0000")]
        ms = c.get("min_score")
        row += [sh.input(ms if ms is not None else None) if c["kind"] == "scored" else "",
                c.get("formula") or ("lowest_relative" if c["kind"] == "price" else ""),
                sh.cell(t(c.get("guidance") or ""), align=st.wrap if st else None)]
        sh.append(row)
    leaves = [c["id"] for c in crit if c["kind"] in ("scored", "price")]
    sh.blank()
    sh.append(["", sh.spill("Effective weights of all scored and price criteria add up to",
                            font=st.italic if st else None), "", "", "", "", "",
               sh.cell(F(f"=SUM({','.join(f'H{lay.crow[x]}' for x in leaves)})"
                         if leaves else "=0", sum(eff.get(x, 0.0) for x in leaves)),
                       fmt="0.0000")])
    sh.blank()
    desc = (src.doc["evaluation"]["scale"].get("descriptors") or {})
    if desc:
        sh.append([sh.cell("Score", font=st.bold if st else None),
                   sh.cell("Descriptor", font=st.bold if st else None)])
        for k in sorted(desc, key=lambda x: float(x)):
            sh.append([t(k), sh.spill(t(desc[k]))])


def bids_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    """One row per bid: whether it is a tender and its gateway results (inputs), and
    its status (the Results sheet's formula) with ProcureDesk's reasons."""
    from ..interchange import default_tender

    doc, res = src.doc, src.results
    gates = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
    result = {(g["bid"], g["criterion"]): g for g in doc.get("gateways", [])}
    n = 7 + len(gates)
    sh = Sheet(wb, "Bids", st, caps={7: 60, n + 1: 60, n + 3: 70}, freeze="C2",
               title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Option type", "Tender", "SME", "Term (years)", "Notes",
               *[t(f"{g['id']} {g['name']}") for g in gates], "Gateway notes", "Status",
               "Reasons (ProcureDesk)"])
    wrap = st.wrap if st else None
    centre = st.align(horizontal="center") if st else None
    for i, b in enumerate(doc["bids"]):
        cells = []
        notes = []
        for g in gates:
            r = result.get((b["id"], g["id"]))
            cells.append(sh.input("No result" if r is None else
                                  ("Pass" if r["passed"] else "Fail"), align=centre))
            if r is not None and r.get("note"):
                notes.append(f"{g['id']}: {r['note']}")
        tender = b.get("tender", default_tender(b.get("option_type", "")))
        row = lay.brow[b["id"]]
        sh.append([t(b["id"]), t(b["supplier"]), b.get("option_type", ""),
                   sh.input("Yes" if tender else "No", align=centre),
                   "Yes" if b.get("sme") else "No",
                   b.get("term_years") if b.get("term_years") is not None else "",
                   sh.cell(t(b.get("notes") or ""), align=wrap), *cells,
                   sh.cell(t("; ".join(notes)), align=wrap),
                   sh.cell(F(f"=Results!$C${row}", res.status[i]), align=centre),
                   sh.cell(t(_reasons(res.reasons[i])), align=wrap)])
    if doc["bids"]:
        last = lay.last
        sh.choices(f"D2:D{last}", ["Yes", "No"])
        if st is not None and gates:
            rng = f"H2:{column_letter(7 + len(gates))}{last}"
            sh.choices(rng, GATEWAY_CHOICES)
            sh.rule(rng, '"Fail"', st.red_fill)
            sh.rule(rng, '"No result"', st.amber_fill)
        if st is not None:
            status = column_letter(9 + len(gates))
            status_rules(sh, st, f"{status}2:{status}{last}")


def costs_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc = src.doc
    snap = src.results.snap
    ev = doc["evaluation"]
    years = int(ev["appraisal"]["years"])
    rate = float(ev["appraisal"]["discount_rate"])
    money = st.money if st else None
    sh = Sheet(wb, "Costs", st, freeze="C5", title_rows="3:3")
    lines = [(b["id"], line) for b in doc["bids"] for line in b.get("costs", [])]
    l0 = lay.cost_row0 + lay.nb + 3  # header row of the cost lines
    block: dict[str, tuple[int, int]] = {}  # each bid's cost lines: one block of rows
    for k, (bid, _) in enumerate(lines):
        block[bid] = (block.get(bid, (l0 + 1 + k,))[0], l0 + 1 + k)
    ycols = [column_letter(3 + y) for y in range(years)]
    c_wlc, c_npv = column_letter(3 + years), column_letter(4 + years)
    sh.title("Cost per year, whole-life cost and net present value (formulas over the "
             "cost lines below)")
    sh.append([sh.cell("Each year sums the lines running that year; NPV discounts year y "
                       "by 1/(1 + rate)^y, year 0 undiscounted.",
                       font=st.italic if st else None)])
    sh.header(["Bid ID", "Supplier", *range(years), "Whole-life cost", "NPV",
               "Cost basis"], fmt='"Year "0')  # row 3
    sh.append([sh.spill("Discount factor"), "",
               *[sh.cell(F(f"=1/(1+{P_DISCOUNT})^{c}$3", 1 / (1 + rate) ** y), fmt="0.0000")
                 for y, c in enumerate(ycols)]])  # 4
    basis = snap.cost_basis
    for i, b in enumerate(doc["bids"]):
        r = sh.row + 1
        a_b = block.get(b["id"])
        yc = []
        for y, c in enumerate(ycols):
            value = float(snap.costs[i, y])
            if a_b is None:
                yc.append(sh.cell(F("=0", 0.0), fmt=money))
                continue
            a, z = a_b
            yc.append(sh.cell(F(f'=SUMIFS($D${a}:$D${z},$E${a}:$E${z},"<="&{c}$3,'
                                f'$G${a}:$G${z},">"&{c}$3)', value), fmt=money))
        span = f"{ycols[0]}{r}:{ycols[-1]}{r}"
        sh.append([t(b["id"]), t(b["supplier"]), *yc,
                   sh.cell(F(f"=SUM({span})", float(snap.wlc[i])), fmt=money),
                   sh.cell(F(f"=SUMPRODUCT({span},{ycols[0]}$4:{ycols[-1]}$4)",
                             float(snap.npv[i])), fmt=money),
                   sh.cell(F(f'=IF({P_BASIS}="wlc",{c_wlc}{r},{c_npv}{r})',
                             float(basis[i])), fmt=money)])
    sh.blank()
    sh.blank()
    sh.append([sh.cell("Cost lines (inputs; amounts are per year)",
                       font=st.bold if st else None)])
    assert sh.row + 1 == l0
    sh.header(["Bid ID", "Item", "Category", "Amount per year", "Start year", "Years",
               "Ends before year"])
    for bid, line in lines:
        r = sh.row + 1
        start, n = int(line["start_year"]), int(line["years"])
        sh.append([t(bid), t(line.get("item", "")), line.get("category", ""),
                   sh.input(float(line["amount"]), fmt=money), sh.input(start),
                   sh.input(n), F(f"=E{r}+F{r}", start + n)])


def scores_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    """One row per score, in bid and criterion order (each pair's scores together, the
    block the Moderation sheet reads), over as many sheets as they need; the score is
    an input."""
    snap = src.results.snap
    cname = {c["id"]: c["name"] for c in src.doc["criteria"]}
    order = lay.score_order
    e, b, c = snap.s_eval[order], snap.s_bid[order], snap.s_crit[order]
    conflict = snap.conflict[e, b] if order.size else np.zeros(0, dtype=bool)
    report(0.3, f"Writing scores ({order.size:,})")
    rows = Rows([
        Labels(e, [t(x["id"]) for x in snap.evaluators]),
        Labels(e, [t(x["name"]) for x in snap.evaluators]),
        Labels(b, [t(x) for x in snap.bid_ids]),
        Labels(b, [t(x["supplier"]) for x in snap.bids]),
        Labels(c, [t(x) for x in snap.scored_ids]),
        Labels(c, [t(cname[x]) for x in snap.scored_ids]),
        Numbers(snap.s_val[order]),
        Labels(conflict.astype(np.int64), ["no", "yes"]),
        Numbers((~conflict).astype(np.float64)),
        Computed(order.size, _comments(src.doc["scores"], order)),
    ])
    num = st.num if st else None
    cols = [Col(TEXT)] * 6 + [
        Col(NUMBER, {"fill": st.input_fill if st else None, "align": num, "input": True}),
        Col(TEXT), Col(FORMULA, formula='=IF(H{r}="yes",0,1)'), Col(TEXT)]
    for name, (a, z) in zip(lay.scores.names, lay.scores.spans):
        sh = Sheet(wb, name, st, caps={10: 70}, freeze="A2", title_rows="1:1")
        sh.header(["Evaluator ID", "Evaluator", "Bid ID", "Supplier", "Criterion ID",
                   "Criterion", "Score", "Conflict declared", "Counts (1 = yes)", "Comment"])
        sh.bulk(cols, rows.window(a, z))
        if st is not None and z > a:
            sh.rule(f"H2:H{z - a + 1}", '"yes"', st.red_fill)


def _comments(scores: Any, order: np.ndarray) -> Any:
    """The comments of the scores at `order`'s positions a..b, as cell text: from the
    scores' column of comments where they have one (made cell text once: the sheet
    is measured, then written), else from each score."""
    column = getattr(scores, "comment", None)
    if column is not None:
        clean = [t(x) if x else "" for x in column]

        def made(a: int, z: int) -> list[str]:
            return [clean[k] for k in order[a:z].tolist()]
        return made

    def make(a: int, z: int) -> list[str]:
        got = [scores[k].get("comment") for k in order[a:z].tolist()]
        return [t(x) if x else "" for x in got]
    return make


def evaluators_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout,
                     report: Report) -> None:
    doc = src.doc
    supplier = {b["id"]: b["supplier"] for b in doc["bids"]}
    sh = Sheet(wb, "Evaluators", st, freeze="A2", title_rows="1:1")
    sh.header(["Evaluator ID", "Name", "Role", "Conflict declared with", "Supplier",
               "Declared on"])
    for e in doc["evaluators"]:
        cs = e.get("conflicts", [])
        if not cs:
            sh.append([t(e["id"]), t(e["name"]), t(e.get("role") or ""), "none", "", ""])
        for b in cs:
            sh.append([t(e["id"]), t(e["name"]), t(e.get("role") or ""), t(b),
                       t(supplier.get(b, "")), t(src.conflict_dates.get((e["id"], b)) or "")])


#: A bid's reasons listed in its cell on the Bids sheet; an unfinished evaluation of
#: two thousand questions would give a bid thousands (a cell holds 32,767 characters).
CELL_REASONS = 20


def _reasons(reasons: list[str]) -> str:
    """A bid's reasons for its cell: every one, or the first `CELL_REASONS` and a count
    of the rest (`procure-desk results --json` lists every one)."""
    if len(reasons) <= CELL_REASONS:
        return "; ".join(reasons)
    rest = len(reasons) - CELL_REASONS
    return ("; ".join(reasons[:CELL_REASONS])
            + f"; and {rest:,} more ({len(reasons):,} in all)")
