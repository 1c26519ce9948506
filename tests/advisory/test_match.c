/* SPDX-License-Identifier: Apache-2.0 */
/* Inventory specs (refusals first), then matching through the index: names
 * with a range, CPE, purl, families, undecided ranges and versions,
 * known_not_affected kept but not alerting, one result per platform, a
 * platform matched one by one; then the store path: a platform added after
 * the import is matched, and re-alerting (same status and remediation: no new
 * alert; a changed remediation: alert again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/import.h"
#include "advisory/match.h"
#include "advisory/platform.h"
#include "store/advstore.h"
#include "testutil.h"
#include "ttstore.h"

/* ---- Specs ------------------------------------------------------------------------ */

static void test_platform_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "openssh",                               /* no vendor:product */
        ":openssh:8.7",                          /* empty vendor */
        "openbsd::8.7",                          /* empty product */
        "openbsd:openssh:",                      /* empty version */
        "openbsd:openssh:<9.0",                  /* a range, not a version */
        "openbsd:openssh:8.7 p1",                /* a space */
        "openbsd:openssh:*",                     /* a wildcard */
        "debian:*:12",                           /* vendor family with a version */
        "openbsd:openssh:8.7\x01",               /* control character */
        "cpe:2.3:a:*:openssh:8.7:*:*:*:*:*:*:*", /* CPE without a vendor */
        "cpe:2.3:a:openbsd",                     /* truncated CPE */
        "cpe:nonsense",
        "pkg:",
        "pkg:rpm",
        "n/a:product:1.0", /* vendor normalising to nothing */
        "Pkg):thing",
        "CPE:x:1",               /* canonical forms that would read as a purl, a CPE */
        "siemens:s7:3.0;model=", /* an empty identifier */
        "siemens:s7:3.0;model= ",
        "siemens:s7:3.0;model=a;model=b",     /* given twice */
        "siemens:s7:3.0;model=a;colour=red",  /* an unknown one after a known one */
        "siemens:s7:3.0;colour=red",          /* a ';' in a version */
        "siemens:*;model=6ES7518-4AP00-0AB0", /* on a vendor family */
        "siemens:s7:3.0;serial=0123456789012345678901234567890123456789012345678901234567890123x",
        ";model=6ES7518-4AP00-0AB0", /* nothing before */
    };
    ts_platform_t p;
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int r = ts_platform_parse(bad[i], &p, err, sizeof err);
        if (r == 0)
            fail_msg("accepted bad spec \"%s\" as %s", bad[i], p.spec);
        assert_true(err[0] != '\0');
    }
    char big[TS_PLATFORM_SPEC_MAX + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[3] = ':';
    assert_int_equal(ts_platform_parse(big, &p, err, sizeof err), TS_ETOOBIG);
    assert_int_equal(ts_platform_parse(NULL, &p, err, sizeof err), TS_EINVAL);
    /* short enough, but its canonical form (percent-encoded) would not be:
     * refused, not cut into another platform (fuzzing found it) */
    char wide[TS_PLATFORM_SPEC_MAX];
    strcpy(wide, "pkg:npm/");
    memset(wide + 8, 0x9c, 250); /* namespace */
    wide[258] = '/';
    memset(wide + 259, 0x9c, 100); /* name */
    wide[359] = '\0';
    assert_int_equal(ts_platform_parse(wide, &p, err, sizeof err), TS_ETOOBIG);
    assert_non_null(strstr(err, "canonical form"));
}

static void test_platform_forms(void **state)
{
    (void)state;
    ts_platform_t p;
    char err[256];
    assert_int_equal(
        ts_platform_parse("Schneider Electric:EcoStruxure IT Gateway:8.1.0", &p, err, sizeof err),
        0);
    assert_int_equal(p.kind, TS_PLAT_NAME);
    assert_false(p.family);
    assert_string_equal(p.vendor, "schneider_electric");
    assert_string_equal(p.product, "ecostruxure_it_gateway");
    assert_string_equal(p.version, "8.1.0");
    assert_string_equal(p.spec, "schneider_electric:ecostruxure_it_gateway:8.1.0");
    assert_string_equal(ts_platform_kind_name(&p), "name");

    /* A dpkg epoch keeps its colon: the version is everything after the second. */
    assert_int_equal(ts_platform_parse("debian:dpkg:1:1.21.22", &p, err, sizeof err), 0);
    assert_string_equal(p.version, "1:1.21.22");

    assert_int_equal(ts_platform_parse("Linux:Linux Kernel", &p, err, sizeof err), 0);
    assert_true(p.family);
    assert_false(p.vendor_family);
    assert_string_equal(p.spec, "linux:linux_kernel");
    assert_string_equal(ts_platform_kind_name(&p), "family");

    assert_int_equal(ts_platform_parse("Debian:*", &p, err, sizeof err), 0);
    assert_true(p.family);
    assert_true(p.vendor_family);
    assert_string_equal(p.spec, "debian:*");

    assert_int_equal(
        ts_platform_parse("cpe:2.3:a:openbsd:openssh:8.7p1:*:*:*:*:*:*:*", &p, err, sizeof err), 0);
    assert_int_equal(p.kind, TS_PLAT_CPE);
    assert_string_equal(p.vendor, "openbsd");
    assert_string_equal(p.product, "openssh");
    assert_string_equal(p.version, "8.7p1");
    assert_string_equal(p.spec, "cpe:2.3:a:openbsd:openssh:8.7p1:*:*:*:*:*:*:*");

    assert_int_equal(ts_platform_parse("cpe:/o:redhat:enterprise_linux:9", &p, err, sizeof err), 0);
    assert_int_equal(p.kind, TS_PLAT_CPE);
    assert_string_equal(p.version, "9");
    assert_int_equal(
        ts_platform_parse("cpe:2.3:o:redhat:enterprise_linux:*:*:*:*:*:*:*:*", &p, err, sizeof err),
        0);
    assert_true(p.family);

    assert_int_equal(ts_platform_parse("pkg:rpm/redhat/openssh@8.7p1", &p, err, sizeof err), 0);
    assert_int_equal(p.kind, TS_PLAT_PURL);
    assert_string_equal(p.vendor, "redhat");
    assert_string_equal(p.product, "openssh");
    assert_string_equal(p.version, "8.7p1");
    assert_int_equal(ts_platform_parse("pkg:npm/lodash", &p, err, sizeof err), 0);
    assert_true(p.family);
    assert_string_equal(p.vendor, "");
    assert_false(ts_platform_has_ids(&p));

    /* Device identifiers, trimmed, in a fixed order in the canonical spec. */
    assert_int_equal(
        ts_platform_parse("Siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;serial= SC-X4U "
                          "12345 ;model=6ES7518-4AP00-0AB0",
                          &p, err, sizeof err),
        0);
    assert_true(ts_platform_has_ids(&p));
    assert_string_equal(p.product, "simatic_s7_1500_cpu_1518_4_pn_dp");
    assert_string_equal(p.version, "V3.0.1");
    assert_string_equal(p.model, "6ES7518-4AP00-0AB0");
    assert_string_equal(p.serial, "SC-X4U 12345");
    assert_string_equal(p.sku, "");
    assert_string_equal(p.spec,
                        "siemens:simatic_s7_1500_cpu_1518_4_pn_dp:V3.0.1;model=6ES7518-4AP00-"
                        "0AB0;serial=SC-X4U 12345");
    ts_platform_t again;
    assert_int_equal(ts_platform_parse(p.spec, &again, err, sizeof err), 0);
    assert_string_equal(again.spec, p.spec);
    assert_string_equal(again.serial, p.serial);
    /* on a family, a CPE, a purl */
    assert_int_equal(
        ts_platform_parse("siemens:scalance x200;sku=6GK5200-4AH00-2BA3", &p, err, sizeof err), 0);
    assert_true(p.family);
    assert_string_equal(p.spec, "siemens:scalance_x200;sku=6GK5200-4AH00-2BA3");
    assert_int_equal(ts_platform_parse("cpe:2.3:h:siemens:s7-1500:-:*:*:*:*:*:*:*;model=6ES7 518",
                                       &p, err, sizeof err),
                     0);
    assert_int_equal(p.kind, TS_PLAT_CPE);
    assert_string_equal(p.model, "6ES7 518");
    /* an escaped ';' inside a CPE value is not where identifiers start */
    assert_int_equal(
        ts_platform_parse("cpe:2.3:a:acme:a\\;b:1.0:*:*:*:*:*:*:*;model=X1", &p, err, sizeof err),
        0);
    assert_string_equal(p.model, "X1");
}

/* ---- Entries built by hand ------------------------------------------------------- */

static ts_adv_remediation_t fix = {"vendor_fix", "Update to 8.2", "https://example.com/fix"};
static const ts_adv_remediation_t *const fixes[] = {&fix};

static ts_adv_product_t entry(const char *vendor, const char *product, const char *vls,
                              ts_pstatus_t status)
{
    ts_adv_product_t p;
    memset(&p, 0, sizeof p);
    p.ref = "CSAFPID-0001";
    p.full_name = "an entry";
    assert_int_equal(ts_name_vendor(ts_str_c(vendor), p.vendor), 0);
    assert_int_equal(ts_name_product(ts_str_c(product), p.product), 0);
    p.version_text = vls ? vls : "";
    char err[256];
    if (vls == NULL) {
        p.range_ok = true;
        p.range.all = true;
    } else if (ts_vrange_parse_vls(TS_VS_GENERIC, ts_str_c(vls), &p.range, err, sizeof err) == 0) {
        p.range_ok = true;
        p.range_error = "";
    } else {
        p.range_ok = false;
        p.range_error = "not a range";
    }
    p.status = status;
    p.n_remediations = 1;
    p.remediations = fixes;
    return p;
}

#define MAXM 16
struct got {
    int n;
    int64_t id[MAXM];
    ts_pstatus_t status[MAXM];
    bool undecided[MAXM], family[MAXM];
    char rule[MAXM][TS_MATCH_RULE_MAX];
};

static int collect(const ts_adv_match_t *m, void *ctx)
{
    struct got *g = ctx;
    assert_true(g->n < MAXM);
    g->id[g->n] = m->platform_id;
    g->status[g->n] = m->status;
    g->undecided[g->n] = m->undecided;
    g->family[g->n] = m->family;
    snprintf(g->rule[g->n], TS_MATCH_RULE_MAX, "%s", m->rule);
    g->n++;
    return 0;
}

static int find(const struct got *g, int64_t id)
{
    for (int i = 0; i < g->n; i++)
        if (g->id[i] == id)
            return i;
    return -1;
}

static void add(ts_match_index_t *idx, int64_t id, int64_t site, const char *spec)
{
    ts_platform_t p;
    char err[256];
    if (ts_platform_parse(spec, &p, err, sizeof err) != 0)
        fail_msg("%s: %s", spec, err);
    assert_int_equal(ts_match_index_add(idx, id, site, &p), 0);
}

static void test_index_names(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "Schneider Electric:EcoStruxure IT Gateway:8.1.0");
    add(idx, 2, 11, "schneider_electric:ecostruxure_it_gateway:8.2");
    add(idx, 3, 12, "schneider electric:ecostruxure it gateway"); /* family */
    add(idx, 4, 13, "Schneider Electric:*");                      /* vendor family */
    add(idx, 5, 14, "schneider_electric:other_product:1.0");      /* other product */
    add(idx, 6, 15,
        "Schneider Electric:EcoStruxure IT Gateway:8.1.0"); /* same version, other site */
    assert_int_equal(ts_match_index_count(idx), 6);
    assert_true(ts_match_index_memory(idx) > 0);

    ts_adv_product_t e =
        entry("Schneider Electric", "EcoStruxure IT Gateway", "<=8.1.1.3", TS_PS_AFFECTED);
    struct got g = {0};
    assert_int_equal(ts_match_product(idx, &e, collect, &g), 0);
    assert_int_equal(g.n, 4);
    int i = find(&g, 1);
    assert_true(i >= 0);
    assert_false(g.undecided[i]);
    assert_false(g.family[i]);
    assert_int_equal(g.status[i], TS_PS_AFFECTED);
    assert_non_null(strstr(g.rule[i], "name schneider_electric/ecostruxure_it_gateway"));
    assert_non_null(strstr(g.rule[i], "contains 8.1.0"));
    assert_true(find(&g, 6) >= 0);
    assert_int_equal(find(&g, 2), -1); /* 8.2 is not <= 8.1.1.3 */
    assert_int_equal(find(&g, 5), -1);
    i = find(&g, 3);
    assert_true(i >= 0 && g.family[i]);
    assert_non_null(strstr(g.rule[i], "family"));
    assert_true(find(&g, 4) >= 0);

    /* An entry that does not match: other vendor. */
    ts_adv_product_t other = entry("Siemens", "EcoStruxure IT Gateway", NULL, TS_PS_AFFECTED);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &other, collect, &g), 0);
    assert_int_equal(g.n, 0);
    ts_match_index_free(idx);
}

static void test_index_undecided(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "acme:widget:2.0");
    add(idx, 2, 10, "acme:widget");
    /* A range the parser could not read: reported as undecided, with why. */
    ts_adv_product_t e = entry("acme", "widget", "prior to the fix", TS_PS_AFFECTED);
    assert_false(e.range_ok);
    struct got g = {0};
    assert_int_equal(ts_match_product(idx, &e, collect, &g), 0);
    assert_int_equal(g.n, 2);
    int i = find(&g, 1);
    assert_true(i >= 0 && g.undecided[i]);
    assert_non_null(strstr(g.rule[i], "not understood"));
    assert_true(ts_match_alerts(g.status[i], g.undecided[i]));
    i = find(&g, 2); /* a family needs no range */
    assert_true(i >= 0 && !g.undecided[i] && g.family[i]);

    /* A version the range's scheme cannot read. */
    ts_match_index_free(idx);
    idx = ts_match_index_new();
    add(idx, 1, 10, "acme:widget:not.a/semver");
    ts_adv_product_t s = entry("acme", "widget", NULL, TS_PS_AFFECTED);
    char err[256];
    assert_int_equal(ts_vrange_parse_vers(ts_str_c("vers:semver/>=1.0.0|<2.0.0"), &s.range, NULL,
                                          err, sizeof err),
                     0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &s, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.undecided[0]);
    assert_non_null(strstr(g.rule[0], "cannot compare"));
    ts_match_index_free(idx);
}

static void test_index_cpe_purl(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "cpe:2.3:a:openbsd:openssh:8.7p1:*:*:*:*:*:*:*");
    add(idx, 2, 10, "cpe:2.3:a:openbsd:openssh:9.9p1:*:*:*:*:*:*:*");
    add(idx, 3, 11, "pkg:rpm/redhat/openssh@8.7p1");
    add(idx, 4, 11, "pkg:rpm/fedora/openssh@8.7p1");
    char err[256];

    ts_adv_product_t c = entry("OpenBSD", "OpenSSH", NULL, TS_PS_AFFECTED);
    c.has_cpe = true;
    assert_int_equal(ts_cpe_parse(ts_str_c("cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*"), &c.cpe,
                                  err, sizeof err),
                     0);
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, ts_str_c("8.5p1"), true,
                                           ts_str_c("9.8p1"), false, &c.range, err, sizeof err),
                     0);
    struct got g = {0};
    assert_int_equal(ts_match_product(idx, &c, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.id[0], 1);
    assert_non_null(strstr(g.rule[0], "cpe cpe:2.3:a:openbsd:openssh"));
    assert_non_null(strstr(g.rule[0], "contains 8.7p1"));

    ts_adv_product_t p = entry("Red Hat", "openssh", NULL, TS_PS_AFFECTED);
    p.has_purl = true;
    assert_int_equal(ts_purl_parse(ts_str_c("pkg:rpm/redhat/openssh"), &p.purl, err, sizeof err),
                     0);
    assert_int_equal(
        ts_vrange_parse_vers(ts_str_c("vers:rpm/<9.0p1"), &p.range, NULL, err, sizeof err), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &p, collect, &g), 0);
    assert_int_equal(g.n, 1); /* the fedora package is another package */
    assert_int_equal(g.id[0], 3);
    assert_non_null(strstr(g.rule[0], "purl pkg:rpm/redhat/openssh"));
    ts_match_index_free(idx);
}

static void test_advisory_best(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "acme:widget:2.0");
    add(idx, 2, 11, "acme:widget:3.0");
    add(idx, 3, 12, "acme:widget");
    ts_adv_product_t e[3] = {
        entry("acme", "widget", "=3.0", TS_PS_FIXED),
        entry("acme", "widget", "<3.0", TS_PS_AFFECTED),
        entry("acme", "widget", ">=4.0", TS_PS_NOT_AFFECTED),
    };
    ts_advisory_t a = {.id = "ACME-1", .n_products = 3, .products = e};
    struct got g = {0};
    assert_int_equal(ts_match_advisory(idx, &a, collect, &g), 0);
    assert_int_equal(g.n, 3); /* one per platform */
    assert_int_equal(g.status[find(&g, 1)], TS_PS_AFFECTED);
    assert_int_equal(g.status[find(&g, 2)], TS_PS_FIXED);
    assert_false(ts_match_alerts(TS_PS_FIXED, false));
    /* The family takes the most urgent entry. */
    assert_int_equal(g.status[find(&g, 3)], TS_PS_AFFECTED);

    /* known_not_affected is kept, never alerting. */
    ts_adv_product_t na[1] = {entry("acme", "widget", "<=2.0", TS_PS_NOT_AFFECTED)};
    ts_advisory_t b = {.id = "ACME-2", .n_products = 1, .products = na};
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_advisory(idx, &b, collect, &g), 0);
    int i = find(&g, 1);
    assert_true(i >= 0);
    assert_int_equal(g.status[i], TS_PS_NOT_AFFECTED);
    assert_false(ts_match_alerts(g.status[i], g.undecided[i]));

    /* ts_match_one agrees with the index. */
    ts_platform_t p;
    char err[256], rule[TS_MATCH_RULE_MAX];
    bool und;
    assert_int_equal(ts_platform_parse("ACME:Widget:2.0", &p, err, sizeof err), 0);
    assert_int_equal(ts_match_one(&p, &e[1], &und, rule, sizeof rule), 1);
    assert_false(und);
    assert_int_equal(ts_match_one(&p, &e[0], &und, rule, sizeof rule), 0);
    ts_match_index_free(idx);
}

/* Doubt, notes and relationships in a match and its rule. */
static void test_index_doubt_note_via(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "linux:linux_kernel:6.1.95");
    add(idx, 2, 10, "linux:linux_kernel:6.6.40");
    ts_adv_product_t d = entry("linux", "linux_kernel", "<6.6.30", TS_PS_AFFECTED);
    d.doubt = "versions[0] could not be read and may cover it";
    struct got g = {0};
    assert_int_equal(ts_match_product(idx, &d, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.undecided[0]);
    assert_string_equal(g.rule[0],
                        "name linux/linux_kernel, vers:generic/<6.6.30 contains 6.1.95, but "
                        "undecided: versions[0] could not be read and may cover it");
    /* outside its range a doubt says nothing */
    ts_adv_product_t n = entry("linux", "linux_kernel", ">=6.6.30", TS_PS_NOT_AFFECTED);
    n.note = "versionType custom compared as generic dotted versions";
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &n, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_false(g.undecided[0]);
    assert_string_equal(g.rule[0], "name linux/linux_kernel, vers:generic/>=6.6.30 contains "
                                   "6.6.40 (versionType custom compared as generic dotted "
                                   "versions)");
    n.via = "relationship default_component_of OS-9 (cpe:/o:acme:os:9)";
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &n, collect, &g), 0);
    assert_string_equal(g.rule[0], "relationship default_component_of OS-9 (cpe:/o:acme:os:9), "
                                   "vers:generic/>=6.6.30 contains 6.6.40 (versionType custom "
                                   "compared as generic dotted versions)");
    /* ts_match_one says the same */
    ts_platform_t p;
    char err[256], rule[TS_MATCH_RULE_MAX];
    bool und;
    assert_int_equal(ts_platform_parse("linux:linux_kernel:6.1.95", &p, err, sizeof err), 0);
    assert_int_equal(ts_match_one(&p, &d, &und, rule, sizeof rule), 1);
    assert_true(und);
    assert_non_null(strstr(rule, "but undecided"));
    ts_match_index_free(idx);
}

/* For one platform: decided over undecided, then the CNA over an ADP, then urgency. */
static void test_advisory_precedence(void **state)
{
    (void)state;
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "atlassian:confluence_data_center:7.19.18");
    ts_adv_product_t e[3] = {
        entry("atlassian", "confluence_data_center", ">=7.19.18", TS_PS_NOT_AFFECTED),
        entry("atlassian", "confluence_data_center", "<8.7.2", TS_PS_AFFECTED),
        entry("atlassian", "confluence_data_center", "no idea", TS_PS_AFFECTED),
    };
    e[1].secondary = true;
    ts_advisory_t a = {.id = "CVE-2024-21673", .n_products = 3, .products = e};
    struct got g = {0};
    assert_int_equal(ts_match_advisory(idx, &a, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.status[0], TS_PS_NOT_AFFECTED);
    assert_false(g.undecided[0]);
    /* without the CNA's entry, the ADP's decided one speaks */
    a.products = e + 1;
    a.n_products = 2;
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_advisory(idx, &a, collect, &g), 0);
    assert_int_equal(g.status[0], TS_PS_AFFECTED);
    assert_false(g.undecided[0]);
    /* an undecided CNA entry yields to a decided ADP one */
    e[1].secondary = true;
    e[0].range_ok = false;
    e[0].range_error = "x";
    a.products = e;
    a.n_products = 2;
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_advisory(idx, &a, collect, &g), 0);
    assert_int_equal(g.status[0], TS_PS_AFFECTED);
    assert_false(g.undecided[0]);
    assert_true(ts_match_better(false, true, TS_PS_NOT_AFFECTED, true, false, TS_PS_AFFECTED));
    assert_true(ts_match_better(false, false, TS_PS_NOT_AFFECTED, false, true, TS_PS_AFFECTED));
    assert_true(ts_match_better(true, false, TS_PS_AFFECTED, true, false, TS_PS_FIXED));
    assert_false(ts_match_better(false, true, TS_PS_AFFECTED, false, false, TS_PS_FIXED));
    ts_match_index_free(idx);
}

/* Model numbers, SKUs, serial numbers: when both give one, it decides. */
static void test_index_ids(void **state)
{
    (void)state;
    static const ts_adv_ident_t ids[] = {{TS_ID_MODEL, "6ES7518-4AP00-0AB0"},
                                         {TS_ID_MODEL, "6ES7518-4FP0?-0ab*"},
                                         {TS_ID_SKU, "SKU\\*1"}};
    ts_match_index_t *idx = ts_match_index_new();
    add(idx, 1, 10, "siemens:s7-1500 cpu:V3.0.1;model=6ES7 518-4AP00-0AB0"); /* other name */
    add(idx, 2, 10, "siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;model=6ES7518-4AP01-0AB0");
    add(idx, 3, 10, "siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1");          /* names decide */
    add(idx, 4, 10, "siemens:plc;model=6es7518-4fp00-0AB0");                     /* family */
    add(idx, 5, 10, "acme:plc:V3.0.1;model=6ES7518-4AP00-0AB0");                 /* other vendor */
    add(idx, 6, 10, "siemens:s7:V3.1.0;model=6ES7518-4AP00-0AB0");               /* out of range */
    add(idx, 7, 10, "siemens:s7:V3.0.0;model=6ES7518-4AP00-0AB0;sku=SKU*1");     /* both fit */
    add(idx, 8, 10, "siemens:s7:V3.0.0;model=6ES7518-4AP00-0AB0;sku=SKUx1");     /* sku does not */
    add(idx, 9, 10, "siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;serial=X"); /* no serials */
    ts_adv_product_t e = entry("Siemens", "SIMATIC S7-1500 CPU 1518-4 PN/DP (6ES7518-4AP00-0AB0)",
                               "<V3.1.0", TS_PS_AFFECTED);
    e.ids = ids;
    e.n_ids = 3;
    struct got g = {0};
    assert_int_equal(ts_match_product(idx, &e, collect, &g), 0);
    static const struct {
        int64_t id;
        bool in;
    } want[] = {{1, true},  {2, false}, {3, true},  {4, true}, {5, false},
                {6, false}, {7, true},  {8, false}, {9, true}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        if ((find(&g, want[k].id) >= 0) != want[k].in)
            fail_msg("platform %lld: matched %d", (long long)want[k].id, !want[k].in);
    assert_int_equal(g.n, 5); /* each once */
    assert_string_equal(g.rule[find(&g, 1)],
                        "model_numbers \"6ES7518-4AP00-0AB0\" of "
                        "siemens/simatic_s7_1500_cpu_1518_4_pn_dp, vers:generic/<V3.1.0 contains "
                        "V3.0.1");
    assert_true(g.family[find(&g, 4)]);
    assert_non_null(strstr(g.rule[find(&g, 4)], "6ES7518-4FP0?-0ab*"));
    assert_non_null(strstr(g.rule[find(&g, 3)], "name siemens/"));
    /* ts_match_one agrees, platform by platform */
    static const char *const specs[] = {
        "siemens:s7-1500 cpu:V3.0.1;model=6ES7 518-4AP00-0AB0",
        "siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;model=6ES7518-4AP01-0AB0",
        "acme:plc:V3.0.1;model=6ES7518-4AP00-0AB0",
        "siemens:s7:V3.0.0;model=6ES7518-4AP00-0AB0;sku=SKUx1",
    };
    static const int hit[] = {1, 0, 0, 0};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        ts_platform_t p;
        char err[256], rule[TS_MATCH_RULE_MAX];
        bool und;
        assert_int_equal(ts_platform_parse(specs[k], &p, err, sizeof err), 0);
        if (ts_match_one(&p, &e, &und, rule, sizeof rule) != hit[k])
            fail_msg("%s: ts_match_one disagrees", specs[k]);
    }
    /* an entry without identifiers: the names decide, identifiers or not */
    ts_adv_product_t plain =
        entry("Siemens", "SIMATIC S7-1500 CPU 1518-4 PN/DP", "<V3.1.0", TS_PS_AFFECTED);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_match_product(idx, &plain, collect, &g), 0);
    assert_int_equal(g.n, 3);
    assert_true(find(&g, 2) >= 0 && find(&g, 3) >= 0 && find(&g, 9) >= 0);
    ts_match_index_free(idx);
}

/* ---- Through the store ------------------------------------------------------------ */

static const char csaf_fmt[] =
    "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
    "\"publisher\":{\"category\":\"vendor\",\"name\":\"ACME\",\"namespace\":\"https://"
    "acme.example\"},"
    "\"title\":\"Widget flaw\",\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
    "\"tracking\":{\"id\":\"ACME-2024-001\",\"status\":\"final\",\"version\":\"%s\","
    "\"initial_release_date\":\"2024-01-01T00:00:00Z\",\"current_release_date\":\"2024-0%s-01T00:"
    "00:00Z\","
    "\"revision_history\":[{\"date\":\"2024-01-01T00:00:00Z\",\"number\":\"%s\",\"summary\":\"x\"}]"
    "}},"
    "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"ACME\",\"branches\":["
    "{\"category\":\"product_name\",\"name\":\"Widget\",\"branches\":["
    "{\"category\":\"product_version_range\",\"name\":\"<=2.0\","
    "\"product\":{\"name\":\"ACME Widget <=2.0\",\"product_id\":\"CSAFPID-0001\"}}]}]}]},"
    "\"vulnerabilities\":[{\"cve\":\"CVE-2024-0001\",\"product_status\":{\"known_affected\":"
    "[\"CSAFPID-0001\"]},\"remediations\":[{\"category\":\"%s\",\"details\":\"%s\","
    "\"product_ids\":[\"CSAFPID-0001\"]}],\"notes\":[{\"category\":\"summary\",\"text\":\"y\"}]}]}";

struct fx {
    char *dir;
    char path[4200];
    ts_store_t *st;
    int64_t site;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "t.db", f->path, sizeof f->path) != 0 ||
        ts_store_open(f->path, &f->st) != 0)
        return -1;
    if (ts_store_site_add(f->st, "uni-a", 0, "", &f->site) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->path);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int import_rev(ts_store_t *st, const char *rev, const char *month, const char *category,
                      const char *details, ts_adv_import_stats_t *stats)
{
    char doc[8192];
    snprintf(doc, sizeof doc, csaf_fmt, rev, month, rev, category, details);
    return ts_adv_import_buffer(st, doc, strlen(doc), "acme.json", stats, NULL, NULL);
}

struct alert {
    int n;
    int64_t alerted_at, changed_at;
    int status;
    char rule[TS_MATCH_RULE_MAX];
};

static int on_row(const ts_adv_row_t *row, void *ctx)
{
    struct alert *a = ctx;
    a->n++;
    a->alerted_at = row->m.alerted_at;
    a->changed_at = row->m.changed_at;
    a->status = row->m.status;
    snprintf(a->rule, sizeof a->rule, "%s", row->m.rule);
    return 0;
}

static void test_store_realert(void **state)
{
    struct fx *f = *state;
    int64_t pid;
    char err[256];
    /* Before any advisory: no matches. */
    assert_int_equal(
        ts_adv_platform_add(f->st, f->site, "ACME:Widget:1.5", &pid, NULL, err, sizeof err), 0);
    assert_int_equal(
        ts_adv_platform_add(f->st, f->site, "acme:widget:1.5", &pid, NULL, err, sizeof err),
        TS_EEXIST);
    assert_int_equal(
        ts_adv_platform_add(f->st, 999, "acme:widget:1.5", &pid, NULL, err, sizeof err), TS_ENOENT);
    assert_int_equal(ts_adv_platform_add(f->st, f->site, "acme", &pid, NULL, err, sizeof err),
                     TS_EINVAL);

    ts_adv_import_stats_t s = {0};
    assert_int_equal(import_rev(f->st, "1", "1", "vendor_fix", "Update to 2.1", &s), 0);
    assert_int_equal(s.imported, 1);
    assert_int_equal(s.new_matches, 1);
    ts_adv_query_t q = {.site_id = f->site};
    struct alert a1 = {0};
    assert_int_equal(ts_store_adv_rows_foreach(f->st, &q, on_row, &a1), 0);
    assert_int_equal(a1.n, 1);
    assert_true(a1.alerted_at > 0);
    assert_int_equal(a1.status, TS_PS_AFFECTED);
    assert_non_null(strstr(a1.rule, "contains 1.5"));

    /* Same revision again: unchanged, nothing written. */
    memset(&s, 0, sizeof s);
    assert_int_equal(import_rev(f->st, "1", "1", "vendor_fix", "Update to 2.1", &s), 0);
    assert_int_equal(s.unchanged, 1);

    /* A newer revision with the same status and remediation: no new alert. */
    memset(&s, 0, sizeof s);
    assert_int_equal(import_rev(f->st, "2", "2", "vendor_fix", "Update to 2.1", &s), 0);
    assert_int_equal(s.replaced, 1);
    assert_int_equal(s.new_matches + s.changed_matches, 0);
    struct alert a2 = {0};
    assert_int_equal(ts_store_adv_rows_foreach(f->st, &q, on_row, &a2), 0);
    assert_int_equal(a2.n, 1);
    assert_true(a2.alerted_at == a1.alerted_at);

    /* A newer revision with another remediation: alert again. */
    memset(&s, 0, sizeof s);
    assert_int_equal(import_rev(f->st, "3", "3", "vendor_fix", "Update to 2.2 instead", &s), 0);
    assert_int_equal(s.replaced, 1);
    assert_int_equal(s.changed_matches, 1);
    struct alert a3 = {0};
    assert_int_equal(ts_store_adv_rows_foreach(f->st, &q, on_row, &a3), 0);
    assert_true(a3.alerted_at > a2.alerted_at);

    /* An older revision is skipped. */
    memset(&s, 0, sizeof s);
    assert_int_equal(import_rev(f->st, "2", "2", "workaround", "old", &s), 0);
    assert_int_equal(s.unchanged, 1);

    /* A platform added after the import is matched against it. */
    int64_t site_b, pb;
    assert_int_equal(ts_store_site_add(f->st, "uni-b", 0, "", &site_b), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(
        ts_adv_platform_add(f->st, site_b, "acme:widget:2.0", &pb, &s, err, sizeof err), 0);
    assert_int_equal(s.new_matches, 1);
    ts_adv_query_t qb = {.site_id = site_b};
    struct alert b = {0};
    assert_int_equal(ts_store_adv_rows_foreach(f->st, &qb, on_row, &b), 0);
    assert_int_equal(b.n, 1);
    assert_non_null(strstr(b.rule, "contains 2.0"));
    /* And one outside the range is not. */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        ts_adv_platform_add(f->st, site_b, "acme:widget:2.1", &pb, &s, err, sizeof err), 0);
    assert_int_equal(s.new_matches, 0);
    /* Removing the matched platform removes its match. */
    int64_t pid2;
    assert_int_equal(ts_store_platform_find(f->st, site_b, "acme:widget:2.0", &pid2), 0);
    assert_int_equal(ts_store_platform_remove(f->st, site_b, pid2), 0);
    assert_int_equal(ts_store_platform_remove(f->st, site_b, pid2), TS_ENOENT);
    memset(&b, 0, sizeof b);
    assert_int_equal(ts_store_adv_rows_foreach(f->st, &qb, on_row, &b), 0);
    assert_int_equal(b.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platform_invalid),
        cmocka_unit_test(test_platform_forms),
        cmocka_unit_test(test_index_names),
        cmocka_unit_test(test_index_undecided),
        cmocka_unit_test(test_index_cpe_purl),
        cmocka_unit_test(test_advisory_best),
        cmocka_unit_test(test_index_doubt_note_via),
        cmocka_unit_test(test_advisory_precedence),
        cmocka_unit_test(test_index_ids),
        cmocka_unit_test_setup_teardown(test_store_realert, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
