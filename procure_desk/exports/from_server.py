"""The evidence straight from an evaluation on a server (`procure-desk export URL ...`).

The exports read a verified snapshot: the server's evaluation is verified where it
is (its audit chain checked against its data, as `verify URL` does), then a `.pdesk`
snapshot is taken into a temporary folder exactly as `server fetch` takes one, and
verified again; its chain must end at the head the server verified. Every export is
made from that snapshot, so the evidence from the server is the evidence of the
snapshot, and each export is recorded in the audit log on the server (with the
SHA-256 of what it wrote, as for a file). The temporary snapshot is removed
afterwards; `server fetch` keeps one.

An evaluator sees only part of the record, and an observer writes nothing (not even
the export's audit event), so exports from a server are the chair's or the
administrator's.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import BadInput
from . import Source, verified


@contextlib.contextmanager
def open_source(url: str, *, actor: str | None = None) -> Iterator[Source]:
    """A Source read from a verified snapshot of the server evaluation at `url`; every
    export made in the block is recorded in the server's audit log."""
    from ..server.roles import of
    from ..services import EvaluationFile

    with EvaluationFile.open(url) as ef:
        role = ef.store.role
        if role == "evaluator":
            raise BadInput.one(str(ef.path), "an evaluator sees only part of the evaluation, "
                                             "so its evidence is exported by its chair")
        refused = of(ef).why_not("edit")
        if refused is not None:
            raise BadInput.one(str(ef.path), f"{refused}, so an export (which is recorded "
                                             "in its audit log) cannot be made from it: "
                                             "take a snapshot with `procure-desk server "
                                             "fetch` and export that")
        head, events = verified(ef)  # the chain on the server
        with tempfile.TemporaryDirectory(prefix="procure-desk-export-") as folder:
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(str(ef.path)).name) or "evaluation"
            snapshot = Path(folder) / f"{name}.pdesk"
            ef.save_copy(snapshot)  # what `server fetch` writes
            with EvaluationFile.open(snapshot) as local:
                src = Source.from_file(local, actor=actor)
            if (src.head, src.events) != (head, events):
                raise BadInput.one(str(ef.path), "changed while its snapshot was taken: "
                                                 "nothing was exported; export it again")
            src._ef = ef  # each export is recorded on the server
            try:
                yield src
            finally:
                src._ef = None
