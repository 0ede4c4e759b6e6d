"""Text that the input rules now refuse, put into a file as one saved before them.

Names with line breaks or control characters can no longer be imported or typed
(docs/bad-input.md), but a file saved by an earlier version may hold them; the
exports and the command line must still show such text safely.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def store_unchecked(path: str | Path, table: str, row_id: str, **columns: Any) -> None:
    """Write column values of one row straight into the file, past every check."""
    sets = ", ".join(f"{name} = ?" for name in columns)
    con = sqlite3.connect(path)
    try:
        with con:
            cur = con.execute(f"UPDATE {table} SET {sets} WHERE id = ?",
                              (*columns.values(), row_id))
            assert cur.rowcount == 1, f"no {table} {row_id} in {path}"
    finally:
        con.close()
