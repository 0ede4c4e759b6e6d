"""Reading an evaluation file with sqlite3 alone: the read-only commands' door.

`results`, `analyse` and the like only read, so they need neither the ORM nor
its start-up (importing SQLAlchemy, SQLModel and pydantic costs about 0.4 s,
more than reading the file). This module opens the file with the standard
library, makes the same checks as `Store` (an evaluation, a format this
version reads, intact), and reads it with the same SQL as the services do
(`reading.py`), so both give the same document.

A file in an older format is brought up to date first by `schema`, the one
place migrations live (only then is the ORM imported).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import chain
from ..engine import ScoreColumns
from ..interchange import plain
from . import files, reading

Record = dict[str, Any]

#: The (application id, file format) this reader knows; `tests/test_raw_reader.py`
#: holds it equal to `schema.APPLICATION_ID` and `schema.SCHEMA_VERSION`.
APPLICATION_ID = 0x50445331
READS_VERSION = 2
_CHUNK = 50_000  # score rows turned into columns at a time


@contextmanager
def connect(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a checked evaluation file."""
    p = Path(path)
    app_id, version = files.file_identity(p)
    if app_id == APPLICATION_ID and version == READS_VERSION:
        files.check_intact(p)
    else:  # foreign, newer, damaged or older: the full check says which, and migrates
        from .schema import check_and_migrate

        check_and_migrate(p)
    try:
        con = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True,
                              isolation_level=None)
    except sqlite3.Error as exc:
        raise files.sqlite_problem(p, exc) from None
    try:
        con.execute("BEGIN")  # one consistent read, whatever another process writes
        yield con
    except sqlite3.Error as exc:
        raise files.sqlite_problem(p, exc) from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise files.damage_problem(p) from None
    finally:
        con.close()


def read_document(path: str | Path) -> Record:
    """The whole evaluation as a document, equal to what the services read."""
    with connect(path) as con:
        return reading.read_document(con.execute)


def read_with_meta(path: str | Path, key: str) -> tuple[Record, str | None]:
    """The whole document and one value the file keeps about itself, in one read."""
    with connect(path) as con:
        doc = reading.read_document(con.execute)
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return doc, (None if row is None else str(row[0]))


def read_meta(path: str | Path, key: str) -> str | None:
    with connect(path) as con:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def read_for_results(path: str | Path) -> tuple[Record, str | None]:
    """The document with its scores as columns (`engine.ScoreColumns`: no comments, no
    record per score), and the file's seal (JSON text, None while open): everything
    `results` and `analyse` need, in one read."""
    with connect(path) as con:
        doc = reading.read_document(con.execute, with_scores=False)
        doc["scores"] = _score_columns(con, doc)
        row = con.execute("SELECT value FROM meta WHERE key = 'sealed'").fetchone()
    return doc, (None if row is None else str(row[0]))


@dataclass
class ExportRead:
    """What an export reads of a file, in one consistent read: the document (its
    scores as `engine.ScoreColumns` with their comments, in file order), the seal (JSON
    text, None while open), every audit event with its chain fields (as
    `Store.chain_rows` gives them) and the dates conflicts were declared on."""

    doc: Record
    sealed: str | None
    events: list[Record]
    conflict_dates: dict[tuple[str, str], str]


def read_for_export(path: str | Path) -> ExportRead:
    """The whole evaluation for the exports, with no record per score (see `ExportRead`)."""
    with connect(path) as con:
        doc = reading.read_document(con.execute, with_scores=False)
        doc["scores"] = _score_columns(con, doc, comments=True)
        row = con.execute("SELECT value FROM meta WHERE key = 'sealed'").fetchone()
        events = reading.read_chain(con.execute)
        dates = {(e, b): d for e, b, d in con.execute(
            "SELECT evaluator_id, bid_id, declared_on FROM conflict")}
    return ExportRead(doc=doc, sealed=None if row is None else str(row[0]), events=events,
                      conflict_dates=dates)


def check_chain(path: str | Path) -> chain.Verdict:
    """The audit chain and the data digest checked, as `EvaluationFile.verify` checks
    them, reading the lists a chunk at a time: the digest of a list is a sum of one hash
    per record, so no more than a chunk of records is held at once (the structure is
    read whole; a million scores are never all in memory)."""
    with connect(path) as con:
        doc = reading.read_document(con.execute, with_scores=False)
        row = con.execute("SELECT value FROM meta WHERE key = 'sealed'").fetchone()
        sealed = json.loads(row[0]) if row is not None and row[0] else None
        total = 0
        cur = con.execute("SELECT evaluator_id, bid_id, criterion_id, score, comment "
                          "FROM score")
        keys = ("evaluator", "bid", "criterion", "score", "comment")
        while chunk := cur.fetchmany(_CHUNK):
            total += chain.list_sum("scores", [
                dict(zip(keys, (e, b, c, plain(v), m))) for e, b, c, v, m in chunk])
        digest = chain.DataDigest(chain.structure_hash(doc, sealed), total % chain.MOD,
                                  chain.list_sum("consensus", doc["consensus"]),
                                  chain.list_sum("gateways", doc["gateways"]))
        events = reading.read_chain(con.execute)
    return chain.check(events, digest.hex)


def _score_columns(con: sqlite3.Connection, doc: Record, *,
                   comments: bool = False) -> ScoreColumns:
    """Each score's evaluator, bid and criterion as positions in the document's lists
    (with `comments`: and its comment, in file order, as the services' document lists
    them). A reference the lists lack (a damaged file) is a KeyError: `connect` says so."""
    evaluators = [e["id"] for e in doc["evaluators"]]
    bids = [b["id"] for b in doc["bids"]]
    criteria = [c["id"] for c in doc["criteria"]]
    codes = [{x: k for k, x in enumerate(ids)} for ids in (evaluators, bids, criteria)]
    n = int(con.execute("SELECT count(*) FROM score").fetchone()[0])
    cols = [np.empty(n, dtype=np.int64) for _ in range(3)]
    value = np.empty(n, dtype=np.float64)
    # in stored order, not by position: following the position index costs a random
    # page read per score. The engine does not depend on the order of the scores; with
    # `comments` (the exports) they are put in file order afterwards, by position.
    cur = con.execute("SELECT evaluator_id, bid_id, criterion_id, score"
                      + (", comment, position FROM score" if comments else " FROM score"))
    notes: list[str | None] | None = [] if comments else None
    place = np.empty(n if comments else 0, dtype=np.int64)
    at = 0
    while chunk := cur.fetchmany(_CHUNK):
        end = at + len(chunk)
        columns = list(zip(*chunk))
        for col, code, ids in zip(cols, codes, columns):
            col[at:end] = np.fromiter(map(code.__getitem__, ids), np.int64, len(ids))
        value[at:end] = np.asarray(columns[3], dtype=np.float64)
        if notes is not None:
            notes.extend(columns[4])
            place[at:end] = columns[5]
        at = end
    if notes is not None and place.size and (np.diff(place) < 0).any():
        order = np.argsort(place, kind="stable")
        cols = [col[order] for col in cols]
        value = value[order]
        notes = list(map(notes.__getitem__, order.tolist()))
    return ScoreColumns(evaluator_ids=evaluators, bid_ids=bids, criterion_ids=criteria,
                        evaluator=cols[0], bid=cols[1], criterion=cols[2], value=value,
                        comment=notes)
