"""An evaluation on a PostgreSQL server: opening it, setting it up, putting a file on it
and taking a snapshot file back.

A snapshot is the evaluation's own rows and its audit log copied as they are,
so the file's chain is the server's and `verify` proves it the same way.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from .. import atomic, chain
from ..errors import BadInput
from . import files, pg, rows, schema, team
from .models import AuditEvent, Meta

if TYPE_CHECKING:
    from .database import Store

# server format -> the migration that brings an evaluation's schema to the next one
PG_MIGRATIONS: dict[int, Any] = {}
TEAM_ONLY_META = ("blind", "moderation")  # the chair's switches, kept on the server only
AUDIT_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "before", "after",
                 "prev_hash", "data_digest", "hash")


def open_server(store: Store) -> Engine:
    """Check the evaluation is there and this version can read it; who the login is."""
    address = store.address
    engine = pg.make_engine(address)
    try:
        with engine.begin() as conn:
            if not team.exists(conn, address.reference):
                raise BadInput.one(address.shown, "no such evaluation on the server (put one "
                                                  "there with `procure-desk server publish`)")
            version = conn.execute(text(f"SELECT format FROM {pg.CATALOGUE}.evaluation "
                                        "WHERE reference = :r"),
                                   {"r": address.reference}).scalar_one()
            if version > schema.SCHEMA_VERSION:
                raise BadInput.one(address.shown, "was made by a newer ProcureDesk (format "
                                                  f"{version}, this version reads up to "
                                                  f"{schema.SCHEMA_VERSION})")
            if version < schema.SCHEMA_VERSION:
                _migrate(conn, address, version)
            store.role, store.evaluator = _who(conn, address)
    except DBAPIError as exc:
        engine.dispose()
        raise pg.server_problem(address.shown, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def _who(conn: Any, address: pg.Address) -> tuple[str, str | None]:
    owner = conn.execute(text("SELECT pg_get_userbyid(nspowner) = session_user FROM "
                              "pg_namespace WHERE nspname = :s"),
                         {"s": address.schema}).scalar()
    if owner:
        return "owner", None
    try:
        with conn.begin_nested():
            row = conn.exec_driver_sql("SELECT pd_role(), pd_evaluator()").fetchone()
    except DBAPIError:
        row = None
    if row is None or row[0] is None:
        raise BadInput.one(address.shown, "your login is not a member of this evaluation: "
                                          "ask its administrator to run `procure-desk server "
                                          "grant`")
    return str(row[0]), row[1]


def _migrate(conn: Any, address: pg.Address, version: int) -> None:
    conn.exec_driver_sql(f'SET LOCAL search_path TO "{address.schema}"')
    for v in range(version, schema.SCHEMA_VERSION):
        PG_MIGRATIONS[v](conn)
    conn.execute(text(f"UPDATE {pg.CATALOGUE}.evaluation SET format = :f WHERE reference = :r"),
                 {"f": schema.SCHEMA_VERSION, "r": address.reference})


def _admin(url: str) -> tuple[pg.Address, Engine]:
    address = pg.Address.parse(url)
    return address, pg.make_engine(address, schema="public")


def init(url: str) -> pg.Address:
    """An evaluation's schema, tables, roles and policies, ready for `publish`."""
    address, engine = _admin(url)
    try:
        with engine.begin() as conn:
            if team.exists(conn, address.reference):
                raise BadInput.one(address.shown, "is already set up on the server")
            team.create(conn, address, schema.SCHEMA_VERSION)
    except DBAPIError as exc:
        raise pg.server_problem(address.shown, exc) from None
    finally:
        engine.dispose()
    return address


def publish(src: Path, url: str) -> pg.Address:
    """The file's evaluation, meta and whole audit log onto the server, as they are.

    The server's evaluation must be new (set up by `init`, or set up here) and empty.
    """
    from .database import Store

    source = Store(src)
    try:
        doc, _ = source.read_document()
        meta = _all_meta(source.engine)
        events = source.chain_rows()
        dates = source.conflict_dates()
    finally:
        source.close()
    if not events or not events[-1]["hash"]:
        raise BadInput.one(str(src), "has no audit chain yet: open it in ProcureDesk once, "
                                     "then publish it")
    address = pg.Address.parse(url)
    with contextlib.suppress(BadInput):
        init(url)  # already set up: fine, if it is still empty (checked below)
    engine = pg.make_engine(address)
    try:
        with Session(engine) as s:
            if s.connection().exec_driver_sql("SELECT count(*) FROM evaluation").scalar():
                raise BadInput.one(address.shown, "already holds an evaluation: nothing was "
                                                  "published")
            rows.write_document(s, doc, dates)
            s.flush()
            _copy_meta_and_log(s.connection(), meta, events)
            s.connection().exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('auditevent', 'id'), "
                "(SELECT max(id) FROM auditevent))")
            sealed = meta.get("sealed")
            whole = chain.digest(doc, json.loads(sealed) if sealed else None)
            s.connection().execute(text(
                "UPDATE chainhead SET hash = :h, events = :n, structure = :st, scores = :sc, "
                "consensus = :co, gateways = :ga WHERE id = 1"),
                {"h": events[-1]["hash"], "n": len(events), "st": whole.structure,
                 "sc": f"{whole.scores:032x}", "co": f"{whole.consensus:032x}",
                 "ga": f"{whole.gateways:032x}"})
            s.commit()
    except DBAPIError as exc:
        raise pg.server_problem(address.shown, exc) from None
    finally:
        engine.dispose()
    return address


def _all_meta(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {str(k): str(v) for k, v in conn.exec_driver_sql("SELECT key, value FROM meta")}


def _copy_meta_and_log(conn: Any, meta: dict[str, str], events: list[dict[str, Any]]) -> None:
    if meta:
        conn.execute(insert(Meta), [{"key": k, "value": v} for k, v in meta.items()])
    if events:
        conn.execute(insert(AuditEvent), [{k: e[k] for k in AUDIT_COLUMNS} for e in events])


def fetch(store: Store, dest: Path) -> None:
    """A .pdesk snapshot of the server's evaluation: the same rows and the same audit
    chain, written beside `dest` and renamed into place."""
    if store.role == "evaluator":
        raise BadInput.one(str(store.path), "an evaluator sees only part of the evaluation, "
                                            "so a snapshot is taken by its chair, an observer "
                                            "or its administrator")
    with Session(store.engine) as s:
        s.connection().exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        doc = rows.read_document(s)
        dates = {(e, b): d for e, b, d in s.connection().exec_driver_sql(
            "SELECT evaluator_id, bid_id, declared_on FROM conflict")}
        meta = {str(k): str(v) for k, v in s.connection().exec_driver_sql(
            "SELECT key, value FROM meta")
            if k not in TEAM_ONLY_META and not str(k).startswith("revision:")}
        events = [dict(zip(AUDIT_COLUMNS, r)) for r in s.connection().exec_driver_sql(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM auditevent ORDER BY id")]
    dest = Path(dest)
    atomic.sweep(dest.parent)
    tmp = atomic.part_path(dest)
    engine = schema.make_engine(tmp)
    try:
        schema.create_schema(engine)
        with Session(engine) as s:
            rows.write_document(s, doc, dates)
            s.flush()
            _copy_meta_and_log(s.connection(), meta, events)
            s.commit()
        engine.dispose()
        files.replace_file(tmp, dest)
    except BaseException:
        engine.dispose()
        files.remove_leftovers(tmp)
        raise


def grant(url: str, login: str, role: str, evaluator: str | None) -> pg.Address:
    """Make a database login the evaluation's chair, an evaluator (as ID) or an observer."""
    if role not in team.ROLES:
        raise BadInput.one("--role", f"{role!r} is not a role: chair, evaluator or observer")
    if role == "evaluator" and not evaluator:
        raise BadInput.one("--evaluator", "an evaluator's login needs --evaluator ID (who "
                                          "they score as)")
    address = pg.Address.parse(url)
    engine = pg.make_engine(address)
    try:
        with engine.begin() as conn:
            if not team.exists(conn, address.reference):
                raise BadInput.one(address.shown, "no such evaluation on the server")
            if evaluator and conn.execute(text("SELECT 1 FROM evaluator WHERE id = :e"),
                                          {"e": evaluator}).fetchone() is None:
                raise BadInput.one("--evaluator", f"{evaluator!r} is not an evaluator of "
                                                  f"{address.reference}")
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :l AND rolcanlogin"),
                            {"l": login}).fetchone() is None:
                raise BadInput.one("--login", f"{login!r} is not a login on this server: "
                                              "create it first (CREATE ROLE ... LOGIN)")
            team.grant(conn, address, login, role, evaluator)
    except DBAPIError as exc:
        raise pg.server_problem(address.shown, exc) from None
    finally:
        engine.dispose()
    return address


def is_address(value: object) -> bool:
    return pg.is_address(value)
