"""SQLite as the document format: opening, creating, migrating and copying files.

Journal mode is DELETE (a rollback journal), never WAL: WAL needs shared
memory that network drives do not give, and council laptops often keep files
on one. ``synchronous=FULL`` makes a committed edit survive a power cut.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from ..errors import BadInput
from . import models  # noqa: F401 - registers the tables

APPLICATION_ID = 0x50445331  # "PDS1": marks a file as a ProcureDesk evaluation
SCHEMA_VERSION = 1

# Each migration takes a raw sqlite3 connection at version N and brings it to N+1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, so every unit of work is one
    # real transaction (pysqlite's own implicit transactions skip reads).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = DELETE")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA busy_timeout = 3000")
    cur.close()


def _on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(path: str | Path) -> Engine:
    engine = create_engine(f"sqlite:///{Path(path)}",
                           connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def file_identity(path: str | Path) -> tuple[int, int]:
    """(application_id, user_version) of a SQLite file, or BadInput if it is not one."""
    p = Path(path)
    if not p.exists():
        raise BadInput.one(str(p), "no such file")
    if p.is_dir():
        raise BadInput.one(str(p), "is a folder, not an evaluation file")
    with open(p, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        raise BadInput.one(str(p), "is not a ProcureDesk evaluation file (not SQLite)")
    app_id = int.from_bytes(head[68:72], "big")
    version = int.from_bytes(head[60:64], "big")
    return app_id, version


def check_and_migrate(path: str | Path) -> None:
    """Refuse a foreign or newer file; bring an older one up to date in one transaction."""
    app_id, version = file_identity(path)
    if app_id != APPLICATION_ID:
        raise BadInput.one(str(path), "is a SQLite database but not a ProcureDesk evaluation")
    if version > SCHEMA_VERSION:
        raise BadInput.one(str(path), f"was made by a newer ProcureDesk (file format {version},"
                                      f" this version reads up to {SCHEMA_VERSION})")
    if version < SCHEMA_VERSION:
        con = sqlite3.connect(path, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            for v in range(version, SCHEMA_VERSION):
                MIGRATIONS[v](con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()


def backup(src: str | Path, dest: str | Path) -> None:
    """A consistent copy of an evaluation file, even while it is open (SQLite backup API)."""
    tmp = Path(f"{dest}.part")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(src)
    target = sqlite3.connect(tmp)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    os.replace(tmp, dest)


def damage_problem(path: str | Path, exc: BaseException) -> BadInput:
    """A file SQLite (or our own reading) cannot make sense of, in one sentence."""
    del exc  # its text may quote the damaged bytes: never shown
    return BadInput.one(str(path), "is damaged and cannot be read as an evaluation file")


_DAMAGED = ("malformed", "not a database", "disk image", "encrypted", "no such table",
            "no such column", "database corrupt")


def environment_problem(path: str | Path, text: str) -> BadInput | None:
    """SQLite's error text (lower case) as one plain sentence, or None if it is not
    about the file or the disk."""
    if any(w in text for w in _DAMAGED):
        return damage_problem(path, Exception(text))
    if "database or disk is full" in text or "disk is full" in text:
        return BadInput.one(str(path), "could not be saved: the disk is full. Nothing was "
                                       "changed; free some space and try again.")
    if "readonly" in text or "read-only" in text:
        return BadInput.one(str(path), "is read-only (the file or its folder cannot be "
                                       "written). Nothing was changed.")
    if "unable to open" in text or "disk i/o error" in text:
        return BadInput.one(str(path), "could not be read or written (the disk or folder "
                                       "refused). Nothing was changed.")
    return None
