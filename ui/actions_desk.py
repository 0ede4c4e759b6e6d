"""Find (Ctrl+F), Print (Ctrl+P) and Print preview (Ctrl+Shift+P) for the main window.

Find opens one non-modal dialog per window (ui.find); going to a hit shows its view
and selects the record there. Print takes the sheet of the view on screen (Scoring:
the evaluator shown; Moderation; Results), or asks which sheet from any other view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shiboken6

from . import ask
from .find import FindDialog, Hit
from .printing import SHEETS

if TYPE_CHECKING:
    from PySide6.QtGui import QTextDocument

    from .main_window import MainWindow

__all__ = ["Hit", "chosen_sheet", "find", "go_to", "preview", "print_now"]


def find(window: MainWindow) -> FindDialog | None:
    if window.document is None:
        return None
    dialog: FindDialog | None = getattr(window, "_find_dialog", None)
    if dialog is None or not shiboken6.isValid(dialog) or dialog.document is not window.document:
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
            dialog.deleteLater()
        dialog = FindDialog(window, window.document, window.go_to)
        window._find_dialog = dialog  # type: ignore[attr-defined]
        window.documentOpened.connect(lambda _doc, d=dialog: _close(d))
    dialog.show()
    dialog.activateWindow()
    dialog.box.setFocus()
    dialog.box.selectAll()
    return dialog


def _close(dialog: FindDialog) -> None:
    if shiboken6.isValid(dialog):
        dialog.close()


def go_to(window: MainWindow, hit: Hit) -> None:
    """Show `hit` in its view, with its record selected."""
    if window.document is None:
        return
    view: Any = window.show_view(hit.view)
    try:
        if hit.view == "moderation":
            try:
                view.select(*hit.target)
            except KeyError:  # a pair not flagged, hidden by "Flagged only"
                view.flagged_box.setChecked(False)
                view.select(*hit.target)
        elif hit.view == "audit":
            view.select_event(int(hit.target[0]))
        elif hit.view == "bids":
            view.select(hit.target[0])
        else:
            view.select(*hit.target)
    except (KeyError, StopIteration, ValueError):
        window.statusBar().showMessage("That record is no longer there", 5000)


def chosen_sheet(window: MainWindow) -> tuple[str, dict[str, Any]] | None:
    """Which sheet to print: the current view's, else the user's choice."""
    key = window.current_view_key()
    options: dict[str, Any] = {}
    if key not in SHEETS:
        keys = list(SHEETS)
        choice = ask.choose(window, "Print", "What to print:", [SHEETS[k] for k in keys])
        if choice is None:
            return None
        key = keys[choice]
    if key == "scoring" and "scoring" in window.views:
        shown = window.views["scoring"].evaluator_box.currentData()  # type: ignore[attr-defined]
        if shown:
            options["evaluators"] = [shown]
    return str(key), options


def _sheet(window: MainWindow) -> tuple[QTextDocument, str] | None:
    from .printing import sheet

    if window.document is None:
        return None
    chosen = chosen_sheet(window)
    if chosen is None:
        return None
    key, options = chosen
    return sheet(window.document, key, **options), SHEETS[key]


def print_now(window: MainWindow) -> bool:
    from .printing import print_dialog

    got = _sheet(window)
    return bool(got) and print_dialog(window, *got)  # type: ignore[misc]


def preview(window: MainWindow) -> Any:
    from .printing import preview_dialog

    got = _sheet(window)
    if got is None:
        return None
    dialog = preview_dialog(window, *got)
    dialog.open()
    return dialog
