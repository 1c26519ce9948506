/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory in the portal: what a site, the CSIRT and anyone
 * without a certificate see of it (a candidate or suspended team never
 * reaches a site or the public; emergency phone, representatives, sponsors
 * and audit only the CSIRT), markup in a team's fields inert on the public
 * page, and the contact lookup: CSIRT only, a site gets the 404 of an
 * unknown path, byte for byte. On both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apitest.h"
#include "store/teamstore.h"
#include "testutil.h"
#include "ttstore.h"

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
};

static const ts_team_scope_t scopes_a[] = {{TS_RULE_NETWORK, "198.51.100.0/24"}};
static const ts_team_rep_t reps[] = {{"Rep Secret", "rep@a.example", "+1 555"}};

static void add(ts_store_t *st, const char *name, const char *official, const ts_team_scope_t *sc,
                size_t n)
{
    ts_team_rec_t t = {.name = name,
                       .official_name = official,
                       .country = "DE",
                       .email = "cert@a.example",
                       .emergency_phone = "+49 999",
                       .website = "javascript:alert(1)",
                       .scopes = sc,
                       .n_scopes = n,
                       .reps = reps,
                       .n_reps = 1};
    const char *why;
    assert_int_equal(ts_store_team_add(st, &t, AT_T0, "cli:test", NULL, &why), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    assert_int_equal(tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc), 0);
    assert_int_equal(ts_store_open(f->loc, &f->st), 0);
    int64_t id;
    assert_int_equal(ts_store_site_add(f->st, "uni", 0, "", &id), 0);
    add(f->st, "alpha", "Alpha <script>alert(1)</script> CERT", scopes_a, 1);
    add(f->st, "beta", "Beta", NULL, 0);
    add(f->st, "hidden-candidate", "Secret Candidate", NULL, 0);
    const char *why;
    assert_int_equal(ts_store_team_found(f->st, "alpha", AT_T0, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_found(f->st, "beta", AT_T0, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_suspend(f->st, "beta", "", AT_T0, "cli:test", &why), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static char *body(ts_http_resp_t *r)
{
    return r->body.data ? r->body.data : "";
}

static void test_views(void **state)
{
    struct fx *f = *state;
    ts_principal_t site = at_site("uni", 1), csirt = at_csirt();
    ts_http_resp_t r;
    /* No certificate: /api/ refuses, /public/ answers. */
    assert_int_equal(at_call(f->st, NULL, "GET", "/api/v1/teams", NULL, NULL, &r), 401);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, NULL, "GET", "/public/teams.json", NULL, NULL, &r), 200);
    assert_non_null(strstr(body(&r), "\"alpha\""));
    assert_null(strstr(body(&r), "beta"));
    assert_null(strstr(body(&r), "hidden-candidate"));
    assert_null(strstr(body(&r), "+49 999"));
    assert_null(strstr(body(&r), "Rep Secret"));
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, NULL, "POST", "/public/teams", NULL, NULL, &r), 405);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, NULL, "GET", "/public/teams", "x=1", NULL, &r), 400);
    ts_http_resp_free(&r);
    /* The HTML page: escaped, no script link. */
    assert_int_equal(at_call(f->st, NULL, "GET", "/public/teams", NULL, NULL, &r), 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_null(strstr(body(&r), "<script>"));
    assert_non_null(strstr(body(&r), "&lt;script&gt;"));
    assert_null(strstr(body(&r), "href=\"javascript:"));
    assert_non_null(strstr(body(&r), "198.51.100.0/24"));
    assert_null(strstr(body(&r), "Secret Candidate"));
    ts_http_resp_free(&r);
    /* A site: the public view. */
    assert_int_equal(at_call(f->st, &site, "GET", "/api/v1/teams", NULL, NULL, &r), 200);
    assert_non_null(strstr(body(&r), "\"alpha\""));
    assert_null(strstr(body(&r), "hidden-candidate"));
    assert_null(strstr(body(&r), "audit"));
    assert_null(strstr(body(&r), "+49 999"));
    ts_http_resp_free(&r);
    /* The CSIRT: everything. */
    assert_int_equal(at_call(f->st, &csirt, "GET", "/api/v1/teams", NULL, NULL, &r), 200);
    assert_non_null(strstr(body(&r), "hidden-candidate"));
    assert_non_null(strstr(body(&r), "\"suspended\""));
    assert_non_null(strstr(body(&r), "Rep Secret"));
    assert_non_null(strstr(body(&r), "\"audit\""));
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, &csirt, "GET", "/api/v1/teams", "state=candidate", NULL, &r),
                     200);
    assert_non_null(strstr(body(&r), "hidden-candidate"));
    assert_null(strstr(body(&r), "\"alpha\""));
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, &csirt, "GET", "/api/v1/teams", "state=bogus", NULL, &r), 400);
    ts_http_resp_free(&r);
}

static void test_lookup(void **state)
{
    struct fx *f = *state;
    ts_principal_t site = at_site("uni", 1), csirt = at_csirt();
    ts_http_resp_t r, missing;
    /* A site: exactly the answer of a path that does not exist. */
    int s = at_call(f->st, &site, "GET", "/api/v1/contact-lookup", "q=198.51.100.7", NULL, &r);
    int sm = at_call(f->st, &site, "GET", "/api/v1/no-such-thing", NULL, NULL, &missing);
    assert_int_equal(s, 404);
    assert_int_equal(sm, 404);
    assert_int_equal(r.body.len, missing.body.len);
    assert_memory_equal(body(&r), body(&missing), r.body.len);
    ts_http_resp_free(&r);
    ts_http_resp_free(&missing);
    assert_int_equal(at_call(f->st, &csirt, "GET", "/api/v1/contact-lookup", NULL, NULL, &r), 400);
    ts_http_resp_free(&r);
    assert_int_equal(
        at_call(f->st, &csirt, "GET", "/api/v1/contact-lookup", "q=not%20a%20query", NULL, &r),
        400);
    ts_http_resp_free(&r);
    assert_int_equal(
        at_call(f->st, &csirt, "GET", "/api/v1/contact-lookup", "q=198.51.100.7", NULL, &r), 200);
    assert_non_null(strstr(body(&r), "\"source\":\"team\""));
    assert_non_null(strstr(body(&r), "\"name\":\"alpha\""));
    ts_http_resp_free(&r);
    /* Outside everything: said plainly, no network from the portal. */
    assert_int_equal(
        at_call(f->st, &csirt, "GET", "/api/v1/contact-lookup", "q=203.0.113.9", NULL, &r), 200);
    assert_non_null(strstr(body(&r), "\"source\":\"none\""));
    assert_non_null(strstr(body(&r), "\"found\":false"));
    ts_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
