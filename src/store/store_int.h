/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the store: the table of operations a backend provides. store.c picks
 * a backend from the location string and forwards every public call through
 * st->ops, so callers never see which database they talk to. A backend's own
 * struct starts with a ts_store_t and is reached by a cast. */
#pragma once
#include "core/arena.h"
#include "core/buf.h"
#include "store/store.h"

/* event_links.id on every backend (schema 8 on): event_id * 65536 +
 * (role - 1) * 32768 + the link's number within its role, so that an event's
 * links are one range of the primary key, those of a role half of it, and
 * event_id and role follow from the id. The SQL spells the numbers out; these
 * name them for C. */
#define TS_LINK_SHIFT 16
#define TS_LINK_ROLE_IDS 32768 /* = TS_ROUTE_LINKS_MAX */
/* "id of e's links": SQL text for `l.id <range of event e>` (both dialects). */
#define TS_LINKS_OF(e) " BETWEEN " e " * 65536 AND " e " * 65536 + 65535"
/* The largest event id whose links' ids fit in 64 bits. */
#define TS_LINK_EVENT_MAX ((INT64_MAX >> TS_LINK_SHIFT) - 1)
/* "No bound" for an id that SQL multiplies by 65536 (a page's before id). */
#define TS_LINK_ID_NONE (INT64_MAX >> (TS_LINK_SHIFT + 1))
_Static_assert(TS_LINK_ROLE_IDS == TS_ROUTE_LINKS_MAX, "a role's link ids hold its links");

/* TLP 2.0 in a site's view, as SQL (both dialects) for the statements that
 * read a subtree's events (events aliased e; in_sub is how the statement says
 * "a site of the subtree": " IN sub", " = ANY($6::bigint[])"): events without
 * a label and at CLEAR, GREEN or AMBER; AMBER+STRICT only when one of the
 * subtree's links matched by network (the event is about the site's own
 * addresses, not a shared ASN or domain); RED never. ts_store_tlp_visible()
 * says the same of an event in C. */
#define TS_TLP_SITE_SQL(in_sub)                                                                    \
    " AND (e.tlp IS NULL OR e.tlp IN ('CLEAR', 'GREEN', 'AMBER') OR (e.tlp = 'AMBER+STRICT'"       \
    " AND EXISTS (SELECT 1 FROM event_links t WHERE t.id" TS_LINKS_OF(                             \
        "e.id") " AND t.site_id" in_sub " AND t.kind = 1)))"

/* The id of link n (0-based, within its role) of event eid. */
static inline int64_t ts_link_id(int64_t eid, ts_role_t role, int n)
{
    return (eid << TS_LINK_SHIFT) + (role == TS_ROLE_SOURCE ? 0 : TS_LINK_ROLE_IDS) + n;
}

/* Operations of later features, each in a table of its own (defined in the
 * feature's <noun>_int.h), so that adding a feature does not touch the core. */
struct ts_store_cert_ops;
struct ts_store_portal_ops;
struct ts_store_advisory_ops;
struct ts_store_scan_ops;
struct ts_store_feed_ops;
struct ts_store_notify_ops;
struct ts_store_incident_ops;
struct ts_store_team_ops;
struct ts_store_domain_ops;
struct ts_incagg;

struct ts_store_ops {
    const char *name;   /* "sqlite", for messages */
    int latest_version; /* newest schema version the backend knows */
    /* max_version < 0: migrate to latest_version; else stop after that step
     * (tests build old stores with it). create: make a missing store, else
     * TS_ENOENT (not logged: the caller says what to do). */
    int (*open)(const char *location, int max_version, bool create, ts_store_t **out);
    void (*close)(ts_store_t *st);
    int (*schema_version)(ts_store_t *st);
    const char *(*errmsg)(ts_store_t *st);

    int (*begin)(ts_store_t *st);
    int (*commit)(ts_store_t *st);
    void (*rollback)(ts_store_t *st);
    int (*read_begin)(ts_store_t *st);
    int (*data_version)(ts_store_t *st, uint64_t *version);
    void (*set_busy_timeout)(ts_store_t *st, int ms);

    int (*site_add)(ts_store_t *st, const char *name, int64_t parent_id, const char *description,
                    int64_t *id);
    int (*site_update)(ts_store_t *st, int64_t id, int64_t parent_id, const char *description);
    int (*site_remove)(ts_store_t *st, int64_t id);
    int (*site_find)(ts_store_t *st, const char *name, int64_t *id);
    int (*claim_add)(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value);
    int (*claim_remove)(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value);
    int (*site_clear)(ts_store_t *st, int64_t site_id);
    int (*contact_add)(ts_store_t *st, int64_t site_id, const char *email, const char *name);
    int (*sites_foreach)(ts_store_t *st, ts_site_cb cb, void *ctx);
    int (*claims_foreach)(ts_store_t *st, ts_claim_cb cb, void *ctx);
    int (*contacts_foreach)(ts_store_t *st, ts_contact_cb cb, void *ctx);

    int (*input_get)(ts_store_t *st, const char *name, const char *format, ts_input_state_t *state);
    int (*input_checkpoint)(ts_store_t *st, const ts_input_state_t *state);
    int (*inputs_foreach)(ts_store_t *st, ts_input_cb cb, void *ctx);

    int (*event_add)(ts_store_t *st, const ts_event_t *e, const ts_link_t *links, int n_links,
                     int64_t input_id, uint64_t line, int64_t *id);
    int (*events_foreach)(ts_store_t *st, const ts_event_filter_t *f, ts_event_cb cb, void *ctx);
    int (*events_count)(ts_store_t *st, const ts_event_filter_t *f, uint64_t *n);

    int (*quarantine_add)(ts_store_t *st, int64_t input_id, uint64_t line, uint64_t offset,
                          int reason, const char *detail, const void *data, size_t len,
                          uint64_t record_len);
    int (*quarantine_foreach)(ts_store_t *st, const char *reason, size_t limit, ts_quarantine_cb cb,
                              void *ctx);
    int (*quarantine_stats)(ts_store_t *st, ts_count_cb cb, void *ctx);
    int (*exporter_save)(ts_store_t *st, const ts_exporter_stats_t *s);
    int (*exporters_foreach)(ts_store_t *st, ts_exporter_row_cb cb, void *ctx);

    const struct ts_store_cert_ops *cert;         /* store/certreg_int.h */
    const struct ts_store_portal_ops *portal;     /* store/eventq_int.h */
    const struct ts_store_advisory_ops *advisory; /* store/advstore_int.h */
    const struct ts_store_scan_ops *scan;         /* store/scanstore_int.h */
    const struct ts_store_feed_ops *feed;         /* store/feedstore_int.h */
    const struct ts_store_notify_ops *notify;     /* store/notifystore_int.h */
    const struct ts_store_incident_ops *incident; /* store/incstore_int.h */
    const struct ts_store_team_ops *team;         /* store/teamstore_int.h */
    const struct ts_store_domain_ops *domain;     /* store/domainstore_int.h */
};

/* agg: the write-path aggregator of incidents (store/incagg.c), made on the
 * first event; txn: a ts_store_begin() is open (store.c keeps it so that an
 * event written outside one gets a transaction of its own, and its incidents
 * with it); no_incidents: aggregation switched off (incstore.h). */
struct ts_store {
    const struct ts_store_ops *ops;
    struct ts_incagg *agg;
    bool txn;
    bool no_incidents;
};

extern const struct ts_store_ops ts_store_sqlite_ops;
extern const struct ts_store_ops ts_store_postgres_ops; /* store/postgres_int.h */
extern const struct ts_store_cert_ops ts_sq_cert_ops;
extern const struct ts_store_portal_ops ts_sq_portal_ops;
extern const struct ts_store_advisory_ops ts_sq_advisory_ops;
extern const struct ts_store_scan_ops ts_sq_scan_ops;
extern const struct ts_store_feed_ops ts_sq_feed_ops;
extern const struct ts_store_incident_ops ts_sq_incident_ops;

/* For a backend's event_add: checks e and its links against the rules of
 * ts_store_event_add() and gives what to write: e and links themselves, or
 * copies in a whose lists beyond TS_TARGETS_MAX are covered. a is the
 * backend's write arena, kept from one call to the next: reset first when
 * *a_used says the previous call left something there (a backend's
 * bool, false at first), which is rare.
 * \retval 0.  \retval TS_EINVAL / TS_EEXIST with *why, a static message. */
TS_MUSTCHECK int ts_store_event_check(const ts_event_t *e, const ts_link_t *links, int n_links,
                                      ts_arena_t *a, bool *a_used /* IN/OUT */,
                                      const ts_event_t **e_out /* OUT */,
                                      const ts_link_t **links_out /* OUT */,
                                      const char **why /* OUT */);
/* For a backend's read: the stored TLP name and networks/lists JSON (either
 * may be NULL) into e's tlp, networks and targets (lists in a).
 * \retval 0.  \retval TS_EINVAL with *what naming the malformed column. */
TS_MUSTCHECK int ts_store_event_model_decode(ts_str_t tlp, ts_str_t targets, ts_arena_t *a,
                                             ts_event_t *e, const char **what /* OUT */);
/* The stored form of an event's networks and target lists, one JSON text
 * for the event (column events.targets) and one per share (event_links.targets),
 * so that events naming one address cost no more than before:
 *   event: {"source": SIDE, "destination": SIDE}, a side only when it has a
 *          network or a list; SIDE = {"network": "10.0.0.0/8", "count": N,
 *          "list": ["198.51.100.7", "10.1.0.0/16", ...]}, count only when
 *          known (> 0), entries as ts_targets_entry_text();
 *   share: {"count": N, "list": [...]}.
 * Encoders append to out and return false (out untouched) when there is
 * nothing to store (NULL in the column). */
bool ts_store_targets_encode(const ts_event_t *e, ts_buf_t *out);
bool ts_store_share_encode(const ts_targets_t *t, ts_buf_t *out);
/* Decoders fill e's networks and targets (lists and their ts_targets_t in a),
 * or *t. \retval 0.  \retval TS_EINVAL not what the encoders write. */
TS_MUSTCHECK int ts_store_targets_decode(ts_str_t json, ts_arena_t *a, ts_event_t *e);
TS_MUSTCHECK int ts_store_share_decode(ts_str_t json, ts_arena_t *a, ts_targets_t *t /* OUT */);

/* For a backend's site-scoped read, once se holds only the links visible to
 * the subtree: whether the site may see the event at all (TS_TLP_SITE_SQL). */
bool ts_store_tlp_visible(const ts_stored_event_t *se);

/* For a backend's site-scoped read, once se holds only the links visible to
 * the subtree: each side's targets become the union of those links' shares
 * (NULL when none of them has one), so that a site never sees another's
 * targets. Lists live in a. */
void ts_store_scope_targets(ts_stored_event_t *se, ts_arena_t *a);
extern const struct ts_store_notify_ops ts_sq_notify_ops;
extern const struct ts_store_team_ops ts_sq_team_ops;
extern const struct ts_store_domain_ops ts_sq_domain_ops;

/* Like ts_store_open() but migrates no further than max_version (< 0: to the
 * latest). For tests that need a store as an older tocsin left it.
 * \retval as ts_store_open(); TS_EINVAL max_version above what the backend knows. */
TS_MUSTCHECK int ts_store_open_version(const char *location, int max_version,
                                       ts_store_t **out /* OUT */);
/* Newest schema version the backend for location knows, or TS_ENOTSUP. */
int ts_store_latest_version(const char *location);
