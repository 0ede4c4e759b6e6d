"""The demo's workbooks: the bid template, the sample bids checked, the scoring sheets.

The demo evaluation's bids come from the sample tender's JSON; the sample bid
workbooks in sample_bids/ are the same bids as suppliers would return them.
This step reads every one of them through the same checks as `import-bids`
and confirms they match the evaluation's suppliers and costs (so the demo
shows the import path without changing the evaluation), then writes the blank
template tailored to the tender and one scoring sheet per evaluator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import atomic
from ..errors import BadInput, Problem
from ..paths import SAMPLE_BIDS
from ..wording import plural


def sample_workbooks() -> list[Path]:
    """The sample bid workbooks, in bid order (B1, B2, ... B10)."""
    def order(p: Path) -> tuple[int, str]:
        head = p.name.split("-")[0][1:]
        return (int(head) if head.isdigit() else 10**6, p.name)

    return sorted(SAMPLE_BIDS.glob("B*.xlsx"), key=order)


def workbooks_step(folder: Path, pdesk: Path, force: bool) -> Iterator[str]:
    from ..services import EvaluationFile
    from .bid_import import plan_import
    from .bid_template import write_bid_template
    from .scoring_sheets import write_scoring_sheets

    books = sample_workbooks()
    with EvaluationFile.open(pdesk) as ef:
        doc = ef.document()
        plan = plan_import(doc, books)
        by_id = {b["id"]: b for b in doc["bids"]}
        problems = [Problem(pb.source, "is a new supplier, not one of the sample tender's bids")
                    for pb in plan.added]
        for bid, pb in plan.replaced:
            if pb.record["costs"] != by_id[bid]["costs"]:
                problems.append(Problem(pb.source, f"its costs differ from bid {bid} in the "
                                                   "sample tender (run sample_bids/"
                                                   "make_workbooks.py)"))
        if problems:
            raise BadInput(problems)
        yield (f"Checked {plural(len(books), 'sample bid workbook')}: same suppliers and costs "
               "as the bids")
        bids_dir = folder / "bid-workbooks"
        atomic.make_folder(bids_dir)
        for book in books:
            atomic.copy_file(book, bids_dir / book.name, force=force)
        template = write_bid_template(folder / "bid-template.xlsx", doc=doc, force=force)
        yield f"Wrote {template} and copied the sample bids to {bids_dir}"
        written = write_scoring_sheets(ef, folder / "scoring-sheets", actor="demo",
                                       force=force)
    yield f"Wrote {plural(len(written), 'scoring sheet')} to {folder / 'scoring-sheets'}"
