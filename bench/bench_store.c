/* SPDX-License-Identifier: Apache-2.0 */
/* Store write throughput: N events (realistic fields, ~70% with one owner
 * link, ~10% with two) committed in batches of 1,000, 10,000 and 50,000 per
 * transaction, synchronous=FULL, into a fresh file each run; prints the median
 * events/s committed over the runs and the database size. Then times a few
 * reads on the last database: per-site newest-first pages and counts.
 *
 * BENCH_TARGETS=K makes every event an address scan of K hosts (at most 256)
 * spread over 4 sites: a destination target list and 4 links, each with its
 * site's share (the multi-target load).
 *
 * usage: bench_store [N=1000000] [runs=3] [dir=/tmp] [batch...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/taxonomy.h"
#include "store/store.h"

#define POOL 4096
#define N_SITES 200

static const char *const idents[] = {"ET SCAN Potential SSH Scan",
                                     "ET POLICY curl User-Agent",
                                     "ssh-bruteforce",
                                     "open-resolver",
                                     "mirai",
                                     "emotet",
                                     "ET MALWARE Cobalt Strike Beacon",
                                     "spam"};
static const char *const feeds[] = {"suricata-eve", "shadowserver-scan-dns", "intelmq-collector",
                                    "dshield"};
static const char *const apps[] = {"ssh", "http", "dns", "smtp", "rdp", "telnet"};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define SCAN_SITES 4
#define SCAN_MAX 256

typedef struct proto {
    ts_event_t ev;
    ts_link_t links[SCAN_SITES];
    int n_links;
    char rules[SCAN_SITES][32];
    char extra_flow[32];
    char extra_sid[16];
    ts_prefix_t hosts[SCAN_MAX]; /* BENCH_TARGETS: sorted, SCAN_SITES runs of k / SCAN_SITES */
    ts_targets_t targets;
} proto_t;

/* An address scan of k hosts, k / SCAN_SITES in a /24 of each of SCAN_SITES
 * sites (distinct, by increasing id as routing gives them), one destination
 * link per site holding its share. */
static void make_scan(proto_t *p, int64_t first_site, unsigned k)
{
    unsigned per = k / SCAN_SITES;
    const int64_t span = (N_SITES - 1) / SCAN_SITES;
    p->ev.dst.ip.family = TS_AF_NONE;
    p->n_links = SCAN_SITES;
    for (int s = 0; s < SCAN_SITES; s++) {
        int64_t site = first_site + 1 + s * span + (int64_t)(rnd() % (uint64_t)span);
        uint8_t net = (uint8_t)(site - first_site);
        for (unsigned h = 0; h < per; h++) {
            ts_prefix_t *x = &p->hosts[s * per + h];
            memset(x, 0, sizeof *x);
            x->addr.family = TS_AF_INET;
            x->addr.bytes[0] = 10;
            x->addr.bytes[1] = net;
            x->addr.bytes[2] = 7;
            x->addr.bytes[3] = (uint8_t)(1 + h);
            x->len = 32;
        }
        ts_link_t *l = &p->links[s];
        memset(l, 0, sizeof *l);
        l->role = TS_ROLE_DESTINATION;
        l->match.site_id = site;
        l->match.kind = TS_RULE_NETWORK;
        snprintf(p->rules[s], sizeof p->rules[s], "10.%u.7.0/24", (unsigned)net);
        l->match.rule = p->rules[s];
        l->match.site_name = "";
        l->own = (ts_targets_t){&p->hosts[s * per], per, per};
    }
    p->targets = (ts_targets_t){p->hosts, per * SCAN_SITES, per * SCAN_SITES};
    p->ev.dst.targets = &p->targets;
}

static void make_proto(proto_t *p, int64_t first_site)
{
    ts_event_t *e = &p->ev;
    memset(e, 0, sizeof *e);
    e->time_source = 1795761000000000LL + (int64_t)(rnd() % 86400000000ULL);
    e->time_observation = e->time_source + 5000000;
    e->type = (ts_type_t)(rnd() % TS_RSIT_TYPES);
    e->identifier = ts_str_c(idents[rnd() % 8]);
    if (rnd() % 4 == 0)
        e->description = ts_str_c("Potential scanning activity observed on the perimeter");
    if (rnd() % 10 == 0) {
        e->src.ip.family = TS_AF_INET6;
        for (int i = 0; i < 16; i++)
            e->src.ip.bytes[i] = (uint8_t)rnd();
        e->src.ip.bytes[0] = 0x20;
        e->src.ip.bytes[1] = 0x01;
    } else {
        e->src.ip.family = TS_AF_INET;
        for (int i = 0; i < 4; i++)
            e->src.ip.bytes[i] = (uint8_t)rnd();
    }
    e->src.port = (int32_t)(1024 + rnd() % 60000);
    e->src.asn = (int64_t)(rnd() % 400000);
    e->src.fqdn = rnd() % 3 == 0 ? ts_str_c("host-1-2-3-4.dyn.example.net") : TS_STR_NULL;
    e->dst.ip.family = TS_AF_INET;
    e->dst.ip.bytes[0] = 192;
    e->dst.ip.bytes[1] = 0;
    e->dst.ip.bytes[2] = (uint8_t)rnd();
    e->dst.ip.bytes[3] = (uint8_t)rnd();
    e->dst.port = (int32_t)(rnd() % 1024);
    e->dst.asn = 64500;
    e->dst.url = rnd() % 8 == 0 ? ts_str_c("http://www.example.org/wp-login.php") : TS_STR_NULL;
    e->transport = ts_str_c(rnd() % 3 ? "tcp" : "udp");
    e->application = ts_str_c(apps[rnd() % 6]);
    e->feed_name = ts_str_c(feeds[rnd() % 4]);
    e->feed_provider = ts_str_c("CERT-EXAMPLE");
    e->count = 1 + rnd() % 5;
    snprintf(p->extra_flow, sizeof p->extra_flow, "\"%llu\"",
             (unsigned long long)(rnd() % 10000000000000ULL));
    snprintf(p->extra_sid, sizeof p->extra_sid, "%u", (unsigned)(2000000 + rnd() % 100000));
    e->n_extra = 3;
    e->extra[0] = (ts_extra_t){TS_STR_LIT("flow_id"), ts_str_c(p->extra_flow)};
    e->extra[1] = (ts_extra_t){TS_STR_LIT("signature_id"), ts_str_c(p->extra_sid)};
    e->extra[2] = (ts_extra_t){TS_STR_LIT("severity"), TS_STR_LIT("2")};

    unsigned r = (unsigned)(rnd() % 100);
    p->n_links = r < 70 ? 1 : r < 80 ? 2 : 0;
    for (int i = 0; i < p->n_links; i++) {
        ts_link_t *l = &p->links[i];
        l->role = i == 0 ? TS_ROLE_DESTINATION : TS_ROLE_SOURCE;
        l->match.site_id = first_site + 1 + (int64_t)(rnd() % (N_SITES - 1));
        l->match.kind = TS_RULE_NETWORK;
        snprintf(p->rules[i], sizeof p->rules[i], "192.0.%u.0/24", (unsigned)(rnd() % 256));
        l->match.rule = p->rules[i];
        l->match.site_name = "";
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void remove_db(const char *path)
{
    char p[4200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sets up the constituency: a root and N_SITES-1 children. Returns the root id. */
static int setup_sites(ts_store_t *st, int64_t *root)
{
    int r = ts_store_begin(st);
    if (r == 0)
        r = ts_store_site_add(st, "root", 0, "bench", root);
    for (int i = 1; r == 0 && i < N_SITES; i++) {
        char name[32];
        int64_t id;
        snprintf(name, sizeof name, "site-%03d", i);
        r = ts_store_site_add(st, name, *root, NULL, &id);
    }
    return r ? r : ts_store_commit(st);
}

static proto_t *pool;

/* One run: N events in batches of batch. Returns events/s or -1; *cpu_us is
 * the process CPU time per event, steadier than wall time on a busy machine. */
static double run_once(const char *path, size_t n, size_t batch, long long *size, double *cpu_us)
{
    remove_db(path);
    ts_store_t *st = NULL;
    int64_t root;
    ts_input_state_t in;
    if (ts_store_open(path, &st) != 0 || setup_sites(st, &root) != 0 ||
        ts_store_input_get(st, "/var/log/suricata/eve.json", "suricata", &in) != 0) {
        fprintf(stderr, "setup failed: %s\n", st ? ts_store_errmsg(st) : "open");
        ts_store_close(st);
        return -1;
    }
    double t0 = now_s(), c0 = cpu_s();
    size_t done = 0;
    while (done < n) {
        if (ts_store_begin(st) != 0)
            goto fail;
        size_t end = done + batch < n ? done + batch : n;
        for (; done < end; done++) {
            proto_t *p = &pool[done % POOL];
            /* Vary what changes between real events of the same kind. */
            p->ev.time_source += 1000;
            p->ev.src.port = (int32_t)(1024 + done % 60000);
            if (ts_store_event_add(st, &p->ev, p->links, p->n_links, in.id, done + 1, NULL) != 0)
                goto fail;
        }
        in.line = done;
        in.offset = done * 600;
        if (ts_store_input_checkpoint(st, &in) != 0 || ts_store_commit(st) != 0)
            goto fail;
    }
    double t = now_s() - t0;
    *cpu_us = (cpu_s() - c0) * 1e6 / (double)n;
    ts_store_close(st);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    *size = file_size(path) + file_size(wal);
    return (double)n / t;
fail:
    fprintf(stderr, "insert failed: %s\n", ts_store_errmsg(st));
    ts_store_rollback(st);
    ts_store_close(st);
    return -1;
}

static int count_cb(const ts_stored_event_t *e, void *ctx)
{
    (void)e;
    ++*(size_t *)ctx;
    return 0;
}

static void time_reads(const char *path)
{
    ts_store_t *st = NULL;
    if (ts_store_open(path, &st) != 0)
        return;
    int64_t root = 0, leaf = 0;
    if (ts_store_site_find(st, "root", &root) != 0 || ts_store_site_find(st, "site-042", &leaf))
        goto out;
    struct {
        const char *what;
        int64_t site;
        size_t limit;
        int64_t since;
    } q[] = {
        {"all, newest 100", 0, 100, TS_TIME_NONE},
        {"leaf site, newest 100", leaf, 100, TS_TIME_NONE},
        {"root (whole tree), newest 100", root, 100, TS_TIME_NONE},
        {"leaf site, all", leaf, 0, TS_TIME_NONE},
        {"leaf site, last 1 hour of source time", leaf, 0, 1795761000000000LL + 23LL * 3600000000},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        ts_event_filter_t f;
        ts_event_filter_init(&f);
        f.site_id = q[i].site;
        f.limit = q[i].limit;
        f.newest_first = true;
        f.since = q[i].since;
        size_t got = 0;
        double t0 = now_s();
        int r = ts_store_events_foreach(st, &f, count_cb, &got);
        double t1 = now_s();
        uint64_t n = 0;
        int rc = ts_store_events_count(st, &f, &n);
        double t2 = now_s();
        printf("  read %-38s %7zu events in %8.2f ms; count %8llu in %8.2f ms%s\n", q[i].what, got,
               (t1 - t0) * 1e3, (unsigned long long)n, (t2 - t1) * 1e3, r || rc ? " (error)" : "");
    }
out:
    ts_store_close(st);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    size_t batches[8] = {1000, 10000, 50000};
    int n_batches = 3;
    if (argc > 4) {
        n_batches = 0;
        for (int i = 4; i < argc && n_batches < 8; i++)
            batches[n_batches++] = (size_t)strtoull(argv[i], NULL, 10);
    }
    if (n == 0 || runs <= 0 || runs > 15)
        return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/tocsin-bench-store-%ld.db", dir, (long)getpid());

    pool = calloc(POOL, sizeof *pool);
    if (pool == NULL)
        return 1;
    const char *tg = getenv("BENCH_TARGETS");
    unsigned k = tg ? (unsigned)strtoul(tg, NULL, 10) : 0;
    if (k > SCAN_MAX || (tg && k < SCAN_SITES))
        return 2;
    for (int i = 0; i < POOL; i++) {
        make_proto(&pool[i], 1); /* root gets id 1 in a fresh store */
        if (k)
            make_scan(&pool[i], 1, k);
    }
    if (k)
        printf("bench_store: every event an address scan of %u hosts over %d sites\n",
               k / SCAN_SITES * SCAN_SITES, SCAN_SITES);

    printf("bench_store: %zu events per run, %d runs, synchronous=FULL, WAL, file %s\n", n, runs,
           path);
    for (int b = 0; b < n_batches; b++) {
        double rates[15], cpu[15];
        long long size = 0;
        for (int r = 0; r < runs; r++) {
            rates[r] = run_once(path, n, batches[b], &size, &cpu[r]);
            if (rates[r] < 0)
                return 1;
        }
        qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
        qsort(cpu, (size_t)runs, sizeof cpu[0], cmp_double);
        printf("  batch %6zu: median %9.0f events/s committed (min %.0f, max %.0f), "
               "cpu %.2f us/event (min %.2f), db %.1f MiB (%.0f bytes/event)\n",
               batches[b], rates[runs / 2], rates[0], rates[runs - 1], cpu[runs / 2], cpu[0],
               (double)size / 1048576.0, (double)size / (double)n);
        fflush(stdout);
    }
    if (!getenv("BENCH_NO_READS"))
        time_reads(path);
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", path);
    else
        remove_db(path);
    free(pool);
    return 0;
}
