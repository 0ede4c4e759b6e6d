"""`results` and `analyse` on a server evaluation read it with psycopg alone
(store/raw_server.py): the same document, seal and results as the services give
the same login, row-level security and all, and the services' own refusals."""

from __future__ import annotations

import json

import pg_server as pg
import pytest
from test_server_team import team_doc

from procure_desk import readers
from procure_desk import server as team
from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile
from procure_desk.store import pg as store_pg
from procure_desk.store import raw_server

# logins are server-wide: this module's own, apart from tests/test_server_team.py's
MEMBERS = {"rr_chair": ("chair", None), "rr_obs": ("observer", None),
           "rr_e1": ("evaluator", "E1"), "rr_e2": ("evaluator", "E2")}


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    url = pg.board(pg_server, tmp_path_factory.mktemp("rawread"), "rawread", team_doc(),
                   members=MEMBERS)
    with EvaluationFile.open(pg.as_login(url, "rr_e1")) as ef:
        ef.set_score("E1", "E1", "B2", "Q2", 4, "own view =SUM(A1) <b>& \u6771\u4eac")
    team.set_switch(pg.as_login(url, "rr_chair"), "blind", True, actor="chair")
    return url


def _scores(doc: dict) -> list[tuple[str, str, str, float]]:
    return sorted((r["evaluator"], r["bid"], r["criterion"], float(r["score"]))
                  for r in doc["scores"])


def _columns(doc: dict) -> list[tuple[str, str, str, float]]:
    c = doc["scores"]
    return sorted((c.evaluator_ids[e], c.bid_ids[b], c.criterion_ids[k], float(v))
                  for e, b, k, v in zip(c.evaluator, c.bid, c.criterion, c.value))


@pytest.mark.parametrize("login", [pg.OWNER, "rr_chair", "rr_e1", "rr_obs"])
def test_the_raw_reader_reads_what_the_services_give_the_same_login(board, login):
    url = pg.as_login(board, login)
    got = raw_server.read_for_results(url)
    assert got is not None  # read here, not handed to the services
    doc, sealed = got
    mine = readers.read(url)
    with EvaluationFile.open(url) as ef:
        theirs = ef.document()
        assert {k: v for k, v in doc.items() if k != "scores"} == \
            {k: v for k, v in theirs.items() if k != "scores"}
        assert _columns(doc) == _scores(theirs)
        assert (json.loads(sealed) if sealed else None) == ef.sealed()
        assert mine.computed.to_json() == ef.results().to_json()
        assert mine.sealed == ef.sealed()
    if login == "rr_e1":  # row-level security: their own scores, no prices while blind
        assert {e for e, *_ in _columns(doc)} == {"E1"}
        assert all(b["costs"] == [] for b in doc["bids"])
        assert ("E1", "B2", "Q2", 4.0) in _columns(doc)
    else:
        assert len({e for e, *_ in _columns(doc)}) > 1
        assert any(b["costs"] for b in doc["bids"])
        assert any("\u6771\u4eac" in b["supplier"] for b in doc["bids"])


@pytest.mark.parametrize("login", ["rr_chair", "rr_e1"])
def test_results_json_is_what_the_services_compute(board, login, capsys):
    url = pg.as_login(board, login)
    assert main(["results", url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    with EvaluationFile.open(url) as ef:
        assert out == {**json.loads(json.dumps(ef.results().to_json())), "sealed": None}


def test_what_it_cannot_read_the_services_refuse_in_their_own_words(board, capsys):
    no_ref = board.split("&evaluation=")[0]
    for url, said in ((no_ref, "names no evaluation"),
                      (board.replace("BOARD-1", "NOPE"), "no such evaluation"),
                      (pg.as_login(board, "rr_nobody"), "login")):
        assert raw_server.read_for_results(url) is None
        with pytest.raises(BadInput, match=said) as raised:
            readers.read(url)
        with pytest.raises(BadInput) as direct:
            EvaluationFile.open(url)
        assert str(raised.value) == str(direct.value)
        assert main(["results", url, "--json"]) == 2
        err = capsys.readouterr().err
        assert said in err
        assert "Traceback" not in err


def test_a_login_that_is_not_a_member_is_refused(board, pg_server, capsys):
    pg_server.login("rr_stranger")  # a login on the server, but not on this evaluation
    url = pg.as_login(board, "rr_stranger")
    assert raw_server.read_for_results(url) is None
    assert main(["results", url, "--json"]) == 2
    err = capsys.readouterr().err
    assert "not a member of this evaluation" in err
    assert "Traceback" not in err


def test_a_newer_format_is_refused(pg_server, tmp_path, capsys):
    url = pg.board(pg_server, tmp_path, "rawnewer", team_doc(), members={})
    pg_server.sql("UPDATE procuredesk.evaluation SET format = format + 1", db="rawnewer")
    assert raw_server.read_for_results(url) is None
    assert main(["results", url, "--json"]) == 2
    err = capsys.readouterr().err
    assert "newer ProcureDesk" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("address", [
    "postgresql://u@/db?host=/tmp/x&evaluation=BOARD-1",
    "postgres://u:secret@example.org:5433/db?sslmode=verify-full&evaluation= R 1 &x=%20",
    "postgresql:///?service=board&evaluation=REF"])
def test_the_address_is_parsed_as_the_services_parse_it(address):
    got = raw_server.conninfo(address)
    parsed = store_pg.Address.parse(address)
    assert got == (parsed.conninfo, parsed.reference)
    assert raw_server.CATALOGUE == store_pg.CATALOGUE


def test_reading_a_server_evaluation_loads_no_orm(board):
    import subprocess
    import sys

    code = ("import sys; from procure_desk import readers; "
            f"r = readers.read({pg.as_login(board, 'rr_e1')!r}); "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'procure_desk.services') "
            "if m in sys.modules), len(r.computed.to_json()) > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[] True"


@pytest.mark.parametrize("login", ["rr_chair", "rr_e1"])
def test_analyse_json_is_what_the_services_reading_gives(board, login, capsys):
    from procure_desk import analysis

    url = pg.as_login(board, login)
    assert main(["analyse", url, "--json", "--draws", "200", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    with EvaluationFile.open(url) as ef:
        theirs = analysis.contract_json(analysis.analyse(ef, draws=200, seed=3))
    assert out == json.loads(json.dumps(theirs, ensure_ascii=False))


def test_damaged_rows_are_said_by_the_services(pg_server, tmp_path, capsys):
    url = pg.board(pg_server, tmp_path, "rawdamaged", team_doc(), members={})
    schema = store_pg.schema_name("BOARD-1")
    pg_server.sql(f'UPDATE "{schema}".evaluation SET descriptors = \'not json\'',
                  db="rawdamaged")
    assert raw_server.read_for_results(url) is None
    assert main(["results", url, "--json"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    with pytest.raises(BadInput) as direct:
        EvaluationFile.open(url).document()
    assert str(direct.value).strip() in err


def test_the_seal_is_read_as_the_services_read_it(pg_server, tmp_path, capsys):
    url = pg.board(pg_server, tmp_path, "rawsealed", team_doc(),
                   members={"rs_e1": ("evaluator", "E1")})
    seal = {"at": "2026-03-01T10:00:00Z", "by": "Chair <b>&", "head": "ab" * 32,
            "reason": "award \u6771\u4eac"}
    schema = store_pg.schema_name("BOARD-1")
    value = json.dumps(seal).replace("'", "''")
    pg_server.sql(f"INSERT INTO \"{schema}\".meta (key, value) VALUES ('sealed', '{value}')",
                  db="rawsealed")
    for address in (url, pg.as_login(url, "rs_e1")):
        got = raw_server.read_for_results(address)
        assert got is not None
        assert json.loads(got[1] or "null") == seal
        with EvaluationFile.open(address) as ef:
            assert ef.sealed() == seal
            expected = {**json.loads(json.dumps(ef.results().to_json())),
                        "sealed": {k: seal[k] for k in ("at", "by", "head")}}
        assert main(["results", address, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == expected
