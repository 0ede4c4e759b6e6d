"""Nothing typed is lost: criterion guidance saved on leaving it, a bad descriptor
line kept as a draft, a split typed and not applied kept through other changes, all
typed and clicked as a user does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture(autouse=True)
def closing(monkeypatch):
    """The question the window asks when it closes with drafts it cannot save:
    answered "close anyway"; returns what it said."""
    from ui import ask

    asked: list[str] = []

    def confirm(parent, title, text):
        assert title == "Drafts not saved", title
        asked.append(text)
        return True

    monkeypatch.setattr(ask, "confirm", confirm)
    return asked


def criterion(doc, cid):
    return next(c for c in doc.doc()["criteria"] if c["id"] == cid)


def click_criterion(qtbot, view, cid):
    index = view.model.index_of(cid, 0)
    view.tree.scrollTo(index)
    rect = view.tree.visualRect(index)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.current_id() == cid


def test_guidance_is_saved_when_another_criterion_is_clicked(show, qtbot):
    view = show("criteria")
    doc = view.document
    click_criterion(qtbot, view, "Q2")
    view.guidance.setFocus()
    qtbot.keyClick(view.guidance, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.guidance, " Look for an exit plan =cmd <b>")
    typed = view.guidance.toPlainText()
    steps = doc.undo_stack.count()
    click_criterion(qtbot, view, "Q1")  # "Apply text" never pressed
    assert criterion(doc, "Q2")["guidance"] == typed.strip()
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert " Look for an exit plan" not in (criterion(doc, "Q2").get("guidance") or "")


def test_guidance_is_saved_when_the_focus_leaves_it(show, qtbot):
    view = show("criteria")
    doc = view.document
    click_criterion(qtbot, view, "Q1")
    view.guidance.setFocus()
    qtbot.keyClick(view.guidance, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.guidance, "Evidence of three references")
    view.tree.setFocus()
    qtbot.waitUntil(lambda: criterion(doc, "Q1").get("guidance")
                    == "Evidence of three references")


def test_a_bad_descriptor_line_is_kept_as_a_draft(show, qtbot):
    view = show("criteria")
    doc = view.document
    click_criterion(qtbot, view, "Q2")
    before = criterion(doc, "Q2").get("descriptors")
    view.descriptors.setFocus()
    qtbot.keyClick(view.descriptors, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.descriptors, "a line without a colon")
    click_criterion(qtbot, view, "Q1")
    assert criterion(doc, "Q2").get("descriptors") == before  # refused, with the reason
    assert "kept as a draft" in view.banner.text()
    assert "descriptors line 1" in view.banner.text()
    click_criterion(qtbot, view, "Q2")
    assert view.descriptors.toPlainText() == "a line without a colon"


def test_closing_the_window_names_a_draft_it_cannot_save(show, qtbot, closing,
                                                          monkeypatch):
    from ui import ask

    view = show("criteria")
    click_criterion(qtbot, view, "Q2")
    view.descriptors.setFocus()
    qtbot.keyClick(view.descriptors, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.descriptors, "a line without a colon")
    window = view.window()
    monkeypatch.setattr(ask, "confirm", lambda parent, title, text: closing.append(text)
                        or False)  # "stay"
    assert not window.close()
    assert "Q2" in closing[-1]
    assert "Criteria" in closing[-1]
    assert window.isVisible()


def test_a_split_typed_and_not_applied_survives_other_changes(show, qtbot):
    doc = show("overview").document
    doc.add_partner({"name": "Small Parish", "population": 2000,
                     "baseline_annual_cost": 10000})
    doc.update_bid("B2", {"option_type": "shared_service"})
    view = show("shared")
    view.bid_box.setCurrentIndex(view.bid_box.findData("B2"))
    view.method_box.setCurrentIndex(view.method_box.findData("population"))
    assert view.dirty()
    # a change elsewhere (a partner renamed) refreshes the view: the split stays
    doc.update_partner("C1", {"name": "Harrowmere District"})
    assert view.method_box.currentData() == "population"
    assert "Not applied yet" in view.split_check.text()
    # another bid and back: still there
    doc.update_bid("B1", {"option_type": "shared_service"})
    view.bid_box.setCurrentIndex(view.bid_box.findData("B1"))
    assert view.method_box.currentData() is None
    view.bid_box.setCurrentIndex(view.bid_box.findData("B2"))
    assert view.method_box.currentData() == "population"
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    bid = next(b for b in doc.doc()["bids"] if b["id"] == "B2")
    assert bid["apportionment"]["method"] == "population"
    assert not view.dirty()
    view.method_box.setCurrentIndex(view.method_box.findData("equal"))
    qtbot.mouseClick(view.revert_button, Qt.MouseButton.LeftButton)  # Discard changes
    assert view.method_box.currentData() == "population"


def test_commit_pending_saves_what_it_can_and_names_the_drafts(show, qtbot):
    """What the window calls before it closes the file: typed text is saved, and
    what cannot be is named, so the user can be asked."""
    scoring = show("scoring")
    doc = scoring.document
    scoring.set_evaluator("E1")
    scoring.select("B1", "Q2")
    scoring.comment.setPlainText("saved on closing")
    scoring.comment.document().setModified(True)
    assert scoring.commit_pending() == []
    assert next(r["comment"] for r in doc.doc()["scores"]
                if (r["evaluator"], r["bid"], r["criterion"]) == ("E1", "B1", "Q2")) \
        == "saved on closing"
    moderation = show("moderation")
    moderation.flagged_box.setChecked(False)
    moderation.select("B1", "Q1")
    moderation.rationale.setPlainText("typed, no score chosen")
    moderation.rationale.document().setModified(True)
    assert moderation.commit_pending() == [
        "Moderation: the rationale typed for B1/Q1 (no consensus saved yet)"]
    criteria = show("criteria")
    criteria.select("Q2")
    criteria.guidance.setPlainText("Guidance saved on closing")
    criteria.guidance.document().setModified(True)
    assert criteria.commit_pending() == []
    assert criterion(doc, "Q2")["guidance"] == "Guidance saved on closing"
    assert show("shared").commit_pending() == []
