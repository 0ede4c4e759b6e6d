"""`status`, `submit`, `verify` and `seal`: the evaluation's life and its record
(docs/governance.md, docs/audit-chain.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .errors import BadInput

NOT_INTACT = 3  # `verify`: the file was altered outside ProcureDesk


def register(sub: Any) -> None:
    s = sub.add_parser("status", help="the stage, what is outstanding, who has submitted, "
                                      "the audit chain and the seal")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="print the status as JSON")
    s.set_defaults(run=cmd_status)

    s = sub.add_parser("submit", help="an evaluator signs off their scores (locks them)")
    s.add_argument("file")
    s.add_argument("--evaluator", required=True, metavar="ID")
    s.add_argument("--withdraw", action="store_true", help="unlock them again")
    s.add_argument("--reason", help="why the submission is withdrawn (required with "
                                    "--withdraw)")
    s.set_defaults(run=cmd_submit)

    s = sub.add_parser("verify", help="check the audit chain and that nothing was altered")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.add_argument("--against", nargs="+", metavar="EXPORT", default=[],
                   help="also check that the file's history holds the head these exports "
                        "were made from")
    s.set_defaults(run=cmd_verify)

    s = sub.add_parser("seal", help="seal the record after award: no change afterwards")
    s.add_argument("file")
    s.add_argument("--reason", default="", help="why (e.g. the award decision's reference)")
    s.set_defaults(run=cmd_seal)


def _actor(args: argparse.Namespace) -> str:
    from .cli import actor

    return actor(args)


def cmd_submit(args: argparse.Namespace) -> int:
    from .services import EvaluationFile

    with EvaluationFile.open(args.file) as ef:
        if args.withdraw:
            if not args.reason:
                raise BadInput.one("usage", "--withdraw needs --reason TEXT")
            ef.withdraw_submission(_actor(args), args.evaluator, args.reason)
            print(f"Withdrew {args.evaluator}'s submission; their scores can change again")
        else:
            if args.reason:
                raise BadInput.one("usage", "--reason goes with --withdraw")
            when = ef.submit(_actor(args), args.evaluator)
            print(f"{args.evaluator} submitted their scores at {when}; they are now locked")
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from .services import EvaluationFile

    with EvaluationFile.open(args.file) as ef:
        sealed = ef.seal(_actor(args), args.reason)
    print(f"Sealed by {sealed['by']} at {sealed['at']}; no change can be made to "
          f"{args.file} now")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .provenance import read_stamps
    from .services import EvaluationFile

    stamps = {p: read_stamps(p) for p in args.against}  # unreadable exports: exit 2 first
    with EvaluationFile.open(args.file) as ef:
        verdict = ef.verify()
        sealed = ef.sealed()
        hashes = ef.history() if stamps else set()
    for path, found in stamps.items():
        for head, events in found:
            if head not in hashes:
                verdict.problems.append({
                    "where": str(path),
                    "message": f"was made from audit head {head[:12]}... ({events} events), "
                               "which this file's history does not hold"})
    verdict.intact = not verdict.problems
    if args.json:
        sys.stdout.write(json.dumps(verdict.to_json(sealed), ensure_ascii=False) + "\n")
    elif verdict.intact:
        print(f"Intact: {verdict.events} audit events, head {verdict.head}"
              + (f"; sealed by {sealed['by']} at {sealed['at']}" if sealed else ""))
        for path in stamps:
            print(f"{path}: made from this file's history")
    else:
        for p in verdict.problems:
            print(f"NOT INTACT: {p['where']}: {p['message']}")
    return 0 if verdict.intact else NOT_INTACT


def cmd_status(args: argparse.Namespace) -> int:
    from .services import EvaluationFile
    from .status import status_of, status_text

    with EvaluationFile.open(args.file) as ef:
        data = status_of(ef)
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(status_text(data))
    return 0
