/* SPDX-License-Identifier: Apache-2.0 */
/* The floor under any collector: receives UDP datagrams exactly as tocsin's
 * collector does (poll, recvmmsg batches of 64 with the sender's address,
 * the kernel's drop counter once per wake, the same adaptive pauses between
 * wakes) and does nothing with them. Its CPU per flow in
 * bench/collect_vs_nfcapd.sh is what the kernel's receive path costs before
 * any decoding.
 *
 * Usage: udp_sink PORT [MAX_PAUSE_US]   (default: the collector's
 * --coalesce-us; runs until SIGTERM; prints the datagrams received on
 * stderr) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "collect/collector.h"

#define BATCH 64
#define DGRAM_MAX 65536

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: udp_sink PORT [MAX_PAUSE_US]\n");
        return 2;
    }
    ts_collect_opts_t defaults;
    ts_collect_opts_init(&defaults);
    long max_pause = argc > 2 ? atol(argv[2]) : defaults.coalesce_us;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int rcvbuf = 32 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int room = 0;
    socklen_t rl = sizeof room;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &room, &rl);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("udp_sink");
        return 1;
    }
    unsigned char *bufs = malloc((size_t)BATCH * DGRAM_MAX);
    if (bufs == NULL)
        return 1;
    static struct mmsghdr m[BATCH];
    static struct iovec iov[BATCH];
    static struct sockaddr_storage from[BATCH];
    unsigned long long n = 0, sum = 0;
    uint32_t drops = 0;
    long pause = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (!stop) {
        int pr = poll(&p, 1, 100);
        if (pr <= 0) {
            if (pr == 0)
                pause = 0;
            continue;
        }
        size_t charged = 0;
        int partial = 0;
        for (;;) {
            for (int i = 0; i < BATCH; i++) {
                iov[i] = (struct iovec){bufs + (size_t)i * DGRAM_MAX, DGRAM_MAX};
                m[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                               .msg_namelen = sizeof from[i],
                                               .msg_iov = &iov[i],
                                               .msg_iovlen = 1};
            }
            int got = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
            if (got <= 0)
                break;
            for (int i = 0; i < got; i++) {
                n++;
                sum += ((unsigned char *)iov[i].iov_base)[0]; /* touch the data */
                charged += ts_collect_charge(m[i].msg_len);
            }
            if (got < BATCH) {
                partial = 1;
                break;
            }
        }
        uint32_t now;
        if (ts_collect_socket_drops(fd, &now) == 0)
            drops = now;
        if (charged > 0 && partial && max_pause > 0) {
            pause = ts_collect_next_pause(pause, charged, (size_t)room, max_pause);
            if (pause > 0) {
                struct timespec ts = {pause / 1000000, (pause % 1000000) * 1000};
                nanosleep(&ts, NULL);
            }
        }
    }
    fprintf(stderr, "udp_sink: %llu datagrams, %u dropped by the kernel (checksum %llu)\n", n,
            drops, sum);
    free(bufs);
    return 0;
}
