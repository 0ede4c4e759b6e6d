"""A large, valid interchange document for the benchmarks.

The document follows docs/format.md and obeys every rule of docs/bad-input.md, so
`import-json` accepts it. It is deterministic for a given seed: the same
arguments always give the same document, byte for byte once written.

Run `python -m benchmarks.generate OUT.json` to write one for manual checks.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

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


def _gateway_results(rng: random.Random, bid_ids: list[str], gateways: list[str]) -> list[dict]:
    """A result for every bid and gateway; a few failures, on distinct bids."""
    failing = set(rng.sample(bid_ids, min(3, max(0, len(bid_ids) - 1))))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bids", type=int, default=60)
    parser.add_argument("--criteria", type=int, default=100)
    parser.add_argument("--evaluators", type=int, default=8)
    parser.add_argument("--cost-lines", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write_large_evaluation(
        args.out,
        n_bids=args.bids,
        n_criteria=args.criteria,
        n_evaluators=args.evaluators,
        cost_lines=args.cost_lines,
        seed=args.seed,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
