"""Which part of an evaluation scoring sheets hold: evaluators, criteria and bids.

A large panel shares the work: each evaluator marks their own section of
questions for a batch of bids. A `PartChoice` is what was asked, with ids as
given (a section stands for every scored criterion under it, at any depth; a
bid range `B0001-B0100` for the bids from the first to the last, in the
evaluation's order); `resolve` checks it against the evaluation and gives the
`SheetPart`: the evaluators, scored criteria and bids themselves. Bids an
evaluator declared a conflict with stay out of their sheet whatever is chosen.

A sheet is read back with at most `MAX_SHEET_ROWS` score rows; `too_long`
refuses a part whose sheets would hold more, with numbers from the evaluation
saying how to make it fit (`fit_advice`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput, Problem
from ..interchange import q
from ..wording import plural

Record = dict[str, Any]

#: Score rows a sheet may hold and still be read back: 25,000 rows in all, less the
#: four above the first score (scoring_sheets.SCORE_LIMITS).
MAX_SHEET_ROWS = 25_000 - 4
_LISTED = 5  # unknown ids named in a message, then "and N more"


def split_ids(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """Ids from `E1,E2`, `E1 E2` or several such values ("" and None: none)."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        out += [t for t in re.split(r"[,;\s]+", item) if t]
    return tuple(out)


@dataclass(frozen=True)
class PartChoice:
    """What was asked, ids as given; an empty tuple means everything."""

    evaluators: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    bids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetPart:
    """The part resolved against the evaluation, each list in the evaluation's order."""

    choice: PartChoice
    evaluators: list[Record]
    criteria: list[Record]  # scored criteria only
    bids: list[Record]
    all_bids: list[Record]  # every bid of the evaluation, for runs

    def bids_for(self, ev: Record) -> list[Record]:
        conflicts = set(ev["conflicts"])
        return [b for b in self.bids if b["id"] not in conflicts]

    def rows_for(self, ev: Record) -> list[tuple[Record, Record]]:
        """(bid, criterion) per score row of the evaluator's sheet, bid by bid."""
        return [(b, c) for b in self.bids_for(ev) for c in self.criteria]

    def row_count(self, ev: Record) -> int:
        return len(self.bids_for(ev)) * len(self.criteria)

    def record(self) -> Record:
        """The audit event's account of the part: evaluators, the criteria as asked
        (sections named as such) and the bids as runs in the evaluation's order."""
        return {"evaluators": [e["id"] for e in self.evaluators]
                if self.choice.evaluators else "all",
                "criteria": list(self.choice.criteria) or "all",
                "scored criteria": len(self.criteria),
                "bids": self.bid_runs() if self.choice.bids else "all",
                "bid count": len(self.bids)}

    def bid_runs(self) -> list[str]:
        """The chosen bids as runs of neighbours: ["B0001 to B0100", "B0150"]."""
        order = {b["id"]: i for i, b in enumerate(self.all_bids)}
        runs: list[list[str]] = []
        last = -2
        for b in self.bids:
            i = order[b["id"]]
            if runs and i == last + 1:
                runs[-1][1] = b["id"]
            else:
                runs.append([b["id"], b["id"]])
            last = i
        return [a if a == z else f"{a} to {z}" for a, z in runs]

    def describe(self) -> str:
        """One line for the sheet: which criteria and bids it holds ("" for everything)."""
        if self.whole:
            return ""
        def few(items: Sequence[str], more: str) -> str:
            return ", ".join(items[:6]) + (f" and {len(items) - 6} more {more}"
                                           if len(items) > 6 else "")

        crit = (f"criteria {few(self.choice.criteria, 'ids')}" if self.choice.criteria
                else "every criterion")
        bids = f"bids {few(self.bid_runs(), 'runs')}" if self.choice.bids else "every bid"
        return f"Part of the evaluation: {crit}; {bids}."

    @property
    def whole(self) -> bool:
        return not (self.choice.criteria or self.choice.bids)


def _listed(ids: Sequence[str]) -> str:
    shown = ", ".join(q(i) for i in ids[:_LISTED])
    return shown + (f" and {len(ids) - _LISTED} more" if len(ids) > _LISTED else "")


def _not_of_this(ids: Sequence[str], one: str, many: str) -> str:
    """'"B9" is not a bid of this evaluation', or the same for several (a few named)."""
    return f"{_listed(ids)} {'is not ' + one if len(ids) == 1 else 'are not ' + many} " \
           "of this evaluation"


def _bid_range(token: str, order: dict[str, int]) -> tuple[int, int] | str | None:
    """`first-last` as positions in the evaluation's bid order, a reason it is not a
    range, or None when it reads as no range at all."""
    splits = [(token[:i], token[i + 1:]) for i, ch in enumerate(token) if ch == "-"]
    found = [(a, b) for a, b in splits if a in order and b in order]
    if not found:
        return None
    if len(found) > 1:
        return (f"{q(token)} reads as more than one range of bids; give the bids "
                "separated by commas")
    a, b = found[0]
    if order[a] > order[b]:
        return f"the range {q(token)} runs backwards: {a} comes after {b} in this evaluation"
    return order[a], order[b]


def _resolve_bids(doc: Record, tokens: tuple[str, ...], problems: list[Problem]) -> list[Record]:
    bids = doc["bids"]
    if not tokens:
        return list(bids)
    order = {b["id"]: i for i, b in enumerate(bids)}
    keep: set[int] = set()
    unknown: list[str] = []
    for t in tokens:
        if t in order:
            keep.add(order[t])
            continue
        span = _bid_range(t, order)
        if isinstance(span, tuple):
            keep.update(range(span[0], span[1] + 1))
        elif isinstance(span, str):
            problems.append(Problem("bids", span))
        else:
            unknown.append(t)
    if unknown:
        problems.append(Problem("bids", _not_of_this(unknown, "a bid", "bids")))
    return [b for i, b in enumerate(bids) if i in keep]


def _resolve_criteria(doc: Record, tokens: tuple[str, ...],
                      problems: list[Problem]) -> list[Record]:
    criteria = doc["criteria"]
    if not tokens:
        return [c for c in criteria if c["kind"] == "scored"]
    from ..criteria_tree import subtree_ids

    by_id = {c["id"]: c for c in criteria}
    keep: set[str] = set()
    unknown: list[str] = []
    for t in tokens:
        c = by_id.get(t)
        if c is None:
            unknown.append(t)
        elif c["kind"] == "scored":
            keep.add(t)
        elif c["kind"] == "section":
            under = [i for i in subtree_ids(criteria, t) if by_id[i]["kind"] == "scored"]
            if not under:
                problems.append(Problem("criteria", f"section {q(t)} holds no scored "
                                                    "criterion"))
            keep.update(under)
        else:
            kind = "price criterion" if c["kind"] == "price" else "pass/fail gateway"
            problems.append(Problem("criteria", f"{q(t)} is a {kind}, not scored by "
                                                "evaluators: choose scored criteria or "
                                                "sections"))
    if unknown:
        problems.append(Problem("criteria", _not_of_this(unknown, "a criterion", "criteria")))
    return [c for c in criteria if c["id"] in keep]


def resolve(doc: Record, choice: PartChoice) -> SheetPart:
    """The part of `doc` that `choice` names; BadInput naming every unknown id."""
    problems: list[Problem] = []
    evaluators = doc["evaluators"]
    if choice.evaluators:
        known = {e["id"] for e in evaluators}
        unknown = [e for e in dict.fromkeys(choice.evaluators) if e not in known]
        if unknown:
            problems.append(Problem("evaluators", _not_of_this(unknown, "an evaluator",
                                                               "evaluators")))
        wanted = set(choice.evaluators)
        evaluators = [e for e in evaluators if e["id"] in wanted]
    criteria = _resolve_criteria(doc, choice.criteria, problems)
    bids = _resolve_bids(doc, choice.bids, problems)
    if problems:
        raise BadInput(problems)
    if not evaluators:
        raise BadInput.one("evaluators", "this evaluation has no evaluators to write sheets for")
    return SheetPart(choice, evaluators, criteria, bids, list(doc["bids"]))


# ---- too long, and how to make it fit ----------------------------------------------------

@dataclass(frozen=True)
class Advice:
    """How to make a sheet fit: a smaller section and the bids it allows, and the bids
    the criteria chosen now allow (0: not even one bid)."""

    section: Record | None
    section_count: int  # scored criteria of the part under `section`
    bids_with_section: int
    bids_now: int


def fit_advice(doc: Record, part: SheetPart) -> Advice:
    """The largest section of the part's criteria at the level where they branch (the
    quality sections of a tree with one top section), and how many bids fit with it."""
    n = max(len(part.criteria), 1)
    parent = {c["id"]: c.get("parent") for c in doc["criteria"]}
    by_id = {c["id"]: c for c in doc["criteria"]}
    count: dict[str | None, int] = {}
    for c in part.criteria:
        node: str | None = parent.get(c["id"])
        seen = 0
        while node is not None and seen <= len(parent):  # a cycle never loops forever
            count[node] = count.get(node, 0) + 1
            node = parent.get(node)
            seen += 1
    kids: dict[str | None, list[str]] = {}
    for c in doc["criteria"]:
        kids.setdefault(c.get("parent"), []).append(c["id"])
    chosen = {c["id"] for c in part.criteria}
    node = None
    best: str | None = None
    for _ in range(len(parent) + 1):
        holding = [k for k in kids.get(node, []) if count.get(k, 0) or k in chosen]
        sections = [k for k in holding if by_id[k]["kind"] == "section"]
        if len(holding) == 1 and sections and count[sections[0]] == len(part.criteria):
            node = sections[0]  # every criterion is under it: look one level down
            continue
        if sections:
            best = max(sections, key=lambda k: count[k])
        break
    if best is None or count[best] == len(part.criteria) or count[best] > MAX_SHEET_ROWS:
        return Advice(None, 0, 0, MAX_SHEET_ROWS // n)
    return Advice(by_id[best], count[best], MAX_SHEET_ROWS // count[best],
                  MAX_SHEET_ROWS // n)


def empty(part: SheetPart) -> list[Problem]:
    """A part chosen so that no sheet would hold a row: every chosen evaluator declared
    a conflict with every chosen bid."""
    if part.whole or any(part.row_count(e) for e in part.evaluators):
        return []
    who = ("the evaluator has" if len(part.evaluators) == 1
           else "each chosen evaluator has")
    return [Problem("scoring sheets", f"no sheet would hold a row: {who} declared a "
                                      "conflict of interest with every chosen bid")]


def too_long(doc: Record, part: SheetPart) -> list[Problem]:
    """Sheets longer than can be read back: one problem naming the longest, and one
    saying how to make them fit (never one per evaluator)."""
    long = [(part.row_count(e), e) for e in part.evaluators
            if part.row_count(e) > MAX_SHEET_ROWS]
    if not long:
        return []
    rows, ev = max(long, key=lambda pair: pair[0])
    n_bids = len(part.bids_for(ev))
    crits = plural(len(part.criteria), "scored criterion", "scored criteria")
    if len(part.evaluators) == 1:
        which = f"{ev['id']}'s scoring sheet would hold {rows:,} rows"
    else:
        which = (f"{len(long)} of the {len(part.evaluators)} scoring sheets would be too "
                 f"long, {ev['id']}'s the longest with {rows:,} rows")
    out = [Problem("scoring sheets", f"{which} ({plural(n_bids, 'bid')} x {crits}), and a "
                                     f"sheet can be read back with at most "
                                     f"{MAX_SHEET_ROWS:,}")]
    advice = fit_advice(doc, part)
    ways = []
    if advice.section is not None:
        bids = ("" if advice.bids_with_section >= n_bids else
                f" and --bids of at most {plural(advice.bids_with_section, 'bid')}")
        ways.append(f"give --criteria with one section (the largest, "
                    f"{advice.section['id']}, has {advice.section_count:,} scored "
                    f"criteria){bids}")
    if advice.bids_now:
        ways.append(f"{'or keep these criteria and give' if ways else 'give'} --bids of "
                    f"at most {plural(advice.bids_now, 'bid')}")
    else:
        ways.append(f"{'or give' if ways else 'give'} --criteria with at most "
                    f"{MAX_SHEET_ROWS:,} scored criteria")
    out.append(Problem("to make it fit", ", ".join(ways) + "; or score this part in the "
                                                        "application"))
    return out
