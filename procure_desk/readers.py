"""Read-only use cases over an evaluation file: its results and its analysis.

`results` and `analyse` change nothing, so they read the file through the
store's sqlite3 reader (`store.raw`) instead of opening it through the services
(`EvaluationFile`, built on the ORM): the same checks on the file, the same
document and the same engine, without the ORM's start-up, and with the scores
read as columns rather than a record each (docs/results.md: the figures are
those `EvaluationFile.results()` gives; tests/test_raw_reader.py holds them
equal). A server evaluation is read the same way with psycopg alone
(`store.raw_server`, as the address's login, so row-level security gives an
evaluator what the services would; tests/test_server_raw_reader.py holds them equal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import chain
from .collector import collector_paused
from .engine import Results, Snapshot, compute
from .store import raw, raw_server
from .store.address import is_address

Record = dict[str, Any]


@dataclass
class ReadOnly:
    """What a read-only command needs of one file, read once."""

    doc: Record  # `scores` holds an `engine.ScoreColumns`, not a record per score
    sealed: Record | None
    snap: Snapshot
    computed: Results

    # the reads `analysis.analyse` takes from its source, as on an EvaluationFile
    def document(self) -> Record:
        return self.doc

    def snapshot(self) -> Snapshot:
        return self.snap

    def results(self) -> Results:
        return self.computed


def read(path: str | Path) -> ReadOnly:
    """The file's document, seal, engine arrays and results (refused, with one plain
    sentence, when the file is not an evaluation this version can read); a server
    evaluation's address is read with psycopg alone in the same way, as the login the
    address names (docs/team-mode.md), and through the services where they must say
    why it cannot be read (`store.raw_server`)."""
    if is_address(path):
        got = raw_server.read_for_results(str(path))
        if got is None:
            return _from_server(str(path))
        doc, sealed = got
    else:
        with collector_paused():  # a whole file's records, made at once
            doc, sealed = raw.read_for_results(path)
    with collector_paused():
        snap = Snapshot.from_doc(doc)
        computed = compute(snap)
    return ReadOnly(doc=doc, sealed=json.loads(sealed) if sealed else None, snap=snap,
                    computed=computed)


def verify(path: str | Path) -> chain.Verdict:
    """`EvaluationFile.verify`'s verdict on a file, read with sqlite3 a chunk of records
    at a time (`raw.check_chain`: a fraction of the memory, no ORM); a server evaluation
    through the services, as its login is allowed to."""
    if is_address(path):
        from .services import EvaluationFile

        with EvaluationFile.open(str(path)) as ef:
            return ef.verify()
    return raw.check_chain(path)


@dataclass
class Verified:
    """What an export needs of one file, read once with sqlite3 and checked as
    `EvaluationFile.verify` checks it: the document (scores as columns, with their
    comments), the seal, the engine's results, the verdict and the audit events."""

    doc: Record
    sealed: Record | None
    snap: Snapshot
    computed: Results
    verdict: chain.Verdict
    events: list[Record]
    conflict_dates: dict[tuple[str, str], str]


def read_verified(path: str | Path) -> Verified:
    """A file's document and results, with the audit chain and the data digest checked
    (the verdict says whether it is intact; the caller decides what an altered file
    means). The same verdict as `EvaluationFile.verify` (tests/test_raw_reader.py), in
    a fraction of its memory: no record per score, no ORM."""
    with collector_paused():  # a whole file's records, made at once
        got = raw.read_for_export(path)
        sealed = json.loads(got.sealed) if got.sealed else None
        verdict = chain.check(got.events, chain.digest(got.doc, sealed).hex)
        snap = Snapshot.from_doc(got.doc)
        computed = compute(snap)
    return Verified(doc=got.doc, sealed=sealed, snap=snap, computed=computed,
                    verdict=verdict, events=got.events, conflict_dates=got.conflict_dates)


def _from_server(address: str) -> ReadOnly:
    """Through the services: they refuse in their own words, or migrate an older format."""
    from .services import EvaluationFile

    with EvaluationFile.open(address) as ef:
        return ReadOnly(doc=ef.document(), sealed=ef.sealed(), snap=ef.snapshot(),
                        computed=ef.results())


def sealed_summary(sealed: Record | None) -> Record | None:
    """The seal as `results --json` shows it."""
    return None if sealed is None else {k: sealed[k] for k in ("at", "by", "head")}
