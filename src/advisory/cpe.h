/* SPDX-License-Identifier: Apache-2.0 */
/* CPE names (NISTIR 7695) and name matching (NISTIR 7696).
 *
 * Both bindings are read: the 2.3 formatted string ("cpe:2.3:a:vendor:...",
 * 13 fields, backslash quoting) and the 2.2 URI ("cpe:/o:redhat:enterprise_linux:9::baseos",
 * percent-encoding, '~'-packed edition). A name is held as a WFN: 11
 * attributes, each ANY, NA or a value (lowercased, unquoted, where '*' and
 * '?' at the ends are wildcards only when they came unquoted). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/str.h"

enum ts_cpe_attr {
    TS_CPE_PART,
    TS_CPE_VENDOR,
    TS_CPE_PRODUCT,
    TS_CPE_VERSION,
    TS_CPE_UPDATE,
    TS_CPE_EDITION,
    TS_CPE_LANGUAGE,
    TS_CPE_SW_EDITION,
    TS_CPE_TARGET_SW,
    TS_CPE_TARGET_HW,
    TS_CPE_OTHER,
    TS_CPE_NATTR
};

#define TS_CPE_VALUE_MAX 128 /* bytes of one attribute value */

typedef enum ts_cpe_kind {
    TS_CPE_ANY = 0, /* '*' or empty */
    TS_CPE_NA,      /* '-' */
    TS_CPE_VALUE,
} ts_cpe_kind_t;

typedef struct ts_cpe_av {
    ts_cpe_kind_t kind;
    bool wild_start, wild_end;    /* unquoted '*'/'?' at an end (source names only) */
    char value[TS_CPE_VALUE_MAX]; /* unquoted, lowercase; "" unless kind is VALUE */
} ts_cpe_av_t;

typedef struct ts_cpe {
    ts_cpe_av_t a[TS_CPE_NATTR];
} ts_cpe_t;

/* Parses either binding. Wildcard runs are a single '*' or one or more '?'
 * at either end of a value (the URI writes them %02 and %01); a lone "*" is
 * ANY. A quoted '*' or '?' next to a wildcard run is refused as ambiguous.
 * \retval TS_ESYNTAX (reason in err), TS_ETOOBIG (input over 4096 bytes or a
 * value over TS_CPE_VALUE_MAX - 1). */
TS_MUSTCHECK int ts_cpe_parse(ts_str_t s, ts_cpe_t *out /* OUT */, char *err, size_t errsize);
/* The 2.3 formatted string binding. Cut to fit, always NUL-terminated. */
void ts_cpe_format(const ts_cpe_t *c, char *buf, size_t size);

typedef enum ts_cpe_rel {
    TS_CPE_DISJOINT = 0,
    TS_CPE_SUBSET,
    TS_CPE_SUPERSET,
    TS_CPE_EQUAL,
    TS_CPE_UNDEFINED, /* a wildcard in the target */
} ts_cpe_rel_t;

/* Name comparison per NISTIR 7696 (source against target): any DISJOINT
 * attribute gives DISJOINT, then any UNDEFINED gives UNDEFINED, all EQUAL
 * gives EQUAL, only SUPERSET/EQUAL gives SUPERSET, only SUBSET/EQUAL gives
 * SUBSET, and a mix of wider and narrower attributes UNDEFINED. As in MITRE's
 * reference matcher, n leading or trailing '?'s match up to n characters. */
ts_cpe_rel_t ts_cpe_compare(const ts_cpe_t *source, const ts_cpe_t *target);
/* An advisory's name (source) applies to an inventory name (target) when the
 * source is a SUPERSET of it or EQUAL. */
bool ts_cpe_matches(const ts_cpe_t *source, const ts_cpe_t *target);
