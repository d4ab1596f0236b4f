"""Folium's rendered parts kept as text: never compiled or run as templates a second time.

branca's `MacroElement.render` wraps each macro's output (its header, html and script) in
`Element(text)`, which compiles that text as a Jinja template and runs it when the figure
is rendered. The output holds data — an organisation's name, an address, a GeoJSON
property — so a name with `{{ 7*7 }}` showed as 49, and a crafted one could run code in
the server. Compiling a map's hundreds of kilobytes of records as a template was also a
quarter of a Map rerun for a new province set (py-spy, 50 sessions).

`plain_macros()` (called when `layers` is imported) makes every MacroElement add its
rendered parts as `Rendered` text: the same bytes, evaluated once, by the element's own
template only.
"""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement

BRANCA_RENDER = MacroElement.render  # branca's own, kept for the tests' comparison


class Rendered(Element):
    """Markup or script already rendered: given back as it is."""

    def __init__(self, text: str):
        """Keep `text`."""
        super().__init__()
        self._name = "Rendered"
        self.text = text

    def render(self, **kwargs) -> str:
        """The text itself (branca's Element would run it as a template)."""
        return self.text


def render_macros(self: MacroElement, **kwargs) -> None:
    """`MacroElement.render` with the macros' output added as `Rendered` text."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"{self.get_name()} is not in a Figure: it cannot be rendered")
    macros = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(Rendered(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def plain_macros() -> None:
    """Make every MacroElement (folium's and ours) render through `render_macros`."""
    MacroElement.render = render_macros
