"""A large, valid interchange document for the benchmarks.

The document follows docs/format.md and obeys every rule of docs/bad-input.md, so
`import-json` accepts it. It is deterministic for a given seed: the same
arguments always give the same document, byte for byte once written.

Two shapes: `make_large_evaluation`, a large council tender (the main benchmark), and
`make_limits_evaluation`, an evaluation at every count limit of
procure_desk/interchange/limits.py (docs/bad-input.md), for `benchmarks.limits`.

Run `python -m benchmarks.generate OUT.json` (or `--limits`) to write one for manual checks.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from procure_desk.interchange.limits import (
    MAX_BIDS,
    MAX_COST_LINES,
    MAX_CRITERIA,
    MAX_DEPTH,
    MAX_EVALUATORS,
    MAX_PARTNERS,
)

FORMAT = "procure-desk/evaluation"
VERSION = 1
SCALE_MAX = 5

OPTION_TYPES = ("enterprise_suite", "best_of_breed", "build", "shared_service", "do_nothing")
CATEGORIES = (
    "implementation",
    "licence",
    "hosting",
    "support",
    "staff",
    "training",
    "integration",
    "customisation",
    "exit",
    "other",
)
DESCRIPTORS = {
    "0": "Unacceptable",
    "1": "Poor",
    "2": "Weak",
    "3": "Satisfactory",
    "4": "Good",
    "5": "Excellent",
}

_SECTION_NAMES = (
    "Functional fit",
    "Configuration, not customisation",
    "Data export and exit",
    "Open standards and APIs",
    "Implementation approach",
    "Security and resilience",
    "Accessibility",
    "Support and service levels",
    "Supplier viability",
    "Social value",
)
_SUPPLIER_STEMS = (
    "Northgate",
    "Civica",
    "Harbour",
    "Kestrel",
    "Meridian",
    "Oakfield",
    "Pennine",
    "Riverside",
    "Thameside",
    "Wessex",
)
_SUPPLIER_ENDINGS = (
    "Systems Ltd",
    "Digital Ltd",
    "Software plc",
    "Solutions Ltd",
    "Cloud Services Ltd",
    "Partnership",
)
_EVALUATOR_NAMES = (
    ("A. Patel", "Head of IT"),
    ("B. Okafor", "Customer Services Manager"),
    ("C. Evans", "Procurement Officer"),
    ("D. Nowak", "Information Governance Lead"),
    ("E. Hughes", "Finance Business Partner"),
    ("F. Campbell", "Revenues Team Leader"),
    ("G. Singh", "Enterprise Architect"),
    ("H. Murphy", "Service Design Lead"),
)
_COMMENTS = (
    "Meets the requirement in full.",
    "Partly evidenced; see section 4.",
    "Good answer, some gaps on detail.",
    "Relies on customisation.",
    "Clear, tested export process.",
    "Vague on timescales.",
    "Strong council references.",
    "No evidence offered.",
    "Exceeds the requirement.",
    "Answer does not address the question.",
)
_RATIONALES = (
    "Moderation agreed the middle view after reviewing the demonstration.",
    "Panel accepted the evidence in the case study.",
    "Clarification response resolved the gap noted by two evaluators.",
    "Panel agreed the answer relies on chargeable customisation.",
)
_PARTNERS = (
    ("C1", "Harrowmere DC", 98_000, 210_000),
    ("C2", "Lower Fenby BC", 64_500, 150_000),
    ("C3", "Ashcombe DC", 121_300, 265_000),
)


def make_large_evaluation(
    n_bids: int = 60,
    n_criteria: int = 100,
    n_evaluators: int = 8,
    cost_lines: int = 10,
    seed: int = 1,
) -> dict[str, Any]:
    """Build the document: n_criteria scored questions, n_bids bids, n_evaluators scoring.

    Every evaluator scores every scored criterion of every bid except the bids they
    declared a conflict with (at most one conflicted evaluator per bid, so every bid
    keeps scores).
    """
    if n_bids < 1 or n_criteria < 1 or n_evaluators < 1 or cost_lines < 0:
        raise ValueError("n_bids, n_criteria and n_evaluators must be >= 1, cost_lines >= 0")
    rng = random.Random(seed)

    criteria, scored = _criteria(rng, n_criteria)
    gateways = [c["id"] for c in criteria if c["kind"] == "pass_fail"]
    bids = _bids(rng, n_bids, cost_lines)
    bid_ids = [b["id"] for b in bids]
    evaluators = _evaluators(rng, n_evaluators, bid_ids)
    scores, by_pair = _scores(rng, evaluators, bid_ids, scored)

    return {
        "format": FORMAT,
        "version": VERSION,
        "evaluation": {
            "title": "Benchmark: revenues and benefits replacement",
            "reference": f"BENCH-{seed:04d}",
            "authority": "Harrowmere District Council",
            "currency": "GBP",
            "scale": {"max": SCALE_MAX, "step": 1, "descriptors": dict(DESCRIPTORS)},
            "appraisal": {"years": 5, "discount_rate": 0.035, "cost_basis": "npv"},
            "moderation": {"spread_flag": 2},
        },
        "criteria": criteria,
        "bids": bids,
        "evaluators": evaluators,
        "scores": scores,
        "consensus": _consensus(rng, by_pair),
        "gateways": _gateway_results(rng, bid_ids, gateways),
        "partners": [
            {"id": pid, "name": name, "population": pop, "baseline_annual_cost": base}
            for pid, name, pop, base in _PARTNERS
        ],
    }


def write_large_evaluation(path: str | Path, **kw: Any) -> Path:
    """Write make_large_evaluation(**kw) as JSON to path; return the path."""
    path = Path(path)
    doc = make_large_evaluation(**kw)
    with path.open("w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
    return path


def _criteria(rng: random.Random, n_criteria: int) -> tuple[list[dict], list[dict]]:
    """A quality section of up to 10 sub-sections, a price leaf and 3 gateways."""
    n_sections = min(10, n_criteria)
    criteria: list[dict] = [
        {"id": "Q", "name": "Quality", "kind": "section", "weight": 70, "parent": None},
    ]
    scored: list[dict] = []
    # Spread the questions as evenly as possible over the sections, in order.
    per_section = [n_criteria // n_sections] * n_sections
    for s in range(n_criteria % n_sections):
        per_section[s] += 1
    for s, count in enumerate(per_section):
        sid = f"Q{s + 1:02d}"
        criteria.append(
            {
                "id": sid,
                "name": _SECTION_NAMES[s % len(_SECTION_NAMES)],
                "kind": "section",
                "weight": rng.choice((5, 8, 10, 12, 15, 20)),
                "parent": "Q",
            }
        )
        for k in range(count):
            leaf: dict[str, Any] = {
                "id": f"{sid}.{k + 1:02d}",
                "name": f"{_SECTION_NAMES[s % len(_SECTION_NAMES)]}: question {k + 1}",
                "kind": "scored",
                "weight": rng.randint(1, 10),
                "parent": sid,
                "guidance": "Score against the descriptors; cite the tender section.",
            }
            criteria.append(leaf)
            scored.append(leaf)
    # A few minimum scores, spread across sections; low enough that most bids pass.
    for leaf in scored[3 :: max(1, len(scored) // 4)][:4]:
        leaf["min_score"] = 1 if rng.random() < 0.5 else 2
    criteria.append(
        {
            "id": "P",
            "name": "Whole-life cost",
            "kind": "price",
            "weight": 30,
            "parent": None,
            "formula": "lowest_relative",
        }
    )
    for g, name in enumerate(
        ("Cyber Essentials Plus", "UK GDPR data processing terms", "Insurance levels"), 1
    ):
        criteria.append({"id": f"G{g}", "name": name, "kind": "pass_fail", "parent": None})
    return criteria, scored


def _bids(rng: random.Random, n_bids: int, cost_lines: int) -> list[dict]:
    bids: list[dict] = []
    shared_with_apportionment = 0
    for i in range(n_bids):
        option_type = OPTION_TYPES[i % len(OPTION_TYPES)]
        stem = _SUPPLIER_STEMS[i % len(_SUPPLIER_STEMS)]
        ending = _SUPPLIER_ENDINGS[(i // len(_SUPPLIER_STEMS)) % len(_SUPPLIER_ENDINGS)]
        suffix = "" if i < len(_SUPPLIER_STEMS) * len(_SUPPLIER_ENDINGS) else f" {i + 1}"
        bid: dict[str, Any] = {
            "id": f"B{i + 1:03d}",
            "supplier": f"{stem} {ending}{suffix}",
            "option_type": option_type,
            "sme": rng.random() < 0.4,
            "term_years": rng.choice((3, 5, 7)),
            "notes": "" if rng.random() < 0.7 else "Variant bid; see clarification log.",
            "costs": [_cost_line(rng, k) for k in range(cost_lines)],
        }
        if option_type == "shared_service" and shared_with_apportionment < 4:
            bid["apportionment"] = {"method": "population"}
            shared_with_apportionment += 1
        bids.append(bid)
    return bids


def _cost_line(rng: random.Random, k: int) -> dict:
    category = CATEGORIES[k % len(CATEGORIES)] if k < len(CATEGORIES) else rng.choice(CATEGORIES)
    return {
        "item": f"{category.capitalize()} {k + 1}",
        "category": category,
        "amount": rng.randrange(1_000, 150_000, 50),
        "start_year": rng.randint(0, 4),
        "years": rng.randint(1, 5),
    }


def _evaluators(rng: random.Random, n_evaluators: int, bid_ids: list[str]) -> list[dict]:
    evaluators = []
    for e in range(n_evaluators):
        name, role = _EVALUATOR_NAMES[e % len(_EVALUATOR_NAMES)]
        if e >= len(_EVALUATOR_NAMES):
            name = f"{name} ({e + 1})"
        evaluators.append({"id": f"E{e + 1}", "name": name, "role": role, "conflicts": []})
    if n_evaluators >= 2:
        # A handful of conflicts, on distinct bids, so every bid keeps n_evaluators - 1.
        n_conflicts = min(len(bid_ids), max(1, (3 * n_evaluators) // 4))
        for bid in sorted(rng.sample(bid_ids, n_conflicts)):
            evaluators[rng.randrange(n_evaluators)]["conflicts"].append(bid)
    for ev in evaluators:
        ev["conflicts"].sort()
    return evaluators


def _scores(
    rng: random.Random, evaluators: list[dict], bid_ids: list[str], scored: list[dict]
) -> tuple[list[dict], dict[tuple[str, str], list[int]]]:
    """One score per (evaluator, bid, scored criterion), conflicted pairs left out."""
    quality = {b: rng.uniform(1.8, 4.4) for b in bid_ids}
    # Questions with a minimum score are the easier ones, so only a few bids fall below.
    difficulty = {c["id"]: rng.uniform(0.0 if "min_score" in c else -0.8, 0.6) for c in scored}
    leniency = {e["id"]: rng.uniform(-0.5, 0.5) for e in evaluators}
    conflicted = {(e["id"], b) for e in evaluators for b in e["conflicts"]}
    scores: list[dict] = []
    by_pair: dict[tuple[str, str], list[int]] = {}
    for bid in bid_ids:
        for crit in scored:
            cid = crit["id"]
            given = by_pair.setdefault((bid, cid), [])
            for ev in evaluators:
                eid = ev["id"]
                if (eid, bid) in conflicted:
                    continue
                raw = quality[bid] + difficulty[cid] + leniency[eid] + rng.gauss(0.0, 0.7)
                score = min(SCALE_MAX, max(0, round(raw)))
                given.append(score)
                scores.append(
                    {
                        "evaluator": eid,
                        "bid": bid,
                        "criterion": cid,
                        "score": score,
                        "comment": rng.choice(_COMMENTS),
                    }
                )
    return scores, by_pair


def _consensus(rng: random.Random, by_pair: dict[tuple[str, str], list[int]]) -> list[dict]:
    """Moderated scores for about one in ten of the pairs that diverged."""
    records = []
    for (bid, cid), given in by_pair.items():
        if not given or max(given) - min(given) < 2 or rng.random() >= 0.1:
            continue
        middle = sorted(given)[len(given) // 2]
        records.append(
            {"bid": bid, "criterion": cid, "score": middle, "rationale": rng.choice(_RATIONALES)}
        )
    return records


def _gateway_results(rng: random.Random, bid_ids: list[str], gateways: list[str],
                     n_failing: int = 3) -> list[dict]:
    """A result for every bid and gateway; a few failures, on distinct bids."""
    failing = set(rng.sample(bid_ids, min(n_failing, max(0, len(bid_ids) - 1))))
    results = []
    for bid in bid_ids:
        failed_gateway = rng.choice(gateways) if bid in failing else None
        for gid in gateways:
            passed = gid != failed_gateway
            results.append(
                {
                    "bid": bid,
                    "criterion": gid,
                    "passed": passed,
                    "note": "" if passed else "Certificate not provided by the deadline.",
                }
            )
    return results

# ---- the sizes measured, and a file's audit log ------------------------------------------

#: The sizes `make bench` measures (keyword arguments of `make_large_evaluation`):
#: the large council tender, and the same tender with 500 bids (scaling, and the memory
#: goal of every command).
LARGE = {"n_bids": 60, "n_criteria": 100, "n_evaluators": 8, "cost_lines": 10}
BIDS_500 = {**LARGE, "n_bids": 500}
#: Audit events a file holds after a year of a large evaluation (typed and imported
#: scores, moderation, edits, exports), as in a council's real log of 52,140 events.
AUDIT_EVENTS = 50_000
_ACTIONS = (  # (action, entity, share of the log)
    ("score.set", "score", 0.70), ("consensus.set", "consensus", 0.08),
    ("gateway.set", "gateway", 0.04), ("bid.update", "bid", 0.05),
    ("criterion.update", "criterion", 0.03), ("evaluator.submit", "evaluator", 0.02),
    ("export.xlsx", "evaluation", 0.04), ("export.pdf", "evaluation", 0.04),
)


def audit_events(doc: dict[str, Any], n_events: int = AUDIT_EVENTS,
                 seed: int = 1) -> list[dict[str, Any]]:
    """A realistic audit log for `doc`: events as `Writer.audit_many` takes them.

    Mostly typed scores (before and after, with the comment), then moderation,
    gateway results, edits of bids and criteria, sign-offs and exports, by the
    evaluators and a procurement officer, in the proportions of a real log.
    """
    rng = random.Random(seed)
    people = [e["name"] for e in doc["evaluators"]] + ["C. Evans (procurement)"]
    scores, bids = doc["scores"], doc["bids"]
    crits = [c for c in doc["criteria"] if c["kind"] == "scored"]
    actions = [a for a, _, _ in _ACTIONS]
    weights = [w for _, _, w in _ACTIONS]
    entity = {a: e for a, e, _ in _ACTIONS}
    out = []
    for _ in range(n_events):
        action = rng.choices(actions, weights)[0]
        before: Any = None
        after: Any = None
        if action == "score.set" and scores:
            s = rng.choice(scores)
            eid = f"{s['evaluator']}/{s['bid']}/{s['criterion']}"
            before = {"score": max(0, s["score"] - 1), "comment": rng.choice(_COMMENTS)}
            after = {"score": s["score"], "comment": s["comment"]}
        elif action in ("consensus.set", "gateway.set") and bids and crits:
            eid = f"{rng.choice(bids)['id']}/{rng.choice(crits)['id']}"
            after = ({"score": rng.randint(0, SCALE_MAX), "rationale": rng.choice(_RATIONALES)}
                     if action == "consensus.set" else {"passed": rng.random() < 0.9})
        elif action == "bid.update" and bids:
            b = rng.choice(bids)
            eid, before, after = b["id"], {"notes": ""}, {"notes": b["notes"] or "Clarified."}
        elif action == "criterion.update" and crits:
            c = rng.choice(crits)
            eid, before, after = c["id"], {"weight": c["weight"]}, {"weight": c["weight"] + 1}
        elif action == "evaluator.submit":
            eid, after = rng.choice(doc["evaluators"])["id"], {"submitted": True}
        else:
            eid, after = "", {"file": f"evidence-{rng.randrange(1000):03d}"}
        out.append({"actor": rng.choice(people), "action": action, "entity": entity[action],
                    "entity_id": eid, "before": before, "after": after})
    return out


def add_audit_log(path: str | Path, n_events: int = AUDIT_EVENTS, seed: int = 1) -> int:
    """Append `audit_events` to an evaluation file's log, chained, in one unit of work
    that changes no figure (the log stays intact: `procure-desk verify` says so)."""
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        events = audit_events(ef.document(), n_events, seed)
        with ef.unit_of_work(changes_data=False) as w:
            w.audit_many(events)
    return len(events)


# ---- at the limits ----------------------------------------------------------------------

#: Quality sections, each scored by its own panel of evaluators (MAX_EVALUATORS / PANELS each).
PANELS = 10
#: Members of a panel who score one bid on that panel's section (double marking).
MARKERS = 2
#: The scores the panels have given so far: whole bids are marked until this is reached.
SCORE_BUDGET = 1_000_000
LIMITS_GATEWAYS = 20
_PRICE_LEAVES = (("P1", "Whole-life cost (NPV)", 3, "lowest_relative"),
                 ("P2", "Whole-life cost against the lowest", 1, "linear_deviation"))
_SENTENCES = (
    "Meets the requirement in full, with a worked example from a similar council.",
    "Partly evidenced: the answer describes the process but not who carries it out.",
    "The method statement relies on chargeable customisation for the benefits module.",
    "Clear, tested export of all data in open formats at the end of the contract.",
    "Vague on timescales; no plan for the data migration weekend.",
    "Strong references from two district councils of a similar size.",
    "No evidence offered beyond a statement that the requirement is met.",
    "Exceeds the requirement: the standard product already does this.",
    "The answer does not address the question asked.",
    "Accessibility statement and audit report provided; two minor issues open.",
)


def make_limits_evaluation(
    n_bids: int = MAX_BIDS,
    n_criteria: int = MAX_CRITERIA,
    n_evaluators: int = MAX_EVALUATORS,
    n_partners: int = MAX_PARTNERS,
    cost_lines: int = MAX_COST_LINES // MAX_BIDS,
    score_budget: int = SCORE_BUDGET,
    seed: int = 1,
) -> dict[str, Any]:
    """An evaluation at the count limits, scored the way a real panel would share the work.

    The counts are the limits of docs/bad-input.md: 1,000 bids with 50 cost lines each
    (50,000 in the file), 2,000 criteria (ten quality sections of four sub-sections, one
    branch nested to the deepest level allowed, a price section with two price criteria,
    twenty gateways and 1,922 scored questions), 100 evaluators and 100 partners.

    The share of scores. A full set would be 100 evaluators x 1,000 bids x 1,922
    questions, 192 million scores, and even one score per bid and question (1.9 million)
    leaves no second view to moderate. No panel works like that, and no file may: the
    limit is 2 million scores. So, as a large panel shares the work:
    - the evaluators sit on ten panels of ten, one panel per quality section, and each
      scores only the questions of their own section (about 190);
    - every bid is marked by two members of each panel (double marking, so that
      moderation has two views to compare), never by one with a declared conflict;
    - bids that fail a gateway are not marked (about 5%, as in a real sift), and the
      others are marked whole, in a shuffled order, until the panels have given about
      `score_budget` scores (1,000,000 by default: about 260 bids, so each evaluator
      gives some 10,000 scores). The rest are still to be marked: incomplete, as in a
      large evaluation part way through.
    So the file holds about a million scores (half the limit, and fewer than the 1,048,576
    rows of a worksheet), with the moderation, consensus, exclusions and missing scores
    of a large evaluation in progress. It is a competitive tender (a framework): the
    suppliers' offers are tenders, and the in-house, shared-service and do-nothing
    options are comparators beside them, so every export, the assessment summaries
    included, has its full work to do.
    The document passes every input rule: `import-json` accepts it.
    """
    # the sections, price and gateways, and a question under each section that takes them
    least = 1 + PANELS * 5 + (MAX_DEPTH - 4) + 1 + len(_PRICE_LEAVES) + LIMITS_GATEWAYS
    least += PANELS * 4 + MAX_DEPTH - 4
    if n_criteria < least or n_evaluators < PANELS * MARKERS:
        raise ValueError(f"need at least {least} criteria and {PANELS * MARKERS} evaluators")
    rng = random.Random(seed)
    criteria, panel_leaves = _limits_criteria(rng, n_criteria)
    gateways = [c["id"] for c in criteria if c["kind"] == "pass_fail"]
    partners = [
        {"id": f"C{k + 1:03d}", "name": f"{_SUPPLIER_STEMS[k % 10]} District Council {k + 1}",
         "population": rng.randrange(40_000, 180_000, 100),
         "baseline_annual_cost": rng.randrange(80_000, 400_000, 500)}
        for k in range(n_partners)
    ]
    bids = _limits_bids(rng, n_bids, cost_lines, [p["id"] for p in partners])
    bid_ids = [b["id"] for b in bids]
    evaluators = _limits_evaluators(rng, n_evaluators, bid_ids)
    gate_results = _gateway_results(rng, bid_ids, gateways, n_failing=n_bids // 20)
    failed = {g["bid"] for g in gate_results if not g["passed"]}
    order = [b for b in bid_ids if b not in failed]
    rng.shuffle(order)
    per_bid = MARKERS * sum(len(leaves) for leaves in panel_leaves)
    marked = set(order[: max(1, score_budget // per_bid)])
    scores, by_pair = _limits_scores(rng, evaluators, [b for b in bid_ids if b in marked],
                                     panel_leaves)
    return {
        "format": FORMAT,
        "version": VERSION,
        "evaluation": {
            "title": "Benchmark at the input limits: revenues and benefits framework",
            "reference": f"LIMITS-{seed:04d}",
            "authority": "Harrowmere District Council for 100 partner councils",
            "currency": "GBP",
            "scale": {"max": SCALE_MAX, "step": 1, "descriptors": dict(DESCRIPTORS)},
            "appraisal": {"years": 10, "discount_rate": 0.035, "cost_basis": "npv"},
            "moderation": {"spread_flag": 2},
            "procedure": "competitive_tender",
            "ocid_prefix": "ocds-h4rr0w",
        },
        "criteria": criteria,
        "bids": bids,
        "evaluators": evaluators,
        "scores": scores,
        "consensus": _consensus(rng, by_pair),
        "gateways": gate_results,
        "partners": partners,
    }


def _limits_criteria(rng: random.Random, n_criteria: int) -> tuple[list[dict], list[list[dict]]]:
    """Quality (PANELS sections of four sub-sections, the last branch nested to
    MAX_DEPTH), a price section of two price criteria and LIMITS_GATEWAYS gateways:
    n_criteria in all. Returns the criteria and each panel's scored questions."""
    criteria: list[dict] = [
        {"id": "Q", "name": "Quality", "kind": "section", "weight": 60, "parent": None}]
    parents: list[tuple[int, str]] = []  # (panel, section id) that take questions
    for s in range(PANELS):
        sid, name = f"Q{s + 1:02d}", _SECTION_NAMES[s % len(_SECTION_NAMES)]
        criteria.append({"id": sid, "name": name, "kind": "section",
                         "weight": rng.choice((5, 8, 10, 12, 15, 20)), "parent": "Q"})
        for sub in "ABCD":
            criteria.append({"id": f"{sid}.{sub}", "name": f"{name}: part {sub}",
                             "kind": "section", "weight": rng.randint(1, 4), "parent": sid})
            parents.append((s, f"{sid}.{sub}"))
    # one branch as deep as allowed: Q10.D (level 3) -> levels 4..MAX_DEPTH - 1 -> questions
    chain_parent = parents[-1][1]
    for level in range(4, MAX_DEPTH):
        cid = f"{chain_parent}.{level}"
        criteria.append({"id": cid, "name": f"Detailed requirement group, level {level}",
                         "kind": "section", "weight": 2, "parent": chain_parent})
        parents.append((PANELS - 1, cid))
        chain_parent = cid
    n_fixed = len(criteria) + 1 + len(_PRICE_LEAVES) + LIMITS_GATEWAYS
    n_scored = n_criteria - n_fixed
    panel_leaves: list[list[dict]] = [[] for _ in range(PANELS)]
    scored: list[dict] = []
    for k in range(n_scored):
        panel, parent = parents[k % len(parents)]
        leaf: dict[str, Any] = {
            "id": f"{parent}.{k // len(parents) + 1:03d}",
            "name": f"{_SECTION_NAMES[panel % len(_SECTION_NAMES)]}: question {k + 1}",
            "kind": "scored",
            "weight": rng.randint(1, 10),
            "parent": parent,
            "guidance": "Score against the descriptors; cite the section of the tender.",
        }
        if k % 97 == 5:
            leaf["min_score"] = 1
        if k % 53 == 7:
            leaf["descriptors"] = {str(v): f"{DESCRIPTORS[str(v)]} for this question"
                                   for v in range(SCALE_MAX + 1)}
        scored.append(leaf)
        panel_leaves[panel].append(leaf)
    # the questions follow their section in the list, as a person would enter them
    by_parent: dict[str, list[dict]] = {}
    for leaf in scored:
        by_parent.setdefault(leaf["parent"], []).append(leaf)
    ordered: list[dict] = []
    for c in criteria:
        ordered.append(c)
        ordered += by_parent.get(c["id"], [])
    ordered.append({"id": "P", "name": "Whole-life cost", "kind": "section", "weight": 40,
                    "parent": None})
    ordered += [{"id": pid, "name": name, "kind": "price", "weight": w, "parent": "P",
                 "formula": formula} for pid, name, w, formula in _PRICE_LEAVES]
    ordered += [{"id": f"G{g:02d}", "name": f"Mandatory requirement {g}", "kind": "pass_fail",
                 "parent": None} for g in range(1, LIMITS_GATEWAYS + 1)]
    assert len(ordered) == n_criteria
    return ordered, panel_leaves


def _limits_bids(rng: random.Random, n_bids: int, cost_lines: int,
                 partner_ids: list[str]) -> list[dict]:
    bids = []
    for bid in _bids(rng, n_bids, cost_lines):
        n = int(bid["id"][1:])
        bid["id"] = f"B{n:04d}"
        bid.pop("apportionment", None)
        if bid["option_type"] == "shared_service" and n % 10 == 4 and len(partner_ids) >= 2:
            sharing = sorted(rng.sample(partner_ids, min(len(partner_ids), rng.randint(2, 12))))
            method = ("equal", "population", "custom")[n % 3]
            app: dict[str, Any] = {"method": method, "partners": sharing}
            if method == "custom":
                cuts = sorted(rng.sample(range(1, 100), len(sharing) - 1))
                app["shares"] = {p: b - a for p, a, b in
                                 zip(sharing, [0, *cuts], [*cuts, 100])}
            bid["apportionment"] = app
        bids.append(bid)
    return bids


def _limits_evaluators(rng: random.Random, n_evaluators: int, bid_ids: list[str]) -> list[dict]:
    evaluators = []
    for e in range(n_evaluators):
        name, role = _EVALUATOR_NAMES[e % len(_EVALUATOR_NAMES)]
        panel = e % PANELS
        evaluators.append({"id": f"E{e + 1:03d}", "name": f"{name} ({e + 1})",
                           "role": f"{role}, panel {panel + 1}", "conflicts": []})
    for bid in sorted(rng.sample(bid_ids, min(len(bid_ids), n_evaluators // 2))):
        ev = evaluators[rng.randrange(n_evaluators)]
        ev["conflicts"].append(bid)
        if rng.random() < 0.5:
            ev.setdefault("declared", {})[bid] = f"2026-09-{rng.randint(1, 28):02d}"
    return evaluators


def _limits_scores(rng: random.Random, evaluators: list[dict], marked: list[str],
                   panel_leaves: list[list[dict]]
                   ) -> tuple[list[dict], dict[tuple[str, str], list[int]]]:
    """Each marked bid scored on each section by MARKERS members of that section's panel."""
    panels = [[e for k, e in enumerate(evaluators) if k % PANELS == p] for p in range(PANELS)]
    conflicted = {(e["id"], b) for e in evaluators for b in e["conflicts"]}
    quality = {b: rng.uniform(1.8, 4.4) for b in marked}
    difficulty = {c["id"]: rng.uniform(0.0 if "min_score" in c else -0.8, 0.6)
                  for leaves in panel_leaves for c in leaves}
    leniency = {e["id"]: rng.uniform(-0.5, 0.5) for e in evaluators}
    scores: list[dict] = []
    by_pair: dict[tuple[str, str], list[int]] = {}
    for n, bid in enumerate(marked):
        for p, leaves in enumerate(panel_leaves):
            members = panels[p]
            free = [e for e in members if (e["id"], bid) not in conflicted]
            start = n % len(free)
            markers = [free[(start + k) % len(free)]["id"] for k in range(min(MARKERS, len(free)))]
            for crit in leaves:
                cid = crit["id"]
                given = by_pair.setdefault((bid, cid), [])
                for eid in markers:
                    raw = quality[bid] + difficulty[cid] + leniency[eid] + rng.gauss(0.0, 0.8)
                    score = min(SCALE_MAX, max(0, round(raw)))
                    given.append(score)
                    comment = " ".join(rng.sample(_SENTENCES, rng.randint(1, 3)))
                    scores.append({"evaluator": eid, "bid": bid, "criterion": cid,
                                   "score": score, "comment": comment})
    return scores, by_pair


def write_limits_evaluation(path: str | Path, **kw: Any) -> Path:
    """Write make_limits_evaluation(**kw) as JSON to path; return the path."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        json.dump(make_limits_evaluation(**kw), fh, ensure_ascii=False, separators=(",", ":"))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--limits", action="store_true",
                        help="an evaluation at the input limits (make_limits_evaluation); "
                             "the sizes below then default to the limits")
    parser.add_argument("--bids", type=int, help="default 60")
    parser.add_argument("--criteria", type=int, help="default 100 scored criteria")
    parser.add_argument("--evaluators", type=int, help="default 8")
    parser.add_argument("--cost-lines", type=int, help="per bid; default 10")
    parser.add_argument("--score-budget", type=int,
                        help=f"with --limits: scores given so far (default {SCORE_BUDGET:,})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--audit-log", type=Path, metavar="PDESK",
                        help=f"instead: add {AUDIT_EVENTS:,} audit events to this evaluation "
                             "file (OUT is then ignored)")
    args = parser.parse_args(argv)
    if args.audit_log is not None:
        add_audit_log(args.audit_log, seed=args.seed)
        return 0
    sizes = {"n_bids": args.bids, "n_criteria": args.criteria,
             "n_evaluators": args.evaluators, "cost_lines": args.cost_lines}
    given = {k: v for k, v in sizes.items() if v is not None}
    if args.limits:
        if args.score_budget is not None:
            given["score_budget"] = args.score_budget
        write_limits_evaluation(args.out, seed=args.seed, **given)
    else:
        write_large_evaluation(args.out, seed=args.seed, **given)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
