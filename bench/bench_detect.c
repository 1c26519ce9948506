/* SPDX-License-Identifier: Apache-2.0 */
/* Detector benchmark: CPU time per flow of ts_detect_flow plus the ticks
 * (one per second of flow time, and the window close at the end), over
 * 10 M synthetic flows, median of 5 runs. Default configuration (65536
 * sources and destinations, 300 s windows).
 *
 * The traffic is a busy site at 50 k flows/s of flow time (so a run covers
 * 200 s), per flow:
 *   50% web sessions between 60 k clients and 2 k servers (both directions)
 *   15% DNS to 4 resolvers and back        5% QUIC-like UDP 443 and back
 *    5% failed TCP connections of clients  5% 40 scanners probing random
 *       internet hosts (SYN, ports 23/22/445/3389/80)
 *    8% background radiation: SYNs from 2^24 random sources to the site
 *    3% SSH (long sessions, and 4 brute forcers)
 *    4% ICMP echo and replies             5% a DDoS from 2^20 sources to one
 *       host during the middle fifth of the run
 * Flows are generated in chunks of 2048 (cache-resident, as a record just
 * decoded would be) outside the timed region; only the
 * detector calls are timed (CLOCK_PROCESS_CPUTIME_ID).
 *
 * By default flows go through the batch entry point ts_detect_flows in runs
 * of up to BATCH (cut at each tick); "single" calls ts_detect_flow per flow.
 *
 * "busy" replaces the mix by the collector benchmark's traffic (bench_collect):
 * 65 k clients to 4096 servers in 198.18.0.0/20 (3/4 TCP 443, 1/4 UDP 53,
 * 1-20 packets over 1.9 s) at 1 M flows/s of flow time, i.e. thousands of
 * busy destinations each at a twentieth of the flood thresholds.
 *
 * Usage: bench_detect [flows [runs [batch|single [mix|busy]]]] */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "detect/detect.h"

#define CHUNK 2048
#define BATCH 240 /* flows of a collector receive batch (8 datagrams of 30) */
#define FLOWS_PER_SEC 50000

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * n) >> 32);
}

static ts_ip_t v4(uint32_t a)
{
    ts_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 4;
    ip.bytes[0] = (uint8_t)(a >> 24);
    ip.bytes[1] = (uint8_t)(a >> 16);
    ip.bytes[2] = (uint8_t)(a >> 8);
    ip.bytes[3] = (uint8_t)a;
    return ip;
}

static ts_flow_t *put(ts_flow_t *f, uint32_t s, uint16_t sp, uint32_t d, uint16_t dp, uint8_t proto,
                      uint8_t flags, uint64_t pk, uint64_t by, int64_t t, int64_t dur)
{
    memset(f, 0, sizeof *f);
    f->version = 10;
    f->src = v4(s);
    f->dst = v4(d);
    f->src_port = sp;
    f->dst_port = dp;
    f->proto = proto;
    f->tcp_flags = flags;
    f->packets = pk;
    f->bytes = by;
    f->first_ms = t - dur;
    f->last_ms = t;
    f->sampling = 1;
    return f + 1;
}

#define CLIENT(i) (0x0a000000u + (i)) /* 10.0.0.0/8 */
#define SERVER(i) (0xc0a80000u + (i)) /* 192.168.0.0/16 */
#define SITE_ANY() (0x0a000000u + rn(1u << 20))
#define SESSION 0x1b

/* Fills out[] with n flows starting at flow number base; returns the count
 * (session pairs may run one over n, so out has room for n + 1). */
static size_t generate(ts_flow_t *out, size_t n, uint64_t base, int64_t t0, uint64_t total)
{
    ts_flow_t *f = out;
    while ((size_t)(f - out) < n) {
        uint64_t k = base + (uint64_t)(f - out);
        int64_t t = t0 + (int64_t)(k * 1000 / FLOWS_PER_SEC);
        uint32_t r = rn(100);
        uint16_t eph = (uint16_t)(32768 + rn(28000));
        if (r < 50) {
            uint32_t c = CLIENT(rn(60000)), s = SERVER(rn(2000));
            uint64_t pk = 5 + rn(200);
            uint16_t dp = rn(4) ? 443 : 80;
            f = put(f, c, eph, s, dp, 6, SESSION, pk, pk * 90, t, rn(10000));
            f = put(f, s, dp, c, eph, 6, SESSION, pk + 3, pk * 1100, t, rn(10000));
        } else if (r < 65) {
            uint32_t c = CLIENT(rn(60000)), s = SERVER(53 + rn(4));
            f = put(f, c, eph, s, 53, 17, 0, 1, 70, t, 0);
            f = put(f, s, 53, c, eph, 17, 0, 1, 250, t, 0);
        } else if (r < 70) {
            uint32_t c = CLIENT(rn(60000)), s = SERVER(rn(2000));
            uint64_t pk = 3 + rn(500);
            f = put(f, c, eph, s, 443, 17, 0, pk, pk * 200, t, rn(20000));
            f = put(f, s, 443, c, eph, 17, 0, pk, pk * 1200, t, rn(20000));
        } else if (r < 75) {
            f = put(f, CLIENT(rn(60000)), eph, SERVER(rn(2000)), 443, 6, 0x02, 1 + rn(3), 60, t,
                    rn(3000));
        } else if (r < 80) {
            static const uint16_t ports[] = {23, 22, 445, 3389, 80};
            f = put(f, 0xcb007100u + rn(40), eph, (uint32_t)rnd(), ports[rn(5)], 6, 0x02, 1, 44, t,
                    0);
        } else if (r < 88) {
            f = put(f, 0x64000000u + rn(1u << 24), eph, SITE_ANY(), (uint16_t)rn(65536), 6, 0x02, 1,
                    40, t, 0);
        } else if (r < 91) {
            uint32_t s = SERVER(22 + rn(8));
            if (rn(4) == 0) {
                uint64_t pk = 11 + rn(30);
                f = put(f, 0xc6336400u + rn(4), eph, s, 22, 6, SESSION, pk, pk * 100, t, 3000);
            } else {
                uint64_t pk = 100 + rn(20000);
                f = put(f, CLIENT(rn(500)), eph, s, 22, 6, SESSION, pk, pk * 100, t, 60000);
            }
        } else if (r < 95) {
            uint32_t c = CLIENT(rn(60000)), s = SERVER(rn(2000));
            f = put(f, c, 0, s, 8 << 8, 1, 0, 1, 84, t, 0);
            f = put(f, s, 0, c, 0, 1, 0, 1, 84, t, 0);
        } else {
            bool attack = k >= total * 2 / 5 && k < total * 3 / 5;
            if (attack)
                f = put(f, 0x50000000u + rn(1u << 20), eph, SERVER(80), 80, 17, 0, 40, 40 * 512, t,
                        500);
            else
                f = put(f, CLIENT(rn(60000)), eph, SERVER(rn(2000)), 8080, 6, SESSION, 20, 20000, t,
                        2000);
        }
    }
    return (size_t)(f - out);
}

static bool busy;
#define BUSY_FLOWS_PER_SEC 1000000

static size_t generate_busy(ts_flow_t *out, size_t n, uint64_t base, int64_t t0)
{
    for (size_t i = 0; i < n; i++) {
        int64_t t = t0 + (int64_t)((base + i) * 1000 / BUSY_FLOWS_PER_SEC);
        uint64_t pk = 1 + rn(20);
        bool tcp = rn(4) != 0;
        put(&out[i], 0x0a000000u | rn(1u << 16), (uint16_t)(1024 + rn(60000)),
            0xc6120000u | rn(1u << 12), tcp ? 443 : 53, tcp ? 6 : 17, 0x1b, pk,
            pk * (40 + rn(1400)), t, 1900);
    }
    return n;
}

static uint64_t detections;
static void on_event(const ts_event_t *ev, void *ctx)
{
    (void)ev;
    (void)ctx;
    detections++;
}

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    bool single = argc > 3 && strcmp(argv[3], "single") == 0;
    busy = argc > 4 && strcmp(argv[4], "busy") == 0;
    if (total < CHUNK || runs < 1 || runs > 99 ||
        (argc > 3 && !single && strcmp(argv[3], "batch")) ||
        (argc > 4 && !busy && strcmp(argv[4], "mix"))) {
        fprintf(stderr, "usage: bench_detect [flows >= %d [runs 1-99 [batch|single [mix|busy]]]]\n",
                CHUNK);
        return 2;
    }
    ts_flow_t *buf = malloc((CHUNK + 1) * sizeof *buf);
    if (!buf)
        return 1;
    ts_arena_t *arena = ts_arena_new(65536);
    double per_flow[99];
    const int64_t t0 = INT64_C(1764000000000);
    for (int run = 0; run < runs; run++) {
        rng = UINT64_C(0xd37ec7) + (uint64_t)run;
        ts_detector_t *d = ts_detector_new(NULL);
        detections = 0;
        double ns = 0;
        uint64_t done = 0;
        int64_t next_tick = t0 + 1000;
        while (done < total) {
            size_t want = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
            size_t n =
                busy ? generate_busy(buf, want, done, t0) : generate(buf, want, done, t0, total);
            double a = cpu_ns();
            if (single) {
                for (size_t i = 0; i < n; i++) {
                    if (buf[i].last_ms >= next_tick) {
                        ts_detect_tick(d, next_tick, arena, on_event, NULL);
                        ts_arena_reset(arena);
                        next_tick += 1000;
                    }
                    ts_detect_flow(d, &buf[i]);
                }
            } else {
                /* Batches of up to BATCH flows, cut where a tick is due, as
                 * the collector feeds the flows of a receive batch. */
                for (size_t i = 0; i < n;) {
                    if (buf[i].last_ms >= next_tick) {
                        ts_detect_tick(d, next_tick, arena, on_event, NULL);
                        ts_arena_reset(arena);
                        next_tick += 1000;
                        continue;
                    }
                    size_t j = i + 1;
                    while (j < n && j - i < BATCH && buf[j].last_ms < next_tick)
                        j++;
                    ts_detect_flows(d, buf + i, j - i);
                    i = j;
                }
            }
            ns += cpu_ns() - a;
            done += n;
        }
        double a = cpu_ns();
        /* Close the window. */
        ts_detect_tick(d, t0 + 300000, arena, on_event, NULL);
        ns += cpu_ns() - a;
        ts_arena_reset(arena);
        ts_detect_stats_t st;
        ts_detect_get_stats(d, &st);
        per_flow[run] = ns / (double)done;
        printf("run %d: %.1f ns/flow (%llu flows, %llu detections, evicted %llu sources %llu "
               "destinations, %.1f MiB)\n",
               run + 1, per_flow[run], (unsigned long long)done, (unsigned long long)detections,
               (unsigned long long)st.evicted_sources, (unsigned long long)st.evicted_destinations,
               (double)st.memory / 1048576.0);
        ts_detector_free(d);
    }
    qsort(per_flow, (size_t)runs, sizeof per_flow[0], cmp_double);
    printf("median: %.1f ns of CPU per flow (%s + ticks, %s), %d runs\n", per_flow[runs / 2],
           single ? "ts_detect_flow" : "ts_detect_flows", busy ? "busy" : "mix", runs);
    ts_arena_free(arena);
    free(buf);
    return 0;
}
