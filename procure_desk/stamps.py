"""Who did something and when, as the audit log records it."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some service accounts)
        return "unknown"


def now_iso() -> str:
    """The time now in UTC, ISO 8601 to the second: '2026-12-01T09:48:25Z'."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
