/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advtest.h"

#define MAXGOT 8

typedef struct got {
    ts_advisory_t *a[MAXGOT];
    size_t n;
    size_t bad_idx[MAXGOT];
    int bad_code[MAXGOT];
    char bad_why[MAXGOT][256];
    size_t nbad;
    int stop_after; /* 0 = never */
} got_t;

static int on_adv(ts_advisory_t *a, void *ctx)
{
    got_t *g = ctx;
    assert_true(g->n < MAXGOT);
    g->a[g->n++] = a;
    return g->stop_after && (int)g->n >= g->stop_after ? 42 : 0;
}

static void on_bad(const char *name, size_t index, int code, const char *why, void *ctx)
{
    got_t *g = ctx;
    assert_true(g->nbad < MAXGOT);
    g->bad_idx[g->nbad] = index;
    g->bad_code[g->nbad] = code;
    snprintf(g->bad_why[g->nbad], sizeof g->bad_why[0], "%s", why);
    g->nbad++;
}

static void got_free(got_t *g)
{
    for (size_t i = 0; i < g->n; i++)
        ts_advisory_free(g->a[i]);
    memset(g, 0, sizeof *g);
}

static int parse(const char *s, size_t len, got_t *g, bool with_bad, char *err, size_t errsize)
{
    char *copy = calloc(len ? len : 1, 1);
    if (len)
        memcpy(copy, s, len);
    int rc = ts_nvd_parse(copy, len, "nvd.json", on_adv, with_bad ? on_bad : NULL, g, err, errsize);
    free(copy);
    return rc;
}

static void expect_fail(const char *s, int code, const char *needle)
{
    got_t g = {0};
    char err[512] = "";
    int rc = parse(s, strlen(s), &g, true, err, sizeof err);
    if (rc != code || (needle && !strstr(err, needle)))
        fail_msg("rc %d (want %d) err \"%s\" (want \"%s\")", rc, code, err, needle ? needle : "");
    assert_int_equal(g.n, 0);
    got_free(&g);
}

/* A response with one vulnerability whose "cve" object is body. */
static void expect_bad(const char *body, int code, const char *n1, const char *n2)
{
    char s[4096];
    snprintf(s, sizeof s, "{\"vulnerabilities\": [%s]}", body);
    got_t g = {0};
    char err[512] = "";
    assert_int_equal(parse(s, strlen(s), &g, true, err, sizeof err), 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.nbad, 1);
    if (g.bad_code[0] != code || (n1 && !strstr(g.bad_why[0], n1)) ||
        (n2 && !strstr(g.bad_why[0], n2)))
        fail_msg("bad code %d (want %d) why \"%s\" (want \"%s\", \"%s\")", g.bad_code[0], code,
                 g.bad_why[0], n1 ? n1 : "", n2 ? n2 : "");
    /* Without a bad callback the first malformed vulnerability is the error. */
    got_t g2 = {0};
    assert_int_equal(parse(s, strlen(s), &g2, false, err, sizeof err), code);
    assert_non_null(strstr(err, n1 ? n1 : ""));
    got_free(&g);
    got_free(&g2);
}

static void test_invalid(void **state)
{
    expect_fail("", TS_ETRUNC, "nvd.json");
    expect_fail("{\"vulnerabilities\": [", TS_ETRUNC, NULL);
    expect_fail("{\"vulnerabilities\": [\"\xc3\"]}", TS_EUTF8, NULL);
    expect_fail("[]", TS_ETYPE, "expected a JSON object");
    expect_fail("{\"resultsPerPage\": 0}", TS_EMISSING, "vulnerabilities");
    expect_fail("{\"vulnerabilities\": {}}", TS_ETYPE, "vulnerabilities");
    size_t n = (size_t)TS_ADV_DOC_MAX + 1;
    char *big = calloc(n, 1);
    assert_non_null(big);
    got_t g = {0};
    char err[256];
    assert_int_equal(ts_nvd_parse(big, n, "big", on_adv, on_bad, &g, err, sizeof err), TS_ETOOBIG);
    free(big);

    expect_bad("7", TS_ETYPE, "vulnerabilities", "expected object");
    expect_bad("{}", TS_EMISSING, "vulnerabilities[0]", "\"cve\"");
    expect_bad("{\"cve\": {\"id\": 5}}", TS_ETYPE, "vulnerabilities[0].cve", "expected string");
    expect_bad("{\"cve\": {\"id\": \"NOT-A-CVE\"}}", TS_EINVAL, "not a CVE id", NULL);
    expect_bad("{\"cve\": {\"id\": \"CVE-2026-1\", \"vulnStatus\": \"Rejected\"}}", TS_ENOENT,
               "Rejected", NULL);
    expect_bad("{\"cve\": {\"id\": \"CVE-2026-1234\", \"configurations\": [{\"nodes\": "
               "[{\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": \"yes\", \"criteria\": "
               "\"cpe:2.3:a:x:y:*:*:*:*:*:*:*:*\"}]}]}]}}",
               TS_ETYPE, "configurations[0].nodes[0].cpeMatch[0]", "expected boolean");
    expect_bad("{\"cve\": {\"id\": \"CVE-2026-1234\", \"configurations\": [{\"nodes\": "
               "[{\"operator\": \"OR\"}]}]}}",
               TS_EMISSING, "configurations[0].nodes[0]", "cpeMatch");
    expect_bad("{\"cve\": {\"id\": \"CVE-2026-1234\", \"metrics\": {\"cvssMetricV31\": "
               "[{\"type\": \"Primary\", \"cvssData\": {\"baseScore\": \"high\"}}]}}}",
               TS_ETYPE, "metrics.cvssMetricV31[0]", "expected number");

    /* Empty arrays: one advisory without entries. */
    const char *empty = "{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-2026-0001\", "
                        "\"descriptions\": [], \"configurations\": []}}]}";
    assert_int_equal(parse(empty, strlen(empty), &g, true, err, sizeof err), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.a[0]->n_products, 0);
    assert_string_equal(g.a[0]->title, "");
    got_free(&g);
    /* A criteria that is no CPE: an entry with the reason, reported. */
    const char *nocpe = "{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-2026-0002\", "
                        "\"configurations\": [{\"nodes\": [{\"operator\": \"OR\", "
                        "\"cpeMatch\": [{\"vulnerable\": true, \"criteria\": \"widget\"}]}]}]}}]}";
    assert_int_equal(parse(nocpe, strlen(nocpe), &g, true, err, sizeof err), 0);
    assert_int_equal(g.a[0]->n_products, 1);
    assert_false(g.a[0]->products[0].range_ok);
    assert_false(g.a[0]->products[0].has_cpe);
    at_expect_problem(g.a[0], "cpeMatch[0]", "\"widget\"");
    got_free(&g);
}

/* The normal forms of the fixture's CPE vendor and product. */
static const char *normv_ok(char *buf)
{
    assert_int_equal(ts_name_vendor(ts_str_c("example"), buf), 0);
    return buf;
}

static const char *normp_ok(char *buf)
{
    assert_int_equal(ts_name_product(ts_str_c("widget_server"), buf), 0);
    return buf;
}

static void test_fixture(void **state)
{
    size_t len;
    char *doc = at_data("nvd-sample.json", &len);
    got_t g = {0};
    char err[512];
    assert_int_equal(parse(doc, len, &g, true, err, sizeof err), 0);
    /* vulnerabilities[1] is Rejected, [2] has no id: reported, the others delivered. */
    assert_int_equal(g.n, 2);
    assert_int_equal(g.nbad, 2);
    assert_int_equal(g.bad_idx[0], 1);
    assert_int_equal(g.bad_code[0], TS_ENOENT);
    assert_int_equal(g.bad_idx[1], 2);
    assert_int_equal(g.bad_code[1], TS_EMISSING);

    const ts_advisory_t *a = g.a[0];
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    assert_int_equal(a->source, TS_ADV_NVD);
    assert_string_equal(a->id, "CVE-2026-4000");
    assert_string_equal(a->publisher, "NVD");
    assert_string_equal(a->revision, "2026-03-08T16:00:00.000");
    assert_int_equal(a->n_cves, 1);
    assert_string_equal(a->title, "Widget Server before 3.0.29 allows remote code execution.");
    /* The Primary v3.1 score, not the higher Secondary one. */
    assert_true(a->cvss > 8.79 && a->cvss < 8.81);
    assert_string_equal(a->severity, "high");
    assert_int_equal(a->n_products, 4);
    /* configurations[0].nodes[0].cpeMatch[0]: >=3.0 <3.0.29 */
    const ts_adv_product_t *e = at_product(a, "configurations[0].nodes[0].cpeMatch[0]");
    assert_string_equal(e->vendor, normv_ok(v));
    assert_string_equal(e->product, normp_ok(p));
    assert_int_equal(e->status, TS_PS_AFFECTED);
    assert_true(e->has_cpe);
    assert_true(at_in(e, "3.0") && at_in(e, "3.0.28") && !at_in(e, "3.0.29") && !at_in(e, "2.9"));
    /* cpeMatch[1]: the criteria's own version */
    const ts_adv_product_t *x = at_product(a, "configurations[0].nodes[0].cpeMatch[1]");
    assert_true(at_in(x, "2.9.1") && !at_in(x, "2.9.2"));
    /* cpeMatch[2]: versionEndIncluding */
    const ts_adv_product_t *le = at_product(a, "configurations[0].nodes[0].cpeMatch[2]");
    assert_true(at_in(le, "1.9") && at_in(le, "0.1") && !at_in(le, "1.9.1"));
    /* configurations[1] (AND): the firmware on the box; the box is no entry but the
     * condition, in full_name; start excluded */
    const ts_adv_product_t *fw = at_product(a, "configurations[1].nodes[0].cpeMatch[0]");
    assert_true(!at_in(fw, "1.0") && at_in(fw, "1.0.1") && !at_in(fw, "1.4"));
    assert_non_null(strstr(fw->full_name, " on cpe:2.3:h:example:widget_box:-"));
    for (size_t i = 0; i < a->n_products; i++)
        assert_null(strstr(a->products[i].ref, "nodes[1]"));

    /* vulnerabilities[3]: one AND node (app + platform) and a negated node; v2 only */
    const ts_advisory_t *b = g.a[1];
    assert_string_equal(b->id, "CVE-2026-4002");
    assert_string_equal(b->title, "Gadget falla.");
    assert_true(b->cvss > 4.99 && b->cvss < 5.01);
    assert_string_equal(b->severity, "medium");
    assert_int_equal(b->n_products, 1);
    const ts_adv_product_t *gd = &b->products[0];
    assert_true(gd->range_ok && gd->range.all);
    assert_non_null(strstr(gd->full_name, "on cpe:2.3:o:example:gadget_os:2"));
    assert_non_null(strstr(gd->full_name, "not cpe:2.3:o:example:gadget_os:1"));
    got_free(&g);

    /* The callback stops the walk with its own value. */
    g.stop_after = 1;
    assert_int_equal(parse(doc, len, &g, true, err, sizeof err), 42);
    assert_int_equal(g.n, 1);
    got_free(&g);
    free(doc);
}

static void test_parse_any(void **state)
{
    size_t len;
    char *doc = at_data("nvd-sample.json", &len);
    got_t g = {0};
    char err[256];
    assert_int_equal(ts_advisory_parse_any(doc, len, "nvd", on_adv, on_bad, &g, err, sizeof err),
                     0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.nbad, 2);
    got_free(&g);
    free(doc);
    doc = at_data("cve5-min.json", &len);
    assert_int_equal(ts_advisory_parse_any(doc, len, "cve", on_adv, on_bad, &g, err, sizeof err),
                     0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.a[0]->source, TS_ADV_CVE5);
    got_free(&g);
    free(doc);
    doc = at_data("cve5-rejected.json", &len);
    assert_int_equal(ts_advisory_parse_any(doc, len, "cve", on_adv, on_bad, &g, err, sizeof err),
                     TS_ENOENT);
    assert_int_equal(g.n, 0);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_parse_any),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
