/* SPDX-License-Identifier: Apache-2.0 */
/* The notification store's backend operations (see notifystore.h). */
#pragma once
#include "store/notifystore.h"
#include "store/store_int.h"

struct ts_store_notify_ops {
    int (*contact_add)(ts_store_t *st, const ts_contact_rec_t *c, int64_t *id);
    int (*contact_update)(ts_store_t *st, const ts_contact_rec_t *c);
    int (*contact_remove)(ts_store_t *st, int64_t site_id, int64_t id);
    int (*contact_find)(ts_store_t *st, int64_t site_id, const char *email, int64_t *id);
    int (*contacts_foreach)(ts_store_t *st, int64_t site_id, int64_t id, ts_contact_rec_cb cb,
                            void *ctx);
    int (*mark_get)(ts_store_t *st, const char *source, int64_t *mark);
    int (*mark_set)(ts_store_t *st, const char *source, int64_t mark);
    int (*pending_add)(ts_store_t *st, const ts_npending_rec_t *p);
    /* due >= 0: items due by then (every site); due < 0: every item of site_id. */
    int (*pending_foreach)(ts_store_t *st, int64_t site_id, int64_t due, ts_npending_cb cb,
                           void *ctx);
    int (*pending_clear)(ts_store_t *st, int64_t contact_id, int64_t now);
    int (*out_add)(ts_store_t *st, const ts_out_rec_t *o, int64_t *id);
    int (*out_foreach)(ts_store_t *st, int64_t site_id, int state, size_t limit, ts_out_cb cb,
                       void *ctx);
    int (*out_due)(ts_store_t *st, int64_t now, size_t limit, ts_out_cb cb, void *ctx);
    int (*out_move)(ts_store_t *st, int64_t id, int from, int to, int attempts_inc, int64_t dot_at,
                    int64_t next_attempt, int64_t sent_at, const char *reply);
    int (*out_sent_since)(ts_store_t *st, const char *domain, int64_t since, uint64_t *n);
    int (*out_stats)(ts_store_t *st, int64_t site_id, ts_count_cb cb, void *ctx);
};
