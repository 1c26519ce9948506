/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory store's backend operations (see advstore.h). */
#pragma once
#include "store/advstore.h"
#include "store/store_int.h"

struct ts_store_advisory_ops {
    int (*adv_get)(ts_store_t *st, const char *id, ts_adv_rec_cb cb, void *ctx);
    int (*adv_put)(ts_store_t *st, const ts_adv_rec_t *rec, int64_t *rowid);
    int (*products_clear)(ts_store_t *st, int64_t adv_rowid);
    int (*product_add)(ts_store_t *st, const ts_adv_prod_rec_t *rec);
    int (*products_for)(ts_store_t *st, const char *vendor, const char *product,
                        const char *purl_key, bool with_ids, ts_adv_prod_cb cb, void *ctx);
    int (*adv_count)(ts_store_t *st, uint64_t *n);
    int (*platform_add)(ts_store_t *st, const ts_plat_rec_t *rec, int64_t *id);
    int (*platform_remove)(ts_store_t *st, int64_t site_id, int64_t id);
    int (*platform_find)(ts_store_t *st, int64_t site_id, const char *spec, int64_t *id);
    int (*platforms_foreach)(ts_store_t *st, int64_t site_id, ts_plat_cb cb, void *ctx);
    int (*matches_of)(ts_store_t *st, int64_t adv_rowid, int64_t site_id, ts_adv_match_cb cb,
                      void *ctx);
    int (*matches_clear)(ts_store_t *st, int64_t adv_rowid, int64_t site_id);
    int (*match_put)(ts_store_t *st, const ts_adv_match_rec_t *rec);
    int (*rows_foreach)(ts_store_t *st, const ts_adv_query_t *q, ts_adv_row_cb cb, void *ctx);
    int (*adv_by_rowid)(ts_store_t *st, int64_t rowid, ts_adv_rec_cb cb, void *ctx);
};
