/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON documents of a CSAF provider: provider-metadata.json (section
 * 7.1.7) and ROLIE feeds (section 7.1.15). Only what fetching needs is kept;
 * every URL kept must be https, since it will be fetched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/fetch.h"
#include "core/event.h"
#include "core/json.h"
#include "core/mem.h"

#define JSON_DEPTH 32

/* A string member copied out (NULL when absent and optional). */
static int get_cstr(const ts_json_t *obj, const char *key, bool required, const char *path,
                    char **out, char *err, size_t errsize)
{
    ts_str_t s = TS_STR_NULL;
    char e[TS_JSON_ERRMAX];
    int rc = ts_json_get_str(obj, key, required, &s, e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%s%s", path, e);
        return rc;
    }
    *out = s.ptr ? ts_xstrndup(s.ptr, s.len) : NULL;
    return 0;
}

static int get_url(const ts_json_t *obj, const char *key, bool required, const char *path,
                   char **out, char *err, size_t errsize)
{
    int rc = get_cstr(obj, key, required, path, out, err, errsize);
    if (rc < 0)
        return rc;
    if (*out && !ts_csaf_url_ok(*out)) {
        ts_seterr(err, errsize, "%s%s: not an https URL", path, key);
        free(*out);
        *out = NULL;
        return TS_EINVAL;
    }
    return 0;
}

static void strv_add(char ***v, size_t *n, char *s)
{
    *v = ts_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ts_csaf_pmd_free(ts_csaf_pmd_t *p)
{
    if (p == NULL)
        return;
    free(p->canonical_url);
    free(p->role);
    strv_free(p->feeds, p->n_feeds);
    strv_free(p->dirs, p->n_dirs);
    strv_free(p->key_fprs, p->n_key_fprs);
    free(p);
}

static int pmd_rolie(const ts_json_t *rolie, const char *path, ts_csaf_pmd_t *p, char *err,
                     size_t errsize)
{
    char e[TS_JSON_ERRMAX], sub[160];
    int rc = ts_json_as_object(rolie, "rolie", e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%s%s", path, e);
        return rc;
    }
    ts_json_t *feeds;
    size_t n;
    rc = ts_json_get_array(rolie, "feeds", true, &feeds, &n, e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%srolie: %s", path, e);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (p->n_feeds >= TS_CSAF_DISTS_MAX) {
            ts_seterr(err, errsize, "more than %d ROLIE feeds", TS_CSAF_DISTS_MAX);
            return TS_ETOOBIG;
        }
        snprintf(sub, sizeof sub, "%srolie.feeds[%zu].", path, i);
        ts_json_t *f = ts_json_index(feeds, i);
        rc = ts_json_as_object(f, "feed", e, sizeof e);
        if (rc < 0) {
            ts_seterr(err, errsize, "%s%s", sub, e);
            return rc;
        }
        char *url;
        rc = get_url(f, "url", true, sub, &url, err, errsize);
        if (rc < 0)
            return rc;
        strv_add(&p->feeds, &p->n_feeds, url);
    }
    return 0;
}

static int pmd_fill(const ts_json_t *root, ts_csaf_pmd_t *p, char *err, size_t errsize)
{
    char e[TS_JSON_ERRMAX], path[64];
    int rc = ts_json_as_object(root, "provider metadata", e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%s", e);
        return rc;
    }
    rc = get_url(root, "canonical_url", true, "", &p->canonical_url, err, errsize);
    if (rc < 0)
        return rc;
    rc = get_cstr(root, "role", true, "", &p->role, err, errsize);
    if (rc < 0)
        return rc;
    if (strcmp(p->role, "csaf_publisher") != 0 && strcmp(p->role, "csaf_provider") != 0 &&
        strcmp(p->role, "csaf_trusted_provider") != 0) {
        ts_seterr(err, errsize, "role: unknown role \"%.40s\"", p->role);
        return TS_EINVAL;
    }
    ts_json_t *dists;
    size_t n;
    rc = ts_json_get_array(root, "distributions", false, &dists, &n, e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%s", e);
        return rc;
    }
    if (n > TS_CSAF_DISTS_MAX) {
        ts_seterr(err, errsize, "distributions: more than %d", TS_CSAF_DISTS_MAX);
        return TS_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "distributions[%zu].", i);
        ts_json_t *d = ts_json_index(dists, i);
        rc = ts_json_as_object(d, "distribution", e, sizeof e);
        if (rc < 0) {
            ts_seterr(err, errsize, "%s%s", path, e);
            return rc;
        }
        char *dir = NULL;
        rc = get_url(d, "directory_url", false, path, &dir, err, errsize);
        if (rc < 0)
            return rc;
        if (dir) {
            size_t l = strlen(dir);
            while (l > 8 && dir[l - 1] == '/')
                dir[--l] = '\0';
            strv_add(&p->dirs, &p->n_dirs, dir);
        }
        ts_json_t *rolie;
        bool has_rolie = ts_json_member(d, "rolie", &rolie);
        if (has_rolie) {
            rc = pmd_rolie(rolie, path, p, err, errsize);
            if (rc < 0)
                return rc;
        }
        if (!dir && !has_rolie) {
            ts_seterr(err, errsize, "%s: neither directory_url nor rolie", path);
            return TS_EINVAL;
        }
    }
    ts_json_t *keys;
    rc = ts_json_get_array(root, "public_openpgp_keys", false, &keys, &n, e, sizeof e);
    if (rc < 0) {
        ts_seterr(err, errsize, "%s", e);
        return rc;
    }
    if (n > TS_CSAF_DISTS_MAX) {
        ts_seterr(err, errsize, "public_openpgp_keys: more than %d", TS_CSAF_DISTS_MAX);
        return TS_ETOOBIG;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "public_openpgp_keys[%zu].", i);
        ts_json_t *k = ts_json_index(keys, i);
        rc = ts_json_as_object(k, "key", e, sizeof e);
        if (rc < 0) {
            ts_seterr(err, errsize, "%s%s", path, e);
            return rc;
        }
        char *fpr = NULL;
        rc = get_cstr(k, "fingerprint", false, path, &fpr, err, errsize);
        if (rc < 0)
            return rc;
        if (fpr)
            strv_add(&p->key_fprs, &p->n_key_fprs, fpr);
    }
    return 0;
}

int ts_csaf_pmd_parse(const char *data, size_t len, ts_csaf_pmd_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_json_t *root;
    int rc = ts_json_parse(data, len, TS_CSAF_META_MAX, JSON_DEPTH, 0, &root, err, errsize);
    if (rc < 0)
        return rc;
    ts_csaf_pmd_t *p = ts_xcalloc(1, sizeof *p);
    rc = pmd_fill(root, p, err, errsize);
    ts_json_free(root);
    if (rc < 0) {
        ts_csaf_pmd_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ---- ROLIE feeds ----------------------------------------------------------- */

/* The href of link[] entries with the given rel; for "hash", a .sha512 one
 * wins over others. NULL when none. Borrowed from the JSON. */
static const char *link_href(const ts_json_t *links, size_t n, const char *rel)
{
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        ts_json_t *l = ts_json_index(links, i);
        ts_str_t r = TS_STR_NULL, h = TS_STR_NULL;
        if (ts_json_as_object(l, "link", NULL, 0) < 0 ||
            ts_json_get_str(l, "rel", true, &r, NULL, 0) < 0 ||
            ts_json_get_str(l, "href", true, &h, NULL, 0) < 0 || !ts_str_eq_c(r, rel))
            continue;
        if (best == NULL)
            best = h.ptr;
        if (strcmp(rel, "hash") == 0 && h.len > 7 && memcmp(h.ptr + h.len - 7, ".sha512", 7) == 0)
            best = h.ptr;
    }
    return best;
}

/* One entry into out. \retval 0 added; a negative code with *why otherwise. */
static int rolie_entry(const ts_json_t *e, ts_csaf_list_t *out, const char **why)
{
    if (ts_json_as_object(e, "entry", NULL, 0) < 0) {
        *why = "entry is not an object";
        return TS_ETYPE;
    }
    ts_json_t *links = NULL;
    size_t nl = 0;
    if (ts_json_get_array(e, "link", false, &links, &nl, NULL, 0) < 0) {
        *why = "link is not an array";
        return TS_ETYPE;
    }
    const char *url = NULL;
    ts_json_t *content;
    if (ts_json_member(e, "content", &content) && ts_json_as_object(content, "", NULL, 0) == 0) {
        ts_str_t src = TS_STR_NULL;
        if (ts_json_get_str(content, "src", false, &src, NULL, 0) == 0)
            url = src.ptr;
    }
    if (url == NULL)
        url = link_href(links, nl, "self");
    if (url == NULL) {
        *why = "no document URL (content.src or link rel=self)";
        return TS_EMISSING;
    }
    if (!ts_csaf_url_ok(url)) {
        *why = "document URL is not an https URL";
        return TS_EINVAL;
    }
    ts_str_t upd = TS_STR_NULL;
    if (ts_json_get_str(e, "updated", true, &upd, NULL, 0) < 0) {
        *why = "updated missing or not a string";
        return TS_EMISSING;
    }
    int64_t us;
    if (ts_time_parse(upd.ptr, upd.len, &us) < 0) {
        *why = "bad updated time";
        return TS_EINVAL;
    }
    const char *hash = link_href(links, nl, "hash");
    const char *sig = link_href(links, nl, "signature");
    if ((hash && !ts_csaf_url_ok(hash)) || (sig && !ts_csaf_url_ok(sig))) {
        *why = "hash or signature link is not an https URL";
        return TS_EINVAL;
    }
    ts_csaf_list_add(out, ts_xstrdup(url), us, hash ? ts_xstrdup(hash) : NULL,
                     sig ? ts_xstrdup(sig) : NULL);
    return 0;
}

int ts_csaf_rolie_parse(const char *data, size_t len, ts_csaf_list_t *out, ts_csaf_bad_cb bad,
                        void *ctx, char *err, size_t errsize)
{
    *out = (ts_csaf_list_t){0};
    ts_json_t *root;
    int rc = ts_json_parse(data, len, TS_CSAF_LIST_MAX, JSON_DEPTH, 0, &root, err, errsize);
    if (rc < 0)
        return rc;
    char e[TS_JSON_ERRMAX];
    ts_json_t *feed = NULL, *entries = NULL;
    size_t n = 0;
    rc = ts_json_as_object(root, "ROLIE feed", e, sizeof e);
    if (rc == 0 && !ts_json_member(root, "feed", &feed)) {
        ts_seterr(e, sizeof e, "field \"feed\" is missing");
        rc = TS_EMISSING;
    }
    if (rc == 0)
        rc = ts_json_as_object(feed, "feed", e, sizeof e);
    if (rc == 0)
        rc = ts_json_get_array(feed, "entry", false, &entries, &n, e, sizeof e);
    if (rc == 0 && n > TS_CSAF_ENTRIES_MAX) {
        ts_seterr(e, sizeof e, "more than %d entries", TS_CSAF_ENTRIES_MAX);
        rc = TS_ETOOBIG;
    }
    if (rc < 0) {
        ts_seterr(err, errsize, "%s", e);
        ts_json_free(root);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        int erc = rolie_entry(ts_json_index(entries, i), out, &why);
        if (erc < 0 && bad)
            bad(i, erc, why, ctx);
    }
    ts_json_free(root);
    return 0;
}
