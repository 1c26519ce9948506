/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's TCP connect mode: non-blocking connect() watched by epoll. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "scan/engine_int.h"

struct cstate {
    int ep;
};

static int c_open(struct eng *e)
{
    struct cstate *c = ts_xcalloc(1, sizeof *c);
    c->ep = epoll_create1(EPOLL_CLOEXEC);
    if (c->ep < 0) {
        ts_log(TS_LOG_ERROR, "scan: epoll_create1: %s", strerror(errno));
        free(c);
        return TS_EIO;
    }
    e->bs = c;
    return 0;
}

static int c_send(struct eng *e, struct eng_slot *s)
{
    struct cstate *c = e->bs;
    const ts_ip_t *ip = &e->hosts[s->host];
    int fd = socket(ip->family == TS_AF_INET ? AF_INET : AF_INET6,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM ? TS_EAGAIN
                                                                                         : TS_EIO;
    struct sockaddr_storage ss;
    socklen_t sl = eng_sockaddr(ip, s->port, &ss);
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
        int err = errno;
        close(fd);
        if (err == EADDRNOTAVAIL || err == EAGAIN)
            return TS_EAGAIN; /* no local port free: answers will free some */
        if (err == ECONNREFUSED) {
            eng_answer(e, s, TS_PORT_CLOSED, NULL, 0);
            return 0;
        }
        /* Unreachable networks and the like: the probe is simply unanswered. */
        return 0;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)(s - e->slots)};
    if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return TS_EIO;
    }
    s->fd = fd;
    return 0;
}

static int c_poll(struct eng *e, int timeout_ms)
{
    struct cstate *c = e->bs;
    struct epoll_event evs[256];
    int n = epoll_wait(c->ep, evs, 256, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : TS_EIO;
    for (int i = 0; i < n; i++) {
        struct eng_slot *s = &e->slots[evs[i].data.u32];
        if (!s->busy || s->fd < 0)
            continue;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err == 0) {
            /* Closed with a reset at once: no FIN exchange, and no TIME_WAIT
             * left behind for each of thousands of ports. */
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            (void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            eng_answer(e, s, TS_PORT_OPEN, NULL, 0);
        } else if (err == ECONNREFUSED)
            eng_answer(e, s, TS_PORT_CLOSED, NULL, 0);
        else {
            /* Host or network unreachable: no answer from the port itself;
             * the socket goes, the probe waits out its time. */
            epoll_ctl(c->ep, EPOLL_CTL_DEL, s->fd, NULL);
            close(s->fd);
            s->fd = -1;
        }
    }
    return 0;
}

static void c_release(struct eng *e, struct eng_slot *s)
{
    (void)e;
    if (s->fd >= 0) {
        close(s->fd); /* also leaves the epoll set */
        s->fd = -1;
    }
}

static void c_close(struct eng *e)
{
    struct cstate *c = e->bs;
    if (c) {
        close(c->ep);
        free(c);
        e->bs = NULL;
    }
}

const struct eng_backend ts_eng_connect = {
    .open = c_open,
    .send = c_send,
    .poll = c_poll,
    .release = c_release,
    .close = c_close,
};
