/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenAPI document against the server's real behaviour, on the fixed
 * store of apitest.h. For every documented path: its example request answers
 * 200 with a body matching the documented schema (required properties,
 * types, enums, nullability, no undocumented properties); each documented
 * parameter is accepted with its example and refused (400, naming it) with a
 * malformed value; an undocumented parameter is refused; every documented
 * error status is produced and its body matches the schema. And the other
 * way round: every path ts_api_handle() answers is documented. */
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
#include "bus/bus.h"
#include "advisory/import.h"
#include "portal/openapi.h"
#include "store/domainstore.h"
#include "store/scanstore.h"
#include "testutil.h"
#include "ttstore.h"

static json_object *doc;
static ts_store_t *st;
static char *dir;
static char loc[512];
static ts_principal_t who; /* uni-a */
static ts_principal_t csirt_who = {.csirt = true, .holder = "CSIRT duty"};

/* The health members a serve daemon with a NATS bus adds, from a fixed
 * state, so that the document's Health schema is checked against them too. */
static void bus_health(struct ts_jsonw *w, void *ctx)
{
    (void)ctx;
    ts_bus_health_t h;
    memset(&h, 0, sizeof h);
    h.connected = true;
    snprintf(h.server, sizeof h.server, "NDXYZ");
    h.stream_msgs = 12;
    h.stream_replicas = 3;
    h.replicas_current = 2;
    snprintf(h.leader, sizeof h.leader, "n1");
    h.consumer_pending = 7;
    h.n_nodes = 1;
    snprintf(h.nodes[0].name, sizeof h.nodes[0].name, "ingest-a");
    snprintf(h.nodes[0].role, sizeof h.nodes[0].role, "ingest");
    ts_bus_health_json(&h, w);
}

static int setup(void **state)
{
    (void)state;
    ts_api_set_health(bus_health, NULL);
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    doc = json_tokener_parse_ex(tok, ts_api_openapi_json, (int)strlen(ts_api_openapi_json));
    bool ok = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!ok || doc == NULL)
        return -1;
    dir = tt_tmpdir();
    if (tt_store_fresh(dir, "oa.db", loc, sizeof loc) != 0 || ts_store_open(loc, &st) != 0)
        return -1;
    at_fixture(st);
    at_fixture_targets(st);
    who = at_site("uni-a", 2);
    /* The advisory endpoints: uni-a runs a product one advisory names
     * (platform 1, matched) and another one (platform 2, deleted by the
     * DELETE example); its child uni-a-physics (the site parameter's example)
     * runs the named product too. */
    static const char csaf[] =
        "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
        "\"publisher\":{\"category\":\"vendor\",\"name\":\"Example\","
        "\"namespace\":\"https://example.test\"},\"title\":\"Gadget flaw\","
        "\"tracking\":{\"current_release_date\":\"2026-01-02T00:00:00Z\","
        "\"id\":\"OA-TEST-2026-0001\",\"initial_release_date\":\"2026-01-02T00:00:00Z\","
        "\"revision_history\":[{\"date\":\"2026-01-02T00:00:00Z\",\"number\":\"1\","
        "\"summary\":\"x\"}],\"status\":\"final\",\"version\":\"1\"}},"
        "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Example\","
        "\"branches\":[{\"category\":\"product_name\",\"name\":\"Gadget\",\"branches\":["
        "{\"category\":\"product_version_range\",\"name\":\"<2.0\",\"product\":{"
        "\"name\":\"Example Gadget <2.0\",\"product_id\":\"P1\"}}]}]}]},"
        "\"vulnerabilities\":[{\"cve\":\"CVE-2026-0001\",\"product_status\":{"
        "\"known_affected\":[\"P1\"]},\"remediations\":[{\"category\":\"vendor_fix\","
        "\"details\":\"Update to 2.0.\",\"product_ids\":[\"P1\"]}],\"scores\":[{"
        "\"products\":[\"P1\"],\"cvss_v3\":{\"version\":\"3.1\",\"baseScore\":7.5,"
        "\"baseSeverity\":\"HIGH\",\"vectorString\":"
        "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"}}]}]}";
    int64_t pid, phys;
    char err[256];
    if (ts_store_site_find(st, "uni-a-physics", &phys) != 0)
        return -1;
    ts_adv_import_stats_t stats;
    memset(&stats, 0, sizeof stats);
    if (ts_adv_platform_add(st, 2, "example:gadget:1.5", &pid, &stats, err, sizeof err) != 0 ||
        pid != 1 ||
        ts_adv_platform_add(st, 2, "example:widget:3.0", &pid, &stats, err, sizeof err) != 0 ||
        pid != 2 ||
        ts_adv_platform_add(st, phys, "example:gadget:1.0", &pid, &stats, err, sizeof err) != 0 ||
        ts_adv_import_buffer(st, csaf, strlen(csaf), "oa.json", &stats, NULL, NULL) != 0)
        return -1;
    /* The scan endpoints: uni-a's scan 1 (the detail's example) and its
     * child's queued scan 2 (the cancel's example). */
    ts_scan_rec_t scan = {.site_id = 2,
                          .requested_by = "t",
                          .targets = "192.0.2.0/28",
                          .ports = "22",
                          .state = "done"};
    int64_t sid;
    if (ts_store_scan_add(st, &scan, &sid) != 0 || sid != 1)
        return -1;
    scan.site_id = phys;
    scan.state = "queued";
    if (ts_store_scan_add(st, &scan, &sid) != 0 || sid != 2)
        return -1;
    /* The domain cases: the zone cz claimed, case 1 reported. */
    static const ts_domain_evidence_t ev = {.kind = "url", .value = "https://phish.example.cz/"};
    int64_t cid = 0;
    bool joined = false;
    if (ts_store_domain_zone_add(st, "cz", 1) != 0 ||
        ts_store_domain_case_open(st, "phish.example.cz", "phishing", "t", NULL, &ev, 1, 1, &cid,
                                  &joined, NULL) != 0 ||
        cid != 1)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_object_put(doc);
    ts_store_close(st);
    tt_store_drop(loc);
    tt_rmtree(dir);
    free(dir);
    return 0;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* "#/components/schemas/X" and friends. */
static json_object *deref(json_object *o)
{
    for (int depth = 0; depth < 8 && o; depth++) {
        json_object *r = get(o, "$ref");
        if (r == NULL)
            return o;
        const char *p = json_object_get_string(r);
        if (strncmp(p, "#/", 2) != 0)
            fail_msg("external $ref %s", p);
        json_object *cur = doc;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", p + 2);
        for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok;
             tok = strtok_r(NULL, "/", &save))
            cur = get(cur, tok);
        if (cur == NULL)
            fail_msg("dangling $ref %s", p);
        o = cur;
    }
    return o;
}

/* Validates v against schema; where names the place for messages. */
static void validate(json_object *schema, json_object *v, const char *where)
{
    schema = deref(schema);
    json_object *t = get(schema, "type");
    if (v == NULL || json_object_is_type(v, json_type_null)) {
        json_object *n = get(schema, "nullable");
        if (n == NULL || !json_object_get_boolean(n))
            fail_msg("%s: null where the schema does not allow it", where);
        return;
    }
    if (t == NULL)
        return;
    const char *type = json_object_get_string(t);
    char sub[512];
    if (strcmp(type, "object") == 0) {
        if (!json_object_is_type(v, json_type_object))
            fail_msg("%s: not an object", where);
        json_object *req = get(schema, "required"), *props = get(schema, "properties");
        for (size_t i = 0; req && i < json_object_array_length(req); i++) {
            const char *k = json_object_get_string(json_object_array_get_idx(req, i));
            if (!json_object_object_get_ex(v, k, NULL))
                fail_msg("%s: required property %s missing", where, k);
        }
        json_object *ap = get(schema, "additionalProperties");
        json_object_object_foreach(v, key, val)
        {
            json_object *ps = get(props, key);
            if (ps == NULL) {
                if (ap && !json_object_get_boolean(ap))
                    fail_msg("%s: undocumented property %s", where, key);
                continue;
            }
            snprintf(sub, sizeof sub, "%s.%s", where, key);
            validate(ps, val, sub);
        }
    } else if (strcmp(type, "array") == 0) {
        if (!json_object_is_type(v, json_type_array))
            fail_msg("%s: not an array", where);
        json_object *mx = get(schema, "maxItems");
        if (mx && json_object_array_length(v) > (size_t)json_object_get_int(mx))
            fail_msg("%s: more than maxItems", where);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            validate(get(schema, "items"), json_object_array_get_idx(v, i), sub);
        }
    } else if (strcmp(type, "string") == 0) {
        if (!json_object_is_type(v, json_type_string))
            fail_msg("%s: not a string", where);
        json_object *en = get(schema, "enum");
        if (en) {
            bool found = false;
            for (size_t i = 0; i < json_object_array_length(en); i++)
                found |= strcmp(json_object_get_string(json_object_array_get_idx(en, i)),
                                json_object_get_string(v)) == 0;
            if (!found)
                fail_msg("%s: '%s' not in the enum", where, json_object_get_string(v));
        }
    } else if (strcmp(type, "integer") == 0) {
        if (!json_object_is_type(v, json_type_int))
            fail_msg("%s: not an integer", where);
        json_object *mn = get(schema, "minimum");
        if (mn && json_object_get_int64(v) < json_object_get_int64(mn))
            fail_msg("%s: below minimum", where);
    } else if (strcmp(type, "boolean") == 0) {
        if (!json_object_is_type(v, json_type_boolean))
            fail_msg("%s: not a boolean", where);
    } else if (strcmp(type, "number") == 0) {
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
            fail_msg("%s: not a number", where);
    } else {
        fail_msg("%s: unknown schema type %s", where, type);
    }
}

/* The concrete path of a template: {id} gets the parameter's example. */
static void concrete(const char *tmpl, json_object *op, char *out, size_t n)
{
    const char *brace = strchr(tmpl, '{');
    if (brace == NULL) {
        snprintf(out, n, "/api/v1%s", tmpl);
        return;
    }
    json_object *params = get(op, "parameters");
    const char *example = NULL;
    for (size_t i = 0; params && i < json_object_array_length(params); i++) {
        json_object *p = deref(json_object_array_get_idx(params, i));
        if (strcmp(json_object_get_string(get(p, "in")), "path") == 0)
            example = json_object_get_string(get(p, "example"));
    }
    assert_non_null(example);
    snprintf(out, n, "/api/v1%.*s%s%s", (int)(brace - tmpl), tmpl, example, strchr(brace, '}') + 1);
}

static bool public_op(json_object *op)
{
    json_object *a = get(op, "x-authentication");
    assert_non_null(a);
    return strcmp(json_object_get_string(a), "none") == 0;
}

static bool csirt_op(json_object *op)
{
    return strcmp(json_object_get_string(get(op, "x-authentication")), "csirt-certificate") == 0;
}

/* Calls and validates against the documented response of that status. */
static void check_response(json_object *op, const char *path, const char *query,
                           const ts_principal_t *p, const char *method, const char *accept,
                           int want)
{
    ts_http_resp_t r;
    int s = at_call(st, p, method, path, query, accept, &r);
    if (s != want)
        fail_msg("%s %s?%s: status %d, want %d (%s)", method, path, query ? query : "", s, want,
                 r.body.data ? r.body.data : "");
    char code[8];
    snprintf(code, sizeof code, "%d", s);
    json_object *resp = deref(get(get(op, "responses"), code));
    if (resp == NULL)
        fail_msg("%s: status %d is not documented", path, s);
    json_object *content = get(resp, "content");
    const char *ct = r.content_type ? r.content_type : "application/json";
    char media[64];
    snprintf(media, sizeof media, "%.*s", (int)strcspn(ct, ";"), ct);
    json_object *mt = get(content, media);
    if (mt == NULL)
        fail_msg("%s: content type %s of status %d is not documented", path, media, s);
    if (strcmp(media, "application/json") == 0) {
        json_object *body = json_tokener_parse(r.body.data ? r.body.data : "");
        assert_non_null(body);
        char where[640];
        snprintf(where, sizeof where, "%s?%s (%d)", path, query ? query : "", s);
        validate(get(mt, "schema"), body, where);
        json_object_put(body);
    }
    for (int i = 0; i < r.n_headers; i++)
        if (get(get(resp, "headers"), r.header_name[i]) == NULL)
            fail_msg("%s: header %s of status %d is not documented", path, r.header_name[i], s);
    ts_http_resp_free(&r);
}

static void check_write_call(json_object *op, const char *path, const char *method,
                             const char *body, const ts_principal_t *p, int want);

/* A state-changing operation: its example works and answers as documented,
 * a repeat of a DELETE is a 404, and nobody unauthenticated gets through. */
static void check_write(const char *tmpl, const char *method, json_object *op)
{
    char path[256];
    concrete(tmpl, op, path, sizeof path);
    char up[8];
    snprintf(up, sizeof up, "%s", method);
    for (char *c = up; *c; c++)
        *c = (char)(*c - 'a' + 'A');
    const char *body = NULL;
    json_object *ex =
        get(get(get(get(op, "requestBody"), "content"), "application/json"), "example");
    if (ex)
        body = json_object_to_json_string_ext(ex, JSON_C_TO_STRING_PLAIN);
    int want = 0;
    json_object_object_foreach(get(op, "responses"), code, r)
    {
        (void)r;
        if (code[0] == '2')
            want = atoi(code);
    }
    assert_true(want != 0);
    const ts_principal_t *p = csirt_op(op) ? &csirt_who : &who;
    check_write_call(op, path, up, body, p, want);
    if (strcmp(up, "DELETE") == 0)
        check_write_call(op, path, up, body, p, 404);
    if (body)
        check_write_call(op, path, up, "{\"spec\":\"\"}", p, 400);
    if (csirt_op(op)) /* a site does not know of it */
        check_write_call(op, path, up, body, &who, 404);
    check_write_call(op, path, up, body, NULL, 401);
}

static void check_write_call(json_object *op, const char *path, const char *method,
                             const char *body, const ts_principal_t *p, int want)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.who = p;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = body ? "application/json" : NULL;
    ts_http_resp_t r;
    ts_http_resp_init(&r);
    ts_api_handle(st, &req, &r);
    if (r.status != want)
        fail_msg("%s %s: status %d, want %d (%s)", method, path, r.status, want,
                 r.body.data ? r.body.data : "");
    char code[8];
    snprintf(code, sizeof code, "%d", r.status);
    json_object *resp = deref(get(get(op, "responses"), code));
    if (resp == NULL)
        fail_msg("%s %s: status %d is not documented", method, path, r.status);
    json_object *mt = get(get(resp, "content"), "application/json");
    if (mt != NULL) {
        json_object *v = json_tokener_parse(r.body.data ? r.body.data : "");
        assert_non_null(v);
        validate(get(mt, "schema"), v, path);
        json_object_put(v);
    } else if (r.body.len != 0 && want == 204) {
        fail_msg("%s %s: a body with 204", method, path);
    }
    ts_http_resp_free(&r);
}

/* Every operation, every parameter, every documented status. */
static void test_documented_paths(void **state)
{
    (void)state;
    assert_string_equal(json_object_get_string(get(doc, "openapi")), "3.0.3");
    json_object *paths = get(doc, "paths");
    assert_non_null(paths);
    int n_ops = 0;
    json_object_object_foreach(paths, tmpl, item)
    {
        json_object_object_foreach(item, method, op)
        {
            n_ops++;
            if (strcmp(method, "get") != 0) {
                check_write(tmpl, method, op);
                continue;
            }
            char path[256];
            concrete(tmpl, op, path, sizeof path);
            const ts_principal_t *p = public_op(op) ? NULL : csirt_op(op) ? &csirt_who : &who;
            json_object *responses = get(op, "responses");
            /* The plain request (with the required parameters' examples). */
            json_object *params = get(op, "parameters");
            char plain[256] = "";
            for (size_t i = 0; params && i < json_object_array_length(params); i++) {
                json_object *prm = deref(json_object_array_get_idx(params, i));
                json_object *req = get(prm, "required");
                if (strcmp(json_object_get_string(get(prm, "in")), "query") == 0 && req &&
                    json_object_get_boolean(req))
                    snprintf(plain + strlen(plain), sizeof plain - strlen(plain), "%s%s=%s",
                             plain[0] ? "&" : "", json_object_get_string(get(prm, "name")),
                             json_object_get_string(get(prm, "example")));
            }
            check_response(op, path, plain[0] ? plain : NULL, p, "GET", NULL, 200);
            check_response(op, path, plain[0] ? plain : NULL, p, "HEAD", NULL, 200);
            /* Every documented query parameter: its example works, garbage does not. */
            for (size_t i = 0; params && i < json_object_array_length(params); i++) {
                json_object *prm = deref(json_object_array_get_idx(params, i));
                if (strcmp(json_object_get_string(get(prm, "in")), "query") != 0)
                    continue;
                const char *name = json_object_get_string(get(prm, "name"));
                json_object *ex = get(prm, "example");
                assert_non_null(ex);
                char q[256];
                snprintf(q, sizeof q, "%s=%s", name, json_object_get_string(ex));
                check_response(op, path, q, p, "GET", NULL, 200);
                snprintf(q, sizeof q, "%s=%%zz", name);
                check_response(op, path, q, p, "GET", NULL, 400);
                snprintf(q, sizeof q, "%s=%s&%s=%s", name, json_object_get_string(ex), name,
                         json_object_get_string(ex));
                check_response(op, path, q, p, "GET", NULL, 400);
                /* Every documented media type of a format parameter is served. */
                if (strcmp(name, "format") == 0) {
                    json_object *content = get(get(responses, "200"), "content");
                    json_object_object_foreach(content, media, mt)
                    {
                        json_object *xf = get(mt, "x-format");
                        snprintf(q, sizeof q, "format=%s",
                                 xf ? json_object_get_string(xf) : "json");
                        check_response(op, path, q, p, "GET", NULL, 200);
                        check_response(op, path, NULL, p, "GET", media, 200);
                    }
                }
            }
            /* An undocumented parameter, and every parameter some other
             * operation has but this one does not document. */
            check_response(op, path, "undocumented=1", p, "GET", NULL, 400);
            json_object *all = get(get(doc, "components"), "parameters");
            json_object_object_foreach(all, pname, pdef)
            {
                bool listed = false;
                for (size_t i = 0; params && i < json_object_array_length(params); i++)
                    listed |= deref(json_object_array_get_idx(params, i)) == pdef;
                if (listed)
                    continue;
                char q[256];
                snprintf(q, sizeof q, "%s=%s", json_object_get_string(get(pdef, "name")),
                         json_object_get_string(get(pdef, "example")));
                (void)pname;
                check_response(op, path, q, p, "GET", NULL, 400);
            }
            /* Every documented error status can be produced. */
            json_object_object_foreach(responses, code, resp)
            {
                (void)resp;
                int c = atoi(code);
                switch (c) {
                case 200:
                case 400:
                    break;
                case 401:
                    check_response(op, path, NULL, NULL, "GET", NULL, 401);
                    break;
                case 404:
                    if (csirt_op(op))
                        check_response(op, path, NULL, &who, "GET", NULL, 404);
                    else if (strncmp(tmpl, "/events/", 8) == 0)
                        check_response(op, "/api/v1/events/2", NULL, p, "GET", NULL, 404);
                    else if (strstr(tmpl, "{id}"))
                        check_response(op, "/api/v1/advisories/NO-SUCH-9", NULL, p, "GET", NULL,
                                       404);
                    else
                        check_response(op, path, "site=uni-b", p, "GET", NULL, 404);
                    break;
                case 405:
                    /* Every method the path does not document. */
                    for (size_t m = 0; m < 3; m++) {
                        static const char *const up[] = {"POST", "DELETE", "PUT"};
                        static const char *const low[] = {"post", "delete", "put"};
                        if (get(item, low[m]) == NULL)
                            check_response(op, path, NULL, p, up[m], NULL, 405);
                    }
                    break;
                case 406:
                    check_response(op, path, NULL, p, "GET", "image/png", 406);
                    break;
                case 500:
                    /* A store failure; documented, not provoked here. */
                    break;
                default:
                    fail_msg("%s: status %s documented but not checked", tmpl, code);
                }
            }
        }
    }
    assert_true(n_ops >= 7);
}

/* Paths the handler answers (anything but 404 to an authenticated caller) are
 * documented; documented ones answer. Advisory paths belong to
 * api_advisory.c and are not described by this document yet. */
static void test_routes_documented(void **state)
{
    (void)state;
    static const char *const probes[] = {
        "health",
        "openapi.json",
        "me",
        "events",
        "events/1",
        "events/3",
        "stats",
        "site",
        "",
        "health/",
        "me/",
        "events/",
        "events/1/x",
        "event",
        "sites",
        "site/uni-a",
        "stats/day",
        "admin",
        "openapi",
        "openapi.yaml",
        "events/abc",
        "events/-1",
        "EVENTS",
        "users",
        "config",
        "debug",
        "metrics",
        "events%2F1",
        "../me",
        "./me",
        "exporters",
        "exporters/1",
        "advisories",
        "platforms",
        "advisories/feed.atom",
        "platform",
        "advisory",
        "taxonomy",
        "quarantine",
        "inputs",
        "sites/x",
        "inputs/1",
        "quarantine/1",
        "scans",
        "scans/1",
        "scans/x",
        "scans/1/x",
        "incidents",
        "incidents/1",
        "incident",
        "suppressions",
        "suppression",
        "feedback",
        "feedback/1",
        "teams",
        "teams/x",
        "team",
        "contact-lookup",
        "contact-lookup/x",
        "domain-cases",
        "domain-cases/1",
        "domain-cases/x",
        "domain-cases/1/x",
        "domain-case",
    };
    json_object *paths = get(doc, "paths");
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/%s", probes[i]);
        /* The documented GET this path is an instance of, if any. */
        json_object *op = NULL;
        json_object_object_foreach(paths, tmpl, item)
        {
            char concrete_path[128];
            const char *brace = strchr(tmpl, '{');
            bool match;
            if (brace) {
                size_t pre = (size_t)(brace - tmpl);
                snprintf(concrete_path, sizeof concrete_path, "/%s", probes[i]);
                match = strncmp(concrete_path, tmpl, pre) == 0 &&
                        strspn(concrete_path + pre, "0123456789") == strlen(concrete_path + pre) &&
                        concrete_path[pre] != '\0';
            } else {
                snprintf(concrete_path, sizeof concrete_path, "/api/v1%s", tmpl);
                match = strcmp(concrete_path, path) == 0;
            }
            if (match && get(item, "get"))
                op = get(item, "get");
        }
        /* Asked as whom the document says may ask (a site, or the CSIRT). */
        ts_http_resp_t r;
        int s = at_call(st, op && csirt_op(op) ? &csirt_who : &who, "GET", path, NULL, NULL, &r);
        ts_http_resp_free(&r);
        if (op == NULL) {
            /* Not documented: nobody, site or CSIRT, gets anything there. */
            int sc = at_call(st, &csirt_who, "GET", path, NULL, NULL, &r);
            ts_http_resp_free(&r);
            if (s != 404 || sc != 404)
                fail_msg("%s answers %d / %d (CSIRT) but is not documented", path, s, sc);
        }
        /* events/1 is another site's event. */
        if (op != NULL && s == 404 && strcmp(probes[i], "events/1") != 0)
            fail_msg("%s is documented but answers 404", path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_paths),
        cmocka_unit_test(test_routes_documented),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
