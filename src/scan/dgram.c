/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's UDP mode: one socket per address family sends every probe;
 * answers are matched to their probe by the address and port they come from.
 * IP_RECVERR brings the ICMP port-unreachable answers of closed ports. */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mem.h"
#include "scan/engine_int.h"
#include "scan/udp.h"

#define ANSWER_MAX 65536

struct dstate {
    int fd[2]; /* IPv4, IPv6; -1 when no host of that family */
    uint8_t *buf;
};

static int d_open(struct eng *e)
{
    struct dstate *d = ts_xcalloc(1, sizeof *d);
    d->fd[0] = d->fd[1] = -1;
    bool want[2] = {false, false};
    for (size_t i = 0; i < e->n_hosts; i++)
        want[e->hosts[i].family == TS_AF_INET6] = true;
    for (int f = 0; f < 2; f++) {
        if (!want[f])
            continue;
        d->fd[f] = socket(f ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (d->fd[f] < 0) {
            if (d->fd[0] >= 0)
                close(d->fd[0]);
            free(d);
            return TS_EIO;
        }
        int on = 1;
        if (f)
            (void)setsockopt(d->fd[f], IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
        else
            (void)setsockopt(d->fd[f], IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    }
    d->buf = ts_xmalloc(ANSWER_MAX);
    e->bs = d;
    return 0;
}

static void errqueue(struct eng *e, int fd);

static int d_send(struct eng *e, struct eng_slot *s)
{
    struct dstate *d = e->bs;
    const ts_udp_probe_t *pr = ts_udp_probe_for(s->port);
    if (pr == NULL)
        return TS_ENOENT;
    const ts_ip_t *ip = &e->hosts[s->host];
    struct sockaddr_storage ss;
    socklen_t sl = eng_sockaddr(ip, s->port, &ss);
    int fd = d->fd[ip->family == TS_AF_INET6];
    for (int attempt = 0; attempt < 2; attempt++) {
        if (sendto(fd, pr->payload, pr->len, 0, (struct sockaddr *)&ss, sl) >= 0)
            return 0;
        if (errno == ENOBUFS || errno == EAGAIN)
            return TS_EAGAIN;
        /* An ICMP error of an earlier probe, reported on this send instead
         * of it: read the queued errors, then send again. */
        errqueue(e, fd);
    }
    return 0;
}

static bool from_addr(const struct sockaddr_storage *ss, ts_ip_t *ip, uint16_t *port)
{
    memset(ip, 0, sizeof *ip);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        ip->family = TS_AF_INET;
        memcpy(ip->bytes, &a->sin_addr, 4);
        *port = ntohs(a->sin_port);
        return true;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        ip->family = TS_AF_INET6;
        memcpy(ip->bytes, &a->sin6_addr, 16);
        *port = ntohs(a->sin6_port);
        return true;
    }
    return false;
}

/* An ICMP error queued for the socket: port unreachable means closed. */
static void errqueue(struct eng *e, int fd)
{
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage ss;
        char ctl[512];
        uint8_t b[64];
        struct iovec iov = {b, sizeof b};
        struct msghdr m = {.msg_name = &ss,
                           .msg_namelen = sizeof ss,
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = ctl,
                           .msg_controllen = sizeof ctl};
        if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            return;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                  (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(c), sizeof ee);
            bool unreach =
                (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 3 && ee.ee_code == 3) ||
                (ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_type == 1 && ee.ee_code == 4);
            ts_ip_t ip;
            uint16_t port;
            if (!unreach || !from_addr(&ss, &ip, &port))
                continue;
            int64_t host = eng_host_index(e, &ip);
            struct eng_slot *s = host < 0 ? NULL : eng_find(e, (uint32_t)host, port);
            if (s)
                eng_answer(e, s, TS_PORT_CLOSED, NULL, 0);
        }
    }
}

static int d_poll(struct eng *e, int timeout_ms)
{
    struct dstate *d = e->bs;
    struct pollfd p[2];
    int n = 0;
    for (int f = 0; f < 2; f++)
        if (d->fd[f] >= 0)
            p[n++] = (struct pollfd){.fd = d->fd[f], .events = POLLIN};
    int r = poll(p, (nfds_t)n, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : TS_EIO;
    for (int k = 0; k < n && r > 0; k++) {
        if (p[k].revents & POLLERR)
            errqueue(e, p[k].fd);
        if (!(p[k].revents & POLLIN))
            continue;
        for (int i = 0; i < 1024; i++) {
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            ssize_t got = recvfrom(p[k].fd, d->buf, ANSWER_MAX, 0, (struct sockaddr *)&ss, &sl);
            if (got < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    break;
                errqueue(e, p[k].fd); /* a queued error is also reported this way */
                continue;
            }
            ts_ip_t ip;
            uint16_t port;
            if (!from_addr(&ss, &ip, &port))
                continue;
            int64_t host = eng_host_index(e, &ip);
            struct eng_slot *s = host < 0 ? NULL : eng_find(e, (uint32_t)host, port);
            if (s)
                eng_answer(e, s, TS_PORT_OPEN, d->buf, (size_t)got);
        }
    }
    return 0;
}

static void d_release(struct eng *e, struct eng_slot *s)
{
    (void)e;
    (void)s;
}

static void d_close(struct eng *e)
{
    struct dstate *d = e->bs;
    if (d == NULL)
        return;
    for (int f = 0; f < 2; f++)
        if (d->fd[f] >= 0)
            close(d->fd[f]);
    free(d->buf);
    free(d);
    e->bs = NULL;
}

const struct eng_backend ts_eng_dgram = {
    .open = d_open,
    .send = d_send,
    .poll = d_poll,
    .release = d_release,
    .close = d_close,
};
