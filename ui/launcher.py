"""The `procure-desk` command: the core's command line, with the desktop app plugged in.

Qt is imported only when a window is to open, so `procure-desk results` stays fast.
`python main.py --demo` (what `make run` does) opens the demo evaluation, built
on first use into the user's data folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def no_display() -> bool:
    """True where a window cannot open (a Linux session with no graphical display)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch_gui(file: str | None, *, demo: bool = False) -> int:
    if no_display():
        # Qt would abort without a word a user could act on
        print("procure-desk: the desktop application needs a graphical display, and this "
              "session has none; the command line works here (procure-desk --help)",
              file=sys.stderr)
        return 2
    from PySide6.QtGui import QGuiApplication, QIcon

    from procure_desk.paths import APP_ICON
    from ui.app import make_application, run_app

    make_application().setWindowIcon(QIcon(str(APP_ICON)))
    QGuiApplication.setDesktopFileName("procure-desk")  # the dock's icon: procure-desk.desktop
    if os.environ.get("PROCURE_DESK_QUIT_AFTER"):  # the bundle's smoke test: ui/quit_after.py
        from ui.quit_after import VARIABLE, schedule

        schedule(os.environ[VARIABLE])
    return run_app(file, demo=demo)


def main(argv: Sequence[str] | None = None) -> int:
    from procure_desk.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--demo"]:
        return launch_gui(None, demo=True)
    if len(args) == 1 and args[0].lower().endswith(".pdesk"):
        args = ["open", args[0]]
    return cli_main(args, gui=launch_gui)


if __name__ == "__main__":
    sys.exit(main())
