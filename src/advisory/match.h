/* SPDX-License-Identifier: Apache-2.0 */
/* Matching advisories against site inventories (CSAF 2.0 section 9.1.13).
 *
 * The index holds every platform of every site, keyed by normalised
 * (vendor, product), CPE platforms also under their CPE vendor/product, purl
 * platforms under type/namespace/name. Within a key, platforms are grouped by
 * version, so one advisory product entry costs one lookup plus one range check
 * per distinct version, however many sites run it.
 *
 * An entry applies to a platform when:
 *  - names: the normalised vendor and product are equal (or the platform is
 *    the vendor family "vendor:*"), and the platform's version is in the
 *    entry's range; an entry that names no vendor (a CVE record giving only
 *    a packageName, e.g. "xz") applies to every platform of that product,
 *    and its rule shows the vendor as "*";
 *  - CPE: both carry a CPE and ts_cpe_matches() holds with the version
 *    attribute left to the range, and the version is in the range;
 *  - purl: both carry a purl of the same package (ts_purl_same_package), and
 *    the version is in the range;
 *  - identifiers: when the platform and the entry both give model numbers,
 *    SKUs or serial numbers (platform.h; CSAF's helpers, with '*' and '?'
 *    wildcards, case and blanks ignored), those decide alone: the platform
 *    is the entry's when every kind both give fits and the vendors agree,
 *    whatever the products are called, and is not when one does not fit;
 *  - a family platform (no version): whatever the range ("family" in the rule).
 * When the range cannot be evaluated (the entry's range was not understood,
 * or the platform's version is not a version of the range's scheme), or the
 * range holds the version but the entry is in doubt (ts_adv_product_t.doubt),
 * the match is reported as undecided with the reason, never dropped nor
 * counted as affected silently. A rule names the relationship of an entry
 * that has one (via), and ends with the entry's note.
 *
 * ts_match_advisory() uses scratch space inside the index; threads share one
 * index (read-only once built) through ts_match_advisory_with(), each with a
 * scratch of its own. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advisory/advisory.h"
#include "advisory/platform.h"
#include "core/error.h"

#define TS_MATCH_RULE_MAX 512

typedef struct ts_match_index ts_match_index_t;

ts_match_index_t *ts_match_index_new(void);
void ts_match_index_free(ts_match_index_t *idx);
/* Adds a platform (copied) with its store id and its site.
 * \retval 0 ok.  \retval TS_ERANGE over 2^31 platforms. */
TS_MUSTCHECK int ts_match_index_add(ts_match_index_t *idx, int64_t platform_id, int64_t site_id,
                                    const ts_platform_t *p);
/* Platforms held, and bytes of memory the index uses (allocated sizes). */
size_t ts_match_index_count(const ts_match_index_t *idx);
size_t ts_match_index_memory(const ts_match_index_t *idx);

typedef struct ts_adv_match {
    int64_t platform_id;
    int64_t site_id;
    const char *platform;            /* the platform's canonical spec */
    const ts_adv_product_t *product; /* the entry that decided */
    ts_pstatus_t status;             /* the entry's status */
    bool undecided;                  /* the range could not be evaluated: see rule */
    bool family;                     /* a family platform: matched regardless of version */
    const char *rule; /* why, e.g. "name v/p, vers:generic/<=8.1.1.3 contains 8.1.0" */
} ts_adv_match_t;

/* Receives a match; pointers are valid during the call only. Non-zero stops. */
typedef int (*ts_adv_match_fn)(const ts_adv_match_t *m, void *ctx);

/* Every platform one product entry applies to (one call per platform).
 * \retval 0, or the callback's non-zero value. */
TS_MUSTCHECK int ts_match_product(ts_match_index_t *idx, const ts_adv_product_t *p,
                                  ts_adv_match_fn cb, void *ctx);
/* Whether a match (undecided, from a secondary entry, status) beats another
 * for the same platform: a decided one wins over an undecided one, then
 * among decided ones a primary entry over a secondary (a CVE record's CNA
 * over its ADPs), then the more urgent status (ts_pstatus_t order). */
bool ts_match_better(bool und_a, bool sec_a, ts_pstatus_t st_a, bool und_b, bool sec_b,
                     ts_pstatus_t st_b);
/* Every platform an advisory applies to, one call per platform: when several
 * entries apply, the best by ts_match_better(), then the first entry.
 * \retval 0, or the callback's non-zero value. */
TS_MUSTCHECK int ts_match_advisory(ts_match_index_t *idx, const ts_advisory_t *a,
                                   ts_adv_match_fn cb, void *ctx);

/* Per-thread scratch space for ts_match_advisory_with(). Never NULL. */
typedef struct ts_match_scratch ts_match_scratch_t;
ts_match_scratch_t *ts_match_scratch_new(void);
void ts_match_scratch_free(ts_match_scratch_t *sc);
/* As ts_match_advisory(), leaving the index untouched: any number of threads
 * may call it on one index at once, each with its own scratch (no index
 * change meanwhile). */
TS_MUSTCHECK int ts_match_advisory_with(const ts_match_index_t *idx, ts_match_scratch_t *sc,
                                        const ts_advisory_t *a, ts_adv_match_fn cb, void *ctx);

/* One platform against one entry, without an index (a platform added after
 * the advisories were imported). rule receives the reason (TS_MATCH_RULE_MAX).
 * \retval 1 applies (*status, *undecided, rule set), 0 does not. */
int ts_match_one(const ts_platform_t *plat, const ts_adv_product_t *p, bool *undecided /* OUT */,
                 char *rule, size_t rulesize);

/* The normalised names that identify an entry: its own, else its CPE's
 * vendor and product ("" when neither is known). */
void ts_match_entry_names(const ts_adv_product_t *p, char vendor[TS_NAME_MAX],
                          char product[TS_NAME_MAX]);
/* "type/namespace/name" of a purl: the package, as stored and looked up. */
void ts_match_purl_key(const ts_purl_t *p, char *out, size_t size);

/* Whether a match of this status raises an alert: known_affected and
 * under_investigation, and any undecided match (someone must look). Fixed
 * and known_not_affected matches are kept and listed, never alerted. */
bool ts_match_alerts(ts_pstatus_t status, bool undecided);
