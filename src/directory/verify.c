/* SPDX-License-Identifier: Apache-2.0 */
/* Contact re-verification (verify.h). */
#include "directory/verify.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/buf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/mem.h"
#include "directory/dirmail.h"
#include "notify/address.h"
#include "notify/template.h"
#include "store/notifystore.h"
#include "store/teamstore.h"

const char *ts_verify_state_name(int state)
{
    switch (state) {
    case TS_VERIFIED:
        return "verified";
    case TS_VERIFY_STALE:
        return "stale";
    default:
        return "unverified";
    }
}

int ts_verify_state(int64_t verified_at, int64_t sent_at, int64_t now, int64_t cycle_us,
                    int64_t grace_us)
{
    if (verified_at > 0 && now - verified_at < cycle_us)
        return TS_VERIFIED;
    if (sent_at > 0 && now - sent_at < grace_us)
        return TS_VERIFY_STALE;
    return TS_VERIFY_UNVERIFIED;
}

/* One contact to verify, with what the store knows of it. */
struct contact {
    const char *kind; /* static */
    int64_t ref_id, site_id;
    char *owner, *email, *lang;
    int64_t verified_at, sent_at, token_expires;
};

struct walk {
    struct contact *c;
    size_t n, cap;
};

static struct contact *push(struct walk *w)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->c = ts_xrealloc(w->c, w->cap * sizeof *w->c);
    }
    struct contact *c = &w->c[w->n++];
    memset(c, 0, sizeof *c);
    return c;
}

static int on_site_contact(const ts_contact_rec_t *r, void *ctx)
{
    struct contact *c = push(ctx);
    c->kind = "site";
    c->ref_id = r->id;
    c->site_id = r->site_id;
    c->owner = ts_xstrdup(r->site_name);
    c->email = ts_xstrdup(r->email);
    c->lang = ts_xstrdup(r->lang);
    return 0;
}

/* The teams' own addresses; representatives are added by on_rep. */
struct teams {
    struct walk *w;
    int64_t *ids;
    char **names;
    size_t n, cap;
};

static int on_team(const ts_team_rec_t *t, void *ctx)
{
    struct teams *ts = ctx;
    if (t->state == TS_TEAM_REJECTED || t->state == TS_TEAM_CLOSED)
        return 0;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 64;
        ts->ids = ts_xrealloc(ts->ids, ts->cap * sizeof *ts->ids);
        ts->names = ts_xrealloc(ts->names, ts->cap * sizeof *ts->names);
    }
    ts->ids[ts->n] = t->id;
    ts->names[ts->n++] = ts_xstrdup(t->name);
    struct contact *c = push(ts->w);
    c->kind = "team";
    c->ref_id = t->id;
    c->owner = ts_xstrdup(t->name);
    c->email = ts_xstrdup(t->email);
    c->lang = ts_xstrdup("en");
    return 0;
}

static int on_rep(int64_t team_id, const ts_team_rep_t *r, void *ctx)
{
    struct teams *ts = ctx;
    for (size_t i = 0; i < ts->n; i++)
        if (ts->ids[i] == team_id) {
            struct contact *c = push(ts->w);
            c->kind = "team";
            c->ref_id = team_id;
            c->owner = ts_xstrdup(ts->names[i]);
            c->email = ts_xstrdup(r->email);
            c->lang = ts_xstrdup("en");
        }
    return 0;
}

static int on_row(const ts_verify_rec_t *v, void *ctx)
{
    struct walk *w = ctx;
    for (size_t i = 0; i < w->n; i++) {
        struct contact *c = &w->c[i];
        if (c->ref_id == v->ref_id && strcmp(c->kind, v->kind) == 0 &&
            strcasecmp(c->email, v->email) == 0) {
            c->verified_at = v->verified_at;
            c->sent_at = v->sent_at;
            c->token_expires = v->token_hash[0] ? v->token_expires : 0;
        }
    }
    return 0;
}

static void walk_free(struct walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->c[i].owner);
        free(w->c[i].email);
        free(w->c[i].lang);
    }
    free(w->c);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

/* The stored form of a token: its SHA-256 in hex. */
static int token_hash(const char *token, char out[65])
{
    uint8_t d[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, token, strlen(token), d) != 0)
        return TS_ECRYPTO;
    hex(d, sizeof d, out);
    return 0;
}

static int new_token(char out[TS_VERIFY_TOKEN_LEN + 1])
{
    uint8_t r[32];
    for (size_t got = 0; got < sizeof r;) {
        ssize_t k = getrandom(r + got, sizeof r - got, 0);
        if (k <= 0)
            return TS_EIO;
        got += (size_t)k;
    }
    hex(r, sizeof r, out);
    return 0;
}

/* Queues c's verification mail and keeps its token's hash, in one
 * transaction. */
static int send_one(ts_store_t *st, const ts_verify_opts_t *o, struct contact *c, int64_t now,
                    int64_t grace)
{
    char token[TS_VERIFY_TOKEN_LEN + 1], hash[65], err[256];
    int r = new_token(token);
    if (r == 0)
        r = token_hash(token, hash);
    if (r)
        return r;
    ts_buf_t link = TS_BUF_INIT;
    size_t ul = strlen(o->portal_url);
    ts_buf_printf(&link, "%s%spublic/verify?token=%s", o->portal_url,
                  ul && o->portal_url[ul - 1] == '/' ? "" : "/", token);
    /* A team's contact is outside the constituency: site 0, contact 0. */
    ts_dirmail_t m = {
        .tpl = o->tpl,
        .pgp = o->pgp,
        .kind = TS_TPL_VERIFY,
        .lang = c->lang,
        .from = o->from,
        .from_name = o->from_name,
        .to = c->email,
        .values = {[TS_V_SITE] = c->owner, [TS_V_CONTACT] = c->email, [TS_V_LINK] = link.data},
        .site_id = c->site_id,
        .contact_id = strcmp(c->kind, "site") == 0 ? c->ref_id : 0,
        .out_kind = "verify",
        .now = now};
    bool own = (r = ts_store_begin(st)) == 0;
    if (r == 0) {
        ts_verify_rec_t v = {.kind = c->kind,
                             .ref_id = c->ref_id,
                             .email = c->email,
                             .site_id = c->site_id,
                             .sent_at = now,
                             .verified_at = c->verified_at,
                             .token_hash = hash,
                             .token_expires = now + grace};
        r = ts_store_verify_put(st, &v);
    }
    if (r == 0 && (r = ts_dirmail_queue(st, &m, NULL, err, sizeof err)) == TS_EINVAL)
        ts_log_warn("verify: %s: %s", c->email, err);
    if (own) {
        if (r == 0)
            r = ts_store_commit(st);
        else
            ts_store_rollback(st);
    }
    if (r == 0) {
        c->sent_at = now;
        c->token_expires = now + grace;
    }
    /* The token itself is gone with this frame: only the mail carries it. */
    memset(token, 0, sizeof token);
    memset(link.data, 0, link.len);
    ts_buf_free(&link);
    /* An address the outbox could not send to stays unverified, listed. */
    return r == TS_EINVAL ? 0 : r;
}

int ts_verify_run(ts_store_t *st, const ts_verify_opts_t *o, int64_t now, ts_verify_item_cb cb,
                  void *ctx, size_t *queued)
{
    if (queued)
        *queued = 0;
    if (st == NULL || o == NULL ||
        (!o->dry_run && (o->tpl == NULL || o->from == NULL || o->portal_url == NULL)))
        return TS_EINVAL;
    int64_t cycle = o->cycle_us > 0 ? o->cycle_us : TS_VERIFY_CYCLE_US;
    int64_t grace = o->grace_us > 0 ? o->grace_us : TS_VERIFY_GRACE_US;
    struct walk w = {0};
    struct teams ts = {.w = &w};
    int r = ts_store_ncontacts_foreach(st, 0, on_site_contact, &w);
    if (r == 0)
        r = ts_store_teams_foreach(st, 0, on_team, &ts);
    if (r == 0)
        r = ts_store_team_reps_foreach(st, 0, on_rep, &ts);
    if (r == 0)
        r = ts_store_verify_foreach(st, on_row, &w);
    for (size_t i = 0; r == 0 && i < w.n; i++) {
        struct contact *c = &w.c[i];
        int state = ts_verify_state(c->verified_at, c->sent_at, now, cycle, grace);
        bool due = state != TS_VERIFIED && c->token_expires <= now;
        if (due && !o->dry_run) {
            r = send_one(st, o, c, now, grace);
            if (r == 0 && c->sent_at == now) {
                state = ts_verify_state(c->verified_at, c->sent_at, now, cycle, grace);
                if (queued)
                    (*queued)++;
            }
        }
        if (r == 0 && cb) {
            ts_verify_item_t it = {.kind = c->kind,
                                   .owner = c->owner,
                                   .email = c->email,
                                   .state = state,
                                   .verified_at = c->verified_at,
                                   .sent_at = c->sent_at,
                                   .due = due};
            r = cb(&it, ctx);
        }
    }
    for (size_t i = 0; i < ts.n; i++)
        free(ts.names[i]);
    free(ts.names);
    free(ts.ids);
    walk_free(&w);
    return r;
}

struct found {
    int64_t expires;
    char email[TS_ADDR_MAX + 1];
};

static int on_token(const ts_verify_rec_t *v, void *ctx)
{
    struct found *f = ctx;
    f->expires = v->token_expires;
    snprintf(f->email, sizeof f->email, "%s", v->email);
    return 0;
}

int ts_verify_confirm(ts_store_t *st, const char *token, int64_t now, char *email)
{
    if (token == NULL || strlen(token) != TS_VERIFY_TOKEN_LEN ||
        strspn(token, "0123456789abcdef") != TS_VERIFY_TOKEN_LEN)
        return TS_EINVAL;
    char hash[65];
    int r = token_hash(token, hash);
    if (r)
        return r;
    struct found f = {0};
    if ((r = ts_store_verify_by_token(st, hash, on_token, &f)) != 0)
        return r;
    if (now >= f.expires)
        return TS_ERANGE;
    /* Used at most once: the store takes the token only while it is there. */
    if ((r = ts_store_verify_use(st, hash, now)) != 0)
        return r;
    if (email)
        snprintf(email, TS_ADDR_MAX + 1, "%s", f.email);
    return 0;
}
