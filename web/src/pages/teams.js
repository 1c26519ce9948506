// SPDX-License-Identifier: Apache-2.0
// The CSIRT's team directory: every team with its state and constituency,
// and the contact lookup (who to tell about an address, prefix, ASN or
// domain, and where that answer came from). CSIRT certificates only.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useApi } from '../api.js';
import { fmtTime } from '../format.js';
import { ApiView, Dl } from '../ui.js';

function Lookup() {
    const [text, setText] = useState('');
    const [q, setQ] = useState('');
    const res = useApi(q ? 'contact-lookup' : null, { q });
    return html`<section aria-labelledby="h-lookup">
        <h2 id="h-lookup">Find a contact</h2>
        <form class="lookup" onSubmit=${(e) => {
            e.preventDefault();
            setQ(text.trim());
        }}>
            <label for="lookup-q">Address, prefix, ASN or domain</label>
            <input id="lookup-q" value=${text} onInput=${(e) => setText(e.target.value)} />
            <button type="submit">Find</button>
        </form>
        ${q
            ? html`<${ApiView} res=${res} what="the contact">
                  ${(a) => html`<div id="lookup-answer">
                      ${a.found
                          ? html`<${Dl} rows=${[
                                ['Contact', a.email],
                                ['Source', `${a.source}${a.name ? ` (${a.name})` : ''}`],
                                ['Object', a.object],
                                ['Server', a.server],
                                ['Obtained', fmtTime(a.fetched)],
                                ['Verified', a.verified ? 'yes' : 'no'],
                                ['Team state', a.team_state],
                            ]} />`
                          : html`<p>No contact found for ${a.query}.</p>`}
                      ${a.trail ? html`<p class="muted">Tried: ${a.trail}</p>` : null}
                      <p class="muted">The portal answers from the sites, the directory and the answers
                          <code>tocsin contact find</code> cached; it asks no registry itself.</p>
                  </div>`}
              <//>`
            : null}
    </section>`;
}

export function Teams() {
    const res = useApi('teams');
    return html`<section aria-labelledby="h-teams">
        <h1 id="h-teams">Team directory</h1>
        <p class="muted">Other CSIRTs, their state in the listing and accreditation process and what
            they cover. Changes are made with <code>tocsin team</code>.</p>
        <${Lookup} />
        <h2>Teams</h2>
        <${ApiView} res=${res} what="the teams">
            ${(d) =>
                d.teams.length === 0
                    ? html`<p class="muted" id="no-teams">No team in the directory yet.</p>`
                    : html`<div class="table-wrap"><table class="teams">
                          <thead><tr>
                              <th scope="col">Team</th><th scope="col">Country</th><th scope="col">State</th>
                              <th scope="col">E-mail</th><th scope="col">Constituency</th>
                              <th scope="col">Verified</th>
                          </tr></thead>
                          <tbody>
                              ${d.teams.map(
                                  (t) => html`<tr>
                                      <td><strong>${t.short_team_name}</strong>
                                          ${t.official_team_name ? html`<br />${t.official_team_name}` : null}</td>
                                      <td>${t.country}</td>
                                      <td>${t.state}${t.deadline ? html`<br />until ${fmtTime(t.deadline)}` : null}</td>
                                      <td class="addr">${t.email}</td>
                                      <td class="addr">${[
                                          ...t.constituency.asns.map((a) => `AS${a}`),
                                          ...t.constituency.networks,
                                          ...t.constituency.domains,
                                      ].join(' ')}</td>
                                      <td class="nowrap">${t.verified ? fmtTime(t.verified) : 'no'}</td>
                                  </tr>`
                              )}
                          </tbody>
                      </table></div>`}
        <//>
    </section>`;
}
