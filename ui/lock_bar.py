"""The bar above every view that says why the open file takes no edits.

A sealed record ("Sealed by … on …") and a file changed outside ProcureDesk (the
audit chain's first problem) are read-only; the bar says so in every view, and what
the user can do instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from . import permissions
from .document import Document
from .when import local_day_and_time

WARNING = "QLabel { background-color: #b3261e; color: #ffffff; }"


def lock_text(document: Document) -> tuple[str, bool]:
    """What the bar says (empty while the file takes edits) and whether it warns."""
    problem = document.altered()
    if problem is not None:
        return (f"⚠ This file was changed outside ProcureDesk: {problem['where']}: "
                f"{problem['message']}. It is open read-only: no change can be made to it, "
                "and nothing can be exported from it. Keep it as it is, and compare it "
                "with a copy or an export kept elsewhere.", True)
    sealed = document.file.sealed()
    if sealed:
        why = f" ({sealed['reason']})" if sealed.get("reason") else ""
        return (f"Sealed by {sealed['by']} on {local_day_and_time(sealed['at'])}{why}: "
                "this record can no longer be changed. Exports still work. To work on it, "
                "use File > Save a Copy as a New Draft.", False)
    return permissions.banner(document) or "", False  # the role on a server evaluation


class LockBar(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons as typed
        self.setWordWrap(True)
        self.setMargin(8)
        self.setAutoFillBackground(True)
        self.setAccessibleName("File status")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_for(self, document: Document | None) -> None:
        text, warns = lock_text(document) if document is not None else ("", False)
        self.setText(text)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        # a notice in the palette's tooltip colours (light and dark themes alike); a
        # warning white on dark red, which reads on both
        self.setStyleSheet(WARNING if warns else "")
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.setVisible(bool(text))
