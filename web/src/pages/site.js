// SPDX-License-Identifier: Apache-2.0
// The site as the CSIRT has it on file: networks, ASNs, domains, contacts, children.
import { html } from 'htm/preact';
import { useApi } from '../api.js';
import { href } from '../router.js';
import { ApiView, List } from '../ui.js';

export function Site({ name }) {
    const res = useApi('site', name ? { site: name } : {});
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
