/* SPDX-License-Identifier: Apache-2.0 */
/* The feed store: argument checks, then the backend's operations. */
#include <string.h>

#include "store/feedstore_int.h"

#define FEED_OPS(st, op)                                                                           \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->feed == NULL || (st)->ops->feed->op == NULL)                                \
            return TS_ENOTSUP;                                                                     \
    } while (0)

bool ts_feed_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int ts_store_schema_put(ts_store_t *st, const ts_schema_rec_t *rec, int64_t *id)
{
    FEED_OPS(st, schema_put);
    if (rec == NULL || rec->content == NULL || rec->source == NULL)
        return TS_EINVAL;
    int64_t dummy;
    return st->ops->feed->schema_put(st, rec, id ? id : &dummy);
}

int ts_store_schema_latest(ts_store_t *st, ts_schema_cb cb, void *ctx)
{
    FEED_OPS(st, schema_latest);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->feed->schema_latest(st, cb, ctx);
}

int ts_store_feed_add(ts_store_t *st, const ts_feed_rec_t *rec)
{
    FEED_OPS(st, feed_add);
    if (rec == NULL || !ts_feed_name_ok(rec->name) || rec->url == NULL ||
        strncmp(rec->url, "https://", 8) != 0 || rec->format == NULL || rec->every <= 0)
        return TS_EINVAL;
    return st->ops->feed->feed_add(st, rec);
}

int ts_store_feed_remove(ts_store_t *st, const char *name)
{
    FEED_OPS(st, feed_remove);
    if (name == NULL)
        return TS_EINVAL;
    return st->ops->feed->feed_remove(st, name);
}

int ts_store_feeds_foreach(ts_store_t *st, ts_feed_cb cb, void *ctx)
{
    FEED_OPS(st, feeds_foreach);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->feed->feeds_foreach(st, cb, ctx);
}

int ts_store_feed_state(ts_store_t *st, const ts_feed_rec_t *rec)
{
    FEED_OPS(st, feed_state);
    if (rec == NULL || rec->name == NULL)
        return TS_EINVAL;
    return st->ops->feed->feed_state(st, rec);
}

int ts_store_feed_get(ts_store_t *st, const char *name, ts_feed_cb cb, void *ctx)
{
    FEED_OPS(st, feed_get);
    if (name == NULL || cb == NULL)
        return TS_EINVAL;
    return st->ops->feed->feed_get(st, name, cb, ctx);
}

/* A report id as the API gives it: printable ASCII, bounded. */
static bool report_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 256)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return false;
    return true;
}

int ts_store_feed_report_seen(ts_store_t *st, const char *id, bool *seen)
{
    FEED_OPS(st, report_seen);
    if (seen == NULL || !report_id_ok(id))
        return TS_EINVAL;
    *seen = false;
    return st->ops->feed->report_seen(st, id, seen);
}

int ts_store_feed_report_add(ts_store_t *st, const char *id, const char *type, const char *file)
{
    FEED_OPS(st, report_add);
    if (!report_id_ok(id) || type == NULL || file == NULL)
        return TS_EINVAL;
    return st->ops->feed->report_add(st, id, type, file);
}
