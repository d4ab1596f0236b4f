"""One translation mechanism for all UI text: gettext catalogues (.po) read through Babel.

Message ids are English; `locales/<lang>/LC_MESSAGES/civicmap.po` hold Bulgarian and
Turkish. Place and organisation names stay Cyrillic, with the Latin form alongside in
English and Turkish.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from babel.dates import format_date
from babel.messages.pofile import read_po

from civic.facts import directory_date
from civic.settings import PROJECT_ROOT

LANGUAGES = ("bg", "en", "tr")
DEFAULT_LANGUAGE = "bg"
LANGUAGE_NAMES = {"bg": "Български", "en": "English", "tr": "Türkçe"}
LOCALES = PROJECT_ROOT / "locales"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES / lang / "LC_MESSAGES" / "civicmap.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {m.id: m.string for m in catalog if m.id and m.string}


def language(value: str | None) -> str:
    """A supported language code, Bulgarian when the value is missing or unknown."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def gettext(message: str, lang: str) -> str:
    """The message in `lang`; the English id when no translation exists."""
    return _catalogue(language(lang)).get(message, message) if lang != "en" else message


def translator(lang: str):
    """A `_` function bound to one language."""
    return lambda message: gettext(message, lang)


def place_name(name: str, latin: str | None, lang: str, turkish: str | None = None) -> str:
    """'Кърджали' in Bulgarian; 'Кърджали (Kardzhali)' in English; 'Кърджали (Kırcaali)'.

    Turkish readers get the Turkish name in common use where the project knows one
    (data/places_tr.csv), else the Latin transliteration.
    """
    if not name:
        return ""
    if lang == "tr" and turkish and isinstance(turkish, str):
        return f"{name} ({turkish})"
    if lang == "bg" or not latin or latin == name:
        return name
    return f"{name} ({latin})"


def place_names(frame, lang: str) -> list[str]:
    """`place_name` for every row of a table with name, name_latin and maybe name_tr."""
    turkish = frame["name_tr"] if "name_tr" in frame else [None] * len(frame)
    return [place_name(n, lt, lang, t) for n, lt, t in
            zip(frame["name"], frame["name_latin"], turkish)]


# English labels for the codes stored in the data; translated like any other message.
TERMS = {
    "ngo": "NGO", "chitalishte": "Chitalishte", "library": "Library",
    "association": "Association", "foundation": "Foundation", "branch": "Branch",
    "informal_group": "Informal group", "other": "Other",
    "active": "Active", "inactive": "Not working", "closed": "Closed",
    "source_point": "Surveyed point", "street": "Street address",
    "settlement": "Settlement centre", "municipality": "Municipality only",
    "social": "Social services", "education": "Education", "youth": "Youth",
    "children": "Children", "culture": "Culture", "environment": "Environment",
    "health": "Health", "disability": "Disability", "roma_inclusion": "Roma inclusion",
    "minorities": "Minorities", "elderly": "Elderly people", "women": "Women",
    "human_rights": "Human rights", "civic_participation": "Civic participation",
    "local_development": "Local development", "volunteering": "Volunteering",
    "sport": "Sport", "tourism": "Tourism", "agriculture": "Agriculture", "media": "Media",
    "business": "Business", "religion": "Religion", "animals": "Animals",
    "chitalishta_register": "Chitalishta register",
    "civic_directory_ngos": "Civic directory ({month})",
    "civic_directory_libraries": "Library directory ({month})",
    "presumed_chitalishte_library": "Chitalishta register (presumed library)",
    # civic actions: the causes actions add to the fields, their types and states
    "social_inclusion": "Social inclusion", "reading": "Reading",
    "digital_skills": "Digital skills",
    "exhibition": "Exhibition", "volunteer_action": "Volunteer action", "training": "Training",
    "public_meeting": "Public meeting", "campaign": "Campaign",
    "proposed": "Proposed", "published": "Published", "cancelled": "Cancelled", "past": "Past",
}


def directory_month(lang: str) -> str:
    """When the civic directories were compiled, in words: 'ноември 2026', 'Kasım 2026'."""
    year, month = directory_date().split("-")[:2]
    return format_date(date(int(year), int(month), 1), "LLLL yyyy", locale=language(lang))


def term(code: str, lang: str) -> str:
    """A stored code ('roma_inclusion', 'association') as words in `lang`."""
    text = gettext(TERMS.get(code, code), lang)
    return text.format(month=directory_month(lang)) if "{month}" in text else text
