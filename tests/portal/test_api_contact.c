/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/contacts and /api/v1/outbox on both backends: a site manages its
 * own contacts (and its sub-sites'), never another site's (404, the same
 * bytes as for a missing contact); a reader certificate changes nothing
 * (403 on every write route: contacts and platforms); bad bodies are refused
 * with the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apitest.h"
#include "store/notifystore.h"
#include "testutil.h"
#include "ttstore.h"

static ts_store_t *st;
static char *dir;
static char loc[512];
static ts_principal_t a, b, phys, csirt, reader_a, reader_csirt;

static int setup(void **state)
{
    dir = tt_tmpdir();
    if (tt_store_fresh(dir, "ac.db", loc, sizeof loc) != 0 || ts_store_open(loc, &st) != 0)
        return -1;
    at_fixture(st); /* contacts 1 (uni-a) and 2 (uni-b) */
    a = at_site("uni-a", 2);
    phys = at_site("uni-a-physics", 3);
    b = at_site("uni-b", 4);
    csirt = at_csirt();
    reader_a = a;
    reader_a.reader = true;
    reader_csirt = csirt;
    reader_csirt.reader = true;
    return 0;
}

static int teardown(void **state)
{
    ts_store_close(st);
    tt_store_drop(loc);
    tt_rmtree(dir);
    free(dir);
    return 0;
}

static int call(const ts_principal_t *who, const char *method, const char *path, const char *query,
                const char *body, ts_http_resp_t *r)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.query = query;
    req.who = who;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = body ? "application/json" : NULL;
    ts_http_resp_init(r);
    ts_api_handle(st, &req, r);
    return r->status;
}

static int status(const ts_principal_t *who, const char *method, const char *path,
                  const char *query, const char *body)
{
    ts_http_resp_t r;
    int s = call(who, method, path, query, body, &r);
    ts_http_resp_free(&r);
    return s;
}

/* Bad bodies first: each refused with 400 and the field named. */
static void test_bad_bodies(void **state)
{
    static const struct {
        const char *body, *says;
    } bad[] = {
        {"", "body"},
        {"[]", "body"},
        {"{\"email\": \"x@uni-a.example\", \"email\": \"y@uni-a.example\"}", "body"},
        {"{\"mail\": \"x@uni-a.example\"}", "mail"},
        {"{\"email\": 7}", "email"},
        {"{\"name\": \"no address\"}", "email: required"},
        {"{\"email\": \"x@uni-a.example\\r\\nBcc: v@evil.test\"}", "email:"},
        {"{\"email\": \"x@uni-a.example\", \"name\": \"a\\nb\"}", "name:"},
        {"{\"email\": \"x@uni-a.example\", \"lang\": \"fr\"}", "lang:"},
        {"{\"email\": \"x@uni-a.example\", \"pgp_key\": \"not a key\"}", "pgp_key:"},
        {"{\"email\": \"x@uni-a.example\", \"hours\": \"always\"}", "hours:"},
        {"{\"email\": \"x@uni-a.example\", \"crypto\": \"x509\"}", "crypto: auto, pgp or smime"},
        {"{\"email\": \"x@uni-a.example\", \"smime_cert\": \"not a cert\"}",
         "smime_cert: not a PEM"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_http_resp_t r;
        int s = call(&a, "POST", "/api/v1/contacts", NULL, bad[i].body, &r);
        if (s != 400 || strstr(r.body.data, bad[i].says) == NULL)
            fail_msg("%s: %d %s", bad[i].body, s, r.body.data ? r.body.data : "");
        ts_http_resp_free(&r);
    }
    /* A CSIRT certificate names the site. */
    assert_int_equal(
        status(&csirt, "POST", "/api/v1/contacts", NULL, "{\"email\": \"x@uni-a.example\"}"), 400);
    /* The address exists (any case): 409. */
    assert_int_equal(
        status(&a, "POST", "/api/v1/contacts", NULL, "{\"email\": \"CERT@uni-a.example\"}"), 409);
    assert_int_equal(status(&a, "PATCH", "/api/v1/contacts", NULL, "{}"), 405);
    assert_int_equal(status(&a, "POST", "/api/v1/contacts/1", NULL, "{}"), 405);
    assert_int_equal(status(&a, "POST", "/api/v1/outbox", NULL, "{}"), 405);
    assert_int_equal(status(&a, "GET", "/api/v1/contacts/1/x", NULL, NULL), 404);
    assert_int_equal(status(&a, "GET", "/api/v1/contacts/01", NULL, NULL), 404);
    assert_int_equal(status(&a, "GET", "/api/v1/contacts", "site=uni-a&site=uni-a", NULL), 400);
    assert_int_equal(status(&a, "GET", "/api/v1/outbox", "state=lost", NULL), 400);
}

/* Tenancy: another site's contact is answered exactly like a missing one. */
static void test_isolation(void **state)
{
    ts_http_resp_t foreign, missing;
    const char *methods[] = {"GET", "PUT", "DELETE"};
    for (int i = 0; i < 3; i++) {
        const char *body = i == 1 ? "{\"name\": \"taken over\"}" : NULL;
        int s1 = call(&b, methods[i], "/api/v1/contacts/1", NULL, body, &foreign);
        int s2 = call(&b, methods[i], "/api/v1/contacts/999", NULL, body, &missing);
        assert_int_equal(s1, 404);
        assert_int_equal(s2, 404);
        assert_int_equal(foreign.body.len, missing.body.len);
        assert_memory_equal(foreign.body.data, missing.body.data, foreign.body.len);
        ts_http_resp_free(&foreign);
        ts_http_resp_free(&missing);
    }
    /* A sub-site does not see its parent's contacts; the parent sees its sub-site's. */
    assert_int_equal(status(&phys, "GET", "/api/v1/contacts/1", NULL, NULL), 404);
    assert_int_equal(status(&phys, "GET", "/api/v1/contacts", "site=uni-a", NULL), 404);
    assert_int_equal(status(&a, "POST", "/api/v1/contacts", "site=uni-a-physics",
                            "{\"email\": \"lab@uni-a.example\"}"),
                     201);
    assert_int_equal(
        status(&a, "POST", "/api/v1/contacts", "site=uni-b", "{\"email\": \"x@uni-b.example\"}"),
        404);
    /* Listings hold the caller's site only. */
    ts_http_resp_t r;
    assert_int_equal(call(&b, "GET", "/api/v1/contacts", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "abuse@uni-b.example"));
    assert_null(strstr(r.body.data, "uni-a"));
    ts_http_resp_free(&r);
    assert_int_equal(call(&a, "GET", "/api/v1/contacts", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "cert@uni-a.example"));
    assert_null(strstr(r.body.data, "lab@uni-a.example")); /* its sub-site's, on request */
    assert_null(strstr(r.body.data, "uni-b"));
    ts_http_resp_free(&r);
    assert_int_equal(call(&csirt, "GET", "/api/v1/contacts", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "abuse@uni-b.example"));
    assert_non_null(strstr(r.body.data, "lab@uni-a.example"));
    ts_http_resp_free(&r);
    /* The outbox of another site: 404 for a site it may not name. */
    assert_int_equal(status(&a, "GET", "/api/v1/outbox", "site=uni-b", NULL), 404);
    ts_out_rec_t o = {.site_id = 4,
                      .contact_id = 2,
                      .message_id = "<b@csirt.test>",
                      .rcpt = "abuse@uni-b.example",
                      .domain = "uni-b.example",
                      .subject = "for B",
                      .kind = "daily",
                      .data = "x\r\n",
                      .len = 3};
    int64_t id;
    assert_int_equal(ts_store_out_add(st, &o, &id), 0);
    assert_int_equal(call(&a, "GET", "/api/v1/outbox", NULL, NULL, &r), 200);
    assert_null(strstr(r.body.data, "for B"));
    ts_http_resp_free(&r);
    assert_int_equal(call(&b, "GET", "/api/v1/outbox", "state=queued", NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "\"subject\":\"for B\""));
    ts_http_resp_free(&r);
}

/* The life of a contact through the API. */
static void test_crud(void **state)
{
    ts_http_resp_t r;
    assert_int_equal(call(&a, "POST", "/api/v1/contacts", NULL,
                          "{\"email\": \"noc@uni-a.example\", \"roles\": \"technical\", "
                          "\"lang\": \"de\", \"immediate\": \"medium\"}",
                          &r),
                     201);
    assert_non_null(strstr(r.body.data, "\"roles\":[\"technical\"]"));
    assert_non_null(strstr(r.body.data, "\"immediate\":\"medium\""));
    assert_non_null(strstr(r.body.data, "\"crypto\":\"auto\""));
    assert_non_null(strstr(r.body.data, "\"smime\":false,\"smime_expires\":null"));
    char *idp = strstr(r.body.data, "\"id\":");
    long id = strtol(idp + 5, NULL, 10);
    ts_http_resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/contacts/%ld", id);
    assert_int_equal(call(&a, "PUT", path, NULL,
                          "{\"name\": \"NOC\", \"digest\": \"none\", \"crypto\": \"smime\"}", &r),
                     200);
    assert_non_null(strstr(r.body.data, "\"crypto\":\"smime\""));
    assert_non_null(strstr(r.body.data, "\"name\":\"NOC\""));
    assert_non_null(strstr(r.body.data, "\"lang\":\"de\"")); /* kept */
    assert_non_null(strstr(r.body.data, "\"digest\":\"none\""));
    ts_http_resp_free(&r);
    assert_int_equal(status(&a, "PUT", path, NULL, "{\"email\": \"cert@uni-a.example\"}"), 409);
    assert_int_equal(status(&a, "DELETE", path, NULL, NULL), 204);
    assert_int_equal(status(&a, "DELETE", path, NULL, NULL), 404);
    assert_int_equal(status(&a, "GET", path, NULL, NULL), 404);
    assert_int_equal(status(&a, "GET", path, "site=uni-a", NULL), 400); /* no parameters */
}

/* A reader certificate reads, and every write route refuses it with the
 * same clear 403: contacts, platforms; nothing changes. */
static void test_reader(void **state)
{
    static const struct {
        const char *method, *path, *query, *body;
    } writes[] = {
        {"POST", "/api/v1/contacts", NULL, "{\"email\": \"r@uni-a.example\"}"},
        {"PUT", "/api/v1/contacts/1", NULL, "{\"name\": \"changed\"}"},
        {"DELETE", "/api/v1/contacts/1", NULL, NULL},
        {"POST", "/api/v1/platforms", NULL, "{\"spec\": \"openbsd:openssh:9.3p1\"}"},
        {"DELETE", "/api/v1/platforms/1", NULL, NULL},
        {"POST", "/api/v1/contacts", "site=uni-a", "{\"email\": \"r@uni-a.example\"}"},
        {"POST", "/api/v1/nothing-here", NULL, "{}"},
    };
    const ts_principal_t *readers[] = {&reader_a, &reader_csirt};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
            ts_http_resp_t r;
            int s = call(readers[k], writes[i].method, writes[i].path, writes[i].query,
                         writes[i].body, &r);
            if (s != 403 || strstr(r.body.data, "role reader") == NULL ||
                strstr(r.body.data, "\"forbidden\"") == NULL)
                fail_msg("%s %s: %d %s", writes[i].method, writes[i].path, s,
                         r.body.data ? r.body.data : "");
            ts_http_resp_free(&r);
        }
    /* Reads work. */
    assert_int_equal(status(&reader_a, "GET", "/api/v1/contacts", NULL, NULL), 200);
    assert_int_equal(status(&reader_a, "GET", "/api/v1/contacts/1", NULL, NULL), 200);
    assert_int_equal(status(&reader_a, "GET", "/api/v1/platforms", NULL, NULL), 200);
    assert_int_equal(status(&reader_a, "HEAD", "/api/v1/outbox", NULL, NULL), 200);
    /* Nothing changed: contact 1 is still there with its name. */
    ts_http_resp_t r;
    assert_int_equal(call(&a, "GET", "/api/v1/contacts/1", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "\"name\":\"Uni A CERT\""));
    ts_http_resp_free(&r);
    int64_t id;
    assert_int_equal(ts_store_ncontact_find(st, 2, "r@uni-a.example", &id), TS_ENOENT);
    /* The admin certificate of the same site may. */
    assert_int_equal(status(&a, "PUT", "/api/v1/contacts/1", NULL, "{\"phone\": \"+49 1\"}"), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_crud),
        cmocka_unit_test(test_reader),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
