"""Records <-> rows: how an interchange document is laid out in the tables.

The only place that knows both shapes. Reads use plain SQL over the
connection (fast on tens of thousands of scores); writes use bulk inserts.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, col

from . import reading
from .models import (
    Apportionment,
    ApportionmentShare,
    Bid,
    Conflict,
    Consensus,
    CostLine,
    Criterion,
    Evaluation,
    Evaluator,
    Feedback,
    Gateway,
    Partner,
    Score,
)

Record = dict[str, Any]


def next_position(s: Session, table: Any) -> int:
    value = s.scalar(select(func.max(table.position)))
    return 0 if value is None else int(value) + 1


def evaluation_row(ev: Record) -> Record:
    return {
        "title": ev["title"], "reference": ev["reference"], "authority": ev["authority"],
        "currency": ev["currency"], "scale_max": ev["scale"]["max"],
        "scale_step": ev["scale"]["step"],
        "descriptors": json.dumps(ev["scale"]["descriptors"], ensure_ascii=False),
        "years": ev["appraisal"]["years"], "discount_rate": ev["appraisal"]["discount_rate"],
        "cost_basis": ev["appraisal"]["cost_basis"],
        "spread_flag": ev["moderation"]["spread_flag"],
        "procedure": ev.get("procedure", "options_appraisal"),
        "marking": ev.get("marking", "OFFICIAL-SENSITIVE: COMMERCIAL"),
        "abnormally_low": ev.get("abnormally_low", 0.2),
        "award": _json_or_none(ev.get("award")),
        "ocid_prefix": ev.get("ocid_prefix"),
    }


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def criterion_row(c: Record, position: int) -> Record:
    return {
        "id": c["id"], "position": position, "name": c["name"], "kind": c["kind"],
        "weight": c.get("weight"), "parent_id": c.get("parent"),
        "min_score": c.get("min_score"), "guidance": c.get("guidance"),
        "formula": c.get("formula"),
        "descriptors": None if c.get("descriptors") is None
        else json.dumps(c["descriptors"], ensure_ascii=False),
    }


def bid_row(b: Record, position: int) -> Record:
    return {"id": b["id"], "position": position, "supplier": b["supplier"],
            "option_type": b["option_type"], "sme": bool(b["sme"]),
            "term_years": b.get("term_years"), "notes": b["notes"],
            "tender": bool(b.get("tender", False)),
            "supplier_id": _json_or_none(b.get("supplier_id"))}


def partner_row(p: Record, position: int) -> Record:
    return {"id": p["id"], "position": position, "name": p["name"],
            "population": p["population"], "baseline_annual_cost": p["baseline_annual_cost"]}


def insert_costs(s: Session, b: Record) -> None:
    rows = [{"bid_id": b["id"], "position": j, **line} for j, line in enumerate(b["costs"])]
    if rows:
        s.exec(insert(CostLine), params=rows)


def insert_apportionment(s: Session, b: Record) -> None:
    app = b.get("apportionment")
    if not app:
        return
    s.add(Apportionment(bid_id=b["id"], method=app["method"],
                        all_partners="partners" not in app))
    s.flush()
    shares = app.get("shares", {})
    for j, p in enumerate(app.get("partners", [])):
        s.add(ApportionmentShare(bid_id=b["id"], partner_id=p, position=j, share=shares.get(p)))
    if "partners" not in app and shares:
        for j, (p, v) in enumerate(shares.items()):
            s.add(ApportionmentShare(bid_id=b["id"], partner_id=p, position=j, share=v))


def insert_bids(s: Session, bids: list[Record], start: int = 0) -> None:
    if not bids:
        return
    s.exec(insert(Bid), params=[bid_row(b, start + i) for i, b in enumerate(bids)])
    for b in bids:
        insert_costs(s, b)
        insert_apportionment(s, b)


def evaluator_row(e: Record, position: int) -> Record:
    decl = e.get("declaration")
    return {"id": e["id"], "position": position, "name": e["name"], "role": e["role"],
            "declared_on": decl["date"] if decl else None,
            "interests": decl["interests"] if decl else None,
            "submitted_at": e.get("submitted")}


def insert_evaluators(s: Session, evaluators: list[Record], start: int = 0,
                       conflict_dates: dict[tuple[str, str], str] | None = None) -> None:
    if not evaluators:
        return
    s.exec(insert(Evaluator), params=[evaluator_row(e, start + i)
                                      for i, e in enumerate(evaluators)])
    # A declaration's date is evidence: from the document, else as the file had it,
    # else not recorded (never the day of an import).
    dates = conflict_dates or {}
    rows = [{"evaluator_id": e["id"], "bid_id": b, "position": 0,
             "declared_on": e.get("declared", {}).get(b) or dates.get((e["id"], b), ""),
             "nature": e.get("conflict_details", {}).get(b, {}).get("nature", ""),
             "mitigation": e.get("conflict_details", {}).get(b, {}).get("mitigation", "")}
            for e in evaluators for b in e["conflicts"]]
    for i, r in enumerate(rows):
        r["position"] = i
    if rows:
        s.exec(insert(Conflict), params=rows)


def clear_all(s: Session) -> None:
    for table in (Score, Consensus, Gateway, Feedback, Conflict, ApportionmentShare, Apportionment,
                  CostLine, Bid, Evaluator, Partner):
        s.exec(delete(table))
    # children before parents so the self-reference never dangles
    s.exec(update(Criterion).values(parent_id=None))
    s.exec(delete(Criterion))
    s.exec(delete(Evaluation))


def write_document(s: Session, doc: Record,
                    conflict_dates: dict[tuple[str, str], str] | None = None) -> None:
    s.add(Evaluation(id=1, **evaluation_row(doc["evaluation"])))
    if doc["criteria"]:
        rows = [criterion_row(c, i) for i, c in enumerate(doc["criteria"])]
        # parents first is not guaranteed by the file: insert, then link
        parents = {r["id"]: r["parent_id"] for r in rows}
        s.exec(insert(Criterion), params=[dict(r, parent_id=None) for r in rows])
        for cid, p in parents.items():
            if p is not None:
                s.exec(update(Criterion).where(col(Criterion.id) == cid).values(parent_id=p))
    if doc["partners"]:
        s.exec(insert(Partner), params=[partner_row(p, i)
                                        for i, p in enumerate(doc["partners"])])
    insert_bids(s, doc["bids"])
    insert_evaluators(s, doc["evaluators"], conflict_dates=conflict_dates)
    if doc["scores"]:
        s.exec(insert(Score), params=[
            {"evaluator_id": r["evaluator"], "bid_id": r["bid"], "criterion_id": r["criterion"],
             "position": i, "score": r["score"], "comment": r["comment"]}
            for i, r in enumerate(doc["scores"])])
    if doc["consensus"]:
        s.exec(insert(Consensus), params=[
            {"bid_id": r["bid"], "criterion_id": r["criterion"], "position": i,
             "score": r["score"], "rationale": r["rationale"]}
            for i, r in enumerate(doc["consensus"])])
    if doc.get("feedback"):
        s.exec(insert(Feedback), params=[
            {"bid_id": r["bid"], "criterion_id": r["criterion"], "position": i,
             "text": r["text"]} for i, r in enumerate(doc["feedback"])])
    if doc["gateways"]:
        s.exec(insert(Gateway), params=[
            {"bid_id": r["bid"], "criterion_id": r["criterion"], "position": i,
             "passed": r["passed"], "note": r["note"]}
            for i, r in enumerate(doc["gateways"])])


def read_document(s: Session) -> Record:
    """The whole evaluation as an interchange document (plain SQL: fast on many scores)."""
    conn = s.connection()

    def rows(sql: str) -> Any:
        # the driver's own cursor, iterated in C: SQLAlchemy's row objects cost more
        # than reading the rows
        return conn.exec_driver_sql(sql).cursor

    try:
        return reading.read_document(rows)
    except sqlite3.Error as exc:  # met while stepping through the rows: said as SQLAlchemy's
        raise DatabaseError(None, None, exc) from None
