"""The one place the app asks what the member's role lets them do.

On a server evaluation each member has a role (chair, evaluator as one evaluator,
observer: procure_desk.server.roles). Views and actions consult this module instead
of checking roles themselves:

- `refusal(document)`: why no edit at all can be made (an observer), which the
  document's own `refusal()` adds to sealing and outside changes, so every view's
  lock and the lock bar follow it;
- `view_locked(view)`: a view whose edits the role may not make (the methodology's
  views for an evaluator, moderation's consensus for an evaluator);
- `fix_evaluator(document, box)`: the Scoring view's evaluator picker, fixed to the
  evaluator's own id;
- `banner(document)`: the lock bar's sentence (what the role hides and why);
- `apply_to_window(window)`: the window's actions the role may not use (Seal; the
  imports for an observer; the window's exports, which read a file, on a server).

The server refuses all of it anyway; this only spares the member the refusal.
"""

from __future__ import annotations

from typing import Any

from procure_desk.server import roles
from procure_desk.server.roles import Permissions

# the action each view edits with (views not named only read, or edit scores)
VIEW_ACTIONS = {
    "OverviewView": "methodology", "CriteriaView": "methodology", "BidsView": "methodology",
    "EvaluatorsView": "methodology", "SharedView": "methodology",
    "ModerationView": "consensus", "ScoringView": "score",
}
_CACHE = "_pd_permissions"


def permissions(document: Any) -> Permissions:
    """The member's permissions on the open evaluation (read again after each change,
    so the chair's switches show as they are)."""
    if document is None or not getattr(document.file.store, "team", False):
        return roles.EVERYTHING
    key = document.file.document()  # a new object after each change, here or elsewhere
    cached = getattr(document, _CACHE, None)
    if cached is not None and cached[0] is key:
        return cached[1]
    found = roles.of(document.file)
    setattr(document, _CACHE, (key, found))
    return found


def refusal(document: Any) -> str | None:
    """Why the member can change nothing at all (the end of a sentence), or None."""
    return permissions(document).why_not("edit")


def view_locked(view: Any) -> bool:
    """True when the member's role may not make the edits `view` makes."""
    action = VIEW_ACTIONS.get(type(view).__name__)
    return action is not None and not permissions(view.document).may(action)


def fix_evaluator(document: Any, box: Any) -> None:
    """An evaluator scores only as themselves: the picker shows them and is disabled."""
    own = permissions(document).score_as
    if own is None:
        return
    i = box.findData(own)
    if i >= 0:
        box.setCurrentIndex(i)
    box.setEnabled(False)
    box.setToolTip(f"You score as {own} on this server evaluation")


def banner(document: Any) -> str | None:
    return permissions(document).banner()


def apply_to_window(window: Any) -> None:
    """Disable the window's actions the role may not use (after the window's own rules)."""
    document = window.document
    if document is None:
        return
    allowed = permissions(document)
    seal = getattr(window, "seal_action", None)
    if seal is not None and not allowed.may("seal"):
        seal.setEnabled(False)
        seal.setToolTip("Sealing is the chair's on this server evaluation")
    if not allowed.may("edit"):  # nothing imported into an evaluation an observer reads
        for action in getattr(window, "workbook_actions", [])[:2]:
            action.setEnabled(False)
    if getattr(document.file.store, "team", False) and not allowed.may("seal"):
        # the evidence of a server evaluation is exported by its chair (an evaluator sees
        # part of it; an export is recorded in an audit log an observer may not write)
        for action in getattr(window, "export_actions", []):
            action.setEnabled(False)
            action.setStatusTip("The chair exports this evaluation's evidence; or take "
                                "a snapshot with procure-desk server fetch and export it")
