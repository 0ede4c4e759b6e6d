"""The audit chain: every event holds the hash of the one before it and a digest of
the evaluation's data as its transaction left it; its own hash covers both.

What this proves and what it cannot is written down in docs/audit-chain.md.

The data digest is built so a typed score updates it in microseconds: the
structure (settings, criteria, bids, evaluators, partners, the seal) is hashed
whole, and the scores, consensus scores and gateway results are each a
multiset hash: the sum, modulo 2**128, of one hash per record. Changing one
record subtracts its old hash and adds its new one; the result is the same as
hashing every record again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from operator import itemgetter, methodcaller
from typing import Any

Record = dict[str, Any]
GENESIS = "0" * 64  # the "event before" the first event of a new file
MOD = 1 << 128
LISTS = ("scores", "consensus", "gateways")
START = "chain.start"  # the event that starts the chain in a file made before it


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_STRING = json.encoder.encode_basestring  # a str as _canon writes it (C when available)


def _canon(value: Any) -> str:
    """Canonical JSON: what json.dumps(value, ensure_ascii=False, sort_keys=True,
    separators=(",", ":")) gives, without making an encoder per call."""
    return _ENCODER.encode(value)


def _field(v: Any) -> str:
    """One field, length-prefixed so that no two records share a text."""
    text = v if isinstance(v, str) else repr(v)
    return f"{len(text)}:{text}"


def _record_hash(kind: str, r: Record) -> int:
    if kind == "scores":
        key: tuple[Any, ...] = (r["evaluator"], r["bid"], r["criterion"], r["score"],
                                r["comment"])
    elif kind == "consensus":
        key = (r["bid"], r["criterion"], r["score"], r["rationale"])
    else:
        key = (r["bid"], r["criterion"], bool(r["passed"]), r["note"])
    text = "".join(map(_field, key))
    return int.from_bytes(_blake(text.encode(), digest_size=16).digest(), "big")


_blake = hashlib.blake2b
_KEYS = {"scores": ("evaluator", "bid", "criterion", "score", "comment"),
         "consensus": ("bid", "criterion", "score", "rationale"),
         "gateways": ("bid", "criterion", "passed", "note")}


def _fields(column: list[Any], *, repeats: bool) -> Iterable[str]:
    """A column's values as `_field` writes them. Ids and scores repeat, so each distinct
    text is written once; free text is written a value at a time."""
    if not set(map(type, column)) <= {str}:
        # by its text, never by value: 5 and 5.0, 0.0 and -0.0 are equal keys
        column = [v if isinstance(v, str) else repr(v) for v in column]
    if repeats:
        pieces = {v: f"{len(v)}:{v}" for v in set(column)}
        return map(pieces.__getitem__, column)
    return map("{}:{}".format, map(len, column), column)


def list_sum(kind: str, records: Sequence[Record]) -> int:
    """The multiset hash of one list: `sum(_record_hash(kind, r)) % MOD`, computed a
    column at a time (the per-record work runs in C)."""
    if not records:
        return 0
    keys = _KEYS[kind]
    by_columns = getattr(records, "id_columns", None)  # scores read as columns
    if by_columns is not None and getattr(records, "comment", None) is not None:
        columns: list[list[Any]] = [*by_columns(), records.comment]  # type: ignore[attr-defined]
    else:
        # a list per field, not a tuple per record: no container per record for the
        # garbage collector to walk
        columns = [list(map(itemgetter(k), records)) for k in keys]
    if kind == "gateways":
        columns[2] = list(map(bool, columns[2]))
    fields = [_fields(col, repeats=i < len(keys) - 1) for i, col in enumerate(columns)]
    texts = map("".join, zip(*fields))
    hashes = map(_blake16, map(str.encode, texts))
    return sum(map(int.from_bytes, map(_DIGEST, hashes))) % MOD


_blake16 = partial(hashlib.blake2b, digest_size=16)
_DIGEST = methodcaller("digest")


@dataclass(frozen=True)
class DataDigest:
    """The evaluation's data, digested; `hex` is what an audit event records."""

    structure: str
    scores: int
    consensus: int
    gateways: int

    @property
    def hex(self) -> str:
        text = f"{self.structure}:{self.scores:032x}:{self.consensus:032x}:{self.gateways:032x}"
        return hashlib.sha256(text.encode()).hexdigest()

    def with_changes(self, kind: str, pairs: Iterable[tuple[Record | None, Record | None]]
                     ) -> DataDigest:
        """The digest after records of one list changed: (before, after) pairs, None for
        a record that was not there or is gone."""
        total = getattr(self, kind)
        for before, after in pairs:
            if before is not None:
                total -= _record_hash(kind, before)
            if after is not None:
                total += _record_hash(kind, after)
        return replace(self, **{kind: total % MOD})


def structure_hash(doc: Record, sealed: Record | None) -> str:
    rest = {k: v for k, v in doc.items() if k not in LISTS}
    rest["sealed"] = sealed
    return hashlib.sha256(_canon(rest).encode()).hexdigest()


def digest(doc: Record, sealed: Record | None = None) -> DataDigest:
    """The digest of a whole document (and its seal, if sealed)."""
    sums = {kind: list_sum(kind, doc.get(kind, [])) for kind in LISTS}
    return DataDigest(structure_hash(doc, sealed), **sums)


# ---- events -----------------------------------------------------------------------------

EVENT_FIELDS = ("at", "actor", "action", "entity", "entity_id", "before", "after")


def event_hash(prev: str, event: Record, data_digest: str) -> str:
    """An event's own hash: the one before it, its fields as stored, the data digest."""
    fields = [prev, *(event.get(k) for k in EVENT_FIELDS), data_digest]
    return hashlib.sha256(_canon(fields).encode()).hexdigest()


def _json_column(column: Sequence[Any]) -> Iterable[str]:
    """Each value as `_canon` writes it inside a list."""
    if set(map(type, column)) <= {str}:
        return map(_STRING, column)
    return [_STRING(v) if isinstance(v, str) else _canon(v) for v in column]


def event_hashes(events: Sequence[Record]) -> list[str]:
    """`event_hash(e["prev_hash"], e, e["data_digest"] or "")` for every event, a column
    at a time: what `check` compares each stored hash with."""
    if not events:
        return []
    # a list per field, not a tuple per event (no container per event for the collector)
    digests = [d or "" for d in map(methodcaller("get", "data_digest"), events)]
    columns = [_json_column(list(map(methodcaller("get", k), events)))
               for k in ("prev_hash", *EVENT_FIELDS)] + [_json_column(digests)]
    texts = map("[{}]".format, map(",".join, zip(*columns)))
    return list(map(_HEX, map(hashlib.sha256, map(str.encode, texts))))


_HEX = methodcaller("hexdigest")


def history_hash(events: Sequence[Record]) -> str:
    """What a chain started in an older file links to: every event recorded before it."""
    h = hashlib.sha256()
    for e in events:
        h.update(_canon([e.get("id"), *(e.get(k) for k in EVENT_FIELDS)]).encode())
        h.update(b"\n")
    return h.hexdigest()


def link(prev: str, events: list[Record], data_digest: str) -> str:
    """Give `events` (in order) their chain fields; returns the new head."""
    for e in events:
        e["prev_hash"] = prev
        e["data_digest"] = data_digest
        e["hash"] = prev = event_hash(prev, e, data_digest)
    return prev


# ---- checking ---------------------------------------------------------------------------

@dataclass
class Verdict:
    intact: bool
    events: int
    head: str | None
    problems: list[Record]

    def to_json(self, sealed: Record | None) -> Record:
        return {"intact": self.intact, "events": self.events, "head": self.head,
                "sealed": sealed, "problems": self.problems}


def _named(e: Record) -> str:
    return f"audit event {e['id']} ({e['action']} by {e['actor']} at {e['at']})"


def check(events: Sequence[Record], current: str) -> Verdict:
    """Check the chain over `events` (in stored order) and the data digest `current`."""
    problems: list[Record] = []

    def problem(where: str, message: str) -> None:
        problems.append({"where": where, "message": message})

    chained = [i for i, e in enumerate(events) if e.get("hash")]
    if not events or not chained:
        problem("audit log", "holds no audit chain: the file was not written by this "
                             "version of ProcureDesk, or its chain was removed")
        return Verdict(False, len(events), None, problems)
    first = chained[0]
    prev = GENESIS if first == 0 else history_hash(events[:first])
    hashes = event_hashes(events[first:])
    if first and events[first]["action"] != START:
        problem(_named(events[first]), "events were recorded before it outside the chain")
    for e, own in zip(events[first:], hashes):
        if not e.get("hash"):
            problem(_named(e), "has no place in the audit chain: it was added outside "
                           "ProcureDesk")
            break
        if e.get("prev_hash") != prev:
            what = ("the history before the chain began was changed" if e is events[first]
                    else "an event before it was deleted, or it was inserted or moved")
            problem(_named(e), f"does not follow the event before it: {what}")
            break
        if own != e["hash"]:  # event_hash(prev, e, ...): prev is e's prev_hash here
            problem(_named(e), "was changed after it was recorded")
            break
        prev = e["hash"]
    else:
        if events[-1].get("data_digest") != current:
            problem("evaluation data", "do not match the audit log's last event: a record "
                                       "was changed, added or deleted outside ProcureDesk")
    return Verdict(not problems, len(events), events[-1].get("hash") or None, problems)
