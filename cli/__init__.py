"""The `civicmap` command line: what users, tests and benchmarks call.

Each command is a module with `add_args(parser)` and a short `run(args)` that calls the
library. Errors a person can act on (`civic.errors.CivicError`) are caught once, here:
the message goes to standard error and the exit code is 2.
"""

from __future__ import annotations

import argparse
import sys

from civic.errors import CivicError
from cli import (
    actions,
    build,
    coverage,
    export,
    gaps,
    geocode,
    importing,
    nearby,
    password,
    report,
    stats,
)

# name → (run function, add_args function, help)
COMMANDS = {
    "build": (build.run, build.add_args, build.HELP),
    "stats": (stats.run, stats.add_args, stats.HELP),
    "geocode": (geocode.run, geocode.add_args, geocode.HELP),
    "coverage": (coverage.run_coverage,
                 lambda p: coverage.add_coverage_args(p, ("csv", "geojson")),
                 "coverage per settlement"),
    "municipalities": (coverage.run_municipalities,
                       lambda p: coverage.add_coverage_args(p, ("csv",)),
                       "coverage per municipality"),
    "hubs": (coverage.run_hubs, coverage.add_hubs_args,
             "where NGO hubs would reach the most people; `hubs catchments`: each "
             "library's catchment"),
    "gaps": (gaps.run, gaps.add_args, gaps.HELP),
    "nearby": (nearby.run, nearby.add_args, nearby.HELP),
    "report": (report.run, report.add_args, report.HELP),
    "import": (importing.run, importing.add_args, importing.HELP),
    "hash-password": (password.run, password.add_args, password.HELP),
    "export": (export.run, export.add_args, export.HELP),
    "actions": (actions.run, actions.add_args, actions.HELP),
}


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per entry of COMMANDS."""
    p = argparse.ArgumentParser(prog="civicmap", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name, (run, add_args, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        add_args(sp)
        sp.set_defaults(func=run)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; 2 with the message on standard error when it cannot."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CivicError as exc:
        print(f"civicmap {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
