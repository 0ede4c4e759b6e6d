"""Reading a server evaluation with psycopg alone: `results` and `analyse` on an address.

The read-only commands need neither the ORM nor its start-up on a server any more
than on a file (`raw.py`). This reader connects as the user's own login, looks the
evaluation up in the catalogue, reads in its schema with the same SQL as the
services (`reading.py`) in one repeatable-read, read-only transaction, and so
sees exactly the rows the server's row-level security lets that login see: an
evaluator gets what the services give them.

Only the plain case is read here: an evaluation this version reads as it is, by
its owner or one of its members. Anything else (no such evaluation, a newer or
older format, a login that is not a member, a server that refuses, rows that do
not make an evaluation) returns
None, and the caller opens the evaluation through the services, which say why
in their own words (or bring an older format up to date), so the refusals are
the services' own.
"""

from __future__ import annotations

from typing import Any

from ..errors import BadInput
from . import raw, reading
from .address import CATALOGUE, Address

Record = dict[str, Any]

def conninfo(address: str) -> tuple[str, str] | None:
    """libpq's part of an address and the evaluation's reference; None when the address
    names no evaluation (the services then say so)."""
    try:
        parsed = Address.parse(address)
    except BadInput:
        return None
    return parsed.conninfo, parsed.reference


def read_for_results(address: str) -> tuple[Record, str | None] | None:
    """The document with its scores as columns and the seal (JSON text, None while open),
    as `raw.read_for_results` gives them for a file; None when the services must open
    the evaluation instead (see the module's note)."""
    import psycopg

    parsed = conninfo(address)
    if parsed is None:
        return None
    info, reference = parsed
    try:
        con = psycopg.connect(info, application_name="ProcureDesk")
    except psycopg.Error:
        return None
    try:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        return _read(con, reference)
    except (psycopg.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # refused, or rows the services call damaged: they say which
    finally:
        con.close()


def _read(con: Any, reference: str) -> tuple[Record, str | None] | None:
    from psycopg import sql

    found = con.execute(f"SELECT schema_name, format FROM {CATALOGUE}.evaluation "
                        "WHERE reference = %s", (reference,)).fetchone()
    if found is None or found[1] != raw.READS_VERSION:
        return None  # no such evaluation, or a format the services refuse or migrate
    schema = str(found[0])
    con.execute(sql.SQL("SET LOCAL search_path TO {}, {}, public").format(
        sql.Identifier(schema), sql.Identifier(CATALOGUE)))
    if not _may_read(con, schema):
        return None

    def rows(statement: str) -> Any:
        return con.execute(statement)  # no parameters: the SQL is sent as it is

    doc = reading.read_document(rows, with_scores=False)
    doc["scores"] = raw._score_columns(con, doc)
    row = con.execute("SELECT value FROM meta WHERE key = 'sealed'").fetchone()
    return doc, (None if row is None else str(row[0]))


def _may_read(con: Any, schema: str) -> bool:
    """The owner of the evaluation's schema, or one of its members (as `server._who`)."""
    owner = con.execute("SELECT pg_get_userbyid(nspowner) = session_user FROM pg_namespace "
                        "WHERE nspname = %s", (schema,)).fetchone()
    if owner and owner[0]:
        return True
    role = con.execute("SELECT pd_role()").fetchone()
    return role is not None and role[0] is not None
