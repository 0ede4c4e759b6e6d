"""`procure-desk analyse FILE --json` on the large evaluation, Monte Carlo included.

Also the Monte Carlo alone, in-process, with the default 10,000 draws: it must be
vectorised (no Python loop per draw) to stay within a second.
"""

from __future__ import annotations

import time

from .core import BenchmarkError, Context, Row, median, parse_json_object
from .core import run_measured as run

RUNS = 3
ANALYSE_TARGET_S = 2.0
MONTE_CARLO_TARGET_S = 1.0


def analyse(ctx: Context) -> list[Row]:
    """Median of 3 whole-process runs; the output must be the analysis JSON."""
    pdesk = ctx.imported_file()
    runs = []
    for _ in range(RUNS):
        r = run(ctx.procure_desk("analyse", pdesk, "--json"), ctx)
        r.check("analyse --json")
        data = parse_json_object(r.stdout)
        missing = {"switching", "formulas", "leave_one_out", "monte_carlo", "shared"} - set(data)
        if missing:
            raise BenchmarkError(f"analyse --json lacks {', '.join(sorted(missing))}")
        runs.append(r)
    draws = data["monte_carlo"]["draws"]

    from procure_desk import analysis
    from procure_desk.engine import Snapshot, compute
    from procure_desk.interchange import validate

    snap = Snapshot.from_doc(validate(ctx.doc))
    res = compute(snap)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        analysis.monte_carlo(snap, res)
        times.append(time.perf_counter() - start)
    return [
        Row.limit(f"analyse --json wall time (median of {RUNS})",
                  median([r.seconds for r in runs]), "s", ANALYSE_TARGET_S,
                  note=f"{draws:,} Monte Carlo draws; runs: "
                       + ", ".join(f"{r.seconds:.2f}" for r in runs)),
        Row.limit(f"monte_carlo, {analysis.DEFAULT_DRAWS:,} draws (in-process, median of {RUNS})",
                  median(times), "s", MONTE_CARLO_TARGET_S),
    ]
