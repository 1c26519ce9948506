/* SPDX-License-Identifier: Apache-2.0 */
#include "route/loader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "route/constfile_int.h"
#include "store/notifystore.h"

/* ---- A snapshot of the store's constituency -------------------------------- */

struct cur_site {
    int64_t id, parent_id;
    char *name, *desc;
    size_t in_file; /* index in the file, SIZE_MAX if absent */
};

struct cur_claim {
    int64_t site_id;
    ts_rule_kind_t kind;
    char *value;
};

struct cur_contact {
    int64_t site_id;
    char *email, *name;
};

struct cur {
    struct cur_site *sites; /* parents before children (the store's order) */
    size_t n_sites, cap_sites;
    struct cur_claim *claims;
    size_t n_claims, cap_claims;
    struct cur_contact *contacts;
    size_t n_contacts, cap_contacts;
    size_t *by_name; /* site indexes sorted by name */
};

#define PUSH(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 16;                                                          \
            (arr) = ts_xrealloc((arr), (cap) * sizeof *(arr));                                     \
        }                                                                                          \
    } while (0)

static int cur_site_cb(const ts_site_info_t *s, void *ctx)
{
    struct cur *c = ctx;
    PUSH(c->sites, c->n_sites, c->cap_sites);
    c->sites[c->n_sites++] =
        (struct cur_site){s->id, s->parent_id, ts_xstrdup(s->name),
                          ts_xstrdup(s->description ? s->description : ""), SIZE_MAX};
    return 0;
}

static int cur_claim_cb(const ts_claim_info_t *cl, void *ctx)
{
    struct cur *c = ctx;
    PUSH(c->claims, c->n_claims, c->cap_claims);
    c->claims[c->n_claims++] = (struct cur_claim){cl->site_id, cl->kind, ts_xstrdup(cl->value)};
    return 0;
}

static int cur_contact_cb(const ts_contact_info_t *ct, void *ctx)
{
    struct cur *c = ctx;
    PUSH(c->contacts, c->n_contacts, c->cap_contacts);
    c->contacts[c->n_contacts++] = (struct cur_contact){ct->site_id, ts_xstrdup(ct->email),
                                                        ts_xstrdup(ct->name ? ct->name : "")};
    return 0;
}

static void cur_free(struct cur *c)
{
    for (size_t i = 0; i < c->n_sites; i++) {
        free(c->sites[i].name);
        free(c->sites[i].desc);
    }
    for (size_t i = 0; i < c->n_claims; i++)
        free(c->claims[i].value);
    for (size_t i = 0; i < c->n_contacts; i++) {
        free(c->contacts[i].email);
        free(c->contacts[i].name);
    }
    free(c->sites);
    free(c->claims);
    free(c->contacts);
    free(c->by_name);
}

static int cur_load(ts_store_t *st, struct cur *c, bool with_contacts)
{
    memset(c, 0, sizeof *c);
    int rc = ts_store_sites_foreach(st, cur_site_cb, c);
    if (rc == 0)
        rc = ts_store_claims_foreach(st, cur_claim_cb, c);
    if (rc == 0 && with_contacts)
        rc = ts_store_contacts_foreach(st, cur_contact_cb, c);
    c->by_name =
        ts_name_index(c->sites, c->n_sites, sizeof *c->sites, offsetof(struct cur_site, name));
    return rc;
}

static size_t cur_find_name(const struct cur *c, const char *name)
{
    return ts_name_index_find(c->sites, sizeof *c->sites, offsetof(struct cur_site, name),
                              c->by_name, c->n_sites, name);
}

/* Site index by id: sites are few compared with claims, and ids ascend in
 * most stores, but nothing promises it, so search a sorted copy. */
struct id_ix {
    int64_t id;
    size_t idx;
};

static int id_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct id_ix *)a)->id, y = ((const struct id_ix *)b)->id;
    return (x > y) - (x < y);
}

static struct id_ix *id_index(const struct cur *c)
{
    struct id_ix *ix = ts_xmalloc((c->n_sites ? c->n_sites : 1) * sizeof *ix);
    for (size_t i = 0; i < c->n_sites; i++)
        ix[i] = (struct id_ix){c->sites[i].id, i};
    qsort(ix, c->n_sites, sizeof *ix, id_cmp);
    return ix;
}

static size_t id_find(const struct id_ix *ix, size_t n, int64_t id)
{
    struct id_ix key = {id, 0};
    const struct id_ix *hit = bsearch(&key, ix, n, sizeof *ix, id_cmp);
    return hit ? hit->idx : SIZE_MAX;
}

static int kind_name(ts_rule_kind_t k, const char **name)
{
    switch (k) {
    case TS_RULE_NETWORK:
        *name = "networks";
        return 0;
    case TS_RULE_ASN:
        *name = "asns";
        return 0;
    case TS_RULE_DOMAIN:
        *name = "domains";
        return 0;
    }
    *name = "claims";
    return TS_EINVAL;
}

/* Adds a claim in the store's text form to a file site. */
static int add_stored_claim(ts_cf_site_t *s, const struct cur_claim *cl, char *err, size_t errsize)
{
    const char *field;
    int rc = kind_name(cl->kind, &field);
    if (rc == 0 && cl->kind == TS_RULE_NETWORK) {
        ts_prefix_t p;
        rc = ts_constfile_parse_network(cl->value, strlen(cl->value), &p, NULL, 0);
        if (rc == 0)
            ts_cf_site_add_network(s, &p);
    } else if (rc == 0 && cl->kind == TS_RULE_ASN) {
        int64_t asn;
        rc = ts_asn_parse(cl->value, strlen(cl->value), &asn);
        if (rc == 0)
            ts_cf_site_add_asn(s, asn);
    } else if (rc == 0) {
        ts_cf_site_add_domain(s, cl->value);
    }
    if (rc != 0)
        ts_seterr(err, errsize, "store: site %s: %s: \"%.64s\" is malformed", s->name, field,
                  cl->value);
    return rc;
}

/* A file holding the store's sites (those with in_file == SIZE_MAX only, if
 * only_absent), in the store's order. */
static int file_of_cur(const struct cur *c, bool only_absent, ts_constfile_t *f, char *err,
                       size_t errsize)
{
    struct id_ix *ix = id_index(c);
    size_t *fidx = ts_xmalloc((c->n_sites ? c->n_sites : 1) * sizeof *fidx);
    int rc = 0;
    for (size_t i = 0; i < c->n_sites && rc == 0; i++) {
        const struct cur_site *s = &c->sites[i];
        fidx[i] = SIZE_MAX;
        if (only_absent && s->in_file != SIZE_MAX)
            continue;
        const char *parent = NULL;
        if (s->parent_id != 0) {
            size_t p = id_find(ix, c->n_sites, s->parent_id);
            if (p == SIZE_MAX) {
                ts_seterr(err, errsize, "store: site %s: parent %" PRId64 " does not exist",
                          s->name, s->parent_id);
                rc = TS_ENOENT;
                break;
            }
            parent = c->sites[p].name;
        }
        fidx[i] = f->n_sites;
        (void)ts_constfile_add_site(f, s->name, parent, s->desc);
    }
    for (size_t i = 0; i < c->n_claims && rc == 0; i++) {
        size_t k = id_find(ix, c->n_sites, c->claims[i].site_id);
        if (k == SIZE_MAX || fidx[k] == SIZE_MAX)
            continue;
        rc = add_stored_claim(&f->sites[fidx[k]], &c->claims[i], err, errsize);
    }
    for (size_t i = 0; i < c->n_contacts && rc == 0; i++) {
        size_t k = id_find(ix, c->n_sites, c->contacts[i].site_id);
        if (k != SIZE_MAX && fidx[k] != SIZE_MAX)
            ts_cf_site_add_contact(&f->sites[fidx[k]], c->contacts[i].email, c->contacts[i].name);
    }
    free(ix);
    free(fidx);
    return rc;
}

/* ---- Loading ----------------------------------------------------------------- */

int ts_constituency_load(ts_store_t *st, ts_constituency_t **out)
{
    *out = NULL;
    struct cur c;
    int rc = cur_load(st, &c, false);
    ts_constituency_t *k = ts_constituency_new();
    /* The store gives parents first; add in passes anyway so that another
     * backend's order cannot make a valid tree fail to load. */
    bool *done = ts_xcalloc(c.n_sites ? c.n_sites : 1, sizeof *done);
    size_t left = c.n_sites;
    while (rc == 0 && left > 0) {
        size_t added = 0;
        for (size_t i = 0; i < c.n_sites && rc == 0; i++) {
            if (done[i])
                continue;
            const struct cur_site *s = &c.sites[i];
            int r = ts_constituency_add_site(k, s->id, s->name, s->parent_id);
            if (r == TS_ENOENT)
                continue; /* parent not added yet */
            if (r != 0)
                rc = r;
            done[i] = true;
            added++;
        }
        left -= added;
        if (rc == 0 && added == 0)
            rc = TS_ENOENT; /* orphans or a cycle */
    }
    free(done);
    for (size_t i = 0; i < c.n_claims && rc == 0; i++) {
        const struct cur_claim *cl = &c.claims[i];
        const char *v = cl->value;
        size_t n = strlen(v);
        if (cl->kind == TS_RULE_NETWORK) {
            ts_prefix_t p;
            rc = ts_prefix_parse(v, n, &p);
            if (rc == 0)
                rc = ts_constituency_add_network(k, cl->site_id, &p, NULL);
        } else if (cl->kind == TS_RULE_ASN) {
            int64_t asn;
            rc = ts_asn_parse(v, n, &asn);
            if (rc == 0)
                rc = ts_constituency_add_asn(k, cl->site_id, asn, NULL);
        } else if (cl->kind == TS_RULE_DOMAIN) {
            rc = ts_constituency_add_domain(k, cl->site_id, v, n, NULL);
        } else {
            rc = TS_EINVAL;
        }
    }
    cur_free(&c);
    if (rc != 0) {
        ts_constituency_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

/* ---- Export ------------------------------------------------------------------ */

int ts_constfile_from_store(ts_store_t *st, ts_constfile_t **out, char *err, size_t errsize)
{
    *out = NULL;
    struct cur c;
    int rc = cur_load(st, &c, true);
    if (rc != 0)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    ts_constfile_t *f = ts_constfile_new();
    if (rc == 0)
        rc = file_of_cur(&c, false, f, err, errsize);
    if (rc == 0)
        rc = ts_constfile_validate(f, err, errsize);
    cur_free(&c);
    if (rc != 0) {
        ts_constfile_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int ts_constfile_export(ts_store_t *st, ts_buf_t *out)
{
    ts_constfile_t *f;
    int rc = ts_constfile_from_store(st, &f, NULL, 0);
    if (rc != 0)
        return rc;
    ts_constfile_write(f, out);
    ts_constfile_free(f);
    return 0;
}

/* ---- Import ------------------------------------------------------------------ */

static void copy_site(ts_constfile_t *dst, const ts_cf_site_t *s)
{
    ts_cf_site_t *d = ts_constfile_add_site(dst, s->name, s->parent, s->description);
    for (size_t j = 0; j < s->n_contacts; j++)
        ts_cf_site_add_contact(d, s->contacts[j].email, s->contacts[j].name);
    for (size_t j = 0; j < s->n_networks; j++)
        ts_cf_site_add_network(d, &s->networks[j]);
    for (size_t j = 0; j < s->n_asns; j++)
        ts_cf_site_add_asn(d, s->asns[j]);
    for (size_t j = 0; j < s->n_domains; j++)
        ts_cf_site_add_domain(d, s->domains[j]);
}

/* A claim as a sortable key "<site name>\x1f<kind>\x1f<value>". */
static char *claim_key(const char *site, ts_rule_kind_t kind, const char *value)
{
    size_t n = strlen(site) + strlen(value) + 8;
    char *k = ts_xmalloc(n);
    snprintf(k, n, "%s\x1f%d\x1f%s", site, (int)kind, value);
    return k;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keys {
    char **k;
    size_t n, cap;
};

static void keys_add(struct keys *ks, char *k)
{
    PUSH(ks->k, ks->n, ks->cap);
    ks->k[ks->n++] = k;
}

static void keys_free(struct keys *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->k[i]);
    free(ks->k);
}

/* The store's text of a claim. */
static void claim_text(ts_rule_kind_t kind, const ts_cf_site_t *s, size_t j, char *buf, size_t size)
{
    if (kind == TS_RULE_NETWORK)
        ts_prefix_format(&s->networks[j], buf, size);
    else if (kind == TS_RULE_ASN)
        snprintf(buf, size, "%" PRId64, s->asns[j]);
    else
        snprintf(buf, size, "%s", s->domains[j]);
}

/* Counts claims added and removed between the store (old) and the file. */
static void count_claim_changes(const struct cur *c, const ts_constfile_t *f, bool prune,
                                ts_constfile_stats_t *stats)
{
    struct keys old = {0}, neu = {0};
    struct id_ix *ix = id_index(c);
    for (size_t i = 0; i < c->n_claims; i++) {
        size_t k = id_find(ix, c->n_sites, c->claims[i].site_id);
        if (k == SIZE_MAX || (c->sites[k].in_file == SIZE_MAX && !prune))
            continue; /* kept as it is */
        keys_add(&old, claim_key(c->sites[k].name, c->claims[i].kind, c->claims[i].value));
    }
    for (size_t i = 0; i < f->n_sites; i++) {
        const ts_cf_site_t *s = &f->sites[i];
        char text[TS_DOMAIN_MAX + 1 > TS_IP_STRLEN ? TS_DOMAIN_MAX + 1 : TS_IP_STRLEN];
        for (size_t j = 0; j < s->n_networks; j++) {
            claim_text(TS_RULE_NETWORK, s, j, text, sizeof text);
            keys_add(&neu, claim_key(s->name, TS_RULE_NETWORK, text));
        }
        for (size_t j = 0; j < s->n_asns; j++) {
            claim_text(TS_RULE_ASN, s, j, text, sizeof text);
            keys_add(&neu, claim_key(s->name, TS_RULE_ASN, text));
        }
        for (size_t j = 0; j < s->n_domains; j++) {
            claim_text(TS_RULE_DOMAIN, s, j, text, sizeof text);
            keys_add(&neu, claim_key(s->name, TS_RULE_DOMAIN, text));
        }
    }
    if (old.n > 1)
        qsort(old.k, old.n, sizeof *old.k, key_cmp);
    if (neu.n > 1)
        qsort(neu.k, neu.n, sizeof *neu.k, key_cmp);
    size_t i = 0, j = 0;
    while (i < old.n || j < neu.n) {
        int d = i == old.n ? 1 : j == neu.n ? -1 : strcmp(old.k[i], neu.k[j]);
        if (d < 0) {
            stats->claims_removed++;
            i++;
        } else if (d > 0) {
            stats->claims_added++;
            j++;
        } else {
            i++;
            j++;
        }
    }
    keys_free(&old);
    keys_free(&neu);
    free(ix);
}

/* The site's contacts as a list of ids and addresses. */
struct have {
    int64_t *id;
    char **email, **name;
    size_t n, cap;
};

static int have_one(const ts_contact_rec_t *c, void *ctx)
{
    struct have *h = ctx;
    PUSH(h->id, h->n, h->cap);
    h->email = ts_xrealloc(h->email, h->cap * sizeof *h->email);
    h->name = ts_xrealloc(h->name, h->cap * sizeof *h->name);
    h->id[h->n] = c->id;
    h->email[h->n] = ts_xstrdup(c->email);
    h->name[h->n++] = ts_xstrdup(c->name);
    return 0;
}

static int rename_contact(const ts_contact_rec_t *c, void *ctx)
{
    void **v = ctx;
    ts_contact_rec_t upd = *c;
    upd.name = v[1];
    return ts_store_ncontact_update(v[0], &upd);
}

/* Brings the site's contacts in line with the file's (email and name): a
 * contact the file keeps keeps its id, roles, keys, preferences and the
 * digests waiting for it; one it drops is removed; a new one is added. */
static int sync_contacts(ts_store_t *st, int64_t id, const ts_cf_site_t *s, char *err,
                         size_t errsize)
{
    struct have h = {0};
    int rc = ts_store_ncontacts_foreach(st, id, have_one, &h);
    const char *what = "";
    for (size_t i = 0; rc == 0 && i < h.n; i++) {
        bool kept = false;
        for (size_t j = 0; j < s->n_contacts && !kept; j++)
            kept = strcasecmp(h.email[i], s->contacts[j].email) == 0;
        what = h.email[i];
        if (!kept)
            rc = ts_store_ncontact_remove(st, id, h.id[i]);
    }
    for (size_t j = 0; rc == 0 && j < s->n_contacts; j++) {
        const ts_cf_contact_t *ct = &s->contacts[j];
        size_t k = 0;
        while (k < h.n && strcasecmp(h.email[k], ct->email) != 0)
            k++;
        what = ct->email;
        if (k == h.n) {
            rc = ts_store_contact_add(st, id, ct->email, ct->name);
        } else if (strcmp(h.name[k], ct->name) != 0) {
            void *v[2] = {st, ct->name};
            rc = ts_store_ncontact_get(st, id, h.id[k], rename_contact, v);
        }
    }
    if (rc != 0)
        ts_seterr(err, errsize, "site %s: cannot store contact %s: %s (%s)", s->name, what,
                  ts_strerror(rc), ts_store_errmsg(st));
    for (size_t i = 0; i < h.n; i++) {
        free(h.email[i]);
        free(h.name[i]);
    }
    free(h.id);
    free(h.email);
    free(h.name);
    return rc;
}

static int write_claims(ts_store_t *st, int64_t id, const ts_cf_site_t *s, char *err,
                        size_t errsize)
{
    char text[TS_DOMAIN_MAX + 1 > TS_IP_STRLEN ? TS_DOMAIN_MAX + 1 : TS_IP_STRLEN];
    static const ts_rule_kind_t kinds[] = {TS_RULE_NETWORK, TS_RULE_ASN, TS_RULE_DOMAIN};
    for (size_t k = 0; k < 3; k++) {
        size_t n = kinds[k] == TS_RULE_NETWORK ? s->n_networks
                   : kinds[k] == TS_RULE_ASN   ? s->n_asns
                                               : s->n_domains;
        for (size_t j = 0; j < n; j++) {
            claim_text(kinds[k], s, j, text, sizeof text);
            int rc = ts_store_claim_add(st, id, kinds[k], text);
            if (rc != 0) {
                ts_seterr(err, errsize, "site %s: cannot store claim %s: %s (%s)", s->name, text,
                          ts_strerror(rc), ts_store_errmsg(st));
                return rc;
            }
        }
    }
    return sync_contacts(st, id, s, err, errsize);
}

/* The writes, inside the caller's transaction. */
static int apply_writes(ts_store_t *st, const struct cur *c, const ts_constfile_t *f, bool prune,
                        ts_constfile_stats_t *stats, char *err, size_t errsize)
{
    int64_t *ids = ts_xmalloc((f->n_sites ? f->n_sites : 1) * sizeof *ids);
    size_t *by_name = ts_cf_site_index(f);
    bool *existed = ts_xcalloc(f->n_sites ? f->n_sites : 1, sizeof *existed);
    int rc = 0;
    /* 1. Sites, parents first (f is canonical): a site's new parent is final
     *    before the site moves under it, so no step forms a cycle. */
    for (size_t i = 0; i < f->n_sites && rc == 0; i++) {
        const ts_cf_site_t *s = &f->sites[i];
        int64_t parent_id = 0;
        if (s->parent != NULL) {
            size_t p = ts_cf_site_find(f, by_name, s->parent);
            if (p < i)
                parent_id = ids[p];
            if (parent_id == 0) { /* impossible for a validated file */
                ts_seterr(err, errsize, "site %s: parent %s not written first", s->name, s->parent);
                rc = TS_EINVAL;
                break;
            }
        }
        size_t k = cur_find_name(c, s->name);
        if (k == SIZE_MAX) {
            rc = ts_store_site_add(st, s->name, parent_id, s->description, &ids[i]);
            stats->sites_created++;
        } else {
            ids[i] = c->sites[k].id;
            existed[i] = true;
            if (c->sites[k].parent_id != parent_id || strcmp(c->sites[k].desc, s->description)) {
                rc = ts_store_site_update(st, ids[i], parent_id, s->description);
                stats->sites_updated++;
            } else {
                stats->sites_unchanged++;
            }
        }
        if (rc != 0)
            ts_seterr(err, errsize, "site %s: cannot store: %s (%s)", s->name, ts_strerror(rc),
                      ts_store_errmsg(st));
    }
    /* 2. Empty the listed sites, so that a claim moving between two of them
     *    is never held twice on the way. */
    for (size_t i = 0; i < f->n_sites && rc == 0; i++)
        if (existed[i] && (rc = ts_store_site_clear(st, ids[i])) != 0)
            ts_seterr(err, errsize, "site %s: cannot clear: %s (%s)", f->sites[i].name,
                      ts_strerror(rc), ts_store_errmsg(st));
    /* 3. Prune, children first: the store listed parents first, and the
     *    listed sites no longer hang below pruned ones after step 1. */
    for (size_t i = c->n_sites; i-- > 0 && rc == 0;) {
        const struct cur_site *s = &c->sites[i];
        if (s->in_file != SIZE_MAX)
            continue;
        if (!prune) {
            stats->sites_kept++;
            continue;
        }
        rc = ts_store_site_remove(st, s->id);
        if (rc != 0)
            ts_seterr(err, errsize, "site %s: cannot remove: %s (%s)", s->name, ts_strerror(rc),
                      ts_store_errmsg(st));
        else
            stats->sites_removed++;
    }
    /* 4. The file's claims and contacts. */
    for (size_t i = 0; i < f->n_sites && rc == 0; i++) {
        rc = write_claims(st, ids[i], &f->sites[i], err, errsize);
        stats->contacts += f->sites[i].n_contacts;
    }
    free(ids);
    free(existed);
    free(by_name);
    return rc;
}

int ts_constfile_apply(ts_store_t *st, const ts_constfile_t *f, bool prune,
                       ts_constfile_stats_t *stats, char *err, size_t errsize)
{
    ts_constfile_stats_t local;
    if (stats == NULL)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    int rc = ts_store_begin(st);
    if (rc != 0) {
        ts_seterr(err, errsize, "store: cannot begin a transaction: %s", ts_store_errmsg(st));
        return rc;
    }
    /* Read inside the transaction, so what is checked is what gets changed. */
    struct cur c;
    rc = cur_load(st, &c, false);
    if (rc != 0)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    /* A canonical copy of the file (parents first, as the writes need), and
     * the result, which must be a valid constituency before anything is
     * written. */
    ts_constfile_t *fc = ts_constfile_new(), *result = ts_constfile_new();
    for (size_t i = 0; i < f->n_sites; i++)
        copy_site(fc, &f->sites[i]);
    if (rc == 0)
        rc = ts_constfile_validate(fc, err, errsize);
    for (size_t i = 0; i < fc->n_sites && rc == 0; i++) {
        copy_site(result, &fc->sites[i]);
        size_t k = cur_find_name(&c, fc->sites[i].name);
        if (k != SIZE_MAX)
            c.sites[k].in_file = i;
    }
    if (rc == 0 && !prune)
        rc = file_of_cur(&c, true, result, err, errsize);
    if (rc == 0 && (rc = ts_constfile_validate(result, err, errsize)) != 0 && !prune &&
        err != NULL) {
        size_t n = strlen(err);
        snprintf(err + n, errsize - n,
                 " (sites missing from the file are kept; prune removes "
                 "them)");
    }
    ts_constfile_free(result);
    if (rc == 0) {
        count_claim_changes(&c, fc, prune, stats);
        rc = apply_writes(st, &c, fc, prune, stats, err, errsize);
    }
    ts_constfile_free(fc);
    cur_free(&c);
    if (rc == 0) {
        rc = ts_store_commit(st);
        if (rc != 0)
            ts_seterr(err, errsize, "store: commit failed: %s", ts_store_errmsg(st));
        return rc;
    }
    ts_store_rollback(st);
    return rc;
}
