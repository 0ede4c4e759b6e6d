"""Assessment summaries (Procurement Act 2023 s.50, Procurement Regulations 2024 reg. 31)
and notices of exclusion: one PDF per tender of a competitive tender.

A tender assessed in full gets its assessment summary: the scoring scale and what
each score means, then one table with a row per award criterion (its weight, the
tender's own score and points and, for an unsuccessful bidder, the successful
tender's beside them) and beneath each row the reasons written for each, labelled;
its total and rank among the tenders, and for an unsuccessful bidder the successful
tender's supplier and total; then the standstill period and whom to ask. An
excluded tender gets a notice of the reason. Comparators (an in-house build,
another council's shared service, doing nothing) get nothing. Reasons come only from
the feedback written for the bidder; evaluators' comments and moderation rationales
are never printed.

Before anything is written (`summary_plan.prepare`): every text bound for a bidder is
scanned for another supplier's name or id and another bid's cost figures, and any hit
refuses the whole export; while the results are provisional or feedback or award
details are missing, the export is refused with the list of what is missing, unless
`draft`, which writes every page marked DRAFT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput
from . import Report, Source, no_report, record_and_place
from .pdf_report import Kit, build_doc, numbered_canvas
from .safe_text import safe_filename
from .summary_plan import Letter, Plan, prepare
from .summary_workers import can_spawn, write_parallel


def summary_names(bids: list[dict[str, Any]]) -> dict[str, str]:
    """File name per bid id: safe on Windows, unique even when suppliers' names clash."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for b in bids:
        stem = safe_filename(f"{b['id']} {b['supplier']}", limit=70)
        name = f"Assessment summary {stem}"
        k = 2
        while name.lower() in used:
            name = f"Assessment summary {stem} ({k})"
            k += 1
        used.add(name.lower())
        out[b["id"]] = name + ".pdf"
    return out


def letter_names(plan: Plan, bids: list[dict[str, Any]]) -> dict[str, str]:
    """File name per letter: "Assessment summary ..." or "Notice of exclusion ..."."""
    names = summary_names(bids)
    out = {}
    for letter in plan.letters:
        name = names[letter.bid]
        if letter.kind == "notice":
            name = "Notice of exclusion" + name[len("Assessment summary"):]
        out[letter.bid] = name
    return out


def write_summaries(source: Source, folder: str | Path, *, force: bool = False,
                    report: Report = no_report, draft: bool = False,
                    plan: Plan | None = None, workers: int = 1) -> list[Path]:
    """One PDF per tender into `folder` (created if absent); refuses to overwrite without
    force, and refuses (BadInput) what `summary_plan.prepare` refuses.

    All or nothing (an `atomic.Batch`): every letter is first written to a hidden
    temporary file beside its target and only renamed into place once all are built.
    Cancelled (`report` raising `Cancelled`), refused or failed (a full disk), the run
    removes its own temporary files (and the folder, if it made it) and leaves the
    folder as it was.

    `workers` > 1 builds the letters in that many fresh processes, each given only what
    the letters read (`summary_workers`); not from a frozen executable.
    """
    from . import check_target
    from .summary_pdf import Layout

    folder = Path(folder)
    check_target(folder, force, folder=True)
    if not folder.parent.exists():
        raise BadInput.one(str(folder), "its folder does not exist")
    plan = plan or prepare(source, draft=draft)
    draft = draft and not plan.complete
    names = letter_names(plan, source.doc["bids"])
    targets = {bid: folder / n for bid, n in names.items()}
    letters = plan.letters
    with atomic.Batch(targets.values(), force=force, make_folders=True) as batch:
        parts = [batch.part(targets[x.bid]) for x in letters]
        if (workers > 1 and len(letters) >= PARALLEL_FROM and can_spawn()
                and _pairs(source) <= PARALLEL_PAIRS_UP_TO):
            write_parallel(source, plan, draft, letters, parts, report, workers)
        else:
            layout = Layout(source, plan, Kit(), draft=draft)  # styles, shared rows: once
            for n, letter in enumerate(letters):
                report(n / max(1, len(letters)), f"Writing the summary for {letter.bid}")
                write_letter(layout, letter, parts[n])
        # the last moment to cancel: after this the summaries are put in place
        report(1.0, f"Saving {len(letters)} assessment summaries")
        record_and_place(source, batch, "export.summaries", folder.name,
                         list(targets.values()))
    return list(targets.values())


PARALLEL_FROM = 40  # letters; fewer are written faster than processes start
#: Bid and scored-criterion pairs up to which the letters are written by worker
#: processes. Each worker holds its own copy of what the letters read, which grows with
#: the pairs: at the input limits (1.9 million) the command and two workers held 1.35 GB
#: together, where one process writes them all in 51 s and 617 MB.
PARALLEL_PAIRS_UP_TO = 500_000


def _pairs(source: Source) -> int:
    snap = source.results.snap
    return len(snap.bid_ids) * len(snap.scored_ids)


def write_letter(layout: Any, letter: Letter, target: Path) -> None:
    """One letter's PDF at `target`."""
    from .summary_pdf import letter_story

    doc, canvas = summary_document(layout.src, letter, target, draft=layout.draft)
    mark = draft_mark if layout.draft else _nothing
    doc.build(letter_story(layout, letter), onFirstPage=mark, onLaterPages=mark,
              canvasmaker=canvas)


def summary_document(src: Source, letter: Letter, target: Path, *,
                     draft: bool) -> tuple[Any, Any]:
    """The document and canvas of one letter: where page furniture (a security marking,
    fonts, templates) is set for every summary."""
    ev = src.ev
    what = "Assessment summary" if letter.kind == "summary" else "Notice of exclusion"
    doc = build_doc(target, f"{what}: {ev.get('title', '')}", ev.get("authority", ""),
                    keywords=src.stamp, subject=("DRAFT: " if draft else "") + what)
    canvas = numbered_canvas(f"{ev.get('reference', '')} · {what.lower()} for "
                             f"{letter.supplier}" + (" · DRAFT" if draft else ""),
                             stamp=src.stamp, marking=ev.get("marking"))
    return doc, canvas


def draft_mark(canvas: Any, doc: Any) -> None:
    """DRAFT plainly below the security marking of every page and faintly across it."""
    from reportlab.lib.units import mm

    from .pdf_report import fonts

    _font, bold = fonts()
    w, h = canvas._pagesize
    canvas.saveState()
    canvas.setFillColorRGB(0.75, 0, 0)
    canvas.setFont(bold, 8)
    canvas.drawCentredString(w / 2, h - 13 * mm, "DRAFT: not to be sent to the bidder")
    canvas.setFillAlpha(0.08)
    canvas.translate(w / 2, h / 2)
    canvas.rotate(50)
    canvas.setFont(bold, 130)
    canvas.drawCentredString(0, -45, "DRAFT")
    canvas.restoreState()


def _nothing(canvas: Any, doc: Any) -> None:
    pass


def build_summary_story(src: Source, bid_id: str, *, kit: Kit | None = None,
                        draft: bool = True) -> list[Any]:
    """The flowables of one tender's letter (for tests and previews; `draft` lets an
    incomplete evaluation through, as `--draft` does)."""
    from .summary_pdf import Layout, letter_story

    plan = prepare(src, draft=draft)
    letter = next((x for x in plan.letters if x.bid == bid_id), None)
    if letter is None:
        raise BadInput.one(bid_id, "gets no assessment summary or notice: it is not a "
                                   "tender, or its assessment is not complete")
    return letter_story(Layout(src, plan, kit or Kit(), draft=not plan.complete), letter)
