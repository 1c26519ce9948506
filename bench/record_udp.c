/* SPDX-License-Identifier: Apache-2.0 */
/* Records every UDP datagram sent to 127.0.0.1:PORT into a file, each as a
 * 4-byte big-endian length followed by the payload, and stops after SILENCE
 * seconds without a datagram (counted from the first one; before it, waits
 * up to 60 s). Used to capture softflowd's export once so that it can be
 * replayed identically to several collectors (bench_collect --replay);
 * tcpreplay on lo does not deliver to sockets, a recorded payload does.
 * The socket buffer is made large and kernel drops are reported (SO_RXQ_OVFL)
 * so a burst that overflowed it does not go unnoticed.
 *
 * Usage: record_udp PORT OUT [SILENCE_SECONDS]   (default 2)
 * Prints "listening" on stdout once bound. Exit 0, or 3 if datagrams were
 * dropped by the kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT OUT [SILENCE_SECONDS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    double silence = argc > 3 ? strtod(argv[3], NULL) : 2.0;
    if (port <= 0 || port > 65535 || silence <= 0) {
        fprintf(stderr, "bad PORT or SILENCE_SECONDS\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int rcv = 64 << 20, one = 1;
    /* FORCE ignores rmem_max when root; otherwise take what rmem_max allows. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("bind");
        return 1;
    }
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    printf("listening\n");
    fflush(stdout);

    static uint8_t buf[65536];
    uint64_t n = 0, bytes = 0;
    uint32_t dropped = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, n ? (int)(silence * 1000) : 60000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(uint32_t))];
        } ctl;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl};
        ssize_t len = recvmsg(fd, &m, 0);
        if (len < 0)
            continue;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
                memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
        uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                          (uint8_t)len};
        if (fwrite(hdr, 1, 4, out) != 4 || fwrite(buf, 1, (size_t)len, out) != (size_t)len) {
            perror(argv[2]);
            return 1;
        }
        n++;
        bytes += (uint64_t)len;
    }
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 1;
    }
    close(fd);
    fprintf(stderr, "recorded %llu datagrams, %llu bytes, %u dropped by the kernel\n",
            (unsigned long long)n, (unsigned long long)bytes, dropped);
    return dropped ? 3 : 0;
}
