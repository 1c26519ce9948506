/* SPDX-License-Identifier: Apache-2.0 */
/* Batches: the wire form refuses malformed messages (first), round-trips
 * every field (networks, target lists, TLP, any number of links with their
 * shares), and committing with dedup stores each record exactly once
 * however often and in whatever cut a batch arrives (redelivery, republish
 * with other boundaries after a crash, rotation, truncation), and waits on a
 * gap; an event reaching several sites through the bus is stored with each
 * site's share. On both backends (bus/test_batch@postgresql). */
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

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    assert_int_equal(ts_prefix_parse(s, strlen(s), &p), 0);
    return p;
}

/* A list of the given entries (sorted, as ts_targets_t wants them) in b's
 * arena. */
static ts_targets_t list_of(ts_batch_t *b, uint64_t count, const char *const *entries, size_t n)
{
    ts_prefix_t *l = ts_arena_alloc(b->arena, n * sizeof *l);
    for (size_t i = 0; i < n; i++)
        l[i] = pfx(entries[i]);
    return (ts_targets_t){l, (uint32_t)n, count};
}

/* Makes item 0 of b an event with every field of the event model since
 * multi-target events: a network on one side, a target list on the other, a
 * TLP, and three links (one per site and role) with shares. */
static void enrich(ts_batch_t *b, int64_t site_a, int64_t site_b)
{
    ts_batch_item_t *it = &b->items[0];
    ts_event_t *e = (ts_event_t *)it->ev;
    e->src.network = pfx("198.51.100.0/24");
    ts_targets_t *t = ts_arena_alloc(b->arena, sizeof *t);
    *t = list_of(b, 5, (const char *const[]){"10.1.0.0/16", "10.2.3.4", "2001:db8::/48"}, 3);
    e->dst.targets = t;
    e->tlp = TS_TLP_AMBER_STRICT;
    it->n_links = 3;
    it->links = ts_arena_alloc(b->arena, 3 * sizeof *it->links);
    memset(it->links, 0, 3 * sizeof *it->links);
    it->links[0] = (ts_link_t){.role = TS_ROLE_SOURCE,
                               .match = {.site_id = site_a,
                                         .site_name = "a",
                                         .kind = TS_RULE_NETWORK,
                                         .rule = "198.51.100.0/24"}};
    it->links[1] = (ts_link_t){.role = TS_ROLE_DESTINATION,
                               .match = {.site_id = site_a,
                                         .site_name = "a",
                                         .kind = TS_RULE_NETWORK,
                                         .rule = "10.1.0.0/16"},
                               .own = list_of(b, 0, (const char *const[]){"10.1.0.0/16"}, 1)};
    it->links[2] = (ts_link_t){.role = TS_ROLE_DESTINATION,
                               .match = {.site_id = site_b,
                                         .site_name = "b",
                                         .kind = TS_RULE_NETWORK,
                                         .rule = "10.2.0.0/16"},
                               .own = list_of(b, 1, (const char *const[]){"10.2.3.4"}, 1)};
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
    assert_int_equal(ts_batch_decode("TSB3\x01", 5, &b), TS_ESYNTAX);
    assert_int_equal(ts_batch_decode("TSB2", 4, &b), TS_ESYNTAX);
    /* Version 1 (before networks, lists, TLP and shares) is not read. */
    size_t n1 = 0;
    char *v1 = tt_read_file(TS_TEST_DATA "/bus/batch_v1", &n1);
    assert_non_null(v1);
    assert_int_equal(ts_batch_decode(v1, n1, &b), TS_ESYNTAX);
    free(v1);

    ts_batch_t src;
    ts_batch_init(&src);
    fill(&src, 7, 1, 3, 1);
    enrich(&src, 1, 2);
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

    /* What the encoder writes as it is but the model cannot hold: a prefix
     * longer than its address, a list entry without one, an unknown TLP or
     * role, a port out of range; and counts past their limits. */
    for (int k = 0; k < 7; k++) {
        fill(&src, 7, 1, 1, 1);
        enrich(&src, 1, 2);
        ts_event_t *e = (ts_event_t *)src.items[0].ev;
        ts_prefix_t *l = (ts_prefix_t *)e->dst.targets->list;
        ts_batch_item_t *it = &src.items[0];
        int want = TS_ESYNTAX;
        if (k == 0)
            e->src.network.len = 33;
        else if (k == 1)
            l[1].addr.family = TS_AF_NONE;
        else if (k == 2)
            e->tlp = (ts_tlp_t)(TS_TLP_RED + 1);
        else if (k == 3)
            it->links[2].role = (ts_role_t)300;
        else if (k == 6)
            e->dst.port = 65536;
        else if (k == 4) {
            /* One link more than an event may have (2 * TS_ROUTE_LINKS_MAX). */
            int n = 2 * TS_ROUTE_LINKS_MAX + 1;
            it->links = ts_arena_alloc(src.arena, (size_t)n * sizeof *it->links);
            memset(it->links, 0, (size_t)n * sizeof *it->links);
            for (int i = 0; i < n; i++)
                it->links[i].match.rule = "x";
            it->n_links = n;
            want = TS_ETOOBIG;
        } else if (k == 5) {
            /* A list past TS_TARGETS_INPUT_MAX. */
            uint32_t n = TS_TARGETS_INPUT_MAX + 1;
            ts_prefix_t *big = ts_arena_alloc(src.arena, n * sizeof *big);
            for (uint32_t i = 0; i < n; i++)
                big[i] = pfx("10.0.0.0/8");
            ts_targets_t *t = ts_arena_alloc(src.arena, sizeof *t);
            *t = (ts_targets_t){big, n, n};
            e->src.targets = t;
            want = TS_ETOOBIG;
        }
        ts_buf_reset(&bad);
        ts_batch_encode(&src, &bad);
        if (ts_batch_decode(bad.data, bad.len, &b) != want)
            fail_msg("case %d: got %d, want %d", k, ts_batch_decode(bad.data, bad.len, &b), want);
        assert_int_equal(b.n, 0);
    }
    /* Bytes that would read back otherwise than they are: an unknown flag,
     * a varint longer than it needs (the item count 0 as 0x80 0x00). */
    ts_buf_reset(&bad);
    ts_batch_reset(&src);
    src.input = "x";
    src.format = "eve";
    ts_batch_encode(&src, &bad);
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), 0);
    bad.data[4] |= 4;
    assert_int_equal(ts_batch_decode(bad.data, bad.len, &b), TS_ESYNTAX);
    bad.data[4] &= ~4;
    bad.data[bad.len - 1] = (char)0x80;
    ts_buf_putc(&bad, 0);
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
    enrich(&src, 42, 43);
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
    char text[128], net[64];
    ts_prefix_format(&g->src.network, net, sizeof net);
    assert_string_equal(net, "198.51.100.0/24");
    assert_int_equal(g->dst.network.addr.family, TS_AF_NONE);
    assert_null(g->src.targets);
    tt_targets_text(g->dst.targets, text, sizeof text);
    assert_string_equal(text, "5|10.1.0.0/16 10.2.3.4 2001:db8::/48");
    assert_int_equal(g->tlp, TS_TLP_AMBER_STRICT);
    assert_int_equal(got.items[0].n_links, 3);
    const ts_link_t *gl = got.items[0].links;
    assert_int_equal(gl[0].role, TS_ROLE_SOURCE);
    assert_int_equal(gl[0].match.site_id, 42);
    assert_int_equal(gl[0].match.kind, TS_RULE_NETWORK);
    assert_string_equal(gl[0].match.rule, "198.51.100.0/24");
    assert_int_equal(gl[0].own.n, 0);
    assert_int_equal(gl[0].own.count, 0);
    assert_int_equal(gl[1].role, TS_ROLE_DESTINATION);
    tt_targets_text(&gl[1].own, text, sizeof text);
    assert_string_equal(text, "0|10.1.0.0/16");
    assert_int_equal(gl[2].match.site_id, 43);
    assert_string_equal(gl[2].match.rule, "10.2.0.0/16");
    tt_targets_text(&gl[2].own, text, sizeof text);
    assert_string_equal(text, "1|10.2.3.4");
    /* The second event: one link, no network, list or TLP. */
    const ts_event_t *g1 = got.items[1].ev;
    assert_int_equal(got.items[1].n_links, 1);
    assert_int_equal(got.items[1].links[0].match.site_id, 42);
    assert_string_equal(got.items[1].links[0].match.rule, "AS64500");
    assert_null(g1->src.targets);
    assert_null(g1->dst.targets);
    assert_int_equal(g1->src.network.addr.family, TS_AF_NONE);
    assert_int_equal(g1->tlp, TS_TLP_NONE);
    /* Encoded again, the same bytes. */
    ts_buf_t again = TS_BUF_INIT;
    ts_batch_encode(&got, &again);
    assert_int_equal(again.len, wire.len);
    assert_memory_equal(again.data, wire.data, wire.len);
    ts_buf_free(&again);
    assert_null(got.items[2].ev);
    assert_int_equal(got.items[2].line, 12);
    assert_int_equal(got.items[2].full_len, 2000000);
    assert_int_equal(got.items[2].reason, TS_EUTF8);
    assert_string_equal(got.items[2].detail, "bad byte");
    assert_int_equal(got.items[2].len, 3);
    assert_memory_equal(got.items[2].data, "\xff\x00z", 3);
    char id[64];
    ts_batch_msg_id(&src, id, sizeof id);
    assert_string_equal(id, "i9.1.7.900-1100");
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
    seed = tt_read_file(TS_SOURCE_DIR "/fuzz/corpus/batch/targets_shares", &n);
    assert_non_null(seed);
    assert_int_equal(ts_batch_decode(seed, n, &got), 0);
    assert_int_equal(got.n, 1);
    g = got.items[0].ev;
    assert_int_equal(g->tlp, TS_TLP_AMBER);
    ts_prefix_format(&g->src.network, net, sizeof net);
    assert_string_equal(net, "192.0.2.0/24");
    tt_targets_text(g->dst.targets, text, sizeof text);
    assert_string_equal(text, "249|198.51.100.0/24 2001:db8::/64");
    assert_int_equal(got.items[0].n_links, 2);
    assert_int_equal(got.items[0].links[1].role, TS_ROLE_DESTINATION);
    tt_targets_text(&got.items[0].links[1].own, text, sizeof text);
    assert_string_equal(text, "0|2001:db8::/64");
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

/* What a site reads of an event: its links (site/role:share) and each
 * side's targets, as the store scopes them. */
struct seen {
    int n;
    char links[256];
    char targets[2][128];
    char network[64];
    ts_tlp_t tlp;
};

static int seen_cb(const ts_stored_event_t *se, void *ctx)
{
    struct seen *s = ctx;
    s->n++;
    tt_links_text(se, s->links, sizeof s->links);
    tt_targets_text(se->ev.src.targets, s->targets[0], sizeof s->targets[0]);
    tt_targets_text(se->ev.dst.targets, s->targets[1], sizeof s->targets[1]);
    ts_prefix_format(&se->ev.src.network, s->network, sizeof s->network);
    s->tlp = se->ev.tlp;
    return 0;
}

static struct seen read_as(ts_store_t *st, int64_t site)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    f.site_id = site;
    f.limit = 1; /* the first event of the batch, the one enrich() made */
    assert_int_equal(ts_store_events_foreach(st, &f, seen_cb, &s), 0);
    return s;
}

/* An event of several sites through the wire and the store: each site reads
 * its own links and share, the CSIRT all of them; delivered again, nothing
 * more is stored. */
static void test_store_shares(void **state)
{
    fx_t *f = *state;
    int64_t other;
    assert_int_equal(ts_store_site_add(f->st, "uni-b", 0, NULL, &other), 0);
    ts_batch_t src, got;
    ts_batch_init(&src);
    ts_batch_init(&got);
    fill(&src, 7, 1, 3, f->site);
    enrich(&src, f->site, other);
    ts_buf_t wire = TS_BUF_INIT;
    ts_batch_encode(&src, &wire);
    assert_int_equal(ts_batch_decode(wire.data, wire.len, &got), 0);
    ts_batch_result_t res;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ts_batch_store(f->st, &got, true, &res), 0);
        assert_int_equal(res.stored, k == 0 ? 3 : 0);
    }
    assert_int_equal(n_events(f->st), 3);

    struct seen all = read_as(f->st, 0);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.links, "uni-a/src:-;uni-a/dst:0|10.1.0.0/16;uni-b/dst:1|10.2.3.4;");
    assert_string_equal(all.targets[1], "5|10.1.0.0/16 10.2.3.4 2001:db8::/48");
    assert_string_equal(all.network, "198.51.100.0/24");
    assert_int_equal(all.tlp, TS_TLP_AMBER_STRICT);
    struct seen a = read_as(f->st, f->site);
    assert_string_equal(a.links, "uni-a/src:-;uni-a/dst:0|10.1.0.0/16;");
    assert_string_equal(a.targets[1], "0|10.1.0.0/16");
    assert_string_equal(a.targets[0], "-");
    assert_string_equal(a.network, "198.51.100.0/24");
    struct seen b = read_as(f->st, other);
    assert_string_equal(b.links, "uni-b/dst:1|10.2.3.4;");
    assert_string_equal(b.targets[1], "1|10.2.3.4");
    assert_string_equal(b.network, "198.51.100.0/24");
    assert_int_equal(b.tlp, TS_TLP_AMBER_STRICT);
    ts_buf_free(&wire);
    ts_batch_free(&got);
    ts_batch_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_refuses),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_shares, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
