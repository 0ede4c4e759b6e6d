"""Rows -> document: how the tables read back as an interchange document.

Written once for every connection: `rows.read_document` runs it over the
SQLAlchemy session the services hold, `raw.read_document` over a plain sqlite3
connection (the read-only commands, which need no ORM). Each function takes
`rows(sql) -> list of tuples`. Ids read back are shared string objects (one per
distinct id), so a million scores do not hold three million copies of the ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .. import interchange
from ..errors import BadInput
from ..interchange import plain

Record = dict[str, Any]


def read_document(rows: Rows, *, with_scores: bool = True) -> Record:
    """The whole evaluation as an interchange document; without its scores (an empty
    list, for a caller that reads them another way) when `with_scores` is False."""
    return {"format": interchange.FORMAT, "version": interchange.VERSION,
            "evaluation": _read_evaluation(rows), "criteria": _read_criteria(rows),
            "bids": _read_bids(rows), "evaluators": _read_evaluators(rows),
            **_read_records(rows, with_scores)}


Rows = Callable[[str], Iterable[Any]]  # (sql) -> the rows, each a tuple

#: An audit event's fields as the chain is checked over them (`chain.check`).
CHAIN_KEYS = ("id", "at", "actor", "action", "entity", "entity_id", "before", "after",
              "prev_hash", "data_digest", "hash")


def read_chain(rows: Rows) -> list[Record]:
    """Every audit event in stored order, with its chain fields."""
    return [dict(zip(CHAIN_KEYS, r)) for r in rows(
        f"SELECT {', '.join(CHAIN_KEYS)} FROM auditevent ORDER BY id")]


def _read_evaluation(rows: Rows) -> Record:
    ev_rows = list(rows("SELECT title, reference, authority, currency, scale_max, scale_step, "
                   "descriptors, years, discount_rate, cost_basis, spread_flag, procedure, "
                   "marking, abnormally_low, award, ocid_prefix FROM evaluation"))
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


class _Plain(dict[Any, Any]):
    """`plain` of each distinct value, worked out once (a file holds few distinct
    scores). Equal keys (5, 5.0, True) have equal `plain` values, so sharing is exact."""

    def __missing__(self, value: Any) -> Any:
        self[value] = got = plain(value)
        return got


def _read_records(rows: Rows, with_scores: bool) -> Record:
    one: Any = {}.setdefault  # one string object per distinct id
    scores: list[Record] = []
    if with_scores:
        number = _Plain().__getitem__
        scores = [{"evaluator": one(e, e), "bid": one(b, b), "criterion": one(c, c),
                   "score": number(v), "comment": m}
                  for e, b, c, v, m in rows("SELECT evaluator_id, bid_id, criterion_id, "
                                            "score, comment FROM score ORDER BY position")]
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
