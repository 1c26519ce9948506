/* SPDX-License-Identifier: Apache-2.0 */
/* Service probes: what tocsin sends to an open port to learn what listens
 * there, and the wait for the answer. Written by the tocsin team from the
 * protocols' specifications:
 *
 *   greeting  nothing: SSH, FTP, SMTP, POP3, IMAP, MySQL, VNC speak first
 *   HTTP      GET / with a User-Agent naming tocsin and the CSIRT's URL
 *   TLS       a handshake (GnuTLS) that accepts any certificate, to read it;
 *             then one handshake per protocol version (1.0 to 1.3), and HTTP
 *             inside when the port is a web port
 *   Redis     INFO server (RESP);  memcached: version;  MongoDB: buildInfo
 *             (OP_MSG);  RDP: X.224 Connection Request ([MS-RDPBCGR]);
 *             SMB: SMB2 NEGOTIATE ([MS-SMB2]);  DNS over TCP: version.bind
 *   NTP       (UDP, after the engine's client request) mode 6 READVAR
 *
 * Every step is bounded: a connect, a send and a wait each end by their
 * deadline, and at most max_bytes of an answer are read, so a service that
 * accepts and never speaks, one that resets, a tarpit and a 1 MiB banner all
 * end in bounded time with a bounded, clean result (scan/service.h).
 * Probes run on a pool of threads; each job is independent. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"
#include "scan/service.h"

#define TS_PROBE_UA_MAX 320

typedef struct ts_probe_opts {
    uint32_t wait_ms;    /* longest wait for one answer or handshake (default 3000) */
    uint32_t connect_ms; /* longest connect (default 3000) */
    size_t max_bytes;    /* most bytes read of one answer (default 16384) */
    char user_agent[TS_PROBE_UA_MAX];
    const atomic_bool *cancel; /* set: the remaining steps are skipped */
} ts_probe_opts_t;

void ts_probe_opts_init(ts_probe_opts_t *o);

typedef struct ts_probe_job {
    ts_ip_t ip;
    uint16_t port;
    bool udp;         /* the engine's UDP answer is already in svc */
    ts_service_t svc; /* OUT */
} ts_probe_job_t;

/* Identifies the service of each job on `threads` threads (1-256);
 * progress (may be NULL) is called on the calling thread about 4 times a
 * second with the number of jobs done. */
void ts_probe_run(ts_probe_job_t *jobs, size_t n, unsigned threads, const ts_probe_opts_t *o,
                  void (*progress)(void *ctx, size_t done, size_t n), void *ctx);

/* One job, on the calling thread (tests, and the pool's threads). */
void ts_probe_one(ts_probe_job_t *job, const ts_probe_opts_t *o);
