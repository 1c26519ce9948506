/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "testutil.h"

static int parse(const char *s, ts_json_t **v, char *err)
{
    return ts_json_parse(s, strlen(s), 1 << 20, 4, TS_JSON_NO_DUPKEYS, v, err, TS_JSON_ERRMAX);
}

static void expect_fail(const char *s, int code, const char *needle)
{
    ts_json_t *v = (ts_json_t *)1;
    char err[TS_JSON_ERRMAX] = "";
    int rc = parse(s, &v, err);
    if (rc != code || v != NULL || strstr(err, needle) == NULL)
        print_error("input %s: rc %d (want %d), err \"%s\" (want \"%s\")\n", s, rc, code, err,
                    needle);
    assert_int_equal(rc, code);
    assert_null(v);
    assert_non_null(strstr(err, needle));
}

static void test_parse_invalid(void **state)
{
    expect_fail("", TS_ETRUNC, "line 1, column 1: unexpected end");
    expect_fail("   ", TS_ETRUNC, "unexpected end");
    expect_fail("{\"a\": [1, 2", TS_ETRUNC, "unexpected end");
    expect_fail("{\"a\": 1} x", TS_ESYNTAX, "line 1, column 10");
    expect_fail("{\"a\": 1}{}", TS_ESYNTAX, "line 1");
    expect_fail("{\n  \"a\": 1,\n  \"b\": ]\n}", TS_ESYNTAX, "line 3, column");
    expect_fail("[1,]", TS_ESYNTAX, "line 1");
    expect_fail("{'a': 1}", TS_ESYNTAX, "single-quoted");
    expect_fail("[NaN]", TS_ESYNTAX, "unexpected literal \"NaN\"");
    expect_fail("[Infinity]", TS_ESYNTAX, "Infinity");
    expect_fail("[\"\xff\"]", TS_EUTF8, "invalid UTF-8");
    expect_fail("[[[[[1]]]]]", TS_ETOOBIG, "nesting deeper than 4");
    expect_fail("{\"a\": 1, \"b\": 2, \"a\": 3}", TS_ESYNTAX, "duplicate key \"a\"");
    expect_fail("{\"x\": {\"k\": 1,\n \"k\": 2}}", TS_ESYNTAX, "line 2, column 2: duplicate");
    expect_fail("01", TS_ESYNTAX, "line 1");
    /* A NUL byte inside the buffer. */
    ts_json_t *v;
    char err[TS_JSON_ERRMAX];
    assert_int_equal(ts_json_parse("[1,\0 2]", 7, 100, 4, 0, &v, err, sizeof err), TS_ESYNTAX);
    assert_non_null(strstr(err, "NUL"));
    /* The size bound. */
    assert_int_equal(ts_json_parse("[1, 2]", 6, 5, 4, 0, &v, err, sizeof err), TS_ETOOBIG);
    assert_null(v);
}

static void test_parse_valid(void **state)
{
    ts_json_t *v;
    char err[TS_JSON_ERRMAX];
    assert_int_equal(parse(" {\"a\": [1, 2.5, \"x\", true, null, {}]} \n", &v, err), 0);
    assert_string_equal(ts_json_type_name(v), "object");
    ts_json_free(v);
    assert_int_equal(parse("12", &v, err), 0);
    assert_string_equal(ts_json_type_name(v), "number");
    ts_json_free(v);
    assert_int_equal(parse("null", &v, err), 0);
    assert_null(v);
    assert_int_equal(parse("[[[1]]]", &v, err), 0); /* depth 3 of 4 */
    ts_json_free(v);
    /* Same key in different objects is fine; without the flag duplicates pass. */
    assert_int_equal(parse("[{\"a\": 1}, {\"a\": 2}]", &v, err), 0);
    ts_json_free(v);
    assert_int_equal(ts_json_parse("{\"a\":1,\"a\":2}", 13, 100, 4, 0, &v, err, sizeof err), 0);
    ts_json_free(v);
    /* Escaped quotes inside keys and strings do not confuse the second pass. */
    assert_int_equal(parse("{\"a\\\"b\": \"x\\\\\", \"a\": \"'\"}", &v, err), 0);
    ts_json_free(v);
}

static void test_getters(void **state)
{
    ts_json_t *v;
    char err[TS_JSON_ERRMAX];
    const char *doc =
        "{\"s\": \"hi\", \"i\": 64500, \"big\": 99999999999999999999, \"neg\": -5,"
        " \"d\": 1.5, \"arr\": [1, 2], \"n\": null, \"b\": true, \"z\": \"a\\u0000b\","
        " \"sur\": \"\\ud800\"}";
    assert_int_equal(parse(doc, &v, err), 0);

    ts_str_t s = TS_STR_NULL;
    int64_t i = 7;
    ts_json_t *arr;
    size_t n;
    /* Wrong types first. */
    assert_int_equal(ts_json_get_str(v, "i", true, &s, err, sizeof err), TS_ETYPE);
    assert_string_equal(err, "i: expected string, got number");
    assert_int_equal(ts_json_get_str(v, "n", false, &s, err, sizeof err), TS_ETYPE);
    assert_string_equal(err, "n: expected string, got null");
    assert_int_equal(ts_json_get_int(v, "s", true, 0, 10, &i, err, sizeof err), TS_ETYPE);
    assert_int_equal(ts_json_get_int(v, "d", true, 0, 10, &i, err, sizeof err), TS_ETYPE);
    assert_string_equal(err, "d: expected integer, got number");
    assert_int_equal(ts_json_get_int(v, "big", true, 0, INT64_MAX, &i, err, sizeof err), TS_ERANGE);
    assert_int_equal(ts_json_get_int(v, "neg", true, 0, 10, &i, err, sizeof err), TS_ERANGE);
    assert_string_equal(err, "neg: -5 is out of range 0-10");
    assert_int_equal(ts_json_get_array(v, "s", true, &arr, &n, err, sizeof err), TS_ETYPE);
    assert_int_equal(ts_json_get_str(v, "missing", true, &s, err, sizeof err), TS_EMISSING);
    assert_string_equal(err, "field \"missing\" is missing");
    assert_int_equal(ts_json_get_str(v, "z", true, &s, err, sizeof err), TS_EINVAL);
    /* json-c turns a lone surrogate escape into U+FFFD: still valid UTF-8. */
    assert_int_equal(ts_json_get_str(v, "sur", true, &s, err, sizeof err), 0);
    assert_true(ts_str_eq_c(s, "\xef\xbf\xbd"));
    assert_int_equal(i, 7); /* untouched on error */
    s = TS_STR_NULL;

    /* Then the good cases. */
    assert_int_equal(ts_json_get_str(v, "s", true, &s, err, sizeof err), 0);
    assert_true(ts_str_eq_c(s, "hi"));
    assert_int_equal(ts_json_get_int(v, "i", true, 1, 4294967295LL, &i, err, sizeof err), 0);
    assert_int_equal(i, 64500);
    s = TS_STR_LIT("default");
    assert_int_equal(ts_json_get_str(v, "missing", false, &s, err, sizeof err), 0);
    assert_true(ts_str_eq_c(s, "default"));
    assert_int_equal(ts_json_get_array(v, "arr", true, &arr, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ts_json_as_int(ts_json_index(arr, 1), "arr[1]", 0, 5, &i, err, sizeof err), 0);
    assert_int_equal(i, 2);
    assert_int_equal(ts_json_get_array(v, "nope", false, &arr, &n, err, sizeof err), 0);
    assert_null(arr);
    assert_int_equal(n, 0);
    bool b = false;
    ts_json_t *m;
    assert_true(ts_json_member(v, "b", &m));
    assert_int_equal(ts_json_as_bool(m, "b", &b, err, sizeof err), 0);
    assert_true(b);
    assert_true(ts_json_member(v, "n", &m));
    assert_null(m);
    assert_false(ts_json_member(v, "x", &m));

    static const char *const allowed[] = {"s", "i", "big", "neg", "d", "arr", "n", "b", "z"};
    assert_int_equal(ts_json_check_keys(v, allowed, 9, err, sizeof err), TS_EINVAL);
    assert_string_equal(err, "unknown field \"sur\"");
    static const char *const all[] = {"s", "i", "big", "neg", "d", "arr", "n", "b", "z", "sur"};
    assert_int_equal(ts_json_check_keys(v, all, 10, err, sizeof err), 0);
    ts_json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_getters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
