"""Declarations of interests in the Evaluators view, and the reason a change to the
locked methodology asks for, driven as a user does.

The worked example: A. Patel (E1) and B. Jones (E2), who declared a conflict with B2;
nobody has made a declaration of interests yet.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication


@pytest.fixture
def panel(open_window, qtbot):
    open_window.activateWindow()
    view = open_window.show_view("evaluators")
    view.ensure_fresh()
    return view.declaration


def declaration(document, eid):
    return next(e for e in document.doc()["evaluators"] if e["id"] == eid).get("declaration")


def test_a_dated_nil_return_then_interests_typed_and_saved_on_leaving(panel, qtbot):
    doc = panel.document
    view = panel.view
    view.select("E1")
    assert panel.title.text() == "Declaration of interests: A. Patel (E1)"
    assert not panel.declared.isChecked()
    assert not panel.nil.isEnabled()
    assert "has made no declaration yet" in panel.status.text()
    panel.declared.click()  # declared today: a nil return until told otherwise
    assert declaration(doc, "E1") == {"date": dt.date.today().isoformat(), "interests": ""}
    assert panel.nil.isChecked()
    assert view.roster_model.index(0, 3).data() == f"{dt.date.today().isoformat()} nil return"
    # an earlier date: declarations are often recorded after they were made
    assert panel.date.minimumDate() <= QDate(2020, 1, 1)
    panel.date.setDate(QDate(2026, 2, 3))
    panel.date.editingFinished.emit()  # Enter, or leaving the box
    assert declaration(doc, "E1")["date"] == "2026-02-03"
    # interests declared: typed, saved when the box loses focus
    panel.some.click()
    assert panel.interests.isEnabled()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.interests)
    qtbot.keyClicks(panel.interests, "Shares in Small Co's parent company")
    assert declaration(doc, "E1")["interests"] == ""  # not yet: still typing
    view.roster.setFocus()
    qtbot.waitUntil(lambda: declaration(doc, "E1")["interests"] != "")
    assert declaration(doc, "E1") == {"date": "2026-02-03",
                                      "interests": "Shares in Small Co's parent company"}
    assert "interests declared" in panel.status.text()
    # each step undoes on its own
    doc.undo_stack.undo()
    assert declaration(doc, "E1") == {"date": "2026-02-03", "interests": ""}
    assert panel.nil.isChecked()
    doc.undo_stack.undo()
    assert declaration(doc, "E1")["date"] == dt.date.today().isoformat()
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert declaration(doc, "E1")["interests"].startswith("Shares")
    panel.nil.click()  # a nil return after all
    assert declaration(doc, "E1") == {"date": "2026-02-03", "interests": ""}
    panel.declared.click()  # no declaration at all
    assert declaration(doc, "E1") is None
    assert doc.audit(limit=1)[0].action == "declaration.clear"


def test_each_declared_conflict_has_its_nature_and_mitigation(panel, qtmodeltester):
    doc = panel.document
    panel.view.select("E2")
    m = panel.conflicts_model
    qtmodeltester.check(m)
    assert m.rowCount() == 1
    assert m.index(0, 0).data() == "B2 Small Co"
    assert m.index(0, 1).data() == doc.conflict_dates()[("E2", "B2")]
    assert m.flags(m.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    assert m.setData(m.index(0, 2), "Sister is the bid manager")
    assert m.setData(m.index(0, 3), "Does not score B2; not in the room for it")
    e2 = next(e for e in doc.doc()["evaluators"] if e["id"] == "E2")
    assert e2["conflict_details"]["B2"] == {
        "nature": "Sister is the bid manager",
        "mitigation": "Does not score B2; not in the room for it"}
    assert m.index(0, 2).data() == "Sister is the bid manager"
    doc.undo_stack.undo()
    assert m.index(0, 3).data() == ""
    assert m.index(0, 2).data() == "Sister is the bid manager"
    qtmodeltester.check(m)
    panel.view.select("E1")  # no conflict: nothing to describe
    assert m.rowCount() == 0
    assert "No conflict with any bid" not in panel.status.text()  # no declaration yet


def test_a_refused_declaration_says_why(panel, monkeypatch):
    from procure_desk.errors import BadInput

    def refuse(*a, **k):
        raise BadInput.one("evaluator E1.declaration", "is not a date")

    monkeypatch.setattr(panel.document, "set_declaration", refuse)
    panel.view.select("E1")
    panel.declared.click()
    assert "Declaration not saved: evaluator E1.declaration: is not a date" in \
        panel.view.banner.text()
    assert not panel.declared.isChecked()  # shows what is saved


# ---- the reason dialog -------------------------------------------------------------------------
def test_the_reason_dialog_shows_the_ranking_before_and_after(qtbot):
    from ui.reason_dialog import ReasonDialog, ranking_lines

    now, then = ranking_lines(["B1", "B2", "B3"], ["B2", "B1", "B3"],
                              {"B1": "One Ltd", "B2": "Two Ltd", "B3": "Three Ltd"})
    assert now == ["1. B1 One Ltd", "2. B2 Two Ltd", "3. B3 Three Ltd"]
    assert then == ["1. B2 Two Ltd (now 2)", "2. B1 One Ltd (now 1)", "3. B3 Three Ltd"]
    dialog = ReasonDialog(None, "Changing the weight of Q1", now, then)
    qtbot.addWidget(dialog)
    assert dialog.after_list.item(0).text() == "1. B2 Two Ltd (now 2)"
    assert not dialog.ok.isEnabled()  # a reason is required
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "addendum 2 issued to all bidders")
    assert dialog.ok.isEnabled()
    assert dialog.text() == "addendum 2 issued to all bidders"
