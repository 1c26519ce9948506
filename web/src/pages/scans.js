// SPDX-License-Identifier: Apache-2.0
// Scans of the site's own ranges: request one, follow its progress, read what
// it found (through /api/v1/scans). A CSIRT certificate requests for the site
// picked above, or for the CSIRT itself without one.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { apiSend, useApi } from '../api.js';
import { href } from '../router.js';
import { ScanHost } from '../scan-host.js';
import { ApiView, ErrorBox } from '../ui.js';

const ACTIVE = new Set(['queued', 'running']);

function Progress({ scan }) {
    if (!ACTIVE.has(scan.state)) return html`<span class=${`state state-${scan.state}`}>${scan.state}</span>`;
    return html`<span class="state">${scan.state}</span>
        <progress max="100" value=${scan.progress} aria-label="progress">${scan.progress}%</progress>
        ${' '}${scan.progress}%${scan.eta_s >= 0 ? ` · about ${scan.eta_s} s left` : ''}`;
}

function RequestForm({ site, onDone }) {
    const [targets, setTargets] = useState('');
    const [ports, setPorts] = useState('top100');
    const [udp, setUdp] = useState(false);
    const [every, setEvery] = useState('');
    const [status, setStatus] = useState({ busy: false, error: null });
    const submit = async (e) => {
        e.preventDefault();
        const list = targets.split(/[\s,]+/).filter(Boolean);
        const body = { targets: list, ports, udp };
        if (every) body.every = every;
        setStatus({ busy: true, error: null });
        try {
            const scan = await apiSend('POST', 'scans', { site }, body);
            setStatus({ busy: false, error: null });
            setTargets('');
            onDone(scan);
        } catch (error) {
            setStatus({ busy: false, error });
        }
    };
    return html`<form class="scan-request" onSubmit=${submit}>
        <label><span>Targets (addresses or prefixes of the site)</span>
            <input name="targets" value=${targets} onInput=${(e) => setTargets(e.currentTarget.value)}
                placeholder="192.0.2.0/28 198.51.100.7" autocomplete="off" required /></label>
        <label><span>Ports</span>
            <select name="ports" value=${ports} onChange=${(e) => setPorts(e.currentTarget.value)}>
                <option value="top100">top 100</option>
                <option value="top1000">top 1000</option>
                <option value="all">all 65,535</option>
            </select></label>
        <label class="check"><input type="checkbox" name="udp" checked=${udp}
            onChange=${(e) => setUdp(e.currentTarget.checked)} /> <span>UDP services too</span></label>
        <label><span>Repeat</span>
            <select name="every" value=${every} onChange=${(e) => setEvery(e.currentTarget.value)}>
                <option value="">once</option>
                <option value="1d">every day</option>
                <option value="7d">every week</option>
            </select></label>
        <button type="submit" disabled=${status.busy}>Request the scan</button>
        <${ErrorBox} error=${status.error} />
    </form>`;
}

export function Scans({ me, site }) {
    const [version, setVersion] = useState(0);
    const res = useApi('scans', { site }, version);
    const [last, setLast] = useState(null);
    const withSite = me && me.csirt;
    return html`<section aria-labelledby="h-scans">
        <h1 id="h-scans">Scans${site ? html` of <span class="site-name">${site}</span>` : ''}</h1>
        <p class="muted">Open ports, what listens on them, and the advisories that may affect it, for the
            addresses your site owns. Requests outside them are refused and recorded.</p>
        <${RequestForm} site=${site} onDone=${(scan) => {
            setLast(scan);
            setVersion((v) => v + 1);
        }} />
        ${last ? html`<p class="notice" role="status" id="scan-queued">Scan <a href=${href(['scans', String(last.id)])}>${last.id}</a> is ${last.state}.</p>` : null}
        <${ApiView} res=${res} what="scans">
            ${(d) => {
                const list = Array.isArray(d.scans) ? d.scans : [];
                if (list.length === 0) return html`<p class="muted" id="no-scans">No scan yet.</p>`;
                return html`<table class="scans">
                    <thead><tr>
                        <th scope="col">Scan</th>${withSite ? html`<th scope="col">Site</th>` : null}
                        <th scope="col">Targets</th><th scope="col">Ports</th><th scope="col">State</th>
                        <th scope="col">Open</th><th scope="col">Requested</th>
                    </tr></thead>
                    <tbody>
                        ${list.map(
                            (s) => html`<tr data-scan-id=${s.id}>
                                <td><a href=${href(['scans', String(s.id)])}>${s.id}</a></td>
                                ${withSite ? html`<td>${s.site ?? 'CSIRT'}</td>` : null}
                                <td class="addr">${s.targets.join(' ')}</td>
                                <td>${s.ports}${s.udp ? ' + UDP' : ''}${s.every_s ? ` · every ${Math.round(s.every_s / 86400)} d` : ''}</td>
                                <td><${Progress} scan=${s} />${s.reason ? html`<br /><small>${s.reason}</small>` : null}</td>
                                <td>${s.open_ports}</td>
                                <td>${s.created}</td>
                            </tr>`
                        )}
                    </tbody>
                </table>`;
            }}
        <//>
    </section>`;
}

export function ScanDetail({ id }) {
    const [version, setVersion] = useState(0);
    const res = useApi(`scans/${encodeURIComponent(id)}`, null, version);
    const [status, setStatus] = useState({ busy: false, error: null });
    const active = res.data && ACTIVE.has(res.data.state);
    // Follow a scan while it runs.
    useEffect(() => {
        if (!active) return undefined;
        const t = setTimeout(() => setVersion((v) => v + 1), 2000);
        return () => clearTimeout(t);
    }, [active, version, res.data]);
    const cancel = async () => {
        setStatus({ busy: true, error: null });
        try {
            await apiSend('POST', `scans/${encodeURIComponent(id)}/cancel`);
            setStatus({ busy: false, error: null });
        } catch (error) {
            setStatus({ busy: false, error });
        }
        setVersion((v) => v + 1);
    };
    return html`<${ApiView} res=${res} what="scan">
        ${(s) => html`<section aria-labelledby="h-scan">
            <h1 id="h-scan">Scan ${s.id}${s.site ? html` of <span class="site-name">${s.site}</span>` : ''}</h1>
            <p class="scan-state"><${Progress} scan=${s} />
                ${active ? html` <button type="button" class="secondary" onClick=${cancel} disabled=${status.busy}>Cancel</button>` : null}</p>
            ${s.reason ? html`<p class="notice">${s.reason}</p>` : null}
            <${ErrorBox} error=${status.error} />
            <p class="muted">Targets <span class="addr">${s.targets.join(' ')}</span>, ${`ports ${s.ports}${s.udp ? ' and UDP' : ''}, ${s.addresses} addresses${s.mode ? `, ${s.mode} mode` : ''}; requested ${s.created} by ${s.requested_by}${s.finished ? `, finished ${s.finished}` : ''}.`}
                Products and versions come from what the services say (their banners); an advisory listed here
                may not apply when a distribution has backported the fix.</p>
            ${(s.hosts || []).map((h) => html`<${ScanHost} host=${h} />`)}
            ${!active && (s.hosts || []).length === 0 && s.state === 'done' ? html`<p class="muted">Nothing open was found.</p>` : null}
        </section>`}
    <//>`;
}
