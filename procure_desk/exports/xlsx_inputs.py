"""The evidence pack's input sheets: criteria, bids, costs, scores and evaluators.

The inputs the formulas read are shaded yellow; the per-year costs, whole-life
cost and NPV are formulas over the cost lines.
"""

from __future__ import annotations

from typing import Any

from ..wording import column_letter
from . import Report, Source
from .xlsx_layout import P_BASIS, P_DISCOUNT, Layout, Sheet, Styles, status_rules, t


def criteria_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    crit = src.doc["criteria"]
    sh = Sheet(wb, "Criteria", st, caps={11: 70}, freeze="C2", title_rows="1:1")
    sh.header(["ID", "Name", "Kind", "Parent", "Weight", "Sibling weights", "Share",
               "Effective weight (%)", "Min score", "Price formula", "Guidance"])
    depth: dict[str, int] = {}
    siblings: dict[Any, list[str]] = {}
    for c in crit:
        if c["kind"] != "pass_fail":
            siblings.setdefault(c.get("parent"), []).append(c["id"])
    fill = st.input_fill if st else None
    for c in crit:
        p = c.get("parent")
        depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
        r = lay.crow[c["id"]]
        align = st.Alignment(indent=depth[c["id"]] * 2, vertical="top") if st else None
        font = st.bold if st and c["kind"] == "section" else None
        row: list[Any] = [t(c["id"]), sh.cell(t(c["name"]), align=align, font=font),
                          c["kind"], t(p or "")]
        if c["kind"] == "pass_fail":
            row += ["", "", "", "gateway"]
        else:
            sib = siblings[p]
            refs = ",".join(f"E{lay.crow[s]}" for s in sib)
            eff = f"=100*G{r}" if p is None else f"=H{lay.crow[p]}*G{r}"
            row += [sh.cell(float(c.get("weight") or 0), fill=fill),
                    sh.cell(f"=SUM({refs})", fmt="0.##"),
                    sh.cell(f"=IF(F{r}=0,0,E{r}/F{r})", fmt="0.0000"),
                    sh.cell(eff, fmt="0.0000")]
        row += [c.get("min_score") if c.get("min_score") is not None else "",
                c.get("formula") or ("lowest_relative" if c["kind"] == "price" else ""),
                sh.cell(t(c.get("guidance") or ""), align=st.wrap if st else None)]
        sh.append(row)
    leaves = [f"H{lay.crow[c['id']]}" for c in crit if c["kind"] in ("scored", "price")]
    sh.blank()
    sh.append(["", sh.spill("Effective weights of all scored and price criteria add up to",
                            font=st.italic if st else None), "", "", "", "", "",
               sh.cell(f"=SUM({','.join(leaves)})" if leaves else 0, fmt="0.0000")])
    sh.blank()
    desc = (src.doc["evaluation"]["scale"].get("descriptors") or {})
    if desc:
        sh.append([sh.cell("Score", font=st.bold if st else None),
                   sh.cell("Descriptor", font=st.bold if st else None)])
        for k in sorted(desc, key=lambda x: float(x)):
            sh.append([t(k), sh.spill(t(desc[k]))])


def bids_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc, res = src.doc, src.results
    gates = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
    result = {(g["bid"], g["criterion"]): g for g in doc.get("gateways", [])}
    n = 6 + len(gates)
    sh = Sheet(wb, "Bids", st, caps={6: 60, n + 1: 60, n + 3: 70}, freeze="C2",
                title_rows="1:1")
    sh.header(["Bid ID", "Supplier", "Option type", "SME", "Term (years)", "Notes",
               *[t(f"{g['id']} {g['name']}") for g in gates], "Gateway notes", "Status",
               "Reasons"])
    wrap = st.wrap if st else None
    for i, b in enumerate(doc["bids"]):
        cells = []
        notes = []
        for g in gates:
            r = result.get((b["id"], g["id"]))
            cells.append("No result" if r is None else ("Pass" if r["passed"] else "Fail"))
            if r is not None and r.get("note"):
                notes.append(f"{g['id']}: {r['note']}")
        sh.append([t(b["id"]), t(b["supplier"]), b.get("option_type", ""),
                   "Yes" if b.get("sme") else "No",
                   b.get("term_years") if b.get("term_years") is not None else "",
                   sh.cell(t(b.get("notes") or ""), align=wrap), *cells,
                   sh.cell(t("; ".join(notes)), align=wrap), res.status[i],
                   sh.cell(t("; ".join(res.reasons[i])), align=wrap)])
    if st is not None and doc["bids"]:
        from openpyxl.formatting.rule import CellIsRule

        last = lay.nb + 1
        if gates:
            rng = f"G2:{column_letter(6 + len(gates))}{last}"
            sh.ws.conditional_formatting.add(
                rng, CellIsRule(operator="equal", formula=['"Fail"'], fill=st.red_fill))
            sh.ws.conditional_formatting.add(
                rng, CellIsRule(operator="equal", formula=['"No result"'], fill=st.amber_fill))
        status = column_letter(8 + len(gates))
        status_rules(sh, st, f"{status}2:{status}{last}")


def costs_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc = src.doc
    years = int(doc["evaluation"]["appraisal"]["years"])
    money = st.money if st else None
    sh = Sheet(wb, "Costs", st, freeze="C5", title_rows="3:3")
    lines = [(b["id"], line) for b in doc["bids"] for line in b.get("costs", [])]
    l0 = lay.cost_row0 + lay.nb + 3  # header row of the cost lines
    first, last = l0 + 1, max(l0 + len(lines), l0 + 1)
    amt, bidc = f"$D${first}:$D${last}", f"$A${first}:$A${last}"
    start, end = f"$E${first}:$E${last}", f"$G${first}:$G${last}"
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
               *[sh.cell(f"=1/(1+{P_DISCOUNT})^{c}$3", fmt="0.0000") for c in ycols]])  # 4
    for b in doc["bids"]:
        r = sh.row + 1
        yc = [sh.cell(f'=SUMIFS({amt},{bidc},$A{r},{start},"<="&{c}$3,{end},">"&{c}$3)',
                      fmt=money) for c in ycols]
        span = f"{ycols[0]}{r}:{ycols[-1]}{r}"
        sh.append([t(b["id"]), t(b["supplier"]), *yc,
                   sh.cell(f"=SUM({span})", fmt=money),
                   sh.cell(f"=SUMPRODUCT({span},{ycols[0]}$4:{ycols[-1]}$4)", fmt=money),
                   sh.cell(f'=IF({P_BASIS}="wlc",{c_wlc}{r},{c_npv}{r})', fmt=money)])
    sh.blank()
    sh.blank()
    sh.append([sh.cell("Cost lines (inputs; amounts are per year)",
                       font=st.bold if st else None)])
    assert sh.row + 1 == l0
    sh.header(["Bid ID", "Item", "Category", "Amount per year", "Start year", "Years",
               "Ends before year"])
    fill = st.input_fill if st else None
    for bid, line in lines:
        r = sh.row + 1
        sh.append([t(bid), t(line.get("item", "")), line.get("category", ""),
                   sh.cell(float(line["amount"]), fmt=money, fill=fill),
                   int(line["start_year"]), int(line["years"]), f"=E{r}+F{r}"])


def scores_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    doc = src.doc
    names = {e["id"]: e["name"] for e in doc["evaluators"]}
    supplier = {b["id"]: b["supplier"] for b in doc["bids"]}
    cname = {c["id"]: c["name"] for c in doc["criteria"]}
    conflicts = {(e["id"], b) for e in doc["evaluators"] for b in e.get("conflicts", [])}
    sh = Sheet(wb, "Scores", st, caps={10: 70}, freeze="A2", title_rows="1:1")
    sh.header(["Evaluator ID", "Evaluator", "Bid ID", "Supplier", "Criterion ID", "Criterion",
               "Score", "Conflict declared", "Counts (1 = yes)", "Comment"])
    en = {k: t(v) for k, v in names.items()}
    sn = {k: t(v) for k, v in supplier.items()}
    cn = {k: t(v) for k, v in cname.items()}
    scores = doc["scores"]
    n = len(scores)
    for k, s in enumerate(scores):
        if k % 4000 == 0 and k:
            report(0.4 + 0.15 * k / n, f"Writing scores ({k:,} of {n:,})")
        r = k + 2
        e, b, c = s["evaluator"], s["bid"], s["criterion"]
        comment = s.get("comment") or ""
        sh.append([t(e), en[e], t(b), sn[b], t(c), cn[c], s["score"],
                   "yes" if (e, b) in conflicts else "no", f'=IF(H{r}="yes",0,1)',
                   t(comment) if comment else ""])
    if st is not None and n:
        from openpyxl.formatting.rule import CellIsRule

        sh.ws.conditional_formatting.add(
            f"H2:H{n + 1}", CellIsRule(operator="equal", formula=['"yes"'], fill=st.red_fill))
    lay.scores_last = max(n + 1, 2)


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
