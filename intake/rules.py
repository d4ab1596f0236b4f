"""Rules shared by imports and proposals, defined once.

Field lengths, e-mail, URL, UIC, formula-looking cells and placeholder cells. Each check
returns a `RowProblem` (a translatable message with its values) or None.
"""

from __future__ import annotations

import re

from civic.errors import CivicError

# The longest value accepted per field, in characters; any other cell: OTHER_MAX.
MAX_LENGTH = {"name": 300, "address": 300, "website": 500, "source_url": 500, "email": 254,
              "phone": 200, "settlement": 100, "municipality": 100, "province": 100,
              "legal_form": 100, "fields": 500, "uic": 50, "ekatte": 5, "lon": 30, "lat": 30,
              "status": 50, "register_number": 50}
OTHER_MAX = 1000
EMAIL = re.compile(r"^[^@\s;,<>\"']+@[^@\s;,<>\"']+\.[^@\s;,<>\"']+$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.I)
UIC = re.compile(r"^(\d{9}|\d{13})$")
FORMULA_START = ("=", "+", "-", "@")
PHONE_LIKE = re.compile(r"^\+?[\d\s()/;,-]+$")
# Cells that mean "nothing here" in registers and spreadsheets.
PLACEHOLDERS = {"-", "--", "---", "—", "–", "n/a", "няма", "не", "липсва", "х", "x"}
# "-0884 177 942", "- п.к. 6470": a list dash before plain text, not a formula.
LIST_DASH = re.compile(r"^[-–—]\s*([\w.,;:/ \-–№\"„“]+)$")


class RowProblem(CivicError):
    """Why one row or one proposed value cannot be accepted (translatable)."""


def plain(value: str) -> str:
    """A cell without a leading list dash when the rest is plain text (no formula)."""
    found = LIST_DASH.match(value)
    return found.group(1).strip() if found else value


def placeholder(value: str) -> bool:
    """True for a cell that only says 'nothing here' ('-', '—', 'няма')."""
    return value.strip().lower() in PLACEHOLDERS


def too_long(values: dict) -> RowProblem | None:
    """The first value longer than its field's limit, as a problem naming the limit."""
    for key, value in values.items():
        limit = MAX_LENGTH.get(key, OTHER_MAX)
        if isinstance(value, str) and len(value) > limit:
            return RowProblem("{field} is {n} characters long; the limit is {limit}",
                              field=key, n=len(value), limit=limit)
    return None


def emails(text: str) -> list[str] | None:
    """The `;`-separated e-mail addresses, or None when any is malformed."""
    found = [e for e in re.split(r"[;,\s]+", text or "") if e]
    return found if all(EMAIL.match(e) for e in found) else None


def valid_url(text: str) -> bool:
    """True for an http(s) link with a host."""
    return bool(URL.match(text or ""))


def formula_cells(values: dict, skip: tuple[str, ...] = ("row", "lon", "lat")) -> list[str]:
    """Fields whose text starts like a spreadsheet formula (a phone number is fine)."""
    bad = []
    for key, value in values.items():
        if key in skip or not isinstance(value, str) or not value.startswith(FORMULA_START):
            continue
        if key == "phone" and PHONE_LIKE.match(value):
            continue  # "+359 88..." is a phone number, not a formula
        bad.append(key)
    return bad
