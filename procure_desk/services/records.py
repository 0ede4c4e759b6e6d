"""Small rules over documents and records that several families of edits share."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput, Problem
from ..interchange import q

Record = dict[str, Any]
ScoreKey = tuple[str, str, str]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


class StoredAuditEntry(AuditEntry):
    """An `AuditEntry` as read with the audit chain: `before` and `after` are kept as
    the stored JSON text and decoded on first use (an export that shows who did what
    and when decodes none of them)."""

    def __init__(self, row: Record):  # a row of `Store.chain_rows`
        self.__dict__.update(id=row["id"] or 0, at=row["at"], actor=row["actor"],
                             action=row["action"], entity=row["entity"],
                             entity_id=row["entity_id"],
                             _text={"before": row["before"], "after": row["after"]})

    def __eq__(self, other: object) -> bool:  # equal to the entry `audit()` gives
        if not isinstance(other, AuditEntry):
            return NotImplemented
        return _fields(self) == _fields(other)

    __hash__ = AuditEntry.__hash__

    def __getattr__(self, name: str) -> Any:  # before and after, the first time
        text = self.__dict__["_text"]
        if name not in text:
            raise AttributeError(name)
        value = json.loads(text[name]) if text[name] else None
        self.__dict__[name] = value
        return value


def _fields(e: AuditEntry) -> tuple[Any, ...]:
    return (e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after)


class ChangedElsewhere(BadInput):
    """The file moved on under an edit: refused so that nobody's change is undone."""


def light(doc: Record) -> Record:
    """The document without its many scores: enough to check structure fast."""
    return dict(doc, scores=[], consensus=[], gateways=[], feedback=[])


def find(records: list[Record], rid: str, what: str) -> Record:
    for r in records:
        if r["id"] == rid:
            return r
    raise BadInput.one(f"{what} {rid}", f"{q(rid)} is not a {what}")


def uses(doc: Record, cid: str) -> str:
    """What is recorded against a criterion, in words ('' for nothing)."""
    n_scores = sum(1 for r in doc["scores"] if r["criterion"] == cid)
    n_cons = sum(1 for r in doc["consensus"] if r["criterion"] == cid)
    n_gates = sum(1 for r in doc["gateways"] if r["criterion"] == cid)
    parts = [f"{n} {w}" for n, w in ((n_scores, "scores"), (n_cons, "consensus scores"),
                                     (n_gates, "gateway results")) if n]
    return ", ".join(parts)


def new_id(prefix: str, existing: Iterable[str]) -> str:
    taken = set(existing)
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


_INDEXED = re.compile(r"^(criteria|bids|evaluators|partners)\[(\d+)\]")
_SINGULAR = {"criteria": "criterion", "bids": "bid", "evaluators": "evaluator",
             "partners": "partner"}


def name_records(p: Problem, doc: Record) -> Problem:
    """`criteria[3].weight` means little in an editor: say `criterion Q1.weight`."""
    m = _INDEXED.match(p.where)
    if not m:
        return p
    key, i = m.group(1), int(m.group(2))
    try:
        rid = doc[key][i]["id"]
    except (IndexError, KeyError, TypeError):
        return p
    return Problem(f"{_SINGULAR[key]} {rid}{p.where[m.end():]}", p.message)


def patched_scores(doc: Record, changed: dict[ScoreKey, Record | None]) -> Record:
    """The document with these scores set as the file now has them (new ones last)."""
    if not changed:
        return doc
    changed = dict(changed)
    kept = []
    for r in doc["scores"]:
        key = (r["evaluator"], r["bid"], r["criterion"])
        if key in changed:
            new = changed.pop(key)
            if new is not None:
                kept.append(new)
        else:
            kept.append(r)
    kept.extend(v for v in changed.values() if v is not None)
    return dict(doc, scores=kept)


def patched_pair(doc: Record, key: str, bid: str, cid: str, after: Record | None) -> Record:
    """The document with one consensus or gateway record set as the file now has it:
    changed in place, removed, or added at the end (as its new position puts it)."""
    out: list[Record] = []
    found = False
    for r in doc[key]:
        if r["bid"] == bid and r["criterion"] == cid:
            found = True
            if after is not None:
                out.append(after)
        else:
            out.append(r)
    if not found and after is not None:
        out.append(after)
    return dict(doc, **{key: out})


def bundle(doc: Record, *, criteria: Iterable[str] = (), bids: Iterable[str] = (),
           evaluators: Iterable[str] = (), partners: Iterable[str] = ()) -> Record:
    """Everything a delete removes, with the places it held."""
    crit, bid_set, evs, parts = set(criteria), set(bids), set(evaluators), set(partners)

    def pick(key: str, ids: set[str]) -> list[Record]:
        return [dict(copy.deepcopy(r), _index=i) for i, r in enumerate(doc[key])
                if r["id"] in ids]

    def touches(r: Record) -> bool:
        return (r.get("criterion") in crit or r.get("bid") in bid_set
                or r.get("evaluator") in evs)

    def linked(key: str) -> list[Record]:
        return [dict(copy.deepcopy(r), _index=i) for i, r in enumerate(doc[key]) if touches(r)]

    return {
        "criteria": pick("criteria", crit), "bids": pick("bids", bid_set),
        "evaluators": pick("evaluators", evs), "partners": pick("partners", parts),
        "scores": linked("scores"), "consensus": linked("consensus"),
        "gateways": linked("gateways"), "feedback": linked("feedback"),
        "conflicts": {e["id"]: [b for b in e["conflicts"] if b in bid_set]
                      for e in doc["evaluators"] if e["id"] not in evs
                      and any(b in bid_set for b in e["conflicts"])},
        "apportionments": {b["id"]: copy.deepcopy(b["apportionment"]) for b in doc["bids"]
                           if b["id"] not in bid_set and b.get("apportionment")
                           and "partners" in b["apportionment"]
                           and any(p in parts for p in b["apportionment"]["partners"])},
    }


def summary(bundle: Record) -> Record:
    return {k: len(v) for k, v in bundle.items() if isinstance(v, list | dict) and v}
