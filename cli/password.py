"""`civicmap hash-password`: a moderator password hash for CIVICMAP_MODERATORS."""

from __future__ import annotations

import argparse
import getpass
import sys

from civic.errors import UsageError

HELP = "hash a moderator password (read from stdin)"


def add_args(parser: argparse.ArgumentParser) -> None:
    """No options: the password is read from standard input or the terminal."""


def run(args: argparse.Namespace) -> int:
    """Print the hash of the password read."""
    from intake.moderation import hash_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else \
        getpass.getpass("password: ")
    if len(password) < 10:
        raise UsageError("use at least 10 characters")
    print(hash_password(password))
    return 0
