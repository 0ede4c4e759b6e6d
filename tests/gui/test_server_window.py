"""The window on a server evaluation: opened through the dialog's address, and showing
another member's change within 2 s, heard through LISTEN/NOTIFY (the window's own
2-second look at the file is stopped, so only the notification can bring it)."""

from __future__ import annotations

import json
from pathlib import Path

import pg_server as pg

from procure_desk.services import EvaluationFile

MEMBERS = {"w_chair": ("chair", None), "w_e1": ("evaluator", "E1")}


def test_the_window_shows_another_members_change_within_two_seconds(
        qtbot, window, pg_server, tmp_path):
    from ui.server_dialog import ServerDialog, server_address
    from ui.server_watch import install_server_actions, open_from_server

    doc = json.loads((Path(__file__).parent.parent / "data" / "example.json").read_text())
    url = pg.board(pg_server, tmp_path, "window", doc, members=MEMBERS)
    action = install_server_actions(window)
    assert action in window.file_menu.actions()
    dialog = ServerDialog(window, login="w_chair")
    qtbot.addWidget(dialog)
    dialog.database.setText("window")
    dialog.evaluation.setText("BOARD-1")
    assert "password" not in dialog.address()
    assert dialog.address() == server_address(host="", port=5432, database="window",
                                              login="w_chair", evaluation="BOARD-1")
    assert open_from_server(window, pg.as_login(url, "w_chair"))
    document = window.document
    document._watch.stop()  # no polling: only the server's notification may refresh it
    assert document.file.store.role == "chair"
    with EvaluationFile.open(pg.as_login(url, "w_e1")) as other, \
            qtbot.waitSignal(document.changed, timeout=2000):
        other.set_score("Ann", "E1", "B2", "Q2", 5, "from another office")
    scores = document.file.document()["scores"]
    assert any(r["comment"] == "from another office" for r in scores)
