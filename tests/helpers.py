"""Small builders for hand-made evaluation documents used by the core tests.

Each test states only what matters to it; everything else takes a neutral
value (scale 0..5 step 1, one-year horizon-free costs, no discounting).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from procure_desk import interchange
from procure_desk.engine import Results, Snapshot, compute

DATA = Path(__file__).resolve().parent / "data"


def doc(criteria: list[dict[str, Any]], bids: list[dict[str, Any]], *,
        evaluators: list[dict[str, Any]] | None = None,
        scores: list[dict[str, Any]] | None = None,
        consensus: list[dict[str, Any]] | None = None,
        gateways: list[dict[str, Any]] | None = None,
        partners: list[dict[str, Any]] | None = None,
        years: int = 5, rate: float = 0.0, basis: str = "wlc",
        spread_flag: float = 2, scale_max: float = 5, step: float = 1) -> dict[str, Any]:
    """An interchange document (not yet validated)."""
    return {
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Test evaluation",
                       "scale": {"max": scale_max, "step": step},
                       "appraisal": {"years": years, "discount_rate": rate,
                                     "cost_basis": basis},
                       "moderation": {"spread_flag": spread_flag}},
        "criteria": criteria, "bids": bids,
        "evaluators": evaluators if evaluators is not None else [{"id": "E1", "name": "Ann"}],
        "scores": scores or [], "consensus": consensus or [], "gateways": gateways or [],
        "partners": partners or [],
    }


def crit(cid: str, kind: str = "scored", weight: float | None = 1, parent: str | None = None,
         **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": cid, "name": f"Criterion {cid}", "kind": kind,
                           "parent": parent}
    if kind != "pass_fail":
        rec["weight"] = weight
    rec.update(extra)
    return rec


def bid(bid_id: str, cost: float = 100.0, *, costs: list[dict[str, Any]] | None = None,
        option_type: str = "best_of_breed", **extra: Any) -> dict[str, Any]:
    """A bid whose whole cost is `cost` in year 0, unless `costs` lines are given."""
    lines = costs if costs is not None else [
        {"item": "Everything", "category": "other", "amount": cost, "start_year": 0,
         "years": 1}]
    return {"id": bid_id, "supplier": f"Supplier {bid_id}", "option_type": option_type,
            "costs": lines, **extra}


def score(bid_id: str, cid: str, value: float, evaluator: str = "E1") -> dict[str, Any]:
    return {"evaluator": evaluator, "bid": bid_id, "criterion": cid, "score": value}


def results(d: dict[str, Any], **kw: Any) -> Results:
    """Validate then compute: the engine as the file and the CLI use it."""
    return compute(Snapshot.from_doc(interchange.validate(copy.deepcopy(d))), **kw)


def results_json(d: dict[str, Any]) -> dict[str, Any]:
    out = results(d).to_json()
    json.dumps(out, allow_nan=False)  # plain JSON numbers: no NaN may leak out
    return out


def by_id(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in res["bids"]}


def example() -> dict[str, Any]:
    return json.loads((DATA / "example.json").read_text())
