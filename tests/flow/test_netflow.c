/* SPDX-License-Identifier: Apache-2.0 */
/* NetFlow v5 / v9 / IPFIX decoder on hand-built datagrams: malformed input
 * first, then templates, buffering, encodings, sequence, expiry, sampling, times.
 * Run with "--write-seeds DIR" to write the fuzz seed corpora instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "flow/flow.h"
#include "flowpkt.h"
#include "testutil.h"

#define MAXF 256

typedef struct got {
    ts_flow_t f[MAXF];
    int n;
} got_t;

static void collect(const ts_flow_t *f, size_t n, void *ctx)
{
    got_t *g = ctx;
    assert_true(n >= 1 && n <= 64);
    for (size_t i = 0; i < n; i++) {
        if (g->n < MAXF)
            g->f[g->n] = f[i];
        g->n++;
    }
}

static ts_ip_t exp_addr(uint8_t last)
{
    ts_ip_t ip = {.family = TS_AF_INET, .bytes = {192, 0, 2, last}};
    return ip;
}

struct find {
    uint8_t version;
    uint32_t domain;
    ts_exporter_stats_t st;
    int found;
};

static int find_cb(const ts_exporter_stats_t *s, void *ctx)
{
    struct find *f = ctx;
    if (s->version == f->version && s->domain == f->domain) {
        f->st = *s;
        f->found++;
    }
    return 0;
}

/* Stats of the one exporter with this version and domain. */
static ts_exporter_stats_t stats(ts_flow_decoder_t *d, uint8_t version, uint32_t domain)
{
    struct find f = {.version = version, .domain = domain};
    assert_int_equal(ts_flow_decoder_stats(d, find_cb, &f), 0);
    assert_int_equal(f.found, 1);
    return f.st;
}

static int decode(ts_flow_decoder_t *d, const pb_t *p, got_t *g)
{
    ts_ip_t from = exp_addr(1);
    return ts_flow_decode(d, &from, p->b, p->n, collect, g);
}

/* v9 datagram: template 256 and one data set of n flows. */
static void v9_tmpl_data(pb_t *p, uint32_t seq, int n)
{
    pb_v9(p, 100000, 1700000000, seq, 7);
    size_t s = pb_set(p, 0);
    pb_tmpl4(p, 256);
    pb_set_end(p, s);
    s = pb_set(p, 256);
    for (int i = 0; i < n; i++)
        pb_rec4(p, 0x0a000001, 0x0a000002 + (uint32_t)i, 90000, 99000, 1500, 3, 1234, 80, 6);
    pb_set_end(p, s);
}

/* ---- malformed input ---- */

static void test_truncated_headers(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    ts_ip_t from = exp_addr(1);
    uint8_t one = 0;
    assert_int_equal(ts_flow_decode(d, &from, &one, 0, NULL, NULL), TS_ETRUNC);
    assert_int_equal(ts_flow_decode(d, &from, &one, 1, NULL, NULL), TS_ETRUNC);
    assert_int_equal(ts_flow_decode(d, &from, NULL, 10, NULL, NULL), TS_ETRUNC);

    pb_t p;
    got_t g = {0};
    pb_v5(&p, 2, 1000, 1700000000, 0, 0, 0);
    pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 900, 950);
    assert_int_equal(decode(d, &p, &g), TS_ETRUNC); /* count 2, one record */
    assert_int_equal(ts_flow_decode(d, &from, p.b, 23, collect, &g), TS_ETRUNC);
    pb_put16(&p, 2, 0);
    assert_int_equal(decode(d, &p, &g), TS_EINVAL); /* count 0 */
    pb_put16(&p, 2, 31);
    assert_int_equal(decode(d, &p, &g), TS_EINVAL); /* count above 30 */

    pb_v9(&p, 1, 2, 3, 4);
    assert_int_equal(ts_flow_decode(d, &from, p.b, 19, collect, &g), TS_ETRUNC);

    pb_ipfix(&p, 1700000000, 0, 0);
    pb_ipfix_end(&p);
    assert_int_equal(ts_flow_decode(d, &from, p.b, 15, collect, &g), TS_ETRUNC);
    pb_put16(&p, 2, 40); /* Length beyond the datagram */
    assert_int_equal(decode(d, &p, &g), TS_ETRUNC);
    pb_put16(&p, 2, 8); /* Length below the header */
    assert_int_equal(decode(d, &p, &g), TS_EINVAL);

    p.b[1] = 7; /* unknown version */
    assert_int_equal(decode(d, &p, &g), TS_ENOTSUP);
    assert_int_equal(g.n, 0);
    /* No exporter could be named: the decoder took the counts. */
    assert_int_equal(ts_flow_decoder_exporters(d), 0);
    assert_int_equal(ts_flow_decoder_drops(d, TS_FLOW_DROP_SHORT), 8);
    assert_int_equal(ts_flow_decoder_drops(d, TS_FLOW_DROP_MALFORMED), 3);
    assert_int_equal(ts_flow_decoder_drops(d, TS_FLOW_DROP_VERSION), 1);

    /* Once the exporter is known, whole-datagram drops are charged to it. */
    v9_tmpl_data(&p, 0, 1);
    assert_int_equal(decode(d, &p, &g), 1);
    size_t full = p.n;
    p.n = 21;
    assert_int_equal(decode(d, &p, &g), 0); /* header only + 1 byte: nothing, no drop */
    p.n = full;
    ts_ip_t other = exp_addr(9);
    assert_int_equal(ts_flow_decode(d, &other, p.b, 10, collect, &g), TS_ETRUNC);
    assert_int_equal(ts_flow_decoder_drops(d, TS_FLOW_DROP_SHORT), 9);
    /* Bytes past an IPv4 address's 4 do not make a new exporter. */
    ts_ip_t dirty = exp_addr(1);
    dirty.bytes[10] = 0xaa;
    assert_int_equal(ts_flow_decode(d, &dirty, p.b, p.n, collect, &g), 1);
    assert_int_equal(ts_flow_decoder_exporters(d), 1);
    assert_string_equal(ts_flow_drop_name(TS_FLOW_DROP_NO_TEMPLATE), "no_template");
    assert_string_equal(ts_flow_drop_name(TS_FLOW_DROP_COUNT_), "unknown");
    ts_flow_decoder_free(d);
}

static void test_set_lengths_lie(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};

    /* A good template+data set, then a set claiming more bytes than remain:
     * what came before is kept, the liar is counted. */
    v9_tmpl_data(&p, 0, 2);
    size_t s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    pb_put16(&p, s + 2, 400);
    assert_int_equal(decode(d, &p, &g), 2);
    assert_int_equal(stats(d, 9, 7).drops[TS_FLOW_DROP_MALFORMED], 1);

    /* Zero-length set: cannot advance, counted, rest of the datagram dropped. */
    pb_v9(&p, 100000, 1700000000, 1, 7);
    s = pb_set(&p, 256);
    pb_set_end(&p, s);
    pb_put16(&p, s + 2, 0);
    s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    /* Set length 2 (< 4) likewise. */
    pb_put16(&p, 22, 2);
    assert_int_equal(decode(d, &p, &g), 0);
    assert_int_equal(stats(d, 9, 7).drops[TS_FLOW_DROP_MALFORMED], 3);

    /* An empty data set (length 4) and a reserved set id are legal and skipped. */
    pb_v9(&p, 100000, 1700000000, 3, 7);
    s = pb_set(&p, 256);
    pb_set_end(&p, s);
    s = pb_set(&p, 77);
    pb_u32(&p, 0xdeadbeef);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_u16(&p, 0); /* padding shorter than a record */
    pb_set_end(&p, s);
    pb_u8(&p, 0); /* trailing bytes after the last set */
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(stats(d, 9, 7).drops[TS_FLOW_DROP_MALFORMED], 3);

    /* IPFIX: bytes after the message's Length are not read. */
    pb_ipfix(&p, 1700000000, 0, 1);
    s = pb_set(&p, 2);
    pb_tmpl4(&p, 300);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    s = pb_set(&p, 300);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    assert_int_equal(stats(d, 10, 1).templates, 1);
    ts_flow_decoder_free(d);
}

static void test_bad_templates(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};

    /* Field count larger than the set. */
    pb_v9(&p, 100000, 1700000000, 0, 7);
    size_t s = pb_set(&p, 0);
    pb_u16(&p, 256);
    pb_u16(&p, 10);
    pb_u16(&p, 8);
    pb_u16(&p, 4);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    ts_exporter_stats_t st = stats(d, 9, 7);
    assert_int_equal(st.drops[TS_FLOW_DROP_MALFORMED], 1);
    assert_int_equal(st.templates, 0);

    /* Absurd field count, with a set long enough to hold it. */
    pb_v9(&p, 100000, 1700000000, 1, 7);
    s = pb_set(&p, 0);
    pb_u16(&p, 257);
    pb_u16(&p, 4000);
    for (int i = 0; i < 4000; i++)
        pb_u32(&p, 0x00010004);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    /* v9 field count 0, template id below 256 with data, zero-length records. */
    pb_v9(&p, 100000, 1700000000, 2, 7);
    s = pb_set(&p, 0);
    pb_u16(&p, 258);
    pb_u16(&p, 0);
    pb_set_end(&p, s);
    s = pb_set(&p, 0);
    pb_u16(&p, 12);
    pb_u16(&p, 1);
    pb_u32(&p, 0x00080004);
    pb_set_end(&p, s);
    s = pb_set(&p, 0);
    pb_u16(&p, 259);
    pb_u16(&p, 1);
    pb_u32(&p, 0x00080000);
    pb_set_end(&p, s);
    /* Options template whose scope length is not a multiple of 4. */
    s = pb_set(&p, 1);
    pb_u16(&p, 260);
    pb_u16(&p, 3);
    pb_u16(&p, 4);
    pb_u32(&p, 0x00220004);
    pb_set_end(&p, s);
    /* Template that ends in padding: accepted, padding ignored. */
    s = pb_set(&p, 0);
    pb_tmpl4(&p, 261);
    pb_u16(&p, 0);
    pb_u16(&p, 0);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    st = stats(d, 9, 7);
    assert_int_equal(st.drops[TS_FLOW_DROP_MALFORMED], 6);
    assert_int_equal(st.templates, 1);

    /* IPFIX options template with scope count 0 or above the field count. */
    pb_ipfix(&p, 1700000000, 0, 3);
    s = pb_set(&p, 3);
    pb_u16(&p, 256);
    pb_u16(&p, 1);
    pb_u16(&p, 0);
    pb_u32(&p, 0x00220004);
    pb_set_end(&p, s);
    s = pb_set(&p, 3);
    pb_u16(&p, 256);
    pb_u16(&p, 1);
    pb_u16(&p, 2);
    pb_u32(&p, 0x00220004);
    pb_set_end(&p, s);
    /* Enterprise bit set but the PEN is cut off by the set end. */
    s = pb_set(&p, 2);
    pb_u16(&p, 257);
    pb_u16(&p, 1);
    pb_u16(&p, 0x8001);
    pb_u16(&p, 4);
    pb_u16(&p, 0);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 0);
    st = stats(d, 10, 3);
    assert_int_equal(st.drops[TS_FLOW_DROP_MALFORMED], 3);
    assert_int_equal(st.options + st.templates, 0);
    assert_int_equal(g.n, 0);
    ts_flow_decoder_free(d);
}

static void test_template_flood(void **state)
{
    (void)state;
    ts_flow_limits_t lim;
    ts_flow_limits_init(&lim);
    lim.max_templates = 16;
    lim.max_exporters = 4;
    ts_flow_decoder_t *d = ts_flow_decoder_new(&lim);
    pb_t p;
    got_t g = {0};
    size_t mem16 = 0;
    for (uint32_t i = 0; i < 2000; i++) {
        pb_v9(&p, 100000, 1700000000, i, 7);
        size_t s = pb_set(&p, 0);
        for (uint32_t k = 0; k < 20; k++)
            pb_tmpl4(&p, (uint16_t)(256 + (i * 20 + k) % 65000));
        pb_set_end(&p, s);
        assert_int_equal(decode(d, &p, &g), 0);
        if (i == 0)
            mem16 = ts_flow_decoder_memory(d);
    }
    ts_exporter_stats_t st = stats(d, 9, 7);
    assert_int_equal(st.templates, 16);
    assert_int_equal(st.drops[TS_FLOW_DROP_TEMPLATE_LIMIT], 2000 * 20 - 16);
    assert_int_equal(ts_flow_decoder_memory(d), mem16);
    assert_true(mem16 < 16 * 1024);
    /* Refreshing a known template still works at the limit. */
    v9_tmpl_data(&p, 2000, 1);
    assert_int_equal(decode(d, &p, &g), 1);

    /* Exporters beyond the limit are refused and counted on the decoder. */
    for (uint8_t i = 0; i < 10; i++) {
        ts_ip_t from = exp_addr((uint8_t)(10 + i));
        int rc = ts_flow_decode(d, &from, p.b, p.n, NULL, NULL);
        assert_int_equal(rc, i < 3 ? 1 : TS_ETOOBIG);
    }
    assert_int_equal(ts_flow_decoder_exporters(d), 4);
    assert_int_equal(ts_flow_decoder_drops(d, TS_FLOW_DROP_EXPORTER_LIMIT), 7);
    ts_flow_decoder_free(d);
}

static void test_data_before_template(void **state)
{
    (void)state;
    ts_flow_limits_t lim;
    ts_flow_limits_init(&lim);
    lim.max_pending_bytes = 512;
    ts_flow_decoder_t *d = ts_flow_decoder_new(&lim);
    pb_t p;
    got_t g = {0};

    /* Same datagram, data set first (the Juniper SRX order). */
    pb_v9(&p, 100000, 1700000000, 0, 7);
    size_t s = pb_set(&p, 256);
    pb_rec4(&p, 0x0a000001, 0x0a000002, 99000, 99500, 100, 1, 1, 2, 17);
    pb_rec4(&p, 0x0a000001, 0x0a000003, 99000, 99500, 100, 1, 1, 2, 17);
    pb_set_end(&p, s);
    s = pb_set(&p, 0);
    pb_tmpl4(&p, 256);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 2);
    assert_int_equal(g.f[1].dst.bytes[3], 3);
    assert_int_equal(g.f[0].proto, 17);

    /* Across datagrams: the times are those of the datagram the data came in. */
    pb_v9(&p, 200000, 1700000100, 1, 7);
    s = pb_set(&p, 300);
    pb_rec4(&p, 0x0a000001, 0x0a000002, 199000, 199500, 100, 1, 1, 2, 6);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    size_t mem_pending = ts_flow_decoder_memory(d);
    pb_v9(&p, 300000, 1700000200, 2, 7);
    s = pb_set(&p, 0);
    pb_tmpl4(&p, 300);
    pb_set_end(&p, s);
    g.n = 0;
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(g.f[0].first_ms, 1700000100000ll - 1000);
    assert_int_equal(g.f[0].last_ms, 1700000100000ll - 500);
    assert_true(ts_flow_decoder_memory(d) < mem_pending + 200);

    /* Overflow: 512 bytes hold a few 45-byte sets, the rest is dropped and counted. */
    size_t mem0 = ts_flow_decoder_memory(d);
    for (uint32_t i = 0; i < 50; i++) {
        pb_v9(&p, 300000, 1700000200, 3 + i, 7);
        s = pb_set(&p, 400);
        pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
        pb_set_end(&p, s);
        assert_int_equal(decode(d, &p, &g), 0);
    }
    ts_exporter_stats_t st = stats(d, 9, 7);
    assert_true(st.drops[TS_FLOW_DROP_NO_TEMPLATE] >= 40);
    assert_true(ts_flow_decoder_memory(d) <= mem0 + 512 + 16 * sizeof(void *));
    uint64_t dropped = st.drops[TS_FLOW_DROP_NO_TEMPLATE];
    pb_v9(&p, 300000, 1700000200, 53, 7);
    s = pb_set(&p, 0);
    pb_tmpl4(&p, 400);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), (int)(50 - dropped));

    /* Data waiting longer than a template lives is given up. */
    pb_v9(&p, 300000, 1700000200, 54, 7);
    s = pb_set(&p, 500);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    pb_v9(&p, 300000, 1700000200 + 3600, 55, 7);
    s = pb_set(&p, 501);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    assert_int_equal(decode(d, &p, &g), 0);
    assert_int_equal(stats(d, 9, 7).drops[TS_FLOW_DROP_NO_TEMPLATE], dropped + 1);
    ts_flow_decoder_free(d);
}

/* ---- encodings ---- */

static void test_enterprise_and_varlen(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};
    pb_ipfix(&p, 1700000000, 0, 5);
    size_t s = pb_set(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 7);
    pb_u16(&p, 8);
    pb_u16(&p, 4);
    pb_u16(&p, 0x8000 | 128); /* PEN 5951 (NetScaler), 4 bytes, unknown: skipped */
    pb_u16(&p, 4);
    pb_u32(&p, 5951);
    pb_u16(&p, 0x8000 | 1); /* PEN 29305: reverse octetDeltaCount, skipped */
    pb_u16(&p, 8);
    pb_u32(&p, 29305);
    pb_u16(&p, 82); /* interfaceName, variable length */
    pb_u16(&p, 0xffff);
    pb_u16(&p, 0x8000 | 200); /* enterprise varlen */
    pb_u16(&p, 0xffff);
    pb_u32(&p, 5951);
    pb_u16(&p, 12);
    pb_u16(&p, 4);
    pb_u16(&p, 1);
    pb_u16(&p, 4);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    /* record 1: short varlen encodings */
    pb_u32(&p, 0x01020304);
    pb_u32(&p, 0xffffffff);
    pb_u64(&p, 0xffffffffffffffffull);
    pb_u8(&p, 3);
    pb_bytes(&p, "eth", 3);
    pb_u8(&p, 0);
    pb_u32(&p, 0x05060708);
    pb_u32(&p, 1000);
    /* record 2: the 255 + u16 encoding, 300 bytes */
    pb_u32(&p, 0x01020305);
    pb_u32(&p, 0);
    pb_u64(&p, 0);
    pb_u8(&p, 255);
    pb_u16(&p, 300);
    for (int i = 0; i < 300; i++)
        pb_u8(&p, 'x');
    pb_u8(&p, 2);
    pb_u16(&p, 0xffff);
    pb_u32(&p, 0x05060709);
    pb_u32(&p, 2000);
    pb_u8(&p, 0); /* padding shorter than the minimum record */
    pb_set_end(&p, s);
    /* A record whose varlen length runs past the set: counted, earlier ones kept. */
    s = pb_set(&p, 256);
    pb_u32(&p, 0x01020306);
    pb_u32(&p, 0);
    pb_u64(&p, 0);
    pb_u8(&p, 3);
    pb_bytes(&p, "lo0", 3);
    pb_u8(&p, 0);
    pb_u32(&p, 0x0506070a);
    pb_u32(&p, 3000);
    pb_u32(&p, 0x01020307);
    pb_u32(&p, 0);
    pb_u64(&p, 0);
    pb_u8(&p, 200); /* claims 200 bytes */
    pb_bytes(&p, "abcdefghijklmnopqr", 18);
    pb_set_end(&p, s);
    /* 255 + a 2-byte length beyond the set (the record has its minimum size) */
    s = pb_set(&p, 256);
    pb_u32(&p, 0x01020308);
    pb_u32(&p, 0);
    pb_u64(&p, 0);
    pb_u8(&p, 255);
    pb_u16(&p, 0x1000);
    pb_bytes(&p, "1234567", 7);
    pb_set_end(&p, s);
    /* shorter than the minimum record: padding, not an error */
    s = pb_set(&p, 256);
    pb_u32(&p, 0x01020309);
    pb_u8(&p, 255);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 3);
    assert_int_equal(g.f[0].src.bytes[3], 4);
    assert_int_equal(g.f[0].dst.bytes[3], 8);
    assert_int_equal(g.f[0].bytes, 1000);
    assert_int_equal(g.f[1].src.bytes[3], 5);
    assert_int_equal(g.f[1].dst.bytes[3], 9);
    assert_int_equal(g.f[1].bytes, 2000);
    assert_int_equal(g.f[2].bytes, 3000);
    assert_int_equal(g.f[2].version, 10);
    assert_int_equal(g.f[2].domain, 5);
    /* No times at all: export time. */
    assert_int_equal(g.f[0].first_ms, 1700000000000ll);
    assert_int_equal(g.f[0].last_ms, 1700000000000ll);
    assert_int_equal(stats(d, 10, 5).drops[TS_FLOW_DROP_MALFORMED], 2);
    ts_flow_decoder_free(d);
}

static void test_reduced_size(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};
    static const uint16_t f[][2] = {{27, 16}, {28, 16}, {1, 3},  {2, 1}, {7, 2}, {11, 2},
                                    {4, 1},   {6, 2},   {16, 4}, {17, 2}, {10, 2}, {14, 4},
                                    {8, 3} /* IPv4 of 3 bytes: not an address, skipped */};
    pb_ipfix(&p, 1700000000, 0, 0);
    size_t s = pb_set(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, sizeof f / sizeof f[0]);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        pb_u16(&p, f[i][0]);
        pb_u16(&p, f[i][1]);
    }
    pb_u16(&p, 257); /* same with 8-byte and 5-byte counters, IE 85/86 */
    pb_u16(&p, 3);
    pb_u32(&p, 0x00550008);
    pb_u32(&p, 0x00560005);
    pb_u32(&p, 0x00080004);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    pb_bytes(&p, a6, 16);
    pb_bytes(&p, b6, 16);
    pb_u8(&p, 0x01);
    pb_u16(&p, 0x0203); /* 3-byte bytes = 0x010203 */
    pb_u8(&p, 7);
    pb_u16(&p, 443);
    pb_u16(&p, 50000);
    pb_u8(&p, 6);
    pb_u16(&p, 0x0112); /* 2-byte tcpControlBits (RFC 7125) */
    pb_u32(&p, 4200000000u);
    pb_u16(&p, 64512);
    pb_u16(&p, 9);
    pb_u32(&p, 70000);
    pb_u8(&p, 1);
    pb_u16(&p, 2);
    pb_set_end(&p, s);
    s = pb_set(&p, 257);
    pb_u64(&p, 0x0123456789abcdefull);
    pb_u8(&p, 0x01);
    pb_u32(&p, 0);
    pb_u32(&p, 0xc0000201);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 2);
    assert_int_equal(g.f[0].src.family, TS_AF_INET6);
    assert_memory_equal(g.f[0].src.bytes, a6, 16);
    assert_memory_equal(g.f[0].dst.bytes, b6, 16);
    assert_int_equal(g.f[0].bytes, 0x010203);
    assert_int_equal(g.f[0].packets, 7);
    assert_int_equal(g.f[0].src_port, 443);
    assert_int_equal(g.f[0].dst_port, 50000);
    assert_int_equal(g.f[0].proto, 6);
    assert_int_equal(g.f[0].tcp_flags, 0x12);
    assert_int_equal(g.f[0].src_as, 4200000000u);
    assert_int_equal(g.f[0].dst_as, 64512);
    assert_int_equal(g.f[0].in_if, 9);
    assert_int_equal(g.f[0].out_if, 70000);
    assert_int_equal(g.f[1].bytes, 0x0123456789abcdefull);
    assert_int_equal(g.f[1].packets, 0x0100000000ull);
    assert_int_equal(g.f[1].src.family, TS_AF_INET);
    assert_int_equal(g.f[1].dst.family, TS_AF_NONE);
    ts_flow_decoder_free(d);
}

/* ---- sequence, expiry, sampling, times ---- */

static void test_sequence(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};
    /* v5 counts flows. */
    uint32_t v5seq[] = {100, 102, 107, 103, 0xfffffffe, 0};
    uint64_t lost[] = {0, 0, 3, 3, 3, 0 + 3};
    uint64_t resets[] = {0, 0, 0, 1, 2, 2};
    for (size_t i = 0; i < 6; i++) {
        pb_v5(&p, 2, 5000, 1700000000, 0, v5seq[i], 0);
        pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 4000, 4500);
        pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 4000, 4500);
        assert_int_equal(decode(d, &p, &g), 2);
        ts_exporter_stats_t st = stats(d, 5, 0);
        assert_int_equal(st.lost, lost[i]);
        assert_int_equal(st.sequence_resets, resets[i]);
    }
    /* v9 counts datagrams. */
    uint32_t v9seq[] = {10, 11, 14, 1000000000, 1000000001, 1000000000};
    uint64_t lost9[] = {0, 0, 2, 2, 2, 2};
    uint64_t resets9[] = {0, 0, 0, 1, 1, 2};
    for (size_t i = 0; i < 6; i++) {
        v9_tmpl_data(&p, v9seq[i], 1);
        assert_int_equal(decode(d, &p, &g), 1);
        ts_exporter_stats_t st = stats(d, 9, 7);
        assert_int_equal(st.lost, lost9[i]);
        assert_int_equal(st.sequence_resets, resets9[i]);
    }
    /* IPFIX counts data records, modulo 2^32. */
    uint32_t ipseq[] = {0xfffffffd, 0, 3, 10, 13};
    uint64_t lostx[] = {0, 0, 0, 4, 4};
    for (size_t i = 0; i < 5; i++) {
        pb_ipfix(&p, 1700000000, ipseq[i], 2);
        size_t s = pb_set(&p, 2);
        pb_tmpl4(&p, 256);
        pb_set_end(&p, s);
        s = pb_set(&p, 256);
        for (int k = 0; k < 3; k++)
            pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
        pb_set_end(&p, s);
        pb_ipfix_end(&p);
        assert_int_equal(decode(d, &p, &g), 3);
        ts_exporter_stats_t st = stats(d, 10, 2);
        assert_int_equal(st.lost, lostx[i]);
        assert_int_equal(st.sequence_resets, 0);
    }
    ts_flow_decoder_free(d);
}

static void test_template_expiry(void **state)
{
    (void)state;
    ts_flow_limits_t lim;
    ts_flow_limits_init(&lim);
    lim.template_lifetime_ms = 60000;
    ts_flow_decoder_t *d = ts_flow_decoder_new(&lim);
    pb_t p;
    got_t g = {0};
    uint32_t t0 = 1700000000;
    struct {
        uint32_t at;
        bool tmpl;
        int flows;
    } steps[] = {
        {t0, true, 1},        /* defined */
        {t0 + 59, false, 1},  /* still alive */
        {t0 + 50, true, 1},   /* refreshed (export time may step back) */
        {t0 + 110, false, 1}, /* 60 s after the refresh: alive */
        {t0 + 111, false, 0}, /* 61 s: expired, data buffered */
        {t0 + 112, true, 2},  /* template again: buffered data decoded too */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        pb_ipfix(&p, steps[i].at, 0, 4);
        size_t s;
        if (steps[i].tmpl) {
            s = pb_set(&p, 2);
            pb_tmpl4(&p, 256);
            pb_set_end(&p, s);
        }
        if (i != 5) {
            s = pb_set(&p, 256);
            pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
            pb_set_end(&p, s);
        }
        pb_ipfix_end(&p);
        assert_int_equal(decode(d, &p, &g), i == 5 ? 1 : steps[i].flows);
    }
    /* Wall clock plays no part: a template from 2001 still decodes data from 2001. */
    pb_ipfix(&p, 1000000000, 0, 6);
    size_t s = pb_set(&p, 2);
    pb_tmpl4(&p, 256);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 0);
    pb_ipfix(&p, 1000000030, 0, 6);
    s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 1);

    /* IPFIX template withdrawals are ignored over UDP. */
    pb_ipfix(&p, 1000000031, 0, 6);
    s = pb_set(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 0);
    pb_u16(&p, 2); /* withdraw all */
    pb_u16(&p, 0);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 5, 6, 7, 8, 6);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(stats(d, 10, 6).drops[TS_FLOW_DROP_MALFORMED], 0);

    /* At the template limit, expired templates make room. */
    lim.max_templates = 2;
    ts_flow_decoder_t *d2 = ts_flow_decoder_new(&lim);
    for (uint32_t i = 0; i < 4; i++) {
        pb_v9(&p, 1000, t0 + i * 100, i, 1);
        s = pb_set(&p, 0);
        pb_tmpl4(&p, (uint16_t)(256 + i));
        pb_set_end(&p, s);
        assert_int_equal(decode(d2, &p, &g), 0);
    }
    ts_exporter_stats_t st = stats(d2, 9, 1);
    assert_int_equal(st.templates, 4);
    assert_int_equal(st.drops[TS_FLOW_DROP_TEMPLATE_LIMIT], 0);
    ts_flow_decoder_free(d2);
    ts_flow_decoder_free(d);
}

static void test_sampling(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};
    /* v5: mode in the top 2 bits, interval in the low 14. */
    pb_v5(&p, 1, 5000, 1700000000, 0, 0, 0x4000 | 100);
    pb_v5_rec(&p, 1, 2, 3, 4, 6, 3, 120, 4000, 4500);
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(g.f[0].packets, 300);
    assert_int_equal(g.f[0].bytes, 12000);
    assert_int_equal(g.f[0].sampling, 100);
    assert_int_equal(stats(d, 5, 0).sampling, 100);

    /* v9 options data with SAMPLING_INTERVAL (34), scope System of length 0
     * (as the Juniper SRX sends it), then flows. */
    pb_v9(&p, 100000, 1700000000, 0, 7);
    pb_v9_sampling(&p, 10);
    size_t s = pb_set(&p, 0);
    pb_tmpl4(&p, 256);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    pb_rec4(&p, 1, 2, 3, 4, 1500, 3, 7, 8, 6);
    pb_set_end(&p, s);
    g.n = 0;
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(g.f[0].packets, 30);
    assert_int_equal(g.f[0].bytes, 15000);
    assert_int_equal(g.f[0].sampling, 10);
    ts_exporter_stats_t st = stats(d, 9, 7);
    assert_int_equal(st.sampling, 10);
    assert_int_equal(st.options, 1);

    /* IPFIX options 305/306: 1 packet in 100; then 50 (samplerRandomInterval). */
    uint32_t ies[][3] = {{305, 306, 0}, {50, 0, 0}};
    uint64_t vals[][2] = {{1, 99}, {64, 0}};
    uint32_t rates[] = {100, 64};
    for (int k = 0; k < 2; k++) {
        pb_ipfix(&p, 1700000000, 0, 9);
        s = pb_set(&p, 3);
        pb_u16(&p, 400);
        pb_u16(&p, ies[k][1] ? 3 : 2);
        pb_u16(&p, 1);
        pb_u32(&p, 0x008f0004); /* scope meteringProcessId */
        pb_u16(&p, ies[k][0]);
        pb_u16(&p, 4);
        if (ies[k][1]) {
            pb_u16(&p, ies[k][1]);
            pb_u16(&p, 4);
        }
        pb_set_end(&p, s);
        s = pb_set(&p, 400);
        pb_u32(&p, 1);
        pb_u32(&p, (uint32_t)vals[k][0]);
        if (ies[k][1])
            pb_u32(&p, (uint32_t)vals[k][1]);
        pb_set_end(&p, s);
        s = pb_set(&p, 2);
        pb_tmpl4(&p, 256);
        pb_set_end(&p, s);
        s = pb_set(&p, 256);
        pb_rec4(&p, 1, 2, 3, 4, 1000, 2, 7, 8, 6);
        pb_set_end(&p, s);
        pb_ipfix_end(&p);
        g.n = 0;
        assert_int_equal(decode(d, &p, &g), 1);
        assert_int_equal(g.f[0].packets, 2 * rates[k]);
        assert_int_equal(g.f[0].bytes, 1000 * rates[k]);
        assert_int_equal(stats(d, 10, 9).sampling, rates[k]);
    }
    ts_flow_decoder_free(d);
}

static void test_times(void **state)
{
    (void)state;
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    pb_t p;
    got_t g = {0};
    /* v5: unix_secs*1000 + nsecs/1e6 - (sysUptime - First); First may be
     * just after the header's uptime, or before a 2^32 wrap. */
    pb_v5(&p, 3, 5000, 1700000000, 250000000, 0, 0);
    pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 4000, 4500);
    pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 5000, 5010);
    pb_v5_rec(&p, 1, 2, 3, 4, 6, 1, 40, 0xfffffc18u, 100);
    assert_int_equal(decode(d, &p, &g), 3);
    assert_int_equal(g.f[0].first_ms, 1700000000250ll - 1000);
    assert_int_equal(g.f[0].last_ms, 1700000000250ll - 500);
    assert_int_equal(g.f[1].last_ms, 1700000000250ll + 10);
    assert_int_equal(g.f[2].first_ms, 1700000000250ll - 5000 - 1000);
    assert_int_equal(g.f[2].last_ms, 1700000000250ll - 4900);
    assert_int_equal(g.f[0].src_as, 64500);
    assert_int_equal(g.f[0].tcp_flags, 0x12);
    assert_int_equal(g.f[0].in_if, 3);

    /* v9: 22/21 against the header's sysUptime. */
    g.n = 0;
    v9_tmpl_data(&p, 0, 1);
    assert_int_equal(decode(d, &p, &g), 1);
    assert_int_equal(g.f[0].first_ms, 1700000000000ll - 10000);
    assert_int_equal(g.f[0].last_ms, 1700000000000ll - 1000);
    assert_int_equal(g.f[0].src_as, 65000);

    /* IPFIX: each time encoding in its own template. */
    const uint32_t exp_s = 1700000000;
    const int64_t exp_ms = (int64_t)exp_s * 1000;
    struct {
        uint16_t ie_first, ie_last, len;
        uint64_t first, last;
        int64_t want_first, want_last;
    } cases[] = {
        {150, 151, 4, exp_s - 10, exp_s - 5, exp_ms - 10000, exp_ms - 5000},
        {152, 153, 8, (uint64_t)exp_ms - 1234, (uint64_t)exp_ms - 34, exp_ms - 1234, exp_ms - 34},
        /* NTP: seconds since 1900 and a binary fraction (0x80000000 = 0.5 s) */
        {154, 155, 8, ((uint64_t)(exp_s + 2208988800u) << 32) | 0x80000000u,
         ((uint64_t)(exp_s + 2208988801u) << 32), exp_ms + 500, exp_ms + 1000},
        {156, 157, 8, ((uint64_t)(exp_s + 2208988800u) << 32) | 0x40000000u,
         ((uint64_t)(exp_s + 2208988800u) << 32) | 0xc0000000u, exp_ms + 250, exp_ms + 750},
        {158, 159, 4, 3000000, 1500, exp_ms - 3000, exp_ms - 1},
        {150, 0, 4, exp_s - 7, 0, exp_ms - 7000, exp_ms - 7000}, /* only a start */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pb_ipfix(&p, exp_s, 0, 20);
        size_t s = pb_set(&p, 2);
        pb_u16(&p, 256);
        pb_u16(&p, cases[i].ie_last ? 3 : 2);
        pb_u32(&p, 0x00080004);
        pb_u16(&p, cases[i].ie_first);
        pb_u16(&p, cases[i].len);
        if (cases[i].ie_last) {
            pb_u16(&p, cases[i].ie_last);
            pb_u16(&p, cases[i].len);
        }
        pb_set_end(&p, s);
        s = pb_set(&p, 256);
        pb_u32(&p, 0x01020304);
        if (cases[i].len == 4) {
            pb_u32(&p, (uint32_t)cases[i].first);
            if (cases[i].ie_last)
                pb_u32(&p, (uint32_t)cases[i].last);
        } else {
            pb_u64(&p, cases[i].first);
            pb_u64(&p, cases[i].last);
        }
        pb_set_end(&p, s);
        pb_ipfix_end(&p);
        g.n = 0;
        assert_int_equal(decode(d, &p, &g), 1);
        assert_int_equal(g.f[0].first_ms, cases[i].want_first);
        assert_int_equal(g.f[0].last_ms, cases[i].want_last);
    }

    /* IPFIX 22/21: without systemInitTimeMilliseconds, export time; with it
     * from options data, relative to it; inside the record, that one. */
    for (int k = 0; k < 3; k++) {
        pb_ipfix(&p, exp_s, 0, 30);
        size_t s;
        if (k == 1) {
            s = pb_set(&p, 3);
            pb_u16(&p, 400);
            pb_u16(&p, 2);
            pb_u16(&p, 1);
            pb_u32(&p, 0x008f0004);
            pb_u32(&p, 0x00a00008);
            pb_set_end(&p, s);
            s = pb_set(&p, 400);
            pb_u32(&p, 1);
            pb_u64(&p, (uint64_t)exp_ms - 3600000);
            pb_set_end(&p, s);
        }
        s = pb_set(&p, 2);
        pb_u16(&p, 256);
        pb_u16(&p, k == 2 ? 4 : 3);
        pb_u32(&p, 0x00080004);
        pb_u32(&p, 0x00160004);
        pb_u32(&p, 0x00150004);
        if (k == 2)
            pb_u32(&p, 0x00a00008);
        pb_set_end(&p, s);
        s = pb_set(&p, 256);
        pb_u32(&p, 0x01020304);
        pb_u32(&p, 1000);
        pb_u32(&p, 2000);
        if (k == 2)
            pb_u64(&p, (uint64_t)exp_ms - 7200000);
        pb_set_end(&p, s);
        pb_ipfix_end(&p);
        g.n = 0;
        assert_int_equal(decode(d, &p, &g), 1);
        int64_t base = k == 0 ? 0 : k == 1 ? exp_ms - 3600000 : exp_ms - 7200000;
        assert_int_equal(g.f[0].first_ms, k == 0 ? exp_ms : base + 1000);
        assert_int_equal(g.f[0].last_ms, k == 0 ? exp_ms : base + 2000);
    }
    ts_flow_decoder_free(d);
}

/* ---- seeds for the fuzz targets ---- */

static void write_seed(const char *dir, const char *sub, const char *name, const pb_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    if (tt_write_file(path, p->b, n) != 0)
        fprintf(stderr, "cannot write %s\n", path);
}

static int write_seeds(const char *dir)
{
    pb_t p;
    size_t s;
    /* v5 */
    pb_v5(&p, 2, 5000, 1700000000, 0, 0, 0x4000 | 10);
    pb_v5_rec(&p, 0x0a000001, 0x0a000002, 1234, 80, 6, 3, 120, 4000, 4500);
    pb_v5_rec(&p, 0x0a000003, 0x0a000004, 53, 5353, 17, 1, 60, 4100, 4100);
    write_seed(dir, "netflow_v5", "two_flows", &p, p.n);
    write_seed(dir, "netflow_v5", "truncated", &p, p.n - 7);
    write_seed(dir, "netflow_v5", "header_only", &p, 24);
    pb_put16(&p, 2, 30);
    write_seed(dir, "netflow_v5", "count_lies", &p, p.n);
    pb_put16(&p, 2, 0);
    write_seed(dir, "netflow_v5", "count_zero", &p, p.n);

    /* v9 */
    v9_tmpl_data(&p, 0, 3);
    write_seed(dir, "netflow_v9", "tmpl_data", &p, p.n);
    write_seed(dir, "netflow_v9", "truncated", &p, p.n - 10);
    pb_v9(&p, 100000, 1700000000, 1, 7);
    s = pb_set(&p, 256);
    pb_rec4(&p, 0x0a000001, 0x0a000002, 99000, 99500, 100, 1, 1, 2, 17);
    pb_set_end(&p, s);
    s = pb_set(&p, 0);
    pb_tmpl4(&p, 256);
    pb_set_end(&p, s);
    write_seed(dir, "netflow_v9", "data_before_tmpl", &p, p.n);
    pb_put16(&p, 22, 0);
    write_seed(dir, "netflow_v9", "zero_set_len", &p, p.n);
    pb_put16(&p, 22, 999);
    write_seed(dir, "netflow_v9", "set_len_lies", &p, p.n);
    pb_v9(&p, 100000, 1700000000, 2, 7);
    pb_v9_sampling(&p, 10);
    write_seed(dir, "netflow_v9", "options_sampling", &p, p.n);
    pb_v9(&p, 100000, 1700000000, 3, 7);
    s = pb_set(&p, 0);
    pb_u16(&p, 256);
    pb_u16(&p, 60000);
    pb_u32(&p, 0x00080004);
    pb_set_end(&p, s);
    write_seed(dir, "netflow_v9", "field_count_overflow", &p, p.n);

    /* IPFIX */
    pb_ipfix(&p, 1700000000, 0, 1);
    s = pb_set(&p, 2);
    pb_tmpl4(&p, 256);
    pb_set_end(&p, s);
    s = pb_set(&p, 256);
    pb_rec4(&p, 0x0a000001, 0x0a000002, 99000, 99500, 100, 1, 1, 2, 17);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    write_seed(dir, "ipfix", "tmpl_data", &p, p.n);
    write_seed(dir, "ipfix", "truncated", &p, p.n - 3);
    pb_ipfix(&p, 1700000000, 1, 1);
    s = pb_set(&p, 2);
    pb_u16(&p, 257);
    pb_u16(&p, 4);
    pb_u32(&p, 0x00080004);
    pb_u16(&p, 0x8000 | 128);
    pb_u16(&p, 4);
    pb_u32(&p, 5951);
    pb_u16(&p, 82);
    pb_u16(&p, 0xffff);
    pb_u32(&p, 0x00010008);
    pb_set_end(&p, s);
    s = pb_set(&p, 257);
    pb_u32(&p, 0x01020304);
    pb_u32(&p, 7);
    pb_u8(&p, 3);
    pb_bytes(&p, "eth", 3);
    pb_u64(&p, 1000);
    pb_u32(&p, 0x01020305);
    pb_u32(&p, 7);
    pb_u8(&p, 255);
    pb_u16(&p, 4);
    pb_bytes(&p, "wlan", 4);
    pb_u64(&p, 1000);
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    write_seed(dir, "ipfix", "enterprise_varlen", &p, p.n);
    p.b[p.n - 21] = 250; /* a varlen length that runs past the set */
    write_seed(dir, "ipfix", "varlen_lies", &p, p.n);
    pb_ipfix(&p, 1700000000, 2, 1);
    s = pb_set(&p, 3);
    pb_u16(&p, 400);
    pb_u16(&p, 4);
    pb_u16(&p, 1);
    pb_u32(&p, 0x008f0004);
    pb_u32(&p, 0x00a00008);
    pb_u32(&p, 0x01310002);
    pb_u32(&p, 0x01320004);
    pb_set_end(&p, s);
    s = pb_set(&p, 400);
    pb_u32(&p, 1);
    pb_u64(&p, 1699990000000ull);
    pb_u16(&p, 1);
    pb_u32(&p, 99);
    pb_set_end(&p, s);
    s = pb_set(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 0); /* withdrawal, ignored */
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    write_seed(dir, "ipfix", "options_sysinit_sampling", &p, p.n);
    pb_put16(&p, 2, 8);
    write_seed(dir, "ipfix", "length_below_header", &p, p.n);
    pb_ipfix(&p, 1700000000, 3, 1);
    s = pb_set(&p, 2);
    for (uint16_t i = 0; i < 80; i++)
        pb_tmpl4(&p, (uint16_t)(1000 + i));
    pb_set_end(&p, s);
    pb_ipfix_end(&p);
    write_seed(dir, "ipfix", "template_flood", &p, p.n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
        return write_seeds(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_headers),
        cmocka_unit_test(test_set_lengths_lie),
        cmocka_unit_test(test_bad_templates),
        cmocka_unit_test(test_template_flood),
        cmocka_unit_test(test_data_before_template),
        cmocka_unit_test(test_enterprise_and_varlen),
        cmocka_unit_test(test_reduced_size),
        cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_template_expiry),
        cmocka_unit_test(test_sampling),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
