// SPDX-License-Identifier: Apache-2.0
// Incidents: the queue (the default page, highest priority first), one
// incident with its score explained factor by factor, its events and its
// history, the state a site sets (and, for a false positive or an expected
// one, a suppression rule offered), and a page per host of the site: its
// incidents, its events and the advisories matched for the site.
// Everything from the server is rendered as text (Preact escapes it).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiSend, useApi } from '../api.js';
import { fmtEndpoint, fmtTime, sevClass } from '../format.js';
import { href } from '../router.js';
import { ApiView, Dl, ErrorBox } from '../ui.js';

export const STATES = ['new', 'acknowledged', 'in-progress', 'resolved', 'false-positive', 'expected'];
const PAGE = 50;

function fmtScore(n) {
    return typeof n === 'number' ? n.toFixed(1) : '';
}

// A host page for a single address (not for networks, ASNs or domains).
function hostLink(object, site) {
    const isHost = typeof object === 'string' && /^[0-9a-fA-F:.]+$/.test(object);
    return isHost ? html`<a href=${href(['hosts', object], site ? { site } : null)}>${object}</a>` : object;
}

function IncidentRows({ list, site, withSite }) {
    return html`<div class="table-wrap"><table class="incidents">
        <thead><tr>
            <th scope="col">Score</th><th scope="col">State</th>
            ${withSite ? html`<th scope="col">Site</th>` : null}
            <th scope="col">Type</th><th scope="col">Your host</th><th scope="col">Role</th>
            <th scope="col">Events</th><th scope="col">Peers</th><th scope="col">Last seen</th>
            <th scope="col">Identifier</th>
        </tr></thead>
        <tbody>
            ${list.map(
                (i) => html`<tr data-incident-id=${i.id}>
                    <td class="score"><a href=${href(['incidents', String(i.id)], site ? { site } : null)}>${
                        i.suppressed ? 'suppressed' : fmtScore(i.score)
                    }</a></td>
                    <td class="state">${i.state}</td>
                    ${withSite ? html`<td>${i.site}</td>` : null}
                    <td>${i.type}</td>
                    <td>${hostLink(i.object, site)}</td>
                    <td>${i.role}</td>
                    <td>${i.event_count}</td>
                    <td>${i.peers}</td>
                    <td>${fmtTime(i.last_seen)}</td>
                    <td class="desc">${i.identifier}</td>
                </tr>`
            )}
        </tbody>
    </table></div>`;
}

// The queue: one page at a time, "More" follows the cursor.
export function Incidents({ me, params, site }) {
    const state = params.get('state') ?? 'open';
    const [cursors, setCursors] = useState([]);
    const cursor = cursors.length ? cursors[cursors.length - 1] : '';
    const res = useApi('incidents', { site, state: state === 'all' ? '' : state, limit: PAGE, cursor });
    const withSite = (me && me.csirt) || false;
    return html`<section aria-labelledby="h-inc">
        <h1 id="h-inc">Incidents${site ? html` of <span class="site-name">${site}</span>` : ''}</h1>
        <p class="muted">Highest priority first. An incident gathers your events of one type about one of
            your hosts or networks; its score says why it matters, factor by factor.</p>
        <form class="filters" onSubmit=${(e) => e.preventDefault()}>
            <label><span>State</span>
                <select name="state" value=${state} onChange=${(e) => {
                    setCursors([]);
                    const p = { state: e.currentTarget.value };
                    if (site) p.site = site;
                    window.location.hash = href(['incidents'], p);
                }}>
                    <option value="open">open (new, acknowledged, in progress)</option>
                    <option value="all">all</option>
                    ${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
                </select></label>
        </form>
        <${ApiView} res=${res} what="incidents">
            ${(d) => {
                const list = Array.isArray(d.incidents) ? d.incidents : [];
                return html`
                    ${list.length === 0
                        ? html`<p class="muted" id="no-incidents">No incident.</p>`
                        : html`<${IncidentRows} list=${list} site=${site} withSite=${withSite} />`}
                    <p class="pager">
                        ${cursors.length ? html`<button type="button" onClick=${() => setCursors(cursors.slice(0, -1))}>Back</button>` : null}
                        ${d.next_cursor ? html`<button type="button" id="incidents-more"
                            onClick=${() => setCursors([...cursors, d.next_cursor])}>More</button>` : null}
                    </p>`;
            }}
        <//>
    </section>`;
}

function Factors({ inc }) {
    const fs = Array.isArray(inc.factors) ? inc.factors : [];
    return html`<table class="factors">
        <thead><tr><th scope="col">Factor</th><th scope="col">Points</th><th scope="col">Of</th><th scope="col">Why</th></tr></thead>
        <tbody>
            ${fs.map(
                (f) => html`<tr data-factor=${f.factor}>
                    <td>${f.factor}</td><td class="num">${fmtScore(f.points)}</td>
                    <td class="num">${fmtScore(f.weight)}</td><td>${f.why}</td>
                </tr>`
            )}
        </tbody>
        <tfoot><tr><th scope="row">Score</th><td class="num" id="incident-score">${inc.suppressed ? '-' : fmtScore(inc.score)}</td><td></td>
            <td>${inc.suppressed ? 'suppressed by a rule: no priority' : 'the sum of the points'}</td></tr></tfoot>
    </table>`;
}

function StateForm({ inc, site, onDone }) {
    const [state, setState] = useState(inc.state);
    const [note, setNote] = useState('');
    const [status, setStatus] = useState({ busy: false, error: null, offer: false, rule: null });
    const save = async (e) => {
        e.preventDefault();
        setStatus({ busy: true, error: null, offer: false, rule: null });
        try {
            const now = await apiSend('PATCH', `incidents/${inc.id}`, { site }, note ? { state, note } : { state });
            setStatus({ busy: false, error: null, offer: state === 'false-positive' || state === 'expected', rule: null });
            setNote('');
            onDone(now);
        } catch (error) {
            setStatus({ busy: false, error, offer: false, rule: null });
        }
    };
    // A rule for the incident's own key: its type and identifier about its host or network.
    const suppress = async () => {
        setStatus({ ...status, busy: true, error: null });
        try {
            const body = { type: inc.type, net: inc.object, identifier: inc.identifier, note: `incident ${inc.id}` };
            const r = await apiSend('POST', 'suppressions', inc.site ? { site: inc.site } : null, body);
            setStatus({ busy: false, error: null, offer: false, rule: r.id });
        } catch (error) {
            setStatus({ busy: false, error, offer: true, rule: null });
        }
    };
    return html`<form class="incident-state" onSubmit=${save}>
        <label><span>State</span>
            <select name="state" value=${state} onChange=${(e) => setState(e.currentTarget.value)}>
                ${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
            </select></label>
        <label><span>Note</span>
            <input name="note" value=${note} maxlength="1024" autocomplete="off" onInput=${(e) => setNote(e.currentTarget.value)} /></label>
        <button type="submit" disabled=${status.busy}>Save</button>
        <${ErrorBox} error=${status.error} />
        ${status.offer
            ? html`<div class="notice" id="suppress-offer" role="status">
                  <p>Should later events like these be suppressed? A rule for <code>${inc.type}</code>
                      ${inc.identifier ? html` (<code>${inc.identifier}</code>)` : ''} about <code>${inc.object}</code>
                      keeps storing and counting them, without priority.</p>
                  <button type="button" id="suppress-create" onClick=${suppress} disabled=${status.busy}>Create the rule</button>
              </div>`
            : null}
        ${status.rule ? html`<p class="notice" role="status" id="suppress-done">Suppression rule ${status.rule} created.</p>` : null}
    </form>`;
}

function EventRows({ events }) {
    if (!Array.isArray(events) || events.length === 0) return html`<p class="muted">No event (pruned).</p>`;
    return html`<div class="table-wrap"><table class="events">
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th>
            <th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Description</th></tr></thead>
        <tbody>
            ${events.map(
                (e) => html`<tr data-event-id=${e.id}>
                    <td><a href=${href(['events', String(e.id)])}>${e.id}</a></td>
                    <td>${fmtTime(e.time)}</td><td>${e.type}</td>
                    <td>${fmtEndpoint(e.source)}</td><td>${fmtEndpoint(e.destination)}</td>
                    <td class="desc">${e.description ?? e.identifier ?? ''}</td>
                </tr>`
            )}
        </tbody>
    </table></div>`;
}

export function IncidentDetail({ id, site }) {
    const valid = /^[1-9][0-9]{0,17}$/.test(id);
    // The PATCH answer is the incident as it is now: shown without loading
    // it again, so that the state form (and its offer of a rule) stays.
    const [patched, setPatched] = useState(null);
    const loaded = useApi(valid ? `incidents/${id}` : null, { site });
    const res = patched && String(patched.id) === id ? { data: patched, error: null, loading: false } : loaded;
    if (!valid) return html`<p class="error" role="alert">Not an incident number: ${id}</p>`;
    return html`<section aria-labelledby="h-incident">
        <p><a href=${href([], site ? { site } : null)}>← Back to the incidents</a></p>
        <${ApiView} res=${res} what=${`incident ${id}`}
            notFound="This incident does not exist, or it is not visible to your site.">
            ${(i) => html`
                <h1 id="h-incident">Incident #${i.id}: ${i.type} ${i.role === 'source' ? 'from' : 'against'} ${i.object}</h1>
                <h2>Priority</h2>
                <${Factors} inc=${i} />
                <h2>State</h2>
                <p>This incident is <strong id="incident-state">${i.state}</strong>${i.note ? html` (${i.note})` : ''}.</p>
                <${StateForm} inc=${i} site=${site} onDone=${setPatched} />
                <h2>Details</h2>
                <${Dl} rows=${[
                    ['Site', i.site],
                    ['Type', `${i.type} (${i.taxonomy})`],
                    ['Identifier', i.identifier],
                    ['Your host or network', hostLink(i.object, site)],
                    ['Role', i.role],
                    ['First seen', fmtTime(i.first_seen)],
                    ['Last seen', fmtTime(i.last_seen)],
                    ['Events', i.event_count],
                    ['Observations', i.count],
                    ['Your hosts', i.own_hosts],
                    ['Peers', i.peers],
                    ['TLP', i.tlp ? `TLP:${i.tlp}` : undefined],
                    ['Feed', i.feed],
                    ['CVE', i.cve],
                    ['Matched advisory', i.advisory],
                    ['Critical', i.critical],
                    [
                        'Previous incident',
                        i.previous_id ? html`<a href=${href(['incidents', String(i.previous_id)], site ? { site } : null)}>#${i.previous_id}</a>` : undefined,
                    ],
                ]} />
                <h2>Events${i.more_events ? ' (the newest)' : ''}</h2>
                <${EventRows} events=${i.events} />
                <h2>History</h2>
                ${Array.isArray(i.history) && i.history.length
                    ? html`<ul class="plain history">${i.history.map(
                          (h) => html`<li>${fmtTime(h.time)}: ${h.detail && h.detail.from} → ${h.detail && h.detail.to}
                              ${h.detail && h.detail.note ? ` (${h.detail.note})` : ''} by <code>${h.who.slice(0, 16)}</code></li>`
                      )}</ul>`
                    : html`<p class="muted">No change yet.</p>`}
            `}
        <//>
    </section>`;
}

// One host of the site: its incidents, its events, the advisories matched for the site.
export function Host({ ip, site }) {
    const valid = /^[0-9a-fA-F:.]{2,45}$/.test(ip);
    const incs = useApi(valid ? 'incidents' : null, { site, ip, state: '', suppressed: 'any', limit: 100 });
    const evs = useApi(valid ? 'events' : null, { site, ip, limit: 50 });
    const advs = useApi(valid ? 'advisories' : null, { site });
    if (!valid) return html`<p class="error" role="alert">Not an address: ${ip}</p>`;
    return html`<section aria-labelledby="h-host">
        <p><a href=${href([], site ? { site } : null)}>← Back to the incidents</a></p>
        <h1 id="h-host">Host <code>${ip}</code></h1>
        <h2>Incidents</h2>
        <${ApiView} res=${incs} what="incidents" notFound="This host is not visible to your site.">
            ${(d) =>
                Array.isArray(d.incidents) && d.incidents.length
                    ? html`<${IncidentRows} list=${d.incidents} site=${site} withSite=${false} />`
                    : html`<p class="muted" id="host-no-incidents">No incident about this host.</p>`}
        <//>
        <h2>Events</h2>
        <${ApiView} res=${evs} what="events">${(d) => html`<${EventRows} events=${d.events} />`}<//>
        <h2>Advisories matched for the site</h2>
        <${ApiView} res=${advs} what="advisories">
            ${(d) => {
                const list = Array.isArray(d.advisories) ? d.advisories : [];
                if (list.length === 0) return html`<p class="muted">No advisory matched the site's platforms.</p>`;
                return html`<ul class="plain host-advisories">${list.map(
                    (a) => html`<li><span class=${sevClass(a.severity)}>${a.severity}</span>
                        <a href=${href(['advisories', a.id], site ? { site } : null)}>${a.id}</a> ${a.title}
                        <span class="muted">(${a.platform})</span></li>`
                )}</ul>`;
            }}
        <//>
    </section>`;
}
