/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the SQLite backend: the connection struct and the helpers that the
 * backend's files share. sqlite.c holds the core (constituency, events,
 * inputs, quarantine, exporters); each later feature keeps its statements,
 * its operations and its schema step in a file of its own (sqlite_<noun>.c),
 * so that a feature reads as one unit and features do not edit one another.
 *
 * Statements: a feature owns a fixed range of ext[] slots (the TS_SQX_*
 * bases below), prepares each constant SQL text once through ts_sq_stmt() and
 * reuses it; every value is a bound parameter. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/store_int.h"

#define SQ_KNOWN_INPUTS 8 /* input ids known to exist, per connection */

#define TS_SQ_CORE_STMTS 64

/* Statement slot ranges of the feature files. */
enum {
    TS_SQX_CERT = 0,       /* sqlite_cert.c: certificate registry */
    TS_SQX_PORTAL = 16,    /* sqlite_portal.c: the portal's event queries */
    TS_SQX_ADVISORY = 48,  /* sqlite_advisory.c: advisories, platforms, matches */
    TS_SQX_INCIDENT = 112, /* sqlite_incident.c: incidents, rules, audit, roll-ups */
    TS_SQX_FEED = 176,     /* sqlite_feed.c: report schemas, scheduled feeds, API reports */
    TS_SQX_SCAN = 208,     /* sqlite_scan.c: scans, their services and findings */
    TS_SQX_NOTIFY = 240,   /* sqlite_notify.c: contacts, digests, outbox */
    TS_SQX_DOMAIN = 288,   /* sqlite_domain.c: domain deactivation cases */
    TS_SQX_TEAM = 320,     /* sqlite_team.c: the team directory */
    TS_SQX_COUNT = 368,
};

struct sq_store {
    ts_store_t base;
    sqlite3 *db;
    int version;
    bool in_txn;     /* a caller's ts_store_begin() is open */
    bool opening;    /* ts_store_open() logs its own failure, once */
    uint32_t serial; /* which open of the process this is (ts_store_data_version) */
    sqlite3_stmt *stmt[TS_SQ_CORE_STMTS];
    sqlite3_stmt *ext[TS_SQX_COUNT];
    char *extra; /* extra JSON of the event being written */
    size_t extra_len, extra_cap;
    ts_buf_t esc;                         /* an extra key that needs escaping */
    int64_t known_input[SQ_KNOWN_INPUTS]; /* ids seen in inputs; 0 = free */

    uint8_t ipbuf[2][16]; /* its address blobs */
    ts_buf_t tbuf[2];     /* its networks and lists, a link's share (JSON) */
    bool sticky[3];       /* S_EVENT_ADD tlp, targets, S_LINK_ADD targets bound non-NULL */
    ts_link_t *links;     /* the links of the event being read */
    size_t cap_links;
    ts_arena_t *arena;  /* unescaped extra keys of the row being read */
    ts_arena_t *warena; /* the event being written: bounded copies of its lists */
    bool warena_used;   /* warena holds something since its last reset */
    int64_t *sub;       /* site ids of the filter's subtree, sorted */
    size_t n_sub, cap_sub;
    char errmsg[512];
};

static inline struct sq_store *ts_sq(ts_store_t *st)
{
    return (struct sq_store *)st;
}

/* Maps a SQLite result code to a ts_err (TS_EBUSY, TS_EEXIST, TS_ENOENT,
 * TS_EINVAL, TS_EDB) and keeps SQLite's message for ts_store_errmsg(). */
int ts_sq_fail(struct sq_store *sq, int rc);
/* Sets the message ts_store_errmsg() returns. */
void ts_sq_set_msg(struct sq_store *sq, const char *msg);
/* The prepared statement in ext slot `slot` for the constant text sql,
 * preparing it on first use. NULL with *err set on failure, or TS_EBUSY when
 * an enclosing iteration is still stepping it. */
sqlite3_stmt *ts_sq_stmt(struct sq_store *sq, int slot, const char *sql, int *err /* OUT */);
/* Steps a statement that returns no row (or ignores it), then resets it. */
int ts_sq_run(struct sq_store *sq, sqlite3_stmt *s);
/* Several statements as one operation: its own transaction when the caller
 * has none open, a savepoint inside the caller's. */
int ts_sq_op_begin(struct sq_store *sq, bool *own /* OUT */);
int ts_sq_op_end(struct sq_store *sq, bool own, int r);
/* Ends a row loop: r from the callback wins, then a step error; resets s. */
int ts_sq_iter_end(struct sq_store *sq, sqlite3_stmt *s, int rc, int cbr);
/* Column text, "" for NULL. */
const char *ts_sq_col_cstr(sqlite3_stmt *s, int i);
/* Binds a C string, NULL as SQL NULL; the string must outlive the step. */
void ts_sq_bind_cstr(sqlite3_stmt *s, int i, const char *v);
int64_t ts_sq_now_us(void);

/* Schema steps owned by the feature files, run in order by migrate(): each is
 * a constant SQL script ending with its PRAGMA user_version. */
extern const char ts_sq_migration_certs[];            /* v5 */
extern const char ts_sq_migration_portal[];           /* v6 */
extern const char ts_sq_migration_advisory[];         /* v7 */
extern const char ts_sq_migration_scan[];             /* v9 */
extern const char ts_sq_migration_advisory_entries[]; /* v10 */
extern const char ts_sq_migration_notify[];           /* v11 */
extern const char ts_sq_migration_incidents[];        /* v12 */
extern const char ts_sq_migration_feeds[];            /* v13 */
extern const char ts_sq_migration_teams[];            /* v14 */
extern const char ts_sq_migration_domains[];          /* v15 */
extern const char ts_sq_migration_rollup_hidden[];    /* v16 */
