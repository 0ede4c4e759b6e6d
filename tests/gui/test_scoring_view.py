"""The Scoring view: scores typed from the keyboard, refusals, conflicts, blind mode,
comments, all through the Document's undo stack.

The worked example (tests/data/example.json): E1 A. Patel and E2 B. Jones; E2 has a
conflict with B2; E1 scored B1/Q1 3, B1/Q2 3, B2/Q1 4, B2/Q2 2; E2 scored B1/Q1 5.
The scale is 0..5 in steps of 1.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def view(qtbot, document):
    from ui.views.scoring import ScoringView

    v = ScoringView(document)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    return v


@pytest.fixture
def on_behalf(monkeypatch):
    """Answer Yes when asked to enter scores on another evaluator's behalf; returns
    the questions asked."""
    from ui import ask

    asked = []
    monkeypatch.setattr(ask, "confirm", lambda p, title, text: asked.append((title, text)) or True)
    return asked


def score(document, eid, bid, cid):
    r = next((r for r in document.doc()["scores"]
              if (r["evaluator"], r["bid"], r["criterion"]) == (eid, bid, cid)), None)
    return None if r is None else (r["score"], r["comment"])


def current(view):
    return view.model.key(view.grid.currentIndex())


def test_typed_score_is_saved_moves_on_and_undoes(view, qtbot, qtmodeltester):
    doc = view.document
    qtmodeltester.check(view.model)
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    assert view.model.index(0, 0).data() == "3"
    qtbot.keyClick(view.grid, "4")
    assert score(doc, "E1", "B1", "Q1") == (4, "...")  # the comment is kept
    assert current(view) == ("B1", "Q2")  # moved to the next cell on the right
    assert view.model.index(0, 0).data() == "4"
    qtbot.keyClick(view.grid, "1")  # the last cell of the row: wraps to the next row
    assert score(doc, "E1", "B1", "Q2") == (1, "")
    assert current(view) == ("B2", "Q1")
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert score(doc, "E1", "B1", "Q1") == (3, "...")
    assert score(doc, "E1", "B1", "Q2") == (3, "")
    assert view.model.index(0, 0).data() == "3"
    doc.undo_stack.redo()
    assert score(doc, "E1", "B1", "Q1") == (4, "...")
    assert view.model.index(0, 0).data() == "4"
    qtmodeltester.check(view.model)


def test_score_off_the_scale_is_refused_with_the_reason(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    before = (doc.revision, doc.undo_stack.count())
    qtbot.keyClick(view.grid, "9")
    assert (doc.revision, doc.undo_stack.count()) == before
    assert score(doc, "E1", "B1", "Q1") == (3, "...")
    assert view.banner.isVisibleTo(view)
    assert "outside the scale 0..5" in view.banner.text()
    assert current(view) == ("B1", "Q1")  # the cursor stays on the refused cell
    qtbot.keyClick(view.grid, "5")  # a good score clears the notice
    assert not view.banner.isVisibleTo(view)


def test_off_step_score_refused_at_the_model(view, qtbot):
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    assert not view.model.setData(view.grid.currentIndex(), "2.5")
    assert "multiple of the scale step 1" in view.banner.text()
    assert score(view.document, "E1", "B1", "Q1") == (3, "...")


def test_delete_clears_and_undo_restores(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B2", "Q2")
    qtbot.keyClick(view.grid, Qt.Key.Key_Delete)
    assert score(doc, "E1", "B2", "Q2") is None
    assert view.model.index(1, 1).data() == ""
    assert "3 of 4 scores entered" in view.progress_label.text()
    assert view.progress_bar.value() == 3
    doc.undo_stack.undo()
    assert score(doc, "E1", "B2", "Q2") == (2, "")
    assert "4 of 4 scores entered" in view.progress_label.text()


def test_arrows_and_tab_move_without_changing_scores(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    rev = doc.revision
    qtbot.keyClick(view.grid, Qt.Key.Key_Tab)
    assert current(view) == ("B1", "Q2")
    qtbot.keyClick(view.grid, Qt.Key.Key_Down)
    assert current(view) == ("B2", "Q2")
    qtbot.keyClick(view.grid, Qt.Key.Key_Left)
    assert current(view) == ("B2", "Q1")
    assert doc.revision == rev


def test_conflicted_cells_are_disabled_with_the_reason(view, qtbot, qtmodeltester, on_behalf):
    doc = view.document
    view.set_evaluator("E2")
    qtmodeltester.check(view.model)
    cell = view.model.index(1, 0)  # B2 / Q1: E2 declared a conflict with B2
    assert not view.model.flags(cell) & Qt.ItemFlag.ItemIsEnabled
    assert not view.model.flags(cell) & Qt.ItemFlag.ItemIsEditable
    date = doc.conflict_dates()[("E2", "B2")]
    assert f"declared a conflict of interest on {date}" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert not view.model.setData(cell, "3")
    assert score(doc, "E2", "B2", "Q1") is None
    # E2 scores only B1: two cells expected, one entered
    assert "1 of 2 scores entered for B. Jones" in view.progress_label.text()
    # the keyboard cannot reach a conflicted cell: Down from B1 stays on B1
    view.select("B1", "Q1")
    qtbot.keyClick(view.grid, Qt.Key.Key_Down)
    assert current(view) == ("B1", "Q1")


def test_blind_mode_hides_other_evaluators_scores(view):
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    assert view.blind_box.isChecked()  # on by default
    tip = view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Others" not in tip
    assert "E2" not in tip
    assert "5" not in tip
    assert "Others" not in view.cell_info.text()
    view.blind_box.setChecked(False)
    tip = view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Others: mean 5 (E2 5)" in tip
    assert "Others: mean 5" in view.cell_info.text()
    view.blind_box.setChecked(True)
    assert "Others" not in view.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)


def test_defaults_to_the_evaluator_named_in_preferences(qtbot, document):
    from ui.views.scoring import ScoringView

    document.actor = "b. jones"
    v = ScoringView(document)
    qtbot.addWidget(v)
    assert v.evaluator_box.currentData() == "E2"


def test_comment_saved_on_ctrl_enter_and_undoable(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B1", "Q2")
    view.comment.setFocus()
    view.comment.selectAll()
    qtbot.keyClicks(view.comment, "Clear exit plan, p.12")
    qtbot.keyClick(view.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert score(doc, "E1", "B1", "Q2") == (3, "Clear exit plan, p.12")
    doc.undo_stack.undo()
    assert score(doc, "E1", "B1", "Q2") == (3, "")
    assert view.comment.toPlainText() == ""


def test_comment_saved_when_moving_to_another_cell(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B2", "Q1")
    view.comment.setPlainText("Good =SUM(A1) <b>evidence</b>")
    view.comment.document().setModified(True)
    view.select("B2", "Q2")
    assert score(doc, "E1", "B2", "Q1") == (4, "Good =SUM(A1) <b>evidence</b>")


def test_comment_without_a_score_is_kept_and_saved_with_the_score(view, qtbot, on_behalf):
    doc = view.document
    view.set_evaluator("E2")
    view.select("B1", "Q2")  # E2 has not scored B1/Q2
    rev = doc.revision
    view.comment.setFocus()
    qtbot.keyClicks(view.comment, "read the appendix =cmd")
    view.select("B1", "Q1")  # another cell: the comment has no score to go with yet
    assert doc.revision == rev  # nothing written
    assert view.comment.toPlainText() != "read the appendix =cmd"
    view.select("B1", "Q2")  # back: the draft is there, and the label says what it is
    assert view.comment.toPlainText() == "read the appendix =cmd"
    assert "draft" in view.comment_label.text()
    view.grid.setFocus()
    qtbot.keyClick(view.grid, "4")  # the score: saved with the comment, one step
    assert score(doc, "E2", "B1", "Q2") == (4, "read the appendix =cmd")
    doc.undo_stack.undo()
    assert score(doc, "E2", "B1", "Q2") is None


def test_a_refused_comment_stays_in_the_box_and_is_tried_again(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B1", "Q2")
    view.comment.setFocus()
    view.comment.insertPlainText("evidence \u202e reversed")  # as an input method puts it
    view.select("B2", "Q1")  # refused (a bidi override): the text is not thrown away
    assert score(doc, "E1", "B1", "Q2") == (3, "")
    assert "right-to-left" in view.banner.text()
    view.select("B1", "Q2")
    assert view.comment.toPlainText() == "evidence \u202e reversed"
    assert "not saved" in view.comment_label.text()
    view.comment.selectAll()
    view.comment.insertPlainText("evidence on page 4")
    view.select("B2", "Q1")
    assert score(doc, "E1", "B1", "Q2") == (3, "evidence on page 4")


def test_guidance_and_descriptors_of_the_current_criterion(view):
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    text = view.guidance.toPlainText()
    assert "..." in text  # Q1's guidance
    assert "Satisfactory" in text
    assert "Excellent" in text
    assert "minimum score 2" in view.cell_info.text()


def test_a_score_in_the_last_cell_stays_there(view, qtbot):
    doc = view.document
    view.set_evaluator("E1")
    view.select("B2", "Q2")  # the last cell of E1's grid (2 bids x 2 criteria)
    qtbot.keyClick(view.grid, "4")
    assert score(doc, "E1", "B2", "Q2") == (4, "")
    assert current(view) == ("B2", "Q2")  # no wrap round to the first cell
    assert "Last score entered" in view.progress_label.text()
    assert "4 of 4 scores entered" in view.progress_label.text()
    qtbot.keyClick(view.grid, "5")  # one more keystroke corrects that cell, nothing else
    assert score(doc, "E1", "B2", "Q2") == (5, "")
    assert score(doc, "E1", "B1", "Q1") == (3, "...")
    qtbot.keyClick(view.grid, Qt.Key.Key_Left)  # moving on drops the note
    assert "Last score entered" not in view.progress_label.text()


def test_the_last_scorable_cell_before_a_conflict_stays_there(view, qtbot, on_behalf):
    # E2 declared a conflict with B2, the last row: B1/Q2 is E2's last scorable cell
    doc = view.document
    view.set_evaluator("E2")
    view.select("B1", "Q2")
    qtbot.keyClick(view.grid, "2")
    assert score(doc, "E2", "B1", "Q2") == (2, "")
    assert current(view) == ("B1", "Q2")
    assert "Last score entered" in view.progress_label.text()
    qtbot.keyClick(view.grid, "1")
    assert score(doc, "E2", "B1", "Q1") == (5, "")  # E2's first score is untouched
    assert score(doc, "E2", "B1", "Q2") == (1, "")


def test_tab_out_of_a_typed_score_in_the_last_cell_stays_there(view, qtbot):
    # on a 0..10 scale a score takes two keys: the digit opens an editor, Tab saves it
    doc = view.document
    doc.update_evaluation({"scale": {**doc.doc()["evaluation"]["scale"], "max": 10}},
                          "a finer scale, agreed before moderation")
    view.set_evaluator("E1")
    view.select("B2", "Q2")
    qtbot.keyClick(view.grid, "1")
    editor = view.grid.focusWidget()
    assert editor is not view.grid
    qtbot.keyClick(editor, "0")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: score(doc, "E1", "B2", "Q2") == (10, ""))
    assert current(view) == ("B2", "Q2")
    assert view.grid.state() != view.grid.State.EditingState  # no editor on B1/Q1
    assert "Last score entered" in view.progress_label.text()
    assert score(doc, "E1", "B1", "Q1") == (3, "...")


# ---- whose scores, and signing them off -----------------------------------------------------
def test_entering_on_someone_elses_behalf_asks_and_is_recorded(view, monkeypatch):
    from ui import ask

    doc = view.document
    # "tester" is no evaluator: the view opens on the first, and says whose scores these are
    assert view.evaluator_box.currentData() == "E1"
    assert view.signoff.entering.text() == ("Entering scores as: A. Patel (E1), on their "
                                            "behalf (you are tester)")
    asked = []
    monkeypatch.setattr(ask, "confirm", lambda p, title, text: asked.append(text) or False)
    box = view.evaluator_box
    box.setCurrentIndex(box.findData("E2"))  # the user picks B. Jones, then says No
    box.activated.emit(box.currentIndex())
    assert "Enter scores as B. Jones (E2), on their behalf?" in asked[0]
    assert box.currentData() == "E1"
    assert view.model.evaluator["id"] == "E1"
    assert not [e for e in doc.audit() if e.action == "scoring.on_behalf"]
    monkeypatch.setattr(ask, "confirm", lambda p, title, text: asked.append(text) or True)
    assert view.set_evaluator("E2")
    assert view.signoff.entering.text().startswith("Entering scores as: B. Jones (E2)")
    recorded = [e for e in doc.audit() if e.action == "scoring.on_behalf"]
    assert [(e.actor, e.after) for e in recorded] == [("tester", {"evaluator": "E2"})]
    view.select("B1", "Q2")
    assert view.model.setData(view.grid.currentIndex(), "3")
    assert len(asked) == 2
    assert view.set_evaluator("E1")  # back to A. Patel: another evaluator, asked again
    assert len(asked) == 3


def test_entering_as_yourself_asks_nothing(qtbot, document):
    from ui.views.scoring import ScoringView

    document.actor = "B. Jones"
    v = ScoringView(document)
    qtbot.addWidget(v)
    assert v.evaluator_box.currentData() == "E2"
    assert v.signoff.entering.text() == "Entering scores as: B. Jones (E2)"
    assert v.signoff.submit_button.text() == "S&ubmit my scores…"
    v.select("B1", "Q2")
    assert v.model.setData(v.grid.currentIndex(), "4")  # no question (none is answered)
    assert not [e for e in document.audit() if e.action == "scoring.on_behalf"]


def test_submit_locks_the_scores_and_withdrawing_asks_why(view, qtbot, monkeypatch):
    from ui import ask

    doc = view.document
    asked = []
    monkeypatch.setattr(ask, "confirm", lambda p, title, text: asked.append(text) or True)
    view.set_evaluator("E1")  # the first shown: no question
    assert asked == []
    bar = view.signoff
    assert bar.submit_button.isVisibleTo(view)
    assert not bar.withdraw_button.isVisibleTo(view)
    assert bar.state.text() == "Every score is entered: submit them to sign them off."
    bar.submit_button.click()
    assert "They will be locked" in asked[0]
    e1 = next(e for e in doc.doc()["evaluators"] if e["id"] == "E1")
    assert e1["submitted"].endswith("Z")
    assert bar.withdraw_button.isVisibleTo(view)
    assert not bar.submit_button.isVisibleTo(view)
    assert bar.state.text().startswith("Submitted on ")
    assert "these scores are locked" in bar.state.text()
    assert "read-only" in view.hint.text()
    # locked: the grid is not editable, a typed digit is refused saying why
    view.select("B1", "Q1")
    assert not view.model.flags(view.grid.currentIndex()) & Qt.ItemFlag.ItemIsEditable
    assert view.comment.isReadOnly()
    qtbot.keyClick(view.grid, "1")
    assert score(doc, "E1", "B1", "Q1") == (3, "...")
    assert "A. Patel submitted their scores on" in view.banner.text()
    # withdrawing asks for a reason, which the audit log keeps
    monkeypatch.setattr(ask, "reason", lambda p, title, label: None)  # Cancel
    bar.withdraw_button.click()
    assert next(e for e in doc.doc()["evaluators"] if e["id"] == "E1").get("submitted")
    monkeypatch.setattr(ask, "reason", lambda p, title, label: "scored B1 from the old pack")
    bar.withdraw_button.click()
    assert not next(e for e in doc.doc()["evaluators"] if e["id"] == "E1").get("submitted")
    withdrawn = doc.audit(limit=1)[0]
    assert (withdrawn.action, withdrawn.after["reason"]) == ("scores.withdraw",
                                                             "scored B1 from the old pack")
    view.select("B1", "Q1")
    qtbot.keyClick(view.grid, "1")
    assert score(doc, "E1", "B1", "Q1") == (1, "...")


def test_submit_is_refused_while_scores_are_missing(view, on_behalf):
    doc = view.document
    view.set_evaluator("E2")
    assert view.signoff.state.text() == "1 score still to enter; then submit them to sign " \
                                        "them off."
    assert view.signoff.submit_button.text() == "S&ubmit B. Jones's scores…"
    assert not view.signoff.submit()
    assert "cannot submit yet: B. Jones (E2): 1 of 2 scores missing" in view.banner.text()
    assert not next(e for e in doc.doc()["evaluators"] if e["id"] == "E2").get("submitted")
