"""SQLite as the document format: opening, creating, migrating and copying files.

Journal mode is DELETE (a rollback journal), never WAL: WAL needs shared
memory that network drives do not give, and council laptops often keep files
on one. ``synchronous=FULL`` makes a committed edit survive a power cut.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from ..errors import BadInput
from . import files, migrations, models  # noqa: F401 - models registers the tables

APPLICATION_ID = 0x50445331  # "PDS1": marks a file as a ProcureDesk evaluation
SCHEMA_VERSION = 2  # see migrations.py for what each version changed
BUSY_TIMEOUT_MS = 3000  # how long an edit waits for another writer before saying "busy"

# Each migration takes a raw sqlite3 connection at version N and brings it to N+1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = migrations.MIGRATIONS


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN, so every unit of work is one
    # real transaction (pysqlite's own implicit transactions skip reads).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = DELETE")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    cur.close()


def _on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(path: str | Path) -> Engine:
    engine = create_engine(f"sqlite:///{Path(path)}",
                           connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def check_and_migrate(path: str | Path) -> None:
    """Refuse a foreign, newer or damaged file; bring an older one up to date in one
    transaction."""
    app_id, version = files.file_identity(path)
    if app_id != APPLICATION_ID:
        raise BadInput.one(str(path), "is a SQLite database but not a ProcureDesk evaluation")
    if version > SCHEMA_VERSION:
        raise BadInput.one(str(path), f"was made by a newer ProcureDesk (file format {version},"
                                      f" this version reads up to {SCHEMA_VERSION})")
    if version < 1:  # every evaluation file ever written says its format: this one lost it
        raise files.damage_problem(path)
    files.check_intact(Path(path))
    if version < SCHEMA_VERSION:
        _migrate(Path(path), version)


def _migrate(path: Path, version: int) -> None:
    try:
        con = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise files.sqlite_problem(path, exc) from None
    try:
        con.execute("BEGIN IMMEDIATE")
        for v in range(version, SCHEMA_VERSION):
            MIGRATIONS[v](con)
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except Exception as exc:
        if con.in_transaction:
            con.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise files.sqlite_problem(path, exc) from None
        raise
    finally:
        con.close()


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()
