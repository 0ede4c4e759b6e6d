"""What every view shares: the Document, refresh on change, lazily when hidden.

A subclass sets `interests` (the `Document.changed` kinds that concern it; "all"
always does) and implements `refresh()`. A change arriving while the view is hidden
only marks it stale; it refreshes when next shown, so a typed score does not
rebuild eight views. `edit(fn, *args)` runs an edit and shows a refusal to the user
(returns False) instead of raising; a successful one clears the banner. `watch(model)`
does the same for a table model's own edits (its `refused` and `accepted` signals).

Every table and tree of a view copies its selection with the column headers on
Ctrl+C, as tab-separated text a spreadsheet pastes (`ui.clipboard`); a table that
takes a pasted block installs its own handler for Ctrl+V.

A view names its main widget in `focus_target`; when the view is shown (Ctrl+1..0,
or from another view) the keyboard focus goes there, so the view's own shortcuts work
at once. Browsing the sidebar with the arrow keys keeps the focus in the sidebar.

A file that takes no edits (sealed, or altered outside ProcureDesk) is shown
read-only: a view lists what it edits with in `lockables()` (text boxes, tables,
actions, buttons), and `apply_lock` makes them read-only or disabled. The Document
refuses the edits anyway, with the reason; this only keeps the widgets honest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import Qt, QTimer, SignalInstance
from PySide6.QtGui import QAction, QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTreeView,
    QWidget,
)

from procure_desk.errors import BadInput

from .. import ask, clipboard, permissions
from ..document import Document, concerns
from ..table_model import records_of


class RefusingModel(Protocol):
    """A model that edits through the Document and says why an edit was refused."""

    @property
    def refused(self) -> SignalInstance: ...


class Banner(QLabel):
    """A one-line notice inside a view: why an edit was refused, or what needs attention.

    Uses the palette's tooltip colours so it reads in light and dark themes alike.
    """

    def __init__(self, parent: QWidget | None = None, name: str = "Problem"):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.setMargin(6)
        self.setAccessibleName(name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_text(self) -> None:
        self.show_text("")


class View(QWidget):
    """Base class of the sidebar's views."""

    title = "View"
    interests: tuple[str, ...] = ()

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.banner: Banner | None = None  # create one to show refusals inline
        self.focus_target: QWidget | None = None  # where the focus goes when shown
        self._stale = True
        self._locked: bool | None = None  # None until first applied
        document.changed.connect(self._on_changed)
        document.lockChanged.connect(self.apply_lock)

    # ---- a file that takes no edits ---------------------------------------------------
    def lockables(self) -> Iterable[object]:
        """What the view edits with (see the module's docstring)."""
        return ()

    @property
    def editable(self) -> bool:
        """False while the file takes no edits (views and their buttons ask this)."""
        return not self._locked

    def apply_lock(self) -> None:
        if not shiboken6.isValid(self):
            return
        locked = self.document.refusal(wait=False) is not None \
            or permissions.view_locked(self)  # the member's role on a server evaluation
        if locked == self._locked:
            return
        self._locked = locked
        for thing in self.lockables():
            set_locked(thing, locked)
        self.lock_changed()

    def lock_changed(self) -> None:
        """Called when `editable` changes: a view re-applies what it enables itself."""

    def watch(self, model: RefusingModel, title: str = "Not changed") -> None:
        """Show a model's refusals in the banner, and clear the banner when an edit of
        the model is accepted (so an old refusal never sits beside a good value)."""
        model.refused.connect(lambda text: self.show_problem(title, text))
        accepted = getattr(model, "accepted", None)
        if accepted is not None:
            accepted.connect(self.clear_problem)

    def clear_problem(self) -> None:
        if self.banner is not None:
            self.banner.clear_text()

    def _on_changed(self, kind: str) -> None:
        if not concerns(kind, *self.interests):
            return
        if self.isVisible():
            self.refresh()
            self._stale = False
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        for table in self.findChildren(QAbstractItemView):
            if isinstance(table, QTableView | QTreeView):
                clipboard.install(table)  # Ctrl+C: the selection with its headers
        if self._stale:
            self._stale = False
            self.refresh()
        self.apply_lock()
        super().showEvent(event)
        if self.focus_target is not None and not event.spontaneous():
            before = QApplication.focusWidget()
            if before is not None and self.isAncestorOf(before):
                return
            ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            by_key = bool(QGuiApplication.keyboardModifiers() & ctrl)
            if not by_key and isinstance(before, QAbstractItemView) and not _in_view(before):
                return  # the sidebar, browsed with the arrow keys or the mouse
            QTimer.singleShot(0, self._take_focus)

    def _take_focus(self) -> None:
        if not shiboken6.isValid(self) or not self.isVisible():
            return
        target = self.focus_target
        if target is not None and shiboken6.isValid(target) and target.isVisible() \
                and target.isEnabled():
            self.enter()

    def enter(self) -> None:
        """Give the keyboard to the view's main widget (`focus_target`); a view whose
        first keystroke means something (a digit is a score) makes it ready here."""
        if self.focus_target is not None:
            self.focus_target.setFocus(Qt.FocusReason.OtherFocusReason)

    def ensure_fresh(self) -> None:
        """Refresh now if a change arrived while hidden (used by screenshots and tests)."""
        if self._stale:
            self._stale = False
            self.refresh()
        self.apply_lock()

    def refresh(self) -> None:
        """Re-read what this view shows from the document."""

    def commit_pending(self) -> list[str]:
        """Save what is typed and not saved yet (as leaving the box would); returns what
        is still only a draft, one line each (the window asks before closing)."""
        return []

    def edit(self, fn: Callable[..., Any], *args: Any, title: str = "Not changed",
             **kwargs: Any) -> bool:
        """Run an edit; on BadInput tell the user why and return False."""
        try:
            fn(*args, **kwargs)
        except BadInput as exc:
            self.show_problem(title, ask.problem_text(exc))
            return False
        if self.banner is not None:
            self.banner.clear_text()
        return True

    def show_problem(self, title: str, text: str) -> None:
        """In the view's banner if it has one, else in a message box."""
        if self.banner is not None:
            self.banner.show_text(f"{title}: {text}")
        else:
            ask.show_problem(self, title, text)


UNLOCKED_TRIGGERS = "unlockedEditTriggers"


def set_locked(thing: object, locked: bool) -> None:
    """Make one editing widget read-only (or disabled), or editable again."""
    if isinstance(thing, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
        thing.setReadOnly(locked)
    elif isinstance(thing, QAbstractItemView):
        if locked:
            if thing.property(UNLOCKED_TRIGGERS) is None:
                thing.setProperty(UNLOCKED_TRIGGERS, int(thing.editTriggers().value))
            thing.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        elif thing.property(UNLOCKED_TRIGGERS) is not None:
            thing.setEditTriggers(QAbstractItemView.EditTrigger(
                int(thing.property(UNLOCKED_TRIGGERS))))
        model = records_of(thing)  # under a sorting proxy, the records' model
        if model is not None and hasattr(model, "locked"):
            model.locked = locked  # its flags() drop the editable and checkable ones
        thing.viewport().update()
    elif isinstance(thing, QAction | QWidget):
        thing.setEnabled(not locked)
    elif hasattr(thing, "locked"):  # a model on its own
        thing.locked = locked


def _in_view(widget: QWidget) -> bool:
    """True when `widget` lies inside one of the views (not the window's sidebar)."""
    w: QWidget | None = widget
    while w is not None:
        if isinstance(w, View):
            return True
        w = w.parentWidget()
    return False
