"""Find (Ctrl+F): bids, criteria, comments and the audit log in one search; a hit is
gone to in its view."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.find import search

HOSTILE = "<b>Kest</b> & =cmd عربي 株式会社"


def _kinds(hits):
    return [h.kind for h in hits]


def test_one_search_finds_bids_criteria_comments_and_the_audit_log(open_window):
    doc = open_window.document
    doc.set_score("E1", "B1", "Q2", 2, "Exit plan only outlined")
    hits = search(doc, "exit")
    kinds = _kinds(hits)
    assert "Criterion" in kinds  # Q2 "Exit" (tests/data/example.json)
    assert "Comment" in kinds
    assert "Audit log" in kinds  # the score's event holds the comment
    comment = next(h for h in hits if h.kind == "Comment")
    assert comment.view == "moderation"
    assert comment.target == ("B1", "Q2")
    assert comment.text == "Exit plan only outlined"
    assert search(doc, "  ") == []
    assert search(doc, "no such words anywhere") == []


def test_hostile_text_is_found_as_typed(open_window):
    doc = open_window.document
    doc.update_bid("B2", {"supplier": HOSTILE})
    hits = [h for h in search(doc, "=CMD") if h.kind == "Bid"]  # case does not matter
    assert [h.target for h in hits] == [("B2",)]
    assert hits[0].text == HOSTILE
    assert [h.target for h in search(doc, "株式") if h.kind == "Bid"] == [("B2",)]


def test_ctrl_f_opens_find_and_enter_goes_to_the_hit(open_window, qtbot):
    w = open_window
    assert w.find_action.shortcut().toString() == "Ctrl+F"
    w.find_action.trigger()
    dialog = w._find_dialog
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.box, "Small Co")
    qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert dialog.model.rows
    assert dialog.model.rows[0].kind == "Bid"
    assert w.current_view_key() == "bids"
    assert w.views["bids"].current_bid() == "B2"


def test_going_to_a_criterion_and_an_audit_event(open_window, qtbot):
    w = open_window
    doc = w.document
    doc.update_evaluation({"reference": "REF-FIND-ME"})
    dialog = w.find_action.trigger() or w._find_dialog
    dialog.box.setText("Q2")
    dialog.run()
    crit = next(i for i, h in enumerate(dialog.model.rows) if h.kind == "Criterion")
    dialog.table.selectRow(crit)
    dialog.go()
    assert w.current_view_key() == "criteria"
    assert w.views["criteria"].current_id() == "Q2"
    # an audit event, found even though the log's own search shows something else
    audit = w.show_view("audit")
    audit.search.setText("nothing matches this")
    audit.refresh()
    dialog.box.setText("REF-FIND-ME")
    dialog.run()
    assert [h.kind for h in dialog.model.rows] == ["Audit log"]
    dialog.go()
    assert w.current_view_key() == "audit"
    row = audit.table.currentIndex().row()
    assert audit.model.rows[row].id == int(dialog.model.rows[0].target[0])
    assert audit.search.text() == ""


def test_a_comment_on_a_pair_not_flagged_is_still_reached(open_window, qtbot):
    w = open_window
    doc = w.document
    moderation = w.show_view("moderation")
    moderation.flagged_box.setChecked(True)
    doc.set_score("E1", "B2", "Q1", 4, "Clear roadmap")
    hit = next(h for h in search(doc, "roadmap") if h.kind == "Comment")
    w.go_to(hit)
    assert w.current_view_key() == "moderation"
    assert moderation.current_key() == ("B2", "Q1")


def test_find_closes_with_the_file(open_window):
    w = open_window
    dialog = w.find_action.trigger() or w._find_dialog
    assert dialog.isVisible()
    w.close_file()
    assert not dialog.isVisible()
    assert not w.find_action.isEnabled()
