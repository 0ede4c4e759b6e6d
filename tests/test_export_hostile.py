"""Supplier and evaluator text is hostile: no formula in the workbook, no markup in PDFs."""

import copy
import json
import shutil
import sqlite3
import subprocess

import openpyxl
import pytest
from older_files import store_unchecked
from test_export_xlsx import make_file

from procure_desk.exports import Source
from procure_desk.exports.pdf_report import write_pdf
from procure_desk.exports.safe_text import cell_text, para, safe_filename
from procure_desk.exports.xlsx_pack import write_xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
MARKUP = "<b>Bold</b> & <font size=40>Big</font> Ltd"


def hostile_doc(example_doc):
    doc = copy.deepcopy(example_doc)
    doc["bids"][0]["supplier"] = HOSTILE[0]
    doc["bids"][1]["supplier"] = MARKUP
    doc["bids"][0]["notes"] = HOSTILE[1] + "\nsecond line"
    doc["bids"][0]["costs"][0]["item"] = HOSTILE[2]
    doc["evaluators"][0]["name"] = HOSTILE[3]
    doc["evaluators"][0]["role"] = "=1+2"
    doc["scores"][0]["comment"] = HOSTILE[4]
    doc["scores"][2]["comment"] = MARKUP
    doc["consensus"][0]["rationale"] = HOSTILE[5]
    doc["criteria"][1]["name"] = "=Fit"  # with a control character below
    doc["gateways"][0]["note"] = "@note"
    return doc


def saved_before_the_chain(path):
    """Make the file one saved by a version before the audit chain: its events carry
    no hashes, so the chain starts, over the data as found, when it is next opened."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("UPDATE auditevent SET prev_hash = NULL, data_digest = NULL, "
                        "hash = NULL")
    finally:
        con.close()


def hostile_file(tmp_path, example_doc):
    path = make_file(tmp_path, hostile_doc(example_doc))
    # refused on input now; a file saved before the rule (and before the audit chain,
    # which would otherwise refuse a record changed behind its back) may hold it
    store_unchecked(path, "criterion", "Q1", name="=Fit" + "\x07")
    saved_before_the_chain(path)
    return path


def test_no_user_text_becomes_a_formula(tmp_path, example_doc):
    src = Source.load(hostile_file(tmp_path, example_doc))
    out = write_xlsx(src, tmp_path / "pack.xlsx")
    wb = openpyxl.load_workbook(out)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    # our formulas only: none carries a payload
                    for payload in ("cmd", "HYPERLINK", "SUM(1+1)", "=1+1", "=Fit"):
                        assert payload not in c.value, c.coordinate
                elif isinstance(c.value, str):
                    texts.append(c.value)
    joined = "\n".join(texts)
    for h in HOSTILE:
        # shown as typed, stored as text: no apostrophe in front (XML may read CR as LF)
        assert h in joined or h.replace("\r", "\n") in joined, h
        assert "'" + h not in joined, h
        assert "'" + h.replace("\r", "\n") not in joined, h
    assert MARKUP in joined
    assert "=Fit" in joined  # the control character is dropped, the text kept
    assert "'=Fit" not in joined
    typed = {*HOSTILE, *(h.replace("\r", "\n") for h in HOSTILE), "=Fit", "=1+2"}
    found = [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if c.value in typed]
    assert {v for v, _ in found} >= {HOSTILE[0], HOSTILE[3], "=Fit", "=1+2"}
    assert all(kind == "s" for _, kind in found)  # text cells, never formulas


def test_names_that_look_like_markup_or_escapes_stay_as_typed(tmp_path, example_doc):
    """XlsxWriter passes `<r>...</r>` through as rich-text markup and Excel reads
    `_x0041_` as an escaped character: the pack writes both as the text typed."""
    doc = copy.deepcopy(example_doc)
    doc["bids"][0]["supplier"] = "<r><t>Rich</t></r>"
    doc["bids"][1]["supplier"] = "_x0041_ Holdings & <Sons>"
    doc["scores"][0]["comment"] = "+44 7700 900123 " * 20 + "<r>x</r>"  # long: wraps
    src = Source.load(make_file(tmp_path, doc))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"), data_only=True)
    bids = {r[0]: r[1] for r in wb["Bids"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert bids["B1"] == "<r><t>Rich</t></r>"
    assert bids["B2"] == "_x0041_ Holdings & <Sons>"
    results = {r[0]: r[1] for r in wb["Results"].iter_rows(min_row=2, values_only=True)
               if r[0]}
    assert results == bids
    comments = [r[9] for r in wb["Scores"].iter_rows(min_row=2, values_only=True)]
    assert doc["scores"][0]["comment"] in comments


def test_pdf_prints_markup_as_typed(tmp_path, example_doc):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    src = Source.load(hostile_file(tmp_path, example_doc))
    out = write_pdf(src, tmp_path / "report.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert "<b>Bold</b> & <font size=40>Big</font> Ltd" in flat
    assert 'HYPERLINK("http://evil.example","click")' in flat


def test_escaping_helpers():
    assert cell_text("=1+1") == "'=1+1"
    assert cell_text("plain") == "plain"
    assert cell_text("x" * 40000).endswith("…")
    assert len(cell_text("x" * 40000)) == 32767
    assert para("<b>&</b>\nx") == "&lt;b&gt;&amp;&lt;/b&gt;<br/>x"
    assert safe_filename("NUL") == "_NUL"
    assert safe_filename("com1.txt") == "_com1.txt"
    assert safe_filename(' a/b ..') == "a-b"
    assert safe_filename("...") == "bidder"


def test_file_names_read_naturally():
    """Unsafe characters become a hyphen or go, never an underscore glued to the text."""
    assert (safe_filename("Pellory Systems Ltd (incumbent: keep the legacy CRM)")
            == "Pellory Systems Ltd (incumbent - keep the legacy CRM)")
    assert safe_filename("24/7 Support | Care Ltd") == "24-7 Support - Care Ltd"
    assert safe_filename('"Quoted" Ltd? *new*') == "Quoted Ltd new"
    assert safe_filename("C:\\Temp") == "C-Temp"
    assert safe_filename("Two\nlines\tand tab") == "Two lines and tab"


DEEP = ["<r><t>Rich</t></r>", "_x0041_ & <Sons>", HOSTILE[0], " padded ",
        "first line\nsecond line", "+44 7700 900123 " * 20, "مورّد عربي 供应商"]


def test_long_tables_written_a_row_at_a_time_keep_every_text_as_typed(tmp_path):
    """Deep in the Scores and Audit sheets (below the rows measured cell by cell) a
    whole row is written at once: texts that look like formulas, markup or escapes,
    lead with spaces, span lines or wrap still read back exactly as typed, every
    score and formula keeps its value, and a row whose text wraps is taller."""
    from benchmarks.generate import make_large_evaluation
    from procure_desk.services import EvaluationFile

    doc = make_large_evaluation(n_bids=3, n_criteria=12, n_evaluators=8, cost_lines=1)
    last = doc["bids"][-1]["id"]
    deep = [s for s in doc["scores"] if s["bid"] == last]
    for k, s in enumerate(deep):
        s["comment"] = DEEP[k % len(DEEP)]
    path = make_file(tmp_path, doc)
    with EvaluationFile.open(path) as ef, ef.unit_of_work(changes_data=False) as w:
        w.audit_many([{"actor": DEEP[k % len(DEEP)], "action": "score.set",
                       "entity": "score", "entity_id": f"E{k}",
                       "before": None, "after": {"comment": DEEP[k % len(DEEP)]}}
                      for k in range(300)])
    wb = openpyxl.load_workbook(write_xlsx(Source.load(path), tmp_path / "pack.xlsx"))
    ws = wb["Scores"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(doc["scores"]) > 250
    got = [r for r in rows if r[2] == last]
    assert sorted(r[9] for r in got) == sorted(s["comment"] for s in deep)
    by_key = {(s["evaluator"], s["bid"], s["criterion"]): s["score"] for s in doc["scores"]}
    assert all(r[6] == by_key[(r[0], r[2], r[4])] for r in rows)
    assert all(ws.cell(n, 9).value == f'=IF(H{n}="yes",0,1)' for n in (2, 240, len(rows) + 1))
    assert all(ws.cell(n, c).data_type == "s" for n in range(200, len(rows) + 2)
               for c in (1, 2, 4, 10) if ws.cell(n, c).value)
    tall = [n for n in range(2, len(rows) + 2) if ws.cell(n, 10).value == DEEP[5]]
    assert tall
    assert all((ws.row_dimensions[n].height or 0) > 15 for n in tall)
    assert all(ws.cell(n, 10).alignment.wrap_text for n in tall)
    values = openpyxl.load_workbook(tmp_path / "pack.xlsx", data_only=True)["Scores"]
    assert [values.cell(n, 9).value for n in (240, len(rows) + 1)] == [
        0 if rows[n - 2][7] == "yes" else 1 for n in (240, len(rows) + 1)]
    audit = list(wb["Audit"].iter_rows(min_row=2, values_only=True))
    planted = [r for r in audit if r[4] == "score" and str(r[5]).startswith("E")]
    assert len(planted) == 300
    assert [r[2] for r in planted] == [DEEP[k % len(DEEP)] for k in range(300)]
    assert all(json.loads(r[7]) == {"comment": r[2]} and r[6] is None for r in planted)
