/* SPDX-License-Identifier: Apache-2.0 */
/* CSAF 2.0 (OASIS) documents -> normalised advisory.
 *
 * Every product the tree defines (branch leaves, full_product_names,
 * relationships) becomes a definition; the definitions some vulnerability
 * gives a product_status become product entries, in definition order. A
 * product the document defines but gives no status says nothing a site can
 * act on, so it yields no entry.
 *
 * Identity of a branch leaf: the innermost vendor branch, the innermost
 * product_name (else product_family) branch, and the innermost version-like
 * branch: product_version / service_pack / patch_level give an exact version
 * (Cisco writes product_version "12.2SE" then service_pack "12.2(55)SE", the
 * full version), product_version_range gives a range (vers when it starts
 * with "vers:", else vls). Without any, the CPE's or purl's version, else all
 * versions. The scheme is generic unless the product's purl implies one.
 *
 * A relationship ("X default_component_of Y") defines a new product_id whose
 * entry takes the component X's identity (X may itself be a relationship
 * product: chains are followed, and a chain that loops is TS_ECYCLE); its
 * full_name is the relationship's full_product_name.name ("X as a component
 * of Y"). A platform that runs Y is concerned too, though the document gives
 * Y no status (Red Hat names its RHEL releases only this way): each
 * relationship product with a status also links the status to Y, as an
 * entry with Y's identity (its CPE's names as keys when it has a CPE) and
 * the relationship as via ("relationship default_component_of
 * BaseOS-9.2.0.Z.MAIN (cpe:/o:redhat:enterprise_linux:9::baseos)"); when Y
 * is a relationship product itself, to what Y relates as well. Links of one
 * (product, status, chain) are one entry. A platform naming the component
 * gets the component's own entry, with its exact status.
 *
 * product_identification_helper gives cpe, purl, and the model_numbers,
 * skus and serial_numbers a platform may declare too.
 *
 * Status: a product listed under several statuses, in one vulnerability or
 * several, keeps the most urgent in ts_pstatus_t order (affected before
 * under_investigation before fixed before not_affected): for a site the
 * question is whether anything in the document hits it. "recommended" counts
 * as fixed (a version the vendor says to run).
 *
 * Remediations apply per product (product_ids and the members of group_ids),
 * merged over all vulnerabilities, identical ones (same category, details and
 * url) kept once. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/adv_int.h"
#include "advisory/platform.h"
#include "core/mem.h"

#define REMS_PER_PRODUCT_MAX 64
/* Product references followed for remediations (group_ids expand to their
 * members): a hostile document naming a huge group in many remediations would
 * otherwise cost references x members. */
#define REFS_MAX 10000000

/* ---- Small string -> index map (open addressing) ---------------------------- */

typedef struct idslot {
    const char *key; /* NULL = empty */
    size_t len;
    size_t val;
} idslot_t;

typedef struct idmap {
    idslot_t *s;
    size_t cap, n;
} idmap_t;

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static idslot_t *idmap_slot(const idmap_t *m, ts_str_t k)
{
    size_t mask = m->cap - 1;
    for (size_t i = fnv(k.ptr, k.len) & mask;; i = (i + 1) & mask) {
        idslot_t *s = &m->s[i];
        if (s->key == NULL || (s->len == k.len && memcmp(s->key, k.ptr, k.len) == 0))
            return s;
    }
}

/* Index of k, or -1. */
static long idmap_get(const idmap_t *m, ts_str_t k)
{
    if (m->cap == 0)
        return -1;
    idslot_t *s = idmap_slot(m, k);
    return s->key ? (long)s->val : -1;
}

/* Adds k (whose bytes must outlive the map); false if already there. */
static bool idmap_put(idmap_t *m, ts_str_t k, size_t val)
{
    if (2 * (m->n + 1) > m->cap) {
        idmap_t g = {ts_xcalloc(m->cap ? 2 * m->cap : 64, sizeof(idslot_t)),
                     m->cap ? 2 * m->cap : 64, m->n};
        for (size_t i = 0; i < m->cap; i++)
            if (m->s[i].key)
                *idmap_slot(&g, ts_str(m->s[i].key, m->s[i].len)) = m->s[i];
        free(m->s);
        *m = g;
    }
    idslot_t *s = idmap_slot(m, k);
    if (s->key)
        return false;
    *s = (idslot_t){k.ptr, k.len, val};
    m->n++;
    return true;
}

/* ---- Product definitions ---------------------------------------------------- */

enum { DEF_LEAF, DEF_REL };
enum { ST_NEW, ST_VISITING, ST_DONE, ST_BROKEN };

typedef struct pdef {
    ts_adv_product_t p; /* ref = product_id */
    int kind;
    int state;
    const char *comp, *rel_to, *cat; /* relationships; cat NULL when unknown */
    bool own_cpe, own_purl, own_ids; /* the relationship's product gives its own helper */
    const char *helper_text;         /* its CPE or purl as written, else NULL */
    int status;                      /* 0 none, else ts_pstatus_t */
    const ts_adv_remediation_t **rems;
    size_t nrems;
    bool rems_cut;
} pdef_t;

/* An entry a relationship links to the product it relates to: that
 * product's identity, the relationship product's status. Relationship
 * products of one (product, status, chain) share one. */
typedef struct linked {
    size_t target; /* defs[] index of the product linked to */
    size_t first;  /* defs[] index of the first relationship product */
    size_t count;  /* relationship products it stands for */
    int status;
    const char *via;
} linked_t;

typedef struct group {
    const ts_json_t *ids; /* array of product_id strings, owned by the document */
    const char *path;
} group_t;

typedef struct csaf {
    advb_t b;
    pdef_t *defs;
    size_t ndefs, capdefs;
    idmap_t ids;
    group_t *groups;
    size_t ngroups, capgroups;
    idmap_t gids;
    idmap_t remmap;
    ts_adv_remediation_t **remlist;
    size_t nrem, caprem;
    size_t refs; /* against REFS_MAX */
    linked_t *links;
    size_t nlinks, caplinks;
    idmap_t linkmap; /* (product, status, via) -> links[] */
} csaf_t;

typedef struct bctx {
    ts_str_t vendor, pname, family, version;
    int vkind; /* 0 none, 1 exact, 2 range */
} bctx_t;

static void csaf_free(csaf_t *c)
{
    for (size_t i = 0; i < c->ndefs; i++)
        free(c->defs[i].rems);
    free(c->defs);
    free(c->ids.s);
    free(c->groups);
    free(c->gids.s);
    free(c->remmap.s);
    free(c->remlist);
    free(c->links);
    free(c->linkmap.s);
}

/* A new definition for product_id id; NULL and *rc = 0 when the id is
 * already defined (a problem), NULL and *rc < 0 over the bound. */
static pdef_t *def_new(csaf_t *c, ts_str_t id, ts_str_t name, int *rc)
{
    *rc = 0;
    if (id.len == 0) {
        advb_problem(&c->b, "empty product_id ignored");
        return NULL;
    }
    if (c->ndefs >= TS_ADV_PRODUCTS_MAX) {
        *rc = advb_fail(&c->b, TS_ETOOBIG, "more than %d products", TS_ADV_PRODUCTS_MAX);
        return NULL;
    }
    const char *key = advb_strdup(&c->b, id);
    if (!idmap_put(&c->ids, ts_str(key, id.len), c->ndefs)) {
        advb_problem(&c->b, "product_id \"%s\" defined twice; the first definition is kept", key);
        return NULL;
    }
    if (c->ndefs == c->capdefs) {
        c->capdefs = c->capdefs ? 2 * c->capdefs : 32;
        c->defs = ts_xrealloc(c->defs, c->capdefs * sizeof *c->defs);
    }
    pdef_t *d = &c->defs[c->ndefs++];
    memset(d, 0, sizeof *d);
    d->p.ref = key;
    d->p.full_name = advb_strdup(&c->b, adv_trim(name));
    d->p.version_text = d->p.range_error = d->p.doubt = d->p.note = d->p.via = "";
    return d;
}

#define IDS_MAX 256 /* identifiers kept per product */

/* model_numbers, skus and serial_numbers: strings a platform may declare
 * (advisory/platform.h); empty ones are reported and left out. */
static int read_ids(csaf_t *c, const ts_json_t *pih, ts_adv_product_t *p)
{
    ts_adv_ident_t ids[IDS_MAX];
    size_t n = 0;
    for (int k = TS_ID_MODEL; k <= TS_ID_SERIAL; k++) {
        const char *key = ts_adv_id_kind_name((ts_adv_id_kind_t)k);
        ts_json_t *arr;
        size_t na;
        int rc = advj_arr(&c->b, pih, key, false, &arr, &na);
        if (rc)
            return rc;
        size_t mark = advb_push(&c->b, ".%s", key);
        for (size_t i = 0; i < na; i++) {
            ts_str_t s;
            if ((rc = advj_str_at(&c->b, arr, i, &s)))
                return rc;
            s = adv_trim(s);
            if (s.len == 0 || s.len >= TS_PLATFORM_ID_MAX)
                advb_problem(&c->b, "[%zu]: %s identifier left out", i,
                             s.len ? "a long" : "an empty");
            else if (n == IDS_MAX) {
                advb_problem(&c->b, "more than %d identifiers; the rest left out", IDS_MAX);
                break;
            } else
                ids[n++] = (ts_adv_ident_t){(ts_adv_id_kind_t)k, advb_strdup(&c->b, s)};
        }
        advb_pop(&c->b, mark);
    }
    if (n) {
        ts_adv_ident_t *copy = advb_alloc(&c->b, n * sizeof *copy);
        memcpy(copy, ids, n * sizeof *copy);
        p->ids = copy;
        p->n_ids = n;
    }
    return 0;
}

/* product_identification_helper: cpe, purl and the identifiers a platform
 * may declare (hashes, SBOM URLs and generic URIs identify nothing an
 * inventory holds). *text receives the CPE or purl as written, or NULL. */
static int read_pih(csaf_t *c, const ts_json_t *prod, ts_adv_product_t *p, const char **text)
{
    ts_json_t *pih;
    *text = NULL;
    int rc = advj_obj(&c->b, prod, "product_identification_helper", false, &pih);
    if (rc || pih == NULL)
        return rc;
    size_t mark = advb_push(&c->b, ".product_identification_helper");
    ts_str_t cpe = TS_STR_NULL, purl = TS_STR_NULL;
    rc = advj_str(&c->b, pih, "cpe", false, &cpe);
    if (rc == 0)
        rc = advj_str(&c->b, pih, "purl", false, &purl);
    if (rc == 0 && cpe.ptr)
        advb_cpe(&c->b, p, cpe);
    if (rc == 0 && purl.ptr)
        advb_purl(&c->b, p, purl);
    if (rc == 0)
        rc = read_ids(c, pih, p);
    if (p->has_cpe || p->has_purl)
        *text = advb_strdup(&c->b, adv_trim(p->has_cpe ? cpe : purl));
    advb_pop(&c->b, mark);
    return rc;
}

/* Fills in vendor/product from the CPE or purl when the tree gave none. */
static void names_from_ids(csaf_t *c, ts_adv_product_t *p)
{
    if (p->has_cpe) {
        const ts_cpe_av_t *v = &p->cpe.a[TS_CPE_VENDOR], *n = &p->cpe.a[TS_CPE_PRODUCT];
        if (p->vendor[0] == '\0' && v->kind == TS_CPE_VALUE)
            advb_vendor(&c->b, p, ts_str_c(v->value));
        if (p->product[0] == '\0' && n->kind == TS_CPE_VALUE)
            advb_product_name(&c->b, p, ts_str_c(n->value));
    }
    if (p->has_purl && p->product[0] == '\0' && p->purl.name[0])
        advb_product_name(&c->b, p, ts_str_c(p->purl.name));
}

static void leaf_versions(csaf_t *c, ts_adv_product_t *p, const bctx_t *x)
{
    ts_vscheme_t s = p->has_purl ? (ts_vscheme_t)ts_purl_scheme(&p->purl) : TS_VS_GENERIC;
    int cmp;
    /* Red Hat names a package version "openssh-0:8.7p1-38.el9_4.1.x86_64":
     * the purl's version is the one that compares. */
    if (x->vkind == 1 && p->has_purl && p->purl.version[0] &&
        ts_version_cmp(s, x->version, x->version, &cmp) != 0) {
        advb_range_exact(&c->b, p, s, ts_str_c(p->purl.version));
    } else if (x->vkind == 1) {
        advb_range_exact(&c->b, p, s, x->version);
    } else if (x->vkind == 2) {
        advb_range_text(&c->b, p, s, x->version);
    } else if (p->has_cpe && p->cpe.a[TS_CPE_VERSION].kind == TS_CPE_VALUE) {
        advb_range_exact(&c->b, p, s, ts_str_c(p->cpe.a[TS_CPE_VERSION].value));
    } else if (p->has_purl && p->purl.version[0]) {
        advb_range_exact(&c->b, p, s, ts_str_c(p->purl.version));
    } else {
        advb_range_all(p, s);
    }
}

/* A full_product_name object (branch leaf or product_tree.full_product_names[i]). */
static int read_leaf(csaf_t *c, const ts_json_t *prod, const bctx_t *x)
{
    ts_str_t name = TS_STR_NULL, id = TS_STR_NULL;
    int rc = advj_str(&c->b, prod, "name", true, &name);
    if (rc == 0)
        rc = advj_str(&c->b, prod, "product_id", true, &id);
    if (rc)
        return rc;
    pdef_t *d = def_new(c, id, name, &rc);
    if (d == NULL)
        return rc;
    d->kind = DEF_LEAF;
    d->state = ST_DONE;
    ts_adv_product_t *p = &d->p;
    rc = read_pih(c, prod, p, &d->helper_text);
    if (rc)
        return rc;
    if (x->vendor.len)
        advb_vendor(&c->b, p, x->vendor);
    if (x->pname.len)
        advb_product_name(&c->b, p, x->pname);
    else if (x->family.len)
        advb_product_name(&c->b, p, x->family);
    names_from_ids(c, p);
    ts_name_product_alias(p->vendor, p->product);
    leaf_versions(c, p, x);
    return 0;
}

static int walk_branches(csaf_t *c, const ts_json_t *arr, size_t n, const bctx_t *up, int depth)
{
    if (depth > TS_ADV_TREE_DEPTH_MAX)
        return advb_fail(&c->b, TS_EDEPTH, "branches nested deeper than %d", TS_ADV_TREE_DEPTH_MAX);
    for (size_t i = 0; i < n; i++) {
        size_t mark = advb_push(&c->b, "[%zu]", i);
        ts_json_t *br, *sub, *prod;
        ts_str_t cat = TS_STR_NULL, name = TS_STR_NULL;
        size_t nsub = 0;
        int rc = advj_obj_at(&c->b, arr, i, &br);
        if (rc == 0)
            rc = advj_str(&c->b, br, "category", true, &cat);
        if (rc == 0)
            rc = advj_str(&c->b, br, "name", true, &name);
        if (rc == 0)
            rc = advj_obj(&c->b, br, "product", false, &prod);
        if (rc == 0)
            rc = advj_arr(&c->b, br, "branches", false, &sub, &nsub);
        if (rc)
            return rc;
        bctx_t x = *up;
        if (ts_str_eq_c(cat, "vendor")) {
            x.vendor = name;
        } else if (ts_str_eq_c(cat, "product_name")) {
            x.pname = name;
        } else if (ts_str_eq_c(cat, "product_family")) {
            x.family = name;
        } else if (ts_str_eq_c(cat, "product_version") || ts_str_eq_c(cat, "service_pack") ||
                   ts_str_eq_c(cat, "patch_level")) {
            x.version = name;
            x.vkind = 1;
        } else if (ts_str_eq_c(cat, "product_version_range")) {
            x.version = name;
            x.vkind = 2;
        } else if (!ts_str_eq_c(cat, "architecture") && !ts_str_eq_c(cat, "host_name") &&
                   !ts_str_eq_c(cat, "language") && !ts_str_eq_c(cat, "legacy") &&
                   !ts_str_eq_c(cat, "specification")) {
            advb_problem(&c->b, "unknown branch category \"%.*s\"",
                         (int)(cat.len > 40 ? 40 : cat.len), cat.ptr);
        }
        if (prod == NULL && sub == NULL)
            advb_problem(&c->b, "branch has neither product nor branches");
        if (prod) {
            size_t m2 = advb_push(&c->b, ".product");
            rc = read_leaf(c, prod, &x);
            if (rc)
                return rc;
            advb_pop(&c->b, m2);
        }
        if (sub) {
            size_t m2 = advb_push(&c->b, ".branches");
            rc = walk_branches(c, sub, nsub, &x, depth + 1);
            if (rc)
                return rc;
            advb_pop(&c->b, m2);
        }
        advb_pop(&c->b, mark);
    }
    return 0;
}

static int read_relationships(csaf_t *c, const ts_json_t *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t mark = advb_push(&c->b, "[%zu]", i);
        ts_json_t *r, *fpn;
        ts_str_t cat = TS_STR_NULL, comp = TS_STR_NULL, rel = TS_STR_NULL, name = TS_STR_NULL,
                 id = TS_STR_NULL;
        int rc = advj_obj_at(&c->b, arr, i, &r);
        if (rc == 0)
            rc = advj_str(&c->b, r, "category", true, &cat);
        if (rc == 0)
            rc = advj_str(&c->b, r, "product_reference", true, &comp);
        if (rc == 0)
            rc = advj_str(&c->b, r, "relates_to_product_reference", true, &rel);
        if (rc == 0)
            rc = advj_obj(&c->b, r, "full_product_name", true, &fpn);
        if (rc)
            return rc;
        advb_push(&c->b, ".full_product_name");
        rc = advj_str(&c->b, fpn, "name", true, &name);
        if (rc == 0)
            rc = advj_str(&c->b, fpn, "product_id", true, &id);
        if (rc)
            return rc;
        pdef_t *d = def_new(c, id, name, &rc);
        if (d == NULL && rc)
            return rc;
        if (d) {
            static const char *const cats[] = {"default_component_of", "external_component_of",
                                               "installed_on", "installed_with",
                                               "optional_component_of"};
            d->kind = DEF_REL;
            d->state = ST_NEW;
            d->comp = advb_strdup(&c->b, comp);
            d->rel_to = advb_strdup(&c->b, rel);
            for (size_t k = 0; k < sizeof cats / sizeof *cats; k++)
                if (ts_str_eq_c(cat, cats[k]))
                    d->cat = cats[k];
            if (d->cat == NULL)
                advb_problem(&c->b,
                             "unknown relationship category \"%.*s\": nothing is linked "
                             "to \"%s\" through it",
                             (int)(cat.len > 40 ? 40 : cat.len), cat.ptr, d->rel_to);
            rc = read_pih(c, fpn, &d->p, &d->helper_text);
            if (rc)
                return rc;
            d->own_cpe = d->p.has_cpe;
            d->own_purl = d->p.has_purl;
            d->own_ids = d->p.n_ids > 0;
        }
        advb_pop(&c->b, mark);
    }
    return 0;
}

static int read_groups(csaf_t *c, const ts_json_t *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t mark = advb_push(&c->b, "[%zu]", i);
        ts_json_t *g, *ids;
        ts_str_t gid = TS_STR_NULL;
        size_t nids;
        int rc = advj_obj_at(&c->b, arr, i, &g);
        if (rc == 0)
            rc = advj_str(&c->b, g, "group_id", true, &gid);
        if (rc == 0)
            rc = advj_arr(&c->b, g, "product_ids", true, &ids, &nids);
        for (size_t j = 0; rc == 0 && j < nids; j++) {
            ts_str_t s;
            rc = advj_str_at(&c->b, ids, j, &s);
            if (rc == 0 && idmap_get(&c->ids, s) < 0)
                advb_problem(&c->b, "product_ids[%zu]: unknown product \"%.*s\"", j,
                             (int)(s.len > 80 ? 80 : s.len), s.ptr);
        }
        if (rc)
            return rc;
        if (c->ngroups == c->capgroups) {
            c->capgroups = c->capgroups ? 2 * c->capgroups : 8;
            c->groups = ts_xrealloc(c->groups, c->capgroups * sizeof *c->groups);
        }
        if (idmap_put(&c->gids, gid, c->ngroups))
            c->groups[c->ngroups++] = (group_t){ids, advb_strdup(&c->b, ts_str_c(c->b.path))};
        else
            advb_problem(&c->b, "group_id \"%.*s\" defined twice; the first is kept",
                         (int)(gid.len > 80 ? 80 : gid.len), gid.ptr);
        advb_pop(&c->b, mark);
    }
    return 0;
}

/* Follows the component chain of relationship products (iteratively: a
 * hostile chain may be long), each taking its component's identity. */
static int resolve_relationships(csaf_t *c)
{
    size_t *stack = NULL, ns = 0, caps = 0;
    int rc = 0;
    for (size_t i = 0; i < c->ndefs && rc == 0; i++) {
        if (c->defs[i].state != ST_NEW)
            continue;
        size_t j = i;
        int end = ST_DONE;
        ns = 0;
        for (;;) {
            pdef_t *d = &c->defs[j];
            if (d->state == ST_DONE || d->state == ST_BROKEN) {
                end = d->state;
                break;
            }
            if (d->state == ST_VISITING) {
                rc = advb_fail(&c->b, TS_ECYCLE,
                               "product_tree.relationships: product \"%s\" is a component of "
                               "itself through its relationships",
                               d->p.ref);
                break;
            }
            d->state = ST_VISITING;
            if (ns == caps) {
                caps = caps ? 2 * caps : 16;
                stack = ts_xrealloc(stack, caps * sizeof *stack);
            }
            stack[ns++] = j;
            if (idmap_get(&c->ids, ts_str_c(d->rel_to)) < 0)
                advb_problem(&c->b,
                             "relationship product \"%s\": unknown product \"%s\" "
                             "(relates_to_product_reference)",
                             d->p.ref, d->rel_to);
            long k = idmap_get(&c->ids, ts_str_c(d->comp));
            if (k < 0) {
                advb_problem(&c->b,
                             "relationship product \"%s\": unknown product \"%s\" "
                             "(product_reference); the product is ignored",
                             d->p.ref, d->comp);
                end = ST_BROKEN;
                break;
            }
            j = (size_t)k;
        }
        if (rc)
            break;
        /* Unwind: the innermost relationship first. */
        while (ns > 0) {
            pdef_t *d = &c->defs[stack[--ns]];
            if (end == ST_BROKEN) {
                d->state = ST_BROKEN;
                continue;
            }
            const ts_adv_product_t *src = &c->defs[idmap_get(&c->ids, ts_str_c(d->comp))].p;
            ts_adv_product_t *p = &d->p;
            memcpy(p->vendor, src->vendor, sizeof p->vendor);
            memcpy(p->product, src->product, sizeof p->product);
            if (!d->own_cpe) {
                p->has_cpe = src->has_cpe;
                p->cpe = src->cpe;
            }
            if (!d->own_purl) {
                p->has_purl = src->has_purl;
                p->purl = src->purl;
            }
            if (!d->own_ids) {
                p->ids = src->ids;
                p->n_ids = src->n_ids;
            }
            p->version_text = src->version_text;
            p->range_ok = src->range_ok;
            p->range = src->range;
            p->range_error = src->range_error;
            d->state = ST_DONE;
        }
    }
    free(stack);
    return rc;
}

static ts_pstatus_t status_of(const char *key)
{
    if (strcmp(key, "known_not_affected") == 0)
        return TS_PS_NOT_AFFECTED;
    if (strcmp(key, "fixed") == 0 || strcmp(key, "first_fixed") == 0 ||
        strcmp(key, "recommended") == 0)
        return TS_PS_FIXED;
    if (strcmp(key, "under_investigation") == 0)
        return TS_PS_UNDER_INVESTIGATION;
    return TS_PS_AFFECTED; /* known_affected, first_affected, last_affected */
}

static int read_status(csaf_t *c, const ts_json_t *ps)
{
    static const char *const keys[] = {"first_affected", "first_fixed",        "fixed",
                                       "known_affected", "known_not_affected", "last_affected",
                                       "recommended",    "under_investigation"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        ts_json_t *arr;
        size_t n;
        int rc = advj_arr(&c->b, ps, keys[k], false, &arr, &n);
        if (rc)
            return rc;
        ts_pstatus_t st = status_of(keys[k]);
        for (size_t i = 0; i < n; i++) {
            ts_str_t id;
            size_t mark = advb_push(&c->b, ".%s", keys[k]);
            rc = advj_str_at(&c->b, arr, i, &id);
            if (rc)
                return rc;
            long j = idmap_get(&c->ids, id);
            if (j < 0) {
                advb_problem(&c->b, "[%zu]: unknown product \"%.*s\"", i,
                             (int)(id.len > 80 ? 80 : id.len), id.ptr);
            } else {
                pdef_t *d = &c->defs[j];
                if (d->status == 0 || (int)st < d->status)
                    d->status = (int)st;
            }
            advb_pop(&c->b, mark);
        }
    }
    return 0;
}

static void attach_rem(csaf_t *c, pdef_t *d, const ts_adv_remediation_t *r)
{
    for (size_t i = 0; i < d->nrems; i++)
        if (d->rems[i] == r)
            return;
    if (d->nrems >= REMS_PER_PRODUCT_MAX) {
        if (!d->rems_cut)
            advb_problem(&c->b, "product \"%s\": more than %d remediations, the rest ignored",
                         d->p.ref, REMS_PER_PRODUCT_MAX);
        d->rems_cut = true;
        return;
    }
    if ((d->nrems & (d->nrems - 1)) == 0) /* 0, 1, 2, 4...: grow at powers of two */
        d->rems = ts_xrealloc(d->rems, (d->nrems ? 2 * d->nrems : 1) * sizeof *d->rems);
    d->rems[d->nrems++] = r;
}

/* Applies r to the products named in ids (a product_ids array). */
static int apply_ids(csaf_t *c, const ts_json_t *ids, size_t n, const ts_adv_remediation_t *r,
                     bool report)
{
    c->refs += n;
    if (c->refs > REFS_MAX)
        return advb_fail(&c->b, TS_ETOOBIG, "more than %d product references in remediations",
                         REFS_MAX);
    for (size_t i = 0; i < n; i++) {
        ts_str_t id;
        int rc = advj_str_at(&c->b, ids, i, &id);
        if (rc)
            return rc;
        long j = idmap_get(&c->ids, id);
        if (j < 0) {
            if (report)
                advb_problem(&c->b, "[%zu]: unknown product \"%.*s\"", i,
                             (int)(id.len > 80 ? 80 : id.len), id.ptr);
        } else {
            attach_rem(c, &c->defs[j], r);
        }
    }
    return 0;
}

static int read_remediation(csaf_t *c, const ts_json_t *rem)
{
    ts_str_t cat = TS_STR_NULL, details = TS_STR_NULL, url = TS_STR_NULL;
    ts_json_t *pids, *gids;
    size_t npids, ngids;
    int rc = advj_str(&c->b, rem, "category", true, &cat);
    if (rc == 0)
        rc = advj_str(&c->b, rem, "details", false, &details);
    if (rc == 0)
        rc = advj_str(&c->b, rem, "url", false, &url);
    if (rc == 0)
        rc = advj_arr(&c->b, rem, "product_ids", false, &pids, &npids);
    if (rc == 0)
        rc = advj_arr(&c->b, rem, "group_ids", false, &gids, &ngids);
    if (rc)
        return rc;
    if (npids == 0 && ngids == 0) {
        advb_problem(&c->b, "remediation names no product");
        return 0;
    }
    /* Identical remediations repeated per vulnerability are kept once. */
    const char *key = advb_printf(&c->b, "%.*s%c%.*s%c%.*s", (int)cat.len, cat.ptr, 0x1f,
                                  (int)details.len, details.ptr, 0x1f, (int)url.len, url.ptr);
    long k = idmap_get(&c->remmap, ts_str_c(key));
    const ts_adv_remediation_t *r;
    if (k >= 0) {
        r = c->remlist[k];
    } else {
        ts_adv_remediation_t *nr = advb_alloc(&c->b, sizeof *nr);
        nr->category = advb_strdup(&c->b, adv_trim(cat));
        nr->details = advb_strdup(&c->b, details);
        nr->url = advb_strdup(&c->b, adv_trim(url));
        if (c->nrem == c->caprem) {
            c->caprem = c->caprem ? 2 * c->caprem : 16;
            c->remlist = ts_xrealloc(c->remlist, c->caprem * sizeof *c->remlist);
        }
        idmap_put(&c->remmap, ts_str_c(key), c->nrem);
        c->remlist[c->nrem++] = nr;
        r = nr;
    }
    size_t mark = advb_push(&c->b, ".product_ids");
    rc = apply_ids(c, pids, npids, r, true);
    advb_pop(&c->b, mark);
    for (size_t i = 0; rc == 0 && i < ngids; i++) {
        ts_str_t gid;
        mark = advb_push(&c->b, ".group_ids");
        rc = advj_str_at(&c->b, gids, i, &gid);
        if (rc == 0) {
            long g = idmap_get(&c->gids, gid);
            if (g < 0) {
                advb_problem(&c->b, "[%zu]: unknown product group \"%.*s\"", i,
                             (int)(gid.len > 80 ? 80 : gid.len), gid.ptr);
            } else {
                const ts_json_t *ids = c->groups[g].ids;
                rc = apply_ids(c, ids, json_object_array_length(ids), r, false);
            }
        }
        advb_pop(&c->b, mark);
    }
    return rc;
}

static int read_scores(csaf_t *c, const ts_json_t *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t mark = advb_push(&c->b, "[%zu]", i);
        ts_json_t *s, *v3, *v2;
        int rc = advj_obj_at(&c->b, arr, i, &s);
        if (rc == 0)
            rc = advj_obj(&c->b, s, "cvss_v3", false, &v3);
        if (rc == 0)
            rc = advj_obj(&c->b, s, "cvss_v2", false, &v2);
        if (rc)
            return rc;
        double score;
        if (v3) {
            ts_str_t sev = TS_STR_NULL;
            advb_push(&c->b, ".cvss_v3");
            rc = advj_num(&c->b, v3, "baseScore", &score);
            if (rc == 1)
                rc = advb_fail(&c->b, TS_EMISSING, "field \"baseScore\" is missing");
            if (rc == 0)
                rc = advj_str(&c->b, v3, "baseSeverity", false, &sev);
            if (rc)
                return rc;
            advb_score(&c->b, score, sev, 3);
            advb_pop(&c->b, mark);
        }
        if (v2) {
            advb_push(&c->b, "[%zu].cvss_v2", i);
            rc = advj_num(&c->b, v2, "baseScore", &score);
            if (rc == 1)
                rc = advb_fail(&c->b, TS_EMISSING, "field \"baseScore\" is missing");
            if (rc)
                return rc;
            advb_score(&c->b, score, TS_STR_NULL, 2);
        }
        advb_pop(&c->b, mark);
    }
    return 0;
}

static int read_vulnerability(csaf_t *c, const ts_json_t *v)
{
    ts_str_t cve = TS_STR_NULL;
    ts_json_t *ps, *arr;
    size_t n;
    int rc = advj_str(&c->b, v, "cve", false, &cve);
    if (rc)
        return rc;
    if (cve.ptr)
        advb_add_cve(&c->b, cve);
    rc = advj_obj(&c->b, v, "product_status", false, &ps);
    if (rc)
        return rc;
    if (ps) {
        size_t mark = advb_push(&c->b, ".product_status");
        rc = read_status(c, ps);
        if (rc)
            return rc;
        advb_pop(&c->b, mark);
    }
    rc = advj_arr(&c->b, v, "remediations", false, &arr, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t mark = advb_push(&c->b, ".remediations[%zu]", i);
        ts_json_t *r;
        rc = advj_obj_at(&c->b, arr, i, &r);
        if (rc == 0)
            rc = read_remediation(c, r);
        if (rc == 0)
            advb_pop(&c->b, mark);
    }
    if (rc)
        return rc;
    rc = advj_arr(&c->b, v, "scores", false, &arr, &n);
    if (rc == 0 && arr) {
        size_t mark = advb_push(&c->b, ".scores");
        rc = read_scores(c, arr, n);
        if (rc == 0)
            advb_pop(&c->b, mark);
    }
    return rc;
}

/* document: the Base profile's mandatory fields (§4.1). */
static int read_document(csaf_t *c, const ts_json_t *doc)
{
    advb_t *b = &c->b;
    ts_json_t *d, *pub, *tr, *rh, *agg;
    ts_str_t cat, ver, title, pname, pcat, pns, id, status, version, cur, init;
    size_t nrh;
    size_t mark = advb_push(b, "document");
    int rc = advj_obj(b, doc, "document", true, &d);
    if (rc)
        return rc;
    if ((rc = advj_str(b, d, "category", true, &cat)) ||
        (rc = advj_str(b, d, "csaf_version", true, &ver)) ||
        (rc = advj_str(b, d, "title", true, &title)) ||
        (rc = advj_obj(b, d, "publisher", true, &pub)))
        return rc;
    if (!ts_str_eq_c(ver, "2.0")) {
        if (ver.len < 2 || memcmp(ver.ptr, "2.", 2) != 0)
            return advb_fail(b, TS_ENOTSUP, "csaf_version \"%.*s\" is not supported",
                             (int)(ver.len > 16 ? 16 : ver.len), ver.ptr);
        advb_problem(b, "csaf_version \"%.*s\" read as 2.0", (int)(ver.len > 16 ? 16 : ver.len),
                     ver.ptr);
    }
    advb_push(b, ".publisher");
    if ((rc = advj_str(b, pub, "category", true, &pcat)) ||
        (rc = advj_str(b, pub, "name", true, &pname)) ||
        (rc = advj_str(b, pub, "namespace", true, &pns)))
        return rc;
    advb_pop(b, mark);
    advb_push(b, "document");
    if ((rc = advj_obj(b, d, "tracking", true, &tr)))
        return rc;
    advb_push(b, ".tracking");
    if ((rc = advj_str(b, tr, "id", true, &id)) ||
        (rc = advj_str(b, tr, "status", true, &status)) ||
        (rc = advj_str(b, tr, "version", true, &version)) ||
        (rc = advj_str(b, tr, "current_release_date", true, &cur)) ||
        (rc = advj_str(b, tr, "initial_release_date", true, &init)) ||
        (rc = advj_arr(b, tr, "revision_history", true, &rh, &nrh)))
        return rc;
    if (adv_trim(id).len == 0)
        return advb_fail(b, TS_EMISSING, "id is empty");
    ts_advisory_t *a = b->a;
    a->id = advb_strdup(b, adv_trim(id));
    a->title = advb_strdup(b, adv_trim(title));
    a->publisher = advb_strdup(b, adv_trim(pname));
    a->revision = advb_strdup(b, adv_trim(version));
    a->published = advb_time(b, init, "initial_release_date");
    a->updated = advb_time(b, cur, "current_release_date");
    advb_pop(b, mark);
    advb_push(b, "document");
    if ((rc = advj_obj(b, d, "aggregate_severity", false, &agg)))
        return rc;
    if (agg) {
        ts_str_t text = TS_STR_NULL;
        advb_push(b, ".aggregate_severity");
        if ((rc = advj_str(b, agg, "text", true, &text)))
            return rc;
        advb_severity_text(b, text);
    }
    advb_pop(b, mark);
    return 0;
}

static int read_tree(csaf_t *c, const ts_json_t *doc)
{
    advb_t *b = &c->b;
    ts_json_t *pt, *arr;
    size_t n;
    int rc = advj_obj(b, doc, "product_tree", false, &pt);
    if (rc || pt == NULL)
        return rc;
    advb_push(b, "product_tree");
    size_t mark = b->plen;
    bctx_t none = {0};
    if ((rc = advj_arr(b, pt, "branches", false, &arr, &n)))
        return rc;
    if (arr) {
        advb_push(b, ".branches");
        if ((rc = walk_branches(c, arr, n, &none, 1)))
            return rc;
        advb_pop(b, mark);
    }
    if ((rc = advj_arr(b, pt, "full_product_names", false, &arr, &n)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        ts_json_t *fpn;
        advb_push(b, ".full_product_names[%zu]", i);
        if ((rc = advj_obj_at(b, arr, i, &fpn)) || (rc = read_leaf(c, fpn, &none)))
            return rc;
        advb_pop(b, mark);
    }
    if ((rc = advj_arr(b, pt, "relationships", false, &arr, &n)))
        return rc;
    if (arr) {
        advb_push(b, ".relationships");
        if ((rc = read_relationships(c, arr, n)))
            return rc;
        advb_pop(b, mark);
    }
    if ((rc = advj_arr(b, pt, "product_groups", false, &arr, &n)))
        return rc;
    if (arr) {
        advb_push(b, ".product_groups");
        if ((rc = read_groups(c, arr, n)))
            return rc;
        advb_pop(b, mark);
    }
    advb_pop(b, 0);
    return resolve_relationships(c);
}

/* ---- Relationship links -------------------------------------------------------- */

#define LINK_DEPTH_MAX 4   /* relationship chain steps followed (real ones take one or two) */
#define LINK_TEXT_MAX 1024 /* bytes of a chain's text */
#define LINK_NAME_MAX 200  /* bytes of a product's name or id in it */

/* Length of s cut to at most max bytes, on a UTF-8 character boundary. */
static int cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* How a relationship names the product it relates to: its CPE or purl as
 * written, else its name. */
static const char *link_name(const pdef_t *t)
{
    return t->helper_text ? t->helper_text : t->p.full_name;
}

static int add_link(csaf_t *c, size_t target, size_t first, int status, const char *via)
{
    char key[LINK_TEXT_MAX + 48];
    snprintf(key, sizeof key, "%zu\x1f%d\x1f%s", target, status, via);
    long k = idmap_get(&c->linkmap, ts_str_c(key));
    if (k >= 0) {
        c->links[k].count++;
        return 0;
    }
    if (c->nlinks >= TS_ADV_PRODUCTS_MAX)
        return advb_fail(&c->b, TS_ETOOBIG, "more than %d relationship links", TS_ADV_PRODUCTS_MAX);
    if (c->nlinks == c->caplinks) {
        c->caplinks = c->caplinks ? 2 * c->caplinks : 16;
        c->links = ts_xrealloc(c->links, c->caplinks * sizeof *c->links);
    }
    idmap_put(&c->linkmap, ts_str_c(advb_strdup(&c->b, ts_str_c(key))), c->nlinks);
    c->links[c->nlinks++] = (linked_t){target, first, 1, status, advb_strdup(&c->b, ts_str_c(via))};
    return 0;
}

/* Links each relationship product with a status to the product its
 * relationship relates to, and on along the chain when that one is a
 * relationship product too ("X default_component_of (A installed_on B)"
 * concerns A and B); a chain stops where it loops, or after a few steps.
 * \retval TS_ETOOBIG more links than entries an advisory may have. */
static int link_relationships(csaf_t *c)
{
    char via[LINK_TEXT_MAX];
    for (size_t i = 0; i < c->ndefs; i++) {
        const pdef_t *d = &c->defs[i], *r = d;
        if (d->kind != DEF_REL || d->status == 0 || d->state != ST_DONE)
            continue;
        size_t vl = 0, seen[LINK_DEPTH_MAX];
        for (int depth = 0; r->kind == DEF_REL && r->cat && depth < LINK_DEPTH_MAX; depth++) {
            long t = idmap_get(&c->ids, ts_str_c(r->rel_to));
            bool loop = false;
            for (int k = 0; t >= 0 && k < depth; k++)
                loop |= seen[k] == (size_t)t;
            if (t < 0 || loop || c->defs[t].state == ST_BROKEN)
                break;
            seen[depth] = (size_t)t;
            const pdef_t *target = &c->defs[t];
            const char *name = link_name(target);
            int w = snprintf(via + vl, sizeof via - vl, "%srelationship %s %.*s (%.*s)",
                             vl ? ", " : "", r->cat, cut(target->p.ref, LINK_NAME_MAX),
                             target->p.ref, cut(name, LINK_NAME_MAX), name);
            if (w < 0 || vl + (size_t)w >= sizeof via)
                break;
            vl += (size_t)w;
            int rc = add_link(c, (size_t)t, i, d->status, via);
            if (rc)
                return rc;
            r = target;
        }
    }
    return 0;
}

/* A new entry for definition d with status st (its remediations with it). */
static ts_adv_product_t *emit(csaf_t *c, const pdef_t *d, int st)
{
    ts_adv_product_t *p = advb_product(&c->b);
    if (p == NULL)
        return NULL;
    *p = d->p;
    p->status = (ts_pstatus_t)st;
    if (d->nrems) {
        const ts_adv_remediation_t **r = advb_alloc(&c->b, d->nrems * sizeof *r);
        memcpy(r, d->rems, d->nrems * sizeof *r);
        p->remediations = r;
        p->n_remediations = d->nrems;
    }
    return p;
}

/* The linked entries: the identity of the product linked to (its CPE's
 * names as the keys when it has one: platforms name such products by CPE),
 * the status and remediations of the first relationship product. */
static int emit_links(csaf_t *c)
{
    for (size_t i = 0; i < c->nlinks; i++) {
        const linked_t *l = &c->links[i];
        const pdef_t *first = &c->defs[l->first], *t = &c->defs[l->target];
        ts_adv_product_t *p = emit(c, first, l->status);
        if (p == NULL)
            return TS_ETOOBIG;
        p->full_name =
            l->count > 1 ? advb_printf(&c->b, "%s (and %zu more)", first->p.full_name, l->count - 1)
                         : first->p.full_name;
        p->via = l->via;
        memcpy(p->vendor, t->p.vendor, sizeof p->vendor);
        memcpy(p->product, t->p.product, sizeof p->product);
        p->has_cpe = t->p.has_cpe;
        p->cpe = t->p.cpe;
        p->has_purl = t->p.has_purl;
        p->purl = t->p.purl;
        p->ids = t->p.ids;
        p->n_ids = t->p.n_ids;
        p->version_text = t->p.version_text;
        p->range_ok = t->p.range_ok;
        p->range = t->p.range;
        p->range_error = t->p.range_error;
        const ts_cpe_av_t *cv = &p->cpe.a[TS_CPE_VENDOR], *cp = &p->cpe.a[TS_CPE_PRODUCT];
        if (p->has_cpe && cv->kind == TS_CPE_VALUE && cp->kind == TS_CPE_VALUE) {
            advb_vendor(&c->b, p, ts_str_c(cv->value));
            advb_product_name(&c->b, p, ts_str_c(cp->value));
            ts_name_product_alias(p->vendor, p->product);
        }
    }
    return 0;
}

int ts_csaf_from_json(const ts_json_t *doc, const char *name, ts_advisory_t **out, char *err,
                      size_t errsize)
{
    csaf_t c;
    memset(&c, 0, sizeof c);
    *out = NULL;
    advb_init(&c.b, TS_ADV_CSAF, name, err, errsize);
    int rc = read_document(&c, doc);
    advb_pop(&c.b, 0);
    if (rc == 0)
        rc = read_tree(&c, doc);
    advb_pop(&c.b, 0);
    ts_json_t *vulns = NULL;
    size_t nv = 0;
    if (rc == 0)
        rc = advj_arr(&c.b, doc, "vulnerabilities", false, &vulns, &nv);
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        ts_json_t *v;
        advb_push(&c.b, "vulnerabilities[%zu]", i);
        rc = advj_obj_at(&c.b, vulns, i, &v);
        if (rc == 0)
            rc = read_vulnerability(&c, v);
        if (rc == 0)
            advb_pop(&c.b, 0);
    }
    for (size_t i = 0; rc == 0 && i < c.ndefs; i++) {
        pdef_t *d = &c.defs[i];
        if (d->status && d->state != ST_BROKEN && emit(&c, d, d->status) == NULL)
            rc = TS_ETOOBIG;
    }
    if (rc == 0)
        rc = link_relationships(&c);
    if (rc == 0)
        rc = emit_links(&c);
    csaf_free(&c);
    if (rc) {
        advb_discard(&c.b);
        return rc;
    }
    *out = advb_finish(&c.b);
    return 0;
}

int ts_csaf_parse(const char *data, size_t len, const char *name, ts_advisory_t **out, char *err,
                  size_t errsize)
{
    ts_json_t *doc;
    *out = NULL;
    int rc = advb_parse_json(data, len, name, &doc, err, errsize);
    if (rc)
        return rc;
    rc = ts_csaf_from_json(doc, name ? name : "advisory", out, err, errsize);
    ts_json_free(doc);
    return rc;
}
