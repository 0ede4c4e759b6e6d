"""The results as a plain-text table for the terminal."""

from __future__ import annotations

import math
from typing import Any

from .engine import Results
from .interchange import OPTION_TYPE_LABELS
from .wording import money, one_line

MAX_REASONS = 4  # per bid in the table; the JSON has every one
RULE_WORDS = {"total": "the totals beyond two decimal places",
              "quality": "the tie-break rule of the higher quality score",
              "cost": "the tie-break rule of the lower cost",
              "id": "the last tie-break rule, the smaller bid id"}


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def results_table(doc: dict[str, Any], results: Results) -> str:
    ev = doc["evaluation"]
    data = results.to_json(detail=False)  # each bid's reasons are taken as printed
    basis = ev["appraisal"]["cost_basis"].upper()
    lines = [f"{ev['title']}" + (f" ({ev['reference']})" if ev["reference"] else "")]
    if ev["authority"]:
        lines.append(ev["authority"])
    by_id = {b["id"]: b for b in data["bids"]}
    if data["winner"]:
        w = by_id[data["winner"]]
        word = "Provisional leader" if data["provisional"] else "Winner"
        lines.append(f"{word}: {w['id']} {one_line(w['supplier'], 80)} "
                     f"with {_fmt(w['total'])} points")
        tie = decisive_tie(data, ev["appraisal"]["cost_basis"])
        if tie and tie["printed"]:
            lines.append(f"Tie: {tie['sentence']}")
    else:
        lines.append("No winner: no bid is ranked yet")
    if data["provisional"]:
        lines.append("PROVISIONAL: a final decision still needs")
        lines += [f"  - {one_line(r['detail'], 200)}" for r in data["provisional_reasons"]]
    lines.append("")
    header = (f"{'Rank':>4}  {'Bid':<6} {'Supplier':<30} {'Option type':<16} "
              f"{'Status':<10} {'Total':>7} {'Quality':>7} {'Price':>7} {basis:>14}")
    lines += [header, "-" * len(header)]
    order = data["ranking"] + [b["id"] for b in data["bids"] if b["rank"] is None]
    for bid_id in order:
        b = by_id[bid_id]
        lines.append(
            f"{b['rank'] if b['rank'] is not None else '-':>4}  {one_line(b['id'], 6):<6} "
            f"{one_line(b['supplier'], 30):<30} "
            f"{OPTION_TYPE_LABELS.get(b['option_type'], b['option_type']):<16} "
            f"{b['status']:<10} {_fmt(b['total']):>7} {_fmt(b['quality']):>7} "
            f"{_fmt(b['price']):>7} "
            f"{money(b['npv'] if basis == 'NPV' else b['wlc'], ev['currency']):>14}")
    at = {bid_id: i for i, bid_id in enumerate(results.snap.bid_ids)}
    unranked = [by_id[b] for b in order if by_id[b]["status"] != "ranked"]  # have reasons
    if unranked:
        lines += ["", "Not ranked:"]
        for b in unranked:
            reasons = results.reasons[at[b["id"]]]
            lines.append(f"  {b['id']} {one_line(b['supplier'], 80)} ({b['status']}):")
            lines += [f"    - {r}" for r in reasons[:MAX_REASONS]]
            if len(reasons) > MAX_REASONS:
                lines.append(f"    ... and {len(reasons) - MAX_REASONS} more "
                             "(all of them in `results --json`)")
    if data["flags"]:
        lines += ["", f"Moderation: {len(data['flags'])} item(s) with a spread of "
                      f"{ev['moderation']['spread_flag']:g} or more and no consensus yet:"]
        for f in data["flags"][:20]:
            lines.append(f"  {f['bid']} / {f['criterion']}: spread {f['spread']:g}")
        if len(data["flags"]) > 20:
            lines.append(f"  ... and {len(data['flags']) - 20} more")
    return "\n".join(lines) + "\n"


def decisive_tie(data: dict[str, Any], cost_basis: str = "npv") -> dict[str, Any] | None:
    """How the first place was decided between the two best ranked bids (results JSON).

    `printed` is true where their totals are equal to two decimal places (a report
    would show the same total); `rule` says what put the winner first: "total", or a
    tie-break of docs/scoring.md: "quality", "cost", "id". `sentence` says it
    plainly; `reason` is the verdict's reason when printed totals tie. None with fewer
    than two ranked bids.
    """
    from .engine import TIE

    ranking = data["ranking"]
    if len(ranking) < 2:
        return None
    by_id = {b["id"]: b for b in data["bids"]}
    w, r = by_id[ranking[0]], by_id[ranking[1]]
    key = "npv" if cost_basis == "npv" else "wlc"
    printed = f"{w['total']:.2f}" == f"{r['total']:.2f}"
    if abs(w["total"] - r["total"]) > TIE:
        rule = "total"
        how = (f"{w['id']} is first on its total alone ({w['total']:.6f} against "
               f"{r['total']:.6f}: a difference below the printed precision)" if printed
               else f"{w['id']} is first on its total, {w['total'] - r['total']:.2f} "
                    f"points ahead of {r['id']}")
    elif abs(w["quality"] - r["quality"]) > TIE:
        rule = "quality"
        how = (f"the totals are equal, and the first tie-break rule, the higher quality "
               f"score, puts {w['id']} first ({w['quality']:.2f} against "
               f"{r['quality']:.2f})")
    elif abs(w[key] - r[key]) > TIE:
        rule = "cost"
        how = (f"the totals and quality scores are equal, and the second tie-break rule, "
               f"the lower cost ({cost_basis.upper()}), puts {w['id']} first "
               f"({w[key]:,.2f} against {r[key]:,.2f})")
    else:
        rule = "id"
        how = (f"the totals, quality scores and costs are all equal, and only the last "
               f"tie-break rule, the smaller bid id, puts {w['id']} before {r['id']}: "
               f"the authority should settle the tie by a documented decision")
    if printed:
        sentence = (f"{w['id']} and {r['id']} both have {w['total']:.2f} points: "
                    f"{how}.")
        reason = (f"{w['id']} and {r['id']} tie at {w['total']:.2f} points, decided by "
                  f"{RULE_WORDS[rule]}")
    else:
        sentence = f"No tie: {how}."
        reason = ""
    return {"printed": printed, "rule": rule, "sentence": sentence, "reason": reason,
            "first": w["id"], "second": r["id"]}
