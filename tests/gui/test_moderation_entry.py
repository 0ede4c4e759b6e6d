"""Moderation: nothing typed is lost (the rationale, the feedback), feedback for the
bidder as an undoable edit with what is still missing, a pasted consensus column, and
sorting by a header with the edits still landing on the right pair.

The worked example: B1/Q2 has a consensus of 4 ("agreed"); B1/Q1 is flagged with
none; B1 and B2 are bids on Q1, Q2 (scored) and P (price).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.clipboard import parse_block


@pytest.fixture
def view(qtbot, document):
    from ui.views.moderation import ModerationView

    v = ModerationView(document)
    qtbot.addWidget(v)
    v.resize(1300, 800)
    v.show()
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v)
    v.flagged_box.setChecked(False)
    return v


def consensus(document, bid, cid):
    return next(((c["score"], c["rationale"]) for c in document.doc()["consensus"]
                 if (c["bid"], c["criterion"]) == (bid, cid)), None)


def feedback(document, bid, cid):
    return next((f["text"] for f in document.doc().get("feedback", [])
                 if (f["bid"], f["criterion"]) == (bid, cid)), None)


def click_row(qtbot, view, bid, cid):
    row = view._view_row(view.model.row_of(bid, cid))
    rect = view.table.visualRect(view.proxy.index(row, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.current_key() == (bid, cid)


def type_into(qtbot, widget, text):
    """Typed as a user types; letters QTest cannot send (CJK, bidi) as an input method
    would put them."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    plain = text.encode("ascii", "ignore").decode()
    qtbot.keyClicks(widget, plain)
    if plain != text:
        widget.clear()
        widget.insertPlainText(text)


def test_rationale_on_a_recorded_consensus_is_saved_when_another_row_is_clicked(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q2")
    view.rationale.selectAll()
    type_into(qtbot, view.rationale, "agreed after the clarification meeting")
    steps = doc.undo_stack.count()
    click_row(qtbot, view, "B2", "Q1")  # the rationale was never "saved" by a button
    assert consensus(doc, "B1", "Q2") == (4, "agreed after the clarification meeting")
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert consensus(doc, "B1", "Q2") == (4, "agreed")


def test_rationale_with_no_consensus_yet_is_kept_as_a_draft(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q1")
    type_into(qtbot, view.rationale, "E2 saw the appendix; E1 did not")
    click_row(qtbot, view, "B2", "Q2")
    assert consensus(doc, "B1", "Q1") is None  # no score was chosen: nothing recorded
    assert view.rationale.toPlainText() == ""  # B2/Q2 has none
    click_row(qtbot, view, "B1", "Q1")
    assert view.rationale.toPlainText() == "E2 saw the appendix; E1 did not"
    assert "Draft rationale" in view.draft_note.text()
    view.score_box.setCurrentIndex(view.score_box.findData(4))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert consensus(doc, "B1", "Q1") == (4, "E2 saw the appendix; E1 did not")
    assert ("B1", "Q1") not in view.drafts


def test_feedback_is_saved_on_leaving_the_box_and_undoes(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q1")
    assert "never sent" in view.feedback.note.text()  # internal text said to be internal
    type_into(qtbot, view.feedback.text, "Clear plan; <b>& =SUM(A1) 明確な計画")
    view.table.setFocus()  # focus leaves the box
    qtbot.waitUntil(lambda: feedback(doc, "B1", "Q1") is not None)
    assert feedback(doc, "B1", "Q1") == "Clear plan; <b>& =SUM(A1) 明確な計画"
    assert consensus(doc, "B1", "Q1") is None  # feedback is not the rationale
    doc.undo_stack.undo()
    assert feedback(doc, "B1", "Q1") is None
    assert view.feedback.text.toPlainText() == ""
    doc.undo_stack.redo()
    assert view.feedback.text.toPlainText() == "Clear plan; <b>& =SUM(A1) 明確な計画"


def test_feedback_on_the_price_criterion_and_saved_on_changing_row(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B2", "Q1")
    box = view.feedback.criterion_box
    box.setCurrentIndex(box.findData("P"))
    box.activated.emit(box.currentIndex())
    type_into(qtbot, view.feedback.text, "Your price was the lowest.")
    view.table.setFocus()  # saved on leaving the box; the box stays on the price
    qtbot.waitUntil(lambda: feedback(doc, "B2", "P") == "Your price was the lowest.")
    assert box.currentData() == "P"
    assert view.feedback.text.toPlainText() == "Your price was the lowest."
    view.feedback.text.setFocus()
    qtbot.keyClick(view.feedback.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.feedback.text, " By 4%.")
    click_row(qtbot, view, "B1", "Q2")
    assert feedback(doc, "B2", "P") == "Your price was the lowest. By 4%."
    assert box.currentData() == "Q2"


def test_refused_feedback_stays_as_a_draft_with_the_reason(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q1")
    type_into(qtbot, view.feedback.text, "bad \u202e text")
    click_row(qtbot, view, "B2", "Q1")
    assert feedback(doc, "B1", "Q1") is None
    assert "right-to-left" in view.banner.text()
    click_row(qtbot, view, "B1", "Q1")
    assert view.feedback.text.toPlainText() == "bad \u202e text"


def test_pairs_without_feedback_are_listed(view, qtbot, document, qtmodeltester):
    document.file.update_evaluation("t", {"procedure": "competitive_tender"})
    document.changed.emit("all")
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    text = view.feedback.missing.text()
    tenders = [b for b, t in zip(document.snapshot().bid_ids, document.snapshot().tender) if t]
    assert tenders, "the example has a tender"
    assert f"{tenders[0]} Q1" in text
    assert f"{tenders[0]} P" in text
    m = view.model
    column = m.columnCount() - 1
    assert m.headerData(column, Qt.Orientation.Horizontal) == "Feedback"
    assert m.index(m.row_of(tenders[0], "Q1"), column).data() == "missing"
    for cid in ("Q1", "Q2", "P"):
        document.set_feedback(tenders[0], cid, "Reasons.")
    assert f"{tenders[0]} Q1" not in view.feedback.missing.text()
    assert m.index(m.row_of(tenders[0], "Q1"), column).data() == "written"
    assert m.index(m.row_of(tenders[0], "Q1"), column).data(
        Qt.ItemDataRole.ToolTipRole) == "Reasons."


def test_pasted_consensus_column_is_one_undoable_step(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q1")
    view.table.setCurrentIndex(view.proxy.index(view.table.currentIndex().row(), 6))
    # two cells down the Consensus column with their rationales, as from a spreadsheet
    QGuiApplication.clipboard().setText("5\tE2's reading is right\r\n3\tagreed =x\r\n")
    steps = doc.undo_stack.count()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert view.banner.text() == "" or not view.banner.isVisible()
    assert consensus(doc, "B1", "Q1") == (5, "E2's reading is right")
    assert consensus(doc, "B1", "Q2") == (3, "agreed =x")
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert consensus(doc, "B1", "Q1") is None
    assert consensus(doc, "B1", "Q2") == (4, "agreed")


def test_pasted_block_with_a_refused_cell_changes_nothing_and_names_each(view, qtbot):
    doc = view.document
    click_row(qtbot, view, "B1", "Q1")
    view.table.setCurrentIndex(view.proxy.index(view.table.currentIndex().row(), 6))
    revision = doc.revision
    assert view.paste(parse_block("9\tway off\nfour\tx\n5\n")) is False
    assert doc.revision == revision
    text = view.banner.text()
    assert "consensus B1/Q1" in text
    assert "outside the scale" in text
    assert "'four' is not a number" in text
    assert "B2/Q1" in text
    assert "rationale" in text


def test_copy_then_paste_back_by_bid_and_criterion_after_sorting(view, qtbot):
    doc = view.document
    # sort by spread, descending: the order is no longer the file's
    header = view.table.horizontalHeader()
    spread = 2 + len(view.model.evaluators)
    view.table.sortByColumn(spread, Qt.SortOrder.DescendingOrder)
    assert view.proxy.index(0, 0).data().startswith("B1")  # B1/Q1: spread 2
    assert header.sortIndicatorSection() == spread
    view.table.selectAll()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    block = parse_block(QGuiApplication.clipboard().text())
    assert block[0][:2] == ["Bid", "Criterion"]
    assert block[0][-3:] == ["Consensus", "Rationale", "Feedback"]
    # the panel edits the copied sheet: a consensus for B2/Q2 only
    row = next(r for r in block if r[0].startswith("B2") and r[1].startswith("Q2"))
    row[-3:-1] = ["2", "weak evidence"]
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # shown in another order now
    assert view.paste(block) is True, view.banner.text()
    assert consensus(doc, "B2", "Q2") == (2, "weak evidence")
    assert consensus(doc, "B1", "Q2") == (4, "agreed")  # pasted back unchanged


def test_sorted_table_keeps_the_entry_on_the_clicked_pair(view, qtbot, qtmodeltester):
    qtmodeltester.check(view.proxy)
    view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # criteria, Q2 first
    click_row(qtbot, view, "B2", "Q2")
    assert "for B2" in view.detail_title.text()
    assert "Q2" in view.detail_title.text()
    view.score_box.setCurrentIndex(view.score_box.findData(1))
    view.rationale.setPlainText("poor")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert consensus(view.document, "B2", "Q2") == (1, "poor")
    assert view.current_key() == ("B2", "Q2")
    qtmodeltester.check(view.proxy)
    assert isinstance(QLineEdit(), QLineEdit)
