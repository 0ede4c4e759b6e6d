"""Every question the UI asks the user, behind one seam.

Views and the window call these functions through the module (`ask.confirm(...)`),
never QMessageBox or QFileDialog directly, so tests replace them with
`monkeypatch.setattr(ui.ask, "confirm", ...)` and no dialog ever blocks a test.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from procure_desk.errors import BadInput

log = logging.getLogger(__name__)

PDESK_FILTER = "ProcureDesk evaluations (*.pdesk)"


def problem_text(exc: BaseException) -> str:
    """What to tell the user about a refused edit: one line per problem, no traceback."""
    if isinstance(exc, BadInput):
        return "\n".join(str(p) for p in exc.problems)
    return f"{type(exc).__name__}: {exc}"


def show_problem(parent: QWidget | None, title: str, exc: BaseException | str) -> None:
    """Tell the user why something was refused (BadInput) or failed."""
    text = exc if isinstance(exc, str) else problem_text(exc)
    QMessageBox.warning(parent, title, text)


def info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Yes/No, defaulting to No: for deletes that take scores with them."""
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def open_path(parent: QWidget | None, title: str = "Open evaluation",
              filter: str = PDESK_FILTER) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", filter)
    return path or None


def save_path(parent: QWidget | None, title: str, filter: str = PDESK_FILTER,
              suggested: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filter)
    return path or None


def folder_path(parent: QWidget | None, title: str) -> str | None:
    return QFileDialog.getExistingDirectory(parent, title) or None


def choose(parent: QWidget | None, title: str, label: str, items: list[str]) -> int | None:
    """Index of the chosen item, or None when cancelled."""
    if not items:
        return None
    text, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return items.index(text) if ok and text in items else None


def text(parent: QWidget | None, title: str, label: str, value: str = "") -> str | None:
    got, ok = QInputDialog.getText(parent, title, label, text=value)
    return got if ok else None


def methodology_reason(parent: QWidget | None, what: str, before: list[str],
                       after: list[str]) -> str | None:
    """Why the locked methodology is changed (`what`), shown the ranking before and
    after as lines; None when the user cancels."""
    from .reason_dialog import ReasonDialog

    dialog = ReasonDialog(parent, what, before, after)
    ok = dialog.exec() == ReasonDialog.DialogCode.Accepted
    reason = dialog.text()
    dialog.deleteLater()
    return reason if ok and reason else None


def reason(parent: QWidget | None, title: str, label: str) -> str | None:
    """A reason the record keeps (a withdrawn submission, a seal): asked until it is not
    blank; None when the user cancels."""
    while True:
        got, ok = QInputDialog.getText(parent, title, label)
        if not ok:
            return None
        if got.strip():
            return got.strip()


def new_evaluation(parent: QWidget | None, templates: list[tuple[str, str]]
                   ) -> dict[str, str] | None:
    """Title, reference, authority, procedure and template of a new evaluation (see
    ui.new_evaluation); None when cancelled."""
    from .new_evaluation import NewEvaluationDialog

    dialog = NewEvaluationDialog(parent, templates)
    ok = dialog.exec() == NewEvaluationDialog.DialogCode.Accepted
    details = dialog.details()
    dialog.deleteLater()
    return details if ok else None


def your_name(parent: QWidget | None, current: str, first_run: bool) -> str | None:
    """The user's name for the audit log; None when cancelled or left blank."""
    intro = ("Welcome to ProcureDesk. " if first_run else "")
    got, ok = QInputDialog.getText(
        parent, "Your name",
        intro + "Your name is written beside every change you make, in the audit log "
        "that explains the decision later. Use the name the panel knows you by "
        "(for example S. Kaur). You can change it in Edit > Preferences.",
        text=current)
    return got.strip() if ok and got.strip() else None


def unsaved(parent: QWidget | None, what: list[str]) -> str:
    """Text typed but not yet entered when the window closes: "save", "discard" or
    "cancel" (keep the window open)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Text not yet saved")
    box.setText("You have typed text that is not saved yet:")
    box.setInformativeText("\n".join(f"• {w}" for w in what)
                           + "\n\nSave it before closing?")
    box.setStandardButtons(QMessageBox.StandardButton.Save
                           | QMessageBox.StandardButton.Discard
                           | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    box.deleteLater()
    return {QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")
