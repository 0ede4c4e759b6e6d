"""The evaluation file's storage: the only code that knows the tables.

`Store` opens a file and reads it; `Store.transaction()` gives a `Writer` for
one unit of work. The services above speak in documents and records only.
"""

from __future__ import annotations

from .database import Store, remove_leftovers
from .schema import APPLICATION_ID, SCHEMA_VERSION, backup, check_and_migrate, file_identity
from .writer import Writer

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Store", "Writer", "backup", "check_and_migrate",
           "file_identity", "remove_leftovers"]
