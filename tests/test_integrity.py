"""Decision integrity in `analyse --json` (docs/analysis.md): failed gateways,
abnormally low tenders and the one verdict."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from procure_desk.analysis import analyse
from procure_desk.cli import main
from procure_desk.interchange import validate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_bids" / "harrowmere.json"


@pytest.fixture(scope="module")
def harrowmere() -> dict:
    return json.loads(SAMPLE.read_text())


def test_a_failed_gateway_that_would_change_the_winner_is_named(harrowmere):
    data = analyse(validate(harrowmere), draws=200)
    failed = [(g["bid"], g["criterion"]) for g in harrowmere["gateways"] if not g["passed"]]
    assert [(e["bid"], e["criterion"]) for e in data["exclusions"]] == failed
    passed = copy.deepcopy(harrowmere)
    for g in passed["gateways"]:
        g["passed"] = True
    expected = analyse(validate(passed), draws=50)["winner"]
    assert data["exclusions"][0]["winner_if_passed"] == expected
    assert expected != data["winner"]  # the cheapest bid, excluded, would win if it passed
    assert any("failed gateway" in r for r in data["verdict"]["reasons"])
    assert data["verdict"]["robust"] is False


def test_a_provisional_decision_is_never_robust(example_doc):
    data = analyse(validate(example_doc), draws=200)
    assert data["provisional"] is True
    assert data["verdict"]["robust"] is False
    assert data["verdict"]["reasons"][0].startswith("results are provisional")


def test_abnormally_low_needs_three_tenders_and_a_gap(example_doc):
    doc = copy.deepcopy(example_doc)
    line = {"item": "Everything", "category": "licence", "start_year": 0, "years": 1}
    for b, amount in zip(doc["bids"], (100_000, 110_000)):
        b["costs"] = [dict(line, amount=amount)]
    for k, amount in ((3, 105_000), (4, 95_000), (5, 40_000)):
        doc["bids"].append({"id": f"B{k}", "supplier": f"Tenderer {k}",
                            "option_type": "best_of_breed",
                            "costs": [dict(line, amount=amount)]})
    data = analyse(validate(doc), draws=50)
    assert [e["bid"] for e in data["abnormally_low"]] == ["B5"]
    assert data["abnormally_low"][0]["below"] > 0.2
    doc["bids"] = [b for b in doc["bids"] if b["id"] in ("B1", "B5")]  # too few to say
    doc["scores"] = [r for r in doc["scores"] if r["bid"] in ("B1", "B5")]
    doc["consensus"] = [r for r in doc.get("consensus", []) if r["bid"] in ("B1", "B5")]
    doc["gateways"] = [r for r in doc.get("gateways", []) if r["bid"] in ("B1", "B5")]
    for e in doc["evaluators"]:
        e["conflicts"] = [b for b in e["conflicts"] if b in ("B1", "B5")]
        e.pop("declared", None)
    assert analyse(validate(doc), draws=50)["abnormally_low"] == []


def test_the_command_line_reads_the_verdict_out(tmp_path, capsys):
    out = tmp_path / "h.pdesk"
    assert main(["import-json", str(SAMPLE), str(out)]) == 0
    capsys.readouterr()
    assert main(["analyse", str(out), "--draws", "200"]) == 0
    text = capsys.readouterr().out
    assert "Verdict: not robust:" in text
    assert "Excluded on a gateway:" in text
