"""The assessment summaries written by several processes, each holding only what the
letters read.

A forked process starts with everything its parent holds (at the input limits the
evaluation as read is some 600 MB, counted again in each process's resident memory,
and soon copied page by page). Here each worker is a fresh process (`spawn`) given a
slim copy of the evaluation once (`slim`: the criteria, the bids without their cost
lines, the gateway results, and of the results only the arrays a letter prints), and
with each letter that letter's own feedback; the successful tender's feedback, which
every unsuccessful bidder's summary prints, goes once to each worker.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import sys
from pathlib import Path
from typing import Any

import numpy as np

from . import Report, Source
from .summary_plan import Letter, Plan

#: The letters a worker is handed at a time.
CHUNK = 2

_LAYOUT: Any = None  # the worker's Layout, made once by `_start`


def can_spawn() -> bool:
    """Whether worker processes can be started: not from a frozen executable (it would
    start the whole application again)."""
    return not getattr(sys, "frozen", False)


def slim(src: Source, plan: Plan) -> tuple[Source, Plan]:
    """A copy of `src` and `plan` holding only what a letter reads: no scores, cost
    lines, audit log or consensus, no per-score arrays, and of the feedback only the
    successful tender's (each letter brings its own)."""
    res = src.results
    snap = res.snap
    none_i = np.zeros(0, dtype=np.int64)
    bids = [{k: v for k, v in b.items() if k != "costs"} for b in snap.bids]
    lean_snap = dataclasses.replace(
        snap, bids=bids, evaluators=[], s_eval=none_i, s_bid=none_i, s_crit=none_i,
        s_val=np.zeros(0), conflict=np.zeros((0, len(bids)), dtype=bool),
        consensus=np.zeros((0, 0)), costs=np.zeros((len(bids), 0)), pairs=None)
    none_f = np.zeros(0)
    scores = dataclasses.replace(res.scores, mean=none_f, count=none_f, spread=none_f,
                                 flagged=np.zeros(0, dtype=bool))
    lean_res = dataclasses.replace(res, snap=lean_snap, scores=scores,
                                   reasons=[[] for _ in bids])
    doc = {"evaluation": src.doc["evaluation"], "criteria": src.doc["criteria"],
           "bids": bids, "gateways": src.doc.get("gateways", []), "scores": [],
           "consensus": [], "feedback": []}
    lean_src = dataclasses.replace(src, doc=doc, results=lean_res, audit=[],
                                   conflict_dates={}, **_private_defaults(src))
    winner = {k: v for k, v in plan.feedback.items() if k[0] == plan.winner}
    lean_plan = dataclasses.replace(plan, letters=[], feedback=winner)
    return lean_src, lean_plan


def _private_defaults(src: Source) -> dict[str, Any]:
    """The Source's private fields (an open file, indexes) as a fresh one has them."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(src):
        if f.name.startswith("_"):
            out[f.name] = (f.default_factory() if f.default_factory is not dataclasses.MISSING
                           else f.default)
    return out


def own_feedback(plan: Plan, letter: Letter) -> dict[tuple[str, str], str]:
    """The feedback written for this letter's tender."""
    return {(o, c): t for o, c, t in letter.texts if o == letter.bid}


def write_parallel(src: Source, plan: Plan, draft: bool, letters: list[Letter],
                   parts: list[Path], report: Report, workers: int) -> None:
    """The letters written by `workers` fresh processes; a cancel (`report` raising)
    stops them all (the pool is terminated) before the caller removes the parts."""
    lean_src, lean_plan = slim(src, plan)
    tasks = [(dataclasses.replace(x, texts=[]), own_feedback(plan, x), str(parts[k]))
             for k, x in enumerate(letters)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_start, initargs=(lean_src, lean_plan, draft)) as pool:
        done = pool.imap_unordered(_write, tasks, chunksize=CHUNK)
        for n, bid in enumerate(done, start=1):
            report(n / (len(letters) + 1), f"Wrote the summary for {bid}")


def _start(src: Source, plan: Plan, draft: bool) -> None:
    global _LAYOUT
    from .pdf_base import Kit
    from .summary_pdf import Layout

    _LAYOUT = Layout(src, plan, Kit(), draft=draft)
    _LAYOUT.winner()


def _write(task: tuple[Letter, dict[tuple[str, str], str], str]) -> str:
    from .summaries import write_letter

    letter, feedback, target = task
    lay = _LAYOUT
    shared = lay.plan.feedback
    lay.plan.feedback = {**shared, **feedback}
    try:
        write_letter(lay, letter, Path(target))
    finally:
        lay.plan.feedback = shared
    return letter.bid
