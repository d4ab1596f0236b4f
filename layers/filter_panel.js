/* filter_panel.js: the Map page's filters, applied in the browser (layers/filter_panel.py).
 *
 * Runs in the app's page (st.html with its script allowed). A change, the province set's
 * too, never reruns the page's script (the map element holds every province): the panel
 * writes the filter into hidden elements' data attributes that the map frame watches
 * (`data-civic-map-filter` for civicmap.js, `data-civic-actions-state` for actions.js),
 * writes the counts the map reports back, and keeps the URL in step.
 * Labels come from the spec as text (textContent only); nothing from it becomes markup.
 */
(function () {
    var roots = document.querySelectorAll('.civic-filter-panel');
    var root = roots[roots.length - 1];
    if (!root || root.getAttribute('data-ready')) { return; }
    root.setAttribute('data-ready', '1');
    var spec = JSON.parse(root.getAttribute('data-spec'));
    var PATH = window.location.pathname;  // the Map page's own (another page's URL is left alone)
    var W = spec.words, LISTS = ['provinces', 'municipalities', 'kinds', 'fields', 'legal_forms',
                                 'statuses', 'precisions'];

    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) { e.className = cls; }
        if (text !== undefined && text !== null) { e.textContent = String(text); }
        return e;
    }
    function codes(options) { return options.map(function (o) { return o[0]; }); }
    function only(values, allowed) {
        return (values || []).filter(function (v) { return allowed.indexOf(v) >= 0; });
    }

    // The state: what this page load chose before (kept in the page across reruns and
    // language switches), else what the URL said when the page was opened.
    var state = JSON.parse(JSON.stringify(window.civicPanelState || spec.initial));
    // the province set in code order, as the URL has it (geo/filters.to_query)
    state.provinces = only(state.provinces || spec.initial.provinces,
                           codes(spec.options.provinces)).sort();
    function inProvinces(code) { return state.provinces.indexOf(code.slice(0, 3)) >= 0; }
    state.municipalities = only(state.municipalities, codes(spec.options.municipalities))
        .filter(inProvinces);
    window.civicPanelState = state;

    // ---- controls ----------------------------------------------------------------------
    var uid = 0;
    function checkbox(text, checked, onChange) {
        var label = el('label', 'cfp-check'), box = el('input');
        box.type = 'checkbox';
        box.checked = !!checked;
        box.addEventListener('change', function () { onChange(box.checked); });
        label.appendChild(box);
        label.appendChild(el('span', null, text));
        return label;
    }
    function group(title, name, options, folded, emptyWord, after) {
        /* A list of choices; folded: a drop-down list with a summary line; `after` runs
         * after each of its changes, before the map is told. box.civicSummary redraws the
         * summary, box.civicLabels holds each option's label (by code). */
        var box = el(folded ? 'details' : 'fieldset', 'cfp-group cfp-' + name);
        var labels = {};
        var head = el(folded ? 'summary' : 'legend', 'cfp-title');
        box.appendChild(head);
        var list = el('div', 'cfp-list');
        function summary() {
            var chosen = state[name];
            if (!folded) { head.textContent = title; return; }
            head.textContent = '';
            head.appendChild(el('span', 'cfp-name', title));
            var words = !chosen.length ? emptyWord : chosen.length === 1
                ? (options.filter(function (o) { return o[0] === chosen[0]; })[0] || ['', ''])[1]
                : W.chosen.replace('{n}', chosen.length);
            head.appendChild(el('span', 'cfp-summary', words));
        }
        options.forEach(function (o) {
            var label = checkbox(o[1], state[name].indexOf(o[0]) >= 0, function (on) {
                var now = state[name].filter(function (v) { return v !== o[0]; });
                if (on) { now.push(o[0]); }
                // keep the options' order, as the URL and the server do
                state[name] = codes(options).filter(function (c) { return now.indexOf(c) >= 0; });
                summary();
                if (after) { after(); }
                changed();
            });
            labels[o[0]] = label;
            list.appendChild(label);
        });
        box.appendChild(list);
        summary();
        box.civicSummary = summary;
        box.civicLabels = labels;
        return box;
    }

    root.textContent = '';
    var form = el('div', 'cfp');
    var munis = null;
    function showMunicipalities() {
        /* Only the chosen provinces' municipalities are listed; a municipality of a province
         * no longer chosen is no longer chosen either. */
        state.municipalities = state.municipalities.filter(inProvinces);
        Object.keys(munis.civicLabels).forEach(function (code) {
            var label = munis.civicLabels[code], on = inProvinces(code);
            label.style.display = on ? '' : 'none';  // (the CSS would beat `hidden`)
            label.querySelector('input').checked = state.municipalities.indexOf(code) >= 0;
        });
        munis.civicSummary();
    }
    form.appendChild(group(W.province, 'provinces', spec.options.provinces, true, W.no_province,
                           function () {
                               state.provinces.sort();
                               showMunicipalities();
                           }));
    munis = group(W.municipality, 'municipalities', spec.options.municipalities, true,
                  W.all_municipalities);
    form.appendChild(munis);
    showMunicipalities();
    form.appendChild(group(W.kind, 'kinds', spec.options.kinds, false));
    form.appendChild(checkbox(W.presumed, state.presumed, function (on) {
        state.presumed = on;
        changed();
    }));
    form.appendChild(group(W.field, 'fields', spec.options.fields, true, W.any_field));
    form.appendChild(group(W.legal_form, 'legal_forms', spec.options.legal_forms, true,
                           W.any_legal_form));
    form.appendChild(group(W.status, 'statuses', spec.options.statuses, true, W.none));
    form.appendChild(group(W.precision, 'precisions', spec.options.precisions, true, W.none));
    var nameId = 'cfp-name-' + (++uid) + '-' + Date.now();
    var nameLabel = el('label', 'cfp-title', W.name);
    nameLabel.htmlFor = nameId;
    var name = el('input', 'cfp-text');
    name.id = nameId;
    name.type = 'search';
    name.maxLength = 100;
    name.placeholder = W.name_placeholder;
    name.value = state.q || '';
    var typing = null;
    name.addEventListener('input', function () {
        clearTimeout(typing);
        typing = setTimeout(function () { state.q = name.value.slice(0, 100); changed(); }, 250);
    });
    name.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
            clearTimeout(typing);
            state.q = name.value.slice(0, 100);
            changed();
        }
    });
    form.appendChild(nameLabel);
    form.appendChild(name);

    var actionsNote = null;
    if (spec.actions) {
        form.appendChild(el('h3', 'cfp-head', W.actions));
        form.appendChild(checkbox(W.show_actions, state.a_show, function (on) {
            state.a_show = on;
            changed();
        }));
        var whenId = 'cfp-when-' + (++uid) + '-' + Date.now();
        var whenLabel = el('label', 'cfp-title', W.dates);
        whenLabel.htmlFor = whenId;
        var when = el('select', 'cfp-select');
        when.id = whenId;
        spec.options.windows.forEach(function (o) {
            var opt = el('option', null, o[1]);
            opt.value = o[0];
            when.appendChild(opt);
        });
        when.value = state.a_when;
        when.addEventListener('change', function () { state.a_when = when.value; changed(); });
        form.appendChild(whenLabel);
        form.appendChild(when);
        form.appendChild(group(W.cause, 'a_cause', spec.options.causes, true, W.any_cause));
        form.appendChild(group(W.type, 'a_type', spec.options.types, true, W.any_type));
        actionsNote = el('p', 'cfp-note');
        form.appendChild(actionsNote);
    }
    // the hidden elements the map frame reads
    var mapState = el('div'), actionsState = el('div');
    mapState.hidden = true;
    actionsState.hidden = true;
    form.appendChild(mapState);
    form.appendChild(actionsState);
    root.appendChild(form);

    // ---- what a change does ------------------------------------------------------------
    function fit() {
        /* The chosen municipalities' box, else the chosen provinces', else the country's. */
        var boxes = state.municipalities.map(function (c) { return spec.bounds.municipalities[c]; })
            .filter(Boolean);
        if (!boxes.length) {
            boxes = state.provinces.map(function (c) { return spec.bounds.provinces[c]; })
                .filter(Boolean);
        }
        if (!boxes.length) { return spec.bounds.country; }
        return boxes.reduce(function (a, b) {
            return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]),
                    Math.max(a[3], b[3])];
        });
    }
    function indices(chosen, all) {
        return chosen.length ? chosen.map(function (c) { return all.indexOf(c); }) : null;
    }
    function query() {
        /* The URL parameters of the state that differ from the defaults (geo/filters.to_query). */
        var out = {}, d = spec.defaults;
        LISTS.forEach(function (n) {
            if (state[n].join(',') !== d[n].join(',')) { out[n] = state[n].join(','); }
        });
        if (state.q) { out.q = state.q; }
        if (!state.presumed) { out.presumed = '0'; }
        if (spec.actions) {
            if (!state.a_show) { out.a_show = '0'; }
            if (state.a_when !== 'upcoming') { out.a_when = state.a_when; }
            if (state.a_cause.length) { out.a_cause = state.a_cause.join(','); }
            if (state.a_type.length) { out.a_type = state.a_type.join(','); }
        }
        return out;
    }
    var OWN = LISTS.concat(['q', 'presumed', 'a_show', 'a_when', 'a_cause', 'a_type']);
    var H = window.civicHistory = window.civicHistory || {
        push: window.history.pushState, replace: window.history.replaceState};
    function syncUrl() {
        if (!document.contains(root) || window.location.pathname !== PATH) { return; }
        var params = new URLSearchParams(window.location.search), own = query();
        OWN.forEach(function (k) { params.delete(k); });
        Object.keys(own).forEach(function (k) { params.set(k, own[k]); });
        var text = params.toString().replace(/%2C/g, ',');
        var url = window.location.pathname + (text ? '?' + text : '') + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
            H.replace.call(window.history, window.history.state, '', url);
        }
    }
    window.civicPanelSync = syncUrl;
    if (!window.civicHistoryHooked) {
        // Streamlit writes the URL it knows after a rerun; the panel's part is put back.
        window.civicHistoryHooked = true;
        window.history.pushState = function () {
            var r = H.push.apply(window.history, arguments);
            if (window.civicPanelSync) { window.civicPanelSync(); }
            return r;
        };
        window.history.replaceState = function () {
            var r = H.replace.apply(window.history, arguments);
            if (window.civicPanelSync) { window.civicPanelSync(); }
            return r;
        };
    }
    function changed() {
        mapState.setAttribute('data-civic-map-filter', JSON.stringify({
            key: spec.map_key, provinces: state.provinces,
            municipalities: state.municipalities, kinds: state.kinds,
            presumed: state.presumed, fields: state.fields, legal_forms: state.legal_forms,
            statuses: state.statuses, precisions: state.precisions, q: (state.q || '').trim(),
            fit: fit()}));
        if (spec.actions) {
            var days = spec.actions.windows[state.a_when] || spec.actions.windows.upcoming;
            actionsState.setAttribute('data-civic-actions-state', JSON.stringify({
                key: spec.actions.key, from: days[0], to: days[1],
                c: indices(state.a_cause, spec.actions.causes),
                t: indices(state.a_type, spec.actions.types), on: state.a_show,
                p: state.provinces}));
        }
        syncUrl();
    }

    // ---- what the map reports back -----------------------------------------------------
    var number = new Intl.NumberFormat(spec.locale);
    function counts(e) {
        if (!e.detail || e.detail.key !== spec.map_key) { return; }
        document.querySelectorAll('.civic-counts [data-kind]').forEach(function (b) {
            b.textContent = number.format(e.detail.counts[b.getAttribute('data-kind')] || 0);
        });
        var q = (state.q || '').trim(), total = 0;
        Object.keys(e.detail.counts).forEach(function (k) { total += e.detail.counts[k]; });
        document.querySelectorAll('.civic-nomatch').forEach(function (p) {
            p.hidden = !(q && total === 0);
            p.textContent = W.no_match.replace('{q}', q);
        });
    }
    function actionCount(e) {
        if (actionsNote && e.detail && e.detail.key === spec.actions.key) {
            actionsNote.textContent = W.actions_count.replace('{n}', number.format(e.detail.n));
        }
    }
    if (window.civicPanelListeners) {
        window.removeEventListener('civic-map-filtered', window.civicPanelListeners[0]);
        window.removeEventListener('civic-actions-filtered', window.civicPanelListeners[1]);
    }
    window.civicPanelListeners = [counts, actionCount];
    window.addEventListener('civic-map-filtered', counts);
    window.addEventListener('civic-actions-filtered', actionCount);
    changed();
    if (window.civicMapCounts) { counts({detail: window.civicMapCounts}); }
    if (window.civicActionsCount) { actionCount({detail: window.civicActionsCount}); }
})();
