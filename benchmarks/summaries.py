"""Assessment summaries of a competitive tender at 500 bids x 100 criteria x 8 evaluators.

The generated evaluation (benchmarks.generate) made a competitive tender whose
results are final and ready to issue: every evaluator declared and submitted, every
gateway recorded, feedback written for every tender on every scored and price
criterion, and award details set. Divergent-score flags are switched off (a spread
flag above the scale) so that no moderation is outstanding. Every option is a
commercial tender but one in-house build, a comparator that gets no summary. Each
unsuccessful bidder's summary also carries the successful tender's scores and
reasons, so the work is about twice the tenders' own rows.

`procure-desk export FILE --summaries DIR` runs in its own process, so the time
includes start-up, the final check and the disclosure scan. The size comes from
PROCURE_DESK_BENCH_SUMMARY_BIDS (default 500); standalone:
`python -m benchmarks.summaries [BIDS]`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .core import Context, Row, remove_outputs, run_measured
from .generate import make_large_evaluation

SUMMARY_SECONDS = 20.0
BIDS = 500
CRITERIA = 100
EVALUATORS = 8
REASONS = (
    "The response sets out a clear, evidenced approach that meets the requirement, with "
    "named roles and a plan the council can check at each stage; some detail on "
    "reporting is missing.",
    "A partial answer: the method is described, but the evidence offered does not show it "
    "working at a council of similar size, and two of the outcomes asked for are not "
    "addressed.",
    "A strong answer with specific, measurable commitments, tied to service credits in the "
    "draft contract, and a demonstration that showed the feature working end to end.",
)


def ready_tender(n_bids: int, *, seed: int = 1) -> dict[str, Any]:
    """The generated evaluation as a competitive tender ready for its summaries."""
    doc = make_large_evaluation(n_bids=n_bids, n_criteria=CRITERIA,
                                n_evaluators=EVALUATORS, seed=seed)
    ev = doc["evaluation"]
    ev["procedure"] = "competitive_tender"
    ev["moderation"]["spread_flag"] = float(ev["scale"]["max"]) + 1
    ev["award"] = {"notice_date": "2026-10-19", "standstill_days": 8,
                   "contact": "Procurement team, procurement@example.gov.uk"}
    builds = [b for b in doc["bids"] if b["option_type"] == "build"]
    for b in doc["bids"]:  # every option a commercial tender but one in-house build
        if not builds or b is not builds[0]:
            b["tender"] = True
    for e in doc["evaluators"]:
        e["declaration"] = {"date": "2026-09-01", "interests": ""}
        e["submitted"] = "2026-09-30T16:00:00Z"
    gates = [c["id"] for c in doc["criteria"] if c["kind"] == "pass_fail"]
    have = {(g["bid"], g["criterion"]) for g in doc["gateways"]}
    doc["gateways"] += [{"bid": b["id"], "criterion": g, "passed": True}
                        for b in doc["bids"] for g in gates if (b["id"], g) not in have]
    leaves = [c["id"] for c in doc["criteria"] if c["kind"] in ("scored", "price")]
    doc["feedback"] = [{"bid": b["id"], "criterion": cid,
                        "text": REASONS[(k + n) % len(REASONS)]}
                       for k, b in enumerate(doc["bids"]) for n, cid in enumerate(leaves)]
    return doc


def summaries(ctx: Context) -> list[Row]:
    n_bids = int(os.environ.get("PROCURE_DESK_BENCH_SUMMARY_BIDS", BIDS))
    src = ctx.workdir / f"tender-{n_bids}.json"
    pdesk = ctx.workdir / f"tender-{n_bids}.pdesk"
    out = ctx.workdir / f"summaries-{n_bids}"
    remove_outputs(pdesk)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    doc = ready_tender(n_bids)
    src.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    run_measured(ctx.procure_desk("import-json", src, pdesk), ctx).check("import-json")
    run = run_measured(ctx.procure_desk("export", pdesk, "--summaries", out), ctx)
    run.check("export --summaries")
    files = list(out.glob("*.pdf"))
    size = f"{n_bids} x {CRITERIA} x {EVALUATORS}"
    rows = [Row.limit(f"export --summaries at {size}", run.seconds, "s",
                      SUMMARY_SECONDS),
            Row.info("summaries and notices written", len(files)),
            Row.info("summaries: seconds per letter", run.seconds / max(1, len(files)), "s")]
    if run.max_rss_mb is not None:
        rows.append(Row.info("export --summaries peak RSS", run.max_rss_mb, "MB"))
    return rows


if __name__ == "__main__":
    import tempfile

    if len(sys.argv) > 1:
        os.environ["PROCURE_DESK_BENCH_SUMMARY_BIDS"] = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(workdir=Path(tmp), input_json=Path(tmp) / "unused.json", doc={})
        for row in summaries(ctx):
            value = round(row.value, 2) if isinstance(row.value, float) else row.value
            print(f"{row.name}: {value} {row.unit}"
                  + ("" if row.ok is None else (" (met)" if row.ok else " (missed)")))
