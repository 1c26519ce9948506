/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scan/settings.h"
#include "testutil.h"

static int parse(const char *text, ts_scan_settings_t **s, char *err, size_t size)
{
    return ts_scan_settings_parse(text, strlen(text), s, err, size);
}

static void test_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        const char *why;
    } bad[] = {
        {"nonsense\n", TS_ESYNTAX, "line 1"},
        {"# ok\nspeed = 3\n", TS_EINVAL, "line 2: unknown setting"},
        {"rate = 0\n", TS_EINVAL, "rate takes"},
        {"rate = -5\n", TS_EINVAL, "rate takes"},
        {"rate = 12x\n", TS_EINVAL, "rate takes"},
        {"host_rate = 99999999999999999999999\n", TS_EINVAL, "host_rate"},
        {"concurrent = 0\n", TS_EINVAL, "concurrent takes"},
        {"opt_out = 192.0.2.1/24\n", TS_EINVAL, "is not an address"},
        {"opt_out = example.org\n", TS_EINVAL, "is not an address"},
        {"url = https://x.test/a b\n", TS_EINVAL, "space"},
        {"url = https://x.test/\x1b[2J\n", TS_EINVAL, "control"},
        {"[site]\n", TS_ESYNTAX, "[site NAME]"},
        {"[site bad/name]\n", TS_EINVAL, "not a site name"},
        {"[site uni]\nrate = 5\n", TS_EINVAL, "only concurrent"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_scan_settings_t *s = (void *)1;
        char err[256] = "";
        assert_int_equal(parse(bad[i].text, &s, err, sizeof err), bad[i].rc);
        assert_null(s);
        if (strstr(err, bad[i].why) == NULL)
            fail_msg("%s: error '%s' lacks '%s'", bad[i].text, err, bad[i].why);
    }
    ts_scan_settings_t *s;
    char err[64];
    assert_int_equal(ts_scan_settings_parse("a\0b", 3, &s, err, sizeof err), TS_ESYNTAX);
    assert_int_equal(ts_scan_settings_load("/nonexistent/tocsin-scan.conf", &s, err, sizeof err),
                     TS_EIO);
}

static ts_ip_t ip(const char *s)
{
    ts_ip_t a;
    assert_int_equal(ts_ip_parse(s, strlen(s), &a), 0);
    return a;
}

static void test_settings(void **state)
{
    (void)state;
    const char *text = "# the CSIRT's scans\n"
                       "url = https://csirt.example.org/scanning\n"
                       "rate = 500\r\n"
                       "host_rate=50\n"
                       "max_addresses = 1024\n"
                       "concurrent = 2\n"
                       "addresses_per_day = 4096\n"
                       "opt_out = 192.0.2.7, 198.51.100.0/28\n"
                       "opt_out = 2001:db8::/64\n"
                       "[site uni]\n"
                       "addresses_per_day = 100\n"
                       "[site dept]\n"
                       "concurrent = 5\n";
    ts_scan_settings_t *s;
    char err[128];
    assert_int_equal(parse(text, &s, err, sizeof err), 0);
    assert_string_equal(ts_scan_settings_url(s), "https://csirt.example.org/scanning");
    assert_int_equal(ts_scan_settings_rate(s), 500);
    assert_int_equal(ts_scan_settings_host_rate(s), 50);
    assert_int_equal(ts_scan_settings_max_addresses(s), 1024);
    ts_scan_limits_t l = ts_scan_settings_limits(s, "uni");
    assert_int_equal(l.concurrent, 2); /* from the top, not set in the section */
    assert_int_equal(l.addresses_per_day, 100);
    l = ts_scan_settings_limits(s, "dept");
    assert_int_equal(l.concurrent, 5);
    assert_int_equal(l.addresses_per_day, 4096);
    l = ts_scan_settings_limits(s, "other");
    assert_int_equal(l.concurrent, 2);
    ts_ip_t a = ip("192.0.2.7"), b = ip("198.51.100.15"), c = ip("198.51.100.16"),
            d = ip("2001:db8::1");
    assert_true(ts_scan_settings_opted_out(s, &a));
    assert_true(ts_scan_settings_opted_out(s, &b));
    assert_false(ts_scan_settings_opted_out(s, &c));
    assert_true(ts_scan_settings_opted_out(s, &d));
    char ua[320];
    ts_scan_user_agent(s, ua, sizeof ua);
    assert_non_null(strstr(ua, "tocsin/"));
    assert_non_null(strstr(ua, "(+https://csirt.example.org/scanning)"));
    ts_scan_settings_free(s);

    s = ts_scan_settings_default();
    ts_scan_user_agent(s, ua, sizeof ua);
    assert_null(strchr(ua, '('));
    assert_int_equal(ts_scan_settings_limits(s, "x").concurrent, 1);
    ts_scan_settings_free(s);
}

static void test_load(void **state)
{
    (void)state;
    char *dir = tt_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/scan.conf", dir);
    const char *t = "rate = 77\n";
    assert_int_equal(tt_write_file(path, t, strlen(t)), 0);
    ts_scan_settings_t *s;
    char err[128];
    assert_int_equal(ts_scan_settings_load(path, &s, err, sizeof err), 0);
    assert_int_equal(ts_scan_settings_rate(s), 77);
    ts_scan_settings_free(s);
    assert_int_equal(ts_scan_settings_load(NULL, &s, err, sizeof err), 0);
    assert_int_equal(ts_scan_settings_rate(s), 2000);
    ts_scan_settings_free(s);
    tt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
