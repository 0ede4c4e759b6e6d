"""Reading an evaluation file for an export: `Source.load` (open, verify, read).

Every export starts here, so its cost is part of every export's. Measured in
process (the interpreter and its imports are the exports' too) at the large size
with a year's audit log (50,000 events) and at 500 bids x 100 criteria x 8
evaluators, against the same work done the per-record way in the same run: the
document read through SQLAlchemy's row objects, each record's and each event's
hash by the definitions (`chain._record_hash`, `chain.event_hash`) and the audit
log read again and decoded whole. The goal: at least twice as fast (a ratio of
at most 0.5). `verify` on the command line is reported too (a fresh process).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from .core import Context, Row, median, remove_outputs, run_measured
from .generate import BIDS_500, LARGE, add_audit_log, write_large_evaluation

RUNS = 3
LOAD_RATIO = 0.5


def load(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    for label, size, events in (("large, 50,000 audit events", LARGE, True),
                                ("500 x 100 x 8", BIDS_500, False)):
        pdesk = _file(ctx, label, size, events)
        rows += _load_rows(label, pdesk)
        r = run_measured(ctx.procure_desk("verify", pdesk), ctx)
        r.check(f"verify ({label})")
        rows.append(Row.info(f"verify command ({label})", r.seconds, "s"))
    return rows


def _file(ctx: Context, label: str, size: dict, events: bool) -> Path:
    name = "load-" + "".join(ch for ch in label if ch.isalnum())
    src, pdesk = ctx.workdir / f"{name}.json", ctx.workdir / f"{name}.pdesk"
    write_large_evaluation(src, seed=1, **size)
    remove_outputs(pdesk)
    run_measured(ctx.procure_desk("import-json", src, pdesk), ctx).check("import-json")
    if events:
        add_audit_log(pdesk)
    return pdesk


def _load_rows(label: str, pdesk: Path) -> list[Row]:
    from procure_desk.exports import Source

    new = median([_timed(lambda: Source.load(pdesk)) for _ in range(RUNS)])
    old = median([_timed(lambda: per_record_load(pdesk)) for _ in range(RUNS)])
    ratio = new / old if old > 0 else math.inf
    return [Row.info(f"Source.load ({label}, median of {RUNS})", new, "s"),
            Row.info(f"the per-record way ({label}, median of {RUNS})", old, "s"),
            Row.limit(f"Source.load / the per-record way ({label})", ratio, "x", LOAD_RATIO,
                      note=f"{new:.2f} s against {old:.2f} s")]


def _timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def per_record_load(pdesk: Path) -> None:
    """What `Source.load` did before reading went a column at a time (the reference)."""
    import hashlib
    import json

    from sqlmodel import Session

    from procure_desk import chain
    from procure_desk.exports import file_sha256
    from procure_desk.services import EvaluationFile
    from procure_desk.store import reading

    with EvaluationFile.open(pdesk) as ef:
        with Session(ef.store.engine) as s:
            doc = reading.read_document(s.connection().exec_driver_sql)
        sums = {k: sum(chain._record_hash(k, r) for r in doc[k]) % chain.MOD
                for k in chain.LISTS}
        current = chain.DataDigest(chain.structure_hash(doc, ef.sealed()), **sums).hex
        events = ef.store.chain_rows()
        for e in events:
            fields = [e.get("prev_hash"), *(e.get(k) for k in chain.EVENT_FIELDS),
                      e.get("data_digest") or ""]
            text = json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":"))
            if hashlib.sha256(text.encode()).hexdigest() != e["hash"]:
                raise AssertionError("the reference found the chain broken")
        if events and events[-1]["data_digest"] != current:
            raise AssertionError("the reference found the data changed")
        ef._doc = doc
        ef.results()
        list(reversed(ef.audit()))
        ef.conflict_dates()
        file_sha256(pdesk)
