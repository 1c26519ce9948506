/* SPDX-License-Identifier: Apache-2.0 */
/* Targets: the many addresses and networks one side of an event may name
 * (the hosts of an address scan, the victims of a flood, a feed row's
 * networks), as a bounded list.
 *
 * A list is exact while it holds the targets themselves. A producer that
 * names more than it may keep hands over covering prefixes instead, each
 * standing for every target inside it, with the number of targets in count:
 * nothing claims more precision than it has. So:
 *  - count == n: exact, list[] holds the targets (hosts as /32 or /128,
 *    networks as given; a network and a host inside it may both be named);
 *  - count > n: list[] holds covering prefixes, none inside another, of count
 *    targets;
 *  - count == 0: covering prefixes of an unknown number of targets (a site's
 *    share of a covering list: which of the targets fell in it is not known).
 *
 * Lists are sorted by ts_prefix_compare() without duplicates. Two bounds:
 * TS_TARGETS_MAX entries are stored per side and per site's share, and
 * TS_TARGETS_INPUT_MAX entries may reach routing, so that a site's share of a
 * large exact list is still exact. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/ip.h"

#define TS_TARGETS_MAX 1024        /* entries stored: an event's side, a site's share */
#define TS_TARGETS_INPUT_MAX 65536 /* entries a producer may hand to routing */

typedef struct ts_targets {
    const ts_prefix_t *list; /* owned by whoever filled it (an arena) */
    uint32_t n;              /* entries in list, >= 1 */
    uint64_t count;          /* targets named; see above */
} ts_targets_t;

static inline bool ts_targets_exact(const ts_targets_t *t)
{
    return t->count == t->n;
}

/* Sorts list[0..n) by ts_prefix_compare() and drops duplicates (and entries
 * without family). Returns the new n. */
size_t ts_targets_normalize(ts_prefix_t *list, size_t n);

/* Drops the entries of a normalized list[0..n) that lie inside an earlier
 * one (a host inside a listed network). Returns the new n. */
size_t ts_targets_drop_nested(ts_prefix_t *list, size_t n);

/* Makes a normalized list[0..n) fit max entries (max >= 2): while it does
 * not, every entry is widened to the next coarser length of a fixed ladder
 * (IPv4 /24, /16, /8, /0; IPv6 /64, /48, /32, /16, /0), and entries inside
 * another are dropped. Returns the new n; the list is unchanged when it fits.
 * A result shorter than n is a covering list (count > n). */
size_t ts_targets_cover(ts_prefix_t *list, size_t n, size_t max);

/* One entry as text: a host without its length ("198.51.100.7"), anything
 * else with it. buf >= TS_IP_STRLEN bytes; returns the length. */
size_t ts_targets_entry_text(const ts_prefix_t *p, char *buf, size_t size);

/* Entries as text, separated by one space, hosts without their length
 * ("198.51.100.7 198.51.100.9 203.0.113.0/24"): the CSV column's form. */
void ts_targets_format(const ts_prefix_t *list, size_t n, ts_buf_t *out);

/* One line for people: "198.51.100.7" (a single exact target), "249 targets
 * in 198.51.100.0/24", "3 targets in 198.51.100.0/24 and 2001:db8::/48" (the
 * smallest prefix covering them, per family), "targets in 10.1.0.0/16" (count
 * unknown). Returns the length written (cut to fit size, NUL-terminated). */
size_t ts_targets_summary(const ts_targets_t *t, char *buf, size_t size);

/* Union of k lists into out (list allocated in a, unless k is 1; out->n 0
 * when every part is empty), without entries inside another. count: the sum
 * of the parts' counts when all are exact and no entry lay inside another
 * (the parts then name disjoint targets), else 0. Bounded by TS_TARGETS_MAX
 * with ts_targets_cover(). */
void ts_targets_merge(const ts_targets_t *const *parts, size_t k, ts_arena_t *a,
                      ts_targets_t *out /* OUT */);

/* ---- A set filled one target at a time (the detectors) ---------------------
 * Exact while it holds at most max entries; past that, or when it may not
 * allocate, it widens its entries along the ladder of ts_targets_cover() so
 * that it keeps covering everything added (its first few entries live in the
 * set itself, so it never has to drop one). */
typedef struct ts_targetset ts_targetset_t;

/* max >= 2. Never NULL (aborts on OOM). Free with ts_targetset_free(). */
ts_targetset_t *ts_targetset_new(uint32_t max);
void ts_targetset_free(ts_targetset_t *s);
/* Empties s for reuse with a new max, as if new (what a detector does
 * instead of freeing and allocating a set per source). */
void ts_targetset_clear(ts_targetset_t *s, uint32_t max);
/* Adds p (an address as /32 or /128, or a network). allow is how many bytes
 * the set may allocate for it; when growing would need more, the set widens
 * its entries instead. Returns the bytes allocated (<= allow). */
size_t ts_targetset_add(ts_targetset_t *s, const ts_prefix_t *p, size_t allow);
/* Bytes the set holds, itself included: what new gave plus what add said. */
size_t ts_targetset_bytes(const ts_targetset_t *s);
/* The entries, sorted, copied into a. Exact (nothing widened): count = n.
 * Else count = targets when that exceeds n (the caller's distinct count), or
 * 0. */
void ts_targetset_get(const ts_targetset_t *s, uint64_t targets, ts_arena_t *a,
                      ts_targets_t *out /* OUT */);
