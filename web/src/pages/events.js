// SPDX-License-Identifier: Apache-2.0
// Events: filters kept in the URL (so a view can be bookmarked and shared),
// newest first, "Older events" follows the API's cursor.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { apiGet, query, useApi } from '../api.js';
import { fmtCount, fmtEndpoint, fmtOwners, fmtTime } from '../format.js';
import { href } from '../router.js';
import { useSites } from '../site-picker.js';
import { ApiView, ErrorBox, Loading } from '../ui.js';

export const FILTERS = ['since', 'until', 'taxonomy', 'type', 'role', 'ip', 'site'];
const PAGE = 50;

function filtersFrom(params) {
    const f = {};
    for (const k of FILTERS) f[k] = params.get(k) ?? '';
    return f;
}

function FilterForm({ filters, me }) {
    const [f, setF] = useState(filters);
    useEffect(() => setF(filters), [JSON.stringify(filters)]);
    const sites = useSites().map((s) => s.name);
    // Every RSIT taxonomy and its types, as the API takes them.
    const tax = useApi('taxonomy');
    const taxonomies = tax.data && Array.isArray(tax.data.taxonomies) ? tax.data.taxonomies : [];
    const types = taxonomies.filter((t) => f.taxonomy === '' || t.name === f.taxonomy).flatMap((t) => t.types);

    const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
    const submit = (e) => {
        e.preventDefault();
        const p = {};
        for (const k of FILTERS) if (f[k].trim() !== '') p[k] = f[k].trim();
        window.location.hash = href(['events'], p);
    };
    const input = (k, label, hint, list) => html`<label>
        <span>${label}</span>
        <input name=${k} value=${f[k]} onInput=${set(k)} placeholder=${hint} list=${list} autocomplete="off" />
    </label>`;

    return html`<form class="filters" onSubmit=${submit} aria-label="Event filters">
        ${input('since', 'Since', '7d, 24h or 2026-11-20T00:00:00Z', 'dl-since')}
        ${input('until', 'Until', 'RFC 3339 time or 1d')}
        <label>
            <span>Taxonomy</span>
            <select name="taxonomy" value=${f.taxonomy}
                onChange=${(e) => {
                    const t = e.currentTarget.value;
                    const keep = taxonomies.some((x) => x.name === t && x.types.includes(f.type));
                    setF({ ...f, taxonomy: t, type: t === '' || keep ? f.type : '' });
                }}>
                <option value="">any</option>
                ${taxonomies.map((t) => html`<option value=${t.name}>${t.name}</option>`)}
            </select>
        </label>
        <label>
            <span>Type</span>
            <select name="type" value=${f.type} onChange=${set('type')}>
                <option value="">any</option>
                ${types.map((t) => html`<option value=${t}>${t}</option>`)}
            </select>
        </label>
        <label>
            <span>Your role</span>
            <select name="role" value=${f.role} onChange=${set('role')}>
                <option value="">any</option>
                <option value="source">source</option>
                <option value="destination">destination</option>
            </select>
        </label>
        ${input('ip', 'Address or network', '192.0.2.1 or 192.0.2.0/24')}
        ${sites.length > 1
            ? html`<label>
                  <span>Site</span>
                  <select name="site" value=${f.site} onChange=${set('site')}>
                      <option value="">${me && me.csirt ? 'all' : 'all of mine'}</option>
                      ${sites.map((s) => html`<option value=${s}>${s}</option>`)}
                  </select>
              </label>`
            : input('site', 'Site', 'site name')}
        <datalist id="dl-since"><option value="24h" /><option value="7d" /><option value="30d" /><option value="90d" /></datalist>
        <div class="buttons">
            <button type="submit">Apply filters</button>
            <a class="button secondary" href="#/events">Clear</a>
        </div>
    </form>`;
}

// One line per event: long values are cut with an ellipsis, whole in the
// tooltip and on the event's own page.
function EventRow({ e }) {
    const desc = e.description ?? e.identifier ?? '';
    const feed = e.feed ? e.feed.name ?? '' : '';
    return html`<tr data-event-id=${e.id}>
        <td><a href=${href(['events', String(e.id)])} aria-label=${`Event ${e.id} details`}>#${e.id}</a></td>
        <td class="nowrap">${fmtTime(e.time)}</td>
        <td class="nowrap" title=${e.taxonomy}>${e.type}</td>
        <td class="addr cut" title=${fmtEndpoint(e.source)}>${fmtEndpoint(e.source)}</td>
        <td class="addr cut" title=${fmtEndpoint(e.destination)}>${fmtEndpoint(e.destination)}</td>
        <td class="cut owners" title=${fmtOwners(e.owners)}>${fmtOwners(e.owners)}</td>
        <td class="desc cut" title=${desc}>${desc}</td>
        <td class="cut feed" title=${feed}>${feed}</td>
        <td class="num">${e.count ?? ''}</td>
    </tr>`;
}

export function Events({ params, me }) {
    const filters = filtersFrom(params);
    const base = { ...filters, limit: PAGE };
    const first = useApi('events', base);
    const key = query(base);
    const [older, setOlder] = useState({ key, events: [], cursor: undefined, busy: false, error: null });
    const more = older.key === key ? older : { key, events: [], cursor: undefined, busy: false, error: null };

    const cursor = more.cursor !== undefined ? more.cursor : first.data ? first.data.next_cursor : null;
    const loadOlder = () => {
        setOlder({ ...more, busy: true, error: null });
        apiGet('events', { ...base, cursor }).then(
            (d) =>
                setOlder((o) =>
                    o.key === key
                        ? { key, events: [...more.events, ...(d.events ?? [])], cursor: d.next_cursor ?? null, busy: false, error: null }
                        : o
                ),
            (error) => setOlder((o) => (o.key === key ? { ...more, busy: false, error } : o))
        );
    };

    const active = FILTERS.filter((k) => filters[k] !== '');
    return html`<section aria-labelledby="h-events">
        <h1 id="h-events">Events</h1>
        <${FilterForm} filters=${filters} me=${me} />
        <p class="active-filters">
            ${active.length
                ? `Filtered by ${active.map((k) => `${k} = ${filters[k]}`).join(', ')}.`
                : 'No filters: all events for your site(s), newest first.'}
            ${' '}<a href=${`/api/v1/events${query({ ...filters, limit: 1000, format: 'csv' })}`} download="events.csv">Download as CSV</a>
            ${' '}(up to 1000 events)
        </p>
        <${ApiView} res=${first} what="events">
            ${(d) => {
                const events = [...(d.events ?? []), ...more.events];
                if (events.length === 0) return html`<p class="muted" id="no-events">No events match.</p>`;
                return html`
                    <p class="count" aria-live="polite">${fmtCount(events.length)} event${events.length === 1 ? '' : 's'} shown${cursor ? ' (more are available)' : ''}.</p>
                    <div class="table-wrap">
                        <table class="events">
                            <thead><tr>
                                <th scope="col">ID</th><th scope="col">Time</th><th scope="col">Type</th>
                                <th scope="col">Source</th><th scope="col">Destination</th>
                                <th scope="col">${me && me.csirt ? 'Site / role' : 'Your site / role'}</th><th scope="col">Description</th>
                                <th scope="col">Feed</th><th scope="col" class="num">Count</th>
                            </tr></thead>
                            <tbody>${events.map((e) => html`<${EventRow} key=${e.id} e=${e} />`)}</tbody>
                        </table>
                    </div>
                    <${ErrorBox} error=${more.error} />
                    ${more.busy ? html`<${Loading} what="older events" />` : null}
                    ${cursor && !more.busy
                        ? html`<p><button type="button" class="older" onClick=${loadOlder}>Older events</button></p>`
                        : null}
                `;
            }}
        <//>
    </section>`;
}
