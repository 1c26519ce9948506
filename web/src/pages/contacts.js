// SPDX-License-Identifier: Apache-2.0
// A site's contacts, who get its notification mails: list, add, change and
// remove them (with their OpenPGP key or S/MIME certificate, language, time zone, working hours and
// what they want at once, in a digest or never), and see the mails sent and
// why one failed. Everything goes through /api/v1/contacts and
// /api/v1/outbox; a reader certificate sees the list, its changes get the
// API's 403 message. A CSIRT certificate works on the site picked above.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiSend, useApi } from '../api.js';
import { ApiView, ErrorBox } from '../ui.js';

const ROLES = ['abuse', 'security', 'technical', 'management'];
const PRIORITIES = ['none', 'low', 'medium', 'high', 'critical'];
const DIGESTS = ['daily', 'hourly', 'none'];
const CRYPTOS = [['auto', 'automatic (OpenPGP with a key, else S/MIME with a certificate)'],
    ['pgp', 'OpenPGP'], ['smime', 'S/MIME']];
const EMPTY = {
    email: '', name: '', roles: ['abuse'], phone: '', lang: 'en', tz: 'UTC', hours: '',
    immediate: 'critical', digest: 'daily', immediate_types: '', never_types: '', iodef: false, pgp_key: '',
    smime_cert: '', crypto: 'auto',
};

// The form's values as the API's body: strings, lists comma-separated; a
// key or certificate only when one was pasted or read (an empty one would
// remove it).
export function bodyOf(f, editing) {
    const b = {
        email: f.email.trim(), name: f.name, roles: f.roles.join(','), phone: f.phone, lang: f.lang,
        tz: f.tz, hours: f.hours, immediate: f.immediate, digest: f.digest,
        immediate_types: f.immediate_types, never_types: f.never_types, iodef: f.iodef ? 'true' : 'false',
    };
    if (f.pgp_key.trim() !== '' || !editing) b.pgp_key = f.pgp_key;
    if (f.remove_key) b.pgp_key = '';
    if (f.smime_cert.trim() !== '' || !editing) b.smime_cert = f.smime_cert;
    if (f.remove_cert) b.smime_cert = '';
    b.crypto = f.crypto;
    return b;
}

function formOf(c) {
    return {
        ...EMPTY, ...c, roles: c.roles, pgp_key: '', smime_cert: '', crypto: c.crypto || 'auto',
        immediate_types: c.immediate_types.join(','), never_types: c.never_types.join(','),
        remove_key: false, remove_cert: false,
    };
}

function ContactForm({ initial, editing, busy, onSave, onCancel }) {
    const [f, setF] = useState(initial);
    const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
    const role = (r) => (e) => setF({ ...f, roles: e.currentTarget.checked ? [...f.roles, r] : f.roles.filter((x) => x !== r) });
    const keyFile = (e) => {
        const file = e.currentTarget.files && e.currentTarget.files[0];
        if (file) file.text().then((t) => setF({ ...f, pgp_key: t }));
    };
    const certFile = (e) => {
        const file = e.currentTarget.files && e.currentTarget.files[0];
        if (file) file.text().then((t) => setF({ ...f, smime_cert: t }));
    };
    return html`<form class="contact-form" id="contact-form" onSubmit=${(e) => {
        e.preventDefault();
        onSave(bodyOf(f, editing));
    }}>
        <fieldset><legend>${editing ? `Change ${initial.email}` : 'Add a contact'}</legend>
            <label><span>E-mail</span><input name="email" type="email" required value=${f.email} onInput=${set('email')} /></label>
            <label><span>Name</span><input name="name" value=${f.name} onInput=${set('name')} /></label>
            <fieldset class="roles"><legend>Roles</legend>
                ${ROLES.map((r) => html`<label class="check"><input type="checkbox" name=${`role-${r}`}
                    checked=${f.roles.includes(r)} onChange=${role(r)} /> ${r}</label>`)}
            </fieldset>
            <label><span>Phone</span><input name="phone" value=${f.phone} onInput=${set('phone')} /></label>
            <label><span>Language</span><select name="lang" value=${f.lang} onChange=${set('lang')}>
                <option value="en">English</option><option value="de">Deutsch</option></select></label>
            <label><span>Time zone</span><input name="tz" value=${f.tz} onInput=${set('tz')} placeholder="Europe/Berlin" /></label>
            <label><span>Working hours</span><input name="hours" value=${f.hours} onInput=${set('hours')}
                placeholder="Mon-Fri 08:00-17:00 (empty: any time)" /></label>
            <label><span>At once from priority</span><select name="immediate" value=${f.immediate} onChange=${set('immediate')}>
                ${PRIORITIES.map((p) => html`<option value=${p}>${p}</option>`)}</select></label>
            <label><span>The rest</span><select name="digest" value=${f.digest} onChange=${set('digest')}>
                ${DIGESTS.map((d) => html`<option value=${d}>${d === 'none' ? 'never' : `${d} digest`}</option>`)}</select></label>
            <label><span>Types always at once</span><input name="immediate_types" value=${f.immediate_types}
                onInput=${set('immediate_types')} placeholder="scanner, infected-system" /></label>
            <label><span>Types never sent</span><input name="never_types" value=${f.never_types}
                onInput=${set('never_types')} placeholder="spam" /></label>
            <label class="check"><input type="checkbox" name="iodef" checked=${f.iodef} onChange=${set('iodef')} /> attach IODEF</label>
            <label><span>OpenPGP public key</span><textarea name="pgp_key" rows="4" value=${f.pgp_key} onInput=${set('pgp_key')}
                placeholder=${editing ? 'paste a new key to replace the current one' : '-----BEGIN PGP PUBLIC KEY BLOCK-----'}></textarea></label>
            <label class="file"><span>or read it from a file</span><input type="file" name="key-file" accept=".asc,.txt,.pgp" onChange=${keyFile} /></label>
            ${editing && initial.key !== 'none'
                ? html`<label class="check"><input type="checkbox" name="remove_key" checked=${f.remove_key} onChange=${set('remove_key')} /> remove the key</label>`
                : null}
            <label><span>S/MIME certificate (PEM, with its chain)</span><textarea name="smime_cert" rows="4" value=${f.smime_cert}
                onInput=${set('smime_cert')}
                placeholder=${editing ? 'paste a new certificate to replace the current one' : '-----BEGIN CERTIFICATE-----'}></textarea></label>
            <label class="file"><span>or read it from a file</span><input type="file" name="cert-file" accept=".pem,.crt,.txt" onChange=${certFile} /></label>
            ${editing && initial.smime
                ? html`<label class="check"><input type="checkbox" name="remove_cert" checked=${f.remove_cert} onChange=${set('remove_cert')} /> remove the certificate</label>`
                : null}
            <label><span>Mail as</span><select name="crypto" value=${f.crypto} onChange=${set('crypto')}>
                ${CRYPTOS.map(([v, t]) => html`<option value=${v}>${t}</option>`)}</select></label>
            <p class="actions">
                <button type="submit" disabled=${busy}>${editing ? 'Save' : 'Add'}</button>
                ${onCancel ? html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>` : null}
            </p>
        </fieldset>
    </form>`;
}

function keyText(c) {
    const cert = c.smime
        ? `S/MIME certificate${c.smime_expires ? ` until ${c.smime_expires.slice(0, 10)}` : ''}`
        : '';
    const mode = c.crypto && c.crypto !== 'auto' ? ` (mail as ${c.crypto === 'smime' ? 'S/MIME' : 'OpenPGP'})` : '';
    if (c.key === 'none') return `${cert || 'none'}${mode}`;
    const fp = c.pgp_fingerprint || '';
    const exp = c.pgp_expires ? `, until ${c.pgp_expires.slice(0, 10)}` : '';
    return `${c.key === 'expired' ? 'EXPIRED ' : ''}${fp.slice(-16)}${exp}${cert ? `; ${cert}` : ''}${mode}`;
}

function Outbox({ site, version }) {
    const res = useApi('outbox', { site, limit: '20' }, version);
    return html`<section aria-labelledby="h-outbox">
        <h2 id="h-outbox">Mails sent to the contacts</h2>
        <${ApiView} res=${res} what="mails">
            ${(d) => {
                const list = Array.isArray(d.mails) ? d.mails : [];
                if (list.length === 0) return html`<p class="muted" id="no-mails">No mail yet.</p>`;
                return html`<table class="outbox">
                    <thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">State</th>
                        <th scope="col">Sent</th><th scope="col">Relay's answer</th></tr></thead>
                    <tbody>${list.map((m) => html`<tr data-state=${m.state}>
                        <td>${m.rcpt}</td><td>${m.subject}</td><td class=${`state-${m.state}`}>${m.state}</td>
                        <td>${m.sent ?? ''}</td><td>${m.reply}</td></tr>`)}</tbody>
                </table>`;
            }}
        <//>
    </section>`;
}

export function Contacts({ me, site }) {
    const [version, setVersion] = useState(0);
    const res = useApi('contacts', { site }, version);
    const [status, setStatus] = useState({ busy: false, error: null, done: '' });
    const [editing, setEditing] = useState(null);
    const needSite = me && me.csirt && !site;
    const reload = () => setVersion((v) => v + 1);
    const run = async (what, fn) => {
        setStatus({ busy: true, error: null, done: '' });
        try {
            await fn();
            setStatus({ busy: false, error: null, done: what });
            setEditing(null);
        } catch (error) {
            setStatus({ busy: false, error, done: '' });
        }
        reload();
    };
    return html`<section aria-labelledby="h-contacts">
        <h1 id="h-contacts">Contacts${site ? html` of <span class="site-name">${site}</span>` : ''}</h1>
        <p class="muted">They get the site's notifications by mail: signed by the CSIRT, encrypted to their
            OpenPGP key or S/MIME certificate when they have one, in their language, urgent ones at once and the rest in a digest
            during their working hours.</p>
        <${ErrorBox} error=${status.error} />
        ${status.done ? html`<p class="notice" role="status" id="contact-done">${status.done}</p>` : null}
        <${ApiView} res=${res} what="contacts">
            ${(d) => {
                const list = Array.isArray(d.contacts) ? d.contacts : [];
                if (list.length === 0) return html`<p class="muted" id="no-contacts">No contact yet.</p>`;
                return html`<table class="contacts">
                    <thead><tr><th scope="col">E-mail</th><th scope="col">Name</th><th scope="col">Roles</th>
                        <th scope="col">Language</th><th scope="col">At once</th><th scope="col">Digest</th>
                        <th scope="col">Key</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
                    <tbody>${list.map((c) => html`<tr data-contact-id=${c.id}>
                        <td class="addr">${c.email}</td><td>${c.name}</td><td>${c.roles.join(', ')}</td>
                        <td>${c.lang}</td><td>${c.immediate}</td><td>${c.digest}</td>
                        <td class=${c.key === 'expired' ? 'warn' : ''}>${keyText(c)}</td>
                        <td><button type="button" class="secondary edit" disabled=${status.busy}
                                aria-label=${`Change ${c.email}`} onClick=${() => setEditing(c)}>Change</button>
                            <button type="button" class="secondary remove" disabled=${status.busy}
                                aria-label=${`Remove ${c.email}`}
                                onClick=${() => run(`${c.email} removed.`, () => apiSend('DELETE', `contacts/${c.id}`))}>Remove</button></td>
                    </tr>`)}</tbody>
                </table>`;
            }}
        <//>
        ${needSite
            ? html`<p class="notice" id="pick-site">Pick a site in the site picker above to add contacts.</p>`
            : editing
              ? html`<${ContactForm} key=${`edit-${editing.id}`} initial=${formOf(editing)} editing=${true}
                    busy=${status.busy} onCancel=${() => setEditing(null)}
                    onSave=${(body) => run(`${editing.email} changed.`, () => apiSend('PUT', `contacts/${editing.id}`, null, body))} />`
              : html`<${ContactForm} key=${`add-${version}`} initial=${EMPTY} editing=${false} busy=${status.busy}
                    onSave=${(body) => run(`${body.email} added.`, () => apiSend('POST', 'contacts', { site }, body))} />`}
        ${needSite ? null : html`<${Outbox} site=${site} version=${version} />`}
    </section>`;
}
