"""The interchange JSON: validation to the contract's rules and normalisation.

`validate` checks every record before anything is written and either returns
a normalised document (defaults made explicit, records in input order) or
raises `BadInput` with one problem per cause, each naming the record and field.
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any

from .errors import BadInput, Problem

FORMAT = "procure-desk/evaluation"
VERSION = 1

KINDS = ("section", "scored", "price", "pass_fail")
OPTION_TYPES = ("enterprise_suite", "best_of_breed", "build", "shared_service", "do_nothing")
OPTION_TYPE_LABELS = {
    "enterprise_suite": "Enterprise suite",
    "best_of_breed": "Best-of-breed",
    "build": "Build",
    "shared_service": "Shared service",
    "do_nothing": "Do nothing",
}
CATEGORIES = (
    "implementation", "licence", "hosting", "support", "staff",
    "training", "integration", "customisation", "exit", "other",
)
FORMULAS = ("lowest_relative", "linear_deviation")
COST_BASES = ("npv", "wlc")
APPORTIONMENT_METHODS = ("equal", "population", "custom")

DEFAULT_DESCRIPTORS = {
    "0": "Unacceptable", "1": "Poor", "2": "Weak",
    "3": "Satisfactory", "4": "Good", "5": "Excellent",
}
DEFAULT_SCALE = {"max": 5, "step": 1}
DEFAULT_APPRAISAL = {"years": 5, "discount_rate": 0.035, "cost_basis": "npv"}
DEFAULT_MODERATION = {"spread_flag": 2}

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 20_000  # characters in any one free-text field
# Larger than any real tender, small enough that sums over a century stay finite.
MAX_AMOUNT = 1e12
MAX_WEIGHT = 1e9


def plain(x: float) -> float | int:
    """A number as JSON should show it: 3 rather than 3.0."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    xf = float(x)
    if math.isfinite(xf) and xf.is_integer() and abs(xf) < 2**53:
        return int(xf)
    return xf


def is_number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def is_integer(v: Any) -> bool:
    return is_number(v) and float(v).is_integer()


def on_step(value: float, step: float) -> bool:
    q = value / step
    return abs(q - round(q)) < 1e-9


def score_problem(value: Any, scale_max: float, step: float) -> str | None:
    """Why a score is not acceptable on this scale, or None."""
    if not is_number(value):
        return f"{json.dumps(value)} is not a number"
    if value < 0 or value > scale_max:
        return f"{plain(value)} is outside the scale 0..{plain(scale_max)}"
    if not on_step(value, step):
        return f"{plain(value)} is not a multiple of the scale step {plain(step)}"
    return None


def q(v: Any) -> str:
    """A value quoted for a message."""
    try:
        return json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(v)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def obj(self, v: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(v, dict):
            self.add(where, "must be an object")
            return None
        return v

    def keys(self, rec: dict[str, Any], where: str, allowed: set[str]) -> None:
        for k in rec:
            if k not in allowed:
                self.add(f"{where}.{k}" if where else k, "is not a known field")

    def text(self, rec: dict[str, Any], key: str, where: str, *, required: bool = False,
             nonempty: bool = False, default: str = "") -> str:
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if not isinstance(v, str):
            self.add(f"{where}.{key}", f"{q(v)} is not text")
            return default
        if nonempty and not v.strip():
            self.add(f"{where}.{key}", "must not be blank")
        if len(v) > MAX_TEXT:
            self.add(f"{where}.{key}", f"is longer than {MAX_TEXT} characters")
            return v[:MAX_TEXT]
        return v

    def ident(self, rec: dict[str, Any], where: str, seen: set[str]) -> str | None:
        v = rec.get("id")
        if v is not None and not isinstance(v, str):
            self.add(f"{where}.id", f"{q(v)} is not text")
            return None
        if not isinstance(v, str) or not v.strip():
            self.add(f"{where}.id", "is required (non-blank text)")
            return None
        if v != v.strip():
            self.add(f"{where}.id", f"{q(v)} starts or ends with a space")
            return None
        if len(v) > 64:
            self.add(f"{where}.id", f"{q(v[:20])}... is longer than 64 characters")
            return None
        if v in seen:
            self.add(f"{where}.id", f"{q(v)} is a duplicate id")
            return None
        seen.add(v)
        return v

    def number(self, rec: dict[str, Any], key: str, where: str, *, default: Any = None,
               minimum: float | None = None, maximum: float | None = None,
               integer: bool = False, required: bool = False) -> Any:
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if not is_number(v):
            self.add(f"{where}.{key}", f"{q(v)} is not a number")
            return default
        if integer and not is_integer(v):
            self.add(f"{where}.{key}", f"{q(v)} is not a whole number")
            return default
        if minimum is not None and v < minimum:
            what = "negative" if minimum == 0 else f"less than {plain(minimum)}"
            self.add(f"{where}.{key}", f"{plain(v)} is {what}")
            return default
        if maximum is not None and v > maximum:
            self.add(f"{where}.{key}", f"{plain(v)} is more than {plain(maximum)}")
            return default
        return int(v) if integer else plain(v)

    def boolean(self, rec: dict[str, Any], key: str, where: str, *, default: bool | None,
                required: bool = False) -> bool | None:
        if key not in rec or rec[key] is None:
            if required:
                self.add(f"{where}.{key}", "is required (true or false)")
            return default
        v = rec[key]
        if not isinstance(v, bool):
            self.add(f"{where}.{key}", f"{q(v)} is not true or false")
            return default
        return v

    def choice(self, rec: dict[str, Any], key: str, where: str, options: tuple[str, ...],
               what: str, *, default: str | None = None) -> str | None:
        if key not in rec or rec[key] is None:
            if default is None:
                self.add(f"{where}.{key}", "is required")
            return default
        v = rec[key]
        if v not in options:
            self.add(f"{where}.{key}", f"{q(v)} is not a known {what} "
                                       f"(one of {', '.join(options)})")
            return default
        return str(v)

    def ref(self, rec: dict[str, Any], key: str, where: str, known: dict[str, Any],
            what: str) -> str | None:
        v = rec.get(key)
        if v is None:
            self.add(f"{where}.{key}", "is required")
            return None
        if not isinstance(v, str) or v not in known:
            self.add(f"{where}.{key}", f"{q(v)} is not {what}")
            return None
        return v

    def records(self, doc: dict[str, Any], key: str, *, required: bool) -> list[Any]:
        v = doc.get(key)
        if v is None:
            if required:
                self.add(key, "is required (a list)")
            return []
        if not isinstance(v, list):
            self.add(key, "must be a list")
            return []
        return v


def _evaluation(c: _Checker, doc: dict[str, Any]) -> dict[str, Any]:
    ev = c.obj(doc.get("evaluation"), "evaluation") or {}
    c.keys(ev, "evaluation", {"title", "reference", "authority", "currency", "scale",
                              "appraisal", "moderation"})
    out: dict[str, Any] = {
        "title": c.text(ev, "title", "evaluation", required=True, nonempty=True),
        "reference": c.text(ev, "reference", "evaluation"),
        "authority": c.text(ev, "authority", "evaluation"),
        "currency": c.text(ev, "currency", "evaluation", default="GBP") or "GBP",
    }
    if not _CURRENCY.match(out["currency"]):
        c.add("evaluation.currency", f"{q(out['currency'])} is not a currency code (three "
                                     "capital letters, e.g. GBP or EUR)")
    scale = ev.get("scale", {})
    scale = c.obj(scale, "evaluation.scale") or {}
    c.keys(scale, "evaluation.scale", {"max", "step", "descriptors"})
    smax = c.number(scale, "max", "evaluation.scale", default=5, maximum=1000)
    step = c.number(scale, "step", "evaluation.scale", default=1, maximum=1000)
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
                          maximum=100, integer=True),
        "discount_rate": c.number(ap, "discount_rate", "evaluation.appraisal",
                                  default=0.035, minimum=0, maximum=1),
        "cost_basis": c.choice(ap, "cost_basis", "evaluation.appraisal", COST_BASES,
                               "cost basis", default="npv"),
    }
    mo = c.obj(ev.get("moderation", {}), "evaluation.moderation") or {}
    c.keys(mo, "evaluation.moderation", {"spread_flag"})
    out["moderation"] = {"spread_flag": c.number(mo, "spread_flag", "evaluation.moderation",
                                                 default=2, minimum=0)}
    return out


def _descriptors(c: _Checker, v: Any, where: str) -> dict[str, str]:
    if not isinstance(v, dict):
        c.add(where, "must be an object of score to text")
        return {}
    out: dict[str, str] = {}
    for k, text in v.items():
        if not isinstance(text, str):
            c.add(f"{where}.{k}", f"{q(text)} is not text")
            continue
        out[str(k)] = text
    return out


def section_weight_problems(criteria: list[dict[str, Any]]) -> list[Problem]:
    """Sections whose weight would go nowhere: refused on import, warned of in editing."""
    out: list[Problem] = []
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in criteria:
        if r["kind"] in ("section", "scored", "price"):
            children.setdefault(r.get("parent"), []).append(r)
    for i, r in enumerate(criteria):
        if r["kind"] == "section" and r["id"] is not None:
            kids = children.get(r["id"], [])
            where = r.get("_where", f"criteria[{i}]")
            if not kids:
                out.append(Problem(where, f"section {q(r['id'])} has no weighted criteria "
                                          "under it"))
            elif sum(k.get("weight") or 0 for k in kids) <= 0:
                out.append(Problem(where, f"the children of section {q(r['id'])} weigh 0 "
                                          "in all"))
    top = children.get(None, [])
    if top and sum(k.get("weight") or 0 for k in top) <= 0:
        out.append(Problem("criteria", "the top-level criteria weigh 0 in all"))
    return out


def _criteria(c: _Checker, doc: dict[str, Any], scale_max: float, step: float,
              strict: bool) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    raw = c.records(doc, "criteria", required=True)
    for i, rec in enumerate(raw):
        where = f"criteria[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "name", "kind", "weight", "parent", "min_score",
                            "guidance", "formula", "descriptors"})
        cid = c.ident(rec, where, seen)
        kind = c.choice(rec, "kind", where, KINDS, "kind")
        item: dict[str, Any] = {
            "id": cid, "name": c.text(rec, "name", where, required=True, nonempty=True),
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
            else:
                v = rec["min_score"]
                why = score_problem(v, scale_max, step)
                if why:
                    c.add(f"{where}.min_score", why)
                else:
                    item["min_score"] = plain(v)
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
            item["guidance"] = c.text(rec, "guidance", where)
        out.append(item)

    by_id = {r["id"]: r for r in out if r["id"] is not None}
    for r in out:
        p = r["parent"]
        where = r["_where"]
        if p is None:
            continue
        if not isinstance(p, str) or p not in by_id:
            c.add(f"{where}.parent", f"{q(p)} is not a criterion")
            r["parent"] = None
        elif by_id[p]["kind"] != "section":
            c.add(f"{where}.parent", f"{q(p)} is not a section (only sections have children)")
    # cycles: walk up from each node
    for r in out:
        if r["id"] is None:
            continue
        seen_path = {r["id"]}
        node = r
        while node["parent"] is not None and node["parent"] in by_id:
            parent = by_id[node["parent"]]
            if parent["id"] in seen_path:
                c.add(f"{r['_where']}.parent", f"{q(r['parent'])} makes a cycle of parents")
                break
            seen_path.add(parent["id"])
            node = parent
    if strict:
        c.problems += section_weight_problems(out)
    return out


def _apportionment(c: _Checker, v: Any, where: str, partners: dict[str, Any]
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
            clean: dict[str, float] = {}
            for k, s in shares.items():
                if k not in members:
                    c.add(f"{where}.shares.{k}", f"{q(k)} is not a sharing partner")
                elif not is_number(s) or s < 0:
                    c.add(f"{where}.shares.{k}", f"{q(s)} is not a share (percent >= 0)")
                else:
                    clean[k] = plain(s)
            for m in members:
                if m not in shares:
                    c.add(f"{where}.shares", f"no share for partner {q(m)}")
            total = sum(clean.values())
            if len(clean) == len(members) == len(shares) and abs(total - 100) > 1e-6:
                c.add(f"{where}.shares", f"the shares add up to {plain(total)}, not 100")
            out["shares"] = {m: clean[m] for m in members if m in clean}
    elif shares is not None:
        c.add(f"{where}.shares", "shares are given only with the custom method")
    return out


def validate(doc: Any, *, strict: bool = True) -> dict[str, Any]:
    """Check a whole interchange document; return it normalised or raise BadInput.

    `strict=False` lets a section weigh nothing for now (an editor adding a
    section before its first criterion); `section_weight_problems` warns of it.
    """
    c = _Checker()
    if not isinstance(doc, dict):
        raise BadInput.one("", "the file must hold one JSON object")
    if doc.get("format") != FORMAT:
        c.add("format", f"{q(doc.get('format'))} is not a known format (expected {q(FORMAT)})")
    if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
        c.add("version", f"{q(doc.get('version'))} is not a supported version (expected 1)")
    if c.problems:
        raise BadInput(c.problems)
    c.keys(doc, "", {"format", "version", "evaluation", "criteria", "bids", "evaluators",
                     "scores", "consensus", "gateways", "partners"})

    evaluation = _evaluation(c, doc)
    smax = evaluation["scale"]["max"]
    step = evaluation["scale"]["step"]
    criteria = _criteria(c, doc, smax, step, strict)
    crit_by_id = {r["id"]: r for r in criteria if r["id"] is not None}

    partners: list[dict[str, Any]] = []
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
                                   maximum=1e10,
                                   integer=True),
            "baseline_annual_cost": c.number(rec, "baseline_annual_cost", where, default=0,
                                             maximum=MAX_AMOUNT,
                                             minimum=0),
        })
    partner_ids = {p["id"]: p for p in partners if p["id"] is not None}

    bids: list[dict[str, Any]] = []
    seen = set()
    for i, rec in enumerate(c.records(doc, "bids", required=True)):
        where = f"bids[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "supplier", "option_type", "sme", "term_years", "notes",
                            "costs", "apportionment"})
        bid: dict[str, Any] = {
            "id": c.ident(rec, where, seen),
            "supplier": c.text(rec, "supplier", where, required=True, nonempty=True),
            "option_type": c.choice(rec, "option_type", where, OPTION_TYPES, "option type"),
            "sme": c.boolean(rec, "sme", where, default=False),
            "term_years": c.number(rec, "term_years", where, minimum=0, integer=True),
            "notes": c.text(rec, "notes", where),
            "costs": [],
        }
        costs = rec.get("costs", [])
        if not isinstance(costs, list):
            c.add(f"{where}.costs", "must be a list")
            costs = []
        for j, line in enumerate(costs):
            lw = f"{where}.costs[{j}]"
            line = c.obj(line, lw)
            if line is None:
                continue
            c.keys(line, lw, {"item", "category", "amount", "start_year", "years"})
            bid["costs"].append({
                "item": c.text(line, "item", lw, required=True, nonempty=True),
                "category": c.choice(line, "category", lw, CATEGORIES, "category"),
                "amount": c.number(line, "amount", lw, minimum=0, maximum=MAX_AMOUNT,
                                   required=True),
                "start_year": c.number(line, "start_year", lw, minimum=0, maximum=1000,
                                       integer=True,
                                       required=True),
                "years": c.number(line, "years", lw, minimum=1, maximum=1000, integer=True,
                                  required=True),
            })
        if rec.get("apportionment") is not None:
            bid["apportionment"] = _apportionment(c, rec["apportionment"],
                                                  f"{where}.apportionment", partner_ids)
        bids.append(bid)
    bid_ids = {b["id"]: b for b in bids if b["id"] is not None}

    evaluators: list[dict[str, Any]] = []
    seen = set()
    conflicted: set[tuple[str, str]] = set()
    for i, rec in enumerate(c.records(doc, "evaluators", required=False)):
        where = f"evaluators[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"id", "name", "role", "conflicts", "declared"})
        ev: dict[str, Any] = {"id": c.ident(rec, where, seen),
                              "name": c.text(rec, "name", where, required=True,
                                             nonempty=True),
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
        declared = rec.get("declared")
        if declared is not None:
            if not isinstance(declared, dict):
                c.add(f"{where}.declared", "must be an object of bid id to ISO date")
            else:
                dates: dict[str, str] = {}
                for b, when in declared.items():
                    if b not in ev["conflicts"]:
                        c.add(f"{where}.declared.{b}", f"{q(b)} is not one of this "
                                                       "evaluator's declared conflicts")
                    elif not isinstance(when, str) or not _ISO_DATE.match(when):
                        c.add(f"{where}.declared.{b}", f"{q(when)} is not a date (YYYY-MM-DD)")
                    else:
                        dates[b] = when
                if dates:
                    ev["declared"] = {b: dates[b] for b in ev["conflicts"] if b in dates}
        evaluators.append(ev)
    ev_ids = {e["id"]: e for e in evaluators if e["id"] is not None}

    def scored_ref(rec: dict[str, Any], where: str, what: str) -> str | None:
        cid = c.ref(rec, "criterion", where, crit_by_id, "a criterion")
        if cid is not None and crit_by_id[cid]["kind"] not in ("scored", None):
            c.add(f"{where}.criterion", f"{q(cid)} is a {crit_by_id[cid]['kind']} criterion, "
                                        f"not a scored one: it takes no {what}")
            return None
        return cid

    scores: list[dict[str, Any]] = []
    seen_keys: set[tuple[Any, ...]] = set()
    for i, rec in enumerate(c.records(doc, "scores", required=False)):
        where = f"scores[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"evaluator", "bid", "criterion", "score", "comment"})
        e = c.ref(rec, "evaluator", where, ev_ids, "an evaluator")
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = scored_ref(rec, where, "scores")
        why = score_problem(rec.get("score"), smax, step) if "score" in rec else "is required"
        if why:
            c.add(f"{where}.score", why)
        if e and b and (e, b) in conflicted:
            c.add(f"{where}.evaluator", f"{q(e)} declared a conflict of interest with bid {q(b)}")
        key = (e, b, cid)
        if e and b and cid:
            if key in seen_keys:
                c.add(where, f"a second score by {q(e)} for bid {q(b)} on {q(cid)}")
            seen_keys.add(key)
        scores.append({"evaluator": e, "bid": b, "criterion": cid,
                       "score": plain(rec["score"]) if not why else None,
                       "comment": c.text(rec, "comment", where)})

    consensus: list[dict[str, Any]] = []
    seen_keys = set()
    for i, rec in enumerate(c.records(doc, "consensus", required=False)):
        where = f"consensus[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"bid", "criterion", "score", "rationale"})
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = scored_ref(rec, where, "consensus")
        why = score_problem(rec.get("score"), smax, step) if "score" in rec else "is required"
        if why:
            c.add(f"{where}.score", why)
        rationale = c.text(rec, "rationale", where, required=True, nonempty=True)
        if b and cid:
            if (b, cid) in seen_keys:
                c.add(where, f"a second consensus for bid {q(b)} on {q(cid)}")
            seen_keys.add((b, cid))
        consensus.append({"bid": b, "criterion": cid,
                          "score": plain(rec["score"]) if not why else None,
                          "rationale": rationale})

    gateways: list[dict[str, Any]] = []
    seen_keys = set()
    for i, rec in enumerate(c.records(doc, "gateways", required=False)):
        where = f"gateways[{i}]"
        rec = c.obj(rec, where)
        if rec is None:
            continue
        c.keys(rec, where, {"bid", "criterion", "passed", "note"})
        b = c.ref(rec, "bid", where, bid_ids, "a bid")
        cid = c.ref(rec, "criterion", where, crit_by_id, "a criterion")
        if cid is not None and crit_by_id[cid]["kind"] not in ("pass_fail", None):
            c.add(f"{where}.criterion",
                  f"{q(cid)} is a {crit_by_id[cid]['kind']} criterion, not a pass_fail gateway")
        if b and cid:
            if (b, cid) in seen_keys:
                c.add(where, f"a second gateway result for bid {q(b)} on {q(cid)}")
            seen_keys.add((b, cid))
        gateways.append({"bid": b, "criterion": cid,
                         "passed": c.boolean(rec, "passed", where, default=None, required=True),
                         "note": c.text(rec, "note", where)})

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
    }


def read_json_file(path: str | Path) -> Any:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BadInput.one(str(p), "no such file") from None
    except IsADirectoryError:
        raise BadInput.one(str(p), "is a folder, not a file") from None
    except OSError as exc:
        raise BadInput.one(str(p), f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput.one(str(p), "is not UTF-8 text") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise BadInput.one(f"{p}, line {exc.lineno} column {exc.colno}",
                           f"not valid JSON ({exc.msg})") from None
    except _DuplicateKeyError as exc:
        raise BadInput.one(str(p), f"the field {q(exc.args[0])} appears twice in one object: "
                                   "each field may be given once") from None
    except RecursionError:
        raise BadInput.one(str(p), "is nested too deeply to be an evaluation") from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise BadInput.one(str(p), f"not valid JSON ({exc})") from None


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKeyError(k)
        out[k] = v
    return out


def load_json(path: str | Path) -> dict[str, Any]:
    """Read and validate an interchange file; BadInput names every problem."""
    return validate(read_json_file(path))


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# ---- leaving out again what the file left out ------------------------------------------
# An export writes every field; for a file that came from an import, fields the
# source left out (and that still hold their default) are left out again, so that
# importing and exporting gives back the same document.

_RECORD_DEFAULTS: dict[str, dict[str, Any]] = {
    "criteria": {"parent": None, "guidance": "", "formula": "lowest_relative"},
    "bids": {"sme": False, "notes": "", "costs": []},
    "evaluators": {"role": "", "conflicts": []},
    "scores": {"comment": ""},
    "consensus": {},
    "gateways": {"note": ""},
    "partners": {"population": 0, "baseline_annual_cost": 0},
}
_EVALUATION_DEFAULTS: dict[str, Any] = {"reference": "", "authority": "", "currency": "GBP"}
_BLOCK_DEFAULTS: dict[str, dict[str, Any]] = {
    "scale": {"max": 5, "step": 1},
    "appraisal": dict(DEFAULT_APPRAISAL),
    "moderation": dict(DEFAULT_MODERATION),
}
_OPTIONAL_LISTS = ("evaluators", "scores", "consensus", "gateways", "partners")


def _identity(key: str, rec: dict[str, Any]) -> str:
    if key in ("scores",):
        return f"{rec.get('evaluator')}/{rec.get('bid')}/{rec.get('criterion')}"
    if key in ("consensus", "gateways"):
        return f"{rec.get('bid')}/{rec.get('criterion')}"
    return str(rec.get("id"))


def omitted_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Which optional fields a (valid) source document left out."""
    out: dict[str, Any] = {"": [k for k in _OPTIONAL_LISTS if k not in raw]}
    ev = raw.get("evaluation", {})
    out["evaluation"] = [k for k in (*_EVALUATION_DEFAULTS, *_BLOCK_DEFAULTS) if k not in ev]
    for block, fields in _BLOCK_DEFAULTS.items():
        if isinstance(ev.get(block), dict):
            keys = [*fields, "descriptors"] if block == "scale" else list(fields)
            out[f"evaluation.{block}"] = [k for k in keys if k not in ev[block]]
    for key, defaults in _RECORD_DEFAULTS.items():
        records = [r for r in raw.get(key, []) if isinstance(r, dict)]
        per_field: dict[str, Any] = {}
        for field in defaults:
            missing = [_identity(key, r) for r in records if field not in r]
            if missing:
                per_field[field] = "all" if len(missing) == len(records) else missing
        if per_field:
            out[key] = per_field
    return out


def leave_out(doc: dict[str, Any], omitted: dict[str, Any]) -> dict[str, Any]:
    """The document without the fields its source left out, where they still hold
    their default (a value changed since is always written)."""
    out = copy.deepcopy(doc)
    for k in omitted.get("", []):
        if out.get(k) == []:
            del out[k]
    ev = out["evaluation"]
    smax = ev["scale"]["max"]
    default_descriptors = DEFAULT_DESCRIPTORS if smax == 5 else {}
    for block, fields in _BLOCK_DEFAULTS.items():
        for k in omitted.get(f"evaluation.{block}", []):
            default = default_descriptors if k == "descriptors" else fields.get(k)
            if k in ev[block] and ev[block][k] == default:
                del ev[block][k]
    for k in omitted.get("evaluation", []):
        if k in _EVALUATION_DEFAULTS:
            if ev.get(k) == _EVALUATION_DEFAULTS[k]:
                del ev[k]
        elif k in _BLOCK_DEFAULTS:
            full = dict(_BLOCK_DEFAULTS[k])
            if k == "scale":
                full["descriptors"] = default_descriptors
            if ev.get(k) in (full, {}):
                del ev[k]
    for key, per_field in omitted.items():
        if key not in _RECORD_DEFAULTS or key not in out:
            continue
        for field, who in per_field.items():
            default = _RECORD_DEFAULTS[key][field]
            ids = None if who == "all" else set(who)
            for rec in out[key]:
                if ((ids is None or _identity(key, rec) in ids) and field in rec
                        and rec[field] == default):
                    del rec[field]
    return out
