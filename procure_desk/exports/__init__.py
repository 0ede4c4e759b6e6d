"""The evidence: an Excel pack with live formulas, a PDF report, one assessment
summary per bidder and an OCDS release, all from one reading of the file.

Every export verifies the evaluation file first (`EvaluationFile.verify`): a file
altered outside ProcureDesk is refused, naming the first problem, before
anything is written. Each export records the audit chain's head and event
count it was made from (`provenance.stamp`) in its properties and its text, and
is itself recorded in the audit log (`export.pdf`, `export.xlsx`,
`export.summaries`, `export.ocds`) with the SHA-256 of the file it wrote: the
file and the event stand or fall together (docs/evidence.md).

Each export writes through `procure_desk.atomic`: to a temporary name beside
its target, renamed into place when complete, so a crash, a cancel or a full
disk never leaves half a file; none overwrites an existing file unless asked
to (`force`). Long exports call `report(fraction, message)` now and then; the
caller may raise `Cancelled` from it to stop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput

Report = Callable[[float, str], None]

EXPORT_ACTIONS = ("export.xlsx", "export.pdf", "export.summaries", "export.ocds")


def no_report(fraction: float, message: str) -> None:
    """The default `report`: nobody is watching."""


def default_actor() -> str:
    """Who exports, as the audit log names them: PROCURE_DESK_USER, else the login name."""
    from ..stamps import default_actor as login

    return os.environ.get("PROCURE_DESK_USER") or login()


@dataclass
class Source:
    """What every export reads: the document, the engine's results and the record.

    Made only from a file that verifies; `head` and `events` are the audit chain's
    as verified, and what every export made from this reading records.
    """

    path: Path
    doc: dict[str, Any]
    results: Any  # engine.Results
    audit: list[Any]  # services.AuditEntry, oldest first
    conflict_dates: dict[tuple[str, str], str]
    sha256: str
    exported_at: str
    version: str
    revision: int = 0
    head: str | None = None
    events: int = 0
    sealed: dict[str, Any] | None = None
    outstanding: list[dict[str, str]] = field(default_factory=list)
    actor: str = field(default_factory=default_actor)
    _ef: Any = field(default=None, repr=False)  # the open file to record through, if held
    _json: dict[str, Any] | None = field(default=None, repr=False)
    _by_bid: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict,
                                                                repr=False)
    _positions: dict[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: str | Path, *, actor: str | None = None) -> Source:
        """Read the file (verified first) and close it; each export made from this
        reading opens it again to record itself in the audit log.

        A file is read with sqlite3 alone, its scores as columns (`readers.read_verified`:
        the same document, verdict and results as through the services, in a fraction
        of the memory: a million scores are about 150 MB rather than 900); a server
        evaluation is read through the services."""
        from ..store.address import is_address

        if is_address(path):
            return cls._through_services(path, actor=actor)
        return cls._read(Path(path), actor=actor)

    @classmethod
    def _through_services(cls, path: str | Path, *, actor: str | None) -> Source:
        with cls.open(path, actor=actor) as src:
            src._ef = None
            return src

    @classmethod
    def _read(cls, p: Path, *, actor: str | None) -> Source:
        from .. import __version__
        from ..readers import read_verified
        from ..services.records import StoredAuditEntry

        if not p.exists():
            raise BadInput.one(str(p), "no such file")
        got = read_verified(p)
        if got.verdict.head is None:  # made before the audit chain: the services start it
            return cls._through_services(p, actor=actor)
        head, events = verdict_head(p, got.verdict)
        results = got.computed
        return cls(path=p, doc=got.doc, results=results,
                   audit=[StoredAuditEntry(e) for e in got.events],
                   conflict_dates=got.conflict_dates, sha256=file_sha256(p),
                   exported_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                   version=__version__, head=head, events=events, sealed=got.sealed,
                   outstanding=list(results.outstanding()),
                   actor=actor or default_actor())

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: str | Path, *, actor: str | None = None) -> Iterator[Source]:
        """Read the file (verified first) and keep it open while the block runs, so
        every export made in it is recorded through the same open file."""
        from ..services import EvaluationFile

        p = Path(path)
        if not p.exists():
            raise BadInput.one(str(p), "no such file")
        with EvaluationFile.open(p) as ef:
            src = cls.from_file(ef, actor=actor)
            try:
                yield src
            finally:
                src._ef = None

    @classmethod
    def from_file(cls, ef: Any, *, version: str | None = None,
                  actor: str | None = None) -> Source:
        """From an open `EvaluationFile` (the desktop application holds one): verified
        first; exports made from it are recorded through `ef` while it stays open."""
        from .. import __version__
        from ..collector import collector_paused

        with collector_paused():  # a whole file's records, made at once
            head, events = verified(ef)
            results = ef.results()
            return cls(path=Path(ef.path), doc=ef.document(), results=results,
                       audit=ef.audit_log(), conflict_dates=ef.conflict_dates(),
                       sha256=file_sha256(Path(ef.path)),
                       exported_at=dt.datetime.now().astimezone().isoformat(
                           timespec="seconds"),
                       version=version or __version__, revision=ef.revision,
                       head=head, events=events, sealed=ef.sealed(),
                       outstanding=list(results.outstanding()),
                       actor=actor or default_actor(), _ef=ef)

    def results_json(self) -> dict[str, Any]:
        if self._json is None:
            self._json = self.results.to_json()
        return self._json

    def scores_of(self, bid_id: str) -> list[dict[str, Any]]:
        """That bid's scores, in file order (indexed once: one summary per bid reads them).
        Scores read as columns are indexed by position, each bid's records made when
        asked for, so no record is held for every score."""
        scores = self.doc.get("scores", [])
        if not hasattr(scores, "bid_ids"):
            return self._of("scores", bid_id)
        if self._positions is None:
            import numpy as np

            order = np.argsort(scores.bid, kind="stable")
            cuts = np.searchsorted(scores.bid[order], np.arange(len(scores.bid_ids) + 1))
            self._positions = {b: order[cuts[k]:cuts[k + 1]]
                               for k, b in enumerate(scores.bid_ids)}
        pos = self._positions.get(bid_id)
        return [] if pos is None else [scores[k] for k in pos.tolist()]

    def consensus_of(self, bid_id: str) -> list[dict[str, Any]]:
        """That bid's consensus scores, in file order."""
        return self._of("consensus", bid_id)

    def gateways_of(self, bid_id: str) -> list[dict[str, Any]]:
        """That bid's gateway results, in file order."""
        return self._of("gateways", bid_id)

    def _of(self, key: str, bid_id: str) -> list[dict[str, Any]]:
        index = self._by_bid.get(key)
        if index is None:
            index = {}
            for r in self.doc.get(key, []):
                index.setdefault(r["bid"], []).append(r)
            self._by_bid[key] = index
        return index.get(bid_id, [])

    @property
    def ev(self) -> dict[str, Any]:
        return self.doc["evaluation"]

    @property
    def provisional(self) -> bool:
        """Whether anything a final decision needs is outstanding (the exports say DRAFT)."""
        return bool(self.outstanding)

    @property
    def stamp(self) -> str:
        """`ProcureDesk audit head <hash> events <n>`: what `verify --against` reads back."""
        from ..provenance import stamp

        return stamp(self.head, self.events)

    def supplier(self, bid_id: str) -> str:
        return next(b["supplier"] for b in self.doc["bids"] if b["id"] == bid_id)

    @contextlib.contextmanager
    def recording(self, action: str, detail: dict[str, Any]) -> Iterator[None]:
        """The export's audit event, kept only if the block (putting the finished files
        in place) succeeds; a busy or read-only evaluation file refuses before it runs.

        The event records the head and event count this reading was made from.
        """
        detail = {**detail, "head": self.head, "events": self.events}
        if self._ef is not None:
            with self._ef.recording(self.actor, action, detail):
                yield
            return
        from ..services import EvaluationFile

        if not self.path.exists():
            raise BadInput.one(str(self.path), "is gone since it was read: nothing was "
                                               "exported")
        with EvaluationFile.open(self.path) as ef:
            now, _ = ef.head()
            if now != self.head and self.head not in ef.history():
                raise BadInput.one(str(self.path), "was replaced by another evaluation "
                                                   "since it was read: export it again")
            with ef.recording(self.actor, action, detail):
                yield


def verified(ef: Any) -> tuple[str | None, int]:
    """The audit chain's head and event count, once `ef` verifies; else BadInput naming
    the first problem (nothing is exported from an altered file)."""
    return verdict_head(ef.path, ef.verify())


def verdict_head(path: Any, verdict: Any) -> tuple[str | None, int]:
    """The verdict's head and event count if the file is intact; else BadInput naming
    the first problem."""
    if not verdict.intact:
        first = verdict.problems[0] if verdict.problems else {"where": "", "message": ""}
        more = len(verdict.problems) - 1
        raise BadInput.one(
            str(path),
            f"is not intact, so nothing was exported: {first['where']}: {first['message']}"
            + (f" ({more} more problem{'s' if more != 1 else ''}: "
               f"procure-desk verify lists them)" if more > 0 else ""))
    return verdict.head, verdict.events


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_target(target: Path, force: bool, *, folder: bool = False) -> None:
    """Refuse, before any work, a target that exists (without force) or has no folder."""
    parent = target if folder else target.parent
    if folder:
        if target.exists() and not target.is_dir():
            raise BadInput.one(str(target), "is a file, not a folder")
        return
    if not parent.exists():
        raise BadInput.one(str(target), "its folder does not exist")
    if target.is_dir():
        raise BadInput.one(str(target), "is a folder, not a file")
    if target.exists() and not force:
        raise BadInput.one(str(target), "already exists (use --force to overwrite)")


@contextlib.contextmanager
def atomic_target(target: Path, force: bool) -> Iterator[Path]:
    """A temporary path beside `target`; renamed onto it only when the body succeeds
    (see `procure_desk.atomic`: a full or read-only disk is a plain `BadInput`)."""
    check_target(target, force)
    with atomic.writing(target, force=force) as tmp:
        yield tmp


@contextlib.contextmanager
def recorded_target(source: Source, target: Path, force: bool, action: str
                    ) -> Iterator[Path]:
    """A temporary path beside `target`; once the body has written it, its SHA-256 is
    recorded in the audit log (`action`) and it is renamed onto `target` inside that
    record, so the file and the event stand or fall together."""
    check_target(target, force)
    with atomic.Batch([target], force=force) as batch:
        tmp = batch.part(target)
        yield tmp
        record_and_place(source, batch, action, target.name, [target])


def record_and_place(source: Source, batch: atomic.Batch, action: str, name: str,
                     targets: Iterable[Path]) -> None:
    """Record the export of `targets` (built in `batch`) and put them in place, as one."""
    hashes = {t.name: file_sha256(batch.part(t)) for t in targets}
    if len(hashes) == 1 and name in hashes:
        detail: dict[str, Any] = {"file": name, "sha256": hashes[name]}
    else:
        detail = {"file": name, "files": hashes}
    with source.recording(action, detail):
        batch.commit()


def num(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"
