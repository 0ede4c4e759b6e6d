"""Start the desktop application: `run_app(file)` or `run_app(None, demo=True)`.

The demo evaluation is built on first use into the user's data folder
(QStandardPaths.AppDataLocation/demo.pdesk), never into the program's folder.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from procure_desk import paths
from procure_desk.errors import BadInput
from procure_desk.store.address import is_address

from . import jobs

log = logging.getLogger(__name__)
ORGANISATION = "ProcureDesk"
APPLICATION = "ProcureDesk"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with ProcureDesk's names and display defaults (reused if present)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors as the system asks (125%, 150% laptops): crisp text.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName(APPLICATION)
    # The system palette (light or dark) is left as it is: every colour the views use
    # comes from the palette, so both read well; check boxes get a frame that shows
    # on a dark one too (ui.colours).
    from .colours import install_visible_indicators

    install_visible_indicators(app)
    return app


def log_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation))
    return folder / "procure-desk.log"


def install_error_handler() -> None:
    """An unexpected error becomes a calm message and a log entry, never a traceback.

    Nothing is lost when it happens: every edit was saved, in its own transaction,
    when it was made.
    """
    def handle(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        where = log_path()
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            with where.open("a", encoding="utf-8") as fh:
                fh.write("".join(traceback.format_exception(kind, exc, tb)) + "\n")
            written = True
        except OSError:
            written = False
        log.error("unexpected error: %s: %s", kind.__name__, exc)
        from . import ask

        ask.show_problem(QApplication.activeWindow(), "Something went wrong",
                         f"ProcureDesk met an unexpected error ({kind.__name__}: {exc}). "
                         "Your work is safe: every edit was saved when you made it."
                         + (f" The details are in {where}." if written else ""))

    sys.excepthook = handle


def demo_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation))
    return folder / "demo.pdesk"


def ensure_demo(target: Path | None = None) -> Path:
    """Build the demo evaluation from the sample tender unless it is there already."""
    from procure_desk.services import import_json

    target = target or demo_path()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        import_json(paths.SAMPLE_TENDER, target, actor="demo").close()
    return target


def run_app(file: str | None, demo: bool = False) -> int:
    """Open the window (on `file`, or the demo) and run until it closes; the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_application()
    install_error_handler()
    from . import ask
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    if not os.environ.get("PROCURE_DESK_QUIT_AFTER"):  # not in the bundle's smoke test
        window.first_run()  # the name the audit log records, asked once
    target: str | None = file
    if demo and target is None:
        try:
            target = str(ensure_demo())
        except (BadInput, OSError) as exc:
            ask.show_problem(window, "Demo evaluation", f"The demo could not be built: "
                                                        f"{ask.problem_text(exc)}")
    if target is not None and is_address(target):
        from .server_watch import open_from_server

        open_from_server(window, target)
    elif target is not None:
        window.open_file(target)
    status = app.exec()
    jobs.shutdown()
    return status
