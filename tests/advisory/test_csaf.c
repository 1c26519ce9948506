/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advtest.h"
#include "core/event.h"

static void expect_fail(const char *s, int code, const char *n1, const char *n2)
{
    at_expect_fail(ts_csaf_parse, s, strlen(s), code, n1, n2);
}

static ts_advisory_t *parse_ok(const char *s)
{
    return at_parse_ok(ts_csaf_parse, s);
}

/* ---- Invalid input ---------------------------------------------------------- */

static void test_not_json(void **state)
{
    expect_fail("", TS_ETRUNC, "t.json", NULL);
    expect_fail("{\"document\": ", TS_ETRUNC, "t.json", "end of input");
    expect_fail("{\"document\": }", TS_ESYNTAX, "t.json", "line 1");
    expect_fail("{\"document\": {\"title\": \"\xc3\x28\"}}", TS_EUTF8, "UTF-8", NULL);
    expect_fail("{\"a\": 1, \"a\": 2}", TS_ESYNTAX, "duplicate key", NULL);
    expect_fail("[]", TS_ETYPE, "expected a JSON object", NULL);
    expect_fail("{}", TS_EMISSING, "\"document\"", NULL);
    expect_fail("{\"document\": []}", TS_ETYPE, "document", "expected object");
    ts_advisory_t *a = (ts_advisory_t *)1;
    char err[256];
    assert_int_equal(ts_csaf_parse(NULL, 0, NULL, &a, err, sizeof err), TS_ETRUNC);
    assert_null(a);
}

static void test_too_big(void **state)
{
    size_t n = (size_t)TS_ADV_DOC_MAX + 1;
    char *big = calloc(n, 1); /* untouched zero pages: cheap */
    assert_non_null(big);
    ts_advisory_t *a = (ts_advisory_t *)1;
    char err[256];
    assert_int_equal(ts_csaf_parse(big, n, "big.json", &a, err, sizeof err), TS_ETOOBIG);
    assert_null(a);
    assert_non_null(strstr(err, "big.json"));
    assert_non_null(strstr(err, "exceeds"));
    free(big);
}

static void test_missing_fields(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    static const struct {
        const char *from, *to, *n1, *n2;
        int code;
    } cases[] = {
        {"\"id\": \"EX-2026-0001\",", "", "document.tracking", "\"id\" is missing", TS_EMISSING},
        {"\"status\": \"final\",", "", "document.tracking", "\"status\"", TS_EMISSING},
        {"\"revision_history\"", "\"revision_historx\"", "document.tracking", "revision_history",
         TS_EMISSING},
        {"\"namespace\": \"https://example.test\"", "\"ns\": 1", "document.publisher",
         "\"namespace\" is missing", TS_EMISSING},
        {"\"title\": \"Example Widget flaw\",", "", "document", "\"title\"", TS_EMISSING},
        {"\"csaf_version\": \"2.0\",", "", "document", "csaf_version", TS_EMISSING},
        {"\"csaf_version\": \"2.0\"", "\"csaf_version\": \"3.0\"", "document", "not supported",
         TS_ENOTSUP},
        {"\"id\": \"EX-2026-0001\"", "\"id\": \"  \"", "document.tracking", "empty", TS_EMISSING},
        /* wrong types, with the JSON path */
        {"\"version\": \"2\"", "\"version\": 2", "document.tracking", "expected string", TS_ETYPE},
        {"\"publisher\": {", "\"publisher\": 3, \"x\": {", "publisher", "expected object",
         TS_ETYPE},
        {"\"name\": \"Widget Server\"", "\"name\": [\"Widget Server\"]",
         "product_tree.branches[0].branches[0]", "expected string", TS_ETYPE},
        {"\"known_affected\": [\"P-RANGE\", \"P-VERS\", \"P-VAGUE\", \"P-REL\", \"P-REL2\"]",
         "\"known_affected\": \"P-RANGE\"", "vulnerabilities[0].product_status", "expected array",
         TS_ETYPE},
        {"\"fixed\": [\"P-FIXED\"]", "\"fixed\": [7]", "vulnerabilities[0].product_status.fixed",
         "expected string", TS_ETYPE},
        {"\"baseScore\": 7.5", "\"baseScore\": \"7.5\"", "vulnerabilities[0].scores[0].cvss_v3",
         "expected number", TS_ETYPE},
        {"\"baseScore\": 7.5,", "", "vulnerabilities[0].scores[0].cvss_v3", "baseScore",
         TS_EMISSING},
        {"\"category\": \"vendor_fix\", \"details\": \"Update to 3.0.29\"",
         "\"details\": \"Update to 3.0.29\"", "vulnerabilities[0].remediations[0]",
         "\"category\" is missing", TS_EMISSING},
        {"\"product_reference\": \"P-RANGE\",", "", "product_tree.relationships[0]",
         "product_reference", TS_EMISSING},
        {"\"group_id\": \"G-ALL\",", "", "product_tree.product_groups[0]", "group_id", TS_EMISSING},
        {"\"product_id\": \"P-LOOSE\",", "", "product_tree.full_product_names[0]", "product_id",
         TS_EMISSING},
        {"\"vulnerabilities\": [", "\"vulnerabilities\": {\"x\": [", "vulnerabilities",
         "expected array", TS_ETYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *bad = at_replace(doc, cases[i].from, cases[i].to);
        if (strcmp(cases[i].from, "\"vulnerabilities\": [") == 0) {
            /* keep it JSON: close the object opened in place of the array */
            char *b2 = at_replace(bad, "\n  ]\n}", "\n  ]}\n}");
            free(bad);
            bad = b2;
        }
        print_message("case %zu: %s\n", i, cases[i].n2);
        expect_fail(bad, cases[i].code, cases[i].n1, cases[i].n2);
        free(bad);
    }
    free(doc);
}

static void test_unknown_refs(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    ts_advisory_t *a = parse_ok(doc);
    /* Not fatal: each is a problem naming the reference and where it is. */
    at_expect_problem(a, "vulnerabilities[0].product_status.known_not_affected", "\"P-NOPE\"");
    at_expect_problem(a, "vulnerabilities[0].remediations[0].product_ids", "\"P-BOGUS\"");
    at_expect_problem(a, "vulnerabilities[0].remediations[1].group_ids", "group \"G-NONE\"");
    at_expect_problem(a, "product_tree.product_groups[0]", "\"P-MISSING\"");
    at_expect_problem(a, "P-REL-GHOST", "\"P-GHOST\"");
    at_expect_problem(a, "vulnerabilities[0].remediations[2]", "names no product");
    /* The broken relationship gives no entry; the others do. */
    for (size_t i = 0; i < a->n_products; i++)
        assert_string_not_equal(a->products[i].ref, "P-REL-GHOST");
    ts_advisory_free(a);
    free(doc);
}

static void test_cycles(void **state)
{
    size_t len;
    char *doc = at_data("csaf-cycle.json", &len);
    at_expect_fail(ts_csaf_parse, doc, len, TS_ECYCLE, "relationships", "component of itself");
    /* A product that is its own component. */
    char *self = at_replace(doc, "\"product_reference\": \"B\"", "\"product_reference\": \"A\"");
    at_expect_fail(ts_csaf_parse, self, strlen(self), TS_ECYCLE, "\"A\"", NULL);
    /* Breaking the loop makes the chain resolve to BASE's identity. */
    char *ok = at_replace(doc, "\"product_reference\": \"A\"", "\"product_reference\": \"BASE\"");
    ts_advisory_t *a = parse_ok(ok);
    assert_int_equal(a->n_products, 2); /* A, and A's status linked to BASE */
    const ts_adv_product_t *p = &a->products[0];
    assert_string_equal(p->ref, "A");
    assert_string_equal(p->full_name, "A");
    assert_string_equal(p->via, "");
    assert_true(p->range_ok && p->range.all);
    assert_string_equal(a->products[1].ref, "A");
    assert_string_equal(a->products[1].via, "relationship default_component_of BASE (Base)");
    ts_advisory_free(a);
    free(ok);
    free(self);
    free(doc);
}

/* A document whose product sits under `levels` nested branches. */
static char *nested(int levels)
{
    const char *head =
        "{\"document\": {\"category\": \"csaf_base\", \"csaf_version\": \"2.0\", \"title\": \"d\","
        "\"publisher\": {\"category\": \"other\", \"name\": \"T\", \"namespace\": \"https://t\"},"
        "\"tracking\": {\"id\": \"D-1\", \"status\": \"final\", \"version\": \"1\","
        "\"current_release_date\": \"2026-01-01T00:00:00Z\", \"initial_release_date\": "
        "\"2026-01-01T00:00:00Z\", \"revision_history\": []}},"
        "\"product_tree\": {\"branches\": ";
    const char *open = "[{\"category\": \"vendor\", \"name\": \"v\", \"branches\": ";
    const char *leaf = "[{\"category\": \"product_version\", \"name\": \"1.0\", \"product\": "
                       "{\"name\": \"p\", \"product_id\": \"D\"}}]";
    const char *tail = "}, \"vulnerabilities\": [{\"product_status\": {\"known_affected\": "
                       "[\"D\"]}}]}";
    size_t n = strlen(head) + (size_t)levels * (strlen(open) + 2) + strlen(leaf) + strlen(tail);
    char *s = malloc(n + 1);
    strcpy(s, head);
    for (int i = 1; i < levels; i++)
        strcat(s, open);
    strcat(s, leaf);
    for (int i = 1; i < levels; i++)
        strcat(s, "}]");
    strcat(s, tail);
    return s;
}

static void test_depth(void **state)
{
    char *s = nested(40);
    expect_fail(s, TS_EDEPTH, "branches nested deeper than 32", "product_tree.branches[0]");
    free(s);
    s = nested(TS_ADV_TREE_DEPTH_MAX + 1);
    expect_fail(s, TS_EDEPTH, "deeper", NULL);
    free(s);
    s = nested(200); /* beyond what the JSON parser takes */
    expect_fail(s, TS_EDEPTH, "nesting", NULL);
    free(s);
    s = nested(TS_ADV_TREE_DEPTH_MAX);
    ts_advisory_t *a = parse_ok(s);
    assert_int_equal(a->n_products, 1);
    assert_string_equal(a->products[0].ref, "D");
    assert_true(at_in(&a->products[0], "1.0"));
    ts_advisory_free(a);
    free(s);
}

static void test_empty_arrays(void **state)
{
    size_t len;
    char *doc = at_data("csaf-empty.json", &len);
    ts_advisory_t *a = parse_ok(doc);
    assert_int_equal(a->source, TS_ADV_CSAF);
    assert_int_equal(a->n_products, 0);
    assert_int_equal(a->n_cves, 1);
    assert_string_equal(a->cves[0], "CVE-2026-2000");
    assert_true(a->cvss < 0);
    assert_string_equal(a->severity, "unknown");
    /* A bad date is a problem, not an error; a bare date is fine. */
    assert_int_equal(a->published, TS_TIME_NONE);
    assert_true(a->updated != TS_TIME_NONE);
    at_expect_problem(a, "initial_release_date", "not a date");
    ts_advisory_free(a);
    free(doc);
}

static void test_duplicate_ids(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    char *dup = at_replace(doc, "\"product_id\": \"P-UNUSED\"", "\"product_id\": \"P-RANGE\"");
    ts_advisory_t *a = parse_ok(dup);
    at_expect_problem(a, "\"P-RANGE\" defined twice", NULL);
    /* The first definition (the branch leaf with its range) is kept. */
    assert_string_equal(at_product(a, "P-RANGE")->version_text, "<V3.0.29");
    ts_advisory_free(a);
    free(dup);
    free(doc);
}

/* ---- Own fixture ------------------------------------------------------------- */

static void test_fixture(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    ts_advisory_t *a = parse_ok(doc);
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    assert_int_equal(a->source, TS_ADV_CSAF);
    assert_string_equal(a->id, "EX-2026-0001");
    assert_string_equal(a->title, "Example Widget flaw");
    assert_string_equal(a->publisher, "Example Corp");
    assert_string_equal(a->revision, "2");
    int64_t t;
    assert_int_equal(ts_time_parse("2026-01-15T08:30:00Z", 20, &t), 0);
    assert_true(a->published == t);
    assert_int_equal(ts_time_parse("2026-02-01T10:00:00Z", 20, &t), 0);
    assert_true(a->updated == t);
    /* v3 scores win over the higher v2 one; the highest v3 over both vulnerabilities. */
    assert_true(a->cvss > 8.09 && a->cvss < 8.11);
    assert_string_equal(a->severity, "high");
    assert_int_equal(a->n_cves, 2);
    assert_string_equal(a->cves[1], "CVE-2026-1001");
    /* Entries: the products given a status, in definition order, then the
     * relationship links. */
    assert_int_equal(a->n_products, 10);
    assert_string_equal(a->products[0].ref, "P-RANGE");

    /* product_tree.branches[0].branches[0].branches[0]: vls "<V3.0.29"; affected in
     * vulnerabilities[0], fixed in vulnerabilities[1]: the most urgent wins. */
    const ts_adv_product_t *r = at_product(a, "P-RANGE");
    assert_string_equal(r->vendor, at_normv("Example Corp", v));
    assert_string_equal(r->product, at_normp("Widget Server", p));
    assert_string_equal(r->version_text, "<V3.0.29");
    assert_int_equal(r->status, TS_PS_AFFECTED);
    assert_true(at_in(r, "3.0.28") && at_in(r, "V2.9") && !at_in(r, "3.0.29"));
    assert_false(r->has_cpe || r->has_purl);
    /* vendor_fix (same in both vulnerabilities: kept once) + workaround via group G-ALL */
    assert_int_equal(r->n_remediations, 2);
    assert_true(at_has_rem(r, "vendor_fix", "https://example.test/fix"));
    assert_true(at_has_rem(r, "workaround", ""));
    assert_string_equal(r->remediations[1]->details, "Disable the widget port");

    /* branches[0].branches[0].branches[1]: product_version 3.0.29, fixed + recommended */
    const ts_adv_product_t *f = at_product(a, "P-FIXED");
    assert_int_equal(f->status, TS_PS_FIXED);
    assert_true(at_in(f, "3.0.29") && !at_in(f, "3.0.28"));
    assert_int_equal(f->n_remediations, 0);

    /* branches[0].branches[0].branches[2]: vers */
    const ts_adv_product_t *vr = at_product(a, "P-VERS");
    assert_true(at_in(vr, "4.1") && !at_in(vr, "4.2") && !at_in(vr, "3.9"));

    /* branches[0].branches[0].branches[3]: "prior to the fix" is not understood: kept,
     * with the reason, and reported. */
    const ts_adv_product_t *vg = at_product(a, "P-VAGUE");
    assert_false(vg->range_ok);
    assert_true(vg->range_error[0] != '\0');
    assert_string_equal(vg->version_text, "prior to the fix");
    at_expect_problem(a, "P-VAGUE", "prior to the fix");

    /* branches[0].branches[1] (product_family) > product_name leaf with a CPE: the
     * CPE's version is the version; under_investigation */
    const ts_adv_product_t *ag = at_product(a, "P-AGENT");
    assert_int_equal(ag->status, TS_PS_UNDER_INVESTIGATION);
    assert_string_equal(ag->product, at_normp("Widget Agent", p));
    assert_true(ag->has_cpe);
    assert_string_equal(ag->cpe.a[TS_CPE_PRODUCT].value, "widget_agent");
    assert_true(at_in(ag, "2.1") && !at_in(ag, "2.2"));

    /* full_product_names[0]: names from the CPE 2.2 URI; known_not_affected in one
     * vulnerability, first_affected in the other -> affected */
    const ts_adv_product_t *lo = at_product(a, "P-LOOSE");
    assert_int_equal(lo->status, TS_PS_AFFECTED);
    assert_string_equal(lo->vendor, at_normv("loosevendor", v));
    assert_string_equal(lo->product, at_normp("loose_product", p));

    /* relationships[0] and [1] (a chain): the component P-RANGE's identity */
    const ts_adv_product_t *rel = at_product(a, "P-REL");
    assert_string_equal(rel->full_name, "Widget Server < V3.0.29 on Platform OS 7");
    assert_string_equal(rel->product, r->product);
    assert_true(at_in(rel, "3.0.1") && !at_in(rel, "3.0.29"));
    assert_int_equal(rel->n_remediations, 0);
    const ts_adv_product_t *rel2 = at_product(a, "P-REL2");
    assert_string_equal(rel2->version_text, "<V3.0.29");
    assert_string_equal(rel2->full_name, "Widget bundle in OS 7");

    /* P-OS7 and P-UNUSED have no status: no entry */
    for (size_t i = 0; i < a->n_products; i++) {
        assert_string_not_equal(a->products[i].ref, "P-OS7");
        assert_string_not_equal(a->products[i].ref, "P-UNUSED");
        assert_non_null(a->products[i].full_name);
        assert_non_null(a->products[i].range_error);
    }
    ts_advisory_free(a);
    free(doc);
}

static void test_purl(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    /* A product_version leaf whose purl says deb: the version compares the dpkg way;
     * a full_product_names entry with only a purl takes name and version from it. */
    char *d1 = at_replace(doc, "{\"name\": \"Platform OS 7\", \"product_id\": \"P-OS7\"}",
                          "{\"name\": \"Platform OS 7\", \"product_id\": \"P-OS7\", "
                          "\"product_identification_helper\": {\"purl\": "
                          "\"pkg:deb/debian/platform-os@7~rc1\"}}");
    char *d2 = at_replace(d1, "{\"name\": \"Not listed anywhere\", \"product_id\": \"P-UNUSED\"}",
                          "{\"name\": \"npm lib\", \"product_id\": \"P-UNUSED\", "
                          "\"product_identification_helper\": {\"purl\": "
                          "\"pkg:npm/left-pad@1.3.0\"}}");
    char *d3 = at_replace(d2, "\"under_investigation\": [\"P-AGENT\"]",
                          "\"under_investigation\": [\"P-AGENT\", \"P-OS7\", \"P-UNUSED\"]");
    ts_advisory_t *a = parse_ok(d3);
    char p[TS_NAME_MAX];
    const ts_adv_product_t *os = at_product(a, "P-OS7");
    assert_true(os->has_purl);
    assert_int_equal(os->range.scheme, TS_VS_DPKG);
    assert_string_equal(os->product, at_normp("Platform OS", p));
    assert_true(at_in(os, "7") && !at_in(os, "7~rc1"));
    const ts_adv_product_t *np = at_product(a, "P-UNUSED");
    assert_true(np->has_purl);
    assert_string_equal(np->product, at_normp("left-pad", p));
    assert_int_equal(np->range.scheme, TS_VS_SEMVER);
    assert_true(at_in(np, "1.3.0") && !at_in(np, "1.3.1"));
    /* A purl that does not parse is a problem; the entry stays. */
    char *d4 = at_replace(d3, "pkg:npm/left-pad@1.3.0", "pkg:");
    ts_advisory_t *b = parse_ok(d4);
    assert_false(at_product(b, "P-UNUSED")->has_purl);
    at_expect_problem(b, "full_product_names[1]", "purl \"pkg:\"");
    ts_advisory_free(b);
    ts_advisory_free(a);
    free(d4);
    free(d3);
    free(d2);
    free(d1);
    free(doc);
}

static int collect(ts_advisory_t *a, void *ctx)
{
    ts_advisory_t **slot = ctx;
    *slot = a;
    return 0;
}

/* Relationships link their status to the product they relate to, along
 * chains; identifiers a platform may declare are read. */
static void test_relationships(void **state)
{
    (void)state;
    const char *tree =
        "{\"branches\": [{\"category\": \"vendor\", \"name\": \"Red Hat\", \"branches\": ["
        "{\"category\": \"product_name\", \"name\": \"Red Hat Enterprise Linux BaseOS (v. 9)\", "
        "\"product\": {\"name\": \"Red Hat Enterprise Linux BaseOS (v. 9)\", \"product_id\": "
        "\"BaseOS-9.2.0.Z.MAIN\", \"product_identification_helper\": {\"cpe\": "
        "\"cpe:/o:redhat:enterprise_linux:9::baseos\"}}}, "
        "{\"category\": \"product_version\", \"name\": \"openssh-0:8.7p1-38.el9_4.1.x86_64\", "
        "\"product\": {\"name\": \"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"product_id\": "
        "\"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"product_identification_helper\": {\"purl\": "
        "\"pkg:rpm/redhat/openssh@8.7p1-38.el9_4.1?arch=x86_64&epoch=0\"}}}, "
        "{\"category\": \"product_version\", \"name\": \"libssh-1.0\", \"product\": {\"name\": "
        "\"libssh-1.0\", \"product_id\": \"LIBSSH\"}}, "
        "{\"category\": \"product_name\", \"name\": \"Device (6ES7518-4AP00-0AB0)\", \"product\": "
        "{\"name\": \"Device\", \"product_id\": \"DEV\", \"product_identification_helper\": "
        "{\"model_numbers\": [\"6ES7518-4AP00-0AB0\", \"6ES7518-4FP*\", \" \"], \"skus\": "
        "[\"SKU-1\"], \"serial_numbers\": [\"S?1\"]}}}]}], "
        "\"relationships\": ["
        "{\"category\": \"default_component_of\", \"product_reference\": "
        "\"openssh-0:8.7p1-38.el9_4.1.x86_64\", \"relates_to_product_reference\": "
        "\"BaseOS-9.2.0.Z.MAIN\", \"full_product_name\": {\"name\": \"openssh as a component of "
        "RHEL BaseOS 9\", \"product_id\": \"BaseOS-9.2.0.Z.MAIN:openssh\"}}, "
        "{\"category\": \"installed_on\", \"product_reference\": \"LIBSSH\", "
        "\"relates_to_product_reference\": \"BaseOS-9.2.0.Z.MAIN:openssh\", \"full_product_name\": "
        "{\"name\": \"libssh in openssh on RHEL\", \"product_id\": \"CHAIN\"}}, "
        "{\"category\": \"shipped_with\", \"product_reference\": \"LIBSSH\", "
        "\"relates_to_product_reference\": \"DEV\", \"full_product_name\": {\"name\": \"odd\", "
        "\"product_id\": \"ODD\"}}]}";
    const char *vulns = "[{\"product_status\": {\"fixed\": [\"BaseOS-9.2.0.Z.MAIN:openssh\"], "
                        "\"known_affected\": [\"CHAIN\", \"ODD\", \"DEV\"]}}]";
    char *doc = at_csaf_doc("RHSA-TEST", tree, vulns);
    ts_advisory_t *a = parse_ok(doc);
    free(doc);
    at_expect_problem(a, "relationships[2]", "unknown relationship category \"shipped_with\"");
    at_expect_problem(a, "model_numbers", "[2]: an empty identifier");
    /* the component keeps its own identity and status (exact) */
    const ts_adv_product_t *comp = NULL, *os = NULL, *chain_mid = NULL, *chain_os = NULL;
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        if (strcmp(p->ref, "BaseOS-9.2.0.Z.MAIN:openssh") == 0)
            *(p->via[0] ? &os : &comp) = p;
        if (strcmp(p->ref, "CHAIN") == 0 && strstr(p->via, "installed_on") && !strstr(p->via, ", "))
            chain_mid = p;
        if (strcmp(p->ref, "CHAIN") == 0 && strstr(p->via, ", "))
            chain_os = p;
        assert_true(strcmp(p->ref, "ODD") != 0 || p->via[0] == '\0');
    }
    assert_non_null(comp);
    assert_true(comp->has_purl);
    assert_int_equal(comp->status, TS_PS_FIXED);
    assert_true(at_in(comp, "8.7p1-38.el9_4.1"));
    /* the RHEL release: linked with the relationship's status, keyed by its CPE */
    assert_non_null(os);
    assert_int_equal(os->status, TS_PS_FIXED);
    assert_string_equal(os->via, "relationship default_component_of BaseOS-9.2.0.Z.MAIN "
                                 "(cpe:/o:redhat:enterprise_linux:9::baseos)");
    assert_string_equal(os->vendor, "redhat");
    assert_string_equal(os->product, "enterprise_linux");
    assert_true(os->has_cpe && at_in(os, "9"));
    /* the chain: libssh installed_on (openssh default_component_of BaseOS) concerns the
     * openssh package and, through it, BaseOS */
    assert_non_null(chain_mid);
    assert_string_equal(chain_mid->via, "relationship installed_on BaseOS-9.2.0.Z.MAIN:openssh "
                                        "(openssh as a component of RHEL BaseOS 9)");
    assert_true(chain_mid->has_purl);
    assert_int_equal(chain_mid->status, TS_PS_AFFECTED);
    assert_non_null(chain_os);
    assert_string_equal(chain_os->via, "relationship installed_on BaseOS-9.2.0.Z.MAIN:openssh "
                                       "(openssh as a component of RHEL BaseOS 9), "
                                       "relationship default_component_of BaseOS-9.2.0.Z.MAIN "
                                       "(cpe:/o:redhat:enterprise_linux:9::baseos)");
    assert_string_equal(chain_os->product, "enterprise_linux");
    /* identifiers, and a name without its parenthesised order number */
    const ts_adv_product_t *dev = at_product(a, "DEV");
    assert_string_equal(dev->product, "device");
    assert_int_equal(dev->n_ids, 4);
    assert_int_equal(dev->ids[0].kind, TS_ID_MODEL);
    assert_string_equal(dev->ids[1].value, "6ES7518-4FP*");
    assert_int_equal(dev->ids[2].kind, TS_ID_SKU);
    assert_int_equal(dev->ids[3].kind, TS_ID_SERIAL);
    ts_advisory_free(a);
}

/* Hostile relationships: chains that loop through relates_to, names of any
 * length. The walk stops, and the rule's text stays bounded. */
static void test_relationship_bounds(void **state)
{
    (void)state;
    char longname[3001];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
#define LOOP_TREE                                                                                  \
    "{\"full_product_names\": [{\"name\": \"X\", \"product_id\": \"X\"}, {\"name\": \"%s\", "      \
    "\"product_id\": \"Y\"}], \"relationships\": [{\"category\": \"installed_on\", "               \
    "\"product_reference\": \"X\", \"relates_to_product_reference\": \"R2\", "                     \
    "\"full_product_name\": {\"name\": \"r1\", \"product_id\": \"R1\"}}, {\"category\": "          \
    "\"installed_with\", \"product_reference\": \"Y\", \"relates_to_product_reference\": "         \
    "\"R1\", \"full_product_name\": {\"name\": \"%s\", \"product_id\": \"R2\"}}]}"
    char tree[8000];
    snprintf(tree, sizeof tree, LOOP_TREE, longname, longname);
    char *doc = at_csaf_doc("LOOP", tree, "[{\"product_status\": {\"known_affected\": [\"R1\"]}}]");
    ts_advisory_t *a = parse_ok(doc);
    free(doc);
    /* R1 itself, R1 linked to R2, and on to R1 (where the loop stops) */
    assert_int_equal(a->n_products, 3);
    for (size_t i = 1; i < a->n_products; i++) {
        assert_true(strlen(a->products[i].via) < 1024);
        assert_non_null(strstr(a->products[i].via, "relationship installed_on R2 (nnn"));
    }
    assert_non_null(strstr(a->products[2].via, ", relationship installed_with R1 (r1)"));
    ts_advisory_free(a);
}

static void test_parse_any(void **state)
{
    size_t len;
    char *doc = at_data("csaf-min.json", &len);
    ts_advisory_t *a = NULL;
    char err[256];
    assert_int_equal(ts_advisory_parse_any(doc, len, "x", collect, NULL, &a, err, sizeof err), 0);
    assert_non_null(a);
    assert_int_equal(a->source, TS_ADV_CSAF);
    assert_int_equal(a->n_products, 10);
    ts_advisory_free(a);
    a = NULL;
    const char *other = "{\"hello\": 1}";
    assert_int_equal(
        ts_advisory_parse_any(other, strlen(other), "x", collect, NULL, &a, err, sizeof err),
        TS_ENOTSUP);
    assert_null(a);
    assert_non_null(strstr(err, "not a CSAF document"));
    free(doc);
}

/* ---- Corpus ------------------------------------------------------------------ */

static void test_corpus_icsa_24_289_02(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/icsa-24-289-02.json");
    if (a == NULL)
        skip();
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    assert_string_equal(a->id, "ICSA-24-289-02");
    assert_string_equal(a->publisher, "CISA");
    assert_int_equal(a->n_cves, 2);
    assert_true(a->cvss > 7.19 && a->cvss < 7.21);
    assert_string_equal(a->severity, "high");
    assert_int_equal(a->n_products, 2);
    assert_int_equal(a->n_problems, 0);
    /* product_tree.branches[0].branches[0].branches[0]: vendor Schneider Electric >
     * product_name Data Center Expert > product_version_range "<=8.1.1.3" */
    const ts_adv_product_t *e = at_product(a, "CSAFPID-0001");
    assert_string_equal(e->vendor, at_normv("Schneider Electric", v));
    assert_string_equal(e->product, at_normp("Data Center Expert", p));
    assert_string_equal(e->version_text, "<=8.1.1.3");
    assert_true(at_in(e, "8.1.1.3") && at_in(e, "7.0") && !at_in(e, "8.2"));
    assert_int_equal(e->status, TS_PS_AFFECTED);
    /* vulnerabilities[*].remediations: vendor_fix + mitigation, each repeated per CVE */
    assert_int_equal(e->n_remediations, 2);
    assert_true(at_has_rem(e, "vendor_fix", NULL));
    assert_true(at_has_rem(e, "mitigation", NULL));
    assert_non_null(strstr(e->remediations[0]->details, "Version 8.2"));
    /* product_tree.branches[0].branches[1].branches[0]: product_version 8.2, fixed */
    const ts_adv_product_t *f = at_product(a, "CSAFPID-0002");
    assert_int_equal(f->status, TS_PS_FIXED);
    assert_true(at_in(f, "8.2") && !at_in(f, "8.1.1.3"));
    ts_advisory_free(a);
}

static void test_corpus_icsa_23_243_04(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/icsa-23-243-04.json");
    if (a == NULL)
        skip();
    char v[TS_NAME_MAX];
    assert_int_equal(a->n_products, 23);
    assert_string_equal(a->severity, "critical");
    /* The vendor branch is "Digi International, Inc. " (trailing space, legal suffix). */
    for (size_t i = 0; i < a->n_products; i++)
        assert_string_equal(a->products[i].vendor, at_normv("Digi International", v));
    /* product_tree.branches[0].branches[4].branches[0]: "< 1.4.9", vendor_fix */
    const ts_adv_product_t *lts = at_product(a, "CSAFPID-0005");
    assert_string_equal(lts->version_text, "< 1.4.9");
    assert_true(at_in(lts, "1.4.8") && !at_in(lts, "1.4.9"));
    assert_true(at_has_rem(lts, "vendor_fix", NULL));
    /* branches[0].branches[1].branches[0]: "<= 1.9-40" (a Linux driver release) */
    const ts_adv_product_t *rp = at_product(a, "CSAFPID-0002");
    assert_true(at_in(rp, "1.9-40") && at_in(rp, "1.9-39") && !at_in(rp, "1.9-41"));
    /* branches[0].branches[3].branches[0]: "vers:all/\*" */
    const ts_adv_product_t *all = at_product(a, "CSAFPID-0004");
    assert_true(all->range_ok && all->range.all);
    assert_int_equal(all->status, TS_PS_AFFECTED);
    /* branches[0].branches[21] and [22]: known_not_affected, all versions */
    const ts_adv_product_t *na = at_product(a, "CSAFPID-0022");
    assert_int_equal(na->status, TS_PS_NOT_AFFECTED);
    assert_true(na->range.all);
    assert_int_equal(at_product(a, "CSAFPID-0023")->status, TS_PS_NOT_AFFECTED);
    ts_advisory_free(a);
}

static void test_corpus_icsa_24_256_08(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/icsa-24-256-08.json");
    if (a == NULL)
        skip();
    assert_int_equal(a->n_products, 13);
    /* product_tree.branches[0].branches[2].branches[0]: the invalid "vers:all/<V2.4" is
     * read as "<V2.4" and reported */
    const ts_adv_product_t *lt = at_product(a, "CSAFPID-0003");
    assert_string_equal(lt->version_text, "vers:all/<V2.4");
    assert_true(at_in(lt, "V2.3") && !at_in(lt, "V2.4"));
    at_expect_problem(a, "CSAFPID-0003", "vers:all/<V2.4");
    /* branches[0].branches[3].branches[0]: "<V4.1_Update_2" */
    const ts_adv_product_t *neo = at_product(a, "CSAFPID-0004");
    assert_true(neo->range_ok);
    assert_true(at_has_rem(neo, "vendor_fix", NULL));
    /* branches[0].branches[9].branches[0]: free text, not understood, reported */
    const ts_adv_product_t *w = at_product(a, "CSAFPID-0010");
    assert_false(w->range_ok);
    at_expect_problem(a, "CSAFPID-0010", "All_versions_with_installed_WebRH");
    assert_true(at_has_rem(w, "no_fix_planned", NULL));
    /* vulnerabilities[0].remediations[1]: none_available; [2]: vendor_fix with url */
    assert_true(at_has_rem(at_product(a, "CSAFPID-0005"), "none_available", NULL));
    assert_true(at_has_rem(at_product(a, "CSAFPID-0002"), "vendor_fix",
                           "https://iehub.eu1.edge.siemens.cloud/"));
    ts_advisory_free(a);
}

static void test_corpus_icsa_24_011_07(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/icsa-24-011-07.json");
    if (a == NULL)
        skip();
    assert_int_equal(a->n_products, 1);
    /* product_tree.branches[0].branches[0].branches[0]: "All versions < V23Q4", id "1" */
    const ts_adv_product_t *e = at_product(a, "1");
    assert_string_equal(e->version_text, "All versions < V23Q4");
    assert_true(at_in(e, "V23Q3") && !at_in(e, "V23Q4"));
    ts_advisory_free(a);
}

static void test_corpus_rhsa(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/rhsa-2021_5186.json");
    if (a == NULL)
        skip();
    char v[TS_NAME_MAX];
    assert_string_equal(a->id, "RHSA-2021:5186");
    assert_string_equal(a->publisher, "Red Hat Product Security");
    assert_int_equal(a->n_cves, 2);
    assert_true(a->cvss < 0); /* no scores; the aggregate severity gives the level */
    assert_string_equal(a->severity, "critical");
    /* Only the three relationship products (product_tree.relationships[0..2]) have a
     * status; each takes its component's identity (vendor Red Hat, the image version),
     * and links its status to 8Base-RHOSE-4.6 (one link per status). */
    assert_int_equal(a->n_products, 5);
    const char *hive = "8Base-RHOSE-4.6:openshift4/ose-metering-hive:v4.6.0-202112160147.p0."
                       "gf139e12.assembly.stream";
    const ts_adv_product_t *h = at_product(a, hive);
    assert_int_equal(h->status, TS_PS_FIXED);
    assert_string_equal(h->vendor, at_normv("Red Hat", v));
    assert_non_null(strstr(h->full_name, "as a component of Red Hat OpenShift Container"));
    assert_string_equal(h->version_text, "openshift4/ose-metering-hive:v4.6.0-202112160147.p0."
                                         "gf139e12.assembly.stream");
    assert_true(at_has_rem(h, "vendor_fix", "https://access.redhat.com/errata/RHSA-2021:5186"));
    size_t na = 0, links = 0;
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        if (p->via[0] == '\0') {
            na += p->status == TS_PS_NOT_AFFECTED;
            continue;
        }
        /* the platform product: its CPE's names, its CPE, its version 4.6 */
        links++;
        assert_string_equal(p->via, "relationship default_component_of 8Base-RHOSE-4.6 "
                                    "(cpe:/a:redhat:openshift:4.6::el8)");
        assert_string_equal(p->vendor, "redhat");
        assert_string_equal(p->product, "openshift");
        assert_true(p->has_cpe && at_in(p, "4.6") && !at_in(p, "4.7"));
        if (p->status == TS_PS_FIXED) {
            assert_string_equal(p->ref, hive);
            assert_true(at_has_rem(p, "vendor_fix", NULL));
        } else {
            assert_int_equal(p->status, TS_PS_NOT_AFFECTED);
            assert_non_null(strstr(p->full_name, "(and 1 more)"));
        }
    }
    assert_int_equal(na, 2);
    assert_int_equal(links, 2);
    ts_advisory_free(a);
}

static void test_corpus_bsi(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/bsi-2022-0001.json");
    if (a == NULL)
        skip();
    assert_int_equal(a->n_products, 6);
    /* product_tree.branches[0].branches[0].branches[5]: 1.0.0-rc2 is first_fixed + fixed */
    const ts_adv_product_t *rc2 = at_product(a, "CSAFPID-0006");
    assert_int_equal(rc2->status, TS_PS_FIXED);
    assert_true(rc2->has_cpe);
    assert_string_equal(rc2->cpe.a[TS_CPE_VENDOR].value, "csaf-tools");
    /* branches[0].branches[0].branches[0]: 1.0.0-alpha affected, vendor_fix with url */
    const ts_adv_product_t *al = at_product(a, "CSAFPID-0001");
    assert_int_equal(al->status, TS_PS_AFFECTED);
    assert_string_equal(al->version_text, "1.0.0-alpha");
    assert_true(at_has_rem(al, "vendor_fix", NULL));
    assert_true(a->cvss > 6.09 && a->cvss < 6.11);
    ts_advisory_free(a);
}

static void test_corpus_cisco(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/cisco-sa-20180328-smi2.json");
    if (a == NULL)
        skip();
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    /* "Cisco Security Advisory" category: Base profile. 259 enumerated products. */
    assert_int_equal(a->n_products, 259);
    assert_string_equal(a->severity, "critical");
    for (size_t i = 0; i < a->n_products; i++) {
        assert_int_equal(a->products[i].status, TS_PS_AFFECTED);
        assert_string_equal(a->products[i].vendor, at_normv("Cisco", v));
        assert_true(at_has_rem(&a->products[i], "workaround", NULL));
    }
    /* product_tree.branches[0].branches[0].branches[0].branches[0]: IOS > 12.2SE >
     * service_pack 12.2(55)SE: the service pack is the version */
    const ts_adv_product_t *e = at_product(a, "CVRFPID-103763");
    assert_string_equal(e->product, at_normp("IOS", p));
    assert_string_equal(e->version_text, "12.2(55)SE");
    assert_string_equal(e->full_name, "Cisco IOS 12.2SE 12.2(55)SE");
    ts_advisory_free(a);
}

static void test_corpus_va(void **state)
{
    ts_advisory_t *a = at_corpus(ts_csaf_parse, "advisories/csaf/va-24-201-01.json");
    if (a == NULL)
        skip();
    char p[TS_NAME_MAX];
    assert_string_equal(a->id, "VA-24-201-01");
    assert_int_equal(a->n_cves, 3);
    assert_int_equal(a->n_products, 4);
    /* product_tree.branches[0].branches[0].branches[0]: "all versions" range text */
    const ts_adv_product_t *all = at_product(a, "CSAFPID-0006");
    assert_true(all->range_ok && all->range.all);
    assert_string_equal(all->product, at_normp("Adminer", p));
    assert_true(at_has_rem(all, "none_available", NULL));
    /* branches[1].branches[0].branches[2]: 4.8.4 fixed */
    assert_int_equal(at_product(a, "CSAFPID-0009")->status, TS_PS_FIXED);
    /* branches[1].branches[0].branches[0]: 4.8.2 gets the fixes of two vulnerabilities */
    const ts_adv_product_t *e = at_product(a, "CSAFPID-0077");
    assert_true(at_has_rem(e, "vendor_fix",
                           "https://github.com/adminerevo/adminerevo/releases/tag/v4.8.4"));
    assert_true(at_has_rem(e, "vendor_fix",
                           "https://github.com/adminerevo/adminerevo/releases/tag/v4.8.3"));
    ts_advisory_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_unknown_refs),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_empty_arrays),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_purl),
        cmocka_unit_test(test_relationships),
        cmocka_unit_test(test_relationship_bounds),
        cmocka_unit_test(test_parse_any),
        cmocka_unit_test(test_corpus_icsa_24_289_02),
        cmocka_unit_test(test_corpus_icsa_23_243_04),
        cmocka_unit_test(test_corpus_icsa_24_256_08),
        cmocka_unit_test(test_corpus_icsa_24_011_07),
        cmocka_unit_test(test_corpus_rhsa),
        cmocka_unit_test(test_corpus_bsi),
        cmocka_unit_test(test_corpus_cisco),
        cmocka_unit_test(test_corpus_va),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
