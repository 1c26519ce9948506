/* SPDX-License-Identifier: Apache-2.0 */
/* The scan source: what a site's scan found, told to the site that asked for
 * it once the scan has ended. One item per (scan, RSIT type of its findings):
 * the builder groups a digest by type, and a type is what a contact chooses
 * to get at once, in a digest or never. The changes since the previous scan
 * of the same targets are findings of kind "change" (scan/job.c), so the
 * mail of a repeated scan says what is new, what changed and what closed;
 * a scheduled scan with a previous run tells only those (diff-only).
 *
 * Scans are few (they are requested, limited per site and day), so a round
 * reads the scan list and then only the findings of the scans that ended
 * after the mark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "notify/item.h"
#include "output/format.h"
#include "store/scanstore.h"

/* A scan that ended after the mark; strings copied out of the callback. */
struct ended {
    int64_t id, site_id, finished, every_s;
    char *targets, *ports, *requested_by;
};

struct ended_list {
    struct ended *v;
    size_t n, cap;
    int64_t mark, limit;
};

static int take_scan(const ts_scan_rec_t *r, void *ctx)
{
    struct ended_list *l = ctx;
    if (r->site_id <= 0 || strcmp(r->state, "done") != 0 || r->finished <= l->mark ||
        r->finished > l->limit)
        return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct ended){r->id,
                                  r->site_id,
                                  r->finished,
                                  r->every_s,
                                  ts_xstrdup(r->targets),
                                  ts_xstrdup(r->ports),
                                  ts_xstrdup(r->requested_by)};
    return 0;
}

struct finding {
    char *ip, *transport, *kind, *identifier, *type, *detail;
    int port;
};

struct finding_list {
    struct finding *v;
    size_t n, cap;
};

static int take_finding(const ts_scan_finding_rec_t *f, void *ctx)
{
    struct finding_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = ts_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct finding){ts_xstrdup(f->ip),
                                    ts_xstrdup(f->transport),
                                    ts_xstrdup(f->kind),
                                    ts_xstrdup(f->identifier),
                                    ts_xstrdup(f->type),
                                    ts_xstrdup(f->detail),
                                    f->port};
    return 0;
}

static void finding_free(struct finding *f)
{
    free(f->ip);
    free(f->transport);
    free(f->kind);
    free(f->identifier);
    free(f->type);
    free(f->detail);
}

static void findings_free(struct finding_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        finding_free(&l->v[i]);
    free(l->v);
    *l = (struct finding_list){0};
}

/* A scheduled scan that has a previous run tells only what changed since
 * (new open ports, changed products, ports no longer open): the rest was
 * told after the first run, and a weekly mail repeating it would be noise. */
static void only_changes(struct finding_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].kind, "change") == 0) {
            l->v[n++] = l->v[i];
            continue;
        }
        finding_free(&l->v[i]);
    }
    l->n = n;
}

/* A service a site did not know it exposed, or a vulnerable product on it,
 * matters more than a changed banner or a certificate that expires. */
static int kind_prio(const char *kind)
{
    if (strcmp(kind, "advisory") == 0)
        return TS_PRIO_HIGH;
    if (strcmp(kind, "exposed") == 0)
        return TS_PRIO_MEDIUM;
    return TS_PRIO_LOW;
}

static int by_type(const void *a, const void *b)
{
    const struct finding *x = a, *y = b;
    int d = strcmp(x->type, y->type);
    return d ? d : strcmp(x->ip, y->ip);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The items of one scan's findings f[0..n) of one type. */
static int emit_group(const struct ended *s, const struct finding *f, size_t n, const char *portal,
                      ts_nitem_emit_fn emit, void *ctx)
{
    const char **hosts = ts_xcalloc(n, sizeof *hosts);
    for (size_t i = 0; i < n; i++)
        hosts[i] = f[i].ip;
    qsort(hosts, n, sizeof *hosts, by_string);
    size_t nh = 0;
    for (size_t i = 0; i < n; i++)
        if (nh == 0 || strcmp(hosts[nh - 1], hosts[i]) != 0)
            hosts[nh++] = hosts[i];

    int prio = TS_PRIO_LOW;
    size_t n_adv = 0, n_exposed = 0, n_change = 0;
    for (size_t i = 0; i < n; i++) {
        if (kind_prio(f[i].kind) > prio)
            prio = kind_prio(f[i].kind);
        n_adv += strcmp(f[i].kind, "advisory") == 0;
        n_exposed += strcmp(f[i].kind, "exposed") == 0;
        n_change += strcmp(f[i].kind, "change") == 0;
    }
    ts_buf_t summary = TS_BUF_INIT, why = TS_BUF_INIT, link = TS_BUF_INIT, csv = TS_BUF_INIT;
    ts_buf_printf(&summary, "Scan %lld of ", (long long)s->id);
    ts_nitem_one_line(&summary, s->targets, 200);
    ts_buf_printf(&summary, ": %zu finding%s on %zu host%s", n, n == 1 ? "" : "s", nh,
                  nh == 1 ? "" : "s");
    const char *sep = " (";
    if (n_exposed) {
        ts_buf_printf(&summary, "%s%zu exposed service%s", sep, n_exposed,
                      n_exposed == 1 ? "" : "s");
        sep = ", ";
    }
    if (n_adv) {
        ts_buf_printf(&summary, "%s%zu matching an advisory", sep, n_adv);
        sep = ", ";
    }
    if (n_change) {
        ts_buf_printf(&summary, "%s%zu change%s since the previous scan", sep, n_change,
                      n_change == 1 ? "" : "s");
        sep = ", ";
    }
    if (sep[0] == ',')
        ts_buf_putc(&summary, ')');

    if (strcmp(s->requested_by, "schedule") == 0) {
        ts_buf_puts(&why, "a scheduled scan of your own addresses (");
        ts_nitem_one_line(&why, s->targets, 200);
        ts_buf_printf(&why, ", every %lld h) found this", (long long)(s->every_s / 3600));
    } else {
        ts_buf_puts(&why, "a scan of your own addresses (");
        ts_nitem_one_line(&why, s->targets, 200);
        ts_buf_puts(&why, ", ports ");
        ts_nitem_one_line(&why, s->ports, 100);
        ts_buf_puts(&why, ") requested by ");
        ts_nitem_one_line(&why, s->requested_by, 200);
        ts_buf_puts(&why, " found this");
    }
    ts_buf_printf(&link, "%s/#/scans/%lld", portal ? portal : "", (long long)s->id);

    ts_buf_puts(&csv, "ip,port,transport,kind,identifier,type,detail\r\n");
    for (size_t i = 0; i < n; i++) {
        ts_format_csv_text(&csv, f[i].ip, true);
        ts_buf_printf(&csv, ",%d", f[i].port);
        ts_format_csv_text(&csv, f[i].transport, false);
        ts_format_csv_text(&csv, f[i].kind, false);
        ts_format_csv_text(&csv, f[i].identifier, false);
        ts_format_csv_text(&csv, f[i].type, false);
        ts_format_csv_text(&csv, f[i].detail, false);
        ts_buf_puts(&csv, "\r\n");
    }
    char ref[32];
    snprintf(ref, sizeof ref, "scan-%lld", (long long)s->id);
    ts_nitem_t it = {
        .site_id = s->site_id,
        .kind = TS_NITEM_FINDING,
        .type = f[0].type,
        .priority = prio,
        .ref = ref,
        .hosts = hosts,
        .n_hosts = nh,
        .summary = summary.data,
        .why = why.data,
        .link = link.data,
        .events_csv = csv.data,
    };
    int r = emit(&it, ctx);
    free(hosts);
    ts_buf_free(&summary);
    ts_buf_free(&why);
    ts_buf_free(&link);
    ts_buf_free(&csv);
    return r;
}

static int collect(ts_store_t *st, int64_t mark, int64_t now, const char *portal,
                   ts_nitem_emit_fn emit, void *ctx, int64_t *new_mark)
{
    /* Findings are stored before the scan is marked done (scan/job.c), and
     * the settling time covers a worker on another machine whose clock or
     * commit lags. */
    int64_t limit = now - TS_NSOURCE_SETTLE_US;
    *new_mark = limit > mark ? limit : mark;
    struct ended_list l = {.mark = mark, .limit = limit};
    int r = ts_store_scans_foreach(st, 0, 0, take_scan, &l);
    for (size_t i = 0; r == 0 && i < l.n; i++) {
        struct finding_list fl = {0};
        r = ts_store_scan_findings_foreach(st, l.v[i].id, take_finding, &fl);
        int64_t prev = 0;
        if (r == 0 && l.v[i].every_s > 0 &&
            (r = ts_store_scan_previous(st, l.v[i].id, &prev)) == TS_ENOENT)
            r = 0; /* a schedule's first run: everything it found */
        if (r == 0 && prev > 0)
            only_changes(&fl);
        if (r == 0 && fl.n > 0) {
            qsort(fl.v, fl.n, sizeof *fl.v, by_type);
            for (size_t a = 0, b; r == 0 && a < fl.n; a = b) {
                for (b = a + 1; b < fl.n && strcmp(fl.v[b].type, fl.v[a].type) == 0; b++)
                    ;
                r = emit_group(&l.v[i], &fl.v[a], b - a, portal, emit, ctx);
            }
        }
        findings_free(&fl);
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].targets);
        free(l.v[i].ports);
        free(l.v[i].requested_by);
    }
    free(l.v);
    return r;
}

const ts_nsource_t ts_nsource_scans = {"scans", collect};
