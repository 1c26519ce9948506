// SPDX-License-Identifier: Apache-2.0
// Small shared components: loading and error states, definition lists.
import { html } from 'htm/preact';

export function Loading({ what }) {
    return html`<p class="loading" role="status">Loading ${what ?? ''}…</p>`;
}

function explain(err, notFound) {
    const s = err.status;
    if (s === 0) return 'The portal server could not be reached. Check your network connection and reload the page.';
    if (s === 401)
        return 'Not authenticated: your browser did not present a valid site certificate. Install the certificate (.p12 file) your CSIRT issued for your site, then reload.';
    if (s === 403)
        return 'Access refused: the portal accepted no valid site certificate from your browser (install the .p12 file your CSIRT issued for your site, then reload), or this request is not allowed.';
    if (s === 404) return notFound ?? 'Not found (it does not exist, or it is not visible to your site).';
    if (s === 400) return 'The server refused the request as invalid.';
    if (s >= 500) return `The server had an internal error (HTTP ${s}). Try again later; if it persists, tell your CSIRT.`;
    return `The request failed (HTTP ${s}).`;
}

export function ErrorBox({ error, notFound }) {
    if (!error) return null;
    const detail = error.status ? `HTTP ${error.status} ${error.code}: ${error.message}` : error.message;
    return html`<div class="error" role="alert">
        <p><strong>${explain(error, notFound)}</strong></p>
        <p class="detail">${detail}</p>
    </div>`;
}

// Renders loading / error / the children function's output for a useApi() result.
export function ApiView({ res, what, notFound, children }) {
    if (res.error) return html`<${ErrorBox} error=${res.error} notFound=${notFound} />`;
    if (res.loading || !res.data) return html`<${Loading} what=${what} />`;
    return children(res.data);
}

// rows: [label, value] pairs; empty values are left out.
export function Dl({ rows }) {
    const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
    return html`<dl class="fields">
        ${shown.map(([k, v]) => html`<div class="field"><dt>${k}</dt><dd>${v}</dd></div>`)}
    </dl>`;
}

export function List({ items, empty, render }) {
    if (!Array.isArray(items) || items.length === 0) return html`<p class="muted">${empty}</p>`;
    return html`<ul class="plain">
        ${items.map((x) => html`<li>${render ? render(x) : String(x)}</li>`)}
    </ul>`;
}
