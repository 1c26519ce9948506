/* SPDX-License-Identifier: Apache-2.0 */
/* The notification store on both backends: contacts, waiting digests,
 * watermarks and the outbox; refusals first. Tenancy is by construction: a
 * call acting for one site never reads or changes another site's contact,
 * and an item can only wait for a contact of its own site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notify/contact.h"
#include "route/loader.h"
#include "store/notifystore.h"
#include "store/store_int.h"
#include "testutil.h"
#include "ttstore.h"

typedef struct fx {
    char *dir;
    char loc[512];
    ts_store_t *st;
    int64_t a, b;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "n.db", f->loc, sizeof f->loc) != 0 ||
        ts_store_open(f->loc, &f->st) != 0 || ts_store_site_add(f->st, "site-a", 0, NULL, &f->a) ||
        ts_store_site_add(f->st, "site-b", 0, NULL, &f->b))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static ts_contact_rec_t contact(int64_t site, const char *email)
{
    ts_contact_rec_t c;
    ts_contact_defaults(&c);
    c.site_id = site;
    c.email = email;
    return c;
}

static int count_cb(const ts_contact_rec_t *c, void *ctx)
{
    (void)c;
    (*(int *)ctx)++;
    return 0;
}

static void test_contact_refusals(void **state)
{
    fx_t *f = *state;
    int64_t id = 0;
    ts_contact_rec_t c = contact(9999, "a@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), TS_ENOENT);
    c = contact(f->a, "");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), TS_EINVAL);
    c = contact(f->a, "a@site-a.test");
    c.roles = 0;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), TS_EINVAL);
    c.roles = 16;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), TS_EINVAL);
    c = contact(f->a, "a@site-a.test");
    c.immediate = 5;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), TS_EINVAL);
    c = contact(f->a, "a@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), 0);
    c = contact(f->a, "A@SITE-A.test");
    int64_t id2;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id2), TS_EEXIST);
    /* The core's contact_add meets the same rule. */
    assert_int_equal(ts_store_contact_add(f->st, f->a, "a@Site-A.test", ""), TS_EEXIST);
    /* Another site: unknown. */
    int n = 0;
    assert_int_equal(ts_store_ncontact_get(f->st, f->b, id, count_cb, &n), TS_ENOENT);
    assert_int_equal(ts_store_ncontact_remove(f->st, f->b, id), TS_ENOENT);
    c = contact(f->b, "a@site-a.test");
    c.id = id;
    assert_int_equal(ts_store_ncontact_update(f->st, &c), TS_ENOENT);
    int64_t found;
    assert_int_equal(ts_store_ncontact_find(f->st, f->b, "a@site-a.test", &found), TS_ENOENT);
    assert_int_equal(n, 0);
    /* Its own site: known. */
    assert_int_equal(ts_store_ncontact_get(f->st, f->a, id, count_cb, &n), 0);
    assert_int_equal(ts_store_ncontact_get(f->st, 0, id, count_cb, &n), 0);
    assert_int_equal(n, 2);
}

static int copy_cb(const ts_contact_rec_t *c, void *ctx)
{
    ts_buf_t *b = ctx;
    char roles[64];
    ts_buf_printf(b, "%s|%s|%s|%s|%s|%s|%d|%d|%s|%s|%d|%s|%lld|%s|%lld|%d\n", c->site_name,
                  c->email, c->name, ts_roles_text(c->roles, roles, sizeof roles), c->lang, c->tz,
                  c->immediate, c->digest, c->immediate_types, c->never_types, c->iodef, c->pgp_fpr,
                  (long long)c->pgp_expires, c->hours, (long long)c->smime_expires, c->crypto);
    return 0;
}

/* Every field round-trips; listings are by site name then address. */
static void test_contact_fields(void **state)
{
    fx_t *f = *state;
    ts_contact_rec_t c = contact(f->b, "z@site-b.test");
    c.name = "Zed";
    c.roles = TS_ROLE_SECURITY | TS_ROLE_MANAGEMENT;
    c.lang = "de";
    c.tz = "Europe/Berlin";
    c.hours = "Mon-Fri 08:00-17:00";
    c.immediate = 0;
    c.digest = TS_DIGEST_HOURLY;
    c.immediate_types = "scanner";
    c.never_types = "spam,phishing";
    c.iodef = true;
    c.pgp_key = "KEY";
    c.pgp_fpr = "ABCD";
    c.pgp_expires = 1234567;
    c.smime_cert = "CERT";
    c.smime_expires = 7654321;
    c.crypto = TS_CRYPTO_SMIME;
    int64_t id;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), 0);
    c = contact(f->a, "m@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), 0);
    c = contact(f->a, "b@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &id), 0);
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_store_ncontacts_foreach(f->st, 0, copy_cb, &b), 0);
    assert_string_equal(b.data,
                        "site-a|b@site-a.test||abuse|en|UTC|4|2|||0||0||0|0\n"
                        "site-a|m@site-a.test||abuse|en|UTC|4|2|||0||0||0|0\n"
                        "site-b|z@site-b.test|Zed|security,management|de|Europe/Berlin|0|1|"
                        "scanner|spam,phishing|1|ABCD|1234567|Mon-Fri 08:00-17:00|7654321|2\n");
    ts_buf_reset(&b);
    assert_int_equal(ts_store_ncontacts_foreach(f->st, f->b, copy_cb, &b), 0);
    assert_non_null(strstr(b.data, "z@site-b.test"));
    assert_null(strstr(b.data, "site-a"));
    ts_buf_free(&b);
}

static int pend_cb(const ts_npending_rec_t *p, void *ctx)
{
    ts_buf_printf(ctx, "%lld:%s ", (long long)p->contact_id, p->item);
    return 0;
}

/* An item can wait only for a contact of its own site; the contact's
 * removal takes its waiting items. */
static void test_pending(void **state)
{
    fx_t *f = *state;
    int64_t ca, cb;
    ts_contact_rec_t c = contact(f->a, "a@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &ca), 0);
    c = contact(f->b, "b@site-b.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &cb), 0);
    ts_npending_rec_t p = {.contact_id = cb, .site_id = f->a, .due = 100, .item = "{}"};
    assert_int_equal(ts_store_npending_add(f->st, &p), TS_ENOENT); /* b's contact, a's item */
    p.contact_id = 0;
    assert_int_equal(ts_store_npending_add(f->st, &p), TS_EINVAL);
    p = (ts_npending_rec_t){.contact_id = ca, .site_id = f->a, .due = 100, .item = "one"};
    assert_int_equal(ts_store_npending_add(f->st, &p), 0);
    p.due = 300;
    p.item = "two";
    assert_int_equal(ts_store_npending_add(f->st, &p), 0);
    p = (ts_npending_rec_t){.contact_id = cb, .site_id = f->b, .due = 200, .item = "three"};
    assert_int_equal(ts_store_npending_add(f->st, &p), 0);
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_store_npending_due(f->st, 250, pend_cb, &b), 0);
    char want[128];
    snprintf(want, sizeof want, "%lld:one %lld:three ", (long long)ca, (long long)cb);
    assert_string_equal(b.data, want);
    ts_buf_reset(&b);
    assert_int_equal(ts_store_npending_foreach(f->st, f->a, pend_cb, &b), 0);
    snprintf(want, sizeof want, "%lld:one %lld:two ", (long long)ca, (long long)ca);
    assert_string_equal(b.data, want);
    assert_int_equal(ts_store_npending_clear(f->st, ca, 250), 0);
    ts_buf_reset(&b);
    assert_int_equal(ts_store_npending_foreach(f->st, 0, pend_cb, &b), 0);
    snprintf(want, sizeof want, "%lld:two %lld:three ", (long long)ca, (long long)cb);
    assert_string_equal(b.data, want);
    assert_int_equal(ts_store_ncontact_remove(f->st, f->a, ca), 0);
    ts_buf_reset(&b);
    assert_int_equal(ts_store_npending_foreach(f->st, 0, pend_cb, &b), 0);
    snprintf(want, sizeof want, "%lld:three ", (long long)cb);
    assert_string_equal(b.data, want);
    ts_buf_free(&b);
    /* Watermarks. */
    int64_t m = -1;
    assert_int_equal(ts_store_nmark_get(f->st, "advisories", &m), 0);
    assert_true(m == 0);
    assert_int_equal(ts_store_nmark_set(f->st, "advisories", 42), 0);
    assert_int_equal(ts_store_nmark_set(f->st, "advisories", 43), 0);
    assert_int_equal(ts_store_nmark_get(f->st, "advisories", &m), 0);
    assert_true(m == 43);
    assert_int_equal(ts_store_nmark_set(f->st, "", 1), TS_EINVAL);
}

static int out_cb(const ts_out_rec_t *o, void *ctx)
{
    ts_buf_printf(ctx, "%s:%s:%d ", o->message_id, ts_out_state_name(o->state), o->attempts);
    return 0;
}

static int stat_cb(const char *k, uint64_t n, void *ctx)
{
    ts_buf_printf(ctx, "%s=%llu ", k, (unsigned long long)n);
    return 0;
}

static void test_outbox(void **state)
{
    fx_t *f = *state;
    ts_out_rec_t o = {.site_id = f->a,
                      .contact_id = 1,
                      .message_id = "<1@x.test>",
                      .rcpt = "a@site-a.test",
                      .domain = "site-a.test",
                      .subject = "s",
                      .kind = "daily",
                      .data = "DATA\r\n",
                      .len = 6,
                      .next_attempt = 1000};
    int64_t id1, id2, id3;
    ts_out_rec_t bad = o;
    bad.len = 0;
    assert_int_equal(ts_store_out_add(f->st, &bad, &id1), TS_EINVAL);
    assert_int_equal(ts_store_out_add(f->st, &o, &id1), 0);
    assert_int_equal(ts_store_out_add(f->st, &o, &id2), TS_EEXIST); /* same Message-ID */
    o.message_id = "<2@x.test>";
    o.next_attempt = 5000;
    assert_int_equal(ts_store_out_add(f->st, &o, &id2), 0);
    o.message_id = "<3@x.test>";
    o.site_id = f->b;
    o.next_attempt = 10;
    assert_int_equal(ts_store_out_add(f->st, &o, &id3), 0);
    /* Compare-and-set: only from the state it is in. */
    assert_int_equal(ts_store_out_move(f->st, id1, TS_OUT_SENDING, TS_OUT_SENT, 0, 0, 0, 0, NULL),
                     TS_EBUSY);
    assert_int_equal(ts_store_out_move(f->st, 999, TS_OUT_QUEUED, TS_OUT_SENT, 0, 0, 0, 0, NULL),
                     TS_EBUSY);
    assert_int_equal(ts_store_out_move(f->st, id1, TS_OUT_QUEUED, 9, 0, 0, 0, 0, NULL), TS_EINVAL);
    assert_int_equal(
        ts_store_out_move(f->st, id1, TS_OUT_QUEUED, TS_OUT_SENDING, 1, 0, 1000, 0, NULL), 0);
    /* Due at 2000: the one left SENDING first, then by next attempt. */
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_store_out_due(f->st, 2000, 0, out_cb, &b), 0);
    assert_string_equal(b.data, "<1@x.test>:sending:1 <3@x.test>:queued:0 ");
    assert_int_equal(
        ts_store_out_move(f->st, id1, TS_OUT_SENDING, TS_OUT_SENT, 0, 1500, 1000, 1600, "250 ok"),
        0);
    assert_int_equal(
        ts_store_out_move(f->st, id2, TS_OUT_QUEUED, TS_OUT_FAILED, 1, 0, 5000, 0, "550 no"), 0);
    uint64_t n = 9;
    assert_int_equal(ts_store_out_sent_since(f->st, "site-a.test", 1600, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ts_store_out_sent_since(f->st, "site-a.test", 1601, &n), 0);
    assert_int_equal(n, 0);
    ts_buf_reset(&b);
    assert_int_equal(ts_store_out_foreach(f->st, f->a, 0, 0, out_cb, &b), 0);
    assert_string_equal(b.data, "<2@x.test>:failed:1 <1@x.test>:sent:1 ");
    ts_buf_reset(&b);
    assert_int_equal(ts_store_out_foreach(f->st, 0, TS_OUT_QUEUED, 0, out_cb, &b), 0);
    assert_string_equal(b.data, "<3@x.test>:queued:0 ");
    ts_buf_reset(&b);
    assert_int_equal(ts_store_out_stats(f->st, f->a, stat_cb, &b), 0);
    assert_string_equal(b.data, "sent=1 failed=1 ");
    ts_buf_free(&b);
    assert_int_equal(ts_out_state_parse("deferred"), TS_OUT_DEFERRED);
    assert_int_equal(ts_out_state_parse("bogus"), 0);
}

static int name_cb(const ts_contact_rec_t *c, void *ctx)
{
    ts_buf_printf(ctx, "%s:%s:%s:%lld ", c->email, c->name, c->pgp_fpr, (long long)c->id);
    return 0;
}

/* Schema 11 (notifications) keeps the contacts of schema 10 (with the defaults), and a
 * constituency file import keeps what it does not say (keys, preferences)
 * and the contact's id. */
static void test_upgrade_and_file_import(void **state)
{
    fx_t *f = *state;
    if (tt_pg()) {
        /* The PostgreSQL step adds columns in place; the file import part below runs. */
    } else {
        char loc[600];
        snprintf(loc, sizeof loc, "%s/old.db", f->dir);
        ts_store_t *old = NULL;
        int64_t s;
        assert_int_equal(ts_store_open_version(loc, 10, &old), 0);
        assert_int_equal(ts_store_site_add(old, "old", 0, NULL, &s), 0);
        assert_int_equal(ts_store_contact_add(old, s, "x@old.test", "X"), 0);
        ts_store_close(old);
        assert_int_equal(ts_store_open(loc, &old), 0);
        ts_buf_t b = TS_BUF_INIT;
        assert_int_equal(ts_store_ncontacts_foreach(old, s, name_cb, &b), 0);
        assert_string_equal(b.data, "x@old.test:X::1 ");
        ts_buf_free(&b);
        ts_store_close(old);
    }
    ts_contact_rec_t c = contact(f->a, "keep@site-a.test");
    c.pgp_fpr = "FPR";
    c.pgp_key = "KEY";
    int64_t keep, gone;
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &keep), 0);
    c = contact(f->a, "gone@site-a.test");
    assert_int_equal(ts_store_ncontact_add(f->st, &c, &gone), 0);
    const char file[] = "{\"tocsin_constituency\": 1, \"sites\": ["
                        "{\"name\": \"site-a\", \"contacts\": ["
                        "{\"email\": \"KEEP@site-a.test\", \"name\": \"Renamed\"},"
                        "{\"email\": \"new@site-a.test\"}]},"
                        "{\"name\": \"site-b\"}]}";
    ts_constfile_t *cf = NULL;
    char err[256];
    assert_int_equal(ts_constfile_parse(file, strlen(file), &cf, err, sizeof err), 0);
    assert_int_equal(ts_constfile_apply(f->st, cf, false, NULL, err, sizeof err), 0);
    ts_constfile_free(cf);
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_store_ncontacts_foreach(f->st, f->a, name_cb, &b), 0);
    char want[256];
    snprintf(want, sizeof want, "keep@site-a.test:Renamed:FPR:%lld new@site-a.test:::%lld ",
             (long long)keep, (long long)gone + 1);
    assert_string_equal(b.data, want);
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_contact_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_and_file_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
