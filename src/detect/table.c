/* SPDX-License-Identifier: Apache-2.0 */
#include "detect/table.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void ts_dtable_init(ts_dtable_t *t, size_t capacity, size_t esz, size_t ksz)
{
    if (capacity < TS_DT_WAYS)
        capacity = TS_DT_WAYS;
    if (capacity > TS_DT_MAX_CAPACITY)
        capacity = TS_DT_MAX_CAPACITY;
    memset(t, 0, sizeof *t);
    t->nbuckets = (capacity + TS_DT_WAYS - 1) / TS_DT_WAYS;
    t->esz = esz;
    t->ksz = ksz;
    /* calloc: untouched pages of a large, mostly idle table cost no RAM. */
    t->tags = ts_xcalloc(t->nbuckets * TS_DT_WAYS, sizeof *t->tags);
    /* Cache-line aligned so that a 128-byte entry is two lines, not three. */
    t->slots_mem = ts_xcalloc(t->nbuckets * TS_DT_WAYS * esz + 64, 1);
    t->slots = (unsigned char *)(((uintptr_t)t->slots_mem + 63) & ~(uintptr_t)63);
}

void ts_dtable_destroy(ts_dtable_t *t)
{
    free(t->tags);
    free(t->slots_mem);
    memset(t, 0, sizeof *t);
}

static inline size_t bucket_of(const ts_dtable_t *t, uint64_t h)
{
    /* Lemire's multiply-shift range reduction: no power-of-two rounding, so
     * the capacity is what was asked for. */
    return (size_t)(((h >> 32) * (uint64_t)t->nbuckets) >> 32);
}

#define RANK_MASK 31u

static inline uint32_t tag_of(uint64_t h)
{
    uint32_t tag = (uint32_t)h & ~RANK_MASK;
    return tag ? tag : RANK_MASK + 1;
}

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
    size_t base = bucket_of(t, h) * TS_DT_WAYS;
    uint32_t tag = tag_of(h);
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

void *ts_dtable_get(ts_dtable_t *t, const void *key, uint64_t h, bool *created, size_t *slot,
                    ts_dtable_release_fn rel, void *ctx)
{
    size_t base = bucket_of(t, h) * TS_DT_WAYS;
    uint32_t tag = tag_of(h);
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
