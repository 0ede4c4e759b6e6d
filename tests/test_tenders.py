"""Tenders and other options: in a competitive tender only tenders compete
(docs/scoring.md, "Tenders and other options")."""

from __future__ import annotations

import copy
import json

import pytest

from procure_desk.cli import main
from procure_desk.engine import Snapshot, compute
from procure_desk.errors import BadInput
from procure_desk.interchange import validate


@pytest.fixture
def tender_doc(example_doc) -> dict:
    """The example as a competitive tender with a cheaper in-house build beside it."""
    doc = copy.deepcopy(example_doc)
    doc["evaluation"]["procedure"] = "competitive_tender"
    inhouse = {"id": "B9", "supplier": "Our own digital team", "option_type": "build",
               "costs": [{"item": "Team", "category": "staff", "amount": 1000,
                          "start_year": 0, "years": 1}]}
    doc["bids"].append(inhouse)
    scored = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
    doc["scores"] += [{"evaluator": "E1", "bid": "B9", "criterion": c, "score": 5}
                      for c in scored]
    doc["gateways"] = doc.get("gateways", []) + [
        {"bid": "B9", "criterion": g["id"], "passed": True}
        for g in doc["criteria"] if g["kind"] == "pass_fail"]
    return doc


def results(doc: dict) -> dict:
    return compute(Snapshot.from_doc(validate(doc))).to_json()


def test_an_option_that_is_not_a_tender_is_a_comparator_and_never_wins(tender_doc):
    res = results(tender_doc)
    b9 = next(b for b in res["bids"] if b["id"] == "B9")
    assert b9["status"] == "comparator"
    assert b9["rank"] is None
    assert "B9" not in res["ranking"]
    assert res["winner"] in {"B1", "B2"}
    assert b9["total"] is not None  # shown beside the tenders as value-for-money evidence


def test_the_lowest_price_is_the_lowest_tenders(tender_doc, example_doc):
    tenders_only = results(example_doc)
    with_comparator = results(tender_doc)
    for bid in ("B1", "B2"):
        a = next(b for b in tenders_only["bids"] if b["id"] == bid)
        b = next(b for b in with_comparator["bids"] if b["id"] == bid)
        assert a["price"] == pytest.approx(b["price"])  # the cheap build sets no price
    b9 = next(b for b in with_comparator["bids"] if b["id"] == "B9")
    price_leaf = next(c["id"] for c in tender_doc["criteria"] if c["kind"] == "price")
    assert b9["criteria"][price_leaf]["score"] == 1  # capped at 1


def test_in_an_options_appraisal_every_option_competes(tender_doc):
    tender_doc["evaluation"]["procedure"] = "options_appraisal"
    res = results(tender_doc)
    assert next(b for b in res["bids"] if b["id"] == "B9")["status"] == "ranked"


def test_a_commercial_shared_service_can_say_it_is_a_tender(tender_doc):
    tender_doc["bids"][-1]["tender"] = True
    assert next(b for b in results(tender_doc)["bids"] if b["id"] == "B9")["rank"] is not None


def test_with_no_tender_left_comparators_get_no_price(tender_doc):
    for g in tender_doc["gateways"]:
        if g["bid"] in ("B1", "B2"):
            g["passed"] = False
    res = results(tender_doc)
    b9 = next(b for b in res["bids"] if b["id"] == "B9")
    assert b9["status"] == "comparator"
    assert b9["price"] is None
    assert b9["total"] is None
    assert res["winner"] is None


def test_procedure_and_tender_round_trip_and_defaults_stay_out(tender_doc, write_json,
                                                              tmp_path, capsys):
    src = write_json(tender_doc)
    pd = tmp_path / "t.pdesk"
    assert main(["import-json", str(src), str(pd)]) == 0
    out = tmp_path / "out.json"
    assert main(["export-json", str(pd), str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["evaluation"]["procedure"] == "competitive_tender"
    assert all("tender" not in b for b in doc["bids"])  # defaults, left out as in the source
    assert main(["results", "--json", str(pd)]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert next(b for b in data["bids"] if b["id"] == "B9")["status"] == "comparator"


def test_an_unknown_procedure_is_refused(example_doc):
    example_doc["evaluation"]["procedure"] = "auction"
    with pytest.raises(BadInput) as info:
        validate(example_doc)
    assert [p.where for p in info.value.problems] == ["evaluation.procedure"]


def test_the_analysis_of_a_tender_with_comparators(tender_doc):
    """Formulas, exclusions and the verdict are worked out with a comparator present
    (it keeps its scores and is never a winner)."""
    from procure_desk.analysis import analyse

    for g in tender_doc["gateways"]:
        if g["bid"] == "B2":
            g["passed"] = False  # a failed gateway: who would win were it passed
    data = analyse(validate(tender_doc), draws=50)
    assert set(data["formulas"].values()) <= {"B1", "B2"}
    assert [e["bid"] for e in data["exclusions"]] == ["B2"]
    assert data["exclusions"][0]["winner_if_passed"] in {"B1", "B2"}
    assert "B9" not in data["monte_carlo"]["win_probability"]
