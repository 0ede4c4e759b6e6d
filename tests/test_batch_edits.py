"""Batches a pasted block needs: several consensus records, several partners' fields,
each in one transaction, checked whole (every problem named, nothing written)."""

from __future__ import annotations

import pytest

from procure_desk.errors import BadInput


def test_consensus_batch_is_one_transaction_and_undoes(example_file):
    ef = example_file
    there = ef.document()["consensus"]
    revision = ef.revision
    befores = ef.set_consensus_many("t", [
        {"bid": "B1", "criterion": "Q1", "score": 4, "rationale": "agreed =cmd <b>&"},
        {"bid": "B2", "criterion": "Q2", "score": 3, "rationale": "agreed 合意 موافق"}])
    assert befores == [None, None]
    got = {(c["bid"], c["criterion"]): (c["score"], c["rationale"])
           for c in ef.document()["consensus"]}
    assert got[("B1", "Q1")] == (4, "agreed =cmd <b>&")
    assert got[("B2", "Q2")] == (3, "agreed 合意 موافق")
    assert ef.revision == revision + 1  # one transaction
    assert [e.action for e in ef.audit(limit=2)] == ["consensus.set", "consensus.set"]
    assert ef.verify().intact
    # undo: the befores put back (None clears)
    ef.set_consensus_many("t", [{"bid": "B1", "criterion": "Q1", "score": None},
                                {"bid": "B2", "criterion": "Q2", "score": None}])
    assert ef.document()["consensus"] == there
    assert ef.verify().intact


def test_consensus_batch_refuses_whole_naming_every_problem(example_file):
    ef = example_file
    before = (ef.revision, ef.document()["consensus"])
    with pytest.raises(BadInput) as got:
        ef.set_consensus_many("t", [
            {"bid": "B1", "criterion": "Q1", "score": 4, "rationale": "fine"},
            {"bid": "B1", "criterion": "Q2", "score": 9, "rationale": "too high"},
            {"bid": "B2", "criterion": "Q1", "score": 2, "rationale": ""},
            {"bid": "B2", "criterion": "G1", "score": 2, "rationale": "a gateway"}])
    wheres = [p.where for p in got.value.problems]
    assert wheres == ["consensus B1/Q2", "consensus B2/Q1", "consensus B2/G1"]
    assert "rationale" in got.value.problems[1].message
    assert (ef.revision, ef.document()["consensus"]) == before


def test_partners_batch_is_one_transaction_checked_whole(example_file):
    ef = example_file
    ef.add_partner("t", {"name": "Second DC", "population": 1, "baseline_annual_cost": 1})
    revision = ef.revision
    befores = ef.update_partners("t", {"C1": {"population": 100},
                                       "C2": {"name": "=HYPERLINK(\"x\")", "population": 5}})
    assert befores == {"C1": {"population": 98000},
                       "C2": {"name": "Second DC", "population": 1}}
    parts = {p["id"]: p for p in ef.document()["partners"]}
    assert parts["C1"]["population"] == 100
    assert parts["C2"]["name"] == "=HYPERLINK(\"x\")"
    assert ef.revision == revision + 1
    with pytest.raises(BadInput):
        ef.update_partners("t", {"C1": {"population": 7}, "C2": {"population": -5}})
    assert {p["id"]: p["population"] for p in ef.document()["partners"]} == {"C1": 100,
                                                                              "C2": 5}
    ef.update_partners("t", befores)
    assert {p["id"]: p["population"] for p in ef.document()["partners"]} == {"C1": 98000,
                                                                              "C2": 1}
    assert ef.verify().intact
