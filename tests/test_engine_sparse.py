"""The engine keeps only the scores that exist (no evaluator x bid x criterion cube).

Each test compares it with the dense cube the engine used before, computed here
independently, on random evaluations: scores on steps that are not exact in
binary (0.1, 0.25), evaluators with conflicts, pairs left unscored, consensus.
Every figure must be equal to the last bit, not merely close.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from procure_desk.engine import ScoreColumns, Snapshot, compute, evaluate_scores
from procure_desk.interchange import validate
from procure_desk.provisional import outstanding


def random_doc(seed: int, step: float) -> dict:
    rng = random.Random(seed)
    n_bids, n_leaves, n_eval = rng.randint(2, 9), rng.randint(1, 12), rng.randint(1, 7)
    smax = 5
    criteria = [{"id": "Q", "name": "Quality", "kind": "section", "weight": 60, "parent": None},
                {"id": "P", "name": "Price", "kind": "price", "weight": 40, "parent": None,
                 "formula": rng.choice(["lowest_relative", "linear_deviation"])}]
    for j in range(n_leaves):
        leaf = {"id": f"Q{j}", "name": f"Question {j}", "kind": "scored", "parent": "Q",
                "weight": rng.randint(1, 9)}
        if rng.random() < 0.2:
            leaf["min_score"] = 1
        criteria.append(leaf)
    bids = [{"id": f"B{i}", "supplier": f"Supplier {i}", "option_type": "enterprise_suite",
             "costs": [{"item": "Licence", "category": "licence",
                        "amount": rng.randrange(1000, 90000), "start_year": 0, "years": 3}]}
            for i in range(n_bids)]
    evaluators = [{"id": f"E{e}", "name": f"Evaluator {e}", "role": "",
                   "conflicts": sorted({f"B{rng.randrange(n_bids)}"}
                                       if rng.random() < 0.3 else set())}
                  for e in range(n_eval)]
    steps = round(smax / step)
    scores, consensus = [], []
    for e in evaluators:
        for i in range(n_bids):
            if f"B{i}" in e["conflicts"]:
                continue
            for j in range(n_leaves):
                if rng.random() < 0.85:
                    scores.append({"evaluator": e["id"], "bid": f"B{i}", "criterion": f"Q{j}",
                                   "score": round(rng.randint(0, steps) * step, 10),
                                   "comment": ""})
    rng.shuffle(scores)  # the order of the records must not matter
    for i in range(n_bids):
        for j in range(n_leaves):
            if rng.random() < 0.1:
                consensus.append({"bid": f"B{i}", "criterion": f"Q{j}",
                                  "score": round(rng.randint(0, steps) * step, 10),
                                  "rationale": "Agreed at moderation."})
    return validate({
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Random", "scale": {"max": smax, "step": step},
                       "appraisal": {"years": 3, "discount_rate": 0.035, "cost_basis": "npv"},
                       "moderation": {"spread_flag": 1}},
        "criteria": criteria, "bids": bids, "evaluators": evaluators, "scores": scores,
        "consensus": consensus, "gateways": [], "partners": [],
    })


def dense_cube(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """The cube the engine used to build: (evaluator, bid, leaf) values and presence."""
    shape = (max(len(snap.evaluators), 1), len(snap.bid_ids), len(snap.scored_ids))
    val, has = np.zeros(shape), np.zeros(shape, dtype=bool)
    keep = ~snap.conflict[snap.s_eval, snap.s_bid]
    at = (snap.s_eval[keep], snap.s_bid[keep], snap.s_crit[keep])
    val[at] = snap.s_val[keep]
    has[at] = True
    return val, has


def dense_evaluation(snap: Snapshot) -> dict[str, np.ndarray]:
    val, has = dense_cube(snap)
    count = has.sum(axis=0, dtype=np.float64)
    present = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, val.sum(axis=0) / count, np.nan)
        hi = np.where(has, val, -np.inf).max(axis=0)
        lo = np.where(has, val, np.inf).min(axis=0)
        spread = np.where(present, hi - lo, np.nan)
    return {"count": count, "mean": mean, "spread": spread}


CASES = [(seed, step) for seed in range(12) for step in (0.1, 0.25, 1)]


@pytest.mark.parametrize(("seed", "step"), CASES)
def test_means_counts_and_spreads_equal_the_dense_cube_to_the_bit(seed, step):
    snap = Snapshot.from_doc(random_doc(seed, step))
    got = evaluate_scores(snap)
    want = dense_evaluation(snap)
    for name in ("count", "mean", "spread"):
        assert np.array_equal(getattr(got, name), want[name], equal_nan=True), name


@pytest.mark.parametrize("seed", range(6))
def test_missing_scores_per_evaluator_equal_the_dense_count(seed):
    doc = random_doc(seed, 0.1)
    snap = Snapshot.from_doc(doc)
    res = compute(snap)
    _, has = dense_cube(snap)
    open_bids = np.array([s != "excluded" for s in res.status])
    expected = (~snap.conflict & open_bids[None, :])[:, :, None]
    missing = (expected & ~has[: len(snap.evaluators)]).sum(axis=(1, 2))
    said = next((r["detail"] for r in outstanding(res) if r["check"] == "scores_missing"), "")
    for e, n in zip(snap.evaluators, missing):
        assert (f"({e['id']}): {n:,} of" in said) == bool(n)


def test_single_scores_read_as_from_a_cube():
    snap = Snapshot.from_doc(random_doc(3, 0.25))
    val, has = dense_cube(snap)
    for e, i, j in np.ndindex(*val.shape):
        assert snap.cube_has[e, i, j] == has[e, i, j]
        assert snap.cube_val[e, i, j] == val[e, i, j]


def test_a_changed_score_gives_what_a_fresh_snapshot_gives():
    doc = random_doc(5, 0.1)
    snap = Snapshot.from_doc(doc)
    compute(snap)  # builds the pair index, which the changed copy reuses
    changed = snap.with_scores(np.array([0, 3]), np.array([0.3, 4.9]))
    doc["scores"][0]["score"], doc["scores"][3]["score"] = 0.3, 4.9
    fresh = Snapshot.from_doc(doc)
    assert compute(changed).to_json() == compute(fresh).to_json()
    assert compute(snap).to_json() != compute(fresh).to_json()


def test_scores_given_as_columns_give_the_same_results():
    doc = random_doc(7, 0.25)
    ev = [e["id"] for e in doc["evaluators"]]
    bids = [b["id"] for b in doc["bids"]]
    crits = [c["id"] for c in doc["criteria"]]
    columns = ScoreColumns(
        evaluator_ids=ev, bid_ids=bids, criterion_ids=crits,
        evaluator=np.array([ev.index(s["evaluator"]) for s in doc["scores"]]),
        bid=np.array([bids.index(s["bid"]) for s in doc["scores"]]),
        criterion=np.array([crits.index(s["criterion"]) for s in doc["scores"]]),
        value=np.array([float(s["score"]) for s in doc["scores"]]))
    want = compute(Snapshot.from_doc(doc)).to_json()
    assert compute(Snapshot.from_doc(dict(doc, scores=columns))).to_json() == want


@pytest.mark.parametrize("seed", range(4))
def test_the_results_json_written_in_pieces_is_the_same_text(seed):
    res = compute(Snapshot.from_doc(random_doc(seed, 0.1)))
    extra = {"sealed": {"at": "2026-01-01", "by": "=cmd <b>&\u202e", "head": "ab"}}
    want = json.dumps(res.to_json() | extra, ensure_ascii=False)
    assert "".join(res.json_chunks(extra)) == want
