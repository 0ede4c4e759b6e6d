"""What text may hold: ids, names, long texts, and characters refused anywhere.

Three kinds of text, each with its own rule (docs/bad-input.md):
- an id: 1 to MAX_ID of the letters A-Z and a-z, digits, ".", "_" and "-", so
  that an id is safe in a file name, a command line and a spreadsheet lookup
  (no `*`, `?` or `~`, which SUMIFS reads as wildcards);
- a name: one line of visible text, at most MAX_NAME characters;
- a long text (comment, rationale, note, guidance): at most MAX_TEXT
  characters, tabs and line breaks allowed; a carriage return is read as a
  line break.
Any string at all refuses the characters that hide or reorder text (direction
overrides and isolates, zero-width spaces, tags...), control characters and
unpaired surrogates. A message says which character and where, and never
repeats the text itself.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import Problem
from .limits import MAX_ID, MAX_NAME, MAX_TEXT
from .values import q

# Refused in every string, long texts included.
_REFUSED_ANYWHERE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters but tab, line feed, CR
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: letters that show nothing
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero-width space
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # direction embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u206f"  # direction isolates, deprecated format characters
    "\ufeff"  # zero-width no-break space (a byte order mark)
    "\ufff9-\ufffb"  # interlinear annotation
    "\ufffe\uffff"  # not characters at all
    "\ud800-\udfff"  # half of a character whose other half is missing
    "\U000e0000-\U000e007f"  # tags: invisible copies of ASCII
)
_REFUSED = re.compile(f"[{_REFUSED_ANYWHERE}]")
_LINE_BREAKS = re.compile("[\t\n\r]")
_NOT_IN_NAME_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]")

_DESCRIBED = {
    "\t": "a tab", "\n": "a line break", "\r": "a carriage return",
    "\u2028": "a line separator", "\u2029": "a paragraph separator",
    "\u200e": "an invisible left-to-right mark", "\u200f": "an invisible right-to-left mark",
    "\u202a": "an invisible left-to-right embedding",
    "\u202b": "an invisible right-to-left embedding",
    "\u202c": "an invisible pop directional formatting",
    "\u202d": "an invisible left-to-right override",
    "\u202e": "an invisible right-to-left override",
    "\u2066": "an invisible left-to-right isolate",
    "\u2067": "an invisible right-to-left isolate",
    "\u2068": "an invisible first strong isolate",
    "\u2069": "an invisible pop directional isolate",
    "\ufeff": "an invisible zero-width no-break space (byte order mark)",
}

FIELD_NAME = "a field name"  # how a problem in a key (not a value) begins
ID_CHARACTERS = 'the letters A-Z and a-z, digits, ".", "_" and "-"'


def describe(ch: str) -> str:
    """One character named for a message: 'an invisible right-to-left override (U+202E)'."""
    code = f"U+{ord(ch):04X}"
    if ch in _DESCRIBED:
        return f"{_DESCRIBED[ch]} ({code})"
    category = unicodedata.category(ch)
    if category == "Cs":
        return f"a damaged character (half of a surrogate pair, {code})"
    if category == "Cc":
        return f"a control character ({code})"
    if category == "Cn":
        return f"a code that is not a character ({code})"
    name = unicodedata.name(ch, "").lower()
    return f"an invisible {name} ({code})" if name else f"an invisible character ({code})"


def _at(value: str, i: int) -> str:
    return f"contains {describe(value[i])} at character {i + 1}"


def hidden_problem(value: str) -> str | None:
    """Why a string is refused wherever it stands (hidden, control or damaged
    characters), or None. Tab and line breaks are left to the field's rule."""
    m = _REFUSED.search(value)
    return None if m is None else _at(value, m.start())


def _one_line_problem(value: str) -> str | None:
    m = _LINE_BREAKS.search(value)
    if m is not None:
        return _at(value, m.start()) + ": it must be one line"
    if not value.isascii():
        for i, ch in enumerate(value):
            if ord(ch) > 0x7F and unicodedata.category(ch) in _NOT_IN_NAME_CATEGORIES:
                return _at(value, i)
    return None


def _length_problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,} are allowed"
    return None


def name_problem(value: str, limit: int = MAX_NAME) -> str | None:
    """Why a name (one line of visible text, at most `limit` characters) is refused."""
    # the length before the character by character look, which it bounds
    return hidden_problem(value) or _length_problem(value, limit) or _one_line_problem(value)


def long_text_problem(value: str, limit: int = MAX_TEXT) -> str | None:
    """Why a long text (tabs and line breaks allowed) is refused, or None."""
    return hidden_problem(value) or _length_problem(value, limit)


def normalise_line_breaks(value: str) -> str:
    """A carriage return, alone or before a line feed, is read as one line break."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def id_problem(value: Any) -> str | None:
    """Why a value is not an acceptable id, or None."""
    if value is None:
        return "is required (non-blank text)"
    if not isinstance(value, str):
        return f"{q(value)} is not text"
    if not value.strip():
        return "is required (non-blank text)"
    if value != value.strip():
        return f"{q(value)} starts or ends with a space"
    why = hidden_problem(value)
    if why:
        return why
    if len(value) > MAX_ID:
        return f"{q(value[:20])}... is {len(value):,} characters long; an id has at most {MAX_ID}"
    m = _NOT_ID.search(value)
    if m is not None:
        return (f"{q(value)} may hold only {ID_CHARACTERS} "
                f"({q(m.group())} at character {m.start() + 1} is not allowed)")
    return None


def safe_id(value: str, taken: set[str]) -> str:
    """A valid id made from an old one that breaks the id rule: each character
    not allowed becomes "_", the result is cut to MAX_ID characters, and "-2",
    "-3"... is added if it is in `taken` (the ids already in use, not `value`).
    A valid id not in `taken` comes back unchanged."""
    base = _NOT_ID.sub("_", value)[:MAX_ID] or "_"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[:MAX_ID - len(suffix)] + suffix
    return candidate


def safe_text(value: str, *, limit: int = MAX_NAME, one_line: bool = True) -> str:
    """Text that passes the rule, made from old text that does not (a file saved
    before the rule): refused characters go, a name's line breaks and tabs
    become spaces, and it is cut to `limit`. Acceptable text comes back as it is."""
    check = name_problem if one_line else long_text_problem
    if check(value, limit) is None:
        return normalise_line_breaks(value)
    out = _REFUSED.sub("", normalise_line_breaks(value))
    if one_line:
        out = _LINE_BREAKS.sub(" ", out)
        out = "".join(ch for ch in out if ord(ch) <= 0x7F
                      or unicodedata.category(ch) not in _NOT_IN_NAME_CATEGORIES)
    return out[:limit]


def unsafe_in_message(text: str) -> bool:
    """True when text (a field's path) would not read as one plain line."""
    return bool(hidden_problem(text) or _one_line_problem(text))


def _may_hold_refused(doc: Any) -> bool:
    """A quick first look: False when no string or field name in `doc` can hold a
    refused character (most files); True sends it to the exact walk."""
    stack = [doc]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str:
            if not (v.isascii() and v.isprintable()) and _REFUSED.search(v):
                return True
        elif t is dict:
            for k, x in v.items():
                if type(k) is not str or not (k.isascii() and k.isprintable()):
                    return True
                tx = type(x)
                if tx is str:  # looked at here: a million records' fields, not stacked
                    if not (x.isascii() and x.isprintable()) and _REFUSED.search(x):
                        return True
                elif tx is not int and tx is not float and tx is not bool and x is not None:
                    stack.append(x)
        elif t is list:
            stack.extend(v)
        elif isinstance(v, str | dict | list):
            return True  # a subclass: left to the exact walk
    return False


def refused_strings(doc: Any) -> list[Problem]:
    """One problem per string (or field name) anywhere in `doc` that holds a
    character refused everywhere; `where` is its path, e.g. `bids[3].supplier`.

    Iterative, so any depth of nesting is walked; paths are built only when a
    quick first look finds something.
    """
    if not _may_hold_refused(doc):
        return []
    out: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, str):
            why = hidden_problem(v)
            if why:
                out.append(Problem(path, why))
        elif isinstance(v, dict):
            items = []
            for k, x in v.items():
                key = k if isinstance(k, str) else str(k)
                why = hidden_problem(key) or _one_line_problem(key)
                if why:
                    out.append(Problem(path, f"{FIELD_NAME} {why}"))
                    continue
                items.append((f"{path}.{key}" if path else key, x))
            stack.extend(reversed(items))
        elif isinstance(v, list):
            stack.extend(reversed([(f"{path}[{i}]", x) for i, x in enumerate(v)]))
    return out
