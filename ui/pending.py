"""Text typed but not yet entered, when the window or the file is about to close.

Edits are saved as they are made; what can still be lost is what the keyboard is in
the middle of: a cell being edited, or typing a view holds (the Overview's fields).
A view says what it holds itself: `pending() -> list[str]` (sentences naming each),
with `commit_pending()` and `discard_pending()` to save or drop it. A search box is
not an edit, so text fields are not guessed at: their view names them.

`commit_pending` takes the keyboard focus away, which is when every field and cell
editor saves; `discard_pending` puts a cell editor back (Escape) and forgets a field's
typing, so nothing is saved as the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from procure_desk.wording import one_line

from .views.base import View

if TYPE_CHECKING:
    from .main_window import MainWindow


def _view_of(widget: QWidget | None) -> View | None:
    w = widget
    while w is not None:
        if isinstance(w, View):
            return w
        w = w.parentWidget()
    return None


def _cell_editor(widget: QWidget) -> bool:
    """True when `widget` is an editor open in a table or tree cell."""
    w = widget.parentWidget()
    while w is not None:
        if isinstance(w, QAbstractItemView):
            return widget is not w
        w = w.parentWidget()
    return False


def pending_edits(window: MainWindow) -> list[str]:
    """What would be lost, in sentences; empty when nothing is."""
    if window.document is None:
        return []
    out: list[str] = []
    for view in window.views.values():
        hook = getattr(view, "pending", None)
        if callable(hook):
            out += [str(s) for s in hook()]
    focus = QApplication.focusWidget()
    shown = _view_of(focus)
    if focus is not None and shown is not None and shown.isVisible() \
            and _cell_editor(focus):
        where = shown.accessibleName() or shown.title
        text = focus.text() if isinstance(focus, QLineEdit) else ""
        out.append(f"a cell being edited in {where}" + (f": “{one_line(text, 60)}”"
                                                         if text else ""))
    return out


def commit_pending(window: MainWindow) -> list[str]:
    """Enter what is pending: each view's own, then the field or cell with the focus.
    Returns what is still only a draft (text a view could not save: a rationale with
    no consensus score yet, a refused comment), one line each."""
    drafts: list[str] = []
    for view in window.views.values():
        if isinstance(view, View):
            drafts += view.commit_pending()
    focus = QApplication.focusWidget()
    if focus is not None and _view_of(focus) is not None:
        focus.clearFocus()  # fields and cell editors save when they lose the focus
        QApplication.processEvents()
    return drafts


def discard_pending(window: MainWindow) -> None:
    """Drop what is pending, so that closing saves none of it."""
    for view in window.views.values():
        hook = getattr(view, "discard_pending", None)
        if callable(hook):
            hook()
    focus = QApplication.focusWidget()
    if focus is None or _view_of(focus) is None:
        return
    if _cell_editor(focus):
        escape = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape,
                           Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(focus, escape)
    elif isinstance(focus, QLineEdit):
        focus.setModified(False)
        focus.blockSignals(True)  # no editingFinished as the window closes
    elif isinstance(focus, QPlainTextEdit | QTextEdit):
        focus.document().setModified(False)
        focus.blockSignals(True)
