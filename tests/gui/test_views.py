"""One or more tests per view, driven as a user would, with every item model checked."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from ui import ask


@pytest.fixture
def show(open_window, qtbot):
    def show(key):
        view = open_window.show_view(key)
        view.ensure_fresh()
        return view
    return show


def by_id(records, rid):
    return next(r for r in records if r["id"] == rid)


# ---- criteria ---------------------------------------------------------------------------
def test_criteria_weights_effective_share_and_refusal(show, qtmodeltester, no_dialogs):
    from ui.views.criteria import EFFECTIVE, SUM, WEIGHT

    view = show("criteria")
    model = view.model
    qtmodeltester.check(model)
    # Q weighs 60 of 100 at the top; Q1 25 of Q's 100 -> 15% of the whole.
    assert model.index_of("Q1", EFFECTIVE).data() == "15"
    assert model.index_of("Q", SUM).data() == "100"
    assert model.setData(model.index_of("Q1", WEIGHT), "50")
    # now 50 of 125 within Q: 24% of the whole; the section sum follows
    assert model.index_of("Q1", EFFECTIVE).data() == "24"
    assert model.index_of("Q", SUM).data() == "125"
    assert not model.setData(model.index_of("Q1", WEIGHT), "-5")
    assert view.banner.isVisibleTo(view)
    assert "weight" in view.banner.text()
    assert model.index_of("Q1", WEIGHT).data() == "50"
    view.document.undo_stack.undo()
    assert model.index_of("Q1", EFFECTIVE).data() == "15"
    qtmodeltester.check(model)


def test_criteria_add_move_indent_outdent_and_undo(show, qtmodeltester):
    view = show("criteria")
    doc = view.document

    def order():
        return [(c["id"], c.get("parent")) for c in doc.doc()["criteria"]]

    start = order()
    view.select("Q")
    view.add_action.trigger()
    new = view.current_id()
    assert (new, "Q") in order()
    doc.undo_stack.undo()
    assert order() == start

    view.select("Q2")
    view.up_action.trigger()
    kids = [c for c, p in order() if p == "Q"]
    assert kids == ["Q2", "Q1"]
    view.outdent_action.trigger()
    assert ("Q2", None) in order()
    assert view.current_id() == "Q2"
    view.indent_action.trigger()  # back into Q, the section just above
    assert ("Q2", "Q") in order()
    for _ in range(3):
        doc.undo_stack.undo()
    assert order() == start
    qtmodeltester.check(view.model)


def test_empty_section_is_warned_of(show):
    view = show("criteria")
    view.select("P")
    view.add_section_action.trigger()
    new = view.current_id()
    assert view.warnings.isVisibleTo(view)
    assert new in view.warnings.text()
    view.document.undo_stack.undo()
    assert not view.warnings.isVisibleTo(view)


def test_removing_a_scored_criterion_asks_and_undoes(show, monkeypatch):
    view = show("criteria")
    doc = view.document
    answers = []
    monkeypatch.setattr(ask, "confirm", lambda parent, title, text: answers.append(text) or False)
    view.select("Q1")
    view.remove_action.trigger()
    assert "scores" in answers[0]
    assert any(c["id"] == "Q1" for c in doc.doc()["criteria"])
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    view.remove_action.trigger()
    assert not any(c["id"] == "Q1" for c in doc.doc()["criteria"])
    doc.undo_stack.undo()
    assert sum(1 for s in doc.doc()["scores"] if s["criterion"] == "Q1") == 3


def test_guidance_and_descriptors(show):
    view = show("criteria")
    view.select("Q2")
    view.guidance.setPlainText("How easily can we leave?")
    view.descriptors.setPlainText("0: No exit plan\n5: Full, tested exit plan")
    view.apply_button.click()
    rec = by_id(view.document.doc()["criteria"], "Q2")
    assert rec["guidance"] == "How easily can we leave?"
    assert rec["descriptors"] == {"0": "No exit plan", "5": "Full, tested exit plan"}
    view.descriptors.setPlainText("just words")
    view.apply_button.click()
    assert "score: description" in view.banner.text()


# ---- bids -------------------------------------------------------------------------------
def test_bids_add_with_costs_and_preview(show, qtmodeltester):
    view = show("bids")
    doc = view.document
    for m in (view.bid_model, view.cost_model, view.year_model):
        qtmodeltester.check(m)
    view.add_bid()
    row = len(view.bid_model.rows) - 1
    assert view.bid_model.setData(view.bid_model.index(row, 1), "=HYPERLINK(\"x\") <b>&</b>")
    view.table.selectRow(row)
    view.add_line()
    cm = view.cost_model
    assert cm.setData(cm.index(0, 2), "120,000")
    assert cm.setData(cm.index(0, 3), "1")
    assert cm.setData(cm.index(0, 4), "2")
    assert cm.setData(cm.index(0, 1), "hosting")
    bid = doc.doc()["bids"][-1]
    assert bid["supplier"] == "=HYPERLINK(\"x\") <b>&</b>"
    assert bid["costs"] == [{"item": "New cost", "category": "hosting", "amount": 120000,
                             "start_year": 1, "years": 2}]
    # years 1 and 2 of the 5-year appraisal carry the cost: WLC 240,000
    assert view.bid_model.index(row, 5).data() == "£240,000"
    assert [view.year_model.index(y, 1).data() for y in range(5)] == [
        "£0", "£120,000", "£120,000", "£0", "£0"]
    qtmodeltester.check(view.year_model)
    # a negative amount is refused at the editor, with the reason
    assert not cm.setData(cm.index(0, 2), "-5")
    assert "amount" in view.banner.text()
    assert doc.doc()["bids"][-1]["costs"][0]["amount"] == 120000
    assert doc.undo_stack.count() == 7  # add bid, name, add line, four cell edits
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert len(doc.doc()["bids"]) == 2


def test_bid_exit_share_and_sme(show):
    view = show("bids")
    # B1: WLC 250k + 4 x 90k... over 5 years: 250k + 90k*4 + 40k = 650k; exit 40k = 6.2%
    assert view.bid_model.index(0, 5).data() == "£650,000"
    assert view.bid_model.index(0, 7).data() == "6.2%"
    idx = view.bid_model.index(0, 3)
    assert view.bid_model.setData(idx, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert view.document.doc()["bids"][0]["sme"] is True


def test_removing_a_scored_bid_asks_and_undoes(show, monkeypatch):
    view = show("bids")
    doc = view.document
    monkeypatch.setattr(ask, "confirm", lambda *a: False)
    view.table.selectRow(0)
    view.remove_bid()
    assert len(doc.doc()["bids"]) == 2
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    view.remove_bid()
    assert [b["id"] for b in doc.doc()["bids"]] == ["B2"]
    doc.undo_stack.undo()
    assert [b["id"] for b in doc.doc()["bids"]] == ["B1", "B2"]
    assert len(view.bid_model.rows) == 2


# ---- evaluators -------------------------------------------------------------------------
def test_declare_conflict_in_the_matrix(show, qtmodeltester, monkeypatch):
    view = show("evaluators")
    qtmodeltester.check(view.roster_model)
    qtmodeltester.check(view.conflicts_model)
    doc = view.document
    m = view.conflicts_model
    # E2 declared a conflict with B2 in the example
    assert m.index(1, 1).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    asked = []
    monkeypatch.setattr(ask, "confirm", lambda p, t, text: asked.append(text) or True)
    assert m.setData(m.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert "2 scores" in asked[0]
    assert "B1" in by_id(doc.doc()["evaluators"], "E1")["conflicts"]
    assert m.index(0, 0).data() == date.today().isoformat()
    assert not any(s["evaluator"] == "E1" and s["bid"] == "B1" for s in doc.doc()["scores"])
    assert view.roster_model.index(0, 3).data() == "B1"
    doc.undo_stack.undo()
    assert sum(1 for s in doc.doc()["scores"] if (s["evaluator"], s["bid"]) == ("E1", "B1")) == 2
    assert m.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    qtmodeltester.check(m)


def test_roster_add_rename_remove(show, monkeypatch):
    view = show("evaluators")
    doc = view.document
    view.add_evaluator()
    rm = view.roster_model
    assert rm.setData(rm.index(2, 1), "C. Okafor")
    assert rm.setData(rm.index(2, 2), "Procurement lead")
    assert doc.doc()["evaluators"][2] == {"id": "E3", "name": "C. Okafor",
                                          "role": "Procurement lead", "conflicts": []}
    assert view.conflicts_model.rowCount() == 3
    view.roster.selectRow(2)
    view.remove_evaluator()  # no scores: no question asked
    assert len(doc.doc()["evaluators"]) == 2


# ---- audit ------------------------------------------------------------------------------
def test_audit_lists_and_filters_changes(show, open_window, qtmodeltester):
    doc = open_window.document
    doc.set_score("E1", "B1", "Q1", 4)
    doc.actor = "Someone Else"
    doc.update_evaluation({"reference": "REF-2"})
    view = show("audit")
    qtmodeltester.check(view.model)
    actions = [e.action for e in view.model.rows]
    assert actions[:2] == ["evaluation.update", "score.set"]
    # only what changed: the Record column already names evaluator, bid and criterion
    assert view.model.index(1, 3).data() == "E1/B1/Q1"
    assert view.model.index(1, 4).data() == "score 3"
    assert view.model.index(1, 5).data() == "score 4"
    assert '"comment": "..."' in view.model.index(1, 4).data(Qt.ItemDataRole.ToolTipRole)
    view.search.setText("E1/B1")
    view.refresh()
    assert [e.action for e in view.model.rows] == ["score.set"]
    view.search.setText("")
    view.who.setCurrentIndex(view.who.findData("Someone Else"))
    view.refresh()
    assert [e.actor for e in view.model.rows] == ["Someone Else"]
    assert view.count.text() == "1 change"


def test_audit_shows_a_changed_cost_and_a_new_record_briefly(show, open_window):
    doc = open_window.document
    costs = [dict(c) for c in doc.doc()["bids"][0]["costs"]]
    costs[0]["amount"] = 1250.5
    doc.update_bid("B1", {"costs": costs})
    doc.set_consensus("B1", "Q1", 4, "Agreed <b>& settled</b>")
    view = show("audit")
    m = view.model
    consensus, bid = m.rows[0], m.rows[1]
    assert (consensus.action, bid.action) == ("consensus.set", "bid.update")
    assert m.index(1, 4).data() == "costs[0].amount 250000"
    assert m.index(1, 5).data() == "costs[0].amount 1250.5"
    # a new record: its fields, less the bid and criterion the Record column names
    assert m.index(0, 3).data() == "B1/Q1"
    assert m.index(0, 4).data() == ""
    assert m.index(0, 5).data() == 'score 4, rationale "Agreed <b>& settled</b>"'


# ---- overview ---------------------------------------------------------------------------
def test_overview_progress_and_details(show, qtmodeltester):
    view = show("overview")
    qtmodeltester.check(view.progress_model)
    rows = {r["name"]: (r["done"], r["expected"]) for r in view.progress_model.rows}
    # 2 bids x 2 scored questions; E2 has a conflict with B2 so is expected to score 2
    assert rows == {"E1 A. Patel": (4, 4), "E2 B. Jones": (1, 2)}
    assert "1 of" not in view.summary.text()
    assert "5 of 6 scores entered" in view.summary.text()
    assert "✘  All scores entered (5 of 6)" in view.checklist.text()
    title = view.fields["title"]
    title.setText("Customer platform (re-tender)")
    title.editingFinished.emit()
    assert view.document.doc()["evaluation"]["title"] == "Customer platform (re-tender)"
    rate = view.fields["rate"]
    rate.setText("150")
    rate.editingFinished.emit()
    assert "discount_rate" in view.banner.text()
    assert view.document.doc()["evaluation"]["appraisal"]["discount_rate"] == 0.035
    assert rate.text() == "3.5"
    view.document.set_score("E2", "B1", "Q2", 4)
    assert "6 of 6 scores entered" in view.summary.text()
