"""`procure-desk export URL ...`: the evidence straight from a server evaluation is the
evidence of the snapshot `server fetch` writes (the PDF's text, the pack's values), and
each export is recorded in the audit log on the server with the SHA-256 of its file."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pg_server as pg
import pytest

from procure_desk.cli import main
from procure_desk.services import EvaluationFile

MEMBERS = {"x_chair": ("chair", None), "x_e1": ("evaluator", "E1"),
           "x_obs": ("observer", None)}
HOSTILE = "=cmd|' /C calc'!A0 <b>& \u6771\u4eac"


@pytest.fixture(scope="module")
def board(pg_server, tmp_path_factory):
    doc = json.loads((Path(__file__).parent / "data" / "example.json").read_text())
    doc["bids"][0]["supplier"] = HOSTILE
    url = pg.board(pg_server, tmp_path_factory.mktemp("exp"), "exports", doc,
                   members=MEMBERS)
    with EvaluationFile.open(pg.as_login(url, "x_e1")) as ef:
        ef.set_score("Bea", "E1", "B2", "Q2", 4, "scored on the server <b>&")
    return url


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def without_production(text: str) -> str:
    """The report's text without when it was produced (two exports are seconds apart)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "WHEN", text)


def pack_values(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)
    out = {ws.title: [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]
           for ws in book.worksheets}
    book.close()
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_evidence_from_the_server_is_the_evidence_of_its_snapshot(board, tmp_path, capsys):
    chair = pg.as_login(board, "x_chair")
    a, b = tmp_path / "server", tmp_path / "fetched"
    a.mkdir()
    b.mkdir()
    snapshot = b / "BOARD-1.pdesk"
    assert main(["server", "fetch", chair, str(snapshot)]) == 0
    assert main(["verify", str(snapshot)]) == 0
    fetched = sha(snapshot)  # before its own exports add their events to it
    assert main(["--as", "Chair <b>&", "export", chair, "--pdf", str(a / "r.pdf"),
                 "--xlsx", str(a / "p.xlsx")]) == 0
    assert "Each export records ProcureDesk audit head" in capsys.readouterr().out
    assert main(["--as", "Chair <b>&", "export", str(snapshot), "--pdf", str(b / "r.pdf"),
                 "--xlsx", str(b / "p.xlsx")]) == 0
    server_pdf, file_pdf = pdf_text(a / "r.pdf"), pdf_text(b / "r.pdf")
    assert HOSTILE in server_pdf  # as typed, never as markup or a formula
    assert f"SHA-256 of that file: {fetched}" in server_pdf  # fetch writes the same
    assert without_production(server_pdf) == without_production(file_pdf)
    sv, fv = pack_values(a / "p.xlsx"), pack_values(b / "p.xlsx")
    assert sv.keys() == fv.keys()
    for sheet in sv:
        assert [[without_production(str(c)) for c in r] for r in sv[sheet]] == \
            [[without_production(str(c)) for c in r] for r in fv[sheet]], sheet
    assert any(HOSTILE in str(c) for rows in sv.values() for r in rows for c in r)
    # each export is recorded on the server, with the SHA-256 of the file it wrote
    with EvaluationFile.open(chair) as ef:
        by = {e.action: e for e in ef.audit() if e.action in ("export.pdf", "export.xlsx")}
        head, _ = ef.head()
    assert by["export.pdf"].after["sha256"] == sha(a / "r.pdf")
    assert by["export.xlsx"].after["sha256"] == sha(a / "p.xlsx")
    assert by["export.pdf"].actor == "Chair <b>&"
    assert main(["verify", chair]) == 0
    assert head is not None


def test_an_evaluator_or_observer_cannot_export_from_the_server(board, tmp_path, capsys):
    for login, words in (("x_e1", "evaluator"), ("x_obs", "observer")):
        target = tmp_path / f"{login}.pdf"
        assert main(["export", pg.as_login(board, login), "--pdf", str(target)]) == 2
        err = capsys.readouterr().err
        assert words in err
        assert "Traceback" not in err
        assert not target.exists()
