/* SPDX-License-Identifier: Apache-2.0 */
/* Flood detection per destination and protocol class (FastNetMon style).
 *
 * Every flow adds its packets, bytes and one flow to its (destination,
 * protocol) entry for the current measurement interval (flood_tick_ms). When
 * the interval ends the rates update an exponentially weighted moving average
 * (weight flood_alpha on the newest interval); a smoothed rate at or above
 * flood_pps, flood_bps or flood_fps marks the entry as flooded for the
 * window. At the end of the window each flooded entry is reported once, with
 * the window's totals, the peak smoothed rates and the number of distinct
 * sources: at least ddos_min_sources makes it availability/ddos, fewer
 * availability/dos (with source.ip when there was exactly one).
 *
 * Two economies keep the per-flow cost low. A destination gets an entry only
 * once its traffic within the current interval may have reached 1/8 of one
 * of the thresholds, as estimated by a "gate": a count-min sketch of two rows
 * of 16 k cells (destinations hashed into each row; 256 KiB in all) with one
 * counter per rate, cleared at each interval. Until then a flow costs three
 * counter updates in two cells, and a table lookup only when both cells have
 * a tracked destination. Count-min only overestimates a destination's
 * traffic, so the gate never opens later than exact per-destination counting
 * at 1/8 of a threshold would; busy-but-normal destinations that share cells
 * (thousands of servers at a twentieth of a threshold) stay out of the table
 * unless they collide with heavier ones in both rows.
 *
 * Accuracy: a destination is untracked only while each of its rates is below
 * 1/8 of its threshold in the interval, so before its entry exists at most
 * that much of a flood is missed per interval. Before the interval that
 * promotes it, the EWMA it would have had is a weighted mean of rates under
 * T/8, and within that interval at most T/8 is missed: the smoothed rate is
 * underestimated by at most alpha * T/8 at promotion, and by a factor
 * (1 - alpha) less at each later interval, which matters only for floods
 * within a few percent of a threshold (a rate just at the threshold never
 * reaches it anyway: the EWMA converges from below). The "hot" level (a
 * quarter of a threshold) needs an interval at T/4 or more, so a destination
 * is always tracked before it can become hot. The first flows of an attack,
 * less than an eighth of an interval's threshold, are thus not in its
 * totals. And distinct sources are counted only while the destination is
 * "hot" (a smoothed rate at a quarter of a threshold or more): the count is
 * that of the sources of the attack, not of the server's everyday clients,
 * and busy servers do not update a sketch per flow.
 *
 * Flow records arrive after the traffic they describe. A flow longer than
 * one interval contributes its mean rate over one interval rather than all
 * its packets at once, so an export of a long transfer does not look like a
 * burst; a flood carried by long flows that are exported rarely is therefore
 * underestimated (exporters' active timeout bounds this).
 *
 * Victims: flooded destinations of one window with the same protocol class
 * and kind (ddos or dos) inside one /24 (IPv6: /64) are taken for one attack
 * on several hosts (carpet bombing hits a range) and reported as one event
 * naming them all as the destination's targets, with the window's totals
 * summed and the rates and source count of the busiest victim; a victim
 * alone keeps its own event with its address as destination.ip.
 *
 * Interval ends are only processed by ts_detect_tick: flows count into the
 * interval in progress whatever their timestamp, and a tick that covers k
 * intervals spreads the counters over them. Only entries on the active list
 * (recent traffic or a non-negligible rate) are visited per interval. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "detect/detect_int.h"

/* Rates below these are treated as idle (entry leaves the active list). */
#define IDLE_PPS 0.01
#define IDLE_FPS 0.001

static const char *class_name(uint8_t c)
{
    static const char *const names[FL_CLASSES] = {"tcp", "udp", "icmp", "other"};
    return c < FL_CLASSES ? names[c] : "other";
}

void ts_flood_init(ts_detector_t *d)
{
    const ts_detect_config_t *c = &d->cfg;
    double secs = (double)c->flood_tick_ms / 1000.0;
    double open = TS_FLOOD_GATE_OPEN;
    d->gate_per_packet = open / (c->flood_pps * secs / 8);
    d->gate_per_byte = open / (c->flood_bps / 8 * secs / 8);
    /* Rounded up (and the others per flow below), so that the gate still
     * overestimates; at least 1, so that flows always count. */
    double pf = ceil(open / (c->flood_fps * secs / 8));
    d->gate_per_flow = (uint64_t)(pf < 1 ? 1 : pf > open ? TS_FLOOD_GATE_OPEN : (uint32_t)pf) << 32;
    d->gate = ts_xcalloc((size_t)TS_FLOOD_GATE_ROWS * TS_FLOOD_GATE_CELLS, sizeof *d->gate);
}

static uint64_t entry_hash(const flood_entry_t *e)
{
    ts_ip_t ip;
    ts_det_ipkey_ip(&e->key, &ip);
    return ts_det_hash_ip(&ip, e->key.tag);
}

static void release(void *entry, void *ctx)
{
    flood_entry_t *e = entry;
    ts_detector_t *d = ctx;
    /* A saturated count stays: lookups continue, which is only slower. */
    uint64_t h = entry_hash(e);
    for (unsigned r = 0; r < TS_FLOOD_GATE_ROWS; r++) {
        struct flood_gate *g = ts_flood_gate_of(d, h, r);
        uint64_t t = g->v >> TS_FLOOD_GATE_TRACKED_SHIFT;
        if (t != 0 && t != 0xffff)
            g->v -= UINT64_C(1) << TS_FLOOD_GATE_TRACKED_SHIFT;
    }
    ts_dcount_reset(&e->sources, &d->budget);
}

/* The table grew: slots were renumbered, list the active entries anew
 * (entries removed while listed simply drop out). */
static void relist(ts_detector_t *d)
{
    size_t n = ts_dtable_slots(&d->flood), out = 0;
    for (size_t i = 0; i < n; i++) {
        flood_entry_t *e = ts_dtable_at(&d->flood, i);
        if (e && e->h.aux)
            d->active[out++] = (uint32_t)i;
    }
    d->n_active = out;
    d->flood_gen = d->flood.generation;
}

/* The flow's destination has an entry or is to get one (open). Out of line:
 * the common, gated path of ts_flood_flow then saves no registers. */
static __attribute__((noinline)) void track(ts_detector_t *d, const ts_flow_t *f, uint64_t h,
                                            bool open, double packets, double bytes)
{
    size_t slot;
    flood_entry_t *e;
    ts_ipkey_t key;
    ts_det_ipkey(&key, &f->dst, ts_flood_class(f->proto));
    if (open) {
        bool created;
        e = ts_dtable_get(&d->flood, &key, h, &created, &slot, release, d);
        if (created) {
            struct flood_gate *g0 = ts_flood_gate_of(d, h, 0), *g1 = ts_flood_gate_of(d, h, 1);
            if (g0->v >> TS_FLOOD_GATE_TRACKED_SHIFT != 0xffff)
                g0->v += UINT64_C(1) << TS_FLOOD_GATE_TRACKED_SHIFT;
            if (g1->v >> TS_FLOOD_GATE_TRACKED_SHIFT != 0xffff)
                g1->v += UINT64_C(1) << TS_FLOOD_GATE_TRACKED_SHIFT;
        }
        if (d->flood.generation != d->flood_gen)
            relist(d);
    } else {
        e = ts_dtable_find(&d->flood, &key, h, &slot);
        if (!e)
            return;
    }
    if (!e->h.aux) {
        e->h.aux = 1;
        d->active[d->n_active++] = (uint32_t)slot;
    }
    ts_dtable_bump(&d->flood, &e->h, slot);
    e->iv_packets += packets;
    e->iv_bytes += bytes;
    e->iv_flows++;
    e->w_flows++;
    e->w_packets += f->packets;
    e->w_bytes += f->bytes;
    if (e->hot) {
        if (e->sources.n == 0 && e->sources.mode == TS_DC_INL)
            e->one_src = f->src;
        ts_dcount_add(&e->sources, (uint32_t)(ts_det_hash_ip(&f->src, 0x9e3779b97f4a7c15) >> 32),
                      &d->budget);
    }
}

void ts_flood_flow(ts_detector_t *d, const ts_flow_t *f, uint64_t h)
{
    /* Unsigned: garbage times must not overflow. */
    uint64_t dur = f->last_ms > f->first_ms ? (uint64_t)f->last_ms - (uint64_t)f->first_ms : 0;
    double packets = (double)f->packets, bytes = (double)f->bytes;
    if (dur > (uint64_t)d->cfg.flood_tick_ms) {
        double frac = (double)d->cfg.flood_tick_ms / (double)dur;
        packets *= frac;
        bytes *= frac;
    }
    /* Most destinations are far below any threshold: they cost counter
     * updates in a small, cache-resident sketch instead of a table entry. */
    double up = packets * d->gate_per_packet, ub = bytes * d->gate_per_byte;
    /* Rounded up; one flow at 1/8 of a threshold opens the gate at once. */
    uint64_t add = (up < TS_FLOOD_GATE_OPEN ? (uint64_t)(uint32_t)up + 1 : TS_FLOOD_GATE_OPEN) |
                   (ub < TS_FLOOD_GATE_OPEN ? (uint64_t)(uint32_t)ub + 1 : TS_FLOOD_GATE_OPEN)
                       << 16 |
                   d->gate_per_flow;
    struct flood_gate *g0 = ts_flood_gate_of(d, h, 0), *g1 = ts_flood_gate_of(d, h, 1);
    uint64_t v0 = g0->v, v1 = g1->v;
    /* Lanes at OPEN or more (bit 14 set, see flood_gate) take nothing more. */
    uint64_t o0 = (v0 >> 14) & UINT64_C(0x000100010001);
    uint64_t o1 = (v1 >> 14) & UINT64_C(0x000100010001);
    v0 += add & ~(o0 * 0xffff);
    v1 += add & ~(o1 * 0xffff);
    g0->v = v0;
    g1->v = v1;
    o0 = (v0 >> 14) & UINT64_C(0x000100010001);
    o1 = (v1 >> 14) & UINT64_C(0x000100010001);
    /* The estimate of a rate is the lesser of its two cells': open when some
     * lane is at OPEN in both. A tracked destination counts in both cells. */
    bool open = (o0 & o1) != 0;
    if (!open && (v0 < (UINT64_C(1) << TS_FLOOD_GATE_TRACKED_SHIFT) ||
                  v1 < (UINT64_C(1) << TS_FLOOD_GATE_TRACKED_SHIFT)))
        return;
    track(d, f, h, open, packets, bytes);
}

static inline double smooth(double ewma, double rate, double keep)
{
    /* k intervals at a constant rate: rate + (ewma - rate) * (1 - alpha)^k */
    return rate + (ewma - rate) * keep;
}

void ts_flood_interval(ts_detector_t *d, int64_t k)
{
    const ts_detect_config_t *c = &d->cfg;
    double keep = pow(1.0 - c->flood_alpha, (double)k);
    double secs = (double)k * (double)c->flood_tick_ms / 1000.0;
    size_t out = 0;
    for (size_t i = 0; i < (size_t)TS_FLOOD_GATE_ROWS * TS_FLOOD_GATE_CELLS; i++)
        d->gate[i].v &= ~TS_FLOOD_GATE_COUNTERS;
    for (size_t i = 0; i < d->n_active; i++) {
        uint32_t slot = d->active[i];
        flood_entry_t *e = ts_dtable_at(&d->flood, slot);
        if (!e) {
            /* Removed; the slot's aux still says "listed". */
            ((ts_dhead_t *)(void *)(d->flood.slots + (size_t)slot * d->flood.esz))->aux = 0;
            continue;
        }
        e->ewma_pps = smooth(e->ewma_pps, e->iv_packets / secs, keep);
        e->ewma_bps = smooth(e->ewma_bps, e->iv_bytes * 8.0 / secs, keep);
        e->ewma_fps = smooth(e->ewma_fps, e->iv_flows / secs, keep);
        bool busy = e->iv_flows != 0;
        e->iv_packets = e->iv_bytes = 0;
        e->iv_flows = 0;
        if (e->ewma_pps >= c->flood_pps || e->ewma_bps >= c->flood_bps ||
            e->ewma_fps >= c->flood_fps)
            e->over = 1;
        /* Sources are counted from a quarter of a threshold on: busy servers
         * far below it do not pay for a sketch per flow. */
        e->hot = e->over || 4 * e->ewma_pps >= c->flood_pps || 4 * e->ewma_bps >= c->flood_bps ||
                 4 * e->ewma_fps >= c->flood_fps;
        if (e->ewma_pps > e->peak_pps)
            e->peak_pps = e->ewma_pps;
        if (e->ewma_bps > e->peak_bps)
            e->peak_bps = e->ewma_bps;
        if (e->ewma_fps > e->peak_fps)
            e->peak_fps = e->ewma_fps;
        if (!busy && e->ewma_pps < IDLE_PPS && e->ewma_fps < IDLE_FPS) {
            e->ewma_pps = e->ewma_bps = e->ewma_fps = 0;
            e->h.aux = 0;
            continue;
        }
        d->active[out++] = slot;
    }
    d->n_active = out;
}

static void report(ts_detector_t *d, const flood_entry_t *e, int64_t wend, ts_arena_t *a,
                   ts_detection_cb cb, void *ctx)
{
    ts_event_t ev;
    ts_det_event_base(d, &ev, "flood", d->win_start, wend, a);
    uint64_t nsrc = ts_dcount_estimate(&e->sources);
    bool exact = ts_dcount_exact(&e->sources);
    bool ddos = nsrc >= d->cfg.ddos_min_sources;
    ev.type = ddos ? d->t_ddos : d->t_dos;
    ev.count = e->w_flows ? e->w_flows : 1;
    ts_det_ipkey_ip(&e->key, &ev.dst.ip);
    if (nsrc == 1 && exact)
        ev.src.ip = e->one_src;
    const char *proto = class_name(e->key.tag);
    if (e->key.tag != FL_OTHER)
        ev.transport = ts_str_c(proto);
    ev.identifier = ts_det_printf(a, "flow-flood-%s", proto);
    ev.description =
        ts_det_printf(a, "%s flood: peak %.0f pps, %.0f bit/s, %.0f flows/s from %llu source(s)",
                      proto, e->peak_pps, e->peak_bps, e->peak_fps, (unsigned long long)nsrc);
    ts_det_extra_u64(&ev, a, "detect.flows", e->w_flows);
    ts_det_extra_u64(&ev, a, "detect.packets", e->w_packets);
    ts_det_extra_u64(&ev, a, "detect.bytes", e->w_bytes);
    ts_det_extra_u64(&ev, a, "detect.distinct_sources", nsrc);
    ts_det_extra_u64(&ev, a, "detect.pps", (uint64_t)llround(e->peak_pps));
    ts_det_extra_u64(&ev, a, "detect.bps", (uint64_t)llround(e->peak_bps));
    ts_det_extra_u64(&ev, a, "detect.fps", (uint64_t)llround(e->peak_fps));
    ts_det_extra_str(&ev, a, "detect.protocol", proto);
    if (!exact)
        ts_det_extra_raw(&ev, "detect.approximate", "true");
    ts_det_report(d, &ev, cb, ctx);
}

/* Flooded entries of one window that are one attack on several hosts: the
 * same protocol class, the same kind (ddos or dos) and one /24 (IPv6 /64). */
typedef struct victim {
    const flood_entry_t *e;
    bool ddos;
    ts_prefix_t net;
} victim_t;

static int cmp_victim(const void *pa, const void *pb)
{
    const victim_t *a = pa, *b = pb;
    if (a->e->key.tag != b->e->key.tag)
        return a->e->key.tag < b->e->key.tag ? -1 : 1;
    if (a->ddos != b->ddos)
        return a->ddos ? 1 : -1;
    int c = ts_prefix_compare(&a->net, &b->net);
    if (c)
        return c;
    return memcmp(a->e->key.ip, b->e->key.ip, 16);
}

/* One event for the victims v[0..n) (n >= 2) of one attack: the victims as
 * the destination's targets, the totals summed, the rates and the source
 * count those of the busiest victim. */
static void report_group(ts_detector_t *d, const victim_t *v, size_t n, int64_t wend, ts_arena_t *a,
                         ts_detection_cb cb, void *ctx)
{
    ts_event_t ev;
    ts_det_event_base(d, &ev, "flood", d->win_start, wend, a);
    ev.type = v[0].ddos ? d->t_ddos : d->t_dos;
    uint64_t flows = 0, packets = 0, bytes = 0, nsrc = 0;
    double pps = 0, bps = 0, fps = 0;
    bool one_src = true;
    ts_prefix_t *list = ts_arena_alloc(a, n * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        const flood_entry_t *e = v[i].e;
        flows += e->w_flows;
        packets += e->w_packets;
        bytes += e->w_bytes;
        uint64_t k = ts_dcount_estimate(&e->sources);
        nsrc = k > nsrc ? k : nsrc;
        pps = e->peak_pps > pps ? e->peak_pps : pps;
        bps = e->peak_bps > bps ? e->peak_bps : bps;
        fps = e->peak_fps > fps ? e->peak_fps : fps;
        one_src = one_src && k == 1 && ts_dcount_exact(&e->sources) &&
                  ts_ip_equal(&e->one_src, &v[0].e->one_src);
        ts_det_ipkey_ip(&e->key, &list[i].addr);
        list[i].len = list[i].addr.family == TS_AF_INET ? 32 : 128;
    }
    ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
    *t = (ts_targets_t){list, (uint32_t)n, n};
    ev.dst.targets = t;
    if (one_src)
        ev.src.ip = v[0].e->one_src;
    ev.count = flows ? flows : 1;
    const char *proto = class_name(v[0].e->key.tag);
    if (v[0].e->key.tag != FL_OTHER)
        ev.transport = ts_str_c(proto);
    ev.identifier = ts_det_printf(a, "flow-flood-%s", proto);
    char net[TS_IP_STRLEN];
    ts_prefix_format(&v[0].net, net, sizeof net);
    ev.description = ts_det_printf(a,
                                   "%s flood on %zu hosts in %s: peak %.0f pps, %.0f bit/s, %.0f "
                                   "flows/s from %llu source(s) (the busiest host)",
                                   proto, n, net, pps, bps, fps, (unsigned long long)nsrc);
    ts_det_extra_u64(&ev, a, "detect.flows", flows);
    ts_det_extra_u64(&ev, a, "detect.packets", packets);
    ts_det_extra_u64(&ev, a, "detect.bytes", bytes);
    ts_det_extra_u64(&ev, a, "detect.victims", n);
    ts_det_extra_u64(&ev, a, "detect.distinct_sources", nsrc);
    ts_det_extra_u64(&ev, a, "detect.pps", (uint64_t)llround(pps));
    ts_det_extra_u64(&ev, a, "detect.bps", (uint64_t)llround(bps));
    ts_det_extra_u64(&ev, a, "detect.fps", (uint64_t)llround(fps));
    ts_det_extra_str(&ev, a, "detect.protocol", proto);
    /* The sources of several victims are not counted as one set. */
    ts_det_extra_raw(&ev, "detect.approximate", "true");
    ts_det_report(d, &ev, cb, ctx);
}

/* Reports the window's flooded entries: alone, or grouped by attack. */
static void report_all(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx)
{
    size_t n = ts_dtable_slots(&d->flood), m = 0;
    victim_t *v = NULL;
    for (size_t i = 0; i < n; i++) {
        flood_entry_t *e = ts_dtable_at(&d->flood, i);
        if (!e || !e->over || !e->w_flows)
            continue;
        if (v == NULL)
            v = ts_xmalloc(n * sizeof *v);
        v[m].e = e;
        v[m].ddos = ts_dcount_estimate(&e->sources) >= d->cfg.ddos_min_sources;
        ts_det_ipkey_ip(&e->key, &v[m].net.addr);
        v[m].net.len = v[m].net.addr.family == TS_AF_INET ? 24 : 64;
        (void)ts_prefix_clear_host_bits(&v[m].net);
        m++;
    }
    if (m > 1)
        qsort(v, m, sizeof *v, cmp_victim);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && v[j].e->key.tag == v[i].e->key.tag && v[j].ddos == v[i].ddos &&
               ts_prefix_compare(&v[j].net, &v[i].net) == 0)
            j++;
        if (j - i == 1)
            report(d, v[i].e, wend, a, cb, ctx);
        else
            report_group(d, v + i, j - i, wend, a, cb, ctx);
        i = j;
    }
    free(v);
}

void ts_flood_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx)
{
    report_all(d, wend, a, cb, ctx);
    size_t n = ts_dtable_slots(&d->flood);
    for (size_t i = 0; i < n; i++) {
        flood_entry_t *e = ts_dtable_at(&d->flood, i);
        if (!e)
            continue;
        e->over = 0;
        e->hot = e->hot && e->h.aux; /* an ongoing attack stays counted */
        e->peak_pps = e->peak_bps = e->peak_fps = 0;
        e->w_flows = e->w_packets = e->w_bytes = 0;
        ts_dcount_reset(&e->sources, &d->budget);
        /* Age activity so that last window's busy entries can be evicted. */
        ts_dtable_set_score(&d->flood, &e->h, i, e->h.score >> 1);
        if (!e->h.aux && e->h.score == 0) {
            release(e, d);
            ts_dtable_remove_at(&d->flood, i);
        }
    }
}

void ts_flood_free(ts_detector_t *d)
{
    size_t n = ts_dtable_slots(&d->flood);
    for (size_t i = 0; i < n; i++) {
        flood_entry_t *e = ts_dtable_at(&d->flood, i);
        if (e)
            release(e, d);
    }
}
