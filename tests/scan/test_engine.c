/* SPDX-License-Identifier: Apache-2.0 */
/* The engine against listeners of this process on a loopback address of its
 * own (127.x.y.1 from the PID, so that tests running at once do not meet):
 * exactly the open ports, every port once, in a random order that the seed
 * changes, the rate limits, cancel, UDP answers and ICMP unreachable, and SYN
 * mode when the process may open a raw socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "scan/engine.h"
#include "scan/udp.h"

#define MAXR 4096

struct seen {
    uint16_t port[MAXR];
    ts_port_state_t state[MAXR];
    size_t n;
    size_t data_len[MAXR];
    uint64_t progress_calls;
    ts_eng_progress_t last;
    atomic_bool *cancel_at_first;
};

static void on_result(void *ctx, size_t host, uint16_t port, ts_port_state_t state, uint32_t rtt_us,
                      const uint8_t *data, size_t len)
{
    struct seen *s = ctx;
    assert_int_equal(host, 0);
    assert_true(rtt_us > 0);
    if (s->n < MAXR) {
        s->port[s->n] = port;
        s->state[s->n] = state;
        s->data_len[s->n] = len;
        s->n++;
    }
    if (s->cancel_at_first)
        atomic_store(s->cancel_at_first, true);
}

static void on_progress(void *ctx, const ts_eng_progress_t *p)
{
    struct seen *s = ctx;
    s->progress_calls++;
    s->last = *p;
}

static ts_ip_t self_ip;

static int setup(void **state)
{
    (void)state;
    pid_t pid = getpid();
    char a[32];
    snprintf(a, sizeof a, "127.%u.%u.1", (unsigned)(pid >> 8) & 255, (unsigned)pid & 255);
    assert_int_equal(ts_ip_parse(a, strlen(a), &self_ip), 0);
    return 0;
}

static int listen_on(int type, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    memcpy(&sa.sin_addr, self_ip.bytes, 4);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    if (type == SOCK_STREAM)
        assert_int_equal(listen(fd, 128), 0);
    return fd;
}

static void opts(ts_eng_opts_t *o, struct seen *s)
{
    ts_eng_opts_init(o);
    o->on_result = on_result;
    o->on_progress = on_progress;
    o->ctx = s;
}

static void test_invalid(void **state)
{
    (void)state;
    ts_eng_opts_t o;
    ts_eng_opts_init(&o);
    uint16_t p = 1;
    assert_int_equal(ts_eng_run(&self_ip, 1, &p, 1, &o), TS_EINVAL); /* no callback */
    struct seen s = {0};
    opts(&o, &s);
    ts_ip_t none = {0};
    assert_int_equal(ts_eng_run(&none, 1, &p, 1, &o), TS_EINVAL);
    assert_int_equal(ts_eng_run(&self_ip, 0, &p, 1, &o), 0); /* nothing to do */
    assert_int_equal(s.n, 0);
}

/* Ports 40000-40199, three of them open. */
static void connect_scan(uint64_t seed, uint32_t max_inflight, struct seen *s, int *fds)
{
    static const uint16_t open_ports[3] = {40007, 40100, 40199};
    for (int i = 0; i < 3; i++) {
        fds[i] = listen_on(SOCK_STREAM, open_ports[i]);
        assert_true(fds[i] >= 0);
    }
    uint16_t ports[200];
    for (int i = 0; i < 200; i++)
        ports[i] = (uint16_t)(40000 + i);
    ts_eng_opts_t o;
    opts(&o, s);
    o.seed = seed;
    o.max_inflight = max_inflight;
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 200, &o), 0);
}

static void test_connect(void **state)
{
    (void)state;
    struct seen a = {0}, b = {0};
    int fds[3];
    connect_scan(1, 1, &a, fds);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    connect_scan(2, 1, &b, fds);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    /* Every port answered once; exactly the listening ones are open. */
    assert_int_equal(a.n, 200);
    uint8_t count[200] = {0};
    size_t open = 0, ascending = 0, same = 0;
    for (size_t i = 0; i < a.n; i++) {
        count[a.port[i] - 40000]++;
        if (a.state[i] == TS_PORT_OPEN) {
            open++;
            assert_true(a.port[i] == 40007 || a.port[i] == 40100 || a.port[i] == 40199);
        }
        if (i && a.port[i] == a.port[i - 1] + 1)
            ascending++;
        same += a.port[i] == b.port[i];
    }
    for (int i = 0; i < 200; i++)
        assert_int_equal(count[i], 1);
    assert_int_equal(open, 3);
    /* One probe at a time: answers come in send order, which is shuffled,
     * and another seed shuffles it otherwise. */
    assert_true(ascending < 20);
    assert_true(same < 20);
    assert_int_equal(a.last.total, 200);
    assert_int_equal(a.last.done, 200);
    assert_int_equal(a.last.open, 3);
    /* Round trips on loopback are far below the floor: the timeout is the floor. */
    assert_int_equal(a.last.timeout_us, 200000);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_rates(void **state)
{
    (void)state;
    uint16_t ports[60];
    for (int i = 0; i < 60; i++)
        ports[i] = (uint16_t)(41000 + i);
    struct seen s = {0};
    ts_eng_opts_t o;
    opts(&o, &s);
    o.rate = 200; /* 60 probes: 0.3 s at the least (less the first 20 ms burst) */
    double t0 = now_s();
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 60, &o), 0);
    double took = now_s() - t0;
    assert_int_equal(s.n, 60);
    assert_true(took >= 0.2);
    memset(&s, 0, sizeof s);
    o.rate = 0;
    o.host_rate = 100; /* 60 probes to one host: 0.59 s at the least */
    t0 = now_s();
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 60, &o), 0);
    took = now_s() - t0;
    assert_int_equal(s.n, 60);
    assert_true(took >= 0.55);
}

static void test_cancel(void **state)
{
    (void)state;
    uint16_t ports[500];
    for (int i = 0; i < 500; i++)
        ports[i] = (uint16_t)(42000 + i);
    atomic_bool cancel;
    atomic_init(&cancel, false);
    struct seen s = {.cancel_at_first = &cancel};
    ts_eng_opts_t o;
    opts(&o, &s);
    o.cancel = &cancel;
    o.max_inflight = 4;
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 500, &o), TS_EINTR);
    assert_true(s.n < 500);
}

static void test_udp(void **state)
{
    (void)state;
    /* An answering "NTP server" on 123 (a privileged port: skipped without
     * root), and 161 closed: ICMP port unreachable. */
    int fd = listen_on(SOCK_DGRAM, 123);
    if (fd < 0) {
        skip();
        return;
    }
    uint16_t ports[3] = {123, 161, 22};
    struct seen s = {0};
    ts_eng_opts_t o;
    opts(&o, &s);
    o.mode = TS_ENG_UDP;
    o.retries = 0;
    o.max_timeout_ms = 1000;
    /* The server answers from a thread-free loop: one datagram, one answer. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(10); /* never outlives a failing test */
        uint8_t buf[512];
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n > 0) {
            buf[0] = 0x24; /* mode 4 */
            sendto(fd, buf, 48, 0, (struct sockaddr *)&from, fl);
        }
        _exit(0);
    }
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 3, &o), 0);
    close(fd);
    int st;
    waitpid(child, &st, 0);
    bool ntp = false, snmp_closed = false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.port[i] == 123 && s.state[i] == TS_PORT_OPEN && s.data_len[i] == 48)
            ntp = true;
        if (s.port[i] == 161 && s.state[i] == TS_PORT_CLOSED)
            snmp_closed = true;
        assert_true(s.port[i] != 22); /* no probe for it: nothing sent */
    }
    assert_true(ntp);
    assert_true(snmp_closed);
    assert_int_equal(s.last.done, 3);
}

static void test_syn(void **state)
{
    (void)state;
    if (!ts_eng_can_syn()) {
        skip(); /* no CAP_NET_RAW */
        return;
    }
    int fd = listen_on(SOCK_STREAM, 43005);
    uint16_t ports[20];
    for (int i = 0; i < 20; i++)
        ports[i] = (uint16_t)(43000 + i);
    struct seen s = {0};
    ts_eng_opts_t o;
    opts(&o, &s);
    o.mode = TS_ENG_SYN;
    assert_int_equal(ts_eng_run(&self_ip, 1, ports, 20, &o), 0);
    close(fd);
    size_t open = 0, closed = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.state[i] == TS_PORT_OPEN) {
            open++;
            assert_int_equal(s.port[i], 43005);
        } else {
            closed++;
        }
    }
    assert_int_equal(open, 1);
    assert_int_equal(closed, 19);
    ts_ip_t v6;
    assert_int_equal(ts_ip_parse("::1", 3, &v6), 0);
    assert_int_equal(ts_eng_run(&v6, 1, ports, 1, &o), TS_ENOTSUP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid), cmocka_unit_test(test_connect),
        cmocka_unit_test(test_rates),   cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_udp),     cmocka_unit_test(test_syn),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
