"""What a library (or a chitalishte) offers, and an NGO's hub and needs, in words.

The same rows are shown on the library's page and in its popup on the map. A field nobody
has filled in reads "unknown" — never "no": a library that did not say whether it has
internet may well have it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

import pandas as pd

from civic.i18n import translator
from civic.profile import next_change, open_state
from civic.profile import split_needs as _split
from civic.vocabularies import NEEDS

OFFER_LABELS = {
    "seats": "Meeting room (seats)",
    "computers": "Computers for the public",
    "internet": "Internet for the public",
    "exhibition_space": "Exhibition space",
    "step_free": "Step-free access",
    "opening_hours": "Opening hours",
}


def known(value) -> bool:
    """False for a missing cell (None, NaN, NA); True for any value, False and 0 included."""
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def offer_rows(profile: dict | None, lang: str) -> list[tuple[str, str]]:
    """(label, value) for every offer field, in `lang`; "unknown" where nobody said."""
    _ = translator(lang)
    profile = profile or {}
    rows = []
    for key, label in OFFER_LABELS.items():
        value = profile.get(key)
        if not known(value) or value == "":
            text = _("unknown")
        elif isinstance(value, bool) or key in ("internet", "exhibition_space", "step_free"):
            text = _("yes") if bool(value) else _("no")
        elif key in ("seats", "computers"):
            text = str(int(value))
        else:
            text = str(value)
        rows.append((_(label), text))
    return rows


def open_now(profile: dict | None, when: datetime, lang: str) -> str:
    """'Open now', 'Closed now' (with the next change) or 'Opening hours unknown'."""
    _ = translator(lang)
    hours = (profile or {}).get("opening_hours")
    hours = hours if known(hours) else None
    state = open_state(hours, when)
    if state == "unknown":
        return _("Opening hours unknown")
    change = next_change(hours, when)
    at = change.strftime("%d.%m %H:%M") if change else ""
    if state == "open":
        return _("Open now") + (" · " + _("closes {at}").format(at=at) if at else "")
    return _("Closed now") + (" · " + _("opens {at}").format(at=at) if at else "")


def need_titles(codes: Iterable[str], lang: str) -> list[str]:
    """Need codes as words in `lang`, in the vocabulary's order."""
    _ = translator(lang)
    wanted = set(codes)
    return [_(title) for code, title in NEEDS.items() if code in wanted]


def split_needs(value) -> list[str]:
    """A stored needs cell (';'-joined codes, a list, or missing) as known need codes."""
    if not isinstance(value, list | tuple | set) and not known(value):
        return []
    return [code for code in _split(value) if code in NEEDS]


def needs_counted(needs_cells: Iterable, lang: str) -> pd.DataFrame:
    """How many NGOs name each need: columns need, ngos; most named first, all needs shown."""
    counts = Counter(code for cell in needs_cells for code in set(split_needs(cell)))
    _ = translator(lang)
    table = pd.DataFrame({"code": list(NEEDS), "need": [_(t) for t in NEEDS.values()],
                          "ngos": [counts.get(c, 0) for c in NEEDS]})
    return table.sort_values("ngos", ascending=False, kind="stable").reset_index(drop=True)
