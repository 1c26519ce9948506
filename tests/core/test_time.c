/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"

static int parse(const char *s, int64_t *us)
{
    return ts_time_parse(s, strlen(s), us);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2022",
        "2022-03",
        "2022-3-21",
        "22-03-21",
        "2022-03-21T",
        "2022-03-21T17",
        "2022-03-21T17:20",               /* seconds required */
        "2022-03-21T17:20:01.",           /* empty fraction */
        "2022-03-21T17:20:01.1234567890", /* 10 digits */
        "2022-03-21T17:20:01+",
        "2022-03-21T17:20:01+01",
        "2022-03-21T17:20:01+1:00",
        "2022-03-21T17:20:01+24:00",
        "2022-03-21T17:20:01+01:60",
        "2022-03-21T17:20:01Zjunk",
        "2022-03-21T17:20:01 ",
        " 2022-03-21T17:20:01",
        "2022-03-21X17:20:01",
        "2022-02-30",
        "2021-02-29",
        "1900-02-29",
        "2022-04-31",
        "2022-13-01",
        "2022-00-10",
        "2022-01-00",
        "2022-03-21T24:00:00",
        "2022-03-21T23:60:00",
        "2022-03-21T23:59:60",
        "2022-03-21T17:20:01.28282a",
        "2022-03-21T17:20:01,5",
        "2022/03/21",
        "+2022-03-21",
        "2022-03-21T17:20:01.2828290000+0000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = 42;
        if (parse(bad[i], &us) != TS_EINVAL)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(us, 42);
    }
    int64_t us;
    assert_int_equal(ts_time_parse(NULL, 0, &us), TS_EINVAL);
    /* Length is honoured: no NUL needed, nothing read past n. */
    assert_int_equal(ts_time_parse("2022-03-21T17:20:01Z", 12, &us), TS_EINVAL);
}

static void test_valid(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(parse("1970-01-01", &us), 0);
    assert_int_equal(us, 0);
    assert_int_equal(parse("1970-01-01T00:00:01Z", &us), 0);
    assert_int_equal(us, 1000000);
    assert_int_equal(parse("2022-03-21T17:20:01.282829+0000", &us), 0);
    assert_int_equal(us, INT64_C(1647883201282829));
    assert_int_equal(parse("2022-03-21T18:20:01.282829+01:00", &us), 0);
    assert_int_equal(us, INT64_C(1647883201282829));
    assert_int_equal(parse("2022-03-21 12:20:01.282829-0500", &us), 0);
    assert_int_equal(us, INT64_C(1647883201282829));
    assert_int_equal(parse("2022-03-21t17:20:01.282829z", &us), 0);
    assert_int_equal(us, INT64_C(1647883201282829));
    assert_int_equal(parse("2022-03-21T17:20:01.282829", &us), 0); /* no zone = UTC */
    assert_int_equal(us, INT64_C(1647883201282829));
    /* Fractions of 1..9 digits, truncated to microseconds. */
    assert_int_equal(parse("2022-03-21T17:20:01.2Z", &us), 0);
    assert_int_equal(us, INT64_C(1647883201200000));
    assert_int_equal(parse("2022-03-21T17:20:01.282829999Z", &us), 0);
    assert_int_equal(us, INT64_C(1647883201282829));
    /* Leap days, the year 2000, pre-epoch. */
    assert_int_equal(parse("2000-02-29", &us), 0);
    assert_int_equal(us, INT64_C(951782400) * 1000000);
    assert_int_equal(parse("2024-02-29T23:59:59Z", &us), 0);
    assert_int_equal(parse("1969-12-31T23:59:59.5Z", &us), 0);
    assert_int_equal(us, -500000);
    assert_int_equal(parse("2018-07-05T15:01:09.820360-0400", &us), 0);
    assert_int_equal(us, INT64_C(1530817269820360));
}

static void test_format_roundtrip(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(ts_time_format(0, buf, sizeof buf), 32);
    assert_string_equal(buf, "1970-01-01T00:00:00.000000+00:00");
    ts_time_format(INT64_C(1647883201282829), buf, sizeof buf);
    assert_string_equal(buf, "2022-03-21T17:20:01.282829+00:00");
    ts_time_format(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999+00:00");
    /* Compare against gmtime_r (UTC, no TZ involved) over random instants. */
    srand(1234);
    for (int i = 0; i < 20000; i++) {
        int64_t secs = ((int64_t)rand() << 16 ^ rand()) % INT64_C(253402300799); /* < 10000 */
        if (i % 3 == 0)
            secs = -secs % INT64_C(62135596800); /* back to year 1 */
        int64_t us = secs * 1000000 + rand() % 1000000;
        size_t n = ts_time_format(us, buf, sizeof buf);
        assert_int_equal(n, strlen(buf));
        time_t t = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char want[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        assert_memory_equal(buf, want, 19);
        int64_t back;
        assert_int_equal(ts_time_parse(buf, n, &back), 0);
        assert_int_equal(back, us);
    }
}

/* Relative times ("24h") and absolute ones, as the CLI and the API take them. */
static void test_when(void **state)
{
    (void)state;
    const int64_t now = 1790000000000000LL;
    int64_t us = 7;
    static const char *const bad[] = {"",         "h",         "24",  "24x",         "-1h",
                                      "1.5h",     "2h ",       " 2h", "9999999999w", "12345678w",
                                      "nonsense", "2026-13-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(ts_time_parse_when(bad[i], strlen(bad[i]), now, &us), TS_EINVAL);
        assert_int_equal(us, 7);
    }
    assert_int_equal(ts_time_parse_when("30s", 3, now, &us), 0);
    assert_true(us == now - 30 * 1000000LL);
    assert_int_equal(ts_time_parse_when("24h", 3, now, &us), 0);
    assert_true(us == now - 24 * 3600 * 1000000LL);
    assert_int_equal(ts_time_parse_when("7d", 2, now, &us), 0);
    assert_true(us == now - 7 * 86400 * 1000000LL);
    assert_int_equal(ts_time_parse_when("2w", 2, now, &us), 0);
    assert_true(us == now - 2 * 604800 * 1000000LL);
    assert_int_equal(ts_time_parse_when("0m", 2, now, &us), 0);
    assert_true(us == now);
    /* The largest accepted: 10^12 seconds. */
    assert_int_equal(ts_time_parse_when("1653439w", 8, now, &us), 0);
    assert_int_equal(ts_time_parse_when("1653440w", 8, now, &us), TS_EINVAL);
    int64_t abs;
    assert_int_equal(ts_time_parse("2026-11-27T06:30:00Z", 20, &abs), 0);
    assert_int_equal(ts_time_parse_when("2026-11-27T06:30:00Z", 20, now, &us), 0);
    assert_true(us == abs);
}

static void test_now_and_init(void **state)
{
    (void)state;
    int64_t a = ts_time_now();
    assert_true(a > INT64_C(1600000000) * 1000000);
    ts_event_t e;
    memset(&e, 0xAB, sizeof e);
    ts_event_init(&e);
    assert_int_equal(e.time_source, TS_TIME_NONE);
    assert_int_equal(e.time_observation, TS_TIME_NONE);
    assert_int_equal(e.type, TS_TYPE_UNDETERMINED);
    assert_int_equal(e.src.port, -1);
    assert_int_equal(e.dst.asn, -1);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_null(e.dst.fqdn.ptr);
    assert_null(e.identifier.ptr);
    assert_int_equal(e.count, 1);
    assert_int_equal(e.n_extra, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),          cmocka_unit_test(test_valid),
        cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_when),
        cmocka_unit_test(test_now_and_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
