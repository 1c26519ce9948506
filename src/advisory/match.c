/* SPDX-License-Identifier: Apache-2.0 */
/* The platform index and the matching of advisory product entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/match.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"

struct mplat {
    int64_t id, site_id;
    char *spec;
    char *version; /* "" for a family */
    uint8_t kind;
    bool family, vendor_family;
    bool ids;            /* gives a model number, SKU or serial number */
    ts_platform_t *full; /* CPE, purl and identified platforms only: the parsed form */
};

/* Name platforms apart from CPE and purl ones, so that the hot loop over a
 * version's platforms reads no platform record (measured: that read was
 * most of the full re-match). */
struct vgroup {
    char *version;
    uint32_t vlen;   /* strlen(version): the hot loop builds reasons from it */
    uint32_t *plats; /* name platforms */
    uint32_t n, cap;
    uint32_t *special; /* CPE, purl and identified platforms */
    uint32_t n_special, cap_special;
};

struct bucket {
    char *key; /* NULL: free slot */
    uint64_t hash;
    uint32_t *family; /* family platforms */
    uint32_t n_family, cap_family;
    struct vgroup *groups;
    uint32_t n_groups, cap_groups;
};

/* What matching one advisory needs besides the (read-only) index. */
struct ts_match_scratch {
    /* per platform: advisory counter when last seen, and its index in best[]
     * (one record: one cache miss per match, not two) */
    struct seen {
        uint32_t stamp, slot;
    } * seen;
    size_t seen_cap;
    uint32_t counter;
    struct best *best;
    size_t n_best, cap_best;
    ts_buf_t rules;
    uint64_t rule_gen;   /* last rule text handed out */
    uint64_t stored_gen; /* the one last stored in rules, at stored_off */
    size_t stored_off;
};

/* The best match of one platform while one advisory is matched. */
struct best {
    uint32_t plat;
    const ts_adv_product_t *prod;
    uint8_t status;
    bool undecided, family, secondary;
    size_t rule_off;
};

struct ts_match_index {
    ts_arena_t *strings; /* specs, versions, keys, parsed CPE/purl platforms: freed at once */
    struct mplat *plats;
    size_t n_plats, cap_plats;
    struct bucket *tab;
    size_t tab_cap, tab_used;
    size_t mem;                   /* bytes allocated, for the memory report */
    size_t n_vendor_family;       /* "vendor:*" platforms: none, no lookup of (vendor, *) */
    struct ts_match_scratch *own; /* ts_match_advisory()'s */
};

static uint64_t hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static char *dup_counted(ts_match_index_t *idx, const char *s)
{
    size_t n = strlen(s) + 1;
    idx->mem += (n + 15) & ~(size_t)15;
    char *d = ts_arena_alloc(idx->strings, n);
    memcpy(d, s, n);
    return d;
}

/* Grows an array of elem-sized items to hold one more; counts the memory. */
static void *grow(ts_match_index_t *idx, void *arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    uint32_t nc = *cap ? *cap * 2 : 2;
    idx->mem += (size_t)(nc - *cap) * elem;
    *cap = nc;
    return ts_xrealloc(arr, (size_t)nc * elem);
}

ts_match_index_t *ts_match_index_new(void)
{
    ts_match_index_t *idx = ts_xcalloc(1, sizeof *idx);
    idx->strings = ts_arena_new(1 << 20);
    idx->tab_cap = 1024;
    idx->tab = ts_xcalloc(idx->tab_cap, sizeof *idx->tab);
    idx->mem = sizeof *idx + idx->tab_cap * sizeof *idx->tab;
    return idx;
}

void ts_match_index_free(ts_match_index_t *idx)
{
    if (idx == NULL)
        return;
    free(idx->plats);
    for (size_t i = 0; i < idx->tab_cap; i++) {
        struct bucket *b = &idx->tab[i];
        if (b->key == NULL)
            continue;
        free(b->family);
        for (uint32_t g = 0; g < b->n_groups; g++) {
            free(b->groups[g].plats);
            free(b->groups[g].special);
        }
        free(b->groups);
    }
    free(idx->tab);
    ts_arena_free(idx->strings);
    ts_match_scratch_free(idx->own);
    free(idx);
}

size_t ts_match_index_count(const ts_match_index_t *idx)
{
    return idx ? idx->n_plats : 0;
}

size_t ts_match_index_memory(const ts_match_index_t *idx)
{
    return idx ? idx->mem : 0;
}

static struct bucket *find(const ts_match_index_t *idx, const char *key, uint64_t h)
{
    size_t mask = idx->tab_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct bucket *b = &idx->tab[i];
        if (b->key == NULL)
            return NULL;
        if (b->hash == h && strcmp(b->key, key) == 0)
            return b;
    }
}

static void rehash(ts_match_index_t *idx)
{
    size_t nc = idx->tab_cap * 2;
    struct bucket *nt = ts_xcalloc(nc, sizeof *nt);
    for (size_t i = 0; i < idx->tab_cap; i++) {
        struct bucket *b = &idx->tab[i];
        if (b->key == NULL)
            continue;
        size_t j = b->hash & (nc - 1);
        while (nt[j].key)
            j = (j + 1) & (nc - 1);
        nt[j] = *b;
    }
    idx->mem += (nc - idx->tab_cap) * sizeof *nt;
    free(idx->tab);
    idx->tab = nt;
    idx->tab_cap = nc;
}

static struct bucket *find_or_add(ts_match_index_t *idx, const char *key)
{
    uint64_t h = hash_key(key);
    struct bucket *b = find(idx, key, h);
    if (b)
        return b;
    if ((idx->tab_used + 1) * 2 > idx->tab_cap)
        rehash(idx);
    size_t mask = idx->tab_cap - 1;
    size_t i = h & mask;
    while (idx->tab[i].key)
        i = (i + 1) & mask;
    b = &idx->tab[i];
    b->key = dup_counted(idx, key);
    b->hash = h;
    idx->tab_used++;
    return b;
}

static void name_key(char *out, size_t size, const char *vendor, const char *product)
{
    size_t a = strlen(vendor), b = strlen(product);
    if (a + b + 2 > size) { /* names are bounded by TS_NAME_MAX: never here */
        out[0] = '\0';
        return;
    }
    memcpy(out, vendor, a);
    out[a] = '\x1f';
    memcpy(out + a + 1, product, b + 1);
}

static void purl_key(char *out, size_t size, const ts_purl_t *p)
{
    ts_seterr(out, size, "\x02%s/%s/%s", p->type, p->ns, p->name);
}

/* The platforms of a vendor that give identifiers. */
static void ids_key(char *out, size_t size, const char *vendor)
{
    ts_seterr(out, size, "\x03%s", vendor);
}

static void bucket_add(ts_match_index_t *idx, struct bucket *b, uint32_t pi)
{
    struct mplat *mp = &idx->plats[pi];
    if (mp->family) {
        b->family = grow(idx, b->family, &b->cap_family, b->n_family, sizeof *b->family);
        b->family[b->n_family++] = pi;
        return;
    }
    struct vgroup *g = NULL;
    for (uint32_t i = 0; i < b->n_groups; i++)
        if (strcmp(b->groups[i].version, mp->version) == 0) {
            g = &b->groups[i];
            break;
        }
    if (g == NULL) {
        b->groups = grow(idx, b->groups, &b->cap_groups, b->n_groups, sizeof *b->groups);
        g = &b->groups[b->n_groups++];
        memset(g, 0, sizeof *g);
        g->version = dup_counted(idx, mp->version);
        g->vlen = (uint32_t)strlen(g->version);
    }
    if (mp->kind == TS_PLAT_NAME && !mp->ids) {
        g->plats = grow(idx, g->plats, &g->cap, g->n, sizeof *g->plats);
        g->plats[g->n++] = pi;
    } else {
        g->special = grow(idx, g->special, &g->cap_special, g->n_special, sizeof *g->special);
        g->special[g->n_special++] = pi;
    }
}

int ts_match_index_add(ts_match_index_t *idx, int64_t platform_id, int64_t site_id,
                       const ts_platform_t *p)
{
    if (idx->n_plats >= 0x7fffffff)
        return TS_ERANGE;
    if (idx->n_plats == idx->cap_plats) {
        size_t nc = idx->cap_plats ? idx->cap_plats * 2 : 64;
        idx->mem += (nc - idx->cap_plats) * sizeof *idx->plats;
        idx->plats = ts_xrealloc(idx->plats, nc * sizeof *idx->plats);
        idx->cap_plats = nc;
    }
    uint32_t pi = (uint32_t)idx->n_plats++;
    struct mplat *mp = &idx->plats[pi];
    memset(mp, 0, sizeof *mp);
    mp->id = platform_id;
    mp->site_id = site_id;
    mp->spec = dup_counted(idx, p->spec);
    mp->version = dup_counted(idx, p->version);
    mp->kind = (uint8_t)p->kind;
    mp->family = p->family;
    mp->vendor_family = p->vendor_family;
    mp->ids = ts_platform_has_ids(p);
    if (p->vendor_family)
        idx->n_vendor_family++;
    if (p->kind != TS_PLAT_NAME || mp->ids) {
        mp->full = ts_arena_alloc(idx->strings, sizeof *mp->full);
        *mp->full = *p;
        idx->mem += sizeof *mp->full;
    }
    char key[2 * TS_PURL_PART_MAX + 64];
    if (p->vendor[0] && p->product[0]) {
        name_key(key, sizeof key, p->vendor, p->product);
        bucket_add(idx, find_or_add(idx, key), pi);
    }
    /* Entries that name no vendor (a CVE record's bare packageName) are
     * looked up by product alone. */
    if (p->product[0] && !p->vendor_family) {
        name_key(key, sizeof key, "", p->product);
        bucket_add(idx, find_or_add(idx, key), pi);
    }
    if (p->kind == TS_PLAT_PURL) {
        purl_key(key, sizeof key, &p->purl);
        bucket_add(idx, find_or_add(idx, key), pi);
    }
    /* Entries with identifiers find these whatever their names. */
    if (mp->ids && p->vendor[0]) {
        ids_key(key, sizeof key, p->vendor);
        bucket_add(idx, find_or_add(idx, key), pi);
    }
    return 0;
}

/* ---- One entry against one platform --------------------------------------------- */

bool ts_match_alerts(ts_pstatus_t status, bool undecided)
{
    return undecided || status == TS_PS_AFFECTED || status == TS_PS_UNDER_INVESTIGATION;
}

/* The names that identify an entry: its own, else its CPE's. */
void ts_match_purl_key(const ts_purl_t *p, char *out, size_t size)
{
    ts_seterr(out, size, "%s/%s/%s", p->type, p->ns, p->name);
}

void ts_match_entry_names(const ts_adv_product_t *p, char vendor[TS_NAME_MAX],
                          char product[TS_NAME_MAX])
{
    memcpy(vendor, p->vendor, TS_NAME_MAX);
    memcpy(product, p->product, TS_NAME_MAX);
    vendor[TS_NAME_MAX - 1] = product[TS_NAME_MAX - 1] = '\0';
    if ((vendor[0] == '\0' || product[0] == '\0') && p->has_cpe &&
        p->cpe.a[TS_CPE_VENDOR].kind == TS_CPE_VALUE &&
        p->cpe.a[TS_CPE_PRODUCT].kind == TS_CPE_VALUE) {
        if (ts_name_vendor(ts_str_c(p->cpe.a[TS_CPE_VENDOR].value), vendor) != 0 ||
            ts_name_product(ts_str_c(p->cpe.a[TS_CPE_PRODUCT].value), product) != 0)
            vendor[0] = product[0] = '\0';
    }
}

/* Appends the NUL-terminated s to out[*len] within size (cut to fit). */
static void put(char *out, size_t size, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n >= size)
        n = *len + 1 < size ? size - 1 - *len : 0;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

static bool has(const char *s)
{
    return s && s[0];
}

/* "name v/p", "cpe cpe:2.3:...", "purl pkg:type/ns/name": how the entry was
 * found; an entry a CSAF relationship links to its platform says so. */
static void ident(const ts_adv_product_t *p, ts_plat_kind_t how, char *out, size_t size)
{
    if (has(p->via)) {
        ts_seterr(out, size, "%s", p->via);
    } else if (how == TS_PLAT_CPE) {
        char c[512];
        ts_cpe_format(&p->cpe, c, sizeof c);
        ts_seterr(out, size, "cpe %s", c);
    } else if (how == TS_PLAT_PURL) {
        ts_seterr(out, size, "purl pkg:%s/%s%s%s", p->purl.type, p->purl.ns,
                  p->purl.ns[0] ? "/" : "", p->purl.name);
    } else {
        /* Once per entry that finds platforms: concatenated, not printf'd. */
        char v[TS_NAME_MAX], pr[TS_NAME_MAX];
        ts_match_entry_names(p, v, pr);
        size_t len = 0;
        out[0] = '\0';
        put(out, size, &len, "name ");
        put(out, size, &len, v[0] ? v : "*");
        put(out, size, &len, "/");
        put(out, size, &len, pr);
    }
}

static void family_rule(const ts_adv_product_t *p, const char *id, char *rule, size_t size)
{
    const char *covers = p->version_text && p->version_text[0] ? p->version_text : "all versions";
    ts_seterr(rule, size, "%s, family (every version; the entry covers %s)", id, covers);
}

/* 1 in range, 0 not, 2 undecided; no text is built (the hot path). */
static int range_test_n(const ts_adv_product_t *p, ts_str_t version)
{
    if (!p->range_ok)
        return 2;
    bool in = true; /* every version: nothing to compare */
    if (!(p->range.all && p->range.n == 0) && ts_vrange_contains(&p->range, version, &in) != 0)
        return 2;
    return in ? (has(p->doubt) ? 2 : 1) : 0;
}

static int range_test(const ts_adv_product_t *p, const char *version)
{
    return range_test_n(p, ts_str_c(version));
}

/* The reason of a range_test() result of 1 or 2. */
static void version_rule(const ts_adv_product_t *p, int res, const char *version, const char *id,
                         char *rule, size_t size)
{
    char vers[TS_VRANGE_TEXT_MAX + 32];
    if (!p->range_ok) {
        ts_seterr(rule, size, "%s, range \"%s\" not understood (%s): %s undecided", id,
                  p->version_text ? p->version_text : "",
                  p->range_error && p->range_error[0] ? p->range_error : "no reason given",
                  version);
        return;
    }
    ts_vrange_format(&p->range, vers, sizeof vers);
    bool in = false;
    if (res == 2 && ts_vrange_contains(&p->range, ts_str_c(version), &in) != 0)
        ts_seterr(rule, size, "%s, %s cannot compare %s (not a %s version): undecided", id, vers,
                  version, ts_vscheme_name(p->range.scheme));
    else if (res == 2)
        ts_seterr(rule, size, "%s, %s contains %s, but undecided: %s", id, vers, version, p->doubt);
    else
        ts_seterr(rule, size, "%s, %s contains %s%s%s%s", id, vers, version,
                  has(p->note) ? " (" : "", has(p->note) ? p->note : "", has(p->note) ? ")" : "");
}

static int eval_version(const ts_adv_product_t *p, const char *version, const char *id, char *rule,
                        size_t size)
{
    int res = range_test(p, version);
    if (res)
        version_rule(p, res, version, id, rule, size);
    return res;
}

/* A CPE match that leaves the version to the range: NVD states versions as
 * ranges next to a CPE whose version is ANY. */
static bool cpe_applies(const ts_cpe_t *src, const ts_cpe_t *tgt)
{
    ts_cpe_t s = *src, t = *tgt;
    memset(&s.a[TS_CPE_VERSION], 0, sizeof s.a[TS_CPE_VERSION]);
    memset(&t.a[TS_CPE_VERSION], 0, sizeof t.a[TS_CPE_VERSION]);
    s.a[TS_CPE_VERSION].kind = TS_CPE_ANY;
    t.a[TS_CPE_VERSION].kind = TS_CPE_ANY;
    return ts_cpe_matches(&s, &t);
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether identifier s fits pattern pat ('*' any run, '?' one character,
 * '\' takes the next literally), case and blanks ignored. */
static bool id_fits(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;
    for (;;) {
        while (*pat == ' ')
            pat++;
        while (*s == ' ')
            s++;
        if (*pat == '*') {
            star = ++pat;
            resume = s;
            continue;
        }
        bool lit = pat[0] == '\\' && pat[1];
        unsigned char pc = (unsigned char)pat[lit];
        if (*s && pc && ((pc == '?' && !lit) || fold(pc) == fold((unsigned char)*s))) {
            pat += 1 + lit;
            s++;
        } else if (*s == '\0' && pc == '\0') {
            return true;
        } else if (star && *resume) {
            pat = star;
            s = ++resume;
        } else {
            return false;
        }
    }
}

/* The identifiers the platform and the entry both give decide: -1 none in
 * common, 0 one kind in common without a fit, 1 every kind in common fits
 * (*pat, *kind: the first pattern that did). */
static int ids_decide(const ts_platform_t *pl, const ts_adv_product_t *p, const char **pat,
                      ts_adv_id_kind_t *kind)
{
    int res = -1;
    for (int k = TS_ID_MODEL; k <= TS_ID_SERIAL; k++) {
        const char *v = k == TS_ID_MODEL ? pl->model : k == TS_ID_SKU ? pl->sku : pl->serial;
        bool given = false, fits = false;
        for (size_t i = 0; v[0] && !fits && i < p->n_ids; i++) {
            if (p->ids[i].kind != (ts_adv_id_kind_t)k)
                continue;
            given = true;
            if ((fits = id_fits(p->ids[i].value, v)) && res < 0) {
                *pat = p->ids[i].value;
                *kind = (ts_adv_id_kind_t)k;
            }
        }
        if (given && !fits)
            return 0;
        if (given)
            res = 1;
    }
    return res;
}

int ts_match_one(const ts_platform_t *plat, const ts_adv_product_t *p, bool *undecided, char *rule,
                 size_t rulesize)
{
    char id[TS_MATCH_RULE_MAX];
    *undecided = false;
    const char *pat = NULL;
    ts_adv_id_kind_t kind = TS_ID_MODEL;
    int by_id = p->n_ids && ts_platform_has_ids(plat) ? ids_decide(plat, p, &pat, &kind) : -1;
    if (by_id == 0)
        return 0;
    if (by_id == 1) {
        /* identifiers belong to their vendor, whatever the product is called */
        char v[TS_NAME_MAX], pr[TS_NAME_MAX];
        ts_match_entry_names(p, v, pr);
        if (v[0] && strcmp(v, plat->vendor) != 0)
            return 0;
        if (has(p->via))
            ts_seterr(id, sizeof id, "%s", p->via);
        else
            ts_seterr(id, sizeof id, "%s \"%s\" of %s/%s", ts_adv_id_kind_name(kind), pat,
                      v[0] ? v : "*", pr);
    } else if (plat->kind == TS_PLAT_PURL && p->has_purl) {
        if (!ts_purl_same_package(&p->purl, &plat->purl))
            return 0;
        ident(p, TS_PLAT_PURL, id, sizeof id);
    } else if (plat->kind == TS_PLAT_CPE && p->has_cpe) {
        if (!cpe_applies(&p->cpe, &plat->cpe))
            return 0;
        ident(p, TS_PLAT_CPE, id, sizeof id);
    } else {
        char v[TS_NAME_MAX], pr[TS_NAME_MAX];
        ts_match_entry_names(p, v, pr);
        if (pr[0] == '\0')
            return 0;
        if (v[0] == '\0') {
            /* The entry names no vendor: the product decides. */
            if (plat->vendor_family || strcmp(pr, plat->product) != 0)
                return 0;
        } else if (plat->vendor[0] == '\0' || strcmp(v, plat->vendor) != 0 ||
                   (!plat->vendor_family && strcmp(pr, plat->product) != 0)) {
            return 0;
        }
        /* as ident() says it, for the same reason on both paths */
        if (has(p->via))
            ts_seterr(id, sizeof id, "%s", p->via);
        else
            ts_seterr(id, sizeof id, "name %s/%s", v[0] ? v : "*", pr);
    }
    if (plat->family) {
        family_rule(p, id, rule, rulesize);
        return 1;
    }
    int r = eval_version(p, plat->version, id, rule, rulesize);
    if (r == 2)
        *undecided = true;
    return r != 0;
}

/* ---- Through the index ------------------------------------------------------------ */

/* rule_gen changes whenever the rule text does, so that the platforms of
 * one version group share one stored copy of it. */
typedef int (*emit_fn)(const ts_match_index_t *idx, uint32_t pi, const ts_adv_product_t *p,
                       bool undecided, bool family, const char *rule, uint64_t rule_gen, void *ctx);

static int emit_one(const ts_match_index_t *idx, uint32_t pi, const ts_adv_product_t *p,
                    emit_fn emit, void *ctx, uint64_t *gen)
{
    const struct mplat *mp = &idx->plats[pi];
    bool und;
    char rule[TS_MATCH_RULE_MAX];
    if (!ts_match_one(mp->full, p, &und, rule, sizeof rule))
        return 0;
    return emit(idx, pi, p, und, mp->family, rule, ++*gen, ctx);
}

/* Whether an entry finds identified platforms through their vendor's
 * identifiers bucket (and so not through the names' buckets). */
static bool ids_lookup(const ts_adv_product_t *p, const char *vendor)
{
    return p->n_ids && vendor[0];
}

static int scan_name_bucket(const ts_match_index_t *idx, const struct bucket *b,
                            const ts_adv_product_t *p, bool by_ids, emit_fn emit, void *ctx,
                            uint64_t *ngen)
{
    char id[TS_MATCH_RULE_MAX], rule[TS_MATCH_RULE_MAX], prefix[TS_MATCH_RULE_MAX];
    char suffix[TS_MATCH_RULE_MAX];
    size_t prefix_len = 0, suffix_len = 0;
    bool have_id = false;
    int r = 0;
    uint64_t family_gen = 0;
    for (uint32_t i = 0; r == 0 && i < b->n_family; i++) {
        uint32_t pi = b->family[i];
        const struct mplat *mp = &idx->plats[pi];
        if (mp->ids && by_ids)
            continue; /* the identifiers' bucket decides */
        if ((mp->kind == TS_PLAT_PURL && p->has_purl) || (mp->kind == TS_PLAT_CPE && p->has_cpe)) {
            if (mp->kind == TS_PLAT_CPE) {
                r = emit_one(idx, pi, p, emit, ctx, ngen);
                family_gen = 0;
            }
            continue; /* purl platforms: the purl bucket decides */
        }
        if (family_gen == 0) {
            if (!have_id) {
                ident(p, TS_PLAT_NAME, id, sizeof id);
                have_id = true;
            }
            family_rule(p, id, rule, sizeof rule);
            family_gen = ++*ngen;
        }
        r = emit(idx, pi, p, false, true, rule, family_gen, ctx);
    }
    for (uint32_t g = 0; r == 0 && g < b->n_groups; g++) {
        const struct vgroup *vg = &b->groups[g];
        int in = -1; /* evaluated once per version, lazily */
        uint64_t gen = 0;
        for (uint32_t k = 0; r == 0 && k < vg->n + vg->n_special; k++) {
            bool plain = k < vg->n;
            uint32_t pi = plain ? vg->plats[k] : vg->special[k - vg->n];
            if (!plain && idx->plats[pi].ids) {
                if (!by_ids) {
                    r = emit_one(idx, pi, p, emit, ctx, ngen);
                    gen = 0;
                }
                continue; /* else the identifiers' bucket decides */
            }
            if (!plain) {
                uint8_t kind = idx->plats[pi].kind;
                if ((kind == TS_PLAT_PURL && p->has_purl) || (kind == TS_PLAT_CPE && p->has_cpe)) {
                    if (kind == TS_PLAT_CPE) {
                        r = emit_one(idx, pi, p, emit, ctx, ngen);
                        gen = 0;
                    }
                    continue; /* purl: the purl bucket decides */
                }
            }
            if (in < 0)
                in = range_test_n(p, ts_str(vg->version, vg->vlen));
            if (in == 0)
                break;
            if (gen == 0) {
                if (!have_id) {
                    ident(p, TS_PLAT_NAME, id, sizeof id);
                    have_id = true;
                }
                if (in == 1 && p->range_ok) {
                    /* "<id>, <vers>" once per entry, then one copy per version:
                     * formatting per version was a third of a full re-match. */
                    if (prefix_len == 0) {
                        char vers[TS_VRANGE_TEXT_MAX + 32];
                        ts_vrange_format(&p->range, vers, sizeof vers);
                        prefix[0] = '\0';
                        put(prefix, sizeof prefix, &prefix_len, id);
                        put(prefix, sizeof prefix, &prefix_len, ", ");
                        put(prefix, sizeof prefix, &prefix_len, vers);
                        put(prefix, sizeof prefix, &prefix_len, " contains ");
                        suffix[0] = '\0';
                        if (has(p->note)) {
                            put(suffix, sizeof suffix, &suffix_len, " (");
                            put(suffix, sizeof suffix, &suffix_len, p->note);
                            put(suffix, sizeof suffix, &suffix_len, ")");
                        }
                    }
                    size_t vl = vg->vlen;
                    if (prefix_len + vl + suffix_len < sizeof rule) {
                        memcpy(rule, prefix, prefix_len);
                        memcpy(rule + prefix_len, vg->version, vl);
                        if (suffix_len)
                            memcpy(rule + prefix_len + vl, suffix, suffix_len);
                        rule[prefix_len + vl + suffix_len] = '\0';
                    } else {
                        version_rule(p, in, vg->version, id, rule, sizeof rule);
                    }
                } else {
                    version_rule(p, in, vg->version, id, rule, sizeof rule);
                }
                gen = ++*ngen;
            }
            r = emit(idx, pi, p, in == 2, false, rule, gen, ctx);
        }
    }
    return r;
}

/* The platforms of a bucket one by one: every one (an identifiers' bucket),
 * or only its purl platforms (a purl bucket; those with identifiers left to
 * the identifiers' bucket when the entry is looked up there). */
static int scan_each(const ts_match_index_t *idx, const struct bucket *b, const ts_adv_product_t *p,
                     bool purl_only, bool by_ids, emit_fn emit, void *ctx, uint64_t *ngen)
{
    int r = 0;
    for (uint32_t g = 0; r == 0 && g <= b->n_groups; g++) {
        /* the families first, then each version group's special platforms */
        const uint32_t *list = g == 0 ? b->family : b->groups[g - 1].special;
        uint32_t n = g == 0 ? b->n_family : b->groups[g - 1].n_special;
        for (uint32_t i = 0; r == 0 && i < n; i++) {
            const struct mplat *mp = &idx->plats[list[i]];
            if (!purl_only || (mp->kind == TS_PLAT_PURL && !(by_ids && mp->ids)))
                r = emit_one(idx, list[i], p, emit, ctx, ngen);
        }
    }
    return r;
}

static int match_entry(const ts_match_index_t *idx, const ts_adv_product_t *p, emit_fn emit,
                       void *ctx, uint64_t *ngen)
{
    char key[2 * TS_PURL_PART_MAX + 64];
    char vb[TS_NAME_MAX], pb[TS_NAME_MAX];
    const char *v = p->vendor, *pr = p->product;
    int r = 0;
    if (v[0] == '\0' || pr[0] == '\0') { /* rare: names from the CPE */
        ts_match_entry_names(p, vb, pb);
        v = vb;
        pr = pb;
    }
    bool by_ids = ids_lookup(p, v);
    if (pr[0]) {
        /* With no vendor, the key ("", product) holds every platform of that
         * product; vendor families do not apply. */
        name_key(key, sizeof key, v, pr);
        const struct bucket *b = find(idx, key, hash_key(key));
        if (b)
            r = scan_name_bucket(idx, b, p, by_ids, emit, ctx, ngen);
        if (v[0] && idx->n_vendor_family) {
            name_key(key, sizeof key, v, "*");
            b = find(idx, key, hash_key(key));
            if (b && r == 0)
                r = scan_name_bucket(idx, b, p, by_ids, emit, ctx, ngen);
        }
    }
    if (r == 0 && by_ids) {
        ids_key(key, sizeof key, v);
        const struct bucket *b = find(idx, key, hash_key(key));
        if (b)
            r = scan_each(idx, b, p, false, false, emit, ctx, ngen);
    }
    if (r == 0 && p->has_purl) {
        purl_key(key, sizeof key, &p->purl);
        const struct bucket *b = find(idx, key, hash_key(key));
        if (b)
            r = scan_each(idx, b, p, true, by_ids, emit, ctx, ngen);
    }
    return r;
}

struct direct_ctx {
    ts_adv_match_fn cb;
    void *ctx;
};

static int emit_direct(const ts_match_index_t *idx, uint32_t pi, const ts_adv_product_t *p,
                       bool undecided, bool family, const char *rule, uint64_t rule_gen, void *vctx)
{
    (void)rule_gen;
    struct direct_ctx *d = vctx;
    const struct mplat *mp = &idx->plats[pi];
    ts_adv_match_t m = {
        .platform_id = mp->id,
        .site_id = mp->site_id,
        .platform = mp->spec,
        .product = p,
        .status = p->status,
        .undecided = undecided,
        .family = family,
        .rule = rule,
    };
    return d->cb(&m, d->ctx);
}

int ts_match_product(ts_match_index_t *idx, const ts_adv_product_t *p, ts_adv_match_fn cb,
                     void *ctx)
{
    struct direct_ctx d = {cb, ctx};
    uint64_t gen = 0;
    return match_entry(idx, p, emit_direct, &d, &gen);
}

bool ts_match_better(bool und_a, bool sec_a, ts_pstatus_t st_a, bool und_b, bool sec_b,
                     ts_pstatus_t st_b)
{
    if (und_a != und_b)
        return !und_a;
    if (!und_a && sec_a != sec_b)
        return !sec_a;
    return st_a < st_b;
}

static int emit_best(const ts_match_index_t *idx, uint32_t pi, const ts_adv_product_t *p,
                     bool undecided, bool family, const char *rule, uint64_t rule_gen, void *vctx)
{
    (void)idx;
    struct ts_match_scratch *sc = vctx;
    struct best *bp;
    struct seen *sn = &sc->seen[pi];
    if (sn->stamp == sc->counter) {
        bp = &sc->best[sn->slot];
        if (!ts_match_better(undecided, p->secondary, p->status, bp->undecided, bp->secondary,
                             (ts_pstatus_t)bp->status))
            return 0;
    } else {
        if (sc->n_best == sc->cap_best) {
            sc->cap_best = sc->cap_best ? sc->cap_best * 2 : 64;
            sc->best = ts_xrealloc(sc->best, sc->cap_best * sizeof *sc->best);
        }
        sn->stamp = sc->counter;
        sn->slot = (uint32_t)sc->n_best;
        bp = &sc->best[sc->n_best++];
    }
    bp->plat = pi;
    bp->prod = p;
    bp->status = (uint8_t)p->status;
    bp->secondary = p->secondary;
    bp->undecided = undecided;
    bp->family = family;
    if (rule_gen != sc->stored_gen) {
        sc->stored_off = sc->rules.len;
        sc->stored_gen = rule_gen;
        ts_buf_append(&sc->rules, rule, strlen(rule) + 1);
    }
    bp->rule_off = sc->stored_off;
    return 0;
}

ts_match_scratch_t *ts_match_scratch_new(void)
{
    return ts_xcalloc(1, sizeof(struct ts_match_scratch));
}

void ts_match_scratch_free(ts_match_scratch_t *sc)
{
    if (sc == NULL)
        return;
    free(sc->seen);
    free(sc->best);
    ts_buf_free(&sc->rules);
    free(sc);
}

int ts_match_advisory_with(const ts_match_index_t *idx, ts_match_scratch_t *sc,
                           const ts_advisory_t *a, ts_adv_match_fn cb, void *ctx)
{
    if (sc->seen_cap < idx->n_plats) {
        size_t nc = idx->cap_plats;
        sc->seen = ts_xrealloc(sc->seen, nc * sizeof *sc->seen);
        memset(sc->seen + sc->seen_cap, 0, (nc - sc->seen_cap) * sizeof *sc->seen);
        sc->seen_cap = nc;
    }
    if (++sc->counter == 0) { /* wrapped: forget every stamp */
        memset(sc->seen, 0, sc->seen_cap * sizeof *sc->seen);
        sc->counter = 1;
    }
    sc->n_best = 0;
    ts_buf_reset(&sc->rules);
    sc->stored_gen = 0;
    for (size_t i = 0; i < a->n_products; i++) {
        int r = match_entry(idx, &a->products[i], emit_best, sc, &sc->rule_gen);
        if (r)
            return r;
    }
    for (size_t i = 0; i < sc->n_best; i++) {
        const struct best *bp = &sc->best[i];
        const struct mplat *mp = &idx->plats[bp->plat];
        ts_adv_match_t m = {
            .platform_id = mp->id,
            .site_id = mp->site_id,
            .platform = mp->spec,
            .product = bp->prod,
            .status = (ts_pstatus_t)bp->status,
            .undecided = bp->undecided,
            .family = bp->family,
            .rule = sc->rules.data + bp->rule_off,
        };
        int r = cb(&m, ctx);
        if (r)
            return r;
    }
    return 0;
}

int ts_match_advisory(ts_match_index_t *idx, const ts_advisory_t *a, ts_adv_match_fn cb, void *ctx)
{
    if (idx->own == NULL)
        idx->own = ts_match_scratch_new();
    return ts_match_advisory_with(idx, idx->own, a, cb, ctx);
}
