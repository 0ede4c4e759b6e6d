"""The interchange file in and out: whole evaluations as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import atomic, interchange
from ..errors import BadInput
from ..store import raw
from . import EvaluationFile
from .file import OMITTED_KEY


def import_file(src: str | Path, dest: str | Path, *, force: bool = False,
                actor: str | None = None) -> dict[str, Any]:
    """Build `dest` from the interchange file `src` in one pass; returns what it holds
    (counts of bids, criteria and scores) without reading the new file back.

    The file is read, checked once (`interchange.validate`, taking the parsed
    records over rather than copying them) and written in one transaction
    (`store.bulk`); the parsed text is let go as soon as it is checked.
    """
    doc, omitted = _read_checked(src, dest)
    counts = {"bids": len(doc["bids"]), "criteria": len(doc["criteria"]),
              "scores": len(doc["scores"])}
    EvaluationFile.write_new(dest, doc, actor=actor, force=force, action="import.json",
                             detail=_detail(src, doc), omitted=omitted, checked=True)
    return counts


def import_json(src: str | Path, dest: str | Path, *, force: bool = False,
                actor: str | None = None) -> EvaluationFile:
    """As `import_file`, and the new file opened."""
    doc, omitted = _read_checked(src, dest)
    return _create(src, dest, doc, omitted, force=force, actor=actor)


def _read_checked(src: str | Path, dest: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The source checked once (its parsed records taken over, not copied), and which
    optional fields it left out; the parsed text is let go at once."""
    if Path(dest).exists() and Path(dest).resolve() == Path(src).resolve():
        raise BadInput.one(str(dest), "is the file being imported: choose another name")
    raw = interchange.read_json_file(src)
    doc = interchange.validate(raw, consume=True)
    return doc, interchange.omitted_fields(raw)


def _create(src: str | Path, dest: str | Path, doc: dict[str, Any], omitted: dict[str, Any],
            *, force: bool, actor: str | None) -> EvaluationFile:
    return EvaluationFile.create(dest, doc, actor=actor, force=force, action="import.json",
                                 detail=_detail(src, doc), omitted=omitted, checked=True)


def _detail(src: str | Path, doc: dict[str, Any]) -> dict[str, Any]:
    return {"source": Path(src).name, "bids": len(doc["bids"]), "scores": len(doc["scores"])}


def export_json(src: str | Path, dest: str | Path, *, force: bool = False) -> None:
    """The evaluation as interchange JSON, written as it is made (a record at a time)
    and read through the store's sqlite3 reader: exporting changes nothing."""
    target = Path(dest)
    if target.exists() and target.resolve() == Path(src).resolve():
        raise BadInput.one(str(target), "is the evaluation file itself: choose another name")
    if target.exists() and not force:
        raise BadInput.one(str(target), "already exists (use --force to overwrite)")
    doc, omitted = raw.read_with_meta(src, OMITTED_KEY)
    out = interchange.leave_out(doc, json.loads(omitted) if omitted else {})
    with atomic.writing(target, force=force) as tmp, \
            open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(interchange.dump_chunks(out))
