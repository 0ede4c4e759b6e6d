"""In-process recompute: `engine.compute(snapshot)` against a bare numpy floor.

The floor is the least work any engine must do on the same data: one mean per
(bid, criterion) over the evaluators' scores, then a weighted sum over criteria. The
ratio compute/floor says how much the engine's extra rules (consensus, conflicts,
statuses, price, ranks) and its overheads cost on top.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core import Context, Row, median

WARMUPS = 3
RUNS = 50
COMPUTE_TARGET_MS = 50.0
RATIO_TARGET = 3.0


def recompute(ctx: Context) -> list[Row]:
    from procure_desk.engine import Snapshot, compute
    from procure_desk.interchange import load_json

    start = time.perf_counter()
    doc = load_json(ctx.input_json)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    snap = Snapshot.from_doc(doc)
    snapshot_s = time.perf_counter() - start

    compute_ms = _median_ms(lambda: compute(snap))
    floor = Floor.from_doc(ctx.doc)
    floor_ms = _median_ms(floor.run)
    ratio = compute_ms / floor_ms if floor_ms > 0 else float("inf")
    return [
        Row.info("load_json (in-process)", load_s, "s"),
        Row.info("Snapshot.from_doc (in-process)", snapshot_s, "s"),
        Row.limit(f"compute(snapshot) (median of {RUNS})", compute_ms, "ms", COMPUTE_TARGET_MS),
        Row.info(
            f"numpy floor (median of {RUNS})",
            floor_ms,
            "ms",
            note=f"bincount means over {floor.n_scores} scores, matrix @ weights",
        ),
        Row.limit("compute / floor", ratio, "x", RATIO_TARGET),
    ]


def _median_ms(fn: Callable[[], Any]) -> float:
    for _ in range(WARMUPS):
        fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return median(times) / 1e6


@dataclass
class Floor:
    """Flat arrays built once from the interchange dict; run() is the timed part."""

    flat: np.ndarray  # bid index * n_criteria + criterion index, one per score
    scores: np.ndarray
    weights: np.ndarray  # effective weight / scale max, per scored criterion
    n_bids: int
    n_criteria: int

    @property
    def n_scores(self) -> int:
        return int(self.scores.size)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Floor:
        weights = effective_weights(doc["criteria"])
        scored = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
        crit_index = {cid: i for i, cid in enumerate(scored)}
        bid_index = {b["id"]: i for i, b in enumerate(doc["bids"])}
        records = doc["scores"]
        bid_idx = np.fromiter((bid_index[s["bid"]] for s in records), np.int64, len(records))
        crit_idx = np.fromiter(
            (crit_index[s["criterion"]] for s in records), np.int64, len(records)
        )
        scale_max = float(doc["evaluation"].get("scale", {}).get("max", 5))
        return cls(
            flat=bid_idx * len(scored) + crit_idx,
            scores=np.fromiter((s["score"] for s in records), np.float64, len(records)),
            weights=np.array([weights[c] for c in scored], np.float64) / scale_max,
            n_bids=len(bid_index),
            n_criteria=len(scored),
        )

    def run(self) -> np.ndarray:
        size = self.n_bids * self.n_criteria
        sums = np.bincount(self.flat, weights=self.scores, minlength=size)
        counts = np.bincount(self.flat, minlength=size)
        means = np.divide(sums, counts, out=np.zeros(size), where=counts > 0)
        return means.reshape(self.n_bids, self.n_criteria) @ self.weights


def effective_weights(criteria: list[dict[str, Any]]) -> dict[str, float]:
    """100 x the product of sibling shares along each node's path (docs/scoring.md)."""
    siblings: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for c in criteria:
        if c["kind"] != "pass_fail":
            siblings[c.get("parent")].append(c)
    result: dict[str, float] = {}

    def walk(parent: str | None, factor: float) -> None:
        nodes = siblings.get(parent, [])
        total = sum(float(c.get("weight", 0)) for c in nodes)
        for c in nodes:
            share = float(c.get("weight", 0)) / total if total else 0.0
            result[c["id"]] = factor * share
            if c["kind"] == "section":
                walk(c["id"], factor * share)

    walk(None, 100.0)
    return result
