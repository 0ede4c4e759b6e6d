"""The Excel evidence pack: every figure a live formula over the inputs.

A reviewer (or a court's expert) can change a weight, a score or a cost line
and watch the totals move, and recalculation by Excel or LibreOffice gives
the engine's own figures. Effective weights, per-year costs, WLC and NPV,
final scores (consensus else the mean of the non-conflicted evaluators'),
price fractions, contributions and totals are formulas; the status and rank
of each bid are the engine's values (the About sheet says so), because the
exclusion and tie-break rules read better as the engine's reasons than as a
wall of nested IFs.

The workbook is written in openpyxl's write-only mode, row by row, so the
large evaluation (48,000 scores) fits in memory and time. `styled=False`
writes the same cells with no styling at all: the benchmark's floor.

The sheets are built in their own modules: `xlsx_inputs` (criteria, bids,
costs, scores, evaluators), `xlsx_results` (summary, moderation, results),
`xlsx_analysis` (sensitivity, shared service), with the layout in `xlsx_layout`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput, Problem
from . import Report, Source, no_report, recorded_target
from .xlsx_analysis import analysis_of, sensitivity_sheet, shared_sheet
from .xlsx_governance import DRAFT_HEADER, about_rows, declarations_sheet, mark_book
from .xlsx_inputs import bids_sheet, costs_sheet, criteria_sheet, evaluators_sheet, scores_sheet
from .xlsx_layout import Book, Layout, Sheet, Styles, t
from .xlsx_results import moderation_sheet, results_sheet, summary_sheet

__all__ = ["SHEETS", "analysis_of", "build_workbook", "write_xlsx"]

SHEETS = ("Summary", "Criteria", "Bids", "Costs", "Scores", "Evaluators", "Declarations",
          "Moderation", "Results", "Sensitivity", "Shared service", "Audit", "About")


#: The rows of an Excel worksheet, its header row included.
EXCEL_ROWS = 1_048_576


def size_problems(source: Source, target: Path) -> list[Problem]:
    """Sheets the evaluation would fill beyond what a worksheet holds (one row per
    score, per bid and scored criterion, per audit event): such a workbook would not
    open, so it is refused before anything is written."""
    snap = source.results.snap
    nb, ns = len(snap.bid_ids), len(snap.scored_ids)
    need = [("Moderation", nb * ns + 1, f"{nb:,} bids x {ns:,} scored criteria"),
            ("Scores", len(source.doc["scores"]) + 1, "one row per score"),
            ("Audit", len(source.audit) + 1, "one row per recorded event")]
    return [Problem(str(target), f"the evidence pack's {sheet} sheet would need {rows:,} "
                                 f"rows ({why}); an Excel worksheet holds at most "
                                 f"{EXCEL_ROWS:,}")
            for sheet, rows, why in need if rows > EXCEL_ROWS]


def write_xlsx(source: Source, target: str | Path, *, force: bool = False,
               report: Report = no_report, styled: bool = True) -> Path:
    """Write the evidence pack to `target` (atomically); returns the path."""
    target = Path(target)
    if problems := size_problems(source, target):
        raise BadInput(problems)
    with recorded_target(source, target, force, "export.xlsx") as tmp:
        wb = build_workbook(source, report=report, styled=styled)
        try:
            atomic.save_buffered(tmp, wb.save)
        except BaseException:
            _discard(wb)
            raise
    report(1.0, f"Wrote {target.name}")
    return target


def build_workbook(source: Source, *, report: Report = no_report, styled: bool = True) -> Any:
    from openpyxl import Workbook

    doc, res = source.doc, source.results
    snap = res.snap
    ev = doc["evaluation"]
    years = int(ev["appraisal"]["years"])
    amounts = [abs(float(x)) for x in (*snap.wlc, *snap.npv)]
    amounts += [abs(float(p.get("baseline_annual_cost") or 0)) * years
                for p in doc.get("partners", [])]
    st = Styles(ev.get("currency") or "GBP", max(amounts, default=0.0)) if styled else None
    wb = Workbook(write_only=True)
    mark_book(wb, source)
    book = Book(wb, header=DRAFT_HEADER if source.provisional else "")

    crit = doc["criteria"]
    crow = {c["id"]: 2 + k for k, c in enumerate(crit)}  # Criteria sheet rows
    bids = doc["bids"]
    nb, ns = len(bids), len(snap.scored_ids)
    brow = {b["id"]: 2 + i for i, b in enumerate(bids)}  # Results rows
    mod_row0 = 2  # Moderation: pair (i, j) at mod_row0 + i * ns + j

    # Results columns: fixed, then price fractions, sections, contributions.
    fixed = ["Bid ID", "Supplier", "Status", "Rank", "Total", "Quality", "Price",
             "Cost basis", "Eligible cost"]
    c_frac0 = len(fixed) + 1
    np_ = len(snap.price_ids)
    c_sec0 = c_frac0 + np_
    c_con0 = c_sec0 + len(snap.section_ids)
    con_col = {cid: c_con0 + k for k, cid in enumerate(snap.scored_ids + snap.price_ids)}
    layout = Layout(crow=crow, brow=brow, mod_row0=mod_row0, ns=ns, nb=nb,
                     c_frac0=c_frac0, c_sec0=c_sec0, c_con0=c_con0, con_col=con_col)

    steps = [("Summary", summary_sheet), ("Criteria", criteria_sheet), ("Bids", bids_sheet),
             ("Costs", costs_sheet), ("Scores", scores_sheet), ("Evaluators", evaluators_sheet),
             ("Declarations", declarations_sheet), ("Moderation", moderation_sheet),
             ("Results", results_sheet),
             ("Sensitivity", sensitivity_sheet), ("Shared service", shared_sheet),
             ("Audit", audit_sheet), ("About", about_sheet)]
    try:
        for k, (name, fn) in enumerate(steps):
            report(k / len(steps), f"Writing the {name} sheet")
            fn(book, source, st, layout, report)
            book.finish()
    except BaseException:
        _discard(wb)
        raise
    return wb


def _discard(wb: Any) -> None:
    """Close an abandoned write-only workbook's sheets and remove their temporary files."""
    import os

    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            ws.close()
        out = getattr(getattr(ws, "_writer", None), "out", None)
        if isinstance(out, str):
            with contextlib.suppress(OSError):
                os.remove(out)


def audit_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    import json

    sh = Sheet(wb, "Audit", st, caps={7: 60, 8: 60}, freeze="A2", title_rows="1:1")
    sh.header(["#", "When", "Who", "Action", "Entity", "Record", "Before", "After"])

    def js(v: Any) -> str:
        return "" if v is None else t(json.dumps(v, ensure_ascii=False))

    for a in src.audit:
        sh.append([a.id, t(a.at), t(a.actor), t(a.action), t(a.entity), t(a.entity_id),
                   js(a.before), js(a.after)])


def about_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    sh = Sheet(wb, "About", st, caps={2: 100})
    bold = st.bold if st else None
    sh.title("About this evidence pack")
    wrap = st.wrap if st else None
    rows = [
        ("Produced by", f"ProcureDesk {src.version}"),
        ("Evaluation file", t(src.path.name)),
        ("Exported at", src.exported_at),
        ("SHA-256 of the evaluation file", src.sha256),
        ("Audit events", str(len(src.audit))),
        *about_rows(src),
        ("What is a formula",
         "Effective weights (Criteria), per-year costs, whole-life cost, NPV and the cost "
         "basis (Costs), the scores counted, mean, spread, flag and final score of each bid "
         "and criterion (Moderation: the consensus score if recorded, else the mean of the "
         "scores of evaluators with no declared conflict), price fractions, points, section "
         "subtotals and totals (Results), the Summary's totals and margin, and each shared "
         "bid's shares, partner costs, baselines, savings and break-even (Shared service)."),
        ("What is a value",
         "The inputs (weights, scores, consensus, cost lines and the parameters on the "
         "Summary sheet, shaded yellow), and each bid's Status, Reasons and Rank, which "
         "are the engine's: gateway failures and minimum scores exclude, a missing score "
         "or gateway result leaves a bid incomplete, and ties go to the higher quality, "
         "then the lower cost, then the smaller bid id. If you change an input, recheck "
         "the status and rank. The Sensitivity sheet (switching values, price formulas, "
         "withdrawn bids, Monte Carlo) holds the engine's analysis as values."),
        ("Text from suppliers and evaluators",
         "Shown as typed; text that begins with = + - @ is prefixed with an apostrophe so "
         "that no spreadsheet reads it as a formula."),
    ]
    for k, v in rows:  # long values wrap within the second column
        sh.append([sh.cell(k, font=bold, align=wrap), v])
