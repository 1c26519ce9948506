/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded hash table for the detectors' per-source and per-destination
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
 * Sized to the load: the table starts small (TS_DT_INITIAL slots) and
 * doubles, rehashing its entries with the owner's hash function, whenever it
 * is 3/4 full or a bucket overflows, up to the capacity given at init. Only a
 * table at that capacity evicts, so what is evicted does not depend on the
 * growth; but a table that holds a few thousand busy keys stays a few hundred
 * KiB instead of spreading them over the whole capacity, and its lookups hit
 * the cache.
 *
 * Entries are caller-defined structs starting with ts_dhead_t followed by the
 * key (ksz bytes, padding zeroed by the caller so keys compare with memcmp).
 * The table owns the slots; pointers and slot numbers stay valid until the
 * slot is evicted or removed, or the table grows (ts_dtable_get only;
 * t->generation then changes). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_DT_WAYS 8
#define TS_DT_MAX_CAPACITY ((size_t)1 << 22)
#define TS_DT_INITIAL 1024

typedef struct ts_dhead {
    uint32_t score; /* activity, mirrored as a rank by ts_dtable_set_score */
    uint32_t aux;   /* belongs to the slot, not the entry: kept across evictions
                       (moves with the entry when the table grows; a free slot's
                       aux is then 0) */
} ts_dhead_t;

/* The hash ts_dtable_get was given for this entry's key (to regrow). */
typedef uint64_t (*ts_dtable_hash_fn)(const void *entry);

typedef struct ts_dtable {
    uint32_t *tags;       /* tag | rank; 0 = free slot */
    unsigned char *slots; /* nbuckets * TS_DT_WAYS entries of esz bytes, 64-aligned */
    void *slots_mem;      /* what to free */
    size_t nbuckets, max_nbuckets, esz, ksz, used;
    uint64_t evictions;
    uint32_t generation; /* bumped when the table grows (slots renumbered) */
    ts_dtable_hash_fn hash;
} ts_dtable_t;

/* Called with an entry about to be evicted, to release what it owns. */
typedef void (*ts_dtable_release_fn)(void *entry, void *ctx);

/* capacity is rounded up to whole buckets and clamped to [TS_DT_WAYS,
 * TS_DT_MAX_CAPACITY]; the whole capacity is allocated at once. Aborts on
 * OOM. */
void ts_dtable_init(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz);
/* The same, sized to the load: starts at TS_DT_INITIAL slots (or capacity
 * if less) and grows; hash recomputes an entry's hash when growing. */
void ts_dtable_init_grow(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz,
                         ts_dtable_hash_fn hash);
void ts_dtable_destroy(ts_dtable_t *t);
/* Finds key (hash h), or creates it: a new entry is zeroed (aux excepted),
 * holds the key, has rank 0, and *created is set. Never NULL. May grow the
 * table (see generation). */
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
/* Bytes held now (at most those of the full capacity). */
size_t ts_dtable_bytes(const ts_dtable_t *t);

/* --- prefetching, for batches: hints only, they change nothing --- */

static inline size_t ts_dtable_bucket_(const ts_dtable_t *t, uint64_t h)
{
    /* Lemire's multiply-shift range reduction: no power-of-two rounding, so
     * the capacity is what was asked for. */
    return (size_t)(((h >> 32) * (uint64_t)t->nbuckets) >> 32);
}

static inline uint32_t ts_dtable_tag_(uint64_t h)
{
    uint32_t tag = (uint32_t)h & ~31u;
    return tag ? tag : 32u;
}

/* First stage: the bucket's tag line. */
static inline void ts_dtable_prefetch_tags(const ts_dtable_t *t, uint64_t h)
{
    __builtin_prefetch(&t->tags[ts_dtable_bucket_(t, h) * TS_DT_WAYS]);
}

/* Second stage (once the tags are in cache): the entry that get or find
 * will touch, i.e. the one whose tag matches, else the one get would
 * overwrite. */
static inline void ts_dtable_prefetch_entry(const ts_dtable_t *t, uint64_t h)
{
    size_t base = ts_dtable_bucket_(t, h) * TS_DT_WAYS;
    uint32_t tag = ts_dtable_tag_(h);
    size_t pick = base, free_i = SIZE_MAX;
    uint32_t min_rank = UINT32_MAX;
    for (size_t i = base; i < base + TS_DT_WAYS; i++) {
        uint32_t ti = t->tags[i];
        if ((ti & ~31u) == tag) {
            free_i = i;
            break;
        }
        if (ti == 0) {
            if (free_i == SIZE_MAX)
                free_i = i;
        } else if ((ti & 31u) < min_rank) {
            min_rank = ti & 31u;
            pick = i;
        }
    }
    if (free_i != SIZE_MAX)
        pick = free_i;
    const char *e = (const char *)t->slots + pick * t->esz;
    for (size_t off = 0; off < t->esz; off += 64)
        __builtin_prefetch(e + off, 1);
    /* An unaligned entry's tail may sit on one more line. */
    __builtin_prefetch(e + t->esz - 1, 1);
}
