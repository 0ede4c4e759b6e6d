"""The open evaluation as the UI sees it: one service object, one undo stack, signals.

Views read through `Document` (`doc()`, `results()`, ...) and edit only through its
methods, each of which pushes a command from `ui.commands` onto `undo_stack`. The
file is the document: every edit is committed to disk by the service as it is made,
so there is no "save".

Signals:
- `changed(kind)`: after every edit, undo and redo. `kind` is one of KINDS and names
  what changed; "all" means anything may have (deletes, restores, conflicts, which set
  scores aside). Views refresh when the kind concerns them (see `concerns`).
- `failed(title, exc)`: an undo or redo the file refused (it changed underneath).

A refused edit raises `BadInput` to the caller before anything reaches the stack; the
view shows `ui.ask.problem_text(exc)` to the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from procure_desk.engine import Results, Snapshot
from procure_desk.errors import BadInput
from procure_desk.services import AuditEntry, ChangedElsewhere, EvaluationFile

from . import commands as cmd

KINDS = ("evaluation", "criteria", "bids", "evaluators", "scores", "consensus", "gateways",
         "partners", "all")
Record = dict[str, Any]


def concerns(kind: str, *interests: str) -> bool:
    """True when a change of `kind` may affect a view interested in `interests`."""
    return kind == "all" or kind in interests


class Document(QObject):
    """One open evaluation file, with its undo stack and the user's name for the audit log."""

    changed = Signal(str)
    failed = Signal(str, object)
    notice = Signal(str)  # something the user should know, e.g. for the status bar

    WATCH_MS = 2000  # how often to look for changes saved by another window or computer

    def __init__(self, file: EvaluationFile, actor: str, parent: QObject | None = None):
        super().__init__(parent)
        self.file = file
        self.actor = actor
        self.undo_stack = QUndoStack(self)
        self._watch = QTimer(self)
        self._watch.setInterval(self.WATCH_MS)
        self._watch.timeout.connect(self.check_outside_changes)
        self._watch.start()

    def check_outside_changes(self) -> bool:
        """Catch up with changes saved elsewhere since we last read; True if there were."""
        try:
            moved = self.file.changed_elsewhere()
        except BadInput:  # busy this moment: look again next time
            return False
        if moved:
            self.file.reload()
            self.outside_change()
        return moved

    def outside_change(self) -> None:
        """The file moved on under us: show it as it is, and drop an undo history that
        no longer matches it (undoing on top of someone else's change would lose it)."""
        QTimer.singleShot(0, self.undo_stack.clear)
        self.changed.emit("all")
        self.notice.emit("The file was changed in another window or on another computer: "
                         "showing it as it is now. Undo history cleared.")

    @classmethod
    def open(cls, path: str | Path, actor: str, parent: QObject | None = None) -> Document:
        return cls(EvaluationFile.open(path), actor, parent)

    @property
    def path(self) -> Path:
        return self.file.path

    def close(self) -> None:
        self._watch.stop()
        self.undo_stack.clear()
        self.file.close()

    # ---- reads (cached by the service until the next edit) ---------------------------
    def doc(self) -> Record:
        """The normalised interchange document. Treat it as read-only."""
        return self.file.document()

    def snapshot(self) -> Snapshot:
        return self.file.snapshot()

    def results(self) -> Results:
        return self.file.results()

    def audit(self, **filters: Any) -> list[AuditEntry]:
        return self.file.audit(**filters)

    def conflict_dates(self) -> dict[tuple[str, str], str]:
        return self.file.conflict_dates()

    @property
    def revision(self) -> int:
        return self.file.revision

    # ---- the one way to edit ---------------------------------------------------------
    def push(self, command: cmd.ServiceCommand) -> cmd.ServiceCommand:
        """Apply `command` now (BadInput propagates, nothing pushed), then make it undoable."""
        try:
            command.apply()
        except ChangedElsewhere:
            self.outside_change()
            raise
        command._skip_redo = True  # Qt calls redo() on push: it is done already
        self.undo_stack.push(command)
        self.changed.emit(command.what)
        return command

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Group several pushes into one undo step."""
        self.undo_stack.beginMacro(text)
        try:
            yield
        finally:
            self.undo_stack.endMacro()

    # ---- convenience edits (each one undoable step) -----------------------------------
    def update_evaluation(self, changes: Record) -> None:
        self.push(cmd.UpdateEvaluation(self, changes))

    def add_criterion(self, record: Record, index: int | None = None) -> str:
        return self.push(cmd.AddRecord(self, "criterion", record, index)).new_id  # type: ignore[attr-defined, no-any-return]

    def update_criterion(self, cid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "criterion", cid, changes))

    def move_criterion(self, cid: str, parent: str | None, index: int) -> None:
        self.push(cmd.MoveCriterion(self, cid, parent, index))

    def delete_criterion(self, cid: str) -> None:
        self.push(cmd.DeleteRecord(self, "criterion", cid))

    def add_bid(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "bid", record)).new_id  # type: ignore[attr-defined, no-any-return]

    def update_bid(self, bid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "bid", bid, changes))

    def delete_bid(self, bid: str) -> None:
        self.push(cmd.DeleteRecord(self, "bid", bid))

    def add_evaluator(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "evaluator", record)).new_id  # type: ignore[attr-defined, no-any-return]

    def update_evaluator(self, eid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "evaluator", eid, changes))

    def delete_evaluator(self, eid: str) -> None:
        self.push(cmd.DeleteRecord(self, "evaluator", eid))

    def set_conflict(self, eid: str, bid: str, conflicted: bool,
                     declared_on: str | None = None) -> None:
        self.push(cmd.SetConflict(self, eid, bid, conflicted, declared_on))

    def set_score(self, eid: str, bid: str, cid: str, score: float | None,
                  comment: str | None = None) -> None:
        self.push(cmd.SetScores(self, [{"evaluator": eid, "bid": bid, "criterion": cid,
                                        "score": score, "comment": comment}]))

    def set_scores(self, items: list[Record], text: str | None = None) -> None:
        self.push(cmd.SetScores(self, items, text))

    def set_consensus(self, bid: str, cid: str, score: float | None,
                      rationale: str = "") -> None:
        self.push(cmd.SetConsensus(self, bid, cid, score, rationale))

    def set_gateway(self, bid: str, cid: str, passed: bool | None, note: str = "") -> None:
        self.push(cmd.SetGateway(self, bid, cid, passed, note))

    def add_partner(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "partner", record)).new_id  # type: ignore[attr-defined, no-any-return]

    def update_partner(self, pid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "partner", pid, changes))

    def delete_partner(self, pid: str) -> None:
        self.push(cmd.DeleteRecord(self, "partner", pid))

    def set_apportionment(self, bid: str, apportionment: Record | None) -> None:
        self.push(cmd.SetApportionment(self, bid, apportionment))

    def replace_document(self, doc: Record, action: str, detail: Record,
                         text: str = "Replace evaluation") -> None:
        self.push(cmd.ReplaceDocument(self, doc, action, detail, text))

    # ---- questions views often ask ------------------------------------------------------
    def has_scores(self, *, criterion: str | None = None, bid: str | None = None) -> int:
        """How many scores, consensus scores and gateway results hang off a criterion/bid."""
        d = self.doc()
        crit_ids: set[str] = set()
        if criterion is not None:
            crit_ids = {criterion}
            grew = True
            while grew:
                kids = {c["id"] for c in d["criteria"] if c.get("parent") in crit_ids}
                grew = not kids <= crit_ids
                crit_ids |= kids
        n = 0
        for key in ("scores", "consensus", "gateways"):
            for r in d[key]:
                if (criterion is not None and r["criterion"] in crit_ids) or (
                        bid is not None and r["bid"] == bid):
                    n += 1
        return n
