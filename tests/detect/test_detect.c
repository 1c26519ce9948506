/* SPDX-License-Identifier: Apache-2.0 */
/* Flow detectors against synthetic traffic with known ground truth. Every
 * stream is generated here from a fixed seed, second by second, with a tick
 * at the end of each second (as a collector ticking on export time would). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/taxonomy.h"
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "testutil.h"

#define T0 INT64_C(1764000000000) /* a multiple of every window used here */
#define MAX_CAP 64

/* ---------- capture of reported events (copied out of the arena) ---------- */

typedef struct cap_ev {
    ts_type_t type;
    char ident[64], feed[32], transport[16];
    ts_ip_t src, dst;
    int32_t dport;
    int64_t time_source;
    uint64_t count;
    uint32_t n_extra;
    char keys[TS_EVENT_EXTRA_MAX][40];
    char vals[TS_EVENT_EXTRA_MAX][64];
    /* The destination's targets: n 0 when none (at most 1024 kept). */
    uint32_t n_targets;
    uint64_t targets_count;
    ts_prefix_t targets[1024];
} cap_ev_t;

typedef struct cap {
    int n;
    cap_ev_t ev[MAX_CAP];
} cap_t;

static void copy_str(char *dst, size_t size, ts_str_t s)
{
    size_t n = s.ptr ? (s.len < size - 1 ? s.len : size - 1) : 0;
    if (n)
        memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

static void on_event(const ts_event_t *ev, void *ctx)
{
    cap_t *c = ctx;
    if (c->n >= MAX_CAP) {
        c->n++;
        return;
    }
    cap_ev_t *o = &c->ev[c->n++];
    memset(o, 0, sizeof *o);
    o->type = ev->type;
    copy_str(o->ident, sizeof o->ident, ev->identifier);
    copy_str(o->feed, sizeof o->feed, ev->feed_name);
    copy_str(o->transport, sizeof o->transport, ev->transport);
    o->src = ev->src.ip;
    o->dst = ev->dst.ip;
    o->dport = ev->dst.port;
    o->time_source = ev->time_source;
    o->count = ev->count;
    o->n_extra = ev->n_extra;
    if (ev->dst.targets) {
        o->n_targets = ev->dst.targets->n;
        o->targets_count = ev->dst.targets->count;
        memcpy(o->targets, ev->dst.targets->list,
               (o->n_targets < 1024 ? o->n_targets : 1024) * sizeof *o->targets);
    }
    for (uint32_t i = 0; i < ev->n_extra; i++) {
        copy_str(o->keys[i], sizeof o->keys[i], ev->extra[i].key);
        copy_str(o->vals[i], sizeof o->vals[i], ev->extra[i].value_json);
    }
}

static const char *xval(const cap_ev_t *e, const char *key)
{
    for (uint32_t i = 0; i < e->n_extra; i++)
        if (strcmp(e->keys[i], key) == 0)
            return e->vals[i];
    return NULL;
}

static uint64_t xnum(const cap_ev_t *e, const char *key)
{
    const char *v = xval(e, key);
    if (!v)
        fail_msg("extra %s missing", key);
    return strtoull(v, NULL, 10);
}

static const char *type_name(const cap_ev_t *e)
{
    return ts_type_name(e->type);
}

static void dump(const cap_t *c)
{
    for (int i = 0; i < c->n && i < MAX_CAP; i++) {
        const cap_ev_t *e = &c->ev[i];
        char s[TS_IP_STRLEN] = "-", d[TS_IP_STRLEN] = "-";
        if (e->src.family)
            ts_ip_format(&e->src, s, sizeof s);
        if (e->dst.family)
            ts_ip_format(&e->dst, d, sizeof d);
        fprintf(stderr, "  event %s %s src=%s dst=%s:%d count=%llu", type_name(e), e->ident, s, d,
                e->dport, (unsigned long long)e->count);
        for (uint32_t k = 0; k < e->n_extra; k++)
            fprintf(stderr, " %s=%s", e->keys[k], e->vals[k]);
        fprintf(stderr, "\n");
    }
}

/* ---------- flow generation ---------- */

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint32_t rnd_n(uint64_t *s, uint32_t n)
{
    return (uint32_t)(rnd(s) % n);
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

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };
#define F_SESSION (F_SYN | F_ACK | F_PSH | F_FIN)

typedef struct sim {
    ts_detector_t *d;
    ts_arena_t *a;
    cap_t cap;
    uint64_t rng;
} sim_t;

static void feed(sim_t *s, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                 uint8_t proto, uint8_t flags, uint64_t packets, uint64_t bytes, int64_t first,
                 int64_t dur)
{
    ts_flow_t f;
    memset(&f, 0, sizeof f);
    f.version = 10;
    f.src = v4(src);
    f.dst = v4(dst);
    f.src_port = sport;
    f.dst_port = dport;
    f.proto = proto;
    f.tcp_flags = flags;
    f.packets = packets;
    f.bytes = bytes;
    f.first_ms = first;
    f.last_ms = first + dur;
    f.sampling = 1;
    ts_detect_flow(s->d, &f);
}

static void tick(sim_t *s, int64_t now)
{
    ts_detect_tick(s->d, now, s->a, on_event, &s->cap);
    ts_arena_reset(s->a);
}

static void sim_init(sim_t *s, const ts_detect_config_t *cfg, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->d = ts_detector_new(cfg);
    s->a = ts_arena_new(4096);
    s->rng = seed;
}

static void sim_done(sim_t *s)
{
    ts_detector_free(s->d);
    ts_arena_free(s->a);
}

static uint16_t eph(sim_t *s)
{
    return (uint16_t)(32768 + rnd_n(&s->rng, 28000));
}

#define N_CLIENTS 2000
#define CLIENT(i) IP4(10, 1, (i) >> 8, (i)&255)
#define WEB(i) IP4(192, 0, 2, 1 + (i))
#define RESOLVER(i) IP4(192, 0, 2, 53 + (i))
#define SSH_SERVER IP4(192, 0, 2, 22)
#define MONITOR IP4(10, 0, 0, 2)

/* One second of a small site: web sessions (both directions), a few failed
 * connections and keepalive-only records, DNS to two resolvers and from a
 * resolver to many authoritative servers, NTP, SSH, and a monitoring host
 * pinging and polling (SNMP) 60 devices that answer. */
static void benign_second(sim_t *s, int64_t t)
{
    for (int i = 0; i < 60; i++) {
        uint32_t c = CLIENT(rnd_n(&s->rng, N_CLIENTS)), w = WEB(rnd_n(&s->rng, 5));
        uint16_t sp = eph(s), dp = rnd_n(&s->rng, 4) ? 443 : 80;
        int64_t first = t + rnd_n(&s->rng, 1000);
        int64_t dur = 50 + rnd_n(&s->rng, 5000);
        uint32_t r = rnd_n(&s->rng, 100);
        if (r < 2) { /* refused or dropped: SYN only, RST back */
            feed(s, c, sp, w, dp, 6, F_SYN, 1 + rnd_n(&s->rng, 2), 60, first, 0);
            feed(s, w, dp, c, sp, 6, F_RST | F_ACK, 1, 40, first, 0);
        } else if (r < 5) { /* keepalive-only records after the inactive timeout */
            feed(s, c, sp, w, dp, 6, F_ACK, 1, 52, first, 0);
            feed(s, w, dp, c, sp, 6, F_ACK, 1, 52, first, 0);
        } else {
            uint64_t pk = 6 + rnd_n(&s->rng, 60);
            feed(s, c, sp, w, dp, 6, F_SESSION, pk, pk * 80, first, dur);
            feed(s, w, dp, c, sp, 6, F_SESSION, pk + 5, (pk + 5) * 1200, first, dur);
        }
    }
    for (int i = 0; i < 40; i++) {
        uint32_t c = CLIENT(rnd_n(&s->rng, N_CLIENTS)), r = RESOLVER(rnd_n(&s->rng, 2));
        uint16_t sp = eph(s);
        int64_t first = t + rnd_n(&s->rng, 1000);
        feed(s, c, sp, r, 53, 17, 0, 1, 70, first, 0);
        feed(s, r, 53, c, sp, 17, 0, 1, 200, first, 1);
    }
    for (int i = 0; i < 5; i++) {
        uint32_t auth = IP4(198, 18, rnd_n(&s->rng, 2), rnd_n(&s->rng, 200));
        uint16_t sp = eph(s);
        feed(s, RESOLVER(0), sp, auth, 53, 17, 0, 1, 80, t, 2);
        feed(s, auth, 53, RESOLVER(0), sp, 17, 0, 1, 300, t, 3);
    }
    if (rnd_n(&s->rng, 2) == 0) {
        uint32_t c = CLIENT(rnd_n(&s->rng, N_CLIENTS));
        uint16_t sp = eph(s);
        feed(s, c, sp, IP4(192, 0, 2, 123), 123, 17, 0, 1, 76, t, 0);
        feed(s, IP4(192, 0, 2, 123), 123, c, sp, 17, 0, 1, 76, t, 0);
    }
    if (rnd_n(&s->rng, 20) == 0) { /* an admin's SSH session */
        uint32_t c = CLIENT(rnd_n(&s->rng, 50));
        uint16_t sp = eph(s);
        uint64_t pk = 200 + rnd_n(&s->rng, 5000);
        feed(s, c, sp, SSH_SERVER, 22, 6, F_SESSION, pk, pk * 90, t, 60000);
        feed(s, SSH_SERVER, 22, c, sp, 6, F_SESSION, pk, pk * 150, t, 60000);
    }
    if ((t / 1000) % 30 == 0) {
        for (uint32_t i = 0; i < 60; i++) {
            uint32_t dev = IP4(10, 0, 1, 1 + i);
            uint16_t sp = eph(s);
            feed(s, MONITOR, 0, dev, 8 << 8, 1, 0, 1, 84, t, 0);
            feed(s, dev, 0, MONITOR, 0, 1, 0, 1, 84, t, 0);
            feed(s, MONITOR, sp, dev, 161, 17, 0, 1, 90, t, 0);
            feed(s, dev, 161, MONITOR, sp, 17, 0, 1, 400, t, 0);
        }
    }
}

typedef void (*gen_fn)(sim_t *s, int64_t t, int sec, void *arg);

/* Runs `seconds` seconds from T0 + start_s, ticking after each second. */
static void run(sim_t *s, int start_s, int seconds, bool benign, gen_fn gen, void *arg)
{
    for (int sec = start_s; sec < start_s + seconds; sec++) {
        int64_t t = T0 + (int64_t)sec * 1000;
        if (benign)
            benign_second(s, t);
        if (gen)
            gen(s, t, sec, arg);
        tick(s, t + 1000);
    }
}

static bool same_ip(const ts_ip_t *a, uint32_t b)
{
    ts_ip_t x = v4(b);
    return ts_ip_equal(a, &x);
}

static void check_common(const cap_ev_t *e, const char *detector, int64_t wstart_ms,
                         int64_t wend_ms)
{
    char want[80];
    assert_string_equal(e->feed, "tocsin-flow");
    snprintf(want, sizeof want, "\"%s\"", detector);
    assert_non_null(xval(e, "detect.detector"));
    assert_string_equal(xval(e, "detect.detector"), want);
    assert_int_equal(e->time_source, wend_ms * 1000);
    char buf[48];
    size_t n = ts_time_format(wstart_ms * 1000, buf, sizeof buf);
    snprintf(want, sizeof want, "\"%.*s\"", (int)n, buf);
    assert_string_equal(xval(e, "detect.window_start"), want);
    n = ts_time_format(wend_ms * 1000, buf, sizeof buf);
    snprintf(want, sizeof want, "\"%.*s\"", (int)n, buf);
    assert_string_equal(xval(e, "detect.window_end"), want);
    assert_true(e->count >= 1);
}

/* ---------- invalid and degenerate input ---------- */

static void scanner_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    /* arg: number of hosts, probed on port 23 over the first seconds */
    int hosts = *(int *)arg;
    for (int i = sec * 10; i < hosts && i < sec * 10 + 10; i++)
        feed(s, IP4(203, 0, 113, 66), eph(s), IP4(10, 2, i / 250, 1 + i % 250), 23, 6, F_SYN,
             1 + rnd_n(&s->rng, 2), 60, t + rnd_n(&s->rng, 1000), 0);
}

static void test_invalid(void **state)
{
    (void)state;
    /* NULLs are harmless. */
    ts_detect_flow(NULL, NULL);
    ts_detect_tick(NULL, 0, NULL, NULL, NULL);
    ts_detector_free(NULL);
    ts_detect_stats_t st;
    ts_detect_get_stats(NULL, &st);
    assert_int_equal(st.flows, 0);

    /* A zeroed or nonsensical configuration takes the defaults: 20 hosts stay
     * below the default 25, 30 are above it. A kept zero threshold would
     * report both. */
    ts_detect_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flood_alpha = NAN;
    cfg.flood_pps = -1;
    cfg.window_ms = -5;
    for (int hosts = 20; hosts <= 30; hosts += 10) {
        sim_t s;
        sim_init(&s, &cfg, 1);
        ts_detect_flow(s.d, NULL);
        tick(&s, T0); /* before any flow: nothing to close */
        run(&s, 0, 300, false, scanner_gen, &hosts);
        assert_int_equal(s.cap.n, hosts == 30 ? 1 : 0);
        sim_done(&s);
    }

    /* Flows without addresses, or with mixed families, are ignored. */
    sim_t s;
    sim_init(&s, NULL, 2);
    ts_flow_t f;
    memset(&f, 0, sizeof f);
    f.proto = 6;
    f.tcp_flags = F_SYN;
    f.packets = 1;
    f.dst_port = 23;
    for (int i = 0; i < 500; i++) {
        f.first_ms = f.last_ms = T0 + i;
        f.src.family = TS_AF_NONE;
        f.dst = v4(IP4(10, 2, 0, 1) + (uint32_t)i);
        ts_detect_flow(s.d, &f); /* no source */
        f.src = v4(IP4(203, 0, 113, 1));
        f.dst.family = TS_AF_NONE;
        ts_detect_flow(s.d, &f); /* no destination */
        f.dst.family = TS_AF_INET6;
        ts_detect_flow(s.d, &f); /* families differ */
    }
    tick(&s, T0 + 10 * 300000);
    ts_detect_get_stats(s.d, &st);
    assert_int_equal(st.ignored, 1500);
    assert_int_equal(st.flows, 0);
    assert_int_equal(s.cap.n, 0);

    /* Extreme and backwards times: no overflow (UBSan), still one report. */
    f.src = v4(IP4(203, 0, 113, 2));
    for (int i = 0; i < 100; i++) {
        f.dst = v4(IP4(10, 3, 0, 1) + (uint32_t)i);
        f.first_ms = i % 3 == 0 ? INT64_MAX : i % 3 == 1 ? INT64_MIN : T0 - i * 1000;
        f.last_ms = i % 2 ? INT64_MIN : T0 - i * 1000;
        ts_detect_flow(s.d, &f);
        tick(&s, i % 2 ? INT64_MIN : T0 - i * 7000);
    }
    tick(&s, INT64_MAX);
    tick(&s, INT64_MAX);
    tick(&s, INT64_MIN);
    ts_detect_get_stats(s.d, &st);
    assert_int_equal(st.flows, 100);
    assert_int_equal(s.cap.n, 1);
    assert_true(same_ip(&s.cap.ev[0].src, IP4(203, 0, 113, 2)));
    assert_string_equal(s.cap.ev[0].ident, "flow-addressscan");
    sim_done(&s);
}

/* ---------- (1) benign traffic alone ---------- */

static void test_benign(void **state)
{
    (void)state;
    sim_t s;
    sim_init(&s, NULL, 42);
    run(&s, 0, 900, true, NULL, NULL); /* three windows */
    if (s.cap.n)
        dump(&s.cap);
    assert_int_equal(s.cap.n, 0);
    ts_detect_stats_t st;
    ts_detect_get_stats(s.d, &st);
    assert_true(st.flows > 100000);
    assert_int_equal(st.detections, 0);
    sim_done(&s);
}

/* ---------- (2) scanners hidden in benign traffic ---------- */

static void horizontal_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    (void)arg;
    /* 500 hosts over the window, some answering SYN-ACK or RST */
    for (int i = sec * 500 / 300; i < (sec + 1) * 500 / 300; i++) {
        uint32_t host = IP4(10, 2, i / 250, 1 + i % 250);
        uint16_t sp = eph(s);
        int64_t at = t + rnd_n(&s->rng, 1000);
        feed(s, IP4(203, 0, 113, 66), sp, host, 23, 6, F_SYN, 1 + rnd_n(&s->rng, 2), 60, at, 0);
        uint32_t r = rnd_n(&s->rng, 10);
        if (r == 0)
            feed(s, host, 23, IP4(203, 0, 113, 66), sp, 6, F_SYN | F_ACK, 2, 120, at, 1);
        else if (r < 7)
            feed(s, host, 23, IP4(203, 0, 113, 66), sp, 6, F_RST | F_ACK, 1, 40, at, 0);
    }
}

static void vertical_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    (void)arg;
    /* 1000 ports of one web server, from a fixed source port */
    for (int p = sec * 1000 / 300; p < (sec + 1) * 1000 / 300; p++) {
        int64_t at = t + rnd_n(&s->rng, 1000);
        feed(s, IP4(198, 51, 100, 7), 40000, WEB(0), (uint16_t)(1 + p), 6, F_SYN, 1, 44, at, 0);
        feed(s, WEB(0), (uint16_t)(1 + p), IP4(198, 51, 100, 7), 40000, 6, F_RST | F_ACK, 1, 40, at,
             0);
    }
}

static void test_scanners(void **state)
{
    (void)state;
    sim_t s;
    sim_init(&s, NULL, 7);
    run(&s, 0, 300, true, horizontal_gen, NULL);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    cap_ev_t *e = &s.cap.ev[0];
    check_common(e, "scan", T0, T0 + 300000);
    assert_string_equal(type_name(e), "scanner");
    assert_string_equal(e->ident, "flow-addressscan");
    assert_true(same_ip(&e->src, IP4(203, 0, 113, 66)));
    assert_int_equal(e->dport, 23);
    assert_int_equal(e->dst.family, TS_AF_NONE);
    assert_string_equal(e->transport, "tcp");
    assert_string_equal(xval(e, "detect.protocol"), "\"tcp\"");
    /* The 500 hosts are named, exactly; so is their count. */
    assert_int_equal(xnum(e, "detect.distinct_targets"), 500);
    assert_int_equal(e->n_targets, 500);
    assert_int_equal(e->targets_count, 500);
    for (int i = 0; i < 500; i++) {
        ts_prefix_t want = {.addr = v4(IP4(10, 2, i / 250, 1 + i % 250)), .len = 32};
        assert_int_equal(ts_prefix_compare(&e->targets[i], &want), 0);
    }
    assert_int_equal(xnum(e, "detect.distinct_ports"), 1);
    assert_int_equal(xnum(e, "detect.flows"), 500);
    assert_int_equal(e->count, 500);
    assert_true(xnum(e, "detect.packets") >= 500 && xnum(e, "detect.packets") <= 1000);
    sim_done(&s);

    sim_init(&s, NULL, 8);
    run(&s, 0, 300, true, vertical_gen, NULL);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    e = &s.cap.ev[0];
    check_common(e, "scan", T0, T0 + 300000);
    assert_string_equal(type_name(e), "scanner");
    assert_string_equal(e->ident, "flow-portscan");
    assert_true(same_ip(&e->src, IP4(198, 51, 100, 7)));
    assert_true(same_ip(&e->dst, WEB(0)));
    assert_int_equal(e->n_targets, 0); /* one host: its address, no list */
    uint64_t ports = xnum(e, "detect.distinct_ports");
    assert_true(ports >= 900 && ports <= 1100);
    assert_int_equal(xnum(e, "detect.distinct_targets"), 1);
    sim_done(&s);
}

/* Past scan_max_targets the hosts are named by covering prefixes with their
 * count; past targets_memory a scan is still reported, without a list. */
static void test_scan_target_bounds(void **state)
{
    (void)state;
    ts_detect_config_t cfg;
    ts_detect_config_init(&cfg);
    cfg.scan_max_targets = 100;
    sim_t s;
    sim_init(&s, &cfg, 7);
    run(&s, 0, 300, true, horizontal_gen, NULL);
    assert_int_equal(s.cap.n, 1);
    cap_ev_t *e = &s.cap.ev[0];
    assert_true(e->n_targets >= 1 && e->n_targets <= 100);
    assert_true(e->targets_count > e->n_targets);
    assert_true(e->targets_count >= 450 && e->targets_count <= 550);
    for (int i = 0; i < 500; i++) {
        ts_ip_t h = v4(IP4(10, 2, i / 250, 1 + i % 250));
        bool in = false;
        for (uint32_t k = 0; k < e->n_targets && !in; k++)
            in = ts_prefix_contains(&e->targets[k], &h);
        if (!in)
            fail_msg("host %d not covered", i);
    }
    sim_done(&s);

    cfg.scan_max_targets = 0; /* the default */
    cfg.targets_memory = 1;
    sim_init(&s, &cfg, 7);
    run(&s, 0, 300, true, horizontal_gen, NULL);
    assert_int_equal(s.cap.n, 1);
    e = &s.cap.ev[0];
    assert_string_equal(e->ident, "flow-addressscan");
    assert_int_equal(e->n_targets, 0);
    sim_done(&s);
}

/* ---------- (3) brute force and a busy legitimate SSH user ---------- */

static void bruteforce_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    (void)arg;
    if (sec < 200) { /* 200 short sessions: a few password tries each */
        uint16_t sp = eph(s);
        uint64_t pk = 11 + rnd_n(&s->rng, 10);
        feed(s, IP4(203, 0, 113, 99), sp, SSH_SERVER, 22, 6, F_SESSION, pk, pk * 100, t, 3000);
        feed(s, SSH_SERVER, 22, IP4(203, 0, 113, 99), sp, 6, F_SESSION, pk, pk * 120, t, 3000);
    }
    if (sec % 3 == 0) { /* 100 long sessions of a legitimate, busy user */
        uint16_t sp = eph(s);
        uint64_t pk = 300 + rnd_n(&s->rng, 3000);
        feed(s, CLIENT(7), sp, SSH_SERVER, 22, 6, F_SESSION, pk, pk * 100, t, 30000);
        feed(s, SSH_SERVER, 22, CLIENT(7), sp, 6, F_SESSION, pk, pk * 300, t, 30000);
    }
    if (sec % 60 == 0) /* and a few short ones (scp of small files) */
        feed(s, CLIENT(7), eph(s), SSH_SERVER, 22, 6, F_SESSION, 25, 4000, t, 500);
}

static void test_bruteforce(void **state)
{
    (void)state;
    sim_t s;
    sim_init(&s, NULL, 9);
    run(&s, 0, 300, true, bruteforce_gen, NULL);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    cap_ev_t *e = &s.cap.ev[0];
    check_common(e, "bruteforce", T0, T0 + 300000);
    assert_string_equal(type_name(e), "brute-force");
    assert_string_equal(e->ident, "flow-bruteforce-ssh");
    assert_true(same_ip(&e->src, IP4(203, 0, 113, 99)));
    assert_true(same_ip(&e->dst, SSH_SERVER));
    assert_int_equal(e->dport, 22);
    assert_int_equal(xnum(e, "detect.flows"), 200);
    assert_int_equal(xnum(e, "detect.long_flows"), 0);
    uint64_t pk = xnum(e, "detect.packets");
    assert_true(pk >= 200 * 11 && pk <= 200 * 20);
    sim_done(&s);
}

/* ---------- (4) floods ---------- */

typedef struct flood_arg {
    int sources;     /* distinct senders */
    uint64_t pps;    /* total packets per second to the victim */
    int start, stop; /* seconds */
} flood_arg_t;

#define VICTIM IP4(192, 0, 2, 80)

static void flood_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    const flood_arg_t *fa = arg;
    if (sec < fa->start || sec >= fa->stop)
        return;
    for (int i = 0; i < fa->sources; i++) {
        uint32_t src = fa->sources == 1 ? IP4(198, 51, 100, 200)
                                        : IP4(100, 64 + i / 65536, (i >> 8) & 255, i & 255);
        uint64_t pk = fa->pps / (uint64_t)fa->sources;
        feed(s, src, eph(s), VICTIM, 80, 17, 0, pk, pk * 512, t, 900);
    }
}

static void test_floods(void **state)
{
    (void)state;
    ts_detect_config_t cfg;
    ts_detect_config_init(&cfg);
    cfg.window_ms = 20000;

    /* Many sources, 30 kpps: ddos with the source count, no source.ip. */
    flood_arg_t many = {.sources = 300, .pps = 30000, .start = 2, .stop = 18};
    sim_t s;
    sim_init(&s, &cfg, 11);
    run(&s, 0, 20, true, flood_gen, &many);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    cap_ev_t *e = &s.cap.ev[0];
    check_common(e, "flood", T0, T0 + 20000);
    assert_string_equal(type_name(e), "ddos");
    assert_string_equal(e->ident, "flow-flood-udp");
    assert_true(same_ip(&e->dst, VICTIM));
    assert_int_equal(e->src.family, TS_AF_NONE);
    uint64_t nsrc = xnum(e, "detect.distinct_sources");
    assert_true(nsrc >= 270 && nsrc <= 330);
    /* The first few flows pass before the destination is tracked (gate). */
    assert_true(xnum(e, "detect.flows") > 300 * 16 - 30 && xnum(e, "detect.flows") <= 300 * 16);
    assert_true(xnum(e, "detect.packets") > 30000 * 16 - 3000 &&
                xnum(e, "detect.packets") <= 30000 * 16);
    assert_true(xnum(e, "detect.pps") >= 20000 && xnum(e, "detect.pps") <= 30000);
    assert_string_equal(xval(e, "detect.protocol"), "\"udp\"");
    sim_done(&s);

    /* One heavy sender: dos, with the sender as source. */
    flood_arg_t one = {.sources = 1, .pps = 50000, .start = 3, .stop = 12};
    sim_init(&s, &cfg, 12);
    run(&s, 0, 20, true, flood_gen, &one);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    e = &s.cap.ev[0];
    assert_string_equal(type_name(e), "dos");
    assert_true(same_ip(&e->src, IP4(198, 51, 100, 200)));
    assert_true(same_ip(&e->dst, VICTIM));
    assert_int_equal(xnum(e, "detect.distinct_sources"), 1);
    sim_done(&s);

    /* Below the thresholds (10 kpps from 300 sources): nothing. A one-second
     * burst above them is smoothed away too. */
    flood_arg_t low = {.sources = 300, .pps = 10000, .start = 0, .stop = 20};
    sim_init(&s, &cfg, 13);
    run(&s, 0, 20, true, flood_gen, &low);
    flood_arg_t burst = {.sources = 300, .pps = 45000, .start = 25, .stop = 26};
    run(&s, 20, 20, true, flood_gen, &burst);
    if (s.cap.n)
        dump(&s.cap);
    assert_int_equal(s.cap.n, 0);
    sim_done(&s);

    /* An attack spanning two windows is reported once in each, not per flow. */
    flood_arg_t longer = {.sources = 300, .pps = 40000, .start = 0, .stop = 40};
    sim_init(&s, &cfg, 14);
    run(&s, 0, 40, false, flood_gen, &longer);
    assert_int_equal(s.cap.n, 2);
    assert_int_equal(s.cap.ev[0].time_source, (T0 + 20000) * 1000);
    assert_int_equal(s.cap.ev[1].time_source, (T0 + 40000) * 1000);
    sim_done(&s);
}

/* Several hosts of one /24 flooded in one window: one event naming them;
 * a host elsewhere keeps its own. */
static void carpet_gen(sim_t *s, int64_t t, int sec, void *arg)
{
    (void)arg;
    if (sec < 2 || sec >= 18)
        return;
    static const uint32_t victims[] = {IP4(192, 0, 2, 10), IP4(192, 0, 2, 77), IP4(192, 0, 2, 200),
                                       IP4(198, 51, 100, 9)};
    for (int v = 0; v < 4; v++)
        for (int i = 0; i < 100; i++) {
            uint64_t pk = 300;
            feed(s, IP4(100, 64, v, i), eph(s), victims[v], 80, 17, 0, pk, pk * 512, t, 900);
        }
}

static void test_flood_victims(void **state)
{
    (void)state;
    ts_detect_config_t cfg;
    ts_detect_config_init(&cfg);
    cfg.window_ms = 20000;
    sim_t s;
    sim_init(&s, &cfg, 21);
    run(&s, 0, 20, true, carpet_gen, NULL);
    dump(&s.cap);
    assert_int_equal(s.cap.n, 2);
    const cap_ev_t *group = s.cap.ev[0].n_targets ? &s.cap.ev[0] : &s.cap.ev[1];
    const cap_ev_t *alone = group == &s.cap.ev[0] ? &s.cap.ev[1] : &s.cap.ev[0];
    assert_string_equal(type_name(group), "ddos");
    assert_int_equal(group->dst.family, TS_AF_NONE);
    assert_int_equal(group->n_targets, 3);
    assert_int_equal(group->targets_count, 3);
    static const uint32_t want[] = {IP4(192, 0, 2, 10), IP4(192, 0, 2, 77), IP4(192, 0, 2, 200)};
    for (int i = 0; i < 3; i++) {
        ts_prefix_t p = {.addr = v4(want[i]), .len = 32};
        assert_int_equal(ts_prefix_compare(&group->targets[i], &p), 0);
    }
    assert_int_equal(xnum(group, "detect.victims"), 3);
    /* Totals summed over the victims; each got 100 sources. */
    assert_true(xnum(group, "detect.flows") > 3 * 100 * 16 - 90);
    uint64_t nsrc = xnum(group, "detect.distinct_sources");
    assert_true(nsrc >= 90 && nsrc <= 110);
    assert_true(same_ip(&alone->dst, IP4(198, 51, 100, 9)));
    assert_int_equal(alone->n_targets, 0);
    assert_null(xval(alone, "detect.victims"));
    sim_done(&s);
}

/* ---------- (5) bounded memory ---------- */

static void test_memory(void **state)
{
    (void)state;
    ts_detect_config_t cfg;
    ts_detect_config_init(&cfg);
    cfg.max_sources = 4096;
    cfg.max_destinations = 4096;
    sim_t s;
    sim_init(&s, &cfg, 15);
    ts_detect_stats_t st0, st;
    int scanned = 0;
    /* 10^6 distinct sources, one SYN each to random hosts (all probes, all
     * new flood keys), and a scanner among them probing 100 hosts. */
    for (uint32_t i = 0; i < 1000000; i++) {
        int64_t t = T0 + i / 4;
        /* 5000 packets: heavy enough for each destination to get an entry */
        feed(&s, IP4(100, 64, 0, 0) + i, eph(&s), IP4(10, 8, 0, 0) + rnd_n(&s.rng, 1 << 20), 445, 6,
             F_SYN, 5000, 300000, t, 0);
        if (i % 5000 == 0 && scanned < 100) {
            for (int k = 0; k < 2 && scanned < 100; k++, scanned++)
                feed(&s, IP4(203, 0, 113, 5), eph(&s), IP4(10, 9, 0, 1 + scanned), 23, 6, F_SYN, 1,
                     60, t, 0);
        }
        if (i == 1000)
            ts_detect_get_stats(s.d, &st0);
        if (i % 4000 == 3999)
            tick(&s, t + 1);
    }
    ts_detect_stats_t st1;
    ts_detect_get_stats(s.d, &st1);
    tick(&s, T0 + 300000);
    ts_detect_get_stats(s.d, &st);
    assert_true(st1.memory <= st0.memory + (4096 + 4096) * 128);
    fprintf(stderr,
            "memory %zu bytes (after 1000 flows: %zu, before the close: %zu), evicted %llu "
            "sources, %llu "
            "destinations\n",
            st.memory, st0.memory, st1.memory, (unsigned long long)st.evicted_sources,
            (unsigned long long)st.evicted_destinations);
    assert_true(st.evicted_sources >= 1000000 - 4096);
    assert_true(st.evicted_destinations > 500000);
    assert_true(st.memory <= st0.memory + (4096 + 4096) * 128);
    assert_true(st.memory < 4 * 1024 * 1024);
    if (s.cap.n != 1)
        dump(&s.cap);
    assert_int_equal(s.cap.n, 1);
    assert_true(same_ip(&s.cap.ev[0].src, IP4(203, 0, 113, 5)));
    assert_int_equal(xnum(&s.cap.ev[0], "detect.distinct_targets"), 100);
    sim_done(&s);
}

/* ---------- (6) tick semantics and once per window ---------- */

static void test_tick(void **state)
{
    (void)state;
    sim_t s;
    sim_init(&s, NULL, 16);
    int hosts = 100;
    /* All probes in the first 10 s; ticks every second up to just before the
     * window's end must stay silent. */
    run(&s, 0, 299, false, scanner_gen, &hosts);
    tick(&s, T0 + 299999);
    assert_int_equal(s.cap.n, 0);
    tick(&s, T0 + 300000);
    assert_int_equal(s.cap.n, 1);
    tick(&s, T0 + 300000);
    tick(&s, T0 + 600000);
    assert_int_equal(s.cap.n, 1);
    /* The same scanner again later: once per window, not once per flow. */
    for (int w = 3; w < 5; w++) {
        tick(&s, T0 + w * 300000);
        for (int i = 0; i < 200; i++)
            feed(&s, IP4(203, 0, 113, 66), eph(&s), IP4(10, 4, 0, 1 + i), 23, 6, F_SYN, 1, 60,
                 T0 + w * 300000 + i, 0);
        tick(&s, T0 + w * 300000 + 1000);
        tick(&s, T0 + (w + 1) * 300000);
    }
    assert_int_equal(s.cap.n, 3);
    assert_int_equal(s.cap.ev[2].time_source, (T0 + 5 * 300000) * 1000);
    ts_detect_stats_t st;
    ts_detect_get_stats(s.d, &st);
    assert_int_equal(st.detections, 3);
    sim_done(&s);
}

/* What one flow record says about its initiator's contact. */
static void test_probe_classification(void **state)
{
    (void)state;
    ts_flow_t f;
    memset(&f, 0, sizeof f);
    f.proto = 6;
    f.src_port = 40000;
    f.dst_port = 22;
    f.packets = 1;
    f.tcp_flags = TS_TCP_SYN; /* SYN, no answer */
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_PROBE);
    f.packets = 3;
    f.tcp_flags = TS_TCP_SYN | TS_TCP_ACK | TS_TCP_RST; /* connect() scan: SYN, ACK, RST */
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_PROBE);
    f.packets = 2;
    f.tcp_flags = TS_TCP_SYN | TS_TCP_ACK | 0x01 | 0x08; /* short but completed, closed with FIN */
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_NONE);
    f.packets = 1;
    f.tcp_flags = TS_TCP_ACK; /* a lone ACK: an ACK scan, or a timed-out tail */
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_PROBE);
    f.packets = 30;
    f.tcp_flags = TS_TCP_SYN | TS_TCP_ACK;
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_NONE);
    f.src_port = 22;
    f.dst_port = 40000;
    f.packets = 2;
    f.tcp_flags = TS_TCP_RST | TS_TCP_ACK; /* the target refusing is not the prober */
    assert_int_equal(ts_scan_classify(&f), TS_SCAN_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_benign),
        cmocka_unit_test(test_scanners),
        cmocka_unit_test(test_bruteforce),
        cmocka_unit_test(test_scan_target_bounds),
        cmocka_unit_test(test_floods),
        cmocka_unit_test(test_flood_victims),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_tick),
        cmocka_unit_test(test_probe_classification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
