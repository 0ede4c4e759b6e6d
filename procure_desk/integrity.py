"""Decision integrity: what a challenge would ask of the winner (docs/analysis.md).

- `exclusions`: for each gateway a bid failed, who would win were it a pass;
- `abnormally_low`: tenders priced far below the others (Procurement Act 2023
  s.34: such a tender may be rejected only after the supplier is asked to
  explain it);
- `verdict`: robust only when every test holds. The app, the report and the
  workbook all use this one verdict.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .engine import TIE, Results, Snapshot, compute

DEFAULT_ABNORMALLY_LOW = 0.2  # more than this fraction below the others' median
MIN_TENDERS_FOR_LOW = 3
ROBUST_WIN_SHARE = 0.9  # of Monte Carlo draws


def exclusions(snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """Each failed gateway result, with the winner were it a pass.

    A pass changes the results only through that bid's status. A bid that another
    failed gateway or a final score under a minimum still excludes changes nothing;
    one that would then be incomplete, at a cost no lower than the lowest cost the
    prices are measured against, changes no price and takes no rank (outside a
    competitive tender, where tenders alone set that cost). Any other is re-scored on
    the analysis' lighter basis (`analysis.winner_basis`), which ranks as `compute`
    on the whole evaluation does.
    """
    failed = snap.gateway == 0.0
    if not failed.any():
        return []
    final = res.scores.final
    with np.errstate(invalid="ignore"):
        under = np.asarray(final < snap.min_score - TIE)
    below: Any = under.any(axis=1).tolist()
    n_failed: list[Any] = failed.sum(axis=1).tolist()
    missing_score: list[Any] = np.isnan(final).any(axis=1).tolist()
    c = snap.cost_basis
    open_bids = np.array([st != "excluded" for st in res.status], dtype=bool)
    cmin = float(c[open_bids].min()) if open_bids.any() else math.inf
    basis: tuple[Snapshot, np.ndarray] | None = None
    out = []
    for i, j in zip(*np.nonzero(failed)):
        gate_row = snap.gateway[i].copy()
        gate_row[j] = 1.0
        incomplete = bool(missing_score[i] or np.isnan(gate_row).any())
        if n_failed[i] > 1 or below[i]:
            winner = res.winner  # still excluded: nothing moves
        elif incomplete and not snap.competitive and c[i] >= cmin:
            winner = res.winner  # incomplete, and the lowest cost stays as it is
        else:
            if basis is None:
                from .analysis import winner_basis

                basis = winner_basis(snap, res)
            snap_b, final_b = basis
            gateway = snap_b.gateway.copy()
            gateway[i] = gate_row
            fin = final_b.copy()
            fin[i] = final[i]
            winner = compute(dataclasses.replace(snap_b, gateway=gateway), final=fin).winner
        out.append({"bid": snap.bid_ids[i], "criterion": snap.gate_ids[j],
                    "winner_if_passed": winner})
    return out


def exclusions_by_recompute(snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """`exclusions` by re-scoring the whole evaluation for each failed gateway: the
    definition, kept for the tests that hold the quick way to it."""
    out = []
    for i, j in zip(*np.nonzero(snap.gateway == 0.0)):
        gateway = snap.gateway.copy()
        gateway[i, j] = 1.0
        winner = compute(dataclasses.replace(snap, gateway=gateway)).winner
        out.append({"bid": snap.bid_ids[i], "criterion": snap.gate_ids[j],
                    "winner_if_passed": winner})
    return out


def abnormally_low(snap: Snapshot, res: Results,
                   threshold: float = DEFAULT_ABNORMALLY_LOW) -> list[dict[str, Any]]:
    """Tenders whose cost is more than `threshold` below the median of the other
    tenders that are not excluded (only with at least three such tenders)."""
    c = snap.cost_basis
    tenders = [i for i in range(len(snap.bid_ids))
               if snap.tender[i] and res.status[i] not in ("excluded", "withdrawn")]
    if len(tenders) < MIN_TENDERS_FOR_LOW:
        return []
    out = []
    for i in tenders:
        median = float(np.median([c[k] for k in tenders if k != i]))
        if median > 0 and c[i] < (1 - threshold) * median:
            out.append({"bid": snap.bid_ids[i], "cost": float(c[i]), "median": median,
                        "below": 1 - float(c[i]) / median})
    return out


def verdict(res: Results, *, leave_one_out: Sequence[Mapping[str, Any]],
            formulas: Mapping[str, str | None], monte_carlo: Mapping[str, Any],
            exclusions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Robust only when results are final, no withdrawal reverses the winner, both
    price formulas agree, the winner wins at least 90% of draws, and no failed gateway
    would change the winner if passed. `reasons` names every test that did not hold."""
    winner = res.winner
    reasons: list[str] = []
    if winner is None:
        return {"robust": False, "reasons": ["no bid is ranked"]}
    outstanding = res.outstanding()
    if outstanding:
        reasons.append("results are provisional: " + "; ".join(
            r["detail"] for r in outstanding))
    for r in leave_one_out:
        if r.get("reversal"):
            reasons.append(f"if {r['bid']} withdrew, {r['winner']} would win")
    if len(set(formulas.values())) > 1:
        said = ", ".join(f"{f}: {w}" for f, w in formulas.items())
        reasons.append(f"the price formulas give different winners ({said})")
    share = float(monte_carlo.get("win_probability", {}).get(winner, 0.0))
    if share < ROBUST_WIN_SHARE:
        reasons.append(f"{winner} wins {share:.1%} of the simulations, under "
                       f"{ROBUST_WIN_SHARE:.0%}")
    for e in exclusions:
        if e["winner_if_passed"] != winner:
            reasons.append(f"were {e['bid']}'s failed gateway {e['criterion']} a pass, "
                           f"{e['winner_if_passed']} would win")
    tie = printed_tie(res)
    if tie:
        reasons.append(tie)
    return {"robust": not reasons, "reasons": reasons}


def printed_tie(res: Results) -> str | None:
    """The verdict's reason when the winner's total equals the runner-up's to the
    printed precision (two decimal places): a tie-break rule, not the scores, decided."""
    if len(res.ranking) < 2:
        return None
    first, second = res.ranking[:2]
    a, b = f"{res.total[first]:.2f}", f"{res.total[second]:.2f}"
    if a != b:
        return None
    ids = res.snap.bid_ids
    return (f"{ids[first]} and {ids[second]} tie at {a} points to the printed precision, "
            f"so a tie-break rule decided")
