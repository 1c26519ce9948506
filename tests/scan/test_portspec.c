/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scan/portspec.h"

static int parse(const char *spec, ts_portset_t *s)
{
    char err[128];
    return ts_portset_parse(spec, s, err, sizeof err);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {"",       "0",     "65536", "22,,80", "80-22", "22,",
                                      ",22",    "22-",   "-22",   "top10",  "ALL",   "22 80",
                                      "123456", "22;80", "1-2-3", "0x16",   "+22",   "80-65536"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_portset_t s;
        assert_int_equal(parse(bad[i], &s), TS_EINVAL);
        assert_null(s.ports);
    }
    ts_portset_t s;
    assert_int_equal(parse(NULL, &s), TS_EINVAL);
    char big[TS_PORTSPEC_MAX + 2];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(parse(big, &s), TS_ETOOBIG);
}

static void test_lists(void **state)
{
    (void)state;
    ts_portset_t s;
    assert_int_equal(parse("443,22,80-82,22,65535", &s), 0);
    assert_int_equal(s.n, 6);
    uint16_t want[] = {22, 80, 81, 82, 443, 65535};
    assert_memory_equal(s.ports, want, sizeof want);
    assert_true(ts_portset_has(&s, 81));
    assert_false(ts_portset_has(&s, 83));
    ts_portset_free(&s);
    assert_int_equal(parse("all", &s), 0);
    assert_int_equal(s.n, 65535);
    assert_int_equal(s.ports[0], 1);
    assert_int_equal(s.ports[65534], 65535);
    ts_portset_free(&s);
}

static void test_top_lists(void **state)
{
    (void)state;
    ts_portset_t s, t;
    assert_int_equal(parse("top100", &s), 0);
    assert_int_equal(s.n, 100); /* the list has no duplicate */
    for (size_t i = 0; i < 100; i++)
        assert_true(ts_portset_has(&s, ts_ports_top100[i]));
    assert_int_equal(parse("top1000", &t), 0);
    assert_int_equal(t.n, 1000);
    for (size_t i = 0; i < s.n; i++)
        assert_true(ts_portset_has(&t, s.ports[i]));
    for (size_t i = 1; i < t.n; i++)
        assert_true(t.ports[i - 1] < t.ports[i]);
    ts_portset_free(&s);
    ts_portset_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_top_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
