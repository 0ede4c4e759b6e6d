"""Print and Print preview: the scoring matrix, the moderation sheet and the results,
printed to PDF files (QPrinter's PdfFormat) and read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from ui import ask, printing

HOSTILE = "<b>Bold</b> & =cmd|' /C calc'!A0 株式会社"


@pytest.fixture
def pdftotext():
    exe = shutil.which("pdftotext")
    if not exe:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    return exe


def _print_to_pdf(text_document, path):
    from PySide6.QtPrintSupport import QPrinter

    printer = printing.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printing.print_sheet(text_document, printer)
    assert printer.outputFileName() == str(path)


def _text(pdftotext, path):
    """The PDF's text, ligatures (ﬀ, ﬁ) spelt out."""
    out = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out)


def test_each_sheet_prints_to_pdf_with_what_it_holds(open_window, tmp_path, pdftotext):
    doc = open_window.document
    doc.update_bid("B2", {"supplier": HOSTILE})
    doc.set_score("E1", "B1", "Q2", 2, "Weak on case management")
    pages = {}
    for key in printing.SHEETS:
        out = tmp_path / f"{key}.pdf"
        _print_to_pdf(printing.sheet(doc, key), out)
        assert out.read_bytes().startswith(b"%PDF")
        pages[key] = " ".join(_text(pdftotext, out).split())
        assert not list(tmp_path.glob(".*.part"))  # written beside, renamed into place
    title = doc.doc()["evaluation"]["title"]
    for key, text in pages.items():
        assert printing.SHEETS[key] in text
        assert title in text
        assert "OFFICIAL-SENSITIVE" in text
    scoring = pages["scoring"]
    assert "Evaluator 1" in scoring or "E1" in scoring
    assert "<b>Bold</b> & =cmd" in scoring  # as typed, not markup
    assert "株式会社" in scoring.replace(" ", "")  # a cell may wrap it
    results = pages["results"]
    assert "Provisional leader" in results
    assert "B1" in results
    assert "Ranked" in results
    moderation = pages["moderation"]
    assert "Consensus" in moderation
    flags = doc.results().flags()
    assert flags
    assert (f"{len(flags)} score differs" if len(flags) == 1
            else f"{len(flags)} scores differ") in moderation


def test_a_comparator_prints_as_such(open_window, tmp_path, pdftotext):
    doc = open_window.document
    doc.update_bid("B2", {"tender": False})
    doc.update_evaluation({"procedure": "competitive_tender"})
    out = tmp_path / "results.pdf"
    _print_to_pdf(printing.sheet(doc, "results"), out)
    text = _text(pdftotext, out)
    line = next(line for line in text.splitlines() if " B2 " in f" {line} ")
    assert "Comparator" in line
    assert "never ranked" in " ".join(text.split())


def test_the_sheet_follows_the_view_and_asks_elsewhere(open_window, monkeypatch):
    from ui import actions_desk

    open_window.show_view("moderation")
    assert actions_desk.chosen_sheet(open_window) == ("moderation", {})
    scoring = open_window.show_view("scoring")
    key, options = actions_desk.chosen_sheet(open_window)
    assert key == "scoring"
    assert options == {"evaluators": [scoring.evaluator_box.currentData()]}
    open_window.show_view("overview")
    asked = []
    monkeypatch.setattr(ask, "choose", lambda parent, title, label, items:
                        asked.append(items) or items.index("Results"))
    assert actions_desk.chosen_sheet(open_window) == ("results", {})
    assert asked == [list(printing.SHEETS.values())]
    monkeypatch.setattr(ask, "choose", lambda *a: None)
    assert actions_desk.chosen_sheet(open_window) is None


def test_print_preview_shows_the_pages(open_window, qtbot, monkeypatch):
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    open_window.show_view("results")
    painted = []
    real = printing.print_sheet
    monkeypatch.setattr(printing, "print_sheet", lambda t, p: painted.append(
        t.toPlainText()) or real(t, p))
    dialog = open_window.preview_action.trigger() or open_window.findChild(
        QPrintPreviewDialog)
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(painted), timeout=10_000)
    assert "Results" in painted[0]
    assert open_window.preview_action.shortcut().toString() == "Ctrl+Shift+P"
    assert open_window.print_action.shortcut().toString() == "Ctrl+P"
    dialog.close()
