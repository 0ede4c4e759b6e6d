"""Counts in words for messages: kept for older imports, the rule is in `wording`."""

from __future__ import annotations

from ..wording import plural, these

__all__ = ["plural", "these"]
