"""A library's (or chitalishte's) profile and an NGO's hub and needs: the rules, no store.

What a library offers: a meeting room (seats), public computers and internet, exhibition
space, step-free access and opening hours in OSM `opening_hours` form (parsed by the
`opening_hours` package, with Bulgaria's public holidays). An NGO names the library or
chitalishte that presents it (`hub_id`) and its needs (`NEEDS` codes). Unknown (None or an
empty answer) is left out, never turned into "no". Proposals, moderation and imports all
pass `check_profile`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache

import opening_hours

from civic.errors import ProfileError
from civic.i18n import gettext
from civic.vocabularies import NEEDS, NGO_PROFILE_FIELDS, PROFILE_FIELDS

HUB_KINDS = ("library", "chitalishte")
BOOL_FIELDS = ("internet", "exhibition_space", "step_free")
YES = {"1", "true", "yes", "y", "да", "evet"}
NO = {"0", "false", "no", "n", "не", "hayır", "hayir"}
MAX_HOURS_TEXT = 255
COUNTRY = "BG"  # public holidays for `PH` rules


def fields_for(kind: str) -> tuple[str, ...]:
    """The profile fields an organisation of `kind` has (an NGO: hub and needs)."""
    if kind == "ngo":
        return NGO_PROFILE_FIELDS
    if kind in HUB_KINDS:
        return PROFILE_FIELDS
    raise ProfileError("unknown kind '{kind}'", kind=str(kind)[:20])


def _unknown(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _whole(value) -> int | None:
    """A whole number from an int or text ('12', '12.0' from a spreadsheet); None if not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _seats(value) -> int:
    number = _whole(value)
    if number is None or not 1 <= number <= 2000:
        raise ProfileError("the meeting room's seats must be a whole number from 1 to 2000")
    return number


def _computers(value) -> int:
    number = _whole(value)
    if number is None or not 0 <= number <= 500:
        raise ProfileError("the public computers must be a whole number from 0 to 500")
    return number


def as_bool(value) -> bool | None:
    """True/False from a bool or a yes/no word in Bulgarian, English or Turkish; else None."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in YES else False if word in NO else None


def _yes_no(value, key: str) -> bool:
    answer = as_bool(value)
    if answer is not None:
        return answer
    if key == "internet":
        raise ProfileError("public internet: answer yes or no (leave it empty if unknown)")
    if key == "exhibition_space":
        raise ProfileError("exhibition space: answer yes or no (leave it empty if unknown)")
    raise ProfileError("step-free access: answer yes or no (leave it empty if unknown)")


@lru_cache(maxsize=4096)
def _parsed(text: str) -> opening_hours.OpeningHours:
    """The parsed expression (cached: the map and the page ask again and again)."""
    return opening_hours.OpeningHours(text, country=COUNTRY, max_interval_days=366)


def _problem(exc: Exception, text: str) -> str:
    """Where the parser stopped, as the text from there on ('9-18h'): words in no language."""
    found = re.search(r"-->\s*\d+:(\d+)", str(exc))
    column = int(found.group(1)) - 1 if found else 0
    return text[column:column + 24] or text[-24:]


def check_hours(value) -> str:
    """Opening hours as stripped text valid for the OSM `opening_hours` syntax."""
    text = " ".join(str(value).split())
    if len(text) > MAX_HOURS_TEXT:
        raise ProfileError("the opening hours are longer than {limit} characters",
                           limit=MAX_HOURS_TEXT)
    try:
        _parsed(text)
    except (opening_hours.ParserError, SyntaxError, ValueError) as exc:
        raise ProfileError("the opening hours are not in the OSM opening_hours form (for "
                           "example Mo-Fr 09:00-18:00; Sa 10:00-14:00); the problem starts "
                           "at “{problem}”", problem=_problem(exc, text)) from None
    return text


def split_needs(value) -> list[str]:
    """Need codes from a list or a ';'-joined text, order kept, duplicates dropped."""
    parts = value if isinstance(value, list | tuple | set) else str(value).split(";")
    out: list[str] = []
    for part in parts:
        code = str(part).strip().lower()
        if code and code not in out:
            out.append(code)
    return out


def check_needs(value) -> list[str]:
    """Known need codes only; ProfileError naming the unknown ones."""
    codes = split_needs(value)
    unknown = [c for c in codes if c not in NEEDS]
    if unknown:
        raise ProfileError("unknown need(s): {needs}", needs=", ".join(unknown)[:200])
    return codes


def check_hub(value, hubs: Mapping[str, str] | None) -> str:
    """A hub id that names an existing active library or chitalishte (a key of `hubs`)."""
    hub = str(value).strip()
    if hub not in (hubs or {}):
        raise ProfileError("the library {hub} was not found", hub=hub[:64])
    return hub


def check_profile(values: dict, kind: str, hubs: Mapping[str, str] | None = None) -> dict:
    """Proposed profile values for an organisation of `kind`, cleaned and typed.

    Only the fields of that kind are kept (other keys are ignored), unknown answers are
    dropped; a value for the other kind's fields, a bad value or nothing left raises
    ProfileError. `hubs` maps the ids of active libraries and chitalishta to their kind.
    """
    own = fields_for(kind)
    other = [k for k in (*PROFILE_FIELDS, *NGO_PROFILE_FIELDS)
             if k not in own and k in values and not _unknown(values[k])]
    if other:
        raise ProfileError("{fields} cannot be set for this kind of organisation",
                           fields=", ".join(other))
    out: dict = {}
    for key in own:
        value = values.get(key)
        if _unknown(value):
            continue
        if key == "seats":
            out[key] = _seats(value)
        elif key == "computers":
            out[key] = _computers(value)
        elif key in BOOL_FIELDS:
            out[key] = _yes_no(value, key)
        elif key == "opening_hours":
            out[key] = check_hours(value)
        elif key == "needs":
            out[key] = check_needs(value)
        elif key == "hub_id":
            out[key] = check_hub(value, hubs)
    if out.get("needs") == []:  # only separators: unknown
        del out["needs"]
    if not out:
        raise ProfileError("nothing to change")
    return out


def _valid(text: str | None) -> opening_hours.OpeningHours | None:
    if not text or not str(text).strip():
        return None
    try:
        return _parsed(" ".join(str(text).split()))
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None


def open_state(text: str | None, when: datetime) -> str:
    """'open', 'closed' or 'unknown' at `when` (naive local time, Europe/Sofia).

    No hours, hours that do not parse, or a rule that says unknown: 'unknown'.
    """
    hours = _valid(text)
    if hours is None:
        return "unknown"
    try:
        state = hours.state(when)[0]
    except (ValueError, OverflowError):
        return "unknown"
    return {opening_hours.State.OPEN: "open",
            opening_hours.State.CLOSED: "closed"}.get(state, "unknown")


def next_change(text: str | None, when: datetime) -> datetime | None:
    """When the state at `when` next changes (naive local time), or None (never, unknown)."""
    hours = _valid(text)
    if hours is None:
        return None
    try:
        change = hours.next_change(when)
    except (ValueError, OverflowError):
        return None
    return change.replace(tzinfo=None) if change is not None else None


def need_title(code: str, lang: str) -> str:
    """A need code in words in `lang` ('project_writing' -> 'Project writing')."""
    return gettext(NEEDS.get(code, code), lang)
