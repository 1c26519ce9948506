/* SPDX-License-Identifier: Apache-2.0 */
/* Sends a synthetic NetFlow v9 stream shaped like softflowd's export (one
 * IPv4 template resent every 64 datagrams, 30 flows per datagram) to a UDP
 * collector at a given rate, so that two collectors can be fed the identical
 * stream and their CPU per flow compared (bench/collect_vs_nfcapd.sh).
 *
 * Usage: bench_collect HOST PORT FLOWS FLOWS_PER_SECOND [SOURCE_ID] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s HOST PORT FLOWS FLOWS_PER_SECOND [SOURCE_ID]\n", argv[0]);
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
