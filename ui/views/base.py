"""What every view shares: the Document, refresh on change, lazily when hidden.

A subclass sets `interests` (the `Document.changed` kinds that concern it; "all"
always does) and implements `refresh()`. A change arriving while the view is hidden
only marks it stale; it refreshes when next shown, so a typed score does not
rebuild eight views. `edit(fn, *args)` runs an edit and shows a refusal to the user
(returns False) instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from procure_desk.errors import BadInput

from .. import ask
from ..document import Document, concerns


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
        self._stale = True
        document.changed.connect(self._on_changed)

    def _on_changed(self, kind: str) -> None:
        if not concerns(kind, *self.interests):
            return
        if self.isVisible():
            self.refresh()
            self._stale = False
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)

    def ensure_fresh(self) -> None:
        """Refresh now if a change arrived while hidden (used by screenshots and tests)."""
        if self._stale:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        """Re-read what this view shows from the document."""

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
