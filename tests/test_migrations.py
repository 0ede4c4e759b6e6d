"""Files saved by an older ProcureDesk still open, brought up to today's rules."""

from __future__ import annotations

import json
import sqlite3

import pytest

from procure_desk.cli import main
from procure_desk.interchange import validate
from procure_desk.services import EvaluationFile
from procure_desk.store import SCHEMA_VERSION
from procure_desk.store.migrations import NEW_COLUMNS


@pytest.fixture
def format_1_file(tmp_path, example_doc):
    """The example as a format-1 file that holds what the new rules refuse."""
    path = tmp_path / "old.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    con = sqlite3.connect(path)
    with con:
        for table, column in (("bid", "id"), ("costline", "bid_id"), ("score", "bid_id"),
                              ("consensus", "bid_id"), ("gateway", "bid_id"),
                              ("conflict", "bid_id")):
            con.execute(f"UPDATE {table} SET {column} = 'B?' WHERE {column} = 'B2'")
        con.execute("UPDATE bid SET supplier = 'Acme\u202eLtd\nTrading' WHERE id = 'B1'")
        con.execute("PRAGMA user_version = 1")
    for table, column, _ in NEW_COLUMNS:  # format 1 had none of these
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.close()
    return path


def test_an_old_file_with_a_wildcard_id_opens_with_the_id_renamed(format_1_file, example_doc):
    with EvaluationFile.open(format_1_file) as ef:
        doc = ef.document()
        events = ef.audit(text="file.migrate")
    ids = [b["id"] for b in doc["bids"]]
    assert ids == ["B1", "B_"]
    old_b2 = [s for s in example_doc["scores"] if s["bid"] == "B2"]
    assert len([s for s in doc["scores"] if s["bid"] == "B_"]) == len(old_b2)
    assert doc["bids"][0]["supplier"] == "AcmeLtd Trading"
    assert validate(doc)  # the whole file now passes every input rule
    assert len(events) == 1
    assert events[0].actor == "ProcureDesk"
    assert events[0].after["renamed_ids"] == {"bid": {"B?": "B_"}}
    con = sqlite3.connect(format_1_file)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_the_migrated_file_works_from_the_command_line(format_1_file, capsys):
    assert main(["results", "--json", str(format_1_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {b["id"] for b in data["bids"]} == {"B1", "B_"}


def test_a_file_already_within_the_rules_is_migrated_without_an_event(tmp_path, example_doc):
    path = tmp_path / "clean.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 1")
    con.close()
    with EvaluationFile.open(path) as ef:
        assert not ef.audit(text="file.migrate")
        assert [b["id"] for b in ef.document()["bids"]] == [b["id"] for b in example_doc["bids"]]
