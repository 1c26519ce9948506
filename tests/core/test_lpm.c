/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "core/lpm.h"
#include "testutil.h"

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    if (ts_prefix_parse(s, strlen(s), &p) != 0)
        fail_msg("bad prefix in test: %s", s);
    return p;
}

static ts_ip_t ip(const char *s)
{
    ts_ip_t a;
    if (ts_ip_parse(s, strlen(s), &a) != 0)
        fail_msg("bad address in test: %s", s);
    return a;
}

static uint32_t look(ts_lpm_t *t, const char *s)
{
    ts_ip_t a = ip(s);
    return ts_lpm_lookup(t, &a);
}

static void test_invalid(void **state)
{
    (void)state;
    ts_lpm_t *t = ts_lpm_new();
    ts_prefix_t p;
    memset(&p, 0, sizeof p);
    assert_int_equal(ts_lpm_insert(t, &p, 1, NULL), TS_EINVAL); /* family NONE */
    p = pfx("10.0.0.0/8");
    p.len = 33;
    assert_int_equal(ts_lpm_insert(t, &p, 1, NULL), TS_EINVAL);
    p = pfx("::/0");
    p.len = 129;
    assert_int_equal(ts_lpm_insert(t, &p, 1, NULL), TS_EINVAL);
    p = pfx("10.0.0.0/8");
    assert_int_equal(ts_lpm_insert(t, &p, TS_LPM_NONE, NULL), TS_EINVAL);
    p.addr.bytes[3] = 1; /* host bits set */
    assert_int_equal(ts_lpm_insert(t, &p, 1, NULL), TS_EINVAL);
    p = pfx("2001:db8::/32");
    p.addr.bytes[15] = 1;
    assert_int_equal(ts_lpm_insert(t, &p, 1, NULL), TS_EINVAL);
    assert_int_equal(ts_lpm_count(t), 0);

    p = pfx("10.0.0.0/8");
    assert_int_equal(ts_lpm_remove(t, &p), TS_ENOENT);
    /* Empty table, and addresses of no family, match nothing. */
    assert_int_equal(look(t, "10.1.2.3"), TS_LPM_NONE);
    assert_int_equal(look(t, "::1"), TS_LPM_NONE);
    ts_ip_t none;
    memset(&none, 0, sizeof none);
    assert_int_equal(ts_lpm_lookup(t, &none), TS_LPM_NONE);
    ts_lpm_free(t);
    ts_lpm_free(NULL);
}

static void test_duplicate(void **state)
{
    (void)state;
    ts_lpm_t *t = ts_lpm_new();
    ts_prefix_t p = pfx("192.0.2.0/24");
    uint32_t old = 0;
    assert_int_equal(ts_lpm_insert(t, &p, 7, NULL), 0);
    assert_int_equal(ts_lpm_insert(t, &p, 8, &old), TS_EEXIST);
    assert_int_equal(old, 7);
    assert_int_equal(ts_lpm_insert(t, &p, 9, NULL), TS_EEXIST);
    assert_int_equal(look(t, "192.0.2.9"), 7); /* the first value stays */
    /* Same bits, other length or family: distinct prefixes. */
    ts_prefix_t p25 = pfx("192.0.2.0/25");
    assert_int_equal(ts_lpm_insert(t, &p25, 10, NULL), 0);
    ts_prefix_t z4 = pfx("0.0.0.0/0"), z6 = pfx("::/0");
    assert_int_equal(ts_lpm_insert(t, &z4, 11, NULL), 0);
    assert_int_equal(ts_lpm_insert(t, &z6, 12, NULL), 0);
    assert_int_equal(ts_lpm_count(t), 4);
    assert_int_equal(ts_lpm_remove(t, &p), 0);
    assert_int_equal(ts_lpm_remove(t, &p), TS_ENOENT);
    assert_int_equal(ts_lpm_insert(t, &p, 13, &old), 0);
    assert_int_equal(look(t, "192.0.2.200"), 13);
    ts_lpm_free(t);
}

static void test_basic(void **state)
{
    (void)state;
    ts_lpm_t *t = ts_lpm_new();
    static const struct {
        const char *p;
        uint32_t v;
    } rules[] = {
        {"0.0.0.0/0", 1},
        {"10.0.0.0/8", 2},
        {"10.1.0.0/16", 3},
        {"10.1.2.0/24", 4},
        {"10.1.2.3/32", 5},
        {"10.1.2.128/25", 6},
        {"192.0.2.0/31", 7},
        {"::/0", 100},
        {"2001:db8::/32", 101},
        {"2001:db8::/48", 102},
        {"2001:db8::1/128", 103},
        {"2001:db8:0:0:8000::/65", 104},
        {"::ffff:0.0.0.0/96", 105},
        {"ffff::/16", 106},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 107},
    };
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        ts_prefix_t p = pfx(rules[k].p);
        assert_int_equal(ts_lpm_insert(t, &p, rules[k].v, NULL), 0);
    }
    assert_int_equal(look(t, "11.0.0.0"), 1);
    assert_int_equal(look(t, "10.255.255.255"), 2);
    assert_int_equal(look(t, "10.1.255.0"), 3);
    assert_int_equal(look(t, "10.1.2.2"), 4);
    assert_int_equal(look(t, "10.1.2.3"), 5);
    assert_int_equal(look(t, "10.1.2.4"), 4);
    assert_int_equal(look(t, "10.1.2.128"), 6);
    assert_int_equal(look(t, "10.1.2.255"), 6);
    assert_int_equal(look(t, "192.0.2.1"), 7);
    assert_int_equal(look(t, "192.0.2.2"), 1);
    assert_int_equal(look(t, "2001:db9::"), 100);
    assert_int_equal(look(t, "2001:db8:1::"), 101);
    assert_int_equal(look(t, "2001:db8::2"), 102);
    assert_int_equal(look(t, "2001:db8::1"), 103);
    assert_int_equal(look(t, "2001:db8::8000:0:0:1"), 104);
    assert_int_equal(look(t, "2001:db8::7fff:0:0:1"), 102);
    /* A mapped address is IPv6: the IPv4 rules do not apply. */
    assert_int_equal(look(t, "::ffff:10.1.2.3"), 105);
    assert_int_equal(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 107);
    assert_int_equal(look(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"), 106);
    assert_int_equal(ts_lpm_lookup4(t, 0x0a010203u), 5);
    ts_ip_t a = ip("2001:db8::1");
    assert_int_equal(ts_lpm_lookup6(t, a.bytes), 103);

    /* Changes after lookups are seen by the next lookup. */
    ts_prefix_t p = pfx("10.1.2.3/32");
    assert_int_equal(ts_lpm_remove(t, &p), 0);
    assert_int_equal(look(t, "10.1.2.3"), 4);
    p = pfx("0.0.0.0/0");
    assert_int_equal(ts_lpm_remove(t, &p), 0);
    assert_int_equal(look(t, "11.0.0.0"), TS_LPM_NONE);
    p = pfx("10.1.2.3/32");
    assert_int_equal(ts_lpm_insert(t, &p, 55, NULL), 0);
    ts_lpm_build(t);
    assert_int_equal(look(t, "10.1.2.3"), 55);
    assert_true(ts_lpm_memory(t) > 0);
    ts_lpm_free(t);
}

/* ---- randomized differential tests -------------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3u;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static unsigned nbits(const ts_prefix_t *p)
{
    return p->addr.family == TS_AF_INET ? 32 : 128;
}

static void clear_host_bits(ts_prefix_t *p)
{
    unsigned total = nbits(p);
    for (unsigned b = p->len; b < total; b++)
        p->addr.bytes[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
}

struct ref {
    ts_prefix_t *p;
    uint32_t *v;
    size_t n, cap;
};

/* A random prefix: often a more-specific of an existing one (nesting), else
 * near one of a few clusters (deep shared paths), else anywhere; lengths
 * include 0 and the full width. */
static ts_prefix_t random_prefix(const struct ref *r)
{
    ts_prefix_t p;
    memset(&p, 0, sizeof p);
    uint64_t mode = rnd() % 8;
    if (mode < 3 && r->n > 0) {
        p = r->p[rnd() % r->n];
        unsigned total = nbits(&p);
        unsigned len = p.len + (unsigned)(rnd() % (total - p.len + 1));
        for (unsigned b = p.len; b < total; b++)
            if (rnd() & 1)
                p.addr.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
        p.len = (uint8_t)len;
    } else {
        p.addr.family = rnd() & 1 ? TS_AF_INET6 : TS_AF_INET;
        unsigned total = nbits(&p);
        for (unsigned k = 0; k < total / 8; k++)
            p.addr.bytes[k] = (uint8_t)rnd();
        if (mode < 6) { /* cluster: fixed top bytes */
            p.addr.bytes[0] = (uint8_t)(0x20 + rnd() % 3);
            p.addr.bytes[1] = 0x01;
        }
        uint64_t lsel = rnd() % 16;
        p.len = lsel == 0 ? 0 : lsel == 1 ? (uint8_t)total : (uint8_t)(rnd() % (total + 1));
    }
    clear_host_bits(&p);
    return p;
}

static ts_ip_t random_addr(const struct ref *r)
{
    ts_ip_t a;
    memset(&a, 0, sizeof a);
    uint64_t mode = rnd() % 4;
    if (mode == 0 || r->n == 0) {
        a.family = rnd() & 1 ? TS_AF_INET6 : TS_AF_INET;
        for (unsigned k = 0; k < (a.family == TS_AF_INET ? 4u : 16u); k++)
            a.bytes[k] = (uint8_t)rnd();
        return a;
    }
    const ts_prefix_t *p = &r->p[rnd() % r->n];
    a = p->addr;
    unsigned total = nbits(p);
    /* inside (random host bits), first, or last address of a prefix */
    for (unsigned b = p->len; b < total; b++) {
        bool one = mode == 1 ? (rnd() & 1) : mode == 3;
        if (one)
            a.bytes[b / 8] |= (uint8_t)(0x80u >> (b % 8));
    }
    return a;
}

static uint32_t ref_lookup(const struct ref *r, const ts_ip_t *a)
{
    int best = -1;
    uint32_t v = TS_LPM_NONE;
    for (size_t k = 0; k < r->n; k++) {
        if ((int)r->p[k].len > best && ts_prefix_contains(&r->p[k], a)) {
            best = r->p[k].len;
            v = r->v[k];
        }
    }
    return v;
}

static size_t ref_find(const struct ref *r, const ts_prefix_t *p)
{
    for (size_t k = 0; k < r->n; k++)
        if (r->p[k].len == p->len && ts_ip_equal(&r->p[k].addr, &p->addr))
            return k;
    return SIZE_MAX;
}

static void check_lookups(ts_lpm_t *t, const struct ref *r, int count, size_t *checked)
{
    for (int i = 0; i < count; i++) {
        ts_ip_t a = random_addr(r);
        uint32_t want = ref_lookup(r, &a), got = ts_lpm_lookup(t, &a);
        if (want != got) {
            char buf[TS_IP_STRLEN];
            ts_ip_format(&a, buf, sizeof buf);
            fail_msg("lookup %s: got %u, want %u", buf, got, want);
        }
        (*checked)++;
    }
}

/* The overlap walk against the reference: containing prefixes shortest
 * first, then those inside in (address, length) order. */
struct walked {
    ts_prefix_t p[4096];
    uint32_t v[4096];
    size_t n;
};

static int collect_overlap(const ts_prefix_t *p, uint32_t v, void *ctx)
{
    struct walked *w = ctx;
    if (w->n == 4096)
        return 1;
    w->p[w->n] = *p;
    w->v[w->n++] = v;
    return 0;
}

static int cmp_prefix(const void *a, const void *b)
{
    return ts_prefix_compare(a, b);
}

static void check_overlaps(ts_lpm_t *t, const struct ref *r, int count, size_t *checked)
{
    static struct walked got;
    static ts_prefix_t want_in[4096];
    for (int i = 0; i < count; i++) {
        /* A query at, above or below a stored prefix, or anywhere. */
        ts_prefix_t q;
        memset(&q, 0, sizeof q);
        q.addr = random_addr(r);
        unsigned total = nbits(&q);
        q.len = (uint8_t)(rnd() % (total + 1));
        clear_host_bits(&q);
        got.n = 0;
        assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &got), 0);
        size_t k = 0, n_in = 0;
        for (unsigned len = 0; len <= q.len; len++)
            for (size_t j = 0; j < r->n; j++)
                if (r->p[j].len == len && ts_prefix_covers(&r->p[j], &q)) {
                    if (k >= got.n || ts_prefix_compare(&got.p[k], &r->p[j]) != 0 ||
                        got.v[k] != r->v[j])
                        fail_msg("overlap walk: containing prefix %zu differs", k);
                    k++;
                }
        for (size_t j = 0; j < r->n; j++)
            if (r->p[j].len > q.len && ts_prefix_covers(&q, &r->p[j]))
                want_in[n_in++] = r->p[j];
        qsort(want_in, n_in, sizeof *want_in, cmp_prefix);
        if (got.n != k + n_in)
            fail_msg("overlap walk: %zu prefixes, want %zu", got.n, k + n_in);
        for (size_t j = 0; j < n_in; j++) {
            if (ts_prefix_compare(&got.p[k + j], &want_in[j]) != 0)
                fail_msg("overlap walk: inside prefix %zu differs", j);
            assert_int_equal(got.v[k + j], r->v[ref_find(r, &want_in[j])]);
        }
        (*checked)++;
    }
}

static int stop_at_second(const ts_prefix_t *p, uint32_t v, void *ctx)
{
    int *seen = ctx;
    return ++*seen == 2 ? 42 : 0;
}

static void test_overlaps(void **state)
{
    (void)state;
    ts_lpm_t *t = ts_lpm_new();
    ts_prefix_t q;
    memset(&q, 0, sizeof q);
    static struct walked w;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), TS_EINVAL);
    q = pfx("10.1.0.0/16");
    q.addr.bytes[3] = 1;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), TS_EINVAL);
    q = pfx("10.1.0.0/16");
    w.n = 0;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), 0); /* empty table */
    assert_int_equal(w.n, 0);
    const char *claims[] = {"10.0.0.0/8",  "10.1.0.0/16",   "10.1.2.0/24", "10.1.3.0/24",
                            "10.2.0.0/16", "10.1.3.128/25", "::/0",        "0.0.0.0/1"};
    for (uint32_t i = 0; i < sizeof claims / sizeof *claims; i++) {
        ts_prefix_t p = pfx(claims[i]);
        assert_int_equal(ts_lpm_insert(t, &p, i, NULL), 0);
    }
    w.n = 0;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), 0);
    static const uint32_t want[] = {7, 0, 1, 2, 3, 5};
    assert_int_equal(w.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(w.v[i], want[i]);
    /* A host: only what contains it. */
    q = pfx("10.1.3.200");
    w.n = 0;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), 0);
    assert_int_equal(w.n, 5);
    assert_int_equal(w.v[4], 5);
    /* The whole space of a family. */
    q = pfx("0.0.0.0/0");
    w.n = 0;
    assert_int_equal(ts_lpm_overlaps(t, &q, collect_overlap, &w), 0);
    assert_int_equal(w.n, 7);
    int seen = 0;
    assert_int_equal(ts_lpm_overlaps(t, &q, stop_at_second, &seen), 42);
    assert_int_equal(seen, 2);
    ts_lpm_free(t);
}

static void test_random_vs_linear(void **state)
{
    (void)state;
    struct ref r = {0};
    r.cap = 4096;
    r.p = calloc(r.cap, sizeof *r.p);
    r.v = calloc(r.cap, sizeof *r.v);
    assert_non_null(r.p);
    assert_non_null(r.v);
    ts_lpm_t *t = ts_lpm_new();
    uint32_t next_value = 0;
    size_t checked = 0, walked = 0;
    for (int round = 0; round < 12; round++) {
        /* grow */
        int adds = round < 6 ? 500 : 150;
        for (int i = 0; i < adds && r.n < r.cap; i++) {
            ts_prefix_t p = random_prefix(&r);
            uint32_t old = 0, v = next_value++;
            int rc = ts_lpm_insert(t, &p, v, &old);
            size_t at = ref_find(&r, &p);
            if (at != SIZE_MAX) {
                assert_int_equal(rc, TS_EEXIST);
                assert_int_equal(old, r.v[at]);
            } else {
                assert_int_equal(rc, 0);
                r.p[r.n] = p;
                r.v[r.n++] = v;
            }
            /* Occasionally look up between inserts: the lazy rebuild path. */
            if (i % 97 == 0)
                check_lookups(t, &r, 20, &checked);
        }
        assert_int_equal(ts_lpm_count(t), r.n);
        check_lookups(t, &r, 8000, &checked);
        check_overlaps(t, &r, 300, &walked);
        /* shrink */
        int removes = round % 3 == 2 ? (int)(r.n / 2) : (int)(r.n / 10);
        for (int i = 0; i < removes && r.n > 0; i++) {
            size_t k = rnd() % r.n;
            assert_int_equal(ts_lpm_remove(t, &r.p[k]), 0);
            assert_int_equal(ts_lpm_remove(t, &r.p[k]), TS_ENOENT);
            r.p[k] = r.p[r.n - 1];
            r.v[k] = r.v[r.n - 1];
            r.n--;
        }
        assert_int_equal(ts_lpm_count(t), r.n);
        check_lookups(t, &r, 2000, &checked);
        check_overlaps(t, &r, 100, &walked);
    }
    assert_true(checked >= 100000);
    assert_int_equal(walked, 12 * 400);
    ts_lpm_free(t);
    free(r.p);
    free(r.v);
}

/* Large table: the reference is a sorted array probed once per length, which
 * is exact and fast enough for 200k prefixes. */
struct keyed {
    ts_prefix_t p;
    uint32_t v;
};

static int cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    int c = ts_ip_compare(&a->p.addr, &b->p.addr);
    if (c)
        return c;
    return (a->p.len > b->p.len) - (a->p.len < b->p.len);
}

static uint32_t sorted_lookup(const struct keyed *s, size_t n, const ts_ip_t *a)
{
    unsigned total = a->family == TS_AF_INET ? 32 : 128;
    for (int len = (int)total; len >= 0; len--) {
        struct keyed key;
        memset(&key, 0, sizeof key);
        key.p.addr = *a;
        key.p.len = (uint8_t)len;
        clear_host_bits(&key.p);
        const struct keyed *hit = bsearch(&key, s, n, sizeof *s, cmp_keyed);
        if (hit)
            return hit->v;
    }
    return TS_LPM_NONE;
}

static void test_random_large(void **state)
{
    (void)state;
    const size_t want = 200000;
    struct ref r = {0};
    r.cap = want;
    r.p = calloc(r.cap, sizeof *r.p);
    r.v = calloc(r.cap, sizeof *r.v);
    struct keyed *s = calloc(want, sizeof *s);
    assert_non_null(r.p);
    assert_non_null(r.v);
    assert_non_null(s);
    ts_lpm_t *t = ts_lpm_new();
    uint32_t next = 0;
    size_t n4 = 0;
    while (r.n < want) {
        ts_prefix_t p = random_prefix(&r);
        /* Realistic lengths dominate big tables; enough IPv4 prefixes that
         * the large-table IPv4 layout (24-bit direct table) is the one used. */
        uint64_t sel = rnd() % 4;
        if (r.n > 1000 && sel == 0) {
            p.addr.family = TS_AF_INET;
            for (int k = 0; k < 4; k++)
                p.addr.bytes[k] = (uint8_t)rnd();
            p.len = (uint8_t)(16 + rnd() % 17);
            clear_host_bits(&p);
        } else if (r.n > 1000 && sel == 1) {
            p.len = p.addr.family == TS_AF_INET ? (uint8_t)(16 + rnd() % 9)
                                                : (uint8_t)(32 + rnd() % 33);
            clear_host_bits(&p);
        }
        int rc = ts_lpm_insert(t, &p, next, NULL);
        if (rc == TS_EEXIST)
            continue;
        assert_int_equal(rc, 0);
        n4 += p.addr.family == TS_AF_INET;
        r.p[r.n] = p;
        r.v[r.n++] = next++;
    }
    for (size_t k = 0; k < r.n; k++)
        s[k] = (struct keyed){r.p[k], r.v[k]};
    qsort(s, r.n, sizeof *s, cmp_keyed);
    assert_true(n4 >= 65536);
    ts_lpm_build(t);
    for (int i = 0; i < 100000; i++) {
        ts_ip_t a = random_addr(&r);
        uint32_t w = sorted_lookup(s, r.n, &a), g = ts_lpm_lookup(t, &a);
        if (w != g) {
            char buf[TS_IP_STRLEN];
            ts_ip_format(&a, buf, sizeof buf);
            fail_msg("lookup %s: got %u, want %u", buf, g, w);
        }
    }
    printf("large table: %zu prefixes (%zu IPv4), %zu bytes\n", ts_lpm_count(t), n4,
           ts_lpm_memory(t));
    ts_lpm_free(t);
    free(s);
    free(r.p);
    free(r.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_duplicate),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_random_vs_linear),
        cmocka_unit_test(test_random_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
