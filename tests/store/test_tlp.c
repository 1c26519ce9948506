/* SPDX-License-Identifier: Apache-2.0 */
/* TLP 2.0 rules as a table, on both backends: for each label and each way an
 * event reaches a site (by one of its networks, by its ASN only), whether the
 * site sees it in every site-scoped read (iteration, read by id, count, the
 * portal's pages and statistics), whether the CSIRT does, and whether an
 * export to another party may carry it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/tlp.h"
#include "output/export.h"
#include "store/eventq.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

static const struct row {
    ts_tlp_t tlp;
    ts_rule_kind_t via; /* how the event reaches the site */
    bool site_sees, exported;
} table[] = {
    {TS_TLP_NONE, TS_RULE_NETWORK, true, true},
    {TS_TLP_CLEAR, TS_RULE_NETWORK, true, true},
    {TS_TLP_GREEN, TS_RULE_NETWORK, true, true},
    {TS_TLP_AMBER, TS_RULE_NETWORK, true, true},
    {TS_TLP_AMBER_STRICT, TS_RULE_NETWORK, true, false},
    {TS_TLP_RED, TS_RULE_NETWORK, false, false},
    {TS_TLP_NONE, TS_RULE_ASN, true, true},
    {TS_TLP_CLEAR, TS_RULE_ASN, true, true},
    {TS_TLP_GREEN, TS_RULE_ASN, true, true},
    {TS_TLP_AMBER, TS_RULE_ASN, true, true},
    {TS_TLP_AMBER_STRICT, TS_RULE_ASN, false, false},
    {TS_TLP_RED, TS_RULE_ASN, false, false},
};
#define ROWS (sizeof table / sizeof table[0])

typedef struct fx {
    char *dir;
    char path[4200];
    ts_store_t *st;
    int64_t root, site, ids[ROWS];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    *state = f;
    if (f->dir == NULL || tt_store_fresh(f->dir, "tlp.db", f->path, sizeof f->path) != 0 ||
        ts_store_open(f->path, &f->st) != 0)
        return -1;
    if (ts_store_site_add(f->st, "nren", 0, NULL, &f->root) != 0 ||
        ts_store_site_add(f->st, "uni", f->root, NULL, &f->site) != 0)
        return -1;
    ts_input_state_t in;
    if (ts_store_input_get(f->st, "/feeds/x", "idea", &in) != 0)
        return -1;
    for (size_t i = 0; i < ROWS; i++) {
        ts_event_t e;
        ts_event_init(&e);
        e.time_source = INT64_C(1700000000000000) + (int64_t)i;
        e.tlp = table[i].tlp;
        if (ts_ip_parse("192.0.2.7", 9, &e.src.ip) != 0)
            return -1;
        e.src.asn = 64500;
        ts_link_t l;
        memset(&l, 0, sizeof l);
        l.role = TS_ROLE_SOURCE;
        l.match.site_id = f->site;
        l.match.site_name = "uni";
        l.match.kind = table[i].via;
        l.match.rule = table[i].via == TS_RULE_NETWORK ? "192.0.2.0/24" : "64500";
        if (ts_store_event_add(f->st, &e, &l, 1, in.id, i + 1, &f->ids[i]) != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->path);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int collect(const ts_stored_event_t *ev, void *ctx)
{
    bool *seen = ctx;
    seen[ev->line - 1] = true;
    return 0;
}

static size_t expected(bool csirt)
{
    size_t n = 0;
    for (size_t i = 0; i < ROWS; i++)
        n += csirt || table[i].site_sees;
    return n;
}

static void test_iteration_and_count(void **state)
{
    fx_t *f = *state;
    int64_t views[] = {f->site, f->root, 0};
    for (size_t v = 0; v < 3; v++) {
        ts_event_filter_t flt;
        ts_event_filter_init(&flt);
        flt.site_id = views[v];
        bool seen[ROWS] = {false};
        assert_int_equal(ts_store_events_foreach(f->st, &flt, collect, seen), 0);
        for (size_t i = 0; i < ROWS; i++)
            if (seen[i] != (views[v] == 0 || table[i].site_sees))
                fail_msg("view %zu row %zu (tlp %d via %d): seen %d", v, i, table[i].tlp,
                         table[i].via, seen[i]);
        uint64_t n;
        assert_int_equal(ts_store_events_count(f->st, &flt, &n), 0);
        assert_int_equal(n, expected(views[v] == 0));
        /* By id: the same rule. */
        memset(seen, 0, sizeof seen);
        flt.ids = f->ids;
        flt.n_ids = ROWS;
        assert_int_equal(ts_store_events_foreach(f->st, &flt, collect, seen), 0);
        for (size_t i = 0; i < ROWS; i++)
            assert_int_equal(seen[i], views[v] == 0 || table[i].site_sees);
    }
}

static void test_portal(void **state)
{
    fx_t *f = *state;
    int64_t views[] = {f->site, 0};
    for (size_t v = 0; v < 2; v++) {
        ts_portal_filter_t pf;
        ts_portal_filter_init(&pf);
        pf.site_id = views[v];
        pf.limit = 100;
        bool seen[ROWS] = {false};
        int64_t next;
        assert_int_equal(ts_store_portal_events(f->st, &pf, collect, seen, &next), 0);
        for (size_t i = 0; i < ROWS; i++)
            assert_int_equal(seen[i], views[v] == 0 || table[i].site_sees);
        for (size_t i = 0; i < ROWS; i++) {
            int r = ts_store_portal_event(f->st, views[v], f->ids[i], collect, seen);
            assert_int_equal(r, views[v] == 0 || table[i].site_sees ? 0 : TS_ENOENT);
        }
    }
}

static int by_type(const char *type, uint64_t n, void *ctx)
{
    (void)type;
    *(uint64_t *)ctx += n;
    return 0;
}

static int top_host(const ts_ip_t *ip, uint64_t n, void *ctx)
{
    (void)ip;
    *(uint64_t *)ctx += n;
    return 0;
}

/* Statistics over whole days (the roll-ups), over part of a day (the
 * events) and over both: the same rule, for the counts by type and the top
 * hosts alike. */
static void test_stats(void **state)
{
    fx_t *f = *state;
    int64_t views[] = {f->site, f->root, 0};
    const int64_t day = INT64_C(86400000000), t0 = INT64_C(1700000000000000);
    const int64_t windows[][2] = {
        {0, INT64_C(1800000000000000)}, /* whole days only */
        {t0 - 5, t0 + day},             /* part of the events' day only */
        {t0 - 2 * day - 5, INT64_MAX},  /* both */
    };
    for (size_t w = 0; w < 3; w++)
        for (size_t v = 0; v < 3; v++) {
            uint64_t n = 0, hosts = 0;
            ts_portal_stats_cbs_t cbs = {.by_type = by_type};
            assert_int_equal(
                ts_store_portal_stats(f->st, views[v], windows[w][0], windows[w][1], &cbs, &n), 0);
            if (n != expected(views[v] == 0))
                fail_msg("window %zu view %zu: %llu events counted, %zu visible", w, v,
                         (unsigned long long)n, expected(views[v] == 0));
            ts_portal_stats_cbs_t hcbs = {.top_host = top_host};
            assert_int_equal(ts_store_portal_stats(f->st, views[v], windows[w][0], windows[w][1],
                                                   &hcbs, &hosts),
                             0);
            assert_int_equal(hosts, expected(views[v] == 0));
        }
}

static void test_export(void **state)
{
    (void)state;
    for (size_t i = 0; i < ROWS; i++)
        assert_int_equal(ts_export_allowed(table[i].tlp), table[i].exported);
    /* And the writers hold them back. */
    for (int fmt = TS_EXPORT_IDEA; fmt <= TS_EXPORT_MISP; fmt++) {
        for (size_t i = 0; i < ROWS; i++) {
            ts_stored_event_t se;
            memset(&se, 0, sizeof se);
            ts_event_init(&se.ev);
            se.id = 1;
            se.ev.tlp = table[i].tlp;
            ts_export_t x;
            ts_buf_t b = TS_BUF_INIT;
            ts_export_begin(&x, (ts_export_fmt_t)fmt, 0, &b);
            size_t before = b.len;
            bool wrote = ts_export_event(&x, &se, &b);
            assert_int_equal(wrote, table[i].exported);
            assert_int_equal(b.len > before, table[i].exported);
            ts_buf_free(&b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_iteration_and_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_portal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
