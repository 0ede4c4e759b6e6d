"""ui.clipboard: tab-separated text as spreadsheets put it on the clipboard, where a
pasted block lands, and Ctrl+C on a table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from ui.clipboard import format_block, install, parse_block, place, selection_block


@pytest.mark.parametrize(("text", "rows"), [
    ("1\t2\r\n3\t4\r\n", [["1", "2"], ["3", "4"]]),  # Excel: CRLF and a last line end
    ("1\t2\n3\t4", [["1", "2"], ["3", "4"]]),  # LibreOffice without the last one
    ("5", [["5"]]),
    ("a\t\tc\n", [["a", "", "c"]]),  # an empty cell kept in place
    ('"two\nlines"\t"say ""hi"""\n', [["two\nlines", 'say "hi"']]),  # quoted cells
    ('5" screen\t2\n', [['5" screen', "2"]]),  # a quote inside, not quoting
    ("'=cmd\t'+44 1234\n", [["=cmd", "+44 1234"]]),  # a spreadsheet's text apostrophe
])
def test_parse_block_reads_what_spreadsheets_copy(text, rows):
    assert parse_block(text) == rows


def test_format_block_round_trips_hostile_text():
    rows = [["Supplier", "Note"], ["=cmd|' /C calc'!A0", "<b>&amp;"],
            ["‮evil", "two\nlines\tand tab"], ["株式会社", '"quoted"'], ["-5", "+44 20"]]
    text = format_block(rows)
    assert "\n'=cmd" in text  # a spreadsheet sees text, not a formula
    assert "\t'+44 20" in text
    assert "\n-5\t" in text
    assert parse_block(text) == rows


def test_place_from_the_current_cell_and_refusals_named():
    got = place([["1", "2"], ["3", "4"]], (1, 1), 3, 3)
    assert got.cells == [(1, 1, "1"), (1, 2, "2"), (2, 1, "3"), (2, 2, "4")]
    assert not got.problems
    got = place([["1", "2"], ["3", "4"]], (2, 2), 3, 3)
    assert got.problems == ["pasted column 2 would go past the last column",
                            "pasted row 2 would go past the last row (row 3)"]
    got = place([["1"], [""], ["2"], [""], [""]], (0, 0), 3, 1)  # a blank row in between
    assert got.cells == [(0, 0, "1"), (1, 0, ""), (2, 0, "2")]
    assert not got.problems
    got = place([["1"], ["2"]], (2, 0), 3, 1, grow=True)
    assert got.cells == [(2, 0, "1"), (3, 0, "2")]
    assert not got.problems


def test_place_by_headers_and_row_labels():
    headers = [["Q1"], ["Q2"], ["Q3"]]
    rows = [["B1", "B1 Acme Ltd"], ["B2", "B2 Beta"]]
    # copied out of ProcureDesk: a corner cell, headers in another order, row labels
    block = parse_block("\tQ3 20.0%\tQ1 30.0%\nB2 Beta\t4\t5\n")
    got = place(block, (0, 0), 2, 3, headers=headers, row_labels=rows)
    assert got.cells == [(1, 2, "4"), (1, 0, "5")]
    assert not got.problems
    # a header row without row labels: from the current row
    got = place([["Q2"], ["3"]], (1, 0), 2, 3, headers=headers)
    assert got.cells == [(1, 1, "3")]
    # a number in the first row is data, not a header
    got = place([["3", "4"]], (0, 0), 2, 3, headers=[["3"], ["4"], ["5"]])
    assert got.cells == [(0, 0, "3"), (0, 1, "4")]
    got = place([["Q1", "Q9"], ["1", "2"]], (0, 0), 2, 3, headers=headers)
    # Q9 names no column: the row is data, and the target refuses "Q1" as a score
    assert got.cells[:2] == [(0, 0, "Q1"), (0, 1, "Q9")]
    assert place([[""]], (0, 0), 0, 0).problems


def test_copy_gives_the_selection_with_headers(qtbot):
    from ui.table_model import Column, RecordTableModel
    from ui.views.bids import make_table

    model = RecordTableModel([Column("Name", lambda r: r["name"]),
                              Column("Amount", lambda r: r["amount"]),
                              Column("SME", lambda r: None, check=lambda r: r["sme"])])
    model.set_rows([{"id": "a", "name": "=cmd", "amount": 5, "sme": True},
                    {"id": "b", "name": "Beta\tLtd", "amount": 7, "sme": False}])
    view = make_table(model, "T")
    view.setSelectionMode(view.SelectionMode.ExtendedSelection)
    install(view)
    qtbot.addWidget(view)
    view.show()
    view.selectAll()
    assert selection_block(view) == [["Name", "Amount", "SME"], ["=cmd", "5", "yes"],
                                     ["Beta\tLtd", "7", "no"]]
    QGuiApplication.clipboard().setText("")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("Name\tAmount\tSME\n'=cmd\t5\tyes\n")
    assert parse_block(text)[2] == ["Beta\tLtd", "7", "no"]
