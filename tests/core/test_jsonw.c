/* SPDX-License-Identifier: Apache-2.0 */
/* JSON writer tests. The randomized test uses json-c (strict mode, UTF-8
 * validation) and glibc's iconv as independent oracles; its seed is printed
 * and can be fixed with TS_TEST_SEED=<n> to replay a failure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <iconv.h>
#include <json-c/json.h>

#include "core/jsonw.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Escapes (s, n) and compares with want (a C string). */
#define ESC_EQ(lit, want) esc_eq((lit), sizeof(lit) - 1, (want), __LINE__)
static void esc_eq(const char *s, size_t n, const char *want, int line)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_json_escape(&b, ts_str(s, n));
    if (b.data == NULL)
        ts_buf_puts(&b, "");
    if (strcmp(b.data, want) != 0)
        fail_msg("line %d: escaped to \"%s\", want \"%s\"", line, b.data, want);
    ts_buf_free(&b);
}

/* Strict UTF-8 check through iconv (glibc refuses overlongs, surrogates and
 * code points past U+10FFFF), independent of the code under test. */
static int utf8_valid(const char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *in = (char *)s;
    size_t inleft = n;
    int ok = 1;
    while (inleft > 0) {
        char outb[256];
        char *out = outb;
        size_t outleft = sizeof outb;
        if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != E2BIG) {
            ok = 0;
            break;
        }
    }
    iconv_close(cd);
    return ok;
}

/* Parses text strictly with json-c; fails the test if it is not exactly one
 * valid JSON value in valid UTF-8 on one line. Returns the parsed object. */
static json_object *must_parse(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20)
            fail_msg("raw control byte 0x%02x at %zu in: %s", (unsigned char)text[i], i, text);
    if (!utf8_valid(text, len))
        fail_msg("invalid UTF-8 in output: %s", text);
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (o == NULL || err != json_tokener_success || used != len)
        fail_msg("json-c rejects (%s, used %zu of %zu): %s", json_tokener_error_desc(err), used,
                 len, text);
    return o;
}

static const char *render(ts_buf_t *b)
{
    return b->data ? b->data : "";
}

/* ---- invalid UTF-8 first ------------------------------------------------------ */

#define FFFD "\xEF\xBF\xBD"

static void test_invalid_utf8(void **state)
{
    /* One U+FFFD per maximal ill-formed subpart. */
    ESC_EQ("\x80", FFFD);                            /* stray continuation */
    ESC_EQ("\xBF\x80", FFFD FFFD);                   /* two strays */
    ESC_EQ("\xC0\xAF", FFFD FFFD);                   /* overlong '/' (C0 never valid) */
    ESC_EQ("\xC1\xBF", FFFD FFFD);                   /* overlong */
    ESC_EQ("\xE0\x80\xAF", FFFD FFFD FFFD);          /* overlong 3-byte */
    ESC_EQ("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD); /* overlong 4-byte */
    ESC_EQ("\xED\xA0\x80", FFFD FFFD FFFD);          /* U+D800 high surrogate */
    ESC_EQ("\xED\xBF\xBF", FFFD FFFD FFFD);          /* U+DFFF low surrogate */
    ESC_EQ("\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD FFFD FFFD FFFD FFFD); /* CESU-8 pair */
    ESC_EQ("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD);                   /* U+110000 */
    ESC_EQ("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);                   /* F5 never valid */
    ESC_EQ("\xFE\xFF", FFFD FFFD);
    ESC_EQ("\xE2\x82", FFFD);     /* truncated at the end */
    ESC_EQ("\xF0\x9F\x98", FFFD); /* truncated 4-byte */
    ESC_EQ("\xE2\x82"
           "A",
           FFFD "A"); /* truncated by ASCII */
    ESC_EQ("\xC3"
           "\"",
           FFFD "\\\""); /* truncated by a quote that needs escaping */
    ESC_EQ("a\xE2\x82\xE2\x82\xAC"
           "b",
           "a" FFFD "\xE2\x82\xAC"
           "b");                                             /* resync on a lead */
    ESC_EQ("\xF0\x9F\x98\x80\x80", "\xF0\x9F\x98\x80" FFFD); /* one byte too many */

    /* Boundaries that are valid must pass through untouched. */
    ESC_EQ("\xC2\xA0", "\xC2\xA0");                 /* U+00A0 (first after C1) */
    ESC_EQ("\xC3\xA9", "\xC3\xA9");                 /* é */
    ESC_EQ("\xE0\xA0\x80", "\xE0\xA0\x80");         /* U+0800 */
    ESC_EQ("\xED\x9F\xBF", "\xED\x9F\xBF");         /* U+D7FF */
    ESC_EQ("\xEE\x80\x80", "\xEE\x80\x80");         /* U+E000 */
    ESC_EQ("\xEF\xBF\xBF", "\xEF\xBF\xBF");         /* U+FFFF */
    ESC_EQ("\xF0\x90\x80\x80", "\xF0\x90\x80\x80"); /* U+10000 */
    ESC_EQ("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"); /* emoji */
    ESC_EQ("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
    ESC_EQ(FFFD, FFFD);                             /* U+FFFD itself */
}

/* ---- escaping ---------------------------------------------------------------- */

static void test_escaping(void **state)
{
    ESC_EQ("", "");
    ESC_EQ("plain text / slash", "plain text / slash");
    ESC_EQ("\"", "\\\"");
    ESC_EQ("\\", "\\\\");
    ESC_EQ("a\"b\\c", "a\\\"b\\\\c");
    ESC_EQ("\n\t\r\b\f", "\\n\\t\\r\\b\\f");
    ESC_EQ("\0", "\\u0000");
    ESC_EQ("\x01\x1a\x1f", "\\u0001\\u001a\\u001f");
    ESC_EQ("\x1b[31mred", "\\u001b[31mred");
    ESC_EQ("\x20", " ");
    ESC_EQ("~\x7f", "~\\u007f");
    ESC_EQ("\xC2\x80\xC2\x9B\xC2\x9F", "\\u0080\\u009b\\u009f"); /* C1 controls */
    ESC_EQ("\xE2\x80\xA8", "\\u2028");
    ESC_EQ("\xE2\x80\xA9", "\\u2029");
    ESC_EQ("\xE2\x80\xA7\xE2\x80\xAA", "\xE2\x80\xA7\xE2\x80\xAA"); /* neighbours stay */
    ESC_EQ("</script>", "</script>");

    /* Through the writer, with NULL and empty slices. */
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_array_begin(&w);
    ts_jsonw_str(&w, TS_STR_NULL);
    ts_jsonw_str(&w, ts_str("", 0));
    ts_jsonw_cstr(&w, NULL);
    ts_jsonw_cstr(&w, "q\"");
    ts_jsonw_str(&w, ts_str("a\0b", 3));
    ts_jsonw_array_end(&w);
    assert_string_equal(render(&b), "[null,\"\",null,\"q\\\"\",\"a\\u0000b\"]");
    json_object *o = must_parse(b.data, b.len);
    json_object *s = json_object_array_get_idx(o, 4);
    assert_int_equal(json_object_get_string_len(s), 3);
    assert_memory_equal(json_object_get_string(s), "a\0b", 3);
    json_object_put(o);
    ts_buf_free(&b);
}

/* ---- structure ---------------------------------------------------------------- */

static void test_nesting_and_commas(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_object_end(&w);
    assert_string_equal(render(&b), "{}");

    ts_buf_reset(&b);
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "a");
    ts_jsonw_int(&w, INT64_MIN);
    ts_jsonw_key(&w, "b");
    ts_jsonw_array_begin(&w);
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "c");
    ts_jsonw_array_begin(&w);
    ts_jsonw_uint(&w, UINT64_MAX);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "k\"ey\n");
    ts_jsonw_bool(&w, true);
    ts_jsonw_key(&w, "");
    ts_jsonw_bool(&w, false);
    ts_jsonw_object_end(&w);
    ts_jsonw_array_begin(&w);
    ts_jsonw_array_begin(&w);
    ts_jsonw_null(&w);
    ts_jsonw_array_end(&w);
    ts_jsonw_array_end(&w);
    ts_jsonw_int(&w, 0);
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "d");
    ts_jsonw_object_begin(&w);
    ts_jsonw_object_end(&w);
    ts_jsonw_object_end(&w);
    assert_string_equal(render(&b),
                        "{\"a\":-9223372036854775808,\"b\":[],\"c\":[18446744073709551615,"
                        "{\"k\\\"ey\\n\":true,\"\":false},[[null]],0],\"d\":{}}");
    assert_int_equal(w.depth, 0);
    json_object *o = must_parse(b.data, b.len);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "k\"ey\n", &v) == 0); /* nested, not top */
    assert_true(json_object_object_get_ex(o, "c", &v));
    assert_int_equal(json_object_array_length(v), 4);
    json_object_put(o);

    /* Several top-level values (NDJSON): no comma between them. */
    ts_buf_reset(&b);
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_object_end(&w);
    ts_buf_putc(&b, '\n');
    ts_jsonw_int(&w, 5);
    assert_string_equal(render(&b), "{}\n5");

    /* Deepest nesting the writer allows. */
    ts_buf_reset(&b);
    ts_jsonw_init(&w, &b);
    for (int i = 0; i < TS_JSONW_DEPTH - 1; i++)
        ts_jsonw_array_begin(&w);
    ts_jsonw_int(&w, 1);
    ts_jsonw_int(&w, 2);
    for (int i = 0; i < TS_JSONW_DEPTH - 1; i++)
        ts_jsonw_array_end(&w);
    json_object_put(must_parse(b.data, b.len));
    ts_buf_free(&b);
}

/* ---- raw values ----------------------------------------------------------------- */

static void raw_eq(const char *in, size_t n, const char *want, int line)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_array_begin(&w);
    ts_jsonw_int(&w, 1);
    ts_jsonw_raw(&w, ts_str(in, n));
    ts_jsonw_int(&w, 2);
    ts_jsonw_array_end(&w);
    char full[512];
    snprintf(full, sizeof full, "[1,%s,2]", want);
    if (strcmp(render(&b), full) != 0)
        fail_msg("line %d: raw gave %s, want %s", line, render(&b), full);
    json_object_put(must_parse(b.data, b.len));
    ts_buf_free(&b);
}
#define RAW_EQ(lit, want) raw_eq((lit), sizeof(lit) - 1, (want), __LINE__)

static void test_raw(void **state)
{
    /* Invalid JSON is not trusted: it becomes a string holding the text. */
    RAW_EQ("", "\"\"");
    RAW_EQ("   ", "\"   \"");
    RAW_EQ("abc", "\"abc\"");
    RAW_EQ("01", "\"01\"");
    RAW_EQ("-", "\"-\"");
    RAW_EQ("1.", "\"1.\"");
    RAW_EQ("1e", "\"1e\"");
    RAW_EQ(".5", "\".5\"");
    RAW_EQ("+1", "\"+1\"");
    RAW_EQ("NaN", "\"NaN\"");
    RAW_EQ("tru", "\"tru\"");
    RAW_EQ("1 2", "\"1 2\"");
    RAW_EQ("1,2", "\"1,2\"");
    RAW_EQ("[1,]", "\"[1,]\"");
    RAW_EQ("{\"a\"}", "\"{\\\"a\\\"}\"");
    RAW_EQ("{\"a\":1,}", "\"{\\\"a\\\":1,}\"");
    RAW_EQ("{1:2}", "\"{1:2}\"");
    RAW_EQ("[", "\"[\"");
    RAW_EQ("\"abc", "\"\\\"abc\"");
    RAW_EQ("\"a\nb\"", "\"\\\"a\\nb\\\"\"");        /* raw newline inside a string */
    RAW_EQ("\"\\x\"", "\"\\\"\\\\x\\\"\"");         /* bad escape */
    RAW_EQ("\"\\u12\"", "\"\\\"\\\\u12\\\"\"");     /* short \u */
    RAW_EQ("\"\\ud800\"", "\"\\\"\\\\ud800\\\"\""); /* lone high surrogate */
    RAW_EQ("\"\\udc00\"", "\"\\\"\\\\udc00\\\"\""); /* lone low surrogate */
    RAW_EQ("\"\\ud800\\u0041\"", "\"\\\"\\\\ud800\\\\u0041\\\"\""); /* bad pair */
    RAW_EQ("\"\xC0\xAF\"", "\"\\\"" FFFD FFFD "\\\"\"");            /* invalid UTF-8 */
    RAW_EQ("1\0", "\"1\\u0000\"");

    /* Valid JSON is copied, compacted, with our extra escapes. */
    RAW_EQ("0", "0");
    RAW_EQ("-0.5e+10", "-0.5e+10");
    RAW_EQ("1E-3", "1E-3");
    RAW_EQ("  true ", "true");
    RAW_EQ("false", "false");
    RAW_EQ("null", "null");
    RAW_EQ("\"\"", "\"\"");
    RAW_EQ("\"a\\\"b\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"", "\"a\\\"b\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"");
    RAW_EQ("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"");
    RAW_EQ("\"\xE2\x80\xA8\x7f\xC2\x9B\xC3\xA9\"", "\"\\u2028\\u007f\\u009b\xC3\xA9\"");
    RAW_EQ("[ ]", "[]");
    RAW_EQ("{ }", "{}");
    RAW_EQ("{\n  \"a\" : [ 1 , {\"b\":null} ],\r\n\t\"c\":\"d\"\n}",
           "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}");

    /* Nesting: 16 levels are kept, 17 are turned into a string. */
    char deep[200], want[400];
    memset(deep, '[', 16);
    memset(deep + 16, ']', 16);
    deep[32] = '\0';
    raw_eq(deep, 32, deep, __LINE__);
    memset(deep, '[', 17);
    memset(deep + 17, ']', 17);
    deep[34] = '\0';
    snprintf(want, sizeof want, "\"%s\"", deep);
    raw_eq(deep, 34, want, __LINE__);

    /* As an object member, and a NULL slice. */
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "x");
    ts_jsonw_raw(&w, ts_str_c("{\"y\": [1, 2]}"));
    ts_jsonw_key(&w, "z");
    ts_jsonw_raw(&w, TS_STR_NULL);
    ts_jsonw_object_end(&w);
    assert_string_equal(render(&b), "{\"x\":{\"y\":[1,2]},\"z\":null}");
    ts_buf_free(&b);
}

/* ---- randomized, json-c as oracle ------------------------------------------------ */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    /* xorshift64*: reproducible from the printed seed, independent of libc. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Random bytes biased toward the interesting ones. */
static size_t rand_bytes(char *buf, size_t max)
{
    static const char pool[] = "\"\\/\n\r\t\b\f\x01\x1b\x7f\x80\xBF\xC0\xC1\xC2\xC3\xA9\xE2\x80"
                               "\xA8\xA9\xED\xA0\xF0\x9F\x98\xF4\x90\x8F\xF5\xFF{}[]:,0-eE.tu";
    size_t n = rnd() % max;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd();
        if (r % 3 == 0)
            buf[i] = pool[(r >> 8) % (sizeof pool - 1)];
        else if (r % 3 == 1)
            buf[i] = (char)(0x20 + (r >> 8) % 95);
        else
            buf[i] = (char)(r >> 8);
    }
    return n;
}

/* Random valid UTF-8 (any scalar value, incl. controls, U+2028, U+10FFFF). */
static size_t rand_utf8(char *buf, size_t max)
{
    size_t n = 0;
    size_t chars = rnd() % (max / 4);
    for (size_t i = 0; i < chars; i++) {
        uint32_t r = rnd(), cp;
        switch (r % 5) {
        case 0:
            cp = (r >> 8) % 0x80;
            break;
        case 1:
            cp = 0x80 + (r >> 8) % 0x780;
            break;
        case 2:
            cp = 0x2020 + (r >> 8) % 16;
            break;
        case 3:
            cp = 0x800 + (r >> 8) % 0xF800;
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            break;
        default:
            cp = 0x10000 + (r >> 8) % 0x100000;
            break;
        }
        unsigned char *p = (unsigned char *)buf + n;
        if (cp < 0x80) {
            p[0] = (unsigned char)cp;
            n += 1;
        } else if (cp < 0x800) {
            p[0] = (unsigned char)(0xC0 | cp >> 6);
            p[1] = (unsigned char)(0x80 | (cp & 0x3F));
            n += 2;
        } else if (cp < 0x10000) {
            p[0] = (unsigned char)(0xE0 | cp >> 12);
            p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            p[2] = (unsigned char)(0x80 | (cp & 0x3F));
            n += 3;
        } else {
            p[0] = (unsigned char)(0xF0 | cp >> 18);
            p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            p[3] = (unsigned char)(0x80 | (cp & 0x3F));
            n += 4;
        }
    }
    return n;
}

static void test_random_oracle(void **state)
{
    uint64_t seed = (uint64_t)time(NULL);
    const char *env = getenv("TS_TEST_SEED");
    if (env)
        seed = strtoull(env, NULL, 10);
    fprintf(stderr, "test_random_oracle: TS_TEST_SEED=%llu\n", (unsigned long long)seed);
    rng_state = seed * 2654435761u + 1;

    ts_buf_t b = TS_BUF_INIT;
    enum { ITER = 3000, MEMBERS = 8 };
    for (int it = 0; it < ITER; it++) {
        char keys[MEMBERS][64], vals[MEMBERS][128];
        size_t klen[MEMBERS], vlen[MEMBERS];
        int kind[MEMBERS]; /* 0: random bytes, 1: valid UTF-8, 2: raw random bytes */
        ts_buf_reset(&b);
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        ts_jsonw_object_begin(&w);
        for (int m = 0; m < MEMBERS; m++) {
            /* Unique, valid keys so that lookups below are unambiguous;
             * random-byte keys are exercised in the nested array. */
            klen[m] = (size_t)snprintf(keys[m], sizeof keys[m], "k%d", m);
            kind[m] = (int)(rnd() % 3);
            vlen[m] = kind[m] == 1 ? rand_utf8(vals[m], sizeof vals[m])
                                   : rand_bytes(vals[m], sizeof vals[m]);
            ts_jsonw_key(&w, keys[m]);
            if (kind[m] == 2)
                ts_jsonw_raw(&w, ts_str(vals[m], vlen[m]));
            else
                ts_jsonw_str(&w, ts_str(vals[m], vlen[m]));
        }
        ts_jsonw_key(&w, "nested");
        ts_jsonw_array_begin(&w);
        for (int m = 0; m < 3; m++) {
            char k[64], v[64];
            size_t kl = rand_bytes(k, sizeof k - 1), vl = rand_bytes(v, sizeof v);
            k[kl] = '\0'; /* keys are C strings: cut at the first NUL */
            ts_jsonw_object_begin(&w);
            ts_jsonw_key(&w, k);
            ts_jsonw_str(&w, ts_str(v, vl));
            ts_jsonw_object_end(&w);
        }
        ts_jsonw_array_end(&w);
        ts_jsonw_object_end(&w);

        json_object *o = must_parse(b.data, b.len);
        assert_int_equal(json_object_object_length(o), MEMBERS + 1);
        for (int m = 0; m < MEMBERS; m++) {
            json_object *v;
            assert_true(json_object_object_get_ex(o, keys[m], &v));
            if (kind[m] == 1) {
                /* Valid input must come back byte for byte. */
                assert_true(json_object_is_type(v, json_type_string));
                assert_int_equal((size_t)json_object_get_string_len(v), vlen[m]);
                assert_memory_equal(json_object_get_string(v), vals[m], vlen[m]);
            } else if (kind[m] == 0) {
                assert_true(json_object_is_type(v, json_type_string));
                /* ASCII input is never altered, only escaped. */
                size_t i = 0;
                while (i < vlen[m] && (unsigned char)vals[m][i] < 0x80)
                    i++;
                if (i == vlen[m]) {
                    assert_int_equal((size_t)json_object_get_string_len(v), vlen[m]);
                    assert_memory_equal(json_object_get_string(v), vals[m], vlen[m]);
                }
            }
        }
        json_object_put(o);
        (void)klen;
    }

    /* Raw round trip: JSON produced by json-c from random data must come out
     * of ts_jsonw_raw equal (as a value) to what went in. */
    for (int it = 0; it < 500; it++) {
        json_object *src = json_object_new_object();
        json_object *arr = json_object_new_array();
        for (int m = 0; m < 5; m++) {
            char v[128];
            size_t vl = rand_utf8(v, sizeof v);
            json_object_array_add(arr, json_object_new_string_len(v, (int)vl));
            json_object_array_add(arr, json_object_new_int64((int64_t)rnd() - (int64_t)rnd()));
        }
        json_object_object_add(src, "a", arr);
        json_object_object_add(src, "b", json_object_new_boolean((int)(rnd() & 1)));
        json_object_object_add(src, "c", NULL);
        const char *text = json_object_to_json_string_ext(
            src, (rnd() & 1) ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
        ts_buf_reset(&b);
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        ts_jsonw_raw(&w, ts_str_c(text));
        json_object *back = must_parse(b.data, b.len);
        if (!json_object_equal(src, back))
            fail_msg("raw round trip changed the value:\n%s\n%s", text, b.data);
        json_object_put(back);
        json_object_put(src);
    }
    ts_buf_free(&b);
}

/* Integers against printf, at the edges and at random. */
static void test_integers(void **state)
{
    (void)state;
    int64_t edges[] = {
        0,         1,         -1,           9, 10, -10, 99, 100, 4294967295LL, -4294967296LL,
        INT64_MAX, INT64_MIN, INT64_MIN + 1};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < 2000; i++) {
        int64_t v;
        if (i < sizeof edges / sizeof *edges) {
            v = edges[i];
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v = (int64_t)(x >> (x % 64));
            if (x & 1)
                v = -v;
        }
        char want[32];
        ts_buf_t b = TS_BUF_INIT;
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        ts_jsonw_int(&w, v);
        snprintf(want, sizeof want, "%" PRId64, v);
        assert_string_equal(render(&b), want);
        ts_buf_reset(&b);
        ts_jsonw_init(&w, &b);
        ts_jsonw_uint(&w, (uint64_t)v);
        snprintf(want, sizeof want, "%" PRIu64, (uint64_t)v);
        assert_string_equal(render(&b), want);
        ts_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_utf8),       cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_nesting_and_commas), cmocka_unit_test(test_raw),
        cmocka_unit_test(test_random_oracle),      cmocka_unit_test(test_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
