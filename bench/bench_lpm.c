/* SPDX-License-Identifier: Apache-2.0 */
/* LPM benchmark: 1,000,000 random prefixes per family, then single-threaded
 * random lookups, median of 5 runs.
 *
 * Length distributions (per mille) follow the shape of a global BGP table:
 *   IPv4: /24 58%, /22-/23 20%, /19-/21 11.5%, /16-/18 3.6%, /8-/15 3%,
 *         /25-/32 3.9% (constituency tables hold small blocks too).
 *   IPv6: /48 43.5%, /32 13%, /40-/47 19%, /33-/39 7%, /49-/64 12%,
 *         /16-/31 5.5%, /65-/128 1.5%.
 * Prefix bits are uniform random (IPv6 inside 2000::/3), which is the worst
 * case for a trie's sharing of upper levels. Lookup addresses are either
 * uniform (IPv4: all 2^32; IPv6: inside 2000::/3) or "matched": a random
 * address inside a random table prefix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ip.h"
#include "core/lpm.h"

#define SEED UINT64_C(0x7ec5112024)
#define NPREFIX 1000000
#define NADDR (1u << 22)
#define PASSES 5 /* lookups per run = NADDR * PASSES, about 21 M */
#define RUNS 5

static uint64_t rng = SEED;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

struct weight {
    unsigned len, permille;
};

static const struct weight w4[] = {
    {8, 1},  {9, 1},   {10, 1},  {11, 2},  {12, 3},  {13, 5},   {14, 7},   {15, 10},  {16, 15},
    {17, 8}, {18, 13}, {19, 25}, {20, 40}, {21, 50}, {22, 100}, {23, 100}, {24, 580}, {25, 5},
    {26, 5}, {27, 5},  {28, 5},  {29, 5},  {30, 4},  {31, 2},   {32, 8},
};

static const struct weight w6[] = {
    {16, 2},   {20, 3},  {24, 5},  {28, 10}, {29, 30},  {30, 5},  {31, 5},
    {32, 130}, {33, 10}, {34, 10}, {35, 10}, {36, 30},  {38, 10}, {40, 60},
    {42, 10},  {44, 60}, {46, 20}, {47, 20}, {48, 435}, {52, 10}, {56, 60},
    {60, 10},  {64, 40}, {80, 2},  {96, 3},  {112, 2},  {127, 3}, {128, 5},
};

static unsigned pick_len(const struct weight *w, size_t n)
{
    unsigned r = (unsigned)(rnd() % 1000), acc = 0;
    for (size_t k = 0; k < n; k++) {
        acc += w[k].permille;
        if (r < acc)
            return w[k].len;
    }
    return w[n - 1].len;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void mask(uint8_t *b, unsigned len, unsigned total)
{
    for (unsigned k = len; k < total; k++)
        b[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
}

/* Randomizes bits from..total-1 of b, keeping the bits before from. */
static void random_bits(uint8_t *b, unsigned from, unsigned total)
{
    for (unsigned k = from / 8; k < total / 8; k++) {
        uint8_t keep = k == from / 8 ? (uint8_t)(0xff00u >> (from % 8)) : 0;
        b[k] = (uint8_t)((b[k] & keep) | ((uint8_t)rnd() & ~keep));
    }
}

static ts_prefix_t *build_table(ts_lpm_t *t, int fam, double *insert_s, double *build_s)
{
    ts_prefix_t *set = malloc(NPREFIX * sizeof *set);
    if (set == NULL)
        abort();
    size_t n = 0;
    unsigned total = fam == 4 ? 32 : 128;
    double t0 = now();
    while (n < NPREFIX) {
        ts_prefix_t p;
        memset(&p, 0, sizeof p);
        p.addr.family = fam == 4 ? TS_AF_INET : TS_AF_INET6;
        for (unsigned k = 0; k < total / 8; k++)
            p.addr.bytes[k] = (uint8_t)rnd();
        if (fam == 6)
            p.addr.bytes[0] = (uint8_t)(0x20 | (p.addr.bytes[0] & 0x1f)); /* 2000::/3 */
        p.len = (uint8_t)(fam == 4 ? pick_len(w4, sizeof w4 / sizeof w4[0])
                                   : pick_len(w6, sizeof w6 / sizeof w6[0]));
        mask(p.addr.bytes, p.len, total);
        int rc = ts_lpm_insert(t, &p, (uint32_t)n, NULL);
        if (rc == 0)
            set[n++] = p;
        else if (rc != TS_EEXIST)
            abort();
    }
    double t1 = now();
    ts_lpm_build(t);
    double t2 = now();
    *insert_s = t1 - t0;
    *build_s = t2 - t1;
    return set;
}

/* Lookup addresses: matched ones lie in a random table prefix. */
static void make_addrs(uint8_t (*a)[16], const ts_prefix_t *set, int fam, bool matched)
{
    unsigned total = fam == 4 ? 32 : 128;
    for (size_t i = 0; i < NADDR; i++) {
        memset(a[i], 0, 16);
        if (matched) {
            const ts_prefix_t *p = &set[rnd() % NPREFIX];
            memcpy(a[i], p->addr.bytes, 16);
            random_bits(a[i], p->len, total);
        } else {
            random_bits(a[i], 0, total);
            if (fam == 6)
                a[i][0] = (uint8_t)(0x20 | (a[i][0] & 0x1f));
        }
    }
}

static void run(ts_lpm_t *t, const ts_prefix_t *set, int fam, bool matched, uint8_t (*a)[16],
                uint32_t *a4)
{
    make_addrs(a, set, fam, matched);
    for (size_t i = 0; i < NADDR; i++)
        a4[i] =
            (uint32_t)a[i][0] << 24 | (uint32_t)a[i][1] << 16 | (uint32_t)a[i][2] << 8 | a[i][3];
    double rate[RUNS];
    uint64_t acc = 0, hits = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (int pass = 0; pass < PASSES; pass++) {
            if (fam == 4) {
                for (size_t i = 0; i < NADDR; i++) {
                    uint32_t v = ts_lpm_lookup4(t, a4[i]);
                    acc += v;
                    hits += v != TS_LPM_NONE;
                }
            } else {
                for (size_t i = 0; i < NADDR; i++) {
                    uint32_t v = ts_lpm_lookup6(t, a[i]);
                    acc += v;
                    hits += v != TS_LPM_NONE;
                }
            }
        }
        double dt = now() - t0;
        rate[r] = (double)NADDR * PASSES / dt;
    }
    qsort(rate, RUNS, sizeof rate[0], cmp_double);
    printf("  %-8s lookups: %.2f M/s median of %d runs (min %.2f, max %.2f), %u lookups/run, "
           "%.1f%% matched, checksum %llx\n",
           matched ? "matched" : "uniform", rate[RUNS / 2] / 1e6, RUNS, rate[0] / 1e6,
           rate[RUNS - 1] / 1e6, NADDR * PASSES,
           100.0 * (double)hits / ((double)NADDR * PASSES * RUNS), (unsigned long long)acc);
}

/* Optional argument "4" or "6" runs one family only. */
int main(int argc, char **argv)
{
    int only = argc > 1 ? atoi(argv[1]) : 0;
    printf("bench_lpm: seed 0x%llx, %d prefixes per family, single thread\n",
           (unsigned long long)SEED, NPREFIX);
    uint8_t(*a)[16] = malloc(NADDR * sizeof *a);
    uint32_t *a4 = malloc(NADDR * sizeof *a4);
    if (a == NULL || a4 == NULL)
        abort();
    for (int fam = 4; fam <= 6; fam += 2) {
        if (only && fam != only)
            continue;
        ts_lpm_t *t = ts_lpm_new();
        double ins, bld;
        ts_prefix_t *set = build_table(t, fam, &ins, &bld);
        size_t mem = ts_lpm_memory(t);
        printf(
            "IPv%d: %zu prefixes, insert %.3f s, build %.3f s, memory %.1f MiB (%.1f B/prefix)\n",
            fam, ts_lpm_count(t), ins, bld, (double)mem / 1048576.0,
            (double)mem / (double)ts_lpm_count(t));
        run(t, set, fam, false, a, a4);
        run(t, set, fam, true, a, a4);
        free(set);
        ts_lpm_free(t);
    }
    free(a);
    free(a4);
    return 0;
}
