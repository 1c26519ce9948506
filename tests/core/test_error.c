/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

/* No buffer, or one of size 0: nothing is written. */
static void test_seterr_no_buffer(void **state)
{
    ts_seterr(NULL, 0, "x");
    ts_seterr(NULL, 64, "%s", "x");
    char b[4] = {'a', 'b', 'c', 'd'};
    ts_seterr(b, 0, "%s", "zz");
    assert_memory_equal(b, "abcd", 4);
}

static void test_seterr_truncates(void **state)
{
    char b[8];
    memset(b, 'x', sizeof b);
    ts_seterr(b, 5, "site %s", "uni-a");
    assert_string_equal(b, "site");
    assert_int_equal(b[5], 'x'); /* nothing past errsize */
    ts_seterr(b, 1, "abc");
    assert_string_equal(b, "");
}

static void test_seterr_formats(void **state)
{
    char b[64];
    ts_seterr(b, sizeof b, "site %s: %s[%zu]: %d", "uni-a", "networks", (size_t)2, -3);
    assert_string_equal(b, "site uni-a: networks[2]: -3");
}

static void test_strerror_unknown(void **state)
{
    assert_string_equal(ts_strerror(-9999), "unknown error");
    assert_string_equal(ts_errname(1), "unknown");
    assert_string_equal(ts_errname(TS_EUTF8), "utf8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seterr_no_buffer),
        cmocka_unit_test(test_seterr_truncates),
        cmocka_unit_test(test_seterr_formats),
        cmocka_unit_test(test_strerror_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
