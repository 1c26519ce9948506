/* SPDX-License-Identifier: Apache-2.0 */
/* CVE JSON 5.x records -> normalised advisory.
 *
 * Every affected[] element of the CNA container and of each ADP container
 * gives entries (ref "cna.affected[1].versions[0]", "adp[1].affected[0]..."):
 *
 * - identity: vendor, and product (packageName when product is absent or
 *   "n/a"); the package, when both are given, is named in full_name. Each CPE
 *   of cpes[] (2.3 or 2.2) gives its own copy of the element's entries (ref
 *   suffix ".cpes[k]" when there are several), since an entry holds one CPE.
 * - versions[] (CVE 5 semantics): {version, status} is one version; with
 *   lessThan (excluded) or lessThanOrEqual it is the range from version ("0"
 *   meaning from the start, as the schema's convention says) up to that bound
 *   ("*" = no upper bound). changes[] are re-sorted by "at" under the
 *   versionType's order (clients must, says the schema) and split the range
 *   into one entry per segment: [version, at1) with status, [at1, at2) with
 *   changes[0].status, ... Empty segments are dropped. versionType picks the
 *   scheme (ts_vscheme_parse: "custom" and absent are generic); "git" and
 *   unknown types give entries with range_ok false. Versions with spaces
 *   around them ("10.2.9-h1 " in the CISA ADP) are trimmed and reported.
 *   "All"/"*" as a version alone means every version.
 * - defaultStatus: with no versions[], one "all versions" entry with that
 *   status (absent = "unknown" = under investigation). With versions[], the
 *   versions no entry covers get it: the complement of the understood
 *   entries' intervals becomes entries (ref "....defaultStatus"), for
 *   "affected" and "unaffected" only ("unknown" there is the schema's default
 *   and would only add noise).
 *
 * Status: "affected" -> affected, "unaffected" -> not_affected, "unknown" ->
 * under_investigation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/adv_int.h"
#include "core/mem.h"

#define CPES_MAX 32    /* CPEs used per affected element */
#define CHANGES_MAX 64 /* changes[] used per version entry */
#define IVS_MAX 1024   /* intervals remembered per element for the default status */

typedef struct iv {
    ts_str_t lo, hi; /* ptr NULL = unbounded */
    bool hi_incl;
} iv_t;

typedef struct elem {
    const char *ctr;       /* "cna", "adp[1]" */
    size_t idx;            /* affected[idx] */
    const char *vname;     /* vendor as written, for full_name */
    const char *pname;     /* product or package as written */
    const char *pkg;       /* package when the product is named too, else NULL */
    ts_adv_product_t tmpl; /* vendor/product filled */
    ts_vscheme_t scheme;
    bool scheme_set, scheme_mixed;
    iv_t ivs[IVS_MAX];
    size_t nivs;
    bool ivs_cut;
} elem_t;

static int status_of(ts_str_t s, ts_pstatus_t *out)
{
    if (ts_str_eq_c(s, "affected"))
        *out = TS_PS_AFFECTED;
    else if (ts_str_eq_c(s, "unaffected"))
        *out = TS_PS_NOT_AFFECTED;
    else if (ts_str_eq_c(s, "unknown"))
        *out = TS_PS_UNDER_INVESTIGATION;
    else
        return TS_EINVAL;
    return 0;
}

/* Trims a version string, reporting spaces around it. */
static ts_str_t vtrim(advb_t *b, ts_str_t s, const char *what)
{
    ts_str_t t = adv_trim(s);
    if (t.len != s.len)
        advb_problem(b, "%s \"%.*s\" has spaces around it; trimmed", what,
                     (int)(s.len > 80 ? 80 : s.len), s.ptr);
    return t;
}

static bool is_all(ts_str_t v)
{
    return ts_str_eq_c(v, "*") || adv_ieq(v, "all") || adv_ieq(v, "all versions");
}

/* Placeholders CNAs write when they do not know the version (vulnrichment
 * has many "n/a"): no version to compare, reported rather than matched. */
static bool is_placeholder(ts_str_t v)
{
    return v.len == 0 || adv_ieq(v, "n/a") || adv_ieq(v, "unspecified") || adv_ieq(v, "unknown") ||
           ts_str_eq_c(v, "-");
}

static ts_adv_product_t *entry(advb_t *b, elem_t *e, const char *ref, ts_pstatus_t st)
{
    ts_adv_product_t *p = advb_product(b);
    if (p == NULL)
        return NULL;
    *p = e->tmpl;
    p->ref = ref;
    p->status = st;
    return p;
}

static void set_full_name(advb_t *b, ts_adv_product_t *p, const elem_t *e)
{
    /* "Red Hat" + "Red Hat Enterprise Linux 9": the vendor once. */
    size_t vl = strlen(e->vname);
    bool dup = vl && strncasecmp(e->pname, e->vname, vl) == 0 &&
               (e->pname[vl] == ' ' || e->pname[vl] == '\0');
    const char *v = dup ? "" : e->vname;
    p->full_name = advb_printf(b, "%s%s%s%s%s%s%s%s", v, v[0] && e->pname[0] ? " " : "", e->pname,
                               e->pkg ? " (package " : "", e->pkg ? e->pkg : "", e->pkg ? ")" : "",
                               p->version_text[0] ? " " : "", p->version_text);
}

static void remember(elem_t *e, ts_vscheme_t s, iv_t iv)
{
    if (e->scheme_set && e->scheme != s)
        e->scheme_mixed = true;
    e->scheme = s;
    e->scheme_set = true;
    if (e->nivs < IVS_MAX)
        e->ivs[e->nivs++] = iv;
    else
        e->ivs_cut = true;
}

typedef struct change {
    ts_str_t at;
    ts_pstatus_t st;
} change_t;

/* qsort_r context: the scheme, and whether some pair could not be compared
 * (then the order is meaningless and the caller reports it). */
typedef struct sortctx {
    ts_vscheme_t scheme;
    bool bad;
} sortctx_t;

static int cmp_change(const void *x, const void *y, void *ctx)
{
    const change_t *a = x, *b = y;
    sortctx_t *sc = ctx;
    int c = 0;
    if (ts_version_cmp(sc->scheme, a->at, b->at, &c) != 0)
        sc->bad = true;
    return c;
}

/* One versions[] element. */
static int read_version(advb_t *b, elem_t *e, const ts_json_t *v, size_t j)
{
    ts_str_t ver = TS_STR_NULL, status = TS_STR_NULL, vtype = TS_STR_NULL, lt = TS_STR_NULL,
             le = TS_STR_NULL;
    ts_json_t *chg;
    size_t nchg;
    int rc;
    if ((rc = advj_str(b, v, "version", true, &ver)) ||
        (rc = advj_str(b, v, "status", true, &status)) ||
        (rc = advj_str(b, v, "versionType", false, &vtype)) ||
        (rc = advj_str(b, v, "lessThan", false, &lt)) ||
        (rc = advj_str(b, v, "lessThanOrEqual", false, &le)) ||
        (rc = advj_arr(b, v, "changes", false, &chg, &nchg)))
        return rc;
    const char *ref = advb_printf(b, "%s.affected[%zu].versions[%zu]", e->ctr, e->idx, j);
    ts_pstatus_t st;
    if (status_of(status, &st) != 0) {
        advb_problem(b, "status \"%.*s\" is not affected, unaffected or unknown; entry ignored",
                     (int)(status.len > 32 ? 32 : status.len), status.ptr);
        return 0;
    }
    ver = vtrim(b, ver, "version");
    bool bounded = lt.ptr || le.ptr;
    if (lt.ptr && le.ptr)
        advb_problem(b, "both lessThan and lessThanOrEqual; lessThan used");
    ts_str_t end = lt.ptr   ? vtrim(b, lt, "lessThan")
                   : le.ptr ? vtrim(b, le, "lessThanOrEqual")
                            : TS_STR_NULL;
    bool end_incl = !lt.ptr && le.ptr;

    ts_vscheme_t s = TS_VS_GENERIC;
    const char *scheme_err = NULL;
    if (vtype.ptr && ts_vscheme_parse(vtype.ptr, &s) != 0)
        scheme_err = advb_printf(b, "versionType \"%.*s\" gives no version order",
                                 (int)(vtype.len > 32 ? 32 : vtype.len), vtype.ptr);

    ts_adv_product_t *p;
    if (!bounded) {
        if (nchg)
            advb_problem(b, "changes[] without lessThan/lessThanOrEqual ignored");
        if ((p = entry(b, e, ref, st)) == NULL)
            return TS_ETOOBIG;
        if (is_all(ver)) {
            p->version_text = "";
            advb_range_all(p, s);
            remember(e, s, (iv_t){TS_STR_NULL, TS_STR_NULL, false});
        } else if (scheme_err || is_placeholder(ver)) {
            p->version_text = advb_strdup(b, ver);
            advb_range_fail(b, p, scheme_err ? scheme_err : "no version given");
        } else {
            advb_range_exact(b, p, s, ver);
            if (p->range_ok)
                remember(e, s, (iv_t){ver, ver, true});
        }
        set_full_name(b, p, e);
        return 0;
    }

    /* A range [start, end) or [start, end]. */
    ts_str_t start = ver;
    if (ts_str_eq_c(ver, "0") || is_all(ver))
        start = TS_STR_NULL;
    if (ts_str_eq_c(end, "*"))
        end = TS_STR_NULL;
    const char *why = scheme_err;
    if (why == NULL && end.ptr && end.len && end.ptr[end.len - 1] == '*')
        why = advb_printf(b, "version pattern \"%.*s\" as a bound is not supported",
                          (int)(end.len > 64 ? 64 : end.len), end.ptr);
    change_t ch[CHANGES_MAX];
    size_t nc = 0;
    for (size_t k = 0; k < nchg && why == NULL; k++) {
        ts_json_t *c;
        ts_str_t at, cst;
        size_t mark = advb_push(b, ".changes[%zu]", k);
        if ((rc = advj_obj_at(b, chg, k, &c)) || (rc = advj_str(b, c, "at", true, &at)) ||
            (rc = advj_str(b, c, "status", true, &cst)))
            return rc;
        if (k >= CHANGES_MAX) {
            why = "too many changes[]";
        } else if (status_of(cst, &ch[nc].st) != 0) {
            advb_problem(b, "status \"%.*s\" unknown; change ignored",
                         (int)(cst.len > 32 ? 32 : cst.len), cst.ptr);
        } else {
            ch[nc++].at = vtrim(b, at, "changes.at");
        }
        advb_pop(b, mark);
    }
    if (why == NULL && nc > 1) {
        sortctx_t sc = {s, false};
        qsort_r(ch, nc, sizeof *ch, cmp_change, &sc);
        if (sc.bad)
            why = "changes[].at are not versions of the versionType";
    }
    if (why) {
        if ((p = entry(b, e, ref, st)) == NULL)
            return TS_ETOOBIG;
        p->version_text = advb_printf(b, "%.*s %s %.*s", (int)ver.len, ver.ptr,
                                      lt.ptr ? "lessThan" : "lessThanOrEqual",
                                      (int)(lt.ptr ? lt.len : le.len), lt.ptr ? lt.ptr : le.ptr);
        advb_range_fail(b, p, why);
        set_full_name(b, p, e);
        return 0;
    }
    /* Segments: [start, at1) st, [at1, at2) ch[0].st, ..., [atn, end) ch[n-1].st. */
    ts_str_t lo = start;
    ts_pstatus_t cur = st;
    for (size_t k = 0; k <= nc; k++) {
        ts_str_t hi = k < nc ? ch[k].at : end;
        bool hi_incl = k < nc ? false : end_incl;
        int c = -1;
        if (k < nc) {
            int c1 = 0, c2 = 0;
            bool bad = (start.ptr && ts_version_cmp(s, ch[k].at, start, &c1) != 0) ||
                       (end.ptr && ts_version_cmp(s, ch[k].at, end, &c2) != 0);
            /* A change outside [start, end] is dropped. */
            if (bad || c1 < 0 || c2 > 0) {
                advb_problem(b, "changes at \"%.*s\" %s; ignored",
                             (int)(ch[k].at.len > 64 ? 64 : ch[k].at.len), ch[k].at.ptr,
                             bad ? "cannot be compared with the range's bounds"
                                 : "is outside the range");
                continue;
            }
        }
        if (lo.ptr && hi.ptr && ts_version_cmp(s, lo, hi, &c) == 0 &&
            (c > 0 || (c == 0 && !hi_incl))) {
            if (nc == 0)
                advb_problem(b, "%s: empty range", ref);
        } else {
            const char *r = nc ? advb_printf(b, "%s.segment[%zu]", ref, k) : ref;
            if ((p = entry(b, e, r, cur)) == NULL)
                return TS_ETOOBIG;
            advb_range_bounds(b, p, s, lo, true, hi, hi_incl);
            if (p->range_ok)
                remember(e, s, (iv_t){lo, hi, hi_incl});
            set_full_name(b, p, e);
        }
        if (k < nc) {
            lo = ch[k].at;
            cur = ch[k].st;
        }
    }
    return 0;
}

/* By lower bound, the unbounded first. */
static int cmp_iv(const void *x, const void *y, void *ctx)
{
    const iv_t *a = x, *b = y;
    sortctx_t *sc = ctx;
    if (a->lo.ptr == NULL || b->lo.ptr == NULL)
        return (b->lo.ptr == NULL) - (a->lo.ptr == NULL);
    int c = 0;
    if (ts_version_cmp(sc->scheme, a->lo, b->lo, &c) != 0)
        sc->bad = true;
    return c;
}

/* cmp under s, remembering failure in *bad. */
static int vcmp(ts_vscheme_t s, ts_str_t a, ts_str_t b, bool *bad)
{
    int c = 0;
    if (ts_version_cmp(s, a, b, &c) != 0)
        *bad = true;
    return c;
}

static int gap_entry(advb_t *b, elem_t *e, ts_pstatus_t st, ts_str_t lo, bool lo_incl, ts_str_t hi)
{
    ts_adv_product_t *p =
        entry(b, e, advb_printf(b, "%s.affected[%zu].defaultStatus", e->ctr, e->idx), st);
    if (p == NULL)
        return TS_ETOOBIG;
    advb_range_bounds(b, p, e->scheme, lo, lo_incl, hi, false);
    set_full_name(b, p, e);
    return 0;
}

/* The versions no versions[] entry covers get the default status: the gaps
 * between the understood entries' intervals, sorted by lower bound. */
static int default_entries(advb_t *b, elem_t *e, ts_pstatus_t st)
{
    const char *why = NULL;
    if (e->nivs == 0)
        why = "no versions[] entry understood";
    else if (e->scheme_mixed)
        why = "versions[] mix versionTypes";
    else if (e->ivs_cut)
        why = "too many versions[]";
    bool bad = false;
    if (why == NULL && e->nivs > 1) {
        sortctx_t sc = {e->scheme, false};
        qsort_r(e->ivs, e->nivs, sizeof *e->ivs, cmp_iv, &sc);
        bad = sc.bad;
    }
    ts_str_t *glo = ts_xcalloc(e->nivs + 1, sizeof *glo),
             *ghi = ts_xcalloc(e->nivs + 1, sizeof *ghi);
    bool *gincl = ts_xcalloc(e->nivs + 1, sizeof *gincl);
    size_t nout = 0;
    ts_str_t cur = TS_STR_NULL; /* upper end of what is covered so far */
    bool cur_incl = false, cur_inf = false;
    for (size_t i = 0; why == NULL && !bad && !cur_inf && i < e->nivs; i++) {
        const iv_t *v = &e->ivs[i];
        if (i == 0) {
            if (v->lo.ptr) { /* (-inf, lo) */
                glo[nout] = TS_STR_NULL;
                gincl[nout] = false;
                ghi[nout++] = v->lo;
            }
            cur = v->hi;
            cur_incl = v->hi_incl;
            cur_inf = v->hi.ptr == NULL;
            continue;
        }
        /* lo is included; [.., cur) then [cur, ..) leaves no gap. */
        if (vcmp(e->scheme, v->lo, cur, &bad) > 0) {
            glo[nout] = cur;
            gincl[nout] = !cur_incl;
            ghi[nout++] = v->lo;
        }
        if (v->hi.ptr == NULL) {
            cur_inf = true;
        } else {
            int d = vcmp(e->scheme, v->hi, cur, &bad);
            if (d > 0) {
                cur = v->hi;
                cur_incl = v->hi_incl;
            } else if (d == 0) {
                cur_incl = cur_incl || v->hi_incl;
            }
        }
    }
    if (why == NULL && bad)
        why = "versions[] that cannot be ordered";
    int rc = 0;
    if (why) {
        if (st == TS_PS_AFFECTED) {
            ts_adv_product_t *p =
                entry(b, e, advb_printf(b, "%s.affected[%zu].defaultStatus", e->ctr, e->idx), st);
            if (p == NULL) {
                rc = TS_ETOOBIG;
            } else {
                p->version_text = "versions not listed";
                advb_range_fail(b, p, advb_printf(b, "default status over %s", why));
                set_full_name(b, p, e);
            }
        } else {
            advb_problem(b, "default status not applied: %s", why);
        }
        nout = 0;
    } else if (!cur_inf) { /* (cur, +inf) */
        glo[nout] = cur;
        gincl[nout] = !cur_incl;
        ghi[nout++] = TS_STR_NULL;
    }
    for (size_t i = 0; rc == 0 && i < nout; i++)
        rc = gap_entry(b, e, st, glo[i], gincl[i], ghi[i]);
    free(glo);
    free(ghi);
    free(gincl);
    return rc;
}

static int read_affected(advb_t *b, elem_t *e, const ts_json_t *af)
{
    ts_str_t vendor = TS_STR_NULL, product = TS_STR_NULL, pkg = TS_STR_NULL, dflt = TS_STR_NULL;
    ts_json_t *cpes, *vers;
    size_t ncpes, nvers;
    int rc;
    if ((rc = advj_str(b, af, "vendor", false, &vendor)) ||
        (rc = advj_str(b, af, "product", false, &product)) ||
        (rc = advj_str(b, af, "packageName", false, &pkg)) ||
        (rc = advj_str(b, af, "defaultStatus", false, &dflt)) ||
        (rc = advj_arr(b, af, "cpes", false, &cpes, &ncpes)) ||
        (rc = advj_arr(b, af, "versions", false, &vers, &nvers)))
        return rc;
    memset(&e->tmpl, 0, sizeof e->tmpl);
    e->tmpl.ref = e->tmpl.full_name = e->tmpl.version_text = e->tmpl.range_error = "";
    e->nivs = 0;
    e->scheme = TS_VS_GENERIC;
    e->scheme_set = e->scheme_mixed = e->ivs_cut = false;
    advb_vendor(b, &e->tmpl, vendor);
    advb_product_name(b, &e->tmpl, product);
    /* Names as written for full_name, but not the "n/a" placeholders. */
    e->vname = e->tmpl.vendor[0] ? advb_strdup(b, adv_trim(vendor)) : "";
    e->pname = e->tmpl.product[0] ? advb_strdup(b, adv_trim(product)) : "";
    e->pkg = NULL;
    if (e->tmpl.product[0] == '\0') {
        advb_product_name(b, &e->tmpl, pkg);
        e->pname = advb_strdup(b, adv_trim(pkg));
    } else if (adv_trim(pkg).len && !ts_str_eq_c(adv_trim(pkg), e->pname)) {
        e->pkg = advb_strdup(b, adv_trim(pkg));
    }
    ts_name_product_alias(e->tmpl.vendor, e->tmpl.product);
    if (e->tmpl.vendor[0] == '\0' && e->tmpl.product[0] == '\0' && ncpes == 0)
        advb_problem(b, "no vendor, product, package or CPE: entries cannot match by name");

    ts_pstatus_t dst = TS_PS_UNDER_INVESTIGATION;
    if (dflt.ptr && status_of(dflt, &dst) != 0) {
        advb_problem(b, "defaultStatus \"%.*s\" unknown; read as unknown",
                     (int)(dflt.len > 32 ? 32 : dflt.len), dflt.ptr);
        dst = TS_PS_UNDER_INVESTIGATION;
    }
    size_t first = b->nprods;
    for (size_t j = 0; j < nvers; j++) {
        ts_json_t *v;
        size_t mark = advb_push(b, ".versions[%zu]", j);
        if ((rc = advj_obj_at(b, vers, j, &v)) || (rc = read_version(b, e, v, j)))
            return rc;
        advb_pop(b, mark);
    }
    if (nvers == 0) {
        ts_adv_product_t *p = entry(b, e, advb_printf(b, "%s.affected[%zu]", e->ctr, e->idx), dst);
        if (p == NULL)
            return TS_ETOOBIG;
        advb_range_all(p, TS_VS_GENERIC);
        set_full_name(b, p, e);
    } else if (dflt.ptr && dst != TS_PS_UNDER_INVESTIGATION) {
        if ((rc = default_entries(b, e, dst)))
            return rc;
    }
    size_t last = b->nprods;

    /* One copy of the entries per CPE. */
    ts_cpe_t *parsed = NULL;
    size_t np = 0;
    for (size_t k = 0; k < ncpes; k++) {
        ts_str_t s;
        size_t mark = advb_push(b, ".cpes[%zu]", k);
        if ((rc = advj_str_at(b, cpes, k, &s))) {
            free(parsed);
            return rc;
        }
        if (np >= CPES_MAX) {
            advb_problem(b, "more than %d CPEs; the rest ignored", CPES_MAX);
            advb_pop(b, mark);
            break;
        }
        ts_adv_product_t tmp;
        tmp.has_cpe = false;
        tmp.ref = "";
        advb_cpe(b, &tmp, s);
        if (tmp.has_cpe) {
            parsed = ts_xrealloc(parsed, (np + 1) * sizeof *parsed);
            parsed[np++] = tmp.cpe;
        }
        advb_pop(b, mark);
    }
    for (size_t k = 1; k < np; k++) {
        for (size_t i = first; i < last; i++) {
            ts_adv_product_t *p = advb_product(b);
            if (p == NULL) {
                free(parsed);
                return TS_ETOOBIG;
            }
            *p = b->prods[i];
            p->ref = advb_printf(b, "%s.cpes[%zu]", b->prods[i].ref, k);
            p->has_cpe = true;
            p->cpe = parsed[k];
        }
    }
    for (size_t i = first; np && i < last; i++) {
        b->prods[i].has_cpe = true;
        b->prods[i].cpe = parsed[0];
        if (np > 1)
            b->prods[i].ref = advb_printf(b, "%s.cpes[0]", b->prods[i].ref);
    }
    free(parsed);
    return 0;
}

static int read_metrics(advb_t *b, const ts_json_t *ctr)
{
    static const struct {
        const char *key;
        int major;
    } kinds[] = {{"cvssV3_1", 3}, {"cvssV3_0", 3}, {"cvssV4_0", 4}, {"cvssV2_0", 2}};
    ts_json_t *m;
    size_t n;
    int rc = advj_arr(b, ctr, "metrics", false, &m, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_json_t *o;
        size_t mark = advb_push(b, ".metrics[%zu]", i);
        if ((rc = advj_obj_at(b, m, i, &o)))
            return rc;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            ts_json_t *c;
            double score;
            ts_str_t sev = TS_STR_NULL;
            if ((rc = advj_obj(b, o, kinds[k].key, false, &c)))
                return rc;
            if (c == NULL)
                continue;
            size_t m2 = advb_push(b, ".%s", kinds[k].key);
            rc = advj_num(b, c, "baseScore", &score);
            if (rc == 1)
                return advb_fail(b, TS_EMISSING, "field \"baseScore\" is missing");
            if (rc || (rc = advj_str(b, c, "baseSeverity", false, &sev)))
                return rc;
            advb_score(b, score, sev, kinds[k].major);
            advb_pop(b, m2);
        }
        advb_pop(b, mark);
    }
    return rc;
}

static int read_container(advb_t *b, elem_t *e, const ts_json_t *ctr, bool cna)
{
    ts_json_t *aff;
    size_t n;
    int rc = advj_arr(b, ctr, "affected", cna, &aff, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ts_json_t *af;
        size_t mark = advb_push(b, ".affected[%zu]", i);
        e->idx = i;
        if ((rc = advj_obj_at(b, aff, i, &af)) || (rc = read_affected(b, e, af)))
            return rc;
        advb_pop(b, mark);
    }
    if (rc == 0)
        rc = read_metrics(b, ctr);
    return rc;
}

/* CVE 5 has no per-product remediation: the CNA's solutions and workarounds
 * (the English text when there is one) apply to every affected entry that
 * has none of its own. */
static int read_fixes(advb_t *b, const ts_json_t *cna)
{
    static const struct {
        const char *key, *category;
    } kinds[] = {{"solutions", "vendor_fix"}, {"workarounds", "workaround"}};
    const ts_adv_remediation_t *found[2];
    size_t nr = 0;
    for (size_t k = 0; k < 2; k++) {
        ts_json_t *d;
        size_t n;
        int rc = advj_arr(b, cna, kinds[k].key, false, &d, &n);
        ts_str_t best = TS_STR_NULL;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            ts_json_t *o = NULL;
            ts_str_t lang = TS_STR_NULL, val = TS_STR_NULL;
            size_t mark = advb_push(b, ".%s[%zu]", kinds[k].key, i);
            if ((rc = advj_obj_at(b, d, i, &o)) || (rc = advj_str(b, o, "lang", true, &lang)) ||
                (rc = advj_str(b, o, "value", true, &val)))
                return rc;
            advb_pop(b, mark);
            bool en = lang.len >= 2 && strncmp(lang.ptr, "en", 2) == 0;
            if (best.ptr == NULL || en)
                best = adv_trim(val);
            if (en)
                break;
        }
        if (rc)
            return rc;
        if (best.len == 0)
            continue;
        if (best.len > 2000) {
            best.len = 2000;
            while (best.len && ((unsigned char)best.ptr[best.len] & 0xC0) == 0x80)
                best.len--;
        }
        ts_adv_remediation_t *r = advb_alloc(b, sizeof *r);
        r->category = kinds[k].category;
        r->details = advb_strdup(b, best);
        r->url = "";
        found[nr++] = r;
    }
    if (nr == 0)
        return 0;
    const ts_adv_remediation_t **list = advb_alloc(b, nr * sizeof *list);
    memcpy(list, found, nr * sizeof *list);
    for (size_t i = 0; i < b->nprods; i++) {
        ts_adv_product_t *p = &b->prods[i];
        if (p->status == TS_PS_AFFECTED && p->n_remediations == 0) {
            p->remediations = list;
            p->n_remediations = nr;
        }
    }
    return 0;
}

int ts_cve5_from_json(const ts_json_t *doc, const char *name, ts_advisory_t **out, char *err,
                      size_t errsize)
{
    advb_t b;
    *out = NULL;
    advb_init(&b, TS_ADV_CVE5, name, err, errsize);
    elem_t *e = ts_xcalloc(1, sizeof *e);
    ts_str_t dtype, dver = TS_STR_NULL, id, state, pub = TS_STR_NULL, upd = TS_STR_NULL,
                    assigner = TS_STR_NULL, title = TS_STR_NULL;
    ts_json_t *meta, *ctrs, *cna, *adp;
    size_t nadp = 0;
    int rc;
    if ((rc = advj_str(&b, doc, "dataType", true, &dtype)) ||
        (rc = advj_str(&b, doc, "dataVersion", false, &dver)))
        goto out;
    if (!ts_str_eq_c(dtype, "CVE_RECORD")) {
        rc = advb_fail(&b, TS_ENOTSUP, "dataType \"%.*s\" is not CVE_RECORD",
                       (int)(dtype.len > 32 ? 32 : dtype.len), dtype.ptr);
        goto out;
    }
    if (dver.ptr && (dver.len < 2 || memcmp(dver.ptr, "5.", 2) != 0))
        advb_problem(&b, "dataVersion \"%.*s\" read as 5.x", (int)(dver.len > 16 ? 16 : dver.len),
                     dver.ptr);
    advb_push(&b, "cveMetadata");
    if ((rc = advj_obj(&b, doc, "cveMetadata", true, &meta)) ||
        (rc = advj_str(&b, meta, "cveId", true, &id)) ||
        (rc = advj_str(&b, meta, "state", true, &state)) ||
        (rc = advj_str(&b, meta, "datePublished", false, &pub)) ||
        (rc = advj_str(&b, meta, "dateUpdated", false, &upd)) ||
        (rc = advj_str(&b, meta, "assignerShortName", false, &assigner)))
        goto out;
    if (id.len < 9 || memcmp(id.ptr, "CVE-", 4) != 0 || id.len > 32) {
        rc = advb_fail(&b, TS_EINVAL, "cveId \"%.*s\" is not a CVE id",
                       (int)(id.len > 32 ? 32 : id.len), id.ptr);
        goto out;
    }
    if (ts_str_eq_c(state, "REJECTED")) {
        rc = advb_fail(&b, TS_ENOENT, "%.*s is REJECTED", (int)id.len, id.ptr);
        goto out;
    }
    advb_pop(&b, 0);
    ts_advisory_t *a = b.a;
    a->id = advb_strdup(&b, id);
    advb_add_cve(&b, id);
    a->publisher = advb_strdup(&b, adv_trim(assigner));
    a->revision = upd.len ? advb_strdup(&b, upd) : dver.ptr ? advb_strdup(&b, dver) : "";
    a->published = advb_time(&b, pub, "cveMetadata.datePublished");
    a->updated = advb_time(&b, upd, "cveMetadata.dateUpdated");

    advb_push(&b, "containers");
    if ((rc = advj_obj(&b, doc, "containers", true, &ctrs)) ||
        (rc = advj_obj(&b, ctrs, "cna", true, &cna)) ||
        (rc = advj_arr(&b, ctrs, "adp", false, &adp, &nadp)))
        goto out;
    advb_pop(&b, 0);
    advb_push(&b, "containers.cna");
    if ((rc = advj_str(&b, cna, "title", false, &title)))
        goto out;
    if (title.ptr)
        a->title = advb_strdup(&b, adv_trim(title));
    e->ctr = "cna";
    if ((rc = read_container(&b, e, cna, true)) || (rc = advb_title_from_descriptions(&b, cna)))
        goto out;
    advb_pop(&b, 0);
    for (size_t i = 0; i < nadp; i++) {
        ts_json_t *c;
        advb_push(&b, "containers.adp[%zu]", i);
        e->ctr = advb_printf(&b, "adp[%zu]", i);
        if ((rc = advj_obj_at(&b, adp, i, &c)) || (rc = read_container(&b, e, c, false)))
            goto out;
        advb_pop(&b, 0);
    }
    advb_push(&b, "containers.cna");
    if ((rc = read_fixes(&b, cna)))
        goto out;
    advb_pop(&b, 0);
out:
    free(e);
    if (rc) {
        advb_discard(&b);
        return rc;
    }
    *out = advb_finish(&b);
    return 0;
}

int ts_cve5_parse(const char *data, size_t len, const char *name, ts_advisory_t **out, char *err,
                  size_t errsize)
{
    ts_json_t *doc;
    *out = NULL;
    int rc = advb_parse_json(data, len, name, &doc, err, errsize);
    if (rc)
        return rc;
    rc = ts_cve5_from_json(doc, name ? name : "advisory", out, err, errsize);
    ts_json_free(doc);
    return rc;
}
