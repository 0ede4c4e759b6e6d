"""Evaluators' offline scoring sheets: export one workbook each, read them back.

Blind scoring: a sheet holds the bids (by id and supplier name) and the
criteria the evaluator may score, with guidance and descriptors; it holds no
price, no cost line and no notes (a bid's notes may quote prices). Bids the
evaluator declared a conflict with are left out.

A hidden sheet names the evaluation (a key made from the file's creation
stamp), the evaluator, which bid and criterion each row is and the score and
comment (a hash of it) each row held when exported, with a checksum over all
of it: a sheet from another evaluation, for another evaluator, or whose rows
were sorted, inserted or deleted, is refused.

The exported values tell an evaluator's edit from a stale one. A row the
evaluator left as exported changes nothing, even where the evaluation has a
newer score. A row changed both in the sheet and in the evaluation since the
export is a conflict: it is listed and left alone unless the caller chooses
to overwrite the newer score.

Reading back never writes by itself: `read_sheets` lists what would change
(new and changed scores, and conflicts, per evaluator), and
`apply_score_changes` writes them in one transaction through
`EvaluationFile.set_scores` (an audit event each). A blank score cell means
"no change": withdrawing a score is done in the app.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from .. import atomic
from ..errors import BadInput, Problem
from ..interchange import MAX_TEXT, plain, q, score_problem
from ..wording import one_line, plural
from . import sheet_part
from .safety import Grid, Limits, open_workbook
from .sheet_part import PartChoice, SheetPart

FORMAT = "procure-desk/scoring-sheet"
VERSION = 2  # 2: each row carries its score and comment as exported
SCORES = "Scores"
GUIDANCE = "Guidance"
INSTRUCTIONS = "Instructions"
IDS = "Identifiers"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
IDS_FIRST = 12  # first row of the row map (JSON, in chunks) in the hidden sheet
IDS_CHUNK = 30_000  # characters per cell (Excel holds at most 32,767)
HEADERS = ["Bid", "Supplier", "Ref", "Criterion", "Score", "Justification (comment)"]
SCORE_COL, COMMENT_COL = 5, 6
SIGN_OFF_ROW = 3  # on the Scores sheet: YES in the score column submits the scores
#: Score rows a sheet may hold and still be read back (24,996: 25,000 rows in all).
MAX_SHEET_ROWS = sheet_part.MAX_SHEET_ROWS
SCORE_LIMITS = Limits(max_rows=MAX_SHEET_ROWS + HEADER_ROW, max_cols=12)
META_KEY = "scoring_sheet_id"

Progress = Callable[[int, int, str], None]


# ---- identity ------------------------------------------------------------------------

@overload
def evaluation_key(ef: Any, *, actor: str) -> str: ...


@overload
def evaluation_key(ef: Any, *, actor: None = None) -> str | None: ...


def evaluation_key(ef: Any, *, actor: str | None = None) -> str | None:
    """A key naming this evaluation in its sheets: a random id kept in the file.

    Made (with an audit event by `actor`) the first time sheets are exported;
    None if sheets were never exported from this file. Copies of the file keep
    it, so a sheet can come back to a copy of the same evaluation.
    """
    import uuid

    value = ef.meta(META_KEY)
    if value is None and actor is not None:
        value = uuid.uuid4().hex
        ef.set_meta(actor, META_KEY, value, "evaluation.identify",
                    {META_KEY: value, "why": "scoring sheets name the evaluation they belong to"})
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()[:20]


def _checksum(key: str, eid: str, smax: float, step: float, rows: list[list[Any]]) -> str:
    text = json.dumps([FORMAT, VERSION, key, eid, plain(smax), plain(step), rows],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _comment_key(text: str | None) -> str:
    """A short hash of a comment as a sheet shows it ("" for none).

    Normalised as writing and reading back change it (characters a workbook
    cannot hold, line endings, surrounding space), so an untouched comment
    keeps its key.
    """
    norm = _ILLEGAL.sub("\ufffd", text or "").replace("\r\n", "\n").strip()
    return hashlib.sha256(norm.encode()).hexdigest()[:16] if norm else ""


def safe_file_name(eid: str, name: str) -> str:
    """A file name safe on Windows and elsewhere, whatever the evaluator is called."""
    def slug(text: str, limit: int) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")

    return f"scoring-{slug(eid, 20) or 'evaluator'}-{slug(name, 40) or 'evaluator'}.xlsx"


# ---- export --------------------------------------------------------------------------

def build_scoring_sheet(ef: Any, eid: str, *, key: str | None = None,
                        actor: str | None = None, part: SheetPart | None = None) -> Any:
    """The workbook for one evaluator, pre-filled with the scores already recorded:
    every bid and scored criterion, or the `part` given."""
    key = key or evaluation_key(ef, actor=actor or "procure-desk")
    doc = ef.document()
    part = part or sheet_part.resolve(doc, PartChoice(evaluators=(eid,)))
    ev = next((e for e in part.evaluators if e["id"] == eid), None)
    if ev is None:
        raise BadInput.one(f"evaluator {eid}", "is not in this evaluation")
    current = {(r["bid"], r["criterion"]): r for r in doc["scores"] if r["evaluator"] == eid}
    return _workbook(doc, ev, part, key, current)


def _workbook(doc: dict[str, Any], ev: dict[str, Any], part: SheetPart, key: str,
              current: dict[tuple[str, str], dict[str, Any]]) -> Any:
    from openpyxl import Workbook

    from .style import NOTE_FONT

    rows = part.rows_for(ev)
    wb = Workbook()
    sheets = [_instructions(wb.active, doc["evaluation"], ev, part.describe()),
              _scores(wb, doc, ev, rows, current, part.describe()),
              _guidance(wb, doc, part.criteria)]
    for sheet in sheets:
        sheet.cell(row=2, column=1).font = NOTE_FONT
    _identifiers(wb, key, doc["evaluation"], ev, rows, current)
    wb.active = 1
    return wb


def _instructions(ws: Any, evaluation: dict[str, Any], ev: dict[str, Any],
                  part_text: str) -> Any:
    from openpyxl.styles import Font

    from .style import WRAP, printable, put, title

    smax, step = evaluation["scale"]["max"], evaluation["scale"]["step"]
    ws.title = INSTRUCTIONS
    title(ws, f"Scoring sheet: {ev['name']}", f"{evaluation['authority']}: "
          f"{evaluation['title']} {evaluation['reference']}".strip())
    lines = [
        "Score each bid against each criterion on the Scores sheet: choose a score from the "
        f"list (0 to {plain(smax)}, in steps of {plain(step)}) and justify it by reference to "
        "the tender in the comment cell. The Guidance sheet gives each criterion's guidance "
        "and what each score means.",
        "Score independently and do not discuss scores before moderation. Prices are not "
        "shown: quality is scored blind.",
        "A blank score means 'not scored yet': it changes nothing when the sheet is read "
        "back. To withdraw a score already recorded, do it in ProcureDesk.",
        "Do not sort, insert or delete rows, and do not rename sheets: the sheet is checked "
        "when it is read back and a changed structure is refused.",
        "Bids you declared a conflict of interest with are not in this sheet.",
    ]
    if part_text:  # its own line: rows 4 to 9 then, the scale still from row 10
        lines.insert(0, part_text)
    for i, text in enumerate(lines, start=4):
        put(ws.cell(row=i, column=1), text).alignment = WRAP
        ws.row_dimensions[i].height = 16 * max(2, -(-len(text) // 110))  # no clipped line
    ws.cell(row=10, column=1).value = "Scale"
    ws.cell(row=10, column=1).font = Font(bold=True)
    for j, (score, words) in enumerate(evaluation["scale"]["descriptors"].items(), start=11):
        put(ws.cell(row=j, column=1), f"{score}: {words}")
    ws.column_dimensions["A"].width = 110
    ws.sheet_view.showGridLines = False
    printable(ws)
    return ws


def _score_validation(smax: float, step: float) -> Any:
    """A list of the scale's scores where Excel can hold it, else a range check."""
    from openpyxl.worksheet.datavalidation import DataValidation

    values = [plain(round(step * k, 10)) for k in range(round(smax / step) + 1)]
    listed = ",".join(str(v) for v in values)
    if len(listed) <= 250:
        return DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Score",
                              error=f"Choose a score from 0 to {plain(smax)}.")
    return DataValidation(type="decimal", operator="between", formula1="0",
                          formula2=str(plain(smax)), allow_blank=True,
                          showErrorMessage=True, error=f"A score from 0 to {plain(smax)}")


def _scores(wb: Any, doc: dict[str, Any], ev: dict[str, Any], rows: list[tuple[dict, dict]],
            current: dict[tuple[str, str], dict[str, Any]], part_text: str) -> Any:
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill

    from .style import BOX, INPUT_FILL, UNLOCKED, header, protect, put, title

    scale = doc["evaluation"]["scale"]
    names = {c["id"]: c["name"] for c in doc["criteria"]}
    sc = wb.create_sheet(SCORES)
    title(sc, "Scores", f"{ev['name']}: {plural(len(rows), 'score')} to give "
                        f"({plural(len({b['id'] for b, _ in rows}), 'bid')})"
                        + (f". {part_text}" if part_text else ""))
    header(sc, HEADER_ROW, HEADERS, [8, 36, 8, 44, 9, 70])
    dv = _score_validation(scale["max"], scale["step"])
    sc.add_data_validation(dv)
    # named styles: one assignment per cell instead of four (5,000-row sheets)
    top = Alignment(wrap_text=True, vertical="top")
    body = Font(name="Calibri", size=11)
    plain_style = NamedStyle("pd-label", font=body, alignment=top)
    band_style = NamedStyle("pd-label-band", font=body, alignment=top,
                            fill=PatternFill("solid", fgColor="F2F2F2"))
    input_style = NamedStyle("pd-input", font=body, alignment=top, fill=INPUT_FILL,
                             border=BOX, protection=UNLOCKED)
    for style in (plain_style, band_style, input_style):
        wb.add_named_style(style)
    styled = _Styler()
    prev = None
    band = False
    for i, (b, c) in enumerate(rows):
        r = FIRST_ROW + i
        if b["id"] != prev:
            band = not band
            prev = b["id"]
        cur = current.get((b["id"], c["id"]))
        label = "pd-label-band" if band else "pd-label"
        for col, value in enumerate((b["id"], b["supplier"], c["id"], names[c["id"]]), start=1):
            styled(put(sc.cell(row=r, column=col), value), label)
        comment = cur["comment"] if cur else ""
        styled(put(sc.cell(row=r, column=SCORE_COL), cur["score"] if cur else None), "pd-input")
        styled(put(sc.cell(row=r, column=COMMENT_COL), comment or None), "pd-input")
        # room to write, and enough for what is already written (no auto-fit on open)
        tall = max(2, -(-len(comment) // 80), -(-len(b["supplier"]) // 34))
        sc.row_dimensions[r].height = 15 * min(tall, 12)
    if rows:
        dv.add(f"E{FIRST_ROW}:E{FIRST_ROW + len(rows) - 1}")
    _sign_off(sc, ev)
    sc.freeze_panes = f"E{FIRST_ROW}"
    sc.auto_filter.ref = None
    protect(sc)
    return sc


class _Styler:
    """Gives a cell a named style: by name the first time, then by copying the style
    the workbook made for it (a tenth of the time: sheets of 25,000 rows)."""

    def __init__(self) -> None:
        self.made: dict[str, Any] = {}

    def __call__(self, cell: Any, name: str) -> None:
        made = self.made.get(name)
        if made is None:
            cell.style = name
            self.made[name] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(made)


def _sign_off(sc: Any, ev: dict[str, Any]) -> None:
    """The cell in which the evaluator signs off: YES submits the scores as final."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from .style import put

    label = put(sc.cell(row=SIGN_OFF_ROW, column=SCORE_COL - 1),
                "Sign-off: type YES to submit all your scores as final (they are then locked)")
    label.font = Font(bold=True)
    cell = sc.cell(row=SIGN_OFF_ROW, column=SCORE_COL)
    cell.style = "pd-input"
    if ev.get("submitted"):
        put(cell, "YES")
    dv = DataValidation(type="list", formula1='"YES"', allow_blank=True,
                        showErrorMessage=True, error="Type YES to sign off, or leave blank.")
    sc.add_data_validation(dv)
    dv.add(cell.coordinate)


def _guidance(wb: Any, doc: dict[str, Any], criteria: list[dict[str, Any]]) -> Any:
    from .style import WRAP, header, protect, put, title

    gd = wb.create_sheet(GUIDANCE)
    title(gd, "Guidance", "What each criterion asks and what each score means")
    header(gd, HEADER_ROW, ["Ref", "Criterion", "Minimum score", "Guidance", "Descriptors"],
           [8, 36, 10, 70, 60])
    scale_desc = doc["evaluation"]["scale"]["descriptors"]
    for i, c in enumerate(criteria):
        r = FIRST_ROW + i
        desc = c.get("descriptors") or scale_desc
        cells = (c["id"], c["name"], c.get("min_score"), c.get("guidance") or "",
                 "\n".join(f"{k}: {v}" for k, v in desc.items()))
        for col, value in enumerate(cells, start=1):
            put(gd.cell(row=r, column=col), value).alignment = WRAP
    gd.freeze_panes = f"C{FIRST_ROW}"
    protect(gd)
    return gd


def _identifiers(wb: Any, key: str, evaluation: dict[str, Any], ev: dict[str, Any],
                 rows: list[tuple[dict, dict]],
                 current: dict[tuple[str, str], dict[str, Any]]) -> None:
    """The hidden sheet: which evaluation, evaluator and row is which, with a checksum."""
    from .style import protect, put

    smax, step = evaluation["scale"]["max"], evaluation["scale"]["step"]
    ids = wb.create_sheet(IDS)
    # per row: bid, criterion, and the score and comment key as exported
    entries = []
    for b, c in rows:
        cur = current.get((b["id"], c["id"]))
        entries.append([b["id"], c["id"], cur["score"] if cur else None,
                        _comment_key(cur["comment"]) if cur else ""])
    row_map = [[FIRST_ROW + i, *e] for i, e in enumerate(entries)]
    meta = [("format", FORMAT), ("version", VERSION), ("evaluation", key),
            ("title", evaluation["title"]), ("evaluator", ev["id"]),
            ("evaluator name", ev["name"]), ("scale max", plain(smax)),
            ("scale step", plain(step)), ("rows", len(rows)),
            ("checksum", _checksum(key, ev["id"], smax, step, row_map))]
    for r, (k, v) in enumerate(meta, start=1):
        put(ids.cell(row=r, column=1), k)
        put(ids.cell(row=r, column=2), v)
    # the row map as compact JSON in a few cells: quick to read back
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    for i in range(0, max(len(text), 1), IDS_CHUNK):
        put(ids.cell(row=IDS_FIRST + i // IDS_CHUNK, column=1), text[i:i + IDS_CHUNK])
    ids.sheet_state = "veryHidden"
    protect(ids)


def write_scoring_sheets(ef: Any, folder: Path, *, actor: str, force: bool = False,
                         evaluators: Sequence[str] | None = None,
                         part: PartChoice | None = None,
                         progress: Progress | None = None) -> list[tuple[Path, dict]]:
    """One workbook per evaluator in `folder`; returns (path, evaluator) pairs.

    `part` chooses the evaluators, criteria (or sections) and bids the sheets hold
    (everything by default; `evaluators` is a shorthand for its evaluators). Unknown
    ids, and sheets too long to be read back, are refused before anything is written.

    The sheets and the audit event recording their export (with the part) are one
    outcome: every sheet is built under a temporary name first, then renamed into
    place inside the recorded event. A file that cannot record it (busy, read-only)
    refuses before any sheet appears, and a disk that fails takes every sheet back.
    """
    doc = ef.document()
    if folder.exists() and not folder.is_dir():
        raise BadInput.one(str(folder), "is a file, not a folder")
    choice = part or PartChoice()
    if evaluators is not None and not choice.evaluators:
        choice = PartChoice(tuple(evaluators), choice.criteria, choice.bids)
    chosen = sheet_part.resolve(doc, choice)
    if refused := sheet_part.empty(chosen) or sheet_part.too_long(doc, chosen):
        raise BadInput(refused)
    targets = _targets(folder, chosen.evaluators)
    wanted = {e["id"] for e in chosen.evaluators}
    current: dict[str, dict[tuple[str, str], dict[str, Any]]] = {e: {} for e in wanted}
    for r in doc["scores"]:  # one pass over the scores for every sheet
        if r["evaluator"] in wanted:
            current[r["evaluator"]][(r["bid"], r["criterion"])] = r
    with atomic.Batch([p for p, _ in targets], force=force, make_folders=True) as batch:
        key = evaluation_key(ef, actor=actor)
        for i, (path, e) in enumerate(targets):
            if progress:
                progress(i, len(targets), e["name"])
            book = _workbook(doc, e, chosen, key, current[e["id"]])
            atomic.save_buffered(batch.part(path), book.save)
            del book
        if progress:
            progress(len(targets), len(targets), "")
        with ef.recording(actor, "export.scoring_sheets",
                          {"files": {e["id"]: p.name for p, e in targets},
                           "part": chosen.record()}):
            batch.commit()
    return targets


def _targets(folder: Path, evaluators: list[dict[str, Any]]) -> list[tuple[Path, dict]]:
    """Each evaluator's file: names differing only by case get a number (Windows, macOS)."""
    targets: list[tuple[Path, dict]] = []
    taken: set[str] = set()
    for e in evaluators:
        name = safe_file_name(e["id"], e["name"])
        n = 2
        while name.casefold() in taken:
            name = safe_file_name(f"{e['id']}-{n}", e["name"])
            n += 1
        taken.add(name.casefold())
        targets.append((folder / name, e))
    return targets


# ---- import --------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreChange:
    """One new or changed score read from a sheet.

    `old` is the score recorded now, `exported` the score the row held when the
    sheet was exported. A conflict is a row changed both in the sheet and in
    the evaluation since the export: applying it would undo the newer change.
    """

    evaluator: str
    bid: str
    criterion: str
    score: float | int
    comment: str
    old: dict[str, Any] | None
    where: str
    source: str
    exported: float | int | None = None
    conflict: bool = False

    @property
    def item(self) -> dict[str, Any]:
        return {"evaluator": self.evaluator, "bid": self.bid, "criterion": self.criterion,
                "score": self.score, "comment": self.comment}


@dataclass
class SheetRead:
    source: str
    evaluator: str
    changes: list[ScoreChange]
    unchanged: int
    blank: int
    conflicts: list[ScoreChange] = field(default_factory=list)
    submit: bool = False  # the evaluator signed off in the sheet (YES in the sign-off cell)


def _meta(grid: Grid) -> dict[str, Any]:
    out = {}
    for r in range(1, IDS_FIRST):
        k = grid.value(r, 1)
        if isinstance(k, str):
            out[k] = grid.value(r, 2)
    return out


def _row_map(ids: Grid, n: int) -> list[list[Any]] | None:
    """[row, bid, criterion, exported score, exported comment key] per score row."""
    chunks = []
    for r in range(IDS_FIRST, ids.n_rows + 1):
        v = ids.value(r, 1)
        if not isinstance(v, str):
            break
        chunks.append(v)
    try:
        entries = json.loads("".join(chunks) or "[]")
    except ValueError:
        return None
    if not isinstance(entries, list) or len(entries) != n:
        return None
    for e in entries:
        if not (isinstance(e, list) and len(e) == 4 and isinstance(e[0], str)
                and isinstance(e[1], str) and isinstance(e[3], str)
                and (e[2] is None or (isinstance(e[2], int | float)
                                      and not isinstance(e[2], bool)))):
            return None
    return [[FIRST_ROW + i, *e] for i, e in enumerate(entries)]


def _structure_problem(grid: Grid, row_map: list[list[Any]], last: int) -> Problem | None:
    """One message for rows added, removed or sorted, however many rows moved."""
    for r, bid, cid, *_ in row_map:
        got = (grid.value(r, 1), grid.value(r, 3))
        if got != (bid, cid):
            now = " ".join(str(v) for v in got if v is not None) or "nothing"
            return Problem(f"{grid.label}, {SCORES}",
                           f"rows were added, removed or sorted (row {r} was exported as "
                           f"{bid} {cid} and now holds {now}): export a fresh sheet")
    for r in range(last + 1, grid.n_rows + 1):
        if any(grid.value(r, c) is not None or grid.is_formula(r, c)
               for c in (SCORE_COL, COMMENT_COL)):
            return Problem(f"{grid.label}, {SCORES}",
                           f"rows were added, removed or sorted (row {r}, below the last "
                           "exported row, holds a score or comment): export a fresh sheet")
    return None


def _identify(wb: Any, name: str, doc: dict[str, Any], key: str | None
              ) -> tuple[dict[str, Any], list[list[Any]]]:
    """Which evaluation and evaluator a returned sheet is of, and its row map; a sheet of
    another evaluation, another version or with changed identifiers is refused."""
    if IDS not in wb.sheet_names or SCORES not in wb.sheet_names:
        raise BadInput.one(name, "is not a ProcureDesk scoring sheet (no "
                                 f"{SCORES!r} sheet or its hidden identifiers are gone); "
                                 "export a new one with `procure-desk scoring-sheets`")
    ids = wb.read(IDS, max_cols=4)
    meta = _meta(ids)
    if meta.get("format") != FORMAT:
        raise BadInput.one(f"{name}, {IDS}", "is not a scoring sheet this version of "
                                             "ProcureDesk can read")
    if meta.get("version") != VERSION:
        raise BadInput.one(name, "was exported by another version of ProcureDesk (sheet "
                                 f"format {q(str(meta.get('version')))}); export a fresh "
                                 "sheet")
    if key is None or meta.get("evaluation") != key:
        raise BadInput.one(name, f"is a scoring sheet for another evaluation "
                                 f"({q(str(meta.get('title'))[:80])}), not this one")
    eid = str(meta.get("evaluator"))
    ev = next((e for e in doc["evaluators"] if e["id"] == eid), None)
    if ev is None:
        raise BadInput.one(name, f"is the sheet of evaluator {q(eid)}, who is not in this "
                                 "evaluation")
    n = meta.get("rows")
    row_map = (_row_map(ids, n) if isinstance(n, int) and 0 <= n <= SCORE_LIMITS.max_rows
               else None)
    if row_map is None:
        raise BadInput.one(f"{name}, {IDS}", "its hidden identifiers were changed: export "
                                             "a fresh sheet")
    smax, step = meta.get("scale max"), meta.get("scale step")
    if meta.get("checksum") != _checksum(key, eid, smax, step, row_map):  # type: ignore[arg-type]
        raise BadInput.one(f"{name}, {IDS}", "its hidden identifiers were changed (the "
                                             "checksum does not match): export a fresh "
                                             "sheet")
    return ev, row_map


def read_scoring_sheet(path: str | Path, doc: dict[str, Any], key: str | None, *,
                       label: str | None = None) -> SheetRead:
    """Check one returned sheet against this evaluation; BadInput names every problem.

    A hostile file, a sheet of another evaluation or evaluator, changed
    identifiers or moved rows are refused with one message each; otherwise
    every problem in the sheet (scores off the scale, formulas without a
    value...) is listed together.
    """
    p = Path(path)
    name = label or p.name
    problems: list[Problem] = []
    with open_workbook(p, label=name, limits=SCORE_LIMITS) as wb:
        ev, row_map = _identify(wb, name, doc, key)
        eid = ev["id"]
        last = FIRST_ROW + len(row_map) - 1
        grid = wb.read(SCORES, max_rows=last + 200, max_cols=len(HEADERS) + 2,
                       problems=problems)
    if moved := _structure_problem(grid, row_map, last):
        raise BadInput([moved])
    scale = doc["evaluation"]["scale"]
    bids = {b["id"] for b in doc["bids"]}
    scored = {c["id"] for c in doc["criteria"] if c["kind"] == "scored"}
    current = {(r["bid"], r["criterion"]): r for r in doc["scores"] if r["evaluator"] == eid}
    changes: list[ScoreChange] = []
    conflicts: list[ScoreChange] = []
    unchanged = blank = 0
    for r, bid, cid, exported, exported_key in row_map:
        if grid.is_formula(r, SCORE_COL) or grid.is_formula(r, COMMENT_COL):
            continue  # already a problem: "a formula, not a value"
        raw = grid.value(r, SCORE_COL)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            blank += 1
            continue
        where = grid.where(r, SCORE_COL)
        value: Any = raw
        if isinstance(raw, str):
            try:
                value = float(raw.strip())
            except ValueError:
                value = raw[:40]  # `score_problem` says it is not a number
        comment_raw = grid.value(r, COMMENT_COL)
        comment = "" if comment_raw is None else str(comment_raw).strip()
        score = plain(value) if isinstance(value, int | float) else value
        comment_key = _comment_key(comment)
        if score == exported and comment_key == exported_key:
            unchanged += 1  # as exported: the evaluator left it, and a newer score stays
            continue
        if why := score_problem(value, scale["max"], scale["step"]):
            problems.append(Problem(where, f"score {why}"))
            continue
        if bid not in bids or cid not in scored:
            problems.append(Problem(where, f"{bid}/{cid} is no longer a bid and scored "
                                           "criterion of this evaluation"))
            continue
        if bid in ev["conflicts"]:
            problems.append(Problem(where, f"{ev['name']} has declared a conflict of interest "
                                           f"with {bid} since this sheet was exported"))
            continue
        if len(comment) > MAX_TEXT:
            problems.append(Problem(grid.where(r, COMMENT_COL),
                                    f"the comment is longer than {MAX_TEXT:,} characters"))
            continue
        old = current.get((bid, cid))
        now = (old["score"], _comment_key(old["comment"])) if old else (None, "")
        if now == (score, comment_key):
            unchanged += 1  # the evaluation already says what the sheet says
            continue
        newer = now != (exported, exported_key)
        change = ScoreChange(eid, bid, cid, score, comment, old, where, name, exported, newer)
        (conflicts if newer else changes).append(change)
    if problems:
        raise BadInput(problems)
    signed = grid.value(SIGN_OFF_ROW, SCORE_COL)
    submit = isinstance(signed, str) and signed.strip().upper() == "YES"
    return SheetRead(name, eid, changes, unchanged, blank, conflicts,
                     submit=submit and not ev.get("submitted"))


def read_sheets(ef: Any, paths: Sequence[str | Path], *,
                progress: Progress | None = None) -> list[SheetRead]:
    """Read and check every sheet against the evaluation; BadInput for all files at once."""
    doc = ef.document()
    key = evaluation_key(ef)
    problems: list[Problem] = []
    reads: list[SheetRead] = []
    names = [Path(p).name for p in paths]
    for i, path in enumerate(paths):
        label = str(path) if names.count(names[i]) > 1 else names[i]
        if progress:
            progress(i, len(paths), label)
        try:
            reads.append(read_scoring_sheet(path, doc, key, label=label))
        except BadInput as exc:
            problems += exc.problems
    if progress:
        progress(len(paths), len(paths), "")
    seen: dict[str, str] = {}
    for r in reads:
        if r.evaluator in seen:
            problems.append(Problem(r.source, f"is another sheet of evaluator {r.evaluator} "
                                              f"(as {seen[r.evaluator]}): import one of them"))
        seen[r.evaluator] = r.source
    if problems:
        raise BadInput(problems)
    return reads


def _per_evaluator(doc: dict[str, Any], items: Sequence[ScoreChange], detail: int,
                   heading: Callable[[list[ScoreChange]], str],
                   line: Callable[[ScoreChange, str], str],
                   order: Callable[[list[ScoreChange]], list[ScoreChange]] = list
                   ) -> list[str]:
    """Lines per evaluator: a heading, then up to `detail` items naming bid and criterion."""
    names = {e["id"]: e["name"] for e in doc["evaluators"]}
    bids = {b["id"]: b["supplier"] for b in doc["bids"]}
    crits = {c["id"]: c["name"] for c in doc["criteria"]}
    by_ev: dict[str, list[ScoreChange]] = {}
    for c in items:
        by_ev.setdefault(c.evaluator, []).append(c)
    lines: list[str] = []
    for eid, group in by_ev.items():
        lines.append(f"{eid} {names.get(eid, '')} ({group[0].source}): {heading(group)}")
        for c in order(group)[:detail]:
            about = (f"({one_line(bids.get(c.bid, ''), 32)}; "
                     f"{one_line(crits.get(c.criterion, ''), 32)})")
            lines.append(line(c, about))
        if len(group) > detail:
            lines.append(f"  ... and {len(group) - detail} more")
    return lines


def describe_changes(doc: dict[str, Any], changes: Sequence[ScoreChange], *,
                     detail: int = 25) -> list[str]:
    """What will change, per evaluator: counts, then the changes themselves."""
    def heading(group: list[ScoreChange]) -> str:
        new = sum(1 for c in group if c.old is None)
        return f"{new} new, {len(group) - new} changed"

    def line(c: ScoreChange, about: str) -> str:
        if c.old is None:
            return f"  new      {c.bid} {c.criterion}: {c.score}  {about}"
        if c.old["score"] != c.score:
            return (f"  changed  {c.bid} {c.criterion}: {plain(c.old['score'])} -> "
                    f"{c.score}  {about}")
        return f"  changed  {c.bid} {c.criterion}: comment only  {about}"

    def changed_first(group: list[ScoreChange]) -> list[ScoreChange]:
        return ([c for c in group if c.old is not None]
                + [c for c in group if c.old is None])

    return _per_evaluator(doc, changes, detail, heading, line, changed_first)


def describe_conflicts(doc: dict[str, Any], conflicts: Sequence[ScoreChange], *,
                       detail: int = 25) -> list[str]:
    """The rows changed both in a sheet and in the evaluation since the sheet was exported."""
    return _per_evaluator(doc, conflicts, detail,
                          lambda group: plural(len(group), "conflict"),
                          lambda c, about: f"  {conflict_text(c)}  {about}")


def conflict_text(c: ScoreChange) -> str:
    """'B3 F2: changed in the evaluation since this sheet was exported (was 5, now 1; ...)'."""
    def shown(score: float | int | None) -> str:
        return "no score" if score is None else str(plain(score))

    now = c.old["score"] if c.old else None
    if c.exported == now == c.score:
        why = f"score {shown(now)}; its comment was changed there and in the sheet"
    else:
        why = f"was {shown(c.exported)}, now {shown(now)}; the sheet says {shown(c.score)}"
    return f"{c.bid} {c.criterion}: changed in the evaluation since this sheet was exported " \
           f"({why})"


def apply_score_changes(ef: Any, actor: str, changes: Sequence[ScoreChange],
                        submit: Sequence[str] = ()) -> int:
    """Write the changes, and the sign-off of the evaluators in `submit`, in one
    transaction (an audit event per score and per sign-off)."""
    items = [c.item for c in changes]
    if items or submit:
        ef.set_scores(actor, items, submit=list(submit))
    return len(items)
