"""The `procure-desk` command: the core's command line, with the desktop app plugged in.

Qt is imported only when a window is to open, so `procure-desk results` stays fast.
`python main.py --demo` (what `make run` does) opens the demo evaluation, built
on first use into the user's data folder.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def launch_gui(file: str | None, *, demo: bool = False) -> int:
    from ui.app import run_app

    return run_app(file, demo=demo)


def main(argv: Sequence[str] | None = None) -> int:
    from procure_desk.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--demo"]:
        return launch_gui(None, demo=True)
    if len(args) == 1 and args[0].endswith(".pdesk"):
        args = ["open", args[0]]
    return cli_main(args, gui=launch_gui)


if __name__ == "__main__":
    sys.exit(main())
