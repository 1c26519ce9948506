/* SPDX-License-Identifier: Apache-2.0 */
/* CPE unbinding (NISTIR 7695 §6.1.3 URI, §6.2.3 formatted string) and name
 * matching (NISTIR 7696 §6.1-6.2, following the attribute order of MITRE's
 * reference CPENameMatcher: wildcard target, equality, ANY, NA, strings).
 *
 * Wildcards are kept inside the value, as the unquoted leading or trailing
 * run of '*' or '?', with wild_start/wild_end telling that the run is one.
 * A quoted '*' or '?' next to such a run would make the value ambiguous in
 * that form and is refused. */
#include "advisory/cpe.h"

#include <string.h>
#include <strings.h>

#define CPE_INPUT_MAX 4096 /* a formatted name quoting every byte still fits */

static const char *const attr_names[TS_CPE_NATTR] = {
    "part",     "vendor",     "product",   "version",   "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other",
};

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Builds one attribute value from decoded characters; each character says
 * whether it is an unquoted wildcard. */
struct vbuild {
    ts_cpe_av_t *av;
    size_t n;
    bool quoted_wild; /* a literal '*' or '?' was seen */
    bool wild_mid;    /* a wildcard not at an end */
    bool in_lead;     /* still inside the leading wildcard run */
};

static void vb_init(struct vbuild *b, ts_cpe_av_t *av)
{
    memset(av, 0, sizeof *av);
    av->kind = TS_CPE_VALUE;
    memset(b, 0, sizeof *b);
    b->av = av;
    b->in_lead = true;
}

/* Appends c (a wildcard when wild) to attribute attr's value; says why not. */
static int vb_put(struct vbuild *b, unsigned char c, bool wild, char *err, size_t errsize, int attr)
{
    if (b->n + 1 >= TS_CPE_VALUE_MAX) {
        ts_seterr(err, errsize, "%s value longer than %d bytes", attr_names[attr],
                  TS_CPE_VALUE_MAX - 1);
        return TS_ETOOBIG;
    }
    if (c < 0x20 || c == 0x7f) {
        ts_seterr(err, errsize, "control character in %s", attr_names[attr]);
        return TS_ESYNTAX;
    }
    if (wild) {
        if (b->in_lead) {
            b->av->wild_start = true;
        } else {
            b->av->wild_end = true; /* tentatively: a later literal undoes it */
        }
    } else {
        if (b->av->wild_end)
            b->wild_mid = true;
        b->in_lead = false;
        if (c == '*' || c == '?')
            b->quoted_wild = true;
    }
    b->av->value[b->n++] = (char)lower(c);
    b->av->value[b->n] = '\0';
    return 0;
}

/* Checks the wildcard runs: at most one '*', or '?'s, at each end. */
static int vb_done(struct vbuild *b, char *err, size_t errsize, int attr)
{
    ts_cpe_av_t *av = b->av;
    if (b->n == 0) {
        ts_seterr(err, errsize, "empty %s value", attr_names[attr]);
        return TS_ESYNTAX;
    }
    if (b->wild_mid) {
        ts_seterr(err, errsize, "wildcard inside the %s value", attr_names[attr]);
        return TS_ESYNTAX;
    }
    if ((av->wild_start || av->wild_end) && b->quoted_wild) {
        ts_seterr(err, errsize, "quoted wildcard character next to a wildcard in %s",
                  attr_names[attr]);
        return TS_ESYNTAX;
    }
    const char *v = av->value;
    size_t n = b->n;
    if (b->in_lead) {
        /* only wildcards: "*" is ANY (the URI's "%02"); "??" is a value of
         * up to two characters */
        av->wild_end = false;
        if (strcmp(v, "*") == 0) {
            memset(av, 0, sizeof *av);
            av->kind = TS_CPE_ANY;
            return 0;
        }
        if (strchr(v, '*') != NULL) {
            ts_seterr(err, errsize, "bad wildcard run in %s", attr_names[attr]);
            return TS_ESYNTAX;
        }
        return 0;
    }
    size_t lead = 0, trail = 0;
    if (av->wild_start)
        while (lead < n && (v[lead] == '*' || v[lead] == '?'))
            lead++;
    if (av->wild_end)
        while (trail < n && (v[n - 1 - trail] == '*' || v[n - 1 - trail] == '?'))
            trail++;
    /* a run is a single '*' or only '?'s */
    for (int side = 0; side < 2; side++) {
        size_t len = side ? trail : lead;
        const char *run = side ? v + n - trail : v;
        if (len > 1 && memchr(run, '*', len) != NULL) {
            ts_seterr(err, errsize, "bad wildcard run in %s", attr_names[attr]);
            return TS_ESYNTAX;
        }
    }
    return 0;
}

/* ---- formatted string binding --------------------------------------------- */

static int fs_field(ts_str_t f, ts_cpe_av_t *av, int attr, char *err, size_t errsize)
{
    memset(av, 0, sizeof *av);
    if (f.len == 0) {
        ts_seterr(err, errsize, "empty %s field", attr_names[attr]);
        return TS_ESYNTAX;
    }
    if (ts_str_eq_c(f, "*")) {
        av->kind = TS_CPE_ANY;
        return 0;
    }
    if (ts_str_eq_c(f, "-")) {
        av->kind = TS_CPE_NA;
        return 0;
    }
    struct vbuild b;
    vb_init(&b, av);
    for (size_t k = 0; k < f.len; k++) {
        unsigned char c = (unsigned char)f.ptr[k];
        int rc;
        if (c == '\\') {
            if (k + 1 >= f.len) {
                ts_seterr(err, errsize, "dangling '\\' in %s", attr_names[attr]);
                return TS_ESYNTAX;
            }
            rc = vb_put(&b, (unsigned char)f.ptr[++k], false, err, errsize, attr);
        } else if (c == '*' || c == '?') {
            rc = vb_put(&b, c, true, err, errsize, attr);
        } else if (is_alnum(c) || c == '_' || c == '-' || c == '.' || c >= 0x80) {
            rc = vb_put(&b, c, false, err, errsize, attr);
        } else {
            /* 7695 §5.3.2: other printable characters must be quoted */
            ts_seterr(err, errsize, "unquoted '%c' in %s", c, attr_names[attr]);
            return TS_ESYNTAX;
        }
        if (rc)
            return rc;
    }
    return vb_done(&b, err, errsize, attr);
}

static int parse_fs(ts_str_t s, ts_cpe_t *out, char *err, size_t errsize)
{
    size_t k = 8; /* after "cpe:2.3:" */
    int attr = 0;
    while (attr < TS_CPE_NATTR) {
        size_t e = k;
        while (e < s.len && s.ptr[e] != ':') {
            if (s.ptr[e] == '\\')
                e++;
            e++;
        }
        if (e > s.len)
            e = s.len;
        int rc = fs_field(ts_str(s.ptr + k, e - k), &out->a[attr], attr, err, errsize);
        if (rc)
            return rc;
        attr++;
        if (e >= s.len)
            break;
        k = e + 1;
        if (attr == TS_CPE_NATTR) {
            ts_seterr(err, errsize, "more than 13 fields");
            return TS_ESYNTAX;
        }
    }
    if (attr != TS_CPE_NATTR) {
        ts_seterr(err, errsize, "%d fields instead of 13", attr + 2);
        return TS_ESYNTAX;
    }
    return 0;
}

/* ---- URI binding ------------------------------------------------------------ */

static int uri_component(ts_str_t f, ts_cpe_av_t *av, int attr, char *err, size_t errsize)
{
    memset(av, 0, sizeof *av);
    if (f.len == 0) {
        av->kind = TS_CPE_ANY;
        return 0;
    }
    if (ts_str_eq_c(f, "-")) {
        av->kind = TS_CPE_NA;
        return 0;
    }
    struct vbuild b;
    vb_init(&b, av);
    for (size_t k = 0; k < f.len; k++) {
        unsigned char c = (unsigned char)f.ptr[k];
        bool wild = false;
        if (c == '%') {
            int h1 = k + 2 < f.len ? ts_hexval((unsigned char)f.ptr[k + 1]) : -1;
            int h2 = k + 2 < f.len ? ts_hexval((unsigned char)f.ptr[k + 2]) : -1;
            if (h1 < 0 || h2 < 0) {
                ts_seterr(err, errsize, "bad percent-encoding in %s", attr_names[attr]);
                return TS_ESYNTAX;
            }
            c = (unsigned char)(h1 * 16 + h2);
            k += 2;
            /* 7695 §6.1.3.3: %01 is '?', %02 is '*', both wildcards */
            if (c == 1 || c == 2) {
                c = c == 1 ? '?' : '*';
                wild = true;
            }
        } else if (!(is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c >= 0x80)) {
            ts_seterr(err, errsize, "character '%c' not allowed in a CPE URI", c);
            return TS_ESYNTAX;
        }
        int rc = vb_put(&b, c, wild, err, errsize, attr);
        if (rc)
            return rc;
    }
    return vb_done(&b, err, errsize, attr);
}

static int parse_uri(ts_str_t s, ts_cpe_t *out, char *err, size_t errsize)
{
    size_t k = 5; /* after "cpe:/" */
    int comp = 0;
    ts_str_t parts[8];
    while (k <= s.len) {
        size_t e = k;
        while (e < s.len && s.ptr[e] != ':')
            e++;
        if (comp == 7) {
            ts_seterr(err, errsize, "more than 7 components in a CPE URI");
            return TS_ESYNTAX;
        }
        parts[comp++] = ts_str(s.ptr + k, e - k);
        k = e + 1;
    }
    for (int a = 0; a < TS_CPE_NATTR; a++)
        out->a[a].kind = TS_CPE_ANY;
    for (int c = 0; c < comp; c++) {
        if (c == TS_CPE_EDITION && parts[c].len > 0 && parts[c].ptr[0] == '~') {
            /* §6.1.3.5: "~edition~sw_edition~target_sw~target_hw~other" */
            static const int packed[5] = {TS_CPE_EDITION, TS_CPE_SW_EDITION, TS_CPE_TARGET_SW,
                                          TS_CPE_TARGET_HW, TS_CPE_OTHER};
            ts_str_t p = ts_str(parts[c].ptr + 1, parts[c].len - 1);
            for (int i = 0; i < 5; i++) {
                size_t e = 0;
                while (e < p.len && p.ptr[e] != '~')
                    e++;
                if ((i < 4 && e == p.len) || (i == 4 && e != p.len)) {
                    ts_seterr(err, errsize, "packed edition needs exactly 5 '~' fields");
                    return TS_ESYNTAX;
                }
                int rc =
                    uri_component(ts_str(p.ptr, e), &out->a[packed[i]], packed[i], err, errsize);
                if (rc)
                    return rc;
                if (i < 4)
                    p = ts_str(p.ptr + e + 1, p.len - e - 1);
            }
            continue;
        }
        int rc = uri_component(parts[c], &out->a[c], c, err, errsize);
        if (rc)
            return rc;
    }
    return 0;
}

int ts_cpe_parse(ts_str_t s, ts_cpe_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    if (s.ptr == NULL || s.len == 0) {
        ts_seterr(err, errsize, "empty CPE");
        return TS_ESYNTAX;
    }
    if (s.len > CPE_INPUT_MAX) {
        ts_seterr(err, errsize, "CPE longer than %d bytes", CPE_INPUT_MAX);
        return TS_ETOOBIG;
    }
    int rc;
    if (s.len >= 8 && strncasecmp(s.ptr, "cpe:2.3:", 8) == 0) {
        rc = parse_fs(s, out, err, errsize);
    } else if (s.len >= 5 && strncasecmp(s.ptr, "cpe:/", 5) == 0) {
        rc = parse_uri(s, out, err, errsize);
    } else {
        ts_seterr(err, errsize, "neither \"cpe:2.3:\" nor \"cpe:/\"");
        rc = TS_ESYNTAX;
    }
    if (rc == 0) {
        const ts_cpe_av_t *p = &out->a[TS_CPE_PART];
        if (p->kind == TS_CPE_NA ||
            (p->kind == TS_CPE_VALUE && (p->wild_start || p->wild_end || strlen(p->value) != 1 ||
                                         strchr("aoh", p->value[0]) == NULL))) {
            ts_seterr(err, errsize, "part must be a, o or h");
            rc = TS_ESYNTAX;
        }
    }
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- formatting --------------------------------------------------------------- */

struct out {
    char *buf;
    size_t size, n;
};

static void put(struct out *o, char c)
{
    if (o->n + 1 < o->size)
        o->buf[o->n++] = c;
}

void ts_cpe_format(const ts_cpe_t *c, char *buf, size_t size)
{
    if (size == 0)
        return;
    struct out o = {buf, size, 0};
    for (const char *p = "cpe:2.3"; *p; p++)
        put(&o, *p);
    for (int a = 0; a < TS_CPE_NATTR; a++) {
        put(&o, ':');
        const ts_cpe_av_t *av = &c->a[a];
        if (av->kind == TS_CPE_ANY) {
            put(&o, '*');
            continue;
        }
        if (av->kind == TS_CPE_NA) {
            put(&o, '-');
            continue;
        }
        const char *v = av->value;
        size_t n = strnlen(v, TS_CPE_VALUE_MAX), lead = 0, trail = 0;
        if (av->wild_start)
            while (lead < n && (v[lead] == '*' || v[lead] == '?'))
                lead++;
        if (av->wild_end && lead < n)
            while (trail < n - lead && (v[n - 1 - trail] == '*' || v[n - 1 - trail] == '?'))
                trail++;
        for (size_t k = 0; k < n; k++) {
            unsigned char ch = (unsigned char)v[k];
            /* a lone "-" value must not read back as NA */
            bool raw = k < lead || k >= n - trail || is_alnum(ch) || ch == '_' ||
                       (ch == '-' && n > 1) || ch == '.' || ch >= 0x80;
            if (!raw)
                put(&o, '\\');
            put(&o, (char)ch);
        }
    }
    buf[o.n] = '\0';
}

/* ---- matching ------------------------------------------------------------------ */

static bool has_wild(const ts_cpe_av_t *av)
{
    return av->kind == TS_CPE_VALUE && (av->wild_start || av->wild_end);
}

/* Whether source, a value with wildcard ends, matches the literal target.
 * Leading/trailing '?'s match up to that many characters, as MITRE's
 * reference matcher does; '*' any number. */
static bool wild_match(const ts_cpe_av_t *src, const char *t)
{
    const char *v = src->value;
    size_t n = strlen(v), tl = strlen(t), lead = 0, trail = 0;
    bool star_lead = false, star_trail = false;
    if (src->wild_start)
        while (lead < n && (v[lead] == '*' || v[lead] == '?'))
            star_lead |= v[lead++] == '*';
    if (src->wild_end)
        while (trail < n - lead && (v[n - 1 - trail] == '*' || v[n - 1 - trail] == '?'))
            star_trail |= v[n - 1 - trail++] == '*';
    const char *core = v + lead;
    size_t cl = n - lead - trail;
    if (cl > tl)
        return false;
    for (size_t i = 0; i + cl <= tl; i++) {
        size_t pre = i, post = tl - i - cl;
        if (!star_lead && pre > lead)
            break; /* later positions only grow the prefix */
        if (!star_trail && post > trail)
            continue;
        if (memcmp(t + i, core, cl) == 0)
            return true;
    }
    return false;
}

static ts_cpe_rel_t compare_attr(const ts_cpe_av_t *s, const ts_cpe_av_t *t)
{
    if (has_wild(t))
        return TS_CPE_UNDEFINED;
    if (s->kind == t->kind &&
        (s->kind != TS_CPE_VALUE || (!has_wild(s) && strcmp(s->value, t->value) == 0)))
        return TS_CPE_EQUAL;
    if (s->kind == TS_CPE_ANY)
        return TS_CPE_SUPERSET;
    if (t->kind == TS_CPE_ANY)
        return TS_CPE_SUBSET;
    if (s->kind == TS_CPE_NA || t->kind == TS_CPE_NA)
        return TS_CPE_DISJOINT;
    if (!has_wild(s))
        return TS_CPE_DISJOINT; /* different literal values */
    return wild_match(s, t->value) ? TS_CPE_SUPERSET : TS_CPE_DISJOINT;
}

ts_cpe_rel_t ts_cpe_compare(const ts_cpe_t *source, const ts_cpe_t *target)
{
    bool undefined = false, all_eq = true, sup = true, sub = true;
    for (int a = 0; a < TS_CPE_NATTR; a++) {
        ts_cpe_rel_t r = compare_attr(&source->a[a], &target->a[a]);
        if (r == TS_CPE_DISJOINT)
            return TS_CPE_DISJOINT;
        if (r == TS_CPE_UNDEFINED)
            undefined = true;
        if (r != TS_CPE_EQUAL)
            all_eq = false;
        if (r != TS_CPE_EQUAL && r != TS_CPE_SUPERSET)
            sup = false;
        if (r != TS_CPE_EQUAL && r != TS_CPE_SUBSET)
            sub = false;
    }
    if (undefined)
        return TS_CPE_UNDEFINED;
    if (all_eq)
        return TS_CPE_EQUAL;
    if (sup)
        return TS_CPE_SUPERSET;
    if (sub)
        return TS_CPE_SUBSET;
    return TS_CPE_UNDEFINED; /* some attributes wider, some narrower */
}

bool ts_cpe_matches(const ts_cpe_t *source, const ts_cpe_t *target)
{
    ts_cpe_rel_t r = ts_cpe_compare(source, target);
    return r == TS_CPE_SUPERSET || r == TS_CPE_EQUAL;
}
