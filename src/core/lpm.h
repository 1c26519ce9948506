/* SPDX-License-Identifier: Apache-2.0 */
/* Longest-prefix match over IPv4 and IPv6, built for large tables (a million
 * prefixes) and fast, read-only lookups.
 *
 * Life cycle: insert prefixes (any order), then look up. Inserting after a
 * lookup is allowed; the structure rebuilds what it needs. Lookups on a table
 * that is not being modified are safe from several threads. Each prefix
 * carries a 32-bit value chosen by the caller (an index into its rule table). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ip.h"

typedef struct ts_lpm ts_lpm_t;

#define TS_LPM_NONE UINT32_MAX /* returned value when nothing matches */

/* Never NULL (aborts on OOM). Free with ts_lpm_free(). */
ts_lpm_t *ts_lpm_new(void);
void ts_lpm_free(ts_lpm_t *t);

/* Adds prefix p with value (value != TS_LPM_NONE).
 * \retval 0 ok.  \retval TS_EEXIST exactly this prefix is present already
 * (*existing, if non-NULL, gets its value).  \retval TS_EINVAL bad family/len. */
TS_MUSTCHECK int ts_lpm_insert(ts_lpm_t *t, const ts_prefix_t *p, uint32_t value,
                               uint32_t *existing /* OUT, may be NULL */);

/* Removes exactly prefix p. \retval 0 ok. \retval TS_ENOENT not present. */
TS_MUSTCHECK int ts_lpm_remove(ts_lpm_t *t, const ts_prefix_t *p);

/* Value of the longest prefix containing ip, or TS_LPM_NONE. The const-ness of
 * t is logical: the first lookup after inserts may finish building lookup
 * tables, so call ts_lpm_build() before sharing t between threads. */
uint32_t ts_lpm_lookup(ts_lpm_t *t, const ts_ip_t *ip);
/* Host-order IPv4 fast path. */
uint32_t ts_lpm_lookup4(ts_lpm_t *t, uint32_t addr);
/* IPv6 fast path, addr in network order. */
uint32_t ts_lpm_lookup6(ts_lpm_t *t, const uint8_t addr[16]);

/* Every stored prefix overlapping p, i.e. containing it (p itself included)
 * or lying inside it: first those containing it, shortest first, then those
 * inside it, in ts_prefix_compare() order. cb gets each prefix and its value;
 * a non-zero return stops the walk and is returned. As for lookups, the
 * first walk after a change sorts the prefixes of p's family, so it must not
 * run concurrently with other calls.
 * \retval 0 walked.  \retval TS_EINVAL p has no family, a length beyond it,
 * or host bits set.  \retval the callback's value. */
typedef int (*ts_lpm_overlap_cb)(const ts_prefix_t *prefix, uint32_t value, void *ctx);
TS_MUSTCHECK int ts_lpm_overlaps(ts_lpm_t *t, const ts_prefix_t *p, ts_lpm_overlap_cb cb,
                                 void *ctx);

/* Finishes building lookup tables now (optional, see above). */
void ts_lpm_build(ts_lpm_t *t);

/* Number of prefixes, and bytes of memory held (for reports). */
size_t ts_lpm_count(const ts_lpm_t *t);
size_t ts_lpm_memory(const ts_lpm_t *t);
