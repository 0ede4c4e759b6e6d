"""What a member's role lets them do on a server evaluation, for the app to show.

The server enforces the rules (roles, grants and row-level security policies in
procure_desk.store.team); this is the same table read from the client's side, so the
app can disable what the server would refuse instead of letting the user try. A
file (no server) allows everything: its rules are the file's own (sealing, sign-off).

Actions:
- ``edit``: any change at all (an observer makes none);
- ``score``: enter scores and comments (an evaluator only as themselves: `score_as`);
- ``methodology``: the evaluation's settings, criteria, scale, bids, cost lines,
  evaluators, gateways and feedback;
- ``consensus``: moderation's consensus scores;
- ``seal``: seal the record;
- ``prices``: read cost lines and prices.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..services import EvaluationFile

ACTIONS = ("edit", "score", "methodology", "consensus", "seal", "prices")


@dataclass(frozen=True)
class Permissions:
    """One member's role on one evaluation ("" for a file), and the chair's switches."""

    role: str = ""
    evaluator: str | None = None
    blind: bool = False
    moderation: bool = False

    @property
    def team(self) -> bool:
        return bool(self.role)

    @property
    def score_as(self) -> str | None:
        """The only evaluator this member scores as (None: whoever they choose)."""
        return self.evaluator if self.role == "evaluator" else None

    def may(self, action: str) -> bool:
        return self.why_not(action) is None

    def why_not(self, action: str) -> str | None:
        """Why this member may not do `action` (the end of a sentence), or None."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if self.role == "observer":
            return None if action == "prices" else (
                "you are an observer of this evaluation on the server: you can read it "
                "but not change it")
        if self.role != "evaluator":
            return None
        if action in ("edit", "score"):
            return None
        if action == "prices":
            return None if not self.blind else (
                "prices are hidden by the server while blind scoring is on")
        words = {"methodology": "the methodology (criteria, bids, evaluators, settings)",
                 "consensus": "the consensus scores", "seal": "sealing the record"}[action]
        return f"{words} are the chair's: you score as {self.evaluator}" \
            if action != "seal" else f"{words} is the chair's: you score as {self.evaluator}"

    def banner(self) -> str | None:
        """What the member is shown above every view (None for a file or the chair)."""
        if self.role == "observer":
            return ("You are an observer of this evaluation on the server: you can read "
                    "it but not change it (the server refuses any change).")
        if self.role != "evaluator":
            return None
        parts = [f"You score as {self.evaluator} on this server evaluation: the methodology, "
                 "consensus and sealing are the chair's"]
        if not self.moderation:
            parts.append("other evaluators' scores are hidden by the server until the chair "
                         "opens moderation")
        if self.blind:
            parts.append("prices and cost lines are hidden by the server while blind "
                         "scoring is on")
        return "; ".join(parts) + "."


EVERYTHING = Permissions()


def of(ef: EvaluationFile) -> Permissions:
    """This member's permissions on `ef` (everything for a file or the administrator)."""
    if not ef.store.team:
        return EVERYTHING
    role = ef.store.role
    if role not in ("chair", "evaluator", "observer"):
        return EVERYTHING  # the administrator who owns the tables
    return Permissions(role, ef.store.evaluator, ef.meta("blind") == "1",
                       ef.meta("moderation") == "1")
