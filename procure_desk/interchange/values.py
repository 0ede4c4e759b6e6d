"""Numbers as the file holds them, and values quoted safely in messages."""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Escaped when a value is quoted in a message: control and invisible format
# characters, line separators and unpaired surrogates. A message is one line
# that reads the same in any terminal, whatever the value held.
_UNSAFE_IN_MESSAGE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u115f\u1160\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\uffff\ud800-\udfff"
    "\U000e0000-\U000e007f]"
)
_QUOTE_AT_MOST = 100  # characters of a long value shown in a message


def plain(x: float) -> float | int:
    """A number as JSON should show it: 3 rather than 3.0."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    xf = float(x)
    if math.isfinite(xf) and xf.is_integer() and abs(xf) < 2**53:
        return int(xf)
    return xf


def is_number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def is_integer(v: Any) -> bool:
    return is_number(v) and float(v).is_integer()


def on_step(value: float, step: float) -> bool:
    quotient = value / step
    return abs(quotient - round(quotient)) < 1e-9


def score_problem(value: Any, scale_max: float, step: float) -> str | None:
    """Why a score is not acceptable on this scale, or None."""
    if not is_number(value):
        return f"{q(value)} is not a number"
    if value < 0 or value > scale_max:
        return f"{plain(value)} is outside the scale 0..{plain(scale_max)}"
    if not on_step(value, step):
        return f"{plain(value)} is not a multiple of the scale step {plain(step)}"
    return None


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def q(v: Any) -> str:
    """A value quoted for a message: invisible and damaged characters escaped
    (`"B\\u202e1"`), a long text cut short."""
    if isinstance(v, str) and len(v) > _QUOTE_AT_MOST:
        v = v[:_QUOTE_AT_MOST] + "…"
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        s = repr(v)
    return _UNSAFE_IN_MESSAGE.sub(_escape, s)
