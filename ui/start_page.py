"""What the window shows with no file open: start a new evaluation, open one, open a
recent file, or open the demo to try things on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from .main_window import MainWindow

APP_NAME = "ProcureDesk"


class StartPage(QWidget):
    """New evaluation, Open, the demo, and the recent files (Enter or double-click)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        heading = QLabel(f"<h1>{APP_NAME}</h1><p>Evaluate supplier tenders and keep the "
                         "record that defends the decision.</p>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("&New evaluation…")
        self.new_button.setAccessibleName("New evaluation")
        self.new_button.setToolTip("Title, reference, authority and procedure, then a "
                                   "template of criteria to start from")
        self.new_button.clicked.connect(window.new_from_template)
        self.open_button = QPushButton("&Open…")
        self.open_button.setAccessibleName("Open an evaluation file")
        self.open_button.clicked.connect(window.open_dialog)
        self.demo_button = QPushButton("Open the &demo")
        self.demo_button.setAccessibleName("Open the demo evaluation")
        self.demo_button.setToolTip("A worked example (the Harrowmere customer platform) "
                                    "to try things on; your own files are not touched")
        self.demo_button.clicked.connect(window.open_demo)
        self.guide_button = QPushButton("User &guide")
        self.guide_button.clicked.connect(window.user_guide)
        for b in (self.new_button, self.open_button, self.demo_button, self.guide_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addSpacing(16)
        label = QLabel("&Recent files")
        layout.addWidget(label)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent files")
        self.recent.setUniformItemSizes(True)
        self.recent.itemActivated.connect(
            lambda item: window.open_file(item.data(Qt.ItemDataRole.UserRole)))
        label.setBuddy(self.recent)
        self.empty = QLabel("No recent files yet: start a new evaluation, open one, or try "
                            "the demo.")
        self.empty.setWordWrap(True)
        layout.addWidget(self.recent, 1)
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        self.recent.clear()
        for path in self.window_.settings.recent_files:
            p = Path(path)
            item = QListWidgetItem(f"{p.name}    {p.parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        self.empty.setVisible(self.recent.count() == 0)
        if self.recent.count():
            self.recent.setCurrentRow(0)
