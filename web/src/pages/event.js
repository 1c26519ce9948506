// SPDX-License-Identifier: Apache-2.0
// One event, leading with why it reached you (the matched network/ASN/domain),
// with your own share of its targets when a side names many addresses.
import { html } from 'htm/preact';
import { useApi } from '../api.js';
import { fmtOwners, fmtReason, fmtTime } from '../format.js';
import { ApiView, Dl } from '../ui.js';

// A side's many targets as the server scoped them: for a site only its own.
function Targets({ t }) {
    const list = Array.isArray(t.list) ? t.list : [];
    return html`<span class="targets">
        ${t.summary}${t.exact ? '' : ' (covering networks)'}
        ${list.length > 0 &&
        html`<details>
            <summary>${list.length} listed${t.more ? `, ${t.more} more` : ''}</summary>
            <ul class="plain">
                ${list.map((x) => html`<li><code>${x}</code></li>`)}
            </ul>
        </details>`}
    </span>`;
}

function endpointRows(prefix, ep) {
    if (!ep) return [];
    return [
        [`${prefix} address`, ep.ip],
        [`${prefix} network`, ep.network],
        [`${prefix} targets`, ep.targets ? html`<${Targets} t=${ep.targets} />` : undefined],
        [`${prefix} port`, ep.port],
        [`${prefix} AS`, ep.asn !== undefined ? `AS${ep.asn}` : undefined],
        [`${prefix} host name`, ep.fqdn],
        // A URL reported by a sensor is evidence, not a link to follow.
        [`${prefix} URL`, ep.url],
    ];
}

export function EventDetail({ id }) {
    const valid = /^[0-9]{1,19}$/.test(id);
    const res = useApi(valid ? `events/${id}` : null);
    if (!valid) return html`<p class="error" role="alert">Not an event number: ${id}</p>`;

    return html`<section aria-labelledby="h-event">
        <p><a href="#/events">← Back to events</a></p>
        <${ApiView} res=${res} what=${`event ${id}`}
            notFound="This event does not exist, or it is not visible to your site.">
            ${(e) => html`
                <h1 id="h-event">Event #${e.id}: ${e.type}</h1>
                <section class="why" aria-labelledby="h-why">
                    <h2 id="h-why">Why you received this event</h2>
                    ${Array.isArray(e.reasons) && e.reasons.length
                        ? html`<ul class="reasons">
                              ${e.reasons.map(
                                  (r) =>
                                      html`<li>
                                          ${fmtReason(r)}
                                          ${r.targets && html` Yours: ${r.targets.summary}.`}
                                      </li>`,
                              )}
                          </ul>`
                        : html`<p class="muted">The server gave no reason for this event.</p>`}
                </section>
                <h2>Details</h2>
                <${Dl} rows=${[
                    ['Time', fmtTime(e.time)],
                    ['Taxonomy', e.taxonomy],
                    ['Type', e.type],
                    ['Identifier', e.identifier],
                    ['Description', e.description],
                    ...endpointRows('Source', e.source),
                    ...endpointRows('Destination', e.destination),
                    ['Transport', e.transport],
                    ['Application', e.application],
                    ['Feed', e.feed ? [e.feed.name, e.feed.provider].filter(Boolean).join(' / ') : undefined],
                    ['TLP', e.tlp ? `TLP:${e.tlp}` : undefined],
                    ['Count', e.count],
                    ['Your site / role', fmtOwners(e.owners)],
                ]} />
                <details>
                    <summary>The event as JSON</summary>
                    <pre class="json">${JSON.stringify(e, null, 2)}</pre>
                </details>
            `}
        <//>
    </section>`;
}
