"""What the app takes each role to be allowed (procure_desk.server.roles), read from a
real server as each member's own login, and following the chair's switches."""

from __future__ import annotations

import json
from pathlib import Path

import pg_server as pg
import pytest

from procure_desk import server as team
from procure_desk.server import roles
from procure_desk.services import EvaluationFile

MEMBERS = {"q_chair": ("chair", None), "q_e2": ("evaluator", "E2"),
           "q_obs": ("observer", None)}


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    doc = json.loads((Path(__file__).parent / "data" / "example.json").read_text())
    return pg.board(pg_server, tmp_path_factory.mktemp("rl"), "roletable", doc,
                    members=MEMBERS)


def allowed(board, login):
    with EvaluationFile.open(pg.as_login(board, login)) as ef:
        p = roles.of(ef)
    return p, {a for a in roles.ACTIONS if p.may(a)}


def test_each_role_is_allowed_what_the_server_allows(board, tmp_path):
    team.set_switch(board, "blind", False, actor="administrator")
    assert allowed(board, "q_chair")[1] == set(roles.ACTIONS)
    p, may = allowed(board, "q_e2")
    assert may == {"edit", "score", "prices"}
    assert p.score_as == "E2"
    assert "chair's" in p.why_not("methodology")
    assert allowed(board, "q_obs")[1] == {"prices"}
    with EvaluationFile.open(board) as ef:  # the administrator, who owns the tables
        assert roles.of(ef) == roles.EVERYTHING
    with EvaluationFile.create(tmp_path / "f.pdesk", json.loads(
            (Path(__file__).parent / "data" / "example.json").read_text()),
            actor="t") as ef:
        assert roles.of(ef) == roles.EVERYTHING  # a file: its own rules only


def test_the_switches_change_what_an_evaluator_is_shown(board):
    team.set_switch(board, "blind", True, actor="administrator")
    team.set_switch(board, "moderation", False, actor="administrator")
    p, may = allowed(board, "q_e2")
    assert "prices" not in may
    assert "hidden by the server" in p.why_not("prices")
    assert "until the chair opens moderation" in p.banner()
    team.set_switch(board, "blind", False, actor="administrator")
    team.set_switch(board, "moderation", True, actor="administrator")
    p, may = allowed(board, "q_e2")
    assert "prices" in may
    assert "moderation" not in p.banner()
    assert "prices" not in p.banner()
    with pytest.raises(ValueError, match="unknown action"):
        p.may("launch")
