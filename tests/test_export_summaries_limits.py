"""The assessment summaries' final check at the input limits: what is missing is said
in a bounded number of lines (each tender's criteria cut to the first few and a count,
the tenders past the first few counted), and the DRAFT box counts every gap."""

import pytest
from summary_docs import finished
from test_export_summaries import _export, pdf_pages

from procure_desk.exports import summary_plan


@pytest.fixture
def few_shown(monkeypatch):
    monkeypatch.setattr(summary_plan, "SHOWN_CRITERIA", 2)
    monkeypatch.setattr(summary_plan, "SHOWN_MISSING", 1)


def without_feedback(bids):
    doc = finished()
    doc["feedback"] = [f for f in doc["feedback"] if f["bid"] not in bids]
    return doc


def test_the_refusal_lists_a_few_criteria_and_tenders_then_counts(tmp_path, capsys,
                                                                  few_shown):
    doc = without_feedback({"B3", "B5"})  # two assessed tenders, 9 scored criteria each
    code, out = _export(tmp_path, doc)
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    lines = [x for x in err.splitlines() if x.startswith("procure-desk: feedback")]
    assert len(lines) == 2  # the first tender, then the count of the others
    supplier = next(b["supplier"] for b in doc["bids"] if b["id"] == "B3")
    assert lines[0] == (f"procure-desk: feedback B3: {supplier}: no feedback written for "
                        f"the bidder on 9 criteria (F1, F2 and 7 more)")
    assert lines[1] == ("procure-desk: feedback: and 1 more tender with no feedback "
                        "written for the bidder on some criteria (the Feedback view lists "
                        "every tender and criterion)")


def test_the_draft_box_counts_every_gap(tmp_path, capsys, few_shown):
    doc = without_feedback({"B1", "B3", "B5"})
    code, out = _export(tmp_path, doc, "--draft")
    stdout = capsys.readouterr().out
    assert code == 0
    assert stdout.count("  missing: feedback") == 2  # one tender, then the count
    first_page = pdf_pages(next(out.iterdir()))[0]
    assert "(and 2 more items missing)" in first_page  # three tenders: three gaps
