"""The Results view: ranking, headline, section chart, breakdown, price details, live.

Worked by hand on tests/data/example.json (NPV basis at 3.5% over 5 years):
- effective weights: Q1 60 x 25/100 = 15, Q2 60 x 75/100 = 45, P 40;
- B2: Q1 4 (E1 only: E2 has a conflict) -> 4/5 x 15 = 12; Q2 2 -> 2/5 x 45 = 18;
  B2 is the cheaper bid, so its price fraction is 1 -> 40 points; total 70;
- B1: Q1 mean of 3 and 5 = 4 -> 12; Q2 consensus 4 -> 36; quality 48; price
  c_min/c = NPV(B2)/NPV(B1) < 1, so B1 wins on quality.
Changing E2's B1/Q1 score from 5 to 1 makes the mean 2: Q1 gives 6 points, 6 fewer.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def view(qtbot, document):
    from ui.views.results import ResultsView

    v = ResultsView(document)
    qtbot.addWidget(v)
    v.resize(1300, 800)
    v.show()
    return v


def row_of(view, bid):
    m = view.ranking_model
    return m.row_of(lambda r: r["id"] == bid)


def cell(view, bid, title):
    m = view.ranking_model
    col = next(i for i, c in enumerate(m.columns) if c.title == title)
    return m.index(row_of(view, bid), col).data()


def test_ranking_and_headline(view, qtmodeltester):
    qtmodeltester.check(view.ranking_model)
    assert [r["id"] for r in view.ranking_model.rows] == ["B1", "B2"]
    assert cell(view, "B2", "Total") == "70.00"
    assert cell(view, "B2", "Quality") == "30.00"
    assert cell(view, "B2", "Price") == "40.00"
    assert cell(view, "B1", "Quality") == "48.00"
    assert cell(view, "B1", "Rank") == "1"
    assert cell(view, "B1", "Status") == "Ranked"
    assert view.ranking_model.headerData(8, Qt.Orientation.Horizontal) == "NPV"
    b1 = view.document.results().bid_json(0)
    # provisional (scores missing, nobody submitted or declared): a leader, not a winner
    assert view.headline.text().startswith(f"Provisional leader: B1 Example Suite Ltd with "
                                           f"{b1['total']:.2f} points")
    assert f"{b1['total'] - 70:.2f} ahead of B2 Small Co (70.00)" in view.headline.text()
    assert "Winner" not in view.headline.text()
    assert "Preferred bidder" not in view.headline.text()


def test_provisional_headline_lists_what_is_outstanding(view):
    from .conftest import make_final

    shown = view.outstanding.text().splitlines()
    assert view.outstanding.isVisibleTo(view)
    assert shown[0] == "Provisional: the results are not final while this is outstanding:"
    assert shown[1:] == [f"• {r['detail']}" for r in view.document.outstanding()]
    assert "• B. Jones (E2): 1 of 2 scores missing" in shown
    assert any("no dated declaration of interests" in line for line in shown)
    ef = view.document.file
    ef.set_score("tester", "E2", "B1", "Q2", 4)
    make_final(ef)
    view.document.changed.emit("all")
    assert not view.outstanding.isVisibleTo(view)
    assert view.headline.text().startswith("Preferred bidder: B2 Small Co with 70.00 points")


def test_a_changed_score_updates_the_table_at_once(view):
    doc = view.document
    before = float(cell(view, "B1", "Total"))
    doc.set_score("E2", "B1", "Q1", 1)
    assert float(cell(view, "B1", "Total")) == pytest.approx(before - 6, abs=0.006)
    assert [r["id"] for r in view.ranking_model.rows] == ["B2", "B1"]
    assert view.headline.text().startswith("Provisional leader: B2 Small Co with 70.00 points")
    doc.undo_stack.undo()
    assert cell(view, "B1", "Total") == f"{before:.2f}"


def test_excluded_bid_shows_reasons_and_no_rank(view):
    doc = view.document
    doc.set_gateway("B2", "G1", False, "no certificate")
    assert cell(view, "B2", "Status") == "Excluded"
    assert cell(view, "B2", "Rank") == "–"
    assert "failed the gateway G1 (Cyber Essentials Plus)" in cell(view, "B2", "Reasons")
    assert "1 bid not ranked" in view.headline.text()


def test_chart_has_one_set_per_top_level_section(view):
    sets = view.series.barSets()
    assert [s.label() for s in sets] == ["Q Quality", "P Whole-life cost"]
    assert all(s.count() == 2 for s in sets)  # one value per ranked bid
    # rank 1 is drawn on top: the last category of a horizontal bar chart
    assert sets[0].at(1) == pytest.approx(48.0)  # B1's quality
    assert sets[0].at(0) == pytest.approx(30.0)  # B2's quality
    assert sets[1].at(0) == pytest.approx(40.0)


def test_breakdown_and_price_details_of_the_selected_bid(view, qtmodeltester):
    view.select("B2")
    m = view.breakdown_model
    qtmodeltester.check(m)
    rows = [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert rows == [
        ["Q1 Fit without customisation", "Quality", "15.00%", "4", "12.00"],
        ["Q2 Exit", "Quality", "45.00%", "2", "18.00"],
        ["P Whole-life cost", "", "40.00%", "1.0000", "40.00"],
    ]
    assert "B2 Small Co" in view.breakdown_title.text()
    p = view.price_model
    qtmodeltester.check(p)
    assert p.index(0, 3).data() == "1.0000"
    assert "net present value (NPV) at a discount rate of 3.5%" in view.price_label.text()
    assert "(c_min)" in view.price_label.text()
    assert "(B2 Small Co)" in view.price_label.text()


def test_table_rows_say_what_bid_json_says(view):
    """The table reads the Results arrays directly (quicker than bid_json per bid);
    it must agree with bid_json, the results JSON, on every figure it shows."""
    res = view.document.results()
    for row in view.ranking_model.rows:
        expected = res.bid_json(row["_i"])
        del expected["criteria"]
        assert {k: row[k] for k in expected} == expected


def test_price_basis_column_heading_follows_the_evaluation(view, qtbot):
    """WLC instead of NPV: the same bids in the same order, so the rows update in place;
    the table's header must still be told that its heading changed."""
    ev = view.document.doc()["evaluation"]
    header = view.table.horizontalHeader()
    with qtbot.waitSignal(view.ranking_model.headerDataChanged, timeout=1000):
        view.document.update_evaluation({"appraisal": dict(ev["appraisal"], cost_basis="wlc")},
                                        "price scored on WLC, as the pack said")
    assert view.ranking_model.headerData(8, Qt.Orientation.Horizontal) == "WLC"
    assert header.model().headerData(8, Qt.Orientation.Horizontal) == "WLC"


def test_a_comparator_is_shown_as_such_with_no_rank(view):
    """In a competitive tender an option that is not a tender is scored beside the
    tenders but never ranked: status Comparator, no rank, named in the headline, and
    the lowest price is the lowest tender's."""
    doc = view.document
    doc.update_bid("B2", {"tender": False})
    doc.update_evaluation({"procedure": "competitive_tender"})
    assert cell(view, "B2", "Status") == "Comparator"
    assert cell(view, "B2", "Rank") == "–"
    assert cell(view, "B2", "Total") != ""  # scored like a ranked bid
    assert cell(view, "B1", "Rank") == "1"
    assert [r["id"] for r in view.ranking_model.rows] == ["B1", "B2"]
    text = view.headline.text()
    assert "B1 Example Suite Ltd" in text
    assert "the only ranked bid" in text
    assert "B2 is a comparator" in text
    assert "not ranked" not in text.replace("never ranked", "")
    view.select("B2")
    assert "a comparator" in view.price_label.text()
    assert "Lowest among tenders not excluded (c_min)" in view.price_label.text()
    assert "(B1 Example Suite Ltd)" in view.price_label.text()
    # an options appraisal ranks it again
    doc.update_evaluation({"procedure": "options_appraisal"})
    assert cell(view, "B2", "Status") == "Ranked"
