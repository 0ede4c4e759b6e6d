"""The evidence pack on paper and against accidental edits: A4, header rows repeated,
the reference, the security marking and page n of N on every page, a Results printout
legible on A4; every sheet protected (no password) with its inputs left editable."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess

import openpyxl
import pytest
from test_export_xlsx import lo_profile, make_file, rich_doc
from test_pack_formulas import competitive_doc

from procure_desk.exports import Source
from procure_desk.exports.xlsx_pack import SHEETS, write_xlsx


def test_every_page_carries_the_reference_and_marking(tmp_path, example_doc):
    doc = rich_doc(example_doc)
    doc["evaluation"]["marking"] = "OFFICIAL & SENSITIVE"
    wb = openpyxl.load_workbook(write_xlsx(Source.load(make_file(tmp_path, doc)),
                                           tmp_path / "pack.xlsx"))
    for name in SHEETS:
        ws = wb[name]
        assert ws.oddHeader.left.text == "HDC-2026-014", name
        # an ampersand is doubled in a header (it starts a code there) and printed once
        assert ws.oddHeader.center.text == "OFFICIAL && SENSITIVE", name
        assert ws.oddFooter.center.text == "OFFICIAL && SENSITIVE", name
        assert ws.oddFooter.right.text == "Page &P of &N", name
        assert ws.page_setup.paperSize == 9, name  # A4
    results = wb["Results"]
    assert results.page_setup.orientation == "landscape"
    assert results.print_title_rows == "$1:$1"
    assert results.print_title_cols == "$A:$B"  # bid and supplier on every page across
    head = [c.value for c in results[1]]
    area = results.print_area[0] if isinstance(results.print_area, list) \
        else results.print_area
    last = re.search(r":\$?([A-Z]+)\$?\d+$", area).group(1)
    printed = openpyxl.utils.column_index_from_string(last)
    assert head[printed - 1].endswith("points")  # the ranking keys are left off paper
    assert head[printed].startswith("Key:")
    assert wb["Evaluators"].page_setup.orientation == "portrait"  # narrow: upright


INPUTS = {  # sheet -> header of a column of inputs
    "Criteria": ("Weight", "Min score"),
    "Scores": ("Score",),
    "Moderation": ("Consensus",),
    "Bids": ("Tender", "G1 Cyber Essentials Plus"),
}


def test_sheets_are_protected_and_inputs_stay_editable(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, competitive_doc(example_doc)))
    wb = openpyxl.load_workbook(write_xlsx(src, tmp_path / "pack.xlsx"))
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert c.protection.locked, (ws.title, c.coordinate)
    for sheet, columns in INPUTS.items():
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        for name in columns:
            k = head.index(name)
            cells = [r[k] for r in ws.iter_rows(min_row=2) if r[0].value
                     and (sheet != "Criteria" or r[2].value in ("scored", "section", "price"))
                     and (name != "Min score" or r[2].value == "scored")]
            assert cells, (sheet, name)
            assert all(not c.protection.locked for c in cells), (sheet, name)
    costs = wb["Costs"]
    k = next(r[0].row for r in costs.iter_rows() if r[0].value == "Bid ID"
             and r[1].value == "Item")
    amounts = [r[3] for r in costs.iter_rows(min_row=k + 1) if r[0].value]
    assert amounts
    assert all(not c.protection.locked for c in amounts)
    summary = wb["Summary"]
    params = {summary.cell(r, 1).value: summary.cell(r, 2) for r in range(22, 29)}
    for name in ("Scale maximum", "Discount rate", "Cost basis (npv or wlc)",
                 "Procedure (options_appraisal or competitive_tender)"):
        assert not params[name].protection.locked, name
    assert params["Procedure (options_appraisal or competitive_tender)"].value == \
        "competitive_tender"
    # and what is not an input is locked: names, ids, ProcureDesk's figures
    assert wb["Results"]["B2"].protection.locked
    assert wb["Results"]["J2"].protection.locked


def test_results_printout_is_legible_on_a4(soffice, tmp_path, demo_path):
    """Printed by LibreOffice: the Results pages show every bid with its figures in
    type of a readable size, under the reference, the marking and the page number."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    src = Source.load(demo_path)
    pack = write_xlsx(src, tmp_path / "pack.xlsx")
    profile = lo_profile(tmp_path / "lo-profile")
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(pack)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "pdf" / "pack.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    marking = src.ev.get("marking") or "OFFICIAL-SENSITIVE: COMMERCIAL"
    results = [k for k, p in enumerate(pages) if re.search(r"Bid ID\s+Supplier\s+Status", p)]
    assert results, "no Results page"
    first = pages[results[0]]
    for b in src.doc["bids"]:
        assert b["id"] in first
    total = len(pages) - 1
    for k in range(total):
        assert marking in pages[k], k
        assert f"Page {k + 1} of {total}" in pages[k], k
        assert src.ev["reference"] in pages[k], k
    # word heights on the Results page: the type is at least 6.5 points high
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", str(results[0] + 1), "-l",
                           str(results[0] + 1), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', bbox)]
    assert statistics.median(heights) >= 6.5, statistics.median(heights)


@pytest.fixture
def demo_path(tmp_path):
    from procure_desk import paths
    from procure_desk.services import import_json

    path = tmp_path / "demo.pdesk"
    import_json(paths.SAMPLE_TENDER, path)
    return path
