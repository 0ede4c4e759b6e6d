"""Whether a name is a server evaluation's address rather than a file: told without
importing the database libraries, so read-only commands on a file stay light."""

from __future__ import annotations

SCHEMES = ("postgresql:", "postgres:")


def is_address(value: object) -> bool:
    """Whether `value` names a server evaluation rather than a file."""
    return isinstance(value, str) and value.lower().startswith(SCHEMES)
