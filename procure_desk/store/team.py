"""Setting up an evaluation on a PostgreSQL server: tables, roles, grants and policies.

The rules of docs/team-mode.md are the server's, not the client's: each member
connects as their own login, which is a member of one of the evaluation's three
group roles; table grants say what each role may touch at all, and row-level
security policies say which rows:

- evaluators read and write only their own scores (and their comments) until the
  chair opens moderation; they read no cost lines while blind scoring is on, no
  consensus before moderation, and only the audit events they wrote themselves;
  they change only their own declaration and sign-off;
- observers read only;
- the chair changes the methodology, records consensus, opens moderation and seals.

The login that runs `server init` owns the tables (it is the database
administrator's, outside these rules) and no member ever updates or deletes an
audit event: the log is append-only for everyone.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

from . import models  # noqa: F401 - registers the tables
from .pg import CATALOGUE, Address, role_base

ROLES = ("chair", "evaluator", "observer")
TEAM_VERSION = 1  # the server layout (catalogue, team tables, policies)

# tables of the methodology and records only the chair writes
CHAIR_TABLES = ("evaluation", "criterion", "bid", "costline", "partner", "apportionment",
                "apportionmentshare", "conflict", "consensus", "gateway", "feedback")

CATALOGUE_SQL = f"""
CREATE SCHEMA IF NOT EXISTS {CATALOGUE};
CREATE TABLE IF NOT EXISTS {CATALOGUE}.evaluation (
    reference text PRIMARY KEY,
    schema_name text NOT NULL UNIQUE,
    role_base text NOT NULL,
    format integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
GRANT USAGE ON SCHEMA {CATALOGUE} TO PUBLIC;
GRANT SELECT ON {CATALOGUE}.evaluation TO PUBLIC;
"""

TEAM_TABLES = """
CREATE TABLE member (
    login text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('chair', 'evaluator', 'observer')),
    evaluator_id text);
CREATE TABLE chainhead (
    id integer PRIMARY KEY CHECK (id = 1),
    hash text, events integer NOT NULL DEFAULT 0,
    structure text, scores text, consensus text, gateways text,
    scopes jsonb NOT NULL DEFAULT '{}');
INSERT INTO chainhead (id) VALUES (1);
ALTER TABLE auditevent ADD COLUMN login text NOT NULL DEFAULT session_user;
"""


def functions_sql(schema: str, channel: str) -> list[str]:
    """Who is asking, and the chair's switches; SECURITY DEFINER so a policy can read the
    member list without being able to change it."""
    definer = f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = \"{schema}\", pg_temp"
    return [
        f"CREATE FUNCTION pd_role() RETURNS text {definer} "
        "AS $$ SELECT role FROM member WHERE login = session_user $$",
        f"CREATE FUNCTION pd_evaluator() RETURNS text {definer} "
        "AS $$ SELECT evaluator_id FROM member WHERE login = session_user $$",
        f"CREATE FUNCTION pd_flag(k text) RETURNS boolean {definer} "
        "AS $$ SELECT coalesce((SELECT value = '1' FROM meta WHERE key = k), false) $$",
        "CREATE FUNCTION pd_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_notify('{channel}', session_user || ' ' || pg_backend_pid()); "
        "RETURN NULL; END $$",
        "CREATE TRIGGER pd_changed AFTER INSERT ON auditevent "
        "FOR EACH STATEMENT EXECUTE FUNCTION pd_notify()",
    ]


def channel_name(address: Address) -> str:
    """The LISTEN/NOTIFY channel members' windows listen on for this evaluation."""
    return role_base(address.database, address.reference) + "_changed"


def grants_sql(schema: str, base: str) -> list[str]:
    chair, ev, obs = (f"{base}_{r}" for r in ROLES)
    everyone = f"{chair}, {ev}, {obs}"
    lines = [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {everyone}',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {everyone}',
        f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" TO {everyone}',
        f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {chair}, {ev}',
        f"GRANT INSERT ON auditevent TO {chair}, {ev}",
        f"GRANT UPDATE ON chainhead TO {chair}, {ev}",
        f"GRANT INSERT, UPDATE, DELETE ON meta TO {chair}",
        f"GRANT INSERT, UPDATE, DELETE ON score TO {chair}, {ev}",
        f"GRANT INSERT, UPDATE, DELETE ON evaluator TO {chair}",
        f"GRANT UPDATE (declared_on, interests, submitted_at) ON evaluator TO {ev}",
        *(f"GRANT INSERT, UPDATE, DELETE ON {t} TO {chair}" for t in CHAIR_TABLES),
    ]
    return lines


def policies_sql(base: str) -> list[str]:
    chair, ev = f"{base}_chair", f"{base}_evaluator"
    # each function in a sub-select: run once per statement, not once per row
    not_evaluator = "coalesce((SELECT pd_role()), '') <> 'evaluator'"
    tables = ("meta", "auditevent", "chainhead", "member", "score", "evaluator",
              *CHAIR_TABLES)
    out = [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY" for t in tables]
    # what may be read
    reads = {
        "score": f"{not_evaluator} OR evaluator_id = (SELECT pd_evaluator()) "
                 "OR (SELECT pd_flag('moderation'))",
        "consensus": f"{not_evaluator} OR (SELECT pd_flag('moderation'))",
        "costline": f"{not_evaluator} OR NOT (SELECT pd_flag('blind'))",
        "auditevent": f"{not_evaluator} OR login = session_user",
        "member": "login = session_user OR (SELECT pd_role()) = 'chair'",
    }
    for t in tables:
        out.append(f"CREATE POLICY read ON {t} FOR SELECT USING ({reads.get(t, 'true')})")
    # what may be written (the grants already keep observers and most tables out)
    out += [
        f"CREATE POLICY chair_writes ON {t} FOR ALL TO {chair} USING (true) WITH CHECK (true)"
        for t in (*CHAIR_TABLES, "evaluator", "meta", "chainhead")]
    own = "evaluator_id = (SELECT pd_evaluator())"
    out += [
        f"CREATE POLICY own_insert ON score FOR INSERT TO {chair}, {ev} WITH CHECK ({own})",
        f"CREATE POLICY own_update ON score FOR UPDATE TO {chair}, {ev} USING ({own}) "
        f"WITH CHECK ({own})",
        f"CREATE POLICY own_delete ON score FOR DELETE TO {ev} USING ({own})",
        # a conflict the chair records sets that evaluator's scores on the bid aside
        f"CREATE POLICY chair_delete ON score FOR DELETE TO {chair} USING (true)",
        f"CREATE POLICY own_record ON evaluator FOR UPDATE TO {ev} "
        "USING (id = (SELECT pd_evaluator())) WITH CHECK (id = (SELECT pd_evaluator()))",
        f"CREATE POLICY head ON chainhead FOR UPDATE TO {ev} USING (true) WITH CHECK (true)",
        f"CREATE POLICY signed ON auditevent FOR INSERT TO {chair}, {ev} "
        "WITH CHECK (login = session_user)",
    ]
    return out


def run(conn: Any, statements: str | list[str]) -> None:
    """Statements one by one (a text: split at its semicolons; none holds one inside)."""
    if isinstance(statements, str):
        statements = [s for s in statements.split(";") if s.strip()]
    for statement in statements:
        conn.exec_driver_sql(statement.replace("%", "%%"))  # the driver's placeholders


def exists(conn: Any, reference: str) -> bool:
    row = conn.exec_driver_sql(
        f"SELECT 1 FROM pg_tables WHERE schemaname = '{CATALOGUE}' "
        "AND tablename = 'evaluation'").fetchone()
    if row is None:
        return False
    return conn.exec_driver_sql(
        f"SELECT 1 FROM {CATALOGUE}.evaluation WHERE reference = %(r)s",
        {"r": reference}).fetchone() is not None


def create(conn: Any, address: Address, format_version: int) -> None:
    """The evaluation's schema, tables, group roles, grants and policies (one transaction,
    by the login that will own them)."""
    schema, base = address.schema, role_base(address.database, address.reference)
    run(conn, CATALOGUE_SQL)
    for role in ROLES:
        name = f"{base}_{role}"
        if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s",
                                {"n": name}).fetchone() is None:
            conn.exec_driver_sql(f"CREATE ROLE {name} NOLOGIN")
    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
    SQLModel.metadata.create_all(conn)
    run(conn, TEAM_TABLES)
    run(conn, functions_sql(schema, channel_name(address)))
    conn.exec_driver_sql(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA \"{schema}\" FROM PUBLIC")
    run(conn, grants_sql(schema, base))
    run(conn, policies_sql(base))
    conn.exec_driver_sql(
        f"INSERT INTO {CATALOGUE}.evaluation (reference, schema_name, role_base, format) "
        "VALUES (%(r)s, %(s)s, %(b)s, %(f)s)",
        {"r": address.reference, "s": schema, "b": base, "f": format_version})


def grant(conn: Any, address: Address, login: str, role: str,
          evaluator: str | None) -> None:
    """`login` becomes the evaluation's `role` (and no other of its roles)."""
    base = role_base(address.database, address.reference)
    quoted = '"' + login.replace('"', '""') + '"'
    for other in ROLES:
        if other != role:
            conn.exec_driver_sql(f"REVOKE {base}_{other} FROM {quoted}")
    conn.exec_driver_sql(f"GRANT {base}_{role} TO {quoted}")
    conn.exec_driver_sql(
        "INSERT INTO member (login, role, evaluator_id) VALUES (%(l)s, %(r)s, %(e)s) "
        "ON CONFLICT (login) DO UPDATE SET role = excluded.role, "
        "evaluator_id = excluded.evaluator_id",
        {"l": login, "r": role, "e": evaluator})
