/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/scans: requests in and out of scope, limits, and tenant isolation
 * (another site's scan answers exactly like a missing one). On both backends
 * (ttstore.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apitest.h"
#include "store/scanstore.h"
#include "testutil.h"
#include "ttstore.h"

static ts_store_t *st;
static char *dir;
static char loc[1024];

static int setup(void **state)
{
    (void)state;
    dir = tt_tmpdir();
    if (tt_store_fresh(dir, "scan.db", loc, sizeof loc) != 0 || ts_store_open(loc, &st) != 0)
        return -1;
    at_fixture(st);
    unsetenv("TOCSIN_SCAN_CONFIG");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_store_close(st);
    tt_store_drop(loc);
    tt_rmtree(dir);
    free(dir);
    return 0;
}

static int post(const ts_principal_t *who, const char *path, const char *query, const char *body,
                ts_http_resp_t *r)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = path;
    req.query = query;
    req.who = who;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = "application/json";
    ts_http_resp_init(r);
    ts_api_handle(st, &req, r);
    return r->status;
}

static void expect(int got, int want, ts_http_resp_t *r)
{
    if (got != want)
        fail_msg("status %d, want %d: %s", got, want, r->body.data ? r->body.data : "");
}

static void test_bad_requests(void **state)
{
    (void)state;
    ts_principal_t a = at_site("uni-a", 2);
    ts_http_resp_t r;
    static const char *const bad[] = {
        NULL,
        "",
        "[]",
        "{}",
        "{\"targets\": []}",
        "{\"targets\": \"192.0.2.1\"}",
        "{\"targets\": [1]}",
        "{\"targets\": [\"192.0.2.1\"], \"ports\": 22}",
        "{\"targets\": [\"192.0.2.1\"], \"every\": \"5m\"}",
        "{\"targets\": [\"192.0.2.1\"], \"extra\": 1}",
        "{\"targets\": [\"192.0.2.1\"]} trailing",
        "{\"targets\": [\"192.0.2.1/24\"]}",
        "{\"targets\": [\"192.0.2.1\"], \"ports\": \"22,,80\"}",
        "{\"targets\": [\"192.0.2.1\"], \"udp\": \"yes\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect(post(&a, "/api/v1/scans", NULL, bad[i], &r), 400, &r);
        ts_http_resp_free(&r);
    }
    expect(post(NULL, "/api/v1/scans", NULL, "{\"targets\": [\"192.0.2.1\"]}", &r), 401, &r);
    ts_http_resp_free(&r);
    expect(at_call(st, &a, "DELETE", "/api/v1/scans", NULL, NULL, &r), 405, &r);
    ts_http_resp_free(&r);
    expect(at_call(st, &a, "GET", "/api/v1/scans/1/cancel", NULL, NULL, &r), 405, &r);
    ts_http_resp_free(&r);
    expect(at_call(st, &a, "GET", "/api/v1/scans/abc", NULL, NULL, &r), 404, &r);
    ts_http_resp_free(&r);
    /* Nothing was stored for malformed requests. */
    expect(at_call(st, &a, "GET", "/api/v1/scans", NULL, NULL, &r), 200, &r);
    assert_string_equal(r.body.data, "{\"scans\":[]}");
    ts_http_resp_free(&r);
}

static void test_scope_and_isolation(void **state)
{
    (void)state;
    ts_principal_t a = at_site("uni-a", 2), b = at_site("uni-b", 4), csirt = at_csirt();
    ts_http_resp_t r;
    /* uni-a asks for uni-b's addresses: refused, recorded, not leaked. */
    expect(post(&a, "/api/v1/scans", NULL, "{\"targets\": [\"192.0.2.200\"]}", &r), 403, &r);
    assert_non_null(strstr(r.body.data, "outside the site's address space"));
    assert_null(strstr(r.body.data, "uni-b"));
    ts_http_resp_free(&r);
    /* Its own and its child's: queued. */
    expect(post(&a, "/api/v1/scans", NULL,
                "{\"targets\": [\"192.0.2.16/28\", \"192.0.2.1\"], \"ports\": \"22,443\", "
                "\"udp\": true, \"every\": \"7d\"}",
                &r),
           201, &r);
    assert_non_null(strstr(r.body.data, "\"id\":2,"));
    assert_non_null(strstr(r.body.data, "\"state\":\"queued\""));
    assert_non_null(strstr(r.body.data, "\"every_s\":604800"));
    assert_non_null(strstr(r.body.data, "\"addresses\":17"));
    ts_http_resp_free(&r);
    /* One at a time (the default limit). */
    expect(post(&a, "/api/v1/scans", NULL, "{\"targets\": [\"192.0.2.2\"]}", &r), 429, &r);
    ts_http_resp_free(&r);
    /* uni-b: uni-a's scan is exactly like a missing one, for reading and cancelling. */
    ts_http_resp_t missing, foreign;
    expect(at_call(st, &b, "GET", "/api/v1/scans/999", NULL, NULL, &missing), 404, &missing);
    expect(at_call(st, &b, "GET", "/api/v1/scans/2", NULL, NULL, &foreign), 404, &foreign);
    assert_string_equal(missing.body.data, foreign.body.data);
    ts_http_resp_free(&missing);
    ts_http_resp_free(&foreign);
    expect(post(&b, "/api/v1/scans/999/cancel", NULL, NULL, &missing), 404, &missing);
    expect(post(&b, "/api/v1/scans/2/cancel", NULL, NULL, &foreign), 404, &foreign);
    assert_string_equal(missing.body.data, foreign.body.data);
    ts_http_resp_free(&missing);
    ts_http_resp_free(&foreign);
    expect(at_call(st, &b, "GET", "/api/v1/scans", NULL, NULL, &r), 200, &r);
    assert_string_equal(r.body.data, "{\"scans\":[]}");
    ts_http_resp_free(&r);
    expect(at_call(st, &b, "GET", "/api/v1/scans", "site=uni-a", NULL, &r), 404, &r);
    ts_http_resp_free(&r);
    /* The child sees none of its parent's scans. */
    ts_principal_t phys = at_site("uni-a-physics", 3);
    expect(at_call(st, &phys, "GET", "/api/v1/scans/2", NULL, NULL, &r), 404, &r);
    ts_http_resp_free(&r);
    /* uni-a sees both (the refusal is its audit trail); the CSIRT too. */
    expect(at_call(st, &a, "GET", "/api/v1/scans", NULL, NULL, &r), 200, &r);
    assert_non_null(strstr(r.body.data, "\"state\":\"refused\""));
    assert_non_null(strstr(r.body.data, "\"state\":\"queued\""));
    ts_http_resp_free(&r);
    expect(at_call(st, &csirt, "GET", "/api/v1/scans/2", NULL, NULL, &r), 200, &r);
    assert_non_null(strstr(r.body.data, "\"hosts\":[]"));
    ts_http_resp_free(&r);
    /* The CSIRT may ask for any constituency address, but not outside it. */
    expect(post(&csirt, "/api/v1/scans", NULL, "{\"targets\": [\"198.51.100.7\"]}", &r), 201, &r);
    assert_non_null(strstr(r.body.data, "\"site\":null"));
    ts_http_resp_free(&r);
    expect(post(&csirt, "/api/v1/scans", NULL, "{\"targets\": [\"203.0.113.7\"]}", &r), 403, &r);
    ts_http_resp_free(&r);
    /* Cancelling: at once for a queued scan; an ended one is a conflict. */
    expect(post(&a, "/api/v1/scans/2/cancel", NULL, NULL, &r), 200, &r);
    assert_non_null(strstr(r.body.data, "\"state\":\"cancelled\""));
    ts_http_resp_free(&r);
    expect(post(&a, "/api/v1/scans/2/cancel", NULL, NULL, &r), 409, &r);
    ts_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_scope_and_isolation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
