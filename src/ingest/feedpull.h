/* SPDX-License-Identifier: Apache-2.0 */
/* Scheduled pulls of the feeds kept in the feed store (store/feedstore.h),
 * and Shadowserver's report schema as kept there.
 *
 * A pull: a conditional GET (ETag, Last-Modified) over HTTPS
 * (ingest/download.h) into a temporary file of the spool directory; 304, or
 * a body with the SHA-256 of the last one ingested, is nothing new. A new
 * body is renamed to "<spool>/<feed>-<sha256>" (fsynced) and ingested from
 * that path by the durable ingest (ingest.h), which checkpoints the input in
 * the transaction of each batch's events. Only then are the feed's state
 * (ETag, Last-Modified, SHA-256, counters) saved and the body removed. A
 * pull killed in between leaves the body in the spool: the next pull of the
 * feed ingests it first, from its checkpoint, so nothing is stored twice and
 * nothing is lost. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "ingest/ingest.h"
#include "route/constituency.h"
#include "store/feedstore.h"
#include "store/store.h"

#define TS_FEED_BODY_MAX_DEFAULT (256ull << 20) /* bytes of one pulled body */

/* The outcome of one feed's pull. err is "" on success. */
typedef struct ts_feedpull_result {
    const char *name;
    bool pulled;      /* a pull was attempted (else: not due) */
    bool new_body;    /* something was ingested */
    int rc;           /* 0 or the ts_err of the failure */
    const char *err;  /* the failure in words, "" */
    uint64_t records; /* of this pull */
    uint64_t events;
    uint64_t quarantined;
} ts_feedpull_result_t;

typedef void (*ts_feedpull_report_fn)(const ts_feedpull_result_t *r, void *ctx);

typedef struct ts_feedpull_opts {
    const char *spool;            /* directory for bodies being ingested (made when missing) */
    const char *cacert;           /* PEM CA file instead of the system's, or NULL */
    const char *only;             /* pull this feed only, or NULL for all */
    bool force;                   /* pull even when not due */
    uint64_t max_body;            /* 0: TS_FEED_BODY_MAX_DEFAULT */
    long timeout_s;               /* one transfer (0: 300) */
    int64_t now;                  /* us since the epoch (0: the clock) */
    volatile sig_atomic_t *stop;  /* stops after the current batch, may be NULL */
    ts_feedpull_report_fn report; /* may be NULL */
    void *ctx;
} ts_feedpull_opts_t;

/* Whether *stop is set (NULL: never): an atomic read, as a signal handler or
 * another thread sets it. */
static inline bool ts_feed_stopped(volatile sig_atomic_t *stop)
{
    return stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

/* Pulls every feed that is due (or o->only, or all with o->force).
 * \retval 0 every pull attempted succeeded.  \retval TS_ENOENT o->only is
 * no feed.  \retval another ts_err: the first failure (the other feeds were
 * still pulled; each outcome went to o->report and the store). */
TS_MUSTCHECK int ts_feedpull_run(ts_store_t *st, ts_constituency_t **c,
                                 const ts_feedpull_opts_t *o);

/* A thread that pulls the feeds that are due every poll_s seconds, on its
 * own connection to the store at location, until *o->stop is set; the
 * constituency is read again before each round. o->report, o->ctx and
 * o->only are not used; o is copied (its strings must outlive the worker).
 * \retval 0.  \retval TS_EINVAL.  \retval TS_EIO the thread could not start. */
typedef struct ts_feedpull_worker ts_feedpull_worker_t;
TS_MUSTCHECK int ts_feedpull_worker_start(const char *location, const ts_feedpull_opts_t *o,
                                          int poll_s, ts_feedpull_worker_t **out /* OUT */);
/* Waits for the worker to end (after *o->stop was set) and frees it. NULL is
 * ignored. */
void ts_feedpull_worker_join(ts_feedpull_worker_t *w);

/* Whether a feed is late at now: no success within twice its interval (of
 * its creation, when it never succeeded). */
bool ts_feed_late(const ts_feed_rec_t *f, int64_t now);

/* Whether a feed is due at now: never tried, or its interval has passed
 * since its last attempt. */
bool ts_feed_due(const ts_feed_rec_t *f, int64_t now);

/* Writes the newest report schema of the store to path (replaced).
 * \retval 0.  \retval TS_ENOENT no schema kept.  \retval TS_EIO, TS_EDB. */
TS_MUSTCHECK int ts_feed_schema_write(ts_store_t *st, const char *path);

/* Ingests one file (a pulled body, a downloaded report) as feed name of
 * format with report type report ("" from the file name), mapping file
 * mapping (""), TLP tlp (""): the durable ingest, with the newest stored
 * schema for shadowserver (written to dir) when $TOCSIN_SHADOWSERVER_SCHEMA
 * names none. *stats is filled in. \retval as ts_ingest_run, and TS_EINVAL
 * with err for an unknown format, TLP or no schema. */
TS_MUSTCHECK int ts_feed_ingest_file(ts_store_t *st, ts_constituency_t **c, const char *path,
                                     const char *dir, const char *name, const char *format,
                                     const char *report, const char *mapping, const char *tlp,
                                     volatile sig_atomic_t *stop, ts_ingest_stats_t *stats,
                                     char *err, size_t errsize);
