/* SPDX-License-Identifier: Apache-2.0 */
/* A scripted SMTP peer for unit tests of the sender: one thread on
 * 127.0.0.1 (a free port), one connection at a time, answering RCPT and the
 * end of DATA with the codes the test set, and keeping every message it
 * accepted. The real relay (Postfix) is in tests/integration/notify.sh. */
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SP_MAX 64

typedef struct sp {
    int fd;
    unsigned port;
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t mu;
    int rcpt_code; /* answer to RCPT (250, 450, 550) */
    int data_code; /* answer to the end of DATA */
    char *got[SP_MAX];
    size_t n_got;
} sp_t;

static void sp_say(int c, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(c, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* One line (CRLF stripped) into line; false at the end of the connection. */
static bool sp_line(int c, char *line, size_t size)
{
    size_t n = 0;
    for (;;) {
        char ch;
        if (read(c, &ch, 1) != 1)
            return false;
        if (ch == '\n')
            break;
        if (ch != '\r' && n + 1 < size)
            line[n++] = ch;
    }
    line[n] = '\0';
    return true;
}

static void sp_session(sp_t *p, int c)
{
    char line[4096], reply[64];
    sp_say(c, "220 peer.test ESMTP\r\n");
    while (sp_line(c, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
            sp_say(c, "250-peer.test\r\n250 8BITMIME\r\n");
        } else if (strncasecmp(line, "MAIL", 4) == 0) {
            sp_say(c, "250 2.1.0 Ok\r\n");
        } else if (strncasecmp(line, "RCPT", 4) == 0) {
            pthread_mutex_lock(&p->mu);
            int code = p->rcpt_code;
            pthread_mutex_unlock(&p->mu);
            snprintf(reply, sizeof reply, "%d %d.1.1 rcpt\r\n", code, code / 100);
            sp_say(c, reply);
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            sp_say(c, "354 go ahead\r\n");
            size_t cap = 1 << 16, n = 0;
            char *msg = malloc(cap);
            bool end = false;
            while (sp_line(c, line, sizeof line) && !(end = strcmp(line, ".") == 0)) {
                size_t k = strlen(line);
                if (n + k + 3 > cap)
                    msg = realloc(msg, cap *= 2);
                memcpy(msg + n, line, k);
                n += k;
                msg[n++] = '\r';
                msg[n++] = '\n';
            }
            msg[n] = '\0';
            if (!end) { /* the connection ended inside the data: discarded */
                free(msg);
                break;
            }
            pthread_mutex_lock(&p->mu);
            int code = p->data_code;
            if (code / 100 == 2 && p->n_got < SP_MAX)
                p->got[p->n_got++] = msg;
            else
                free(msg);
            pthread_mutex_unlock(&p->mu);
            snprintf(reply, sizeof reply, "%d %d.0.0 %s\r\n", code, code / 100,
                     code / 100 == 2 ? "Ok: queued as 1A2B" : "no");
            sp_say(c, reply);
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            sp_say(c, "221 2.0.0 Bye\r\n");
            break;
        } else {
            sp_say(c, "250 Ok\r\n");
        }
    }
}

static void *sp_main(void *arg)
{
    sp_t *p = arg;
    while (!atomic_load(&p->stop)) {
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            continue;
        sp_session(p, c);
        close(c);
    }
    return NULL;
}

static inline int sp_start(sp_t *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->rcpt_code = 250;
    p->data_code = 250;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->fd, 8) != 0 ||
        getsockname(p->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    p->port = ntohs(a.sin_port);
    return pthread_create(&p->thread, NULL, sp_main, p) == 0 ? 0 : -1;
}

static inline void sp_codes(sp_t *p, int rcpt, int data)
{
    pthread_mutex_lock(&p->mu);
    p->rcpt_code = rcpt;
    p->data_code = data;
    pthread_mutex_unlock(&p->mu);
}

static inline size_t sp_count(sp_t *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->n_got;
    pthread_mutex_unlock(&p->mu);
    return n;
}

static inline void sp_stop(sp_t *p)
{
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    close(p->fd);
    for (size_t i = 0; i < p->n_got; i++)
        free(p->got[i]);
    pthread_mutex_destroy(&p->mu);
}
