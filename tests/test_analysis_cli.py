"""`procure-desk analyse`: the JSON, the readable text and the refusals."""

from __future__ import annotations

import json

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
    assert f"Winner today: {winner}" in out
    for heading in ("Switching values", "Price formula", "Leave one out", "Monte Carlo",
                    "Option types side by side"):
        assert heading in out


def test_hostile_supplier_names_stay_on_one_line(capsys, tmp_path, example_doc):
    from procure_desk.services import EvaluationFile

    example_doc["bids"][1]["supplier"] = "=HYPERLINK(\"x\")\nEvil <b>&amp;</b>"
    with EvaluationFile.create(tmp_path / "h.pdesk", example_doc, actor="t") as ef:
        path = str(ef.path)
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
