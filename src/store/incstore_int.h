/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the incident store: the backend operations behind incstore.h and
 * the write-path aggregator (incagg.c), which store.c calls around every
 * event and commit. */
#pragma once
#include "core/buf.h"
#include "store/incstore.h"
#include "store/store_int.h"

/* An incident as aggregation reads and writes it: the row with its distinct
 * sets' blobs (incident/distinct.h). */
typedef struct ts_inc_row {
    ts_incident_t inc;
    const uint8_t *hosts, *peers;
    size_t hosts_len, peers_len;
} ts_inc_row_t;

typedef int (*ts_inc_row_cb)(const ts_inc_row_t *row, void *ctx);

/* An incident's key (incident/incident.h). */
typedef struct ts_inc_key {
    int64_t site_id;
    ts_type_t type;
    const char *identifier; /* "" none */
    const char *object;
    ts_role_t role;
    bool suppressed;
} ts_inc_key_t;

/* An incident's contributions as stored: "a,b,c,..." in tenths, in the
 * factors' order (incident/priority.h). ts_inc_points_text writes it into
 * buf (TS_INC_POINTS_TEXT bytes) without printf, which on the write path
 * cost more than the row's insert; ts_inc_points_parse reads what it wrote
 * (missing or malformed entries read 0). */
#define TS_INC_POINTS_TEXT (12 * TS_F_COUNT_)
void ts_inc_points_text(const int32_t *p, char *buf);
void ts_inc_points_parse(const char *t, int32_t *p);

/* The audit detail of a suppression rule r or, when r is NULL, a critical
 * mark m: its fields as a JSON object appended to b (both backends). */
void ts_inc_rule_detail(ts_buf_t *b, const ts_suppress_t *r, const ts_critical_t *m);
/* The audit detail of a state change: {"from": OLD, "to": NEW, "note": NOTE}
 * (note only when given), appended to b. */
void ts_inc_state_detail(ts_buf_t *b, ts_inc_state_t from, ts_inc_state_t to, const char *note);

/* Increments of the roll-up counters (store/eventq.h's statistics), one
 * per counter and transaction. A site's counters count every event of its
 * subtree; hidden ones count again those of them the site may not see
 * (TS_TLP_SITE_SQL: RED, AMBER+STRICT without a network link into the
 * subtree), which a site's statistics subtract. */
typedef struct ts_inc_rt {
    int64_t site_id, day;
    ts_type_t type;
    bool hidden;
    int64_t n;
} ts_inc_rt_t;

typedef struct ts_inc_rh {
    int64_t site_id, day;
    ts_ip_t ip;
    bool hidden;
    int64_t n;
} ts_inc_rh_t;

/* Generations of what aggregation caches between transactions, bumped by
 * triggers on the tables they describe (sites, suppressions, critical marks,
 * the configuration), so that a change by any process, by hand included,
 * reaches every writer at its next transaction. */
typedef struct ts_inc_meta {
    int64_t sites_gen, suppress_gen, critical_gen, config_gen;
} ts_inc_meta_t;

/* What one retention step removes. */
typedef enum ts_prune_what {
    TS_PRUNE_EVENTS,
    TS_PRUNE_INCIDENTS,
    TS_PRUNE_AUDIT,
    TS_PRUNE_ROLLUPS,
} ts_prune_what_t;

struct ts_store_incident_ops {
    /* ---- aggregation (incagg.c), inside the writer's transaction ---- */
    int (*meta)(ts_store_t *st, ts_inc_meta_t *m);
    /* The stored configuration text; "" when none was loaded. */
    int (*config_text)(ts_store_t *st, ts_buf_t *out);
    /* The key's latest incident (highest id), handed to cb; 0 when none
     * (cb not called). PostgreSQL locks it until the commit. */
    int (*latest)(ts_store_t *st, const ts_inc_key_t *k, ts_inc_row_cb cb, void *ctx);
    /* The latest incident of each of n keys (any order, none for a key
     * without one), locked as latest does; NULL when one query per key
     * costs no round trip (SQLite). */
    int (*latest_many)(ts_store_t *st, const ts_inc_key_t *keys, size_t n, ts_inc_row_cb cb,
                       void *ctx);
    /* Ids for new incidents of this transaction: *n of them from *first on
     * (SQLite: every id above the highest, the writer holding the lock;
     * PostgreSQL: a block of the sequence). */
    int (*id_block)(ts_store_t *st, int64_t *first, int64_t *n);
    /* The next change sequence value, the store-wide lock on it held until
     * the commit; called once per committing transaction, after every
     * incident of it is known and before any is written. */
    int (*seq_next)(ts_store_t *st, int64_t *seq);
    /* Writes n incidents, each id once, with their scores at their change
     * sequence: every column (insert) or every column aggregation owns,
     * leaving state and note alone (update). A backend with round trips
     * sends them as few statements (the transaction's cost is then not one
     * round trip per incident). */
    int (*put)(ts_store_t *st, const ts_inc_row_t *rows, size_t n, bool insert);
    /* Adds each increment to its roll-up counter; each counter once, in
     * key order (so that writers lock counters in one order). */
    int (*rollup_types)(ts_store_t *st, const ts_inc_rt_t *c, size_t n);
    int (*rollup_hosts)(ts_store_t *st, const ts_inc_rh_t *c, size_t n);
    /* The id of an advisory matched (affected or under investigation) for
     * one of the sites' platforms that names cve, into out; 0 with out
     * empty when none. */
    int (*advisory_for)(ts_store_t *st, const int64_t *sites, size_t n, const char *cve,
                        ts_buf_t *out);
    /* Whether advisory_for could find anything for cve for some site: *any
     * false when no advisory matched (affected or under investigation) for
     * any site names it, so that aggregation asks once per transaction and
     * CVE rather than once per incident. */
    int (*advisory_any)(ts_store_t *st, const char *cve, bool *any);
    /* Rows with blobs of a subtree (0: all), ids above after_id in id order,
     * at most limit: what scoring again walks. */
    int (*rows)(ts_store_t *st, int64_t site_id, int64_t after_id, size_t limit, ts_inc_row_cb cb,
                void *ctx);

    /* ---- incstore.h (arguments checked by incstore.c) ---- */
    int (*list)(ts_store_t *st, const ts_incident_filter_t *f, ts_incident_cb cb, void *ctx,
                bool *more);
    int (*get)(ts_store_t *st, int64_t site_id, int64_t id, ts_incident_cb cb, void *ctx);
    int (*set_state)(ts_store_t *st, int64_t site_id, int64_t id, ts_inc_state_t state,
                     const char *note, const char *who, ts_inc_state_t *old);
    int (*events)(ts_store_t *st, int64_t site_id, int64_t id, int64_t before_id, int64_t *ids,
                  size_t max, size_t *n, bool *more);
    int (*suppress_add)(ts_store_t *st, const ts_suppress_t *r, int64_t *id);
    int (*suppress_foreach)(ts_store_t *st, int64_t site_id, ts_suppress_cb cb, void *ctx);
    int (*suppress_remove)(ts_store_t *st, int64_t site_id, int64_t id, const char *who);
    int (*critical_add)(ts_store_t *st, const ts_critical_t *m, int64_t *id);
    int (*critical_foreach)(ts_store_t *st, int64_t site_id, ts_critical_cb cb, void *ctx);
    int (*critical_remove)(ts_store_t *st, int64_t site_id, int64_t id, const char *who);
    int (*audit_foreach)(ts_store_t *st, int64_t site_id, const char *object, int64_t object_id,
                         size_t limit, ts_audit_cb cb, void *ctx);
    int (*feedback)(ts_store_t *st, ts_feedback_cb cb, void *ctx);
    int (*config_set)(ts_store_t *st, const char *text, const char *who);
    int (*changed)(ts_store_t *st, int64_t site_id, int64_t watermark, size_t limit,
                   ts_incident_cb cb, void *ctx);
    /* One small transaction of retention: removes (or with dry_run counts)
     * at most limit rows of `what` older than cutoff; *n gets how many, and
     * for events of one type (type < TS_RSIT_TYPES; TS_RSIT_TYPES: every
     * type). Event times and incidents' last seen compare with cutoff. */
    int (*prune)(ts_store_t *st, ts_prune_what_t what, ts_type_t type, int64_t cutoff, size_t limit,
                 bool dry_run, uint64_t *n);
};

/* ---- The aggregator (incagg.c) ---------------------------------------------------------- */

/* Per-connection state, created on the store's first event. */
typedef struct ts_incagg ts_incagg_t;
void ts_incagg_free(ts_incagg_t *a);
/* ts_store_incidents_expect (incstore.h). */
TS_MUSTCHECK int ts_incagg_expect(ts_store_t *st, const ts_event_t *e, const ts_link_t *links,
                                  int n_links);
/* Before the backend writes event e with links: assigns each link its
 * incident. *e_out and *links_out are what to write: e and a copy of links
 * with incident_id set (lists beyond TS_TARGETS_MAX covered), owned by the
 * aggregator until the next call; or, when e or its links are malformed, e
 * and links themselves, unaggregated, for the backend to refuse them with
 * its message. */
TS_MUSTCHECK int ts_incagg_event(ts_store_t *st, const ts_event_t *e, const ts_link_t *links,
                                 int n_links, const ts_event_t **e_out,
                                 const ts_link_t **links_out);
/* After the backend stored it as event id: counts it. Not called when the
 * backend refused it (what ts_incagg_event prepared is then forgotten). */
void ts_incagg_stored(ts_store_t *st, const ts_event_t *e, int64_t id);
/* At commit, before the backend's: writes the transaction's incidents and
 * roll-ups. \retval 0 or the store's error (the caller rolls back). */
TS_MUSTCHECK int ts_incagg_flush(ts_store_t *st);
/* At rollback: forgets the transaction's incidents. */
void ts_incagg_discard(ts_store_t *st);
/* Scores again the incidents of a subtree (0: all) whose object lies in or
 * contains net (NULL: every incident), in transactions of their own. */
TS_MUSTCHECK int ts_incagg_rescore(ts_store_t *st, int64_t site_id, const ts_prefix_t *net);
