/* SPDX-License-Identifier: Apache-2.0 */
/* CPE: both bindings (the unbinding examples of NISTIR 7695 §6.1.3 and
 * §6.2.3, restated) and the NISTIR 7696 attribute and name relations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/cpe.h"

/* Parses through an exact-size heap copy (ASan sees over-reads). */
static int parse(const char *s, ts_cpe_t *c, char *err, size_t errsize)
{
    size_t n = strlen(s);
    char *h = malloc(n ? n : 1);
    assert_non_null(h);
    memcpy(h, s, n);
    int rc = ts_cpe_parse(ts_str(h, n), c, err, errsize);
    free(h);
    return rc;
}

static ts_cpe_t must(const char *s)
{
    ts_cpe_t c;
    char err[128] = "";
    int rc = parse(s, &c, err, sizeof err);
    if (rc != 0)
        fail_msg("\"%s\": rc %d (%s)", s, rc, err);
    return c;
}

static void expect_fail(const char *s, int want)
{
    ts_cpe_t c;
    char err[128] = "";
    int rc = parse(s, &c, err, sizeof err);
    if (rc != want)
        fail_msg("\"%s\": rc %d, want %d", s, rc, want);
    if (err[0] == '\0')
        fail_msg("\"%s\": no reason given", s);
}

static void test_invalid(void **state)
{
    (void)state;
    expect_fail("", TS_ESYNTAX);
    expect_fail("cpe", TS_ESYNTAX);
    expect_fail("cpe:2.2:a:b:c", TS_ESYNTAX);
    expect_fail("pkg:npm/foo", TS_ESYNTAX);
    /* formatted string: 13 fields exactly */
    expect_fail("cpe:2.3:a:microsoft:internet_explorer", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:microsoft:internet_explorer:8.0:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:microsoft:internet_explorer:8.0:*:*:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:microsoft:internet_explorer:8.0:*:*:*:*:*:*:", TS_ESYNTAX);
    expect_fail("cpe:2.3:a::ie:8.0:*:*:*:*:*:*:*", TS_ESYNTAX);          /* empty field */
    expect_fail("cpe:2.3:x:vendor:product:*:*:*:*:*:*:*:*", TS_ESYNTAX); /* bad part */
    expect_fail("cpe:2.3:-:vendor:product:*:*:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a?:vendor:product:*:*:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:foo*bar:product:*:*:*:*:*:*:*:*", TS_ESYNTAX); /* inner '*' */
    expect_fail("cpe:2.3:a:foo:pro?duct:*:*:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:foo:**product:*:*:*:*:*:*:*:*", TS_ESYNTAX); /* "**" run */
    expect_fail("cpe:2.3:a:foo:*?product:*:*:*:*:*:*:*:*", TS_ESYNTAX);
    expect_fail("cpe:2.3:a:foo:\\*product*:*:*:*:*:*:*:*:*", TS_ESYNTAX); /* ambiguous */
    expect_fail("cpe:2.3:a:foo:big$money:*:*:*:*:*:*:*:*", TS_ESYNTAX);   /* unquoted '$' */
    expect_fail("cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*:\\", TS_ESYNTAX);      /* dangling '\' */
    expect_fail("cpe:2.3:a:foo:bar\x01:1.0:*:*:*:*:*:*:*", TS_ESYNTAX);
    /* URI: NISTIR 7695 §6.1.3.3 example 6 (%07 is not allowed) and 8 (an
     * embedded wildcard) */
    expect_fail("cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~", TS_ESYNTAX);
    expect_fail("cpe:/a:foo:bar:12.%02.1234", TS_ESYNTAX);
    expect_fail("cpe:/a:foo:bar:1.0:u1:e1:en:extra", TS_ESYNTAX); /* 8 components */
    expect_fail("cpe:/a:foo:bar:1.0:u1:~a~b~c~d", TS_ESYNTAX);    /* 4 packed */
    expect_fail("cpe:/a:foo:bar:1.0:u1:~a~b~c~d~e~f", TS_ESYNTAX);
    expect_fail("cpe:/a:foo%zzbar", TS_ESYNTAX);
    expect_fail("cpe:/a:foo%2", TS_ESYNTAX);
    expect_fail("cpe:/a:foo%", TS_ESYNTAX);
    expect_fail("cpe:/a:foo bar", TS_ESYNTAX);
    expect_fail("cpe:/a:foo\\bar", TS_ESYNTAX);
    expect_fail("cpe:/z:foo:bar", TS_ESYNTAX);
    /* bounds */
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "cpe:/a:", 7);
    expect_fail(big, TS_ETOOBIG);
    char longval[400] = "cpe:/a:";
    memset(longval + 7, 'v', 200);
    expect_fail(longval, TS_ETOOBIG);
    char longfs[400] = "cpe:2.3:a:";
    memset(longfs + 10, 'v', 200);
    strcat(longfs, ":p:*:*:*:*:*:*:*:*");
    expect_fail(longfs, TS_ETOOBIG);
    ts_cpe_t c;
    assert_int_equal(ts_cpe_parse(TS_STR_NULL, &c, NULL, 0), TS_ESYNTAX);
}

static void expect_av(const ts_cpe_t *c, int attr, ts_cpe_kind_t kind, const char *value)
{
    const ts_cpe_av_t *av = &c->a[attr];
    if (av->kind != kind || strcmp(av->value, value ? value : "") != 0)
        fail_msg("attribute %d: kind %d \"%s\", want %d \"%s\"", attr, av->kind, av->value, kind,
                 value ? value : "");
}

static void test_unbind_uri(void **state)
{
    (void)state;
    /* NISTIR 7695 §6.1.3.3 example 1 */
    ts_cpe_t c = must("cpe:/a:microsoft:internet_explorer:8.0.6001:beta");
    expect_av(&c, TS_CPE_PART, TS_CPE_VALUE, "a");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "microsoft");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "internet_explorer");
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "8.0.6001");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_VALUE, "beta");
    for (int a = TS_CPE_EDITION; a < TS_CPE_NATTR; a++)
        expect_av(&c, a, TS_CPE_ANY, NULL);
    /* example 2: percent-encoded '*' and '?' are literal characters */
    c = must("cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f");
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "8.*");
    assert_false(c.a[TS_CPE_VERSION].wild_end);
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_VALUE, "sp?");
    assert_false(c.a[TS_CPE_UPDATE].wild_end);
    /* example 3: %02 and %01 are the wildcards */
    c = must("cpe:/a:microsoft:internet_explorer:8.%02:sp%01");
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "8.*");
    assert_true(c.a[TS_CPE_VERSION].wild_end);
    assert_false(c.a[TS_CPE_VERSION].wild_start);
    assert_true(c.a[TS_CPE_UPDATE].wild_end);
    /* example 4: packed edition */
    c = must("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_ANY, NULL);
    expect_av(&c, TS_CPE_EDITION, TS_CPE_ANY, NULL);
    expect_av(&c, TS_CPE_SW_EDITION, TS_CPE_VALUE, "online");
    expect_av(&c, TS_CPE_TARGET_SW, TS_CPE_VALUE, "win2003");
    expect_av(&c, TS_CPE_TARGET_HW, TS_CPE_VALUE, "x64");
    expect_av(&c, TS_CPE_OTHER, TS_CPE_ANY, NULL);
    expect_av(&c, TS_CPE_LANGUAGE, TS_CPE_ANY, NULL);
    /* example 5: NA update */
    c = must("cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_NA, NULL);
    expect_av(&c, TS_CPE_TARGET_SW, TS_CPE_VALUE, "linux");
    /* example 7: '~' outside the edition is a character */
    c = must("cpe:/a:foo~bar:big%7emoney_2010");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "foo~bar");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "big~money_2010");
    /* Red Hat's CVE records and CSAF files: legacy edition, upper case */
    c = must("cpe:/o:redhat:enterprise_linux:9::baseos");
    expect_av(&c, TS_CPE_PART, TS_CPE_VALUE, "o");
    expect_av(&c, TS_CPE_EDITION, TS_CPE_VALUE, "baseos");
    c = must("CPE:/A:Apache:HTTP_Server:2.4.1");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "apache");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "http_server");
    c = must("cpe:/a:foo%5cbar:big%24money");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "foo\\bar");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "big$money");
    c = must("cpe:/");
    for (int a = 0; a < TS_CPE_NATTR; a++)
        expect_av(&c, a, TS_CPE_ANY, NULL);
}

static void test_unbind_fs(void **state)
{
    (void)state;
    /* NISTIR 7695 §6.2.3 examples */
    ts_cpe_t c = must("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "8.0.6001");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_VALUE, "beta");
    expect_av(&c, TS_CPE_OTHER, TS_CPE_ANY, NULL);
    c = must("cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*");
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "8.*");
    assert_true(c.a[TS_CPE_VERSION].wild_end);
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_VALUE, "sp?");
    assert_true(c.a[TS_CPE_UPDATE].wild_end);
    c = must("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_NA, NULL);
    expect_av(&c, TS_CPE_SW_EDITION, TS_CPE_VALUE, "online");
    expect_av(&c, TS_CPE_TARGET_HW, TS_CPE_VALUE, "x64");
    c = must("cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*");
    expect_av(&c, TS_CPE_TARGET_SW, TS_CPE_VALUE, "linux");
    c = must("cpe:2.3:a:foo\\\\bar:big\\$money_2010:*:*:*:*:special:ipod_touch:80gb:*");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "foo\\bar");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "big$money_2010");
    expect_av(&c, TS_CPE_TARGET_SW, TS_CPE_VALUE, "ipod_touch");
    /* quoting: an escaped ':' stays inside the field, "\-" is a value */
    c = must("cpe:2.3:a:disney:where\\'s_my_perry\\?:1\\:2:\\-:*:*:*:*:*:*");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "where's_my_perry?");
    assert_false(c.a[TS_CPE_PRODUCT].wild_end);
    expect_av(&c, TS_CPE_VERSION, TS_CPE_VALUE, "1:2");
    expect_av(&c, TS_CPE_UPDATE, TS_CPE_VALUE, "-");
    /* leading wildcards */
    c = must("cpe:2.3:a:*soft:??reader:*:*:*:*:*:*:*:*");
    assert_true(c.a[TS_CPE_VENDOR].wild_start);
    assert_true(c.a[TS_CPE_PRODUCT].wild_start);
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "??reader");
    /* NVD criteria, upper case folded */
    c = must("cpe:2.3:o:PaloAltoNetworks:PAN-OS:10.2.9:h1:*:*:*:*:*:*");
    expect_av(&c, TS_CPE_VENDOR, TS_CPE_VALUE, "paloaltonetworks");
    expect_av(&c, TS_CPE_PRODUCT, TS_CPE_VALUE, "pan-os");
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        const char *in, *fs;
    } t[] = {
        {"cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
         "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"},
        {"cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
         "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*"},
        {"cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~",
         "cpe:2.3:a:hp:openview_network_manager:7.51:-:*:*:*:linux:*:*"},
        {"cpe:/a:foo%5cbar:big%24money", "cpe:2.3:a:foo\\\\bar:big\\$money:*:*:*:*:*:*:*:*"},
        {"cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
         "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*"},
        {"cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f",
         "cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp\\?:*:*:*:*:*:*"},
        {"cpe:2.3:a:disney:where\\'s_my_perry\\?:1\\:2:\\-:*:*:*:*:*:*",
         "cpe:2.3:a:disney:where\\'s_my_perry\\?:1\\:2:\\-:*:*:*:*:*:*"},
        {"cpe:2.3:a:*soft:??reader:*:*:*:*:*:*:*:*", "cpe:2.3:a:*soft:??reader:*:*:*:*:*:*:*:*"},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        ts_cpe_t c = must(t[k].in), c2;
        char buf[256];
        ts_cpe_format(&c, buf, sizeof buf);
        if (strcmp(buf, t[k].fs) != 0)
            fail_msg("\"%s\" formats as \"%s\", want \"%s\"", t[k].in, buf, t[k].fs);
        /* and the formatted string reads back to the same name */
        c2 = must(buf);
        assert_int_equal(ts_cpe_compare(&c, &c2),
                         (c.a[TS_CPE_VERSION].wild_end || c.a[TS_CPE_VENDOR].wild_start)
                             ? TS_CPE_UNDEFINED
                             : TS_CPE_EQUAL);
    }
    ts_cpe_t c = must("cpe:/a:microsoft:internet_explorer:8.0.6001:beta");
    char small[12];
    ts_cpe_format(&c, small, sizeof small);
    assert_string_equal(small, "cpe:2.3:a:m");
    char one[1] = {'x'};
    ts_cpe_format(&c, one, 1);
    assert_int_equal(one[0], '\0');
    ts_cpe_format(&c, one, 0);
}

/* NISTIR 7696 Table 6-2, one attribute at a time: the version attribute of
 * otherwise equal names. */
static void test_attribute_relations(void **state)
{
    (void)state;
    static const struct {
        const char *src, *tgt;
        ts_cpe_rel_t want;
    } t[] = {
        {"*", "*", TS_CPE_EQUAL},         {"*", "-", TS_CPE_SUPERSET},
        {"*", "1.0", TS_CPE_SUPERSET},    {"-", "*", TS_CPE_SUBSET},
        {"-", "-", TS_CPE_EQUAL},         {"-", "1.0", TS_CPE_DISJOINT},
        {"1.0", "*", TS_CPE_SUBSET},      {"1.0", "-", TS_CPE_DISJOINT},
        {"1.0", "1.0", TS_CPE_EQUAL},     {"1.0", "1.1", TS_CPE_DISJOINT},
        {"1.*", "1.0", TS_CPE_SUPERSET},  {"1.*", "2.0", TS_CPE_DISJOINT},
        {"1.*", "*", TS_CPE_SUBSET},      {"1.*", "-", TS_CPE_DISJOINT},
        {"*.0", "11.0", TS_CPE_SUPERSET}, {"1.?", "1.5", TS_CPE_SUPERSET},
        {"1.?", "1.55", TS_CPE_DISJOINT}, {"1.??", "1.5", TS_CPE_SUPERSET},
        {"1.?", "1.", TS_CPE_SUPERSET},   {"?.0", "10.0", TS_CPE_DISJOINT},
        {"*", "1.*", TS_CPE_UNDEFINED},   {"1.0", "1.*", TS_CPE_UNDEFINED},
        {"-", "1.?", TS_CPE_UNDEFINED},   {"1.\\*", "1.*", TS_CPE_UNDEFINED},
        {"1.\\*", "1.\\*", TS_CPE_EQUAL}, {"1.\\*", "1.0", TS_CPE_DISJOINT},
        {"??", "ab", TS_CPE_SUPERSET},    {"??", "abc", TS_CPE_DISJOINT},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        char s[128], g[128];
        snprintf(s, sizeof s, "cpe:2.3:a:v:p:%s:*:*:*:*:*:*:*", t[k].src);
        snprintf(g, sizeof g, "cpe:2.3:a:v:p:%s:*:*:*:*:*:*:*", t[k].tgt);
        ts_cpe_t a = must(s), b = must(g);
        ts_cpe_rel_t r = ts_cpe_compare(&a, &b);
        if (r != t[k].want)
            fail_msg("version %s against %s: %d, want %d", t[k].src, t[k].tgt, r, t[k].want);
        assert_int_equal(ts_cpe_matches(&a, &b),
                         t[k].want == TS_CPE_SUPERSET || t[k].want == TS_CPE_EQUAL);
    }
}

static void test_name_relations(void **state)
{
    (void)state;
    /* NISTIR 7696 §7 example 1: the source is narrower on update and edition */
    ts_cpe_t a = must("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:-:*:*:*:*:*");
    ts_cpe_t b = must("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:*:*:*:*:*:*:*");
    assert_int_equal(ts_cpe_compare(&a, &b), TS_CPE_SUBSET);
    assert_int_equal(ts_cpe_compare(&b, &a), TS_CPE_SUPERSET);
    assert_true(ts_cpe_matches(&b, &a));
    assert_false(ts_cpe_matches(&a, &b));
    /* example 2: a wildcard source with a disjoint update */
    a = must("cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*");
    b = must("cpe:/a:microsoft:internet_explorer:8.0.6001:beta");
    assert_int_equal(ts_cpe_compare(&a, &b), TS_CPE_DISJOINT);
    b = must("cpe:/a:microsoft:internet_explorer:8.0.6001:sp2");
    assert_int_equal(ts_cpe_compare(&a, &b), TS_CPE_SUPERSET);
    /* a wildcard in the target leaves the relation undefined */
    assert_int_equal(ts_cpe_compare(&b, &a), TS_CPE_UNDEFINED);
    assert_false(ts_cpe_matches(&b, &a));
    /* both bindings of one name are EQUAL */
    a = must("cpe:/o:redhat:enterprise_linux:9::baseos");
    b = must("cpe:2.3:o:redhat:enterprise_linux:9:*:baseos:*:*:*:*:*");
    assert_int_equal(ts_cpe_compare(&a, &b), TS_CPE_EQUAL);
    /* an advisory naming the product without a version matches an inventory
     * entry with one; a different vendor never does */
    a = must("cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*");
    b = must("cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:h1:*:*:*:*:*:*");
    assert_true(ts_cpe_matches(&a, &b));
    b = must("cpe:2.3:o:paloalto:pan-os:10.2.9:h1:*:*:*:*:*:*");
    assert_false(ts_cpe_matches(&a, &b));
    /* wider on one attribute, narrower on another: no order */
    a = must("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*");
    b = must("cpe:2.3:a:v:p:*:u1:*:*:*:*:*:*");
    assert_int_equal(ts_cpe_compare(&a, &b), TS_CPE_UNDEFINED);
    assert_false(ts_cpe_matches(&a, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_unbind_uri),
        cmocka_unit_test(test_unbind_fs),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_attribute_relations),
        cmocka_unit_test(test_name_relations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
