"""The Moderation view: flagged pairs, consensus entry with its rationale, undo.

In the worked example (tests/data/example.json) E1 scored B1/Q1 3 and E2 scored it
5: a spread of 2, the flag threshold, with no consensus: the one flagged pair. Q1's
effective weight is 60% x 25/100 = 15% and the scale tops at 5, so B1's Q1
contribution is mean 4 / 5 x 15 = 12 points today, and 15 with a consensus of 5.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from procure_desk.engine import compute


@pytest.fixture
def view(qtbot, document):
    from ui.views.moderation import ModerationView

    v = ModerationView(document)
    qtbot.addWidget(v)
    v.resize(1300, 700)
    v.show()
    return v


def cells(model, row):
    return [model.index(row, c).data() for c in range(model.columnCount())]


def b1_total(document):
    return document.results().bid_json(0)["total"]


def test_flagged_row_shown_and_highlighted(view, qtmodeltester):
    m = view.model
    qtmodeltester.check(m)
    assert view.flagged_box.isChecked()  # on by default when there are flags
    assert m.rowCount() == 1
    assert cells(m, 0)[:8] == ["B1 Example Suite Ltd", "Q1 Fit without customisation",
                               "3", "5", "2", "4", "", ""]
    assert m.index(0, 3).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert m.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "1 flagged" in view.summary.text()
    view.flagged_box.setChecked(False)
    qtmodeltester.check(m)
    # every pair with a score: B1/Q1, B1/Q2, B2/Q1, B2/Q2; E2 has a conflict with B2
    assert m.rowCount() == 4
    b2q1 = cells(m, m.row_of("B2", "Q1"))
    assert b2q1[2:4] == ["4", "conflict"]
    assert m.index(m.row_of("B1", "Q2"), 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert cells(m, m.row_of("B1", "Q2"))[6:8] == ["4", "agreed"]  # the recorded consensus


def test_detail_panel_shows_the_evaluators_comments(view):
    view.select("B1", "Q1")
    text = view.comments.toPlainText()
    assert "E1 A. Patel: 3" in text
    assert "E2 B. Jones: 5" in text
    assert "..." in text  # E1's comment
    assert "Flagged" in view.detail_info.text()


def test_consensus_with_rationale_clears_the_flag_and_changes_results(view, qtmodeltester):
    doc = view.document
    before = b1_total(doc)
    view.select("B1", "Q1")
    view.score_box.setCurrentIndex(view.score_box.findData(5))
    view.rationale.setPlainText("Both agreed the demo showed full fit.")
    assert view.save_consensus()
    assert doc.results().flags() == []
    assert view.model.flag_count() == 0
    assert b1_total(doc) == pytest.approx(before + 3.0)  # 12 -> 15 points on Q1
    rec = next(c for c in doc.doc()["consensus"] if (c["bid"], c["criterion"]) == ("B1", "Q1"))
    assert (rec["score"], rec["rationale"]) == (5, "Both agreed the demo showed full fit.")
    # the original scores stay visible beside the consensus
    view.flagged_box.setChecked(False)
    qtmodeltester.check(view.model)
    row = cells(view.model, view.model.row_of("B1", "Q1"))
    assert row[2:7] == ["3", "5", "2", "4", "5"]
    # undo brings the flag back and the total with it
    doc.undo_stack.undo()
    assert doc.results().flags() == [{"bid": "B1", "criterion": "Q1", "spread": 2.0}]
    assert view.model.flag_count() == 1
    assert b1_total(doc) == pytest.approx(before)
    # the same result the engine gives on the document itself
    assert b1_total(doc) == pytest.approx(compute(doc.snapshot()).bid_json(0)["total"])


def test_consensus_without_rationale_is_refused(view):
    doc = view.document
    rev = doc.revision
    view.select("B1", "Q1")
    view.score_box.setCurrentIndex(view.score_box.findData(4))
    view.rationale.setPlainText("   ")
    assert not view.save_consensus()
    assert "needs a rationale" in view.banner.text()
    assert view.banner.isVisibleTo(view)
    assert doc.revision == rev
    assert view.model.flag_count() == 1


def test_clear_consensus_and_undo(view):
    doc = view.document
    view.flagged_box.setChecked(False)
    view.select("B1", "Q2")
    assert view.clear_button.isEnabled()
    assert view.clear_consensus()
    assert not [c for c in doc.doc()["consensus"] if c["bid"] == "B1"]
    doc.undo_stack.undo()
    assert [(c["criterion"], c["score"]) for c in doc.doc()["consensus"]] == [("Q2", 4)]


def test_saving_with_flagged_only_confirms_and_moves_to_the_next_flag(view):
    doc = view.document
    e3 = doc.add_evaluator({"name": "C. Third", "role": "Finance"})
    doc.set_score(e3, "B2", "Q1", 0)  # E1 gave B2/Q1 a 4: a spread of 4, a second flag
    assert view.flagged_box.isChecked()
    assert [view.model.row(n).bid["id"] for n in range(view.model.rowCount())] == ["B1", "B2"]
    view.select("B1", "Q1")
    view.score_box.setCurrentIndex(view.score_box.findData(4))
    view.rationale.setPlainText("Agreed at the panel meeting.")
    assert view.save_consensus()
    # the saved row has left the table; the view says what was saved and where it is now
    assert view.model.row_of("B1", "Q1") == -1
    assert view.notice.text() == "Consensus recorded for B1 Q1: 4. Next flagged: B2 Q1."
    assert view.current_key() == ("B2", "Q1")
    assert "B2" in view.detail_title.text()
    view.score_box.setCurrentIndex(view.score_box.findData(4))
    view.rationale.setPlainText("Finance misread the pricing schedule.")
    assert view.save_consensus()
    assert view.notice.text() == "Consensus recorded for B2 Q1: 4. No flags left."
    assert view.notice.isVisibleTo(view)
