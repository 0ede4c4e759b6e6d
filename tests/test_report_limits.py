"""The evaluation report at the input limits: section 5 (bid by bid) prints the table of
points by criterion only while the rows printed stay within a budget, says so at its
start and under each bid left without one, bounds the reasons listed under a bid, and
the report never builds the results JSON (a record per bid and criterion)."""

import copy
import re
import shutil
import subprocess

import pytest
from test_export_xlsx import make_file, rich_doc

from procure_desk import engine
from procure_desk.exports import Source, pdf_bids
from procure_desk.exports.pdf_report import write_pdf

LEFT_OUT = ("Its points by criterion are not printed here (see the start of this section): "
            "the evidence pack's Results sheet holds them.")


def section_5(path):
    """The text of section 5, its lines joined by single spaces."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = " ".join(text.split())
    return text[text.index("5. Bid by bid"):text.index("6. Moderation record")]


def many_bids(example_doc, n=8):
    """The rich example with `n` more bids priced and scored like B2; the names carry
    markup and a formula, printed as typed."""
    doc = rich_doc(example_doc)
    base = next(b for b in doc["bids"] if b["id"] == "B2")
    scores = [s for s in doc["scores"] if s["bid"] == "B2"]
    for k in range(n):
        b = copy.deepcopy(base)
        b["id"], b["supplier"] = f"C{k}", f"<b>Extra & Co</b> {k} =cmd"
        b["costs"][0]["amount"] += 1000 * (k + 1)
        doc["bids"].append(b)
        doc["scores"] += [{**s, "bid": b["id"]} for s in scores]
    return doc


def order_of(src):
    """Bid ids in the order of section 5: ranked bids in rank order, then the others."""
    res = src.results
    ranked = list(res.ranking)
    return [res.snap.bid_ids[i] for i in ranked + [i for i in range(len(res.snap.bid_ids))
                                                    if i not in ranked]]


def heading_at(text, src, bid):
    """Where the bid's heading is (followed by its status line; the page's DRAFT mark
    may come between them in the extracted text)."""
    found = re.search(re.escape(f"{bid} {src.supplier(bid)}") + r".{0,60}? Status:", text)
    assert found, bid
    return found.start()


def caption(src, bid, what):
    return f"{bid} {src.supplier(bid)}: points by {what}"


def test_tables_within_the_budget_then_a_line_per_bid(tmp_path, example_doc, monkeypatch):
    src = Source.load(make_file(tmp_path, many_bids(example_doc)))
    leaves = len(src.results.snap.scored_ids) + len(src.results.snap.price_ids)
    assert leaves == 6
    monkeypatch.setattr(pdf_bids, "ROW_BUDGET", 3 * leaves + leaves - 1)  # room for 3
    text = section_5(write_pdf(src, tmp_path / "r.pdf"))
    order = order_of(src)
    n = len(order)
    assert n == 13
    assert (f"The first 3 of the {n} bids, in the order of this section (ranked bids in "
            f"rank order, then the others), also have their points by criterion (6 rows a "
            f"bid); the other {n - 3} are left out to keep this report to a readable "
            f"length. The evidence pack's Results sheet holds every bid's points by "
            f"criterion.") in text
    starts = [heading_at(text, src, bid) for bid in order]
    assert starts == sorted(starts)  # in the order of the section
    for k, bid in enumerate(order):
        part = text[starts[k]:starts[k + 1] if k + 1 < n else len(text)]
        assert caption(src, bid, "section") in part  # every bid keeps its sections
        if k < 3:
            assert caption(src, bid, "criterion") in part
            assert LEFT_OUT not in part
        else:
            assert caption(src, bid, "criterion") not in part
            assert LEFT_OUT in part
    assert text.count(LEFT_OUT) == n - 3
    assert "<b>Extra & Co</b> 0 =cmd" in text  # hostile names as typed


def test_within_the_budget_every_bid_has_its_table_and_no_note(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, many_bids(example_doc)))
    text = section_5(write_pdf(src, tmp_path / "r.pdf"))
    assert "left out" not in text
    assert LEFT_OUT not in text
    for bid in order_of(src):
        assert caption(src, bid, "criterion") in text
    # a bid's points by section: Q (50 x 50%), SV and P, each with its points
    b2 = src.results.snap.bid_ids.index("B2")
    sections = src.results.snap.section_ids
    q = src.results.sections[b2, sections.index("Q")]
    assert f"Q Quality 50.00 {q:.2f}" in text[text.index(caption(src, "B2", "section")):]


def test_a_budget_of_no_table_says_none(tmp_path, example_doc, monkeypatch):
    src = Source.load(make_file(tmp_path, many_bids(example_doc, 0)))
    monkeypatch.setattr(pdf_bids, "ROW_BUDGET", 5)  # under one bid's 6 rows
    text = section_5(write_pdf(src, tmp_path / "r.pdf"))
    n = len(order_of(src))
    assert f"None of the {n} bids, in the order of this section" in text
    assert text.count(LEFT_OUT) == n


def test_reasons_under_a_bid_are_bounded(tmp_path, example_doc, monkeypatch):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    i = src.results.snap.bid_ids.index("B4")
    reasons = src.results.reasons[i]
    assert src.results.status[i] == "incomplete"
    assert len(reasons) >= 2
    monkeypatch.setattr(pdf_bids, "REASONS_SHOWN", 1)
    text = section_5(write_pdf(src, tmp_path / "r.pdf"))
    part = text[heading_at(text, src, "B4"):]
    assert f"• {reasons[0]}" in part
    assert f"• {reasons[1]}" not in part
    more = len(reasons) - 1
    assert (f"• and {more} more reason{'s' if more > 1 else ''}: the evidence pack's Bids "
            f"sheet lists every one.") in part


def test_the_report_never_builds_the_results_json(tmp_path, example_doc, monkeypatch):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc, basis="wlc")))

    def refused(*a, **kw):
        raise AssertionError("the report built a record per bid and criterion")

    monkeypatch.setattr(engine.Results, "to_json", refused)
    monkeypatch.setattr(engine.Results, "bid_json", refused)
    out = write_pdf(src, tmp_path / "r.pdf")
    assert out.stat().st_size > 0


def test_flags_are_counted_from_the_arrays(tmp_path, example_doc):
    doc = many_bids(example_doc, 3)
    for b in ("C0", "C1", "C2"):  # a spread of 4 on Q2 (flag at 2), no consensus
        doc["scores"] = [s for s in doc["scores"] if not (s["bid"] == b and
                                                          s["criterion"] == "Q2")]
        doc["scores"] += [{"evaluator": "E1", "bid": b, "criterion": "Q2", "score": 1},
                          {"evaluator": "E2", "bid": b, "criterion": "Q2", "score": 5}]
    src = Source.load(make_file(tmp_path, doc))
    count, bids, shown = pdf_bids.flagged(src.results, 2)
    flags = src.results.flags()
    assert count == len(flags)
    assert bids == len({f["bid"] for f in flags})
    widest = sorted(flags, key=lambda f: -f["spread"])[:2]
    assert shown == widest


def test_consensus_scores_past_the_limit_are_those_of_the_first_bids(tmp_path, example_doc,
                                                                     monkeypatch):
    from procure_desk.exports import pdf_report

    doc = many_bids(example_doc, 3)
    doc["consensus"] = [{"bid": b, "criterion": c, "score": 3,
                         "rationale": f"Agreed for {b} on {c}."}
                        for b in ("C2", "B1", "C0", "B2") for c in ("Q2", "Q1")]
    src = Source.load(make_file(tmp_path, doc))
    monkeypatch.setattr(pdf_report, "CONSENSUS_ROWS", 3)
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-raw", str(write_pdf(src, tmp_path / "r.pdf")),
                           "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    part = text[text.index("6. Moderation record"):text.index("Divergent scores still")]
    assert ("The 3 consensus scores of the bids first in the order of section 5 are listed "
            "here; the evidence pack's Moderation sheet holds all 8, each with its "
            "rationale.") in part
    order = [b for b in order_of(src) if b in ("C2", "B1", "C0", "B2")]
    expected = [(order[0], "Q1"), (order[0], "Q2"), (order[1], "Q1")]
    listed = re.findall(r"Agreed for (\w+) on (\w+)\.", part)
    assert listed == expected
