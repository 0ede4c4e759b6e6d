"""One evaluation file's database: the connection, transactions and every read.

`Store` is the only door to the tables. It turns the database's own errors
into plain sentences (`BadInput`), so no caller needs to know SQLite exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql_text
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlmodel import Session

from .. import chain
from ..errors import BadInput
from . import files, pg, reading, rows, schema
from .writer import Writer

Record = dict[str, Any]

_REVISION = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'"


def db_problem(path: Path, exc: Exception) -> Exception:
    """The database's own error as one sentence a user can act on, where it is one.

    Anything else (a constraint our own checks should have caught) is returned as it
    was: an internal error, not the user's to mend.
    """
    said = files.sqlite_problem(path, getattr(exc, "orig", None) or exc)
    return said if isinstance(said, BadInput) else exc


class Store:
    """An open evaluation: a file, or an evaluation on a PostgreSQL server (`team`)."""

    team = False
    role = "owner"  # on a server: chair, evaluator, observer, or owner (the administrator)
    evaluator: str | None = None  # on a server: the evaluator this login scores as

    def __init__(self, path: str | Path):
        if pg.is_address(path):
            from .server import open_server

            self.address = pg.Address.parse(str(path))
            self.url = str(path)  # as given: what another connection (an export) opens
            self.path = Path(self.address.shown)
            self.team = True
            self.seen: dict[str, int] | None = None  # each scope's revision as last read
            self.engine = open_server(self)
            return
        self.path = Path(path)
        schema.check_and_migrate(self.path)
        self.engine = schema.make_engine(self.path)

    @classmethod
    def create(cls, path: Path, doc: Record, meta: dict[str, str],
               audit: tuple[str, str, Record], *, shown_as: Path | None = None) -> None:
        """A new file at `path` (which must not exist) holding `doc`, its meta and one event.

        A disk that refuses is said of `shown_as` (the name the user gave), not of the
        temporary file being written.
        """
        engine = schema.make_engine(path)
        try:
            schema.create_schema(engine)
            with Session(engine) as s:
                w = Writer(s)
                w.start_file(doc, meta)
                actor, action, detail = audit
                w.audit(actor, action, "evaluation", "", None, detail)
                w.flush_events(chain.digest(doc).hex)
                s.commit()
        except (OperationalError, DatabaseError) as exc:
            raise db_problem(shown_as or path, exc) from None
        finally:
            engine.dispose()

    def close(self) -> None:
        self.engine.dispose()

    def _problem(self, exc: Exception) -> Exception:
        if self.team:
            return pg.server_problem(str(self.path), exc)
        return db_problem(self.path, exc)

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """One transaction: committed when the block ends, rolled back on any error.

        On a server a unit takes the audit chain's head row before it writes its events
        (`Writer.lock_head`), so the chain stays one chain.
        """
        try:
            with Session(self.engine) as s:
                try:
                    yield Writer(s, team=self.team)
                    s.commit()
                except BaseException:
                    s.rollback()
                    raise
        except (OperationalError, DatabaseError, DBAPIError) as exc:
            raise self._problem(exc) from None

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (OperationalError, DatabaseError, DBAPIError) as exc:
            raise self._problem(exc) from None

    # ---- reads -----------------------------------------------------------------------
    def revision(self) -> int:
        """The file's data revision as stored now (cheap: for noticing outside changes).
        On a server: the number of audit events (every change writes one)."""
        if self.team:
            return self.head()[1]
        with self._reading() as conn:
            row = conn.exec_driver_sql(_REVISION).fetchone()
        return int(row[0]) if row else 0

    def read_document(self) -> tuple[Record, int]:
        """The whole evaluation as a document, with the revision it reflects (one read)."""
        try:
            with Session(self.engine) as s:
                row: Any = None
                if self.team:  # one consistent view of every table
                    s.connection().exec_driver_sql(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    row = s.connection().exec_driver_sql(
                        "SELECT events, scopes::text FROM chainhead").fetchone()
                    self.seen = {str(k): int(v) for k, v in json.loads(row[1]).items()}
                doc = rows.read_document(s)
                if not self.team:
                    row = s.connection().exec_driver_sql(_REVISION).fetchone()
        except (OperationalError, DatabaseError, DBAPIError) as exc:
            raise self._problem(exc) from None
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise files.damage_problem(self.path) from None
        return doc, int(row[0]) if row else 0

    def scopes(self) -> dict[str, int]:
        """On a server: how often each scope of the data (`structure`, `scores:E1`...) has
        changed, for refusing an edit built on what someone else has since changed."""
        with self._reading() as conn:
            got = conn.exec_driver_sql("SELECT scopes::text FROM chainhead").scalar()
        return {str(k): int(v) for k, v in json.loads(got or "{}").items()}

    def meta(self, key: str) -> str | None:
        with self._reading() as conn:
            row = conn.execute(sql_text("SELECT value FROM meta WHERE key = :k"),
                               {"k": key}).fetchone()
        return None if row is None else str(row[0])

    def conflict_dates(self) -> dict[tuple[str, str], str]:
        with self._reading() as conn:
            got = conn.exec_driver_sql(
                "SELECT evaluator_id, bid_id, declared_on FROM conflict").fetchall()
        return {(e, b): d for e, b, d in got}

    def audit_rows(self, *, text: str = "", actor: str | None = None,
                   entity: str | None = None, limit: int | None = None) -> list[tuple]:
        """Audit events, newest first: (id, at, actor, action, entity, entity_id, before,
        after) with before/after as stored JSON text."""
        sql = ["SELECT id, at, actor, action, entity, entity_id, before, after "
               "FROM auditevent WHERE 1 = 1"]
        args: dict[str, Any] = {}
        if actor:
            sql.append("AND actor = :actor")
            args["actor"] = actor
        if entity:
            sql.append("AND entity = :entity")
            args["entity"] = entity
        if text:
            # SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE does too
            like = "ILIKE" if self.team else "LIKE"
            args["like"] = f"%{text}%"
            sql.append(f"AND (action {like} :like OR entity_id {like} :like OR before "
                       f"{like} :like OR after {like} :like OR actor {like} :like)")
        sql.append("ORDER BY id DESC")
        if limit:
            sql.append("LIMIT :limit")
            args["limit"] = int(limit)
        with self._reading() as conn:
            return [tuple(r) for r in conn.execute(sql_text(" ".join(sql)), args)]

    def chain_rows(self) -> list[Record]:
        """Every audit event in stored order, with its chain fields, for checking."""
        with self._reading() as conn:
            return reading.read_chain(lambda sql: conn.exec_driver_sql(sql).fetchall())

    def head(self) -> tuple[str | None, int]:
        """The last event's hash (None before the chain starts) and how many events."""
        if self.team:
            with self._reading() as conn:
                got = conn.exec_driver_sql("SELECT hash, events FROM chainhead").fetchone()
            return got[0], int(got[1])
        with self._reading() as conn:
            last = conn.exec_driver_sql(
                "SELECT hash FROM auditevent ORDER BY id DESC LIMIT 1").fetchone()
            n = conn.exec_driver_sql("SELECT count(*) FROM auditevent").fetchone()[0]
        return (None if last is None else last[0]), int(n)

    def backup_to(self, dest: Path) -> None:
        if self.team:
            from .server import fetch

            fetch(self, dest)
            return
        files.backup(self.path, dest)
