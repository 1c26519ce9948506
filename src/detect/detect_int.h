/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the detectors (src/detect only). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/targets.h"
#include "detect/detect.h"
#include "detect/hll.h"
#include "detect/table.h"

#define TS_PROTO_ICMP 1
#define TS_PROTO_TCP 6
#define TS_PROTO_UDP 17
#define TS_PROTO_ICMP6 58

#define TS_TCP_FIN 0x01
#define TS_TCP_SYN 0x02
#define TS_TCP_RST 0x04
#define TS_TCP_ACK 0x10

/* An address as a table key: no padding, so memcmp compares it. */
typedef struct ts_ipkey {
    uint8_t fam;
    uint8_t tag; /* free use by the table's owner (flood: protocol class) */
    uint8_t pad[2];
    uint8_t ip[16];
} ts_ipkey_t;

/* Per-source scan state for one window (failed or very short flows only).
 * Exactly two cache lines: every new source (a spoofed or background-noise
 * prober) costs writing one entry, which dominates the detectors' cost. */
typedef struct scan_entry {
    ts_dhead_t h; /* score: probe flows */
    ts_ipkey_t key;
    uint32_t flows;
    uint8_t proto;       /* protocol of the first probe */
    uint8_t mixed_proto; /* later probes used another protocol */
    uint16_t first_port;
    uint32_t packets, bytes; /* saturating: probes are small */
    uint8_t first_dst[16];   /* same family as the source */
    uint32_t targets;        /* its probed hosts: index + 1 in the detector's tsets, 0 none */
    ts_dcount_t hosts;       /* distinct destinations */
    ts_dcount_t ports;       /* distinct (protocol, port) */
    ts_dcount_t pairs;       /* distinct (destination, protocol, port) */
    ts_dcount_t answered;    /* pairs that sent a UDP or echo reply back */
} scan_entry_t;

/* Brute force state per (source, destination, service port) for one window. */
_Static_assert(sizeof(scan_entry_t) == 128, "scan_entry_t should be two cache lines");

typedef struct bf_key {
    uint8_t sfam, dfam;
    uint16_t port;
    uint8_t src[16], dst[16];
} bf_key_t;

typedef struct bf_entry {
    ts_dhead_t h; /* score: attempts */
    bf_key_t key;
    uint32_t attempts;   /* short login-like flows */
    uint32_t long_flows; /* longer sessions seen after the first attempt */
    uint64_t packets, bytes;
    int64_t first_ms, last_ms;
} bf_entry_t;

enum { FL_TCP, FL_UDP, FL_ICMP, FL_OTHER, FL_CLASSES };

/* Per-interval traffic of destinations hashed together (see flood.c): a
 * count-min sketch of TS_FLOOD_GATE_ROWS rows of TS_FLOOD_GATE_CELLS cells,
 * one counter per rate (the three thresholds are checked separately). */
#define TS_FLOOD_GATE_ROWS 2
#define TS_FLOOD_GATE_CELLS 16384
#define TS_FLOOD_GATE_OPEN (1u << 14)
_Static_assert(TS_FLOOD_GATE_ROWS == 2, "ts_flood_gate_of picks the bits of two rows");
/* One cell: four 16-bit lanes updated together (SWAR). Lanes 0-2 count this
 * interval's packets, bytes and flows in units of which TS_FLOOD_GATE_OPEN =
 * 1/8 of the threshold; a lane stops counting once it reaches OPEN (all that
 * matters is whether it did), so it never exceeds 2 * OPEN - 1 and never
 * carries into the next. Lane 3 counts the table entries whose destination
 * hashes here (saturating at 0xffff). */
struct flood_gate {
    uint64_t v;
};
#define TS_FLOOD_GATE_COUNTERS UINT64_C(0x0000ffffffffffff)
#define TS_FLOOD_GATE_TRACKED_SHIFT 48
void ts_flood_init(ts_detector_t *d);

/* Flood state per (destination, protocol class); h.aux = on the active list. */
typedef struct flood_entry {
    ts_dhead_t h; /* score: flows this window, halved at each window close */
    ts_ipkey_t key;
    uint8_t over; /* a smoothed rate crossed a threshold this window */
    uint8_t hot;  /* near a threshold: sources are being counted */
    uint32_t iv_flows;
    double iv_packets, iv_bytes;          /* current measurement interval */
    double ewma_pps, ewma_bps, ewma_fps;  /* smoothed rates */
    double peak_pps, peak_bps, peak_fps;  /* highest smoothed rates this window */
    uint64_t w_flows, w_packets, w_bytes; /* this window */
    ts_ip_t one_src;                      /* first source counted this window */
    ts_dcount_t sources;
} flood_entry_t;

struct ts_detector {
    ts_detect_config_t cfg;
    uint8_t bf_ports[65536 / 8];
    ts_type_t t_scanner, t_bruteforce, t_ddos, t_dos;
    bool started;
    int64_t win_start, iv_start;
    ts_dbudget_t budget;
    ts_dtable_t scan, bf, flood;
    ts_targetset_t **tsets; /* scan targets per source (scan_entry_t.targets) */
    uint32_t n_tsets, cap_tsets;
    uint32_t *free_tsets; /* indexes of released ones, for reuse */
    uint32_t n_free_tsets;
    size_t tsets_bytes; /* held by all of them, against targets_memory */
    uint32_t *active;   /* flood slots with activity or a non-zero rate */
    size_t n_active;
    uint32_t flood_gen;                    /* flood table generation the active list refers to */
    struct flood_gate *gate;               /* ROWS * CELLS, counters cleared per interval */
    double gate_per_packet, gate_per_byte; /* units */
    uint64_t gate_per_flow;                /* units, rounded up, in lane 2 */
    uint64_t flows, ignored, detections;
};

/* Flow time clamped far from the int64 limits, so window arithmetic never
 * overflows. */
#define TS_DETECT_TIME_LIMIT (INT64_C(1) << 52) /* x2, in microseconds, fits int64 */

/* One multiply-xorshift round per IPv4 address (the common case), two for
 * IPv6. The seed goes in multiplied by an odd constant so that keys with
 * small seeds (flood's protocol class) never coincide. */
static inline uint64_t ts_det_hash_ip(const ts_ip_t *ip, uint64_t seed)
{
    uint64_t s = seed * UINT64_C(0x9e3779b97f4a7c15);
    if (ip->family == TS_AF_INET) {
        uint32_t a;
        memcpy(&a, ip->bytes, 4);
        return ts_mix64(((uint64_t)a << 8 | TS_AF_INET) + s);
    }
    uint64_t hi, lo;
    memcpy(&hi, ip->bytes, 8);
    memcpy(&lo, ip->bytes + 8, 8);
    return ts_mix64(ts_mix64(hi ^ s ^ ((uint64_t)ip->family << 56)) ^ lo);
}
/* Hash of a ts_ipkey_t entry (scan, flood) as its table was given it. */
uint64_t ts_det_ipkey_entry_hash(const void *entry);
void ts_det_ipkey(ts_ipkey_t *k, const ts_ip_t *ip, uint8_t tag);
void ts_det_ipkey_ip(const ts_ipkey_t *k, ts_ip_t *ip /* OUT */);
const char *ts_det_proto_name(uint8_t proto);

/* Event building: extras are JSON text in the arena. */
void ts_det_event_base(const ts_detector_t *d, ts_event_t *ev, const char *detector, int64_t wstart,
                       int64_t wend, ts_arena_t *a);
void ts_det_extra_u64(ts_event_t *ev, ts_arena_t *a, const char *key, uint64_t v);
void ts_det_extra_str(ts_event_t *ev, ts_arena_t *a, const char *key, const char *v);
void ts_det_extra_raw(ts_event_t *ev, const char *key, const char *json);
ts_str_t ts_det_printf(ts_arena_t *a, const char *fmt, ...) TS_PRINTF(2, 3);
void ts_det_report(ts_detector_t *d, const ts_event_t *ev, ts_detection_cb cb, void *ctx);

enum { TS_SCAN_NONE, TS_SCAN_PROBE, TS_SCAN_ANSWER };
/* What the scan detector makes of a flow (TS_SCAN_*); no state touched. */
int ts_scan_classify(const ts_flow_t *f);
/* The address whose entry a classified flow touches (src of a probe, dst of
 * an answer), hashed as the table wants it. */
static inline uint64_t ts_scan_hash(const ts_flow_t *f, int kind)
{
    return ts_det_hash_ip(kind == TS_SCAN_PROBE ? &f->src : &f->dst, 0);
}
/* kind and h from ts_scan_classify and ts_scan_hash. */
void ts_scan_flow(ts_detector_t *d, const ts_flow_t *f, int kind, uint64_t h);
void ts_scan_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx);
void ts_scan_free(ts_detector_t *d);

void ts_bf_flow(ts_detector_t *d, const ts_flow_t *f, int64_t t);
uint64_t ts_bf_entry_hash(const void *entry);
void ts_bf_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx);

static inline uint8_t ts_flood_class(uint8_t proto)
{
    switch (proto) {
    case TS_PROTO_TCP:
        return FL_TCP;
    case TS_PROTO_UDP:
        return FL_UDP;
    case TS_PROTO_ICMP:
    case TS_PROTO_ICMP6:
        return FL_ICMP;
    default:
        return FL_OTHER;
    }
}
/* Hash of a flow's flood key (destination, protocol class). */
static inline uint64_t ts_flood_hash(const ts_flow_t *f)
{
    return ts_det_hash_ip(&f->dst, ts_flood_class(f->proto));
}
/* The cell of row r (< TS_FLOOD_GATE_ROWS) for hash h: rows take disjoint
 * bits of h (the table's bucket and tag use bits 37-63 and 5-31). */
static inline struct flood_gate *ts_flood_gate_of(ts_detector_t *d, uint64_t h, unsigned r)
{
    size_t i = r == 0 ? (size_t)(h >> 32) & (TS_FLOOD_GATE_CELLS - 1)
                      : (size_t)(h >> 5) & (TS_FLOOD_GATE_CELLS - 1);
    return &d->gate[(size_t)r * TS_FLOOD_GATE_CELLS + i];
}
/* h from ts_flood_hash. */
void ts_flood_flow(ts_detector_t *d, const ts_flow_t *f, uint64_t h);
/* Ends the measurement over k intervals (k >= 1) of which the counters hold
 * the traffic. */
void ts_flood_interval(ts_detector_t *d, int64_t k);
void ts_flood_close(ts_detector_t *d, int64_t wend, ts_arena_t *a, ts_detection_cb cb, void *ctx);
void ts_flood_free(ts_detector_t *d);
