"""The demo: the sample tender built into an evaluation file with its evidence.

The sample tender (sample_bids/harrowmere.json) is a competitive tender part way
through, as the desktop application's demo shows it: four divergent scores wait for
moderation and no evaluator has signed off. `procure-desk demo DIR` then does what the
panel would do before award, each step audited as "demo": it records the four agreed
scores with their rationales (each the evaluators' mean, so no figure moves) and
submits every evaluator's scores. The results are then final, so the evidence it
exports (assessment summaries included) is issued, not marked DRAFT.
"""

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
    "procure_desk.demo:finish_step",
    "procure_desk.workbooks.demo_step:workbooks_step",
    "procure_desk.cli_exports:demo_step",
]


# The moderation meeting's agreed scores for the sample's divergent scores.
AGREED = {
    ("B1", "D2"): (4, "Agreed 4: the ready-made missed bins and council tax processes and the "
                      "reference council's five months to go live outweigh the month-7 start "
                      "of the plan."),
    ("B3", "D2"): (3, "Agreed 3: high-volume services are live at month 3, but six months "
                      "across two systems and uncosted council time to rebuild forms hold it "
                      "at Satisfactory."),
    ("B6", "F4"): (3, "Agreed 3: documented APIs and GOV.UK Notify and Pay, but a proprietary "
                      "low-code designer and every connector ours to maintain."),
    ("B8", "D2"): (2, "Agreed 2: no disruption to advisers, but no new capability and no new "
                      "savings."),
}


def finish_step(folder: Path, pdesk: Path, force: bool) -> Iterator[str]:
    """Moderation finished and every evaluator signed off, as before an award."""
    from .services import EvaluationFile

    with EvaluationFile.open(pdesk) as ef:
        open_flags = {(f["bid"], f["criterion"]) for f in ef.results().flags()}
        for (bid, cid), (score, why) in AGREED.items():
            if (bid, cid) in open_flags:
                ef.set_consensus("demo", bid, cid, score, why)
        waiting = [e for e in ef.document()["evaluators"] if not e.get("submitted")]
        for e in waiting:
            ef.submit("demo", e["id"])
        left = ef.results().outstanding()
    yield (f"Moderated {len(open_flags & AGREED.keys())} divergent scores and submitted "
           f"{len(waiting)} evaluators' scores: the results are "
           + ("final" if not left else "still provisional"))


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
