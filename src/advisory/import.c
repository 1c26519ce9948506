/* SPDX-License-Identifier: Apache-2.0 */
/* Importing advisories: parse, store, match against the platform index, and
 * decide per (site, advisory) whether the result is new, changed (alert again)
 * or the same as before (CSAF 2.0 section 9.1.13: no new alert when a
 * revision changes neither the status nor the remediation). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "advisory/import.h"
#include "advisory/match.h"
#include "advisory/platform.h"
#include "core/file.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "store/advstore.h"

#define IMPORT_DEPTH_MAX 16 /* directory nesting walked */

struct ts_adv_importer {
    ts_store_t *st;
    ts_match_index_t *idx;
};

/* One match row being decided (old from the store, or new from the matcher). */
struct mrow {
    int64_t site_id, platform_id;
    int status;
    bool undecided, family;
    bool secondary; /* while a new platform's best entry per advisory is chosen */
    char *ref, *name, *rule, *remed;
    int64_t first_seen, changed_at, alerted_at;
};

struct mrows {
    struct mrow *v;
    size_t n, cap;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct mrow *mrows_add(struct mrows *a)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = ts_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    struct mrow *r = &a->v[a->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static void mrows_free(struct mrows *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].ref);
        free(a->v[i].name);
        free(a->v[i].rule);
        free(a->v[i].remed);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

static int cmp_site(const void *a, const void *b)
{
    const struct mrow *x = a, *y = b;
    if (x->site_id != y->site_id)
        return x->site_id < y->site_id ? -1 : 1;
    return x->platform_id < y->platform_id ? -1 : x->platform_id > y->platform_id;
}

/* {"model_numbers":[...],"skus":[...],"serial_numbers":[...]} of the kinds
 * given (in out), or "" when none. */
static const char *ids_json(const ts_adv_product_t *p, ts_buf_t *out)
{
    if (p->n_ids == 0)
        return "";
    ts_buf_reset(out);
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    for (int k = TS_ID_MODEL; k <= TS_ID_SERIAL; k++) {
        bool open = false;
        for (size_t i = 0; i < p->n_ids; i++) {
            if (p->ids[i].kind != (ts_adv_id_kind_t)k)
                continue;
            if (!open) {
                ts_jsonw_key(&w, ts_adv_id_kind_name((ts_adv_id_kind_t)k));
                ts_jsonw_array_begin(&w);
                open = true;
            }
            ts_jsonw_cstr(&w, p->ids[i].value);
        }
        if (open)
            ts_jsonw_array_end(&w);
    }
    ts_jsonw_object_end(&w);
    return out->data;
}

/* The identifiers of a stored entry, pointing into *doc (free it with
 * ts_json_free(), and *ids with free()). A malformed text gives none. */
static size_t ids_from_json(const char *text, ts_json_t **doc, ts_adv_ident_t **ids)
{
    *doc = NULL;
    *ids = NULL;
    char msg[TS_JSON_ERRMAX];
    if (text[0] == '\0' ||
        ts_json_parse(text, strlen(text), 1u << 20, 4, 0, doc, msg, sizeof msg) != 0)
        return 0;
    size_t n = 0, cap = 0;
    for (int k = TS_ID_MODEL; k <= TS_ID_SERIAL; k++) {
        ts_json_t *arr;
        size_t na = 0;
        if (ts_json_get_array(*doc, ts_adv_id_kind_name((ts_adv_id_kind_t)k), false, &arr, &na, msg,
                              sizeof msg) != 0)
            continue;
        for (size_t i = 0; i < na; i++) {
            ts_str_t s;
            if (ts_json_as_str(ts_json_index(arr, i), "id", &s, msg, sizeof msg) != 0)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 8;
                *ids = ts_xrealloc(*ids, cap * sizeof **ids);
            }
            (*ids)[n++] = (ts_adv_ident_t){(ts_adv_id_kind_t)k, s.ptr};
        }
    }
    return n;
}

static void remediations_json(const ts_adv_product_t *p, ts_buf_t *out)
{
    ts_jsonw_t w;
    ts_buf_reset(out);
    ts_jsonw_init(&w, out);
    ts_jsonw_array_begin(&w);
    for (size_t i = 0; i < p->n_remediations; i++) {
        const ts_adv_remediation_t *r = p->remediations[i];
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "category");
        ts_jsonw_cstr(&w, r->category ? r->category : "");
        ts_jsonw_key(&w, "details");
        ts_jsonw_cstr(&w, r->details ? r->details : "");
        ts_jsonw_key(&w, "url");
        ts_jsonw_cstr(&w, r->url ? r->url : "");
        ts_jsonw_object_end(&w);
    }
    ts_jsonw_array_end(&w);
}

static void fill_new(struct mrow *r, const ts_adv_match_t *m, const char *remed)
{
    r->site_id = m->site_id;
    r->platform_id = m->platform_id;
    r->status = (int)m->status;
    r->undecided = m->undecided;
    r->family = m->family;
    r->ref = ts_xstrdup(m->product->ref ? m->product->ref : "");
    r->name = ts_xstrdup(m->product->full_name ? m->product->full_name : "");
    r->rule = ts_xstrdup(m->rule);
    r->remed = ts_xstrdup(remed);
}

static int collect_old(const ts_adv_match_rec_t *m, void *ctx)
{
    struct mrow *r = mrows_add(ctx);
    r->site_id = m->site_id;
    r->platform_id = m->platform_id;
    r->status = m->status;
    r->undecided = m->undecided;
    r->family = m->family;
    r->ref = ts_xstrdup(m->product_ref);
    r->name = ts_xstrdup(m->product_name);
    r->rule = ts_xstrdup(m->rule);
    r->remed = ts_xstrdup(m->remediations_json);
    r->first_seen = m->first_seen;
    r->changed_at = m->changed_at;
    r->alerted_at = m->alerted_at;
    return 0;
}

/* The match that speaks for a site: decided first, then most urgent. */
static const struct mrow *site_best(const struct mrow *v, size_t n)
{
    const struct mrow *b = NULL;
    for (size_t i = 0; i < n; i++)
        if (b == NULL || (b->undecided && !v[i].undecided) ||
            (b->undecided == v[i].undecided && v[i].status < b->status))
            b = &v[i];
    return b;
}

/* Decides alerts for one site's rows of one advisory and writes them,
 * replacing the old ones. old and nw hold only that site's rows. */
static int settle_site(ts_store_t *st, int64_t adv_rowid, int64_t site_id, struct mrow *old,
                       size_t n_old, struct mrow *nw, size_t n_new, int64_t now,
                       ts_adv_import_stats_t *stats)
{
    const struct mrow *ob = site_best(old, n_old), *nb = site_best(nw, n_new);
    int64_t alerted = 0, changed_at = now;
    for (size_t i = 0; i < n_old; i++)
        if (old[i].alerted_at > alerted)
            alerted = old[i].alerted_at;
    bool changed = true;
    if (ob && nb)
        changed = ob->status != nb->status || ob->undecided != nb->undecided ||
                  strcmp(ob->remed, nb->remed) != 0;
    if (!changed)
        changed_at = ob->changed_at;
    if (nb && changed && ts_match_alerts((ts_pstatus_t)nb->status, nb->undecided)) {
        bool was = ob && ts_match_alerts((ts_pstatus_t)ob->status, ob->undecided);
        if (stats) {
            if (was)
                stats->changed_matches++;
            else
                stats->new_matches++;
        }
        alerted = now;
    }
    int r = ts_store_adv_matches_clear(st, adv_rowid, site_id);
    for (size_t i = 0; r == 0 && i < n_new; i++) {
        struct mrow *m = &nw[i];
        m->first_seen = now;
        for (size_t j = 0; j < n_old; j++)
            if (old[j].platform_id == m->platform_id) {
                m->first_seen = old[j].first_seen;
                break;
            }
        ts_adv_match_rec_t rec = {
            .site_id = site_id,
            .platform_id = m->platform_id,
            .adv_rowid = adv_rowid,
            .status = m->status,
            .undecided = m->undecided,
            .family = m->family,
            .product_ref = m->ref,
            .product_name = m->name,
            .rule = m->rule,
            .remediations_json = m->remed,
            .first_seen = m->first_seen,
            .changed_at = changed_at,
            .alerted_at = alerted,
        };
        r = ts_store_adv_match_put(st, &rec);
    }
    return r;
}

/* Merges old and new rows per site (both sorted by site). */
static int settle(ts_store_t *st, int64_t adv_rowid, struct mrows *old, struct mrows *nw,
                  ts_adv_import_stats_t *stats)
{
    if (old->n > 1)
        qsort(old->v, old->n, sizeof *old->v, cmp_site);
    if (nw->n > 1)
        qsort(nw->v, nw->n, sizeof *nw->v, cmp_site);
    int64_t now = now_us();
    size_t i = 0, j = 0;
    int r = 0;
    while (r == 0 && (i < old->n || j < nw->n)) {
        int64_t site = i < old->n ? old->v[i].site_id : INT64_MAX;
        if (j < nw->n && nw->v[j].site_id < site)
            site = nw->v[j].site_id;
        size_t i0 = i, j0 = j;
        while (i < old->n && old->v[i].site_id == site)
            i++;
        while (j < nw->n && nw->v[j].site_id == site)
            j++;
        r = settle_site(st, adv_rowid, site, i > i0 ? old->v + i0 : NULL, i - i0,
                        j > j0 ? nw->v + j0 : NULL, j - j0, now, stats);
    }
    return r;
}

/* ---- One advisory -------------------------------------------------------------- */

struct doc {
    ts_adv_importer_t *imp;
    const char *name;
    ts_adv_import_stats_t *stats;
    ts_adv_report_cb report;
    void *ctx;
    int err;      /* first store error: the document is rolled back */
    size_t count; /* advisories delivered */
    ts_buf_t remed, hashbuf, cves, ids;
    struct mrows nw;
};

static const char *source_name(ts_adv_source_t s)
{
    switch (s) {
    case TS_ADV_CVE5:
        return "cve5";
    case TS_ADV_NVD:
        return "nvd";
    default:
        return "csaf";
    }
}

static void hash_field(ts_buf_t *b, const char *s)
{
    ts_buf_puts(b, s ? s : "");
    ts_buf_putc(b, '\x1e');
}

/* A digest of what matching and listings use, so that the same revision
 * re-issued with other content is told apart from a mere re-import. */
static void content_hash(const ts_advisory_t *a, ts_buf_t *b, char out[65])
{
    ts_buf_reset(b);
    ts_buf_printf(b, "%d|%lld|%lld|%.3f|", (int)a->source, (long long)a->published,
                  (long long)a->updated, a->cvss);
    hash_field(b, a->title);
    hash_field(b, a->publisher);
    hash_field(b, a->severity);
    for (size_t i = 0; i < a->n_cves; i++)
        hash_field(b, a->cves[i]);
    char tmp[TS_VRANGE_TEXT_MAX + 32];
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        hash_field(b, p->ref);
        hash_field(b, p->full_name);
        hash_field(b, p->vendor);
        hash_field(b, p->product);
        if (p->has_cpe) {
            ts_cpe_format(&p->cpe, tmp, sizeof tmp);
            hash_field(b, tmp);
        }
        if (p->has_purl) {
            ts_purl_format(&p->purl, tmp, sizeof tmp);
            hash_field(b, tmp);
        }
        hash_field(b, p->version_text);
        hash_field(b, p->doubt);
        hash_field(b, p->note);
        hash_field(b, p->via);
        for (size_t k = 0; k < p->n_ids; k++)
            hash_field(b, p->ids[k].value);
        ts_buf_printf(b, "%d|%d|%d|", (int)p->status, p->range_ok, p->secondary);
        for (size_t k = 0; k < p->n_remediations; k++) {
            hash_field(b, p->remediations[k]->category);
            hash_field(b, p->remediations[k]->details);
            hash_field(b, p->remediations[k]->url);
        }
    }
    unsigned char d[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, b->data ? b->data : "", b->len, d) != 0)
        memset(d, 0, sizeof d);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

struct stored {
    bool found;
    int64_t rowid, updated;
    char revision[128];
    char hash[65];
};

static int got_stored(const ts_adv_rec_t *rec, void *ctx)
{
    struct stored *s = ctx;
    s->found = true;
    s->rowid = rec->rowid;
    s->updated = rec->updated;
    snprintf(s->revision, sizeof s->revision, "%s", rec->revision);
    snprintf(s->hash, sizeof s->hash, "%s", rec->hash);
    return 0;
}

/* Whether a replaces what is stored: a newer revision, or the same one with
 * other content. Revisions compare as generic versions ("1.2.0", "2"); when
 * they cannot (dates, free text), the update times decide. */
static bool is_newer(const ts_advisory_t *a, const struct stored *s, const char *hash)
{
    int c = 0;
    const char *rev = a->revision ? a->revision : "";
    if (strcmp(rev, s->revision) != 0) {
        if (rev[0] && s->revision[0] &&
            ts_version_cmp(TS_VS_GENERIC, ts_str_c(rev), ts_str_c(s->revision), &c) == 0 && c != 0)
            return c > 0;
        int64_t up = a->updated > 0 ? a->updated : 0;
        if (up != s->updated)
            return up > s->updated;
    }
    return strcmp(hash, s->hash) != 0;
}

static int collect_new(const ts_adv_match_t *m, void *vctx)
{
    struct doc *d = vctx;
    remediations_json(m->product, &d->remed);
    fill_new(mrows_add(&d->nw), m, d->remed.data);
    return 0;
}

static int store_products(struct doc *d, const ts_advisory_t *a, int64_t rowid)
{
    ts_store_t *st = d->imp->st;
    int r = ts_store_adv_products_clear(st, rowid);
    char cpe[1024], purl[1024], key[1024], range[TS_VRANGE_TEXT_MAX + 32];
    char v[TS_NAME_MAX], pr[TS_NAME_MAX];
    for (size_t i = 0; r == 0 && i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        cpe[0] = purl[0] = key[0] = range[0] = '\0';
        if (p->has_cpe)
            ts_cpe_format(&p->cpe, cpe, sizeof cpe);
        if (p->has_purl) {
            ts_purl_format(&p->purl, purl, sizeof purl);
            ts_match_purl_key(&p->purl, key, sizeof key);
        }
        if (p->range_ok)
            ts_vrange_format(&p->range, range, sizeof range);
        ts_match_entry_names(p, v, pr);
        remediations_json(p, &d->remed);
        ts_adv_prod_rec_t rec = {
            .adv_rowid = rowid,
            .ord = (int)i,
            .ref = p->ref,
            .full_name = p->full_name,
            .vendor = v,
            .product = pr,
            .cpe = cpe,
            .purl = purl,
            .purl_key = key,
            .version_text = p->version_text,
            .range = range,
            .range_error = p->range_ok ? "" : p->range_error,
            .doubt = p->doubt,
            .note = p->note,
            .via = p->via,
            .ids_json = ids_json(p, &d->ids),
            .secondary = p->secondary,
            .status = (int)p->status,
            .remediations_json = d->remed.data,
        };
        r = ts_store_adv_product_add(st, &rec);
    }
    return r;
}

static int import_one(struct doc *d, const ts_advisory_t *a)
{
    ts_store_t *st = d->imp->st;
    if (a->id == NULL || a->id[0] == '\0')
        return TS_EMISSING;
    char hash[65];
    content_hash(a, &d->hashbuf, hash);
    struct stored old = {0};
    int r = ts_store_adv_get(st, a->id, got_stored, &old);
    if (r && r != TS_ENOENT)
        return r;
    if (old.found && !is_newer(a, &old, hash)) {
        d->stats->unchanged++;
        return 0;
    }
    ts_jsonw_t w;
    ts_buf_reset(&d->cves);
    ts_jsonw_init(&w, &d->cves);
    ts_jsonw_array_begin(&w);
    for (size_t i = 0; i < a->n_cves; i++)
        ts_jsonw_cstr(&w, a->cves[i]);
    ts_jsonw_array_end(&w);
    ts_adv_rec_t rec = {
        .id = a->id,
        .source = source_name(a->source),
        .revision = a->revision,
        .title = a->title,
        .publisher = a->publisher,
        .published = a->published > 0 ? a->published : 0,
        .updated = a->updated > 0 ? a->updated : 0,
        .cvss = a->cvss,
        .severity = a->severity,
        .cves_json = d->cves.data,
        .hash = hash,
        .document = d->name,
    };
    int64_t rowid = 0;
    r = ts_store_adv_put(st, &rec, &rowid);
    if (r == 0)
        r = store_products(d, a, rowid);
    struct mrows oldm = {0};
    if (r == 0 && old.found)
        r = ts_store_adv_matches_of(st, rowid, 0, collect_old, &oldm);
    mrows_free(&d->nw);
    if (r == 0)
        r = ts_match_advisory(d->imp->idx, a, collect_new, d);
    if (r == 0)
        r = settle(st, rowid, &oldm, &d->nw, d->stats);
    mrows_free(&oldm);
    mrows_free(&d->nw);
    if (r == 0) {
        if (old.found)
            d->stats->replaced++;
        else
            d->stats->imported++;
    }
    return r;
}

static int on_advisory(ts_advisory_t *a, void *vctx)
{
    struct doc *d = vctx;
    d->count++;
    for (size_t i = 0; i < a->n_problems; i++) {
        d->stats->problems++;
        if (d->report)
            d->report(d->name, 0, a->problems[i], d->ctx);
    }
    int r = d->err ? 0 : import_one(d, a);
    if (r && d->err == 0)
        d->err = r;
    ts_advisory_free(a);
    /* A store error ends the document: it is rolled back as a whole. */
    return d->err ? 1 : 0;
}

static void on_bad(const char *name, size_t index, int code, const char *why, void *vctx)
{
    struct doc *d = vctx;
    d->stats->problems++;
    if (d->report) {
        char msg[1024];
        snprintf(msg, sizeof msg, "entry %zu refused: %s", index, why);
        d->report(name, code, msg, d->ctx);
    }
}

static void doc_free(struct doc *d)
{
    ts_buf_free(&d->remed);
    ts_buf_free(&d->hashbuf);
    ts_buf_free(&d->cves);
    ts_buf_free(&d->ids);
    mrows_free(&d->nw);
}

static int reject(ts_adv_import_stats_t *stats, ts_adv_report_cb report, void *ctx,
                  const char *name, int code, const char *why)
{
    stats->rejected++;
    if (report)
        report(name, code, why, ctx);
    return code;
}

int ts_adv_importer_buffer(ts_adv_importer_t *imp, const char *data, size_t len, const char *name,
                           ts_adv_import_stats_t *stats, ts_adv_report_cb report, void *ctx)
{
    ts_adv_import_stats_t dummy = {0};
    if (stats == NULL)
        stats = &dummy;
    if (imp == NULL || (data == NULL && len > 0))
        return TS_EINVAL;
    if (name == NULL)
        name = "(buffer)";
    stats->documents++;
    if (len > TS_ADV_DOC_MAX)
        return reject(stats, report, ctx, name, TS_ETOOBIG, "document over the size limit");
    /* The counters of a rolled-back document must not count. */
    ts_adv_import_stats_t before = *stats;
    struct doc d = {.imp = imp, .name = name, .stats = stats, .report = report, .ctx = ctx};
    int r = ts_store_begin(imp->st);
    if (r) {
        doc_free(&d);
        return reject(stats, report, ctx, name, r, ts_store_errmsg(imp->st));
    }
    char err[1024] = "";
    r = ts_advisory_parse_any(data ? data : "", len, name, on_advisory, on_bad, &d, err,
                              sizeof err);
    if (d.err) {
        r = d.err;
        snprintf(err, sizeof err, "store: %s", ts_store_errmsg(imp->st));
    } else if (r == 0 && d.count == 0 && stats->problems == before.problems) {
        r = TS_EMISSING;
        snprintf(err, sizeof err, "no advisory in the document");
    } else if (r > 0) {
        r = TS_EINVAL;
    }
    if (r == 0)
        r = ts_store_commit(imp->st);
    else
        ts_store_rollback(imp->st);
    doc_free(&d);
    if (r) {
        uint64_t problems = stats->problems;
        *stats = before;
        stats->problems = problems;
        return reject(stats, report, ctx, name, r, err[0] ? err : ts_strerror(r));
    }
    return 0;
}

/* ---- Files and directories ------------------------------------------------------- */

static int read_file(const char *path, char **data, size_t *len, char *why, size_t whysize)
{
    return ts_file_read(path, TS_ADV_DOC_MAX, TS_FILE_NOFOLLOW | TS_FILE_REGULAR, data, len, why,
                        whysize);
}

static int import_file(ts_adv_importer_t *imp, const char *path, ts_adv_import_stats_t *stats,
                       ts_adv_report_cb report, void *ctx)
{
    char *data = NULL, why[512] = "";
    size_t len = 0;
    int r = read_file(path, &data, &len, why, sizeof why);
    if (r) {
        stats->documents++;
        return reject(stats, report, ctx, path, r, why);
    }
    r = ts_adv_importer_buffer(imp, data, len, path, stats, report, ctx);
    free(data);
    return r;
}

static bool is_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int walk(ts_adv_importer_t *imp, const char *dir, int depth, ts_adv_import_stats_t *stats,
                ts_adv_report_cb report, void *ctx)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        stats->documents++;
        char why[256];
        snprintf(why, sizeof why, "cannot read directory: %s", strerror(errno));
        reject(stats, report, ctx, dir, TS_EIO, why);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (nm[0] == '.') /* ., .., and hidden files */
            continue;
        size_t plen = strlen(dir) + strlen(nm) + 2;
        char *p = ts_xmalloc(plen);
        snprintf(p, plen, "%s/%s", dir, nm);
        struct stat sb;
        if (lstat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                if (depth < IMPORT_DEPTH_MAX)
                    (void)walk(imp, p, depth + 1, stats, report, ctx);
                else if (report)
                    report(p, TS_EDEPTH, "directory nested too deep: skipped", ctx);
            } else if (S_ISREG(sb.st_mode) && is_json(nm)) {
                (void)import_file(imp, p, stats, report, ctx);
            }
        }
        free(p);
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return 0;
}

int ts_adv_importer_path(ts_adv_importer_t *imp, const char *path, ts_adv_import_stats_t *stats,
                         ts_adv_report_cb report, void *ctx)
{
    ts_adv_import_stats_t dummy = {0};
    if (stats == NULL)
        stats = &dummy;
    if (imp == NULL || path == NULL)
        return TS_EINVAL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? TS_ENOENT : TS_EIO;
    if (S_ISDIR(sb.st_mode))
        return walk(imp, path, 0, stats, report, ctx);
    if (!S_ISREG(sb.st_mode))
        return TS_EIO;
    (void)import_file(imp, path, stats, report, ctx);
    return 0;
}

/* ---- Sessions --------------------------------------------------------------------- */

struct load {
    ts_match_index_t *idx;
    int err;
};

static int load_platform(const ts_plat_rec_t *rec, void *vctx)
{
    struct load *l = vctx;
    ts_platform_t *p = ts_xmalloc(sizeof *p);
    char err[256];
    /* A stored spec that no longer parses (a parser changed) is left out
     * rather than failing every import; it is canonical, so this is rare. */
    if (ts_platform_parse(rec->spec, p, err, sizeof err) == 0)
        l->err = ts_match_index_add(l->idx, rec->id, rec->site_id, p);
    free(p);
    return l->err;
}

int ts_adv_importer_new(ts_store_t *st, ts_adv_importer_t **out)
{
    if (st == NULL || out == NULL)
        return TS_EINVAL;
    *out = NULL;
    struct load l = {ts_match_index_new(), 0};
    int r = ts_store_platforms_foreach(st, 0, load_platform, &l);
    if (r) {
        ts_match_index_free(l.idx);
        return r;
    }
    ts_adv_importer_t *imp = ts_xcalloc(1, sizeof *imp);
    imp->st = st;
    imp->idx = l.idx;
    *out = imp;
    return 0;
}

void ts_adv_importer_free(ts_adv_importer_t *imp)
{
    if (imp == NULL)
        return;
    ts_match_index_free(imp->idx);
    free(imp);
}

size_t ts_adv_importer_platforms(const ts_adv_importer_t *imp)
{
    return imp ? ts_match_index_count(imp->idx) : 0;
}

size_t ts_adv_importer_memory(const ts_adv_importer_t *imp)
{
    return imp ? ts_match_index_memory(imp->idx) : 0;
}

int ts_adv_import_buffer(ts_store_t *st, const char *data, size_t len, const char *name,
                         ts_adv_import_stats_t *stats, ts_adv_report_cb report, void *ctx)
{
    ts_adv_importer_t *imp;
    int r = ts_adv_importer_new(st, &imp);
    if (r)
        return r;
    r = ts_adv_importer_buffer(imp, data, len, name, stats, report, ctx);
    ts_adv_importer_free(imp);
    return r;
}

int ts_adv_import_path(ts_store_t *st, const char *path, ts_adv_import_stats_t *stats,
                       ts_adv_report_cb report, void *ctx)
{
    ts_adv_importer_t *imp;
    int r = ts_adv_importer_new(st, &imp);
    if (r)
        return r;
    r = ts_adv_importer_path(imp, path, stats, report, ctx);
    ts_adv_importer_free(imp);
    return r;
}

/* ---- A platform added after the advisories ---------------------------------------- */

struct padd {
    const ts_platform_t *plat;
    int64_t platform_id, site_id;
    struct mrows found; /* one per advisory: the best entry; platform_id holds the adv rowid */
    int64_t *advs;
};

/* Rebuilds the entry the matcher needs from its stored row; its identifiers
 * point into *ids_doc (ts_json_free() it, and free() p->ids, after). */
static void rebuild(const ts_adv_prod_rec_t *rec, ts_adv_product_t *p, ts_json_t **ids_doc)
{
    memset(p, 0, sizeof *p);
    p->ref = rec->ref;
    p->full_name = rec->full_name;
    p->doubt = rec->doubt;
    p->note = rec->note;
    p->via = rec->via;
    p->secondary = rec->secondary;
    ts_adv_ident_t *ids;
    p->n_ids = ids_from_json(rec->ids_json ? rec->ids_json : "", ids_doc, &ids);
    p->ids = ids;
    snprintf(p->vendor, sizeof p->vendor, "%s", rec->vendor);
    snprintf(p->product, sizeof p->product, "%s", rec->product);
    char err[256];
    if (rec->cpe[0] && ts_cpe_parse(ts_str_c(rec->cpe), &p->cpe, err, sizeof err) == 0)
        p->has_cpe = true;
    if (rec->purl[0] && ts_purl_parse(ts_str_c(rec->purl), &p->purl, err, sizeof err) == 0)
        p->has_purl = true;
    p->version_text = rec->version_text;
    p->range_error = rec->range_error;
    if (rec->range[0]) {
        if (ts_vrange_parse_vers(ts_str_c(rec->range), &p->range, NULL, err, sizeof err) == 0)
            p->range_ok = true;
        else
            p->range_error = "the stored range no longer reads";
    }
    p->status = (ts_pstatus_t)rec->status;
}

static int on_candidate(const ts_adv_prod_rec_t *rec, void *vctx)
{
    struct padd *pa = vctx;
    ts_adv_product_t *p = ts_xmalloc(sizeof *p);
    ts_json_t *ids_doc;
    rebuild(rec, p, &ids_doc);
    bool und;
    char rule[TS_MATCH_RULE_MAX];
    int hit = ts_match_one(pa->plat, p, &und, rule, sizeof rule);
    free((void *)p->ids);
    ts_json_free(ids_doc);
    if (hit) {
        struct mrow *last = pa->found.n ? &pa->found.v[pa->found.n - 1] : NULL;
        /* Rows come by advisory: the last row is this advisory's best so far. */
        if (last && last->platform_id == rec->adv_rowid) {
            if (!ts_match_better(und, p->secondary, p->status, last->undecided, last->secondary,
                                 (ts_pstatus_t)last->status)) {
                free(p);
                return 0;
            }
            free(last->ref);
            free(last->name);
            free(last->rule);
            free(last->remed);
        } else {
            last = mrows_add(&pa->found);
        }
        last->platform_id = rec->adv_rowid;
        last->site_id = pa->site_id;
        last->status = (int)p->status;
        last->secondary = p->secondary;
        last->undecided = und;
        last->family = pa->plat->family;
        last->ref = ts_xstrdup(rec->ref);
        last->name = ts_xstrdup(rec->full_name);
        last->rule = ts_xstrdup(rule);
        last->remed = ts_xstrdup(rec->remediations_json);
    }
    free(p);
    return 0;
}

/* The best entry of each advisory that applies to pa->plat, into pa->found. */
static int find_candidates(ts_store_t *st, struct padd *pa)
{
    char key[1024] = "";
    if (pa->plat->kind == TS_PLAT_PURL)
        ts_match_purl_key(&pa->plat->purl, key, sizeof key);
    return ts_store_adv_products_for(st, pa->plat->vendor,
                                     pa->plat->vendor_family ? NULL : pa->plat->product, key,
                                     ts_platform_has_ids(pa->plat), on_candidate, pa);
}

static int match_new_platform(ts_store_t *st, struct padd *pa, ts_adv_import_stats_t *stats)
{
    int r = find_candidates(st, pa);
    for (size_t i = 0; r == 0 && i < pa->found.n; i++) {
        struct mrow *f = &pa->found.v[i];
        int64_t adv = f->platform_id;
        struct mrows old = {0}, nw = {0};
        r = ts_store_adv_matches_of(st, adv, pa->site_id, collect_old, &old);
        for (size_t k = 0; r == 0 && k < old.n; k++) {
            struct mrow *c = mrows_add(&nw);
            *c = old.v[k];
            c->ref = ts_xstrdup(c->ref);
            c->name = ts_xstrdup(c->name);
            c->rule = ts_xstrdup(c->rule);
            c->remed = ts_xstrdup(c->remed);
        }
        if (r == 0) {
            struct mrow *c = mrows_add(&nw);
            *c = *f;
            c->platform_id = pa->platform_id;
            c->ref = ts_xstrdup(f->ref);
            c->name = ts_xstrdup(f->name);
            c->rule = ts_xstrdup(f->rule);
            c->remed = ts_xstrdup(f->remed);
            r = settle(st, adv, &old, &nw, stats);
        }
        mrows_free(&old);
        mrows_free(&nw);
    }
    return r;
}

int ts_adv_platform_add(ts_store_t *st, int64_t site_id, const char *spec, int64_t *id,
                        ts_adv_import_stats_t *stats, char *err, size_t errsize)
{
    if (st == NULL || spec == NULL || id == NULL) {
        ts_seterr(err, errsize, "no platform given");
        return TS_EINVAL;
    }
    ts_platform_t *p = ts_xmalloc(sizeof *p);
    int r = ts_platform_parse(spec, p, err, errsize);
    if (r) {
        free(p);
        return r;
    }
    r = ts_store_begin(st);
    if (r) {
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
        free(p);
        return r;
    }
    char key[1024] = "";
    if (p->kind == TS_PLAT_PURL)
        ts_match_purl_key(&p->purl, key, sizeof key);
    ts_plat_rec_t rec = {
        .site_id = site_id,
        .spec = p->spec,
        .kind = ts_platform_kind_name(p),
        .vendor = p->vendor,
        .product = p->product,
        .version = p->version,
        .purl_key = key,
    };
    r = ts_store_platform_add(st, &rec, id);
    struct padd pa = {.plat = p, .platform_id = *id, .site_id = site_id};
    if (r == 0)
        r = match_new_platform(st, &pa, stats);
    mrows_free(&pa.found);
    if (r == 0)
        r = ts_store_commit(st);
    else
        ts_store_rollback(st);
    if (r == TS_EEXIST)
        ts_seterr(err, errsize, "the site has %s already", p->spec);
    else if (r == TS_ENOENT)
        ts_seterr(err, errsize, "no such site");
    else if (r)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    free(p);
    return r;
}

/* ---- A product seen on the network --------------------------------------------------- */

int ts_adv_match_spec(ts_store_t *st, const char *spec, ts_adv_spec_cb cb, void *ctx, char *err,
                      size_t errsize)
{
    if (st == NULL || spec == NULL || cb == NULL) {
        ts_seterr(err, errsize, "no platform given");
        return TS_EINVAL;
    }
    ts_platform_t *p = ts_xmalloc(sizeof *p);
    int r = ts_platform_parse(spec, p, err, errsize);
    if (r) {
        free(p);
        return r;
    }
    struct padd pa = {.plat = p};
    r = find_candidates(st, &pa);
    for (size_t i = 0; r == 0 && i < pa.found.n; i++) {
        const struct mrow *f = &pa.found.v[i];
        ts_adv_spec_match_t m = {.adv_rowid = f->platform_id,
                                 .entry = f->name,
                                 .rule = f->rule,
                                 .status = f->status,
                                 .undecided = f->undecided};
        r = cb(&m, ctx);
    }
    if (r < 0)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    mrows_free(&pa.found);
    free(p);
    return r;
}
