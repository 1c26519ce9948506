/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's SYN mode (IPv4): SYNs from a raw socket, answers read from it.
 * Needs CAP_NET_RAW; the kernel builds the IP header and answers each
 * SYN-ACK with a reset, since no socket of ours is connected to it. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "scan/engine_int.h"

#define RCVBUF (8 * 1024 * 1024)

struct sstate {
    int raw;  /* sends SYNs, receives every TCP segment */
    int hold; /* a TCP socket bound to sport: keeps the port ours */
    uint16_t sport;
    uint32_t *src; /* per host: our address on the route to it (network order), 0 = unknown */
};

bool ts_eng_can_syn(void)
{
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static uint32_t cookie(struct eng *e, uint32_t daddr, uint16_t dport, uint16_t sport)
{
    return (uint32_t)eng_mix(e->key ^ 0x73796e, daddr, ((uint64_t)dport << 16) | sport);
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static int s_open(struct eng *e)
{
    for (size_t i = 0; i < e->n_hosts; i++)
        if (e->hosts[i].family != TS_AF_INET)
            return TS_ENOTSUP;
    struct sstate *s = ts_xcalloc(1, sizeof *s);
    s->raw = s->hold = -1;
    s->raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (s->raw < 0) {
        free(s);
        return errno == EPERM || errno == EACCES ? TS_ENOTSUP : TS_EIO;
    }
    int sz = RCVBUF;
    if (setsockopt(s->raw, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0)
        (void)setsockopt(s->raw, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    s->hold = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    if (s->hold < 0 || bind(s->hold, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s->hold, (struct sockaddr *)&a, &al) != 0) {
        ts_log(TS_LOG_ERROR, "scan: cannot reserve a source port: %s", strerror(errno));
        if (s->hold >= 0)
            close(s->hold);
        close(s->raw);
        free(s);
        return TS_EIO;
    }
    s->sport = ntohs(a.sin_port);
    s->src = ts_xcalloc(e->n_hosts, sizeof *s->src);
    e->bs = s;
    return 0;
}

/* Our address on the route to host: what a connected UDP socket is given. */
static uint32_t source_for(struct sstate *s, struct eng *e, uint32_t host)
{
    if (s->src[host])
        return s->src[host];
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_storage ss;
    socklen_t sl = eng_sockaddr(&e->hosts[host], 9, &ss);
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
        getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
        s->src[host] = me.sin_addr.s_addr;
    if (fd >= 0)
        close(fd);
    return s->src[host];
}

static int s_send(struct eng *e, struct eng_slot *sl)
{
    struct sstate *s = e->bs;
    uint32_t saddr = source_for(s, e, sl->host);
    if (saddr == 0)
        return 0; /* no route: stays unanswered */
    const uint8_t *d = e->hosts[sl->host].bytes;
    uint32_t daddr = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    uint32_t seq = cookie(e, daddr, sl->port, s->sport);
    uint8_t t[24] = {0};
    t[0] = (uint8_t)(s->sport >> 8);
    t[1] = (uint8_t)s->sport;
    t[2] = (uint8_t)(sl->port >> 8);
    t[3] = (uint8_t)sl->port;
    t[4] = (uint8_t)(seq >> 24);
    t[5] = (uint8_t)(seq >> 16);
    t[6] = (uint8_t)(seq >> 8);
    t[7] = (uint8_t)seq;
    t[12] = 6 << 4; /* data offset: 24 bytes */
    t[13] = 0x02;   /* SYN */
    t[14] = 0x04;   /* window 1024 */
    t[20] = 2;      /* MSS 1460, as most stacks send */
    t[21] = 4;
    t[22] = 0x05;
    t[23] = 0xb4;
    uint8_t pseudo[12];
    memcpy(pseudo, &saddr, 4);
    memcpy(pseudo + 4, d, 4);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_TCP;
    pseudo[10] = 0;
    pseudo[11] = sizeof t;
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), t, sizeof t));
    t[16] = (uint8_t)(c >> 8);
    t[17] = (uint8_t)c;
    struct sockaddr_storage ss;
    socklen_t len = eng_sockaddr(&e->hosts[sl->host], 0, &ss);
    if (sendto(s->raw, t, sizeof t, 0, (struct sockaddr *)&ss, len) < 0) {
        if (errno == ENOBUFS || errno == EAGAIN)
            return TS_EAGAIN;
        return 0; /* unreachable and the like: unanswered */
    }
    return 0;
}

/* One received IPv4 packet carrying TCP. */
static void segment(struct eng *e, struct sstate *s, const uint8_t *p, size_t n)
{
    if (n < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP)
        return;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    if (ihl < 20 || n < ihl + 20)
        return;
    const uint8_t *t = p + ihl;
    uint16_t sport = (uint16_t)(t[0] << 8 | t[1]), dport = (uint16_t)(t[2] << 8 | t[3]);
    if (dport != s->sport)
        return;
    ts_ip_t src = {.family = TS_AF_INET};
    memcpy(src.bytes, p + 12, 4);
    int64_t host = eng_host_index(e, &src);
    if (host < 0)
        return;
    uint32_t ack = (uint32_t)t[8] << 24 | (uint32_t)t[9] << 16 | (uint32_t)t[10] << 8 | t[11];
    uint32_t daddr = (uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 | (uint32_t)p[14] << 8 | p[15];
    if (ack != cookie(e, daddr, sport, s->sport) + 1)
        return; /* not an answer to a SYN of this run */
    uint8_t flags = t[13];
    struct eng_slot *sl = eng_find(e, (uint32_t)host, sport);
    if (sl == NULL)
        return; /* a late or repeated answer */
    if ((flags & 0x12) == 0x12)
        eng_answer(e, sl, TS_PORT_OPEN, NULL, 0);
    else if (flags & 0x04)
        eng_answer(e, sl, TS_PORT_CLOSED, NULL, 0);
}

static int s_poll(struct eng *e, int timeout_ms)
{
    struct sstate *s = e->bs;
    struct pollfd pfd = {.fd = s->raw, .events = POLLIN};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : TS_EIO;
    if (n == 0)
        return 0;
    uint8_t buf[256];
    for (int i = 0; i < 4096; i++) {
        ssize_t got = recv(s->raw, buf, sizeof buf, MSG_TRUNC);
        if (got < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : TS_EIO;
        segment(e, s, buf, (size_t)got < sizeof buf ? (size_t)got : sizeof buf);
    }
    return 0;
}

static void s_release(struct eng *e, struct eng_slot *sl)
{
    (void)e;
    (void)sl;
}

static void s_close(struct eng *e)
{
    struct sstate *s = e->bs;
    if (s == NULL)
        return;
    close(s->raw);
    close(s->hold);
    free(s->src);
    free(s);
    e->bs = NULL;
}

const struct eng_backend ts_eng_syn = {
    .open = s_open,
    .send = s_send,
    .poll = s_poll,
    .release = s_release,
    .close = s_close,
};
