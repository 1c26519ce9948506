// SPDX-License-Identifier: Apache-2.0
// The site picker: which of the sites the certificate may see every page
// shows. Its value is the route's `site` parameter (so a view with a site can
// be bookmarked), passed to the API as ?site=. Shown when there is a choice:
// a CSIRT certificate, or a site with sub-sites.
import { html } from 'htm/preact';
import { useApi } from './api.js';
import { withParam } from './router.js';

// The sites the caller sees, each with its depth in the tree.
export function useSites() {
    const res = useApi('sites');
    const list = res.data && Array.isArray(res.data.sites) ? res.data.sites : [];
    const depth = new Map();
    for (const s of list) depth.set(s.name, s.parent && depth.has(s.parent) ? depth.get(s.parent) + 1 : 0);
    return list.map((s) => ({ ...s, depth: depth.get(s.name) }));
}

export function SitePicker({ me, sites, route }) {
    if (!me || (!me.csirt && sites.length < 2)) return null;
    const value = route.params.get('site') ?? '';
    const all = me.csirt ? 'the whole constituency' : `${me.site} and its sub-sites`;
    return html`<label class="site-picker">
        <span>Site</span>
        <select name="site-picker" value=${value}
            onChange=${(e) => {
                window.location.hash = withParam(route, 'site', e.currentTarget.value);
            }}>
            <option value="">${all}</option>
            ${sites.map((s) => html`<option value=${s.name}>${'\u00a0\u00a0'.repeat(s.depth)}${s.name}</option>`)}
        </select>
    </label>`;
}
