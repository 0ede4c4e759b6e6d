"""RecordTableModel: the editor's text, in-place refreshes, and a reset that waits for
the commit that caused it (then puts the current cell back on the same record)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from procure_desk.errors import BadInput
from ui.table_model import Column, RecordTableModel, parse_number, plain_text
from ui.views.bids import make_table


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (1250.5, "1250.5"), (90000.0, "90000"),
                                             (1e20, "100000000000000000000"),
                                             (1e-7, "0.0000001"), ("£5", "£5"), (True, True)])
def test_numbers_are_edited_as_plain_text(value, text):
    assert plain_text(value) == text
    if isinstance(text, str) and not isinstance(value, str):
        assert parse_number(text, "x") == value  # what the editor shows reads back the same


class Sorted:
    """Records kept sorted by amount, as a ranking is: an edit can reorder the rows."""

    def __init__(self):
        self.records = [{"id": "a", "amount": 1}, {"id": "b", "amount": 2},
                        {"id": "c", "amount": 3}]
        self.model = RecordTableModel([
            Column("ID", lambda r: r["id"]),
            Column("Amount", lambda r: f"£{r['amount']:,}", self.edit,
                   edit_value=lambda r: r["amount"]),
        ])
        self.refresh()

    def edit(self, row, value):
        amount = parse_number(value, f"{row['id']}.amount")
        if amount < 0:
            raise BadInput.one(f"{row['id']}.amount", "is negative")
        next(r for r in self.records if r["id"] == row["id"])["amount"] = amount
        self.refresh()  # as a view refreshes on Document.changed, inside the commit

    def refresh(self):
        self.model.set_rows(sorted((dict(r) for r in self.records),
                                   key=lambda r: r["amount"]))


@pytest.fixture
def table(qtbot):
    data = Sorted()
    view = make_table(data.model, "Amounts")
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return data, view


def type_into(qtbot, view, index, text):
    view.setFocus()
    view.setCurrentIndex(index)
    QTest.keyClick(view, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(1)  # Enter commits through a queued call


def test_same_records_update_in_place(table, qtbot, qtmodeltester):
    data, view = table
    resets = []
    data.model.modelReset.connect(lambda: resets.append(1))
    type_into(qtbot, view, data.model.index(1, 1), "2.5")  # b stays between a and c
    assert resets == []
    assert data.model.index(1, 1).data() == "£2.5"
    assert view.currentIndex() == data.model.index(1, 1)
    assert QApplication.focusWidget() is view
    qtmodeltester.check(data.model)


def test_reordering_edit_resets_after_the_commit_and_keeps_the_record(table, qtbot):
    data, view = table
    type_into(qtbot, view, data.model.index(0, 1), "£1,000")  # a moves to the bottom
    # the rows change once the commit is over; the current cell follows record a
    qtbot.waitUntil(lambda: [r["id"] for r in data.model.rows] == ["b", "c", "a"])
    assert data.records[0]["amount"] == 1000
    assert view.currentIndex() == data.model.index(2, 1)
    assert QApplication.focusWidget() is view
    QTest.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex() == data.model.index(1, 1)


def test_refused_edit_says_why_and_changes_nothing(table, qtbot):
    data, view = table
    said, accepted = [], []
    data.model.refused.connect(said.append)
    data.model.accepted.connect(lambda: accepted.append(1))
    type_into(qtbot, view, data.model.index(0, 1), "abc")
    assert said == ["a.amount: 'abc' is not a number"]
    type_into(qtbot, view, data.model.index(0, 1), "-1")
    assert said[-1] == "a.amount: is negative"
    assert data.records[0]["amount"] == 1
    assert not accepted
    type_into(qtbot, view, data.model.index(0, 1), "0.5")
    assert accepted == [1]
