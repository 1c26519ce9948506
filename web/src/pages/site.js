// SPDX-License-Identifier: Apache-2.0
// The site as the CSIRT has it on file: networks, ASNs, domains, contacts,
// children. A CSIRT certificate without a chosen site sees the list of sites.
import { html } from 'htm/preact';
import { useApi } from '../api.js';
import { href } from '../router.js';
import { useSites } from '../site-picker.js';
import { ApiView, List } from '../ui.js';

function SiteList() {
    const sites = useSites();
    return html`<section aria-labelledby="h-sites">
        <h1 id="h-sites">Sites of the constituency</h1>
        <p class="muted">Choose a site to see what the CSIRT has on file for it, or pick one in the
            site picker above to see every page as that site sees it.</p>
        <table class="sites">
            <thead><tr><th scope="col">Site</th><th scope="col">Parent</th><th scope="col">Description</th></tr></thead>
            <tbody>
                ${sites.map(
                    (s) => html`<tr>
                        <td><span class="indent">${'\u00a0\u00a0'.repeat(s.depth)}</span><a href=${href(['site', s.name])}>${s.name}</a></td>
                        <td>${s.parent ?? '—'}</td>
                        <td>${s.description}</td>
                    </tr>`
                )}
            </tbody>
        </table>
    </section>`;
}

export function Site({ me, name }) {
    const list = me && me.csirt && !name;
    const res = useApi(list || !me ? null : 'site', name ? { site: name } : {});
    if (list) return html`<${SiteList} />`;
    return html`<section aria-labelledby="h-site">
        <${ApiView} res=${res} what="site"
            notFound="This site does not exist, or it is not one of yours.">
            ${(d) => {
                const s = d.site ?? {};
                return html`
                    <h1 id="h-site">Site <span class="site-name">${s.name}</span></h1>
                    ${s.description ? html`<p class="lead">${s.description}</p>` : null}
                    <p>Parent site: ${s.parent ? s.parent : 'none'}</p>
                    <p class="muted">Events are sent to this site when one of their addresses lies in
                        these networks or ASNs, or their host name is in these domains. If something is
                        missing or wrong, tell your CSIRT.</p>
                    <div class="columns">
                        <div><h2>Networks</h2><${List} items=${d.networks} empty="No networks." /></div>
                        <div><h2>Autonomous systems</h2><${List} items=${d.asns} empty="No ASNs." render=${(a) => `AS${a}`} /></div>
                        <div><h2>Domains</h2><${List} items=${d.domains} empty="No domains." /></div>
                    </div>
                    <h2>Contacts</h2>
                    <${List} items=${d.contacts} empty="No contacts on file."
                        render=${(c) => (c.name ? `${c.name} <${c.email}>` : c.email)} />
                    <h2>Child sites</h2>
                    <${List} items=${d.children} empty="No child sites."
                        render=${(c) => html`<a href=${href(['site', c])}>${c}</a>`} />
                `;
            }}
        <//>
    </section>`;
}
