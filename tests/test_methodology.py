"""The published methodology is locked once scoring opens (docs/governance.md)."""

from __future__ import annotations

import copy

import pytest

from procure_desk.engine import Snapshot, compute
from procure_desk.errors import BadInput


def test_before_scoring_opens_no_reason_is_needed(tmp_path):
    from procure_desk.services import EvaluationFile

    path = tmp_path / "new.pdesk"
    with EvaluationFile.create(path, {
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "T"},
        "criteria": [{"id": "Q1", "name": "Q", "kind": "scored", "weight": 60, "parent": None},
                     {"id": "P", "name": "Price", "kind": "price", "weight": 40,
                      "parent": None}],
        "bids": []}, actor="t") as ef:
        assert not ef.scoring_open()
        ef.update_criterion("t", "Q1", {"weight": 70})
        ef.open_scoring("t")
        assert ef.scoring_open()
        with pytest.raises(BadInput, match="needs a reason"):
            ef.update_criterion("t", "Q1", {"weight": 80})


def test_after_the_first_score_a_weight_change_needs_a_reason(example_file):
    ef = example_file
    assert ef.scoring_open()
    before = ef.document()
    with pytest.raises(BadInput) as info:
        ef.update_criterion("t", "Q1", {"weight": 50})
    assert info.value.problems[0].where == "criterion Q1"
    assert "needs a reason" in info.value.problems[0].message
    assert ef.document() == before
    ef.update_criterion("t", "Q1", {"weight": 50}, reason="panel agreed before opening bids")
    event = ef.audit(limit=1)[0]
    assert event.after["reason"] == "panel agreed before opening bids"
    assert event.after["methodology"] is True


def test_wording_changes_are_not_methodology(example_file):
    example_file.update_criterion("t", "Q1", {"name": "Fit without customisation"})
    assert "reason" not in example_file.audit(limit=1)[0].after


@pytest.mark.parametrize("edit", [
    lambda ef: ef.update_evaluation("t", {"scale": {"max": 10, "step": 1}}),
    lambda ef: ef.update_evaluation("t", {"appraisal": {"years": 7, "discount_rate": 0.035,
                                                        "cost_basis": "npv"}}),
    lambda ef: ef.add_criterion("t", {"name": "New", "kind": "scored", "weight": 5,
                                      "parent": "Q"}),
    lambda ef: ef.delete_criterion("t", "Q2"),
    lambda ef: ef.update_criterion("t", "P", {"formula": "linear_deviation"}),
])
def test_every_kind_of_methodology_change_needs_a_reason(example_file, edit):
    with pytest.raises(BadInput, match="needs a reason"):
        edit(example_file)


def test_the_ranking_before_and_after_is_shown_and_nothing_kept(example_file):
    ef = example_file
    before_doc = ef.document()
    n = len(ef.audit())
    now, then = ef.ranking_if(lambda f: f.update_criterion("t", "P", {"weight": 95},
                                                           reason="what if"))
    assert now == ef.results().to_json()["ranking"]
    changed = copy.deepcopy(before_doc)
    next(c for c in changed["criteria"] if c["id"] == "P")["weight"] = 95
    assert then == compute(Snapshot.from_doc(changed)).to_json()["ranking"]
    assert ef.document() == before_doc
    assert len(ef.audit()) == n
    assert ef.verify().intact
