/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/mem.h"

static void time_field(ts_jsonw_t *w, const char *key, int64_t us)
{
    ts_jsonw_key(w, key);
    if (us == 0) {
        ts_jsonw_null(w);
        return;
    }
    char t[48];
    ts_time_format_utc(us, t, sizeof t);
    ts_jsonw_cstr(w, t);
}

static void str_field(ts_jsonw_t *w, const char *key, const char *v)
{
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, v);
}

void ts_scan_rec_json(ts_jsonw_t *w, const ts_scan_rec_t *r)
{
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, r->id);
    ts_jsonw_key(w, "site");
    if (r->site_id)
        ts_jsonw_cstr(w, r->site_name);
    else
        ts_jsonw_null(w);
    str_field(w, "state", r->state);
    str_field(w, "reason", r->reason);
    str_field(w, "requested_by", r->requested_by);
    ts_jsonw_key(w, "targets");
    ts_jsonw_array_begin(w);
    for (const char *p = r->targets; *p;) {
        size_t n = strcspn(p, " ");
        ts_jsonw_str(w, ts_str(p, n));
        p += n;
        p += *p == ' ';
    }
    ts_jsonw_array_end(w);
    str_field(w, "ports", r->ports);
    ts_jsonw_key(w, "udp");
    ts_jsonw_bool(w, r->udp);
    ts_jsonw_key(w, "every_s");
    ts_jsonw_int(w, r->every_s);
    str_field(w, "mode", r->mode);
    ts_jsonw_key(w, "addresses");
    ts_jsonw_uint(w, r->n_addresses);
    time_field(w, "created", r->created);
    time_field(w, "not_before", r->not_before);
    time_field(w, "started", r->started);
    time_field(w, "finished", r->finished);
    ts_jsonw_key(w, "progress");
    ts_jsonw_int(w, (int64_t)(r->progress * 100 + 0.5));
    ts_jsonw_key(w, "eta_s");
    ts_jsonw_int(w, r->eta_s);
    ts_jsonw_key(w, "open_ports");
    ts_jsonw_uint(w, r->open_ports);
    ts_jsonw_key(w, "schedule_id");
    if (r->schedule_id)
        ts_jsonw_int(w, r->schedule_id);
    else
        ts_jsonw_null(w);
}

/* ---- Detail: services and findings grouped by host -------------------------------------- */

struct row {
    char *ip;
    bool finding;
    ts_scan_svc_rec_t s;
    ts_scan_finding_rec_t f;
    char *str[9];
};

struct rows {
    struct row *v;
    size_t n, cap;
};

static struct row *row_add(struct rows *rs, const char *ip)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 32;
        rs->v = ts_xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    struct row *r = &rs->v[rs->n++];
    memset(r, 0, sizeof *r);
    r->ip = ts_xstrdup(ip);
    return r;
}

static int on_svc(const ts_scan_svc_rec_t *s, void *ctx)
{
    struct row *r = row_add(ctx, s->ip);
    r->s = *s;
    const char *src[9] = {s->transport,  s->service, s->product, s->version, s->info,
                          s->identifier, s->title,   s->banner,  s->tls_json};
    const char **dst[9] = {&r->s.transport, &r->s.service, &r->s.product,
                           &r->s.version,   &r->s.info,    &r->s.identifier,
                           &r->s.title,     &r->s.banner,  &r->s.tls_json};
    for (int i = 0; i < 9; i++)
        *dst[i] = r->str[i] = ts_xstrdup(src[i]);
    return 0;
}

static int on_finding(const ts_scan_finding_rec_t *f, void *ctx)
{
    struct row *r = row_add(ctx, f->ip);
    r->finding = true;
    r->f = *f;
    const char *src[5] = {f->transport, f->kind, f->identifier, f->type, f->detail};
    const char **dst[5] = {&r->f.transport, &r->f.kind, &r->f.identifier, &r->f.type, &r->f.detail};
    for (int i = 0; i < 5; i++)
        *dst[i] = r->str[i] = ts_xstrdup(src[i]);
    return 0;
}

static void rows_free(struct rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->v[i].ip);
        for (int k = 0; k < 9; k++)
            free(rs->v[i].str[k]);
    }
    free(rs->v);
}

/* Addresses in numeric order, services before findings, then as stored. */
static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    ts_ip_t ix, iy;
    if (ts_ip_parse(x->ip, strlen(x->ip), &ix) == 0 &&
        ts_ip_parse(y->ip, strlen(y->ip), &iy) == 0) {
        int c = ts_ip_compare(&ix, &iy);
        if (c)
            return c;
    }
    if (x->finding != y->finding)
        return x->finding ? 1 : -1;
    if (x->finding)
        return (x->f.id > y->f.id) - (x->f.id < y->f.id);
    int c = strcmp(x->s.transport, y->s.transport);
    return c ? c : (x->s.port > y->s.port) - (x->s.port < y->s.port);
}

static int load_rows(ts_store_t *st, int64_t id, struct rows *rs)
{
    int r = ts_store_scan_services_foreach(st, id, on_svc, rs);
    if (r == 0)
        r = ts_store_scan_findings_foreach(st, id, on_finding, rs);
    if (r == 0 && rs->n > 1)
        qsort(rs->v, rs->n, sizeof *rs->v, cmp_row);
    return r;
}

static void svc_json(ts_jsonw_t *w, const ts_scan_svc_rec_t *s)
{
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "port");
    ts_jsonw_int(w, s->port);
    str_field(w, "transport", s->transport);
    str_field(w, "service", s->service);
    str_field(w, "product", s->product);
    str_field(w, "version", s->version);
    str_field(w, "info", s->info);
    str_field(w, "identifier", s->identifier);
    str_field(w, "title", s->title);
    str_field(w, "banner", s->banner);
    ts_jsonw_key(w, "rtt_ms");
    ts_jsonw_int(w, (s->rtt_us + 500) / 1000);
    ts_jsonw_key(w, "tls");
    if (s->tls_json[0])
        ts_jsonw_raw(w, ts_str_c(s->tls_json));
    else
        ts_jsonw_null(w);
    ts_jsonw_object_end(w);
}

static void finding_json(ts_jsonw_t *w, const ts_scan_finding_rec_t *f)
{
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "port");
    ts_jsonw_int(w, f->port);
    str_field(w, "transport", f->transport);
    str_field(w, "kind", f->kind);
    str_field(w, "identifier", f->identifier);
    str_field(w, "type", f->type);
    str_field(w, "detail", f->detail);
    ts_jsonw_key(w, "event_id");
    if (f->event_id)
        ts_jsonw_int(w, f->event_id);
    else
        ts_jsonw_null(w);
    ts_jsonw_object_end(w);
}

static void hosts_json(ts_jsonw_t *w, const struct rows *rs)
{
    ts_jsonw_key(w, "hosts");
    ts_jsonw_array_begin(w);
    for (size_t i = 0; i < rs->n;) {
        size_t e = i;
        while (e < rs->n && strcmp(rs->v[e].ip, rs->v[i].ip) == 0)
            e++;
        ts_jsonw_object_begin(w);
        str_field(w, "ip", rs->v[i].ip);
        ts_jsonw_key(w, "ports");
        ts_jsonw_array_begin(w);
        for (size_t k = i; k < e; k++)
            if (!rs->v[k].finding)
                svc_json(w, &rs->v[k].s);
        ts_jsonw_array_end(w);
        ts_jsonw_key(w, "findings");
        ts_jsonw_array_begin(w);
        for (size_t k = i; k < e; k++)
            if (rs->v[k].finding)
                finding_json(w, &rs->v[k].f);
        ts_jsonw_array_end(w);
        ts_jsonw_object_end(w);
        i = e;
    }
    ts_jsonw_array_end(w);
}

static int on_rec_json(const ts_scan_rec_t *r, void *ctx)
{
    ts_scan_rec_json(ctx, r);
    return 0;
}

int ts_scan_report_json(ts_store_t *st, int64_t id, bool detail, ts_buf_t *out)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    size_t mark = out->len;
    ts_jsonw_object_begin(&w);
    int r = ts_store_scan_get(st, id, on_rec_json, &w);
    struct rows rs = {0};
    if (r == 0 && detail)
        r = load_rows(st, id, &rs);
    if (r == 0 && detail)
        hosts_json(&w, &rs);
    ts_jsonw_object_end(&w);
    rows_free(&rs);
    if (r) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return r;
}

static int on_rec_text(const ts_scan_rec_t *r, void *ctx)
{
    ts_buf_t *b = ctx;
    char t[48] = "-";
    if (r->finished)
        ts_time_format_utc(r->finished, t, sizeof t);
    ts_buf_printf(b, "scan %" PRId64 " (%s): %s%s%s\n", r->id, r->site_id ? r->site_name : "CSIRT",
                  r->state, r->reason[0] ? ": " : "", r->reason);
    ts_buf_printf(b, "targets %s, ports %s%s, %" PRIu64 " addresses, %s mode, finished %s\n",
                  r->targets, r->ports, r->udp ? " and UDP" : "", r->n_addresses,
                  r->mode[0] ? r->mode : "-", t);
    return 0;
}

int ts_scan_report_text(ts_store_t *st, int64_t id, ts_buf_t *out)
{
    int r = ts_store_scan_get(st, id, on_rec_text, out);
    struct rows rs = {0};
    if (r == 0)
        r = load_rows(st, id, &rs);
    for (size_t i = 0; r == 0 && i < rs.n; i++) {
        const struct row *w = &rs.v[i];
        if (w->finding) {
            ts_buf_printf(out, "  finding %s %u/%s %s: %s\n", w->ip, w->f.port, w->f.transport,
                          w->f.identifier, w->f.detail);
            continue;
        }
        const ts_scan_svc_rec_t *s = &w->s;
        ts_buf_printf(out, "  open %s %u/%s %s", w->ip, s->port, s->transport,
                      s->service[0] ? s->service : "unknown");
        if (s->product[0])
            ts_buf_printf(out, " %s%s%s", s->product, s->version[0] ? " " : "", s->version);
        if (s->identifier[0])
            ts_buf_printf(out, " [%s]", s->identifier);
        if (s->title[0])
            ts_buf_printf(out, " title \"%s\"", s->title);
        ts_buf_putc(out, '\n');
    }
    rows_free(&rs);
    return r;
}
