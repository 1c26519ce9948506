/* SPDX-License-Identifier: Apache-2.0 */
#include "advisory/advisory.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/adv_int.h"
#include "core/event.h"
#include "core/mem.h"

const char *ts_pstatus_name(ts_pstatus_t s)
{
    switch (s) {
    case TS_PS_AFFECTED:
        return "known_affected";
    case TS_PS_UNDER_INVESTIGATION:
        return "under_investigation";
    case TS_PS_FIXED:
        return "fixed";
    case TS_PS_NOT_AFFECTED:
        return "known_not_affected";
    }
    return "unknown";
}

const char *ts_adv_id_kind_name(ts_adv_id_kind_t k)
{
    switch (k) {
    case TS_ID_MODEL:
        return "model_numbers";
    case TS_ID_SKU:
        return "skus";
    case TS_ID_SERIAL:
        return "serial_numbers";
    }
    return "";
}

/* What priv_ points to (in the arena): the product array is malloc'd apart,
 * handed over as built rather than copied (entries are large). */
typedef struct advpriv {
    ts_arena_t *arena;
    ts_adv_product_t *prods;
} advpriv_t;

void ts_advisory_free(ts_advisory_t *a)
{
    if (a == NULL)
        return;
    advpriv_t *pv = a->priv_; /* a and pv live in the arena */
    ts_adv_product_t *prods = pv->prods;
    ts_arena_free(pv->arena);
    free(prods);
}

/* ---- Builder ------------------------------------------------------------- */

void advb_init(advb_t *b, ts_adv_source_t src, const char *name, char *err, size_t errsize)
{
    memset(b, 0, sizeof *b);
    b->arena = ts_arena_new(16384);
    b->a = ts_arena_alloc(b->arena, sizeof *b->a);
    memset(b->a, 0, sizeof *b->a);
    b->a->source = src;
    b->a->id = b->a->title = b->a->publisher = b->a->revision = "";
    b->a->published = b->a->updated = TS_TIME_NONE;
    b->a->cvss = -1.0;
    b->a->severity = "unknown";
    advpriv_t *pv = ts_arena_alloc(b->arena, sizeof *pv);
    pv->arena = b->arena;
    pv->prods = NULL;
    b->a->priv_ = pv;
    b->name = name ? name : "advisory";
    b->err = err;
    b->errsize = errsize;
    if (err && errsize)
        err[0] = '\0';
}

void advb_discard(advb_t *b)
{
    free(b->prods);
    free(b->probs);
    free(b->cves);
    ts_arena_free(b->arena);
    memset(b, 0, sizeof *b);
}

ts_advisory_t *advb_finish(advb_t *b)
{
    ts_advisory_t *a = b->a;
    if (b->probs_cut)
        advb_problem(b, "(%zu more problems not listed)", b->probs_cut);
    if (b->nprods) {
        if (b->capprods > b->nprods)
            b->prods = ts_xrealloc(b->prods, b->nprods * sizeof *b->prods);
        ((advpriv_t *)a->priv_)->prods = b->prods;
        a->products = b->prods;
        a->n_products = b->nprods;
        b->prods = NULL;
    }
    if (b->nprobs) {
        const char **p = ts_arena_alloc(b->arena, b->nprobs * sizeof *p);
        memcpy(p, b->probs, b->nprobs * sizeof *p);
        a->problems = p;
        a->n_problems = b->nprobs;
    }
    if (b->ncves) {
        const char **p = ts_arena_alloc(b->arena, b->ncves * sizeof *p);
        memcpy(p, b->cves, b->ncves * sizeof *p);
        a->cves = p;
        a->n_cves = b->ncves;
    }
    free(b->prods);
    free(b->probs);
    free(b->cves);
    memset(b, 0, sizeof *b);
    return a;
}

int advb_fail(advb_t *b, int rc, const char *fmt, ...)
{
    if (b->err == NULL || b->errsize == 0)
        return rc;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (b->plen)
        ts_seterr(b->err, b->errsize, "%s: %s: %s", b->name, b->path, msg);
    else
        ts_seterr(b->err, b->errsize, "%s: %s", b->name, msg);
    return rc;
}

void advb_problem(advb_t *b, const char *fmt, ...)
{
    if (b->nprobs >= ADV_PROBLEMS_MAX) {
        b->probs_cut++;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (b->nprobs == b->capprobs) {
        b->capprobs = b->capprobs ? 2 * b->capprobs : 8;
        b->probs = ts_xrealloc(b->probs, b->capprobs * sizeof *b->probs);
    }
    b->probs[b->nprobs++] =
        b->plen ? advb_printf(b, "%s: %s", b->path, msg) : advb_printf(b, "%s", msg);
}

size_t advb_push(advb_t *b, const char *fmt, ...)
{
    size_t old = b->plen;
    if (old >= sizeof b->path - 1)
        return old;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->path + old, sizeof b->path - old, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    b->plen = old + (size_t)n;
    if (b->plen >= sizeof b->path) /* cut: keep what fits */
        b->plen = sizeof b->path - 1;
    return old;
}

void advb_pop(advb_t *b, size_t len)
{
    b->plen = len;
    b->path[len] = '\0';
}

const char *advb_strdup(advb_t *b, ts_str_t s)
{
    if (s.len == 0)
        return "";
    return ts_arena_strdup(b->arena, s).ptr;
}

const char *advb_printf(advb_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return "";
    char *p = ts_arena_alloc(b->arena, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *advb_alloc(advb_t *b, size_t n)
{
    return ts_arena_alloc(b->arena, n ? n : 1);
}

ts_adv_product_t *advb_product(advb_t *b)
{
    if (b->nprods >= TS_ADV_PRODUCTS_MAX) {
        advb_fail(b, TS_ETOOBIG, "more than %d product entries", TS_ADV_PRODUCTS_MAX);
        return NULL;
    }
    if (b->nprods == b->capprods) {
        b->capprods = b->capprods ? 2 * b->capprods : 16;
        b->prods = ts_xrealloc(b->prods, b->capprods * sizeof *b->prods);
    }
    ts_adv_product_t *p = &b->prods[b->nprods++];
    memset(p, 0, sizeof *p);
    p->ref = p->full_name = p->version_text = p->range_error = p->doubt = p->note = p->via = "";
    p->status = TS_PS_AFFECTED;
    return p;
}

void advb_add_cve(advb_t *b, ts_str_t id)
{
    id = adv_trim(id);
    if (id.len == 0)
        return;
    for (size_t i = 0; i < b->ncves; i++)
        if (ts_str_eq_c(id, b->cves[i]))
            return;
    if (b->ncves == b->capcves) {
        b->capcves = b->capcves ? 2 * b->capcves : 4;
        b->cves = ts_xrealloc(b->cves, b->capcves * sizeof *b->cves);
    }
    b->cves[b->ncves++] = advb_strdup(b, id);
}

static const char *severity_of(double score)
{
    if (score >= 9.0)
        return "critical";
    if (score >= 7.0)
        return "high";
    if (score >= 4.0)
        return "medium";
    if (score > 0.0)
        return "low";
    return "none";
}

/* One of the fixed severity words, or NULL. */
static const char *severity_word(ts_str_t s)
{
    static const char *const words[] = {"critical", "high", "medium",   "moderate",
                                        "low",      "none", "important"};
    static const char *const norm[] = {"critical", "high", "medium", "medium",
                                       "low",      "none", "high"};
    s = adv_trim(s);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (adv_ieq(s, words[i]))
            return norm[i];
    return NULL;
}

void advb_score(advb_t *b, double score, ts_str_t severity, int major)
{
    if (!(score >= 0.0 && score <= 10.0)) { /* also NaN */
        advb_problem(b, "CVSS base score %g out of range", score);
        return;
    }
    /* v3 is what most sources give and sites compare; v4 next, v2 last. */
    int rank = major == 3 ? 3 : major == 4 ? 2 : 1;
    if (rank < b->cvss_rank)
        return;
    if (rank > b->cvss_rank || score > b->a->cvss) {
        b->a->cvss = score;
        const char *w = severity_word(severity);
        b->a->severity = w ? w : severity_of(score);
    }
    b->cvss_rank = rank;
}

void advb_severity_text(advb_t *b, ts_str_t text)
{
    const char *w = severity_word(text);
    if (w && b->a->cvss < 0)
        b->a->severity = w;
}

/* ---- Identity ------------------------------------------------------------- */

void advb_vendor(advb_t *b, ts_adv_product_t *p, ts_str_t name)
{
    int rc = ts_name_vendor(name, p->vendor);
    if (rc != 0) {
        p->vendor[0] = '\0';
        if (rc == TS_ETOOBIG)
            advb_problem(b, "vendor name of %zu bytes too long", name.len);
    }
}

void advb_product_name(advb_t *b, ts_adv_product_t *p, ts_str_t name)
{
    int rc = ts_name_product(name, p->product);
    if (rc != 0) {
        p->product[0] = '\0';
        if (rc == TS_ETOOBIG)
            advb_problem(b, "product name of %zu bytes too long", name.len);
    }
}

void advb_cpe(advb_t *b, ts_adv_product_t *p, ts_str_t cpe)
{
    char why[160] = "";
    if (ts_cpe_parse(adv_trim(cpe), &p->cpe, why, sizeof why) == 0) {
        p->has_cpe = true;
    } else {
        p->has_cpe = false;
        advb_problem(b, "CPE \"%.*s\" not understood: %s", (int)(cpe.len > 200 ? 200 : cpe.len),
                     cpe.ptr, why);
    }
}

void advb_purl(advb_t *b, ts_adv_product_t *p, ts_str_t purl)
{
    char why[160] = "";
    if (ts_purl_parse(adv_trim(purl), &p->purl, why, sizeof why) == 0) {
        p->has_purl = true;
    } else {
        p->has_purl = false;
        advb_problem(b, "purl \"%.*s\" not understood: %s", (int)(purl.len > 200 ? 200 : purl.len),
                     purl.ptr, why);
    }
}

/* ---- Versions ------------------------------------------------------------- */

void advb_range_all(ts_adv_product_t *p, ts_vscheme_t s)
{
    memset(&p->range, 0, sizeof p->range);
    p->range.scheme = s;
    p->range.all = true;
    p->range_ok = true;
    p->range_error = "";
}

void advb_range_fail(advb_t *b, ts_adv_product_t *p, const char *why)
{
    p->range_ok = false;
    p->range_error = advb_strdup(b, ts_str_c(why));
    advb_problem(b, "product %s: version \"%s\" not understood: %s", p->ref, p->version_text, why);
}

void advb_range_text(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t text)
{
    char why[256] = "";
    text = adv_trim(text);
    p->version_text = advb_strdup(b, text);
    int rc;
    if (text.len >= 5 && memcmp(text.ptr, "vers:", 5) == 0) {
        bool repaired = false;
        rc = ts_vrange_parse_vers(text, &p->range, &repaired, why, sizeof why);
        if (rc == 0 && repaired)
            advb_problem(b, "product %s: invalid vers \"%s\" read as a plain range", p->ref,
                         p->version_text);
    } else {
        rc = ts_vrange_parse_vls(s, text, &p->range, why, sizeof why);
    }
    if (rc == 0) {
        p->range_ok = true;
        p->range_error = "";
    } else {
        advb_range_fail(b, p, why[0] ? why : ts_strerror(rc));
    }
}

void advb_range_exact(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t v)
{
    char why[256] = "";
    v = adv_trim(v);
    p->version_text = advb_strdup(b, v);
    int rc = ts_vrange_exact(s, v, &p->range, why, sizeof why);
    if (rc == 0) {
        p->range_ok = true;
        p->range_error = "";
    } else {
        advb_range_fail(b, p, why[0] ? why : ts_strerror(rc));
    }
}

void advb_range_bounds(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t start,
                       bool start_incl, ts_str_t end, bool end_incl)
{
    char why[256] = "";
    start = adv_trim(start);
    end = adv_trim(end);
    if (start.len == 0 && end.len == 0) {
        p->version_text = "";
        advb_range_all(p, s);
        return;
    }
    p->version_text = advb_printf(b, "%s%.*s%s%s%.*s", start.len ? (start_incl ? ">=" : ">") : "",
                                  (int)start.len, start.ptr, start.len && end.len ? " " : "",
                                  end.len ? (end_incl ? "<=" : "<") : "", (int)end.len, end.ptr);
    int rc = ts_vrange_from_bounds(s, start, start_incl, end, end_incl, &p->range, why, sizeof why);
    if (rc == 0) {
        p->range_ok = true;
        p->range_error = "";
    } else {
        advb_range_fail(b, p, why[0] ? why : ts_strerror(rc));
    }
}

/* A title from descriptions[]: the first English one, cut at a character. */
int advb_title_from_descriptions(advb_t *b, const ts_json_t *ctr)
{
    ts_json_t *d;
    size_t n;
    int rc = advj_arr(b, ctr, "descriptions", false, &d, &n);
    ts_str_t best = TS_STR_NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_json_t *o = NULL;
        ts_str_t lang = TS_STR_NULL, val = TS_STR_NULL;
        size_t mark = advb_push(b, ".descriptions[%zu]", i);
        if ((rc = advj_obj_at(b, d, i, &o)) || (rc = advj_str(b, o, "lang", true, &lang)) ||
            (rc = advj_str(b, o, "value", true, &val)))
            return rc;
        advb_pop(b, mark);
        if (best.ptr == NULL || (lang.len >= 2 && strncmp(lang.ptr, "en", 2) == 0)) {
            best = adv_trim(val);
            if (lang.len >= 2 && strncmp(lang.ptr, "en", 2) == 0)
                break;
        }
    }
    if (rc == 0 && best.len && b->a->title[0] == '\0') {
        if (best.len > 200) {
            best.len = 200;
            while (best.len && ((unsigned char)best.ptr[best.len] & 0xC0) == 0x80)
                best.len--;
        }
        const char *nl = memchr(best.ptr, '\n', best.len);
        if (nl)
            best.len = (size_t)(nl - best.ptr);
        b->a->title = advb_strdup(b, adv_trim(best));
    }
    return rc;
}

/* ---- JSON ----------------------------------------------------------------- */

int advb_parse_json(const char *data, size_t len, const char *name, ts_json_t **out, char *err,
                    size_t errsize)
{
    char msg[TS_JSON_ERRMAX];
    *out = NULL;
    if (name == NULL)
        name = "advisory";
    if (data == NULL && len > 0)
        len = 0;
    if (len > TS_ADV_DOC_MAX) {
        ts_seterr(err, errsize, "%s: document of %zu bytes exceeds the limit of %u", name, len,
                  TS_ADV_DOC_MAX);
        return TS_ETOOBIG;
    }
    int rc = ts_json_parse(data ? data : "", len, TS_ADV_DOC_MAX, ADV_JSON_DEPTH,
                           TS_JSON_NO_DUPKEYS, out, msg, sizeof msg);
    if (rc == TS_ETOOBIG) /* the length was checked: it is the nesting */
        rc = TS_EDEPTH;
    if (rc != 0)
        ts_seterr(err, errsize, "%s: %s", name, msg);
    else if (!json_object_is_type(*out, json_type_object)) {
        ts_seterr(err, errsize, "%s: expected a JSON object, got %s", name,
                  ts_json_type_name(*out));
        ts_json_free(*out);
        *out = NULL;
        rc = TS_ETYPE;
    }
    return rc;
}

int advj_str(advb_t *b, const ts_json_t *obj, const char *key, bool req, ts_str_t *out)
{
    char msg[TS_JSON_ERRMAX];
    int rc = ts_json_get_str(obj, key, req, out, msg, sizeof msg);
    return rc ? advb_fail(b, rc, "%s", msg) : 0;
}

int advj_obj(advb_t *b, const ts_json_t *obj, const char *key, bool req, ts_json_t **out)
{
    ts_json_t *v;
    if (!ts_json_member(obj, key, &v)) {
        *out = NULL;
        return req ? advb_fail(b, TS_EMISSING, "field \"%s\" is missing", key) : 0;
    }
    if (!json_object_is_type(v, json_type_object))
        return advb_fail(b, TS_ETYPE, "%s: expected object, got %s", key, ts_json_type_name(v));
    *out = v;
    return 0;
}

int advj_arr(advb_t *b, const ts_json_t *obj, const char *key, bool req, ts_json_t **out, size_t *n)
{
    char msg[TS_JSON_ERRMAX];
    int rc = ts_json_get_array(obj, key, req, out, n, msg, sizeof msg);
    return rc ? advb_fail(b, rc, "%s", msg) : 0;
}

int advj_bool(advb_t *b, const ts_json_t *obj, const char *key, bool *out)
{
    char msg[TS_JSON_ERRMAX];
    ts_json_t *v;
    if (!ts_json_member(obj, key, &v))
        return 0;
    int rc = ts_json_as_bool(v, key, out, msg, sizeof msg);
    return rc ? advb_fail(b, rc, "%s", msg) : 0;
}

int advj_num(advb_t *b, const ts_json_t *obj, const char *key, double *out)
{
    ts_json_t *v;
    if (!ts_json_member(obj, key, &v))
        return 1;
    /* json.h has no accessor for non-integer numbers: CVSS scores are. */
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return advb_fail(b, TS_ETYPE, "%s: expected number, got %s", key, ts_json_type_name(v));
    *out = json_object_get_double(v);
    return 0;
}

int advj_str_at(advb_t *b, const ts_json_t *arr, size_t i, ts_str_t *out)
{
    char msg[TS_JSON_ERRMAX];
    char what[32];
    snprintf(what, sizeof what, "[%zu]", i);
    int rc = ts_json_as_str(ts_json_index(arr, i), what, out, msg, sizeof msg);
    return rc ? advb_fail(b, rc, "%s", msg) : 0;
}

int advj_obj_at(advb_t *b, const ts_json_t *arr, size_t i, ts_json_t **out)
{
    ts_json_t *v = ts_json_index(arr, i);
    if (!json_object_is_type(v, json_type_object))
        return advb_fail(b, TS_ETYPE, "[%zu]: expected object, got %s", i, ts_json_type_name(v));
    *out = v;
    return 0;
}

int64_t advb_time(advb_t *b, ts_str_t s, const char *what)
{
    int64_t us;
    if (s.len == 0)
        return TS_TIME_NONE;
    if (ts_time_parse(s.ptr, s.len, &us) != 0) {
        advb_problem(b, "%s: date \"%.*s\" not understood", what, (int)(s.len > 64 ? 64 : s.len),
                     s.ptr);
        return TS_TIME_NONE;
    }
    return us;
}

ts_str_t adv_trim(ts_str_t s)
{
    while (s.len && isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

bool adv_ieq(ts_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

/* ---- Detection ------------------------------------------------------------ */

int ts_advisory_parse_any(const char *data, size_t len, const char *name, ts_adv_cb cb,
                          ts_adv_bad_cb bad, void *ctx, char *err, size_t errsize)
{
    ts_json_t *doc;
    if (name == NULL)
        name = "advisory";
    int rc = advb_parse_json(data, len, name, &doc, err, errsize);
    if (rc != 0)
        return rc;
    ts_json_t *d, *v;
    ts_advisory_t *a = NULL;
    if (ts_json_member(doc, "document", &d) && ts_json_member(d, "csaf_version", &v)) {
        rc = ts_csaf_from_json(doc, name, &a, err, errsize);
    } else if (ts_json_member(doc, "dataType", &v) && json_object_is_type(v, json_type_string) &&
               strcmp(json_object_get_string(v), "CVE_RECORD") == 0) {
        rc = ts_cve5_from_json(doc, name, &a, err, errsize);
    } else if (ts_json_member(doc, "vulnerabilities", &v) &&
               json_object_is_type(v, json_type_array)) {
        rc = ts_nvd_from_json(doc, name, cb, bad, ctx, err, errsize);
        ts_json_free(doc);
        return rc;
    } else {
        ts_seterr(err, errsize,
                  "%s: not a CSAF document, CVE record or NVD response (no \"document\", "
                  "\"dataType\" or \"vulnerabilities\")",
                  name);
        rc = TS_ENOTSUP;
    }
    ts_json_free(doc);
    if (rc != 0)
        return rc;
    return cb(a, ctx);
}
