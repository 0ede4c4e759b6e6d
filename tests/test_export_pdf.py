"""The PDF evaluation report: A4, numbered pages, headers that repeat, every section."""

import copy
import shutil
import subprocess

import pytest
from test_export_xlsx import make_file, rich_doc

from procure_desk.exports import Source
from procure_desk.exports.pdf_report import write_pdf


def pdftext(path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_report_sections_and_pages(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, rich_doc(example_doc)))
    out = write_pdf(src, tmp_path / "report.pdf")
    text = pdftext(out)
    pages = text.split("\f")[:-1]
    for heading in ("Executive summary", "Methodology", "Results", "Bid by bid",
                    "Moderation record", "Declared conflicts of interest", "Audit summary"):
        assert heading in text
    w = src.results.winner
    rb = {b["id"]: b for b in src.results_json()["bids"]}
    assert src.provisional  # B4 is not scored in full
    assert f"the provisional leader is {w} from {src.supplier(w)}" in " ".join(text.split())
    assert f"{rb[w]['total']:.2f} points of 100" in " ".join(text.split())
    assert all(f"Page {k} of {len(pages)}" in p for k, p in enumerate(pages, start=1))
    assert "C. Evans" in text
    assert "B5" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info  # A4 in points


def test_long_tables_repeat_their_header(tmp_path, example_doc):
    doc = copy.deepcopy(example_doc)
    base = doc["bids"][1]
    for k in range(3, 90):
        b = copy.deepcopy(base)
        b["id"] = f"B{k}"
        b["supplier"] = f"Supplier number {k} Ltd"
        doc["bids"].append(b)
    src = Source.load(make_file(tmp_path, doc))
    text = pdftext(write_pdf(src, tmp_path / "r.pdf"))
    results_pages = [p for p in text.split("\f") if "Supplier number" in p
                     and "Bid by bid" not in p and "Rank" in p]
    assert len(results_pages) >= 2  # the results table ran onto a second page, header too


def test_many_flags_give_the_count_and_the_widest(tmp_path, example_doc):
    # 70 more bids, each scored 0 and 5 (spread 5) on Q1 and 1 and 4 (spread 3) on Q2,
    # and B1's Q1 (3 and 5, spread 2): 141 flags, of which the report lists the widest 100
    doc = copy.deepcopy(example_doc)
    for k in range(3, 73):
        b = copy.deepcopy(doc["bids"][1])
        b["id"], b["supplier"] = f"B{k}", f"Wide Spread {k} Ltd"
        doc["bids"].append(b)
        for crit, (low, high) in (("Q1", (0, 5)), ("Q2", (1, 4))):
            doc["scores"] += [{"evaluator": "E1", "bid": b["id"], "criterion": crit,
                               "score": low},
                              {"evaluator": "E2", "bid": b["id"], "criterion": crit,
                               "score": high}]
    src = Source.load(make_file(tmp_path, doc))
    flags = src.results_json()["flags"]
    assert len(flags) == 141
    text = " ".join(pdftext(write_pdf(src, tmp_path / "r.pdf")).split())
    assert ("141 scores across 71 bids differ between evaluators by 2 points or more and "
            "have no consensus. The 100 widest are listed here; the evidence pack's "
            "Moderation sheet flags every one.") in text
    listed = text[text.index("The 100 widest"):text.index("7. Declarations")]
    assert listed.count(" Q1 ") == 70  # every spread of 5 (70 of them)
    assert listed.count(" Q2 ") == 30  # then 30 of the 70 spreads of 3
    assert "B1 Example Suite Ltd Q1" not in listed  # the narrowest (2) left to the pack
