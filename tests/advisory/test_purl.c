/* SPDX-License-Identifier: Apache-2.0 */
/* Package URLs: the failures and canonical forms of the purl-spec test suite
 * (tests/spec/specification-test.json and the README examples), restated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/purl.h"
#include "advisory/version.h"

static int parse(const char *s, ts_purl_t *p, char *err, size_t errsize)
{
    size_t n = strlen(s);
    char *h = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
    assert_non_null(h);
    memcpy(h, s, n);
    int rc = ts_purl_parse(ts_str(h, n), p, err, errsize);
    free(h);
    return rc;
}

static void expect_fail(const char *s, int want)
{
    ts_purl_t p;
    char err[128] = "";
    int rc = parse(s, &p, err, sizeof err);
    if (rc != want)
        fail_msg("\"%s\": rc %d, want %d", s, rc, want);
    if (err[0] == '\0')
        fail_msg("\"%s\": no reason given", s);
    assert_string_equal(p.name, "");
}

static void test_invalid(void **state)
{
    (void)state;
    /* purl-spec tests/spec/specification-test.json parse failures */
    expect_fail("EnterpriseLibrary.Common@6.0.1304", TS_ESYNTAX);     /* no scheme */
    expect_fail("pkg:EnterpriseLibrary.Common@6.0.1304", TS_ESYNTAX); /* no type */
    expect_fail("pkg:n&g?inx/nginx@0.8.9", TS_ESYNTAX);
    expect_fail("pkg:3nginx/nginx@0.8.9", TS_ESYNTAX);
    expect_fail("pkg:nginx:a/nginx@0.8.9", TS_ESYNTAX);
    expect_fail("pkg:npm/myartifact@1.0.0?in%20production=true", TS_ESYNTAX);
    expect_fail("pkg:maven/@1.3.4", TS_ESYNTAX);
    expect_fail("pkg%3Amaven/org.apache.commons/io", TS_ESYNTAX);
    /* our own */
    expect_fail("", TS_ESYNTAX);
    expect_fail("pkg:", TS_ESYNTAX);
    expect_fail("pkg:/", TS_ESYNTAX);
    expect_fail("pkg:npm/", TS_ESYNTAX);
    expect_fail("pkg:npm/foo@", TS_ESYNTAX);
    expect_fail("pkg:npm/foo bar", TS_ESYNTAX);
    expect_fail("pkg:npm/foo%", TS_ESYNTAX);
    expect_fail("pkg:npm/foo%4", TS_ESYNTAX);
    expect_fail("pkg:npm/foo%zz", TS_ESYNTAX);
    expect_fail("pkg:npm/foo%00", TS_ESYNTAX);
    expect_fail("pkg:npm/a%2Fb/foo", TS_ESYNTAX);
    expect_fail("pkg:npm/foo%2Fbar", TS_ESYNTAX);
    expect_fail("pkg:npm/foo?=x", TS_ESYNTAX);
    expect_fail("pkg:npm/foo?novalue", TS_ESYNTAX);
    expect_fail("pkg:npm/foo?a=1&A=2", TS_ESYNTAX); /* keys are case-insensitive */
    expect_fail("pkg:npm/foo?1a=2", TS_ESYNTAX);
    expect_fail("pkg:npm/foo?a=%G1", TS_ESYNTAX);
    expect_fail("pkg:averyveryverylongtypenamethatexceeds/foo", TS_ETOOBIG);
    char big[5000] = "pkg:npm/";
    memset(big + 8, 'a', 4500);
    expect_fail(big, TS_ETOOBIG);
    char longname[400] = "pkg:npm/";
    memset(longname + 8, 'a', 300);
    expect_fail(longname, TS_ETOOBIG);
    char many[400] = "pkg:npm/foo?";
    for (int k = 0; k < 20; k++) {
        char q[16];
        snprintf(q, sizeof q, "%sk%d=v", k ? "&" : "", k);
        strcat(many, q);
    }
    expect_fail(many, TS_ETOOBIG);
    ts_purl_t p;
    assert_int_equal(ts_purl_parse(TS_STR_NULL, &p, NULL, 0), TS_ESYNTAX);
}

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in, *type, *ns, *name, *version, *quals, *canon;
    } t[] = {
        /* purl-spec README examples and the type tests' canonical forms */
        {"pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c", "github", "package-url",
         "purl-spec", "244fd47e07d1004f0aed9c", "",
         "pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c"},
        {"pkg:GitHub/Package-URL/Purl-Spec", "github", "package-url", "purl-spec", "", "",
         "pkg:github/package-url/purl-spec"},
        {"pkg:pypi/Django_package@1.11.1.dev1", "pypi", "", "django-package", "1.11.1.dev1", "",
         "pkg:pypi/django-package@1.11.1.dev1"},
        {"pkg:npm/%40angular/animation@12.3.1", "npm", "@angular", "animation", "12.3.1", "",
         "pkg:npm/%40angular/animation@12.3.1"},
        {"pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie", "deb", "debian", "curl",
         "7.50.3-1", "arch=i386&distro=jessie",
         "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"},
        {"pkg:rpm/fedora/curl@7.50.3-1.fc25?distro=fedora-25&arch=i386", "rpm", "fedora", "curl",
         "7.50.3-1.fc25", "arch=i386&distro=fedora-25",
         "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"},
        {"pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?Classifier=sources&empty=", "maven",
         "org.apache.xmlgraphics", "batik-anim", "1.9.1", "classifier=sources",
         "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources"},
        {"pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "golang",
         "google.golang.org", "genproto", "", "", "pkg:golang/google.golang.org/genproto"},
        {"pkg:docker/cassandra@sha256:244fd47e07d1004f0aed9c", "docker", "", "cassandra",
         "sha256:244fd47e07d1004f0aed9c", "", "pkg:docker/cassandra@sha256:244fd47e07d1004f0aed9c"},
        {"pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d",
         "generic", "", "bitwarderl", "",
         "checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d",
         "pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d"},
        /* slashes after the scheme and around segments are not significant */
        {"pkg://npm//foo//bar/@1.0.0", "npm", "foo", "bar", "1.0.0", "", "pkg:npm/foo/bar@1.0.0"},
        {"PKG:NPM/Foo@1.0.0", "npm", "", "Foo", "1.0.0", "", "pkg:npm/Foo@1.0.0"},
        {"pkg:nuget/EnterpriseLibrary.Common@6.0.1304", "nuget", "", "EnterpriseLibrary.Common",
         "6.0.1304", "", "pkg:nuget/EnterpriseLibrary.Common@6.0.1304"},
        {"pkg:npm/foo@1.0.0%2Bbuild", "npm", "", "foo", "1.0.0+build", "",
         "pkg:npm/foo@1.0.0%2Bbuild"},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        ts_purl_t p, p2;
        char err[128] = "";
        int rc = parse(t[k].in, &p, err, sizeof err);
        if (rc != 0)
            fail_msg("\"%s\": rc %d (%s)", t[k].in, rc, err);
        assert_string_equal(p.type, t[k].type);
        assert_string_equal(p.ns, t[k].ns);
        assert_string_equal(p.name, t[k].name);
        assert_string_equal(p.version, t[k].version);
        assert_string_equal(p.qualifiers, t[k].quals);
        char buf[512];
        ts_purl_format(&p, buf, sizeof buf);
        if (strcmp(buf, t[k].canon) != 0)
            fail_msg("\"%s\" formats as \"%s\", want \"%s\"", t[k].in, buf, t[k].canon);
        /* canonical text reads back to the same parts */
        assert_int_equal(parse(buf, &p2, err, sizeof err), 0);
        assert_true(ts_purl_same_package(&p, &p2));
        assert_string_equal(p.version, p2.version);
        assert_string_equal(p.qualifiers, p2.qualifiers);
    }
}

static void test_same_and_scheme(void **state)
{
    (void)state;
    ts_purl_t a, b;
    assert_int_equal(parse("pkg:deb/debian/openssh@1:9.2p1-2", &a, NULL, 0), 0);
    assert_int_equal(parse("pkg:deb/Debian/openssh@1:9.2p1-2+deb12u3?arch=amd64", &b, NULL, 0), 0);
    assert_true(ts_purl_same_package(&a, &b));
    assert_int_equal(ts_purl_scheme(&a), TS_VS_DPKG);
    /* the version is one the implied scheme reads */
    int c = 0;
    assert_int_equal(ts_version_cmp((ts_vscheme_t)ts_purl_scheme(&a), ts_str_c(a.version),
                                    ts_str_c(b.version), &c),
                     0);
    assert_true(c < 0);
    assert_int_equal(parse("pkg:deb/ubuntu/openssh@1:9.2p1-2", &b, NULL, 0), 0);
    assert_false(ts_purl_same_package(&a, &b));
    assert_int_equal(parse("pkg:rpm/redhat/openssh@8.7p1-38.el9_4.1", &b, NULL, 0), 0);
    assert_int_equal(ts_purl_scheme(&b), TS_VS_RPM);
    assert_int_equal(parse("pkg:npm/lodash@4.17.21", &b, NULL, 0), 0);
    assert_int_equal(ts_purl_scheme(&b), TS_VS_SEMVER);
    assert_int_equal(parse("pkg:golang/github.com/x/y@v1.2.3", &b, NULL, 0), 0);
    assert_int_equal(ts_purl_scheme(&b), TS_VS_SEMVER);
    assert_int_equal(parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", &b, NULL, 0), 0);
    assert_int_equal(ts_purl_scheme(&b), TS_VS_GENERIC);
    /* the same name under another type is another package */
    assert_int_equal(parse("pkg:npm/openssh", &a, NULL, 0), 0);
    assert_int_equal(parse("pkg:pypi/openssh", &b, NULL, 0), 0);
    assert_false(ts_purl_same_package(&a, &b));
}

static void test_format_cut(void **state)
{
    (void)state;
    ts_purl_t p;
    assert_int_equal(parse("pkg:npm/%40angular/animation@12.3.1?a=b", &p, NULL, 0), 0);
    for (size_t size = 1; size < 48; size++) {
        char buf[48];
        memset(buf, 'x', sizeof buf);
        ts_purl_format(&p, buf, size);
        assert_true(strlen(buf) < size);
    }
    char none[1] = {'x'};
    ts_purl_format(&p, none, 0);
    assert_int_equal(none[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_same_and_scheme),
        cmocka_unit_test(test_format_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
