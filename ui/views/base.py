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

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from procure_desk.errors import BadInput

from .. import ask
from ..document import Document, concerns


class View(QWidget):
    """Base class of the sidebar's views."""

    title = "View"
    interests: tuple[str, ...] = ()

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
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
            ask.show_problem(self, title, exc)
            return False
        return True
