"""A cached Folium map shown by streamlit-folium's component, rendered once, not per run.

`st_folium` renders the whole map on every rerun: folium turns each element's script into a
Jinja template and compiles it, so drawing the same cached map cost a fifth of the
server's time under load (py-spy, 50 sessions). Here the map is rendered once, the parts
st_folium sends (script, header, html, links) are kept on the map object itself (so they
go when its cache evicts it), and each run only sends them. The parts are those
streamlit-folium computes, through its own helpers; tests/test_map_element.py checks
they match what `st_folium` sends for the same map.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

ATTRIBUTE = "_civic_prepared"


@dataclass(frozen=True)
class Prepared:
    """What streamlit-folium's component needs of one rendered map."""

    script: str
    header: str
    html: str
    id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _elements(fig) -> Iterable:
    """The map's colormaps and elements that bring script or style links, depth first."""
    if isinstance(fig, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _elements(child)


def prepare(fmap: folium.Map) -> Prepared:
    """Render `fmap` (it is changed: pass a copy) into what the component is sent."""
    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)  # before the script: that step alters the folium structure
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    for elem in _elements(fmap):
        if isinstance(elem, branca.colormap.ColorMap):
            js[:0] = ["https://d3js.org/d3.v4.min.js",
                      "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return Prepared(script, header, html, sf.get_full_id(fmap), tuple(dict.fromkeys(css)),
                    tuple(dict.fromkeys(js)))


def prepared(fmap: folium.Map) -> Prepared:
    """The map's prepared parts, made from a copy on first use and kept on the map.

    Two sessions asking at once may both prepare it; they get equal parts.
    """
    ready = getattr(fmap, ATTRIBUTE, None)
    if ready is None:
        ready = prepare(copy.deepcopy(fmap))
        setattr(fmap, ATTRIBUTE, ready)
    return ready


def show_map(fmap: folium.Map, key: str, height: int,
             returned_objects: Iterable[str] = (), center=None, zoom: int | None = None):
    """Show a map that is never changed after it is built (cached) as `st_folium` would.

    Returns the component's value: of `returned_objects`, only "last_clicked" is kept
    (None until a click), as the pages need no more.
    """
    wanted = list(returned_objects)
    if set(wanted) - {"last_clicked"}:
        raise ValueError(f"show_map returns only last_clicked, not {wanted}")
    parts = prepared(fmap)
    hash_key = sf.generate_js_hash(parts.script, key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=parts.script, header=parts.header, html=parts.html, id=parts.id, key=hash_key,
        height=height, width=None, returned_objects=wanted,
        default={k: None for k in wanted}, zoom=zoom, center=center, feature_group=None,
        return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(parts.css_links), js_links=list(parts.js_links), on_change=on_change,
        wrap_longitude=False)
