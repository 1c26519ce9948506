// SPDX-License-Identifier: Apache-2.0
// Domain deactivation cases, the CSIRT's only: the cases by state, one case
// with its evidence and timeline (who decided what, why, for which period),
// and a decision form. The store enforces the procedure; a refused decision
// comes back as 409 with the rule, shown as it is. Everything from the
// server is rendered as text (Preact escapes it).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiSend, useApi } from '../api.js';
import { fmtTime } from '../format.js';
import { href } from '../router.js';
import { ApiView, Dl, ErrorBox } from '../ui.js';

const STATES = ['', 'reported', 'review', 'notified', 'deactivated', 'reactivated', 'cancelled', 'closed'];
const ACTIONS = ['review', 'notify', 'deactivate', 'extend', 'reactivate', 'cancel', 'close', 'evidence'];

export function DomainCases({ params }) {
    const state = params.get('state') ?? '';
    const res = useApi('domain-cases', state ? { state } : {});
    return html`<section aria-labelledby="h-dc">
        <h1 id="h-dc">Domain cases</h1>
        <p class="muted">Domains under the zones the CSIRT claims, reported for abuse, and what was
            decided. The public list is at <a href="/public/domains">/public/domains</a>.</p>
        <p>${STATES.map(
            (s) => html`<a class="button secondary" href=${href(['domains'], s ? { state: s } : null)}
                aria-current=${s === state ? 'true' : undefined}>${s || 'all'}</a> `
        )}</p>
        <${ApiView} res=${res} what="domain cases">
            ${(d) =>
                d.cases.length === 0
                    ? html`<p class="muted" id="no-domain-cases">No case${state ? ` in state ${state}` : ''}.</p>`
                    : html`<div class="table-wrap"><table class="domain-cases">
                          <thead><tr>
                              <th scope="col" class="num">Case</th><th scope="col">Domain</th>
                              <th scope="col">Reason</th><th scope="col">State</th>
                              <th scope="col">Until</th><th scope="col">Opened</th>
                          </tr></thead>
                          <tbody>
                              ${d.cases.map(
                                  (c) => html`<tr data-case-id=${c.id}>
                                      <td class="num"><a href=${href(['domains', String(c.id)])}>${c.id}</a></td>
                                      <td class="addr">${c.domain}</td><td>${c.reason}</td>
                                      <td><strong>${c.state}</strong></td>
                                      <td class="nowrap">${fmtTime(c.until)}</td>
                                      <td class="nowrap">${fmtTime(c.opened)}</td>
                                  </tr>`
                              )}
                          </tbody>
                      </table></div>`}
        <//>
    </section>`;
}

function DecisionForm({ id, onDone }) {
    const [action, setAction] = useState('review');
    const [days, setDays] = useState('');
    const [why, setWhy] = useState('');
    const [evidence, setEvidence] = useState('');
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    const submit = async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        const body = { action, why };
        if (days !== '') body.days = Number(days);
        const ev = evidence.split('\n').map((s) => s.trim()).filter((s) => s !== '');
        if (ev.length) body.evidence = ev;
        try {
            await apiSend('POST', `domain-cases/${id}/decisions`, null, body);
            setWhy('');
            setEvidence('');
            onDone();
        } catch (err) {
            setError(err);
        }
        setBusy(false);
    };
    return html`<form class="decision" onSubmit=${submit}>
        <h2>Decide</h2>
        <label>Action <select name="action" value=${action} onChange=${(e) => setAction(e.target.value)}>
            ${ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}
        </select></label>
        <label>Days <input name="days" type="number" min="1" value=${days}
            onInput=${(e) => setDays(e.target.value)} /></label>
        <label>Why <input name="why" value=${why} onInput=${(e) => setWhy(e.target.value)} /></label>
        <label>Evidence (one URL or event:ID a line)
            <textarea name="evidence" value=${evidence} onInput=${(e) => setEvidence(e.target.value)}></textarea></label>
        <button type="submit" disabled=${busy}>Record the decision</button>
        ${error ? html`<${ErrorBox} error=${error} />` : null}
    </form>`;
}

export function DomainCase({ id }) {
    const [version, setVersion] = useState(0);
    const res = useApi(`domain-cases/${encodeURIComponent(id)}`, {}, version);
    return html`<section aria-labelledby="h-case">
        <${ApiView} res=${res} what="the case" notFound="No such case.">
            ${(c) => html`
                <h1 id="h-case">Case ${c.id}: <span class="addr" id="case-domain">${c.domain}</span></h1>
                <${Dl} rows=${[
                    ['State', html`<strong id="case-state">${c.state}</strong>`],
                    ['Reason', c.reason],
                    ['Deactivated since', fmtTime(c.since)],
                    ['Until', fmtTime(c.until)],
                    ['Extensions', String(c.extensions)],
                    ['Opened', `${fmtTime(c.opened)} by ${c.opened_by}`],
                    ['Holder', c.holder],
                    ['Registrar (technical contact)', c.registrar],
                    ['Reporter', c.reporter],
                    ['Notices in', c.lang],
                ]} />
                <h2>Evidence</h2>
                <table class="domain-evidence">
                    <thead><tr><th scope="col">Kind</th><th scope="col">Evidence</th>
                        <th scope="col">Dated</th><th scope="col">Added by</th></tr></thead>
                    <tbody>
                        ${c.evidence.map(
                            (e) => html`<tr>
                                <td>${e.kind}</td>
                                <td class="addr">${e.value}${e.sha256 ? html`<br /><code>SHA-256 ${e.sha256}</code>` : null}</td>
                                <td class="nowrap">${fmtTime(e.dated)}</td><td>${e.who}</td>
                            </tr>`
                        )}
                    </tbody>
                </table>
                <h2>Timeline</h2>
                <table class="domain-timeline">
                    <thead><tr><th scope="col">When</th><th scope="col">Decision</th><th scope="col">Who</th>
                        <th scope="col">Why</th><th scope="col">Period</th></tr></thead>
                    <tbody>
                        ${c.timeline.map(
                            (d) => html`<tr>
                                <td class="nowrap">${fmtTime(d.at)}</td>
                                <td><strong>${d.action}</strong>${d.to ? ` (${d.from || 'new'} → ${d.to})` : ''}</td>
                                <td class="fp">${d.who}</td><td>${d.why}</td>
                                <td class="nowrap">${d.valid_until ? `${fmtTime(d.valid_from)} – ${fmtTime(d.valid_until)}` : ''}</td>
                            </tr>`
                        )}
                    </tbody>
                </table>
                <${DecisionForm} id=${c.id} onDone=${() => setVersion(version + 1)} />
            `}
        <//>
    </section>`;
}
