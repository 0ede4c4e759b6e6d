"""`procure-desk analyse`: the JSON, the readable text and the refusals."""

from __future__ import annotations

import json

import pytest
from older_files import store_unchecked

from procure_desk.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_section_5_keys(capsys, example_file):
    code, out, err = run(capsys, "analyse", str(example_file.path), "--json", "--draws", "500")
    assert code == 0, err
    data = json.loads(out)
    assert {"switching", "formulas", "leave_one_out", "monte_carlo", "shared",
            "option_types"} <= set(data)
    assert data["monte_carlo"]["draws"] == 500
    assert out.count("\n") == 1  # exactly one object
    sw = {e["node"]: e for e in data["switching"]}
    assert set(sw) == {"Q", "P"}
    assert {"node", "weight", "holds_from", "holds_to", "winner_below",
            "winner_above"} <= set(sw["Q"])


def test_same_seed_same_figures(capsys, example_file):
    path = str(example_file.path)
    _, one, _ = run(capsys, "analyse", path, "--json", "--draws", "300", "--seed", "5")
    _, two, _ = run(capsys, "analyse", path, "--json", "--draws", "300", "--seed", "5")
    assert json.loads(one)["monte_carlo"] == json.loads(two)["monte_carlo"]
    assert json.loads(one)["monte_carlo"]["seed"] == 5


def test_readable_text(capsys, example_file):
    code, out, _ = run(capsys, "analyse", str(example_file.path), "--draws", "200")
    assert code == 0
    winner = example_file.results().winner
    # the example's evaluators have not submitted: the winner is only provisional
    assert f"Provisional leader today: {winner}" in out
    assert "Verdict: not robust:" in out
    assert "results are provisional" in out
    for heading in ("Switching values", "Price formula", "Leave one out", "Monte Carlo",
                    "Option types side by side"):
        assert heading in out


def test_hostile_supplier_names_stay_on_one_line(capsys, tmp_path, example_doc):
    from procure_desk.services import EvaluationFile

    with EvaluationFile.create(tmp_path / "h.pdesk", example_doc, actor="t") as ef:
        path = str(ef.path)
    # refused on input now; a file saved before the rule may hold it
    store_unchecked(path, "bid", "B2", supplier="=HYPERLINK(\"x\")\nEvil <b>&amp;</b>")
    code, out, _ = run(capsys, "analyse", path, "--draws", "50")
    assert code == 0
    assert not any(line.startswith("Evil") for line in out.splitlines())
    assert "=HYPERLINK" in out


def test_a_file_that_is_not_an_evaluation_is_refused(capsys, tmp_path):
    bad = tmp_path / "notes.pdesk"
    bad.write_text("not a database")
    code, out, err = run(capsys, "analyse", str(bad), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith("procure-desk: ")
    assert "Traceback" not in err


def test_a_missing_file_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "analyse", str(tmp_path / "nowhere.pdesk"))
    assert code == 2
    assert "nowhere.pdesk" in err


def test_bad_draws_are_a_usage_error(capsys, example_file):
    code, out, err = run(capsys, "analyse", str(example_file.path), "--draws", "0")
    assert code == 2
    assert "--draws" in err
    assert out == ""


# ---- the exact entry shapes of section 5, extras under `details` -----------------------

SWITCHING = {"node", "weight", "holds_from", "holds_to", "winner_below", "winner_above"}
LEAVE_ONE_OUT = {"bid", "winner", "reversal"}
MONTE_CARLO = {"draws", "seed", "win_probability"}
SHARED = {"bid", "partner", "share", "cost", "baseline", "saving"}


def imported(capsys, tmp_path, write_json, doc, name="e"):
    """The document imported through the CLI, as a user would: the path of the .pdesk."""
    dest = tmp_path / f"{name}.pdesk"
    code, _, err = run(capsys, "import-json", str(write_json(doc, f"{name}.json")), str(dest))
    assert code == 0, err
    return str(dest)


def shared_doc(example_doc):
    """The example with a second partner and B2 shared between both by population."""
    example_doc["partners"].append({"id": "C2", "name": "=Elmbury <Town> & Co", "population": 2000,
                                    "baseline_annual_cost": 50000})
    example_doc["bids"][1]["apportionment"] = {"method": "population", "partners": ["C1", "C2"]}
    return example_doc


def test_json_entries_have_exactly_the_contract_keys(capsys, tmp_path, write_json, example_doc):
    path = imported(capsys, tmp_path, write_json, shared_doc(example_doc))
    code, out, err = run(capsys, "analyse", path, "--json", "--draws", "200")
    assert code == 0, err
    data = json.loads(out)
    assert [set(e) for e in data["switching"]] == [SWITCHING, SWITCHING]
    assert set(data["formulas"]) == {"lowest_relative", "linear_deviation"}
    assert data["leave_one_out"]
    assert all(set(r) == LEAVE_ONE_OUT for r in data["leave_one_out"])
    assert set(data["monte_carlo"]) == MONTE_CARLO
    assert len(data["shared"]) == 2
    assert all(set(r) == SHARED for r in data["shared"])
    # the extras the app shows sit at the top level, never inside an entry
    assert {"winner", "break_even", "option_types", "details"} <= set(data)


def test_details_carry_every_extra_index_for_index(capsys, tmp_path, write_json, example_doc):
    from procure_desk import analysis
    from procure_desk.services import EvaluationFile

    path = imported(capsys, tmp_path, write_json, shared_doc(example_doc))
    code, out, err = run(capsys, "analyse", path, "--json", "--draws", "200", "--seed", "3")
    assert code == 0, err
    data = json.loads(out)
    with EvaluationFile.open(path) as ef:
        full = json.loads(json.dumps(analysis.analyse(ef, draws=200, seed=3)))
    details = data["details"]
    # entry + its details is the full entry the app uses, nothing lost, nothing added
    for key in ("switching", "shared"):
        assert len(details[key]) == len(data[key]) == len(full[key])
        for entry, extra, whole in zip(data[key], details[key], full[key]):
            assert not set(entry) & set(extra)
            assert {**entry, **extra} == whole
    assert {**data["monte_carlo"], **details["monte_carlo"]} == full["monte_carlo"]
    assert data["leave_one_out"] == full["leave_one_out"]
    assert data["formulas"] == full["formulas"]
    # and what they are: the names a reader needs, the settings of the simulation
    assert [d["name"] for d in details["switching"]] == ["Quality", "Whole-life cost"]
    assert all(isinstance(d["from_inclusive"], bool) for d in details["switching"])
    assert details["monte_carlo"] == {"weight_sigma": analysis.WEIGHT_SIGMA,
                                      "score_noise": "standard_error"}
    by_partner = {(r["partner"], d["partner_name"]) for r, d in zip(data["shared"],
                                                                     details["shared"])}
    assert by_partner == {("C1", "Harrowmere DC"), ("C2", "=Elmbury <Town> & Co")}
    assert {d["method"] for d in details["shared"]} == {"population"}
    # B1 is the only ranked bid not shared: going alone is buying B1 outright
    assert {d["go_alone_bid"] for d in details["shared"]} == {"B1"}


def test_text_still_shows_the_extras(capsys, tmp_path, write_json, example_doc):
    path = imported(capsys, tmp_path, write_json, shared_doc(example_doc))
    code, out, err = run(capsys, "analyse", path, "--draws", "100")
    assert code == 0, err
    assert "Q Quality" in out  # switching node with its name
    assert "C2 =Elmbury <Town> & Co" in out  # shared row with the partner's name
    assert "sd 0.2" in out  # the Monte Carlo noise setting


@pytest.mark.parametrize("seed", ["-1", "1.5", "x"])
def test_a_seed_that_is_not_a_whole_number_0_or_more_is_a_usage_error(capsys, example_file,
                                                                        seed):
    code, out, err = run(capsys, "analyse", str(example_file.path), f"--seed={seed}")
    assert code == 2
    assert out == ""
    assert "--seed: must be a whole number 0 or more" in err
    assert "Traceback" not in err
    assert "internal error" not in err


def test_seed_zero_is_accepted(capsys, example_file):
    code, out, err = run(capsys, "analyse", str(example_file.path), "--json", "--draws", "10",
                         "--seed", "0")
    assert code == 0, err
    assert json.loads(out)["monte_carlo"]["seed"] == 0


# ---- evaluations with nothing to weigh, nothing ranked, nothing bid ---------------------

def _no_criteria(doc):
    doc["criteria"] = []
    doc["scores"], doc["consensus"], doc["gateways"] = [], [], []


def _only_pass_fail(doc):
    doc["criteria"] = [c for c in doc["criteria"] if c["kind"] == "pass_fail"]
    doc["scores"], doc["consensus"] = [], []


@pytest.mark.parametrize("strip", [_no_criteria, _only_pass_fail], ids=["no-criteria",
                                                                         "only-pass-fail"])
def test_nothing_weighted_the_cheaper_bid_wins_on_the_tie_rules(capsys, tmp_path, write_json,
                                                                example_doc, strip):
    strip(example_doc)
    path = imported(capsys, tmp_path, write_json, example_doc)
    code, out, err = run(capsys, "analyse", path, "--json", "--draws", "50")
    assert code == 0, err
    data = json.loads(out)
    # every ranked bid totals 0 with no quality: the lower cost wins (B2 costs 80,000 a year,
    # B1 250,000 up front then 90,000 a year), whatever the formula, however weights move
    assert data["winner"] == "B2"
    assert data["switching"] == []
    assert data["details"]["switching"] == []
    assert data["formulas"] == {"lowest_relative": "B2", "linear_deviation": "B2"}
    assert data["leave_one_out"] == [{"bid": "B1", "winner": "B2", "reversal": False}]
    assert data["monte_carlo"]["win_probability"] == {"B2": 1.0, "B1": 0.0}

    leader = "Provisional leader today" if data["provisional"] else "Winner today"
    code, out, err = run(capsys, "analyse", path, "--draws", "50")
    assert code == 0, err
    assert f"{leader}: B2" in out
    assert "No criterion carries a weight" in out
    assert "a weight change of 5 points" not in out


def _no_bids(doc):
    doc["bids"], doc["scores"], doc["consensus"], doc["gateways"] = [], [], [], []
    for e in doc["evaluators"]:
        e["conflicts"] = []


def _nothing_scored(doc):
    doc["scores"], doc["consensus"] = [], []


@pytest.mark.parametrize("strip", [_no_bids, _nothing_scored], ids=["no-bids", "no-scores"])
def test_no_ranked_bid_gives_an_empty_analysis(capsys, tmp_path, write_json, example_doc, strip):
    strip(example_doc)
    path = imported(capsys, tmp_path, write_json, example_doc)
    code, out, err = run(capsys, "analyse", path, "--json", "--draws", "50")
    assert code == 0, err
    data = json.loads(out)
    assert data["winner"] is None
    # the weighted nodes are still listed, with no interval for a winner there is not
    assert [e["node"] for e in data["switching"]] == ["Q", "P"]
    assert all(e[k] is None for e in data["switching"]
               for k in ("holds_from", "holds_to", "winner_below", "winner_above"))
    assert all(set(e) == SWITCHING for e in data["switching"])
    assert data["formulas"] == {"lowest_relative": None, "linear_deviation": None}
    assert data["leave_one_out"] == []
    assert data["monte_carlo"] == {"draws": 50, "seed": 1, "win_probability": {}}

    code, out, err = run(capsys, "analyse", path, "--draws", "50")
    assert code == 0, err
    assert "No bid is ranked yet." in out
    assert "Option types side by side" in out
