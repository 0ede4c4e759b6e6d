"""Edits to the evaluation's structure: settings, criteria, bids, evaluators, conflicts.

Each is checked by the import rules on a copy of the structure first, then
written with its audit event in one unit of work. Edits that remove records
return what they removed, so undo can put it back (`restore`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date

from ..criteria_tree import insert_order, subtree_ids
from ..errors import BadInput, Problem
from ..interchange import score_problem, validate
from .methodology import CRITERION_FIELDS, EVALUATION_FIELDS, MethodologyRules
from .records import Record, bundle, find, light, new_id, uses
from .scoring import locked_message

# settings an evaluation may lack (set later, or removed with None)
OPTIONAL_SETTINGS = frozenset({"award", "ocid_prefix"})


class StructureEdits(MethodologyRules):
    # ---- evaluation settings -------------------------------------------------------
    def update_evaluation(self, actor: str, changes: Record, *,
                          reason: str | None = None) -> Record:
        """Change title, reference, authority, currency, scale, appraisal, moderation,
        procedure, marking, award details (`award`) or the OCDS prefix (`ocid_prefix`);
        the last two may be set when absent and removed with None.

        Returns the previous values of the changed keys (for undo).
        """
        old = self.document()["evaluation"]
        for k in changes:
            if k not in old and k not in OPTIONAL_SETTINGS:
                raise BadInput.one(f"evaluation.{k}", "is not a setting")
        before = {k: copy.deepcopy(old.get(k)) for k in changes}

        def change(d: Record) -> None:
            for k, v in changes.items():
                if v is None and k in OPTIONAL_SETTINGS:
                    d["evaluation"].pop(k, None)
                else:
                    d["evaluation"][k] = v

        new = self._check_light(change)["evaluation"]
        smax, step = new["scale"]["max"], new["scale"]["step"]
        bad = [f"{kind} {'/'.join(key)}: {why}" for kind, key, v in self._all_scores()
               if (why := score_problem(v, smax, step))]
        if bad:
            raise BadInput.one("evaluation.scale",
                               f"{len(bad)} recorded scores would not fit the new scale, "
                               f"e.g. {bad[0]}")
        because = (self.methodology_change("evaluation", reason)
                   if EVALUATION_FIELDS & set(changes) else {})
        with self.unit_of_work() as w:
            w.put_evaluation(new)
            w.audit(actor, "evaluation.update", "evaluation", "", before,
                    {**{k: new.get(k) for k in changes}, **because})
        return before

    def _all_scores(self) -> Iterator[tuple[str, tuple[str, ...], float]]:
        doc = self.document()
        for r in doc["scores"]:
            yield "score", (r["evaluator"], r["bid"], r["criterion"]), r["score"]
        for r in doc["consensus"]:
            yield "consensus", (r["bid"], r["criterion"]), r["score"]
        for c in doc["criteria"]:
            if c.get("min_score") is not None:
                yield "minimum score", (c["id"],), c["min_score"]

    # ---- criteria ------------------------------------------------------------------
    def add_criterion(self, actor: str, record: Record, *, index: int | None = None,
                      reason: str | None = None) -> str:
        """Add a criterion among its siblings at `index` (end if None); returns its id."""
        doc = self.document()
        rec = dict(record)
        if not rec.get("id"):
            prefix = {"section": "S", "scored": "Q", "price": "P", "pass_fail": "G"}.get(
                rec.get("kind", ""), "C")
            rec["id"] = new_id(prefix, (c["id"] for c in doc["criteria"]))
        order = insert_order(doc["criteria"], rec, index)
        new = self._check_light(lambda d: d.__setitem__("criteria", order))
        norm = next(c for c in new["criteria"] if c["id"] == rec["id"])
        why = self.methodology_change(f"criterion {rec['id']}", reason)
        with self.unit_of_work() as w:
            w.add_criterion(norm, [c["id"] for c in order])
            w.audit(actor, "criterion.add", "criterion", rec["id"], None, {**norm, **why})
        return str(rec["id"])

    def update_criterion(self, actor: str, cid: str, changes: Record, *,
                         reason: str | None = None) -> Record:
        """Change fields of a criterion (not its id or place); returns the old values."""
        doc = self.document()
        if "id" in changes or "parent" in changes:
            raise BadInput.one(f"criterion {cid}", "use move_criterion to change its place")
        old, before, norm = self._checked_change("criteria", "criterion", cid, changes)
        if norm["kind"] != old["kind"] and (used := uses(doc, cid)):
            raise BadInput.one(f"criterion {cid}.kind",
                               f"it already has {used}; remove them before changing kind")
        why = (self.methodology_change(f"criterion {cid}", reason)
               if CRITERION_FIELDS & set(changes) else {})
        with self.unit_of_work() as w:
            w.put_criterion(norm)
            w.audit(actor, "criterion.update", "criterion", cid, before,
                    {**{k: norm.get(k) for k in changes}, **why})
        return before

    def move_criterion(self, actor: str, cid: str, parent: str | None, index: int, *,
                       reason: str | None = None) -> Record:
        """Put a criterion under `parent` at sibling `index`; returns where it was."""
        doc = self.document()
        old = find(doc["criteria"], cid, "criterion")
        siblings = [c["id"] for c in doc["criteria"] if c.get("parent") == old.get("parent")]
        before = {"parent": old.get("parent"), "index": siblings.index(cid)}
        if parent in subtree_ids(doc["criteria"], cid):
            raise BadInput.one(f"criterion {cid}.parent", "cannot move a section under itself")
        rest = [c for c in doc["criteria"] if c["id"] != cid]
        order = insert_order(rest, dict(old, parent=parent), index)
        self._check_light(lambda d: d.__setitem__("criteria", order))
        why = (self.methodology_change(f"criterion {cid}", reason)
               if parent != old.get("parent") else {})
        with self.unit_of_work() as w:
            w.move_criterion(cid, parent, [c["id"] for c in order])
            w.audit(actor, "criterion.move", "criterion", cid, before,
                    {"parent": parent, "index": index, **why})
        return before

    def delete_criterion(self, actor: str, cid: str, *, reason: str | None = None) -> Record:
        """Remove a criterion, everything under it, and their scores; returns all of it."""
        doc = self.document()
        find(doc["criteria"], cid, "criterion")
        ids = subtree_ids(doc["criteria"], cid)
        removed = bundle(doc, criteria=ids)
        remaining = [c for c in doc["criteria"] if c["id"] not in ids]
        self._check_light(lambda d: d.__setitem__("criteria", remaining))
        why = self.methodology_change(f"criterion {cid}", reason)
        with self.unit_of_work() as w:
            w.delete_criteria(ids)
            w.audit(actor, "criterion.delete", "criterion", cid, removed, why or None)
        return removed

    # ---- bids ----------------------------------------------------------------------
    def add_bid(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("bids", "B", {"costs": [], **record})
        with self.unit_of_work() as w:
            w.add_bids([norm])
            w.audit(actor, "bid.add", "bid", norm["id"], None, norm)
        return str(norm["id"])

    def update_bid(self, actor: str, bid: str, changes: Record) -> Record:
        """Change a bid's fields (costs and apportionment included); returns old values."""
        if "id" in changes:
            raise BadInput.one(f"bid {bid}.id", "a bid's id cannot change")
        _, before, norm = self._checked_change("bids", "bid", bid, changes)
        with self.unit_of_work() as w:
            w.put_bid(norm, costs="costs" in changes,
                      apportionment="apportionment" in changes)
            w.audit(actor, "bid.update", "bid", bid, before,
                    {k: norm.get(k) for k in changes})
        return before

    def set_apportionment(self, actor: str, bid: str, apportionment: Record | None
                          ) -> Record | None:
        """Split a bid's cost between partners (None: not split); returns the old split."""
        return self.update_bid(actor, bid, {"apportionment": apportionment})["apportionment"]

    def import_bids(self, actor: str, added: list[tuple[Record, str]],
                    replaced: list[tuple[str, Record, str]]) -> list[str]:
        """Bids read from suppliers' workbooks, added or replacing details and costs, in one
        transaction with an event per bid and one for the import; returns the bid ids.

        `added` holds (record, source file); `replaced` (bid id, record, source file).
        A problem is named by its source file.
        """
        doc = self.document()
        changed = copy.deepcopy(light(doc))
        taken = {b["id"] for b in doc["bids"]}
        new_ids = []
        for rec, _ in added:
            bid_id = new_id("B", taken)
            taken.add(bid_id)
            new_ids.append(bid_id)
            changed["bids"].append({"id": bid_id, **copy.deepcopy(rec)})
        by_id = {b["id"]: b for b in changed["bids"]}
        for bid_id, rec, _ in replaced:
            by_id[bid_id].update(copy.deepcopy(rec))
        sources = {b: src for b, (_, src) in zip(new_ids, added)}
        sources.update({b: src for b, _, src in replaced})
        try:
            norm = validate(changed, strict=False)
        except BadInput as exc:
            order = [b["id"] for b in changed["bids"]]
            raise BadInput([_from_source(p, order, sources) for p in exc.problems]) from None
        nb = {b["id"]: b for b in norm["bids"]}
        old = {b["id"]: b for b in doc["bids"]}
        del doc  # the unit reads the data afresh: not two whole readings held at once
        with self.unit_of_work() as w:
            w.add_bids([nb[b] for b in new_ids])
            for bid_id, (_, src) in zip(new_ids, added):
                w.audit(actor, "bid.add", "bid", bid_id, None, dict(nb[bid_id], source=src))
            for bid_id, rec, src in replaced:
                w.put_bid(nb[bid_id], costs=True, apportionment=False)
                w.audit(actor, "bid.update", "bid", bid_id,
                        {k: old[bid_id].get(k) for k in rec},
                        dict({k: nb[bid_id].get(k) for k in rec}, source=src))
            w.audit(actor, "import.bids", "evaluation", "", None,
                    {"files": [s for _, s in added] + [s for _, _, s in replaced],
                     "added": new_ids, "replaced": [b for b, _, _ in replaced]})
        return new_ids + [b for b, _, _ in replaced]

    def delete_bid(self, actor: str, bid: str) -> Record:
        doc = self.document()
        find(doc["bids"], bid, "bid")
        removed = bundle(doc, bids=[bid])
        # the declaration dates are evidence too: keep them for restore
        removed["conflict_dates"] = {f"{e}/{b}": d for (e, b), d
                                     in self.conflict_dates().items() if b == bid}
        with self.unit_of_work() as w:
            w.delete_bid(bid)
            w.audit(actor, "bid.delete", "bid", bid, removed, None)
        return removed

    # ---- evaluators and conflicts --------------------------------------------------
    def add_evaluator(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("evaluators", "E", {"conflicts": [], **record})
        with self.unit_of_work() as w:
            w.add_evaluators([norm])
            w.audit(actor, "evaluator.add", "evaluator", norm["id"], None, norm)
        return str(norm["id"])

    def update_evaluator(self, actor: str, eid: str, changes: Record) -> Record:
        bad = set(changes) - {"name", "role"}
        if bad:
            raise BadInput.one(f"evaluator {eid}", f"cannot change {', '.join(sorted(bad))} "
                                                   "here")
        _, before, norm = self._checked_change("evaluators", "evaluator", eid, changes)
        with self.unit_of_work() as w:
            w.put_evaluator(eid, norm["name"], norm["role"])
            w.audit(actor, "evaluator.update", "evaluator", eid, before,
                    {k: norm[k] for k in changes})
        return before

    def delete_evaluator(self, actor: str, eid: str) -> Record:
        doc = self.document()
        ev = find(doc["evaluators"], eid, "evaluator")
        if ev.get("submitted"):
            raise BadInput.one(f"evaluator {eid}", locked_message(ev))
        removed = bundle(doc, evaluators=[eid])
        # the declaration dates are evidence too: keep them for restore
        removed["conflict_dates"] = {f"{e}/{b}": d for (e, b), d
                                     in self.conflict_dates().items() if e == eid}
        with self.unit_of_work() as w:
            w.delete_evaluator(eid)
            w.audit(actor, "evaluator.delete", "evaluator", eid, removed, None)
        return removed

    def set_conflict(self, actor: str, eid: str, bid: str, conflicted: bool,
                     declared_on: str | None = None, *,
                     scores: list[Record] | None = None) -> Record:
        """Declare (or withdraw) a conflict of interest.

        Declaring one sets aside that evaluator's scores on that bid: a conflicted
        person does not evaluate it. They are returned (and kept in the audit log)
        so undo can restore them: withdrawing with `scores` puts them back in the
        same transaction (undo of a declaration is one step, never half done).
        """
        doc = self.document()
        ev = find(doc["evaluators"], eid, "evaluator")
        find(doc["bids"], bid, "bid")
        was = bid in ev["conflicts"]
        removed = [r for r in doc["scores"] if r["evaluator"] == eid and r["bid"] == bid]
        if ev.get("submitted") and (removed or (scores and not conflicted)):
            raise BadInput.one(f"conflict {eid}/{bid}", locked_message(ev))
        before = {"conflicted": was, "declared_on": self.conflict_dates().get((eid, bid)),
                  "scores": removed if conflicted else []}
        if was == conflicted:
            return before
        when = declared_on or date.today().isoformat()
        back = [] if conflicted else [r for r in (scores or [])
                                      if r["evaluator"] == eid and r["bid"] == bid]
        scale = doc["evaluation"]["scale"]
        problems = [Problem(f"score {eid}/{bid}/{r['criterion']}", why) for r in back
                    if (why := score_problem(r["score"], scale["max"], scale["step"]))]
        if problems:
            raise BadInput(problems)
        with self.unit_of_work() as w:
            if conflicted:
                w.declare_conflict(eid, bid, when)
            else:
                w.withdraw_conflict(eid, bid)
                pos = w.next_score_position()
                w.write_scores(deletes=[], updates=[], inserts=[
                    dict(r, position=pos + i) for i, r in enumerate(back)])
            w.audit(actor, "conflict.declare" if conflicted else "conflict.withdraw",
                    "conflict", f"{eid}/{bid}", before,
                    {"conflicted": conflicted, "declared_on": when if conflicted else None,
                     **({"scores": back} if back else {})})
        return before


def _from_source(p: Problem, order: list[str], sources: dict[str, str]) -> Problem:
    """`bids[7].costs[2]` said as the workbook it came from: `acme.xlsx (B7.costs[2])`."""
    import re

    m = re.match(r"bids\[(\d+)\](.*)", p.where)
    if m and int(m.group(1)) < len(order):
        bid = order[int(m.group(1))]
        if bid in sources:
            return Problem(f"{sources[bid]} ({bid}{m.group(2)})", p.message)
    return p
