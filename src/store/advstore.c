/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory store: argument checks, then the backend's operations. */
#include "store/advstore_int.h"

#define ADV_OPS(st, op)                                                                            \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->advisory == NULL || (st)->ops->advisory->op == NULL)                        \
            return TS_ENOTSUP;                                                                     \
    } while (0)

int ts_store_adv_get(ts_store_t *st, const char *id, ts_adv_rec_cb cb, void *ctx)
{
    ADV_OPS(st, adv_get);
    if (id == NULL || cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->adv_get(st, id, cb, ctx);
}

int ts_store_adv_by_rowid(ts_store_t *st, int64_t rowid, ts_adv_rec_cb cb, void *ctx)
{
    ADV_OPS(st, adv_by_rowid);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->adv_by_rowid(st, rowid, cb, ctx);
}

int ts_store_adv_put(ts_store_t *st, const ts_adv_rec_t *rec, int64_t *rowid)
{
    ADV_OPS(st, adv_put);
    if (rec == NULL || rec->id == NULL || rec->id[0] == '\0' || rowid == NULL)
        return TS_EINVAL;
    return st->ops->advisory->adv_put(st, rec, rowid);
}

int ts_store_adv_products_clear(ts_store_t *st, int64_t adv_rowid)
{
    ADV_OPS(st, products_clear);
    return st->ops->advisory->products_clear(st, adv_rowid);
}

int ts_store_adv_product_add(ts_store_t *st, const ts_adv_prod_rec_t *rec)
{
    ADV_OPS(st, product_add);
    if (rec == NULL || rec->adv_rowid <= 0)
        return TS_EINVAL;
    return st->ops->advisory->product_add(st, rec);
}

int ts_store_adv_products_for(ts_store_t *st, const char *vendor, const char *product,
                              const char *purl_key, bool with_ids, ts_adv_prod_cb cb, void *ctx)
{
    ADV_OPS(st, products_for);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->products_for(st, vendor, product, purl_key, with_ids, cb, ctx);
}

int ts_store_adv_count(ts_store_t *st, uint64_t *n)
{
    ADV_OPS(st, adv_count);
    if (n == NULL)
        return TS_EINVAL;
    return st->ops->advisory->adv_count(st, n);
}

int ts_store_platform_add(ts_store_t *st, const ts_plat_rec_t *rec, int64_t *id)
{
    ADV_OPS(st, platform_add);
    if (rec == NULL || rec->site_id <= 0 || rec->spec == NULL || rec->spec[0] == '\0' ||
        rec->kind == NULL || id == NULL)
        return TS_EINVAL;
    return st->ops->advisory->platform_add(st, rec, id);
}

int ts_store_platform_remove(ts_store_t *st, int64_t site_id, int64_t id)
{
    ADV_OPS(st, platform_remove);
    return st->ops->advisory->platform_remove(st, site_id, id);
}

int ts_store_platform_find(ts_store_t *st, int64_t site_id, const char *spec, int64_t *id)
{
    ADV_OPS(st, platform_find);
    if (spec == NULL || id == NULL)
        return TS_EINVAL;
    return st->ops->advisory->platform_find(st, site_id, spec, id);
}

int ts_store_platforms_foreach(ts_store_t *st, int64_t site_id, ts_plat_cb cb, void *ctx)
{
    ADV_OPS(st, platforms_foreach);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->platforms_foreach(st, site_id, cb, ctx);
}

int ts_store_adv_matches_of(ts_store_t *st, int64_t adv_rowid, int64_t site_id, ts_adv_match_cb cb,
                            void *ctx)
{
    ADV_OPS(st, matches_of);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->matches_of(st, adv_rowid, site_id, cb, ctx);
}

int ts_store_adv_matches_clear(ts_store_t *st, int64_t adv_rowid, int64_t site_id)
{
    ADV_OPS(st, matches_clear);
    return st->ops->advisory->matches_clear(st, adv_rowid, site_id);
}

int ts_store_adv_match_put(ts_store_t *st, const ts_adv_match_rec_t *rec)
{
    ADV_OPS(st, match_put);
    if (rec == NULL || rec->platform_id <= 0 || rec->adv_rowid <= 0)
        return TS_EINVAL;
    return st->ops->advisory->match_put(st, rec);
}

int ts_store_adv_rows_foreach(ts_store_t *st, const ts_adv_query_t *q, ts_adv_row_cb cb, void *ctx)
{
    ADV_OPS(st, rows_foreach);
    if (q == NULL || cb == NULL)
        return TS_EINVAL;
    return st->ops->advisory->rows_foreach(st, q, cb, ctx);
}
