/* SPDX-License-Identifier: Apache-2.0 */
/* Flow decoder throughput: a NetFlow v9 and an IPFIX stream shaped like
 * softflowd's output (template once, then 30 IPv4 flows per datagram) are
 * built in memory and decoded until N flows; prints CPU ns per flow and
 * flows/s, median of 5 runs. Usage: bench_flow [N] (default 10000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"

enum { DGRAMS = 1024, PER_DGRAM = 30, RUNS = 5 };

typedef struct dgram {
    uint8_t b[1500];
    size_t n;
} dgram_t;

static size_t put16(uint8_t *p, size_t o, uint32_t v)
{
    p[o] = (uint8_t)(v >> 8);
    p[o + 1] = (uint8_t)v;
    return o + 2;
}

static size_t put32(uint8_t *p, size_t o, uint32_t v)
{
    o = put16(p, o, v >> 16);
    return put16(p, o, v);
}

static size_t put64(uint8_t *p, size_t o, uint64_t v)
{
    o = put32(p, o, (uint32_t)(v >> 32));
    return put32(p, o, (uint32_t)v);
}

/* softflowd's v9 IPv4 template; IPFIX uses 8-byte counters and
 * flowStart/EndMilliseconds instead of sysUptime stamps. */
static const uint16_t v9_fields[][2] = {{8, 4}, {12, 4}, {21, 4}, {22, 4}, {1, 4},
                                        {2, 4}, {10, 4}, {14, 4}, {7, 2},  {11, 2},
                                        {6, 1}, {4, 1},  {5, 1},  {60, 1}};
static const uint16_t ipfix_fields[][2] = {{8, 4}, {12, 4}, {153, 8}, {152, 8}, {1, 8},
                                           {2, 8}, {10, 4}, {14, 4},  {7, 2},   {11, 2},
                                           {6, 1}, {4, 1},  {5, 1},   {60, 1}};
#define NF (sizeof v9_fields / sizeof v9_fields[0])

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static void build(dgram_t *d, int version)
{
    uint64_t seed = 42;
    const uint16_t(*f)[2] = version == 9 ? v9_fields : ipfix_fields;
    uint32_t seq = 0;
    for (int i = 0; i < DGRAMS; i++) {
        uint8_t *p = d[i].b;
        uint32_t secs = 1700000000 + (uint32_t)i / 10, uptime = 3600000 + (uint32_t)i * 100;
        size_t o = 0;
        if (version == 9) {
            o = put16(p, o, 9);
            o = put16(p, o, PER_DGRAM + (i == 0));
            o = put32(p, o, uptime);
            o = put32(p, o, secs);
            o = put32(p, o, seq++);
            o = put32(p, o, 0);
        } else {
            o = put16(p, o, 10);
            o = put16(p, o, 0);
            o = put32(p, o, secs);
            o = put32(p, o, seq);
            o = put32(p, o, 0);
            seq += PER_DGRAM;
        }
        if (i == 0) {
            size_t s = o;
            o = put16(p, o, version == 9 ? 0 : 2);
            o += 2;
            o = put16(p, o, 256);
            o = put16(p, o, NF);
            for (size_t k = 0; k < NF; k++) {
                o = put16(p, o, f[k][0]);
                o = put16(p, o, f[k][1]);
            }
            put16(p, s + 2, (uint32_t)(o - s));
        }
        size_t s = o;
        o = put16(p, o, 256);
        o += 2;
        for (int r = 0; r < PER_DGRAM; r++) {
            uint32_t pk = 1 + rnd(&seed) % 50;
            o = put32(p, o, 0x0a000000u | (rnd(&seed) & 0xffff));
            o = put32(p, o, 0xc0000200u | (rnd(&seed) & 0xff));
            if (version == 9) {
                o = put32(p, o, uptime - rnd(&seed) % 1000);
                o = put32(p, o, uptime - 1000 - rnd(&seed) % 30000);
                o = put32(p, o, pk * (40 + rnd(&seed) % 1400));
                o = put32(p, o, pk);
            } else {
                uint64_t ms = (uint64_t)secs * 1000;
                o = put64(p, o, ms - rnd(&seed) % 1000);
                o = put64(p, o, ms - 1000 - rnd(&seed) % 30000);
                o = put64(p, o, (uint64_t)pk * (40 + rnd(&seed) % 1400));
                o = put64(p, o, pk);
            }
            o = put32(p, o, 1);
            o = put32(p, o, 2);
            o = put16(p, o, 1024 + rnd(&seed) % 60000);
            o = put16(p, o, (const uint16_t[]){80, 443, 53, 22}[rnd(&seed) % 4]);
            p[o++] = 0x1b;
            p[o++] = rnd(&seed) % 4 ? 6 : 17;
            p[o++] = 0;
            p[o++] = 4;
        }
        put16(p, s + 2, (uint32_t)(o - s));
        if (version == 10)
            put16(p, 2, (uint32_t)o);
        d[i].n = o;
    }
}

static uint64_t sink;

static void cb(const ts_flow_t *f, size_t n, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        sink += f[i].bytes + f[i].src.bytes[3] + (uint64_t)f[i].first_ms;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench(const char *name, const dgram_t *d, uint64_t n)
{
    double ns[RUNS];
    for (int r = 0; r < RUNS; r++) {
        ts_flow_decoder_t *dec = ts_flow_decoder_new(NULL);
        ts_ip_t from = {.family = TS_AF_INET, .bytes = {192, 0, 2, 1}};
        uint64_t flows = 0;
        double t0 = cpu_s();
        for (size_t i = 0; flows < n; i = (i + 1) % DGRAMS) {
            int rc = ts_flow_decode(dec, &from, d[i].b, d[i].n, cb, NULL);
            if (rc < 0) {
                fprintf(stderr, "decode failed: %d\n", rc);
                exit(1);
            }
            flows += (uint64_t)rc;
        }
        ns[r] = (cpu_s() - t0) * 1e9 / (double)flows;
        ts_flow_decoder_free(dec);
    }
    qsort(ns, RUNS, sizeof ns[0], cmp);
    printf("%-6s %llu flows/run, %d flows/datagram: median %.1f ns CPU/flow, %.2f M flows/s "
           "(min %.1f, max %.1f ns)\n",
           name, (unsigned long long)n, PER_DGRAM, ns[RUNS / 2], 1e3 / ns[RUNS / 2], ns[0],
           ns[RUNS - 1]);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    if (n == 0)
        n = 1;
    dgram_t *d = calloc(DGRAMS, sizeof *d);
    if (d == NULL)
        return 1;
    build(d, 9);
    bench("v9", d, n);
    build(d, 10);
    bench("IPFIX", d, n);
    free(d);
    printf("(checksum %llu)\n", (unsigned long long)(sink & 0xffff));
    return 0;
}
