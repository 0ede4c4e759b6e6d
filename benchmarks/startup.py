"""The desktop application's start against a bare window, both fresh processes.

- floor: import Qt's widgets, make the QApplication, show a bare QMainWindow and
  process its events: the least any Qt desktop program waits for;
- window: what a user starting ProcureDesk on the large evaluation waits for until the
  Results view shows: the application's modules imported, its QApplication, the main
  window, the file opened, the Results view shown and its events processed.

Each is timed inside its own process from its first statement (the interpreter's own
start is left out of both), runs alternating so a change in the machine's load falls
on both alike; the goal is the window within 5x its floor. Also reported: which heavy
modules the window loaded on the way (none of them is used before Results shows).

`python -m benchmarks.startup FILE.pdesk` prints the same figures alone.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from .core import PROCESS_TIMEOUT_S, REPO_ROOT, BenchmarkError, Context, Row

RUNS = 5
RATIO_TARGET = 5.0
# libraries the window might load before Results shows: the exports' and the workbooks'
# are not used there; the ORM's (SQLAlchemy, SQLModel, pydantic) are, by the services
# the window reads and edits through (the Results view's chart is QtCharts: used)
HEAVY = ("pandas", "reportlab", "openpyxl", "xlsxwriter", "sqlalchemy", "sqlmodel",
         "pydantic")

_FLOOR = """\
import time
t0 = time.perf_counter()
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.resize(1440, 900)
w.show()
app.processEvents()
print(time.perf_counter() - t0, flush=True)
import os
os._exit(0)
"""

_WINDOW = """\
import time
t0 = time.perf_counter()
import os, sys, tempfile
from pathlib import Path
from ui.app import make_application
from PySide6.QtCore import QStandardPaths
QStandardPaths.setTestModeEnabled(True)
app = make_application([sys.argv[0]])
from ui.main_window import MainWindow
from ui.settings import Settings
tmp = tempfile.mkdtemp()
settings = Settings(Path(tmp) / "settings.ini")
settings.user_name = "benchmark"
window = MainWindow(settings=settings)
window.resize(1440, 900)
if not window.open_file(sys.argv[1]):
    raise SystemExit("could not open " + sys.argv[1])
window.show_view("results")
window.show()
app.processEvents()
took = time.perf_counter() - t0
import json
heavy = sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)
print(json.dumps({"s": took, "heavy": heavy}), flush=True)
os._exit(0)
"""


_SERVICES = """\
import time
import procure_desk.engine, procure_desk.store.raw  # numpy and sqlite3: a raw read needs them
t0 = time.perf_counter()
import procure_desk.services
print(time.perf_counter() - t0, flush=True)
"""


def _child(code: str, *args: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    r = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=REPO_ROOT,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=PROCESS_TIMEOUT_S)
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-4:]) or "(no stderr)"
        raise BenchmarkError(f"start-up child exited {r.returncode}: {tail}")
    return r.stdout.strip().splitlines()[-1]


def measure(path: Path, runs: int = RUNS) -> dict:
    floors: list[float] = []
    windows: list[float] = []
    services: list[float] = []
    heavy: list[str] = []
    for _ in range(runs):
        floors.append(float(_child(_FLOOR)))
        services.append(float(_child(_SERVICES)))
        data = json.loads(_child(_WINDOW, str(path), json.dumps(HEAVY)))
        windows.append(data["s"])
        heavy = data["heavy"]
    return {"floor_s": statistics.median(floors), "window_s": statistics.median(windows),
            "services_s": statistics.median(services), "floor_runs": floors,
            "window_runs": windows, "heavy": heavy}


def startup_window(ctx: Context) -> list[Row]:
    from .gui import _large_file

    data = measure(_large_file(ctx))
    return rows(data)


def rows(data: dict) -> list[Row]:
    floor, window = data["floor_s"], data["window_s"]
    return [
        Row.info(f"floor: a bare QMainWindow shown (median of {len(data['floor_runs'])})",
                 floor, "s", note="runs: " + ", ".join(f"{x:.2f}" for x in data["floor_runs"])),
        Row.info(f"window with the large file until Results shows (median of "
                 f"{len(data['window_runs'])})", window, "s",
                 note="runs: " + ", ".join(f"{x:.2f}" for x in data["window_runs"])),
        Row.limit("window until Results shows / bare window", window / floor, "x",
                  RATIO_TARGET),
        Row.info("of which: importing the services (the ORM: SQLAlchemy, SQLModel, pydantic)",
                 data["services_s"], "s", note="a fresh process importing procure_desk.services"),
        Row.info("window without that import / bare window",
                 (window - data["services_s"]) / floor, "x",
                 note="what a first paint read with sqlite3 alone could reach"),
        Row.info("heavy modules loaded before Results shows",
                 ", ".join(data["heavy"]) or "none",
                 note="of " + ", ".join(HEAVY)),
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m benchmarks.startup FILE.pdesk", file=sys.stderr)
        return 2
    for row in rows(measure(Path(args[0]))):
        value = f"{row.value:.3f}" if isinstance(row.value, float) else row.value
        verdict = "" if row.ok is None else ("  OK" if row.ok else "  MISSED")
        print(f"{row.name}: {value} {row.unit}{verdict}  {row.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
