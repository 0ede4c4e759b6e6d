"""An evaluation on a PostgreSQL server: addresses, connections and the server's own words.

Address: ``postgresql://[login@]host[:port]/database?evaluation=REF`` (any libpq
parameter may follow, e.g. ``sslmode=verify-full`` or ``service=board``). Each
evaluation lives in its own schema (``ev_<reference>_<hash>``), listed in the
catalogue table ``procuredesk.evaluation``; the tables in it are the file's own.
No password is ever kept here: libpq reads it from the user's password file
(``~/.pgpass``), service file or environment.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from ..errors import BadInput, FileBusy
from .address import CATALOGUE, Address, is_address, shown
from .address import schema_name as schema_name  # named from here too


def role_base(database: str, reference: str) -> str:
    """The stem of an evaluation's three group roles (roles are server-wide, so the
    database is part of the name)."""
    return "pd_" + hashlib.sha256(f"{database}/{reference}".encode()).hexdigest()[:12]


def connect_raw(conninfo: str, shown_as: str = "") -> Any:
    """A psycopg connection (a refusal said plainly, naming the evaluation)."""
    import psycopg

    try:
        return psycopg.connect(conninfo, application_name="ProcureDesk")
    except psycopg.Error as exc:
        text = str(exc)
        name = shown_as or shown(conninfo)
        if ("role" in text and "does not exist" in text) or "authentication failed" in text \
                or "no password supplied" in text:
            raise BadInput.one(name, "the server did not accept your login (check the user "
                                     "name, and your password file or service file)") from None
        if "database" in text and "does not exist" in text:
            raise BadInput.one(name, "no such database on the server") from None
        raise server_problem(name, exc) from None


def make_engine(address: Address, schema: str | None = None) -> Engine:
    """An engine on the server, each connection looking in the evaluation's schema."""
    engine = create_engine("postgresql+psycopg://",
                           creator=lambda: connect_raw(address.conninfo, address.shown),
                           pool_pre_ping=False, pool_size=2, max_overflow=4)
    path = schema or address.schema

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{path}", {CATALOGUE}, public')
        cur.close()
        dbapi_conn.commit()

    event.listen(engine, "connect", on_connect)
    return engine


def server_problem(where: str, exc: BaseException) -> Exception:
    """The server's refusal as one sentence naming the evaluation, where it is one."""
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or ""
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    name = shown(where) if is_address(where) else where
    if state == "42501" or "row-level security" in text:
        return BadInput.one(name, "the server refused: your role on this evaluation does not "
                                  f"allow it ({text}). Nothing was changed.")
    if state in ("40001", "40P01", "55P03"):
        return FileBusy.one(name, "is busy: another member is saving. Nothing was changed; "
                                  "try again in a moment.")
    if state.startswith("08") or (not state and type(orig).__name__ == "OperationalError"):
        return BadInput.one(name, f"could not reach the server ({text}). Nothing was changed.")
    if state.startswith("28"):
        return BadInput.one(name, f"the server did not accept your login ({text}).")
    if state == "3D000":
        return BadInput.one(name, f"no such database on the server ({text}).")
    return exc if isinstance(exc, Exception) else RuntimeError(text)
