"""The Excel evidence pack: every figure a live formula over the inputs.

A reviewer (or a court's expert) can change a weight, a score, a cost line, a
gateway result or a consensus score and watch the figures move: recalculation by
Excel or LibreOffice gives what the engine gives for the same change. Effective
weights, per-year costs, WLC and NPV, final scores (consensus else the mean of the
non-conflicted evaluators'), each bid's status (excluded, incomplete, comparator,
ranked), price fractions, contributions, totals, ranks (ties as the scoring rules
break them), the winner, the margin, the recommendation and the verdict's own
inputs are formulas. Beside them stand ProcureDesk's own figures and a formula
that says whether the two agree.

The workbook is written with XlsxWriter in constant-memory mode, rows in order,
each formula stored with its value (a viewer that does not recalculate still shows
the numbers); `openpyxl` reads workbooks elsewhere. `styled=False` writes the same
cells with no styling at all: the benchmark's floor.

The sheets are built in their own modules: `xlsx_inputs` (criteria, bids, costs,
scores, evaluators), `xlsx_results` (results, moderation), `xlsx_summary` (the
decision and the verdict), `xlsx_analysis` (sensitivity, shared service),
`xlsx_governance` (declarations, audit, about), with the layout in `xlsx_layout`.
"""

from __future__ import annotations

import functools
import io
import threading
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from ..errors import BadInput, Problem
from . import Report, Source, no_report, recorded_target
from .xlsx_analysis import analysis_of, sensitivity_sheet, shared_sheet
from .xlsx_governance import (
    DRAFT_HEADER,
    about_sheet,
    audit_sheet,
    declarations_sheet,
    mark_book,
)
from .xlsx_inputs import bids_sheet, costs_sheet, criteria_sheet, evaluators_sheet, scores_sheet
from .xlsx_layout import DEFAULT_MARKING, Book, Layout, Styles
from .xlsx_map import SHEET_COLUMNS, Table, plan_scores
from .xlsx_results import moderation_sheet, results_sheet
from .xlsx_summary import summary_sheet

__all__ = ["SHEETS", "analysis_of", "build_workbook", "write_xlsx"]

SHEETS = ("Summary", "Criteria", "Bids", "Costs", "Scores", "Evaluators", "Declarations",
          "Moderation", "Results", "Sensitivity", "Shared service", "Audit", "About")


def size_problems(source: Source, target: Path) -> list[Problem]:
    """What no workbook can hold, refused before anything is written. Long tables go on
    over continuation sheets (`xlsx_map`), so only a sheet wider than a worksheet's
    16,384 columns is refused: the Results sheet has a column per criterion, and the
    input limits (2,000 criteria) keep it far narrower."""
    snap = source.results.snap
    cols = (13 + len(snap.price_ids) * 2 + len(snap.section_ids) + len(snap.scored_ids)
            + 5)
    if cols <= SHEET_COLUMNS:
        return []
    return [Problem(str(target), f"the evidence pack's Results sheet would need {cols:,} "
                                 f"columns (one per criterion and section); an Excel "
                                 f"worksheet holds at most {SHEET_COLUMNS:,}")]


def write_xlsx(source: Source, target: str | Path, *, force: bool = False,
               report: Report = no_report, styled: bool = True) -> Path:
    """Write the evidence pack to `target` (atomically); returns the path."""
    target = Path(target)
    if problems := size_problems(source, target):
        raise BadInput(problems)
    with recorded_target(source, target, force, "export.xlsx") as tmp:
        buffer = build_workbook(source, report=report, styled=styled)
        with open(tmp, "wb") as fh:  # the one write to the disk (the zip is in memory)
            fh.write(buffer.getbuffer())
        del buffer
    report(1.0, f"Wrote {target.name}")
    return target


def build_workbook(source: Source, *, report: Report = no_report,
                   styled: bool = True) -> io.BytesIO:
    """The workbook's bytes (an xlsx file in memory)."""
    import xlsxwriter

    doc, res = source.doc, source.results
    snap = res.snap
    ev = doc["evaluation"]
    years = int(ev["appraisal"]["years"])
    amounts = [abs(float(x)) for x in (*snap.wlc, *snap.npv)]
    amounts += [abs(float(p.get("baseline_annual_cost") or 0)) * years
                for p in doc.get("partners", [])]
    st = Styles(ev.get("currency") or "GBP", max(amounts, default=0.0)) if styled else None
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False,
                                      "nan_inf_to_errors": True})
    mark_book(wb, source)
    book = Book(wb, st, draft=DRAFT_HEADER if source.provisional else "",
                marking=str(ev.get("marking") or DEFAULT_MARKING),
                reference=str(ev.get("reference") or ""))
    report(0.0, "Analysing the evaluation")
    analysis = analysis_of(source)  # first: its working memory is freed before the plan
    layout = plan(source)
    layout.analysis = analysis
    steps = [("Summary", summary_sheet), ("Criteria", criteria_sheet), ("Bids", bids_sheet),
             ("Costs", costs_sheet), ("Scores", scores_sheet), ("Evaluators", evaluators_sheet),
             ("Declarations", declarations_sheet), ("Moderation", moderation_sheet),
             ("Results", results_sheet),
             ("Sensitivity", sensitivity_sheet), ("Shared service", shared_sheet),
             ("Audit", audit_sheet), ("About", about_sheet)]
    with collector_paused():  # millions of cells, none in a cycle
        try:
            for k, (name, fn) in enumerate(steps):
                report(0.1 + 0.85 * k / len(steps), f"Writing the {name} sheet")
                fn(book, source, st, layout, report)
                book.finish()
        finally:
            close_quickly(wb)  # removes its temporary files, finished or not
    return buffer


#: zlib's level for the pack's parts: level 1 takes a third of the default's time (the
#: half-gigabyte of XML at 500 bids takes seconds at the default) for a file about a
#: quarter larger.
ZIP_LEVEL = 1
_ZIPPING = threading.Lock()


def close_quickly(wb: Any) -> None:
    """Close (write) the workbook, its parts compressed at `ZIP_LEVEL`, each sheet's rows
    copied into its part as bytes. XlsxWriter offers neither: its module's `ZipFile` and
    its worksheet's copy of the rows (as text, decoded and encoded again: a gigabyte of
    rows at the input limits) are swapped for the time of the close, under a lock (the
    pack is the only XlsxWriter workbook ProcureDesk writes)."""
    import zipfile

    import xlsxwriter.workbook as xw
    from xlsxwriter.worksheet import Worksheet

    with _ZIPPING:
        saved, copy = xw.ZipFile, Worksheet._write_optimized_sheet_data
        xw.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=ZIP_LEVEL)
        Worksheet._write_optimized_sheet_data = _copy_rows
        try:
            wb.close()
        finally:
            xw.ZipFile = saved
            Worksheet._write_optimized_sheet_data = copy


def _copy_rows(ws: Any) -> None:
    """A worksheet's `<sheetData>` in constant-memory mode: its row file copied as bytes."""
    import os
    import shutil

    if ws.dim_rowmin is None:
        ws._xml_empty_tag("sheetData")
        return
    ws._xml_start_tag("sheetData")
    ws.row_data_fh.close()
    ws.row_data_fh_closed = True
    ws.fh.flush()
    with open(ws.row_data_filename, "rb") as rows:
        shutil.copyfileobj(rows, ws.fh.buffer, 1 << 20)
    os.unlink(ws.row_data_filename)
    ws._xml_end_tag("sheetData")


def plan(source: Source) -> Layout:
    """Where everything goes: rows of criteria and bids, the Results columns, the Scores
    sheets in bid and criterion order (each (bid, criterion) pair's scores one block of
    rows, which the Moderation sheet's formulas read exactly: no formula scans a whole
    sheet), and the Moderation sheets (each bid's rows one block, which its status reads)."""
    doc, snap = source.doc, source.results.snap
    crit = doc["criteria"]
    crow = {c["id"]: 2 + k for k, c in enumerate(crit)}  # Criteria sheet rows
    bids = doc["bids"]
    nb, ns = len(bids), len(snap.scored_ids)
    brow = {b["id"]: 2 + i for i, b in enumerate(bids)}  # Results and Bids rows
    # Results columns: 13 fixed, then price fractions, sections, points, ranking keys.
    c_frac0 = 14
    c_sec0 = c_frac0 + len(snap.price_ids)
    c_con0 = c_sec0 + len(snap.section_ids)
    con_col = {cid: c_con0 + k for k, cid in enumerate(snap.scored_ids + snap.price_ids)}
    lay = Layout(crow=crow, brow=brow, ns=ns, nb=nb, c_frac0=c_frac0, c_sec0=c_sec0,
                 c_con0=c_con0, con_col=con_col, c_key0=c_con0 + len(con_col))
    plan_scores(lay, snap.s_bid, snap.s_crit, snap.consensus)
    lay.audit = Table.rows("Audit", len(source.audit))
    gates = len(snap.gate_ids)
    if gates:
        from ..wording import column_letter

        lay.gate_cols = (column_letter(8), column_letter(7 + gates))
    return lay
