"""Team mode: one evaluation on a PostgreSQL server (docs/team-mode.md).

`init`, `publish`, `fetch` and `grant` are the administrator's and the chair's
commands (`procure-desk server ...`); `set_switch` is the chair's blind scoring
and moderation; `watch` (in `listen`) tells an open window that another member
changed the evaluation.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from ..services import EvaluationFile, is_address
from ..store import server as _server

SWITCHES = {"blind": ("team.blind", "blind scoring"),
            "moderation": ("team.moderation", "moderation")}


def _address(url: str) -> str:
    if not is_address(url):
        raise BadInput.one(url, "is not a server address (postgresql://host/database"
                                "?evaluation=REFERENCE)")
    return url


def init(url: str) -> str:
    """The evaluation's schema, roles and policies on an empty server; its shown name."""
    return _server.init(_address(url)).shown


def publish(file: str | Path, url: str, *, actor: str) -> str:
    """The file's evaluation and whole audit chain onto the server (recorded there)."""
    src = Path(file)
    with EvaluationFile.open(src) as ef:  # checks, migrates and starts the chain first
        verdict = ef.verify()
    if not verdict.intact:
        raise BadInput.one(str(src), "is not intact, so it was not published: "
                                     f"{verdict.problems[0]['message']}")
    shown = _server.publish(src, _address(url)).shown
    with EvaluationFile.open(url) as ef, ef.recording(
            actor, "server.publish", {"file": src.name, "head": verdict.head,
                                      "events": verdict.events}):
        pass
    return shown


def fetch(url: str, file: str | Path, *, force: bool = False) -> None:
    """A .pdesk snapshot of the server's evaluation: the same data and audit chain."""
    with EvaluationFile.open(_address(url)) as ef:
        ef.save_copy(file, force=force)


def grant(url: str, login: str, role: str, evaluator: str | None = None) -> str:
    return _server.grant(_address(url), login, role, evaluator).shown


def set_switch(url: str, name: str, on: bool, *, actor: str) -> None:
    """The chair turns blind scoring on or off, or opens (closes) moderation; audited."""
    action, words = SWITCHES[name]
    with EvaluationFile.open(_address(url)) as ef:
        if ef.store.role not in ("chair", "owner"):
            raise BadInput.one(str(ef.path), f"only the chair changes {words}")
        ef.set_meta(actor, name, "1" if on else "0", action, {name: on})


def role(ef: EvaluationFile) -> tuple[str, str | None]:
    """Who this member is on the evaluation: (role, evaluator id); ("", None) for a file."""
    if not ef.store.team:
        return "", None
    return ef.store.role, ef.store.evaluator


def view_note(ef: EvaluationFile) -> str | None:
    """What this member sees of a server evaluation, in one sentence (None: all of it)."""
    who, evaluator = role(ef)
    if who == "observer":
        return "You are an observer of this evaluation: you can read it but not change it."
    if who != "evaluator":
        return None
    hidden = []
    if ef.meta("moderation") != "1":
        hidden.append("other evaluators' scores and the consensus (until the chair opens "
                      "moderation)")
    if ef.meta("blind") == "1":
        hidden.append("prices (blind scoring is on)")
    seen = f"You score as {evaluator}"
    if not hidden:
        return seen + "; the results shown are the evaluation's."
    return (seen + "; the server does not show you " + " or ".join(hidden)
            + ", so the results shown are not the evaluation's.")
