/* SPDX-License-Identifier: Apache-2.0 */
/* Writes a classic pcap (Ethernet + IPv4, snaplen 128 like `tcpdump -s 96`)
 * of synthetic but plausible edge traffic, from a fixed seed, for softflowd
 * to turn into a NetFlow v9 / IPFIX export stream (bench/collect_vs_nfcapd.sh).
 * Frames are cut at the snaplen but every length field (pcap orig len, IPv4
 * total length, UDP length) is the real one, because softflowd counts octets
 * from them.
 *
 * Mix: TCP sessions between clients and servers (handshake, request and
 * response data with ACKs, FIN both ways, a few RSTs, a few bulk transfers),
 * DNS over UDP to two resolvers, ICMP echo and unreachables, and one scanner
 * sending SYNs to many hosts (a few of which answer with RST).
 *
 * Usage: make_pcap OUT.pcap [TCP_SESSIONS] [SEED]   (defaults 9000, 1) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAPLEN 96
#define BASE_S 1790000000u   /* fixed capture start (2026-09-21), for reproducibility */
#define SPAN_US 600000000ull /* sessions start within 10 minutes */

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

struct pkt {
    uint64_t t_us;
    uint32_t src, dst;
    uint16_t sport, dport; /* ICMP: sport = type << 8 | code */
    uint16_t payload;      /* transport payload bytes */
    uint8_t proto, flags;
    uint32_t seq, ack;
};

static struct pkt *pkts;
static size_t npkts, cap;

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint32_t between(uint32_t lo, uint32_t hi)
{
    return lo + rnd() % (hi - lo + 1);
}

static void add(uint64_t t, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                uint8_t proto, uint8_t flags, uint16_t payload, uint32_t seq, uint32_t ack)
{
    if (npkts == cap) {
        cap = cap ? cap * 2 : 65536;
        pkts = realloc(pkts, cap * sizeof *pkts);
        if (!pkts) {
            perror("realloc");
            exit(1);
        }
    }
    pkts[npkts++] = (struct pkt){t, src, dst, sport, dport, payload, proto, flags, seq, ack};
}

#define N_CLIENTS 2000
#define N_SERVERS 240
static uint32_t client(void)
{
    uint32_t i = rnd() % N_CLIENTS;
    return 0x0A010000u | ((i / 250) << 8) | (1 + i % 250); /* 10.1.0-7.x */
}

static uint32_t server(void)
{
    uint32_t i = rnd() % N_SERVERS;
    /* 198.51.100.0/24 and 203.0.113.0/24, a popular few get most sessions */
    if (rnd() % 2)
        i %= 16;
    return (i % 2 ? 0xC6336400u : 0xCB007100u) | (1 + i / 2);
}

static uint16_t service_port(void)
{
    static const uint16_t ports[] = {443, 443, 443, 443, 443, 443, 80, 80, 80, 22, 25, 993, 8080};
    return ports[rnd() % (sizeof ports / sizeof ports[0])];
}

static uint16_t ephemeral(void)
{
    return (uint16_t)between(32768, 60999);
}

static void tcp_session(uint64_t t, int bulk)
{
    uint32_t c = client(), s = server();
    uint16_t cp = ephemeral(), sp = service_port();
    uint32_t cs = rnd(), ss = rnd();
    uint64_t rtt = between(500, 80000); /* us */
    add(t, c, s, cp, sp, 6, F_SYN, 0, cs++, 0);
    t += rtt / 2;
    add(t, s, c, sp, cp, 6, F_SYN | F_ACK, 0, ss++, cs);
    t += rtt / 2;
    add(t, c, s, cp, sp, 6, F_ACK, 0, cs, ss);
    int rounds = bulk ? 1 : (int)between(1, 2);
    for (int r = 0; r < rounds; r++) {
        uint16_t q = (uint16_t)between(80, 700);
        add(t, c, s, cp, sp, 6, F_PSH | F_ACK, q, cs, ss);
        cs += q;
        t += rtt / 2 + between(100, 20000);
        int segs = bulk ? (int)between(200, 1500) : (int)between(1, 8);
        for (int i = 0; i < segs; i++) {
            uint16_t len = i + 1 < segs ? 1448 : (uint16_t)between(1, 1448);
            add(t, s, c, sp, cp, 6, (uint8_t)(F_ACK | (i + 1 == segs ? F_PSH : 0)), len, ss, cs);
            ss += len;
            t += between(10, 400);
            if (i % 2)
                add(t, c, s, cp, sp, 6, F_ACK, 0, cs, ss);
        }
        t += between(1000, 300000); /* think time */
    }
    if (rnd() % 20 == 0) { /* aborted */
        add(t, c, s, cp, sp, 6, F_RST | F_ACK, 0, cs, ss);
        return;
    }
    int client_closes = rnd() % 2;
    uint32_t a = client_closes ? c : s, b = client_closes ? s : c;
    uint16_t ap = client_closes ? cp : sp, bp = client_closes ? sp : cp;
    uint32_t as = client_closes ? cs : ss, bs = client_closes ? ss : cs;
    add(t, a, b, ap, bp, 6, F_FIN | F_ACK, 0, as, bs);
    t += rtt / 2;
    add(t, b, a, bp, ap, 6, F_FIN | F_ACK, 0, bs, as + 1);
    t += rtt / 2;
    add(t, a, b, ap, bp, 6, F_ACK, 0, as + 1, bs + 1);
}

static void dns_query(uint64_t t)
{
    uint32_t c = client(), r = rnd() % 3 ? 0x0A000035u : 0x0A000036u; /* 10.0.0.53/54 */
    uint16_t cp = ephemeral();
    add(t, c, r, cp, 53, 17, 0, (uint16_t)between(28, 70), 0, 0);
    if (rnd() % 50 == 0)
        return; /* unanswered */
    add(t + between(200, 40000), r, c, 53, cp, 17, 0, (uint16_t)between(60, 480), 0, 0);
}

static void icmp(uint64_t t)
{
    uint32_t c = client(), s = server();
    if (rnd() % 4 == 0) { /* port unreachable back to a client */
        add(t, s, c, 3 << 8 | 3, 0, 1, 0, 36, 0, 0);
        return;
    }
    int n = (int)between(1, 5);
    for (int i = 0; i < n; i++, t += 1000000) {
        add(t, c, s, 8 << 8, 0, 1, 0, 56, 0, 0);
        add(t + between(500, 60000), s, c, 0, 0, 1, 0, 56, 0, 0);
    }
}

static void scanner(uint64_t t, int targets)
{
    static const uint16_t ports[] = {22, 23, 80, 443, 445, 3389, 8080};
    const uint32_t scn = 0xC0000242u; /* 192.0.2.66 */
    for (int i = 0; i < targets; i++, t += between(2000, 40000)) {
        uint32_t dst = 0x0A010000u | (uint32_t)(i % 2048);
        uint16_t dp = ports[((uint32_t)i / 2048 + rnd()) % (sizeof ports / sizeof ports[0])];
        uint16_t sp = (uint16_t)between(40000, 65000);
        add(t, scn, dst, sp, dp, 6, F_SYN, 0, rnd(), 0);
        if (rnd() % 12 == 0)
            add(t + between(300, 3000), dst, scn, dp, sp, 6, F_RST | F_ACK, 0, 0, 0);
    }
}

static int cmp(const void *a, const void *b)
{
    const struct pkt *x = a, *y = b;
    return x->t_us < y->t_us ? -1 : x->t_us > y->t_us;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void ip_checksum(uint8_t *h)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    put16(h + 10, ~sum & 0xFFFF);
}

static size_t frame(const struct pkt *p, uint16_t ip_id, uint8_t *f, size_t *orig)
{
    memset(f, 0, 14 + 60);
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 1}, mac_b[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(f, mac_a, 6);
    memcpy(f + 6, mac_b, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *l4 = ip + 20;
    size_t l4hdr = p->proto == 6 ? 20 : 8;
    size_t total = 20 + l4hdr + p->payload;
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)total);
    put16(ip + 4, ip_id);
    ip[6] = 0x40; /* DF */
    ip[8] = (uint8_t)(p->src >> 24 == 10 ? 64 : 52);
    ip[9] = p->proto;
    put32(ip + 12, p->src);
    put32(ip + 16, p->dst);
    ip_checksum(ip);
    if (p->proto == 6) {
        put16(l4, p->sport);
        put16(l4 + 2, p->dport);
        put32(l4 + 4, p->seq);
        put32(l4 + 8, p->ack);
        l4[12] = 5 << 4;
        l4[13] = p->flags;
        put16(l4 + 14, 64240);
    } else if (p->proto == 17) {
        put16(l4, p->sport);
        put16(l4 + 2, p->dport);
        put16(l4 + 4, 8u + p->payload);
    } else {
        l4[0] = (uint8_t)(p->sport >> 8);
        l4[1] = (uint8_t)p->sport;
        put16(l4 + 4, 0x1234);
        put16(l4 + 6, ip_id);
    }
    *orig = 14 + total;
    size_t cap_len = *orig < SNAPLEN ? *orig : SNAPLEN;
    /* Payload bytes inside the snaplen stay zero; only the lengths matter. */
    memset(f + 14 + 20 + l4hdr, 0, cap_len > 14 + 20 + l4hdr ? cap_len - (14 + 20 + l4hdr) : 0);
    return cap_len;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUT.pcap [TCP_SESSIONS] [SEED]\n", argv[0]);
        return 2;
    }
    long sessions = argc > 2 ? strtol(argv[2], NULL, 10) : 9000;
    unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    if (sessions < 1 || sessions > 1000000) {
        fprintf(stderr, "TCP_SESSIONS must be 1..1000000\n");
        return 2;
    }
    rng = 0x9E3779B97F4A7C15ull ^ (seed * 0xBF58476D1CE4E5B9ull);
    if (!rng)
        rng = 1;
    for (long i = 0; i < sessions; i++)
        tcp_session(rnd() % SPAN_US, i % 1000 == 0);
    for (long i = 0; i < sessions / 2; i++)
        dns_query(rnd() % SPAN_US);
    for (long i = 0; i < sessions / 12; i++)
        icmp(rnd() % SPAN_US);
    scanner(rnd() % (SPAN_US / 4), (int)(sessions * 2 / 3));
    qsort(pkts, npkts, sizeof *pkts, cmp);

    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    uint8_t gh[24] = {0};
    le32(gh, 0xA1B2C3D4u);
    gh[4] = 2; /* version 2.4, little endian fields */
    gh[6] = 4;
    le32(gh + 16, SNAPLEN);
    le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
    fwrite(gh, 1, sizeof gh, out);
    uint64_t bytes = 0;
    for (size_t i = 0; i < npkts; i++) {
        uint8_t f[14 + 60 + SNAPLEN], rh[16];
        size_t orig;
        size_t caplen = frame(&pkts[i], (uint16_t)i, f, &orig);
        uint64_t t = pkts[i].t_us;
        le32(rh, BASE_S + (uint32_t)(t / 1000000));
        le32(rh + 4, (uint32_t)(t % 1000000));
        le32(rh + 8, (uint32_t)caplen);
        le32(rh + 12, (uint32_t)orig);
        fwrite(rh, 1, sizeof rh, out);
        fwrite(f, 1, caplen, out);
        bytes += orig;
    }
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    fprintf(stderr, "%s: %zu packets, %llu bytes on the wire, %ld TCP sessions\n", argv[1], npkts,
            (unsigned long long)bytes, sessions);
    free(pkts);
    return 0;
}
