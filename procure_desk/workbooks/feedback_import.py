"""Feedback for the bidders, written in a spreadsheet: `procure-desk import-feedback FILE
SHEET.xlsx|SHEET.csv` (docs/evidence.md, "Feedback for the bidders").

One row per bid and criterion, under a header row naming the columns `bid`,
`criterion` and `feedback` (or `text`); other columns (the supplier's name, the
criterion's name) are there for the writer and ignored. Rows with nothing in those
three columns are skipped. Every row is checked before anything is written: an
unknown bid or criterion, a criterion that is not scored or priced, an empty text, a
text the interchange file would refuse (hidden or reordering characters, too long),
the same bid and criterion twice, a formula without a value. Any problem refuses the
whole file, each named by its row; otherwise the feedback is written in one
transaction with an audit event per text. A workbook is opened with the same guard as
a supplier's (`safety.open_workbook`): macros, zip and entity bombs are refused
before anything is parsed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadInput, Problem
from ..interchange import MAX_TEXT, q
from ..interchange.text import long_text_problem
from ..wording import plural
from .safety import Limits, open_workbook

# A sheet of every bid x criterion at the input limits, and no more.
FEEDBACK_LIMITS = Limits(max_rows=200_000, max_cols=40)
HEADER_ROWS = 10  # the header row is looked for among the first rows
COLUMNS = {"bid": "bid", "bid id": "bid", "tender": "bid", "criterion": "criterion",
           "criterion id": "criterion", "feedback": "text", "text": "text",
           "feedback for the bidder": "text"}


@dataclass(frozen=True)
class FeedbackRow:
    where: str  # "sheet.csv, row 4"
    bid: str
    criterion: str
    text: str


@dataclass
class FeedbackChanges:
    added: int = 0
    changed: int = 0
    unchanged: int = 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_rows(path: str | Path, *, label: str | None = None) -> list[tuple[str, list[str]]]:
    """The file's rows as text, each with where it is; xlsx through the safe reader."""
    p = Path(path)
    name = label or p.name
    if p.suffix.lower() == ".csv":
        return _csv_rows(p, name)
    if p.suffix.lower() not in (".xlsx", ".xlsm"):
        raise BadInput.one(name, "is neither a workbook (.xlsx) nor a CSV file (.csv)")
    problems: list[Problem] = []
    with open_workbook(p, label=name, limits=FEEDBACK_LIMITS) as wb:
        sheets = wb.sheet_names
        sheet = next((s for s in sheets if s.strip().lower() == "feedback"), sheets[0])
        grid = wb.read(sheet, problems=problems)
    if problems:
        raise BadInput(problems)
    width = max((max(r) for r in grid.cells.values() if r), default=0)
    return [(f"{name}, {sheet} row {r}", [_cell(grid.value(r, c)) for c in range(1, width + 1)])
            for r in range(1, grid.n_rows + 1)]


def _csv_rows(p: Path, name: str) -> list[tuple[str, list[str]]]:
    if not p.is_file():
        raise BadInput.one(name, "does not exist")
    size = p.stat().st_size
    if size > FEEDBACK_LIMITS.max_file_bytes:
        raise BadInput.one(name, f"is {size / 1e6:.0f} MB, far larger than any feedback "
                                 f"sheet (limit {FEEDBACK_LIMITS.max_file_bytes / 1e6:.0f} MB)")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadInput.one(f"{name}, line {line}", "is not UTF-8 text: save the sheet as "
                                                   "CSV UTF-8") from None
    out = []
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if n > FEEDBACK_LIMITS.max_rows:
                raise BadInput.one(name, f"has more than {FEEDBACK_LIMITS.max_rows:,} rows, "
                                         "far more than any feedback sheet; refused")
            out.append((f"{name}, row {n}", row))
    except csv.Error as exc:
        raise BadInput.one(name, f"could not be read as CSV ({exc})") from None
    return out


def parse_rows(rows: Sequence[tuple[str, list[str]]], doc: dict[str, Any], name: str
               ) -> list[FeedbackRow]:
    """The rows checked against the evaluation; BadInput naming every bad row."""
    header_at, cols = _header(rows, name)
    bids = {b["id"] for b in doc["bids"]}
    kinds = {c["id"]: c["kind"] for c in doc["criteria"]}
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    out = []
    for where, row in rows[header_at + 1:]:
        bid, cid, text = _pick(row, cols)
        if not (bid or cid or text.strip()):
            continue
        why = _row_problem(bid, cid, text, bids, kinds)
        if why is None and (bid, cid) in seen:
            why = f"a second feedback for {bid} on {cid} (the first is at {seen[bid, cid]})"
        if why:
            problems.append(Problem(where, why))
            continue
        seen[(bid, cid)] = where
        out.append(FeedbackRow(where, bid, cid, text))
    if problems:
        raise BadInput([Problem(name, f"refused: {plural(len(problems), 'row')} cannot be "
                                      "imported, so nothing was changed"), *problems])
    if not out:
        raise BadInput.one(name, "holds no feedback under its header row")
    return out


def _pick(row: list[str], cols: dict[str, int]) -> tuple[str, str, str]:
    def get(k: str) -> str:
        i = cols[k]
        return row[i] if i < len(row) else ""

    return get("bid").strip(), get("criterion").strip(), get("text").replace("\r\n", "\n")


def _header(rows: Sequence[tuple[str, list[str]]], name: str) -> tuple[int, dict[str, int]]:
    for k, (_where, row) in enumerate(rows[:HEADER_ROWS]):
        cols: dict[str, int] = {}
        for i, cell in enumerate(row):
            key = COLUMNS.get(" ".join(str(cell).split()).lower())
            if key and key not in cols:
                cols[key] = i
        if len(cols) == 3:
            return k, cols
    raise BadInput.one(name, "has no header row naming the columns bid, criterion and "
                             "feedback (in its first 10 rows)")


def _row_problem(bid: str, cid: str, text: str, bids: set[str],
                 kinds: dict[str, str]) -> str | None:
    if not bid:
        return "no bid"
    if bid not in bids:
        return f"{q(bid)} is not a bid of this evaluation"
    if not cid:
        return "no criterion"
    if cid not in kinds:
        return f"{q(cid)} is not a criterion of this evaluation"
    if kinds[cid] not in ("scored", "price"):
        return f"{q(cid)} is not a scored or price criterion"
    if not text.strip():
        return f"no feedback text for {bid} on {cid}"
    return long_text_problem(text, MAX_TEXT)


def apply_feedback(ef: Any, actor: str, items: Iterable[FeedbackRow]) -> FeedbackChanges:
    """Write the feedback in one transaction, an audit event per text that changes."""
    doc = ef.document()
    current = {(f["bid"], f["criterion"]): f for f in doc.get("feedback", [])}
    counts = FeedbackChanges()
    todo = []
    for it in items:
        before = current.get((it.bid, it.criterion))
        if before is not None and before["text"] == it.text:
            counts.unchanged += 1
            continue
        todo.append((it, before))
        if before is None:
            counts.added += 1
        else:
            counts.changed += 1
    if not todo:
        return counts
    with ef.unit_of_work() as w:
        for it, before in todo:
            after = {"bid": it.bid, "criterion": it.criterion, "text": it.text}
            w.put_feedback(it.bid, it.criterion, after, exists=before is not None)
        w.audit_many([{"actor": actor, "action": "feedback.set", "entity": "feedback",
                       "entity_id": f"{it.bid}/{it.criterion}", "before": before,
                       "after": {"bid": it.bid, "criterion": it.criterion, "text": it.text}}
                      for it, before in todo])
    return counts


def import_feedback(ef: Any, actor: str, path: str | Path) -> FeedbackChanges:
    """The whole use case: read (safely), check every row, write once."""
    name = Path(path).name
    rows = read_rows(path, label=name)
    return apply_feedback(ef, actor, parse_rows(rows, ef.document(), name))
