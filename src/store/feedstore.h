/* SPDX-License-Identifier: Apache-2.0 */
/* The feed store: Shadowserver report schemas as fetched (kept with their
 * date, the newest in use), and the feeds tocsin pulls on a schedule with the
 * state of their last pull. Strings handed to callbacks are valid only
 * during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* ---- Report schemas --------------------------------------------------------- */

typedef struct ts_schema_rec {
    int64_t id;
    int64_t fetched;     /* us since the epoch */
    const char *date;    /* the schema's own date (_meta.date_created), "" when none */
    const char *source;  /* URL or file it came from */
    const char *content; /* the schema text, NUL-terminated (len bytes before it) */
    size_t len;
} ts_schema_rec_t;

typedef int (*ts_schema_cb)(const ts_schema_rec_t *rec, void *ctx);

/* Keeps a schema (the caller validated it). \retval 0, TS_EDB, TS_EBUSY. */
TS_MUSTCHECK int ts_store_schema_put(ts_store_t *st, const ts_schema_rec_t *rec,
                                     int64_t *id /* OUT, may be NULL */);
/* The newest kept schema (by fetch time). \retval the callback's value, 0.
 * \retval TS_ENOENT none kept. */
TS_MUSTCHECK int ts_store_schema_latest(ts_store_t *st, ts_schema_cb cb, void *ctx);

/* Names a feed may have: [A-Za-z0-9._-], 1 to 64 bytes. */
bool ts_feed_name_ok(const char *name);

/* ---- Scheduled feeds ---------------------------------------------------------- */

typedef struct ts_feed_rec {
    const char *name;    /* [A-Za-z0-9._-], 1-64 bytes */
    const char *url;     /* https */
    const char *format;  /* a parser name */
    const char *report;  /* shadowserver: the report type, or "" */
    const char *mapping; /* mapped: the mapping file's path, or "" */
    int64_t every;       /* seconds between pulls */
    const char *tlp;     /* the feed's TLP name, or "" */
    int64_t created;
    /* The state of its pulls. */
    const char *etag, *last_modified;   /* of the last body taken, "" */
    const char *sha256;                 /* of the last body ingested, "" */
    int64_t last_attempt, last_success; /* us, 0 never */
    const char *last_error;             /* "" when the last pull succeeded */
    int64_t records, quarantined;       /* of every pull */
} ts_feed_rec_t;

typedef int (*ts_feed_cb)(const ts_feed_rec_t *rec, void *ctx);

/* \retval 0.  \retval TS_EEXIST the name is taken.  \retval TS_EINVAL. */
TS_MUSTCHECK int ts_store_feed_add(ts_store_t *st, const ts_feed_rec_t *rec);
/* \retval 0.  \retval TS_ENOENT no such feed. */
TS_MUSTCHECK int ts_store_feed_remove(ts_store_t *st, const char *name);
/* By name. */
TS_MUSTCHECK int ts_store_feeds_foreach(ts_store_t *st, ts_feed_cb cb, void *ctx);
/* The feed named name to cb. \retval the callback's value, 0.
 * \retval TS_ENOENT no such feed. */
TS_MUSTCHECK int ts_store_feed_get(ts_store_t *st, const char *name, ts_feed_cb cb, void *ctx);
/* Saves the state fields of rec (etag ... quarantined) for rec->name.
 * \retval 0.  \retval TS_ENOENT no such feed. */
TS_MUSTCHECK int ts_store_feed_state(ts_store_t *st, const ts_feed_rec_t *rec);

/* ---- Shadowserver Reports API ------------------------------------------------- */

/* Whether the report with the API's id was ingested already. \retval 0. */
TS_MUSTCHECK int ts_store_feed_report_seen(ts_store_t *st, const char *id, bool *seen /* OUT */);
/* Remembers that the report id (of type, file name file) was ingested.
 * Idempotent. \retval 0, TS_EINVAL, TS_EDB. */
TS_MUSTCHECK int ts_store_feed_report_add(ts_store_t *st, const char *id, const char *type,
                                          const char *file);
