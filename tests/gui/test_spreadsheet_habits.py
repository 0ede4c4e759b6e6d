"""Spreadsheet habits: a block pasted into the Scoring grid, the cost lines and the
partners (checked whole, one undoable step, every refused cell named, nothing
applied if any is refused), and Ctrl+C giving the selection with its headers in
every table.

The worked example: E1 scored B1/Q1 3, B1/Q2 3, B2/Q1 4, B2/Q2 2; E2 has a conflict
with B2 and scored B1/Q1 5. The scale is 0..5 in steps of 1.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QTableView, QTreeView

from ui.clipboard import parse_block


def scores_of(doc, eid):
    return {(r["bid"], r["criterion"]): r["score"] for r in doc.doc()["scores"]
            if r["evaluator"] == eid}


def paste_keys(qtbot, table, text):
    QGuiApplication.clipboard().setText(text)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_a_block_of_scores_from_excel_is_one_undoable_step(show, qtbot):
    view = show("scoring")
    doc = view.document
    view.set_evaluator("E1")
    view.select("B1", "Q1")
    steps = doc.undo_stack.count()
    paste_keys(qtbot, view.grid, "5\t4\r\n1\t0\r\n")  # Excel: CRLF, a last line end
    assert scores_of(doc, "E1") == {("B1", "Q1"): 5, ("B1", "Q2"): 4, ("B2", "Q1"): 1,
                                    ("B2", "Q2"): 0}
    assert doc.undo_stack.count() == steps + 1
    assert "Pasted 4 scores" in view.progress_label.text()
    doc.undo_stack.undo()
    assert scores_of(doc, "E1") == {("B1", "Q1"): 3, ("B1", "Q2"): 3, ("B2", "Q1"): 4,
                                    ("B2", "Q2"): 2}


def test_a_block_with_headers_goes_where_its_headers_say(show, qtbot):
    view = show("scoring")
    doc = view.document
    view.set_evaluator("E1")
    view.select("B2", "Q2")  # the current cell does not matter: the labels do
    # copied from a sheet laid out the other way round: Q2 before Q1, B2 before B1
    paste_keys(qtbot, view.grid, "\tQ2\tQ1\nB2 Small Co\t1\t2\nB1\t4\t5\n")
    assert scores_of(doc, "E1") == {("B1", "Q1"): 5, ("B1", "Q2"): 4, ("B2", "Q1"): 2,
                                    ("B2", "Q2"): 1}


def test_a_block_with_refused_cells_changes_nothing_and_names_every_one(show, qtbot,
                                                                       monkeypatch):
    from ui import ask

    monkeypatch.setattr(ask, "confirm", lambda *a: True)  # E2, on their behalf
    view = show("scoring")
    doc = view.document
    view.set_evaluator("E2")
    view.select("B1", "Q1")
    revision = doc.revision
    paste_keys(qtbot, view.grid, "7\tgood\n3\t4\n1\n")
    assert doc.revision == revision
    text = view.banner.text()
    assert "nothing was pasted" in text
    assert "outside the scale" in text
    assert "E2/B1/Q1" in text
    assert "'good' is not a number" in text
    assert "conflict of interest with B2" in text  # row 2 is B2: E2's conflict
    assert "past the last row" in text  # row 3
    # the grid as shown, copied and pasted back: the conflicted row's dashes are no change
    view.select("B1", "Q1")
    assert view.paste(parse_block("5\t4\n–\t–\n")) is True, view.banner.text()
    assert scores_of(doc, "E2") == {("B1", "Q1"): 5, ("B1", "Q2"): 4}


def test_copy_from_the_grid_has_the_headers_and_pastes_back(show, qtbot):
    view = show("scoring")
    doc = view.document
    view.set_evaluator("E1")
    view.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.grid.selectAll()
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    block = parse_block(QGuiApplication.clipboard().text())
    assert block[0][0] == ""
    assert block[0][1].startswith("Q1")
    assert block[0][2].startswith("Q2")
    assert block[1][0].startswith("B1")
    assert block[1][1:] == ["3", "3"]
    block[2][2] = "5"  # B2/Q2 changed in the spreadsheet
    assert view.paste([["", "Q1"], ["B2", "–"]]) is False  # E1 has no conflict: "–"
    assert "'–' is not a number" in view.banner.text()
    view.select("B1", "Q1")
    assert view.paste(block)
    assert scores_of(doc, "E1")[("B2", "Q2")] == 5
    assert scores_of(doc, "E1")[("B1", "Q1")] == 3


def test_cost_lines_pasted_with_a_header_add_lines_in_one_step(show, qtbot):
    view = show("bids")
    doc = view.document
    view.table.selectRow(0)
    bid = view.current_bid()
    before = next(b for b in doc.doc()["bids"] if b["id"] == bid)["costs"]
    view.costs.setCurrentIndex(view.costs.model().index(len(before) - 1, 0))
    steps = doc.undo_stack.count()
    paste_keys(qtbot, view.costs,
               "Item\tCategory\tAmount per year\tStart year\tYears\n"
               "=HYPERLINK(\"x\") hosting\tHosting\t£12,500.50\t1\t4\n"
               "Exit 出口\texit\t3000\t4\t1\n")
    costs = next(b for b in doc.doc()["bids"] if b["id"] == bid)["costs"]
    assert len(costs) == len(before) + 1  # the last line replaced, one added
    assert costs[-2]["item"] == '=HYPERLINK("x") hosting'
    assert costs[-2]["amount"] == 12500.5
    assert costs[-2]["category"] == "hosting"
    assert costs[-1] == {"item": "Exit 出口", "category": "exit", "amount": 3000,
                         "start_year": 4, "years": 1}
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert next(b for b in doc.doc()["bids"] if b["id"] == bid)["costs"] == before


def test_cost_lines_with_refused_cells_change_nothing(show, qtbot):
    view = show("bids")
    doc = view.document
    view.table.selectRow(0)
    revision = doc.revision
    view.costs.setCurrentIndex(view.costs.model().index(0, 1))
    assert not view.paste_lines(parse_block("Catering\tlots\n"))
    assert doc.revision == revision
    text = view.banner.text()
    assert "costs[0].category: 'Catering' is not one of" in text
    assert "costs[0].amount: 'lots' is not a number" in text


def test_partners_pasted_by_id_in_one_step(show, qtbot):
    doc = show("overview").document
    doc.add_partner({"name": "Second", "population": 1, "baseline_annual_cost": 1})
    view = show("shared")
    view.partners_table.setCurrentIndex(view.partners_table.model().index(0, 1))
    steps = doc.undo_stack.count()
    paste_keys(qtbot, view.partners_table,
               "Id\tCouncil\tPopulation\nC2\tParish <b>&\t2,000\nC1\tHarrowmere\t98,500\n")
    parts = {p["id"]: p for p in doc.doc()["partners"]}
    assert (parts["C1"]["name"], parts["C1"]["population"]) == ("Harrowmere", 98500)
    assert (parts["C2"]["name"], parts["C2"]["population"]) == ("Parish <b>&", 2000)
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert {p["id"]: p["population"] for p in doc.doc()["partners"]} == {"C1": 98000,
                                                                          "C2": 1}
    revision = doc.revision
    assert not view.paste_partners(parse_block("Harrowmere\t-5\nX\t1\nY\t2\n"))
    assert doc.revision == revision
    assert "past the last row" in view.banner.text()


@pytest.mark.parametrize("key", ["evaluators", "criteria", "moderation", "shared",
                                 "scoring", "bids"])
def test_every_table_copies_its_selection_with_headers(show, qtbot, key):
    view = show(key)
    tables = [t for t in view.findChildren(QAbstractItemView)
              if isinstance(t, QTableView | QTreeView) and t.isVisibleTo(view)
              and t.model() is not None and t.model().rowCount()
              and t.model().columnCount() > 1]
    assert tables
    for table in tables:
        table.setCurrentIndex(table.model().index(0, 0))
        table.selectAll()
        QGuiApplication.clipboard().setText("")
        table.setFocus()
        qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        block = parse_block(QGuiApplication.clipboard().text())
        heads = table.horizontalHeader() if hasattr(table, "horizontalHeader") \
            else table.header()
        shown = next(c for c in range(table.model().columnCount())
                     if not heads.isSectionHidden(c))
        header = " ".join(str(table.model().headerData(
            shown, Qt.Orientation.Horizontal) or "").split())
        assert header in block[0], (key, table.accessibleName(), block)
        assert len(block) >= 2, (key, table.accessibleName())
