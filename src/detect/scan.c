/* SPDX-License-Identifier: Apache-2.0 */
/* Scan detection by fan-out counting (Zeek scan.zeek's thresholds over
 * flows).
 *
 * Per source and tumbling window, only "probes" count: failed or very short
 * flows. For each source three distinct counts are kept: destinations H,
 * (protocol, port) pairs Q and (destination, protocol, port) triples P. Zeek
 * counts hosts per (scanner, port) and ports per (scanner, host); keeping
 * that per source would need a counter per port or per host. Instead the
 * pigeonhole bound is used: some port was probed on at least P/Q hosts (an
 * address scan when >= scan_min_hosts) and some host on at least P/H ports (a
 * port scan when >= scan_min_ports). Both bounds are exact for the pure
 * horizontal and vertical scans and conservative for mixes.
 *
 * What counts as a probe, from unidirectional flow records:
 * - TCP: SYN without ACK (the handshake never completed, including SYN then
 *   RST), RST within 3 packets (a connect() scan: SYN, ACK, RST), or a flow
 *   of at most 2 packets without a completed handshake. Not counted: a
 *   completed handshake (SYN and ACK from the initiator, no early RST),
 *   a pure RST/RST-ACK without SYN (the target refusing, not the prober), a
 *   SYN-ACK of at most 2 packets from the lower port (an open port
 *   answering), and flows from a port below 1024 to one at or above 1024
 *   (the server side of a session).
 * - UDP: at most 2 packets, except DNS (port 53): recursive resolvers send
 *   one-packet queries to hundreds of authoritative servers, which from flows
 *   alone looks like an address scan.
 * - ICMP/ICMPv6 echo requests of at most 2 packets (type in the high byte of
 *   the destination port, as NetFlow v5 and most decoders put it).
 * Answers: a UDP flow from a port below 1024 to one at or above 1024, or an
 * echo reply, credits the (host, port) pair it came from to the prober, if
 * the prober is already tracked (an answer exported before any probe of its
 * prober in the window is not counted: creating entries for the receivers of
 * all UDP replies, QUIC included, would double the table traffic). A
 * source whose probed pairs were at least half answered is not a scanner
 * (TRW's success/failure idea, Jung et al. 2004, without per-contact state):
 * this keeps SNMP polling and ping monitoring of many hosts quiet. TCP needs
 * no answers: a completed handshake is visible in the prober's own flags. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "detect/detect_int.h"

#define SEED_HOST UINT64_C(0x243f6a8885a308d3)
#define SEED_PORT UINT64_C(0x13198a2e03707344)

#define NONE TS_SCAN_NONE
#define PROBE TS_SCAN_PROBE
#define ANSWER TS_SCAN_ANSWER

int ts_scan_classify(const ts_flow_t *f)
{
    uint8_t fl = f->tcp_flags;
    switch (f->proto) {
    case TS_PROTO_TCP:
        if (f->src_port < 1024 && f->dst_port >= 1024)
            return NONE;
        if ((fl & TS_TCP_RST) && !(fl & TS_TCP_SYN))
            return NONE;
        if ((fl & (TS_TCP_SYN | TS_TCP_ACK)) == (TS_TCP_SYN | TS_TCP_ACK) && f->packets <= 2 &&
            f->src_port < f->dst_port)
            return NONE;
        if ((fl & TS_TCP_SYN) && !(fl & TS_TCP_ACK))
            return PROBE;
        if ((fl & TS_TCP_RST) && f->packets <= 3)
            return PROBE;
        /* SYN and ACK from the initiator: the target answered the handshake
         * and nothing was reset, so the contact succeeded however short. */
        if ((fl & (TS_TCP_SYN | TS_TCP_ACK)) == (TS_TCP_SYN | TS_TCP_ACK))
            return NONE;
        return f->packets <= 2 ? PROBE : NONE;
    case TS_PROTO_UDP:
        if (f->dst_port == 53 || f->src_port == 53)
            return NONE;
        if (f->src_port < 1024 && f->dst_port >= 1024)
            return ANSWER;
        return f->packets <= 2 ? PROBE : NONE;
    case TS_PROTO_ICMP:
        if ((f->dst_port >> 8) == 0)
            return ANSWER;
        return (f->dst_port >> 8) == 8 && f->packets <= 2 ? PROBE : NONE;
    case TS_PROTO_ICMP6:
        if ((f->dst_port >> 8) == 129)
            return ANSWER;
        return (f->dst_port >> 8) == 128 && f->packets <= 2 ? PROBE : NONE;
    default:
        return NONE;
    }
}

static inline uint32_t sat32(uint32_t a, uint64_t b)
{
    return b >= UINT32_MAX - a ? UINT32_MAX : a + (uint32_t)b;
}

/* ---- The probed hosts of a source (scan_entry_t.targets) ----------------- */

/* A released list stays allocated, emptied, for the next source: sources
 * come and go by the thousand per second, and a malloc and free each was a
 * third of what the lists cost the detector per flow. */
static void tset_release(ts_detector_t *d, scan_entry_t *e)
{
    if (e->targets == 0)
        return;
    uint32_t i = e->targets - 1;
    ts_targetset_t *set = d->tsets[i];
    d->tsets_bytes -= ts_targetset_bytes(set);
    ts_targetset_clear(set, d->cfg.scan_max_targets);
    d->tsets_bytes += ts_targetset_bytes(set);
    d->free_tsets[d->n_free_tsets++] = i;
    e->targets = 0;
}

static void tset_add(ts_detector_t *d, scan_entry_t *e, const ts_ip_t *ip)
{
    ts_prefix_t p = {.addr = *ip, .len = ip->family == TS_AF_INET ? 32 : 128};
    size_t limit = d->cfg.targets_memory;
    size_t allow = d->tsets_bytes < limit ? limit - d->tsets_bytes : 0;
    d->tsets_bytes += ts_targetset_add(d->tsets[e->targets - 1], &p, allow);
}

/* Starts the list of a source at its second probed host: until then every
 * probe went to first_dst, so the list misses nothing. Not started when it
 * would take the lists past targets_memory. */
static void tset_start(ts_detector_t *d, scan_entry_t *e, const ts_ip_t *dst)
{
    uint32_t i;
    if (d->n_free_tsets) {
        i = d->free_tsets[--d->n_free_tsets];
    } else {
        ts_targetset_t *set = ts_targetset_new(d->cfg.scan_max_targets);
        size_t bytes = ts_targetset_bytes(set);
        if (d->tsets_bytes + bytes > d->cfg.targets_memory) {
            ts_targetset_free(set);
            return;
        }
        if (d->n_tsets == d->cap_tsets) {
            d->cap_tsets = d->cap_tsets ? d->cap_tsets * 2 : 64;
            d->tsets = ts_xrealloc(d->tsets, d->cap_tsets * sizeof *d->tsets);
            d->free_tsets = ts_xrealloc(d->free_tsets, d->cap_tsets * sizeof *d->free_tsets);
        }
        i = d->n_tsets++;
        d->tsets[i] = set;
        d->tsets_bytes += bytes;
    }
    e->targets = i + 1;
    ts_ip_t first = {.family = e->key.fam};
    memcpy(first.bytes, e->first_dst, 16);
    tset_add(d, e, &first);
    tset_add(d, e, dst);
}

static void release(void *entry, void *ctx)
{
    scan_entry_t *e = entry;
    ts_detector_t *d = ctx;
    ts_dcount_reset(&e->hosts, &d->budget);
    ts_dcount_reset(&e->ports, &d->budget);
    ts_dcount_reset(&e->pairs, &d->budget);
    ts_dcount_reset(&e->answered, &d->budget);
    tset_release(d, e);
}

/* Key of a (host, protocol, port) pair; an answer's source side maps onto
 * the probe's destination side, echo replies onto echo requests. */
static uint64_t pair_hash(const ts_ip_t *host, uint8_t proto, uint16_t port, uint64_t *hh,
                          uint64_t *hp)
{
    *hh = ts_det_hash_ip(host, SEED_HOST);
    *hp = ts_mix64(((uint64_t)proto << 16 | port) ^ SEED_PORT);
    return ts_mix64(*hh ^ *hp);
}

void ts_scan_flow(ts_detector_t *d, const ts_flow_t *f, int kind, uint64_t h)
{
    if (kind == NONE)
        return;
    uint64_t hh, hp, hpair;
    ts_ipkey_t key;
    bool created;
    size_t slot;
    if (kind == ANSWER) {
        /* Credit the prober: its pair (this source, this source port) answered. */
        ts_det_ipkey(&key, &f->dst, 0);
        scan_entry_t *e = ts_dtable_find(&d->scan, &key, h, &slot);
        if (!e)
            return;
        uint16_t port = f->src_port;
        if (f->proto == TS_PROTO_ICMP)
            port = 8 << 8;
        else if (f->proto == TS_PROTO_ICMP6)
            port = 128 << 8;
        hpair = pair_hash(&f->src, f->proto, port, &hh, &hp);
        ts_dcount_add(&e->answered, (uint32_t)(hpair >> 32), &d->budget);
        return;
    }
    ts_det_ipkey(&key, &f->src, 0);
    scan_entry_t *e = ts_dtable_get(&d->scan, &key, h, &created, &slot, release, d);
    if (e->flows == 0) {
        e->proto = f->proto;
        e->first_port = f->dst_port;
        memcpy(e->first_dst, f->dst.bytes, 16);
    } else if (e->proto != f->proto) {
        e->mixed_proto = 1;
    }
    ts_dtable_bump(&d->scan, &e->h, slot);
    if (e->flows != UINT32_MAX)
        e->flows++;
    e->packets = sat32(e->packets, f->packets);
    e->bytes = sat32(e->bytes, f->bytes);
    hpair = pair_hash(&f->dst, f->proto, f->dst_port, &hh, &hp);
    ts_dcount_add(&e->hosts, (uint32_t)(hh >> 32), &d->budget);
    ts_dcount_add(&e->ports, (uint32_t)(hp >> 32), &d->budget);
    ts_dcount_add(&e->pairs, (uint32_t)(hpair >> 32), &d->budget);
    /* Most sources probe one host (spoofed or stray): they cost nothing here. */
    if (e->targets)
        tset_add(d, e, &f->dst);
    else if (e->hosts.mode != TS_DC_HLL && e->hosts.n == 2)
        tset_start(d, e, &f->dst);
}

static void report(ts_detector_t *d, const scan_entry_t *e, bool address_scan, uint64_t nh,
                   uint64_t np, bool approx, int64_t wend, ts_arena_t *a, ts_detection_cb cb,
                   void *ctx)
{
    ts_event_t ev;
    ts_det_event_base(d, &ev, "scan", d->win_start, wend, a);
    ev.type = d->t_scanner;
    ev.count = e->flows;
    ts_det_ipkey_ip(&e->key, &ev.src.ip);
    const char *proto = e->mixed_proto ? "mixed" : ts_det_proto_name(e->proto);
    bool ports = !e->mixed_proto && (e->proto == TS_PROTO_TCP || e->proto == TS_PROTO_UDP);
    if (!e->mixed_proto)
        ev.transport = ts_str_c(proto);
    if (ports && np == 1 && ts_dcount_exact(&e->ports))
        ev.dst.port = e->first_port;
    if (nh == 1 && ts_dcount_exact(&e->hosts)) {
        ev.dst.ip.family = e->key.fam;
        memcpy(ev.dst.ip.bytes, e->first_dst, 16);
    }
    /* The hosts probed, so that their sites are told: exact while the list
     * fits (then also the count), covering prefixes beyond. */
    if (e->targets) {
        ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
        ts_targetset_get(d->tsets[e->targets - 1], nh, a, t);
        if (ts_targets_exact(t))
            nh = t->n;
        ev.dst.targets = t;
    }
    if (address_scan) {
        ev.identifier = TS_STR_LIT("flow-addressscan");
        if (ev.dst.port >= 0)
            ev.description = ts_det_printf(a, "address scan: %llu hosts on %s/%d",
                                           (unsigned long long)nh, proto, (int)ev.dst.port);
        else
            ev.description = ts_det_printf(a, "address scan: %llu hosts, %llu ports (%s)",
                                           (unsigned long long)nh, (unsigned long long)np, proto);
    } else {
        ev.identifier = TS_STR_LIT("flow-portscan");
        ev.description = ts_det_printf(a, "port scan: %llu ports on %llu host(s) (%s)",
                                       (unsigned long long)np, (unsigned long long)nh, proto);
    }
    ts_det_extra_u64(&ev, a, "detect.flows", e->flows);
    ts_det_extra_u64(&ev, a, "detect.packets", e->packets);
    ts_det_extra_u64(&ev, a, "detect.bytes", e->bytes);
    ts_det_extra_u64(&ev, a, "detect.distinct_targets", nh);
    ts_det_extra_u64(&ev, a, "detect.distinct_ports", np);
    ts_det_extra_str(&ev, a, "detect.protocol", proto);
    if (approx)
        ts_det_extra_raw(&ev, "detect.approximate", "true");
    ts_det_report(d, &ev, cb, ctx);
}

void ts_scan_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx)
{
    uint32_t min_hosts = d->cfg.scan_min_hosts, min_ports = d->cfg.scan_min_ports;
    uint32_t min_flows = min_hosts < min_ports ? min_hosts : min_ports;
    size_t n = ts_dtable_slots(&d->scan);
    for (size_t i = 0; i < n; i++) {
        scan_entry_t *e = ts_dtable_at(&d->scan, i);
        if (!e)
            continue;
        if (e->flows >= min_flows) {
            uint64_t nh = ts_dcount_estimate(&e->hosts);
            uint64_t np = ts_dcount_estimate(&e->ports);
            uint64_t pairs = ts_dcount_estimate(&e->pairs);
            /* Sketch error must not break P >= max(H, Q). */
            if (pairs < nh)
                pairs = nh;
            if (pairs < np)
                pairs = np;
            nh = nh ? nh : 1;
            np = np ? np : 1;
            bool approx = !ts_dcount_exact(&e->hosts) || !ts_dcount_exact(&e->ports) ||
                          !ts_dcount_exact(&e->pairs);
            /* TRW's intuition: a benign client's probes are mostly answered
             * (SNMP polling, pings); a scanner's mostly not. */
            bool answered = 2 * ts_dcount_estimate(&e->answered) >= pairs;
            if (!answered && (double)pairs / (double)np >= min_hosts)
                report(d, e, true, nh, np, approx, wend, a, cb, ctx);
            if (!answered && (double)pairs / (double)nh >= min_ports)
                report(d, e, false, nh, np, approx, wend, a, cb, ctx);
        }
        release(e, d);
        ts_dtable_remove_at(&d->scan, i);
    }
}

void ts_scan_free(ts_detector_t *d)
{
    size_t n = ts_dtable_slots(&d->scan);
    for (size_t i = 0; i < n; i++) {
        scan_entry_t *e = ts_dtable_at(&d->scan, i);
        if (e)
            release(e, d);
    }
    for (uint32_t i = 0; i < d->n_tsets; i++)
        ts_targetset_free(d->tsets[i]);
    free(d->tsets);
    free(d->free_tsets);
}
