/* SPDX-License-Identifier: Apache-2.0 */
#include "detect/table.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void alloc_buckets(ts_dtable_t *t, size_t nbuckets)
{
    t->nbuckets = nbuckets;
    /* calloc: untouched pages of a large, mostly idle table cost no RAM. */
    t->tags = ts_xcalloc(nbuckets * TS_DT_WAYS, sizeof *t->tags);
    /* Cache-line aligned so that a 128-byte entry is two lines, not three. */
    t->slots_mem = ts_xcalloc(nbuckets * TS_DT_WAYS * t->esz + 64, 1);
    t->slots = (unsigned char *)(((uintptr_t)t->slots_mem + 63) & ~(uintptr_t)63);
}

void ts_dtable_init(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz)
{
    ts_dtable_init_grow(t, capacity, esz, ksz, NULL);
}

void ts_dtable_init_grow(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz,
                         ts_dtable_hash_fn hash)
{
    if (capacity < TS_DT_WAYS)
        capacity = TS_DT_WAYS;
    if (capacity > TS_DT_MAX_CAPACITY)
        capacity = TS_DT_MAX_CAPACITY;
    memset(t, 0, sizeof *t);
    t->max_nbuckets = (capacity + TS_DT_WAYS - 1) / TS_DT_WAYS;
    t->esz = esz;
    t->ksz = ksz;
    t->hash = hash;
    size_t nb = t->max_nbuckets;
    if (hash && nb > TS_DT_INITIAL / TS_DT_WAYS)
        nb = TS_DT_INITIAL / TS_DT_WAYS;
    alloc_buckets(t, nb);
}

void ts_dtable_destroy(ts_dtable_t *t)
{
    free(t->tags);
    free(t->slots_mem);
    memset(t, 0, sizeof *t);
}

#define RANK_MASK 31u

/* Keys are 20 or 36 bytes; fixed-size compares inline where memcmp with a
 * run-time size is a library call. */
static inline bool key_eq(const unsigned char *a, const void *bv, size_t ksz)
{
    const unsigned char *b = bv;
    if (ksz == 20) {
        uint64_t a0, a1, b0, b1;
        uint32_t a2, b2;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + 8, 8);
        memcpy(&b1, b + 8, 8);
        memcpy(&a2, a + 16, 4);
        memcpy(&b2, b + 16, 4);
        return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
    }
    return memcmp(a, b, ksz) == 0;
}

static inline unsigned char *slot_ptr(const ts_dtable_t *t, size_t i)
{
    return t->slots + i * t->esz;
}

void *ts_dtable_find(const ts_dtable_t *t, const void *key, uint64_t h, size_t *slot)
{
    size_t base = ts_dtable_bucket_(t, h) * TS_DT_WAYS;
    uint32_t tag = ts_dtable_tag_(h);
    for (size_t i = base; i < base + TS_DT_WAYS; i++) {
        if ((t->tags[i] & ~RANK_MASK) == tag) {
            unsigned char *e = slot_ptr(t, i);
            if (key_eq(e + sizeof(ts_dhead_t), key, t->ksz)) {
                if (slot)
                    *slot = i;
                return e;
            }
        }
    }
    return NULL;
}

/* Rehashes into nb buckets; false (nothing changed) when some new bucket
 * would overflow, so the caller tries a larger size. */
static bool rehash(ts_dtable_t *t, size_t nb)
{
    ts_dtable_t n = *t;
    alloc_buckets(&n, nb);
    size_t old_slots = t->nbuckets * TS_DT_WAYS;
    for (size_t i = 0; i < old_slots; i++) {
        if (!t->tags[i])
            continue;
        unsigned char *e = slot_ptr(t, i);
        size_t base = ts_dtable_bucket_(&n, t->hash(e)) * TS_DT_WAYS, j = base;
        while (j < base + TS_DT_WAYS && n.tags[j])
            j++;
        if (j == base + TS_DT_WAYS) {
            ts_dtable_destroy(&n);
            return false;
        }
        n.tags[j] = t->tags[i];
        memcpy(slot_ptr(&n, j), e, t->esz);
    }
    free(t->tags);
    free(t->slots_mem);
    t->tags = n.tags;
    t->slots = n.slots;
    t->slots_mem = n.slots_mem;
    t->nbuckets = nb;
    t->generation++;
    return true;
}

/* Doubles (up to the capacity); false when already there. */
static bool grow(ts_dtable_t *t)
{
    if (!t->hash)
        return false;
    for (size_t nb = t->nbuckets; nb < t->max_nbuckets;) {
        nb = nb * 2 < t->max_nbuckets ? nb * 2 : t->max_nbuckets;
        if (rehash(t, nb))
            return true;
    }
    /* Keys that cluster whatever the size (a broken hash): stop growing
     * rather than retry on every insertion; eviction keeps it bounded. */
    t->max_nbuckets = t->nbuckets;
    return false;
}

void *ts_dtable_get(ts_dtable_t *t, const void *key, uint64_t h, bool *created, size_t *slot,
                    ts_dtable_release_fn rel, void *ctx)
{
    size_t base = ts_dtable_bucket_(t, h) * TS_DT_WAYS;
    uint32_t tag = ts_dtable_tag_(h);
    size_t free_i = SIZE_MAX, min_i = base;
    uint32_t min_rank = UINT32_MAX;
    for (size_t i = base; i < base + TS_DT_WAYS; i++) {
        uint32_t ti = t->tags[i];
        if ((ti & ~RANK_MASK) == tag) {
            unsigned char *e = slot_ptr(t, i);
            if (key_eq(e + sizeof(ts_dhead_t), key, t->ksz)) {
                *created = false;
                *slot = i;
                return e;
            }
        }
        if (ti == 0) {
            if (free_i == SIZE_MAX)
                free_i = i;
        } else if ((ti & RANK_MASK) < min_rank) {
            min_rank = ti & RANK_MASK;
            min_i = i;
        }
    }
    if (t->nbuckets < t->max_nbuckets &&
        (free_i == SIZE_MAX || (t->used + 1) * 4 > t->nbuckets * TS_DT_WAYS * 3)) {
        if (grow(t))
            return ts_dtable_get(t, key, h, created, slot, rel, ctx);
    }
    size_t i = free_i;
    unsigned char *e;
    if (i == SIZE_MAX) {
        i = min_i;
        e = slot_ptr(t, i);
        if (rel)
            rel(e, ctx);
        t->evictions++;
    } else {
        e = slot_ptr(t, i);
        t->used++;
    }
    ts_dhead_t *hd = (ts_dhead_t *)(void *)e;
    uint32_t aux = hd->aux;
    memset(e, 0, t->esz);
    hd->aux = aux;
    memcpy(e + sizeof(ts_dhead_t), key, t->ksz);
    t->tags[i] = tag;
    *created = true;
    *slot = i;
    return e;
}

size_t ts_dtable_slots(const ts_dtable_t *t)
{
    return t->nbuckets * TS_DT_WAYS;
}

void *ts_dtable_at(const ts_dtable_t *t, size_t i)
{
    return t->tags[i] ? slot_ptr(t, i) : NULL;
}

size_t ts_dtable_index(const ts_dtable_t *t, const void *entry)
{
    return (size_t)((const unsigned char *)entry - t->slots) / t->esz;
}

void ts_dtable_remove_at(ts_dtable_t *t, size_t i)
{
    if (t->tags[i] == 0)
        return;
    t->tags[i] = 0;
    t->used--;
}

size_t ts_dtable_bytes(const ts_dtable_t *t)
{
    return ts_dtable_slots(t) * (t->esz + sizeof(uint32_t));
}
