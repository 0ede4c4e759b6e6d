"""`procure-desk export FILE [--xlsx OUT] [--pdf OUT] [--summaries DIR [--draft]]
[--ocds OUT [--ocid-prefix P] [--publish-bid-values]]`.

The file is verified first: an altered file is refused (exit 2) before anything is
written. Each export is recorded in the file's audit log by `--as NAME` (or
PROCURE_DESK_USER, or the login name); see docs/evidence.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import BadInput, Problem


def register(sub: Any) -> None:
    s = sub.add_parser("export", help="write the evidence: Excel pack, PDF report, "
                                      "assessment summaries, OCDS release")
    s.add_argument("file", help="the evaluation file, or a server address (exported from a "
                                "verified snapshot and recorded on the server)")
    s.add_argument("--xlsx", metavar="OUT", help="the Excel evidence pack (live formulas)")
    s.add_argument("--pdf", metavar="OUT", help="the PDF evaluation report")
    s.add_argument("--summaries", metavar="DIR",
                   help="one assessment summary PDF per assessed tender (a notice for "
                        "each excluded one), into DIR")
    s.add_argument("--draft", action="store_true",
                   help="write the summaries even though results are provisional or "
                        "feedback or award details are missing, marked DRAFT on every page")
    s.add_argument("--ocds", metavar="OUT", help="an OCDS 1.1 release (JSON) for the award")
    s.add_argument("--ocid-prefix", metavar="PREFIX",
                   help="the OCDS prefix registered to the council (ocds- and six "
                        "characters), if the evaluation does not hold one")
    s.add_argument("--publish-bid-values", action="store_true",
                   help="include each tender's value in the OCDS release (left out "
                        "unless asked: bid values are commercially sensitive)")
    s.add_argument("--force", action="store_true", help="overwrite existing files")
    s.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    if not (args.xlsx or args.pdf or args.summaries or args.ocds):
        raise BadInput.one("usage", "say what to export: --xlsx OUT, --pdf OUT, "
                                    "--summaries DIR and/or --ocds OUT")
    from .cli import actor

    if args.draft and not args.summaries:
        raise BadInput.one("usage", "--draft applies to --summaries DIR")
    if (args.ocid_prefix or args.publish_bid_values) and not args.ocds:
        raise BadInput.one("usage", "--ocid-prefix and --publish-bid-values apply to "
                                    "--ocds OUT")
    from .services import is_address

    file = args.file if is_address(args.file) else Path(args.file)  # a server: docs/team-mode.md
    for line in export_all(file, xlsx=args.xlsx, pdf=args.pdf,
                           summaries=args.summaries, ocds=args.ocds, force=args.force,
                           actor=actor(args), draft=args.draft,
                           ocid_prefix=args.ocid_prefix,
                           publish_bid_values=args.publish_bid_values):
        print(line)
    return 0


def export_all(file: Path | str, *, xlsx: str | Path | None = None, pdf: str | Path | None = None,
               summaries: str | Path | None = None, ocds: str | Path | None = None,
               force: bool = False, actor: str | None = None, draft: bool = False,
               ocid_prefix: str | None = None,
               publish_bid_values: bool = False) -> Iterator[str]:
    """Every export asked for, each checked before any is written (the summaries' final
    check and disclosure scan, the OCDS prefix), all from one verified reading of the
    file and each recorded in its audit log as it is put in place."""
    from .exports import check_target

    check_suffixes(xlsx=xlsx, pdf=pdf, ocds=ocds)
    outs = [Path(p) for p in (xlsx, pdf, ocds) if p]
    for p in outs:
        check_target(p, force)
    if summaries:
        check_target(Path(summaries), force, folder=True)
    with _source(file, actor) as src:
        plan = None
        if summaries:
            from .exports.summary_plan import prepare

            plan = prepare(src, draft=draft)
        if ocds:
            from .exports.ocds import resolve_prefix

            prefix = resolve_prefix(src, ocid_prefix)
        marked = " (DRAFT: the results are provisional)" if src.provisional else ""
        if xlsx:
            from .exports.xlsx_pack import write_xlsx

            yield f"Wrote {write_xlsx(src, xlsx, force=force)}{marked}"
        if pdf:
            from .exports.pdf_report import write_pdf

            yield f"Wrote {write_pdf(src, pdf, force=force)}{marked}"
        if summaries:
            from .exports.summaries import write_summaries

            written = write_summaries(src, summaries, force=force, draft=draft, plan=plan,
                                      workers=os.cpu_count() or 1)
            assert plan is not None
            notices = sum(x.kind == "notice" for x in plan.letters)
            what = (f"{len(written) - notices} assessment summaries"
                    + (f" and {notices} notices of exclusion" if notices else ""))
            yield (f"Wrote {what} into {summaries}"
                   + (" (DRAFT, not to be sent: what is missing follows)"
                      if not plan.complete else ""))
            for gap in plan.missing:
                yield f"  missing: {gap}"
        if ocds:
            from .exports.ocds import write_ocds

            out = write_ocds(src, ocds, force=force, ocid_prefix=prefix,
                             publish_bid_values=publish_bid_values)
            yield f"Wrote {out}{marked}"
        yield f"Each export records {src.stamp}"


def _source(file: Path | str, actor: str | None) -> Any:
    """The verified reading every export is made from: a file's, or a server
    evaluation's snapshot (procure_desk.exports.from_server)."""
    from .exports import Source
    from .services import is_address

    if isinstance(file, str) and is_address(file):
        from .exports.from_server import open_source

        return open_source(file, actor=actor)
    return contextlib.nullcontext(Source.load(file, actor=actor))


SUFFIXES = {"xlsx": (".xlsx", "an Excel workbook"), "pdf": (".pdf", "a PDF report"),
            "ocds": (".json", "an OCDS release in JSON")}


def check_suffixes(**targets: str | Path | None) -> None:
    """Refuse an output named for another kind of file (`--xlsx pack.pdf`): a file that
    opens in the wrong program, or not at all, is worse than no file."""
    problems = []
    for option, target in targets.items():
        if not target:
            continue
        suffix, what = SUFFIXES[option]
        if Path(target).suffix.lower() != suffix:
            problems.append(Problem(str(target), f"--{option} writes {what}, so the name "
                                                 f"must end in {suffix}"))
    if problems:
        raise BadInput(problems)


def demo_step(folder: Path, pdesk: Path, force: bool) -> Iterator[str]:
    """The demo's evidence: all four exports beside the demo file."""
    yield from export_all(pdesk, xlsx=folder / "evidence-pack.xlsx",
                          pdf=folder / "evaluation-report.pdf",
                          summaries=folder / "assessment-summaries",
                          ocds=folder / "ocds-release.json", force=force, actor="demo")
