"""A new evaluation file written in one pass: the import of a whole interchange file.

`Store.create` writes every record through the ORM, which is right for a
template's few dozen records and slow for a million scores (about a minute at
the input limits, and a second copy of every record as parameters). Here the
structure (evaluation, criteria, bids, evaluators, partners, the meta and the
first audit event) still goes through `Writer.start_file`, and the four
record lists that make up the bulk of a file (criteria, cost lines, scores,
consensus, gateway results, feedback) go straight to sqlite3's `executemany`,
row by row from the document, in the same transaction. The rows are those of `rows.write_document`;
tests/test_bulk_import.py holds a bulk-written file equal to one written by
`Store.create`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from .. import chain
from . import rows, schema
from .database import db_problem
from .writer import Writer

Record = dict[str, Any]

#: The record lists written here, each with its table, columns and row maker.
_SCORE_SQL = ("INSERT INTO score (evaluator_id, bid_id, criterion_id, position, score, comment) "
              "VALUES (?, ?, ?, ?, ?, ?)")
_CONSENSUS_SQL = ("INSERT INTO consensus (bid_id, criterion_id, position, score, rationale) "
                  "VALUES (?, ?, ?, ?, ?)")
_GATEWAY_SQL = ("INSERT INTO gateway (bid_id, criterion_id, position, passed, note) "
                "VALUES (?, ?, ?, ?, ?)")
_FEEDBACK_SQL = "INSERT INTO feedback (bid_id, criterion_id, position, text) VALUES (?, ?, ?, ?)"
BULK = ("scores", "consensus", "gateways", "feedback")


_COST_COLUMNS = ("item", "category", "amount", "start_year", "years")
_COST_SQL = (f"INSERT INTO costline (bid_id, position, {', '.join(_COST_COLUMNS)}) "
             f"VALUES (?, ?, {', '.join('?' * len(_COST_COLUMNS))})")


def _criteria(cur: sqlite3.Cursor, criteria: list[Record]) -> None:
    """The criteria as `rows.criterion_row` lays them out; parents linked once all are
    in (the file does not promise parents first, and the link is checked at once)."""
    if not criteria:
        return
    laid = [rows.criterion_row(c, i) for i, c in enumerate(criteria)]
    names = list(laid[0])
    cur.executemany(f"INSERT INTO criterion ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' * len(names))})",
                    [tuple(None if k == "parent_id" else r[k] for k in names) for r in laid])
    cur.executemany("UPDATE criterion SET parent_id = ? WHERE id = ?",
                    [(r["parent_id"], r["id"]) for r in laid if r["parent_id"] is not None])


def _costs(doc: Record) -> Iterator[tuple[Any, ...]]:
    for b in doc["bids"]:
        for j, line in enumerate(b["costs"]):
            yield (b["id"], j, *(line[k] for k in _COST_COLUMNS))


def _scores(doc: Record) -> Iterator[tuple[Any, ...]]:
    for i, r in enumerate(doc["scores"]):
        yield r["evaluator"], r["bid"], r["criterion"], i, r["score"], r["comment"]


def _consensus(doc: Record) -> Iterator[tuple[Any, ...]]:
    for i, r in enumerate(doc["consensus"]):
        yield r["bid"], r["criterion"], i, r["score"], r["rationale"]


def _gateways(doc: Record) -> Iterator[tuple[Any, ...]]:
    for i, r in enumerate(doc["gateways"]):
        yield r["bid"], r["criterion"], i, bool(r["passed"]), r["note"]


def _feedback(doc: Record) -> Iterator[tuple[Any, ...]]:
    for i, r in enumerate(doc.get("feedback") or []):
        yield r["bid"], r["criterion"], i, r["text"]


def create(path: Path, doc: Record, meta: dict[str, str], audit: tuple[str, str, Record], *,
           shown_as: Path | None = None) -> None:
    """What `Store.create` does, for a document already checked whole: a new file at
    `path` (which must not exist) holding `doc`, its meta and one audit event."""
    engine = schema.make_engine(path)
    try:
        schema.create_schema(engine)
        with Session(engine) as s:
            w = Writer(s)
            light = {k: ([] if k in BULK else v) for k, v in doc.items()}
            light["criteria"] = []
            light["bids"] = [dict(b, costs=[]) for b in doc["bids"]]
            w.start_file(light, meta)
            cur = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                _criteria(cur, doc["criteria"])
                cur.executemany(_COST_SQL, _costs(doc))
                for sql, rows in ((_SCORE_SQL, _scores), (_CONSENSUS_SQL, _consensus),
                                  (_GATEWAY_SQL, _gateways), (_FEEDBACK_SQL, _feedback)):
                    cur.executemany(sql, rows(doc))
            finally:
                cur.close()
            actor, action, detail = audit
            w.audit(actor, action, "evaluation", "", None, detail)
            w.flush_events(chain.digest(doc).hex)
            s.commit()
    except (OperationalError, DatabaseError, sqlite3.Error) as exc:
        raise db_problem(shown_as or path, exc) from None
    finally:
        engine.dispose()
