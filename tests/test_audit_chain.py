"""`procure-desk verify`: every kind of tampering with the file is found and named
(docs/audit-chain.md)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.provenance import stamp
from procure_desk.services import EvaluationFile


@pytest.fixture
def path(example_file) -> Path:
    """The example with a few edits, so the log holds several chained events."""
    ef = example_file
    r = ef.document()["scores"][0]
    ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], 1)
    ef.set_score("tester", r["evaluator"], r["bid"], r["criterion"], 2, "second look")
    ef.update_bid("tester", ef.document()["bids"][0]["id"], {"notes": "clarified"})
    ef.set_declaration("tester", ef.document()["evaluators"][0]["id"], "2026-09-01", "")
    p = ef.path
    ef.close()
    return p


def sql(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    with con:
        for s in statements:
            con.execute(s)
    con.close()


def verify(capsys, path: Path, *extra: str) -> tuple[int, dict]:
    code = main(["verify", "--json", str(path), *extra])
    return code, json.loads(capsys.readouterr().out)


def test_an_untouched_file_is_intact(path, capsys):
    code, data = verify(capsys, path)
    assert code == 0
    assert data["intact"] is True
    assert data["events"] == 5
    assert len(data["head"]) == 64
    assert data["problems"] == []
    assert data["sealed"] is None


DATA_TAMPERING: dict[str, Callable[[Path], None]] = {
    "score changed": lambda p: sql(p, "UPDATE score SET score = 0 WHERE rowid = "
                                      "(SELECT min(rowid) FROM score)"),
    "score added": lambda p: sql(p, "INSERT INTO score (evaluator_id, bid_id, criterion_id, "
                                    "position, score, comment) "
                                    "VALUES ('E2', 'B1', 'Q2', 999, 5, 'forged')"),
    "score deleted": lambda p: sql(p, "DELETE FROM score WHERE rowid = "
                                      "(SELECT max(rowid) FROM score)"),
    "cost changed": lambda p: sql(p, "UPDATE costline SET amount = amount - 1 WHERE rowid = 1"),
    "supplier renamed": lambda p: sql(p, "UPDATE bid SET supplier = 'Someone else' "
                                         "WHERE rowid = 1"),
    "seal forged": lambda p: sql(p, "INSERT INTO meta (key, value) VALUES ('sealed', "
                                     "'{\"at\": \"2026-01-01\", \"by\": \"x\", \"head\": null}')"),
}


@pytest.mark.parametrize("how", sorted(DATA_TAMPERING))
def test_a_data_row_changed_added_or_deleted_is_found(path, capsys, how):
    before = verify(capsys, path)[1]
    DATA_TAMPERING[how](path)
    code, data = verify(capsys, path)
    assert code == 3
    assert data["intact"] is False
    assert data["problems"][0]["where"] == "evaluation data"
    assert "changed, added or deleted outside ProcureDesk" in data["problems"][0]["message"]
    assert data["head"] == before["head"]


def event_ids(path: Path) -> list[int]:
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM auditevent ORDER BY id")]
    con.close()
    return ids


def test_an_audit_event_changed_is_found_and_named(path, capsys):
    third = event_ids(path)[2]
    sql(path, f"UPDATE auditevent SET actor = 'someone else' WHERE id = {third}")
    code, data = verify(capsys, path)
    assert code == 3
    assert data["problems"][0]["where"].startswith(f"audit event {third} (")
    assert data["problems"][0]["message"] == "was changed after it was recorded"


def test_an_audit_event_deleted_is_found(path, capsys):
    second, third = event_ids(path)[1:3]
    sql(path, f"DELETE FROM auditevent WHERE id = {second}")
    code, data = verify(capsys, path)
    assert code == 3
    assert data["problems"][0]["where"].startswith(f"audit event {third} (")
    assert "does not follow the event before it" in data["problems"][0]["message"]


def test_an_audit_event_inserted_is_found(path, capsys):
    sql(path, "INSERT INTO auditevent (id, at, actor, action, entity, entity_id, before, "
              "after, prev_hash, data_digest, hash) SELECT 1000, at, 'forger', action, entity, "
              "entity_id, before, after, hash, data_digest, hash FROM auditevent "
              "ORDER BY id DESC LIMIT 1")
    code, data = verify(capsys, path)
    assert code == 3
    assert data["problems"][0]["where"].startswith("audit event 1000 (")


def test_an_audit_event_forged_without_a_hash_is_found(path, capsys):
    sql(path, "INSERT INTO auditevent (at, actor, action, entity, entity_id) VALUES "
              "('2026-12-01T00:00:00Z', 'forger', 'score.set', 'score', 'E1/B1/Q1')")
    code, data = verify(capsys, path)
    assert code == 3
    assert "has no place in the audit chain" in data["problems"][0]["message"]


def test_audit_events_reordered_are_found(path, capsys):
    a, b = event_ids(path)[1:3]
    sql(path, f"UPDATE auditevent SET id = -1 WHERE id = {a}",
        f"UPDATE auditevent SET id = {a} WHERE id = {b}",
        f"UPDATE auditevent SET id = {b} WHERE id = -1")
    code, data = verify(capsys, path)
    assert code == 3
    assert data["problems"][0]["where"].startswith(f"audit event {a} (")


def test_an_unreadable_file_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.pdesk"
    bad.write_text("not an evaluation")
    assert main(["verify", str(bad)]) == 2


def test_against_an_export_made_from_this_history(path, tmp_path, capsys):
    with EvaluationFile.open(path) as ef:
        head, n = ef.head()
        ef.set_score("tester", "E1", "B1", "Q1", 4)  # the history moves on after the export
    export = tmp_path / "report.json"
    export.write_text(json.dumps({"provenance": stamp(head, n)}))
    code, data = verify(capsys, path, "--against", str(export))
    assert code == 0, data
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"provenance": stamp("ab" * 32, 3)}))
    code, data = verify(capsys, path, "--against", str(other))
    assert code == 3
    assert data["problems"][0]["where"] == str(other)
    assert "which this file's history does not hold" in data["problems"][0]["message"]


def test_against_a_file_that_is_no_export_is_exit_2(path, tmp_path, capsys):
    plain = tmp_path / "notes.txt"
    plain.write_text("hello")
    assert main(["verify", str(path), "--against", str(plain)]) == 2
    assert "holds no ProcureDesk audit head" in capsys.readouterr().err


def test_a_file_made_before_the_chain_gets_one_that_says_so(path, capsys):
    sql(path, "UPDATE auditevent SET prev_hash = NULL, data_digest = NULL, hash = NULL",
        "PRAGMA user_version = 1")
    with EvaluationFile.open(path) as ef:
        events = ef.audit()
        assert events[0].action == "chain.start"
        assert events[0].after["events_before"] == 5
        assert ef.verify().intact
    # the earlier history is now part of the chain: altering it is found
    sql(path, "UPDATE auditevent SET actor = 'rewritten' WHERE id = 2")
    code, data = verify(capsys, path)
    assert code == 3
    assert "history before the chain began was changed" in data["problems"][0]["message"]
