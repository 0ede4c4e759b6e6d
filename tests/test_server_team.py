"""Team mode through ProcureDesk itself: the command line and the services on a server
evaluation, members scoring at once, and a snapshot that proves the same record."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pg_server as pg
import pytest

from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.services import ChangedElsewhere, EvaluationFile

EVALUATORS = ["E1", "E2", "E3", "E4", "E5", "E6"]
MEMBERS = {"t_chair": ("chair", None), "t_obs": ("observer", None),
           **{f"t_{e.lower()}": ("evaluator", e) for e in EVALUATORS}}


def team_doc() -> dict:
    doc = json.loads((Path(__file__).parent / "data" / "example.json").read_text())
    doc["evaluators"] += [{"id": e, "name": f"Member {e} <b>&", "role": "officer",
                           "conflicts": []} for e in EVALUATORS[2:]]
    doc["bids"][1]["supplier"] = "=cmd|' /C calc'!A0 \u6771\u4eac"
    return doc


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    return pg.board(pg_server, tmp_path_factory.mktemp("team"), "team", team_doc(),
                    members=MEMBERS)


def as_(board, login):
    return EvaluationFile.open(pg.as_login(board, login))


def test_an_evaluator_scores_through_the_services_and_sees_only_what_they_may(board):
    with as_(board, "t_e1") as ef:
        assert (ef.store.role, ef.store.evaluator) == ("evaluator", "E1")
        ef.set_score("Ann", "E1", "B2", "Q2", 4, "clear method =SUM(A1) <b>&")
        doc = ef.document()
        assert {r["evaluator"] for r in doc["scores"]} == {"E1"}
        assert ef.results() is not None  # their own view still computes
        from procure_desk.server import view_note

        assert "other evaluators' scores" in view_note(ef)
        assert "not the evaluation's" in view_note(ef)
        with pytest.raises(BadInput, match="only part of the record"):
            ef.verify()
        with pytest.raises(BadInput, match="your role"):
            ef.set_score("Ann", "E2", "B1", "Q2", 1)  # someone else's: the server refuses
        with pytest.raises(BadInput, match="your role"):
            ef.update_criterion("Ann", "Q1", {"name": "renamed"})
    with as_(board, "t_chair") as ef:
        assert ef.verify().intact
        mine = [r for r in ef.document()["scores"] if r["evaluator"] == "E1"
                and r["bid"] == "B2" and r["criterion"] == "Q2"]
        assert mine[0]["comment"] == "clear method =SUM(A1) <b>&"


def test_an_edit_built_on_stale_data_is_refused_and_others_are_not(board):
    one, two = as_(board, "t_e3"), as_(board, "t_e3")
    other = as_(board, "t_e4")
    try:
        one.document(), two.document(), other.document()
        one.set_score("E3", "E3", "B1", "Q1", 2)
        other.set_score("E4", "E4", "B1", "Q1", 3)  # another member: no conflict
        with pytest.raises(ChangedElsewhere, match="another member"):
            two.set_score("E3", "E3", "B1", "Q1", 5)  # built on what it saw before
        two.set_score("E3", "E3", "B1", "Q1", 5)  # having seen it, it may
        with as_(board, "t_chair") as chair:
            chair.update_criterion("chair", "Q1", {"guidance": "new guidance"})
        with pytest.raises(ChangedElsewhere):
            other.set_score("E4", "E4", "B1", "Q1", 1)  # the methodology moved on
    finally:
        one.close(), two.close(), other.close()


def test_members_scoring_at_once_lose_nothing_and_keep_one_chain(board):
    rounds = 12
    cells = [(b, c) for b in ("B1", "B2") for c in ("Q1", "Q2")]
    errors: list[BaseException] = []
    with as_(board, "t_chair") as chair:
        _, start = chair.head()

    def member(eid: str) -> None:
        try:
            with as_(board, f"t_{eid.lower()}") as ef:
                for n in range(rounds):
                    b, c = cells[n % len(cells)]
                    ef.set_score(eid, eid, b, c, (n + len(eid)) % 6, f"round {n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=member, args=(e,)) for e in EVALUATORS[2:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with as_(board, "t_chair") as chair:
        verdict = chair.verify()
        assert verdict.intact, verdict.problems
        assert verdict.events == start + rounds * len(threads)
        scores = {(r["evaluator"], r["bid"], r["criterion"]): r
                  for r in chair.document()["scores"]}
        for eid in EVALUATORS[2:]:
            for n in range(rounds - len(cells), rounds):
                b, c = cells[n % len(cells)]
                assert scores[(eid, b, c)]["comment"] == f"round {n}"
                assert scores[(eid, b, c)]["score"] == (n + len(eid)) % 6
        edits = [a for a in chair.audit(actor="E5") if a.action.startswith("score")]
        assert len(edits) == rounds


def test_fetch_writes_a_snapshot_with_the_same_record(board, tmp_path, capsys):
    chair_url = pg.as_login(board, "t_chair")
    with as_(board, "t_e2") as ef:
        ef.set_score("Bea", "E2", "B1", "Q2", 3, "from the server")
    out = tmp_path / "snapshot.pdesk"
    assert main(["server", "fetch", chair_url, str(out)]) == 0
    assert main(["verify", str(out)]) == 0
    with EvaluationFile.open(out) as snap, EvaluationFile.open(chair_url) as live:
        assert snap.document() == live.document()
        assert snap.results().to_json() == live.results().to_json()
        assert snap.head() == live.head()
    assert main(["export-json", str(out), str(tmp_path / "out.json")]) == 0
    exported = json.loads((tmp_path / "out.json").read_text())
    assert exported["bids"][1]["supplier"] == team_doc()["bids"][1]["supplier"]
    # an evaluator's partial view is no snapshot
    capsys.readouterr()
    assert main(["server", "fetch", pg.as_login(board, "t_e1"), str(tmp_path / "e.pdesk")]
                ) == 2
    assert "only part" in capsys.readouterr().err
    assert not (tmp_path / "e.pdesk").exists()


def test_the_command_line_takes_a_server_address_and_says_what_is_wrong(board, capsys,
                                                                       tmp_path):
    chair_url = pg.as_login(board, "t_chair")
    assert main(["results", chair_url, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    with EvaluationFile.open(chair_url) as ef:
        assert results == {**json.loads(json.dumps(ef.results().to_json())), "sealed": None}
        assert {b["id"] for b in ef.document()["bids"]} == {"B1", "B2"}
    assert main(["verify", chair_url]) == 0
    capsys.readouterr()
    assert main(["status", chair_url, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    with EvaluationFile.open(chair_url) as ef:
        assert (status["head"], status["events"]) == ef.head()
        assert status["intact"] is True
        assert {e["evaluator"] for e in status["submitted"]} == set(EVALUATORS)
    no_ref = board.split("&evaluation=")[0]
    for argv, said in (
            (["results", no_ref], "names no evaluation"),
            (["results", board.replace("BOARD-1", "NOPE")], "no such evaluation"),
            (["results", pg.as_login(board, "t_nobody")], "login"),
            (["server", "grant", board, "--login", "t_nobody", "--role", "chair"],
             "not a login"),
            (["server", "grant", board, "--login", "t_obs", "--role", "evaluator"],
             "needs --evaluator"),
            (["server", "init", board], "already set up"),
            (["server", "publish", str(tmp_path / "none.pdesk"), board], "no such file")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert said in err, (argv, err)
        assert "Traceback" not in err


def test_a_member_hears_another_members_change_within_two_seconds(board):
    import time

    from procure_desk.server.listen import watch

    heard: list[tuple[str, float]] = []
    with as_(board, "t_e6") as mine, as_(board, "t_e5") as theirs:
        mine.document()
        listener = watch(mine, lambda login: heard.append((login, time.monotonic())))
        try:
            started = time.monotonic()
            theirs.set_score("E5", "E5", "B2", "Q2", 2, "heard?")
            while not heard and time.monotonic() - started < 2:
                time.sleep(0.02)
        finally:
            listener.stop()
        assert heard
        assert heard[0][0] == "t_e5"
        assert heard[0][1] - started < 2
        assert mine.changed_elsewhere()  # so the window reads it again


def test_a_large_unit_of_work_is_chained_whole(pg_server, tmp_path):
    from benchmarks.generate import make_large_evaluation

    doc = make_large_evaluation(seed=3, n_bids=12, n_criteria=30, n_evaluators=2,
                                cost_lines=2)
    url = pg.board(pg_server, tmp_path, "bigunit", doc, members={})
    with EvaluationFile.open(url) as ef:
        _, before = ef.head()
        items = [dict(r, score=0, comment="batch") for r in ef.document()["scores"][:300]]
        assert len(items) == 300
        ef.set_scores("administrator", items)
        verdict = ef.verify()
        assert verdict.intact, verdict.problems
        assert verdict.events == before + 300
        assert sum(r["comment"] == "batch" for r in ef.document()["scores"]) == 300
