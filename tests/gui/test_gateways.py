"""Gateway results recorded in the Bids view, and the warnings for a bid without costs.

On tests/data/example.json both bids passed the one gateway G1 (Cyber Essentials
Plus) and both are ranked. By the scoring rules a failed gateway excludes a bid and a
missing result leaves it incomplete; a bid with no cost lines costs £0, so under
"lowest price / this price" every other bid's price fraction is 0 / c = 0.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QStyleOptionViewItem

from ui.views.common import warning_colour

RESULT, NOTE = 2, 3


@pytest.fixture
def show(open_window):
    def show(key):
        view = open_window.show_view(key)
        view.ensure_fresh()
        return view
    return show


def select_bid(view, bid):
    view.table.selectRow(view.bid_model.row_of(lambda r: r["id"] == bid))
    assert view.current_bid() == bid


def status(document, bid):
    res = document.results()
    i = list(res.snap.bid_ids).index(bid)
    return res.status[i], res.reasons[i]


def gateway(document, bid, cid="G1"):
    return next((g for g in document.doc()["gateways"]
                 if (g["bid"], g["criterion"]) == (bid, cid)), None)


def test_record_fail_clear_and_pass_through_the_gateways_table(show, qtmodeltester):
    view = show("bids")
    doc = view.document
    m = view.gateway_model
    select_bid(view, "B2")
    qtmodeltester.check(m)
    assert m.rowCount() == 1  # one pass/fail criterion in the example
    assert m.index(0, 0).data() == "G1"
    assert m.index(0, 1).data() == "Cyber Essentials Plus"
    assert m.index(0, RESULT).data() == "✔ Passed"
    assert status(doc, "B2")[0] == "ranked"

    # fail it: the bid is excluded, and says why, in the results and in both tables
    assert m.setData(m.index(0, RESULT), "failed")
    assert gateway(doc, "B2") == {"bid": "B2", "criterion": "G1", "passed": False, "note": ""}
    assert status(doc, "B2") == ("excluded", ["failed the gateway G1 (Cyber Essentials Plus)"])
    assert m.index(0, RESULT).data() == "✘ Failed"
    assert m.index(0, RESULT).data(Qt.ItemDataRole.ForegroundRole).color() == warning_colour()
    assert m.index(0, RESULT).data(Qt.ItemDataRole.FontRole).bold()
    b2 = view.bid_model.row_of(lambda r: r["id"] == "B2")
    assert view.bid_model.index(b2, 8).data() == "Failed G1"
    assert "excluded" in view.gateway_title.text()
    results = show("results")
    assert results.ranking_model.rows[-1]["id"] == "B2"
    assert results.ranking_model.rows[-1]["status"] == "excluded"
    view = show("bids")
    select_bid(view, "B2")

    # a note goes with the result
    assert m.setData(m.index(0, NOTE), "Certificate expired in March")
    assert gateway(doc, "B2")["note"] == "Certificate expired in March"

    # clear it: no result, so the bid waits (incomplete), and a note alone is refused
    assert m.setData(m.index(0, RESULT), "")
    assert gateway(doc, "B2") is None
    assert status(doc, "B2") == ("incomplete", ["no gateway result for G1 (Cyber Essentials "
                                                "Plus)"])
    assert m.index(0, RESULT).data() == "Not assessed"
    assert not m.setData(m.index(0, NOTE), "seen it")
    assert "Passed or Failed first" in view.banner.text()
    assert gateway(doc, "B2") is None
    assert not m.setData(m.index(0, RESULT), "maybe")
    assert "not Passed, Failed or Not assessed" in view.banner.text()

    # passed again: ranked
    assert m.setData(m.index(0, RESULT), "passed")
    assert status(doc, "B2")[0] == "ranked"
    qtmodeltester.check(m)

    # undo walks back through each step; redo forward again
    stack = doc.undo_stack
    assert stack.count() == 4  # fail, note, clear, pass
    stack.undo()
    assert status(doc, "B2")[0] == "incomplete"
    stack.undo()
    assert gateway(doc, "B2") == {"bid": "B2", "criterion": "G1", "passed": False,
                                  "note": "Certificate expired in March"}
    assert m.index(0, NOTE).data() == "Certificate expired in March"
    stack.undo()
    stack.undo()
    assert gateway(doc, "B2")["passed"] is True
    assert status(doc, "B2")[0] == "ranked"
    assert m.index(0, RESULT).data() == "✔ Passed"
    stack.redo()
    assert status(doc, "B2")[0] == "excluded"
    assert m.index(0, RESULT).data() == "✘ Failed"


def test_the_result_combo_box_records_the_choice(show):
    view = show("bids")
    m = view.gateway_model
    select_bid(view, "B1")
    index = m.index(0, RESULT)
    delegate = view.gateways.itemDelegateForColumn(RESULT)
    editor = delegate.createEditor(view.gateways.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == [
        "Passed", "Failed", "Not assessed"]
    delegate.setEditorData(editor, index)
    assert editor.currentText() == "Passed"
    editor.setCurrentIndex(editor.findText("Failed"))
    delegate.setModelData(editor, m, index)
    assert gateway(view.document, "B1")["passed"] is False
    # with B1 out, B2 is the only ranked bid and wins
    assert view.document.results().winner == "B2"
    editor.deleteLater()


def test_overview_sends_the_user_to_bids_gateways(show):
    doc = show("overview").document
    doc.set_gateway("B1", "G1", None)
    view = show("overview")
    assert ("✘  Every gateway result is recorded: 1 gateway result not recorded (B1/G1) "
            "(record them in Bids > Gateways)") in view.checklist.text()
    assert "✘  1 bid incomplete" in view.checklist.text()
    assert "1 gateway result missing" in view.summary.text()


# ---- a bid without costs ------------------------------------------------------------------
NO_COST_WARNING = ("B3 New supplier has no cost lines: it counts as costing £0, which sets "
                   "the lowest price and lowers every other bid's price score. Enter its "
                   "costs in Bids.")


def test_a_bid_without_costs_is_warned_of_everywhere(show, qtbot):
    view = show("bids")
    view.window().activateWindow()
    qtbot.waitUntil(view.window().isActiveWindow)
    view.add_bid()
    # the new bid is selected; its supplier, option type and term are typed in turn,
    # and then the cost lines take the keyboard, for its costs next
    assert view.current_bid() == "B3"
    for column in (1, 2, 4):
        qtbot.waitUntil(lambda c=column: view.table.currentIndex().column() == c
                        and QApplication.focusWidget() not in (None, view.table))
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.costs)
    assert "no cost lines yet" in view.detail_title.text()
    row = view.bid_model.row_of(lambda r: r["id"] == "B3")
    for col in (5, 6):  # WLC and NPV
        index = view.bid_model.index(row, col)
        assert index.data() == "no costs"
        assert index.data(Qt.ItemDataRole.ForegroundRole).color() == warning_colour()

    results = show("results")
    assert results.cost_banner.isVisibleTo(results)
    assert results.cost_banner.text() == f"⚠ {NO_COST_WARNING}"
    # the warning is true: B3 (incomplete, still in the competition) sets c_min = 0
    assert [r["price"] for r in results.ranking_model.rows if r["rank"]] == [0.0, 0.0]
    b3 = results.ranking_model.row_of(lambda r: r["id"] == "B3")
    assert results.ranking_model.index(b3, 8).data() == "£0 (no costs)"
    overview = show("overview")
    assert f"✘  {NO_COST_WARNING}" in overview.checklist.text()
    assert "Every bid has its costs" not in overview.checklist.text()

    # costs entered: every warning goes, and the price scores come back
    view = show("bids")
    select_bid(view, "B3")
    view.add_line()
    assert view.cost_model.setData(view.cost_model.index(0, 2), "100000")
    results = show("results")
    assert not results.cost_banner.isVisibleTo(results)
    assert all(r["price"] > 0 for r in results.ranking_model.rows if r["rank"])
    assert "✔  Every bid has its costs" in show("overview").checklist.text()


def test_an_excluded_bid_without_costs_is_not_warned_of(show):
    view = show("bids")
    doc = view.document
    view.add_bid()
    doc.set_gateway("B3", "G1", False)  # excluded: its price no longer counts
    results = show("results")
    assert not results.cost_banner.isVisibleTo(results)
    assert "Every bid still in the competition has its costs" in \
        show("overview").checklist.text()
    doc.undo_stack.undo()
    assert show("results").cost_banner.isVisibleTo(results)
