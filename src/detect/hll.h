/* SPDX-License-Identifier: Apache-2.0 */
/* Distinct counting for the detectors (internal to src/detect).
 *
 * A ts_dcount_t counts distinct 32-bit hashes exactly while the set is small
 * (2 inline slots, then an open-addressing set of up to 256 slots, i.e. 192
 * values) and switches to a HyperLogLog sketch (Flajolet et al. 2007) of
 * 2^10 one-byte registers beyond: about 3.2% standard error in 1 KiB, the
 * same size as the largest exact set, so promotion never grows memory.
 *
 * The estimator is Ertl's "improved raw estimator" (arXiv 1702.01284,
 * 2017): unlike the original one it needs neither the linear-counting switch
 * nor empirical bias tables, and stays unbiased from a handful of values to
 * the 32-bit hash's saturation.
 *
 * Heap memory of all counters sharing a ts_dbudget_t is capped: a counter that
 * would grow past the cap stops counting new values (it keeps its count, now
 * a lower bound) and is reported as saturated. Inputs must already be hashed
 * (ts_mix64); the value 0 is folded onto another value. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_HLL_P 10
#define TS_HLL_M (1u << TS_HLL_P)
#define TS_DC_INLINE 2
#define TS_DC_EXACT_MAX 192 /* values counted exactly before the sketch */

/* Finaliser of MurmurHash3 (fmix64): a bijection that spreads every input bit. */
static inline uint64_t ts_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* Raw sketch over TS_HLL_M one-byte registers (caller-owned, zeroed). */
void ts_hll_add(uint8_t *reg, uint32_t h);
double ts_hll_estimate(const uint8_t *reg);

/* Shared cap on the heap bytes of a family of counters. */
typedef struct ts_dbudget {
    size_t used;        /* heap bytes held by the counters */
    size_t limit;       /* cap on used */
    uint64_t saturated; /* counters that hit the cap (cumulative) */
} ts_dbudget_t;

enum { TS_DC_INL = 0, TS_DC_SET = 1, TS_DC_HLL = 2 };

/* Zero-initialised = empty. Plain data apart from the heap block, which is
 * released by ts_dcount_reset(). */
typedef struct ts_dcount {
    uint32_t n;        /* exact count while mode is INL or SET */
    uint8_t mode;      /* TS_DC_* */
    uint8_t lg;        /* SET: log2 of the slot count */
    uint8_t saturated; /* stopped counting: the budget was exhausted */
    union {
        uint32_t inl[TS_DC_INLINE];
        uint32_t *set;
        uint8_t *hll;
    } u;
} ts_dcount_t;

void ts_dcount_add(ts_dcount_t *c, uint32_t h, ts_dbudget_t *b);
/* Distinct values seen (exact while ts_dcount_exact(), else the estimate). */
uint64_t ts_dcount_estimate(const ts_dcount_t *c);
bool ts_dcount_exact(const ts_dcount_t *c);
/* Releases the heap block and empties the counter. */
void ts_dcount_reset(ts_dcount_t *c, ts_dbudget_t *b);
/* Heap bytes held. */
size_t ts_dcount_bytes(const ts_dcount_t *c);
