"""`import-json` in one pass: checked once, written by `store/bulk.py`, and the file it
makes is the file `EvaluationFile.create` makes through the ORM."""

from __future__ import annotations

import copy
import json
import sqlite3

from helpers import example

from benchmarks.generate import make_large_evaluation
from procure_desk import interchange
from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.services.transfer import import_file


def hostile_doc() -> dict:
    doc = make_large_evaluation(n_bids=6, n_criteria=9, n_evaluators=3, cost_lines=2, seed=4)
    doc["bids"][1]["supplier"] = "=cmd|' /c calc'!A0 <b>&amp; 東京"
    doc["scores"][2]["comment"] = "=HYPERLINK(\"x\") <i>& 中文"
    doc["consensus"].append({"bid": doc["bids"][0]["id"], "criterion": "Q01.01", "score": 3,
                             "rationale": "<b>Agreed</b> & =1+1"})
    doc["feedback"] = [{"bid": doc["bids"][0]["id"], "criterion": "Q01.01",
                        "text": "Ваш ответ & <ok>"}]
    return doc


def table_rows(path) -> dict[str, list]:
    """Every table's rows but the audit log (its times differ), in a fixed order."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}")))
                for n in names if n not in ("auditevent", "meta")}
    finally:
        con.close()


def test_the_one_pass_import_writes_what_the_orm_writes(tmp_path, write_json):
    for k, doc in enumerate([example(), hostile_doc()]):
        src = write_json(doc, name=f"in{k}.json")
        bulk = tmp_path / f"bulk{k}.pdesk"
        orm = tmp_path / f"orm{k}.pdesk"
        counts = import_file(src, bulk, actor="tester")
        EvaluationFile.create(orm, copy.deepcopy(doc), actor="tester").close()
        assert table_rows(bulk) == table_rows(orm)
        with EvaluationFile.open(bulk) as a, EvaluationFile.open(orm) as b:
            assert a.document() == b.document()
            assert a.verify().intact
            assert a.verify().events == 1
            assert a.data_digest().hex == b.data_digest().hex
        assert counts == {"bids": len(doc["bids"]), "criteria": len(doc["criteria"]),
                          "scores": len(doc["scores"])}


def test_the_import_round_trips_byte_for_byte(tmp_path, write_json):
    src = write_json(hostile_doc())
    assert main(["import-json", str(src), str(tmp_path / "a.pdesk")]) == 0
    assert main(["export-json", str(tmp_path / "a.pdesk"), str(tmp_path / "back.json")]) == 0
    again = tmp_path / "again.json"
    assert main(["import-json", str(tmp_path / "back.json"), str(tmp_path / "b.pdesk")]) == 0
    assert main(["export-json", str(tmp_path / "b.pdesk"), str(again)]) == 0
    assert again.read_bytes() == (tmp_path / "back.json").read_bytes()
    assert json.loads(again.read_text(encoding="utf-8"))["scores"][2]["comment"].startswith("=")


def test_a_consumed_document_checks_the_same_and_shares_its_ids():
    doc = hostile_doc()
    want = interchange.validate(copy.deepcopy(doc))
    got = interchange.validate(doc, consume=True)
    assert got == want
    evaluators = {e["id"]: e["id"] for e in got["evaluators"]}
    assert all(s["evaluator"] is evaluators[s["evaluator"]] for s in got["scores"])
    assert got["scores"][0] is doc["scores"][0]  # taken over, not copied


def test_a_bad_score_in_a_big_import_leaves_nothing_behind(tmp_path, write_json, capsys):
    doc = hostile_doc()
    doc["scores"][-1]["score"] = 7
    src = write_json(doc)
    out = tmp_path / "never.pdesk"
    assert main(["import-json", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert f"scores[{len(doc['scores']) - 1}].score" in err
    assert not out.exists()
    assert not list(tmp_path.glob("*.part*"))
