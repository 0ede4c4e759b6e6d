"""How the app and every document write amounts, counts and short labels.

One function per habit, so that the window, the PDF, the workbook and the
terminal say the same thing for the same value: `-£1,500` (sign first),
`€1,500`, and `1,500 CHF` for a currency without a symbol of its own.
"""

from __future__ import annotations

from typing import Any

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: float | None, currency: str = "GBP", *, none: str = "—") -> str:
    """Whole units with thousands separators: '-£1,500', '€90,000', '1,500 CHF'."""
    if amount is None:
        return none
    symbol = CURRENCY_SYMBOLS.get(currency)
    text = f"{abs(amount):,.0f}"
    sign = "-" if round(amount) < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 bid', '2 bids', '1,200 scores'; `many` for irregular words ('2 entries')."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def these(n: int, word: str, many: str | None = None) -> str:
    """'this 1 change', 'these 2 changes'."""
    return f"{'this' if n == 1 else 'these'} {plural(n, word, many)}"


def one_line(text: Any, limit: int = 60) -> str:
    """Text on one line, cut to `limit` characters with a visible ellipsis."""
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def column_letter(index: int) -> str:
    """A spreadsheet column's letters from its 1-based number: 1 -> A, 28 -> AB."""
    if index < 1:
        raise ValueError(f"column numbers start at 1, not {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
