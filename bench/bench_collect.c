/* SPDX-License-Identifier: Apache-2.0 */
/* Sends a synthetic NetFlow v9 stream shaped like softflowd's export (one
 * IPv4 template resent every 64 datagrams, 30 flows per datagram) to a UDP
 * collector at a given rate, so that two collectors can be fed the identical
 * stream and their CPU per flow compared (bench/collect_vs_nfcapd.sh).
 *
 * Replay mode sends instead a stream recorded from a real exporter (softflowd
 * run over a pcap, recorded by bench/record_udp: 4-byte big-endian length +
 * payload per datagram), looping over the whole recording, template
 * datagrams included, until FLOWS flows were sent. The flows each datagram
 * carries are counted beforehand with the project's own decoder (two passes,
 * because data met before its template is counted on the template's
 * datagram in the first pass only). On each datagram the header's sequence
 * number is made to continue across loops and the export time follows the
 * replay clock, so the collectors see one live, loss-free exporter rather
 * than the same 20 s repeated.
 *
 * Usage: bench_collect HOST PORT FLOWS FLOWS_PER_SECOND [SOURCE_ID]
 *        bench_collect --replay FILE HOST PORT FLOWS FLOWS_PER_SECOND */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flow/flow.h"

#define FLOWS_PER_DGRAM 30
#define REC_LEN 31

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* (type, length) of the template: bytes, packets, first, last, src, dst,
 * sport, dport, tcp flags, protocol, tos. */
static const uint16_t fields[][2] = {{1, 4}, {2, 4},  {22, 4}, {21, 4}, {8, 4}, {12, 4},
                                     {7, 2}, {11, 2}, {6, 1},  {4, 1},  {5, 1}};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static size_t build(uint8_t *buf, uint32_t seq, uint32_t source_id, int with_template)
{
    uint32_t uptime = 3600000 + seq;
    size_t off = 20;
    int count = 0;
    if (with_template) {
        size_t len = 4 + 4 + 4 * N_FIELDS;
        put16(buf + off, 0);
        put16(buf + off + 2, (uint16_t)len);
        put16(buf + off + 4, 256);
        put16(buf + off + 6, (uint16_t)N_FIELDS);
        for (size_t i = 0; i < N_FIELDS; i++) {
            put16(buf + off + 8 + 4 * i, fields[i][0]);
            put16(buf + off + 10 + 4 * i, fields[i][1]);
        }
        off += len;
        count++;
    }
    size_t set_len = 4 + FLOWS_PER_DGRAM * REC_LEN;
    size_t pad = (4 - set_len % 4) % 4;
    put16(buf + off, 256);
    put16(buf + off + 2, (uint16_t)(set_len + pad));
    uint8_t *p = buf + off + 4;
    for (int i = 0; i < FLOWS_PER_DGRAM; i++, p += REC_LEN) {
        uint32_t pk = 1 + rnd() % 20;
        put32(p, pk * (40 + rnd() % 1400));
        put32(p + 4, pk);
        put32(p + 8, uptime - 2000);
        put32(p + 12, uptime - 100);
        put32(p + 16, 0x0A000000 | (rnd() & 0xFFFF)); /* 10.0.x.y clients */
        put32(p + 20, 0xC6120000 | (rnd() & 0x0FFF)); /* 198.18.0.0/20 servers */
        put16(p + 24, (uint16_t)(1024 + rnd() % 60000));
        put16(p + 26, (uint16_t)(rnd() % 4 ? 443 : 53));
        p[28] = 0x1b;
        p[29] = rnd() % 4 ? 6 : 17;
        p[30] = 0;
    }
    memset(p, 0, pad);
    off += set_len + pad;
    count += FLOWS_PER_DGRAM;
    put16(buf, 9);
    put16(buf + 2, (uint16_t)count);
    put32(buf + 4, uptime);
    put32(buf + 8, (uint32_t)time(NULL));
    put32(buf + 12, seq);
    put32(buf + 16, source_id);
    return off;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bounds for the recording: a benchmark input, but still a file from disk. */
#define MAX_RECORDING (256u << 20)
#define MAX_DGRAMS 1000000u

struct recording {
    uint8_t *data;   /* the file */
    size_t *off;     /* payload offset of each datagram */
    uint16_t *len;   /* payload length */
    uint32_t *flows; /* [2 * n]: flows decoded in the first pass, then in later passes */
    size_t n;
    uint32_t seq_step; /* how far the sequence number advances over one pass */
};

static void count_flow(const ts_flow_t *f, size_t n, void *ctx)
{
    (void)f;
    (void)n;
    (void)ctx;
}

/* Header offsets: v9 {version, count, uptime, secs, seq, id},
 * IPFIX {version, length, secs, seq, domain}. */
static int hdr_layout(const uint8_t *p, size_t len, size_t *secs_at, size_t *seq_at)
{
    if (len < 16)
        return -1;
    unsigned v = (unsigned)(p[0] << 8 | p[1]);
    if (v == 9 && len >= 20) {
        *secs_at = 8;
        *seq_at = 12;
        return 9;
    }
    if (v == 10) {
        *secs_at = 4;
        *seq_at = 8;
        return 10;
    }
    return -1;
}

static int load(const char *path, struct recording *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 1 << 20, used = 0;
    r->data = malloc(cap);
    for (size_t got; r->data && (got = fread(r->data + used, 1, cap - used, f)) > 0;) {
        used += got;
        if (used == cap && cap < MAX_RECORDING) {
            cap *= 2;
            uint8_t *nd = realloc(r->data, cap);
            if (!nd)
                free(r->data);
            r->data = nd;
        } else if (used == cap) {
            fprintf(stderr, "%s: larger than %u bytes\n", path, MAX_RECORDING);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    if (!r->data) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    r->off = malloc(MAX_DGRAMS * sizeof *r->off);
    r->len = malloc(MAX_DGRAMS * sizeof *r->len);
    if (!r->off || !r->len) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    r->n = 0;
    for (size_t o = 0; o < used;) {
        if (used - o < 4 || r->n == MAX_DGRAMS) {
            fprintf(stderr, "%s: truncated or too many datagrams\n", path);
            return -1;
        }
        uint32_t l = get32(r->data + o);
        if (l == 0 || l > 65507 || l > used - o - 4) {
            fprintf(stderr, "%s: bad datagram length %u at offset %zu\n", path, l, o);
            return -1;
        }
        r->off[r->n] = o + 4;
        r->len[r->n++] = (uint16_t)l;
        o += 4 + l;
    }
    if (r->n == 0) {
        fprintf(stderr, "%s: no datagrams\n", path);
        return -1;
    }
    r->flows = calloc(2 * r->n, sizeof *r->flows);
    if (!r->flows) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    return 0;
}

/* Header of datagram i as sent on pass `pass`, `elapsed_s` into the replay. */
static void rewrite(const struct recording *r, size_t i, uint64_t pass, uint32_t elapsed_s,
                    uint8_t *out)
{
    const uint8_t *p = r->data + r->off[i];
    memcpy(out, p, r->len[i]);
    size_t secs_at, seq_at;
    if (hdr_layout(p, r->len[i], &secs_at, &seq_at) < 0)
        return;
    put32(out + secs_at, get32(p + secs_at) + elapsed_s);
    put32(out + seq_at, get32(p + seq_at) + (uint32_t)(pass * r->seq_step));
}

static int count_flows(struct recording *r)
{
    const uint8_t *first = r->data + r->off[0], *last = r->data + r->off[r->n - 1];
    size_t secs_at, seq_at;
    int v = hdr_layout(first, r->len[0], &secs_at, &seq_at);
    if (v < 0) {
        fprintf(stderr, "replay: the recording is not NetFlow v9 or IPFIX\n");
        return -1;
    }
    ts_flow_decoder_t *d = ts_flow_decoder_new(NULL);
    ts_ip_t from = {.family = TS_AF_INET, .bytes = {127, 0, 0, 1}};
    uint8_t buf[65536];
    size_t bad = 0;
    for (uint64_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n; i++) {
            rewrite(r, i, pass, 0, buf);
            int got = ts_flow_decode(d, &from, buf, r->len[i], count_flow, NULL);
            if (got < 0)
                bad++;
            r->flows[pass * r->n + i] = got > 0 ? (uint32_t)got : 0;
        }
        if (pass == 0) {
            /* v9 numbers datagrams, IPFIX numbers data records. */
            uint32_t tail = v == 9 ? 1 : r->flows[r->n - 1];
            r->seq_step = get32(last + seq_at) - get32(first + seq_at) + tail;
        }
    }
    ts_flow_decoder_free(d);
    if (bad)
        fprintf(stderr, "replay: %zu datagram(s) refused by the decoder\n", bad);
    return 0;
}

static int replay(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s --replay FILE HOST PORT FLOWS FLOWS_PER_SECOND\n", argv[0]);
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[4]))};
    if (inet_pton(AF_INET, argv[3], &to.sin_addr) != 1) {
        fprintf(stderr, "bad IPv4 address %s\n", argv[3]);
        return 2;
    }
    uint64_t flows = strtoull(argv[5], NULL, 10);
    double rate = strtod(argv[6], NULL);
    if (rate <= 0) {
        fprintf(stderr, "FLOWS_PER_SECOND must be > 0\n");
        return 2;
    }
    struct recording r = {0};
    int rc = 1;
    if (load(argv[2], &r) != 0 || count_flows(&r) != 0)
        goto out;
    uint64_t pass_flows[2] = {0, 0};
    for (size_t i = 0; i < r.n; i++) {
        pass_flows[0] += r.flows[i];
        pass_flows[1] += r.flows[r.n + i];
    }
    if (pass_flows[1] == 0) {
        fprintf(stderr, "replay: the recording holds no decodable flow\n");
        goto out;
    }
    fprintf(stderr, "replay: %zu datagrams, %llu flows per pass (%llu on the first)\n", r.n,
            (unsigned long long)pass_flows[1], (unsigned long long)pass_flows[0]);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        goto out;
    }
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    static uint8_t buf[65536];
    double t0 = now_s();
    uint64_t offered = 0, sent_flows = 0, sent = 0, errors = 0, pass = 0;
    for (size_t i = 0; offered < flows; i = (i + 1) % r.n) {
        if (i == 0 && offered)
            pass++;
        uint32_t n = r.flows[(pass ? r.n : 0) + i];
        double due = t0 + (double)offered / rate, now = now_s();
        if (due - now > 0.001) {
            double wait = due - now;
            struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
        rewrite(&r, i, pass, (uint32_t)(now - t0), buf);
        offered += n;
        if (sendto(fd, buf, r.len[i], 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)r.len[i]) {
            sent++;
            sent_flows += n;
        } else {
            errors++;
        }
    }
    double t = now_s() - t0;
    printf("sent %llu datagrams (%llu flows) in %.2f s: %.0f flows/s offered, %llu send errors, "
           "%llu passes over the recording\n",
           (unsigned long long)sent, (unsigned long long)sent_flows, t, (double)sent_flows / t,
           (unsigned long long)errors, (unsigned long long)pass + 1);
    close(fd);
    rc = 0;
out:
    free(r.data);
    free(r.off);
    free(r.len);
    free(r.flows);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--replay") == 0)
        return replay(argc, argv);
    if (argc < 5) {
        fprintf(stderr,
                "usage: %s HOST PORT FLOWS FLOWS_PER_SECOND [SOURCE_ID]\n"
                "       %s --replay FILE HOST PORT FLOWS FLOWS_PER_SECOND\n",
                argv[0], argv[0]);
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "bad IPv4 address %s\n", argv[1]);
        return 2;
    }
    uint64_t flows = strtoull(argv[3], NULL, 10);
    double rate = strtod(argv[4], NULL);
    uint32_t source_id = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 1;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || rate <= 0) {
        perror("socket");
        return 1;
    }
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    uint64_t dgrams = (flows + FLOWS_PER_DGRAM - 1) / FLOWS_PER_DGRAM;
    double per_dgram = FLOWS_PER_DGRAM / rate;
    uint8_t buf[2048];
    double t0 = now_s();
    uint64_t sent = 0, errors = 0;
    for (uint64_t i = 0; i < dgrams; i++) {
        size_t len = build(buf, (uint32_t)i, source_id, i % 64 == 0);
        /* Pace in 1 ms bursts: sleep while ahead of schedule. */
        double due = t0 + (double)i * per_dgram;
        double now = now_s();
        if (due - now > 0.001) {
            struct timespec ts = {0, (long)((due - now) * 1e9)};
            nanosleep(&ts, NULL);
        }
        if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len)
            sent++;
        else
            errors++;
    }
    double t = now_s() - t0;
    printf("sent %llu datagrams (%llu flows) in %.2f s: %.0f flows/s offered, %llu send errors\n",
           (unsigned long long)sent, (unsigned long long)sent * FLOWS_PER_DGRAM, t,
           (double)sent * FLOWS_PER_DGRAM / t, (unsigned long long)errors);
    close(fd);
    return 0;
}
