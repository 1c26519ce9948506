/* SPDX-License-Identifier: Apache-2.0 */
/* Version comparison per scheme and vers-style ranges.
 *
 * Every comparison re-reads both strings: versions are short (<= 128 bytes)
 * and ranges hold at most 16 of them, so a parsed form would cost more in
 * storage than it saves in time (see bench/bench_version.c). */
#include "advisory/version.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define VERSION_MAX 128

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static ts_str_t trim(ts_str_t s)
{
    while (s.len > 0 && is_space((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_space((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

static bool ieq(ts_str_t a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower((unsigned char)a.ptr[k]) != (unsigned char)b[k])
            return false;
    return true;
}

/* Compares two digit runs numerically without converting them, so that
 * 30-digit build numbers neither overflow nor compare wrongly. */
static int numcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen > 0 && *a == '0') {
        a++;
        alen--;
    }
    while (blen > 0 && *b == '0') {
        b++;
        blen--;
    }
    if (alen != blen)
        return alen < blen ? -1 : 1;
    int r = alen ? memcmp(a, b, alen) : 0;
    return (r > 0) - (r < 0);
}

/* Bytes common to every scheme: printable ASCII only, bounded. Inner spaces
 * are left to the scheme. */
static int common_check(ts_str_t v)
{
    if (v.ptr == NULL || v.len == 0 || v.len > VERSION_MAX)
        return TS_EINVAL;
    for (size_t k = 0; k < v.len; k++) {
        unsigned char c = (unsigned char)v.ptr[k];
        if (c < 0x20 || c >= 0x7f)
            return TS_EINVAL;
    }
    return 0;
}

/* common_check, then *v without surrounding blanks, which must leave something. */
static int check_trimmed(ts_str_t *v)
{
    int r = common_check(*v);
    if (r)
        return r;
    *v = trim(*v);
    return v->len ? 0 : TS_EINVAL;
}

/* ---- generic ----------------------------------------------------------
 * Vendor versions: runs of digits and runs of letters, every other byte a
 * separator; a leading 'v' before a digit is dropped ("V3.1.0"). Digit runs
 * compare numerically, a missing run counts as 0 ("1.0" = "1.0.0"). Letter
 * runs split in two classes: pre-release words (dev, alpha, beta, pre, rc, ...)
 * sort before the release they precede ("1.0rc1" < "1.0"), every other word is
 * a later patch level ("8.7p1", "10.2.9-h1", "V4.1_Update_2" follow their
 * base). A version without any digit ("latest", "n/a") or holding comparator
 * or wildcard characters ("log4j-core*") is not a version. */

struct gtok {
    const char *p;
    size_t len;
    bool num, end;
};

struct gcur {
    const char *p, *e;
};

static void gnext(struct gcur *c, struct gtok *t)
{
    while (c->p < c->e && !is_alnum((unsigned char)*c->p))
        c->p++;
    t->p = c->p;
    t->end = c->p == c->e;
    if (t->end) {
        t->len = 0;
        t->num = false;
        return;
    }
    t->num = is_digit((unsigned char)*c->p);
    while (c->p < c->e &&
           (t->num ? is_digit((unsigned char)*c->p) : is_alpha((unsigned char)*c->p)))
        c->p++;
    t->len = (size_t)(c->p - t->p);
}

/* Rank of a pre-release word, or 0 for a post-release word. */
static int pre_rank(const struct gtok *t)
{
    static const struct {
        const char *w;
        int rank;
    } pre[] = {
        {"dev", 1}, {"snapshot", 1}, {"nightly", 1}, {"alpha", 2}, {"beta", 3},
        {"pre", 4}, {"preview", 4},  {"rc", 5},      {"cr", 5},
    };
    ts_str_t s = ts_str(t->p, t->len);
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++)
        if (ieq(s, pre[k].w))
            return pre[k].rank;
    return 0;
}

static bool gzero(const struct gtok *t)
{
    for (size_t k = 0; k < t->len; k++)
        if (t->p[k] != '0')
            return false;
    return true;
}

static int alphacmp(const struct gtok *a, const struct gtok *b)
{
    int ra = pre_rank(a), rb = pre_rank(b);
    if ((ra != 0) != (rb != 0))
        return ra ? -1 : 1; /* pre-release words sort before patch words */
    if (ra != rb)
        return ra < rb ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t k = 0; k < n; k++) {
        unsigned char x = lower((unsigned char)a->p[k]), y = lower((unsigned char)b->p[k]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
}

/* A word against a missing run or a zero: pre-release words are below it,
 * patch words above. */
static int alpha_vs_nothing(const struct gtok *a)
{
    return pre_rank(a) ? -1 : 1;
}

/* generic_body() past its common case (no leading 'v'). */
static ts_str_t generic_body_v(ts_str_t v)
{
    size_t k = 1;
    if (v.len > 7 && ieq(ts_str(v.ptr, 7), "version")) {
        k = 7;
        while (k < v.len &&
               (v.ptr[k] == ' ' || v.ptr[k] == '.' || v.ptr[k] == '_' || v.ptr[k] == '-'))
            k++;
    }
    if (k < v.len && is_digit((unsigned char)v.ptr[k])) {
        v.ptr += k;
        v.len -= k;
    }
    return v;
}

/* Drops what vendors write before the number: "V3.1.0", "v2", "Version 4.2",
 * "version_5". Inline: every generic comparison starts here. */
static inline ts_str_t generic_body(ts_str_t v)
{
    if (v.len < 2 || (v.ptr[0] != 'v' && v.ptr[0] != 'V'))
        return v;
    return generic_body_v(v);
}

static int generic_check(ts_str_t v)
{
    int r = common_check(v);
    if (r)
        return r;
    bool digit = false;
    for (size_t k = 0; k < v.len; k++) {
        /* comparator or wildcard characters mean range text, not a version
         * ("log4j-core*", "<=2.0") */
        switch (v.ptr[k]) {
        case '*':
        case '?':
        case '<':
        case '>':
        case '=':
        case '|':
        case '!':
            return TS_EINVAL;
        default:
            break;
        }
        digit |= is_digit((unsigned char)v.ptr[k]);
    }
    return digit ? 0 : TS_EINVAL;
}

/* One step of the generic comparison: token x of a against token y of b
 * (either may be the end). */
static int gtok_cmp(const struct gtok *x, const struct gtok *y)
{
    if (x->end && y->end)
        return 0;
    if (x->end || y->end) {
        const struct gtok *t = x->end ? y : x;
        int sign = x->end ? -1 : 1; /* sign of "t against nothing" seen from a */
        return sign * (t->num ? (gzero(t) ? 0 : 1) : alpha_vs_nothing(t));
    }
    if (x->num && y->num)
        return numcmp(x->p, x->len, y->p, y->len);
    if (!x->num && !y->num)
        return alphacmp(x, y);
    /* word against number: a zero is treated like a missing run so that
     * "1.0.0" and "1.0" compare the same against "1.0p1" */
    const struct gtok *w = x->num ? y : x, *n = x->num ? x : y;
    int wr = gzero(n) ? alpha_vs_nothing(w) : -1; /* word seen against number */
    return x->num ? -wr : wr;
}

/* a against b, either one followed by an infinitely large element when its
 * flag says so (a CVE 5 bound pattern "6.1.*" is 6.1 then infinity): when a
 * pattern's runs are all equal to the other's first ones, the pattern is
 * above; two patterns that end together are equal. Inline, so that the
 * plain comparison (both flags false) pays nothing for patterns. */
static inline int generic_cmp_ext(ts_str_t a, bool a_inf, ts_str_t b, bool b_inf)
{
    a = generic_body(a);
    b = generic_body(b);
    struct gcur ca = {a.ptr, a.ptr + a.len}, cb = {b.ptr, b.ptr + b.len};
    for (;;) {
        struct gtok x, y;
        gnext(&ca, &x);
        gnext(&cb, &y);
        bool xi = x.end && a_inf, yi = y.end && b_inf;
        if (xi || yi)
            return xi == yi ? 0 : xi ? 1 : -1;
        if (x.end && y.end)
            return 0;
        int r = gtok_cmp(&x, &y);
        if (r)
            return r;
    }
}

static int generic_cmp(ts_str_t a, ts_str_t b)
{
    return generic_cmp_ext(a, false, b, false);
}

/* ---- semver 2.0.0 -------------------------------------------------------
 * MAJOR.MINOR.PATCH[-pre][+build]; no leading zeros in numbers or numeric
 * pre-release identifiers. A leading 'v' is tolerated (tags like "v1.2.3"
 * fill CVE records' semver entries). */

struct semver {
    const char *num[3];
    size_t numlen[3];
    const char *pre;
    size_t prelen; /* 0 when none */
};

static bool ident_ok(const char *p, size_t n, bool pre)
{
    if (n == 0)
        return false;
    bool alldig = true;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if (!is_alnum(c) && c != '-')
            return false;
        if (!is_digit(c))
            alldig = false;
    }
    if (pre && alldig && n > 1 && p[0] == '0')
        return false;
    return true;
}

static int semver_parse(ts_str_t v, struct semver *sv)
{
    int r = common_check(v);
    if (r)
        return r;
    const char *p = v.ptr, *e = v.ptr + v.len;
    if (e - p >= 2 && (*p == 'v' || *p == 'V') && is_digit((unsigned char)p[1]))
        p++;
    for (int k = 0; k < 3; k++) {
        const char *s = p;
        while (p < e && is_digit((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - s);
        if (n == 0 || (n > 1 && s[0] == '0'))
            return TS_EINVAL;
        sv->num[k] = s;
        sv->numlen[k] = n;
        if (k < 2) {
            if (p == e || *p != '.')
                return TS_EINVAL;
            p++;
        }
    }
    sv->pre = NULL;
    sv->prelen = 0;
    const char *plus = memchr(p, '+', (size_t)(e - p));
    const char *pe = plus ? plus : e;
    if (p < pe) {
        if (*p != '-')
            return TS_EINVAL;
        p++;
        sv->pre = p;
        sv->prelen = (size_t)(pe - p);
        if (sv->prelen == 0)
            return TS_EINVAL;
        const char *s = p;
        for (const char *q = p; q <= pe; q++)
            if (q == pe || *q == '.') {
                if (!ident_ok(s, (size_t)(q - s), true))
                    return TS_EINVAL;
                s = q + 1;
            }
    }
    if (plus) {
        const char *s = plus + 1;
        if (s == e)
            return TS_EINVAL;
        for (const char *q = s; q <= e; q++)
            if (q == e || *q == '.') {
                if (!ident_ok(s, (size_t)(q - s), false))
                    return TS_EINVAL;
                s = q + 1;
            }
    }
    return 0;
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!is_digit((unsigned char)p[k]))
            return false;
    return true;
}

static int semver_cmp(ts_str_t a, ts_str_t b, int *out)
{
    struct semver x, y;
    if (semver_parse(a, &x) || semver_parse(b, &y))
        return TS_EINVAL;
    for (int k = 0; k < 3; k++) {
        int r = numcmp(x.num[k], x.numlen[k], y.num[k], y.numlen[k]);
        if (r) {
            *out = r;
            return 0;
        }
    }
    if (!x.prelen || !y.prelen) {
        *out = x.prelen ? -1 : (y.prelen ? 1 : 0); /* a pre-release precedes its release */
        return 0;
    }
    const char *p = x.pre, *pe = x.pre + x.prelen, *q = y.pre, *qe = y.pre + y.prelen;
    for (;;) {
        if (p >= pe || q >= qe) {
            *out = (p < pe) - (q < qe); /* more identifiers = higher */
            return 0;
        }
        const char *ps = p, *qs = q;
        while (p < pe && *p != '.')
            p++;
        while (q < qe && *q != '.')
            q++;
        size_t pl = (size_t)(p - ps), ql = (size_t)(q - qs);
        bool pn = all_digits(ps, pl), qn = all_digits(qs, ql);
        int r;
        if (pn && qn) {
            r = numcmp(ps, pl, qs, ql);
        } else if (pn != qn) {
            r = pn ? -1 : 1; /* numeric identifiers are lower */
        } else {
            size_t n = pl < ql ? pl : ql;
            r = memcmp(ps, qs, n); /* ASCII order, case-sensitive per 11.4.2 */
            r = (r > 0) - (r < 0);
            if (!r)
                r = (pl > ql) - (pl < ql);
        }
        if (r) {
            *out = r;
            return 0;
        }
        if (p < pe)
            p++;
        if (q < qe)
            q++;
    }
}

/* ---- dpkg ---------------------------------------------------------------
 * [epoch:]upstream[-revision] per Debian policy 5.6.12: upstream starts with
 * a digit, ':' only with an epoch, '-' only with a revision. */

struct dpkgv {
    unsigned long epoch;
    ts_str_t up, rev;
};

static bool dpkg_char(unsigned char c, bool upstream, bool has_epoch)
{
    if (is_alnum(c) || c == '.' || c == '+' || c == '~')
        return true;
    if (upstream && c == '-')
        return true; /* only reached left of the last hyphen */
    if (upstream && c == ':')
        return has_epoch;
    return false;
}

static int dpkg_parse(ts_str_t v, struct dpkgv *d)
{
    int r = check_trimmed(&v);
    if (r)
        return r;
    const char *colon = memchr(v.ptr, ':', v.len);
    d->epoch = 0;
    ts_str_t rest = v;
    if (colon) {
        size_t n = (size_t)(colon - v.ptr);
        if (n == 0 || n > 9 || !all_digits(v.ptr, n))
            return TS_EINVAL;
        for (size_t k = 0; k < n; k++)
            d->epoch = d->epoch * 10 + (unsigned long)(v.ptr[k] - '0');
        if (d->epoch > INT_MAX)
            return TS_EINVAL;
        rest = ts_str(colon + 1, v.len - n - 1);
    }
    const char *hyph = NULL;
    for (size_t k = rest.len; k > 0; k--)
        if (rest.ptr[k - 1] == '-') {
            hyph = rest.ptr + k - 1;
            break;
        }
    d->up = hyph ? ts_str(rest.ptr, (size_t)(hyph - rest.ptr)) : rest;
    d->rev = hyph ? ts_str(hyph + 1, rest.len - d->up.len - 1) : ts_str(rest.ptr + rest.len, 0);
    if (d->up.len == 0 || !is_digit((unsigned char)d->up.ptr[0]))
        return TS_EINVAL;
    for (size_t k = 0; k < d->up.len; k++)
        if (!dpkg_char((unsigned char)d->up.ptr[k], true, colon != NULL))
            return TS_EINVAL;
    for (size_t k = 0; k < d->rev.len; k++)
        if (!dpkg_char((unsigned char)d->rev.ptr[k], false, false))
            return TS_EINVAL;
    return 0;
}

/* Policy order of a non-digit: '~' before the end of the part, the end before
 * letters, letters before every other character. */
static int dpkg_order(int c)
{
    if (c == 0)
        return 0;
    if (is_digit((unsigned char)c))
        return 0;
    if (is_alpha((unsigned char)c))
        return c;
    if (c == '~')
        return -1;
    return c + 256;
}

static int dpkg_part_cmp(ts_str_t a, ts_str_t b)
{
    size_t i = 0, j = 0;
    while (i < a.len || j < b.len) {
        while ((i < a.len && !is_digit((unsigned char)a.ptr[i])) ||
               (j < b.len && !is_digit((unsigned char)b.ptr[j]))) {
            int ac = dpkg_order(i < a.len ? (unsigned char)a.ptr[i] : 0);
            int bc = dpkg_order(j < b.len ? (unsigned char)b.ptr[j] : 0);
            if (ac != bc)
                return ac < bc ? -1 : 1;
            i++;
            j++;
        }
        size_t as = i, bs = j;
        while (i < a.len && is_digit((unsigned char)a.ptr[i]))
            i++;
        while (j < b.len && is_digit((unsigned char)b.ptr[j]))
            j++;
        int r = numcmp(a.ptr + (as < a.len ? as : a.len), i > as ? i - as : 0,
                       b.ptr + (bs < b.len ? bs : b.len), j > bs ? j - bs : 0);
        if (r)
            return r;
    }
    return 0;
}

static int dpkg_cmp(ts_str_t a, ts_str_t b, int *out)
{
    struct dpkgv x, y;
    if (dpkg_parse(a, &x) || dpkg_parse(b, &y))
        return TS_EINVAL;
    int r = (x.epoch > y.epoch) - (x.epoch < y.epoch);
    if (!r)
        r = dpkg_part_cmp(x.up, y.up);
    if (!r)
        r = dpkg_part_cmp(x.rev, y.rev);
    *out = r;
    return 0;
}

/* ---- rpm ----------------------------------------------------------------
 * [epoch:]version[-release]; version and release compare with rpmvercmp.
 * As rpm does for dependencies, a missing release on either side compares
 * equal to any release ("1.0" covers "1.0-5"). */

struct rpmv {
    unsigned long epoch;
    ts_str_t ver, rel;
    bool has_rel;
};

static int rpm_parse(ts_str_t v, struct rpmv *d)
{
    int r = check_trimmed(&v);
    if (r)
        return r;
    for (size_t k = 0; k < v.len; k++)
        if (is_space((unsigned char)v.ptr[k]))
            return TS_EINVAL;
    d->epoch = 0;
    const char *colon = memchr(v.ptr, ':', v.len);
    if (colon) {
        size_t n = (size_t)(colon - v.ptr);
        if (n == 0 || n > 9 || !all_digits(v.ptr, n))
            return TS_EINVAL;
        for (size_t k = 0; k < n; k++)
            d->epoch = d->epoch * 10 + (unsigned long)(v.ptr[k] - '0');
        v = ts_str(colon + 1, v.len - n - 1);
        if (memchr(v.ptr, ':', v.len))
            return TS_EINVAL;
    }
    const char *hyph = NULL;
    for (size_t k = v.len; k > 0; k--)
        if (v.ptr[k - 1] == '-') {
            hyph = v.ptr + k - 1;
            break;
        }
    d->has_rel = hyph != NULL;
    d->ver = hyph ? ts_str(v.ptr, (size_t)(hyph - v.ptr)) : v;
    d->rel = hyph ? ts_str(hyph + 1, v.len - d->ver.len - 1) : ts_str(v.ptr + v.len, 0);
    if (d->ver.len == 0 || (d->has_rel && d->rel.len == 0))
        return TS_EINVAL;
    return 0; /* rpm itself compares "+_" with "_+" (equal): no content rule */
}

/* rpmvercmp (rpm's lib/rpmvercmp.c behaviour, written from its documented
 * rules and its test cases): alternating digit and letter segments, any other
 * byte a separator, digits newer than letters, '~' older than anything and
 * '^' newer than the end but older than anything else. */
static int rpmvercmp(ts_str_t a, ts_str_t b)
{
    const char *p = a.ptr, *pe = a.ptr + a.len, *q = b.ptr, *qe = b.ptr + b.len;
    if (ts_str_eq(a, b))
        return 0;
    while (p < pe || q < qe) {
        while (p < pe && !is_alnum((unsigned char)*p) && *p != '~' && *p != '^')
            p++;
        while (q < qe && !is_alnum((unsigned char)*q) && *q != '~' && *q != '^')
            q++;
        int pc = p < pe ? *p : 0, qc = q < qe ? *q : 0;
        if (pc == '~' || qc == '~') {
            if (pc != '~')
                return 1;
            if (qc != '~')
                return -1;
            p++;
            q++;
            continue;
        }
        if (pc == '^' || qc == '^') {
            if (p == pe)
                return -1;
            if (q == qe)
                return 1;
            if (pc != '^')
                return 1;
            if (qc != '^')
                return -1;
            p++;
            q++;
            continue;
        }
        if (p == pe || q == qe)
            break;
        const char *ps = p, *qs = q;
        bool num = is_digit((unsigned char)*p);
        if (num) {
            while (p < pe && is_digit((unsigned char)*p))
                p++;
            while (q < qe && is_digit((unsigned char)*q))
                q++;
        } else {
            while (p < pe && is_alpha((unsigned char)*p))
                p++;
            while (q < qe && is_alpha((unsigned char)*q))
                q++;
        }
        if (q == qs)
            return num ? 1 : -1; /* different segment types: numeric is newer */
        int r;
        if (num) {
            r = numcmp(ps, (size_t)(p - ps), qs, (size_t)(q - qs));
        } else {
            size_t pl = (size_t)(p - ps), ql = (size_t)(q - qs), n = pl < ql ? pl : ql;
            r = memcmp(ps, qs, n);
            r = (r > 0) - (r < 0);
            if (!r)
                r = (pl > ql) - (pl < ql);
        }
        if (r)
            return r;
    }
    if (p == pe && q == qe)
        return 0;
    return p < pe ? 1 : -1;
}

static int rpm_cmp(ts_str_t a, ts_str_t b, int *out)
{
    struct rpmv x, y;
    if (rpm_parse(a, &x) || rpm_parse(b, &y))
        return TS_EINVAL;
    int r = (x.epoch > y.epoch) - (x.epoch < y.epoch);
    if (!r)
        r = rpmvercmp(x.ver, y.ver);
    if (!r && x.has_rel && y.has_rel)
        r = rpmvercmp(x.rel, y.rel);
    *out = r;
    return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

int ts_vscheme_parse(const char *name, ts_vscheme_t *out)
{
    ts_str_t n = ts_str_c(name);
    if (n.len == 0 || ieq(n, "generic") || ieq(n, "custom")) {
        *out = TS_VS_GENERIC;
        return 0;
    }
    if (ieq(n, "semver")) {
        *out = TS_VS_SEMVER;
        return 0;
    }
    if (ieq(n, "deb") || ieq(n, "dpkg") || ieq(n, "debian")) {
        *out = TS_VS_DPKG;
        return 0;
    }
    if (ieq(n, "rpm")) {
        *out = TS_VS_RPM;
        return 0;
    }
    return TS_ENOTSUP;
}

const char *ts_vscheme_name(ts_vscheme_t s)
{
    switch (s) {
    case TS_VS_GENERIC:
        return "generic";
    case TS_VS_SEMVER:
        return "semver";
    case TS_VS_DPKG:
        return "deb";
    case TS_VS_RPM:
        return "rpm";
    }
    return "unknown";
}

/* Whether v is a version of scheme s. */
static int vcheck(ts_vscheme_t s, ts_str_t v)
{
    if (v.ptr)
        v = trim(v);
    switch (s) {
    case TS_VS_GENERIC:
        return generic_check(v);
    case TS_VS_SEMVER: {
        struct semver sv;
        return semver_parse(v, &sv);
    }
    case TS_VS_DPKG: {
        struct dpkgv d;
        return dpkg_parse(v, &d);
    }
    case TS_VS_RPM: {
        struct rpmv d;
        return rpm_parse(v, &d);
    }
    }
    return TS_EINVAL;
}

/* A CVE 5 bound pattern "P.*" ('*' is infinity, not a wildcard: "6.1.*" is
 * above every 6.1.x and below 6.2); *prefix receives P. */
static bool is_pattern(ts_str_t v, ts_str_t *prefix)
{
    if (v.len < 3 || v.ptr[v.len - 1] != '*' || v.ptr[v.len - 2] != '.')
        return false;
    *prefix = ts_str(v.ptr, v.len - 2);
    return true;
}

/* Whether P of a pattern reads under s: generic, or semver's "MAJOR" and
 * "MAJOR.MINOR" (a pattern after PATCH would need a fourth element). */
static int pattern_check(ts_vscheme_t s, ts_str_t p)
{
    if (s == TS_VS_GENERIC)
        return generic_check(p);
    if (s != TS_VS_SEMVER || common_check(p) != 0)
        return TS_EINVAL;
    const char *q = p.ptr, *e = p.ptr + p.len;
    if (e - q >= 2 && (*q == 'v' || *q == 'V'))
        q++;
    for (int k = 0; k < 2 && q < e; k++) {
        const char *st = q;
        while (q < e && is_digit((unsigned char)*q))
            q++;
        if (q == st || (q - st > 1 && *st == '0'))
            return TS_EINVAL;
        if (q < e && (*q != '.' || k == 1 || q + 1 == e))
            return TS_EINVAL;
        if (q < e)
            q++;
    }
    return q == e ? 0 : TS_EINVAL;
}

/* Whether v is a version of s, or a bound pattern of it. */
static int bound_check(ts_vscheme_t s, ts_str_t v)
{
    ts_str_t p;
    if (v.ptr)
        v = trim(v);
    if (v.ptr && is_pattern(v, &p))
        return pattern_check(s, p);
    return vcheck(s, v);
}

int ts_version_cmp_bound(ts_vscheme_t s, ts_str_t a, ts_str_t b, int *out)
{
    ts_str_t pa, pb;
    *out = 0;
    if (a.ptr)
        a = trim(a);
    if (b.ptr)
        b = trim(b);
    bool wa = a.ptr && is_pattern(a, &pa), wb = b.ptr && is_pattern(b, &pb);
    if (!wa && !wb)
        return ts_version_cmp(s, a, b, out);
    if ((wa ? pattern_check(s, pa) : vcheck(s, a)) != 0 ||
        (wb ? pattern_check(s, pb) : vcheck(s, b)) != 0)
        return TS_EINVAL;
    /* Only the leading numbers of a pattern count, and semver's order there
     * is the generic one. */
    *out = generic_cmp_ext(wa ? pa : a, wa, wb ? pb : b, wb);
    return 0;
}

int ts_version_cmp(ts_vscheme_t s, ts_str_t a, ts_str_t b, int *out)
{
    *out = 0;
    if (a.ptr)
        a = trim(a);
    if (b.ptr)
        b = trim(b);
    switch (s) {
    case TS_VS_GENERIC:
        if (generic_check(a) || generic_check(b))
            return TS_EINVAL;
        *out = generic_cmp(a, b);
        return 0;
    case TS_VS_SEMVER:
        return semver_cmp(a, b, out);
    case TS_VS_DPKG:
        return dpkg_cmp(a, b, out);
    case TS_VS_RPM:
        return rpm_cmp(a, b, out);
    }
    return TS_EINVAL;
}

/* ---- ranges --------------------------------------------------------------- */

static ts_str_t cver(const ts_vrange_t *r, int k)
{
    return ts_str(r->text + r->c[k].off, r->c[k].len);
}

static void range_init(ts_vrange_t *r, ts_vscheme_t s)
{
    memset(r, 0, sizeof *r);
    r->scheme = s;
}

static size_t text_used(const ts_vrange_t *r)
{
    if (r->n == 0)
        return 0;
    size_t end = 0;
    for (int k = 0; k < r->n; k++) {
        size_t e = (size_t)r->c[k].off + r->c[k].len + 1;
        if (e > end)
            end = e;
    }
    return end;
}

/* Appends one constraint; the version is copied NUL-terminated into text. */
static int range_add(ts_vrange_t *r, ts_vop_t op, ts_str_t v, char *err, size_t errsize)
{
    if (r->n >= TS_VRANGE_MAX) {
        ts_seterr(err, errsize, "more than %d constraints", TS_VRANGE_MAX);
        return TS_ETOOBIG;
    }
    size_t used = text_used(r);
    if (v.len > VERSION_MAX || used + v.len + 1 > TS_VRANGE_TEXT_MAX) {
        ts_seterr(err, errsize, "versions longer than %d bytes", TS_VRANGE_TEXT_MAX);
        return TS_ETOOBIG;
    }
    ts_str_t pat;
    bool wild = v.ptr && is_pattern(v, &pat);
    if (wild && (op == TS_VOP_EQ || op == TS_VOP_NE)) {
        ts_seterr(err, errsize, "\"%.*s\" is a bound, not a version",
                  (int)(v.len > 64 ? 64 : v.len), v.ptr);
        return TS_EINVAL;
    }
    if (bound_check(r->scheme, v) != 0) {
        ts_seterr(err, errsize, "not a %s version%s: \"%.*s\"", ts_vscheme_name(r->scheme),
                  wild ? " pattern" : "", (int)(v.len > 64 ? 64 : v.len), v.ptr ? v.ptr : "");
        return TS_EINVAL;
    }
    memcpy(r->text + used, v.ptr, v.len);
    r->text[used + v.len] = '\0';
    r->c[r->n].op = op;
    r->c[r->n].off = (unsigned short)used;
    r->c[r->n].len = (unsigned short)v.len;
    r->n++;
    return 0;
}

static bool op_lower(ts_vop_t op) /* '>' or '>=' */
{
    return op == TS_VOP_GT || op == TS_VOP_GE;
}

static bool op_upper(ts_vop_t op) /* '<' or '<=' */
{
    return op == TS_VOP_LT || op == TS_VOP_LE;
}

/* vers-spec validity: strictly increasing versions and no redundant
 * neighbours among the constraints other than '!='. */
static int range_validate(const ts_vrange_t *r, char *err, size_t errsize)
{
    for (int k = 1; k < r->n; k++) {
        int c;
        if (ts_version_cmp_bound(r->scheme, cver(r, k - 1), cver(r, k), &c) != 0)
            return TS_EINVAL;
        if (c == 0) {
            ts_seterr(err, errsize, "duplicate version \"%s\"", r->text + r->c[k].off);
            return TS_ESYNTAX;
        }
        if (c > 0) {
            ts_seterr(err, errsize, "constraints are not sorted by version");
            return TS_ESYNTAX;
        }
    }
    int prev = -1;
    for (int k = 0; k < r->n; k++) {
        ts_vop_t op = r->c[k].op;
        if (op == TS_VOP_NE)
            continue;
        if (prev >= 0) {
            ts_vop_t p = r->c[prev].op;
            if ((!op_lower(p) && op_upper(op)) || (op_lower(p) && !op_upper(op))) {
                ts_seterr(err, errsize, "redundant constraint before \"%s\"",
                          r->text + r->c[k].off);
                return TS_ESYNTAX;
            }
        }
        prev = k;
    }
    return 0;
}

static int range_sort(ts_vrange_t *r)
{
    for (int k = 1; k < r->n; k++) {
        ts_vconstraint_t c = r->c[k];
        int j = k;
        while (j > 0) {
            int d;
            if (ts_version_cmp_bound(r->scheme, cver(r, j - 1), ts_str(r->text + c.off, c.len),
                                     &d) != 0)
                return TS_EINVAL;
            if (d <= 0)
                break;
            r->c[j] = r->c[j - 1];
            j--;
        }
        r->c[j] = c;
    }
    return 0;
}

struct vtype {
    const char *name;
    int scheme; /* a ts_vscheme_t, or -1: all/none */
};

/* vers types this code can compare; everything else is TS_ENOTSUP rather
 * than a comparison with the wrong rules. */
static const struct vtype vtypes[] = {
    {"generic", TS_VS_GENERIC}, {"intdot", TS_VS_GENERIC}, {"semver", TS_VS_SEMVER},
    {"npm", TS_VS_SEMVER},      {"cargo", TS_VS_SEMVER},   {"golang", TS_VS_SEMVER},
    {"hex", TS_VS_SEMVER},      {"pub", TS_VS_SEMVER},     {"deb", TS_VS_DPKG},
    {"rpm", TS_VS_RPM},
};

/* Parses "<op><version>" items separated by '|' from s into r. */
static int parse_vers_constraints(ts_str_t s, ts_vrange_t *r, char *err, size_t errsize)
{
    if (s.len == 0) {
        ts_seterr(err, errsize, "empty constraints");
        return TS_ESYNTAX;
    }
    if (s.ptr[0] == '|' || s.ptr[s.len - 1] == '|') {
        ts_seterr(err, errsize, "leading or trailing pipe");
        return TS_ESYNTAX;
    }
    size_t k = 0;
    while (k < s.len) {
        size_t e = k;
        while (e < s.len && s.ptr[e] != '|')
            e++;
        ts_str_t item = ts_str(s.ptr + k, e - k);
        if (item.len == 0) {
            ts_seterr(err, errsize, "consecutive pipes");
            return TS_ESYNTAX;
        }
        ts_vop_t op = TS_VOP_EQ;
        size_t skip = 0;
        if (item.len >= 2 && memcmp(item.ptr, ">=", 2) == 0) {
            op = TS_VOP_GE;
            skip = 2;
        } else if (item.len >= 2 && memcmp(item.ptr, "<=", 2) == 0) {
            op = TS_VOP_LE;
            skip = 2;
        } else if (item.len >= 2 && memcmp(item.ptr, "!=", 2) == 0) {
            op = TS_VOP_NE;
            skip = 2;
        } else if (item.ptr[0] == '<') {
            op = TS_VOP_LT;
            skip = 1;
        } else if (item.ptr[0] == '>') {
            op = TS_VOP_GT;
            skip = 1;
        } else if (item.ptr[0] == '=') {
            skip = 1; /* older vers drafts wrote equality explicitly */
        }
        ts_str_t raw = ts_str(item.ptr + skip, item.len - skip);
        if (raw.len == 0) {
            ts_seterr(err, errsize, "empty version");
            return TS_ESYNTAX;
        }
        if (raw.len > VERSION_MAX * 3) {
            ts_seterr(err, errsize, "version longer than %d bytes", VERSION_MAX);
            return TS_ETOOBIG;
        }
        char dec[VERSION_MAX * 3];
        size_t n = 0;
        for (size_t i = 0; i < raw.len; i++) {
            unsigned char c = (unsigned char)raw.ptr[i];
            if (c == '%') {
                int h1 = i + 2 < raw.len ? ts_hexval((unsigned char)raw.ptr[i + 1]) : -1;
                int h2 = i + 2 < raw.len ? ts_hexval((unsigned char)raw.ptr[i + 2]) : -1;
                if (h1 < 0 || h2 < 0) {
                    ts_seterr(err, errsize, "invalid percent-encoding in version");
                    return TS_ESYNTAX;
                }
                dec[n++] = (char)(h1 * 16 + h2);
                i += 2;
            } else {
                dec[n++] = (char)c;
            }
        }
        int rc = range_add(r, op, ts_str(dec, n), err, errsize);
        if (rc == TS_EINVAL)
            rc = TS_ESYNTAX;
        if (rc)
            return rc;
        k = e + 1;
    }
    return 0;
}

int ts_vrange_parse_vers(ts_str_t s, ts_vrange_t *out, bool *repaired, char *err, size_t errsize)
{
    range_init(out, TS_VS_GENERIC);
    if (repaired)
        *repaired = false;
    if (s.ptr == NULL || s.len == 0) {
        ts_seterr(err, errsize, "empty vers");
        return TS_ESYNTAX;
    }
    if (s.len > TS_VRANGE_TEXT_MAX * 2) {
        ts_seterr(err, errsize, "vers longer than %d bytes", TS_VRANGE_TEXT_MAX * 2);
        return TS_ETOOBIG;
    }
    for (size_t k = 0; k < s.len; k++) {
        unsigned char c = (unsigned char)s.ptr[k];
        if (c <= 0x20 || c >= 0x7f) {
            ts_seterr(err, errsize, "whitespace or non-ASCII byte in vers");
            return TS_ESYNTAX;
        }
    }
    if (s.len < 5 || memcmp(s.ptr, "vers:", 5) != 0) {
        ts_seterr(err, errsize, "not a vers: URI");
        return TS_ESYNTAX;
    }
    ts_str_t spec = ts_str(s.ptr + 5, s.len - 5);
    const char *slash = memchr(spec.ptr, '/', spec.len);
    if (slash == NULL) {
        ts_seterr(err, errsize, "no '/' after the vers type");
        return TS_ESYNTAX;
    }
    ts_str_t type = ts_str(spec.ptr, (size_t)(slash - spec.ptr));
    ts_str_t cons = ts_str(slash + 1, spec.len - type.len - 1);
    if (type.len == 0 || type.len > 32) {
        ts_seterr(err, errsize, "bad vers type length");
        return TS_ESYNTAX;
    }
    for (size_t k = 0; k < type.len; k++) {
        unsigned char c = (unsigned char)type.ptr[k];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '-' || c == '+')) {
            ts_seterr(err, errsize, "vers type must be lowercase [a-z0-9.+-]");
            return TS_ESYNTAX;
        }
    }
    if (ts_str_eq_c(type, "invalid")) {
        ts_seterr(err, errsize, "the vers type 'invalid' is always invalid");
        return TS_ESYNTAX;
    }
    if (ts_str_eq_c(cons, "*")) {
        if (ts_str_eq_c(type, "none")) {
            out->all = false; /* matches nothing: n == 0 and not all */
            return 0;
        }
        for (size_t k = 0; k < sizeof vtypes / sizeof vtypes[0]; k++)
            if (ts_str_eq_c(type, vtypes[k].name))
                out->scheme = (ts_vscheme_t)vtypes[k].scheme;
        /* "*" needs no comparator, so any type may say it */
        out->all = true;
        return 0;
    }
    if (ts_str_eq_c(type, "all")) {
        /* CISA writes "vers:all/<V4.3.8": read the constraints as generic and
         * tell the caller the input was not valid vers. */
        if (repaired)
            *repaired = true;
        int rc = parse_vers_constraints(cons, out, err, errsize);
        if (rc == 0)
            rc = range_sort(out) ? TS_ESYNTAX : range_validate(out, err, errsize);
        if (rc)
            range_init(out, TS_VS_GENERIC);
        return rc;
    }
    if (ts_str_eq_c(type, "none")) {
        ts_seterr(err, errsize, "vers:none takes only '*'");
        return TS_ESYNTAX;
    }
    int scheme = -1;
    for (size_t k = 0; k < sizeof vtypes / sizeof vtypes[0]; k++)
        if (ts_str_eq_c(type, vtypes[k].name))
            scheme = vtypes[k].scheme;
    if (scheme < 0) {
        ts_seterr(err, errsize, "no comparator for vers type '%.*s'", (int)type.len, type.ptr);
        return TS_ENOTSUP;
    }
    out->scheme = (ts_vscheme_t)scheme;
    int rc = parse_vers_constraints(cons, out, err, errsize);
    if (rc == 0)
        rc = range_validate(out, err, errsize); /* canonical: no sorting for the caller */
    if (rc) {
        range_init(out, (ts_vscheme_t)scheme);
        return rc == TS_EINVAL ? TS_ESYNTAX : rc;
    }
    return 0;
}

/* Case-insensitive prefix test; on success advances *s past it. */
static bool eat_word(ts_str_t *s, const char *w)
{
    size_t n = strlen(w);
    if (s->len < n || !ieq(ts_str(s->ptr, n), w))
        return false;
    if (s->len > n && is_alnum((unsigned char)s->ptr[n]))
        return false; /* "allow" is not "all" */
    s->ptr += n;
    s->len -= n;
    *s = trim(*s);
    return true;
}

/* Length of a separator at s (0 when none): '|', ',', "&&", or "and" as a
 * word. *is_and tells whether it is an intersection. */
static size_t vls_sep(ts_str_t s, bool *is_and)
{
    if (s.len == 0)
        return 0;
    if (s.ptr[0] == '|') {
        *is_and = false;
        return (s.len >= 2 && s.ptr[1] == '|') ? 2 : 1;
    }
    if (s.ptr[0] == ',') {
        *is_and = true;
        return 1;
    }
    if (s.len >= 2 && s.ptr[0] == '&' && s.ptr[1] == '&') {
        *is_and = true;
        return 2;
    }
    if (s.len >= 4 && ieq(ts_str(s.ptr, 3), "and") && is_space((unsigned char)s.ptr[3])) {
        *is_and = true;
        return 3;
    }
    return 0;
}

int ts_vrange_parse_vls(ts_vscheme_t scheme, ts_str_t text, ts_vrange_t *out, char *err,
                        size_t errsize)
{
    range_init(out, scheme);
    if (text.ptr == NULL) {
        ts_seterr(err, errsize, "empty range");
        return TS_ESYNTAX;
    }
    if (text.len > TS_VRANGE_TEXT_MAX * 2) {
        ts_seterr(err, errsize, "range text longer than %d bytes", TS_VRANGE_TEXT_MAX * 2);
        return TS_ETOOBIG;
    }
    ts_str_t s = trim(text);
    if (s.len == 0) {
        ts_seterr(err, errsize, "empty range");
        return TS_ESYNTAX;
    }
    for (size_t k = 0; k < s.len; k++) {
        unsigned char c = (unsigned char)s.ptr[k];
        if (c < 0x20 || c == 0x7f) {
            ts_seterr(err, errsize, "control character in range");
            return TS_ESYNTAX;
        }
    }
    if (s.len >= 5 && memcmp(s.ptr, "vers:", 5) == 0)
        return ts_vrange_parse_vers(s, out, NULL, err, errsize);
    /* "All versions", "all", "All BIOS versions", "versions" */
    ts_str_t t = s;
    if (eat_word(&t, "all")) {
        /* up to three qualifying words: "All BIOS versions < V1.0.212N" */
        ts_str_t u = t;
        for (int words = 0; words < 4 && u.len > 0; words++) {
            if (eat_word(&u, "versions")) {
                t = u;
                break;
            }
            size_t k = 0;
            while (k < u.len && is_alnum((unsigned char)u.ptr[k]))
                k++;
            if (k == 0)
                break;
            u = trim(ts_str(u.ptr + k, u.len - k));
        }
        s = t;
        if (s.len == 0) {
            out->all = true;
            return 0;
        }
    } else if (eat_word(&t, "versions")) {
        s = t;
    }
    bool any_and = false, any_or = false;
    while (s.len > 0) {
        ts_vop_t op;
        size_t skip;
        if (s.len >= 2 && s.ptr[1] == '=' && strchr("<>!=", s.ptr[0]) != NULL) {
            op = s.ptr[0] == '<'   ? TS_VOP_LE
                 : s.ptr[0] == '>' ? TS_VOP_GE
                 : s.ptr[0] == '!' ? TS_VOP_NE
                                   : TS_VOP_EQ;
            skip = 2;
        } else if (s.ptr[0] == '<' || s.ptr[0] == '>' || s.ptr[0] == '=') {
            op = s.ptr[0] == '<' ? TS_VOP_LT : s.ptr[0] == '>' ? TS_VOP_GT : TS_VOP_EQ;
            skip = 1;
        } else {
            ts_seterr(err, errsize, "no comparator at \"%.*s\"", (int)(s.len > 40 ? 40 : s.len),
                      s.ptr);
            range_init(out, scheme);
            return TS_ESYNTAX;
        }
        s = trim(ts_str(s.ptr + skip, s.len - skip));
        size_t k = 0;
        bool is_and = false;
        while (k < s.len && !is_space((unsigned char)s.ptr[k]) &&
               vls_sep(ts_str(s.ptr + k, s.len - k), &is_and) == 0)
            k++;
        ts_str_t v = ts_str(s.ptr, k);
        s = trim(ts_str(s.ptr + k, s.len - k));
        if (v.len == 0) {
            ts_seterr(err, errsize, "comparator without a version");
            range_init(out, scheme);
            return TS_ESYNTAX;
        }
        int rc = range_add(out, op, v, err, errsize);
        if (rc) {
            range_init(out, scheme);
            return rc == TS_EINVAL ? TS_ESYNTAX : rc;
        }
        if (s.len == 0)
            break;
        size_t sl = vls_sep(s, &is_and);
        if (sl == 0 && strchr("<>=!", s.ptr[0]) != NULL) {
            /* ">= V3.0 < V3.2": juxtaposed comparators mean both */
            is_and = true;
        } else if (sl == 0) {
            ts_seterr(err, errsize, "unexpected text after version: \"%.*s\"",
                      (int)(s.len > 40 ? 40 : s.len), s.ptr);
            range_init(out, scheme);
            return TS_ESYNTAX;
        }
        if (is_and)
            any_and = true;
        else
            any_or = true;
        s = trim(ts_str(s.ptr + sl, s.len - sl));
        if (s.len == 0) {
            ts_seterr(err, errsize, "trailing separator");
            range_init(out, scheme);
            return TS_ESYNTAX;
        }
    }
    int rc = range_sort(out);
    if (rc == 0)
        rc = range_validate(out, err, errsize);
    if (rc == 0 && any_and) {
        /* an intersection must not read as a union: "<1 and >2" is empty */
        if (any_or) {
            ts_seterr(err, errsize, "mixed 'and' and 'or' separators");
            rc = TS_ESYNTAX;
        }
        for (int k = 1; rc == 0 && k < out->n; k++)
            if (op_upper(out->c[k - 1].op) && op_lower(out->c[k].op)) {
                ts_seterr(err, errsize, "empty intersection");
                rc = TS_ESYNTAX;
            }
        int eq = 0;
        for (int k = 0; rc == 0 && k < out->n; k++)
            eq += out->c[k].op == TS_VOP_EQ;
        if (rc == 0 && eq > 0 && out->n > 1) {
            ts_seterr(err, errsize, "'=' joined with 'and'");
            rc = TS_ESYNTAX;
        }
    }
    if (rc) {
        range_init(out, scheme);
        return rc == TS_EINVAL ? TS_ESYNTAX : rc;
    }
    return 0;
}

int ts_vrange_parse_github(ts_vscheme_t scheme, ts_str_t text, ts_vrange_t *out, char *err,
                           size_t errsize)
{
    range_init(out, scheme);
    ts_str_t s = text.ptr ? trim(text) : text;
    if (s.ptr == NULL || s.len == 0 || s.len > TS_VRANGE_TEXT_MAX) {
        ts_seterr(err, errsize, "empty range or over %d bytes", TS_VRANGE_TEXT_MAX);
        return TS_ESYNTAX;
    }
    /* at most one lower bound, one upper bound, or one "=" */
    ts_vop_t op[2] = {0, 0};
    ts_str_t ver[2] = {TS_STR_NULL, TS_STR_NULL};
    bool eq = false;
    int rc = 0;
    size_t k = 0;
    while (rc == 0 && k <= s.len) {
        size_t e = k;
        while (e < s.len && s.ptr[e] != ',')
            e++;
        ts_str_t item = trim(ts_str(s.ptr + k, e - k));
        k = e + 1;
        ts_vop_t o;
        size_t skip = 1;
        if (item.len >= 2 && item.ptr[1] == '=' && (item.ptr[0] == '<' || item.ptr[0] == '>')) {
            o = item.ptr[0] == '<' ? TS_VOP_LE : TS_VOP_GE;
            skip = 2;
        } else if (item.len && (item.ptr[0] == '<' || item.ptr[0] == '>' || item.ptr[0] == '=')) {
            o = item.ptr[0] == '<' ? TS_VOP_LT : item.ptr[0] == '>' ? TS_VOP_GT : TS_VOP_EQ;
        } else {
            ts_seterr(err, errsize, "\"%.*s\" does not start with <, <=, >, >= or =",
                      (int)(item.len > 40 ? 40 : item.len), item.ptr);
            rc = TS_ESYNTAX;
            break;
        }
        ts_str_t v = trim(ts_str(item.ptr + skip, item.len - skip));
        int slot = op_upper(o) ? 1 : 0;
        if (v.len == 0) {
            ts_seterr(err, errsize, "comparator without a version");
            rc = TS_ESYNTAX;
        } else if (eq || (o == TS_VOP_EQ && (op[0] || op[1])) || op[slot]) {
            ts_seterr(err, errsize, "more than one %s",
                      o == TS_VOP_EQ || eq ? "comparator with ="
                      : slot               ? "upper bound"
                                           : "lower bound");
            rc = TS_ESYNTAX;
        } else {
            eq = o == TS_VOP_EQ;
            op[slot] = o;
            ver[slot] = v;
        }
    }
    for (int j = 0; rc == 0 && j < 2; j++)
        if (op[j])
            rc = range_add(out, op[j], ver[j], err, errsize);
    if (rc == 0 && out->n == 2 && range_validate(out, err, errsize) != 0) {
        ts_seterr(err, errsize, "the lower bound is not below the upper one");
        rc = TS_ESYNTAX;
    }
    if (rc) {
        range_init(out, scheme);
        return rc == TS_ETOOBIG ? rc : TS_ESYNTAX;
    }
    return 0;
}

/* A bound is absent when empty or "*" (CVE 5 writes lessThan "*"). */
static bool no_bound(ts_str_t b)
{
    return b.ptr == NULL || b.len == 0 || ts_str_eq_c(b, "*");
}

/* Whether a ends just below b begins, both leaving that version out. */
static bool joined(ts_vscheme_t s, const ts_vinterval_t *a, const ts_vinterval_t *b)
{
    int c = 1;
    return a->hi.ptr && b->lo.ptr && !a->hi_incl && !b->lo_incl &&
           ts_version_cmp_bound(s, a->hi, b->lo, &c) == 0 && c == 0;
}

int ts_vrange_from_intervals(ts_vscheme_t s, const ts_vinterval_t *iv, size_t n, ts_vrange_t *out,
                             char *err, size_t errsize)
{
    range_init(out, s);
    if (n == 1 && iv[0].lo.ptr == NULL && iv[0].hi.ptr == NULL) {
        out->all = true;
        return 0;
    }
    int rc = n ? 0 : TS_EINVAL;
    if (rc)
        ts_seterr(err, errsize, "no interval");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        ts_str_t lo = iv[k].lo, hi = iv[k].hi;
        if ((lo.ptr == NULL && k > 0) || (hi.ptr == NULL && k + 1 < n)) {
            ts_seterr(err, errsize, "only the first interval may be open below, the last above");
            rc = TS_EINVAL;
            break;
        }
        int c = -1;
        if (lo.ptr && hi.ptr) {
            if (bound_check(s, lo) || bound_check(s, hi) || ts_version_cmp_bound(s, lo, hi, &c)) {
                ts_seterr(err, errsize, "bound is not a %s version", ts_vscheme_name(s));
                rc = TS_EINVAL;
                break;
            }
            if (c > 0 || (c == 0 && !(iv[k].lo_incl && iv[k].hi_incl))) {
                ts_seterr(err, errsize, "empty range: start above end");
                rc = TS_EINVAL;
                break;
            }
        }
        if (c == 0) {
            rc = range_add(out, TS_VOP_EQ, lo, err, errsize);
            continue;
        }
        /* (a, b) and (b, c): one interval without b, as vers writes it
         * (">a|!=b|<c"; "<b|>b" would name b twice) */
        bool below = k > 0 && joined(s, &iv[k - 1], &iv[k]);
        bool above = k + 1 < n && joined(s, &iv[k], &iv[k + 1]);
        if (lo.ptr)
            rc = range_add(out,
                           below           ? TS_VOP_NE
                           : iv[k].lo_incl ? TS_VOP_GE
                                           : TS_VOP_GT,
                           lo, err, errsize);
        if (rc == 0 && hi.ptr && !above)
            rc = range_add(out, iv[k].hi_incl ? TS_VOP_LE : TS_VOP_LT, hi, err, errsize);
    }
    if (rc == 0 && n > 1 && range_validate(out, err, errsize) != 0) {
        ts_seterr(err, errsize, "intervals overlap or are not in order");
        rc = TS_EINVAL;
    }
    if (rc) {
        range_init(out, s);
        return rc == TS_ETOOBIG ? rc : TS_EINVAL;
    }
    return 0;
}

int ts_vrange_from_bounds(ts_vscheme_t s, ts_str_t start, bool start_incl, ts_str_t end,
                          bool end_incl, ts_vrange_t *out, char *err, size_t errsize)
{
    if (start.ptr)
        start = trim(start);
    if (end.ptr)
        end = trim(end);
    /* CVE 5 writes "version": "0" for "from the first release"; semver
     * cannot read a bare "0", and no scheme has a release below it that
     * an advisory means, so it is no lower bound */
    ts_vinterval_t iv = {.lo = no_bound(start) || ts_str_eq_c(start, "0") ? TS_STR_NULL : start,
                         .hi = no_bound(end) ? TS_STR_NULL : end,
                         .lo_incl = start_incl,
                         .hi_incl = end_incl};
    return ts_vrange_from_intervals(s, &iv, 1, out, err, errsize);
}

int ts_vrange_exact(ts_vscheme_t s, ts_str_t version, ts_vrange_t *out, char *err, size_t errsize)
{
    range_init(out, s);
    if (version.ptr)
        version = trim(version);
    int rc = range_add(out, TS_VOP_EQ, version, err, errsize);
    if (rc)
        range_init(out, s);
    return rc;
}

int ts_vrange_contains(const ts_vrange_t *r, ts_str_t v, bool *in)
{
    *in = false;
    if (v.ptr)
        v = trim(v);
    if (r->all) {
        /* "*" compares nothing, so any well-formed string is in, whatever
         * the type (a pypi range of "*" included) */
        if (common_check(v) != 0)
            return TS_EINVAL;
        *in = true;
        return 0;
    }
    if (vcheck(r->scheme, v) != 0)
        return TS_EINVAL;
    int cmp[TS_VRANGE_MAX];
    for (int k = 0; k < r->n; k++) {
        /* v was just checked and a range holds only versions its parser
         * checked: generic versions compare without checking them again
         * (a full re-match makes millions of these calls). */
        ts_str_t c = cver(r, k), pat;
        if (is_pattern(c, &pat))
            cmp[k] = generic_cmp_ext(v, false, pat, true);
        else if (r->scheme == TS_VS_GENERIC)
            cmp[k] = generic_cmp(v, trim(c));
        else if (ts_version_cmp(r->scheme, v, c, &cmp[k]) != 0)
            return TS_EINVAL;
        ts_vop_t op = r->c[k].op;
        if (cmp[k] == 0 && (op == TS_VOP_EQ || op == TS_VOP_LE || op == TS_VOP_GE)) {
            *in = true;
            return 0;
        }
    }
    for (int k = 0; k < r->n; k++)
        if (cmp[k] == 0 && r->c[k].op == TS_VOP_NE)
            return 0;
    /* the ordered bounds: everything but '=' and '!=' */
    int idx[TS_VRANGE_MAX], m = 0;
    for (int k = 0; k < r->n; k++)
        if (r->c[k].op != TS_VOP_EQ && r->c[k].op != TS_VOP_NE)
            idx[m++] = k;
    if (m == 0) {
        /* only '!=': everything else is in; only '=': nothing else is */
        bool only_ne = r->n > 0;
        for (int k = 0; k < r->n; k++)
            only_ne &= r->c[k].op == TS_VOP_NE;
        *in = only_ne;
        return 0;
    }
    if (m == 1) {
        int k = idx[0];
        *in = op_upper(r->c[k].op) ? cmp[k] < 0 : cmp[k] > 0;
        return 0;
    }
    for (int i = 0; i + 1 < m; i++) {
        int a = idx[i], b = idx[i + 1];
        if (i == 0 && op_upper(r->c[a].op) && cmp[a] < 0) {
            *in = true;
            return 0;
        }
        if (i + 2 == m && op_lower(r->c[b].op) && cmp[b] > 0) {
            *in = true;
            return 0;
        }
        if (op_lower(r->c[a].op) && op_upper(r->c[b].op) && cmp[a] > 0 && cmp[b] < 0) {
            *in = true;
            return 0;
        }
    }
    return 0;
}

static bool vers_safe(unsigned char c)
{
    /* '*' ends a bound pattern ("<=6.1.*"), which reads back as one */
    return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == '+' || c == ':' ||
           c == '^' || c == '*';
}

void ts_vrange_format(const ts_vrange_t *r, char *buf, size_t size)
{
    if (size == 0)
        return;
    size_t n = 0;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (n + 1 < size)                                                                          \
            buf[n++] = (ch);                                                                       \
    } while (0)
    const char *head = r->all ? "vers:all/*" : (r->n == 0 ? "vers:none/*" : NULL);
    if (head) {
        for (const char *p = head; *p; p++)
            PUT(*p);
        buf[n] = '\0';
        return;
    }
    static const char *const ops[] = {"", "", "!=", "<", "<=", ">", ">="};
    for (const char *p = "vers:"; *p; p++)
        PUT(*p);
    for (const char *p = ts_vscheme_name(r->scheme); *p; p++)
        PUT(*p);
    PUT('/');
    for (int k = 0; k < r->n; k++) {
        if (k)
            PUT('|');
        int op = (int)r->c[k].op;
        for (const char *p = (op >= 1 && op <= 6) ? ops[op] : "?"; *p; p++)
            PUT(*p);
        const char *v = r->text + r->c[k].off;
        for (size_t i = 0; i < r->c[k].len; i++) {
            unsigned char c = (unsigned char)v[i];
            if (vers_safe(c)) {
                PUT((char)c);
            } else {
                static const char hex[] = "0123456789ABCDEF";
                if (n + 3 < size) {
                    buf[n++] = '%';
                    buf[n++] = hex[c >> 4];
                    buf[n++] = hex[c & 15];
                } else {
                    n = size - 1 > n ? n : size - 1;
                    break;
                }
            }
        }
    }
#undef PUT
    buf[n] = '\0';
}
