"""Bringing a file written by an older ProcureDesk up to this version's format.

Each migration takes a raw sqlite3 connection at format N, inside the opening
transaction, and leaves it at N+1. What one changes in the user's data it
records in the audit log, so the record shows why an id or a name changed.

Format 2: evaluators' declarations of interests and sign-off, each conflict's
nature and mitigation, and the audit chain's columns (the chain itself is
started by the services on first open, see docs/audit-chain.md). Ids hold
only letters, digits, ".", "_" and "-" (a "?" or "*" in an
id is a wildcard in the evaluation workbook's SUMIFS, and added up other bids'
figures), and names and texts hold no control or invisible direction
characters. Files saved before these rules keep every record: an id that
breaks the rule is renamed everywhere it is used (`B?` becomes `B_`, with
`-2`, `-3`... if that is taken), and a refused character is removed from a
text (a name's line breaks become spaces).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from ..interchange.limits import MAX_NAME, MAX_REFERENCE, MAX_TEXT
from ..interchange.text import id_problem, safe_id, safe_text
from ..stamps import now_iso

Migration = Callable[[sqlite3.Connection], None]

# table -> the columns elsewhere that hold its ids
REFERENCES = {
    "criterion": [("criterion", "parent_id"), ("score", "criterion_id"),
                  ("consensus", "criterion_id"), ("gateway", "criterion_id")],
    "bid": [("costline", "bid_id"), ("conflict", "bid_id"), ("score", "bid_id"),
            ("consensus", "bid_id"), ("gateway", "bid_id"), ("apportionment", "bid_id"),
            ("apportionmentshare", "bid_id")],
    "evaluator": [("conflict", "evaluator_id"), ("score", "evaluator_id")],
    "partner": [("apportionmentshare", "partner_id")],
}

# (table, key column, text column, limit, one line)
TEXTS = [
    ("evaluation", "id", "title", MAX_NAME, True),
    ("evaluation", "id", "reference", MAX_REFERENCE, True),
    ("evaluation", "id", "authority", MAX_NAME, True),
    ("criterion", "id", "name", MAX_NAME, True),
    ("criterion", "id", "guidance", MAX_TEXT, False),
    ("bid", "id", "supplier", MAX_NAME, True),
    ("bid", "id", "notes", MAX_TEXT, False),
    ("evaluator", "id", "name", MAX_NAME, True),
    ("evaluator", "id", "role", MAX_NAME, True),
    ("partner", "id", "name", MAX_NAME, True),
    ("costline", "id", "item", MAX_NAME, True),
    ("score", "rowid", "comment", MAX_TEXT, False),
    ("consensus", "rowid", "rationale", MAX_TEXT, False),
    ("gateway", "rowid", "note", MAX_TEXT, False),
]


def _rename_ids(con: sqlite3.Connection) -> dict[str, dict[str, str]]:
    renamed: dict[str, dict[str, str]] = {}
    for table, refs in REFERENCES.items():
        ids = [r[0] for r in con.execute(f"SELECT id FROM {table}")]
        taken = {i for i in ids if id_problem(i) is None}
        for old in ids:
            if id_problem(old) is None:
                continue
            new = safe_id(str(old), taken)
            taken.add(new)
            renamed.setdefault(table, {})[str(old)] = new
            con.execute(f"UPDATE {table} SET id = ? WHERE id = ?", (new, old))
            for ref_table, column in refs:
                con.execute(f"UPDATE {ref_table} SET {column} = ? WHERE {column} = ?",
                            (new, old))
    return renamed


def _mend_texts(con: sqlite3.Connection) -> list[dict[str, Any]]:
    mended = []
    for table, key, column, limit, one_line in TEXTS:
        for rid, value in con.execute(f"SELECT {key}, {column} FROM {table} "
                                      f"WHERE {column} IS NOT NULL"):
            if not isinstance(value, str):
                continue
            new = safe_text(value, limit=limit, one_line=one_line)
            if new != value:
                con.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (new, rid))
                mended.append({"table": table, "field": column,
                               "record": rid if key == "id" else None})
    return mended


NEW_COLUMNS = [
    ("evaluator", "declared_on", "VARCHAR"), ("evaluator", "interests", "VARCHAR"),
    ("evaluator", "submitted_at", "VARCHAR"),
    ("conflict", "nature", "VARCHAR NOT NULL DEFAULT ''"),
    ("conflict", "mitigation", "VARCHAR NOT NULL DEFAULT ''"),
    ("auditevent", "prev_hash", "VARCHAR"), ("auditevent", "data_digest", "VARCHAR"),
    ("auditevent", "hash", "VARCHAR"),
    ("evaluation", "procedure", "VARCHAR NOT NULL DEFAULT 'options_appraisal'"),
    ("bid", "tender", "BOOLEAN NOT NULL DEFAULT 0"),
    ("evaluation", "marking", "VARCHAR NOT NULL DEFAULT 'OFFICIAL-SENSITIVE: COMMERCIAL'"),
    ("evaluation", "abnormally_low", "FLOAT NOT NULL DEFAULT 0.2"),
    ("evaluation", "award", "VARCHAR"), ("evaluation", "ocid_prefix", "VARCHAR"),
    ("bid", "supplier_id", "VARCHAR"),
]
FEEDBACK_TABLE = (
    "CREATE TABLE IF NOT EXISTS feedback (bid_id VARCHAR NOT NULL REFERENCES bid (id) "
    "ON DELETE CASCADE, criterion_id VARCHAR NOT NULL REFERENCES criterion (id) ON DELETE "
    "CASCADE, position INTEGER NOT NULL, text VARCHAR NOT NULL, "
    "PRIMARY KEY (bid_id, criterion_id))")


def to_format_2(con: sqlite3.Connection) -> None:
    for table, column, kind in NEW_COLUMNS:
        have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    con.execute(FEEDBACK_TABLE)
    # a supplier's offer was always a tender; the council's own options were not
    con.execute("UPDATE bid SET tender = 1 WHERE option_type IN "
                "('enterprise_suite', 'best_of_breed')")
    renamed = _rename_ids(con)
    mended = _mend_texts(con)
    if con.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise sqlite3.IntegrityError("the migration left a reference dangling")
    if not renamed and not mended:
        return
    detail = {"format": 2, "renamed_ids": renamed, "mended_texts": len(mended),
              "why": "ids may hold only letters, digits, '.', '_' and '-'; names and texts "
                     "no control or invisible direction characters"}
    con.execute("INSERT INTO auditevent (at, actor, action, entity, entity_id, before, after)"
                " VALUES (?, 'ProcureDesk', 'file.migrate', 'evaluation', '', NULL, ?)",
                (now_iso(), json.dumps(detail, ensure_ascii=False)))
    con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")


MIGRATIONS: dict[int, Migration] = {1: to_format_2}
