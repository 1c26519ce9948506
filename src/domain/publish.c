/* SPDX-License-Identifier: Apache-2.0 */
/* The public list (publish.h). Every form is built from the same rows, read
 * once, so the JSON, the feed and the page cannot disagree; only public
 * fields are copied out of the store's rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/jsonw.h"
#include "core/markup.h"
#include "domain/publish.h"
#include "store/domainstore.h"

struct row {
    int64_t id, since, until, updated;
    char domain[256], reason[32];
};

struct rows {
    struct row *v;
    size_t n, cap;
};

struct list {
    struct rows now;  /* deactivated */
    struct rows gone; /* deactivated once, ended; only when the policy lists them */
    int max_days;
    uint64_t past;
    bool list_past;
};

static int on_row(const ts_domain_case_t *c, void *ctx)
{
    struct rows *l = ctx;
    if (c->since == 0) /* never deactivated: not public */
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct row *r = realloc(l->v, cap * sizeof *r);
        if (r == NULL)
            return TS_ENOMEM;
        l->v = r;
        l->cap = cap;
    }
    struct row *r = &l->v[l->n++];
    r->id = c->id;
    r->since = c->since;
    r->until = c->until;
    r->updated = c->updated;
    snprintf(r->domain, sizeof r->domain, "%s", c->domain);
    snprintf(r->reason, sizeof r->reason, "%s", c->reason);
    return 0;
}

static void when(int64_t us, char *buf, size_t size)
{
    buf[0] = '\0';
    if (us > 0)
        ts_time_format_utc(us, buf, size);
}

static int load(ts_store_t *st, struct list *l)
{
    memset(l, 0, sizeof *l);
    int64_t serial = 0;
    uint64_t total = 0;
    int r = ts_store_domain_settings(st, &l->max_days, &serial);
    if (r == 0)
        r = ts_store_domain_cases_count(st, &total, &l->past);
    if (r == 0)
        r = ts_store_domain_list_past(st, &l->list_past);
    if (r == 0)
        r = ts_store_domain_cases_foreach(st, "deactivated", 0, on_row, &l->now);
    if (r == 0 && l->list_past)
        r = ts_store_domain_cases_foreach(st, "reactivated", 0, on_row, &l->gone);
    if (r == 0 && l->list_past)
        r = ts_store_domain_cases_foreach(st, "cancelled", 0, on_row, &l->gone);
    return r;
}

static void list_free(struct list *l)
{
    free(l->now.v);
    free(l->gone.v);
}

static void json_rows(ts_jsonw_t *w, const struct rows *rs)
{
    char t[48];
    ts_jsonw_array_begin(w);
    for (size_t i = 0; i < rs->n; i++) {
        ts_jsonw_object_begin(w);
        ts_jsonw_key(w, "domain");
        ts_jsonw_cstr(w, rs->v[i].domain);
        when(rs->v[i].since, t, sizeof t);
        ts_jsonw_key(w, "since");
        ts_jsonw_cstr(w, t);
        when(rs->v[i].until, t, sizeof t);
        ts_jsonw_key(w, "until");
        ts_jsonw_cstr(w, t);
        ts_jsonw_key(w, "reason");
        ts_jsonw_cstr(w, rs->v[i].reason);
        ts_jsonw_object_end(w);
    }
    ts_jsonw_array_end(w);
}

static void html_rows(ts_buf_t *out, const struct rows *rs)
{
    ts_buf_puts(out, "<table>\n<tr><th>Domain</th><th>Since</th><th>Until</th>"
                     "<th>Reason</th></tr>\n");
    for (size_t i = 0; i < rs->n; i++) {
        char since[48], until[48];
        when(rs->v[i].since, since, sizeof since);
        when(rs->v[i].until, until, sizeof until);
        ts_buf_puts(out, "<tr><td>");
        ts_markup_text(out, rs->v[i].domain);
        ts_buf_printf(out, "</td><td>%s</td><td>%s</td><td>", since, until);
        ts_markup_text(out, rs->v[i].reason);
        ts_buf_puts(out, "</td></tr>\n");
    }
    ts_buf_puts(out, "</table>\n");
}

int ts_domain_public_json(ts_store_t *st, int64_t now, ts_buf_t *out)
{
    struct list l;
    int r = load(st, &l);
    if (r == 0) {
        char t[48];
        ts_jsonw_t w;
        ts_jsonw_init(&w, out);
        ts_jsonw_object_begin(&w);
        when(now, t, sizeof t);
        ts_jsonw_key(&w, "generated");
        ts_jsonw_cstr(&w, t);
        ts_jsonw_key(&w, "max_days");
        ts_jsonw_int(&w, l.max_days);
        ts_jsonw_key(&w, "past_cases");
        ts_jsonw_uint(&w, l.past);
        ts_jsonw_key(&w, "deactivated");
        json_rows(&w, &l.now);
        if (l.list_past) {
            ts_jsonw_key(&w, "past");
            json_rows(&w, &l.gone);
        }
        ts_jsonw_object_end(&w);
        ts_buf_putc(out, '\n');
    }
    list_free(&l);
    return r;
}

int ts_domain_public_atom(ts_store_t *st, int64_t now, const char *base, ts_buf_t *out)
{
    struct list l;
    int r = load(st, &l);
    if (r == 0) {
        char t[48];
        when(now, t, sizeof t);
        const char *b = base ? base : "";
        ts_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
                         "  <title>Deactivated domains</title>\n  <id>");
        ts_markup_text(out, b);
        ts_buf_puts(out, "/public/domains</id>\n  <link rel=\"self\" href=\"");
        ts_markup_text(out, b);
        ts_buf_puts(out, "/public/domains.atom\"/>\n  <link rel=\"alternate\" href=\"");
        ts_markup_text(out, b);
        ts_buf_printf(out,
                      "/public/domains\"/>\n  <updated>%s</updated>\n"
                      "  <author><name>CSIRT</name></author>\n",
                      t);
        for (size_t i = 0; i < l.now.n; i++) {
            const struct row *w = &l.now.v[i];
            char since[48], until[48], upd[48];
            when(w->since, since, sizeof since);
            when(w->until, until, sizeof until);
            when(w->updated, upd, sizeof upd);
            ts_buf_puts(out, "  <entry>\n    <title>");
            ts_markup_text(out, w->domain);
            ts_buf_printf(out, "</title>\n    <id>");
            ts_markup_text(out, b);
            ts_buf_printf(out, "/public/domains#case-%lld-%lld</id>\n", (long long)w->id,
                          (long long)w->updated);
            ts_buf_printf(out, "    <updated>%s</updated>\n    <summary>", upd);
            ts_markup_text(out, w->domain);
            ts_buf_puts(out, " deactivated (");
            ts_markup_text(out, w->reason);
            ts_buf_printf(out, ") from %s until %s</summary>\n", since, until);
            ts_buf_puts(out, "    <category term=\"");
            ts_markup_text(out, w->reason);
            ts_buf_puts(out, "\"/>\n  </entry>\n");
        }
        ts_buf_puts(out, "</feed>\n");
    }
    list_free(&l);
    return r;
}

int ts_domain_public_html(ts_store_t *st, int64_t now, ts_buf_t *out)
{
    struct list l;
    int r = load(st, &l);
    if (r == 0) {
        char t[48];
        when(now, t, sizeof t);
        ts_buf_puts(out,
                    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<title>Deactivated domains</title>\n"
                    "<link rel=\"alternate\" type=\"application/atom+xml\" "
                    "href=\"domains.atom\">\n</head>\n<body>\n<h1>Deactivated domains</h1>\n"
                    "<h2>Procedure</h2>\n<ol>\n"
                    "<li>A report of a domain used to endanger computer security (phishing, "
                    "malware, botnet control, spam, fraud) opens a case with its evidence.</li>\n"
                    "<li>The CSIRT reviews the evidence and, where it can, notifies the "
                    "holder.</li>\n");
        ts_buf_printf(out,
                      "<li>The CSIRT may deactivate the domain for at most %d days at its own "
                      "decision; the domain is removed from resolution and listed here.</li>\n"
                      "<li>A deactivation is extended, again for at most %d days, only on new "
                      "evidence that the abuse continues.</li>\n"
                      "<li>When the period ends the domain is reactivated automatically.</li>\n"
                      "</ol>\n<h2>Currently deactivated</h2>\n",
                      l.max_days, l.max_days);
        if (l.now.n == 0)
            ts_buf_puts(out, "<p>No domain is deactivated.</p>\n");
        else
            html_rows(out, &l.now);
        if (l.list_past) {
            ts_buf_puts(out, "<h2>Past deactivations</h2>\n");
            html_rows(out, &l.gone);
        }
        ts_buf_printf(out,
                      "<p>Past cases: %llu.</p>\n<p>Also as <a href=\"domains.json\">JSON</a> "
                      "and <a href=\"domains.atom\">Atom</a>. Generated %s.</p>\n"
                      "</body>\n</html>\n",
                      (unsigned long long)l.past, t);
    }
    list_free(&l);
    return r;
}

int ts_domain_public_table(ts_store_t *st, int64_t now, ts_buf_t *out)
{
    (void)now;
    struct list l;
    int r = load(st, &l);
    if (r == 0) {
        ts_buf_printf(out, "%-40s %-27s %-27s %s\n", "DOMAIN", "SINCE", "UNTIL", "REASON");
        for (size_t i = 0; i < l.now.n; i++) {
            char since[48], until[48];
            when(l.now.v[i].since, since, sizeof since);
            when(l.now.v[i].until, until, sizeof until);
            ts_buf_printf(out, "%-40s %-27s %-27s %s\n", l.now.v[i].domain, since, until,
                          l.now.v[i].reason);
        }
        ts_buf_printf(out, "%zu deactivated, %llu past cases, at most %d days each\n", l.now.n,
                      (unsigned long long)l.past, l.max_days);
    }
    list_free(&l);
    return r;
}
