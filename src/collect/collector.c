/* SPDX-License-Identifier: Apache-2.0 */
#include "collect/collector.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sock_diag.h> /* SK_MEMINFO_DROPS */

#include "collect/writer.h"
#include "core/log.h"
#include "core/metrics.h"

#define BATCH 64        /* datagrams per recvmmsg */
#define DGRAM_MAX 65536 /* largest UDP payload */
#define POLL_MS 100
#define BOUND_LEN 80 /* "[v6 address]:port" as bound */

void ts_collect_opts_init(ts_collect_opts_t *o)
{
    memset(o, 0, sizeof *o);
    ts_flow_limits_init(&o->limits);
    ts_detect_config_init(&o->detect);
    o->stats_interval_ms = 5000;
    o->rcvbuf = 32 << 20;
    o->coalesce_us = 50000;
    o->store_patience_ms = 30000;
}

long ts_collect_next_pause(long pause_us, size_t charged, size_t room, long max_us)
{
    long burst_safe = (long)(room / 4 / TS_COLLECT_BURST_BYTES_PER_US);
    if (max_us > burst_safe)
        max_us = burst_safe;
    long next = pause_us;
    if (charged > room / 4)
        next = pause_us / 2;
    else if (charged < room / 16)
        next = pause_us * 2 + 1;
    return next < max_us ? next : max_us;
}

int ts_collect_parse_listen(const char *s, ts_ip_t *addr, uint16_t *port)
{
    const char *colon;
    const char *host;
    size_t hlen;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':')
            return TS_EINVAL;
        host = s + 1;
        hlen = (size_t)(end - host);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return TS_EINVAL;
        host = s;
        hlen = (size_t)(colon - s);
        if (memchr(host, ':', hlen) != NULL)
            return TS_EINVAL; /* IPv6 needs brackets: "[::1]:2055" */
    }
    if (colon[1] == '-' || colon[1] == '+' || colon[1] == ' ')
        return TS_EINVAL;
    char *endp;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &endp, 10);
    if (colon[1] == '\0' || *endp != '\0' || errno != 0 || p > 65535)
        return TS_EINVAL;
    if (ts_ip_parse(host, hlen, addr) < 0)
        return TS_EINVAL;
    *port = (uint16_t)p;
    return 0;
}

int ts_collect_socket_drops(int fd, uint32_t *drops)
{
    uint32_t mem[SK_MEMINFO_VARS];
    socklen_t len = sizeof mem;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
        len < (SK_MEMINFO_DROPS + 1) * sizeof mem[0])
        return TS_EIO;
    *drops = mem[SK_MEMINFO_DROPS];
    return 0;
}

/* Datagrams the kernel dropped on fd since *last. Read once per wake: the
 * per-datagram SO_RXQ_OVFL message cost kernel time on every datagram, and
 * only reported a drop once a later datagram arrived. */
static uint64_t new_drops(int fd, uint32_t *last)
{
    uint32_t now;
    if (ts_collect_socket_drops(fd, &now) < 0)
        return 0;
    uint32_t drops = now - *last; /* wraps like the kernel's counter */
    *last = now;
    return drops;
}

/* Logs, per socket, the kernel drops counted since the last report: an
 * operator sees loss while the collector runs, not only when it stops. */
static void report_drops(char (*bound)[BOUND_LEN], uint64_t *unreported, size_t n)
{
    for (size_t s = 0; s < n; s++) {
        if (unreported[s] == 0)
            continue;
        ts_log_warn("%s: the kernel dropped %" PRIu64 " datagrams for a full receive buffer",
                    bound[s], unreported[s]);
        unreported[s] = 0;
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* *room (OUT): the receive buffer the kernel granted, in its own accounting. */
static int open_socket(const char *spec, int rcvbuf, char *bound, size_t bound_size, size_t *room)
{
    ts_ip_t ip;
    uint16_t port;
    if (ts_collect_parse_listen(spec, &ip, &port) < 0) {
        ts_log_error("invalid listen address '%s' (ADDRESS:PORT, [IPv6]:PORT)", spec);
        return TS_EINVAL;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (ip.family == TS_AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, ip.bytes, 4);
        sl = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, ip.bytes, 16);
        sl = sizeof *sin6;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ts_log_error("socket: %s", strerror(errno));
        return TS_EIO;
    }
    int one = 1;
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    /* The buffer absorbs bursts and the pauses of the receive loop (the
     * counters' commit, coalescing). SO_RCVBUF is capped by
     * net.core.rmem_max (about 200 KiB by default, a few ms at 1 M flows/s):
     * with CAP_NET_ADMIN, SO_RCVBUFFORCE sets it regardless. */
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0)
        ts_log_warn("%s: cannot set the receive buffer to %d bytes", spec, rcvbuf);
    int have = 0;
    socklen_t hl = sizeof have;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &hl) != 0 || have <= 0)
        have = 0;
    *room = (size_t)have;
    /* Linux reports twice the size asked for (bookkeeping included). */
    if (rcvbuf > 0 && have / 2 < rcvbuf)
        ts_log_warn("%s: receive buffer %d KiB instead of %d KiB: bursts may be dropped, and "
                    "pauses between reads are cut to %d us (raise net.core.rmem_max, or run "
                    "with CAP_NET_ADMIN)",
                    spec, have / 2 / 1024, rcvbuf / 1024,
                    (int)((size_t)have / 4 / TS_COLLECT_BURST_BYTES_PER_US));
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        ts_log_error("cannot listen on %s: %s", spec, strerror(errno));
        close(fd);
        return TS_EIO;
    }
    /* Port 0 asks the kernel for a free port: report the one it chose. */
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    uint16_t real_port = port;
    if (getsockname(fd, (struct sockaddr *)&got, &gl) == 0)
        real_port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                                   : ((struct sockaddr_in6 *)&got)->sin6_port);
    char host[TS_IP_STRLEN];
    ts_ip_format(&ip, host, sizeof host);
    snprintf(bound, bound_size, ip.family == TS_AF_INET6 ? "[%s]:%u" : "%s:%u", host,
             (unsigned)real_port);
    return fd;
}

struct ctx {
    ts_cwriter_t *writer; /* owns the store and the constituency meanwhile */
    ts_detector_t *det;
    ts_collect_stats_t *stats;
    int64_t flow_now;      /* latest flow time seen (ms), drives the detector windows */
    int64_t flow_now_mono; /* monotonic ms when flow_now last moved */
    int error;             /* first failure to hand a detection over */
};

/* The decoder's runs go to the detectors as they are: no copy per flow. */
static void on_flows(const ts_flow_t *flows, size_t n, void *arg)
{
    struct ctx *x = arg;
    x->stats->flows += n;
    ts_detect_flows(x->det, flows, n);
    int64_t latest = x->flow_now;
    for (size_t i = 0; i < n; i++)
        if (flows[i].last_ms > latest)
            latest = flows[i].last_ms;
    if (latest > x->flow_now) {
        x->flow_now = latest;
        x->flow_now_mono = mono_ms();
    }
}

static void on_detection(const ts_event_t *ev, void *arg)
{
    struct ctx *x = arg;
    int rc = ts_cwriter_add(x->writer, ev);
    if (rc < 0 && x->error == 0)
        x->error = rc;
    if (rc == 0)
        x->stats->detections++;
}

/* Detections reported since the last call go to the writer. */
static int hand_over(struct ctx *x)
{
    int rc = ts_cwriter_flush(x->writer);
    return rc < 0 ? rc : x->error;
}

/* The detector's events for the open batch are allocated in its arena. */
static void tick(struct ctx *x, int64_t now)
{
    ts_detect_tick(x->det, now, ts_cwriter_arena(x->writer), on_detection, x);
}

static void to_ip(const struct sockaddr_storage *ss, ts_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    if (ss->ss_family == AF_INET) {
        ip->family = TS_AF_INET;
        memcpy(ip->bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        ip->family = TS_AF_INET6;
        memcpy(ip->bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
    }
}

/* The collector's counters in the metrics registry, brought up to date once
 * per wake (a few atomic additions, never per datagram). */
struct published {
    ts_metric_t *datagrams, *flows, *detections, *drops;
    ts_collect_stats_t last;
};

static void publish_init(struct published *p)
{
    memset(p, 0, sizeof *p);
    p->datagrams = ts_metrics_counter("tocsin_collector_datagrams_total",
                                      "NetFlow/IPFIX datagrams received.", NULL);
    p->flows = ts_metrics_counter("tocsin_collector_flows_total", "Flows decoded.", NULL);
    p->detections = ts_metrics_counter("tocsin_collector_detections_total",
                                       "Detections (scans, brute force, floods) made.", NULL);
    p->drops = ts_metrics_counter("tocsin_collector_socket_drops_total",
                                  "Datagrams the kernel dropped for a full receive buffer.", NULL);
}

static void publish(struct published *p, const ts_collect_stats_t *s)
{
    ts_metric_add(p->datagrams, s->datagrams - p->last.datagrams);
    ts_metric_add(p->flows, s->flows - p->last.flows);
    ts_metric_add(p->detections, s->detections - p->last.detections);
    ts_metric_add(p->drops, s->socket_drops - p->last.socket_drops);
    p->last = *s;
}

int ts_collect_run(ts_store_t *st, ts_constituency_t **c, const ts_collect_opts_t *o,
                   ts_collect_stats_t *stats)
{
    memset(stats, 0, sizeof *stats);
    int fds[TS_COLLECT_MAX_SOCKETS];
    char bound[TS_COLLECT_MAX_SOCKETS][BOUND_LEN];
    const char *bound_ptrs[TS_COLLECT_MAX_SOCKETS];
    size_t n = 0;
    int rc = 0;
    size_t rcv_room = SIZE_MAX; /* smallest receive buffer, as the kernel sized it */
    for (; n < o->n_listen && n < TS_COLLECT_MAX_SOCKETS; n++) {
        size_t room = 0;
        fds[n] = open_socket(o->listen[n], o->rcvbuf, bound[n], sizeof bound[n], &room);
        if (fds[n] < 0) {
            rc = fds[n] == TS_EINVAL ? TS_EINVAL : TS_EIO;
            goto close_fds;
        }
        bound_ptrs[n] = bound[n];
        if (room > 0 && room < rcv_room)
            rcv_room = room;
    }
    if (n == 0) {
        ts_log_error("nothing to listen on");
        return TS_EINVAL;
    }
    if (o->ready)
        o->ready(bound_ptrs, n, o->ready_ctx);

    ts_flow_decoder_t *dec = ts_flow_decoder_new(&o->limits);
    struct ctx x = {.stats = stats};
    x.flow_now = 0; /* no flow seen yet: no window can close */
    x.flow_now_mono = mono_ms();
    x.det = ts_detector_new(&o->detect);
    if ((rc = ts_cwriter_start(st, c, o->store_patience_ms,
                               &(ts_cwriter_via_t){o->bus, o->bus_input}, &x.writer)) < 0) {
        ts_detector_free(x.det);
        ts_flow_decoder_free(dec);
        goto close_fds;
    }

    /* One buffer set for recvmmsg, reused for every batch. */
    uint8_t *bufs = malloc((size_t)BATCH * DGRAM_MAX);
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_storage from[BATCH];
    uint32_t last_drops[TS_COLLECT_MAX_SOCKETS] = {0};
    uint64_t unreported_drops[TS_COLLECT_MAX_SOCKETS] = {0};
    struct pollfd pfd[TS_COLLECT_MAX_SOCKETS];
    for (size_t i = 0; i < n; i++)
        pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    int64_t next_save = mono_ms() + o->stats_interval_ms;
    long nap_us = 0;
    struct published pub;
    publish_init(&pub);

    while (bufs && !(o->stop && __atomic_load_n(o->stop, __ATOMIC_ACQUIRE))) {
        if (o->reload && __atomic_exchange_n(o->reload, 0, __ATOMIC_ACQ_REL))
            ts_cwriter_reload(x.writer);
        int pr = poll(pfd, (nfds_t)n, POLL_MS);
        if (pr == 0)
            nap_us = 0; /* idle: the next traffic starts coalescing from scratch */
        if (pr < 0 && errno != EINTR) {
            ts_log_error("poll: %s", strerror(errno));
            rc = TS_EIO;
            break;
        }
        size_t charged = 0; /* what this wake found queued (ts_collect_charge) */
        bool partial = false;
        for (size_t s = 0; pr > 0 && s < n; s++) {
            if (!(pfd[s].revents & POLLIN))
                continue;
            for (;;) {
                for (int i = 0; i < BATCH; i++) {
                    iov[i] = (struct iovec){bufs + (size_t)i * DGRAM_MAX, DGRAM_MAX};
                    msgs[i].msg_hdr = (struct msghdr){
                        .msg_name = &from[i],
                        .msg_namelen = sizeof from[i],
                        .msg_iov = &iov[i],
                        .msg_iovlen = 1,
                    };
                    msgs[i].msg_len = 0;
                }
                int got = recvmmsg(fds[s], msgs, BATCH, MSG_DONTWAIT, NULL);
                if (got <= 0)
                    break;
                for (int i = 0; i < got; i++) {
                    ts_ip_t ip;
                    to_ip(&from[i], &ip);
                    stats->datagrams++;
                    charged += ts_collect_charge(msgs[i].msg_len);
                    (void)ts_flow_decode(dec, &ip, iov[i].iov_base, msgs[i].msg_len, on_flows, &x);
                }
                /* The flood detector measures rates per interval of flow time:
                 * tick after every batch, not only when the sockets go quiet. */
                if (x.flow_now > 0)
                    tick(&x, x.flow_now);
                if (got < BATCH) {
                    partial = true;
                    break;
                }
            }
            uint64_t dropped = new_drops(fds[s], &last_drops[s]);
            stats->socket_drops += dropped;
            unreported_drops[s] += dropped;
        }
        /* Windows follow flow time, so a replay behaves like live traffic;
         * once flows stop, wall time moves them on so that the last window
         * is still reported. */
        if (x.flow_now > 0) {
            int64_t now = x.flow_now + (mono_ms() - x.flow_now_mono);
            tick(&x, now);
        }
        if ((rc = hand_over(&x)) < 0)
            break;
        publish(&pub, stats);
        /* Coalescing: with traffic flowing but the queue drained, pause so
         * that the next wake finds a batch instead of a datagram or two. */
        if (charged > 0 && partial && o->coalesce_us > 0) {
            nap_us = ts_collect_next_pause(nap_us, charged, rcv_room, o->coalesce_us);
            if (nap_us > 0) {
                struct timespec nap = {nap_us / 1000000, (nap_us % 1000000) * 1000};
                nanosleep(&nap, NULL);
            }
        }
        if (mono_ms() >= next_save) {
            report_drops(bound, unreported_drops, n);
            if ((rc = ts_cwriter_counters(x.writer, dec)) < 0)
                break;
            next_save = mono_ms() + o->stats_interval_ms;
        }
    }
    if (bufs == NULL)
        rc = TS_ENOMEM;
    if (rc == 0 && x.flow_now > 0) {
        /* Stopping: report what the open windows hold now, rather than lose it. */
        tick(&x, INT64_MAX / 2);
    }
    report_drops(bound, unreported_drops, n);
    publish(&pub, stats);
    /* Whatever stopped the loop, what was detected and counted is stored. */
    int crc = ts_cwriter_counters(x.writer, dec);
    int wrc = ts_cwriter_finish(x.writer); /* hands over the open batch too */
    if (rc == 0)
        rc = x.error < 0 ? x.error : crc < 0 ? crc : wrc;
    free(bufs);
    ts_detector_free(x.det);
    ts_flow_decoder_free(dec);
close_fds:
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    return rc;
}
