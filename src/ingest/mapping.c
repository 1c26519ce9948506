/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/mapping.h"

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
#include "ingest/shadowserver.h"

enum tfmt { T_RFC3339, T_UNIX, T_UNIX_MS, T_FILETIME };

typedef struct mfield {
    char *source; /* column name, or dotted JSON path */
    char *name;   /* the event field */
    ts_field_t target;
    int conv;
    int tfmt;
    json_object *map; /* {value: value}, or NULL */
    char *dflt;       /* value when map has no entry, or NULL */
    bool required;
    int col; /* csv: the column in the current header, -1 */
} mfield_t;

struct ts_mapping {
    json_object *root; /* keeps the map objects */
    bool json, header, keep_unmapped;
    char delim;
    char *comment;
    bool have_tlp;
    ts_tlp_t tlp;
    size_t n_consts;
    struct {
        char *name, *value;
        ts_field_t target;
    } * consts;
    size_t n_fields;
    mfield_t *fields;
    /* csv: the current header */
    ts_arena_t *hdr;
    size_t n_cols;
    ts_str_t *col_name;
    bool *col_mapped;
    ts_str_t cells[TS_CSV_FIELDS_MAX];
};

void ts_mapping_free(ts_mapping_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_fields; i++) {
        free(m->fields[i].source);
        free(m->fields[i].name);
        free(m->fields[i].dflt);
    }
    free(m->fields);
    for (size_t i = 0; i < m->n_consts; i++) {
        free(m->consts[i].name);
        free(m->consts[i].value);
    }
    free(m->consts);
    free(m->comment);
    ts_arena_free(m->hdr);
    ts_json_free(m->root);
    free(m);
}

static int field_name(const char *name, const char *where, ts_field_t *f, char *err, size_t errsize)
{
    size_t n = strlen(name);
    if ((n > 6 && memcmp(name, "extra.", 6) == 0) || ts_field_modelled(name, n)) {
        return ts_field_resolve(name, n, f);
    }
    ts_seterr(err, errsize, "%s: unknown field \"%.80s\" (an event field or extra.NAME)", where,
              name);
    return TS_EINVAL;
}

static int time_format(const char *s, int *out)
{
    static const char *const names[] = {"rfc3339", "unix", "unix_ms", "filetime"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return TS_EINVAL;
}

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        ts_seterr(err, errsize, __VA_ARGS__);                                                      \
        return code;                                                                               \
    } while (0)

static int opt_str(json_object *o, const char *key, const char *where, const char **out, char *err,
                   size_t errsize)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_string))
        FAIL(TS_ETYPE, "%s%s: not a string", where, key);
    *out = json_object_get_string(v);
    return 0;
}

static int parse_field(ts_mapping_t *m, json_object *o, size_t i, char *err, size_t errsize)
{
    char where[64];
    snprintf(where, sizeof where, "fields[%zu].", i);
    static const char *const keys[] = {"column", "path",    "field",    "conversion",
                                       "map",    "default", "required", "time_format"};
    char e2[200];
    if (!json_object_is_type(o, json_type_object))
        FAIL(TS_ETYPE, "fields[%zu]: not an object", i);
    if (ts_json_check_keys(o, keys, 8, e2, sizeof e2) != 0)
        FAIL(TS_EINVAL, "fields[%zu]: %s", i, e2);
    mfield_t *f = &m->fields[m->n_fields++];
    f->col = -1;
    const char *src = NULL, *name = NULL, *conv = "", *tf = NULL, *dflt = NULL;
    int rc;
    if ((rc = opt_str(o, m->json ? "path" : "column", where, &src, err, errsize)) ||
        (rc = opt_str(o, "field", where, &name, err, errsize)) ||
        (rc = opt_str(o, "conversion", where, &conv, err, errsize)) ||
        (rc = opt_str(o, "time_format", where, &tf, err, errsize)) ||
        (rc = opt_str(o, "default", where, &dflt, err, errsize)))
        return rc;
    if (src == NULL || *src == '\0')
        FAIL(TS_EMISSING, "%s%s: missing", where, m->json ? "path" : "column");
    if (name == NULL)
        FAIL(TS_EMISSING, "%sfield: missing", where);
    f->source = ts_xstrdup(src);
    f->name = ts_xstrdup(name);
    if ((rc = field_name(f->name, where, &f->target, err, errsize)) != 0)
        return rc;
    if ((f->conv = ts_ss_conversion(conv)) < 0)
        FAIL(TS_EINVAL, "%sconversion: unknown conversion \"%.60s\"", where, conv);
    if (tf && time_format(tf, &f->tfmt) != 0)
        FAIL(TS_EINVAL, "%stime_format: not rfc3339, unix, unix_ms or filetime", where);
    json_object *v;
    if (json_object_object_get_ex(o, "map", &v)) {
        if (!json_object_is_type(v, json_type_object))
            FAIL(TS_ETYPE, "%smap: not an object", where);
        json_object_object_foreach(v, mk, mv)
        {
            if (!json_object_is_type(mv, json_type_string))
                FAIL(TS_ETYPE, "%smap.%.40s: not a string", where, mk);
        }
        f->map = v;
    }
    f->dflt = dflt ? ts_xstrdup(dflt) : NULL;
    if (json_object_object_get_ex(o, "required", &v)) {
        if (!json_object_is_type(v, json_type_boolean))
            FAIL(TS_ETYPE, "%srequired: not true or false", where);
        f->required = json_object_get_boolean(v);
    }
    return 0;
}

int ts_mapping_parse(const char *json, size_t len, ts_mapping_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_json_t *root;
    char jerr[TS_JSON_ERRMAX];
    int rc =
        ts_json_parse(json, len, TS_MAPPING_MAX, 8, TS_JSON_NO_DUPKEYS, &root, jerr, sizeof jerr);
    if (rc != 0) {
        ts_seterr(err, errsize, "not JSON: %s", jerr);
        return rc;
    }
    ts_mapping_t *m = ts_xcalloc(1, sizeof *m);
    m->root = root;
    m->delim = ',';
    m->header = true;
    m->keep_unmapped = true;
    m->hdr = ts_arena_new(4096);
    rc = 0;
    static const char *const keys[] = {"format", "delimiter", "comment", "header",   "time_format",
                                       "tlp",    "constants", "fields",  "unmapped", "description"};
    char e2[200];
    int tfmt = T_RFC3339;
    const char *fmt = NULL, *delim = NULL, *comment = NULL, *tf = NULL, *tlp = NULL,
               *unmapped = NULL;
    json_object *v;
    if (!json_object_is_type(root, json_type_object)) {
        ts_seterr(err, errsize, "not a mapping: the root is not an object");
        rc = TS_ETYPE;
    } else if (ts_json_check_keys(root, keys, sizeof keys / sizeof keys[0], e2, sizeof e2) != 0) {
        ts_seterr(err, errsize, "%s", e2);
        rc = TS_EINVAL;
    } else if ((rc = opt_str(root, "format", "", &fmt, err, errsize)) ||
               (rc = opt_str(root, "delimiter", "", &delim, err, errsize)) ||
               (rc = opt_str(root, "comment", "", &comment, err, errsize)) ||
               (rc = opt_str(root, "time_format", "", &tf, err, errsize)) ||
               (rc = opt_str(root, "tlp", "", &tlp, err, errsize)) ||
               (rc = opt_str(root, "unmapped", "", &unmapped, err, errsize))) {
    } else if (fmt == NULL || (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)) {
        ts_seterr(err, errsize, "format: \"csv\" or \"json\" is needed");
        rc = fmt ? TS_EINVAL : TS_EMISSING;
    } else if (delim && strlen(delim) != 1) {
        ts_seterr(err, errsize, "delimiter: one character is needed");
        rc = TS_EINVAL;
    } else if (tf && time_format(tf, &tfmt) != 0) {
        ts_seterr(err, errsize, "time_format: not rfc3339, unix, unix_ms or filetime");
        rc = TS_EINVAL;
    } else if (tlp && ts_tlp_parse(tlp, strlen(tlp), &m->tlp) != 0) {
        ts_seterr(err, errsize, "tlp: not a TLP label");
        rc = TS_EINVAL;
    } else if (unmapped && strcmp(unmapped, "extra") != 0 && strcmp(unmapped, "drop") != 0) {
        ts_seterr(err, errsize, "unmapped: \"extra\" or \"drop\"");
        rc = TS_EINVAL;
    }
    if (rc == 0) {
        m->json = strcmp(fmt, "json") == 0;
        m->delim = delim ? delim[0] : ',';
        m->comment = comment && *comment ? ts_xstrdup(comment) : NULL;
        m->have_tlp = tlp != NULL;
        m->keep_unmapped = unmapped == NULL || strcmp(unmapped, "extra") == 0;
        if (json_object_object_get_ex(root, "header", &v)) {
            if (!json_object_is_type(v, json_type_boolean)) {
                ts_seterr(err, errsize, "header: not true or false");
                rc = TS_ETYPE;
            } else {
                m->header = json_object_get_boolean(v);
            }
        }
    }
    if (rc == 0 && json_object_object_get_ex(root, "constants", &v)) {
        if (!json_object_is_type(v, json_type_object)) {
            ts_seterr(err, errsize, "constants: not an object");
            rc = TS_ETYPE;
        } else {
            m->consts = ts_xcalloc((size_t)json_object_object_length(v) + 1, sizeof *m->consts);
            json_object_object_foreach(v, ck, cv)
            {
                if (rc != 0)
                    break;
                if (!json_object_is_type(cv, json_type_string)) {
                    ts_seterr(err, errsize, "constants.%.60s: not a string", ck);
                    rc = TS_ETYPE;
                    break;
                }
                m->consts[m->n_consts].name = ts_xstrdup(ck);
                m->consts[m->n_consts].value = ts_xstrdup(json_object_get_string(cv));
                rc = field_name(ck, "constants", &m->consts[m->n_consts].target, err, errsize);
                m->n_consts++;
            }
        }
    }
    size_t n = 0;
    json_object *fields = NULL;
    if (rc == 0 && (!json_object_object_get_ex(root, "fields", &fields) ||
                    !json_object_is_type(fields, json_type_array) ||
                    (n = json_object_array_length(fields)) == 0)) {
        ts_seterr(err, errsize, "fields: a non-empty array is needed");
        rc = TS_EMISSING;
    }
    if (rc == 0) {
        m->fields = ts_xcalloc(n, sizeof *m->fields);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rc = parse_field(m, json_object_array_get_idx(fields, i), i, err, errsize);
            if (rc == 0 && !m->fields[i].conv && m->fields[i].tfmt == T_RFC3339)
                m->fields[i].tfmt = tfmt;
        }
    }
    if (rc != 0) {
        ts_mapping_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- Records ---------------------------------------------------------------------- */

static int set_time(const mfield_t *f, ts_fvalue_t *v, ts_arena_t *a)
{
    if (f->tfmt == T_RFC3339 ||
        (f->target.id != TS_F_TIME_SOURCE && f->target.id != TS_F_TIME_OBSERVATION))
        return 0;
    int64_t x;
    if (v->kind == TS_FV_INT) {
        x = v->i;
    } else if (v->kind == TS_FV_STR) {
        char buf[32];
        if (v->s.len == 0 || v->s.len >= sizeof buf)
            return TS_EINVAL;
        memcpy(buf, v->s.ptr, v->s.len);
        buf[v->s.len] = '\0';
        char *end;
        x = strtoll(buf, &end, 10);
        if (*end != '\0')
            return TS_EINVAL;
    } else {
        return TS_EINVAL;
    }
    int64_t us = f->tfmt == T_UNIX      ? x * 1000000
                 : f->tfmt == T_UNIX_MS ? x * 1000
                                        : x / 10 - INT64_C(11644473600000000);
    char *t = ts_arena_alloc(a, 64);
    v->kind = TS_FV_STR;
    v->s = ts_str(t, ts_time_format(us, t, 64));
    return 0;
}

/* Applies one field to a value (its map, its conversion, its time format). */
static int apply(ts_mapping_t *m, const mfield_t *f, ts_fvalue_t v, ts_arena_t *a, ts_event_t *e,
                 ts_fieldstate_t *st, ts_parse_error_t *err)
{
    (void)m;
    if (v.kind == TS_FV_STR && f->map) {
        json_object *to = NULL;
        char key[256];
        if (v.s.len < sizeof key) {
            memcpy(key, v.s.ptr, v.s.len);
            key[v.s.len] = '\0';
            json_object_object_foreach(f->map, mk, mv)
            {
                if (strcasecmp(mk, key) == 0)
                    to = mv;
            }
        }
        if (to)
            v.s = ts_str_c(json_object_get_string(to));
        else if (f->dflt)
            v.s = ts_str_c(f->dflt);
        /* A value mapped to "" is one the feed gives for "none". */
        if (v.s.len == 0)
            return f->required ? ts_perr(err, TS_EMISSING, "%s: empty", f->source) : 0;
    }
    if (v.kind == TS_FV_STR && f->conv) {
        int got = ts_ss_convert_value(f->conv, v.s, a, &v);
        if (got < 0)
            return ts_perr(err, TS_EINVAL, "%s: the conversion refuses \"%.*s\"", f->source,
                           (int)(v.s.len > 40 ? 40 : v.s.len), v.s.ptr);
        if (got == 0)
            return f->required ? ts_perr(err, TS_EMISSING, "%s: empty", f->source) : 0;
    }
    if (set_time(f, &v, a) != 0)
        return ts_perr(err, TS_EINVAL, "%s: not a valid time", f->source);
    return ts_field_set(a, e, st, &f->target, &v, f->source, err);
}

static void begin(ts_mapping_t *m, ts_event_t *e)
{
    ts_event_init(e);
    if (m->have_tlp)
        e->tlp = m->tlp;
}

static int constants(ts_mapping_t *m, ts_arena_t *a, ts_event_t *e, ts_fieldstate_t *st,
                     ts_parse_error_t *err)
{
    for (size_t i = 0; i < m->n_consts; i++) {
        ts_fvalue_t v = {.kind = TS_FV_STR, .s = ts_str_c(m->consts[i].value)};
        int rc = ts_field_set(a, e, st, &m->consts[i].target, &v, m->consts[i].name, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int csv_header(ts_mapping_t *m, const char *rec, size_t len, ts_parse_error_t *err)
{
    ts_arena_reset(m->hdr);
    m->n_cols = 0;
    size_t bom = ts_csv_bom(rec, len), n;
    int rc = ts_csv_split(rec + bom, len - bom, m->delim, m->hdr, m->cells, TS_CSV_FIELDS_MAX, &n);
    if (rc != 0)
        return ts_perr(err, rc == TS_ETOOBIG ? rc : TS_ESYNTAX, "header: not a CSV header");
    m->col_name = ts_arena_alloc(m->hdr, n * sizeof *m->col_name);
    m->col_mapped = ts_arena_alloc(m->hdr, n * sizeof *m->col_mapped);
    for (size_t c = 0; c < n; c++) {
        m->col_name[c] = ts_arena_strdup(m->hdr, m->cells[c]);
        m->col_mapped[c] = false;
        for (size_t d = 0; d < c; d++)
            if (ts_str_eq(m->col_name[d], m->col_name[c]))
                return ts_perr(err, TS_EINVAL, "header: column \"%.*s\" appears twice",
                               (int)(m->col_name[c].len > 60 ? 60 : m->col_name[c].len),
                               m->col_name[c].ptr);
    }
    for (size_t f = 0; f < m->n_fields; f++) {
        m->fields[f].col = -1;
        for (size_t c = 0; c < n; c++)
            if (ts_str_eq_c(m->col_name[c], m->fields[f].source)) {
                m->fields[f].col = (int)c;
                m->col_mapped[c] = true;
            }
    }
    m->n_cols = n;
    return 0;
}

static int csv_row(ts_mapping_t *m, const char *rec, size_t len, ts_arena_t *a, ts_event_t *e,
                   ts_parse_error_t *err)
{
    if (m->comment && len >= strlen(m->comment) && memcmp(rec, m->comment, strlen(m->comment)) == 0)
        return TS_PARSE_SKIP;
    if (!m->header && m->n_cols == 0) {
        /* Columns named by number: the first row says how many. */
        char num[24];
        ts_buf_t h = TS_BUF_INIT;
        size_t n;
        if (ts_csv_split(rec, len, m->delim, a, m->cells, TS_CSV_FIELDS_MAX, &n) != 0)
            n = 1;
        for (size_t c = 0; c < n; c++) {
            snprintf(num, sizeof num, "%zu", c + 1);
            if (c)
                ts_buf_putc(&h, m->delim);
            ts_buf_puts(&h, num);
        }
        int rc = csv_header(m, h.data, h.len, err);
        ts_buf_free(&h);
        if (rc)
            return rc;
    }
    if (m->n_cols == 0)
        return ts_perr(err, TS_ESYNTAX, "the feed has no usable header line");
    size_t n;
    int rc = ts_csv_split(rec, len, m->delim, a, m->cells, TS_CSV_FIELDS_MAX, &n);
    if (rc == TS_ETRUNC)
        return ts_perr(err, TS_ESYNTAX, "a quoted field is not closed");
    if (rc != 0 || n != m->n_cols)
        return ts_perr(err, TS_ESYNTAX, "%zu fields where the header has %zu", n, m->n_cols);
    begin(m, e);
    ts_fieldstate_t st = {0};
    if ((rc = constants(m, a, e, &st, err)) != 0)
        return rc;
    for (size_t f = 0; f < m->n_fields; f++) {
        const mfield_t *mf = &m->fields[f];
        if (mf->col < 0 || m->cells[mf->col].len == 0) {
            if (mf->required)
                return ts_perr(err, TS_EMISSING, "required column %s is %s", mf->source,
                               mf->col < 0 ? "not in the header" : "empty");
            continue;
        }
        ts_fvalue_t v = {.kind = TS_FV_STR, .s = m->cells[mf->col]};
        if ((rc = apply(m, mf, v, a, e, &st, err)) != 0)
            return rc;
    }
    for (size_t c = 0; m->keep_unmapped && c < n; c++)
        if (!m->col_mapped[c] && m->cells[c].len &&
            (rc = ts_field_extra_text(a, e, m->col_name[c], m->cells[c], err)) != 0)
            return rc;
    rc = ts_field_finish(a, e, &st, err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* A dotted path into nested objects. */
static json_object *path_get(json_object *o, const char *path)
{
    char seg[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof seg || !json_object_is_type(o, json_type_object))
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        json_object *next;
        if (!json_object_object_get_ex(o, seg, &next))
            return NULL;
        o = next;
        path += n + (dot ? 1 : 0);
    }
    return o;
}

static bool top_mapped(const ts_mapping_t *m, const char *key)
{
    size_t n = strlen(key);
    for (size_t f = 0; f < m->n_fields; f++) {
        const char *p = m->fields[f].source;
        if (strncmp(p, key, n) == 0 && (p[n] == '\0' || p[n] == '.'))
            return true;
    }
    return false;
}

static int json_row(ts_mapping_t *m, const char *rec, size_t len, ts_arena_t *a, ts_event_t *e,
                    ts_parse_error_t *err)
{
    if (m->comment && len >= strlen(m->comment) && memcmp(rec, m->comment, strlen(m->comment)) == 0)
        return TS_PARSE_SKIP;
    ts_json_t *o;
    char jerr[TS_JSON_ERRMAX];
    int rc = ts_json_parse(rec, len, TS_LINE_MAX, 16, 0, &o, jerr, sizeof jerr);
    if (rc != 0)
        return ts_perr(err, rc, "%s", jerr);
    if (!json_object_is_type(o, json_type_object)) {
        ts_json_free(o);
        return ts_perr(err, TS_ETYPE, "not a JSON object");
    }
    begin(m, e);
    ts_fieldstate_t st = {0};
    rc = constants(m, a, e, &st, err);
    for (size_t f = 0; rc == 0 && f < m->n_fields; f++) {
        const mfield_t *mf = &m->fields[f];
        json_object *v = path_get(o, mf->source);
        ts_fvalue_t fv = {.kind = TS_FV_STR};
        switch (v ? json_object_get_type(v) : json_type_null) {
        case json_type_null:
            fv.s = ts_str("", 0);
            break;
        case json_type_string:
            fv.s = ts_str(json_object_get_string(v), (size_t)json_object_get_string_len(v));
            break;
        case json_type_int:
            fv.kind = TS_FV_INT;
            fv.i = json_object_get_int64(v);
            break;
        case json_type_double:
            fv.kind = TS_FV_FLOAT;
            fv.d = json_object_get_double(v);
            break;
        case json_type_boolean:
            fv.kind = TS_FV_BOOL;
            fv.b = json_object_get_boolean(v);
            break;
        default:
            fv.s = ts_str_c(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
            break;
        }
        if (fv.kind == TS_FV_STR && fv.s.len == 0) {
            if (mf->required)
                rc = ts_perr(err, TS_EMISSING, "required member %s is missing", mf->source);
            continue;
        }
        rc = apply(m, mf, fv, a, e, &st, err);
    }
    if (rc == 0 && m->keep_unmapped) {
        json_object_object_foreach(o, k, v)
        {
            if (rc != 0 || v == NULL || top_mapped(m, k))
                continue;
            const char *txt = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
            ts_str_t key = ts_arena_strdup(a, ts_str_c(k));
            size_t tl = strlen(txt);
            if (tl > TS_EVENT_STR_MAX) {
                rc = ts_perr(err, TS_ETOOBIG, "%.60s: value longer than %d bytes", k,
                             TS_EVENT_STR_MAX);
            } else if (e->n_extra >= TS_EVENT_EXTRA_MAX) {
                rc = ts_perr(err, TS_ETOOBIG, "more than %d extra fields", TS_EVENT_EXTRA_MAX);
            } else {
                e->extra[e->n_extra].key = key;
                e->extra[e->n_extra++].value_json = ts_arena_strdup(a, ts_str(txt, tl));
            }
        }
    }
    ts_json_free(o);
    if (rc == 0)
        rc = ts_field_finish(a, e, &st, err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* ---- The parsers --------------------------------------------------------------------- */

static int framing_of(ts_mapping_t *m, ts_parser_framing_t *framing)
{
    framing->csv_delim = m->json ? 0 : m->delim;
    framing->header = !m->json && m->header;
    return 0;
}

static void m_close(void *state)
{
    ts_mapping_free(state);
}

static int m_open(const ts_parser_cfg_t *cfg, void **state, ts_parser_framing_t *framing, char *err,
                  size_t errsize)
{
    if (cfg->mapping == NULL) {
        ts_seterr(err, errsize, "--format mapped needs --mapping FILE");
        return TS_EINVAL;
    }
    char *data;
    size_t len;
    char ferr[128], perr[256];
    int rc = ts_file_read(cfg->mapping, TS_MAPPING_MAX, 0, &data, &len, ferr, sizeof ferr);
    if (rc != 0) {
        ts_seterr(err, errsize, "%s: %s", cfg->mapping, ferr);
        return rc;
    }
    ts_mapping_t *m;
    rc = ts_mapping_parse(data, len, &m, perr, sizeof perr);
    free(data);
    if (rc != 0) {
        ts_seterr(err, errsize, "%s: %s", cfg->mapping, perr);
        return rc;
    }
    *state = m;
    return framing_of(m, framing);
}

static int m_header(void *state, const char *rec, size_t len, ts_parse_error_t *err)
{
    return csv_header(state, rec, len, err);
}

static int m_parse(void *state, const char *rec, size_t len, ts_arena_t *a, ts_event_t *out,
                   ts_parse_error_t *err)
{
    ts_mapping_t *m = state;
    return m->json ? json_row(m, rec, len, a, out, err) : csv_row(m, rec, len, a, out, err);
}

const ts_parser_ops_t ts_mapping_parser_ops = {m_open, m_close, m_header, m_parse};

static int builtin(const char *text, void **state, ts_parser_framing_t *framing, char *err,
                   size_t errsize)
{
    ts_mapping_t *m;
    int rc = ts_mapping_parse(text, strlen(text), &m, err, errsize);
    if (rc != 0)
        return rc;
    *state = m;
    return framing_of(m, framing);
}

/* CERT-EU's CSV feed, as IntelMQ's cert_eu parser reads it. */
static const char certeu_mapping[] =
    "{\"format\":\"csv\",\"tlp\":\"AMBER\","
    "\"constants\":{\"feed.provider\":\"CERT-EU\",\"feed.name\":\"CERT-EU\"},"
    "\"fields\":["
    "{\"column\":\"source ip\",\"field\":\"source.ip\",\"conversion\":\"validate_ip\"},"
    "{\"column\":\"source time\",\"field\":\"time.source\"},"
    "{\"column\":\"observation time\",\"field\":\"time.observation\"},"
    "{\"column\":\"tlp\",\"field\":\"tlp\"},"
    "{\"column\":\"description\",\"field\":\"event_description.text\"},"
    "{\"column\":\"type\",\"field\":\"classification.type\",\"map\":{"
    "\"malware url\":\"malware-distribution\",\"phishing\":\"phishing\","
    "\"malware\":\"infected-system\",\"botnet drone\":\"infected-system\","
    "\"c&c\":\"c2-server\",\"scanner\":\"scanner\",\"spam\":\"spam\","
    "\"brute-force\":\"brute-force\",\"ddos\":\"ddos\",\"exploit\":\"exploit\","
    "\"vulnerable service\":\"vulnerable-system\"},\"default\":\"undetermined\"},"
    "{\"column\":\"type\",\"field\":\"classification.identifier\"},"
    "{\"column\":\"protocol\",\"field\":\"protocol.application\"},"
    "{\"column\":\"destination port\",\"field\":\"destination.port\",\"conversion\":"
    "\"convert_int\"},"
    "{\"column\":\"source port\",\"field\":\"source.port\",\"conversion\":\"convert_int\"},"
    "{\"column\":\"source asn\",\"field\":\"source.asn\",\"conversion\":\"invalidate_zero\"},"
    "{\"column\":\"source bgp prefix\",\"field\":\"source.network\",\"conversion\":"
    "\"validate_network\"},"
    "{\"column\":\"url\",\"field\":\"source.url\"},"
    "{\"column\":\"domain name\",\"field\":\"source.fqdn\",\"conversion\":\"validate_fqdn\"},"
    "{\"column\":\"source cc\",\"field\":\"extra.source.geolocation.cc\"},"
    "{\"column\":\"source as name\",\"field\":\"extra.source.as_name\"},"
    "{\"column\":\"confidence level\",\"field\":\"extra.feed.accuracy\",\"conversion\":"
    "\"convert_int\"},"
    "{\"column\":\"feed code\",\"field\":\"extra.feed.code\"},"
    "{\"column\":\"abuse contact\",\"field\":\"extra.source.abuse_contact\"}]}";

static int certeu_open(const ts_parser_cfg_t *cfg, void **state, ts_parser_framing_t *framing,
                       char *err, size_t errsize)
{
    (void)cfg;
    return builtin(certeu_mapping, state, framing, err, errsize);
}

const ts_parser_ops_t ts_certeu_parser_ops = {certeu_open, m_close, m_header, m_parse};

/* Microsoft CTIP, the Azure flavour of its JSON lines: sinkholed infected
 * hosts. Its TLP words include Microsoft's YELLOW (read as AMBER). */
static const char ctip_mapping[] =
    "{\"format\":\"json\",\"tlp\":\"AMBER\","
    "\"constants\":{\"classification.type\":\"infected-system\","
    "\"feed.provider\":\"Microsoft\",\"feed.name\":\"CTIP-Infected\"},"
    "\"fields\":["
    "{\"path\":\"DateTimeReceivedUtc\",\"field\":\"time.source\",\"time_format\":\"filetime\"},"
    "{\"path\":\"SourceIp\",\"field\":\"source.ip\",\"conversion\":\"validate_ip\"},"
    "{\"path\":\"SourcePort\",\"field\":\"source.port\"},"
    "{\"path\":\"DestinationIp\",\"field\":\"destination.ip\",\"conversion\":\"validate_ip\"},"
    "{\"path\":\"DestinationPort\",\"field\":\"destination.port\"},"
    "{\"path\":\"SourceIpInfo.SourceIpAsnNumber\",\"field\":\"source.asn\",\"conversion\":"
    "\"invalidate_zero\"},"
    "{\"path\":\"SourceIpInfo.SourceIpCountryCode\",\"field\":"
    "\"extra.source.geolocation.cc\",\"conversion\":\"validate_to_none\"},"
    "{\"path\":\"SourceIpInfo.SourceIpAsnOrgName\",\"field\":\"extra.source.as_name\"},"
    "{\"path\":\"Malware\",\"field\":\"extra.malware.name\"},"
    "{\"path\":\"ThreatCode\",\"field\":\"classification.identifier\"},"
    "{\"path\":\"ThreatConfidence\",\"field\":\"extra.feed.accuracy\",\"map\":{"
    "\"High\":\"100\",\"Medium\":\"50\",\"Low\":\"20\"}},"
    "{\"path\":\"TotalEncounters\",\"field\":\"extra.count\"},"
    "{\"path\":\"TLP\",\"field\":\"tlp\",\"map\":{\"yellow\":\"AMBER\",\"white\":\"CLEAR\","
    "\"unknown\":\"\"}},"
    "{\"path\":\"HttpInfo.HttpHost\",\"field\":\"extra.destination.fqdn\"},"
    "{\"path\":\"HttpInfo.HttpRequest\",\"field\":\"extra.destination.urlpath\"},"
    "{\"path\":\"HttpInfo.HttpUserAgent\",\"field\":\"extra.user_agent\"},"
    "{\"path\":\"CustomInfo.CustomField1\",\"field\":\"extra.custom_field1\"},"
    "{\"path\":\"TargetIp\",\"field\":\"extra.target_ip\"},"
    "{\"path\":\"TargetPort\",\"field\":\"extra.target_port\"}]}";

static int ctip_open(const ts_parser_cfg_t *cfg, void **state, ts_parser_framing_t *framing,
                     char *err, size_t errsize)
{
    (void)cfg;
    return builtin(ctip_mapping, state, framing, err, errsize);
}

const ts_parser_ops_t ts_ctip_parser_ops = {ctip_open, m_close, m_header, m_parse};
