"""Every kind of edit through Document is one undoable step, and refusals never land."""

from __future__ import annotations

import pytest

from procure_desk.errors import BadInput


def score_of(document, eid, bid, cid):
    return next((r["score"] for r in document.doc()["scores"]
                 if (r["evaluator"], r["bid"], r["criterion"]) == (eid, bid, cid)), None)


def test_score_edit_undo_redo_and_results_follow(document, qtbot):
    stack = document.undo_stack
    # B1/Q1: E1 gave 3 and E2 gave 5 -> mean 4 (no consensus on Q1).
    r = document.results()
    q1 = r.snap.scored_ids.index("Q1")
    assert r.scores.final[0, q1] == 4
    with qtbot.waitSignal(document.changed) as sig:
        document.set_score("E1", "B1", "Q1", 5)
    assert sig.args == ["scores"]
    assert score_of(document, "E1", "B1", "Q1") == 5
    assert document.results().scores.final[0, q1] == 5
    stack.undo()
    assert score_of(document, "E1", "B1", "Q1") == 3
    assert document.results().scores.final[0, q1] == 4
    stack.redo()
    assert score_of(document, "E1", "B1", "Q1") == 5


def test_new_score_undo_clears_it(document):
    document.set_score("E2", "B1", "Q2", 2)
    assert score_of(document, "E2", "B1", "Q2") == 2
    document.undo_stack.undo()
    assert score_of(document, "E2", "B1", "Q2") is None


def test_refused_edit_raises_and_is_not_on_the_stack(document):
    with pytest.raises(BadInput, match="Q1"):
        document.set_score("E1", "B1", "Q1", 7)  # the scale goes to 5
    with pytest.raises(BadInput, match="weight"):
        document.update_criterion("Q1", {"weight": -3})
    assert document.undo_stack.count() == 0
    assert score_of(document, "E1", "B1", "Q1") == 3


def test_delete_bid_undo_restores_its_scores(document):
    before = len(document.doc()["scores"])
    document.delete_bid("B2")
    assert [b["id"] for b in document.doc()["bids"]] == ["B1"]
    assert len(document.doc()["scores"]) == before - 2
    document.undo_stack.undo()
    assert [b["id"] for b in document.doc()["bids"]] == ["B1", "B2"]
    assert len(document.doc()["scores"]) == before
    assert "B2" in document.doc()["evaluators"][1]["conflicts"]


def test_criterion_edits_undo(document):
    # the example has scores, so scoring has opened: each change gives its reason, and
    # its undo and redo record one too (scoring may have opened since the change)
    assert document.file.scoring_open()
    document.update_criterion("Q1", {"weight": 50, "guidance": "Look at fit"}, "typo")
    c = next(c for c in document.doc()["criteria"] if c["id"] == "Q1")
    assert (c["weight"], c["guidance"]) == (50, "Look at fit")
    assert document.audit(limit=1)[0].after["reason"] == "typo"
    document.undo_stack.undo()
    c = next(c for c in document.doc()["criteria"] if c["id"] == "Q1")
    assert (c["weight"], c["guidance"]) == (25, "...")
    assert document.audit(limit=1)[0].after["reason"] == "Undo of 'Edit criterion Q1' (typo)"

    order = [c["id"] for c in document.doc()["criteria"]]
    document.move_criterion("Q2", "Q", 0)  # among its siblings: no reason needed
    assert [c["id"] for c in document.doc()["criteria"]].index("Q2") < order.index("Q2")
    document.undo_stack.undo()
    assert [c["id"] for c in document.doc()["criteria"]] == order

    new = document.add_criterion({"name": "Support", "kind": "scored", "weight": 10,
                                  "parent": "Q"}, reason="added by addendum 2")
    assert new in {c["id"] for c in document.doc()["criteria"]}
    document.undo_stack.undo()
    assert new not in {c["id"] for c in document.doc()["criteria"]}
    document.undo_stack.redo()
    assert new in {c["id"] for c in document.doc()["criteria"]}
    assert document.audit(limit=1)[0].after["reason"] == "added by addendum 2"

    document.delete_criterion("Q", "withdrawn")  # the section with its leaves and scores
    assert not any(c["id"] in ("Q", "Q1", "Q2") for c in document.doc()["criteria"])
    document.undo_stack.undo()
    assert {"Q", "Q1", "Q2"} <= {c["id"] for c in document.doc()["criteria"]}
    assert score_of(document, "E1", "B1", "Q2") == 3


def test_a_locked_methodology_change_without_a_reason_is_refused(document):
    import pytest

    from procure_desk.errors import BadInput

    with pytest.raises(BadInput, match="needs a reason"):
        document.update_criterion("Q1", {"weight": 50})
    assert document.undo_stack.count() == 0
    document.update_criterion("Q1", {"guidance": "Look at fit"})  # not the methodology


def test_declarations_and_conflict_details_undo(document):
    document.set_declaration("E1", "2026-01-05", "")
    e1 = next(e for e in document.doc()["evaluators"] if e["id"] == "E1")
    assert e1["declaration"] == {"date": "2026-01-05", "interests": ""}
    document.set_declaration("E1", "2026-01-05", "Shares in B2's parent company")
    document.set_conflict_details("E2", "B2", "Sister works there", "Does not score B2")
    e2 = next(e for e in document.doc()["evaluators"] if e["id"] == "E2")
    assert e2["conflict_details"]["B2"] == {"nature": "Sister works there",
                                            "mitigation": "Does not score B2"}
    document.undo_stack.undo()
    e2 = next(e for e in document.doc()["evaluators"] if e["id"] == "E2")
    assert e2.get("conflict_details", {}).get("B2", {}).get("nature", "") == ""
    document.undo_stack.undo()
    e1 = next(e for e in document.doc()["evaluators"] if e["id"] == "E1")
    assert e1["declaration"]["interests"] == ""
    document.undo_stack.undo()
    e1 = next(e for e in document.doc()["evaluators"] if e["id"] == "E1")
    assert e1.get("declaration") is None
    document.undo_stack.redo()
    e1 = next(e for e in document.doc()["evaluators"] if e["id"] == "E1")
    assert e1["declaration"] == {"date": "2026-01-05", "interests": ""}


def test_bid_evaluator_partner_evaluation_edits_undo(document):
    bid = document.add_bid({"supplier": "=cmd|' /C calc'!A0", "option_type": "build",
                            "costs": [{"item": "Build", "category": "staff",
                                       "amount": 1000, "start_year": 0, "years": 2}]})
    assert document.doc()["bids"][-1]["supplier"].startswith("=cmd")
    document.update_bid(bid, {"sme": True})
    document.undo_stack.undo()
    assert document.doc()["bids"][-1]["sme"] is False
    document.undo_stack.undo()
    assert bid not in [b["id"] for b in document.doc()["bids"]]

    eid = document.add_evaluator({"name": "C. Wong", "role": "Finance"})
    document.update_evaluator(eid, {"role": "S151 officer"})
    assert document.doc()["evaluators"][-1]["role"] == "S151 officer"
    document.undo_stack.undo()
    assert document.doc()["evaluators"][-1]["role"] == "Finance"

    document.update_evaluation({"title": "Renamed"})
    assert document.doc()["evaluation"]["title"] == "Renamed"
    document.undo_stack.undo()
    assert document.doc()["evaluation"]["title"] == "Customer platform replacement"

    pid = document.add_partner({"name": "Westfold BC", "population": 50000,
                                "baseline_annual_cost": 90000})
    document.set_apportionment("B1", {"method": "equal"})
    assert document.doc()["bids"][0]["apportionment"] == {"method": "equal"}
    document.undo_stack.undo()
    assert "apportionment" not in document.doc()["bids"][0]
    document.delete_partner(pid)
    document.undo_stack.undo()
    assert document.doc()["partners"][-1]["name"] == "Westfold BC"


def test_conflict_sets_scores_aside_and_undo_brings_them_back(document):
    assert score_of(document, "E1", "B1", "Q1") == 3
    document.set_conflict("E1", "B1", True, "2026-01-05")
    assert "B1" in document.doc()["evaluators"][0]["conflicts"]
    assert document.conflict_dates()[("E1", "B1")] == "2026-01-05"
    assert score_of(document, "E1", "B1", "Q1") is None
    document.undo_stack.undo()
    assert "B1" not in document.doc()["evaluators"][0]["conflicts"]
    assert score_of(document, "E1", "B1", "Q1") == 3
    assert score_of(document, "E1", "B1", "Q2") == 3
    document.undo_stack.redo()
    assert score_of(document, "E1", "B1", "Q1") is None


def test_consensus_and_gateway_undo(document):
    document.set_consensus("B1", "Q1", 4, "Panel agreed after discussion")
    assert any(r["criterion"] == "Q1" for r in document.doc()["consensus"])
    document.undo_stack.undo()
    assert not any(r["criterion"] == "Q1" for r in document.doc()["consensus"])
    with pytest.raises(BadInput, match="rationale"):
        document.set_consensus("B1", "Q1", 4, "")
    document.set_gateway("B2", "G1", False, "Certificate expired")
    assert document.results().status[1] == "excluded"
    document.undo_stack.undo()
    assert document.results().status[1] != "excluded"


def test_macro_is_one_undo_step(document):
    with document.macro("Two scores"):
        document.set_score("E2", "B1", "Q2", 1)
        document.set_score("E1", "B1", "Q2", 1)
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert score_of(document, "E2", "B1", "Q2") is None
    assert score_of(document, "E1", "B1", "Q2") == 3


def test_audit_names_the_actor(document):
    document.actor = "Jo Bloggs"
    document.set_score("E1", "B1", "Q1", 4)
    entry = document.audit(limit=1)[0]
    assert (entry.actor, entry.action, entry.entity_id) == ("Jo Bloggs", "score.set", "E1/B1/Q1")
