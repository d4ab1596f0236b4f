"""The Coverage page's view state and its URL form (?prov=KRZ,RAZ&kind=ngo&r=10…).

Pure functions, no Streamlit: the page reads the URL once, keeps the view in the session
when the user visits another page, and writes the URL back after every change.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from html import escape

from civic.facts import DEFAULT_PROVINCES, DEFAULT_RADIUS_KM

KIND_CHOICES = ("ngo", "chitalishte", "library", "any")
MEASURES = ("share", "distance")
MAX_RADIUS = 30
MAX_HUBS = 10
URL_KEYS = ("prov", "muni", "kind", "r", "presumed", "measure", "hubs")


@dataclass(frozen=True)
class View:
    """What the Coverage page shows."""

    provinces: tuple[str, ...] = DEFAULT_PROVINCES
    municipalities: tuple[str, ...] = ()
    kind: str = "ngo"
    radius: int = int(DEFAULT_RADIUS_KM)
    presumed: bool = False
    measure: str = "share"
    k: int = 3
    _keys: tuple[str, ...] = field(default=("c_provinces", "c_municipalities", "c_kind",
                                            "c_radius", "c_presumed", "c_measure", "c_k"),
                                   repr=False, compare=False)

    def widget_values(self) -> dict:
        """The session-state values of the page's widgets for this view."""
        values = (list(self.provinces), list(self.municipalities), self.kind, self.radius,
                  self.presumed, self.measure, self.k)
        return dict(zip(self._keys, values))

    @classmethod
    def from_widgets(cls, state) -> View:
        """The view the widgets show now."""
        return cls(tuple(state["c_provinces"]), tuple(state["c_municipalities"]),
                   state["c_kind"], int(state["c_radius"]), bool(state["c_presumed"]),
                   state["c_measure"], int(state["c_k"]))


def codes(text: str | None, known: set[str]) -> tuple[str, ...]:
    """The known codes of a comma list ('krz,XX' -> ('KRZ',)), in the URL's order."""
    return tuple(c for c in (text or "").upper().split(",") if c in known)


def whole(text: str | None, default: int, top: int, low: int = 0) -> int:
    """A whole number from the URL, clamped to low..top; the default when it is none."""
    try:
        return min(max(int(float(text)), low), top)
    except (TypeError, ValueError, OverflowError):
        return default


def area(query: dict[str, str], provinces: set[str], municipalities: set[str],
         default: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The provinces and municipalities a URL names.

    `prov` (else `default`), and the known `muni` codes that lie in those provinces.
    """
    prov = codes(query.get("prov"), provinces) if "prov" in query else default
    return prov, tuple(m for m in codes(query.get("muni"), municipalities) if m[:3] in prov)


def from_query(query: dict[str, str], provinces: set[str],
               municipalities: set[str]) -> View | None:
    """The view a URL names, unknown values replaced by defaults; None when it names none."""
    if not any(k in query for k in URL_KEYS):
        return None
    d = View()
    prov, munis = area(query, provinces, municipalities, d.provinces)
    kind = query.get("kind") if query.get("kind") in KIND_CHOICES else d.kind
    measure = query.get("measure") if query.get("measure") in MEASURES else d.measure
    return View(prov, munis, kind, whole(query.get("r"), d.radius, MAX_RADIUS),
                query.get("presumed") == "1", measure, whole(query.get("hubs"), d.k, MAX_HUBS))


def restore(state: MutableMapping, named, saved: str, default) -> None:
    """Put a view's values into the widgets' session state before the widgets are drawn.

    The view the URL names (`named`), else the one the user left (`state[saved]`), else
    `default`; a widget that already has a value keeps it.
    """
    view = named if named is not None else state.get(saved, default)
    for key, value in view.widget_values().items():
        if key not in state:
            state[key] = value


def write_query(params: MutableMapping, wanted: dict[str, str], keep: str = "lang") -> None:
    """Make the URL's parameters `wanted` (and `keep`), writing only what changed."""
    for key in [k for k in params if k != keep and k not in wanted]:
        del params[key]
    for key, value in wanted.items():
        if params.get(key) != value:
            params[key] = value


def to_query(view: View) -> dict[str, str]:
    """The URL parameters of a view."""
    out = {"prov": ",".join(view.provinces), "kind": view.kind, "r": str(view.radius),
           "measure": view.measure, "hubs": str(view.k)}
    if view.municipalities:
        out["muni"] = ",".join(view.municipalities)
    if view.presumed:
        out["presumed"] = "1"
    return out


# The figures' wording: each sentence names what it counts (straight-line distance within R,
# or presence in the settlement itself, and for NGOs only the known ones). Per kind, never
# one organisation counted twice, never averaged across kinds.

def library_definition_words(_, presumed: bool) -> str:
    """Which libraries count, in words ('libraries known by name')."""
    return (_("libraries known by name and the library of every chitalishte") if presumed
            else _("libraries known by name"))


def kind_label(_, kind: str, ngos: int, presumed: bool) -> str:
    """A kind's name over its figures: 'Known NGOs (87)', 'Chitalishta', …."""
    return {"ngo": _("Known NGOs ({n})").format(n=ngos), "chitalishte": _("Chitalishta"),
            "library": (_("Libraries, with every chitalishte's library") if presumed
                        else _("Libraries known by name")),
            "any": _("Any kind (each once)")}[kind]


def short_kind_label(_, kind: str, ngos: int) -> str:
    """A kind's name where a label is narrow (a figure's title): 'Known NGOs (87)', 'Libraries'.

    The full definition (`kind_label`) goes in the figure's help.
    """
    return {"ngo": _("Known NGOs ({n})").format(n=ngos), "chitalishte": _("Chitalishta"),
            "library": _("Libraries"), "any": _("Any kind")}[kind]


def distance_heading(_, radius: int) -> str:
    """The label of the group of distance figures."""
    if radius:
        return _("Distance (straight line, R = {r} km)").format(r=radius)
    return _("Residents with none in their own settlement (R = 0)")


def presence_heading(_) -> str:
    """The label of the group of presence figures."""
    return _("Presence in the settlement itself")


def headline(_, kind: str, radius: int, ngos: int, presumed: bool, share: str, n: str) -> str:
    """The sentence above the figures, naming its distance or presence and its kind."""
    library = library_definition_words(_, presumed)
    if radius:
        text = {
            "ngo": _("**{share}** of residents ({n}) live more than {r} km (straight line) "
                     "from the nearest of the {ngos} known NGOs."),
            "chitalishte": _("**{share}** of residents ({n}) live more than {r} km (straight "
                             "line) from the nearest chitalishte."),
            "library": _("**{share}** of residents ({n}) live more than {r} km (straight "
                         "line) from the nearest library ({library})."),
            "any": _("**{share}** of residents ({n}) live more than {r} km (straight line) "
                     "from the nearest organisation of any kind (known NGO, chitalishte or "
                     "library)."),
        }[kind]
    else:
        text = {
            "ngo": _("**{share}** of residents ({n}) live in a settlement without any of the "
                     "{ngos} known NGOs."),
            "chitalishte": _("**{share}** of residents ({n}) live in a settlement with no "
                             "chitalishte of its own."),
            "library": _("**{share}** of residents ({n}) live in a settlement with no library "
                         "of its own ({library})."),
            "any": _("**{share}** of residents ({n}) live in a settlement with no organisation "
                     "of its own of any kind (known NGO, chitalishte or library)."),
        }[kind]
    return text.format(share=share, n=n, r=radius, ngos=ngos, library=library)


def distance_caption(_, radius: int, n: str, mean_km: str) -> str:
    """Under a kind's share: what the share counts, how many people, the mean distance."""
    if radius:
        text = _("of residents live more than {r} km away in a straight line ({n} people) · "
                 "mean distance to the nearest: {km}")
    else:
        text = _("of residents have none in their own settlement ({n} people) · mean "
                 "distance to the nearest: {km}")
    return text.format(r=radius, n=n, km=mean_km)


def presence_sentence(_, kind: str, ngos: int, presumed: bool, without: str,
                      inhabited: str) -> str:
    """How many inhabited settlements have no organisation of the kind of their own."""
    text = {
        "ngo": _("{without} of {all} inhabited settlements have none of the {ngos} known "
                 "NGOs"),
        "chitalishte": _("{without} of {all} inhabited settlements have no chitalishte of "
                         "their own"),
        "library": _("{without} of {all} inhabited settlements have no library of their own "
                     "({library})"),
        "any": _("{without} of {all} inhabited settlements have no organisation of any kind "
                 "of their own"),
    }[kind]
    return text.format(without=without, all=inhabited, ngos=ngos,
                       library=library_definition_words(_, presumed))


@dataclass(frozen=True)
class Figure:
    """One kind's figure: its title, its value, a line under it, the definition on hover."""

    label: str = ""
    value: str = ""
    note: str = ""
    help: str = ""
    current: bool = False  # the kind the page is about: drawn in bold


FIGURE_CSS = (
    "<style>.civic-figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));"
    "gap:0.5rem 1rem;margin-bottom:0.5rem}.civic-figure-label{font-size:0.875rem}"
    ".civic-figure-value{font-size:2.25rem;line-height:1.3}.civic-figure-note{font-size:0.875rem;"
    "opacity:0.7}.civic-figure.current .civic-figure-label,.civic-figure.current "
    ".civic-figure-value,.civic-figure.current .civic-figure-text{font-weight:600}</style>")


def figure_cards(figures: Sequence[Figure]) -> str:
    """A row of figures as one HTML element (escaped); side by side, wrapping on a phone.

    One element instead of a column, a metric and a caption per kind: each Streamlit element
    costs the browser its own rendering before the page's map is drawn.
    """
    cells = []
    for f in figures:
        parts = [f'<div class="civic-figure-label">{escape(f.label)}</div>'] if f.label else []
        if f.value:
            parts.append(f'<div class="civic-figure-value">{escape(f.value)}</div>')
        if f.note:
            css = "civic-figure-note" if f.value else "civic-figure-text"
            parts.append(f'<div class="{css}">{escape(f.note)}</div>')
        title = f' title="{escape(f.help, quote=True)}"' if f.help else ""
        cells.append(f'<div class="civic-figure{" current" if f.current else ""}"{title}>'
                     f'{"".join(parts)}</div>')
    return f'{FIGURE_CSS}<div class="civic-figures">{"".join(cells)}</div>'
