/* SPDX-License-Identifier: Apache-2.0 */
/* Versions per scheme and vers/vls ranges. The comparison tables restate
 * public test vectors (semver.org §11, dpkg's lib/dpkg/t/t-version.c, rpm's
 * tests/rpmvercmp.at, vers-spec's tests/ JSON files) as our own data; each table
 * says where its cases come from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "advisory/version.h"
#include "core/json.h"
#include "testutil.h"

struct cmpcase {
    const char *a, *b;
    int want; /* sign of a against b */
};

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* Compares through exact-size heap copies, so ASan sees any over-read; checks
 * both directions so that an antisymmetry bug cannot hide. */
static void expect_cmp(ts_vscheme_t s, const char *a, const char *b, int want)
{
    size_t la = strlen(a), lb = strlen(b);
    char *ha = malloc(la ? la : 1), *hb = malloc(lb ? lb : 1);
    assert_non_null(ha);
    assert_non_null(hb);
    memcpy(ha, a, la);
    memcpy(hb, b, lb);
    int r = 99, r2 = 99;
    int rc = ts_version_cmp(s, ts_str(ha, la), ts_str(hb, lb), &r);
    int rc2 = ts_version_cmp(s, ts_str(hb, lb), ts_str(ha, la), &r2);
    free(ha);
    free(hb);
    if (rc != 0 || rc2 != 0 || sign(r) != want || sign(r2) != -want)
        fail_msg("%s: cmp(\"%s\", \"%s\") = %d/%d rc %d/%d, want %d", ts_vscheme_name(s), a, b, r,
                 r2, rc, rc2, want);
}

static void run_table(ts_vscheme_t s, const struct cmpcase *t, size_t n)
{
    for (size_t k = 0; k < n; k++)
        expect_cmp(s, t[k].a, t[k].b, t[k].want);
}

static void expect_bad_version(ts_vscheme_t s, const char *v)
{
    int r = 99;
    if (ts_version_cmp(s, ts_str_c(v), TS_STR_LIT("1"), &r) != TS_EINVAL)
        fail_msg("%s: \"%s\" accepted as a version", ts_vscheme_name(s), v);
    if (ts_version_cmp(s, TS_STR_LIT("1"), ts_str_c(v), &r) != TS_EINVAL)
        fail_msg("%s: \"%s\" accepted as a version (right side)", ts_vscheme_name(s), v);
}

/* ---- invalid input ------------------------------------------------------ */

static void test_scheme_names(void **state)
{
    (void)state;
    ts_vscheme_t s = TS_VS_RPM;
    assert_int_equal(ts_vscheme_parse("git", &s), TS_ENOTSUP);
    assert_int_equal(ts_vscheme_parse("maven", &s), TS_ENOTSUP);
    assert_int_equal(ts_vscheme_parse("semver2", &s), TS_ENOTSUP);
    assert_int_equal(ts_vscheme_parse(NULL, &s), 0);
    assert_int_equal(s, TS_VS_GENERIC);
    assert_int_equal(ts_vscheme_parse("custom", &s), 0);
    assert_int_equal(s, TS_VS_GENERIC);
    assert_int_equal(ts_vscheme_parse("", &s), 0);
    assert_int_equal(s, TS_VS_GENERIC);
    assert_int_equal(ts_vscheme_parse("semver", &s), 0);
    assert_int_equal(s, TS_VS_SEMVER);
    assert_int_equal(ts_vscheme_parse("deb", &s), 0);
    assert_int_equal(s, TS_VS_DPKG);
    assert_int_equal(ts_vscheme_parse("debian", &s), 0);
    assert_int_equal(s, TS_VS_DPKG);
    assert_int_equal(ts_vscheme_parse("RPM", &s), 0);
    assert_int_equal(s, TS_VS_RPM);
    assert_string_equal(ts_vscheme_name(TS_VS_DPKG), "deb");
}

static void test_bad_versions(void **state)
{
    (void)state;
    char big[200];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const ts_vscheme_t all[] = {TS_VS_GENERIC, TS_VS_SEMVER, TS_VS_DPKG, TS_VS_RPM};
    for (size_t k = 0; k < 4; k++) {
        expect_bad_version(all[k], "");
        expect_bad_version(all[k], "   ");
        expect_bad_version(all[k], "1.0\n2");
        expect_bad_version(all[k], "1.0\x01");
        expect_bad_version(all[k], "1.\xc3\xa9");
        expect_bad_version(all[k], big);
        int r;
        assert_int_equal(ts_version_cmp(all[k], TS_STR_NULL, TS_STR_LIT("1"), &r), TS_EINVAL);
    }
    /* generic: no digit, no version */
    expect_bad_version(TS_VS_GENERIC, "latest");
    expect_bad_version(TS_VS_GENERIC, "n/a");
    expect_bad_version(TS_VS_GENERIC, "log4j-core*");
    /* semver 2.0.0 grammar */
    static const char *const sv[] = {
        "1",        "1.2",    "1.2.3.4",    "01.2.3",     "1.02.3",   "1.2.03", "1.2.3-",
        "1.2.3-01", "1.2.3+", "1.2.3-a..b", "1.2.3+b..1", "1.2.3@",   "a.b.c",  "-1.2.3",
        "1.2.3 ",   "1. 2.3", "1.2.3-a_b",  "v",          "1.2.3-+b",
    };
    for (size_t k = 0; k < sizeof sv / sizeof sv[0]; k++)
        if (strcmp(sv[k], "1.2.3 ") != 0) /* surrounding blanks are trimmed */
            expect_bad_version(TS_VS_SEMVER, sv[k]);
    /* dpkg: the failing parses of dpkg's t-version.c test_version_parse */
    static const char *const dp[] = {
        "0:",   "0:0 0-1",  "-1:0-1",  "999999999999999999999999:0-1", "a:0-0", "A:0-0", "-0",
        "0:-0", "0:abc3-0", "0:0-0:0",
    };
    for (size_t k = 0; k < sizeof dp / sizeof dp[0]; k++)
        expect_bad_version(TS_VS_DPKG, dp[k]);
    /* ... and its loops over characters invalid in upstream and revision */
    for (const char *p = "!#@$%&/|\\<>()[]{};,_=*^'"; *p; p++) {
        char v[8] = "0:0a-0";
        v[3] = *p;
        expect_bad_version(TS_VS_DPKG, v);
    }
    for (const char *p = "!#@$%&/|\\<>()[]{}:;,_=*^'"; *p; p++) {
        char v[8] = "0:0-0";
        v[4] = *p;
        expect_bad_version(TS_VS_DPKG, v);
    }
    /* rpm */
    static const char *const rp[] = {"-1", "1:", ":1", "x:1.0", "1.0-", "1:2:3", "1 .0"};
    for (size_t k = 0; k < sizeof rp / sizeof rp[0]; k++)
        expect_bad_version(TS_VS_RPM, rp[k]);
}

static void expect_vers_fail(const char *s, int want)
{
    ts_vrange_t r;
    char err[128] = "";
    bool rep = true;
    int rc = ts_vrange_parse_vers(ts_str_c(s), &r, &rep, err, sizeof err);
    if (rc != want)
        fail_msg("vers \"%s\": rc %d (%s), want %d", s, rc, err, want);
    if (err[0] == '\0')
        fail_msg("vers \"%s\": no reason given", s);
}

static void test_vers_invalid(void **state)
{
    (void)state;
    /* vers-spec tests/vers_canonical_parse_test.json failures */
    expect_vers_fail("vers:npm/>=1.0.0| <2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:npm/|>=1.0.0|<2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:npm/>=1.0.0|<2.0.0|", TS_ESYNTAX);
    expect_vers_fail("vers:npm/>=1.0.0||<2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:npm/>=2.0.0|<1.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:npm/1.0%2G0", TS_ESYNTAX);
    expect_vers_fail("vers:lexicographic/1 2", TS_ESYNTAX);
    /* vers-spec tests/vers_reserved_type_test.json */
    expect_vers_fail("vers:invalid/1.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:invalid/*", TS_ESYNTAX);
    /* an ecosystem without a comparator here is unsupported, not guessed */
    expect_vers_fail("vers:pypi/>=1.0.0|<=2.0.0", TS_ENOTSUP);
    expect_vers_fail("vers:maven/1.0", TS_ENOTSUP);
    expect_vers_fail("vers:example/1.2.3", TS_ENOTSUP);
    /* our own */
    expect_vers_fail("", TS_ESYNTAX);
    expect_vers_fail("vers:", TS_ESYNTAX);
    expect_vers_fail("vers:semver", TS_ESYNTAX);
    expect_vers_fail("vers:semver/", TS_ESYNTAX);
    expect_vers_fail("vers:/1.0.0", TS_ESYNTAX);
    expect_vers_fail("VERS:semver/1.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:SemVer/1.0.0", TS_ESYNTAX);
    expect_vers_fail("pkg:semver/1.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:semver/>=", TS_ESYNTAX);
    expect_vers_fail("vers:semver/1.2", TS_ESYNTAX);           /* not semver */
    expect_vers_fail("vers:semver/1.0.0|1.0.0", TS_ESYNTAX);   /* duplicate */
    expect_vers_fail("vers:semver/<1.0.0|<2.0.0", TS_ESYNTAX); /* redundant */
    expect_vers_fail("vers:semver/>1.0.0|>=2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:semver/>=1.0.0|2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:semver/1.0.0|<2.0.0", TS_ESYNTAX);
    expect_vers_fail("vers:semver/%", TS_ESYNTAX);
    expect_vers_fail("vers:semver/1.0.0%", TS_ESYNTAX);
    expect_vers_fail("vers:none/1.0", TS_ESYNTAX);
    expect_vers_fail("vers:all/*|1.0", TS_ESYNTAX);
    expect_vers_fail("vers:all/latest", TS_ESYNTAX);
    expect_vers_fail("vers:generic/\x01", TS_ESYNTAX);
    /* bounds */
    char many[512] = "vers:generic/";
    for (int k = 1; k <= TS_VRANGE_MAX + 1; k++) {
        char item[16];
        snprintf(item, sizeof item, "%s%d", k > 1 ? "|" : "", k);
        strcat(many, item);
    }
    expect_vers_fail(many, TS_ETOOBIG);
    char lng[400] = "vers:generic/1.";
    memset(lng + strlen(lng), '1', 200);
    expect_vers_fail(lng, TS_ETOOBIG);
    char huge[1400] = "vers:generic/";
    memset(huge + strlen(huge), '1', 1300);
    expect_vers_fail(huge, TS_ETOOBIG);
}

static void expect_vls_fail(ts_vscheme_t s, const char *text)
{
    ts_vrange_t r;
    char err[128] = "";
    int rc = ts_vrange_parse_vls(s, ts_str_c(text), &r, err, sizeof err);
    if (rc != TS_ESYNTAX)
        fail_msg("vls \"%s\": rc %d, want TS_ESYNTAX", text, rc);
    if (err[0] == '\0')
        fail_msg("vls \"%s\": no reason given", text);
    assert_false(r.all);
    assert_int_equal(r.n, 0);
}

static void test_vls_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "prior to the fix",
        "All_versions_with_installed_WebRH", /* real CISA text */
        "All products",
        "V1.0",
        "<",
        "< ",
        "<= latest",
        "< 1.0 and",
        "< 1.0 |",
        "< 1.0 (fixed)",
        "<1.0 and >2.0",
        "<1.0 >2.0",
        ">=1.0 <2.0 | <3.0",
        ">2.0, <1.0",
        "<1.0, >=0.5 | =3",
        "=1.0 and =2.0",
        "<1.0|<2.0",
        ">=1.0|>=2.0",
        "<1.0 \x01",
        "<1.0 before",
        "All versions after 1.0",
        "vers:all/<",
        "!1.0",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        expect_vls_fail(TS_VS_GENERIC, bad[k]);
    expect_vls_fail(TS_VS_SEMVER, "< 1.2");
    expect_vls_fail(TS_VS_DPKG, "< abc");
    ts_vrange_t r;
    assert_int_equal(ts_vrange_parse_vls(TS_VS_GENERIC, TS_STR_NULL, &r, NULL, 0), TS_ESYNTAX);
}

static void test_bounds_invalid(void **state)
{
    (void)state;
    ts_vrange_t r;
    char err[128] = "";
    /* end before start, or an empty half-open interval */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("2.0"), true,
                                           TS_STR_LIT("1.0"), false, &r, err, sizeof err),
                     TS_EINVAL);
    assert_true(err[0] != '\0');
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("1.0"), true,
                                           TS_STR_LIT("1.0"), false, &r, err, sizeof err),
                     TS_EINVAL);
    /* Log4Shell's cvelistV5 "lessThan: log4j-core*" is not a version */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("2.0-beta9"), true,
                                           TS_STR_LIT("log4j-core*"), false, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_bounds(TS_VS_SEMVER, TS_STR_LIT("1.0"), true, TS_STR_NULL,
                                           false, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_exact(TS_VS_GENERIC, TS_STR_LIT("n/a"), &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_exact(TS_VS_GENERIC, TS_STR_NULL, &r, err, sizeof err), TS_EINVAL);
    /* a version the range's scheme cannot read is undecided, not "out" */
    assert_int_equal(ts_vrange_exact(TS_VS_SEMVER, TS_STR_LIT("1.0.0"), &r, NULL, 0), 0);
    bool in = true;
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("1.0"), &in), TS_EINVAL);
    assert_false(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_NULL, &in), TS_EINVAL);
}

/* ---- comparison tables -------------------------------------------------- */

static void test_semver(void **state)
{
    (void)state;
    /* semver.org 2.0.0 §11.4 precedence example, plus §11.2/11.3 examples */
    static const char *const chain[] = {
        "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
        "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
        "1.0.0-rc.1",  "1.0.0",         "2.0.0",
        "2.1.0",       "2.1.1",
    };
    size_t n = sizeof chain / sizeof chain[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            expect_cmp(TS_VS_SEMVER, chain[i], chain[j], i < j ? -1 : i > j ? 1 : 0);
    static const struct cmpcase t[] = {
        {"1.0.0+build.1", "1.0.0+build.2", 0}, /* build metadata ignored (§10) */
        {"1.0.0-alpha+001", "1.0.0-alpha", 0},
        {"1.0.0+20130313144700", "1.0.0", 0},
        {"1.0.0-beta+exp.sha.5114f85", "1.0.0-beta", 0},
        {"1.9.0", "1.10.0", -1},
        {"1.10.0", "1.11.0", -1},
        {"1.0.0-2", "1.0.0-10", -1}, /* numeric identifiers numerically */
        {"1.0.0-a", "1.0.0-10", 1},  /* numeric below alphanumeric */
        {"1.0.0-Z", "1.0.0-a", -1},  /* ASCII order */
        {"1.0.0-alpha-a", "1.0.0-alpha", 1},
        {"v1.2.3", "1.2.3", 0},
        {"99999999999999999999.0.0", "99999999999999999998.0.0", 1},
        {" 1.2.3 ", "1.2.3", 0},
    };
    run_table(TS_VS_SEMVER, t, sizeof t / sizeof t[0]);
}

static void test_dpkg(void **state)
{
    (void)state;
    /* dpkg lib/dpkg/t/t-version.c (test_version_compare, test_version_relate,
     * test_version_parse), its DPKG_VERSION_OBJECT(epoch, version, revision)
     * written as "epoch:version-revision" */
    static const struct cmpcase t[] = {
        {"1:0", "2:0", -1},
        {"0:1-1", "0:2-1", -1},
        {"0:1-1", "0:1-2", -1},
        {"0:0-0", "0:0-0", 0},
        {"0:0-00", "0:00-0", 0},
        {"1:2-3", "1:2-3", 0},
        {"0:0-0", "1:0-0", -1},
        /* DPKG_VERSION_OBJECT(0, "a", "0") has no string form: dpkg's parser
         * rejects an upstream not starting with a digit, so "0a"/"0b" */
        {"0:0a-0", "0:0b-0", -1},
        {"0:0-a", "0:0-b", -1},
        {"0:1-1", "0:1-1", 0},
        {"0:2-1", "0:1-1", 1},
        /* parse equivalences */
        {"0", "0:0", 0},
        {"0:0-", "0", 0},
        {"0:0-0", "0-0", 0},
        {"0:0.0-0.0", "0.0-0.0", 0},
        {"1:0", "1:0-", 0},
        {"5:1", "5:1", 0},
        {"0:0-0-0", "0-0-0", 0},
        {"0:0-0-0-0", "0-0-0-0", 0},
        {"0:0:0-0", "0:0:0-0", 0},
        {"0:0:0:0-0", "0:0:0:0-0", 0},
        {"0:0:0-0-0", "0:0:0-0-0", 0},
        {"0:0-0:0-0", "0:0-0:0-0", 0},
        {"0:09azAZ.-+~:-0", "0:09azAZ.-+~:-0", 0},
        {"0:0-azAZ09.+~", "0:0-azAZ09.+~", 0},
        {"  \t0:0-1", "0:0-1", 0},
        {"0:0-1\t  ", "0:0-1", 0},
        /* Debian policy 5.6.12: '~' before everything, even the end */
        {"1.0~rc1", "1.0", -1},
        {"1.0~~", "1.0~", -1},
        {"1.0~~a", "1.0~~", 1},
        {"1.0~", "1.0", -1},
        {"1.0", "1.0a", -1},
        {"1.0a", "1.0+", -1}, /* letters before non-letters */
        {"1.0a", "1.0.", -1},
        {"1.0+", "1.0.", -1}, /* then ASCII */
        {"1.0-1", "1.0-1~bpo1", 1},
        {"2:1.0", "1:9.9", 1},
        {"1.10", "1.9", 1},
        {"1.001", "1.1", 0},
        {"7.6p2-4", "7.6-0", 1},
        {"1.2.3-1ubuntu1", "1.2.3-1", 1},
        {"2.30-0ubuntu1", "2.30-0ubuntu1~18.04", 1},
    };
    run_table(TS_VS_DPKG, t, sizeof t / sizeof t[0]);
}

static void test_rpm(void **state)
{
    (void)state;
    /* rpm tests/rpmvercmp.at, every RPMVERCMP(a, b, result) case */
    static const struct cmpcase t[] = {
        {"1.0", "1.0", 0},
        {"1.0", "2.0", -1},
        {"2.0", "1.0", 1},
        {"2.0.1", "2.0.1", 0},
        {"2.0", "2.0.1", -1},
        {"2.0.1", "2.0", 1},
        {"2.0.1a", "2.0.1a", 0},
        {"2.0.1a", "2.0.1", 1},
        {"2.0.1", "2.0.1a", -1},
        {"5.5p1", "5.5p1", 0},
        {"5.5p1", "5.5p2", -1},
        {"5.5p2", "5.5p1", 1},
        {"5.5p10", "5.5p10", 0},
        {"5.5p1", "5.5p10", -1},
        {"5.5p10", "5.5p1", 1},
        {"10xyz", "10.1xyz", -1},
        {"10.1xyz", "10xyz", 1},
        {"xyz10", "xyz10", 0},
        {"xyz10", "xyz10.1", -1},
        {"xyz10.1", "xyz10", 1},
        {"xyz.4", "xyz.4", 0},
        {"xyz.4", "8", -1},
        {"8", "xyz.4", 1},
        {"xyz.4", "2", -1},
        {"2", "xyz.4", 1},
        {"5.5p2", "5.6p1", -1},
        {"5.6p1", "5.5p2", 1},
        {"5.6p1", "6.5p1", -1},
        {"6.5p1", "5.6p1", 1},
        {"6.0.rc1", "6.0", 1},
        {"6.0", "6.0.rc1", -1},
        {"10b2", "10a1", 1},
        {"10a2", "10b2", -1},
        {"1.0aa", "1.0aa", 0},
        {"1.0a", "1.0aa", -1},
        {"1.0aa", "1.0a", 1},
        {"10.0001", "10.0001", 0},
        {"10.0001", "10.1", 0},
        {"10.1", "10.0001", 0},
        {"10.0001", "10.0039", -1},
        {"10.0039", "10.0001", 1},
        {"4.999.9", "5.0", -1},
        {"5.0", "4.999.9", 1},
        {"20101121", "20101121", 0},
        {"20101121", "20101122", -1},
        {"20101122", "20101121", 1},
        {"2_0", "2_0", 0},
        {"2.0", "2_0", 0},
        {"2_0", "2.0", 0},
        {"a", "a", 0},
        {"a+", "a+", 0},
        {"a+", "a_", 0},
        {"a_", "a+", 0},
        {"+a", "+a", 0},
        {"+a", "_a", 0},
        {"_a", "+a", 0},
        {"+_", "+_", 0},
        {"_+", "+_", 0},
        {"_+", "_+", 0},
        {"1.0~rc1", "1.0~rc1", 0},
        {"1.0~rc1", "1.0", -1},
        {"1.0", "1.0~rc1", 1},
        {"1.0~rc1", "1.0~rc2", -1},
        {"1.0~rc2", "1.0~rc1", 1},
        {"1.0~rc1~git123", "1.0~rc1~git123", 0},
        {"1.0~rc1~git123", "1.0~rc1", -1},
        {"1.0~rc1", "1.0~rc1~git123", 1},
        /* caret (rpm >= 4.15 documentation): after the base, before more */
        {"1.0^", "1.0", 1},
        {"1.0^git1", "1.0", 1},
        {"1.0^git1", "1.0.1", -1},
        {"1.0^git1", "1.0^git2", -1},
        {"1.0^git1~pre", "1.0^git1", -1},
        {"1.0~rc1^git1", "1.0~rc1", 1},
        {"1.0~rc1^git1", "1.0", -1},
        /* epoch:version-release, as Red Hat's CVE records write it */
        {"0:8.7p1-38.el9_4.1", "0:8.7p1-30.el9_2.4", 1},
        {"8.7p1-38.el9_4.1", "0:8.7p1-38.el9_4.1", 0},
        {"1:1.0-1", "0:9.9-9", 1},
        {"0:8.7p1-38.el9", "0:8.7p1", 0}, /* no release: any release */
        {"416.94.202407081958-0", "415.92.202407091355-0", 1},
    };
    run_table(TS_VS_RPM, t, sizeof t / sizeof t[0]);
}

static void test_generic(void **state)
{
    (void)state;
    static const struct cmpcase t[] = {
        /* vendor strings seen in CSAF and CVE records */
        {"V3.1.0", "V3.0.29", 1},
        {"V3.0.29", "3.0.29", 0},
        {"10.2.9-h1", "10.2.9", 1},
        {"10.2.9-h1", "10.2.10", -1},
        {"11.1.2-h3", "11.1.2-h10", -1},
        {"10.2.9-h1 ", "10.2.9-h1", 0},
        {"8.7p1", "8.7", 1},
        {"8.7p1", "8.8", -1},
        {"8.7p1", "8.7p2", -1},
        {"9.7p1", "9.8p1", -1},
        {"V23Q4", "V23Q3", 1},
        {"V23Q4", "V24Q1", -1},
        {"V4.1_Update_2", "V4.1", 1},
        {"V4.1_Update_2", "V4.1_Update_10", -1},
        {"V4.1_Update_2", "V4.2", -1},
        {"V3.0_SP3", "V3.0", 1},
        {"V3.0_SP3", "V3.0.1", -1},
        {"1.9-40", "1.9-39", 1},
        {"1.9-40", "1.10", -1},
        {"8.1.1.3", "8.1.1.2", 1},
        {"4.8.488.0", "4.8.488", 0},
        {"12.2(55)SE10", "12.2(55)SE9", 1},
        {"12.2(55)SE", "12.2(58)SE", -1},
        {"V1.0.212N", "V1.0.212", 1},
        /* pre-release words precede their release, patch words follow */
        {"1.0.0-rc1", "1.0.0", -1},
        {"1.0.0-dev1", "1.0.0-alpha", -1},
        {"1.0.0-alpha", "1.0.0-beta", -1},
        {"1.0.0-beta", "1.0.0-rc1", -1},
        {"1.0.0-rc1", "1.0.0-rc2", -1},
        {"1.0rc1", "1.0.0", -1},
        {"1.0", "1.0.0", 0},
        {"1.0.0", "1.0p1", -1},
        {"1.0p1", "1.0.1", -1},
        {"1.0.1a", "1.0.1", 1}, /* OpenSSL letter releases */
        {"1.0.1a", "1.0.1b", -1},
        {"1.0.1z", "1.0.2", -1},
        {"1.0Beta", "1.0beta", 0},
        /* vers-spec tests/intdot_version_cmp_test.json ("required" cases) */
        {"1.2.3", "1.2.3", 0},
        {"01.002.0003", "1.2.3", 0},
        {"1.2", "1.10", -1},
        {"1.2", "1.2.1", -1},
        {"1.2.2", "1.0002.10", -1},
        {"1.0002.10", "1.02.0010", 0},
        {"1.2beta", "1.2rc1", -1},
        {"1.2rc1", "1.10alpha", -1},
        /* big numbers neither overflow nor compare as text */
        {"123456789012345678901234567890", "123456789012345678901234567891", -1},
        {"9", "10", -1},
    };
    run_table(TS_VS_GENERIC, t, sizeof t / sizeof t[0]);
}

/* The generic order must be a total preorder, or sorted ranges lie: check
 * transitivity over a mixed set. */
static void test_generic_transitive(void **state)
{
    (void)state;
    static const char *const v[] = {
        "1",    "1.0",    "1.0.0", "1.0p1", "1.0rc1",  "1.0.1",  "1.0-beta",
        "1.0a", "1.0_SP", "1.1",   "V1.0",  "1.0.0.1", "1.0-h1", "1.0.dev",
        "2",    "0.9",    "1.0~x", "1.p",   "1.0z",    "1.0.a",
    };
    size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < n; k++) {
                int ij, jk, ik;
                assert_int_equal(ts_version_cmp(TS_VS_GENERIC, ts_str_c(v[i]), ts_str_c(v[j]), &ij),
                                 0);
                assert_int_equal(ts_version_cmp(TS_VS_GENERIC, ts_str_c(v[j]), ts_str_c(v[k]), &jk),
                                 0);
                assert_int_equal(ts_version_cmp(TS_VS_GENERIC, ts_str_c(v[i]), ts_str_c(v[k]), &ik),
                                 0);
                if (ij <= 0 && jk <= 0 && ik > 0)
                    fail_msg("%s <= %s <= %s but %s > %s", v[i], v[j], v[k], v[i], v[k]);
                if (ij == 0 && jk == 0 && ik != 0)
                    fail_msg("%s = %s = %s but %s != %s", v[i], v[j], v[k], v[i], v[k]);
            }
}

/* ---- ranges ---------------------------------------------------------------- */

struct incase {
    const char *range, *version;
    int want; /* 1 in, 0 out */
};

static void expect_vers_in(const struct incase *t, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ts_vrange_t r;
        char err[128] = "";
        bool rep = true;
        int rc = ts_vrange_parse_vers(ts_str_c(t[k].range), &r, &rep, err, sizeof err);
        if (rc != 0)
            fail_msg("vers \"%s\": rc %d (%s)", t[k].range, rc, err);
        assert_false(rep);
        bool in = !t[k].want;
        rc = ts_vrange_contains(&r, ts_str_c(t[k].version), &in);
        if (rc != 0 || in != (t[k].want == 1))
            fail_msg("\"%s\" in \"%s\": rc %d in %d, want %d", t[k].version, t[k].range, rc, in,
                     t[k].want);
    }
}

static void test_vers_contains(void **state)
{
    (void)state;
    static const struct incase t[] = {
        /* vers-spec tests/npm_range_containment_test.json */
        {"vers:npm/*", "1.0.0", 1},
        /* vers-spec tests/intdot_version_cmp_test.json containment cases */
        {"vers:intdot/>=1.2|<2.0", "1.5.0", 1},
        {"vers:intdot/>=1.2|<2.0", "2.0", 0},
        /* vers-spec tests/pypi_range_containment_test.json, the canonical
         * (sorted) ones, compared here with generic rules since this code
         * has no PEP 440 comparator */
        {"vers:generic/<=1.3.0|3.0.0", "1.0.0", 1},
        {"vers:generic/>0.0.2", "0.0.3", 1},
        {"vers:generic/<0.0.2", "0.0.0.1", 1},
        {"vers:generic/>=1.0.0|<=2.0.0", "1.5", 1},
        {"vers:generic/>=1.0.0|<=2.0.0", "2.0.3", 0},
        {"vers:generic/>=1.0.0|<=2.0.0", "0.0.9", 0},
        {"vers:generic/!=2.0.3|>=3.0.0", "2.0.3", 0},
        {"vers:generic/<=1.0.0|>=2.0.0", "1.5", 0},
        {"vers:generic/2.0.3|>=3.0.0", "2.0.3", 1},
        {"vers:generic/0.0.1|0.0.2|0.0.3|0.0.4|0.0.5|0.0.6|>=3.0.0", "2.0.3", 0},
        /* vers-spec specification examples */
        {"vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.3", 1},
        {"vers:npm/1.2.3|>=2.0.0|<5.0.0", "3.0.0", 1},
        {"vers:npm/1.2.3|>=2.0.0|<5.0.0", "5.0.0", 0},
        {"vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.9.9", 0},
        {"vers:semver/>=1.0.0|<2.0.0", "1.0.0", 1},
        {"vers:semver/>=1.0.0|<2.0.0", "2.0.0-rc.1", 1}, /* pre-release precedes 2.0.0 */
        {"vers:semver/>=1.0.0|<2.0.0", "1.0.0-rc.1", 0},
        {"vers:semver/<1.0.0|>=2.0.0|<3.0.0", "0.1.0", 1},
        {"vers:semver/<1.0.0|>=2.0.0|<3.0.0", "1.5.0", 0},
        {"vers:semver/<1.0.0|>=2.0.0|<3.0.0", "2.5.0", 1},
        {"vers:semver/<1.0.0|>=2.0.0|<3.0.0", "3.0.0", 0},
        {"vers:semver/>1.0.0|<2.0.0|>3.0.0", "1.0.0", 0},
        {"vers:semver/>1.0.0|<2.0.0|>3.0.0", "4.0.0", 1},
        {"vers:semver/>1.0.0|<2.0.0|>3.0.0", "3.0.0", 0},
        {"vers:semver/>1.0.0|!=1.5.0|<2.0.0", "1.5.0", 0},
        {"vers:semver/>1.0.0|!=1.5.0|<2.0.0", "1.6.0", 1},
        {"vers:semver/!=1.5.0", "1.6.0", 1},
        {"vers:semver/!=1.5.0", "1.5.0", 0},
        {"vers:semver/1.5.0", "1.5.0+build", 1},
        {"vers:semver/=1.5.0", "1.5.0", 1},
        {"vers:golang/>=v1.2.0|<v1.3.0", "v1.2.5", 1},
        {"vers:deb/>=1.0~rc1|<1.0-2", "1.0", 1},
        {"vers:deb/>=1.0~rc1|<1.0-2", "1.0~beta", 0},
        {"vers:deb/>=1:1.0", "2.0", 0},
        {"vers:rpm/<0:8.7p1-38.el9_4.1", "0:8.7p1-30.el9_2.4", 1},
        {"vers:rpm/<0:8.7p1-38.el9_4.1", "0:8.7p1-38.el9_4.1", 0},
        {"vers:generic/<V3.0.29", "V3.0.28", 1},
        {"vers:generic/1.0%2B2", "1.0+2", 1},
        {"vers:none/*", "1.0", 0},
        {"vers:all/*", "anything-goes", 1},
        {"vers:pypi/*", "1.0", 1},
    };
    expect_vers_in(t, sizeof t / sizeof t[0]);
}

static void test_vers_repaired(void **state)
{
    (void)state;
    /* 2,529 CISA CSAF files write "vers:all/<V4.3.8" */
    static const char *const cisa[] = {"vers:all/<V4.3.8", "vers:all/<V0.0.6", "vers:all/<V1.1",
                                       "vers:all/<V2.4"};
    for (size_t k = 0; k < sizeof cisa / sizeof cisa[0]; k++) {
        ts_vrange_t r;
        bool rep = false;
        char err[128] = "";
        assert_int_equal(ts_vrange_parse_vers(ts_str_c(cisa[k]), &r, &rep, err, sizeof err), 0);
        assert_true(rep);
        assert_int_equal(r.scheme, TS_VS_GENERIC);
        assert_false(r.all);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.c[0].op, TS_VOP_LT);
    }
    ts_vrange_t r;
    bool rep = false, in = false;
    assert_int_equal(ts_vrange_parse_vers(TS_STR_LIT("vers:all/<V4.3.8"), &r, &rep, NULL, 0), 0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("V4.3.7"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("4.3.8"), &in), 0);
    assert_false(in);
    char buf[64];
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/<V4.3.8");
    /* NULL repaired is allowed */
    assert_int_equal(ts_vrange_parse_vers(TS_STR_LIT("vers:all/<V4.3.8"), &r, NULL, NULL, 0), 0);
    /* a valid one does not report a repair */
    assert_int_equal(ts_vrange_parse_vers(TS_STR_LIT("vers:all/*"), &r, &rep, NULL, 0), 0);
    assert_false(rep);
    assert_true(r.all);
}

struct vlscase {
    const char *text, *version;
    int want;
    const char *canon; /* ts_vrange_format of the parse */
};

static void test_vls(void **state)
{
    (void)state;
    /* product_version_range texts of the corpus CSAF files (CISA, Siemens,
     * Schneider) and the reference's examples */
    static const struct vlscase t[] = {
        {"<V3.0.29", "V3.0.28", 1, "vers:generic/<V3.0.29"},
        {"<V3.0.29", "V3.0.29", 0, "vers:generic/<V3.0.29"},
        {"<V3.0.29", "V3.1.0", 0, "vers:generic/<V3.0.29"},
        {"All versions < 1.2", "1.1.9", 1, "vers:generic/<1.2"},
        {"All versions < 1.2", "1.2.0", 0, "vers:generic/<1.2"},
        {"<=8.1.1.3", "8.1.1.3", 1, "vers:generic/<=8.1.1.3"},
        {"<=8.1.1.3", "8.1.1.4", 0, "vers:generic/<=8.1.1.3"},
        {"< 1.4.9", "1.4.8", 1, "vers:generic/<1.4.9"},
        {"<= 1.9-40", "1.9-40", 1, "vers:generic/<=1.9-40"},
        {"<= 1.9-40", "1.9-41", 0, "vers:generic/<=1.9-40"},
        {"<V4.1_Update_2", "V4.1_Update_1", 1, "vers:generic/<V4.1_Update_2"},
        {"<V4.1_Update_2", "V4.1", 1, "vers:generic/<V4.1_Update_2"},
        {"<V4.1_Update_2", "V4.1_Update_2", 0, "vers:generic/<V4.1_Update_2"},
        {"All versions < V23Q4", "V23Q3", 1, "vers:generic/<V23Q4"},
        {"All versions < V23Q4", "V23Q4", 0, "vers:generic/<V23Q4"},
        {"All versions", "V1", 1, "vers:all/*"},
        {"all versions", "0.1", 1, "vers:all/*"},
        {"ALL", "7", 1, "vers:all/*"},
        {"vers:all/*", "1", 1, "vers:all/*"},
        {"vers:all/<V4.3.8", "V4.3.7", 1, "vers:generic/<V4.3.8"},
        {"<V3.0_SP3", "V3.0_SP2", 1, "vers:generic/<V3.0_SP3"},
        {"< 2.26.2.4", "2.26.2.3", 1, "vers:generic/<2.26.2.4"},
        {"<= 4.8.488.0", "4.8.488", 1, "vers:generic/<=4.8.488.0"},
        {"All BIOS versions < V1.0.212N", "V1.0.212", 1, "vers:generic/<V1.0.212N"},
        {"<MP4", "MP3", 1, "vers:generic/<MP4"},
        {">= 2.0, < 2.5", "2.4", 1, "vers:generic/>=2.0|<2.5"},
        {">= 2.0, < 2.5", "1.9", 0, "vers:generic/>=2.0|<2.5"},
        {"<2.5 and >=2.0", "2.5", 0, "vers:generic/>=2.0|<2.5"},
        {">=2.0 && <2.5", "2.0", 1, "vers:generic/>=2.0|<2.5"},
        {"<1.0 | >=2.0", "1.5", 0, "vers:generic/<1.0|>=2.0"},
        {"<1.0 || >=2.0", "2.1", 1, "vers:generic/<1.0|>=2.0"},
        {"=1.5", "1.5", 1, "vers:generic/1.5"},
        {"=1.5|=1.7", "1.6", 0, "vers:generic/1.5|1.7"},
        {"> 3", "3.0.1", 1, "vers:generic/>3"},
        {"versions < 5", "4", 1, "vers:generic/<5"},
        {"All versions >= V3.0 < V3.2", "V3.1", 1, "vers:generic/>=V3.0|<V3.2"},
        {">=V3.0 <V3.2", "V3.2", 0, "vers:generic/>=V3.0|<V3.2"},
        {"<1.0%", "0.9", 1, "vers:generic/<1.0%25"},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        ts_vrange_t r;
        char err[128] = "";
        int rc = ts_vrange_parse_vls(TS_VS_GENERIC, ts_str_c(t[k].text), &r, err, sizeof err);
        if (rc != 0)
            fail_msg("vls \"%s\": rc %d (%s)", t[k].text, rc, err);
        char buf[128];
        ts_vrange_format(&r, buf, sizeof buf);
        if (strcmp(buf, t[k].canon) != 0)
            fail_msg("vls \"%s\" formats as \"%s\", want \"%s\"", t[k].text, buf, t[k].canon);
        bool in = !t[k].want;
        rc = ts_vrange_contains(&r, ts_str_c(t[k].version), &in);
        if (rc != 0 || in != (t[k].want == 1))
            fail_msg("\"%s\" in vls \"%s\": rc %d in %d", t[k].version, t[k].text, rc, in);
    }
    /* vls under rpm: Red Hat style EVR */
    ts_vrange_t r;
    bool in = false;
    assert_int_equal(
        ts_vrange_parse_vls(TS_VS_RPM, TS_STR_LIT("< 0:8.7p1-38.el9_4.1"), &r, NULL, 0), 0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("8.7p1-30.el9_2.4"), &in), 0);
    assert_true(in);
}

static void test_bounds(void **state)
{
    (void)state;
    ts_vrange_t r;
    bool in;
    char buf[128];
    /* CVE 5 PAN-OS entry: version 10.2.0, lessThan "10.2.9-h1 " (trailing
     * blank as the ADP writes it) */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("10.2.0"), true,
                                           TS_STR_LIT("10.2.9-h1 "), false, &r, NULL, 0),
                     0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/>=10.2.0|<10.2.9-h1");
    static const struct {
        const char *v;
        bool in;
    } pan[] = {{"10.2.0", true},   {"10.2.9", true},    {"10.2.9-h1", false}, {"10.2.10", false},
               {"10.1.14", false}, {"10.2.8-h3", true}, {" 10.2.5 ", true}};
    for (size_t k = 0; k < sizeof pan / sizeof pan[0]; k++) {
        in = !pan[k].in;
        assert_int_equal(ts_vrange_contains(&r, ts_str_c(pan[k].v), &in), 0);
        if (in != pan[k].in)
            fail_msg("%s: in %d", pan[k].v, in);
    }
    /* Red Hat: version "0:8.7p1-38.el9_4.1" ... lessThan "*": no upper bound */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_RPM, TS_STR_LIT("0:8.7p1-38.el9_4.1"), true,
                                           TS_STR_LIT("*"), false, &r, NULL, 0),
                     0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:rpm/>=0:8.7p1-38.el9_4.1");
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("0:8.7p1-39.el9"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("0:8.7p1-12.el9_0.1"), &in), 0);
    assert_false(in);
    /* OpenSSH: lessThanOrEqual 9.7p1 */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("8.5p1"), true,
                                           TS_STR_LIT("9.7p1"), true, &r, NULL, 0),
                     0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("9.7p1"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("9.8p1"), &in), 0);
    assert_false(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("8.4p1"), &in), 0);
    assert_false(in);
    /* NVD versionEndExcluding only */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_SEMVER, TS_STR_NULL, false, TS_STR_LIT("2.17.1"),
                                           false, &r, NULL, 0),
                     0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("2.17.0"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("2.17.1"), &in), 0);
    assert_false(in);
    /* CVE 5 "version": "0" with a semver lessThan: no lower bound */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_SEMVER, TS_STR_LIT("0"), true,
                                           TS_STR_LIT("2.17.1"), false, &r, NULL, 0),
                     0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:semver/<2.17.1");
    /* NVD versionStartExcluding only */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("5.0"), false, TS_STR_LIT(""),
                                           false, &r, NULL, 0),
                     0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("5.0"), &in), 0);
    assert_false(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("5.0.1"), &in), 0);
    assert_true(in);
    /* both empty: all; equal inclusive bounds: one version */
    assert_int_equal(
        ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_NULL, false, TS_STR_NULL, false, &r, NULL, 0),
        0);
    assert_true(r.all);
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("2.0"), true,
                                           TS_STR_LIT("2.0"), true, &r, NULL, 0),
                     0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/2.0");
    /* exact */
    assert_int_equal(ts_vrange_exact(TS_VS_GENERIC, TS_STR_LIT("5.6.0"), &r, NULL, 0), 0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("5.6.0"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("5.6.1"), &in), 0);
    assert_false(in);
}

/* Several intervals as one range (an entry narrowed around a more specific one). */
static void test_intervals(void **state)
{
    (void)state;
    ts_vrange_t r;
    char err[128], buf[160];
    ts_vinterval_t bad1[] = {{TS_STR_LIT("1.0"), TS_STR_LIT("2.0"), true, false},
                             {TS_STR_NULL, TS_STR_LIT("3.0"), true, false}}; /* open inside */
    ts_vinterval_t bad2[] = {{TS_STR_LIT("3.0"), TS_STR_LIT("4.0"), true, false},
                             {TS_STR_LIT("1.0"), TS_STR_LIT("2.0"), true, false}}; /* order */
    ts_vinterval_t bad3[] = {{TS_STR_LIT("2.0"), TS_STR_LIT("1.0"), true, false}}; /* empty */
    ts_vinterval_t bad4[] = {{TS_STR_LIT("1.0"), TS_STR_LIT("1.0"), true, false}}; /* empty */
    ts_vinterval_t bad5[] = {{TS_STR_LIT("a.b"), TS_STR_LIT("2.0"), true, false}}; /* no version */
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad1, 2, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad2, 2, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad3, 1, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad4, 1, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad5, 1, &r, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, bad5, 0, &r, err, sizeof err),
                     TS_EINVAL);
    /* [.., 1.0), 1.5, (2.0, 3.0], [4.0, ..) */
    ts_vinterval_t iv[] = {{TS_STR_NULL, TS_STR_LIT("1.0"), false, false},
                           {TS_STR_LIT("1.5"), TS_STR_LIT("1.5"), true, true},
                           {TS_STR_LIT("2.0"), TS_STR_LIT("3.0"), false, true},
                           {TS_STR_LIT("4.0"), TS_STR_NULL, true, false}};
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, iv, 4, &r, err, sizeof err), 0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/<1.0|1.5|>2.0|<=3.0|>=4.0");
    static const struct {
        const char *v;
        bool in;
    } t[] = {{"0.9", true}, {"1.0", false}, {"1.5", true},  {"1.6", false}, {"2.0", false},
             {"2.1", true}, {"3.0", true},  {"3.5", false}, {"4.0", true},  {"9", true}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        bool in = !t[k].in;
        assert_int_equal(ts_vrange_contains(&r, ts_str_c(t[k].v), &in), 0);
        if (in != t[k].in)
            fail_msg("%s: in %d", t[k].v, in);
    }
    /* (1.0, 2.0) and (2.0, 3.0): one interval without 2.0 */
    ts_vinterval_t around[] = {{TS_STR_LIT("1.0"), TS_STR_LIT("2.0"), false, false},
                               {TS_STR_LIT("2.0"), TS_STR_LIT("3.0"), false, false}};
    assert_int_equal(ts_vrange_from_intervals(TS_VS_GENERIC, around, 2, &r, err, sizeof err), 0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/>1.0|!=2.0|<3.0");
    bool in = true;
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("2.0"), &in), 0);
    assert_false(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("2.0.1"), &in), 0);
    assert_true(in);
    ts_vinterval_t all = {TS_STR_NULL, TS_STR_NULL, false, false};
    assert_int_equal(ts_vrange_from_intervals(TS_VS_SEMVER, &all, 1, &r, err, sizeof err), 0);
    assert_true(r.all);
}

/* "V", "v" and "version" before the number, as vendors write it. */
static void test_generic_prefixes(void **state)
{
    (void)state;
    static const struct cmpcase t[] = {
        {"V3.0.1", "3.0.1", 0},     {"v3.0.1", "V3.0.1", 0},  {"Version 4.2", "4.2", 0},
        {"version_5.1", "v5.1", 0}, {"VERSION-2", "2.0", 0},  {"V3.0.1", "V3.1.0", -1},
        {"Version 10", "v9.9", 1},  {"version3.0", "3.0", 0}, {"v1.0rc1", "1.0", -1},
        {"Vers 3.0", "3.0", -1}, /* not a prefix: the word "vers" sorts below 3 */
    };
    run_table(TS_VS_GENERIC, t, sizeof t / sizeof t[0]);
    /* semver keeps its own rules: a leading 'v' only */
    expect_cmp(TS_VS_SEMVER, "v2.4.1", "2.4.1", 0);
    expect_bad_version(TS_VS_SEMVER, "version 2.4.1");
}

/* CVE 5 bound patterns: '*' is infinity ("6.1.*" above every 6.1.x). */
static void test_bound_patterns(void **state)
{
    (void)state;
    int c;
    /* refused first: not a pattern of the scheme, or a pattern where a
     * version is needed */
    static const struct {
        ts_vscheme_t s;
        const char *a, *b;
    } bad[] = {
        {TS_VS_GENERIC, "6.1", "x.*"},         {TS_VS_GENERIC, "6.1", "6.1*"},
        {TS_VS_GENERIC, "6.1", "6.*.*"},       {TS_VS_SEMVER, "6.1.0", "6.1.2.*"},
        {TS_VS_SEMVER, "6.1.0", "06.*"},       {TS_VS_SEMVER, "6.1.0", "6..*"},
        {TS_VS_RPM, "1.0-1", "1.*"},           {TS_VS_DPKG, "1.0", "1.*"},
        {TS_VS_GENERIC, "log4j-core*", "2.*"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        if (ts_version_cmp_bound(bad[k].s, ts_str_c(bad[k].a), ts_str_c(bad[k].b), &c) != TS_EINVAL)
            fail_msg("%s: \"%s\" vs \"%s\" accepted", ts_vscheme_name(bad[k].s), bad[k].a,
                     bad[k].b);
    /* a plain comparison refuses patterns as it did */
    assert_int_equal(ts_version_cmp(TS_VS_GENERIC, TS_STR_LIT("6.1.5"), TS_STR_LIT("6.1.*"), &c),
                     TS_EINVAL);
    ts_vrange_t r;
    char err[128];
    assert_int_equal(ts_vrange_exact(TS_VS_GENERIC, TS_STR_LIT("6.1.*"), &r, err, sizeof err),
                     TS_EINVAL);
    static const struct {
        ts_vscheme_t s;
        const char *a, *b;
        int want;
    } t[] = {
        /* the issue's edges of 6.1.* */
        {TS_VS_GENERIC, "6.1.89", "6.1.*", -1},
        {TS_VS_GENERIC, "6.1.90", "6.1.*", -1},
        {TS_VS_GENERIC, "6.1.300", "6.1.*", -1},
        {TS_VS_GENERIC, "6.1.99999999999", "6.1.*", -1},
        {TS_VS_GENERIC, "6.2.0", "6.1.*", 1},
        {TS_VS_GENERIC, "6.2-rc1", "6.1.*", 1},
        {TS_VS_GENERIC, "6.1", "6.1.*", -1},
        {TS_VS_GENERIC, "6", "6.1.*", -1},
        {TS_VS_GENERIC, "6.0.99", "6.1.*", -1},
        {TS_VS_GENERIC, "5.15.160", "6.1.*", -1},
        {TS_VS_GENERIC, "v6.1.5", "6.1.*", -1},
        {TS_VS_GENERIC, "6.1-rc3", "6.1.*", -1},
        /* patterns among themselves: the shorter reaches infinity first */
        {TS_VS_GENERIC, "6.*", "6.1.*", 1},
        {TS_VS_GENERIC, "6.1.*", "6.1.*", 0},
        {TS_VS_GENERIC, "6.1.*", "6.6.*", -1},
        {TS_VS_GENERIC, "6.0.*", "6.*", -1},
        {TS_VS_GENERIC, "5.*", "6.1.*", -1},
        /* semver: "1.*" and "1.2.*" */
        {TS_VS_SEMVER, "1.9.9", "1.*", -1},
        {TS_VS_SEMVER, "2.0.0-rc.1", "1.*", 1},
        {TS_VS_SEMVER, "2.0.0", "1.*", 1},
        {TS_VS_SEMVER, "1.2.300", "1.2.*", -1},
        {TS_VS_SEMVER, "1.3.0-alpha", "1.2.*", 1},
        /* without patterns it is ts_version_cmp */
        {TS_VS_GENERIC, "6.1.90", "6.1.89", 1},
        {TS_VS_RPM, "1.0-2", "1.0-1", 1},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        int r1 = 99, r2 = 99;
        if (ts_version_cmp_bound(t[k].s, ts_str_c(t[k].a), ts_str_c(t[k].b), &r1) != 0 ||
            ts_version_cmp_bound(t[k].s, ts_str_c(t[k].b), ts_str_c(t[k].a), &r2) != 0 ||
            sign(r1) != t[k].want || sign(r2) != -t[k].want)
            fail_msg("%s: \"%s\" vs \"%s\" = %d/%d, want %d", ts_vscheme_name(t[k].s), t[k].a,
                     t[k].b, r1, r2, t[k].want);
    }
    /* The kernel's fixed stable line: version 6.1.90 lessThanOrEqual 6.1.* */
    bool in;
    char buf[128];
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("6.1.90"), true,
                                           TS_STR_LIT("6.1.*"), true, &r, err, sizeof err),
                     0);
    ts_vrange_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "vers:generic/>=6.1.90|<=6.1.*");
    static const struct {
        const char *v;
        bool in;
    } edge[] = {{"6.1.89", false}, {"6.1.90", true},   {"6.1.300", true}, {"6.2.0", false},
                {"6.2", false},    {"6.0.200", false}, {"7.0", false}};
    for (size_t k = 0; k < sizeof edge / sizeof edge[0]; k++) {
        in = !edge[k].in;
        assert_int_equal(ts_vrange_contains(&r, ts_str_c(edge[k].v), &in), 0);
        if (in != edge[k].in)
            fail_msg("6.1.90..6.1.*: %s in %d", edge[k].v, in);
    }
    /* the stored text reads back to the same range */
    ts_vrange_t r2;
    char buf2[128];
    assert_int_equal(ts_vrange_parse_vers(ts_str_c(buf), &r2, NULL, err, sizeof err), 0);
    ts_vrange_format(&r2, buf2, sizeof buf2);
    assert_string_equal(buf, buf2);
    assert_int_equal(ts_vrange_contains(&r2, TS_STR_LIT("6.1.300"), &in), 0);
    assert_true(in);
    /* lessThan "2.*" (the schema's example): 1.0 up to the whole 2.x series */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_SEMVER, TS_STR_LIT("1.0.0"), true,
                                           TS_STR_LIT("2.*"), false, &r, err, sizeof err),
                     0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("2.99.1"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("3.0.0"), &in), 0);
    assert_false(in);
    /* a gap after a pattern: (6.1.*, 6.6.14) */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("6.1.*"), false,
                                           TS_STR_LIT("6.6.14"), false, &r, err, sizeof err),
                     0);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("6.1.300"), &in), 0);
    assert_false(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("6.2.0"), &in), 0);
    assert_true(in);
    assert_int_equal(ts_vrange_contains(&r, TS_STR_LIT("6.6.14"), &in), 0);
    assert_false(in);
    /* a pattern above its own start, or an end below the start, is empty */
    assert_int_equal(ts_vrange_from_bounds(TS_VS_GENERIC, TS_STR_LIT("6.2.0"), true,
                                           TS_STR_LIT("6.1.*"), true, &r, err, sizeof err),
                     TS_EINVAL);
}

/* Ranges inside CVE 5 "version", GitHub's advisory syntax. */
static void test_github_ranges(void **state)
{
    (void)state;
    ts_vrange_t r;
    char err[160], buf[160];
    static const char *const bad[] = {
        "",
        "3.0.0",              /* a version, not a range */
        ">= 3.0.0 < 3.0.7",   /* comparators need commas */
        ">= 3.0.0,",          /* trailing comma */
        ", < 3.0.7",          /* leading comma */
        ">= 3.0.0, >= 3.1.0", /* two lower bounds */
        "< 3.0.0, <= 3.1.0",  /* two upper bounds */
        "= 1.0, < 2.0",       /* = with another comparator */
        "< 2.0, = 1.0",
        ">= 3.0.7, < 3.0.0", /* nothing between */
        ">= 3.0.0, < 3.0.0",
        "<",         /* no version */
        "<= latest", /* not a version */
        "~> 1.2",    /* not GitHub's */
        "!= 1.2",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err[0] = '\0';
        if (ts_vrange_parse_github(TS_VS_GENERIC, ts_str_c(bad[k]), &r, err, sizeof err) !=
            TS_ESYNTAX)
            fail_msg("\"%s\" accepted", bad[k]);
        if (err[0] == '\0')
            fail_msg("\"%s\": no reason", bad[k]);
    }
    static const struct {
        const char *text, *vers, *in, *out;
    } t[] = {
        {">= 3.0.0, < 3.0.7", "vers:generic/>=3.0.0|<3.0.7", "3.0.6", "3.0.7"},
        {"< 2.4.1", "vers:generic/<2.4.1", "2.4.0", "2.4.1"},
        {"<= 6.5.8.12", "vers:generic/<=6.5.8.12", "6.5.8.12", "6.5.8.13"},
        {"= 1.2.0", "vers:generic/1.2.0", "1.2", "1.2.1"},
        {"> 1.0", "vers:generic/>1.0", "1.0.1", "1.0"},
        {">= 6.6.0.0, <= 6.6.5.0", "vers:generic/>=6.6.0.0|<=6.6.5.0", "6.6.5.0", "6.6.5.1"},
        {"< 3.0.7 ,>= 3.0.0", "vers:generic/>=3.0.0|<3.0.7", "3.0.0", "2.9"},
        {">= v1.19.0, < v1.19.6", "vers:generic/>=v1.19.0|<v1.19.6", "1.19.5", "1.19.6"},
        /* a version runs to the comma */
        {">= 2.3.1, < 2.5.1 Rev 2", "vers:generic/>=2.3.1|<2.5.1%20Rev%202", "2.5.1", "2.5.2"},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (ts_vrange_parse_github(TS_VS_GENERIC, ts_str_c(t[k].text), &r, err, sizeof err) != 0)
            fail_msg("\"%s\": %s", t[k].text, err);
        ts_vrange_format(&r, buf, sizeof buf);
        if (strcmp(buf, t[k].vers) != 0)
            fail_msg("\"%s\" -> %s, want %s", t[k].text, buf, t[k].vers);
        bool in = false, out = true;
        assert_int_equal(ts_vrange_contains(&r, ts_str_c(t[k].in), &in), 0);
        assert_int_equal(ts_vrange_contains(&r, ts_str_c(t[k].out), &out), 0);
        if (!in || out)
            fail_msg("\"%s\": %s in %d, %s in %d", t[k].text, t[k].in, in, t[k].out, out);
    }
    /* the scheme applies: semver refuses a generic version */
    assert_int_equal(
        ts_vrange_parse_github(TS_VS_SEMVER, TS_STR_LIT("< 2.5.1 Rev 2"), &r, err, sizeof err),
        TS_ESYNTAX);
    assert_int_equal(
        ts_vrange_parse_github(TS_VS_SEMVER, TS_STR_LIT(">= 0.5.0, < 0.6.0"), &r, err, sizeof err),
        0);
}

static void test_format(void **state)
{
    (void)state;
    /* canonical vers survives parse -> format unchanged */
    static const char *const canon[] = {
        "vers:semver/>=1.0.0|<2.0.0",
        "vers:semver/<1.0.0|>=2.0.0|!=2.5.0|<3.0.0",
        "vers:deb/>=1:1.0~rc1|<1:1.0-2",
        "vers:rpm/<0:8.7p1-38.el9_4.1",
        "vers:generic/1.0|1.5|>=2.0",
        "vers:generic/1.0%20beta",
        "vers:generic/1.0%2F2",
        "vers:all/*",
        "vers:none/*",
    };
    for (size_t k = 0; k < sizeof canon / sizeof canon[0]; k++) {
        ts_vrange_t r;
        char err[128] = "", buf[256];
        int rc = ts_vrange_parse_vers(ts_str_c(canon[k]), &r, NULL, err, sizeof err);
        if (rc != 0)
            fail_msg("\"%s\": rc %d (%s)", canon[k], rc, err);
        ts_vrange_format(&r, buf, sizeof buf);
        assert_string_equal(buf, canon[k]);
    }
    ts_vrange_t r;
    assert_int_equal(ts_vrange_parse_vers(TS_STR_LIT("vers:semver/<1.0.0|>=2.0.0|<3.0.0|!=2.5.0"),
                                          &r, NULL, NULL, 0),
                     TS_ESYNTAX);
    /* cut to fit, always terminated */
    assert_int_equal(
        ts_vrange_parse_vers(TS_STR_LIT("vers:semver/>=1.0.0|<2.0.0"), &r, NULL, NULL, 0), 0);
    char small[10];
    memset(small, 'x', sizeof small);
    ts_vrange_format(&r, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "vers:semv", 9);
    char one[1] = {'x'};
    ts_vrange_format(&r, one, 1);
    assert_int_equal(one[0], '\0');
    ts_vrange_format(&r, one, 0); /* nothing written */
}

/* ---- the corpus: real CSAF and CVE 5 files ---------------------------------- */

struct tally {
    int ok, refused;
    char refused_text[8][96];
};

static void tally_add(struct tally *t, int rc, ts_str_t text, const char *why)
{
    if (rc == 0) {
        t->ok++;
        return;
    }
    if (t->refused < 8)
        snprintf(t->refused_text[t->refused], sizeof t->refused_text[0], "%.*s", (int)text.len,
                 text.ptr);
    printf("  refused \"%.*s\": %s\n", (int)text.len, text.ptr, why);
    t->refused++;
}

static ts_json_t *load_json(const char *path)
{
    size_t len = 0;
    char *buf = tt_read_file(path, &len);
    assert_non_null(buf);
    ts_json_t *j = NULL;
    assert_int_equal(ts_json_parse(buf, len, 64u << 20, 64, 0, &j, NULL, 0), 0);
    free(buf);
    return j;
}

static void walk_branches(const ts_json_t *arr, struct tally *ranges, struct tally *exact)
{
    size_t n = 0;
    if (arr == NULL || ts_json_as_array(arr, "branches", &n, NULL, 0) != 0)
        return;
    for (size_t k = 0; k < n; k++) {
        const ts_json_t *b = ts_json_index(arr, k);
        ts_str_t cat = TS_STR_NULL, name = TS_STR_NULL;
        if (ts_json_get_str(b, "category", false, &cat, NULL, 0) != 0 ||
            ts_json_get_str(b, "name", false, &name, NULL, 0) != 0)
            continue;
        ts_vrange_t r;
        char why[128] = "";
        if (ts_str_eq_c(cat, "product_version_range")) {
            int rc;
            if (name.len >= 5 && memcmp(name.ptr, "vers:", 5) == 0)
                rc = ts_vrange_parse_vers(name, &r, NULL, why, sizeof why);
            else
                rc = ts_vrange_parse_vls(TS_VS_GENERIC, name, &r, why, sizeof why);
            tally_add(ranges, rc, name, why);
        } else if (ts_str_eq_c(cat, "product_version")) {
            tally_add(exact, ts_vrange_exact(TS_VS_GENERIC, name, &r, why, sizeof why), name, why);
        }
        ts_json_t *sub = NULL;
        if (ts_json_member(b, "branches", &sub))
            walk_branches(sub, ranges, exact);
    }
}

static void test_corpus_csaf(void **state)
{
    (void)state;
    char *dir = tt_corpus_path("advisories/csaf");
    if (dir == NULL)
        skip();
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct tally ranges = {0}, exact = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ts_json_t *j = load_json(path), *pt = NULL, *br = NULL;
        if (ts_json_member(j, "product_tree", &pt) && ts_json_member(pt, "branches", &br))
            walk_branches(br, &ranges, &exact);
        ts_json_free(j);
    }
    closedir(d);
    free(dir);
    printf("corpus CSAF: %d ranges read, %d refused; %d exact versions read, %d refused\n",
           ranges.ok, ranges.refused, exact.ok, exact.refused);
    /* every range of the corpus reads except one that is prose, not a range */
    assert_true(ranges.ok >= 14);
    assert_int_equal(ranges.refused, 1);
    assert_string_equal(ranges.refused_text[0], "All_versions_with_installed_WebRH");
    assert_true(exact.ok >= 40);
    assert_int_equal(exact.refused, 0);
}

static void cve_affected(const ts_json_t *aff, struct tally *t, int *skipped)
{
    size_t na = 0;
    if (aff == NULL || ts_json_as_array(aff, "affected", &na, NULL, 0) != 0)
        return;
    for (size_t a = 0; a < na; a++) {
        ts_json_t *vers = NULL;
        size_t nv = 0;
        if (ts_json_get_array(ts_json_index(aff, a), "versions", false, &vers, &nv, NULL, 0))
            continue;
        for (size_t k = 0; k < nv; k++) {
            const ts_json_t *v = ts_json_index(vers, k);
            ts_str_t ver = TS_STR_NULL, lt = TS_STR_NULL, le = TS_STR_NULL, type = TS_STR_NULL;
            if (ts_json_get_str(v, "version", false, &ver, NULL, 0) ||
                ts_json_get_str(v, "lessThan", false, &lt, NULL, 0) ||
                ts_json_get_str(v, "lessThanOrEqual", false, &le, NULL, 0) ||
                ts_json_get_str(v, "versionType", false, &type, NULL, 0))
                continue;
            ts_vscheme_t s;
            char tname[32];
            snprintf(tname, sizeof tname, "%.*s", (int)type.len, type.ptr ? type.ptr : "");
            if (ts_vscheme_parse(tname, &s) != 0) {
                (*skipped)++; /* git commits have no order */
                continue;
            }
            ts_vrange_t r;
            char why[128] = "";
            int rc;
            if (lt.ptr || le.ptr)
                rc = ts_vrange_from_bounds(s, ver, true, lt.ptr ? lt : le, le.ptr != NULL, &r, why,
                                           sizeof why);
            else
                rc = ts_vrange_exact(s, ver, &r, why, sizeof why);
            tally_add(t, rc, ver, why);
        }
    }
}

static void test_corpus_cve(void **state)
{
    (void)state;
    static const char *const files[] = {"CVE-2024-3094.json", "CVE-2024-3400.json",
                                        "CVE-2024-6387.json"};
    struct tally t = {0};
    int skipped = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char rel[128];
        snprintf(rel, sizeof rel, "advisories/cve/%s", files[f]);
        char *path = tt_corpus_path(rel);
        if (path == NULL)
            skip();
        ts_json_t *j = load_json(path), *ctr = NULL, *cna = NULL, *aff = NULL, *adp = NULL;
        free(path);
        assert_true(ts_json_member(j, "containers", &ctr));
        if (ts_json_member(ctr, "cna", &cna) && ts_json_member(cna, "affected", &aff))
            cve_affected(aff, &t, &skipped);
        size_t nadp = 0;
        if (ts_json_member(ctr, "adp", &adp) && ts_json_as_array(adp, "adp", &nadp, NULL, 0) == 0)
            for (size_t k = 0; k < nadp; k++)
                if (ts_json_member(ts_json_index(adp, k), "affected", &aff))
                    cve_affected(aff, &t, &skipped);
        ts_json_free(j);
    }
    printf("corpus CVE 5: %d version entries read, %d refused, %d without an order\n", t.ok,
           t.refused, skipped);
    assert_true(t.ok >= 20);
    /* what is refused is not a version: "All" as a version is not one */
    for (int k = 0; k < t.refused && k < 8; k++)
        assert_string_equal(t.refused_text[k], "All");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheme_names),
        cmocka_unit_test(test_bad_versions),
        cmocka_unit_test(test_vers_invalid),
        cmocka_unit_test(test_vls_invalid),
        cmocka_unit_test(test_bounds_invalid),
        cmocka_unit_test(test_semver),
        cmocka_unit_test(test_dpkg),
        cmocka_unit_test(test_rpm),
        cmocka_unit_test(test_generic),
        cmocka_unit_test(test_generic_transitive),
        cmocka_unit_test(test_vers_contains),
        cmocka_unit_test(test_vers_repaired),
        cmocka_unit_test(test_vls),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_generic_prefixes),
        cmocka_unit_test(test_bound_patterns),
        cmocka_unit_test(test_github_ranges),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_corpus_csaf),
        cmocka_unit_test(test_corpus_cve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
