"""`server init|publish|fetch|grant|blind|moderation`: team mode on a PostgreSQL server
(docs/team-mode.md). Each member connects as their own database login; no password
is kept by ProcureDesk (libpq's password file, service file or the keyring)."""

from __future__ import annotations

import argparse
from typing import Any

URL_HELP = "postgresql://host/database?evaluation=REFERENCE (or a libpq service)"


def register(sub: Any) -> None:
    s = sub.add_parser("server", help="team mode: an evaluation on a PostgreSQL server")
    server = s.add_subparsers(dest="server_command", metavar="ACTION",
                              parser_class=type(s))
    s.set_defaults(run=lambda args: _usage(s))

    p = server.add_parser("init", help="set up an evaluation's schema, roles and policies")
    p.add_argument("url", help=URL_HELP)
    p.set_defaults(run=cmd_init)

    p = server.add_parser("publish", help="put an evaluation file on the server")
    p.add_argument("file")
    p.add_argument("url", help=URL_HELP)
    p.set_defaults(run=cmd_publish)

    p = server.add_parser("fetch", help="write the server's evaluation as a .pdesk snapshot")
    p.add_argument("url", help=URL_HELP)
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(run=cmd_fetch)

    p = server.add_parser("grant", help="give a database login a role on the evaluation")
    p.add_argument("url", help=URL_HELP)
    p.add_argument("--login", required=True, metavar="NAME")
    p.add_argument("--role", required=True, choices=("chair", "evaluator", "observer"))
    p.add_argument("--evaluator", metavar="ID", help="who an evaluator's login scores as")
    p.set_defaults(run=cmd_grant)

    p = server.add_parser("blind", help="the chair: hide prices from evaluators, or not")
    p.add_argument("url", help=URL_HELP)
    p.add_argument("state", choices=("on", "off"))
    p.set_defaults(run=lambda a: _switch(a, "blind", a.state == "on"))

    p = server.add_parser("moderation", help="the chair: open moderation (evaluators then "
                                             "read each other's scores)")
    p.add_argument("url", help=URL_HELP)
    p.add_argument("state", choices=("open", "closed"))
    p.set_defaults(run=lambda a: _switch(a, "moderation", a.state == "open"))


def _usage(parser: Any) -> int:
    from .errors import BadInput

    raise BadInput.one("usage", "say what to do: server init, publish, fetch, grant, blind "
                                "or moderation")


def _actor(args: argparse.Namespace) -> str:
    from .cli import actor

    return actor(args)


def cmd_init(args: argparse.Namespace) -> int:
    from . import server

    print(f"Set up {server.init(args.url)}: now `procure-desk server publish FILE URL`")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from . import server

    print(f"Published {args.file} as {server.publish(args.file, args.url, actor=_actor(args))}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from . import server

    server.fetch(args.url, args.file, force=args.force)
    print(f"Wrote {args.file}")
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from . import server

    shown = server.grant(args.url, args.login, args.role, args.evaluator)
    as_whom = f" (scoring as {args.evaluator})" if args.evaluator else ""
    print(f"{args.login} is now {args.role}{as_whom} on {shown}")
    return 0


def _switch(args: argparse.Namespace, name: str, on: bool) -> int:
    from . import server

    server.set_switch(args.url, name, on, actor=_actor(args))
    print(f"{name}: {'on' if on else 'off'}" if name == "blind"
          else f"moderation: {'open' if on else 'closed'}")
    return 0
