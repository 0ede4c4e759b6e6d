"""`python -m benchmarks`: generate a large evaluation, measure, report.

Prints a table and writes bench-out/report.json. A missed target is reported, not an
error; a benchmark that cannot run (say, a module not written yet) is reported as not
measured and the others still run. The exit status is 0 unless the runner itself fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import (
    analysis,
    bundle,
    cli_process,
    exports,
    goals,
    governance,
    gui,
    limits,
    load,
    pack,
    recompute,
    startup,
    summaries,
    team,
    workbooks,
)
from .core import REPO_ROOT, Benchmark, BenchmarkError, Context, Row
from .generate import LARGE, make_large_evaluation, write_large_evaluation
from .report import summary, table, write_json

GENERATOR_ARGS = LARGE


def document(ctx: Context) -> list[Row]:
    """What was measured on: the size of the generated evaluation."""
    doc = ctx.doc
    return [
        Row.info(
            "input: bids x scored criteria",
            f"{len(doc['bids'])} x {sum(c['kind'] == 'scored' for c in doc['criteria'])}",
        ),
        Row.info("input: scores", len(doc["scores"])),
        Row.info("input: interchange JSON size", ctx.input_json.stat().st_size / 1e6, "MB"),
    ]


# Add a benchmark by writing a function (Context) -> list[Row] and listing it here.
BENCHMARKS: list[Benchmark] = [
    document,
    cli_process.import_json,
    cli_process.results_json,
    goals.goals,
    recompute.recompute,
    governance.governance,
    load.load,
    analysis.analyse,
    exports.evidence_pack,
    pack.pack,
    pack.pack_500,
    exports.pdf_report,
    summaries.summaries,
    workbooks.import_bid_workbooks,
    workbooks.import_scoring_sheets,
    workbooks.hostile_refusals,
    gui.gui,
    startup.startup_window,
    bundle.startup,
    limits.limits,
    team.team,
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "bench-out",
        help="folder for report.json (default: bench-out/ in the repo)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only the benchmarks whose name contains NAME (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    selected = [b for b in BENCHMARKS if not args.only or any(s in _name(b) for s in args.only)]
    workdir = Path(tempfile.mkdtemp(prefix="procure-desk-bench-"))
    try:
        rows, failures, meta = _run(selected, workdir, args.seed)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(table(rows, failures))
    report_path = args.out / "report.json"
    write_json(report_path, meta, rows, failures)
    s = summary(rows, failures)
    print(
        f"\n{s['ok']} OK, {s['miss']} missed, {s['not_measured']} not measured; "
        f"report: {_shown(report_path)}"
    )
    return 0


def _run(
    selected: list[Benchmark], workdir: Path, seed: int
) -> tuple[list[Row], list[dict[str, str]], dict]:
    input_json = workdir / "large-evaluation.json"
    write_large_evaluation(input_json, seed=seed, **GENERATOR_ARGS)
    doc = make_large_evaluation(seed=seed, **GENERATOR_ARGS)
    env = {"QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    ctx = Context(workdir=workdir, input_json=input_json, doc=doc, env=env)

    rows: list[Row] = []
    failures: list[dict[str, str]] = []
    for bench in selected:
        name = _name(bench)
        print(f"running {name} ...", flush=True)
        start = time.perf_counter()
        try:
            new_rows = list(bench(ctx))
        except Exception as exc:
            reason = _reason(exc)
            print(f"  {name}: not measured: {reason}", flush=True)
            failures.append({"benchmark": name, "error": reason})
            continue
        rows += new_rows
        print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)

    meta = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "input": {
            **GENERATOR_ARGS,
            "seed": seed,
            "scores": len(doc["scores"]),
            "json_bytes": input_json.stat().st_size,
        },
    }
    return rows, failures, meta


def _reason(exc: Exception) -> str:
    if isinstance(exc, BenchmarkError):
        return str(exc)
    if isinstance(exc, ImportError):
        return f"{type(exc).__name__}: {exc} (not written yet?)"
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"


def _name(bench: Benchmark) -> str:
    return getattr(bench, "__name__", repr(bench)).replace("_", "-")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
