"""Importing suppliers' bid response workbooks into an evaluation.

Every workbook is read and checked whole before anything is written, and all of
them are written in one transaction: either every bid goes in, or none does.
Each problem names the file, the sheet, the cell and the reason.

A supplier already in the evaluation (same name, ignoring case and spacing) is
never added twice: the import is refused unless the caller asks to replace,
and then the bid's details and costs are replaced while its id, scores,
gateway results and apportionment are kept.

Declarations are the supplier's own statements. They are kept, with their
evidence references, in the bid's notes; they never record a gateway as
passed, because a self-declaration is not the authority's assessment: an
officer checks the evidence and records the gateway result.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import BadInput, Problem
from ..interchange import MAX_TEXT, OPTION_TYPE_LABELS, plain, q
from . import bid_layout as L  # noqa: N812 - the layout reads as L.FIELD
from .safety import Grid, cell_name, open_workbook
from .words import plural

Progress = Callable[[int, int, str], None]


@dataclass
class ParsedBid:
    """One workbook's bid, checked, with where it came from."""

    source: str
    record: dict[str, Any]
    name_cell: str
    declarations: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What an import would do: bids to add, and existing bids (by id) to replace."""

    added: list[ParsedBid]
    replaced: list[tuple[str, ParsedBid]]

    def summary(self) -> str:
        return f"{plural(len(self.added), 'new bid')}, {len(self.replaced)} replaced"


def supplier_key(name: str) -> str:
    """Names are the same supplier when equal ignoring case and spacing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# ---- reading one workbook --------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MONEY = re.compile(r"^[£$€]?\s*-?[\d,]*\.?\d+$")


class _Reader:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, grid: Grid, r: int, c: int, what: str, *, required: bool = False,
             limit: int = L.MAX_FIELD, one_line: bool = False) -> str:
        if grid.is_formula(r, c):
            return ""  # already a problem of its own: "a formula, not a value"
        v = grid.value(r, c)
        where = grid.where(r, c)
        if isinstance(v, datetime | date | time):
            v = v.isoformat()
        elif isinstance(v, bool):
            v = "Yes" if v else "No"
        elif isinstance(v, int | float):
            v = str(plain(v))
        text = "" if v is None else str(v)
        if _CONTROL.search(text):
            self.add(where, f"{what} contains control or hidden direction characters")
            text = _CONTROL.sub("", text)
        text = " ".join(text.split()) if one_line else text.strip()
        if required and not text:
            self.add(where, f"{what} is blank (required)")
        if len(text) > limit:
            self.add(where, f"{what} is longer than {limit:,} characters")
            text = text[:limit]
        return text

    def number(self, grid: Grid, r: int, c: int, what: str, *, minimum: float,
               integer: bool = False, required: bool = True) -> float | int | None:
        if grid.is_formula(r, c):
            return None  # already a problem of its own: "a formula, not a value"
        v = grid.value(r, c)
        where = grid.where(r, c)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.add(where, f"{what} is blank (required)")
            return None
        if isinstance(v, str):
            s = v.strip()
            if _MONEY.match(s.replace(" ", "")):
                v = float(s.replace(",", "").replace(" ", "").lstrip("£$€"))
            else:
                self.add(where, f"{what} {q(s[:60])} is not a number")
                return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            shown = v.isoformat() if isinstance(v, datetime | date | time) else v
            self.add(where, f"{what} {q(shown)} is not a number")
            return None
        if v < minimum:
            self.add(where, f"{what} {plain(v)} is "
                            + ("negative" if minimum == 0 else f"less than {plain(minimum)}"))
            return None
        if integer and not float(v).is_integer():
            self.add(where, f"{what} {plain(v)} is not a whole number")
            return None
        return plain(v)


def _find_header(grid: Grid, first: str) -> int | None:
    for r in range(1, min(grid.n_rows, 20) + 1):
        v = grid.value(r, 1)
        if isinstance(v, str) and L.norm_key(v) == L.norm_key(first):
            return r
    return None


def read_bid_workbook(path: str | Path, *, label: str | None = None) -> ParsedBid:
    """Read and check one bid workbook; BadInput lists every problem found in it.

    A hostile file is refused at once; anything else wrong (formulas without a
    value included) is collected, so the supplier sees every problem in one go.
    """
    p = Path(path)
    name = label or p.name
    with open_workbook(p, label=name) as wb:
        missing = [s for s in L.REQUIRED_SHEETS if s not in wb.sheet_names]
        if len(missing) == len(L.REQUIRED_SHEETS):
            raise BadInput.one(name, "is not a bid response workbook: it has none of the "
                                     "sheets " + ", ".join(repr(s) for s in missing[:-1])
                                     + f" and {missing[-1]!r} (start from `procure-desk "
                                       "bid-template`)")
        if missing:
            raise BadInput.one(name, "has no " + " or ".join(repr(s) for s in missing)
                                     + " sheet: the sheets must stay as in the template (not "
                                       "deleted or renamed); copy the answers into a fresh "
                                       "template from the council")
        rd = _Reader(name)
        supplier = wb.read(L.SUPPLIER, max_rows=200, max_cols=10, problems=rd.problems)
        pricing = wb.read(L.PRICING, max_rows=L.MAX_COST_LINES + 40, max_cols=12,
                          problems=rd.problems)
        decl = wb.read(L.DECLARATIONS, max_rows=300, max_cols=10, problems=rd.problems)
    fields, name_cell = _supplier_fields(rd, supplier)
    costs = _costs(rd, pricing)
    declarations = _declarations(rd, decl)
    if rd.problems:
        raise BadInput(rd.problems)
    record = {
        "supplier": fields["supplier"],
        "option_type": fields["option_type"],
        "sme": fields["sme"],
        "term_years": fields["term_years"],
        "notes": _notes(fields, declarations),
        "costs": costs,
    }
    return ParsedBid(name, record, name_cell, declarations)


def _supplier_fields(rd: _Reader, g: Grid) -> tuple[dict[str, Any], str]:
    rows: dict[str, int] = {}
    for row in range(1, g.n_rows + 1):
        v = g.value(row, 1)
        if isinstance(v, str):
            key = L.norm_key(v.replace("(required)", ""))
            if key in L.FIELD_BY_LABEL and L.FIELD_BY_LABEL[key] not in rows:
                rows[L.FIELD_BY_LABEL[key]] = row
    out: dict[str, Any] = {}
    for key, label, required, _ in L.SUPPLIER_FIELDS:
        r = rows.get(key)
        if r is None:
            if required:
                rd.add(f"{rd.label}, {L.SUPPLIER}", f"has no row labelled {label!r} in column A")
            out[key] = None
            continue
        what = label.lower() if key != "sme" else "SME or VCSE"
        if key == "supplier":
            out[key] = rd.text(g, r, 2, "supplier name", required=True, limit=L.MAX_NAME,
                               one_line=True)
        elif key == "option_type":
            raw = rd.text(g, r, 2, what, required=True, one_line=True)
            out[key] = L.OPTION_BY_KEY.get(L.norm_key(raw))
            if raw and out[key] is None:
                rd.add(g.where(r, 2), f"option type {q(raw[:60])} is not one of: "
                                      + ", ".join(OPTION_TYPE_LABELS.values()))
        elif key == "sme":
            raw = rd.text(g, r, 2, what, required=True, one_line=True)
            yn = {"yes": True, "y": True, "true": True, "no": False, "n": False,
                  "false": False}.get(raw.casefold())
            if raw and yn is None:
                rd.add(g.where(r, 2), f"SME or VCSE {q(raw[:60])} must be Yes or No")
            out[key] = bool(yn)
        elif key == "term_years":
            out[key] = rd.number(g, r, 2, "contract term", minimum=0, integer=True,
                                 required=False)
        else:
            out[key] = rd.text(g, r, 2, what, one_line=key.startswith("contact"))
    name_row = rows.get("supplier")
    return out, (g.where(name_row, 2) if name_row else f"{rd.label}, {L.SUPPLIER}")


def _costs(rd: _Reader, g: Grid) -> list[dict[str, Any]]:
    top = _find_header(g, L.PRICING_HEADERS[0])
    if top is None:
        rd.add(f"{rd.label}, {L.PRICING}", f"has no header row starting {L.PRICING_HEADERS[0]!r} "
                                           "in column A")
        return []
    cols: dict[str, int] = {}
    wanted = {L.norm_key(h): k for h, k in zip(L.PRICING_HEADERS, L.PRICING_KEYS)}
    for c in range(1, 13):
        v = g.value(top, c)
        if isinstance(v, str) and (k := _header_key(v, wanted)) and k not in cols:
            cols[k] = c
    for h, k in zip(L.PRICING_HEADERS, L.PRICING_KEYS):
        if k not in cols:
            rd.add(f"{rd.label}, {L.PRICING}!{cell_name(top, 1)}", f"no column headed {h!r}")
    if len(cols) < len(L.PRICING_KEYS):
        return []
    costs: list[dict[str, Any]] = []
    for r in range(top + 1, g.n_rows + 1):
        values = [g.value(r, cols[k]) for k in L.PRICING_KEYS]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(costs) >= L.MAX_COST_LINES:
            rd.add(f"{rd.label}, {L.PRICING}", f"has more than {L.MAX_COST_LINES} cost lines, "
                                               "far more than any real bid; refused")
            break
        item = rd.text(g, r, cols["item"], "item", required=True, limit=500, one_line=True)
        raw_cat = rd.text(g, r, cols["category"], "category", required=True, one_line=True)
        category = L.CATEGORY_BY_KEY.get(L.norm_key(raw_cat))
        if raw_cat and category is None:
            rd.add(g.where(r, cols["category"]),
                   f"category {q(raw_cat[:60])} is not one of: "
                   + ", ".join(L.CATEGORY_LABELS.values()))
        amount = rd.number(g, r, cols["amount"], "amount", minimum=0)
        start = rd.number(g, r, cols["start_year"], "start year", minimum=0, integer=True)
        years = rd.number(g, r, cols["years"], "number of years", minimum=1, integer=True)
        costs.append({"item": item, "category": category, "amount": amount,
                      "start_year": start, "years": years})
    if not costs and not rd.problems:
        rd.add(f"{rd.label}, {L.PRICING}", "has no cost lines: a bid must be priced")
    return costs


def _header_key(text: str, wanted: dict[str, str]) -> str | None:
    k = L.norm_key(text)
    for prefix, key in wanted.items():
        if k == prefix or (len(k) >= 4 and prefix.startswith(k)) or k.startswith(prefix[:6]):
            return key
    return None


def _declarations(rd: _Reader, g: Grid) -> list[dict[str, str]]:
    top = _find_header(g, L.DECLARATION_HEADERS[0])
    if top is None:
        return []
    out = []
    for r in range(top + 1, g.n_rows + 1):
        ref = rd.text(g, r, 1, "reference", limit=40, one_line=True)
        requirement = rd.text(g, r, 2, "requirement", limit=500, one_line=True)
        answer = rd.text(g, r, 3, "answer", limit=20, one_line=True)
        evidence = rd.text(g, r, 4, "evidence reference", limit=1000)
        if not (ref or requirement or answer or evidence):
            continue
        norm = {"yes": "Yes", "y": "Yes", "no": "No", "n": "No"}.get(answer.casefold(), "")
        if answer and not norm:
            rd.add(g.where(r, 3), f"answer {q(answer)} must be Yes or No")
        out.append({"ref": ref, "requirement": requirement, "answer": norm or "not answered",
                    "evidence": evidence})
    return out


def _notes(fields: dict[str, Any], declarations: list[dict[str, str]]) -> str:
    parts = []
    if fields.get("summary"):
        parts.append(fields["summary"])
    contact = ", ".join(x for x in (fields.get("contact_name"), fields.get("contact_email"),
                                    fields.get("contact_phone")) if x)
    if contact:
        parts.append(f"Contact: {contact}")
    if fields.get("break_clauses"):
        parts.append(f"Break clauses: {fields['break_clauses']}")
    if declarations:
        lines = ["Supplier's declarations (self-declared, not assessed):"]
        for d in declarations:
            ev = f"; evidence: {d['evidence']}" if d["evidence"] else ""
            lines.append(f"- {d['ref']} {d['requirement']}: {d['answer']}{ev}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)[:MAX_TEXT]


# ---- planning and applying an import ---------------------------------------------------

def read_workbooks(paths: Sequence[str | Path], *,
                   progress: Progress | None = None) -> list[ParsedBid]:
    """Read and check every workbook; BadInput lists every problem in every file."""
    problems: list[Problem] = []
    parsed: list[ParsedBid] = []
    labels = _labels(paths)
    for i, (path, label) in enumerate(zip(paths, labels)):
        if progress:
            progress(i, len(paths), label)
        try:
            parsed.append(read_bid_workbook(path, label=label))
        except BadInput as exc:
            problems += exc.problems
    if progress:
        progress(len(paths), len(paths), "")
    if problems:
        raise BadInput(problems)
    return parsed


def plan_from(doc: dict[str, Any], parsed: Sequence[ParsedBid]) -> ImportPlan:
    """Which bids are new and which replace a supplier already in the evaluation.

    Two workbooks for one supplier are refused here.
    """
    problems: list[Problem] = []
    existing = {supplier_key(b["supplier"]): b["id"] for b in doc["bids"]}
    seen: dict[str, str] = {}
    plan = ImportPlan([], [])
    for pb in parsed:
        key = supplier_key(pb.record["supplier"])
        if key in seen:
            problems.append(Problem(pb.name_cell, f"supplier {q(pb.record['supplier'])} is "
                                                  f"also the supplier in {seen[key]}"))
            continue
        seen[key] = pb.source
        if key in existing:
            plan.replaced.append((existing[key], pb))
        else:
            plan.added.append(pb)
    if problems:
        raise BadInput(problems)
    return plan


def plan_import(doc: dict[str, Any], paths: Sequence[str | Path], *,
                progress: Progress | None = None) -> ImportPlan:
    """Read every workbook, then plan against `doc` (see `plan_from`)."""
    return plan_from(doc, read_workbooks(paths, progress=progress))


def refuse_duplicates(doc: dict[str, Any], plan: ImportPlan) -> None:
    """The refusal when replacing was not asked for."""
    names = {b["id"]: b["supplier"] for b in doc["bids"]}
    if plan.replaced:
        raise BadInput([Problem(pb.name_cell,
                                f"supplier {q(pb.record['supplier'])} is already bid {bid} "
                                f"({q(names[bid])}) in this evaluation; use --replace to "
                                "replace its details and costs (its scores are kept)")
                        for bid, pb in plan.replaced])


def apply_import(ef: Any, actor: str, plan: ImportPlan) -> list[str]:
    """Write the plan in one transaction with an audit event per bid; returns the bid ids."""
    return list(ef.import_bids(actor, [(pb.record, pb.source) for pb in plan.added],
                               [(bid, pb.record, pb.source) for bid, pb in plan.replaced]))


def _labels(paths: Sequence[str | Path]) -> list[str]:
    """File names for messages; the full path where two files share a name."""
    names = [Path(p).name for p in paths]
    return [str(p) if names.count(n) > 1 else n for p, n in zip(paths, names)]


def import_bids(ef: Any, actor: str, paths: Sequence[str | Path], *, replace: bool = False,
                progress: Progress | None = None) -> tuple[ImportPlan, list[str]]:
    """The whole use case: read and check all, refuse or replace duplicates, write once.

    The workbooks are read before the evaluation is, so that a hostile file is
    refused before a large evaluation is loaded into memory.
    """
    parsed = read_workbooks(paths, progress=progress)
    plan = plan_from(ef.document(), parsed)
    if not replace:
        refuse_duplicates(ef.document(), plan)
    return plan, apply_import(ef, actor, plan)
