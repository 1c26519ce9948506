// SPDX-License-Identifier: Apache-2.0
// Display helpers. Everything returned here is plain text; Preact escapes it.

// "2026-11-27T08:00:00Z" -> "2026-11-27 08:00:00 UTC" (the API sends UTC only).
export function fmtTime(t) {
    if (typeof t !== 'string' || t === '') return '';
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(t);
    return m ? `${m[1]} ${m[2]} UTC` : t;
}

export function fmtEndpoint(ep) {
    if (!ep || typeof ep !== 'object') return '';
    let s = ep.ip ?? '';
    if (ep.port !== undefined && ep.port !== null) {
        s = s.includes(':') ? `[${s}]:${ep.port}` : `${s}:${ep.port}`;
    }
    const extra = [];
    if (ep.asn !== undefined && ep.asn !== null) extra.push(`AS${ep.asn}`);
    if (ep.fqdn) extra.push(ep.fqdn);
    if (extra.length) s = s ? `${s} (${extra.join(', ')})` : extra.join(', ');
    return s;
}

export function fmtOwners(owners) {
    if (!Array.isArray(owners)) return '';
    return owners.map((o) => `${o.site}: ${o.role}`).join('; ');
}

export function fmtCount(n) {
    return typeof n === 'number' ? n.toLocaleString('en') : '';
}

const KIND = { network: 'network', asn: 'autonomous system', domain: 'domain' };

// One reason as a sentence: why the event reached the caller.
export function fmtReason(r) {
    const kind = KIND[r.kind] ?? r.kind ?? 'rule';
    const rule = r.kind === 'asn' && /^\d+$/.test(String(r.rule)) ? `AS${r.rule}` : String(r.rule ?? '');
    const role = r.role === 'source' || r.role === 'destination' ? `the ${r.role}` : `involved (${r.role ?? '?'})`;
    return `Site ${r.site} is ${role}: its ${kind} ${rule} matched.`;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];
export function sevClass(s) {
    return `sev sev-${SEVERITIES.includes(s) ? s : 'unknown'}`;
}

// Links only to http(s): a "javascript:" URL from a feed must stay text.
export function safeUrl(u) {
    return typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) ? u : null;
}
