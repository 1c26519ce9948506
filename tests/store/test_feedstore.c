/* SPDX-License-Identifier: Apache-2.0 */
/* The feed store: refusals first (bad names, a URL that is not https, a
 * name taken, unknown feeds), then report schemas (the newest wins), feeds
 * and the state of their pulls, the Shadowserver API's reports, and a
 * refusal inside a caller's transaction that leaves it usable. On both
 * backends (ttstore.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/feedstore.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    assert_int_equal(tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc), 0);
    assert_int_equal(ts_store_open(f->loc, &f->st), 0);
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

static ts_feed_rec_t feed(const char *name, const char *url)
{
    return (ts_feed_rec_t){
        .name = name, .url = url, .format = "spamhaus-drop", .every = 3600, .tlp = "GREEN"};
}

struct got {
    char names[8][80];
    ts_feed_rec_t last; /* strings not kept */
    char etag[80], error[80], sha[80];
    size_t n;
};

static int on_feed(const ts_feed_rec_t *r, void *ctx)
{
    struct got *g = ctx;
    if (g->n < 8)
        snprintf(g->names[g->n], sizeof g->names[0], "%s", r->name);
    g->n++;
    g->last = *r;
    snprintf(g->etag, sizeof g->etag, "%s", r->etag);
    snprintf(g->error, sizeof g->error, "%s", r->last_error);
    snprintf(g->sha, sizeof g->sha, "%s", r->sha256);
    return 0;
}

static void test_invalid(void **state)
{
    struct fx *f = *state;
    const char *bad_names[] = {"",
                               "a b",
                               "a/b",
                               "../x",
                               "x;y",
                               "é",
                               "0123456789012345678901234567890123456789012345678901234567890123X"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        ts_feed_rec_t r = feed(bad_names[i], "https://x.example/drop.txt");
        assert_int_equal(ts_store_feed_add(f->st, &r), TS_EINVAL);
    }
    ts_feed_rec_t r = feed("drop", "http://x.example/drop.txt");
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EINVAL);
    r = feed("drop", "file:///etc/passwd");
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EINVAL);
    r = feed("drop", "https://x.example/drop.txt");
    r.every = 0;
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EINVAL);
    r.every = 60;
    r.format = NULL;
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EINVAL);
    assert_int_equal(ts_store_feed_add(f->st, NULL), TS_EINVAL);
    /* Nothing was kept. */
    struct got g = {0};
    assert_int_equal(ts_store_feeds_foreach(f->st, on_feed, &g), 0);
    assert_int_equal(g.n, 0);
    /* Unknown feeds. */
    assert_int_equal(ts_store_feed_remove(f->st, "nope"), TS_ENOENT);
    assert_int_equal(ts_store_feed_get(f->st, "nope", on_feed, &g), TS_ENOENT);
    ts_feed_rec_t s = {.name = "nope"};
    assert_int_equal(ts_store_feed_state(f->st, &s), TS_ENOENT);
    /* No schema yet; schemas and report ids that cannot be kept. */
    assert_int_equal(ts_store_schema_latest(f->st, NULL, NULL), TS_EINVAL);
    ts_schema_rec_t sr = {.source = "x"};
    assert_int_equal(ts_store_schema_put(f->st, &sr, NULL), TS_EINVAL);
    bool seen = true;
    assert_int_equal(ts_store_feed_report_seen(f->st, "", &seen), TS_EINVAL);
    assert_int_equal(ts_store_feed_report_seen(f->st, "a b", &seen), TS_EINVAL);
    assert_int_equal(ts_store_feed_report_add(f->st, "id\n", "t", "f"), TS_EINVAL);
    assert_int_equal(ts_store_feed_report_add(f->st, "id", NULL, "f"), TS_EINVAL);
}

static int on_schema(const ts_schema_rec_t *r, void *ctx)
{
    snprintf(ctx, 80, "%s|%s|%.*s", r->date, r->source, (int)r->len, r->content);
    return 0;
}

static void test_schemas(void **state)
{
    struct fx *f = *state;
    char got[80] = "";
    assert_int_equal(ts_store_schema_latest(f->st, on_schema, got), TS_ENOENT);
    ts_schema_rec_t a = {.fetched = 1000,
                         .date = "2024-01-01",
                         .source = "a.json",
                         .content = "{\"a\":1}",
                         .len = 7};
    ts_schema_rec_t b = {
        .fetched = 3000, .date = "", .source = "https://x/s", .content = "{\"b\":2}", .len = 7};
    ts_schema_rec_t c = {
        .fetched = 2000, .date = "2023", .source = "c.json", .content = "{\"c\":3}", .len = 7};
    int64_t ida = 0, idb = 0, idc = 0;
    assert_int_equal(ts_store_schema_put(f->st, &a, &ida), 0);
    assert_int_equal(ts_store_schema_latest(f->st, on_schema, got), 0);
    assert_string_equal(got, "2024-01-01|a.json|{\"a\":1}");
    assert_int_equal(ts_store_schema_put(f->st, &b, &idb), 0);
    assert_int_equal(ts_store_schema_put(f->st, &c, &idc), 0);
    assert_true(ida > 0 && idb > ida && idc > idb);
    /* The newest by fetch time, not the last written. */
    assert_int_equal(ts_store_schema_latest(f->st, on_schema, got), 0);
    assert_string_equal(got, "|https://x/s|{\"b\":2}");
}

static void test_feeds(void **state)
{
    struct fx *f = *state;
    ts_feed_rec_t r = feed("drop", "https://x.example/drop.txt");
    assert_int_equal(ts_store_feed_add(f->st, &r), 0);
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EEXIST);
    ts_feed_rec_t r2 = feed("a-feed.2", "https://y.example/x.csv");
    r2.format = "shadowserver";
    r2.report = "scan_ntp";
    assert_int_equal(ts_store_feed_add(f->st, &r2), 0);
    struct got g = {0};
    assert_int_equal(ts_store_feeds_foreach(f->st, on_feed, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.names[0], "a-feed.2");
    assert_string_equal(g.names[1], "drop");

    /* A pull's state. */
    ts_feed_rec_t s = {.name = "drop",
                       .etag = "\"abc\"",
                       .last_modified = "Mon, 07 Dec 2026 10:00:00 GMT",
                       .sha256 = "00ff",
                       .last_attempt = 5,
                       .last_success = 5,
                       .last_error = "",
                       .records = 12,
                       .quarantined = 1};
    assert_int_equal(ts_store_feed_state(f->st, &s), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_feed_get(f->st, "drop", on_feed, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.etag, "\"abc\"");
    assert_string_equal(g.sha, "00ff");
    assert_int_equal(g.last.records, 12);
    assert_int_equal(g.last.quarantined, 1);
    assert_int_equal(g.last.every, 3600);
    s.last_attempt = 9;
    s.last_error = "HTTP 503";
    assert_int_equal(ts_store_feed_state(f->st, &s), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_feed_get(f->st, "drop", on_feed, &g), 0);
    assert_string_equal(g.error, "HTTP 503");
    assert_int_equal(g.last.last_success, 5);
    assert_int_equal(g.last.last_attempt, 9);

    assert_int_equal(ts_store_feed_remove(f->st, "drop"), 0);
    assert_int_equal(ts_store_feed_get(f->st, "drop", on_feed, &g), TS_ENOENT);
    assert_int_equal(ts_store_feed_remove(f->st, "drop"), TS_ENOENT);
}

static void test_reports(void **state)
{
    struct fx *f = *state;
    bool seen = true;
    assert_int_equal(ts_store_feed_report_seen(f->st, "r-1", &seen), 0);
    assert_false(seen);
    assert_int_equal(ts_store_feed_report_add(f->st, "r-1", "scan_ntp", "a.csv"), 0);
    assert_int_equal(ts_store_feed_report_add(f->st, "r-1", "scan_ntp", "a.csv"), 0);
    assert_int_equal(ts_store_feed_report_seen(f->st, "r-1", &seen), 0);
    assert_true(seen);
    assert_int_equal(ts_store_feed_report_seen(f->st, "r-2", &seen), 0);
    assert_false(seen);
}

/* A name taken, inside the caller's transaction: refused, and the
 * transaction goes on (PostgreSQL aborts it without a savepoint). */
static void test_refused_in_transaction(void **state)
{
    struct fx *f = *state;
    ts_feed_rec_t r = feed("drop", "https://x.example/drop.txt");
    assert_int_equal(ts_store_feed_add(f->st, &r), 0);
    assert_int_equal(ts_store_begin(f->st), 0);
    assert_int_equal(ts_store_feed_add(f->st, &r), TS_EEXIST);
    assert_int_equal(ts_store_feed_report_add(f->st, "r-9", "t", "f"), 0);
    assert_int_equal(ts_store_commit(f->st), 0);
    bool seen = false;
    assert_int_equal(ts_store_feed_report_seen(f->st, "r-9", &seen), 0);
    assert_true(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schemas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
