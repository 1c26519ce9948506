// SPDX-License-Identifier: Apache-2.0
// Drives the real portal in headless Chromium, authenticated by site
// certificates that live in each run's own NSS database (HOME/.pki/nssdb),
// against the server started by tests/integration/browser.sh.
//
// The expectations below follow the fixture that browser.sh writes
// (fixtures/constituency.json and its EVE lines):
//   uni-a (192.0.2.0/24) with child uni-a-lab (192.0.2.128/25); uni-b (198.51.100.0/24)
//   uni-a sees 9 events: 5 exploit (one of them uni-a-lab's), 3 scanner, 1 dos whose
//   signature is HOSTILE; uni-b sees 3 exploit events. uni-a runs
//   example corp:widget server:2.3.0, which CVE-2026-49001 (fixtures/cve-browser-test.json,
//   title with markup) affects; uni-b has no platform.
//
// Environment: TS_BASE (https://127.0.0.1:PORT), TS_CHROMIUM, TS_HOME_A, TS_HOME_B,
// TS_SHOTS (directory for screenshots), TS_TOCSIN and TS_CA (to revoke A's
// certificate at the end of its run), TOCSIN_DB.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const BASE = process.env.TS_BASE;
const SHOTS = process.env.TS_SHOTS ?? '.';
const HOSTILE = '<img src=x onerror=alert(1)>';
const ADV_ID = 'CVE-2026-49001'; // fixtures/cve-browser-test.json, matched by uni-a's platform
const ADV_TITLE_MARKUP = '<script>alert(2)</script>';
const TIMEOUT = 15000;

let checks = 0;
let failed = 0;
function check(what, cond, detail) {
    checks++;
    if (cond) return;
    failed++;
    console.error(`FAIL: ${what}${detail !== undefined ? `: ${detail}` : ''}`);
}
function same(what, want, got) {
    const w = JSON.stringify(want);
    const g = JSON.stringify(got);
    check(what, w === g, `expected ${w}, got ${g}`);
}

// One browser per identity: Chromium reads the NSS database of HOME at start.
async function withBrowser(home, label, fn) {
    const browser = await chromium.launch({
        executablePath: process.env.TS_CHROMIUM,
        headless: true,
        env: { ...process.env, HOME: home },
        // The CA is trusted through NSS; certificate errors are never ignored.
        args: ['--disable-gpu', '--no-first-run', '--password-store=basic'],
        timeout: 60000,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const problems = { dialogs: [], csp: [], errors: [] };
    page.on('dialog', (d) => {
        problems.dialogs.push(d.message());
        d.dismiss().catch(() => {});
    });
    page.on('console', (m) => {
        if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.csp.push(m.text());
    });
    page.on('pageerror', (e) => problems.errors.push(String(e)));
    try {
        await fn(page, context);
    } catch (e) {
        check(`${label}: scenario ran to the end`, false, e.stack ?? String(e));
        await page.screenshot({ path: `${SHOTS}/${label}-failure.png`, fullPage: true }).catch(() => {});
    } finally {
        same(`${label}: no JavaScript dialog fired`, [], problems.dialogs);
        same(`${label}: no CSP violation`, [], problems.csp);
        same(`${label}: no uncaught page error`, [], problems.errors);
        await browser.close();
    }
}

// What the API itself returns for this identity (the same TLS client certificate).
async function apiJson(page, path) {
    return page.evaluate(async (p) => {
        const r = await fetch(p, { headers: { Accept: 'application/json' } });
        return { status: r.status, body: await r.json().catch(() => null) };
    }, path);
}

// uni-a's event and incident numbers, seen by A, asked for by B.
const aEventIds = [];
const aIncidentIds = [];

async function shownIds(page) {
    await page.waitForSelector('tr[data-event-id], #no-events');
    return page.$$eval('tr[data-event-id]', (rows) => rows.map((r) => Number(r.dataset.eventId)));
}

async function siteA(page) {
    // The page runs under the strict CSP (else "no CSP violation" below proves nothing).
    const resp = await page.goto(`${BASE}/`);
    same('A: index.html answers', 200, resp.status());
    const csp = resp.headers()['content-security-policy'] ?? '';
    check('A: index.html carries the strict CSP', /default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) &&
        /style-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), csp);

    // The default page is the incident queue, highest priority first, as the API has it.
    await page.waitForSelector('tr[data-incident-id], #no-incidents');
    const incIds = await page.$$eval('tr[data-incident-id]', (rows) => rows.map((r) => Number(r.dataset.incidentId)));
    const apiInc = await apiJson(page, '/api/v1/incidents?state=open&limit=50');
    same('A: the default page is the incident queue in priority order', apiInc.body.incidents.map((i) => i.id), incIds);
    same('A: nine incidents (one per signature and host)', 9, incIds.length);
    aIncidentIds.push(...incIds);
    await page.screenshot({ path: `${SHOTS}/a-incidents.png`, fullPage: true });
    // The first one: its factors add up to its score, and its events are listed.
    const top = apiInc.body.incidents[0];
    await page.click(`tr[data-incident-id="${top.id}"] td.score a`);
    await page.waitForSelector('table.factors tbody tr');
    const pts = await page.$$eval('table.factors tbody td:nth-child(2)', (c) => c.map((x) => Number(x.textContent)));
    same('A: eight factors', 8, pts.length);
    const score = Number(await page.textContent('#incident-score'));
    check('A: the points add up to the score', Math.abs(pts.reduce((a, b) => a + b, 0) - score) < 0.05, `${pts} / ${score}`);
    same('A: the score is the API\'s', top.score, score);
    same('A: the incident lists its events', top.event_count, await page.locator('table.events tr[data-event-id]').count());
    // Marked a false positive, it offers a suppression rule, created through the API.
    await page.selectOption('form.incident-state select[name=state]', 'false-positive');
    await page.fill('form.incident-state input[name=note]', 'our own scanner');
    await page.click('form.incident-state button[type=submit]');
    await page.waitForSelector('#suppress-offer, main .error');
    same('A: the state is shown changed', 'false-positive', (await page.textContent('#incident-state')).trim());
    await page.click('#suppress-create');
    await page.waitForSelector('#suppress-done, main .error');
    same('A: the suppression rule was created', 1, await page.locator('#suppress-done').count());
    const rules = await apiJson(page, '/api/v1/suppressions');
    same('A: one rule, for the incident\'s host', [top.object], rules.body.suppressions.map((r) => r.net));
    const hist = await apiJson(page, `/api/v1/incidents/${top.id}`);
    same('A: the change is in the history', 'false-positive', hist.body.history[0].detail.to);
    await page.screenshot({ path: `${SHOTS}/a-incident.png`, fullPage: true });
    // The host page: the host's incidents and events.
    await page.click('dl a[href^="#/hosts/"]');
    await page.waitForSelector('#h-host');
    await page.waitForSelector('section tr[data-incident-id], #host-no-incidents');
    const hostIncs = await page.$$eval('tr[data-incident-id]', (rows) => rows.map((r) => Number(r.dataset.incidentId)));
    check('A: the host page lists the incident', hostIncs.includes(top.id), hostIncs.join(' '));
    const hostApi = await apiJson(page, `/api/v1/events?ip=${encodeURIComponent(top.object)}&limit=50`);
    await page.waitForSelector('tr[data-event-id]');
    same('A: the host page lists the host\'s events', hostApi.body.events.length, await page.locator('tr[data-event-id]').count());
    await page.screenshot({ path: `${SHOTS}/a-host.png`, fullPage: true });

    // Dashboard: who we are and a chart drawn on a canvas.
    await page.click('nav a[data-nav="dashboard"]');
    await page.waitForSelector('#me-site');
    same('A: dashboard names the site', 'uni-a', (await page.textContent('#me-site')).trim());
    await page.waitForSelector('.chart-box canvas');
    check('A: chart canvas has a size', (await page.$eval('.chart-box canvas', (c) => c.width * c.height)) > 0);
    const byType = await page.$$eval('table.by-type tbody tr', (rows) => rows.map((r) => r.children[1].textContent.trim()));
    same('A: dashboard by-type lists the fixture types', ['dos', 'exploit', 'scanner'], [...byType].sort());
    const hosts = await page.$$eval('table.top-hosts tbody tr td:first-child', (c) => c.map((x) => x.textContent.trim()));
    check('A: most affected hosts are uni-a addresses', hosts.length > 0 && hosts.every((h) => h.startsWith('192.0.2.')), hosts.join(' '));
    check('A: top host is the exploit target', hosts[0] === '192.0.2.10', hosts[0]);
    await page.screenshot({ path: `${SHOTS}/a-dashboard.png`, fullPage: true });

    // Events: everything, then filtered by type through the form.
    await page.click('nav a[href="#/events"]');
    const all = await shownIds(page);
    same('A: all of uni-a\'s events are listed', 9, all.length);
    const apiAll = await apiJson(page, '/api/v1/events?limit=50');
    same('A: unfiltered rows equal the API answer', apiAll.body.events.map((e) => e.id), all);

    // The hostile signature is shown as text, and nothing was injected.
    const descs = await page.$$eval('td.desc', (c) => c.map((x) => x.textContent));
    check('A: hostile signature shown as text', descs.includes(HOSTILE), descs.join(' | '));
    same('A: no element was injected from event data', 0, await page.locator('main img').count());

    // Taxonomy and type are choices, every RSIT type of the chosen taxonomy.
    await page.selectOption('select[name=taxonomy]', 'intrusions');
    const typeChoices = await page.$$eval('select[name=type] option', (o) => o.map((x) => x.value));
    same('A: the types offered for intrusions', ['', 'application-compromise', 'burglary', 'privileged-account-compromise', 'system-compromise', 'unprivileged-account-compromise'], typeChoices);
    await page.selectOption('select[name=taxonomy]', '');
    await page.selectOption('select[name=type]', 'exploit');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/#\/events\?type=exploit/);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-event-id]').length === 5 || document.querySelector('.error'));
    const exploit = await shownIds(page);
    const apiExploit = await apiJson(page, '/api/v1/events?type=exploit&limit=50');
    same('A: API status for type=exploit', 200, apiExploit.status);
    same('A: filtered rows equal the API answer', apiExploit.body.events.map((e) => e.id), exploit);
    same('A: five exploit events (four of uni-a, one of uni-a-lab)', 5, exploit.length);
    const types = await page.$$eval('tr[data-event-id] td:nth-child(3)', (c) => c.map((x) => x.textContent));
    check('A: every filtered row is an exploit', types.every((t) => t.includes('exploit')), types.join(' | '));
    await page.screenshot({ path: `${SHOTS}/a-events-exploit.png`, fullPage: true });

    // The CSV link carries the same filters.
    const csvHref = await page.getAttribute('a[download="events.csv"]', 'href');
    const csv = await page.evaluate(async (h) => {
        const r = await fetch(h);
        return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, csvHref);
    same('A: CSV download answers', 200, csv.status);
    check('A: CSV download is CSV', /^text\/csv/.test(csv.type ?? ''), csv.type);
    same('A: CSV has a header and the five filtered events', 6, csv.text.trim().split('\n').length);

    // The site filter offers own site and children; the child sees only its event.
    const options = await page.$$eval('select[name=site] option', (o) => o.map((x) => x.value));
    same('A: site filter offers own site and child', ['', 'uni-a', 'uni-a-lab'], options);
    await page.selectOption('select[name=site]', 'uni-a-lab');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/site=uni-a-lab/);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-event-id]').length === 1 || document.querySelector('.error'));
    const lab = await shownIds(page);
    const apiLab = await apiJson(page, '/api/v1/events?type=exploit&site=uni-a-lab&limit=50');
    same('A: child-site rows equal the API answer', apiLab.body.events.map((e) => e.id), lab);

    // Detail of an exploit against 192.0.2.10: why = uni-a's network.
    aEventIds.push(...apiAll.body.events.map((e) => e.id));
    const target = apiExploit.body.events.find((e) => e.destination && e.destination.ip === '192.0.2.10');
    check('A: the API has an exploit against 192.0.2.10', target !== undefined);
    await page.goto(`${BASE}/#/events?type=exploit`);
    await page.waitForSelector(`tr[data-event-id="${target.id}"] a`);
    await page.click(`tr[data-event-id="${target.id}"] a`);
    await page.waitForSelector('.why ul.reasons li');
    const why = await page.textContent('.why');
    check('A: detail says why (matched network)', why.includes('192.0.2.0/24') && why.includes('uni-a'), why);
    check('A: detail says the role', why.includes('destination'), why);
    same('A: detail heading', `Event #${target.id}: exploit`, (await page.textContent('h1')).trim());
    await page.screenshot({ path: `${SHOTS}/a-event.png`, fullPage: true });

    // The hostile event's detail: still text, still nothing injected.
    const hostile = apiAll.body.events.find((e) => e.description === HOSTILE);
    check('A: the API returns the hostile description verbatim', hostile !== undefined);
    await page.goto(`${BASE}/#/events/${hostile.id}`);
    await page.waitForSelector('dl.fields');
    check('A: hostile detail shows the text', (await page.textContent('dl.fields')).includes(HOSTILE));
    same('A: no element injected in the detail', 0, await page.locator('main img').count());

    // Site page.
    await page.click('nav a[href="#/site"]');
    await page.waitForSelector('h1 .site-name');
    same('A: site page title', 'uni-a', (await page.textContent('h1 .site-name')).trim());
    const siteText = await page.textContent('main');
    check('A: site page lists the network', siteText.includes('192.0.2.0/24'));
    check('A: site page lists the ASN', siteText.includes('AS64501'));
    check('A: site page lists the domain', siteText.includes('uni-a.example'));
    check('A: site page lists the contact', siteText.includes('cert@uni-a.example'));
    check('A: site page lists the child', (await page.locator('main a[href="#/site/uni-a-lab"]').count()) === 1);
    check('A: site page does not show uni-b', !siteText.includes('uni-b') && !siteText.includes('198.51.100.'));
    await page.screenshot({ path: `${SHOTS}/a-site.png`, fullPage: true });

    // Advisories: the fixture's CVE matches uni-a's platform; its title is markup, shown as text.
    await page.click('nav a[href="#/advisories"]');
    await page.waitForSelector('table.advisories, #no-advisories, #adv-unavailable, .error');
    same('A: advisories page shows no error', 0, await page.locator('main .error').count());
    const advApi = await apiJson(page, '/api/v1/advisories');
    same('A: advisories API answers', 200, advApi.status);
    const advRows = await page.$$eval('table.advisories tbody tr', (rows) => rows.map((r) => r.textContent));
    same('A: advisory rows equal the API answer', (advApi.body?.advisories ?? []).length, advRows.length);
    check('A: the fixture advisory is listed', advRows.length === 1 && advRows[0].includes(ADV_ID), advRows.join(' | '));
    check('A: advisory title shown as text', advRows.length === 1 && advRows[0].includes(ADV_TITLE_MARKUP), advRows.join(' | '));
    same('A: advisory severity badge', 'critical', (await page.textContent('table.advisories .sev')).trim());
    same('A: no script element injected from advisory data', 0, await page.locator('main script').count());
    await page.click(`a[href="#/advisories/${ADV_ID}"]`);
    await page.waitForSelector('section.match');
    const match = await page.textContent('section.match');
    check('A: advisory detail says why it matched (product, range, version)',
        match.includes('widget_server') && match.includes('2.4.1') && match.includes('2.3.0'), match);
    await page.screenshot({ path: `${SHOTS}/a-advisory.png`, fullPage: true });

    await chartAndTable(page, 'A');
    await sitePickerA(page);
    await platformsA(page);
    await contactsA(page);

    // Revoked while the page is open: the next request is refused, and the page
    // says so instead of showing stale or empty data.
    const me = await apiJson(page, '/api/v1/me');
    same('A: /me answers', 200, me.status);
    execFileSync(process.env.TS_TOCSIN, ['cert', 'revoke', me.body.fingerprint, '--ca', process.env.TS_CA], {
        stdio: ['ignore', 'ignore', 'inherit'],
    });
    await page.click('nav a[href="#/site"]');
    await page.waitForSelector('main .error');
    const refused = await page.textContent('main .error');
    check('A: after revocation the page shows the refusal', /Access refused|could not be reached/.test(refused), refused);
    same('A: after revocation no site data is shown', 0, await page.locator('h1 .site-name').count());
    await page.screenshot({ path: `${SHOTS}/a-revoked.png`, fullPage: true });
}

// The chart's legend names its series without placeholder values, and the
// events table keeps every row on one line at 1400 px.
async function chartAndTable(page, who) {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${BASE}/#/dashboard`);
    await page.waitForSelector('.chart-box .u-legend');
    const legend = await page.textContent('.chart-box .u-legend');
    check(`${who}: chart legend without placeholders`, !legend.includes('--') && legend.trim() !== '', legend);
    await page.goto(`${BASE}/#/events`);
    await page.waitForSelector('tr[data-event-id]');
    const rows = await page.$$eval('table.events tbody tr', (trs) =>
        trs.map((tr) => {
            const lh = parseFloat(getComputedStyle(tr.cells[6]).lineHeight);
            return { h: tr.getBoundingClientRect().height, lh };
        })
    );
    const tall = rows.filter((r) => r.h >= 2 * r.lh);
    check(`${who}: every event row on one line at 1400 px`, rows.length > 0 && tall.length === 0, JSON.stringify(tall));
    await page.screenshot({ path: `${SHOTS}/${who.toLowerCase()}-events-1400.png` });
    await page.setViewportSize({ width: 1280, height: 900 });
}

// Waits until the header's site picker offers site (the list loads apart).
async function pickerOffers(page, site) {
    await page.waitForFunction(
        (s) => [...document.querySelectorAll('select[name=site-picker] option')].some((o) => o.value === s),
        site
    );
}

// The header's site picker: a site with a sub-site can look at it alone.
async function sitePickerA(page) {
    await page.goto(`${BASE}/#/dashboard`);
    await pickerOffers(page, 'uni-a-lab');
    const opts = await page.$$eval('select[name=site-picker] option', (o) => o.map((x) => x.value));
    same('A: the picker offers own site and child', ['', 'uni-a', 'uni-a-lab'], opts);
    await page.selectOption('select[name=site-picker]', 'uni-a-lab');
    await page.waitForURL(/site=uni-a-lab/);
    await page.waitForFunction(() => /uni-a-lab/.test(document.querySelector('h1').textContent));
    await page.waitForSelector('table.by-type tbody tr, .muted');
    const lab = await apiJson(page, '/api/v1/stats?since=30d&site=uni-a-lab');
    const shown = await page.$$eval('table.by-type tbody tr', (rows) => rows.map((r) => r.children[1].textContent.trim()));
    same('A: dashboard of uni-a-lab equals the API', lab.body.by_type.map((t) => t.type).sort(), shown.sort());
    // The choice follows to the other pages.
    await page.click('nav a[data-nav="site"]');
    await page.waitForSelector('h1 .site-name');
    same('A: the site page of the picked site', 'uni-a-lab', (await page.textContent('h1 .site-name')).trim());
    await page.selectOption('select[name=site-picker]', '');
    await page.waitForFunction(() => !/site=/.test(window.location.hash));
}

// Platforms: list, add, remove, import; the API agrees at each step.
async function platformsA(page) {
    const specs = async () => (await apiJson(page, '/api/v1/platforms')).body.platforms.map((p) => p.spec).sort();
    await page.goto(`${BASE}/#/platforms`);
    await page.waitForSelector('table.platforms tbody tr');
    const listed = async () => page.$$eval('table.platforms tbody tr td.addr', (c) => c.map((x) => x.textContent).sort());
    same('A: platforms listed as the API has them', await specs(), await listed());
    await page.fill('input[name=spec]', 'openbsd:openssh:9.6p1');
    await page.click('form.platform-add button[type=submit]');
    await page.waitForFunction(() => [...document.querySelectorAll('table.platforms td.addr')].some((c) => c.textContent.includes('openssh')));
    check('A: the added platform is stored', (await specs()).some((s) => s.includes('openssh')));
    const row = page.locator('table.platforms tbody tr', { hasText: 'openssh' });
    await row.locator('button.remove').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('table.platforms td.addr')].some((c) => c.textContent.includes('openssh')));
    check('A: the removed platform is gone', !(await specs()).some((s) => s.includes('openssh')));
    await page.setInputFiles('input[name=import]', {
        name: 'platforms.csv', mimeType: 'text/csv',
        buffer: Buffer.from('vendor,product,version\nnginx,nginx,1.24.0\n,,\ncpe:2.3:a:broken,,\n'),
    });
    await page.waitForSelector('#platform-report');
    const report = await page.textContent('#platform-report');
    check('A: the import says what was added and refused', /^1 added, 1 refused/.test(report.trim()) && /cpe:2\.3:a:broken/.test(report), report);
    check('A: the imported platform is stored', (await specs()).some((s) => s.includes('nginx')));
    same('A: the table shows what is stored', await specs(), await listed());
    await page.screenshot({ path: `${SHOTS}/a-platforms.png`, fullPage: true });
}

// Contacts: add one through the form, change it, remove it; the API agrees.
async function contactsA(page) {
    const emails = async () => (await apiJson(page, '/api/v1/contacts')).body.contacts.map((c) => c.email).sort();
    await page.goto(`${BASE}/#/contacts`);
    await page.waitForSelector('table.contacts, #no-contacts');
    await page.fill('#contact-form input[name=email]', 'noc@uni-a.example');
    await page.fill('#contact-form input[name=name]', 'NOC <b>night</b>');
    await page.selectOption('#contact-form select[name=lang]', 'de');
    await page.fill('#contact-form input[name=hours]', 'Mon-Fri 08:00-17:00');
    await page.click('#contact-form button[type=submit]');
    await page.waitForSelector('#contact-done');
    check('A: the added contact is stored', (await emails()).includes('noc@uni-a.example'));
    const row = page.locator('table.contacts tbody tr', { hasText: 'noc@uni-a.example' });
    check('A: a name with markup is shown as text', (await row.locator('td').nth(1).textContent()) === 'NOC <b>night</b>');
    // A bad value: the API's message is shown, nothing changes.
    await row.locator('button.edit').click();
    await page.fill('#contact-form input[name=tz]', 'Mars/Olympus');
    await page.click('#contact-form button[type=submit]');
    await page.waitForSelector('main .error');
    check('A: the refusal names the field', /tz:/.test(await page.textContent('main .error')));
    await page.fill('#contact-form input[name=tz]', 'Europe/Berlin');
    await page.selectOption('#contact-form select[name=crypto]', 'smime');
    await page.click('#contact-form button[type=submit]');
    await page.waitForFunction(() => /changed/.test(document.querySelector('#contact-done')?.textContent || ''));
    const c = (await apiJson(page, '/api/v1/contacts')).body.contacts.find((x) => x.email === 'noc@uni-a.example');
    same('A: the change is stored', 'Europe/Berlin', c && c.tz);
    same('A: S/MIME chosen', 'smime', c && c.crypto);
    await page.screenshot({ path: `${SHOTS}/a-contacts.png`, fullPage: true });
    await page.locator('table.contacts tbody tr', { hasText: 'noc@uni-a.example' }).locator('button.remove').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('table.contacts td.addr')].some((x) => x.textContent === 'noc@uni-a.example'));
    check('A: the removed contact is gone', !(await emails()).includes('noc@uni-a.example'));
}

async function csirt(page) {
    // The queue covers every site.
    await page.goto(`${BASE}/`);
    await page.waitForSelector('tr[data-incident-id]');
    const incSites = await page.$$eval('table.incidents tbody tr td:nth-child(3)', (c) => c.map((x) => x.textContent));
    same('CSIRT: the queue holds every site\'s incidents', ['uni-a', 'uni-a-lab', 'uni-b'], [...new Set(incSites)].sort());
    await page.goto(`${BASE}/#/dashboard`);
    await pickerOffers(page, 'uni-b');
    const opts = await page.$$eval('select[name=site-picker] option', (o) => o.map((x) => x.value));
    same('CSIRT: the picker offers every site, in tree order', ['', 'uni-a', 'uni-a-lab', 'uni-b'], opts);
    check('CSIRT: the dashboard is the whole constituency', (await page.textContent('h1')).includes('whole constituency'));
    await chartAndTable(page, 'CSIRT');

    // The site page without a site: the list of sites, not an error.
    await page.goto(`${BASE}/#/site`);
    await page.waitForSelector('table.sites tbody tr');
    same('CSIRT: site page without a site shows no error', 0, await page.locator('main .error').count());
    const sites = await page.$$eval('table.sites tbody tr td a', (a) => a.map((x) => x.textContent));
    same('CSIRT: the site list', ['uni-a', 'uni-a-lab', 'uni-b'], sites);
    await page.screenshot({ path: `${SHOTS}/csirt-sites.png`, fullPage: true });

    // Picking uni-b: the events are uni-b's, as the API has them.
    await page.selectOption('select[name=site-picker]', 'uni-b');
    await page.waitForURL(/site=uni-b/);
    await page.click('nav a[data-nav="events"]');
    await page.waitForURL(/#\/events\?site=uni-b/);
    const ids = await shownIds(page);
    const api = await apiJson(page, '/api/v1/events?site=uni-b&limit=50');
    same('CSIRT: uni-b\'s events, as the API has them', api.body.events.map((e) => e.id), ids);
    same('CSIRT: uni-b has three events', 3, ids.length);
    await page.selectOption('select[name=site-picker]', '');

    // Advisories: which site runs what.
    await page.goto(`${BASE}/#/advisories`);
    await page.waitForSelector('table.advisories tbody tr');
    const advSites = await page.$$eval('table.advisories tbody td.site', (c) => c.map((x) => x.textContent));
    same('CSIRT: the advisory list names the site', ['uni-a'], advSites);

    // Platforms need a site; the CSIRT's infrastructure pages answer.
    await page.goto(`${BASE}/#/platforms`);
    await page.waitForSelector('#pick-site');
    await page.goto(`${BASE}/#/quarantine`);
    await page.waitForSelector('#no-quarantine, table.quarantine-counts');
    same('CSIRT: quarantine page without error', 0, await page.locator('main .error').count());
    await page.goto(`${BASE}/#/inputs`);
    await page.waitForSelector('table.inputs tbody tr');
    check('CSIRT: the inputs page lists the ingested file', (await page.textContent('table.inputs')).includes('alerts.eve.json'));
    await page.goto(`${BASE}/#/exporters`);
    await page.waitForSelector('#no-exporters, table.exporters');
    same('CSIRT: exporters page without error', 0, await page.locator('main .error').count());
    // The team directory, and a lookup answered from the sites.
    await page.goto(`${BASE}/#/teams`);
    await page.waitForSelector('#no-teams, table.teams');
    same('CSIRT: team directory without error', 0, await page.locator('main .error').count());
    await page.fill('#lookup-q', '192.0.2.1');
    await page.click('form.lookup button');
    await page.waitForSelector('#lookup-answer');
    check('CSIRT: the lookup names the site and its contact', (await page.textContent('#lookup-answer')).includes('cert@uni-a.example'));
    await page.screenshot({ path: `${SHOTS}/csirt-inputs.png`, fullPage: true });

    // Domain cases (browser.sh deactivated phish.example.cz as case 1).
    await page.goto(`${BASE}/#/domains`);
    await page.waitForSelector('table.domain-cases tbody tr');
    check('CSIRT: the domain cases list the case', (await page.textContent('table.domain-cases')).includes('phish.example.cz'));
    await page.goto(`${BASE}/#/domains/1`);
    await page.waitForSelector('#case-domain');
    same('CSIRT: the case is deactivated', 'deactivated', (await page.textContent('#case-state')).trim());
    check('CSIRT: the timeline says why', (await page.textContent('table.domain-timeline')).includes('a kit imitating a bank'));
    // A step the procedure refuses: the rule is shown, nothing changes.
    await page.selectOption('form.decision select[name=action]', 'extend');
    await page.fill('form.decision input[name=days]', '5');
    await page.click('form.decision button[type=submit]');
    await page.waitForSelector('form.decision .error');
    check('CSIRT: a refused extension names the rule', (await page.textContent('form.decision .error')).includes('new evidence'));
    same('CSIRT: still deactivated', 'deactivated', (await page.textContent('#case-state')).trim());
    await page.selectOption('form.decision select[name=action]', 'reactivate');
    await page.fill('form.decision input[name=days]', '');
    await page.fill('form.decision input[name=why]', 'the kit is gone');
    await page.click('form.decision button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#case-state')?.textContent.trim() === 'reactivated');
    check('CSIRT: the timeline has the reactivation', (await page.textContent('table.domain-timeline')).includes('the kit is gone'));
    await page.screenshot({ path: `${SHOTS}/csirt-domain-case.png`, fullPage: true });
}

// No certificate at all: a page that says what to do, not JSON.
async function noCertificate(page) {
    const resp = await page.goto(`${BASE}/`);
    same('none: the portal refuses', 403, resp.status());
    check('none: the refusal is an HTML page', /^text\/html/.test(resp.headers()['content-type'] ?? ''));
    const text = await page.textContent('body');
    check('none: it says what happened', text.includes('did not present a certificate'), text);
    check('none: it says what to import', text.includes('.p12'), text);
    check('none: it says whom to ask', text.includes("the browser test's CSIRT"), text);
    same('none: no script on the page', 0, await page.locator('script').count());
    await page.screenshot({ path: `${SHOTS}/none-page.png`, fullPage: true });
    // The published list needs no certificate.
    const pub = await page.goto(`${BASE}/public/domains.json`);
    same('none: the public domain list answers', 200, pub.status());
    const list = await pub.json();
    // The CSIRT's run reactivated the case: counted as past, not listed.
    same('none: nothing deactivated now', 0, list.deactivated.length);
    same('none: one past case', 1, list.past_cases);
    check('none: nothing private in the public list', !JSON.stringify(list).includes('imitating'), JSON.stringify(list));
}

// A scan whose page title and banner are markup (browser.sh stores it).
const SCAN_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
async function scansA(page) {
    await page.goto(`${BASE}/#/scans/1`);
    await page.waitForSelector('.scan-host');
    same('A: a hostile page title is shown as text', SCAN_TITLE, await page.textContent('.scan-host .page-title'));
    check('A: no markup of a scan became an element', (await page.locator('main img, main script, main b').count()) === 0);
    check('A: no script of a scan ran', (await page.evaluate(() => window.__pwned)) === undefined);
    await page.screenshot({ path: `${SHOTS}/a-scan.png`, fullPage: true });
    await page.goto(`${BASE}/#/scans`);
    await page.waitForSelector('table.scans tbody tr');
    same('A: the scan is listed', ['1'], await page.$$eval('table.scans tbody tr', (r) => r.map((x) => x.dataset.scanId)));
    await page.screenshot({ path: `${SHOTS}/a-scans.png`, fullPage: true });
}

async function siteB(page) {
    await page.goto(`${BASE}/`);
    await page.waitForSelector('tr[data-incident-id]');
    const incIds = await page.$$eval('tr[data-incident-id]', (rows) => rows.map((r) => Number(r.dataset.incidentId)));
    same('B: three incidents', 3, incIds.length);
    check('B: the queue shows none of uni-a\'s addresses', !(await page.textContent('main')).includes('192.0.2.'));
    check('B: site A\'s run recorded its incident numbers', aIncidentIds.length > 0);
    await page.goto(`${BASE}/#/incidents/${aIncidentIds[0]}`);
    await page.waitForSelector('.error');
    check('B: another site\'s incident is not found', (await page.textContent('.error')).includes('404'));
    const missing = await apiJson(page, '/api/v1/incidents/999999');
    const foreignInc = await apiJson(page, `/api/v1/incidents/${aIncidentIds[0]}`);
    same('B: another site\'s incident answers as a missing one', JSON.stringify(missing), JSON.stringify(foreignInc));
    const cases = await apiJson(page, '/api/v1/domain-cases/1');
    const noPath = await apiJson(page, '/api/v1/no-such-path');
    same('B: the domain cases are an unknown path to a site', JSON.stringify(noPath), JSON.stringify(cases));

    await page.goto(`${BASE}/#/dashboard`);
    await page.waitForSelector('#me-site');
    same('B: dashboard names the site', 'uni-b', (await page.textContent('#me-site')).trim());
    await page.waitForSelector('.chart-box canvas');
    const dash = await page.textContent('main');
    check('B: dashboard shows none of uni-a\'s addresses', !dash.includes('192.0.2.'), dash);

    await page.goto(`${BASE}/#/events`);
    const ids = await shownIds(page);
    const api = await apiJson(page, '/api/v1/events?limit=50');
    same('B: rows equal the API answer', api.body.events.map((e) => e.id), ids);
    same('B: three events', 3, ids.length);
    const text = await page.textContent('main');
    check('B: none of uni-a\'s addresses appear', !text.includes('192.0.2.'), text);
    check('B: uni-a\'s hostile event does not appear', !text.includes(HOSTILE));
    check('B: no uni-a owner appears', !text.includes('uni-a'));
    await page.screenshot({ path: `${SHOTS}/b-events.png`, fullPage: true });

    // uni-a's events, asked for by number: the same "not found" as an unknown one.
    check('B: site A\'s run recorded its event numbers', aEventIds.length > 0);
    const foreign = aEventIds.find((id) => !ids.includes(id)) ?? 1;
    await page.goto(`${BASE}/#/events/${foreign}`);
    await page.waitForSelector('.error');
    check('B: another site\'s event is not found', (await page.textContent('.error')).includes('404'));
    const direct = await apiJson(page, `/api/v1/events/${foreign}`);
    same('B: API answers 404 for another site\'s event', 404, direct.status);

    // uni-b registered no platform: no advisory, and A's is not reachable.
    await page.goto(`${BASE}/#/advisories`);
    await page.waitForSelector('table.advisories, #no-advisories, #adv-unavailable, .error');
    check('B: no advisory listed', (await page.locator('#no-advisories').count()) === 1);
    same('B: API answers 404 for A\'s advisory', 404, (await apiJson(page, `/api/v1/advisories/${ADV_ID}`)).status);

    await page.goto(`${BASE}/#/scans/1`);
    await page.waitForSelector('.error');
    check('B: site A\'s scan is not found', (await page.textContent('.error')).includes('404'));

    await page.goto(`${BASE}/#/site`);
    await page.waitForSelector('h1 .site-name');
    same('B: site page title', 'uni-b', (await page.textContent('h1 .site-name')).trim());
    check('B: site page shows no uni-a network', !(await page.textContent('main')).includes('192.0.2.'));
}

const env = ['TS_BASE', 'TS_HOME_A', 'TS_HOME_B', 'TS_HOME_CSIRT', 'TS_HOME_NONE', 'TS_TOCSIN', 'TS_CA'];
if (env.some((k) => !process.env[k])) {
    console.error(`portal.spec.mjs: ${env.join(', ')} must be set (run tests/integration/browser.sh)`);
    process.exit(2);
}
await withBrowser(process.env.TS_HOME_CSIRT, 'csirt', csirt);
await withBrowser(process.env.TS_HOME_NONE, 'none', noCertificate);
await withBrowser(process.env.TS_HOME_A, 'site-a-scans', scansA);
await withBrowser(process.env.TS_HOME_A, 'site-a', siteA);
await withBrowser(process.env.TS_HOME_B, 'site-b', siteB);
console.log(`browser: ${checks - failed} passed, ${failed} failed`);
process.exit(failed === 0 && checks > 0 ? 0 : 1);
