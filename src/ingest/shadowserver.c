/* SPDX-License-Identifier: Apache-2.0 */
/* The schema engine: the schema is compiled once into per-report field
 * lists, each field's header column is found once per file, and a row costs
 * one CSV split plus one conversion per non-empty cell. */
#include "ingest/shadowserver.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/json.h"
#include "core/mem.h"
#include "ingest/csv.h"
#include "ingest/field.h"
#include "ingest/parser_int.h"

/* The conversions of the schema format, by name (IntelMQ's functions). */
enum conv {
    C_NONE,
    C_TO_NONE,
    C_INT,
    C_FLOAT,
    C_BOOL,
    C_INVALIDATE_ZERO,
    C_VALIDATE_IP,
    C_VALIDATE_NETWORK,
    C_VALIDATE_FQDN,
    C_ADD_UTC,
    C_DATE,
    C_DATE_UTC,
    C_BASE64,
    C_CVE_TAG,
    C_HOST_URL,
    C_CATEGORY_OR_DETAIL,
    C_EXCH_TAXONOMY,
    C_EXCH_TYPE,
    C_EXCH_IDENTIFIER,
    C_COUNT_
};

static const char *const conv_names[C_COUNT_] = {
    [C_NONE] = "",
    [C_TO_NONE] = "validate_to_none",
    [C_INT] = "convert_int",
    [C_FLOAT] = "convert_float",
    [C_BOOL] = "convert_bool",
    [C_INVALIDATE_ZERO] = "invalidate_zero",
    [C_VALIDATE_IP] = "validate_ip",
    [C_VALIDATE_NETWORK] = "validate_network",
    [C_VALIDATE_FQDN] = "validate_fqdn",
    [C_ADD_UTC] = "add_UTC_to_timestamp",
    [C_DATE] = "convert_date",
    [C_DATE_UTC] = "convert_date_utc",
    [C_BASE64] = "force_base64",
    [C_CVE_TAG] = "extract_cve_from_tag",
    [C_HOST_URL] = "convert_http_host_and_url",
    [C_CATEGORY_OR_DETAIL] = "category_or_detail",
    [C_EXCH_TAXONOMY] = "scan_exchange_taxonomy",
    [C_EXCH_TYPE] = "scan_exchange_type",
    [C_EXCH_IDENTIFIER] = "scan_exchange_identifier",
};

static int conv_find(const char *name)
{
    for (int i = 1; i < C_COUNT_; i++)
        if (strcmp(conv_names[i], name) == 0)
            return i;
    return -1;
}

typedef struct sfield {
    char *name;   /* the event field as the schema names it */
    char *column; /* CSV column */
    ts_field_t target;
    int conv;
    bool required;
} sfield_t;

typedef struct sconst {
    char *name, *value;
    ts_field_t target;
} sconst_t;

typedef struct report {
    char *key, *file_name, *feed_name;
    sconst_t *consts;
    size_t n_consts;
    sfield_t *fields;
    size_t n_fields;
} report_t;

struct ts_ss_schema {
    char *date;
    report_t *reports;
    size_t n;
};

/* ---- Loading ------------------------------------------------------------------- */

static void report_free(report_t *r)
{
    free(r->key);
    free(r->file_name);
    free(r->feed_name);
    for (size_t i = 0; i < r->n_consts; i++) {
        free(r->consts[i].name);
        free(r->consts[i].value);
    }
    free(r->consts);
    for (size_t i = 0; i < r->n_fields; i++) {
        free(r->fields[i].name);
        free(r->fields[i].column);
    }
    free(r->fields);
}

void ts_ss_schema_free(ts_ss_schema_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        report_free(&s->reports[i]);
    free(s->reports);
    free(s->date);
    free(s);
}

static int str_member(json_object *o, const char *key, const char *where, char **out, char *err,
                      size_t errsize)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) {
        ts_seterr(err, errsize, "%s: \"%s\" is missing", where, key);
        return TS_EMISSING;
    }
    if (!json_object_is_type(v, json_type_string)) {
        ts_seterr(err, errsize, "%s: \"%s\" is not a string", where, key);
        return TS_ETYPE;
    }
    *out = ts_xstrdup(json_object_get_string(v));
    return 0;
}

/* One [field, column(, conversion(, true))] entry. */
static int field_entry(json_object *e, const char *where, bool required, sfield_t *f, bool *skip,
                       char *err, size_t errsize)
{
    *skip = false;
    size_t n = json_object_is_type(e, json_type_array) ? json_object_array_length(e) : 0;
    if (n < 2 || n > 4) {
        ts_seterr(err, errsize, "%s: expected [field, column, conversion]", where);
        return TS_ETYPE;
    }
    json_object *name = json_object_array_get_idx(e, 0), *col = json_object_array_get_idx(e, 1);
    if (json_object_is_type(name, json_type_boolean) && !json_object_get_boolean(name)) {
        *skip = true; /* [false, column]: a column the schema ignores on purpose */
        return 0;
    }
    if (!json_object_is_type(name, json_type_string) ||
        !json_object_is_type(col, json_type_string) || json_object_get_string_len(col) == 0) {
        ts_seterr(err, errsize, "%s: field and column must be strings", where);
        return TS_ETYPE;
    }
    const char *fname = json_object_get_string(name);
    f->conv = C_NONE;
    if (n >= 3) {
        json_object *c = json_object_array_get_idx(e, 2);
        if (!json_object_is_type(c, json_type_string) ||
            (f->conv = conv_find(json_object_get_string(c))) < 0) {
            ts_seterr(err, errsize, "%s: unknown conversion %s", where,
                      json_object_to_json_string(c));
            return TS_EINVAL;
        }
    }
    if (n == 4 && !json_object_is_type(json_object_array_get_idx(e, 3), json_type_boolean)) {
        ts_seterr(err, errsize, "%s: the fourth item must be true or false", where);
        return TS_ETYPE;
    }
    f->column = ts_xstrdup(json_object_get_string(col));
    /* "extra." alone: extra under the column's name. */
    if (strcmp(fname, "extra.") == 0) {
        size_t k = strlen(f->column);
        f->name = ts_xmalloc(k + 7);
        memcpy(f->name, "extra.", 6);
        memcpy(f->name + 6, f->column, k + 1);
    } else {
        f->name = ts_xstrdup(fname);
    }
    if (ts_field_resolve(f->name, strlen(f->name), &f->target) != 0) {
        ts_seterr(err, errsize, "%s: empty field name", where);
        return TS_EINVAL;
    }
    f->required = required;
    return 0;
}

static int report_parse(const char *key, json_object *o, report_t *r, char *err, size_t errsize)
{
    char where[160];
    snprintf(where, sizeof where, "report %.100s", key);
    if (!json_object_is_type(o, json_type_object)) {
        ts_seterr(err, errsize, "%s: not an object", where);
        return TS_ETYPE;
    }
    r->key = ts_xstrdup(key);
    int rc;
    if ((rc = str_member(o, "feed_name", where, &r->feed_name, err, errsize)) != 0 ||
        (rc = str_member(o, "file_name", where, &r->file_name, err, errsize)) != 0)
        return rc;
    json_object *c;
    if (json_object_object_get_ex(o, "constant_fields", &c)) {
        if (!json_object_is_type(c, json_type_object)) {
            ts_seterr(err, errsize, "%s: constant_fields is not an object", where);
            return TS_ETYPE;
        }
        r->consts = ts_xcalloc((size_t)json_object_object_length(c) + 1, sizeof *r->consts);
        json_object_object_foreach(c, k, v)
        {
            sconst_t *x = &r->consts[r->n_consts];
            if (!json_object_is_type(v, json_type_string)) {
                ts_seterr(err, errsize, "%s: constant_fields.%.60s is not a string", where, k);
                return TS_ETYPE;
            }
            x->name = ts_xstrdup(k);
            x->value = ts_xstrdup(json_object_get_string(v));
            r->n_consts++;
            if (ts_field_resolve(x->name, strlen(x->name), &x->target) != 0) {
                ts_seterr(err, errsize, "%s: constant_fields: empty field name", where);
                return TS_EINVAL;
            }
            /* A constant that can never be set is a broken schema, not a
             * broken row: refuse it here. */
            ts_arena_t *a = ts_arena_new(1024);
            ts_event_t e;
            ts_event_init(&e);
            ts_fieldstate_t st = {0};
            ts_parse_error_t pe;
            ts_fvalue_t fv = {.kind = TS_FV_STR, .s = ts_str_c(x->value)};
            rc = ts_field_set(a, &e, &st, &x->target, &fv, x->name, &pe);
            ts_arena_free(a);
            if (rc != 0) {
                ts_seterr(err, errsize, "%s: constant_fields: %s", where, pe.detail);
                return TS_EINVAL;
            }
        }
    }
    static const char *const lists[] = {"required_fields", "optional_fields"};
    for (int l = 0; l < 2; l++) {
        json_object *arr;
        if (!json_object_object_get_ex(o, lists[l], &arr)) {
            if (l == 1)
                continue;
            ts_seterr(err, errsize, "%s: required_fields is missing", where);
            return TS_EMISSING;
        }
        if (!json_object_is_type(arr, json_type_array)) {
            ts_seterr(err, errsize, "%s: %s is not an array", where, lists[l]);
            return TS_ETYPE;
        }
        size_t n = json_object_array_length(arr);
        r->fields = ts_xrealloc(r->fields, (r->n_fields + n + 1) * sizeof *r->fields);
        for (size_t i = 0; i < n; i++) {
            char w[220];
            snprintf(w, sizeof w, "%s: %s[%zu]", where, lists[l], i);
            sfield_t *f = &r->fields[r->n_fields];
            memset(f, 0, sizeof *f);
            bool skip;
            rc = field_entry(json_object_array_get_idx(arr, i), w, l == 0, f, &skip, err, errsize);
            if (rc != 0 || !skip)
                r->n_fields++; /* kept so that report_free frees a partial entry */
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int ts_ss_schema_parse(const char *json, size_t len, ts_ss_schema_t **out, char *err,
                       size_t errsize)
{
    *out = NULL;
    ts_json_t *root = NULL;
    char jerr[TS_JSON_ERRMAX];
    int rc = ts_json_parse(json, len, TS_SS_SCHEMA_MAX, 16, 0, &root, jerr, sizeof jerr);
    if (rc != 0) {
        ts_seterr(err, errsize, "not JSON: %s", jerr);
        return rc;
    }
    if (!json_object_is_type(root, json_type_object)) {
        ts_seterr(err, errsize, "not a Shadowserver schema: the root is not an object of reports");
        ts_json_free(root);
        return TS_ETYPE;
    }
    ts_ss_schema_t *s = ts_xcalloc(1, sizeof *s);
    s->reports = ts_xcalloc((size_t)json_object_object_length(root) + 1, sizeof *s->reports);
    json_object_object_foreach(root, key, val)
    {
        if (key[0] == '_') {
            json_object *d;
            if (strcmp(key, "_meta") == 0 && json_object_is_type(val, json_type_object) &&
                json_object_object_get_ex(val, "date_created", &d) &&
                json_object_is_type(d, json_type_string))
                s->date = ts_xstrdup(json_object_get_string(d));
            continue;
        }
        rc = report_parse(key, val, &s->reports[s->n], err, errsize);
        s->n++;
        if (rc != 0)
            break;
    }
    ts_json_free(root);
    if (rc == 0 && s->n == 0) {
        ts_seterr(err, errsize, "not a Shadowserver schema: no report in it");
        rc = TS_EMISSING;
    }
    if (rc != 0) {
        ts_ss_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int ts_ss_schema_load(const char *path, ts_ss_schema_t **out, char *err, size_t errsize)
{
    char *data;
    size_t len;
    char ferr[128];
    int rc = ts_file_read(path, TS_SS_SCHEMA_MAX, 0, &data, &len, ferr, sizeof ferr);
    if (rc != 0) {
        ts_seterr(err, errsize, "%s: %s", path, ferr);
        return rc;
    }
    char perr[256];
    rc = ts_ss_schema_parse(data, len, out, perr, sizeof perr);
    free(data);
    if (rc != 0)
        ts_seterr(err, errsize, "%s: %s", path, perr);
    return rc;
}

const char *ts_ss_schema_date(const ts_ss_schema_t *s)
{
    return s->date;
}

size_t ts_ss_schema_reports(const ts_ss_schema_t *s)
{
    return s->n;
}

const char *ts_ss_report_name(const ts_ss_schema_t *s, int report)
{
    return report >= 0 && (size_t)report < s->n ? s->reports[report].key : NULL;
}

int ts_ss_report_find(const ts_ss_schema_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->reports[i].key, name) == 0)
            return (int)i;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->reports[i].file_name, name) == 0)
            return (int)i;
    return -1;
}

int ts_ss_report_from_path(const ts_ss_schema_t *s, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* YYYY-MM-DD-TYPE-...: the type is what lies between the date and the
     * next '-'. */
    bool dated = strlen(base) > 11 && base[4] == '-' && base[7] == '-' && base[10] == '-';
    for (int i = 0; dated && i < 10; i++)
        if (i != 4 && i != 7 && (base[i] < '0' || base[i] > '9'))
            dated = false;
    if (dated) {
        const char *t = base + 11, *end = strchr(t, '-');
        if (end != NULL && end > t) {
            char type[128];
            size_t n = (size_t)(end - t);
            if (n < sizeof type) {
                memcpy(type, t, n);
                type[n] = '\0';
                for (size_t i = 0; i < s->n; i++)
                    if (strcmp(s->reports[i].file_name, type) == 0)
                        return (int)i;
            }
        }
    }
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t n = strlen(s->reports[i].file_name);
        if (n > best_len && strstr(base, s->reports[i].file_name) != NULL) {
            best = (int)i;
            best_len = n;
        }
    }
    return best;
}

void ts_ss_report_describe(const ts_ss_schema_t *s, int report, ts_buf_t *out)
{
    if (report < 0) {
        for (size_t i = 0; i < s->n; i++)
            ts_buf_printf(out, "%-40s %-40s %zu fields\n", s->reports[i].key,
                          s->reports[i].feed_name, s->reports[i].n_fields);
        return;
    }
    const report_t *r = &s->reports[report];
    ts_buf_printf(out, "report: %s\nfeed: %s\nfile name: %s\n", r->key, r->feed_name, r->file_name);
    for (size_t i = 0; i < r->n_consts; i++)
        ts_buf_printf(out, "constant %s = %s\n", r->consts[i].name, r->consts[i].value);
    for (size_t i = 0; i < r->n_fields; i++) {
        const sfield_t *f = &r->fields[i];
        ts_buf_printf(out, "%s %s <- %s%s%s\n", f->required ? "required" : "optional", f->name,
                      f->column, f->conv ? " by " : "", conv_names[f->conv]);
    }
}

/* ---- Conversions -------------------------------------------------------------- */

/* Columns that the row-reading conversions look at. */
enum { X_CC_DNS, X_HTTP_HOST, X_URL, X_HTTP_URL, X_APPLICATION, X_DETAIL, X_COUNT_ };
static const char *const row_columns[X_COUNT_] = {"cc_dns",   "http_host",   "url",
                                                  "http_url", "application", "detail"};

typedef struct rowctx {
    const ts_str_t *cells;
    const int *idx; /* X_* -> column index, -1 when the header lacks it */
} rowctx_t;

static ts_str_t row_get(const rowctx_t *row, int x, bool *has)
{
    int i = row ? row->idx[x] : -1;
    *has = i >= 0;
    return i >= 0 ? row->cells[i] : ts_str("", 0);
}

static bool eq_ci(ts_str_t s, const char *w)
{
    size_t n = strlen(w);
    return s.len == n && strncasecmp(s.ptr, w, n) == 0;
}

static ts_str_t trim(ts_str_t s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* Python's int(): blanks around, an optional sign, digits. */
static bool parse_int(ts_str_t s, int64_t *out)
{
    s = trim(s);
    bool neg = false;
    if (s.len && (s.ptr[0] == '+' || s.ptr[0] == '-')) {
        neg = s.ptr[0] == '-';
        s.ptr++;
        s.len--;
    }
    if (s.len == 0 || s.len > 18)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
        x = x * 10 + (s.ptr[i] - '0');
    }
    *out = neg ? -x : x;
    return true;
}

static bool parse_float(ts_str_t s, double *out)
{
    s = trim(s);
    char buf[64];
    if (s.len == 0 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    for (size_t i = 0; i < s.len; i++)
        if (!strchr("0123456789+-.eE", buf[i]))
            return false; /* no "nan", "inf" or hex: not JSON numbers */
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    return *end == '\0' && errno == 0;
}

static bool is_base64(ts_str_t s)
{
    if (s.len % 4 != 0)
        return false;
    size_t pad = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/';
        if (c == '=' && i >= s.len - 2)
            pad++;
        else if (!alpha || pad)
            return false;
    }
    return true;
}

static ts_str_t base64(ts_arena_t *a, ts_str_t s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = ts_arena_alloc(a, (s.len + 2) / 3 * 4 + 1);
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0; i < s.len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < s.len)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < s.len)
            v |= p[i + 2];
        o[k++] = tab[v >> 18];
        o[k++] = tab[(v >> 12) & 63];
        o[k++] = i + 1 < s.len ? tab[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < s.len ? tab[v & 63] : '=';
    }
    o[k] = '\0';
    return ts_str(o, k);
}

static int cmp_str(const void *x, const void *y)
{
    const ts_str_t *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->ptr, b->ptr, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* "affected-software;cve-2023-12345;ssl" -> "cve-2023-12345": the tags of
 * the form cve-DIGITS-DIGITS, sorted, without repeats, comma-separated. */
static bool cve_tags(ts_arena_t *a, ts_str_t v, ts_str_t *out)
{
    ts_str_t found[64];
    size_t n = 0;
    size_t i = 0;
    while (i <= v.len && n < 64) {
        const char *semi = memchr(v.ptr + i, ';', v.len - i);
        size_t end = semi ? (size_t)(semi - v.ptr) : v.len;
        ts_str_t t = ts_str(v.ptr + i, end - i);
        size_t k = 4, d1 = 0, d2 = 0;
        bool ok = t.len > 6 && memcmp(t.ptr, "cve-", 4) == 0;
        while (ok && k < t.len && t.ptr[k] >= '0' && t.ptr[k] <= '9') {
            k++;
            d1++;
        }
        ok = ok && d1 > 0 && k < t.len && t.ptr[k++] == '-';
        while (ok && k < t.len && t.ptr[k] >= '0' && t.ptr[k] <= '9') {
            k++;
            d2++;
        }
        if (ok && d2 > 0 && k == t.len)
            found[n++] = t;
        i = end + 1;
    }
    if (n == 0)
        return false;
    qsort(found, n, sizeof found[0], cmp_str);
    char *o = ts_arena_alloc(a, v.len + 1);
    size_t len = 0;
    for (size_t j = 0; j < n; j++) {
        if (j > 0 && ts_str_eq(found[j], found[j - 1]))
            continue;
        if (len)
            o[len++] = ',';
        memcpy(o + len, found[j].ptr, found[j].len);
        len += found[j].len;
    }
    *out = ts_str(o, len);
    return true;
}

/* IntelMQ's convert_http_host_and_url: the host (cc_dns, else http_host)
 * and the path (url, else http_url, cut to its first '/' up to the first
 * blank) as application://host/path, application http unless https. */
static ts_str_t host_url(ts_arena_t *a, ts_str_t v, const rowctx_t *row)
{
    bool has;
    ts_str_t host = row_get(row, X_CC_DNS, &has);
    if (!has)
        host = row_get(row, X_HTTP_HOST, &has);
    ts_str_t path = row_get(row, X_URL, &has);
    if (!has)
        path = row_get(row, X_HTTP_URL, &has);
    if (host.len == 0 || path.len == 0)
        return v;
    size_t k = 0;
    while (k < path.len && path.ptr[k] != '/')
        k++;
    size_t e = k;
    while (e < path.len && path.ptr[e] != ' ' && path.ptr[e] != '\t' && path.ptr[e] != '\r' &&
           path.ptr[e] != '\n')
        e++;
    ts_str_t app = row_get(row, X_APPLICATION, &has);
    const char *scheme = ts_str_eq_c(app, "https") ? "https" : "http";
    size_t n = strlen(scheme) + 3 + host.len + (e - k);
    char *o = ts_arena_alloc(a, n + 1);
    size_t len = (size_t)snprintf(o, n + 1, "%s://", scheme);
    memcpy(o + len, host.ptr, host.len);
    len += host.len;
    memcpy(o + len, path.ptr + k, e - k);
    len += e - k;
    o[len] = '\0';
    return ts_str(o, len);
}

/* 1: *v set; 0: nothing (the field stays unset); <0: refused. */
static int convert(int conv, ts_str_t cell, const rowctx_t *row, ts_arena_t *a, ts_fvalue_t *v)
{
    v->kind = TS_FV_STR;
    v->s = cell;
    int64_t i;
    switch (conv) {
    case C_NONE:
        return cell.len > 0;
    case C_TO_NONE:
        return cell.len > 0 && !ts_str_eq_c(cell, "0") && !ts_str_eq_c(cell, "unknown");
    case C_INT:
    case C_INVALIDATE_ZERO:
        if (cell.len == 0)
            return 0;
        if (!parse_int(cell, &i))
            return TS_EINVAL;
        if (conv == C_INVALIDATE_ZERO && i == 0)
            return 0;
        v->kind = TS_FV_INT;
        v->i = i;
        return 1;
    case C_FLOAT:
        if (cell.len == 0)
            return 0;
        v->kind = TS_FV_FLOAT;
        return parse_float(cell, &v->d) ? 1 : TS_EINVAL;
    case C_BOOL:
        v->kind = TS_FV_BOOL;
        if (eq_ci(cell, "y") || eq_ci(cell, "yes") || eq_ci(cell, "true") ||
            eq_ci(cell, "enabled") || eq_ci(cell, "1"))
            v->b = true;
        else if (eq_ci(cell, "n") || eq_ci(cell, "no") || eq_ci(cell, "false") ||
                 eq_ci(cell, "disabled") || eq_ci(cell, "0"))
            v->b = false;
        else
            return 0;
        return 1;
    case C_VALIDATE_IP: {
        ts_ip_t ip;
        return !ts_str_eq_c(cell, "0.0.0.0") && memchr(cell.ptr, '/', cell.len) == NULL &&
               ts_ip_parse(cell.ptr, cell.len, &ip) == 0;
    }
    case C_VALIDATE_NETWORK: {
        ts_prefix_t p;
        return memchr(cell.ptr, '/', cell.len) != NULL &&
               ts_prefix_parse(cell.ptr, cell.len, &p) == 0;
    }
    case C_VALIDATE_FQDN:
        return cell.len > 0 && ts_pdns_name(cell);
    case C_ADD_UTC:
    case C_DATE:
    case C_DATE_UTC: {
        /* A time without a zone is UTC, which is what add_UTC_to_timestamp
         * and convert_date_utc say; the value is given on as RFC 3339. */
        int64_t us;
        if (cell.len == 0 && conv != C_ADD_UTC)
            return 0;
        if (ts_field_time(cell.ptr, cell.len, &us) != 0)
            return TS_EINVAL;
        char *t = ts_arena_alloc(a, 64);
        v->s = ts_str(t, ts_time_format(us, t, 64));
        return 1;
    }
    case C_BASE64:
        if (cell.len == 0)
            return 0;
        if (!is_base64(cell))
            v->s = base64(a, cell);
        return 1;
    case C_CVE_TAG:
        return cve_tags(a, cell, &v->s);
    case C_HOST_URL:
        v->s = host_url(a, cell, row);
        return v->s.len > 0;
    case C_CATEGORY_OR_DETAIL: {
        bool has;
        if (cell.len == 0)
            v->s = row_get(row, X_DETAIL, &has);
        return v->s.len > 0;
    }
    case C_EXCH_TAXONOMY:
    case C_EXCH_TYPE:
    case C_EXCH_IDENTIFIER: {
        bool shell = ts_str_eq_c(cell, "exchange;webshell");
        static const char *const words[3][2] = {
            {"vulnerable", "intrusions"},
            {"infected-system", "system-compromise"},
            {"vulnerable-exchange-server", "exchange-server-webshell"}};
        v->s = ts_str_c(words[conv - C_EXCH_TAXONOMY][shell]);
        return 1;
    }
    }
    return TS_EINVAL;
}

int ts_ss_conversion(const char *name)
{
    return *name ? conv_find(name) : C_NONE;
}

int ts_ss_convert_value(int conv, ts_str_t value, ts_arena_t *a, ts_fvalue_t *out)
{
    if (conv < 0 || conv >= C_COUNT_)
        return TS_EINVAL;
    return convert(conv, value, NULL, a, out);
}

int ts_ss_convert(const char *conversion, const char *value, ts_arena_t *a, ts_buf_t *out)
{
    int c = *conversion ? conv_find(conversion) : C_NONE;
    if (c < 0)
        return TS_ENOENT;
    ts_fvalue_t v;
    int rc = convert(c, ts_str_c(value), NULL, a, &v);
    if (rc < 0)
        return TS_EINVAL;
    if (rc == 0)
        return 0;
    if (v.kind == TS_FV_INT)
        ts_buf_printf(out, "%" PRId64, v.i);
    else if (v.kind == TS_FV_FLOAT)
        ts_buf_printf(out, "%.17g", v.d);
    else if (v.kind == TS_FV_BOOL)
        ts_buf_puts(out, v.b ? "true" : "false");
    else
        ts_buf_append(out, v.s.ptr, v.s.len);
    return 0;
}

/* ---- Rows ------------------------------------------------------------------------ */

struct ts_ss_reader {
    const ts_ss_schema_t *schema;
    const report_t *rep;
    ts_arena_t *consts;    /* the constants' strings */
    ts_event_t tmpl;       /* the report's constants, set once; each row starts from it */
    ts_fieldstate_t tstate;
    int tmpl_rc; /* 0, or why the constants cannot be set */
    ts_parse_error_t tmpl_err;
    ts_arena_t *hdr;    /* the header's names */
    size_t n_cols;      /* header columns; 0 before a header */
    int *field_col;     /* per schema field: its column, -1 when absent */
    ts_str_t *col_name; /* per column */
    ts_str_t *extra;    /* per column: extra key when the schema does not map it, else .ptr NULL */
    int idx[X_COUNT_];
    ts_str_t cells[TS_CSV_FIELDS_MAX];
};

ts_ss_reader_t *ts_ss_reader_new(const ts_ss_schema_t *s, int report)
{
    ts_ss_reader_t *r = ts_xcalloc(1, sizeof *r);
    r->schema = s;
    r->rep = &s->reports[report];
    r->hdr = ts_arena_new(4096);
    r->consts = ts_arena_new(1024);
    r->field_col = ts_xcalloc(r->rep->n_fields + 1, sizeof *r->field_col);
    const report_t *rep = r->rep;
    ts_event_init(&r->tmpl);
    r->tmpl.feed_name = ts_str_c(rep->feed_name);
    r->tmpl.feed_provider = TS_STR_LIT("Shadowserver");
    for (size_t i = 0; i < rep->n_consts && r->tmpl_rc == 0; i++) {
        ts_fvalue_t v = {.kind = TS_FV_STR, .s = ts_str_c(rep->consts[i].value)};
        r->tmpl_rc = ts_field_set(r->consts, &r->tmpl, &r->tstate, &rep->consts[i].target, &v,
                                  rep->consts[i].name, &r->tmpl_err);
    }
    return r;
}

void ts_ss_reader_free(ts_ss_reader_t *r)
{
    if (r == NULL)
        return;
    ts_arena_free(r->hdr);
    ts_arena_free(r->consts);
    free(r->field_col);
    free(r);
}

int ts_ss_reader_header(ts_ss_reader_t *r, const char *rec, size_t len, ts_parse_error_t *err)
{
    ts_arena_reset(r->hdr);
    r->n_cols = 0;
    size_t bom = ts_csv_bom(rec, len);
    ts_str_t *cells = r->cells;
    size_t n;
    int rc = ts_csv_split(rec + bom, len - bom, ',', r->hdr, cells, TS_CSV_FIELDS_MAX, &n);
    if (rc == TS_ETOOBIG)
        return ts_perr(err, rc, "header: more than %d columns", TS_CSV_FIELDS_MAX);
    if (rc != 0)
        return ts_perr(err, TS_ESYNTAX, "header: a quoted name is not closed");
    r->col_name = ts_arena_alloc(r->hdr, n * sizeof *r->col_name);
    r->extra = ts_arena_alloc(r->hdr, n * sizeof *r->extra);
    for (size_t c = 0; c < n; c++) {
        ts_str_t name = ts_arena_strdup(r->hdr, cells[c]);
        r->col_name[c] = name;
        r->extra[c] = name;
        /* A repeated name: the first column is the one the schema reads;
         * the others are kept as <name>_<k>. */
        int k = 1;
        for (size_t d = 0; d < c; d++)
            if (ts_str_eq(r->col_name[d], name))
                k++;
        if (k > 1) {
            char *x = ts_arena_alloc(r->hdr, name.len + 16);
            r->extra[c] = ts_str(
                x, (size_t)snprintf(x, name.len + 16, "%.*s_%d", (int)name.len, name.ptr, k));
            r->col_name[c] = ts_str(NULL, 0);
        }
    }
    for (size_t f = 0; f < r->rep->n_fields; f++) {
        r->field_col[f] = -1;
        for (size_t c = 0; c < n; c++) {
            if (r->col_name[c].ptr && ts_str_eq_c(r->col_name[c], r->rep->fields[f].column)) {
                r->field_col[f] = (int)c;
                r->extra[c] = ts_str(NULL, 0); /* mapped */
                break;
            }
        }
    }
    for (int x = 0; x < X_COUNT_; x++) {
        r->idx[x] = -1;
        for (size_t c = 0; c < n; c++)
            if (r->col_name[c].ptr && ts_str_eq_c(r->col_name[c], row_columns[x]))
                r->idx[x] = (int)c;
    }
    r->n_cols = n;
    return 0;
}

int ts_ss_reader_row(ts_ss_reader_t *r, const char *rec, size_t len, ts_arena_t *a, ts_event_t *out,
                     ts_parse_error_t *err)
{
    if (r->n_cols == 0)
        return ts_perr(err, TS_ESYNTAX, "the report has no usable header line");
    size_t n;
    int rc = ts_csv_split(rec, len, ',', a, r->cells, TS_CSV_FIELDS_MAX, &n);
    if (rc == TS_ETRUNC)
        return ts_perr(err, TS_ESYNTAX, "a quoted field is not closed");
    if (rc != 0 || n != r->n_cols)
        return ts_perr(err, TS_ESYNTAX, "%s%zu fields where the header has %zu",
                       rc ? "more than " : "", n, r->n_cols);
    const report_t *rep = r->rep;
    if (r->tmpl_rc != 0) {
        *err = r->tmpl_err;
        return r->tmpl_rc;
    }
    /* The constants' strings stay in the reader, which outlives every
     * batch of its input. */
    memcpy(out, &r->tmpl, offsetof(ts_event_t, extra) + r->tmpl.n_extra * sizeof(ts_extra_t));
    ts_fieldstate_t st = r->tstate;
    rowctx_t row = {r->cells, r->idx};
    for (size_t f = 0; f < rep->n_fields; f++) {
        const sfield_t *sf = &rep->fields[f];
        int c = r->field_col[f];
        if (c < 0) {
            if (sf->required)
                return ts_perr(err, TS_EMISSING, "required column %s (%s) is not in the header",
                               sf->column, sf->name);
            continue;
        }
        ts_str_t cell = r->cells[c];
        if (cell.len == 0 && sf->required)
            return ts_perr(err, TS_EMISSING, "required field %s (column %s) is empty", sf->name,
                           sf->column);
        ts_fvalue_t v;
        int got = convert(sf->conv, cell, &row, a, &v);
        if (got == 0)
            continue;
        if (got > 0)
            rc = ts_field_set(a, out, &st, &sf->target, &v, sf->column, err);
        if (got < 0 || rc != 0) {
            if (sf->required) {
                if (got < 0)
                    return ts_perr(err, TS_EINVAL, "%s: %s refuses \"%.*s\"", sf->column,
                                   conv_names[sf->conv], (int)(cell.len > 40 ? 40 : cell.len),
                                   cell.ptr);
                return rc;
            }
            /* An optional value that does not convert is kept as it came. */
            if ((rc = ts_field_extra_text(a, out, ts_str_c(sf->column), cell, err)) != 0)
                return rc;
        }
    }
    for (size_t c = 0; c < n; c++)
        if (r->extra[c].ptr != NULL && r->cells[c].len > 0 &&
            (rc = ts_field_extra_text(a, out, r->extra[c], r->cells[c], err)) != 0)
            return rc;
    rc = ts_field_finish(a, out, &st, err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* ---- The parser: `ingest --format shadowserver` ----------------------------------- */

typedef struct ss_state {
    ts_ss_schema_t *schema;
    ts_ss_reader_t *reader;
} ss_state_t;

static void ss_close(void *state)
{
    ss_state_t *s = state;
    if (s == NULL)
        return;
    ts_ss_reader_free(s->reader);
    ts_ss_schema_free(s->schema);
    free(s);
}

static int ss_open(const ts_parser_cfg_t *cfg, void **state, ts_parser_framing_t *framing,
                   char *err, size_t errsize)
{
    const char *path = cfg->schema ? cfg->schema : getenv("TOCSIN_SHADOWSERVER_SCHEMA");
    if (path == NULL || *path == '\0') {
        ts_seterr(err, errsize,
                  "no Shadowserver schema: give --schema FILE (or TOCSIN_SHADOWSERVER_SCHEMA)");
        return TS_EINVAL;
    }
    ss_state_t *s = ts_xcalloc(1, sizeof *s);
    int rc = ts_ss_schema_load(path, &s->schema, err, errsize);
    if (rc != 0) {
        ss_close(s);
        return rc;
    }
    int rep = cfg->report ? ts_ss_report_find(s->schema, cfg->report)
                          : ts_ss_report_from_path(s->schema, cfg->path ? cfg->path : "");
    if (rep < 0) {
        if (cfg->report)
            ts_seterr(err, errsize,
                      "unknown report type '%s' (tocsin feeds schema show lists them)",
                      cfg->report);
        else
            ts_seterr(err, errsize,
                      "the report type does not follow from the file name %s: give --report NAME",
                      cfg->path ? cfg->path : "-");
        ss_close(s);
        return TS_ENOENT;
    }
    s->reader = ts_ss_reader_new(s->schema, rep);
    framing->csv_delim = ',';
    framing->header = true;
    *state = s;
    return 0;
}

static int ss_header(void *state, const char *rec, size_t len, ts_parse_error_t *err)
{
    return ts_ss_reader_header(((ss_state_t *)state)->reader, rec, len, err);
}

static int ss_parse(void *state, const char *rec, size_t len, ts_arena_t *a, ts_event_t *out,
                    ts_parse_error_t *err)
{
    return ts_ss_reader_row(((ss_state_t *)state)->reader, rec, len, a, out, err);
}

const ts_parser_ops_t ts_ss_parser_ops = {ss_open, ss_close, ss_header, ss_parse};
