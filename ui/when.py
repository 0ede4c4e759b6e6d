"""Times as the user reads them: stored in UTC (ISO 8601, "Z"), shown in local time."""

from __future__ import annotations

import datetime as dt


def _parse(at: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if value.tzinfo is None:  # stored without a zone: UTC, as every stamp is
        value = value.replace(tzinfo=dt.UTC)
    return value


def local_time(at: str) -> str:
    """'2026-03-02T09:48:25Z' as '2026-03-02 10:48:25' in the computer's time zone;
    anything that is not a time is shown as it is."""
    value = _parse(at)
    return at if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def local_date(at: str) -> str:
    """The local calendar day of a stored time ('2026-03-02')."""
    value = _parse(at)
    return at[:10] if value is None else value.astimezone().strftime("%Y-%m-%d")


def local_day_and_time(at: str) -> str:
    """'2 March 2026 at 10:48' in local time, for sentences."""
    value = _parse(at)
    if value is None:
        return at
    local = value.astimezone()
    return f"{local.day} {local.strftime('%B %Y')} at {local.strftime('%H:%M')}"
