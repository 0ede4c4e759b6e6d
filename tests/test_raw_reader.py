"""The read-only door (`store/raw.py`, `readers.py`): the same document and the same
results as the services give, on every kind of file, without loading the ORM."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys

import pytest
from helpers import example

from benchmarks.generate import make_large_evaluation
from procure_desk import readers
from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.store import files, raw, schema


def hostile(doc: dict) -> dict:
    doc["bids"][0]["supplier"] = "=cmd|'/c calc'!A1 <b>&amp; 東京 Ltd"
    doc["bids"][0]["notes"] = "Ölçü &lt; 100 = OK; 中文"
    doc["scores"][0]["comment"] = "<script>alert(1)</script> =SUM(A1) 日本語"
    doc["criteria"][1]["name"] = "Data & <export>"
    return doc


def made(tmp_path, name: str, doc: dict) -> object:
    path = tmp_path / f"{name}.pdesk"
    EvaluationFile.create(path, doc, actor="tester").close()
    return path


def older_format(tmp_path, doc: dict):
    """The example saved as format 1 (before the newer columns): migrated when opened."""
    from procure_desk.store.migrations import NEW_COLUMNS

    path = made(tmp_path, "old", doc)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE bid SET supplier = 'Acme\u202eLtd' WHERE position = 0")
        con.execute("PRAGMA user_version = 1")
    for table, column, _ in NEW_COLUMNS:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.close()
    return path


def files_to_read(tmp_path):
    small = make_large_evaluation(n_bids=7, n_criteria=12, n_evaluators=4, cost_lines=3, seed=3)
    hostile_doc = hostile(make_large_evaluation(n_bids=4, n_criteria=5, n_evaluators=3,
                                                cost_lines=2, seed=9))
    return {"example": made(tmp_path, "example", example()),
            "generated": made(tmp_path, "generated", small),
            "hostile": made(tmp_path, "hostile", hostile_doc),
            "older format": older_format(tmp_path, example())}


def test_the_raw_reader_gives_the_services_document_and_results(tmp_path):
    for name, path in files_to_read(tmp_path).items():
        got = raw.read_document(path)  # an older file is migrated here first
        with EvaluationFile.open(path) as ef:
            want_doc = ef.document()
            want = ef.results().to_json()
            sealed = ef.sealed()
        assert got == want_doc, name
        read = readers.read(path)
        assert read.results().to_json() == want, name
        assert read.sealed == sealed, name
        assert len(read.doc["scores"]) == len(want_doc["scores"]), name


def test_the_command_line_results_are_those_of_the_services(tmp_path, capsys):
    path = files_to_read(tmp_path)["hostile"]
    assert main(["results", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    with EvaluationFile.open(path) as ef:
        want = ef.results().to_json()
    assert printed == {**want, "sealed": None}


def test_the_reader_knows_the_store_s_own_settings():
    assert raw.APPLICATION_ID == schema.APPLICATION_ID
    assert raw.READS_VERSION == schema.SCHEMA_VERSION
    assert files.BUSY_TIMEOUT_MS == schema.BUSY_TIMEOUT_MS


def test_a_damaged_file_is_refused_by_the_reader_in_one_sentence(tmp_path, capsys):
    path = made(tmp_path, "cut", example())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert main(["results", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(path) in err[0]
    assert "Traceback" not in err[0]
    assert path.read_bytes() == data[: len(data) // 2]


LOADED = """
import contextlib, io, json, sys
from procure_desk.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("command", [["results", "--json"], ["results"],
                                     ["analyse", "--json", "--draws", "100"]])
def test_read_only_commands_do_not_load_the_orm(tmp_path, command):
    path = made(tmp_path, "plain", example())
    run = subprocess.run([sys.executable, "-c", LOADED, command[0], str(path), *command[1:]],
                         capture_output=True, text=True, check=True)
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["code"] == 0
    loaded = {m.split(".")[0] for m in got["modules"]}
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "pandas", "openpyxl",
                         "reportlab", "PySide6"}
    assert "procure_desk.store.raw" in got["modules"]


def test_the_export_reading_gives_the_services_verdict_document_and_results(tmp_path):
    from procure_desk.exports import Source

    for name, path in files_to_read(tmp_path).items():
        with EvaluationFile.open(path) as ef:
            verdict = ef.verify()
            want_doc = ef.document()
            want = ef.results().to_json()
            audit = ef.audit_log()
            dates = ef.conflict_dates()
        got = readers.read_verified(path)
        assert got.verdict == verdict, name
        assert readers.verify(path) == verdict, name  # a chunk of records at a time
        src = Source.load(path)
        assert (src.head, src.events) == (verdict.head, verdict.events), name
        scores = src.doc["scores"]
        assert list(scores) == want_doc["scores"], name  # records in file order
        assert [scores[k] for k in range(len(scores))] == want_doc["scores"], name
        assert {**src.doc, "scores": want_doc["scores"]} == want_doc, name
        assert src.results.to_json() == want, name
        assert src.audit == audit, name
        assert src.conflict_dates == dates, name
        for b in want_doc["bids"]:
            assert src.scores_of(b["id"]) == [s for s in want_doc["scores"]
                                              if s["bid"] == b["id"]], name


@pytest.mark.parametrize("change", [
    "UPDATE score SET score = score + 1 WHERE position = 0",
    "UPDATE score SET comment = 'changed' WHERE position = 1",
    "DELETE FROM score WHERE position = 2",
    "UPDATE bid SET supplier = 'Someone Else' WHERE position = 0",
    "UPDATE auditevent SET actor = 'mallory' WHERE id = 1",
])
def test_an_altered_file_is_refused_by_the_export_reading_as_by_the_services(tmp_path, change):
    from procure_desk.errors import BadInput
    from procure_desk.exports import Source

    path = made(tmp_path, "altered", example())
    con = sqlite3.connect(path)
    with con:
        con.execute(change)
    con.close()
    with EvaluationFile.open(path) as ef:
        want = ef.verify()
    got = readers.read_verified(path)
    assert not want.intact
    assert got.verdict == want
    assert readers.verify(path) == want
    with pytest.raises(BadInput, match="is not intact, so nothing was exported"):
        Source.load(path)


def test_the_chain_check_sums_the_scores_a_chunk_at_a_time(tmp_path, monkeypatch):
    path = files_to_read(tmp_path)["generated"]
    with EvaluationFile.open(path) as ef:
        want = ef.verify()
        n = len(ef.document()["scores"])
    monkeypatch.setattr(raw, "_CHUNK", 7)  # many chunks, the last one short
    assert n > 7 * 3
    assert n % 7
    assert readers.verify(path) == want
    assert want.intact
    con = sqlite3.connect(path)
    with con:  # a score in a later chunk changed: the sum over the chunks sees it
        con.execute("UPDATE score SET score = 0 WHERE position = ?", (n - 2,))
    con.close()
    with EvaluationFile.open(path) as ef:
        changed = ef.verify()
    assert not changed.intact
    assert readers.verify(path) == changed


def test_the_export_reading_lists_the_scores_in_file_order_whatever_the_stored_order(tmp_path):
    from procure_desk.exports import Source

    path = files_to_read(tmp_path)["generated"]
    con = sqlite3.connect(path)
    n = con.execute("SELECT count(*) FROM score").fetchone()[0]
    step = next(k for k in range(7, n) if math.gcd(k, n) == 1)
    with con:  # the file order no longer follows the order the rows are stored in
        con.execute("UPDATE score SET position = -1 - position")
        con.execute("UPDATE score SET position = ((-1 - position) * ?) % ?", (step, n))
    con.close()
    with EvaluationFile.open(path) as ef:
        want = ef.document()["scores"]
        assert ef.verify().intact  # the order is not part of the data's digest
    stored = sqlite3.connect(path).execute("SELECT position FROM score ORDER BY rowid").fetchall()
    assert [p for (p,) in stored] != sorted(p for (p,) in stored)
    assert list(Source.load(path).doc["scores"]) == want
