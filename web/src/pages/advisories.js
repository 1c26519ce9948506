// SPDX-License-Identifier: Apache-2.0
// Security advisories matching the site's platforms, most severe then newest
// first (the API's order), and one advisory with why it matched and the fixes.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiGet, useApi } from '../api.js';
import { fmtTime, safeUrl, sevClass } from '../format.js';
import { href } from '../router.js';
import { ApiView, Dl, ErrorBox, Loading } from '../ui.js';

const UNAVAILABLE = 'Advisories are not available on this portal yet.';

function Severity({ a }) {
    const sev = a.severity ?? 'unknown';
    return html`<span class=${sevClass(sev)}>${sev}</span>`;
}

function fmtCvss(c) {
    return typeof c === 'number' ? c.toFixed(1) : '–';
}

function fmtStatus(s) {
    return typeof s === 'string' ? s.replace(/_/g, ' ') : '';
}

// What a match tells the site: its status, or "needs a look" when tocsin
// could not decide (older servers send no verdict: the status then).
function fmtVerdict(x) {
    return fmtStatus(x.verdict ?? x.status);
}

export function Advisories({ site }) {
    const first = useApi('advisories', { limit: 50, site });
    const [more, setMore] = useState({ items: [], cursor: undefined, busy: false, error: null });
    const cursor = more.cursor !== undefined ? more.cursor : first.data ? first.data.next_cursor : null;
    const loadMore = () => {
        setMore({ ...more, busy: true, error: null });
        apiGet('advisories', { limit: 50, cursor, site }).then(
            (d) => setMore({ items: [...more.items, ...(d.advisories ?? [])], cursor: d.next_cursor ?? null, busy: false, error: null }),
            (error) => setMore({ ...more, busy: false, error })
        );
    };

    return html`<section aria-labelledby="h-adv">
        <h1 id="h-adv">Advisories</h1>
        <p class="muted">Vendor and CVE advisories that affect the platforms registered for your site,
            most severe first.</p>
        ${first.error && first.error.status === 404
            ? html`<p class="notice" role="status" id="adv-unavailable">${UNAVAILABLE}</p>`
            : html`<${ApiView} res=${first} what="advisories">
                  ${(d) => {
                      const items = [...(d.advisories ?? []), ...more.items];
                      if (items.length === 0)
                          return html`<p class="muted" id="no-advisories">No advisory matches your platforms.</p>`;
                      // The CSIRT sees every site's matches: which site runs what.
                      const withSite = items.some((a) => typeof a.site === 'string');
                      return html`
                          <div class="table-wrap">
                              <table class="advisories">
                                  <thead><tr>
                                      <th scope="col">Severity</th><th scope="col" class="num">CVSS</th>
                                      <th scope="col">Advisory</th><th scope="col">CVEs</th>
                                      <th scope="col">Status</th>
                                      ${withSite ? html`<th scope="col">Site</th>` : null}
                                      <th scope="col">${withSite ? 'Platform' : 'Your platform'}</th>
                                      <th scope="col">Updated</th>
                                  </tr></thead>
                                  <tbody>
                                      ${items.map(
                                          (a) => html`<tr key=${`${a.id} ${a.site ?? ''}`}>
                                              <td><${Severity} a=${a} /></td>
                                              <td class="num">${fmtCvss(a.cvss)}</td>
                                              <td><a href=${href(['advisories', a.id])}>${a.id}</a><br />${a.title}</td>
                                              <td>${(a.cves ?? []).join(', ')}</td>
                                              <td>${fmtVerdict(a)}</td>
                                              ${withSite ? html`<td class="site">${a.site}</td>` : null}
                                              <td class="addr">${a.platform}</td>
                                              <td class="nowrap">${fmtTime(a.updated ?? a.published)}</td>
                                          </tr>`
                                      )}
                                  </tbody>
                              </table>
                          </div>
                          <${ErrorBox} error=${more.error} />
                          ${more.busy ? html`<${Loading} what="more advisories" />` : null}
                          ${cursor && !more.busy
                              ? html`<p><button type="button" onClick=${loadMore}>More advisories</button></p>`
                              : null}
                      `;
                  }}
              <//>`}
    </section>`;
}

function Remediation({ r }) {
    const url = safeUrl(r.url);
    return html`<li>
        <strong>${fmtStatus(r.category)}</strong>${r.details ? `: ${r.details}` : ''}
        ${url ? html` <a href=${url} rel="noopener noreferrer" target="_blank">${url}</a>` : r.url ? ` (${r.url})` : ''}
    </li>`;
}

export function AdvisoryDetail({ id }) {
    const res = useApi(`advisories/${encodeURIComponent(id)}`);
    return html`<section aria-labelledby="h-advd">
        <p><a href="#/advisories">← Back to advisories</a></p>
        <${ApiView} res=${res} what=${`advisory ${id}`}
            notFound="This advisory does not exist, does not affect your site, or advisories are not available on this portal yet.">
            ${(a) => html`
                <h1 id="h-advd"><${Severity} a=${a} /> ${a.id}: ${a.title}</h1>
                <${Dl} rows=${[
                    ['Severity', a.severity],
                    ['CVSS', fmtCvss(a.cvss)],
                    ['CVEs', (a.cves ?? []).join(', ')],
                    ['Status', fmtVerdict(a)],
                    ['Your platform', a.platform],
                    ['Publisher', a.publisher],
                    ['Source', a.source],
                    ['Revision', a.revision],
                    ['Published', fmtTime(a.published)],
                    ['Updated', fmtTime(a.updated)],
                ]} />
                <h2>Why this advisory concerns you</h2>
                ${Array.isArray(a.matches) && a.matches.length
                    ? a.matches.map(
                          (m) => html`<section class="match">
                              <h3>${m.product}</h3>
                              <p>${typeof m.site === 'string' ? html`Site <strong class="site">${m.site}</strong> runs` : 'Your platform'}
                                  ${' '}<code>${m.platform}</code> — status: ${fmtVerdict(m)}.</p>
                              ${m.verdict === 'needs_a_look'
                                  ? html`<p class="notice">The advisory does not let tocsin decide whether this version is
                                        affected: read the reason below and check by hand.</p>`
                                  : null}
                              <p class="why">Matched because: ${m.rule}</p>
                              <h4>Remediations</h4>
                              ${Array.isArray(m.remediations) && m.remediations.length
                                  ? html`<ul>${m.remediations.map((r) => html`<${Remediation} r=${r} />`)}</ul>`
                                  : html`<p class="muted">No remediation is given yet.</p>`}
                          </section>`
                      )
                    : html`<p class="muted">The server gave no matching details.</p>`}
            `}
        <//>
    </section>`;
}
