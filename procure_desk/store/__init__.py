"""The evaluation file's storage: the only code that knows the tables.

`Store` opens a file and reads it; `Store.transaction()` gives a `Writer` for
one unit of work. The services above speak in documents and records only.

The names below load on first use (PEP 562), so that `store.raw`, the
read-only door, can be imported without the ORM behind `Store`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .address import is_address
    from .database import Store
    from .files import (
        backup,
        file_identity,
        keep_backup,
        latest_backup,
        remove_leftovers,
        replace_file,
    )
    from .schema import APPLICATION_ID, SCHEMA_VERSION, check_and_migrate
    from .writer import Writer

_WHERE = {"Store": "database", "Writer": "writer", "APPLICATION_ID": "schema",
          "SCHEMA_VERSION": "schema", "check_and_migrate": "schema", "backup": "files",
          "file_identity": "files", "keep_backup": "files", "latest_backup": "files",
          "remove_leftovers": "files", "replace_file": "files", "is_address": "address"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "Store", "Writer", "backup", "check_and_migrate",
           "file_identity", "is_address", "keep_backup", "latest_backup", "remove_leftovers",
           "replace_file"]
