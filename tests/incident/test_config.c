/* SPDX-License-Identifier: Apache-2.0 */
/* The incident configuration file: bad files first (each error names its
 * line and key), then the defaults, per-type values, durations, and the
 * canonical form reading back to the same settings and bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "incident/config.h"

static int parse(const char *text, ts_incconf_t *c, char *err, size_t size)
{
    return ts_incconf_parse(text, strlen(text), c, err, size);
}

static void test_bad(void **state)
{
    static const struct {
        const char *text;
        int rc;
        const char *err;
    } cases[] = {
        {"window 24h\n", TS_ESYNTAX, "line 1: expected KEY = VALUE"},
        {"= 24h\n", TS_ESYNTAX, "line 1: expected KEY = VALUE"},
        {"window =\n", TS_ESYNTAX, "line 1: expected KEY = VALUE"},
        {"window = 24 h\n", TS_ESYNTAX, "line 1: blank or non-ASCII byte inside key or value"},
        {"\n# c\nwindow = 24x\n", TS_EINVAL,
         "line 3: window: not a duration from 1m to 365d (e.g. 6h, 7d)"},
        {"window = 30s\n", TS_EINVAL,
         "line 1: window: not a duration from 1m to 365d (e.g. 6h, 7d)"},
        {"window.nosuch = 1h\n", TS_ENOENT, "line 1: window.nosuch: unknown key"},
        {"window.Scanner = 1h\n", TS_ENOENT, "line 1: window.Scanner: unknown key"},
        {"window.scanner = 1h\nwindow.scanner = 2h\n", TS_EEXIST,
         "line 2: window.scanner given twice"},
        {"retention.events = 12h\n", TS_EINVAL,
         "line 1: retention.events: not a duration of at least 1d (e.g. 180d, 2y)"},
        {"retention.events = 3y\n", TS_EINVAL,
         "line 1: retention.events: longer than retention.incidents"},
        {"retention.incidents = 100d\n", TS_EINVAL,
         "line 1: retention.events: longer than retention.incidents"},
        {"retention.incidents = 1y\n\nretention.events.scanner = 400d\n", TS_EINVAL,
         "line 3: retention.events.scanner: longer than retention.incidents"},
        {"weight.source = -1\n", TS_EINVAL, "line 1: weight.source: not a number from 0 to 1000"},
        {"weight.source = 1e3\n", TS_EINVAL, "line 1: weight.source: not a number from 0 to 1000"},
        {"weight.source = 1001\n", TS_EINVAL, "line 1: weight.source: not a number from 0 to 1000"},
        {"weight.luck = 1\n", TS_ENOENT, "line 1: weight.luck: unknown key"},
        {"severity.scanner = 1.5\n", TS_EINVAL,
         "line 1: severity.scanner: not a number from 0 to 1"},
        {"tlp.white = 1\n", TS_ENOENT, "line 1: tlp.white: unknown key"},
        {"tlp.red = .5\n", TS_EINVAL, "line 1: tlp.red: not a number from 0 to 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ts_incconf_t c;
        char err[160] = "";
        int rc = parse(cases[i].text, &c, err, sizeof err);
        if (rc != cases[i].rc || strcmp(err, cases[i].err) != 0)
            fail_msg("case %zu: %d '%s'", i, rc, err);
    }
    char big[TS_INCCONF_LINE_MAX + 10];
    memset(big, '#', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ts_incconf_t c;
    char err[160];
    assert_int_equal(parse(big, &c, err, sizeof err), TS_ETOOBIG);
    assert_int_equal(ts_incconf_parse("x", TS_INCCONF_MAX + 1, &c, err, sizeof err), TS_ETOOBIG);
    assert_int_equal(ts_incconf_parse("window = 1h\0", 12, &c, err, sizeof err), TS_ESYNTAX);
}

static void test_values(void **state)
{
    ts_incconf_t c;
    char err[160];
    assert_int_equal(parse("", &c, err, sizeof err), 0);
    ts_incconf_t d;
    ts_incconf_defaults(&d);
    assert_memory_equal(&c, &d, sizeof c);
    /* Defaults: 24 h windows, 180 d events, 2 y incidents, weights to 100. */
    ts_type_t scanner, test;
    assert_int_equal(ts_type_lookup("scanner", 7, &scanner), 0);
    assert_int_equal(ts_type_lookup("test", 4, &test), 0);
    assert_int_equal(ts_incconf_window(&c, scanner), TS_DAY_US);
    assert_int_equal(ts_incconf_retention(&c, scanner), 180 * TS_DAY_US);
    assert_int_equal(c.retention_incidents, 2 * 365 * TS_DAY_US);
    double sum = 0;
    for (int f = 0; f < TS_F_COUNT_; f++)
        sum += c.weight[f];
    assert_true(sum == 100.0);

    const char *text = "  # comment\n"
                       "window = 12h   # trailing comment\r\n"
                       "window.scanner = 90m\n"
                       "retention.events.scanner = 2w\n"
                       "retention.incidents = 3y\n"
                       "weight.hosts = 0.5\n"
                       "severity.test = 0.25\n"
                       "tlp.amber+strict = 1\n";
    assert_int_equal(parse(text, &c, err, sizeof err), 0);
    assert_int_equal(ts_incconf_window(&c, scanner), 90 * 60 * 1000000LL);
    assert_int_equal(ts_incconf_window(&c, test), 12 * 3600 * 1000000LL);
    assert_int_equal(ts_incconf_retention(&c, scanner), 14 * TS_DAY_US);
    assert_int_equal(ts_incconf_retention(&c, test), 180 * TS_DAY_US);
    assert_int_equal(c.retention_incidents, 3 * 365 * TS_DAY_US);
    assert_true(c.weight[TS_F_HOSTS] == 0.5);
    assert_true(c.severity[test] == 0.25);
    assert_true(c.tlp[TS_TLP_AMBER_STRICT] == 1.0);

    /* The canonical form reads back to the same, and writes the same bytes. */
    ts_buf_t a = TS_BUF_INIT, b = TS_BUF_INIT;
    ts_incconf_write(&c, &a);
    assert_int_equal(ts_incconf_parse(a.data, a.len, &d, err, sizeof err), 0);
    assert_memory_equal(&c, &d, sizeof c);
    ts_incconf_write(&d, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_non_null(strstr(a.data, "\nwindow.scanner = 90m\n"));
    assert_non_null(strstr(a.data, "\nretention.incidents = 3y\n"));
    assert_non_null(strstr(a.data, "\nweight.hosts = 0.5\n"));
    assert_null(strstr(a.data, "window.test")); /* the default is not repeated */
    ts_buf_free(&a);
    ts_buf_free(&b);
}

static void test_durations(void **state)
{
    int64_t us;
    static const char *const bad[] = {"", "h", "1", "-1h", "1.5h", "1H", "10000000000y", "1hh"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ts_duration_parse(bad[i], strlen(bad[i]), &us), TS_EINVAL);
    static const struct {
        const char *in, *out;
        int64_t us;
    } ok[] = {{"90s", "90s", 90000000LL},       {"120s", "2m", 120000000LL},
              {"36h", "36h", 129600000000LL},   {"14d", "2w", 1209600000000LL},
              {"365d", "1y", 31536000000000LL}, {"0d", "0s", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        assert_int_equal(ts_duration_parse(ok[i].in, strlen(ok[i].in), &us), 0);
        assert_int_equal(us, ok[i].us);
        char buf[32];
        ts_duration_format(us, buf, sizeof buf);
        assert_string_equal(buf, ok[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
