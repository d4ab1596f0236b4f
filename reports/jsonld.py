"""Civic actions as schema.org Event JSON-LD, for search engines and event aggregators.

`event_jsonld` gives the data; `jsonld_script` the `<script type="application/ld+json">`
to put in a page, with `<`, `>` and `&` escaped so no text can close the script.
Times carry Sofia's offset of that day (+02:00 in winter, +03:00 in summer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from civic.action import next_occurrence, now_local, occurrences, parse_time
from reports.ical import aware, plain, safe_url, value

SCHEMA = "https://schema.org/"
FREQUENCY = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
        "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}


def _iso(local: datetime) -> str:
    """'2026-12-05T10:00:00+02:00': the local time with Sofia's offset on that day."""
    return aware(local).isoformat()


def _parts(rrule: str) -> dict[str, str]:
    """'FREQ=WEEKLY;BYDAY=SA;COUNT=4' as {'FREQ': 'WEEKLY', 'BYDAY': 'SA', 'COUNT': '4'}."""
    text = rrule.strip().removeprefix("RRULE:")
    return {k.strip().upper(): v.strip().upper() for k, _, v in
            (part.partition("=") for part in text.split(";")) if k.strip()}


def _by_day(text: str) -> list[str]:
    """Plain weekdays as schema.org DayOfWeek URLs; '1SA'-like values kept as iCal text."""
    return [SCHEMA + DAYS[d] if d in DAYS else d for d in text.split(",") if d]


def schedule(row: Mapping) -> dict | None:
    """A schema.org Schedule for a recurring action (frequency, days, count, time span)."""
    rrule = plain(value(row, "rrule"))
    if not rrule:
        return None
    parts = _parts(rrule)
    found = occurrences(row)
    first, last = found[0], found[-1]
    out = {"@type": "Schedule", "scheduleTimezone": "Europe/Sofia",
           "startDate": first[0].date().isoformat(), "endDate": last[1].date().isoformat(),
           "startTime": first[0].strftime("%H:%M"), "endTime": first[1].strftime("%H:%M"),
           "repeatCount": len(found)}
    if parts.get("FREQ") in FREQUENCY:
        interval = parts.get("INTERVAL", "1")
        out["repeatFrequency"] = f"P{int(interval) if interval.isdigit() else 1}" \
                                 f"{FREQUENCY[parts['FREQ']]}"
    if parts.get("BYDAY"):
        out["byDay"] = _by_day(parts["BYDAY"])
    if parts.get("BYMONTHDAY"):
        out["byMonthDay"] = [int(d) for d in parts["BYMONTHDAY"].split(",")
                             if d.lstrip("-").isdigit()]
    return out


def _location(row: Mapping, page_url: str) -> dict:
    if value(row, "online"):
        link = safe_url(value(row, "url")) or page_url
        return {"@type": "VirtualLocation", **({"url": link} if link else {})}
    address = {"@type": "PostalAddress", "addressCountry": "BG"}
    for key, field in (("address", "streetAddress"), ("settlement", "addressLocality")):
        if value(row, key):
            address[field] = plain(value(row, key))
    place = {"@type": "Place", "name": plain(value(row, "settlement")) or
             plain(value(row, "address")), "address": address}
    if value(row, "lat") is not None and value(row, "lon") is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": float(row["lat"]),
                        "longitude": float(row["lon"])}
    return place


def _when(row: Mapping, now: datetime | None) -> tuple[datetime, datetime]:
    """The next occurrence of a recurring action (its last one when all are past)."""
    if not value(row, "rrule"):
        return parse_time(row["start"]), parse_time(row["end"])
    return next_occurrence(row, now or now_local()) or occurrences(row)[-1]


def event_jsonld(row: Mapping, host_name: str, page_url: str, host_url: str | None = None,
                 now: datetime | None = None) -> dict:
    """A schema.org Event for one action; `host_url` (the host's website) when known."""
    start, end = _when(row, now)
    organizer = {"@type": "Organization", "name": plain(host_name)}
    if safe_url(host_url):
        organizer["url"] = safe_url(host_url)
    data = {
        "@context": "https://schema.org", "@type": "Event",
        "name": plain(value(row, "title")),
        "startDate": _iso(start), "endDate": _iso(end),
        "eventStatus": SCHEMA + ("EventCancelled" if row.get("status") == "cancelled"
                                 else "EventScheduled"),
        "eventAttendanceMode": SCHEMA + ("OnlineEventAttendanceMode" if value(row, "online")
                                         else "OfflineEventAttendanceMode"),
        "location": _location(row, page_url),
        "organizer": organizer,
    }
    if value(row, "description"):
        data["description"] = plain(value(row, "description"))
    link = page_url or safe_url(value(row, "url"))
    if link:
        data["url"] = link
    found = schedule(row)
    if found:
        data["eventSchedule"] = found
    return data


def jsonld_script(data: dict) -> str:
    """The data in a `<script type="application/ld+json">`; `<`, `>`, `&` as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return f'<script type="application/ld+json">{text}</script>'
