"""Edits to the shared-service partners and how a bid's cost is split between them."""

from __future__ import annotations

from ..errors import BadInput
from .file import FileCore
from .records import Record, bundle, find


class PartnerEdits(FileCore):
    def add_partner(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("partners", "C", record)
        with self.unit_of_work() as w:
            w.add_partner(norm)
            w.audit(actor, "partner.add", "partner", norm["id"], None, norm)
        return str(norm["id"])

    def update_partner(self, actor: str, pid: str, changes: Record) -> Record:
        if "id" in changes:
            raise BadInput.one(f"partner {pid}.id", "a partner's id cannot change")
        _, before, norm = self._checked_change("partners", "partner", pid, changes)
        with self.unit_of_work() as w:
            w.put_partner(norm)
            w.audit(actor, "partner.update", "partner", pid, before,
                    {k: norm[k] for k in changes})
        return before

    def delete_partner(self, actor: str, pid: str) -> Record:
        doc = self.document()
        find(doc["partners"], pid, "partner")

        def change(d: Record) -> None:
            d["partners"] = [p for p in d["partners"] if p["id"] != pid]

        self._check_light(change)  # refuses when a bid names this partner explicitly
        removed = bundle(doc, partners=[pid])
        with self.unit_of_work() as w:
            w.delete_partner(pid)
            w.audit(actor, "partner.delete", "partner", pid, removed, None)
        return removed
