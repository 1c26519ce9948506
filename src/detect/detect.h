/* SPDX-License-Identifier: Apache-2.0 */
/* Flow detectors: scanners, brute force against login services, floods.
 *
 * Detectors see every decoded flow (ts_detect_flow) and, when a window
 * closes (ts_detect_tick, driven by flow time so that replays and live
 * traffic behave alike), report detections as normalised events: RSIT type
 * (information-gathering/scanner, intrusion-attempts/brute-force,
 * availability/ddos or dos), source and destination, and the evidence in
 * extra (flows, packets, bytes, distinct targets or ports, window). The
 * caller routes and stores them like any other event. A scan of many hosts
 * names them as the destination's targets, and floods of several hosts of one
 * /24 (IPv6: /64) in one window are one event naming the victims, so that
 * routing reaches every site among them with its own hosts.
 *
 * Memory is bounded: per-source and per-destination state lives in tables
 * of fixed capacity (the least active entries are evicted and counted), and
 * distinct counts beyond a small exact set use HyperLogLog. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/event.h"
#include "flow/flow.h"

typedef struct ts_detect_config {
    int64_t window_ms; /* tumbling window for scan and brute force (default 300000) */
    /* Scanner: one source, failed/short flows to many destinations on one port
     * (address scan) or to many ports on one destination (port scan). */
    uint32_t scan_min_hosts; /* distinct destinations (default 25) */
    uint32_t scan_min_ports; /* distinct ports on one host (default 15) */
    /* A scan names its targets (destination targets of the event, see
     * core/targets.h): each source's distinct probed hosts are kept from its
     * second one on, exactly up to scan_max_targets (default 4096, at most
     * TS_TARGETS_INPUT_MAX), then as covering prefixes; all lists together
     * hold at most targets_memory bytes (default 32 MiB), past which lists
     * widen instead of growing and no new one starts (a scan without one is
     * reported as before, without targets). */
    uint32_t scan_max_targets;
    size_t targets_memory;
    /* Brute force: one source, many short flows to one login service. */
    uint32_t bf_min_flows;   /* flows per window to one service (default 20) */
    uint32_t bf_max_packets; /* a "short" login attempt: at most this many packets (default 50) */
    const uint16_t *
        bf_ports; /* services watched (default 22, 23, 3389, 21, 5900, 110, 143, 445, 3306, 5432) */
    size_t n_bf_ports;
    /* Flood: per destination, smoothed (EWMA) rates per protocol. */
    int64_t flood_tick_ms;     /* rate measurement interval (default 1000) */
    double flood_alpha;        /* EWMA weight of the newest interval (default 0.3) */
    double flood_pps;          /* packets/s to one destination (default 20000) */
    double flood_bps;          /* bits/s (default 1e9) */
    double flood_fps;          /* flows/s (default 3500) */
    uint32_t ddos_min_sources; /* distinct sources for ddos rather than dos (default 50) */
    size_t max_sources;        /* tracked sources (default 65536) */
    size_t max_destinations;   /* tracked destinations (default 65536) */
} ts_detect_config_t;

/* Fills c with the defaults above. */
void ts_detect_config_init(ts_detect_config_t *c);

typedef struct ts_detector ts_detector_t;

/* Called per detection; ev's strings live in the arena given to tick and are
 * valid until the caller resets it. */
typedef void (*ts_detection_cb)(const ts_event_t *ev, void *ctx);

/* New detector (cfg NULL = defaults). Fields that are zero, negative or not
 * finite take their defaults (flood_alpha outside (0, 1] too); window_ms is
 * capped at a day, flood_tick_ms at window_ms, the table sizes at 2^22. The
 * bf_ports array is copied. Never NULL (aborts on OOM); free with
 * ts_detector_free().
 *
 * Timing: flows count into the window and measurement interval in progress,
 * whatever their timestamps (late flows are not lost, time going backwards is
 * harmless); a window closes only in ts_detect_tick. Tick at least once per
 * flood_tick_ms of flow time (e.g. per datagram with its export time) so that
 * rates and windows are measured where the flows belong. */
ts_detector_t *ts_detector_new(const ts_detect_config_t *cfg);
void ts_detector_free(ts_detector_t *d);
/* Feeds one flow (its first_ms/last_ms give the flow time). Flows without a
 * source or destination address, or with different families, are ignored
 * (counted in stats.ignored). */
void ts_detect_flow(ts_detector_t *d, const ts_flow_t *f);
/* Feeds flows[0..n-1] in order, with exactly the effect of n calls of
 * ts_detect_flow, at a lower cost per flow: table lookups of the batch are
 * prefetched while earlier flows are processed (use it with all the flows of
 * a datagram or of a receive batch). No-op when d or flows is NULL. */
void ts_detect_flows(ts_detector_t *d, const ts_flow_t *flows, size_t n);
/* Closes the windows that end at or before now_ms (flow time) and reports. */
void ts_detect_tick(ts_detector_t *d, int64_t now_ms, ts_arena_t *arena, ts_detection_cb cb,
                    void *ctx);

typedef struct ts_detect_stats {
    uint64_t flows;
    uint64_t detections;
    uint64_t evicted_sources, evicted_destinations;
    size_t memory;             /* bytes held */
    uint64_t ignored;          /* flows without usable addresses */
    uint64_t sketch_saturated; /* distinct counters that stopped at the memory cap */
} ts_detect_stats_t;
void ts_detect_get_stats(const ts_detector_t *d, ts_detect_stats_t *s);
