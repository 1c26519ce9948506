// SPDX-License-Identifier: Apache-2.0
// Dashboard: who you are, events per day, by type, and your most affected hosts.
import { html } from 'htm/preact';
import { useApi } from '../api.js';
import { EventsChart } from '../chart.js';
import { fmtCount } from '../format.js';
import { href } from '../router.js';
import { ApiView } from '../ui.js';

const WINDOWS = [
    ['24h', 1, 'last 24 hours'],
    ['7d', 7, 'last 7 days'],
    ['30d', 30, 'last 30 days'],
    ['90d', 90, 'last 90 days'],
];

export function Dashboard({ me, params, site }) {
    const win = WINDOWS.find((w) => w[0] === params.get('since')) ?? WINDOWS[2];
    const stats = useApi('stats', { since: win[0], site });
    const who = site ? `site ${site}` : me && me.csirt ? 'the whole constituency (CSIRT)' : me ? `site ${me.site}` : '';
    const scoped = (p) => (site ? { ...p, site } : p);

    return html`<section aria-labelledby="h-dash">
        <h1 id="h-dash">Dashboard${who ? html` — <span class="site-name">${who}</span>` : ''}</h1>
        <nav class="windows" aria-label="Time window">
            ${WINDOWS.map(
                (w) => html`<a href=${href(['dashboard'], scoped({ since: w[0] }))}
                    aria-current=${w === win ? 'true' : undefined}>${w[2]}</a>`
            )}
        </nav>
        <${ApiView} res=${stats} what="statistics">
            ${(s) => html`
                <h2>Events per day (${win[2]})</h2>
                <${EventsChart} perDay=${Array.isArray(s.per_day) ? s.per_day : []} windowDays=${win[1]} />
                <div class="columns">
                    <div>
                        <h2>By type</h2>
                        ${s.by_type && s.by_type.length
                            ? html`<table class="by-type">
                                  <thead><tr><th scope="col">Taxonomy</th><th scope="col">Type</th><th scope="col" class="num">Events</th></tr></thead>
                                  <tbody>
                                      ${s.by_type.map(
                                          (t) => html`<tr>
                                              <td>${t.taxonomy}</td>
                                              <td><a href=${href(['events'], scoped({ type: t.type, since: win[0] }))}>${t.type}</a></td>
                                              <td class="num">${fmtCount(t.count)}</td>
                                          </tr>`
                                      )}
                                  </tbody>
                              </table>`
                            : html`<p class="muted">No events.</p>`}
                    </div>
                    <div>
                        <h2>Most affected hosts</h2>
                        ${s.top_hosts && s.top_hosts.length
                            ? html`<table class="top-hosts">
                                  <thead><tr><th scope="col">Address</th><th scope="col" class="num">Events</th></tr></thead>
                                  <tbody>
                                      ${s.top_hosts.map(
                                          (h) => html`<tr>
                                              <td><a href=${href(['events'], scoped({ ip: h.ip, since: win[0] }))}>${h.ip}</a></td>
                                              <td class="num">${fmtCount(h.count)}</td>
                                          </tr>`
                                      )}
                                  </tbody>
                              </table>`
                            : html`<p class="muted">None of your addresses was involved.</p>`}
                    </div>
                </div>
            `}
        <//>
    </section>`;
}
