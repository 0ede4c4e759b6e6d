"""Start-up of the application bundle (`make dist`) against the virtualenv.

Each run is a fresh process, bundle and virtualenv runs alternating so that a change
in the machine's load falls on both alike: `procure-desk --version` (the command line
starting), `results --json` (the core's libraries loaded), and the desktop application
opened on the demo evaluation and closed as soon as its window is up
(PROCURE_DESK_QUIT_AFTER=0, offscreen: ui/quit_after.py). The goal: the bundle no slower
than 1.2 x the virtualenv. Not measured when no bundle is built.
`python -m benchmarks.bundle` (`make dist-bench`) prints these figures alone.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .core import PROCESS_TIMEOUT_S, REPO_ROOT, BenchmarkError, Context, Row

RUNS = 7
RATIO_TARGET = 1.2
BUNDLE = REPO_ROOT / "build" / "dist" / "procure-desk" / "procure-desk"


def _seconds(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    r = subprocess.run(args, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S)
    took = time.perf_counter() - start
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-4:]) or "(no stderr)"
        raise BenchmarkError(f"{' '.join(args[-2:])} exited {r.returncode}: {tail}")
    return took


def compare(name: str, tail: list[str], ctx: Context, extra: dict[str, str]) -> list[Row]:
    env = {**os.environ, **ctx.env, **extra}
    env.pop("PYTHONPATH", None)
    bundle_runs: list[float] = []
    venv_runs: list[float] = []
    for _ in range(RUNS):
        bundle_runs.append(_seconds([str(BUNDLE), *tail], env, ctx.workdir))
        venv_runs.append(_seconds([sys.executable, str(REPO_ROOT / "main.py"), *tail], env,
                                  ctx.workdir))
    b, v = statistics.median(bundle_runs), statistics.median(venv_runs)
    return [
        Row.info(f"{name}: bundle (median of {RUNS})", b, "s",
                 note="runs: " + ", ".join(f"{x:.2f}" for x in bundle_runs)),
        Row.info(f"{name}: virtualenv (median of {RUNS})", v, "s",
                 note="runs: " + ", ".join(f"{x:.2f}" for x in venv_runs)),
        Row.limit(f"{name}: bundle / virtualenv", b / v, "x", RATIO_TARGET),
    ]


def startup(ctx: Context) -> list[Row]:
    if not BUNDLE.is_file():
        raise BenchmarkError(f"no bundle at {BUNDLE.relative_to(REPO_ROOT)}: run make dist")
    from procure_desk.paths import SAMPLE_TENDER
    from procure_desk.services import import_json

    demo = ctx.workdir / "bundle-start.pdesk"
    if not demo.exists():
        import_json(SAMPLE_TENDER, demo, actor="benchmark").close()
    with tempfile.TemporaryDirectory() as home:  # the app's settings and data, not the user's
        gui = {"QT_QPA_PLATFORM": "offscreen", "PROCURE_DESK_QUIT_AFTER": "0", "HOME": home,
               "XDG_DATA_HOME": "", "XDG_CONFIG_HOME": ""}
        gui = {k: v for k, v in gui.items() if v}
        home_only = {"HOME": home}
        rows = compare("--version", ["--version"], ctx, home_only)
        rows += compare("results --json on the demo", ["results", "--json", str(demo)], ctx,
                        home_only)
        rows += compare("window opened on the demo and closed", [str(demo)], ctx, gui)
    return rows


def main() -> int:
    from .report import table

    with tempfile.TemporaryDirectory(prefix="procure-desk-bench-") as tmp:
        ctx = Context(workdir=Path(tmp), input_json=Path(tmp) / "unused.json", doc={},
                      env={"QT_QPA_PLATFORM": "offscreen"})
        try:
            rows = startup(ctx)
        except BenchmarkError as exc:
            print(f"not measured: {exc}")
            return 1
    print(table(rows, []))
    return 0


if __name__ == "__main__":
    sys.exit(main())
