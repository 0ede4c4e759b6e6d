"""The analysis' quick ways give what re-scoring the whole evaluation gives.

Leave-one-out re-scores only the bids whose withdrawal moves the lowest cost, and
the failed-gateway test re-scores only the bids a pass would bring back in; both
are held here to the definition (a full `compute` for each variant) on random
evaluations with ties, failed and missing gateways, minimum scores and both
procedures.
"""

from __future__ import annotations

import random

import pytest

from procure_desk import integrity
from procure_desk.analysis import leave_one_out
from procure_desk.engine import Snapshot, compute
from procure_desk.interchange import validate


def random_evaluation(seed: int, complete: bool = False) -> dict:
    rng = random.Random(seed)
    kept = 1.0 if complete else 0.98  # share of the scores and gateway results given
    n_bids, n_leaves, n_gates = rng.randint(4, 12), rng.randint(1, 6), rng.randint(1, 3)
    quality = rng.randint(20, 80)
    criteria = [{"id": "Q", "name": "Quality", "kind": "section", "weight": quality,
                 "parent": None},
                {"id": "P", "name": "Price", "kind": "price", "weight": 100 - quality,
                 "parent": None,
                 "formula": rng.choice(["lowest_relative", "linear_deviation"])}]
    criteria += [{"id": f"Q{j}", "name": f"Q {j}", "kind": "scored", "parent": "Q",
                  "weight": rng.randint(1, 5), **({"min_score": 2} if rng.random() < 0.3 else {})}
                 for j in range(n_leaves)]
    criteria += [{"id": f"G{g}", "name": f"Gate {g}", "kind": "pass_fail", "parent": None}
                 for g in range(n_gates)]
    costs = [rng.randrange(20_000, 150_000, 500) if rng.random() < 0.8 else 50_000
             for _ in range(n_bids)]  # some repeated costs: ties at the lowest cost
    bids = [{"id": f"B{i}", "supplier": f"S{i}",
             "option_type": rng.choice(["enterprise_suite", "build", "shared_service"]),
             "costs": [{"item": "All", "category": "licence", "amount": costs[i],
                        "start_year": 0, "years": 2}]} for i in range(n_bids)]
    # dearer bids answer better, so price and quality pull apart: close races, reversals
    level = [1.0 + 3.5 * (costs[i] - 20_000) / 130_000 + rng.uniform(-0.6, 0.6)
             for i in range(n_bids)]
    scores = [{"evaluator": "E1", "bid": f"B{i}", "criterion": f"Q{j}",
               "score": max(0, min(5, round(level[i] + rng.gauss(0, 0.6)))), "comment": ""}
              for i in range(n_bids) for j in range(n_leaves) if rng.random() < kept]
    gateways = [{"bid": f"B{i}", "criterion": f"G{g}", "passed": complete or rng.random() < 0.85,
                 "note": ""}
                for i in range(n_bids) for g in range(n_gates) if rng.random() < kept]
    return validate({
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Random", "scale": {"max": 5, "step": 1},
                       "procedure": rng.choice(["options_appraisal", "competitive_tender"]),
                       "appraisal": {"years": 2, "discount_rate": 0.0, "cost_basis": "wlc"},
                       "moderation": {"spread_flag": 2}},
        "criteria": criteria, "bids": bids,
        "evaluators": [{"id": "E1", "name": "Evaluator", "role": "", "conflicts": []}],
        "scores": scores, "consensus": [], "gateways": gateways, "partners": [],
    })


SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("complete", [False, True])
def test_leave_one_out_is_the_full_recompute(seed, complete):
    snap = Snapshot.from_doc(random_evaluation(seed, complete))
    res = compute(snap)
    want = [{"bid": snap.bid_ids[i],
             "winner": compute(snap, withdrawn=[snap.bid_ids[i]]).winner}
            for i in res.ranking[1:]]
    for w in want:
        w["reversal"] = w["winner"] != res.winner
    assert leave_one_out(snap, res) == want


@pytest.mark.parametrize("seed", SEEDS)
def test_failed_gateways_are_the_full_recompute(seed):
    snap = Snapshot.from_doc(random_evaluation(seed))
    res = compute(snap)
    assert integrity.exclusions(snap, res) == integrity.exclusions_by_recompute(snap, res)


def test_the_random_evaluations_reach_every_case():
    """Enough variety that the tests above mean something: reversals, failed gateways
    whose pass changes the winner, and ones whose pass changes nothing."""
    reversals = changed = unchanged = 0
    for seed in SEEDS:
        for complete in (False, True):
            snap = Snapshot.from_doc(random_evaluation(seed, complete))
            res = compute(snap)
            reversals += sum(r["reversal"] for r in leave_one_out(snap, res))
            for e in integrity.exclusions(snap, res):
                changed += e["winner_if_passed"] != res.winner
                unchanged += e["winner_if_passed"] == res.winner
    assert reversals > 0
    assert changed > 0
    assert unchanged > 0


def test_a_passed_gateway_that_brings_a_cheaper_incomplete_bid_back_moves_the_prices():
    """The cheapest bid failed its gateway and is unscored: were it a pass, it would be
    incomplete, yet its cost would set the lowest cost and the dearer, better bid wins."""
    doc = validate({
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Gate", "scale": {"max": 5, "step": 1},
                       "appraisal": {"years": 1, "discount_rate": 0.0, "cost_basis": "wlc"},
                       "moderation": {"spread_flag": 2}},
        "criteria": [{"id": "Q1", "name": "Quality", "kind": "scored", "weight": 50,
                      "parent": None},
                     {"id": "P", "name": "Price", "kind": "price", "weight": 50,
                      "parent": None},
                     {"id": "G1", "name": "Insurance", "kind": "pass_fail", "parent": None}],
        "bids": [{"id": b, "supplier": b, "option_type": "enterprise_suite",
                  "costs": [{"item": "All", "category": "licence", "amount": cost,
                             "start_year": 0, "years": 1}]}
                 for b, cost in (("W", 100), ("R", 130), ("C", 50))],
        "evaluators": [{"id": "E1", "name": "E", "role": "", "conflicts": []}],
        "scores": [{"evaluator": "E1", "bid": "W", "criterion": "Q1", "score": 3},
                   {"evaluator": "E1", "bid": "R", "criterion": "Q1", "score": 4}],
        "gateways": [{"bid": b, "criterion": "G1", "passed": b != "C"} for b in "WRC"],
    })
    snap = Snapshot.from_doc(doc)
    res = compute(snap)
    assert res.winner == "W"
    got = integrity.exclusions(snap, res)
    assert got == [{"bid": "C", "criterion": "G1", "winner_if_passed": "R"}]
    assert got == integrity.exclusions_by_recompute(snap, res)
