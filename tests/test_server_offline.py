"""A board member offline, the chair's switches and the server's own format: scoring
sheets against a server evaluation, sign-off under blind scoring, migrations."""

from __future__ import annotations

import json
from pathlib import Path

import pg_server as pg
import pytest
from openpyxl import load_workbook

from procure_desk import server as team
from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile
from procure_desk.store import server as store_server

MEMBERS = {"o_chair": ("chair", None), "o_e1": ("evaluator", "E1"),
           "o_e2": ("evaluator", "E2"), "o_obs": ("observer", None)}


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    doc = json.loads((Path(__file__).parent / "data" / "example.json").read_text())
    for e in doc["evaluators"]:
        e["declaration"] = {"date": "2025-01-06", "interests": ""}
    return pg.board(pg_server, tmp_path_factory.mktemp("offline"), "offline", doc,
                    members=MEMBERS)


def test_scoring_sheets_go_out_from_the_server_and_come_back_to_it(board, tmp_path, capsys):
    chair, eva = pg.as_login(board, "o_chair"), pg.as_login(board, "o_e1")
    folder = tmp_path / "sheets"
    assert main(["scoring-sheets", chair, str(folder)]) == 0, capsys.readouterr().err
    sheets = sorted(folder.glob("*.xlsx"))
    assert len(sheets) == 2
    mine = next(p for p in sheets if "E1" in p.name)
    wb = load_workbook(mine)
    ws = wb["Scores"]
    for r in range(5, ws.max_row + 1):
        if (ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value) == ("B2", "Q1"):
            ws.cell(row=r, column=5, value=2)
            ws.cell(row=r, column=6, value="\u6771\u4eac: written offline <b>&")
    wb.save(mine)
    capsys.readouterr()
    # the evaluator brings their own sheet back to the server, as their own login
    assert main(["import-scores", eva, str(mine), "--yes"]) == 0, capsys.readouterr().err
    with EvaluationFile.open(chair) as ef:
        got = {(s["evaluator"], s["bid"], s["criterion"]): s for s in ef.document()["scores"]}
        assert got[("E1", "B2", "Q1")]["score"] == 2
        assert got[("E1", "B2", "Q1")]["comment"].endswith("written offline <b>&")
        assert ef.verify().intact
    # another evaluator's sheet through this evaluator's login: the server refuses
    theirs = next(p for p in sheets if "E2" in p.name)
    wb = load_workbook(theirs)
    ws = wb["Scores"]
    ws.cell(row=5, column=5, value=1)
    wb.save(theirs)
    capsys.readouterr()
    assert main(["import-scores", eva, str(theirs), "--yes", "--overwrite-newer"]) == 2
    assert "your role" in capsys.readouterr().err


def test_a_sign_off_read_back_whole_counts_only_the_evaluators_own_scores(board):
    """Moderation open: the evaluator reads everyone's scores, and another member's new
    score arrives between their reading and their sign-off. The record's digest moves by
    their own change only, so the chain stays intact."""
    chair, eva, evb = (pg.as_login(board, x) for x in ("o_chair", "o_e1", "o_e2"))
    team.set_switch(chair, "moderation", True, actor="chair")
    try:
        with EvaluationFile.open(eva) as mine:
            assert {r["evaluator"] for r in mine.document()["scores"]} == {"E1", "E2"}
            with EvaluationFile.open(evb) as theirs:
                theirs.set_score("Bea", "E2", "B1", "Q2", 1, "arrived meanwhile")
            items = [{"evaluator": "E1", "bid": b, "criterion": c, "score": 3,
                      "comment": "signed"} for b in ("B1", "B2") for c in ("Q1", "Q2")]
            mine.set_scores("Ann", items, submit=["E1"])
            assert mine.document()["evaluators"][0]["submitted"]
    finally:
        team.set_switch(chair, "moderation", False, actor="chair")
    with EvaluationFile.open(chair) as ef:
        verdict = ef.verify()
        assert verdict.intact, verdict.problems
        got = {(r["evaluator"], r["bid"], r["criterion"]): r["comment"]
               for r in ef.document()["scores"]}
        assert got[("E2", "B1", "Q2")] == "arrived meanwhile"
        assert got[("E1", "B2", "Q2")] == "signed"


def test_under_blind_scoring_the_chair_records_a_sign_off(board):
    chair, eva = pg.as_login(board, "o_chair"), pg.as_login(board, "o_e2")
    with EvaluationFile.open(eva) as ef:  # every score they owe, before blind scoring
        ef.set_score("Bea", "E2", "B1", "Q2", 3, "done")
        assert ef.document()["scores"]
    team.set_switch(chair, "blind", True, actor="chair")
    try:
        with EvaluationFile.open(eva) as ef:
            assert all(b["costs"] == [] for b in ef.document()["bids"])  # no prices
            with pytest.raises(BadInput, match="chair records"):
                ef.submit("Bea", "E2")
            assert not ef.document()["evaluators"][1].get("submitted")
        with EvaluationFile.open(chair) as ef:
            ef.submit("chair", "E2")
            assert ef.document()["evaluators"][1]["submitted"]
            assert ef.verify().intact
    finally:
        team.set_switch(chair, "blind", False, actor="chair")
        with EvaluationFile.open(chair) as ef:
            ef.withdraw_submission("chair", "E2", "test over")
    with EvaluationFile.open(eva) as ef:  # prices visible again: they sign off themselves
        assert any(b["costs"] for b in ef.document()["bids"])
        ef.submit("Bea", "E2")
    with EvaluationFile.open(chair) as ef:
        assert ef.verify().intact


def test_a_server_evaluation_from_a_newer_version_is_refused_and_an_older_one_migrated(
        board, pg_server, monkeypatch):
    from procure_desk.store import SCHEMA_VERSION

    def set_format(n: int) -> None:
        pg_server.sql(f"UPDATE procuredesk.evaluation SET format = {n}", db="offline")

    set_format(SCHEMA_VERSION + 1)
    try:
        with pytest.raises(BadInput, match="newer ProcureDesk"):
            EvaluationFile.open(board)
    finally:
        set_format(SCHEMA_VERSION)
    ran = []
    monkeypatch.setitem(store_server.PG_MIGRATIONS, SCHEMA_VERSION - 1,
                        lambda conn: ran.append(conn.exec_driver_sql(
                            "SELECT count(*) FROM score").scalar()))
    set_format(SCHEMA_VERSION - 1)
    with EvaluationFile.open(board) as ef:
        assert ran
        assert ran[0] == len(ef.document()["scores"])
    with EvaluationFile.open(board):
        assert len(ran) == 1  # brought up to date once
