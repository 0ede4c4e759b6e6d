"""Whole-process figures of the command line: wall time and peak memory per command.

Each run is a fresh interpreter, as a user (or a script) would see it, start-up included.
"""

from __future__ import annotations

from .core import BenchmarkError, Context, Row, median, parse_json_object, remove_outputs
from .core import run_measured as run

IMPORT_RUNS = 3
IMPORT_TARGET_S = 3.0
RESULTS_RUNS = 5
RESULTS_TARGET_S = 1.5
MEMORY_TARGET_MB = 300.0


def import_json(ctx: Context) -> list[Row]:
    """`procure-desk import-json IN OUT`, median of 3 (OUT removed before each run)."""
    out = ctx.workdir / "bench-import.pdesk"
    runs = []
    for _ in range(IMPORT_RUNS):
        remove_outputs(out)
        r = run(ctx.procure_desk("import-json", ctx.input_json, out), ctx)
        r.check("import-json")
        if not out.exists():
            raise BenchmarkError(f"import-json exited 0 but did not write {out.name}")
        runs.append(r)
    ctx.imported = out
    size_mb = out.stat().st_size / 1e6
    return [
        Row.limit(
            f"import-json wall time (median of {IMPORT_RUNS})",
            median([r.seconds for r in runs]),
            "s",
            IMPORT_TARGET_S,
            note=f"runs: {_list(r.seconds for r in runs)}",
        ),
        _memory_row("import-json peak memory (max RSS)", runs),
        Row.info("import-json output file size", size_mb, "MB"),
    ]


def results_json(ctx: Context) -> list[Row]:
    """`procure-desk results FILE --json`, median of 5; the output must parse."""
    pdesk = ctx.imported_file()
    runs = []
    for _ in range(RESULTS_RUNS):
        r = run(ctx.procure_desk("results", pdesk, "--json"), ctx)
        r.check("results --json")
        runs.append(r)
    return [
        Row.limit(
            f"results --json wall time (median of {RESULTS_RUNS})",
            median([r.seconds for r in runs]),
            "s",
            RESULTS_TARGET_S,
            note=f"runs: {_list(r.seconds for r in runs)}",
        ),
        _memory_row("results --json peak memory (max RSS)", runs),
        _output_row(ctx, [r.stdout for r in runs]),
    ]


def _output_row(ctx: Context, outputs: list[str]) -> Row:
    name = "results --json output"
    try:
        parsed = [parse_json_object(text) for text in outputs]
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return Row(name, "not one JSON object", "", None, False, str(exc)[:200])
    first = parsed[0]
    if "winner" not in first:
        return Row(name, "no 'winner' key", "", None, False, f"keys: {sorted(first)[:10]}")
    if any(p != first for p in parsed[1:]):
        return Row(name, "differs between runs", "", None, False)
    n_bids = len(first.get("bids") or [])
    expected = len(ctx.doc["bids"])
    ok = n_bids == expected
    note = "" if ok else f"{n_bids} bids listed, {expected} in the input"
    return Row(name, f"valid; winner {first['winner']}", "", None, ok, note)


def _memory_row(name: str, runs: list) -> Row:
    peaks = [r.max_rss_mb for r in runs if r.max_rss_mb is not None]
    if not peaks:
        return Row(name, None, "MB", MEMORY_TARGET_MB, None, "not measurable here (no os.wait4)")
    return Row.limit(name, max(peaks), "MB", MEMORY_TARGET_MB)


def _list(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)
