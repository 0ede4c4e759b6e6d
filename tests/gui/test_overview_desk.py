"""Overview: the procedure explained and set; undo with the cursor in a field is not
re-applied when the field is left; typing not entered is named before closing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui import ask


def _years(window):
    return window.document.doc()["evaluation"]["appraisal"]["years"]


def test_undo_with_the_cursor_in_a_field_is_not_reapplied(open_window, qtbot, reasons):
    """Years 1 makes B2 the leader; Undo (Edit menu) with the cursor still in the field
    puts B1 back, the field shows the saved value, and leaving it changes nothing."""
    w = open_window
    view = w.show_view("overview")
    before = _years(w)
    assert w.document.results().winner == "B1"
    field = view.fields["years"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "1")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert _years(w) == 1
    assert w.document.results().winner == "B2"
    steps = w.document.undo_stack.count()
    w.undo_action.trigger()  # the cursor is still in the field
    assert field.hasFocus()
    assert _years(w) == before
    assert w.document.results().winner == "B1"
    assert field.text() == str(before)  # the field shows what the undo restored
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter again, then leave the field
    view.fields["title"].setFocus()
    QApplication.processEvents()
    assert _years(w) == before
    assert w.document.results().winner == "B1"
    assert w.document.undo_stack.count() == steps
    assert w.redo_action.isEnabled()  # the undone step is still there to redo


def test_typing_in_a_field_survives_a_refresh(open_window, qtbot):
    """A change elsewhere does not overwrite what the user is typing."""
    w = open_window
    view = w.show_view("overview")
    field = view.fields["reference"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "HDC-NEW")
    w.document.update_evaluation({"authority": "Somewhere Council"})
    assert field.text() == "HDC-NEW"
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert w.document.doc()["evaluation"]["reference"] == "HDC-NEW"


def test_procedure_is_set_in_the_overview_and_explained(open_window, qtbot):
    w = open_window
    view = w.show_view("overview")
    box = view.fields["procedure"]
    assert box.currentData() == "options_appraisal"
    assert "ranked together" in view.procedure_words.text()
    box.setCurrentIndex(box.findData("competitive_tender"))
    box.activated.emit(box.currentIndex())
    assert w.document.doc()["evaluation"]["procedure"] == "competitive_tender"
    assert "comparators" in view.procedure_words.text()
    tip = box.itemData(box.findData("competitive_tender"), Qt.ItemDataRole.ToolTipRole)
    assert "Procurement Act 2023" in tip
    w.undo_action.trigger()
    assert w.document.doc()["evaluation"]["procedure"] == "options_appraisal"
    assert box.currentData() == "options_appraisal"


def test_closing_with_typing_not_entered_warns(open_window, qtbot, monkeypatch):
    w = open_window
    view = w.show_view("overview")
    field = view.fields["reference"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "HDC-TYPED")
    asked = []
    answers = iter(["cancel", "save"])
    monkeypatch.setattr(ask, "unsaved", lambda parent, what: asked.append(what)
                        or next(answers))
    assert not w.close()  # Cancel: the window stays, with the typing
    assert w.isVisible()
    assert field.text() == "HDC-TYPED"
    assert asked[0] == ["Reference in Overview: “HDC-TYPED”"]
    path = w.document.path
    assert w.close()  # Save
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        assert ef.document()["evaluation"]["reference"] == "HDC-TYPED"


def test_closing_and_discarding_keeps_the_saved_value(open_window, qtbot, monkeypatch):
    w = open_window
    view = w.show_view("overview")
    saved = w.document.doc()["evaluation"]["reference"]
    field = view.fields["reference"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "HDC-DROPPED")
    monkeypatch.setattr(ask, "unsaved", lambda parent, what: "discard")
    path = w.document.path
    assert w.close()
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        assert ef.document()["evaluation"]["reference"] == saved


def test_closing_with_nothing_typed_asks_nothing(open_window, qtbot):
    open_window.show_view("overview")
    assert open_window.close()  # ask.unsaved would fail the test (conftest)


def test_closing_with_a_cell_being_edited_warns_and_saves(open_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QLineEdit

    w = open_window
    bids = w.show_view("bids")
    index = bids.table.model().index(0, 1)
    bids.table.setCurrentIndex(index)
    bids.table.setFocus()
    bids.table.edit(index)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed Supplier Ltd")
    asked = []
    monkeypatch.setattr(ask, "unsaved", lambda parent, what: asked.append(what) or "save")
    path = w.document.path
    assert w.close()
    assert asked == [["a cell being edited in Bids: “Renamed Supplier Ltd”"]]
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        assert ef.document()["bids"][0]["supplier"] == "Renamed Supplier Ltd"


def _enter(qtbot, field, text):
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_award_details_marking_and_prefix_are_set_in_overview(open_window, qtbot):
    w = open_window
    view = w.show_view("overview")
    assert "award" not in w.document.doc()["evaluation"]
    _enter(qtbot, view.fields["notice_date"], "2026-03-02")
    _enter(qtbot, view.fields["standstill_days"], "10")
    _enter(qtbot, view.fields["contact"], "procurement@hdc.gov.uk")
    _enter(qtbot, view.fields["marking"], "OFFICIAL")
    _enter(qtbot, view.fields["ocid_prefix"], "ocds-hdc123")
    ev = w.document.doc()["evaluation"]
    assert ev["award"] == {"notice_date": "2026-03-02", "standstill_days": 10,
                           "contact": "procurement@hdc.gov.uk"}
    assert ev["marking"] == "OFFICIAL"
    assert ev["ocid_prefix"] == "ocds-hdc123"
    for _ in range(5):
        w.undo_action.trigger()
    ev = w.document.doc()["evaluation"]
    assert "award" not in ev
    assert "ocid_prefix" not in ev
    assert view.fields["notice_date"].text() == ""
    assert view.fields["contact"].text() == ""


def test_a_wrong_award_date_or_the_placeholder_prefix_is_refused(open_window, qtbot, monkeypatch):
    w = open_window
    view = w.show_view("overview")
    said = []
    monkeypatch.setattr(view, "show_problem", lambda title, text: said.append(text))
    _enter(qtbot, view.fields["notice_date"], "2 March")
    assert "evaluation.award.notice_date" in said[-1]
    assert view.fields["notice_date"].text() == ""
    _enter(qtbot, view.fields["ocid_prefix"], "ocds-000000")
    assert "evaluation.ocid_prefix" in said[-1]
    assert view.fields["ocid_prefix"].text() == ""
    assert "award" not in w.document.doc()["evaluation"]
    assert "ocid_prefix" not in w.document.doc()["evaluation"]
