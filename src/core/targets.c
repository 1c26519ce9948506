/* SPDX-License-Identifier: Apache-2.0 */
#include "core/targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* The widening ladder: level k keeps at most ladder4[k] / ladder6[k] bits. */
static const uint8_t ladder4[] = {32, 24, 16, 8, 0, 0};
static const uint8_t ladder6[] = {128, 64, 48, 32, 16, 0};
#define LEVELS (sizeof ladder4 / sizeof ladder4[0])

static int cmp_prefix(const void *a, const void *b)
{
    return ts_prefix_compare(a, b);
}

static bool has_family(const ts_prefix_t *p)
{
    return p->addr.family == TS_AF_INET || p->addr.family == TS_AF_INET6;
}

/* Sorts an IPv4-only list by ts_prefix_compare() order: each entry packed
 * as address << 8 | length, then five byte-wide radix passes. A scan's
 * thousands of hosts are sorted at its report; a comparison sort through
 * ts_prefix_compare() cost four times as much there. */
static void sort_v4(ts_prefix_t *list, size_t n)
{
    uint64_t *key = ts_xmalloc(2 * n * sizeof *key), *tmp = key + n;
    for (size_t i = 0; i < n; i++)
        key[i] = (uint64_t)ts_ip_v4(&list[i].addr) << 8 | list[i].len;
    for (unsigned shift = 0; shift < 40; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[(key[i] >> shift & 0xff) + 1]++;
        for (size_t b = 1; b < 257; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            tmp[count[key[i] >> shift & 0xff]++] = key[i];
        uint64_t *t = key;
        key = tmp;
        tmp = t;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)(key[i] >> 8);
        memset(&list[i], 0, sizeof list[i]);
        list[i].addr.family = TS_AF_INET;
        list[i].addr.bytes[0] = (uint8_t)(v >> 24);
        list[i].addr.bytes[1] = (uint8_t)(v >> 16);
        list[i].addr.bytes[2] = (uint8_t)(v >> 8);
        list[i].addr.bytes[3] = (uint8_t)v;
        list[i].len = (uint8_t)key[i];
    }
    free(key < tmp ? key : tmp); /* the allocation's start, whichever ends where */
}

size_t ts_targets_normalize(ts_prefix_t *list, size_t n)
{
    size_t k = 0;
    bool v4 = true;
    for (size_t i = 0; i < n; i++) {
        if (has_family(&list[i])) {
            v4 = v4 && list[i].addr.family == TS_AF_INET;
            list[k++] = list[i];
        }
    }
    if (k > 32 && v4)
        sort_v4(list, k);
    else if (k > 1)
        qsort(list, k, sizeof *list, cmp_prefix);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || ts_prefix_compare(&list[m - 1], &list[i]) != 0)
            list[m++] = list[i];
    return m;
}

/* Drops the entries of a sorted list that lie inside an earlier one: the
 * sort puts a network before everything inside it, and an entry inside an
 * earlier kept one is inside the last kept one (kept entries are disjoint
 * or would have been dropped). */
size_t ts_targets_drop_nested(ts_prefix_t *list, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || !ts_prefix_covers(&list[m - 1], &list[i]))
            list[m++] = list[i];
    return m;
}

static void widen(ts_prefix_t *p, unsigned level)
{
    uint8_t max = p->addr.family == TS_AF_INET ? ladder4[level] : ladder6[level];
    if (p->len > max) {
        p->len = max;
        (void)ts_prefix_clear_host_bits(p);
    }
}

size_t ts_targets_cover(ts_prefix_t *list, size_t n, size_t max)
{
    /* The last level leaves at most one entry per family. */
    if (max < 2)
        max = 2;
    for (unsigned level = 1; n > max && level < LEVELS; level++) {
        for (size_t i = 0; i < n; i++)
            widen(&list[i], level);
        n = ts_targets_drop_nested(list, ts_targets_normalize(list, n));
    }
    return n;
}

size_t ts_targets_entry_text(const ts_prefix_t *p, char *buf, size_t size)
{
    unsigned bits = p->addr.family == TS_AF_INET ? 32 : 128;
    if (p->len == bits)
        return ts_ip_format(&p->addr, buf, size);
    return ts_prefix_format(p, buf, size);
}

void ts_targets_format(const ts_prefix_t *list, size_t n, ts_buf_t *out)
{
    char t[TS_IP_STRLEN];
    for (size_t i = 0; i < n; i++) {
        if (i)
            ts_buf_putc(out, ' ');
        ts_buf_append(out, t, ts_targets_entry_text(&list[i], t, sizeof t));
    }
}

/* The smallest prefix holding every entry of family fam, from the first and
 * last entries of that family in the sorted list. false: none of it. */
static bool cover_of(const ts_targets_t *t, uint8_t fam, ts_prefix_t *out)
{
    const ts_prefix_t *lo = NULL, *hi = NULL;
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->list[i].addr.family != fam)
            continue;
        if (!lo)
            lo = &t->list[i];
        hi = &t->list[i];
    }
    if (!lo)
        return false;
    /* In a sorted list the bits all starts share are those the first and the
     * last share; no entry may be shorter than the cover. */
    unsigned len = lo->len;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->list[i].addr.family == fam && t->list[i].len < len)
            len = t->list[i].len;
    unsigned same = 0, bits = fam == TS_AF_INET ? 32 : 128;
    while (same < bits && same < len) {
        unsigned byte = same / 8, bit = 7 - same % 8;
        if (((lo->addr.bytes[byte] ^ hi->addr.bytes[byte]) >> bit) & 1)
            break;
        same++;
    }
    out->addr = lo->addr;
    out->len = (uint8_t)same;
    (void)ts_prefix_clear_host_bits(out);
    return true;
}

size_t ts_targets_summary(const ts_targets_t *t, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    buf[0] = '\0';
    if (t == NULL || t->n == 0 || t->list == NULL)
        return 0;
    char a[TS_IP_STRLEN], b[TS_IP_STRLEN];
    if (t->n == 1 && ts_targets_exact(t)) {
        ts_targets_entry_text(&t->list[0], a, sizeof a);
        snprintf(buf, size, "%s", a);
    } else {
        ts_prefix_t c4, c6;
        bool h4 = cover_of(t, TS_AF_INET, &c4), h6 = cover_of(t, TS_AF_INET6, &c6);
        if (h4)
            ts_targets_entry_text(&c4, a, sizeof a);
        if (h6)
            ts_targets_entry_text(&c6, b, sizeof b);
        char count[32] = "";
        if (t->count > 0)
            snprintf(count, sizeof count, "%llu ", (unsigned long long)t->count);
        snprintf(buf, size, "%starget%s in %s%s%s", count, t->count == 1 ? "" : "s", h4 ? a : b,
                 h4 && h6 ? " and " : "", h4 && h6 ? b : "");
    }
    return strlen(buf);
}

void ts_targets_merge(const ts_targets_t *const *parts, size_t k, ts_arena_t *a, ts_targets_t *out)
{
    size_t total = 0;
    uint64_t count = 0;
    bool exact = true;
    for (size_t i = 0; i < k; i++) {
        total += parts[i]->n;
        count += parts[i]->count;
        exact = exact && ts_targets_exact(parts[i]);
    }
    memset(out, 0, sizeof *out);
    if (total == 0)
        return;
    if (k == 1) {
        *out = *parts[0];
        return;
    }
    ts_prefix_t *l = ts_arena_alloc(a, total * sizeof *l);
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        memcpy(l + n, parts[i]->list, parts[i]->n * sizeof *l);
        n += parts[i]->n;
    }
    n = ts_targets_normalize(l, n);
    size_t outer = ts_targets_drop_nested(l, n);
    if (outer != n)
        exact = false; /* nested shares of one target cannot be counted apart */
    size_t m = ts_targets_cover(l, outer, TS_TARGETS_MAX);
    out->list = l;
    out->n = (uint32_t)m;
    out->count = exact ? count : 0;
    if (out->count && out->count < m)
        out->count = 0;
}

/* ---- The set ------------------------------------------------------------------ */

/* The first table lives in the set itself: most sets (a client that
 * probed a few hosts) never need another allocation. */
#define SET_INLINE 8

struct ts_targetset {
    ts_prefix_t *slot; /* open addressing; family 0 = free; inl or the heap */
    uint32_t cap;      /* power of two */
    uint32_t n, max;
    unsigned level; /* widening applied to every entry (0 = none) */
    ts_prefix_t inl[SET_INLINE];
};

ts_targetset_t *ts_targetset_new(uint32_t max)
{
    ts_targetset_t *s = ts_xmalloc(sizeof *s);
    s->slot = NULL;
    ts_targetset_clear(s, max);
    return s;
}

void ts_targetset_clear(ts_targetset_t *s, uint32_t max)
{
    if (s->slot != s->inl)
        free(s->slot);
    s->max = max < 2 ? 2 : max;
    s->slot = s->inl;
    s->cap = SET_INLINE;
    s->n = 0;
    s->level = 0;
    for (int i = 0; i < SET_INLINE; i++)
        s->inl[i].addr.family = TS_AF_NONE;
}

void ts_targetset_free(ts_targetset_t *s)
{
    if (s == NULL)
        return;
    if (s->slot != s->inl)
        free(s->slot);
    free(s);
}

/* Entries have no padding and zero host bits (and IPv4 zero beyond its 4
 * bytes), so equal prefixes are equal bytes. */
static bool same(const ts_prefix_t *a, const ts_prefix_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static uint32_t hash_prefix(const ts_prefix_t *p)
{
    uint64_t hi, lo;
    memcpy(&hi, p->addr.bytes, 8);
    memcpy(&lo, p->addr.bytes + 8, 8);
    uint64_t h =
        (hi ^ (lo * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)p->len << 56)) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    return (uint32_t)(h >> 32);
}

/* The slot holding p, or the free slot where it would go. */
static uint32_t find(const ts_targetset_t *s, const ts_prefix_t *p)
{
    uint32_t mask = s->cap - 1, i = hash_prefix(p) & mask;
    while (s->slot[i].addr.family != TS_AF_NONE && !same(&s->slot[i], p))
        i = (i + 1) & mask;
    return i;
}

/* Puts the entries of old[0..oldcap) into the (empty) table. */
static void rehash(ts_targetset_t *s, const ts_prefix_t *old, uint32_t oldcap)
{
    s->n = 0;
    for (uint32_t i = 0; i < oldcap; i++) {
        if (old[i].addr.family == TS_AF_NONE)
            continue;
        uint32_t k = find(s, &old[i]);
        if (s->slot[k].addr.family == TS_AF_NONE) {
            s->slot[k] = old[i];
            s->n++;
        }
    }
}

/* Widens every entry one more level, in place (the table keeps its size). */
static void widen_all(ts_targetset_t *s)
{
    s->level++;
    ts_prefix_t *old = ts_xmalloc((size_t)s->cap * sizeof *old);
    memcpy(old, s->slot, (size_t)s->cap * sizeof *old);
    memset(s->slot, 0, (size_t)s->cap * sizeof *s->slot);
    for (uint32_t i = 0; i < s->cap; i++)
        if (old[i].addr.family != TS_AF_NONE)
            widen(&old[i], s->level);
    rehash(s, old, s->cap);
    free(old);
}

size_t ts_targetset_add(ts_targetset_t *s, const ts_prefix_t *p, size_t allow)
{
    if (!has_family(p))
        return 0;
    ts_prefix_t q = *p;
    widen(&q, s->level);
    uint32_t k = find(s, &q);
    if (s->slot[k].addr.family != TS_AF_NONE)
        return 0; /* there already: the common case of a repeated probe */
    size_t grown = 0;
    /* Room for one more at a load of at most a half. */
    while ((s->n + 1) * 2 > s->cap || s->n + 1 > s->max) {
        uint32_t want = s->cap * 2;
        /* The heap bytes this growth adds (the inline table is not freed). */
        size_t more = (size_t)(s->slot == s->inl ? want : want - s->cap) * sizeof *s->slot;
        if (s->n + 1 <= s->max && more <= allow - grown) {
            ts_prefix_t *old = s->slot;
            uint32_t oldcap = s->cap;
            s->slot = ts_xcalloc(want, sizeof *s->slot);
            s->cap = want;
            rehash(s, old, oldcap);
            if (old != s->inl)
                free(old);
            grown += more;
        } else {
            /* The last level holds one entry per family: it always fits. */
            widen_all(s);
            widen(&q, s->level);
        }
        k = find(s, &q);
        if (s->slot[k].addr.family != TS_AF_NONE)
            return grown;
    }
    s->slot[k] = q;
    s->n++;
    return grown;
}

size_t ts_targetset_bytes(const ts_targetset_t *s)
{
    return sizeof *s + (s->slot == s->inl ? 0 : (size_t)s->cap * sizeof *s->slot);
}

void ts_targetset_get(const ts_targetset_t *s, uint64_t targets, ts_arena_t *a, ts_targets_t *out)
{
    memset(out, 0, sizeof *out);
    if (s->n == 0)
        return;
    ts_prefix_t *l = ts_arena_alloc(a, (size_t)s->n * sizeof *l);
    size_t n = 0;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slot[i].addr.family != TS_AF_NONE)
            l[n++] = s->slot[i];
    n = ts_targets_normalize(l, n);
    if (s->level > 0)
        n = ts_targets_drop_nested(l, n);
    out->list = l;
    out->n = (uint32_t)n;
    out->count = s->level == 0 ? n : targets > n ? targets : 0;
}
