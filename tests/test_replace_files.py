"""Putting a new file where another was: the result is exactly the new file.

An evaluation program killed mid-save leaves a "hot" journal beside its file.
SQLite plays such a journal back into whatever file has that name at the next
open, so a replacement that ignored it would be corrupted by the old file's pages.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.services import EvaluationFile

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "example.json"


def crash_mid_save(path: Path) -> None:
    """A process that changes many pages of `path` and is killed before it commits."""
    script = textwrap.dedent(f"""
        import os, sqlite3
        con = sqlite3.connect({str(path)!r}, isolation_level=None)
        con.execute("PRAGMA cache_size = 10")  # a small cache: changed pages spill early
        con.execute("BEGIN")
        con.execute("UPDATE bid SET supplier = 'half-saved ' || supplier")
        con.execute("UPDATE score SET comment = hex(randomblob(600))")
        con.execute("INSERT INTO auditevent (at, actor, action, entity, entity_id, before) "
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                    "WHERE x < 3000) SELECT 'now', 'x', 'a', 'e', 'i', "
                    "hex(randomblob(500)) FROM n")
        os._exit(9)  # killed: no commit, no rollback, the journal stays
    """)
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    journal = Path(f"{path}-journal")
    assert journal.exists()
    header = journal.read_bytes()[:12]
    assert int.from_bytes(header[8:12], "big") > 0  # records synced: a hot journal


@pytest.fixture
def crashed(tmp_path, example_doc) -> Path:
    """An evaluation file with more scores than the example, left mid-save by a crash."""
    doc = json.loads(json.dumps(example_doc))
    path = tmp_path / "tender.pdesk"
    EvaluationFile.create(path, doc, actor="tester").close()
    crash_mid_save(path)
    return path


def fresh_import(tmp_path) -> dict:
    other = tmp_path / "reference.pdesk"
    assert main(["import-json", str(EXAMPLE), str(other)]) == 0
    with EvaluationFile.open(other) as ef:
        return ef.document()


def test_import_json_force_over_a_crashed_file_gives_exactly_the_new_file(tmp_path, crashed,
                                                                          capsys):
    assert main(["import-json", "--force", str(EXAMPLE), str(crashed)]) == 0
    assert not Path(f"{crashed}-journal").exists()
    expected = fresh_import(tmp_path)
    capsys.readouterr()
    assert main(["results", "--json", str(crashed)]) == 0
    assert json.loads(capsys.readouterr().out)["bids"]
    with EvaluationFile.open(crashed) as ef:
        assert ef.document() == expected
    con = sqlite3.connect(crashed)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_new_force_over_a_crashed_file_gives_exactly_the_new_file(crashed, capsys):
    assert main(["new", "--force", "--template", "buy-small", str(crashed)]) == 0
    capsys.readouterr()
    with EvaluationFile.open(crashed) as ef:
        doc = ef.document()
    assert doc["bids"] == []
    assert not Path(f"{crashed}-journal").exists()


def test_save_a_copy_onto_a_crashed_file_gives_exactly_the_copy(tmp_path, crashed,
                                                               example_doc):
    source = tmp_path / "source.pdesk"
    with EvaluationFile.create(source, example_doc, actor="tester") as ef:
        ef.save_copy(crashed, force=True)
        expected = ef.document()
    with EvaluationFile.open(crashed) as copy:
        assert copy.document() == expected


def test_a_target_another_program_is_writing_is_refused(tmp_path, example_doc, capsys):
    path = tmp_path / "tender.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program in the middle of a save
    try:
        before = path.read_bytes()
        assert main(["import-json", "--force", str(EXAMPLE), str(path)]) == 2
        err = capsys.readouterr().err
        assert "is open in another window or program" in err
        assert path.read_bytes() == before
        assert not list(tmp_path.glob(".*.part"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_overwritten_evaluation_is_kept_as_a_backup(tmp_path, example_doc, user_data):
    path = tmp_path / "tender.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    assert main(["new", "--force", "--template", "buy-small", str(path)]) == 0
    copies = list((user_data / "backups").rglob("*.pdesk"))
    assert len(copies) == 1
    with EvaluationFile.open(copies[0]) as old:
        assert [b["id"] for b in old.document()["bids"]] == [b["id"] for b in example_doc["bids"]]


def test_a_file_left_mid_save_by_a_crash_opens_as_it_was_before(crashed, example_doc):
    with EvaluationFile.open(crashed) as ef:  # the crash's journal is rolled back
        assert [b["supplier"] for b in ef.document()["bids"]] == [
            b["supplier"] for b in example_doc["bids"]]
    assert not Path(f"{crashed}-journal").exists()
