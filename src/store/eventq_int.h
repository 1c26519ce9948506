/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries' backend operations (see eventq.h). A backend answers
 * the set questions (which ids, which sites); eventq.c reads the events
 * themselves through the core's ts_store_events_foreach() with the subtree
 * as its site, so that decoding an event and scoping it to a site live in
 * one place per backend. */
#pragma once
#include "store/eventq.h"
#include "store/store_int.h"

/* Where a backend hands the counts of a statistics question: per (UTC day
 * as days since the epoch, type) and per own address (its family and
 * 16-byte form, IPv4 as ::ffff:a.b.c.d); eventq.c adds them up. */
typedef struct ts_stats_sink {
    void (*day)(void *ctx, int64_t day, ts_type_t type, uint64_t n);
    void (*host)(void *ctx, int family, const uint8_t ip[16], uint64_t n);
} ts_stats_sink_t;

struct ts_store_portal_ops {
    /* Ids of the events matching f, newest first: at most max ids into ids[]. */
    int (*page)(ts_store_t *st, const ts_portal_filter_t *f, int64_t *ids, size_t max, size_t *n);
    /* The counts of the subtree's events in [since, until), from the events. */
    int (*stats_events)(ts_store_t *st, int64_t site_id, int64_t since, int64_t until,
                        const ts_stats_sink_t *k, void *ctx);
    /* The same for the whole days [d1, d2), from the roll-ups; with top > 0
     * only the top addresses (most often, then by address) are needed. */
    int (*stats_rollup)(ts_store_t *st, int64_t site_id, int64_t d1, int64_t d2, size_t top,
                        const ts_stats_sink_t *k, void *ctx);
    int (*site)(ts_store_t *st, int64_t site_id, const ts_portal_site_cbs_t *cbs, void *ctx);
    int (*in_subtree)(ts_store_t *st, int64_t root, int64_t id, bool *in);
};
