/* SPDX-License-Identifier: Apache-2.0 */
/* The notification store: argument checks, then the backend's operations. */
#include <string.h>

#include "store/notifystore_int.h"

#define NOTIFY_OPS(st, op)                                                                         \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->notify == NULL || (st)->ops->notify->op == NULL)                            \
            return TS_ENOTSUP;                                                                     \
    } while (0)

static bool contact_ok(const ts_contact_rec_t *c)
{
    return c != NULL && c->site_id > 0 && c->email != NULL && c->email[0] != '\0' &&
           c->roles >= 1 && c->roles <= TS_ROLE_ALL_ && c->immediate >= 0 && c->immediate <= 4 &&
           c->digest >= TS_DIGEST_NONE && c->digest <= TS_DIGEST_DAILY;
}

int ts_store_ncontact_add(ts_store_t *st, const ts_contact_rec_t *c, int64_t *id)
{
    NOTIFY_OPS(st, contact_add);
    if (!contact_ok(c) || id == NULL)
        return TS_EINVAL;
    return st->ops->notify->contact_add(st, c, id);
}

int ts_store_ncontact_update(ts_store_t *st, const ts_contact_rec_t *c)
{
    NOTIFY_OPS(st, contact_update);
    if (!contact_ok(c) || c->id <= 0)
        return TS_EINVAL;
    return st->ops->notify->contact_update(st, c);
}

int ts_store_ncontact_remove(ts_store_t *st, int64_t site_id, int64_t id)
{
    NOTIFY_OPS(st, contact_remove);
    if (site_id <= 0)
        return TS_EINVAL;
    return st->ops->notify->contact_remove(st, site_id, id);
}

int ts_store_ncontact_find(ts_store_t *st, int64_t site_id, const char *email, int64_t *id)
{
    NOTIFY_OPS(st, contact_find);
    if (site_id <= 0 || email == NULL || id == NULL)
        return TS_EINVAL;
    return st->ops->notify->contact_find(st, site_id, email, id);
}

struct one {
    ts_contact_rec_cb cb;
    void *ctx;
    bool seen;
};

static int one_cb(const ts_contact_rec_t *c, void *ctx)
{
    struct one *o = ctx;
    o->seen = true;
    return o->cb(c, o->ctx);
}

int ts_store_ncontact_get(ts_store_t *st, int64_t site_id, int64_t id, ts_contact_rec_cb cb,
                          void *ctx)
{
    NOTIFY_OPS(st, contacts_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    if (id <= 0)
        return TS_ENOENT;
    struct one o = {cb, ctx, false};
    int r = st->ops->notify->contacts_foreach(st, site_id, id, one_cb, &o);
    return r == 0 && !o.seen ? TS_ENOENT : r;
}

int ts_store_ncontacts_foreach(ts_store_t *st, int64_t site_id, ts_contact_rec_cb cb, void *ctx)
{
    NOTIFY_OPS(st, contacts_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->notify->contacts_foreach(st, site_id, 0, cb, ctx);
}

int ts_store_nmark_get(ts_store_t *st, const char *source, int64_t *mark)
{
    NOTIFY_OPS(st, mark_get);
    if (source == NULL || mark == NULL)
        return TS_EINVAL;
    return st->ops->notify->mark_get(st, source, mark);
}

int ts_store_nmark_set(ts_store_t *st, const char *source, int64_t mark)
{
    NOTIFY_OPS(st, mark_set);
    if (source == NULL || source[0] == '\0')
        return TS_EINVAL;
    return st->ops->notify->mark_set(st, source, mark);
}

int ts_store_npending_add(ts_store_t *st, const ts_npending_rec_t *p)
{
    NOTIFY_OPS(st, pending_add);
    if (p == NULL || p->contact_id <= 0 || p->site_id <= 0 || p->item == NULL)
        return TS_EINVAL;
    return st->ops->notify->pending_add(st, p);
}

int ts_store_npending_due(ts_store_t *st, int64_t now, ts_npending_cb cb, void *ctx)
{
    NOTIFY_OPS(st, pending_foreach);
    if (cb == NULL || now < 0)
        return TS_EINVAL;
    return st->ops->notify->pending_foreach(st, 0, now, cb, ctx);
}

int ts_store_npending_foreach(ts_store_t *st, int64_t site_id, ts_npending_cb cb, void *ctx)
{
    NOTIFY_OPS(st, pending_foreach);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->notify->pending_foreach(st, site_id, -1, cb, ctx);
}

int ts_store_npending_clear(ts_store_t *st, int64_t contact_id, int64_t now)
{
    NOTIFY_OPS(st, pending_clear);
    return st->ops->notify->pending_clear(st, contact_id, now);
}

int ts_store_out_add(ts_store_t *st, const ts_out_rec_t *o, int64_t *id)
{
    NOTIFY_OPS(st, out_add);
    /* site_id 0 with contact_id 0: a mail to someone outside the
     * constituency (a domain holder, a registrar, another team). */
    if (o == NULL || id == NULL || o->site_id < 0 || (o->site_id == 0 && o->contact_id != 0) ||
        o->message_id == NULL || o->rcpt == NULL || o->domain == NULL || o->data == NULL ||
        o->len == 0)
        return TS_EINVAL;
    return st->ops->notify->out_add(st, o, id);
}

int ts_store_out_foreach(ts_store_t *st, int64_t site_id, int state, size_t limit, ts_out_cb cb,
                         void *ctx)
{
    NOTIFY_OPS(st, out_foreach);
    if (cb == NULL || site_id < 0 || state < 0 || state > TS_OUT_FAILED)
        return TS_EINVAL;
    return st->ops->notify->out_foreach(st, site_id, state, limit, cb, ctx);
}

int ts_store_out_due(ts_store_t *st, int64_t now, size_t limit, ts_out_cb cb, void *ctx)
{
    NOTIFY_OPS(st, out_due);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->notify->out_due(st, now, limit, cb, ctx);
}

int ts_store_out_move(ts_store_t *st, int64_t id, int from, int to, int attempts_inc,
                      int64_t dot_at, int64_t next_attempt, int64_t sent_at, const char *reply)
{
    NOTIFY_OPS(st, out_move);
    if (from < TS_OUT_QUEUED || from > TS_OUT_FAILED || to < TS_OUT_QUEUED || to > TS_OUT_FAILED)
        return TS_EINVAL;
    return st->ops->notify->out_move(st, id, from, to, attempts_inc, dot_at, next_attempt, sent_at,
                                     reply);
}

int ts_store_out_sent_since(ts_store_t *st, const char *domain, int64_t since, uint64_t *n)
{
    NOTIFY_OPS(st, out_sent_since);
    if (domain == NULL || n == NULL)
        return TS_EINVAL;
    return st->ops->notify->out_sent_since(st, domain, since, n);
}

int ts_store_out_stats(ts_store_t *st, int64_t site_id, ts_count_cb cb, void *ctx)
{
    NOTIFY_OPS(st, out_stats);
    if (cb == NULL || site_id < 0)
        return TS_EINVAL;
    return st->ops->notify->out_stats(st, site_id, cb, ctx);
}

static const char *const state_names[] = {"?", "queued", "sending", "sent", "deferred", "failed"};

const char *ts_out_state_name(int state)
{
    return state >= TS_OUT_QUEUED && state <= TS_OUT_FAILED ? state_names[state] : "?";
}

int ts_out_state_parse(const char *name)
{
    for (int i = TS_OUT_QUEUED; name && i <= TS_OUT_FAILED; i++)
        if (strcmp(name, state_names[i]) == 0)
            return i;
    return 0;
}
