"""The Coverage page's view state and its URL form (?prov=KRZ,RAZ&kind=ngo&r=10…).

Pure functions, no Streamlit: the page reads the URL once, keeps the view in the session
when the user visits another page, and writes the URL back after every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _codes(text: str | None, known: set[str]) -> tuple[str, ...]:
    return tuple(c for c in (text or "").upper().split(",") if c in known)


def _int(text: str | None, default: int, top: int) -> int:
    try:
        return min(max(int(float(text)), 0), top)
    except (TypeError, ValueError):
        return default


def from_query(query: dict[str, str], provinces: set[str],
               municipalities: set[str]) -> View | None:
    """The view a URL names, unknown values replaced by defaults; None when it names none."""
    if not any(k in query for k in URL_KEYS):
        return None
    d = View()
    prov = _codes(query.get("prov"), provinces) if "prov" in query else d.provinces
    munis = tuple(m for m in _codes(query.get("muni"), municipalities) if m[:3] in prov)
    kind = query.get("kind") if query.get("kind") in KIND_CHOICES else d.kind
    measure = query.get("measure") if query.get("measure") in MEASURES else d.measure
    return View(prov, munis, kind, _int(query.get("r"), d.radius, MAX_RADIUS),
                query.get("presumed") == "1", measure, _int(query.get("hubs"), d.k, MAX_HUBS))


def to_query(view: View) -> dict[str, str]:
    """The URL parameters of a view."""
    out = {"prov": ",".join(view.provinces), "kind": view.kind, "r": str(view.radius),
           "measure": view.measure, "hubs": str(view.k)}
    if view.municipalities:
        out["muni"] = ",".join(view.municipalities)
    if view.presumed:
        out["presumed"] = "1"
    return out
