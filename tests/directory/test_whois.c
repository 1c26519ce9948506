/* SPDX-License-Identifier: Apache-2.0 */
/* whois: bad queries, refused connections, floods and answers that never end
 * first (a loopback server of the test's own), then the abuse attributes and
 * referrals of the registries' answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "directory/whois.h"

static int parse(const char *t, ts_whois_answer_t *a)
{
    return ts_whois_parse(t, strlen(t), a);
}

/* A server that answers one connection with `mode`: "flood" sends forever,
 * "silent" never answers nor closes, else sends the text and closes. */
struct srv {
    int fd, port;
    const char *mode;
    pthread_t th;
};

static void *serve(void *arg)
{
    struct srv *s = arg;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char q[256];
    (void)!recv(c, q, sizeof q, 0);
    if (strcmp(s->mode, "flood") == 0) {
        char buf[4096];
        memset(buf, 'x', sizeof buf);
        while (send(c, buf, sizeof buf, MSG_NOSIGNAL) > 0)
            ;
    } else if (strcmp(s->mode, "silent") == 0) {
        char b;
        (void)!recv(c, &b, 1, 0); /* until the client gives up */
    } else {
        (void)!send(c, s->mode, strlen(s->mode), MSG_NOSIGNAL);
    }
    close(c);
    return NULL;
}

static void start(struct srv *s, const char *mode)
{
    s->mode = mode;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->fd, 1), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sa, &sl), 0);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void stop(struct srv *s)
{
    pthread_join(s->th, NULL);
    close(s->fd);
}

static void test_query_refused(void **state)
{
    (void)state;
    ts_buf_t out = TS_BUF_INIT;
    char err[256];
    assert_int_equal(ts_whois_query("127.0.0.1", 43, "a\r\nb", 1000, 100, &out, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_whois_query("127.0.0.1", 0, "a", 1000, 100, &out, err, sizeof err),
                     TS_EINVAL);
    assert_int_equal(ts_whois_query("", 43, "a", 1000, 100, &out, err, sizeof err), TS_EINVAL);
    /* A port nobody listens on. */
    struct srv s;
    start(&s, "x");
    int port = s.port;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)port)};
    assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof sa), 0);
    (void)!send(c, "q\r\n", 3, 0);
    close(c);
    stop(&s);
    assert_int_equal(ts_whois_query("127.0.0.1", port, "a", 1000, 100, &out, err, sizeof err),
                     TS_ENET);
    ts_buf_free(&out);
}

static void test_flood_and_silence(void **state)
{
    (void)state;
    ts_buf_t out = TS_BUF_INIT;
    char err[256];
    struct srv s;
    start(&s, "flood");
    assert_int_equal(ts_whois_query("127.0.0.1", s.port, "q", 10000, 65536, &out, err, sizeof err),
                     TS_ETOOBIG);
    assert_int_equal(out.len, 65536);
    stop(&s);
    start(&s, "silent");
    time_t t0 = time(NULL);
    assert_int_equal(ts_whois_query("127.0.0.1", s.port, "q", 500, 65536, &out, err, sizeof err),
                     TS_ENET);
    assert_non_null(strstr(err, "no end"));
    assert_true(time(NULL) - t0 < 30);
    stop(&s);
    start(&s, "OrgAbuseEmail: abuse@a.example\n");
    assert_int_equal(ts_whois_query("127.0.0.1", s.port, "q", 10000, 65536, &out, err, sizeof err),
                     0);
    stop(&s);
    ts_whois_answer_t a;
    assert_int_equal(ts_whois_parse(out.data, out.len, &a), 0);
    assert_string_equal(a.email, "abuse@a.example");
    ts_buf_free(&out);
}

static void test_parse(void **state)
{
    (void)state;
    ts_whois_answer_t a;
    /* Nothing useful, bad addresses, binary lines: no answer, no error. */
    assert_int_equal(parse("", &a), 0);
    assert_string_equal(a.email, "");
    assert_int_equal(parse("abuse-mailbox: not an address\nOrgAbuseEmail: @\n", &a), 0);
    assert_string_equal(a.email, "");
    assert_int_equal(ts_whois_parse("abuse-mailbox: a\0@b.example\n", 28, &a), 0);
    assert_string_equal(a.email, "");
    /* e-mail counts only inside an abuse role. */
    assert_int_equal(parse("nic-hdl: TECH1\ne-mail: tech@x.example\n", &a), 0);
    assert_string_equal(a.email, "");
    assert_int_equal(parse("nic-hdl: ABUSE-X\ne-mail: abuse@x.example\n", &a), 0);
    assert_string_equal(a.email, "abuse@x.example");
    /* RIPE. */
    assert_int_equal(parse("% Abuse contact for '192.0.2.0 - 192.0.2.255' is "
                           "'abuse@ripe.example'\n\ninetnum: 192.0.2.0 - 192.0.2.255\n",
                           &a),
                     0);
    assert_string_equal(a.email, "abuse@ripe.example");
    assert_string_equal(a.object, "inetnum: 192.0.2.0 - 192.0.2.255");
    /* ARIN with a referral. */
    assert_int_equal(parse("NetRange: 192.0.2.0 - 192.0.2.255\r\nReferralServer: "
                           "whois://whois.example.net:4343\r\n",
                           &a),
                     0);
    assert_string_equal(a.refer_host, "whois.example.net");
    assert_int_equal(a.refer_port, 4343);
    assert_string_equal(a.object, "NetRange: 192.0.2.0 - 192.0.2.255");
    /* IANA, rwhois (not followed), a bad port. */
    assert_int_equal(parse("refer: whois.ripe.net\n", &a), 0);
    assert_string_equal(a.refer_host, "whois.ripe.net");
    assert_int_equal(a.refer_port, 43);
    assert_int_equal(parse("ReferralServer: rwhois://r.example:4321\n", &a), 0);
    assert_string_equal(a.refer_host, "");
    assert_int_equal(parse("refer: x.example:99999\n", &a), 0);
    assert_string_equal(a.refer_host, "");
    assert_int_equal(parse("refer: x y\n", &a), 0);
    assert_string_equal(a.refer_host, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_refused),
        cmocka_unit_test(test_flood_and_silence),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
