/* SPDX-License-Identifier: Apache-2.0 */
/* The feed store's backend operations (see feedstore.h). */
#pragma once
#include "store/feedstore.h"
#include "store/store_int.h"

struct ts_store_feed_ops {
    int (*schema_put)(ts_store_t *st, const ts_schema_rec_t *rec, int64_t *id);
    int (*schema_latest)(ts_store_t *st, ts_schema_cb cb, void *ctx);
    int (*feed_add)(ts_store_t *st, const ts_feed_rec_t *rec);
    int (*feed_remove)(ts_store_t *st, const char *name);
    int (*feeds_foreach)(ts_store_t *st, ts_feed_cb cb, void *ctx);
    int (*feed_state)(ts_store_t *st, const ts_feed_rec_t *rec);
    int (*feed_get)(ts_store_t *st, const char *name, ts_feed_cb cb, void *ctx);
    int (*report_seen)(ts_store_t *st, const char *id, bool *seen);
    int (*report_add)(ts_store_t *st, const char *id, const char *type, const char *file);
};
