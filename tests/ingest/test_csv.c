/* SPDX-License-Identifier: Apache-2.0 */
/* The CSV reader: broken records first, then the forms feeds write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "ingest/csv.h"

static size_t split(const char *s, char d, ts_str_t *f, size_t max, int *rc)
{
    static ts_arena_t *a;
    if (a == NULL)
        a = ts_arena_new(4096);
    size_t n = strlen(s), nf = 0;
    char *copy = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
    memcpy(copy, s, n);
    *rc = ts_csv_split(copy, n, d, a, f, max, &nf);
    /* Copy the fields out before the record goes. */
    for (size_t i = 0; i < nf; i++)
        f[i] = ts_arena_strdup(a, f[i]);
    free(copy);
    return nf;
}

static void expect(const char *rec, char d, const char *const *want, size_t n_want)
{
    ts_str_t f[16];
    int rc;
    size_t n = split(rec, d, f, 16, &rc);
    assert_int_equal(rc, 0);
    if (n != n_want)
        fail_msg("%s: %zu fields, want %zu", rec, n, n_want);
    for (size_t i = 0; i < n; i++)
        if (!ts_str_eq_c(f[i], want[i]))
            fail_msg("%s: field %zu is '%.*s', want '%s'", rec, i, (int)f[i].len, f[i].ptr,
                     want[i]);
}

static void test_broken(void **state)
{
    (void)state;
    ts_str_t f[4];
    int rc;
    split("\"open", ',', f, 4, &rc);
    assert_int_equal(rc, TS_ETRUNC);
    split("a,\"b\"\"", ',', f, 4, &rc);
    assert_int_equal(rc, TS_ETRUNC);
    size_t n = split("a,b,c,d,e", ',', f, 4, &rc);
    assert_int_equal(rc, TS_ETOOBIG);
    assert_int_equal(n, 4);
    split("a,b,c,", ',', f, 3, &rc);
    assert_int_equal(rc, TS_ETOOBIG);
}

static void test_fields(void **state)
{
    (void)state;
    expect("", ',', (const char *[]){""}, 1);
    expect("a", ',', (const char *[]){"a"}, 1);
    expect("a,,c", ',', (const char *[]){"a", "", "c"}, 3);
    expect("a,b,", ',', (const char *[]){"a", "b", ""}, 3);
    expect("\"x,y\",2", ',', (const char *[]){"x,y", "2"}, 2);
    expect("\"say \"\"hi\"\"\",z", ',', (const char *[]){"say \"hi\"", "z"}, 2);
    expect("\"\"", ',', (const char *[]){""}, 1);
    expect("\"line\none\",2", ',', (const char *[]){"line\none", "2"}, 2);
    /* Python's lenient reading: text after a closing quote is kept. */
    expect("\"a\"b,c", ',', (const char *[]){"ab", "c"}, 2);
    expect("\"Basic realm=\\\"\"OpenWebif\\\"\"\",x", ',',
           (const char *[]){"Basic realm=\\\"OpenWebif\\\"", "x"}, 2);
    /* A quote inside an unquoted field is text. */
    expect("a\"b,c", ',', (const char *[]){"a\"b", "c"}, 2);
    expect("a;\"b;c\";d", ';', (const char *[]){"a", "b;c", "d"}, 3);
    expect("a,b", ';', (const char *[]){"a,b"}, 1);
}

static void test_open_quote(void **state)
{
    (void)state;
    assert_false(ts_csv_open_quote("a,b", 3, ','));
    assert_true(ts_csv_open_quote("a,\"b", 4, ','));
    assert_false(ts_csv_open_quote("a,\"b\"\"c\"", 9, ','));
    assert_true(ts_csv_open_quote("a,\"b\"\"", 6, ','));
    assert_false(ts_csv_open_quote("a\"b", 3, ',')); /* not at a field's start */
    assert_false(ts_csv_open_quote("\"x\ny\"", 5, ','));
}

static void test_bom(void **state)
{
    (void)state;
    assert_int_equal(ts_csv_bom("\xEF\xBB\xBF"
                                "a",
                                4),
                     3);
    assert_int_equal(ts_csv_bom("\xEF\xBB", 2), 0);
    assert_int_equal(ts_csv_bom("abc", 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_open_quote),
        cmocka_unit_test(test_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
