/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory and platform endpoints through ts_api_handle(), as the server
 * calls them: refusals first (no certificate, bad parameters, methods, bad
 * bodies, foreign and unknown ids answering the same 404), then platforms
 * POST/GET/DELETE, the list with its cursor, the detail with reasons and
 * remediations, and the Atom feed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/import.h"
#include "portal/api.h"
#include "testutil.h"
#include "ttstore.h"

static const char doc_fmt[] =
    "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
    "\"publisher\":{\"category\":\"vendor\",\"name\":\"ACME\",\"namespace\":\"https://"
    "acme.example\"},"
    "\"title\":\"Widget <flaw> %d\",\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
    "\"tracking\":{\"id\":\"ACME:%d\",\"status\":\"final\",\"version\":\"1\","
    "\"initial_release_date\":\"2024-01-0%dT00:00:00Z\",\"current_release_date\":\"2024-01-0%dT00:"
    "00:00Z\","
    "\"revision_history\":[{\"date\":\"2024-01-01T00:00:00Z\",\"number\":\"1\",\"summary\":\"x\"}]}"
    "},"
    "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"ACME\",\"branches\":["
    "{\"category\":\"product_name\",\"name\":\"Widget\",\"branches\":["
    "{\"category\":\"product_version_range\",\"name\":\"<=2.0\","
    "\"product\":{\"name\":\"ACME Widget <=2.0\",\"product_id\":\"CSAFPID-0001\"}}]}]}]},"
    "\"vulnerabilities\":[{\"cve\":\"CVE-2024-%04d\",\"product_status\":{\"known_affected\":"
    "[\"CSAFPID-0001\"]},\"remediations\":[{\"category\":\"vendor_fix\",\"details\":\"Update\","
    "\"product_ids\":[\"CSAFPID-0001\"]}],\"notes\":[{\"category\":\"summary\",\"text\":\"y\"}]}]}";

struct fx {
    char *dir;
    char db[4200];
    ts_store_t *st;
    int64_t a, b;
    ts_principal_t pa, pb, csirt;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "t.db", f->db, sizeof f->db) != 0 ||
        ts_store_open(f->db, &f->st) != 0 || ts_store_site_add(f->st, "uni-a", 0, "", &f->a) ||
        ts_store_site_add(f->st, "uni-b", 0, "", &f->b))
        return -1;
    f->pa.site_id = f->a;
    strcpy(f->pa.site, "uni-a");
    f->pb.site_id = f->b;
    strcpy(f->pb.site, "uni-b");
    f->csirt.csirt = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->db);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Runs one request; returns the status, body copied into out. */
static int call(struct fx *f, const ts_principal_t *who, const char *method, const char *path,
                const char *query, const char *body, char *out, size_t size)
{
    ts_http_req_t req = {
        .method = method,
        .path = path,
        .query = query,
        .content_type = body ? "application/json" : NULL,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .who = who,
    };
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    ts_api_handle(f->st, &req, &resp);
    int status = resp.status;
    if (out)
        snprintf(out, size, "%s", resp.body.data ? resp.body.data : "");
    ts_http_resp_free(&resp);
    return status;
}

static void import(struct fx *f, int n)
{
    char doc[8192];
    int len = snprintf(doc, sizeof doc, doc_fmt, n, n, n, n, n);
    ts_adv_import_stats_t s = {0};
    assert_int_equal(ts_adv_import_buffer(f->st, doc, (size_t)len, "doc", &s, NULL, NULL), 0);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    char body[8192], other[8192];
    assert_int_equal(call(f, NULL, "GET", "/api/v1/advisories", NULL, NULL, body, sizeof body),
                     401);
    assert_int_equal(call(f, NULL, "GET", "/api/v1/platforms", NULL, NULL, body, sizeof body), 401);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "limit=0", NULL, body, sizeof body), 400);
    assert_non_null(strstr(body, "limit"));
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "bogus=1", NULL, body, sizeof body), 400);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "cursor=zzz", NULL, body, sizeof body), 400);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "status=bad", NULL, body, sizeof body), 400);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "format=xml", NULL, body, sizeof body), 400);
    assert_int_equal(call(f, &f->pa, "POST", "/api/v1/advisories", NULL, "{}", body, sizeof body),
                     405);
    assert_int_equal(call(f, &f->pa, "PUT", "/api/v1/platforms", NULL, "{}", body, sizeof body),
                     405);
    /* Bad bodies. */
    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"spec\":1}",
        "{\"spec\":\"a:b\",\"x\":1}",
        "{\"spec\":\"nocolon\"}",
        "{\"spec\":\"a:b:<1\"}",
        "{\"spec\":\"a:b\"} trailing",
        "{\"spec\":\"acme:*;model=M-1\"}", /* identifiers on a vendor family */
        "{\"spec\":\"acme:b:1;model=\"}",  /* an empty identifier */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (call(f, &f->pa, "POST", "/api/v1/platforms", NULL, bad[i], body, sizeof body) != 400)
            fail_msg("body %s accepted: %s", bad[i], body);
    /* A CSIRT must name the site of a new platform. */
    assert_int_equal(call(f, &f->csirt, "POST", "/api/v1/platforms", NULL, "{\"spec\":\"a:b\"}",
                          body, sizeof body),
                     400);
    /* Another site's name, an unknown site, an unknown advisory, a foreign one:
     * the same 404. */
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "site=uni-b", NULL, body, sizeof body), 404);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "site=nosuch", NULL, other, sizeof other),
        404);
    assert_string_equal(body, other);
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories/NOPE-1", NULL, NULL, other, sizeof other), 404);
    assert_string_equal(body, other);
    assert_int_equal(
        call(f, &f->pa, "DELETE", "/api/v1/platforms/999", NULL, NULL, other, sizeof other), 404);
    assert_string_equal(body, other);
    assert_int_equal(
        call(f, &f->pa, "DELETE", "/api/v1/platforms/abc", NULL, NULL, other, sizeof other), 404);
}

static void test_flow(void **state)
{
    struct fx *f = *state;
    char body[16384], other[16384];
    /* uni-a runs an affected widget, uni-b a fixed one. */
    assert_int_equal(call(f, &f->pa, "POST", "/api/v1/platforms", NULL,
                          "{\"spec\":\"ACME:Widget:1.5\"}", body, sizeof body),
                     201);
    assert_non_null(strstr(body, "\"spec\":\"acme:widget:1.5\""));
    assert_non_null(strstr(body, "\"kind\":\"name\""));
    /* a device with its model number: the canonical spec keeps it */
    assert_int_equal(call(f, &f->pa, "POST", "/api/v1/platforms", NULL,
                          "{\"spec\":\"ACME:Gadget:2.0;model= M-1 \"}", body, sizeof body),
                     201);
    assert_non_null(strstr(body, "\"spec\":\"acme:gadget:2.0;model=M-1\""));
    assert_int_equal(call(f, &f->pb, "POST", "/api/v1/platforms", NULL,
                          "{\"spec\":\"acme:widget:3.0\"}", body, sizeof body),
                     201);
    /* A duplicate is refused. */
    assert_int_equal(call(f, &f->pa, "POST", "/api/v1/platforms", NULL,
                          "{\"spec\":\"acme:widget:1.5\"}", body, sizeof body),
                     400);
    for (int i = 1; i <= 3; i++)
        import(f, i);

    assert_int_equal(call(f, &f->pa, "GET", "/api/v1/platforms", NULL, NULL, body, sizeof body),
                     200);
    assert_non_null(strstr(body, "acme:widget:1.5"));
    assert_null(strstr(body, "acme:widget:3.0")); /* uni-b's */

    /* The list pages with a cursor, newest first. */
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "limit=2", NULL, body, sizeof body), 200);
    assert_non_null(strstr(body, "\"id\":\"ACME:3\""));
    assert_non_null(strstr(body, "\"id\":\"ACME:2\""));
    assert_null(strstr(body, "\"id\":\"ACME:1\""));
    assert_non_null(strstr(body, "\"status\":\"known_affected\""));
    assert_non_null(strstr(body, "\"verdict\":\"known_affected\""));
    assert_non_null(strstr(body, "\"platform\":\"acme:widget:1.5\""));
    const char *c = strstr(body, "\"next_cursor\":\"");
    assert_non_null(c);
    char cursor[64], q[128];
    assert_int_equal(sscanf(c + 15, "%63[^\"]", cursor), 1);
    snprintf(q, sizeof q, "limit=2&cursor=%s", cursor);
    assert_int_equal(call(f, &f->pa, "GET", "/api/v1/advisories", q, NULL, body, sizeof body), 200);
    assert_non_null(strstr(body, "\"id\":\"ACME:1\""));
    assert_non_null(strstr(body, "\"next_cursor\":null"));
    /* uni-b's widget is not affected: nothing alerts. */
    assert_int_equal(call(f, &f->pb, "GET", "/api/v1/advisories", NULL, NULL, body, sizeof body),
                     200);
    assert_non_null(strstr(body, "\"advisories\":[]"));
    /* NDJSON and CSV. */
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories", "format=csv", NULL, body, sizeof body), 200);
    assert_non_null(strstr(body, "id,severity,cvss,site,platform"));

    /* The detail: reason and remediations; the id is percent-decoded. */
    assert_int_equal(
        call(f, &f->pa, "GET", "/api/v1/advisories/ACME%3A2", NULL, NULL, body, sizeof body), 200);
    assert_non_null(strstr(body, "\"rule\":\"name acme/widget, vers:generic/<=2.0 contains 1.5\""));
    assert_non_null(strstr(body, "\"category\":\"vendor_fix\""));
    /* uni-b has no match of it: the same 404 as an unknown id. */
    assert_int_equal(
        call(f, &f->pb, "GET", "/api/v1/advisories/ACME%3A2", NULL, NULL, body, sizeof body), 404);
    assert_int_equal(
        call(f, &f->pb, "GET", "/api/v1/advisories/ACME%3A99", NULL, NULL, other, sizeof other),
        404);
    assert_string_equal(body, other);
    /* The CSIRT sees every site's matches, with the site. */
    assert_int_equal(
        call(f, &f->csirt, "GET", "/api/v1/advisories/ACME%3A2", NULL, NULL, body, sizeof body),
        200);
    assert_non_null(strstr(body, "\"site\":\"uni-a\""));

    /* The feed: Atom, escaped. */
    ts_http_req_t req = {.method = "GET", .path = "/api/v1/advisories/feed.atom", .who = &f->pa};
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    ts_api_handle(f->st, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_non_null(resp.content_type);
    assert_non_null(strstr(resp.content_type, "application/atom+xml"));
    assert_non_null(strstr(resp.body.data, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert_non_null(strstr(resp.body.data, "Widget &lt;flaw&gt; 2"));
    assert_null(strstr(resp.body.data, "<flaw>"));
    ts_http_resp_free(&resp);

    /* DELETE: another site's platform is not found; one's own goes, with its matches. */
    assert_int_equal(
        call(f, &f->pb, "DELETE", "/api/v1/platforms/1", NULL, NULL, body, sizeof body), 404);
    assert_int_equal(
        call(f, &f->pa, "DELETE", "/api/v1/platforms/1", NULL, NULL, body, sizeof body), 204);
    assert_int_equal(call(f, &f->pa, "GET", "/api/v1/advisories", NULL, NULL, body, sizeof body),
                     200);
    assert_non_null(strstr(body, "\"advisories\":[]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
