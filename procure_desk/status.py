"""`procure-desk status`: where an evaluation stands, in one place for the command
line and the app's Overview (docs/governance.md)."""

from __future__ import annotations

from typing import Any

from .provisional import CHECKS

Record = dict[str, Any]

CHECK_WORDS = {
    "scores_missing": "Every evaluator has scored every bid they may score",
    "not_submitted": "Every evaluator has submitted (signed off) their scores",
    "declaration_missing": "Every evaluator has a dated declaration of interests",
    "flags_open": "Every divergent score has a consensus score",
    "gateways_open": "Every gateway result is recorded",
}


def stage(doc: Record, outstanding: list[Record], sealed: Record | None) -> str:
    if sealed:
        return "sealed"
    if not doc["bids"] or not any(c["kind"] == "scored" for c in doc["criteria"]):
        return "setting up"
    gaps = {r["check"] for r in outstanding}
    if not doc["scores"] and not doc["consensus"]:
        return "ready to score"
    if gaps & {"scores_missing", "not_submitted"}:
        return "scoring"
    if gaps:
        return "moderation"
    return "ready to award"


def status_of(ef: Any) -> Record:
    """The stage, the checklist, who has submitted, the chain's head and the seal."""
    verdict = ef.verify()  # reads the data afresh: the reads below use that one read
    doc = ef.document()
    results = ef.results()
    outstanding = results.outstanding()
    sealed = ef.sealed()
    by_check = {r["check"]: r["detail"] for r in outstanding}
    has_work = bool(doc["bids"]) and bool(doc["evaluators"])
    return {
        "title": doc["evaluation"]["title"],
        "stage": stage(doc, outstanding, sealed),
        "provisional": bool(outstanding),
        "checklist": [{"check": c, "done": has_work and c not in by_check,
                       "detail": by_check.get(c, "")} for c in CHECKS],
        "leader": results.winner,
        "submitted": [{"evaluator": e["id"], "name": e["name"],
                       "submitted": e.get("submitted")} for e in doc["evaluators"]],
        "head": verdict.head, "events": verdict.events,
        "intact": verdict.intact, "problems": verdict.problems,
        "sealed": sealed,
    }


def status_text(data: Record) -> str:
    lines = [data["title"], f"Stage: {data['stage']}"]
    if data["leader"]:
        word = "Provisional leader" if data["provisional"] else "Preferred bidder"
        lines.append(f"{word}: {data['leader']}")
    for item in data["checklist"]:
        mark = "done" if item["done"] else "OUTSTANDING"
        lines.append(f"  [{mark:>11}] {CHECK_WORDS[item['check']]}"
                     + (f": {item['detail']}" if item["detail"] else ""))
    for s in data["submitted"]:
        when = s["submitted"] or "not yet"
        lines.append(f"  {s['name']} ({s['evaluator']}) submitted: {when}")
    state = "intact" if data["intact"] else "NOT INTACT: " + "; ".join(
        f"{p['where']}: {p['message']}" for p in data["problems"])
    lines.append(f"Audit chain: {data['events']} events, head {data['head']}, {state}")
    if data["sealed"]:
        lines.append(f"Sealed by {data['sealed']['by']} at {data['sealed']['at']}")
    return "\n".join(lines) + "\n"
