"""Use cases over one evaluation file: the only door to its data.

The command line and the desktop app call these and nothing below them. Each
edit is one unit of work: it is checked by the same rules as an import, then
written together with its audit event (who, when, what, before, after) in one
transaction, or not at all. Edits that remove records return what they
removed so that undo can put it back with `restore`.
"""

from __future__ import annotations

import copy
import getpass
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from . import db, interchange
from .criteria_tree import insert_order, subtree_ids
from .engine import Results, Snapshot, compute
from .errors import BadInput, Problem
from .interchange import plain, q, score_problem
from .models import (
    Apportionment,
    ApportionmentShare,
    AuditEvent,
    Bid,
    Conflict,
    Consensus,
    CostLine,
    Criterion,
    Evaluation,
    Evaluator,
    Gateway,
    Meta,
    Partner,
    Score,
)

Record = dict[str, Any]
OMITTED_KEY = "interchange_omitted"


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some service accounts)
        return "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _j(v: Any) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=False)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


def _light(doc: Record) -> Record:
    """The document without its many scores: enough to check structure fast."""
    out = dict(doc)
    out["scores"] = []
    out["consensus"] = []
    out["gateways"] = []
    return out


class EvaluationFile:
    """An open .pdesk file. Reads are cached until the next edit."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        db.check_and_migrate(self.path)
        self.engine: Engine = db.make_engine(self.path)
        self.revision = 0
        self._vacated: dict[tuple[str, str, str], int] = {}
        self._file_rev: int | None = None  # the data revision the cache reflects
        self._moved_on = False  # the file was saved elsewhere since the user last saw it
        self._doc: Record | None = None
        self._snap: Snapshot | None = None
        self._snap_scores: Any = None
        self._score_pos: dict[tuple[str, str, str], int] | None = None
        self._score_pos_of: Any = None
        self._results: Results | None = None

    # ---- lifecycle -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> EvaluationFile:
        return cls(path)

    @classmethod
    def create(cls, path: str | Path, doc: Any, *, actor: str | None = None,
               force: bool = False, action: str = "evaluation.create",
               detail: Record | None = None, omitted: Record | None = None
               ) -> EvaluationFile:
        """A new file from a document, checked whole first; all or nothing on disk.

        `omitted` records which optional fields the source left out (see
        `interchange.omitted_fields`), so that an export can leave them out again.
        """
        target = Path(path)
        if target.exists() and not force:
            raise BadInput.one(str(target), "already exists (use --force to overwrite)")
        if target.is_dir():
            raise BadInput.one(str(target), "is a folder")
        if not target.parent.exists():
            raise BadInput.one(str(target), "its folder does not exist")
        norm = interchange.validate(doc)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.unlink(missing_ok=True)
        try:
            engine = db.make_engine(tmp)
            db.create_schema(engine)
            with Session(engine) as s:
                _write_document(s, norm)
                s.add(Meta(key="created_at", value=now_iso()))
                s.add(Meta(key="revision", value="1"))
                if omitted:
                    s.add(Meta(key=OMITTED_KEY, value=json.dumps(omitted)))
                _audit(s, actor or default_actor(), action, "evaluation", "",
                       None, detail or {"title": norm["evaluation"]["title"],
                                        "bids": len(norm["bids"]),
                                        "scores": len(norm["scores"])})
                s.commit()
            engine.dispose()
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}-journal").unlink(missing_ok=True)
            raise
        return cls(target)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> EvaluationFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_copy(self, dest: str | Path, *, force: bool = False) -> None:
        d = Path(dest)
        if d.exists() and not force:
            raise BadInput.one(str(d), "already exists")
        if d.resolve() == self.path.resolve():
            raise BadInput.one(str(d), "is the open file itself")
        db.backup(self.path, d)

    # ---- unit of work --------------------------------------------------------------
    @contextmanager
    def unit_of_work(self, *, changes_data: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error.

        A unit that changes the evaluation first moves the file's data revision on
        (which also takes the write lock), and refuses with `ChangedElsewhere` when
        the file moved on since this object last read it: another window or computer
        saved in between, and an edit checked against what we saw could undo theirs.
        `changes_data=False` is for records that change no figure (an export noted in
        the audit log), which must not make other windows reload.
        """
        try:
            with Session(self.engine) as s:
                try:
                    new_rev = self._advance_revision(s) if changes_data else None
                    yield s
                    s.commit()
                    if new_rev is not None:
                        self._file_rev = new_rev
                except BaseException:
                    s.rollback()
                    raise
        except OperationalError as exc:
            raise _busy(self.path, exc) from None
        except ChangedElsewhere:
            self.reload()
            raise
        self.revision += 1
        self._doc = None
        self._snap = None
        self._results = None

    def _advance_revision(self, s: Session) -> int:
        conn = s.connection()
        row = conn.exec_driver_sql(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision' "
            "RETURNING CAST(value AS INTEGER)").fetchone()
        if row is None:  # a file from before revisions were kept
            conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('revision', '1')")
            new = 1
        else:
            new = int(row[0])
        if self._moved_on or (self._file_rev is not None and new - 1 != self._file_rev):
            raise ChangedElsewhere.one(
                str(self.path), "was changed elsewhere (another window or computer) since "
                                "you last saw it. Nothing was saved: what you see now is its "
                                "current state; make your change again if it is still needed.")
        return new

    def file_revision(self) -> int:
        """The file's data revision as stored now (cheap: for noticing outside changes)."""
        try:
            with self.engine.connect() as conn:
                row = conn.exec_driver_sql(
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'").fetchone()
        except OperationalError as exc:
            raise _busy(self.path, exc) from None
        return int(row[0]) if row else 0

    def changed_elsewhere(self) -> bool:
        """True when another window or program saved a change since we last read."""
        return self._moved_on or (self._file_rev is not None
                                  and self.file_revision() != self._file_rev)

    def reload(self) -> None:
        """Forget what was read; the next read sees the file as it is now."""
        self._doc = None
        self._snap = None
        self._results = None
        self._file_rev = None
        self._moved_on = False

    # ---- reading -------------------------------------------------------------------
    def document(self) -> Record:
        """The whole evaluation as a normalised interchange document (cached)."""
        if self._doc is None:
            try:
                with Session(self.engine) as s:
                    doc = _read_document(s)
                    row = s.connection().exec_driver_sql(
                        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'"
                    ).fetchone()
            except OperationalError as exc:
                raise _busy(self.path, exc) from None
            rev = int(row[0]) if row else 0
            if self._file_rev is not None and rev != self._file_rev:
                # saved elsewhere since our last read or write: what the user is
                # looking at (and any undo built on it) is out of date
                self._moved_on = True
            self._doc = doc
            self._file_rev = rev
        return self._doc

    def snapshot(self) -> Snapshot:
        if self._snap is None:
            doc = self.document()
            self._snap = Snapshot.from_doc(doc)
            self._snap_scores = doc["scores"]  # which list the score arrays follow
        return self._snap

    def _score_positions(self, doc: Record) -> dict[tuple[str, str, str], int]:
        """Where each score stands in the cached document, built once per list."""
        if self._score_pos is None or self._score_pos_of is not doc["scores"]:
            self._score_pos = {(r["evaluator"], r["bid"], r["criterion"]): i
                               for i, r in enumerate(doc["scores"])}
            self._score_pos_of = doc["scores"]
        return self._score_pos

    def results(self) -> Results:
        if self._results is None:
            self._results = compute(self.snapshot())
        return self._results

    def audit(self, *, text: str = "", actor: str | None = None, entity: str | None = None,
              limit: int | None = None) -> list[AuditEntry]:
        stmt = select(AuditEvent).order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        if actor:
            stmt = stmt.where(col(AuditEvent.actor) == actor)
        if entity:
            stmt = stmt.where(col(AuditEvent.entity) == entity)
        if text:
            like = f"%{text}%"
            stmt = stmt.where(
                col(AuditEvent.action).like(like) | col(AuditEvent.entity_id).like(like)  # type: ignore[attr-defined]
                | col(AuditEvent.before).like(like) | col(AuditEvent.after).like(like)  # type: ignore[union-attr]
                | col(AuditEvent.actor).like(like))  # type: ignore[attr-defined]
        if limit:
            stmt = stmt.limit(limit)
        with Session(self.engine) as s:
            rows = s.scalars(stmt).all()
            return [AuditEntry(r.id or 0, r.at, r.actor, r.action, r.entity, r.entity_id,
                               json.loads(r.before) if r.before else None,
                               json.loads(r.after) if r.after else None) for r in rows]

    def omitted_fields(self) -> Record:
        """The optional fields the imported source left out ({} for other files)."""
        with Session(self.engine) as s:
            row = s.connection().exec_driver_sql(
                "SELECT value FROM meta WHERE key = ?", (OMITTED_KEY,)).fetchone()
        return json.loads(row[0]) if row else {}

    def meta(self, key: str) -> str | None:
        """A value the file keeps about itself (None when it has none)."""
        with Session(self.engine) as s:
            row = s.connection().exec_driver_sql(
                "SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, actor: str, key: str, value: str, action: str, detail: Record) -> None:
        """Keep a value about the file, with its audit event; changes no figure."""
        with self.unit_of_work(changes_data=False) as s:
            s.merge(Meta(key=key, value=value))
            _audit(s, actor, action, "evaluation", "", None, detail)

    @contextmanager
    def recording(self, actor: str, action: str, detail: Record) -> Iterator[None]:
        """An audit event (an export) kept only if the block succeeds.

        The event is written first, so a busy or read-only file refuses before the
        block runs; the block's own work (renaming finished files into place) and
        the event then stand or fall together.
        """
        with self.unit_of_work(changes_data=False) as s:
            _audit(s, actor, action, "evaluation", "", None, detail)
            s.flush()
            yield

    def conflict_dates(self) -> dict[tuple[str, str], str]:
        with Session(self.engine) as s:
            rows = s.exec(select(Conflict.evaluator_id, Conflict.bid_id,  # type: ignore[call-overload]
                                 Conflict.declared_on)).all()
        return {(e, b): d for e, b, d in rows}

    # ---- helpers for edits ---------------------------------------------------------
    def _check_light(self, change: Any) -> Record:
        """Apply `change` to a copy of the structure and check it by the import rules."""
        light = copy.deepcopy(_light(self.document()))
        change(light)
        try:
            return interchange.validate(light, strict=False)
        except BadInput as exc:
            raise BadInput([_name_records(p, light) for p in exc.problems]) from None

    def _checked_addition(self, key: str, prefix: str, record: Record) -> Record:
        """A new record (given an id if it has none) checked within a copy of the structure."""
        rec = dict(record)
        if not rec.get("id"):
            rec["id"] = self.new_id(prefix, (r["id"] for r in self.document()[key]))
        new = self._check_light(lambda d: d[key].append(rec))
        norm: Record = new[key][-1]
        return norm

    def _checked_change(self, key: str, what: str, rid: str, changes: Record
                        ) -> tuple[Record, Record, Record]:
        """Field changes to one record, checked within a copy of the structure.

        None removes an optional field. Returns the record as it was, the old values
        of the changed fields (what undo needs) and the checked new record.
        """
        old = _find(self.document()[key], rid, what)
        before = {k: copy.deepcopy(old.get(k)) for k in changes}

        def change(d: Record) -> None:
            rec = next(r for r in d[key] if r["id"] == rid)
            for k, v in changes.items():
                if v is None:
                    rec.pop(k, None)
                else:
                    rec[k] = v

        new = self._check_light(change)
        return old, before, next(r for r in new[key] if r["id"] == rid)

    # ---- evaluation settings -------------------------------------------------------
    def update_evaluation(self, actor: str, changes: Record) -> Record:
        """Change title, reference, authority, currency, scale, appraisal or moderation.

        Returns the previous values of the changed keys (for undo).
        """
        doc = self.document()
        old = doc["evaluation"]
        before = {k: copy.deepcopy(old[k]) for k in changes if k in old}
        for k in changes:
            if k not in old:
                raise BadInput.one(f"evaluation.{k}", "is not a setting")

        def change(d: Record) -> None:
            for k, v in changes.items():
                d["evaluation"][k] = v

        new = self._check_light(change)["evaluation"]
        smax, step = new["scale"]["max"], new["scale"]["step"]
        bad = [f"{kind} {'/'.join(key)}: {why}" for kind, key, v in self._all_scores()
               if (why := score_problem(v, smax, step))]
        if bad:
            raise BadInput.one("evaluation.scale",
                               f"{len(bad)} recorded scores would not fit the new scale, "
                               f"e.g. {bad[0]}")
        with self.unit_of_work() as s:
            s.exec(update(Evaluation).where(col(Evaluation.id) == 1)  # type: ignore[call-overload]
                   .values(**_evaluation_row(new)))
            _audit(s, actor, "evaluation.update", "evaluation", "", before,
                   {k: new[k] for k in changes})
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
    def new_id(self, prefix: str, existing: Iterable[str]) -> str:
        taken = set(existing)
        n = 1
        while f"{prefix}{n}" in taken:
            n += 1
        return f"{prefix}{n}"

    def add_criterion(self, actor: str, record: Record, *, index: int | None = None) -> str:
        """Add a criterion among its siblings at `index` (end if None); returns its id."""
        doc = self.document()
        rec = dict(record)
        if not rec.get("id"):
            prefix = {"section": "S", "scored": "Q", "price": "P", "pass_fail": "G"}.get(
                rec.get("kind", ""), "C")
            rec["id"] = self.new_id(prefix, (c["id"] for c in doc["criteria"]))
        order = insert_order(doc["criteria"], rec, index)
        new = self._check_light(lambda d: d.__setitem__("criteria", order))
        norm = next(c for c in new["criteria"] if c["id"] == rec["id"])
        with self.unit_of_work() as s:
            s.add(Criterion(**_criterion_row(norm, 0)))
            s.flush()
            _renumber(s, Criterion, [c["id"] for c in order])
            _audit(s, actor, "criterion.add", "criterion", rec["id"], None, norm)
        return str(rec["id"])

    def update_criterion(self, actor: str, cid: str, changes: Record) -> Record:
        """Change fields of a criterion (not its id or place); returns the old values."""
        doc = self.document()
        if "id" in changes or "parent" in changes:
            raise BadInput.one(f"criterion {cid}", "use move_criterion to change its place")
        old, before, norm = self._checked_change("criteria", "criterion", cid, changes)
        if norm["kind"] != old["kind"]:
            used = _uses(doc, cid)
            if used:
                raise BadInput.one(f"criterion {cid}.kind",
                                   f"it already has {used}; remove them before changing kind")
        with self.unit_of_work() as s:
            s.exec(update(Criterion).where(col(Criterion.id) == cid)  # type: ignore[call-overload]
                   .values(**{k: v for k, v in _criterion_row(norm, 0).items()
                              if k not in ("id", "position")}))
            _audit(s, actor, "criterion.update", "criterion", cid, before,
                   {k: norm.get(k) for k in changes})
        return before

    def move_criterion(self, actor: str, cid: str, parent: str | None, index: int) -> Record:
        """Put a criterion under `parent` at sibling `index`; returns where it was."""
        doc = self.document()
        old = _find(doc["criteria"], cid, "criterion")
        siblings = [c["id"] for c in doc["criteria"] if c.get("parent") == old.get("parent")]
        before = {"parent": old.get("parent"), "index": siblings.index(cid)}
        moved = dict(old, parent=parent)
        subtree = subtree_ids(doc["criteria"], cid)
        if parent in subtree:
            raise BadInput.one(f"criterion {cid}.parent", "cannot move a section under itself")
        rest = [c for c in doc["criteria"] if c["id"] != cid]
        order = insert_order(rest, moved, index)
        # keep the subtree's descendants after their ancestor for a readable order
        new = self._check_light(lambda d: d.__setitem__("criteria", order))
        del new
        with self.unit_of_work() as s:
            s.exec(update(Criterion).where(col(Criterion.id) == cid)  # type: ignore[call-overload]
                   .values(parent_id=parent))
            _renumber(s, Criterion, [c["id"] for c in order])
            _audit(s, actor, "criterion.move", "criterion", cid, before,
                   {"parent": parent, "index": index})
        return before

    def delete_criterion(self, actor: str, cid: str) -> Record:
        """Remove a criterion, everything under it, and their scores; returns all of it."""
        doc = self.document()
        _find(doc["criteria"], cid, "criterion")
        ids = subtree_ids(doc["criteria"], cid)
        bundle = _bundle(doc, criteria=ids)
        remaining = [c for c in doc["criteria"] if c["id"] not in ids]
        self._check_light(lambda d: d.__setitem__("criteria", remaining))
        with self.unit_of_work() as s:
            s.exec(delete(Criterion).where(col(Criterion.id).in_(ids)))  # type: ignore[call-overload, attr-defined]
            _audit(s, actor, "criterion.delete", "criterion", cid, bundle, None)
        return bundle

    # ---- bids ----------------------------------------------------------------------
    def add_bid(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("bids", "B", {"costs": [], **record})
        with self.unit_of_work() as s:
            _insert_bids(s, [norm], start=_next_position(s, Bid))
            _audit(s, actor, "bid.add", "bid", norm["id"], None, norm)
        return str(norm["id"])

    def update_bid(self, actor: str, bid: str, changes: Record) -> Record:
        """Change a bid's fields (costs and apportionment included); returns old values."""
        if "id" in changes:
            raise BadInput.one(f"bid {bid}.id", "a bid's id cannot change")
        _, before, norm = self._checked_change("bids", "bid", bid, changes)
        with self.unit_of_work() as s:
            row = _bid_row(norm, 0)
            row.pop("position")
            row.pop("id")
            s.exec(update(Bid).where(col(Bid.id) == bid).values(**row))  # type: ignore[call-overload]
            if "costs" in changes:
                s.exec(delete(CostLine).where(col(CostLine.bid_id) == bid))  # type: ignore[call-overload]
                _insert_costs(s, norm)
            if "apportionment" in changes:
                s.exec(delete(Apportionment).where(col(Apportionment.bid_id) == bid))  # type: ignore[call-overload]
                _insert_apportionment(s, norm)
            _audit(s, actor, "bid.update", "bid", bid, before,
                   {k: norm.get(k) for k in changes})
        return before

    def delete_bid(self, actor: str, bid: str) -> Record:
        doc = self.document()
        _find(doc["bids"], bid, "bid")
        bundle = _bundle(doc, bids=[bid])
        # the declaration dates are evidence too: keep them for restore
        bundle["conflict_dates"] = {f"{e}/{b}": d for (e, b), d
                                    in self.conflict_dates().items() if b == bid}
        with self.unit_of_work() as s:
            s.exec(delete(Bid).where(col(Bid.id) == bid))  # type: ignore[call-overload]
            _audit(s, actor, "bid.delete", "bid", bid, bundle, None)
        return bundle

    # ---- evaluators and conflicts --------------------------------------------------
    def add_evaluator(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("evaluators", "E", {"conflicts": [], **record})
        with self.unit_of_work() as s:
            _insert_evaluators(s, [norm], start=_next_position(s, Evaluator))
            _audit(s, actor, "evaluator.add", "evaluator", norm["id"], None, norm)
        return str(norm["id"])

    def update_evaluator(self, actor: str, eid: str, changes: Record) -> Record:
        bad = set(changes) - {"name", "role"}
        if bad:
            raise BadInput.one(f"evaluator {eid}", f"cannot change {', '.join(sorted(bad))} "
                                                   "here")
        _, before, norm = self._checked_change("evaluators", "evaluator", eid, changes)
        with self.unit_of_work() as s:
            s.exec(update(Evaluator).where(col(Evaluator.id) == eid)  # type: ignore[call-overload]
                   .values(name=norm["name"], role=norm["role"]))
            _audit(s, actor, "evaluator.update", "evaluator", eid, before,
                   {k: norm[k] for k in changes})
        return before

    def delete_evaluator(self, actor: str, eid: str) -> Record:
        doc = self.document()
        _find(doc["evaluators"], eid, "evaluator")
        bundle = _bundle(doc, evaluators=[eid])
        # the declaration dates are evidence too: keep them for restore
        bundle["conflict_dates"] = {f"{e}/{b}": d for (e, b), d
                                    in self.conflict_dates().items() if e == eid}
        with self.unit_of_work() as s:
            s.exec(delete(Evaluator).where(col(Evaluator.id) == eid))  # type: ignore[call-overload]
            _audit(s, actor, "evaluator.delete", "evaluator", eid, bundle, None)
        return bundle

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
        ev = _find(doc["evaluators"], eid, "evaluator")
        _find(doc["bids"], bid, "bid")
        was = bid in ev["conflicts"]
        dates = self.conflict_dates()
        removed = [r for r in doc["scores"] if r["evaluator"] == eid and r["bid"] == bid]
        before = {"conflicted": was, "declared_on": dates.get((eid, bid)),
                  "scores": removed if conflicted else []}
        if was == conflicted:
            return before
        when = declared_on or date.today().isoformat()
        back = [] if conflicted else [r for r in (scores or [])
                                      if r["evaluator"] == eid and r["bid"] == bid]
        smax, step = doc["evaluation"]["scale"]["max"], doc["evaluation"]["scale"]["step"]
        for r in back:
            if why := score_problem(r["score"], smax, step):
                raise BadInput.one(f"score {eid}/{bid}/{r['criterion']}", why)
        with self.unit_of_work() as s:
            if back:
                pos = _next_position(s, Score)
                s.connection().execute(insert(Score), [
                    {"evaluator_id": eid, "bid_id": bid, "criterion_id": r["criterion"],
                     "position": pos + i, "score": float(r["score"]),
                     "comment": r.get("comment") or ""} for i, r in enumerate(back)])
            if conflicted:
                s.exec(delete(Score).where(col(Score.evaluator_id) == eid,  # type: ignore[call-overload]
                                           col(Score.bid_id) == bid))
                s.add(Conflict(evaluator_id=eid, bid_id=bid,
                               position=_next_position(s, Conflict), declared_on=when))
            else:
                s.exec(delete(Conflict).where(col(Conflict.evaluator_id) == eid,  # type: ignore[call-overload]
                                              col(Conflict.bid_id) == bid))
            _audit(s, actor, "conflict.declare" if conflicted else "conflict.withdraw",
                   "conflict", f"{eid}/{bid}", before,
                   {"conflicted": conflicted, "declared_on": when if conflicted else None,
                    **({"scores": back} if back else {})})
        return before

    # ---- scores, consensus, gateways -----------------------------------------------
    def _check_score_target(self, where: str, bid: str, cid: str, kind: str) -> None:
        doc = self.document()
        _find(doc["bids"], bid, "bid")
        crit = _find(doc["criteria"], cid, "criterion")
        if crit["kind"] != kind:
            what = "scored criterion" if kind == "scored" else "pass_fail gateway"
            raise BadInput.one(where, f"{q(cid)} is not a {what}")

    def set_score(self, actor: str, eid: str, bid: str, cid: str, score: float | None,
                  comment: str | None = None) -> Record | None:
        """Record, change or clear (None) one evaluator's score; returns the old record."""
        return self.set_scores(actor, [{"evaluator": eid, "bid": bid, "criterion": cid,
                                        "score": score, "comment": comment}])[0]

    def set_scores(self, actor: str, items: list[Record]) -> list[Record | None]:
        """Several score changes in one transaction, all checked first.

        Returns each item's previous record (None where there was none), for undo.
        Written with one statement per kind of change, so that a batch of tens of
        thousands (an evaluator's scoring sheet) stays quick.
        """
        doc = self.document()
        evaluators = {e["id"]: e for e in doc["evaluators"]}
        bids = {b["id"] for b in doc["bids"]}
        kinds = {c["id"]: c["kind"] for c in doc["criteria"]}
        smax = doc["evaluation"]["scale"]["max"]
        step = doc["evaluation"]["scale"]["step"]
        where_is = self._score_positions(doc)
        scores = doc["scores"]
        old_snap = self._snap if self._snap_scores is scores else None

        def current(key: tuple[str, str, str]) -> Record | None:
            i = where_is.get(key)
            return None if i is None else scores[i]

        problems: list[Problem] = []
        befores: list[Record | None] = []
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
            if e in evaluators and b in evaluators[e]["conflicts"] and score is not None:
                problems.append(Problem(where, f"{evaluators[e]['name']} declared a conflict "
                                               "of interest with this bid"))
            if score is not None and (why := score_problem(score, smax, step)):
                problems.append(Problem(where, why))
            comment = it.get("comment")
            if comment is not None and (not isinstance(comment, str)
                                        or len(comment) > interchange.MAX_TEXT):
                problems.append(Problem(where, "the comment is not text of at most "
                                               f"{interchange.MAX_TEXT} characters"))
            befores.append(current((e, b, c)))
        if problems:
            raise BadInput(problems)
        changed: dict[tuple[str, str, str], Record | None] = {}
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
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        at = now_iso()
        for key, after in changed.items():
            before = current(key)
            if before == after:
                continue
            row = {"evaluator_id": key[0], "bid_id": key[1], "criterion_id": key[2]}
            if after is None:
                deletes.append(row)
            elif before is None:
                inserts.append({**row, "score": float(after["score"]),
                                "comment": after["comment"]})
            else:
                updates.append({**{f"k_{k}": v for k, v in row.items()},
                                "score": float(after["score"]), "comment": after["comment"]})
            events.append({"at": at, "actor": actor or default_actor(),
                           "action": "score.clear" if after is None else "score.set",
                           "entity": "score", "entity_id": "/".join(key),
                           "before": _j(before), "after": _j(after)})
        if not events:
            return [copy.deepcopy(b) for b in befores]
        reread = False
        with self.unit_of_work() as s:
            conn = s.connection()
            if deletes:
                # remember where cleared scores stood, so undo puts them back there
                for r in deletes:
                    pos = conn.execute(select(col(Score.position)).filter_by(**r)).scalar()
                    if pos is not None:
                        self._vacated[(r["evaluator_id"], r["bid_id"], r["criterion_id"])] = pos
                conn.execute(delete(Score).where(
                    col(Score.evaluator_id) == bindparam("evaluator_id"),
                    col(Score.bid_id) == bindparam("bid_id"),
                    col(Score.criterion_id) == bindparam("criterion_id")), deletes)
            if updates:
                conn.execute(update(Score).where(
                    col(Score.evaluator_id) == bindparam("k_evaluator_id"),
                    col(Score.bid_id) == bindparam("k_bid_id"),
                    col(Score.criterion_id) == bindparam("k_criterion_id")), updates)
            if inserts:
                pos = _next_position(s, Score)
                for r in inserts:
                    old = self._vacated.pop((r["evaluator_id"], r["bid_id"], r["criterion_id"]),
                                            None)
                    if old is None:
                        r["position"] = pos
                        pos += 1
                    else:
                        r["position"] = old
                        reread = True
                conn.execute(insert(Score), inserts)
            conn.execute(insert(AuditEvent), events)
        # The file now holds exactly the cached document with these changes: patch it
        # rather than read every score back after each keystroke.
        real = {k: v for k, v in changed.items() if current(k) != v}
        if reread:  # a score put back in its old place: read the order from the file
            pass
        elif all(v is not None and k in where_is for k, v in real.items()):
            # scores changed in place (typing in the grid): patch the list and the
            # engine's arrays at their positions instead of rebuilding either
            patched = list(scores)
            for k, v in real.items():
                patched[where_is[k]] = v
            self._doc = dict(doc, scores=patched)
            self._score_pos, self._score_pos_of = where_is, patched
            if old_snap is not None:
                spots = np.fromiter((where_is[k] for k in real), dtype=np.int64,
                                    count=len(real))
                values = np.fromiter((float(v["score"]) for v in real.values()
                                      if v is not None), dtype=float, count=len(real))
                self._snap = old_snap.with_scores(spots, values)
                self._snap_scores = patched
        else:
            self._doc = _patched_scores(doc, real)
        return [copy.deepcopy(b) for b in befores]

    def set_consensus(self, actor: str, bid: str, cid: str, score: float | None,
                      rationale: str = "") -> Record | None:
        """Record the moderated score with its rationale, or clear it (None)."""
        doc = self.document()
        where = f"consensus {bid}/{cid}"
        self._check_score_target(where, bid, cid, "scored")
        current = next((r for r in doc["consensus"]
                        if r["bid"] == bid and r["criterion"] == cid), None)
        before = copy.deepcopy(current)
        if score is not None:
            ev = doc["evaluation"]["scale"]
            if why := score_problem(score, ev["max"], ev["step"]):
                raise BadInput.one(where, why)
            if not rationale or not rationale.strip():
                raise BadInput.one(where, "a consensus score needs a rationale")
        with self.unit_of_work() as s:
            after = None
            if score is None:
                s.exec(delete(Consensus).where(col(Consensus.bid_id) == bid,  # type: ignore[call-overload]
                                               col(Consensus.criterion_id) == cid))
            elif current is not None:  # changed in place: the record keeps its order
                s.exec(update(Consensus).where(col(Consensus.bid_id) == bid,  # type: ignore[call-overload]
                                               col(Consensus.criterion_id) == cid)
                       .values(score=float(score), rationale=rationale))
            else:
                pos = _next_position(s, Consensus)
                s.add(Consensus(bid_id=bid, criterion_id=cid, position=pos, score=float(score),
                                rationale=rationale))
            if score is not None:
                after = {"bid": bid, "criterion": cid, "score": plain(score),
                         "rationale": rationale}
            _audit(s, actor, "consensus.set" if after else "consensus.clear", "consensus",
                   f"{bid}/{cid}", before, after)
        self._doc = _patched_pair(doc, "consensus", bid, cid, after)
        return before

    def set_gateway(self, actor: str, bid: str, cid: str, passed: bool | None,
                    note: str = "") -> Record | None:
        """Record a gateway result (passed true/false) or clear it (None)."""
        doc = self.document()
        self._check_score_target(f"gateway {bid}/{cid}", bid, cid, "pass_fail")
        current = next((r for r in doc["gateways"]
                        if r["bid"] == bid and r["criterion"] == cid), None)
        before = copy.deepcopy(current)
        with self.unit_of_work() as s:
            after = None
            if passed is None:
                s.exec(delete(Gateway).where(col(Gateway.bid_id) == bid,  # type: ignore[call-overload]
                                             col(Gateway.criterion_id) == cid))
            elif current is not None:  # changed in place: the record keeps its order
                s.exec(update(Gateway).where(col(Gateway.bid_id) == bid,  # type: ignore[call-overload]
                                             col(Gateway.criterion_id) == cid)
                       .values(passed=bool(passed), note=note or ""))
            else:
                s.add(Gateway(bid_id=bid, criterion_id=cid, position=_next_position(s, Gateway),
                              passed=bool(passed), note=note or ""))
            if passed is not None:
                after = {"bid": bid, "criterion": cid, "passed": bool(passed),
                         "note": note or ""}
            _audit(s, actor, "gateway.set" if after else "gateway.clear", "gateway",
                   f"{bid}/{cid}", before, after)
        self._doc = _patched_pair(doc, "gateways", bid, cid, after)
        return before

    # ---- partners and apportionment ------------------------------------------------
    def add_partner(self, actor: str, record: Record) -> str:
        norm = self._checked_addition("partners", "C", record)
        with self.unit_of_work() as s:
            s.add(Partner(**_partner_row(norm, _next_position(s, Partner))))
            _audit(s, actor, "partner.add", "partner", norm["id"], None, norm)
        return str(norm["id"])

    def update_partner(self, actor: str, pid: str, changes: Record) -> Record:
        if "id" in changes:
            raise BadInput.one(f"partner {pid}.id", "a partner's id cannot change")
        _, before, norm = self._checked_change("partners", "partner", pid, changes)
        with self.unit_of_work() as s:
            row = _partner_row(norm, 0)
            row.pop("position")
            row.pop("id")
            s.exec(update(Partner).where(col(Partner.id) == pid).values(**row))  # type: ignore[call-overload]
            _audit(s, actor, "partner.update", "partner", pid, before,
                   {k: norm[k] for k in changes})
        return before

    def delete_partner(self, actor: str, pid: str) -> Record:
        doc = self.document()
        _find(doc["partners"], pid, "partner")

        def change(d: Record) -> None:
            d["partners"] = [p for p in d["partners"] if p["id"] != pid]

        self._check_light(change)  # refuses when a bid names this partner explicitly
        bundle = _bundle(doc, partners=[pid])
        with self.unit_of_work() as s:
            s.exec(delete(Partner).where(col(Partner.id) == pid))  # type: ignore[call-overload]
            _audit(s, actor, "partner.delete", "partner", pid, bundle, None)
        return bundle

    def set_apportionment(self, actor: str, bid: str, apportionment: Record | None
                          ) -> Record | None:
        before = copy.deepcopy(_find(self.document()["bids"], bid, "bid").get("apportionment"))
        self.update_bid(actor, bid, {"apportionment": apportionment})
        return before

    # ---- undo of deletes -----------------------------------------------------------
    def restore(self, actor: str, bundle: Record) -> None:
        """Put back what a delete returned, in its old places."""
        bundle = copy.deepcopy(bundle)
        doc = copy.deepcopy(self.document())
        # Removed records go back at their old indices, lowest first, which
        # rebuilds each list exactly as it was.
        for key in ("criteria", "bids", "evaluators", "partners", "scores", "consensus",
                    "gateways"):
            lst = doc[key]
            for rec in sorted(bundle.get(key, []), key=lambda r: r.get("_index", 1 << 60)):
                idx = rec.pop("_index", None)
                lst.insert(len(lst) if idx is None else min(idx, len(lst)), rec)
        for eid, bids in bundle.get("conflicts", {}).items():
            ev = next(e for e in doc["evaluators"] if e["id"] == eid)
            ev["conflicts"] = [*ev["conflicts"], *[b for b in bids if b not in ev["conflicts"]]]
        for bid, app in bundle.get("apportionments", {}).items():
            next(b for b in doc["bids"] if b["id"] == bid)["apportionment"] = app
        norm = interchange.validate(doc)
        dates = self.conflict_dates()
        dates.update({tuple(k.split("/", 1)): v  # type: ignore[misc]
                      for k, v in bundle.get("conflict_dates", {}).items()})
        with self.unit_of_work() as s:
            _clear_all(s)
            _write_document(s, norm, conflict_dates=dates)
            _audit(s, actor, "restore", "evaluation", "", None, _summary(bundle))

    def replace_document(self, actor: str, doc: Any, action: str, detail: Record) -> None:
        """Replace everything with a checked document in one transaction (imports)."""
        norm = interchange.validate(doc)
        dates = self.conflict_dates()
        with self.unit_of_work() as s:
            _clear_all(s)
            _write_document(s, norm, conflict_dates=dates)
            _audit(s, actor, action, "evaluation", "", None, detail)


# ---- plain functions for the command line ----------------------------------------------

def import_json(src: str | Path, dest: str | Path, *, force: bool = False,
                actor: str | None = None) -> EvaluationFile:
    if Path(dest).exists() and Path(dest).resolve() == Path(src).resolve():
        raise BadInput.one(str(dest), "is the file being imported: choose another name")
    raw = interchange.read_json_file(src)
    doc = interchange.validate(raw)
    return EvaluationFile.create(dest, doc, actor=actor, force=force, action="import.json",
                                 detail={"source": Path(src).name, "bids": len(doc["bids"]),
                                         "scores": len(doc["scores"])},
                                 omitted=interchange.omitted_fields(raw))


def export_json(src: str | Path, dest: str | Path, *, force: bool = False) -> None:
    target = Path(dest)
    if target.exists() and target.resolve() == Path(src).resolve():
        raise BadInput.one(str(target), "is the evaluation file itself: choose another name")
    if target.exists() and not force:
        raise BadInput.one(str(target), "already exists (use --force to overwrite)")
    with EvaluationFile.open(src) as ef:
        text = interchange.dumps(interchange.leave_out(ef.document(), ef.omitted_fields()))
    write_text_atomic(target, text)


def write_text_atomic(target: Path, text: str) -> None:
    if not target.parent.exists():
        raise BadInput.one(str(target), "its folder does not exist")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---- rows <-> records -----------------------------------------------------------------

_INDEXED = re.compile(r"^(criteria|bids|evaluators|partners)\[(\d+)\]")
_SINGULAR = {"criteria": "criterion", "bids": "bid", "evaluators": "evaluator",
             "partners": "partner"}


def _name_records(p: Problem, doc: Record) -> Problem:
    """`criteria[3].weight` means little in an editor: say `criterion Q1.weight`."""
    m = _INDEXED.match(p.where)
    if not m:
        return p
    key, i = m.group(1), int(m.group(2))
    try:
        rid = doc[key][i]["id"]
    except (IndexError, KeyError, TypeError):
        return p
    return Problem(f"{_SINGULAR[key]} {rid}{p.where[m.end():]}", p.message)


def _patched_scores(doc: Record, changed: dict[tuple[str, str, str], Record | None]
                    ) -> Record:
    if not changed:
        return doc
    kept = []
    for r in doc["scores"]:
        key = (r["evaluator"], r["bid"], r["criterion"])
        if key in changed:
            new = changed.pop(key)
            if new is not None:
                kept.append(new)
        else:
            kept.append(r)
    kept.extend(v for v in changed.values() if v is not None)
    return dict(doc, scores=kept)


class ChangedElsewhere(BadInput):
    """The file moved on under an edit: refused so that nobody's change is undone."""


def _busy(path: Path, exc: OperationalError) -> BadInput:
    text = str(exc.orig if getattr(exc, "orig", None) else exc).lower()
    if "locked" in text or "busy" in text:
        return BadInput.one(str(path), "is busy: another window or computer is saving to it. "
                                       "Nothing was changed; try again in a moment.")
    return BadInput.one(str(path), f"could not be read or written ({text})")


def _patched_pair(doc: Record, key: str, bid: str, cid: str, after: Record | None) -> Record:
    """The cached document with one consensus or gateway record set as the file now has it:
    changed in place, removed, or added at the end (as its new position puts it)."""
    out: list[Record] = []
    found = False
    for r in doc[key]:
        if r["bid"] == bid and r["criterion"] == cid:
            found = True
            if after is not None:
                out.append(after)
        else:
            out.append(r)
    if not found and after is not None:
        out.append(after)
    return dict(doc, **{key: out})


def _find(records: list[Record], rid: str, what: str) -> Record:
    for r in records:
        if r["id"] == rid:
            return r
    raise BadInput.one(f"{what} {rid}", f"{q(rid)} is not a {what}")


def _uses(doc: Record, cid: str) -> str:
    n_scores = sum(1 for r in doc["scores"] if r["criterion"] == cid)
    n_cons = sum(1 for r in doc["consensus"] if r["criterion"] == cid)
    n_gates = sum(1 for r in doc["gateways"] if r["criterion"] == cid)
    parts = [f"{n} {w}" for n, w in ((n_scores, "scores"), (n_cons, "consensus scores"),
                                     (n_gates, "gateway results")) if n]
    return ", ".join(parts)


def _bundle(doc: Record, *, criteria: Iterable[str] = (), bids: Iterable[str] = (),
            evaluators: Iterable[str] = (), partners: Iterable[str] = ()) -> Record:
    """Everything a delete removes, with the places it held."""
    crit, bid_set, evs, parts = set(criteria), set(bids), set(evaluators), set(partners)

    def pick(key: str, ids: set[str]) -> list[Record]:
        return [dict(copy.deepcopy(r), _index=i) for i, r in enumerate(doc[key])
                if r["id"] in ids]

    def touches(r: Record) -> bool:
        return (r.get("criterion") in crit or r.get("bid") in bid_set
                or r.get("evaluator") in evs)

    def linked(key: str) -> list[Record]:
        return [dict(copy.deepcopy(r), _index=i) for i, r in enumerate(doc[key]) if touches(r)]

    out: Record = {
        "criteria": pick("criteria", crit), "bids": pick("bids", bid_set),
        "evaluators": pick("evaluators", evs), "partners": pick("partners", parts),
        "scores": linked("scores"), "consensus": linked("consensus"),
        "gateways": linked("gateways"),
        "conflicts": {e["id"]: [b for b in e["conflicts"] if b in bid_set]
                      for e in doc["evaluators"] if e["id"] not in evs
                      and any(b in bid_set for b in e["conflicts"])},
        "apportionments": {b["id"]: copy.deepcopy(b["apportionment"]) for b in doc["bids"]
                           if b["id"] not in bid_set and b.get("apportionment")
                           and "partners" in b["apportionment"]
                           and any(p in parts for p in b["apportionment"]["partners"])},
    }
    return out


def _summary(bundle: Record) -> Record:
    return {k: len(v) for k, v in bundle.items() if isinstance(v, list | dict) and v}


def _audit(s: Session, actor: str, action: str, entity: str, entity_id: str,
           before: Any, after: Any) -> None:
    s.add(AuditEvent(at=now_iso(), actor=actor or default_actor(), action=action,
                     entity=entity, entity_id=entity_id, before=_j(before), after=_j(after)))


def _next_position(s: Session, table: Any) -> int:
    value = s.scalar(select(func.max(table.position)))
    return 0 if value is None else int(value) + 1


def _renumber(s: Session, table: Any, ids: list[str]) -> None:
    for i, rid in enumerate(ids):
        s.exec(update(table).where(table.id == rid).values(position=i))  # type: ignore[call-overload]


def _evaluation_row(ev: Record) -> Record:
    return {
        "title": ev["title"], "reference": ev["reference"], "authority": ev["authority"],
        "currency": ev["currency"], "scale_max": ev["scale"]["max"],
        "scale_step": ev["scale"]["step"],
        "descriptors": json.dumps(ev["scale"]["descriptors"], ensure_ascii=False),
        "years": ev["appraisal"]["years"], "discount_rate": ev["appraisal"]["discount_rate"],
        "cost_basis": ev["appraisal"]["cost_basis"],
        "spread_flag": ev["moderation"]["spread_flag"],
    }


def _criterion_row(c: Record, position: int) -> Record:
    return {
        "id": c["id"], "position": position, "name": c["name"], "kind": c["kind"],
        "weight": c.get("weight"), "parent_id": c.get("parent"),
        "min_score": c.get("min_score"), "guidance": c.get("guidance"),
        "formula": c.get("formula"),
        "descriptors": None if c.get("descriptors") is None
        else json.dumps(c["descriptors"], ensure_ascii=False),
    }


def _bid_row(b: Record, position: int) -> Record:
    return {"id": b["id"], "position": position, "supplier": b["supplier"],
            "option_type": b["option_type"], "sme": bool(b["sme"]),
            "term_years": b.get("term_years"), "notes": b["notes"]}


def _partner_row(p: Record, position: int) -> Record:
    return {"id": p["id"], "position": position, "name": p["name"],
            "population": p["population"], "baseline_annual_cost": p["baseline_annual_cost"]}


def _insert_costs(s: Session, b: Record) -> None:
    rows = [{"bid_id": b["id"], "position": j, **line} for j, line in enumerate(b["costs"])]
    if rows:
        s.exec(insert(CostLine), params=rows)  # type: ignore[call-overload]


def _insert_apportionment(s: Session, b: Record) -> None:
    app = b.get("apportionment")
    if not app:
        return
    s.add(Apportionment(bid_id=b["id"], method=app["method"],
                        all_partners="partners" not in app))
    s.flush()
    shares = app.get("shares", {})
    for j, p in enumerate(app.get("partners", [])):
        s.add(ApportionmentShare(bid_id=b["id"], partner_id=p, position=j, share=shares.get(p)))
    if "partners" not in app and shares:
        for j, (p, v) in enumerate(shares.items()):
            s.add(ApportionmentShare(bid_id=b["id"], partner_id=p, position=j, share=v))


def _insert_bids(s: Session, bids: list[Record], start: int = 0) -> None:
    if not bids:
        return
    s.exec(insert(Bid), params=[_bid_row(b, start + i) for i, b in enumerate(bids)])  # type: ignore[call-overload]
    for b in bids:
        _insert_costs(s, b)
        _insert_apportionment(s, b)


def _insert_evaluators(s: Session, evaluators: list[Record], start: int = 0,
                       conflict_dates: dict[tuple[str, str], str] | None = None) -> None:
    if not evaluators:
        return
    s.exec(insert(Evaluator), params=[  # type: ignore[call-overload]
        {"id": e["id"], "position": start + i, "name": e["name"], "role": e["role"]}
        for i, e in enumerate(evaluators)])
    # A declaration's date is evidence: from the document, else as the file had it,
    # else not recorded (never the day of an import).
    dates = conflict_dates or {}
    rows = [{"evaluator_id": e["id"], "bid_id": b, "position": 0,
             "declared_on": e.get("declared", {}).get(b) or dates.get((e["id"], b), "")}
            for e in evaluators for b in e["conflicts"]]
    for i, r in enumerate(rows):
        r["position"] = i
    if rows:
        s.exec(insert(Conflict), params=rows)  # type: ignore[call-overload]


def _clear_all(s: Session) -> None:
    for table in (Score, Consensus, Gateway, Conflict, ApportionmentShare, Apportionment,
                  CostLine, Bid, Evaluator, Partner):
        s.exec(delete(table))  # type: ignore[call-overload]
    # children before parents so the self-reference never dangles
    s.exec(update(Criterion).values(parent_id=None))  # type: ignore[call-overload]
    s.exec(delete(Criterion))  # type: ignore[call-overload]
    s.exec(delete(Evaluation))  # type: ignore[call-overload]


def _write_document(s: Session, doc: Record,
                    conflict_dates: dict[tuple[str, str], str] | None = None) -> None:
    s.add(Evaluation(id=1, **_evaluation_row(doc["evaluation"])))
    if doc["criteria"]:
        rows = [_criterion_row(c, i) for i, c in enumerate(doc["criteria"])]
        # parents first is not guaranteed by the file: insert, then link
        parents = {r["id"]: r["parent_id"] for r in rows}
        s.exec(insert(Criterion), params=[dict(r, parent_id=None) for r in rows])  # type: ignore[call-overload]
        for cid, p in parents.items():
            if p is not None:
                s.exec(update(Criterion).where(col(Criterion.id) == cid).values(parent_id=p))  # type: ignore[call-overload]
    if doc["partners"]:
        s.exec(insert(Partner), params=[_partner_row(p, i)  # type: ignore[call-overload]
                                        for i, p in enumerate(doc["partners"])])
    _insert_bids(s, doc["bids"])
    _insert_evaluators(s, doc["evaluators"], conflict_dates=conflict_dates)
    if doc["scores"]:
        s.exec(insert(Score), params=[  # type: ignore[call-overload]
            {"evaluator_id": r["evaluator"], "bid_id": r["bid"], "criterion_id": r["criterion"],
             "position": i, "score": r["score"], "comment": r["comment"]}
            for i, r in enumerate(doc["scores"])])
    if doc["consensus"]:
        s.exec(insert(Consensus), params=[  # type: ignore[call-overload]
            {"bid_id": r["bid"], "criterion_id": r["criterion"], "position": i,
             "score": r["score"], "rationale": r["rationale"]}
            for i, r in enumerate(doc["consensus"])])
    if doc["gateways"]:
        s.exec(insert(Gateway), params=[  # type: ignore[call-overload]
            {"bid_id": r["bid"], "criterion_id": r["criterion"], "position": i,
             "passed": r["passed"], "note": r["note"]}
            for i, r in enumerate(doc["gateways"])])


def _read_document(s: Session) -> Record:
    conn = s.connection()

    def rows(sql: str) -> list[Any]:
        return list(conn.exec_driver_sql(sql).fetchall())

    ev_rows = rows("SELECT title, reference, authority, currency, scale_max, scale_step, "
                   "descriptors, years, discount_rate, cost_basis, spread_flag FROM evaluation")
    if not ev_rows:
        raise BadInput.one("evaluation", "the file holds no evaluation")
    (title, reference, authority, currency, smax, step, descriptors, years, rate, basis,
     spread) = ev_rows[0]
    evaluation = {
        "title": title, "reference": reference, "authority": authority, "currency": currency,
        "scale": {"max": plain(smax), "step": plain(step), "descriptors": json.loads(descriptors)},
        "appraisal": {"years": int(years), "discount_rate": plain(rate), "cost_basis": basis},
        "moderation": {"spread_flag": plain(spread)},
    }
    criteria = []
    for (cid, name, kind, weight, parent, min_score, guidance, formula,
         desc) in rows("SELECT id, name, kind, weight, parent_id, min_score, guidance, formula,"
                       " descriptors FROM criterion ORDER BY position"):
        c: Record = {"id": cid, "name": name, "kind": kind, "parent": parent}
        if kind != "pass_fail":
            c["weight"] = plain(weight)
        if min_score is not None:
            c["min_score"] = plain(min_score)
        if formula is not None:
            c["formula"] = formula
        if desc is not None:
            c["descriptors"] = json.loads(desc)
        if guidance is not None:
            c["guidance"] = guidance
        criteria.append(c)
    costs: dict[str, list[Record]] = {}
    for bid, item, cat, amount, start, years_ in rows(
            "SELECT bid_id, item, category, amount, start_year, years FROM costline "
            "ORDER BY bid_id, position"):
        costs.setdefault(bid, []).append({"item": item, "category": cat,
                                          "amount": plain(amount), "start_year": start,
                                          "years": years_})
    apps: dict[str, Record] = {}
    for bid, method, all_p in rows("SELECT bid_id, method, all_partners FROM apportionment"):
        apps[bid] = {"method": method, "_all": bool(all_p), "partners": [], "shares": {}}
    for bid, pid, share in rows("SELECT bid_id, partner_id, share FROM apportionmentshare "
                                "ORDER BY bid_id, position"):
        apps[bid]["partners"].append(pid)
        if share is not None:
            apps[bid]["shares"][pid] = plain(share)
    bids = []
    for bid, supplier, otype, sme, term, notes in rows(
            "SELECT id, supplier, option_type, sme, term_years, notes FROM bid ORDER BY position"):
        b: Record = {"id": bid, "supplier": supplier, "option_type": otype, "sme": bool(sme)}
        if term is not None:
            b["term_years"] = term
        b["notes"] = notes
        b["costs"] = costs.get(bid, [])
        if bid in apps:
            a = apps[bid]
            app: Record = {"method": a["method"]}
            if not a["_all"]:
                app["partners"] = a["partners"]
            if a["method"] == "custom":
                app["shares"] = a["shares"]
            b["apportionment"] = app
        bids.append(b)
    conflicts: dict[str, list[str]] = {}
    for eid, bid in rows("SELECT evaluator_id, bid_id FROM conflict ORDER BY position"):
        conflicts.setdefault(eid, []).append(bid)
    declared: dict[str, dict[str, str]] = {}
    for eid, bid, when in rows("SELECT evaluator_id, bid_id, declared_on FROM conflict "
                               "ORDER BY position"):
        if when:
            declared.setdefault(eid, {})[bid] = when
    evaluators = []
    for eid, name, role in rows("SELECT id, name, role FROM evaluator ORDER BY position"):
        ev: Record = {"id": eid, "name": name, "role": role, "conflicts": conflicts.get(eid, [])}
        if eid in declared:
            ev["declared"] = {b: declared[eid][b] for b in ev["conflicts"] if b in declared[eid]}
        evaluators.append(ev)
    scores = [{"evaluator": e, "bid": b, "criterion": c, "score": plain(v), "comment": m}
              for e, b, c, v, m in rows("SELECT evaluator_id, bid_id, criterion_id, score, "
                                        "comment FROM score ORDER BY position")]
    consensus = [{"bid": b, "criterion": c, "score": plain(v), "rationale": r}
                 for b, c, v, r in rows("SELECT bid_id, criterion_id, score, rationale "
                                        "FROM consensus ORDER BY position")]
    gateways = [{"bid": b, "criterion": c, "passed": bool(p), "note": n}
                for b, c, p, n in rows("SELECT bid_id, criterion_id, passed, note FROM gateway "
                                       "ORDER BY position")]
    partners = [{"id": pid, "name": name, "population": int(pop),
                 "baseline_annual_cost": plain(cost)}
                for pid, name, pop, cost in rows("SELECT id, name, population, "
                                                 "baseline_annual_cost FROM partner "
                                                 "ORDER BY position")]
    return {"format": interchange.FORMAT, "version": interchange.VERSION,
            "evaluation": evaluation, "criteria": criteria, "bids": bids,
            "evaluators": evaluators, "scores": scores, "consensus": consensus,
            "gateways": gateways, "partners": partners}
