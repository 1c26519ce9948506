/* SPDX-License-Identifier: Apache-2.0 */
/* Versions and version ranges, per scheme.
 *
 * A scheme decides how two version strings compare: semver (2.0.0, pre-release
 * before release, build metadata ignored), dpkg (epoch:upstream-revision, '~'
 * lowest), rpm (rpmvercmp, epoch:version-release, '~' and '^'), and generic:
 * dotted / alphanumeric vendor versions ("V3.1.0", "10.2.9-h1", "8.7p1",
 * "V23Q4") compared segment by segment, digits numerically, a leading 'v'
 * or "version" word ignored ("Version 4.2" = "v4.2" = "4.2"). A version a scheme cannot read is an
 * error, never a guess.
 *
 * A range is a small set of constraints in the vers model (vers-spec): "all",
 * or constraints like ">=1.2|<2.0" meaning the union of intervals built the
 * vers way. It is parsed from vers ("vers:semver/>=1.0|<2.0"), from CSAF's
 * free "vls" text ("<V3.0.29", "All versions < 1.2", "<=8.1.1.3",
 * "vers:all/<V4.3.8" as real CISA files write it), or built from bounds (CVE 5
 * version/lessThan/lessThanOrEqual, NVD versionStart/End*). Ranges are plain
 * values (no allocation, copyable). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/str.h"

typedef enum ts_vscheme {
    TS_VS_GENERIC = 0,
    TS_VS_SEMVER,
    TS_VS_DPKG,
    TS_VS_RPM,
} ts_vscheme_t;

/* Scheme for a name: "semver", "deb"/"dpkg"/"debian", "rpm", "generic"; the
 * CVE 5 versionType "custom" and NULL or "" are generic. "git" (commits have
 * no order) and unknown names are TS_ENOTSUP. */
TS_MUSTCHECK int ts_vscheme_parse(const char *name, ts_vscheme_t *out /* OUT */);
const char *ts_vscheme_name(ts_vscheme_t s);

/* Compares a and b under scheme s: *out < 0, 0, > 0. Surrounding blanks are
 * ignored. Generic needs at least one digit and no comparator or wildcard
 * character ("latest", "log4j-core*" are not versions); semver is strict 2.0.0
 * apart from a tolerated leading 'v'; rpm, like rpm, treats a missing release
 * on either side as equal to any release.
 * \retval TS_EINVAL one of them is not a version of that scheme (empty,
 * control characters or non-ASCII, over 128 bytes, or the scheme's own
 * syntax). */
TS_MUSTCHECK int ts_version_cmp(ts_vscheme_t s, ts_str_t a, ts_str_t b, int *out /* OUT */);

/* As ts_version_cmp, where either side may also be a CVE 5 bound pattern
 * "P.*": P followed by an infinitely large element (the CVE schema's '*' is
 * infinity, not a wildcard), so "6.1.*" is above every 6.1.x (6.1.300
 * included) and below 6.2 and 6.2-rc1. Generic and semver ("1.*", "1.2.*")
 * only. \retval TS_EINVAL not a version or pattern of s. */
TS_MUSTCHECK int ts_version_cmp_bound(ts_vscheme_t s, ts_str_t a, ts_str_t b, int *out /* OUT */);

#define TS_VRANGE_MAX 16       /* constraints in one range */
#define TS_VRANGE_TEXT_MAX 512 /* bytes of all versions of one range */

typedef enum ts_vop {
    TS_VOP_EQ = 1,
    TS_VOP_NE,
    TS_VOP_LT,
    TS_VOP_LE,
    TS_VOP_GT,
    TS_VOP_GE,
} ts_vop_t;

typedef struct ts_vconstraint {
    ts_vop_t op;
    unsigned short off, len; /* the version: text[off .. off+len) */
} ts_vconstraint_t;

typedef struct ts_vrange {
    ts_vscheme_t scheme;
    bool all; /* every version ("vers:all/" then '*', "All versions") */
    int n;    /* constraints, sorted by version as vers requires */
    ts_vconstraint_t c[TS_VRANGE_MAX];
    char text[TS_VRANGE_TEXT_MAX];
} ts_vrange_t;

/* Parses a vers string, canonical form only (no whitespace, constraints
 * sorted, unique and not redundant; an explicit "=" of older drafts is
 * accepted). Types: generic, intdot -> generic; semver, npm, cargo, golang,
 * hex, pub -> semver; deb; rpm; "none" and "all" with '*'; any type with a
 * lone '*' is all. A CISA-style "vers:all/<V4.3.8" (all with a constraint,
 * invalid per vers-spec) is read as generic "<V4.3.8" and *repaired set true
 * so the caller can report it; otherwise *repaired false (repaired may be
 * NULL). \retval TS_ESYNTAX, TS_ETOOBIG, TS_ENOTSUP (an ecosystem without a
 * comparator here: pypi, maven, gem, ...), with the reason in err. */
TS_MUSTCHECK int ts_vrange_parse_vers(ts_str_t s, ts_vrange_t *out /* OUT */, bool *repaired,
                                      char *err, size_t errsize);
/* Parses CSAF's free range text (vls) under scheme s (normally generic):
 * optional "All versions"/"all"/"All <up to 3 words> versions"/"versions"
 * prefix, then comparators (<, <=, >, >=, =, !=), each followed by a version
 * without inner blanks, joined by "|"/"||" (union, vers semantics) or ",",
 * " and ", "&&" (intersection; an empty one is refused); "All versions" alone
 * = all; text starting "vers:" is parsed as vers. Anything else (e.g. "prior
 * to the fix") is TS_ESYNTAX: reported, never matched. */
TS_MUSTCHECK int ts_vrange_parse_vls(ts_vscheme_t s, ts_str_t text, ts_vrange_t *out /* OUT */,
                                     char *err, size_t errsize);
/* Builds [start, end) style ranges: start may be empty, "*" or CVE 5's "0"
 * (no lower bound), end may be empty or "*" (no upper bound; CVE 5 writes
 * lessThan "*"), or a pattern "6.1.*" (ts_version_cmp_bound); *_incl say
 * whether a bound is included. Blanks around a
 * bound are trimmed ("10.2.9-h1 "). Both absent = all.
 * \retval TS_EINVAL a bound is not a version of s, or start is above end. */
TS_MUSTCHECK int ts_vrange_from_bounds(ts_vscheme_t s, ts_str_t start, bool start_incl,
                                       ts_str_t end, bool end_incl, ts_vrange_t *out /* OUT */,
                                       char *err, size_t errsize);
/* An interval of versions; a bound with ptr NULL is open (no bound). */
typedef struct ts_vinterval {
    ts_str_t lo, hi;
    bool lo_incl, hi_incl;
} ts_vinterval_t;
/* The union of n intervals as one range: each above the previous (only the
 * first may be open below, only the last above); one that holds a single
 * version becomes "=v". Bounds may be patterns as in ts_vrange_from_bounds.
 * \retval TS_EINVAL a bound is not a version of s, an interval is empty, or
 * they are out of order; TS_ETOOBIG over TS_VRANGE_MAX or the text bound. */
TS_MUSTCHECK int ts_vrange_from_intervals(ts_vscheme_t s, const ts_vinterval_t *iv, size_t n,
                                          ts_vrange_t *out /* OUT */, char *err, size_t errsize);
/* Parses a range written in GitHub's advisory syntax, as CVE records of the
 * GitHub CNA (and others) put it inside "version": comparators "= A", "< A",
 * "<= A", "> A", ">= A" joined by commas, all of which hold (">= 3.0.0,
 * < 3.0.7"); at most one lower bound and one upper bound, or one "=". A
 * version runs to the next comma, inner blanks included ("< 2.5.1 Rev 2").
 * \retval TS_ESYNTAX anything else, or bounds that are not versions of s or
 * leave nothing between them (err says which); TS_ETOOBIG over the text
 * bound. */
TS_MUSTCHECK int ts_vrange_parse_github(ts_vscheme_t s, ts_str_t text, ts_vrange_t *out /* OUT */,
                                        char *err, size_t errsize);
/* A single exact version. */
TS_MUSTCHECK int ts_vrange_exact(ts_vscheme_t s, ts_str_t version, ts_vrange_t *out /* OUT */,
                                 char *err, size_t errsize);

/* Whether version v is in r (vers containment algorithm).
 * \retval 0 and *in set.  \retval TS_EINVAL v cannot be compared under the
 * range's scheme: undecided, the caller reports it. */
TS_MUSTCHECK int ts_vrange_contains(const ts_vrange_t *r, ts_str_t v, bool *in /* OUT */);
/* Canonical vers text of r ("vers:generic/>=1.0|<2.0", or "vers:all/" then '*'), for the
 * reason of a match. Cut to fit, always NUL-terminated. */
void ts_vrange_format(const ts_vrange_t *r, char *buf, size_t size);
