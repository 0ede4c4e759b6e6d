"""`procure-desk analyse FILE [--json] [--draws N] [--seed S]`: see docs/analysis.md."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .errors import BadInput


def register(sub: Any) -> None:
    s = sub.add_parser("analyse", aliases=["analyze"],
                       help="sensitivity, robustness and shared-service figures")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="print the analysis JSON")
    s.add_argument("--draws", type=int, default=None, metavar="N",
                   help="Monte Carlo draws (default 10,000)")
    s.add_argument("--seed", type=_seed, default=None, metavar="S",
                   help="Monte Carlo random seed (default 1): the same seed gives the same figures")
    s.set_defaults(run=cmd_analyse)


def _seed(text: str) -> int:
    """A seed numpy accepts: a whole number 0 or more (argparse turns the error into exit 2)."""
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("must be a whole number 0 or more")
    return value


def cmd_analyse(args: argparse.Namespace) -> int:
    from . import analysis
    from .readers import read

    draws = analysis.DEFAULT_DRAWS if args.draws is None else args.draws
    seed = analysis.DEFAULT_SEED if args.seed is None else args.seed
    if not 1 <= draws <= analysis.MAX_DRAWS:
        raise BadInput.one("--draws", f"{draws} is not between 1 and {analysis.MAX_DRAWS:,}")
    got = read(args.file)  # read-only: no ORM (procure_desk/readers.py)
    data = analysis.analyse(got, draws=draws, seed=seed)
    doc = got.document()
    if args.json:
        import json

        out = analysis.contract_json(data)
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(analysis_text(doc, data))
    return 0


def _clip(text: Any, width: int = 40) -> str:
    """One line, at most `width` characters: supplier text may hold anything."""
    text = " ".join(str(text).split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}%"


def _switching_lines(data: dict[str, Any], who: Any) -> list[str]:
    lines = ["", "Switching values (weight of each top-level criterion; the others keep "
                 "their proportions):"]
    if data["switching"]:
        lines.append(f"  {'Node':<28} {'Today':>7} {'Holds from':>10} {'to':>7}  "
                     f"{'Winner below':<26} {'Winner above':<26}")
    else:
        lines.append("  No criterion carries a weight: every ranked bid totals 0 and the "
                     "tie rules (lower cost, then smaller id) pick the winner.")
    for e in data["switching"]:
        lines.append(f"  {_clip(e['node'] + ' ' + e['name'], 28):<28} {_pct(e['weight']):>7} "
                     f"{_pct(e['holds_from']):>10} {_pct(e['holds_to']):>7}  "
                     f"{_clip(who(e['winner_below']), 26):<26} "
                     f"{_clip(who(e['winner_above']), 26):<26}")
    return lines


def _integrity_lines(data: dict[str, Any], who: Any) -> list[str]:
    """The verdict, failed gateways that would change the winner, abnormally low tenders."""
    lines = []
    verdict = data.get("verdict")
    if verdict:
        lines.append("Verdict: robust (every test held)" if verdict["robust"] else
                     "Verdict: not robust:")
        lines += [f"  - {_clip(r, 160)}" for r in verdict["reasons"]]
    for e in data.get("exclusions", []):
        lines.append(f"Excluded on a gateway: {who(e['bid'])} failed {e['criterion']}; were "
                     f"it a pass, {who(e['winner_if_passed'])} would win")
    for e in data.get("abnormally_low", []):
        lines.append(f"Abnormally low: {who(e['bid'])} is {e['below']:.0%} below the other "
                     "tenders' median: ask the supplier to explain it before any rejection "
                     "(Procurement Act 2023 s.34)")
    return lines


def analysis_text(doc: dict[str, Any], data: dict[str, Any]) -> str:
    """The analysis for a terminal: what a board member would read, in order of weight."""
    from .analysis import plain_warnings
    from .wording import money

    cur = doc["evaluation"]["currency"]
    names = {b["id"]: b["supplier"] for b in doc["bids"]}
    partners = {p["id"]: p["name"] for p in doc.get("partners", [])}

    def who(b: str | None) -> str:
        return "-" if b is None else f"{b} {_clip(names.get(b, ''), 30)}"

    ev = doc["evaluation"]
    lines = [_clip(ev["title"], 100), ""]
    winner = data["winner"]
    leader = "Provisional leader today" if data.get("provisional") else "Winner today"
    lines.append(f"{leader}: {who(winner)}" if winner else "No bid is ranked yet.")
    if winner:
        lines += _integrity_lines(data, who)
    if not winner:
        lines += ["", "Sensitivity and robustness need at least one ranked bid: "
                      "`procure-desk results` says what is missing."]
    else:
        warnings = plain_warnings(data, {k: _clip(v, 30) for k, v in names.items()})
        lines += ["", "Robustness:"]
        lines += [f"  ! {w}" for w in warnings] or [
            "  No warning: the winner holds under the other price formula, a weight change "
            "of 5 points and any one withdrawal." if data["switching"] else
            "  No warning: the winner holds under the other price formula and any one "
            "withdrawal."]

        lines += _switching_lines(data, who)

        lines += ["", "Price formula:"]
        for f, w in data["formulas"].items():
            lines.append(f"  {f.replace('_', ' '):<18} winner {who(w)}")

        reversals = [r for r in data["leave_one_out"] if r["reversal"]]
        lines += ["", f"Leave one out: {len(data['leave_one_out'])} bid(s) withdrawn in turn, "
                      f"{len(reversals)} rank reversal(s)"]
        for r in reversals:
            lines.append(f"  without {who(r['bid'])}: {who(r['winner'])} wins")

        mc = data["monte_carlo"]
        lines += ["", f"Monte Carlo: {mc['draws']:,} draws, seed {mc['seed']} "
                      f"(weights x lognormal noise sd {mc['weight_sigma']:g}; scores +/- their "
                      "standard error):"]
        probs = sorted(mc["win_probability"].items(), key=lambda kv: -kv[1])
        shown = [(b, p) for b, p in probs if p > 0][:10]
        for b, p in shown:
            pct = "<0.1%" if p < 0.0005 else f"{100 * p:.1f}%"
            lines.append(f"  {who(b):<40} {pct:>7}")
        if len(probs) > len(shown):
            rest = probs[len(shown):]
            never = all(p == 0 for _, p in rest)
            lines.append(f"  {len(rest)} other ranked bid(s) "
                         f"{'never won' if never else 'won less often'}")

    if data["shared"]:
        basis = ev["appraisal"]["cost_basis"].upper()
        lines += ["", f"Shared service ({basis} over {ev['appraisal']['years']} years):",
                  f"  {'Bid':<8} {'Partner':<26} {'Share':>7} {'Cost':>14} {'Baseline':>14} "
                  f"{'Saving':>14}  Beats going alone"]
        for r in data["shared"]:
            beats = {True: "yes", False: "no", None: "-"}[r["beats_go_alone"]]
            lines.append(f"  {_clip(r['bid'], 8):<8} "
                         f"{_clip(r['partner'] + ' ' + partners.get(r['partner'], ''), 26):<26} "
                         f"{100 * r['share']:6.1f}% {money(r['cost'], cur):>14} "
                         f"{money(r['baseline'], cur):>14} {money(r['saving'], cur):>14}  {beats}")
        for be in data.get("break_even", []):
            if be["go_alone_bid"] is None:
                lines.append(f"  {be['bid']}: no ranked bid without sharing to compare with")
            else:
                lines.append(f"  {be['bid']}: {be['partners_needed']} partner(s) of average size "
                             f"make it cheaper than going alone with {who(be['go_alone_bid'])} "
                             f"({money(be['go_alone_cost'], cur)}); "
                             f"{be['partners_sharing']} share it now")

    lines += ["", "Option types side by side:",
              f"  {'Option type':<16} {'Best bid':<32} {'Status':<10} {'Total':>7} "
              f"{'NPV':>14} {'Exit / WLC':>10}"]
    for o in data["option_types"]:
        if o["bid"] is None:
            lines.append(f"  {o['label']:<16} (no bid)")
            continue
        total = "-" if o["total"] is None else f"{o['total']:.2f}"
        share = "-" if o["exit_share"] is None else f"{100 * o['exit_share']:.1f}%"
        lines.append(f"  {o['label']:<16} {who(o['bid']):<32} {o['status']:<10} {total:>7} "
                     f"{money(o['npv'], cur):>14} {share:>10}")
    return "\n".join(lines) + "\n"
