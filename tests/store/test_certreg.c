/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate registry: refusals first (malformed fingerprints and
 * serials, holders, site/csirt mix-ups, unknown sites, duplicates), then
 * lookup, revocation by serial and by fingerprint, listing in issue order, a
 * removed site's certificates staying on record, and the registry surviving
 * a reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/certreg.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

typedef struct fx {
    char *dir;
    char path[4200];
    ts_store_t *st;
    int64_t site_a, site_b;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (f->dir == NULL)
        return -1;
    if (tt_store_fresh(f->dir, "store.db", f->path, sizeof f->path) != 0 ||
        ts_store_open(f->path, &f->st) != 0)
        return -1;
    if (ts_store_site_add(f->st, "uni-a", 0, "", &f->site_a) != 0 ||
        ts_store_site_add(f->st, "uni-b", 0, "", &f->site_b) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->path);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A fingerprint made of one repeated hex digit, and a serial from a number. */
static void fp_of(char c, char out[TS_FINGERPRINT_HEX + 1])
{
    memset(out, c, TS_FINGERPRINT_HEX);
    out[TS_FINGERPRINT_HEX] = '\0';
}

static ts_cert_rec_t rec_for(const char *fp, const char *serial, int64_t site, const char *holder)
{
    ts_cert_rec_t r = {
        .fingerprint = fp,
        .serial = serial,
        .site_id = site,
        .csirt = site == 0,
        .holder = holder,
        .not_before = INT64_C(1700000000000000),
        .not_after = INT64_C(1800000000000000),
    };
    return r;
}

struct got {
    int calls;
    char fp[TS_FINGERPRINT_HEX + 1];
    char serial[TS_SERIAL_HEX_MAX + 1];
    char site[64];
    char holder[TS_HOLDER_MAX + 1];
    int64_t site_id;
    bool site_exists, csirt;
    int64_t not_before, not_after, issued, revoked;
    char order[8][TS_SERIAL_HEX_MAX + 1];
};

static int grab(const ts_cert_rec_t *r, void *ctx)
{
    struct got *g = ctx;
    if (g->calls < 8)
        snprintf(g->order[g->calls], sizeof g->order[0], "%s", r->serial);
    g->calls++;
    snprintf(g->fp, sizeof g->fp, "%s", r->fingerprint);
    snprintf(g->serial, sizeof g->serial, "%s", r->serial);
    snprintf(g->site, sizeof g->site, "%s", r->site_name);
    snprintf(g->holder, sizeof g->holder, "%s", r->holder);
    g->site_id = r->site_id;
    g->site_exists = r->site_exists;
    g->csirt = r->csirt;
    g->not_before = r->not_before;
    g->not_after = r->not_after;
    g->issued = r->issued;
    g->revoked = r->revoked;
    return 0;
}

static void test_refusals(void **state)
{
    fx_t *f = *state;
    char fp[TS_FINGERPRINT_HEX + 1];
    fp_of('a', fp);
    ts_cert_rec_t r;

    /* Fingerprints: uppercase, short, long, with colons, non-hex. */
    char bad[TS_FINGERPRINT_HEX + 8];
    static const char *const bad_fps[] = {
        "",
        "abc",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aa:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad_fps / sizeof bad_fps[0]; i++) {
        snprintf(bad, sizeof bad, "%s", bad_fps[i]);
        r = rec_for(bad, "01", f->site_a, "Alice");
        assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
        assert_false(ts_cert_fingerprint_valid(bad));
    }
    r = rec_for(NULL, "01", f->site_a, "Alice");
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    /* Serials: odd length, uppercase, empty, longer than 20 octets. */
    static const char *const bad_serials[] = {"", "1", "0A", "abc",
                                              "0102030405060708091011121314151617181920ab"};
    for (size_t i = 0; i < sizeof bad_serials / sizeof bad_serials[0]; i++) {
        r = rec_for(fp, bad_serials[i], f->site_a, "Alice");
        assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    }
    /* Holders: empty, too long, control characters, broken UTF-8. */
    char longh[TS_HOLDER_MAX + 2];
    memset(longh, 'x', sizeof longh - 1);
    longh[sizeof longh - 1] = '\0';
    static const char *const bad_holders[] = {"",
                                              "a\nb",
                                              "a\tb",
                                              "\xc3",
                                              "a\xed\xa0\x80",
                                              "\x7f",
                                              "a\xc2\x85",
                                              ("\xe2\x80\xae"
                                               "evil") /* split: \xae would swallow the e */};
    for (size_t i = 0; i < sizeof bad_holders / sizeof bad_holders[0]; i++) {
        r = rec_for(fp, "01", f->site_a, bad_holders[i]);
        assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    }
    r = rec_for(fp, "01", f->site_a, longh);
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    longh[TS_HOLDER_MAX] = '\0'; /* exactly the limit is fine */
    assert_true(ts_cert_holder_valid(longh));
    assert_true(ts_cert_holder_valid("J\xc3\xbcrgen M\xc3\xbcller"));
    /* A CSIRT certificate with a site, a site certificate without one. */
    r = rec_for(fp, "01", f->site_a, "Alice");
    r.csirt = true;
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    r = rec_for(fp, "01", 0, "Alice");
    r.csirt = false;
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    /* Validity the wrong way round. */
    r = rec_for(fp, "01", f->site_a, "Alice");
    r.not_after = r.not_before;
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EINVAL);
    /* An unknown site. */
    r = rec_for(fp, "01", f->site_b + 100, "Alice");
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_ENOENT);

    /* Nothing of the above was stored. */
    struct got g = {0};
    assert_int_equal(ts_store_certs_foreach(f->st, grab, &g), 0);
    assert_int_equal(g.calls, 0);

    /* Duplicates: same fingerprint, same serial. */
    r = rec_for(fp, "7f01", f->site_a, "Alice");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    char fp2[TS_FINGERPRINT_HEX + 1];
    fp_of('b', fp2);
    r = rec_for(fp, "7f02", f->site_b, "Bob");
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EEXIST);
    r = rec_for(fp2, "7f01", f->site_b, "Bob");
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EEXIST);

    /* Lookups and revocations of malformed or unknown keys. */
    assert_int_equal(ts_store_cert_lookup(f->st, "AA", grab, &g), TS_ENOENT);
    char upper[TS_FINGERPRINT_HEX + 1];
    fp_of('A', upper);
    assert_int_equal(ts_store_cert_lookup(f->st, upper, grab, &g), TS_ENOENT);
    assert_int_equal(ts_store_cert_lookup(f->st, fp2, grab, &g), TS_ENOENT);
    assert_int_equal(ts_store_cert_lookup(f->st, fp, NULL, &g), TS_EINVAL);
    assert_int_equal(g.calls, 0);
    assert_int_equal(ts_store_cert_revoke(f->st, "7f02", 5), TS_ENOENT);
    assert_int_equal(ts_store_cert_revoke(f->st, fp2, 5), TS_ENOENT);
    assert_int_equal(ts_store_cert_revoke(f->st, "' OR 1=1 --", 5), TS_ENOENT);
    assert_int_equal(ts_store_cert_revoke(f->st, "7f01", 0), TS_EINVAL);
    assert_int_equal(ts_store_cert_lookup(f->st, fp, grab, &g), 0);
    assert_int_equal(g.revoked, 0);
}

static void test_lookup_revoke_list(void **state)
{
    fx_t *f = *state;
    char fa[TS_FINGERPRINT_HEX + 1], fb[TS_FINGERPRINT_HEX + 1], fc[TS_FINGERPRINT_HEX + 1];
    fp_of('1', fa);
    fp_of('2', fb);
    fp_of('3', fc);
    ts_cert_rec_t r = rec_for(fb, "30", f->site_a, "Alice");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    r = rec_for(fa, "20", 0, "CSIRT duty");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    r = rec_for(fc, "10", f->site_b, "Bob");
    r.not_before = 42;
    r.not_after = 43;
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);

    struct got g = {0};
    assert_int_equal(ts_store_cert_lookup(f->st, fc, grab, &g), 0);
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.fp, fc);
    assert_string_equal(g.serial, "10");
    assert_string_equal(g.site, "uni-b");
    assert_string_equal(g.holder, "Bob");
    assert_int_equal(g.site_id, f->site_b);
    assert_true(g.site_exists);
    assert_false(g.csirt);
    assert_int_equal(g.not_before, 42);
    assert_int_equal(g.not_after, 43);
    assert_true(g.issued > 0);
    assert_int_equal(g.revoked, 0);

    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_cert_lookup(f->st, fa, grab, &g), 0);
    assert_true(g.csirt);
    assert_int_equal(g.site_id, 0);
    assert_string_equal(g.site, "");

    /* Issue order, not fingerprint or serial order. */
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_certs_foreach(f->st, grab, &g), 0);
    assert_int_equal(g.calls, 3);
    assert_string_equal(g.order[0], "30");
    assert_string_equal(g.order[1], "20");
    assert_string_equal(g.order[2], "10");

    /* By serial, then by fingerprint; a second revocation keeps the first time. */
    assert_int_equal(ts_store_cert_revoke(f->st, "30", 1000), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, "30", 2000), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, fc, 3000), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_cert_lookup(f->st, fb, grab, &g), 0);
    assert_int_equal(g.revoked, 1000);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_cert_lookup(f->st, fc, grab, &g), 0);
    assert_int_equal(g.revoked, 3000);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_cert_lookup(f->st, fa, grab, &g), 0);
    assert_int_equal(g.revoked, 0);

    /* A callback's value stops the iteration and comes back. */
    assert_int_equal(ts_store_certs_foreach(f->st, NULL, NULL), TS_EINVAL);
}

static int stop_cb(const ts_cert_rec_t *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 7;
}

static void test_callback_stop(void **state)
{
    fx_t *f = *state;
    char fa[TS_FINGERPRINT_HEX + 1], fb[TS_FINGERPRINT_HEX + 1];
    fp_of('c', fa);
    fp_of('d', fb);
    ts_cert_rec_t r = rec_for(fa, "01", f->site_a, "A");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    r = rec_for(fb, "02", f->site_a, "B");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    int n = 0;
    assert_int_equal(ts_store_certs_foreach(f->st, stop_cb, &n), 7);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(ts_store_cert_lookup(f->st, fb, stop_cb, &n), 7);
    assert_int_equal(n, 1);
    /* The statement was reset: it works again. */
    struct got g = {0};
    assert_int_equal(ts_store_certs_foreach(f->st, grab, &g), 0);
    assert_int_equal(g.calls, 2);
}

/* A removed site's certificates stay (for the record and the CRL) but say the
 * site is gone, so the portal refuses them; a new site of the same name is a
 * different site. */
static void test_removed_site(void **state)
{
    fx_t *f = *state;
    char fa[TS_FINGERPRINT_HEX + 1];
    fp_of('e', fa);
    ts_cert_rec_t r = rec_for(fa, "0e", f->site_b, "Bob");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, "0e", 99), 0);
    assert_int_equal(ts_store_site_remove(f->st, f->site_b), 0);
    int64_t again;
    assert_int_equal(ts_store_site_add(f->st, "uni-b", 0, "", &again), 0);
    assert_true(again != f->site_b);

    struct got g = {0};
    assert_int_equal(ts_store_cert_lookup(f->st, fa, grab, &g), 0);
    assert_false(g.site_exists);
    assert_string_equal(g.site, "");
    assert_int_equal(g.site_id, f->site_b);
    assert_int_equal(g.revoked, 99);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_certs_foreach(f->st, grab, &g), 0);
    assert_int_equal(g.calls, 1);
    /* No new certificate for the removed site id. */
    char fb[TS_FINGERPRINT_HEX + 1];
    fp_of('f', fb);
    r = rec_for(fb, "0f", f->site_b, "Bob");
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_ENOENT);
}

/* Inside a caller's transaction the add is part of it: a rollback removes it. */
static void test_transaction_and_reopen(void **state)
{
    fx_t *f = *state;
    char fa[TS_FINGERPRINT_HEX + 1], fb[TS_FINGERPRINT_HEX + 1];
    fp_of('9', fa);
    fp_of('8', fb);
    assert_int_equal(ts_store_begin(f->st), 0);
    ts_cert_rec_t r = rec_for(fa, "09", f->site_a, "A");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    /* A failing add inside the transaction leaves the earlier one alone. */
    assert_int_equal(ts_store_cert_add(f->st, &r), TS_EEXIST);
    ts_store_rollback(f->st);
    struct got g = {0};
    assert_int_equal(ts_store_cert_lookup(f->st, fa, grab, &g), TS_ENOENT);

    r = rec_for(fb, "08", f->site_a, "B");
    assert_int_equal(ts_store_cert_add(f->st, &r), 0);
    assert_int_equal(ts_store_cert_revoke(f->st, fb, 77), 0);
    ts_store_close(f->st);
    f->st = NULL;
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    assert_int_equal(ts_store_cert_lookup(f->st, fb, grab, &g), 0);
    assert_int_equal(g.revoked, 77);
    assert_string_equal(g.site, "uni-a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_revoke_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_site, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_and_reopen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
