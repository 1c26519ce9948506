/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API's queries on a large store, in process (no TLS, answer cache
 * off): what each request costs the store and the JSON writer.
 *
 *   bench_api DB [EVENTS]
 *
 * A new DB is filled first: 31 sites in a binary tree four levels deep, site
 * i owning 10.i.0.0/16, and EVENTS events (default 1,000,000) spread over the
 * last 90 days, 30% of them outside the constituency, the rest skewed towards
 * the upper sites; an existing DB is reused as it is. Then every request is
 * timed for four callers: the CSIRT, the root site (the whole tree), a middle
 * site and a leaf. Prints milliseconds per request, wall and CPU (mean over a
 * few runs).
 *
 * BENCH_API_SCANS=P (0-100) makes P% of the events address scans of 32 hosts
 * in four sites' networks (routed with their shares), for a store heavy with
 * multi-target events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "portal/api.h"
#include "route/loader.h"
#include "store/store.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of the calling thread: what a request costs, steadier than wall
 * time on a machine shared with other work. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void req(ts_store_t *st, const ts_principal_t *w, const char *path, const char *q, int reps)
{
    double t0 = now_s(), c0 = cpu_s();
    size_t len = 0;
    int status = 0;
    for (int i = 0; i < reps; i++) {
        ts_http_req_t r = {.method = "GET", .path = path, .query = q, .who = w};
        ts_http_resp_t resp;
        ts_http_resp_init(&resp);
        ts_api_handle(st, &r, &resp);
        status = resp.status;
        len = resp.body.len;
        ts_http_resp_free(&resp);
    }
    printf("%-6s %-16s %-28s status=%d bytes=%-7zu %9.2f ms/req %9.2f ms cpu/req\n",
           w->csirt ? "csirt" : w->site, path + 7, q ? q : "", status, len,
           (now_s() - t0) * 1000 / reps, (cpu_s() - c0) * 1000 / reps);
}

static int fill(ts_store_t *st, long n)
{
    int64_t ids[31] = {0};
    if (ts_store_begin(st))
        return -1;
    for (int i = 0; i < 31; i++) {
        char name[16], net[32];
        snprintf(name, sizeof name, "s%02d", i);
        int64_t parent = i == 0 ? 0 : ids[(i - 1) / 2];
        snprintf(net, sizeof net, "10.%d.0.0/16", i);
        if (ts_store_site_add(st, name, parent, "", &ids[i]) ||
            ts_store_claim_add(st, ids[i], TS_RULE_NETWORK, net))
            return -1;
    }
    if (ts_store_commit(st))
        return -1;
    ts_constituency_t *c;
    if (ts_constituency_load(st, &c))
        return -1;
    static const char *const types[] = {"scanner", "brute-force", "ddos", "phishing"};
    int64_t t_now = ts_time_now();
    const char *sc = getenv("BENCH_API_SCANS");
    long scans = sc ? atol(sc) : 0;
    ts_arena_t *ra = ts_arena_new(1 << 16);
    double t0 = now_s();
    for (long k = 0; k < n; k++) {
        if (k % 10000 == 0 && ts_store_begin(st))
            return -1;
        ts_event_t e;
        ts_event_init(&e);
        e.time_source = t_now - (int64_t)(rnd() % (90ULL * 86400000000ULL));
        const char *t = types[rnd() % 4];
        if (ts_type_lookup(t, strlen(t), &e.type) != 0)
            return -1;
        /* 30% outside; inside, site i gets a share falling with its depth */
        int site = rnd() % 10 < 3 ? 200 : (int)((rnd() % 31) * (rnd() % 31) / 31);
        e.src.ip.family = TS_AF_INET;
        e.src.ip.bytes[0] = 10;
        e.src.ip.bytes[1] = (uint8_t)site;
        e.src.ip.bytes[2] = (uint8_t)rnd();
        e.src.ip.bytes[3] = (uint8_t)rnd();
        e.dst.ip.family = TS_AF_INET;
        e.dst.ip.bytes[0] = 203;
        e.dst.ip.bytes[2] = 113;
        e.dst.ip.bytes[3] = (uint8_t)rnd();
        ts_targets_t scan;
        ts_prefix_t hosts[32];
        if (scans > 0 && (long)(rnd() % 100) < scans) { /* same events as before when 0 */
            /* 8 hosts in each of 4 random sites' /16s, sorted. */
            int at[4];
            for (int s = 0; s < 4; s++)
                at[s] = (int)(rnd() % 31);
            for (int s = 0; s < 4; s++)
                for (int h = 0; h < 8; h++) {
                    ts_prefix_t *x = &hosts[s * 8 + h];
                    memset(x, 0, sizeof *x);
                    x->addr.family = TS_AF_INET;
                    x->addr.bytes[0] = 10;
                    x->addr.bytes[1] = (uint8_t)at[s];
                    x->addr.bytes[2] = (uint8_t)s;
                    x->addr.bytes[3] = (uint8_t)(1 + h);
                    x->len = 32;
                }
            scan = (ts_targets_t){hosts, (uint32_t)ts_targets_normalize(hosts, 32), 0};
            scan.count = scan.n;
            e.dst.ip.family = TS_AF_NONE;
            e.dst.targets = &scan;
        }
        ts_link_t *links;
        ts_arena_reset(ra);
        int nl = ts_constituency_route(c, &e, ra, &links);
        if (ts_store_event_add(st, &e, links, nl, 0, 0, NULL)) {
            fprintf(stderr, "%s\n", ts_store_errmsg(st));
            return -1;
        }
        if ((k % 10000 == 9999 || k == n - 1) && ts_store_commit(st))
            return -1;
    }
    printf("filled %ld events in %.1f s\n", n, now_s() - t0);
    ts_arena_free(ra);
    ts_constituency_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_api DB [EVENTS]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    ts_api_set_cache(false);
    ts_store_t *st;
    if (ts_store_open(argv[1], &st))
        return 1;
    int64_t have;
    if (ts_store_site_find(st, "s00", &have) != 0 && fill(st, n) != 0) {
        fprintf(stderr, "bench_api: cannot fill %s\n", argv[1]);
        return 1;
    }
    int64_t root, mid, leaf;
    if (ts_store_site_find(st, "s00", &root) || ts_store_site_find(st, "s03", &mid) ||
        ts_store_site_find(st, "s30", &leaf))
        return 1;
    ts_principal_t csirt = {.csirt = true, .holder = "bench"};
    ts_principal_t r = {.site_id = root, .site = "s00"}, m = {.site_id = mid, .site = "s03"},
                   l = {.site_id = leaf, .site = "s30"};
    ts_principal_t *who[] = {&csirt, &r, &m, &l};
    for (int i = 0; i < 4; i++) {
        req(st, who[i], "/api/v1/events", NULL, 5);
        req(st, who[i], "/api/v1/events", "limit=1000", 2);
        req(st, who[i], "/api/v1/events", "type=ddos&role=source", 5);
        req(st, who[i], "/api/v1/events", "ip=10.30.1.0/24", 2);
        req(st, who[i], "/api/v1/events", "since=2d&until=1d", 2);
        req(st, who[i], "/api/v1/events/500000", NULL, 20);
        req(st, who[i], "/api/v1/stats", NULL, 1);
        req(st, who[i], "/api/v1/stats", "since=1d", 2);
        req(st, who[i], "/api/v1/site", "site=s30", 20);
    }
    ts_store_close(st);
    return 0;
}
