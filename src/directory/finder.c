/* SPDX-License-Identifier: Apache-2.0 */
/* The contact chain (finder.h). */
#include "directory/finder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/event.h"
#include "core/ip.h"
#include "core/mem.h"
#include "directory/teamfmt.h"
#include "directory/verify.h"
#include "ingest/download.h"
#include "route/constituency.h"
#include "route/loader.h"
#include "store/notifystore.h"
#include "store/teamstore.h"

#define REFERRALS_MAX 4
#define NONE_TTL_US (3600LL * 1000000) /* "nothing found" is kept at most an hour */
#define SERVERS_MAX 64

struct team_info {
    int64_t id;
    char *name, *email;
    int state;
    int64_t verified_at;
};

/* The last query to a server, and how long it asked us to wait (429). */
struct server_clock {
    char host[TS_WHOIS_HOST_MAX];
    int64_t last_ms, blocked_until_ms;
};

/* A site's contact for answers: its first abuse contact, else its first. */
struct site_mail {
    int64_t site_id, contact_id;
    char *email;
    bool abuse;
};

/* A site contact's last confirmation (directory/verify.h). */
struct confirmed {
    int64_t contact_id, verified_at;
};

struct ts_finder {
    ts_store_t *st;
    struct confirmed *conf;
    size_t n_conf, cap_conf;
    struct site_mail *mail; /* by site_id: loaded once, lookups stay in memory */
    size_t n_mail, cap_mail;
    bool sorted; /* team[] is in id order */
    ts_finder_opts_t o;
    ts_constituency_t *own;
    ts_constituency_t *teams; /* teams as "sites": id and name are the team's */
    struct team_info *team;
    size_t n_team, cap_team;
    struct server_clock clocks[SERVERS_MAX];
    size_t n_clocks;
    ts_buf_t body;
};

static int on_team(const ts_team_rec_t *t, void *ctx)
{
    ts_finder_t *f = ctx;
    if (!ts_team_public(t->state))
        return 0;
    if (f->n_team == f->cap_team) {
        f->cap_team = f->cap_team ? 2 * f->cap_team : 64;
        f->team = ts_xrealloc(f->team, f->cap_team * sizeof *f->team);
    }
    f->team[f->n_team++] = (struct team_info){
        .id = t->id,
        .name = ts_xstrdup(t->name),
        .email = ts_xstrdup(t->email),
        .state = t->state,
        .verified_at = t->verified_at,
    };
    int r = ts_constituency_add_site(f->teams, t->id, t->name, 0);
    return r == TS_EEXIST ? 0 : r;
}

static int by_team(const void *a, const void *b)
{
    int64_t x = ((const struct team_info *)a)->id, y = ((const struct team_info *)b)->id;
    return (x > y) - (x < y);
}

static int by_site(const void *a, const void *b)
{
    int64_t x = ((const struct site_mail *)a)->site_id, y = ((const struct site_mail *)b)->site_id;
    return (x > y) - (x < y);
}

static int by_contact(const void *a, const void *b)
{
    int64_t x = ((const struct confirmed *)a)->contact_id;
    int64_t y = ((const struct confirmed *)b)->contact_id;
    return (x > y) - (x < y);
}

/* Teams are sorted by id once loaded (ts_finder_new); before, none is found. */
static struct team_info *team_by_id(ts_finder_t *f, int64_t id)
{
    struct team_info key = {.id = id};
    return f->sorted && f->n_team ? bsearch(&key, f->team, f->n_team, sizeof *f->team, by_team)
                                  : NULL;
}

static int on_scope(int64_t team_id, const ts_team_scope_t *s, void *ctx)
{
    ts_finder_t *f = ctx;
    if (team_by_id(f, team_id) == NULL)
        return 0; /* a team not in the public directory */
    const char *holder = NULL;
    int r = 0;
    size_t n = strlen(s->value);
    if (s->kind == TS_RULE_NETWORK) {
        ts_prefix_t p;
        if (ts_prefix_parse(s->value, n, &p) == 0)
            r = ts_constituency_add_network(f->teams, team_id, &p, &holder);
    } else if (s->kind == TS_RULE_ASN) {
        int64_t asn;
        if (ts_asn_parse(s->value, n, &asn) == 0)
            r = ts_constituency_add_asn(f->teams, team_id, asn, &holder);
    } else {
        r = ts_constituency_add_domain(f->teams, team_id, s->value, n, &holder);
    }
    /* Two teams naming the same entry: the first (by id) keeps it. */
    return r == TS_ECONFLICT || r == TS_EEXIST || r == TS_EINVAL ? 0 : r;
}

/* Contacts come by site name, then address: a site's are adjacent. */
static int on_site_mail(const ts_contact_rec_t *c, void *ctx)
{
    ts_finder_t *f = ctx;
    struct site_mail *m = f->n_mail ? &f->mail[f->n_mail - 1] : NULL;
    bool abuse = (c->roles & TS_ROLE_ABUSE) != 0;
    if (m && m->site_id == c->site_id) {
        if (m->abuse || !abuse)
            return 0;
        free(m->email);
    } else {
        if (f->n_mail == f->cap_mail) {
            f->cap_mail = f->cap_mail ? 2 * f->cap_mail : 64;
            f->mail = ts_xrealloc(f->mail, f->cap_mail * sizeof *f->mail);
        }
        m = &f->mail[f->n_mail++];
    }
    *m = (struct site_mail){c->site_id, c->id, ts_xstrdup(c->email), abuse};
    return 0;
}

static int on_verify(const ts_verify_rec_t *v, void *ctx)
{
    ts_finder_t *f = ctx;
    if (strcmp(v->kind, "site") != 0 || v->verified_at == 0)
        return 0;
    if (f->n_conf == f->cap_conf) {
        f->cap_conf = f->cap_conf ? 2 * f->cap_conf : 64;
        f->conf = ts_xrealloc(f->conf, f->cap_conf * sizeof *f->conf);
    }
    f->conf[f->n_conf++] = (struct confirmed){v->ref_id, v->verified_at};
    return 0;
}

int ts_finder_new(ts_store_t *st, const ts_finder_opts_t *o, ts_finder_t **out)
{
    *out = NULL;
    ts_finder_t *f = ts_xcalloc(1, sizeof *f);
    f->st = st;
    if (o)
        f->o = *o;
    if (f->o.whois_host == NULL)
        f->o.whois_host = "whois.iana.org";
    if (f->o.whois_port == 0)
        f->o.whois_port = 43;
    if (f->o.timeout_ms <= 0)
        f->o.timeout_ms = 10000;
    if (f->o.ttl_us <= 0)
        f->o.ttl_us = 86400LL * 1000000;
    if (f->o.min_interval_ms == 0)
        f->o.min_interval_ms = 1000;
    f->teams = ts_constituency_new();
    int r = ts_constituency_load(st, &f->own);
    if (r == 0)
        r = ts_store_teams_foreach(st, 0, on_team, f);
    if (r == 0 && f->n_team)
        qsort(f->team, f->n_team, sizeof *f->team, by_team);
    f->sorted = true;
    if (r == 0)
        r = ts_store_team_scopes_foreach(st, 0, on_scope, f);
    if (r == 0)
        r = ts_store_verify_foreach(st, on_verify, f);
    if (r == 0 && f->n_conf)
        qsort(f->conf, f->n_conf, sizeof *f->conf, by_contact);
    if (r == 0)
        r = ts_store_ncontacts_foreach(st, 0, on_site_mail, f);
    if (r == 0 && f->n_mail)
        qsort(f->mail, f->n_mail, sizeof *f->mail, by_site);
    if (r) {
        ts_finder_free(f);
        return r;
    }
    *out = f;
    return 0;
}

void ts_finder_free(ts_finder_t *f)
{
    if (f == NULL)
        return;
    ts_constituency_free(f->own);
    ts_constituency_free(f->teams);
    for (size_t i = 0; i < f->n_team; i++) {
        free(f->team[i].name);
        free(f->team[i].email);
    }
    free(f->team);
    free(f->conf);
    for (size_t i = 0; i < f->n_mail; i++)
        free(f->mail[i].email);
    free(f->mail);
    ts_buf_free(&f->body);
    free(f);
}

/* ---- The query ---------------------------------------------------------------------- */

enum qkind { Q_ADDRESS, Q_PREFIX, Q_ASN, Q_DOMAIN };

struct query {
    enum qkind kind;
    ts_prefix_t prefix; /* address: /32 or /128 */
    int64_t asn;
    char text[TS_FINDER_TEXT]; /* canonical */
};

static int classify(const char *s, struct query *q)
{
    size_t n = strlen(s);
    if (n == 0 || n >= TS_FINDER_TEXT)
        return TS_EINVAL;
    if (ts_ip_parse(s, n, &q->prefix.addr) == 0) {
        q->kind = Q_ADDRESS;
        q->prefix.len = q->prefix.addr.family == TS_AF_INET ? 32 : 128;
        ts_ip_format(&q->prefix.addr, q->text, sizeof q->text);
        return 0;
    }
    if (strchr(s, '/') != NULL) {
        if (ts_prefix_parse(s, n, &q->prefix) != 0)
            return TS_EINVAL;
        q->kind = Q_PREFIX;
        ts_prefix_format(&q->prefix, q->text, sizeof q->text);
        return 0;
    }
    if ((s[0] >= '0' && s[0] <= '9') || strncasecmp(s, "as", 2) == 0) {
        if (ts_asn_parse(s, n, &q->asn) == 0) {
            q->kind = Q_ASN;
            snprintf(q->text, sizeof q->text, "AS%lld", (long long)q->asn);
            return 0;
        }
        if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789.") == n)
            return TS_EINVAL; /* "192.0.2" is neither an address nor a name */
    }
    if (ts_domain_normalize(s, n, q->text, NULL) != 0 || strchr(q->text, '.') == NULL)
        return TS_EINVAL;
    q->kind = Q_DOMAIN;
    return 0;
}

static void trail(ts_contact_answer_t *a, const char *step, const char *why)
{
    size_t n = strlen(a->trail);
    snprintf(a->trail + n, sizeof a->trail - n, "%s%s: %s", n ? "; " : "", step, why);
}

/* A claim of c (own sites or teams) for q: for a prefix, only a claim
 * covering all of it. */
static int match(ts_constituency_t *c, const struct query *q, ts_match_t *m)
{
    int r;
    if (q->kind == Q_ASN)
        return ts_constituency_lookup_asn(c, q->asn, m);
    if (q->kind == Q_DOMAIN)
        return ts_constituency_lookup_domain(c, q->text, strlen(q->text), m);
    r = ts_constituency_lookup_ip(c, &q->prefix.addr, m);
    if (r == 0 && q->kind == Q_PREFIX) {
        ts_prefix_t claim;
        if (m->kind != TS_RULE_NETWORK || ts_prefix_parse(m->rule, strlen(m->rule), &claim) != 0 ||
            !ts_prefix_covers(&claim, &q->prefix))
            return TS_ENOENT;
    }
    return r;
}

static void copy(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src ? src : "", size - 1);
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static bool from_sites(ts_finder_t *f, const struct query *q, int64_t now, ts_contact_answer_t *a)
{
    ts_match_t m;
    if (f->own == NULL || match(f->own, q, &m) != 0)
        return false;
    a->source = "site";
    copy(a->name, sizeof a->name, m.site_name);
    copy(a->object, sizeof a->object, m.rule);
    struct site_mail key = {.site_id = m.site_id};
    const struct site_mail *sm =
        f->n_mail ? bsearch(&key, f->mail, f->n_mail, sizeof *f->mail, by_site) : NULL;
    if (sm == NULL) {
        trail(a, "site", "the owning site has no contact");
        return true;
    }
    copy(a->email, sizeof a->email, sm->email);
    struct confirmed ck = {.contact_id = sm->contact_id};
    const struct confirmed *c =
        f->n_conf ? bsearch(&ck, f->conf, f->n_conf, sizeof *f->conf, by_contact) : NULL;
    a->verified = c && now - c->verified_at < TS_VERIFY_CYCLE_US;
    return true;
}

static bool from_teams(ts_finder_t *f, const struct query *q, int64_t now, ts_contact_answer_t *a)
{
    ts_match_t m;
    if (match(f->teams, q, &m) != 0)
        return false;
    struct team_info *t = team_by_id(f, m.site_id);
    if (t == NULL)
        return false;
    a->source = "team";
    copy(a->name, sizeof a->name, t->name);
    copy(a->email, sizeof a->email, t->email);
    copy(a->object, sizeof a->object, m.rule);
    a->team_state = t->state;
    a->verified = t->verified_at > 0 && now - t->verified_at <= TS_VERIFY_CYCLE_US;
    return true;
}

/* ---- Network steps ------------------------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Spaces queries to host by the minimum interval (waiting at most the
 * step's time limit). false: the server asked us to wait (429) or the wait
 * would be too long. */
static bool pace(ts_finder_t *f, const char *host)
{
    struct server_clock *c = NULL;
    for (size_t i = 0; i < f->n_clocks && c == NULL; i++)
        if (strcmp(f->clocks[i].host, host) == 0)
            c = &f->clocks[i];
    if (c == NULL) {
        c = &f->clocks[f->n_clocks < SERVERS_MAX ? f->n_clocks++ : SERVERS_MAX - 1];
        memset(c, 0, sizeof *c);
        copy(c->host, sizeof c->host, host);
    }
    int64_t now = mono_ms();
    if (now < c->blocked_until_ms)
        return false;
    if (f->o.min_interval_ms > 0 && c->last_ms) {
        int64_t wait = c->last_ms + f->o.min_interval_ms - now;
        if (wait > f->o.timeout_ms)
            return false;
        if (wait > 0) {
            struct timespec ts = {.tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000};
            while (nanosleep(&ts, &ts) != 0)
                ;
        }
    }
    c->last_ms = mono_ms();
    return true;
}

static void block(ts_finder_t *f, const char *host, int64_t ms)
{
    for (size_t i = 0; i < f->n_clocks; i++)
        if (strcmp(f->clocks[i].host, host) == 0)
            f->clocks[i].blocked_until_ms = mono_ms() + ms;
}

/* The host of an https URL, for pacing. */
static void url_host(const char *url, char *host, size_t size)
{
    const char *h = strncmp(url, "https://", 8) == 0 ? url + 8 : url;
    copy(host, size, h);
    host[strcspn(host, "/")] = '\0';
}

struct boot_ctx {
    ts_rdap_kind_t kind;
    const char *query;
    char *url;
    size_t size;
    char *err;
    size_t errsize;
    int r;
};

static int on_boot(const ts_rdap_boot_rec_t *b, void *ctx)
{
    struct boot_ctx *c = ctx;
    c->r = ts_rdap_boot_find(b->content, b->len, c->kind, c->query, c->url, c->size, c->err,
                             c->errsize);
    return 0;
}

static bool from_rdap(ts_finder_t *f, const struct query *q, ts_contact_answer_t *a)
{
    static const char *const paths[] = {"ip/", "ip/", "autnum/", "domain/"};
    char base[TS_RDAP_URL_MAX] = "", err[256] = "", url[TS_RDAP_URL_MAX + TS_FINDER_TEXT];
    if (f->o.rdap_base) {
        copy(base, sizeof base, f->o.rdap_base);
    } else {
        const char *kind = q->kind == Q_ASN                      ? "asn"
                           : q->kind == Q_DOMAIN                 ? "dns"
                           : q->prefix.addr.family == TS_AF_INET ? "ipv4"
                                                                 : "ipv6";
        char boot_q[TS_FINDER_TEXT];
        if (q->kind == Q_ASN)
            snprintf(boot_q, sizeof boot_q, "%lld", (long long)q->asn);
        else
            copy(boot_q, sizeof boot_q, q->text);
        struct boot_ctx c = {.kind = q->kind == Q_ASN      ? TS_RDAP_ASN
                                     : q->kind == Q_DOMAIN ? TS_RDAP_DOMAIN
                                                           : TS_RDAP_IP,
                             .query = boot_q,
                             .url = base,
                             .size = sizeof base,
                             .err = err,
                             .errsize = sizeof err,
                             .r = TS_ENOENT};
        int r = ts_store_rdap_boot_get(f->st, kind, on_boot, &c);
        if (r == TS_ENOENT) {
            trail(a, "rdap", "no bootstrap file kept (tocsin rdap bootstrap update)");
            return false;
        }
        if (r != 0 || c.r != 0) {
            trail(a, "rdap", r != 0 ? ts_strerror(r) : err);
            return false;
        }
    }
    size_t bl = strlen(base);
    snprintf(url, sizeof url, "%s%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/",
             paths[q->kind], q->kind == Q_ASN ? q->text + 2 : q->text);
    char host[TS_WHOIS_HOST_MAX];
    url_host(url, host, sizeof host);
    if (!pace(f, host)) {
        trail(a, "rdap", "the server asked us to wait (rate limit)");
        return false;
    }
    ts_download_opts_t o = {.url = url,
                            .cacert = f->o.cacert,
                            .max = TS_RDAP_MAX,
                            .timeout_s = (f->o.timeout_ms + 999) / 1000};
    ts_download_t d;
    char derr[512] = "";
    int r = ts_download(&o, -1, &f->body, &d, derr, sizeof derr);
    if (r != 0) {
        char why[600];
        if (d.status == 429) {
            block(f, host, 60000);
            snprintf(why, sizeof why, "%s: rate-limited (429)", host);
        } else if (r == TS_ENOENT) {
            snprintf(why, sizeof why, "%s: no such object (404)", host);
        } else {
            snprintf(why, sizeof why, "%s", derr);
        }
        trail(a, "rdap", why);
        return false;
    }
    ts_rdap_abuse_t ab;
    r = ts_rdap_abuse(f->body.data ? f->body.data : "", f->body.len, &ab, err, sizeof err);
    if (r != 0) {
        char why[520]; /* the host and the parser's message, whole */
        snprintf(why, sizeof why, "%s: %s", host, err);
        trail(a, "rdap", why);
        return false;
    }
    a->source = "rdap";
    copy(a->email, sizeof a->email, ab.email);
    snprintf(a->object, sizeof a->object, "%.120s%s%.120s", ab.object, *ab.entity ? " > " : "",
             ab.entity);
    copy(a->server, sizeof a->server, url);
    return true;
}

static bool from_whois(ts_finder_t *f, const struct query *q, ts_contact_answer_t *a)
{
    char host[TS_WHOIS_HOST_MAX], visited[REFERRALS_MAX + 1][TS_WHOIS_HOST_MAX + 8];
    int port = f->o.whois_port;
    copy(host, sizeof host, f->o.whois_host);
    for (int hop = 0; hop <= REFERRALS_MAX; hop++) {
        char key[TS_WHOIS_HOST_MAX + 8], err[512] = "", why[600];
        snprintf(key, sizeof key, "%.255s:%d", host, port);
        for (int i = 0; i < hop; i++)
            if (strcmp(visited[i], key) == 0) {
                snprintf(why, sizeof why, "%s: referral loop", key);
                trail(a, "whois", why);
                return false;
            }
        memcpy(visited[hop], key, sizeof key);
        if (!pace(f, key)) {
            snprintf(why, sizeof why, "%s: paced out (rate limit)", key);
            trail(a, "whois", why);
            return false;
        }
        int r = ts_whois_query(host, port, q->text, f->o.timeout_ms, TS_WHOIS_MAX, &f->body, err,
                               sizeof err);
        if (r != 0) {
            trail(a, "whois", err);
            return false;
        }
        ts_whois_answer_t w;
        if (ts_whois_parse(f->body.data ? f->body.data : "", f->body.len, &w) != 0)
            return false;
        if (w.email[0]) {
            a->source = "whois";
            copy(a->email, sizeof a->email, w.email);
            copy(a->object, sizeof a->object, w.object);
            copy(a->server, sizeof a->server, key);
            return true;
        }
        if (w.refer_host[0] == '\0') {
            snprintf(why, sizeof why, "%s: no abuse address and no referral", key);
            trail(a, "whois", why);
            return false;
        }
        /* An answer names any host: port 43 only, unless it stays on the
         * host the CSIRT configured, so that a hostile answer cannot aim
         * tocsin at other services. */
        if (w.refer_port != 43 && strcasecmp(w.refer_host, f->o.whois_host) != 0) {
            snprintf(why, sizeof why, "%s: a referral to port %d of another host, not followed",
                     key, w.refer_port);
            trail(a, "whois", why);
            return false;
        }
        copy(host, sizeof host, w.refer_host);
        port = w.refer_port;
    }
    trail(a, "whois", "too many referrals");
    return false;
}

/* ---- Cache --------------------------------------------------------------------------- */

static int on_cached(const ts_lookup_rec_t *l, void *ctx)
{
    ts_contact_answer_t *a = ctx;
    a->source = strcmp(l->source, "rdap") == 0    ? "rdap"
                : strcmp(l->source, "whois") == 0 ? "whois"
                                                  : "none";
    copy(a->email, sizeof a->email, l->email);
    copy(a->object, sizeof a->object, l->object);
    copy(a->server, sizeof a->server, l->server);
    a->fetched = l->fetched;
    a->cached = true;
    return 0;
}

static void cache_put(ts_finder_t *f, const ts_contact_answer_t *a, int64_t now)
{
    ts_lookup_rec_t l = {.query = a->query,
                         .source = a->source,
                         .server = a->server,
                         .object = a->object,
                         .email = a->email,
                         .fetched = now,
                         .expires = now + f->o.ttl_us};
    /* "Nothing" may be a server that was down or busy: asked again sooner. */
    if (a->email[0] == '\0' && f->o.ttl_us > NONE_TTL_US)
        l.expires = now + NONE_TTL_US;
    /* A cache that cannot be written costs a query next time, nothing more. */
    (void)!ts_store_lookup_put(f->st, &l);
}

int ts_finder_find(ts_finder_t *f, const char *query, int64_t now, ts_contact_answer_t *a)
{
    static const char *const kinds[] = {"address", "prefix", "asn", "domain"};
    memset(a, 0, sizeof *a);
    a->source = "none";
    a->kind = "";
    struct query q;
    if (f == NULL || query == NULL || classify(query, &q) != 0)
        return TS_EINVAL;
    copy(a->query, sizeof a->query, q.text);
    a->kind = kinds[q.kind];
    a->fetched = now;
    if (from_sites(f, &q, now, a) || from_teams(f, &q, now, a))
        return 0;
    trail(a, "directory", "no site or listed team covers it");
    if (!f->o.no_cache && ts_store_lookup_get(f->st, q.text, now, on_cached, a) == 0)
        return 0;
    if (f->o.no_network)
        return 0;
    if (!from_rdap(f, &q, a) && !from_whois(f, &q, a))
        a->source = "none";
    if (!f->o.no_cache)
        cache_put(f, a, now);
    return 0;
}

void ts_contact_answer_json(const ts_contact_answer_t *a, int64_t now, ts_jsonw_t *w)
{
    char t[64];
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "query");
    ts_jsonw_cstr(w, a->query);
    ts_jsonw_key(w, "kind");
    ts_jsonw_cstr(w, a->kind);
    ts_jsonw_key(w, "source");
    ts_jsonw_cstr(w, a->source);
    ts_jsonw_key(w, "found");
    ts_jsonw_bool(w, a->email[0] != '\0');
    ts_jsonw_key(w, "name");
    ts_jsonw_cstr(w, a->name);
    ts_jsonw_key(w, "email");
    ts_jsonw_cstr(w, a->email);
    ts_jsonw_key(w, "object");
    ts_jsonw_cstr(w, a->object);
    ts_jsonw_key(w, "server");
    ts_jsonw_cstr(w, a->server);
    ts_time_format_utc(a->fetched, t, sizeof t);
    ts_jsonw_key(w, "fetched");
    ts_jsonw_cstr(w, t);
    ts_jsonw_key(w, "age_seconds");
    ts_jsonw_int(w, now > a->fetched ? (now - a->fetched) / 1000000 : 0);
    ts_jsonw_key(w, "cached");
    ts_jsonw_bool(w, a->cached);
    ts_jsonw_key(w, "verified");
    ts_jsonw_bool(w, a->verified);
    if (a->team_state) {
        ts_jsonw_key(w, "team_state");
        ts_jsonw_cstr(w, ts_team_state_name(a->team_state));
    }
    ts_jsonw_key(w, "trail");
    ts_jsonw_cstr(w, a->trail);
    ts_jsonw_object_end(w);
}
