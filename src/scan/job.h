/* SPDX-License-Identifier: Apache-2.0 */
/* A scan from request to findings.
 *
 * ts_scan_submit() checks a request (scope, then the site's limits) and
 * stores it: queued for a worker, or running for `tocsin scan run`. A refused
 * request is stored as refused with its reason (the audit trail) and logged;
 * nothing is sent for it.
 *
 * ts_scan_execute() runs a stored scan: the scope is checked again against
 * the constituency of the moment, then the engine finds the open TCP ports
 * (and the UDP services when asked), the probes identify each service, and
 * the results are stored with their findings:
 *   exposed      a service CSIRTs warn about by itself (open-redis, open-rdp,
 *                accessible-smb, dns-open-resolver, ...): RSIT
 *                potentially-unwanted-accessible, or ddos-amplifier for a UDP
 *                amplifier;
 *   advisory     an advisory that may affect the product and version a banner
 *                named (the advisory matcher; its reason, and "from a banner"
 *                as the evidence): vulnerable-system;
 *   certificate  an expired or not yet valid certificate, a self-signed one,
 *                TLS 1.0 or 1.1 accepted: weak-crypto;
 *   change       against the previous scan of the same targets: a new open
 *                port, a port no longer open, a changed product or version:
 *                potentially-unwanted-accessible.
 * Each finding is one event about one host (source.ip, source.port), stored
 * through the store's event path and routed to the site that owns the host,
 * so that it is prioritised and notified like any other event. A scheduled
 * scan (every_s > 0) queues its next run when it ends. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "route/constituency.h"
#include "scan/engine.h"
#include "scan/scope.h"
#include "scan/settings.h"
#include "store/scanstore.h"

#define TS_SCAN_ERR_MAX 512

typedef struct ts_scan_request {
    int64_t site_id;          /* the requesting site; 0 with csirt */
    bool csirt;               /* requested by the CSIRT: any constituency address */
    const char *requested_by; /* "cli", a certificate holder */
    const char *const *targets;
    size_t n_targets;
    const char *ports; /* a spec (scan/portspec.h) */
    bool udp;
    int64_t every_s; /* > 0: a schedule */
} ts_scan_request_t;

/* Checks and stores a request as `state` ("queued" or "running").
 * \retval 0 stored, *id set.
 * \retval TS_EINVAL a malformed target or port spec (nothing stored).
 * \retval TS_EDENIED a target outside the requester's space, or
 *   TS_ETOOBIG more addresses than one scan may hold, or TS_EBUSY a limit
 *   of the site reached: stored as refused (*id set), err says why.
 * \retval a store error. */
TS_MUSTCHECK int ts_scan_submit(ts_store_t *st, ts_constituency_t *c,
                                const ts_scan_settings_t *settings, const ts_scan_request_t *rq,
                                const char *state, int64_t *id /* OUT */, char *err,
                                size_t errsize);

typedef struct ts_scan_progress {
    const char *phase; /* "tcp", "udp", "probe", "store" */
    double fraction;   /* of the whole scan, 0 to 1 */
    int64_t eta_s;     /* -1 unknown */
    uint64_t open;
} ts_scan_progress_t;

typedef struct ts_scan_exec_opts {
    ts_eng_mode_t mode;       /* TS_ENG_CONNECT or TS_ENG_SYN; 0: SYN when allowed and all IPv4 */
    uint32_t rate, host_rate; /* 0: the settings' */
    uint32_t max_inflight;    /* 0: the engine's default */
    uint32_t retries;         /* the engine's default when 0 and not retries_set */
    bool retries_set;
    uint32_t min_timeout_ms; /* 0: the engine's default */
    uint32_t wait_ms;        /* probes' wait; 0: their default */
    unsigned threads;        /* probe threads; 0: 32 */
    atomic_bool *cancel;     /* set by the caller, or by the store's cancel flag */
    void (*progress)(void *ctx, const ts_scan_progress_t *p);
    void *ctx;
} ts_scan_exec_opts_t;

/* Runs the stored scan id (state running). Ends it done, failed, cancelled
 * or refused.
 * \retval 0 done.  \retval TS_EDENIED / TS_ETOOBIG refused at the start
 * (nothing sent).  \retval TS_EINTR cancelled.  \retval TS_ENOENT no such
 * scan.  \retval another error: failed (err says why). */
TS_MUSTCHECK int ts_scan_execute(ts_store_t *st, const ts_scan_settings_t *settings, int64_t id,
                                 const ts_scan_exec_opts_t *o, char *err, size_t errsize);
