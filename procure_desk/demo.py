"""The demo: the sample tender built into an evaluation file with its evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import BadInput
from .paths import SAMPLE_TENDER

# Later steps (bid workbooks, evidence exports) add themselves here: each takes
# (folder, evaluation file path, force) and yields lines to report.
DEMO_STEPS: list[Callable[[Path, Path, bool], Iterator[str]]] = []


def build_demo(folder: Path, *, force: bool = False, actor: str | None = None
               ) -> Iterator[str]:
    from .services import import_json

    if folder.exists() and not folder.is_dir():
        raise BadInput.one(str(folder), "is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "demo.pdesk"
    with import_json(SAMPLE_TENDER, target, force=force, actor=actor or "demo") as ef:
        doc = ef.document()
    yield f"Built {target}: {len(doc['bids'])} bids, {len(doc['scores'])} scores"
    from . import cli_exports  # noqa: F401  (adds the evidence step, after the others)
    from .workbooks import demo_step  # noqa: F401  (bid template, sample bids, scoring sheets)
    for step in DEMO_STEPS:
        yield from step(folder, target, force)
