"""Counts in words for messages: '1 change', '2 changes', never '1 changes'."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 bid', '2 bids', '0 bids'; `many` for irregular words ('1 entry', '2 entries')."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def these(n: int, word: str, many: str | None = None) -> str:
    """'this 1 change', 'these 2 changes'."""
    return f"{'this' if n == 1 else 'these'} {plural(n, word, many)}"
