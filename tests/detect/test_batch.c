/* SPDX-License-Identifier: Apache-2.0 */
/* ts_detect_flows must have exactly the effect of per-flow ts_detect_flow,
 * across table growth (small initial tables, many keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "detect/detect.h"

static uint64_t rng = 12345;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static ts_ip_t v4(uint32_t a)
{
    ts_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = TS_AF_INET;
    ip.bytes[0] = (uint8_t)(a >> 24);
    ip.bytes[1] = (uint8_t)(a >> 16);
    ip.bytes[2] = (uint8_t)(a >> 8);
    ip.bytes[3] = (uint8_t)a;
    return ip;
}

#define N 200000
static ts_flow_t flows[N];

struct sum {
    uint64_t n, hash;
};
static void on_ev(const ts_event_t *ev, void *ctx)
{
    struct sum *s = ctx;
    s->n++;
    s->hash = s->hash * 31 + (uint64_t)ev->count;
    for (size_t i = 0; i < ev->n_extra; i++)
        for (size_t k = 0; k < ev->extra[i].value_json.len; k++)
            s->hash = s->hash * 131 + (unsigned char)ev->extra[i].value_json.ptr[k];
}

static void run(int batch, struct sum *s, ts_detect_stats_t *st)
{
    ts_detect_config_t cfg;
    ts_detect_config_init(&cfg);
    cfg.max_sources = 20000; /* growth, then eviction */
    cfg.max_destinations = 20000;
    cfg.flood_pps = 2000;
    ts_detector_t *d = ts_detector_new(&cfg);
    ts_arena_t *a = ts_arena_new(4096);
    memset(s, 0, sizeof *s);
    int64_t next = flows[0].last_ms + 1000;
    for (size_t i = 0; i < N;) {
        if (flows[i].last_ms >= next) {
            ts_detect_tick(d, next, a, on_ev, s);
            ts_arena_reset(a);
            next += 1000;
            continue;
        }
        size_t j = i + 1;
        while (batch && j < N && j - i < 100 && flows[j].last_ms < next)
            j++;
        if (batch)
            ts_detect_flows(d, flows + i, j - i);
        else
            ts_detect_flow(d, &flows[i]);
        i = j;
    }
    ts_detect_tick(d, next + 400000, a, on_ev, s);
    ts_detect_get_stats(d, st);
    ts_arena_free(a);
    ts_detector_free(d);
}

static void test_invalid(void **state)
{
    (void)state;
    ts_detect_flows(NULL, flows, 1);
    ts_detector_t *d = ts_detector_new(NULL);
    ts_detect_flows(d, NULL, 5);
    ts_flow_t bad;
    memset(&bad, 0, sizeof bad); /* no addresses */
    ts_detect_flows(d, &bad, 1);
    ts_detect_stats_t st;
    ts_detect_get_stats(d, &st);
    assert_int_equal(st.ignored, 1);
    assert_int_equal(st.flows, 0);
    ts_detector_free(d);
}

static void test_same_as_single(void **state)
{
    (void)state;
    const int64_t t0 = INT64_C(1764000000000);
    for (size_t i = 0; i < N; i++) {
        ts_flow_t *f = &flows[i];
        memset(f, 0, sizeof *f);
        uint32_t r = rnd() % 10;
        f->src = v4(0x0a000000u + rnd() % 60000);
        f->dst = v4(0xc0a80000u + rnd() % 3000);
        f->src_port = (uint16_t)(1024 + rnd() % 60000);
        f->dst_port = r < 3 ? 22 : 443;
        f->proto = r < 8 ? 6 : 17;
        f->tcp_flags = r < 2 ? 0x02 : 0x1b;
        f->packets = 1 + rnd() % 30;
        f->bytes = f->packets * 100;
        if (r == 9) { /* scanners and a flood */
            f->src = v4(0xcb007100u + rnd() % 4);
            f->dst = v4(rnd());
            f->tcp_flags = 0x02;
            f->proto = 6;
            f->packets = 1;
        } else if (i > N / 3 && i < N / 2 && r == 8) {
            f->dst = v4(0xc0a80050u);
            f->packets = 400;
        }
        f->first_ms = f->last_ms = t0 + (int64_t)i / 4;
    }
    struct sum a, b;
    ts_detect_stats_t sa, sb;
    run(0, &a, &sa);
    run(1, &b, &sb);
    assert_true(a.n > 0);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.hash, b.hash);
    assert_int_equal(sa.flows, sb.flows);
    assert_int_equal(sa.evicted_sources, sb.evicted_sources);
    assert_int_equal(sa.evicted_destinations, sb.evicted_destinations);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_same_as_single),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
