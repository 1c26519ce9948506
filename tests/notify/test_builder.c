/* SPDX-License-Identifier: Apache-2.0 */
/* From items to queued mails, on both backends: items given through the
 * notifiable-item interface and from the advisory source; who gets what and
 * when (thresholds, digests, never); digests grouped by type with hosts, the
 * why, the link and the CSV; exactly once (a watermark and cleared rows);
 * nothing crosses sites; the scan source (a site's ended scans, one item
 * per type of their findings, to that site only); the incident source (new
 * incidents, and raised ones at once to whom the raise crosses the
 * threshold, once each); signed, encrypted, and signed-only with a note
 * when the contact's key has expired; S/MIME chosen per contact (its crypto,
 * or a certificate without a key), refused without the CSIRT's S/MIME
 * identity, signed only with a note when the certificate has expired. Golden
 * files hold the English and German texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/import.h"
#include "core/event.h"
#include "gpgtest.h"
#include "mimetest.h"
#include "notify/builder.h"
#include "notify/contact.h"
#include "notify/mime.h"
#include "route/loader.h"
#include "store/incstore.h"
#include "store/notifystore.h"
#include "store/scanstore.h"
#include "ttstore.h"

#define HOUR (INT64_C(3600) * 1000000)
/* Monday 2026-12-07 10:00:00 UTC. */
#define NOW (INT64_C(1796637600) * 1000000)

/* The GnuPG homes, made once for the program and removed by its teardown
 * (also when a test fails halfway). */
static gt_home_t csirt, soc, scsirt, ssoc; /* OpenPGP, and gpgsm for S/MIME */

static int setup_all(void **state)
{
    return gt_home_new(&csirt, "CSIRT <csirt@csirt.test>", "sign", "never") == 0 &&
                   gt_home_new(&soc, "SOC <soc@site-a.test>", "default", "never") == 0 &&
                   gt_smime_new(&scsirt, "CSIRT", "csirt@csirt.test", "2026-01-01", "2036-01-01",
                                false) == 0 &&
                   gt_smime_new(&ssoc, "SOC", "soc@site-a.test", "2026-01-01", "2036-01-01",
                                false) == 0 &&
                   gt_smime_trust(&scsirt, ssoc.fpr) == 0
               ? 0
               : -1;
}

static int teardown_all(void **state)
{
    gt_home_free(&csirt);
    gt_home_free(&soc);
    gt_home_free(&scsirt);
    gt_home_free(&ssoc);
    return 0;
}

typedef struct fx {
    char *dir;
    char loc[512];
    ts_store_t *st;
    int64_t a, b;
    int64_t a1, a2, b1; /* contacts */
    ts_tpl_set_t *tpl;
    ts_notify_cfg_t cfg;
} fx_t;

static int64_t add_contact(fx_t *f, int64_t site, const ts_contact_in_t *in)
{
    int64_t id = 0;
    char err[256];
    if (ts_contact_put(f->st, site, 0, in, ts_time_now(), &id, err, sizeof err) != 0)
        fail_msg("contact: %s", err);
    return id;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    char src[1024], err[256];
    snprintf(src, sizeof src, "%s/templates", TS_SOURCE_DIR);
    if (tt_store_fresh(f->dir, "b.db", f->loc, sizeof f->loc) != 0 ||
        ts_store_open(f->loc, &f->st) != 0 || ts_store_site_add(f->st, "site-a", 0, NULL, &f->a) ||
        ts_store_site_add(f->st, "site-b", 0, NULL, &f->b) ||
        ts_tpl_set_load(src, &f->tpl, err, sizeof err) != 0)
        return -1;
    /* a1: high and above at once, the rest daily. a2 (German): nothing at
     * once, an hourly digest, never spam. b1: low and above at once. */
    f->a1 = add_contact(
        f, f->a,
        &(ts_contact_in_t){.email = "soc@site-a.test", .name = "SOC", .immediate = "high"});
    f->a2 = add_contact(f, f->a,
                        &(ts_contact_in_t){.email = "cio@site-a.test",
                                           .lang = "de",
                                           .immediate = "none",
                                           .digest = "hourly",
                                           .never_types = "spam"});
    f->b1 =
        add_contact(f, f->b, &(ts_contact_in_t){.email = "abuse@site-b.test", .immediate = "low"});
    f->cfg = (ts_notify_cfg_t){.from = "csirt@csirt.test",
                               .from_name = "Example CSIRT",
                               .portal = "https://portal.csirt.test",
                               .tpl = f->tpl};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_tpl_set_free(f->tpl);
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static const char *const hosts_a[] = {"192.0.2.10", "192.0.2.11"};

static ts_nitem_t item(int64_t site, const char *type, int prio, const char *summary)
{
    return (ts_nitem_t){
        .site_id = site,
        .kind = TS_NITEM_NEW,
        .type = type,
        .priority = prio,
        .ref = "INC-1",
        .hosts = hosts_a,
        .n_hosts = 2,
        .summary = summary,
        .why = "the source address 192.0.2.10 is in your network 192.0.2.0/24",
        .link = "https://portal.csirt.test/#/incidents/1",
        .events_csv = "time,source.ip,type\r\n2026-12-07T09:00:00Z,192.0.2.10,scanner\r\n",
    };
}

static int add(fx_t *f, ts_nitem_t it, ts_notify_stats_t *s)
{
    char err[256];
    return ts_notify_add_item(f->st, &it, NOW, s, err, sizeof err);
}

static void test_bad_items(void **state)
{
    fx_t *f = *state;
    ts_notify_stats_t s = {0};
    ts_nitem_t it = item(0, "scanner", 3, "x");
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    it = item(f->a, "scanner", 5, "x");
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    it = item(f->a, "", 3, "x");
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    it = item(f->a, "scanner", 3, "two\r\nlines");
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    it = item(f->a, "scanner", 3, "x");
    it.hosts = (const char *const[]){"ok", "bad\nhost"};
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    it = item(f->a, "scanner", 3, "x");
    it.kind = 9;
    assert_int_equal(add(f, it, &s), TS_EINVAL);
    assert_int_equal(s.items, 0);
    assert_int_equal(s.waiting, 0);
}

struct mails {
    char *rcpt[16], *data[16];
    int64_t site[16];
    size_t n;
};

static int take_mail(const ts_out_rec_t *o, void *ctx)
{
    struct mails *m = ctx;
    if (m->n < 16) {
        m->rcpt[m->n] = strdup(o->rcpt);
        m->data[m->n] = strndup(o->data, o->len);
        m->site[m->n++] = o->site_id;
    }
    return 0;
}

static void mails_free(struct mails *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->rcpt[i]);
        free(m->data[i]);
    }
    m->n = 0;
}

static const char *mail_to(struct mails *m, const char *rcpt)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->rcpt[i], rcpt) == 0)
            return m->data[i];
    return NULL;
}

/* The body of an unsigned mail, quoted-printable undone (soft breaks and
 * =XX), so that texts can be searched. */
static char *body_text(const char *mail)
{
    const char *p = strstr(mail, "quoted-printable\r\n\r\n");
    assert_non_null(p);
    p += 20;
    const char *end = strstr(p, "\r\n--=_tocsin_");
    char *out = calloc(1, strlen(p) + 1);
    size_t n = 0;
    for (; p < end; p++) {
        if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
            p += 2;
        } else if (p[0] == '=') {
            unsigned v;
            sscanf(p + 1, "%2x", &v);
            out[n++] = (char)v;
            p += 2;
        } else if (p[0] != '\r') {
            out[n++] = *p;
        }
    }
    return out;
}

/* The decoded text of the attachment named name (base64), or NULL; free()
 * it. */
static char *attachment_text(const char *mail, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "filename=\"%s\"", name);
    const char *p = strstr(mail, key);
    if (p == NULL || (p = strstr(p, "\r\n\r\n")) == NULL)
        return NULL;
    p += 4;
    const char *end = strstr(p, "\r\n--");
    ts_buf_t out = TS_BUF_INIT;
    mt_b64_decode(p, end ? (size_t)(end - p) : strlen(p), &out);
    return out.data ? out.data : calloc(1, 1);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Who gets what, and when; exactly once. */
static void test_routing_and_digests(void **state)
{
    fx_t *f = *state;
    ts_notify_stats_t s = {0};
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan from 192.0.2.10"), &s),
                     0);
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_HIGH, "Scan from 192.0.2.11"), &s), 0);
    assert_int_equal(add(f, item(f->a, "spam", TS_PRIO_LOW, "Spam run"), &s), 0);
    assert_int_equal(add(f, item(f->b, "brute-force", TS_PRIO_LOW, "SSH brute force on B"), &s), 0);
    /* A rise from medium to high crosses a1's threshold; a2 has none. */
    ts_nitem_t raised = item(f->a, "malware-distribution", TS_PRIO_HIGH, "Rose to high");
    raised.kind = TS_NITEM_RAISED;
    raised.prev_priority = TS_PRIO_MEDIUM;
    assert_int_equal(add(f, raised, &s), 0);
    /* Already above the threshold before: a1 knows. */
    raised.prev_priority = TS_PRIO_HIGH;
    raised.priority = TS_PRIO_CRITICAL;
    raised.summary = "Rose to critical";
    assert_int_equal(add(f, raised, &s), 0);
    assert_int_equal(s.items, 6);
    /* a1: 2 scans, the spam and the first rise; a2: the 2 scans (no spam;
     * without a threshold no rise crosses it); b1: 1. */
    assert_int_equal(s.waiting, 4 + 2 + 1);

    char err[256] = "";
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW, 0, &s, err, sizeof err), 0);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_int_equal(m.n, 2); /* a1 at once, b1 at once; a2 waits for its hour */
    const char *a1 = mail_to(&m, "soc@site-a.test"), *b1 = mail_to(&m, "abuse@site-b.test");
    assert_non_null(a1);
    assert_non_null(b1);
    char *ta = body_text(a1), *tb = body_text(b1);
    /* Grouped by type, highest priority first, hosts listed. */
    assert_non_null(strstr(ta, "== malware-distribution (1) =="));
    assert_non_null(strstr(ta, "== scanner (2) =="));
    assert_true(strstr(ta, "Scan from 192.0.2.10") < strstr(ta, "Scan from 192.0.2.11"));
    assert_null(strstr(ta, "Spam run")); /* daily, not now */
    assert_null(strstr(ta, "Rose to critical"));
    assert_int_equal(count(ta, "Hosts: 192.0.2.10, 192.0.2.11"), 3);
    /* The why and the link in every item. */
    assert_int_equal(count(ta, "Why you: the source address"), 3);
    assert_int_equal(count(ta, "Portal: https://portal.csirt.test/#/incidents/1"), 3);
    /* The CSV: one file per type, one header, a row per item. */
    assert_non_null(strstr(a1, "filename=\"events-scanner.csv\""));
    assert_non_null(strstr(a1, "filename=\"events-malware-distribution.csv\""));
    /* Nothing of site A reaches site B. */
    assert_non_null(strstr(tb, "SSH brute force on B"));
    assert_null(strstr(tb, "Scan from"));
    assert_null(strstr(b1, "site-a"));
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.site[i] == (strstr(m.rcpt[i], "site-a") ? f->a : f->b));
    free(ta);
    free(tb);
    mails_free(&m);

    /* Built once: the same moment again queues nothing. */
    ts_notify_stats_t s2 = {0};
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW, 0, &s2, err, sizeof err), 0);
    assert_int_equal(s2.mails, 0);
    /* The next hour: a2's digest, in German, without spam. */
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW + HOUR, 0, &s2, err, sizeof err), 0);
    assert_int_equal(s2.mails, 1);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 1, take_mail, &m), 0);
    assert_string_equal(m.rcpt[0], "cio@site-a.test");
    char *t2 = body_text(m.data[0]);
    assert_non_null(strstr(t2, "Hallo cio@site-a.test"));
    assert_non_null(strstr(t2, "stündliche Übersicht"));
    assert_non_null(strstr(t2, "Scan from 192.0.2.10"));
    assert_null(strstr(t2, "Spam run"));
    assert_null(strstr(t2, "Rose to"));
    free(t2);
    mails_free(&m);
    /* The next day: a1's daily digest with the spam. */
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW + 24 * HOUR, 0, &s2, err, sizeof err), 0);
    assert_int_equal(s2.mails, 2);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 1, take_mail, &m), 0);
    assert_string_equal(m.rcpt[0], "soc@site-a.test");
    char *t3 = body_text(m.data[0]);
    assert_non_null(strstr(t3, "Spam run"));
    assert_non_null(strstr(t3, "(daily digest"));
    free(t3);
    mails_free(&m);
    ts_notify_stats_t s3 = {0};
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW + 48 * HOUR, 0, &s3, err, sizeof err), 0);
    assert_int_equal(s3.mails, 0);
}

/* The texts, against golden files (one per language). */
static void test_golden(void **state)
{
    fx_t *f = *state;
    ts_contact_rec_t c;
    ts_contact_defaults(&c);
    c.site_name = "site-a";
    c.email = "soc@site-a.test";
    c.name = "SOC";
    ts_nitem_t items[3] = {
        item(f->a, "scanner", TS_PRIO_HIGH, "Scan from 192.0.2.11"),
        item(f->a, "vulnerable-system", TS_PRIO_CRITICAL, "OpenSSH regreSSHion (critical)"),
        item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan from 192.0.2.10"),
    };
    items[1].kind = TS_NITEM_ADVISORY;
    items[1].ref = "CVE-2024-6387";
    items[1].hosts = (const char *const[]){"openbsd:openssh:8.7p1"};
    items[1].n_hosts = 1;
    items[1].why = "your platform openbsd:openssh:8.7p1 matches OpenSSH < 9.8p1";
    items[1].link = "https://portal.csirt.test/#/advisories/CVE-2024-6387";
    items[1].events_csv = "id,severity\r\nCVE-2024-6387,critical\r\n";
    for (int l = 0; l < 2; l++) {
        c.lang = l ? "de" : "en";
        ts_nmail_t *d = ts_notify_render(&f->cfg, &c, items, 3, true, NOW);
        ts_buf_t b = TS_BUF_INIT;
        ts_buf_printf(&b, "Subject: %s\n\n%s", ts_nmail_subject(d), ts_nmail_text(d));
        const ts_mime_att_t *att;
        size_t n = ts_nmail_attachments(d, &att);
        for (size_t i = 0; i < n; i++)
            ts_buf_printf(&b, "---- %s (%s)\n%.*s", att[i].filename, att[i].content_type,
                          (int)att[i].len, (const char *)att[i].data);
        char why[512], name[64];
        snprintf(name, sizeof name, "notify/digest-%s.txt", c.lang);
        if (tt_golden(name, b.data, b.len, why, sizeof why) != 0)
            fail_msg("%s", why);
        ts_buf_free(&b);
        ts_nmail_free(d);
    }
}

/* The advisory source: a matched advisory becomes one item per (site,
 * advisory), once; the watermark holds it back for its settling time. */
static void test_advisory_source(void **state)
{
    fx_t *f = *state;
    static const char csaf[] =
        "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
        "\"publisher\":{\"category\":\"vendor\",\"name\":\"Example\","
        "\"namespace\":\"https://example.test\"},\"title\":\"Gadget flaw\","
        "\"tracking\":{\"current_release_date\":\"2026-01-02T00:00:00Z\","
        "\"id\":\"NB-TEST-2026-0001\",\"initial_release_date\":\"2026-01-02T00:00:00Z\","
        "\"revision_history\":[{\"date\":\"2026-01-02T00:00:00Z\",\"number\":\"1\","
        "\"summary\":\"x\"}],\"status\":\"final\",\"version\":\"1\"}},"
        "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Example\","
        "\"branches\":[{\"category\":\"product_name\",\"name\":\"Gadget\",\"branches\":["
        "{\"category\":\"product_version_range\",\"name\":\"<2.0\",\"product\":{"
        "\"name\":\"Example Gadget <2.0\",\"product_id\":\"P1\"}}]}]}]},"
        "\"vulnerabilities\":[{\"cve\":\"CVE-2026-0001\",\"product_status\":{"
        "\"known_affected\":[\"P1\"]},\"scores\":[{"
        "\"products\":[\"P1\"],\"cvss_v3\":{\"version\":\"3.1\",\"baseScore\":9.8,"
        "\"baseSeverity\":\"CRITICAL\",\"vectorString\":"
        "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}}]}]}";
    int64_t pid;
    char err[256] = "";
    ts_adv_import_stats_t st = {0};
    assert_int_equal(
        ts_adv_platform_add(f->st, f->b, "example:gadget:1.5", &pid, &st, err, sizeof err), 0);
    assert_int_equal(ts_adv_import_buffer(f->st, csaf, strlen(csaf), "nb.json", &st, NULL, NULL),
                     0);
    int64_t t = ts_time_now();
    ts_notify_stats_t s = {0};
    /* Within the settling time: nothing yet, the mark stays before it. */
    assert_int_equal(
        ts_notify_collect(f->st, &f->cfg, &ts_nsource_advisories, t, &s, err, sizeof err), 0);
    assert_int_equal(s.items, 0);
    t += TS_NSOURCE_SETTLE_US + 1000000;
    assert_int_equal(
        ts_notify_collect(f->st, &f->cfg, &ts_nsource_advisories, t, &s, err, sizeof err), 0);
    assert_int_equal(s.items, 1);
    assert_int_equal(s.waiting, 1); /* b1 only: site A does not run the gadget */
    int64_t mark;
    assert_int_equal(ts_store_nmark_get(f->st, "advisories", &mark), 0);
    assert_true(mark == t - TS_NSOURCE_SETTLE_US);
    /* Again: nothing new. */
    assert_int_equal(
        ts_notify_collect(f->st, &f->cfg, &ts_nsource_advisories, t + 5000000, &s, err, sizeof err),
        0);
    assert_int_equal(s.items, 1);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, t, 0, &s, err, sizeof err), 0);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.rcpt[0], "abuse@site-b.test");
    char *tx = body_text(m.data[0]);
    assert_non_null(strstr(tx, "Advisory NB-TEST-2026-0001: Gadget flaw (critical, CVSS 9.8)"));
    assert_non_null(strstr(tx, "Affected platforms: example:gadget:1.5"));
    assert_non_null(strstr(tx, "Why you: your platform example:gadget:1.5 matches"));
    assert_non_null(strstr(tx, "Portal: https://portal.csirt.test/#/advisories/NB-TEST-2026-0001"));
    assert_non_null(strstr(m.data[0], "events-vulnerable-system.csv"));
    free(tx);
    mails_free(&m);
}

static int64_t scan_every(fx_t *f, int64_t site, const char *state, int64_t every_s,
                          const ts_scan_finding_rec_t *fs, size_t n)
{
    ts_scan_rec_t r = {.site_id = site,
                       .requested_by = "CN=site-b admin",
                       .targets = "192.0.2.0/28",
                       .ports = "top100",
                       .every_s = every_s,
                       .state = "running"};
    int64_t id = 0;
    assert_int_equal(ts_store_scan_add(f->st, &r, &id), 0);
    for (size_t i = 0; i < n; i++) {
        ts_scan_finding_rec_t x = fs[i];
        x.scan_id = id;
        assert_int_equal(ts_store_scan_finding_add(f->st, &x, NULL), 0);
    }
    assert_int_equal(ts_store_scan_state(f->st, id, state, "", "connect", 16), 0);
    return id;
}

static int64_t scan_with(fx_t *f, int64_t site, const char *state, const ts_scan_finding_rec_t *fs,
                         size_t n)
{
    return scan_every(f, site, state, 0, fs, n);
}

/* A site's ended scan reaches its contacts, one item per type of its
 * findings, once; a failed scan, a scan of the CSIRT's own (site 0) and a
 * scan without findings tell nobody. */
static void test_scan_source(void **state)
{
    fx_t *f = *state;
    static const ts_scan_finding_rec_t found[] = {
        {.ip = "192.0.2.7",
         .port = 6379,
         .transport = "tcp",
         .kind = "exposed",
         .identifier = "open-redis",
         .type = "vulnerable-system",
         .detail = "Redis 7.0.11, no auth"},
        {.ip = "192.0.2.9",
         .port = 11211,
         .transport = "udp",
         .kind = "exposed",
         .identifier = "open-memcached",
         .type = "vulnerable-system",
         .detail = "memcached 1.6"},
        {.ip = "192.0.2.9",
         .port = 2222,
         .transport = "tcp",
         .kind = "change",
         .identifier = "new-open-port",
         .type = "other",
         .detail = "new since scan 1"},
    };
    int64_t t0 = ts_time_now();
    int64_t done = scan_with(f, f->b, "done", found, 3);
    scan_with(f, f->b, "failed", found, 1);
    scan_with(f, 0, "done", found, 1);
    scan_with(f, f->a, "done", NULL, 0);
    ts_notify_stats_t s = {0};
    char err[256] = "";
    /* Within the settling time: nothing yet. */
    assert_int_equal(ts_notify_collect(f->st, &f->cfg, &ts_nsource_scans, t0, &s, err, sizeof err),
                     0);
    assert_int_equal(s.items, 0);
    int64_t t = ts_time_now() + TS_NSOURCE_SETTLE_US + 1000000;
    assert_int_equal(ts_notify_collect(f->st, &f->cfg, &ts_nsource_scans, t, &s, err, sizeof err),
                     0);
    assert_int_equal(s.items, 2);   /* vulnerable-system and other, of the done scan */
    assert_int_equal(s.waiting, 2); /* b1 only */
    assert_int_equal(
        ts_notify_collect(f->st, &f->cfg, &ts_nsource_scans, t + 5000000, &s, err, sizeof err), 0);
    assert_int_equal(s.items, 2);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, t, 0, &s, err, sizeof err), 0);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_true(m.n >= 1);
    char want[128];
    bool summary = false, change = false;
    for (size_t i = 0; i < m.n; i++) {
        assert_string_equal(m.rcpt[i], "abuse@site-b.test");
        char *tx = body_text(m.data[i]);
        snprintf(want, sizeof want,
                 "Scan %lld of 192.0.2.0/28: 2 findings on 2 hosts (2 exposed services)",
                 (long long)done);
        if (strstr(tx, want)) {
            summary = true;
            assert_non_null(strstr(tx, "Hosts: 192.0.2.7, 192.0.2.9"));
            assert_non_null(strstr(tx, "requested by CN=site-b admin found this"));
            snprintf(want, sizeof want, "https://portal.csirt.test/#/scans/%lld", (long long)done);
            assert_non_null(strstr(tx, want));
            assert_non_null(strstr(m.data[i], "events-vulnerable-system.csv"));
        }
        snprintf(
            want, sizeof want,
            "Scan %lld of 192.0.2.0/28: 1 finding on 1 host (1 change since the previous scan)",
            (long long)done);
        change = change || strstr(tx, want) != NULL;
        assert_null(strstr(tx, "Advisory "));
        free(tx);
    }
    assert_true(summary && change);
    mails_free(&m);
}

/* A scheduled scan's first run tells everything it found; a later run only
 * what changed since the run before, and nothing when nothing changed. */
static void test_scan_source_schedule(void **state)
{
    fx_t *f = *state;
    static const ts_scan_finding_rec_t redis = {.ip = "192.0.2.7",
                                                .port = 6379,
                                                .transport = "tcp",
                                                .kind = "exposed",
                                                .identifier = "open-redis",
                                                .type = "vulnerable-system",
                                                .detail = "Redis, no auth"};
    static const ts_scan_finding_rec_t opened = {.ip = "192.0.2.8",
                                                 .port = 23,
                                                 .transport = "tcp",
                                                 .kind = "change",
                                                 .identifier = "new-open-port",
                                                 .type = "other",
                                                 .detail = "23/tcp is open"};
    const int64_t week = 7 * 86400;
    ts_scan_finding_rec_t second[] = {redis, opened};
    scan_every(f, f->b, "done", week, &redis, 1);
    int64_t run2 = scan_every(f, f->b, "done", week, second, 2);
    scan_every(f, f->b, "done", week, &redis, 1);
    ts_notify_stats_t s = {0};
    char err[256] = "";
    int64_t t = ts_time_now() + TS_NSOURCE_SETTLE_US + 1000000;
    assert_int_equal(ts_notify_collect(f->st, &f->cfg, &ts_nsource_scans, t, &s, err, sizeof err),
                     0);
    assert_int_equal(s.items, 2); /* the first run's redis, the second run's new port */
    assert_int_equal(ts_notify_build(f->st, &f->cfg, t, 0, &s, err, sizeof err), 0);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    char changed[128], exposed[128];
    snprintf(changed, sizeof changed, "Scan %lld of 192.0.2.0/28: 1 finding on 1 host (1 change",
             (long long)run2);
    snprintf(exposed, sizeof exposed, "Scan %lld of 192.0.2.0/28: 1 finding on 1 host (1 exposed",
             (long long)run2);
    bool change = false;
    for (size_t i = 0; i < m.n; i++) {
        char *tx = body_text(m.data[i]);
        change = change || strstr(tx, changed) != NULL;
        assert_null(strstr(tx, exposed)); /* the second run's redis was told already */
        free(tx);
    }
    assert_true(change);
    mails_free(&m);
}

/* Signed and encrypted for a contact with a key; signed only, with a note
 * and a warning, when the key has expired. */
static void test_keys(void **state)
{
    fx_t *f = *state;
    char *key = gt_export(&soc);
    char err[256] = "";
    assert_int_equal(ts_contact_put(f->st, f->a, f->a1, &(ts_contact_in_t){.pgp_key = key},
                                    ts_time_now(), NULL, err, sizeof err),
                     0);
    ts_pgp_t *pgp = NULL;
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &pgp, err, sizeof err), 0);
    f->cfg.pgp = pgp;
    ts_notify_stats_t s = {0};
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan one"), &s), 0);
    assert_int_equal(add(f, item(f->b, "scanner", TS_PRIO_CRITICAL, "Scan two"), &s), 0);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW, 0, &s, err, sizeof err), 0);
    assert_int_equal(s.mails, 2);
    assert_int_equal(s.encrypted, 1);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_non_null(strstr(mail_to(&m, "soc@site-a.test"), "multipart/encrypted"));
    assert_null(strstr(mail_to(&m, "soc@site-a.test"), "Scan one"));
    assert_non_null(strstr(mail_to(&m, "abuse@site-b.test"), "multipart/signed"));
    mails_free(&m);
    /* The key expired (as the store would hold it a year later). */
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan three"), &s), 0);
    ts_notify_stats_t s2 = {0};
    assert_int_equal(
        ts_notify_build(f->st, &f->cfg, INT64_C(4102444800) * 1000000, 0, &s2, err, sizeof err), 0);
    /* a1's scan and a2's hourly digest; a key without an end never expires. */
    assert_int_equal(s2.mails, 2);
    assert_int_equal(s2.encrypted, 1);
    assert_int_equal(s2.expired_keys, 0);
    mails_free(&m);
    f->cfg.pgp = NULL;
    ts_pgp_close(pgp);
    free(key);
}

static int set_expiry(const ts_contact_rec_t *c, void *ctx)
{
    ts_store_t *st = ctx;
    ts_contact_rec_t u = *c;
    u.pgp_fpr = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";
    u.pgp_key = "unused";
    u.pgp_expires = NOW - 24 * HOUR;
    return ts_store_ncontact_update(st, &u);
}

static void test_expired_key(void **state)
{
    fx_t *f = *state;
    char err[256] = "";
    ts_pgp_t *pgp = NULL;
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &pgp, err, sizeof err), 0);
    f->cfg.pgp = pgp;
    assert_int_equal(ts_store_ncontact_get(f->st, f->a, f->a1, set_expiry, f->st), 0);
    ts_notify_stats_t s = {0};
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan one"), &s), 0);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW, 0, &s, err, sizeof err), 0);
    assert_int_equal(s.mails, 1);
    assert_int_equal(s.encrypted, 0);
    assert_int_equal(s.expired_keys, 1);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_non_null(strstr(m.data[0], "multipart/signed"));
    char *t = body_text(m.data[0]);
    assert_non_null(strstr(t, "Note: your OpenPGP key ABCDEF0123456789ABCDEF0123456789ABCDEF01 "
                              "expired on 2026-12-06, so this mail is signed but not encrypted."));
    free(t);
    mails_free(&m);
    f->cfg.pgp = NULL;
    ts_pgp_close(pgp);
}

/* ---- The incident source ------------------------------------------------------------ */

static int first_id(const ts_incident_t *inc, void *ctx)
{
    if (*(int64_t *)ctx == 0)
        *(int64_t *)ctx = inc->id;
    return 0;
}

static void store_event(fx_t *f, ts_constituency_t *c, const char *type, const char *src,
                        const char *dst, int64_t t)
{
    ts_event_t e;
    ts_event_init(&e);
    assert_int_equal(ts_type_lookup(type, strlen(type), &e.type), 0);
    assert_int_equal(ts_ip_parse(src, strlen(src), &e.src.ip), 0);
    assert_int_equal(ts_ip_parse(dst, strlen(dst), &e.dst.ip), 0);
    e.time_source = t;
    e.feed_name = ts_str_c("ids");
    ts_arena_t *a = ts_arena_new(4096);
    ts_link_t *links;
    int n = ts_constituency_route(c, &e, a, &links);
    assert_true(n > 0);
    assert_int_equal(ts_store_event_add(f->st, &e, links, n, 0, 0, NULL), 0);
    ts_arena_free(a);
}

static size_t incident_items(fx_t *f, int64_t t)
{
    ts_notify_stats_t s = {0};
    char err[256] = "";
    if (ts_notify_collect(f->st, &f->cfg, &ts_nsource_incidents, t, &s, err, sizeof err) != 0)
        fail_msg("collect: %s", err);
    return s.items;
}

static int want_iodef(const ts_contact_rec_t *c, void *ctx)
{
    ts_contact_rec_t u = *c;
    u.iodef = true;
    return ts_store_ncontact_update(ctx, &u);
}

/* New incidents reach their own site's contacts; a raise of priority comes
 * once, at once to the contact whose threshold it crosses; a change that
 * raises no priority, and a site's own state change, are no item. */
static void test_incident_source(void **state)
{
    fx_t *f = *state;
    ts_constituency_t *c = NULL;
    assert_int_equal(ts_store_claim_add(f->st, f->a, TS_RULE_NETWORK, "192.0.2.0/25"), 0);
    assert_int_equal(ts_store_claim_add(f->st, f->b, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    assert_int_equal(ts_constituency_load(f->st, &c), 0);
    int64_t t = ts_time_now();
    assert_int_equal(incident_items(f, t), 0);
    /* a: a scan from its host (26 of 100: medium); b: an exploit against
     * its host (12: low). */
    store_event(f, c, "scanner", "192.0.2.10", "203.0.113.5", t - HOUR);
    store_event(f, c, "exploit", "203.0.113.9", "198.51.100.7", t - HOUR);
    /* b1 asks for IODEF too. */
    assert_int_equal(ts_store_ncontact_get(f->st, f->b, f->b1, want_iodef, f->st), 0);
    assert_int_equal(incident_items(f, t), 2);
    assert_int_equal(incident_items(f, t), 0); /* once */
    ts_notify_stats_t s = {0};
    char err[256] = "";
    assert_int_equal(ts_notify_build(f->st, &f->cfg, t, 0, &s, err, sizeof err), 0);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    /* b1 takes low at once; a1 wants high at once, a medium waits for the digest. */
    assert_int_equal(m.n, 1);
    char *tx = body_text(mail_to(&m, "abuse@site-b.test"));
    assert_non_null(strstr(tx, "exploit against 198.51.100.7"));
    /* Its events attached as the site sees them, nothing of site a's. */
    char *csv = attachment_text(mail_to(&m, "abuse@site-b.test"), "events-exploit.csv");
    assert_non_null(csv);
    assert_non_null(strstr(csv, "203.0.113.9"));
    assert_non_null(strstr(csv, "198.51.100.7"));
    assert_null(strstr(csv, "192.0.2.10"));
    assert_int_equal(count(csv, "\r\n"), 2); /* the header and the one event */
    free(csv);
    char *iodef = attachment_text(mail_to(&m, "abuse@site-b.test"), "iodef-1.xml");
    assert_non_null(iodef);
    assert_non_null(strstr(iodef, "<IODEF-Document"));
    assert_non_null(strstr(iodef, "198.51.100.7"));
    assert_null(strstr(iodef, "192.0.2.10"));
    free(iodef);
    assert_non_null(strstr(tx, "https://portal.csirt.test/#/incidents/"));
    assert_null(strstr(tx, "192.0.2.10"));
    free(tx);
    mails_free(&m);

    /* The same scan again: counted, no priority level crossed, no item. */
    store_event(f, c, "scanner", "192.0.2.10", "203.0.113.6", t - HOUR + 1);
    assert_int_equal(incident_items(f, t), 0);
    /* a marks its host critical: 41, high, crossing a1's threshold. */
    ts_critical_t mark = {.site_id = f->a, .who = "cli:test"};
    assert_int_equal(ts_prefix_parse("192.0.2.10", 10, &mark.net), 0);
    int64_t mid;
    assert_int_equal(ts_store_critical_add(f->st, c, &mark, &mid), 0);
    assert_int_equal(incident_items(f, t + 1), 1);
    assert_int_equal(incident_items(f, t + 1), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, t + 1, 0, &s, err, sizeof err), 0);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    const char *raised = mail_to(&m, "soc@site-a.test");
    assert_non_null(raised);
    tx = body_text(raised);
    assert_non_null(strstr(tx, "scanner from 192.0.2.10"));
    assert_non_null(strstr(tx, "What: priority-raised, scanner"));
    assert_non_null(strstr(tx, "marked critical (192.0.2.10/32)"));
    assert_null(strstr(tx, "198.51.100.7"));
    free(tx);
    mails_free(&m);
    /* The site's own state change is no item. */
    ts_incident_filter_t q;
    ts_incident_filter_init(&q);
    q.site_id = f->a;
    q.limit = 10;
    int64_t id = 0;
    bool more;
    assert_int_equal(ts_store_incidents(f->st, &q, first_id, &id, &more), 0);
    assert_int_equal(
        ts_store_incident_set_state(f->st, f->a, id, TS_INC_ACKNOWLEDGED, NULL, "cli:test", NULL),
        0);
    assert_int_equal(incident_items(f, t + 2), 0);
    ts_constituency_free(c);
}

static int set_cert_expiry(const ts_contact_rec_t *c, void *ctx)
{
    ts_store_t *st = ctx;
    ts_contact_rec_t u = *c;
    u.smime_expires = NOW - 24 * HOUR;
    return ts_store_ncontact_update(st, &u);
}

/* a1 has a certificate and no key (auto: S/MIME when the CSIRT has an
 * identity), a2 asks for S/MIME and has no certificate (signed only), b1
 * asks for S/MIME and has a certificate. */
static void test_smime(void **state)
{
    fx_t *f = *state;
    char *cert = gt_smime_cert(&ssoc);
    char err[400] = "";
    assert_non_null(cert);
    assert_int_equal(ts_contact_put(f->st, f->a, f->a1, &(ts_contact_in_t){.smime_cert = cert},
                                    ts_time_now(), NULL, err, sizeof err),
                     0);
    assert_int_equal(ts_contact_put(f->st, f->a, f->a2, &(ts_contact_in_t){.crypto = "smime"},
                                    ts_time_now(), NULL, err, sizeof err),
                     0);
    assert_int_equal(ts_contact_put(f->st, f->b, f->b1,
                                    &(ts_contact_in_t){.smime_cert = cert, .crypto = "smime"},
                                    ts_time_now(), NULL, err, sizeof err),
                     0);
    ts_pgp_t *pgp = NULL;
    ts_smime_t *sm = NULL;
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &pgp, err, sizeof err), 0);
    f->cfg.pgp = pgp;
    /* Without an S/MIME identity: a1 gets OpenPGP (auto), a2 and b1
     * nothing, and the error says why; their items wait. */
    ts_notify_stats_t s = {0};
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan one"), &s), 0);
    assert_int_equal(add(f, item(f->b, "scanner", TS_PRIO_CRITICAL, "Scan b"), &s), 0);
    assert_int_equal(ts_notify_build(f->st, &f->cfg, NOW + 2 * HOUR, 0, &s, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "asks for S/MIME but the notifier has no S/MIME signing "
                                "certificate"));
    assert_int_equal(s.mails, 1);
    struct mails m = {0};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_int_equal(m.n, 1);
    assert_non_null(strstr(mail_to(&m, "soc@site-a.test"), "micalg=pgp-"));
    mails_free(&m);
    /* With one: a2's digest signed with S/MIME, a1's new item and b1's
     * waiting one enveloped. */
    assert_int_equal(ts_smime_open(scsirt.dir, NULL, &sm, err, sizeof err), 0);
    f->cfg.smime = sm;
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan two"), &s), 0);
    ts_notify_stats_t s2 = {0};
    if (ts_notify_build(f->st, &f->cfg, NOW + 2 * HOUR, 0, &s2, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(s2.mails, 3);
    assert_int_equal(s2.encrypted, 2);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    assert_int_equal(m.n, 4);
    assert_non_null(strstr(mail_to(&m, "abuse@site-b.test"), "smime-type=enveloped-data"));
    const char *cio = mail_to(&m, "cio@site-a.test");
    assert_non_null(strstr(cio, "protocol=\"application/pkcs7-signature\""));
    assert_non_null(strstr(cio, "Scan two"));
    const char *soc_new = NULL;
    for (size_t i = 0; i < m.n; i++)
        if (strstr(m.data[i], "smime-type=enveloped-data") &&
            strcmp(m.rcpt[i], "soc@site-a.test") == 0)
            soc_new = m.data[i];
    assert_non_null(soc_new);
    assert_non_null(strstr(soc_new, "To: \"SOC\" <soc@site-a.test>"));
    assert_null(strstr(soc_new, "Scan two"));
    mails_free(&m);
    /* The certificate expired: signed only, with the note. */
    assert_int_equal(ts_store_ncontact_get(f->st, f->a, f->a1, set_cert_expiry, f->st), 0);
    assert_int_equal(add(f, item(f->a, "scanner", TS_PRIO_CRITICAL, "Scan three"), &s), 0);
    ts_notify_stats_t s3 = {0};
    if (ts_notify_build(f->st, &f->cfg, NOW, 0, &s3, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(s3.mails, 1);
    assert_int_equal(s3.encrypted, 0);
    assert_int_equal(s3.expired_keys, 1);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, take_mail, &m), 0);
    const char *last = NULL;
    for (size_t i = 0; i < m.n; i++)
        if (strstr(m.data[i], "Scan three"))
            last = m.data[i];
    assert_non_null(last);
    assert_non_null(strstr(last, "application/pkcs7-signature"));
    char *t = body_text(last);
    char note[300];
    snprintf(note, sizeof note,
             "Note: your S/MIME certificate %s expired on 2026-12-06, so this mail is signed but "
             "not encrypted.",
             ssoc.fpr);
    if (strstr(t, note) == NULL)
        fail_msg("no note in: %s", t);
    free(t);
    mails_free(&m);
    f->cfg.pgp = NULL;
    f->cfg.smime = NULL;
    ts_pgp_close(pgp);
    ts_smime_close(sm);
    free(cert);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_routing_and_digests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advisory_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_source_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incident_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smime, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
