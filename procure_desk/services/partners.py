"""Edits to the shared-service partners and how a bid's cost is split between them."""

from __future__ import annotations

import copy

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

    def update_partners(self, actor: str, changes: dict[str, Record]) -> dict[str, Record]:
        """Field changes to several partners ({partner id: changes}) in one transaction,
        checked together first; returns each partner's old values (for undo)."""
        doc = self.document()
        befores: dict[str, Record] = {}
        for pid, change in changes.items():
            if "id" in change:
                raise BadInput.one(f"partner {pid}.id", "a partner's id cannot change")
            old = find(doc["partners"], pid, "partner")
            befores[pid] = {k: copy.deepcopy(old.get(k)) for k in change}

        def change_all(d: Record) -> None:
            for rec in d["partners"]:
                for k, v in changes.get(rec["id"], {}).items():
                    if v is None:
                        rec.pop(k, None)
                    else:
                        rec[k] = v

        new = {p["id"]: p for p in self._check_light(change_all)["partners"]}
        with self.unit_of_work() as w:
            for pid, change in changes.items():
                w.put_partner(new[pid])
                w.audit(actor, "partner.update", "partner", pid, befores[pid],
                        {k: new[pid].get(k) for k in change})
        return befores

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
