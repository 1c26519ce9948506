/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory: argument checks and the rules of the listing and
 * accreditation process, then the backend's operations. A step reads the
 * team, checks the rules and moves it in one transaction; the backend moves
 * it only from the state that was checked, so two writers cannot both pass
 * a rule on the same reading. */
#include <stdio.h>
#include <string.h>

#include "core/ip.h"
#include "notify/address.h"
#include "store/teamstore_int.h"

#define TEAM_OPS(st, op)                                                                           \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->team == NULL || (st)->ops->team->op == NULL)                                \
            return TS_ENOTSUP;                                                                     \
    } while (0)

static const char *const state_names[] = {
    [TS_TEAM_CANDIDATE] = "candidate",
    [TS_TEAM_LISTED] = "listed",
    [TS_TEAM_ACCR_CANDIDATE] = "accreditation-candidate",
    [TS_TEAM_ACCREDITED] = "accredited",
    [TS_TEAM_SUSPENDED] = "suspended",
    [TS_TEAM_REJECTED] = "rejected",
    [TS_TEAM_CLOSED] = "closed",
};

const char *ts_team_state_name(int state)
{
    if (state < TS_TEAM_CANDIDATE || state > TS_TEAM_CLOSED)
        return "?";
    return state_names[state];
}

int ts_team_state_parse(const char *name, int *state)
{
    for (int i = TS_TEAM_CANDIDATE; name && i <= TS_TEAM_CLOSED; i++)
        if (strcmp(name, state_names[i]) == 0) {
            *state = i;
            return 0;
        }
    return TS_EINVAL;
}

bool ts_team_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > TS_TEAM_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A one-line field: bounded, no control characters (it reaches mail headers,
 * CSV and HTML). */
static bool line_ok(const char *s, size_t max)
{
    if (s == NULL)
        return true;
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool email_ok(const char *s)
{
    return s != NULL && *s && ts_addr_check(s, strlen(s), NULL, NULL, 0) == 0;
}

/* A scope's value in its canonical form (what the CLI and import store). */
static bool scope_ok(const ts_team_scope_t *sc)
{
    char buf[TS_DOMAIN_MAX + 1];
    size_t n = sc->value ? strlen(sc->value) : 0;
    if (n == 0)
        return false;
    switch (sc->kind) {
    case TS_RULE_NETWORK: {
        ts_prefix_t p;
        if (ts_prefix_parse(sc->value, n, &p) != 0)
            return false;
        ts_prefix_format(&p, buf, sizeof buf);
        return strcmp(buf, sc->value) == 0;
    }
    case TS_RULE_ASN: {
        int64_t asn;
        if (ts_asn_parse(sc->value, n, &asn) != 0)
            return false;
        snprintf(buf, sizeof buf, "%lld", (long long)asn);
        return strcmp(buf, sc->value) == 0;
    }
    case TS_RULE_DOMAIN:
        return ts_domain_normalize(sc->value, n, buf, NULL) == 0 && strcmp(buf, sc->value) == 0;
    default:
        return false;
    }
}

static int check_rec(const ts_team_rec_t *t, const char **why)
{
    if (!ts_team_name_ok(t->name))
        *why = "a team name is 1-64 of [A-Za-z0-9._-]";
    else if (t->country == NULL || strlen(t->country) != 2 || t->country[0] < 'A' ||
             t->country[0] > 'Z' || t->country[1] < 'A' || t->country[1] > 'Z')
        *why = "the country is two upper-case letters (ISO 3166-1)";
    else if (!email_ok(t->email))
        *why = "the team's e-mail address is not an address";
    else if (!line_ok(t->official_name, TS_TEAM_FIELD_MAX) || !line_ok(t->ctype, 64) ||
             !line_ok(t->emergency_phone, 64) || !line_ok(t->rfc2350, TS_TEAM_FIELD_MAX) ||
             !line_ok(t->website, TS_TEAM_FIELD_MAX) || !line_ok(t->hours, 128) ||
             !line_ok(t->tz, 64))
        *why = "a field is too long or holds a control character";
    else if (t->pgp_key && strlen(t->pgp_key) > TS_TEAM_KEY_MAX)
        *why = "the OpenPGP key is too long";
    else if (t->n_scopes > TS_TEAM_SCOPES_MAX || (t->n_scopes && t->scopes == NULL))
        *why = "too many constituency entries";
    else if (t->n_reps > TS_TEAM_REPS_MAX || (t->n_reps && t->reps == NULL))
        *why = "too many representatives";
    else
        *why = NULL;
    for (size_t i = 0; *why == NULL && i < t->n_scopes; i++)
        if (!scope_ok(&t->scopes[i]))
            *why = "a constituency entry is not a canonical network, ASN or domain";
    for (size_t i = 0; *why == NULL && i < t->n_reps; i++)
        if (!line_ok(t->reps[i].name, TS_TEAM_FIELD_MAX) || t->reps[i].name == NULL ||
            !*t->reps[i].name || !email_ok(t->reps[i].email) || !line_ok(t->reps[i].phone, 64))
            *why = "a representative needs a name and an address";
    return *why ? TS_EINVAL : 0;
}

/* What a step needs of a team: its process fields (no strings). */
struct team_state {
    bool found;
    ts_team_rec_t t;
};

static int on_state(const ts_team_rec_t *t, void *ctx)
{
    struct team_state *s = ctx;
    s->found = true;
    s->t = *t;
    /* The strings die with the callback; a step uses only numbers. */
    s->t.name = s->t.official_name = s->t.country = s->t.ctype = s->t.email = NULL;
    s->t.emergency_phone = s->t.pgp_key = s->t.rfc2350 = s->t.website = NULL;
    s->t.hours = s->t.tz = NULL;
    return 0;
}

/* Whether the data an accreditation needs is there. */
struct complete {
    bool found, ok;
};

static int on_complete(const ts_team_rec_t *t, void *ctx)
{
    struct complete *c = ctx;
    c->found = true;
    c->ok = *t->email && *t->emergency_phone && *t->pgp_key && *t->rfc2350;
    return 0;
}

static int load(ts_store_t *st, const char *name, struct team_state *s)
{
    memset(s, 0, sizeof *s);
    if (!ts_team_name_ok(name))
        return TS_ENOENT;
    return st->ops->team->get(st, name, on_state, s);
}

/* One step in a transaction: its own when the caller has none. */
static int step_begin(ts_store_t *st, bool *own)
{
    *own = !st->txn;
    return *own ? ts_store_begin(st) : 0;
}

static int step_end(ts_store_t *st, bool own, int r)
{
    if (!own)
        return r;
    if (r == 0)
        return ts_store_commit(st);
    ts_store_rollback(st);
    return r;
}

static int refuse(const char **why, const char *rule)
{
    *why = rule;
    return TS_ECONFLICT;
}

static struct ts_team_move move_of(const ts_team_rec_t *t, int to, int64_t now, const char *who,
                                   const char *action, const char *detail)
{
    return (struct ts_team_move){
        .id = t->id,
        .from = t->state,
        .to = to,
        .prev_state = t->prev_state,
        .rejections = t->rejections,
        .deadline = t->deadline,
        .last_rejected = t->last_rejected,
        .listed_at = t->listed_at,
        .accredited_at = t->accredited_at,
        .recertified_at = t->recertified_at,
        .now = now,
        .who = who,
        .action = action,
        .detail = detail ? detail : "",
    };
}

int ts_store_team_add(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who,
                      int64_t *id, const char **why)
{
    TEAM_OPS(st, add);
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (t == NULL || who == NULL)
        return TS_EINVAL;
    int r = check_rec(t, why);
    if (r)
        return r;
    bool own;
    if ((r = step_begin(st, &own)) != 0)
        return r;
    struct team_state cur;
    r = load(st, t->name, &cur);
    int64_t nid = 0;
    if (r == TS_ENOENT) {
        r = st->ops->team->add(st, t, now, who, &nid);
    } else if (r == 0 && cur.t.state == TS_TEAM_CLOSED) {
        r = refuse(why, "rejected three times: the team is no longer considered");
    } else if (r == 0 && cur.t.state != TS_TEAM_REJECTED) {
        *why = "a team of that name exists";
        r = TS_EEXIST;
    } else if (r == 0 && now - cur.t.last_rejected < TS_TEAM_REAPPLY_US) {
        r = refuse(why, "a rejected team cannot apply again within 12 months of its rejection");
    } else if (r == 0) {
        ts_team_rec_t again = *t;
        again.id = nid = cur.t.id;
        again.state = cur.t.state;
        r = st->ops->team->replace(st, &again, now, who, "update");
        if (r == 0) {
            struct ts_team_move m =
                move_of(&cur.t, TS_TEAM_CANDIDATE, now, who, "reapply", "applies again");
            r = st->ops->team->move(st, &m);
        }
    }
    r = step_end(st, own, r);
    if (r == 0 && id)
        *id = nid;
    return r;
}

int ts_store_team_update(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who,
                         const char **why)
{
    TEAM_OPS(st, replace);
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (t == NULL || who == NULL)
        return TS_EINVAL;
    int r = check_rec(t, why);
    if (r)
        return r;
    bool own;
    if ((r = step_begin(st, &own)) != 0)
        return r;
    struct team_state cur;
    r = load(st, t->name, &cur);
    if (r == 0) {
        ts_team_rec_t u = *t;
        u.id = cur.t.id;
        u.state = cur.t.state;
        r = st->ops->team->replace(st, &u, now, who, "update");
    }
    return step_end(st, own, r);
}

int ts_store_team_get(ts_store_t *st, const char *name, ts_team_cb cb, void *ctx)
{
    TEAM_OPS(st, get);
    if (cb == NULL)
        return TS_EINVAL;
    if (!ts_team_name_ok(name))
        return TS_ENOENT;
    return st->ops->team->get(st, name, cb, ctx);
}

int ts_store_teams_foreach(ts_store_t *st, int state, ts_team_cb cb, void *ctx)
{
    TEAM_OPS(st, foreach);
    if (cb == NULL || state < 0 || state > TS_TEAM_CLOSED)
        return TS_EINVAL;
    return st->ops->team->foreach (st, state, cb, ctx);
}

int ts_store_team_scopes_foreach(ts_store_t *st, int64_t team_id, ts_team_scope_cb cb, void *ctx)
{
    TEAM_OPS(st, scopes_foreach);
    if (cb == NULL || team_id < 0)
        return TS_EINVAL;
    return st->ops->team->scopes_foreach(st, team_id, cb, ctx);
}

int ts_store_team_reps_foreach(ts_store_t *st, int64_t team_id, ts_team_rep_cb cb, void *ctx)
{
    TEAM_OPS(st, reps_foreach);
    if (cb == NULL || team_id < 0)
        return TS_EINVAL;
    return st->ops->team->reps_foreach(st, team_id, cb, ctx);
}

/* ---- The process ------------------------------------------------------------------ */

struct sponsors {
    size_t n;
    const char *name; /* looked for */
    bool has;
};

static int on_sponsor_count(const ts_team_sponsor_rec_t *s, void *ctx)
{
    struct sponsors *c = ctx;
    c->n++;
    if (c->name && strcmp(s->sponsor, c->name) == 0)
        c->has = true;
    return 0;
}

int ts_store_team_sponsor(ts_store_t *st, const char *name, const char *sponsor, int64_t now,
                          const char *who, const char **why)
{
    TEAM_OPS(st, sponsor_add);
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (name == NULL || sponsor == NULL || who == NULL)
        return TS_EINVAL;
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t, s;
    struct sponsors have = {.name = sponsor};
    if ((r = load(st, name, &t)) != 0)
        *why = "no such team";
    else if ((r = load(st, sponsor, &s)) != 0)
        *why = "no such sponsoring team";
    else if (t.t.id == s.t.id)
        r = refuse(why, "a team cannot sponsor itself");
    else if (t.t.state != TS_TEAM_CANDIDATE)
        r = refuse(why, "only a candidate can be sponsored");
    else if (s.t.state != TS_TEAM_ACCREDITED)
        r = refuse(why, "a sponsor must be accredited when it sponsors");
    else if ((r = st->ops->team->sponsors_foreach(st, t.t.id, on_sponsor_count, &have)) == 0 &&
             have.has)
        r = refuse(why, "this team sponsors this application already");
    if (r == 0) {
        r = st->ops->team->sponsor_add(st, t.t.id, s.t.id, sponsor, now, who);
        if (r == TS_EEXIST)
            r = refuse(why, "this team sponsors this application already");
    }
    return step_end(st, own, r);
}

/* Loads a team for a step in an open transaction. */
static int step_load(ts_store_t *st, const char *name, struct team_state *t, const char **why)
{
    int r = load(st, name, t);
    if (r == TS_ENOENT)
        *why = "no such team";
    return r;
}

#define STEP_ARGS(st, name, who, why)                                                              \
    const char *dummy_;                                                                            \
    if ((why) == NULL)                                                                             \
        (why) = &dummy_;                                                                           \
    *(why) = NULL;                                                                                 \
    if ((name) == NULL || (who) == NULL)                                                           \
        return TS_EINVAL;

int ts_store_team_list(ts_store_t *st, const char *name, int64_t now, const char *who,
                       const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    struct sponsors have = {0};
    if ((r = step_load(st, name, &t, why)) != 0)
        ;
    else if (t.t.state != TS_TEAM_CANDIDATE)
        r = refuse(why, "only a candidate can be listed");
    else if ((r = st->ops->team->sponsors_foreach(st, t.t.id, on_sponsor_count, &have)) == 0 &&
             have.n < TS_TEAM_SPONSORS)
        r = refuse(why, "listing needs two sponsors, each accredited when it sponsored");
    if (r == 0) {
        struct ts_team_move m = move_of(&t.t, TS_TEAM_LISTED, now, who, "list", "");
        m.listed_at = now;
        r = st->ops->team->move(st, &m);
    }
    return step_end(st, own, r);
}

struct count {
    size_t n;
};

static int on_count(const ts_team_rec_t *t, void *ctx)
{
    (void)t;
    ((struct count *)ctx)->n++;
    return 0;
}

int ts_store_team_found(ts_store_t *st, const char *name, int64_t now, const char *who,
                        const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    struct count acc = {0};
    if ((r = step_load(st, name, &t, why)) != 0)
        ;
    else if (t.t.state != TS_TEAM_CANDIDATE)
        r = refuse(why, "only a candidate can be a founding member");
    else if ((r = st->ops->team->foreach (st, TS_TEAM_ACCREDITED, on_count, &acc)) == 0 &&
             acc.n >= TS_TEAM_SPONSORS)
        r = refuse(why,
                   "founding members only until two teams are accredited: others need sponsors");
    if (r == 0) {
        struct ts_team_move m =
            move_of(&t.t, TS_TEAM_ACCREDITED, now, who, "found", "founding member");
        m.listed_at = m.accredited_at = now;
        r = st->ops->team->move(st, &m);
    }
    return step_end(st, own, r);
}

int ts_store_team_accredit(ts_store_t *st, const char *name, int64_t deadline_us, int64_t now,
                           const char *who, int *to, const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    if (deadline_us < 0)
        return TS_EINVAL;
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    struct complete c = {0};
    struct ts_team_move m = {0};
    if ((r = step_load(st, name, &t, why)) != 0) {
        ;
    } else if (t.t.state == TS_TEAM_LISTED) {
        m = move_of(&t.t, TS_TEAM_ACCR_CANDIDATE, now, who, "accredit", "accreditation candidate");
        m.deadline = now + (deadline_us ? deadline_us : TS_TEAM_DEADLINE_US);
    } else if (t.t.state != TS_TEAM_ACCR_CANDIDATE) {
        r = refuse(why, "only a listed team or an accreditation candidate can be accredited");
    } else if (now > t.t.deadline) {
        r = refuse(why, "the accreditation candidate's deadline has passed");
    } else if ((r = st->ops->team->get(st, name, on_complete, &c)) == 0 && !c.ok) {
        r = refuse(why, "accreditation needs the team's address, emergency phone, OpenPGP key"
                        " and RFC 2350 document");
    } else if (r == 0) {
        m = move_of(&t.t, TS_TEAM_ACCREDITED, now, who, "accredit", "accredited");
        m.deadline = 0;
        m.accredited_at = now;
    }
    if (r == 0)
        r = st->ops->team->move(st, &m);
    r = step_end(st, own, r);
    if (r == 0 && to)
        *to = m.to;
    return r;
}

int ts_store_team_suspend(ts_store_t *st, const char *name, const char *reason, int64_t now,
                          const char *who, const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    if (!line_ok(reason, TS_TEAM_FIELD_MAX))
        return TS_EINVAL;
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    if ((r = step_load(st, name, &t, why)) != 0)
        ;
    else if (t.t.state != TS_TEAM_LISTED && t.t.state != TS_TEAM_ACCR_CANDIDATE &&
             t.t.state != TS_TEAM_ACCREDITED)
        r = refuse(why, "only a listed or accredited team (or candidate) can be suspended");
    if (r == 0) {
        struct ts_team_move m = move_of(&t.t, TS_TEAM_SUSPENDED, now, who, "suspend", reason);
        m.prev_state = t.t.state;
        r = st->ops->team->move(st, &m);
    }
    return step_end(st, own, r);
}

int ts_store_team_recertify(ts_store_t *st, const char *name, int64_t now, const char *who,
                            const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    struct ts_team_move m = {0};
    if ((r = step_load(st, name, &t, why)) != 0) {
        ;
    } else if (t.t.state == TS_TEAM_SUSPENDED) {
        int back = t.t.prev_state;
        if (back == TS_TEAM_ACCR_CANDIDATE && now > t.t.deadline)
            back = TS_TEAM_LISTED; /* its time to complete the data ran out meanwhile */
        if (back < TS_TEAM_LISTED || back > TS_TEAM_ACCREDITED)
            back = TS_TEAM_LISTED;
        m = move_of(&t.t, back, now, who, "recertify", "suspension lifted");
        m.prev_state = 0;
        if (back != TS_TEAM_ACCR_CANDIDATE)
            m.deadline = 0;
        m.recertified_at = now;
    } else if (t.t.state == TS_TEAM_ACCREDITED) {
        m = move_of(&t.t, TS_TEAM_ACCREDITED, now, who, "recertify", "certification renewed");
        m.recertified_at = now;
    } else {
        r = refuse(why, "only a suspended or accredited team can be re-certified");
    }
    if (r == 0)
        r = st->ops->team->move(st, &m);
    return step_end(st, own, r);
}

int ts_store_team_reject(ts_store_t *st, const char *name, const char *reason, int64_t now,
                         const char *who, const char **why)
{
    TEAM_OPS(st, move);
    STEP_ARGS(st, name, who, why);
    if (!line_ok(reason, TS_TEAM_FIELD_MAX))
        return TS_EINVAL;
    bool own;
    int r = step_begin(st, &own);
    if (r)
        return r;
    struct team_state t;
    struct ts_team_move m = {0};
    if ((r = step_load(st, name, &t, why)) != 0) {
        ;
    } else if (t.t.state == TS_TEAM_CANDIDATE) {
        int n = t.t.rejections + 1;
        m = move_of(&t.t, n >= TS_TEAM_REJECTIONS_MAX ? TS_TEAM_CLOSED : TS_TEAM_REJECTED, now, who,
                    "reject", reason);
        m.rejections = n;
        m.last_rejected = now;
        m.clear_sponsors = true;
    } else if (t.t.state == TS_TEAM_ACCR_CANDIDATE) {
        m = move_of(&t.t, TS_TEAM_LISTED, now, who, "reject", reason);
        m.deadline = 0;
    } else {
        r = refuse(why, "only a candidate or an accreditation candidate can be rejected");
    }
    if (r == 0)
        r = st->ops->team->move(st, &m);
    return step_end(st, own, r);
}

int ts_store_team_sponsors_foreach(ts_store_t *st, int64_t team_id, ts_team_sponsor_cb cb,
                                   void *ctx)
{
    TEAM_OPS(st, sponsors_foreach);
    if (cb == NULL || team_id <= 0)
        return TS_EINVAL;
    return st->ops->team->sponsors_foreach(st, team_id, cb, ctx);
}

int ts_store_team_audit_foreach(ts_store_t *st, int64_t team_id, ts_team_audit_cb cb, void *ctx)
{
    TEAM_OPS(st, audit_foreach);
    if (cb == NULL || team_id <= 0)
        return TS_EINVAL;
    return st->ops->team->audit_foreach(st, team_id, cb, ctx);
}

static bool boot_kind_ok(const char *k)
{
    return k && (strcmp(k, "ipv4") == 0 || strcmp(k, "ipv6") == 0 || strcmp(k, "asn") == 0 ||
                 strcmp(k, "dns") == 0);
}

int ts_store_rdap_boot_put(ts_store_t *st, const ts_rdap_boot_rec_t *b)
{
    TEAM_OPS(st, boot_put);
    if (b == NULL || !boot_kind_ok(b->kind) || b->content == NULL || b->source == NULL ||
        memchr(b->content, '\0', b->len) != NULL)
        return TS_EINVAL;
    return st->ops->team->boot_put(st, b);
}

int ts_store_rdap_boot_get(ts_store_t *st, const char *kind, ts_rdap_boot_cb cb, void *ctx)
{
    TEAM_OPS(st, boot_get);
    if (!boot_kind_ok(kind) || cb == NULL)
        return TS_EINVAL;
    return st->ops->team->boot_get(st, kind, cb, ctx);
}

int ts_store_lookup_put(ts_store_t *st, const ts_lookup_rec_t *l)
{
    TEAM_OPS(st, lookup_put);
    if (l == NULL || !line_ok(l->query, TS_TEAM_FIELD_MAX) || l->query == NULL || !*l->query ||
        l->source == NULL || !line_ok(l->server, TS_TEAM_FIELD_MAX) ||
        !line_ok(l->object, TS_TEAM_FIELD_MAX) || !line_ok(l->email, TS_TEAM_FIELD_MAX))
        return TS_EINVAL;
    return st->ops->team->lookup_put(st, l);
}

int ts_store_lookup_get(ts_store_t *st, const char *query, int64_t now, ts_lookup_cb cb, void *ctx)
{
    TEAM_OPS(st, lookup_get);
    if (query == NULL || cb == NULL)
        return TS_EINVAL;
    return st->ops->team->lookup_get(st, query, now, cb, ctx);
}

static bool hash_ok(const char *h)
{
    return h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

int ts_store_verify_put(ts_store_t *st, const ts_verify_rec_t *v)
{
    TEAM_OPS(st, verify_put);
    if (v == NULL || v->kind == NULL ||
        (strcmp(v->kind, "site") != 0 && strcmp(v->kind, "team") != 0) || v->ref_id <= 0 ||
        !email_ok(v->email) || v->site_id < 0 ||
        (v->token_hash && *v->token_hash && !hash_ok(v->token_hash)))
        return TS_EINVAL;
    return st->ops->team->verify_put(st, v);
}

int ts_store_verify_foreach(ts_store_t *st, ts_verify_cb cb, void *ctx)
{
    TEAM_OPS(st, verify_foreach);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->team->verify_foreach(st, cb, ctx);
}

int ts_store_verify_by_token(ts_store_t *st, const char *hash, ts_verify_cb cb, void *ctx)
{
    TEAM_OPS(st, verify_by_token);
    if (cb == NULL)
        return TS_EINVAL;
    if (!hash_ok(hash))
        return TS_ENOENT;
    return st->ops->team->verify_by_token(st, hash, cb, ctx);
}

int ts_store_verify_use(ts_store_t *st, const char *hash, int64_t now)
{
    TEAM_OPS(st, verify_use);
    if (!hash_ok(hash))
        return TS_ENOENT;
    return st->ops->team->verify_use(st, hash, now);
}
