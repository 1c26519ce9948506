/* SPDX-License-Identifier: Apache-2.0 */
/* whois queries and answers (whois.h). */
#include "directory/whois.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The value of "key: value" when line (n bytes) starts with key (case
 * ignored), trimmed, into out; false when it does not. */
static bool attr(const char *line, size_t n, const char *key, char *out, size_t size)
{
    size_t k = strlen(key);
    if (n <= k || strncasecmp(line, key, k) != 0)
        return false;
    const char *v = line + k, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    size_t len = (size_t)(end - v);
    if (len == 0 || len >= size)
        return false;
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

/* src into dst (size bytes), cut to fit: answers are not trusted to be short. */
static void cut(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void take_email(ts_whois_answer_t *a, const char *v)
{
    if (a->email[0] == '\0' && ts_addr_check(v, strlen(v), NULL, NULL, 0) == 0)
        snprintf(a->email, sizeof a->email, "%s", v);
}

/* "whois://host:port", "host:port", "rwhois://..." (not followed), "host". */
static void take_referral(ts_whois_answer_t *a, const char *v)
{
    if (strncmp(v, "rwhois://", 9) == 0 || a->refer_host[0])
        return;
    if (strncmp(v, "whois://", 8) == 0)
        v += 8;
    char host[TS_WHOIS_HOST_MAX];
    cut(host, sizeof host, v);
    host[strcspn(host, "/")] = '\0';
    int port = 43;
    char *colon = strrchr(host, ':');
    if (colon && strchr(host, ':') == colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p <= 0 || p > 65535)
            return;
        port = (int)p;
        *colon = '\0';
    }
    if (host[0] == '\0' || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789.-") != strlen(host))
        return;
    snprintf(a->refer_host, sizeof a->refer_host, "%s", host);
    a->refer_port = port;
}

/* "% Abuse contact for '192.0.2.0 - 192.0.2.255' is 'abuse@example.net'" */
static void abuse_comment(ts_whois_answer_t *a, const char *line, size_t n)
{
    static const char tag[] = "Abuse contact for ";
    const char *p = line;
    while (p < line + n && (*p == '%' || *p == '#' || *p == ' '))
        p++;
    if ((size_t)(line + n - p) < sizeof tag || strncmp(p, tag, sizeof tag - 1) != 0)
        return;
    const char *is = NULL;
    for (const char *q = p; q + 5 <= line + n; q++)
        if (memcmp(q, "' is '", 6) == 0)
            is = q + 6;
    if (is == NULL)
        return;
    const char *end = memchr(is, '\'', (size_t)(line + n - is));
    if (end == NULL || end == is || (size_t)(end - is) >= TS_ADDR_MAX)
        return;
    char v[TS_ADDR_MAX + 1];
    memcpy(v, is, (size_t)(end - is));
    v[end - is] = '\0';
    take_email(a, v);
}

int ts_whois_parse(const char *text, size_t len, ts_whois_answer_t *out)
{
    static const char *const abuse_keys[] = {
        "abuse-mailbox:", "OrgAbuseEmail:", "Registrar Abuse Contact Email:",
        "abuse-email:",   "e-mail:", /* LACNIC: only under an abuse-c block; see below */
    };
    static const char *const object_keys[] = {"inetnum:", "inet6num:", "NetRange:",    "CIDR:",
                                              "aut-num:", "ASNumber:", "Domain Name:", "domain:"};
    memset(out, 0, sizeof *out);
    out->refer_port = 43;
    char v[512];
    bool in_abuse_block = false;
    size_t i = 0;
    while (i < len) {
        const char *line = text + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += n + 1;
        if (n == 0 || (n == 1 && line[0] == '\r')) {
            in_abuse_block = false;
            continue;
        }
        if (memchr(line, '\0', n) != NULL || n >= sizeof v)
            continue; /* binary or absurd lines say nothing */
        if (line[0] == '%' || line[0] == '#') {
            abuse_comment(out, line, n);
            continue;
        }
        if (attr(line, n, "nic-hdl:", v, sizeof v) || attr(line, n, "role:", v, sizeof v))
            in_abuse_block = strcasestr(v, "abuse") != NULL;
        for (size_t k = 0; k < sizeof abuse_keys / sizeof abuse_keys[0]; k++)
            if ((k + 1 < sizeof abuse_keys / sizeof abuse_keys[0] || in_abuse_block) &&
                attr(line, n, abuse_keys[k], v, sizeof v))
                take_email(out, v);
        for (size_t k = 0; out->object[0] == '\0' && k < sizeof object_keys / sizeof object_keys[0];
             k++)
            if (attr(line, n, object_keys[k], v, sizeof v)) {
                cut(out->object, sizeof out->object, object_keys[k]);
                size_t o = strlen(out->object);
                out->object[o++] = ' ';
                cut(out->object + o, sizeof out->object - o, v);
            }
        if (attr(line, n, "ReferralServer:", v, sizeof v) || attr(line, n, "refer:", v, sizeof v) ||
            attr(line, n, "whois:", v, sizeof v) ||
            attr(line, n, "Registrar WHOIS Server:", v, sizeof v))
            take_referral(out, v);
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events before the deadline. */
static int wait_fd(int fd, short events, int64_t deadline, char *err, size_t errsize)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            snprintf(err, errsize, "timed out");
            return TS_ENET;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR) {
            snprintf(err, errsize, "poll: %s", strerror(errno));
            return TS_ENET;
        }
    }
}

static int connect_to(const char *host, int port, int64_t deadline, char *err, size_t errsize)
{
    char ps[8];
    snprintf(ps, sizeof ps, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int g = getaddrinfo(host, ps, &hints, &res);
    if (g != 0) {
        snprintf(err, errsize, "%s: %s", host, gai_strerror(g));
        return TS_ENET;
    }
    int fd = -1, r = TS_ENET;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        int e = errno;
        if (e == EINPROGRESS && wait_fd(fd, POLLOUT, deadline, err, errsize) == 0) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                break;
            e = soerr;
        }
        if (e != EINPROGRESS)
            snprintf(err, errsize, "%s:%d: %s", host, port, strerror(e));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        r = fd;
    return r;
}

int ts_whois_query(const char *host, int port, const char *query, int timeout_ms, size_t max,
                   ts_buf_t *out, char *err, size_t errsize)
{
    ts_buf_reset(out);
    if (host == NULL || *host == '\0' || query == NULL || *query == '\0' ||
        strpbrk(query, "\r\n") != NULL || strlen(query) > 512 || port <= 0 || port > 65535) {
        snprintf(err, errsize, "a bad whois query or server");
        return TS_EINVAL;
    }
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    int fd = connect_to(host, port, deadline, err, errsize);
    if (fd < 0)
        return fd;
    char line[520];
    int ll = snprintf(line, sizeof line, "%s\r\n", query);
    int r = 0;
    for (int sent = 0; r == 0 && sent < ll;) {
        ssize_t w = send(fd, line + sent, (size_t)(ll - sent), MSG_NOSIGNAL);
        if (w > 0)
            sent += (int)w;
        else if (w < 0 && (errno == EAGAIN || errno == EINTR))
            r = wait_fd(fd, POLLOUT, deadline, err, errsize);
        else {
            snprintf(err, errsize, "%s:%d: send: %s", host, port, strerror(errno));
            r = TS_ENET;
        }
    }
    char buf[8192];
    while (r == 0) {
        if ((r = wait_fd(fd, POLLIN, deadline, err, errsize)) != 0)
            break;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            snprintf(err, errsize, "%s:%d: recv: %s", host, port, strerror(errno));
            r = TS_ENET;
            break;
        }
        if (out->len + (size_t)n > max) {
            ts_buf_append(out, buf, max - out->len);
            snprintf(err, errsize, "%s:%d: the answer passed %zu bytes", host, port, max);
            r = TS_ETOOBIG;
            break;
        }
        ts_buf_append(out, buf, (size_t)n);
    }
    if (r == TS_ENET && strcmp(err, "timed out") == 0)
        snprintf(err, errsize, "%s:%d: no end of the answer within %d ms", host, port, timeout_ms);
    close(fd);
    return r;
}
