/* SPDX-License-Identifier: Apache-2.0 */
/* The scan engine: finds which (host, port) pairs answer, as fast as the
 * rate limits allow and without root.
 *
 *  - TCP connect mode: non-blocking connect() on epoll; an open port is
 *    closed again at once with a reset (SO_LINGER 0), so no TIME_WAIT piles up.
 *  - TCP SYN mode (IPv4, needs CAP_NET_RAW): a raw socket sends SYNs whose
 *    sequence number is a keyed hash of the 4-tuple and reads the SYN-ACKs
 *    and resets; the kernel resets the half-open connections itself. A source
 *    port is held by a bound socket for the duration, so no local program
 *    can be handed it.
 *  - UDP mode: one datagram socket per family sends each port's probe
 *    payload (scan/udp.h) and reads the answers; ICMP port-unreachable
 *    (IP_RECVERR) marks a port closed.
 *
 * Order: every host's ports are visited in a keyed random permutation, and
 * hosts take turns by the time each may next be sent to, so that the probes
 * to one network are spread out. Rates: a token bucket for all hosts and a
 * fixed spacing per host. Timeouts: per host, from the round-trip times
 * measured so far (RFC 6298's smoothed RTT and variance), between a floor
 * and a ceiling; an unanswered probe is sent again up to `retries` times,
 * each time with twice the timeout. Only answers count: a port that never
 * answered is "filtered" and not reported.
 *
 * One engine run is single-threaded; the callbacks run on the calling thread. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ip.h"

typedef enum ts_eng_mode {
    TS_ENG_CONNECT = 1,
    TS_ENG_SYN = 2,
    TS_ENG_UDP = 3,
} ts_eng_mode_t;

typedef enum ts_port_state {
    TS_PORT_OPEN = 1,
    TS_PORT_CLOSED = 2,
} ts_port_state_t;

typedef struct ts_eng_progress {
    uint64_t total;      /* probes to make (first tries) */
    uint64_t done;       /* of them answered or given up */
    uint64_t sent;       /* packets or connects sent, retries included */
    uint64_t open;       /* open ports found */
    int64_t elapsed_us;  /* since the start */
    int64_t eta_us;      /* estimated time left; -1 before anything is done */
    uint32_t timeout_us; /* the current timeout of a probe (median host) */
} ts_eng_progress_t;

/* An answer. data/len: a UDP answer's payload (NULL/0 otherwise), valid
 * during the call. rtt_us: the measured round trip. */
typedef void (*ts_eng_result_fn)(void *ctx, size_t host, uint16_t port, ts_port_state_t state,
                                 uint32_t rtt_us, const uint8_t *data, size_t len);
typedef void (*ts_eng_progress_fn)(void *ctx, const ts_eng_progress_t *p);

typedef struct ts_eng_opts {
    ts_eng_mode_t mode;
    uint32_t rate;               /* probes per second, all hosts; 0: no limit */
    uint32_t host_rate;          /* probes per second to one host; 0: no limit */
    uint32_t max_inflight;       /* probes waiting for an answer at once (default 1024) */
    uint32_t retries;            /* extra tries of an unanswered probe (default 1) */
    uint32_t min_timeout_ms;     /* floor of the adaptive timeout (default 200) */
    uint32_t max_timeout_ms;     /* ceiling (default 3000) */
    uint32_t initial_timeout_ms; /* before any RTT is known (default 1000) */
    uint64_t seed;               /* of the order (0: random) */
    const atomic_bool *cancel;   /* when it becomes true the run ends (TS_EINTR) */
    ts_eng_result_fn on_result;
    ts_eng_progress_fn on_progress; /* about 4 times a second and at the end; may be NULL */
    void *ctx;
} ts_eng_opts_t;

/* Defaults as documented above. */
void ts_eng_opts_init(ts_eng_opts_t *o);

/* Probes every host x port. UDP mode sends each port the payload of
 * ts_udp_probe_for(port); a port without one is skipped (counted done).
 * SYN mode takes IPv4 hosts only.
 * \retval 0 finished.  \retval TS_EINTR cancelled.
 * \retval TS_ENOTSUP SYN mode without CAP_NET_RAW, or with an IPv6 host.
 * \retval TS_EINVAL no callback, or a host without an address family.
 * \retval TS_EIO a socket or epoll could not be made (errno logged). */
TS_MUSTCHECK int ts_eng_run(const ts_ip_t *hosts, size_t n_hosts, const uint16_t *ports,
                            size_t n_ports, const ts_eng_opts_t *opts);

/* True when this process may open a raw socket (SYN mode). */
bool ts_eng_can_syn(void);
