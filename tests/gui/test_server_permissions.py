"""The window shows each member only what their role lets them do on a server
evaluation (ui.permissions): the chair everything; an evaluator scores only as
themselves, with the methodology, consensus and Seal disabled and the prices said to
be hidden by the server; an observer changes nothing, and the lock bar says why.
Against a real PostgreSQL server, opened as each member's own login."""

from __future__ import annotations

import json
from pathlib import Path

import pg_server as pg
import pytest

from procure_desk import server as team

MEMBERS = {"p_chair": ("chair", None), "p_e1": ("evaluator", "E1"),
           "p_obs": ("observer", None)}


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    doc = json.loads((Path(__file__).parent.parent / "data" / "example.json").read_text())
    doc["evaluators"][0]["name"] = "Ann =cmd <b>& \u6771\u4eac"  # hostile text in the picker
    url = pg.board(pg_server, tmp_path_factory.mktemp("perms"), "perms", doc,
                   members=MEMBERS)
    team.set_switch(url, "blind", True, actor="administrator")
    return url


def open_as(window, board, login):
    from ui.server_watch import open_from_server

    assert open_from_server(window, pg.as_login(board, login))
    window.document.wait_for_check()
    window.document.lockChanged.emit()
    return window.document


def editable(window, key):
    view = window.show_view(key)
    view.ensure_fresh()
    return view.editable


def test_the_chair_may_do_everything(qtbot, window, board):
    doc = open_as(window, board, "p_chair")
    assert doc.refusal() is None
    assert all(editable(window, k) for k in ("overview", "criteria", "bids", "evaluators",
                                               "scoring", "moderation"))
    assert window.show_view("scoring").evaluator_box.isEnabled()
    assert window.seal_action.isEnabled()
    assert not window.lock_bar.isVisibleTo(window)
    assert all(a.isEnabled() for a in window.workbook_actions[:2])  # imports
    assert all(a.isEnabled() for a in window.export_actions)  # the chair exports


def test_the_chair_exports_the_report_from_the_window(qtbot, window, board, tmp_path,
                                                      monkeypatch):
    import shutil
    import subprocess

    from ui import actions_exports, ask

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    doc = open_as(window, board, "p_chair")
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(ask, "confirm", lambda *a, **k: False)  # not the folder
    before = len(doc.file.audit())
    job = actions_exports.export(window, "pdf")
    qtbot.waitUntil(lambda: job.settled, timeout=60000)
    assert target.exists()
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    reference = doc.doc()["evaluation"]["reference"]
    assert reference in text
    events = doc.file.audit()
    assert len(events) == before + 1  # recorded in the server's audit log
    assert events[0].action.startswith("export")


def test_an_evaluator_scores_only_as_themselves(qtbot, window, board):
    doc = open_as(window, board, "p_e1")
    assert doc.refusal() is None  # they may edit: their own scores
    scoring = window.show_view("scoring")
    scoring.ensure_fresh()
    assert scoring.editable
    box = scoring.evaluator_box
    assert not box.isEnabled()
    assert box.currentData() == "E1"
    for key in ("overview", "criteria", "bids", "evaluators", "moderation"):
        assert not editable(window, key), key
    assert not window.seal_action.isEnabled()
    bar = window.lock_bar
    assert bar.isVisibleTo(window)
    assert "You score as E1" in bar.text()
    assert "prices and cost lines are hidden by the server" in bar.text()
    # what the picker shows is what they score as: a score they type is theirs
    doc.set_score("E1", "B1", "Q2", 3, "typed as E1")
    assert {r["evaluator"] for r in doc.doc()["scores"]} == {"E1"}


def test_an_observer_changes_nothing_and_the_bar_says_why(qtbot, window, board):
    doc = open_as(window, board, "p_obs")
    reason = doc.refusal()
    assert reason is not None
    assert "observer" in reason
    for key in ("overview", "criteria", "bids", "evaluators", "scoring", "moderation"):
        assert not editable(window, key), key
    assert not window.seal_action.isEnabled()
    assert not any(a.isEnabled() for a in window.workbook_actions[:2])  # no import
    assert not any(a.isEnabled() for a in window.export_actions)  # the chair's
    assert window.lock_bar.isVisibleTo(window)
    assert "observer" in window.lock_bar.text()
    assert "not change it" in window.lock_bar.text()
    from procure_desk.errors import BadInput

    with pytest.raises(BadInput, match="observer"):
        doc.set_score("E1", "B1", "Q2", 2)
