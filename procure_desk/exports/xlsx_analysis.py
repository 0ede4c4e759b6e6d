"""The evidence pack's analysis sheets: Sensitivity (the engine's values) and Shared
service (formulas over the Costs sheet)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..wording import column_letter
from . import Report, Source
from .xlsx_layout import P_BASIS, P_YEARS, F, Layout, Sheet, Styles, flag_rule, note_lines, t


class _Evaluated:
    """An exported evaluation seen as `analysis.analyse` reads a file (no second compute)."""

    def __init__(self, src: Source) -> None:
        self._src = src

    def document(self) -> dict[str, Any]:
        return self._src.doc

    def snapshot(self) -> Any:
        return self._src.results.snap

    def results(self) -> Any:
        return self._src.results


def analysis_of(src: Source) -> dict[str, Any]:
    """The analysis (docs/analysis.md; default draws and seed) of the evaluation exported."""
    from ..analysis import analyse

    return analyse(_Evaluated(src))


FORMULA_TEXT = {"lowest_relative": "lowest cost / this bid's cost",
                "linear_deviation": "1 - (cost - lowest) / lowest, at least 0"}
NEAR = 5.0  # points of weight: a switching value this close is worth a board's attention


def sensitivity_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout,
                      report: Report) -> None:
    """The engine's robustness analysis (values): switching, formulas, withdrawals, Monte Carlo."""
    from ..analysis import plain_warnings

    data = lay.analysis
    names = {b["id"]: b["supplier"] for b in src.doc["bids"]}
    bold = st.bold if st else None

    def who(bid: str | None) -> str:
        return "—" if bid is None else t(f"{bid} {names.get(bid, '')}")

    sh = Sheet(wb, "Sensitivity", st, freeze="A3", title_rows="1:2")
    sh.title("Sensitivity: would the winner survive another weight, price formula or "
             "withdrawn bid?")
    winner = data["winner"]
    leader = "provisional leader" if src.provisional else "winner"
    sh.append([sh.cell(t(f"Today's {leader}: {who(winner)}") if winner else
                       "No bid is ranked, so there is no winner to test.", font=bold)])
    sh.blank()
    sh.append([sh.cell("Findings", font=bold)])
    findings = plain_warnings(data, names, near=NEAR)
    if winner and src.provisional:
        findings.insert(0, "The results are provisional (DRAFT), so the decision cannot be "
                           "called robust yet: these tests show how the provisional "
                           "ranking responds, and must be run again once nothing is "
                           "outstanding (see the Summary sheet).")
    elif winner and data["verdict"]["robust"]:
        findings.insert(0, f"The decision is robust (ProcureDesk's verdict, as on the Summary "
                           f"sheet): {winner} wins under both price formulas, in at least 90% "
                           f"of the simulations, whichever other ranked bid withdraws, and "
                           f"were any failed gateway a pass.")
    elif winner:
        findings.insert(0, "The decision is not robust (ProcureDesk's verdict, as on the "
                           "Summary sheet): " + "; ".join(data["verdict"]["reasons"]) + ".")
    import textwrap

    for line in findings:
        for k, piece in enumerate(textwrap.wrap(line, 150)):
            sh.append([sh.cell("•" if k == 0 else "",
                               align=st.align(horizontal="right") if st else None),
                       sh.spill(t(piece))])
    sh.blank()
    _switching(sh, st, data, who)

    sh.append([sh.cell("Price formula: the winner if every price criterion used it",
                       font=bold)])
    head = sh.header(["Formula", "Price fraction", "", "", "", "Winner",
                      "Same as today's winner"])
    for f, w in data["formulas"].items():
        sh.append([f, FORMULA_TEXT.get(f, ""), "", "", "", who(w),
                   "yes" if w == winner else "no"])
    flag_rule(sh, st, f"G{head + 1}:G{max(sh.row, head + 1)}", "no", "red")
    sh.blank()

    sh.append([sh.cell("Leave one out: the winner if another ranked bid were withdrawn "
                       "(prices re-scored without it)", font=bold)])
    head = sh.header(["Withdrawn bid", "Supplier", "", "", "", "Winner", "",
                      "Rank reversal"])
    for r in data["leave_one_out"]:
        sh.append([t(r["bid"]), t(names.get(r["bid"], "")), "", "", "", who(r["winner"]),
                   "", "yes" if r["reversal"] else "no"])
    if not data["leave_one_out"]:
        sh.append(["none", "no other ranked bid"])
    flag_rule(sh, st, f"H{head + 1}:H{max(sh.row, head + 1)}", "yes", "red")
    sh.blank()
    _monte_carlo(sh, st, src, data["monte_carlo"], names)
    note_lines(sh, st, (
        "Every figure on this sheet is a value computed by ProcureDesk's analysis (see "
        "docs/analysis.md), not a formula: switching values are exact crossings of each "
        "bid's total as a straight line in one weight, not a search."))


def _switching(sh: Sheet, st: Styles | None, data: dict[str, Any],
               who: Callable[[str | None], str]) -> None:
    """Each top-level weight's range within which today's winner stays the winner."""
    sh.append([sh.cell("Switching values: the share of the 100 points within which "
                       "today's winner stays the winner (the other top-level weights keep "
                       "their proportions)", font=st.bold if st else None)])
    head = sh.header(["Node", "Name", "Today's weight (%)", "Holds from (%)",
                      "Holds to (%)", "Winner below", "Winner above",
                      f"Within {NEAR:g} points"])
    pct = "0.00"
    pad = st.align(horizontal="left", indent=1) if st else None
    for e in data["switching"]:
        lo, hi = e["holds_from"], e["holds_to"]
        below, above = e["winner_below"], e["winner_above"]
        near = lo is not None and ((below is not None and e["weight"] - lo <= NEAR)
                                   or (above is not None and hi - e["weight"] <= NEAR))
        if lo is None:
            below_text = above_text = "—"
        else:
            below_text = who(below) if below else "none: holds down to 0%"
            above_text = who(above) if above else "none: holds up to 100%"
        sh.append([t(e["node"]), t(e["name"]), sh.cell(e["weight"], fmt=pct),
                   sh.cell("—" if lo is None else lo, fmt=pct),
                   sh.cell("—" if hi is None else hi, fmt=pct),
                   sh.cell(below_text, align=pad), sh.cell(above_text, align=pad),
                   "yes" if near else "no"])
    flag_rule(sh, st, f"H{head + 1}:H{max(sh.row, head + 1)}", "yes", "amber")
    sh.blank()


def _monte_carlo(sh: Sheet, st: Styles | None, src: Source, mc: dict[str, Any],
                 names: dict[str, str]) -> None:
    """How often each ranked bid wins under uncertain weights and scores, and how."""
    sh.append([sh.cell("Monte Carlo: how often each ranked bid wins when weights and "
                       "scores are uncertain", font=st.bold if st else None)])
    sh.append([sh.spill("Draws"), "", sh.cell(mc["draws"], fmt="#,##0")])
    sh.append([sh.spill("Random seed"), "", mc["seed"]])
    sh.append([sh.spill("Weight noise (sd of the log of each weight's factor)"), "",
               mc["weight_sigma"]])
    sh.header(["Bid ID", "Supplier", "Rank today", "Win probability"])
    res = src.results
    rank = {res.snap.bid_ids[i]: res.rank[i] for i in res.ranking}
    for bid, prob in mc["win_probability"].items():
        sh.append([t(bid), t(names.get(bid, "")), rank.get(bid),
                   sh.cell(prob, fmt="0.0%")])
    sh.blank()
    note_lines(sh, st, (
        f"Method: in each of {mc['draws']:,} draws (random seed {mc['seed']}), every weight "
        f"the panel set is multiplied by its own lognormal factor exp({mc['weight_sigma']:g} "
        f"z), median 1, and renormalised among its siblings; each final score without a "
        f"consensus moves by normal noise with its standard error (the evaluators' "
        f"standard deviation over the square root of their number); consensus scores, "
        f"statuses, costs and price fractions stay as they are. The winner of each draw "
        f"follows the scoring rules, ties included. The same seed gives the same figures."))


@dataclass
class _SharedRefs:
    """Where the Shared service sheet's formulas find things."""

    basis_col: str  # Costs: the cost basis column
    cost_row0: int  # Costs: the first bid's row
    bidx: dict[str, int]  # bid id -> its index
    prow0: int  # first partner row
    prow: dict[str, int]  # partner id -> its row
    factor: str  # what 1 a year is worth over the appraisal period
    alone: str  # the cost of going alone
    alone_bid: str | None  # the bid a partner would buy alone (the engine's choice)
    r0: int  # first (bid, partner) row
    r1: int  # last (bid, partner) row (r0 when there is none)
    costs: Any = None  # each bid's cost basis (the engine's)

    def basis(self, bid: str) -> str:
        return f"Costs!${self.basis_col}${self.cost_row0 + self.bidx[bid]}"

    @property
    def bids(self) -> str:
        return f"$A${self.r0}:$A${self.r1}"

    @property
    def pops(self) -> str:
        return f"$F${self.r0}:$F${self.r1}"


def shared_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    """Per shared bid and partner: share, cost, baseline and saving, as live formulas.

    The cost basis comes from the Costs sheet, shares from the partners' populations
    (or 1/n, or the custom percentages, which are inputs), the baseline from each
    partner's annual cost times what 1 a year is worth over the appraisal period on
    the same basis (the Costs sheet's discount factors for NPV, the years for WLC).
    Which bid a partner would buy alone is the engine's choice (a value).
    """
    from ..analysis import apportion, go_alone

    doc, res = src.doc, src.results
    years = int(doc["evaluation"]["appraisal"]["years"])
    partners = doc.get("partners", [])
    prow0 = 6  # first partner row
    par = prow0 + max(len(partners), 1) + 1  # parameter block: factor, then going alone
    rows = [(b, m) for b in doc["bids"] if b.get("apportionment")
            for m, _, _ in apportion(b["apportionment"], partners)]
    r0 = par + 6
    refs = _SharedRefs(basis_col=column_letter(5 + years), cost_row0=lay.cost_row0,
                       bidx={b["id"]: i for i, b in enumerate(doc["bids"])}, prow0=prow0,
                       prow={p["id"]: prow0 + k for k, p in enumerate(partners)},
                       factor=f"$E${par + 1}", alone=f"$E${par + 2}",
                       alone_bid=go_alone(res.snap, res)[0], r0=r0,
                       r1=max(r0 + len(rows) - 1, r0), costs=res.snap.cost_basis)
    bold = st.bold if st else None
    sh = Sheet(wb, "Shared service", st, freeze="A3", title_rows="1:2")
    sh.title("Shared service: what each partner council pays and saves")
    sh.append([sh.cell("Formulas over the Costs sheet and the partners below (inputs shaded "
                       "yellow); figures on the evaluation's cost basis "
                       f"({doc['evaluation']['appraisal']['cost_basis'].upper()}).",
                       font=st.italic if st else None)])
    sh.blank()
    sh.append([sh.cell("Partners (inputs)", font=bold)])
    _partners(sh, st, refs, partners, _factor(src))
    assert sh.row + 1 == par
    alone_bid = refs.alone_bid
    money = st.money if st else None
    ycols = f"Costs!$C$4:${column_letter(2 + years)}$4"
    factor = _factor(src)
    alone_cost = float(res.snap.cost_basis[refs.bidx[alone_bid]]) if alone_bid else None
    sh.append([sh.cell("Parameters", font=bold)])  # par
    sh.append([sh.spill("What 1 a year over the appraisal period is worth on the cost "
                        "basis"),
               "", "", "",
               sh.cell(F(f'=IF({P_BASIS}="wlc",{P_YEARS},SUM({ycols}))', factor),
                       fmt="0.0000")])
    sh.append([sh.spill("Going alone: the whole cost of the cheapest ranked bid not "
                        "shared"), "", "",
               "", sh.cell(F(f"={refs.basis(alone_bid)}", alone_cost) if alone_bid else None,
                           fmt=money),
               sh.cell(t(f"{alone_bid} {src.supplier(alone_bid)}") if alone_bid
                       else "none: every ranked bid is shared",
                       align=st.align(horizontal="left", indent=1) if st else None)])
    sh.blank()
    sh.append([sh.cell("Per shared bid and partner", font=bold)])  # par + 4
    _shares(sh, st, refs, rows, partners, lay.analysis["shared"])
    sh.blank()
    _break_even(sh, st, refs, src, len(partners), lay.analysis["break_even"])
    sh.blank()
    note_lines(sh, st, (
        "Shares: equal is 1/n of the partners sharing the bid; population is the partner's "
        "population over theirs in total (equal when none is recorded); custom is the "
        "percentage agreed (an input). Partner's cost = share x the bid's cost basis "
        "(Costs sheet). Baseline = the partner's annual cost today in every year of the "
        "appraisal period on the same basis. Saving = baseline - partner's cost (red when "
        "sharing costs more than today)."))
    note_lines(sh, st, (
        "Going alone is the whole cost of the cheapest ranked bid without an apportionment: "
        "sharing beats going alone when the partner's cost is below it. Which bid that is "
        "comes from ProcureDesk's analysis (a value); if you change an input, recheck it. "
        "Break-even: the smallest n with cost / n below going alone, the bid's cost taken "
        "as fixed whatever the number of partners."))


def _factor(src: Source) -> float:
    """What 1 a year over the appraisal period is worth on the cost basis."""
    appr = src.ev["appraisal"]
    years = int(appr["years"])
    if appr["cost_basis"] == "wlc":
        return float(years)
    return sum(1 / (1 + float(appr["discount_rate"])) ** y for y in range(years))


def _partners(sh: Sheet, st: Styles | None, refs: _SharedRefs,
              partners: list[dict[str, Any]], factor: float) -> None:
    """The partner councils (inputs) and each one's baseline over the appraisal period."""
    money = st.money if st else None
    sh.header(["Partner ID", "Name", "Population", "Annual baseline",
               "Baseline over the appraisal period"])  # row prow0 - 1
    for p in partners:
        r = sh.row + 1
        pop = p.get("population")
        base = p.get("baseline_annual_cost")
        sh.append([t(p["id"]), t(p["name"]), sh.input(pop, fmt="#,##0"),
                   sh.input(float(base) if base is not None else None, fmt=money),
                   sh.cell(F(f"=D{r}*{refs.factor}", float(base or 0) * factor), fmt=money)])
    if not partners:
        sh.append(["none", "No partner councils are recorded."])
    sh.blank()


def _shares(sh: Sheet, st: Styles | None, refs: _SharedRefs,
            rows: list[tuple[dict[str, Any], str]], partners: list[dict[str, Any]],
            figures: list[dict[str, Any]]) -> None:
    """One row per shared bid and partner: share, cost, baseline, savings."""
    money = st.money if st else None
    pad = st.align(horizontal="left", indent=1) if st else None
    centre = st.align(horizontal="center") if st else None
    got = {(x["bid"], x["partner"]): x for x in figures}
    alone_bid, prow = refs.alone_bid, refs.prow
    sh.header(["Bid ID", "Supplier", "Method", "Partner ID", "Partner", "Population",
               "Custom %", "Share", "Bid's cost", "Partner's cost",
               "Baseline", "Saving", "Going alone", "Saving vs alone",
               "Beats alone"])  # par + 5
    assert sh.row + 1 == refs.r0
    for b, m in rows:
        r = sh.row + 1
        app = b["apportionment"]
        method = app.get("method", "equal")
        n = f"COUNTIF({refs.bids},$A{r})"
        pct: Any = None
        if method == "custom":
            pct = float((app.get("shares") or {}).get(m, 0.0))
            share = f"=G{r}/100"
        elif method == "population":
            tot = f"SUMIF({refs.bids},$A{r},{refs.pops})"
            share = f"=IF({tot}>0,F{r}/{tot},1/{n})"
        else:
            share = f"=1/{n}"
        partner = next(p for p in partners if p["id"] == m)
        x = got[b["id"], m]
        alone = x["go_alone_cost"]
        sh.append([t(b["id"]), t(b["supplier"]), sh.cell(method, align=pad), t(m),
                   t(partner["name"]),
                   sh.cell(F(f"=$C${prow[m]}", partner.get("population")), fmt="#,##0"),
                   sh.input(pct, fmt="0.00") if method == "custom" else "",
                   sh.cell(F(share, x["share"]), fmt="0.00%"),
                   sh.cell(F(f"={refs.basis(b['id'])}", _basis(refs, b["id"])), fmt=money),
                   sh.cell(F(f"=H{r}*I{r}", x["cost"]), fmt=money),
                   sh.cell(F(f"=$D${prow[m]}*{refs.factor}", x["baseline"]), fmt=money),
                   sh.cell(F(f"=K{r}-J{r}", x["saving"]), fmt=money),
                   sh.cell(F(f"={refs.alone}", alone) if alone_bid else None, fmt=money),
                   sh.cell(F(f"=M{r}-J{r}", alone - x["cost"]) if alone_bid else None,
                           fmt=money),
                   sh.cell(F(f'=IF(J{r}<M{r},"yes","no")', "yes" if x["beats_go_alone"]
                             else "no") if alone_bid else "n/a", align=centre)])
    if not rows:
        sh.append(["none", "No bid has an apportionment: nothing is shared."])
    elif st is not None:
        flag_rule(sh, st, f"O{refs.r0}:O{refs.r1}", "no", "amber")
        sh.rule(f"L{refs.r0}:L{refs.r1}", "0", st.red_fill, criteria="<")


def _basis(refs: _SharedRefs, bid: str) -> float:
    return float(refs.costs[refs.bidx[bid]])


def _break_even(sh: Sheet, st: Styles | None, refs: _SharedRefs, src: Source,
                n_partners: int, entries: list[dict[str, Any]]) -> None:
    """Per bid: how many partners of average size sharing it would beat going alone."""
    money = st.money if st else None
    bold = st.bold if st else None
    centre = st.align(horizontal="center") if st else None
    sh.append([sh.cell("Break-even: partners of average size needed for sharing to beat "
                       "going alone (each pays the cost / n)", font=bold)])
    sh.header(["Bid ID", "Supplier", "Bid's cost", "Going alone",
               "Partners of average size needed", "Sharing now", "Avg. population"])
    pops = (f"$C${refs.prow0}:$C${refs.prow0 + n_partners - 1}" if n_partners else None)
    for e in entries:
        r = sh.row + 1
        need = e["partners_needed"]
        needed = (F(f'=IF(D{r}<=0,"n/a",IF(C{r}<D{r},1,INT(C{r}/D{r})+1))',
                    "n/a" if need is None else need) if refs.alone_bid else "n/a")
        sh.append([t(e["bid"]), t(src.supplier(e["bid"])),
                   sh.cell(F(f"={refs.basis(e['bid'])}", e["cost"]), fmt=money),
                   sh.cell(F(f"={refs.alone}", e["go_alone_cost"]) if refs.alone_bid else None,
                           fmt=money),
                   sh.cell(needed, font=bold, align=centre),
                   sh.cell(F(f"=COUNTIF({refs.bids},A{r})", e["partners_sharing"]),
                           align=centre),
                   sh.cell(F(f"=SUM({pops})/ROWS({pops})", e["average_population"])
                           if pops else None, fmt="#,##0")])
    if not entries:
        sh.append(["none"])
