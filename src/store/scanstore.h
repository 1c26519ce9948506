/* SPDX-License-Identifier: Apache-2.0 */
/* The scan store: requested scans (one row per run; a schedule queues its
 * next run when one ends), what each run found listening, and its findings.
 *
 * Semantics every backend keeps (sqlite_scan.c, postgres_scan.c):
 *  - a scan's state is one of queued, running, done, failed, cancelled,
 *    refused; refused rows are the audit trail of requests outside scope;
 *  - ts_store_scan_claim() takes the oldest queued scan whose not_before has
 *    come and marks it running in the same statement, so two workers (two
 *    connections, on PostgreSQL two machines) never run one scan;
 *  - "a site's scans" are those of the site and of its descendants (the
 *    sites table's parent links), as for events; site_id 0 is the CSIRT's
 *    own scans, and a filter of 0 means every scan;
 *  - services are unique per (scan, ip, port, transport);
 *  - removing a scan removes its services and findings.
 * Times are us since the epoch. Strings passed in are borrowed for the call;
 * strings handed to callbacks are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct ts_scan_rec {
    int64_t id;
    int64_t site_id;          /* the site it is for; 0: the CSIRT itself */
    const char *site_name;    /* on reads: "" for 0 or a removed site */
    const char *requested_by; /* "cli", a certificate's holder, "schedule" */
    const char *targets;      /* space-separated prefixes */
    const char *ports;        /* the port spec */
    bool udp;
    int64_t every_s;    /* > 0: runs again that many seconds after each start */
    const char *state;  /* queued, running, done, failed, cancelled, refused */
    const char *reason; /* why refused or failed; "" */
    uint64_t n_addresses;
    int64_t created, not_before, started, finished; /* 0 = not yet */
    double progress;                                /* 0 to 1 */
    int64_t eta_s;                                  /* seconds left, -1 unknown */
    uint64_t open_ports;
    bool cancel;         /* asked to stop */
    int64_t schedule_id; /* the scan whose schedule queued this run; 0 none */
    const char *mode;    /* "connect", "syn", "" before it starts */
} ts_scan_rec_t;

typedef struct ts_scan_svc_rec {
    int64_t scan_id;
    const char *ip; /* canonical text */
    int port;
    const char *transport; /* "tcp", "udp" */
    const char *service, *product, *version, *info, *identifier, *title, *banner;
    const char *tls_json; /* the certificate and versions as JSON, "" without TLS */
    int64_t rtt_us;
} ts_scan_svc_rec_t;

typedef struct ts_scan_finding_rec {
    int64_t id;
    int64_t scan_id;
    const char *ip;
    int port;
    const char *transport;
    const char *kind;       /* exposed, advisory, certificate, change */
    const char *identifier; /* open-redis, an advisory id, ssl-expired-certificate, new-open-port */
    const char *type;       /* the RSIT type of its event */
    const char *detail;
    int64_t event_id; /* the event it became; 0 none */
} ts_scan_finding_rec_t;

typedef int (*ts_scan_cb)(const ts_scan_rec_t *rec, void *ctx);
typedef int (*ts_scan_svc_cb)(const ts_scan_svc_rec_t *rec, void *ctx);
typedef int (*ts_scan_finding_cb)(const ts_scan_finding_rec_t *rec, void *ctx);

/* Stores a new scan; rec->id, site_name and the progress fields are
 * ignored. \retval 0, *id set.  \retval TS_EINVAL a field missing. */
TS_MUSTCHECK int ts_store_scan_add(ts_store_t *st, const ts_scan_rec_t *rec, int64_t *id /* OUT */);
/* \retval TS_ENOENT no such scan. */
TS_MUSTCHECK int ts_store_scan_get(ts_store_t *st, int64_t id, ts_scan_cb cb, void *ctx);
/* Scans of site_id's subtree (0: all), newest first; limit 0 = all. */
TS_MUSTCHECK int ts_store_scans_foreach(ts_store_t *st, int64_t site_id, size_t limit,
                                        ts_scan_cb cb, void *ctx);
/* Marks the oldest due queued scan running (started = now) and gives it.
 * \retval 0 one was claimed (cb called).  \retval TS_ENOENT none is due. */
TS_MUSTCHECK int ts_store_scan_claim(ts_store_t *st, int64_t now, ts_scan_cb cb, void *ctx);
/* Progress of a running scan. *cancel (OUT) tells whether it was asked to stop. */
TS_MUSTCHECK int ts_store_scan_progress(ts_store_t *st, int64_t id, double progress, int64_t eta_s,
                                        uint64_t open_ports, bool *cancel /* OUT */);
/* Sets the state (and reason) of a scan; finished = now for the ends (done,
 * failed, cancelled, refused); mode and n_addresses when given (NULL, 0 keep). */
TS_MUSTCHECK int ts_store_scan_state(ts_store_t *st, int64_t id, const char *state,
                                     const char *reason, const char *mode, uint64_t n_addresses);
/* Asks a scan to stop: a queued one is cancelled at once, a running one is
 * flagged for its worker. \retval TS_ENOENT no such scan; TS_EEXIST it has
 * ended already. */
TS_MUSTCHECK int ts_store_scan_cancel(ts_store_t *st, int64_t id);
/* For the limits: scans of exactly site_id queued or running, and the
 * addresses of its scans created since `since` that were not refused. */
TS_MUSTCHECK int ts_store_scan_usage(ts_store_t *st, int64_t site_id, int64_t since,
                                     uint64_t *active /* OUT */, uint64_t *addresses /* OUT */);
/* The newest finished (done) scan before scan id with the same site,
 * targets, ports and UDP choice. \retval TS_ENOENT none. */
TS_MUSTCHECK int ts_store_scan_previous(ts_store_t *st, int64_t id, int64_t *prev /* OUT */);

TS_MUSTCHECK int ts_store_scan_service_add(ts_store_t *st, const ts_scan_svc_rec_t *rec);
/* By address text, transport, port. */
TS_MUSTCHECK int ts_store_scan_services_foreach(ts_store_t *st, int64_t scan_id, ts_scan_svc_cb cb,
                                                void *ctx);
TS_MUSTCHECK int ts_store_scan_finding_add(ts_store_t *st, const ts_scan_finding_rec_t *rec,
                                           int64_t *id /* OUT, may be NULL */);
/* In the order they were added. */
TS_MUSTCHECK int ts_store_scan_findings_foreach(ts_store_t *st, int64_t scan_id,
                                                ts_scan_finding_cb cb, void *ctx);
