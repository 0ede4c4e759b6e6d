"""The program without a console window (ProcureDesk.exe on Windows): `procure-desk`
as Explorer and the Start menu start it.

Such a program has no standard output or error (sys.stdout is None), so what the
command line would print is kept, and a refusal (a damaged or missing file
double-clicked in Explorer, say) is shown in a message box rather than lost.
"""

from __future__ import annotations

import io
import sys


def show_problem(text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.app import make_application

    make_application()
    QMessageBox.warning(None, "ProcureDesk", text)


def main(argv: list[str] | None = None) -> int:
    kept = io.StringIO()
    if sys.stdout is None:
        sys.stdout = kept
    if sys.stderr is None:
        sys.stderr = kept
    from ui.launcher import main as launch

    try:
        status = launch(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help and --version end this way
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if isinstance(exc.code, str):
            kept.write(exc.code)
    text = kept.getvalue().strip()
    if status != 0 and text:
        show_problem(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
