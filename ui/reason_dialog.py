"""The question a change to the locked methodology asks: why, seeing what it does.

Once scoring has opened, the criteria, their weights, the scale and the appraisal
are the published methodology: a change needs a reason, which the audit log keeps
and the report lists. The dialog shows the ranking now and as it would be after the
change (`EvaluationFile.ranking_if`), so the reason is given knowing the effect.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)


def ranking_lines(before: list[str], after: list[str],
                  names: dict[str, str]) -> tuple[list[str], list[str]]:
    """Each ranking as numbered lines; a bid whose place changes says where it was."""
    def label(bid: str) -> str:
        name = names.get(bid, "")
        return f"{bid} {name[:50]}".strip()

    was = {bid: n for n, bid in enumerate(before, start=1)}
    now = [f"{n}. {label(b)}" for n, b in enumerate(before, start=1)]
    then = []
    for n, b in enumerate(after, start=1):
        moved = "" if was.get(b) == n else (
            " (not ranked now)" if b not in was else f" (now {was[b]})")
        then.append(f"{n}. {label(b)}{moved}")
    return now, then


class ReasonDialog(QDialog):
    """What is being changed, the ranking before and after, and the reason (required)."""

    def __init__(self, parent: QWidget | None, what: str, before: list[str],
                 after: list[str]):
        super().__init__(parent)
        self.setWindowTitle("Change to the published methodology")
        self.resize(720, 440)
        intro = QLabel(
            f"Scoring has opened, so the methodology is locked. {what} changes it: "
            "give the reason. It is kept in the audit log, and the report lists the "
            "change with it.")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.before_list = QListWidget()
        self.before_list.setAccessibleName("Ranking now")
        self.before_list.addItems(before or ["No bid is ranked"])
        self.after_list = QListWidget()
        self.after_list.setAccessibleName("Ranking after the change")
        self.after_list.addItems(after or ["No bid is ranked"])
        same = QLabel("The ranking does not change." if before == after
                      else "⚠ The ranking changes.")
        same.setAccessibleName("Effect on the ranking")
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Ranking now</b>"), 0, 0)
        grid.addWidget(QLabel("<b>After the change</b>"), 0, 1)
        grid.addWidget(self.before_list, 1, 0)
        grid.addWidget(self.after_list, 1, 1)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the change")
        self.reason.setPlaceholderText("e.g. clarification issued to all bidders on 3 March")
        label = QLabel("&Reason:")
        label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Make the change")
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid, 1)
        layout.addWidget(same)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def text(self) -> str:
        return self.reason.text().strip()
