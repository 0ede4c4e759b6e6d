"""Help > User guide: docs/user-guide.md, written for council officers, in a dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from procure_desk.paths import ROOT

GUIDE = ROOT / "docs" / "user-guide.md"


def guide_markdown() -> str:
    try:
        return GUIDE.read_text(encoding="utf-8")
    except OSError:
        return ("# User guide\n\nThe user guide (docs/user-guide.md) is not installed "
                "with this copy of ProcureDesk.")


def show_user_guide(parent: QWidget, title: str = "ProcureDesk user guide") -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.resize(760, 600)
    browser = QTextBrowser(dialog)
    browser.setAccessibleName("User guide")
    browser.setOpenExternalLinks(True)
    browser.setMarkdown(guide_markdown())
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
