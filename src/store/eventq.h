/* SPDX-License-Identifier: Apache-2.0 */
/* The portal's queries: everything the REST API reads from the store, always
 * bounded by a site subtree (a site and its descendants) or, for a CSIRT
 * principal, by nothing (site_id 0). The bounding happens here, in the query,
 * so that no caller can forget it:
 *  - an event is visible to a subtree when one of its owner links points to a
 *    site of that subtree; the links handed back are only those (a site never
 *    learns which other site owns the far end);
 *  - statistics count only visible events, and the top hosts are the
 *    addresses of the endpoints whose link lies in the subtree.
 *
 * Strings handed to callbacks are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TS_PORTAL_LIMIT_MAX 1000 /* events per page */
#define TS_PORTAL_TOP_HOSTS 10

typedef struct ts_portal_filter {
    int64_t site_id;        /* subtree root; 0 = every event (CSIRT) */
    int64_t since, until;   /* [since, until) on time.source, else time.observation;
                               TS_TIME_NONE = open */
    const char *types_json; /* JSON array of canonical type names; NULL = any type */
    int role;               /* 0 = any; TS_ROLE_*: the event has a link of that role in the
                               subtree (any link of that role for site_id 0) */
    bool has_ip;            /* address range on the endpoint of `role` (either when 0) */
    uint8_t ip_lo[16];      /* inclusive bounds, 16-byte form (IPv4 as ::ffff:a.b.c.d) */
    uint8_t ip_hi[16];
    int64_t before_id; /* cursor: only ids below it; 0 = from the newest */
    size_t limit;      /* 1 .. TS_PORTAL_LIMIT_MAX */
} ts_portal_filter_t;

void ts_portal_filter_init(ts_portal_filter_t *f);

/* One page of events, newest (highest id) first, each with its visible links.
 * *next_id (OUT) is the cursor of the following page (the id of the last
 * event handed out) or 0 when this page is the last one. A callback returning
 * non-zero stops the walk and that value is returned.
 * \retval 0 ok.  \retval TS_EINVAL bad filter (limit out of range, negative site,
 * role out of range).  \retval TS_ENOENT site_id is not a site.
 * \retval TS_EDB store failure (message in ts_store_errmsg()). */
TS_MUSTCHECK int ts_store_portal_events(ts_store_t *st, const ts_portal_filter_t *f, ts_event_cb cb,
                                        void *ctx, int64_t *next_id /* OUT */);

/* One event by id if it is visible to the subtree of site_id (0: to all),
 * handed to cb with its visible links.
 * \retval the callback's value, or 0.  \retval TS_ENOENT no such event, or not
 * visible (indistinguishable by design), or no such site.  \retval TS_EDB. */
TS_MUSTCHECK int ts_store_portal_event(ts_store_t *st, int64_t site_id, int64_t id, ts_event_cb cb,
                                       void *ctx);

/* Statistics over the visible events of [since, until) (both required). */
typedef struct ts_portal_stats_cbs {
    /* Events per UTC day ("2026-11-20") and type, by day then type name. */
    int (*per_day)(const char *day, const char *type, uint64_t n, void *ctx);
    /* Events per type, most frequent first, then by name. */
    int (*by_type)(const char *type, uint64_t n, void *ctx);
    /* The subtree's own addresses (endpoints whose link lies in it), most
     * often seen first, then by address; TS_PORTAL_TOP_HOSTS at most. */
    int (*top_host)(const ts_ip_t *ip, uint64_t n, void *ctx);
} ts_portal_stats_cbs_t;

/* \retval 0, a callback's non-zero value, TS_EINVAL, TS_ENOENT (no such site), TS_EDB. */
TS_MUSTCHECK int ts_store_portal_stats(ts_store_t *st, int64_t site_id, int64_t since,
                                       int64_t until, const ts_portal_stats_cbs_t *cbs, void *ctx);

/* A site's profile: the site itself (parent_name NULL for a root), then its
 * claims (by kind, then value), contacts (by email), direct children (by name). */
typedef struct ts_portal_site_cbs {
    int (*site)(const ts_site_info_t *site, const char *parent_name, void *ctx);
    int (*claim)(const ts_claim_info_t *claim, void *ctx);
    int (*contact)(const ts_contact_info_t *contact, void *ctx);
    int (*child)(const ts_site_info_t *child, void *ctx);
} ts_portal_site_cbs_t;

/* \retval 0, a callback's value, TS_ENOENT no such site, TS_EDB. */
TS_MUSTCHECK int ts_store_portal_site(ts_store_t *st, int64_t site_id,
                                      const ts_portal_site_cbs_t *cbs, void *ctx);

/* *in (OUT) = site id is root or one of its descendants.
 * \retval 0 (also for unknown ids: *in false).  \retval TS_EDB. */
TS_MUSTCHECK int ts_store_portal_in_subtree(ts_store_t *st, int64_t root, int64_t id,
                                            bool *in /* OUT */);
