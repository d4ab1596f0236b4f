"""Altair bar charts where no category hides: every bar carries its value, a 0 included.

A bar of length 0 is invisible, so a legend could list four kinds while two show. Each bar
here gets a text mark with its value (formatted by the caller in the reader's language), and
a bar at 0, or too short to see (under 1 % of the axis, like a 0.1 % beside 30 %), gets a
thin stub in its colour at the zero line.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

LABEL = "value_label"
STUB_PX = 3  # the width of the stub drawn for a 0, in pixels
HEADROOM = 1.15  # the value axis reaches past the longest bar, to leave room for its label
TINY = 0.01  # a bar shorter than this share of the axis gets the stub too


_ALL = "regexp('{}', 'g')"
# d3 formats ticks the English way ('1,000.5', '20%'); these rewrite its label per language.
_SEPARATORS = {
    "bg": f"replace(replace(datum.label, {_ALL.format(',')}, '\u00a0'), "
          f"{_ALL.format(chr(92) * 2 + '.')}, ',')",
    "tr": f"replace(replace(replace(datum.label, {_ALL.format(',')}, '~'), "
          f"{_ALL.format(chr(92) * 2 + '.')}, ','), {_ALL.format('~')}, '.')",
}


def value_axis(lang: str, percent: bool = False, **kwargs) -> alt.Axis:
    """An axis whose tick labels read as numbers do in `lang` (a share axis: `percent`)."""
    if percent:
        kwargs["format"] = "%"
    label = _SEPARATORS.get(lang)
    if label and percent and lang == "tr":  # '%20', '−%10'
        label = (f"(datum.value < 0 ? '\u2212' : '') + '%' + "
                 f"replace(replace({label}, '%', ''), '\u2212', '')")
    return alt.Axis(labelExpr=label, **kwargs) if label else alt.Axis(**kwargs)


def _tiny(table: pd.DataFrame, value: str):
    """The filter of the rows whose bar would not show: 0, or under TINY of the axis."""
    top = float(table[value].max()) if len(table) else 0.0
    return alt.datum[value] <= max(top, 0.0) * HEADROOM * TINY


def _with_headroom(channel, table: pd.DataFrame, value: str):
    """The channel, its scale from 0 to past the largest value, unless the caller set one."""
    top = float(table[value].max()) if len(table) else 0.0
    spec = channel.to_dict(validate=False)
    if "scale" in spec or top <= 0:
        return channel
    return type(channel).from_dict({**spec, "scale": {"domain": [0, top * HEADROOM]}})


def labelled(table: pd.DataFrame, labels) -> pd.DataFrame:
    """The table with a column of value labels (one per row, in the table's order)."""
    return table.assign(**{LABEL: list(labels)})


def horizontal_bars(table: pd.DataFrame, x: alt.X, y: alt.Y, color: alt.Color,
                    offset, tooltip: list, value: str) -> alt.LayerChart:
    """Bars along x, each with its label beside it and a visible stub where it is 0.

    `table` must hold the column LABEL (see `labelled`); `value` is the field x encodes;
    `offset` a field name or an alt.YOffset.
    """
    x = _with_headroom(x, table, value)
    base = alt.Chart(table).encode(y=y, color=color, tooltip=tooltip,
                                   **({"yOffset": offset} if offset else {}))
    bars = base.mark_bar().encode(x=x)
    stubs = base.transform_filter(_tiny(table, value)).mark_bar().encode(
        x=alt.value(0), x2=alt.value(STUB_PX))
    text = base.mark_text(align="left", baseline="middle", dx=STUB_PX + 2, fontSize=11,
                          color="#333").encode(x=x, text=alt.Text(f"{LABEL}:N"),
                                               color=alt.value("#333"))
    return alt.layer(bars, stubs, text)


def vertical_bars(table: pd.DataFrame, x: alt.X, y: alt.Y, color: alt.Color,
                  offset, tooltip: list, value: str) -> alt.LayerChart:
    """Bars up the y axis, each with its label on top, a 0 as a '0' at the zero line.

    `table` must hold the column LABEL (see `labelled`); `value` is the field y encodes;
    `offset` a field name or an alt.XOffset.
    """
    y = _with_headroom(y, table, value)
    base = alt.Chart(table).encode(x=x, color=color, tooltip=tooltip,
                                   **({"xOffset": offset} if offset else {}))
    bars = base.mark_bar().encode(y=y)
    stubs = base.transform_filter(_tiny(table, value)).mark_bar().encode(
        y=alt.value("height"), y2=alt.value({"expr": f"height - {STUB_PX}"}))
    text = base.mark_text(align="center", baseline="bottom", dy=-STUB_PX - 1, fontSize=10,
                          color="#333").encode(y=y, text=alt.Text(f"{LABEL}:N"),
                                               color=alt.value("#333"))
    return alt.layer(bars, stubs, text)


def zero_filled(table: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Every combination of the `keys` values present, the missing ones with `value` 0."""
    full = pd.MultiIndex.from_product([table[k].unique() for k in keys], names=keys)
    return table.set_index(keys).reindex(full, fill_value=0).reset_index()
