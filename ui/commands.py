"""Undoable edits: each command's redo()/undo() only calls the service layer.

Modelled on orange-canvas-core's document/commands.py. A command does its work in
`apply()` and takes it back in `revert()`, both plain service calls that use what
the service returned (the before-record of an update, the bundle of a delete).
`Document.push` runs `apply()` once eagerly, so a refused edit (`BadInput`) never
reaches the undo stack, then pushes the command; Qt's first `redo()` is skipped.

Adding a use case: subclass `ServiceCommand`, set `what` (the `Document.changed`
kind it touches), implement `apply` and `revert`, and push it with
`document.push(cmd)`.
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from procure_desk.errors import BadInput
from procure_desk.services import ChangedElsewhere

if TYPE_CHECKING:
    from procure_desk.services import EvaluationFile

    from .document import Document

log = logging.getLogger(__name__)
Record = dict[str, Any]


class ServiceCommand(QUndoCommand):
    """Base: remembers the Document, skips Qt's first redo, reports failures."""

    what = "all"

    def __init__(self, document: Document, text: str):
        super().__init__(text)
        self.document = document
        self._skip_redo = False  # set by Document.push, which has applied it already

    @property
    def ef(self) -> EvaluationFile:
        return self.document.file

    @property
    def actor(self) -> str:
        return self.document.actor

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
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step: Any) -> None:
        try:
            step()
        except ChangedElsewhere as exc:
            self.document.outside_change()
            self.document.failed.emit(f"Could not {'undo' if step == self.revert else 'redo'} "
                                      f"{self.text()!r}", exc)
            return
        except BadInput as exc:  # the file changed under us (another program)
            self.document.failed.emit(f"Could not {'undo' if step == self.revert else 'redo'} "
                                      f"{self.text()!r}", exc)
        self.document.changed.emit(self.what)


# ---- evaluation settings ----------------------------------------------------------------
class UpdateEvaluation(ServiceCommand):
    what = "evaluation"

    def __init__(self, document: Document, changes: Record, text: str = "Edit evaluation"):
        super().__init__(document, text)
        self.changes = copy.deepcopy(changes)
        self.before: Record = {}

    def apply(self) -> None:
        self.before = self.ef.update_evaluation(self.actor, self.changes)

    def revert(self) -> None:
        self.ef.update_evaluation(self.actor, self.before)


# ---- generic add / update / delete of a record ------------------------------------------
class AddRecord(ServiceCommand):
    """Add a criterion, bid, evaluator or partner; undo deletes it again."""

    def __init__(self, document: Document, kind: str, record: Record,
                 index: int | None = None, text: str | None = None):
        super().__init__(document, text or f"Add {kind}")
        self.kind = kind
        self.what = {"criterion": "criteria", "bid": "bids", "evaluator": "evaluators",
                     "partner": "partners"}[kind]
        self.record = copy.deepcopy(record)
        self.index = index
        self.new_id: str | None = None

    def apply(self) -> None:
        rec = dict(self.record, id=self.new_id) if self.new_id else self.record
        if self.kind == "criterion":
            self.new_id = self.ef.add_criterion(self.actor, rec, index=self.index)
        else:
            self.new_id = getattr(self.ef, f"add_{self.kind}")(self.actor, rec)

    def revert(self) -> None:
        getattr(self.ef, f"delete_{self.kind}")(self.actor, self.new_id)


class UpdateRecord(ServiceCommand):
    """Change fields of a criterion, bid, evaluator or partner."""

    def __init__(self, document: Document, kind: str, rid: str, changes: Record,
                 text: str | None = None):
        super().__init__(document, text or f"Edit {kind} {rid}")
        self.kind, self.rid = kind, rid
        self.what = {"criterion": "criteria", "bid": "bids", "evaluator": "evaluators",
                     "partner": "partners"}[kind]
        self.changes = copy.deepcopy(changes)
        self.before: Record = {}

    def apply(self) -> None:
        self.before = getattr(self.ef, f"update_{self.kind}")(self.actor, self.rid, self.changes)

    def revert(self) -> None:
        getattr(self.ef, f"update_{self.kind}")(self.actor, self.rid, self.before)


class DeleteRecord(ServiceCommand):
    """Delete a record with everything hanging off it; undo restores the bundle."""

    what = "all"

    def __init__(self, document: Document, kind: str, rid: str, text: str | None = None):
        super().__init__(document, text or f"Delete {kind} {rid}")
        self.kind, self.rid = kind, rid
        self.bundle: Record = {}

    def apply(self) -> None:
        self.bundle = getattr(self.ef, f"delete_{self.kind}")(self.actor, self.rid)

    def revert(self) -> None:
        self.ef.restore(self.actor, self.bundle)


class MoveCriterion(ServiceCommand):
    what = "criteria"

    def __init__(self, document: Document, cid: str, parent: str | None, index: int,
                 text: str | None = None):
        super().__init__(document, text or f"Move criterion {cid}")
        self.cid, self.parent, self.index = cid, parent, index
        self.before: Record = {}

    def apply(self) -> None:
        self.before = self.ef.move_criterion(self.actor, self.cid, self.parent, self.index)

    def revert(self) -> None:
        self.ef.move_criterion(self.actor, self.cid, self.before["parent"], self.before["index"])


# ---- conflicts, scores, consensus, gateways ---------------------------------------------
class SetConflict(ServiceCommand):
    """Declaring a conflict sets that evaluator's scores on the bid aside; undo puts them back."""

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
            self.declared_on = self.ef.conflict_dates().get((self.eid, self.bid))

    def revert(self) -> None:
        self.ef.set_conflict(self.actor, self.eid, self.bid, self.before["conflicted"],
                             self.before["declared_on"])
        if self.before["scores"]:
            self.ef.set_scores(self.actor, [dict(r) for r in self.before["scores"]])


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


class ReplaceDocument(ServiceCommand):
    """Replace the whole evaluation (an import into the open file); undo puts the old back."""

    what = "all"

    def __init__(self, document: Document, doc: Record, action: str, detail: Record,
                 text: str = "Replace evaluation"):
        super().__init__(document, text)
        self.doc, self.action, self.detail = doc, action, detail
        self.old: Record | None = None

    def apply(self) -> None:
        self.old = copy.deepcopy(self.ef.document())
        self.ef.replace_document(self.actor, self.doc, self.action, self.detail)

    def revert(self) -> None:
        self.ef.replace_document(self.actor, self.old, "undo." + self.action, self.detail)
