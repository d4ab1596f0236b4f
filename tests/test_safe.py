"""layers.safe: text from data cannot become script in a tooltip, popup or template."""

from __future__ import annotations

import json

import folium
import pytest

from layers.safe import clean_text, html_text, script_string, tooltip
from tests.payloads import PAYLOADS


@pytest.mark.parametrize("payload", PAYLOADS)
def test_tooltip_text_is_a_script_safe_string(payload):
    fmap = folium.Map()
    folium.CircleMarker([42, 25], tooltip=tooltip(payload)).add_to(fmap)
    html = fmap.get_root().render()
    call = html[html.index("bindTooltip("):]
    argument = call[len("bindTooltip("):].lstrip()
    assert argument.startswith('"')  # a JSON string, never a template literal
    value, end = json.JSONDecoder().raw_decode(argument)
    literal = argument[:end]
    assert value == f"<div>{html_text(payload)}</div>"
    assert not set("<>'") & set(literal)  # cannot end the string or the <script> element


def test_script_string_escapes_what_could_end_a_script():
    out = script_string("</script><!-- ' & \u2028")
    assert out == '"\\u003c/script\\u003e\\u003c!-- \\u0027 \\u0026 \\u2028"'


def test_bidi_and_zero_width_are_dropped_and_markup_is_text():
    assert clean_text("a\u202eb\u200bc\u2066d") == "abcd"
    assert html_text("<b onclick=\"x\">") == "&lt;b onclick=&quot;x&quot;&gt;"
