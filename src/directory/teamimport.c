/* SPDX-License-Identifier: Apache-2.0 */
/* Importing directory teams (teamimport.h). */
#include "directory/teamimport.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "core/json.h"
#include "core/mem.h"
#include "route/constituency.h"

struct rec {
    ts_team_rec_t t;
    ts_team_scope_t *scopes;
    ts_team_rep_t *reps;
};

struct ts_team_import {
    struct rec *r;
    size_t n;
    char **strings; /* every string the records point to */
    size_t n_str, cap_str;
};

static const char *keep(ts_team_import_t *imp, const char *s, size_t n)
{
    if (imp->n_str == imp->cap_str) {
        imp->cap_str = imp->cap_str ? 2 * imp->cap_str : 256;
        imp->strings = ts_xrealloc(imp->strings, imp->cap_str * sizeof *imp->strings);
    }
    char *c = ts_xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    imp->strings[imp->n_str++] = c;
    return c;
}

void ts_team_import_free(ts_team_import_t *imp)
{
    if (imp == NULL)
        return;
    for (size_t i = 0; i < imp->n; i++) {
        free(imp->r[i].scopes);
        free(imp->r[i].reps);
    }
    free(imp->r);
    for (size_t i = 0; i < imp->n_str; i++)
        free(imp->strings[i]);
    free(imp->strings);
    free(imp);
}

size_t ts_team_import_count(const ts_team_import_t *imp)
{
    return imp ? imp->n : 0;
}

const ts_team_rec_t *ts_team_import_get(const ts_team_import_t *imp, size_t i)
{
    return &imp->r[i].t;
}

/* An optional string member into *out ("" when absent). */
static int str(ts_team_import_t *imp, ts_json_t *o, const char *key, bool required,
               const char **out, char *err, size_t errsize)
{
    ts_str_t v = {"", 0};
    int r = ts_json_get_str(o, key, required, &v, err, errsize);
    if (r == 0)
        *out = keep(imp, v.ptr ? v.ptr : "", v.len);
    return r;
}

/* A constituency list of one kind, each entry made canonical. */
static int scopes(ts_team_import_t *imp, struct rec *rc, ts_json_t *c, const char *key,
                  ts_rule_kind_t kind, char *err, size_t errsize)
{
    ts_json_t *arr = NULL;
    size_t n = 0;
    int r = ts_json_get_array(c, key, false, &arr, &n, err, errsize);
    if (r)
        return r;
    if (rc->t.n_scopes + n > TS_TEAM_SCOPES_MAX) {
        snprintf(err, errsize, "more than %d constituency entries", TS_TEAM_SCOPES_MAX);
        return TS_ETOOBIG;
    }
    rc->scopes = ts_xrealloc(rc->scopes, (rc->t.n_scopes + n + 1) * sizeof *rc->scopes);
    for (size_t i = 0; i < n; i++) {
        ts_json_t *v = ts_json_index(arr, i);
        char buf[TS_DOMAIN_MAX + 1];
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        size_t sl = s ? strlen(s) : 0;
        bool ok = false;
        if (kind == TS_RULE_ASN && json_object_is_type(v, json_type_int)) {
            int64_t asn = json_object_get_int64(v);
            ok = asn > 0 && asn <= 4294967295LL;
            snprintf(buf, sizeof buf, "%lld", (long long)asn);
        } else if (kind == TS_RULE_ASN && s) {
            int64_t asn;
            ok = ts_asn_parse(s, sl, &asn) == 0;
            snprintf(buf, sizeof buf, "%lld", (long long)asn);
        } else if (kind == TS_RULE_NETWORK && s) {
            ts_prefix_t p;
            ok = ts_prefix_parse(s, sl, &p) == 0;
            if (ok)
                ts_prefix_format(&p, buf, sizeof buf);
        } else if (kind == TS_RULE_DOMAIN && s) {
            ok = ts_domain_normalize(s, sl, buf, NULL) == 0;
        }
        if (!ok) {
            snprintf(err, errsize, "constituency.%s[%zu]: not %s", key, i,
                     kind == TS_RULE_ASN       ? "an AS number"
                     : kind == TS_RULE_NETWORK ? "a network (CIDR, no host bits)"
                                               : "a DNS name");
            return TS_EINVAL;
        }
        rc->scopes[rc->t.n_scopes++] = (ts_team_scope_t){kind, keep(imp, buf, strlen(buf))};
    }
    return 0;
}

static int reps(ts_team_import_t *imp, struct rec *rc, ts_json_t *o, char *err, size_t errsize)
{
    ts_json_t *arr = NULL;
    size_t n = 0;
    int r = ts_json_get_array(o, "representatives", false, &arr, &n, err, errsize);
    if (r)
        return r;
    if (n > TS_TEAM_REPS_MAX) {
        snprintf(err, errsize, "more than %d representatives", TS_TEAM_REPS_MAX);
        return TS_ETOOBIG;
    }
    static const char *const allowed[] = {"name", "email", "phone"};
    rc->reps = ts_xcalloc(n + 1, sizeof *rc->reps);
    for (size_t i = 0; r == 0 && i < n; i++) {
        ts_json_t *p = ts_json_index(arr, i);
        char sub[200] = "";
        if ((r = ts_json_as_object(p, "representative", sub, sizeof sub)) == 0 &&
            (r = ts_json_check_keys(p, allowed, 3, sub, sizeof sub)) == 0 &&
            (r = str(imp, p, "name", true, &rc->reps[i].name, sub, sizeof sub)) == 0 &&
            (r = str(imp, p, "email", true, &rc->reps[i].email, sub, sizeof sub)) == 0)
            r = str(imp, p, "phone", false, &rc->reps[i].phone, sub, sizeof sub);
        if (r)
            snprintf(err, errsize, "representatives[%zu]: %s", i, sub);
    }
    rc->t.reps = rc->reps;
    rc->t.n_reps = n;
    return r;
}

static int one(ts_team_import_t *imp, struct rec *rc, ts_json_t *o, char *err, size_t errsize)
{
    /* What export writes; the process members are read past, never used. */
    static const char *const allowed[] = {
        "short_team_name", "official_team_name",
        "country",         "email",
        "phone_emergency", "website",
        "rfc2350",         "pgp_key",
        "business_hours",  "timezone",
        "constituency",    "representatives",
        "state",           "listed",
        "accredited",      "state_since",
        "deadline",        "recertified",
        "verified",        "last_rejected",
        "rejections",      "sponsors",
        "audit",
    };
    int r = ts_json_as_object(o, "team", err, errsize);
    if (r == 0)
        r = ts_json_check_keys(o, allowed, sizeof allowed / sizeof allowed[0], err, errsize);
    ts_team_rec_t *t = &rc->t;
    if (r == 0)
        r = str(imp, o, "short_team_name", true, &t->name, err, errsize);
    if (r == 0)
        r = str(imp, o, "official_team_name", false, &t->official_name, err, errsize);
    if (r == 0)
        r = str(imp, o, "country", true, &t->country, err, errsize);
    if (r == 0)
        r = str(imp, o, "email", true, &t->email, err, errsize);
    if (r == 0)
        r = str(imp, o, "phone_emergency", false, &t->emergency_phone, err, errsize);
    if (r == 0)
        r = str(imp, o, "website", false, &t->website, err, errsize);
    if (r == 0)
        r = str(imp, o, "rfc2350", false, &t->rfc2350, err, errsize);
    if (r == 0)
        r = str(imp, o, "pgp_key", false, &t->pgp_key, err, errsize);
    if (r == 0)
        r = str(imp, o, "business_hours", false, &t->hours, err, errsize);
    if (r == 0)
        r = str(imp, o, "timezone", false, &t->tz, err, errsize);
    ts_json_t *c = NULL;
    if (r == 0 && ts_json_member(o, "constituency", &c)) {
        static const char *const ckeys[] = {"type", "asns", "networks", "domains"};
        if ((r = ts_json_as_object(c, "constituency", err, errsize)) == 0 &&
            (r = ts_json_check_keys(c, ckeys, 4, err, errsize)) == 0 &&
            (r = str(imp, c, "type", false, &t->ctype, err, errsize)) == 0 &&
            (r = scopes(imp, rc, c, "asns", TS_RULE_ASN, err, errsize)) == 0 &&
            (r = scopes(imp, rc, c, "networks", TS_RULE_NETWORK, err, errsize)) == 0)
            r = scopes(imp, rc, c, "domains", TS_RULE_DOMAIN, err, errsize);
    }
    t->scopes = rc->scopes;
    if (r == 0)
        r = reps(imp, rc, o, err, errsize);
    return r;
}

int ts_team_import_parse(const char *json, size_t len, ts_team_import_t **out, char *err,
                         size_t errsize)
{
    *out = NULL;
    ts_json_t *doc = NULL, *arr;
    int r = ts_json_parse(json, len, TS_TEAM_IMPORT_MAX, TS_JSON_DEPTH_DEFAULT, TS_JSON_NO_DUPKEYS,
                          &doc, err, errsize);
    if (r)
        return r;
    arr = doc;
    if (json_object_is_type(doc, json_type_object) && !ts_json_member(doc, "teams", &arr))
        arr = NULL;
    size_t n = 0;
    if (!json_object_is_type(arr, json_type_array)) {
        snprintf(err, errsize, "expected an array of teams or {\"teams\": [...]}");
        ts_json_free(doc);
        return TS_ETYPE;
    }
    n = json_object_array_length(arr);
    if (n > TS_TEAM_IMPORT_TEAMS) {
        snprintf(err, errsize, "more than %d teams", TS_TEAM_IMPORT_TEAMS);
        ts_json_free(doc);
        return TS_ETOOBIG;
    }
    ts_team_import_t *imp = ts_xcalloc(1, sizeof *imp);
    imp->r = ts_xcalloc(n + 1, sizeof *imp->r);
    for (size_t i = 0; r == 0 && i < n; i++) {
        char sub[TS_JSON_ERRMAX] = "";
        imp->n = i + 1;
        r = one(imp, &imp->r[i], ts_json_index(arr, i), sub, sizeof sub);
        if (r)
            snprintf(err, errsize, "teams[%zu]: %s", i, sub);
    }
    ts_json_free(doc);
    if (r) {
        ts_team_import_free(imp);
        return r;
    }
    *out = imp;
    return 0;
}

struct exists {
    bool found;
};

static int on_found(const ts_team_rec_t *t, void *ctx)
{
    (void)t;
    ((struct exists *)ctx)->found = true;
    return 0;
}

int ts_team_import_apply(ts_store_t *st, const ts_team_import_t *imp, int64_t now, const char *who,
                         size_t *added, size_t *changed, char *err, size_t errsize)
{
    *added = *changed = 0;
    int r = ts_store_begin(st);
    for (size_t i = 0; r == 0 && i < imp->n; i++) {
        const ts_team_rec_t *t = &imp->r[i].t;
        struct exists e = {false};
        const char *why = NULL;
        r = ts_store_team_get(st, t->name, on_found, &e);
        if (r == TS_ENOENT)
            r = 0;
        if (r == 0 && e.found) {
            r = ts_store_team_update(st, t, now, who, &why);
            (*changed)++;
        } else if (r == 0) {
            r = ts_store_team_add(st, t, now, who, NULL, &why);
            (*added)++;
        }
        if (r)
            snprintf(err, errsize, "teams[%zu] (%s): %s", i, t->name ? t->name : "",
                     why ? why : ts_strerror(r));
    }
    if (r == 0)
        return ts_store_commit(st);
    ts_store_rollback(st);
    *added = *changed = 0;
    return r;
}
