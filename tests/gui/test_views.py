"""One or more tests per view, driven as a user would, with every item model checked."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

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
def test_criteria_weights_effective_share_and_refusal(show, qtmodeltester, no_dialogs, qtbot,
                                                     reasons):
    from ui.views.criteria import EFFECTIVE, SUM, WEIGHT

    view = show("criteria")
    model = view.model
    qtmodeltester.check(model)
    # Q weighs 60 of 100 at the top; Q1 25 of Q's 100 -> 15% of the whole.
    assert model.index_of("Q1", EFFECTIVE).data() == "15"
    assert model.index_of("Q", SUM).data() == "100"
    assert not view.shares.isVisibleTo(view)  # every set of siblings totals 100
    # scoring has opened: the weight changes once a reason is given (asked after the
    # editor closes), seeing the ranking before and after
    model.setData(model.index_of("Q1", WEIGHT), "50")
    qtbot.waitUntil(lambda: model.index_of("Q1", WEIGHT).data() == "50")
    what, before, after = reasons[0]
    assert what == "Changing the weight of Q1"
    assert before[0].startswith("1. B1 Example Suite Ltd")
    assert len(after) == len(before)
    # now 50 of 125 within Q: 24% of the whole; the section sum follows
    assert model.index_of("Q1", EFFECTIVE).data() == "24"
    assert model.index_of("Q", SUM).data() == "125"
    # Q1 and Q2 no longer total 100: the total and what each counts as are shown
    assert view.shares.isVisibleTo(view)
    assert view.shares.text() == ("Weights under Q Quality total 125: Q1 Fit without "
                                  "customisation counts as 40.0%, Q2 Exit counts as 60.0%.")
    model.setData(model.index_of("Q1", WEIGHT), "-5")
    qtbot.waitUntil(lambda: view.banner.isVisibleTo(view))
    assert "weight" in view.banner.text()
    assert len(reasons) == 1  # refused before any question
    assert model.index_of("Q1", WEIGHT).data() == "50"
    view.document.undo_stack.undo()
    assert model.index_of("Q1", EFFECTIVE).data() == "15"
    qtmodeltester.check(model)


def test_criteria_add_move_indent_outdent_and_undo(show, qtmodeltester, reasons):
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
    # adding, and moving into or out of a section, change the methodology: a move
    # among siblings does not
    assert [what for what, _b, _a in reasons] == [
        "Adding new question", "Moving Q2 out of Q", "Moving Q2 into Q"]


def test_a_methodology_change_without_a_reason_is_not_made(show, monkeypatch):
    view = show("criteria")
    monkeypatch.setattr(ask, "methodology_reason", lambda *a: None)  # Cancel
    view.select("Q2")
    view.outdent_action.trigger()
    assert by_id(view.document.doc()["criteria"], "Q2")["parent"] == "Q"
    assert "no reason was given" in view.banner.text()
    assert view.document.undo_stack.count() == 0


def test_empty_section_is_warned_of(show, reasons):
    view = show("criteria")
    view.select("P")
    view.add_section_action.trigger()
    new = view.current_id()
    assert view.warnings.isVisibleTo(view)
    assert new in view.warnings.text()
    view.document.undo_stack.undo()
    assert not view.warnings.isVisibleTo(view)


def test_removing_a_scored_criterion_asks_and_undoes(show, monkeypatch, reasons):
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
    assert [what for what, _b, _a in reasons] == ["Removing Q1 Fit without customisation"]
    doc.undo_stack.undo()
    assert sum(1 for s in doc.doc()["scores"] if s["criterion"] == "Q1") == 3


def test_guidance_and_descriptors(show, reasons, monkeypatch):
    view = show("criteria")
    view.select("Q2")
    view.guidance.setPlainText("How easily can we leave?")
    view.descriptors.setPlainText("0: No exit plan\n5: Full, tested exit plan")
    view.apply_button.click()
    rec = by_id(view.document.doc()["criteria"], "Q2")
    assert rec["guidance"] == "How easily can we leave?"
    assert rec["descriptors"] == {"0": "No exit plan", "5": "Full, tested exit plan"}
    assert [what for what, _b, _a in reasons] == ["Changing the descriptors of Q2"]
    view.guidance.setPlainText("Guidance is not the methodology")
    view.apply_button.click()
    assert by_id(view.document.doc()["criteria"], "Q2")["guidance"].startswith("Guidance")
    assert len(reasons) == 1
    view.descriptors.setPlainText("just words")
    view.apply_button.click()
    assert "score: description" in view.banner.text()
    closing: list[str] = []  # the refused text is a draft the window names on closing
    monkeypatch.setattr("ui.ask.confirm", lambda parent, title, text: closing.append(text)
                        or True)
    view.window().close()
    assert "Q2" in closing[0]


# ---- bids -------------------------------------------------------------------------------
def test_bids_add_with_costs_and_preview(show, qtmodeltester):
    view = show("bids")
    doc = view.document
    for m in (view.bid_model, view.cost_model, view.year_model):
        qtmodeltester.check(m)
    view.add_bid()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # the supplier's editor
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
    assert view.roster_model.index(0, 4).data() == "B1"
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
    # in plain words, not score.set
    assert view.model.index(1, 2).data() == "A. Patel's score for B1 on Q1 changed from 3 to 4"
    assert view.model.index(0, 2).data() == "Evaluation settings changed: reference"
    assert view.model.index(0, 3).data() == "reference “HDC-2026-014” → “REF-2”"
    # the record as stored is in the tooltip
    tip = view.model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("score.set score E1/B1/Q1")
    assert '"comment": "..."' in tip
    view.search.setText("E1/B1")
    view.refresh()
    assert [e.action for e in view.model.rows] == ["score.set"]
    view.search.setText("")
    view.who.setCurrentIndex(view.who.findData("Someone Else"))
    view.refresh()
    assert [e.actor for e in view.model.rows] == ["Someone Else"]
    assert view.count.text() == "1 change"


def test_audit_times_are_local_and_stored_in_utc(show, open_window, monkeypatch):
    import os
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+5:30 all year round
    time.tzset()
    try:
        view = show("audit")
        e = view.model.rows[-1]
        assert e.at.endswith("Z")  # kept in UTC
        utc = e.at[11:16]
        shown = view.model.index(len(view.model.rows) - 1, 0).data()
        h, m = (int(x) for x in utc.split(":"))
        local = (h * 60 + m + 330) % (24 * 60)
        assert shown[11:16] == f"{local // 60:02d}:{local % 60:02d}"
        assert view.model.index(len(view.model.rows) - 1, 0).data(
            Qt.ItemDataRole.ToolTipRole) == f"{e.at} (UTC)"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        assert os.environ.get("TZ") is None


def test_audit_says_each_change_in_plain_words(show, open_window, monkeypatch):
    doc = open_window.document
    costs = [dict(c) for c in doc.doc()["bids"][0]["costs"]]
    costs[0]["amount"] = 1250.5
    doc.update_bid("B1", {"costs": costs})
    doc.set_consensus("B1", "Q1", 4, "Agreed <b>& settled</b>")
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    doc.set_conflict("E1", "B2", True, "2026-03-02")
    doc.set_declaration("E2", "2026-03-01", "")
    doc.set_conflict_details("E1", "B2", "Brother-in-law is a director", "Does not score B2")
    doc.set_score("E2", "B1", "Q2", 4, "Clear plan")
    doc.submit("E2")
    doc.withdraw_submission("E2", "scored the wrong bid")
    view = show("audit")
    m = view.model
    said = [(m.index(r, 2).data(), m.index(r, 3).data()) for r in range(8)]
    assert said == [
        ("B. Jones's submission withdrawn: their scores are unlocked",
         "Reason: “scored the wrong bid”"),
        ("B. Jones submitted their scores (signed off: locked)", ""),
        ("B. Jones scored B1 on Q2: 4", "Comment: “Clear plan”"),
        ("Conflict of interest described: A. Patel with B2",
         "Nature: “Brother-in-law is a director”; mitigation agreed: “Does not score B2”"),
        ("Declaration of interests: B. Jones, dated 2026-03-01, nil return", ""),
        ("Conflict of interest declared: A. Patel with B2",
         "Declared on 2026-03-02; 2 of their scores on the bid set aside"),
        ("Consensus score for B1 on Q1: 4", "Rationale: “Agreed <b>& settled</b>”"),
        ("Bid B1 Example Suite Ltd changed",
         "costs line 1 amount 250000 → 1250.5"),
    ]
    import re

    assert not [m.index(r, 2).data() for r in range(m.rowCount())
                if re.search(r"\b[a-z_]+\.[a-z_]+\b", m.index(r, 2).data())]


# ---- overview ---------------------------------------------------------------------------
def test_overview_progress_and_details(show, qtmodeltester):
    view = show("overview")
    qtmodeltester.check(view.progress_model)
    rows = {r["name"]: (r["done"], r["expected"]) for r in view.progress_model.rows}
    # 2 bids x 2 scored questions; E2 has a conflict with B2 so is expected to score 2
    assert rows == {"E1 A. Patel": (4, 4), "E2 B. Jones": (1, 2)}
    assert "1 of" not in view.summary.text()
    assert "5 of 6 scores entered" in view.summary.text()
    assert ("✘  Every evaluator has scored every bid they may score: B. Jones (E2): 1 of 2 "
            "scores missing (in Scoring)") in view.checklist.text()
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


def test_overview_checklist_ticks_only_what_the_data_bear_out(show, open_window, tmp_path):
    from procure_desk.services import EvaluationFile

    view = show("overview")
    text = view.checklist.text()
    assert text.startswith("Stage: scoring")
    # scores are missing: moderation is not done, nobody is the preferred bidder yet
    assert "✘  Moderation done" in text
    assert "✘  Provisional leader: B1" in text
    assert "Preferred bidder" not in text
    assert "✘  Every evaluator has a dated declaration of interests: A. Patel (E1), " in text
    # an empty evaluation ticks nothing
    empty = tmp_path / "empty.pdesk"
    doc = {"format": "procure-desk/evaluation", "version": 1,
           "evaluation": {"title": "Nothing yet"}, "criteria": [], "bids": [],
           "evaluators": [], "scores": [], "consensus": [], "gateways": []}
    EvaluationFile.create(empty, doc, actor="tester").close()
    assert open_window.open_file(empty)
    view = show("overview")
    lines = view.checklist.text().splitlines()
    assert lines[0] == "Stage: setting up"
    assert not [line for line in lines[1:-1] if line.startswith("✔")]
    assert "✘  No preferred bidder yet" in lines
