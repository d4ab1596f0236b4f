"""Text from data, made safe for the place it lands in: HTML, or a script inside the page.

Folium pastes a plain `tooltip=` string into a JavaScript template literal, where a
backtick or `${…}` runs as code and `html.escape` does not help. Every layer builds its
tooltips with `tooltip()` here instead: the text is cleaned (bidi overrides and zero-width
characters removed), HTML-escaped, then written into the script as a JSON string with
`<`, `>`, `&`, `'`, U+2028 and U+2029 escaped, so it can neither end the string nor the
`<script>` element.
"""

from __future__ import annotations

import json
import re
from html import escape

import folium
from folium.template import Template

# Bidi embeddings/overrides/isolates, zero-width characters, BOM, other C0/C1 controls.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
                        "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def clean_text(text: object) -> str:
    """Text without bidi overrides, zero-width characters and control characters."""
    return _INVISIBLE.sub("", "" if text is None else str(text))


def html_text(text: object) -> str:
    """Cleaned text, HTML-escaped (quotes too): safe as element content or an attribute."""
    return escape(clean_text(text), quote=True)


def script_string(value: object) -> str:
    """`value` as a JSON literal that is safe inside an inline `<script>` element."""
    out = json.dumps(value, ensure_ascii=False)
    return re.sub("[<>&'\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group()], out)


class SafeTooltip(folium.Tooltip):
    """A tooltip whose text is data: escaped for HTML, then passed as a JSON string."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip(
                {{ this.safe_html }},
                {{ this.options|tojavascript }}
            );
        {% endmacro %}
        """)

    def __init__(self, text: object, **kwargs):
        """`text` is raw data; `kwargs` are folium.Tooltip's options (sticky, style…)."""
        super().__init__(str(text), **kwargs)
        self.safe_html = script_string(f"<div>{html_text(text)}</div>")


def tooltip(text: object, **kwargs) -> SafeTooltip:
    """A tooltip showing `text` (raw, unescaped data) as plain text."""
    return SafeTooltip(text, **kwargs)
