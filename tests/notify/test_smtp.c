/* SPDX-License-Identifier: Apache-2.0 */
/* The SMTP reply parser (what the relay says decides sent, deferred or
 * failed), and the reply classes. Sending is tested against a real Postfix
 * in tests/integration/notify.sh and a scripted peer in test_outbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "notify/smtp.h"
#include "smtppeer.h"

static int feed(ts_smtp_parser_t *p, const char *line)
{
    return ts_smtp_parser_line(p, line, strlen(line));
}

static void test_bad_lines(void **state)
{
    static const char *const bad[] = {"",         "25",        "2500 x", "abc ok", "250x",
                                      "650 nope", "150 early", "25 0",   " 250 ok"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_smtp_parser_t p;
        ts_smtp_parser_init(&p);
        if (feed(&p, bad[i]) != TS_ESYNTAX)
            fail_msg("accepted: '%s'", bad[i]);
        assert_true(p.bad);
    }
    /* A continuation followed by another code. */
    ts_smtp_parser_t p;
    ts_smtp_parser_init(&p);
    assert_int_equal(feed(&p, "250-first\r\n"), 0);
    assert_int_equal(feed(&p, "550 second\r\n"), TS_ESYNTAX);
}

static void test_replies(void **state)
{
    ts_smtp_parser_t p;
    ts_smtp_parser_init(&p);
    assert_int_equal(feed(&p, "250 2.0.0 Ok: queued as 4F2A1\r\n"), 1);
    assert_int_equal(p.cur.code, 250);
    assert_string_equal(p.cur.status, "2.0.0");
    assert_string_equal(p.cur.text, "Ok: queued as 4F2A1");
    /* Multi-line: the texts are joined; control characters become '?'. */
    assert_int_equal(feed(&p, "250-relay.example\r\n"), 0);
    assert_int_equal(feed(&p, "250-PIPELINING\r\n"), 0);
    assert_int_equal(feed(&p, "250 STARTTLS\x01\r\n"), 1);
    assert_string_equal(p.cur.text, "relay.example PIPELINING STARTTLS?");
    assert_string_equal(p.cur.status, "");
    /* An enhanced code must match the reply's class to count as one. */
    assert_int_equal(feed(&p, "550 5.1.1 <x@example.org>: User unknown\r\n"), 1);
    assert_string_equal(p.cur.status, "5.1.1");
    assert_int_equal(feed(&p, "450 2.0.0 odd\r\n"), 1);
    assert_string_equal(p.cur.status, "");
    assert_int_equal(feed(&p, "221"), 1);
    assert_int_equal(p.cur.code, 221);
    assert_string_equal(p.cur.text, "");
    /* A very long text is cut, never overflows. */
    char longl[2000];
    memset(longl, 'x', sizeof longl);
    memcpy(longl, "250 ", 4);
    assert_int_equal(ts_smtp_parser_line(&p, longl, sizeof longl), 1);
    assert_int_equal(strlen(p.cur.text), TS_SMTP_TEXT_MAX - 1);
}

static void test_classes(void **state)
{
    assert_int_equal(ts_smtp_class(250), TS_SMTP_OK);
    assert_int_equal(ts_smtp_class(354), TS_SMTP_OK);
    assert_int_equal(ts_smtp_class(421), TS_SMTP_TEMP);
    assert_int_equal(ts_smtp_class(450), TS_SMTP_TEMP);
    assert_int_equal(ts_smtp_class(0), TS_SMTP_TEMP);
    assert_int_equal(ts_smtp_class(550), TS_SMTP_PERM);
    assert_int_equal(ts_smtp_class(554), TS_SMTP_PERM);
}

/* No relay listening: a temporary failure with the reason, never a crash. */
static void test_no_relay(void **state)
{
    ts_smtp_opts_t o = {.url = "smtp://127.0.0.1:1", .timeout_ms = 5000};
    ts_smtp_reply_t r;
    ts_smtp_t *s = ts_smtp_open(&o);
    assert_int_equal(ts_smtp_send(s, "a@example.org", "b@example.org", "x\r\n", 3, NULL, NULL, &r),
                     TS_SMTP_TEMP);
    ts_smtp_close(s);
    assert_int_equal(r.code, 0);
    assert_true(r.text[0] != '\0');
}

struct dot {
    int calls, answer;
    size_t seen_by_peer; /* messages the peer had accepted when it ran */
    sp_t *peer;
};

static int before_dot(void *ctx)
{
    struct dot *d = ctx;
    d->calls++;
    d->seen_by_peer = sp_count(d->peer);
    return d->answer;
}

/* before_dot runs once per mail, before the relay can have it; when it
 * fails the relay never gets the end of the data. One connection serves
 * several mails. */
static void test_before_dot(void **state)
{
    sp_t peer;
    assert_int_equal(sp_start(&peer), 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%u", peer.port);
    ts_smtp_opts_t o = {.url = url, .timeout_ms = 10000};
    ts_smtp_t *s = ts_smtp_open(&o);
    /* A message larger than libcurl's upload buffer, so that it is read in
     * several pieces. */
    size_t len = 300000;
    char *msg = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        msg[i] = i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'x';
    msg[len - 2] = '\r';
    msg[len - 1] = '\n';
    struct dot d = {.answer = -1, .peer = &peer};
    ts_smtp_reply_t r;
    assert_int_equal(
        ts_smtp_send(s, "a@example.org", "b@example.org", msg, len, before_dot, &d, &r),
        TS_SMTP_TEMP);
    assert_int_equal(d.calls, 1);
    assert_int_equal(r.code, 0);
    assert_int_equal(sp_count(&peer), 0);
    d = (struct dot){.answer = 0, .peer = &peer};
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            ts_smtp_send(s, "a@example.org", "b@example.org", msg, len, before_dot, &d, &r),
            TS_SMTP_OK);
    assert_int_equal(d.calls, 3);
    assert_int_equal(r.code, 250);
    assert_int_equal(sp_count(&peer), 3);
    assert_int_equal(strlen(peer.got[2]), len);
    ts_smtp_close(s);
    free(msg);
    sp_stop(&peer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_lines),  cmocka_unit_test(test_replies),
        cmocka_unit_test(test_classes),    cmocka_unit_test(test_no_relay),
        cmocka_unit_test(test_before_dot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
