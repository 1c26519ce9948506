/* SPDX-License-Identifier: Apache-2.0 */
#include "incident/distinct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "detect/hll.h"

enum { MODE_EXACT = 1, MODE_SKETCH = 2 };
#define HEAD 9

_Static_assert(TS_HLL_M == 1024, "the blob holds 1024 registers");

uint32_t ts_dset_hash(const ts_prefix_t *p)
{
    uint64_t a, b;
    memcpy(&a, p->addr.bytes, 8);
    memcpy(&b, p->addr.bytes + 8, 8);
    uint64_t h = ts_mix64(a ^ ts_mix64(b ^ ((uint64_t)p->addr.family << 8 | p->len)));
    uint32_t v = (uint32_t)(h >> 32);
    return v ? v : 1; /* 0 marks nothing in the sketch's rank */
}

static void to_sketch(ts_dset_t *d)
{
    d->reg = ts_xcalloc(TS_HLL_M, 1);
    for (uint32_t i = 0; i < d->n; i++)
        ts_hll_add(d->reg, d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
    d->mode = MODE_SKETCH;
}

void ts_dset_add(ts_dset_t *d, uint32_t h)
{
    if (d->mode == MODE_SKETCH) {
        ts_hll_add(d->reg, h);
        d->dirty = true;
        return;
    }
    d->mode = MODE_EXACT;
    /* Incidents hold one or a few addresses, far more often than many: a
     * linear probe of the few beats any structure. */
    for (uint32_t i = 0; i < d->n; i++)
        if (d->v[i] == h)
            return;
    d->dirty = true;
    if (d->n == TS_DSET_EXACT_MAX) {
        to_sketch(d);
        ts_hll_add(d->reg, h);
        return;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 4;
        d->v = ts_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = h;
}

void ts_dset_floor(ts_dset_t *d, uint64_t n)
{
    if (n > d->floor) {
        d->floor = n;
        d->dirty = true;
    }
    if (d->mode == 0)
        d->mode = MODE_EXACT;
}

uint64_t ts_dset_count(const ts_dset_t *d)
{
    uint64_t n = d->mode == MODE_SKETCH ? (uint64_t)llround(ts_hll_estimate(d->reg)) : d->n;
    return n > d->floor ? n : d->floor;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void ts_dset_encode(ts_dset_t *d, ts_buf_t *out)
{
    uint8_t head[HEAD];
    head[0] = d->mode == MODE_SKETCH ? MODE_SKETCH : MODE_EXACT;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (uint8_t)(d->floor >> (8 * i));
    ts_buf_append(out, head, HEAD);
    if (d->mode == MODE_SKETCH) {
        ts_buf_append(out, d->reg, TS_HLL_M);
        return;
    }
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, cmp_u32);
    for (uint32_t i = 0; i < d->n; i++) {
        uint8_t b[4] = {(uint8_t)d->v[i], (uint8_t)(d->v[i] >> 8), (uint8_t)(d->v[i] >> 16),
                        (uint8_t)(d->v[i] >> 24)};
        ts_buf_append(out, b, 4);
    }
}

void ts_dset_reset(ts_dset_t *d)
{
    free(d->v);
    free(d->reg);
    memset(d, 0, sizeof *d);
}

int ts_dset_decode(ts_dset_t *d, const uint8_t *blob, size_t len)
{
    ts_dset_reset(d);
    if (blob == NULL || len < HEAD)
        return TS_EINVAL;
    uint64_t floor = 0;
    for (int i = 0; i < 8; i++)
        floor |= (uint64_t)blob[1 + i] << (8 * i);
    if (blob[0] == MODE_SKETCH && len == HEAD + TS_HLL_M) {
        d->reg = ts_xmalloc(TS_HLL_M);
        memcpy(d->reg, blob + HEAD, TS_HLL_M);
    } else if (blob[0] == MODE_EXACT && (len - HEAD) % 4 == 0 &&
               (len - HEAD) / 4 <= TS_DSET_EXACT_MAX) {
        uint32_t n = (uint32_t)((len - HEAD) / 4);
        d->cap = n > 4 ? n : 4;
        d->v = ts_xmalloc(d->cap * sizeof *d->v);
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *b = blob + HEAD + 4 * i;
            uint32_t v =
                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            /* Strictly increasing: what encode writes, and no duplicate. */
            if (v == 0 || (i > 0 && v <= d->v[i - 1])) {
                ts_dset_reset(d);
                return TS_EINVAL;
            }
            d->v[i] = v;
        }
        d->n = n;
    } else {
        return TS_EINVAL;
    }
    d->mode = blob[0];
    d->floor = floor;
    return 0;
}
