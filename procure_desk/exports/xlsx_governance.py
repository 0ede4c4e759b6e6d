"""The evidence pack's record of the evaluation's life: the Declarations sheet, what
the Summary sheet says while the results are provisional (DRAFT and what is
outstanding) or once the record is sealed, and the audit stamp in the About
sheet and the workbook's properties (words from `governance`)."""

from __future__ import annotations

from typing import Any

from . import Report, Source
from .governance import check_name, declaration_rows, draft_line, sealed_line
from .xlsx_layout import Layout, Sheet, Styles, t

DRAFT_HEADER = "DRAFT: provisional results, not a decision to award"


def declarations_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout,
                       report: Report) -> None:
    """One row per evaluator and declared conflict: the declaration's date and interests
    ("nil return" when none were declared), each conflict with the date it was
    declared, its nature and the mitigation agreed, and when they signed off."""
    sh = Sheet(wb, "Declarations", st, caps={5: 60, 10: 50, 11: 50}, freeze="C2",
               title_rows="1:1")
    sh.header(["Evaluator ID", "Evaluator", "Role", "Declaration date", "Interests declared",
               "Conflict with bid", "Supplier", "Conflict declared on", "Nature of the "
               "conflict", "Mitigation", "Scores submitted"])
    missing = st.amber_fill if st else None
    for r in declaration_rows(src):
        on = (t(r["declared_on"]) if r["declared_on"]
              else sh.cell("not declared", fill=missing) if missing else "not declared")
        sh.append([t(r["id"]), t(r["name"]), t(r["role"]), on,
                   t(r["interests"]), t(r["bid"] or "none"), t(r["supplier"]),
                   t(r["conflict_on"]), t(r["nature"]), t(r["mitigation"]),
                   t(r["submitted"] or "not yet")])


def status_text(src: Source) -> str:
    """The Summary sheet's third row, short enough to stay clear of the chart: DRAFT
    while provisional, who sealed the record and when once sealed."""
    parts = []
    if src.provisional:
        parts.append("DRAFT: provisional results (what is outstanding is below the "
                     "ranking)")
    if src.sealed:
        parts.append(f"Sealed by {src.sealed.get('by', '')} on {src.sealed.get('at', '')}")
    return "; ".join(parts)


def outstanding_rows(sh: Sheet, src: Source, st: Styles | None) -> None:
    """Below the Summary's ranking: what a final decision still needs (nothing once
    the results are final)."""
    if not src.provisional:
        return
    bold = st.bold if st else None
    sh.blank()
    sh.append([sh.spill(draft_line(src), font=_red(st))])
    sh.append([sh.cell("Outstanding", font=bold), sh.spill("What is missing", font=bold)])
    for o in src.outstanding:
        sh.append([t(check_name(o["check"])), sh.spill(t(o["detail"]))])


def about_rows(src: Source) -> list[tuple[str, str]]:
    """The About sheet's lines on the record: the audit stamp, the seal, the results."""
    n = len(src.outstanding)
    return [
        ("Audit chain", src.stamp),
        ("Verified", "The evaluation file verified as intact before this pack was made: "
                     "every audit event follows the one before it and the data are as the "
                     "last event left them. The command procure-desk verify FILE --against "
                     "PACK checks that the file still holds the audit head above."),
        ("Sealed", t(sealed_line(src)) if src.sealed else "not sealed"),
        ("Results", f"provisional (DRAFT): {n} kind{'s' if n != 1 else ''} of item "
                    f"outstanding, listed on the Summary sheet" if src.provisional
         else "final: nothing a decision needs is outstanding"),
    ]


def mark_book(wb: Any, src: Source) -> None:
    """The workbook's properties: the audit stamp as its keywords (`verify --against`
    reads it back), and DRAFT in its subject while provisional."""
    props = wb.properties
    props.keywords = src.stamp
    props.subject = "DRAFT: provisional results" if src.provisional else "Evidence pack"
    props.creator = "ProcureDesk"
    props.title = t(f"Evidence pack: {src.ev.get('title', '')}")[:250]


def _red(st: Styles | None) -> Any:
    if st is None:
        return None
    from openpyxl.styles import Font

    return Font(bold=True, color="C00000")
