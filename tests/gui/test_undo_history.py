"""Undo and redo never disagree with the file: a step the file refuses clears the history.

The file is held busy by a raw SQLite connection with the write lock (as another window
or computer saving would hold it), or changed by a second EvaluationFile on it.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest

from procure_desk.services import EvaluationFile
from procure_desk.store import schema


def score_in_file(path, eid, bid, cid):
    """The score as stored on disk now (a fresh reader, not the Document's cache)."""
    with EvaluationFile.open(path) as ef:
        return next((r["score"] for r in ef.document()["scores"]
                     if (r["evaluator"], r["bid"], r["criterion"]) == (eid, bid, cid)), None)


@pytest.fixture(autouse=True)
def _short_busy_wait(monkeypatch):
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 50)


def impatient(document):
    """The document's file gives up on a held lock after 50 ms instead of 3 s (the
    setting is read at each new connection)."""
    document.file.store.engine.dispose()


@contextmanager
def write_lock_held(path):
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def history_is_empty(stack):
    return stack.count() == 0 and not stack.canUndo() and not stack.canRedo()


def test_a_refused_undo_clears_the_history_and_says_why(document, qtbot):
    stack = document.undo_stack
    document.set_score("E1", "B1", "Q2", 1)
    document.set_score("E1", "B1", "Q1", 5)
    impatient(document)
    failures, notices, changes = [], [], []
    document.failed.connect(lambda title, text: failures.append((title, text)))
    document.notice.connect(notices.append)
    document.changed.connect(changes.append)
    with write_lock_held(document.path):
        stack.undo()
    assert score_in_file(document.path, "E1", "B1", "Q1") == 5
    assert score_in_file(document.path, "E1", "B1", "Q2") == 1
    qtbot.waitUntil(lambda: history_is_empty(stack))
    [(title, text)] = failures
    assert title == "Could not undo 'Score E1/B1/Q1'"
    assert text == ("Could not undo 'Score E1/B1/Q1': the file is busy (another window or "
                    "computer is saving to it). Undo history was cleared so that it cannot "
                    "disagree with the file.")
    assert notices == [text]
    assert changes == []  # nothing changed: the views keep showing what the file holds
    # the history starts again with the next edit
    document.set_score("E1", "B1", "Q1", 4)
    stack.undo()
    assert score_in_file(document.path, "E1", "B1", "Q1") == 5


def test_a_refused_redo_clears_the_history(document, qtbot):
    stack = document.undo_stack
    document.set_score("E1", "B1", "Q1", 5)
    stack.undo()
    assert stack.canRedo()
    impatient(document)
    failures = []
    document.failed.connect(lambda title, text: failures.append(title))
    with write_lock_held(document.path):
        stack.redo()
    assert failures == ["Could not redo 'Score E1/B1/Q1'"]
    assert score_in_file(document.path, "E1", "B1", "Q1") == 3
    qtbot.waitUntil(lambda: history_is_empty(stack))


def test_redo_after_a_change_elsewhere_does_not_overwrite_it(document, qtbot):
    stack = document.undo_stack
    document.update_bid("B1", {"supplier": "Mine"})
    stack.undo()
    with EvaluationFile.open(document.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Theirs"})
    failures = []
    document.failed.connect(lambda title, text: failures.append(text))
    with qtbot.waitSignal(document.changed) as changed:
        stack.redo()
    assert changed.args == ["all"]  # the views show the colleague's change
    assert "changed in another window or on another computer" in failures[0]
    assert document.doc()["bids"][0]["supplier"] == "Theirs"
    with EvaluationFile.open(document.path) as check:
        assert check.document()["bids"][0]["supplier"] == "Theirs"
    qtbot.waitUntil(lambda: history_is_empty(stack))


def test_a_macro_stops_at_its_first_refused_step(document, qtbot):
    with document.macro("Two scores"):
        document.set_score("E1", "B1", "Q1", 5)
        document.set_score("E1", "B1", "Q2", 1)
    with EvaluationFile.open(document.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Theirs"})
    document.undo_stack.undo()
    # The first step undone (Q2) is refused; Q1's undo must not then run on top of the
    # colleague's change, or half the macro would be undone.
    assert score_in_file(document.path, "E1", "B1", "Q1") == 5
    assert score_in_file(document.path, "E1", "B1", "Q2") == 1
    qtbot.waitUntil(lambda: history_is_empty(document.undo_stack))


def test_undo_and_redo_emit_the_change_from_the_document(document, qtbot):
    document.set_gateway("B2", "G1", False, "Certificate expired")
    with qtbot.waitSignal(document.changed) as changed:
        document.undo_stack.undo()
    assert changed.args == ["gateways"]
    with qtbot.waitSignal(document.changed) as changed:
        document.undo_stack.redo()
    assert changed.args == ["gateways"]


def test_undoing_a_conflict_is_one_transaction(document):
    document.set_conflict("E1", "B1", True, "2026-01-05")
    events = len(document.audit())
    revision = document.file.file_revision()
    document.undo_stack.undo()
    [entry] = document.audit()[:len(document.audit()) - events]
    assert entry.action == "conflict.withdraw"
    assert {r["criterion"]: r["score"] for r in entry.after["scores"]} == {"Q1": 3, "Q2": 3}
    assert document.file.file_revision() == revision + 1
    assert score_in_file(document.path, "E1", "B1", "Q1") == 3


def test_the_window_tells_the_user_when_undo_was_refused(open_window, qtbot, no_dialogs):
    doc = open_window.document
    doc.set_score("E1", "B1", "Q1", 5)
    impatient(doc)
    with write_lock_held(doc.path):
        open_window.undo_action.trigger()
    [(title, text)] = no_dialogs
    assert title == "Could not undo 'Score E1/B1/Q1'"
    assert "the file is busy" in text
    assert "Undo history was cleared" in open_window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not open_window.undo_action.isEnabled())
    assert not open_window.redo_action.isEnabled()
    assert score_in_file(doc.path, "E1", "B1", "Q1") == 5
