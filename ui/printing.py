"""Print and Print preview (File menu, Ctrl+P and Ctrl+Shift+P): the scoring matrix, the
moderation sheet and the results, as a panel takes them into a meeting.

Each sheet is HTML laid out by a QTextDocument (Qt numbers the pages); every text a
supplier or an evaluator typed is escaped and isolated (`cell`), so `<b>&` prints as
typed and a right-to-left override cannot reorder the text around it. A sheet printed
to a PDF file is written beside its target and renamed into place (procure_desk.atomic),
like every other file ProcureDesk writes. QtPrintSupport is imported when first needed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from procure_desk import atomic
from procure_desk.wording import money

from .document import Document

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QWidget

SHEETS = {"scoring": "Scoring matrix", "moderation": "Moderation sheet", "results": "Results"}
BIDS_PER_TABLE = 8  # columns of bids a landscape A4 page holds
STYLE = """
body { font-size: 9pt; }
h1 { font-size: 14pt; margin: 0; }
h2 { font-size: 11pt; margin-top: 10px; }
p.meta { color: #444; margin: 0; }
table { border-collapse: collapse; margin-top: 4px; }
th { background: #e6e6e6; text-align: left; }
td.n { text-align: right; }
"""
ISOLATE = "\u2068{}\u2069"  # first-strong isolate: the text's own direction, kept apart


def cell(text: Any) -> str:
    """Typed text made safe for the sheet: escaped, on one line, direction isolated."""
    s = " ".join(str("" if text is None else text).split())
    return ISOLATE.format(html.escape(s)) if s else ""


def score_text(x: Any) -> str:
    if x is None:
        return ""
    return f"{float(x):g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: Sequence[int] = (), first: str = "") -> str:
    """A bordered table; `first` is the first column's width (e.g. "30%")."""
    head = "".join(f"<th width='{first}'>{h}</th>" if k == 0 and first else f"<th>{h}</th>"
                   for k, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td class='n'>{v}</td>" if k in numeric else f"<td>{v}</td>"
                         for k, v in enumerate(r)) + "</tr>" for r in rows)
    return (f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<thead><tr>{head}</tr></thead>{body}</table>")


def _heading(document: Document, what: str) -> str:
    ev = document.doc()["evaluation"]
    marking = ev.get("marking") or "OFFICIAL-SENSITIVE: COMMERCIAL"
    state = ("PROVISIONAL: results are not final while anything is outstanding"
             if document.provisional() else "Final")
    return (f"<p class='meta'><b>{cell(marking)}</b></p>"
            f"<h1>{html.escape(what)}: {cell(ev['title'])}</h1>"
            f"<p class='meta'>Reference {cell(ev['reference'])} · {cell(ev['authority'])} · "
            f"printed {dt.date.today().isoformat()} · {state}</p>")


def scoring_html(document: Document, evaluators: Sequence[str] | None = None) -> str:
    """Each evaluator's scores: criteria down, bids across (a table per 8 bids), with
    blank cells left to fill in. `evaluators` are ids (default: all)."""
    doc = document.doc()
    snap = document.snapshot()
    crit = {c["id"]: c for c in doc["criteria"]}
    bids = doc["bids"]
    chosen = [e for e in doc["evaluators"] if evaluators is None or e["id"] in evaluators]
    scores = {(r["evaluator"], r["bid"], r["criterion"]): r["score"] for r in doc["scores"]}
    parts = [_heading(document, SHEETS["scoring"])]
    scale = doc["evaluation"]["scale"]
    parts.append(f"<p>Scores from 0 to {score_text(scale['max'])} in steps of "
                 f"{score_text(scale['step'])}. A dash marks a bid the evaluator does not "
                 "score (a declared conflict of interest).</p>")
    for e in chosen:
        parts.append(f"<h2>{cell(e['id'])} {cell(e['name'])} ({cell(e['role'])})</h2>")
        conflicts = set(e["conflicts"])
        for start in range(0, max(len(bids), 1), BIDS_PER_TABLE):
            chunk = bids[start:start + BIDS_PER_TABLE]
            headers = ["Criterion"] + [f"{cell(b['id'])} {cell(b['supplier'])}" for b in chunk]
            rows = []
            for cid in snap.scored_ids:
                rows.append([f"{cell(cid)} {cell(crit[cid]['name'])}"] + [
                    "–" if b["id"] in conflicts
                    else score_text(scores.get((e["id"], b["id"], cid))) for b in chunk])
            parts.append(_table(headers, rows, numeric=range(1, len(chunk) + 1),
                                first="24%"))
    if not chosen:
        parts.append("<p>No evaluators yet.</p>")
    return "".join(parts)


def moderation_html(document: Document) -> str:
    """Every divergent score: each evaluator's score and comment, the consensus and why."""
    doc = document.doc()
    res = document.results()
    names = {e["id"]: e["name"] for e in doc["evaluators"]}
    suppliers = {b["id"]: b["supplier"] for b in doc["bids"]}
    crit = {c["id"]: c["name"] for c in doc["criteria"]}
    consensus = {(r["bid"], r["criterion"]): r for r in doc["consensus"]}
    parts = [_heading(document, SHEETS["moderation"])]
    flags = res.flags()
    spread = doc["evaluation"]["moderation"]["spread_flag"]
    differ = "score differs" if len(flags) == 1 else "scores differ"
    parts.append(f"<p>{len(flags)} {differ} by at least {score_text(spread)} points "
                 "between evaluators. The original scores stay on the record; the panel "
                 "agrees a consensus score and writes down why.</p>")
    for f in flags:
        key = (f["bid"], f["criterion"])
        parts.append(f"<h2>{cell(f['bid'])} {cell(suppliers.get(f['bid']))} / "
                     f"{cell(f['criterion'])} {cell(crit.get(f['criterion']))} "
                     f"(spread {score_text(f['spread'])})</h2>")
        rows = [[cell(names.get(r["evaluator"], r["evaluator"])), score_text(r["score"]),
                 cell(r.get("comment"))]
                for r in doc["scores"] if (r["bid"], r["criterion"]) == key]
        parts.append(_table(["Evaluator", "Score", "Comment"], rows, numeric=(1,)))
        agreed = consensus.get(key)
        parts.append("<p><b>Consensus:</b> "
                     + (f"{score_text(agreed['score'])}. {cell(agreed.get('rationale'))}"
                        if agreed else "______ &nbsp; <b>Why:</b> "
                        + "_" * 60) + "</p>")
    if not flags:
        parts.append("<p>Nothing to moderate.</p>")
    return "".join(parts)


def results_html(document: Document) -> str:
    """The ranking with each bid's status and reasons (comparators shown as such)."""
    from .views.results import STATUS_LABELS, ranking_rows

    doc = document.doc()
    res = document.results()
    ev = doc["evaluation"]
    basis = ev["appraisal"]["cost_basis"]
    rows = ranking_rows(res)
    order = [rows[i] for i in res.ranking] + [r for r in rows if r["rank"] is None]

    def pts(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    table = [[str(r["rank"] or "–"), cell(r["id"]), cell(r["supplier"]),
              str(STATUS_LABELS.get(r["status"], r["status"])), pts(r["total"]),
              pts(r["quality"]), pts(r["price"]), money(r[basis], ev["currency"], none=""),
              cell("; ".join(r["reasons"]))] for r in order]
    winner = res.winner
    word = "Provisional leader" if document.provisional() else "Preferred bidder"
    lead = next((r for r in order if r["id"] == winner), None)
    parts = [_heading(document, SHEETS["results"]),
             f"<p><b>{word}:</b> {cell(lead['id'])} {cell(lead['supplier'])} with "
             f"{pts(lead['total'])} points</p>" if lead else "<p>No bid is ranked yet.</p>",
             _table(["Rank", "Bid", "Supplier", "Status", "Total", "Quality", "Price",
                     basis.upper(), "Reasons"], table, numeric=(0, 4, 5, 6, 7))]
    if any(r["status"] == "comparator" for r in order):
        parts.append("<p>Comparators are options that are not tenders (an in-house team, "
                     "another council's shared service, doing nothing): scored the same way "
                     "to show whether the tenders are good value, but never ranked.</p>")
    return "".join(parts)


BUILDERS: dict[str, Callable[[Document], str]] = {
    "scoring": scoring_html, "moderation": moderation_html, "results": results_html}


def text_document(html_body: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultStyleSheet(STYLE)
    doc.setHtml(f"<html><body>{html_body}</body></html>")
    return doc


def sheet(document: Document, which: str, **options: Any) -> QTextDocument:
    """The sheet `which` (a key of SHEETS) as a QTextDocument ready to print; the
    scoring matrix and the results print landscape (property "landscape")."""
    if which == "scoring":
        text = text_document(scoring_html(document, **options))
    else:
        text = text_document(BUILDERS[which](document))
    text.setProperty("landscape", which in ("scoring", "results"))
    return text


def print_sheet(text: QTextDocument, printer: QPrinter) -> None:
    """Print `text`; a PDF file is written atomically beside its target."""
    from PySide6.QtPrintSupport import QPrinter

    target = printer.outputFileName()
    if printer.outputFormat() != QPrinter.OutputFormat.PdfFormat or not target:
        text.print_(printer)
        return
    with atomic.writing(target, force=True) as part:
        printer.setOutputFileName(str(part))
        try:
            text.print_(printer)
        finally:
            printer.setOutputFileName(target)


def make_printer(text: QTextDocument | None = None) -> QPrinter:
    """An A4 printer, landscape where the sheet asks for it."""
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if text is not None and text.property("landscape"):
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def print_dialog(parent: QWidget, text: QTextDocument, title: str) -> bool:
    """The system's print dialog, then print; False when cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog

    printer = make_printer(text)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title.lower()}")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    print_sheet(text, printer)
    return True


def preview_dialog(parent: QWidget, text: QTextDocument, title: str) -> Any:
    """Print preview: the pages as they will print, with the dialog's own Print button."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    printer = make_printer(text)
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.printer_ = printer  # type: ignore[attr-defined]  # the dialog does not own it
    dialog.text_ = text  # type: ignore[attr-defined]
    dialog.setWindowTitle(f"Print preview: {title.lower()}")
    dialog.paintRequested.connect(lambda p: print_sheet(text, p))
    dialog.resize(900, 700)
    return dialog
