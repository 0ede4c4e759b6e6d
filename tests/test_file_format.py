"""The .pdesk file: SQLite settings, identity, schema version and migrations."""

from __future__ import annotations

import copy
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile
from procure_desk.store import files
from procure_desk.store import schema as db


def pragma(path, name: str):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


def test_connections_enforce_foreign_keys(example_file):
    with example_file.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_dangling_reference_is_refused_by_the_database(example_file):
    insert = text("INSERT INTO score (evaluator_id, bid_id, criterion_id, position, score, "
                  "comment) VALUES ('E1', 'NO-SUCH-BID', 'Q1', 99, 1, '')")
    with example_file.store.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            conn.execute(insert)
        conn.rollback()
    assert all(r["bid"] != "NO-SUCH-BID" for r in example_file.document()["scores"])


def test_journal_mode_is_delete_not_wal(example_file):
    ef = example_file
    with ef.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "delete"
    ef.set_score("tester", "E1", "B2", "Q1", 5)
    # WAL would persist in the file and leave -wal / -shm files beside it
    assert pragma(ef.path, "journal_mode") == "delete"
    assert not ef.path.with_name(ef.path.name + "-wal").exists()
    assert not ef.path.with_name(ef.path.name + "-shm").exists()


def test_application_id_and_user_version_are_set(example_file):
    path = example_file.path
    assert pragma(path, "application_id") == db.APPLICATION_ID
    assert pragma(path, "user_version") == db.SCHEMA_VERSION
    assert db.SCHEMA_VERSION >= 1
    assert files.file_identity(path) == (db.APPLICATION_ID, db.SCHEMA_VERSION)
    head = path.read_bytes()[:100]
    assert head.startswith(b"SQLite format 3\x00")
    assert int.from_bytes(head[68:72], "big") == db.APPLICATION_ID


def test_a_sqlite_file_without_our_application_id_is_refused(example_file):
    path = example_file.path
    example_file.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 0")
    con.close()
    with pytest.raises(BadInput, match="not a ProcureDesk evaluation"):
        EvaluationFile.open(path)


def test_an_older_file_is_migrated(example_file, monkeypatch):
    path = example_file.path
    doc = copy.deepcopy(example_file.document())
    example_file.close()
    calls = []

    def v1_to_v2(con: sqlite3.Connection) -> None:
        calls.append(pragma(path, "user_version"))
        con.execute("CREATE TABLE attachment (id INTEGER PRIMARY KEY, name TEXT)")

    monkeypatch.setattr(db, "SCHEMA_VERSION", db.SCHEMA_VERSION + 1)
    monkeypatch.setitem(db.MIGRATIONS, db.SCHEMA_VERSION - 1, v1_to_v2)
    with EvaluationFile.open(path) as ef:
        assert ef.document() == doc
    assert calls == [db.SCHEMA_VERSION - 1]  # ran once, on the old version
    assert pragma(path, "user_version") == db.SCHEMA_VERSION
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "attachment" in tables
    # opening again does not migrate again
    with EvaluationFile.open(path):
        pass
    assert len(calls) == 1


def test_a_failing_migration_leaves_the_file_as_it_was(example_file, monkeypatch):
    path = example_file.path
    example_file.close()
    before = path.read_bytes()
    old = db.SCHEMA_VERSION

    def broken(con: sqlite3.Connection) -> None:
        con.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration failed")

    monkeypatch.setattr(db, "SCHEMA_VERSION", old + 1)
    monkeypatch.setitem(db.MIGRATIONS, old, broken)
    with pytest.raises(RuntimeError):
        EvaluationFile.open(path)
    assert pragma(path, "user_version") == old
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "half_done" not in tables
    assert path.read_bytes() == before


def test_a_newer_file_is_refused_untouched(example_file):
    path = example_file.path
    example_file.close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    con.close()
    before = path.read_bytes()
    with pytest.raises(BadInput, match="newer"):
        EvaluationFile.open(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"hello", b"x" * 200])
def test_not_sqlite_is_refused(tmp_path, content):
    path = tmp_path / "bad.pdesk"
    path.write_bytes(content)
    with pytest.raises(BadInput, match="not a ProcureDesk evaluation"):
        EvaluationFile.open(path)


def test_backup_is_a_consistent_copy(example_file, tmp_path):
    dest = tmp_path / "b.pdesk"
    files.backup(example_file.path, dest)
    assert pragma(dest, "application_id") == db.APPLICATION_ID
    assert pragma(dest, "user_version") == db.SCHEMA_VERSION
    with EvaluationFile.open(dest) as other:
        assert other.document() == example_file.document()
    assert not (tmp_path / "b.pdesk.part").exists()
