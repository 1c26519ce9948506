// SPDX-License-Identifier: Apache-2.0
// The CSIRT's own view of its infrastructure: what the inputs rejected (the
// quarantine), where each input stands, and the flow exporters' counters.
import { html } from 'htm/preact';
import { useApi } from '../api.js';
import { fmtCount, fmtTime } from '../format.js';
import { href } from '../router.js';
import { ApiView } from '../ui.js';

export function Quarantine({ params }) {
    const reason = params.get('reason') ?? '';
    const res = useApi('quarantine', { reason, limit: 100 });
    return html`<section aria-labelledby="h-q">
        <h1 id="h-q">Quarantine</h1>
        <p class="muted">Records an input could not take, kept with the reason, the input and the
            position, newest first. A burst of one reason usually means a sensor changed its format.</p>
        <${ApiView} res=${res} what="the quarantine">
            ${(d) => html`
                <h2>Per reason</h2>
                ${d.counts.length === 0
                    ? html`<p class="muted" id="no-quarantine">Nothing was rejected.</p>`
                    : html`<table class="quarantine-counts">
                          <thead><tr><th scope="col">Reason</th><th scope="col" class="num">Records</th></tr></thead>
                          <tbody>
                              ${d.counts.map(
                                  (c) => html`<tr>
                                      <td><a href=${href(['quarantine'], { reason: c.reason })}
                                          aria-current=${c.reason === reason ? 'true' : undefined}>${c.reason}</a></td>
                                      <td class="num">${fmtCount(c.count)}</td>
                                  </tr>`
                              )}
                          </tbody>
                      </table>`}
                <h2>${reason ? `Newest records rejected for ${reason}` : 'Newest records'}
                    ${reason ? html` <a class="button secondary" href="#/quarantine">All reasons</a>` : null}</h2>
                <div class="table-wrap"><table class="quarantine">
                    <thead><tr>
                        <th scope="col">When</th><th scope="col">Input</th><th scope="col" class="num">Line</th>
                        <th scope="col">Reason</th><th scope="col">Record (first bytes)</th>
                    </tr></thead>
                    <tbody>
                        ${d.records.map(
                            (r) => html`<tr>
                                <td class="nowrap">${fmtTime(r.time)}</td>
                                <td class="addr">${r.input} (${r.format})</td>
                                <td class="num">${r.line}</td>
                                <td><strong>${r.reason}</strong>: ${r.detail}</td>
                                <td><code class="record">${r.data}</code></td>
                            </tr>`
                        )}
                    </tbody>
                </table></div>
            `}
        <//>
    </section>`;
}

export function Inputs() {
    const res = useApi('inputs');
    return html`<section aria-labelledby="h-in">
        <h1 id="h-in">Inputs</h1>
        <p class="muted">Every file an input read, with its format and committed checkpoint: where the
            next read resumes. A follower that keeps up has its offset at the file's size.</p>
        <${ApiView} res=${res} what="inputs">
            ${(d) =>
                d.inputs.length === 0
                    ? html`<p class="muted" id="no-inputs">No input read yet.</p>`
                    : html`<table class="inputs">
                          <thead><tr>
                              <th scope="col">Input</th><th scope="col">Format</th><th scope="col" class="num">Lines</th>
                              <th scope="col" class="num">Offset (bytes)</th><th scope="col">Committed</th>
                          </tr></thead>
                          <tbody>
                              ${d.inputs.map(
                                  (i) => html`<tr>
                                      <td class="addr">${i.input}</td><td>${i.format}</td>
                                      <td class="num">${fmtCount(i.line)}</td><td class="num">${fmtCount(i.offset)}</td>
                                      <td class="nowrap">${fmtTime(i.updated)}</td>
                                  </tr>`
                              )}
                          </tbody>
                      </table>`}
        <//>
    </section>`;
}

export function Exporters() {
    const res = useApi('exporters');
    return html`<section aria-labelledby="h-ex">
        <h1 id="h-ex">Flow exporters</h1>
        <p class="muted">The NetFlow/IPFIX exporters <code>tocsin collect</code> heard from, with their
            counters as last saved. Lost flows come from the exporters' sequence numbers.</p>
        <${ApiView} res=${res} what="exporters">
            ${(d) =>
                d.exporters.length === 0
                    ? html`<p class="muted" id="no-exporters">No exporter seen yet.</p>`
                    : html`<table class="exporters">
                          <thead><tr>
                              <th scope="col">Exporter</th><th scope="col" class="num">Domain</th><th scope="col" class="num">Version</th>
                              <th scope="col" class="num">Datagrams</th><th scope="col" class="num">Flows</th>
                              <th scope="col" class="num">Lost</th><th scope="col" class="num">Dropped</th>
                              <th scope="col" class="num">Sampling</th><th scope="col">Last export</th>
                          </tr></thead>
                          <tbody>
                              ${d.exporters.map(
                                  (x) => html`<tr>
                                      <td class="addr">${x.exporter}</td><td class="num">${x.domain}</td><td class="num">${x.version}</td>
                                      <td class="num">${fmtCount(x.packets)}</td><td class="num">${fmtCount(x.flows)}</td>
                                      <td class="num">${fmtCount(x.lost)}</td>
                                      <td class="num">${fmtCount(Object.values(x.drops ?? {}).reduce((a, b) => a + b, 0))}</td>
                                      <td class="num">${x.sampling}</td><td class="nowrap">${fmtTime(x.last_export)}</td>
                                  </tr>`
                              )}
                          </tbody>
                      </table>`}
        <//>
    </section>`;
}
