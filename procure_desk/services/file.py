"""An open evaluation file: its lifecycle, its unit of work and what it last read.

Every edit goes through `unit_of_work`, which moves the file's data revision
on and refuses (`ChangedElsewhere`) when another window or computer saved
since this object last read: an edit checked against what we saw could
otherwise undo theirs. Reads are cached until the next edit.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from .. import atomic, chain, interchange
from ..chain import DataDigest
from ..collector import collector_paused
from ..engine import Results, Snapshot, compute
from ..errors import BadInput, FileBusy
from ..stamps import default_actor, now_iso
from ..store import (
    Store,
    Writer,
    bulk,
    file_identity,
    is_address,
    keep_backup,
    remove_leftovers,
    replace_file,
)
from .records import (
    AuditEntry,
    ChangedElsewhere,
    Record,
    ScoreKey,
    StoredAuditEntry,
    find,
    light,
    name_records,
    new_id,
)

OMITTED_KEY = "interchange_omitted"
log = logging.getLogger(__name__)


class FileCore:
    """The file, its cache and the checks every edit shares."""

    def __init__(self, path: str | Path):
        self.store = Store(path)  # a file, or a URL naming an evaluation on a server
        self.path = self.store.path
        self.revision = 0  # edits made through this object (the app's "something changed")
        self._vacated: dict[ScoreKey, int] = {}  # where cleared scores stood, for undo
        self._file_rev: int | None = None  # the data revision the cache reflects
        self._moved_on = False  # the file was saved elsewhere since the user last saw it
        self._doc: Record | None = None
        self._snap: Snapshot | None = None
        self._snap_scores: Any = None
        self._score_pos: dict[ScoreKey, int] | None = None
        self._score_pos_of: Any = None
        self._results: Results | None = None
        self._trying = False  # a trial edit (`ranking_if`): rolled back, never kept
        self._trial_doc: Record | None = None
        self._data_digest: DataDigest | None = None
        self._digest_of: Record | None = None  # the document the digest is of
        self._checked_events: list[Record] | None = None  # the audit log as verify read it
        self.backup: Path | None = None  # the copy kept before this session's first edit
        self.backup_problem: str | None = None  # why no copy could be kept, if so
        self._start_chain()

    # ---- lifecycle -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> Self:
        return cls(path)

    @classmethod
    def create(cls, path: str | Path, doc: Any, *, actor: str | None = None,
               force: bool = False, action: str = "evaluation.create",
               detail: Record | None = None, omitted: Record | None = None,
               checked: bool = False) -> Self:
        """A new file from a document, checked whole first; all or nothing on disk.

        `omitted` records which optional fields the source left out (see
        `interchange.omitted_fields`), so that an export can leave them out again.
        `checked`: `doc` is already `interchange.validate`'s output (an import), so it
        is not checked again and is written in one pass (`store.bulk`).
        """
        return cls(cls.write_new(path, doc, actor=actor, force=force, action=action,
                                 detail=detail, omitted=omitted, checked=checked))

    @classmethod
    def write_new(cls, path: str | Path, doc: Any, *, actor: str | None = None,
                  force: bool = False, action: str = "evaluation.create",
                  detail: Record | None = None, omitted: Record | None = None,
                  checked: bool = False) -> Path:
        """What `create` writes, without opening the new file (an import that only
        says what it wrote need not check and read it again); returns its path."""
        if is_address(path):
            raise BadInput.one("evaluation", "an evaluation is put on a server with "
                                             "`procure-desk server publish FILE URL`")
        target = Path(path)
        if target.is_dir():
            raise BadInput.one(str(target), "is a folder")
        if target.exists() and not force:
            raise BadInput.one(str(target), "already exists (use --force to overwrite)")
        if not target.parent.exists():
            raise BadInput.one(str(target), "its folder does not exist")
        norm = doc if checked else interchange.validate(doc)
        atomic.sweep(target.parent)  # what a killed run left behind
        tmp = atomic.part_path(target)
        meta = {"created_at": now_iso(), "revision": "1"}
        if omitted:
            meta[OMITTED_KEY] = json.dumps(omitted)
        event = detail or {"title": norm["evaluation"]["title"], "bids": len(norm["bids"]),
                           "scores": len(norm["scores"])}
        try:
            write = bulk.create if checked else Store.create  # hook: store/bulk.py
            with collector_paused():  # the whole document's rows and digest, made at once
                write(tmp, norm, meta, (actor or default_actor(), action, event),
                      shown_as=target)
            if target.exists():
                _keep_replaced(target)
            replace_file(tmp, target)
        except BaseException:
            remove_leftovers(tmp)
            raise
        return target

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_copy(self, dest: str | Path, *, force: bool = False) -> None:
        d = Path(dest)
        if d.exists() and not force:
            raise BadInput.one(str(d), "already exists")
        if d.resolve() == self.path.resolve():
            raise BadInput.one(str(d), "is the open file itself")
        self.store.backup_to(d)

    # ---- unit of work --------------------------------------------------------------
    @contextmanager
    def unit_of_work(self, *, changes_data: bool = True,
                     digest: Callable[[], DataDigest] | None = None) -> Iterator[Writer]:
        """One transaction: committed when the block ends, rolled back on any error.

        The unit's audit events are chained at its end with a digest of the data as it
        leaves them: `digest` gives it cheaply where the edit knows it (a typed score),
        otherwise the data are read back within the transaction. A sealed evaluation
        refuses every unit that changes data. `changes_data=False` is for records that
        change no figure (an export noted in the audit log), which must not make other
        windows reload.
        """
        if self.store.team:
            with self._team_unit(changes_data, digest) as w:
                yield w
            return
        new_rev: int | None = None
        fresh: Record | None = None
        after: DataDigest | None = None
        if (changes_data and self.backup is None and self.backup_problem is None
                and not self._trying):
            self._keep_backup()  # before the session's first change to the data
        try:
            with self.store.transaction() as w:
                if changes_data:
                    new_rev = w.advance_revision()
                    self._check_not_moved(new_rev)
                    refuse_if_sealed(w.sealed())
                yield w
                if self._trying:
                    self._trial_doc, _ = w.read_state()
                    raise TrialDone
                if changes_data and w.events:
                    if digest is not None:
                        after = digest()
                    else:
                        # the cached reading is out of date now: let it go before the
                        # fresh one is read (two readings at once doubled the peak)
                        self._doc = self._snap = self._results = None
                        self._data_digest = None
                        fresh, sealed = w.read_state()
                        after = chain.digest(fresh, sealed)
                w.flush_events(None if after is None else after.hex)
        except ChangedElsewhere:
            self.reload()
            raise
        if new_rev is not None:
            self._file_rev = new_rev
        self.revision += 1
        self._checked_events = None  # the log has moved on
        if changes_data:
            self._doc = fresh
            self._data_digest = after
        self._snap = None
        self._results = None

    @contextmanager
    def _team_unit(self, changes_data: bool,
                   digest: Callable[[], DataDigest] | None) -> Iterator[Writer]:
        """A unit of work on a server (docs/team-mode.md). Units wait for each other at
        the chain's head; an edit is refused (`ChangedElsewhere`) only when something it
        built on (the methodology, or the same evaluator's scores) changed since it was
        read, so members scoring at once never refuse each other."""
        base_doc = self.document() if changes_data else None
        base = self.data_digest() if changes_data else None
        fresh: Record | None = None
        after: DataDigest | None = None
        moved: dict[str, int] | None = None
        w: Writer | None = None
        try:
            with self.store.transaction() as w:
                yield w
                if self._trying:
                    self._trial_doc, _ = w.read_state()
                    raise TrialDone
                if w.events:  # a unit that records nothing changes nothing
                    w.lock_head()  # from here to the commit, units wait for this one
                    whole: DataDigest | None = None
                    if changes_data:
                        refuse_if_sealed(w.head_sealed())
                        moved = w.check_and_advance(self.store.seen)
                        if moved is None:
                            raise ChangedElsewhere.one(str(self.path), STALE)
                        if digest is not None:
                            after = digest()
                            whole = team_whole(w.head_digest(), base, after)
                        else:
                            fresh, sealed = w.read_state()
                            after = chain.digest(fresh, sealed)
                            whole = self._team_whole_read(w.head_digest(), base_doc, base,
                                                          fresh, after)
                    w.flush_events(None, whole)
        except ChangedElsewhere:
            self.reload()
            raise
        except Exception:
            # a write the server refused because of a row someone else has just added
            # is an edit built on what they have since changed
            if changes_data and w is not None and self._stale(w.depends()):
                self.reload()
                raise ChangedElsewhere.one(str(self.path), STALE) from None
            raise
        self.revision += 1
        self._checked_events = None  # the log has moved on
        if moved is not None and w is not None:
            if fresh is not None:  # read back whole: everything is as now
                self.store.seen = moved
            else:  # the cache was patched with this unit's own change only
                self.store.seen = {**(self.store.seen or {}),
                                   **{k: moved[k] for k in w.touched}}
            new_rev = w.head_events()
            if fresh is not None or new_rev == (self._file_rev or 0) + 1:
                self._file_rev = new_rev  # nobody else's edit is missing from the cache
            self._doc = fresh
            self._data_digest = after
        self._snap = None
        self._results = None

    def _stale(self, scopes: set[str]) -> bool:
        seen = self.store.seen
        if seen is None:
            return False
        try:
            now = self.store.scopes()
        except BadInput:
            return False
        return any(now.get(k, 0) != seen.get(k, 0) for k in scopes)

    def _team_whole_read(self, head: DataDigest | None, base_doc: Record | None,
                         base: DataDigest | None, fresh: Record, after: DataDigest
                         ) -> DataDigest:
        """The whole evaluation's digest after a unit whose data were read back.

        The chair, an observer and the administrator read everything, so what they read
        is the whole. An evaluator reads part: the server lets them change only their own
        scores and their own declaration, so the whole moves by exactly that much.
        """
        if head is None or self.store.role != "evaluator" or base_doc is None or base is None:
            return after
        me = self.store.evaluator

        def own(d: Record) -> int:
            return chain.digest({"scores": [r for r in d["scores"]
                                            if r["evaluator"] == me]}).scores

        structure = head.structure
        if after.structure != base.structure:
            if self.store.meta("blind") == "1":
                raise BadInput.one(str(self.path), "while blind scoring is on, the chair "
                                                   "records evaluators' declarations and "
                                                   "sign-offs (they change a record you may "
                                                   "not read). Nothing was changed.")
            structure = after.structure
        scores = (head.scores + own(fresh) - own(base_doc)) % chain.MOD
        return DataDigest(structure, scores, head.consensus, head.gateways)

    def data_digest(self) -> DataDigest:
        """The digest of the data as this object last read or wrote them (cached)."""
        doc = self.document()
        if self._data_digest is None or self._digest_of is not doc:
            self._data_digest = chain.digest(doc, self.sealed())
            self._digest_of = doc
        return self._data_digest

    def verify(self) -> chain.Verdict:
        """Check the audit chain and that the data are as its last event left them.

        The data are read afresh; their digest is kept, so the next edit (a typed
        score) need not digest them again.
        """
        if self.store.role == "evaluator":
            raise BadInput.one(str(self.path), "an evaluator sees only part of the record, so "
                                               "it is verified by the chair, an observer or "
                                               "the administrator")
        self.reload()
        with collector_paused():
            events = self.store.chain_rows()
            self._checked_events = events
            return chain.check(events, self.data_digest().hex)

    def audit_log(self) -> list[AuditEntry]:
        """Every audit event, oldest first, as `verify` last read it (read now if it has
        not): the same entries as `audit()` reversed, each decoding its before and
        after only when they are used."""
        with collector_paused():
            events = self._checked_events
            if events is None:
                events = self.store.chain_rows()
            return [StoredAuditEntry(e) for e in events]

    def history(self) -> set[str]:
        """Every head the audit chain has had (each event's hash)."""
        return {e["hash"] for e in self.store.chain_rows() if e["hash"]}

    def head(self) -> tuple[str | None, int]:
        """The audit chain's head (the last event's hash) and the number of events."""
        return self.store.head()

    def _start_chain(self) -> None:
        """Give a file made before the audit chain its chain, starting with an event that
        says so. A file that cannot be written (read-only) is left as it is: `verify`
        says it has no chain."""
        head, n = self.store.head()
        if head is not None or n == 0:
            return
        try:
            with self.unit_of_work(changes_data=False) as w:
                w.start_chain(n)
        except BadInput as exc:
            log.warning("audit chain not started: %s", exc)

    def sealed(self) -> Record | None:
        """Who sealed the record, when, and the chain's head then; None while open."""
        value = self.store.meta("sealed")
        return json.loads(value) if value else None

    def _keep_backup(self) -> None:
        """A copy of the file as it was before this session's first edit.

        A copy that cannot be made (no room in the data folder) does not stop the
        work: the reason is kept for the app to show.
        """
        if self.store.team:
            return  # the server's own backups keep it (docs/team-mode.md)
        try:
            self.backup = keep_backup(self.path)
        except FileBusy:
            return  # the edit will say so; a copy is tried again at the next one
        except BadInput as exc:
            self.backup_problem = str(exc)
            log.warning("no backup kept: %s", exc)

    def _check_not_moved(self, new_rev: int) -> None:
        if self._moved_on or (self._file_rev is not None and new_rev - 1 != self._file_rev):
            raise ChangedElsewhere.one(
                str(self.path), "was changed elsewhere (another window or computer) since "
                                "you last saw it. Nothing was saved: what you see now is its "
                                "current state; make your change again if it is still needed.")

    def file_revision(self) -> int:
        """The file's data revision as stored now (cheap: for noticing outside changes)."""
        return self.store.revision()

    def changed_elsewhere(self) -> bool:
        """True when another window or program saved a change since we last read."""
        return self._moved_on or (self._file_rev is not None
                                  and self.file_revision() != self._file_rev)

    def reload(self) -> None:
        """Forget what was read; the next read sees the file as it is now."""
        self._doc = None
        self._checked_events = None
        self._snap = None
        self._results = None
        self._file_rev = None
        self._moved_on = False

    # ---- reading -------------------------------------------------------------------
    def document(self) -> Record:
        """The whole evaluation as a normalised interchange document (cached)."""
        if self._doc is None:
            with collector_paused():
                doc, rev = self.store.read_document()
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

    def score_positions(self, doc: Record) -> dict[ScoreKey, int]:
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
        return [AuditEntry(i or 0, at, who, action, ent, eid,
                           json.loads(before) if before else None,
                           json.loads(after) if after else None)
                for i, at, who, action, ent, eid, before, after
                in self.store.audit_rows(text=text, actor=actor, entity=entity, limit=limit)]

    def omitted_fields(self) -> Record:
        """The optional fields the imported source left out ({} for other files)."""
        value = self.store.meta(OMITTED_KEY)
        return json.loads(value) if value else {}

    def meta(self, key: str) -> str | None:
        """A value the file keeps about itself (None when it has none)."""
        return self.store.meta(key)

    def set_meta(self, actor: str, key: str, value: str, action: str, detail: Record) -> None:
        """Keep a value about the file, with its audit event; changes no figure."""
        with self.unit_of_work(changes_data=False) as w:
            w.set_meta(key, value)
            w.audit(actor, action, "evaluation", "", None, detail)

    @contextmanager
    def recording(self, actor: str, action: str, detail: Record) -> Iterator[None]:
        """An audit event (an export) kept only if the block succeeds.

        The event is written first, so a busy or read-only file refuses before the
        block runs; the block's own work (renaming finished files into place) and
        the event then stand or fall together.
        """
        with self.unit_of_work(changes_data=False) as w:
            w.audit(actor, action, "evaluation", "", None, detail)
            yield

    def conflict_dates(self) -> dict[tuple[str, str], str]:
        return self.store.conflict_dates()

    def new_id(self, prefix: str, existing: Any) -> str:
        return new_id(prefix, existing)

    # ---- checks every edit shares ----------------------------------------------------
    def _check_light(self, change: Callable[[Record], Any]) -> Record:
        """Apply `change` to a copy of the structure and check it by the import rules."""
        doc = copy.deepcopy(light(self.document()))
        change(doc)
        try:
            return interchange.validate(doc, strict=False)
        except BadInput as exc:
            raise BadInput([name_records(p, doc) for p in exc.problems]) from None

    def _checked_addition(self, key: str, prefix: str, record: Record) -> Record:
        """A new record (given an id if it has none) checked within a copy of the structure."""
        rec = dict(record)
        if not rec.get("id"):
            rec["id"] = new_id(prefix, (r["id"] for r in self.document()[key]))
        new = self._check_light(lambda d: d[key].append(rec))
        norm: Record = new[key][-1]
        return norm

    def _checked_change(self, key: str, what: str, rid: str, changes: Record
                        ) -> tuple[Record, Record, Record]:
        """Field changes to one record, checked within a copy of the structure.

        None removes an optional field. Returns the record as it was, the old values
        of the changed fields (what undo needs) and the checked new record.
        """
        old = find(self.document()[key], rid, what)
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


STALE = ("was changed by another member since you last saw it. Nothing was saved: what you "
         "see now is its current state; make your change again if it is still needed.")


def team_whole(head: DataDigest | None, base: DataDigest | None, after: DataDigest
               ) -> DataDigest:
    """The whole evaluation's digest after a unit that says its own change (`base` to
    `after`, over what this member reads): each list's digest is a sum, so the whole
    moves by the same amount; a changed structure is the member's own reading of it."""
    if head is None or base is None:
        return after
    structure = head.structure if after.structure == base.structure else after.structure
    sums = [(getattr(head, k) + getattr(after, k) - getattr(base, k)) % chain.MOD
            for k in chain.LISTS]
    return DataDigest(structure, *sums)


class TrialDone(Exception):  # noqa: N818 - a signal, not an error
    """Ends a trial edit so that its transaction rolls back (see methodology.ranking_if)."""


def refuse_if_sealed(sealed: Record | None) -> None:
    if sealed:
        raise BadInput.one("evaluation", f"was sealed by {sealed['by']} on "
                                         f"{sealed['at'][:10]}: no change can be made to it. "
                                         "Save a copy as a new draft to work on it.")


def _keep_replaced(target: Path) -> None:
    """A copy of an evaluation about to be overwritten (import --force, new --force).

    A sealed evaluation is never overwritten: the seal means no change, whole or part.
    """
    from ..store import APPLICATION_ID

    try:
        ours = file_identity(target)[0] == APPLICATION_ID
    except BadInput:
        return  # not an evaluation we can read: overwritten as the user asked
    if not ours:
        return
    try:
        store = Store(target)
    except BadInput:
        return  # damaged: overwritten as the user asked
    try:
        sealed = store.meta("sealed")
    finally:
        store.close()
    if sealed:
        refuse_if_sealed(json.loads(sealed))
    keep_backup(target)
