/* SPDX-License-Identifier: Apache-2.0 */
/* The store, on each backend (SQLite, and PostgreSQL as store/test_store@postgresql):
 * refusals first, then schema migration, round trips of every event field,
 * per-site visibility over a site tree, paging, the quarantine, checkpoints
 * sharing the events' transaction, and survival of a writer killed with
 * SIGKILL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "route/loader.h"
#include "store/eventq.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"
#include "ttstore.h"

typedef struct fx {
    char *dir;
    char path[4200];
    ts_store_t *st;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (f->dir == NULL)
        return -1;
    *state = f;
    return tt_store_fresh(f->dir, "store.db", f->path, sizeof f->path);
}

static int setup_open(void **state)
{
    if (setup(state))
        return -1;
    fx_t *f = *state;
    return ts_store_open(f->path, &f->st) == 0 ? 0 : -1;
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

/* SQL behind the store's back (either backend). */
static long long raw_sql(const char *loc, const char *sql, char *text, size_t tsize)
{
    return tt_store_sql(loc, sql, text, tsize);
}

static int raw_exec(const char *loc, const char *sql)
{
    return tt_store_exec(loc, sql);
}

/* Tables in the store, by name. */
static long long table_count(const char *loc, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             tt_pg() ? "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                       " AND tablename = '%s'"
                     : "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
             name);
    return raw_sql(loc, sql, NULL, 0);
}

static void ev_init(ts_event_t *e)
{
    memset(e, 0, sizeof *e);
    e->time_source = TS_TIME_NONE;
    e->time_observation = TS_TIME_NONE;
    e->type = TS_TYPE_UNDETERMINED;
    e->src.port = e->dst.port = -1;
    e->src.asn = e->dst.asn = -1;
    e->count = 1;
}

static ts_link_t mklink(ts_role_t role, int64_t site, ts_rule_kind_t kind, const char *rule)
{
    ts_link_t l = {.role = role};
    l.match.site_id = site;
    l.match.kind = kind;
    l.match.rule = rule;
    l.match.site_name = "";
    return l;
}

static uint64_t count_events(ts_store_t *st, int64_t site)
{
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = site;
    uint64_t n = 0;
    assert_int_equal(ts_store_events_count(st, &f, &n), 0);
    return n;
}

/* ---- Refusals ------------------------------------------------------------- */

static void test_open_bad_locations(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = (ts_store_t *)1;
    assert_int_equal(ts_store_open("/nonexistent-tocsin-dir/sub/store.db", &st), TS_EDB);
    assert_null(st);
    assert_int_equal(ts_store_open("", &st), TS_EINVAL);
    char safe[64];
    assert_string_equal(ts_store_location_safe("postgresql://u:secret@h/db", safe, sizeof safe),
                        "postgresql://u:***@h/db");
    assert_string_equal(ts_store_location_safe("postgresql://u@h/db", safe, sizeof safe),
                        "postgresql://u@h/db");
    assert_string_equal(ts_store_location_safe("/var/lib/a:b@c.db", safe, sizeof safe),
                        "/var/lib/a:b@c.db");
    /* No server there (a port nobody listens on). */
    assert_int_equal(ts_store_open("postgresql://u:secret@127.0.0.1:1/tocsin", &st), TS_EDB);
    assert_null(st);

    if (tt_pg()) {
        /* Another program's database is not migrated into a store. */
        assert_int_equal(raw_exec(f->path, "CREATE TABLE mine (x int)"), 0);
        assert_int_equal(ts_store_open(f->path, &st), TS_EDB);
        assert_null(st);
        assert_int_equal(table_count(f->path, "sites"), 0);
        return;
    }

    /* A file that is not a database. */
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)('a' + i % 26);
    assert_int_equal(tt_write_file(f->path, junk, sizeof junk), 0);
    assert_int_equal(ts_store_open(f->path, &st), TS_EDB);
    assert_null(st);

    /* Another program's SQLite database is not migrated into a store. */
    char other[4300];
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    assert_int_equal(raw_sql(other, "CREATE TABLE mine (x)", NULL, 0), 0);
    assert_int_equal(ts_store_open(other, &st), TS_EDB);
    assert_null(st);
    assert_int_equal(raw_sql(other, "SELECT count(*) FROM sqlite_schema", NULL, 0), 1);
}

static void test_constituency_refusals(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t root, child, other;
    assert_int_equal(ts_store_site_add(st, "", 0, NULL, &root), TS_EINVAL);
    assert_int_equal(ts_store_site_add(st, NULL, 0, NULL, &root), TS_EINVAL);
    assert_int_equal(ts_store_site_add(st, "root", 0, "the CSIRT", &root), 0);
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &other), TS_EEXIST);
    assert_int_equal(ts_store_site_add(st, "orphan", 9999, NULL, &other), TS_ENOENT);
    assert_int_equal(ts_store_site_add(st, "child", root, NULL, &child), 0);
    assert_int_equal(ts_store_site_find(st, "nobody", &other), TS_ENOENT);

    assert_int_equal(ts_store_claim_add(st, 9999, TS_RULE_NETWORK, "192.0.2.0/24"), TS_ENOENT);
    assert_int_equal(ts_store_claim_add(st, child, (ts_rule_kind_t)7, "x"), TS_EINVAL);
    assert_int_equal(ts_store_claim_add(st, child, TS_RULE_DOMAIN, ""), TS_EINVAL);
    assert_int_equal(ts_store_claim_add(st, child, TS_RULE_NETWORK, "192.0.2.0/24"), 0);
    assert_int_equal(ts_store_claim_add(st, child, TS_RULE_NETWORK, "192.0.2.0/24"), TS_EEXIST);
    assert_int_equal(ts_store_claim_add(st, root, TS_RULE_NETWORK, "192.0.2.0/24"), TS_EEXIST);
    /* Same value, other kind: a different claim. */
    assert_int_equal(ts_store_claim_add(st, root, TS_RULE_DOMAIN, "192.0.2.0/24"), 0);
    assert_int_equal(ts_store_claim_remove(st, root, TS_RULE_ASN, "64500"), TS_ENOENT);
    assert_int_equal(ts_store_contact_add(st, 9999, "a@example.org", NULL), TS_ENOENT);
    assert_int_equal(ts_store_contact_add(st, child, "", NULL), TS_EINVAL);
    assert_int_equal(ts_store_contact_add(st, child, "a@example.org", NULL), 0);
    assert_int_equal(ts_store_contact_add(st, child, "a@example.org", "A"), TS_EEXIST);

    assert_int_equal(ts_store_site_remove(st, root), TS_EBUSY);
    assert_int_equal(ts_store_site_remove(st, 9999), TS_ENOENT);
    assert_int_equal(ts_store_site_clear(st, 9999), TS_ENOENT);
    /* Cycles through site_update. */
    assert_int_equal(ts_store_site_update(st, root, root, NULL), TS_ECYCLE);
    assert_int_equal(ts_store_site_update(st, root, child, NULL), TS_ECYCLE);
    assert_int_equal(ts_store_site_update(st, child, 9999, NULL), TS_ENOENT);
    assert_int_equal(ts_store_site_update(st, 9999, 0, NULL), TS_ENOENT);

    /* Transactions. */
    assert_int_equal(ts_store_commit(st), TS_EINVAL);
    assert_int_equal(ts_store_begin(st), 0);
    assert_int_equal(ts_store_begin(st), TS_EBUSY);
    assert_true(strlen(ts_store_errmsg(st)) > 0);
    /* A refused operation inside a transaction leaves it usable. */
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &other), TS_EEXIST);
    assert_int_equal(ts_store_site_add(st, "in-txn", 0, NULL, &other), 0);
    assert_int_equal(ts_store_site_remove(st, root), TS_EBUSY);
    assert_int_equal(ts_store_commit(st), 0);
    assert_int_equal(ts_store_site_find(st, "in-txn", &other), 0);
    assert_int_equal(ts_store_site_find(st, "root", &other), 0);
    assert_int_equal(other, root);
}

static void test_event_refusals(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t site;
    assert_int_equal(ts_store_site_add(st, "s", 0, NULL, &site), 0);
    ts_event_t e;
    ev_init(&e);
    ts_link_t l[3] = {mklink(TS_ROLE_SOURCE, site, TS_RULE_NETWORK, "192.0.2.0/24"),
                      mklink(TS_ROLE_DESTINATION, site, TS_RULE_ASN, "AS64500"),
                      mklink(TS_ROLE_SOURCE, site, TS_RULE_ASN, "AS64500")};
    /* One link per (site, role): the third repeats the first's. */
    assert_int_equal(ts_store_event_add(st, &e, l, 3, 0, 0, NULL), TS_EEXIST);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 1, 0, 0, NULL), TS_EINVAL);
    ts_link_t bad = mklink((ts_role_t)3, site, TS_RULE_ASN, "AS1");
    assert_int_equal(ts_store_event_add(st, &e, &bad, 1, 0, 0, NULL), TS_EINVAL);
    bad = mklink(TS_ROLE_SOURCE, site, TS_RULE_ASN, NULL);
    assert_int_equal(ts_store_event_add(st, &e, &bad, 1, 0, 0, NULL), TS_EINVAL);

    static const char *const bad_json[] = {"",    "{",   "[1,]",      "01",      "\"abc",
                                           "tru", "1 2", "{\"a\" 1}", "\"\\x\"", "nul",
                                           "-",   "1.",  "\"\x01\""};
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        ts_event_t x;
        ev_init(&x);
        x.n_extra = 1;
        x.extra[0].key = ts_str_c("k");
        x.extra[0].value_json = ts_str_c(bad_json[i]);
        assert_int_equal(ts_store_event_add(st, &x, NULL, 0, 0, 0, NULL), TS_EINVAL);
    }
    ev_init(&e);
    e.type = 200;
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL), TS_EINVAL);
    ev_init(&e);
    e.src.port = 70000;
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL), TS_ERANGE);
    ev_init(&e);
    e.dst.ip.family = 5;
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL), TS_EINVAL);
    ev_init(&e);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 12345, 0, NULL), TS_ENOENT);
    assert_int_equal(count_events(st, 0), 0);

    /* A duplicate link fails the event as a whole, inside and outside a
     * transaction. */
    ts_link_t dup[2] = {l[0], l[0]};
    assert_int_equal(ts_store_event_add(st, &e, dup, 2, 0, 0, NULL), TS_EEXIST);
    assert_int_equal(count_events(st, 0), 0);
    assert_int_equal(ts_store_begin(st), 0);
    assert_int_equal(ts_store_event_add(st, &e, l, 1, 0, 0, NULL), 0);
    assert_int_equal(ts_store_event_add(st, &e, dup, 2, 0, 0, NULL), TS_EEXIST);
    assert_int_equal(ts_store_commit(st), 0);
    assert_int_equal(count_events(st, 0), 1);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 1);
    /* Two sites owning parts of one side are two links of one role. */
    int64_t other;
    assert_int_equal(ts_store_site_add(st, "other", 0, NULL, &other), 0);
    ts_link_t same_role[2] = {l[0], mklink(TS_ROLE_SOURCE, other, TS_RULE_ASN, "AS1")};
    assert_int_equal(ts_store_event_add(st, &e, same_role, 2, 0, 0, NULL), 0);
    assert_int_equal(count_events(st, 0), 2);
    assert_int_equal(count_events(st, other), 1);

    /* An input created by a transaction that was rolled back is unknown
     * again, although the store had seen it. */
    ts_input_state_t in;
    assert_int_equal(ts_store_begin(st), 0);
    assert_int_equal(ts_store_input_get(st, "/var/log/x", "suricata", &in), 0);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, 1, NULL), 0);
    ts_store_rollback(st);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, 1, NULL), TS_ENOENT);
    assert_int_equal(count_events(st, 0), 2);
    assert_int_equal(ts_store_input_get(st, "/var/log/x", "suricata", &in), 0);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, 1, NULL), 0);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id + 1, 1, NULL), TS_ENOENT);
    assert_int_equal(count_events(st, 0), 3);

    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    flt.site_id = 9999;
    uint64_t n;
    assert_int_equal(ts_store_events_count(st, &flt, &n), TS_ENOENT);
}

/* ---- Schema ----------------------------------------------------------------- */

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    if (ts_prefix_parse(s, strlen(s), &p) != 0)
        fail_msg("bad prefix in test: %s", s);
    return p;
}

static int scoped_cb_count(const ts_stored_event_t *se, void *ctx)
{
    (void)se;
    (void)ctx;
    return 0;
}

/* Lists, networks and TLP that break ts_targets_t's rules are refused
 * whole, before anything is written. */
static void test_target_refusals(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t site;
    assert_int_equal(ts_store_site_add(st, "s", 0, NULL, &site), 0);
    ts_prefix_t sorted[] = {pfx("10.0.0.1"), pfx("10.0.0.2")};
    ts_prefix_t unsorted[] = {pfx("10.0.0.2"), pfx("10.0.0.1")};
    ts_prefix_t dup[] = {pfx("10.0.0.1"), pfx("10.0.0.1")};
    ts_prefix_t hostbits[] = {pfx("10.0.0.0/24")};
    hostbits[0].addr.bytes[3] = 7;
    const ts_targets_t bad[] = {
        {unsorted, 2, 2}, {dup, 2, 2},    {hostbits, 1, 1},
        {sorted, 2, 1},   {sorted, 0, 0}, {NULL, 1, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ts_event_t e;
        ev_init(&e);
        e.dst.targets = &bad[i];
        if (ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL) != TS_EINVAL)
            fail_msg("list %zu accepted as targets", i);
        ev_init(&e);
        ts_link_t l = mklink(TS_ROLE_DESTINATION, site, TS_RULE_NETWORK, "10.0.0.0/8");
        l.own = bad[i];
        int rc = ts_store_event_add(st, &e, &l, 1, 0, 0, NULL);
        if (rc != TS_EINVAL && !(bad[i].n == 0 && bad[i].count == 0 && rc == 0))
            fail_msg("list %zu accepted as a share", i);
    }
    assert_int_equal(count_events(st, 0), 1); /* only the empty share, which is none */
    ts_event_t e;
    ev_init(&e);
    e.src.network = hostbits[0];
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL), TS_EINVAL);
    ev_init(&e);
    e.tlp = (ts_tlp_t)9;
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, NULL), TS_EINVAL);
    assert_int_equal(count_events(st, 0), 1);
}

/* The stored JSON of networks and lists: malformed texts are refused, what
 * the encoders write decodes to the same, and a corrupted column makes a
 * read fail rather than show something else. */
static void test_targets_codec(void **state)
{
    fx_t *f = *state;
    ts_arena_t *a = ts_arena_new(4096);
    static const char *const bad_event[] = {
        "",
        "[]",
        "{\"source\":1}",
        "{\"sauce\":{}}",
        "{\"source\":{\"network\":\"10.0.0.1/8\"}}",
        "{\"source\":{\"count\":2}}",
        "{\"destination\":{\"count\":1,\"list\":[\"10.0.0.1\",\"10.0.0.2\"]}}",
        "{\"destination\":{\"list\":[]}}",
        "{\"destination\":{\"list\":[\"10.0.0.256\"]}}",
        "{\"destination\":{\"list\":[1]}}",
        "{\"destination\":{\"list\":[\"10.0.0.\\u0031\"]}}",
        "{\"destination\":{\"list\":[\"10.0.0.1\"],\"more\":1}}",
        "{\"destination\":{\"count\":-1,\"list\":[\"10.0.0.1\"]}}",
        "{\"destination\":{\"list\":[\"10.0.0.1\"]}",
    };
    for (size_t i = 0; i < sizeof bad_event / sizeof *bad_event; i++) {
        ts_event_t e;
        ev_init(&e);
        if (ts_store_targets_decode(ts_str_c(bad_event[i]), a, &e) != TS_EINVAL)
            fail_msg("decoded: %s", bad_event[i]);
    }
    ts_targets_t t;
    assert_int_equal(ts_store_share_decode(ts_str_c("{\"count\":3}"), a, &t), TS_EINVAL);
    assert_int_equal(ts_store_share_decode(ts_str_c("{\"network\":\"10.0.0.0/8\",\"list\":"
                                                    "[\"10.0.0.1\"]}"),
                                           a, &t),
                     TS_EINVAL);
    /* Round trip. */
    ts_prefix_t l[] = {pfx("10.0.0.0/24"), pfx("10.0.0.7"), pfx("2001:db8::1")};
    ts_targets_t tt = {l, 3, 0};
    ts_event_t e, back;
    ev_init(&e);
    ts_buf_t b = TS_BUF_INIT;
    assert_false(ts_store_targets_encode(&e, &b));
    assert_int_equal(b.len, 0);
    e.src.network = pfx("198.51.100.0/24");
    e.dst.targets = &tt;
    assert_true(ts_store_targets_encode(&e, &b));
    assert_string_equal(b.data, "{\"source\":{\"network\":\"198.51.100.0/24\"},\"destination\":{"
                                "\"list\":[\"10.0.0.0/24\",\"10.0.0.7\",\"2001:db8::1\"]}}");
    ev_init(&back);
    assert_int_equal(ts_store_targets_decode(ts_str(b.data, b.len), a, &back), 0);
    assert_int_equal(ts_prefix_compare(&back.src.network, &e.src.network), 0);
    assert_null(back.src.targets);
    assert_int_equal(back.dst.targets->n, 3);
    assert_int_equal(back.dst.targets->count, 0);
    assert_int_equal(ts_prefix_compare(&back.dst.targets->list[2], &l[2]), 0);
    ts_buf_reset(&b);
    tt.count = 700;
    assert_true(ts_store_share_encode(&tt, &b));
    assert_int_equal(ts_store_share_decode(ts_str(b.data, b.len), a, &t), 0);
    assert_int_equal(t.count, 700);
    assert_int_equal(t.n, 3);
    ts_buf_free(&b);

    /* A column changed behind the store's back: the read fails. */
    int64_t id;
    assert_int_equal(ts_store_event_add(f->st, &e, NULL, 0, 0, 0, &id), 0);
    assert_int_equal(raw_exec(f->path, "UPDATE events SET targets = '{\"source\":{}' "), 0);
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    assert_int_equal(ts_store_events_foreach(f->st, &flt, scoped_cb_count, NULL), TS_EDB);
    ts_arena_free(a);
}

static void test_schema_fresh(void **state)
{
    fx_t *f = *state;
    int latest = ts_store_latest_version(f->path);
    assert_true(latest >= 2);
    assert_int_equal(ts_store_schema_version(f->st), latest);
    if (tt_pg()) {
        assert_int_equal(raw_sql(f->path, "SELECT version FROM ts_schema", NULL, 0), latest);
    } else {
        char mode[32] = "";
        assert_int_equal(raw_sql(f->path, "PRAGMA journal_mode", mode, sizeof mode), 0);
        assert_string_equal(mode, "wal");
        assert_int_equal(raw_sql(f->path, "PRAGMA user_version", NULL, 0), latest);
    }
    /* Reopening an up-to-date store changes nothing. */
    ts_store_close(f->st);
    f->st = NULL;
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    assert_int_equal(ts_store_schema_version(f->st), latest);
}

static void test_schema_migrate_forward(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = NULL;
    assert_int_equal(ts_store_open_version(f->path, 99, &st), TS_EINVAL);
    assert_int_equal(ts_store_open_version(f->path, 1, &st), 0);
    assert_int_equal(ts_store_schema_version(st), 1);
    int64_t id;
    assert_int_equal(ts_store_site_add(st, "old", 0, "from v1", &id), 0);
    assert_int_equal(ts_store_claim_add(st, id, TS_RULE_ASN, "64500"), 0);
    ts_store_close(st);
    assert_int_equal(table_count(f->path, "events"), 0);

    assert_int_equal(ts_store_open(f->path, &st), 0);
    assert_int_equal(ts_store_schema_version(st), ts_store_latest_version(f->path));
    int64_t found;
    assert_int_equal(ts_store_site_find(st, "old", &found), 0);
    assert_int_equal(found, id);
    ts_event_t e;
    ev_init(&e);
    ts_link_t l = mklink(TS_ROLE_SOURCE, id, TS_RULE_ASN, "AS64500");
    assert_int_equal(ts_store_event_add(st, &e, &l, 1, 0, 0, NULL), 0);
    assert_int_equal(count_events(st, id), 1);
    ts_store_close(st);
}

struct mig_seen {
    int n;
    int64_t ids[8], input[8];
    uint64_t line[8];
    char ident[8][16], extra[8][32];
    int n_links[8];
    ts_role_t role[8][2];
    ts_rule_kind_t kind[8][2];
    char rule[8][2][32], site[8][2][16];
};

static int mig_cb(const ts_stored_event_t *se, void *ctx)
{
    struct mig_seen *m = ctx;
    assert_true(m->n < 8);
    int i = m->n++;
    m->ids[i] = se->id;
    m->input[i] = se->input_id;
    m->line[i] = se->line;
    snprintf(m->ident[i], sizeof m->ident[i], "%.*s", (int)se->ev.identifier.len,
             se->ev.identifier.ptr ? se->ev.identifier.ptr : "");
    m->extra[i][0] = '\0';
    if (se->ev.n_extra == 1)
        snprintf(m->extra[i], sizeof m->extra[i], "%.*s=%.*s", (int)se->ev.extra[0].key.len,
                 se->ev.extra[0].key.ptr, (int)se->ev.extra[0].value_json.len,
                 se->ev.extra[0].value_json.ptr);
    m->n_links[i] = se->n_links;
    for (int k = 0; k < se->n_links; k++) {
        m->role[i][k] = se->links[k].role;
        m->kind[i][k] = se->links[k].match.kind;
        snprintf(m->rule[i][k], sizeof m->rule[i][k], "%s", se->links[k].match.rule);
        snprintf(m->site[i][k], sizeof m->site[i][k], "%s", se->links[k].match.site_name);
    }
    return 0;
}

/* A store that schema 2 wrote (events, links, the input foreign key) comes
 * through schema 3's table rebuilds, and the later steps, with every event
 * and link intact. */
static void test_schema_migrate_v2_v3(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = NULL;
    if (tt_pg())
        skip(); /* a rebuild of SQLite tables; PostgreSQL starts at their v3 form */
    assert_true(ts_store_latest_version(f->path) >= 3);
    assert_int_equal(ts_store_open_version(f->path, 2, &st), 0);
    assert_int_equal(ts_store_schema_version(st), 2);
    int64_t root, a, b;
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &root), 0);
    assert_int_equal(ts_store_site_add(st, "a", root, NULL, &a), 0);
    assert_int_equal(ts_store_site_add(st, "b", root, NULL, &b), 0);
    assert_true(a < b);
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(st, "/var/log/eve.json", "suricata", &in), 0);
    ts_store_close(st);

    /* Rows as tocsin 2 wrote them; event 4 has two source links, which the
     * v2 key allowed and the API never wrote: the lower site id's stays. */
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO events (id, time_source, type, identifier, src_family, src_ip,"
             " src_port, extra, input_id, line) VALUES"
             " (1, 1000, 'scanner', 'one', 4, x'00000000000000000000ffffc0000201', 22,"
             "  '{\"k\":1}', %lld, 7),"
             " (2, 2000, 'scanner', 'two', NULL, NULL, NULL, NULL, %lld, 8),"
             " (3, 3000, 'scanner', 'three', NULL, NULL, NULL, '{\"z\":[true]}', NULL, 9),"
             " (4, 4000, 'scanner', 'four', NULL, NULL, NULL, NULL, %lld, 10);"
             "INSERT INTO event_links (event_id, site_id, role, kind, rule) VALUES"
             " (1, %lld, 1, 1, '192.0.2.0/24'),"
             " (2, %lld, 2, 2, 'AS64500'), (2, %lld, 1, 3, 'b.example'),"
             " (4, %lld, 1, 1, 'kept'), (4, %lld, 1, 1, 'dropped');",
             (long long)in.id, (long long)in.id, (long long)in.id, (long long)a, (long long)a,
             (long long)b, (long long)a, (long long)b);
    assert_int_equal(raw_exec(f->path, sql), 0);
    assert_int_equal(
        raw_sql(f->path, "SELECT count(*) FROM pragma_foreign_key_list('events')", NULL, 0), 1);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 5);

    assert_int_equal(ts_store_open_version(f->path, 3, &st), 0);
    assert_int_equal(ts_store_schema_version(st), 3);
    assert_int_equal(raw_sql(f->path, "PRAGMA user_version", NULL, 0), 3);
    char text[64] = "";
    assert_int_equal(raw_sql(f->path, "PRAGMA integrity_check", text, sizeof text), 0);
    assert_string_equal(text, "ok");
    assert_int_equal(
        raw_sql(f->path, "SELECT count(*) FROM pragma_foreign_key_list('events')", NULL, 0), 0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 4);
    /* This program reads with today's schema: on through the later steps. */
    ts_store_close(st);
    assert_int_equal(ts_store_open(f->path, &st), 0);
    assert_int_equal(count_events(st, 0), 4);
    assert_int_equal(count_events(st, root), 3);
    assert_int_equal(count_events(st, a), 3);
    assert_int_equal(count_events(st, b), 1);

    struct mig_seen m;
    memset(&m, 0, sizeof m);
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    assert_int_equal(ts_store_events_foreach(st, &flt, mig_cb, &m), 0);
    assert_int_equal(m.n, 4);
    static const char *const idents[] = {"one", "two", "three", "four"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(m.ids[i], i + 1);
        assert_string_equal(m.ident[i], idents[i]);
        assert_int_equal(m.line[i], 7 + i);
        assert_int_equal(m.input[i], i == 2 ? 0 : in.id);
    }
    assert_string_equal(m.extra[0], "k=1");
    assert_string_equal(m.extra[2], "z=[true]");
    assert_int_equal(m.n_links[0], 1);
    assert_int_equal(m.role[0][0], TS_ROLE_SOURCE);
    assert_int_equal(m.kind[0][0], TS_RULE_NETWORK);
    assert_string_equal(m.rule[0][0], "192.0.2.0/24");
    assert_string_equal(m.site[0][0], "a");
    /* Event 2: source before destination, as before. */
    assert_int_equal(m.n_links[1], 2);
    assert_int_equal(m.role[1][0], TS_ROLE_SOURCE);
    assert_int_equal(m.kind[1][0], TS_RULE_DOMAIN);
    assert_string_equal(m.rule[1][0], "b.example");
    assert_string_equal(m.site[1][0], "b");
    assert_int_equal(m.role[1][1], TS_ROLE_DESTINATION);
    assert_int_equal(m.kind[1][1], TS_RULE_ASN);
    assert_string_equal(m.rule[1][1], "AS64500");
    assert_string_equal(m.site[1][1], "a");
    assert_int_equal(m.n_links[2], 0);
    assert_int_equal(m.n_links[3], 1);
    assert_string_equal(m.rule[3][0], "kept");
    assert_string_equal(m.site[3][0], "a");

    /* The view still spells links out, its event_id and role computed. */
    assert_int_equal(raw_sql(f->path,
                             "SELECT count(*) FROM event_owners WHERE event_id = 2"
                             " AND role = 'destination' AND site_name = 'a'"
                             " AND kind = 'asn'",
                             NULL, 0),
                     1);

    /* Writing goes on after the rebuild: ids continue, unknown inputs are
     * refused, links land where reads find them. */
    ts_event_t e;
    ev_init(&e);
    ts_link_t l[2] = {mklink(TS_ROLE_SOURCE, b, TS_RULE_ASN, "AS1"),
                      mklink(TS_ROLE_DESTINATION, a, TS_RULE_ASN, "AS2")};
    int64_t id5 = 0;
    assert_int_equal(ts_store_event_add(st, &e, l, 2, in.id + 100, 11, &id5), TS_ENOENT);
    assert_int_equal(ts_store_event_add(st, &e, l, 2, in.id, 11, &id5), 0);
    assert_int_equal(id5, 5);
    assert_int_equal(count_events(st, b), 2);
    assert_int_equal(count_events(st, a), 4);

    /* Deleting an event by hand takes its links, as ON DELETE CASCADE did. */
    ts_store_close(st);
    st = NULL;
    assert_int_equal(raw_exec(f->path, "PRAGMA foreign_keys = ON; DELETE FROM events WHERE id = 2"),
                     0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 4);
    assert_int_equal(
        raw_sql(f->path, "SELECT count(*) FROM event_links WHERE event_id = 2", NULL, 0), 0);
    assert_int_equal(ts_store_open(f->path, &st), 0);
    assert_int_equal(count_events(st, b), 1);
    ts_store_close(st);
}

static void test_schema_newer(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = NULL;
    assert_int_equal(ts_store_open(f->path, &st), 0);
    ts_store_close(st);
    int newer = ts_store_latest_version(f->path) + 1;
    char sql[64];
    snprintf(sql, sizeof sql,
             tt_pg() ? "UPDATE ts_schema SET version = %d" : "PRAGMA user_version = %d", newer);
    assert_int_equal(raw_sql(f->path, sql, NULL, 0), 0);
    st = (ts_store_t *)1;
    assert_int_equal(ts_store_open(f->path, &st), TS_ESCHEMA);
    assert_null(st);
    assert_int_equal(raw_sql(f->path,
                             tt_pg() ? "SELECT version FROM ts_schema" : "PRAGMA user_version",
                             NULL, 0),
                     newer);
}

/* ---- Event round trip ---------------------------------------------------------- */

static const char *const xkeys[] = {"str", "int", "neg",   "float",       "true", "false", "null",
                                    "obj", "arr", "empty", "k\"e\\y\n\t", "ключ", "emoji"};
static const char *const xvals[] = {"\"a \\\"quoted\\\" \\u00e9 caf\xc3\xa9\"",
                                    "42",
                                    "-17",
                                    "-1.5e+3",
                                    "true",
                                    "false",
                                    "null",
                                    "{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}",
                                    "[1,\"two\",3.0,[],{}]",
                                    "\"\"",
                                    "0",
                                    "\"\xf0\x9d\x84\x9e\"",
                                    "\"\\ud834\\udd1e\""};

static void fill_full(ts_event_t *e)
{
    ev_init(e);
    e->time_source = 1795761000123456LL;
    e->time_observation = 1795761005000000LL;
    e->type = TS_TYPE_IDS_ALERT;
    e->identifier = ts_str_c("ET SCAN Potential SSH Scan");
    e->description = ts_str_c("Übertragung über \xe2\x80\xa8 Zeilen\n\"quoted\"");
    e->src.ip.family = TS_AF_INET;
    memcpy(e->src.ip.bytes, (uint8_t[]){192, 0, 2, 77}, 4);
    e->src.port = 0;
    e->src.asn = 4294967295LL;
    e->src.fqdn = ts_str_c("scanner.example.net");
    e->src.url = ts_str_c("http://scanner.example.net/x?a=1&b=2");
    e->dst.ip.family = TS_AF_INET6;
    memcpy(e->dst.ip.bytes, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
           16);
    e->dst.port = 65535;
    e->dst.asn = 0;
    e->dst.fqdn = ts_str_c("");
    e->transport = ts_str_c("tcp");
    e->application = ts_str_c("ssh");
    e->feed_name = ts_str_c("suricata-eve");
    e->feed_provider = ts_str_c("CSIRT \xe6\x97\xa5\xe6\x9c\xac");
    e->count = 12345678901ULL;
    e->n_extra = sizeof xkeys / sizeof xkeys[0];
    for (uint32_t i = 0; i < e->n_extra; i++) {
        e->extra[i].key = ts_str_c(xkeys[i]);
        e->extra[i].value_json = ts_str_c(xvals[i]);
    }
}

static void assert_str_eq(ts_str_t got, ts_str_t want)
{
    if (want.ptr == NULL) {
        assert_null(got.ptr);
        return;
    }
    assert_non_null(got.ptr);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.ptr, want.ptr, want.len);
}

static void assert_ep_eq(const ts_endpoint_t *got, const ts_endpoint_t *want)
{
    assert_int_equal(got->ip.family, want->ip.family);
    if (want->ip.family)
        assert_memory_equal(got->ip.bytes, want->ip.bytes, want->ip.family == TS_AF_INET ? 4 : 16);
    assert_int_equal(got->port, want->port);
    assert_int_equal(got->asn, want->asn);
    assert_str_eq(got->fqdn, want->fqdn);
    assert_str_eq(got->url, want->url);
}

static void assert_event_eq(const ts_event_t *got, const ts_event_t *want)
{
    assert_int_equal(got->time_source, want->time_source);
    assert_int_equal(got->time_observation, want->time_observation);
    assert_int_equal(got->type, want->type);
    assert_str_eq(got->identifier, want->identifier);
    assert_str_eq(got->description, want->description);
    assert_ep_eq(&got->src, &want->src);
    assert_ep_eq(&got->dst, &want->dst);
    assert_str_eq(got->transport, want->transport);
    assert_str_eq(got->application, want->application);
    assert_str_eq(got->feed_name, want->feed_name);
    assert_str_eq(got->feed_provider, want->feed_provider);
    assert_int_equal(got->count, want->count);
    assert_int_equal(got->n_extra, want->n_extra);
    for (uint32_t i = 0; i < want->n_extra; i++) {
        assert_str_eq(got->extra[i].key, want->extra[i].key);
        assert_str_eq(got->extra[i].value_json, want->extra[i].value_json);
    }
}

struct want {
    const ts_event_t *ev[4];
    int64_t ids[4];
    int n;
    int seen;
};

static int check_cb(const ts_stored_event_t *se, void *ctx)
{
    struct want *w = ctx;
    assert_true(w->seen < w->n);
    assert_int_equal(se->id, w->ids[w->seen]);
    assert_event_eq(&se->ev, w->ev[w->seen]);
    w->seen++;
    return 0;
}

static void test_event_roundtrip(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(st, "/var/log/suricata/eve.json", "suricata", &in), 0);
    ts_event_t full, empty, v6mapped;
    fill_full(&full);
    ev_init(&empty);
    ev_init(&v6mapped);
    /* ::ffff:192.0.2.1 written as IPv6 must come back as IPv6. */
    v6mapped.src.ip.family = TS_AF_INET6;
    memcpy(v6mapped.src.ip.bytes,
           (uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}, 16);
    v6mapped.identifier = ts_str_c("");
    /* Surrounding whitespace of an extra value is not part of the value. */
    ts_event_t ws;
    ev_init(&ws);
    ws.n_extra = 1;
    ws.extra[0].key = ts_str_c("");
    ws.extra[0].value_json = ts_str_c(" \n[ 1 , 2 ]\t");

    struct want w = {.ev = {&full, &empty, &v6mapped, &ws}, .n = 4};
    assert_int_equal(ts_store_event_add(st, &full, NULL, 0, in.id, 77, &w.ids[0]), 0);
    assert_int_equal(ts_store_event_add(st, &empty, NULL, 0, 0, 0, &w.ids[1]), 0);
    assert_int_equal(ts_store_event_add(st, &v6mapped, NULL, 0, 0, 0, &w.ids[2]), 0);
    assert_int_equal(ts_store_event_add(st, &ws, NULL, 0, 0, 0, &w.ids[3]), 0);
    ws.extra[0].value_json = ts_str_c("[ 1 , 2 ]");

    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    assert_int_equal(ts_store_events_foreach(st, &flt, check_cb, &w), 0);
    assert_int_equal(w.seen, 4);

    /* The stored row is readable by other tools. */
    char text[256];
    assert_int_equal(
        raw_sql(f->path, "SELECT type FROM events ORDER BY id LIMIT 1", text, sizeof text), 0);
    assert_string_equal(text, ts_type_name(TS_TYPE_IDS_ALERT));
    assert_int_equal(raw_sql(f->path, "SELECT line FROM events ORDER BY id LIMIT 1", NULL, 0), 77);
    assert_int_equal(raw_sql(f->path,
                             "SELECT count(*) FROM events WHERE src_ip IS NULL AND src_port IS "
                             "NULL AND extra IS NULL AND identifier IS NULL",
                             NULL, 0),
                     1);
}

/* ---- Links and per-site visibility ------------------------------------------------ */

struct seen {
    int n;
    int64_t ids[16];
    int n_links[16];
    int64_t link_site[16][2];
    char link_name[16][2][32];
    int dup;
};

static int collect_cb(const ts_stored_event_t *se, void *ctx)
{
    struct seen *s = ctx;
    assert_true(s->n < 16);
    for (int i = 0; i < s->n; i++)
        if (s->ids[i] == se->id)
            s->dup++;
    s->ids[s->n] = se->id;
    s->n_links[s->n] = se->n_links;
    for (int i = 0; i < se->n_links; i++) {
        s->link_site[s->n][i] = se->links[i].match.site_id;
        assert_non_null(se->links[i].match.site_name);
        assert_non_null(se->links[i].match.rule);
        snprintf(s->link_name[s->n][i], 32, "%s", se->links[i].match.site_name);
    }
    s->n++;
    return 0;
}

static struct seen query(ts_store_t *st, int64_t site, bool newest_first)
{
    struct seen s = {0};
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = site;
    f.newest_first = newest_first;
    assert_int_equal(ts_store_events_foreach(st, &f, collect_cb, &s), 0);
    assert_int_equal(s.dup, 0);
    assert_int_equal(count_events(st, site), (uint64_t)s.n);
    return s;
}

/* What one read saw of an event: its links and each side's targets. */
struct scoped {
    int n;
    int64_t id;
    char links[256];      /* "site/role:share;" per link */
    char targets[2][256]; /* src, dst: "count|list" or "-" */
    char network[64];
    ts_tlp_t tlp;
};

static int scoped_cb(const ts_stored_event_t *se, void *ctx)
{
    struct scoped *sc = ctx;
    sc->n++;
    sc->id = se->id;
    tt_links_text(se, sc->links, sizeof sc->links);
    tt_targets_text(se->ev.src.targets, sc->targets[0], sizeof sc->targets[0]);
    tt_targets_text(se->ev.dst.targets, sc->targets[1], sizeof sc->targets[1]);
    sc->network[0] = '\0';
    if (se->ev.src.network.addr.family)
        ts_prefix_format(&se->ev.src.network, sc->network, sizeof sc->network);
    sc->tlp = se->ev.tlp;
    return 0;
}

/* Reads event id as site sees it, through the core iteration and the
 * portal's single-event read; both must agree. */
static struct scoped read_as(ts_store_t *st, int64_t site, int64_t id)
{
    struct scoped a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    flt.site_id = site;
    flt.after_id = id - 1;
    flt.before_id = id + 1;
    assert_int_equal(ts_store_events_foreach(st, &flt, scoped_cb, &a), 0);
    int rc = ts_store_portal_event(st, site, id, scoped_cb, &b);
    assert_int_equal(rc, a.n ? 0 : TS_ENOENT);
    assert_memory_equal(&a, &b, sizeof a);
    return a;
}

/* A scan of hosts of three sites and nobody's: the CSIRT sees the whole list
 * and every link; each site its own hosts and links only; a parent its
 * subtree's. */
static void test_targets_scoped(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t root, a, a1, b, other;
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &root), 0);
    assert_int_equal(ts_store_site_add(st, "a", root, NULL, &a), 0);
    assert_int_equal(ts_store_site_add(st, "a1", a, NULL, &a1), 0);
    assert_int_equal(ts_store_site_add(st, "b", root, NULL, &b), 0);
    assert_int_equal(ts_store_site_add(st, "other", 0, NULL, &other), 0);
    assert_int_equal(ts_store_claim_add(st, a, TS_RULE_NETWORK, "10.1.0.0/16"), 0);
    assert_int_equal(ts_store_claim_add(st, a1, TS_RULE_NETWORK, "10.1.2.0/24"), 0);
    assert_int_equal(ts_store_claim_add(st, b, TS_RULE_NETWORK, "10.2.0.0/16"), 0);
    assert_int_equal(ts_store_claim_add(st, other, TS_RULE_NETWORK, "192.0.2.0/25"), 0);
    ts_constituency_t *c;
    assert_int_equal(ts_constituency_load(st, &c), 0);
    ts_arena_t *ar = ts_arena_new(4096);

    ts_prefix_t hosts[] = {pfx("10.1.2.5"), pfx("10.1.2.6"), pfx("10.1.9.9"), pfx("10.2.3.4"),
                           pfx("198.51.100.1")};
    ts_targets_t t = {hosts, 5, 5};
    ts_event_t e;
    ev_init(&e);
    e.type = TS_TYPE_UNDETERMINED;
    assert_int_equal(ts_ip_parse("203.0.113.66", 12, &e.src.ip), 0);
    e.dst.targets = &t;
    e.tlp = TS_TLP_AMBER;
    ts_link_t *links;
    int nl = ts_constituency_route(c, &e, ar, &links);
    assert_int_equal(nl, 3);
    int64_t id;
    assert_int_equal(ts_store_event_add(st, &e, links, nl, 0, 0, &id), 0);

    struct scoped sc = read_as(st, 0, id);
    assert_int_equal(sc.n, 1);
    assert_string_equal(sc.targets[1], "5|10.1.2.5 10.1.2.6 10.1.9.9 10.2.3.4 198.51.100.1");
    assert_string_equal(sc.targets[0], "-");
    assert_string_equal(sc.links, "a/dst:1|10.1.9.9;a1/dst:2|10.1.2.5 10.1.2.6;b/dst:1|10.2.3.4;");
    assert_int_equal(sc.tlp, TS_TLP_AMBER);
    sc = read_as(st, root, id);
    assert_string_equal(sc.targets[1], "4|10.1.2.5 10.1.2.6 10.1.9.9 10.2.3.4");
    sc = read_as(st, a, id);
    assert_string_equal(sc.targets[1], "3|10.1.2.5 10.1.2.6 10.1.9.9");
    assert_string_equal(sc.links, "a/dst:1|10.1.9.9;a1/dst:2|10.1.2.5 10.1.2.6;");
    sc = read_as(st, a1, id);
    assert_string_equal(sc.targets[1], "2|10.1.2.5 10.1.2.6");
    assert_string_equal(sc.links, "a1/dst:2|10.1.2.5 10.1.2.6;");
    sc = read_as(st, b, id);
    assert_string_equal(sc.targets[1], "1|10.2.3.4");
    assert_string_equal(sc.links, "b/dst:1|10.2.3.4;");
    sc = read_as(st, other, id);
    assert_int_equal(sc.n, 0);

    /* A netblock: every site sees the network the report names, and its
     * own part of it. */
    ev_init(&e);
    e.src.network = pfx("10.0.0.0/8");
    nl = ts_constituency_route(c, &e, ar, &links);
    assert_int_equal(nl, 3);
    int64_t id2;
    assert_int_equal(ts_store_event_add(st, &e, links, nl, 0, 0, &id2), 0);
    sc = read_as(st, b, id2);
    assert_string_equal(sc.network, "10.0.0.0/8");
    assert_string_equal(sc.targets[0], "0|10.2.0.0/16");
    sc = read_as(st, 0, id2);
    assert_string_equal(sc.targets[0], "-");
    assert_int_equal(sc.tlp, TS_TLP_NONE);

    /* Past the bound: the event keeps covering prefixes and its count; each
     * site's share is exact while it fits. */
    enum { N = 3000 };
    ts_prefix_t *many = ts_arena_alloc(ar, N * sizeof *many);
    for (int i = 0; i < N; i++) {
        char txt[32];
        snprintf(txt, sizeof txt, "10.%d.%d.%d", i < 600 ? 2 : 1, 10 + i / 250, i % 250);
        many[i] = pfx(txt);
    }
    t = (ts_targets_t){many, (uint32_t)ts_targets_normalize(many, N), N};
    ev_init(&e);
    e.dst.targets = &t;
    nl = ts_constituency_route(c, &e, ar, &links);
    assert_int_equal(nl, 1 + 1); /* a (all of 10.1 outside a1's /24) and b */
    int64_t id3;
    assert_int_equal(ts_store_event_add(st, &e, links, nl, 0, 0, &id3), 0);
    sc = read_as(st, 0, id3);
    assert_int_equal(strncmp(sc.targets[1], "3000|", 5), 0);
    sc = read_as(st, b, id3);
    assert_int_equal(strncmp(sc.targets[1], "600|10.2.10.0 10.2.10.1 ", 24), 0);
    sc = read_as(st, a, id3);
    assert_int_equal(strncmp(sc.targets[1], "2400|10.1.12.0/24 ", 18), 0); /* covered */

    /* Pages of the portal carry the same scoping. */
    ts_portal_filter_t pf;
    ts_portal_filter_init(&pf);
    pf.site_id = a1;
    memset(&sc, 0, sizeof sc);
    int64_t next;
    assert_int_equal(ts_store_portal_events(st, &pf, scoped_cb, &sc, &next), 0);
    assert_int_equal(sc.n, 2); /* the netblock, then the scan (the last seen) */
    assert_int_equal(sc.id, id);
    assert_string_equal(sc.targets[1], "2|10.1.2.5 10.1.2.6");

    /* Written as a batch without asking for ids (PostgreSQL keeps them for
     * one COPY at commit, ids and link keys taken then): the scan, an event
     * of one link and the netblock read back as they did one by one. */
    ev_init(&e);
    assert_int_equal(ts_ip_parse("203.0.113.66", 12, &e.src.ip), 0);
    t = (ts_targets_t){hosts, 5, 5};
    e.dst.targets = &t;
    e.tlp = TS_TLP_AMBER;
    ts_event_t single, net;
    ev_init(&single);
    assert_int_equal(ts_ip_parse("10.2.0.1", 8, &single.src.ip), 0);
    ev_init(&net);
    net.src.network = pfx("10.0.0.0/8");
    const ts_event_t *batch[] = {&e, &single, &net};
    assert_int_equal(ts_store_begin(st), 0);
    for (size_t i = 0; i < 3; i++) {
        nl = ts_constituency_route(c, batch[i], ar, &links);
        assert_int_equal(ts_store_event_add(st, batch[i], links, nl, 0, 0, NULL), 0);
    }
    assert_int_equal(ts_store_commit(st), 0);
    int64_t last = id3 + 3;
    assert_int_equal(count_events(st, 0), 6);
    sc = read_as(st, 0, last - 2);
    assert_string_equal(sc.targets[1], "5|10.1.2.5 10.1.2.6 10.1.9.9 10.2.3.4 198.51.100.1");
    assert_string_equal(sc.links, "a/dst:1|10.1.9.9;a1/dst:2|10.1.2.5 10.1.2.6;b/dst:1|10.2.3.4;");
    assert_int_equal(sc.tlp, TS_TLP_AMBER);
    sc = read_as(st, a1, last - 2);
    assert_string_equal(sc.links, "a1/dst:2|10.1.2.5 10.1.2.6;");
    sc = read_as(st, b, last - 1);
    assert_string_equal(sc.links, "b/src:-;");
    assert_string_equal(sc.targets[0], "-");
    sc = read_as(st, a, last - 1);
    assert_int_equal(sc.n, 0);
    sc = read_as(st, b, last);
    assert_string_equal(sc.network, "10.0.0.0/8");
    assert_string_equal(sc.targets[0], "0|10.2.0.0/16");
    ts_arena_free(ar);
    ts_constituency_free(c);
}

/* A store as tocsin 7 left it (one link per role, keyed event_id * 2 +
 * role - 1) reads back the same after the next step renumbers its links: every
 * event, link, site view and portal page, and it takes many links per side
 * afterwards. On both backends (each has its step 8). */
static void test_schema_migrate_v7(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = NULL;
    assert_int_equal(ts_store_open_version(f->path, 7, &st), 0);
    assert_int_equal(ts_store_schema_version(st), 7);
    int64_t root, a, b;
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &root), 0);
    assert_int_equal(ts_store_site_add(st, "a", root, NULL, &a), 0);
    assert_int_equal(ts_store_site_add(st, "b", root, NULL, &b), 0);
    ts_store_close(st);
    /* Addresses as 16 bytes (IPv4 mapped), in each dialect's blob literal;
     * PostgreSQL's ids come from a sequence that explicit ids leave behind. */
    const char *ip1 = tt_pg() ? "'\\x00000000000000000000ffffc0000201'::bytea"
                              : "x'00000000000000000000ffffc0000201'";
    const char *ip2 = tt_pg() ? "'\\x00000000000000000000ffffc6336407'::bytea"
                              : "x'00000000000000000000ffffc6336407'";
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO events (id, time_source, type, identifier, src_family, src_ip,"
             " dst_family, dst_ip, extra) VALUES"
             " (1, 1000, 'scanner', 'one', 4, %s, NULL, NULL, '{\"k\":1}'),"
             " (2, 2000, 'ddos', 'two', NULL, NULL, 4, %s, NULL),"
             " (3, 3000, 'spam', 'three', NULL, NULL, NULL, NULL, NULL);"
             "INSERT INTO event_links (id, site_id, kind, rule) VALUES"
             " (2, %lld, 1, '192.0.2.0/24'),"
             " (4, %lld, 3, 'b.example'), (5, %lld, 2, 'AS64500');%s",
             ip1, ip2, (long long)a, (long long)b, (long long)a,
             tt_pg() ? "SELECT setval('events_id_seq', 3);" : "");
    assert_int_equal(raw_exec(f->path, sql), 0);

    assert_int_equal(ts_store_open(f->path, &st), 0);
    assert_int_equal(ts_store_schema_version(st), ts_store_latest_version(f->path));
    if (!tt_pg()) {
        char text[64] = "";
        assert_int_equal(raw_sql(f->path, "PRAGMA integrity_check", text, sizeof text), 0);
        assert_string_equal(text, "ok");
    }
    /* The links' generated columns follow the new ids. */
    assert_int_equal(raw_sql(f->path,
                             "SELECT count(*) FROM event_links WHERE event_id = id / 65536"
                             " AND role = 1 + (id / 32768) % 2",
                             NULL, 0),
                     3);
    assert_int_equal(raw_sql(f->path,
                             "SELECT count(*) FROM event_links WHERE id IN"
                             " (1 * 65536, 2 * 65536, 2 * 65536 + 32768)",
                             NULL, 0),
                     3);
    assert_int_equal(count_events(st, 0), 3);
    assert_int_equal(count_events(st, root), 2);
    assert_int_equal(count_events(st, a), 2);
    assert_int_equal(count_events(st, b), 1);
    struct mig_seen m;
    memset(&m, 0, sizeof m);
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    assert_int_equal(ts_store_events_foreach(st, &flt, mig_cb, &m), 0);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.extra[0], "k=1");
    assert_int_equal(m.n_links[0], 1);
    assert_int_equal(m.role[0][0], TS_ROLE_SOURCE);
    assert_string_equal(m.rule[0][0], "192.0.2.0/24");
    assert_string_equal(m.site[0][0], "a");
    assert_int_equal(m.n_links[1], 2);
    assert_int_equal(m.role[1][0], TS_ROLE_SOURCE);
    assert_string_equal(m.site[1][0], "b");
    assert_string_equal(m.rule[1][0], "b.example");
    assert_int_equal(m.role[1][1], TS_ROLE_DESTINATION);
    assert_string_equal(m.site[1][1], "a");
    assert_string_equal(m.rule[1][1], "AS64500");
    assert_int_equal(m.n_links[2], 0);
    /* The events stored before have no network, targets or TLP. */
    struct scoped sc = read_as(st, 0, 2);
    assert_string_equal(sc.targets[0], "-");
    assert_string_equal(sc.targets[1], "-");
    assert_string_equal(sc.network, "");
    assert_int_equal(sc.tlp, TS_TLP_NONE);
    sc = read_as(st, b, 2);
    assert_string_equal(sc.links, "b/src:-;");
    sc = read_as(st, b, 1);
    assert_int_equal(sc.n, 0);
    /* The portal's plans find them through the new ranges. */
    ts_portal_filter_t pf;
    ts_portal_filter_init(&pf);
    pf.site_id = a;
    pf.role = TS_ROLE_DESTINATION;
    memset(&sc, 0, sizeof sc);
    int64_t next;
    assert_int_equal(ts_store_portal_events(st, &pf, scoped_cb, &sc, &next), 0);
    assert_int_equal(sc.n, 1);
    assert_int_equal(sc.id, 2);
    pf.site_id = 0;
    memset(&sc, 0, sizeof sc);
    assert_int_equal(ts_store_portal_events(st, &pf, scoped_cb, &sc, &next), 0);
    assert_int_equal(sc.n, 1);
    assert_int_equal(raw_sql(f->path,
                             "SELECT count(*) FROM event_owners WHERE event_id = 2"
                             " AND role = 'destination' AND site_name = 'a'",
                             NULL, 0),
                     1);
    /* New events take two sites on one side; deleting one takes its links. */
    ts_event_t e;
    ev_init(&e);
    ts_link_t two[2] = {mklink(TS_ROLE_DESTINATION, a, TS_RULE_ASN, "AS1"),
                        mklink(TS_ROLE_DESTINATION, b, TS_RULE_ASN, "AS2")};
    int64_t id4;
    assert_int_equal(ts_store_event_add(st, &e, two, 2, 0, 0, &id4), 0);
    assert_int_equal(id4, 4);
    assert_int_equal(count_events(st, b), 2);
    ts_store_close(st);
    assert_int_equal(raw_exec(f->path, "DELETE FROM events WHERE id = 2"), 0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 3);
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    assert_int_equal(count_events(f->st, b), 1);
}

static void test_links_visibility(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t root, a, a1, b;
    assert_int_equal(ts_store_site_add(st, "root", 0, NULL, &root), 0);
    assert_int_equal(ts_store_site_add(st, "a", root, NULL, &a), 0);
    assert_int_equal(ts_store_site_add(st, "a1", a, NULL, &a1), 0);
    assert_int_equal(ts_store_site_add(st, "b", root, NULL, &b), 0);

    ts_event_t e;
    ev_init(&e);
    ts_link_t to_a1 = mklink(TS_ROLE_SOURCE, a1, TS_RULE_NETWORK, "192.0.2.0/25");
    ts_link_t to_b = mklink(TS_ROLE_DESTINATION, b, TS_RULE_DOMAIN, "b.example");
    ts_link_t both[2] = {to_a1, to_b};
    int64_t e1, e2, e3, e4;
    assert_int_equal(ts_store_begin(st), 0);
    assert_int_equal(ts_store_event_add(st, &e, &to_a1, 1, 0, 0, &e1), 0);
    assert_int_equal(ts_store_event_add(st, &e, &to_b, 1, 0, 0, &e2), 0);
    assert_int_equal(ts_store_event_add(st, &e, both, 2, 0, 0, &e3), 0);
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, 0, 0, &e4), 0);
    assert_int_equal(ts_store_commit(st), 0);

    struct seen s = query(st, 0, false);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.ids[2], e3);
    assert_int_equal(s.n_links[2], 2);
    assert_int_equal(s.n_links[3], 0);
    assert_string_equal(s.link_name[2][0], "a1");
    assert_string_equal(s.link_name[2][1], "b");

    s = query(st, root, false); /* e1, e2, e3 once each; not e4 */
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ids[0], e1);
    assert_int_equal(s.ids[1], e2);
    assert_int_equal(s.ids[2], e3);
    assert_int_equal(s.n_links[2], 2);

    s = query(st, a, true); /* the grandchild's events, newest first; no link of b */
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], e3);
    assert_int_equal(s.ids[1], e1);
    assert_int_equal(s.n_links[0], 1);
    assert_int_equal(s.link_site[0][0], a1);

    s = query(st, b, false);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], e2);
    assert_int_equal(s.ids[1], e3);
    assert_int_equal(s.n_links[1], 1);
    assert_int_equal(s.link_site[1][0], b);

    s = query(st, a1, false);
    assert_int_equal(s.n, 2);

    /* Pages of a big subtree take another plan; same answers. */
    for (int big = 0; big < 2; big++) {
        ts_event_filter_t flt;
        ts_event_filter_init(&flt);
        flt.site_id = big ? root : a1;
        flt.newest_first = true;
        flt.limit = 1;
        flt.before_id = e3;
        struct seen p = {0};
        assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &p), 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.ids[0], big ? e2 : e1);
        assert_int_equal(p.n_links[0], 1);
        flt.newest_first = false;
        flt.before_id = 0;
        flt.after_id = e1;
        memset(&p, 0, sizeof p);
        assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &p), 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.ids[0], big ? e2 : e3);
        assert_int_equal(p.n_links[0], 1);
    }

    /* Reparenting b under a makes its events visible from a. */
    assert_int_equal(ts_store_site_update(st, b, a, "moved"), 0);
    s = query(st, a, false);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.n_links[2], 2);
    assert_int_equal(ts_store_site_update(st, b, root, NULL), 0);

    /* Removing b keeps its links as history but no site sees them. */
    assert_int_equal(ts_store_claim_add(st, b, TS_RULE_DOMAIN, "b.example"), 0);
    assert_int_equal(ts_store_contact_add(st, b, "cert@b.example", "B"), 0);
    assert_int_equal(ts_store_site_remove(st, b), 0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM claims", NULL, 0), 0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM contacts", NULL, 0), 0);
    assert_int_equal(raw_sql(f->path, "SELECT count(*) FROM event_links", NULL, 0), 4);
    s = query(st, root, false);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[1], e3);
    assert_int_equal(s.n_links[1], 1);
    s = query(st, 0, false);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.n_links[1], 1);
    assert_int_equal(s.link_site[1][0], b);
    assert_string_equal(s.link_name[1][0], "");
    /* A new site never inherits the removed one's id and history. */
    int64_t b2;
    assert_int_equal(ts_store_site_add(st, "b2", root, NULL, &b2), 0);
    assert_true(b2 > b);
    assert_int_equal(count_events(st, b2), 0);
}

/* ---- Sites, claims, contacts iteration ----------------------------------------------- */

struct names {
    int n;
    char v[16][64];
    int64_t parent[16];
};

static int site_cb(const ts_site_info_t *si, void *ctx)
{
    struct names *n = ctx;
    snprintf(n->v[n->n], 64, "%s|%s", si->name, si->description);
    n->parent[n->n++] = si->parent_id;
    return 0;
}

static int claim_cb(const ts_claim_info_t *ci, void *ctx)
{
    struct names *n = ctx;
    snprintf(n->v[n->n++], 64, "%lld:%d:%s", (long long)ci->site_id, (int)ci->kind, ci->value);
    return 0;
}

static int contact_cb(const ts_contact_info_t *ci, void *ctx)
{
    struct names *n = ctx;
    snprintf(n->v[n->n++], 64, "%s:%s", ci->email, ci->name);
    return 0;
}

static int stop_cb(const ts_site_info_t *si, void *ctx)
{
    (void)si;
    ++*(int *)ctx;
    return 42;
}

static void test_sites_order(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t z, y, x, w;
    /* Insertion order deliberately differs from tree order. */
    assert_int_equal(ts_store_site_add(st, "zroot", 0, NULL, &z), 0);
    assert_int_equal(ts_store_site_add(st, "yleaf", z, "d", &y), 0);
    assert_int_equal(ts_store_site_add(st, "aroot", 0, NULL, &x), 0);
    assert_int_equal(ts_store_site_add(st, "mmid", x, NULL, &w), 0);
    int64_t deep;
    assert_int_equal(ts_store_site_add(st, "bdeep", w, NULL, &deep), 0);
    assert_int_equal(ts_store_site_update(st, x, z, NULL), 0); /* aroot under zroot */

    struct names n = {0};
    assert_int_equal(ts_store_sites_foreach(st, site_cb, &n), 0);
    assert_int_equal(n.n, 5);
    assert_string_equal(n.v[0], "zroot|");
    assert_string_equal(n.v[1], "aroot|");
    assert_string_equal(n.v[2], "yleaf|d");
    assert_string_equal(n.v[3], "mmid|");
    assert_string_equal(n.v[4], "bdeep|");
    assert_int_equal(n.parent[0], 0);
    assert_int_equal(n.parent[4], w);

    int calls = 0;
    assert_int_equal(ts_store_sites_foreach(st, stop_cb, &calls), 42);
    assert_int_equal(calls, 1);

    assert_int_equal(ts_store_claim_add(st, y, TS_RULE_DOMAIN, "example.org"), 0);
    assert_int_equal(ts_store_claim_add(st, y, TS_RULE_ASN, "64500"), 0);
    assert_int_equal(ts_store_claim_add(st, z, TS_RULE_NETWORK, "2001:db8::/32"), 0);
    assert_int_equal(ts_store_claim_add(st, y, TS_RULE_NETWORK, "192.0.2.0/24"), 0);
    memset(&n, 0, sizeof n);
    assert_int_equal(ts_store_claims_foreach(st, claim_cb, &n), 0);
    assert_int_equal(n.n, 4);
    char want[64];
    snprintf(want, sizeof want, "%lld:1:2001:db8::/32", (long long)z);
    assert_string_equal(n.v[0], want);
    snprintf(want, sizeof want, "%lld:1:192.0.2.0/24", (long long)y);
    assert_string_equal(n.v[1], want);
    snprintf(want, sizeof want, "%lld:3:example.org", (long long)y);
    assert_string_equal(n.v[3], want);

    assert_int_equal(ts_store_claim_remove(st, y, TS_RULE_ASN, "64500"), 0);
    assert_int_equal(ts_store_contact_add(st, y, "b@example.org", NULL), 0);
    assert_int_equal(ts_store_contact_add(st, y, "a@example.org", "Alice"), 0);
    memset(&n, 0, sizeof n);
    assert_int_equal(ts_store_contacts_foreach(st, contact_cb, &n), 0);
    assert_int_equal(n.n, 2);
    assert_string_equal(n.v[0], "a@example.org:Alice");
    assert_string_equal(n.v[1], "b@example.org:");

    /* Clearing takes the claims; the contacts (with their keys and waiting
     * digests) are the file import's to bring in line. */
    assert_int_equal(ts_store_site_clear(st, y), 0);
    memset(&n, 0, sizeof n);
    assert_int_equal(ts_store_claims_foreach(st, claim_cb, &n), 0);
    assert_int_equal(n.n, 1);
    memset(&n, 0, sizeof n);
    assert_int_equal(ts_store_contacts_foreach(st, contact_cb, &n), 0);
    assert_int_equal(n.n, 2);
}

/* ---- Time window and cursors ------------------------------------------------------------ */

static void test_time_and_cursors(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    int64_t site;
    assert_int_equal(ts_store_site_add(st, "s", 0, NULL, &site), 0);
    ts_link_t l = mklink(TS_ROLE_SOURCE, site, TS_RULE_ASN, "AS1");
    int64_t ids[10];
    assert_int_equal(ts_store_begin(st), 0);
    for (int i = 0; i < 10; i++) {
        ts_event_t e;
        ev_init(&e);
        /* Even events carry a source time; odd ones only an observation time,
         * which then stands in for it. */
        if (i % 2 == 0) {
            e.time_source = (int64_t)i * 1000;
            e.time_observation = 999999;
        } else {
            e.time_observation = (int64_t)i * 1000;
        }
        assert_int_equal(ts_store_event_add(st, &e, &l, i % 3 ? 1 : 0, 0, 0, &ids[i]), 0);
    }
    assert_int_equal(ts_store_commit(st), 0);

    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    flt.since = 3000;
    flt.until = 7000; /* half-open: 3000 <= t < 7000 */
    struct seen s = {0};
    assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &s), 0);
    assert_int_equal(s.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(s.ids[i], ids[3 + i]);
    uint64_t n;
    assert_int_equal(ts_store_events_count(st, &flt, &n), 0);
    assert_int_equal(n, 4);
    flt.site_id = site; /* events 4 and 5 are linked (i % 3 != 0) */
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], ids[4]);
    assert_int_equal(s.ids[1], ids[5]);

    /* Newest-first pages of 3 with before_id, then oldest-first with after_id. */
    ts_event_filter_init(&flt);
    flt.newest_first = true;
    flt.limit = 3;
    int got = 0;
    for (int page = 0; page < 5; page++) {
        memset(&s, 0, sizeof s);
        assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &s), 0);
        for (int i = 0; i < s.n; i++)
            assert_int_equal(s.ids[i], ids[9 - got - i]);
        got += s.n;
        if (s.n == 0)
            break;
        assert_true(s.n <= 3);
        flt.before_id = s.ids[s.n - 1];
    }
    assert_int_equal(got, 10);
    assert_int_equal(ts_store_events_count(st, &flt, &n), 0);
    assert_int_equal(n, 10); /* cursors and limit ignored */

    ts_event_filter_init(&flt);
    flt.after_id = ids[6];
    flt.limit = 2;
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], ids[7]);
    assert_int_equal(s.ids[1], ids[8]);
    flt.site_id = site;
    flt.before_id = ids[9];
    flt.limit = 0;
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_store_events_foreach(st, &flt, collect_cb, &s), 0);
    assert_int_equal(s.n, 2); /* 7 and 8, both linked */
    assert_int_equal(s.ids[0], ids[7]);
    assert_int_equal(s.ids[1], ids[8]);
}

/* ---- Quarantine -------------------------------------------------------------------------- */

struct qseen {
    int n;
    int64_t ids[8];
    char reason[8][32];
    char input[8][64];
    size_t data_len[8];
    uint64_t record_len[8];
    uint64_t line[8], offset[8];
    bool data_ok[8];
};

static int q_cb(const ts_quarantine_rec_t *q, void *ctx)
{
    struct qseen *s = ctx;
    int i = s->n++;
    s->ids[i] = q->id;
    snprintf(s->reason[i], 32, "%s", q->reason);
    snprintf(s->input[i], 64, "%s|%s", q->input, q->format);
    s->data_len[i] = q->data_len;
    s->record_len[i] = q->record_len;
    s->line[i] = q->line;
    s->offset[i] = q->offset;
    const unsigned char *d = q->data;
    s->data_ok[i] = q->data != NULL && q->time > 0 && q->detail != NULL;
    for (size_t k = 0; k < q->data_len; k++)
        if (d[k] != (unsigned char)(k % 251))
            s->data_ok[i] = false;
    return 0;
}

struct stat_seen {
    int n;
    char key[8][32];
    uint64_t count[8];
};

static int stat_cb(const char *key, uint64_t count, void *ctx)
{
    struct stat_seen *s = ctx;
    snprintf(s->key[s->n], 32, "%s", key);
    s->count[s->n++] = count;
    return 0;
}

static void test_quarantine(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(st, "/data/in.json", "intelmq", &in), 0);
    static unsigned char big[TS_QUARANTINE_DATA_MAX + 500];
    for (size_t k = 0; k < sizeof big; k++)
        big[k] = (unsigned char)(k % 251);
    assert_int_equal(ts_store_quarantine_add(st, in.id, 1, 0, TS_ESYNTAX, "bad", big, 10, 0), 0);
    assert_int_equal(
        ts_store_quarantine_add(st, in.id, 2, 10, TS_EUTF8, "utf8", big, sizeof big, 0), 0);
    assert_int_equal(ts_store_quarantine_add(st, in.id, 3, 20, TS_ESYNTAX, NULL, NULL, 0, 0), 0);
    assert_int_equal(ts_store_quarantine_add(st, 0, 0, 30, TS_EMISSING, "no input", big, 5, 0), 0);
    assert_int_equal(ts_store_quarantine_add(st, 777, 0, 30, TS_EMISSING, "x", big, 5, 0),
                     TS_ENOENT);
    assert_int_equal(ts_store_quarantine_add(st, in.id, 0, 0, TS_EMISSING, "x", NULL, 5, 0),
                     TS_EINVAL);

    struct qseen s = {0};
    assert_int_equal(ts_store_quarantine_foreach(st, NULL, 0, q_cb, &s), 0);
    assert_int_equal(s.n, 4);
    for (int i = 0; i < 4; i++)
        assert_true(s.data_ok[i]);
    assert_true(s.ids[0] > s.ids[1] && s.ids[1] > s.ids[2] && s.ids[2] > s.ids[3]);
    assert_string_equal(s.reason[0], ts_errname(TS_EMISSING));
    assert_string_equal(s.input[0], "|");
    assert_string_equal(s.input[1], "/data/in.json|intelmq");
    assert_int_equal(s.data_len[1], 0);
    assert_int_equal(s.data_len[2], TS_QUARANTINE_DATA_MAX);
    assert_int_equal(s.record_len[2], sizeof big);
    assert_int_equal(s.line[2], 2);
    assert_int_equal(s.offset[2], 10);
    assert_int_equal(s.data_len[3], 10);

    memset(&s, 0, sizeof s);
    assert_int_equal(ts_store_quarantine_foreach(st, ts_errname(TS_ESYNTAX), 1, q_cb, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.line[0], 3);
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_store_quarantine_foreach(st, "no-such-reason", 0, q_cb, &s), 0);
    assert_int_equal(s.n, 0);

    struct stat_seen ss = {0};
    assert_int_equal(ts_store_quarantine_stats(st, stat_cb, &ss), 0);
    assert_int_equal(ss.n, 3);
    assert_string_equal(ss.key[0], ts_errname(TS_ESYNTAX));
    assert_int_equal(ss.count[0], 2);
    assert_int_equal(ss.count[1], 1);
    assert_int_equal(ss.count[2], 1);
}

/* ---- Checkpoints in the events' transaction ------------------------------------------------- */

static void test_checkpoint_txn(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    ts_input_state_t in, again;
    assert_int_equal(ts_store_input_get(st, "", "x", &in), TS_EINVAL);
    assert_int_equal(ts_store_input_get(st, "-", "suricata", &in), 0);
    assert_int_equal(in.offset, 0);
    assert_int_equal(in.line, 0);
    assert_int_equal(ts_store_input_get(st, "-", "intelmq", &again), 0);
    assert_true(again.id != in.id); /* (name, format) is the identity */
    ts_input_state_t ghost = {.id = 9999};
    assert_int_equal(ts_store_input_checkpoint(st, &ghost), TS_ENOENT);

    ts_event_t e;
    ev_init(&e);
    assert_int_equal(ts_store_begin(st), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, (uint64_t)i + 1, NULL), 0);
    in.offset = 500;
    in.line = 5;
    in.dev = UINT64_MAX;
    in.ino = 123;
    assert_int_equal(ts_store_input_checkpoint(st, &in), 0);
    ts_store_rollback(st);
    assert_int_equal(count_events(st, 0), 0);
    assert_int_equal(ts_store_input_get(st, "-", "suricata", &again), 0);
    assert_int_equal(again.offset, 0);
    assert_int_equal(again.line, 0);

    assert_int_equal(ts_store_begin(st), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, (uint64_t)i + 1, NULL), 0);
    assert_int_equal(ts_store_input_checkpoint(st, &in), 0);
    assert_int_equal(ts_store_commit(st), 0);
    /* A fresh connection sees both. */
    ts_store_close(st);
    f->st = NULL;
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    assert_int_equal(count_events(f->st, 0), 5);
    assert_int_equal(ts_store_input_get(f->st, "-", "suricata", &again), 0);
    assert_int_equal(again.id, in.id);
    assert_int_equal(again.offset, 500);
    assert_int_equal(again.line, 5);
    assert_true(again.dev == UINT64_MAX);
    assert_int_equal(again.ino, 123);
}

/* A callback re-entering the iteration it is called from is refused. */
static int reenter_cb(const ts_stored_event_t *se, void *ctx)
{
    (void)se;
    ts_store_t *st = ctx;
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    struct seen s = {0};
    return ts_store_events_foreach(st, &f, collect_cb, &s);
}

static void test_reentry(void **state)
{
    fx_t *f = *state;
    ts_event_t e;
    ev_init(&e);
    assert_int_equal(ts_store_event_add(f->st, &e, NULL, 0, 0, 0, NULL), 0);
    ts_event_filter_t flt;
    ts_event_filter_init(&flt);
    assert_int_equal(ts_store_events_foreach(f->st, &flt, reenter_cb, f->st), TS_EBUSY);
    /* And the store still works afterwards. */
    assert_int_equal(count_events(f->st, 0), 1);
}

/* ---- Crash safety ------------------------------------------------------------------------ */

#define CRASH_BATCH 25

/* The child writes batches forever; before each commit it reports the total it
 * is about to commit (negative), after it the total committed (positive). */
static void crash_child(const char *path, int wfd)
{
    ts_store_t *st = NULL;
    if (ts_store_open(path, &st) != 0)
        _exit(2);
    ts_input_state_t in;
    int64_t site;
    if (ts_store_input_get(st, "/crash", "test", &in) != 0 ||
        ts_store_site_add(st, "crash", 0, NULL, &site) != 0)
        _exit(3);
    ts_link_t l = mklink(TS_ROLE_SOURCE, site, TS_RULE_ASN, "AS1");
    ts_event_t e;
    ev_init(&e);
    e.identifier = ts_str_c("crash test event with a longer text to fill pages");
    int64_t total = 0;
    for (;;) {
        if (ts_store_begin(st) != 0)
            _exit(4);
        for (int i = 0; i < CRASH_BATCH; i++)
            if (ts_store_event_add(st, &e, &l, i % 2, in.id, (uint64_t)total + i + 1, NULL) != 0)
                _exit(5);
        in.line = (uint64_t)(total + CRASH_BATCH);
        if (ts_store_input_checkpoint(st, &in) != 0)
            _exit(6);
        int64_t msg = -(total + CRASH_BATCH);
        if (write(wfd, &msg, sizeof msg) != sizeof msg)
            _exit(7);
        if (ts_store_commit(st) != 0)
            _exit(8);
        total += CRASH_BATCH;
        if (write(wfd, &total, sizeof total) != sizeof total)
            _exit(9);
    }
}

static int crash_line(const ts_input_info_t *in, void *ctx)
{
    if (strcmp(in->name, "/crash") == 0)
        *(int64_t *)ctx = (int64_t)in->state.line;
    return 0;
}

static void test_crash_safety(void **state)
{
    fx_t *f = *state;
    srand((unsigned)time(NULL));
    for (int run = 0; run < 5; run++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(f->path, fds[1]);
        }
        close(fds[1]);
        int64_t committed = -1, pending = -1, msg;
        int64_t threshold = CRASH_BATCH * (2 + rand() % 20);
        while (read(fds[0], &msg, sizeof msg) == sizeof msg) {
            if (msg < 0) {
                pending = -msg;
            } else {
                committed = msg;
                if (committed >= threshold)
                    break;
            }
        }
        /* Let the child get somewhere inside its next transaction. */
        usleep((useconds_t)(rand() % 3000));
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status)); /* it did not exit on an error of its own */
        while (read(fds[0], &msg, sizeof msg) == sizeof msg) {
            if (msg < 0)
                pending = -msg;
            else
                committed = msg;
        }
        close(fds[0]);
        assert_true(committed > 0);

        if (!tt_pg()) {
            char ok[64] = "";
            assert_int_equal(raw_sql(f->path, "PRAGMA integrity_check", ok, sizeof ok), 0);
            assert_string_equal(ok, "ok");
        }
        ts_store_t *st = NULL;
        assert_int_equal(ts_store_open(f->path, &st), 0);
        /* One snapshot for both reads: PostgreSQL may still be committing
         * the killed child's last COMMIT, which can land between two reads. */
        assert_int_equal(ts_store_read_begin(st), 0);
        uint64_t n = count_events(st, 0);
        /* Killed between its commit and its report, the child committed the
         * pending batch without saying so; anything else must match exactly. */
        assert_true((int64_t)n == committed || ((int64_t)n == pending && pending > committed));
        int64_t line = -1; /* ts_store_input_get() may write: not in a read transaction */
        assert_int_equal(ts_store_inputs_foreach(st, crash_line, &line), 0);
        assert_int_equal(line, n); /* checkpoint and events went together */
        ts_store_read_end(st);
        ts_store_close(st);
        /* Next run starts from a fresh store. */
        if (tt_pg()) {
            tt_store_drop(f->path);
            assert_int_equal(tt_store_fresh(f->dir, "store.db", f->path, sizeof f->path), 0);
            continue;
        }
        char wal[4300];
        unlink(f->path);
        snprintf(wal, sizeof wal, "%s-wal", f->path);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", f->path);
        unlink(wal);
    }
}

/* ---- Busy ---------------------------------------------------------------------------------- */

/* A write waits for another connection's lock for the busy timeout, then
 * gives TS_EBUSY and leaves the store usable. */
static void test_busy(void **state)
{
    fx_t *f = *state;
    int64_t site;
    assert_int_equal(ts_store_site_add(f->st, "locked", 0, NULL, &site), 0);
    ts_store_t *other = NULL;
    assert_int_equal(ts_store_open(f->path, &other), 0);
    assert_int_equal(ts_store_begin(other), 0);
    assert_int_equal(ts_store_site_update(other, site, 0, "held"), 0);
    ts_store_set_busy_timeout(f->st, 100);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(ts_store_site_update(f->st, site, 0, "waits"), TS_EBUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 80 && ms < 3000); /* the timeout given, not the default 5 s */
    ts_store_rollback(other);
    assert_int_equal(ts_store_site_update(f->st, site, 0, "free"), 0);
    ts_store_close(other);
}

/* ---- Data version ------------------------------------------------------------------------ */

static uint64_t version_of(ts_store_t *st)
{
    uint64_t v = 0;
    assert_int_equal(ts_store_data_version(st, &v), 0);
    return v;
}

/* Another connection's commit changes the version (a PostgreSQL notification
 * arrives a little after the commit returns: polled for up to 5 s); inside a
 * read transaction it stays that of the snapshot. */
static void test_data_version(void **state)
{
    fx_t *f = *state;
    ts_store_t *other = NULL;
    assert_int_equal(ts_store_open(f->path, &other), 0);
    uint64_t v0 = version_of(f->st);
    assert_true(v0 != version_of(other)); /* two stores of one process differ */
    assert_true(version_of(f->st) == v0); /* nothing happened */

    int64_t id;
    assert_int_equal(ts_store_site_add(other, "elsewhere", 0, NULL, &id), 0);
    uint64_t v1 = v0;
    for (int i = 0; i < 500 && v1 == v0; i++) {
        usleep(10000);
        v1 = version_of(f->st);
    }
    assert_true(v1 != v0);

    assert_int_equal(ts_store_read_begin(f->st), 0);
    uint64_t in_read = version_of(f->st);
    assert_int_equal(ts_store_site_add(other, "later", 0, NULL, &id), 0);
    usleep(100000);
    assert_true(version_of(f->st) == in_read);
    assert_int_equal(ts_store_site_find(f->st, "later", &id), TS_ENOENT); /* one snapshot */
    ts_store_read_end(f->st);
    uint64_t v2 = in_read;
    for (int i = 0; i < 500 && v2 == in_read; i++) {
        usleep(10000);
        v2 = version_of(f->st);
    }
    assert_true(v2 != in_read);
    assert_int_equal(ts_store_site_find(f->st, "later", &id), 0);
    ts_store_close(other);
}

struct exp_rows {
    ts_exporter_stats_t rows[4];
    int64_t updated[4];
    int n;
};

static int collect_exporter(const ts_exporter_stats_t *e, int64_t updated, void *ctx)
{
    struct exp_rows *r = ctx;
    if (r->n < 4) {
        r->rows[r->n] = *e;
        r->updated[r->n] = updated;
    }
    r->n++;
    return 0;
}

static int collect_input(const ts_input_info_t *in, void *ctx)
{
    ts_input_info_t *out = ctx;
    if (strcmp(in->name, "/var/log/b.json") == 0) {
        *out = *in;
        out->name = NULL; /* valid only during the callback */
        out->format = NULL;
    }
    return 0;
}

static int count_inputs(const ts_input_info_t *in, void *ctx)
{
    (void)in;
    (*(int *)ctx)++;
    return 0;
}

static void test_inputs_listed(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    assert_int_equal(ts_store_inputs_foreach(st, NULL, NULL), TS_EINVAL);
    int n = 0;
    assert_int_equal(ts_store_inputs_foreach(st, count_inputs, &n), 0);
    assert_int_equal(n, 0);
    ts_input_state_t a, b;
    assert_int_equal(ts_store_input_get(st, "/var/log/a.json", "eve", &a), 0);
    assert_int_equal(ts_store_input_get(st, "/var/log/b.json", "intelmq", &b), 0);
    b.offset = 12345;
    b.line = 67;
    b.ino = 99;
    assert_int_equal(ts_store_begin(st), 0);
    assert_int_equal(ts_store_input_checkpoint(st, &b), 0);
    assert_int_equal(ts_store_commit(st), 0);
    n = 0;
    assert_int_equal(ts_store_inputs_foreach(st, count_inputs, &n), 0);
    assert_int_equal(n, 2);
    ts_input_info_t got;
    memset(&got, 0, sizeof got);
    assert_int_equal(ts_store_inputs_foreach(st, collect_input, &got), 0);
    assert_int_equal(got.state.id, b.id);
    assert_int_equal(got.state.offset, 12345);
    assert_int_equal(got.state.line, 67);
    assert_int_equal(got.state.ino, 99);
    assert_true(got.updated > 0);
}

static void test_exporters(void **state)
{
    fx_t *f = *state;
    ts_store_t *st = f->st;
    ts_exporter_stats_t e;
    memset(&e, 0, sizeof e);
    /* Invalid first: no address. */
    assert_int_equal(ts_store_exporter_save(st, &e), TS_EINVAL);

    assert_int_equal(ts_ip_parse("192.0.2.1", 9, &e.exporter), 0);
    e.domain = 7;
    e.version = 9;
    e.packets = 10;
    e.flows = 300;
    e.templates = 2;
    e.lost = 5;
    e.drops[TS_FLOW_DROP_NO_TEMPLATE] = 3;
    e.sampling = 100;
    e.last_export_ms = 1795761000123;
    assert_int_equal(ts_store_exporter_save(st, &e), 0);
    ts_exporter_stats_t v6 = e;
    assert_int_equal(ts_ip_parse("2001:db8::9", 11, &v6.exporter), 0);
    v6.version = 10;
    v6.flows = UINT64_MAX; /* clamped, not wrapped */
    assert_int_equal(ts_store_exporter_save(st, &v6), 0);
    /* A later save of the same exporter and domain replaces the row. */
    e.flows = 600;
    assert_int_equal(ts_store_exporter_save(st, &e), 0);

    struct exp_rows r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ts_store_exporters_foreach(st, collect_exporter, &r), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[0].exporter.family, TS_AF_INET);
    assert_true(ts_ip_equal(&r.rows[0].exporter, &e.exporter));
    assert_int_equal(r.rows[0].domain, 7);
    assert_int_equal(r.rows[0].version, 9);
    assert_int_equal(r.rows[0].flows, 600);
    assert_int_equal(r.rows[0].lost, 5);
    assert_int_equal(r.rows[0].drops[TS_FLOW_DROP_NO_TEMPLATE], 3);
    assert_int_equal(r.rows[0].sampling, 100);
    assert_int_equal(r.rows[0].last_export_ms, 1795761000123);
    assert_true(r.updated[0] > 0);
    assert_int_equal(r.rows[1].exporter.family, TS_AF_INET6);
    assert_int_equal(r.rows[1].flows, (uint64_t)INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_bad_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constituency_refusals, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_event_refusals, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_target_refusals, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_targets_codec, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_schema_fresh, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_schema_migrate_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_migrate_v2_v3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exporters, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_inputs_listed, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_schema_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_roundtrip, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_links_visibility, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_targets_scoped, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_schema_migrate_v7, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sites_order, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_time_and_cursors, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_txn, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_reentry, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_data_version, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_crash_safety, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
