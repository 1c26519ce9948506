// SPDX-License-Identifier: Apache-2.0
// What a scan found on one host: open ports with their service, product and
// version, the TLS certificate, and the findings (exposed services,
// advisories that may apply with the reason and the evidence, certificate
// problems, changes since the previous scan). Used by the scan pages and by
// the host page. Every text here comes from the network and is shown as
// text, never as markup.
import { html } from 'htm/preact';

const KIND_LABEL = {
    exposed: 'Exposed service',
    advisory: 'Potential vulnerability',
    certificate: 'Certificate problem',
    change: 'Change since the previous scan',
};

function Tls({ tls }) {
    if (!tls) return null;
    return html`<dl class="tls">
        <dt>Subject</dt><dd>${tls.subject}</dd>
        <dt>Issuer</dt><dd>${tls.issuer}${tls.self_signed ? ' (self-signed)' : ''}</dd>
        ${tls.sans ? html`<dt>Names</dt><dd>${tls.sans}</dd>` : null}
        <dt>Valid</dt><dd>${tls.not_before} to ${tls.not_after}</dd>
        <dt>Protocols</dt><dd>${(tls.versions || []).join(', ') || 'none'}${tls.negotiated ? ` (negotiated ${tls.negotiated})` : ''}</dd>
    </dl>`;
}

export function ScanHost({ host }) {
    const ports = Array.isArray(host.ports) ? host.ports : [];
    const findings = Array.isArray(host.findings) ? host.findings : [];
    return html`<section class="scan-host" data-host=${host.ip} aria-label=${`Host ${host.ip}`}>
        <h2 class="addr">${host.ip}</h2>
        ${ports.length === 0
            ? html`<p class="muted">No open port.</p>`
            : html`<table class="scan-ports">
                  <thead><tr>
                      <th scope="col">Port</th><th scope="col">Service</th><th scope="col">Product</th>
                      <th scope="col">Version</th><th scope="col">Identifier</th><th scope="col">Details</th>
                  </tr></thead>
                  <tbody>
                      ${ports.map(
                          (p) => html`<tr data-port=${`${p.port}/${p.transport}`}>
                              <td>${p.port}/${p.transport}</td>
                              <td>${p.service || 'unknown'}</td>
                              <td>${p.product}</td>
                              <td>${p.version}</td>
                              <td>${p.identifier}</td>
                              <td>
                                  ${p.title ? html`<p class="title">Title: <span class="page-title">${p.title}</span></p>` : null}
                                  ${p.info ? html`<p class="info">${p.info}</p>` : null}
                                  <${Tls} tls=${p.tls} />
                                  ${p.banner
                                      ? html`<details><summary>Banner</summary><pre class="banner">${p.banner}</pre></details>`
                                      : null}
                              </td>
                          </tr>`
                      )}
                  </tbody>
              </table>`}
        ${findings.length === 0
            ? null
            : html`<ul class="scan-findings">
                  ${findings.map(
                      (f) => html`<li class=${`finding finding-${f.kind}`}>
                          <strong>${KIND_LABEL[f.kind] || f.kind}</strong>
                          ${' '}<span class="port">${f.port}/${f.transport}</span>
                          ${' '}<code>${f.identifier}</code>: ${f.detail}
                          ${f.event_id ? html` <a href=${`#/events/${f.event_id}`}>event</a>` : null}
                      </li>`
                  )}
              </ul>`}
    </section>`;
}
