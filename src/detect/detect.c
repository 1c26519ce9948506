/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration, flow dispatch, the flow-time clock and event building. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "detect/detect_int.h"

static const uint16_t default_bf_ports[] = {22, 23, 3389, 21, 5900, 110, 143, 445, 3306, 5432};

void ts_detect_config_init(ts_detect_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->window_ms = 300000;
    c->scan_min_hosts = 25;
    c->scan_min_ports = 15;
    c->bf_min_flows = 20;
    c->bf_max_packets = 50;
    c->bf_ports = default_bf_ports;
    c->n_bf_ports = sizeof default_bf_ports / sizeof default_bf_ports[0];
    c->flood_tick_ms = 1000;
    c->flood_alpha = 0.3;
    c->flood_pps = 20000;
    c->flood_bps = 1e9;
    c->flood_fps = 3500;
    c->ddos_min_sources = 50;
    c->max_sources = 65536;
    c->max_destinations = 65536;
    c->scan_max_targets = 4096;
    c->targets_memory = (size_t)32 << 20;
}

/* Zero, negative or non-finite values take their defaults, so that a
 * partially filled configuration (or a zeroed one) is always usable. */
static void sanitize(ts_detect_config_t *c, const ts_detect_config_t *in)
{
    ts_detect_config_t def;
    ts_detect_config_init(&def);
    *c = in ? *in : def;
#define FIX_INT(f)                                                                                 \
    do {                                                                                           \
        if (c->f <= 0)                                                                             \
            c->f = def.f;                                                                          \
    } while (0)
#define FIX_DBL(f)                                                                                 \
    do {                                                                                           \
        if (!(isfinite(c->f) && c->f > 0))                                                         \
            c->f = def.f;                                                                          \
    } while (0)
    FIX_INT(window_ms);
    FIX_INT(scan_min_hosts);
    FIX_INT(scan_min_ports);
    FIX_INT(bf_min_flows);
    FIX_INT(bf_max_packets);
    FIX_INT(flood_tick_ms);
    FIX_DBL(flood_pps);
    FIX_DBL(flood_bps);
    FIX_DBL(flood_fps);
    FIX_INT(ddos_min_sources);
    FIX_INT(max_sources);
    FIX_INT(max_destinations);
    FIX_INT(scan_max_targets);
    if (c->targets_memory == 0)
        c->targets_memory = def.targets_memory;
#undef FIX_INT
#undef FIX_DBL
    if (!(isfinite(c->flood_alpha) && c->flood_alpha > 0 && c->flood_alpha <= 1))
        c->flood_alpha = def.flood_alpha;
    /* A day bounds the windows: beyond it nothing is "early warning". */
    if (c->window_ms > 86400000)
        c->window_ms = 86400000;
    if (c->flood_tick_ms > c->window_ms)
        c->flood_tick_ms = c->window_ms;
    if (c->max_sources > TS_DT_MAX_CAPACITY)
        c->max_sources = TS_DT_MAX_CAPACITY;
    if (c->max_destinations > TS_DT_MAX_CAPACITY)
        c->max_destinations = TS_DT_MAX_CAPACITY;
    if (c->scan_max_targets > TS_TARGETS_INPUT_MAX)
        c->scan_max_targets = TS_TARGETS_INPUT_MAX;
    if (c->bf_ports == NULL || c->n_bf_ports == 0) {
        c->bf_ports = def.bf_ports;
        c->n_bf_ports = def.n_bf_ports;
    }
}

ts_detector_t *ts_detector_new(const ts_detect_config_t *cfg)
{
    ts_detector_t *d = ts_xcalloc(1, sizeof *d);
    sanitize(&d->cfg, cfg);
    for (size_t i = 0; i < d->cfg.n_bf_ports; i++) {
        uint16_t p = d->cfg.bf_ports[i];
        d->bf_ports[p >> 3] |= (uint8_t)(1u << (p & 7));
    }
    /* The caller's array need not outlive the detector: the bitmap is the copy. */
    d->cfg.bf_ports = NULL;
    d->t_scanner = d->t_bruteforce = d->t_ddos = d->t_dos = TS_TYPE_UNDETERMINED;
    if (ts_type_lookup("scanner", 7, &d->t_scanner) != 0 ||
        ts_type_lookup("brute-force", 11, &d->t_bruteforce) != 0 ||
        ts_type_lookup("ddos", 4, &d->t_ddos) != 0 || ts_type_lookup("dos", 3, &d->t_dos) != 0)
        abort(); /* the taxonomy table is compiled in */
    /* Tables sized to the load, up to the configured capacity. */
    ts_dtable_init_grow(&d->scan, d->cfg.max_sources, sizeof(scan_entry_t), sizeof(ts_ipkey_t),
                        ts_det_ipkey_entry_hash);
    ts_dtable_init_grow(&d->bf, d->cfg.max_sources, sizeof(bf_entry_t), sizeof(bf_key_t),
                        ts_bf_entry_hash);
    ts_dtable_init_grow(&d->flood, d->cfg.max_destinations, sizeof(flood_entry_t),
                        sizeof(ts_ipkey_t), ts_det_ipkey_entry_hash);
    /* Room for the full capacity: calloc'ed, only the pages in use are touched. */
    d->active = ts_xcalloc(d->flood.max_nbuckets * TS_DT_WAYS, sizeof *d->active);
    d->flood_gen = d->flood.generation;
    ts_flood_init(d);
    /* Sketches: on average 128 bytes per tracked entry at full capacity,
     * i.e. one promoted (1 KiB) counter per 8 entries; beyond that counters
     * saturate. */
    d->budget.limit = (d->scan.max_nbuckets + d->flood.max_nbuckets) * TS_DT_WAYS * 128;
    return d;
}

void ts_detector_free(ts_detector_t *d)
{
    if (!d)
        return;
    ts_scan_free(d);
    ts_flood_free(d);
    ts_dtable_destroy(&d->scan);
    ts_dtable_destroy(&d->bf);
    ts_dtable_destroy(&d->flood);
    free(d->active);
    free(d->gate);
    free(d);
}

static int64_t floor_to(int64_t t, int64_t step)
{
    int64_t q = t / step;
    if (t % step < 0)
        q--;
    return q * step;
}

static int64_t clamp_time(int64_t t)
{
    if (t > TS_DETECT_TIME_LIMIT)
        return TS_DETECT_TIME_LIMIT;
    if (t < -TS_DETECT_TIME_LIMIT)
        return -TS_DETECT_TIME_LIMIT;
    return t;
}

/* Flows per block of ts_detect_flows: a first pass hashes them and
 * prefetches the gate cells and table buckets they need, a second processes
 * them in order while prefetching the flood entry of the flow AHEAD places on
 * (scan entries, rarer, are prefetched for the whole block before that).
 * Everything is a hint: the result is that of processing one at a time. */
#define BLOCK 64
#define AHEAD 6

struct pre {
    uint64_t hs, hf; /* scan and flood hashes */
    int8_t kind;     /* TS_SCAN_*, or -1 for an ignored flow */
};

static void process(ts_detector_t *d, const ts_flow_t *f, const struct pre *p)
{
    if (p->kind < 0) {
        d->ignored++;
        return;
    }
    d->flows++;
    /* Flow time: when it ended (exporters send records then). */
    int64_t t = clamp_time(f->last_ms >= f->first_ms ? f->last_ms : f->first_ms);
    if (!d->started) {
        d->started = true;
        d->win_start = floor_to(t, d->cfg.window_ms);
        d->iv_start = floor_to(t, d->cfg.flood_tick_ms);
    }
    ts_scan_flow(d, f, p->kind, p->hs);
    ts_bf_flow(d, f, t);
    ts_flood_flow(d, f, p->hf);
}

static inline void prefetch_flood(ts_detector_t *d, const struct pre *p)
{
    if (p->kind >= 0 && d->flood.used)
        ts_dtable_prefetch_entry(&d->flood, p->hf);
}

void ts_detect_flows(ts_detector_t *d, const ts_flow_t *flows, size_t n)
{
    if (!d || !flows)
        return;
    struct pre pre[BLOCK];
    for (size_t b = 0; b < n; b += BLOCK) {
        const ts_flow_t *fl = flows + b;
        size_t m = n - b < BLOCK ? n - b : BLOCK;
        for (size_t j = 0; j < m; j++) {
            const ts_flow_t *f = &fl[j];
            struct pre *p = &pre[j];
            if ((f->src.family != TS_AF_INET && f->src.family != TS_AF_INET6) ||
                f->dst.family != f->src.family) {
                p->kind = -1;
                continue;
            }
            p->kind = (int8_t)ts_scan_classify(f);
            if (p->kind != TS_SCAN_NONE) {
                p->hs = ts_scan_hash(f, p->kind);
                ts_dtable_prefetch_tags(&d->scan, p->hs);
            }
            p->hf = ts_flood_hash(f);
            __builtin_prefetch(ts_flood_gate_of(d, p->hf, 0), 1);
            __builtin_prefetch(ts_flood_gate_of(d, p->hf, 1), 1);
            if (d->flood.used)
                ts_dtable_prefetch_tags(&d->flood, p->hf);
        }
        if (m > 1) {
            /* Scan entries are touched by few flows (probes), each likely a
             * cache miss (a new source): fetched for the whole block at
             * once, they arrive long before their flow is processed. */
            for (size_t j = 0; j < m; j++)
                if (pre[j].kind > 0)
                    ts_dtable_prefetch_entry(&d->scan, pre[j].hs);
            for (size_t j = 0; j < m && j < AHEAD; j++)
                prefetch_flood(d, &pre[j]);
        }
        for (size_t j = 0; j < m; j++) {
            if (m > 1 && j + AHEAD < m)
                prefetch_flood(d, &pre[j + AHEAD]);
            process(d, &fl[j], &pre[j]);
        }
    }
}

void ts_detect_flow(ts_detector_t *d, const ts_flow_t *f)
{
    ts_detect_flows(d, f, f ? 1 : 0);
}

void ts_detect_tick(ts_detector_t *d, int64_t now_ms, ts_arena_t *arena, ts_detection_cb cb,
                    void *ctx)
{
    if (!d || !d->started || !arena)
        return;
    /* Twice the flows' limit: a tick at "the end of time" still closes a
     * window holding clamped flows. */
    int64_t now = now_ms > 2 * TS_DETECT_TIME_LIMIT    ? 2 * TS_DETECT_TIME_LIMIT
                  : now_ms < -2 * TS_DETECT_TIME_LIMIT ? -2 * TS_DETECT_TIME_LIMIT
                                                       : now_ms;
    const int64_t iv = d->cfg.flood_tick_ms, w = d->cfg.window_ms;
    /* Flows never arrive during a tick, so everything since the last tick
     * belongs to the first interval and window that close; later ones are
     * empty and are skipped in one step (a replay with a gap of days costs
     * one pass). */
    if (d->iv_start + iv <= now) {
        int64_t k = (now - d->iv_start) / iv;
        ts_flood_interval(d, k);
        d->iv_start += k * iv;
    }
    if (d->win_start + w <= now) {
        int64_t wend = d->win_start + w;
        ts_scan_close(d, wend, arena, cb, ctx);
        ts_bf_close(d, wend, arena, cb, ctx);
        ts_flood_close(d, wend, arena, cb, ctx);
        d->win_start = floor_to(now, w);
    }
}

void ts_detect_get_stats(const ts_detector_t *d, ts_detect_stats_t *s)
{
    memset(s, 0, sizeof *s);
    if (!d)
        return;
    s->flows = d->flows;
    s->ignored = d->ignored;
    s->detections = d->detections;
    s->evicted_sources = d->scan.evictions + d->bf.evictions;
    s->evicted_destinations = d->flood.evictions;
    s->sketch_saturated = d->budget.saturated;
    s->memory = sizeof *d + ts_dtable_bytes(&d->scan) + ts_dtable_bytes(&d->bf) +
                ts_dtable_bytes(&d->flood) +
                d->flood.max_nbuckets * TS_DT_WAYS * sizeof *d->active +
                TS_FLOOD_GATE_ROWS * TS_FLOOD_GATE_CELLS * sizeof(struct flood_gate) +
                d->budget.used + d->tsets_bytes;
}

/* --- helpers shared by the detectors --- */

uint64_t ts_det_ipkey_entry_hash(const void *entry)
{
    /* ts_ipkey_t follows the head in scan and flood entries alike. */
    const ts_ipkey_t *k = (const ts_ipkey_t *)(const void *)((const ts_dhead_t *)entry + 1);
    ts_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ts_det_ipkey_ip(k, &ip);
    return ts_det_hash_ip(&ip, k->tag);
}

void ts_det_ipkey(ts_ipkey_t *k, const ts_ip_t *ip, uint8_t tag)
{
    memset(k, 0, sizeof *k);
    k->fam = ip->family;
    k->tag = tag;
    memcpy(k->ip, ip->bytes, 16);
}

void ts_det_ipkey_ip(const ts_ipkey_t *k, ts_ip_t *ip)
{
    ip->family = k->fam;
    memcpy(ip->bytes, k->ip, 16);
}

const char *ts_det_proto_name(uint8_t proto)
{
    switch (proto) {
    case TS_PROTO_TCP:
        return "tcp";
    case TS_PROTO_UDP:
        return "udp";
    case TS_PROTO_ICMP:
    case TS_PROTO_ICMP6:
        return "icmp";
    default:
        return "other";
    }
}

ts_str_t ts_det_printf(ts_arena_t *a, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return ts_arena_strdup(a, ts_str(buf, (size_t)n));
}

static void add_extra(ts_event_t *ev, const char *key, ts_str_t value)
{
    if (ev->n_extra >= TS_EVENT_EXTRA_MAX)
        return;
    ev->extra[ev->n_extra].key = ts_str_c(key);
    ev->extra[ev->n_extra].value_json = value;
    ev->n_extra++;
}

void ts_det_extra_u64(ts_event_t *ev, ts_arena_t *a, const char *key, uint64_t v)
{
    add_extra(ev, key, ts_det_printf(a, "%llu", (unsigned long long)v));
}

void ts_det_extra_str(ts_event_t *ev, ts_arena_t *a, const char *key, const char *v)
{
    /* Only internal ASCII identifiers come here: nothing to escape. */
    add_extra(ev, key, ts_det_printf(a, "\"%s\"", v));
}

void ts_det_extra_raw(ts_event_t *ev, const char *key, const char *json)
{
    add_extra(ev, key, ts_str_c(json));
}

static ts_str_t time_json(ts_arena_t *a, int64_t ms)
{
    char buf[48];
    size_t n = ts_time_format(ms * 1000, buf, sizeof buf);
    return ts_det_printf(a, "\"%.*s\"", (int)n, buf);
}

void ts_det_event_base(const ts_detector_t *d, ts_event_t *ev, const char *detector, int64_t wstart,
                       int64_t wend, ts_arena_t *a)
{
    (void)d;
    ts_event_init(ev);
    ev->time_source = wend * 1000;
    ev->time_observation = ts_time_now();
    ev->feed_name = TS_STR_LIT("tocsin-flow");
    ev->feed_provider = TS_STR_LIT("tocsin");
    ts_det_extra_str(ev, a, "detect.detector", detector);
    add_extra(ev, "detect.window_start", time_json(a, wstart));
    add_extra(ev, "detect.window_end", time_json(a, wend));
}

void ts_det_report(ts_detector_t *d, const ts_event_t *ev, ts_detection_cb cb, void *ctx)
{
    d->detections++;
    if (cb)
        cb(ev, ctx);
}
