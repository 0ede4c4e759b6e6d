"""The command line: the commands listed in README.md.

Exit status: 0 done, 2 bad input or usage (a clear message, nothing written:
docs/bad-input.md), 1 an internal error. Heavy libraries (Qt, openpyxl,
reportlab) are imported only by the commands that need them, so `results`
stays quick.

Commands beyond the core live in their own modules (`cli_*.py`, listed in
`build_parser`); each has `register(subparsers)` that adds its parsers with
`set_defaults(run=...)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import BadInput, Cancelled


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise BadInput.one("usage", message)


def actor(args: argparse.Namespace) -> str:
    from .services import default_actor

    return getattr(args, "actor", None) or os.environ.get("PROCURE_DESK_USER") or default_actor()


# The desktop application is handed in by the launcher (`ui.launcher`), so the
# core never imports the Qt layer: see the import contracts in pyproject.toml.
GuiLauncher = Callable[[str | None], int]
_gui_launcher: GuiLauncher | None = None


def _gui(file: str | None) -> int:
    if _gui_launcher is None:
        raise BadInput.one("gui", "the desktop application starts with `procure-desk` or "
                                  "`python main.py`, not `python -m procure_desk`")
    return int(_gui_launcher(file))


def cmd_open(args: argparse.Namespace) -> int:
    from .services import check_file, is_address

    p = args.file if is_address(args.file) else str(Path(args.file))  # a URL stays a URL
    check_file(p)  # a clear message before any window opens
    return _gui(p)


def cmd_new(args: argparse.Namespace) -> int:
    from . import templates
    from .services import EvaluationFile

    doc = templates.load(args.template)
    if args.title:
        doc["evaluation"]["title"] = args.title
    with EvaluationFile.create(args.file, doc, actor=actor(args), force=args.force,
                               action="evaluation.new", detail={"template": args.template}):
        pass
    print(f"Created {args.file} from the {args.template} template")
    return 0


def cmd_import_json(args: argparse.Namespace) -> int:
    from .services.transfer import import_file

    n = import_file(args.input, args.output, force=args.force, actor=actor(args))
    print(f"Imported {n['bids']} bids, {n['criteria']} criteria and "
          f"{n['scores']} scores into {args.output}")
    return 0


def cmd_export_json(args: argparse.Namespace) -> int:
    from .services import export_json

    export_json(args.file, args.output, force=args.force)
    print(f"Wrote {args.output}")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    # read-only: the store's sqlite3 reader, not the services' ORM (procure_desk/readers.py)
    from .readers import read, sealed_summary

    got = read(args.file)
    if args.json:
        out = sys.stdout
        for chunk in got.results().json_chunks({"sealed": sealed_summary(got.sealed)}):
            out.write(chunk)
        out.write("\n")
        return 0
    from .report_text import results_table

    sys.stdout.write(results_table(got.doc, got.results()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    for line in build_demo(Path(args.dir), force=args.force, actor=actor(args)):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="procure-desk",
                description="Evaluate supplier tenders and keep the evidence.")
    p.add_argument("--version", action="version", version=f"ProcureDesk {__version__}")
    p.add_argument("--as", dest="actor", metavar="NAME",
                   help="your name in the audit log (default: your login name)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("open", help="open the desktop application on a file")
    s.add_argument("file")
    s.set_defaults(run=cmd_open)

    s = sub.add_parser("new", help="a new evaluation from a template")
    s.add_argument("file")
    s.add_argument("--template", required=True,
                   help="buy-small, mat-60-40 or shared-service")
    s.add_argument("--title", help="the evaluation's title")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(run=cmd_new)

    s = sub.add_parser("import-json", help="build an evaluation file from interchange JSON")
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(run=cmd_import_json)

    s = sub.add_parser("export-json", help="write an evaluation file as interchange JSON")
    s.add_argument("file")
    s.add_argument("output")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(run=cmd_export_json)

    s = sub.add_parser("results", help="the results, as a table or as JSON")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="print the results JSON")
    s.set_defaults(run=cmd_results)

    s = sub.add_parser("demo", help="build the sample evaluation and its evidence in DIR")
    s.add_argument("dir")
    s.add_argument("--force", action="store_true", help="overwrite files already in DIR")
    s.set_defaults(run=cmd_demo)

    from . import cli_analysis, cli_exports, cli_governance, cli_workbooks

    for module in (cli_analysis, cli_exports, cli_workbooks, cli_governance):
        module.register(sub)
    from . import cli_server

    cli_server.register(sub)
    return p


def main(argv: Sequence[str] | None = None, gui: GuiLauncher | None = None) -> int:
    global _gui_launcher
    if gui is not None:
        _gui_launcher = gui
    args: Any = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            return _gui(None)
        return int(args.run(args))
    except BadInput as exc:
        for problem in exc.problems:
            print(f"procure-desk: {problem}", file=sys.stderr)
        return 2
    except Cancelled:
        print("procure-desk: cancelled; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("procure-desk: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback in front of a user
        if os.environ.get("PROCURE_DESK_DEBUG"):
            raise
        print(f"procure-desk: internal error: {type(exc).__name__}: {exc}\n"
              "Set PROCURE_DESK_DEBUG=1 for details.", file=sys.stderr)
        return 1
