/* SPDX-License-Identifier: Apache-2.0 */
/* Site contacts as people give them (see contact.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/x509.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/event.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "core/taxonomy.h"
#include "core/utf8.h"
#include "notify/address.h"
#include "notify/contact.h"
#include "notify/hours.h"
#include "notify/item.h"
#include "notify/pgp.h"

const char *const ts_contact_field_names[TS_CONTACT_FIELDS] = {
    "email",       "name",  "roles",     "phone",      "lang",
    "tz",          "hours", "immediate", "digest",     "immediate_types",
    "never_types", "iodef", "pgp_key",   "smime_cert", "crypto",
};
_Static_assert(sizeof(ts_contact_in_t) == TS_CONTACT_FIELDS * sizeof(const char *),
               "ts_contact_in_t is an array of its fields");

const char **ts_contact_in_field(ts_contact_in_t *in, size_t i)
{
    return &((const char **)(void *)in)[i];
}

static const char *const role_names[] = {"abuse", "security", "technical", "management"};
static const char *const digest_names[] = {"none", "hourly", "daily"};
static const char *const crypto_names[] = {"auto", "pgp", "smime"};

void ts_contact_defaults(ts_contact_rec_t *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->roles = TS_ROLE_ABUSE;
    rec->name = rec->phone = rec->hours = rec->immediate_types = rec->never_types = "";
    rec->pgp_key = rec->pgp_fpr = rec->smime_cert = rec->site_name = "";
    rec->lang = "en";
    rec->tz = "UTC";
    rec->immediate = TS_PRIO_CRITICAL;
    rec->digest = TS_DIGEST_DAILY;
}

const char *ts_roles_text(unsigned roles, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < 4; i++)
        if (roles & (1u << i)) {
            int w = snprintf(buf + n, size - n, "%s%s", n ? "," : "", role_names[i]);
            if (w < 0 || (size_t)w >= size - n)
                break;
            n += (size_t)w;
        }
    return buf;
}

const char *ts_digest_name(int digest)
{
    return digest >= 0 && digest <= 2 ? digest_names[digest] : "?";
}

const char *ts_crypto_name(int crypto)
{
    return crypto >= 0 && crypto <= 2 ? crypto_names[crypto] : "?";
}

/* UTF-8 without control characters, at most max bytes. */
static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ts_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp == TS_UTF8_BAD || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
            cp == 0x2028 || cp == 0x2029)
            return false;
        i += k;
    }
    return true;
}

/* A comma-separated list of RSIT type names, normalised ("a,b"; a legacy
 * spelling becomes its canonical name, which may be longer). */
static int types_norm(const char *s, ts_arena_t *a, const char **out)
{
    if (strlen(s) > TS_CONTACT_TYPES_MAX)
        return TS_EINVAL;
    ts_buf_t b = TS_BUF_INIT;
    const char *p = s;
    int r = 0;
    while (*p && r == 0) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (k == 0)
            break;
        ts_type_t t;
        r = ts_type_lookup(p, k, &t) == 0 ? 0 : TS_EINVAL;
        if (r == 0)
            ts_buf_printf(&b, "%s%s", b.len ? "," : "", ts_type_name(t));
        p += k;
    }
    *out = ts_arena_strdup(a, ts_str(b.data ? b.data : "", b.len)).ptr;
    ts_buf_free(&b);
    return r;
}

static const char *dup(ts_arena_t *a, const char *s)
{
    return ts_arena_strdup(a, ts_str_c(s)).ptr;
}

static int smime_check(const char *pem, int64_t now, int64_t *expires, char *err, size_t errsize)
{
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return TS_ECRYPTO;
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
    int r = 0;
    if (strlen(pem) > 64 * 1024 || gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
        ts_seterr(err, errsize, "smime_cert: not a PEM X.509 certificate");
        r = TS_EINVAL;
    } else {
        time_t exp = gnutls_x509_crt_get_expiration_time(crt);
        *expires = (int64_t)exp * 1000000;
        unsigned usage = 0, critical = 0;
        int ku = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
        if (exp != (time_t)-1 && *expires <= now) {
            ts_seterr(err, errsize, "smime_cert: the certificate has expired");
            r = TS_EINVAL;
        } else if (ku >= 0 && !(usage & (GNUTLS_KEY_KEY_ENCIPHERMENT | GNUTLS_KEY_KEY_AGREEMENT))) {
            /* Without the extension any use is allowed; with it, mail can
             * be encrypted to the key only when it says so. */
            ts_seterr(err, errsize,
                      "smime_cert: the certificate's key usage does not allow "
                      "encryption");
            r = TS_EINVAL;
        }
    }
    gnutls_x509_crt_deinit(crt);
    return r;
}

int ts_contact_apply(const ts_contact_in_t *in, ts_contact_rec_t *rec, ts_arena_t *a, int64_t now,
                     char *err, size_t errsize)
{
    char why[256] = "";
    if (in->email) {
        if (ts_addr_check(in->email, strlen(in->email), NULL, why, sizeof why) != 0) {
            ts_seterr(err, errsize, "email: \"%.64s\" is not an address: %s", in->email, why);
            return TS_EINVAL;
        }
        rec->email = dup(a, in->email);
    }
    if (in->name) {
        if (!text_ok(in->name, TS_CONTACT_NAME_MAX)) {
            ts_seterr(err, errsize,
                      "name: longer than %d bytes, not UTF-8 or holding control "
                      "characters (CR, LF...)",
                      TS_CONTACT_NAME_MAX);
            return TS_EINVAL;
        }
        rec->name = dup(a, in->name);
    }
    if (in->roles) {
        unsigned roles = 0;
        const char *p = in->roles;
        while (*p) {
            while (*p == ' ' || *p == ',')
                p++;
            size_t k = strcspn(p, ", ");
            if (k == 0)
                break;
            int found = -1;
            for (int i = 0; i < 4; i++)
                if (strlen(role_names[i]) == k && strncmp(p, role_names[i], k) == 0)
                    found = i;
            if (found < 0) {
                ts_seterr(err, errsize,
                          "roles: \"%.*s\" is not abuse, security, technical or "
                          "management",
                          (int)(k > 32 ? 32 : k), p);
                return TS_EINVAL;
            }
            roles |= 1u << found;
            p += k;
        }
        if (roles == 0) {
            ts_seterr(err, errsize,
                      "roles: at least one of abuse, security, technical, "
                      "management");
            return TS_EINVAL;
        }
        rec->roles = roles;
    }
    if (in->phone) {
        size_t n = strlen(in->phone);
        if (n > TS_CONTACT_PHONE_MAX || strspn(in->phone, "0123456789 +()-/.") != n) {
            ts_seterr(err, errsize, "phone: digits, spaces and + ( ) - / . only, at most %d",
                      TS_CONTACT_PHONE_MAX);
            return TS_EINVAL;
        }
        rec->phone = dup(a, in->phone);
    }
    if (in->lang) {
        if (strcmp(in->lang, "en") != 0 && strcmp(in->lang, "de") != 0) {
            ts_seterr(err, errsize, "lang: en or de");
            return TS_EINVAL;
        }
        rec->lang = dup(a, in->lang);
    }
    if (in->tz) {
        int r = ts_tz_check(in->tz);
        if (r) {
            ts_seterr(err, errsize, "tz: \"%.64s\" is %s", in->tz,
                      r == TS_ENOENT ? "not a time zone of this system"
                                     : "not a time zone name (\"Europe/Berlin\", \"UTC\")");
            return TS_EINVAL;
        }
        rec->tz = dup(a, in->tz);
    }
    if (in->hours) {
        ts_hours_t h;
        if (ts_hours_parse(in->hours, &h, why, sizeof why) != 0) {
            ts_seterr(err, errsize, "hours: %s", why);
            return TS_EINVAL;
        }
        rec->hours = dup(a, in->hours);
    }
    if (in->immediate) {
        int p = ts_prio_parse(in->immediate);
        if (p < 0) {
            ts_seterr(err, errsize, "immediate: low, medium, high, critical or none");
            return TS_EINVAL;
        }
        rec->immediate = p;
    }
    if (in->digest) {
        int d = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(in->digest, digest_names[i]) == 0)
                d = i;
        if (d < 0) {
            ts_seterr(err, errsize, "digest: hourly, daily or none");
            return TS_EINVAL;
        }
        rec->digest = d;
    }
    if (in->immediate_types && types_norm(in->immediate_types, a, &rec->immediate_types) != 0) {
        ts_seterr(err, errsize, "immediate_types: RSIT type names, comma-separated");
        return TS_EINVAL;
    }
    if (in->never_types && types_norm(in->never_types, a, &rec->never_types) != 0) {
        ts_seterr(err, errsize, "never_types: RSIT type names, comma-separated");
        return TS_EINVAL;
    }
    if (in->iodef) {
        if (strcmp(in->iodef, "true") != 0 && strcmp(in->iodef, "false") != 0) {
            ts_seterr(err, errsize, "iodef: true or false");
            return TS_EINVAL;
        }
        rec->iodef = in->iodef[0] == 't';
    }
    if (in->pgp_key) {
        if (in->pgp_key[0] == '\0') {
            rec->pgp_key = rec->pgp_fpr = "";
            rec->pgp_expires = 0;
        } else {
            ts_pgp_keyinfo_t ki;
            int r = ts_pgp_key_inspect(in->pgp_key, strlen(in->pgp_key), now, &ki, why, sizeof why);
            if (r == 0 && !ki.can_encrypt) {
                snprintf(why, sizeof why, "the key %s %s", ki.fpr,
                         ki.revoked ? "is revoked" : "has expired: give a current key");
                r = TS_EINVAL;
            }
            if (r) {
                ts_seterr(err, errsize, "pgp_key: %s", why);
                return r == TS_ECRYPTO ? r : TS_EINVAL;
            }
            rec->pgp_key = dup(a, in->pgp_key);
            rec->pgp_fpr = dup(a, ki.fpr);
            rec->pgp_expires = ki.expires;
        }
    }
    if (in->smime_cert) {
        if (in->smime_cert[0] == '\0') {
            rec->smime_cert = "";
            rec->smime_expires = 0;
        } else {
            int r = smime_check(in->smime_cert, now, &rec->smime_expires, err, errsize);
            if (r)
                return r;
            rec->smime_cert = dup(a, in->smime_cert);
        }
    }
    if (in->crypto) {
        int c = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(in->crypto, crypto_names[i]) == 0)
                c = i;
        if (c < 0) {
            ts_seterr(err, errsize, "crypto: auto, pgp or smime");
            return TS_EINVAL;
        }
        rec->crypto = c;
    }
    return 0;
}

const char *ts_contact_key_state(const ts_contact_rec_t *c, int64_t now)
{
    if (c->pgp_fpr == NULL || c->pgp_fpr[0] == '\0')
        return "none";
    return c->pgp_expires != 0 && c->pgp_expires <= now ? "expired" : "ok";
}

static void json_list(ts_jsonw_t *w, const char *key, const char *list)
{
    ts_jsonw_key(w, key);
    ts_jsonw_array_begin(w);
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, ",");
        ts_jsonw_str(w, ts_str(p, k));
        p += k + (p[k] == ',');
    }
    ts_jsonw_array_end(w);
}

static void json_time(ts_jsonw_t *w, const char *key, int64_t us)
{
    char buf[48];
    ts_jsonw_key(w, key);
    if (us == 0) {
        ts_jsonw_null(w);
        return;
    }
    ts_time_format_utc(us, buf, sizeof buf);
    ts_jsonw_cstr(w, buf);
}

void ts_contact_json(struct ts_jsonw *w, const ts_contact_rec_t *c, int64_t now)
{
    char roles[64];
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, c->id);
    ts_jsonw_key(w, "site");
    ts_jsonw_cstr(w, c->site_name);
    ts_jsonw_key(w, "email");
    ts_jsonw_cstr(w, c->email);
    ts_jsonw_key(w, "name");
    ts_jsonw_cstr(w, c->name);
    json_list(w, "roles", ts_roles_text(c->roles, roles, sizeof roles));
    ts_jsonw_key(w, "phone");
    ts_jsonw_cstr(w, c->phone);
    ts_jsonw_key(w, "lang");
    ts_jsonw_cstr(w, c->lang);
    ts_jsonw_key(w, "tz");
    ts_jsonw_cstr(w, c->tz);
    ts_jsonw_key(w, "hours");
    ts_jsonw_cstr(w, c->hours);
    ts_jsonw_key(w, "immediate");
    ts_jsonw_cstr(w, c->immediate ? ts_prio_name(c->immediate) : "none");
    ts_jsonw_key(w, "digest");
    ts_jsonw_cstr(w, ts_digest_name(c->digest));
    json_list(w, "immediate_types", c->immediate_types);
    json_list(w, "never_types", c->never_types);
    ts_jsonw_key(w, "iodef");
    ts_jsonw_bool(w, c->iodef);
    ts_jsonw_key(w, "pgp_fingerprint");
    if (c->pgp_fpr[0])
        ts_jsonw_cstr(w, c->pgp_fpr);
    else
        ts_jsonw_null(w);
    json_time(w, "pgp_expires", c->pgp_expires);
    ts_jsonw_key(w, "key");
    ts_jsonw_cstr(w, ts_contact_key_state(c, now));
    ts_jsonw_key(w, "smime");
    ts_jsonw_bool(w, c->smime_cert[0] != '\0');
    json_time(w, "smime_expires", c->smime_cert[0] ? c->smime_expires : 0);
    ts_jsonw_key(w, "crypto");
    ts_jsonw_cstr(w, ts_crypto_name(c->crypto));
    json_time(w, "updated", c->updated);
    ts_jsonw_object_end(w);
}

int ts_contact_copy_cb(const ts_contact_rec_t *c, void *ctx)
{
    ts_contact_copy_t *cp = ctx;
    ts_contact_rec_t *d = cp->out;
    *d = *c;
    const char **f[] = {&d->site_name,   &d->email,   &d->name,    &d->phone,
                        &d->lang,        &d->tz,      &d->hours,   &d->immediate_types,
                        &d->never_types, &d->pgp_key, &d->pgp_fpr, &d->smime_cert};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = dup(cp->a, *f[i]);
    return 0;
}

int ts_contact_put(ts_store_t *st, int64_t site_id, int64_t id, const ts_contact_in_t *in,
                   int64_t now, int64_t *out_id, char *err, size_t errsize)
{
    ts_arena_t *a = ts_arena_new(4096);
    ts_contact_rec_t rec;
    int r = 0;
    if (id > 0) {
        ts_contact_copy_t cp = {&rec, a};
        r = ts_store_ncontact_get(st, site_id, id, ts_contact_copy_cb, &cp);
        if (r == TS_ENOENT)
            ts_seterr(err, errsize, "no such contact");
    } else {
        ts_contact_defaults(&rec);
        rec.site_id = site_id;
        if (in->email == NULL) {
            ts_seterr(err, errsize, "email: required");
            r = TS_EINVAL;
        }
    }
    if (r == 0)
        r = ts_contact_apply(in, &rec, a, now, err, errsize);
    if (r == 0) {
        r = id > 0 ? ts_store_ncontact_update(st, &rec) : ts_store_ncontact_add(st, &rec, &id);
        if (r == TS_EEXIST)
            ts_seterr(err, errsize, "email: the site has a contact %s already", rec.email);
        else if (r == TS_ENOENT)
            ts_seterr(err, errsize, "%s", id > 0 ? "no such contact" : "no such site");
        else if (r)
            ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    }
    if (r == 0 && out_id)
        *out_id = id;
    ts_arena_free(a);
    return r;
}

int ts_contact_import_apply(ts_store_t *st, const ts_contact_import_t *imp, int64_t now,
                            ts_contact_import_stats_t *stats, char *err, size_t errsize)
{
    memset(stats, 0, sizeof *stats);
    int r = ts_store_begin(st);
    if (r) {
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
        return r;
    }
    char why[512] = "";
    for (size_t i = 0; r == 0 && i < ts_contact_import_count(imp); i++) {
        const ts_contact_row_t *row = ts_contact_import_row(imp, i);
        int64_t site = 0, id = 0;
        r = ts_store_site_find(st, row->site, &site);
        if (r) {
            ts_seterr(err, errsize, "line %zu: site %.64s: %s", row->line, row->site,
                      r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
            break;
        }
        r = ts_store_ncontact_find(st, site, row->in.email, &id);
        if (r == TS_ENOENT) {
            id = 0;
            r = 0;
        }
        if (r == 0)
            r = ts_contact_put(st, site, id, &row->in, now, NULL, why, sizeof why);
        if (r)
            ts_seterr(err, errsize, "line %zu: %s", row->line, why[0] ? why : ts_strerror(r));
        else if (id > 0)
            stats->changed++;
        else
            stats->added++;
    }
    if (r == 0)
        r = ts_store_commit(st);
    if (r) {
        ts_store_rollback(st);
        memset(stats, 0, sizeof *stats);
    }
    return r;
}

/* ---- Import files ----------------------------------------------------------------------- */

struct ts_contact_import {
    ts_arena_t *a;
    ts_contact_row_t *rows;
    size_t n, cap;
    ts_json_t *root;
};

void ts_contact_import_free(ts_contact_import_t *imp)
{
    if (imp == NULL)
        return;
    ts_arena_free(imp->a);
    ts_json_free(imp->root);
    free(imp->rows);
    free(imp);
}

size_t ts_contact_import_count(const ts_contact_import_t *imp)
{
    return imp->n;
}

const ts_contact_row_t *ts_contact_import_row(const ts_contact_import_t *imp, size_t i)
{
    return i < imp->n ? &imp->rows[i] : NULL;
}

static ts_contact_row_t *new_row(ts_contact_import_t *imp, size_t line)
{
    if (imp->n == imp->cap) {
        imp->cap = imp->cap ? imp->cap * 2 : 64;
        imp->rows = ts_xrealloc(imp->rows, imp->cap * sizeof *imp->rows);
    }
    ts_contact_row_t *r = &imp->rows[imp->n++];
    memset(r, 0, sizeof *r);
    r->line = line;
    return r;
}

/* -1: "site"; 0..TS_CONTACT_FIELDS-1: a field; -2 unknown. */
static int column_of(const char *name, size_t n)
{
    if (n == 4 && memcmp(name, "site", 4) == 0)
        return -1;
    for (int i = 0; i < TS_CONTACT_FIELDS; i++)
        if (strlen(ts_contact_field_names[i]) == n &&
            memcmp(ts_contact_field_names[i], name, n) == 0)
            return i;
    return -2;
}

static int row_done(const ts_contact_row_t *r, char *err, size_t errsize)
{
    if (r->site == NULL || r->site[0] == '\0' || r->in.email == NULL) {
        ts_seterr(err, errsize, "line %zu: site and email are required", r->line);
        return TS_EINVAL;
    }
    return 0;
}

static int parse_json(ts_contact_import_t *imp, const char *data, size_t len, char *err,
                      size_t errsize)
{
    char why[TS_JSON_ERRMAX];
    int r = ts_json_parse(data, len, TS_CONTACT_IMPORT_MAX, 8, TS_JSON_NO_DUPKEYS, &imp->root, why,
                          sizeof why);
    if (r) {
        ts_seterr(err, errsize, "JSON: %s", why);
        return r;
    }
    static const char *const top[] = {"contacts"};
    ts_json_t *arr = NULL;
    size_t n = 0;
    if ((r = ts_json_as_object(imp->root, "document", why, sizeof why)) != 0 ||
        (r = ts_json_check_keys(imp->root, top, 1, why, sizeof why)) != 0 ||
        (r = ts_json_get_array(imp->root, "contacts", true, &arr, &n, why, sizeof why)) != 0) {
        ts_seterr(err, errsize, "JSON: %s", why);
        return r;
    }
    if (n > TS_CONTACT_IMPORT_ROWS) {
        ts_seterr(err, errsize, "more than %d contacts", TS_CONTACT_IMPORT_ROWS);
        return TS_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) {
        ts_json_t *o = ts_json_index(arr, i);
        ts_contact_row_t *row = new_row(imp, i + 1);
        if ((r = ts_json_as_object(o, "contact", why, sizeof why)) != 0) {
            ts_seterr(err, errsize, "contacts[%zu]: %s", i, why);
            return r;
        }
        json_object_object_foreach(o, key, val)
        {
            int c = column_of(key, strlen(key));
            ts_str_t s;
            if (c == -2) {
                ts_seterr(err, errsize, "contacts[%zu]: unknown field \"%.32s\"", i, key);
                return TS_EINVAL;
            }
            if ((r = ts_json_as_str(val, key, &s, why, sizeof why)) != 0) {
                ts_seterr(err, errsize, "contacts[%zu]: %s", i, why);
                return r;
            }
            if (c == -1)
                row->site = s.ptr;
            else
                *ts_contact_in_field(&row->in, (size_t)c) = s.ptr;
        }
        if ((r = row_done(row, err, errsize)) != 0)
            return r;
    }
    return 0;
}

/* One RFC 4180 field at *p (before end): unquoted up to ',' or a line end,
 * or quoted with "" for a quote (line ends allowed inside). The copy is in
 * the arena. *eol is set when the field ended its record. */
static int csv_field(ts_arena_t *a, const char **p, const char *end, const char **out, bool *eol,
                     size_t *line)
{
    const char *s = *p;
    /* The field's extent first: the copy is never larger than it. */
    const char *e = s;
    if (e < end && *e == '"') {
        for (e++; e < end && !(*e == '"' && (e + 1 == end || e[1] != '"')); e++)
            if (*e == '"')
                e++;
    } else {
        while (e < end && *e != ',' && *e != '\n' && *e != '\r')
            e++;
    }
    char *buf = ts_arena_alloc(a, (size_t)(e - s) + 1);
    size_t n = 0;
    if (s < end && *s == '"') {
        s++;
        for (;;) {
            if (s == end)
                return TS_ESYNTAX;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    buf[n++] = '"';
                    s += 2;
                    continue;
                }
                s++;
                break;
            }
            if (*s == '\n')
                (*line)++;
            buf[n++] = *s++;
        }
        if (s < end && *s != ',' && *s != '\n' && *s != '\r')
            return TS_ESYNTAX;
    } else {
        while (s < end && *s != ',' && *s != '\n' && *s != '\r') {
            if (*s == '"')
                return TS_ESYNTAX;
            buf[n++] = *s++;
        }
    }
    buf[n] = '\0';
    *eol = s == end || *s != ',';
    if (s < end && *s == ',')
        s++;
    else if (s < end && *s == '\r' && s + 1 < end && s[1] == '\n')
        s += 2;
    else if (s < end && (*s == '\n' || *s == '\r'))
        s++;
    *p = s;
    *out = buf;
    return 0;
}

#define CSV_COLS_MAX 32

static int parse_csv(ts_contact_import_t *imp, const char *data, size_t len, char *err,
                     size_t errsize)
{
    const char *p = data, *end = data + len;
    int cols[CSV_COLS_MAX];
    size_t n_cols = 0, line = 1;
    bool eol = false, seen[TS_CONTACT_FIELDS + 1] = {false};
    while (!eol) {
        const char *name;
        if (p == end || csv_field(imp->a, &p, end, &name, &eol, &line) != 0) {
            ts_seterr(err, errsize, "line 1: a header line naming the columns is required");
            return TS_ESYNTAX;
        }
        int c = column_of(name, strlen(name));
        if (c == -2 || n_cols == CSV_COLS_MAX || seen[c + 1]) {
            ts_seterr(err, errsize, "line 1: column \"%.32s\" is %s", name,
                      c == -2 ? "unknown" : "given twice");
            return TS_EINVAL;
        }
        seen[c + 1] = true;
        cols[n_cols++] = c;
    }
    while (p < end) {
        line++;
        if (*p == '\n' || *p == '\r') { /* a blank line */
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            continue;
        }
        if (imp->n == TS_CONTACT_IMPORT_ROWS) {
            ts_seterr(err, errsize, "more than %d contacts", TS_CONTACT_IMPORT_ROWS);
            return TS_ETOOBIG;
        }
        ts_contact_row_t *row = new_row(imp, line);
        size_t first = line;
        for (size_t i = 0;; i++) {
            const char *v;
            if (i == n_cols || csv_field(imp->a, &p, end, &v, &eol, &line) != 0) {
                ts_seterr(err, errsize, "line %zu: %s", first,
                          i == n_cols ? "more fields than columns" : "a malformed field");
                return TS_ESYNTAX;
            }
            if (cols[i] == -1)
                row->site = v;
            else if (v[0] != '\0') /* an empty field is a field not given */
                *ts_contact_in_field(&row->in, (size_t)cols[i]) = v;
            if (eol) {
                if (i + 1 != n_cols) {
                    ts_seterr(err, errsize, "line %zu: %zu fields, the header has %zu", first,
                              i + 1, n_cols);
                    return TS_ESYNTAX;
                }
                break;
            }
        }
        if (row_done(row, err, errsize) != 0)
            return TS_EINVAL;
    }
    return 0;
}

int ts_contact_import_parse(const char *data, size_t len, ts_contact_import_t **out, char *err,
                            size_t errsize)
{
    *out = NULL;
    if (len > TS_CONTACT_IMPORT_MAX) {
        ts_seterr(err, errsize, "larger than %u bytes", TS_CONTACT_IMPORT_MAX);
        return TS_ETOOBIG;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ts_utf8_next((const unsigned char *)data + i, len - i, &cp);
        if (cp == TS_UTF8_BAD || cp == 0) {
            ts_seterr(err, errsize, "byte %zu: not UTF-8 (or a NUL)", i);
            return TS_EUTF8;
        }
        i += k;
    }
    ts_contact_import_t *imp = ts_xcalloc(1, sizeof *imp);
    imp->a = ts_arena_new(len + 4096);
    size_t skip = 0;
    while (skip < len && strchr(" \t\r\n", data[skip]) != NULL)
        skip++;
    int r = skip < len && data[skip] == '{' ? parse_json(imp, data, len, err, errsize)
                                            : parse_csv(imp, data, len, err, errsize);
    if (r) {
        ts_contact_import_free(imp);
        return r;
    }
    *out = imp;
    return 0;
}
