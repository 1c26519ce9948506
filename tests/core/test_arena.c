/* SPDX-License-Identifier: Apache-2.0 */
/* The per-batch arena: alignment, copies, allocations larger than a block,
 * and reuse after reset (ASan checks that nothing is touched after it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"

static void test_degenerate_sizes(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(0); /* raised to the minimum block */
    void *p = ts_arena_alloc(a, 0);
    assert_non_null(p);
    ts_str_t empty = ts_arena_strdup(a, ts_str("", 0));
    assert_int_equal(empty.len, 0);
    assert_int_equal(empty.ptr[0], '\0');
    ts_arena_free(a);
    ts_arena_free(NULL);
}

static void test_alignment_and_copies(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(1024);
    for (size_t n = 1; n < 300; n++) {
        unsigned char *p = ts_arena_alloc(a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, n); /* the whole size is usable */
    }
    const char src[] = "not NUL-terminated beyond this";
    ts_str_t s = ts_arena_strdup(a, ts_str(src, 3));
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "not", 4); /* copied and terminated */
    ts_arena_free(a);
}

static void test_large_allocations_and_reset(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(1024);
    for (int round = 0; round < 3; round++) {
        char *big = ts_arena_alloc(a, 100000); /* larger than a block */
        memset(big, 'x', 100000);
        char *small[64];
        for (int i = 0; i < 64; i++) {
            small[i] = ts_arena_alloc(a, 100);
            memset(small[i], i, 100);
        }
        /* Nothing overlaps: every allocation kept what was written. */
        for (int i = 0; i < 64; i++)
            for (int k = 0; k < 100; k++)
                assert_int_equal(small[i][k], i);
        for (int k = 0; k < 100000; k++)
            assert_int_equal(big[k], 'x');
        ts_arena_reset(a);
    }
    ts_arena_free(a);
}

static void test_arena_size(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(4096);
    assert_int_equal(ts_arena_size(a), 4096);
    (void)ts_arena_alloc(a, 4000);
    assert_int_equal(ts_arena_size(a), 4096);
    (void)ts_arena_alloc(a, 1000); /* a new block */
    assert_int_equal(ts_arena_size(a), 8192);
    (void)ts_arena_alloc(a, 100000); /* a block of its own size */
    assert_int_equal(ts_arena_size(a), 8192 + 100000);
    ts_arena_reset(a);
    assert_int_equal(ts_arena_size(a), 4096);
    ts_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_size),
        cmocka_unit_test(test_degenerate_sizes),
        cmocka_unit_test(test_alignment_and_copies),
        cmocka_unit_test(test_large_allocations_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
