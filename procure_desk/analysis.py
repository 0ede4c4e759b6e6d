"""Decision analysis: `procure-desk analyse` (docs/analysis.md).

A board needs to know whether today's winner survives a different weight, a
different price formula or a withdrawn bid, how likely it is to win when the
weights and the evaluators' scores are uncertain, and what each partner of a
shared service pays and saves. Every figure here comes from
`engine.compute` or from the same arrays it uses, so the scoring rules
of docs/scoring.md (statuses, price formulas, ties within 1e-9 to the higher
quality, then the lower cost, then the smaller id) hold throughout. The method
is written up in docs/analysis.md.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import integrity
from .engine import (
    TIE,
    Results,
    Snapshot,
    compute,
    effective_weights,
    evaluate_scores,
    rank_order,
    year_costs,
)
from .errors import BadInput
from .interchange import FORMULAS, OPTION_TYPE_LABELS, OPTION_TYPES

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 1
MAX_DRAWS = 1_000_000
WEIGHT_SIGMA = 0.2  # sd of the log of each weight's multiplicative noise
CHUNK = 20_000  # Monte Carlo draws held in memory at once
ROWS_AT_ONCE = 4_000_000  # draws x (nodes + leaves) worked on at once within a chunk


# ---- the inputs ---------------------------------------------------------------------

@dataclass
class _Inputs:
    doc: dict[str, Any]
    snap: Snapshot
    results: Results


def _inputs(source: Any) -> _Inputs:
    """An EvaluationFile (anything with document()/snapshot()/results()) or a normalised doc."""
    if hasattr(source, "document") and hasattr(source, "snapshot"):
        doc = source.document()
        snap = source.snapshot()
        res = source.results() if hasattr(source, "results") else compute(snap)
        return _Inputs(doc, snap, res)
    if isinstance(source, Mapping):
        doc = dict(source)
        snap = Snapshot.from_doc(doc)
        return _Inputs(doc, snap, compute(snap))
    raise TypeError("analyse() takes an EvaluationFile or a normalised interchange document")


def analyse(source: Any, *, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
            weight_sigma: float = WEIGHT_SIGMA) -> dict[str, Any]:
    """The analysis JSON of an evaluation (an EvaluationFile or a normalised doc)."""
    inp = _inputs(source)
    res = inp.results
    out: dict[str, Any] = {
        "winner": res.winner,
        "provisional": bool(res.outstanding()),
        "switching": switching(inp.snap, res),
        "formulas": formulas(inp.snap, res),
        "leave_one_out": leave_one_out(inp.snap, res),
        "monte_carlo": monte_carlo(inp.snap, res, draws=draws, seed=seed,
                                   weight_sigma=weight_sigma),
        "shared": shared(inp.doc, inp.snap, res),
        "break_even": break_even(inp.doc, inp.snap, res),
        "option_types": option_types(inp.snap, res),
        "exclusions": integrity.exclusions(inp.snap, res),
        "abnormally_low": integrity.abnormally_low(
            inp.snap, res, float(inp.doc["evaluation"].get(
                "abnormally_low", integrity.DEFAULT_ABNORMALLY_LOW))),
    }
    out["verdict"] = integrity.verdict(
        res, leave_one_out=out["leave_one_out"], formulas=out["formulas"],
        monte_carlo=out["monte_carlo"], exclusions=out["exclusions"])
    return out


# ---- the published JSON ----------------------------------------------------------------

#: The keys of each entry of the analysis JSON, exactly as docs/analysis.md lists them.
CONTRACT_KEYS: dict[str, tuple[str, ...]] = {
    "switching": ("node", "weight", "holds_from", "holds_to", "winner_below", "winner_above"),
    "formulas": FORMULAS,
    "leave_one_out": ("bid", "winner", "reversal"),
    "monte_carlo": ("draws", "seed", "win_probability"),
    "shared": ("bid", "partner", "share", "cost", "baseline", "saving"),
}
#: Sections whose extras always appear in `details`, even when there are none.
_ALWAYS_DETAILED = ("switching", "monte_carlo", "shared")


def contract_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """`analyse()`'s dict in the exact entry shapes of docs/analysis.md, extras in `details`.

    The format lets a reader rely on each entry's keys, and only allows new
    keys at the top level, so everything else an entry carries for the app
    (names, inclusive ends, partner names, noise settings...) goes into the
    top-level `details` object, index for index: `details.switching[i]`
    holds the extras of `switching[i]`, `details.monte_carlo` those of
    `monte_carlo`. Top-level keys that are not sections pass through.
    """
    out: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for key, value in data.items():
        keys = CONTRACT_KEYS.get(key)
        if keys is None:
            out[key] = value
            continue
        if isinstance(value, Mapping):
            out[key] = {k: value.get(k) for k in keys}
            extra: Any = {k: v for k, v in value.items() if k not in keys}
            has_extra = bool(extra)
        else:
            out[key] = [{k: e.get(k) for k in keys} for e in value]
            extra = [{k: v for k, v in e.items() if k not in keys} for e in value]
            has_extra = any(extra)
        if has_extra or key in _ALWAYS_DETAILED:
            details[key] = extra
    out["details"] = details
    return out


# ---- switching values ---------------------------------------------------------------

def top_level_nodes(snap: Snapshot) -> list[str]:
    """Ids of the top-level nodes that carry a weight (sections, and leaves at the top)."""
    return [c["id"] for c in snap.criteria
            if c.get("parent") is None and c["kind"] != "pass_fail"]


@dataclass
class Lines:
    """Every ranked bid's total and quality as straight lines in one node's share p (0..100).

    total(p) = t0 + p * t1 and quality(p) = q0 + p * q1, over `candidates`
    (bid indices of the ranked bids); price fractions and final scores stay
    as they are today.
    """

    node: str
    weight: float
    candidates: list[int]
    t0: np.ndarray
    t1: np.ndarray
    q0: np.ndarray
    q1: np.ndarray

    def totals(self, p: float) -> tuple[np.ndarray, np.ndarray]:
        return self.t0 + p * self.t1, self.q0 + p * self.q1


def _leaf_weights(criteria: list[dict[str, Any]], weights: dict[str, float]
                  ) -> dict[str, float]:
    changed = [dict(c, weight=weights[c["id"]]) if c["id"] in weights else c for c in criteria]
    return effective_weights(changed)


def weight_lines(snap: Snapshot, res: Results, node: str) -> Lines:
    """The straight lines of `node`'s share; the other top-level nodes keep their proportions.

    When every other top-level node weighs nothing today, the weight taken
    from `node` is spread equally among them (there is no proportion to keep).
    """
    tops = top_level_nodes(snap)
    others = [t for t in tops if t != node]
    inside = _leaf_weights(snap.criteria, {t: (1.0 if t == node else 0.0) for t in tops})
    other_total = sum(float(c.get("weight") or 0) for c in snap.criteria if c["id"] in others)
    rest = {node: 0.0} if other_total > 0 else {t: (0.0 if t == node else 1.0) for t in tops}
    outside = _leaf_weights(snap.criteria, rest)
    smax = float(snap.settings["scale"]["max"])
    cand = list(res.ranking)
    fin = res.scores.final[cand] / smax  # (ranked, scored)
    frac = res.price_frac[cand]
    s_in = np.array([inside.get(c, 0.0) for c in snap.scored_ids]) / 100.0
    s_out = np.array([outside.get(c, 0.0) for c in snap.scored_ids]) / 100.0
    p_in = np.array([inside.get(c, 0.0) for c in snap.price_ids]) / 100.0
    p_out = np.array([outside.get(c, 0.0) for c in snap.price_ids]) / 100.0
    qa, qc = fin @ s_in, fin @ s_out  # quality per percent of share, inside and outside
    pa, pc = (frac @ p_in, frac @ p_out) if frac.shape[1] else (0.0 * qa, 0.0 * qa)
    # value(p) = p * a + (100 - p) * c = 100 c + p (a - c)
    return Lines(node=node, weight=float(snap.eff.get(node, 0.0)), candidates=cand,
                 t0=100.0 * (qc + pc), t1=(qa + pa) - (qc + pc),
                 q0=100.0 * qc, q1=qa - qc)


def _winner_at(snap: Snapshot, lines: Lines, p: float) -> str | None:
    if not lines.candidates:
        return None
    t, q = lines.totals(p)
    nb = len(snap.bid_ids)
    total = np.full(nb, np.nan)
    quality = np.full(nb, np.nan)
    total[lines.candidates] = t
    quality[lines.candidates] = q
    best = rank_order(snap.bid_ids, total, quality, snap.cost_basis, lines.candidates)[0]
    return snap.bid_ids[best]


def _ahead(snap: Snapshot, lines: Lines, w: int, b: int, p: float) -> bool:
    """True when candidate w ranks above candidate b at share p (docs/scoring.md order)."""
    t, q = lines.totals(p)
    if abs(t[w] - t[b]) > TIE:
        return bool(t[w] > t[b])
    if abs(q[w] - q[b]) > TIE:
        return bool(q[w] > q[b])
    i, j = lines.candidates[w], lines.candidates[b]
    cw, cb = snap.cost_basis[i], snap.cost_basis[j]
    if abs(cw - cb) > TIE:
        return bool(cw < cb)
    return snap.bid_ids[i] < snap.bid_ids[j]


def _crossing(a0: float, a1: float) -> float | None:
    """Where a0 + p * a1 is zero, or None when the line is flat."""
    if abs(a1) <= 1e-15:
        return None
    return -a0 / a1


def switching_entry(snap: Snapshot, res: Results, node: str) -> dict[str, Any]:
    """The interval of `node`'s share in which today's winner stays the winner.

    For each rival the difference of totals is a straight line, so the set of
    shares where the winner stays ahead is a half-line bounded by the exact
    crossing; at the crossing itself the tie rules decide whether the end
    belongs to the interval. Where the totals stay within 1e-9 of each other
    throughout, the quality lines decide in the same way.
    """
    lines = weight_lines(snap, res, node)
    entry: dict[str, Any] = {"node": node, "name": snap.names.get(node, node),
                             "weight": lines.weight, "holds_from": None, "holds_to": None,
                             "from_inclusive": None, "to_inclusive": None,
                             "winner_below": None, "winner_above": None}
    if not lines.candidates:
        return entry
    lo, lo_in, hi, hi_in = 0.0, True, 100.0, True
    for b in range(1, len(lines.candidates)):  # candidate 0 is today's winner
        d0, d1 = lines.t0[0] - lines.t0[b], lines.t1[0] - lines.t1[b]
        cross = _crossing(d0, d1)
        if cross is None and abs(d0) <= TIE:  # level totals: quality decides throughout
            d1 = lines.q1[0] - lines.q1[b]
            cross = _crossing(lines.q0[0] - lines.q0[b], d1)
        if cross is None or not 0.0 <= cross <= 100.0:
            continue
        at = _ahead(snap, lines, 0, b, cross)
        if d1 > 0:  # the winner gains with the share: a lower bound
            if cross > lo or (cross == lo and not at):
                lo, lo_in = cross, at
        elif cross < hi or (cross == hi and not at):
            hi, hi_in = cross, at
    entry.update(holds_from=float(lo), holds_to=float(hi), from_inclusive=bool(lo_in),
                 to_inclusive=bool(hi_in))
    marks = _breakpoints(lines)
    if lo > 0.0 or not lo_in:
        below = marks[marks < lo - 1e-9]
        prev = float(below.max()) if below.size else 0.0
        entry["winner_below"] = _winner_at(snap, lines, lo if not lo_in else (prev + lo) / 2)
    if hi < 100.0 or not hi_in:
        above = marks[marks > hi + 1e-9]
        nxt = float(above.min()) if above.size else 100.0
        entry["winner_above"] = _winner_at(snap, lines, hi if not hi_in else (hi + nxt) / 2)
    return entry


def _breakpoints(lines: Lines) -> np.ndarray:
    """Every share in 0..100 where two candidates' totals cross (the order is fixed between)."""
    t0, t1 = lines.t0, lines.t1
    d0 = t0[:, None] - t0[None, :]
    d1 = t1[:, None] - t1[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(np.abs(d1) > 1e-15, -d0 / np.where(d1 == 0, 1.0, d1), np.nan)
    p = p[np.isfinite(p)]
    return p[(p >= 0.0) & (p <= 100.0)]


def switching(snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    return [switching_entry(snap, res, n) for n in top_level_nodes(snap)]


def what_if(snap: Snapshot, res: Results, node: str, share: float) -> dict[str, Any]:
    """Totals and winner with `node` at `share` percent (others in proportion); for sliders."""
    lines = weight_lines(snap, res, node)
    t, q = lines.totals(float(share))
    nb = len(snap.bid_ids)
    total = np.full(nb, np.nan)
    quality = np.full(nb, np.nan)
    total[lines.candidates] = t
    quality[lines.candidates] = q
    order = rank_order(snap.bid_ids, total, quality, snap.cost_basis, lines.candidates)
    return {"node": node, "share": float(share),
            "winner": snap.bid_ids[order[0]] if order else None,
            "ranking": [snap.bid_ids[i] for i in order],
            "totals": {snap.bid_ids[i]: float(total[i]) for i in order}}


def top_shares(snap: Snapshot) -> dict[str, float]:
    """Today's share (percent) of each top-level weighted node."""
    return {n: float(snap.eff.get(n, 0.0)) for n in top_level_nodes(snap)}


def rebalance(shares: Mapping[str, float], node: str, share: float) -> dict[str, float]:
    """`node` set to `share` percent; the others keep their proportions in what is left.

    Where the others weigh nothing between them, what is left is split equally.
    """
    share = min(100.0, max(0.0, float(share)))
    others = {k: float(v) for k, v in shares.items() if k != node}
    total = sum(others.values())
    out = {k: ((v / total) if total > 0 else 1.0 / len(others)) * (100.0 - share)
           for k, v in others.items()}
    out[node] = share
    return {k: out[k] for k in shares}


def leaf_weights(snap: Snapshot, shares: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Effective weights (scored, price) with the top-level nodes at `shares` percent.

    Pass the result to `engine.compute(snap, scored_w=..., price_w=...)`: the
    what-if sliders use this, so a slider's totals follow docs/scoring.md exactly.
    """
    eff = _leaf_weights(snap.criteria, {k: max(0.0, float(v)) for k, v in shares.items()})
    return (np.array([eff.get(c, 0.0) for c in snap.scored_ids]),
            np.array([eff.get(c, 0.0) for c in snap.price_ids]))


# ---- price formulas and withdrawn bids ----------------------------------------------

def formulas(snap: Snapshot, res: Results | None = None) -> dict[str, str | None]:
    """The winner if every price leaf used each formula in turn."""
    if res is None:
        return {f: compute(snap, formula=f).winner for f in FORMULAS}
    basis, final = winner_basis(snap, res)
    return {f: compute(basis, formula=f, final=final).winner for f in FORMULAS}


def leave_one_out(snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """For each ranked bid but the winner: the winner were it withdrawn (prices re-scored).

    Withdrawing a bid changes the other bids' figures only through the lowest cost
    that the price fractions are measured against. So a bid that does not hold that
    lowest cost leaves every other total as it is, and today's winner stays first;
    only a bid at the lowest cost is re-scored (`compute`, on `winner_basis`). Where
    two ranked totals or qualities lie within 1e-9 of each other the tie rules of
    docs/scoring.md compare with a tolerance, and every bid is re-scored.
    """
    ranking = res.ranking
    if len(ranking) < 2:
        return []
    basis, final = winner_basis(snap, res)
    cost = snap.cost_basis
    eligible = [i for i, st in enumerate(res.status) if st != "excluded"]
    cmin = float(cost[eligible].min())
    order = sorted(ranking, key=lambda i: (res.total[i], res.quality[i]))
    near = any(abs(res.total[a] - res.total[b]) <= TIE or abs(res.quality[a] - res.quality[b])
               <= TIE for a, b in itertools.pairwise(order))
    out = []
    for i in ranking[1:]:
        bid = snap.bid_ids[i]
        if near or cost[i] <= cmin:
            w = compute(basis, withdrawn=[bid], final=final).winner
        else:
            w = res.winner
        out.append({"bid": bid, "winner": w, "reversal": w != res.winner})
    return out


def winner_basis(snap: Snapshot, res: Results) -> tuple[Snapshot, np.ndarray]:
    """A lighter evaluation that `compute(basis, final=final, ...)` ranks exactly as this one.

    The variants of the analysis (another price formula, a withdrawn bid) need the
    ranking and the winner, not each pair's mean and spread nor every reason of a bid
    that is not ranked. The basis has the same bids, costs, weights, statuses and
    final scores, no individual scores, and at most one reason per bid: a bid that is
    not ranked keeps one cause of its status (its first failed gateway or the first
    final score under a minimum; its first missing gateway result or final score),
    and its other final scores stand at the scale's maximum, which no minimum score
    excludes. At the input limits this saves reducing every score and writing about
    a million reasons on each call.
    """
    final = res.scores.final.copy()
    gateway = snap.gateway.copy()
    smax = float(snap.settings["scale"]["max"])
    with np.errstate(invalid="ignore"):
        below = final < snap.min_score - TIE
    for i, st in enumerate(res.status):
        if st in ("ranked", "comparator"):  # a comparator keeps its figures: a tender's
            continue                        # status, not its scores, keeps it out
        failed = np.flatnonzero(gateway[i] == 0.0)
        missing_gate = np.flatnonzero(np.isnan(gateway[i]))
        missing = np.flatnonzero(np.isnan(final[i]))
        low = np.flatnonzero(below[i])
        gateway[i] = 1.0
        if st == "excluded" and failed.size:
            final[i] = smax
            gateway[i, failed[0]] = 0.0
        elif st == "excluded":
            final[i] = smax
            final[i, low[0]] = res.scores.final[i, low[0]]
        elif missing_gate.size:
            final[i] = smax
            gateway[i, missing_gate[0]] = np.nan
        else:
            final[i] = smax
            final[i, missing[0]] = np.nan
    none = np.zeros(0, dtype=np.int64)
    basis = dataclasses.replace(
        snap, evaluators=[], s_eval=none, s_bid=none, s_crit=none,
        s_val=np.zeros(0), conflict=np.zeros((0, len(snap.bid_ids)), dtype=bool),
        gateway=gateway, pairs=None, evaluated=None)
    evaluate_scores(basis)  # once: the variants made from the basis share it
    return basis, final


# ---- Monte Carlo ----------------------------------------------------------------------

@dataclass
class _WeightTree:
    """The weighted nodes' raw weights and sibling groups, and each leaf's path.

    `path_s`/`path_p` hold, for each scored/price leaf, the node positions from the
    top down to the leaf, padded with `raw.size` (a column of zeros in `_leaf_shares`).
    """

    raw: np.ndarray
    group: np.ndarray
    path_s: np.ndarray
    path_p: np.ndarray


def _weight_tree(snap: Snapshot) -> _WeightTree:
    nodes = [c for c in snap.criteria if c["kind"] != "pass_fail"]
    idx = {c["id"]: k for k, c in enumerate(nodes)}
    parent = {c["id"]: c.get("parent") for c in nodes}
    groups: dict[str | None, int] = {}
    group = np.array([groups.setdefault(c.get("parent"), len(groups)) for c in nodes], dtype=int)
    raw = np.array([float(c.get("weight") or 0) for c in nodes], dtype=float)

    def paths(leaves: Sequence[str]) -> np.ndarray:
        found = []
        for leaf in leaves:
            path: list[int] = []
            node: str | None = leaf
            while node is not None:
                path.insert(0, idx[node])
                node = parent.get(node)
            found.append(path)
        depth = max((len(p) for p in found), default=0)
        return np.array([p + [len(nodes)] * (depth - len(p)) for p in found],
                        dtype=np.int64).reshape(len(found), depth)

    return _WeightTree(raw, group, paths(snap.scored_ids), paths(snap.price_ids))


def perturbed_weights(snap: Snapshot, rng: np.random.Generator, n: int, sigma: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """n draws of the effective weights (scored, price), each node's weight times exp(sigma z).

    Every weight the panel set (each node among its siblings) moves by its own
    multiplicative lognormal factor, median 1; shares are then renormalised
    among siblings and multiplied down the tree as in docs/scoring.md, so each
    draw's leaf weights add up to 100 again.
    """
    tree = _weight_tree(snap)
    return _leaf_weights_of(tree, rng.standard_normal((n, tree.raw.size)), sigma)


def _leaf_weights_of(tree: _WeightTree, z: np.ndarray, sigma: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The leaves' effective weights for draws `z` (draws x nodes) of standard normals.

    Each leaf's weight is 100 times the product of the shares on its path, taken as
    exp of the sum of their logs: a sum over the path's depth (at most the tree's
    depth), not a product with a nodes x leaves matrix (at the limits, 2,000 x 1,922).
    """
    n = z.shape[0]
    w = tree.raw[None, :] * np.exp(sigma * z)
    group = tree.group
    sums = np.zeros((n, int(group.max()) + 1 if group.size else 0))
    for g in range(sums.shape[1]):  # a handful of sibling groups, not one per draw
        sums[:, g] = w[:, group == g].sum(axis=1)
    den = sums[:, group]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(den > 0, w / np.where(den > 0, den, 1.0), 0.0)
    logs = np.zeros((n, tree.raw.size + 1))  # the last column pads short paths
    logs[:, :-1] = np.log(np.maximum(share, 1e-300))
    logs[:, :-1][share <= 0] = -1e4  # exp() of any sum with this is 0: zero stays zero

    def leaves(path: np.ndarray) -> np.ndarray:
        total = np.zeros((n, path.shape[0]))
        for k in range(path.shape[1]):
            total += logs[:, path[:, k]]
        return 100.0 * np.exp(total)

    return leaves(tree.path_s), leaves(tree.path_p)


def score_standard_errors(snap: Snapshot, res: Results) -> np.ndarray:
    """Per (bid, scored leaf): sd / sqrt(n) of the non-conflicted scores; 0 with consensus.

    A consensus score is the panel's moderated decision, so it stays fixed;
    a pair with one score has no spread to learn from, so it stays fixed too.
    """
    nb, ns = len(snap.bid_ids), len(snap.scored_ids)
    if snap.s_eval.size:
        keep = ~snap.conflict[snap.s_eval, snap.s_bid]
    else:
        keep = np.zeros(0, dtype=bool)
    flat = (snap.s_bid * ns + snap.s_crit)[keep]
    vals = snap.s_val[keep]
    size = nb * ns
    n = np.bincount(flat, minlength=size).astype(float)
    s1 = np.bincount(flat, weights=vals, minlength=size)
    s2 = np.bincount(flat, weights=vals * vals, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n >= 2, (s2 - s1 * s1 / np.maximum(n, 1)) / np.maximum(n - 1, 1), 0.0)
        se = np.sqrt(np.maximum(var, 0.0) / np.maximum(n, 1))
    se = se.reshape(nb, ns)
    se[~np.isnan(snap.consensus)] = 0.0
    return se


def monte_carlo(snap: Snapshot, res: Results, *, draws: int = DEFAULT_DRAWS,
                seed: int = DEFAULT_SEED, weight_sigma: float = WEIGHT_SIGMA
                ) -> dict[str, Any]:
    """Win probability per ranked bid under perturbed weights and resampled scores.

    Each draw perturbs the weights (`perturbed_weights`) and moves each
    (bid, scored leaf) final score by normal noise with that pair's standard
    error. Given a draw's weights, a bid's quality noise is a weighted sum of
    independent normals, itself normal with variance sum(w^2 se^2) / max^2,
    so one normal per (draw, bid) gives it exactly: no loop per draw and no
    (draws x bids x criteria) array. Statuses, costs and price fractions stay
    as they are; ties follow docs/scoring.md.
    """
    draws, seed = int(draws), int(seed)
    if not 1 <= draws <= MAX_DRAWS:
        raise BadInput.one("draws", f"{draws} is not between 1 and {MAX_DRAWS:,}")
    if not (math.isfinite(weight_sigma) and weight_sigma >= 0):
        raise BadInput.one("weight_sigma", f"{weight_sigma} is not a number >= 0")
    out: dict[str, Any] = {"draws": draws, "seed": seed, "weight_sigma": weight_sigma,
                           "score_noise": "standard_error", "win_probability": {}}
    cand = list(res.ranking)
    if not cand:
        return out
    smax = float(snap.settings["scale"]["max"])
    cost = snap.cost_basis[cand]
    ids = [snap.bid_ids[i] for i in cand]
    # columns in the tie-break order after quality: lower cost, then smaller id
    order = sorted(range(len(cand)), key=lambda k: (cost[k], ids[k]))
    cand = [cand[k] for k in order]
    fin = res.scores.final[cand] / smax
    var = (score_standard_errors(snap, res)[cand] / smax) ** 2
    frac = res.price_frac[cand]
    rng = np.random.default_rng(seed)
    tree = _weight_tree(snap)
    wins = np.zeros(len(cand), dtype=np.int64)
    done = 0
    while done < draws:
        n = min(CHUNK, draws - done)
        z = rng.standard_normal((n, tree.raw.size))
        sd, q, t = np.empty((n, len(cand))), np.empty((n, len(cand))), np.zeros((n, len(cand)))
        # the leaves' weights a slice of draws at a time: a few MB, not draws x leaves
        step = max(1, ROWS_AT_ONCE // max(1, tree.raw.size + len(snap.scored_ids)))
        for at in range(0, n, step):
            ws, wp = _leaf_weights_of(tree, z[at:at + step], weight_sigma)
            sd[at:at + step] = np.sqrt((ws * ws) @ var.T)
            q[at:at + step] = ws @ fin.T
            if frac.shape[1]:
                t[at:at + step] = wp @ frac.T
        q += sd * rng.standard_normal((n, len(cand)))
        t += q
        near = t >= t.max(axis=1, keepdims=True) - TIE
        qn = np.where(near, q, -np.inf)
        near &= q >= qn.max(axis=1, keepdims=True) - TIE
        wins += np.bincount(near.argmax(axis=1), minlength=len(cand))
        done += n
    prob = {snap.bid_ids[cand[k]]: float(wins[k]) / draws for k in range(len(cand))}
    out["win_probability"] = {snap.bid_ids[i]: prob[snap.bid_ids[i]] for i in res.ranking}
    return out


# ---- shared service -----------------------------------------------------------------

def _baseline_factor(snap: Snapshot) -> float:
    """What 1 a year over the appraisal period is worth on the cost basis."""
    ap = snap.settings["appraisal"]
    years = int(ap["years"])
    if ap["cost_basis"] == "wlc":
        return float(years)
    return float((1.0 / (1.0 + float(ap["discount_rate"])) ** np.arange(years)).sum())


def apportion(app: Mapping[str, Any], partners: Sequence[Mapping[str, Any]]
              ) -> list[tuple[str, float, str]]:
    """(partner id, share as a fraction, note) for each sharing partner of an apportionment.

    `equal` is 1/n, `population` each population over the sharing partners'
    total (split equally, with a note, when no population is recorded), and
    `custom` the given percent / 100.
    """
    by_id = {p["id"]: p for p in partners}
    members = [m for m in (app.get("partners") or list(by_id)) if m in by_id]
    if not members:
        return []
    method = app.get("method", "equal")
    if method == "custom":
        shares = app.get("shares") or {}
        return [(m, float(shares.get(m, 0.0)) / 100.0, "") for m in members]
    if method == "population":
        pops = [float(by_id[m].get("population") or 0) for m in members]
        total = sum(pops)
        if total > 0:
            return [(m, p / total, "") for m, p in zip(members, pops)]
        return [(m, 1.0 / len(members), "no population recorded: split equally")
                for m in members]
    return [(m, 1.0 / len(members), "") for m in members]


def go_alone(snap: Snapshot, res: Results) -> tuple[str | None, float | None]:
    """The cheapest ranked bid that is not shared: what a partner would pay in full alone."""
    solo = [i for i in res.ranking if not snap.bids[i].get("apportionment")]
    if not solo:
        return None, None
    i = min(solo, key=lambda k: (snap.cost_basis[k], snap.bid_ids[k]))
    return snap.bid_ids[i], float(snap.cost_basis[i])


def shared(doc: Mapping[str, Any], snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """One row per (shared bid, sharing partner): share, cost, baseline and saving."""
    partners = doc.get("partners", [])
    by_id = {p["id"]: p for p in partners}
    factor = _baseline_factor(snap)
    alone_bid, alone_cost = go_alone(snap, res)
    rows = []
    for i, bid in enumerate(snap.bids):
        app = bid.get("apportionment")
        if not app:
            continue
        c = float(snap.cost_basis[i])
        for pid, share, note in apportion(app, partners):
            cost = share * c
            baseline = float(by_id[pid].get("baseline_annual_cost") or 0) * factor
            row = {"bid": bid["id"], "partner": pid, "partner_name": by_id[pid]["name"],
                   "method": app.get("method", "equal"), "share": share, "cost": cost,
                   "baseline": baseline, "saving": baseline - cost,
                   "go_alone_bid": alone_bid, "go_alone_cost": alone_cost,
                   "beats_go_alone": None if alone_cost is None else cost < alone_cost}
            if note:
                row["note"] = note
            rows.append(row)
    return rows


def partners_needed(cost: float, alone: float | None) -> int | None:
    """Smallest n with cost / n < alone: equal partners needed for sharing to be cheaper."""
    if alone is None or alone <= 0:
        return None
    if cost < alone:
        return 1
    return math.floor(cost / alone) + 1


def break_even(doc: Mapping[str, Any], snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """Per shared bid: how many partners of average size must share to beat going alone.

    Partners of average size split the bid's cost equally, so n of them each
    pay cost / n; sharing beats going alone once that is below the whole cost
    of the cheapest ranked bid not shared. The bid's cost is taken as fixed
    whatever the number of partners.
    """
    partners = doc.get("partners", [])
    alone_bid, alone_cost = go_alone(snap, res)
    pops = [float(p.get("population") or 0) for p in partners]
    out = []
    for i, bid in enumerate(snap.bids):
        app = bid.get("apportionment")
        if not app:
            continue
        c = float(snap.cost_basis[i])
        out.append({"bid": bid["id"], "cost": c, "partners_sharing": len(apportion(app, partners)),
                    "average_population": (sum(pops) / len(pops)) if pops else None,
                    "go_alone_bid": alone_bid, "go_alone_cost": alone_cost,
                    "partners_needed": partners_needed(c, alone_cost)})
    return out


# ---- option types side by side --------------------------------------------------------

_STATUS_ORDER = {"ranked": 0, "comparator": 1, "incomplete": 2, "excluded": 3, "withdrawn": 4}


def exit_costs(snap: Snapshot) -> np.ndarray:
    """Each bid's exit-category costs within the appraisal period (undiscounted)."""
    years = int(snap.settings["appraisal"]["years"])
    return np.array([year_costs((c for c in b.get("costs", []) if c["category"] == "exit"),
                                years).sum() for b in snap.bids])


def option_types(snap: Snapshot, res: Results) -> list[dict[str, Any]]:
    """The best bid of each option type: highest ranked, else the best status, else first."""
    exits = exit_costs(snap)
    out = []
    for ot in OPTION_TYPES:
        members = [i for i, b in enumerate(snap.bids) if b["option_type"] == ot]
        entry: dict[str, Any] = {"option_type": ot, "label": OPTION_TYPE_LABELS[ot],
                                 "bids": len(members), "bid": None}
        if members:
            i = min(members, key=lambda k: (_STATUS_ORDER.get(res.status[k], 9),
                                            res.rank[k] or 0, k))
            wlc = float(snap.wlc[i])
            entry.update({
                "bid": snap.bid_ids[i], "supplier": snap.bids[i]["supplier"],
                "status": res.status[i], "rank": res.rank[i],
                "total": _num(res.total[i]), "wlc": wlc, "npv": float(snap.npv[i]),
                "exit_cost": float(exits[i]),
                "exit_share": float(exits[i]) / wlc if wlc > 0 else None,
            })
        out.append(entry)
    return out


def _num(x: float) -> float | None:
    return None if math.isnan(float(x)) else float(x)


def plain_warnings(data: Mapping[str, Any], names: Mapping[str, str] | None = None,
                   near: float = 5.0) -> list[str]:
    """The robustness findings a board should hear, in plain words."""
    names = names or {}

    def who(b: str | None) -> str:
        return "no bid" if b is None else (f"{b} {names[b]}" if b in names else str(b))

    winner = data.get("winner")
    out: list[str] = []
    if winner is None:
        return ["No bid is ranked yet, so there is no winner to test."]
    fw = data.get("formulas", {})
    if len(set(fw.values())) > 1:
        out.append("The winner depends on the price formula: " + "; ".join(
            f"{f.replace('_', ' ')} gives {who(w)}" for f, w in fw.items()) + ".")
    for e in data.get("switching", []):
        if e["holds_from"] is None:
            continue
        if e["winner_below"] and e["weight"] - e["holds_from"] <= near:
            out.append(f"If the weight of {e['node']} ({e['name']}) fell from "
                       f"{e['weight']:.1f}% to below {e['holds_from']:.1f}%, "
                       f"{who(e['winner_below'])} would win.")
        if e["winner_above"] and e["holds_to"] - e["weight"] <= near:
            out.append(f"If the weight of {e['node']} ({e['name']}) rose from "
                       f"{e['weight']:.1f}% to above {e['holds_to']:.1f}%, "
                       f"{who(e['winner_above'])} would win.")
    for r in data.get("leave_one_out", []):
        if r["reversal"]:
            out.append(f"If {who(r['bid'])} withdrew, the prices would be re-scored and "
                       f"{who(r['winner'])} would win instead.")
    return out
