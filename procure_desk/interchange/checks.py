"""`validate`: every record of an interchange document checked by the rules.

It either returns the document normalised (defaults made explicit, records in
input order) or raises `BadInput` with one problem per cause, each naming the
record and the field. The rules are those of docs/bad-input.md; the fields
those of docs/format.md.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BadInput, Problem
from ..wording import plural
from .checker import Checker
from .limits import (
    MAX_AMOUNT,
    MAX_BIDS,
    MAX_COST_LINES,
    MAX_COST_LINES_PER_BID,
    MAX_CRITERIA,
    MAX_DESCRIPTOR,
    MAX_EVALUATORS,
    MAX_LINE_YEARS,
    MAX_PARTNERS,
    MAX_POPULATION,
    MAX_REFERENCE,
    MAX_SCALE,
    MAX_SCORES,
    MAX_TEXT,
    MAX_WEIGHT,
    MAX_YEARS,
)
from .text import FIELD_NAME, hidden_problem, refused_strings
from .tree import check_parents, section_weight_problems
from .values import is_number, on_step, plain, q, score_problem
from .vocabulary import (
    APPORTIONMENT_METHODS,
    CATEGORIES,
    COST_BASES,
    DEFAULT_DESCRIPTORS,
    FORMAT,
    FORMULAS,
    KINDS,
    OPTION_TYPES,
    PROCEDURES,
    VERSION,
    default_tender,
)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")
DEFAULT_MARKING = "OFFICIAL-SENSITIVE: COMMERCIAL"
DEFAULT_ABNORMALLY_LOW = 0.2
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Record = dict[str, Any]


def validate(doc: Any, *, strict: bool = True, consume: bool = False) -> dict[str, Any]:
    """Check a whole interchange document; return it normalised or raise BadInput.

    `strict=False` lets a section weigh nothing for now (an editor adding a
    section before its first criterion); `section_weight_problems` warns of it.
    `consume=True`: the caller gives `doc` up (an import, once its file is read), so
    score records already in their normal form are taken into the result as they
    are, their ids made the very strings of the records they name: at the limits
    that is a million records not copied and three million id strings not kept.
    """
    c = Checker()
    if not isinstance(doc, dict):
        raise BadInput.one("", "the file must hold one JSON object")
    if doc.get("format") != FORMAT:
        c.add("format", f"{q(doc.get('format'))} is not a known format (expected {q(FORMAT)})")
    if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
        c.add("version", f"{q(doc.get('version'))} is not a supported version (expected 1)")
    if c.problems:
        raise BadInput(c.problems)
    too_many = size_problems(doc)
    if too_many:  # refused on size alone: checking every record would say nothing more
        raise BadInput(too_many)
    damaged = refused_strings(doc)
    c.problems += damaged
    # further messages on those values would only repeat them (a damaged field
    # name is kept out of every message by Checker.add)
    c.reported.update(p.where for p in damaged if not p.message.startswith(FIELD_NAME))
    c.keys(doc, "", {"format", "version", "evaluation", "criteria", "bids", "evaluators",
                     "scores", "consensus", "gateways", "partners", "feedback"})

    evaluation = _evaluation(c, doc)
    smax = evaluation["scale"]["max"]
    step = evaluation["scale"]["step"]
    criteria = _criteria(c, doc, smax, step, strict)
    crits = {r["id"]: r for r in criteria if r["id"] is not None}
    partners = _partners(c, doc)
    bids = _bids(c, doc, {p["id"]: p for p in partners if p["id"] is not None})
    bid_ids = {b["id"]: b for b in bids if b["id"] is not None}
    evaluators, conflicted = _evaluators(c, doc, bid_ids)
    ev_ids = {e["id"]: e for e in evaluators if e["id"] is not None}
    scores = _scores(c, doc, ev_ids, bid_ids, crits, conflicted, smax, step, consume)
    consensus = _consensus(c, doc, bid_ids, crits, smax, step)
    gateways = _gateways(c, doc, bid_ids, crits)
    feedback = _feedback(c, doc, bid_ids, crits)

    if c.problems:
        raise BadInput(c.problems)
    for r in criteria:
        del r["_where"]
    for b in bids:
        if b["term_years"] is None:
            del b["term_years"]
    return {
        "format": FORMAT, "version": VERSION, "evaluation": evaluation,
        "criteria": criteria, "bids": bids, "evaluators": evaluators, "scores": scores,
        "consensus": consensus, "gateways": gateways, "partners": partners,
        "feedback": feedback,
    }


_COUNTED = (  # list, its limit, one record, many records
    ("criteria", MAX_CRITERIA, "criterion", "criteria"),
    ("bids", MAX_BIDS, "bid", "bids"),
    ("evaluators", MAX_EVALUATORS, "evaluator", "evaluators"),
    ("partners", MAX_PARTNERS, "partner", "partners"),
    ("scores", MAX_SCORES, "score", "scores"),
)


def size_problems(doc: dict[str, Any]) -> list[Problem]:
    """Lists longer than the limits allow, before any record is read."""
    out: list[Problem] = []
    for key, limit, one, many in _COUNTED:
        v = doc.get(key)
        if isinstance(v, list) and len(v) > limit:
            out.append(Problem(key, f"{plural(len(v), one, many)}; an evaluation may have "
                                    f"at most {limit:,}"))
    bids = doc.get("bids")
    lines = 0
    for i, b in enumerate(bids[:MAX_BIDS] if isinstance(bids, list) else []):
        costs = b.get("costs") if isinstance(b, dict) else None
        if isinstance(costs, list):
            lines += len(costs)
            if len(costs) > MAX_COST_LINES_PER_BID:
                out.append(Problem(f"bids[{i}].costs",
                                   f"{plural(len(costs), 'cost line')}; a bid may have at "
                                   f"most {MAX_COST_LINES_PER_BID:,}"))
    if lines > MAX_COST_LINES:
        out.append(Problem("bids", f"{plural(lines, 'cost line')} in all; an evaluation may "
                                   f"have at most {MAX_COST_LINES:,}"))
    return out


def _evaluation(c: Checker, doc: dict[str, Any]) -> dict[str, Any]:
    ev = c.obj(doc.get("evaluation"), "evaluation") or {}
    c.keys(ev, "evaluation", {"title", "reference", "authority", "currency", "scale",
                              "appraisal", "moderation", "procedure", "marking",
                              "abnormally_low", "award", "ocid_prefix"})
    out: dict[str, Any] = {
        "title": c.text(ev, "title", "evaluation", required=True, nonempty=True),
        "reference": c.text(ev, "reference", "evaluation", limit=MAX_REFERENCE),
        "authority": c.text(ev, "authority", "evaluation"),
        "currency": c.text(ev, "currency", "evaluation", default="GBP") or "GBP",
    }
    if not _CURRENCY.match(out["currency"]):
        c.add("evaluation.currency", f"{q(out['currency'])} is not a currency code (three "
                                     "capital letters, e.g. GBP or EUR)")
    scale = c.obj(ev.get("scale", {}), "evaluation.scale") or {}
    c.keys(scale, "evaluation.scale", {"max", "step", "descriptors"})
    smax = c.number(scale, "max", "evaluation.scale", default=5, maximum=MAX_SCALE)
    step = c.number(scale, "step", "evaluation.scale", default=1, maximum=MAX_SCALE)
    for key, value in (("max", smax), ("step", step)):
        if value is not None and value <= 0:
            c.add(f"evaluation.scale.{key}", f"{plain(value)} must be more than 0")
    smax = smax if smax and smax > 0 else 5
    step = step if step and step > 0 else 1
    if is_number(smax) and is_number(step) and step > 0 and not on_step(smax, step):
        c.add("evaluation.scale.max", f"{plain(smax)} is not a multiple of the step {step}")
    descriptors = scale.get("descriptors", DEFAULT_DESCRIPTORS if smax == 5 else {})
    out["scale"] = {"max": smax, "step": step,
                    "descriptors": _descriptors(c, descriptors, "evaluation.scale.descriptors")}
    ap = c.obj(ev.get("appraisal", {}), "evaluation.appraisal") or {}
    c.keys(ap, "evaluation.appraisal", {"years", "discount_rate", "cost_basis"})
    out["appraisal"] = {
        "years": c.number(ap, "years", "evaluation.appraisal", default=5, minimum=1,
                          maximum=MAX_YEARS, integer=True),
        "discount_rate": c.number(ap, "discount_rate", "evaluation.appraisal",
                                  default=0.035, minimum=0, maximum=1),
        "cost_basis": c.choice(ap, "cost_basis", "evaluation.appraisal", COST_BASES,
                               "cost basis", default="npv"),
    }
    mo = c.obj(ev.get("moderation", {}), "evaluation.moderation") or {}
    c.keys(mo, "evaluation.moderation", {"spread_flag"})
    out["moderation"] = {"spread_flag": c.number(mo, "spread_flag", "evaluation.moderation",
                                                 default=2, minimum=0)}
    out["procedure"] = c.choice(ev, "procedure", "evaluation", PROCEDURES, "procedure",
                                default="options_appraisal")
    _documents(c, ev, out)
    return out


def _documents(c: Checker, ev: dict[str, Any], out: dict[str, Any]) -> None:
    """What the documents need: the security marking, the abnormally low threshold, the
    award's standstill details and the OCDS prefix (docs/format.md)."""
    out["marking"] = c.text(ev, "marking", "evaluation", default=DEFAULT_MARKING,
                            nonempty="marking" in ev)
    out["abnormally_low"] = c.number(ev, "abnormally_low", "evaluation",
                                     default=DEFAULT_ABNORMALLY_LOW, minimum=0, maximum=1)
    if ev.get("award") is not None:
        aw = c.obj(ev["award"], "evaluation.award")
        if aw is not None:
            c.keys(aw, "evaluation.award", {"notice_date", "standstill_days", "contact"})
            when = aw.get("notice_date")
            if when is not None and (not isinstance(when, str) or not _valid_date(when)):
                c.add("evaluation.award.notice_date", f"{q(when)} is not a date (YYYY-MM-DD)")
            award: dict[str, Any] = {
                "notice_date": when,
                "standstill_days": c.number(aw, "standstill_days", "evaluation.award",
                                            default=8, minimum=0, maximum=365, integer=True),
                "contact": c.text(aw, "contact", "evaluation.award", long=True)}
            out["award"] = award
    if ev.get("ocid_prefix") is not None:
        prefix = c.text(ev, "ocid_prefix", "evaluation")
        if not _OCID_PREFIX.match(prefix) or prefix == "ocds-000000":
            c.add("evaluation.ocid_prefix", f"{q(prefix)} is not an OCDS prefix registered "
                                            "to the council (ocds- and six characters)")
        out["ocid_prefix"] = prefix


def _descriptors(c: Checker, v: Any, where: str) -> dict[str, str]:
    if not isinstance(v, dict):
        c.add(where, "must be an object of score to text")
        return {}
    out: dict[str, str] = {}
    for k, text in v.items():
        if text is None:
            c.add(f"{where}.{k}", "null is not text")
        else:
            out[str(k)] = c.text(v, k, where, limit=MAX_DESCRIPTOR)
    return out


def _criteria(c: Checker, doc: dict[str, Any], scale_max: float, step: float,
              strict: bool) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, rec in enumerate(c.records(doc, "criteria", required=True)):
        where = f"criteria[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "name", "kind", "weight", "parent", "min_score",
                            "guidance", "formula", "descriptors"})
        cid = c.ident(rec, where, seen)
        kind = c.choice(rec, "kind", where, KINDS, "kind")
        item: dict[str, Any] = {
            "id": cid,
            "name": c.text(rec, "name", where, required=True, nonempty=True),
            "kind": kind, "parent": rec.get("parent"), "_where": where,
        }
        if kind == "pass_fail":
            if rec.get("weight") is not None:
                c.add(f"{where}.weight", "a pass_fail gateway has no weight")
        elif kind is not None:
            item["weight"] = c.number(rec, "weight", where, minimum=0, maximum=MAX_WEIGHT,
                                      required=True)
        if rec.get("min_score") is not None:
            if kind != "scored":
                c.add(f"{where}.min_score", "only a scored criterion has a minimum score")
            elif why := score_problem(rec["min_score"], scale_max, step):
                c.add(f"{where}.min_score", why)
            else:
                item["min_score"] = plain(rec["min_score"])
        if rec.get("formula") is not None and kind != "price":
            c.add(f"{where}.formula", "only a price criterion has a formula")
        if kind == "price":
            item["formula"] = c.choice(rec, "formula", where, FORMULAS, "price formula",
                                       default="lowest_relative")
        if rec.get("descriptors") is not None:
            if kind != "scored":
                c.add(f"{where}.descriptors", "only a scored criterion has descriptors")
            else:
                item["descriptors"] = _descriptors(c, rec["descriptors"],
                                                   f"{where}.descriptors")
        if kind == "scored" or rec.get("guidance"):
            item["guidance"] = c.text(rec, "guidance", where, long=True)
        out.append(item)
    check_parents(c, out)
    if strict:
        for p in section_weight_problems(out):
            c.add(p.where, p.message)
    return out


def _partners(c: Checker, doc: dict[str, Any]) -> list[Record]:
    partners: list[Record] = []
    seen: set[str] = set()
    for i, rec in enumerate(c.records(doc, "partners", required=False)):
        where = f"partners[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "name", "population", "baseline_annual_cost"})
        partners.append({
            "id": c.ident(rec, where, seen),
            "name": c.text(rec, "name", where, required=True, nonempty=True),
            "population": c.number(rec, "population", where, default=0, minimum=0,
                                   maximum=MAX_POPULATION, integer=True),
            "baseline_annual_cost": c.number(rec, "baseline_annual_cost", where, default=0,
                                             minimum=0, maximum=MAX_AMOUNT),
        })
    return partners


def _bids(c: Checker, doc: dict[str, Any], partner_ids: dict[str, Any]) -> list[Record]:
    bids: list[Record] = []
    seen: set[str] = set()
    for i, rec in enumerate(c.records(doc, "bids", required=True)):
        where = f"bids[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "supplier", "option_type", "sme", "term_years", "notes",
                            "costs", "apportionment", "tender", "supplier_id"})
        bid: Record = {
            "id": c.ident(rec, where, seen),
            "supplier": c.text(rec, "supplier", where, required=True, nonempty=True),
            "option_type": c.choice(rec, "option_type", where, OPTION_TYPES, "option type"),
            "sme": c.boolean(rec, "sme", where, default=False),
            "term_years": c.number(rec, "term_years", where, minimum=0, integer=True),
            "notes": c.text(rec, "notes", where, long=True),
            "costs": _costs(c, rec.get("costs", []), f"{where}.costs"),
        }
        bid["tender"] = c.boolean(rec, "tender", where,
                                  default=default_tender(str(bid["option_type"])))
        if rec.get("supplier_id") is not None:
            sid = c.obj(rec["supplier_id"], f"{where}.supplier_id")
            if sid is not None:
                c.keys(sid, f"{where}.supplier_id", {"scheme", "id"})
                bid["supplier_id"] = {
                    "scheme": c.text(sid, "scheme", f"{where}.supplier_id", required=True,
                                     nonempty=True),
                    "id": c.text(sid, "id", f"{where}.supplier_id", required=True,
                                 nonempty=True)}
        if rec.get("apportionment") is not None:
            bid["apportionment"] = _apportionment(c, rec["apportionment"],
                                                  f"{where}.apportionment", partner_ids)
        bids.append(bid)
    return bids


def _costs(c: Checker, costs: Any, where: str) -> list[Record]:
    if not isinstance(costs, list):
        c.add(where, "must be a list")
        return []
    out: list[Record] = []
    for j, line in enumerate(costs):
        lw = f"{where}[{j}]"
        line = c.obj(line, lw)
        if line is None:
            continue
        c.keys(line, lw, {"item", "category", "amount", "start_year", "years"})
        out.append({
            "item": c.text(line, "item", lw, required=True, nonempty=True),
            "category": c.choice(line, "category", lw, CATEGORIES, "category"),
            "amount": c.number(line, "amount", lw, minimum=0, maximum=MAX_AMOUNT,
                               required=True),
            "start_year": c.number(line, "start_year", lw, minimum=0, maximum=MAX_LINE_YEARS,
                                   integer=True, required=True),
            "years": c.number(line, "years", lw, minimum=1, maximum=MAX_LINE_YEARS,
                              integer=True, required=True),
        })
    return out


def _apportionment(c: Checker, v: Any, where: str, partners: dict[str, Any]
                   ) -> dict[str, Any] | None:
    rec = c.obj(v, where)
    if rec is None:
        return None
    c.keys(rec, where, {"method", "partners", "shares"})
    method = c.choice(rec, "method", where, APPORTIONMENT_METHODS, "apportionment method")
    out: dict[str, Any] = {"method": method}
    members: list[str] = []
    if rec.get("partners") is None:
        members = list(partners)
    elif not isinstance(rec["partners"], list):
        c.add(f"{where}.partners", "must be a list of partner ids")
    else:
        for j, p in enumerate(rec["partners"]):
            if not isinstance(p, str) or p not in partners:
                c.add(f"{where}.partners[{j}]", f"{q(p)} is not a partner")
            elif p in members:
                c.add(f"{where}.partners[{j}]", f"{q(p)} is listed twice")
            else:
                members.append(p)
        out["partners"] = members
    if not members:
        c.add(f"{where}.partners", "no partner shares this bid")
    shares = rec.get("shares")
    if method == "custom":
        if not isinstance(shares, dict):
            c.add(f"{where}.shares", "custom apportionment needs a share for each partner")
        else:
            out["shares"] = _shares(c, shares, f"{where}.shares", members)
    elif shares is not None:
        c.add(f"{where}.shares", "shares are given only with the custom method")
    return out


def _shares(c: Checker, shares: dict[str, Any], where: str, members: list[str]
            ) -> dict[str, Any]:
    clean: dict[str, float] = {}
    for k, s in shares.items():
        if k not in members:
            c.add(f"{where}.{k}", f"{q(k)} is not a sharing partner")
        elif not is_number(s) or s < 0:
            c.add(f"{where}.{k}", f"{q(s)} is not a share (percent >= 0)")
        else:
            clean[k] = plain(s)
    for m in members:
        if m not in shares:
            c.add(where, f"no share for partner {q(m)}")
    total = sum(clean.values())
    if len(clean) == len(members) == len(shares) and abs(total - 100) > 1e-6:
        c.add(where, f"the shares add up to {plain(total)}, not 100")
    return {m: clean[m] for m in members if m in clean}


def _evaluators(c: Checker, doc: dict[str, Any], bid_ids: dict[str, Any]
                ) -> tuple[list[Record], set[tuple[str, str]]]:
    evaluators: list[Record] = []
    seen: set[str] = set()
    conflicted: set[tuple[str, str]] = set()
    for i, rec in enumerate(c.records(doc, "evaluators", required=False)):
        where = f"evaluators[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "name", "role", "conflicts", "declared", "declaration",
                            "conflict_details", "submitted"})
        ev: Record = {"id": c.ident(rec, where, seen),
                      "name": c.text(rec, "name", where, required=True, nonempty=True),
                      "role": c.text(rec, "role", where), "conflicts": []}
        conf = rec.get("conflicts", [])
        if not isinstance(conf, list):
            c.add(f"{where}.conflicts", "must be a list of bid ids")
            conf = []
        for j, b in enumerate(conf):
            if not isinstance(b, str) or b not in bid_ids:
                c.add(f"{where}.conflicts[{j}]", f"{q(b)} is not a bid")
            elif b in ev["conflicts"]:
                c.add(f"{where}.conflicts[{j}]", f"{q(b)} is listed twice")
            else:
                ev["conflicts"].append(b)
                if ev["id"] is not None:
                    conflicted.add((ev["id"], b))
        if rec.get("declared") is not None:
            dates = _declared(c, rec["declared"], f"{where}.declared", ev["conflicts"])
            if dates:
                ev["declared"] = {b: dates[b] for b in ev["conflicts"] if b in dates}
        _sign_off(c, rec, where, ev)
        evaluators.append(ev)
    return evaluators, conflicted


def _sign_off(c: Checker, rec: Record, where: str, ev: Record) -> None:
    """The evaluator's declaration of interests, each conflict's nature and the
    mitigation agreed, and when they signed off their scores (docs/format.md)."""
    decl = rec.get("declaration")
    if decl is not None:
        d = c.obj(decl, f"{where}.declaration")
        if d is not None:
            c.keys(d, f"{where}.declaration", {"date", "interests"})
            when = d.get("date")
            if not isinstance(when, str) or not _valid_date(when):
                c.add(f"{where}.declaration.date", f"{q(when)} is not a date (YYYY-MM-DD)")
            ev["declaration"] = {"date": when, "interests": c.text(
                d, "interests", f"{where}.declaration", long=True)}
    details = rec.get("conflict_details")
    if details is not None:
        if not isinstance(details, dict):
            c.add(f"{where}.conflict_details", "must be an object of bid id to "
                                               '{"nature", "mitigation"}')
        else:
            out: dict[str, Record] = {}
            for b, item in details.items():
                at = f"{where}.conflict_details.{b}"
                if b not in ev["conflicts"]:
                    c.add(at, f"{q(b)} is not one of this evaluator's declared conflicts")
                    continue
                obj = c.obj(item, at)
                if obj is not None:
                    c.keys(obj, at, {"nature", "mitigation"})
                    out[b] = {"nature": c.text(obj, "nature", at, long=True),
                              "mitigation": c.text(obj, "mitigation", at, long=True)}
            if out:
                ev["conflict_details"] = {b: out[b] for b in ev["conflicts"] if b in out}
    submitted = rec.get("submitted")
    if submitted is not None:
        if not isinstance(submitted, str) or not _valid_moment(submitted):
            c.add(f"{where}.submitted", f"{q(submitted)} is not a date and time "
                                        "(ISO 8601, e.g. 2026-11-30T16:05:00Z)")
        else:
            ev["submitted"] = submitted


def _valid_date(text: str) -> bool:
    import datetime as dt

    if not _ISO_DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_moment(text: str) -> bool:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return len(text) <= 40


def _declared(c: Checker, declared: Any, where: str, conflicts: list[str]) -> dict[str, str]:
    if not isinstance(declared, dict):
        c.add(where, "must be an object of bid id to ISO date")
        return {}
    dates: dict[str, str] = {}
    for b, when in declared.items():
        if b not in conflicts:
            c.add(f"{where}.{b}", f"{q(b)} is not one of this evaluator's declared conflicts")
        elif not isinstance(when, str) or not _ISO_DATE.match(when):
            c.add(f"{where}.{b}", f"{q(when)} is not a date (YYYY-MM-DD)")
        else:
            dates[b] = when
    return dates


def _scored_ref(c: Checker, rec: Record, where: str, crits: dict[str, Any],
                what: str) -> str | None:
    cid = c.ref(rec, "criterion", where, crits, "a criterion")
    if cid is not None and crits[cid]["kind"] not in ("scored", None):
        c.add(f"{where}.criterion", f"{q(cid)} is a {crits[cid]['kind']} criterion, "
                                    f"not a scored one: it takes no {what}")
        return None
    return cid


_SCORE_FIELDS = ["evaluator", "bid", "criterion", "score", "comment"]


def _scores(c: Checker, doc: dict[str, Any], ev_ids: dict[str, Any], bid_ids: dict[str, Any],
            crits: dict[str, Any], conflicted: set[tuple[str, str]], smax: float,
            step: float, consume: bool = False) -> list[Record]:
    scores: list[Record] = []
    seen: set[tuple[Any, ...]] = set()
    # The usual score (known ids, a whole number on a whole-number scale, a plain
    # comment) is taken as it is; anything else goes through every rule below, which
    # gives the same record or says what is wrong. A million scores are the bulk of a
    # file at the limits.
    quick = type(smax) is int and type(step) is int
    scored = {k for k, r in crits.items() if r["kind"] == "scored"}
    fields = {"evaluator", "bid", "criterion", "score", "comment"}
    for i, rec in enumerate(c.records(doc, "scores", required=False)):
        if quick and type(rec) is dict and rec.keys() <= fields:
            e, b, cid = rec.get("evaluator"), rec.get("bid"), rec.get("criterion")
            value, comment = rec.get("score"), rec.get("comment")
            if comment is None:
                comment = ""
            if (type(value) is int and 0 <= value <= smax and value % step == 0
                    and type(e) is str and e in ev_ids and type(b) is str and b in bid_ids
                    and type(cid) is str and cid in scored and type(comment) is str
                    and len(comment) <= MAX_TEXT and "\r" not in comment
                    and ((comment.isascii() and comment.isprintable())
                         or hidden_problem(comment) is None)
                    and (e, b) not in conflicted and (e, b, cid) not in seen):
                e, b, cid = ev_ids[e]["id"], bid_ids[b]["id"], crits[cid]["id"]
                seen.add((e, b, cid))
                if consume and list(rec) == _SCORE_FIELDS:  # already in its normal form
                    rec["evaluator"], rec["bid"], rec["criterion"] = e, b, cid
                    scores.append(rec)
                    continue
                scores.append({"evaluator": e, "bid": b, "criterion": cid, "score": value,
                               "comment": comment})
                continue
        where = f"scores[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"evaluator", "bid", "criterion", "score", "comment"})
        e = c.ref(rec, "evaluator", where, ev_ids, "an evaluator")
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = _scored_ref(c, rec, where, crits, "scores")
        why = score_problem(rec.get("score"), smax, step) if "score" in rec else "is required"
        if why:
            c.add(f"{where}.score", why)
        if e and b and (e, b) in conflicted:
            c.add(f"{where}.evaluator", f"{q(e)} declared a conflict of interest with bid {q(b)}")
        if e and b and cid:
            if (e, b, cid) in seen:
                c.add(where, f"a second score by {q(e)} for bid {q(b)} on {q(cid)}")
            seen.add((e, b, cid))
        scores.append({"evaluator": e, "bid": b, "criterion": cid,
                       "score": plain(rec["score"]) if not why else None,
                       "comment": c.text(rec, "comment", where, long=True)})
    return scores


def _consensus(c: Checker, doc: dict[str, Any], bid_ids: dict[str, Any],
               crits: dict[str, Any], smax: float, step: float) -> list[Record]:
    consensus: list[Record] = []
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(c.records(doc, "consensus", required=False)):
        where = f"consensus[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"bid", "criterion", "score", "rationale"})
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = _scored_ref(c, rec, where, crits, "consensus")
        why = score_problem(rec.get("score"), smax, step) if "score" in rec else "is required"
        if why:
            c.add(f"{where}.score", why)
        rationale = c.text(rec, "rationale", where, required=True, nonempty=True, long=True)
        if b and cid:
            if (b, cid) in seen:
                c.add(where, f"a second consensus for bid {q(b)} on {q(cid)}")
            seen.add((b, cid))
        consensus.append({"bid": b, "criterion": cid,
                          "score": plain(rec["score"]) if not why else None,
                          "rationale": rationale})
    return consensus


def _gateways(c: Checker, doc: dict[str, Any], bid_ids: dict[str, Any],
              crits: dict[str, Any]) -> list[Record]:
    gateways: list[Record] = []
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(c.records(doc, "gateways", required=False)):
        where = f"gateways[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"bid", "criterion", "passed", "note"})
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = c.ref(rec, "criterion", where, crits, "a criterion")
        if cid is not None and crits[cid]["kind"] not in ("pass_fail", None):
            c.add(f"{where}.criterion",
                  f"{q(cid)} is a {crits[cid]['kind']} criterion, not a pass_fail gateway")
        if b and cid:
            if (b, cid) in seen:
                c.add(where, f"a second gateway result for bid {q(b)} on {q(cid)}")
            seen.add((b, cid))
        gateways.append({"bid": b, "criterion": cid,
                         "passed": c.boolean(rec, "passed", where, default=None, required=True),
                         "note": c.text(rec, "note", where, long=True)})
    return gateways


def _feedback(c: Checker, doc: dict[str, Any], bid_ids: dict[str, Any],
              crits: dict[str, Any]) -> list[Record]:
    """Reasons written for the bidder, per bid and criterion (assessment summaries)."""
    out: list[Record] = []
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(c.records(doc, "feedback", required=False)):
        where = f"feedback[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"bid", "criterion", "text"})
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = c.ref(rec, "criterion", where, crits, "a criterion")
        if cid is not None and crits[cid]["kind"] not in ("scored", "price", None):
            c.add(f"{where}.criterion", f"{q(cid)} is not a scored or price criterion")
        text = c.text(rec, "text", where, required=True, nonempty=True, long=True)
        if b and cid:
            if (b, cid) in seen:
                c.add(where, f"a second feedback for bid {q(b)} on {q(cid)}")
            seen.add((b, cid))
        out.append({"bid": b, "criterion": cid, "text": text})
    return out
