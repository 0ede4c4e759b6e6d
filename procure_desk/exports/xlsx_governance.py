"""The evidence pack's record of the evaluation's life: the Declarations, Audit and
About sheets, what the Summary sheet says while the results are provisional (DRAFT
and what is outstanding) or once the record is sealed, and the audit stamp in the
About sheet and the workbook's properties (words from `governance`)."""

from __future__ import annotations

from typing import Any

from . import Report, Source
from .governance import check_name, declaration_rows, draft_line, sealed_line
from .xlsx_columns import Items, Rows
from .xlsx_layout import Col, Layout, Sheet, Styles, t
from .xlsx_rows import NUMBER, TEXT

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
              else sh.cell("not declared", fill=missing))
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
    sh.append([sh.spill(t(draft_line(src)), font=st.red_bold if st else None)])
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
    wb.set_properties({
        "keywords": src.stamp,
        "subject": "DRAFT: provisional results" if src.provisional else "Evidence pack",
        "author": "ProcureDesk",
        "title": t(f"Evidence pack: {src.ev.get('title', '')}")[:250],
        "comments": t(str(src.ev.get("marking") or "")),
    })


def audit_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    """One row per audit event, oldest first (the before and after as JSON)."""
    import json

    dumps = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every event
    same: dict[str, str] = {}  # who, action, entity: a few texts, each checked once

    def once(v: str) -> str:
        got = same.get(v)
        if got is None:
            got = same[v] = t(v)
        return got

    events = src.audit
    rows = Rows([  # each column a list (the events are all in memory anyway)
        Items([e.id for e in events]), Items([t(e.at) for e in events]),
        Items([once(e.actor) for e in events]), Items([once(e.action) for e in events]),
        Items([once(e.entity) for e in events]), Items([t(e.entity_id) for e in events]),
        Items(["" if e.before is None else t(dumps(e.before)) for e in events]),
        Items(["" if e.after is None else t(dumps(e.after)) for e in events]),
    ])
    for name, (a, z) in zip(lay.audit.names, lay.audit.spans):
        sh = Sheet(wb, name, st, caps={7: 60, 8: 60}, freeze="A2", title_rows="1:1")
        sh.header(["#", "When", "Who", "Action", "Entity", "Record", "Before", "After"])
        sh.bulk([Col(NUMBER)] + [Col(TEXT)] * 7, rows.window(a, z))


WHAT_IS_A_FORMULA = (
    "Effective weights (Criteria), per-year costs, whole-life cost, NPV and the cost basis "
    "(Costs), the scores counted, mean, spread, flag and final score of each bid and "
    "criterion (Moderation: the consensus score if recorded, else the mean of the scores of "
    "evaluators with no declared conflict), each bid's status (excluded on a failed gateway "
    "or a final score below a minimum, incomplete on a missing gateway result or final "
    "score, comparator when a competitive tender's option is not a tender, else ranked), "
    "price fractions, points, section subtotals, totals and ranks (ties to the higher "
    "quality, then the lower cost, then the bid id) (Results), and on the Summary the "
    "ranking, the winner, the totals, the margin, the recommendation and the verdict, and "
    "each shared bid's shares, partner costs, baselines, savings and break-even (Shared "
    "service). Every formula cell also holds its value, so a viewer that does not "
    "recalculate shows the figures.")
WHAT_IS_A_VALUE = (
    "The inputs, shaded yellow and left editable on the protected sheets (weights and "
    "minimum scores, gateway results, tender or not, scores, consensus scores, cost lines, "
    "the parameters on the Summary sheet, partners); ProcureDesk's own figures beside the "
    "formulas (columns headed ProcureDesk, with a column that says whether they agree: "
    "after a change they show what the file says, the formulas what the change gives); "
    "the Sensitivity sheet (switching values, price formulas, withdrawn bids, Monte Carlo) "
    "and the verdict's tests that come from it, which hold for the winner ProcureDesk "
    "analysed: if a change makes another bid the winner, the verdict says so.")


def about_sheet(wb: Any, src: Source, st: Styles | None, lay: Layout, report: Report) -> None:
    sh = Sheet(wb, "About", st, caps={2: 100})
    bold = st.bold if st else None
    sh.title("About this evidence pack")
    wrap = st.wrap if st else None
    rows = [
        ("Produced by", f"ProcureDesk {src.version}"),
        ("Evaluation file", t(src.path.name)),
        ("Exported at", src.exported_at),
        ("Security marking", t(src.ev.get("marking") or "")),
        ("SHA-256 of the evaluation file", src.sha256),
        ("Audit events", str(len(src.audit))),
        *about_rows(src),
        ("What is a formula", WHAT_IS_A_FORMULA),
        ("What is a value", WHAT_IS_A_VALUE),
        ("Protected sheets",
         "Every sheet is protected against accidental edits, with no password: the inputs "
         "stay editable; Review > Unprotect Sheet lifts the protection."),
        ("Text from suppliers and evaluators",
         "Shown as typed and stored as text, never as a formula, whatever it begins with."),
    ]
    for k, v in rows:  # long values wrap within the second column
        sh.append([sh.cell(k, font=bold, align=wrap), v])
