"""Evaluations whose results are final: every evaluator who scored has declared their
interests and signed off, and nobody is left with scores to give. The exports word a
final decision ("winner", "robust", "successful") only for these (docs/evidence.md)."""

from __future__ import annotations

import copy
from typing import Any

DECLARED_ON = "2026-01-05"
SUBMITTED_AT = "2026-01-20T09:30:00Z"


def final(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with the evaluators who gave no score left out and the others declared
    (nil return) and submitted; its scores, consensus and gateways are unchanged."""
    out = copy.deepcopy(doc)
    scored = {s["evaluator"] for s in out["scores"]}
    out["evaluators"] = [e for e in out["evaluators"] if e["id"] in scored]
    for e in out["evaluators"]:
        e.setdefault("declaration", {"date": DECLARED_ON, "interests": ""})
        e["submitted"] = SUBMITTED_AT
    return out


def final_example(example_doc: dict[str, Any]) -> dict[str, Any]:
    """tests/data/example.json made final without changing a figure: B. Jones's missing
    score on B1 Q2 given as the consensus already recorded there (4), the flagged B1 Q1
    (3 and 5) agreed at its mean (4), and everyone declared and submitted."""
    doc = copy.deepcopy(example_doc)
    doc["scores"].append({"evaluator": "E2", "bid": "B1", "criterion": "Q2", "score": 4,
                          "comment": "as agreed"})
    doc["consensus"].append({"bid": "B1", "criterion": "Q1", "score": 4,
                             "rationale": "agreed at moderation"})
    return final(doc)
