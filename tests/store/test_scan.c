/* SPDX-License-Identifier: Apache-2.0 */
/* The scan store: scans and their life (queue, claim, progress, cancel,
 * states), a site's scans (its subtree), the limits' counts, the previous
 * scan of the same targets, services and findings; workers claiming at once
 * never take one scan twice. On both backends (ttstore.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/scanstore.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
    int64_t uni, dept, other;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    assert_int_equal(tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc), 0);
    assert_int_equal(ts_store_open(f->loc, &f->st), 0);
    assert_int_equal(ts_store_site_add(f->st, "uni", 0, "", &f->uni), 0);
    assert_int_equal(ts_store_site_add(f->st, "dept", f->uni, "", &f->dept), 0);
    assert_int_equal(ts_store_site_add(f->st, "other", 0, "", &f->other), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int64_t add(struct fx *f, int64_t site, const char *targets, const char *state,
                   int64_t not_before, uint64_t n)
{
    ts_scan_rec_t r = {.site_id = site,
                       .requested_by = "test",
                       .targets = targets,
                       .ports = "top100",
                       .state = state,
                       .not_before = not_before,
                       .n_addresses = n};
    int64_t id = 0;
    assert_int_equal(ts_store_scan_add(f->st, &r, &id), 0);
    return id;
}

struct got {
    int64_t ids[16];
    char state[16][16];
    char site[16][16];
    size_t n;
};

static int on_scan(const ts_scan_rec_t *r, void *ctx)
{
    struct got *g = ctx;
    g->ids[g->n] = r->id;
    snprintf(g->state[g->n], sizeof g->state[0], "%s", r->state);
    snprintf(g->site[g->n], sizeof g->site[0], "%s", r->site_name);
    g->n++;
    return 0;
}

static void test_invalid(void **state)
{
    struct fx *f = *state;
    ts_scan_rec_t r = {.site_id = f->uni,
                       .requested_by = "t",
                       .targets = "192.0.2.1",
                       .ports = "22",
                       .state = "sleeping"};
    int64_t id;
    assert_int_equal(ts_store_scan_add(f->st, &r, &id), TS_EINVAL);
    r.state = "queued";
    r.targets = NULL;
    assert_int_equal(ts_store_scan_add(f->st, &r, &id), TS_EINVAL);
    assert_int_equal(ts_store_scan_add(NULL, &r, &id), TS_EINVAL);
    struct got g = {0};
    assert_int_equal(ts_store_scan_get(f->st, 999, on_scan, &g), TS_ENOENT);
    assert_int_equal(ts_store_scan_cancel(f->st, 999), TS_ENOENT);
    assert_int_equal(ts_store_scan_state(f->st, 999, "done", "", NULL, 0), TS_ENOENT);
    assert_int_equal(ts_store_scan_state(f->st, 1, "bogus", "", NULL, 0), TS_EINVAL);
    bool cancel;
    assert_int_equal(ts_store_scan_progress(f->st, 999, 0.5, 1, 0, &cancel), TS_ENOENT);
    assert_int_equal(ts_store_scan_progress(f->st, 999, 1.5, 1, 0, &cancel), TS_EINVAL);
    ts_scan_svc_rec_t s = {.scan_id = 1, .ip = "192.0.2.1", .transport = "tcp", .port = 70000};
    assert_int_equal(ts_store_scan_service_add(f->st, &s), TS_EINVAL);
}

static void test_queue(void **state)
{
    struct fx *f = *state;
    int64_t a = add(f, f->uni, "198.18.0.0/24", "queued", 0, 256);
    int64_t b = add(f, f->dept, "198.18.0.128/25", "queued", 0, 128);
    int64_t later = add(f, f->other, "198.19.0.1", "queued", INT64_MAX / 2, 1);
    /* Oldest due first; a later one waits for its time. */
    struct got g = {0};
    assert_int_equal(ts_store_scan_claim(f->st, 1000, on_scan, &g), 0);
    assert_int_equal(g.ids[0], a);
    assert_string_equal(g.state[0], "running");
    assert_int_equal(ts_store_scan_claim(f->st, 1000, on_scan, &g), 0);
    assert_int_equal(g.ids[1], b);
    assert_int_equal(ts_store_scan_claim(f->st, 1000, on_scan, &g), TS_ENOENT);
    (void)later;
    /* Limits: uni has one running, 256 addresses; the subtree does not count. */
    uint64_t active, addresses;
    assert_int_equal(ts_store_scan_usage(f->st, f->uni, 0, &active, &addresses), 0);
    assert_int_equal(active, 1);
    assert_int_equal(addresses, 256);
    /* Progress; then a cancel reaches the running scan through its progress. */
    bool cancel = true;
    assert_int_equal(ts_store_scan_progress(f->st, a, 0.5, 10, 3, &cancel), 0);
    assert_false(cancel);
    assert_int_equal(ts_store_scan_cancel(f->st, a), 0);
    assert_int_equal(ts_store_scan_progress(f->st, a, 0.6, 9, 3, &cancel), 0);
    assert_true(cancel);
    assert_int_equal(ts_store_scan_state(f->st, a, "cancelled", "cancelled", NULL, 0), 0);
    assert_int_equal(ts_store_scan_cancel(f->st, a), TS_EEXIST);
    /* A queued scan is cancelled at once. */
    assert_int_equal(ts_store_scan_cancel(f->st, later), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_scan_get(f->st, later, on_scan, &g), 0);
    assert_string_equal(g.state[0], "cancelled");
    assert_string_equal(g.site[0], "other");
    /* uni sees its own and dept's scans, newest first; other only its own. */
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_scans_foreach(f->st, f->uni, 0, on_scan, &g), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.ids[0], b);
    assert_int_equal(g.ids[1], a);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_scans_foreach(f->st, f->dept, 0, on_scan, &g), 0);
    assert_int_equal(g.n, 1);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_scans_foreach(f->st, 0, 2, on_scan, &g), 0);
    assert_int_equal(g.n, 2);
}

struct svcs {
    char line[8][128];
    size_t n;
};

static int on_svc(const ts_scan_svc_rec_t *s, void *ctx)
{
    struct svcs *v = ctx;
    snprintf(v->line[v->n++], 128, "%s %d/%s %s %s %s", s->ip, s->port, s->transport, s->service,
             s->product, s->version);
    return 0;
}

static int on_finding(const ts_scan_finding_rec_t *r, void *ctx)
{
    struct svcs *v = ctx;
    snprintf(v->line[v->n++], 128, "%s %d %s %s %" PRId64, r->ip, r->port, r->kind, r->identifier,
             r->event_id);
    return 0;
}

static void test_results(void **state)
{
    struct fx *f = *state;
    int64_t a = add(f, f->uni, "198.18.0.2", "running", 0, 1);
    int64_t other_targets = add(f, f->uni, "198.18.0.3", "running", 0, 1);
    int64_t b = add(f, f->uni, "198.18.0.2", "running", 0, 1);
    int64_t prev;
    assert_int_equal(ts_store_scan_previous(f->st, b, &prev), TS_ENOENT); /* a is not done */
    assert_int_equal(ts_store_scan_state(f->st, a, "done", "", "syn", 0), 0);
    assert_int_equal(ts_store_scan_state(f->st, other_targets, "done", "", "syn", 0), 0);
    assert_int_equal(ts_store_scan_previous(f->st, b, &prev), 0);
    assert_int_equal(prev, a);
    ts_scan_svc_rec_t s = {.scan_id = a,
                           .ip = "198.18.0.2",
                           .port = 22,
                           .transport = "tcp",
                           .service = "ssh",
                           .product = "openbsd:openssh",
                           .version = "9.2p1"};
    assert_int_equal(ts_store_scan_service_add(f->st, &s), 0);
    s.port = 53;
    s.transport = "udp";
    s.service = "dns";
    s.product = s.version = NULL;
    assert_int_equal(ts_store_scan_service_add(f->st, &s), 0);
    struct svcs v = {0};
    assert_int_equal(ts_store_scan_services_foreach(f->st, a, on_svc, &v), 0);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.line[0], "198.18.0.2 22/tcp ssh openbsd:openssh 9.2p1");
    assert_string_equal(v.line[1], "198.18.0.2 53/udp dns  ");
    ts_scan_finding_rec_t fr = {.scan_id = a,
                                .ip = "198.18.0.2",
                                .port = 22,
                                .transport = "tcp",
                                .kind = "advisory",
                                .identifier = "CVE-2099-0001",
                                .type = "vulnerable-system",
                                .detail = "d",
                                .event_id = 7};
    int64_t fid;
    assert_int_equal(ts_store_scan_finding_add(f->st, &fr, &fid), 0);
    assert_true(fid > 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(ts_store_scan_findings_foreach(f->st, a, on_finding, &v), 0);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.line[0], "198.18.0.2 22 advisory CVE-2099-0001 7");
    memset(&v, 0, sizeof v);
    assert_int_equal(ts_store_scan_services_foreach(f->st, b, on_svc, &v), 0);
    assert_int_equal(v.n, 0);
}

/* A write refused inside a caller's transaction leaves it usable (on
 * PostgreSQL each write runs under a savepoint). */
static void test_refused_in_transaction(void **state)
{
    struct fx *f = *state;
    assert_int_equal(ts_store_begin(f->st), 0);
    int64_t a = add(f, f->uni, "198.18.0.2", "running", 0, 1);
    ts_scan_svc_rec_t s = {.scan_id = a + 1000, .ip = "198.18.0.2", .port = 22, .transport = "tcp"};
    assert_int_equal(ts_store_scan_service_add(f->st, &s), TS_ENOENT); /* no such scan */
    s.scan_id = a;
    assert_int_equal(ts_store_scan_service_add(f->st, &s), 0);
    assert_int_equal(ts_store_commit(f->st), 0);
    struct svcs v = {0};
    assert_int_equal(ts_store_scan_services_foreach(f->st, a, on_svc, &v), 0);
    assert_int_equal(v.n, 1);
}

/* Services by address text (bytes, not numbers), transport, port; a service
 * stored again replaces the first. */
static void test_services_order(void **state)
{
    struct fx *f = *state;
    int64_t a = add(f, f->uni, "198.18.0.0/24", "running", 0, 256);
    static const struct {
        const char *ip, *transport;
        int port;
    } in[] = {{"198.18.0.2", "udp", 53},
              {"198.18.0.10", "tcp", 443},
              {"198.18.0.2", "tcp", 80},
              {"198.18.0.2", "tcp", 22}};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        ts_scan_svc_rec_t s = {
            .scan_id = a, .ip = in[i].ip, .port = in[i].port, .transport = in[i].transport};
        assert_int_equal(ts_store_scan_service_add(f->st, &s), 0);
    }
    ts_scan_svc_rec_t again = {.scan_id = a,
                               .ip = "198.18.0.2",
                               .port = 22,
                               .transport = "tcp",
                               .service = "ssh",
                               .product = "openbsd:openssh",
                               .version = "9.3"};
    assert_int_equal(ts_store_scan_service_add(f->st, &again), 0);
    struct svcs v = {0};
    assert_int_equal(ts_store_scan_services_foreach(f->st, a, on_svc, &v), 0);
    assert_int_equal(v.n, 4);
    assert_string_equal(v.line[0], "198.18.0.10 443/tcp   ");
    assert_string_equal(v.line[1], "198.18.0.2 22/tcp ssh openbsd:openssh 9.3");
    assert_string_equal(v.line[2], "198.18.0.2 80/tcp   ");
    assert_string_equal(v.line[3], "198.18.0.2 53/udp   ");
}

#define N_WORKERS 4
#define N_QUEUED 60

struct worker {
    const char *loc;
    int64_t ids[N_QUEUED];
    size_t n;
    int err;
};

static int on_claim(const ts_scan_rec_t *r, void *ctx)
{
    struct worker *w = ctx;
    if (w->n < N_QUEUED)
        w->ids[w->n] = r->id;
    w->n++;
    return 0;
}

static void *claim_all(void *arg)
{
    struct worker *w = arg;
    ts_store_t *st = NULL;
    w->err = ts_store_open(w->loc, &st);
    while (w->err == 0) {
        int r = ts_store_scan_claim(st, 1000, on_claim, w);
        if (r == TS_ENOENT)
            break;
        if (r != 0 && r != TS_EBUSY)
            w->err = r;
    }
    ts_store_close(st);
    return NULL;
}

/* Workers with their own connections claim at once: every queued scan is
 * taken, and by one of them only. */
static void test_claim_race(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < N_QUEUED; i++)
        add(f, f->uni, "198.18.0.2", "queued", 0, 1);
    struct worker w[N_WORKERS];
    pthread_t t[N_WORKERS];
    for (int i = 0; i < N_WORKERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].loc = f->loc;
        assert_int_equal(pthread_create(&t[i], NULL, claim_all, &w[i]), 0);
    }
    size_t total = 0;
    bool seen[N_QUEUED + 1] = {false};
    for (int i = 0; i < N_WORKERS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].err, 0);
        total += w[i].n;
        for (size_t k = 0; k < w[i].n && k < N_QUEUED; k++) {
            assert_in_range(w[i].ids[k], 1, N_QUEUED);
            assert_false(seen[w[i].ids[k]]);
            seen[w[i].ids[k]] = true;
        }
    }
    assert_int_equal(total, N_QUEUED);
}

static uint64_t version_of(ts_store_t *st)
{
    uint64_t v = 0;
    assert_int_equal(ts_store_data_version(st, &v), 0);
    return v;
}

/* Until another connection's change shows in st's data_version (a
 * PostgreSQL notification comes a little after the commit: 5 s at most). */
static void changed_since(ts_store_t *st, uint64_t v0)
{
    uint64_t v = v0;
    for (int i = 0; i < 500 && v == v0; i++) {
        usleep(10000);
        v = version_of(st);
    }
    assert_true(v != v0);
}

/* Another process's scans, services and findings reach the portal's cache
 * (every scan table is watched). */
static void test_data_version(void **state)
{
    struct fx *f = *state;
    ts_store_t *other = NULL;
    assert_int_equal(ts_store_open(f->loc, &other), 0);
    uint64_t v = version_of(f->st);
    ts_scan_rec_t r = {.site_id = f->uni,
                       .requested_by = "test",
                       .targets = "198.18.0.2",
                       .ports = "22",
                       .state = "running"};
    int64_t id;
    assert_int_equal(ts_store_scan_add(other, &r, &id), 0);
    changed_since(f->st, v);
    v = version_of(f->st);
    ts_scan_svc_rec_t s = {.scan_id = id, .ip = "198.18.0.2", .port = 22, .transport = "tcp"};
    assert_int_equal(ts_store_scan_service_add(other, &s), 0);
    changed_since(f->st, v);
    v = version_of(f->st);
    ts_scan_finding_rec_t fr = {.scan_id = id,
                                .ip = "198.18.0.2",
                                .port = 22,
                                .transport = "tcp",
                                .kind = "exposed",
                                .identifier = "accessible-ssh",
                                .type = "potentially-unwanted-accessible",
                                .detail = "d"};
    assert_int_equal(ts_store_scan_finding_add(other, &fr, NULL), 0);
    changed_since(f->st, v);
    ts_store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_version, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
