"""Organisations on the map: one compact record set per province set, drawn in the browser.

The map element (base map + these records) depends only on the province set and the
language, so Streamlit sends it once and afterwards refers to it by hash. Filters then
travel as a few hundred bytes: the indices of the visible records as runs (`visible_runs`),
applied in place by `civicmap.js` (see `pages/map.py` for how the state reaches the map).

Records are columnar: rounded, integer coordinates per location, one-letter codes for
kind, precision, status and source, small integers for fields and legal forms, table
indices for settlements and municipalities, and each word once per language. Free text
(names, addresses, contacts) is sent as it is written and set in the browser with
`textContent`, so it can never become markup; only http(s) websites, `tel:` digits, plain
e-mail addresses and information cards on chitalishta.com become links.

The layer sends the records, its words and style deflated (`deflated`: zlib, then base85),
about a third of the JSON; the browser inflates them with `DecompressionStream` (or, where a
browser lacks it, fflate from the app's static files), so the marks, `window.civicMap` and
the filter watcher appear a moment after the map itself.

On a narrow map (a phone, `CLUSTER_NARROWER_THAN` pixels) below `CLUSTER_BELOW_ZOOM` the
marks are gathered into numbered clusters (leaflet.markercluster, served by the app): a
cluster's number is the organisations it holds (the sum of its marks' counts) and a tap
zooms in. From that zoom on, and on wider screens, every mark is drawn on its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import folium
import pandas as pd
from folium.elements import JSCSSMixin
from jinja2 import Template

from civic.i18n import TERMS, place_name, term, translator
from civic.text import to_latin
from civic.vocabularies import FIELDS, KIND_TITLES, PRECISIONS, STATUSES, kind_key
from layers.assets import CLUSTER_CSS, CLUSTER_JS
from layers.popup import card_url, clean_emails, clean_phones, safe_url
from layers.profile_card import OFFER_LABELS, known, offer_rows
from layers.style import KIND_COLOURS, KIND_RADIUS, PRECISION_MARKS
from layers.transport import deflated
from layers.transport import inflated as transport_inflated

LAYER_ORDER = ("chitalishte", "library_presumed", "library", "ngo")
KIND_LETTERS = {"ngo": "n", "chitalishte": "c", "library": "l", "library_presumed": "p"}
PRECISION_LETTERS = dict(zip(PRECISIONS, "ptsm"))
STATUS_LETTERS = dict(zip(STATUSES, "aic"))
COORD_SCALE = 10_000  # 4 decimals: about 10 m, finer than any mark on screen
CLUSTER_BELOW_ZOOM = 10  # municipalities fill a phone's screen from here (settlements show)
CLUSTER_NARROWER_THAN = 640  # map width in CSS pixels: a phone, upright


def layer_titles(lang: str) -> dict[str, str]:
    """Kind keys as plural words in `lang` (layer names, counts, legend)."""
    _ = translator(lang)
    return {key: _(title) for key, title in KIND_TITLES.items()}


def map_words(lang: str) -> dict:
    """Everything the map says that is not an organisation's own data, in `lang`."""
    _ = translator(lang)
    return {
        "label": {"kind": _("Kind"), "legal_form": _("Legal form"), "fields": _("Fields"),
                  "address": _("Address"), "settlement": _("Settlement"),
                  "municipality": _("Municipality"), "contacts": _("Contacts"),
                  "source": _("Source"), "correct": _("Suggest a correction"),
                  "hosted": _("Civic actions it hosts"),
                  "card": _("Information card (register)"),
                  "here": _("{n} organisations at this place"),
                  "back": _("Back to the list"),
                  "approximate": _("The location is approximate: all of them are placed at "
                                   "the same point."),
                  "library": _("Keeps a library (presumed from the Chitalishta Act)."),
                  "organisations": _("Organisations"),
                  "fullscreen": _("Full screen"),
                  "residents": _("residents (2021 estimate)"),
                  "offers": _("What it offers"),
                  "library_page": _("Library page: what it offers, whom it serves"),
                  "presented": _("Presented at {library}")},
        "kind": {KIND_LETTERS[k]: v for k, v in layer_titles(lang).items()},
        "kind1": {"n": term("ngo", lang), "c": term("chitalishte", lang),
                  "l": term("library", lang),
                  "p": _("Chitalishte library (presumed)")},
        "term": {code: term(code, lang) for code in TERMS},
        "precision": {"p": "", "t": _("placed at the street address"),
                      "s": _("placed at the settlement centre"),
                      "m": _("placed at the municipality centre")},
        "status": {STATUS_LETTERS[s]: term(s, lang) for s in STATUSES},
    }


def map_style() -> dict:
    """Colours, radii and precision marks by the letters the records use."""
    return {
        "colour": {letter: KIND_COLOURS[k] for k, letter in KIND_LETTERS.items()},
        "radius": {KIND_LETTERS[k]: r for k, r in KIND_RADIUS.items()},
        "mark": {PRECISION_LETTERS[p]: {"fill": m["fillOpacity"], "weight": m["weight"],
                                        "dash": m["dashArray"]}
                 for p, m in PRECISION_MARKS.items()},
        "order": "".join(KIND_LETTERS[k] for k in LAYER_ORDER),
    }


def _table(values: list[str]) -> tuple[list[str], dict[str, int]]:
    """Distinct values in first-seen order, and each value's index."""
    index: dict[str, int] = {}
    for v in values:
        index.setdefault(v, len(index))
    return list(index), index


def _text(value) -> str:
    """A cell as text: '' for missing values."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def record_order(orgs: pd.DataFrame) -> pd.DataFrame:
    """Organisations with a point, ordered so the usual filters keep long runs."""
    orgs = orgs[orgs["lon"].notna() & orgs["lat"].notna()]
    keys = [kind_key(k, bool(p)) for k, p in zip(orgs["kind"], orgs["presumed"])]
    return (orgs.assign(_key=keys)
                .sort_values(["province_code", "municipality_code", "status", "_key", "id"],
                             kind="stable")
                .drop(columns="_key").reset_index(drop=True))


def _source_urls(orgs: pd.DataFrame) -> tuple[list[str], list[int], list[str]]:
    """Source URLs as shared templates, each record's template and its numbers.

    Templates ('…&id={}&reg_num={}') serve at least three records; a record's template
    index is -1 for none, and its value is then the whole URL ('' without a safe URL).
    """
    urls = [safe_url(_text(u)) or "" for u in orgs["source_url"]]
    shapes = [re.sub(r"\d+", "{}", u) for u in urls]
    common = {t for t, n in Counter(shapes).items() if n >= 3 and t}
    templates, index = _table(sorted(common))
    which = [index.get(t, -1) for t in shapes]
    values = [",".join(re.findall(r"\d+", u)) if w >= 0 else u for u, w in zip(urls, which)]
    return templates, which, values


def _optional(orgs: pd.DataFrame, column: str) -> pd.Series:
    """A column that older tables may lack (then all missing)."""
    return orgs[column] if column in orgs else pd.Series([None] * len(orgs), index=orgs.index)


def _names(orgs: pd.DataFrame, ids: dict[str, int]) -> tuple[list[str], list[int], str]:
    """Names, parent indices and the prefix a presumed library adds to its parent's name.

    A parent index is the presumed library's chitalishte (else -1); the prefix
    ('Библиотека при ') lets the browser rebuild the name, so it is not sent twice.
    """
    presumed = [kind_key(k, bool(p)) == "library_presumed"
                for k, p in zip(orgs["kind"], orgs["presumed"])]
    parents = [ids.get(_text(p), -1) if is_presumed else -1
               for p, is_presumed in zip(orgs["parent_id"], presumed)]
    names = [_text(n) for n in orgs["name"]]
    prefix = ""
    for name, parent in zip(names, parents):
        if parent >= 0 and name.endswith(names[parent]):
            prefix = name[: len(name) - len(names[parent])]
            break
    short = [("" if p >= 0 and prefix and n == prefix + names[p] else n)
             for n, p in zip(names, parents)]
    return short, parents, prefix


def _split_ids(ids: list[str]) -> tuple[list[str], str, list[str]]:
    """Ids as a prefix table, one letter per id naming its prefix, and the rest.

    'chitalishte-316' is prefix 'chitalishte-' and rest '316'.
    """
    heads = [i.rsplit("-", 1)[0] + "-" if "-" in i else "" for i in ids]
    table, index = _table(heads)
    return table, "".join(chr(48 + index[h]) for h in heads), [i[len(h):] for i, h in
                                                                  zip(ids, heads)]


def _coded(values: list[str]) -> tuple[list[str], list[int]]:
    """A table of distinct values and each value's index in it."""
    table, index = _table(values)
    return table, [index[v] for v in values]


def deltas(flat: list[int]) -> list[int]:
    """Flat x, y pairs as steps from the previous pair (the first from 0, 0)."""
    out, px, py = [], 0, 0
    for x, y in zip(flat[0::2], flat[1::2]):
        out += [x - px, y - py]
        px, py = x, y
    return out


def shorten(values: list[str], common: list[str], mark: str) -> tuple[list[str], list[str]]:
    """Replace each of the `common` pieces (at most 10) by `mark` and its digit.

    Nothing is replaced when some value already holds `mark`. Returns the values and the
    pieces used.
    """
    if any(mark in v for v in values):
        return values, []
    common = common[:10]
    out = []
    for v in values:
        for n, piece in enumerate(common):
            v = v.replace(piece, f"{mark}{n}")
        out.append(v)
    return out, common


def common_pieces(values: list[str], pattern: str, least: int = 50) -> list[str]:
    """Pieces matching `pattern` found in at least `least` values, most frequent first."""
    seen = Counter(m for v in values for m in set(re.findall(pattern, v)))
    return [p for p, n in seen.most_common(10) if n >= least]


def pack(values: list[str]) -> str | list[str]:
    """A text column as one '|'-joined string (3 bytes less per value).

    Left a list when a value holds '|'; `civicmap.js` splits it back.
    """
    return values if any("|" in v for v in values) else "|".join(values)


PACKED = ("n", "f", "a", "ph", "em", "u", "ic", "id")


def steps(values: list[int]) -> list[int]:
    """Integers as steps from the previous one (the first from 0): mostly 0 or 1 here."""
    return [v - p for v, p in zip(values, [0, *values[:-1]])]


def map_records(orgs: pd.DataFrame, lang: str, names: dict,
                settlement_order: list[str] | None = None) -> dict:
    """The compact, columnar record set `civicmap.js` draws (see the module docstring).

    `orgs` must come from `record_order`; `names` holds municipality names by code
    ('municipality' and 'municipality_latin'). Kind, precision and status are one letter
    per record; a presumed library carries only its chitalishte's index (`pp`); the other
    columns hold one entry per full record, in record order. With `settlement_order` (the
    EKATTE codes the settlement layer draws, in its order) a record's settlement is that
    layer's name, else one of this set's own `places` (index -1 - n).
    """
    ids = {i: n for n, i in enumerate(orgs["id"])}
    short, parents, prefix = _names(orgs, ids)
    keys = [kind_key(k, bool(p)) for k, p in zip(orgs["kind"], orgs["presumed"])]
    full_rows = orgs[[p < 0 for p in parents]]
    full_keys = [i for i, p in enumerate(parents) if p < 0]
    locations, loc_index = _table([f"{round(x * COORD_SCALE)},{round(y * COORD_SCALE)}"
                                   for x, y in zip(full_rows["lon"], full_rows["lat"])])
    shared = {e: n for n, e in enumerate(settlement_order or [])}
    own = [place_name(_text(s), to_latin(_text(s)), lang) for s, e in
           zip(full_rows["settlement"], full_rows["ekatte"]) if e not in shared]
    places, own_at = _coded(own)
    own_iter = iter(own_at)
    place_at = [shared[e] if e in shared else -1 - next(own_iter) for e in full_rows["ekatte"]]
    turkish = names.get("municipality_tr", {})
    muni_codes, muni_at = _coded(list(full_rows["municipality_code"].fillna("")))
    munis = [place_name(names["municipality"].get(c, ""), names["municipality_latin"].get(c),
                        lang, turkish.get(c)) for c in muni_codes]
    legal, legal_at = _coded([_text(g) for g in full_rows["legal_form"]])
    dates, date_at = _coded([_text(d) for d in full_rows["source_date"]])
    sources, source_at = _coded([_text(s) for s in orgs["source"]])
    templates, template_at, url_values = _source_urls(full_rows)
    id_heads, id_letters, id_rests = _split_ids(list(full_rows["id"]))
    records = {
        "k": "".join(KIND_LETTERS[k] for k in keys),
        "p": "".join(PRECISION_LETTERS.get(p, "s") for p in orgs["precision"]),
        "st": "".join(STATUS_LETTERS.get(s, "a") for s in orgs["status"]),
        "src": "".join(chr(48 + i) for i in source_at),
        "pp": steps([p for k, p in zip(keys, parents) if k == "library_presumed"]),
        "pn": {str(i): n for i, (n, p) in enumerate(zip(short, parents)) if p >= 0 and n},
        "at": steps([loc_index[f"{round(x * COORD_SCALE)},{round(y * COORD_SCALE)}"]
                     for x, y in zip(full_rows["lon"], full_rows["lat"])]),
        "n": [short[i] for i in full_keys],
        "s": steps(place_at),
        "m": steps(muni_at),
        "g": legal_at,
        "f": [".".join(str(FIELDS.index(x)) for x in _text(v).split(";") if x in FIELDS)
              for v in full_rows["fields"]],
        "a": [_text(a) for a in full_rows["address"]],
        "ph": [";".join(clean_phones(_text(v))) for v in full_rows["phone"]],
        "em": [";".join(clean_emails(_text(v))) for v in full_rows["email"]],
        "w": {str(n): u for n, u in enumerate(safe_url(_text(v)) or ""
                                               for v in full_rows["website"]) if u},
        "ut": template_at,
        "u": url_values,
        "ic": [card_url(_text(v)) or "" for v in _optional(full_rows, "info_card_url")],
        "d": date_at,
        "idk": id_letters,
        "id": id_rests,
    }
    records.update(profile_records(orgs, full_keys, parents, lang))
    if lang != "bg":  # the browser spells each name in Latin (civicSpelled = to_latin)
        records["nl"] = 1
    records["em"], email_common = shorten(records["em"], common_pieces(records["em"],
                                                                       r"@[\w.-]+"), "~")
    records["n"], name_common = shorten(records["n"], common_pieces(records["n"],
                                                                    r"^\w{1,3} „"), "~")
    # a card URL's part before its number ('…&do=detail1&id=') is sent once
    records["ic"], card_common = shorten(records["ic"], common_pieces(
        records["ic"], r"^\S*\D(?=\d+$)", least=3), "~")
    for name in PACKED:
        if name in records:
            records[name] = pack(records[name])
    return {
        "q": COORD_SCALE,
        "loc": deltas([int(v) for pair in locations for v in pair.split(",")]),
        "org": records,
        "places": places,
        "munis": munis,
        "mc": muni_codes,  # their codes, for the municipality filter
        "letters": {"status": STATUS_LETTERS, "precision": PRECISION_LETTERS},
        "legal": legal,
        "dates": dates,
        "fields": list(FIELDS),
        "sources": sources,
        "url_templates": templates,
        "id_prefix": id_heads,
        "library_prefix": prefix,
        "email_common": email_common,
        "name_common": name_common,
        "card_common": card_common,
    }


def profile_records(orgs: pd.DataFrame, full_keys: list[int], parents: list[int],
                    lang: str) -> dict:
    """A library's offer rows (`pf`) and an NGO's hub (`hb`), by full-record number.

    Only when `orgs` carries the profile columns (`ui.data.organisations` joins them). A
    presumed library's profile shows on its chitalishte's record unless that has its own.
    """
    if "opening_hours" not in orgs:
        return {}
    number = {row: n for n, row in enumerate(full_keys)}
    names = dict(zip(orgs["id"], orgs["name"]))
    offers: dict[str, list] = {}
    hubs: dict[str, list] = {}
    for row, (kind, hub) in enumerate(zip(orgs["kind"], orgs["hub_id"])):
        full = number[row] if parents[row] < 0 else number[parents[row]]
        if kind == "ngo":
            if isinstance(hub, str) and hub in names:
                hubs[str(full)] = [names[hub], hub]
            continue
        profile = {k: orgs[k].iat[row] for k in OFFER_LABELS}
        if not any(known(v) and v != "" for v in profile.values()):
            continue
        if parents[row] >= 0 and str(full) in offers:
            continue  # the chitalishte's own profile wins over its presumed library's
        offers[str(full)] = [list(r) for r in offer_rows(profile, lang)]
    return {"pf": offers, "hb": hubs}


def visible_runs(order_ids: pd.Series, visible_ids) -> list[int]:
    """The visible records as flat [start, length, ...] runs of record indices.

    A few numbers for the usual filters.
    """
    shown = order_ids.isin(set(visible_ids)).to_numpy()
    runs: list[int] = []
    start = None
    for i, on in enumerate(shown):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs += [start, i - start]
            start = None
    if start is not None:
        runs += [start, len(shown) - start]
    return runs


def safe_json(value) -> str:
    """JSON that is also safe inside a <script> element or an HTML attribute."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def inflated(text: str):
    """The records `deflated` wrote (tests and benchmarks)."""
    return transport_inflated(text)[0]


def dataset_key(payload: dict) -> str:
    """A short fingerprint of a record set: filter states name the set they index."""
    return hashlib.sha1(safe_json(payload).encode("utf-8")).hexdigest()[:12]


class OrganisationLayer(JSCSSMixin):
    """The organisation marks: `civicmap.js` with the record set (deflated), on the base map.

    Brings leaflet.markercluster (from the app's static files) for the phone's clusters.
    """

    default_js = CLUSTER_JS
    default_css = CLUSTER_CSS

    _template = Template("""
        {% macro script(this, kwargs) %}
        civicOrganisations({{ this._parent.get_name() }}, {{ this.data }},
                           {{ this.control }}, {{ this.initial }}, {{ this.cluster }});
        {% endmacro %}
    """)

    def __init__(self, payload: dict, words: dict, initial: list[int],
                 control: folium.LayerControl | None = None,
                 cluster_below_zoom: int | None = CLUSTER_BELOW_ZOOM):
        """Embed the records.

        `payload` from `map_records`, `words` from `map_words`, `initial` the runs shown
        before the first filter state arrives. `cluster_below_zoom`: the zoom from which a
        phone's map shows every mark on its own (None: never cluster).
        """
        super().__init__()
        self._name = "OrganisationLayer"
        self.cluster = safe_json(None if cluster_below_zoom is None else
                                 {"below_zoom": int(cluster_below_zoom),
                                  "narrower_than": CLUSTER_NARROWER_THAN})
        key = dataset_key(payload)
        self.data = safe_json({"key": key, "z": deflated({**payload, "words": words,
                                                          "style": map_style()})})
        self.key = key
        self.initial = safe_json(initial)
        self.control = control.get_name() if control is not None else "null"
