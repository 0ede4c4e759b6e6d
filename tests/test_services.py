"""The service layer: one transaction and one audit event per edit, undo, copies."""

from __future__ import annotations

import copy
import sqlite3

import pytest

from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile
from procure_desk.store import Writer

ACTOR = "alice"


def fresh(ef: EvaluationFile) -> dict:
    """The document as stored on disk, read by a new connection (no cache)."""
    with EvaluationFile.open(ef.path) as other:
        return other.document()


def audit_count(ef: EvaluationFile) -> int:
    return len(ef.audit())


def sorted_doc(d: dict) -> dict:
    """The document with its score-like lists in a canonical order."""
    out = copy.deepcopy(d)
    for key in ("scores", "consensus", "gateways"):
        out[key] = sorted(out[key], key=lambda r: (r.get("evaluator", ""), r["bid"],
                                                  r["criterion"]))
    return out


WHY = "agreed by the panel"  # scoring has opened in the example: methodology needs a reason
# (name, edit, expected action, entity id, before is None, after is None)
EDITS = [
    ("update_evaluation", lambda ef: ef.update_evaluation(ACTOR, {"title": "Renamed"}),
     "evaluation.update", "", False, False),
    ("add_criterion", lambda ef: ef.add_criterion(
        ACTOR, {"id": "Q3", "name": "Support", "kind": "scored", "weight": 10, "parent": "Q"},
        reason=WHY), "criterion.add", "Q3", True, False),
    ("update_criterion", lambda ef: ef.update_criterion(ACTOR, "Q1", {"weight": 30},
                                                        reason=WHY),
     "criterion.update", "Q1", False, False),
    ("move_criterion", lambda ef: ef.move_criterion(ACTOR, "Q2", "Q", 0),
     "criterion.move", "Q2", False, False),
    # scoring has opened in the example: the delete records its reason
    ("delete_criterion", lambda ef: ef.delete_criterion(ACTOR, "Q2", reason=WHY),
     "criterion.delete", "Q2", False, False),
    ("add_bid", lambda ef: ef.add_bid(ACTOR, {"id": "B3", "supplier": "New Co",
                                              "option_type": "build"}),
     "bid.add", "B3", True, False),
    ("update_bid", lambda ef: ef.update_bid(ACTOR, "B2", {"supplier": "Small Co Ltd"}),
     "bid.update", "B2", False, False),
    ("delete_bid", lambda ef: ef.delete_bid(ACTOR, "B2"), "bid.delete", "B2", False, True),
    ("add_evaluator", lambda ef: ef.add_evaluator(ACTOR, {"id": "E3", "name": "C. Lee"}),
     "evaluator.add", "E3", True, False),
    ("update_evaluator", lambda ef: ef.update_evaluator(ACTOR, "E2", {"role": "Finance"}),
     "evaluator.update", "E2", False, False),
    ("delete_evaluator", lambda ef: ef.delete_evaluator(ACTOR, "E2"),
     "evaluator.delete", "E2", False, True),
    ("set_conflict", lambda ef: ef.set_conflict(ACTOR, "E1", "B2", True),
     "conflict.declare", "E1/B2", False, False),
    ("set_score new", lambda ef: ef.set_score(ACTOR, "E2", "B1", "Q2", 4, "clear answer"),
     "score.set", "E2/B1/Q2", True, False),
    ("set_score change", lambda ef: ef.set_score(ACTOR, "E1", "B1", "Q1", 2),
     "score.set", "E1/B1/Q1", False, False),
    ("set_score clear", lambda ef: ef.set_score(ACTOR, "E1", "B1", "Q1", None),
     "score.clear", "E1/B1/Q1", False, True),
    ("set_consensus", lambda ef: ef.set_consensus(ACTOR, "B1", "Q1", 4, "panel agreed"),
     "consensus.set", "B1/Q1", True, False),
    ("set_gateway", lambda ef: ef.set_gateway(ACTOR, "B2", "G1", False, "expired"),
     "gateway.set", "B2/G1", False, False),
    ("add_partner", lambda ef: ef.add_partner(ACTOR, {"id": "C2", "name": "Kelsham DC"}),
     "partner.add", "C2", True, False),
    ("update_partner", lambda ef: ef.update_partner(ACTOR, "C1", {"population": 99000}),
     "partner.update", "C1", False, False),
    ("delete_partner", lambda ef: ef.delete_partner(ACTOR, "C1"),
     "partner.delete", "C1", False, True),
    ("set_apportionment", lambda ef: ef.set_apportionment(ACTOR, "B2", {"method": "equal"}),
     "bid.update", "B2", False, False),
]


@pytest.mark.parametrize(("name", "edit", "action", "entity_id", "no_before", "no_after"),
                         EDITS, ids=[e[0] for e in EDITS])
def test_every_edit_writes_one_audit_event(example_file, name, edit, action, entity_id,
                                           no_before, no_after):
    ef = example_file
    doc_before = copy.deepcopy(ef.document())
    n = audit_count(ef)
    rev = ef.revision
    edit(ef)
    events = ef.audit()
    assert len(events) == n + 1
    ev = events[0]  # newest first
    assert ev.actor == ACTOR
    assert ev.action == action
    assert ev.entity_id == entity_id
    assert ev.at.endswith("Z")
    assert (ev.before is None) == no_before
    assert (ev.after is None) == no_after
    assert ef.revision > rev
    # the edit really happened, and the cache agrees with the file
    assert fresh(ef) != doc_before
    assert fresh(ef) == ef.document()


def test_audit_before_and_after_record_the_change(example_file):
    ef = example_file
    ef.set_score(ACTOR, "E1", "B1", "Q1", 2, "revised")
    ev = ef.audit(limit=1)[0]
    assert ev.before == {"evaluator": "E1", "bid": "B1", "criterion": "Q1", "score": 3,
                         "comment": "..."}
    assert ev.after == {"evaluator": "E1", "bid": "B1", "criterion": "Q1", "score": 2,
                        "comment": "revised"}
    ef.update_bid("bob", "B2", {"supplier": "Small Co Ltd"})
    ev = ef.audit(actor="bob")[0]
    assert ev.before == {"supplier": "Small Co"}
    assert ev.after == {"supplier": "Small Co Ltd"}


def test_audit_can_be_searched(example_file):
    ef = example_file
    ef.set_gateway("bob", "B2", "G1", False, "certificate expired")
    assert [e.action for e in ef.audit(text="expired")] == ["gateway.set"]
    assert all(e.entity == "gateway" for e in ef.audit(entity="gateway"))
    assert ef.audit(actor="nobody") == []


# ---- failing edits change nothing ---------------------------------------------------------

FAILING = [
    ("score outside the scale", lambda ef: ef.set_score(ACTOR, "E1", "B1", "Q1", 6)),
    ("score off step", lambda ef: ef.set_score(ACTOR, "E1", "B1", "Q1", 3.5)),
    ("score on a gateway", lambda ef: ef.set_score(ACTOR, "E1", "B1", "G1", 3)),
    ("score by a conflicted evaluator", lambda ef: ef.set_score(ACTOR, "E2", "B2", "Q1", 3)),
    ("batch with one bad score", lambda ef: ef.set_scores(ACTOR, [
        {"evaluator": "E1", "bid": "B2", "criterion": "Q1", "score": 1},
        {"evaluator": "E1", "bid": "B2", "criterion": "Q2", "score": 9}])),
    ("consensus without rationale", lambda ef: ef.set_consensus(ACTOR, "B1", "Q1", 4, " ")),
    ("gateway on a scored criterion", lambda ef: ef.set_gateway(ACTOR, "B1", "Q1", True)),
    ("negative amount", lambda ef: ef.update_bid(ACTOR, "B1", {"costs": [
        {"item": "x", "category": "other", "amount": -1, "start_year": 0, "years": 1}]})),
    ("unknown option type", lambda ef: ef.update_bid(ACTOR, "B1", {"option_type": "magic"})),
    ("criterion under a leaf", lambda ef: ef.add_criterion(
        ACTOR, {"name": "x", "kind": "scored", "weight": 1, "parent": "Q1"})),
    ("negative weight", lambda ef: ef.update_criterion(ACTOR, "Q1", {"weight": -3})),
    ("section under itself", lambda ef: ef.move_criterion(ACTOR, "Q", "Q", 0)),
    ("duplicate bid id", lambda ef: ef.add_bid(ACTOR, {"id": "B1", "supplier": "x",
                                                      "option_type": "build"})),
    ("unknown bid", lambda ef: ef.delete_bid(ACTOR, "B9")),
    ("discount rate above 1", lambda ef: ef.update_evaluation(
        ACTOR, {"appraisal": {"years": 5, "discount_rate": 2, "cost_basis": "npv"}})),
    ("scale too small for the scores", lambda ef: ef.update_evaluation(
        ACTOR, {"scale": {"max": 4, "step": 1}})),
    ("step that existing scores miss", lambda ef: ef.update_evaluation(
        ACTOR, {"scale": {"max": 4, "step": 2}})),
    ("custom shares not adding to 100", lambda ef: ef.set_apportionment(
        ACTOR, "B1", {"method": "custom", "shares": {"C1": 60}})),
]


@pytest.mark.parametrize(("name", "edit"), FAILING, ids=[f[0] for f in FAILING])
def test_a_refused_edit_changes_nothing(example_file, name, edit):
    ef = example_file
    before = copy.deepcopy(fresh(ef))
    n = audit_count(ef)
    with pytest.raises(BadInput) as info:
        edit(ef)
    assert str(info.value).strip()
    assert fresh(ef) == before
    assert ef.document() == before
    assert audit_count(ef) == n


def test_scale_refusal_says_which_scores_do_not_fit(example_file):
    with pytest.raises(BadInput) as info:
        example_file.update_evaluation(ACTOR, {"scale": {"max": 4, "step": 1}})
    # E2 gave B1/Q1 a 5, which a 0..4 scale cannot hold
    assert "E2/B1/Q1" in str(info.value)


def test_scale_that_fits_is_accepted(example_file):
    # every recorded score (2..5) is a whole number within 0..10
    example_file.update_evaluation(ACTOR, {"scale": {"max": 10, "step": 1}}, reason=WHY)
    assert fresh(example_file)["evaluation"]["scale"]["max"] == 10


# ---- a real transaction -------------------------------------------------------------------

CRASHING = [
    ("set_score", lambda ef: ef.set_score(ACTOR, "E1", "B1", "Q1", 1)),
    ("set_scores", lambda ef: ef.set_scores(ACTOR, [
        {"evaluator": "E1", "bid": "B1", "criterion": "Q1", "score": 1},
        {"evaluator": "E2", "bid": "B1", "criterion": "Q2", "score": 1}])),
    ("set_consensus", lambda ef: ef.set_consensus(ACTOR, "B1", "Q1", 4, "agreed")),
    ("set_gateway", lambda ef: ef.set_gateway(ACTOR, "B1", "G1", False)),
    ("update_bid", lambda ef: ef.update_bid(ACTOR, "B1", {"costs": []})),
    ("delete_bid", lambda ef: ef.delete_bid(ACTOR, "B1")),
    ("delete_criterion", lambda ef: ef.delete_criterion(ACTOR, "Q", reason=WHY)),
    ("set_conflict", lambda ef: ef.set_conflict(ACTOR, "E1", "B1", True)),
    ("update_evaluation", lambda ef: ef.update_evaluation(ACTOR, {"title": "x"})),
]


@pytest.mark.parametrize(("name", "edit"), CRASHING, ids=[c[0] for c in CRASHING])
def test_a_crash_while_writing_the_audit_event_leaves_nothing_changed(example_file, name,
                                                                      edit):
    # The audit table refuses inserts, as if the disk failed after the rows changed.
    ef = example_file
    before = copy.deepcopy(fresh(ef))
    n = audit_count(ef)
    con = sqlite3.connect(ef.path)
    con.execute("CREATE TRIGGER no_audit BEFORE INSERT ON auditevent "
                "BEGIN SELECT RAISE(ABORT, 'simulated crash'); END")
    con.commit()
    con.close()
    with pytest.raises(Exception, match="simulated crash"):
        edit(ef)
    assert fresh(ef) == before
    assert ef.document() == before
    assert audit_count(ef) == n


def test_audit_helper_failing_after_the_row_change_rolls_back(example_file, monkeypatch):
    ef = example_file
    before = copy.deepcopy(fresh(ef))

    def broken(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Writer, "audit", broken)
    with pytest.raises(RuntimeError):
        ef.set_gateway(ACTOR, "B1", "G1", False, "row written, then the audit fails")
    with pytest.raises(RuntimeError):
        ef.update_bid(ACTOR, "B2", {"supplier": "Changed"})
    with pytest.raises(RuntimeError):
        ef.delete_bid(ACTOR, "B1")
    assert fresh(ef) == before


def test_unit_of_work_commits_or_rolls_back_as_one(example_file):
    ef = example_file
    before = copy.deepcopy(fresh(ef))

    def half_done() -> None:
        with ef.unit_of_work() as s:
            s.audit(ACTOR, "custom.step", "bid", "B1", None, {"x": 1})
            raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        half_done()
    assert fresh(ef) == before
    assert not ef.audit(text="custom.step")
    with ef.unit_of_work() as s:
        s.audit(ACTOR, "custom.step", "bid", "B1", None, {"x": 1})
    assert [e.action for e in ef.audit(text="custom.step")] == ["custom.step"]


# ---- undo ------------------------------------------------------------------------------

def test_set_score_change_and_undo(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_score(ACTOR, "E1", "B1", "Q1", 1, "second look")
    assert before == {"evaluator": "E1", "bid": "B1", "criterion": "Q1", "score": 3,
                      "comment": "..."}
    assert fresh(ef)["scores"][0]["score"] == 1
    ef.set_score(ACTOR, before["evaluator"], before["bid"], before["criterion"],
                 before["score"], before["comment"])
    assert fresh(ef) == orig


def test_set_score_new_and_undo(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_score(ACTOR, "E2", "B1", "Q2", 5, "strong")
    assert before is None
    ef.set_score(ACTOR, "E2", "B1", "Q2", None)
    assert fresh(ef) == orig


def test_set_score_clear_and_undo(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_score(ACTOR, "E1", "B1", "Q1", None)
    assert all((r["evaluator"], r["bid"], r["criterion"]) != ("E1", "B1", "Q1")
               for r in fresh(ef)["scores"])
    ef.set_score(ACTOR, before["evaluator"], before["bid"], before["criterion"],
                 before["score"], before["comment"])
    assert sorted_doc(fresh(ef)) == sorted_doc(orig)


def test_set_score_clear_and_undo_keeps_the_record_order(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_score(ACTOR, "E1", "B1", "Q1", None)
    ef.set_score(ACTOR, before["evaluator"], before["bid"], before["criterion"],
                 before["score"], before["comment"])
    assert fresh(ef) == orig


def test_set_consensus_and_undo(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    # changing an existing consensus
    before = ef.set_consensus(ACTOR, "B1", "Q2", 5, "re-moderated")
    assert before == {"bid": "B1", "criterion": "Q2", "score": 4, "rationale": "agreed"}
    ef.set_consensus(ACTOR, "B1", "Q2", before["score"], before["rationale"])
    assert fresh(ef) == orig
    # a new one, undone by clearing it
    before = ef.set_consensus(ACTOR, "B2", "Q1", 3, "panel")
    assert before is None
    assert ef.results().to_json()["bids"][1]["criteria"]["Q1"]["score"] == 3
    ef.set_consensus(ACTOR, "B2", "Q1", None)
    assert fresh(ef) == orig


def test_set_gateway_and_undo(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_gateway(ACTOR, "B1", "G1", False, "no certificate")
    assert before == {"bid": "B1", "criterion": "G1", "passed": True, "note": ""}
    assert ef.results().to_json()["bids"][0]["status"] == "excluded"
    ef.set_gateway(ACTOR, "B1", "G1", before["passed"], before["note"])
    assert fresh(ef) == orig
    assert ef.results().to_json()["bids"][0]["status"] == "ranked"


@pytest.mark.parametrize(("delete", "rid"), [
    ("delete_bid", "B1"), ("delete_bid", "B2"), ("delete_criterion", "Q"),
    ("delete_criterion", "Q1"), ("delete_criterion", "G1"), ("delete_criterion", "P"),
    ("delete_evaluator", "E1"), ("delete_evaluator", "E2"), ("delete_partner", "C1"),
])
def test_delete_then_restore_gives_back_the_same_document(example_file, delete, rid):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    orig_results = ef.results().to_json()
    kwargs = {"reason": WHY} if delete == "delete_criterion" else {}
    bundle = getattr(ef, delete)(ACTOR, rid, **kwargs)
    after_delete = fresh(ef)
    assert after_delete != orig
    ef.restore(ACTOR, bundle)
    assert fresh(ef) == orig
    assert ef.document() == orig
    assert ef.results().to_json() == orig_results
    assert ef.audit(limit=1)[0].action == "restore"


def test_delete_bid_removes_what_hangs_on_it(example_file):
    ef = example_file
    ef.delete_bid(ACTOR, "B2")
    d = fresh(ef)
    assert [b["id"] for b in d["bids"]] == ["B1"]
    assert all(r["bid"] != "B2" for key in ("scores", "consensus", "gateways") for r in d[key])
    assert all("B2" not in e["conflicts"] for e in d["evaluators"])


def test_set_conflict_sets_aside_scores_and_undo_restores_them(example_file):
    ef = example_file
    orig = copy.deepcopy(ef.document())
    before = ef.set_conflict(ACTOR, "E1", "B1", True, declared_on="2026-03-01")
    # E1 had scored B1 on Q1 (3) and Q2 (3): both removed with the declaration
    assert sorted(r["criterion"] for r in before["scores"]) == ["Q1", "Q2"]
    d = fresh(ef)
    assert not [r for r in d["scores"] if r["evaluator"] == "E1" and r["bid"] == "B1"]
    assert "B1" in next(e for e in d["evaluators"] if e["id"] == "E1")["conflicts"]
    assert ef.conflict_dates()[("E1", "B1")] == "2026-03-01"
    # B1/Q1 now rests on E2's 5 alone
    assert ef.results().to_json()["bids"][0]["criteria"]["Q1"]["score"] == 5
    # undo: withdraw the conflict and put the scores back
    ef.set_conflict(ACTOR, "E1", "B1", False)
    ef.set_scores(ACTOR, [dict(r) for r in before["scores"]])
    assert sorted_doc(fresh(ef)) == sorted_doc(orig)
    assert ef.results().to_json()["bids"][0]["criteria"]["Q1"]["score"] == 4


def test_save_copy_gives_an_identical_document(example_file, tmp_path):
    ef = example_file
    ef.set_score(ACTOR, "E2", "B1", "Q2", 4, "later edit")
    dest = tmp_path / "copy.pdesk"
    ef.save_copy(dest)
    with EvaluationFile.open(dest) as other:
        assert other.document() == ef.document()
        assert len(other.audit()) == len(ef.audit())
    # not over an existing file, nor over the open file itself
    with pytest.raises(BadInput):
        ef.save_copy(dest)
    with pytest.raises(BadInput):
        ef.save_copy(ef.path, force=True)


def test_create_refuses_to_overwrite_and_leaves_no_partial_file(tmp_path, example_doc):
    target = tmp_path / "x.pdesk"
    target.write_bytes(b"keep")
    with pytest.raises(BadInput):
        EvaluationFile.create(target, example_doc)
    assert target.read_bytes() == b"keep"
    bad = copy.deepcopy(example_doc)
    bad["scores"][0]["score"] = 42
    with pytest.raises(BadInput):
        EvaluationFile.create(target, bad, force=True)
    assert target.read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdesk"]


def test_replace_document_is_one_audited_transaction(example_file, example_doc):
    ef = example_file
    new = copy.deepcopy(example_doc)
    new["bids"][1]["supplier"] = "Renamed Co"
    n = audit_count(ef)
    ef.replace_document(ACTOR, new, "import.json", {"source": "x.json"})
    assert fresh(ef)["bids"][1]["supplier"] == "Renamed Co"
    assert audit_count(ef) == n + 1
    bad = copy.deepcopy(new)
    bad["bids"][0]["option_type"] = "nonsense"
    before = fresh(ef)
    with pytest.raises(BadInput):
        ef.replace_document(ACTOR, bad, "import.json", {})
    assert fresh(ef) == before
    assert audit_count(ef) == n + 1


@pytest.mark.parametrize(("delete", "rid"), [("delete_bid", "B2"), ("delete_evaluator", "E1")])
def test_restore_keeps_the_date_a_conflict_was_declared(example_file, delete, rid):
    ef = example_file
    ef.set_conflict(ACTOR, "E1", "B2", True, declared_on="2020-01-02")
    dates = ef.conflict_dates()
    assert dates[("E1", "B2")] == "2020-01-02"
    kwargs = {"reason": WHY} if delete == "delete_criterion" else {}
    bundle = getattr(ef, delete)(ACTOR, rid, **kwargs)
    ef.restore(ACTOR, bundle)
    assert ef.conflict_dates() == dates
