"""Workbooks saved by a real office suite (shared strings, its own XML) read back.

openpyxl writes strings inline; Excel and LibreOffice write a shared string
table. These tests resave our workbooks with LibreOffice, as a supplier or an
evaluator would, and import them.
"""

import subprocess
import zipfile

from openpyxl import load_workbook

from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

BID = {
    "supplier": "Kestrel Systems Ltd", "option_type": "best_of_breed", "sme": True,
    "term_years": 3,
    "costs": [{"item": "Implementation", "category": "implementation", "amount": 40000,
               "start_year": 0, "years": 1}],
}


def resave(soffice, src, out_dir):
    """Resave with LibreOffice headless, with a profile of its own beside the output (never
    the user's real one under ~/.config, and parallel runs never clash)."""
    out_dir.mkdir()
    profile = (out_dir.parent / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out_dir), str(src)],
                   check=True, capture_output=True, timeout=120)
    return out_dir / src.name


def test_bid_resaved_by_libreoffice_imports(tmp_path, example_file, soffice):
    src = tmp_path / "kestrel.xlsx"
    save_workbook(build_bid_workbook(None, BID), src)
    saved = resave(soffice, src, tmp_path / "lo")

    assert "xl/sharedStrings.xml" in zipfile.ZipFile(saved).namelist()
    assert main(["import-bids", str(example_file.path), str(saved)]) == 0
    with EvaluationFile.open(example_file.path) as ef:
        new = ef.document()["bids"][-1]
    assert new["supplier"] == "Kestrel Systems Ltd"
    assert new["costs"] == BID["costs"]


def test_scoring_sheet_resaved_by_libreoffice_imports(tmp_path, example_file, soffice,
                                                      capsys):
    path = example_file.path
    example_file.close()
    assert main(["scoring-sheets", str(path), str(tmp_path / "s")]) == 0
    sheet = tmp_path / "s" / "scoring-E2-B-Jones.xlsx"
    wb = load_workbook(sheet)
    wb["Scores"]["E6"] = 4  # B1/Q2, not yet scored by B. Jones
    wb["Scores"]["F6"] = "Clear exit plan"
    wb.save(sheet)
    saved = resave(soffice, sheet, tmp_path / "lo")
    capsys.readouterr()
    assert main(["import-scores", str(path), str(saved), "--yes"]) == 0, \
        capsys.readouterr().err
    with EvaluationFile.open(path) as ef:
        got = {(s["evaluator"], s["bid"], s["criterion"]): (s["score"], s["comment"])
               for s in ef.document()["scores"]}
    assert got[("E2", "B1", "Q2")] == (4, "Clear exit plan")
