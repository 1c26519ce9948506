/* SPDX-License-Identifier: Apache-2.0 */
#include "detect/hll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define HLL_Q (32 - TS_HLL_P) /* hash bits left for the rank */
#define SET_MAX_LG 8          /* 256 slots = 1 KiB, the size of the sketch */

void ts_hll_add(uint8_t *reg, uint32_t h)
{
    uint32_t idx = h >> HLL_Q;
    uint32_t w = h << TS_HLL_P;
    uint8_t rank = w ? (uint8_t)(__builtin_clz(w) + 1) : (uint8_t)(HLL_Q + 1);
    if (reg[idx] < rank)
        reg[idx] = rank;
}

static double sigma(double x)
{
    if (x == 1.0)
        return INFINITY;
    double y = 1.0, z = x, zp;
    do {
        x *= x;
        zp = z;
        z += x * y;
        y += y;
    } while (z != zp);
    return z;
}

static double tau(double x)
{
    if (x == 0.0 || x == 1.0)
        return 0.0;
    double y = 1.0, z = 1.0 - x, zp;
    do {
        x = sqrt(x);
        zp = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != zp);
    return z / 3.0;
}

double ts_hll_estimate(const uint8_t *reg)
{
    uint32_t hist[HLL_Q + 2] = {0};
    for (uint32_t i = 0; i < TS_HLL_M; i++)
        hist[reg[i] <= HLL_Q + 1 ? reg[i] : HLL_Q + 1]++;
    if (hist[0] == TS_HLL_M)
        return 0.0;
    const double m = TS_HLL_M;
    double z = m * tau(1.0 - hist[HLL_Q + 1] / m);
    for (int k = HLL_Q; k >= 1; k--)
        z = 0.5 * (z + hist[k]);
    z += m * sigma(hist[0] / m);
    return 0.721347520444481703680 * m * m / z; /* 1 / (2 ln 2) */
}

static bool budget_take(ts_dcount_t *c, ts_dbudget_t *b, size_t more)
{
    if (b->used + more > b->limit) {
        if (!c->saturated) {
            c->saturated = 1;
            b->saturated++;
        }
        return false;
    }
    b->used += more;
    return true;
}

/* Inserts into an open-addressing set; true when the value was new. */
static bool set_insert(uint32_t *set, uint8_t lg, uint32_t h)
{
    uint32_t mask = (1u << lg) - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        if (set[i] == h)
            return false;
        if (set[i] == 0) {
            set[i] = h;
            return true;
        }
    }
}

static void promote(ts_dcount_t *c, uint32_t h, ts_dbudget_t *b)
{
    if (c->mode == TS_DC_INL) {
        if (!budget_take(c, b, sizeof(uint32_t) << 4))
            return;
        uint32_t *set = ts_xcalloc(16, sizeof *set);
        for (uint32_t i = 0; i < c->n; i++)
            (void)set_insert(set, 4, c->u.inl[i]);
        c->u.set = set;
        c->mode = TS_DC_SET;
        c->lg = 4;
    } else if (c->lg < SET_MAX_LG) {
        /* Same bytes as the sketch at the last step; growth by 4x keeps
         * rehashing to three times per counter. */
        uint8_t lg = (uint8_t)(c->lg + 2);
        size_t old = sizeof(uint32_t) << c->lg, nb = sizeof(uint32_t) << lg;
        if (!budget_take(c, b, nb - old))
            return;
        uint32_t *set = ts_xcalloc((size_t)1 << lg, sizeof *set);
        for (uint32_t i = 0; i < (1u << c->lg); i++)
            if (c->u.set[i])
                (void)set_insert(set, lg, c->u.set[i]);
        free(c->u.set);
        c->u.set = set;
        c->lg = lg;
    } else {
        size_t old = sizeof(uint32_t) << c->lg;
        if (TS_HLL_M > old && !budget_take(c, b, TS_HLL_M - old))
            return;
        if (TS_HLL_M < old)
            b->used -= old - TS_HLL_M;
        uint8_t *reg = ts_xcalloc(TS_HLL_M, 1);
        for (uint32_t i = 0; i < (1u << c->lg); i++)
            if (c->u.set[i])
                ts_hll_add(reg, c->u.set[i]);
        free(c->u.set);
        c->u.hll = reg;
        c->mode = TS_DC_HLL;
        ts_hll_add(reg, h);
        return;
    }
    ts_dcount_add(c, h, b);
}

void ts_dcount_add(ts_dcount_t *c, uint32_t h, ts_dbudget_t *b)
{
    if (h == 0)
        h = 0x9e3779b9u;
    switch (c->mode) {
    case TS_DC_INL:
        for (uint32_t i = 0; i < c->n; i++)
            if (c->u.inl[i] == h)
                return;
        if (c->n < TS_DC_INLINE) {
            c->u.inl[c->n++] = h;
            return;
        }
        break;
    case TS_DC_SET: {
        /* Look before growing so that repeats never cost an allocation. */
        uint32_t mask = (1u << c->lg) - 1;
        for (uint32_t i = h & mask;; i = (i + 1) & mask) {
            if (c->u.set[i] == h)
                return;
            if (c->u.set[i] == 0)
                break;
        }
        if ((c->n + 1) * 4 <= (3u << c->lg)) {
            (void)set_insert(c->u.set, c->lg, h);
            c->n++;
            return;
        }
        break;
    }
    default:
        ts_hll_add(c->u.hll, h);
        return;
    }
    if (!c->saturated)
        promote(c, h, b);
}

uint64_t ts_dcount_estimate(const ts_dcount_t *c)
{
    if (c->mode != TS_DC_HLL)
        return c->n;
    double e = ts_hll_estimate(c->u.hll);
    /* Never below what was counted exactly before the switch; a sketch with
     * every register saturated (infinite estimate) says "more than 32-bit
     * hashes can tell". */
    if (!(e < 1e12))
        return UINT64_C(1000000000000);
    return e < TS_DC_EXACT_MAX ? TS_DC_EXACT_MAX : (uint64_t)llround(e);
}

bool ts_dcount_exact(const ts_dcount_t *c)
{
    return c->mode != TS_DC_HLL && !c->saturated;
}

size_t ts_dcount_bytes(const ts_dcount_t *c)
{
    if (c->mode == TS_DC_SET)
        return sizeof(uint32_t) << c->lg;
    return c->mode == TS_DC_HLL ? TS_HLL_M : 0;
}

void ts_dcount_reset(ts_dcount_t *c, ts_dbudget_t *b)
{
    size_t bytes = ts_dcount_bytes(c);
    if (c->mode == TS_DC_SET)
        free(c->u.set);
    else if (c->mode == TS_DC_HLL)
        free(c->u.hll);
    b->used -= bytes < b->used ? bytes : b->used;
    memset(c, 0, sizeof *c);
}
