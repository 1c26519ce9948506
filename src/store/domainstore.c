/* SPDX-License-Identifier: Apache-2.0 */
/* The domain store: argument checks and the rules of domainstore.h, run
 * inside one backend operation so that a decision reads the case, checks
 * the rule and writes the result without another writer in between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/name.h"
#include "store/domainstore_int.h"

#define DOMAIN_OPS(st)                                                                             \
    do {                                                                                           \
        if ((st) == NULL)                                                                          \
            return TS_EINVAL;                                                                      \
        if ((st)->ops->domain == NULL)                                                             \
            return TS_ENOTSUP;                                                                     \
    } while (0)

#define DAY_US (86400LL * 1000000LL)

static const char *const reasons[] = {"phishing", "malware", "botnet-cc", "spam", "fraud", "other"};
static const char *const finals[] = {"reactivated", "cancelled", "closed"};

static bool in_list(const char *s, const char *const *l, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, l[i]) == 0)
            return true;
    return false;
}

bool ts_domain_reason_ok(const char *r)
{
    return in_list(r, reasons, sizeof reasons / sizeof reasons[0]);
}

bool ts_domain_state_final(const char *state)
{
    return in_list(state, finals, sizeof finals / sizeof finals[0]);
}

static bool text_ok(const char *s)
{
    return s != NULL && strlen(s) <= TS_DOMAIN_TEXT_MAX;
}

/* ---- Zones and settings ------------------------------------------------- */

static bool zone_ok(const char *zone)
{
    char norm[TS_DOMAIN_NAME_MAX + 1];
    return zone && ts_domain_name_norm(zone, norm, sizeof norm, NULL) == 0 &&
           strcmp(norm, zone) == 0;
}

int ts_store_domain_zone_add(ts_store_t *st, const char *zone, int64_t now)
{
    DOMAIN_OPS(st);
    if (!zone_ok(zone))
        return TS_EINVAL;
    return st->ops->domain->zone_add(st, zone, now);
}

int ts_store_domain_zone_remove(ts_store_t *st, const char *zone)
{
    DOMAIN_OPS(st);
    if (zone == NULL)
        return TS_EINVAL;
    return st->ops->domain->zone_remove(st, zone);
}

int ts_store_domain_zones_foreach(ts_store_t *st, ts_domain_zone_cb cb, void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->zones_foreach(st, cb, ctx);
}

struct zone_of {
    const char *domain;
    char *zone;
    size_t size, best;
};

static int on_zone_of(const char *zone, void *ctx)
{
    struct zone_of *z = ctx;
    size_t n = strlen(zone);
    if (ts_domain_name_under(z->domain, zone) && n > z->best && n < z->size) {
        memcpy(z->zone, zone, n + 1);
        z->best = n;
    }
    return 0;
}

int ts_store_domain_zone_of(ts_store_t *st, const char *domain, char *zone, size_t size)
{
    DOMAIN_OPS(st);
    if (domain == NULL || zone == NULL || size == 0)
        return TS_EINVAL;
    struct zone_of z = {.domain = domain, .zone = zone, .size = size};
    int r = st->ops->domain->zones_foreach(st, on_zone_of, &z);
    if (r == 0 && z.best == 0)
        r = TS_ENOENT;
    return r;
}

static int setting(ts_store_t *st, const char *key, int64_t dflt, int64_t *v)
{
    int r = st->ops->domain->setting_get(st, key, v);
    if (r == TS_ENOENT) {
        *v = dflt;
        r = 0;
    }
    return r;
}

int ts_store_domain_settings(ts_store_t *st, int *max_days, int64_t *serial)
{
    DOMAIN_OPS(st);
    if (max_days == NULL || serial == NULL)
        return TS_EINVAL;
    int64_t d = 0;
    int r = setting(st, TS_DOMAIN_KEY_MAX_DAYS, TS_DOMAIN_MAX_DAYS_DEFAULT, &d);
    if (r == 0)
        r = setting(st, TS_DOMAIN_KEY_SERIAL, 0, serial);
    *max_days = (int)d;
    return r;
}

int ts_store_domain_set_max_days(ts_store_t *st, int days)
{
    DOMAIN_OPS(st);
    if (days < 1 || days > TS_DOMAIN_MAX_DAYS_LIMIT)
        return TS_EINVAL;
    return st->ops->domain->setting_set(st, TS_DOMAIN_KEY_MAX_DAYS, days);
}

int ts_store_domain_list_past(ts_store_t *st, bool *on)
{
    DOMAIN_OPS(st);
    if (on == NULL)
        return TS_EINVAL;
    int64_t v = 0;
    int r = setting(st, TS_DOMAIN_KEY_LIST_PAST, 0, &v);
    *on = r == 0 && v != 0;
    return r;
}

int ts_store_domain_set_list_past(ts_store_t *st, bool on)
{
    DOMAIN_OPS(st);
    return st->ops->domain->setting_set(st, TS_DOMAIN_KEY_LIST_PAST, on ? 1 : 0);
}

/* The next RPZ serial: one more than the last. */
static int bump_serial(ts_store_t *st)
{
    int64_t s = 0;
    int r = setting(st, TS_DOMAIN_KEY_SERIAL, 0, &s);
    if (r != 0)
        return r;
    /* RFC 1982 arithmetic wraps at 2^32; a serial that reached the top
     * starts again at 1, which secondaries take as an increase. */
    s = s >= 4294967295LL ? 1 : s + 1;
    return st->ops->domain->setting_set(st, TS_DOMAIN_KEY_SERIAL, s);
}

/* ---- Evidence ------------------------------------------------------------ */

static bool hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool url_ok(const char *s)
{
    size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    if (skip == 0 || s[skip] == '\0' || s[skip] == '/')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

/* Checks one piece of evidence and dates it: an event's date is the
 * event's own time (so that "new evidence" means the abuse was seen again). */
static int evidence_check(ts_store_t *st, const ts_domain_evidence_t *e, int64_t now,
                          int64_t *dated, const char **why)
{
    if (e->kind == NULL || !text_ok(e->value) || e->value[0] == '\0') {
        *why = "evidence must be a URL, a file or an event";
        return TS_EINVAL;
    }
    *dated = e->dated > 0 && e->dated <= now ? e->dated : now;
    if (strcmp(e->kind, "url") == 0) {
        if (!url_ok(e->value)) {
            *why = "evidence URL must be http:// or https:// with a host and no spaces";
            return TS_EINVAL;
        }
        return 0;
    }
    if (strcmp(e->kind, "file") == 0) {
        if (!hex64(e->sha256)) {
            *why = "evidence file needs its SHA-256 (64 lower-case hex digits)";
            return TS_EINVAL;
        }
        return 0;
    }
    if (strcmp(e->kind, "event") == 0) {
        if (e->event_id <= 0) {
            *why = "evidence event id must be a positive number";
            return TS_EINVAL;
        }
        int64_t t = 0;
        int r = st->ops->domain->event_time(st, e->event_id, &t);
        if (r == TS_ENOENT) {
            *why = "evidence event does not exist in the store";
            return TS_ECONFLICT;
        }
        if (r != 0)
            return r;
        *dated = t > 0 && t <= now ? t : now;
        return 0;
    }
    *why = "evidence must be a URL, a file or an event";
    return TS_EINVAL;
}

/* Writes evidence items for case_id; *newest (may be NULL) gets the latest date. */
static int evidence_write(ts_store_t *st, int64_t case_id, const char *who,
                          const ts_domain_evidence_t *ev, size_t n, int64_t now, int64_t *newest,
                          const char **why)
{
    for (size_t i = 0; i < n; i++) {
        int64_t dated = 0;
        int r = evidence_check(st, &ev[i], now, &dated, why);
        if (r != 0)
            return r;
        ts_domain_evidence_t e = ev[i];
        e.case_id = case_id;
        e.dated = dated;
        e.added = now;
        e.who = who;
        if (e.sha256 == NULL)
            e.sha256 = "";
        r = st->ops->domain->evidence_add(st, &e);
        if (r != 0)
            return r;
        if (newest && dated > *newest)
            *newest = dated;
    }
    return 0;
}

/* ---- Cases ------------------------------------------------------------------- */

int ts_domain_case_copy(const ts_domain_case_t *c, void *ctx)
{
    ts_domain_case_buf_t *k = ctx;
    k->c = *c;
    snprintf(k->domain, sizeof k->domain, "%s", c->domain);
    snprintf(k->reason, sizeof k->reason, "%s", c->reason);
    snprintf(k->state, sizeof k->state, "%s", c->state);
    snprintf(k->by, sizeof k->by, "%s", c->opened_by);
    snprintf(k->holder, sizeof k->holder, "%s", c->holder ? c->holder : "");
    snprintf(k->registrar, sizeof k->registrar, "%s", c->registrar ? c->registrar : "");
    snprintf(k->reporter, sizeof k->reporter, "%s", c->reporter ? c->reporter : "");
    snprintf(k->lang, sizeof k->lang, "%s", c->lang ? c->lang : "en");
    k->c.domain = k->domain;
    k->c.reason = k->reason;
    k->c.state = k->state;
    k->c.opened_by = k->by;
    k->c.holder = k->holder;
    k->c.registrar = k->registrar;
    k->c.reporter = k->reporter;
    k->c.lang = k->lang;
    return 0;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

int ts_store_domain_case_open(ts_store_t *st, const char *domain, const char *reason,
                              const char *who, const ts_domain_case_t *contacts,
                              const ts_domain_evidence_t *ev, size_t n_ev, int64_t now, int64_t *id,
                              bool *joined, const char **why)
{
    static const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = "";
    DOMAIN_OPS(st);
    if (id == NULL || joined == NULL || !text_ok(who) || who[0] == '\0') {
        *why = "who opened the case is required";
        return TS_EINVAL;
    }
    *joined = false;
    char norm[TS_DOMAIN_NAME_MAX + 1];
    if (domain == NULL || ts_domain_name_norm(domain, norm, sizeof norm, why) != 0 ||
        strcmp(norm, domain) != 0) {
        if (**why == '\0')
            *why = "the domain is not in normalised form (lower case A-labels, no trailing dot)";
        return TS_EINVAL;
    }
    if (!ts_domain_reason_ok(reason)) {
        *why = "the reason must be one of phishing, malware, botnet-cc, spam, fraud, other";
        return TS_EINVAL;
    }
    if (ev == NULL || n_ev == 0 || n_ev > TS_DOMAIN_EVIDENCE_MAX) {
        *why = "a case needs evidence (1 to 16 items: URL, file or event)";
        return TS_EINVAL;
    }
    const char *holder = contacts ? nz(contacts->holder) : "";
    const char *registrar = contacts ? nz(contacts->registrar) : "";
    const char *reporter = contacts ? nz(contacts->reporter) : "";
    if (!text_ok(holder) || !text_ok(registrar) || !text_ok(reporter)) {
        *why = "a contact address is too long";
        return TS_EINVAL;
    }
    bool own = false;
    int r = st->ops->domain->op_begin(st, &own);
    if (r != 0)
        return r;
    /* In the transaction, so that a zone another writer drops lets no case in. */
    char zone[TS_DOMAIN_NAME_MAX + 1];
    r = ts_store_domain_zone_of(st, domain, zone, sizeof zone);
    if (r == TS_ENOENT) {
        *why = "the domain is not under a zone the CSIRT claims (tocsin domain zone add)";
        r = TS_ECONFLICT;
    }
    if (r == 0)
        r = st->ops->domain->case_find_open(st, domain, id);
    const char *action = "evidence";
    if (r == 0) {
        *joined = true;
    } else if (r == TS_ENOENT) {
        action = "open";
        ts_domain_case_t c = {
            .domain = domain,
            .reason = reason,
            .state = "reported",
            .opened = now,
            .updated = now,
            .last_decision = now,
            .opened_by = who,
            .holder = holder,
            .registrar = registrar,
            .reporter = reporter,
            .lang = contacts && contacts->lang && strcmp(contacts->lang, "de") == 0 ? "de" : "en"};
        r = st->ops->domain->case_add(st, &c, id);
    }
    if (r == 0)
        r = evidence_write(st, *id, who, ev, n_ev, now, NULL, why);
    if (r == 0) {
        ts_domain_decision_t d = {.case_id = *id,
                                  .at = now,
                                  .action = action,
                                  .who = who,
                                  .why = *joined ? "evidence joined" : reason,
                                  .from_state = "",
                                  .to_state = *joined ? "" : "reported"};
        r = st->ops->domain->decision_add(st, &d);
    }
    return st->ops->domain->op_end(st, own, r);
}

/* The rule table: which states an action leaves from, and where it goes
 * ("" = stays). */
struct rule {
    const char *action;
    const char *from[4];
    const char *to;
};

static const struct rule rules[] = {
    {"evidence", {"reported", "review", "notified", "deactivated"}, ""},
    {"review", {"reported"}, "review"},
    {"notify", {"reported", "review"}, "notified"},
    {"deactivate", {"reported", "review", "notified"}, "deactivated"},
    {"extend", {"deactivated"}, ""},
    {"reactivate", {"deactivated"}, "reactivated"},
    {"cancel", {"reported", "review", "notified", "deactivated"}, "cancelled"},
    {"close", {"reported", "review", "notified"}, "closed"},
};

static const struct rule *rule_of(const char *action)
{
    for (size_t i = 0; action && i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].action, action) == 0)
            return &rules[i];
    return NULL;
}

static bool rule_allows(const struct rule *ru, const char *state)
{
    for (size_t i = 0; i < 4 && ru->from[i]; i++)
        if (strcmp(ru->from[i], state) == 0)
            return true;
    return false;
}

static const char *refusal(const char *action)
{
    if (strcmp(action, "review") == 0)
        return "only a reported case can be put under review";
    if (strcmp(action, "notify") == 0)
        return "only a reported or reviewed case can have its holder notified";
    if (strcmp(action, "deactivate") == 0)
        return "only an open case that is not deactivated can be deactivated";
    if (strcmp(action, "extend") == 0 || strcmp(action, "reactivate") == 0)
        return "only a deactivated case can be extended or reactivated";
    if (strcmp(action, "close") == 0)
        return "a deactivated or ended case cannot be closed without action";
    return "the case has ended (reactivated, cancelled or closed)";
}

/* Checks and applies req to c (read under lock). */
static int decide_locked(ts_store_t *st, ts_domain_case_buf_t *k, const ts_domain_request_t *req,
                         const struct rule *ru, int64_t now, const char **why)
{
    ts_domain_case_t *c = &k->c;
    if (!rule_allows(ru, c->state)) {
        *why = refusal(req->action);
        return TS_ECONFLICT;
    }
    int64_t max_days = 0, d_from = 0, d_until = 0;
    int r = setting(st, TS_DOMAIN_KEY_MAX_DAYS, TS_DOMAIN_MAX_DAYS_DEFAULT, &max_days);
    if (r != 0)
        return r;
    bool period = strcmp(req->action, "deactivate") == 0 || strcmp(req->action, "extend") == 0;
    if (period) {
        if (req->days < 1) {
            *why = "a deactivation or extension lasts at least one day";
            return TS_EINVAL;
        }
        if (req->days > max_days) {
            *why = "a deactivation or extension lasts at most the policy's max_days";
            return TS_ECONFLICT;
        }
    }
    if (strcmp(req->action, "evidence") == 0 && req->n_evidence == 0) {
        *why = "no evidence given";
        return TS_EINVAL;
    }
    int64_t newest = 0;
    r = evidence_write(st, c->id, req->who, req->evidence, req->n_evidence, now, &newest, why);
    if (r != 0)
        return r;
    if (strcmp(req->action, "extend") == 0 && newest <= c->last_decision) {
        *why = "an extension needs new evidence dated after the last decision";
        return TS_ECONFLICT;
    }
    const char *from = c->state;
    char from_buf[32];
    snprintf(from_buf, sizeof from_buf, "%s", from);
    if (strcmp(req->action, "deactivate") == 0) {
        d_from = now;
        d_until = now + (int64_t)req->days * DAY_US;
        c->since = d_from;
        c->until = d_until;
        c->extensions = 0;
        c->reminded = 0;
    } else if (strcmp(req->action, "extend") == 0) {
        d_from = c->until > now ? c->until : now;
        d_until = d_from + (int64_t)req->days * DAY_US;
        c->until = d_until;
        c->extensions++;
    } else if (strcmp(req->action, "reactivate") == 0 || strcmp(req->action, "cancel") == 0) {
        if (strcmp(from_buf, "deactivated") == 0 && c->until > now)
            c->until = now;
    }
    if (ru->to[0] != '\0')
        c->state = ru->to;
    c->updated = now;
    if (strcmp(req->action, "evidence") != 0)
        c->last_decision = now;
    r = st->ops->domain->case_update(st, c);
    if (r != 0)
        return r;
    ts_domain_decision_t d = {.case_id = c->id,
                              .at = now,
                              .action = req->action,
                              .who = req->who,
                              .why = req->why ? req->why : "",
                              .from_state = from_buf,
                              .to_state = c->state,
                              .valid_from = d_from,
                              .valid_until = d_until};
    r = st->ops->domain->decision_add(st, &d);
    bool listed = period || (strcmp(from_buf, "deactivated") == 0 && strcmp(c->state, from_buf));
    if (r == 0 && listed)
        r = bump_serial(st);
    return r;
}

int ts_store_domain_decide(ts_store_t *st, const ts_domain_request_t *req, int64_t now,
                           const char **why)
{
    static const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = "";
    DOMAIN_OPS(st);
    const struct rule *ru = req ? rule_of(req->action) : NULL;
    if (ru == NULL) {
        *why = "unknown action";
        return TS_EINVAL;
    }
    if (!text_ok(req->who) || req->who[0] == '\0' || (req->why && !text_ok(req->why)) ||
        req->n_evidence > TS_DOMAIN_EVIDENCE_MAX || (req->n_evidence && req->evidence == NULL)) {
        *why = "who is required; why and evidence are bounded";
        return TS_EINVAL;
    }
    bool own = false;
    int r = st->ops->domain->op_begin(st, &own);
    if (r != 0)
        return r;
    ts_domain_case_buf_t k;
    memset(&k, 0, sizeof k);
    r = st->ops->domain->case_get(st, req->case_id, true, ts_domain_case_copy, &k);
    if (r == 0)
        r = decide_locked(st, &k, req, ru, now, why);
    return st->ops->domain->op_end(st, own, r);
}

/* ---- Expiry ------------------------------------------------------------------ */

struct ids {
    int64_t *v;
    size_t n, cap;
};

static int on_case_id(const ts_domain_case_t *c, void *ctx)
{
    struct ids *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        int64_t *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return TS_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = c->id;
    return 0;
}

int ts_store_domain_expire(ts_store_t *st, int64_t now, int64_t remind_us, ts_domain_case_cb cb,
                           ts_domain_case_cb remind_cb, void *ctx)
{
    DOMAIN_OPS(st);
    if (remind_us < 0)
        return TS_EINVAL;
    struct ids due = {0};
    int r = st->ops->domain->cases_ending(st, now, false, on_case_id, &due);
    for (size_t i = 0; r == 0 && i < due.n; i++) {
        const char *why = "";
        ts_domain_request_t req = {.case_id = due.v[i],
                                   .action = "reactivate",
                                   .who = "expiry",
                                   .why = "the deactivation period ended"};
        r = ts_store_domain_decide(st, &req, now, &why);
        if (r == TS_ECONFLICT) /* decided meanwhile by someone else */
            r = 0;
        else if (r == 0 && cb) {
            ts_domain_case_buf_t k;
            memset(&k, 0, sizeof k);
            r = st->ops->domain->case_get(st, due.v[i], false, ts_domain_case_copy, &k);
            if (r == 0)
                r = cb(&k.c, ctx);
        }
    }
    due.n = 0;
    if (r == 0 && remind_us > 0)
        r = st->ops->domain->cases_ending(st, now + remind_us, true, on_case_id, &due);
    for (size_t i = 0; r == 0 && i < due.n; i++) {
        bool own = false;
        r = st->ops->domain->op_begin(st, &own);
        if (r != 0)
            break;
        ts_domain_case_buf_t k;
        memset(&k, 0, sizeof k);
        r = st->ops->domain->case_get(st, due.v[i], true, ts_domain_case_copy, &k);
        bool fire = r == 0 && strcmp(k.c.state, "deactivated") == 0 && k.c.reminded != k.c.until;
        if (fire) {
            k.c.reminded = k.c.until;
            r = st->ops->domain->case_update(st, &k.c);
        }
        r = st->ops->domain->op_end(st, own, r);
        if (r == 0 && fire && remind_cb)
            r = remind_cb(&k.c, ctx);
    }
    free(due.v);
    return r;
}

/* ---- Reads --------------------------------------------------------------------- */

int ts_store_domain_case_get(ts_store_t *st, int64_t id, ts_domain_case_cb cb, void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->case_get(st, id, false, cb, ctx);
}

int ts_store_domain_cases_foreach(ts_store_t *st, const char *state, size_t limit,
                                  ts_domain_case_cb cb, void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->cases_foreach(st, state, limit, cb, ctx);
}

int ts_store_domain_cases_count(ts_store_t *st, uint64_t *total, uint64_t *past)
{
    DOMAIN_OPS(st);
    if (total == NULL || past == NULL)
        return TS_EINVAL;
    return st->ops->domain->cases_count(st, total, past);
}

int ts_store_domain_evidence_foreach(ts_store_t *st, int64_t case_id, ts_domain_evidence_cb cb,
                                     void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->evidence_foreach(st, case_id, cb, ctx);
}

int ts_store_domain_decisions_foreach(ts_store_t *st, int64_t case_id, ts_domain_decision_cb cb,
                                      void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->decisions_foreach(st, case_id, cb, ctx);
}

int ts_store_domain_candidates(ts_store_t *st, size_t limit, ts_domain_candidate_cb cb, void *ctx)
{
    DOMAIN_OPS(st);
    if (cb == NULL)
        return TS_EINVAL;
    return st->ops->domain->candidates(st, limit, cb, ctx);
}
