"""Section 5 analysis, checked against figures worked by hand.

Most documents here have one quality question (scale 0-5), one price leaf,
a one-year appraisal on whole-life cost, so a bid's total is
`quality share x score / 5 + price share x price fraction` and can be
followed on paper.
"""

from __future__ import annotations

import numpy as np
import pytest

from procure_desk import analysis
from procure_desk.engine import Snapshot, compute
from procure_desk.errors import BadInput
from procure_desk.interchange import validate


def make_doc(bids, *, q=60, p=40, formula="lowest_relative", years=1, basis="wlc",
             rate=0.0, partners=(), scores=None, consensus=()):
    """bids: (id, score or list of scores, yearly cost[, option_type[, apportionment]])."""
    evaluators = [{"id": f"E{k}", "name": f"Evaluator {k}"} for k in range(1, 4)]
    recs, score_recs = [], []
    for b in bids:
        bid_id, score, cost = b[0], b[1], b[2]
        rec = {"id": bid_id, "supplier": f"Supplier {bid_id}",
               "option_type": b[3] if len(b) > 3 else "best_of_breed",
               "costs": [{"item": "Service", "category": "licence", "amount": cost,
                          "start_year": 0, "years": years}]}
        if len(b) > 4 and b[4] is not None:
            rec["apportionment"] = b[4]
        recs.append(rec)
        for k, s in enumerate(score if isinstance(score, list) else [score], start=1):
            score_recs.append({"evaluator": f"E{k}", "bid": bid_id, "criterion": "Q1",
                               "score": s})
    return validate({
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Worked example", "scale": {"max": 5, "step": 1},
                       "appraisal": {"years": years, "discount_rate": rate,
                                     "cost_basis": basis}},
        "criteria": [
            {"id": "Q", "name": "Quality", "kind": "section", "weight": q, "parent": None},
            {"id": "Q1", "name": "Fit", "kind": "scored", "weight": 1, "parent": "Q"},
            {"id": "P", "name": "Price", "kind": "price", "weight": p, "parent": None,
             "formula": formula},
        ],
        "bids": recs,
        "evaluators": evaluators,
        "scores": score_recs if scores is None else scores,
        "consensus": [{"bid": b, "criterion": "Q1", "score": s, "rationale": "agreed"}
                      for b, s in consensus],
        "partners": list(partners),
    })


def entry(data, node):
    return next(e for e in data["switching"] if e["node"] == node)


# ---- switching ------------------------------------------------------------------------

def test_two_bid_crossing_weight_worked_on_paper():
    # B1 scores 5 (1.0) at 200; B2 scores 3 (0.6) at 100, so B2's price fraction is 1
    # and B1's is 100/200 = 0.5. With quality share p:
    #   B1: p * 1.0 + (100 - p) * 0.5 = 50 + 0.5 p  (80 at p = 60)
    #   B2: p * 0.6 + (100 - p) * 1.0 = 100 - 0.4 p (76 at p = 60)
    # They cross where 0.9 p = 50: p = 500/9 = 55.56. At the crossing the tie goes to
    # the higher quality, B1 (55.6 against 33.3), so the end belongs to B1's interval.
    data = analysis.analyse(make_doc([("B1", 5, 200), ("B2", 3, 100)]), draws=100)
    assert data["winner"] == "B1"
    q = entry(data, "Q")
    assert q["weight"] == pytest.approx(60)
    assert q["holds_from"] == pytest.approx(500 / 9)
    assert q["holds_to"] == 100
    assert q["from_inclusive"] is True
    assert (q["winner_below"], q["winner_above"]) == ("B2", None)
    # Price moves the other way: B1 holds while the price share is at most 400/9.
    p = entry(data, "P")
    assert p["weight"] == pytest.approx(40)
    assert (p["holds_from"], p["holds_to"]) == (0, pytest.approx(400 / 9))
    assert (p["winner_below"], p["winner_above"]) == (None, "B2")


def test_tie_at_the_crossing_goes_to_the_higher_quality_rival():
    # Same bids at 40/60: B1 = 50 + 0.5 * 40 = 70, B2 = 100 - 0.4 * 40 = 84, so B2 wins
    # below the same crossing 500/9; at the crossing itself B1 wins on quality, so B2's
    # interval is open there.
    doc = make_doc([("B1", 5, 200), ("B2", 3, 100)], q=40, p=60)
    data = analysis.analyse(doc, draws=100)
    assert data["winner"] == "B2"
    q = entry(data, "Q")
    assert (q["holds_from"], q["holds_to"]) == (0, pytest.approx(500 / 9))
    assert q["to_inclusive"] is False
    assert q["winner_above"] == "B1"
    # The engine agrees at the crossing: weights 500/9 and 400/9 make B1 the winner.
    snap = Snapshot.from_doc(doc)
    at = compute(snap, scored_w=np.array([500 / 9]), price_w=np.array([400 / 9]))
    assert at.winner == "B1"
    assert at.total[0] == pytest.approx(at.total[1])


def random_doc(seed: int, n_bids: int = 14) -> dict:
    """Three top-level nodes (a two-level quality section, social value, price)."""
    import random

    rng = random.Random(seed)
    criteria = [
        {"id": "Q", "name": "Quality", "kind": "section", "weight": 50, "parent": None},
        {"id": "QA", "name": "Fit", "kind": "section", "weight": 3, "parent": "Q"},
        {"id": "QB", "name": "Exit", "kind": "section", "weight": 2, "parent": "Q"},
        {"id": "S", "name": "Social value", "kind": "section", "weight": 15, "parent": None},
        {"id": "P", "name": "Price", "kind": "price", "weight": 35, "parent": None},
    ]
    leaves = []
    for sec, n in (("QA", 3), ("QB", 2), ("S", 2)):
        for k in range(n):
            leaves.append(f"{sec}{k}")
            criteria.append({"id": f"{sec}{k}", "name": f"{sec} {k}", "kind": "scored",
                             "weight": rng.randint(1, 5), "parent": sec})
    bids = [{"id": f"B{i:02d}", "supplier": f"S{i}", "option_type": "build",
             "costs": [{"item": "x", "category": "licence", "start_year": 0, "years": 3,
                        "amount": rng.randrange(50_000, 120_000, 500)}]}
            for i in range(n_bids)]
    scores = [{"evaluator": e, "bid": b["id"], "criterion": c, "score": rng.randint(1, 5)}
              for b in bids for c in leaves for e in ("E1", "E2")]
    return validate({"format": "procure-desk/evaluation", "version": 1,
                     "evaluation": {"title": "Random"}, "criteria": criteria, "bids": bids,
                     "evaluators": [{"id": "E1", "name": "One"}, {"id": "E2", "name": "Two"}],
                     "scores": scores})


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_switching_agrees_with_the_engine_stepped_across_the_range(seed):
    doc = random_doc(seed)
    snap = Snapshot.from_doc(doc)
    res = compute(snap)
    data = analysis.switching(snap, res)
    eff_s, eff_p = snap.scored_w, snap.price_w
    for e in data:
        inside = np.array([c in _leaves_under(snap, e["node"]) for c in snap.scored_ids])
        inside_p = np.array([c in _leaves_under(snap, e["node"]) for c in snap.price_ids])
        w = e["weight"]

        def winner_at(s, inside=inside, inside_p=inside_p, w=w):
            # the engine itself, with the node's leaves scaled to share s and the rest
            # scaled to 100 - s: no use of the analysis' straight lines
            sw = np.where(inside, eff_s * s / w, eff_s * (100 - s) / (100 - w))
            pw = np.where(inside_p, eff_p * s / w, eff_p * (100 - s) / (100 - w))
            return compute(snap, scored_w=sw, price_w=pw).winner

        lo, hi = e["holds_from"], e["holds_to"]
        for s in np.linspace(lo, hi, 9)[1:-1]:
            assert winner_at(s) == res.winner
        if e["winner_below"]:
            assert winner_at(lo - 1e-6) == e["winner_below"]
        if e["winner_above"]:
            assert winner_at(hi + 1e-6) == e["winner_above"]
        assert lo <= w <= hi


def _leaves_under(snap, node):
    parent = {c["id"]: c.get("parent") for c in snap.criteria}
    out = set()
    for leaf in snap.scored_ids + snap.price_ids:
        n = leaf
        while n is not None:
            if n == node:
                out.add(leaf)
            n = parent[n]
    return out


def test_what_if_moves_the_winner_past_the_switching_value():
    doc = make_doc([("B1", 5, 200), ("B2", 3, 100)])
    snap = Snapshot.from_doc(doc)
    res = compute(snap)
    assert analysis.what_if(snap, res, "Q", 56)["winner"] == "B1"
    low = analysis.what_if(snap, res, "Q", 55)
    assert low["winner"] == "B2"
    assert low["totals"]["B2"] == pytest.approx(100 - 0.4 * 55)


# ---- formulas and leave one out -------------------------------------------------------

def test_the_winner_depends_on_the_price_formula():
    # A: 5 at 150, B: 3 at 100, 50/50.
    # relative to lowest: A = 50 + 50 * 100/150 = 83.3, B = 30 + 50 = 80 -> A
    # linear deviation:   A = 50 + 50 * (1 - 50/100) = 75,   B = 80 -> B
    doc = make_doc([("A", 5, 150), ("B", 3, 100)], q=50, p=50)
    data = analysis.analyse(doc, draws=100)
    assert data["formulas"] == {"lowest_relative": "A", "linear_deviation": "B"}
    warnings = analysis.plain_warnings(data)
    assert any("depends on the price formula" in w for w in warnings)


def test_leave_one_out_finds_the_rank_reversal_of_lowest_relative():
    # 50/50. X scores 0 at 50, A 5 at 200, B 3 at 100. With X in, c_min = 50:
    #   A = 50 + 50 * 50/200 = 62.5, B = 30 + 50 * 50/100 = 55, X = 0 + 50 = 50 -> A.
    # Without B nothing moves: A wins. Without X, c_min = 100:
    #   A = 50 + 50 * 100/200 = 75, B = 30 + 50 = 80 -> B: a rank reversal.
    doc = make_doc([("X", 0, 50), ("A", 5, 200), ("B", 3, 100)], q=50, p=50)
    data = analysis.analyse(doc, draws=100)
    assert data["winner"] == "A"
    assert data["leave_one_out"] == [
        {"bid": "B", "winner": "A", "reversal": False},
        {"bid": "X", "winner": "B", "reversal": True},
    ]
    assert any("If X Supplier X withdrew" in w
               for w in analysis.plain_warnings(data, {"X": "Supplier X"}))


def test_leave_one_out_leaves_out_unranked_bids_and_the_winner():
    doc = make_doc([("A", 5, 200), ("B", 3, 100)], scores=[
        {"evaluator": "E1", "bid": "A", "criterion": "Q1", "score": 5}])
    data = analysis.analyse(doc, draws=50)  # B has no score: incomplete, not ranked
    assert data["winner"] == "A"
    assert data["leave_one_out"] == []
    assert list(data["monte_carlo"]["win_probability"]) == ["A"]


# ---- Monte Carlo --------------------------------------------------------------------------

def test_monte_carlo_is_seeded_and_sums_to_one():
    doc = make_doc([("A", [2, 4, 3], 120), ("B", [3, 3, 4], 100), ("C", [1, 5, 3], 110)])
    one = analysis.analyse(doc, draws=2000, seed=7)["monte_carlo"]
    two = analysis.analyse(doc, draws=2000, seed=7)["monte_carlo"]
    other = analysis.analyse(doc, draws=2000, seed=8)["monte_carlo"]
    assert one == two
    assert one["win_probability"] != other["win_probability"]
    assert sum(one["win_probability"].values()) == pytest.approx(1.0)
    assert (one["draws"], one["seed"]) == (2000, 7)


def test_monte_carlo_score_noise_is_the_standard_error():
    # Weights held still (sigma 0). A's scores 2 and 4 (mean 3, sd sqrt 2, standard
    # error 1); B's 3 and 3 (no spread); same cost. A's total is B's plus a symmetric
    # normal term, so A wins about half the draws.
    doc = make_doc([("A", [2, 4], 100), ("B", [3, 3], 100)])
    snap = Snapshot.from_doc(doc)
    res = compute(snap)
    se = analysis.score_standard_errors(snap, res)
    assert se[:, 0] == pytest.approx([1.0, 0.0])
    p = analysis.monte_carlo(snap, res, draws=10_000, seed=3, weight_sigma=0.0)
    assert 0.47 < p["win_probability"]["A"] < 0.53


def test_monte_carlo_keeps_a_consensus_score_fixed():
    # As above but moderation agreed 3 for A: no noise left, every draw is a tie on
    # total, quality and cost, and the smaller id (A) takes it every time.
    doc = make_doc([("A", [2, 4], 100), ("B", [3, 3], 100)], consensus=[("A", 3)])
    data = analysis.analyse(doc, draws=500, seed=1, weight_sigma=0.0)
    assert data["monte_carlo"]["win_probability"] == {"A": 1.0, "B": 0.0}


def test_a_dominant_bid_wins_every_draw():
    # A is better and cheaper: no weights make B win.
    doc = make_doc([("A", [4, 5, 4], 90), ("B", [1, 3, 2], 100)])
    p = analysis.analyse(doc, draws=1000, seed=2)["monte_carlo"]["win_probability"]
    assert p == {"A": 1.0, "B": 0.0}


def test_perturbed_weights_add_up_to_100_around_the_chosen_ones():
    doc = make_doc([("A", 4, 90)])
    snap = Snapshot.from_doc(doc)
    rng = np.random.default_rng(0)
    ws, wp = analysis.perturbed_weights(snap, rng, 4000, 0.2)
    assert (ws + wp).sum(axis=1) == pytest.approx(np.full(4000, 100.0))
    # the log-ratio of quality to price weight is log(60/40) + N(0, 0.2^2 * 2)
    ratio = np.log(ws[:, 0] / wp[:, 0])
    assert ratio.mean() == pytest.approx(np.log(1.5), abs=0.02)
    assert ratio.std() == pytest.approx(0.2 * np.sqrt(2), rel=0.05)
    still, _ = analysis.perturbed_weights(snap, rng, 3, 0.0)
    assert still[:, 0] == pytest.approx([60, 60, 60])


def test_bad_draws_are_refused():
    with pytest.raises(BadInput, match="draws"):
        analysis.analyse(make_doc([("A", 4, 90)]), draws=0)


# ---- shared service ---------------------------------------------------------------------

PARTNERS = [
    {"id": "C1", "name": "Harrowmere DC", "population": 60000, "baseline_annual_cost": 100000},
    {"id": "C2", "name": "Lower Fenby BC", "population": 40000, "baseline_annual_cost": 50000},
]


def test_population_split_worked_on_paper():
    # Three years at 10%: 1 + 1/1.1 + 1/1.21 = 2.735537 per pound a year.
    # S costs 100,000 a year: NPV 273,553.72; C1 has 60% of the population, C2 40%.
    #   C1: cost 164,132.23, baseline 100,000 x 2.735537 = 273,553.72, saving 109,421.49
    #   C2: cost 109,421.49, baseline  50,000 x 2.735537 = 136,776.86, saving  27,355.37
    # Going alone: the cheapest ranked bid not shared is G at 150,000 a year (410,330.58),
    # so both partners' shares beat it.
    doc = make_doc([("G", 3, 150000), ("S", 4, 100000, "shared_service",
                                       {"method": "population"})],
                   years=3, basis="npv", rate=0.10, partners=PARTNERS)
    data = analysis.analyse(doc, draws=100)
    rows = {r["partner"]: r for r in data["shared"]}
    assert rows["C1"]["share"] == pytest.approx(0.6)
    assert rows["C1"]["cost"] == pytest.approx(164132.23, abs=0.01)
    assert rows["C1"]["baseline"] == pytest.approx(273553.72, abs=0.01)
    assert rows["C1"]["saving"] == pytest.approx(109421.49, abs=0.01)
    assert rows["C2"]["share"] == pytest.approx(0.4)
    assert rows["C2"]["cost"] == pytest.approx(109421.49, abs=0.01)
    assert rows["C2"]["baseline"] == pytest.approx(136776.86, abs=0.01)
    assert rows["C2"]["saving"] == pytest.approx(27355.37, abs=0.01)
    assert rows["C1"]["go_alone_bid"] == "G"
    assert rows["C1"]["go_alone_cost"] == pytest.approx(410330.58, abs=0.01)
    assert rows["C1"]["beats_go_alone"] is True
    assert {"bid", "partner", "share", "cost", "baseline", "saving"} <= set(rows["C1"])
    assert data["break_even"][0]["partners_needed"] == 1


def test_equal_and_custom_splits_on_whole_life_cost():
    # Whole-life cost over 2 years: S is 2 x 90,000 = 180,000; baselines are 2 years' worth.
    # Going alone with G costs 2 x 50,000 = 100,000.
    equal = make_doc([("G", 3, 50000), ("S", 4, 90000, "shared_service", {"method": "equal"})],
                     years=2, partners=PARTNERS)
    rows = analysis.analyse(equal, draws=10)["shared"]
    assert [(r["partner"], r["share"], r["cost"], r["baseline"]) for r in rows] == [
        ("C1", 0.5, 90000, 200000), ("C2", 0.5, 90000, 100000)]
    assert all(r["beats_go_alone"] for r in rows)
    custom = make_doc([("G", 3, 50000), ("S", 4, 90000, "shared_service",
                                         {"method": "custom", "shares": {"C1": 30, "C2": 70}})],
                      years=2, partners=PARTNERS)
    data = analysis.analyse(custom, draws=10)
    rows = data["shared"]
    assert [(r["partner"], r["cost"], r["saving"]) for r in rows] == [
        ("C1", pytest.approx(54000), pytest.approx(146000)),
        ("C2", pytest.approx(126000), pytest.approx(-26000))]
    # C2's 126,000 is more than the 100,000 of going alone
    assert [r["beats_go_alone"] for r in rows] == [True, False]
    # 180,000 / n < 100,000 first when n = 2
    assert data["break_even"][0]["partners_needed"] == 2


def test_a_named_subset_of_partners_shares_the_bid():
    doc = make_doc([("S", 4, 90000, "shared_service",
                     {"method": "population", "partners": ["C2"]})], partners=PARTNERS)
    rows = analysis.analyse(doc, draws=10)["shared"]
    assert [(r["partner"], r["share"], r["cost"]) for r in rows] == [("C2", 1.0, 90000)]
    assert rows[0]["beats_go_alone"] is None  # no ranked bid without sharing


def test_partners_needed_at_the_boundary():
    assert analysis.partners_needed(1000, 400) == 3  # 500 is not below 400; 333 is
    assert analysis.partners_needed(800, 400) == 3  # 400 is not below 400
    assert analysis.partners_needed(300, 400) == 1
    assert analysis.partners_needed(300, None) is None


# ---- option types ---------------------------------------------------------------------

def test_option_types_side_by_side(example_doc):
    # B1 (enterprise suite): WLC 250,000 + 4 x 90,000 + 40,000 = 650,000, of which the
    # exit assistance is 40,000: 6.15%. B2 (best-of-breed) has no exit line.
    data = analysis.analyse(validate(example_doc), draws=10)
    by_type = {o["option_type"]: o for o in data["option_types"]}
    assert list(by_type) == ["enterprise_suite", "best_of_breed", "build",
                             "shared_service", "do_nothing"]
    suite = by_type["enterprise_suite"]
    assert suite["bid"] == "B1"
    assert suite["wlc"] == pytest.approx(650000)
    assert suite["exit_cost"] == pytest.approx(40000)
    assert suite["exit_share"] == pytest.approx(40000 / 650000)
    assert by_type["best_of_breed"]["exit_share"] == 0
    assert by_type["build"]["bid"] is None


def test_the_best_of_each_option_type_is_the_highest_ranked():
    doc = make_doc([("A", 2, 100, "build"), ("B", 5, 100, "build"),
                    ("C", 4, 100, "do_nothing")],
                   scores=[{"evaluator": "E1", "bid": b, "criterion": "Q1", "score": s}
                           for b, s in (("A", 2), ("B", 5))])
    by_type = {o["option_type"]: o for o in analysis.analyse(doc, draws=10)["option_types"]}
    assert (by_type["build"]["bid"], by_type["build"]["rank"]) == ("B", 1)
    assert by_type["build"]["bids"] == 2
    # C has no score: not ranked, but still the best (only) do-nothing bid
    assert (by_type["do_nothing"]["bid"], by_type["do_nothing"]["status"]) == ("C", "incomplete")


def test_analyse_reads_an_evaluation_file(example_file):
    data = analysis.analyse(example_file, draws=100)
    assert data["winner"] == example_file.results().winner
    assert {"switching", "formulas", "leave_one_out", "monte_carlo", "shared"} <= set(data)


def test_rebalanced_weights_feed_the_engine():
    # Three top-level nodes 50/15/35: setting S to 30 leaves 70 for Q and P in the
    # proportion 50:35, i.e. 41.18 and 28.82.
    snap = Snapshot.from_doc(random_doc(1))
    shares = analysis.top_shares(snap)
    assert shares == pytest.approx({"Q": 50, "S": 15, "P": 35})
    moved = analysis.rebalance(shares, "S", 30)
    assert moved == pytest.approx({"Q": 70 * 50 / 85, "S": 30, "P": 70 * 35 / 85})
    sw, pw = analysis.leaf_weights(snap, moved)
    assert sw.sum() + pw.sum() == pytest.approx(100)
    assert pw.sum() == pytest.approx(70 * 35 / 85)
    # the same totals as the straight lines of the switching analysis
    res = compute(snap)
    lines = analysis.what_if(snap, res, "S", 30)
    via_engine = compute(snap, scored_w=sw, price_w=pw)
    assert via_engine.winner == lines["winner"]
    for bid, total in lines["totals"].items():
        assert via_engine.total[snap.bid_ids.index(bid)] == pytest.approx(total)
    # with everything else at 0, what is left is split equally
    assert analysis.rebalance({"A": 100, "B": 0, "C": 0}, "A", 40) == {
        "A": 40, "B": 30, "C": 30}
