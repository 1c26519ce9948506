/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API through ts_api_handle(), on the fixed store of apitest.h:
 * refused input first (authentication, methods, parameters, formats, foreign
 * objects), then the answers, compared byte for byte with the golden files in
 * tests/data/golden/api/ and checked structurally with json-c. After an
 * intended change of the output, rerun with TS_UPDATE_GOLDEN=1 and review the
 * diff of tests/data/golden/api. */
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
    if (tt_store_fresh(f->dir, "api.db", f->loc, sizeof f->loc) != 0 ||
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

static json_object *parse_json(const ts_http_resp_t *r)
{
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, r->body.data ? r->body.data : "", (int)r->body.len);
    bool ok = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!ok)
        fail_msg("response is not strict JSON: %.*s", (int)r->body.len, r->body.data);
    return o;
}

/* Status and error code; the message must mention `mention` when given. */
static void expect_error(fx_t *f, const ts_principal_t *who, const char *method, const char *path,
                         const char *query, const char *accept, int status, const char *code,
                         const char *mention)
{
    ts_http_resp_t r;
    int s = at_call(f->st, who, method, path, query, accept, &r);
    if (s != status)
        fail_msg("%s %s?%s: status %d, want %d: %s", method, path, query ? query : "", s, status,
                 r.body.data ? r.body.data : "");
    json_object *o = parse_json(&r), *e, *c, *m;
    assert_true(json_object_object_get_ex(o, "error", &e));
    assert_true(json_object_object_get_ex(e, "code", &c));
    assert_true(json_object_object_get_ex(e, "message", &m));
    assert_string_equal(json_object_get_string(c), code);
    if (mention && strstr(json_object_get_string(m), mention) == NULL)
        fail_msg("%s?%s: message '%s' does not name '%s'", path, query ? query : "",
                 json_object_get_string(m), mention);
    json_object_put(o);
    ts_http_resp_free(&r);
}

/* ---- refused input ------------------------------------------------------------ */

static void test_unauthenticated(void **state)
{
    fx_t *f = *state;
    static const char *const paths[] = {"/api/v1/me",         "/api/v1/events", "/api/v1/events/1",
                                        "/api/v1/stats",      "/api/v1/site",   "/api/v1/nosuch",
                                        "/api/v1/advisories", "/api/v2/me"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        expect_error(f, NULL, "GET", paths[i], NULL, NULL, 401, "unauthenticated", NULL);
    /* A principal the server could never have produced is no principal. */
    ts_principal_t bogus = at_site("uni-a", 0);
    expect_error(f, &bogus, "GET", "/api/v1/events", NULL, NULL, 401, "unauthenticated", NULL);
    /* The public resources answer without a certificate. */
    ts_http_resp_t r;
    assert_int_equal(at_call(f->st, NULL, "GET", "/api/v1/health", NULL, NULL, &r), 200);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, NULL, "GET", "/api/v1/openapi.json", NULL, NULL, &r), 200);
    ts_http_resp_free(&r);
}

static void test_wrong_method(void **state)
{
    fx_t *f = *state;
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get", ""};
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        expect_error(f, &f->a, methods[i], "/api/v1/events", NULL, NULL, 405, "method_not_allowed",
                     NULL);
        expect_error(f, &f->a, methods[i], "/api/v1/events/1", NULL, NULL, 405,
                     "method_not_allowed", NULL);
        expect_error(f, NULL, methods[i], "/api/v1/health", NULL, NULL, 405, "method_not_allowed",
                     NULL);
    }
    ts_http_resp_t r;
    at_call(f->st, &f->a, "POST", "/api/v1/me", NULL, NULL, &r);
    assert_int_equal(r.n_headers, 1);
    assert_string_equal(r.header_name[0], "Allow");
    assert_string_equal(r.header_value[0], "GET, HEAD");
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, &f->a, "HEAD", "/api/v1/events", NULL, NULL, &r), 200);
    ts_http_resp_free(&r);
}

static void test_bad_parameters(void **state)
{
    fx_t *f = *state;
    static const struct {
        const char *path, *query, *name;
    } cases[] = {
        {"/api/v1/events", "foo=1", "foo"},
        {"/api/v1/events", "limit=1&limit=2", "limit"},
        {"/api/v1/events", "since=yesterday", "since"},
        {"/api/v1/events", "since=2026-13-01T00:00:00Z", "since"},
        {"/api/v1/events", "until=24x", "until"},
        {"/api/v1/events", "since=1h&until=2h", "until"},
        {"/api/v1/events", "taxonomy=nope", "taxonomy"},
        {"/api/v1/events", "type=nope", "type"},
        {"/api/v1/events", "taxonomy=fraud&type=scanner", "type"},
        {"/api/v1/events", "role=both", "role"},
        {"/api/v1/events", "role=", "role"},
        {"/api/v1/events", "ip=192.0.2.1/24", "ip"},
        {"/api/v1/events", "ip=300.1.1.1", "ip"},
        {"/api/v1/events", "ip=010.1.1.1", "ip"},
        {"/api/v1/events", "limit=0", "limit"},
        {"/api/v1/events", "limit=1001", "limit"},
        {"/api/v1/events", "limit=-5", "limit"},
        {"/api/v1/events", "limit=1e3", "limit"},
        {"/api/v1/events", "cursor=garbage", "cursor"},
        {"/api/v1/events", "cursor=AAAAAAAAAAAAAAAA", "cursor"},
        {"/api/v1/events", "site=no%20such", "site"},
        {"/api/v1/events", "site=", "site"},
        {"/api/v1/events", "format=xml", "format"},
        {"/api/v1/events", "limit=%zz", "limit"},
        {"/api/v1/events", "limit=5%", "limit"},
        {"/api/v1/events", "site=a%00b", "site"},
        {"/api/v1/events", "site=%ff", "site"},
        {"/api/v1/events", "%ff=1", "malformed"},
        {"/api/v1/events", "=1", "empty"},
        {"/api/v1/stats", "limit=5", "limit"},
        {"/api/v1/stats", "format=csv", "format"},
        {"/api/v1/site", "since=1h", "since"},
        {"/api/v1/me", "x=1", "x"},
        {"/api/v1/events/1", "format=json", "format"},
        {"/api/v1/health", "verbose=1", "verbose"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_error(f, &f->a, "GET", cases[i].path, cases[i].query, NULL, 400, "bad_parameter",
                     cases[i].name);
    /* A cursor of a valid form with one character changed. */
    char cur[TS_QUERY_CURSOR_LEN + 1], q[64];
    ts_query_cursor_encode(5, cur);
    cur[3] = cur[3] == 'A' ? 'B' : 'A';
    snprintf(q, sizeof q, "cursor=%s", cur);
    expect_error(f, &f->a, "GET", "/api/v1/events", q, NULL, 400, "bad_parameter", "cursor");
    /* Bounds of the query string itself. */
    char *big = malloc(TS_QUERY_MAX + 16);
    memset(big, 'a', TS_QUERY_MAX + 8);
    memcpy(big, "site=", 5);
    big[TS_QUERY_MAX + 8] = '\0';
    expect_error(f, &f->a, "GET", "/api/v1/events", big, NULL, 400, "bad_parameter", NULL);
    free(big);
    /* The CSIRT has no site of its own: /site needs one. */
    expect_error(f, &f->csirt, "GET", "/api/v1/site", NULL, NULL, 400, "bad_parameter", "site");
}

static void test_query_parser(void **state)
{
    (void)state;
    static const char *const names[] = {"a", "b c", "é", NULL};
    ts_query_t q;
    char err[128];
    assert_int_equal(ts_query_parse("a=x+y%2Bz&&b+c=%C3%A9&%C3%A9", names, &q, err, sizeof err), 0);
    assert_int_equal(q.n, 3);
    assert_string_equal(ts_query_get(&q, "a"), "x y+z");
    assert_string_equal(ts_query_get(&q, "b c"), "é");
    assert_string_equal(ts_query_get(&q, "é"), "");
    assert_null(ts_query_get(&q, "b"));
    ts_query_free(&q);
    assert_int_equal(ts_query_parse("a=%e9", names, &q, err, sizeof err), TS_EUTF8);
    assert_int_equal(ts_query_parse("a=%0a", names, &q, err, sizeof err), TS_EUTF8);
    assert_int_equal(ts_query_parse("a=%", names, &q, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(ts_query_parse("a=%4", names, &q, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(ts_query_parse("a=1&a=2", names, &q, err, sizeof err), TS_EEXIST);
    assert_int_equal(ts_query_parse("z=1", names, &q, err, sizeof err), TS_ENOENT);
    assert_non_null(strstr(err, "'z'"));
    /* Too many parameters, each allowed. */
    static const char *many[40];
    char names_buf[40][8], raw[400] = "";
    for (int i = 0; i < 33; i++) {
        snprintf(names_buf[i], sizeof names_buf[i], "p%d", i);
        many[i] = names_buf[i];
        strcat(raw, names_buf[i]);
        strcat(raw, "=1&");
    }
    many[33] = NULL;
    assert_int_equal(ts_query_parse(raw, many, &q, err, sizeof err), TS_ETOOBIG);
    /* A value longer than the bound. */
    char *longv = malloc(TS_QUERY_VALUE_MAX + 8);
    memset(longv, 'x', TS_QUERY_VALUE_MAX + 7);
    memcpy(longv, "a=", 2);
    longv[TS_QUERY_VALUE_MAX + 3] = '\0';
    assert_int_equal(ts_query_parse(longv, names, &q, err, sizeof err), TS_ETOOBIG);
    longv[TS_QUERY_VALUE_MAX + 2] = '\0';
    assert_int_equal(ts_query_parse(longv, names, &q, err, sizeof err), 0);
    ts_query_free(&q);
    free(longv);

    uint8_t lo[16], hi[16];
    assert_int_equal(ts_query_ip("192.0.2.0/24", lo, hi), 0);
    assert_int_equal(lo[10], 0xff);
    assert_int_equal(lo[12], 192);
    assert_int_equal(lo[15], 0);
    assert_int_equal(hi[15], 255);
    assert_int_equal(hi[14], 2);
    assert_int_equal(ts_query_ip("2001:db8::/32", lo, hi), 0);
    assert_int_equal(hi[4], 0xff);
    assert_int_equal(hi[3], 0xb8);
    assert_int_equal(ts_query_ip("192.0.2.1/24", lo, hi), TS_EADDR);
    assert_int_equal(ts_query_ip("", lo, hi), TS_EADDR);

    int64_t t;
    assert_int_equal(ts_query_time("24h", 100 * 3600000000LL, &t), 0);
    assert_int_equal(t, 76 * 3600000000LL);
    assert_int_equal(ts_query_time("2026-11-27T08:00:00Z", 0, &t), 0);
    assert_int_equal(t, 1795766400000000LL);
    assert_int_equal(ts_query_time("h", 0, &t), TS_EINVAL);
    assert_int_equal(ts_query_time("123456789d", 0, &t), TS_EINVAL);
    assert_int_equal(ts_query_time("99999999w", 0, &t), TS_EINVAL);
    assert_int_equal(ts_query_time("11574074d", 0, &t), 0); /* 1e12 s */
    assert_int_equal(t, -999999993600000000LL);
    assert_int_equal(ts_query_time("", 0, &t), TS_EINVAL);

    char cur[TS_QUERY_CURSOR_LEN + 1];
    int64_t ids[] = {1, 2, 255, 1LL << 40, INT64_MAX};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        int64_t back = 0;
        ts_query_cursor_encode(ids[i], cur);
        assert_int_equal(strlen(cur), TS_QUERY_CURSOR_LEN);
        assert_int_equal(ts_query_cursor_decode(cur, &back), 0);
        assert_int_equal(back, ids[i]);
    }
    int64_t back;
    assert_int_equal(ts_query_cursor_decode("", &back), TS_EINVAL);
    assert_int_equal(ts_query_cursor_decode("AAAAAAAAAAAAAAA=", &back), TS_EINVAL);
}

static void test_not_acceptable(void **state)
{
    fx_t *f = *state;
    expect_error(f, &f->a, "GET", "/api/v1/me", NULL, "text/csv", 406, "not_acceptable", NULL);
    expect_error(f, &f->a, "GET", "/api/v1/events", NULL, "image/png", 406, "not_acceptable", NULL);
    expect_error(f, &f->a, "GET", "/api/v1/events", NULL, "application/json;q=0", 406,
                 "not_acceptable", NULL);
    expect_error(f, &f->a, "GET", "/api/v1/stats", NULL, "application/x-ndjson", 406,
                 "not_acceptable", NULL);
    ts_http_resp_t r;
    assert_int_equal(at_call(f->st, &f->a, "GET", "/api/v1/events", NULL,
                             "application/json;q=0, text/csv;q=0.5", &r),
                     200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, &f->a, "GET", "/api/v1/events", NULL,
                             "text/html,application/xhtml+xml,*/*;q=0.8", &r),
                     200);
    assert_null(r.content_type);
    ts_http_resp_free(&r);
    assert_int_equal(
        at_call(f->st, &f->a, "GET", "/api/v1/events", "format=ndjson", "image/png", &r), 200);
    assert_string_equal(r.content_type, "application/x-ndjson");
    ts_http_resp_free(&r);
}

/* Another site's objects are answered exactly like missing ones. */
static void test_foreign_objects(void **state)
{
    fx_t *f = *state;
    ts_http_resp_t missing, r;
    assert_int_equal(at_call(f->st, &f->b, "GET", "/api/v1/events/999999", NULL, NULL, &missing),
                     404);
    /* Event 1 is physics' only; 6 nobody's; 5 uni-a's domain. */
    static const char *const foreign_for_b[] = {
        "/api/v1/events/1",  "/api/v1/events/6",
        "/api/v1/events/5",  "/api/v1/events/0",
        "/api/v1/events/01", "/api/v1/events/1x",
        "/api/v1/events/",   "/api/v1/events/9223372036854775808"};
    for (size_t i = 0; i < sizeof foreign_for_b / sizeof *foreign_for_b; i++) {
        assert_int_equal(at_call(f->st, &f->b, "GET", foreign_for_b[i], NULL, NULL, &r), 404);
        assert_int_equal(r.body.len, missing.body.len);
        assert_memory_equal(r.body.data, missing.body.data, r.body.len);
        ts_http_resp_free(&r);
    }
    /* Physics does not see uni-a's events, even its parent's. */
    assert_int_equal(at_call(f->st, &f->phys, "GET", "/api/v1/events/5", NULL, NULL, &r), 404);
    assert_memory_equal(r.body.data, missing.body.data, r.body.len);
    ts_http_resp_free(&r);
    /* Sites: foreign, ancestor and sibling look like unknown ones. */
    const struct {
        const ts_principal_t *who;
        const char *path, *query;
    } sites[] = {
        {&f->a, "/api/v1/events", "site=uni-b"},
        {&f->a, "/api/v1/events", "site=nren"},
        {&f->a, "/api/v1/events", "site=nosuch"},
        {&f->phys, "/api/v1/site", "site=uni-a"},
        {&f->b, "/api/v1/stats", "site=uni-a"},
        {&f->b, "/api/v1/site", "site=uni-a-physics"},
        {&f->csirt, "/api/v1/site", "site=nosuch"},
        {&f->a, "/api/v1/quarantine", NULL},
        {&f->b, "/api/v1/inputs", NULL},
        {&f->nren, "/api/v1/exporters", NULL},
    };
    for (size_t i = 0; i < sizeof sites / sizeof *sites; i++) {
        assert_int_equal(
            at_call(f->st, sites[i].who, "GET", sites[i].path, sites[i].query, NULL, &r), 404);
        assert_int_equal(r.body.len, missing.body.len);
        assert_memory_equal(r.body.data, missing.body.data, r.body.len);
        ts_http_resp_free(&r);
    }
    ts_http_resp_free(&missing);
    /* The CSIRT sees event 6; uni-a sees event 3 with its own owner only. */
    assert_int_equal(at_call(f->st, &f->csirt, "GET", "/api/v1/events/6", NULL, NULL, &r), 200);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(f->st, &f->a, "GET", "/api/v1/events/3", NULL, NULL, &r), 200);
    assert_null(strstr(r.body.data, "uni-b"));
    ts_http_resp_free(&r);
}

/* ---- answers ------------------------------------------------------------------ */

static void golden(const char *name, const ts_http_resp_t *r)
{
    char rel[256], why[8192];
    snprintf(rel, sizeof rel, "api/%s", name);
    /* The golden files are SQLite's answers; health names the backend. */
    static const char sq[] = "\"backend\":\"sqlite\"", pq[] = "\"backend\":\"postgresql\"";
    const char *body = r->body.data;
    size_t len = r->body.len;
    char *norm = NULL;
    const char *at = tt_pg() ? memmem(body, len, pq, sizeof pq - 1) : NULL;
    if (at) {
        size_t pre = (size_t)(at - body);
        norm = malloc(len);
        assert_non_null(norm);
        memcpy(norm, body, pre);
        memcpy(norm + pre, sq, sizeof sq - 1);
        memcpy(norm + pre + sizeof sq - 1, at + sizeof pq - 1, len - pre - (sizeof pq - 1));
        len -= sizeof pq - sizeof sq;
        body = norm;
    }
    int rc = tt_golden(rel, body, len, why, sizeof why);
    free(norm);
    if (rc != 0)
        fail_msg("%s", why);
}

static void get_golden(fx_t *f, const ts_principal_t *who, const char *path, const char *query,
                       const char *name)
{
    ts_http_resp_t r;
    int s = at_call(f->st, who, "GET", path, query, NULL, &r);
    if (s != 200)
        fail_msg("%s?%s: %d %s", path, query ? query : "", s, r.body.data);
    if (r.content_type == NULL) {
        json_object *o = parse_json(&r);
        json_object_put(o);
    }
    golden(name, &r);
    ts_http_resp_free(&r);
}

/* Ids of a JSON event list, in order. */
static size_t list_ids(const ts_http_resp_t *r, int64_t *ids, size_t max, const char **next)
{
    static char cursor[64];
    json_object *o = parse_json(r), *evs, *nc;
    assert_true(json_object_object_get_ex(o, "events", &evs));
    assert_true(json_object_object_get_ex(o, "next_cursor", &nc));
    size_t n = json_object_array_length(evs);
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++) {
        json_object *id;
        assert_true(json_object_object_get_ex(json_object_array_get_idx(evs, i), "id", &id));
        ids[i] = json_object_get_int64(id);
    }
    *next = NULL;
    if (!json_object_is_type(nc, json_type_null)) {
        snprintf(cursor, sizeof cursor, "%s", json_object_get_string(nc));
        *next = cursor;
    }
    json_object_put(o);
    return n;
}

static void expect_ids(fx_t *f, const ts_principal_t *who, const char *query, const int64_t *want,
                       size_t n_want)
{
    ts_http_resp_t r;
    int s = at_call(f->st, who, "GET", "/api/v1/events", query, NULL, &r);
    if (s != 200)
        fail_msg("%s: %d %s", query, s, r.body.data);
    int64_t ids[64];
    const char *next;
    size_t n = list_ids(&r, ids, 64, &next);
    if (n != n_want || (n && memcmp(ids, want, n * sizeof *ids) != 0)) {
        fail_msg("?%s: got %zu events (first %lld), want %zu (first %lld)", query ? query : "", n,
                 n ? (long long)ids[0] : 0LL, n_want, n_want ? (long long)want[0] : 0LL);
    }
    ts_http_resp_free(&r);
}

static void test_filters(void **state)
{
    fx_t *f = *state;
    /* uni-a's subtree: events 1 (phys src), 3 (a src), 5 (a domain), 7 (phys src), 8 (phys dst). */
    expect_ids(f, &f->a, NULL, (int64_t[]){8, 7, 5, 3, 1}, 5);
    expect_ids(f, &f->phys, NULL, (int64_t[]){8, 7, 1}, 3);
    expect_ids(f, &f->b, NULL, (int64_t[]){8, 4, 3, 2}, 4);
    expect_ids(f, &f->nren, NULL, (int64_t[]){8, 7, 5, 4, 3, 2, 1}, 7);
    expect_ids(f, &f->csirt, NULL, (int64_t[]){8, 7, 6, 5, 4, 3, 2, 1}, 8);
    expect_ids(f, &f->a, "site=uni-a-physics", (int64_t[]){8, 7, 1}, 3);
    expect_ids(f, &f->csirt, "site=uni-b", (int64_t[]){8, 4, 3, 2}, 4);
    expect_ids(f, &f->a, "role=source", (int64_t[]){7, 3, 1}, 3);
    expect_ids(f, &f->a, "role=destination", (int64_t[]){8, 5}, 2);
    expect_ids(f, &f->b, "role=source", (int64_t[]){8}, 1);
    expect_ids(f, &f->a, "type=scanner", (int64_t[]){8, 1}, 2);
    expect_ids(f, &f->a, "taxonomy=intrusion-attempts", (int64_t[]){3}, 1);
    expect_ids(f, &f->csirt, "taxonomy=Malicious+Code", (int64_t[]){7}, 1);
    expect_ids(f, &f->a, "ip=192.0.2.5", (int64_t[]){7, 1}, 2);
    expect_ids(f, &f->a, "ip=192.0.2.0/28&role=destination", (int64_t[]){8}, 1);
    /* The role is the caller's: its source events towards that network. */
    expect_ids(f, &f->a, "ip=203.0.113.0/24&role=destination", NULL, 0);
    expect_ids(f, &f->a, "ip=203.0.113.0/24", (int64_t[]){7, 1}, 2);
    expect_ids(f, &f->a, "ip=192.0.2.70&role=source", (int64_t[]){3}, 1);
    expect_ids(f, &f->a, "ip=192.0.2.140&role=source", NULL, 0);
    expect_ids(f, &f->b, "ip=192.0.2.140&role=source", (int64_t[]){8}, 1);
    expect_ids(f, &f->csirt, "ip=2001:db8::/32", (int64_t[]){4}, 1);
    expect_ids(f, &f->a, "ip=2001:db8::/32", NULL, 0);
    expect_ids(f, &f->a, "since=2026-11-25T00:00:00Z&until=2026-11-26T00:00:00Z", (int64_t[]){5, 3},
               2);
    expect_ids(f, &f->a, "since=2026-11-26T07:00:00Z", (int64_t[]){8, 7}, 2);
    expect_ids(f, &f->a, "until=2026-11-26T07:00:00Z", (int64_t[]){5, 3, 1}, 3);
}

static void test_paging(void **state)
{
    fx_t *f = *state;
    const ts_principal_t *whos[] = {&f->a, &f->b, &f->csirt, &f->nren};
    for (size_t w = 0; w < 4; w++) {
        int64_t all[64], page[64];
        size_t n_all = 0;
        const char *next = NULL;
        char q[64];
        int rounds = 0;
        do {
            if (next)
                snprintf(q, sizeof q, "limit=2&cursor=%s", next);
            else
                snprintf(q, sizeof q, "limit=2");
            ts_http_resp_t r;
            assert_int_equal(at_call(f->st, whos[w], "GET", "/api/v1/events", q, NULL, &r), 200);
            size_t n = list_ids(&r, page, 64, &next);
            ts_http_resp_free(&r);
            assert_true(n <= 2);
            assert_true(n == 2 || next == NULL);
            memcpy(all + n_all, page, n * sizeof *page);
            n_all += n;
            assert_true(++rounds < 20);
        } while (next);
        ts_http_resp_t r;
        assert_int_equal(at_call(f->st, whos[w], "GET", "/api/v1/events", "limit=1000", NULL, &r),
                         200);
        const char *none;
        size_t n = list_ids(&r, page, 64, &none);
        assert_null(none);
        ts_http_resp_free(&r);
        assert_int_equal(n, n_all);
        assert_memory_equal(page, all, n * sizeof *page);
    }
    /* CSV and NDJSON lists carry the cursor in a header. */
    ts_http_resp_t r;
    assert_int_equal(at_call(f->st, &f->a, "GET", "/api/v1/events", "limit=2&format=csv", NULL, &r),
                     200);
    assert_int_equal(r.n_headers, 1);
    assert_string_equal(r.header_name[0], "X-Next-Cursor");
    int64_t id;
    assert_int_equal(ts_query_cursor_decode(r.header_value[0], &id), 0);
    assert_int_equal(id, 7);
    ts_http_resp_free(&r);
}

static json_object *get_ok(fx_t *f, const ts_principal_t *who, const char *path, const char *q)
{
    ts_http_resp_t r;
    int s = at_call(f->st, who, "GET", path, q, NULL, &r);
    if (s != 200)
        fail_msg("%s?%s: %d %s", path, q ? q : "", s, r.body.data);
    json_object *o = parse_json(&r);
    ts_http_resp_free(&r);
    return o;
}

static const char *array_names(json_object *o, const char *key, char *buf, size_t size)
{
    json_object *a, *n;
    assert_true(json_object_object_get_ex(o, key, &a));
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        assert_true(json_object_object_get_ex(e, "name", &n));
        off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? " " : "",
                                json_object_get_string(n));
    }
    return buf;
}

/* The site picker's list: the caller's subtree, parents first; all for the CSIRT. */
static void test_sites(void **state)
{
    fx_t *f = *state;
    char buf[256];
    json_object *o = get_ok(f, &f->a, "/api/v1/sites", NULL);
    assert_string_equal(array_names(o, "sites", buf, sizeof buf), "uni-a uni-a-physics");
    json_object_put(o);
    o = get_ok(f, &f->phys, "/api/v1/sites", NULL);
    assert_string_equal(array_names(o, "sites", buf, sizeof buf), "uni-a-physics");
    json_object_put(o);
    o = get_ok(f, &f->csirt, "/api/v1/sites", NULL);
    assert_string_equal(array_names(o, "sites", buf, sizeof buf), "nren uni-a uni-a-physics uni-b");
    json_object_put(o);
    expect_error(f, &f->a, "GET", "/api/v1/sites", "site=uni-a", NULL, 400, "bad_parameter",
                 "site");
    o = get_ok(f, &f->a, "/api/v1/taxonomy", NULL);
    json_object *t, *types;
    assert_true(json_object_object_get_ex(o, "taxonomies", &t));
    assert_int_equal(json_object_array_length(t), 11);
    size_t n_types = 0;
    for (size_t i = 0; i < 11; i++) {
        assert_true(json_object_object_get_ex(json_object_array_get_idx(t, i), "types", &types));
        n_types += json_object_array_length(types);
    }
    assert_int_equal(n_types, 44);
    json_object_put(o);
}

/* The CSIRT's quarantine and inputs: counts, records, filters; sites get 404. */
static void test_quarantine_and_inputs(void **state)
{
    fx_t *f = *state;
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(f->st, "/var/log/suricata/eve.json", "eve", &in), 0);
    in.offset = 1234;
    in.line = 7;
    assert_int_equal(ts_store_input_checkpoint(f->st, &in), 0);
    assert_int_equal(
        ts_store_quarantine_add(f->st, in.id, 3, 100, TS_ESYNTAX, "expected '}'", "{\"a\":", 5, 5),
        0);
    assert_int_equal(ts_store_quarantine_add(f->st, in.id, 5, 200, TS_EUTF8, "bad byte",
                                             "x\xff<script>", 11, 11),
                     0);
    json_object *o = get_ok(f, &f->csirt, "/api/v1/quarantine", NULL), *a, *v;
    assert_true(json_object_object_get_ex(o, "counts", &a));
    assert_int_equal(json_object_array_length(a), 2);
    assert_true(json_object_object_get_ex(o, "records", &a));
    assert_int_equal(json_object_array_length(a), 2);
    json_object *newest = json_object_array_get_idx(a, 0);
    assert_true(json_object_object_get_ex(newest, "reason", &v));
    assert_string_equal(json_object_get_string(v), "utf8");
    assert_true(json_object_object_get_ex(newest, "data", &v));
    assert_string_equal(json_object_get_string(v), "x\xef\xbf\xbd<script>");
    assert_true(json_object_object_get_ex(newest, "input", &v));
    assert_string_equal(json_object_get_string(v), "/var/log/suricata/eve.json");
    json_object_put(o);
    o = get_ok(f, &f->csirt, "/api/v1/quarantine", "reason=syntax&limit=5");
    assert_true(json_object_object_get_ex(o, "records", &a));
    assert_int_equal(json_object_array_length(a), 1);
    json_object_put(o);
    o = get_ok(f, &f->csirt, "/api/v1/quarantine", "limit=1");
    assert_true(json_object_object_get_ex(o, "records", &a));
    assert_int_equal(json_object_array_length(a), 1);
    json_object_put(o);
    expect_error(f, &f->csirt, "GET", "/api/v1/quarantine", "reason=Bad%20Key", NULL, 400,
                 "bad_parameter", "reason");
    expect_error(f, &f->csirt, "GET", "/api/v1/quarantine", "limit=0", NULL, 400, "bad_parameter",
                 "limit");
    o = get_ok(f, &f->csirt, "/api/v1/inputs", NULL);
    assert_true(json_object_object_get_ex(o, "inputs", &a));
    assert_int_equal(json_object_array_length(a), 1);
    assert_true(json_object_object_get_ex(json_object_array_get_idx(a, 0), "offset", &v));
    assert_int_equal(json_object_get_int64(v), 1234);
    json_object_put(o);
    expect_error(f, &f->a, "GET", "/api/v1/quarantine", NULL, NULL, 404, "not_found", NULL);
    expect_error(f, &f->a, "GET", "/api/v1/inputs", NULL, NULL, 404, "not_found", NULL);
}

/* A CSV download writes each time as the JSON answer does. */
static void test_csv_times_match_json(void **state)
{
    fx_t *f = *state;
    ts_http_resp_t rj, rc;
    assert_int_equal(at_call(f->st, &f->csirt, "GET", "/api/v1/events", NULL, NULL, &rj), 200);
    assert_int_equal(at_call(f->st, &f->csirt, "GET", "/api/v1/events", "format=csv", NULL, &rc),
                     200);
    json_object *o = parse_json(&rj), *events, *ev, *v;
    assert_true(json_object_object_get_ex(o, "events", &events));
    ts_buf_putc(&rc.body, '\0');
    size_t compared = 0;
    for (size_t i = 0; i < json_object_array_length(events); i++) {
        ev = json_object_array_get_idx(events, i);
        assert_true(json_object_object_get_ex(ev, "id", &v));
        char row[64];
        snprintf(row, sizeof row, "\r\n%lld,", (long long)json_object_get_int64(v));
        const char *line = strstr(rc.body.data, row);
        assert_non_null(line);
        line += strlen(row);
        if (!json_object_object_get_ex(ev, "time", &v) || *line == ',')
            continue; /* no time, or only an observation time (not a CSV column) */
        const char *t = json_object_get_string(v);
        if (strncmp(line, t, strlen(t)) != 0 || line[strlen(t)] != ',')
            fail_msg("CSV time %.40s, JSON time %s", line, t);
        compared++;
    }
    assert_true(compared >= 5);
    json_object_put(o);
    ts_http_resp_free(&rj);
    ts_http_resp_free(&rc);
}

static void test_golden(void **state)
{
    fx_t *f = *state;
    get_golden(f, NULL, "/api/v1/health", NULL, "health.json");
    get_golden(f, &f->a, "/api/v1/me", NULL, "me_uni-a.json");
    get_golden(f, &f->csirt, "/api/v1/me", NULL, "me_csirt.json");
    get_golden(f, &f->a, "/api/v1/events", NULL, "events_uni-a.json");
    get_golden(f, &f->a, "/api/v1/events", "format=csv", "events_uni-a.csv");
    get_golden(f, &f->a, "/api/v1/events", "format=ndjson", "events_uni-a.ndjson");
    get_golden(f, &f->csirt, "/api/v1/events", "limit=3", "events_csirt_page1.json");
    get_golden(f, &f->a, "/api/v1/events/3", NULL, "event_3_uni-a.json");
    get_golden(f, &f->b, "/api/v1/events/3", NULL, "event_3_uni-b.json");
    get_golden(f, &f->csirt, "/api/v1/events/3", NULL, "event_3_csirt.json");
    get_golden(f, &f->a, "/api/v1/events/5", NULL, "event_5_uni-a.json");
    get_golden(f, &f->a, "/api/v1/stats", "since=2026-11-20T00:00:00Z&until=2026-11-27T00:00:00Z",
               "stats_uni-a.json");
    get_golden(f, &f->csirt, "/api/v1/stats",
               "since=2026-11-20T00:00:00Z&until=2026-11-27T00:00:00Z", "stats_csirt.json");
    get_golden(f, &f->a, "/api/v1/site", NULL, "site_uni-a.json");
    get_golden(f, &f->a, "/api/v1/site", "site=uni-a-physics", "site_uni-a-physics.json");
    get_golden(f, &f->csirt, "/api/v1/site", "site=nren", "site_nren.json");
}

static int setup_targets(void **state)
{
    if (setup(state) != 0)
        return -1;
    fx_t *f = *state;
    at_fixture_targets(f->st);
    return 0;
}

/* The destination's hosts of a scan as each caller may see them. */
static const char *dst_list(json_object *ev)
{
    json_object *d, *t, *l;
    if (!json_object_object_get_ex(ev, "destination", &d) ||
        !json_object_object_get_ex(d, "targets", &t) || !json_object_object_get_ex(t, "list", &l))
        return "-";
    return json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN);
}

/* Many targets: each site sees only its own hosts, in the event and its
 * reasons; the CSIRT sees the whole list; TLP shows in every format. */
static void test_targets(void **state)
{
    fx_t *f = *state;
    static const char *const want[] = {
        "[\"192.0.2.3\",\"192.0.2.20\",\"192.0.2.21\",\"192.0.2.140\",\"203.0.113.1\"]",
        "[\"192.0.2.3\",\"192.0.2.20\",\"192.0.2.21\",\"192.0.2.140\"]",
        "[\"192.0.2.3\",\"192.0.2.20\",\"192.0.2.21\"]",
        "[\"192.0.2.3\"]",
        "[\"192.0.2.140\"]",
    };
    const ts_principal_t *who[] = {&f->csirt, &f->nren, &f->a, &f->phys, &f->b};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        ts_http_resp_t r;
        assert_int_equal(at_call(f->st, who[i], "GET", "/api/v1/events/9", NULL, NULL, &r), 200);
        json_object *o = parse_json(&r);
        if (strcmp(dst_list(o), want[i]) != 0)
            fail_msg("%s: event 9 shows %s, want %s", who[i]->csirt ? "csirt" : who[i]->site,
                     dst_list(o), want[i]);
        json_object_put(o);
        ts_http_resp_free(&r);
    }
    get_golden(f, &f->a, "/api/v1/events/9", NULL, "event_9_uni-a.json");
    get_golden(f, &f->b, "/api/v1/events/9", NULL, "event_9_uni-b.json");
    get_golden(f, &f->csirt, "/api/v1/events/9", NULL, "event_9_csirt.json");
    get_golden(f, &f->phys, "/api/v1/events/10", NULL, "event_10_uni-a-physics.json");
    get_golden(f, &f->b, "/api/v1/events", "limit=2", "events_uni-b_targets.json");
    get_golden(f, &f->a, "/api/v1/events", "limit=2&format=csv", "events_uni-a_targets.csv");
    get_golden(f, &f->a, "/api/v1/events", "limit=2&format=ndjson", "events_uni-a_targets.ndjson");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_parser),
        cmocka_unit_test_setup_teardown(test_unauthenticated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_acceptable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_times_match_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_and_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_targets, setup_targets, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
