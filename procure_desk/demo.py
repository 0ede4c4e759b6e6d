"""The demo: the sample tender built into an evaluation file with its evidence."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

from . import atomic
from .paths import SAMPLE_TENDER

Step = Callable[[Path, Path, bool], Iterator[str]]

# What the demo does after building the file, in order: each step takes (folder,
# evaluation file, force) and yields lines to report. Named as "module:function"
# so that the heavy libraries behind them load only when the demo runs.
DEMO_STEPS: list[str | Step] = [
    "procure_desk.workbooks.demo_step:workbooks_step",
    "procure_desk.cli_exports:demo_step",
]


def _resolve(step: str | Step) -> Step:
    if callable(step):
        return step
    module, _, name = step.partition(":")
    fn: Step = getattr(importlib.import_module(module), name)
    return fn


def build_demo(folder: Path, *, force: bool = False, actor: str | None = None
               ) -> Iterator[str]:
    from .services import import_json

    atomic.make_folder(folder)  # or a plain refusal: a file of that name, a read-only disk
    atomic.sweep(folder)  # what an earlier demo left when it was killed
    target = folder / "demo.pdesk"
    with import_json(SAMPLE_TENDER, target, force=force, actor=actor or "demo") as ef:
        doc = ef.document()
    yield f"Built {target}: {len(doc['bids'])} bids, {len(doc['scores'])} scores"
    for step in DEMO_STEPS:
        yield from _resolve(step)(folder, target, force)
