"""Supplier and evaluator text made harmless for each kind of output.

Every name, comment and note comes from outside the council and is treated as
hostile: a spreadsheet must never read it as a formula (OWASP "CSV injection"),
a PDF paragraph must never read it as markup, and a file name built from it
must be valid on Windows as well as here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

# Characters a spreadsheet treats as the start of a formula (and tab, CR, LF,
# which some readers strip before looking).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_CELL_LIMIT = 32767
# XML 1.0 forbids these control characters; openpyxl refuses them outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                     *(f"LPT{i}" for i in range(10))}
# Separators a name reads naturally with as a hyphen ("incumbent: keep" -> "incumbent -
# keep", "24/7" -> "24-7"); the other characters Windows refuses are dropped.
_SEPARATORS = re.compile(r'\s*:\s+|\s+:\s*|[:/\\|]+')
_BAD_FILENAME = re.compile(r'[<>"?*\x00-\x1f\x7f]')


def plain_text(value: Any) -> str:
    """Text without the control characters no XML file may hold."""
    return _CONTROL.sub("", "" if value is None else str(value))


def cell_text(value: Any) -> str:
    """Text for a spreadsheet cell that can never be read as a formula.

    A leading formula character gets an apostrophe in front, the usual escape,
    so the text shows as typed; the caller also types the cell as a string.
    """
    text = plain_text(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def para(value: Any) -> str:
    """Text for a reportlab Paragraph: escaped, so `<b>`, `&` and `<font>` print as typed."""
    return escape(plain_text(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def safe_filename(name: Any, *, limit: int = 80, fallback: str = "bidder") -> str:
    """A file name stem that Windows, macOS and Linux all accept, whatever the input."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", plain_text(name)))
    text = _SEPARATORS.sub(lambda m: " - " if m.group() != m.group().strip() else "-", text)
    text = re.sub(r"\s+", " ", _BAD_FILENAME.sub("", text)).strip()
    text = text[:limit].rstrip(" .")
    text = text.lstrip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text
