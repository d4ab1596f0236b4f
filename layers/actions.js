/* actions.js: upcoming civic actions drawn from packed records (layers/actions.py).
 * Each action is its own diamond; actions at one place are spread around it. Text from
 * the data is only set with textContent, and only links Python already checked become
 * hrefs. The filter state comes from a hidden element in the app's page.
 */
/* exported civicActions */

/* An action's mark: a diamond on the canvas, `offset` pixels from its place. */
var CivicDiamond = L.CircleMarker.extend({
    _centre: function () { return this._point.add(this.options.offset || [0, 0]); },
    _updateBounds: function () {
        var r = this._radius + this._clickTolerance(), c = this._centre();
        this._pxBounds = new L.Bounds(c.subtract([r, r]), c.add([r, r]));
    },
    _updatePath: function () {
        var renderer = this._renderer, ctx = renderer && renderer._ctx;
        if (!ctx || !renderer._drawing || this._empty()) { return; }
        var c = this._centre(), s = this._radius;
        ctx.beginPath();
        ctx.moveTo(c.x, c.y - s);
        ctx.lineTo(c.x + s, c.y);
        ctx.lineTo(c.x, c.y + s);
        ctx.lineTo(c.x - s, c.y);
        ctx.closePath();
        renderer._fillStroke(ctx, this);
    },
    _containsPoint: function (p) {
        return p.distanceTo(this._centre()) <= this._radius + this._clickTolerance();
    }
});

function civicActions(map, D, control) {
    var W = civicTexts(D.words), R = null, marks = [], group = L.layerGroup(), state = null;
    // their own canvas, above the organisations' marks
    if (!map.getPane('civicActions')) { map.createPane('civicActions').style.zIndex = 450; }
    var renderer = L.canvas({pane: 'civicActions', padding: 0.2});
    var api = {key: D.key, ready: false, shown: function () { return group.getLayers().length; }};
    window.civicActionLayer = api;
    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) { e.className = cls; }
        if (text !== undefined && text !== null) { e.textContent = String(text); }
        return e;
    }
    function link(href, text) {
        var a = el('a', null, text);
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        return a;
    }
    function sum(v) {
        for (var k = 1; k < v.length; k++) { v[k] += v[k - 1]; }
        return v;
    }
    var base = 0;
    var fmt = new Intl.DateTimeFormat(W.locale, {weekday: 'short', day: 'numeric',
                                                 month: 'long', year: 'numeric', timeZone: 'UTC'});
    function day(k) { return fmt.format(new Date(base + k * 864e5)); }
    function inWindow(i) {
        if (!state) { return R.d[i].slice(0, 1); }
        return R.d[i].filter(function (k) {
            return k < state.to && k + (R.len[i] || 0) >= state.from;
        });
    }
    function ints(v) {
        return typeof v === 'string' ? v.split('').map(function (c) { return c.charCodeAt(0) - 48; }) : v;
    }
    function host(i) {
        var h = R.h[i], org = window.civicMap;
        if (h >= 0) { return org && org.record ? org.record(h) : {name: ''}; }
        return {name: R.hosts[-1 - h]};
    }
    function place(i) {
        var s = R.s[i];
        return s >= 0 ? (window.civicPlaceNames || [])[s] || '' : R.places[-1 - s];
    }
    function row(table, label, value) {
        if (!value) { return; }
        var tr = el('tr');
        tr.appendChild(el('th', null, label));
        var td = el('td');
        if (typeof value === 'string') { td.textContent = value; } else { td.appendChild(value); }
        tr.appendChild(td);
        table.appendChild(tr);
    }
    function contacts(i) {
        var box = el('span'), n = 0, c = R.ct[i] ? R.contacts[R.ct[i] - 1] : host(i);
        var ph = c[0] !== undefined ? c[0] : c.ph, em = c[1] !== undefined ? c[1] : c.em;
        function add(e) {
            if (n++) { box.appendChild(el('br')); }
            box.appendChild(e);
        }
        (ph ? ph.split(';') : []).forEach(function (t) {
            add(link('tel:' + t.replace(/[^0-9+]/g, ''), t));
        });
        (em ? em.split(';') : []).forEach(function (t) { add(link('mailto:' + t, t)); });
        var u = R.u[i] || '';
        if (/^https?:\/\//i.test(u)) { add(link(u, W.website)); }
        return n ? box : null;
    }
    function popup(i) {
        var box = el('div', 'action-popup'), days = inWindow(i), table = el('table');
        box.appendChild(el('b', 'org-name', R.n[i]));
        var when = days.length ? day(days[0]) : '';
        var span = R.len[i] || 0;
        if (span && days.length) { when += ' \u2013 ' + day(days[0] + span); }
        when += ', ' + R.times[R.tm[i]];
        if (days.length > 1) { when += ' (' + W.more.replace('{n}', days.length - 1) + ')'; }
        row(table, W.what, W.type[R.t[i]] + ' \u00b7 ' + W.cause[R.c[i]]);
        row(table, W.when, when);
        row(table, W.where, [R.a[i] === 0 ? host(i).a : R.a[i], place(i)].filter(Boolean).join(', '));
        row(table, W.host, host(i).name);
        var needs = [];
        if (R.v[i]) { needs.push(W.volunteers.replace('{joined}', R.j[i]).replace('{n}', R.v[i])); }
        if (R.needs[R.sk[i]]) { needs.push(W.skills + ': ' + R.needs[R.sk[i]]); }
        if (R.needs[R.it[i]]) { needs.push(W.items + ': ' + R.needs[R.it[i]]); }
        row(table, W.needs, needs.join(' \u00b7 '));
        row(table, W.contacts, contacts(i));
        box.appendChild(table);
        if (R.full.charAt(i) === '1') { box.appendChild(el('p', 'status', W.full)); }
        var lang = '';
        try {
            lang = new URLSearchParams(window.parent.location.search).get('lang') || '';
        } catch (e) { lang = ''; }
        var p = el('p', 'card');
        p.appendChild(link(R.link.replace('{id}', encodeURIComponent(R.id[i]))
                           + (lang ? '&lang=' + encodeURIComponent(lang) : ''), W.join));
        box.appendChild(p);
        return box;
    }
    function spiral(k) {
        // the k-th action at a place sits on a spiral around it (golden angle)
        var r = k ? 6 + 4 * Math.sqrt(k) : 0, a = k * 2.39996;
        return L.point(r * Math.cos(a), r * Math.sin(a));
    }
    function apply() {
        /* Show the actions the state lets through; only the marks that change are touched. */
        if (!R) { return; }
        map.closePopup();
        var seen = {}, n = R.n.length, want = [], passing = 0;
        for (var i = 0; i < n; i++) {
            var ok = inWindow(i).length
                && (!state || !state.c || state.c.indexOf(R.c[i]) >= 0)
                && (!state || !state.t || state.t.indexOf(R.t[i]) >= 0)
                // the Map page's province set (p): only the chosen provinces' actions
                && (!state || !state.p || !R.pv || state.p.indexOf(R.pv.substr(3 * i, 3)) >= 0);
            passing += ok ? 1 : 0;
            ok = ok && (!state || state.on !== false);
            if (!ok) { if (group.hasLayer(marks[i])) { group.removeLayer(marks[i]); } continue; }
            var k = seen[R.at[i]] = (seen[R.at[i]] || 0) + 1;
            want.push(i);
            if (marks[i].civicK !== k - 1) {
                marks[i].civicK = k - 1;
                marks[i].options.offset = spiral(k - 1);
                if (group.hasLayer(marks[i])) { marks[i].redraw(); }
            }
        }
        want.forEach(function (j) { if (!group.hasLayer(marks[j])) { group.addLayer(marks[j]); } });
        if (state && state.on === false) { map.removeLayer(group); } else { group.addTo(map); }
        if (control) {
            control.removeLayer(group);
            control.addOverlay(group, W.title + ' (' + api.shown() + ')');
        }
        try {  // the page's filter panel says how many the window holds
            window.parent.civicActionsCount = {key: D.key, n: passing};
            window.parent.dispatchEvent(new window.parent.CustomEvent('civic-actions-filtered',
                {detail: window.parent.civicActionsCount}));
        } catch (e) { /* not inside the app's page */ }
    }
    function build(records, ids) {
        R = civicTexts(records);
        base = new Date(R.base + 'T00:00:00Z').getTime();
        ['c', 't', 'tm', 'sk', 'it', 'ct'].forEach(function (c) { R[c] = ints(R[c]); });
        sum(R.at);
        sum(R.s);
        R.d = R.d.map(function (first, i) { return sum([first].concat(R.r[i] || [])); });
        if (typeof R.id === 'number') {
            var hex = [];
            for (var x = 0; x < R.id; x++) {
                var t = 'action-';
                for (var y = 0; y < 6; y++) { t += (256 + ids[6 * x + y]).toString(16).slice(1); }
                hex.push(t);
            }
            R.id = hex;
        }
        var loc = R.loc;
        for (var k = 2; k + 1 < loc.length; k += 2) { loc[k] += loc[k - 2]; loc[k + 1] += loc[k - 1]; }
        R.n.forEach(function (title, i) {
            var m = new CivicDiamond([loc[2 * R.at[i] + 1] / R.q, loc[2 * R.at[i]] / R.q],
                                     {renderer: renderer, radius: 6, offset: spiral(0),
                                      color: '#fff', weight: 1.5, fillColor: D.colour,
                                      fillOpacity: 1});
            m.civicK = 0;
            m.bindTooltip(function () { return el('span', null, title); });
            m.bindPopup('', {maxWidth: Math.min(320, map.getSize().x - 70),
                             maxHeight: Math.max(160, map.getSize().y - 120),
                             className: 'civic-popup'});
            m.on('popupopen', function (e) { e.popup.setContent(popup(i)); });
            m.civicAction = R.id[i];
            marks.push(m);
        });
        api.ready = true;
        var found = civicWatch('data-civic-actions-state', D.key, function (s) {
            state = s;
            apply();
        });
        if (!found) { apply(); }
    }
    // layers/actions.py pack: the deflated JSON, then the ids (civicmap.js `civicUnpack`)
    civicUnpack(D.z).then(function (u) { build(JSON.parse(u.text), u.tail); });
    api.marks = function () { return group.getLayers(); };
    return api;
}
