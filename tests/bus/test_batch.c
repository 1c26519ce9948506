/* SPDX-License-Identifier: Apache-2.0 */
/* Batches: the wire form refuses malformed messages (first), round-trips
 * every field, and committing with dedup stores each record exactly once
 * however often and in whatever cut a batch arrives (redelivery, republish
 * with other boundaries after a crash, rotation, truncation), and waits on a
 * gap. On both backends (bus/test_batch@postgresql). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/batch.h"
#include "testutil.h"
#include "ttstore.h"

typedef struct fx {
    char *dir;
    char loc[4200];
    ts_store_t *st;
    int64_t site;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    *state = f;
    if (f->dir == NULL || tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc) != 0 ||
        ts_store_open(f->loc, &f->st) != 0 ||
        ts_store_site_add(f->st, "uni-a", 0, NULL, &f->site) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A batch of the lines first..last of file (dev 1, ino) with one event per
 * line (the line's number in its identifier), starting at byte 100 * (first
 * - 1), 100 bytes a line. */
static void fill(ts_batch_t *b, uint64_t ino, uint64_t first, uint64_t last, int64_t site)
{
    ts_batch_reset(b);
    b->input = "/var/log/eve.json";
    b->format = "eve";
    b->save_checkpoint = true;
    b->rewound = false;
    b->start =
        (ts_input_state_t){.dev = 1, .ino = ino, .offset = 100 * (first - 1), .line = first - 1};
    b->checkpoint = (ts_input_state_t){.dev = 1, .ino = ino, .offset = 100 * last, .line = last};
    for (uint64_t l = first; l <= last; l++) {
        ts_batch_item_t *it = ts_batch_add(b);
        ts_event_t *e = ts_arena_alloc(b->arena, sizeof *e);
        ts_event_init(e);
        char id[32];
        snprintf(id, sizeof id, "ino%llu-line%llu", (unsigned long long)ino, (unsigned long long)l);
        e->identifier = ts_arena_strdup(b->arena, ts_str_c(id));
        e->type = TS_TYPE_IDS_ALERT;
        it->ev = e;
        it->line = l;
        it->n_links = 1;
        it->links = ts_arena_alloc(b->arena, sizeof *it->links);
        memset(it->links, 0, sizeof *it->links);
        it->links[0].role = TS_ROLE_SOURCE;
        it->links[0].match.site_id = site;
        it->links[0].match.kind = TS_RULE_ASN;
        it->links[0].match.rule = "AS64500";
        it->links[0].match.site_name = "uni-a";
    }
}

static uint64_t n_events(ts_store_t *st)
{
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    uint64_t n = 0;
    assert_int_equal(ts_store_events_count(st, &f, &n), 0);
    return n;
}

/* Events per identifier: every one must be there exactly once. */
static long long max_copies(const char *loc)
{
    return tt_store_sql(loc,
                        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM events"
                        " GROUP BY identifier) c",
                        NULL, 0);
}

static void test_decode_refuses(void **state)
{
    (void)state;
    ts_batch_t b;
    ts_batch_init(&b);
    assert_int_equal(ts_batch_decode("", 0, &b), TS_ESYNTAX);
    assert_int_equal(ts_batch_decode("TSB2\x01", 5, &b), TS_ESYNTAX);
    assert_int_equal(ts_batch_decode("TSB1", 4, &b), TS_ESYNTAX);

    ts_batch_t src;
    ts_batch_init(&src);
    fill(&src, 7, 1, 3, 1);
    ts_buf_t wire = TS_BUF_INIT;
    ts_batch_encode(&src, &wire);
    /* Every cut is refused, never read past. */
    for (size_t n = 0; n < wire.len; n++) {
        char *cut = malloc(n ? n : 1);
        memcpy(cut, wire.data, n);
        assert_int_not_equal(ts_batch_decode(cut, n, &b), 0);
        assert_int_equal(b.n, 0);
        free(cut);
    }
    /* Trailing bytes, an unknown item kind, a count past the message. */
    ts_buf_t bad = TS_BUF_INIT;
    ts_buf_append(&bad, wire.data, wire.len);
    ts_buf_putc(&bad, 0);
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), TS_ESYNTAX);
    ts_buf_reset(&bad);
    ts_batch_reset(&src);
    src.input = "x";
    src.format = "eve";
    ts_batch_encode(&src, &bad);
    bad.data[bad.len - 1] = 1; /* one item, none there */
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), TS_ESYNTAX);
    ts_buf_putc(&bad, 9);
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), TS_ESYNTAX);
    bad.data[bad.len - 2] = (char)0xff; /* a varint that never ends */
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), TS_ESYNTAX);
    ts_buf_free(&bad);
    ts_buf_free(&wire);
    ts_batch_free(&src);
    ts_batch_free(&b);
}

static void test_roundtrip(void **state)
{
    (void)state;
    ts_batch_t src, got;
    ts_batch_init(&src);
    ts_batch_init(&got);
    fill(&src, 7, 10, 11, 42);
    ts_event_t *e = (ts_event_t *)src.items[0].ev;
    e->time_source = -5;
    e->time_observation = TS_TIME_NONE;
    e->src.ip.family = TS_AF_INET6;
    e->src.ip.bytes[15] = 1;
    e->src.port = 65535;
    e->src.asn = 4294967295LL;
    e->dst.ip.family = TS_AF_INET;
    memcpy(e->dst.ip.bytes, (uint8_t[]){192, 0, 2, 7}, 4);
    e->dst.fqdn = ts_str("a\0b", 3);
    e->count = UINT64_MAX;
    e->n_extra = 1;
    e->extra[0].key = ts_str_c("k");
    e->extra[0].value_json = ts_str_c("[1,{\"x\":null}]");
    ts_batch_item_t *q = ts_batch_add(&src);
    q->line = 12;
    q->offset = 1100;
    q->full_len = 2000000;
    q->reason = TS_EUTF8;
    q->detail = "bad byte";
    q->data = "\xff\x00z";
    q->len = 3;
    src.rewound = true;
    src.input_id = 9;

    ts_buf_t wire = TS_BUF_INIT;
    ts_batch_encode(&src, &wire);
    assert_int_equal(ts_batch_decode(wire.data, wire.len, &got), 0);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.input, "/var/log/eve.json");
    assert_string_equal(got.format, "eve");
    assert_true(got.rewound && got.save_checkpoint);
    assert_int_equal(got.input_id, 9);
    assert_int_equal(got.start.offset, 900);
    assert_int_equal(got.checkpoint.line, 11);
    const ts_event_t *g = got.items[0].ev;
    assert_int_equal(g->time_source, -5);
    assert_true(g->time_observation == TS_TIME_NONE);
    assert_int_equal(g->src.ip.family, TS_AF_INET6);
    assert_int_equal(g->src.ip.bytes[15], 1);
    assert_int_equal(g->src.port, 65535);
    assert_int_equal(g->src.asn, 4294967295LL);
    assert_memory_equal(g->dst.ip.bytes, ((uint8_t[]){192, 0, 2, 7}), 4);
    assert_int_equal(g->dst.fqdn.len, 3);
    assert_memory_equal(g->dst.fqdn.ptr, "a\0b", 3);
    assert_null(g->dst.url.ptr);
    assert_true(g->count == UINT64_MAX);
    assert_int_equal(g->type, TS_TYPE_IDS_ALERT);
    assert_int_equal(g->n_extra, 1);
    assert_true(ts_str_eq_c(g->extra[0].value_json, "[1,{\"x\":null}]"));
    assert_true(ts_str_eq_c(got.items[1].ev->identifier, "ino7-line11"));
    assert_int_equal(got.items[0].n_links, 1);
    assert_int_equal(got.items[0].links[0].match.site_id, 42);
    assert_string_equal(got.items[0].links[0].match.rule, "AS64500");
    assert_null(got.items[2].ev);
    assert_int_equal(got.items[2].line, 12);
    assert_int_equal(got.items[2].full_len, 2000000);
    assert_int_equal(got.items[2].reason, TS_EUTF8);
    assert_string_equal(got.items[2].detail, "bad byte");
    assert_int_equal(got.items[2].len, 3);
    assert_memory_equal(got.items[2].data, "\xff\x00z", 3);
    char id[64];
    ts_batch_msg_id(&src, id, sizeof id);
    assert_string_equal(id, "i9.1.7.1100");
    ts_buf_free(&wire);
    ts_batch_free(&src);

    /* The fuzz seed, written by hand after the format's description, reads. */
    size_t n = 0;
    char *seed = tt_read_file(TS_SOURCE_DIR "/fuzz/corpus/batch/two_items", &n);
    assert_non_null(seed);
    assert_int_equal(ts_batch_decode(seed, n, &got), 0);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.items[0].links[0].match.rule, "192.0.2.0/24");
    assert_int_equal(got.items[1].reason, TS_ESYNTAX);
    free(seed);
    ts_batch_free(&got);
}

/* Deliveries as a bus makes them after crashes: each record once. */
static void test_dedup(void **state)
{
    fx_t *f = *state;
    ts_batch_t b;
    ts_batch_init(&b);
    ts_batch_result_t res;

    fill(&b, 7, 1, 10, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(res.stored, 10);
    /* The same batch again (a redelivery after a lost ack). */
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(res.stored, 0);
    assert_int_equal(res.skipped, 10);
    /* Republished after the ingest node restarted, cut elsewhere: 6-15
     * overlaps, only 11-15 are new. */
    fill(&b, 7, 6, 15, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(res.stored, 5);
    assert_int_equal(res.skipped, 5);
    /* A batch past a missing one waits, storing nothing. */
    fill(&b, 7, 21, 25, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), TS_EAGAIN);
    assert_true(res.gap);
    assert_int_equal(n_events(f->st), 15);
    fill(&b, 7, 16, 20, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    fill(&b, 7, 21, 25, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(n_events(f->st), 25);
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(f->st, "/var/log/eve.json", "eve", &in), 0);
    assert_int_equal(in.offset, 2500);
    assert_int_equal(in.line, 25);

    /* Rotation: the new file's first batch goes in; a mid-file batch of the
     * old file delivered again afterwards is recognised. */
    fill(&b, 8, 1, 4, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(res.stored, 4);
    fill(&b, 7, 21, 25, f->site);
    assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
    assert_int_equal(res.stored, 0);
    /* Truncation: the same file read again from its start is new data,
     * once. */
    fill(&b, 8, 1, 2, f->site);
    b.rewound = true;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ts_batch_store(f->st, &b, true, &res), 0);
        assert_int_equal(res.stored, k == 0 ? 2 : 0);
    }
    assert_int_equal(n_events(f->st), 25 + 4 + 2);
    /* ino8 lines 1-2 were stored twice on purpose (the truncation); every
     * other line once. */
    assert_int_equal(max_copies(f->loc), 2);
    assert_int_equal(
        tt_store_sql(f->loc, "SELECT count(*) FROM events WHERE identifier LIKE 'ino7-%'", NULL, 0),
        25);

    /* Without dedup (the in-process path), a batch is written as it is. */
    fill(&b, 8, 3, 4, f->site);
    b.input_id = b.checkpoint.id = in.id;
    assert_int_equal(ts_batch_store(f->st, &b, false, &res), 0);
    assert_int_equal(res.stored, 2);
    ts_batch_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_refuses),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
