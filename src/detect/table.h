/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-capacity hash table for the detectors' per-source and per-destination
 * state (internal to src/detect).
 *
 * Set-associative: a key hashes to one bucket of TS_DT_WAYS slots, whose
 * 32-bit words sit together in one cache line: 27 bits of hash tag and a
 * 5-bit activity rank (log2 of the caller's score, see ts_dtable_set_score).
 * When the bucket is full the slot of lowest rank (least active entry) is
 * evicted, so a flood of new keys (spoofed sources) costs a bounded amount of
 * memory and evicts one-flow entries before the heavy hitters the detectors
 * care about, and choosing the victim reads no entry: one cache line per
 * lookup of an absent key, two for a present one.
 *
 * Entries are caller-defined structs starting with ts_dhead_t followed by the
 * key (ksz bytes, padding zeroed by the caller so keys compare with memcmp).
 * The table owns the slots; pointers stay valid until the slot is evicted or
 * removed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_DT_WAYS 8
#define TS_DT_MAX_CAPACITY ((size_t)1 << 22)

typedef struct ts_dhead {
    uint32_t score; /* activity, mirrored as a rank by ts_dtable_set_score */
    uint32_t aux;   /* belongs to the slot, not the entry: kept across evictions */
} ts_dhead_t;

typedef struct ts_dtable {
    uint32_t *tags;       /* tag | rank; 0 = free slot */
    unsigned char *slots; /* nbuckets * TS_DT_WAYS entries of esz bytes, 64-aligned */
    void *slots_mem;      /* what to free */
    size_t nbuckets, esz, ksz, used;
    uint64_t evictions;
} ts_dtable_t;

/* Called with an entry about to be evicted, to release what it owns. */
typedef void (*ts_dtable_release_fn)(void *entry, void *ctx);

/* capacity is rounded up to whole buckets and clamped to [TS_DT_WAYS,
 * TS_DT_MAX_CAPACITY]. Aborts on OOM. */
void ts_dtable_init(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz);
void ts_dtable_destroy(ts_dtable_t *t);
/* Finds key (hash h), or creates it: a new entry is zeroed (aux excepted),
 * holds the key, has rank 0, and *created is set. Never NULL. */
void *ts_dtable_get(ts_dtable_t *t, const void *key, uint64_t h, bool *created /* OUT */,
                    size_t *slot /* OUT */, ts_dtable_release_fn rel, void *ctx);
/* Sets the entry's score and, when its log2 changes, its eviction rank. */
static inline void ts_dtable_set_score(ts_dtable_t *t, ts_dhead_t *e, size_t slot, uint32_t score)
{
    uint32_t old = e->score;
    e->score = score;
    uint32_t r = score ? 32u - (uint32_t)__builtin_clz(score) : 0;
    uint32_t ro = old ? 32u - (uint32_t)__builtin_clz(old) : 0;
    if (r != ro)
        t->tags[slot] = (t->tags[slot] & ~31u) | (r > 31 ? 31 : r);
}
/* Adds one to the score (saturating). */
static inline void ts_dtable_bump(ts_dtable_t *t, ts_dhead_t *e, size_t slot)
{
    if (e->score != UINT32_MAX)
        ts_dtable_set_score(t, e, slot, e->score + 1);
}
/* Finds key, NULL when absent. */
void *ts_dtable_find(const ts_dtable_t *t, const void *key, uint64_t h, size_t *slot /* OUT */);
size_t ts_dtable_slots(const ts_dtable_t *t);
/* Entry in slot i (< ts_dtable_slots), NULL if free. */
void *ts_dtable_at(const ts_dtable_t *t, size_t i);
/* Slot index of an entry returned by get/find/at. */
size_t ts_dtable_index(const ts_dtable_t *t, const void *entry);
/* Frees slot i (the caller released what the entry owns). */
void ts_dtable_remove_at(ts_dtable_t *t, size_t i);
size_t ts_dtable_bytes(const ts_dtable_t *t);
