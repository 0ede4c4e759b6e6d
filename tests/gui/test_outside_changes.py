"""The app notices changes saved by another window or computer and never undoes them."""

import pytest

from procure_desk.services import ChangedElsewhere, EvaluationFile


def test_the_document_catches_up_with_a_change_made_elsewhere(document, qtbot):
    document.set_score("E1", "B1", "Q1", 2)
    assert document.undo_stack.count() == 1
    with EvaluationFile.open(document.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Renamed elsewhere"})
    notices = []
    document.notice.connect(notices.append)
    with qtbot.waitSignal(document.changed) as changed:
        assert document.check_outside_changes()
    assert changed.args == ["all"]
    assert document.doc()["bids"][0]["supplier"] == "Renamed elsewhere"
    assert notices
    qtbot.waitUntil(lambda: document.undo_stack.count() == 0)


def test_an_edit_on_a_stale_document_is_refused_and_not_undoable(document, qtbot):
    document.doc()
    with EvaluationFile.open(document.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Renamed elsewhere"})
    with pytest.raises(ChangedElsewhere):
        document.update_bid("B1", {"notes": "mine"})
    assert document.undo_stack.count() == 0
    assert document.doc()["bids"][0]["supplier"] == "Renamed elsewhere"
    assert document.doc()["bids"][0]["notes"] == ""


def test_undo_after_a_change_elsewhere_does_not_overwrite_it(document, qtbot):
    document.update_bid("B1", {"supplier": "Mine"})
    with EvaluationFile.open(document.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Theirs"})
    failures = []
    document.failed.connect(lambda title, exc: failures.append(title))
    document.undo_stack.undo()
    assert failures
    with EvaluationFile.open(document.path) as check:
        assert check.document()["bids"][0]["supplier"] == "Theirs"
    qtbot.waitUntil(lambda: document.undo_stack.count() == 0)


def test_the_window_says_when_it_caught_up_with_outside_changes(open_window, qtbot):
    doc = open_window.document
    doc.doc()
    with EvaluationFile.open(doc.path) as other:
        other.update_bid("colleague", "B1", {"supplier": "Renamed elsewhere"})
    assert doc.check_outside_changes()
    assert "changed in another window" in open_window.statusBar().currentMessage()


def test_opening_a_busy_file_says_it_is_busy(window, example_path, no_dialogs):
    import sqlite3

    holder = sqlite3.connect(example_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert not window.open_file(example_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    [(title, text)] = no_dialogs
    assert title == "Cannot open"
    assert "is busy" in text
    assert window.open_file(example_path)
