/* SPDX-License-Identifier: Apache-2.0 */
/* Longest-prefix match: a mutable set of prefixes (array + hash index) is the
 * source of truth; lookups use a structure rebuilt from that set, per family,
 * on the first lookup after a change (or by ts_lpm_build()).
 *
 * Lookup structure: a direct table indexed by the top S bits, then a
 * Poptrie-style multibit trie (Asai & Ohara, SIGCOMM 2015) with 6-bit strides.
 * Each node holds a 64-bit vector of slots that continue into a child, a
 * 64-bit leafvec marking where runs of equal leaf values start, and the base
 * indexes of its (contiguous) children and leaves; popcount of the masked
 * vectors gives the rank. Subtrees holding a single prefix are path
 * compressed into one "tail" record compared against the masked key.
 *
 * Tables of 64k prefixes or more (per family) use S = 24 with 32-bit entries
 * (64 MiB, DIR-24-8 style) plus a 2 MiB bitmap telling values from node
 * indexes: a lookup is then usually one dependent memory access, which is what
 * random lookups over a million prefixes are bound by. Smaller tables use
 * S = 16 with 64-bit entries (512 KiB) so that a constituency file of a few
 * hundred prefixes does not cost 66 MiB. Below the direct table, sparse
 * subtrees are mostly tails. Everything is packed into one mapping advised for
 * transparent huge pages, since TLB misses otherwise dominate.
 *
 * Rebuilding rather than updating in place keeps the structure simple; a full
 * rebuild of a million prefixes takes a fraction of a second, which suits
 * tables that change in batches. */
#include "core/lpm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/mem.h"

#define STRIDE 6
#define S4 24  /* large tables: 32-bit direct entries */
#define S16 16 /* tables too small to pay for 66 MiB */
#define S4_MIN_PREFIXES 65536
#define LEAF_FLAG (UINT64_C(1) << 63)
#define TAIL_FLAG (UINT64_C(1) << 62)
#define TAIL32 (UINT32_C(1) << 31)
/* Distinct prefixes of lengths off+1..off+STRIDE inside one node's range. */
#define MAX_SHORT ((1u << (STRIDE + 1)) - 2)

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__clang__)
/* Hardware popcount when the CPU has it, without raising the build's baseline. */
#define TS_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define TS_POPCNT_CLONES
#endif

struct entry {
    uint64_t hi, lo; /* address bits, left aligned (IPv4 in the top 32 of hi) */
    uint32_t value;
    uint8_t len;
    uint8_t fam; /* 0 = IPv4, 1 = IPv6 */
};

struct node {
    uint64_t vector;  /* slot continues into a child */
    uint64_t leafvec; /* slot starts a new run of leaf values */
    uint64_t tailvec; /* that child is a tail (subset of vector) */
    uint32_t base0;   /* first leaf */
    uint32_t base1;   /* first child */
};

/* Path compression: a subtree holding a single prefix is one record, checked
 * by comparing the masked key, instead of a chain of nodes. In sparse regions
 * (most of a random IPv6 table below the top 20 bits) this removes several
 * levels, and thus cache misses, per lookup. */
struct tail {
    uint64_t hi, lo;
    uint32_t value;
    uint32_t def; /* value when the key is outside the prefix */
    uint8_t len;
};

union slot {
    struct node n;
    struct tail t;
};

struct fib {
    /* IPv6: LEAF_FLAG | value, TAIL_FLAG | index, or node index. */
    uint64_t *direct;
    /* IPv4: the value, or (bit set in ext) a node index, | TAIL32 for a tail. */
    uint32_t *direct32;
    uint64_t *ext;
    bool built; /* direct or direct32 is valid (the family has prefixes) */
    union slot *nodes;
    size_t nnodes, capnodes;
    uint32_t *leaves;
    size_t nleaves, capleaves;
    void *map; /* when packed: one mapping holding direct, nodes and leaves */
    size_t maplen;
    unsigned sbits;
    bool dirty;
};

/* Prefixes of one family sorted by address, then length: the overlap walk's
 * index, built on its first use after a change. */
struct sorted {
    struct entry *e;
    size_t n;
    bool dirty;
};

struct ts_lpm {
    struct entry *ents;
    size_t n, cap;
    uint32_t *hash; /* open addressing, entry index + 1, 0 = empty */
    size_t hcap;    /* power of two */
    size_t count[2];
    struct fib fib[2];
    struct sorted sorted[2];
};

/* ---- the mutable set ---------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

static size_t hash_entry(const struct entry *e)
{
    uint64_t h = mix64(e->hi ^ mix64(e->lo + ((uint64_t)e->len << 8 | e->fam)));
    return (size_t)h;
}

static bool same_key(const struct entry *a, const struct entry *b)
{
    return a->hi == b->hi && a->lo == b->lo && a->len == b->len && a->fam == b->fam;
}

/* Slot holding key, or the empty slot where it would go. */
static size_t hash_find(const ts_lpm_t *t, const struct entry *key)
{
    size_t mask = t->hcap - 1, i = hash_entry(key) & mask;
    while (t->hash[i] != 0 && !same_key(&t->ents[t->hash[i] - 1], key))
        i = (i + 1) & mask;
    return i;
}

static void hash_grow(ts_lpm_t *t)
{
    free(t->hash);
    t->hcap *= 2;
    t->hash = ts_xcalloc(t->hcap, sizeof *t->hash);
    for (size_t k = 0; k < t->n; k++)
        t->hash[hash_find(t, &t->ents[k])] = (uint32_t)(k + 1);
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void hash_delete(ts_lpm_t *t, size_t i)
{
    size_t mask = t->hcap - 1, j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (t->hash[j] == 0)
            break;
        size_t home = hash_entry(&t->ents[t->hash[j] - 1]) & mask;
        /* Move j into the hole at i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->hash[i] = t->hash[j];
            i = j;
        }
    }
    t->hash[i] = 0;
}

static int to_entry(const ts_prefix_t *p, struct entry *e)
{
    memset(e, 0, sizeof *e);
    const uint8_t *b = p->addr.bytes;
    unsigned bits;
    if (p->addr.family == TS_AF_INET) {
        e->fam = 0;
        bits = 32;
        e->hi = (uint64_t)ts_ip_v4(&p->addr) << 32;
    } else if (p->addr.family == TS_AF_INET6) {
        e->fam = 1;
        bits = 128;
        for (int k = 0; k < 8; k++) {
            e->hi = e->hi << 8 | b[k];
            e->lo = e->lo << 8 | b[k + 8];
        }
    } else {
        return TS_EINVAL;
    }
    if (p->len > bits)
        return TS_EINVAL;
    e->len = p->len;
    /* Host bits must be zero: a prefix is a set of addresses, not an address. */
    uint64_t mhi = e->len == 0 ? 0 : e->len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - e->len);
    uint64_t mlo = e->len <= 64 ? 0 : e->len >= 128 ? UINT64_MAX : UINT64_MAX << (128 - e->len);
    if ((e->hi & ~mhi) != 0 || (e->lo & ~mlo) != 0)
        return TS_EINVAL;
    return 0;
}

ts_lpm_t *ts_lpm_new(void)
{
    ts_lpm_t *t = ts_xcalloc(1, sizeof *t);
    t->hcap = 64;
    t->hash = ts_xcalloc(t->hcap, sizeof *t->hash);
    return t;
}

static void fib_clear(struct fib *f)
{
    if (f->map) {
        munmap(f->map, f->maplen);
        f->map = NULL;
        f->maplen = 0;
    } else {
        free(f->direct);
        free(f->direct32);
        free(f->ext);
        free(f->nodes);
        free(f->leaves);
    }
    f->direct = NULL;
    f->direct32 = NULL;
    f->ext = NULL;
    f->built = false;
    f->nodes = NULL;
    f->leaves = NULL;
    f->nnodes = f->capnodes = f->nleaves = f->capleaves = 0;
}

void ts_lpm_free(ts_lpm_t *t)
{
    if (t == NULL)
        return;
    fib_clear(&t->fib[0]);
    fib_clear(&t->fib[1]);
    free(t->sorted[0].e);
    free(t->sorted[1].e);
    free(t->ents);
    free(t->hash);
    free(t);
}

int ts_lpm_insert(ts_lpm_t *t, const ts_prefix_t *p, uint32_t value, uint32_t *existing)
{
    struct entry e;
    if (value == TS_LPM_NONE || to_entry(p, &e) != 0)
        return TS_EINVAL;
    e.value = value;
    size_t i = hash_find(t, &e);
    if (t->hash[i] != 0) {
        if (existing)
            *existing = t->ents[t->hash[i] - 1].value;
        return TS_EEXIST;
    }
    if (t->n >= UINT32_MAX - 1)
        abort(); /* indexes are 32-bit; far beyond any memory this runs in */
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->ents = ts_xrealloc(t->ents, t->cap * sizeof *t->ents);
    }
    t->ents[t->n++] = e;
    t->hash[i] = (uint32_t)t->n;
    if (t->n * 2 > t->hcap)
        hash_grow(t);
    t->count[e.fam]++;
    t->fib[e.fam].dirty = true;
    t->sorted[e.fam].dirty = true;
    return 0;
}

int ts_lpm_remove(ts_lpm_t *t, const ts_prefix_t *p)
{
    struct entry e;
    if (to_entry(p, &e) != 0)
        return TS_ENOENT; /* a malformed prefix cannot be present */
    size_t i = hash_find(t, &e);
    if (t->hash[i] == 0)
        return TS_ENOENT;
    size_t k = t->hash[i] - 1;
    hash_delete(t, i);
    size_t last = t->n - 1;
    if (k != last) {
        size_t s = hash_find(t, &t->ents[last]);
        t->ents[k] = t->ents[last];
        t->hash[s] = (uint32_t)(k + 1);
    }
    t->n--;
    t->count[e.fam]--;
    t->fib[e.fam].dirty = true;
    t->sorted[e.fam].dirty = true;
    return 0;
}

size_t ts_lpm_count(const ts_lpm_t *t)
{
    return t->n;
}

size_t ts_lpm_memory(const ts_lpm_t *t)
{
    size_t m = sizeof *t + t->cap * sizeof *t->ents + t->hcap * sizeof *t->hash;
    for (int f = 0; f < 2; f++) {
        const struct fib *b = &t->fib[f];
        if (b->map) {
            m += b->maplen;
            continue;
        }
        if (b->direct)
            m += ((size_t)1 << b->sbits) * sizeof *b->direct;
        if (b->direct32)
            m += ((size_t)1 << b->sbits) * sizeof *b->direct32 + ((size_t)1 << b->sbits) / 8;
        m += b->capnodes * sizeof *b->nodes + b->capleaves * sizeof *b->leaves;
    }
    return m;
}

/* ---- building the lookup structure -------------------------------------- */

/* w bits of the 128-bit key (hi, lo) starting at bit off (0 = most significant). */
static inline unsigned bits_at(uint64_t hi, uint64_t lo, unsigned off, unsigned w)
{
    uint64_t x;
    if (off == 0)
        x = hi;
    else if (off < 64)
        x = hi << off | lo >> (64 - off);
    else
        x = lo << (off - 64);
    return (unsigned)(x >> (64 - w));
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static uint32_t alloc_nodes(struct fib *f, size_t k)
{
    if (f->nnodes + k > INT32_MAX)
        abort(); /* 31-bit indexes (TAIL32): far beyond memory this runs in */
    if (f->nnodes + k > f->capnodes) {
        size_t c = f->capnodes ? f->capnodes : 1024;
        while (c < f->nnodes + k)
            c *= 2;
        f->nodes = ts_xrealloc(f->nodes, c * sizeof *f->nodes);
        f->capnodes = c;
    }
    uint32_t base = (uint32_t)f->nnodes;
    f->nnodes += k;
    return base;
}

static void push_leaf(struct fib *f, uint32_t v)
{
    if (f->nleaves == f->capleaves) {
        f->capleaves = f->capleaves ? f->capleaves * 2 : 1024;
        f->leaves = ts_xrealloc(f->leaves, f->capleaves * sizeof *f->leaves);
    }
    f->leaves[f->nleaves++] = v;
}

/* Paints val[] (slots of width w at bit off) with prefixes of lengths
 * off+1..off+w, shorter first so that longer ones win. */
static void paint(uint32_t *val, const struct entry *sh, size_t ns, unsigned off, unsigned w)
{
    for (unsigned l = off + 1; l <= off + w; l++) {
        for (size_t k = 0; k < ns; k++) {
            if (sh[k].len != l)
                continue;
            unsigned first = bits_at(sh[k].hi, sh[k].lo, off, w);
            size_t cnt = (size_t)1 << (off + w - l);
            for (size_t s = 0; s < cnt; s++)
                val[first + s] = sh[k].value;
        }
    }
}

static void set_tail(struct fib *f, uint32_t idx, const struct entry *e, uint32_t def)
{
    memset(&f->nodes[idx], 0, sizeof f->nodes[idx]);
    f->nodes[idx].t = (struct tail){e->hi, e->lo, e->value, def, e->len};
}

/* Fills node idx from seg[0..n): sorted prefixes inside the node's range, all
 * longer than off. def is the value of the longest shorter prefix covering
 * the range. seg is scratch afterwards. Children of one node are allocated as
 * one block (popcount ranks index into it), then built depth first. */
static void build_node(struct fib *f, uint32_t idx, struct entry *seg, size_t n, unsigned off,
                       uint32_t def)
{
    uint32_t val[1u << STRIDE];
    struct entry sh[MAX_SHORT];
    size_t ns = 0, nl = 0;
    for (size_t k = 0; k < 1u << STRIDE; k++)
        val[k] = def;
    /* Split into short (ending in this node) and long (continuing below);
     * long ones are compacted to the front, keeping their sorted order. */
    for (size_t k = 0; k < n; k++) {
        if (seg[k].len <= off + STRIDE) {
            if (ns == MAX_SHORT)
                abort(); /* duplicates are refused on insert */
            sh[ns++] = seg[k];
        } else {
            seg[nl++] = seg[k];
        }
    }
    paint(val, sh, ns, off, STRIDE);

    uint64_t vector = 0;
    for (size_t k = 0; k < nl; k++)
        vector |= UINT64_C(1) << bits_at(seg[k].hi, seg[k].lo, off, STRIDE);

    uint64_t leafvec = 0, tailvec = 0;
    uint32_t base0 = (uint32_t)f->nleaves;
    bool have_prev = false;
    uint32_t prev = 0;
    for (unsigned s = 0; s < 1u << STRIDE; s++) {
        if (vector >> s & 1)
            continue;
        if (!have_prev || val[s] != prev) {
            leafvec |= UINT64_C(1) << s;
            push_leaf(f, val[s]);
            prev = val[s];
            have_prev = true;
        }
    }
    uint32_t base1 = alloc_nodes(f, (size_t)__builtin_popcountll(vector));

    uint32_t child = base1;
    for (size_t k = 0; k < nl;) {
        unsigned s = bits_at(seg[k].hi, seg[k].lo, off, STRIDE);
        size_t e = k + 1;
        while (e < nl && bits_at(seg[e].hi, seg[e].lo, off, STRIDE) == s)
            e++;
        if (e - k == 1) {
            tailvec |= UINT64_C(1) << s;
            set_tail(f, child++, &seg[k], val[s]);
        } else {
            build_node(f, child++, seg + k, e - k, off + STRIDE, val[s]);
        }
        k = e;
    }
    f->nodes[idx].n = (struct node){vector, leafvec, tailvec, base0, base1};
}

#define HUGE_PAGE ((size_t)2 << 20)

/* Moves the finished arrays into one mapping backed by transparent huge pages
 * where the kernel allows it: random lookups over tens of megabytes are
 * otherwise dominated by TLB misses. Keeps the malloc'd arrays if mmap fails. */
static void fib_pack(struct fib *f)
{
    size_t nslots = (size_t)1 << f->sbits;
    void **arr[] = {(void **)&f->direct, (void **)&f->direct32, (void **)&f->ext,
                    (void **)&f->nodes, (void **)&f->leaves};
    size_t sz[] = {f->direct ? nslots * sizeof *f->direct : 0,
                   f->direct32 ? nslots * sizeof *f->direct32 : 0,
                   f->ext ? nslots / 64 * sizeof *f->ext : 0, f->nnodes * sizeof *f->nodes,
                   f->nleaves * sizeof *f->leaves};
    size_t need = 0;
    for (size_t k = 0; k < 5; k++)
        need += (sz[k] + 63) & ~(size_t)63;
    size_t len = (need + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    /* Over-map by one huge page so that the used part can start aligned. */
    uint8_t *raw =
        mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return;
    uint8_t *base = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    size_t head = (size_t)(base - raw), tail = HUGE_PAGE - head;
    if (head)
        munmap(raw, head);
    if (tail)
        munmap(base + len, tail);
#ifdef MADV_HUGEPAGE
    (void)madvise(base, len, MADV_HUGEPAGE); /* advisory: failure only costs speed */
#endif
    size_t off = 0;
    for (size_t k = 0; k < 5; k++) {
        if (sz[k])
            memcpy(base + off, *arr[k], sz[k]);
        free(*arr[k]);
        *arr[k] = sz[k] || k >= 3 ? base + off : NULL;
        off += (sz[k] + 63) & ~(size_t)63;
    }
    f->capnodes = f->nnodes;
    f->capleaves = f->nleaves;
    f->map = base;
    f->maplen = len;
}

static void fib_build(ts_lpm_t *t, unsigned fam)
{
    struct fib *f = &t->fib[fam];
    fib_clear(f);
    f->dirty = false;
    size_t n = t->count[fam];
    if (n == 0)
        return;
    struct entry *seg = ts_xmalloc(n * sizeof *seg);
    size_t m = 0;
    for (size_t k = 0; k < t->n; k++)
        if (t->ents[k].fam == fam)
            seg[m++] = t->ents[k];
    qsort(seg, m, sizeof *seg, cmp_entry);

    bool dir24 = n >= S4_MIN_PREFIXES;
    unsigned sb = f->sbits = dir24 ? S4 : S16;
    size_t nslots = (size_t)1 << sb;
    uint32_t *val = ts_xmalloc(nslots * sizeof *val);
    for (size_t s = 0; s < nslots; s++)
        val[s] = TS_LPM_NONE;
    /* Prefixes of length 0..sb paint the direct table, shorter first. */
    for (unsigned l = 0; l <= sb; l++) {
        for (size_t k = 0; k < m; k++) {
            if (seg[k].len != l)
                continue;
            size_t first = l == 0 ? 0 : bits_at(seg[k].hi, seg[k].lo, 0, sb);
            size_t cnt = (size_t)1 << (sb - l);
            for (size_t s = 0; s < cnt; s++)
                val[first + s] = seg[k].value;
        }
    }
    size_t nl = 0;
    for (size_t k = 0; k < m; k++)
        if (seg[k].len > sb)
            seg[nl++] = seg[k];

    if (dir24) {
        f->ext = ts_xcalloc(nslots / 64, sizeof *f->ext);
    } else {
        f->direct = ts_xmalloc(nslots * sizeof *f->direct);
        for (size_t s = 0; s < nslots; s++)
            f->direct[s] = LEAF_FLAG | val[s];
    }
    for (size_t k = 0; k < nl;) {
        unsigned s = bits_at(seg[k].hi, seg[k].lo, 0, sb);
        size_t e = k + 1;
        while (e < nl && bits_at(seg[e].hi, seg[e].lo, 0, sb) == s)
            e++;
        uint32_t idx = alloc_nodes(f, 1);
        bool single = e - k == 1;
        if (single)
            set_tail(f, idx, &seg[k], val[s]);
        else
            build_node(f, idx, seg + k, e - k, sb, val[s]);
        if (dir24) {
            val[s] = single ? TAIL32 | idx : idx;
            f->ext[s / 64] |= UINT64_C(1) << (s % 64);
        } else {
            f->direct[s] = single ? TAIL_FLAG | idx : idx;
        }
        k = e;
    }
    if (dir24)
        f->direct32 = val; /* painted values, overwritten where ext is set */
    else
        free(val);
    free(seg);
    f->built = true;
    fib_pack(f);
}

void ts_lpm_build(ts_lpm_t *t)
{
    for (unsigned fam = 0; fam < 2; fam++)
        if (t->fib[fam].dirty)
            fib_build(t, fam);
}

/* ---- lookups ------------------------------------------------------------- */

static inline uint64_t rank_mask(unsigned v)
{
    return (UINT64_C(2) << v) - 1; /* bits 0..v; v == 63 wraps to all ones */
}

static inline uint32_t tail_match(const struct tail *t, uint64_t hi, uint64_t lo)
{
    unsigned len = t->len;
    uint64_t mhi = len >= 64 ? UINT64_MAX : len == 0 ? 0 : UINT64_MAX << (64 - len);
    uint64_t mlo = len <= 64 ? 0 : UINT64_MAX << (128 - len);
    return (((hi ^ t->hi) & mhi) | ((lo ^ t->lo) & mlo)) == 0 ? t->value : t->def;
}

/* The walk below the direct table; key bits beyond 128 read as zero. v4 is a
 * compile-time constant: IPv4 keys never leave hi, so extraction is one shift. */
static inline uint32_t walk(const struct fib *f, uint64_t d, uint64_t hi, uint64_t lo, unsigned off,
                            bool v4)
{
    if (d & LEAF_FLAG)
        return (uint32_t)d;
    if (d & TAIL_FLAG)
        return tail_match(&f->nodes[(uint32_t)d].t, hi, lo);
    const struct node *nd = &f->nodes[(uint32_t)d].n;
    for (;;) {
        unsigned v = v4 ? (unsigned)((hi << off) >> (64 - STRIDE)) : bits_at(hi, lo, off, STRIDE);
        uint64_t m = rank_mask(v);
        if (!(nd->vector >> v & 1))
            return f->leaves[nd->base0 + (uint32_t)__builtin_popcountll(nd->leafvec & m) - 1];
        const union slot *c =
            &f->nodes[nd->base1 + (uint32_t)__builtin_popcountll(nd->vector & m) - 1];
        if (nd->tailvec >> v & 1)
            return tail_match(&c->t, hi, lo);
        nd = &c->n;
        off += STRIDE;
    }
}

/* The direct entry and its ext bit are independent loads (the 2 MiB bitmap
 * mostly stays in cache), so the common case costs one dependent miss. */
TS_POPCNT_CLONES
static uint32_t lookup4(const struct fib *f, uint32_t addr)
{
    uint64_t hi = (uint64_t)addr << 32;
    if (f->direct32 == NULL)
        return walk(f, f->direct[addr >> (32 - S16)], hi, 0, S16, true);
    uint32_t s = addr >> (32 - S4);
    uint32_t e = f->direct32[s];
    if (!(f->ext[s / 64] >> (s % 64) & 1))
        return e;
    uint64_t d = e & TAIL32 ? TAIL_FLAG | (e & ~TAIL32) : e;
    return walk(f, d, hi, 0, S4, true);
}

TS_POPCNT_CLONES
static uint32_t lookup6(const struct fib *f, uint64_t hi, uint64_t lo)
{
    if (f->direct32 == NULL)
        return walk(f, f->direct[hi >> (64 - S16)], hi, lo, S16, false);
    uint32_t s = (uint32_t)(hi >> (64 - S4));
    uint32_t e = f->direct32[s];
    if (!(f->ext[s / 64] >> (s % 64) & 1))
        return e;
    uint64_t d = e & TAIL32 ? TAIL_FLAG | (e & ~TAIL32) : e;
    return walk(f, d, hi, lo, S4, false);
}

uint32_t ts_lpm_lookup4(ts_lpm_t *t, uint32_t addr)
{
    struct fib *f = &t->fib[0];
    if (__builtin_expect(f->dirty, 0))
        fib_build(t, 0);
    if (!f->built)
        return TS_LPM_NONE;
    return lookup4(f, addr);
}

uint32_t ts_lpm_lookup6(ts_lpm_t *t, const uint8_t addr[16])
{
    struct fib *f = &t->fib[1];
    if (__builtin_expect(f->dirty, 0))
        fib_build(t, 1);
    if (!f->built)
        return TS_LPM_NONE;
    uint64_t hi, lo;
    memcpy(&hi, addr, 8);
    memcpy(&lo, addr + 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
#endif
    return lookup6(f, hi, lo);
}

uint32_t ts_lpm_lookup(ts_lpm_t *t, const ts_ip_t *ip)
{
    if (ip->family == TS_AF_INET)
        return ts_lpm_lookup4(t, ts_ip_v4(ip));
    if (ip->family == TS_AF_INET6)
        return ts_lpm_lookup6(t, ip->bytes);
    return TS_LPM_NONE;
}

/* ---- the overlap walk ------------------------------------------------------ */

static void sorted_build(ts_lpm_t *t, unsigned fam)
{
    struct sorted *s = &t->sorted[fam];
    free(s->e);
    s->e = ts_xmalloc((t->count[fam] ? t->count[fam] : 1) * sizeof *s->e);
    s->n = 0;
    for (size_t k = 0; k < t->n; k++)
        if (t->ents[k].fam == fam)
            s->e[s->n++] = t->ents[k];
    qsort(s->e, s->n, sizeof *s->e, cmp_entry);
    s->dirty = false;
}

static void entry_prefix(const struct entry *e, ts_prefix_t *p)
{
    memset(p, 0, sizeof *p);
    p->len = e->len;
    if (e->fam == 0) {
        p->addr.family = TS_AF_INET;
        uint32_t v = (uint32_t)(e->hi >> 32);
        p->addr.bytes[0] = (uint8_t)(v >> 24);
        p->addr.bytes[1] = (uint8_t)(v >> 16);
        p->addr.bytes[2] = (uint8_t)(v >> 8);
        p->addr.bytes[3] = (uint8_t)v;
        return;
    }
    p->addr.family = TS_AF_INET6;
    for (int k = 0; k < 8; k++) {
        p->addr.bytes[k] = (uint8_t)(e->hi >> (56 - 8 * k));
        p->addr.bytes[k + 8] = (uint8_t)(e->lo >> (56 - 8 * k));
    }
}

/* (hi, lo) <= (bhi, blo) as 128-bit numbers. */
static bool key_le(uint64_t hi, uint64_t lo, uint64_t bhi, uint64_t blo)
{
    return hi < bhi || (hi == bhi && lo <= blo);
}

int ts_lpm_overlaps(ts_lpm_t *t, const ts_prefix_t *p, ts_lpm_overlap_cb cb, void *ctx)
{
    struct entry key;
    if (to_entry(p, &key) != 0)
        return TS_EINVAL;
    ts_prefix_t q;
    /* Containing: p cut to each length up to its own, looked up exactly. */
    for (unsigned l = 0; l <= key.len; l++) {
        struct entry k = key;
        k.len = (uint8_t)l;
        k.hi = l == 0 ? 0 : l >= 64 ? k.hi : k.hi & (UINT64_MAX << (64 - l));
        k.lo = l <= 64 ? 0 : l >= 128 ? k.lo : k.lo & (UINT64_MAX << (128 - l));
        size_t i = hash_find(t, &k);
        if (t->hash[i] == 0)
            continue;
        const struct entry *e = &t->ents[t->hash[i] - 1];
        entry_prefix(e, &q);
        int rc = cb(&q, e->value, ctx);
        if (rc)
            return rc;
    }
    struct sorted *s = &t->sorted[key.fam];
    if (s->dirty)
        sorted_build(t, key.fam);
    /* Inside: the entries starting in p's range, longer than p (an entry
     * starting there and not longer starts at p's start and contains p). */
    unsigned bits = key.fam == 0 ? 32 : 128;
    uint64_t ehi = key.hi, elo = key.lo; /* p's last address */
    if (key.len < 64)
        ehi |= key.len == 0 ? UINT64_MAX : UINT64_MAX >> key.len;
    if (key.len < 128)
        elo |= key.len <= 64 ? UINT64_MAX : UINT64_MAX >> (key.len - 64);
    if (bits == 32) {
        ehi &= UINT64_C(0xffffffff00000000);
        elo = 0;
    }
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_le(key.hi, key.lo, s->e[mid].hi, s->e[mid].lo))
            hi = mid;
        else
            lo = mid + 1;
    }
    for (size_t i = lo; i < s->n && key_le(s->e[i].hi, s->e[i].lo, ehi, elo); i++) {
        if (s->e[i].len <= key.len)
            continue;
        entry_prefix(&s->e[i], &q);
        int rc = cb(&q, s->e[i].value, ctx);
        if (rc)
            return rc;
    }
    return 0;
}
