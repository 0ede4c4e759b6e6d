"""`PROCURE_DESK_QUIT_AFTER=MS procure-desk [FILE]`: open, report the windows, close.

MS milliseconds after the event loop starts, every window shown is listed on standard
output (`window: TITLE`) and closed, and the application exits: 0 when the main window
was shown with ProcureDesk's icon and no message box, 3 otherwise (a message box's
text is listed too, a missing icon as `icon: none`). The
application bundle's smoke test (packaging/smoke.py) and its start-up benchmark
(benchmarks/bundle.py) use it; a user has no need of it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

VARIABLE = "PROCURE_DESK_QUIT_AFTER"
NOT_SHOWN = 3


def _say(line: str) -> None:
    if sys.stdout is not None:  # a program built without a console has none
        print(line, flush=True)


def finish() -> None:
    from .main_window import MainWindow

    shown = [w for w in QApplication.topLevelWidgets() if w.isWindow() and w.isVisible()]
    for w in shown:
        _say(f"window: {w.windowTitle()}")
        if isinstance(w, QMessageBox):
            _say(f"message: {w.text()}")
    ok = any(isinstance(w, MainWindow) for w in shown) and not any(
        isinstance(w, QMessageBox) for w in shown)
    if QApplication.windowIcon().isNull():
        _say("icon: none")
        ok = False
    QApplication.closeAllWindows()
    QApplication.exit(0 if ok else NOT_SHOWN)


def schedule(value: str) -> None:
    """Quit `value` milliseconds after the event loop starts (creates the application)."""
    from .app import make_application

    try:
        ms = max(0, int(value))
    except ValueError:
        raise SystemExit(f"procure-desk: {VARIABLE} must be a number of milliseconds, "
                         f"not {value!r}") from None
    make_application()
    QTimer.singleShot(ms, finish)
