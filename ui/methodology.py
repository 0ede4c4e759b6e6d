"""Changes to the published methodology once scoring has opened: asking the reason.

The service refuses such a change without a reason (docs/governance.md); the app
asks for one first, showing the ranking now and after the change (computed by the
service's `ranking_if`, which makes the change in a transaction it rolls back).
Which changes count follows the service's rules: the criteria's weight, kind,
formula, minimum score and descriptors; adding or removing a criterion; moving one
to another parent; the scale and the appraisal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procure_desk.services.methodology import CRITERION_FIELDS, EVALUATION_FIELDS

from . import ask
from .reason_dialog import ranking_lines

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from procure_desk.services import EvaluationFile

    from .document import Document

Trial = Callable[["EvaluationFile"], Any]
PREVIEW = "preview"


class Declined(Exception):  # noqa: N818 - the user said no, not an error
    """The user cancelled the reason: the change is not made."""


def criterion_locked(document: Document, changes: dict[str, Any]) -> bool:
    return document.file.scoring_open() and bool(CRITERION_FIELDS & set(changes))


def evaluation_locked(document: Document, changes: dict[str, Any]) -> bool:
    return document.file.scoring_open() and bool(EVALUATION_FIELDS & set(changes))


def structure_locked(document: Document) -> bool:
    """Adding, removing or re-parenting a criterion."""
    return document.file.scoring_open()


def reason_for(parent: QWidget | None, document: Document, what: str,
               trial: Trial) -> str:
    """Ask why `what` is changed, showing its effect on the ranking.

    Raises `BadInput` when the change itself would be refused (the trial says why)
    and `Declined` when the user cancels.
    """
    before, after = document.file.ranking_if(trial)
    names = {b["id"]: b["supplier"] for b in document.doc()["bids"]}
    now, then = ranking_lines(list(before), list(after), names)
    reason = ask.methodology_reason(parent, what, now, then)
    if reason is None:
        raise Declined
    return reason


def maybe_reason(parent: QWidget | None, document: Document, locked: bool, what: str,
                 trial: Trial) -> str | None:
    """The reason when the change is `locked`, else None (no question asked)."""
    return reason_for(parent, document, what, trial) if locked else None
