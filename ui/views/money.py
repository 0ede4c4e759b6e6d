"""Money as a council officer reads it: £1,234,567."""

from __future__ import annotations

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: float | None, currency: str = "GBP") -> str:
    if amount is None:
        return ""
    symbol = SYMBOLS.get(currency, "")
    text = f"{abs(amount):,.0f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"
