/* SPDX-License-Identifier: Apache-2.0 */
/* RDAP answers and bootstrap files: malformed, huge, deep and abuse-less
 * answers refused with a reason first, then the abuse entity found where
 * the registries put it (top level, nested under the registrant, the
 * shallowest of several), and the bootstrap's most specific service. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/rdap.h"

#define VC(e)                                                                                      \
    "\"vcardArray\":[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"email\",{},\"text\",\"" e     \
    "\"]]]"

static int abuse(const char *json, ts_rdap_abuse_t *a, char *err)
{
    return ts_rdap_abuse(json, strlen(json), a, err, 256);
}

static void test_invalid(void **state)
{
    (void)state;
    ts_rdap_abuse_t a;
    char err[256];
    assert_int_equal(abuse("", &a, err), TS_ETRUNC);
    assert_int_not_equal(abuse("{\"entities\": [", &a, err), 0);
    assert_int_equal(abuse("[1]", &a, err), TS_ETYPE);
    assert_int_equal(abuse("{\"handle\":\"X\"}", &a, err), TS_ENOENT);
    assert_non_null(strstr(err, "abuse"));
    /* An abuse entity whose address is not one. */
    assert_int_equal(
        abuse("{\"entities\":[{\"roles\":[\"abuse\"]," VC("not an address") "}]}", &a, err),
        TS_ENOENT);
    /* Wrong types everywhere: ignored, not crashed on. */
    assert_int_equal(abuse("{\"entities\":[1,\"x\",{\"roles\":\"abuse\"},{\"roles\":[\"abuse\"],"
                           "\"vcardArray\":[\"vcard\",{}]},{\"roles\":[\"abuse\"],\"vcardArray\":"
                           "[\"vcard\",[[\"email\"],[1,{},\"text\",\"a@b.example\"]]]}]}",
                           &a, err),
                     TS_ENOENT);
    /* Nested deeper than the bound, the abuse entity at the bottom. */
    char deep[4096] = "{\"entities\":[";
    for (int i = 0; i < 12; i++)
        strcat(deep, "{\"roles\":[\"registrant\"],\"entities\":[");
    strcat(deep, "{\"roles\":[\"abuse\"]," VC("deep@example.net") "}");
    for (int i = 0; i < 12; i++)
        strcat(deep, "]}");
    strcat(deep, "]}");
    assert_int_equal(abuse(deep, &a, err), TS_EDEPTH);
    /* Larger than the bound. */
    size_t big = TS_RDAP_MAX + 10;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    memcpy(huge, "{\"a\":1}", 7);
    huge[big] = '\0';
    assert_int_equal(ts_rdap_abuse(huge, big, &a, err, sizeof err), TS_ETOOBIG);
    free(huge);
}

static void test_abuse(void **state)
{
    (void)state;
    ts_rdap_abuse_t a;
    char err[256];
    assert_int_equal(abuse("{\"handle\":\"AS64501\",\"entities\":[{\"handle\":\"AR1\","
                           "\"roles\":[\"technical\",\"abuse\"]," VC("abuse@a.example") "}]}",
                           &a, err),
                     0);
    assert_string_equal(a.email, "abuse@a.example");
    assert_string_equal(a.entity, "AR1");
    assert_string_equal(a.object, "AS64501");
    assert_int_equal(a.depth, 1);
    /* Nested under the registrant. */
    assert_int_equal(
        abuse("{\"handle\":\"NET-1\",\"entities\":[{\"handle\":\"ORG\",\"roles\":"
              "[\"registrant\"]," VC("noc@org.example") ",\"entities\":[{\"handle\":"
                                                        "\"AB\",\"roles\":[\"abuse\"]," VC(
                                                            "abuse@org.example") "}]}]}",
              &a, err),
        0);
    assert_string_equal(a.email, "abuse@org.example");
    assert_int_equal(a.depth, 2);
    /* The shallowest wins, wherever it is in the list. */
    assert_int_equal(abuse("{\"entities\":[{\"roles\":[\"registrant\"],\"entities\":[{\"roles\":"
                           "[\"abuse\"]," VC("deep@x.example") "}]},{\"roles\":[\"abuse\"]," VC(
                               "top@x.example") "}]}",
                           &a, err),
                     0);
    assert_string_equal(a.email, "top@x.example");
}

static void test_bootstrap(void **state)
{
    (void)state;
    char url[TS_RDAP_URL_MAX], err[256];
    const char *v4 =
        "{\"services\":[[[\"192.0.0.0/8\"],[\"http://a.example/\",\"https://a.example/\"]],"
        "[[\"192.0.2.0/24\"],[\"https://b.example\"]]]}";
    assert_int_equal(ts_rdap_boot_check(v4, strlen(v4), "ipv4", err, sizeof err), 0);
    assert_int_equal(ts_rdap_boot_check(v4, strlen(v4), "ipv6", err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_rdap_boot_check(v4, strlen(v4), "nope", err, sizeof err), TS_EINVAL);
    assert_int_equal(ts_rdap_boot_check("{}", 2, "ipv4", err, sizeof err), TS_ETYPE);
    assert_int_equal(ts_rdap_boot_check("{\"services\":[[1]]}", 18, "ipv4", err, sizeof err),
                     TS_ETYPE);
    assert_int_equal(ts_rdap_boot_find(v4, strlen(v4), TS_RDAP_IP, "192.0.2.9", url, sizeof url,
                                       err, sizeof err),
                     0);
    assert_string_equal(url, "https://b.example/");
    assert_int_equal(ts_rdap_boot_find(v4, strlen(v4), TS_RDAP_IP, "192.7.0.0/16", url, sizeof url,
                                       err, sizeof err),
                     0);
    assert_string_equal(url, "https://a.example/");
    assert_int_equal(
        ts_rdap_boot_find(v4, strlen(v4), TS_RDAP_IP, "10.0.0.1", url, sizeof url, err, sizeof err),
        TS_ENOENT);
    const char *asn = "{\"services\":[[[\"64496-64511\",\"1\"],[\"https://asn.example/\"]]]}";
    assert_int_equal(
        ts_rdap_boot_find(asn, strlen(asn), TS_RDAP_ASN, "64500", url, sizeof url, err, sizeof err),
        0);
    assert_int_equal(
        ts_rdap_boot_find(asn, strlen(asn), TS_RDAP_ASN, "64512", url, sizeof url, err, sizeof err),
        TS_ENOENT);
    const char *dns = "{\"services\":[[[\"org\"],[\"https://org.example/\"]],[[\"example.org\"],"
                      "[\"https://ex.example/\"]]]}";
    assert_int_equal(ts_rdap_boot_find(dns, strlen(dns), TS_RDAP_DOMAIN, "www.example.org", url,
                                       sizeof url, err, sizeof err),
                     0);
    assert_string_equal(url, "https://ex.example/");
    assert_int_equal(ts_rdap_boot_find(dns, strlen(dns), TS_RDAP_DOMAIN, "notexample.org", url,
                                       sizeof url, err, sizeof err),
                     0);
    assert_string_equal(url, "https://org.example/");
    assert_int_equal(ts_rdap_boot_find(dns, strlen(dns), TS_RDAP_DOMAIN, "example.net", url,
                                       sizeof url, err, sizeof err),
                     TS_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_abuse),
        cmocka_unit_test(test_bootstrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
