"""The evidence: an Excel pack with live formulas, a PDF report, one assessment
summary per bidder and an OCDS release, all from one reading of the file.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import BadInput

Report = Callable[[float, str], None]


def no_report(fraction: float, message: str) -> None:
    """The default `report`: nobody is watching."""


@dataclass
class Source:
    """What every export reads: the document, the engine's results and the record."""

    path: Path
    doc: dict[str, Any]
    results: Any  # engine.Results
    audit: list[Any]  # services.AuditEntry, oldest first
    conflict_dates: dict[tuple[str, str], str]
    sha256: str
    exported_at: str
    version: str
    revision: int = 0
    _json: dict[str, Any] | None = field(default=None, repr=False)
    _by_bid: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict,
                                                                repr=False)

    @classmethod
    def load(cls, path: str | Path) -> Source:
        from .. import __version__
        from ..services import EvaluationFile

        p = Path(path)
        if not p.exists():
            raise BadInput.one(str(p), "no such file")
        with EvaluationFile.open(p) as ef:
            return cls.from_file(ef, version=__version__)

    @classmethod
    def from_file(cls, ef: Any, *, version: str | None = None) -> Source:
        """From an open `EvaluationFile` (the desktop application holds one)."""
        from .. import __version__

        return cls(path=Path(ef.path), doc=ef.document(), results=ef.results(),
                   audit=list(reversed(ef.audit())), conflict_dates=ef.conflict_dates(),
                   sha256=file_sha256(Path(ef.path)),
                   exported_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                   version=version or __version__, revision=ef.revision)

    def results_json(self) -> dict[str, Any]:
        if self._json is None:
            self._json = self.results.to_json()
        return self._json

    def scores_of(self, bid_id: str) -> list[dict[str, Any]]:
        """That bid's scores, in file order (indexed once: one summary per bid reads them)."""
        return self._of("scores", bid_id)

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

    def supplier(self, bid_id: str) -> str:
        return next(b["supplier"] for b in self.doc["bids"] if b["id"] == bid_id)


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


def num(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"
