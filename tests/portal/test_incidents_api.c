/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/incidents, /api/v1/suppressions and /api/v1/feedback through
 * ts_api_handle(), on the fixed store of apitest.h (its events aggregated
 * into incidents at write time): refused input first (parameters, bodies,
 * states, methods, rules outside the site's space or over another site's
 * addresses, foreign objects answered exactly as missing ones), then the
 * queue in priority order and its paging, an incident with its factors,
 * events and history, a state change audited with the certificate's
 * fingerprint, rules added, listed and removed. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "apitest.h"
#include "portal/query.h"
#include "store/incstore.h"
#include "testutil.h"
#include "ttstore.h"

typedef struct fx {
    char *dir;
    ts_store_t *st;
    char loc[512];
    ts_principal_t csirt, nren, a, phys, b;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "inc.db", f->loc, sizeof f->loc) != 0 ||
        ts_store_open(f->loc, &f->st) != 0)
        return -1;
    at_fixture(f->st);
    f->csirt = at_csirt();
    f->nren = at_site("nren", 1);
    f->a = at_site("uni-a", 2);
    f->phys = at_site("uni-a-physics", 3);
    f->b = at_site("uni-b", 4);
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

/* A request with a JSON body. */
static int call_body(fx_t *f, const ts_principal_t *who, const char *method, const char *path,
                     const char *query, const char *body, ts_http_resp_t *resp)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.query = query;
    req.who = who;
    req.content_type = "application/json";
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    ts_http_resp_init(resp);
    ts_api_handle(f->st, &req, resp);
    return resp->status;
}

static json_object *parse(const ts_http_resp_t *r)
{
    json_object *o = json_tokener_parse(r->body.data ? r->body.data : "");
    if (o == NULL)
        fail_msg("not JSON: %s", r->body.data ? r->body.data : "");
    return o;
}

static json_object *get_json(fx_t *f, const ts_principal_t *who, const char *path,
                             const char *query, int want)
{
    ts_http_resp_t r;
    int s = at_call(f->st, who, "GET", path, query, NULL, &r);
    if (s != want)
        fail_msg("GET %s?%s: %d, want %d: %s", path, query ? query : "", s, want, r.body.data);
    json_object *o = parse(&r);
    ts_http_resp_free(&r);
    return o;
}

static void expect_status(fx_t *f, const ts_principal_t *who, const char *method, const char *path,
                          const char *query, const char *body, int want, const char *mention)
{
    ts_http_resp_t r;
    int s = call_body(f, who, method, path, query, body, &r);
    if (s != want || (mention && (r.body.data == NULL || strstr(r.body.data, mention) == NULL)))
        fail_msg("%s %s?%s %s: %d, want %d (%s): %s", method, path, query ? query : "",
                 body ? body : "", s, want, mention ? mention : "", r.body.data);
    ts_http_resp_free(&r);
}

/* The same status and bytes for both requests. */
static void expect_same(fx_t *f, const ts_principal_t *who, const char *method, const char *p1,
                        const char *p2, const char *body)
{
    ts_http_resp_t r1, r2;
    call_body(f, who, method, p1, NULL, body, &r1);
    call_body(f, who, method, p2, NULL, body, &r2);
    if (r1.status != r2.status || r1.body.len != r2.body.len ||
        memcmp(r1.body.data, r2.body.data, r1.body.len) != 0)
        fail_msg("%s %s (%d %s) differs from %s (%d %s)", method, p1, r1.status, r1.body.data, p2,
                 r2.status, r2.body.data);
    assert_int_equal(r1.status, 404);
    ts_http_resp_free(&r1);
    ts_http_resp_free(&r2);
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, k, &v))
        fail_msg("no member %s", k);
    return v;
}

static const char *mstr(json_object *o, const char *k)
{
    return json_object_get_string(member(o, k));
}

/* Tenths of the decimal the API writes ("26.3" -> 263). */
static int tenths(json_object *v)
{
    return (int)(json_object_get_double(v) * 10.0 + (json_object_get_double(v) < 0 ? -0.5 : 0.5));
}

/* An incident of site name visible to the CSIRT: its id, or 0. */
static int64_t incident_of(fx_t *f, const char *site)
{
    json_object *o = get_json(f, &f->csirt, "/api/v1/incidents", "limit=1000", 200);
    json_object *list = member(o, "incidents");
    int64_t id = 0;
    for (size_t i = 0; i < json_object_array_length(list) && id == 0; i++) {
        json_object *inc = json_object_array_get_idx(list, i);
        if (strcmp(mstr(inc, "site"), site) == 0)
            id = json_object_get_int64(member(inc, "id"));
    }
    json_object_put(o);
    if (id == 0)
        fail_msg("no incident of %s", site);
    return id;
}

static void test_refused(void **state)
{
    fx_t *f = *state;
    const char *list = "/api/v1/incidents";
    expect_status(f, &f->a, "GET", list, "state=closed", NULL, 400, "state");
    expect_status(f, &f->a, "GET", list, "state=in_progress", NULL, 400, "state");
    expect_status(f, &f->a, "GET", list, "limit=0", NULL, 400, "limit");
    expect_status(f, &f->a, "GET", list, "cursor=zzz", NULL, 400, "cursor");
    expect_status(f, &f->a, "GET", list, "since=yesterday", NULL, 400, "since");
    expect_status(f, &f->a, "GET", list, "ip=192.0.2.1/24", NULL, 400, "ip");
    expect_status(f, &f->a, "GET", list, "suppressed=maybe", NULL, 400, "suppressed");
    expect_status(f, &f->a, "GET", list, "format=ndjson", NULL, 400, "format");
    expect_status(f, &f->a, "GET", list, "nosuch=1", NULL, 400, "nosuch");
    expect_status(f, &f->a, "GET", list, "site=uni-b", NULL, 404, NULL);
    expect_status(f, &f->a, "POST", list, NULL, "{}", 405, NULL);
    expect_status(f, &f->a, "GET", "/api/v1/incidents/0", NULL, NULL, 404, NULL);
    expect_status(f, &f->a, "GET", "/api/v1/incidents/1x", NULL, NULL, 404, NULL);
    expect_status(f, &f->a, "GET", "/api/v1/incidents/1/2", NULL, NULL, 404, NULL);
    expect_status(f, &f->a, "DELETE", "/api/v1/incidents/1", NULL, NULL, 405, NULL);
    expect_status(f, &f->a, "GET", list, "cursor=AAAAAAAAAAAAAAAA", NULL, 400, "cursor");
    /* Bodies and states. */
    int64_t mine = incident_of(f, "uni-a-physics"), theirs = incident_of(f, "uni-b");
    char p_mine[64], p_theirs[64];
    snprintf(p_mine, sizeof p_mine, "/api/v1/incidents/%" PRId64, mine);
    snprintf(p_theirs, sizeof p_theirs, "/api/v1/incidents/%" PRId64, theirs);
    expect_status(f, &f->a, "PATCH", p_mine, NULL, NULL, 400, "body");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "[]", 400, "body");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "{\"state\":\"new\"} x", 400, "body");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "{\"state\":\"closed\"}", 400, "state");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "{\"state\":7}", 400, "state");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "{\"note\":\"no state\"}", 400, "state");
    expect_status(f, &f->a, "PATCH", p_mine, NULL, "{\"state\":\"new\",\"owner\":\"me\"}", 400,
                  "owner");
    char big[TS_INC_NOTE_MAX + 64];
    snprintf(big, sizeof big, "{\"state\":\"resolved\",\"note\":\"%0*d\"}", TS_INC_NOTE_MAX + 1, 0);
    expect_status(f, &f->a, "PATCH", p_mine, NULL, big, 400, "note");
    /* Nothing of that changed the incident or reached the audit. */
    json_object *o = get_json(f, &f->a, p_mine, NULL, 200);
    assert_string_equal(mstr(o, "state"), "new");
    assert_int_equal(json_object_array_length(member(o, "history")), 0);
    json_object_put(o);

    /* Another site's incident is a missing one, for reads and writes. */
    expect_same(f, &f->a, "GET", p_theirs, "/api/v1/incidents/999999", NULL);
    expect_same(f, &f->a, "PATCH", p_theirs, "/api/v1/incidents/999999",
                "{\"state\":\"resolved\"}");
    o = get_json(f, &f->b, p_theirs, NULL, 200);
    assert_string_equal(mstr(o, "state"), "new");
    json_object_put(o);

    /* Rules: bad bodies, wider than the site, over another site's space
     * (both answered alike), a sub-site's rule over its parent. */
    const char *sup = "/api/v1/suppressions";
    expect_status(f, &f->a, "POST", sup, NULL, "{\"type\":\"scanner\"}", 400, "net");
    expect_status(f, &f->a, "POST", sup, NULL, "{\"type\":\"nonsense\",\"net\":\"192.0.2.0/28\"}",
                  400, "type");
    expect_status(f, &f->a, "POST", sup, NULL, "{\"type\":\"scanner\",\"net\":\"192.0.2.1/24\"}",
                  400, "net");
    expect_status(
        f, &f->a, "POST", sup, NULL,
        "{\"type\":\"scanner\",\"net\":\"192.0.2.0/28\",\"expires\":\"2020-01-01T00:00:00Z\"}", 400,
        "expires");
    expect_status(f, &f->a, "POST", sup, NULL,
                  "{\"type\":\"scanner\",\"net\":\"192.0.2.0/28\",\"who\":\"me\"}", 400, "who");
    ts_http_resp_t wide, foreign;
    call_body(f, &f->a, "POST", sup, NULL, "{\"type\":\"scanner\",\"net\":\"192.0.2.0/24\"}",
              &wide);
    call_body(f, &f->a, "POST", sup, NULL, "{\"type\":\"scanner\",\"net\":\"192.0.2.128/26\"}",
              &foreign);
    assert_int_equal(wide.status, 400);
    assert_non_null(strstr(wide.body.data, "not inside the site's own address space"));
    assert_int_equal(wide.body.len, foreign.body.len);
    assert_memory_equal(wide.body.data, foreign.body.data, wide.body.len);
    ts_http_resp_free(&wide);
    ts_http_resp_free(&foreign);
    expect_status(f, &f->phys, "POST", sup, NULL, "{\"type\":\"scanner\",\"net\":\"192.0.2.0/27\"}",
                  400, "net");
    expect_status(f, &f->csirt, "POST", sup, NULL,
                  "{\"type\":\"scanner\",\"net\":\"192.0.2.0/28\"}", 400, "site");
    expect_status(f, &f->a, "POST", sup, "site=uni-b",
                  "{\"type\":\"scanner\",\"net\":\"192.0.2.128/26\"}", 404, NULL);
    expect_status(f, &f->a, "PUT", sup, NULL, "{}", 405, NULL);
    /* A reader certificate changes nothing, its own site's objects included. */
    ts_principal_t reader = f->a;
    reader.reader = true;
    expect_status(f, &reader, "PATCH", p_mine, NULL, "{\"state\":\"resolved\"}", 403, "reader");
    expect_status(f, &reader, "POST", sup, NULL, "{\"type\":\"scanner\",\"net\":\"192.0.2.0/28\"}",
                  403, "reader");
    expect_status(f, &reader, "DELETE", "/api/v1/suppressions/1", NULL, NULL, 403, "reader");
    expect_status(f, &reader, "GET", p_mine, NULL, NULL, 200, NULL);
    /* Feedback is the CSIRT's: a site does not know of it. */
    expect_status(f, &f->a, "GET", "/api/v1/feedback", NULL, NULL, 404, NULL);

    /* Nothing was added by any of that. */
    o = get_json(f, &f->csirt, sup, NULL, 200);
    assert_int_equal(json_object_array_length(member(o, "suppressions")), 0);
    json_object_put(o);
}

/* The visible incidents of a principal, through every page of limit. */
static size_t page_through(fx_t *f, const ts_principal_t *who, const char *extra, size_t limit,
                           int64_t *ids, size_t max)
{
    size_t n = 0;
    char cursor[TS_QUERY_CURSOR_LEN + 1] = "";
    int prev = 1 << 30;
    for (int page = 0; page < 100; page++) {
        char q[160];
        snprintf(q, sizeof q, "limit=%zu%s%s%s%s", limit, *cursor ? "&cursor=" : "", cursor,
                 extra ? "&" : "", extra ? extra : "");
        json_object *o = get_json(f, who, "/api/v1/incidents", q, 200);
        json_object *list = member(o, "incidents");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *inc = json_object_array_get_idx(list, i);
            int score = tenths(member(inc, "score"));
            assert_true(score <= prev); /* priority order */
            prev = score;
            assert_true(n < max);
            ids[n++] = json_object_get_int64(member(inc, "id"));
        }
        json_object *next = member(o, "next_cursor");
        bool more = !json_object_is_type(next, json_type_null);
        if (more)
            snprintf(cursor, sizeof cursor, "%s", json_object_get_string(next));
        json_object_put(o);
        if (!more)
            return n;
    }
    fail_msg("paging does not end");
    return n; /* fail_msg() does not return; the compiler cannot tell */
}

static bool in_subtree_of_a(const char *site)
{
    return strcmp(site, "uni-a") == 0 || strcmp(site, "uni-a-physics") == 0;
}

static void test_queue(void **state)
{
    fx_t *f = *state;
    int64_t all[64], paged[64], mine[64];
    size_t n_all = page_through(f, &f->csirt, NULL, 1000, all, 64);
    assert_true(n_all >= 6);
    /* Pages of one give the same incidents in the same order. */
    assert_int_equal(page_through(f, &f->csirt, NULL, 1, paged, 64), n_all);
    assert_memory_equal(all, paged, n_all * sizeof *all);
    /* uni-a sees exactly the CSIRT's incidents of its subtree. */
    size_t n_mine = page_through(f, &f->a, NULL, 2, mine, 64), k = 0;
    json_object *o = get_json(f, &f->csirt, "/api/v1/incidents", "limit=1000", 200);
    json_object *list = member(o, "incidents");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *inc = json_object_array_get_idx(list, i);
        if (!in_subtree_of_a(mstr(inc, "site")))
            continue;
        assert_true(k < n_mine);
        assert_int_equal(mine[k++], json_object_get_int64(member(inc, "id")));
        /* Each incident's score is the sum of its factors' points. */
        json_object *fs = member(inc, "factors");
        assert_int_equal(json_object_array_length(fs), TS_F_COUNT_);
        int sum = 0;
        for (size_t j = 0; j < TS_F_COUNT_; j++)
            sum += tenths(member(json_object_array_get_idx(fs, j), "points"));
        assert_int_equal(sum, tenths(member(inc, "score")));
    }
    assert_int_equal(k, n_mine);
    json_object_put(o);
    /* ?site= narrows to a sub-site; ip= to incidents about an address. */
    size_t n_phys = page_through(f, &f->a, "site=uni-a-physics", 1000, paged, 64);
    assert_true(n_phys > 0 && n_phys < n_mine);
    o = get_json(f, &f->a, "/api/v1/incidents", "ip=192.0.2.5", 200);
    list = member(o, "incidents");
    assert_true(json_object_array_length(list) > 0);
    for (size_t i = 0; i < json_object_array_length(list); i++)
        assert_string_equal(mstr(json_object_array_get_idx(list, i), "object"), "192.0.2.5");
    json_object_put(o);
    /* CSV. */
    ts_http_resp_t r;
    assert_int_equal(at_call(f->st, &f->a, "GET", "/api/v1/incidents", "format=csv", NULL, &r),
                     200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_true(strncmp(r.body.data, "id,site,score,state", 19) == 0);
    assert_null(strstr(r.body.data, "uni-b"));
    ts_http_resp_free(&r);
}

struct audit_seen {
    int n;
    char who[TS_INC_WHO_MAX];
};

static int audit_cb(const ts_audit_rec_t *a, void *ctx)
{
    struct audit_seen *s = ctx;
    if (s->n++ == 0)
        snprintf(s->who, sizeof s->who, "%s", a->who);
    return 0;
}

static void test_detail_and_state(void **state)
{
    fx_t *f = *state;
    int64_t id = incident_of(f, "uni-a-physics");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/incidents/%" PRId64, id);
    json_object *o = get_json(f, &f->a, path, NULL, 200);
    assert_string_equal(mstr(o, "site"), "uni-a-physics");
    assert_int_equal(json_object_array_length(member(o, "factors")), TS_F_COUNT_);
    json_object *evs = member(o, "events");
    assert_int_equal(json_object_array_length(evs),
                     json_object_get_int(member(o, "event_count")) > 50
                         ? 50
                         : json_object_get_int(member(o, "event_count")));
    /* Its events name no site outside the caller's subtree. */
    const char *text = json_object_to_json_string(evs);
    assert_null(strstr(text, "uni-b"));
    json_object_put(o);

    /* A state change, audited with the certificate's fingerprint. */
    ts_http_resp_t r;
    assert_int_equal(call_body(f, &f->a, "PATCH", path, NULL,
                               "{\"state\":\"false-positive\",\"note\":\"our scanner\"}", &r),
                     200);
    o = parse(&r);
    ts_http_resp_free(&r);
    assert_string_equal(mstr(o, "state"), "false-positive");
    assert_string_equal(mstr(o, "note"), "our scanner");
    json_object *h = member(o, "history");
    assert_int_equal(json_object_array_length(h), 1);
    assert_string_equal(mstr(json_object_array_get_idx(h, 0), "who"), f->a.fingerprint);
    assert_string_equal(
        json_object_get_string(member(member(json_object_array_get_idx(h, 0), "detail"), "to")),
        "false-positive");
    json_object_put(o);
    struct audit_seen s = {0};
    assert_int_equal(ts_store_audit_foreach(f->st, 0, "incident", id, 0, audit_cb, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.who, f->a.fingerprint);
    /* The state filter finds it; the feedback counts it for its feed. */
    o = get_json(f, &f->a, "/api/v1/incidents", "state=false-positive", 200);
    assert_int_equal(json_object_array_length(member(o, "incidents")), 1);
    json_object_put(o);
    o = get_json(f, &f->csirt, "/api/v1/feedback", NULL, 200);
    json_object *feeds = member(o, "feeds");
    int fp = 0;
    for (size_t i = 0; i < json_object_array_length(feeds); i++)
        fp += json_object_get_int(member(json_object_array_get_idx(feeds, i), "false_positive"));
    assert_int_equal(fp, 1);
    json_object_put(o);
}

static void test_suppressions(void **state)
{
    fx_t *f = *state;
    const char *sup = "/api/v1/suppressions";
    ts_http_resp_t r;
    assert_int_equal(
        call_body(f, &f->a, "POST", sup, NULL,
                  "{\"type\":\"scanner\",\"net\":\"192.0.2.0/28\",\"identifier\":\"*\","
                  "\"peer\":\"203.0.113.0/24\",\"expires\":\"2099-01-01T00:00:00Z\","
                  "\"note\":\"vulnerability scanner\"}",
                  &r),
        201);
    json_object *o = parse(&r);
    ts_http_resp_free(&r);
    int64_t id = json_object_get_int64(member(o, "id"));
    json_object_put(o);
    /* A CSIRT certificate names the site. */
    assert_int_equal(call_body(f, &f->csirt, "POST", sup, "site=uni-b",
                               "{\"type\":\"spam\",\"net\":\"192.0.2.128/25\"}", &r),
                     201);
    o = parse(&r);
    ts_http_resp_free(&r);
    int64_t b_rule = json_object_get_int64(member(o, "id"));
    json_object_put(o);

    o = get_json(f, &f->a, sup, NULL, 200);
    json_object *list = member(o, "suppressions");
    assert_int_equal(json_object_array_length(list), 1);
    json_object *rule = json_object_array_get_idx(list, 0);
    assert_string_equal(mstr(rule, "site"), "uni-a");
    assert_string_equal(mstr(rule, "net"), "192.0.2.0/28");
    assert_string_equal(mstr(rule, "peer"), "203.0.113.0/24");
    assert_string_equal(mstr(rule, "expires"), "2099-01-01T00:00:00Z");
    assert_string_equal(mstr(rule, "who"), f->a.fingerprint);
    json_object_put(o);
    o = get_json(f, &f->csirt, sup, NULL, 200);
    assert_int_equal(json_object_array_length(member(o, "suppressions")), 2);
    json_object_put(o);

    /* Another site's rule is a missing one. */
    char p_b[64], p_a[64];
    snprintf(p_b, sizeof p_b, "/api/v1/suppressions/%" PRId64, b_rule);
    snprintf(p_a, sizeof p_a, "/api/v1/suppressions/%" PRId64, id);
    expect_same(f, &f->a, "DELETE", p_b, "/api/v1/suppressions/999999", NULL);
    expect_status(f, &f->a, "GET", p_a, NULL, NULL, 405, NULL);
    expect_status(f, &f->a, "DELETE", p_a, NULL, NULL, 204, NULL);
    expect_status(f, &f->a, "DELETE", p_a, NULL, NULL, 404, NULL);
    expect_status(f, &f->csirt, "DELETE", p_b, NULL, NULL, 204, NULL);
    o = get_json(f, &f->csirt, sup, NULL, 200);
    assert_int_equal(json_object_array_length(member(o, "suppressions")), 0);
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detail_and_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suppressions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
