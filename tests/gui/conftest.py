"""UI fixtures: a Document on a temp copy of the worked example, a MainWindow, and
settings in test mode so no real user's preferences are read or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QStandardPaths

from procure_desk.services import EvaluationFile


def pytest_collection_modifyitems(items):
    # The offscreen platform says this when a window is shown; it is not a problem.
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def _test_mode_settings(qapp):
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("ProcureDeskTest")
    QCoreApplication.setApplicationName("ProcureDeskTest")
    return


def saved_before_the_chain(path):
    """Make a file look saved by a version before the audit chain (its events carry no
    hashes), as a file changed with `older_files.store_unchecked` would have been:
    opening it starts the chain, and the file is intact."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("UPDATE auditevent SET prev_hash = NULL, data_digest = NULL, "
                        "hash = NULL")
    finally:
        con.close()


def make_final(ef, actor="tester"):
    """Everything a final decision needs: every evaluator's declaration (a nil return),
    a consensus score on every divergent score, every gateway result, every evaluator
    submitted. Returns the preferred bidder."""
    import datetime as dt

    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for e in ef.document()["evaluators"]:
        if not e.get("declaration"):
            ef.set_declaration(actor, e["id"], day, "")
    for flag in ef.results().flags():
        ef.set_consensus(actor, flag["bid"], flag["criterion"], 3, "agreed by the panel")
    snap = ef.results().snap
    have = {(g["bid"], g["criterion"]) for g in ef.document()["gateways"]}
    for bid in snap.bid_ids:
        for gate in snap.gate_ids:
            if (bid, gate) not in have:
                ef.set_gateway(actor, bid, gate, True, "seen")
    missing = [r["detail"] for r in ef.results().outstanding() if r["check"] == "scores_missing"]
    assert not missing, missing
    for e in ef.document()["evaluators"]:
        if not e.get("submitted"):
            ef.submit(actor, e["id"])
    assert not ef.results().outstanding()
    return ef.results().winner


@pytest.fixture(autouse=True)
def _no_blocking_questions(monkeypatch):
    """A question no test answered fails the test instead of waiting for a user."""
    from ui import ask

    def unexpected(name):
        def asked(*args, **kwargs):
            raise AssertionError(f"ask.{name} was called and no test answered it: {args[1:]}")
        return asked

    for name in ("methodology_reason", "reason", "confirm", "text", "choose",
                 "new_evaluation", "your_name", "unsaved"):
        monkeypatch.setattr(ask, name, unexpected(name))


@pytest.fixture
def reasons(monkeypatch):
    """Answer every question about a change to the locked methodology with a reason;
    returns what was asked: (what, ranking before, ranking after)."""
    from ui import ask

    asked: list[tuple[str, list[str], list[str]]] = []

    def answer(parent, what, before, after):
        asked.append((what, before, after))
        return "clarification to all bidders"

    monkeypatch.setattr(ask, "methodology_reason", answer)
    return asked


@pytest.fixture
def settings(tmp_path):
    from ui.settings import Settings

    s = Settings(tmp_path / "settings.ini")
    s.user_name = "tester"
    return s


@pytest.fixture
def example_path(tmp_path, example_doc):
    """A .pdesk file holding the worked example (tests/data/example.json)."""
    path = tmp_path / "x.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    return path


@pytest.fixture
def document(example_path, qapp):
    from ui.document import Document

    doc = Document.open(example_path, "tester")
    yield doc
    doc.close()


@pytest.fixture
def window(qtbot, settings):
    from ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    yield w
    w.close_file()


@pytest.fixture
def open_window(window, example_path):
    """A MainWindow with the worked example open."""
    assert window.open_file(example_path)
    window.show()
    return window


@pytest.fixture
def no_dialogs(monkeypatch):
    """Fail loudly if a test would pop a real message box; record what was said."""
    from ui import ask

    said: list[tuple[str, str]] = []
    monkeypatch.setattr(ask, "show_problem",
                        lambda parent, title, exc: said.append(
                            (title, exc if isinstance(exc, str) else ask.problem_text(exc))))
    monkeypatch.setattr(ask, "info", lambda parent, title, text: said.append((title, text)))
    return said


@pytest.fixture
def show(open_window, qtbot):
    """Show a view of the active window, fresh: `show("scoring")` returns the view (a
    test module may define its own)."""
    from PySide6.QtWidgets import QApplication

    open_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is open_window)

    def show(key):
        view = open_window.show_view(key)
        view.ensure_fresh()
        return view
    return show
