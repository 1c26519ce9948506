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
    at_expect_fail(ts_cve5_parse, s, strlen(s), code, n1, n2);
}

static ts_advisory_t *parse_ok(const char *s)
{
    return at_parse_ok(ts_cve5_parse, s);
}

static size_t count_ref_prefix(const ts_advisory_t *a, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_products; i++)
        n += strncmp(a->products[i].ref, prefix, strlen(prefix)) == 0;
    return n;
}

/* The entry of prefix whose range holds version v (exactly one is expected). */
static const ts_adv_product_t *covering(const ts_advisory_t *a, const char *prefix, const char *v)
{
    const ts_adv_product_t *hit = NULL;
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        if (strncmp(p->ref, prefix, strlen(prefix)) != 0 || !p->range_ok)
            continue;
        if (at_in(p, v)) {
            if (hit)
                fail_msg("%s and %s both hold %s", hit->ref, p->ref, v);
            hit = p;
        }
    }
    if (hit == NULL)
        fail_msg("no entry of %s holds %s", prefix, v);
    return hit;
}

/* ---- Invalid input ---------------------------------------------------------- */

static void test_invalid(void **state)
{
    expect_fail("", TS_ETRUNC, "t.json", NULL);
    expect_fail("{\"dataType\": \"CVE_RECORD\"", TS_ETRUNC, NULL, NULL);
    expect_fail("{\"dataType\": \"CVE_\xff\"}", TS_EUTF8, NULL, NULL);
    /* An encoded surrogate (CESU-8) passes json-c but not the string accessor. */
    expect_fail("{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": "
                "\"CVE-2026-3003\", \"state\": \"PUBLISHED\"}, \"containers\": {\"cna\": "
                "{\"title\": \"bad \xed\xa0\x80\", \"affected\": []}}}",
                TS_EUTF8, "containers.cna", "title");
    expect_fail("\"CVE\"", TS_ETYPE, "expected a JSON object", NULL);
    expect_fail("{}", TS_EMISSING, "dataType", NULL);
    expect_fail("{\"dataType\": \"CVE_RECORD_V4\"}", TS_ENOTSUP, "CVE_RECORD", NULL);
    expect_fail("{\"dataType\": 5}", TS_ETYPE, "dataType", "expected string");
    expect_fail("{\"dataType\": \"CVE_RECORD\"}", TS_EMISSING, "cveMetadata", NULL);

    size_t len;
    char *doc = at_data("cve5-min.json", &len);
    static const struct {
        const char *from, *to, *n1, *n2;
        int code;
    } cases[] = {
        {"\"cveId\": \"CVE-2026-3000\",", "", "cveMetadata", "cveId", TS_EMISSING},
        {"\"state\": \"PUBLISHED\",", "", "cveMetadata", "state", TS_EMISSING},
        {"\"cveId\": \"CVE-2026-3000\"", "\"cveId\": \"GHSA-1234\"", "cveMetadata", "not a CVE id",
         TS_EINVAL},
        {"\"cveId\": \"CVE-2026-3000\"", "\"cveId\": 2026", "cveMetadata", "expected string",
         TS_ETYPE},
        {"\"containers\": {", "\"containerz\": {", "containers", "missing", TS_EMISSING},
        {"\"cna\": {", "\"adp0\": {", "containers", "\"cna\" is missing", TS_EMISSING},
        {"\"affected\": [", "\"unaffected\": [", "containers.cna", "\"affected\" is missing",
         TS_EMISSING},
        {"\"version\": \"2.0.0\", \"lessThan\": \"3.0.0\"", "\"lessThan\": \"3.0.0\"",
         "containers.cna.affected[0].versions[0]", "\"version\" is missing", TS_EMISSING},
        {"\"status\": \"affected\", \"versionType\": \"semver\",\n",
         "\"status\": true, \"versionType\": \"semver\",\n",
         "containers.cna.affected[0].versions[0]", "expected string", TS_ETYPE},
        {"{\"at\": \"2.7.1\", \"status\": \"unaffected\"}", "{\"at\": 2.7}",
         "containers.cna.affected[0].versions[0].changes[0]", "expected string", TS_ETYPE},
        {"\"cpes\": [\"cpe:2.3:a:example:libthing", "\"cpes\": [7, \"cpe:2.3:a:example:libthing",
         "containers.cna.affected[2].cpes[0]", "expected string", TS_ETYPE},
        {"\"versions\": [{\"version\": \"4.2\"", "\"versions\": [[], {\"version\": \"4.2\"",
         "containers.cna.affected[1].versions", "expected object", TS_ETYPE},
        {"\"baseScore\": 6.5", "\"baseScore\": \"6.5\"", "containers.cna.metrics[0].cvssV3_1",
         "expected number", TS_ETYPE},
        {"\"adp\": [", "\"adp\": [5, ", "containers.adp", "expected object", TS_ETYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *bad = at_replace(doc, cases[i].from, cases[i].to);
        print_message("case %zu: %s\n", i, cases[i].n2);
        expect_fail(bad, cases[i].code, cases[i].n1, cases[i].n2);
        free(bad);
    }
    free(doc);
}

static void test_rejected(void **state)
{
    size_t len;
    char *doc = at_data("cve5-rejected.json", &len);
    at_expect_fail(ts_cve5_parse, doc, len, TS_ENOENT, "CVE-2026-3001", "REJECTED");
    free(doc);
}

static void test_too_big_and_deep(void **state)
{
    size_t n = (size_t)TS_ADV_DOC_MAX + 1;
    char *big = calloc(n, 1);
    assert_non_null(big);
    ts_advisory_t *a = (ts_advisory_t *)1;
    char err[256];
    assert_int_equal(ts_cve5_parse(big, n, "big.json", &a, err, sizeof err), TS_ETOOBIG);
    assert_null(a);
    free(big);
    char deep[1000];
    size_t k = 0;
    for (int i = 0; i < 300; i++)
        deep[k++] = '[';
    for (int i = 0; i < 300; i++)
        deep[k++] = ']';
    deep[k] = '\0';
    const char *pre = "{\"dataType\": \"CVE_RECORD\", \"x\": ";
    char *s = malloc(strlen(pre) + k + 2);
    strcpy(s, pre);
    strcat(s, deep);
    strcat(s, "}");
    expect_fail(s, TS_EDEPTH, "nesting", NULL);
    free(s);
}

static void test_empty_arrays(void **state)
{
    const char *s = "{\"dataType\": \"CVE_RECORD\", \"dataVersion\": \"5.1\", \"cveMetadata\": "
                    "{\"cveId\": \"CVE-2026-3002\", \"state\": \"PUBLISHED\"}, \"containers\": "
                    "{\"cna\": {\"affected\": [], \"metrics\": [], \"descriptions\": []}, "
                    "\"adp\": []}}";
    ts_advisory_t *a = parse_ok(s);
    assert_int_equal(a->n_products, 0);
    assert_string_equal(a->id, "CVE-2026-3002");
    assert_string_equal(a->title, "");
    assert_string_equal(a->publisher, "");
    assert_true(a->cvss < 0);
    assert_int_equal(a->published, TS_TIME_NONE);
    ts_advisory_free(a);
    /* An element without names, versions or CPEs: one "all versions" entry, reported. */
    const char *bare = "{\"dataType\": \"CVE_RECORD\", \"cveMetadata\": {\"cveId\": "
                       "\"CVE-2026-3003\", \"state\": \"PUBLISHED\"}, \"containers\": {\"cna\": "
                       "{\"affected\": [{\"vendor\": \"n/a\", \"product\": \"n/a\", "
                       "\"versions\": []}]}}}";
    a = parse_ok(bare);
    assert_int_equal(a->n_products, 1);
    assert_int_equal(a->products[0].status, TS_PS_UNDER_INVESTIGATION);
    assert_string_equal(a->products[0].vendor, "");
    at_expect_problem(a, "affected[0]", "cannot match by name");
    ts_advisory_free(a);
}

/* ---- Own fixture ------------------------------------------------------------- */

static void test_fixture(void **state)
{
    size_t len;
    char *doc = at_data("cve5-min.json", &len);
    ts_advisory_t *a = parse_ok(doc);
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    assert_int_equal(a->source, TS_ADV_CVE5);
    assert_string_equal(a->id, "CVE-2026-3000");
    assert_string_equal(a->publisher, "examplecna");
    assert_string_equal(a->revision, "2026-03-05T09:00:00Z");
    /* No title: the English description's first line. */
    assert_string_equal(a->title, "Gadget before 2.5 lets attackers in.");
    /* v3.1 preferred over the higher v4.0 */
    assert_true(a->cvss > 6.49 && a->cvss < 6.51);
    assert_string_equal(a->severity, "medium");
    int64_t t;
    assert_int_equal(ts_time_parse("2026-03-01T12:00:00.000Z", 24, &t), 0);
    assert_true(a->published == t);

    /* containers.cna.affected[0].versions[0]: [2.0.0, 3.0.0) affected with changes given
     * out of order: 2.5.0 unaffected, 2.6.0 affected again, 2.7.1 unaffected. */
    const char *g = "cna.affected[0]";
    assert_int_equal(covering(a, g, "2.4.9")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, g, "2.5.0")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, g, "2.6.3")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, g, "2.7.1")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, g, "2.9.9")->status, TS_PS_NOT_AFFECTED);
    /* versions[1]: version "0" = from the start, < 1.0.0 */
    const ts_adv_product_t *z = at_product(a, "cna.affected[0].versions[1]");
    assert_int_equal(z->status, TS_PS_AFFECTED);
    assert_true(at_in(z, "0.0.1") && !at_in(z, "1.0.0"));
    /* versions[2]: "3.1.0 " trimmed and reported */
    assert_string_equal(at_product(a, "cna.affected[0].versions[2]")->version_text, "3.1.0");
    at_expect_problem(a, "affected[0].versions[2]", "\"3.1.0 \"");
    /* defaultStatus unaffected: the versions between and after get it */
    assert_int_equal(covering(a, g, "1.5.0")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, g, "3.0.5")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, g, "3.1.0")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, g, "4.0.0")->status, TS_PS_NOT_AFFECTED);
    assert_string_equal(covering(a, g, "4.0.0")->ref, "cna.affected[0].defaultStatus");
    assert_string_equal(covering(a, g, "2.4.9")->vendor, at_normv("Example Corp", v));
    assert_string_equal(covering(a, g, "2.4.9")->product, at_normp("Gadget", p));
    assert_int_equal(covering(a, g, "2.4.9")->range.scheme, TS_VS_SEMVER);

    /* affected[1]: unaffected from 4.2 ("*" = no upper bound), default affected */
    const ts_adv_product_t *gz = at_product(a, "cna.affected[1].versions[0]");
    assert_int_equal(gz->status, TS_PS_NOT_AFFECTED);
    assert_true(at_in(gz, "4.2") && at_in(gz, "99") && !at_in(gz, "4.1"));
    const ts_adv_product_t *gd = at_product(a, "cna.affected[1].defaultStatus");
    assert_int_equal(gd->status, TS_PS_AFFECTED);
    assert_true(at_in(gd, "4.1") && !at_in(gd, "4.2"));

    /* affected[2]: package only; git ranges are kept, not understood; the
     * custom range up to "1.0.*" (the whole 1.0 series) is read as generic
     * and says so */
    const ts_adv_product_t *git = at_product(a, "cna.affected[2].versions[0]");
    assert_false(git->range_ok);
    assert_non_null(strstr(git->range_error, "git"));
    assert_string_equal(git->product, at_normp("libthing", p));
    assert_string_equal(git->vendor, "");
    assert_true(git->has_cpe); /* the one valid CPE of cpes[] */
    const ts_adv_product_t *series = at_product(a, "cna.affected[2].versions[1]");
    assert_true(at_in(series, "1.0") && at_in(series, "1.0.77") && !at_in(series, "1.1"));
    assert_string_equal(series->note, "versionType custom compared as generic dotted versions");
    at_expect_problem(a, "affected[2].versions[2]", "bogus");
    at_expect_problem(a, "affected[2].cpes[1]", "not a cpe");
    assert_int_equal(count_ref_prefix(a, "cna.affected[2]"), 2);

    /* affected[3]: no versions, defaultStatus affected: all versions affected */
    const ts_adv_product_t *d = at_product(a, "cna.affected[3]");
    assert_true(d->range_ok && d->range.all);
    assert_int_equal(d->status, TS_PS_AFFECTED);

    /* affected[4]: status unknown -> under investigation, lessThanOrEqual included */
    const ts_adv_product_t *u = at_product(a, "cna.affected[4].versions[0]");
    assert_int_equal(u->status, TS_PS_UNDER_INVESTIGATION);
    assert_true(at_in(u, "5.4") && !at_in(u, "5.4.1"));
    assert_int_equal(count_ref_prefix(a, "cna.affected[4]"), 1); /* no defaultStatus */

    /* affected[5]: version "n/a": kept, not understood, reported */
    const ts_adv_product_t *na = at_product(a, "cna.affected[5].versions[0]");
    assert_false(na->range_ok);
    assert_int_equal(na->status, TS_PS_AFFECTED);
    at_expect_problem(a, "cna.affected[5].versions[0]", "no version given");

    /* containers.adp[0]: its own entries, the lessThan "2.5.0 " trimmed and reported */
    const ts_adv_product_t *adp = at_product(a, "adp[0].affected[0].versions[0]");
    assert_true(at_in(adp, "2.0.0") && !at_in(adp, "2.5.0"));
    assert_true(adp->has_cpe);
    at_expect_problem(a, "adp[0].affected[0].versions[0]", "\"2.5.0 \"");
    ts_advisory_free(a);
    free(doc);
}

/* containers.cna.solutions / workarounds: no per-product remediation in CVE 5,
 * so the English text applies to every affected entry, never to an
 * unaffected one. */
static void test_solutions(void **state)
{
    (void)state;
    size_t len;
    char *doc = at_data("cve5-min.json", &len);
    char *with =
        at_replace(doc, "\"references\": [",
                   "\"solutions\": [{\"lang\": \"de\", \"value\": \"Aktualisieren\"}, "
                   "{\"lang\": \"en\", \"value\": \"Upgrade to 2.5.0.\"}], "
                   "\"workarounds\": [{\"lang\": \"en\", \"value\": \"Block port 8080.\"}], "
                   "\"references\": [");
    assert_non_null(with);
    ts_advisory_t *a = parse_ok(with);
    size_t affected = 0;
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        if (p->status != TS_PS_AFFECTED) {
            assert_int_equal(p->n_remediations, 0);
            continue;
        }
        affected++;
        assert_int_equal(p->n_remediations, 2);
        assert_string_equal(p->remediations[0]->category, "vendor_fix");
        assert_string_equal(p->remediations[0]->details, "Upgrade to 2.5.0.");
        assert_string_equal(p->remediations[1]->category, "workaround");
        assert_string_equal(p->remediations[1]->details, "Block port 8080.");
    }
    assert_true(affected > 0);
    ts_advisory_free(a);
    /* Without them: no remediation at all. */
    a = parse_ok(doc);
    for (size_t i = 0; i < a->n_products; i++)
        assert_int_equal(a->products[i].n_remediations, 0);
    ts_advisory_free(a);
    free(with);
    free(doc);
}

static void test_cpe_copies(void **state)
{
    size_t len;
    char *doc = at_data("cve5-min.json", &len);
    char *two = at_replace(doc, "\"cpes\": [\"cpe:/a:example:gadget:2.0.0\"]",
                           "\"cpes\": [\"cpe:/a:example:gadget:2.0.0\", "
                           "\"cpe:2.3:a:example:gadget_pro:*:*:*:*:*:*:*:*\"]");
    ts_advisory_t *a = parse_ok(two);
    const ts_adv_product_t *c0 = at_product(a, "adp[0].affected[0].versions[0].cpes[0]");
    const ts_adv_product_t *c1 = at_product(a, "adp[0].affected[0].versions[0].cpes[1]");
    assert_string_equal(c0->cpe.a[TS_CPE_PRODUCT].value, "gadget");
    assert_string_equal(c1->cpe.a[TS_CPE_PRODUCT].value, "gadget_pro");
    assert_string_equal(c0->version_text, c1->version_text);
    ts_advisory_free(a);
    free(two);
    free(doc);
}

/* ---- Version rules, on records written here ----------------------------------- */

static ts_advisory_t *parse_record(const char *affected, const char *adp_affected)
{
    char *s = at_cve5_doc(affected, adp_affected);
    ts_advisory_t *a = parse_ok(s);
    free(s);
    return a;
}

/* The kernel CNA's shape: a git element (default unaffected) and a release
 * element (default affected) whose fixed stable lines end in "6.1.*" and
 * whose mainline fix is an original_commit_for_fix version up to "*". */
static void test_kernel_shape(void **state)
{
    (void)state;
    ts_advisory_t *a = parse_record(
        "[{\"vendor\": \"Linux\", \"product\": \"Linux\", \"defaultStatus\": \"unaffected\", "
        "\"versions\": [{\"version\": \"1da177e4c3f4\", \"lessThan\": \"21f8cfe79f77\", "
        "\"status\": \"affected\", \"versionType\": \"git\"}]}, "
        "{\"vendor\": \"Linux\", \"product\": \"Linux\", \"defaultStatus\": \"affected\", "
        "\"versions\": [{\"version\": \"6.1\", \"status\": \"affected\"}, "
        "{\"version\": \"0\", \"lessThan\": \"6.1\", \"status\": \"unaffected\", \"versionType\": "
        "\"custom\"}, "
        "{\"version\": \"6.1.90\", \"lessThanOrEqual\": \"6.1.*\", \"status\": \"unaffected\", "
        "\"versionType\": \"custom\"}, "
        "{\"version\": \"6.6.30\", \"lessThanOrEqual\": \"6.6.*\", \"status\": \"unaffected\", "
        "\"versionType\": \"custom\"}, "
        "{\"version\": \"6.9\", \"lessThanOrEqual\": \"*\", \"status\": \"unaffected\", "
        "\"versionType\": \"original_commit_for_fix\"}]}]",
        NULL);
    char p[TS_NAME_MAX];
    /* the git element: never decides; its default status is in doubt */
    const ts_adv_product_t *git = at_product(a, "cna.affected[0].versions[0]");
    assert_false(git->range_ok);
    assert_non_null(strstr(git->range_error, "git"));
    assert_string_equal(git->product, "linux_kernel"); /* Linux/Linux is the kernel */
    const ts_adv_product_t *gd = at_product(a, "cna.affected[0].defaultStatus");
    assert_true(gd->range_ok && gd->range.all);
    assert_non_null(strstr(gd->doubt, "versions[0]"));
    assert_non_null(strstr(gd->doubt, "may cover it"));
    /* the release element, at the edges of 6.1.* */
    const char *rel = "cna.affected[1]";
    assert_int_equal(covering(a, rel, "6.0.10")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, rel, "6.1")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, rel, "6.1.89")->status, TS_PS_AFFECTED);
    assert_string_equal(covering(a, rel, "6.1.89")->ref, "cna.affected[1].defaultStatus");
    const ts_adv_product_t *fixed = covering(a, rel, "6.1.90");
    assert_int_equal(fixed->status, TS_PS_NOT_AFFECTED);
    assert_string_equal(fixed->ref, "cna.affected[1].versions[2]");
    assert_string_equal(fixed->note, "versionType custom compared as generic dotted versions");
    assert_string_equal(fixed->doubt, "");
    assert_ptr_equal(covering(a, rel, "6.1.300"), fixed);
    assert_int_equal(covering(a, rel, "6.2.0")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, rel, "6.6.29")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, rel, "6.6.30")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, rel, "6.8.12")->status, TS_PS_AFFECTED);
    const ts_adv_product_t *main = covering(a, rel, "6.9");
    assert_int_equal(main->status, TS_PS_NOT_AFFECTED);
    assert_string_equal(main->note,
                        "versionType original_commit_for_fix compared as generic dotted versions");
    assert_ptr_equal(covering(a, rel, "6.12.1"), main);
    /* a default entry holds no doubt where everything was understood */
    assert_string_equal(covering(a, rel, "6.2.0")->doubt, "");
    assert_string_equal(covering(a, rel, "6.2.0")->product, at_normp("linux_kernel", p));
    ts_advisory_free(a);
    /* "0 lessThan 7" unaffected around ten fixed-up lines: more pieces than
     * one range holds, so two entries, and every version still stated once */
    char aff[2048] = "[{\"vendor\": \"Linux\", \"product\": \"Linux\", \"versions\": [{"
                     "\"version\": \"0\", \"lessThan\": \"7\", \"status\": \"unaffected\", "
                     "\"versionType\": \"custom\"}";
    for (int k = 1; k <= 10; k++)
        snprintf(aff + strlen(aff), sizeof aff - strlen(aff),
                 ", {\"version\": \"5.%d\", \"status\": \"affected\"}", k);
    strcat(aff, "]}]");
    a = parse_record(aff, NULL);
    assert_int_equal(count_ref_prefix(a, "cna.affected[0].versions[0]"), 2);
    assert_int_equal(covering(a, "cna.affected[0]", "5.5")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, "cna.affected[0]", "5.5.1")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, "cna.affected[0]", "6.0")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, "cna.affected[0]", "4.19")->status, TS_PS_NOT_AFFECTED);
    ts_advisory_free(a);
}

/* Bad input: what the record says only partly understood never becomes a
 * confident verdict it does not state. */
static void test_partly_understood(void **state)
{
    (void)state;
    /* The case: default affected, and unaffected ranges that cannot
     * be read. The versions the default covers are in doubt. */
    ts_advisory_t *a = parse_record(
        "[{\"vendor\": \"Linux\", \"product\": \"Linux\", \"defaultStatus\": \"affected\", "
        "\"versions\": [{\"version\": \"6.1.90\", \"lessThanOrEqual\": \"6.1.x\", \"status\": "
        "\"unaffected\", \"versionType\": \"custom\"}, "
        "{\"version\": \"6.6.30\", \"lessThanOrEqual\": \"6.6.*\", \"status\": \"unaffected\", "
        "\"versionType\": \"custom\"}]}, "
        /* an entry with a status the schema does not know: it may say anything */
        "{\"vendor\": \"acme\", \"product\": \"anvil\", \"defaultStatus\": \"unaffected\", "
        "\"versions\": [{\"version\": \"2.0\", \"status\": \"broken\"}, {\"version\": \"1.0\", "
        "\"status\": \"affected\"}]}, "
        /* an unreadable entry with the default's own status casts no doubt */
        "{\"vendor\": \"acme\", \"product\": \"hammer\", \"defaultStatus\": \"affected\", "
        "\"versions\": [{\"version\": \"abc\", \"lessThan\": \"def\", \"status\": \"affected\", "
        "\"versionType\": \"git\"}, {\"version\": \"3.0\", \"status\": \"unaffected\"}]}]",
        NULL);
    const ts_adv_product_t *bad = at_product(a, "cna.affected[0].versions[0]");
    assert_false(bad->range_ok);
    at_expect_problem(a, "cna.affected[0].versions[0]", "not understood");
    const ts_adv_product_t *gap = covering(a, "cna.affected[0]", "6.1.95");
    assert_int_equal(gap->status, TS_PS_AFFECTED);
    assert_non_null(strstr(gap->doubt, "versions[0]"));
    /* the understood unaffected range still decides */
    const ts_adv_product_t *ok = covering(a, "cna.affected[0]", "6.6.40");
    assert_int_equal(ok->status, TS_PS_NOT_AFFECTED);
    assert_string_equal(ok->doubt, "");
    at_expect_problem(a, "cna.affected[1].versions[0]", "entry ignored");
    assert_non_null(strstr(covering(a, "cna.affected[1]", "3.0")->doubt, "status \"broken\""));
    assert_string_equal(covering(a, "cna.affected[1]", "1.0")->doubt, "");
    assert_string_equal(covering(a, "cna.affected[2]", "2.0")->doubt, "");
    ts_advisory_free(a);
    /* CISA's ADP writes the kernel's commits as "custom" versions: not versions */
    a = parse_record("[]", "[{\"vendor\": \"linux\", \"product\": \"linux_kernel\", "
                           "\"defaultStatus\": \"unknown\", \"versions\": [{\"version\": "
                           "\"1da177e4c3f4\", \"lessThan\": \"2dcda336b6e8\", \"status\": "
                           "\"affected\", \"versionType\": \"custom\"}]}]");
    const ts_adv_product_t *commit = at_product(a, "adp[0].affected[0].versions[0]");
    assert_false(commit->range_ok);
    assert_non_null(strstr(commit->range_error, "commit id"));
    assert_true(commit->secondary);
    ts_advisory_free(a);
    /* a change with an unknown status leaves its whole entry unread */
    a = parse_record(
        "[{\"vendor\": \"acme\", \"product\": \"anvil\", \"versions\": [{\"version\": "
        "\"1.0.0\", \"lessThan\": \"2.0.0\", \"status\": \"affected\", \"versionType\": "
        "\"semver\", \"changes\": [{\"at\": \"1.5.0\", \"status\": \"fixed\"}]}]}]",
        NULL);
    assert_false(at_product(a, "cna.affected[0].versions[0]")->range_ok);
    assert_non_null(strstr(at_product(a, "cna.affected[0].versions[0]")->range_error, "fixed"));
    ts_advisory_free(a);
}

/* Ranges written inside "version" (GitHub's syntax), overlapping as
 * Atlassian writes them: the more specific entry keeps the versions. */
static void test_ranges_in_version(void **state)
{
    (void)state;
    ts_advisory_t *a = parse_record(
        "[{\"vendor\": \"saleor\", \"product\": \"saleor\", \"versions\": ["
        "{\"version\": \">= 3.10.0, < 3.14.64\", \"status\": \"affected\"}, "
        "{\"version\": \"< 2.4.1\", \"status\": \"affected\"}, "
        "{\"version\": \"= 3.15.2\", \"status\": \"affected\"}, "
        "{\"version\": \">= 3.0.0, 3.0.7\", \"status\": \"affected\"}]}, "
        "{\"vendor\": \"Atlassian\", \"product\": \"Confluence Data Center\", \"versions\": ["
        "{\"status\": \"unaffected\", \"version\": \"< 7.13.0\"}, "
        "{\"status\": \"affected\", \"version\": \">= 7.13.0\"}, "
        "{\"status\": \"affected\", \"version\": \">= 7.19.0\"}, "
        "{\"status\": \"affected\", \"version\": \">= 8.0.0\"}, "
        "{\"status\": \"unaffected\", \"version\": \">= 7.19.18\"}, "
        "{\"status\": \"unaffected\", \"version\": \">= 8.7.2\"}]}, "
        /* the same versions given two statuses: both in doubt */
        "{\"vendor\": \"acme\", \"product\": \"anvil\", \"versions\": ["
        "{\"version\": \">= 1.0, < 2.0\", \"status\": \"affected\"}, "
        "{\"version\": \">= 1.0, < 2.0\", \"status\": \"unaffected\"}]}]",
        NULL);
    const char *s = "cna.affected[0]";
    assert_string_equal(covering(a, s, "3.14.63")->ref, "cna.affected[0].versions[0]");
    assert_string_equal(covering(a, s, "3.14.63")->version_text, ">= 3.10.0, < 3.14.64");
    assert_string_equal(covering(a, s, "2.4.0")->ref, "cna.affected[0].versions[1]");
    assert_string_equal(covering(a, s, "3.15.2")->ref, "cna.affected[0].versions[2]");
    bool in = true;
    assert_int_equal(ts_vrange_contains(&at_product(a, "cna.affected[0].versions[0]")->range,
                                        TS_STR_LIT("3.14.64"), &in),
                     0);
    assert_false(in);
    const ts_adv_product_t *junk = at_product(a, "cna.affected[0].versions[3]");
    assert_false(junk->range_ok);
    assert_non_null(strstr(junk->range_error, "GitHub"));
    /* Atlassian: 8.7.2 is fixed though ">= 7.13.0" holds it too */
    const char *c = "cna.affected[1]";
    assert_int_equal(covering(a, c, "7.12.9")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, c, "7.14.0")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, c, "7.19.17")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, c, "7.19.18")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, c, "7.20.0")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, c, "8.0.1")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, c, "8.7.1")->status, TS_PS_AFFECTED);
    const ts_adv_product_t *fix = covering(a, c, "8.7.2");
    assert_int_equal(fix->status, TS_PS_NOT_AFFECTED);
    assert_string_equal(fix->note, "");
    assert_non_null(strstr(covering(a, c, "8.0.1")->note, "narrowed"));
    assert_string_equal(covering(a, c, "8.0.1")->version_text, ">= 8.0.0");
    /* conflicting statuses over the same versions */
    const ts_adv_product_t *both = covering(a, "cna.affected[2]", "1.5");
    assert_non_null(strstr(both->doubt, "versions[1]"));
    at_expect_problem(a, "cna.affected[2].versions[1]", "more specific entry");
    ts_advisory_free(a);
    /* a range in version beside lessThan is not understood */
    a = parse_record("[{\"vendor\": \"a\", \"product\": \"b\", \"versions\": [{\"version\": "
                     "\">= 1.0\", \"lessThan\": \"2.0\", \"status\": \"affected\"}]}]",
                     NULL);
    assert_false(at_product(a, "cna.affected[0].versions[0]")->range_ok);
    ts_advisory_free(a);
}

/* An ADP's entries are marked secondary; the CNA's are not. */
static void test_adp_secondary(void **state)
{
    (void)state;
    ts_advisory_t *a = parse_record(
        "[{\"vendor\": \"a\", \"product\": \"b\", \"versions\": [{\"version\": \">= 7.19.18\", "
        "\"status\": \"unaffected\"}]}]",
        "[{\"vendor\": \"a\", \"product\": \"b\", \"versions\": [{\"version\": \"0\", "
        "\"lessThan\": "
        "\"8.7.2\", \"status\": \"affected\", \"versionType\": \"custom\"}]}]");
    assert_false(at_product(a, "cna.affected[0].versions[0]")->secondary);
    assert_true(at_product(a, "adp[0].affected[0].versions[0]")->secondary);
    ts_advisory_free(a);
}

/* ---- Corpus ------------------------------------------------------------------ */

static void test_corpus_3400(void **state)
{
    ts_advisory_t *a = at_corpus(ts_cve5_parse, "advisories/cve/CVE-2024-3400.json");
    if (a == NULL)
        skip();
    char v[TS_NAME_MAX], p[TS_NAME_MAX];
    assert_string_equal(a->id, "CVE-2024-3400");
    assert_string_equal(a->publisher, "palo_alto");
    assert_true(a->cvss > 9.99);
    assert_string_equal(a->severity, "critical");
    /* containers.cna.affected[0].versions[4]: 10.2.0 lessThan 10.2.9-h1 affected, with
     * changes [{at 10.2.9-h1, unaffected}] (an empty segment: dropped) */
    const char *pan = "cna.affected[0]";
    const ts_adv_product_t *e = covering(a, pan, "10.2.5");
    assert_int_equal(e->status, TS_PS_AFFECTED);
    assert_string_equal(e->vendor, at_normv("Palo Alto Networks", v));
    assert_string_equal(e->product, at_normp("PAN-OS", p));
    assert_true(at_in(e, "10.2.9") && !at_in(e, "10.2.9-h1"));
    /* hotfixes: 10.2.9-h1 and later are unaffected (defaultStatus) */
    assert_int_equal(covering(a, pan, "10.2.9-h1")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, pan, "10.2.10")->status, TS_PS_NOT_AFFECTED);
    /* versions[5], [6] */
    assert_int_equal(covering(a, pan, "11.0.4")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, pan, "11.0.4-h1")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, pan, "11.1.2-h2")->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, pan, "11.1.2-h3")->status, TS_PS_NOT_AFFECTED);
    /* versions[0]: 9.0.0 unaffected; defaultStatus covers the rest of 9.x */
    assert_int_equal(covering(a, pan, "9.0.0")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, pan, "9.1.17")->status, TS_PS_NOT_AFFECTED);
    /* affected[1]: Cloud NGFW, version "All" unaffected */
    const ts_adv_product_t *ngfw = at_product(a, "cna.affected[1].versions[0]");
    assert_true(ngfw->range.all);
    assert_int_equal(ngfw->status, TS_PS_NOT_AFFECTED);
    /* containers.adp[1].affected[0]: CISA ADP, lessThan "10.2.9-h1 " (trailing space)
     * trimmed and reported; the CPE 2.3 name kept */
    const ts_adv_product_t *adp = at_product(a, "adp[1].affected[0].versions[0]");
    assert_string_equal(adp->version_text, ">=10.2.0 <10.2.9-h1");
    assert_true(at_in(adp, "10.2.8") && !at_in(adp, "10.2.9-h1"));
    assert_true(adp->has_cpe);
    assert_string_equal(adp->cpe.a[TS_CPE_VENDOR].value, "paloaltonetworks");
    at_expect_problem(a, "adp[1].affected[0].versions[0]", "\"10.2.9-h1 \"");
    at_expect_problem(a, "adp[1].affected[2].versions[0]", "\"11.1.2-h3 \"");
    /* ADP defaultStatus "unknown" with versions: no default entries */
    assert_int_equal(count_ref_prefix(a, "adp[1].affected[0]"), 1);
    ts_advisory_free(a);
}

static void test_corpus_6387(void **state)
{
    ts_advisory_t *a = at_corpus(ts_cve5_parse, "advisories/cve/CVE-2024-6387.json");
    if (a == NULL)
        skip();
    char p[TS_NAME_MAX];
    assert_string_equal(a->publisher, "redhat");
    assert_string_equal(a->title, "Openssh: regresshion - race condition in ssh allows rce/dos");
    /* containers.cna.affected[0]: upstream OpenSSH (packageName only), 8.5p1 ..=9.7p1 */
    const ts_adv_product_t *up = at_product(a, "cna.affected[0].versions[0]");
    assert_string_equal(up->product, at_normp("OpenSSH", p));
    assert_int_equal(up->status, TS_PS_AFFECTED);
    assert_true(at_in(up, "8.5p1") && at_in(up, "9.7p1") && !at_in(up, "9.8p1") &&
                !at_in(up, "8.4p1"));
    assert_int_equal(covering(a, "cna.affected[0]", "9.8p1")->status, TS_PS_NOT_AFFECTED);
    /* affected[1]: RHEL 9, rpm EVR, unaffected from 0:8.7p1-38.el9_4.1 (lessThan "*"),
     * defaultStatus affected; two CPE 2.2 URIs -> two copies */
    const ts_adv_product_t *fx = at_product(a, "cna.affected[1].versions[0].cpes[0]");
    assert_int_equal(fx->range.scheme, TS_VS_RPM);
    assert_int_equal(fx->status, TS_PS_NOT_AFFECTED);
    assert_true(at_in(fx, "0:8.7p1-38.el9_4.1") && at_in(fx, "0:9.0p1-1.el9") &&
                !at_in(fx, "0:8.7p1-38.el9"));
    assert_true(fx->has_cpe);
    assert_string_equal(fx->cpe.a[TS_CPE_PRODUCT].value, "enterprise_linux");
    assert_string_equal(fx->cpe.a[TS_CPE_UPDATE].value, "");
    assert_non_null(strstr(fx->full_name, "(package openssh)"));
    const ts_adv_product_t *df = at_product(a, "cna.affected[1].defaultStatus.cpes[1]");
    assert_int_equal(df->status, TS_PS_AFFECTED);
    assert_true(at_in(df, "0:8.7p1-38.el9") && !at_in(df, "0:8.7p1-38.el9_4.1"));
    assert_string_equal(df->cpe.a[TS_CPE_PART].value, "a");
    /* affected[10]: Ceph Storage 6, no versions, defaultStatus affected */
    const ts_adv_product_t *ceph = at_product(a, "cna.affected[10]");
    assert_true(ceph->range.all);
    assert_int_equal(ceph->status, TS_PS_AFFECTED);
    /* affected[12]: RHEL 6 unaffected */
    assert_int_equal(at_product(a, "cna.affected[12]")->status, TS_PS_NOT_AFFECTED);
    ts_advisory_free(a);
}

static void test_corpus_3094(void **state)
{
    ts_advisory_t *a = at_corpus(ts_cve5_parse, "advisories/cve/CVE-2024-3094.json");
    if (a == NULL)
        skip();
    char p[TS_NAME_MAX];
    assert_string_equal(a->title, "Xz: malicious code in distributed source");
    assert_true(a->cvss > 9.99);
    /* containers.cna.affected[0]: packageName xz, versions 5.6.0 and 5.6.1 affected,
     * defaultStatus unaffected */
    const ts_adv_product_t *v0 = at_product(a, "cna.affected[0].versions[0]");
    const ts_adv_product_t *v1 = at_product(a, "cna.affected[0].versions[1]");
    assert_string_equal(v0->product, at_normp("xz", p));
    assert_string_equal(v0->vendor, "");
    assert_true(at_in(v0, "5.6.0") && !at_in(v0, "5.6.1"));
    assert_true(at_in(v1, "5.6.1"));
    assert_int_equal(v0->status, TS_PS_AFFECTED);
    assert_int_equal(covering(a, "cna.affected[0]", "5.4.6")->status, TS_PS_NOT_AFFECTED);
    assert_int_equal(covering(a, "cna.affected[0]", "5.6.2")->status, TS_PS_NOT_AFFECTED);
    /* affected[1..5]: Red Hat products with no versions, defaultStatus unaffected */
    for (int i = 1; i <= 5; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "cna.affected[%d]", i);
        const ts_adv_product_t *rh = at_product(a, ref);
        assert_int_equal(rh->status, TS_PS_NOT_AFFECTED);
        assert_true(rh->range.all && rh->has_cpe);
    }
    ts_advisory_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),           cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_too_big_and_deep),  cmocka_unit_test(test_empty_arrays),
        cmocka_unit_test(test_fixture),           cmocka_unit_test(test_solutions),
        cmocka_unit_test(test_cpe_copies),        cmocka_unit_test(test_kernel_shape),
        cmocka_unit_test(test_partly_understood), cmocka_unit_test(test_ranges_in_version),
        cmocka_unit_test(test_adp_secondary),     cmocka_unit_test(test_corpus_3400),
        cmocka_unit_test(test_corpus_6387),       cmocka_unit_test(test_corpus_3094),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
