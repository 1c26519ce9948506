/* SPDX-License-Identifier: Apache-2.0 */
/* The store: durable home of the constituency, events, their owner links,
 * input checkpoints and the quarantine. Callers see only this interface; the
 * backend (SQLite today, PostgreSQL later) sits behind a table of operations
 * (store_int.h), chosen by the location string given to ts_store_open().
 *
 * Durability contract: nothing is acknowledged before ts_store_commit()
 * returns 0. A batch of events and the checkpoint of the input they came from
 * are written in one transaction, so a restart neither loses nor repeats.
 *
 * Threading: one ts_store_t per thread. Strings passed in are borrowed for the
 * duration of the call; strings handed to callbacks are valid only during the
 * callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"
#include "flow/flow.h"
#include "route/constituency.h"

typedef struct ts_store ts_store_t;

/* Opens (creating if needed) and migrates the store at location: a SQLite file
 * path (the default backend). Later backends use a URI ("postgresql://...").
 * \retval 0 ok, *out set; free with ts_store_close().
 * \retval TS_EDB cannot open or migrate (details logged).
 * \retval TS_ESCHEMA the store was written by a newer tocsin. */
TS_MUSTCHECK int ts_store_open(const char *location, ts_store_t **out /* OUT */);
/* Like ts_store_open(), for commands that only read: a store that does not
 * exist is not created. \retval TS_ENOENT nothing at location (not logged).
 * \retval as ts_store_open() otherwise. */
TS_MUSTCHECK int ts_store_open_existing(const char *location, ts_store_t **out /* OUT */);
void ts_store_close(ts_store_t *st);
/* The location as messages may show it: a URI's password replaced by "***"
 * ("postgresql://tocsin:***@db/tocsin"), a file path as it is. Written into
 * buf (size bytes, cut to fit); returns buf. */
const char *ts_store_location_safe(const char *location, char *buf, size_t size);
/* The backend's name: "sqlite" or "postgresql". */
const char *ts_store_backend(ts_store_t *st);
/* Schema version in use (after migration). */
int ts_store_schema_version(ts_store_t *st);
/* Last error message from the backend (static or store-owned, never NULL). */
const char *ts_store_errmsg(ts_store_t *st);

/* Transactions. Writes outside a transaction are committed one by one.
 * \retval TS_EDB on failure (after a failed commit the transaction is rolled back). */
TS_MUSTCHECK int ts_store_begin(ts_store_t *st);
TS_MUSTCHECK int ts_store_commit(ts_store_t *st);
void ts_store_rollback(ts_store_t *st);
/* A read transaction: every read until ts_store_read_end() sees one snapshot
 * and the store takes its read lock once, not per statement (what a request
 * of the portal, made of many small reads, costs). No write may happen in it.
 * \retval TS_EBUSY a transaction is open.  \retval TS_EDB. */
TS_MUSTCHECK int ts_store_read_begin(ts_store_t *st);
/* Releases the snapshot (a rollback: nothing was written). */
void ts_store_read_end(ts_store_t *st);
/* A value that changes whenever another connection commits a change to the
 * store, and differs between two stores opened by the process: what a cache
 * of answers checks before serving. Inside a read transaction it describes
 * that transaction's snapshot. \retval TS_EDB. */
TS_MUSTCHECK int ts_store_data_version(ts_store_t *st, uint64_t *version /* OUT */);
/* How long a write waits for another connection's lock before it fails
 * with TS_EBUSY (default 5000 ms; ms <= 0 fails at once). */
void ts_store_set_busy_timeout(ts_store_t *st, int ms);

/* ---- Constituency ---------------------------------------------------------- */

typedef struct ts_site_info {
    int64_t id;
    int64_t parent_id; /* 0 for a root */
    const char *name;
    const char *description; /* "" when none */
} ts_site_info_t;

typedef struct ts_claim_info {
    int64_t site_id;
    ts_rule_kind_t kind;
    const char *value; /* canonical: "192.0.2.0/24", "64500", "example.org" */
} ts_claim_info_t;

typedef struct ts_contact_info {
    int64_t site_id;
    const char *email;
    const char *name; /* "" when none */
} ts_contact_info_t;

/* \retval TS_EEXIST name taken.  \retval TS_ENOENT parent_id unknown. */
TS_MUSTCHECK int ts_store_site_add(ts_store_t *st, const char *name, int64_t parent_id,
                                   const char *description, int64_t *id /* OUT */);
/* Changes parent and description of an existing site. */
TS_MUSTCHECK int ts_store_site_update(ts_store_t *st, int64_t id, int64_t parent_id,
                                      const char *description);
/* Removes a site, its claims and contacts; its event links stay, so history is
 * kept, but no longer resolve to a site. \retval TS_EBUSY it has sub-sites.
 * \retval TS_ENOENT no such site. */
TS_MUSTCHECK int ts_store_site_remove(ts_store_t *st, int64_t id);
/* \retval TS_ENOENT no such site. */
TS_MUSTCHECK int ts_store_site_find(ts_store_t *st, const char *name, int64_t *id /* OUT */);

/* Claims. The store keeps each value unique per kind across all sites
 * (TS_EEXIST otherwise); conflicts are explained by ts_constituency_*, which
 * callers consult first. */
TS_MUSTCHECK int ts_store_claim_add(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind,
                                    const char *value);
TS_MUSTCHECK int ts_store_claim_remove(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind,
                                       const char *value);
/* Removes every claim of a site (used by file import, which brings the
 * site's contacts in line itself, so that their keys, preferences and
 * waiting digests stay). */
TS_MUSTCHECK int ts_store_site_clear(ts_store_t *st, int64_t site_id);

TS_MUSTCHECK int ts_store_contact_add(ts_store_t *st, int64_t site_id, const char *email,
                                      const char *name);

/* Iteration, parents before children for sites (so a loader can rebuild the
 * tree in one pass), then by name; claims by site, kind, value. A callback
 * returning non-zero stops the iteration and that value is returned. */
typedef int (*ts_site_cb)(const ts_site_info_t *site, void *ctx);
typedef int (*ts_claim_cb)(const ts_claim_info_t *claim, void *ctx);
typedef int (*ts_contact_cb)(const ts_contact_info_t *contact, void *ctx);
TS_MUSTCHECK int ts_store_sites_foreach(ts_store_t *st, ts_site_cb cb, void *ctx);
TS_MUSTCHECK int ts_store_claims_foreach(ts_store_t *st, ts_claim_cb cb, void *ctx);
TS_MUSTCHECK int ts_store_contacts_foreach(ts_store_t *st, ts_contact_cb cb, void *ctx);

/* ---- Inputs and checkpoints ------------------------------------------------ */

typedef struct ts_input_state {
    int64_t id;
    uint64_t dev, ino; /* identity of the file last read (0 for stdin) */
    uint64_t offset;   /* bytes consumed and committed */
    uint64_t line;     /* lines consumed and committed */
} ts_input_state_t;

/* Gets (creating with offset 0) the checkpoint of the input named name (an
 * absolute path, or "-" for stdin) with the given format. */
TS_MUSTCHECK int ts_store_input_get(ts_store_t *st, const char *name, const char *format,
                                    ts_input_state_t *state /* OUT */);
/* An input as listed by ts_store_inputs_foreach(). */
typedef struct ts_input_info {
    ts_input_state_t state;
    const char *name;   /* absolute path, or "-" */
    const char *format; /* parser name */
    int64_t updated;    /* when the checkpoint was last committed, us since the epoch */
} ts_input_info_t;

typedef int (*ts_input_cb)(const ts_input_info_t *input, void *ctx);
/* Every known input with its committed checkpoint, by name then format. */
TS_MUSTCHECK int ts_store_inputs_foreach(ts_store_t *st, ts_input_cb cb, void *ctx);

/* Saves a checkpoint; call inside the transaction that stores the events. */
TS_MUSTCHECK int ts_store_input_checkpoint(ts_store_t *st, const ts_input_state_t *state);

/* ---- Events ------------------------------------------------------------------ */

/* Stores one event and its owner links (as ts_constituency_route() gives
 * them): at most one link per (site, role) and TS_ROUTE_LINKS_MAX per role,
 * each with its site's share of that side (ts_link_t.own). The event keeps
 * its networks, TLP and whole target lists (for the CSIRT); every list
 * (targets, shares) longer than TS_TARGETS_MAX is stored covered
 * (ts_targets_cover(): covering prefixes, the count kept). *id may be NULL.
 * \retval 0.  \retval TS_EINVAL a malformed event, link, network or list
 * (unsorted, duplicates, a count below the entries, host bits set).
 * \retval TS_EEXIST two links of one site with the same role.
 * \retval TS_ENOENT unknown input.  \retval TS_ETOOBIG, TS_ERANGE a field out of
 * bounds.  \retval TS_EBUSY, TS_EDB. */
TS_MUSTCHECK int ts_store_event_add(ts_store_t *st, const ts_event_t *e, const ts_link_t *links,
                                    int n_links, int64_t input_id, uint64_t line,
                                    int64_t *id /* OUT, may be NULL */);

typedef struct ts_event_filter {
    int64_t site_id;      /* 0: all events; else only events linked to this site or a descendant */
    int64_t since, until; /* time window on time.source (or time.observation when the
                             source time is absent), TS_TIME_NONE = open */
    int64_t before_id;    /* cursor: only ids < before_id (0 = none); for newest-first paging */
    int64_t after_id;     /* cursor: only ids > after_id (0 = none) */
    bool newest_first;    /* order by id descending */
    size_t limit;         /* 0 = no limit */
    /* When not NULL: exactly the events of these ids (those that exist and,
     * with a site_id, that the subtree has a link to), in id order; n_ids at
     * most TS_EVENT_IDS_MAX, and the time window, cursors and limit are
     * ignored. Reads a page found by another query in one statement, not one
     * per event. */
    const int64_t *ids;
    size_t n_ids;
} ts_event_filter_t;
#define TS_EVENT_IDS_MAX 1001

/* A stored event as the filter's site may see it (everything when site_id
 * is 0, the CSIRT's view):
 *  - links: only those into the subtree, each with its site's share of its
 *    side (a site never sees which other site owns the far end, nor another
 *    site's share);
 *  - ev.src/dst.targets: with a site_id, the union of the visible links'
 *    shares of that side (NULL when they have none), never the event's whole
 *    list; with site_id 0, the whole list as stored;
 *  - everything else (ip, network, port, ...) as stored.
 * For a routed event this gives, per site and side, the site's own hosts or
 * networks: what aggregation per (site, host, role) needs. Strings, links and
 * lists are valid only during the callback. */
typedef struct ts_stored_event {
    int64_t id;
    int64_t input_id;
    uint64_t line;
    ts_event_t ev;
    int n_links;
    const ts_link_t *links;
} ts_stored_event_t;

typedef int (*ts_event_cb)(const ts_stored_event_t *ev, void *ctx);
void ts_event_filter_init(ts_event_filter_t *f);
TS_MUSTCHECK int ts_store_events_foreach(ts_store_t *st, const ts_event_filter_t *f, ts_event_cb cb,
                                         void *ctx);
/* Number of events matching f (limit and cursors ignored). */
TS_MUSTCHECK int ts_store_events_count(ts_store_t *st, const ts_event_filter_t *f,
                                       uint64_t *n /* OUT */);

/* ---- Quarantine -------------------------------------------------------------- */

#define TS_QUARANTINE_DATA_MAX 4096 /* bytes of the rejected record kept */

typedef struct ts_quarantine_rec {
    int64_t id;
    int64_t time;       /* when it was rejected, us since epoch */
    const char *input;  /* input name */
    const char *format; /* parser that rejected it */
    uint64_t line;      /* 1-based line number in the input, 0 if not line-based */
    uint64_t offset;    /* byte offset of the record in the input */
    const char *reason; /* stable key: ts_errname() of the error */
    const char *detail; /* human-readable explanation */
    const void *data;   /* first bytes of the record (TS_QUARANTINE_DATA_MAX at most) */
    size_t data_len;
    uint64_t record_len; /* full length of the record */
} ts_quarantine_rec_t;

/* Keeps a rejected record: its first bytes (data, len; truncated to
 * TS_QUARANTINE_DATA_MAX) and its full length record_len, which is larger than
 * len when the reader itself kept only the head of an oversized record
 * (record_len < len is taken as len). */
TS_MUSTCHECK int ts_store_quarantine_add(ts_store_t *st, int64_t input_id, uint64_t line,
                                         uint64_t offset, int reason, const char *detail,
                                         const void *data, size_t len, uint64_t record_len);
typedef int (*ts_quarantine_cb)(const ts_quarantine_rec_t *rec, void *ctx);
/* Newest first; limit 0 = all; reason NULL = any. */
TS_MUSTCHECK int ts_store_quarantine_foreach(ts_store_t *st, const char *reason, size_t limit,
                                             ts_quarantine_cb cb, void *ctx);
/* Counts per reason key: cb(reason, count). */
typedef int (*ts_count_cb)(const char *key, uint64_t count, void *ctx);
TS_MUSTCHECK int ts_store_quarantine_stats(ts_store_t *st, ts_count_cb cb, void *ctx);

/* ---- Flow exporters ---------------------------------------------------------- */

/* Saves (inserts or replaces) the counters of one exporter + domain, as the
 * collector last saw them. */
TS_MUSTCHECK int ts_store_exporter_save(ts_store_t *st, const ts_exporter_stats_t *s);
/* Saved exporter counters, by exporter address then domain; updated is when
 * they were saved (us since the epoch). */
typedef int (*ts_exporter_row_cb)(const ts_exporter_stats_t *s, int64_t updated, void *ctx);
TS_MUSTCHECK int ts_store_exporters_foreach(ts_store_t *st, ts_exporter_row_cb cb, void *ctx);
