"""The Map page's filter panel: built once per page run, applied in the browser.

`panel_spec` says everything the panel needs: the filters the URL asked for, the choices in
the page's language (every province and every municipality: the panel lists those of the
chosen provinces), the bounds to frame, and for civic actions each date window as day
indices of the actions layer. `panel_html` is the element (`filter_panel.js` with the spec
in a data attribute) that `st.html` renders with its script allowed. A filter change then
runs in the browser only: no rerun of the page's script, so its cost does not grow with the
number of people using the app (docs/ARCHITECTURE.md, "Filters in the browser").
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from civic.action import WINDOWS
from civic.i18n import term, translator
from civic.vocabularies import ACTION_TYPES, CAUSES, FIELDS, KINDS, PRECISIONS, STATUSES
from geo.filters import LIST_PARAMS, Filters
from layers.actions import action_filter
from layers.organisations import safe_json

PANEL_JS = Path(__file__).with_name("filter_panel.js").read_text(encoding="utf-8")
LOCALES = {"bg": "bg-BG", "en": "en-GB", "tr": "tr-TR"}
# what the URL parameters of the panel's filters default to (geo.filters.to_query)
DEFAULTS = {name: list(getattr(Filters(), name)) for name in LIST_PARAMS}


def panel_words(lang: str) -> dict[str, str]:
    """The panel's words in `lang`."""
    _ = translator(lang)
    return {
        "province": _("Province"), "no_province": _("Choose at least one province."),
        "municipality": _("Municipality"), "all_municipalities": _("All municipalities"),
        "kind": _("Kind"), "presumed": _("Chitalishte libraries (presumed)"),
        "field": _("Field of activity"), "any_field": _("Any field"),
        "legal_form": _("Legal form"), "any_legal_form": _("Any legal form"),
        "status": _("Status"), "precision": _("Location precision"), "none": _("none"),
        "chosen": _("{n} chosen"), "name": _("Name contains"),
        "name_placeholder": _("Cyrillic or Latin"),
        "no_match": _("No organisation matches “{q}” with these filters."),
        "actions": _("Actions"), "show_actions": _("Show actions"), "dates": _("Dates"),
        "cause": _("Cause"), "any_cause": _("Any cause"), "type": _("Type of action"),
        "any_type": _("Any type"), "actions_count": _("Published actions in this window: {n}"),
    }


def window_labels(lang: str) -> dict[str, str]:
    """The date windows as the panel names them."""
    _ = translator(lang)
    return {"upcoming": _("Upcoming (12 months)"), "week": _("This week"),
            "month": _("This month"), "volunteer_day": _("5 December (Volunteer Day)")}


def initial_state(f: Filters) -> dict:
    """The panel's state for filters `f` (from the URL)."""
    return {**{name: list(getattr(f, name)) for name in LIST_PARAMS},
            "q": f.name, "presumed": f.presumed_libraries, "a_show": f.show_actions,
            "a_when": f.action_when, "a_cause": list(f.action_causes),
            "a_type": list(f.action_types)}


def panel_spec(f: Filters, lang: str, map_key: str, provinces: list[tuple[str, str]],
               municipalities: list[tuple[str, str]], legal_forms: list[str], bounds: dict,
               actions: tuple[str, str] | None) -> dict:
    """Everything the panel needs (module docstring).

    `provinces`, `municipalities`: (code, name) of every province and municipality, in
    display order (a municipality's code starts with its province's);
    `bounds`: {"country": [w, s, e, n], "provinces": {code: [w, s, e, n]},
    "municipalities": {code: [w, s, e, n]}};
    `actions`: the actions layer's (key, base day), or None when the map draws no action.
    """
    def options(codes) -> list[list[str]]:
        return [[c, term(c, lang)] for c in codes]

    spec = {
        "locale": LOCALES.get(lang, "bg-BG"), "map_key": map_key,
        "words": panel_words(lang), "initial": initial_state(f),
        "defaults": {name: sorted(values) if name == "provinces" else values
                     for name, values in DEFAULTS.items()},
        "bounds": bounds,
        "options": {"provinces": [[c, n] for c, n in provinces],
                    "municipalities": [[c, n] for c, n in municipalities],
                    "kinds": options(KINDS), "fields": options(FIELDS),
                    "legal_forms": options(legal_forms), "statuses": options(STATUSES),
                    "precisions": options(PRECISIONS),
                    "windows": [[w, window_labels(lang)[w]] for w in WINDOWS],
                    "causes": options(CAUSES), "types": options(ACTION_TYPES)},
        "actions": None,
    }
    if actions is not None:
        key, base = actions
        spec["actions"] = {"key": key, "causes": list(CAUSES), "types": list(ACTION_TYPES),
                           "windows": {w: [(s := action_filter(key, base, w))["from"], s["to"]]
                                       for w in WINDOWS}}
    return spec


def panel_html(spec: dict) -> str:
    """The panel's element: its spec in a data attribute, and the script that draws it."""
    return (f'<div class="civic-filter-panel" data-spec="{escape(safe_json(spec), quote=True)}">'
            f"</div><style>{PANEL_CSS}</style><script>{PANEL_JS}</script>")


PANEL_CSS = """
.cfp{font-size:14px;line-height:1.4;color:rgb(49,51,63)}
.cfp .cfp-group{border:0;margin:0 0 .7rem;padding:0}
.cfp legend.cfp-title,.cfp label.cfp-title{display:block;font-size:14px;margin:0 0 .25rem;padding:0}
.cfp details.cfp-group{background:#f0f2f6;border-radius:.5rem;padding:.4rem .6rem}
.cfp summary{cursor:pointer;list-style-position:outside;margin-left:1rem}
.cfp summary .cfp-name{display:block;font-size:13px;color:rgba(49,51,63,.75)}
.cfp summary .cfp-summary{display:block}
.cfp .cfp-list{max-height:14rem;overflow:auto;padding-top:.3rem}
.cfp label.cfp-check{display:flex;gap:.45rem;align-items:flex-start;margin:.15rem 0;cursor:pointer}
.cfp label.cfp-check input{margin-top:.2rem;width:1rem;height:1rem;accent-color:#ff4b4b}
.cfp .cfp-text,.cfp .cfp-select{width:100%;box-sizing:border-box;padding:.45rem .6rem;
 border:1px solid transparent;border-radius:.5rem;background:#f0f2f6;font:inherit;
 margin-bottom:.7rem}
.cfp .cfp-head{font-size:1.1rem;font-weight:600;margin:1rem 0 .5rem;padding:0}
.cfp .cfp-note{font-size:13px;color:rgba(49,51,63,.7);margin:.3rem 0}
@media (max-width:640px){.cfp label.cfp-check{min-height:2rem;align-items:center}
 .cfp label.cfp-check input{margin-top:0;width:1.25rem;height:1.25rem}}
"""
