/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/job.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/import.h"
#include "advisory/match.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "route/loader.h"
#include "scan/portspec.h"
#include "scan/probe.h"
#include "scan/udp.h"
#include "store/advstore.h"

#define DAY_US (86400LL * 1000000)
#define PROGRESS_STORE_US 1000000

/* ---- Request ------------------------------------------------------------------------ */

static void join_targets(const char *const *t, size_t n, ts_buf_t *b)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            ts_buf_putc(b, ' ');
        ts_buf_puts(b, t[i]);
    }
}

/* Each refused target with its reason; the target is not repeated when the
 * reason starts with it (a single address). */
static void refusals(const ts_scope_t *scope, ts_buf_t *b)
{
    for (size_t i = 0; i < scope->n_refused; i++) {
        const ts_scope_refusal_t *f = &scope->refused[i];
        size_t n = strlen(f->target);
        bool same = strncmp(f->reason, f->target, n) == 0 && f->reason[n] == ' ';
        ts_buf_printf(b, "%s%s%s%s", i ? "; " : "", same ? "" : f->target, same ? "" : ": ",
                      f->reason);
    }
}

static int store_refused(ts_store_t *st, const ts_scan_request_t *rq, const char *targets,
                         const char *why, int64_t *id)
{
    ts_log_field_t f[] = {
        {"requested_by", rq->requested_by}, {"targets", targets}, {"reason", why}};
    ts_log_fields(TS_LOG_WARN, "scan refused", f, 3);
    ts_scan_rec_t rec = {.site_id = rq->site_id,
                         .requested_by = rq->requested_by,
                         .targets = targets,
                         .ports = rq->ports,
                         .udp = rq->udp,
                         .every_s = rq->every_s,
                         .state = "refused",
                         .reason = why};
    int r = ts_store_scan_add(st, &rec, id);
    if (r == 0)
        r = ts_store_scan_state(st, *id, "refused", why, NULL, 0);
    return r;
}

int ts_scan_submit(ts_store_t *st, ts_constituency_t *c, const ts_scan_settings_t *settings,
                   const ts_scan_request_t *rq, const char *state, int64_t *id, char *err,
                   size_t errsize)
{
    *id = 0;
    ts_portset_t ps;
    char e[TS_SCAN_ERR_MAX] = "";
    int r = ts_portset_parse(rq->ports, &ps, e, sizeof e);
    if (r) {
        ts_seterr(err, errsize, "ports: %s", e);
        return TS_EINVAL;
    }
    ts_portset_free(&ps);
    if (rq->every_s < 0 || (rq->every_s > 0 && rq->every_s < 3600)) {
        ts_seterr(err, errsize, "a schedule repeats at most once an hour");
        return TS_EINVAL;
    }
    ts_buf_t targets = TS_BUF_INIT;
    join_targets(rq->targets, rq->n_targets, &targets);
    ts_scope_t scope;
    r = ts_scope_check(c, settings, rq->site_id, rq->csirt, rq->targets, rq->n_targets, &scope, e,
                       sizeof e);
    ts_buf_t why = TS_BUF_INIT;
    if (r == TS_EDENIED) {
        refusals(&scope, &why);
    } else if (r == TS_ETOOBIG) {
        ts_buf_puts(&why, e);
    } else if (r) {
        ts_seterr(err, errsize, "%s", e);
        goto out;
    } else if (scope.n_addrs == 0) {
        ts_buf_puts(&why, "every address is on the opt-out list");
        r = TS_EDENIED;
    } else if (!rq->csirt) {
        const char *name = ts_constituency_site_name(c, rq->site_id);
        ts_scan_limits_t lim = ts_scan_settings_limits(settings, name);
        uint64_t active = 0, used = 0;
        r = ts_store_scan_usage(st, rq->site_id, ts_time_now() - DAY_US, &active, &used);
        if (r) {
            ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
            goto out;
        }
        if (active >= lim.concurrent) {
            ts_buf_printf(&why, "the site has %" PRIu64 " scan(s) queued or running (%u at most)",
                          active, lim.concurrent);
            r = TS_EBUSY;
        } else if (used + scope.n_addrs > lim.addresses_per_day) {
            ts_buf_printf(&why,
                          "%zu more addresses would exceed the site's %" PRIu64
                          " per 24 hours (%" PRIu64 " used)",
                          scope.n_addrs, lim.addresses_per_day, used);
            r = TS_EBUSY;
        }
    }
    if (why.len) {
        int sr = store_refused(st, rq, targets.data, why.data, id);
        ts_seterr(err, errsize, "%s", why.data);
        if (sr)
            r = sr;
        goto out;
    }
    ts_scan_rec_t rec = {.site_id = rq->site_id,
                         .requested_by = rq->requested_by,
                         .targets = targets.data,
                         .ports = rq->ports,
                         .udp = rq->udp,
                         .every_s = rq->every_s,
                         .state = state,
                         .n_addresses = scope.n_addrs};
    r = ts_store_scan_add(st, &rec, id);
    if (r == 0 && strcmp(state, "running") == 0)
        r = ts_store_scan_state(st, *id, "running", "", NULL, scope.n_addrs);
    if (r)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
out:
    ts_scope_free(&scope);
    ts_buf_free(&targets);
    ts_buf_free(&why);
    return r;
}

/* ---- Execution ----------------------------------------------------------------------- */

struct found {
    uint32_t host;
    uint16_t port;
    bool udp;
    uint32_t rtt_us;
    ts_service_t svc;
};

struct ex {
    ts_store_t *st;
    ts_constituency_t *c;
    int64_t id;
    const ts_scan_exec_opts_t *o;
    atomic_bool *cancel;
    const ts_ip_t *hosts;
    struct found *f;
    size_t n_f, cap_f;
    bool udp_phase;    /* results of the UDP engine */
    double base, span; /* of the current phase in the whole */
    int64_t last_store_us;
    int64_t now;
    int64_t prev_scan; /* 0 none */
    char ip_text[TS_IP_STRLEN];
};

static struct found *found_add(struct ex *x)
{
    if (x->n_f == x->cap_f) {
        x->cap_f = x->cap_f ? x->cap_f * 2 : 64;
        x->f = ts_xrealloc(x->f, x->cap_f * sizeof *x->f);
    }
    struct found *f = &x->f[x->n_f++];
    memset(f, 0, sizeof *f);
    return f;
}

static void progress(struct ex *x, const char *phase, double within, int64_t eta_s, uint64_t open,
                     bool force)
{
    ts_scan_progress_t p = {
        .phase = phase, .fraction = x->base + x->span * within, .eta_s = eta_s, .open = open};
    if (p.fraction > 1)
        p.fraction = 1;
    if (x->o->progress)
        x->o->progress(x->o->ctx, &p);
    int64_t now = ts_time_now();
    if (!force && now - x->last_store_us < PROGRESS_STORE_US)
        return;
    x->last_store_us = now;
    bool cancel = false;
    if (ts_store_scan_progress(x->st, x->id, p.fraction, eta_s, open, &cancel) == 0 && cancel)
        atomic_store(x->cancel, true);
}

static void on_result(void *ctx, size_t host, uint16_t port, ts_port_state_t state, uint32_t rtt_us,
                      const uint8_t *data, size_t len)
{
    struct ex *x = ctx;
    if (state != TS_PORT_OPEN)
        return;
    struct found *f = found_add(x);
    f->host = (uint32_t)host;
    f->port = port;
    f->udp = x->udp_phase;
    f->rtt_us = rtt_us;
    if (f->udp)
        ts_svc_recognise_udp(port, data, len, &f->svc);
}

static void on_eng_progress(void *ctx, const ts_eng_progress_t *p)
{
    struct ex *x = ctx;
    double within = p->total ? (double)p->done / (double)p->total : 1;
    progress(x, x->udp_phase ? "udp" : "tcp", within, p->eta_us < 0 ? -1 : p->eta_us / 1000000,
             x->n_f, false);
}

static void on_probe_progress(void *ctx, size_t done, size_t n)
{
    struct ex *x = ctx;
    progress(x, "probe", n ? (double)done / (double)n : 1, -1, x->n_f, done == n);
}

/* A JSON string value in its own buffer (extra.* values are JSON text). */
static void json_str(ts_buf_t *b, const char *s)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, b);
    ts_jsonw_cstr(&w, s);
}

/* One finding: stored with the event it becomes. */
static int finding(struct ex *x, const ts_ip_t *ip, const struct found *f, const char *kind,
                   const char *ident, const char *type_name, const char *detail)
{
    ts_event_t e;
    ts_event_init(&e);
    e.time_source = e.time_observation = x->now;
    if (ts_type_lookup(type_name, strlen(type_name), &e.type) != 0)
        return TS_EINVAL;
    e.identifier = ts_str_c(ident);
    e.description = ts_str_c(detail);
    e.src.ip = *ip;
    e.src.port = f->port;
    e.transport = ts_str_c(f->udp ? "udp" : "tcp");
    if (f->svc.service[0])
        e.application = ts_str_c(f->svc.service);
    e.feed_name = TS_STR_LIT("tocsin-scan");
    e.feed_provider = TS_STR_LIT("tocsin");
    ts_buf_t v[4] = {TS_BUF_INIT, TS_BUF_INIT, TS_BUF_INIT, TS_BUF_INIT};
    ts_buf_printf(&v[0], "%" PRId64, x->id);
    json_str(&v[1], kind);
    const char *keys[4] = {"scan_id", "finding", "product", "version"};
    size_t n = 2;
    if (f->svc.product[0]) {
        json_str(&v[2], f->svc.product);
        n = 3;
        if (f->svc.version[0]) {
            json_str(&v[3], f->svc.version);
            n = 4;
        }
    }
    for (size_t i = 0; i < n; i++)
        e.extra[e.n_extra++] = (ts_extra_t){ts_str_c(keys[i]), ts_str(v[i].data, v[i].len)};
    /* A finding names one host: one link, so a small arena per finding. */
    ts_arena_t *route_arena = ts_arena_new(1 << 10);
    ts_link_t *links = NULL;
    int nl = ts_constituency_route(x->c, &e, route_arena, &links);
    int64_t event_id = 0;
    int r = ts_store_event_add(x->st, &e, links, nl, 0, 0, &event_id);
    ts_arena_free(route_arena);
    for (size_t i = 0; i < 4; i++)
        ts_buf_free(&v[i]);
    if (r)
        return r;
    ts_ip_format(ip, x->ip_text, sizeof x->ip_text);
    ts_scan_finding_rec_t rec = {.scan_id = x->id,
                                 .ip = x->ip_text,
                                 .port = f->port,
                                 .transport = f->udp ? "udp" : "tcp",
                                 .kind = kind,
                                 .identifier = ident,
                                 .type = type_name,
                                 .detail = detail,
                                 .event_id = event_id};
    return ts_store_scan_finding_add(x->st, &rec, NULL);
}

static void tls_json(const ts_tls_info_t *t, ts_buf_t *b)
{
    if (!t->present)
        return;
    ts_jsonw_t w;
    ts_jsonw_init(&w, b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "subject");
    ts_jsonw_cstr(&w, t->subject);
    ts_jsonw_key(&w, "issuer");
    ts_jsonw_cstr(&w, t->issuer);
    ts_jsonw_key(&w, "sans");
    ts_jsonw_cstr(&w, t->sans);
    char tm[48];
    ts_jsonw_key(&w, "not_before");
    ts_time_format_utc(t->not_before, tm, sizeof tm);
    ts_jsonw_cstr(&w, tm);
    ts_jsonw_key(&w, "not_after");
    ts_time_format_utc(t->not_after, tm, sizeof tm);
    ts_jsonw_cstr(&w, tm);
    ts_jsonw_key(&w, "self_signed");
    ts_jsonw_bool(&w, t->self_signed);
    ts_jsonw_key(&w, "negotiated");
    ts_jsonw_cstr(&w, t->negotiated);
    static const char *const names[] = {"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"};
    const char *keys[2] = {"versions", "tested"};
    uint8_t bits[2] = {t->versions, t->tested};
    for (int k = 0; k < 2; k++) {
        ts_jsonw_key(&w, keys[k]);
        ts_jsonw_array_begin(&w);
        for (int i = 0; i < 4; i++)
            if (bits[k] & (1 << i))
                ts_jsonw_cstr(&w, names[i]);
        ts_jsonw_array_end(&w);
    }
    ts_jsonw_object_end(&w);
}

struct adv_ctx {
    struct ex *x;
    const struct found *f;
    int r;
};

static int on_adv_rec(const ts_adv_rec_t *a, void *vctx)
{
    char **id = vctx;
    *id = ts_xstrdup(a->id);
    return 0;
}

static int on_spec_match(const ts_adv_spec_match_t *m, void *vctx)
{
    struct adv_ctx *a = vctx;
    if (!ts_match_alerts((ts_pstatus_t)m->status, m->undecided))
        return 0;
    char *adv_id = NULL;
    int r = ts_store_adv_by_rowid(a->x->st, m->adv_rowid, on_adv_rec, &adv_id);
    if (r)
        return r;
    char detail[1024];
    snprintf(detail, sizeof detail, "%s %s may be affected (%s%s); evidence: from a banner",
             a->f->svc.product, a->f->svc.version, m->rule, m->undecided ? ", undecided" : "");
    r = finding(a->x, &a->x->hosts[a->f->host], a->f, "advisory", adv_id, "vulnerable-system",
                detail);
    free(adv_id);
    return r;
}

/* The findings of one service. */
static int service_findings(struct ex *x, const struct found *f)
{
    const ts_service_t *s = &f->svc;
    const ts_ip_t *ip = &x->hosts[f->host];
    bool amp;
    char detail[512];
    int r = 0;
    if (s->identifier[0] && ts_svc_exposed(s->identifier, &amp)) {
        snprintf(detail, sizeof detail, "%s is reachable on %u/%s%s", s->service, f->port,
                 f->udp ? "udp" : "tcp",
                 f->udp && s->amplifier ? ", answering with more than twice the probe's bytes"
                                        : "");
        r = finding(x, ip, f, "exposed", s->identifier,
                    f->udp && amp ? "ddos-amplifier" : "potentially-unwanted-accessible", detail);
    }
    if (r == 0 && s->product[0] && s->version[0]) {
        char spec[TS_SVC_PRODUCT_MAX + TS_SVC_VERSION_MAX + 2];
        snprintf(spec, sizeof spec, "%s:%s", s->product, s->version);
        struct adv_ctx a = {.x = x, .f = f};
        char e[256];
        int mr = ts_adv_match_spec(x->st, spec, on_spec_match, &a, e, sizeof e);
        if (mr < 0 && mr != TS_EINVAL && mr != TS_ESYNTAX && mr != TS_ETOOBIG)
            r = mr; /* a spec the matcher cannot read is no finding, a store error is */
    }
    const ts_tls_info_t *t = &s->tls;
    if (r == 0 && t->present) {
        char tm[48];
        if (t->not_after && t->not_after < x->now) {
            ts_time_format_utc(t->not_after, tm, sizeof tm);
            snprintf(detail, sizeof detail, "the certificate of %s expired on %s", t->subject, tm);
            r = finding(x, ip, f, "certificate", "ssl-expired-certificate", "weak-crypto", detail);
        } else if (t->not_before > x->now) {
            ts_time_format_utc(t->not_before, tm, sizeof tm);
            snprintf(detail, sizeof detail, "the certificate of %s is valid only from %s",
                     t->subject, tm);
            r = finding(x, ip, f, "certificate", "ssl-certificate-not-yet-valid", "weak-crypto",
                        detail);
        }
        if (r == 0 && t->self_signed) {
            snprintf(detail, sizeof detail, "the certificate of %s is self-signed", t->subject);
            r = finding(x, ip, f, "certificate", "ssl-self-signed-certificate", "weak-crypto",
                        detail);
        }
        if (r == 0 && (t->versions & (TS_TLS_1_0 | TS_TLS_1_1))) {
            snprintf(detail, sizeof detail, "the server accepts %s%s%s",
                     t->versions & TS_TLS_1_0 ? "TLS 1.0" : "",
                     (t->versions & TS_TLS_1_0) && (t->versions & TS_TLS_1_1) ? " and " : "",
                     t->versions & TS_TLS_1_1 ? "TLS 1.1" : "");
            r = finding(x, ip, f, "certificate", "ssl-weak-protocol", "weak-crypto", detail);
        }
    }
    return r;
}

/* ---- The difference to the previous scan ----------------------------------------------- */

struct prev_svc {
    char ip[TS_IP_STRLEN];
    int port;
    bool udp;
    char product[TS_SVC_PRODUCT_MAX];
    char version[TS_SVC_VERSION_MAX];
    bool seen;
};

struct prev_list {
    struct prev_svc *v;
    size_t n, cap;
};

static int on_prev(const ts_scan_svc_rec_t *r, void *ctx)
{
    struct prev_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct prev_svc *p = &l->v[l->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->ip, sizeof p->ip, "%s", r->ip);
    p->port = r->port;
    p->udp = strcmp(r->transport, "udp") == 0;
    snprintf(p->product, sizeof p->product, "%s", r->product);
    snprintf(p->version, sizeof p->version, "%s", r->version);
    return 0;
}

static const char change_type[] = "potentially-unwanted-accessible";

static int changes(struct ex *x)
{
    struct prev_list l = {0};
    int r = ts_store_scan_services_foreach(x->st, x->prev_scan, on_prev, &l);
    char detail[512], ip[TS_IP_STRLEN];
    for (size_t i = 0; r == 0 && i < x->n_f; i++) {
        const struct found *f = &x->f[i];
        ts_ip_format(&x->hosts[f->host], ip, sizeof ip);
        struct prev_svc *p = NULL;
        for (size_t k = 0; k < l.n && p == NULL; k++)
            if (l.v[k].port == f->port && l.v[k].udp == f->udp && strcmp(l.v[k].ip, ip) == 0)
                p = &l.v[k];
        const char *tr = f->udp ? "udp" : "tcp";
        if (p == NULL) {
            snprintf(detail, sizeof detail, "%u/%s is open; it was not in scan %" PRId64, f->port,
                     tr, x->prev_scan);
            r = finding(x, &x->hosts[f->host], f, "change", "new-open-port", change_type, detail);
            continue;
        }
        p->seen = true;
        if (strcmp(p->product, f->svc.product) != 0 || strcmp(p->version, f->svc.version) != 0) {
            snprintf(detail, sizeof detail, "%u/%s was %s %s in scan %" PRId64 ", now %s %s",
                     f->port, tr, p->product[0] ? p->product : "unknown", p->version, x->prev_scan,
                     f->svc.product[0] ? f->svc.product : "unknown", f->svc.version);
            r = finding(x, &x->hosts[f->host], f, "change", "changed-product", change_type, detail);
        }
    }
    /* A port no longer open is a change about its host, whether or not the
     * host still answers. */
    for (size_t k = 0; r == 0 && k < l.n; k++) {
        ts_ip_t a;
        if (l.v[k].seen || ts_ip_parse(l.v[k].ip, strlen(l.v[k].ip), &a) != 0)
            continue;
        struct found gone = {.port = (uint16_t)l.v[k].port, .udp = l.v[k].udp};
        snprintf(gone.svc.product, sizeof gone.svc.product, "%s", l.v[k].product);
        snprintf(gone.svc.version, sizeof gone.svc.version, "%s", l.v[k].version);
        snprintf(detail, sizeof detail, "%u/%s is no longer open; it was in scan %" PRId64,
                 gone.port, gone.udp ? "udp" : "tcp", x->prev_scan);
        r = finding(x, &a, &gone, "change", "port-no-longer-open", change_type, detail);
    }
    free(l.v);
    return r;
}

/* ---- The run ------------------------------------------------------------------------------ */

struct scan_copy {
    int64_t site_id, every_s, schedule_id, started;
    bool udp;
    char *targets, *ports, *requested_by;
};

static int on_scan(const ts_scan_rec_t *r, void *ctx)
{
    struct scan_copy *c = ctx;
    c->site_id = r->site_id;
    c->every_s = r->every_s;
    c->schedule_id = r->schedule_id;
    c->started = r->started;
    c->udp = r->udp;
    c->targets = ts_xstrdup(r->targets);
    c->ports = ts_xstrdup(r->ports);
    c->requested_by = ts_xstrdup(r->requested_by);
    return 0;
}

/* Splits the stored targets (space-separated) in place. */
static size_t split(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *t = strtok(s, " "); t && n < max; t = strtok(NULL, " "))
        out[n++] = t;
    return n;
}

static int store_results(struct ex *x)
{
    int r = ts_store_begin(x->st);
    if (r)
        return r;
    ts_buf_t tls = TS_BUF_INIT;
    for (size_t i = 0; r == 0 && i < x->n_f; i++) {
        const struct found *f = &x->f[i];
        const ts_service_t *s = &f->svc;
        char ip[TS_IP_STRLEN];
        ts_ip_format(&x->hosts[f->host], ip, sizeof ip);
        ts_buf_reset(&tls);
        tls_json(&s->tls, &tls);
        ts_scan_svc_rec_t rec = {.scan_id = x->id,
                                 .ip = ip,
                                 .port = f->port,
                                 .transport = f->udp ? "udp" : "tcp",
                                 .service = s->service,
                                 .product = s->product,
                                 .version = s->version,
                                 .info = s->info,
                                 .identifier = s->identifier,
                                 .title = s->title,
                                 .banner = s->banner,
                                 .tls_json = tls.len ? tls.data : "",
                                 .rtt_us = f->rtt_us};
        r = ts_store_scan_service_add(x->st, &rec);
        if (r == 0)
            r = service_findings(x, f);
    }
    ts_buf_free(&tls);
    if (r == 0 && x->prev_scan)
        r = changes(x);
    if (r == 0)
        r = ts_store_commit(x->st);
    else
        ts_store_rollback(x->st);
    return r;
}

/* The next run of a schedule, queued when this one ends. */
static int queue_next(ts_store_t *st, int64_t id, const struct scan_copy *c)
{
    ts_scan_rec_t next = {.site_id = c->site_id,
                          .requested_by = "schedule",
                          .targets = c->targets,
                          .ports = c->ports,
                          .udp = c->udp,
                          .every_s = c->every_s,
                          .state = "queued",
                          .not_before = c->started + c->every_s * 1000000,
                          .schedule_id = c->schedule_id ? c->schedule_id : id};
    int64_t nid;
    return ts_store_scan_add(st, &next, &nid);
}

static int discover(struct ex *x, const ts_scope_t *scope, const ts_portset_t *ps,
                    const struct scan_copy *sc, const ts_scan_settings_t *settings,
                    ts_eng_mode_t mode, char *err, size_t errsize)
{
    const ts_scan_exec_opts_t *o = x->o;
    ts_eng_opts_t eo;
    ts_eng_opts_init(&eo);
    eo.mode = mode;
    eo.rate = o->rate ? o->rate : ts_scan_settings_rate(settings);
    eo.host_rate = o->host_rate ? o->host_rate : ts_scan_settings_host_rate(settings);
    if (o->max_inflight)
        eo.max_inflight = o->max_inflight;
    if (o->retries_set)
        eo.retries = o->retries;
    if (o->min_timeout_ms)
        eo.min_timeout_ms = o->min_timeout_ms;
    eo.cancel = x->cancel;
    eo.on_result = on_result;
    eo.on_progress = on_eng_progress;
    eo.ctx = x;
    x->base = 0;
    x->span = sc->udp ? 0.6 : 0.8;
    x->udp_phase = false;
    int r = ts_eng_run(scope->addrs, scope->n_addrs, ps->ports, ps->n, &eo);
    if (r == 0 && sc->udp) {
        size_t n_udp;
        const uint16_t *udp = ts_udp_ports(&n_udp);
        eo.mode = TS_ENG_UDP;
        x->base = 0.6;
        x->span = 0.2;
        x->udp_phase = true;
        r = ts_eng_run(scope->addrs, scope->n_addrs, udp, n_udp, &eo);
    }
    if (r && r != TS_EINTR)
        ts_seterr(err, errsize, "engine: %s", ts_strerror(r));
    return r;
}

static void identify(struct ex *x, const ts_scan_settings_t *settings)
{
    const ts_scan_exec_opts_t *o = x->o;
    ts_probe_opts_t po;
    ts_probe_opts_init(&po);
    if (o->wait_ms)
        po.wait_ms = po.connect_ms = o->wait_ms;
    ts_scan_user_agent(settings, po.user_agent, sizeof po.user_agent);
    po.cancel = x->cancel;
    ts_probe_job_t *jobs = ts_xcalloc(x->n_f ? x->n_f : 1, sizeof *jobs);
    for (size_t i = 0; i < x->n_f; i++) {
        jobs[i].ip = x->hosts[x->f[i].host];
        jobs[i].port = x->f[i].port;
        jobs[i].udp = x->f[i].udp;
        jobs[i].svc = x->f[i].svc;
    }
    x->base = 0.8;
    x->span = 0.18;
    ts_probe_run(jobs, x->n_f, o->threads ? o->threads : 32, &po, on_probe_progress, x);
    for (size_t i = 0; i < x->n_f; i++) {
        x->f[i].svc = jobs[i].svc;
        if (x->f[i].svc.identifier[0] == '\0')
            ts_svc_classify(&x->f[i].svc);
    }
    free(jobs);
}

static int cmp_found(const void *a, const void *b)
{
    const struct found *x = a, *y = b;
    if (x->host != y->host)
        return x->host < y->host ? -1 : 1;
    if (x->udp != y->udp)
        return x->udp ? 1 : -1;
    return (x->port > y->port) - (x->port < y->port);
}

int ts_scan_execute(ts_store_t *st, const ts_scan_settings_t *settings, int64_t id,
                    const ts_scan_exec_opts_t *o, char *err, size_t errsize)
{
    struct scan_copy sc = {0};
    int r = ts_store_scan_get(st, id, on_scan, &sc);
    if (r == TS_ENOENT)
        ts_seterr(err, errsize, "no scan %" PRId64, id);
    else if (r)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    if (r)
        return r;
    atomic_bool own_cancel;
    atomic_init(&own_cancel, false);
    struct ex x = {.st = st, .id = id, .o = o, .cancel = o->cancel ? o->cancel : &own_cancel};
    ts_scope_t scope = {0};
    ts_portset_t ps = {0};
    const char *targets[TS_SCOPE_TARGETS_MAX];
    size_t n_targets = split(sc.targets, targets, TS_SCOPE_TARGETS_MAX);
    char e[TS_SCAN_ERR_MAX] = "";
    const char *state = "failed";
    r = ts_constituency_load(st, &x.c);
    if (r) {
        ts_seterr(e, sizeof e, "cannot load the constituency: %s", ts_strerror(r));
        goto end;
    }
    /* Again at the start: the constituency may have changed since the request. */
    r = ts_scope_check(x.c, settings, sc.site_id, sc.site_id == 0, targets, n_targets, &scope, e,
                       sizeof e);
    if (r == TS_EDENIED) {
        ts_buf_t why = TS_BUF_INIT;
        refusals(&scope, &why);
        ts_seterr(e, sizeof e, "at the start: %s", why.data);
        ts_buf_free(&why);
    }
    if (r == TS_EDENIED || r == TS_ETOOBIG) {
        state = "refused";
        ts_log_field_t f[] = {{"targets", sc.targets}, {"reason", e}};
        ts_log_fields(TS_LOG_WARN, "scan refused", f, 2);
        goto end;
    }
    if (r)
        goto end;
    r = ts_portset_parse(sc.ports, &ps, e, sizeof e);
    if (r)
        goto end;
    x.hosts = scope.addrs;
    bool v4 = true;
    for (size_t i = 0; i < scope.n_addrs; i++)
        v4 &= scope.addrs[i].family == TS_AF_INET;
    ts_eng_mode_t mode = o->mode ? o->mode : (v4 && ts_eng_can_syn() ? TS_ENG_SYN : TS_ENG_CONNECT);
    r = ts_store_scan_state(st, id, "running", "", mode == TS_ENG_SYN ? "syn" : "connect",
                            scope.n_addrs);
    if (r == 0)
        r = discover(&x, &scope, &ps, &sc, settings, mode, e, sizeof e);
    if (r == 0) {
        if (x.n_f > 1)
            qsort(x.f, x.n_f, sizeof *x.f, cmp_found);
        identify(&x, settings);
        r = atomic_load(x.cancel) ? TS_EINTR : 0;
    }
    if (r == 0) {
        x.now = ts_time_now();
        int pr = ts_store_scan_previous(st, id, &x.prev_scan);
        if (pr && pr != TS_ENOENT)
            r = pr;
        x.base = 0.98;
        x.span = 0.02;
        progress(&x, "store", 0, 0, x.n_f, true);
        if (r == 0)
            r = store_results(&x);
        if (r)
            ts_seterr(e, sizeof e, "store: %s", ts_store_errmsg(st));
    }
    if (r == 0) {
        state = "done";
        x.base = 1;
        x.span = 0;
        progress(&x, "done", 1, 0, x.n_f, false);
    } else if (r == TS_EINTR) {
        state = "cancelled";
        snprintf(e, sizeof e, "cancelled");
    }
end:;
    int sr = ts_store_scan_state(st, id, state, strcmp(state, "done") == 0 ? "" : e, NULL, 0);
    if (sr == 0 && sc.every_s > 0 && strcmp(state, "refused") != 0) {
        sc.started = sc.started ? sc.started : ts_time_now();
        sr = queue_next(st, id, &sc);
    }
    if (r == 0 && sr)
        r = sr;
    if (r)
        ts_seterr(err, errsize, "%s", e[0] ? e : ts_strerror(r));
    ts_scope_free(&scope);
    ts_portset_free(&ps);
    ts_constituency_free(x.c);
    free(x.f);
    free(sc.targets);
    free(sc.ports);
    free(sc.requested_by);
    return r;
}
