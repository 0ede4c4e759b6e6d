"""The evaluation file's storage: the only code that knows the tables.

`Store` opens a file and reads it; `Store.transaction()` gives a `Writer` for
one unit of work. The services above speak in documents and records only.
"""

from __future__ import annotations

from .database import Store
from .files import (
    backup,
    file_identity,
    keep_backup,
    latest_backup,
    remove_leftovers,
    replace_file,
)
from .pg import is_address
from .schema import APPLICATION_ID, SCHEMA_VERSION, check_and_migrate
from .writer import Writer

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Store", "Writer", "backup", "check_and_migrate",
           "file_identity", "is_address", "keep_backup", "latest_backup", "remove_leftovers",
           "replace_file"]
