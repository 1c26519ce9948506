/* SPDX-License-Identifier: Apache-2.0 */
/* Ingest throughput: (1) parse + classify + route of EVE alert lines in
 * memory, (2) the whole pipeline from a file to SQLite with synchronous=FULL,
 * i.e. events committed per second, with the aggregation into incidents and
 * roll-ups (the default) and without it (ts_store_incidents_enable(st,
 * false)), the runs interleaved so both see the same machine. Prints the
 * median of several runs.
 *
 * Usage: bench_ingest [LINES] [RUNS] [DBDIR] [BATCH] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "ingest/ingest.h"
#include "ingest/parser.h"
#include "route/constituency.h"
#include "route/loader.h"
#include "store/incstore.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static const char *sigs[][2] = {
    {"ET SCAN Potential SSH Scan", "Attempted Information Leak"},
    {"ET MALWARE Cobalt Strike Beacon Observed", "A Network Trojan was detected"},
    {"ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)",
     "Attempted Administrator Privilege Gain"},
    {"ET POLICY External IP Lookup api.ipify.org",
     "Device Retrieving External IP Address Detected"},
};

/* One realistic alert line (about 550-650 bytes), 15% IPv6. Internal hosts
 * are in 10.0.0.0/8 and fd00::/8, which the benchmark constituency splits. */
static void gen_line(ts_buf_t *b, uint64_t i)
{
    char src[64], dst[64];
    int v6 = rnd() % 100 < 15;
    if (v6) {
        snprintf(src, sizeof src, "2001:db8:%x::%x", rnd() & 0xffff, rnd() & 0xffff);
        snprintf(dst, sizeof dst, "fd00:%x:%x::%x", rnd() & 0xffff, rnd() & 0xffff, rnd() & 0xffff);
    } else {
        snprintf(src, sizeof src, "203.0.%u.%u", rnd() % 256, rnd() % 256);
        snprintf(dst, sizeof dst, "10.%u.%u.%u", rnd() % 256, rnd() % 256, rnd() % 256);
    }
    int s = (int)(rnd() % 4);
    ts_buf_printf(
        b,
        "{\"timestamp\":\"2026-11-27T10:%02u:%02u.%06u+0000\",\"flow_id\":%llu,"
        "\"in_iface\":\"ens1f0\",\"event_type\":\"alert\",\"src_ip\":\"%s\",\"src_port\":%u,"
        "\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"TCP\",\"app_proto\":\"tls\","
        "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":%u,"
        "\"signature\":\"%s\",\"category\":\"%s\",\"severity\":%u,\"metadata\":{"
        "\"created_at\":[\"2021_12_10\"],\"updated_at\":[\"2024_05_14\"]}},"
        "\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,"
        "\"bytes_toclient\":%u,\"start\":\"2026-11-27T10:00:00.000000+0000\"}}\n",
        rnd() % 60, rnd() % 60, rnd() % 1000000, (unsigned long long)(i * 7919 + 1), src,
        1024 + rnd() % 60000, dst, 443, 2000000 + rnd() % 100000, 1 + rnd() % 9, sigs[s][0],
        sigs[s][1], 1 + rnd() % 3, rnd() % 50, rnd() % 50, rnd() % 100000, rnd() % 100000);
}

/* 10,000 sites: 256 /16s each split into /24 departments for a share of them. */
static ts_constituency_t *make_constituency(void)
{
    ts_constituency_t *c = ts_constituency_new();
    int64_t id = 1;
    const char *holder;
    for (int a = 0; a < 256; a++) {
        char name[32];
        snprintf(name, sizeof name, "org%d", a);
        int64_t org = id++;
        if (ts_constituency_add_site(c, org, name, 0) < 0)
            abort();
        ts_prefix_t p;
        char txt[64];
        snprintf(txt, sizeof txt, "10.%d.0.0/16", a);
        if (ts_prefix_parse(txt, strlen(txt), &p) < 0 ||
            ts_constituency_add_network(c, org, &p, &holder) < 0)
            abort();
        snprintf(txt, sizeof txt, "fd00:%x::/32", a);
        if (ts_prefix_parse(txt, strlen(txt), &p) < 0 ||
            ts_constituency_add_network(c, org, &p, &holder) < 0)
            abort();
        for (int d = 0; d < 38; d++) {
            snprintf(name, sizeof name, "org%d-dept%d", a, d);
            int64_t dept = id++;
            if (ts_constituency_add_site(c, dept, name, org) < 0)
                abort();
            snprintf(txt, sizeof txt, "10.%d.%d.0/24", a, d * 6);
            if (ts_prefix_parse(txt, strlen(txt), &p) < 0 ||
                ts_constituency_add_network(c, dept, &p, &holder) < 0)
                abort();
        }
    }
    return c;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    size_t batch = argc > 4 ? (size_t)strtoull(argv[4], NULL, 10) : 20000;
    if (runs < 1 || runs > 50)
        runs = 5;

    ts_buf_t data = TS_BUF_INIT;
    size_t *off = malloc((n + 1) * sizeof *off);
    for (size_t i = 0; i < n; i++) {
        off[i] = data.len;
        gen_line(&data, i);
    }
    off[n] = data.len;
    ts_constituency_t *c = make_constituency();
    printf("bench_ingest: %zu EVE alert lines, %.1f MB (%.0f B/line), %zu sites\n", n,
           (double)data.len / 1e6, (double)data.len / (double)n, ts_constituency_site_count(c));

    /* (1) parse + classify + route, no store. */
    double rates[50];
    ts_arena_t *arena = ts_arena_new(1 << 20);
    uint64_t linked = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) {
            ts_event_t ev;
            ts_parse_error_t err;
            int rc = ts_eve_parse(data.data + off[i], off[i + 1] - off[i] - 1, arena, &ev, &err);
            if (rc != TS_PARSE_EVENT) {
                fprintf(stderr, "line %zu: %s\n", i, err.detail);
                return 1;
            }
            ts_link_t *links;
            linked += (uint64_t)ts_constituency_route(c, &ev, arena, &links);
            if ((i & 1023) == 1023)
                ts_arena_reset(arena);
        }
        rates[r] = (double)n / (now_s() - t0);
    }
    qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
    printf("parse+classify+route: median %.0f lines/s (%.0f MB/s), min %.0f, max %.0f, "
           "%d runs, %.2f links/line\n",
           rates[runs / 2], rates[runs / 2] * (double)data.len / (double)n / 1e6, rates[0],
           rates[runs - 1], runs, (double)linked / (double)n / runs);
    ts_arena_free(arena);

    /* (2) the whole pipeline into SQLite (WAL, synchronous=FULL). */
    char path[4096], db[4096];
    snprintf(path, sizeof path, "%s/bench_ingest_%d.json", dir, (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data.data, 1, data.len, f) != data.len || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    int store_runs = runs < 3 ? runs : 3;
    double rates_off[50];
    for (int r = 0; r < 2 * store_runs; r++) {
        bool on = (r & 1) == 0;
        snprintf(db, sizeof db, "%s/bench_ingest_%d.db", dir, (int)getpid());
        unlink(db);
        ts_store_t *st;
        if (ts_store_open(db, &st) < 0)
            return 1;
        ts_store_incidents_enable(st, on);
        /* Mirror the constituency into the store so routing links real site ids. */
        ts_constituency_t *cc = make_constituency();
        ts_ingest_opts_t o;
        ts_ingest_opts_init(&o);
        o.path = path;
        o.parser = ts_parser_find("eve");
        o.batch_max = batch;
        o.batch_ms = 2000; /* one-shot file ingest: batches end on size */
        ts_ingest_stats_t stats;
        double t0 = now_s();
        if (ts_ingest_run(st, &cc, &o, &stats) < 0)
            return 1;
        (on ? rates : rates_off)[r / 2] = (double)stats.events / (now_s() - t0);
        ts_constituency_free(cc);
        ts_store_close(st);
        char wal[4200], shm[4200];
        snprintf(wal, sizeof wal, "%s-wal", db);
        snprintf(shm, sizeof shm, "%s-shm", db);
        unlink(db);
        unlink(wal);
        unlink(shm);
    }
    qsort(rates, (size_t)store_runs, sizeof rates[0], cmp_double);
    qsort(rates_off, (size_t)store_runs, sizeof rates_off[0], cmp_double);
    printf("parse+classify+route+store (SQLite WAL, synchronous=FULL, batch %zu), incidents on: "
           "median %.0f events/s committed, min %.0f, max %.0f, %d runs\n",
           batch, rates[store_runs / 2], rates[0], rates[store_runs - 1], store_runs);
    printf("parse+classify+route+store (SQLite WAL, synchronous=FULL, batch %zu), incidents off: "
           "median %.0f events/s committed, min %.0f, max %.0f, %d runs\n",
           batch, rates_off[store_runs / 2], rates_off[0], rates_off[store_runs - 1], store_runs);
    unlink(path);
    ts_constituency_free(c);
    ts_buf_free(&data);
    free(off);
    return 0;
}
