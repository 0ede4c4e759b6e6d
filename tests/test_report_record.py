"""The evaluation report as a record a records office can keep: fonts embedded (and a
fallback for Chinese, Japanese and Korean), right-to-left names in reading order,
title, author, subject and language set, a bookmark for every section and bid, the
security marking at the top and foot of every page of every PDF, a sign-off block, a
bid's table continued on a new page naming the bid, and nothing cut short unseen."""

import copy
import re
import shutil
import subprocess
import unicodedata

import pytest
from test_export_xlsx import make_file

from procure_desk.exports import Source, pdf_fonts
from procure_desk.exports.pdf_report import write_pdf
from procure_desk.exports.summaries import write_summaries

CHINESE = "北京云软件有限公司"
ARABIC = "شركة النور للبرمجيات"
HEBREW = "מערכות גליל"


def tool(name):
    if not shutil.which(name):
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return name


def pages(path, layout=False):
    """pdftotext's text, page by page, normalised (Arabic presentation forms back to
    letters) and without the bidi marks poppler adds around right-to-left lines."""
    args = [tool("pdftotext"), *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u200e\u200f\u202a-\u202e]", "", unicodedata.normalize("NFKC", text))
    return text.split("\f")[:-1]


def flat(path):
    return " ".join(" ".join(pages(path)).split())


def outline(path):
    """(level, title) of every bookmark, in order."""
    from pypdf import PdfReader

    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title))

    walk(PdfReader(str(path)).outline, 0)
    return out


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setenv("PROCURE_DESK_CJK_FONT", "")
    pdf_fonts.reset()
    yield
    monkeypatch.delenv("PROCURE_DESK_CJK_FONT")
    pdf_fonts.reset()


def named(example_doc, names):
    doc = copy.deepcopy(example_doc)
    for bid, name in zip(doc["bids"], names):
        bid["supplier"] = name
    return doc


def test_chinese_name_is_text_in_an_embedded_font(tmp_path, example_doc):
    pdf_fonts.reset()
    if pdf_fonts.fonts().fallback is None:
        pytest.skip("a font for Chinese, Japanese and Korean (Debian: fonts-droid-fallback) "
                    "is not installed")
    src = Source.load(make_file(tmp_path, named(example_doc, [CHINESE])))
    out = write_pdf(src, tmp_path / "report.pdf")
    assert CHINESE in flat(out)
    assert "no font on this computer can draw" not in flat(out)
    fonts = subprocess.run([tool("pdffonts"), str(out)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "no font listed"
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # every one embedded
    names = " ".join(fonts)
    assert "DejaVuSans" in names
    assert "Helvetica" not in names  # nothing left to a viewer's substitute
    assert re.search(r"DroidSans|WenQuanYi|wqy|Arial|YaHei|SimSun|Gothic|Ming", names)


def test_without_a_cjk_font_the_report_says_so(tmp_path, example_doc, no_cjk_font):
    assert pdf_fonts.fonts().fallback is None
    src = Source.load(make_file(tmp_path, named(example_doc, [CHINESE])))
    said = []
    out = write_pdf(src, tmp_path / "report.pdf", report=lambda f, m: said.append(m))
    text = flat(out)
    assert ("Some text is in a script that no font on this computer can draw (Chinese, "
            "Japanese or Korean): it shows as empty boxes in this report.") in text
    assert any(m.startswith("Warning: Some text is in a script") for m in said)


def test_right_to_left_names_come_out_in_reading_order(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, named(example_doc, [ARABIC, HEBREW])))
    out = write_pdf(src, tmp_path / "report.pdf")
    lines = [line.strip() for p in pages(out) for line in p.splitlines()]
    assert ARABIC in lines  # the bid-by-bid heading, alone on its line
    assert HEBREW in lines
    assert ARABIC[::-1] not in " ".join(lines)


def test_metadata_and_bookmarks(tmp_path, example_doc):
    tool("pdfinfo")
    src = Source.load(make_file(tmp_path, example_doc))
    out = write_pdf(src, tmp_path / "report.pdf")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert "Title:           Evaluation report: Customer platform replacement" in info
    assert "Author:          Harrowmere District Council" in info
    assert "Subject:         HDC-2026-014 evaluation report (DRAFT: provisional results)" in info
    from pypdf import PdfReader

    root = PdfReader(str(out)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    marks = outline(out)
    titles = [t for _, t in marks]
    for section in ("1. Executive summary", "2. Methodology", "3. Results",
                    "4. Robustness and decision integrity", "5. Bid by bid",
                    "6. Moderation record", "7. Declarations of interests",
                    "8. Audit summary"):
        assert (0, section) in marks
    for b in example_doc["bids"]:
        assert (1, f"{b['id']} {b['supplier']}") in marks  # under 5. Bid by bid
    k = titles.index("5. Bid by bid")
    bids = {f"{b['id']} {b['supplier']}" for b in example_doc["bids"]}
    assert set(titles[k + 1:k + 1 + len(bids)]) == bids  # right under it, rank order
    assert "Decision integrity" in titles
    assert "Sign-off" in titles


def test_marking_on_every_page_of_every_pdf(tmp_path, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["evaluation"]["marking"] = "OFFICIAL: <b>board</b> & only"
    src = Source.load(make_file(tmp_path, doc))
    report = pages(write_pdf(src, tmp_path / "report.pdf"), layout=True)
    assert len(report) > 3
    for page in report:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == "OFFICIAL: <b>board</b> & only"  # the top of the page
        assert page.count("OFFICIAL: <b>board</b> & only") >= 2  # and its foot
    # the assessment summaries of a competitive tender carry the same marking
    from summary_docs import ready_to_issue

    tender = Source.load(make_file(tmp_path, ready_to_issue(doc), "tender.pdesk"))
    written = write_summaries(tender, tmp_path / "summaries", draft=True)
    assert written
    for summary in written:
        for page in pages(summary, layout=True):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            assert lines[0] == "OFFICIAL: <b>board</b> & only"
            assert page.count("OFFICIAL: <b>board</b> & only") >= 2


def test_sign_off_block(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, example_doc))
    text = "\n".join(pages(write_pdf(src, tmp_path / "report.pdf"), layout=True))
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    head = lines.index("Name Signature Date")
    assert "Sign-off" in lines[head - 8:head]
    line = "_" * 26
    below = lines[head + 1:head + 8]  # (a letter of the DRAFT watermark may come between)
    rows = [f"{role} {line} {line} ____ / ____ / ________"
            for role in ("Prepared by", "Checked by", "Approved by")]
    assert [x for x in below if x in rows] == rows


def test_a_bid_table_continued_on_a_new_page_names_the_bid(tmp_path, example_doc):
    doc = copy.deepcopy(example_doc)
    for k in range(3, 90):  # 90 scored criteria: a bid's table runs over a page
        doc["criteria"].append({"id": f"Q{k}", "name": f"Question {k}", "kind": "scored",
                                "weight": 1, "parent": "Q"})
    src = Source.load(make_file(tmp_path, doc))
    report = pages(write_pdf(src, tmp_path / "report.pdf"), layout=True)
    caption = f"B2 {src.supplier('B2')}: points by criterion"
    holding = [k for k, p in enumerate(report) if caption in p]
    assert len(holding) >= 2  # begun on one page, continued on the next
    first, then = report[holding[0]], report[holding[-1]]
    assert "Question 3 " in first
    assert "Question 89" in then
    lines = [" ".join(line.split()) for line in then.splitlines() if line.strip()]
    top = lines.index(caption)  # the first thing under the page's marking and DRAFT
    assert top <= 2
    assert lines[top + 1].startswith("ID Criterion Effective Final score Points")
    assert f"B2 {src.supplier('B2')}" not in lines[:top]  # not the bid's heading again


def test_nothing_is_cut_short_unseen(tmp_path, example_doc):
    doc = copy.deepcopy(example_doc)
    long_name = ("Whole-life cost (NPV over 5 years, including exit, transition and "
                 "decommissioning costs)")
    doc["criteria"][3]["name"] = long_name
    rationale = " ".join(f"point{k}" for k in range(220)) + " END-OF-RATIONALE"
    assert 1500 < len(rationale) < 2500
    huge = " ".join(f"word{k}" for k in range(600)) + " NEVER-SHOWN"
    doc["consensus"] = [dict(doc["consensus"][0], rationale=rationale),
                        {"bid": "B2", "criterion": "Q1", "score": 3, "rationale": huge}]
    supplier = "A supplier whose registered name runs on " + "and on " * 20 + "to END-OF-NAME Ltd"
    doc["bids"][1]["supplier"] = supplier
    src = Source.load(make_file(tmp_path, doc))
    text = flat(write_pdf(src, tmp_path / "report.pdf"))
    assert "decommissioning costs)" in text  # the chart's legend wraps, never cuts
    assert "END-OF-RATIONALE" in text  # 600 characters used to be the end
    assert "NEVER-SHOWN" not in text  # a row cannot run over a page: cut, and said so
    assert "word270" in text
    assert "w..." in text
    assert ("1 rationale is longer than 2,500 characters and cut here, ending in ...; the "
            "evidence pack's Moderation sheet holds every rationale in full.") in text
    assert text.count("to END-OF-NAME Ltd") >= 3  # results, bid by bid, table caption


def test_hostile_text_is_printed_as_typed_and_never_reordered_by_an_override():
    pdf_fonts.reset()
    assert pdf_fonts.markup("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    # a right-to-left override smuggled into a name is dropped, not obeyed
    assert pdf_fonts.markup("Evil\u202eLtd <i>") == "EvilLtd &lt;i&gt;"
    # markup characters inside Arabic stay escaped after the reordering
    shown = pdf_fonts.markup(ARABIC + " <b>&")
    assert "<b>" not in shown
    assert "&amp;" in shown
    assert pdf_fonts.shown("=cmd|' /C calc'!A0") == "=cmd|' /C calc'!A0"  # a plain cell
