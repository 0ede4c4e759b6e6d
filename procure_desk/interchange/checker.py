"""Reading one field of a record by the rules, collecting one problem per cause."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .limits import MAX_NAME, MAX_TEXT
from .text import id_problem, long_text_problem, name_problem, normalise_line_breaks
from .text import unsafe_in_message as _unsafe
from .values import is_integer, is_number, plain, q

_KEY_SHOWN = 60  # characters of an unknown field's name shown in a message


class Checker:
    """Collects problems; each read returns a usable value (or a default) so that
    checking goes on and every problem in the file is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # fields already reported as holding refused characters: said once only
        self.reported: set[str] = set()

    def add(self, where: str, message: str) -> None:
        if where in self.reported or _unsafe(where):
            return  # that field (or its damaged name) is already reported
        self.problems.append(Problem(where, message))

    def obj(self, v: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(v, dict):
            self.add(where, "must be an object")
            return None
        return v

    def keys(self, rec: dict[str, Any], where: str, allowed: set[str]) -> None:
        for k in rec:
            if k not in allowed:
                name = str(k) if len(str(k)) <= _KEY_SHOWN else str(k)[:_KEY_SHOWN] + "…"
                self.add(f"{where}.{name}" if where else name, "is not a known field")

    def text(self, rec: dict[str, Any], key: str, where: str, *, required: bool = False,
             nonempty: bool = False, default: str = "", long: bool = False,
             limit: int | None = None) -> str:
        """A name (one line, at most `limit` or MAX_NAME characters) or, with
        `long`, a long text (at most MAX_TEXT; line breaks normalised)."""
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if not isinstance(v, str):
            self.add(f"{where}.{key}", f"{q(v)} is not text")
            return default
        if nonempty and not v.strip():
            self.add(f"{where}.{key}", "must not be blank")
        if long:
            why = long_text_problem(v, limit or MAX_TEXT)
            v = normalise_line_breaks(v)
        else:
            why = name_problem(v, limit or MAX_NAME)
        if why:
            self.add(f"{where}.{key}", why)
        return v

    def ident(self, rec: dict[str, Any], where: str, seen: set[str]) -> str | None:
        v = rec.get("id")
        why = id_problem(v)
        if not isinstance(v, str) or not v.strip():
            self.add(f"{where}.id", why or "is required (non-blank text)")
            return None
        if why:  # reported once; references to it then say nothing more
            self.add(f"{where}.id", why)
        if v in seen:
            self.add(f"{where}.id", f"{q(v)} is a duplicate id")
            return None
        seen.add(v)
        return v

    def number(self, rec: dict[str, Any], key: str, where: str, *, default: Any = None,
               minimum: float | None = None, maximum: float | None = None,
               integer: bool = False, required: bool = False) -> Any:
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if not is_number(v):
            self.add(f"{where}.{key}", f"{q(v)} is not a number")
            return default
        if integer and not is_integer(v):
            self.add(f"{where}.{key}", f"{q(v)} is not a whole number")
            return default
        if minimum is not None and v < minimum:
            what = "negative" if minimum == 0 else f"less than {plain(minimum)}"
            self.add(f"{where}.{key}", f"{plain(v)} is {what}")
            return default
        if maximum is not None and v > maximum:
            self.add(f"{where}.{key}", f"{plain(v)} is more than {plain(maximum)}")
            return default
        return int(v) if integer else plain(v)

    def boolean(self, rec: dict[str, Any], key: str, where: str, *, default: bool | None,
                required: bool = False) -> bool | None:
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required (true or false)")
            return default
        v = rec[key]
        if not isinstance(v, bool):
            self.add(f"{where}.{key}", f"{q(v)} is not true or false")
            return default
        return v

    def choice(self, rec: dict[str, Any], key: str, where: str, options: tuple[str, ...],
               what: str, *, default: str | None = None) -> str | None:
        if key not in rec or rec[key] is None:
            if default is None:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if v not in options:
            self.add(f"{where}.{key}", f"{q(v)} is not a known {what} "
                                       f"(one of {', '.join(options)})")
            return default
        return str(v)

    def ref(self, rec: dict[str, Any], key: str, where: str, known: dict[str, Any],
            what: str) -> str | None:
        v = rec.get(key)
        if v is None:
            self.add(f"{where}.{key}", "is required")
            return None
        if not isinstance(v, str) or v not in known:
            self.add(f"{where}.{key}", f"{q(v)} is not {what}")
            return None
        return v

    def records(self, doc: dict[str, Any], key: str, *, required: bool) -> list[Any]:
        v = doc.get(key)
        if v is None:
            if required:
                self.add(key, "is required (a list)")
            return []
        if not isinstance(v, list):
            self.add(key, "must be a list")
            return []
        return v
