"""The organisation model: kinds, legal forms, fields of activity, statuses, precisions."""

from __future__ import annotations

import hashlib

KINDS = ("ngo", "chitalishte", "library")
# One colour per kind, shared by the map, the charts and the printed report.
KIND_COLOURS = {
    "ngo": "#d95f02",
    "chitalishte": "#1b9e77",
    "library": "#7570b3",
    "library_presumed": "#7570b3",
    "any": "#555555",
}
# Choropleths: light to dark, darker = worse served (more residents beyond R, farther).
WORSE_PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
GAP_COLOUR = "#b2182b"
PRECISIONS = ("source_point", "street", "settlement", "municipality")
STATUSES = ("active", "inactive", "closed")
FIELDS = (
    "social", "education", "youth", "children", "culture", "environment", "health",
    "disability", "roma_inclusion", "minorities", "elderly", "women", "human_rights",
    "civic_participation", "local_development", "volunteering", "sport", "tourism",
    "agriculture", "media", "business", "religion", "animals", "other",
)
# Directory legal-form words → stable codes.
LEGAL_FORMS = {
    "сдружение": "association",
    "фондация": "foundation",
    "читалище": "chitalishte",
    "клон": "branch",
    "неформална група": "informal_group",
    "other": "other",
}
# The Chitalishta Act (чл. 2–3) makes library, cultural and educational work their purpose.
CHITALISHTE_FIELDS = ("culture", "education")
# How sure a point is, by precision: the score stored beside it.
PRECISION_SCORE = {"source_point": 95, "street": 85, "settlement": 70, "municipality": 40}


def stable_id(prefix: str, *parts: str) -> str:
    """An id that survives rebuilds: a prefix and a short hash of the identifying parts."""
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}-{digest}"


def split_fields(text: str) -> list[str]:
    """Fields from a ';'-separated string, known vocabulary only, order kept."""
    out = []
    for part in (text or "").split(";"):
        code = part.strip().lower()
        if code in FIELDS and code not in out:
            out.append(code)
    return out


# What the map, counts and charts tell apart: the three kinds, and a chitalishte's presumed
# library beside the libraries known by name. A presumed library is never a second
# organisation: it is its chitalishte's library.
KIND_KEYS = ("ngo", "chitalishte", "library", "library_presumed")
# English message ids (translated through civic.i18n) for the kinds in the plural.
KIND_TITLES = {"ngo": "NGOs", "chitalishte": "Chitalishta", "library": "Libraries",
               "library_presumed": "Chitalishte libraries (presumed)"}


def kind_key(kind: str, presumed: bool) -> str:
    """'library_presumed' for a chitalishte's presumed library, else the kind itself."""
    return "library_presumed" if kind == "library" and presumed else kind


def kind_keys(orgs) -> list[str]:
    """`kind_key` for every row of an organisations table (columns kind, presumed)."""
    return [kind_key(k, bool(p)) for k, p in zip(orgs["kind"], orgs["presumed"])]


# Civic actions (civic.action): what kind of action, for which cause, in which state.
ACTION_TYPES = ("exhibition", "volunteer_action", "training", "public_meeting", "campaign")
# The organisations' fields of activity, then the causes actions add ("other" stays last).
CAUSES = (*(f for f in FIELDS if f != "other"), "social_inclusion", "reading",
          "digital_skills", "other")
# Stored states; "past" is computed from the last occurrence (civic.action.effective_status).
ACTION_STATUSES = ("proposed", "published", "cancelled")

# Library and NGO profiles (civic.profile, store.profiles). What a library or a chitalishte
# offers; NULL (unknown) is never "no".
PROFILE_FIELDS = ("seats", "computers", "internet", "exhibition_space", "step_free",
                  "opening_hours")
# An NGO names the library that presents it (its hub) and says what it needs.
NGO_PROFILE_FIELDS = ("hub_id", "needs")
# An NGO's needs: code -> English message id (translated through civic.i18n; stored as codes).
NEEDS = {"advocacy": "Advocacy", "media": "Media and communication",
         "fundraising": "Fundraising", "volunteers": "Volunteers", "premises": "Premises",
         "legal": "Legal advice", "digital": "Digital skills",
         "project_writing": "Project writing"}
