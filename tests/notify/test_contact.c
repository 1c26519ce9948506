/* SPDX-License-Identifier: Apache-2.0 */
/* Site contacts as people give them: every field checked (bad input first),
 * import files parsed and applied all or nothing, on both store backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "core/jsonw.h"
#include "gpgtest.h"
#include "notify/contact.h"
#include "ttstore.h"

static gt_home_t soc;
static char *soc_key;

typedef struct fx {
    char *dir;
    char loc[512];
    ts_store_t *st;
    int64_t a, b;
} fx_t;

static int setup_all(void **state)
{
    if (gt_home_new(&soc, "SOC <soc@site-a.test>", "default", "never") != 0)
        return -1;
    soc_key = gt_export(&soc);
    return soc_key ? 0 : -1;
}

static int teardown_all(void **state)
{
    gt_home_free(&soc);
    free(soc_key);
    return 0;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "c.db", f->loc, sizeof f->loc) != 0 ||
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

/* Each bad field alone is refused with a message naming it. */
static void test_fields_refused(void **state)
{
    static const struct {
        size_t field;
        const char *value, *says;
    } bad[] = {
        {0, "not an address", "email:"},
        {0, "a@b.example\r\nBcc: x@evil.test", "email:"},
        {1, "Name\r\nBcc: x@evil.test", "name:"},
        {1, "bidi\xe2\x80\xa8", "name:"},
        {2, "abuse,boss", "roles:"},
        {2, ",", "roles:"},
        {3, "+49 (0)30 <script>", "phone:"},
        {4, "fr", "lang:"},
        {5, "Mars/Olympus", "tz:"},
        {5, "../../etc/passwd", "tz:"},
        {6, "Mon-Fri 17:00-08:00", "hours:"},
        {7, "urgent", "immediate:"},
        {8, "weekly", "digest:"},
        {9, "scanner,not-a-type", "immediate_types:"},
        {10, "bogus", "never_types:"},
        {11, "yes", "iodef:"},
        {12, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
         "pgp_key:"},
        {12, "just text", "pgp_key:"},
        {13, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "smime_cert:"},
        {14, "x509", "crypto: auto, pgp or smime"},
        {14, "SMIME", "crypto:"},
    };
    ts_arena_t *a = ts_arena_new(4096);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_contact_in_t in;
        memset(&in, 0, sizeof in);
        *ts_contact_in_field(&in, bad[i].field) = bad[i].value;
        ts_contact_rec_t rec;
        ts_contact_defaults(&rec);
        char err[256] = "";
        if (ts_contact_apply(&in, &rec, a, ts_time_now(), err, sizeof err) != TS_EINVAL)
            fail_msg("accepted %s = %s", ts_contact_field_names[bad[i].field], bad[i].value);
        if (strncmp(err, bad[i].says, strlen(bad[i].says)) != 0)
            fail_msg("'%s' does not start with %s", err, bad[i].says);
    }
    ts_arena_free(a);
}

static void test_fields(void **state)
{
    ts_arena_t *a = ts_arena_new(4096);
    ts_contact_in_t in = {
        .email = "soc@site-a.test",
        .name = "J\xc3\xbcrgen's SOC",
        .roles = "technical, abuse",
        .phone = "+49 (0)30 123-45",
        .lang = "de",
        .tz = "Europe/Berlin",
        .hours = "Mon-Fri 08:00-17:00",
        .immediate = "high",
        .digest = "hourly",
        .immediate_types = "SCANNER,c&c",
        .never_types = "spam",
        .iodef = "true",
        .pgp_key = soc_key,
    };
    ts_contact_rec_t rec;
    ts_contact_defaults(&rec);
    char err[256] = "";
    assert_int_equal(ts_contact_apply(&in, &rec, a, ts_time_now(), err, sizeof err), 0);
    assert_int_equal(rec.roles, TS_ROLE_ABUSE | TS_ROLE_TECHNICAL);
    assert_int_equal(rec.immediate, 3);
    assert_int_equal(rec.digest, TS_DIGEST_HOURLY);
    assert_string_equal(rec.immediate_types, "scanner,c2-server");
    assert_string_equal(rec.never_types, "spam");
    assert_true(rec.iodef);
    assert_string_equal(rec.pgp_fpr, soc.fpr);
    char roles[64];
    assert_string_equal(ts_roles_text(rec.roles, roles, sizeof roles), "abuse,technical");
    /* "" removes a key. */
    ts_contact_in_t rm = {.pgp_key = ""};
    assert_int_equal(ts_contact_apply(&rm, &rec, a, ts_time_now(), err, sizeof err), 0);
    assert_string_equal(rec.pgp_fpr, "");
    assert_string_equal(ts_contact_key_state(&rec, ts_time_now()), "none");
    ts_arena_free(a);
}

/* The store side: one address per site whatever its case, another site's
 * contact is unknown, a change keeps what is not given. */
static void test_put(void **state)
{
    fx_t *f = *state;
    char err[256] = "";
    int64_t id = 0, id2 = 0;
    ts_contact_in_t in = {.email = "soc@site-a.test", .lang = "de", .pgp_key = soc_key};
    assert_int_equal(ts_contact_put(f->st, f->a, 0, &(ts_contact_in_t){.name = "x"}, ts_time_now(),
                                    &id, err, sizeof err),
                     TS_EINVAL); /* no email */
    assert_int_equal(ts_contact_put(f->st, 9999, 0, &in, ts_time_now(), &id, err, sizeof err),
                     TS_ENOENT);
    assert_int_equal(ts_contact_put(f->st, f->a, 0, &in, ts_time_now(), &id, err, sizeof err), 0);
    ts_contact_in_t upper = {.email = "SOC@Site-A.test"};
    assert_int_equal(ts_contact_put(f->st, f->a, 0, &upper, ts_time_now(), &id2, err, sizeof err),
                     TS_EEXIST);
    /* The same address at another site is another contact. */
    assert_int_equal(ts_contact_put(f->st, f->b, 0, &upper, ts_time_now(), &id2, err, sizeof err),
                     0);
    /* Site b cannot change site a's contact, not even know it exists. */
    ts_contact_in_t nm = {.name = "Hijacked"};
    assert_int_equal(ts_contact_put(f->st, f->b, id, &nm, ts_time_now(), NULL, err, sizeof err),
                     TS_ENOENT);
    assert_int_equal(ts_store_ncontact_remove(f->st, f->b, id), TS_ENOENT);
    nm.name = "SOC desk";
    assert_int_equal(ts_contact_put(f->st, f->a, id, &nm, ts_time_now(), NULL, err, sizeof err), 0);
    int64_t seen = 0;
    assert_int_equal(ts_store_ncontact_find(f->st, f->a, "Soc@site-a.TEST", &seen), 0);
    assert_true(seen == id);
}

static int json_of(const ts_contact_rec_t *c, void *ctx)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, ctx);
    ts_contact_json(&w, c, ts_time_now());
    return 0;
}

static void test_json(void **state)
{
    fx_t *f = *state;
    char err[256] = "";
    int64_t id = 0;
    ts_contact_in_t in = {.email = "soc@site-a.test",
                          .name = "SOC",
                          .roles = "abuse,security",
                          .never_types = "spam,phishing",
                          .pgp_key = soc_key};
    assert_int_equal(ts_contact_put(f->st, f->a, 0, &in, ts_time_now(), &id, err, sizeof err), 0);
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_store_ncontact_get(f->st, f->a, id, json_of, &b), 0);
    assert_non_null(strstr(b.data, "\"roles\":[\"abuse\",\"security\"]"));
    assert_non_null(strstr(b.data, "\"never_types\":[\"spam\",\"phishing\"]"));
    assert_non_null(strstr(b.data, soc.fpr));
    assert_non_null(strstr(b.data, "\"key\":\"ok\""));
    assert_null(strstr(b.data, "BEGIN PGP"));
    ts_buf_free(&b);
}

static int import(const char *text, ts_contact_import_t **imp, char *err, size_t errsize)
{
    return ts_contact_import_parse(text, strlen(text), imp, err, errsize);
}

static void test_import_refused(void **state)
{
    ts_contact_import_t *imp = NULL;
    char err[256] = "";
    assert_int_equal(import("", &imp, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(import("site,email,colour\nsite-a,a@site-a.test,red\n", &imp, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "colour"));
    assert_int_equal(import("site,email,email\n", &imp, err, sizeof err), TS_EINVAL);
    assert_int_equal(import("site,email\nsite-a,a@site-a.test,extra\n", &imp, err, sizeof err),
                     TS_ESYNTAX);
    assert_int_equal(import("site,email\nsite-a\n", &imp, err, sizeof err), TS_ESYNTAX);
    assert_non_null(strstr(err, "line 2"));
    assert_int_equal(import("site,email\nsite-a,\"a@x.test\n", &imp, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(import("site,email\nsite-a,a\"b@x.test\n", &imp, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(import("site,name\nsite-a,x\n", &imp, err, sizeof err), TS_EINVAL);
    assert_int_equal(import("site,email\nsite-a,a@x.test\n\xff\n", &imp, err, sizeof err),
                     TS_EUTF8);
    assert_int_equal(import("{\"contacts\": [{\"site\": \"a\"}]}", &imp, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(
        import("{\"contacts\": [{\"site\": \"a\", \"email\": 3}]}", &imp, err, sizeof err),
        TS_ETYPE);
    assert_int_equal(import("{\"contacts\": [], \"x\": 1}", &imp, err, sizeof err), TS_EINVAL);
    assert_int_equal(
        import("{\"contacts\": [{\"site\": \"a\", \"site\": \"b\"}]}", &imp, err, sizeof err),
        TS_ESYNTAX);
    assert_int_equal(import("{\"contacts\": [{\"site\": \"a\", \"email\": \"x@y.test\", "
                            "\"phone\": \"1\", \"fax\": \"2\"}]}",
                            &imp, err, sizeof err),
                     TS_EINVAL);
    assert_null(imp);
}

static void test_import(void **state)
{
    fx_t *f = *state;
    ts_contact_import_t *imp = NULL;
    char err[512] = "";
    /* CSV with quoting (a comma and a line end inside fields, CRLF lines). */
    const char *csv = "site,email,name,roles,lang,crypto\r\n"
                      "site-a,soc@site-a.test,\"SOC, 24/7\",\"abuse,technical\",de,smime\r\n"
                      "\r\n"
                      "site-b,abuse@site-b.test,,,,\r\n";
    assert_int_equal(import(csv, &imp, err, sizeof err), 0);
    assert_int_equal(ts_contact_import_count(imp), 2);
    const ts_contact_row_t *r = ts_contact_import_row(imp, 0);
    assert_string_equal(r->in.name, "SOC, 24/7");
    assert_null(ts_contact_import_row(imp, 1)->in.name); /* empty: not given */
    ts_contact_import_stats_t stats;
    assert_int_equal(ts_contact_import_apply(f->st, imp, ts_time_now(), &stats, err, sizeof err),
                     0);
    assert_int_equal(stats.added, 2);
    ts_contact_import_free(imp);
    assert_int_equal(
        import("site,email,crypto\nsite-a,soc@site-a.test,x509\n", &imp, err, sizeof err), 0);
    assert_int_equal(ts_contact_import_apply(f->st, imp, ts_time_now(), &stats, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "line 2: crypto: auto, pgp or smime"));
    ts_contact_import_free(imp);
    /* JSON: one row changes a contact, one adds; the last row is bad, so
     * nothing of the file is written. */
    const char *json = "{\"contacts\": ["
                       "{\"site\": \"site-a\", \"email\": \"SOC@site-a.test\", \"lang\": \"en\"},"
                       "{\"site\": \"site-a\", \"email\": \"noc@site-a.test\"},"
                       "{\"site\": \"site-b\", \"email\": \"x@site-b.test\", \"tz\": \"Nowhere\"}"
                       "]}";
    assert_int_equal(import(json, &imp, err, sizeof err), 0);
    assert_int_equal(ts_contact_import_apply(f->st, imp, ts_time_now(), &stats, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "line 3: tz:"));
    int64_t id;
    assert_int_equal(ts_store_ncontact_find(f->st, f->a, "noc@site-a.test", &id), TS_ENOENT);
    ts_contact_import_free(imp);
    json = "{\"contacts\": ["
           "{\"site\": \"site-a\", \"email\": \"SOC@site-a.test\", \"lang\": \"en\"},"
           "{\"site\": \"site-a\", \"email\": \"noc@site-a.test\"}]}";
    assert_int_equal(import(json, &imp, err, sizeof err), 0);
    assert_int_equal(ts_contact_import_apply(f->st, imp, ts_time_now(), &stats, err, sizeof err),
                     0);
    assert_int_equal(stats.added, 1);
    assert_int_equal(stats.changed, 1);
    ts_contact_import_free(imp);
    /* An unknown site stops the file. */
    assert_int_equal(import("site,email\nnowhere,a@x.test\n", &imp, err, sizeof err), 0);
    assert_int_equal(ts_contact_import_apply(f->st, imp, ts_time_now(), &stats, err, sizeof err),
                     TS_ENOENT);
    assert_non_null(strstr(err, "no such site"));
    ts_contact_import_free(imp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_refused),
        cmocka_unit_test(test_fields),
        cmocka_unit_test_setup_teardown(test_put, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test(test_import_refused),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
