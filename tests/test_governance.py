"""The evaluation's life through the command line: provisional results, declarations,
sign-off, sealing and status (docs/governance.md)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile

EXAMPLE = Path(__file__).resolve().parent / "data" / "example.json"


def results(capsys, path: Path) -> dict:
    assert main(["results", "--json", str(path)]) == 0
    return json.loads(capsys.readouterr().out)


def checks(data: dict) -> list[str]:
    return [r["check"] for r in data["provisional_reasons"]]


@pytest.fixture
def path(example_file) -> Path:
    p = example_file.path
    example_file.close()
    return p


def finish(path: Path) -> None:
    """Everything a final decision needs, done through the services."""
    with EvaluationFile.open(path) as ef:
        doc = ef.document()
        for g in [c for c in doc["criteria"] if c["kind"] == "pass_fail"]:
            for b in doc["bids"]:
                if not any(r["bid"] == b["id"] and r["criterion"] == g["id"]
                           for r in doc["gateways"]):
                    ef.set_gateway("tester", b["id"], g["id"], True, "")
        for f in ef.results().flags():
            ef.set_consensus("tester", f["bid"], f["criterion"], 3, "agreed at moderation")
        scored = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
        have = {(r["evaluator"], r["bid"], r["criterion"]) for r in ef.document()["scores"]}
        excluded = {b["id"] for b in ef.results().to_json()["bids"]
                    if b["status"] == "excluded"}
        items = [{"evaluator": e["id"], "bid": b["id"], "criterion": c, "score": 3,
                  "comment": ""}
                 for e in doc["evaluators"] for b in doc["bids"] for c in scored
                 if b["id"] not in e["conflicts"] and b["id"] not in excluded
                 and (e["id"], b["id"], c) not in have]
        if items:
            ef.set_scores("tester", items)
        for e in doc["evaluators"]:
            ef.set_declaration("tester", e["id"], "2026-10-01", "")
        for f in ef.results().flags():
            ef.set_consensus("tester", f["bid"], f["criterion"], 3, "agreed at moderation")
        for e in doc["evaluators"]:
            ef.submit("tester", e["id"])


def test_reasons_appear_and_disappear_with_the_data(path, capsys):
    data = results(capsys, path)
    assert data["provisional"] is True
    assert "not_submitted" in checks(data)
    assert "declaration_missing" in checks(data)
    assert data["sealed"] is None
    finish(path)
    data = results(capsys, path)
    assert data["provisional"] is False
    assert data["provisional_reasons"] == []
    # a cleared gateway result makes the results provisional again, saying which
    with EvaluationFile.open(path) as ef:
        gate = next(c["id"] for c in ef.document()["criteria"] if c["kind"] == "pass_fail")
        bid = ef.document()["bids"][0]["id"]
        ef.withdraw_submission("tester", ef.document()["evaluators"][0]["id"], "recheck")
        ef.set_gateway("tester", bid, gate, None)
    data = results(capsys, path)
    assert checks(data) == ["not_submitted", "gateways_open"]
    assert f"{bid}/{gate}" in data["provisional_reasons"][1]["detail"]


def test_a_missing_score_is_named_per_evaluator(path, capsys):
    with EvaluationFile.open(path) as ef:
        r = ef.document()["scores"][0]
        ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], None)
        name = next(e["name"] for e in ef.document()["evaluators"] if e["id"] == r["evaluator"])
    data = results(capsys, path)
    detail = next(x["detail"] for x in data["provisional_reasons"]
                  if x["check"] == "scores_missing")
    assert f"{name} ({r['evaluator']}): 1 of" in detail


def test_a_submitted_evaluators_scores_cannot_change(path, capsys):
    finish(path)
    with EvaluationFile.open(path) as ef:
        r = ef.document()["scores"][0]
    before = path.read_bytes()
    with EvaluationFile.open(path) as ef, pytest.raises(BadInput, match=r"submitted their "
                                                        r"scores on .*locked"):
        ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], 0)
    assert path.read_bytes() == before
    assert main(["submit", str(path), "--evaluator", r["evaluator"], "--withdraw"]) == 2
    assert "--withdraw needs --reason" in capsys.readouterr().err
    assert main(["submit", str(path), "--evaluator", r["evaluator"], "--withdraw",
                 "--reason", "typo in a score found at moderation"]) == 0
    with EvaluationFile.open(path) as ef:
        ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], 0)
        events = ef.audit(text="scores.withdraw")
    assert events[0].after["reason"] == "typo in a score found at moderation"


def test_submit_is_refused_while_scores_are_missing(path, capsys):
    with EvaluationFile.open(path) as ef:
        r = ef.document()["scores"][0]
        ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], None)
    assert main(["submit", str(path), "--evaluator", r["evaluator"]]) == 2
    assert "cannot submit yet" in capsys.readouterr().err


def test_declarations_and_conflict_details_round_trip(path, tmp_path, capsys):
    with EvaluationFile.open(path) as ef:
        ev = next(e for e in ef.document()["evaluators"] if e["conflicts"])
        ef.set_declaration("tester", ev["id"], "2025-03-31", "Former employee of the bidder")
        ef.set_conflict_details("tester", ev["id"], ev["conflicts"][0],
                                "worked there until 2024", "does not score or see its bid")
    out = tmp_path / "out.json"
    assert main(["export-json", str(path), str(out)]) == 0
    doc = json.loads(out.read_text())
    got = next(e for e in doc["evaluators"] if e["id"] == ev["id"])
    assert got["declaration"] == {"date": "2025-03-31",
                                  "interests": "Former employee of the bidder"}
    assert got["conflict_details"][ev["conflicts"][0]]["mitigation"] == (
        "does not score or see its bid")
    again = tmp_path / "again.pdesk"
    assert main(["import-json", str(out), str(again)]) == 0
    with EvaluationFile.open(again) as ef:
        assert next(e for e in ef.document()["evaluators"] if e["id"] == ev["id"]) == got


def test_a_bad_declaration_date_is_refused_on_import(example_doc, write_json, tmp_path,
                                                     capsys):
    example_doc["evaluators"][0]["declaration"] = {"date": "2026-02-30", "interests": ""}
    assert main(["import-json", str(write_json(example_doc)), str(tmp_path / "x.pdesk")]) == 2
    assert 'evaluators[0].declaration.date: "2026-02-30" is not a date' in (
        capsys.readouterr().err)


def test_seal_is_refused_while_provisional_then_refuses_every_edit(path, tmp_path, capsys):
    assert main(["seal", str(path)]) == 2
    assert "cannot be sealed while results are provisional" in capsys.readouterr().err
    finish(path)
    assert main(["--as", "Chief Officer", "seal", str(path), "--reason", "award"]) == 0
    capsys.readouterr()
    data = results(capsys, path)
    assert data["sealed"]["by"] == "Chief Officer"
    before = path.read_bytes()
    with EvaluationFile.open(path) as ef:
        bid = ef.document()["bids"][0]["id"]
        for edit in (lambda: ef.update_bid("x", bid, {"notes": "changed"}),
                     lambda: ef.add_partner("x", {"name": "Another council"}),
                     lambda: ef.set_declaration("x", "E1", "2026-11-01", "")):
            with pytest.raises(BadInput, match="was sealed by Chief Officer on"):
                edit()
    for argv in (["import-json", "--force", str(EXAMPLE), str(path)],
                 ["new", "--force", "--template", "buy-small", str(path)]):
        assert main(argv) == 2
        assert "was sealed by Chief Officer" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["verify", str(path)]) == 0
    assert "sealed by Chief Officer" in capsys.readouterr().out


def test_a_draft_copy_of_a_sealed_file_can_change_and_says_where_it_came_from(path,
                                                                             tmp_path):
    finish(path)
    with EvaluationFile.open(path) as ef:
        sealed = ef.seal("tester")
        head, _ = ef.head()
        draft = tmp_path / "draft.pdesk"
        ef.save_draft_copy("tester", draft)
    with EvaluationFile.open(draft) as copy:
        assert copy.sealed() is None
        origin = copy.audit(text="evaluation.draft")[0].after["origin"]
        assert origin["head"] == head
        assert origin["sealed"] == sealed
        copy.update_bid("tester", copy.document()["bids"][0]["id"], {"notes": "reopened"})
        assert copy.verify().intact


def test_status_says_the_stage_and_the_checklist(path, capsys):
    assert main(["status", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stage"] == "scoring"
    assert data["provisional"] is True
    assert [c["check"] for c in data["checklist"]] == [
        "scores_missing", "not_submitted", "declaration_missing", "flags_open",
        "gateways_open"]
    assert data["intact"] is True
    finish(path)
    assert main(["status", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stage"] == "ready to award"
    assert all(c["done"] for c in data["checklist"])
    assert all(s["submitted"] for s in data["submitted"])


def test_an_empty_evaluation_ticks_nothing(tmp_path, capsys):
    path = tmp_path / "new.pdesk"
    assert main(["new", "--template", "buy-small", str(path)]) == 0
    capsys.readouterr()
    assert main(["status", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stage"] == "setting up"
    assert not any(c["done"] for c in data["checklist"])


def test_the_database_itself_refuses_nothing_the_services_refuse(path):
    # a submitted evaluator's score changed with the sqlite3 shell is caught by verify
    finish(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE score SET score = 0 WHERE rowid = 1")
    con.commit()
    con.close()
    assert main(["verify", str(path)]) == 3
