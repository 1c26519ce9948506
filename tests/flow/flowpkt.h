/* SPDX-License-Identifier: Apache-2.0 */
/* Builds NetFlow v5 / v9 / IPFIX datagrams for the flow tests (and for the
 * fuzz seeds they write). Header-only so that each test program stays one file. */
#pragma once
#include <stdint.h>
#include <string.h>

typedef struct pb {
    uint8_t b[65536];
    size_t n;
} pb_t;

static inline void pb_u8(pb_t *p, uint32_t v)
{
    p->b[p->n++] = (uint8_t)v;
}

static inline void pb_u16(pb_t *p, uint32_t v)
{
    pb_u8(p, v >> 8);
    pb_u8(p, v);
}

static inline void pb_u32(pb_t *p, uint32_t v)
{
    pb_u16(p, v >> 16);
    pb_u16(p, v);
}

static inline void pb_u64(pb_t *p, uint64_t v)
{
    pb_u32(p, (uint32_t)(v >> 32));
    pb_u32(p, (uint32_t)v);
}

static inline void pb_bytes(pb_t *p, const void *d, size_t n)
{
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static inline void pb_put16(pb_t *p, size_t at, uint32_t v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

/* v9 header: version, count, sysUptime, unix_secs, sequence, source id. */
static inline void pb_v9(pb_t *p, uint32_t uptime, uint32_t secs, uint32_t seq, uint32_t src_id)
{
    p->n = 0;
    pb_u16(p, 9);
    pb_u16(p, 0);
    pb_u32(p, uptime);
    pb_u32(p, secs);
    pb_u32(p, seq);
    pb_u32(p, src_id);
}

/* IPFIX header; pb_ipfix_end() fills in the length. */
static inline void pb_ipfix(pb_t *p, uint32_t export_s, uint32_t seq, uint32_t domain)
{
    p->n = 0;
    pb_u16(p, 10);
    pb_u16(p, 0);
    pb_u32(p, export_s);
    pb_u32(p, seq);
    pb_u32(p, domain);
}

static inline void pb_ipfix_end(pb_t *p)
{
    pb_put16(p, 2, (uint32_t)p->n);
}

/* Opens a set; returns where its header is, for pb_set_end(). */
static inline size_t pb_set(pb_t *p, uint16_t id)
{
    size_t at = p->n;
    pb_u16(p, id);
    pb_u16(p, 0);
    return at;
}

static inline void pb_set_end(pb_t *p, size_t at)
{
    pb_put16(p, at + 2, (uint32_t)(p->n - at));
}

/* v5 header (count records follow, written by pb_v5_rec). */
static inline void pb_v5(pb_t *p, uint16_t count, uint32_t uptime, uint32_t secs, uint32_t nsecs,
                         uint32_t seq, uint16_t sampling)
{
    p->n = 0;
    pb_u16(p, 5);
    pb_u16(p, count);
    pb_u32(p, uptime);
    pb_u32(p, secs);
    pb_u32(p, nsecs);
    pb_u32(p, seq);
    pb_u8(p, 0);
    pb_u8(p, 0);
    pb_u16(p, sampling);
}

static inline void pb_v5_rec(pb_t *p, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
                             uint8_t proto, uint32_t pkts, uint32_t bytes, uint32_t first,
                             uint32_t last)
{
    pb_u32(p, src);
    pb_u32(p, dst);
    pb_u32(p, 0); /* nexthop */
    pb_u16(p, 3); /* input */
    pb_u16(p, 4); /* output */
    pb_u32(p, pkts);
    pb_u32(p, bytes);
    pb_u32(p, first);
    pb_u32(p, last);
    pb_u16(p, sp);
    pb_u16(p, dp);
    pb_u8(p, 0);
    pb_u8(p, 0x12); /* SYN ACK */
    pb_u8(p, proto);
    pb_u8(p, 0x20);
    pb_u16(p, 64500);
    pb_u16(p, 64501);
    pb_u8(p, 24);
    pb_u8(p, 16);
    pb_u16(p, 0);
}

/* A softflowd-like IPv4 template (v9 field types = IPFIX IEs):
 * 8 src, 12 dst, 22 first, 21 last, 1 bytes, 2 packets, 10 in, 14 out,
 * 7 sport, 11 dport, 6 flags, 4 proto, 5 tos, 16/17 AS. 45 bytes a record. */
static inline void pb_tmpl4(pb_t *p, uint16_t id)
{
    static const uint16_t f[][2] = {{8, 4}, {12, 4}, {22, 4}, {21, 4}, {1, 4},
                                    {2, 4}, {10, 4}, {14, 4}, {7, 2},  {11, 2},
                                    {6, 1}, {4, 1},  {5, 1},  {16, 2}, {17, 2}};
    pb_u16(p, id);
    pb_u16(p, sizeof f / sizeof f[0]);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        pb_u16(p, f[i][0]);
        pb_u16(p, f[i][1]);
    }
}

/* A v9 options template 300 (scope System of length 0, as the Juniper SRX
 * sends it; options SAMPLING_ALGORITHM and SAMPLING_INTERVAL) and its data
 * set announcing sampling 1 in `interval`. */
static inline void pb_v9_sampling(pb_t *p, uint32_t interval)
{
    size_t s = pb_set(p, 1);
    pb_u16(p, 300);
    pb_u16(p, 4);
    pb_u16(p, 8);
    pb_u32(p, 0x00010000);
    pb_u32(p, 0x00230001);
    pb_u32(p, 0x00220004);
    pb_u16(p, 0);
    pb_set_end(p, s);
    s = pb_set(p, 300);
    pb_u8(p, 2);
    pb_u32(p, interval);
    pb_bytes(p, "\0\0\0", 3);
    pb_set_end(p, s);
}

static inline void pb_rec4(pb_t *p, uint32_t src, uint32_t dst, uint32_t first, uint32_t last,
                           uint32_t bytes, uint32_t pkts, uint16_t sp, uint16_t dp, uint8_t proto)
{
    pb_u32(p, src);
    pb_u32(p, dst);
    pb_u32(p, first);
    pb_u32(p, last);
    pb_u32(p, bytes);
    pb_u32(p, pkts);
    pb_u32(p, 1);
    pb_u32(p, 2);
    pb_u16(p, sp);
    pb_u16(p, dp);
    pb_u8(p, 0x02);
    pb_u8(p, proto);
    pb_u8(p, 0);
    pb_u16(p, 65000);
    pb_u16(p, 65001);
}
