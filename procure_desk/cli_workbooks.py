"""Commands for workbooks: the bid template, bid imports and offline scoring sheets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_bid_template(args: argparse.Namespace) -> int:
    from .workbooks.bid_template import write_bid_template

    doc = None
    if args.for_file:
        from .services import EvaluationFile

        with EvaluationFile.open(args.for_file) as ef:
            doc = ef.document()
    out = write_bid_template(Path(args.output), doc=doc, force=args.force)
    print(f"Wrote {out}")
    return 0


def cmd_import_bids(args: argparse.Namespace) -> int:
    from .cli import actor
    from .services import EvaluationFile
    from .wording import plural
    from .workbooks.bid_import import import_bids

    with EvaluationFile.open(args.file) as ef:
        plan, _ = import_bids(ef, actor(args), args.workbooks, replace=args.replace)
        names = {b["id"]: b["supplier"] for b in ef.document()["bids"]}
    for pb in plan.added:
        print(f"Added {pb.record['supplier']} from {pb.source}")
    for bid, pb in plan.replaced:
        print(f"Replaced {bid} {names.get(bid, '')} from {pb.source} (scores kept)")
    print(f"Imported {plural(len(plan.added) + len(plan.replaced), 'workbook')} into "
          f"{args.file}: {plan.summary()}")
    return 0


def cmd_scoring_sheets(args: argparse.Namespace) -> int:
    from .cli import actor
    from .services import EvaluationFile
    from .wording import plural
    from .workbooks.scoring_sheets import write_scoring_sheets
    from .workbooks.sheet_part import PartChoice, split_ids

    part = PartChoice(split_ids(args.evaluator), split_ids(args.criteria),
                      split_ids(args.bids))
    with EvaluationFile.open(args.file) as ef:
        written = write_scoring_sheets(ef, Path(args.dir), actor=actor(args),
                                       force=args.force, part=part)
    for path, ev in written:
        print(f"Wrote {path} for {ev['name']}")
    if len(written) > 1:
        print(f"Wrote {plural(len(written), 'scoring sheet')} in {args.dir}")
    return 0


def cmd_import_scores(args: argparse.Namespace) -> int:
    """A preview by default; --yes applies. Scores changed in the evaluation since a sheet
    was exported are kept unless --overwrite-newer."""
    from .cli import actor
    from .services import EvaluationFile
    from .wording import plural, these
    from .workbooks.scoring_sheets import (
        apply_score_changes,
        describe_changes,
        describe_conflicts,
        read_sheets,
    )

    with EvaluationFile.open(args.file) as ef:
        reads = read_sheets(ef, args.workbooks)
        conflicts = [c for r in reads for c in r.conflicts]
        changes = [c for r in reads for c in r.changes]
        if args.overwrite_newer:
            changes += conflicts
        doc = ef.document()
        for line in describe_changes(doc, changes):
            print(line)
        kept = []
        if conflicts and not args.overwrite_newer:
            kept = describe_conflicts(doc, conflicts)
            for line in kept:
                print(line)
            n = len(conflicts)
            print(f"Not applied: {plural(n, 'conflict')}; the evaluation keeps its newer "
                  f"{'score' if n == 1 else 'scores'}. Run again with --overwrite-newer to use "
                  "the sheets' values instead.")
        signed = [r.evaluator for r in reads if r.submit]
        for eid in signed:
            print(f"{eid} signed off in the sheet: their scores will be submitted and locked")
        if not changes and not signed:
            print("Nothing was changed." if kept else "Nothing to change.")
            return 0
        if not args.yes:
            flags = "--yes --overwrite-newer" if args.overwrite_newer and conflicts else "--yes"
            print(f"Nothing was changed: this was a preview. Run again with {flags} to apply "
                  f"{these(len(changes), 'change')}.")
            return 0
        apply_score_changes(ef, actor(args), changes, submit=signed)
    print(f"Applied {plural(len(changes), 'score change')} to {args.file}"
          + (f" and submitted {', '.join(signed)}" if signed else ""))
    return 0


def cmd_import_feedback(args: argparse.Namespace) -> int:
    from .cli import actor
    from .services import EvaluationFile
    from .wording import plural
    from .workbooks.feedback_import import import_feedback

    with EvaluationFile.open(args.file) as ef:
        got = import_feedback(ef, actor(args), args.sheet)
    print(f"Imported feedback for the bidders from {Path(args.sheet).name} into {args.file}: "
          f"{plural(got.added, 'text')} added, {got.changed} changed, "
          f"{got.unchanged} unchanged")
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("bid-template", help="write the bid response workbook for suppliers")
    s.add_argument("output", help="the .xlsx file to write")
    s.add_argument("--for", dest="for_file", metavar="FILE",
                   help="tailor the declarations to this evaluation's gateways")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(run=cmd_bid_template)

    s = sub.add_parser("import-bids", help="add supplier bid workbooks to an evaluation")
    s.add_argument("file")
    s.add_argument("workbooks", nargs="+", metavar="WORKBOOK")
    s.add_argument("--replace", action="store_true",
                   help="replace the details and costs of suppliers already in the "
                        "evaluation (their scores are kept)")
    s.set_defaults(run=cmd_import_bids)

    s = sub.add_parser("scoring-sheets", help="one offline scoring workbook per evaluator")
    s.add_argument("file")
    s.add_argument("dir")
    s.add_argument("--force", action="store_true", help="overwrite files already in DIR")
    s.add_argument("--evaluator", action="append", metavar="ID",
                   help="a sheet for this evaluator only (repeat, or E1,E2; default: "
                        "every evaluator)")
    s.add_argument("--criteria", metavar="ID[,ID...]",
                   help="only these scored criteria; a section means every scored "
                        "criterion under it (default: every scored criterion)")
    s.add_argument("--bids", metavar="ID[,ID...]",
                   help="only these bids; FIRST-LAST for a run of bids in the "
                        "evaluation's order (default: every bid)")
    s.set_defaults(run=cmd_scoring_sheets)

    s = sub.add_parser("import-feedback",
                       help="read the feedback for the bidders from a spreadsheet (.xlsx "
                            "or .csv: columns bid, criterion, feedback)")
    s.add_argument("file")
    s.add_argument("sheet", metavar="WORKBOOK", help="an .xlsx workbook or a .csv file")
    s.set_defaults(run=cmd_import_feedback)

    s = sub.add_parser("import-scores", help="read evaluators' scoring workbooks back")
    s.add_argument("file")
    s.add_argument("workbooks", nargs="+", metavar="WORKBOOK")
    s.add_argument("--yes", action="store_true",
                   help="apply the changes (without it: a preview that writes nothing)")
    s.add_argument("--overwrite-newer", action="store_true",
                   help="also apply scores changed in the evaluation since a sheet was "
                        "exported (without it: those keep their newer values)")
    s.set_defaults(run=cmd_import_scores)
