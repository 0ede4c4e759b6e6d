"""Edits to what evaluators and the panel record: scores, consensus, gateway results.

Typing a score is the app's hottest path, so `set_scores` patches the cached
document and the engine's arrays in place instead of reading the file back.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..chain import DataDigest
from ..errors import BadInput, Problem
from ..interchange import MAX_TEXT, plain, q, score_problem
from ..interchange.text import long_text_problem
from ..stamps import now_iso
from .file import FileCore
from .records import Record, ScoreKey, find, patched_pair, patched_scores


class ScoringEdits(FileCore):
    def set_score(self, actor: str, eid: str, bid: str, cid: str, score: float | None,
                  comment: str | None = None) -> Record | None:
        """Record, change or clear (None) one evaluator's score; returns the old record."""
        return self.set_scores(actor, [{"evaluator": eid, "bid": bid, "criterion": cid,
                                        "score": score, "comment": comment}])[0]

    def set_scores(self, actor: str, items: list[Record], *,
                   submit: list[str] | None = None) -> list[Record | None]:
        """Several score changes in one transaction, all checked first.

        Returns each item's previous record (None where there was none), for undo.
        Written with one statement per kind of change, so that a batch of tens of
        thousands (an evaluator's scoring sheet) stays quick. The evaluators in
        `submit` sign off in the same transaction (a returned scoring sheet saying
        YES), refused if their scores would still be incomplete.
        """
        doc = self.document()
        where_is = self.score_positions(doc)
        scores = doc["scores"]
        old_snap = self._snap if self._snap_scores is scores else None

        def current(key: ScoreKey) -> Record | None:
            i = where_is.get(key)
            return None if i is None else scores[i]

        _check_scores(doc, items)
        befores = [current((it["evaluator"], it["bid"], it["criterion"])) for it in items]
        changed = _score_changes(items, befores)
        real = {k: v for k, v in changed.items() if current(k) != v}
        if submit:
            self._submit_with(actor, real, current, submit)
            return [copy.deepcopy(b) for b in befores]
        if not real:
            return [copy.deepcopy(b) for b in befores]
        reread = self._write_scores(actor, real, current)
        # The file now holds exactly the cached document with these changes: patch it
        # rather than read every score back after each keystroke.
        if reread:  # a score put back in its old place: read the order from the file
            pass
        elif all(v is not None and k in where_is for k, v in real.items()):
            # scores changed in place (typing in the grid): patch the list and the
            # engine's arrays at their positions instead of rebuilding either
            patched = list(scores)
            for k, v in real.items():
                patched[where_is[k]] = v
            self._doc = self._digest_of = dict(doc, scores=patched)
            self._score_pos, self._score_pos_of = where_is, patched
            if old_snap is not None:
                spots = np.fromiter((where_is[k] for k in real), dtype=np.int64,
                                    count=len(real))
                values = np.fromiter((float(v["score"]) for v in real.values()
                                      if v is not None), dtype=float, count=len(real))
                self._snap = old_snap.with_scores(spots, values)
                self._snap_scores = patched
        else:
            self._doc = self._digest_of = patched_scores(doc, real)
        return [copy.deepcopy(b) for b in befores]

    def _submit_with(self, actor: str, real: dict[ScoreKey, Record | None], current: Any,
                     submit: list[str]) -> None:
        """Score changes and sign-offs in one transaction (the file is read back)."""
        doc = self.document()
        have = {(r["evaluator"], r["bid"], r["criterion"]) for r in doc["scores"]}
        have |= {k for k, v in real.items() if v is not None}
        have -= {k for k, v in real.items() if v is None}
        status = dict(zip(self.snapshot().bid_ids, self.results().status))
        scored = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
        problems = []
        evaluators = {e["id"]: e for e in doc["evaluators"]}
        for eid in submit:
            ev = evaluators.get(eid)
            if ev is None:
                problems.append(Problem(f"evaluator {eid}", f"{q(eid)} is not an evaluator"))
                continue
            due = [(eid, b, c) for b in status if status[b] != "excluded"
                   and b not in ev["conflicts"] for c in scored]
            missing = [k for k in due if k not in have]
            if missing:
                problems.append(Problem(f"evaluator {eid}", f"cannot submit yet: "
                                        f"{len(missing):,} of {len(due):,} scores missing "
                                        f"(first: {'/'.join(missing[0][1:])})"))
        if problems:
            raise BadInput(problems)
        when = now_iso()
        with self.unit_of_work() as w:
            self._score_rows(w, real, current, actor)
            for eid in submit:
                w.put_submitted(eid, when)
                w.audit(actor, "scores.submit", "evaluator", eid, None,
                        {"evaluator": eid, "name": evaluators[eid]["name"], "submitted": when,
                         "from": "scoring sheet"})

    def _write_scores(self, actor: str, real: dict[ScoreKey, Record | None],
                      current: Any) -> bool:
        """Write the changes with an event each; True when a score went back to an old
        place (so the cached order is no longer the file's)."""

        # the digest of the data before, taken before the transaction: read inside it,
        # a batch big enough to spill the writer's cache (a pasted sheet of thousands
        # of scores) would find the file locked by its own transaction
        before = self.data_digest()

        def digest() -> DataDigest:
            return before.with_changes(
                "scores", [(current(k), v) for k, v in real.items()])

        with self.unit_of_work(digest=digest) as w:
            return self._score_rows(w, real, current, actor)

    def _score_rows(self, w: Any, real: dict[ScoreKey, Record | None], current: Any,
                    actor: str = "") -> bool:
        """The score rows and their events within a unit of work; True when a score went
        back to an old place (so the cached order is no longer the file's)."""
        deletes = [k for k, v in real.items() if v is None]
        updates = [v for k, v in real.items() if v is not None and current(k) is not None]
        inserts = [dict(v) for k, v in real.items() if v is not None and current(k) is None]
        reread = False
        # remember where cleared scores stood, so undo puts them back there
        self._vacated.update(w.score_positions(deletes))
        pos = w.next_score_position() if inserts else 0
        for r in inserts:
            old = self._vacated.pop((r["evaluator"], r["bid"], r["criterion"]), None)
            if old is None:
                r["position"] = pos
                pos += 1
            else:
                r["position"] = old
                reread = True
        w.write_scores(deletes=deletes, updates=updates, inserts=inserts)
        w.audit_many([{"actor": actor, "action": "score.clear" if v is None else "score.set",
                       "entity": "score", "entity_id": "/".join(k), "before": current(k),
                       "after": v} for k, v in real.items()])
        return reread

    def set_consensus(self, actor: str, bid: str, cid: str, score: float | None,
                      rationale: str = "") -> Record | None:
        """Record the moderated score with its rationale, or clear it (None)."""
        doc = self.document()
        where = f"consensus {bid}/{cid}"
        self._check_target(where, bid, cid, "scored")
        current = next((r for r in doc["consensus"]
                        if r["bid"] == bid and r["criterion"] == cid), None)
        before = copy.deepcopy(current)
        after = None
        if score is not None:
            scale = doc["evaluation"]["scale"]
            if why := score_problem(score, scale["max"], scale["step"]):
                raise BadInput.one(where, why)
            if not rationale or not rationale.strip():
                raise BadInput.one(where, "a consensus score needs a rationale")
            if why := _text_problem(rationale):
                raise BadInput.one(f"{where}.rationale", why)
            after = {"bid": bid, "criterion": cid, "score": plain(score),
                     "rationale": rationale}
        with self.unit_of_work(digest=lambda: self.data_digest().with_changes(
                "consensus", [(current, after)])) as w:
            w.put_consensus(bid, cid, after, exists=current is not None)
            w.audit(actor, "consensus.set" if after else "consensus.clear", "consensus",
                    f"{bid}/{cid}", before, after)
        self._doc = self._digest_of = patched_pair(doc, "consensus", bid, cid, after)
        return before

    def score_problems(self, items: list[Record]) -> list[Problem]:
        """What `set_scores` would refuse in `items` (every problem), writing nothing."""
        try:
            _check_scores(self.document(), items)
        except BadInput as exc:
            return list(exc.problems)
        return []

    def consensus_problems(self, items: list[Record]) -> list[Problem]:
        """What `set_consensus_many` would refuse in `items`, writing nothing."""
        return self._consensus_changes(items)[1]

    def _consensus_changes(self, items: list[Record]
                           ) -> tuple[list[tuple[Record | None, Record | None]],
                                      list[Problem]]:
        doc = self.document()
        problems: list[Problem] = []
        scale = doc["evaluation"]["scale"]
        changes: list[tuple[Record | None, Record | None]] = []
        seen: set[tuple[str, str]] = set()
        for it in items:
            bid, cid = it["bid"], it["criterion"]
            where = f"consensus {bid}/{cid}"
            try:
                self._check_target(where, bid, cid, "scored")
            except BadInput as exc:
                problems.extend(exc.problems)
                continue
            if (bid, cid) in seen:
                problems.append(Problem(where, "is given twice"))
                continue
            seen.add((bid, cid))
            current = next((r for r in doc["consensus"]
                            if r["bid"] == bid and r["criterion"] == cid), None)
            score, rationale = it.get("score"), it.get("rationale") or ""
            after = None
            if score is not None:
                if why := score_problem(score, scale["max"], scale["step"]):
                    problems.append(Problem(where, why))
                    continue
                if not rationale.strip():
                    problems.append(Problem(where, "a consensus score needs a rationale"))
                    continue
                if why := _text_problem(rationale):
                    problems.append(Problem(f"{where}.rationale", why))
                    continue
                after = {"bid": bid, "criterion": cid, "score": plain(score),
                         "rationale": rationale}
            changes.append((current, after))
        return changes, problems

    def set_consensus_many(self, actor: str, items: list[Record]) -> list[Record | None]:
        """Several consensus records ({"bid", "criterion", "score", "rationale"}; a score
        of None clears) in one transaction, every item checked first and every problem
        named at once. Returns each pair's previous record (None where there was none),
        for undo."""
        doc = self.document()
        changes, problems = self._consensus_changes(items)
        if problems:
            raise BadInput(problems)
        befores = [copy.deepcopy(c) for c, _a in changes]
        real = [(c, a) for c, a in changes if c != a]
        if not real:
            return befores
        base = self.data_digest()  # before the transaction (see _write_scores)
        with self.unit_of_work(digest=lambda: base.with_changes("consensus", real)) as w:
            for current, after in real:
                key = after or current
                assert key is not None
                w.put_consensus(key["bid"], key["criterion"], after,
                                exists=current is not None)
                w.audit(actor, "consensus.set" if after else "consensus.clear", "consensus",
                        f"{key['bid']}/{key['criterion']}", copy.deepcopy(current), after)
        for current, after in real:
            key = after or current
            assert key is not None
            doc = patched_pair(doc, "consensus", key["bid"], key["criterion"], after)
        self._doc = self._digest_of = doc
        return befores

    def set_gateway(self, actor: str, bid: str, cid: str, passed: bool | None,
                    note: str = "") -> Record | None:
        """Record a gateway result (passed true/false) or clear it (None)."""
        doc = self.document()
        self._check_target(f"gateway {bid}/{cid}", bid, cid, "pass_fail")
        if note and (why := _text_problem(note)):
            raise BadInput.one(f"gateway {bid}/{cid}.note", why)
        current = next((r for r in doc["gateways"]
                        if r["bid"] == bid and r["criterion"] == cid), None)
        before = copy.deepcopy(current)
        after = None if passed is None else {"bid": bid, "criterion": cid,
                                             "passed": bool(passed), "note": note or ""}
        with self.unit_of_work(digest=lambda: self.data_digest().with_changes(
                "gateways", [(current, after)])) as w:
            w.put_gateway(bid, cid, after, exists=current is not None)
            w.audit(actor, "gateway.set" if after else "gateway.clear", "gateway",
                    f"{bid}/{cid}", before, after)
        self._doc = self._digest_of = patched_pair(doc, "gateways", bid, cid, after)
        return before

    def set_feedback(self, actor: str, bid: str, cid: str, text: str | None) -> Record | None:
        """The reasons written for the bidder on one criterion (None or "" clears them);
        returns what there was. Kept apart from evaluators' internal comments."""
        doc = self.document()
        where = f"feedback {bid}/{cid}"
        find(doc["bids"], bid, "bid")
        crit = find(doc["criteria"], cid, "criterion")
        if crit["kind"] not in ("scored", "price"):
            raise BadInput.one(where, f"{q(cid)} is not a scored or price criterion")
        current = next((r for r in doc.get("feedback", [])
                        if r["bid"] == bid and r["criterion"] == cid), None)
        after = None
        if text and text.strip():
            if why := _text_problem(text):
                raise BadInput.one(f"{where}.text", why)
            after = {"bid": bid, "criterion": cid, "text": text}
        if after == current:
            return copy.deepcopy(current)
        with self.unit_of_work() as w:
            w.put_feedback(bid, cid, after, exists=current is not None)
            w.audit(actor, "feedback.set" if after else "feedback.clear", "feedback",
                    f"{bid}/{cid}", current, after)
        return copy.deepcopy(current)

    def _check_target(self, where: str, bid: str, cid: str, kind: str) -> None:
        doc = self.document()
        find(doc["bids"], bid, "bid")
        crit = find(doc["criteria"], cid, "criterion")
        if crit["kind"] != kind:
            what = "scored criterion" if kind == "scored" else "pass_fail gateway"
            raise BadInput.one(where, f"{q(cid)} is not a {what}")


def _check_scores(doc: Record, items: list[Record]) -> None:
    """Every item checked by the import rules; all problems at once."""
    evaluators = {e["id"]: e for e in doc["evaluators"]}
    bids = {b["id"] for b in doc["bids"]}
    kinds = {c["id"]: c["kind"] for c in doc["criteria"]}
    smax = doc["evaluation"]["scale"]["max"]
    step = doc["evaluation"]["scale"]["step"]
    problems: list[Problem] = []
    for it in items:
        e, b, c = it["evaluator"], it["bid"], it["criterion"]
        where = f"score {e}/{b}/{c}"
        if e not in evaluators:
            problems.append(Problem(where, f"{q(e)} is not an evaluator"))
        if b not in bids:
            problems.append(Problem(where, f"{q(b)} is not a bid"))
        if c not in kinds:
            problems.append(Problem(where, f"{q(c)} is not a criterion"))
        elif kinds[c] != "scored":
            problems.append(Problem(where, f"{q(c)} is not a scored criterion"))
        score = it.get("score")
        if e in evaluators and evaluators[e].get("submitted"):
            problems.append(Problem(where, locked_message(evaluators[e])))
        if e in evaluators and b in evaluators[e]["conflicts"] and score is not None:
            problems.append(Problem(where, f"{evaluators[e]['name']} declared a conflict "
                                           "of interest with this bid"))
        if score is not None and (why := score_problem(score, smax, step)):
            problems.append(Problem(where, why))
        comment = it.get("comment")
        if comment is not None and (why := _text_problem(comment)):
            problems.append(Problem(f"{where}.comment", why))
    if problems:
        raise BadInput(problems)


def locked_message(ev: Record) -> str:
    return (f"{ev['name']} submitted their scores on {ev['submitted'][:10]}: they are locked "
            "until the submission is withdrawn, with a reason")


def _text_problem(text: object) -> str | None:
    """A comment, rationale or note by the same rule as an import (docs/bad-input.md)."""
    if not isinstance(text, str):
        return "is not text"
    return long_text_problem(text, MAX_TEXT)


def _score_changes(items: list[Record], befores: list[Record | None]
                   ) -> dict[ScoreKey, Record | None]:
    """What each score becomes (None: cleared); a later item for the same cell wins,
    and a change that gives no comment keeps the one there was."""
    changed: dict[ScoreKey, Record | None] = {}
    for it, before in zip(items, befores):
        key = (it["evaluator"], it["bid"], it["criterion"])
        if it.get("score") is None:
            if before is not None or key in changed:
                changed[key] = None
            continue
        comment = it.get("comment")
        if comment is None:
            prior = changed.get(key) or before
            comment = prior["comment"] if prior else ""
        changed[key] = {"evaluator": key[0], "bid": key[1], "criterion": key[2],
                        "score": plain(it["score"]), "comment": comment}
    return changed
