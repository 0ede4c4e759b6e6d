"""The desktop application on the large evaluation, offscreen.

(a) The window shown with the file open: MainWindow, open_file, show, events
processed, in a fresh process (Qt and the views imported on the way, as a user
starting the application sees it; the interpreter's own start is not counted).
(b) A typed score reaching the Results view: a digit pressed in the Scoring grid,
then the Results view shown with the bid's new total in its table. Median of
several keystrokes after one visit to each view (the views are built once per file).

Run in a child process (`python -m benchmarks.gui FILE`) so that the QApplication
and its windows never outlive the measure.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

from .core import BenchmarkError, Context, Row, parse_json_object
from .core import run_measured as run

WINDOW_TARGET_S = 2.0
SCORE_TARGET_MS = 100.0
KEYSTROKES = 9


def gui(ctx: Context) -> list[Row]:
    pdesk = _large_file(ctx)
    r = run([sys.executable, "-m", "benchmarks.gui", str(pdesk)], ctx)
    r.check("benchmarks.gui")
    data = parse_json_object(r.stdout.strip().splitlines()[-1])
    n = data["keystrokes"]
    return [
        Row.limit("window shown with the large file open", data["window_s"], "s",
                  WINDOW_TARGET_S, note="MainWindow + open_file + show + events"),
        Row.limit(f"typed score reaches the Results view (median of {n})",
                  data["score_to_results_ms"]["median"], "ms", SCORE_TARGET_MS,
                  note="max {:.0f} ms".format(data["score_to_results_ms"]["max"])),
        Row.info(f"typed score shown in the Scoring grid (median of {n})",
                 data["score_in_grid_ms"]["median"], "ms"),
        Row.info("first visit to the Scoring view", data["first_scoring_ms"], "ms"),
        Row.info("first visit to the Results view", data["first_results_ms"], "ms"),
    ]


def _large_file(ctx: Context) -> Path:
    from procure_desk.services import EvaluationFile

    path = ctx.workdir / "gui-large.pdesk"
    if not path.exists():
        EvaluationFile.create(path, ctx.doc, actor="benchmark").close()
    return path


def measure(path: Path) -> dict:
    """What `gui` reports, measured in this process."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QCoreApplication, QStandardPaths
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("ProcureDeskBench")
    QCoreApplication.setApplicationName("ProcureDeskBench")
    app = QApplication.instance() or QApplication([sys.argv[0]])

    start = time.perf_counter()
    from ui.main_window import MainWindow
    from ui.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp) / "settings.ini")
        settings.user_name = "benchmark"
        window = MainWindow(settings=settings)
        window.resize(1440, 900)
        if not window.open_file(path):
            raise SystemExit(f"could not open {path}")
        window.show()
        app.processEvents()
        window_s = time.perf_counter() - start

        t = time.perf_counter()
        scoring = window.show_view("scoring")
        app.processEvents()
        first_scoring_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        results = window.show_view("results")
        app.processEvents()
        first_results_ms = (time.perf_counter() - t) * 1000

        doc = window.document
        res = doc.results()
        # a ranked bid this evaluator may score: its total moves with every typed score
        bid = next(res.snap.bid_ids[i] for i in res.ranking
                   if res.snap.bid_ids[i] not in scoring.model.conflicts)
        row = next(i for i, b in enumerate(scoring.model.bids) if b["id"] == bid)
        bi = res.snap.bid_ids.index(bid)
        # criteria with no consensus on that bid: there the mean, so the typed score, counts
        free = [j for j, cid in enumerate(res.snap.scored_ids)
                if math.isnan(res.snap.consensus[bi, j])]
        grid = scoring.grid
        to_results, in_grid = [], []
        for k in range(KEYSTROKES):
            window.show_view("scoring")
            app.processEvents()
            cell = scoring.model.index(row, free[k % len(free)])
            grid.setCurrentIndex(cell)
            old = scoring.model.score_of(cell)
            digit = "4" if old and old["score"] == 5 else "5"
            total_before = _total(results, bid)
            t = time.perf_counter()
            QTest.keyClick(grid, digit)
            t_grid = time.perf_counter()
            window.show_view("results")
            app.processEvents()
            shown = _total(results, bid)
            t_end = time.perf_counter()
            if scoring.model.index(row, cell.column()).data() != digit:
                raise BenchmarkError("the typed score did not reach the grid")
            if shown == total_before:
                raise BenchmarkError("the Results view did not change after a typed score")
            in_grid.append((t_grid - t) * 1000)
            to_results.append((t_end - t) * 1000)
        window.close_file()
        window.close()
    return {
        "window_s": window_s,
        "first_scoring_ms": first_scoring_ms,
        "first_results_ms": first_results_ms,
        "keystrokes": KEYSTROKES,
        "score_to_results_ms": {"median": statistics.median(to_results),
                                "max": max(to_results)},
        "score_in_grid_ms": {"median": statistics.median(in_grid), "max": max(in_grid)},
    }


def _total(view: object, bid: str) -> float | None:
    """The total in the Results view's table model (unrounded: a typed score may move
    it by less than the two decimals shown)."""
    m = view.ranking_model  # type: ignore[attr-defined]
    return m.rows[m.row_of(lambda r: r["id"] == bid)]["total"]


def measure_open(path: Path) -> dict:
    """The window shown with the file open, then closed: what a user opening a file
    waits for (used at the input limits, where typing is not measured)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QCoreApplication, QStandardPaths
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("ProcureDeskBench")
    QCoreApplication.setApplicationName("ProcureDeskBench")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    start = time.perf_counter()
    from ui.main_window import MainWindow
    from ui.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp) / "settings.ini")
        settings.user_name = "benchmark"
        window = MainWindow(settings=settings)
        window.resize(1440, 900)
        if not window.open_file(path):
            raise SystemExit(f"could not open {path}")
        window.show()
        app.processEvents()
        window_s = time.perf_counter() - start
        window.close_file()
        window.close()
    return {"window_s": window_s}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    open_only = args[:1] == ["--open-only"]
    if open_only:
        args = args[1:]
    if len(args) != 1:
        print("usage: python -m benchmarks.gui [--open-only] FILE.pdesk", file=sys.stderr)
        return 2
    path = Path(args[0])
    print(json.dumps(measure_open(path) if open_only else measure(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
