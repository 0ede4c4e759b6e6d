"""The server enforces team mode's rules itself: each role connects with the database
driver directly (no ProcureDesk code in between) and tries what it may not do."""

from __future__ import annotations

import json
from pathlib import Path

import pg_server as pg
import pytest

psycopg = pytest.importorskip("psycopg")
from procure_desk import server as team  # noqa: E402
from procure_desk.store.pg import Address  # noqa: E402

MEMBERS = {"r_chair": ("chair", None), "r_eva": ("evaluator", "E1"),
           "r_evb": ("evaluator", "E2"), "r_obs": ("observer", None)}


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    doc = json.loads((Path(__file__).parent / "data" / "example.json").read_text())
    url = pg.board(pg_server, tmp_path_factory.mktemp("roles"), "roles", doc, members=MEMBERS)
    pg_server.login("r_stranger")
    team.set_switch(url, "blind", True, actor="chair")
    return url


def connect(server, login):
    con = psycopg.connect(server.conninfo("roles", login=login), autocommit=True)
    schema = Address.parse("postgresql:///roles?evaluation=BOARD-1").schema
    con.execute(f'SET search_path TO "{schema}"')
    return con


def refused(con, sql, params=()):
    """The server raises an error: permission denied or a row-level security violation."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(sql, params)


def changes_nothing(con, sql, params=()):
    """The server filters the rows out: the statement touches none."""
    assert con.execute(sql, params).rowcount == 0


def values(con, sql):
    return sorted(tuple(r) for r in con.execute(sql).fetchall())


def test_an_evaluator_reads_only_their_own_scores_and_no_prices(pg_server, board):
    eva, obs = connect(pg_server, "r_eva"), connect(pg_server, "r_obs")
    assert values(eva, "SELECT DISTINCT evaluator_id FROM score") == [("E1",)]
    assert values(obs, "SELECT DISTINCT evaluator_id FROM score") == [("E1",), ("E2",)]
    # blind scoring: no cost line, no consensus, nobody else's audit events
    assert values(eva, "SELECT amount FROM costline") == []
    assert values(obs, "SELECT count(*) FROM costline")[0][0] > 0
    assert values(eva, "SELECT * FROM consensus") == []
    assert values(eva, "SELECT * FROM auditevent") == []
    assert values(obs, "SELECT count(*) FROM auditevent")[0][0] >= 2


def test_an_evaluator_writes_only_their_own_scores(pg_server, board):
    eva, obs = connect(pg_server, "r_eva"), connect(pg_server, "r_obs")
    before = values(obs, "SELECT * FROM score")
    refused(eva, "INSERT INTO score VALUES ('E2', 'B2', 'Q2', 99, 5, 'forged')")
    changes_nothing(eva, "UPDATE score SET score = 0 WHERE evaluator_id = 'E2'")
    changes_nothing(eva, "DELETE FROM score WHERE evaluator_id = 'E2'")
    refused(eva, "UPDATE score SET evaluator_id = 'E2' WHERE evaluator_id = 'E1'")
    assert values(obs, "SELECT * FROM score") == before
    # their own score they may change
    assert eva.execute("UPDATE score SET comment = comment WHERE evaluator_id = 'E1'"
                       ).rowcount > 0


def test_an_evaluator_changes_no_methodology_no_consensus_and_no_switch(pg_server, board):
    eva = connect(pg_server, "r_eva")
    for sql in ("UPDATE criterion SET weight = 99",
                "DELETE FROM criterion WHERE id = 'Q2'",
                "UPDATE evaluation SET scale_max = 10",
                "UPDATE bid SET supplier = 'x'",
                "INSERT INTO costline (bid_id, position, item, category, amount, start_year, "
                "years) VALUES ('B1', 9, 'x', 'capital', 1, 0, 1)",
                "INSERT INTO consensus VALUES ('B2', 'Q1', 9, 3, 'forged')",
                "INSERT INTO gateway VALUES ('B2', 'G1', 9, true, '')",
                "UPDATE evaluator SET name = 'x' WHERE id = 'E1'",
                "INSERT INTO meta VALUES ('moderation', '1')",
                "UPDATE meta SET value = '0' WHERE key = 'blind'",
                "INSERT INTO meta VALUES ('sealed', '{}')",
                "UPDATE auditevent SET actor = 'x'",
                "DELETE FROM auditevent",
                "INSERT INTO member VALUES ('r_eva', 'chair', NULL)",
                "UPDATE member SET role = 'chair'"):
        refused(eva, sql)
    changes_nothing(eva, "UPDATE evaluator SET submitted_at = 'x' WHERE id = 'E2'")
    refused(eva, "INSERT INTO auditevent (at, actor, action, entity, entity_id, login) "
                 "VALUES ('x', 'x', 'x', 'x', 'x', 'r_evb')")


def test_an_observer_reads_only(pg_server, board):
    obs = connect(pg_server, "r_obs")
    for sql in ("UPDATE score SET score = 0", "DELETE FROM score",
                "INSERT INTO score VALUES ('E1', 'B2', 'Q2', 99, 5, '')",
                "UPDATE criterion SET weight = 1", "UPDATE meta SET value = '1'",
                "INSERT INTO auditevent (at, actor, action, entity, entity_id) "
                "VALUES ('x', 'x', 'x', 'x', 'x')",
                "UPDATE chainhead SET hash = 'x'", "UPDATE evaluator SET submitted_at = 'x'"):
        refused(obs, sql)


def test_nobody_rewrites_the_audit_log_and_only_the_chair_runs_the_evaluation(pg_server,
                                                                              board):
    chair = connect(pg_server, "r_chair")
    refused(chair, "UPDATE auditevent SET actor = 'x'")
    refused(chair, "DELETE FROM auditevent")
    refused(chair, "INSERT INTO score VALUES ('E2', 'B2', 'Q2', 99, 5, 'in their name')")
    refused(chair, "UPDATE member SET role = 'observer'")
    with chair.transaction():
        chair.execute("UPDATE criterion SET guidance = 'read the method statement' "
                      "WHERE id = 'Q1'")
        chair.execute("INSERT INTO consensus VALUES ('B2', 'Q1', 9, 3, 'agreed')")
        raise psycopg.Rollback  # allowed, and left as it was
    stranger = connect(pg_server, "r_stranger")
    schema = Address.parse("postgresql:///roles?evaluation=BOARD-1").schema
    refused(stranger, f'SELECT * FROM "{schema}".score')
    refused(stranger, f'SELECT * FROM "{schema}".costline')


def test_moderation_and_blind_scoring_are_the_chairs_switches(pg_server, board):
    eva = connect(pg_server, "r_eva")
    owner_url = board
    chair_url = pg.as_login(owner_url, "r_chair")
    with pytest.raises(Exception, match="only the chair"):
        team.set_switch(pg.as_login(owner_url, "r_eva"), "moderation", True, actor="eva")
    team.set_switch(chair_url, "moderation", True, actor="chair")
    team.set_switch(chair_url, "blind", False, actor="chair")
    try:
        assert values(eva, "SELECT DISTINCT evaluator_id FROM score") == [("E1",), ("E2",)]
        assert values(eva, "SELECT count(*) FROM costline")[0][0] > 0
        assert values(eva, "SELECT count(*) FROM consensus")[0][0] == 1
        # reading others' scores is not writing them
        changes_nothing(eva, "UPDATE score SET score = 0 WHERE evaluator_id = 'E2'")
    finally:
        team.set_switch(chair_url, "moderation", False, actor="chair")
        team.set_switch(chair_url, "blind", True, actor="chair")
    assert values(eva, "SELECT DISTINCT evaluator_id FROM score") == [("E1",)]
