/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/targets.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    if (ts_prefix_parse(s, strlen(s), &p) != 0)
        fail_msg("bad prefix in test: %s", s);
    return p;
}

/* A random host or network, mostly in a few /16s so that lists collide. */
static ts_prefix_t random_entry(void)
{
    ts_prefix_t p;
    memset(&p, 0, sizeof p);
    if (rnd() % 5 == 0) {
        p.addr.family = TS_AF_INET6;
        p.addr.bytes[0] = 0x20;
        p.addr.bytes[1] = 0x01;
        p.addr.bytes[2] = 0x0d;
        p.addr.bytes[3] = 0xb8;
        for (int i = 4; i < 16; i++)
            p.addr.bytes[i] = (uint8_t)(rnd() % 4);
        p.len = rnd() % 4 ? 128 : (uint8_t)(32 + rnd() % 97);
    } else {
        p.addr.family = TS_AF_INET;
        p.addr.bytes[0] = 10;
        p.addr.bytes[1] = (uint8_t)(rnd() % 3);
        p.addr.bytes[2] = (uint8_t)(rnd() % 8);
        p.addr.bytes[3] = (uint8_t)rnd();
        p.len = rnd() % 4 ? 32 : (uint8_t)(8 + rnd() % 25);
    }
    (void)ts_prefix_clear_host_bits(&p);
    return p;
}

static bool covered_by_any(const ts_prefix_t *p, const ts_prefix_t *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ts_prefix_covers(&l[i], p))
            return true;
    return false;
}

static void test_invalid(void **state)
{
    (void)state;
    /* Entries without a family are not targets. */
    ts_prefix_t none;
    memset(&none, 0, sizeof none);
    ts_prefix_t list[3] = {pfx("10.0.0.1"), none, pfx("10.0.0.1")};
    assert_int_equal(ts_targets_normalize(list, 3), 1);
    char buf[64] = "x";
    assert_int_equal(ts_targets_summary(NULL, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    ts_targets_t empty = {0};
    assert_int_equal(ts_targets_summary(&empty, buf, sizeof buf), 0);
    /* A set that may not allocate at all still covers all it is given,
     * within the table it holds itself. */
    ts_targetset_t *s = ts_targetset_new(8);
    size_t held = ts_targetset_bytes(s);
    ts_prefix_t added[40];
    for (int i = 0; i < 40; i++) {
        char t[32];
        snprintf(t, sizeof t, "10.%d.%d.1", i % 5, i);
        added[i] = pfx(t);
        assert_int_equal(ts_targetset_add(s, &added[i], 0), 0);
    }
    assert_int_equal(ts_targetset_bytes(s), held);
    ts_arena_t *a = ts_arena_new(256);
    ts_targets_t t;
    ts_targetset_get(s, 40, a, &t);
    assert_true(t.n >= 1 && t.n <= 4);
    assert_int_equal(t.count, 40);
    for (int i = 0; i < 40; i++)
        assert_true(covered_by_any(&added[i], t.list, t.n));
    ts_arena_free(a);
    ts_targetset_free(s);
}

static void test_normalize_and_text(void **state)
{
    (void)state;
    ts_prefix_t l[] = {pfx("203.0.113.9"), pfx("2001:db8::1"), pfx("10.0.0.0/8"),
                       pfx("10.0.0.0/24"), pfx("203.0.113.9"), pfx("10.0.0.0/8")};
    size_t n = ts_targets_normalize(l, sizeof l / sizeof *l);
    assert_int_equal(n, 4);
    ts_buf_t b = TS_BUF_INIT;
    ts_targets_format(l, n, &b);
    assert_string_equal(b.data, "10.0.0.0/8 10.0.0.0/24 203.0.113.9 2001:db8::1");
    char one[TS_IP_STRLEN];
    assert_int_equal(ts_targets_entry_text(&l[3], one, sizeof one), 11);
    assert_string_equal(one, "2001:db8::1");
    ts_buf_free(&b);
}

static void test_summary(void **state)
{
    (void)state;
    char buf[128];
    ts_prefix_t one[] = {pfx("198.51.100.7")};
    ts_targets_t t = {one, 1, 1};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "198.51.100.7");
    ts_prefix_t hosts[249];
    for (int i = 0; i < 249; i++) {
        char s[32];
        snprintf(s, sizeof s, "198.51.100.%d", i + 3);
        hosts[i] = pfx(s);
    }
    t = (ts_targets_t){hosts, 249, 249};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "249 targets in 198.51.100.0/24");
    ts_prefix_t mixed[] = {pfx("10.1.2.0/24"), pfx("10.1.7.9"), pfx("2001:db8:1::/48"),
                           pfx("2001:db8:2::1")};
    t = (ts_targets_t){mixed, 4, 4};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "4 targets in 10.1.0.0/21 and 2001:db8::/46");
    /* A wide first entry bounds the cover even when later starts agree more. */
    ts_prefix_t wide[] = {pfx("10.0.0.0/8"), pfx("10.0.0.1")};
    t = (ts_targets_t){wide, 2, 2};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "2 targets in 10.0.0.0/8");
    t = (ts_targets_t){wide, 1, 0};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "targets in 10.0.0.0/8");
    t = (ts_targets_t){wide, 1, 70000};
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "70000 targets in 10.0.0.0/8");
    /* Cut to fit, still terminated. */
    assert_int_equal(ts_targets_summary(&t, buf, 6), 5);
    assert_string_equal(buf, "70000");
}

/* Property: a covering list fits, covers every entry, and holds no entry
 * inside another; a list that fits is left alone. */
static void test_cover(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + rnd() % 400, max = 2 + rnd() % 64;
        ts_prefix_t *orig = malloc(n * sizeof *orig), *l = malloc(n * sizeof *l);
        for (size_t i = 0; i < n; i++)
            orig[i] = random_entry();
        n = ts_targets_normalize(orig, n);
        memcpy(l, orig, n * sizeof *l);
        size_t m = ts_targets_cover(l, n, max);
        if (n <= max) {
            assert_int_equal(m, n);
            assert_memory_equal(l, orig, n * sizeof *l);
        } else {
            assert_true(m <= max && m < n);
            for (size_t i = 0; i < n; i++)
                if (!covered_by_any(&orig[i], l, m))
                    fail_msg("round %d: entry %zu lost by the cover", round, i);
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < m; j++)
                    assert_true(i == j || !ts_prefix_covers(&l[i], &l[j]));
            for (size_t i = 1; i < m; i++)
                assert_true(ts_prefix_compare(&l[i - 1], &l[i]) < 0);
        }
        free(orig);
        free(l);
    }
}

/* Long IPv4 lists take another sort: the same order and the same set. */
static void test_normalize_v4(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t n = 33 + rnd() % 600;
        ts_prefix_t *l = malloc(n * sizeof *l), *orig = malloc(n * sizeof *orig);
        for (size_t i = 0; i < n; i++) {
            do
                l[i] = random_entry();
            while (l[i].addr.family != TS_AF_INET);
            if (i > 0 && rnd() % 8 == 0)
                l[i] = l[rnd() % i]; /* duplicates */
        }
        memcpy(orig, l, n * sizeof *l);
        size_t m = ts_targets_normalize(l, n);
        for (size_t i = 1; i < m; i++)
            assert_true(ts_prefix_compare(&l[i - 1], &l[i]) < 0);
        for (size_t i = 0; i < n; i++) {
            bool found = false;
            for (size_t j = 0; j < m && !found; j++)
                found = ts_prefix_compare(&orig[i], &l[j]) == 0;
            if (!found)
                fail_msg("round %d: entry %zu lost", round, i);
        }
        free(l);
        free(orig);
    }
}

static void test_merge(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(4096);
    ts_prefix_t x[] = {pfx("10.0.0.1"), pfx("10.0.0.9")}, y[] = {pfx("10.0.1.4")};
    ts_targets_t tx = {x, 2, 2}, ty = {y, 1, 1}, out;
    const ts_targets_t *parts[] = {&tx, &ty};
    ts_targets_merge(parts, 2, a, &out);
    assert_int_equal(out.n, 3);
    assert_int_equal(out.count, 3);
    assert_int_equal(ts_prefix_compare(&out.list[2], &y[0]), 0);
    /* One network shared by a site and a sub-site: the union cannot count. */
    ts_prefix_t net[] = {pfx("10.0.0.0/16")}, sub[] = {pfx("10.0.4.0/24")};
    ts_targets_t tn = {net, 1, 1}, ts = {sub, 1, 1};
    const ts_targets_t *nested[] = {&tn, &ts};
    ts_targets_merge(nested, 2, a, &out);
    assert_int_equal(out.n, 1); /* the sub-site's part is inside the site's */
    assert_int_equal(out.count, 0);
    /* A covering part makes the union's count unknown. */
    ts_targets_t cov = {net, 1, 500};
    const ts_targets_t *withcov[] = {&cov, &ty};
    ts_targets_merge(withcov, 2, a, &out);
    assert_int_equal(out.count, 0);
    /* Past the bound the union is covered, never longer. */
    ts_prefix_t *many = ts_arena_alloc(a, 2000 * sizeof *many);
    for (int i = 0; i < 2000; i++) {
        char s[32];
        snprintf(s, sizeof s, "10.%d.%d.1", i / 256, i % 256);
        many[i] = pfx(s);
    }
    ts_targets_t big1 = {many, 1000, 1000}, big2 = {many + 1000, 1000, 1000};
    const ts_targets_t *bigs[] = {&big1, &big2};
    ts_targets_merge(bigs, 2, a, &out);
    assert_true(out.n <= TS_TARGETS_MAX);
    assert_int_equal(out.count, 2000);
    ts_targets_t none = {0};
    const ts_targets_t *empty[] = {&none, &none};
    ts_targets_merge(empty, 2, a, &out);
    assert_int_equal(out.n, 0);
    ts_arena_free(a);
}

static void test_set(void **state)
{
    (void)state;
    ts_arena_t *a = ts_arena_new(4096);
    ts_targetset_t *s = ts_targetset_new(300);
    size_t bytes = ts_targetset_bytes(s);
    /* 249 hosts, each twice: exact, deduplicated. */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 249; i++) {
            char t[32];
            snprintf(t, sizeof t, "198.51.100.%d", i + 3);
            ts_prefix_t p = pfx(t);
            bytes += ts_targetset_add(s, &p, SIZE_MAX);
        }
    assert_int_equal(ts_targetset_bytes(s), bytes);
    ts_targets_t t;
    ts_targetset_get(s, 249, a, &t);
    assert_int_equal(t.n, 249);
    assert_int_equal(t.count, 249);
    char buf[64];
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "249 targets in 198.51.100.0/24");
    /* Past max: widened, still covering every host added. */
    ts_prefix_t added[1000];
    for (int i = 0; i < 1000; i++) {
        added[i] = random_entry();
        bytes += ts_targetset_add(s, &added[i], SIZE_MAX);
    }
    ts_targetset_get(s, 1249, a, &t);
    assert_true(t.n <= 300);
    assert_int_equal(t.count, 1249);
    for (int i = 0; i < 1000; i++)
        assert_true(covered_by_any(&added[i], t.list, t.n));
    /* A distinct count below the entries is no count. */
    ts_targetset_get(s, 1, a, &t);
    assert_int_equal(t.count, 0);
    ts_targetset_free(s);

    /* Out of allowance: it widens rather than grows. */
    s = ts_targetset_new(100000);
    size_t used = 0, limit = 16 * sizeof(ts_prefix_t);
    for (int i = 0; i < 100; i++) {
        char t2[32];
        snprintf(t2, sizeof t2, "10.0.%d.%d", i % 3, i);
        ts_prefix_t p = pfx(t2);
        used += ts_targetset_add(s, &p, limit - used);
    }
    assert_true(used <= limit);
    ts_targetset_get(s, 100, a, &t);
    assert_int_equal(t.n, 3); /* the three /24s the hosts are in */
    ts_targets_summary(&t, buf, sizeof buf);
    assert_string_equal(buf, "100 targets in 10.0.0.0/22");
    ts_targetset_free(s);
    ts_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),      cmocka_unit_test(test_normalize_and_text),
        cmocka_unit_test(test_summary),      cmocka_unit_test(test_cover),
        cmocka_unit_test(test_normalize_v4), cmocka_unit_test(test_merge),
        cmocka_unit_test(test_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
