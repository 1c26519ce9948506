/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

/* Decodes exactly n bytes copied to a heap block of that size, so that ASan
 * reports any read past the end. */
static size_t next(const char *s, size_t n, uint32_t *cp)
{
    unsigned char *p = malloc(n);
    assert_non_null(p);
    memcpy(p, s, n);
    size_t len = ts_utf8_next(p, n, cp);
    free(p);
    assert_true(len >= 1 && len <= n);
    return len;
}

/* Expects one ill-formed subpart of len bytes at the start of (s, n). */
static void bad(const char *s, size_t n, size_t len)
{
    uint32_t cp = 0;
    assert_int_equal(next(s, n, &cp), len);
    assert_int_equal(cp, TS_UTF8_BAD);
}

static void good(const char *s, size_t n, uint32_t want)
{
    uint32_t cp = TS_UTF8_BAD;
    assert_int_equal(next(s, n, &cp), n);
    assert_int_equal(cp, want);
}

#define BAD(lit, len) bad(lit, sizeof lit - 1, len)
#define GOOD(lit, want) good(lit, sizeof lit - 1, want)

/* Overlong forms stop at the lead byte (C0 and C1 can never start a
 * sequence; E0 and F0 refuse a second byte that would make one). */
static void test_overlong(void **state)
{
    BAD("\xC0\x80", 1);
    BAD("\xC0\xAF", 1);
    BAD("\xC1\xBF", 1);
    BAD("\xE0\x80\x80", 1);
    BAD("\xE0\x9F\xBF", 1);
    BAD("\xF0\x80\x80\x80", 1);
    BAD("\xF0\x8F\xBF\xBF", 1);
}

static void test_surrogates(void **state)
{
    BAD("\xED\xA0\x80", 1); /* U+D800 */
    BAD("\xED\xAD\xBF", 1); /* U+DB7F */
    BAD("\xED\xB0\x80", 1); /* U+DC00 */
    BAD("\xED\xBF\xBF", 1); /* U+DFFF */
    /* CESU-8 pair for U+10000: two subparts of one byte each, then more. */
    BAD("\xED\xA0\x80\xED\xB0\x80", 1);
}

static void test_above_max(void **state)
{
    BAD("\xF4\x90\x80\x80", 1); /* U+110000 */
    BAD("\xF4\xBF\xBF\xBF", 1);
    BAD("\xF5\x80\x80\x80", 1);
    BAD("\xF7\xBF\xBF\xBF", 1);
}

static void test_never_lead(void **state)
{
    for (unsigned b = 0xF5; b <= 0xFF; b++) {
        char s[4] = {(char)b, '\x80', '\x80', '\x80'};
        bad(s, 4, 1);
        bad(s, 1, 1);
    }
    BAD("\xC0", 1);
    BAD("\xC1", 1);
}

/* A lead byte with too few continuation bytes is one subpart, whether the
 * input ends or a wrong byte follows; the wrong byte is left for next time. */
static void test_truncated(void **state)
{
    BAD("\xC3", 1);
    BAD("\xE2\x82", 2);
    BAD("\xE2", 1);
    BAD("\xF0\x9F\x98", 3);
    BAD("\xF0\x9F", 2);
    BAD("\xF4\x8F\xBF", 3);
    BAD("\xC3\x41", 1);
    BAD("\xE2\x82\x41", 2);
    BAD("\xF0\x9F\x98\x41", 3);
    BAD("\xE2\x82\xC3\xA9", 2);
    BAD("\xF0\x9F\x98\xF0", 3);
    /* n bounds the sequence even when more bytes follow in memory. */
    uint32_t cp;
    assert_int_equal(ts_utf8_next((const unsigned char *)"\xE2\x82\xAC", 2, &cp), 2);
    assert_int_equal(cp, TS_UTF8_BAD);
}

static void test_stray_continuation(void **state)
{
    for (unsigned b = 0x80; b <= 0xBF; b++) {
        char s[2] = {(char)b, '\x80'};
        bad(s, 2, 1);
        bad(s, 1, 1);
    }
}

/* Unicode 15 table 3-8: the replacement count for a mixed string. */
static void test_unicode_example(void **state)
{
    static const char s[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    static const uint32_t want[] = {0x61,        TS_UTF8_BAD, TS_UTF8_BAD, TS_UTF8_BAD, 0x62,
                                    TS_UTF8_BAD, 0x63,        TS_UTF8_BAD, TS_UTF8_BAD, 0x64};
    size_t n = sizeof s - 1, i = 0, k = 0;
    while (i < n) {
        uint32_t cp;
        i += next(s + i, n - i, &cp);
        assert_true(k < sizeof want / sizeof want[0]);
        assert_int_equal(cp, want[k]);
        k++;
    }
    assert_int_equal(k, sizeof want / sizeof want[0]);
}

static void test_valid_boundaries(void **state)
{
    good("\0", 1, 0);
    GOOD("\x7F", 0x7F);
    GOOD("\xC2\x80", 0x80);
    GOOD("\xDF\xBF", 0x7FF);
    GOOD("\xE0\xA0\x80", 0x800);
    GOOD("\xED\x9F\xBF", 0xD7FF);
    GOOD("\xEE\x80\x80", 0xE000);
    GOOD("\xEF\xBF\xBD", 0xFFFD);
    GOOD("\xEF\xBF\xBF", 0xFFFF);
    GOOD("\xF0\x90\x80\x80", 0x10000);
    GOOD("\xF4\x8F\xBF\xBF", 0x10FFFF);
    GOOD(TS_UTF8_REPLACEMENT, 0xFFFD);
}

/* Written independently of the decoder: any value into 1-4 bytes. */
static size_t encode(uint32_t v, unsigned char *o)
{
    if (v < 0x80) {
        o[0] = (unsigned char)v;
        return 1;
    }
    if (v < 0x800) {
        o[0] = (unsigned char)(0xC0 | (v >> 6));
        o[1] = (unsigned char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (v >> 12));
        o[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (v & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (v >> 18));
    o[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (v & 0x3F));
    return 4;
}

/* Every scalar value decodes to itself; every surrogate and every value up to
 * the largest 4-byte form above U+10FFFF is refused, and each proper prefix of
 * a valid sequence is one truncated subpart. */
static void test_exhaustive(void **state)
{
    unsigned char b[4];
    for (uint32_t v = 0; v < 0x140000; v++) {
        size_t n = encode(v, b);
        uint32_t cp;
        size_t len = ts_utf8_next(b, n, &cp);
        bool scalar = v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
        if (scalar) {
            assert_int_equal(len, n);
            assert_int_equal(cp, v);
            for (size_t k = 1; k < n; k++) {
                assert_int_equal(ts_utf8_next(b, k, &cp), k);
                assert_int_equal(cp, TS_UTF8_BAD);
            }
        } else {
            assert_int_equal(len, 1);
            assert_int_equal(cp, TS_UTF8_BAD);
        }
    }
}

/* Every two-byte input, against the definition: valid iff C2-DF then 80-BF. */
static void test_all_pairs(void **state)
{
    for (unsigned a = 0x80; a <= 0xFF; a++)
        for (unsigned c = 0; c <= 0xFF; c++) {
            unsigned char b[2] = {(unsigned char)a, (unsigned char)c};
            uint32_t cp;
            size_t len = ts_utf8_next(b, 2, &cp);
            bool lead2 = a >= 0xC2 && a <= 0xDF, cont = c >= 0x80 && c <= 0xBF;
            if (lead2 && cont) {
                assert_int_equal(len, 2);
                assert_int_equal(cp, ((a & 0x1Fu) << 6) | (c & 0x3Fu));
            } else {
                assert_int_equal(cp, TS_UTF8_BAD);
                /* A lead of a longer form with a fitting 2nd byte consumes
                 * both (then hits the end); anything else, the lead only. */
                bool second_ok =
                    (a >= 0xE1 && a <= 0xEC && cont) || (a == 0xE0 && c >= 0xA0 && c <= 0xBF) ||
                    (a == 0xED && c >= 0x80 && c <= 0x9F) || (a >= 0xEE && a <= 0xEF && cont) ||
                    (a == 0xF0 && c >= 0x90 && c <= 0xBF) || (a >= 0xF1 && a <= 0xF3 && cont) ||
                    (a == 0xF4 && c >= 0x80 && c <= 0x8F);
                assert_int_equal(len, second_ok ? 2 : 1);
            }
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlong),        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_above_max),       cmocka_unit_test(test_never_lead),
        cmocka_unit_test(test_truncated),       cmocka_unit_test(test_stray_continuation),
        cmocka_unit_test(test_unicode_example), cmocka_unit_test(test_valid_boundaries),
        cmocka_unit_test(test_exhaustive),      cmocka_unit_test(test_all_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
