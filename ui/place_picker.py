"""Search box with as-you-type settlement suggestions, and a "use my location" button.

A Streamlit v2 component (no iframe). Suggestions come from the gazetteer's settlement
list, which the build writes to static/generated/places.json; the browser loads it once
and filters it locally, so typing costs no server round trips. Submitting sends the text
(any address or place) as a one-time trigger; the location button sends the browser's
coordinates.
"""

from __future__ import annotations

import streamlit as st

_HTML = """
<div class="picker">
  <form class="row" role="search" action="#" novalidate>
    <input class="q" type="search" name="q" autocomplete="off" autocorrect="off"
           spellcheck="false" enterkeyhint="search">
    <button class="go" type="submit"></button>
  </form>
  <ul class="suggestions" role="listbox"></ul>
  <button class="locate" type="button"></button>
  <div class="status" role="status"></div>
</div>
"""

_CSS = """
.picker { font-family: var(--st-font); }
.row { display: flex; gap: 6px; }
.q { flex: 1; min-width: 0; font-size: 16px; padding: 8px 10px; border-radius: 8px;
     border: 1px solid var(--st-border-color, #ccc); background: var(--st-background-color);
     color: var(--st-text-color); }
button { font-size: 15px; padding: 8px 12px; border-radius: 8px; cursor: pointer;
         border: 1px solid var(--st-border-color, #ccc);
         background: var(--st-secondary-background-color); color: var(--st-text-color); }
.go { background: var(--st-primary-color); color: #fff; border: none; }
.locate { margin-top: 8px; width: 100%; }
.suggestions { list-style: none; margin: 4px 0 0; padding: 0; max-height: 260px;
               overflow-y: auto; }
.suggestions li { padding: 8px 10px; border-bottom: 1px solid var(--st-border-color, #eee);
                  cursor: pointer; overflow-wrap: anywhere; }
.suggestions li:hover, .suggestions li.active { background: var(--st-secondary-background-color); }
.status { font-size: 13px; margin-top: 4px; opacity: 0.8; }
"""

_JS = """
let places = null;
const TURKISH = {'ı': 'i', 'İ': 'i', 'ş': 's', 'ç': 'c', 'ğ': 'g', 'ö': 'o', 'ü': 'u'};
function fold(s) {
  return (s || '').replace(/[ıİşçğöü]/g, ch => TURKISH[ch]).toLowerCase()
    .replace(/[„“"'«»]/g, '').replace(/ё/g, 'е').trim();
}
function loadPlaces(url) {
  if (!places) {
    places = fetch(url).then(r => r.json()).catch(() => []);
  }
  return places;
}
export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  const root = parentElement;
  const input = root.querySelector('.q');
  const list = root.querySelector('.suggestions');
  const status = root.querySelector('.status');
  const t = data.labels;
  input.placeholder = t.placeholder;
  input.setAttribute('aria-label', t.placeholder);
  root.querySelector('.go').textContent = t.search;
  root.querySelector('.locate').textContent = t.locate;
  // Only a new value from the page replaces the text: a rerun that still carries the old one
  // (the page draws the box before it reads the query) must not empty what was just typed.
  const fromPage = data.value || '';
  if (input._fromPage !== fromPage) {
    input._fromPage = fromPage;
    if (document.activeElement !== input) { input.value = fromPage; }
  }

  let token = 0;  // a newer keystroke or a submit makes a pending suggestion list stale
  function submit(text) {
    token++;
    list.replaceChildren();
    if (text.trim()) { setTriggerValue('query', text.trim()); }
  }
  function label(p) {
    const other = data.turkish && p[5] ? p[5] : (data.latin ? p[2] : '');
    return p[0] + ' ' + p[1] + ' (' + (other ? other + ', ' : '') + t.municipality + ' '
      + p[3] + ', ' + p[4] + ')';
  }
  async function suggest() {
    const q = fold(input.value);
    const mine = ++token;
    list.replaceChildren();
    if (q.length < 2) { return; }
    const rows = await loadPlaces(data.url);
    if (mine !== token) { return; }
    const hits = [];
    for (const p of rows) {
      const names = [fold(p[1]), fold(p[2]), fold(p[5])];
      if (names.some(n => n.startsWith(q) || n.includes(' ' + q))) {
        hits.push(p);
        if (hits.length >= 8) { break; }
      }
    }
    for (const p of hits) {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.textContent = label(p);  // text, never markup
      li.addEventListener('click', () => {
        const query = p[0] + ' ' + p[1] + ', общ. ' + p[3] + ', обл. ' + p[4];
        input.value = p[0] + ' ' + p[1];
        submit(query);
      });
      list.appendChild(li);
    }
  }
  const form = root.querySelector('form');
  if (!form._bound) {  // the function runs on every rerun; listeners once per element
    form._bound = true;
    input.addEventListener('input', () => root._suggest());
    // Enter (a phone keyboard's search key too) and the button submit the form; a form
    // is what makes a phone's keyboard show "search" rather than "next field".
    form.addEventListener('submit', e => {
      e.preventDefault();
      root._submit(input.value);
    });
  }
  root._suggest = suggest;
  root._submit = submit;
  root._locate = () => {
    if (!navigator.geolocation) { status.textContent = t.no_location; return; }
    status.textContent = t.locating;
    navigator.geolocation.getCurrentPosition(
      pos => {
        status.textContent = '';
        setTriggerValue('location', {lat: pos.coords.latitude, lon: pos.coords.longitude,
                                     accuracy: pos.coords.accuracy});
      },
      () => { status.textContent = t.no_location; },
      {enableHighAccuracy: false, timeout: 10000, maximumAge: 60000});
  };
  const locate = root.querySelector('.locate');
  if (!locate._bound) {
    locate._bound = true;
    locate.addEventListener('click', () => root._locate());
  }
}
"""

_component = st.components.v2.component("civic_place_picker", html=_HTML, css=_CSS, js=_JS)

SUGGESTIONS_URL = "/app/static/generated/places.json"


def place_picker(labels: dict[str, str], value: str = "", latin: bool = False,
                 key: str = "place_picker", turkish: bool = False):
    """Mount the picker; returns what the user did, for the one rerun after, else None.

    The result has `.query` (text) or `.location` ({lat, lon}). `latin` shows the Latin names
    beside the Bulgarian ones, `turkish` the Turkish names where known.
    """
    return _component(
        key=key,
        data={"labels": labels, "value": value, "latin": latin, "turkish": turkish,
              "url": SUGGESTIONS_URL},
        on_query_change=lambda: None,
        on_location_change=lambda: None,
    )
