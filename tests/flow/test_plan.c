/* SPDX-License-Identifier: Apache-2.0 */
/* Template plans (flow_part in flow_int.h) against the generic per-field
 * loop: random v9 and IPFIX templates (known elements at every width the
 * decoder reads, unknown and enterprise elements, repeated parts, options
 * fields in flow records) with random records, decoded both ways, must give
 * the same flows field by field. Templates without a repeated part are the
 * planned ones: the test counts them, so that it cannot pass by never
 * exercising a plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow_int.h"
#include "flowpkt.h"

#define MAXF 4096

typedef struct got {
    ts_flow_t f[MAXF];
    size_t n;
} got_t;

static void collect(const ts_flow_t *f, size_t n, void *ctx)
{
    got_t *g = ctx;
    for (size_t i = 0; i < n && g->n < MAXF; i++)
        g->f[g->n++] = f[i];
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* An element and the widths it may come in (0 ends the list). */
struct ie {
    uint16_t id;
    int part; /* enum flow_part it feeds, -1 none */
    uint16_t widths[5];
};

static const struct ie ies[] = {
    {1, FP_BYTES, {4, 8, 2, 3, 0}},
    {85, FP_BYTES_TOT, {8, 4, 0}},
    {2, FP_PKTS, {4, 8, 1, 0}},
    {86, FP_PKTS_TOT, {8, 4, 0}},
    {4, FP_PROTO, {1, 0}},
    {5, FP_TOS, {1, 0}},
    {6, FP_FLAGS, {1, 2, 0}},
    {7, FP_SPORT, {2, 0}},
    {11, FP_DPORT, {2, 0}},
    {8, FP_SRC, {4, 0}},
    {12, FP_DST, {4, 0}},
    {27, FP_SRC, {16, 0}},
    {28, FP_DST, {16, 0}},
    {10, FP_INIF, {2, 4, 0}},
    {14, FP_OUTIF, {2, 4, 0}},
    {16, FP_SRCAS, {2, 4, 0}},
    {17, FP_DSTAS, {2, 4, 0}},
    {22, FP_UP_FIRST, {4, 0}},
    {21, FP_UP_LAST, {4, 0}},
    {150, FP_FIRST, {4, 0}},
    {151, FP_LAST, {4, 0}},
    {152, FP_FIRST, {8, 0}},
    {153, FP_LAST, {8, 0}},
    {154, FP_FIRST, {8, 0}},
    {155, FP_LAST, {8, 0}},
    {158, FP_FIRST, {4, 0}},
    {159, FP_LAST, {4, 0}},
    {160, -2, {8, 0}}, /* not in plans */
    {34, -2, {4, 0}},
    {305, -2, {4, 0}},
    {9999, -1, {3, 7, 1, 0}}, /* unknown */
};
#define N_IES (sizeof ies / sizeof ies[0])

struct field {
    uint16_t id, len;
    uint32_t pen;
};

/* A random flow template: always an address (or it holds no flows),
 * mostly one field per part, sometimes a repeat. Returns the field count;
 * *planned says whether the decoder should give it a plan. */
static unsigned random_template(struct field *f, bool v10, bool *planned)
{
    unsigned n = 0;
    int seen[FP_COUNT_ + 1] = {0};
    bool other = false;
    f[n++] = (struct field){.id = rnd() % 2 ? 8 : 27, .len = 0};
    f[0].len = f[0].id == 8 ? 4 : 16;
    seen[FP_SRC]++;
    unsigned want = 3 + rnd() % 14;
    while (n < want) {
        const struct ie *e = &ies[rnd() % N_IES];
        unsigned nw = 0;
        while (nw < 5 && e->widths[nw])
            nw++;
        uint16_t len = e->widths[rnd() % nw];
        uint32_t pen = 0;
        if (v10 && rnd() % 10 == 0)
            pen = 1 + rnd() % 50000; /* enterprise: never interpreted */
        if (e->part >= 0 && pen == 0) {
            if (seen[e->part] && rnd() % 4 != 0)
                continue; /* mostly no repeat */
            seen[e->part]++;
        } else if (e->part == -2 && pen == 0) {
            other = true;
        }
        f[n++] = (struct field){.id = e->id, .len = len, .pen = pen};
    }
    bool dup = false;
    for (int p = 0; p < FP_COUNT_; p++)
        if (seen[p] > 1)
            dup = true;
    *planned = !dup && !other;
    return n;
}

static void put_template(pb_t *p, bool v10, uint16_t tid, const struct field *f, unsigned n)
{
    size_t at = pb_set(p, v10 ? 2 : 0);
    pb_u16(p, tid);
    pb_u16(p, n);
    for (unsigned i = 0; i < n; i++) {
        if (f[i].pen) {
            pb_u16(p, f[i].id | 0x8000);
            pb_u16(p, f[i].len);
            pb_u32(p, f[i].pen);
        } else {
            pb_u16(p, f[i].id);
            pb_u16(p, f[i].len);
        }
    }
    pb_set_end(p, at);
}

static void put_records(pb_t *p, uint16_t tid, const struct field *f, unsigned n, unsigned count)
{
    size_t at = pb_set(p, tid);
    for (unsigned r = 0; r < count; r++)
        for (unsigned i = 0; i < n; i++)
            for (unsigned b = 0; b < f[i].len; b++)
                pb_u8(p, rnd() % 3 == 0 ? 0 : rnd());
    pb_set_end(p, at);
}

static void same_flow(const ts_flow_t *a, const ts_flow_t *b)
{
    assert_int_equal(a->src.family, b->src.family);
    assert_memory_equal(a->src.bytes, b->src.bytes, 16);
    assert_int_equal(a->dst.family, b->dst.family);
    assert_memory_equal(a->dst.bytes, b->dst.bytes, 16);
    assert_int_equal(a->src_port, b->src_port);
    assert_int_equal(a->dst_port, b->dst_port);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->tcp_flags, b->tcp_flags);
    assert_int_equal(a->tos, b->tos);
    assert_int_equal(a->packets, b->packets);
    assert_int_equal(a->bytes, b->bytes);
    assert_int_equal(a->first_ms, b->first_ms);
    assert_int_equal(a->last_ms, b->last_ms);
    assert_int_equal(a->src_as, b->src_as);
    assert_int_equal(a->dst_as, b->dst_as);
    assert_int_equal(a->in_if, b->in_if);
    assert_int_equal(a->out_if, b->out_if);
    assert_int_equal(a->sampling, b->sampling);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->domain, b->domain);
    assert_memory_equal(a->exporter.bytes, b->exporter.bytes, 16);
}

static got_t ga, gb;

static void run(bool v10)
{
    ts_ip_t from = {.family = TS_AF_INET, .bytes = {192, 0, 2, 9}};
    unsigned planned_templates = 0, generic_templates = 0;
    size_t planned_flows = 0;
    static pb_t p;
    for (unsigned iter = 0; iter < 400; iter++) {
        struct field f[40];
        bool planned;
        unsigned n = random_template(f, v10, &planned);
        uint16_t tid = (uint16_t)(256 + iter);
        if (v10)
            pb_ipfix(&p, 1700000000 + iter, 0, 7);
        else
            pb_v9(&p, 3600000 + iter, 1700000000 + iter, iter, 7);
        put_template(&p, v10, tid, f, n);
        put_records(&p, tid, f, n, 1 + rnd() % 40);
        if (v10)
            pb_ipfix_end(&p);

        ga.n = gb.n = 0;
        ts_flow_decoder_t *a = ts_flow_decoder_new(NULL), *b = ts_flow_decoder_new(NULL);
        flow_plans_disabled = false;
        int ra = ts_flow_decode(a, &from, p.b, p.n, collect, &ga);
        flow_plans_disabled = true;
        int rb = ts_flow_decode(b, &from, p.b, p.n, collect, &gb);
        flow_plans_disabled = false;
        assert_int_equal(ra, rb);
        assert_true(ra > 0);
        assert_int_equal(ga.n, gb.n);
        for (size_t i = 0; i < ga.n; i++)
            same_flow(&ga.f[i], &gb.f[i]);
        /* The decoder agrees on which templates get a plan. */
        struct flow_ctx c = {.d = a, .e = a->last, .export_ms = INT64_MIN / 4};
        const struct flow_tmpl *t = flow_tmpl_find(&c, tid);
        assert_non_null(t);
        assert_int_equal(t->planned, planned);
        if (planned) {
            planned_templates++;
            planned_flows += ga.n;
        } else {
            generic_templates++;
        }
        ts_flow_decoder_free(a);
        ts_flow_decoder_free(b);
    }
    /* Both kinds were exercised. */
    assert_true(planned_templates >= 50);
    assert_true(generic_templates >= 50);
    assert_true(planned_flows >= 1000);
}

static void test_v9_plans_match_generic(void **state)
{
    (void)state;
    run(false);
}

static void test_ipfix_plans_match_generic(void **state)
{
    (void)state;
    run(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v9_plans_match_generic),
        cmocka_unit_test(test_ipfix_plans_match_generic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
