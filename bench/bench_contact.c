/* SPDX-License-Identifier: Apache-2.0 */
/* Contact finding: lookups per second, median of 5 runs, in one run of
 *   1. the in-memory chain: 1,000,000 addresses against 1,000 own sites
 *      (a /16 each, one contact each) and 5,000 listed directory teams (a /20
 *      and an ASN each): a third hit a site, a third a team, a third neither
 *      (answered "none" without the network);
 *   2. the warm cache: 100,000 lookups of 1,000 addresses outside both,
 *      answered from the store's cache of network answers;
 *   3. with --rdap URL --cacert FILE (bench/contact_rdap.sh starts the
 *      loopback RDAP server of the tests): the RDAP path, 200 lookups with
 *      neither cache nor pacing, each a new HTTPS request and an abuse walk.
 *
 *   bench_contact [DIR] [--rdap URL --cacert FILE]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/event.h"
#include "directory/finder.h"
#include "notify/contact.h"
#include "store/notifystore.h"
#include "store/store.h"
#include "store/teamstore.h"

#define SITES 1000
#define TEAMS 5000
#define LOOKUPS 1000000
#define CACHED 100000
#define RDAP_LOOKUPS 200
#define RUNS 5

static uint64_t rng = UINT64_C(0x15c0ffee15);
static uint64_t rnd(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, int r)
{
    fprintf(stderr, "bench_contact: %s: %s\n", what, ts_strerror(r));
    exit(1);
}

/* Site i owns (10 + i / 250).(i % 250).0.0/16; team j owns the j-th /20 from
 * 20.0.0.0 on and AS 65000 + j. */
static void populate(ts_store_t *st)
{
    int64_t now = ts_time_now();
    int r = ts_store_begin(st);
    for (int i = 0; r == 0 && i < SITES; i++) {
        char name[32], net[32], mail[64], err[128];
        int64_t id;
        snprintf(name, sizeof name, "site-%d", i);
        snprintf(net, sizeof net, "%d.%d.0.0/16", 10 + i / 250, i % 250);
        snprintf(mail, sizeof mail, "abuse@site-%d.test", i);
        r = ts_store_site_add(st, name, 0, NULL, &id);
        if (r == 0)
            r = ts_store_claim_add(st, id, TS_RULE_NETWORK, net);
        if (r == 0)
            r = ts_contact_put(st, id, 0, &(ts_contact_in_t){.email = mail}, now, NULL, err,
                               sizeof err);
    }
    const char *why = NULL;
    for (int j = 0; r == 0 && j < TEAMS; j++) {
        char name[32], net[32], asn[16], mail[64];
        snprintf(name, sizeof name, "team-%d", j);
        uint32_t a = (20u << 24) + (uint32_t)j * 4096; /* 20.0.0.0 on, a /20 each */
        snprintf(net, sizeof net, "%u.%u.%u.0/20", a >> 24, (a >> 16) & 255, (a >> 8) & 255);
        snprintf(asn, sizeof asn, "%d", 65000 + j);
        snprintf(mail, sizeof mail, "cert@team-%d.test", j);
        ts_team_scope_t sc[] = {{TS_RULE_NETWORK, net}, {TS_RULE_ASN, asn}};
        ts_team_rec_t t = {
            .name = name, .country = "DE", .email = mail, .scopes = sc, .n_scopes = 2};
        r = ts_store_team_add(st, &t, now, "bench", NULL, &why);
        if (r == 0 && j < 2)
            r = ts_store_team_found(st, name, now, "bench", &why);
        if (r == 0 && j >= 2) {
            r = ts_store_team_sponsor(st, name, "team-0", now, "bench", &why);
            if (r == 0)
                r = ts_store_team_sponsor(st, name, "team-1", now, "bench", &why);
            if (r == 0)
                r = ts_store_team_list(st, name, now, "bench", &why);
        }
    }
    if (r)
        die(why ? why : "populate", r);
    if ((r = ts_store_commit(st)) != 0)
        die("commit", r);
}

/* The lookup addresses: a third in sites, a third in teams, a third in
 * 198.18.0.0/16, which nobody holds. */
static char (*make_queries(size_t n))[16]
{
    char(*q)[16] = malloc(n * sizeof *q);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = rnd();
        switch (i % 3) {
        case 0: {
            int s = (int)(x % SITES);
            snprintf(q[i], sizeof q[i], "%d.%d.%d.%d", 10 + s / 250, s % 250, (int)(x >> 20) & 255,
                     (int)(x >> 28) & 255);
            break;
        }
        case 1: {
            uint32_t a = (20u << 24) + (uint32_t)(x % ((uint64_t)TEAMS * 4096));
            snprintf(q[i], sizeof q[i], "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                     a & 255);
            break;
        }
        default:
            snprintf(q[i], sizeof q[i], "198.18.%d.%d", (int)(x >> 20) & 255, (int)(x >> 28) & 255);
        }
    }
    return q;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    const char *dir = "/tmp", *rdap = NULL, *cacert = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rdap") == 0 && i + 1 < argc)
            rdap = argv[++i];
        else if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
            cacert = argv[++i];
        else
            dir = argv[i];
    }
    char loc[1024];
    snprintf(loc, sizeof loc, "%s/bench_contact.%d.db", dir, (int)getpid());
    ts_store_t *st = NULL;
    int r = ts_store_open(loc, &st);
    if (r)
        die("open", r);
    double t0 = now_s();
    populate(st);
    printf("store: %d sites, %d listed teams, built in %.1f s\n", SITES, TEAMS, now_s() - t0);

    /* 1. In memory. */
    ts_finder_opts_t o = {.no_network = true, .no_cache = true};
    ts_finder_t *f = NULL;
    t0 = now_s();
    if ((r = ts_finder_new(st, &o, &f)) != 0)
        die("finder", r);
    printf("finder loaded in %.3f s\n", now_s() - t0);
    char(*q)[16] = make_queries(LOOKUPS);
    size_t hits[3] = {0};
    double rate[RUNS];
    int64_t now = ts_time_now();
    for (int run = 0; run < RUNS; run++) {
        ts_contact_answer_t a;
        t0 = now_s();
        for (size_t i = 0; i < LOOKUPS; i++) {
            if (ts_finder_find(f, q[i], now, &a) != 0)
                die("find", TS_EINVAL);
            if (run == 0)
                hits[a.source[0] == 's' ? 0 : a.source[0] == 't' ? 1 : 2]++;
        }
        rate[run] = LOOKUPS / (now_s() - t0);
    }
    ts_finder_free(f);
    printf("in memory: %zu site, %zu team, %zu none answers of %d addresses\n", hits[0], hits[1],
           hits[2], LOOKUPS);
    printf("in memory: median %.0f lookups/s (runs:", median(rate, RUNS));
    for (int i = 0; i < RUNS; i++)
        printf(" %.0f", rate[i]);
    printf(")\n");

    /* 2. The warm cache: answers kept as `contact find` keeps RDAP answers. */
    r = ts_store_begin(st);
    for (int i = 0; r == 0 && i < 1000; i++) {
        char addr[32], mail[64];
        snprintf(addr, sizeof addr, "198.19.%d.%d", i / 256, i % 256);
        snprintf(mail, sizeof mail, "abuse@net-%d.test", i);
        ts_lookup_rec_t l = {.query = addr,
                             .source = "rdap",
                             .server = "https://rdap.test/",
                             .object = "NET-1",
                             .email = mail,
                             .fetched = now,
                             .expires = now + 86400LL * 1000000};
        r = ts_store_lookup_put(st, &l);
    }
    if (r == 0)
        r = ts_store_commit(st);
    if (r)
        die("cache", r);
    o.no_cache = false;
    if ((r = ts_finder_new(st, &o, &f)) != 0)
        die("finder", r);
    for (int run = 0; run < RUNS; run++) {
        ts_contact_answer_t a;
        t0 = now_s();
        for (int i = 0; i < CACHED; i++) {
            char addr[32];
            int k = (int)(rnd() % 1000);
            snprintf(addr, sizeof addr, "198.19.%d.%d", k / 256, k % 256);
            if (ts_finder_find(f, addr, now, &a) != 0 || !a.cached)
                die("cached find", TS_ENOENT);
        }
        rate[run] = CACHED / (now_s() - t0);
    }
    ts_finder_free(f);
    printf("warm cache (store): median %.0f lookups/s (runs:", median(rate, RUNS));
    for (int i = 0; i < RUNS; i++)
        printf(" %.0f", rate[i]);
    printf(")\n");

    /* 3. RDAP over HTTPS against the loopback server. */
    if (rdap) {
        ts_finder_opts_t ro = {.rdap_base = rdap,
                               .cacert = cacert,
                               .no_cache = true,
                               .min_interval_ms = -1,
                               .timeout_ms = 5000,
                               .whois_host = "127.0.0.1",
                               .whois_port = 1};
        if ((r = ts_finder_new(st, &ro, &f)) != 0)
            die("finder", r);
        for (int run = 0; run < RUNS; run++) {
            ts_contact_answer_t a;
            t0 = now_s();
            for (int i = 0; i < RDAP_LOOKUPS; i++)
                if (ts_finder_find(f, "192.0.2.1", now, &a) != 0 || strcmp(a.source, "rdap") != 0) {
                    fprintf(stderr, "bench_contact: RDAP answer: %s (%s)\n", a.source, a.trail);
                    return 1;
                }
            rate[run] = RDAP_LOOKUPS / (now_s() - t0);
        }
        ts_finder_free(f);
        printf("RDAP over HTTPS (loopback, a new connection each): median %.0f lookups/s (runs:",
               median(rate, RUNS));
        for (int i = 0; i < RUNS; i++)
            printf(" %.0f", rate[i]);
        printf(")\n");
    }
    free(q);
    ts_store_close(st);
    unlink(loc);
    char side[1100];
    snprintf(side, sizeof side, "%s-wal", loc);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", loc);
    unlink(side);
    return 0;
}
