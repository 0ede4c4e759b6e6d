"""The scoring engine: the rules of docs/scoring.md, vectorised.

A `Snapshot` turns a normalised document into index arrays once; `compute`
then works on whole arrays (no Python loop per score) and returns `Results`,
whose `to_json()` is the results JSON (docs/results.md). Variants used by the analysis
(another price formula, withdrawn bids, other weights) are parameters of
`compute`, so every figure comes from the same rules.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast, overload

import numpy as np

from .interchange.vocabulary import default_tender

TIE = 1e-9


def effective_weights(criteria: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Percent of 100 for every weighted node (sections and leaves), by id."""
    kids: dict[str | None, list[dict[str, Any]]] = {}
    for c in criteria:
        if c["kind"] != "pass_fail":
            kids.setdefault(c.get("parent"), []).append(c)
    out: dict[str, float] = {}

    def walk(parent: str | None, factor: float) -> None:
        siblings = kids.get(parent, [])
        total = sum(float(c.get("weight") or 0) for c in siblings)
        for c in siblings:
            share = float(c.get("weight") or 0) / total if total > 0 else 0.0
            out[c["id"]] = factor * share
            if c["kind"] == "section":
                walk(c["id"], factor * share)

    walk(None, 100.0)
    return out


def year_costs(costs: Iterable[dict[str, Any]], years: int) -> np.ndarray:
    """Cost in each year 0..years-1 of one bid's cost lines (lines past the horizon cut)."""
    out = np.zeros(years)
    for line in costs:
        start = int(line["start_year"])
        end = min(start + int(line["years"]), years)
        if start < end:
            out[start:end] += float(line["amount"])
    return out


def discount_factors(years: int, rate: float) -> np.ndarray:
    return 1.0 / (1.0 + rate) ** np.arange(years)


@dataclass(eq=False)
class ScoreColumns(Sequence[dict[str, Any]]):
    """A document's scores as columns, for readers that need no record per score.

    `evaluator`, `bid` and `criterion` are positions in the id lists beside them.
    `Snapshot.from_doc` takes this in place of the list of score records (a million
    records take about 800 MB; these columns 32 MB). It is also a read-only sequence of
    score records, each made when asked for (`[k]`, iteration), as the document's list
    would give them; `comment` holds the comments where the reader read them (None:
    not read, and a record's comment is then None too).
    """

    evaluator_ids: list[str]
    bid_ids: list[str]
    criterion_ids: list[str]
    evaluator: np.ndarray
    bid: np.ndarray
    criterion: np.ndarray
    value: np.ndarray
    comment: list[str | None] | None = None

    def __len__(self) -> int:
        return int(self.value.size)

    @overload
    def __getitem__(self, k: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, k: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, k: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return {"evaluator": self.evaluator_ids[self.evaluator[k]],
                "bid": self.bid_ids[self.bid[k]],
                "criterion": self.criterion_ids[self.criterion[k]],
                "score": _plain_number(float(self.value[k])),
                "comment": None if self.comment is None else self.comment[k]}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        ev, bi, cr = self.evaluator_ids, self.bid_ids, self.criterion_ids
        comments: Iterable[str | None] = (self.comment if self.comment is not None
                                          else itertools.repeat(None))
        for e, b, c, v, m in zip(self.evaluator.tolist(), self.bid.tolist(),
                                 self.criterion.tolist(), self.value.tolist(), comments):
            yield {"evaluator": ev[e], "bid": bi[b], "criterion": cr[c],
                   "score": _plain_number(v), "comment": m}

    def id_columns(self) -> tuple[list[str], list[str], list[str], list[float | int]]:
        """Each score's evaluator, bid and criterion id and its value (as the document's
        records hold it: 3 rather than 3.0), one list per field: for a digest or a
        table that goes a column at a time."""
        out = [list(map(ids.__getitem__, col.tolist())) for ids, col in
               ((self.evaluator_ids, self.evaluator), (self.bid_ids, self.bid),
                (self.criterion_ids, self.criterion))]
        values = list(map(_plain_number, self.value.tolist()))
        return out[0], out[1], out[2], values

    def positions(self, eix: dict[str, int], bix: dict[str, int], cix: dict[str, int]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The columns as positions in the engine's evaluator, bid and scored-leaf lists."""
        out = []
        for col, ids, where in ((self.evaluator, self.evaluator_ids, eix),
                                (self.bid, self.bid_ids, bix),
                                (self.criterion, self.criterion_ids, cix)):
            table = np.array([where.get(x, -1) for x in ids], dtype=np.int64)
            out.append(table[col] if col.size else np.zeros(0, dtype=np.int64))
        return out[0], out[1], out[2]


def _plain_number(x: float) -> float | int:
    """A score as the document holds it: 3 rather than 3.0 (`interchange.plain`)."""
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


@dataclass
class Snapshot:
    """Everything the engine needs, as arrays indexed by bid, leaf and evaluator."""

    settings: dict[str, Any]
    criteria: list[dict[str, Any]]
    bids: list[dict[str, Any]]
    evaluators: list[dict[str, Any]]
    bid_ids: list[str]
    scored_ids: list[str]
    price_ids: list[str]
    gate_ids: list[str]
    section_ids: list[str]
    eff: dict[str, float]
    scored_w: np.ndarray
    price_w: np.ndarray
    min_score: np.ndarray
    formulas: list[str]
    s_eval: np.ndarray
    s_bid: np.ndarray
    s_crit: np.ndarray
    s_val: np.ndarray
    conflict: np.ndarray
    consensus: np.ndarray
    gateway: np.ndarray
    costs: np.ndarray
    wlc: np.ndarray
    npv: np.ndarray
    scored_sections: np.ndarray
    price_sections: np.ndarray
    names: dict[str, str] = field(default_factory=dict)
    tender: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    competitive: bool = False  # evaluation.procedure is competitive_tender
    # The scores of evaluators with no conflict on the bid, kept sparse: only the
    # (bid, leaf, evaluator) triples that exist, sorted by pair then evaluator, with
    # per-pair sums, counts and extremes from one pass over flat arrays (no dense
    # evaluator x bid x leaf cube: at the input limits that would be gigabytes).
    # Built on first use and shared by the variants `dataclasses.replace` makes, as
    # long as they keep the same score arrays.
    pairs: PairScores | None = None
    # `evaluate_scores` of these pairs and consensus scores, kept: the analysis computes
    # dozens of variants that change weights, formulas or bids, never the scores
    evaluated: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    def pair_scores(self) -> PairScores:
        """The non-conflicted scores grouped by (bid, scored leaf), built once."""
        p = self.pairs
        if p is None or not p.built_from(self):
            p = PairScores.build(self, None if p is None else p)
            self.pairs = p
        return p

    @property
    def cube_val(self) -> _CubeView:
        """Score of evaluator e for bid i on leaf j as `cube_val[e, i, j]` (0 where none)."""
        return _CubeView(self.pair_scores(), False)

    @property
    def cube_has(self) -> _CubeView:
        """Whether evaluator e scored bid i on leaf j (with no conflict): `cube_has[e, i, j]`."""
        return _CubeView(self.pair_scores(), True)

    def with_scores(self, at: np.ndarray, values: np.ndarray) -> Snapshot:
        """The same evaluation with the scores at positions `at` set to `values`
        (a typed score: no need to rebuild the arrays from the document)."""
        s_val = self.s_val.copy()
        s_val[at] = values
        return dataclasses.replace(self, s_val=s_val)

    @property
    def cost_basis(self) -> np.ndarray:
        return self.npv if self.settings["appraisal"]["cost_basis"] == "npv" else self.wlc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Snapshot:
        ev = doc["evaluation"]
        criteria = doc["criteria"]
        bids = doc["bids"]
        evaluators = doc["evaluators"]
        bid_ids = [b["id"] for b in bids]
        bix = {b: i for i, b in enumerate(bid_ids)}
        scored = [c for c in criteria if c["kind"] == "scored"]
        price = [c for c in criteria if c["kind"] == "price"]
        gates = [c for c in criteria if c["kind"] == "pass_fail"]
        cix = {c["id"]: i for i, c in enumerate(scored)}
        gix = {c["id"]: i for i, c in enumerate(gates)}
        eix = {e["id"]: i for i, e in enumerate(evaluators)}
        eff = effective_weights(criteria)
        parent = {c["id"]: c.get("parent") for c in criteria}
        section_ids = [c["id"] for c in criteria
                       if c["kind"] == "section" or (c["kind"] in ("scored", "price")
                                                     and c.get("parent") is None)]
        six = {s: i for i, s in enumerate(section_ids)}

        def section_matrix(leaves: list[dict[str, Any]]) -> np.ndarray:
            m = np.zeros((len(leaves), len(section_ids)))
            for i, leaf in enumerate(leaves):
                node: str | None = leaf["id"]
                while node is not None:
                    if node in six:
                        m[i, six[node]] = 1.0
                    node = parent.get(node)
            return m

        nb, ns, ne = len(bids), len(scored), len(evaluators)
        scores = doc["scores"]
        if isinstance(scores, ScoreColumns):
            s_eval, s_bid, s_crit = scores.positions(eix, bix, cix)
            s_val = scores.value
        else:
            n = len(scores)
            s_eval = np.fromiter((eix[s["evaluator"]] for s in scores), np.int64, count=n)
            s_bid = np.fromiter((bix[s["bid"]] for s in scores), np.int64, count=n)
            s_crit = np.fromiter((cix[s["criterion"]] for s in scores), np.int64, count=n)
            s_val = np.fromiter((s["score"] for s in scores), np.float64, count=n)
        conflict = np.zeros((ne, nb), dtype=bool)
        for e in evaluators:
            for b in e.get("conflicts", []):
                conflict[eix[e["id"]], bix[b]] = True
        consensus = np.full((nb, ns), np.nan)
        for c in doc.get("consensus", []):
            consensus[bix[c["bid"]], cix[c["criterion"]]] = float(c["score"])
        gateway = np.full((nb, len(gates)), np.nan)
        for g in doc.get("gateways", []):
            gateway[bix[g["bid"]], gix[g["criterion"]]] = 1.0 if g["passed"] else 0.0
        years = int(ev["appraisal"]["years"])
        costs = np.zeros((nb, years))
        for i, b in enumerate(bids):
            costs[i] = year_costs(b.get("costs", []), years)
        disc = discount_factors(years, float(ev["appraisal"]["discount_rate"]))
        return cls(
            settings=ev, criteria=criteria, bids=bids, evaluators=evaluators, bid_ids=bid_ids,
            scored_ids=[c["id"] for c in scored], price_ids=[c["id"] for c in price],
            gate_ids=[c["id"] for c in gates], section_ids=section_ids, eff=eff,
            scored_w=np.array([eff.get(c["id"], 0.0) for c in scored], dtype=float),
            price_w=np.array([eff.get(c["id"], 0.0) for c in price], dtype=float),
            min_score=np.array([np.nan if c.get("min_score") is None else c["min_score"]
                                for c in scored], dtype=float),
            formulas=[c.get("formula") or "lowest_relative" for c in price],
            s_eval=s_eval, s_bid=s_bid, s_crit=s_crit, s_val=s_val, conflict=conflict,
            consensus=consensus, gateway=gateway, costs=costs,
            wlc=costs.sum(axis=1), npv=costs @ disc,
            scored_sections=section_matrix(scored), price_sections=section_matrix(price),
            names={c["id"]: c["name"] for c in criteria},
            tender=np.array([bool(b.get("tender", default_tender(b["option_type"])))
                             for b in bids], dtype=bool),
            competitive=ev.get("procedure") == "competitive_tender",
        )


@dataclass(eq=False)
class PairScores:
    """The non-conflicted scores, sorted by (bid, scored leaf) pair and then evaluator.

    `key` is `pair * evaluators + evaluator` with `pair = bid * leaves + leaf`;
    `count`, `total`, `hi` and `lo` are flat per pair (`bid * leaves + leaf`): the
    number of scores, their sum in evaluator order (so the same sum, bit for bit, as
    adding evaluator by evaluator), the highest and the lowest (nan where none).
    """

    source: tuple[np.ndarray, ...]  # (s_eval, s_bid, s_crit, conflict) it was built from
    s_val: np.ndarray
    n_eval: int
    n_leaves: int
    pick: np.ndarray  # positions in the score arrays, in key order
    key: np.ndarray
    pair: np.ndarray
    starts: np.ndarray  # first position of each present pair in `pick`
    present: np.ndarray  # flat pair of each start
    count: np.ndarray
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    total: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hi: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lo: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def built_from(self, snap: Snapshot) -> bool:
        return self.s_val is snap.s_val and self._same_structure(snap)

    def _same_structure(self, snap: Snapshot) -> bool:
        return all(a is b for a, b in zip(self.source, (snap.s_eval, snap.s_bid, snap.s_crit,
                                                          snap.conflict)))

    @classmethod
    def build(cls, snap: Snapshot, previous: PairScores | None = None) -> PairScores:
        if previous is not None and previous._same_structure(snap):
            out = dataclasses.replace(previous, s_val=snap.s_val)
        else:
            out = cls._structure(snap)
        out._values(snap.s_val)
        return out

    @classmethod
    def _structure(cls, snap: Snapshot) -> PairScores:
        ne, ns = max(len(snap.evaluators), 1), len(snap.scored_ids)
        size = len(snap.bid_ids) * ns
        if snap.s_eval.size:
            keep = np.flatnonzero(~snap.conflict[snap.s_eval, snap.s_bid])
        else:
            keep = np.zeros(0, dtype=np.int64)
        pair_of = snap.s_bid[keep] * ns + snap.s_crit[keep]
        key = pair_of * ne + snap.s_eval[keep]
        order = np.argsort(key, kind="stable")
        pick, key, pair = keep[order], key[order], pair_of[order]
        first = np.ones(pair.size, dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        starts = np.flatnonzero(first)
        return cls(source=(snap.s_eval, snap.s_bid, snap.s_crit, snap.conflict),
                   s_val=snap.s_val, n_eval=ne, n_leaves=ns, pick=pick, key=key, pair=pair,
                   starts=starts, present=pair[starts],
                   count=np.bincount(pair, minlength=size).astype(np.float64))

    def _values(self, s_val: np.ndarray) -> None:
        size = self.count.size
        self.values = np.asarray(s_val[self.pick], dtype=np.float64)
        self.total = np.bincount(self.pair, weights=self.values, minlength=size)
        self.hi = np.full(size, np.nan)
        self.lo = np.full(size, np.nan)
        if self.starts.size:
            self.hi[self.present] = np.maximum.reduceat(self.values, self.starts)
            self.lo[self.present] = np.minimum.reduceat(self.values, self.starts)

    def find(self, e: int, i: int, j: int) -> int:
        """Position in `values` of evaluator e's score for bid i on leaf j, or -1."""
        k = (i * self.n_leaves + j) * self.n_eval + e
        pos = int(np.searchsorted(self.key, k))
        return pos if pos < self.key.size and int(self.key[pos]) == k else -1

    def evaluator_counts(self, bids: np.ndarray) -> np.ndarray:
        """Per evaluator, how many of their scores are on the bids marked in `bids`."""
        e_of = self.key % self.n_eval
        on = bids[self.pair // self.n_leaves] if self.pair.size else np.zeros(0, dtype=bool)
        return np.bincount(e_of[on], minlength=self.n_eval)


class _CubeView:
    """Reads one (evaluator, bid, leaf) score as `view[e, i, j]`, like a dense array."""

    def __init__(self, pairs: PairScores, has: bool):
        self._pairs = pairs
        self._has = has

    def __getitem__(self, at: tuple[int, int, int]) -> Any:
        pos = self._pairs.find(*(int(x) for x in at))
        if self._has:
            return pos >= 0
        return float(self._pairs.values[pos]) if pos >= 0 else 0.0


@dataclass
class Evaluated:
    """Final scores and their spread per (bid, scored leaf)."""

    final: np.ndarray  # (bids, scored) nan where missing
    mean: np.ndarray
    count: np.ndarray
    spread: np.ndarray  # max - min over non-conflicted scores, nan where none
    flagged: np.ndarray  # bool


def evaluate_scores(snap: Snapshot) -> Evaluated:
    """Each (bid, scored leaf) pair's count, mean, spread, final score and flag; worked
    out once for the same pairs, consensus scores and flag (`Snapshot.evaluated`)."""
    ps = snap.pair_scores()
    flag_at = float(snap.settings["moderation"]["spread_flag"])
    kept = snap.evaluated
    if (kept is not None and kept[0] is ps and kept[1] is snap.consensus
            and kept[2] == flag_at):
        return cast(Evaluated, kept[3])
    got = _evaluate(snap, ps, flag_at)
    snap.evaluated = (ps, snap.consensus, flag_at, got)
    return got


def _evaluate(snap: Snapshot, ps: PairScores, flag_at: float) -> Evaluated:
    shape = (len(snap.bid_ids), len(snap.scored_ids))
    count = ps.count.reshape(shape)
    present = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, ps.total.reshape(shape) / count, np.nan)
        spread = np.where(present, ps.hi.reshape(shape) - ps.lo.reshape(shape), np.nan)
    has_consensus = ~np.isnan(snap.consensus)
    final = np.where(has_consensus, snap.consensus, mean)
    with np.errstate(invalid="ignore"):
        flagged = (spread >= flag_at - TIE) & ~has_consensus & (count > 0)
    return Evaluated(final=final, mean=mean, count=count, spread=spread, flagged=flagged)


def price_fractions(c: np.ndarray, eligible: np.ndarray, formula: str,
                    beside: np.ndarray | None = None) -> np.ndarray:
    """Price fraction of each bid (nan where not eligible) under one formula.

    `beside` marks comparators (docs/scoring.md, "Tenders and other options"):
    priced against the eligible bids' lowest cost with the same formula, capped
    at 1, and not priced at all when no bid is eligible.
    """
    out = np.full(c.shape, np.nan)
    if not eligible.any():
        return out
    cmin = float(c[eligible].min())
    if beside is not None and beside.any():
        out[beside] = np.minimum(1.0, _fractions(c[beside], cmin, formula))
    out[eligible] = _fractions(c[eligible], cmin, formula)
    return out


def _fractions(ce: np.ndarray, cmin: float, formula: str) -> np.ndarray:
    if formula == "linear_deviation":
        if cmin == 0:
            frac = np.where(ce == 0, 1.0, 0.0)
        else:
            frac = np.maximum(0.0, 1.0 - (ce - cmin) / cmin)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(ce == 0, 1.0, cmin / np.where(ce == 0, 1.0, ce))
    return np.asarray(frac, dtype=float)


def rank_order(ids: Sequence[str], total: np.ndarray, quality: np.ndarray,
               cost: np.ndarray, candidates: Iterable[int]) -> list[int]:
    """Indices of candidates, best first: total, then quality, then lower cost, then id."""

    def cmp(i: int, j: int) -> int:
        if abs(total[i] - total[j]) > TIE:
            return -1 if total[i] > total[j] else 1
        if abs(quality[i] - quality[j]) > TIE:
            return -1 if quality[i] > quality[j] else 1
        if abs(cost[i] - cost[j]) > TIE:
            return -1 if cost[i] < cost[j] else 1
        return (ids[i] > ids[j]) - (ids[i] < ids[j])

    cands = list(candidates)
    # Exact keys first; the tolerant comparison is needed only when two totals,
    # qualities or costs sit within TIE of each other.
    order = sorted(cands, key=lambda i: (-total[i], -quality[i], cost[i], ids[i]))
    near = any(abs(total[a] - total[b]) <= TIE or abs(quality[a] - quality[b]) <= TIE
               for a, b in itertools.pairwise(order))
    return sorted(cands, key=functools.cmp_to_key(cmp)) if near else order


def _num(x: Any) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _nums(row: np.ndarray) -> list[float | None]:
    """A row of floats as JSON values: None where nan."""
    return [None if x != x else x for x in row.tolist()]


@dataclass
class Results:
    snap: Snapshot
    scores: Evaluated
    status: list[str]
    reasons: Sequence[list[str]]
    scored_contrib: np.ndarray  # (bids, scored)
    price_frac: np.ndarray  # (bids, price leaves)
    price_contrib: np.ndarray
    quality: np.ndarray  # nan unless ranked
    price: np.ndarray
    total: np.ndarray
    sections: np.ndarray  # (bids, section_ids) nan where a contribution below is missing
    ranking: list[int]  # bid indices, rank 1 first
    rank: list[int | None]
    _leaves: list[tuple[str, int, int]] | None = field(default=None, init=False, repr=False)

    @property
    def winner(self) -> str | None:
        return self.snap.bid_ids[self.ranking[0]] if self.ranking else None

    def flags(self) -> list[dict[str, Any]]:
        b, c = np.nonzero(self.scores.flagged)
        return [{"bid": self.snap.bid_ids[i], "criterion": self.snap.scored_ids[j],
                 "spread": float(self.scores.spread[i, j])} for i, j in zip(b, c)]

    def bid_json(self, i: int, *, detail: bool = True) -> dict[str, Any]:
        """Bid `i` as the results JSON gives it; without `detail`, its figures and
        status only (no reasons, sections or criteria: a summary of a thousand bids
        of two thousand criteria holds a few hundred kilobytes, not two million
        records)."""
        s = self.snap
        bid = s.bids[i]
        if not detail:
            return {"id": bid["id"], "supplier": bid["supplier"],
                    "option_type": bid["option_type"], "status": self.status[i],
                    "rank": self.rank[i], "total": _num(self.total[i]),
                    "quality": _num(self.quality[i]), "price": _num(self.price[i]),
                    "wlc": float(s.wlc[i]), "npv": float(s.npv[i])}
        if self._leaves is None:  # each leaf's (id, scored 0 / price 1, column), tree order
            at = {cid: (0, j) for j, cid in enumerate(s.scored_ids)}
            at.update({cid: (1, j) for j, cid in enumerate(s.price_ids)})
            self._leaves = [(c["id"], *at[c["id"]]) for c in s.criteria if c["id"] in at]
        scores = (_nums(self.scores.final[i]), _nums(self.price_frac[i]))
        contribs = (_nums(self.scored_contrib[i]), _nums(self.price_contrib[i]))
        crit = {cid: {"score": scores[k][j], "contribution": contribs[k][j]}
                for cid, k, j in self._leaves}
        return {
            "id": bid["id"], "supplier": bid["supplier"], "option_type": bid["option_type"],
            "status": self.status[i], "reasons": list(self.reasons[i]), "rank": self.rank[i],
            "total": _num(self.total[i]), "quality": _num(self.quality[i]),
            "price": _num(self.price[i]),
            "wlc": float(s.wlc[i]), "npv": float(s.npv[i]),
            "sections": dict(zip(s.section_ids, _nums(self.sections[i]))),
            "criteria": crit,
        }

    def outstanding(self) -> list[dict[str, str]]:
        """What a final decision still needs (docs/results.md); [] when it is final."""
        from .provisional import outstanding

        return outstanding(self)

    def json_chunks(self, extra: dict[str, Any] | None = None) -> Iterator[str]:
        """`json.dumps(to_json() | extra, ensure_ascii=False)`, piece by piece: one bid
        at a time, so writing the results of a thousand bids holds one bid's dict."""
        ids = self.snap.bid_ids
        reasons = self.outstanding()

        def dumps(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False)

        yield f'{{"winner": {dumps(self.winner)}, '
        yield f'"ranking": {dumps([ids[i] for i in self.ranking])}, "bids": ['
        for i in range(len(ids)):
            yield (", " if i else "") + dumps(self.bid_json(i))
        yield f'], "flags": {dumps(self.flags())}, "provisional": {dumps(bool(reasons))}, '
        yield f'"provisional_reasons": {dumps(reasons)}'
        for key, value in (extra or {}).items():
            yield f", {dumps(key)}: {dumps(value)}"
        yield "}"

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        """The results JSON (docs/results.md); without `detail`, each bid as
        `bid_json(i, detail=False)` gives it."""
        ids = self.snap.bid_ids
        reasons = self.outstanding()
        return {
            "winner": self.winner,
            "ranking": [ids[i] for i in self.ranking],
            "bids": [self.bid_json(i, detail=detail) for i in range(len(ids))],
            "flags": self.flags(),
            "provisional": bool(reasons),
            "provisional_reasons": reasons,
        }


def _label(snap: Snapshot, cid: str) -> str:
    return f"{cid} ({snap.names.get(cid, cid)})"


class Reasons(Sequence[list[str]]):
    """Each bid's reasons (docs/results.md), written out when asked for: an unfinished
    evaluation at the input limits has over a million missing scores, each a reason, and
    the analysis computes the results dozens of times."""

    def __init__(self, snap: Snapshot, status: list[str], fixed: dict[int, list[str]],
                 fin: np.ndarray, gate_failed: np.ndarray, below_min: np.ndarray,
                 gate_missing: np.ndarray, score_missing: np.ndarray) -> None:
        self.snap, self.status, self.fixed, self.fin = snap, status, fixed, fin
        self.masks = (gate_failed, below_min, gate_missing, score_missing)
        self.gate_label = _Labels(snap, snap.gate_ids)
        self.leaf_label = _Labels(snap, snap.scored_ids)

    def __len__(self) -> int:
        return len(self.status)

    @overload
    def __getitem__(self, i: int) -> list[str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...

    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = range(len(self))[i]  # a negative index counts from the end; IndexError past it
        if i in self.fixed:
            return list(self.fixed[i])
        gate_failed, below_min, gate_missing, score_missing = self.masks
        gate_label, leaf_label, status = self.gate_label, self.leaf_label, self.status[i]
        if status == "excluded":
            fin, mins = self.fin, self.snap.min_score
            return ([f"failed the gateway {gate_label[j]}"
                     for j in np.flatnonzero(gate_failed[i])]
                    + [f"{leaf_label[j]}: final score {fin[i, j]:g} is below "
                       f"the minimum {mins[j]:g}" for j in np.flatnonzero(below_min[i])])
        if status == "incomplete":
            return ([f"no gateway result for {gate_label[j]}"
                     for j in np.flatnonzero(gate_missing[i])]
                    + [f"no final score for {leaf_label[j]}"
                       for j in np.flatnonzero(score_missing[i])])
        return []


class _Labels:
    """`_label` of each id in a list, made on first use (a million reasons name 2,000)."""

    def __init__(self, snap: Snapshot, ids: list[str]):
        self.snap, self.ids = snap, ids
        self.made: dict[int, str] = {}

    def __getitem__(self, at: Any) -> str:
        j = int(at)
        got = self.made.get(j)
        if got is None:
            got = self.made[j] = _label(self.snap, self.ids[j])
        return got


def compute(snap: Snapshot, *, formula: str | None = None,
            withdrawn: Iterable[str] = (), scored_w: np.ndarray | None = None,
            price_w: np.ndarray | None = None, final: np.ndarray | None = None) -> Results:
    """Results under the rules of docs/scoring.md.

    `formula` forces every price leaf to one formula; `withdrawn` bids take no
    part (no rank, and prices re-scored without them); `scored_w`/`price_w`
    replace the effective weights; `final` replaces the final scores. The
    analysis uses these; the defaults give the evaluation's own results.
    """
    ev = evaluate_scores(snap)
    fin = ev.final if final is None else final
    sw = snap.scored_w if scored_w is None else scored_w
    pw = snap.price_w if price_w is None else price_w
    nb = len(snap.bid_ids)
    smax = float(snap.settings["scale"]["max"])

    gate_failed = snap.gateway == 0.0
    gate_missing = np.isnan(snap.gateway)
    with np.errstate(invalid="ignore"):
        below_min = fin < snap.min_score - TIE  # nan compares False
    score_missing = np.isnan(fin)
    excluded = gate_failed.any(axis=1) | below_min.any(axis=1)
    incomplete = ~excluded & (gate_missing.any(axis=1) | score_missing.any(axis=1))
    out = np.zeros(nb, dtype=bool)
    gone = set(withdrawn)
    if gone:
        out = np.array([b in gone for b in snap.bid_ids], dtype=bool)

    # in a competitive tender only tenders compete: the other options are comparators
    comparator = (~(out | excluded | incomplete) & ~snap.tender if snap.competitive
                  else np.zeros(nb, dtype=bool))
    status = ["ranked"] * nb
    fixed: dict[int, list[str]] = {}
    for i in np.flatnonzero(comparator).tolist():
        status[i] = "comparator"
        fixed[i] = ["not a tender: shown beside the tenders, it cannot win"]
    for i in np.flatnonzero(out | excluded | incomplete).tolist():
        if out[i]:
            status[i] = "withdrawn"
            fixed[i] = ["withdrawn"]
        else:
            status[i] = "excluded" if excluded[i] else "incomplete"
    reasons = Reasons(snap, status, fixed, fin, gate_failed, below_min, gate_missing,
                      score_missing)

    scored_contrib = fin / smax * sw
    eligible = ~excluded & ~out
    beside = None
    if snap.competitive:  # the lowest price is the lowest tender's
        beside = eligible & ~snap.tender
        eligible = eligible & snap.tender
    c = snap.cost_basis
    price_frac = np.full((nb, len(snap.price_ids)), np.nan)
    for j, f in enumerate(snap.formulas):
        price_frac[:, j] = price_fractions(c, eligible, formula or f, beside)
    price_contrib = price_frac * pw
    ranked = ~(out | excluded | incomplete | comparator)
    shown = ranked | comparator
    quality_all = scored_contrib.sum(axis=1)
    price_all = price_contrib.sum(axis=1)
    quality = np.where(shown, quality_all, np.nan)
    price = np.where(shown, price_all, np.nan)
    total = quality + price

    # contributions are finite or nan (missing): nan counts 0 in the sum, and marks it
    nan_s, nan_p = np.isnan(scored_contrib), np.isnan(price_contrib)
    sections = (np.where(nan_s, 0.0, scored_contrib) @ snap.scored_sections
                + np.where(nan_p, 0.0, price_contrib) @ snap.price_sections)
    missing = (nan_s.astype(float) @ snap.scored_sections
               + nan_p.astype(float) @ snap.price_sections)
    sections = np.where(missing > 0, np.nan, sections)

    order = rank_order(snap.bid_ids, total, quality, c, np.nonzero(ranked)[0].tolist())
    rank: list[int | None] = [None] * nb
    for position, i in enumerate(order, start=1):
        rank[i] = position
    return Results(snap=snap, scores=ev, status=status, reasons=reasons,
                   scored_contrib=scored_contrib, price_frac=price_frac,
                   price_contrib=price_contrib, quality=quality, price=price, total=total,
                   sections=sections, ranking=order, rank=rank)
