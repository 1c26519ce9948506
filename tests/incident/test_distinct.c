/* SPDX-License-Identifier: Apache-2.0 */
/* Distinct counting of an incident's hosts and peers: blobs that are not
 * what encode writes first, then exact counts up to 256, the floor of a
 * covering list, the sketch beyond, and the blob round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "incident/distinct.h"

static uint32_t host(uint32_t i)
{
    ts_prefix_t p;
    char s[32];
    snprintf(s, sizeof s, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    assert_int_equal(ts_prefix_parse(s, strlen(s), &p), 0);
    return ts_dset_hash(&p);
}

static void test_bad_blobs(void **state)
{
    ts_dset_t d = TS_DSET_INIT;
    const uint8_t head_only[9] = {1};
    const uint8_t short_head[8] = {1};
    const uint8_t bad_mode[9] = {3};
    /* Exact: 4-byte values, strictly increasing, none zero. */
    const uint8_t ragged[12] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    const uint8_t unsorted[17] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0};
    const uint8_t twice[17] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    const uint8_t zero[13] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    uint8_t sketch_short[9 + 1023] = {2};
    uint8_t too_many[9 + 4 * 257] = {1};
    for (uint32_t i = 0; i < 257; i++) {
        too_many[9 + 4 * i] = (uint8_t)((i + 1) & 255);
        too_many[9 + 4 * i + 1] = (uint8_t)((i + 1) >> 8);
    }
    assert_int_equal(ts_dset_decode(&d, NULL, 0), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, short_head, sizeof short_head), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, bad_mode, sizeof bad_mode), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, ragged, sizeof ragged), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, unsorted, sizeof unsorted), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, twice, sizeof twice), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, zero, sizeof zero), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, sketch_short, sizeof sketch_short), TS_EINVAL);
    assert_int_equal(ts_dset_decode(&d, too_many, sizeof too_many), TS_EINVAL);
    assert_int_equal(ts_dset_count(&d), 0); /* left empty */
    assert_int_equal(ts_dset_decode(&d, head_only, sizeof head_only), 0);
    assert_int_equal(ts_dset_count(&d), 0);
    ts_dset_reset(&d);
}

static void test_exact(void **state)
{
    ts_dset_t d = TS_DSET_INIT;
    assert_int_equal(ts_dset_count(&d), 0);
    /* Each host three times, in a scrambled order: counted once. */
    for (int round = 0; round < 3; round++)
        for (uint32_t i = 0; i < TS_DSET_EXACT_MAX; i++)
            ts_dset_add(&d, host((i * 97 + (uint32_t)round) % TS_DSET_EXACT_MAX));
    assert_int_equal(ts_dset_count(&d), TS_DSET_EXACT_MAX);
    /* A host and a network with the same address are two values. */
    ts_prefix_t a, n;
    assert_int_equal(ts_prefix_parse("10.0.0.0", 8, &a), 0);
    assert_int_equal(ts_prefix_parse("10.0.0.0/24", 11, &n), 0);
    assert_int_not_equal(ts_dset_hash(&a), ts_dset_hash(&n));

    /* The blob round trip keeps the exact set: adding a known host again
     * changes nothing, and the bytes are the same a second time. */
    ts_buf_t b1 = TS_BUF_INIT, b2 = TS_BUF_INIT;
    ts_dset_encode(&d, &b1);
    assert_int_equal(b1.len, 9 + 4 * TS_DSET_EXACT_MAX);
    ts_dset_t e = TS_DSET_INIT;
    assert_int_equal(ts_dset_decode(&e, (const uint8_t *)b1.data, b1.len), 0);
    assert_false(e.dirty);
    ts_dset_add(&e, host(5));
    assert_false(e.dirty);
    assert_int_equal(ts_dset_count(&e), TS_DSET_EXACT_MAX);
    ts_dset_encode(&e, &b2);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.data, b2.data, b1.len);
    ts_buf_free(&b1);
    ts_buf_free(&b2);
    ts_dset_reset(&d);
    ts_dset_reset(&e);
}

static void test_floor(void **state)
{
    /* A scan naming 249 hosts by their covering list: the count never reads
     * below 249, and hosts seen one by one add once past it. */
    ts_dset_t d = TS_DSET_INIT;
    ts_dset_floor(&d, 249);
    assert_true(d.dirty);
    assert_int_equal(ts_dset_count(&d), 249);
    for (uint32_t i = 0; i < 10; i++)
        ts_dset_add(&d, host(i));
    assert_int_equal(ts_dset_count(&d), 249);
    ts_dset_floor(&d, 100); /* lower: no change */
    ts_buf_t b = TS_BUF_INIT;
    ts_dset_encode(&d, &b);
    ts_dset_t e = TS_DSET_INIT;
    assert_int_equal(ts_dset_decode(&e, (const uint8_t *)b.data, b.len), 0);
    assert_int_equal(ts_dset_count(&e), 249);
    assert_int_equal(e.floor, 249);
    ts_buf_free(&b);
    ts_dset_reset(&d);
    ts_dset_reset(&e);
}

static void test_sketch(void **state)
{
    /* Past 256 the set becomes a sketch of fixed size, within 10% (about
     * three standard errors) at 257, 5,000 and 100,000. */
    ts_dset_t d = TS_DSET_INIT;
    static const uint32_t marks[] = {257, 5000, 100000};
    uint32_t i = 0;
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        for (; i < marks[m]; i++)
            ts_dset_add(&d, host(i));
        uint64_t n = ts_dset_count(&d);
        if (n < marks[m] * 0.9 || n > marks[m] * 1.1)
            fail_msg("%u distinct hosts counted as %llu", marks[m], (unsigned long long)n);
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_dset_encode(&d, &b);
    assert_int_equal(b.len, TS_DSET_BLOB_MAX);
    ts_dset_t e = TS_DSET_INIT;
    assert_int_equal(ts_dset_decode(&e, (const uint8_t *)b.data, b.len), 0);
    assert_int_equal(ts_dset_count(&e), ts_dset_count(&d));
    ts_buf_free(&b);
    ts_dset_reset(&d);
    ts_dset_reset(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_blobs),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_floor),
        cmocka_unit_test(test_sketch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
