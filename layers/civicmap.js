/* civicmap.js: organisations and settlements drawn in the browser from compact records.
 *
 * Text from the data is only ever set with textContent or as an href that Python
 * already checked (http(s), tel: digits, plain e-mail, cards on chitalishta.com), so no
 * name can become markup.
 * Marks are L.CircleMarker on the canvas renderer; organisations at one location are
 * one mark with a count, whose popup lists them all.
 */
/* exported civicOrganisations, civicSettlements, civicTiles, civicFullscreen, civicFillFrame, civicWatch,
   civicFitPanel */

var CIVIC_CYRILLIC = 'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯабвгдежзийклмнопрстуфхцчшщъьюя„“–';
var CIVIC_CODES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';

function civicText(s) {
    /* Text from layers/transport.py: '^' switches Cyrillic on and off, '^^' is '^'. */
    if (s.indexOf('^') < 0) { return s; }
    var out = [], cyrillic = false;
    for (var i = 0; i < s.length; i++) {
        var c = s.charAt(i);
        if (c === '^' && s.charAt(i + 1) === '^') { out.push('^'); i++; continue; }
        if (c === '^') { cyrillic = !cyrillic; continue; }
        var k = cyrillic ? CIVIC_CODES.indexOf(c) : -1;
        out.push(k >= 0 ? CIVIC_CYRILLIC.charAt(k) : c);
    }
    return out.join('');
}

function civicTexts(v) {
    /* civicText over every string inside v. */
    if (typeof v === 'string') { return civicText(v); }
    if (Array.isArray(v)) { return v.map(civicTexts); }
    if (v && typeof v === 'object') {
        var o = {};
        Object.keys(v).forEach(function (k) { o[k] = civicTexts(v[k]); });
        return o;
    }
    return v;
}

/* Name search as geo/filters.name_matches does it: the query folded (lower case, no
 * quotes, single spaces) inside the folded name, or its Latin spelling inside the name's. */
var CIVIC_LATIN = {'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ж': 'zh',
    'з': 'z', 'и': 'i', 'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o', 'п': 'p',
    'р': 'r', 'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'h', 'ц': 'ts', 'ч': 'ch', 'ш': 'sh',
    'щ': 'sht', 'ъ': 'a', 'ь': 'y', 'ю': 'yu', 'я': 'ya', 'ѝ': 'i', 'ё': 'e'};

function civicFold(text) {
    return String(text || '').normalize('NFC').toLowerCase().replace(/ѝ/g, 'и').replace(/ё/g, 'е')
        .replace(/["'„“”«»‘’‚‛`]/g, '').replace(/[‐‑‒–—―−]/g, '-').replace(/\s*-\s*/g, '-')
        .replace(/\s+/g, ' ').replace(/^[ .,;]+|[ .,;]+$/g, '');
}

function civicLatin(text) {
    /* The Streamlined System (civic.text.to_latin), lower case: word-final 'ия' is 'ia'. */
    var t = String(text || '').toLowerCase().replace(/ия(?![а-яѝё])/g, 'иа');
    var out = '';
    for (var i = 0; i < t.length; i++) {
        var c = t.charAt(i);
        out += CIVIC_LATIN.hasOwnProperty(c) ? CIVIC_LATIN[c] : c;
    }
    return out;
}

// Letters civic.text.to_latin leaves as they are (its table has no capital soft sign).
var CIVIC_UNSPELLED = 'ѝЍёЁЬ';

function civicSpelled(text) {
    /* civic.text.to_latin, case kept ('Читалище' -> 'Chitalishte'): the Latin names of the
     * English and Turkish maps are spelled here, not sent with every organisation. */
    var t = String(text || '').replace(/ия(?![\p{L}\p{N}_])/gu, 'иа')
        .replace(/ИЯ(?![\p{L}\p{N}_])/gu, 'ИА');
    var out = '';
    for (var i = 0; i < t.length; i++) {
        var c = t.charAt(i), low = c.toLowerCase();
        if (CIVIC_UNSPELLED.indexOf(c) >= 0 || !CIVIC_LATIN.hasOwnProperty(low)) {
            out += c;
            continue;
        }
        var l = CIVIC_LATIN[low];
        out += c === low ? l : l.charAt(0).toUpperCase() + l.slice(1);
    }
    return out;
}

function civicWatch(attr, key, apply) {
    /* Apply the JSON in the app page's last `[attr]` element whenever it changes (and once
     * now), if it is meant for the layer `key` (null: whichever layer); true when one was
     * applied. */
    var last = null;
    function read() {
        var els;
        try { els = window.parent.document.querySelectorAll('[' + attr + ']'); } catch (e) { return false; }
        if (!els.length) { return false; }
        var text = els[els.length - 1].getAttribute(attr);
        if (text === last) { return true; }
        var value;
        try { value = JSON.parse(text); } catch (e) { return false; }
        if (!value || (key !== null && value.key !== key)) { return false; }
        last = text;
        apply(value);
        return true;
    }
    var found = read();
    try {
        new window.parent.MutationObserver(read).observe(window.parent.document.body, {
            subtree: true, childList: true, attributes: true, attributeFilter: [attr]});
    } catch (e) { /* not inside the app's page */ }
    return found;
}

function civicByProvince(apply) {
    /* The Map page's province set (layers/filter_panel.js puts it in the filter): calls
     * apply(shown) now and whenever the set changes, `shown(code)` telling whether a
     * province is chosen. Until the page holds a filter, every province is shown. */
    var last = null;
    function use(codes) {
        var text = codes ? codes.join(',') : '*';
        if (text === last) { return; }
        last = text;
        apply(function (code) { return !codes || codes.indexOf(code) >= 0; });
    }
    var found = civicWatch('data-civic-map-filter', null, function (f) {
        use(Array.isArray(f.provinces) ? f.provinces : null);
    });
    if (!found) { use(null); }
}

function civicFitPanel(map) {
    /* Frame what the Map page's filter panel asks for (its `fit`), as the map is made:
     * the map holds every province, the panel says which to show. */
    try {
        var els = window.parent.document.querySelectorAll('[data-civic-map-filter]');
        if (!els.length) { return; }
        var f = JSON.parse(els[els.length - 1].getAttribute('data-civic-map-filter'));
        if (f && f.fit) {
            map.fitBounds([[f.fit[1], f.fit[0]], [f.fit[3], f.fit[2]]],
                          {padding: [20, 20], maxZoom: 14});
        }
    } catch (e) { /* not inside the app's page */ }
}

function civicLangParam() {
    var lang = '';
    try {
        lang = new URLSearchParams(window.parent.location.search).get('lang') || '';
    } catch (e) { lang = ''; }
    return lang ? '&lang=' + encodeURIComponent(lang) : '';
}

function civicEl(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    return el;
}

/* One mark per location: a CircleMarker that also writes its count on the canvas. */
var CivicCountMarker = L.CircleMarker.extend({
    _updatePath: function () {
        L.CircleMarker.prototype._updatePath.call(this);
        var n = this.options.count, r = this._renderer;
        if (n > 1 && r && r._ctx && !this._empty()) {
            var ctx = r._ctx, p = this._point;
            ctx.save();
            ctx.font = 'bold 11px sans-serif';
            ctx.textAlign = 'center';
            ctx.textBaseline = 'middle';
            ctx.fillStyle = this.options.textColor || '#222';
            ctx.fillText(String(n), p.x, p.y + 0.5);
            ctx.restore();
        }
    }
});

function civicFillFrame(map) {
    /* The map fills its frame; the page sizes the frame to the window. */
    var box = map.getContainer();
    box.style.height = '100%';
    box.style.width = '100%';
    document.documentElement.style.height = '100%';
    document.body.style.height = '100%';
    document.body.style.margin = '0';
    var parent = box.parentElement;
    while (parent && parent !== document.body) {
        parent.style.height = '100%';
        parent = parent.parentElement;
    }
    window.addEventListener('resize', function () { map.invalidateSize(); });
    document.addEventListener('fullscreenchange', function () { map.invalidateSize(); });
    map.invalidateSize();
}

function civicFullscreen(map, title) {
    /* A control that shows the map on the whole screen (for projection) and back. */
    var control = L.control({position: 'topleft'});
    control.onAdd = function () {
        var bar = civicEl('div', 'leaflet-bar civic-fullscreen');
        var a = civicEl('a');
        var ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('viewBox', '0 0 16 16');
        svg.setAttribute('width', '16');
        svg.setAttribute('height', '16');
        svg.style.verticalAlign = 'middle';
        var path = document.createElementNS(ns, 'path');
        path.setAttribute('d', 'M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5');
        path.setAttribute('fill', 'none');
        path.setAttribute('stroke', '#333');
        path.setAttribute('stroke-width', '2');
        svg.appendChild(path);
        a.appendChild(svg);
        a.href = '#';
        a.title = title;
        a.setAttribute('role', 'button');
        a.setAttribute('aria-label', title);
        bar.appendChild(a);
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(a, 'click', function (e) {
            L.DomEvent.preventDefault(e);
            var box = map.getContainer();
            if (document.fullscreenElement) {
                document.exitFullscreen();
            } else if (box.requestFullscreen) {
                box.requestFullscreen();
            }
        });
        return bar;
    };
    control.addTo(map);
}

function civicUndelta(flat) {
    /* Steps back to absolute x, y pairs, in place. */
    for (var k = 2; k + 1 < flat.length; k += 2) {
        flat[k] += flat[k - 2];
        flat[k + 1] += flat[k - 1];
    }
    return flat;
}

function civicOverlaySlot() {
    /* A place in window.civicOverlays (the layer control's order) for a layer drawn later. */
    var list = window.civicOverlays = window.civicOverlays || [];
    list.push(null);
    return list.length - 1;
}

function civicWhenInflated(D, draw) {
    /* draw(records) now, or, for records sent deflated (D.z, layers/transport.py), once
     * they are inflated: that promise joins window.civicBaseReady, which the organisation
     * layer waits for (it names the settlements the base map draws). */
    if (!D.z) { return draw(D); }
    var done = civicInflate(D.z).then(function (text) { draw(JSON.parse(text)); })
        .catch(function (e) { setTimeout(function () { throw e; }, 0); });  // a page error
    (window.civicBaseReady = window.civicBaseReady || []).push(done);
    return null;
}

function civicSettlements(map, D, pane, layerName) {
    var slot = civicOverlaySlot();
    return civicWhenInflated(D, function (R) {
        return civicDrawSettlements(map, R, pane, layerName, slot);
    });
}

function civicDrawSettlements(map, D, pane, layerName, slot) {
    /* Settlement dots with a 'name — residents' tooltip, from columnar records. With D.pv
     * (each place's province, three letters) only the chosen provinces' places are drawn,
     * their dots made when first needed (civicByProvince). */
    D = civicTexts(D);
    var group = L.featureGroup();
    var residents = D.residents;
    civicUndelta(D.xy);
    window.civicPlaceNames = D.n;
    var marks = new Array(D.n.length), drawLabels = null, i;
    function mark(i) {
        if (marks[i]) { return marks[i]; }
        var m = L.circleMarker([D.xy[2 * i + 1] / D.q, D.xy[2 * i] / D.q], {
            radius: D.faint ? 2 : 3, pane: pane, color: D.faint ? '#8a8a8a' : '#444444',
            weight: 1, fillColor: '#ffffff', fillOpacity: 0.9
        });
        m.bindTooltip((function (name, pop) {
            return function () {
                var pretty = String(pop).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
                return civicEl('span', null, name + ' \u2014 ' + pretty + ' ' + residents);
            };
        })(D.n[i], D.pop[i]));
        marks[i] = m;
        return m;
    }
    if (D.pv) {
        D.on = new Uint8Array(D.n.length);
        civicByProvince(function (shown) {
            group.clearLayers();
            for (var j = 0; j < D.n.length; j++) {
                D.on[j] = shown(D.pv.substr(3 * j, 3)) ? 1 : 0;
                if (D.on[j]) { group.addLayer(mark(j)); }
            }
            if (drawLabels) { drawLabels(); }
        });
    } else {
        for (i = 0; i < D.n.length; i++) { group.addLayer(mark(i)); }
    }
    group.addTo(map);
    group.civicName = layerName;
    window.civicOverlays[slot] = group;
    if (D.lz) { drawLabels = civicPlaceLabels(map, D, map.getPane(pane)); }
    return group;
}

function civicLabelName(n) {
    /* A label's one name: the part civic.i18n.place_name put in brackets (Latin in English,
     * the Turkish name in Turkish), else the name itself. */
    var m = /\(([^()]+)\)$/.exec(n);
    return m ? m[1] : n;
}

var CIVIC_LABEL_CSS = '.civic-place-label{position:absolute;white-space:nowrap;'
    + 'font:12px/14px sans-serif;color:#1a1a1a;pointer-events:none;'
    + 'transform:translate(5px,-7px);text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,'
    + '0 0 4px #fff}'
    + '.civic-place-label.big{font-weight:600;font-size:13px}'
    + '.civic-place-label.dot::before{content:"";position:absolute;left:-8px;top:4px;'
    + 'width:5px;height:5px;border-radius:50%;background:#444;border:1px solid #fff}';

function civicPlaceLabels(map, D, dotPane) {
    /* Settlement names as permanent labels that appear as one zooms in, bigger places
     * first (D.lz: each place's first zoom, one hex digit); a label that would overlap
     * one already placed is skipped; with D.on only the places it marks. Text only
     * (textContent). */
    var pane = map.getPane('civic-labels') || map.createPane('civic-labels');
    pane.style.zIndex = 450;
    pane.style.pointerEvents = 'none';
    L.DomUtil.addClass(pane, 'leaflet-zoom-hide');
    var css = document.createElement('style');
    css.textContent = CIVIC_LABEL_CSS;
    document.head.appendChild(css);
    var n = D.n.length, zooms = new Int8Array(n), order = [], i;
    for (i = 0; i < n; i++) { zooms[i] = parseInt(D.lz.charAt(i), 16) || 13; order.push(i); }
    order.sort(function (a, b) { return zooms[a] - zooms[b] || D.pop[b] - D.pop[a]; });
    var names = D.n.map(civicLabelName), CELL = 64, MAX = 400;
    function clashes(grid, box, cells) {
        var clash = false;
        for (var cx = Math.floor(box[0] / CELL); cx <= Math.floor(box[2] / CELL); cx++) {
            for (var cy = Math.floor(box[1] / CELL); cy <= Math.floor(box[3] / CELL); cy++) {
                var key = cx + ',' + cy, others = grid[key] || [];
                cells.push(key);
                for (var o = 0; o < others.length && !clash; o++) {
                    var b = others[o];
                    clash = b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3];
                }
            }
        }
        return clash;
    }
    function draw() {
        pane.textContent = '';
        var z = map.getZoom(), view = map.getBounds().pad(0.1), grid = {}, shown = 0;
        var dots = !dotPane || dotPane.style.display === 'none';
        for (var k = 0; k < n && shown < MAX; k++) {
            var j = order[k];
            if (zooms[j] > z) { break; }
            if (D.on && !D.on[j]) { continue; }
            var ll = L.latLng(D.xy[2 * j + 1] / D.q, D.xy[2 * j] / D.q);
            if (!view.contains(ll)) { continue; }
            var p = map.latLngToLayerPoint(ll), big = zooms[j] <= 8, cells = [];
            var box = [p.x + 2, p.y - 8, p.x + 8 + names[j].length * (big ? 8 : 7), p.y + 8];
            if (clashes(grid, box, cells)) { continue; }
            cells.forEach(function (c) { (grid[c] = grid[c] || []).push(box); });
            var el = civicEl('div', 'civic-place-label' + (big ? ' big' : '')
                             + (dots ? ' dot' : ''), names[j]);
            el.style.left = p.x + 'px';
            el.style.top = p.y + 'px';
            pane.appendChild(el);
            shown++;
        }
    }
    var queued = false;
    function later() {
        // after the other zoom handlers (the dots' pane shows or hides on zoomend)
        if (!queued) {
            queued = true;
            L.Util.requestAnimFrame(function () { queued = false; draw(); });
        }
    }
    map.on('zoomend moveend viewreset', later);
    map.whenReady(later);
    return draw;
}

function civicTiles(map, url, options, allowed) {
    /* Tiles only when they load: one probe tile first, the layer added if it arrives, and
     * removed after `allowed` failed tiles; a failure is remembered for ten minutes of the
     * browser session, so an offline page asks once, not dozens of times. */
    var key = 'civicTilesDown:' + url, store = null;
    try { store = window.sessionStorage; } catch (e) { store = null; }
    function down() {
        try { if (store) { store.setItem(key, String(Date.now())); } } catch (e) { /* none */ }
    }
    var since = null;
    try { since = store && store.getItem(key); } catch (e) { since = null; }
    if (since && Date.now() - Number(since) < 600000) { return null; }
    var layer = L.tileLayer(url, options), errors = 0;
    layer.on('tileerror', function () {
        errors += 1;
        if (errors >= allowed && map.hasLayer(layer)) {
            map.removeLayer(layer);
            down();
        }
    });
    var z = map.getZoom(), c = map.project(map.getCenter(), z).divideBy(256).floor();
    var subdomains = options.subdomains || 'abc';
    var probe = new Image();
    probe.onload = function () { layer.addTo(map); layer.bringToBack(); };
    probe.onerror = down;
    probe.src = L.Util.template(url, L.extend({s: subdomains[0], x: c.x, y: c.y, z: z, r: ''},
                                              options));
    window.civicTileLayer = layer;
    return layer;
}

var CIVIC_CSS = '.civic-popup .leaflet-popup-content{margin:10px 12px;overflow-wrap:anywhere;'
    + 'word-break:break-word;font:13px/1.35 sans-serif}'
    + '.civic-popup table{border-collapse:collapse;width:100%}'
    + '.civic-popup th{text-align:left;vertical-align:top;padding:1px 8px 1px 0;'
    + 'font-weight:600;color:#555;white-space:nowrap}'
    + '.civic-popup td{padding:1px 0;overflow-wrap:anywhere}'
    + '.civic-popup .org-name{display:block;font-size:14px;margin-right:14px}'
    + '.civic-popup .latin{color:#555;font-style:italic}'
    + '.civic-popup .precision,.civic-popup .library,.civic-popup .status{color:#555;margin:6px 0 0}'
    + '.civic-popup .card{margin:6px 0 0}'
    + '.civic-popup b.offers{display:block;margin:6px 0 2px}'
    + '.civic-popup .presented{margin:6px 0 0}'
    + '.civic-popup .org-list{margin:6px 0 0;padding-left:18px}'
    + '.civic-popup .org-list li{margin:3px 0}'
    + '.civic-popup .org-item{font-weight:600}'
    + '.civic-popup .org-kind{color:#666;font-size:12px}'
    + '.civic-popup .org-back{display:inline-block;margin-bottom:6px}'
    + '.civic-popup .org-count{display:block;margin-right:14px}';

/* Clusters of marks on a phone at low zoom (leaflet.markercluster): each shows how many
 * organisations it holds, white on dark, and a tap zooms in. */
var CIVIC_CLUSTER_CSS = '.civic-cluster{background:none;border:0}'
    + '.civic-cluster div{box-sizing:border-box;width:100%;height:100%;border-radius:50%;'
    + 'display:flex;align-items:center;justify-content:center;color:#fff;'
    + 'font:bold 13px/1 sans-serif;background:rgba(38,38,38,0.9);border:2px solid #fff;'
    + 'box-shadow:0 0 0 1px rgba(0,0,0,0.4),0 1px 3px rgba(0,0,0,0.4)}';

function civicClusterGroup(options) {
    /* A cluster group that clusters below `options.below_zoom`; a cluster's number is the
     * sum of its marks' counts (organisations, not marks). */
    return L.markerClusterGroup({
        disableClusteringAtZoom: options.below_zoom,
        maxClusterRadius: 56,
        showCoverageOnHover: false,
        spiderfyOnMaxZoom: false,
        zoomToBoundsOnClick: true,
        iconCreateFunction: function (cluster) {
            var n = 0;
            cluster.getAllChildMarkers().forEach(function (m) { n += m.options.count || 1; });
            var size = 24 + 7 * Math.min(String(n).length, 4);  // 31, 38, 45, 52 px
            // what a mark says of itself, so a page can tell a cluster from a blank map
            cluster.feature = {type: 'Feature', properties: {k: 'cluster', count: n}};
            return L.divIcon({html: civicEl('div', null, n), className: 'civic-cluster',
                              iconSize: L.point(size, size)});
        }
    });
}

var CIVIC_B85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%,()*+-;.=:?@^_[]|}~';

var CIVIC_FFLATE = '/app/static/vendor/fflate/index.js';

function civicUnpack(z) {
    /* A promise of what layers/transport.py `deflated` wrote: base85 (letters unsafe in a
     * script swapped) of the deflated text's length (4 bytes), the deflated text, then any
     * tail of raw bytes. Resolves to {text, tail}. */
    var digit = new Uint8Array(128), bytes = new Uint8Array(z.length / 5 * 4), i, k;
    for (i = 0; i < CIVIC_B85.length; i++) { digit[CIVIC_B85.charCodeAt(i)] = i; }
    for (i = 0; i < z.length; i += 5) {
        var v = 0, o = i / 5 * 4;
        for (k = 0; k < 5; k++) { v = v * 85 + digit[z.charCodeAt(i + k)]; }
        bytes[o] = v >>> 24;
        bytes[o + 1] = (v >>> 16) & 255;
        bytes[o + 2] = (v >>> 8) & 255;
        bytes[o + 3] = v & 255;
    }
    var size = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
    var body = bytes.subarray(4, 4 + size), tail = bytes.subarray(4 + size);
    function unpacked(text) { return {text: text, tail: tail}; }
    if (typeof DecompressionStream !== 'undefined') {
        return new Response(new Blob([body]).stream()
            .pipeThrough(new DecompressionStream('deflate'))).text().then(unpacked);
    }
    // a browser without it (Safari before 16.4): fflate, from the app's static files
    return new Promise(function (resolve, reject) {
        function inflate() {
            try {
                resolve(unpacked(window.fflate.strFromU8(window.fflate.unzlibSync(body))));
            } catch (e) { reject(e); }
        }
        if (window.fflate) { inflate(); return; }
        var script = document.createElement('script');
        script.src = CIVIC_FFLATE;
        script.onload = inflate;
        script.onerror = function () { reject(new Error('civicmap: ' + CIVIC_FFLATE)); };
        document.head.appendChild(script);
    });
}

function civicInflate(z) {
    /* A promise of the text layers/transport.py `deflated` wrote (`civicUnpack`). */
    return civicUnpack(z).then(function (u) { return u.text; });
}

function civicOrganisations(map, D, control, initialRuns, cluster) {
    /* The organisation layer from its deflated records (D.z, with D.key): drawn once they
     * are inflated, a moment after the map; window.civicMap is set then. */
    civicInflate(D.z).then(function (text) {
        // after the base map's deflated layers (the settlements it names)
        return Promise.all(window.civicBaseReady || []).then(function () { return text; });
    }).then(function (text) {
        var records = JSON.parse(text);
        records.key = D.key;
        civicDrawOrganisations(map, records, control, initialRuns, cluster);
    }).catch(function (e) { setTimeout(function () { throw e; }, 0); });  // a page error
}

function civicDrawOrganisations(map, D, control, initialRuns, cluster) {
    D = civicTexts(D);
    var css = document.createElement('style');
    css.textContent = CIVIC_CSS;
    document.head.appendChild(css);
    var O = D.org, W = D.words, S = D.style, L_ = W.label;
    ['n', 'f', 'a', 'ph', 'em', 'u', 'ic', 'id'].forEach(function (c) {
        if (typeof O[c] === 'string') { O[c] = O[c].split('|'); }
    });
    function expand(values, common) {
        if (!common || !common.length) { return values; }
        return values.map(function (v) {
            return v.indexOf('~') < 0 ? v : v.replace(/~(\d)/g, function (m, n) {
                return common[+n];
            });
        });
    }
    O.em = expand(O.em, D.email_common);
    O.n = expand(O.n, D.name_common);
    O.ic = expand(O.ic, D.card_common);
    civicUndelta(D.loc);
    ['pp', 'at', 's', 'm'].forEach(function (c) {
        for (var k = 1; k < O[c].length; k++) { O[c][k] += O[c][k - 1]; }
    });
    var sharedPlaces = window.civicPlaceNames || [];
    function place(idx) { return idx >= 0 ? sharedPlaces[idx] : D.places[-1 - idx]; }
    var count = O.k.length;
    var visible = new Uint8Array(count);
    var pa = new Int32Array(count), fi = new Int32Array(count), at = new Int32Array(count);
    var i, q = 0, nf = 0;
    for (i = 0; i < count; i++) {
        pa[i] = O.k[i] === 'p' ? O.pp[q++] : -1;
        fi[i] = pa[i] < 0 ? nf++ : -1;
    }
    for (i = 0; i < count; i++) { at[i] = O.at[fi[i] >= 0 ? fi[i] : fi[pa[i]]]; }
    var byLoc = [];
    for (i = 0; i < count; i++) {
        (byLoc[at[i]] = byLoc[at[i]] || []).push(i);
    }
    // The marks' layer: a plain group, or on a narrow map the cluster group (switched
    // when the map's width crosses `cluster.narrower_than`, e.g. a phone turned).
    var plain = L.featureGroup(), group = plain.addTo(map);
    var clusters = cluster && L.markerClusterGroup ? civicClusterGroup(cluster) : null;
    if (clusters) {
        var css0 = document.createElement('style');
        css0.textContent = CIVIC_CLUSTER_CSS;
        document.head.appendChild(css0);
    }
    function pickGroup() {
        /* The group the map's width asks for; true if it changed (then redraw). */
        var want = clusters && map.getSize().x < cluster.narrower_than ? clusters : plain;
        if (want === group) { return false; }
        var on = map.hasLayer(group);
        if (control) { control.removeLayer(group); }
        group.clearLayers();
        map.removeLayer(group);
        group = want;
        // the cluster group needs a highest zoom, which a map without tiles lacks
        if (group === clusters && map.options.maxZoom === undefined) { map.options.maxZoom = 18; }
        if (on) { group.addTo(map); }
        return true;
    }
    pickGroup();
    var marks = [];
    var lastFit = null, fitBox = null, fitView = null;
    function fitTo(box) {
        /* Fit the view to a [W, S, E, N] box and remember the view it gave. */
        fitBox = box;
        map.fitBounds([[box[1], box[0]], [box[3], box[2]]], {padding: [20, 20], maxZoom: 14});
        fitView = {c: map.getCenter(), z: map.getZoom()};
        map.once('moveend', function () {
            if (fitBox === box) { fitView = {c: map.getCenter(), z: map.getZoom()}; }
        });
    }
    // A frame that is sized after the fit (a phone's page settling, a rotation) fits
    // again, unless the user has moved the map since.
    window.addEventListener('resize', function () {
        if (!fitBox || !fitView) { return; }
        if (map.getZoom() === fitView.z && map.getCenter().equals(fitView.c, 1e-6)) {
            map.invalidateSize({pan: false});
            fitTo(fitBox);
        }
    });

    function full(j) { return pa[j] >= 0 ? pa[j] : j; }
    function col(name, j) { return O[name][fi[full(j)]]; }

    function kindOrder(k) { return S.order.indexOf(k); }

    function members(loc) {
        /* Visible records at a location; a presumed library whose chitalishte is also
         * shown here is described inside the chitalishte's entry. */
        var all = (byLoc[loc] || []).filter(function (j) { return visible[j]; });
        var shown = {};
        all.forEach(function (j) { shown[j] = true; });
        return all.filter(function (j) { return !(O.k[j] === 'p' && shown[pa[j]]); })
            .sort(function (a, b) {
                return kindOrder(O.k[b]) - kindOrder(O.k[a]) || (name(a) < name(b) ? -1 : 1);
            });
    }

    function name(j) {
        if (pa[j] < 0) { return O.n[fi[j]]; }
        return O.pn[j] || D.library_prefix + O.n[fi[pa[j]]];
    }

    function latin(j) {
        /* The Latin spelling of the name (English and Turkish maps), '' if the same. */
        if (!O.nl || (pa[j] >= 0 && O.pn[j])) { return ''; }
        var cyrillic = col('n', j), own = civicSpelled(cyrillic);
        if (own === cyrillic) { return ''; }
        return pa[j] >= 0 ? D.library_prefix + own : own;
    }

    function sourceUrl(j) {
        var t = col('ut', j), v = col('u', j);
        if (t < 0) { return v; }
        var parts = D.url_templates[t].split('{}'), nums = v.split(','), out = parts[0];
        for (var x = 1; x < parts.length; x++) { out += (nums[x - 1] || '') + parts[x]; }
        return out;
    }

    function row(table, label, value) {
        if (!value || (value.childNodes && !value.childNodes.length)) { return; }
        var tr = civicEl('tr');
        tr.appendChild(civicEl('th', null, label));
        var td = civicEl('td');
        if (typeof value === 'string') { td.textContent = value; } else { td.appendChild(value); }
        tr.appendChild(td);
        table.appendChild(tr);
    }

    function link(href, text) {
        var a = civicEl('a', null, text);
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        return a;
    }

    function contacts(j) {
        var box = civicEl('span');
        function add(el) {
            if (box.childNodes.length) { box.appendChild(civicEl('br')); }
            box.appendChild(el);
        }
        var ph = col('ph', j), em = col('em', j), w = O.w[fi[full(j)]];
        (ph ? ph.split(';') : []).forEach(function (t) {
            add(link('tel:' + t.replace(/[^0-9+]/g, ''), t));
        });
        (em ? em.split(';') : []).forEach(function (t) { add(link('mailto:' + t, t)); });
        if (w) { add(link(w, w.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, ''))); }
        return box;
    }

    function details(j, hasLibrary) {
        var box = civicEl('div', 'org-details');
        box.appendChild(civicEl('b', 'org-name', name(j)));
        if (latin(j)) { box.appendChild(civicEl('div', 'latin', latin(j))); }
        var table = civicEl('table');
        var legal = D.legal[col('g', j)], fields = col('f', j);
        row(table, L_.kind, W.kind1[O.k[j]]);
        row(table, L_.legal_form, legal ? W.term[legal] || legal : '');
        row(table, L_.fields, (fields ? fields.split('.') : []).map(function (x) {
            return W.term[D.fields[+x]] || D.fields[+x];
        }).join(', '));
        row(table, L_.address, col('a', j));
        row(table, L_.settlement, place(col('s', j)));
        row(table, L_.municipality, D.munis[col('m', j)]);
        row(table, L_.contacts, contacts(j));
        var src = D.sources[O.src.charCodeAt(j) - 48], srcText = W.term[src] || src;
        if (srcText) {
            var url = sourceUrl(j), date = D.dates[col('d', j)];
            var cell = civicEl('span');
            cell.appendChild(/^https?:\/\//i.test(url) ? link(url, srcText)
                                                        : civicEl('span', null, srcText));
            if (date) { cell.appendChild(document.createTextNode(' (' + date + ')')); }
            row(table, L_.source, cell);
        }
        box.appendChild(table);
        // The register's information card: a record's own (a presumed library has none).
        var card = pa[j] < 0 ? O.ic[fi[j]] : '';
        if (card && /^https?:\/\//i.test(card)) {
            var cardP = civicEl('p', 'card');
            cardP.appendChild(link(card, L_.card));
            box.appendChild(cardP);
        }
        var fullNo = fi[full(j)], offers = (O.pf || {})[fullNo], hub = (O.hb || {})[fullNo];
        if (offers) {
            box.appendChild(civicEl('b', 'offers', L_.offers));
            var offerTable = civicEl('table', 'offers');
            offers.forEach(function (r) { row(offerTable, r[0], r[1]); });
            box.appendChild(offerTable);
        }
        if (hub) {
            var hubP = civicEl('p', 'presented');
            var parts = L_.presented.split('{library}');
            hubP.appendChild(document.createTextNode(parts[0]));
            hubP.appendChild(link('/library?id=' + encodeURIComponent(hub[1]) + civicLangParam(),
                                  hub[0]));
            hubP.appendChild(document.createTextNode(parts[1] || ''));
            box.appendChild(hubP);
        }
        if (O.st[j] !== 'a') { box.appendChild(civicEl('p', 'status', W.status[O.st[j]])); }
        if (hasLibrary) { box.appendChild(civicEl('p', 'library', L_.library)); }
        var note = W.precision[O.p[j]];
        if (note) { box.appendChild(civicEl('p', 'precision', note)); }
        var idx = fi[full(j)];
        if (O.id[idx]) {
            var lang = '';
            try {
                lang = new URLSearchParams(window.parent.location.search).get('lang') || '';
            } catch (e) { lang = ''; }
            var id = D.id_prefix[O.idk.charCodeAt(idx) - 48] + O.id[idx];
            // A new tab: the component's frame may not navigate the app's own window.
            var fix = link('/data?correct=' + encodeURIComponent(id)
                           + (lang ? '&lang=' + encodeURIComponent(lang) : ''), L_.correct);
            fix.className = 'correct';
            var p = civicEl('p');
            p.appendChild(fix);
            box.appendChild(p);
            if (O.k[j] !== 'n') {  // a library's or chitalishte's own page: the hub view
                var lib = link('/library?id=' + encodeURIComponent(id)
                               + (lang ? '&lang=' + encodeURIComponent(lang) : ''),
                               L_.library_page);
                lib.className = 'library-page';
                var pl = civicEl('p');
                pl.appendChild(lib);
                box.appendChild(pl);
            }
            // The host's own view on the Actions page: what it hosted and hosts.
            var hosted = link('/actions?host=' + encodeURIComponent(id)
                              + (lang ? '&lang=' + encodeURIComponent(lang) : ''), L_.hosted);
            hosted.className = 'hosted';
            var ph = civicEl('p');
            ph.appendChild(hosted);
            box.appendChild(ph);
        }
        return box;
    }

    function libraryShown(loc, j) {
        return O.k[j] === 'c' && (byLoc[loc] || []).some(function (x) {
            return visible[x] && O.k[x] === 'p' && pa[x] === j;
        });
    }

    function popupContent(mark) {
        var list = members(mark.loc);
        var box = civicEl('div', 'org-popup');
        function showList() {
            box.textContent = '';
            box.appendChild(civicEl('b', 'org-count', L_.here.replace('{n}', list.length)));
            if (W.precision[O.p[list[0]]]) {
                box.appendChild(civicEl('p', 'precision', L_.approximate + ' ('
                                        + W.precision[O.p[list[0]]] + ')'));
            }
            var ul = civicEl('ul', 'org-list');
            list.forEach(function (j) {
                var li = civicEl('li');
                var a = civicEl('a', 'org-item', name(j));
                a.href = '#';
                a.style.color = S.colour[O.k[j]];
                a.setAttribute('role', 'button');
                L.DomEvent.on(a, 'click', function (e) {
                    L.DomEvent.stop(e);
                    box.textContent = '';
                    var back = civicEl('a', 'org-back', '\u2190 ' + L_.back);
                    back.href = '#';
                    L.DomEvent.on(back, 'click', function (ev) { L.DomEvent.stop(ev); showList(); mark.getPopup().update(); });
                    box.appendChild(back);
                    box.appendChild(details(j, libraryShown(mark.loc, j)));
                    mark.getPopup().update();
                });
                li.appendChild(a);
                li.appendChild(civicEl('span', 'org-kind', ' \u00B7 ' + W.kind1[O.k[j]]));
                ul.appendChild(li);
            });
            box.appendChild(ul);
        }
        if (list.length === 1) {
            box.appendChild(details(list[0], libraryShown(mark.loc, list[0])));
        } else {
            showList();
        }
        return box;
    }

    function tooltipContent(mark) {
        var list = members(mark.loc);
        if (list.length === 1) {
            return civicEl('span', null, latin(list[0]) ? name(list[0]) + ' (' + latin(list[0]) + ')'
                                                         : name(list[0]));
        }
        return civicEl('span', null, L_.here.replace('{n}', list.length) + ' \u2014 '
                       + place(col('s', list[0])));
    }

    function styleFor(list) {
        var top = list[0], k = O.k[top];
        var kinds = {};
        list.forEach(function (j) { kinds[O.k[j]] = true; });
        var mixed = Object.keys(kinds).length > 1;
        var mark = S.mark[O.p[top]] || S.mark.s;
        var colour = mixed ? '#333333' : S.colour[k];
        var n = list.length;
        var style = {color: colour, fillColor: colour, opacity: 0.95, count: n,
                     radius: S.radius[k], fillOpacity: mark.fill, weight: mark.weight,
                     dashArray: mark.dash || null};
        if (k === 'p' && n === 1) { style.fillOpacity = 0.8; style.weight = 1; }
        if (n > 1) {
            style.radius = Math.min(18, 8 + 2.5 * Math.log2(n));
            style.weight = 2.5;
            style.fillOpacity = Math.max(mark.fill, 0.25);
            style.textColor = style.fillOpacity >= 0.5 ? '#ffffff' : '#222222';
        }
        return style;
    }

    function primaryFeature(list) {
        var j = list[0];
        return {type: 'Feature', id: D.id_prefix[O.idk.charCodeAt(fi[full(j)]) - 48] + O.id[fi[full(j)]],
                properties: {k: {n: 'ngo', c: 'chitalishte', l: 'library', p: 'library_presumed'}[O.k[j]],
                             n: name(j), count: list.length}};
    }

    var innerDots = [];

    function redraw() {
        group.clearLayers();
        innerDots.forEach(function (d) { map.removeLayer(d); });
        innerDots = [];
        var shownLocs = [];
        for (var loc = 0; loc < byLoc.length; loc++) {
            if (!byLoc[loc]) { continue; }
            var list = members(loc);
            if (!list.length) { continue; }
            shownLocs.push([loc, list]);
        }
        var batch = [];
        // Draw order: kinds as in S.order (NGOs last, on top), larger groups later.
        shownLocs.sort(function (a, b) {
            return kindOrder(O.k[a[1][0]]) - kindOrder(O.k[b[1][0]]) || a[1].length - b[1].length;
        });
        shownLocs.forEach(function (pair) {
            var loc = pair[0], list = pair[1];
            var latlng = [D.loc[2 * loc + 1] / D.q, D.loc[2 * loc] / D.q];
            var mark = marks[loc];
            if (!mark) {
                mark = new CivicCountMarker(latlng, styleFor(list));
                mark.loc = loc;
                // The content is built when the popup opens (not by a content function,
                // which Leaflet would call again on every update and so reset the list).
                // narrow enough to sit between the auto-pan paddings (60 + 20 px) with
                // its own margins (26 px): on a phone a wider popup ran off the right edge
                mark.bindPopup('', {maxWidth: Math.min(320, map.getSize().x - 110),
                                maxHeight: Math.max(160, map.getSize().y - 120),
                                autoPanPaddingTopLeft: L.point(60, 20),
                                autoPanPaddingBottomRight: L.point(20, 20),
                                className: 'civic-popup'});
                mark.on('popupopen', function (e) { e.popup.setContent(popupContent(e.target)); });
                mark.bindTooltip(function () { return tooltipContent(mark); });
                // in a cluster group a mark comes and goes with the zoom: its library dot too
                mark.on('add', function () { if (mark.civicDot) { mark.civicDot.addTo(map); } });
                mark.on('remove', function () {
                    if (mark.civicDot) { map.removeLayer(mark.civicDot); }
                });
                marks[loc] = mark;
            } else {
                mark.setStyle(styleFor(list));
                mark.setRadius(styleFor(list).radius);
            }
            mark.feature = primaryFeature(list);
            mark.civicDot = null;
            var dot = null;
            if (list.some(function (j) { return libraryShown(loc, j); }) && O.k[list[0]] !== 'p') {
                dot = L.circleMarker(latlng, {radius: 2.5, color: S.colour.p,
                    fillColor: S.colour.p, fillOpacity: 0.9, weight: 1, interactive: false});
                innerDots.push(dot);
            }
            if (group === clusters) {
                mark.civicDot = dot;  // drawn when the mark is, not under a cluster
                batch.push(mark);
            } else {
                group.addLayer(mark);
                if (dot) { dot.addTo(map); }
            }
        });
        if (batch.length) { group.addLayers(batch); }
        if (control) {
            control.removeLayer(group);
            control.addOverlay(group, L_.organisations + ' (' + api.shown() + ')');
        }
    }

    var appliedRuns = null;

    function applyRuns(runs) {
        var key = runs.join(',');
        if (key === appliedRuns) { return; }  // the same state again: keep open popups
        appliedRuns = key;
        visible.fill(0);
        for (var r = 0; r + 1 < runs.length; r += 2) {
            visible.fill(1, runs[r], runs[r] + runs[r + 1]);
        }
        map.closePopup();
        redraw();
    }

    // The filters (layers/filter_panel.js) are applied here, in the browser: no rerun.
    var KIND = {n: 'ngo', c: 'chitalishte', l: 'library', p: 'library'};
    var LETTER_OF = D.letters || {};
    var nameKeys = null;
    function searchKeys() {
        if (!nameKeys) {
            nameKeys = [];
            for (var j = 0; j < count; j++) {
                var n = name(j);
                nameKeys.push([civicFold(n), civicLatin(latin(j) || n)]);
            }
        }
        return nameKeys;
    }
    function matcher(f) {
        var letters = function (codes, table) {
            return (codes || []).map(function (c) { return table[c]; }).join('');
        };
        var statuses = letters(f.statuses, LETTER_OF.status || {});
        var precisions = letters(f.precisions, LETTER_OF.precision || {});
        var munis = f.municipalities && f.municipalities.length ? f.municipalities : null;
        // the province set (absent: no restriction); a province is its municipalities' first
        // three letters
        var provs = Array.isArray(f.provinces) ? f.provinces : null;
        var legal = f.legal_forms && f.legal_forms.length ? f.legal_forms : null;
        var fieldIx = f.fields && f.fields.length ? f.fields.map(function (c) {
            return String(D.fields.indexOf(c)); }) : null;
        var q = (f.q || '').trim(), needle = civicFold(q), needleLatin = civicLatin(q);
        var keys = q ? searchKeys() : null;
        return function (j) {
            var k = O.k[j];
            if ((f.kinds || []).indexOf(KIND[k]) < 0) { return false; }
            if (k === 'p' && f.presumed === false) { return false; }
            if (statuses.indexOf(O.st.charAt(j)) < 0 || precisions.indexOf(O.p.charAt(j)) < 0) {
                return false;
            }
            if (provs && provs.indexOf(D.mc[col('m', j)].slice(0, 3)) < 0) { return false; }
            if (munis && munis.indexOf(D.mc[col('m', j)]) < 0) { return false; }
            // a presumed library has no legal form of its own (as in the store)
            if (legal && (k === 'p' || legal.indexOf(D.legal[col('g', j)]) < 0)) { return false; }
            if (fieldIx) {
                var own = (col('f', j) || '').split('.');
                if (!fieldIx.some(function (x) { return own.indexOf(x) >= 0; })) { return false; }
            }
            if (keys && keys[j][0].indexOf(needle) < 0 && keys[j][1].indexOf(needleLatin) < 0) {
                return false;
            }
            return true;
        };
    }
    var lastFilter = null;
    function applyFilter(f) {
        /* Show what the filter `f` keeps, frame it, and tell the page the counts. */
        var text = JSON.stringify(f);
        if (text === lastFilter) { return; }
        lastFilter = text;
        var keep = matcher(f), counts = {ngo: 0, chitalishte: 0, library: 0, library_presumed: 0};
        var box = null;
        visible.fill(0);
        for (var j = 0; j < count; j++) {
            if (!keep(j)) { continue; }
            visible[j] = 1;
            counts[O.k[j] === 'p' ? 'library_presumed' : KIND[O.k[j]]] += 1;
            if ((f.q || '').trim()) {
                var lon = D.loc[2 * at[j]] / D.q, lat = D.loc[2 * at[j] + 1] / D.q;
                box = box ? [Math.min(box[0], lon), Math.min(box[1], lat),
                             Math.max(box[2], lon), Math.max(box[3], lat)] : [lon, lat, lon, lat];
            }
        }
        appliedRuns = null;
        map.closePopup();
        redraw();
        var fit = box ? [box[0] - 0.02, box[1] - 0.02, box[2] + 0.02, box[3] + 0.02] : f.fit;
        if (fit && JSON.stringify(fit) !== lastFit) {
            lastFit = JSON.stringify(fit);
            fitTo(fit);
        }
        try {
            window.parent.civicMapCounts = {key: D.key, counts: counts};
            window.parent.dispatchEvent(new window.parent.CustomEvent('civic-map-filtered',
                {detail: window.parent.civicMapCounts}));
        } catch (e) { /* not inside the app's page */ }
    }

    var api = {
        key: D.key,
        shown: function () {
            var n = 0;
            for (var j = 0; j < count; j++) { n += visible[j]; }
            return n;
        },
        marks: function () { return group.getLayers(); },
        members: function (mark) { return members(mark.loc).map(name); },
        // for layers/actions.js: an action's host by its record index
        record: function (j) { return {name: name(j), ph: col('ph', j), em: col('em', j), a: col('a', j)}; }
    };
    window.civicMap = api;
    [plain, clusters].forEach(function (g) {
        if (!g) { return; }
        g.on('remove', function () { innerDots.forEach(function (d) { d.setStyle({opacity: 0, fillOpacity: 0}); }); });
        g.on('add', function () { innerDots.forEach(function (d) { d.setStyle({opacity: 1, fillOpacity: 0.9}); }); });
    });
    map.on('resize', function () { if (pickGroup()) { redraw(); } });
    if (control) {
        (window.civicOverlays || []).forEach(function (g) {
            if (g) { control.addOverlay(g, g.civicName); }
        });
    }
    // The page's filter panel (layers/filter_panel.js) hands the filter over in a hidden
    // element's data attribute; until one is there, the province set's default shows.
    if (!civicWatch('data-civic-map-filter', D.key, applyFilter)) { applyRuns(initialRuns); }
    return api;
}

function civicBoundaries(map, D, style, layerName, sticky) {
    var slot = civicOverlaySlot();
    return civicWhenInflated(D, function (R) {
        return civicDrawBoundaries(map, R, style, layerName, sticky, slot);
    });
}

function civicDrawBoundaries(map, D, style, layerName, sticky, slot) {
    /* Polygons from delta-encoded integer rings, each with its name as a text tooltip.
     * With D.pv (each shape's province) only the chosen provinces' shapes are drawn. */
    D = civicTexts(D);
    var group = L.featureGroup(), shapes = [];
    function shapeOf(i) {
        if (shapes[i]) { return shapes[i]; }
        var polys = D.shapes[i];
        var latlngs = polys.map(function (rings) {
            return rings.map(function (ring) {
                var out = [], x = 0, y = 0;
                for (var k = 0; k + 1 < ring.length; k += 2) {
                    x += ring[k];
                    y += ring[k + 1];
                    out.push([y / D.q, x / D.q]);
                }
                return out;
            });
        });
        var shape = L.polygon(latlngs, style);
        var label = D.labels[i];
        shape.bindTooltip(function () { return civicEl('span', null, label); },
                          {sticky: sticky});
        shapes[i] = shape;
        return shape;
    }
    if (D.pv) {
        civicByProvince(function (shown) {
            group.clearLayers();
            for (var i = 0; i < D.shapes.length; i++) {
                if (shown(D.pv.substr(3 * i, 3))) { group.addLayer(shapeOf(i)); }
            }
        });
    } else {
        D.shapes.forEach(function (polys, i) { group.addLayer(shapeOf(i)); });
    }
    group.addTo(map);
    group.civicName = layerName;
    window.civicOverlays[slot] = group;
    return group;
}
