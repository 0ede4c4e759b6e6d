"""The interchange file in and out: whole evaluations as JSON."""

from __future__ import annotations

from pathlib import Path

from .. import atomic, interchange
from ..errors import BadInput
from . import EvaluationFile


def import_json(src: str | Path, dest: str | Path, *, force: bool = False,
                actor: str | None = None) -> EvaluationFile:
    if Path(dest).exists() and Path(dest).resolve() == Path(src).resolve():
        raise BadInput.one(str(dest), "is the file being imported: choose another name")
    raw = interchange.read_json_file(src)
    doc = interchange.validate(raw)
    return EvaluationFile.create(dest, doc, actor=actor, force=force, action="import.json",
                                 detail={"source": Path(src).name, "bids": len(doc["bids"]),
                                         "scores": len(doc["scores"])},
                                 omitted=interchange.omitted_fields(raw))


def export_json(src: str | Path, dest: str | Path, *, force: bool = False) -> None:
    target = Path(dest)
    if target.exists() and target.resolve() == Path(src).resolve():
        raise BadInput.one(str(target), "is the evaluation file itself: choose another name")
    if target.exists() and not force:
        raise BadInput.one(str(target), "already exists (use --force to overwrite)")
    with EvaluationFile.open(src) as ef:
        text = interchange.dumps(interchange.leave_out(ef.document(), ef.omitted_fields()))
    atomic.write_text(target, text, force=force)
