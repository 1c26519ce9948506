/* SPDX-License-Identifier: Apache-2.0 */
/* The portal queries' backend operations (see eventq.h). A backend answers
 * the set questions (which ids, which sites); eventq.c reads the events
 * themselves through the core's ts_store_events_foreach() with the subtree
 * as its site, so that decoding an event and scoping it to a site live in
 * one place per backend. */
#pragma once
#include "store/eventq.h"
#include "store/store_int.h"

struct ts_store_portal_ops {
    /* Ids of the events matching f, newest first: at most max ids into ids[]. */
    int (*page)(ts_store_t *st, const ts_portal_filter_t *f, int64_t *ids, size_t max, size_t *n);
    int (*stats)(ts_store_t *st, int64_t site_id, int64_t since, int64_t until,
                 const ts_portal_stats_cbs_t *cbs, void *ctx);
    int (*site)(ts_store_t *st, int64_t site_id, const ts_portal_site_cbs_t *cbs, void *ctx);
    int (*in_subtree)(ts_store_t *st, int64_t root, int64_t id, bool *in);
};
