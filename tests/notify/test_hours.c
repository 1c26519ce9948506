/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "notify/hours.h"

#define MIN (INT64_C(60) * 1000000)
#define HOUR (60 * MIN)

static int64_t at(const char *rfc3339)
{
    int64_t us = 0;
    assert_int_equal(ts_time_parse(rfc3339, strlen(rfc3339), &us), 0);
    return us;
}

static void test_parse_refused(void **state)
{
    static const char *const bad[] = {
        "Mon-Fri",
        "08:00-17:00",
        "Mon-Fri 8:00-17:00",
        "Mon-Fri 17:00-08:00",
        "Mon-Fri 08:00-08:00",
        "Fri-Mon 08:00-17:00",
        "Mon-Fry 08:00-17:00",
        "Mon,,Tue 08:00-17:00",
        "Mon-Fri 08:00-25:00",
        "Mon-Fri 08:60-17:00",
        "Mon-Fri 08:00-17:00 ",
        "Mon-Fri  08:00-17:00",
        "Mon-Fri 08:00-17:00\n",
        "Mon-Fri 24:30-24:45",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_hours_t h;
        char err[128] = "";
        if (ts_hours_parse(bad[i], &h, err, sizeof err) != TS_EINVAL)
            fail_msg("accepted: '%s'", bad[i]);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(ts_tz_check("../etc/passwd"), TS_EINVAL);
    assert_int_equal(ts_tz_check("/etc/passwd"), TS_EINVAL);
    assert_int_equal(ts_tz_check(""), TS_EINVAL);
    assert_int_equal(ts_tz_check("Europe/Nowhere"), TS_ENOENT);
    assert_int_equal(ts_tz_check("Europe/Berlin"), 0);
    assert_int_equal(ts_tz_check("UTC"), 0);
}

static void test_parse(void **state)
{
    ts_hours_t h;
    assert_int_equal(ts_hours_parse("", &h, NULL, 0), 0);
    assert_true(h.any);
    assert_int_equal(ts_hours_parse("mon-FRI 08:00-17:30", &h, NULL, 0), 0);
    assert_int_equal(h.days, 0x1f);
    assert_int_equal(h.start_min, 480);
    assert_int_equal(h.end_min, 1050);
    assert_int_equal(ts_hours_parse("Mon,Wed,Sat-Sun 00:00-24:00", &h, NULL, 0), 0);
    assert_int_equal(h.days, 1 | 4 | 32 | 64);
}

/* Offsets from the zoneinfo, across the summer-time change. */
static void test_offsets(void **state)
{
    assert_int_equal(ts_tz_offset("UTC", at("2026-07-01T00:00:00Z")), 0);
    assert_int_equal(ts_tz_offset("Europe/Berlin", at("2026-01-15T12:00:00Z")), 3600);
    assert_int_equal(ts_tz_offset("Europe/Berlin", at("2026-07-15T12:00:00Z")), 7200);
    /* 2026-03-29 01:00 UTC is the change. */
    assert_int_equal(ts_tz_offset("Europe/Berlin", at("2026-03-29T00:59:59Z")), 3600);
    assert_int_equal(ts_tz_offset("Europe/Berlin", at("2026-03-29T01:00:00Z")), 7200);
    assert_int_equal(ts_tz_offset("America/New_York", at("2026-01-15T12:00:00Z")), -5 * 3600);
}

/* Quiet hours: the next opening in the contact's own zone. */
static void test_next_open(void **state)
{
    ts_hours_t h;
    assert_int_equal(ts_hours_parse("Mon-Fri 08:00-17:00", &h, NULL, 0), 0);
    /* Wednesday 2026-12-09 10:00 Berlin (09:00 UTC): open. */
    int64_t now = at("2026-12-09T09:00:00Z");
    assert_true(ts_hours_next_open(&h, "Europe/Berlin", now) == now);
    /* 16:30 UTC = 17:30 Berlin: closed until Thursday 08:00 Berlin. */
    now = at("2026-12-09T16:30:00Z");
    assert_true(ts_hours_next_open(&h, "Europe/Berlin", now) == at("2026-12-10T07:00:00Z"));
    /* In UTC it is still open. */
    assert_true(ts_hours_next_open(&h, "UTC", now) == now);
    /* Friday evening: Monday morning. */
    now = at("2026-12-11T18:00:00Z");
    assert_true(ts_hours_next_open(&h, "Europe/Berlin", now) == at("2026-12-14T07:00:00Z"));
    /* Any time: always now. */
    assert_int_equal(ts_hours_parse("", &h, NULL, 0), 0);
    assert_true(ts_hours_next_open(&h, "Europe/Berlin", now) == now);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_next_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
