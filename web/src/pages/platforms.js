// SPDX-License-Identifier: Apache-2.0
// A site's platform inventory: what it runs, matched against every advisory.
// List, add one, remove one, or import a file (one spec per line, a CSV with
// the header vendor,product,version, or a JSON array of specs), all through
// /api/v1/platforms. A CSIRT certificate works on the site picked above.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiSend, useApi } from '../api.js';
import { ApiView, ErrorBox } from '../ui.js';

// The specs of an imported file, as `tocsin platform import` reads them.
export function specsOf(text) {
    const t = text.trim();
    if (t.startsWith('[')) {
        const a = JSON.parse(t);
        if (!Array.isArray(a)) throw new Error('not a JSON array');
        return a.map((x) =>
            typeof x === 'string' ? x : x && x.spec ? String(x.spec) : [x.vendor, x.product, x.version].filter(Boolean).join(':')
        );
    }
    const lines = t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length && /^vendor\s*,\s*product(\s*,\s*version)?$/i.test(lines[0])) {
        return lines
            .slice(1)
            .map((l) => l.split(',').map((x) => x.trim()).filter(Boolean).join(':'))
            .filter(Boolean);
    }
    return lines;
}

export function Platforms({ me, site }) {
    const [version, setVersion] = useState(0);
    const res = useApi('platforms', { site }, version);
    const [spec, setSpec] = useState('');
    const [status, setStatus] = useState({ busy: false, error: null, report: null });
    const needSite = me && me.csirt && !site;
    const reload = () => setVersion((v) => v + 1);

    const add = async (specs) => {
        setStatus({ busy: true, error: null, report: null });
        const report = { added: 0, refused: [] };
        for (const s of specs) {
            try {
                await apiSend('POST', 'platforms', { site }, { spec: s });
                report.added++;
            } catch (error) {
                if (error.status !== 400) {
                    setStatus({ busy: false, error, report });
                    reload();
                    return;
                }
                report.refused.push(`${s}: ${error.message}`);
            }
        }
        setStatus({ busy: false, error: null, report });
        reload();
    };
    const remove = async (p) => {
        setStatus({ busy: true, error: null, report: null });
        try {
            await apiSend('DELETE', `platforms/${p.id}`);
            setStatus({ busy: false, error: null, report: null });
        } catch (error) {
            setStatus({ busy: false, error, report: null });
        }
        reload();
    };
    const importFile = (e) => {
        const file = e.currentTarget.files && e.currentTarget.files[0];
        if (!file) return;
        file.text().then(
            (text) => {
                let specs;
                try {
                    specs = specsOf(text);
                } catch (err) {
                    setStatus({ busy: false, error: null, report: { added: 0, refused: [`${file.name}: ${err.message}`] } });
                    return;
                }
                add(specs);
            },
            () => setStatus({ busy: false, error: null, report: { added: 0, refused: [`${file.name}: unreadable`] } })
        );
        e.currentTarget.value = '';
    };

    return html`<section aria-labelledby="h-plat">
        <h1 id="h-plat">Platforms${site ? html` of <span class="site-name">${site}</span>` : ''}</h1>
        <p class="muted">What the site runs: each advisory is matched against these, at once when one is added.
            A platform is a CPE (<code>cpe:2.3:a:openbsd:openssh:9.6p1:*:*:*:*:*:*:*</code>), a purl
            (<code>pkg:deb/debian/xz-utils@5.4.1</code>), <code>vendor:product:version</code>, or
            <code>vendor:product</code> / <code>vendor:*</code> for every version or product.</p>
        ${needSite
            ? html`<p class="notice" id="pick-site">Pick a site in the site picker above to add or import platforms.</p>`
            : html`<form class="platform-add" onSubmit=${(e) => {
                  e.preventDefault();
                  if (spec.trim()) add([spec.trim()]).then(() => setSpec(''));
              }}>
                  <label><span>Add a platform</span>
                      <input name="spec" value=${spec} onInput=${(e) => setSpec(e.currentTarget.value)}
                          placeholder="vendor:product:version, a CPE or a purl" autocomplete="off" /></label>
                  <button type="submit" disabled=${status.busy}>Add</button>
                  <label class="file"><span>Import a file</span>
                      <input type="file" name="import" accept=".csv,.txt,.json,text/csv,application/json"
                          onChange=${importFile} disabled=${status.busy} /></label>
              </form>`}
        <${ErrorBox} error=${status.error} />
        ${status.report
            ? html`<div class="notice" role="status" id="platform-report">
                  <p>${status.report.added} added${status.report.refused.length ? `, ${status.report.refused.length} refused:` : '.'}</p>
                  ${status.report.refused.length ? html`<ul>${status.report.refused.map((r) => html`<li>${r}</li>`)}</ul>` : null}
              </div>`
            : null}
        <${ApiView} res=${res} what="platforms">
            ${(d) => {
                const list = Array.isArray(d.platforms) ? d.platforms : [];
                if (list.length === 0) return html`<p class="muted" id="no-platforms">No platform registered.</p>`;
                const withSite = new Set(list.map((p) => p.site)).size > 1 || (me && me.csirt);
                return html`<table class="platforms">
                    <thead><tr>
                        ${withSite ? html`<th scope="col">Site</th>` : null}
                        <th scope="col">Platform</th><th scope="col">Kind</th><th scope="col"><span class="sr">Remove</span></th>
                    </tr></thead>
                    <tbody>
                        ${list.map(
                            (p) => html`<tr data-platform-id=${p.id}>
                                ${withSite ? html`<td>${p.site}</td>` : null}
                                <td class="addr">${p.spec}</td>
                                <td>${p.kind}</td>
                                <td><button type="button" class="secondary remove" disabled=${status.busy}
                                    aria-label=${`Remove ${p.spec}`} onClick=${() => remove(p)}>Remove</button></td>
                            </tr>`
                        )}
                    </tbody>
                </table>`;
            }}
        <//>
    </section>`;
}
