"""Records <-> rows: how an interchange document is laid out in the tables.

The only place that knows both shapes. Reads use plain SQL over the
connection (fast on tens of thousands of scores); writes use bulk inserts.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, col

from .. import interchange
from ..errors import BadInput
from ..interchange import plain
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

    def rows(sql: str) -> list[Any]:
        return list(conn.exec_driver_sql(sql).fetchall())

    return {"format": interchange.FORMAT, "version": interchange.VERSION,
            "evaluation": _read_evaluation(rows), "criteria": _read_criteria(rows),
            "bids": _read_bids(rows), "evaluators": _read_evaluators(rows),
            **_read_records(rows)}


Rows = Any  # (sql) -> list of rows


def _read_evaluation(rows: Rows) -> Record:
    ev_rows = rows("SELECT title, reference, authority, currency, scale_max, scale_step, "
                   "descriptors, years, discount_rate, cost_basis, spread_flag, procedure, "
                   "marking, abnormally_low, award, ocid_prefix FROM evaluation")
    if not ev_rows:
        raise BadInput.one("evaluation", "the file holds no evaluation")
    (title, reference, authority, currency, smax, step, descriptors, years, rate, basis,
     spread, procedure, marking, low, award, ocid_prefix) = ev_rows[0]
    evaluation = {
        "title": title, "reference": reference, "authority": authority, "currency": currency,
        "scale": {"max": plain(smax), "step": plain(step), "descriptors": json.loads(descriptors)},
        "appraisal": {"years": int(years), "discount_rate": plain(rate), "cost_basis": basis},
        "moderation": {"spread_flag": plain(spread)},
        "procedure": procedure, "marking": marking, "abnormally_low": plain(low),
    }
    if award is not None:
        evaluation["award"] = json.loads(award)
    if ocid_prefix is not None:
        evaluation["ocid_prefix"] = ocid_prefix
    return evaluation


def _read_criteria(rows: Rows) -> list[Record]:
    criteria = []
    for (cid, name, kind, weight, parent, min_score, guidance, formula,
         desc) in rows("SELECT id, name, kind, weight, parent_id, min_score, guidance, formula,"
                       " descriptors FROM criterion ORDER BY position"):
        c: Record = {"id": cid, "name": name, "kind": kind, "parent": parent}
        if kind != "pass_fail":
            c["weight"] = plain(weight)
        if min_score is not None:
            c["min_score"] = plain(min_score)
        if formula is not None:
            c["formula"] = formula
        if desc is not None:
            c["descriptors"] = json.loads(desc)
        if guidance is not None:
            c["guidance"] = guidance
        criteria.append(c)
    return criteria


def _read_bids(rows: Rows) -> list[Record]:
    costs: dict[str, list[Record]] = {}
    for bid, item, cat, amount, start, years_ in rows(
            "SELECT bid_id, item, category, amount, start_year, years FROM costline "
            "ORDER BY bid_id, position"):
        costs.setdefault(bid, []).append({"item": item, "category": cat,
                                          "amount": plain(amount), "start_year": start,
                                          "years": years_})
    apps: dict[str, Record] = {}
    for bid, method, all_p in rows("SELECT bid_id, method, all_partners FROM apportionment"):
        apps[bid] = {"method": method, "_all": bool(all_p), "partners": [], "shares": {}}
    for bid, pid, share in rows("SELECT bid_id, partner_id, share FROM apportionmentshare "
                                "ORDER BY bid_id, position"):
        apps[bid]["partners"].append(pid)
        if share is not None:
            apps[bid]["shares"][pid] = plain(share)
    bids = []
    for bid, supplier, otype, sme, term, notes, tender, sid in rows(
            "SELECT id, supplier, option_type, sme, term_years, notes, tender, supplier_id "
            "FROM bid ORDER BY position"):
        b: Record = {"id": bid, "supplier": supplier, "option_type": otype, "sme": bool(sme)}
        if term is not None:
            b["term_years"] = term
        b["notes"] = notes
        b["costs"] = costs.get(bid, [])
        b["tender"] = bool(tender)
        if sid is not None:
            b["supplier_id"] = json.loads(sid)
        if bid in apps:
            a = apps[bid]
            app: Record = {"method": a["method"]}
            if not a["_all"]:
                app["partners"] = a["partners"]
            if a["method"] == "custom":
                app["shares"] = a["shares"]
            b["apportionment"] = app
        bids.append(b)
    return bids


def _read_evaluators(rows: Rows) -> list[Record]:
    conflicts: dict[str, list[str]] = {}
    for eid, bid in rows("SELECT evaluator_id, bid_id FROM conflict ORDER BY position"):
        conflicts.setdefault(eid, []).append(bid)
    declared: dict[str, dict[str, str]] = {}
    details: dict[str, dict[str, Record]] = {}
    for eid, bid, when, nature, mitigation in rows(
            "SELECT evaluator_id, bid_id, declared_on, nature, mitigation FROM conflict "
            "ORDER BY position"):
        if when:
            declared.setdefault(eid, {})[bid] = when
        if nature or mitigation:
            details.setdefault(eid, {})[bid] = {"nature": nature, "mitigation": mitigation}
    evaluators = []
    for eid, name, role, decl_on, interests, submitted in rows(
            "SELECT id, name, role, declared_on, interests, submitted_at FROM evaluator "
            "ORDER BY position"):
        ev: Record = {"id": eid, "name": name, "role": role, "conflicts": conflicts.get(eid, [])}
        if eid in declared:
            ev["declared"] = {b: declared[eid][b] for b in ev["conflicts"] if b in declared[eid]}
        if eid in details:
            ev["conflict_details"] = {b: details[eid][b] for b in ev["conflicts"]
                                      if b in details[eid]}
        if decl_on is not None:
            ev["declaration"] = {"date": decl_on, "interests": interests or ""}
        if submitted is not None:
            ev["submitted"] = submitted
        evaluators.append(ev)
    return evaluators


def _read_records(rows: Rows) -> Record:
    scores = [{"evaluator": e, "bid": b, "criterion": c, "score": plain(v), "comment": m}
              for e, b, c, v, m in rows("SELECT evaluator_id, bid_id, criterion_id, score, "
                                        "comment FROM score ORDER BY position")]
    consensus = [{"bid": b, "criterion": c, "score": plain(v), "rationale": r}
                 for b, c, v, r in rows("SELECT bid_id, criterion_id, score, rationale "
                                        "FROM consensus ORDER BY position")]
    gateways = [{"bid": b, "criterion": c, "passed": bool(p), "note": n}
                for b, c, p, n in rows("SELECT bid_id, criterion_id, passed, note FROM gateway "
                                       "ORDER BY position")]
    partners = [{"id": pid, "name": name, "population": int(pop),
                 "baseline_annual_cost": plain(cost)}
                for pid, name, pop, cost in rows("SELECT id, name, population, "
                                                 "baseline_annual_cost FROM partner "
                                                 "ORDER BY position")]
    feedback = [{"bid": b, "criterion": c, "text": t}
                for b, c, t in rows("SELECT bid_id, criterion_id, text FROM feedback "
                                    "ORDER BY position")]
    return {"scores": scores, "consensus": consensus, "gateways": gateways,
            "partners": partners, "feedback": feedback}
