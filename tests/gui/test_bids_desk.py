"""Bids: each bid's "Tender" tick (defaults by kind, explained), comparators named, and a
supplier column that keeps its room on a narrow window."""

from __future__ import annotations

from PySide6.QtCore import Qt

TENDER = 9  # the Tender column, the last


def _tender_index(view, bid):
    row = view.bid_model.row_of(lambda r: r["id"] == bid)
    return view.bid_model.index(row, TENDER)


def test_tender_is_ticked_in_bids_and_undone(open_window, qtbot):
    w = open_window
    view = w.show_view("bids")
    assert view.bid_model.headerData(TENDER, Qt.Orientation.Horizontal) == "Tender"
    b = w.document.doc()["bids"][0]
    index = _tender_index(view, b["id"])
    state = Qt.CheckState(view.bid_model.data(index, Qt.ItemDataRole.CheckStateRole))
    assert (state == Qt.CheckState.Checked) == b["tender"]
    flipped = Qt.CheckState.Unchecked if b["tender"] else Qt.CheckState.Checked
    assert view.bid_model.setData(index, flipped.value, Qt.ItemDataRole.CheckStateRole)
    assert w.document.doc()["bids"][0]["tender"] is (not b["tender"])
    w.undo_action.trigger()
    assert w.document.doc()["bids"][0]["tender"] is b["tender"]


def test_a_new_option_type_brings_its_default(open_window):
    """A best-of-breed tender made a build is no longer a tender, in one undoable step;
    a tick set by hand is kept."""
    w = open_window
    view = w.show_view("bids")
    doc = w.document.doc()
    bid = next(b for b in doc["bids"] if b["option_type"] in ("best_of_breed",
                                                               "enterprise_suite"))
    assert bid["tender"]
    row = view.bid_model.row_of(lambda r: r["id"] == bid["id"])
    view.bid_model.setData(view.bid_model.index(row, 2), "build")
    got = next(b for b in w.document.doc()["bids"] if b["id"] == bid["id"])
    assert (got["option_type"], got["tender"]) == ("build", False)
    w.undo_action.trigger()
    got = next(b for b in w.document.doc()["bids"] if b["id"] == bid["id"])
    assert (got["option_type"], got["tender"]) == (bid["option_type"], True)
    # a commercial shared service that bid: ticked by hand, kept when its type changes
    w.document.update_bid(bid["id"], {"option_type": "shared_service", "tender": True})
    row = view.bid_model.row_of(lambda r: r["id"] == bid["id"])
    view.bid_model.setData(view.bid_model.index(row, 2), "do_nothing")
    got = next(b for b in w.document.doc()["bids"] if b["id"] == bid["id"])
    assert got["tender"] is True


def test_comparators_are_explained_in_plain_words(open_window):
    w = open_window
    view = w.show_view("bids")
    assert "Options appraisal" in view.procedure_note.text()
    first = w.document.doc()["bids"][0]["id"]
    w.document.update_bid(first, {"tender": False})
    w.document.update_evaluation({"procedure": "competitive_tender"})
    text = view.procedure_note.text()
    assert "only bids ticked Tender can win" in text
    assert f"{first} is comparators" not in text
    assert first in text
    assert "never ranked" in text
    tip = view.bid_model.data(_tender_index(view, first), Qt.ItemDataRole.ToolTipRole)
    assert "comparator" in tip
    header_tip = view.bid_model.headerData(TENDER, Qt.Orientation.Horizontal,
                                           Qt.ItemDataRole.ToolTipRole)
    assert "in-house" in header_tip


def test_the_supplier_column_keeps_its_room_on_a_narrow_window(open_window, qtbot):
    w = open_window
    view = w.show_view("bids")
    for width in (1024, 1280, 1366):
        w.resize(width, 700)
        qtbot.wait(10)
        assert view.table.columnWidth(1) >= 220, width
    w.resize(1366, 768)
    qtbot.wait(10)
    wide = view.table.columnWidth(1)
    assert wide > 300  # the spare width goes to the name
