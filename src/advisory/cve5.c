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
 * - versions[] (the schema's semantics, cve-schema versions.md): {version,
 *   status} is one version; with lessThan (excluded) or lessThanOrEqual it is
 *   the range from version ("0": from the start) up to that bound, where '*'
 *   is infinity ("6.1.*" above every 6.1.x, "*" alone no upper bound).
 *   changes[] are re-sorted by "at" (clients must, says the schema) and split
 *   the range into segments [version, at1) with status, [at1, at2) with
 *   changes[0].status, ... A range written inside "version" in GitHub's
 *   advisory syntax (">= 3.0.0, < 3.0.7") is read as such. versionType picks
 *   the scheme (semver, rpm, deb; absent: generic); one of no known order
 *   ("custom", "original_commit_for_fix") is read as generic dotted versions
 *   and the entry's note says so; git and hg commits, and commit ids where a
 *   version is expected, have no order: such entries are kept with range_ok
 *   false, undecided for every version. Versions with spaces around them
 *   ("10.2.9-h1 " in the CISA ADP) are trimmed and reported. "All"/"*" as a
 *   version alone means every version.
 * - one element's entries never overlap (resolve()): where versions[]
 *   overlap, the more specific entry keeps the versions.
 * - defaultStatus: with no versions[], one "all versions" entry with that
 *   status (absent = "unknown" = under investigation). With versions[], the
 *   versions no understood entry holds get it, as entries of their own (ref
 *   "....defaultStatus"), for "affected" and "unaffected" only ("unknown"
 *   there is the schema's default and would only add noise). When an entry
 *   of the element could not be read and says another status, it may hold
 *   those versions: the default entries are in doubt (undecided), so that an
 *   unaffected range not understood never becomes a confident "affected".
 * - entries of ADP containers are secondary (a decided CNA entry speaks
 *   first for a platform).
 *
 * Status: "affected" -> affected, "unaffected" -> not_affected, "unknown" ->
 * under_investigation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/adv_int.h"
#include "core/mem.h"

#define CPES_MAX 32                  /* CPEs used per affected element */
#define CHANGES_MAX 64               /* changes[] used per version entry */
#define ITEMS_MAX 1024               /* understood intervals ordered per element */
#define RUNS_MAX (TS_VRANGE_MAX / 2) /* intervals in one entry's range (more: more entries) */

/* One understood versions[] entry, or one changes[] segment of it. */
typedef struct item {
    ts_vinterval_t iv;
    ts_pstatus_t st;
    ts_vscheme_t scheme;
    const char *ref, *text, *note;
    int lo_p, hi_p; /* its first and last piece (resolve()); lo_p > hi_p: empty */
    int rival;      /* an item with the same interval and another status, or -1 */
} item_t;

typedef struct elem {
    const char *ctr;       /* "cna", "adp[1]" */
    size_t idx;            /* affected[idx] */
    const char *vname;     /* vendor as written, for full_name */
    const char *pname;     /* product or package as written */
    const char *pkg;       /* package when the product is named too, else NULL */
    ts_adv_product_t tmpl; /* vendor/product filled */
    item_t items[ITEMS_MAX];
    size_t nitems;
    bool items_cut;
    unsigned unread;        /* a bit per status of versions[] entries not understood */
    const char *unread_why; /* the first of them, for the doubt it casts */
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

/* A commit id where a version was expected (CISA's ADP copies the kernel's
 * git ranges as "custom"): hex of commit length with letters and digits. */
static bool is_commit(ts_str_t v)
{
    if (v.len < 7 || v.len > 64)
        return false;
    bool alpha = false, digit = false;
    for (size_t k = 0; k < v.len; k++) {
        char c = v.ptr[k];
        if (c >= '0' && c <= '9')
            digit = true;
        else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            alpha = true;
        else
            return false;
    }
    return alpha && digit;
}

/* The order of one versions[] entry. A versionType of no known scheme
 * ("custom", "original_commit_for_fix", "maven") is read as generic dotted
 * versions and *note says so; git and hg commits have no order a release
 * can be placed in (*why). */
static void scheme_for(advb_t *b, ts_str_t vtype, ts_vscheme_t *s, const char **note,
                       const char **why)
{
    char name[33];
    *s = TS_VS_GENERIC;
    *note = "";
    *why = NULL;
    if (vtype.ptr == NULL || vtype.len == 0)
        return;
    int n = (int)(vtype.len > 32 ? 32 : vtype.len);
    if (adv_ieq(vtype, "git") || adv_ieq(vtype, "hg")) {
        *why = advb_printf(b,
                           "versionType %.*s: commits have no order a release version can be "
                           "placed in",
                           n, vtype.ptr);
        return;
    }
    snprintf(name, sizeof name, "%.*s", n, vtype.ptr);
    if (!adv_ieq(vtype, "custom") && ts_vscheme_parse(name, s) == 0)
        return;
    *s = TS_VS_GENERIC;
    *note = advb_printf(b, "versionType %s compared as generic dotted versions", name);
}

/* Why bound v cannot be used under s, or NULL. */
static const char *bound_why(advb_t *b, ts_vscheme_t s, ts_str_t v)
{
    int c;
    if (v.ptr == NULL)
        return NULL;
    if (s == TS_VS_GENERIC && is_commit(v))
        return advb_printf(b, "\"%.*s\" is a commit id, not an ordered version", (int)v.len, v.ptr);
    if (ts_version_cmp_bound(s, v, v, &c) != 0)
        return advb_printf(b, "\"%.*s\" is not a %s version", (int)(v.len > 64 ? 64 : v.len), v.ptr,
                           ts_vscheme_name(s));
    return NULL;
}

static ts_adv_product_t *entry(advb_t *b, elem_t *e, const char *ref, ts_pstatus_t st)
{
    ts_adv_product_t *p = advb_product(b);
    if (p == NULL)
        return NULL;
    *p = e->tmpl;
    p->ref = ref;
    p->status = st;
    p->secondary = strcmp(e->ctr, "cna") != 0;
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

/* An entry whose versions were not understood: undecided for every
 * version, and a doubt on the default status when it says otherwise. */
static int unreadable(advb_t *b, elem_t *e, const char *ref, ts_pstatus_t st, const char *text,
                      const char *why, unsigned statuses)
{
    ts_adv_product_t *p = entry(b, e, ref, st);
    if (p == NULL)
        return TS_ETOOBIG;
    p->version_text = text;
    advb_range_fail(b, p, why);
    set_full_name(b, p, e);
    e->unread |= statuses;
    if (e->unread_why == NULL)
        e->unread_why = advb_printf(b, "%s (\"%s\": %s)", strrchr(ref, '.') + 1, text, why);
    return 0;
}

/* ">=lo <hi" / "lo" / "": an interval as the other readers write version_text. */
static const char *iv_text(advb_t *b, const ts_vinterval_t *iv)
{
    const ts_str_t lo = iv->lo, hi = iv->hi;
    if (lo.ptr && hi.ptr && iv->lo_incl && iv->hi_incl && ts_str_eq(lo, hi))
        return advb_strdup(b, lo);
    return advb_printf(b, "%s%.*s%s%s%.*s", lo.ptr ? (iv->lo_incl ? ">=" : ">") : "", (int)lo.len,
                       lo.ptr ? lo.ptr : "", lo.ptr && hi.ptr ? " " : "",
                       hi.ptr ? (iv->hi_incl ? "<=" : "<") : "", (int)hi.len, hi.ptr ? hi.ptr : "");
}

static void add_item(elem_t *e, ts_vinterval_t iv, ts_pstatus_t st, ts_vscheme_t s, const char *ref,
                     const char *text, const char *note)
{
    if (e->nitems == ITEMS_MAX) {
        e->items_cut = true;
        return;
    }
    e->items[e->nitems++] = (item_t){iv, st, s, ref, text, note, 0, -1, -1};
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
    if (ts_version_cmp_bound(sc->scheme, a->at, b->at, &c) != 0)
        sc->bad = true;
    return c;
}

/* {version, status} without lessThan: one version, every version, or a
 * range written inside "version" in GitHub's syntax. */
static int read_single(advb_t *b, elem_t *e, const char *ref, ts_pstatus_t st, ts_str_t ver,
                       ts_vscheme_t s, const char *note, const char *why)
{
    const char *text = advb_strdup(b, ver);
    ts_vinterval_t iv = {TS_STR_NULL, TS_STR_NULL, true, true};
    if (why == NULL && !is_all(ver)) {
        if (is_placeholder(ver)) {
            why = "no version given";
        } else if (ver.ptr[0] == '<' || ver.ptr[0] == '>' || ver.ptr[0] == '=') {
            char err[256] = "";
            ts_vrange_t r;
            if (ts_vrange_parse_github(s, ver, &r, err, sizeof err) != 0)
                why = advb_printf(b, "not a range in GitHub's syntax: %s", err);
            for (int k = 0; why == NULL && k < r.n; k++) {
                ts_str_t v =
                    ts_str(advb_strdup(b, ts_str(r.text + r.c[k].off, r.c[k].len)), r.c[k].len);
                if ((why = bound_why(b, s, v)) != NULL)
                    break;
                ts_vop_t op = r.c[k].op;
                if (op == TS_VOP_EQ || op == TS_VOP_GE || op == TS_VOP_GT) {
                    iv.lo = v;
                    iv.lo_incl = op != TS_VOP_GT;
                }
                if (op == TS_VOP_EQ || op == TS_VOP_LE || op == TS_VOP_LT) {
                    iv.hi = v;
                    iv.hi_incl = op != TS_VOP_LT;
                }
            }
        } else if ((why = bound_why(b, s, ver)) == NULL) {
            iv.lo = iv.hi = ver;
        }
    }
    if (why)
        return unreadable(b, e, ref, st, text, why, 1u << st);
    add_item(e, iv, st, s, ref, text, note);
    return 0;
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
    ver = vtrim(b, ver, "version");
    if (status_of(status, &st) != 0) {
        /* It may say anything of its versions: the default status cannot
         * be trusted where they are. */
        advb_problem(b, "status \"%.*s\" is not affected, unaffected or unknown; entry ignored",
                     (int)(status.len > 32 ? 32 : status.len), status.ptr);
        e->unread |= ~0u;
        if (e->unread_why == NULL)
            e->unread_why = advb_printf(b, "versions[%zu] (status \"%.*s\")", j,
                                        (int)(status.len > 32 ? 32 : status.len), status.ptr);
        return 0;
    }
    ts_vscheme_t s;
    const char *note, *why;
    scheme_for(b, vtype, &s, &note, &why);
    if (!lt.ptr && !le.ptr) {
        if (nchg)
            advb_problem(b, "changes[] without lessThan/lessThanOrEqual ignored");
        return read_single(b, e, ref, st, ver, s, note, why);
    }

    /* A range [start, end) or [start, end]. */
    if (lt.ptr && le.ptr)
        advb_problem(b, "both lessThan and lessThanOrEqual; lessThan used");
    ts_str_t end = lt.ptr ? vtrim(b, lt, "lessThan") : vtrim(b, le, "lessThanOrEqual");
    bool end_incl = !lt.ptr;
    const char *written =
        advb_printf(b, "%.*s %s %.*s", (int)ver.len, ver.ptr,
                    lt.ptr ? "lessThan" : "lessThanOrEqual", (int)end.len, end.ptr);
    ts_str_t start = ver;
    if (ts_str_eq_c(ver, "0") || is_all(ver))
        start = TS_STR_NULL;
    if (ts_str_eq_c(end, "*"))
        end = TS_STR_NULL;
    if (why == NULL && ver.len && (ver.ptr[0] == '<' || ver.ptr[0] == '>'))
        why = "a range in version and a lessThan bound together";
    if (why == NULL)
        why = bound_why(b, s, start);
    if (why == NULL)
        why = bound_why(b, s, end);
    change_t ch[CHANGES_MAX];
    size_t nc = 0;
    for (size_t k = 0; k < nchg && why == NULL; k++) {
        ts_json_t *c;
        ts_str_t at, cst;
        size_t mark = advb_push(b, ".changes[%zu]", k);
        if ((rc = advj_obj_at(b, chg, k, &c)) || (rc = advj_str(b, c, "at", true, &at)) ||
            (rc = advj_str(b, c, "status", true, &cst)))
            return rc;
        advb_pop(b, mark);
        if (k >= CHANGES_MAX)
            why = "too many changes[]";
        else if (status_of(cst, &ch[nc].st) != 0)
            why = advb_printf(b, "changes[%zu].status \"%.*s\" unknown", k,
                              (int)(cst.len > 32 ? 32 : cst.len), cst.ptr);
        else if ((why = bound_why(b, s, ch[nc].at = vtrim(b, at, "changes.at"))) == NULL)
            nc++;
    }
    if (why == NULL && nc > 1) {
        sortctx_t sc = {s, false};
        qsort_r(ch, nc, sizeof *ch, cmp_change, &sc);
        if (sc.bad)
            why = "changes[].at are not versions of the versionType";
    }
    if (why) {
        unsigned sts = 1u << st;
        for (size_t k = 0; k < nc; k++)
            sts |= 1u << ch[k].st;
        return unreadable(b, e, ref, st, written, why, nchg ? ~0u : sts);
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
            bool bad = (start.ptr && ts_version_cmp_bound(s, ch[k].at, start, &c1) != 0) ||
                       (end.ptr && ts_version_cmp_bound(s, ch[k].at, end, &c2) != 0);
            /* A change outside [start, end] is dropped. */
            if (bad || c1 < 0 || c2 > 0) {
                advb_problem(b, "changes at \"%.*s\" %s; ignored",
                             (int)(ch[k].at.len > 64 ? 64 : ch[k].at.len), ch[k].at.ptr,
                             bad ? "cannot be compared with the range's bounds"
                                 : "is outside the range");
                continue;
            }
        }
        if (lo.ptr && hi.ptr && ts_version_cmp_bound(s, lo, hi, &c) == 0 &&
            (c > 0 || (c == 0 && !hi_incl))) {
            /* an empty range was meant otherwise ("6.1.x" read as a version
             * below 6.1.90): not understood, rather than nothing */
            if (nc == 0)
                return unreadable(b, e, ref, st, written, "empty range: the end is below the start",
                                  1u << st);
        } else {
            ts_vinterval_t iv = {lo, hi, true, hi_incl};
            add_item(e, iv, cur, s, nc ? advb_printf(b, "%s.segment[%zu]", ref, k) : ref,
                     iv_text(b, &iv), note);
        }
        if (k < nc) {
            lo = ch[k].at;
            cur = ch[k].st;
        }
    }
    return 0;
}

/* ---- One element's entries ------------------------------------------------------
 *
 * The schema wants an element's versions[] entries disjoint, and real ones
 * overlap (Atlassian: affected ">= 7.13.0", unaffected ">= 7.19.18"). The
 * understood intervals are laid on one line: their bounds, sorted, cut it
 * into pieces (each bound a piece of its own, and the stretches between), and
 * each piece goes to the most specific interval holding it: the one starting
 * latest, then ending first; two with the same interval and different
 * statuses leave their entry in doubt. Each entry then holds the pieces it
 * won (its versions, narrowed), and the pieces nobody holds take the default
 * status. */

typedef struct bounds {
    ts_str_t *v; /* sorted, distinct */
    int n;
    ts_vscheme_t scheme;
} bounds_t;

static int cmp_bound(const void *x, const void *y, void *ctx)
{
    sortctx_t *sc = ctx;
    int c = 0;
    if (ts_version_cmp_bound(sc->scheme, *(const ts_str_t *)x, *(const ts_str_t *)y, &c) != 0)
        sc->bad = true;
    return c;
}

/* Index of v among the bounds (it is one of them). */
static int bound_index(const bounds_t *bd, ts_str_t v)
{
    int lo = 0, hi = bd->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = 0;
        if (ts_version_cmp_bound(bd->scheme, v, bd->v[mid], &c) != 0)
            return -1;
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Pieces: 0 = below every bound, 2i+1 = bound i itself, 2i+2 = between
 * bounds i and i+1, 2n = above every bound. A bound that is a pattern
 * ("6.1.*") holds no version: its piece is void. */
static bool void_piece(const bounds_t *bd, int p)
{
    return p % 2 == 1 && bd->v[p / 2].len && bd->v[p / 2].ptr[bd->v[p / 2].len - 1] == '*';
}

/* The next maximal run of pieces won by w (-1: by nobody) from piece *p
 * on, as an interval; false when there is none. */
static bool next_run(const bounds_t *bd, const int *win, int w, int *p, ts_vinterval_t *iv)
{
    while (*p <= 2 * bd->n && win[*p] != w)
        (*p)++;
    if (*p > 2 * bd->n)
        return false;
    int s = *p, t = s;
    while (t < 2 * bd->n && win[t + 1] == w)
        t++;
    *p = t + 1;
    iv->lo = s == 0 ? TS_STR_NULL : bd->v[(s - 1) / 2];
    iv->lo_incl = s % 2 == 1;
    iv->hi = t == 2 * bd->n ? TS_STR_NULL : bd->v[t / 2];
    iv->hi_incl = t % 2 == 1;
    return true;
}

static int make_entry(advb_t *b, elem_t *e, const char *ref, ts_pstatus_t st, ts_vscheme_t s,
                      const ts_vinterval_t *iv, size_t n, const char *text, const char *note,
                      const char *doubt)
{
    ts_adv_product_t *p = entry(b, e, ref, st);
    if (p == NULL)
        return TS_ETOOBIG;
    p->version_text = text;
    p->note = note;
    p->doubt = doubt;
    char why[256] = "";
    if (ts_vrange_from_intervals(s, iv, n, &p->range, why, sizeof why) == 0) {
        p->range_ok = true;
    } else {
        advb_range_fail(b, p, why);
    }
    set_full_name(b, p, e);
    return 0;
}

/* Entries as read, one interval each, when they cannot be laid on one line
 * (versionTypes mixed, bounds that do not compare, too many): overlaps stay,
 * and a default status is not applied (or, for "affected", is undecided). */
static int entries_unordered(advb_t *b, elem_t *e, ts_pstatus_t dst, bool with_default,
                             const char *why)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < e->nitems; i++) {
        const item_t *it = &e->items[i];
        rc = make_entry(b, e, it->ref, it->st, it->scheme, &it->iv, 1, it->text, it->note, "");
    }
    if (rc || !with_default)
        return rc;
    if (dst != TS_PS_AFFECTED) {
        advb_problem(b, "default status not applied: %s", why);
        return 0;
    }
    return unreadable(b, e, advb_printf(b, "%s.affected[%zu].defaultStatus", e->ctr, e->idx), dst,
                      "versions not listed", advb_printf(b, "default status over %s", why), 0);
}

static int resolve(advb_t *b, elem_t *e, ts_pstatus_t dst, bool with_default)
{
    const char *why = NULL;
    for (size_t i = 1; why == NULL && i < e->nitems; i++)
        if (e->items[i].scheme != e->items[0].scheme)
            why = "versions[] mix versionTypes";
    if (e->items_cut)
        why = "too many versions[]";
    bounds_t bd = {ts_xcalloc(2 * e->nitems + 1, sizeof *bd.v), 0,
                   e->nitems ? e->items[0].scheme : TS_VS_GENERIC};
    for (size_t i = 0; why == NULL && i < e->nitems; i++) {
        if (e->items[i].iv.lo.ptr)
            bd.v[bd.n++] = e->items[i].iv.lo;
        if (e->items[i].iv.hi.ptr)
            bd.v[bd.n++] = e->items[i].iv.hi;
    }
    sortctx_t sc = {bd.scheme, false};
    if (why == NULL && bd.n > 1)
        qsort_r(bd.v, (size_t)bd.n, sizeof *bd.v, cmp_bound, &sc);
    if (why == NULL && sc.bad)
        why = "versions[] that cannot be ordered";
    int m = 0;
    for (int k = 0; why == NULL && k < bd.n; k++) {
        int c = 1;
        if (m == 0 || ts_version_cmp_bound(bd.scheme, bd.v[m - 1], bd.v[k], &c) != 0 || c != 0)
            bd.v[m++] = bd.v[k];
    }
    bd.n = m;
    if (why) {
        free(bd.v);
        return entries_unordered(b, e, dst, with_default, why);
    }
    int np = 2 * bd.n + 1, *win = ts_xmalloc((size_t)np * sizeof *win);
    for (size_t i = 0; i < e->nitems; i++) {
        item_t *it = &e->items[i];
        int lo = it->iv.lo.ptr ? bound_index(&bd, it->iv.lo) : -1;
        int hi = it->iv.hi.ptr ? bound_index(&bd, it->iv.hi) : -1;
        it->lo_p = it->iv.lo.ptr ? 2 * lo + (it->iv.lo_incl ? 1 : 2) : 0;
        it->hi_p = it->iv.hi.ptr ? 2 * hi + (it->iv.hi_incl ? 1 : 0) : np - 1;
        if ((it->iv.lo.ptr && lo < 0) || (it->iv.hi.ptr && hi < 0)) /* never: they were sorted */
            it->lo_p = np;
    }
    for (int p = 0; p < np; p++) {
        int w = -1;
        for (size_t i = 0; i < e->nitems; i++) {
            item_t *it = &e->items[i];
            if (p < it->lo_p || p > it->hi_p)
                continue;
            const item_t *o = w >= 0 ? &e->items[w] : NULL;
            if (o == NULL || it->lo_p > o->lo_p || (it->lo_p == o->lo_p && it->hi_p < o->hi_p))
                w = (int)i;
            else if (it->lo_p == o->lo_p && it->hi_p == o->hi_p && it->st != o->st)
                e->items[w].rival = (int)i;
        }
        win[p] = w;
    }
    /* A void piece goes with the piece before it, so that no run breaks (or
     * is made) at a version nobody can have. */
    for (int p = 1; p < np; p++)
        if (void_piece(&bd, p))
            win[p] = win[p - 1];
    ts_vinterval_t runs[RUNS_MAX];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < e->nitems; i++) {
        const item_t *it = &e->items[i];
        bool narrowed = false;
        for (int p = it->lo_p; p <= it->hi_p; p++)
            narrowed |= win[p] != (int)i && !void_piece(&bd, p);
        const char *note = it->note;
        if (narrowed)
            note = advb_printf(b, "%s%snarrowed: a more specific versions[] entry states the rest",
                               note, note[0] ? "; " : "");
        const char *doubt = it->rival >= 0
                                ? advb_printf(b, "%s gives the same versions the status %s",
                                              strrchr(e->items[it->rival].ref, '.') + 1,
                                              ts_pstatus_name(e->items[it->rival].st))
                                : "";
        /* The versions it won, a range of up to RUNS_MAX intervals per entry. */
        size_t entries = 0;
        int p = 0;
        for (;;) {
            size_t nr = 0;
            while (nr < RUNS_MAX && next_run(&bd, win, (int)i, &p, &runs[nr]))
                nr++;
            if (nr == 0)
                break;
            entries++;
            rc = make_entry(b, e, it->ref, it->st, it->scheme, runs, nr, it->text, note, doubt);
            if (rc || nr < RUNS_MAX)
                break;
        }
        if (entries == 0)
            advb_problem(b, "%s: %s", it->ref,
                         it->lo_p > it->hi_p ? "empty range"
                                             : "every version it holds is stated by a more "
                                               "specific entry");
    }
    if (rc == 0 && with_default) {
        /* What the default covers is in doubt when an entry not understood
         * says otherwise: it may hold those versions. */
        const char *doubt =
            (e->unread & ~(1u << dst))
                ? advb_printf(b, "%s could not be read and may cover it", e->unread_why)
                : "";
        const char *ref = advb_printf(b, "%s.affected[%zu].defaultStatus", e->ctr, e->idx);
        int p = 0;
        while (rc == 0 && next_run(&bd, win, -1, &p, &runs[0]))
            rc =
                make_entry(b, e, ref, dst, bd.scheme, &runs[0], 1, iv_text(b, &runs[0]), "", doubt);
    }
    free(win);
    free(bd.v);
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
    e->tmpl.doubt = e->tmpl.note = e->tmpl.via = "";
    e->nitems = 0;
    e->items_cut = false;
    e->unread = 0;
    e->unread_why = NULL;
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
    } else if ((rc = resolve(b, e, dst, dflt.ptr && dst != TS_PS_UNDER_INVESTIGATION))) {
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
