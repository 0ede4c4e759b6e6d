"""The results as a plain-text table for the terminal."""

from __future__ import annotations

import math
from typing import Any

from .engine import Results
from .interchange import OPTION_TYPE_LABELS
from .wording import money, one_line

MAX_REASONS = 4  # per bid in the table; the JSON has every one


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def results_table(doc: dict[str, Any], results: Results) -> str:
    ev = doc["evaluation"]
    data = results.to_json()
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
    unranked = [by_id[i] for i in order if by_id[i]["reasons"]]
    if unranked:
        lines += ["", "Not ranked:"]
        for b in unranked:
            lines.append(f"  {b['id']} {one_line(b['supplier'], 80)} ({b['status']}):")
            lines += [f"    - {r}" for r in b["reasons"][:MAX_REASONS]]
            if len(b["reasons"]) > MAX_REASONS:
                lines.append(f"    ... and {len(b['reasons']) - MAX_REASONS} more "
                             "(all of them in `results --json`)")
    if data["flags"]:
        lines += ["", f"Moderation: {len(data['flags'])} item(s) with a spread of "
                      f"{ev['moderation']['spread_flag']:g} or more and no consensus yet:"]
        for f in data["flags"][:20]:
            lines.append(f"  {f['bid']} / {f['criterion']}: spread {f['spread']:g}")
        if len(data["flags"]) > 20:
            lines.append(f"  ... and {len(data['flags']) - 20} more")
    return "\n".join(lines) + "\n"
