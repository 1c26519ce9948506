/* SPDX-License-Identifier: Apache-2.0 */
/* Batches: storing with deduplication, and the wire form.
 *
 * Wire form (version 2, since events name networks, target lists and a TLP
 * and reach any number of sites; version 1 is refused): the magic "TSB2", a
 * flags byte (1 save_checkpoint, 2 rewound), the input id, name and format,
 * the start and checkpoint positions (dev, ino, offset, line each), the item
 * count, then the items. Integers are LEB128 varints, signed ones zigzagged;
 * a string is its length + 1 (0 for NULL) and its bytes. An address is its
 * family byte (0 none, 4, 6) and its 0, 4 or 16 bytes; a prefix is an
 * address and, when there is one, its length byte; a list is its count (the
 * ts_targets_t count) and its entries (prefixes) after their number. An item
 * starts with its kind:
 *   1 an event: times, type, identifier, description, both endpoints (ip,
 *     port, asn, fqdn, url, network, then targets: 0 for none, else the
 *     number of entries + 1, the count and the entries), transport,
 *     application, feed name and provider, TLP, count, extras, line, the
 *     number of links and each link (role, kind, site id, rule, its share as
 *     a list: number of entries, count, entries);
 *   2 a rejected record: line, offset, full length, reason, detail, data.
 * The decoder bounds every number by what the rest of the message can hold
 * before it allocates, and refuses what the store's types cannot carry
 * (unknown families, prefix lengths past the address, lists or links past
 * their limits); what the store checks itself (sorted lists, host bits, one
 * link per site and role) it leaves to ts_store_event_add(). */
#include "bus/batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/incstore.h"

#define MAGIC "TSB2"
#define F_SAVE 1
#define F_REWOUND 2
#define ITEMS_MAX 1000000 /* far above any batch an input makes (20000) */

void ts_batch_init(ts_batch_t *b)
{
    memset(b, 0, sizeof *b);
    b->arena = ts_arena_new(1 << 20);
}

void ts_batch_free(ts_batch_t *b)
{
    ts_arena_free(b->arena);
    free(b->items);
    memset(b, 0, sizeof *b);
}

void ts_batch_reset(ts_batch_t *b)
{
    b->n = 0;
    ts_arena_reset(b->arena);
}

ts_batch_item_t *ts_batch_add(ts_batch_t *b)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->items = ts_xrealloc(b->items, b->cap * sizeof *b->items);
    }
    ts_batch_item_t *it = &b->items[b->n++];
    memset(it, 0, sizeof *it);
    return it;
}

/* ---- Storing ------------------------------------------------------------------ */

static bool same_file(const ts_input_state_t *a, const ts_input_state_t *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* Which records of b the committed checkpoint c already holds: all of them
 * (returns 1), none (0, *after = 0), those up to line *after (0), or a gap
 * (TS_EAGAIN). A batch of another file than c's is a new file after rotation
 * when it starts the file, else an old file's batch delivered again. */
static int covered(const ts_batch_t *b, const ts_input_state_t *c, uint64_t *after)
{
    *after = 0;
    if (!same_file(&b->start, c))
        return b->start.offset == 0 ? 0 : 1;
    if (b->rewound)
        return c->offset == b->checkpoint.offset && c->line == b->checkpoint.line ? 1 : 0;
    if (b->checkpoint.offset <= c->offset)
        return 1;
    if (b->start.offset > c->offset)
        return TS_EAGAIN;
    *after = c->line;
    return 0;
}

int ts_batch_store(ts_store_t *st, const ts_batch_t *b, bool dedup, ts_batch_result_t *res)
{
    ts_batch_result_t local;
    if (res == NULL)
        res = &local;
    memset(res, 0, sizeof *res);
    int rc = ts_store_begin(st);
    if (rc < 0) {
        ts_log_error("cannot start a transaction: %s", ts_store_errmsg(st));
        return rc;
    }
    int64_t input_id = b->input_id;
    ts_input_state_t ckpt = b->checkpoint;
    uint64_t after = 0;
    bool all_done = false;
    if (dedup && b->save_checkpoint) {
        ts_input_state_t c;
        rc = ts_store_input_get(st, b->input, b->format, &c);
        if (rc == 0) {
            input_id = c.id;
            ckpt.id = c.id;
            int k = covered(b, &c, &after);
            if (k == TS_EAGAIN) {
                res->gap = true;
                ts_store_rollback(st);
                return TS_EAGAIN;
            }
            all_done = k == 1;
        }
    }
    /* The batch's incident keys read at once (a round trip each otherwise). */
    for (size_t i = 0; i < b->n && rc == 0 && !all_done; i++) {
        const ts_batch_item_t *it = &b->items[i];
        if (it->ev && (after == 0 || it->line > after))
            rc = ts_store_incidents_expect(st, it->ev, it->links, it->n_links);
    }
    if (rc < 0)
        ts_log_error("cannot read the batch's incidents: %s", ts_store_errmsg(st));
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        const ts_batch_item_t *it = &b->items[i];
        if (all_done || (after > 0 && it->line <= after)) {
            res->skipped++;
            continue;
        }
        if (it->ev) {
            rc = ts_store_event_add(st, it->ev, it->links, it->n_links, input_id, it->line, NULL);
            if (rc < 0)
                ts_log_error("cannot store an event: %s", ts_store_errmsg(st));
        } else {
            rc = ts_store_quarantine_add(st, input_id, it->line, it->offset, it->reason, it->detail,
                                         it->data, it->len, it->full_len);
            if (rc < 0)
                ts_log_error("cannot store a quarantined record: %s", ts_store_errmsg(st));
        }
        res->stored += rc == 0;
    }
    if (rc == 0 && b->save_checkpoint && !all_done)
        rc = ts_store_input_checkpoint(st, &ckpt);
    if (rc == 0)
        rc = ts_store_commit(st);
    if (rc < 0) {
        ts_log_error("batch not committed and not acknowledged: %s", ts_store_errmsg(st));
        ts_store_rollback(st);
    }
    return rc;
}

/* ---- Encoding ------------------------------------------------------------------- */

static void put_u(ts_buf_t *o, uint64_t v)
{
    char tmp[10];
    int n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        tmp[n++] = (char)(byte | (v ? 0x80 : 0));
    } while (v);
    ts_buf_append(o, tmp, (size_t)n);
}

static void put_s(ts_buf_t *o, int64_t v)
{
    put_u(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_str(ts_buf_t *o, ts_str_t s)
{
    put_u(o, s.ptr ? s.len + 1 : 0);
    if (s.ptr)
        ts_buf_append(o, s.ptr, s.len);
}

static void put_pos(ts_buf_t *o, const ts_input_state_t *p)
{
    put_u(o, p->dev);
    put_u(o, p->ino);
    put_u(o, p->offset);
    put_u(o, p->line);
}

static void put_ip(ts_buf_t *o, const ts_ip_t *ip)
{
    ts_buf_putc(o, (char)ip->family);
    if (ip->family == TS_AF_INET)
        ts_buf_append(o, ip->bytes, 4);
    else if (ip->family == TS_AF_INET6)
        ts_buf_append(o, ip->bytes, 16);
}

static void put_prefix(ts_buf_t *o, const ts_prefix_t *p)
{
    put_ip(o, &p->addr);
    if (p->addr.family != TS_AF_NONE)
        ts_buf_putc(o, (char)p->len);
}

static void put_entries(ts_buf_t *o, const ts_targets_t *t)
{
    put_u(o, t->count);
    for (uint32_t i = 0; i < t->n; i++)
        put_prefix(o, &t->list[i]);
}

static void put_endpoint(ts_buf_t *o, const ts_endpoint_t *ep)
{
    put_ip(o, &ep->ip);
    put_s(o, ep->port);
    put_s(o, ep->asn);
    put_str(o, ep->fqdn);
    put_str(o, ep->url);
    put_prefix(o, &ep->network);
    put_u(o, ep->targets ? (uint64_t)ep->targets->n + 1 : 0);
    if (ep->targets)
        put_entries(o, ep->targets);
}

static void put_event(ts_buf_t *o, const ts_batch_item_t *it)
{
    const ts_event_t *e = it->ev;
    put_s(o, e->time_source);
    put_s(o, e->time_observation);
    put_u(o, (uint64_t)e->type);
    put_str(o, e->identifier);
    put_str(o, e->description);
    put_endpoint(o, &e->src);
    put_endpoint(o, &e->dst);
    put_str(o, e->transport);
    put_str(o, e->application);
    put_str(o, e->feed_name);
    put_str(o, e->feed_provider);
    put_u(o, (uint64_t)e->tlp);
    put_u(o, e->count);
    put_u(o, e->n_extra);
    for (uint32_t i = 0; i < e->n_extra; i++) {
        put_str(o, e->extra[i].key);
        put_str(o, e->extra[i].value_json);
    }
    put_u(o, it->line);
    put_u(o, (uint64_t)it->n_links);
    for (int i = 0; i < it->n_links; i++) {
        const ts_link_t *l = &it->links[i];
        put_u(o, (uint64_t)l->role);
        put_u(o, (uint64_t)l->match.kind);
        put_s(o, l->match.site_id);
        put_str(o, ts_str_c(l->match.rule));
        put_u(o, l->own.n);
        put_entries(o, &l->own);
    }
}

void ts_batch_encode(const ts_batch_t *b, ts_buf_t *o)
{
    ts_buf_append(o, MAGIC, 4);
    ts_buf_putc(o, (char)((b->save_checkpoint ? F_SAVE : 0) | (b->rewound ? F_REWOUND : 0)));
    put_s(o, b->input_id);
    put_str(o, ts_str_c(b->input));
    put_str(o, ts_str_c(b->format));
    put_pos(o, &b->start);
    put_pos(o, &b->checkpoint);
    put_u(o, b->n);
    for (size_t i = 0; i < b->n; i++) {
        const ts_batch_item_t *it = &b->items[i];
        if (it->ev) {
            ts_buf_putc(o, 1);
            put_event(o, it);
            continue;
        }
        ts_buf_putc(o, 2);
        put_u(o, it->line);
        put_u(o, it->offset);
        put_u(o, it->full_len);
        put_s(o, it->reason);
        put_str(o, ts_str_c(it->detail));
        put_str(o, ts_str(it->data ? it->data : "", it->len));
    }
}

void ts_batch_msg_id(const ts_batch_t *b, char *buf, size_t size)
{
    snprintf(buf, size, "i%" PRId64 ".%" PRIu64 ".%" PRIu64 ".%" PRIu64 "-%" PRIu64, b->input_id,
             b->checkpoint.dev, b->checkpoint.ino, b->start.offset, b->checkpoint.offset);
}

/* ---- Decoding ------------------------------------------------------------------- */

typedef struct rd {
    const uint8_t *p, *end;
    int err;
} rd_t;

/* Notes the first error: what is read after it is garbage. */
static void fail(rd_t *r, int err)
{
    if (r->err == 0)
        r->err = err;
}

/* A varint as put_u() writes it: the shortest form only (no trailing zero
 * group, nothing past 64 bits), so that a message reads back to the same
 * bytes. */
static uint64_t get_u(rd_t *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && !r->err; shift += 7) {
        if (r->p >= r->end)
            break;
        uint8_t byte = *r->p++;
        if ((shift > 0 && byte == 0) || (shift == 63 && byte > 1))
            break;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return v;
    }
    fail(r, TS_ESYNTAX);
    return 0;
}

static int64_t get_s(rd_t *r)
{
    uint64_t v = get_u(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint8_t get_byte(rd_t *r)
{
    if (r->err || r->p >= r->end) {
        fail(r, TS_ESYNTAX);
        return 0;
    }
    return *r->p++;
}

static ts_str_t get_str(rd_t *r)
{
    uint64_t n = get_u(r);
    if (n == 0 || r->err)
        return TS_STR_NULL;
    n--;
    if (n > (uint64_t)(r->end - r->p)) {
        fail(r, TS_ESYNTAX);
        return TS_STR_NULL;
    }
    ts_str_t s = ts_str((const char *)r->p, (size_t)n);
    r->p += n;
    return s;
}

/* A string the store takes NUL-terminated: copied into the arena. */
static const char *get_cstr(rd_t *r, ts_arena_t *a)
{
    ts_str_t s = get_str(r);
    if (s.ptr && memchr(s.ptr, '\0', s.len))
        fail(r, TS_ESYNTAX);
    return s.ptr && !r->err ? ts_arena_strdup(a, s).ptr : NULL;
}

static void get_pos(rd_t *r, ts_input_state_t *p)
{
    p->dev = get_u(r);
    p->ino = get_u(r);
    p->offset = get_u(r);
    p->line = get_u(r);
}

static void get_ip(rd_t *r, ts_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    uint8_t fam = get_byte(r);
    size_t n = fam == TS_AF_INET ? 4 : fam == TS_AF_INET6 ? 16 : 0;
    if (fam != TS_AF_NONE && n == 0)
        fail(r, TS_ESYNTAX);
    if (n > (size_t)(r->end - r->p))
        fail(r, TS_ESYNTAX);
    if (r->err)
        return;
    ip->family = fam;
    memcpy(ip->bytes, r->p, n);
    r->p += n;
}

static void get_prefix(rd_t *r, ts_prefix_t *p)
{
    get_ip(r, &p->addr);
    p->len = 0;
    if (r->err || p->addr.family == TS_AF_NONE)
        return;
    p->len = get_byte(r);
    if (p->len > (p->addr.family == TS_AF_INET ? 32 : 128))
        fail(r, TS_ESYNTAX);
}

/* Reads a list of n entries (after its number) into t, the entries in a.
 * An entry is a prefix (none is refused), at least 6 bytes, so n is checked
 * against the rest of the message before anything is allocated. */
static void get_entries(rd_t *r, uint64_t n, ts_arena_t *a, ts_targets_t *t)
{
    memset(t, 0, sizeof *t);
    t->count = get_u(r);
    if (r->err)
        return;
    if (n > TS_TARGETS_INPUT_MAX) {
        fail(r, TS_ETOOBIG);
        return;
    }
    if (n > (uint64_t)(r->end - r->p) / 6) {
        fail(r, TS_ESYNTAX);
        return;
    }
    if (n == 0)
        return;
    ts_prefix_t *l = ts_arena_alloc(a, (size_t)n * sizeof *l);
    for (uint64_t i = 0; i < n && !r->err; i++) {
        get_prefix(r, &l[i]);
        if (l[i].addr.family == TS_AF_NONE)
            fail(r, TS_ESYNTAX);
    }
    t->list = l;
    t->n = (uint32_t)n;
}

static void get_endpoint(rd_t *r, ts_arena_t *a, ts_endpoint_t *ep)
{
    get_ip(r, &ep->ip);
    if (r->err)
        return;
    int64_t port = get_s(r);
    if (port < -1 || port > 65535)
        fail(r, TS_ESYNTAX);
    ep->port = (int32_t)(r->err ? -1 : port);
    ep->asn = get_s(r);
    ep->fqdn = get_str(r);
    ep->url = get_str(r);
    get_prefix(r, &ep->network);
    uint64_t n = get_u(r);
    ep->targets = NULL;
    if (n > 0 && !r->err) {
        ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
        get_entries(r, n - 1, a, t);
        ep->targets = t;
    }
}

static void get_event(rd_t *r, ts_batch_t *b, ts_batch_item_t *it)
{
    ts_event_t *e = ts_arena_alloc(b->arena, sizeof *e);
    ts_event_init(e);
    e->time_source = get_s(r);
    e->time_observation = get_s(r);
    uint64_t type = get_u(r);
    if (type > 255 || ts_type_name((ts_type_t)type) == NULL)
        fail(r, TS_ESYNTAX);
    e->type = (ts_type_t)type;
    e->identifier = get_str(r);
    e->description = get_str(r);
    get_endpoint(r, b->arena, &e->src);
    get_endpoint(r, b->arena, &e->dst);
    e->transport = get_str(r);
    e->application = get_str(r);
    e->feed_name = get_str(r);
    e->feed_provider = get_str(r);
    uint64_t tlp = get_u(r);
    if (tlp > TS_TLP_RED)
        fail(r, TS_ESYNTAX);
    e->tlp = (ts_tlp_t)tlp;
    e->count = get_u(r);
    uint64_t n_extra = get_u(r);
    if (n_extra > TS_EVENT_EXTRA_MAX) {
        fail(r, TS_ETOOBIG);
        return;
    }
    for (uint64_t i = 0; i < n_extra && !r->err; i++) {
        e->extra[i].key = get_str(r);
        e->extra[i].value_json = get_str(r);
    }
    e->n_extra = (uint32_t)n_extra;
    it->line = get_u(r);
    /* A link takes at least 6 bytes (role, kind, site, rule, share's number
     * and count). */
    uint64_t n_links = get_u(r);
    if (r->err)
        return;
    if (n_links > 2 * TS_ROUTE_LINKS_MAX) {
        fail(r, TS_ETOOBIG);
        return;
    }
    if (n_links > (uint64_t)(r->end - r->p) / 6) {
        fail(r, TS_ESYNTAX);
        return;
    }
    it->links = n_links ? ts_arena_alloc(b->arena, (size_t)n_links * sizeof *it->links) : NULL;
    for (uint64_t i = 0; i < n_links && !r->err; i++) {
        ts_link_t *l = &it->links[i];
        memset(l, 0, sizeof *l);
        uint64_t role = get_u(r), kind = get_u(r);
        if (role > 255 || kind > 255)
            fail(r, TS_ESYNTAX);
        l->role = (ts_role_t)role;
        l->match.kind = (ts_rule_kind_t)kind;
        l->match.site_id = get_s(r);
        l->match.rule = get_cstr(r, b->arena);
        l->match.site_name = "";
        uint64_t n = get_u(r);
        if (!r->err)
            get_entries(r, n, b->arena, &l->own);
    }
    it->n_links = (int)n_links;
    it->ev = e;
}

int ts_batch_decode(const void *data, size_t len, ts_batch_t *b)
{
    ts_batch_reset(b);
    rd_t r = {.p = data, .end = (const uint8_t *)data + len};
    if (len < 5 || memcmp(data, MAGIC, 4) != 0)
        return TS_ESYNTAX;
    r.p += 4;
    uint8_t flags = get_byte(&r);
    if (flags & ~(F_SAVE | F_REWOUND))
        fail(&r, TS_ESYNTAX);
    b->save_checkpoint = (flags & F_SAVE) != 0;
    b->rewound = (flags & F_REWOUND) != 0;
    b->input_id = get_s(&r);
    b->input = get_cstr(&r, b->arena);
    b->format = get_cstr(&r, b->arena);
    get_pos(&r, &b->start);
    get_pos(&r, &b->checkpoint);
    b->checkpoint.id = b->start.id = b->input_id;
    uint64_t n = get_u(&r);
    if (!r.err && (n > ITEMS_MAX || n > (uint64_t)(r.end - r.p)))
        fail(&r, n > ITEMS_MAX ? TS_ETOOBIG : TS_ESYNTAX);
    for (uint64_t i = 0; i < n && !r.err; i++) {
        ts_batch_item_t *it = ts_batch_add(b);
        uint8_t kind = get_byte(&r);
        if (kind == 1) {
            get_event(&r, b, it);
        } else if (kind == 2) {
            it->line = get_u(&r);
            it->offset = get_u(&r);
            it->full_len = get_u(&r);
            int64_t reason = get_s(&r);
            if (reason < -1000 || reason > 0)
                fail(&r, TS_ESYNTAX);
            it->reason = r.err ? TS_EINVAL : (int)reason;
            it->detail = get_cstr(&r, b->arena);
            ts_str_t d = get_str(&r);
            if (d.ptr == NULL) /* the encoder writes "" for none */
                fail(&r, TS_ESYNTAX);
            it->data = d.ptr ? d.ptr : "";
            it->len = d.len;
        } else {
            fail(&r, TS_ESYNTAX);
        }
    }
    if (!r.err && (r.p != r.end || b->input == NULL || b->format == NULL))
        fail(&r, TS_ESYNTAX);
    if (r.err)
        ts_batch_reset(b);
    return r.err;
}
