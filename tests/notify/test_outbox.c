/* SPDX-License-Identifier: Apache-2.0 */
/* Sending the outbox against a scripted SMTP peer, on both backends: 2xx
 * sent, 4xx deferred with backoff, 5xx failed with the relay's answer,
 * quiet hours, per-domain rate limits, retry; and every state a crash can
 * leave (SENDING before and after the end of the data), resolved without a
 * second send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "core/metrics.h"
#include "notify/contact.h"
#include "notify/outbox.h"
#include "smtppeer.h"
#include "store/notifystore.h"
#include "testutil.h"
#include "ttstore.h"

#define MIN (INT64_C(60) * 1000000)
/* Saturday 2026-12-12 10:00 UTC, and the Monday after, 08:00. */
#define SATURDAY (INT64_C(1797069600) * 1000000)
#define MONDAY_8 (INT64_C(1797235200) * 1000000)

typedef struct fx {
    char *dir;
    char loc[512];
    ts_store_t *st;
    int64_t a, b, ca, cb;
    sp_t peer;
    char url[64];
    ts_outbox_opts_t o;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    char err[256];
    if (tt_store_fresh(f->dir, "o.db", f->loc, sizeof f->loc) != 0 ||
        ts_store_open(f->loc, &f->st) != 0 || ts_store_site_add(f->st, "site-a", 0, NULL, &f->a) ||
        ts_store_site_add(f->st, "site-b", 0, NULL, &f->b) ||
        ts_contact_put(
            f->st, f->a, 0,
            &(ts_contact_in_t){.email = "soc@site-a.test", .hours = "Mon-Fri 08:00-17:00"},
            ts_time_now(), &f->ca, err, sizeof err) ||
        ts_contact_put(f->st, f->b, 0, &(ts_contact_in_t){.email = "soc@site-b.test"},
                       ts_time_now(), &f->cb, err, sizeof err) ||
        sp_start(&f->peer) != 0)
        return -1;
    snprintf(f->url, sizeof f->url, "smtp://127.0.0.1:%u", f->peer.port);
    f->o = (ts_outbox_opts_t){.smtp = {.url = f->url, .timeout_ms = 10000},
                              .from = "csirt@csirt.test"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    sp_stop(&f->peer);
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static int64_t queue(fx_t *f, int64_t site, int64_t contact, const char *msgid, bool urgent)
{
    const char *rcpt = site == f->a ? "soc@site-a.test" : "soc@site-b.test";
    char data[256];
    snprintf(data, sizeof data, "Message-ID: %s\r\nSubject: t\r\n\r\nbody of %s\r\n", msgid, msgid);
    ts_out_rec_t o = {.site_id = site,
                      .contact_id = contact,
                      .message_id = msgid,
                      .rcpt = rcpt,
                      .domain = strchr(rcpt, '@') + 1,
                      .subject = "t",
                      .kind = "immediate",
                      .urgent = urgent,
                      .data = data,
                      .len = strlen(data),
                      .next_attempt = 1};
    int64_t id = 0;
    assert_int_equal(ts_store_out_add(f->st, &o, &id), 0);
    return id;
}

struct one {
    int64_t id;
    ts_out_rec_t o;
    char reply[600];
};

static int find(const ts_out_rec_t *o, void *ctx)
{
    struct one *x = ctx;
    if (o->id == x->id) {
        x->o = *o;
        snprintf(x->reply, sizeof x->reply, "%s", o->last_reply);
        x->o.last_reply = x->reply;
        x->o.data = NULL;
    }
    return 0;
}

static ts_out_rec_t get(fx_t *f, int64_t id)
{
    static struct one x;
    memset(&x, 0, sizeof x);
    x.id = id;
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, find, &x), 0);
    assert_true(x.o.id == id);
    return x.o;
}

static ts_outbox_stats_t send_at(fx_t *f, int64_t now)
{
    ts_outbox_stats_t s = {0};
    assert_int_equal(ts_outbox_send_due(f->st, &f->o, now, NULL, &s), 0);
    return s;
}

static void test_answers(void **state)
{
    fx_t *f = *state;
    int64_t now = ts_time_now();
    /* The counters /metrics shows (registering again gives the same series). */
    ts_metric_t *sent = ts_metrics_counter("tocsin_notify_mails_sent_total", "", NULL);
    ts_metric_t *failed = ts_metrics_counter("tocsin_notify_mails_failed_total", "", NULL);
    uint64_t sent0 = ts_metric_value(sent), failed0 = ts_metric_value(failed);
    /* 250: sent, with the relay's answer. */
    int64_t m1 = queue(f, f->b, f->cb, "<1@csirt.test>", false);
    ts_outbox_stats_t s = send_at(f, now);
    assert_int_equal(s.sent, 1);
    ts_out_rec_t o = get(f, m1);
    assert_int_equal(o.state, TS_OUT_SENT);
    assert_int_equal(o.attempts, 1);
    assert_string_equal(o.last_reply, "250 2.0.0 Ok: queued as 1A2B");
    assert_true(o.dot_at > 0 && o.sent_at >= o.dot_at);
    assert_int_equal(sp_count(&f->peer), 1);
    assert_non_null(strstr(f->peer.got[0], "Message-ID: <1@csirt.test>\r\n"));
    /* 450 at RCPT: deferred, a minute, then two. */
    sp_codes(&f->peer, 450, 250);
    int64_t m2 = queue(f, f->b, f->cb, "<2@csirt.test>", false);
    s = send_at(f, now);
    assert_int_equal(s.deferred, 1);
    o = get(f, m2);
    assert_int_equal(o.state, TS_OUT_DEFERRED);
    assert_true(o.next_attempt >= now + MIN && o.next_attempt < now + 2 * MIN);
    assert_non_null(strstr(o.last_reply, "450 4.1.1"));
    assert_int_equal(send_at(f, now + 30000000).deferred, 0); /* not due yet */
    s = send_at(f, o.next_attempt);
    assert_int_equal(s.deferred, 1);
    o = get(f, m2);
    assert_int_equal(o.attempts, 2);
    assert_true(o.next_attempt >= ts_time_now() + 2 * MIN - 5000000);
    /* 550: failed at once, and shown. */
    sp_codes(&f->peer, 550, 250);
    int64_t m3 = queue(f, f->b, f->cb, "<3@csirt.test>", false);
    s = send_at(f, now);
    assert_int_equal(s.failed, 1);
    o = get(f, m3);
    assert_int_equal(o.state, TS_OUT_FAILED);
    assert_string_equal(o.last_reply, "550 5.1.1 rcpt");
    assert_int_equal(ts_metric_value(sent) - sent0, 1);
    assert_int_equal(ts_metric_value(failed) - failed0, 1);
    /* A 4xx after the data is deferred too; too many attempts fail. */
    sp_codes(&f->peer, 250, 451);
    f->o.max_attempts = 3;
    s = send_at(f, INT64_MAX / 2);
    o = get(f, m2);
    assert_int_equal(o.state, TS_OUT_FAILED);
    assert_int_equal(o.attempts, 3);
    assert_int_equal(sp_count(&f->peer), 1);
    /* Retry by hand: queued again, attempts from 0; another site cannot. */
    size_t n = 0;
    assert_int_equal(ts_outbox_retry(f->st, f->a, m3, &n), TS_ENOENT);
    assert_int_equal(ts_outbox_retry(f->st, f->b, m3, &n), 0);
    assert_int_equal(n, 1);
    o = get(f, m3);
    assert_int_equal(o.state, TS_OUT_QUEUED);
    assert_int_equal(o.attempts, 0);
    sp_codes(&f->peer, 250, 250);
    assert_int_equal(send_at(f, ts_time_now()).sent, 1);
    assert_int_equal(sp_count(&f->peer), 2);
}

/* Nobody answers: deferred with the reason. */
/* A mail to someone outside the constituency (a directory team): site 0 and
 * contact 0, listed with every site's mails, sent at any hour. */
static void test_outside_constituency(void **state)
{
    fx_t *f = *state;
    const char *data = "Message-ID: <o1@csirt.test>\r\nSubject: t\r\n\r\nbody\r\n";
    ts_out_rec_t o = {.site_id = 0,
                      .contact_id = 7,
                      .message_id = "<o1@csirt.test>",
                      .rcpt = "cert@team.test",
                      .domain = "team.test",
                      .subject = "t",
                      .kind = "verify",
                      .data = data,
                      .len = strlen(data),
                      .next_attempt = 1};
    int64_t id = 0;
    /* Site 0 names nobody's contact. */
    assert_int_equal(ts_store_out_add(f->st, &o, &id), TS_EINVAL);
    o.contact_id = 0;
    assert_int_equal(ts_store_out_add(f->st, &o, &id), 0);
    assert_int_equal(get(f, id).state, TS_OUT_QUEUED);
    ts_outbox_stats_t s = send_at(f, ts_time_now());
    assert_int_equal(s.sent, 1);
    assert_int_equal(get(f, id).state, TS_OUT_SENT);
    assert_int_equal(get(f, id).site_id, 0);
}

static void test_no_relay(void **state)
{
    fx_t *f = *state;
    f->o.smtp.url = "smtp://127.0.0.1:1";
    int64_t m = queue(f, f->b, f->cb, "<n@csirt.test>", false);
    ts_outbox_stats_t s = send_at(f, ts_time_now());
    assert_int_equal(s.deferred, 1);
    ts_out_rec_t o = get(f, m);
    assert_int_equal(o.state, TS_OUT_DEFERRED);
    assert_true(o.last_reply[0] != '\0');
    assert_true(o.dot_at == 0);
}

/* Quiet hours hold what is not urgent; rate limits per domain. */
static void test_hours_and_rates(void **state)
{
    fx_t *f = *state;
    int64_t quiet = queue(f, f->a, f->ca, "<q@csirt.test>", false);
    int64_t urgent = queue(f, f->a, f->ca, "<u@csirt.test>", true);
    ts_outbox_stats_t s = send_at(f, SATURDAY);
    assert_int_equal(s.sent, 1);
    assert_int_equal(s.held, 1);
    ts_out_rec_t o = get(f, quiet);
    assert_int_equal(o.state, TS_OUT_QUEUED);
    assert_int_equal(o.attempts, 0);
    assert_true(o.next_attempt == MONDAY_8);
    assert_int_equal(get(f, urgent).state, TS_OUT_SENT);
    assert_int_equal(send_at(f, MONDAY_8 - MIN).sent, 0);
    assert_int_equal(send_at(f, MONDAY_8).sent, 1);
    assert_int_equal(get(f, quiet).state, TS_OUT_SENT);
    assert_int_equal(sp_count(&f->peer), 2);
    /* At most one mail per hour to site-b.test: the second waits a minute. */
    f->o.rate_per_hour = 1;
    int64_t now = ts_time_now();
    int64_t r1 = queue(f, f->b, f->cb, "<r1@csirt.test>", false);
    int64_t r2 = queue(f, f->b, f->cb, "<r2@csirt.test>", false);
    s = send_at(f, now);
    assert_int_equal(s.sent, 1);
    assert_int_equal(s.held, 1);
    assert_int_equal(get(f, r1).state, TS_OUT_SENT);
    o = get(f, r2);
    assert_int_equal(o.state, TS_OUT_QUEUED);
    assert_true(o.next_attempt == now + MIN);
    assert_int_equal(sp_count(&f->peer), 3);
}

/* The contact was removed before its mail went: it never goes. */
static void test_contact_removed(void **state)
{
    fx_t *f = *state;
    int64_t m = queue(f, f->b, f->cb, "<r@csirt.test>", true);
    assert_int_equal(ts_store_ncontact_remove(f->st, f->b, f->cb), 0);
    assert_int_equal(send_at(f, ts_time_now()).failed, 1);
    assert_int_equal(get(f, m).state, TS_OUT_FAILED);
    assert_int_equal(sp_count(&f->peer), 0);
}

/* What a crash leaves, and how the next run resolves it. */
static void test_crash_states(void **state)
{
    fx_t *f = *state;
    int64_t now = ts_time_now();
    /* Before the end of the data: the relay cannot have it; sent again. */
    int64_t early = queue(f, f->b, f->cb, "<early@csirt.test>", true);
    assert_int_equal(
        ts_store_out_move(f->st, early, TS_OUT_QUEUED, TS_OUT_SENDING, 1, 0, 1, 0, NULL), 0);
    /* After it, without a resolver: counted as sent, not sent again. */
    int64_t late = queue(f, f->b, f->cb, "<late@csirt.test>", true);
    assert_int_equal(
        ts_store_out_move(f->st, late, TS_OUT_QUEUED, TS_OUT_SENDING, 1, now, 1, 0, NULL), 0);
    ts_outbox_stats_t s = send_at(f, now);
    assert_int_equal(s.resent_after_crash, 1);
    assert_int_equal(s.in_doubt, 1);
    assert_int_equal(get(f, early).state, TS_OUT_SENT);
    assert_int_equal(get(f, early).attempts, 2);
    ts_out_rec_t o = get(f, late);
    assert_int_equal(o.state, TS_OUT_SENT);
    assert_non_null(strstr(o.last_reply, "in doubt"));
    assert_int_equal(sp_count(&f->peer), 1);
    assert_non_null(strstr(f->peer.got[0], "<early@csirt.test>"));

    /* With a resolver that knows (exit 0), does not know (1), cannot tell (3). */
    char script[1024];
    snprintf(script, sizeof script, "%s/resolve.sh", f->dir);
    const char body[] = "#!/bin/sh\ncase \"$1\" in\n*has*) exit 0;;\n*not*) exit 1;;\n"
                        "*) exit 3;;\nesac\n";
    assert_int_equal(tt_write_file(script, body, strlen(body)), 0);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "sh '%s'", script);
    f->o.resolve_cmd = cmd;
    int64_t ids[3];
    const char *names[3] = {"<has@csirt.test>", "<not@csirt.test>", "<unsure@csirt.test>"};
    for (int i = 0; i < 3; i++) {
        ids[i] = queue(f, f->b, f->cb, names[i], true);
        assert_int_equal(
            ts_store_out_move(f->st, ids[i], TS_OUT_QUEUED, TS_OUT_SENDING, 1, now, 1, 0, NULL), 0);
    }
    s = send_at(f, now);
    assert_int_equal(get(f, ids[0]).state, TS_OUT_SENT);
    assert_int_equal(get(f, ids[1]).state, TS_OUT_SENT);
    assert_int_equal(get(f, ids[2]).state, TS_OUT_SENDING);
    assert_int_equal(s.in_doubt, 1);
    assert_int_equal(sp_count(&f->peer), 2); /* only "not" went again */
    assert_non_null(strstr(f->peer.got[1], "<not@csirt.test>"));
    assert_non_null(strstr(get(f, ids[0]).last_reply, "the relay has it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_relay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outside_constituency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hours_and_rates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contact_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_states, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
