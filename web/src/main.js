// SPDX-License-Identifier: Apache-2.0
// The portal's shell: who you are, the site picker, navigation, and the page
// for the current hash.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useApi } from './api.js';
import { AdvisoryDetail, Advisories } from './pages/advisories.js';
import { Contacts } from './pages/contacts.js';
import { Dashboard } from './pages/dashboard.js';
import { DomainCase, DomainCases } from './pages/domains.js';
import { EventDetail } from './pages/event.js';
import { Events } from './pages/events.js';
import { Host, IncidentDetail, Incidents } from './pages/incidents.js';
import { Exporters, Inputs, Quarantine } from './pages/operations.js';
import { Platforms } from './pages/platforms.js';
import { ScanDetail, Scans } from './pages/scans.js';
import { Site } from './pages/site.js';
import { Teams } from './pages/teams.js';
import { href, useRoute } from './router.js';
import { SitePicker, useSites } from './site-picker.js';
import { ErrorBox } from './ui.js';
import './style.css';

const NAV = [
    ['incidents', 'Incidents'],
    ['dashboard', 'Dashboard'],
    ['events', 'Events'],
    ['site', 'Site'],
    ['advisories', 'Advisories'],
    ['platforms', 'Platforms'],
    ['scans', 'Scans'],
    ['contacts', 'Contacts'],
];
// The CSIRT's own infrastructure: its certificates only.
const CSIRT_NAV = [
    ['quarantine', 'Quarantine'],
    ['inputs', 'Inputs'],
    ['exporters', 'Exporters'],
    ['teams', 'Teams'],
    ['domains', 'Domains'],
];

function Page({ route, me }) {
    const [p0, p1, ...rest] = route.parts;
    const site = route.params.get('site') ?? '';
    if (rest.length === 0) {
        // The default page: the incident queue, highest priority first.
        if (p0 === undefined || (p0 === 'incidents' && p1 === undefined))
            return html`<${Incidents} me=${me} params=${route.params} site=${site} />`;
        if (p0 === 'incidents') return html`<${IncidentDetail} id=${p1} site=${site} />`;
        if (p0 === 'hosts' && p1 !== undefined) return html`<${Host} ip=${p1} site=${site} />`;
        if (p0 === 'dashboard') return html`<${Dashboard} me=${me} params=${route.params} site=${site} />`;
        if (p0 === 'events' && p1 === undefined) return html`<${Events} me=${me} params=${route.params} />`;
        if (p0 === 'events') return html`<${EventDetail} id=${p1} />`;
        if (p0 === 'site') return html`<${Site} me=${me} name=${p1 ?? site} />`;
        if (p0 === 'advisories' && p1 === undefined) return html`<${Advisories} site=${site} />`;
        if (p0 === 'advisories') return html`<${AdvisoryDetail} id=${p1} />`;
        if (p0 === 'platforms' && p1 === undefined) return html`<${Platforms} me=${me} site=${site} />`;
        if (p0 === 'scans' && p1 === undefined) return html`<${Scans} me=${me} site=${site} />`;
        if (p0 === 'scans') return html`<${ScanDetail} id=${p1} />`;
        if (p0 === 'contacts' && p1 === undefined) return html`<${Contacts} me=${me} site=${site} />`;
        if (me && me.csirt && p0 === 'domains' && p1 !== undefined) return html`<${DomainCase} id=${p1} />`;
        if (me && me.csirt && p1 === undefined) {
            if (p0 === 'quarantine') return html`<${Quarantine} params=${route.params} />`;
            if (p0 === 'inputs') return html`<${Inputs} />`;
            if (p0 === 'exporters') return html`<${Exporters} />`;
            if (p0 === 'teams') return html`<${Teams} />`;
            if (p0 === 'domains') return html`<${DomainCases} params=${route.params} />`;
        }
    }
    return html`<section><h1>Page not found</h1><p><a href="#/">Go to the incidents</a></p></section>`;
}

function Who({ res }) {
    const me = res.data;
    if (!me) return null;
    const fp = typeof me.fingerprint === 'string' ? me.fingerprint : '';
    return html`<p class="who" title=${`Certificate SHA-256 ${fp}`}>
        ${me.csirt ? 'CSIRT' : html`Site <strong class="site-name" id="me-site">${me.site}</strong>`}
        ${me.holder ? html` · ${me.holder}` : ''}
        <span class="fp"> · cert ${fp.slice(0, 12)}…</span>
    </p>`;
}

function App() {
    const route = useRoute();
    const me = useApi('me');
    const sites = useSites();
    const current = route.parts[0] ?? 'incidents';
    const site = route.params.get('site');
    const nav = me.data && me.data.csirt ? [...NAV, ...CSIRT_NAV] : NAV;
    return html`
        <a class="skip" href="#main" onClick=${(e) => {
            e.preventDefault();
            document.getElementById('main').focus();
        }}>Skip to content</a>
        <header class="top">
            <p class="brand"><a href=${href([], site ? { site } : null)}>tocsin</a> <span>early warning portal</span></p>
            <nav aria-label="Main">
                <ul>
                    ${nav.map(
                        ([id, label]) => html`<li><a href=${href([id], site ? { site } : null)} data-nav=${id}
                            aria-current=${current === id ? 'page' : undefined}>${label}</a></li>`
                    )}
                </ul>
            </nav>
            <${SitePicker} me=${me.data} sites=${sites} route=${route} />
            <${Who} res=${me} />
        </header>
        <main id="main" tabindex="-1">
            ${me.error ? html`<${ErrorBox} error=${me.error} />` : null}
            ${me.error && me.error.status === 401 ? null : html`<${Page} route=${route} me=${me.data} />`}
        </main>
        <footer><p>All times are UTC. Data is also available from the REST API under <code>/api/v1/</code>.</p></footer>
    `;
}

render(html`<${App} />`, document.getElementById('app'));
