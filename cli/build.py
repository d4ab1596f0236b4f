"""`civicmap build`: the raw sources into the store and the geography files."""

from __future__ import annotations

import argparse

HELP = "build the data from the sources"


def add_args(parser: argparse.ArgumentParser) -> None:
    """No options: the build reads every source in the manifest."""


def run(args: argparse.Namespace) -> int:
    """Build and print the report."""
    from sources.build import build, format_report

    print(format_report(build()))
    return 0
