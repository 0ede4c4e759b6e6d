"""A click on a column header sorts the tables whose order means nothing (bids, cost
lines, the evaluator roster, partners, the audit log), and every edit, selection and
paste made on a sorted table reaches the record shown, not the one at that place in
the file. Each sorting proxy passes qtmodeltester.

The worked example: bids B1 Example Suite Ltd (cost lines Implementation 250,000,
Subscription 90,000, Exit assistance 40,000) and B2 Small Co; evaluators E1 A. Patel
and E2 B. Jones; one partner, C1 Harrowmere DC.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit


@pytest.fixture
def show(open_window, qtbot):
    open_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is open_window)

    def show(key):
        view = open_window.show_view(key)
        view.ensure_fresh()
        qtbot.wait(20)  # the view takes the focus once shown (a timer): before any typing
        return view
    return show


def click_header(qtbot, table, column):
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


def shown(table, column):
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def type_over(qtbot, table, row, column, text):
    """Open the editor on the cell shown at (row, column), type `text`, press Enter."""
    index = table.model().index(row, column)
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit)
                    and QApplication.focusWidget().parent() is table.viewport())
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)  # committed (queued)
    qtbot.wait(10)


def paste_keys(qtbot, table, text):
    QGuiApplication.clipboard().setText(text)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_every_sorting_proxy_is_a_sound_model(show, qtmodeltester):
    bids = show("bids")
    for proxy in (bids.bid_proxy, bids.cost_proxy, show("evaluators").roster_proxy,
                  show("audit").proxy):
        proxy.sort(1, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy)
    partners = show("shared").partners_table.model()
    partners.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(partners)


def test_bids_sorted_by_supplier_edit_the_bid_shown(show, qtbot):
    view = show("bids")
    doc = view.document
    assert shown(view.table, 1) == ["Example Suite Ltd", "Small Co"]
    click_header(qtbot, view.table, 1)
    click_header(qtbot, view.table, 1)  # a second click: descending
    assert shown(view.table, 1) == ["Small Co", "Example Suite Ltd"]
    view.table.selectRow(0)
    assert view.current_bid() == "B2"  # the detail below follows the row shown
    type_over(qtbot, view.table, 0, 1, "Zed <b>& Co")
    suppliers = {b["id"]: b["supplier"] for b in doc.doc()["bids"]}
    assert suppliers == {"B1": "Example Suite Ltd", "B2": "Zed <b>& Co"}
    view.select("B1")
    assert view.current_bid() == "B1"
    assert view.table.currentIndex().row() == 1  # Find lands on the row B1 is shown at


def test_bids_sorted_by_cost_keep_numbers_as_numbers(show, qtbot):
    view = show("bids")
    doc = view.document
    click_header(qtbot, view.table, 5)  # WLC, ascending: a bid without costs last
    doc.add_bid({"supplier": "No costs yet", "option_type": "best_of_breed"})
    view.ensure_fresh()
    ids = shown(view.table, 0)
    wlc = {r["id"]: r["_wlc"] for r in view.bid_model.rows if r["costs"]}
    assert len(wlc) == 2
    assert wlc["B1"] != wlc["B2"]
    assert ids[:2] == sorted(wlc, key=wlc.get)
    assert ids[2] == "B3"


def test_cost_lines_sorted_by_amount_edit_and_paste_the_line_shown(show, qtbot):
    view = show("bids")
    doc = view.document
    view.select("B1")
    click_header(qtbot, view.costs, 2)  # Amount per year, ascending
    assert shown(view.costs, 0) == ["Exit assistance", "Subscription", "Implementation"]
    type_over(qtbot, view.costs, 0, 0, "Exit support")
    items = [c["item"] for c in next(b for b in doc.doc()["bids"] if b["id"] == "B1")["costs"]]
    assert items == ["Implementation", "Subscription", "Exit support"]
    # a block pasted over the first two rows shown lands on those lines
    view.costs.setCurrentIndex(view.costs.model().index(0, 0))
    paste_keys(qtbot, view.costs, "Exit help\nLicences\n")
    items = [c["item"] for c in next(b for b in doc.doc()["bids"] if b["id"] == "B1")["costs"]]
    assert items == ["Implementation", "Licences", "Exit help"]
    # removing the line shown first removes that line
    view.costs.setCurrentIndex(view.costs.model().index(0, 0))
    view.remove_line()
    costs = next(b for b in doc.doc()["bids"] if b["id"] == "B1")["costs"]
    assert [c["item"] for c in costs] == ["Implementation", "Licences"]


def test_roster_sorted_by_name_edits_the_evaluator_shown(show, qtbot):
    view = show("evaluators")
    doc = view.document
    click_header(qtbot, view.roster, 1)
    click_header(qtbot, view.roster, 1)
    assert shown(view.roster, 0) == ["E2", "E1"]
    type_over(qtbot, view.roster, 0, 2, "Finance lead")
    roles = {e["id"]: e.get("role", "") for e in doc.doc()["evaluators"]}
    assert roles["E2"] == "Finance lead"
    assert roles["E1"] == "Head of IT"
    view.roster.setCurrentIndex(view.roster.model().index(1, 0))
    assert view.declaration.eid == "E1"


def test_partners_sorted_by_population_paste_onto_the_rows_shown(show, qtbot):
    doc = show("overview").document
    doc.add_partner({"name": "Small parish", "population": 1200, "baseline_annual_cost": 5})
    view = show("shared")
    table = view.partners_table
    click_header(qtbot, table, 2)  # Population, ascending: C2 then C1
    assert shown(table, 0) == ["C2", "C1"]
    table.setCurrentIndex(table.model().index(0, 1))
    paste_keys(qtbot, table, "Parish =cmd\nHarrowmere\n")
    names = {p["id"]: p["name"] for p in doc.doc()["partners"]}
    assert names == {"C1": "Harrowmere", "C2": "Parish =cmd"}
    table.selectRow(0)
    view.remove_partner()
    assert [p["id"] for p in doc.doc()["partners"]] == ["C1"]


def test_audit_log_sorted_by_who_still_finds_an_event(show, qtbot):
    view = show("audit")
    doc = view.document
    doc.update_evaluation({"reference": "REF-SORTED"})
    view.refresh()
    click_header(qtbot, view.table, 1)
    who = shown(view.table, 1)
    assert who == sorted(who, key=str.casefold)
    event = next(e for e in doc.audit() if e.action == "evaluation.update")
    view.select_event(event.id)
    row = view.table.currentIndex().row()
    assert "REF-SORTED" in view.table.model().index(row, 3).data() + \
        view.table.model().index(row, 2).data()


def test_a_locked_sorting_table_takes_no_edits(show):
    """A read-only file (sealed, or another's lock) makes the records under the proxy
    read-only too, not only the proxy's view."""
    from ui.views.base import set_locked

    view = show("bids")
    index = view.table.model().index(0, 1)
    assert view.table.model().flags(index) & Qt.ItemFlag.ItemIsEditable
    set_locked(view.table, True)
    assert not view.table.model().flags(index) & Qt.ItemFlag.ItemIsEditable
    set_locked(view.table, False)
    assert view.table.model().flags(index) & Qt.ItemFlag.ItemIsEditable
