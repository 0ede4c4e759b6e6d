"""The open evaluation as the UI sees it: one service object, one undo stack, signals.

Views read through `Document` (`doc()`, `results()`, ...) and edit only through its
methods, each of which pushes a command from `ui.commands` onto `undo_stack`. The
file is the document: every edit is committed to disk by the service as it is made,
so there is no "save".

Signals (the Document emits them; commands only call the service):
- `changed(kind)`: after every edit, undo and redo. `kind` is one of KINDS and names
  what changed; "all" means anything may have (deletes, restores, conflicts, which set
  scores aside). Views refresh when the kind concerns them (see `concerns`).
- `failed(title, text)`: an undo or redo step the file refused (busy, or changed
  underneath). The undo history is then cleared, so that the stack never offers a
  step that disagrees with the file, and `text` says so.
- `notice(text)`: something the user should know, for the status bar.
- `lockChanged()`: whether the file takes edits may have changed (checked, sealed).

A refused edit raises `BadInput` to the caller before anything reaches the stack; the
view shows `ui.ask.problem_text(exc)` to the user.

When a file opens its audit chain is checked (`EvaluationFile.verify`) on a worker
thread with its own connection: on a large file that takes a second or more, and the
window need not wait for it. An edit asked for before the check is done waits for it,
so nothing is ever written to a file that was altered outside ProcureDesk (an edit
would chain the altered data as if they were ours). An altered file is read-only: every
edit is refused, naming the first problem the check found. A sealed file refuses every
edit too (the service says so; `refusal()` says it first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from procure_desk.chain import Verdict
from procure_desk.criteria_tree import subtree_ids
from procure_desk.engine import Results, Snapshot
from procure_desk.errors import BadInput
from procure_desk.services import AuditEntry, ChangedElsewhere, EvaluationFile

from . import commands as cmd
from . import permissions
from .ask import problem_text
from .when import local_date

log = logging.getLogger(__name__)
_CHECKS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify")
KINDS = ("evaluation", "criteria", "bids", "evaluators", "scores", "consensus", "gateways",
         "partners", "feedback", "all")
Record = dict[str, Any]
Command = TypeVar("Command", bound=cmd.ServiceCommand)


def concerns(kind: str, *interests: str) -> bool:
    """True when a change of `kind` may affect a view interested in `interests`."""
    return kind == "all" or kind in interests


class Document(QObject):
    """One open evaluation file, with its undo stack and the user's name for the audit log."""

    changed = Signal(str)
    failed = Signal(str, str)  # title, what happened
    notice = Signal(str)  # something the user should know, e.g. for the status bar
    lockChanged = Signal()  # the file was checked, sealed or unsealed: see `refusal()`

    WATCH_MS = 2000  # how often to look for changes saved by another window or computer
    CHECK_POLL_MS = 25  # how often to look whether the audit chain's check has finished

    def __init__(self, file: EvaluationFile, actor: str, parent: QObject | None = None,
                 *, check: bool = True):
        super().__init__(parent)
        self.file = file
        self.actor = actor
        self.undo_stack = QUndoStack(self)
        self._dropping_history = False  # a step was refused: the history is being cleared
        self._watch = QTimer(self)
        self._watch.setInterval(self.WATCH_MS)
        self._watch.timeout.connect(self.check_outside_changes)
        self._watch.start()
        self._outstanding: list[Record] = []
        self._outstanding_of: Results | None = None
        self.verdict: Verdict | None = None  # the audit chain's check, once it is done
        self._checking: Future[Verdict] | None = None
        self._check_timer = QTimer(self)
        self._check_timer.setInterval(self.CHECK_POLL_MS)
        self._check_timer.timeout.connect(self._poll_check)
        self._closed = False
        self._check_done = not check
        if check:
            # once the window has painted: the check competes with the reading and
            # drawing of the views for the interpreter, and an edit waits for it anyway
            QTimer.singleShot(0, self, self.start_check)

    # ---- is the file as ProcureDesk left it, and may it change? ------------------------
    def start_check(self) -> None:
        """Check the audit chain on a worker thread (see the module's docstring)."""
        if self._checking is None and not self._check_done and not self._closed:
            self._checking = _CHECKS.submit(verify_file, self.file.path)
            self._check_timer.start()

    def checking(self) -> bool:
        """True until the audit chain's check has ended (also before it has started)."""
        return not self._check_done

    def _poll_check(self) -> None:
        if self._checking is not None and self._checking.done():
            self._finish_check()

    def wait_for_check(self) -> None:
        """Wait for the audit chain's check (starting it if it has not started)."""
        if not self._check_done:
            self.start_check()
        if self._checking is not None:
            self._checking.exception()  # waits; the outcome is read below
            self._finish_check()

    def _finish_check(self) -> None:
        future, self._checking = self._checking, None
        self._check_timer.stop()
        if future is None:
            return
        self._check_done = True
        try:
            self.verdict = future.result()
        except BadInput as exc:  # busy this moment: check here, now
            log.warning("audit chain check on a worker failed (%s); checking again", exc)
            try:
                self.verdict = self.file.verify()
            except BadInput:
                log.exception("the audit chain could not be checked")
        self.lockChanged.emit()

    def altered(self) -> dict[str, str] | None:
        """The first problem the audit chain's check found, or None (intact or not yet
        known)."""
        v = self.verdict
        if v is None or v.intact:
            return None
        if v.problems:
            return {"where": str(v.problems[0]["where"]), "message": str(v.problems[0]["message"])}
        return {"where": "evaluation file", "message": "does not match its audit log"}

    def refusal(self, *, wait: bool = True) -> str | None:
        """Why no edit can be made to the file (the end of a sentence about it), or None.

        `wait` waits for the audit chain's check first (edits do; a view deciding whether
        to look read-only does not, and hears `lockChanged` when the check ends)."""
        if wait:
            self.wait_for_check()
        problem = self.altered()
        if problem is not None:
            return (f"was changed outside ProcureDesk ({problem['where']}: "
                    f"{problem['message']}), so it is open read-only: no change can be made "
                    "to it")
        sealed = self.file.sealed()
        if sealed:
            return (f"was sealed by {sealed['by']} on {local_date(sealed['at'])}: no change "
                    "can be made to it. Save a copy as a new draft to work on it.")
        return permissions.refusal(self)  # a server evaluation's observer: ui.permissions

    def guard(self) -> None:
        """Refuse (BadInput) when the file takes no edits: see `refusal`."""
        reason = self.refusal()
        if reason is not None:
            raise BadInput.one("evaluation", reason)

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
        self._drop_history()
        self.changed.emit("all")
        self.lockChanged.emit()  # sealed elsewhere, say
        self.notice.emit("The file was changed in another window or on another computer: "
                         "showing it as it is now. Undo history cleared.")

    def _drop_history(self) -> None:
        # Never clear the stack from inside its own undo()/redo(): Qt still uses the
        # command when the step returns. Steps asked for until then are skipped.
        if not self._dropping_history:
            self._dropping_history = True
            QTimer.singleShot(0, self, self._clear_history)

    def _clear_history(self) -> None:
        self.undo_stack.clear()
        self._dropping_history = False

    @classmethod
    def open(cls, path: str | Path, actor: str, parent: QObject | None = None) -> Document:
        return cls(EvaluationFile.open(path), actor, parent)

    @property
    def path(self) -> Path:
        return self.file.path

    def close(self) -> None:
        self._closed = True
        self._watch.stop()
        self._check_timer.stop()
        if self._checking is not None:
            self._checking.cancel()  # a check that has started finishes on its own copy
            self._checking = None
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

    def outstanding(self) -> list[Record]:
        """What a final decision still needs ([] when the results are final): one entry
        per kind of gap, {"check", "detail"} (cached with the results)."""
        res = self.results()
        if self._outstanding_of is not res:
            self._outstanding = res.outstanding()
            self._outstanding_of = res
        return self._outstanding

    def provisional(self) -> bool:
        return bool(self.outstanding())

    def audit(self, **filters: Any) -> list[AuditEntry]:
        return self.file.audit(**filters)

    def conflict_dates(self) -> dict[tuple[str, str], str]:
        return self.file.conflict_dates()

    @property
    def revision(self) -> int:
        return self.file.revision

    # ---- the one way to edit ---------------------------------------------------------
    def push(self, command: Command) -> Command:
        """Apply `command` now (BadInput propagates, nothing pushed), then make it undoable."""
        self.guard()
        try:
            command.apply()
        except ChangedElsewhere:
            self.outside_change()
            raise
        command.applied()
        self.undo_stack.push(command)
        self.changed.emit(command.what)
        return command

    def replay(self, command: cmd.ServiceCommand, step: Callable[[], None],
               verb: str) -> None:
        """Run an undo or redo step of `command` for the undo stack.

        A step the file refuses (busy, changed elsewhere, or no longer valid) leaves the
        file as it was; the history is cleared then, since every step after it assumes
        a state the file is not in, and the user is told plainly.
        """
        if self._dropping_history:
            return  # an earlier step was refused (say, within a macro): do nothing more
        try:
            step()
        except BadInput as exc:
            self._refused(command, verb, exc)
            return
        except Exception:
            self._refused(command, verb, None)
            raise  # a fault, not a refusal: the error handler reports it
        self.changed.emit(command.what)

    def _refused(self, command: cmd.ServiceCommand, verb: str,
                 exc: BadInput | None) -> None:
        command.setObsolete(True)  # Qt drops the refused step itself when it returns
        self._drop_history()
        if isinstance(exc, ChangedElsewhere):  # the service has reloaded: show the file now
            self.changed.emit("all")
        title = f"Could not {verb} {command.text()!r}"
        text = (f"{title}: {refusal_reason(exc)}. Undo history was cleared so that it "
                "cannot disagree with the file.")
        self.notice.emit(text)
        if exc is not None:
            self.failed.emit(title, text)

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Group several pushes into one undo step."""
        self.undo_stack.beginMacro(text)
        try:
            yield
        finally:
            self.undo_stack.endMacro()

    # ---- convenience edits (each one undoable step) -----------------------------------
    # A `reason` is what a change to the published methodology needs once scoring has
    # opened (ui.methodology asks for it); the service records it with the change.
    def update_evaluation(self, changes: Record, reason: str | None = None) -> None:
        self.push(cmd.UpdateEvaluation(self, changes, reason=reason))

    def add_criterion(self, record: Record, index: int | None = None,
                      reason: str | None = None) -> str:
        return self.push(cmd.AddRecord(self, "criterion", record, index,
                                       reason=reason)).added_id

    def update_criterion(self, cid: str, changes: Record, reason: str | None = None) -> None:
        self.push(cmd.UpdateRecord(self, "criterion", cid, changes, reason=reason))

    def move_criterion(self, cid: str, parent: str | None, index: int,
                       reason: str | None = None) -> None:
        self.push(cmd.MoveCriterion(self, cid, parent, index, reason=reason))

    def delete_criterion(self, cid: str, reason: str | None = None) -> None:
        self.push(cmd.DeleteRecord(self, "criterion", cid, reason=reason))

    def add_bid(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "bid", record)).added_id

    def update_bid(self, bid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "bid", bid, changes))

    def delete_bid(self, bid: str) -> None:
        self.push(cmd.DeleteRecord(self, "bid", bid))

    def add_evaluator(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "evaluator", record)).added_id

    def update_evaluator(self, eid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "evaluator", eid, changes))

    def delete_evaluator(self, eid: str) -> None:
        self.push(cmd.DeleteRecord(self, "evaluator", eid))

    def set_conflict(self, eid: str, bid: str, conflicted: bool,
                     declared_on: str | None = None) -> None:
        self.push(cmd.SetConflict(self, eid, bid, conflicted, declared_on))

    def set_declaration(self, eid: str, declared_on: str | None, interests: str = "") -> None:
        """An evaluator's dated declaration of interests ("" is a nil return); None
        removes it."""
        self.push(cmd.SetDeclaration(self, eid, declared_on, interests))

    def set_conflict_details(self, eid: str, bid: str, nature: str, mitigation: str) -> None:
        self.push(cmd.SetConflictDetails(self, eid, bid, nature, mitigation))

    def set_score(self, eid: str, bid: str, cid: str, score: float | None,
                  comment: str | None = None) -> None:
        self.push(cmd.SetScores(self, [{"evaluator": eid, "bid": bid, "criterion": cid,
                                        "score": score, "comment": comment}]))

    def set_scores(self, items: list[Record], text: str | None = None) -> None:
        self.push(cmd.SetScores(self, items, text))

    def set_consensus(self, bid: str, cid: str, score: float | None,
                      rationale: str = "") -> None:
        self.push(cmd.SetConsensus(self, bid, cid, score, rationale))

    def set_consensus_many(self, items: list[Record], text: str | None = None) -> None:
        """Several consensus records in one undoable step (one transaction)."""
        self.push(cmd.SetConsensusMany(self, items, text))

    def set_feedback(self, bid: str, cid: str, text: str) -> None:
        """What the bidder is told about one criterion ("" clears it)."""
        self.push(cmd.SetFeedback(self, bid, cid, text))

    def set_gateway(self, bid: str, cid: str, passed: bool | None, note: str = "") -> None:
        self.push(cmd.SetGateway(self, bid, cid, passed, note))

    def add_partner(self, record: Record) -> str:
        return self.push(cmd.AddRecord(self, "partner", record)).added_id

    def update_partner(self, pid: str, changes: Record) -> None:
        self.push(cmd.UpdateRecord(self, "partner", pid, changes))

    def update_partners(self, changes: dict[str, Record], text: str | None = None) -> None:
        """Fields of several partners in one undoable step (one transaction)."""
        self.push(cmd.UpdatePartners(self, changes, text))

    def delete_partner(self, pid: str) -> None:
        self.push(cmd.DeleteRecord(self, "partner", pid))

    def set_apportionment(self, bid: str, apportionment: Record | None) -> None:
        self.push(cmd.SetApportionment(self, bid, apportionment))

    # ---- steps that are not undone: they are taken back another way, or never ----------
    def _direct(self, step: Callable[[], Any], what: str) -> Any:
        self.guard()
        try:
            out = step()
        except ChangedElsewhere:
            self.outside_change()
            raise
        self.changed.emit(what)
        return out

    def submit(self, eid: str) -> str:
        """The evaluator signs off their scores, which are then locked; returns when.
        Taken back by `withdraw_submission`, with a reason (never by Undo)."""
        return str(self._direct(lambda: self.file.submit(self.actor, eid), "evaluators"))

    def withdraw_submission(self, eid: str, reason: str) -> None:
        self._direct(lambda: self.file.withdraw_submission(self.actor, eid, reason),
                     "evaluators")

    def record_on_behalf(self, eid: str) -> None:
        """Note in the audit log that the user is entering `eid`'s scores for them."""
        def step() -> None:
            with self.file.recording(self.actor, "scoring.on_behalf", {"evaluator": eid}):
                pass
        self._direct(step, "evaluation")

    def seal(self, reason: str = "") -> Record:
        """Seal the record; never undone (a draft copy is the way to change it)."""
        sealed: Record = self._direct(lambda: self.file.seal(self.actor, reason), "all")
        self.undo_stack.clear()  # every step would be refused now
        self.lockChanged.emit()
        return sealed

    def save_draft_copy(self, dest: str | Path) -> None:
        self.file.save_draft_copy(self.actor, dest, force=True)

    def recorded_elsewhere(self) -> None:
        """Something that changes no figure (an export) was written to the file's audit
        log by other code: views that show the log read it again."""
        self.changed.emit("evaluation")

    # ---- questions views often ask ------------------------------------------------------
    def has_scores(self, *, criterion: str | None = None, bid: str | None = None) -> int:
        """How many scores, consensus scores and gateway results hang off a criterion/bid."""
        d = self.doc()
        crit_ids = set(subtree_ids(d["criteria"], criterion)) if criterion is not None else set()
        n = 0
        for key in ("scores", "consensus", "gateways"):
            for r in d[key]:
                if (criterion is not None and r["criterion"] in crit_ids) or (
                        bid is not None and r["bid"] == bid):
                    n += 1
        return n


def refusal_reason(exc: BadInput | None) -> str:
    """Why the file refused an undo or redo step, as the end of a sentence."""
    if exc is None:
        return "something went wrong"
    if isinstance(exc, ChangedElsewhere):
        return "the file was changed in another window or on another computer"
    if any(p.message.startswith("is busy") for p in exc.problems):
        return "the file is busy (another window or computer is saving to it)"
    return "the file refused it (" + "; ".join(problem_text(exc).splitlines()) + ")"


def verify_file(path: Path) -> Verdict:
    """The audit chain's check, through a connection of its own (a worker thread's).

    A file is read in one transaction, a chunk of records at a time
    (`readers.verify`); a server evaluation through the services, where a save from
    another computer may fall between the reading of the data and of the audit log,
    so an evaluation found altered is checked once more before it is called altered.
    """
    from procure_desk.readers import verify

    verdict = verify(path)
    return verdict if verdict.intact else verify(path)
