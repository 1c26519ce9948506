/* SPDX-License-Identifier: Apache-2.0 */
/* The flow collector: UDP sockets for NetFlow v5/v9 and IPFIX exporters,
 * batched receive (recvmmsg), decoding, the flow detectors, and the store.
 *
 * Flows themselves are not stored (that is a flow recorder's job, nfdump's
 * for instance); what is stored is what a CSIRT acts on: each detection as an
 * event, routed to the sites that own its addresses like any other event,
 * and the per-exporter counters (packets, flows, templates, drops by reason,
 * sequence gaps), saved periodically and on exit. */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "core/error.h"
#include "detect/detect.h"
#include "flow/flow.h"
#include "route/constituency.h"
#include "store/store.h"

#define TS_COLLECT_MAX_SOCKETS 8

typedef struct ts_collect_opts {
    const char *listen[TS_COLLECT_MAX_SOCKETS]; /* "ADDRESS:PORT" or "[v6]:PORT" */
    size_t n_listen;
    ts_flow_limits_t limits;
    ts_detect_config_t detect;
    int stats_interval_ms; /* how often exporter counters are saved (default 5000) */
    int rcvbuf;            /* SO_RCVBUF bytes asked for (default 32 MiB) */
    int coalesce_us;       /* longest pause after draining the sockets while traffic flows, so that
                              the next wake reads a batch (default 50000 µs, 0 = none; shortened
                              automatically to what the receive buffer absorbs) */
    int store_patience_ms; /* stopping, how long a locked store is retried before the
                              detections still held are given up (default 30000) */
    ts_bus_t *bus;         /* NULL: detections are stored in the store given; else
                              published to this bus as the input bus_input
                              (collect/writer.h) */
    const char *bus_input;
    volatile sig_atomic_t *stop;   /* set asynchronously to stop */
    volatile sig_atomic_t *reload; /* set asynchronously to reload the constituency */
    /* Called once the sockets are bound (e.g. to print the ports), may be NULL. */
    void (*ready)(const char *const *bound, size_t n, void *ctx);
    void *ready_ctx;
} ts_collect_opts_t;

typedef struct ts_collect_stats {
    uint64_t datagrams;
    uint64_t flows;
    uint64_t detections;
    uint64_t socket_drops; /* datagrams the kernel dropped for a full buffer (SO_MEMINFO) */
} ts_collect_stats_t;

void ts_collect_opts_init(ts_collect_opts_t *o);

/* Receive coalescing. Each wake of the receive loop is a context switch,
 * which costs far more than decoding the datagram or two it would otherwise
 * bring (25-55 µs of CPU per sleep and wake on a 2-vCPU VM); so while
 * traffic flows, the loop pauses after draining the sockets and the next
 * wake reads a batch. The pause must never let the kernel drop:
 *  - it starts at zero after an idle spell, at most doubles per wake while
 *    a wake finds under 1/16 of the receive buffer queued (so at a steady
 *    rate the next finds under 1/8), and halves when one finds over 1/4;
 *  - it never lasts longer than a burst at TS_COLLECT_BURST_BYTES_PER_US
 *    takes to fill a quarter of the buffer, so a small buffer (SO_RCVBUF
 *    capped by net.core.rmem_max) gets short pauses whatever the rate was.
 *
 * The burst rate is about what the collector itself decodes with its
 * detectors, 1 M flows/s of 30-flow datagrams as ts_collect_charge counts
 * them: a longer pause could lose a burst that reading at once would not. */
#define TS_COLLECT_BURST_BYTES_PER_US 128

/* What a datagram of len payload bytes is reckoned to take of the buffer:
 * payload and skb, about twice the payload on loopback, reckoned high. */
static inline size_t ts_collect_charge(size_t len)
{
    return 2 * len + 1024;
}

/* The pause (µs) after a wake that found `charged` bytes queued (sum of
 * ts_collect_charge) in a buffer of `room` bytes (SO_RCVBUF as the kernel
 * reports it), given the pause before it; never above max_us, nor above
 * room / 4 / TS_COLLECT_BURST_BYTES_PER_US. */
long ts_collect_next_pause(long pause_us, size_t charged, size_t room, long max_us);

/* The kernel's count of datagrams dropped on UDP socket fd (full buffer,
 * bad checksum), since the socket was made (SO_MEMINFO; wraps at 2^32).
 * \retval 0 *drops set.  \retval TS_EIO not a socket, or no such counter. */
TS_MUSTCHECK int ts_collect_socket_drops(int fd, uint32_t *drops /* OUT */);

/* Parses "ADDRESS:PORT" ("127.0.0.1:2055", "[::1]:2055", "0.0.0.0:4739").
 * \retval 0 ok.  \retval TS_EINVAL malformed. */
TS_MUSTCHECK int ts_collect_parse_listen(const char *s, ts_ip_t *addr /* OUT */,
                                         uint16_t *port /* OUT */);

/* Runs until *stop is set. Detections are handed to a store writer thread
 * (collect/writer.h) after each read, exporter counters every
 * stats_interval_ms and at the end; st and *c belong to that thread while
 * this runs (SIGHUP through *reload makes it reload *c). A busy store is
 * waited for in memory, without pausing the sockets.
 * \retval 0 stopped normally.  \retval TS_EIO a socket could not be bound.
 * \retval TS_EDB the store failed.  \retval TS_EBUSY stopping, the store
 * stayed locked for store_patience_ms (detections lost, logged).
 * \retval TS_ENOMEM. */
TS_MUSTCHECK int ts_collect_run(ts_store_t *st, ts_constituency_t **c, const ts_collect_opts_t *o,
                                ts_collect_stats_t *stats /* OUT */);
