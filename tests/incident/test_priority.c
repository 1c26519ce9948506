/* SPDX-License-Identifier: Apache-2.0 */
/* The priority factors: a table of incidents with each factor's contribution
 * worked out by hand from the documented defaults (weights source 20, hosts
 * 15, repeats 10, duration 5, type 20, critical 15, advisory 10, tlp 5), the
 * score always the sum of the contributions, suppressed incidents unscored,
 * and the explanations a site reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "incident/priority.h"

static ts_type_t type(const char *name)
{
    ts_type_t t;
    assert_int_equal(ts_type_lookup(name, strlen(name), &t), 0);
    return t;
}

static void test_out_of_range(void **state)
{
    /* Values outside their scales clamp to the factor's full weight or to 0,
     * and a last seen before the first seen is no duration. */
    ts_incconf_t c;
    ts_incconf_defaults(&c);
    ts_prio_in_t in = {.role = TS_ROLE_DESTINATION,
                       .type = TS_RSIT_TYPES, /* no such type */
                       .count = 1000000000,
                       .own_hosts = 1000000,
                       .peers = 0,
                       .first_seen = 100 * TS_DAY_US,
                       .last_seen = 1,
                       .tlp = (ts_tlp_t)99};
    ts_prio_t p;
    ts_priority(&c, &in, &p);
    const int32_t want[TS_F_COUNT_] = {0, 150, 100, 0, 0, 0, 0, 0};
    assert_memory_equal(p.points, want, sizeof want);
    assert_int_equal(p.score, 250);
    in.first_seen = 0;
    in.last_seen = 365 * TS_DAY_US;
    ts_priority(&c, &in, &p);
    assert_int_equal(p.points[TS_F_DURATION], 50);
}

static void test_table(void **state)
{
    ts_incconf_t c;
    ts_incconf_defaults(&c);
    const int64_t day = TS_DAY_US;
    static const struct {
        ts_role_t role;
        const char *type;
        uint64_t count, own, peers;
        int64_t span; /* in days * 2 */
        bool critical, advisory, suppressed;
        ts_tlp_t tlp;
        int32_t points[TS_F_COUNT_];
        int32_t score;
    } rows[] = {
        /* One probe from the site's host: own network first, scanner 0.3. */
        {TS_ROLE_SOURCE,
         "scanner",
         1,
         1,
         1,
         0,
         false,
         false,
         false,
         TS_TLP_NONE,
         {200, 0, 0, 0, 60, 0, 0, 0},
         260},
        /* Everything at its full value. */
        {TS_ROLE_DESTINATION,
         "system-compromise",
         10000,
         1,
         1024,
         14,
         true,
         true,
         false,
         TS_TLP_RED,
         {0, 150, 100, 50, 200, 150, 100, 50},
         800},
        /* Halfway: 32 hosts (log2 5 of 10), 100 observations (log10 2 of 4),
         * 3.5 days of 7, ddos 0.7, TLP:AMBER 0.5. */
        {TS_ROLE_DESTINATION,
         "ddos",
         100,
         32,
         4,
         7,
         false,
         false,
         false,
         TS_TLP_AMBER,
         {0, 75, 50, 25, 140, 0, 0, 25},
         315},
        /* Rounding to tenths: 3 peers = 15 * log2(3) / 10 = 2.377 -> 2.4;
         * 2 observations = 10 * log10(2) / 4 = 0.753 -> 0.8. */
        {TS_ROLE_DESTINATION,
         "test",
         2,
         1,
         3,
         0,
         false,
         false,
         false,
         TS_TLP_GREEN,
         {0, 24, 8, 0, 0, 0, 0, 10},
         42},
        /* Suppressed: the same as the full one, and nothing at all. */
        {TS_ROLE_DESTINATION,
         "system-compromise",
         10000,
         1,
         1024,
         14,
         true,
         true,
         true,
         TS_TLP_RED,
         {0, 0, 0, 0, 0, 0, 0, 0},
         0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        ts_prio_in_t in = {.role = rows[i].role,
                           .type = type(rows[i].type),
                           .count = rows[i].count,
                           .own_hosts = rows[i].own,
                           .peers = rows[i].peers,
                           .first_seen = 10 * day,
                           .last_seen = 10 * day + rows[i].span * day / 2,
                           .critical = rows[i].critical,
                           .advisory = rows[i].advisory,
                           .tlp = rows[i].tlp,
                           .suppressed = rows[i].suppressed};
        ts_prio_t p;
        ts_priority(&c, &in, &p);
        int32_t sum = 0;
        for (int f = 0; f < TS_F_COUNT_; f++) {
            if (p.points[f] != rows[i].points[f])
                fail_msg("row %zu factor %s: %d, expected %d", i, ts_factor_name((ts_factor_t)f),
                         p.points[f], rows[i].points[f]);
            sum += p.points[f];
        }
        assert_int_equal(p.score, rows[i].score);
        assert_int_equal(p.score, sum);
    }
}

static void test_weights(void **state)
{
    /* A configuration's weights and severities are what is used: the source
     * factor off, scanners as severe as a compromise. */
    ts_incconf_t c;
    char err[128];
    const char *text = "weight.source = 0\nseverity.scanner = 1\nweight.type = 50\n";
    assert_int_equal(ts_incconf_parse(text, strlen(text), &c, err, sizeof err), 0);
    ts_prio_in_t in = {.role = TS_ROLE_SOURCE, .type = type("scanner"), .count = 1};
    ts_prio_t p;
    ts_priority(&c, &in, &p);
    assert_int_equal(p.points[TS_F_SOURCE], 0);
    assert_int_equal(p.points[TS_F_TYPE], 500);
    assert_int_equal(p.score, 500);
}

static void test_why(void **state)
{
    ts_prio_in_t in = {.role = TS_ROLE_DESTINATION,
                       .type = type("scanner"),
                       .count = 3000,
                       .own_hosts = 249,
                       .peers = 1,
                       .first_seen = 0,
                       .last_seen = 3 * TS_DAY_US + 5,
                       .critical = true,
                       .tlp = TS_TLP_AMBER};
    static const char *const want[TS_F_COUNT_] = {
        "your host is the target",
        "249 of your hosts targeted, by 1 host",
        "3000 observations",
        "seen over 3 days",
        "type scanner",
        "marked critical (198.51.100.0/24)",
        "no matched advisory",
        "TLP:AMBER",
    };
    for (int f = 0; f < TS_F_COUNT_; f++) {
        char buf[160];
        ts_priority_why((ts_factor_t)f, &in, f == TS_F_CRITICAL ? "198.51.100.0/24" : NULL, buf,
                        sizeof buf);
        assert_string_equal(buf, want[f]);
    }
    char buf[160];
    in.role = TS_ROLE_SOURCE;
    in.last_seen = 150 * 60 * 1000000LL;
    in.tlp = TS_TLP_NONE;
    ts_priority_why(TS_F_SOURCE, &in, NULL, buf, sizeof buf);
    assert_string_equal(buf, "your host is the source");
    ts_priority_why(TS_F_DURATION, &in, NULL, buf, sizeof buf);
    assert_string_equal(buf, "seen over 2 hours");
    ts_priority_why(TS_F_TLP, &in, NULL, buf, sizeof buf);
    assert_string_equal(buf, "no TLP label");
    in.advisory = true;
    ts_priority_why(TS_F_ADVISORY, &in, "TSA-2026-0001 (CVE-2021-44228)", buf, sizeof buf);
    assert_string_equal(buf, "advisory for your platforms: TSA-2026-0001 (CVE-2021-44228)");
    /* Factor names, and back. */
    ts_factor_t f;
    assert_int_equal(ts_factor_lookup("advisory", 8, &f), 0);
    assert_int_equal(f, TS_F_ADVISORY);
    assert_int_equal(ts_factor_lookup("Advisory", 8, &f), TS_ENOENT);
    assert_int_equal(ts_factor_lookup("advisor", 7, &f), TS_ENOENT);
    assert_null(ts_factor_name(TS_F_COUNT_));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
