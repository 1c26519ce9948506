/* SPDX-License-Identifier: Apache-2.0 */
/* The collector end to end in one process: real UDP sockets on loopback, a
 * real store (SQLite, and PostgreSQL as collect/test_collector@postgresql),
 * synthetic NetFlow v5 datagrams carrying a port scan, an address scan over
 * several sites, an SSH brute forcer and benign traffic; the detections must
 * be stored and routed to the sites owning the victims, each with its own
 * hosts, the exporter counters saved, also while another connection holds the
 * write lock, after a reload, and a failing store must stop the collector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect/collector.h"
#include "route/loader.h"
#include "testutil.h"
#include "ttstore.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

struct v5rec {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t proto, flags;
    uint32_t pkts, bytes;
};

/* One v5 datagram of n records (n <= 30); sequence counts flows. */
static size_t v5_packet(uint8_t *buf, const struct v5rec *r, int n, uint32_t seq, uint32_t secs)
{
    memset(buf, 0, 24 + 48 * (size_t)n);
    put16(buf, 5);
    put16(buf + 2, (uint16_t)n);
    put32(buf + 4, 100000); /* sysUptime ms */
    put32(buf + 8, secs);   /* unix_secs */
    put32(buf + 16, seq);
    for (int i = 0; i < n; i++) {
        uint8_t *p = buf + 24 + 48 * i;
        put32(p, r[i].src);
        put32(p + 4, r[i].dst);
        put32(p + 16, r[i].pkts);
        put32(p + 20, r[i].bytes);
        put32(p + 24, 99000); /* First */
        put32(p + 28, 99900); /* Last */
        put16(p + 32, r[i].sport);
        put16(p + 34, r[i].dport);
        p[37] = r[i].flags;
        p[38] = r[i].proto;
    }
    return 24 + 48 * (size_t)n;
}

/* A vertical scan of 1000 ports from 203.0.113.5 to 198.51.100.7, SYN only,
 * one packet each, in 40 datagrams from sequence *seq on; returns the
 * datagrams sent. */
static int send_scan(int fd, const struct sockaddr_in *to, uint32_t secs, uint32_t *seq)
{
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    int dgrams = 0;
    for (int port = 1; port <= 1000; port += 25, dgrams++) {
        for (int i = 0; i < 25; i++)
            recs[i] =
                (struct v5rec){0xCB007105, 0xC6336407, 40000, (uint16_t)(port + i), 6, 0x02, 1, 44};
        size_t len = v5_packet(buf, recs, 25, *seq, secs);
        *seq += 25;
        assert_int_equal(sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof *to),
                         (ssize_t)len);
    }
    return dgrams;
}

/* Sends stderr to the file at path until stderr_restore(); returns the
 * saved descriptor. */
static int stderr_to(const char *path)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    return saved;
}

static void stderr_restore(int saved)
{
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

struct runner {
    char *dir;      /* holds the store (SQLite) and logs */
    char loc[4200]; /* the store's location */
    ts_store_t *st;
    ts_constituency_t *c;
    ts_collect_opts_t o;
    ts_collect_stats_t stats;
    volatile sig_atomic_t stop;
    volatile sig_atomic_t reload;
    int rc;
    char bound[80];
    volatile int ready;
};

static void on_ready(const char *const *bound, size_t n, void *ctx)
{
    struct runner *r = ctx;
    assert_int_equal(n, 1);
    snprintf(r->bound, sizeof r->bound, "%s", bound[0]);
    __atomic_store_n(&r->ready, 1, __ATOMIC_SEQ_CST);
}

static void *run(void *arg)
{
    struct runner *r = arg;
    r->rc = ts_collect_run(r->st, &r->c, &r->o, &r->stats);
    return NULL;
}

/* A fresh store in a temporary directory, and options for one loopback
 * socket on a free port; the caller may add sites and change the options
 * before runner_start(). */
static void runner_init(struct runner *r)
{
    memset(r, 0, sizeof *r);
    r->dir = tt_tmpdir();
    assert_non_null(r->dir);
    assert_int_equal(tt_store_fresh(r->dir, "t.db", r->loc, sizeof r->loc), 0);
    assert_int_equal(ts_store_open(r->loc, &r->st), 0);
    ts_collect_opts_init(&r->o);
    r->o.listen[0] = "127.0.0.1:0";
    r->o.n_listen = 1;
    r->o.stop = &r->stop;
    r->o.ready = on_ready;
    r->o.ready_ctx = r;
}

/* Loads the constituency, starts the collector thread, waits until it
 * listens, and returns a socket to send to it with *to filled in. */
static int runner_start(struct runner *r, pthread_t *t, struct sockaddr_in *to)
{
    assert_int_equal(ts_constituency_load(r->st, &r->c), 0);
    assert_int_equal(pthread_create(t, NULL, run, r), 0);
    for (int i = 0; i < 500 && !__atomic_load_n(&r->ready, __ATOMIC_SEQ_CST); i++)
        usleep(10000);
    assert_true(r->ready);
    const char *colon = strrchr(r->bound, ':');
    *to = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    inet_pton(AF_INET, "127.0.0.1", &to->sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    return fd;
}

/* Asks the collector to stop, waits for it, and prints what it received. */
static void runner_stop(struct runner *r, pthread_t t)
{
    __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("%llu datagrams received, %llu dropped by the kernel\n",
           (unsigned long long)r->stats.datagrams, (unsigned long long)r->stats.socket_drops);
}

static void runner_free(struct runner *r)
{
    ts_constituency_free(r->c);
    ts_store_close(r->st);
    tt_store_drop(r->loc);
    tt_rmtree(r->dir);
    free(r->dir);
}

static void test_bad_listen_addresses(void **state)
{
    (void)state;
    ts_ip_t ip;
    uint16_t port;
    const char *bad[] = {"",         "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x",
                         "::1:2055", "[::1]2055", "[::1",       "localhost:2055",  "1.2.3.4:-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ts_collect_parse_listen(bad[i], &ip, &port), TS_EINVAL);
    assert_int_equal(ts_collect_parse_listen("[::1]:4739", &ip, &port), 0);
    assert_int_equal(ip.family, TS_AF_INET6);
    assert_int_equal(port, 4739);
    assert_int_equal(ts_collect_parse_listen("127.0.0.1:0", &ip, &port), 0);
}

/* The drop counter of something that is not a socket is an error, not 0;
 * a fresh UDP socket has dropped nothing. */
static void test_socket_drops_needs_a_socket(void **state)
{
    (void)state;
    uint32_t drops = 12345;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(ts_collect_socket_drops(p[0], &drops), TS_EIO);
    assert_int_equal(drops, 12345); /* untouched on error */
    close(p[0]);
    close(p[1]);
    assert_int_equal(ts_collect_socket_drops(-1, &drops), TS_EIO);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(ts_collect_socket_drops(fd, &drops), 0);
    assert_int_equal(drops, 0);
    close(fd);
}

static int count_events(const ts_stored_event_t *ev, void *ctx)
{
    (void)ev;
    (*(int *)ctx)++;
    return 0;
}

static int sum_flows(const ts_exporter_stats_t *s, int64_t updated, void *ctx)
{
    (void)updated;
    *(uint64_t *)ctx += s->flows;
    return 0;
}

static void test_detections_stored_and_routed(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    int64_t victim_site, other_site;
    assert_int_equal(ts_store_site_add(r.st, "victims", 0, "", &victim_site), 0);
    assert_int_equal(ts_store_claim_add(r.st, victim_site, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    assert_int_equal(ts_store_site_add(r.st, "bystander", 0, "", &other_site), 0);
    assert_int_equal(ts_store_claim_add(r.st, other_site, TS_RULE_NETWORK, "192.0.2.0/24"), 0);

    r.o.stats_interval_ms = 100;
    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);

    uint32_t forcer = 0xCB007109;   /* 203.0.113.9 */
    uint32_t ssh_host = 0xC6336416; /* 198.51.100.22 */
    uint32_t secs = (uint32_t)(time(NULL) - 60);
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    uint32_t seq = 0;
    send_scan(fd, &to, secs, &seq); /* 203.0.113.5 scans 198.51.100.7 */
    /* SSH brute force: 200 short complete flows to port 22 of one host. */
    for (int k = 0; k < 200; k += 20) {
        for (int i = 0; i < 20; i++)
            recs[i] =
                (struct v5rec){forcer, ssh_host, (uint16_t)(30000 + k + i), 22, 6, 0x1b, 12, 2400};
        size_t len = v5_packet(buf, recs, 20, seq, secs);
        seq += 20;
        assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    }
    /* Benign: web clients of the bystander site, long complete sessions. */
    for (int i = 0; i < 30; i++)
        recs[i] = (struct v5rec){
            0xC0000200 + (uint32_t)i, 0x5DB8D822, (uint16_t)(50000 + i), 443, 6, 0x1b, 80, 90000};
    size_t len = v5_packet(buf, recs, 30, seq, secs);
    assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    close(fd);

    usleep(500000); /* let it receive and save counters */
    runner_stop(&r, t);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.stats.flows, 1000 + 200 + 30);

    ts_event_filter_t f;
    ts_event_filter_init(&f);
    int all = 0, victims = 0, bystander = 0;
    assert_int_equal(ts_store_events_foreach(r.st, &f, count_events, &all), 0);
    f.site_id = victim_site;
    assert_int_equal(ts_store_events_foreach(r.st, &f, count_events, &victims), 0);
    f.site_id = other_site;
    assert_int_equal(ts_store_events_foreach(r.st, &f, count_events, &bystander), 0);
    printf("detections: %d stored, %d for the victims' site, %d for the bystander\n", all, victims,
           bystander);
    assert_true(all >= 2);          /* the port scan and the brute force, at least */
    assert_int_equal(victims, all); /* both attacks hit the victims' network */
    assert_int_equal(bystander, 0); /* benign traffic raised nothing */
    uint64_t flows = 0;
    assert_int_equal(ts_store_exporters_foreach(r.st, sum_flows, &flows), 0);
    assert_int_equal(flows, 1230);

    runner_free(&r);
}

/* What one site (or the CSIRT) sees of the scan: its links and its hosts. */
struct seen_scan {
    int events, links;
    uint32_t n;
    uint64_t count;
    ts_prefix_t list[300];
};

static int see_scan(const ts_stored_event_t *ev, void *ctx)
{
    struct seen_scan *s = ctx;
    s->events++;
    s->links = ev->n_links;
    const ts_targets_t *t = ev->ev.dst.targets;
    if (t && ts_str_eq_c(ev->ev.identifier, "flow-addressscan")) {
        s->n = t->n;
        s->count = t->count;
        memcpy(s->list, t->list, (t->n < 300 ? t->n : 300) * sizeof *t->list);
    }
    return 0;
}

static struct seen_scan scan_as(ts_store_t *st, int64_t site)
{
    struct seen_scan s;
    memset(&s, 0, sizeof s);
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = site;
    assert_int_equal(ts_store_events_foreach(st, &f, see_scan, &s), 0);
    return s;
}

/* hosts first .. first + n - 1 of a /24, in order. */
static void expect_hosts(const struct seen_scan *s, uint32_t first, uint32_t n)
{
    assert_int_equal(s->n, n);
    assert_int_equal(s->count, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(ts_ip_v4(&s->list[i].addr), first + i);
}

/* A NetFlow address scan of 249 hosts of one site's /24 and 40 of another
 * site's, sent as real datagrams to the real collector: one event, and each
 * site sees it with its own hosts only (the scanned site was never told when
 * the scan named no destination). */
static void test_address_scan_names_each_sites_hosts(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    int64_t nren, uni, agency, bystander;
    assert_int_equal(ts_store_site_add(r.st, "nren", 0, "", &nren), 0);
    assert_int_equal(ts_store_site_add(r.st, "uni", nren, "", &uni), 0);
    assert_int_equal(ts_store_claim_add(r.st, uni, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    assert_int_equal(ts_store_site_add(r.st, "agency", nren, "", &agency), 0);
    assert_int_equal(ts_store_claim_add(r.st, agency, TS_RULE_NETWORK, "203.0.113.0/25"), 0);
    assert_int_equal(ts_store_site_add(r.st, "bystander", 0, "", &bystander), 0);
    assert_int_equal(ts_store_claim_add(r.st, bystander, TS_RULE_NETWORK, "192.0.2.0/25"), 0);
    r.o.stats_interval_ms = 50;
    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);

    uint32_t scanner = 0xC00002F3; /* 192.0.2.243, nobody's */
    uint32_t secs = (uint32_t)(time(NULL) - 60), seq = 0;
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    int n = 0;
    for (uint32_t i = 0; i < 249 + 40; i++) {
        uint32_t dst = i < 249 ? 0xC6336401 + i : 0xCB007101 + (i - 249);
        recs[n++] = (struct v5rec){scanner, dst, (uint16_t)(40000 + i), 22, 6, 0x02, 1, 44};
        if (n == 30 || i == 249 + 40 - 1) {
            size_t len = v5_packet(buf, recs, n, seq, secs);
            seq += (uint32_t)n;
            assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to),
                             (ssize_t)len);
            n = 0;
        }
    }
    close(fd);
    /* Received once the saved counters say so (read through a connection of
     * the test's, not the collector's): no fixed sleep that a loaded machine
     * could outlast. */
    ts_store_t *peek;
    assert_int_equal(ts_store_open(r.loc, &peek), 0);
    uint64_t seen = 0;
    for (int tries = 0; tries < 400 && seen < 289; tries++) {
        usleep(25000);
        seen = 0;
        assert_int_equal(ts_store_exporters_foreach(peek, sum_flows, &seen), 0);
    }
    ts_store_close(peek);
    assert_int_equal(seen, 289);
    runner_stop(&r, t); /* closes the window: the scan is reported */
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.stats.flows, 289);

    struct seen_scan csirt = scan_as(r.st, 0);
    assert_int_equal(csirt.events, 1);
    assert_int_equal(csirt.links, 2);
    assert_int_equal(csirt.count, 289);
    struct seen_scan s = scan_as(r.st, uni);
    assert_int_equal(s.events, 1);
    assert_int_equal(s.links, 1);
    expect_hosts(&s, 0xC6336401, 249);
    s = scan_as(r.st, agency);
    assert_int_equal(s.links, 1);
    expect_hosts(&s, 0xCB007101, 40);
    s = scan_as(r.st, nren); /* the parent: both, still not the CSIRT's view */
    assert_int_equal(s.links, 2);
    assert_int_equal(s.count, 289);
    s = scan_as(r.st, bystander);
    assert_int_equal(s.events, 0);
    runner_free(&r);
}

/* The pause rule alone, at steady rates (bytes charged per µs), from an
 * idle start, with the default buffer capped by rmem_max and with the 32 MiB
 * one: what queues during a pause never exceeds a quarter of the buffer
 * (plus the one µs of work assumed per wake), no pause is longer than a
 * burst at TS_COLLECT_BURST_BYTES_PER_US takes to fill a quarter, a slow
 * stream gets the longest pause allowed, and a fast one shorter pauses.
 * Deterministic: no socket. */
static void test_pause_rule_keeps_the_queue_under_a_quarter(void **state)
{
    (void)state;
    /* SO_RCVBUF as the kernel reports it: 208 KiB and 32 MiB asked. */
    const size_t rooms[] = {425984, 67108864};
    const long max_us = 100000;
    const double rates[] = {0.001, 0.1, 1, 10, 130, 1000, 20000};
    for (size_t j = 0; j < sizeof rooms / sizeof rooms[0]; j++) {
        size_t room = rooms[j];
        long burst_safe = (long)(room / 4 / TS_COLLECT_BURST_BYTES_PER_US);
        long allowed = burst_safe < max_us ? burst_safe : max_us;
        for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
            double rate = rates[i];
            long pause = 0, longest = 0;
            size_t worst = 0;
            for (int wake = 0; wake < 200; wake++) {
                size_t charged = (size_t)(rate * (double)(pause + 1)) + ts_collect_charge(1464);
                if (charged > worst)
                    worst = charged;
                pause = ts_collect_next_pause(pause, charged, room, max_us);
                assert_true(pause >= 0 && pause <= allowed);
                if (pause > longest)
                    longest = pause;
            }
            printf("room %zu B, rate %.3f B/us: longest pause %ld us (allowed %ld), most queued "
                   "%zu B\n",
                   room, rate, longest, allowed, worst);
            assert_true(worst <= room / 4 + (size_t)rate + ts_collect_charge(1464));
            if (rate * (double)allowed < (double)room / 32)
                assert_int_equal(longest, allowed); /* slow: the longest pause */
            else
                assert_true(longest < allowed);
        }
    }
    /* The small buffer allows under a millisecond, the large one the
     * default 50 ms and more. */
    _Static_assert(425984 / 4 / TS_COLLECT_BURST_BYTES_PER_US < 1000,
                   "a 208 KiB buffer allows pauses under 1 ms");
    ts_collect_opts_t o;
    ts_collect_opts_init(&o);
    assert_true(67108864 / 4 / TS_COLLECT_BURST_BYTES_PER_US >= o.coalesce_us);
    /* A rate that jumps eightfold under a settled pause halves it. */
    const size_t room = 67108864;
    long settled = 10000;
    size_t at_old_rate = room / 8, at_new_rate = 8 * at_old_rate;
    assert_int_equal(ts_collect_next_pause(settled, at_old_rate, room, max_us), settled);
    assert_int_equal(ts_collect_next_pause(settled, at_new_rate, room, max_us), settled / 2);
    /* A pause settled under a large max is cut to what a smaller buffer absorbs. */
    assert_int_equal(ts_collect_next_pause(settled, 0, 425984, max_us),
                     425984 / 4 / TS_COLLECT_BURST_BYTES_PER_US);
}

/* Coalescing must adapt to the receive buffer: with a buffer of 64 KiB and
 * pauses allowed up to 100 ms, a steady 1,000 datagrams/s would overflow
 * the buffer in every full pause (100 datagrams, about 230 KiB as the kernel
 * charges them). The pause has to stay short enough that nothing is lost. */
static void test_coalescing_never_overflows_a_small_buffer(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    r.o.rcvbuf = 64 << 10;
    r.o.coalesce_us = 100000;
    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    uint32_t secs = (uint32_t)(time(NULL) - 60);
    enum { DGRAMS = 400 };
    for (int k = 0; k < DGRAMS; k++) {
        for (int i = 0; i < 30; i++)
            recs[i] = (struct v5rec){0xC0000200 + (uint32_t)i,
                                     0x5DB8D822,
                                     (uint16_t)(50000 + i),
                                     443,
                                     6,
                                     0x1b,
                                     80,
                                     90000};
        size_t len = v5_packet(buf, recs, 30, (uint32_t)k * 30, secs);
        assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
        usleep(1000);
    }
    close(fd);
    usleep(300000);
    runner_stop(&r, t);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.stats.socket_drops, 0);
    assert_int_equal(r.stats.datagrams, DGRAMS);
    assert_int_equal(r.stats.flows, DGRAMS * 30);
    runner_free(&r);
}

/* Another process holds the database's write lock for longer than the
 * store's busy timeout (5 s) while traffic flows and a scan is detected.
 * The receive loop must go on reading (a 64 KiB buffer at 80 datagrams/s
 * overflows in under a second if it stops), the collector must not give up,
 * and once the lock is gone the detection and the counters are stored. */
static void test_locked_store_does_not_stop_reception(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    int64_t victim_site;
    assert_int_equal(ts_store_site_add(r.st, "victims", 0, "", &victim_site), 0);
    assert_int_equal(ts_store_claim_add(r.st, victim_site, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    r.o.rcvbuf = 64 << 10;
    r.o.stats_interval_ms = 100;
    r.o.detect.window_ms = 1000; /* the scan's window closes while the lock is held */
    tt_lock_t *other = tt_store_lock(r.loc);
    assert_non_null(other);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);
    uint32_t secs = (uint32_t)(time(NULL) - 60);
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    uint32_t seq = 0;
    int dgrams = 0;
    dgrams += send_scan(fd, &to, secs, &seq);
    for (int i = 0; i < 30; i++)
        recs[i] = (struct v5rec){
            0xC0000200 + (uint32_t)i, 0x5DB8D822, (uint16_t)(50000 + i), 443, 6, 0x1b, 80, 90000};
    for (;; dgrams++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 > 5500)
            break;
        size_t len = v5_packet(buf, recs, 30, seq, secs);
        seq += 30;
        assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
        usleep(12500);
    }
    tt_store_unlock(other);
    close(fd);

    /* Stored while it runs: the writer retried on its own. */
    long long events = 0;
    for (int i = 0; i < 100 && events == 0; i++) {
        usleep(50000);
        events = tt_store_sql(r.loc, "SELECT count(*) FROM events", NULL, 0);
    }
    printf("%d datagrams sent under a %d ms lock; %lld detection(s) stored after it\n", dgrams,
           5500, events);
    assert_true(events >= 1);
    runner_stop(&r, t);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.stats.socket_drops, 0);
    assert_int_equal(r.stats.datagrams, (uint64_t)dgrams);
    uint64_t flows = 0;
    assert_int_equal(ts_store_exporters_foreach(r.st, sum_flows, &flows), 0);
    assert_int_equal(flows, seq);
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = victim_site;
    int victims = 0;
    assert_int_equal(ts_store_events_foreach(r.st, &f, count_events, &victims), 0);
    assert_true(victims >= 1); /* routed once the lock was gone */
    runner_free(&r);
}

/* Stopping while another connection holds the write lock for good: the
 * collector retries for store_patience_ms, then stops anyway, says how many
 * detections it could not store, and returns TS_EBUSY (an init system's
 * stop must not hang on a backup holding the database). */
static void test_locked_store_at_stop_gives_up_in_time(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    ts_store_set_busy_timeout(r.st, 50);
    r.o.store_patience_ms = 400;
    tt_lock_t *other = tt_store_lock(r.loc);
    assert_non_null(other);
    char log_path[4096];
    snprintf(log_path, sizeof log_path, "%s/stderr", r.dir);
    int saved_stderr = stderr_to(log_path);

    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);
    uint32_t secs = (uint32_t)(time(NULL) - 60), seq = 0;
    send_scan(fd, &to, secs, &seq);
    close(fd);
    usleep(300000);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE); /* the scan is reported on stopping */
    pthread_join(t, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    stderr_restore(saved_stderr);
    tt_store_unlock(other);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    char *log = tt_read_file(log_path, NULL);
    assert_non_null(log);
    printf("stopped in %ld ms with rc %d (%s); log:\n%s", ms, r.rc, ts_strerror(r.rc), log);
    assert_int_equal(r.rc, TS_EBUSY);
    assert_true(ms >= 400 && ms < 5000);
    assert_non_null(strstr(log, "the database is locked by another writer"));
    assert_non_null(strstr(log, "detection(s) not stored"));
    assert_int_equal(r.stats.detections, 1); /* the one that could not be stored */
    free(log);
    runner_free(&r);
}

/* A store failure other than a lock (here the events table is gone) is
 * fatal: the collector stops by itself and says why, rather than go on
 * detecting what it cannot store. */
static void test_store_failure_stops_the_collector(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    r.o.detect.window_ms = 1000;
    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);
    assert_int_equal(
        tt_store_exec(r.loc, tt_pg() ? "DROP TABLE events CASCADE" : "DROP TABLE events"), 0);

    uint32_t secs = (uint32_t)(time(NULL) - 60), seq = 0;
    send_scan(fd, &to, secs, &seq);
    close(fd);
    /* The window closes after a second of wall time; no stop is asked. */
    int ended = 0;
    for (int i = 0; i < 100 && !ended; i++) {
        usleep(50000);
        ended = pthread_tryjoin_np(t, NULL) == 0;
    }
    if (!ended) {
        __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
        pthread_join(t, NULL);
    }
    printf("collector ended by itself: %s, rc %d (%s)\n", ended ? "yes" : "no", r.rc,
           ts_strerror(r.rc));
    assert_true(ended);
    assert_int_equal(r.rc, TS_EDB);
    runner_free(&r);
}

/* A site added while the collector runs gets the detections once the
 * collector is asked to reload (SIGHUP in the daemon): the store writer
 * reloads the constituency from the store. */
static void test_reload_routes_to_a_new_site(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    r.o.reload = &r.reload;
    pthread_t t;
    struct sockaddr_in to;
    int fd = runner_start(&r, &t, &to);

    ts_store_t *admin;
    int64_t late;
    assert_int_equal(ts_store_open(r.loc, &admin), 0);
    assert_int_equal(ts_store_site_add(admin, "late", 0, "", &late), 0);
    assert_int_equal(ts_store_claim_add(admin, late, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    ts_store_close(admin);
    __atomic_store_n(&r.reload, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 100 && __atomic_load_n(&r.reload, __ATOMIC_ACQUIRE); i++)
        usleep(10000);
    usleep(500000); /* the writer reloads as soon as the receive loop asks */

    uint32_t secs = (uint32_t)(time(NULL) - 60), seq = 0;
    send_scan(fd, &to, secs, &seq);
    close(fd);
    usleep(300000);
    runner_stop(&r, t);
    assert_int_equal(r.rc, 0);
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = late;
    int routed = 0;
    assert_int_equal(ts_store_events_foreach(r.st, &f, count_events, &routed), 0);
    printf("%d detection(s) routed to the site added while running\n", routed);
    assert_true(routed >= 1);
    runner_free(&r);
}

/* Sends BURST datagrams to the socket just bound, from the collector's own
 * thread before its loop reads any: the smallest buffer holds a few, and
 * the kernel drops the rest, deterministically. */
enum { BURST = 60 };

static void on_ready_burst(const char *const *bound, size_t n, void *ctx)
{
    on_ready(bound, n, ctx);
    const char *colon = strrchr(bound[0], ':');
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    uint8_t buf[24 + 48 * 30];
    struct v5rec recs[30];
    for (int i = 0; i < 30; i++)
        recs[i] = (struct v5rec){0xC0000200 + (uint32_t)i, 0x5DB8D822, 40000, 443, 6, 0x1b, 5, 900};
    uint32_t secs = (uint32_t)(time(NULL) - 60);
    for (int k = 0; k < BURST; k++) {
        size_t len = v5_packet(buf, recs, 30, (uint32_t)k * 30, secs);
        assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    }
    close(fd);
}

/* What the kernel drops for a full buffer is counted, also when no
 * datagram arrives after the drops: every datagram sent is either received
 * or counted as dropped. The loss is logged too, with the socket's address. */
static void test_kernel_drops_are_counted(void **state)
{
    (void)state;
    struct runner r;
    runner_init(&r);
    r.o.rcvbuf = 1; /* the kernel's minimum: room for a datagram or two */
    r.o.ready = on_ready_burst;
    char log_path[4096];
    snprintf(log_path, sizeof log_path, "%s/stderr", r.dir);
    int saved_stderr = stderr_to(log_path);
    pthread_t t;
    struct sockaddr_in to;
    close(runner_start(&r, &t, &to));
    usleep(300000);
    runner_stop(&r, t);
    stderr_restore(saved_stderr);
    assert_int_equal(r.rc, 0);
    assert_true(r.stats.datagrams >= 1);
    assert_true(r.stats.socket_drops >= BURST / 2);
    assert_int_equal(r.stats.datagrams + r.stats.socket_drops, BURST);

    char *log = tt_read_file(log_path, NULL);
    assert_non_null(log);
    char want[160];
    snprintf(want, sizeof want, "%s: the kernel dropped %llu datagrams for a full receive buffer",
             r.bound, (unsigned long long)r.stats.socket_drops);
    printf("log: %s", log);
    assert_non_null(strstr(log, want));
    free(log);
    runner_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_listen_addresses),
        cmocka_unit_test(test_socket_drops_needs_a_socket),
        cmocka_unit_test(test_detections_stored_and_routed),
        cmocka_unit_test(test_address_scan_names_each_sites_hosts),
        cmocka_unit_test(test_pause_rule_keeps_the_queue_under_a_quarter),
        cmocka_unit_test(test_coalescing_never_overflows_a_small_buffer),
        cmocka_unit_test(test_kernel_drops_are_counted),
        cmocka_unit_test(test_locked_store_does_not_stop_reception),
        cmocka_unit_test(test_reload_routes_to_a_new_site),
        cmocka_unit_test(test_store_failure_stops_the_collector),
        cmocka_unit_test(test_locked_store_at_stop_gives_up_in_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
