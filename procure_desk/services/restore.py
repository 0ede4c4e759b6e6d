"""Putting back what a delete removed, and replacing the whole evaluation (imports)."""

from __future__ import annotations

import copy
from typing import Any

from .. import interchange
from .file import FileCore
from .records import Record, summary


class RestoreEdits(FileCore):
    def restore(self, actor: str, removed: Record) -> None:
        """Put back what a delete returned, in its old places."""
        removed = copy.deepcopy(removed)
        doc = copy.deepcopy(self.document())
        # Removed records go back at their old indices, lowest first, which
        # rebuilds each list exactly as it was.
        for key in ("criteria", "bids", "evaluators", "partners", "scores", "consensus",
                    "gateways", "feedback"):
            lst = doc[key]
            for rec in sorted(removed.get(key, []), key=lambda r: r.get("_index", 1 << 60)):
                idx = rec.pop("_index", None)
                lst.insert(len(lst) if idx is None else min(idx, len(lst)), rec)
        for eid, bids in removed.get("conflicts", {}).items():
            ev = next(e for e in doc["evaluators"] if e["id"] == eid)
            ev["conflicts"] = [*ev["conflicts"], *[b for b in bids if b not in ev["conflicts"]]]
        for bid, app in removed.get("apportionments", {}).items():
            next(b for b in doc["bids"] if b["id"] == bid)["apportionment"] = app
        # not strict: undo must work while a just-added section still weighs nothing
        norm = interchange.validate(doc, strict=False)
        dates = self.conflict_dates()
        for key, when in removed.get("conflict_dates", {}).items():
            eid, bid = key.split("/", 1)
            dates[(eid, bid)] = when
        with self.unit_of_work() as w:
            w.replace_all(norm, dates)
            w.audit(actor, "restore", "evaluation", "", None, summary(removed))

    def replace_document(self, actor: str, doc: Any, action: str, detail: Record) -> None:
        """Replace everything with a checked document in one transaction (imports and
        their undo; not strict, as an edit, so a section still being built is allowed)."""
        norm = interchange.validate(doc, strict=False)
        dates = self.conflict_dates()
        with self.unit_of_work() as w:
            w.replace_all(norm, dates)
            w.audit(actor, action, "evaluation", "", None, detail)
