"""What the documents need in the file: feedback for bidders, award and standstill
details, the security marking, supplier identifiers (docs/format.md)."""

from __future__ import annotations

import copy
import json

import pytest

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.interchange import validate


def test_defaults_are_filled_in(example_doc):
    ev = validate(example_doc)["evaluation"]
    assert ev["marking"] == "OFFICIAL-SENSITIVE: COMMERCIAL"
    assert ev["abnormally_low"] == 0.2
    assert "award" not in ev


def test_award_feedback_and_identifiers_round_trip(example_doc, write_json, tmp_path):
    doc = copy.deepcopy(example_doc)
    doc["evaluation"]["award"] = {"notice_date": "2026-12-07", "standstill_days": 8,
                                  "contact": "procurement@harrowmere.gov.uk"}
    doc["evaluation"]["ocid_prefix"] = "ocds-h4rr0w"
    doc["bids"][0]["supplier_id"] = {"scheme": "GB-COH", "id": "01234567"}
    doc["feedback"] = [{"bid": "B1", "criterion": "Q1",
                        "text": "Your plan for data migration was clear and costed."}]
    pd = tmp_path / "x.pdesk"
    assert main(["import-json", str(write_json(doc)), str(pd)]) == 0
    out = tmp_path / "out.json"
    assert main(["export-json", str(pd), str(out)]) == 0
    again = json.loads(out.read_text())
    assert again["evaluation"]["award"] == doc["evaluation"]["award"]
    assert again["evaluation"]["ocid_prefix"] == "ocds-h4rr0w"
    assert again["bids"][0]["supplier_id"] == {"scheme": "GB-COH", "id": "01234567"}
    assert again["feedback"] == doc["feedback"]
    assert "marking" not in again["evaluation"]  # the default, left out as in the source


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d["evaluation"].update(ocid_prefix="ocds-000000"), "evaluation.ocid_prefix"),
    (lambda d: d["evaluation"].update(award={"notice_date": "7 Dec"}),
     "evaluation.award.notice_date"),
    (lambda d: d["evaluation"].update(abnormally_low=2), "evaluation.abnormally_low"),
    (lambda d: d.update(feedback=[{"bid": "B1", "criterion": "G1", "text": "x"}]),
     "feedback[0].criterion"),
    (lambda d: d.update(feedback=[{"bid": "B9", "criterion": "Q1", "text": "x"}]),
     "feedback[0].bid"),
    (lambda d: d.update(feedback=[{"bid": "B1", "criterion": "Q1", "text": ""}]),
     "feedback[0].text"),
])
def test_bad_document_data_is_refused_and_named(example_doc, change, where):
    change(example_doc)
    with pytest.raises(BadInput) as info:
        validate(example_doc)
    assert where in [p.where for p in info.value.problems]


def test_feedback_is_set_cleared_and_survives_a_delete_undone(example_file):
    ef = example_file
    assert ef.set_feedback("t", "B1", "Q1", "Strong on exit planning.") is None
    before = ef.document()
    bundle = ef.delete_bid("t", "B1")
    assert ef.document()["feedback"] == []
    ef.restore("t", bundle)
    assert ef.document()["feedback"] == before["feedback"]
    ef.set_feedback("t", "B1", "Q1", None)
    assert ef.document()["feedback"] == []
    assert [e.action for e in ef.audit(limit=1)] == ["feedback.clear"]
    assert ef.verify().intact
