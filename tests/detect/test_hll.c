/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/hll.h"
#include "detect/table.h"
#include "testutil.h"

static uint32_t item(uint64_t seed, uint64_t i)
{
    return (uint32_t)(ts_mix64(seed * UINT64_C(0x9e3779b97f4a7c15) + i) >> 32);
}

static void test_degenerate(void **state)
{
    (void)state;
    ts_dbudget_t b = {.limit = SIZE_MAX};
    ts_dcount_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(ts_dcount_estimate(&c), 0);
    assert_true(ts_dcount_exact(&c));
    /* The hash value 0 is a value like any other, and repeats do not count. */
    ts_dcount_add(&c, 0, &b);
    ts_dcount_add(&c, 0, &b);
    ts_dcount_add(&c, 1, &b);
    assert_int_equal(ts_dcount_estimate(&c), 2);
    ts_dcount_reset(&c, &b);
    assert_int_equal(ts_dcount_estimate(&c), 0);
    assert_int_equal(b.used, 0);

    uint8_t reg[TS_HLL_M];
    memset(reg, 0, sizeof reg);
    assert_true(ts_hll_estimate(reg) == 0.0);
    /* A saturated sketch (every register at its maximum) estimates "huge",
     * and the counter built on it stays a sane number. */
    for (uint32_t i = 0; i < TS_HLL_M; i++)
        ts_hll_add(reg, i << (32 - TS_HLL_P));
    double e = ts_hll_estimate(reg);
    assert_true(e > 1e9);
    for (uint64_t i = 0; i < 300; i++)
        ts_dcount_add(&c, item(9, i), &b);
    assert_int_equal(c.mode, TS_DC_HLL);
    memcpy(c.u.hll, reg, TS_HLL_M);
    assert_int_equal(ts_dcount_estimate(&c), UINT64_C(1000000000000));
    ts_dcount_reset(&c, &b);
}

static void test_budget(void **state)
{
    (void)state;
    /* No heap allowed: the counter stops after the inline slots, says so,
     * and is counted once in the budget's saturation counter. */
    ts_dbudget_t b = {.limit = 0};
    ts_dcount_t c;
    memset(&c, 0, sizeof c);
    for (uint64_t i = 0; i < 1000; i++)
        ts_dcount_add(&c, item(1, i), &b);
    assert_int_equal(ts_dcount_estimate(&c), TS_DC_INLINE);
    assert_false(ts_dcount_exact(&c));
    assert_int_equal(b.saturated, 1);
    assert_int_equal(b.used, 0);
    ts_dcount_reset(&c, &b);

    /* Room for exactly one sketch: the second counter saturates mid-way. */
    b = (ts_dbudget_t){.limit = TS_HLL_M + 256};
    ts_dcount_t c1, c2;
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    for (uint64_t i = 0; i < 5000; i++) {
        ts_dcount_add(&c1, item(2, i), &b);
        ts_dcount_add(&c2, item(3, i), &b);
    }
    assert_true(b.used <= b.limit);
    assert_int_equal(b.saturated, 1);
    assert_true(ts_dcount_bytes(&c1) + ts_dcount_bytes(&c2) == b.used);
    ts_dcount_reset(&c1, &b);
    ts_dcount_reset(&c2, &b);
    assert_int_equal(b.used, 0);
}

static void test_exact_small(void **state)
{
    (void)state;
    ts_dbudget_t b = {.limit = SIZE_MAX};
    for (uint64_t n = 1; n <= TS_DC_EXACT_MAX; n += (n < 20 ? 1 : 7)) {
        ts_dcount_t c;
        memset(&c, 0, sizeof c);
        for (int rep = 0; rep < 3; rep++)
            for (uint64_t i = 0; i < n; i++)
                ts_dcount_add(&c, item(n, i), &b);
        assert_int_equal(ts_dcount_estimate(&c), n);
        assert_true(ts_dcount_exact(&c));
        ts_dcount_reset(&c, &b);
    }
    ts_dcount_t c;
    memset(&c, 0, sizeof c);
    for (uint64_t i = 0; i < TS_DC_EXACT_MAX; i++)
        ts_dcount_add(&c, item(7, i), &b);
    assert_int_equal(ts_dcount_estimate(&c), TS_DC_EXACT_MAX);
    ts_dcount_add(&c, item(7, TS_DC_EXACT_MAX), &b);
    assert_false(ts_dcount_exact(&c)); /* one more switches to the sketch */
    assert_int_equal(ts_dcount_bytes(&c), TS_HLL_M);
    ts_dcount_reset(&c, &b);
    assert_int_equal(b.used, 0);
}

static void test_accuracy(void **state)
{
    (void)state;
    ts_dbudget_t b = {.limit = SIZE_MAX};
    static const uint64_t sizes[] = {1000, 3000, 10000, 30000, 100000, 1000000};
    double sum_abs = 0;
    int trials = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        int seeds = n >= 1000000 ? 2 : 6;
        for (int seed = 0; seed < seeds; seed++) {
            ts_dcount_t c;
            memset(&c, 0, sizeof c);
            for (uint64_t i = 0; i < n; i++)
                ts_dcount_add(&c, item(100 + seed * 17 + s, i), &b);
            /* Repeats must not move the estimate. */
            uint64_t before = ts_dcount_estimate(&c);
            for (uint64_t i = 0; i < n; i += 3)
                ts_dcount_add(&c, item(100 + seed * 17 + s, i), &b);
            assert_int_equal(ts_dcount_estimate(&c), before);
            double err = ((double)before - (double)n) / (double)n;
            printf("n=%-8llu seed=%d estimate=%-8llu error=%+.2f%%\n", (unsigned long long)n, seed,
                   (unsigned long long)before, 100 * err);
            /* Standard error 1.04/sqrt(1024) = 3.25%: 2.5 sigma per trial. */
            assert_true(fabs(err) < 0.08);
            sum_abs += fabs(err);
            trials++;
            ts_dcount_reset(&c, &b);
        }
    }
    /* Mean absolute error of a normal estimate is 0.8 sigma (2.6%). */
    double mae = sum_abs / trials;
    printf("mean absolute error %.2f%% over %d trials\n", 100 * mae, trials);
    assert_true(mae < 0.04);
}

typedef struct ent {
    ts_dhead_t h;
    uint32_t key;
    uint32_t released;
} ent_t;

static void rel(void *e, void *ctx)
{
    (*(int *)ctx)++;
    ((ent_t *)e)->released = 1;
}

static void test_table(void **state)
{
    (void)state;
    ts_dtable_t t;
    ts_dtable_init(&t, 0, sizeof(ent_t), sizeof(uint32_t)); /* clamped to one bucket */
    size_t slot;
    assert_int_equal(ts_dtable_slots(&t), TS_DT_WAYS);
    int released = 0;
    bool created;
    /* The busiest key survives a stream of one-off keys. */
    uint32_t heavy = 12345;
    ent_t *e = ts_dtable_get(&t, &heavy, ts_mix64(heavy), &created, &slot, rel, &released);
    assert_true(created);
    ts_dtable_set_score(&t, &e->h, slot, 100);
    for (uint32_t k = 0; k < 1000; k++) {
        ent_t *o = ts_dtable_get(&t, &k, ts_mix64(k), &created, &slot, rel, &released);
        assert_true(created);
        ts_dtable_bump(&t, &o->h, slot);
    }
    assert_int_equal(t.evictions, 1000 - (TS_DT_WAYS - 1));
    assert_int_equal(released, (int)t.evictions);
    e = ts_dtable_find(&t, &heavy, ts_mix64(heavy), NULL);
    assert_non_null(e);
    assert_int_equal(e->h.score, 100);
    e = ts_dtable_get(&t, &heavy, ts_mix64(heavy), &created, &slot, rel, &released);
    assert_false(created);
    assert_int_equal(slot, ts_dtable_index(&t, e));
    assert_int_equal(t.used, TS_DT_WAYS);
    ts_dtable_remove_at(&t, ts_dtable_index(&t, e));
    assert_null(ts_dtable_find(&t, &heavy, ts_mix64(heavy), NULL));
    assert_int_equal(t.used, TS_DT_WAYS - 1);
    ts_dtable_destroy(&t);

    ts_dtable_init(&t, 100, sizeof(ent_t), sizeof(uint32_t));
    assert_int_equal(ts_dtable_slots(&t), 104); /* whole buckets, not a power of two */
    ts_dtable_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_degenerate),  cmocka_unit_test(test_budget),
        cmocka_unit_test(test_exact_small), cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
