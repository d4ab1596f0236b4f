"""The Regions page's view state and its URL form (?prov=KRZ,RAZ&muni=KRZ16&r=5).

Pure functions, no Streamlit, parsed with Coverage's helpers (ui.coverage_view): unknown
provinces and municipalities are dropped (a `prov` naming none known: the default
provinces; an empty `prov`: none chosen), a municipality outside the chosen provinces too,
and a radius outside 1..30 km is clamped (not a number: the default).
"""

from __future__ import annotations

from dataclasses import dataclass

from civic.facts import DEFAULT_PROVINCES, DEFAULT_RADIUS_KM
from ui.coverage_view import area, codes, whole

MIN_RADIUS = 1
MAX_RADIUS = 30
URL_KEYS = ("prov", "muni", "r")
KEYS = ("r_provinces", "r_municipalities", "r_radius")  # the page's widget keys


@dataclass(frozen=True)
class View:
    """What the Regions page shows."""

    provinces: tuple[str, ...] = DEFAULT_PROVINCES
    municipalities: tuple[str, ...] = ()
    radius: int = int(DEFAULT_RADIUS_KM)

    def widget_values(self) -> dict:
        """The session-state values of the page's widgets for this view."""
        return dict(zip(KEYS, (list(self.provinces), list(self.municipalities),
                               self.radius)))

    @classmethod
    def from_widgets(cls, state) -> View:
        """The view the widgets show now."""
        return cls(tuple(state[KEYS[0]]), tuple(state[KEYS[1]]), int(state[KEYS[2]]))


def from_query(query: dict[str, str], provinces: set[str],
               municipalities: set[str]) -> View | None:
    """The view a URL names, unknown values replaced by defaults; None when it names none."""
    if not any(k in query for k in URL_KEYS):
        return None
    d = View()
    if (query.get("prov") or "").strip() and not codes(query["prov"], provinces):
        query = {k: v for k, v in query.items() if k != "prov"}  # none known: the defaults
    prov, munis = area(query, provinces, municipalities, d.provinces)
    return View(prov, munis, whole(query.get("r"), d.radius, MAX_RADIUS, MIN_RADIUS))


def to_query(view: View) -> dict[str, str]:
    """The URL parameters of a view (no `muni` when every municipality is shown)."""
    out = {"prov": ",".join(view.provinces), "r": str(view.radius)}
    if view.municipalities:
        out["muni"] = ",".join(view.municipalities)
    return out
