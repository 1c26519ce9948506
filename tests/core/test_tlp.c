/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/tlp.h"

static int parse(const char *s, ts_tlp_t *t)
{
    return ts_tlp_parse(s, strlen(s), t);
}

static void test_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "TLP",
        "TLP:",
        "tlp: ",
        " AMBER",
        "AMBER ",
        "AMBER+",
        "AMBER-STRICT",
        "AMBER STRICT",
        "STRICT",
        "REDS",
        "RE",
        "TLP::RED",
        "TLP-RED",
        "YELLOW",
        "TLP:WHITE+STRICT",
        "CLEAR\n",
        "none",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ts_tlp_t t = TS_TLP_RED;
        if (parse(bad[i], &t) != TS_EINVAL)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(t, TS_TLP_RED); /* untouched on failure */
    }
    ts_tlp_t t;
    assert_int_equal(ts_tlp_parse(NULL, 0, &t), TS_EINVAL);
    /* A NUL inside the slice is not the end of the label. */
    assert_int_equal(ts_tlp_parse("RED\0X", 5, &t), TS_EINVAL);
    assert_null(ts_tlp_name(TS_TLP_NONE));
    assert_null(ts_tlp_name((ts_tlp_t)6));
    assert_null(ts_tlp_name((ts_tlp_t)-1));
}

static void test_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        ts_tlp_t want;
    } cases[] = {
        {"TLP:CLEAR", TS_TLP_CLEAR},
        {"clear", TS_TLP_CLEAR},
        {"WHITE", TS_TLP_CLEAR},
        {"TLP:WHITE", TS_TLP_CLEAR},
        {"tlp:white", TS_TLP_CLEAR},
        {"GREEN", TS_TLP_GREEN},
        {"TLP:GREEN", TS_TLP_GREEN},
        {"Amber", TS_TLP_AMBER},
        {"TLP: AMBER", TS_TLP_AMBER},
        {"TLP AMBER", TS_TLP_AMBER},
        {"AMBER+STRICT", TS_TLP_AMBER_STRICT},
        {"tlp:amber+strict", TS_TLP_AMBER_STRICT},
        {"RED", TS_TLP_RED},
        {"TLP:RED", TS_TLP_RED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ts_tlp_t t = TS_TLP_NONE;
        if (parse(cases[i].in, &t) != 0 || t != cases[i].want)
            fail_msg("'%s' gave %d, want %d", cases[i].in, (int)t, (int)cases[i].want);
    }
}

static void test_names_round_trip(void **state)
{
    (void)state;
    static const char *const want[] = {NULL, "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    for (int i = TS_TLP_CLEAR; i <= TS_TLP_RED; i++) {
        const char *n = ts_tlp_name((ts_tlp_t)i);
        assert_string_equal(n, want[i]);
        ts_tlp_t t;
        assert_int_equal(parse(n, &t), 0);
        assert_int_equal(t, i);
    }
    /* Ordered from the widest sharing to the narrowest. */
    assert_true(TS_TLP_CLEAR < TS_TLP_GREEN && TS_TLP_GREEN < TS_TLP_AMBER &&
                TS_TLP_AMBER < TS_TLP_AMBER_STRICT && TS_TLP_AMBER_STRICT < TS_TLP_RED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
