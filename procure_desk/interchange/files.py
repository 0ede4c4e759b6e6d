"""Reading an interchange file from disk, and writing one as text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BadInput
from .checks import validate
from .values import q


def read_json_file(path: str | Path) -> Any:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BadInput.one(str(p), "no such file") from None
    except IsADirectoryError:
        raise BadInput.one(str(p), "is a folder, not a file") from None
    except OSError as exc:
        raise BadInput.one(str(p), f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput.one(str(p), "is not UTF-8 text") from None
    del data  # the bytes are not needed beside their text (227 MB at the limits)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise BadInput.one(f"{p}, line {exc.lineno} column {exc.colno}",
                           f"not valid JSON ({exc.msg})") from None
    except _DuplicateKeyError as exc:
        raise BadInput.one(str(p), f"the field {q(exc.args[0])} appears twice in one object: "
                                   "each field may be given once") from None
    except RecursionError:
        raise BadInput.one(str(p), "is nested too deeply to be an evaluation") from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise BadInput.one(str(p), f"not valid JSON ({exc})") from None


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKeyError(k)
        out[k] = v
    return out


def load_json(path: str | Path) -> dict[str, Any]:
    """Read and validate an interchange file; BadInput names every problem."""
    return validate(read_json_file(path))


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


_SCALARS = (str, int, float, bool, type(None))


def dump_chunks(doc: dict[str, Any]) -> Iterator[str]:
    """`dumps(doc)`, piece by piece: each record of a top-level list on its own, so
    writing a million scores never holds their whole text (the same text, byte for
    byte: JSON escapes every line break inside a string, so re-indenting a record's
    lines is exact)."""
    enc = json.JSONEncoder(ensure_ascii=False, indent=2)
    # A flat record (scores, consensus, gateway results: the bulk of a file) is written
    # by the C encoder, whose item separator then carries the newline and indent that
    # `indent=2` writes at a record's depth (the Python encoder is ten times slower).
    flat = json.JSONEncoder(ensure_ascii=False, separators=(",\n      ", ": "))

    def record(r: Any) -> str:
        if type(r) is dict and r and all(type(v) in _SCALARS for v in r.values()):
            return "{\n      " + flat.encode(r)[1:-1] + "\n    }"
        return enc.encode(r).replace("\n", "\n    ")

    if not doc:
        yield "{}\n"
        return
    yield "{"
    for n, (key, value) in enumerate(doc.items()):
        yield ("," if n else "") + "\n  " + enc.encode(key) + ": "
        if isinstance(value, list) and value:
            yield "["
            for i, item in enumerate(value):
                yield ("," if i else "") + "\n    " + record(item)
            yield "\n  ]"
        else:
            yield enc.encode(value).replace("\n", "\n  ")
    yield "\n}\n"

