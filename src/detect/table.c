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
    t->slots = ts_xcalloc(t->nbuckets * TS_DT_WAYS, esz);
}

void ts_dtable_destroy(ts_dtable_t *t)
{
    free(t->tags);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static inline size_t bucket_of(const ts_dtable_t *t, uint64_t h)
{
    /* Lemire's multiply-shift range reduction: no power-of-two rounding, so
     * the capacity is what was asked for. */
    return (size_t)(((h >> 32) * (uint64_t)t->nbuckets) >> 32);
}

static inline uint32_t tag_of(uint64_t h)
{
    return (uint32_t)h | 1u;
}

static inline unsigned char *slot_ptr(const ts_dtable_t *t, size_t i)
{
    return t->slots + i * t->esz;
}

void *ts_dtable_find(const ts_dtable_t *t, const void *key, uint64_t h)
{
    size_t base = bucket_of(t, h) * TS_DT_WAYS;
    uint32_t tag = tag_of(h);
    for (size_t i = base; i < base + TS_DT_WAYS; i++) {
        if (t->tags[i] == tag) {
            unsigned char *e = slot_ptr(t, i);
            if (memcmp(e + sizeof(ts_dhead_t), key, t->ksz) == 0)
                return e;
        }
    }
    return NULL;
}

void *ts_dtable_get(ts_dtable_t *t, const void *key, uint64_t h, bool *created,
                    ts_dtable_release_fn rel, void *ctx)
{
    size_t base = bucket_of(t, h) * TS_DT_WAYS;
    uint32_t tag = tag_of(h);
    size_t free_i = SIZE_MAX, min_i = base;
    uint32_t min_score = UINT32_MAX;
    for (size_t i = base; i < base + TS_DT_WAYS; i++) {
        uint32_t ti = t->tags[i];
        if (ti == tag) {
            unsigned char *e = slot_ptr(t, i);
            if (memcmp(e + sizeof(ts_dhead_t), key, t->ksz) == 0) {
                *created = false;
                return e;
            }
        }
        if (ti == 0) {
            if (free_i == SIZE_MAX)
                free_i = i;
        } else {
            uint32_t s = ((const ts_dhead_t *)(const void *)slot_ptr(t, i))->score;
            if (s < min_score) {
                min_score = s;
                min_i = i;
            }
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
