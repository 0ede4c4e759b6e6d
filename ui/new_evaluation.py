"""New evaluation: what it is called, whose it is, and which procedure it follows.

The dialog asks for the title, the reference, the contracting authority, the
procedure (a competitive tender or an options appraisal, each explained in plain
words) and the template of criteria to start from. `details()` gives what was chosen;
`apply_details` puts it into a template's document before the file is created.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

PROCEDURES = [
    ("competitive_tender", "&Competitive tender",
     "A procurement under the Procurement Act 2023: suppliers' tenders compete and only "
     "a tender can win. Other options you keep in view (your in-house team, another "
     "council's shared service, doing nothing) are shown beside the tenders as "
     "comparators: scored the same way, never ranked."),
    ("options_appraisal", "&Options appraisal",
     "An internal comparison before deciding how to proceed: buying, building, sharing "
     "with other councils or doing nothing are ranked together, and any of them can "
     "come first."),
]
PROCEDURE_WORDS = {key: (label.replace("&", ""), words) for key, label, words in PROCEDURES}


def apply_details(doc: dict[str, Any], details: dict[str, str]) -> dict[str, Any]:
    """The template's document with the title, reference, authority and procedure set."""
    ev = doc["evaluation"]
    for key in ("title", "reference", "authority", "procedure"):
        if key in details:
            ev[key] = details[key]
    return doc


class NewEvaluationDialog(QDialog):
    """Title, reference, authority, procedure and template of a new evaluation."""

    def __init__(self, parent: QWidget | None, templates: list[tuple[str, str]]):
        super().__init__(parent)
        self.setWindowTitle("New evaluation")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("e.g. Customer platform replacement")
        self.reference = QLineEdit()
        self.reference.setAccessibleName("Reference")
        self.reference.setPlaceholderText("e.g. HDC-ICT-2026-014")
        self.authority = QLineEdit()
        self.authority.setAccessibleName("Contracting authority")
        self.authority.setPlaceholderText("e.g. Harrowmere District Council")
        self.template = QComboBox()
        self.template.setAccessibleName("Start from the template")
        for name, description in templates:
            self.template.addItem(description, name)
        self.procedure = QButtonGroup(self)
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Reference", self.reference)
        form.addRow("Contracting &authority", self.authority)
        form.addRow("T&emplate", self.template)
        group = QGroupBox("Procedure")
        box = QVBoxLayout(group)
        for n, (key, label, words) in enumerate(PROCEDURES):
            button = QRadioButton(label)
            button.setProperty("procedure", key)
            button.setAccessibleDescription(words)
            self.procedure.addButton(button, n)
            explain = QLabel(words)
            explain.setWordWrap(True)
            explain.setTextFormat(Qt.TextFormat.PlainText)
            explain.setContentsMargins(24, 0, 0, 6)
            box.addWidget(button)
            box.addWidget(explain)
        self.procedure.button(0).setChecked(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What is this evaluation? You can change all of it later "
                                "in the Overview."))
        layout.addLayout(form)
        layout.addWidget(group)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        # wrapped explanations: the dialog is never shorter than they need
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)

    def set_procedure(self, key: str) -> None:
        for button in self.procedure.buttons():
            button.setChecked(button.property("procedure") == key)

    def details(self) -> dict[str, str]:
        checked = self.procedure.checkedButton()
        return {"title": " ".join(self.title.text().split()),
                "reference": self.reference.text().strip(),
                "authority": self.authority.text().strip(),
                "procedure": str(checked.property("procedure")) if checked
                else "options_appraisal",
                "template": str(self.template.currentData() or "")}

    def accept(self) -> None:
        if not self.details()["title"]:
            self.problem.setText("Give the evaluation a title: it heads every report.")
            self.title.setFocus()
            return
        super().accept()
