"""The sample tender (Harrowmere, a competitive tender) as the demo finishes it: the
divergent scores moderated and every evaluator submitted, so its assessment summaries
can be issued (procure_desk/demo.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

from procure_desk import demo
from procure_desk.paths import SAMPLE_TENDER

SUBMITTED_AT = "2026-09-30T16:00:00Z"


def harrowmere() -> dict[str, Any]:
    return json.loads(SAMPLE_TENDER.read_text(encoding="utf-8"))


def finished(doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sample with the demo's agreed scores and every evaluator submitted."""
    out = copy.deepcopy(doc or harrowmere())
    have = {(c["bid"], c["criterion"]) for c in out["consensus"]}
    for (bid, cid), (score, why) in demo.AGREED.items():
        if (bid, cid) not in have:
            out["consensus"].append({"bid": bid, "criterion": cid, "score": score,
                                     "rationale": why})
    for e in out["evaluators"]:
        e["submitted"] = SUBMITTED_AT
    return out


def feedback(doc: dict[str, Any], bid: str, cid: str) -> str:
    return next(f["text"] for f in doc["feedback"]
                if (f["bid"], f["criterion"]) == (bid, cid))


def set_feedback(doc: dict[str, Any], bid: str, cid: str, text: str) -> None:
    for f in doc["feedback"]:
        if (f["bid"], f["criterion"]) == (bid, cid):
            f["text"] = text
            return
    doc["feedback"].append({"bid": bid, "criterion": cid, "text": text})


def ready_to_issue(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` as a competitive tender with what its summaries need besides final results:
    feedback for every tender on every scored criterion, award details and an ocid
    prefix (no figure changes)."""
    out = copy.deepcopy(doc)
    ev = out["evaluation"]
    ev["procedure"] = "competitive_tender"
    ev["award"] = {"notice_date": "2026-02-02", "standstill_days": 8,
                   "contact": "procurement@example.gov.uk"}
    ev["ocid_prefix"] = "ocds-ex4mpl"
    scored = [c["id"] for c in out["criteria"] if c["kind"] == "scored"]
    have = {(f["bid"], f["criterion"]) for f in out.get("feedback", [])}
    out["feedback"] = list(out.get("feedback", [])) + [
        {"bid": b["id"], "criterion": cid, "text": f"Reasons for tender {b['id']} on {cid}."}
        for b in out["bids"] for cid in scored if (b["id"], cid) not in have]
    return out
