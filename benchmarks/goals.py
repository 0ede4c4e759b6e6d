"""The speed goals of the command line, each as a figure, its floor and their ratio.

Every goal is measured in this run against a floor measured in the same run
(`floors.py`), so a loaded machine moves both:
- `import-json` in one pass: at most 1.5x reading, checking and inserting the same
  rows raw, and at most 1 KB of peak memory per score (at 60 and at 500 bids);
- `results --json`: at most 2.5x importing numpy and sqlite3 and reading the score
  table raw, without loading the ORM (SQLAlchemy, SQLModel, pydantic);
- `analyse` linear in bids: its in-process time from 60 to 500 bids grows no faster
  than the bids (an exponent of at most 1.2 in time ~ bids^k); so does validation;
- every command at 500 bids x 100 criteria x 8 evaluators under 600 MB of peak memory.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from .core import Context, ProcessRun, Row, median, remove_outputs, run_measured
from .generate import BIDS_500, LARGE, make_large_evaluation, write_large_evaluation

RUNS = 3
IMPORT_RATIO = 1.5
IMPORT_KB_PER_SCORE = 1.0
PER_SCORE_FROM = 200_000  # scores: below this, start-up memory outweighs the scores
RESULTS_RATIO = 2.5
LINEAR_EXPONENT = 1.2
MEMORY_500_MB = 600.0
ORM = ("sqlalchemy", "sqlmodel", "pydantic")
_MODULES = (
    "import contextlib, io, json, sys\n"
    "from procure_desk.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main(sys.argv[1:])\n"
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def goals(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    big_json = ctx.workdir / "bids-500.json"
    write_large_evaluation(big_json, seed=1, **BIDS_500)
    rows += _import_goal(ctx, "large", ctx.input_json, len(ctx.doc["scores"]))
    big_scores = len(json.loads(big_json.read_text(encoding="utf-8"))["scores"])
    rows += _import_goal(ctx, "500 bids", big_json, big_scores)
    rows += _results_goal(ctx)
    rows += _analyse_scaling()
    rows += _validation_scaling()
    rows += _memory_at_500(ctx, big_json)
    return rows


def _runs(ctx: Context, argv: list[str], before: Path | None = None) -> list[ProcessRun]:
    out = []
    for _ in range(RUNS):
        if before is not None:
            remove_outputs(before)
        r = run_measured(argv, ctx)
        r.check(" ".join(argv[2:4]))
        out.append(r)
    return out


def _ratio_rows(name: str, runs: list[ProcessRun], floor: list[ProcessRun], target: float,
                floor_words: str) -> list[Row]:
    fig, low = median([r.seconds for r in runs]), median([r.seconds for r in floor])
    ratio = fig / low if low > 0 else math.inf
    return [Row.info(f"{name} wall time (median of {RUNS})", fig, "s"),
            Row.info(f"{name} floor: {floor_words} (median of {RUNS})", low, "s"),
            Row.limit(f"{name} / floor", ratio, "x", target,
                      note=f"{fig:.2f} s against {low:.2f} s")]


def _import_goal(ctx: Context, size: str, src: Path, n_scores: int) -> list[Row]:
    out = ctx.workdir / f"goal-{size.replace(' ', '-')}.pdesk"
    runs = _runs(ctx, ctx.procure_desk("import-json", src, out), before=out)
    floor_out = ctx.workdir / "floor.pdesk"
    floor = _runs(ctx, [sys.executable, "-m", "benchmarks.floors", "import", str(src),
                        str(out), str(floor_out)], before=floor_out)
    rows = _ratio_rows(f"import-json ({size}, {n_scores:,} scores)", runs, floor,
                       IMPORT_RATIO, "read, validate and insert the rows raw")
    peaks = [r.max_rss_mb for r in runs if r.max_rss_mb is not None]
    if peaks:
        per_score = max(peaks) * 1024 / n_scores
        name = f"import-json ({size}) peak memory per score"
        note = f"{max(peaks):.0f} MB peak"
        if n_scores < PER_SCORE_FROM:  # the interpreter's own 70 MB would be most of it
            rows.append(Row.info(name, per_score, "KB", note=note + "; the goal is set on "
                                 f"files of {PER_SCORE_FROM:,} scores or more"))
        else:
            rows.append(Row.limit(name, per_score, "KB", IMPORT_KB_PER_SCORE, note=note))
    return rows


def _results_goal(ctx: Context) -> list[Row]:
    pdesk = ctx.imported_file()
    runs = _runs(ctx, ctx.procure_desk("results", pdesk, "--json"))
    floor = _runs(ctx, [sys.executable, "-m", "benchmarks.floors", "read", str(pdesk)])
    rows = _ratio_rows("results --json (large)", runs, floor, RESULTS_RATIO,
                       "import numpy and sqlite3, read the scores raw")
    loaded = run_measured([sys.executable, "-c", _MODULES, "results", str(pdesk), "--json"], ctx)
    loaded.check("results --json (modules)")
    found = sorted(set(json.loads(loaded.stdout.strip().splitlines()[-1])) & set(ORM))
    rows.append(Row("results --json loads the ORM", ", ".join(found) or "no", "", None,
                    not found, "SQLAlchemy, SQLModel and pydantic must stay unloaded"))
    return rows


def _analyse_scaling() -> list[Row]:
    """`analysis.analyse` in-process (no start-up), at 60, 250 and 500 bids."""
    from procure_desk import analysis
    from procure_desk.interchange import validate

    times = {}
    for n in (60, 250, 500):
        doc = validate(make_large_evaluation(seed=1, **{**LARGE, "n_bids": n}))
        best = math.inf
        for _ in range(RUNS):
            start = time.perf_counter()
            analysis.analyse(doc, draws=analysis.DEFAULT_DRAWS)
            best = min(best, time.perf_counter() - start)
        times[n] = best
    k = math.log(times[500] / times[60]) / math.log(500 / 60)
    return [Row.info("analyse in-process at 60 / 250 / 500 bids (best of 3)",
                     " / ".join(f"{times[n]:.2f}" for n in (60, 250, 500)), "s"),
            Row.limit("analyse: growth with bids (time ~ bids^k), k", k, "", LINEAR_EXPONENT,
                      note="1 is linear; the floor is the bids themselves")]


def _validation_scaling() -> list[Row]:
    """`interchange.validate` in-process at 250 and 500 bids (twice the records)."""
    from procure_desk.interchange import validate

    times = {}
    for n in (250, 500):
        doc = make_large_evaluation(seed=1, **{**LARGE, "n_bids": n})
        best = math.inf
        for _ in range(RUNS):
            start = time.perf_counter()
            validate(doc)
            best = min(best, time.perf_counter() - start)
        times[n] = best
    k = math.log(times[500] / times[250]) / math.log(2)
    return [Row.info("validate in-process at 250 / 500 bids (best of 3)",
                     f"{times[250]:.2f} / {times[500]:.2f}", "s"),
            Row.limit("validate: growth with the file (time ~ records^k), k", k, "",
                      LINEAR_EXPONENT, note="1 is linear")]


def _memory_at_500(ctx: Context, src: Path) -> list[Row]:
    pdesk = ctx.workdir / "goal-500-bids.pdesk"
    out = ctx.workdir / "out-500"
    out.mkdir(exist_ok=True)
    commands: dict[str, list[str | Path]] = {
        "results --json": ["results", pdesk, "--json"],
        "results": ["results", pdesk],
        "analyse --json": ["analyse", pdesk, "--json"],
        "analyse": ["analyse", pdesk],
        "status": ["status", pdesk],
        "verify": ["verify", pdesk],
        "export-json": ["export-json", pdesk, out / "back.json", "--force"],
        "export --ocds": ["export", pdesk, "--ocds", out / "ocds.json", "--force"],
    }
    remove_outputs(pdesk)
    imported = run_measured(ctx.procure_desk("import-json", src, pdesk), ctx)
    imported.check("import-json (500 bids)")
    rows = [_memory_row("import-json", imported)]
    for label, args in commands.items():
        r = run_measured(ctx.procure_desk(*args), ctx)
        r.check(label)
        rows.append(_memory_row(label, r))
    return rows


def _memory_row(label: str, r: ProcessRun) -> Row:
    name = f"500 x 100 x 8: {label} peak memory"
    if r.max_rss_mb is None:
        return Row(name, None, "MB", MEMORY_500_MB, None, "not measurable here")
    return Row.limit(name, r.max_rss_mb, "MB", MEMORY_500_MB, note=f"{r.seconds:.1f} s")
