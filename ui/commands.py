"""Undoable edits: each command's redo()/undo() only calls the service layer.

Modelled on orange-canvas-core's document/commands.py. A command does its work in
`apply()` and takes it back in `revert()`, each one named service call (one
transaction) that uses what the service returned (the before-record of an update,
the bundle of a delete). `Document.push` runs `apply()` once eagerly, so a refused
edit (`BadInput`) never reaches the undo stack, then pushes the command; Qt's first
`redo()` is skipped. Later undo and redo steps run through `Document.replay`, which
emits the change signals and clears the history when the file refuses a step, so the
stack never offers a step that disagrees with the file.

Adding a use case: subclass `ServiceCommand`, set `what` (the `Document.changed`
kind it touches), implement `apply` and `revert`, and push it with
`document.push(cmd)`.

Once scoring has opened, a change to the published methodology (criteria, weights,
the scale, the appraisal) needs a reason. A command given one passes it to the
service; its undo and its later redo are methodology changes too, so they pass one
that says what they take back or make again (see `ServiceCommand.because`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from procure_desk.services import EvaluationFile

    from .document import Document

Record = dict[str, Any]
RecordKind = Literal["criterion", "bid", "evaluator", "partner"]
# the `Document.changed` kind an edit of each record touches
WHAT: dict[str, str] = {"criterion": "criteria", "bid": "bids", "evaluator": "evaluators",
                        "partner": "partners"}


class ServiceCommand(QUndoCommand):
    """Base: remembers the Document and lets it run Qt's undo and redo steps."""

    what = "all"

    def __init__(self, document: Document, text: str, reason: str | None = None):
        super().__init__(text)
        self.document = document
        self.reason = reason
        self._skip_redo = False
        self._redone = False  # redone after an undo: no longer the user's first time

    def because(self, undoing: bool = False) -> str | None:
        """The reason to give the service: the user's the first time; an undo or a redo
        names the change it takes back or makes again (scoring may have opened since)."""
        if undoing:
            return f"Undo of {self.text()!r}" + (f" ({self.reason})" if self.reason else "")
        if self._redone and not self.reason:
            return f"Redo of {self.text()!r}"
        return self.reason

    @property
    def ef(self) -> EvaluationFile:
        return self.document.file

    @property
    def actor(self) -> str:
        return self.document.actor

    def applied(self) -> None:
        """Said by `Document.push`, which has applied the command: Qt's first redo()
        (on push) must not apply it again."""
        self._skip_redo = True

    # subclasses
    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    # Qt
    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._redone = True
        self.document.replay(self, self.apply, "redo")

    def undo(self) -> None:
        self.document.replay(self, self.revert, "undo")


# ---- evaluation settings ----------------------------------------------------------------
class UpdateEvaluation(ServiceCommand):
    what = "evaluation"

    def __init__(self, document: Document, changes: Record, text: str = "Edit evaluation",
                 reason: str | None = None):
        super().__init__(document, text, reason)
        self.changes = copy.deepcopy(changes)
        self.before: Record = {}

    def apply(self) -> None:
        self.before = self.ef.update_evaluation(self.actor, self.changes,
                                                reason=self.because())

    def revert(self) -> None:
        self.ef.update_evaluation(self.actor, self.before, reason=self.because(True))


# ---- add / update / delete of a criterion, bid, evaluator or partner --------------------
def _updater(ef: EvaluationFile, kind: RecordKind) -> Callable[..., Record]:
    methods: dict[str, Callable[..., Record]] = {
        "criterion": ef.update_criterion, "bid": ef.update_bid,
        "evaluator": ef.update_evaluator, "partner": ef.update_partner}
    return methods[kind]


def _deleter(ef: EvaluationFile, kind: RecordKind) -> Callable[..., Record]:
    methods: dict[str, Callable[..., Record]] = {
        "criterion": ef.delete_criterion, "bid": ef.delete_bid,
        "evaluator": ef.delete_evaluator, "partner": ef.delete_partner}
    return methods[kind]


def _why(kind: RecordKind, reason: str | None) -> Record:
    """The keyword a criterion's edit takes for its reason (other records take none)."""
    return {"reason": reason} if kind == "criterion" else {}


class AddRecord(ServiceCommand):
    """Add a criterion, bid, evaluator or partner; undo deletes it again."""

    def __init__(self, document: Document, kind: RecordKind, record: Record,
                 index: int | None = None, text: str | None = None,
                 reason: str | None = None):
        super().__init__(document, text or f"Add {kind}", reason)
        self.kind = kind
        self.what = WHAT[kind]
        self.record = copy.deepcopy(record)
        self.index = index
        self.new_id: str | None = None

    @property
    def added_id(self) -> str:
        """The new record's id (once applied)."""
        if self.new_id is None:
            raise RuntimeError(f"{self.text()!r} has not been applied")
        return self.new_id

    def apply(self) -> None:
        # a redo puts the record back under the id it had, so later steps still find it
        rec = dict(self.record, id=self.new_id) if self.new_id else self.record
        ef, actor = self.ef, self.actor
        if self.kind == "criterion":
            self.new_id = ef.add_criterion(actor, rec, index=self.index,
                                           reason=self.because())
        else:
            adders = {"bid": ef.add_bid, "evaluator": ef.add_evaluator,
                      "partner": ef.add_partner}
            self.new_id = adders[self.kind](actor, rec)

    def revert(self) -> None:
        _deleter(self.ef, self.kind)(self.actor, self.added_id,
                                     **_why(self.kind, self.because(True)))


class UpdateRecord(ServiceCommand):
    """Change fields of a criterion, bid, evaluator or partner."""

    def __init__(self, document: Document, kind: RecordKind, rid: str, changes: Record,
                 text: str | None = None, reason: str | None = None):
        super().__init__(document, text or f"Edit {kind} {rid}", reason)
        self.kind, self.rid = kind, rid
        self.what = WHAT[kind]
        self.changes = copy.deepcopy(changes)
        self.before: Record = {}

    def apply(self) -> None:
        self.before = _updater(self.ef, self.kind)(self.actor, self.rid, self.changes,
                                                   **_why(self.kind, self.because()))

    def revert(self) -> None:
        _updater(self.ef, self.kind)(self.actor, self.rid, self.before,
                                     **_why(self.kind, self.because(True)))


class DeleteRecord(ServiceCommand):
    """Delete a record with everything hanging off it; undo restores the bundle."""

    what = "all"

    def __init__(self, document: Document, kind: RecordKind, rid: str,
                 text: str | None = None, reason: str | None = None):
        super().__init__(document, text or f"Delete {kind} {rid}", reason)
        self.kind, self.rid = kind, rid
        self.bundle: Record = {}

    def apply(self) -> None:
        self.bundle = _deleter(self.ef, self.kind)(self.actor, self.rid,
                                                   **_why(self.kind, self.because()))

    def revert(self) -> None:
        self.ef.restore(self.actor, self.bundle)


class MoveCriterion(ServiceCommand):
    what = "criteria"

    def __init__(self, document: Document, cid: str, parent: str | None, index: int,
                 text: str | None = None, reason: str | None = None):
        super().__init__(document, text or f"Move criterion {cid}", reason)
        self.cid, self.parent, self.index = cid, parent, index
        self.before: Record = {}

    def apply(self) -> None:
        self.before = self.ef.move_criterion(self.actor, self.cid, self.parent, self.index,
                                             reason=self.because())

    def revert(self) -> None:
        self.ef.move_criterion(self.actor, self.cid, self.before["parent"], self.before["index"],
                               reason=self.because(True))


# ---- declarations of interests -------------------------------------------------------------
class SetDeclaration(ServiceCommand):
    """An evaluator's dated declaration of interests ("" is a nil return; a date of None
    removes it); undo puts back the one there was."""

    what = "evaluators"

    def __init__(self, document: Document, eid: str, declared_on: str | None,
                 interests: str = "", text: str | None = None):
        super().__init__(document, text or f"Declaration of interests {eid}")
        self.eid, self.declared_on, self.interests = eid, declared_on, interests
        self.before: Record | None = None

    def apply(self) -> None:
        self.before = self.ef.set_declaration(self.actor, self.eid, self.declared_on,
                                              self.interests)

    def revert(self) -> None:
        b = self.before
        self.ef.set_declaration(self.actor, self.eid, b["date"] if b else None,
                                b.get("interests", "") if b else "")


class SetConflictDetails(ServiceCommand):
    """What a declared conflict is, and the mitigation agreed."""

    what = "evaluators"

    def __init__(self, document: Document, eid: str, bid: str, nature: str, mitigation: str,
                 text: str | None = None):
        super().__init__(document, text or f"Conflict details {eid}/{bid}")
        self.eid, self.bid, self.nature, self.mitigation = eid, bid, nature, mitigation
        self.before: Record = {"nature": "", "mitigation": ""}

    def apply(self) -> None:
        self.before = self.ef.set_conflict_details(self.actor, self.eid, self.bid, self.nature,
                                                   self.mitigation)

    def revert(self) -> None:
        self.ef.set_conflict_details(self.actor, self.eid, self.bid,
                                     self.before.get("nature", ""),
                                     self.before.get("mitigation", ""))


# ---- conflicts, scores, consensus, gateways ---------------------------------------------
class SetConflict(ServiceCommand):
    """Declaring a conflict sets that evaluator's scores on the bid aside; undo puts them
    back in the same transaction that withdraws it."""

    what = "all"

    def __init__(self, document: Document, eid: str, bid: str, conflicted: bool,
                 declared_on: str | None = None, text: str | None = None):
        verb = "Declare" if conflicted else "Withdraw"
        super().__init__(document, text or f"{verb} conflict {eid}/{bid}")
        self.eid, self.bid, self.conflicted, self.declared_on = eid, bid, conflicted, declared_on
        self.before: Record = {}

    def apply(self) -> None:
        self.before = self.ef.set_conflict(self.actor, self.eid, self.bid, self.conflicted,
                                           self.declared_on)
        if self.conflicted and self.declared_on is None:
            # a redo declares it on the day it was first declared
            self.declared_on = self.ef.conflict_dates().get((self.eid, self.bid))

    def revert(self) -> None:
        self.ef.set_conflict(self.actor, self.eid, self.bid, self.before["conflicted"],
                             self.before["declared_on"],
                             scores=[dict(r) for r in self.before["scores"]])


def _score_items(befores: list[Record | None], items: list[Record]) -> list[Record]:
    out = []
    for it, b in zip(items, befores):
        key = {"evaluator": it["evaluator"], "bid": it["bid"], "criterion": it["criterion"]}
        out.append({**key, "score": b["score"], "comment": b["comment"]} if b
                   else {**key, "score": None, "comment": None})
    return out


class SetScores(ServiceCommand):
    """One or many evaluators' scores (record, change or clear) in one transaction."""

    what = "scores"

    def __init__(self, document: Document, items: list[Record], text: str | None = None):
        if text is None:
            text = ("Score " + "/".join(items[0][k] for k in ("evaluator", "bid", "criterion"))
                    if len(items) == 1 else f"Set {len(items)} scores")
        super().__init__(document, text)
        self.items = copy.deepcopy(items)
        self.befores: list[Record | None] = []

    def apply(self) -> None:
        self.befores = self.ef.set_scores(self.actor, self.items)

    def revert(self) -> None:
        self.ef.set_scores(self.actor, _score_items(self.befores, self.items))


class SetConsensus(ServiceCommand):
    what = "consensus"

    def __init__(self, document: Document, bid: str, cid: str, score: float | None,
                 rationale: str = "", text: str | None = None):
        super().__init__(document, text or f"Consensus {bid}/{cid}")
        self.bid, self.cid, self.score, self.rationale = bid, cid, score, rationale
        self.before: Record | None = None

    def apply(self) -> None:
        self.before = self.ef.set_consensus(self.actor, self.bid, self.cid, self.score,
                                            self.rationale)

    def revert(self) -> None:
        b = self.before
        self.ef.set_consensus(self.actor, self.bid, self.cid, b["score"] if b else None,
                              b["rationale"] if b else "")


class SetGateway(ServiceCommand):
    what = "gateways"

    def __init__(self, document: Document, bid: str, cid: str, passed: bool | None,
                 note: str = "", text: str | None = None):
        super().__init__(document, text or f"Gateway {bid}/{cid}")
        self.bid, self.cid, self.passed, self.note = bid, cid, passed, note
        self.before: Record | None = None

    def apply(self) -> None:
        self.before = self.ef.set_gateway(self.actor, self.bid, self.cid, self.passed, self.note)

    def revert(self) -> None:
        b = self.before
        self.ef.set_gateway(self.actor, self.bid, self.cid, b["passed"] if b else None,
                            b["note"] if b else "")


class SetApportionment(ServiceCommand):
    what = "partners"

    def __init__(self, document: Document, bid: str, apportionment: Record | None,
                 text: str | None = None):
        super().__init__(document, text or f"Apportionment of {bid}")
        self.bid, self.apportionment = bid, copy.deepcopy(apportionment)
        self.before: Record | None = None

    def apply(self) -> None:
        self.before = self.ef.set_apportionment(self.actor, self.bid, self.apportionment)

    def revert(self) -> None:
        self.ef.set_apportionment(self.actor, self.bid, self.before)


class SetFeedback(ServiceCommand):
    """The reasons written for the bidder on one criterion ("" clears them)."""

    what = "feedback"

    def __init__(self, document: Document, bid: str, cid: str, text: str,
                 label: str | None = None):
        super().__init__(document, label or f"Feedback {bid}/{cid}")
        self.bid, self.cid, self.text_ = bid, cid, text
        self.before: Record | None = None

    def apply(self) -> None:
        self.before = self.ef.set_feedback(self.actor, self.bid, self.cid, self.text_)

    def revert(self) -> None:
        self.ef.set_feedback(self.actor, self.bid, self.cid,
                             self.before["text"] if self.before else None)


class SetConsensusMany(ServiceCommand):
    """Several consensus records (a pasted column) in one transaction."""

    what = "consensus"

    def __init__(self, document: Document, items: list[Record], text: str | None = None):
        super().__init__(document, text or f"Paste {len(items)} consensus scores")
        self.items = copy.deepcopy(items)
        self.befores: list[Record | None] = []

    def apply(self) -> None:
        self.befores = self.ef.set_consensus_many(self.actor, self.items)

    def revert(self) -> None:
        self.ef.set_consensus_many(self.actor, [
            b if b else {"bid": it["bid"], "criterion": it["criterion"], "score": None}
            for it, b in zip(self.items, self.befores)])


class UpdatePartners(ServiceCommand):
    """Fields of several partner councils (a pasted block) in one transaction."""

    what = "partners"

    def __init__(self, document: Document, changes: dict[str, Record],
                 text: str | None = None):
        super().__init__(document, text or f"Paste into {len(changes)} partners")
        self.changes = copy.deepcopy(changes)
        self.befores: dict[str, Record] = {}

    def apply(self) -> None:
        self.befores = self.ef.update_partners(self.actor, self.changes)

    def revert(self) -> None:
        self.ef.update_partners(self.actor, self.befores)
