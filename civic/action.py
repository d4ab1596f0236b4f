"""The one Action record: a civic action (exhibition, Volunteer Day, training …) and its times.

Every door an action comes in by (a proposal, a moderator's edit, a file import) builds an
`Action`, and building it checks it: vocabularies, times in Europe/Sofia, the recurrence
rule, the point, the numbers. What needs the store (does the host exist, which settlement
is it) is checked in `intake.actions`, which then builds this record. `row()` gives what the
store writes (`store.schema.actions` has the same columns). Never a person's name: the
contact is the organisation's public phone or e-mail, and joining stores only a count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from civic.errors import ActionError
from civic.facts import in_bulgaria
from civic.vocabularies import ACTION_STATUSES, ACTION_TYPES, CAUSES

ZONE = ZoneInfo("Europe/Sofia")
TIME_FORMAT = "%Y-%m-%dT%H:%M"  # how the store keeps local times (Europe/Sofia, no offset)
MAX_AHEAD_DAYS = 2 * 366  # an action may start at most about 2 years ahead
MAX_OCCURRENCES = 500
MAX_LENGTH = {"title": 200, "description": 3000, "address": 300, "skills": 500,
              "items": 500, "contact_phone": 100, "contact_email": 254, "url": 500,
              "rrule": 300, "partner_ids": 700, "cancel_reason": 1000}


@dataclass
class Action:
    """One civic action: what, when (local time), where, who hosts it, what it needs."""

    id: str
    title: str
    cause: str
    type: str  # exhibition | volunteer_action | training | public_meeting | campaign
    start: str  # local time, Europe/Sofia, TIME_FORMAT
    end: str
    host_id: str  # an organisation or library in the store
    source: str  # proposal | import
    description: str | None = None
    rrule: str | None = None  # RFC 5545 RRULE (without 'RRULE:'), with COUNT or UNTIL
    online: bool = False
    ekatte: str | None = None
    settlement: str | None = None
    municipality_code: str | None = None
    province_code: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    partner_ids: str | None = None  # ';'-separated organisation ids
    volunteers_needed: int | None = None
    skills: str | None = None
    items: str | None = None
    contact_phone: str | None = None  # the organisation's public contact, never a person
    contact_email: str | None = None
    url: str | None = None
    status: str = "published"  # proposed | published | cancelled (past is computed)
    cancel_reason: str | None = None
    joined: int = 0  # how many said "I'll join": a count, no names
    last_end: str | None = None  # when the last occurrence ends (filled from the rule)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        """Check the record as a whole; fill `last_end` from the times and the rule."""
        check_text(self.row())
        if not (self.title or "").strip():
            raise ActionError("the action needs a title")
        if self.cause not in CAUSES:
            raise ActionError("unknown cause '{cause}'", cause=self.cause)
        if self.type not in ACTION_TYPES:
            raise ActionError("unknown type of action '{type}'", type=self.type)
        if self.status not in ACTION_STATUSES:
            raise ActionError("unknown status '{status}'", status=self.status)
        if not self.online and not self.ekatte:
            raise ActionError("give the settlement, or mark the action as online")
        if (self.lon is None) != (self.lat is None):
            raise ActionError("a point needs both longitude and latitude")
        if self.lon is not None and not in_bulgaria(float(self.lon), float(self.lat)):
            raise ActionError("the point is outside Bulgaria")
        if self.volunteers_needed is not None and not 0 < int(self.volunteers_needed) <= 10000:
            raise ActionError("volunteers needed must be a whole number from 1 to 10000")
        start, end = parse_time(self.start), parse_time(self.end)
        self.start, self.end = start.strftime(TIME_FORMAT), end.strftime(TIME_FORMAT)
        if end <= start:
            raise ActionError("the action ends before it starts")
        self.last_end = last_end(start, end, self.rrule).strftime(TIME_FORMAT)

    def row(self) -> dict:
        """The record as the store's row (column → value)."""
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping) -> Action:
        """A record from a store row or a dict with extra keys (those are ignored)."""
        return cls(**{c: _plain(row[c]) for c in ACTION_COLUMNS if c in row})


ACTION_COLUMNS = tuple(f.name for f in fields(Action))


def _plain(value):
    """NaN and pandas' missing values as None (store rows read through pandas)."""
    try:
        return None if value != value else value  # NaN is the one value unequal to itself
    except (TypeError, ValueError):
        return value


def check_text(values: Mapping) -> None:
    """Refuse over-long text (markup is kept verbatim and escaped wherever it is shown)."""
    for key, limit in MAX_LENGTH.items():
        value = values.get(key)
        if isinstance(value, str) and len(value) > limit:
            raise ActionError("{field} is {n} characters long; the limit is {limit}",
                              field=key, n=len(value), limit=limit)


def now_local() -> datetime:
    """The current local time in Sofia, without an offset (as the store keeps times)."""
    return datetime.now(ZONE).replace(tzinfo=None, second=0, microsecond=0)


def parse_time(value: str | datetime) -> datetime:
    """A local time from '2026-12-05T10:00', '2026-12-05 10:00' or a datetime (no offset)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        raise ActionError("'{value}' is not a date and time (use 2026-12-05 10:00)",
                          value=str(value)[:40]) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(ZONE).replace(tzinfo=None)
    return parsed.replace(second=0, microsecond=0)


def _rule(start: datetime, rrule: str):
    """The dateutil rule of an RRULE text, starting at `start`; ActionError when unusable."""
    text = rrule.strip().removeprefix("RRULE:")
    if "COUNT=" not in text.upper() and "UNTIL=" not in text.upper():
        raise ActionError("a recurring action needs an end: COUNT or UNTIL in the rule")
    try:
        return rrulestr(text, dtstart=start, ignoretz=True)
    except (ValueError, TypeError):
        raise ActionError("the recurrence rule '{rule}' is not valid RFC 5545",
                          rule=text[:80]) from None


def last_end(start: datetime, end: datetime, rrule: str | None) -> datetime:
    """When the last occurrence ends; ActionError past 500 occurrences."""
    if not rrule:
        return end
    starts = []
    for n, when in enumerate(_rule(start, rrule)):
        if n >= MAX_OCCURRENCES:
            raise ActionError("the rule makes more than {n} occurrences", n=MAX_OCCURRENCES)
        starts.append(when)
    if not starts:
        raise ActionError("the recurrence rule gives no date")
    return starts[-1] + (end - start)


def check_ahead(action: Action, today: date | None = None) -> None:
    """Refuse an action whose first or last date lies more than about two years ahead.

    Kept apart from the record check: a stored action must stay readable as time passes.
    """
    limit = (today or now_local().date()) + timedelta(days=MAX_AHEAD_DAYS)
    if parse_time(action.last_end).date() > limit or parse_time(action.start).date() > limit:
        raise ActionError("the action is more than 2 years ahead")


def occurrences(action: Action | Mapping, after: datetime | None = None,
                before: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """(start, end) of each occurrence that ends after `after` and starts before `before`."""
    row = action.row() if isinstance(action, Action) else action
    start, end = parse_time(row["start"]), parse_time(row["end"])
    length = end - start
    starts = list(_rule(start, row["rrule"])) if row.get("rrule") else [start]
    return [(s, s + length) for s in starts
            if (after is None or s + length > after) and (before is None or s < before)]


def next_occurrence(action: Action | Mapping, after: datetime | None = None
                    ) -> tuple[datetime, datetime] | None:
    """The first occurrence that has not ended by `after` (now), or None."""
    found = occurrences(action, after or now_local())
    return found[0] if found else None


def effective_status(row: Mapping, now: datetime | None = None) -> str:
    """The stored status, or 'past' for a published action whose last occurrence has ended."""
    if row["status"] == "published" and parse_time(row["last_end"]) <= (now or now_local()):
        return "past"
    return row["status"]


def is_full(row: Mapping) -> bool:
    """True when the host asked for volunteers and that many said they will come."""
    needed = _plain(row.get("volunteers_needed"))
    return needed is not None and int(row.get("joined") or 0) >= int(needed)


WINDOWS = ("upcoming", "week", "month", "volunteer_day")


def window(name: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[from, to) of a date window: upcoming (a year), this week, this month, 5 December.

    "5 December" is International Volunteer Day: this year's, or next year's once it passed.
    """
    now = now or now_local()
    today = datetime(now.year, now.month, now.day)
    if name == "week":
        return now, today + timedelta(days=7 - today.weekday())
    if name == "month":
        first_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return now, first_next
    if name == "volunteer_day":
        day = datetime(now.year, 12, 5)
        if day + timedelta(days=1) <= now:
            day = datetime(now.year + 1, 12, 5)
        return max(now, day), day + timedelta(days=1)
    return now, today + timedelta(days=366)


def agenda(rows, after: datetime, before: datetime, every: bool = False):
    """Published actions that take place in [after, before), soonest first (a DataFrame).

    One row per action with its next occurrence (`when_start`, `when_end`), or with `every`
    one row per occurrence in the window. Cancelled and proposed actions are left out.
    """
    import pandas as pd

    out = []
    for row in rows[rows["status"] == "published"].to_dict("records"):
        found = occurrences(row, after, before)
        for start, end in (found if every else found[:1]):
            out.append({**row, "when_start": start, "when_end": end})
    if not out:
        return rows.iloc[0:0].assign(when_start=pd.Series(dtype="datetime64[ns]"),
                                     when_end=pd.Series(dtype="datetime64[ns]"))
    return pd.DataFrame(out).sort_values(["when_start", "title"], kind="stable"
                                         ).reset_index(drop=True)


REPEATS = ("none", "weekly", "monthly_weekday", "custom")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def simple_rule(repeat: str, start: datetime, count: int, custom: str = "") -> str | None:
    """The RRULE of a form's repeat choice: weekly, or monthly on the same weekday.

    'monthly_weekday' from Saturday 5 December gives 'FREQ=MONTHLY;BYDAY=1SA;COUNT=n'
    (every first Saturday); 'custom' passes the typed rule on for the record to check.
    """
    if repeat == "weekly":
        return f"FREQ=WEEKLY;COUNT={int(count)}"
    if repeat == "monthly_weekday":
        nth = (start.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={nth}{_DAYS[start.weekday()]};COUNT={int(count)}"
    if repeat == "custom":
        return custom.strip() or None
    return None
