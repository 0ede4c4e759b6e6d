"""The audit chain's cost on the large evaluation (docs/audit-chain.md budgets).

- `verify` of the large evaluation (a whole process) <= 2 s;
- opening the file and verifying it, in process (what the app does before it
  shows a file) <= 2 s;
- a typed score reaching the results with the chain in place <= 100 ms (median of
  typed scores after the first, which also keeps the session's backup copy).
"""

from __future__ import annotations

import shutil
import statistics
import time

from .core import Context, Row, run_measured

VERIFY_TARGET_S = 2.0
OPEN_TARGET_S = 2.0
TYPED_TARGET_MS = 100.0
TYPED_SCORES = 20


def governance(ctx: Context) -> list[Row]:
    from procure_desk.services import EvaluationFile

    path = ctx.workdir / "chain.pdesk"
    shutil.copyfile(ctx.imported_file(), path)
    run = run_measured(ctx.procure_desk("verify", path), ctx)
    run.check("verify")
    start = time.perf_counter()
    ef = EvaluationFile.open(path)
    intact = ef.verify().intact
    ef.results()
    open_s = time.perf_counter() - start
    doc = ef.document()
    first = doc["scores"][0]
    key = (first["evaluator"], first["bid"], first["criterion"])
    times = []
    for k in range(TYPED_SCORES + 1):
        start = time.perf_counter()
        ef.set_score("bench", *key, k % 2)
        ef.results()
        times.append((time.perf_counter() - start) * 1000)
    first_ms, typed_ms = times[0], statistics.median(times[1:])
    ef.close()
    return [
        Row.limit("verify (whole process)", run.seconds, "s", VERIFY_TARGET_S,
                  note=f"{len(doc['scores']):,} scores"),
        Row.limit("open, verify and compute (in-process)", open_s, "s", OPEN_TARGET_S,
                  note="intact" if intact else "NOT INTACT"),
        Row.limit(f"typed score to results with the chain (median of {TYPED_SCORES})",
                  typed_ms, "ms", TYPED_TARGET_MS,
                  note=f"the first {first_ms:.0f} ms: it also keeps the session's backup"),
    ]
