"""The evaluation's governance: declarations of interests, evaluators signing off
their scores, and sealing the record after award (docs/governance.md).

A submitted evaluator's scores are locked until the submission is withdrawn with a
reason; a sealed record refuses every change (see `file.refuse_if_sealed`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .. import chain
from ..errors import BadInput
from ..stamps import now_iso
from .file import FileCore
from .records import Record, find


class GovernanceEdits(FileCore):
    # ---- declarations --------------------------------------------------------------
    def set_declaration(self, actor: str, eid: str, declared_on: str | None,
                        interests: str = "") -> Record | None:
        """An evaluator's dated declaration of interests ("" is a nil return), or None to
        remove it; returns the one there was."""
        ev = find(self.document()["evaluators"], eid, "evaluator")
        before = ev.get("declaration")
        decl = None if declared_on is None else {"date": declared_on, "interests": interests}
        self._check_evaluator(eid, {"declaration": decl})
        with self.unit_of_work() as w:
            w.put_declaration(eid, decl)
            w.audit(actor, "declaration.set" if decl else "declaration.clear", "evaluator",
                    eid, before, decl)
        return before

    def set_conflict_details(self, actor: str, eid: str, bid: str, nature: str,
                             mitigation: str) -> Record:
        """What a declared conflict is and the mitigation agreed; returns the old ones."""
        ev = find(self.document()["evaluators"], eid, "evaluator")
        if bid not in ev["conflicts"]:
            raise BadInput.one(f"conflict {eid}/{bid}", f"{ev['name']} has declared no "
                                                        f"conflict with bid {bid}")
        before = ev.get("conflict_details", {}).get(bid, {"nature": "", "mitigation": ""})
        details = dict(ev.get("conflict_details", {}), **{
            bid: {"nature": nature, "mitigation": mitigation}})
        self._check_evaluator(eid, {"conflict_details": details})
        after = {"nature": nature, "mitigation": mitigation}
        with self.unit_of_work() as w:
            w.put_conflict_details(eid, bid, nature, mitigation)
            w.audit(actor, "conflict.details", "conflict", f"{eid}/{bid}", before, after)
        return dict(before)

    def _check_evaluator(self, eid: str, changes: Record) -> None:
        def change(d: Record) -> None:
            rec = next(e for e in d["evaluators"] if e["id"] == eid)
            for k, v in changes.items():
                if v is None:
                    rec.pop(k, None)
                else:
                    rec[k] = v

        self._check_light(change)

    # ---- sign-off ------------------------------------------------------------------
    def submit(self, actor: str, eid: str) -> str:
        """The evaluator signs off their scores, which are then locked; returns when."""
        doc = self.document()
        ev = find(doc["evaluators"], eid, "evaluator")
        if ev.get("submitted"):
            raise BadInput.one(f"evaluator {eid}", f"{ev['name']} already submitted their "
                                                   f"scores on {ev['submitted'][:10]}")
        missing = [r["detail"] for r in self.results().outstanding()
                   if r["check"] == "scores_missing" and f"({eid})" in r["detail"]]
        if missing:
            detail = next(p for p in missing[0].split("; ") if f"({eid})" in p)
            raise BadInput.one(f"evaluator {eid}", f"cannot submit yet: {detail}")
        when = now_iso()
        with self.unit_of_work() as w:
            w.put_submitted(eid, when)
            w.audit(actor, "scores.submit", "evaluator", eid, None,
                    {"evaluator": eid, "name": ev["name"], "submitted": when})
        return when

    def withdraw_submission(self, actor: str, eid: str, reason: str) -> str:
        """Unlock an evaluator's scores again, for a reason that is recorded."""
        ev = find(self.document()["evaluators"], eid, "evaluator")
        if not ev.get("submitted"):
            raise BadInput.one(f"evaluator {eid}", f"{ev['name']} has not submitted")
        if not reason or not reason.strip():
            raise BadInput.one(f"evaluator {eid}", "withdrawing a submission needs a reason")
        with self.unit_of_work() as w:
            w.put_submitted(eid, None)
            w.audit(actor, "scores.withdraw", "evaluator", eid,
                    {"submitted": ev["submitted"]}, {"submitted": None, "reason": reason})
        return str(ev["submitted"])

    # ---- sealing -------------------------------------------------------------------
    def seal(self, actor: str, reason: str = "") -> Record:
        """Seal the record after award: no change can be made to it afterwards."""
        if self.sealed():
            raise BadInput.one("evaluation", "is already sealed")
        results = self.results()
        outstanding = results.outstanding()
        if outstanding:
            raise BadInput.one("evaluation", "cannot be sealed while results are "
                                             "provisional: " + "; ".join(
                                                 r["detail"] for r in outstanding))
        if results.winner is None:
            raise BadInput.one("evaluation", "cannot be sealed: no bid is ranked")
        head, _ = self.head()
        sealed = {"at": now_iso(), "by": actor, "head": head, "reason": reason}
        with self.unit_of_work() as w:
            w.audit(actor, "evaluation.seal", "evaluation", "", None, sealed)
            w.set_meta("sealed", json.dumps(sealed))
        return sealed

    def save_draft_copy(self, actor: str, dest: str | Path, *, force: bool = False) -> None:
        """An unsealed copy to work on, which records the sealed file's head as its origin."""
        sealed = self.sealed()
        if not sealed:
            raise BadInput.one("evaluation", "is not sealed: use Save a Copy instead")
        self.save_copy(dest, force=force)
        head, events = self.head()
        # the seal goes, so the copy can change; it says where it came from
        with type(self)(dest) as copy, copy.store.transaction() as w:
            w.delete_meta("sealed")
            w.audit(actor, "evaluation.draft", "evaluation", "", {"sealed": sealed},
                    {"origin": {"file": self.path.name, "head": head, "events": events,
                                "sealed": sealed}})
            doc, _ = w.read_state()
            w.flush_events(chain.digest(doc, None).hex)


def parse_date(text: str, where: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput.one(where, f"{text!r} is not a date (YYYY-MM-DD)") from None

