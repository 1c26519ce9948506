/* SPDX-License-Identifier: Apache-2.0 */
/* Listings of matches: grouping, JSON, Atom. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/format.h"
#include "advisory/advisory.h"
#include "advisory/report.h"
#include "core/markup.h"
#include "core/mem.h"
#include "core/utf8.h"

struct ts_adv_list {
    ts_adv_row_t *rows;
    size_t n, cap;
    size_t *group; /* start row of each group, plus n at the end */
    size_t n_groups;
};

static char *dup(const char *s)
{
    return ts_xstrdup(s ? s : "");
}

static int keep_row(const ts_adv_row_t *row, void *ctx)
{
    ts_adv_list_t *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->rows = ts_xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    ts_adv_row_t *c = &l->rows[l->n++];
    *c = *row;
    c->adv.id = dup(row->adv.id);
    c->adv.source = dup(row->adv.source);
    c->adv.revision = dup(row->adv.revision);
    c->adv.title = dup(row->adv.title);
    c->adv.publisher = dup(row->adv.publisher);
    c->adv.severity = dup(row->adv.severity);
    c->adv.cves_json = dup(row->adv.cves_json);
    c->adv.hash = dup(row->adv.hash);
    c->adv.document = dup(row->adv.document);
    c->m.product_ref = dup(row->m.product_ref);
    c->m.product_name = dup(row->m.product_name);
    c->m.rule = dup(row->m.rule);
    c->m.remediations_json = dup(row->m.remediations_json);
    c->site_name = dup(row->site_name);
    c->platform = dup(row->platform);
    c->platform_kind = dup(row->platform_kind);
    return 0;
}

static void free_row(ts_adv_row_t *r)
{
    free((char *)r->adv.id);
    free((char *)r->adv.source);
    free((char *)r->adv.revision);
    free((char *)r->adv.title);
    free((char *)r->adv.publisher);
    free((char *)r->adv.severity);
    free((char *)r->adv.cves_json);
    free((char *)r->adv.hash);
    free((char *)r->adv.document);
    free((char *)r->m.product_ref);
    free((char *)r->m.product_name);
    free((char *)r->m.rule);
    free((char *)r->m.remediations_json);
    free((char *)r->site_name);
    free((char *)r->platform);
    free((char *)r->platform_kind);
}

void ts_adv_list_free(ts_adv_list_t *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        free_row(&l->rows[i]);
    free(l->rows);
    free(l->group);
    free(l);
}

int ts_adv_list_load(ts_store_t *st, const ts_adv_query_t *q, ts_adv_list_t **out)
{
    ts_adv_list_t *l = ts_xcalloc(1, sizeof *l);
    int r = ts_store_adv_rows_foreach(st, q, keep_row, l);
    if (r) {
        ts_adv_list_free(l);
        return r;
    }
    /* Rows come sorted by advisory, then site: a group is a run. */
    l->group = ts_xmalloc((l->n + 1) * sizeof *l->group);
    for (size_t i = 0; i < l->n; i++)
        if (i == 0 || l->rows[i].m.adv_rowid != l->rows[i - 1].m.adv_rowid ||
            l->rows[i].m.site_id != l->rows[i - 1].m.site_id)
            l->group[l->n_groups++] = i;
    l->group[l->n_groups] = l->n;
    *out = l;
    return 0;
}

size_t ts_adv_list_groups(const ts_adv_list_t *l)
{
    return l ? l->n_groups : 0;
}

const ts_adv_row_t *ts_adv_list_group(const ts_adv_list_t *l, size_t g, size_t *n_rows)
{
    *n_rows = l->group[g + 1] - l->group[g];
    return &l->rows[l->group[g]];
}

void ts_adv_time(int64_t us, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    if (us <= 0)
        return;
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return;
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *ts_adv_status_name(int status)
{
    if (status < TS_PS_AFFECTED || status > TS_PS_NOT_AFFECTED)
        return "unknown";
    return ts_pstatus_name((ts_pstatus_t)status);
}

const char *ts_adv_verdict_name(int status, bool undecided)
{
    return undecided ? "needs_a_look" : ts_adv_status_name(status);
}

int ts_adv_status_parse(const char *s)
{
    if (s == NULL)
        return 0;
    if (strcmp(s, "known_affected") == 0 || strcmp(s, "affected") == 0)
        return TS_PS_AFFECTED;
    if (strcmp(s, "under_investigation") == 0)
        return TS_PS_UNDER_INVESTIGATION;
    if (strcmp(s, "fixed") == 0)
        return TS_PS_FIXED;
    if (strcmp(s, "known_not_affected") == 0 || strcmp(s, "not_affected") == 0)
        return TS_PS_NOT_AFFECTED;
    return 0;
}

static void jtime(ts_jsonw_t *w, const char *key, int64_t us)
{
    char t[40];
    ts_jsonw_key(w, key);
    if (us <= 0) {
        ts_jsonw_null(w);
        return;
    }
    ts_adv_time(us, t, sizeof t);
    ts_jsonw_cstr(w, t);
}

static void jraw(ts_jsonw_t *w, const char *key, const char *json, const char *dflt)
{
    ts_jsonw_key(w, key);
    ts_jsonw_raw(w, ts_str_c(json && json[0] ? json : dflt));
}

static void adv_fields(ts_jsonw_t *w, const ts_adv_rec_t *a)
{
    ts_jsonw_key(w, "id");
    ts_jsonw_cstr(w, a->id);
    ts_jsonw_key(w, "title");
    ts_jsonw_cstr(w, a->title);
    ts_jsonw_key(w, "publisher");
    ts_jsonw_cstr(w, a->publisher);
    ts_jsonw_key(w, "source");
    ts_jsonw_cstr(w, a->source);
    ts_jsonw_key(w, "revision");
    ts_jsonw_cstr(w, a->revision);
    jtime(w, "published", a->published);
    jtime(w, "updated", a->updated);
    ts_jsonw_key(w, "cvss");
    if (a->cvss < 0) {
        ts_jsonw_null(w);
    } else {
        char num[32];
        snprintf(num, sizeof num, "%.1f", a->cvss);
        ts_jsonw_raw(w, ts_str_c(num));
    }
    ts_jsonw_key(w, "severity");
    ts_jsonw_cstr(w, a->severity);
    jraw(w, "cves", a->cves_json, "[]");
}

void ts_adv_json_fields(ts_jsonw_t *w, const ts_adv_rec_t *a)
{
    adv_fields(w, a);
}

void ts_adv_json_advisory(ts_jsonw_t *w, const ts_adv_rec_t *a)
{
    ts_jsonw_object_begin(w);
    adv_fields(w, a);
    ts_jsonw_object_end(w);
}

void ts_adv_json_group(ts_jsonw_t *w, const ts_adv_list_t *l, size_t g, bool with_site,
                       bool with_matches)
{
    size_t n;
    const ts_adv_row_t *rows = ts_adv_list_group(l, g, &n);
    const ts_adv_row_t *b = &rows[0];
    ts_jsonw_object_begin(w);
    adv_fields(w, &b->adv);
    if (with_site) {
        ts_jsonw_key(w, "site");
        ts_jsonw_cstr(w, b->site_name);
    }
    ts_jsonw_key(w, "platform");
    ts_jsonw_cstr(w, b->platform);
    ts_jsonw_key(w, "status");
    ts_jsonw_cstr(w, ts_adv_status_name(b->m.status));
    ts_jsonw_key(w, "undecided");
    ts_jsonw_bool(w, b->m.undecided);
    ts_jsonw_key(w, "verdict");
    ts_jsonw_cstr(w, ts_adv_verdict_name(b->m.status, b->m.undecided));
    ts_jsonw_key(w, "reason");
    ts_jsonw_cstr(w, b->m.rule);
    ts_jsonw_key(w, "product");
    ts_jsonw_cstr(w, b->m.product_name);
    ts_jsonw_key(w, "product_ref");
    ts_jsonw_cstr(w, b->m.product_ref);
    jraw(w, "remediations", b->m.remediations_json, "[]");
    jtime(w, "alerted", b->m.alerted_at);
    if (with_matches) {
        ts_jsonw_key(w, "matches");
        ts_jsonw_array_begin(w);
        for (size_t i = 0; i < n; i++) {
            const ts_adv_row_t *r = &rows[i];
            ts_jsonw_object_begin(w);
            ts_jsonw_key(w, "platform");
            ts_jsonw_cstr(w, r->platform);
            ts_jsonw_key(w, "product");
            ts_jsonw_cstr(w, r->m.product_name);
            ts_jsonw_key(w, "product_ref");
            ts_jsonw_cstr(w, r->m.product_ref);
            ts_jsonw_key(w, "status");
            ts_jsonw_cstr(w, ts_adv_status_name(r->m.status));
            ts_jsonw_key(w, "undecided");
            ts_jsonw_bool(w, r->m.undecided);
            ts_jsonw_key(w, "verdict");
            ts_jsonw_cstr(w, ts_adv_verdict_name(r->m.status, r->m.undecided));
            ts_jsonw_key(w, "family");
            ts_jsonw_bool(w, r->m.family);
            ts_jsonw_key(w, "rule");
            ts_jsonw_cstr(w, r->m.rule);
            jraw(w, "remediations", r->m.remediations_json, "[]");
            ts_jsonw_object_end(w);
        }
        ts_jsonw_array_end(w);
    }
    ts_jsonw_object_end(w);
}

static void xml_elem(ts_buf_t *b, const char *tag, const char *text)
{
    ts_buf_printf(b, "<%s>", tag);
    ts_markup_text(b, text);
    ts_buf_printf(b, "</%s>\n", tag);
}

void ts_adv_csv_header(ts_buf_t *out)
{
    ts_buf_puts(out,
                "id,severity,cvss,site,platform,status,undecided,verdict,reason,product,title\r\n");
}

void ts_adv_csv_row(ts_buf_t *out, const ts_adv_row_t *r)
{
    ts_format_csv_text(out, r->adv.id, true);
    ts_format_csv_text(out, r->adv.severity, false);
    /* numbers and booleans tocsin writes itself: no protection needed */
    if (r->adv.cvss >= 0)
        ts_buf_printf(out, ",%.1f", r->adv.cvss);
    else
        ts_buf_putc(out, ',');
    ts_format_csv_text(out, r->site_name, false);
    ts_format_csv_text(out, r->platform, false);
    ts_buf_printf(out, ",%s,%s,%s", ts_adv_status_name(r->m.status),
                  r->m.undecided ? "true" : "false",
                  ts_adv_verdict_name(r->m.status, r->m.undecided));
    ts_format_csv_text(out, r->m.rule, false);
    ts_format_csv_text(out, r->m.product_name, false);
    ts_format_csv_text(out, r->adv.title, false);
    ts_buf_puts(out, "\r\n");
}

void ts_adv_atom(ts_buf_t *out, const ts_adv_list_t *l, const char *who, int64_t now_us)
{
    char t[40], id[512], title[1024];
    int64_t newest = 0;
    for (size_t g = 0; g < ts_adv_list_groups(l); g++) {
        size_t n;
        const ts_adv_row_t *r = ts_adv_list_group(l, g, &n);
        int64_t u = r->m.alerted_at > 0 ? r->m.alerted_at : r->m.changed_at;
        if (u > newest)
            newest = u;
    }
    ts_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    snprintf(id, sizeof id, "urn:tocsin:advisories:%s", who && who[0] ? who : "csirt");
    xml_elem(out, "id", id);
    snprintf(title, sizeof title, "tocsin advisories for %s", who && who[0] ? who : "the CSIRT");
    xml_elem(out, "title", title);
    ts_adv_time(newest > 0 ? newest : now_us, t, sizeof t);
    xml_elem(out, "updated", t);
    ts_buf_puts(out, "<author><name>tocsin</name></author>\n");
    for (size_t g = 0; g < ts_adv_list_groups(l); g++) {
        size_t n;
        const ts_adv_row_t *r = ts_adv_list_group(l, g, &n);
        ts_buf_puts(out, "<entry>\n");
        /* One entry per (site, advisory): a revision that changes nothing
         * keeps its id and its updated time, so feed readers stay quiet. */
        snprintf(id, sizeof id, "urn:tocsin:advisory:%s:%s", r->site_name, r->adv.id);
        xml_elem(out, "id", id);
        snprintf(title, sizeof title, "[%s] %s: %s", r->adv.severity, r->adv.id, r->adv.title);
        xml_elem(out, "title", title);
        ts_adv_time(r->m.alerted_at > 0 ? r->m.alerted_at : r->m.changed_at, t, sizeof t);
        xml_elem(out, "updated", t);
        ts_adv_time(r->m.first_seen, t, sizeof t);
        if (t[0])
            xml_elem(out, "published", t);
        ts_buf_puts(out, "<summary>");
        char head[1200];
        snprintf(head, sizeof head,
                 "%s on %s (site %s): ", ts_adv_verdict_name(r->m.status, r->m.undecided),
                 r->platform, r->site_name);
        ts_markup_text(out, head);
        ts_markup_text(out, r->m.rule);
        ts_buf_puts(out, "</summary>\n<content type=\"text\">");
        for (size_t i = 0; i < n; i++) {
            snprintf(head, sizeof head, "%s: %s, %s [%s]\n", r[i].platform,
                     ts_adv_verdict_name(r[i].m.status, r[i].m.undecided), r[i].m.product_name,
                     r[i].m.product_ref);
            ts_markup_text(out, head);
            ts_markup_text(out, "  why: ");
            ts_markup_text(out, r[i].m.rule);
            ts_markup_text(out, "\n  remediations: ");
            ts_markup_text(out, r[i].m.remediations_json);
            ts_markup_text(out, "\n");
        }
        ts_buf_puts(out, "</content>\n</entry>\n");
    }
    ts_buf_puts(out, "</feed>\n");
}
