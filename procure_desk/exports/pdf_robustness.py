"""Section 4 of the PDF report: would the winner survive another weight, price formula or
withdrawn bid? Said plainly first, then the tables behind it (the engine's analysis)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..wording import money
from . import Source
from .pdf_fonts import markup as para

if TYPE_CHECKING:
    from .pdf_base import Kit

NEAR = 5.0  # points of weight: a switching value this close is reported as a finding
PRICE_FORMULAS = {
    "lowest_relative": "relative to the lowest: lowest cost / this bid's cost (1 when the "
                       "cost is 0)",
    "linear_deviation": "linear deviation: 1 - (cost - lowest) / lowest, never below 0",
}


def robustness_findings(analysis: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The ways the winner could change, in plain words (empty when it holds throughout)."""
    from ..analysis import plain_warnings

    if analysis.get("winner") is None:
        return []
    return plain_warnings(analysis, names, near=NEAR)


def _kept(block: list[Any], rows: int) -> list[Any]:
    """A heading, its words and a short table on one page; a long table may split."""
    from reportlab.platypus import KeepTogether

    return [KeepTogether(block)] if rows <= 20 else block


def _depends(analysis: dict[str, Any]) -> list[str]:
    """What the winner depends on: the price formula, a near weight, a withdrawal."""
    parts = []
    if len(set(analysis["formulas"].values())) > 1:
        parts.append("the price formula")
    for e in analysis["switching"]:
        lo, hi = e["holds_from"], e["holds_to"]
        if lo is not None and ((e["winner_below"] and e["weight"] - lo <= NEAR)
                               or (e["winner_above"] and hi - e["weight"] <= NEAR)):
            parts.append(f"the weight of {e['node']} ({e['name']}), within {NEAR:g} "
                         f"points of today's")
    rev = [r["bid"] for r in analysis["leave_one_out"] if r["reversal"]]
    if rev:
        shown = ", ".join(rev[:5]) + (f" and {len(rev) - 5} more" if len(rev) > 5 else "")
        parts.append(f"whether {shown} {'withdraws' if len(rev) == 1 else 'withdraw'}")
    return parts


def robustness_summary(analysis: dict[str, Any], verdict: dict[str, Any] | None = None,
                       provisional: bool = False) -> str:
    """One sentence for the executive summary: what the winner depends on, if anything,
    and never "robust" unless the verdict (`integrity.verdict`) is."""
    from .pdf_governance import ROBUSTNESS_CAVEAT

    winner = analysis["winner"]
    verdict = verdict or analysis.get("verdict") or {"robust": False, "reasons": []}
    if provisional:
        return ROBUSTNESS_CAVEAT
    parts = _depends(analysis)
    if parts:
        said = parts[0] if len(parts) == 1 else ("; on ".join(parts[:-1]) + "; and on "
                                                  + parts[-1])
        return f"The winner depends on {said}."
    if verdict["robust"]:
        share = analysis["monte_carlo"]["win_probability"].get(winner, 0.0)
        return (f"The recommendation is robust: {winner} wins under both price formulas, "
                f"no top-level weight within {NEAR:g} points of today's would change the "
                f"winner, neither would any other bid withdrawing, and it won {share:.1%} "
                f"of the simulations.")
    return (f"{winner} wins under both price formulas, no top-level weight within "
            f"{NEAR:g} points of today's would change the winner, and neither would any "
            f"other bid withdrawing; but see the verdict.")


def verdict_sentence(verdict: dict[str, Any]) -> str:
    """The verdict in one sentence, with its first reason."""
    if verdict["robust"]:
        return "Robust: every test held (section 4)."
    reasons = verdict["reasons"]
    if not reasons:
        return "Not robust."
    more = len(reasons) - 1
    return (f"Not robust: {reasons[0]}"
            + (f" (and {more} more reason{'s' if more != 1 else ''} in section 4)."
               if more else "."))


def robustness_section(kit: Kit, src: Source, analysis: dict[str, Any], findings: list[str],
                       verdict: dict[str, Any], integrity: list[Any]) -> list[Any]:
    """Section 4: the verdict and the decision's integrity (`integrity`, already laid
    out), then would the winner survive another weight, formula or withdrawn bid?

    Says plainly what could change the winner (the price formula, a top-level
    weight within NEAR points of today's, a withdrawn bid), or that nothing
    tested does, then the tables behind it. Supplier text is escaped.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak

    names = {b["id"]: b["supplier"] for b in src.doc["bids"]}
    winner = analysis["winner"]

    def who(bid: str | None) -> str:
        return "—" if bid is None else f"{bid} {names.get(bid, '')}"

    out: list[Any] = [kit.heading("4. Robustness and decision integrity", 0, key="s4"),
                      kit.m(
        "Would the recommendation survive a challenge? The verdict says robust only when "
        "the results are final, no withdrawal reverses the winner, both price formulas give "
        "the same winner, the winner wins at least 90% of the simulations and no failed "
        "gateway would change the winner were it a pass. The Excel evidence pack "
        "(Sensitivity and Shared service sheets) holds the same figures.")]
    if winner is None:
        out.append(kit.p("No bid is ranked yet, so there is no winner to test."))
        return out + integrity
    out += integrity
    out.append(CondPageBreak(60 * mm))
    out.append(kit.heading("Robustness tests", 1, key="robustness-tests"))
    out.append(kit.p("Each test keeps the recorded scores, costs and statuses and changes "
                     "one thing."))
    if src.provisional:
        from .pdf_governance import ROBUSTNESS_CAVEAT

        out.append(kit.m("<b>Not yet robust: the results are provisional.</b> "
                         + para(ROBUSTNESS_CAVEAT)))
    if findings:
        out.append(kit.m(f"<b>The {'provisional leader' if src.provisional else 'winner'} "
                         f"could change.</b> {len(findings)} of the tests "
                         f"below {'finds' if len(findings) == 1 else 'find'} a way:"))
        out += [kit.p("• " + f) for f in findings]
    elif src.provisional:
        out.append(kit.p(
            f"On the provisional results, {who(winner)} leads under both price formulas; "
            f"no top-level weight would have to move by less than {NEAR:g} points to "
            f"change the leader; and withdrawing any other ranked bid leaves {winner} "
            f"ahead."))
    else:
        lead = ("<b>The decision is robust.</b> " if verdict["robust"]
                else "<b>These tests hold, but the verdict says not robust (see above).</b> ")
        out.append(kit.m(lead + kit.t(
            f"{who(winner)} wins under both price formulas; no top-level weight would have "
            f"to move by less than {NEAR:g} points to change the winner; and withdrawing "
            f"any other ranked bid leaves {winner} the winner.")))
    mc = analysis["monte_carlo"]
    prob = mc["win_probability"]
    if prob:
        out.append(kit.p(
            f"With the weights and the evaluators' scores both uncertain, {winner} won "
            f"{prob.get(winner, 0.0):.1%} of {mc['draws']:,} simulated draws (see below)."))
    out += _switching(kit, analysis["switching"], who)
    out.append(CondPageBreak(40 * mm))
    out += _formulas(kit, analysis["formulas"], winner, who)
    out.append(CondPageBreak(40 * mm))
    out += _withdrawals(kit, analysis["leave_one_out"], names, who)
    out += _monte_carlo(kit, src, mc, names)
    if analysis["shared"]:
        out += _shared(kit, src, analysis, who)
    return out


def _switching(kit: Kit, switching: list[dict[str, Any]],
               who: Callable[[str | None], str]) -> list[Any]:
    """How far each top-level weight could move before the winner changes."""
    from reportlab.lib.units import mm

    out = [kit.m("Weights: how far each could move before the winner changes", kit.h2),
           kit.m("Each top-level weight is moved from 0 to 100 while the others keep their "
                 "proportions; the winner holds within the interval shown. Rows shaded amber "
                 f"have an end within {NEAR:g} points of today's weight.")]
    rows, extra = [], []
    for k, e in enumerate(switching, start=1):
        lo, hi = e["holds_from"], e["holds_to"]
        below, above = e["winner_below"], e["winner_above"]
        near = lo is not None and ((below is not None and e["weight"] - lo <= NEAR)
                                   or (above is not None and hi - e["weight"] <= NEAR))
        if near:
            extra.append(("BACKGROUND", (0, k), (-1, k), kit.colors.HexColor("#FFE699")))
        rows.append([kit.cell(e["node"], width=12 * mm), kit.cell(e["name"], width=38 * mm),
                     f"{e['weight']:.1f}%", "—" if lo is None else f"{lo:.1f}%",
                     "—" if hi is None else f"{hi:.1f}%",
                     kit.cell(who(below) if below else "none", width=36 * mm),
                     kit.cell(who(above) if above else "none", width=36 * mm)])
    out.append(kit.table(["Node", "Name", "Weight", "Holds from", "Holds to",
                          "Winner below", "Winner above"], rows,
                         [12 * mm, 38 * mm, 16 * mm, 19 * mm, 17 * mm, 36 * mm, 36 * mm],
                         align_right=(2, 3, 4), extra=extra))
    return out


def _formulas(kit: Kit, formulas: dict[str, str | None], winner: str,
              who: Callable[[str | None], str]) -> list[Any]:
    """The winner under each price formula."""
    from reportlab.lib.units import mm

    rows, extra = [], []
    for k, (f, w) in enumerate(formulas.items(), start=1):
        if w != winner:
            extra.append(("BACKGROUND", (0, k), (-1, k), kit.colors.HexColor("#F8CBAD")))
        rows.append([kit.m(PRICE_FORMULAS.get(f, f), kit.small),
                     kit.cell(who(w), width=64 * mm), "yes" if w == winner else "no"])
    return [kit.m("Price formula", kit.h2),
            kit.table(["If every price criterion used", "Winner", "Same"], rows,
                      [92 * mm, 64 * mm, 18 * mm], extra=extra)]


def _withdrawals(kit: Kit, loo: list[dict[str, Any]], names: dict[str, str],
                 who: Callable[[str | None], str]) -> list[Any]:
    """The winner if each other ranked bid were withdrawn."""
    from reportlab.lib.units import mm

    out = [kit.m("Withdrawn bids", kit.h2)]
    if not loo:
        out.append(kit.p("Only one bid is ranked: there is no other bid to withdraw."))
        return out
    out.append(kit.m(
        "The winner if each other ranked bid were withdrawn, with prices re-scored "
        "without it. A change is a rank reversal: a known flaw of relative price "
        "formulas that a challenger may raise."))
    rows, extra = [], []
    for k, r in enumerate(loo, start=1):
        if r["reversal"]:
            extra.append(("BACKGROUND", (0, k), (-1, k), kit.colors.HexColor("#F8CBAD")))
        rows.append([r["bid"], kit.cell(names.get(r["bid"], ""), width=72 * mm),
                     kit.cell(who(r["winner"]), width=62 * mm),
                     "yes" if r["reversal"] else "no"])
    out.append(kit.table(["Withdrawn", "Supplier", "Winner", "Reversal"], rows,
                         [20 * mm, 72 * mm, 62 * mm, 20 * mm], extra=extra))
    return out


def _monte_carlo(kit: Kit, src: Source, mc: dict[str, Any], names: dict[str, str]
                 ) -> list[Any]:
    """How often each bid won with the weights and scores uncertain."""
    from reportlab.lib.units import mm

    prob = mc["win_probability"]
    block: list[Any] = [kit.m("Uncertain weights and scores (Monte Carlo)", kit.h2)]
    block.append(kit.p(
        f"In each of {mc['draws']:,} draws (random seed {mc['seed']}) every weight is "
        f"multiplied by its own random factor (lognormal, median 1, sd of the log "
        f"{mc['weight_sigma']:g}) and renormalised among its siblings, and each final score "
        f"without a consensus moves by its standard error (the evaluators' spread over the "
        f"square root of their number); consensus scores, costs and statuses stay as they "
        f"are. The table gives how often each bid won."))
    ranks = {src.results.snap.bid_ids[i]: src.results.rank[i] for i in src.results.ranking}
    shown = [(b, p) for b, p in prob.items() if p > 0]
    rows = [[str(ranks.get(b) or "—"), b, kit.cell(names.get(b, ""), width=118 * mm),
             f"{p:.1%}"] for b, p in shown]
    block.append(kit.table(["Rank", "Bid", "Supplier", "Won"], rows,
                           [14 * mm, 16 * mm, 118 * mm, 26 * mm], align_right=(3,)))
    if len(shown) < len(prob):
        n = len(prob) - len(shown)
        block.append(kit.p(f"The other {n} ranked bid{'s' if n != 1 else ''} won no draw.",
                           kit.small))
    return _kept(block, len(rows))


def _shared(kit: Kit, src: Source, analysis: dict[str, Any],
            who: Callable[[str | None], str]) -> list[Any]:
    """What each partner of a shared bid pays and saves, and the break-even per bid."""
    from reportlab.lib.units import mm

    cur = src.ev.get("currency") or "GBP"
    red = kit.colors.HexColor("#C00000")
    basis = src.ev["appraisal"]["cost_basis"].upper()
    block = [kit.m("Shared service: what each partner pays and saves", kit.h2)]
    block.append(kit.p(
        f"Each partner's cost is its share of the bid's cost ({basis}); its baseline "
        f"is what it pays today, every year of the appraisal period on the same basis; "
        f"the saving is the difference. Going alone is the whole cost of the cheapest "
        f"ranked bid that is not shared."))
    partners = {p["id"]: p["name"] for p in src.doc.get("partners", [])}
    rows, extra = [], []
    for k, r in enumerate(analysis["shared"], start=1):
        if r["saving"] < 0:
            extra.append(("TEXTCOLOR", (5, k), (5, k), red))
        if r["beats_go_alone"] is False:
            extra.append(("TEXTCOLOR", (6, k), (6, k), red))
        beats = {True: "yes", False: "no", None: "—"}[r["beats_go_alone"]]
        rows.append([r["bid"], kit.cell(f"{r['partner']} {partners.get(r['partner'], '')}",
                                        width=54 * mm),
                     f"{r['share']:.1%}", money(r["cost"], cur), money(r["baseline"], cur),
                     money(r["saving"], cur), beats])
    block.append(kit.table(["Bid", "Partner", "Share", "Cost", "Baseline", "Saving",
                            "Beats going alone"], rows,
                           [14 * mm, 54 * mm, 16 * mm, 22 * mm, 22 * mm, 22 * mm,
                            24 * mm], align_right=(2, 3, 4, 5), extra=extra))
    out = _kept(block, len(rows))
    for e in analysis["break_even"]:
        if e["go_alone_bid"] is None:
            text = (f"{e['bid']}: every ranked bid is shared, so there is no go-alone "
                    f"option to compare with.")
        elif e["partners_needed"] is None:
            text = (f"{e['bid']}: going alone with {who(e['go_alone_bid'])} costs "
                    f"nothing, so sharing cannot beat it.")
        else:
            n = e["partners_needed"]
            text = (f"Break-even for {e['bid']}: against going alone with "
                    f"{who(e['go_alone_bid'])} at {money(e['go_alone_cost'], cur)}, "
                    f"{n} partner{'s' if n != 1 else ''} of average size must share it "
                    f"for each to pay less; {e['partners_sharing']} share it now.")
        out.append(kit.p(text))
    return out
