"""The scoring rules (section 3) and the results JSON (section 4), worked by hand.

Every expected number below is derived in the comment beside it from the
contract's rules, not read back from the engine.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import bid, by_id, crit, doc, example, results_json, score

from procure_desk import interchange
from procure_desk.engine import (
    Snapshot,
    compute,
    discount_factors,
    effective_weights,
    rank_order,
    year_costs,
)

approx = pytest.approx


# ---- effective weights --------------------------------------------------------------

def three_level() -> list[dict]:
    # Top level: section A weight 3, price P weight 2, gateway G (no weight)
    #   -> A = 3/5 x 100 = 60, P = 2/5 x 100 = 40.
    # A's children: sections A1 weight 1 and A2 weight 3
    #   -> A1 = 60 x 1/4 = 15, A2 = 60 x 3/4 = 45.
    # A1's leaves L1 2, L2 2 -> 15 x 2/4 = 7.5 each.
    # A2's leaves L3 1, L4 2 -> 45 x 1/3 = 15 and 45 x 2/3 = 30.
    # Leaves: 7.5 + 7.5 + 15 + 30 + 40 = 100.
    return [
        crit("A", "section", 3),
        crit("A1", "section", 1, "A"),
        crit("L1", "scored", 2, "A1"),
        crit("L2", "scored", 2, "A1"),
        crit("A2", "section", 3, "A"),
        crit("L3", "scored", 1, "A2"),
        crit("L4", "scored", 2, "A2"),
        crit("P", "price", 2),
        crit("G", "pass_fail"),
    ]


def test_three_level_weights_are_normalised_among_siblings():
    eff = effective_weights(three_level())
    assert eff["A"] == approx(60)
    assert eff["P"] == approx(40)
    assert eff["A1"] == approx(15)
    assert eff["A2"] == approx(45)
    assert eff["L1"] == approx(7.5)
    assert eff["L2"] == approx(7.5)
    assert eff["L3"] == approx(15)
    assert eff["L4"] == approx(30)
    assert "G" not in eff  # a gateway has no weight and takes no share


def test_effective_weights_of_leaves_add_up_to_100():
    # Weights that do not add to 100 anywhere: 7/13/1 at the top, 5/9 below.
    criteria = [crit("S", "section", 7), crit("S1", "scored", 5, "S"),
                crit("S2", "scored", 9, "S"), crit("Q", "scored", 13), crit("P", "price", 1)]
    eff = effective_weights(criteria)
    leaves = [eff[c] for c in ("S1", "S2", "Q", "P")]
    assert sum(leaves) == approx(100)
    # S = 7/21 x 100 = 33.33..; S1 = 33.33.. x 5/14 = 11.904..
    assert eff["S1"] == approx(100 * 7 / 21 * 5 / 14)


def test_contributions_use_effective_weights():
    # Every scored leaf scored 5 of 5 -> contribution = its effective weight;
    # the single bid is the cheapest, so its price fraction is 1 -> 40.
    d = doc(three_level(), [bid("B1")],
            scores=[score("B1", c, 5) for c in ("L1", "L2", "L3", "L4")],
            gateways=[{"bid": "B1", "criterion": "G", "passed": True}])
    b = by_id(results_json(d))["B1"]
    assert b["criteria"]["L1"] == {"score": 5, "contribution": approx(7.5)}
    assert b["criteria"]["L4"]["contribution"] == approx(30)
    assert b["quality"] == approx(60)
    assert b["price"] == approx(40)
    assert b["total"] == approx(100)
    # section subtotals: A1 = 7.5 + 7.5, A2 = 15 + 30, A = 60, top-level price leaf P = 40
    assert b["sections"]["A1"] == approx(15)
    assert b["sections"]["A2"] == approx(45)
    assert b["sections"]["A"] == approx(60)
    assert b["sections"]["P"] == approx(40)


def test_section_subtotals_with_partial_scores():
    # L1 3/5 x 7.5 = 4.5; L2 1/5 x 7.5 = 1.5 -> A1 = 6
    # L3 4/5 x 15 = 12;   L4 2/5 x 30 = 12   -> A2 = 24; A = 30
    d = doc(three_level(), [bid("B1")],
            scores=[score("B1", "L1", 3), score("B1", "L2", 1), score("B1", "L3", 4),
                    score("B1", "L4", 2)],
            gateways=[{"bid": "B1", "criterion": "G", "passed": True}])
    b = by_id(results_json(d))["B1"]
    assert b["sections"]["A1"] == approx(6)
    assert b["sections"]["A2"] == approx(24)
    assert b["sections"]["A"] == approx(30)
    assert b["quality"] == approx(30)
    assert b["total"] == approx(70)


# ---- final scores ------------------------------------------------------------------

def two_evaluators() -> list[dict]:
    return [{"id": "E1", "name": "Ann"}, {"id": "E2", "name": "Bob"}]


def test_final_score_is_the_mean_of_evaluators():
    # (3 + 4) / 2 = 3.5; contribution 3.5 / 5 x 100 = 70
    d = doc([crit("Q1")], [bid("B1")], evaluators=two_evaluators(),
            scores=[score("B1", "Q1", 3, "E1"), score("B1", "Q1", 4, "E2")])
    b = by_id(results_json(d))["B1"]
    assert b["criteria"]["Q1"] == {"score": approx(3.5), "contribution": approx(70)}


def test_consensus_wins_over_the_mean():
    # mean would be (3 + 5) / 2 = 4; consensus 2 -> final 2, contribution 2/5 x 100 = 40
    d = doc([crit("Q1")], [bid("B1")], evaluators=two_evaluators(),
            scores=[score("B1", "Q1", 3, "E1"), score("B1", "Q1", 5, "E2")],
            consensus=[{"bid": "B1", "criterion": "Q1", "score": 2, "rationale": "agreed"}])
    b = by_id(results_json(d))["B1"]
    assert b["criteria"]["Q1"] == {"score": 2, "contribution": approx(40)}


def test_consensus_alone_gives_a_final_score():
    d = doc([crit("Q1")], [bid("B1")],
            consensus=[{"bid": "B1", "criterion": "Q1", "score": 4, "rationale": "panel"}])
    b = by_id(results_json(d))["B1"]
    assert b["status"] == "ranked"
    assert b["criteria"]["Q1"]["score"] == 4


def conflicted_snapshot() -> Snapshot:
    """E2 declared a conflict with B1 yet a score by E2 for B1 is in the data.

    The validator refuses such a file, so the snapshot is built directly from
    a document: the engine must still leave the score out.
    """
    d = doc([crit("Q1")], [bid("B1")], evaluators=two_evaluators(),
            scores=[score("B1", "Q1", 2, "E1"), score("B1", "Q1", 5, "E2")])
    norm = interchange.validate(d)
    norm["evaluators"][1]["conflicts"] = ["B1"]
    return Snapshot.from_doc(norm)


def test_conflicted_evaluator_is_left_out_of_the_mean():
    # E1 gave 2, conflicted E2 gave 5: final is 2 (not (2 + 5) / 2 = 3.5)
    res = compute(conflicted_snapshot()).to_json()
    b = by_id(res)["B1"]
    assert b["criteria"]["Q1"]["score"] == 2
    assert b["criteria"]["Q1"]["contribution"] == approx(40)


def test_conflicted_evaluator_does_not_count_toward_spread():
    # Raw spread 5 - 2 = 3 >= 2 would flag; without E2 there is one score, spread 0.
    res = compute(conflicted_snapshot())
    assert res.flags() == []
    assert res.scores.spread[0, 0] == 0


def test_only_conflicted_scores_means_missing():
    d = doc([crit("Q1")], [bid("B1")], evaluators=two_evaluators(),
            scores=[score("B1", "Q1", 5, "E2")])
    norm = interchange.validate(d)
    norm["evaluators"][1]["conflicts"] = ["B1"]
    b = compute(Snapshot.from_doc(norm)).to_json()["bids"][0]
    assert b["status"] == "incomplete"
    assert b["criteria"]["Q1"]["score"] is None


# ---- status: gateways, minimum scores, incomplete -------------------------------------

def gated(passed_b1, passed_b2=True) -> dict:
    gws = []
    if passed_b1 is not None:
        gws.append({"bid": "B1", "criterion": "G1", "passed": passed_b1})
    if passed_b2 is not None:
        gws.append({"bid": "B2", "criterion": "G1", "passed": passed_b2})
    return doc([crit("Q1"), crit("P", "price"), crit("G1", "pass_fail", name="Cyber Essentials")],
               [bid("B1", 50), bid("B2", 100)],
               scores=[score("B1", "Q1", 5), score("B2", "Q1", 3)], gateways=gws)


def test_failed_gateway_excludes_with_a_reason_naming_it():
    res = results_json(gated(False))
    b1 = by_id(res)["B1"]
    assert b1["status"] == "excluded"
    assert len(b1["reasons"]) == 1
    assert "G1" in b1["reasons"][0]
    assert "Cyber Essentials" in b1["reasons"][0]
    assert b1["total"] is None
    assert b1["rank"] is None
    assert res["winner"] == "B2"
    assert res["ranking"] == ["B2"]


def test_missing_gateway_makes_the_bid_incomplete():
    res = results_json(gated(None))
    b1 = by_id(res)["B1"]
    assert b1["status"] == "incomplete"
    assert len(b1["reasons"]) == 1
    assert "G1" in b1["reasons"][0]
    assert b1["total"] is None
    assert b1["rank"] is None


def test_exclusion_comes_before_incompleteness_and_lists_only_its_causes():
    d = gated(False)
    d["criteria"].append(crit("Q2"))  # B1 now also lacks a score on Q2
    d["scores"].append(score("B2", "Q2", 3))
    b1 = by_id(results_json(d))["B1"]
    assert b1["status"] == "excluded"
    assert len(b1["reasons"]) == 1
    assert "G1" in b1["reasons"][0]
    assert not any("Q2" in r for r in b1["reasons"])


def test_final_score_below_minimum_excludes():
    # B1: (2 + 3) / 2 = 2.5 < min 3 -> excluded; B2: (3 + 3) / 2 = 3, not below -> ranked
    d = doc([crit("Q1", min_score=3, name="Data portability"), crit("Q2")],
            [bid("B1"), bid("B2")], evaluators=two_evaluators(),
            scores=[score("B1", "Q1", 2, "E1"), score("B1", "Q1", 3, "E2"),
                    score("B2", "Q1", 3, "E1"), score("B2", "Q1", 3, "E2"),
                    score("B1", "Q2", 5), score("B2", "Q2", 1)])
    res = results_json(d)
    b1, b2 = by_id(res)["B1"], by_id(res)["B2"]
    assert b1["status"] == "excluded"
    assert len(b1["reasons"]) == 1
    assert "Q1" in b1["reasons"][0]
    assert "Data portability" in b1["reasons"][0]
    assert b2["status"] == "ranked"
    assert res["winner"] == "B2"


def test_consensus_at_the_minimum_keeps_the_bid_in():
    # mean 2 would be below min 3; the consensus 3 is the final score and is not below
    d = doc([crit("Q1", min_score=3)], [bid("B1")],
            scores=[score("B1", "Q1", 2)],
            consensus=[{"bid": "B1", "criterion": "Q1", "score": 3, "rationale": "moderated"}])
    assert by_id(results_json(d))["B1"]["status"] == "ranked"


def test_each_exclusion_cause_is_one_reason():
    d = doc([crit("Q1", min_score=3), crit("Q2", min_score=2), crit("G1", "pass_fail"),
             crit("G2", "pass_fail")],
            [bid("B1")],
            scores=[score("B1", "Q1", 1), score("B1", "Q2", 1)],
            gateways=[{"bid": "B1", "criterion": "G1", "passed": False},
                      {"bid": "B1", "criterion": "G2", "passed": False}])
    b1 = results_json(d)["bids"][0]
    assert b1["status"] == "excluded"
    assert len(b1["reasons"]) == 4
    for cid in ("Q1", "Q2", "G1", "G2"):
        assert sum(cid in r for r in b1["reasons"]) == 1


def test_missing_score_makes_the_bid_incomplete_with_a_reason_each():
    d = doc([crit("Q1"), crit("Q2"), crit("Q3"), crit("P", "price")], [bid("B1"), bid("B2")],
            scores=[score("B1", "Q1", 4), score("B2", "Q1", 4), score("B2", "Q2", 4),
                    score("B2", "Q3", 4)])
    res = results_json(d)
    b1 = by_id(res)["B1"]
    assert b1["status"] == "incomplete"
    assert len(b1["reasons"]) == 2
    assert any("Q2" in r for r in b1["reasons"])
    assert any("Q3" in r for r in b1["reasons"])
    assert b1["criteria"]["Q2"] == {"score": None, "contribution": None}
    assert b1["criteria"]["Q1"]["score"] == 4
    assert b1["total"] is None
    assert b1["quality"] is None
    assert b1["price"] is None
    assert b1["rank"] is None
    assert by_id(res)["B2"]["reasons"] == []


# ---- price --------------------------------------------------------------------------

def priced(costs: list[float], formula: str, **kw) -> dict:
    ids = [f"B{i + 1}" for i in range(len(costs))]
    return doc([crit("Q1"), crit("P", "price", formula=formula)],
               [bid(i, c) for i, c in zip(ids, costs)],
               scores=[score(i, "Q1", 5) for i in ids], **kw)


def fractions(res: dict) -> dict:
    return {b["id"]: b["criteria"]["P"]["score"] for b in res["bids"]}


def test_lowest_relative():
    # c_min = 100: 100/100 = 1, 100/150 = 2/3, 100/250 = 0.4
    res = results_json(priced([100, 150, 250], "lowest_relative"))
    assert fractions(res) == {"B1": approx(1), "B2": approx(2 / 3), "B3": approx(0.4)}
    # contribution = fraction x effective weight (P = 1/2 x 100 = 50): 50, 33.33, 20
    assert by_id(res)["B2"]["criteria"]["P"]["contribution"] == approx(100 / 3)
    assert by_id(res)["B3"]["price"] == approx(20)


def test_linear_deviation():
    # c_min = 100: 1 - 0/100 = 1, 1 - 50/100 = 0.5, max(0, 1 - 150/100) = 0
    res = results_json(priced([100, 150, 250], "linear_deviation"))
    assert fractions(res) == {"B1": approx(1), "B2": approx(0.5), "B3": 0}


def test_lowest_relative_with_a_free_bid():
    # c_min = 0: a bid costing 0 gets 1; another gets 0 / 200 = 0
    res = results_json(priced([0, 200], "lowest_relative"))
    assert fractions(res) == {"B1": 1, "B2": 0}


def test_linear_deviation_with_c_min_zero():
    # when c_min is 0: 1 if c is 0, else 0
    res = results_json(priced([0, 0, 1], "linear_deviation"))
    assert fractions(res) == {"B1": 1, "B2": 1, "B3": 0}


def test_excluded_bids_take_no_part_in_c_min_and_get_no_price():
    # B1 is cheapest (50) but fails the gateway: c_min is B2's 100, so B2 = 1, B3 = 100/200
    d = priced([50, 100, 200], "lowest_relative")
    d["criteria"].append(crit("G1", "pass_fail"))
    d["gateways"] = [{"bid": "B1", "criterion": "G1", "passed": False},
                     {"bid": "B2", "criterion": "G1", "passed": True},
                     {"bid": "B3", "criterion": "G1", "passed": True}]
    res = results_json(d)
    assert fractions(res) == {"B1": None, "B2": approx(1), "B3": approx(0.5)}
    b1 = by_id(res)["B1"]
    assert b1["criteria"]["P"]["contribution"] is None
    assert b1["price"] is None


def test_incomplete_bids_still_set_c_min():
    # B1 (cost 50) is incomplete, not excluded: c_min = 50, so B2 = 50 / 100 = 0.5
    d = priced([50, 100], "lowest_relative")
    d["scores"] = [score("B2", "Q1", 5)]
    res = results_json(d)
    assert by_id(res)["B1"]["status"] == "incomplete"
    assert fractions(res) == {"B1": approx(1), "B2": approx(0.5)}


def test_price_fractions_apply_per_leaf_formula():
    # two price leaves with different formulas on costs 100 and 150:
    # P1 lowest_relative 100/150 = 2/3; P2 linear_deviation 1 - 50/100 = 0.5
    d = doc([crit("P1", "price", formula="lowest_relative"),
             crit("P2", "price", formula="linear_deviation")],
            [bid("B1", 100), bid("B2", 150)])
    b2 = by_id(results_json(d))["B2"]
    assert b2["criteria"]["P1"]["score"] == approx(2 / 3)
    assert b2["criteria"]["P2"]["score"] == approx(0.5)
    # weights 50 each: 2/3 x 50 + 0.5 x 50 = 58.33..
    assert b2["total"] == approx(100 / 3 + 25)


# ---- costs: WLC, NPV, horizon -------------------------------------------------------

def test_year_costs_cut_at_the_horizon():
    lines = [
        {"amount": 100, "start_year": 0, "years": 5},   # runs past 3 years: years 0, 1, 2
        {"amount": 50, "start_year": 2, "years": 1},    # year 2 only
        {"amount": 1000, "start_year": 3, "years": 2},  # starts beyond the horizon: none
    ]
    assert year_costs(lines, 3).tolist() == [100, 100, 150]


def test_wlc_and_npv_with_horizon_cut():
    # horizon 3 years at 10%: costs by year [100, 100, 150] (see above)
    # wlc = 350; npv = 100 + 100/1.1 + 150/1.21 = 100 + 90.9090.. + 123.9669.. = 314.876..
    costs = [{"item": "Licence", "category": "licence", "amount": 100, "start_year": 0,
              "years": 5},
             {"item": "Exit", "category": "exit", "amount": 50, "start_year": 2, "years": 1},
             {"item": "Later", "category": "other", "amount": 1000, "start_year": 3,
              "years": 2}]
    d = doc([crit("P", "price")], [bid("B1", costs=costs)], years=3, rate=0.1, basis="npv")
    b = results_json(d)["bids"][0]
    assert b["wlc"] == approx(350)
    assert b["npv"] == approx(100 + 100 / 1.1 + 150 / 1.21)
    assert b["npv"] == approx(314.8760330578512)


def test_discount_factors():
    assert discount_factors(3, 0.1) == approx([1, 1 / 1.1, 1 / 1.21])
    assert discount_factors(2, 0.0) == approx([1, 1])


def test_cost_basis_npv_versus_wlc():
    # B1 pays 300 in year 0; B2 pays 300 in year 2. At 10%:
    # wlc: both 300 -> both fractions 1.
    # npv: B1 300, B2 300/1.21 = 247.93 -> c_min is B2's; B1 = (300/1.21)/300 = 1/1.21
    def the_doc(basis: str) -> dict:
        return doc([crit("P", "price")],
                   [bid("B1", costs=[{"item": "x", "category": "other", "amount": 300,
                                      "start_year": 0, "years": 1}]),
                    bid("B2", costs=[{"item": "x", "category": "other", "amount": 300,
                                      "start_year": 2, "years": 1}])],
                   years=3, rate=0.1, basis=basis)

    wlc = results_json(the_doc("wlc"))
    assert fractions(wlc) == {"B1": approx(1), "B2": approx(1)}
    npv = results_json(the_doc("npv"))
    assert fractions(npv) == {"B1": approx(1 / 1.21), "B2": approx(1)}
    assert npv["winner"] == "B2"


def test_worked_example_file():
    # tests/data/example.json by hand.
    # Weights: Q 60 -> Q1 25/100 x 60 = 15, Q2 75/100 x 60 = 45; P 40.
    # B1: Q1 E1 3, E2 5 -> mean 4 (E2's conflict is with B2 only) -> 4/5 x 15 = 12
    #     Q2 consensus 4 (over E1's 3) -> 4/5 x 45 = 36; quality 48
    #     costs by year: 250000, 90000, 90000, 90000, 90000 + 40000 exit
    # B2: Q1 4 -> 12; Q2 2 -> 2/5 x 45 = 18; quality 30
    #     80000 a year for 9 years, cut to the 5-year horizon
    r = 1.035
    npv1 = 250000 + 90000 / r + 90000 / r**2 + 90000 / r**3 + 130000 / r**4
    npv2 = sum(80000 / r**y for y in range(5))
    res = results_json(example())
    b1, b2 = res["bids"]
    assert b1["wlc"] == approx(650000)
    assert b2["wlc"] == approx(400000)
    assert b1["npv"] == approx(npv1)
    assert b2["npv"] == approx(npv2)
    assert b1["quality"] == approx(48)
    assert b2["quality"] == approx(30)
    # npv2 ~ 373,840 < npv1 ~ 615,435 -> B2 price 40, B1 price npv2/npv1 x 40 ~ 24.3
    assert b2["price"] == approx(40)
    assert b1["price"] == approx(npv2 / npv1 * 40)
    assert b1["total"] == approx(48 + npv2 / npv1 * 40)  # ~ 72.3 > B2's 70
    assert b2["total"] == approx(70)
    assert res["winner"] == "B1"
    assert res["ranking"] == ["B1", "B2"]
    assert [b1["rank"], b2["rank"]] == [1, 2]
    # B1/Q1: spread 5 - 3 = 2 >= 2 and no consensus -> flagged
    assert res["flags"] == [{"bid": "B1", "criterion": "Q1", "spread": 2}]
    assert b1["sections"] == {"Q": approx(48), "P": approx(npv2 / npv1 * 40)}


# ---- ranking --------------------------------------------------------------------------

def test_equal_totals_go_to_higher_quality():
    # Q1 50, P 50. B1: score 4 -> 40 quality; cost 125 -> 100/125 = 0.8 -> 40; total 80
    #             B2: score 3 -> 30 quality; cost 100 -> 1 -> 50;             total 80
    d = doc([crit("Q1"), crit("P", "price")], [bid("B2", 100), bid("B1", 125)],
            scores=[score("B1", "Q1", 4), score("B2", "Q1", 3)])
    res = results_json(d)
    assert by_id(res)["B1"]["total"] == approx(80)
    assert by_id(res)["B2"]["total"] == approx(80)
    assert res["ranking"] == ["B1", "B2"]
    assert res["winner"] == "B1"


def test_equal_total_and_quality_go_to_lower_cost_then_smaller_id():
    # linear_deviation, c_min 100 (bid M): M scores 0 -> quality 0, price 50, total 50.
    # Z costs 250 and A costs 300: both fractions max(0, 1 - 1.5) = max(0, 1 - 2) = 0,
    # both score 5 -> quality 50, total 50. All totals equal.
    # Quality 50 > 0 puts Z and A ahead of M; Z is cheaper than A, so Z first
    # (even though "A" is the smaller id).
    d = doc([crit("Q1"), crit("P", "price", formula="linear_deviation")],
            [bid("A", 300), bid("M", 100), bid("Z", 250)],
            scores=[score("A", "Q1", 5), score("M", "Q1", 0), score("Z", "Q1", 5)])
    res = results_json(d)
    assert [by_id(res)[i]["total"] for i in "AMZ"] == [approx(50)] * 3
    assert res["ranking"] == ["Z", "A", "M"]
    assert [by_id(res)[i]["rank"] for i in "AMZ"] == [2, 3, 1]


def test_equal_everything_goes_to_the_smaller_id():
    d = doc([crit("Q1"), crit("P", "price")], [bid("X", 100), bid("C", 100), bid("K", 100)],
            scores=[score(i, "Q1", 3) for i in "XCK"])
    res = results_json(d)
    assert res["ranking"] == ["C", "K", "X"]
    assert res["winner"] == "C"


def test_ties_within_1e_9_count_as_ties():
    ids = ["B1", "B2"]
    # totals differ by 1e-12 (a tie): B1's higher quality decides
    order = rank_order(ids, np.array([80.0, 80.0 + 1e-12]), np.array([40.0, 30.0]),
                       np.array([1.0, 1.0]), [0, 1])
    assert order == [0, 1]
    # totals differ by 1e-6 (not a tie): the higher total wins whatever the quality
    order = rank_order(ids, np.array([80.0, 80.0 + 1e-6]), np.array([40.0, 30.0]),
                       np.array([1.0, 1.0]), [0, 1])
    assert order == [1, 0]
    # totals and qualities tie within 1e-9: the lower cost wins, then the smaller id
    order = rank_order(ids, np.array([80.0, 80.0]), np.array([40.0, 40.0 + 1e-12]),
                       np.array([200.0, 100.0]), [0, 1])
    assert order == [1, 0]
    order = rank_order(["B2", "B1"], np.array([80.0, 80.0]), np.array([40.0, 40.0]),
                       np.array([100.0, 100.0 + 1e-12]), [0, 1])
    assert order == [1, 0]


def test_ranks_have_no_gaps_around_unranked_bids():
    # B2 fails the gateway, B4 lacks a score; B1, B3, B5 rank 1..3 by quality (equal prices)
    d = doc([crit("Q1"), crit("P", "price"), crit("G1", "pass_fail")],
            [bid(f"B{i}", 100) for i in range(1, 6)],
            scores=[score("B1", "Q1", 2), score("B2", "Q1", 5), score("B3", "Q1", 4),
                    score("B5", "Q1", 3)],
            gateways=[{"bid": f"B{i}", "criterion": "G1", "passed": i != 2}
                      for i in range(1, 6)])
    res = results_json(d)
    assert [b["rank"] for b in res["bids"]] == [3, None, 1, None, 2]
    assert res["ranking"] == ["B3", "B5", "B1"]
    assert [b["status"] for b in res["bids"]] == ["ranked", "excluded", "ranked",
                                                   "incomplete", "ranked"]


def test_no_winner_when_nothing_is_ranked():
    d = doc([crit("Q1"), crit("P", "price")], [bid("B1"), bid("B2")])
    res = results_json(d)
    assert res["winner"] is None
    assert res["ranking"] == []
    assert all(b["rank"] is None and b["total"] is None for b in res["bids"])


# ---- moderation ---------------------------------------------------------------------

def spread_doc(a: float, b: float, consensus: bool = False) -> dict:
    return doc([crit("Q1")], [bid("B1")], evaluators=two_evaluators(),
               scores=[score("B1", "Q1", a, "E1"), score("B1", "Q1", b, "E2")],
               consensus=[{"bid": "B1", "criterion": "Q1", "score": 3, "rationale": "ok"}]
               if consensus else [])


def test_spread_at_the_threshold_is_flagged():
    # 4 - 2 = 2 >= spread_flag 2
    assert results_json(spread_doc(2, 4))["flags"] == [
        {"bid": "B1", "criterion": "Q1", "spread": 2}]
    # 5 - 1 = 4
    assert results_json(spread_doc(5, 1))["flags"][0]["spread"] == 4


def test_spread_below_the_threshold_is_not_flagged():
    assert results_json(spread_doc(3, 4))["flags"] == []


def test_consensus_clears_the_flag():
    assert results_json(spread_doc(1, 5, consensus=True))["flags"] == []


def test_flag_threshold_follows_the_settings():
    d = spread_doc(3, 4)
    d["evaluation"]["moderation"]["spread_flag"] = 1
    assert results_json(d)["flags"] == [{"bid": "B1", "criterion": "Q1", "spread": 1}]


# ---- results JSON shape ---------------------------------------------------------------

def test_results_json_shape():
    # Input order Z, A, M (not sorted); A is excluded, M is incomplete.
    d = doc([crit("S", "section", 60), crit("Q1", "scored", 1, "S"),
             crit("Q2", "scored", 1, "S"), crit("P", "price", 40), crit("G1", "pass_fail")],
            [bid("Z", 100), bid("A", 90), bid("M", 80)],
            scores=[score("Z", "Q1", 3), score("Z", "Q2", 3), score("A", "Q1", 3),
                    score("A", "Q2", 3), score("M", "Q1", 3)],
            gateways=[{"bid": "Z", "criterion": "G1", "passed": True},
                      {"bid": "A", "criterion": "G1", "passed": False},
                      {"bid": "M", "criterion": "G1", "passed": True}])
    res = results_json(d)
    assert set(res) == {"winner", "ranking", "bids", "flags", "provisional",
                        "provisional_reasons"}
    assert [b["id"] for b in res["bids"]] == ["Z", "A", "M"]
    keys = {"id", "supplier", "option_type", "status", "reasons", "rank", "total", "quality",
            "price", "wlc", "npv", "sections", "criteria"}
    for b in res["bids"]:
        assert set(b) == keys
        # every scored and price leaf, in criteria order; no sections, no gateways
        assert list(b["criteria"]) == ["Q1", "Q2", "P"]
        for v in b["criteria"].values():
            assert set(v) == {"score", "contribution"}
        assert b["supplier"] == f"Supplier {b['id']}"
        assert b["option_type"] == "best_of_breed"
    z, a, m = res["bids"]
    assert z["status"] == "ranked"
    assert z["rank"] == 1
    assert z["total"] is not None
    for unranked in (a, m):
        assert unranked["total"] is None
        assert unranked["rank"] is None
    assert a["status"] == "excluded"
    assert m["status"] == "incomplete"
    assert m["criteria"]["Q2"] == {"score": None, "contribution": None}
    assert a["criteria"]["P"] == {"score": None, "contribution": None}
    # M (80) is the cheapest non-excluded bid: c_min = 80, Z = 80/100 = 0.8 -> 0.8 x 40 = 32
    assert z["criteria"]["P"]["score"] == approx(0.8)
    assert z["price"] == approx(32)
    # Z quality 3/5 x 30 + 3/5 x 30 = 36, total 68
    assert z["quality"] == approx(36)
    assert z["total"] == approx(68)
    assert res["winner"] == "Z"
    assert res["ranking"] == ["Z"]
    assert isinstance(z["wlc"], float)
    assert z["wlc"] == 100


def test_engine_does_not_change_its_input():
    d = interchange.validate(example())
    before = copy.deepcopy(d)
    compute(Snapshot.from_doc(d))
    assert d == before

