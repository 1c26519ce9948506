/* SPDX-License-Identifier: Apache-2.0 */
/* Domain cases in the portal. Refusals first: malformed bodies, evidence the
 * API does not take (files), a deactivation over the cap and an extension
 * without new evidence (409 naming the rule), a domain outside the claimed
 * zones; a site's certificate gets the 404 of an unknown path for every
 * case path, byte for byte. Then the CSIRT's decisions, audited with its
 * fingerprint, and the public list without a certificate in its three forms
 * (HTML, JSON, Atom parsed with libxml2): only deactivated domains with
 * since, until and reason; past cases counted; nothing private (evidence,
 * notes, who, the cases not deactivated) in any of them. On both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "apitest.h"
#include "store/domainstore.h"
#include "testutil.h"
#include "ttstore.h"

static ts_store_t *st;
static char *dir;
static char loc[512];
static ts_principal_t site, csirt;

static int setup(void **state)
{
    (void)state;
    dir = tt_tmpdir();
    if (tt_store_fresh(dir, "d.db", loc, sizeof loc) != 0 || ts_store_open(loc, &st) != 0)
        return -1;
    at_fixture(st);
    site = at_site("uni-a", 2);
    csirt = at_csirt();
    return ts_store_domain_zone_add(st, "cz", 1);
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

static int post(const ts_principal_t *who, const char *path, const char *body, ts_http_resp_t *resp)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = path;
    req.who = who;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = "application/json";
    ts_http_resp_init(resp);
    ts_api_handle(st, &req, resp);
    return resp->status;
}

/* POSTs and checks the status; returns the body's "id" (0 without one). */
static int64_t expect_post(const ts_principal_t *who, const char *path, const char *body, int want,
                           const char *msg_part)
{
    ts_http_resp_t r;
    int s = post(who, path, body, &r);
    if (s != want)
        fail_msg("POST %s %s: %d, want %d: %s", path, body, s, want,
                 r.body.data ? r.body.data : "");
    if (msg_part && (r.body.data == NULL || strstr(r.body.data, msg_part) == NULL))
        fail_msg("POST %s %s: '%s' not in %s", path, body, msg_part, r.body.data);
    int64_t id = 0;
    json_object *o = r.body.data ? json_tokener_parse(r.body.data) : NULL, *v;
    if (o && json_object_object_get_ex(o, "id", &v))
        id = json_object_get_int64(v);
    json_object_put(o);
    ts_http_resp_free(&r);
    return id;
}

static char *get_body(const ts_principal_t *who, const char *path, int want)
{
    ts_http_resp_t r;
    int s = at_call(st, who, "GET", path, NULL, NULL, &r);
    if (s != want)
        fail_msg("GET %s: %d, want %d: %s", path, s, want, r.body.data ? r.body.data : "");
    char *b = strdup(r.body.data ? r.body.data : "");
    ts_http_resp_free(&r);
    return b;
}

static void test_refusals(void **state)
{
    (void)state;
    const char *p = "/api/v1/domain-cases";
    expect_post(&csirt, p, "not json", 400, NULL);
    expect_post(&csirt, p, "{\"domain\":\"a.cz\",\"reason\":\"phishing\",\"evidence\":[],\"x\":1}",
                400, "unknown field");
    expect_post(&csirt, p,
                "{\"domain\":\"a.cz\",\"reason\":\"phishing\",\"evidence\":[\"shot.png\"]}", 400,
                "URL or event");
    expect_post(&csirt, p,
                "{\"domain\":\"a.cz\",\"reason\":\"phishing\",\"evidence\":[\"gopher://x\"]}", 400,
                "http");
    expect_post(&csirt, p,
                "{\"domain\":\"a..cz\",\"reason\":\"phishing\",\"evidence\":[\"https://a.cz/\"]}",
                400, "label");
    expect_post(&csirt, p,
                "{\"domain\":\"evil.sk\",\"reason\":\"phishing\",\"evidence\":[\"https://x.sk/\"]}",
                409, "claims");
    expect_post(&csirt, p,
                "{\"domain\":\"a.cz\",\"reason\":\"phishing\",\"evidence\":[\"event:987\"]}", 409,
                "does not exist");
    int64_t id = expect_post(&csirt, p,
                             "{\"domain\":\"Shop.Example.CZ.\",\"reason\":\"fraud\",\"evidence\":["
                             "\"https://shop.example.cz/\"]}",
                             201, "\"domain\":\"shop.example.cz\"");
    assert_true(id > 0);
    char dp[128];
    snprintf(dp, sizeof dp, "/api/v1/domain-cases/%lld/decisions", (long long)id);
    expect_post(&csirt, dp, "{\"action\":\"explode\"}", 400, "unknown action");
    expect_post(&csirt, dp, "{\"action\":\"open\"}", 400, "unknown action");
    expect_post(&csirt, dp, "{\"action\":\"deactivate\",\"days\":31}", 409, "max_days");
    expect_post(&csirt, dp, "{\"action\":\"extend\",\"days\":3}", 409, "deactivated");
    expect_post(&csirt, dp, "{\"action\":\"deactivate\",\"days\":3}", 200, "\"deactivated\"");
    expect_post(&csirt, dp, "{\"action\":\"extend\",\"days\":3}", 409, "new evidence");
    expect_post(&csirt, "/api/v1/domain-cases/999/decisions", "{\"action\":\"review\"}", 404, NULL);

    /* A site: every case path is an unknown path, the same bytes. */
    char *unknown = get_body(&site, "/api/v1/no-such-thing", 404);
    char *list = get_body(&site, "/api/v1/domain-cases", 404);
    char one[64];
    snprintf(one, sizeof one, "/api/v1/domain-cases/%lld", (long long)id);
    char *c1 = get_body(&site, one, 404);
    assert_string_equal(list, unknown);
    assert_string_equal(c1, unknown);
    ts_http_resp_t r;
    assert_int_equal(post(&site, dp, "{\"action\":\"reactivate\"}", &r), 404);
    assert_string_equal(r.body.data, unknown);
    ts_http_resp_free(&r);
    free(unknown);
    free(list);
    free(c1);
    /* Without a certificate: 401, as for any API path. */
    assert_int_equal(at_call(st, NULL, "GET", "/api/v1/domain-cases", NULL, NULL, &r), 401);
    ts_http_resp_free(&r);
    /* The site's attempt changed nothing. */
    char *after = get_body(&csirt, one, 200);
    assert_non_null(strstr(after, "\"state\":\"deactivated\""));
    free(after);
}

/* Counts Atom entries and checks each has the elements RFC 4287 requires. */
static int atom_entries(const char *xml)
{
    xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "domains.atom", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(d);
    xmlNodePtr root = xmlDocGetRootElement(d);
    assert_string_equal((const char *)root->name, "feed");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2005/Atom");
    int n = 0;
    bool feed_id = false, feed_updated = false, feed_title = false;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        feed_id |= strcmp((const char *)c->name, "id") == 0;
        feed_updated |= strcmp((const char *)c->name, "updated") == 0;
        feed_title |= strcmp((const char *)c->name, "title") == 0;
        if (strcmp((const char *)c->name, "entry") != 0)
            continue;
        int id = 0, title = 0, updated = 0;
        for (xmlNodePtr e = c->children; e; e = e->next) {
            if (e->type != XML_ELEMENT_NODE)
                continue;
            id += strcmp((const char *)e->name, "id") == 0;
            title += strcmp((const char *)e->name, "title") == 0;
            updated += strcmp((const char *)e->name, "updated") == 0;
        }
        assert_int_equal(id, 1);
        assert_int_equal(title, 1);
        assert_int_equal(updated, 1);
        n++;
    }
    assert_true(feed_id && feed_updated && feed_title);
    xmlFreeDoc(d);
    return n;
}

static void no_private(const char *body, const char *form)
{
    static const char *const private[] = {"https://",      "secret-note", "<script",
                                          "cli:",          "CSIRT duty",  "review.example.cz",
                                          "old.example.cz"};
    for (size_t i = 0; i < sizeof private / sizeof private[0]; i++)
        if (strstr(body, private[i]) != NULL)
            fail_msg("public %s shows '%s':\n%s", form, private[i], body);
    if (strstr(body, csirt.fingerprint) != NULL)
        fail_msg("public %s shows the fingerprint", form);
}

static void test_public(void **state)
{
    (void)state;
    const char *p = "/api/v1/domain-cases";
    int64_t a = expect_post(&csirt, p,
                            "{\"domain\":\"bad.example.cz\",\"reason\":\"phishing\",\"evidence\":"
                            "[\"https://bad.example.cz/secret-note\"]}",
                            201, NULL);
    expect_post(&csirt, p,
                "{\"domain\":\"review.example.cz\",\"reason\":\"malware\",\"evidence\":"
                "[\"https://review.example.cz/\"]}",
                201, NULL);
    int64_t old = expect_post(&csirt, p,
                              "{\"domain\":\"old.example.cz\",\"reason\":\"spam\",\"evidence\":"
                              "[\"https://old.example.cz/\"]}",
                              201, NULL);
    char dp[128];
    snprintf(dp, sizeof dp, "/api/v1/domain-cases/%lld/decisions", (long long)a);
    expect_post(
        &csirt, dp,
        "{\"action\":\"deactivate\",\"days\":10,\"why\":\"secret-note <script>x</script>\"}", 200,
        NULL);
    snprintf(dp, sizeof dp, "/api/v1/domain-cases/%lld/decisions", (long long)old);
    expect_post(&csirt, dp, "{\"action\":\"deactivate\",\"days\":1}", 200, NULL);
    expect_post(&csirt, dp, "{\"action\":\"reactivate\",\"why\":\"secret-note\"}", 200, NULL);

    /* The timeline records the certificate's fingerprint. */
    char one[64];
    snprintf(one, sizeof one, "/api/v1/domain-cases/%lld", (long long)a);
    char *c = get_body(&csirt, one, 200);
    assert_non_null(strstr(c, csirt.fingerprint));
    free(c);

    ts_http_resp_t r;
    /* JSON */
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains.json", NULL, NULL, &r), 200);
    json_object *o = json_tokener_parse(r.body.data);
    assert_non_null(o);
    json_object *list, *v;
    assert_true(json_object_object_get_ex(o, "deactivated", &list));
    assert_int_equal(json_object_array_length(list), 1);
    json_object *e = json_object_array_get_idx(list, 0);
    assert_true(json_object_object_get_ex(e, "domain", &v));
    assert_string_equal(json_object_get_string(v), "bad.example.cz");
    assert_true(json_object_object_get_ex(e, "reason", &v));
    assert_string_equal(json_object_get_string(v), "phishing");
    assert_int_equal(json_object_object_length(e), 4); /* domain, since, until, reason */
    assert_true(json_object_object_get_ex(o, "past_cases", &v));
    assert_int_equal(json_object_get_int(v), 1);
    json_object_put(o);
    no_private(r.body.data, "JSON");
    ts_http_resp_free(&r);
    /* HTML: self-contained, no script or inline style. */
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_non_null(strstr(r.body.data, "<td>bad.example.cz</td>"));
    assert_non_null(strstr(r.body.data, "at most 30 days"));
    assert_non_null(strstr(r.body.data, "Past cases: 1."));
    assert_null(strstr(r.body.data, "style="));
    no_private(r.body.data, "HTML");
    ts_http_resp_free(&r);
    /* Atom */
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains.atom", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.content_type, "application/atom+xml"));
    assert_int_equal(atom_entries(r.body.data), 1);
    no_private(r.body.data, "Atom");
    ts_http_resp_free(&r);
    /* A certificate changes nothing there; other methods, paths, parameters. */
    assert_int_equal(at_call(st, &site, "GET", "/public/domains.json", NULL, NULL, &r), 200);
    ts_http_resp_free(&r);
    assert_int_equal(post(NULL, "/public/domains", "{}", &r), 405);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains.xml", NULL, NULL, &r), 404);
    ts_http_resp_free(&r);
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains", "all=1", NULL, &r), 400);
    ts_http_resp_free(&r);

    /* The policy may list the past deactivations: never the case that was
     * not deactivated, never anything private. */
    assert_int_equal(ts_store_domain_set_list_past(st, true), 0);
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains.json", NULL, NULL, &r), 200);
    o = json_tokener_parse(r.body.data);
    assert_true(json_object_object_get_ex(o, "past", &list));
    assert_int_equal(json_object_array_length(list), 1);
    assert_true(json_object_object_get_ex(json_object_array_get_idx(list, 0), "domain", &v));
    assert_string_equal(json_object_get_string(v), "old.example.cz");
    json_object_put(o);
    assert_null(strstr(r.body.data, "review.example.cz"));
    assert_null(strstr(r.body.data, "secret-note"));
    ts_http_resp_free(&r);
    assert_int_equal(at_call(st, NULL, "GET", "/public/domains", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "<td>old.example.cz</td>"));
    assert_null(strstr(r.body.data, "review.example.cz"));
    ts_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
