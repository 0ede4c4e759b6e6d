"""The Scoring view's sign-off step: whose scores these are, submitting them, and the
locked state of a submitted evaluator (docs/governance.md, "Sign-off").

Submitting is refused while the evaluator has scores missing (the service says
which); once submitted their scores are locked until the submission is withdrawn,
with a reason the audit log keeps. Neither step is undone with Ctrl+Z: a submission
is taken back only by withdrawing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from procure_desk.errors import BadInput
from procure_desk.wording import plural

from .. import ask
from ..when import local_day_and_time

if TYPE_CHECKING:
    from .scoring import ScoringView

Record = dict[str, Any]


def is_me(evaluator: Record, actor: str) -> bool:
    """True when the user (their name in Preferences) is this evaluator."""
    return evaluator["name"].strip().casefold() == actor.strip().casefold()


class SignOffBar(QWidget):
    """"Entering scores as …", and Submit or Withdraw for the evaluator shown."""

    def __init__(self, view: ScoringView):
        super().__init__(view)
        self.view = view
        self.document = view.document
        self.evaluator: Record | None = None
        self.entering = QLabel()
        self.entering.setTextFormat(Qt.TextFormat.PlainText)
        self.entering.setAccessibleName("Entering scores as")
        font = self.entering.font()
        font.setBold(True)
        self.entering.setFont(font)
        self.state = QLabel()
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.state.setAccessibleName("Sign-off")
        self.submit_button = QPushButton("S&ubmit my scores…")
        self.submit_button.setAccessibleName("Submit scores")
        self.submit_button.setToolTip("Sign off these scores: they are then locked")
        self.submit_button.clicked.connect(self.submit)
        self.withdraw_button = QPushButton("&Withdraw submission…")
        self.withdraw_button.setAccessibleName("Withdraw submission")
        self.withdraw_button.setToolTip("Unlock these scores again, giving the reason")
        self.withdraw_button.clicked.connect(self.withdraw)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.entering)
        layout.addSpacing(12)
        layout.addWidget(self.state, 1)
        layout.addWidget(self.submit_button)
        layout.addWidget(self.withdraw_button)

    def lockables(self) -> list[object]:
        return [self.submit_button, self.withdraw_button]

    def show_evaluator(self, e: Record | None, done: int, expected: int) -> None:
        self.evaluator = e
        actor = self.document.actor
        if e is None:
            self.entering.setText("")
            self.state.setText("")
            self.submit_button.hide()
            self.withdraw_button.hide()
            return
        who = f"{e['name']} ({e['id']})"
        me = is_me(e, actor)
        self.entering.setText(f"Entering scores as: {who}" if me else
                              f"Entering scores as: {who}, on their behalf (you are {actor})")
        submitted = e.get("submitted")
        self.submit_button.setVisible(not submitted)
        self.withdraw_button.setVisible(bool(submitted))
        self.submit_button.setText("S&ubmit my scores…" if me  # "&&": a name's "&" is no Alt key
                                   else f"S&ubmit {e['name'].replace('&', '&&')}'s scores…")
        can = self.view.editable
        self.submit_button.setEnabled(can)
        self.withdraw_button.setEnabled(can)
        if submitted:
            self.state.setText(f"Submitted on {local_day_and_time(submitted)}: these scores "
                               "are locked. Withdraw the submission (with a reason) to change "
                               "them.")
        elif done < expected:
            self.state.setText(f"{plural(expected - done, 'score')} still to enter; then "
                               "submit them to sign them off.")
        else:
            self.state.setText("Every score is entered: submit them to sign them off.")

    # ---- the two steps -----------------------------------------------------------------
    def submit(self) -> bool:
        e = self.evaluator
        if e is None:
            return False
        n = sum(1 for r in self.document.doc()["scores"] if r["evaluator"] == e["id"])
        if not ask.confirm(self.view, "Submit scores",
                           f"Submit {e['name']}'s {n:,} scores as final?\n\nThey will be "
                           "locked: no score or comment can be changed until the submission "
                           "is withdrawn, with a reason that the audit log keeps."):
            return False
        self.view.commit_comment()
        try:
            self.document.submit(e["id"])
        except BadInput as exc:
            self.view.show_problem("Not submitted", ask.problem_text(exc))
            return False
        self.view.clear_problem()
        return True

    def withdraw(self) -> bool:
        e = self.evaluator
        if e is None:
            return False
        reason = ask.reason(self.view, "Withdraw submission",
                            f"Why is {e['name']}'s submission withdrawn? Their scores are "
                            "unlocked; the audit log keeps the reason.")
        if reason is None:
            return False
        try:
            self.document.withdraw_submission(e["id"], reason)
        except BadInput as exc:
            self.view.show_problem("Not withdrawn", ask.problem_text(exc))
            return False
        self.view.clear_problem()
        return True
