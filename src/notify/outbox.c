/* SPDX-License-Identifier: Apache-2.0 */
/* Sending the outbox, exactly once (see outbox.h for the protocol). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "notify/hours.h"
#include "notify/outbox.h"
#include "store/notifystore.h"

#define US_PER_MIN (INT64_C(60) * 1000000)

static ts_metric_t *m_sent, *m_deferred, *m_failed, *m_latency;

static void metrics(void)
{
    m_sent = ts_metrics_counter("tocsin_notify_mails_sent_total", "Mails the relay accepted", NULL);
    m_deferred =
        ts_metrics_counter("tocsin_notify_mails_deferred_total",
                           "Send attempts that will be tried again (4xx, no answer)", NULL);
    m_failed = ts_metrics_counter("tocsin_notify_mails_failed_total",
                                  "Mails given up (5xx, too many attempts)", NULL);
    m_latency = ts_metrics_histogram("tocsin_notify_send_seconds",
                                     "Time to hand one mail to the relay", NULL);
}

int64_t ts_outbox_backoff(int attempts)
{
    int64_t wait = US_PER_MIN;
    for (int i = 1; i < attempts && wait < 60 * US_PER_MIN; i++)
        wait *= 2;
    return wait < 60 * US_PER_MIN ? wait : 60 * US_PER_MIN;
}

/* A due mail, copied out of the store's row. */
struct mail {
    int64_t id, site_id, contact_id, next_attempt, dot_at;
    int state, attempts;
    bool urgent;
    char *message_id, *rcpt, *domain, *data;
    size_t len;
};

struct due {
    struct mail *m;
    size_t n, cap;
};

static int take(const ts_out_rec_t *o, void *ctx)
{
    struct due *d = ctx;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->m = ts_xrealloc(d->m, d->cap * sizeof *d->m);
    }
    struct mail *m = &d->m[d->n++];
    *m = (struct mail){
        .id = o->id,
        .site_id = o->site_id,
        .contact_id = o->contact_id,
        .next_attempt = o->next_attempt,
        .dot_at = o->dot_at,
        .state = o->state,
        .attempts = o->attempts,
        .urgent = o->urgent,
        .message_id = ts_xstrdup(o->message_id),
        .rcpt = ts_xstrdup(o->rcpt),
        .domain = ts_xstrdup(o->domain),
        .data = ts_xstrndup(o->data, o->len),
        .len = o->len,
    };
    return 0;
}

/* Runs the resolver as `sh -c 'CMD "$1"' sh MESSAGE-ID`: the Message-ID is
 * an argument, never shell text. Returns its exit status, or -1. */
static int resolve(const char *cmd, const char *msgid)
{
    size_t n = strlen(cmd) + 8;
    char *script = ts_xmalloc(n);
    snprintf(script, n, "%s \"$1\"", cmd);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", script, "sh", msgid, (char *)NULL);
        _exit(127);
    }
    free(script);
    int status = 0;
    if (pid < 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct dot_ctx {
    ts_store_t *st;
    int64_t id, next_attempt;
};

/* Step 3: recorded before the "." goes out, or the "." does not go. */
static int before_dot(void *vctx)
{
    struct dot_ctx *d = vctx;
    int64_t now = ts_time_now();
    return ts_store_out_move(d->st, d->id, TS_OUT_SENDING, TS_OUT_SENDING, 0, now > 0 ? now : 1,
                             d->next_attempt, 0, NULL);
}

struct contact_view {
    ts_arena_t *a;
    const char *hours, *tz;
};

static int contact_hours(const ts_contact_rec_t *c, void *ctx)
{
    struct contact_view *v = ctx;
    v->hours = ts_arena_strdup(v->a, ts_str_c(c->hours)).ptr;
    v->tz = ts_arena_strdup(v->a, ts_str_c(c->tz)).ptr;
    return 0;
}

static void log_mail(ts_log_level_t lvl, const struct mail *m, const char *what, const char *reply)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, m->id);
    ts_log_field_t f[] = {
        {"mail", id}, {"message_id", m->message_id}, {"rcpt", m->rcpt}, {"reply", reply}};
    ts_log_fields(lvl, what, f, reply ? 4 : 3);
}

/* A mail found in SENDING at the start of a run (a crash): see outbox.h.
 * Returns 0 with *again set when it is to be sent now. */
static int recover(ts_store_t *st, const ts_outbox_opts_t *o, struct mail *m, int64_t now,
                   ts_outbox_stats_t *stats, bool *again)
{
    *again = false;
    if (m->dot_at == 0) {
        int r = ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_QUEUED, 0, 0, now, 0,
                                  "interrupted before the end of the data: not delivered");
        if (r == 0) {
            stats->resent_after_crash++;
            log_mail(TS_LOG_INFO, m,
                     "outbox: a send was interrupted before the end of the "
                     "data; sending again",
                     NULL);
            m->state = TS_OUT_QUEUED;
            *again = true;
        }
        return r;
    }
    if (o->resolve_cmd) {
        int rc = resolve(o->resolve_cmd, m->message_id);
        if (rc == 0) {
            log_mail(TS_LOG_INFO, m, "outbox: in doubt after a crash; the relay has it", NULL);
            ts_metric_add(m_sent, 1);
            stats->sent++;
            return ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_SENT, 0, m->dot_at, now, now,
                                     "resolved after a crash: the relay has it");
        }
        if (rc == 1) {
            int r = ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_QUEUED, 0, 0, now, 0,
                                      "resolved after a crash: the relay does not have it");
            if (r == 0) {
                stats->resent_after_crash++;
                log_mail(TS_LOG_INFO, m,
                         "outbox: in doubt after a crash; the relay does not "
                         "have it, sending again",
                         NULL);
                m->state = TS_OUT_QUEUED;
                *again = true;
            }
            return r;
        }
        stats->in_doubt++;
        log_mail(TS_LOG_WARN, m,
                 "outbox: in doubt after a crash and the resolver could not "
                 "tell; asking again on the next run",
                 NULL);
        return 0;
    }
    stats->in_doubt++;
    stats->sent++;
    ts_metric_add(m_sent, 1);
    log_mail(TS_LOG_WARN, m,
             "outbox: in doubt after a crash (the whole message had gone out); "
             "counted as sent, never sent twice (set a resolver to check)",
             NULL);
    return ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_SENT, 0, m->dot_at, now, now,
                             "in doubt after a crash (the data was complete): counted as sent");
}

static int handle(ts_store_t *st, const ts_outbox_opts_t *o, ts_smtp_t *smtp, struct mail *m,
                  int64_t now, ts_arena_t *a, ts_outbox_stats_t *stats)
{
    if (m->state == TS_OUT_SENDING) {
        bool again;
        int r = recover(st, o, m, now, stats, &again);
        if (r || !again)
            return r;
    }
    struct contact_view cv = {a, "", "UTC"};
    /* contact_id 0: a mail outside the constituency, no contact to ask. */
    int r = m->contact_id == 0
                ? 0
                : ts_store_ncontact_get(st, m->site_id, m->contact_id, contact_hours, &cv);
    if (r == TS_ENOENT) {
        stats->failed++;
        ts_metric_add(m_failed, 1);
        return ts_store_out_move(st, m->id, m->state, TS_OUT_FAILED, 0, 0, m->next_attempt, 0,
                                 "not sent: the contact was removed");
    }
    if (r)
        return r;
    if (!m->urgent) {
        ts_hours_t h;
        if (ts_hours_parse(cv.hours, &h, NULL, 0) == 0) {
            int64_t next = ts_hours_next_open(&h, cv.tz, now);
            if (next > now) {
                stats->held++;
                return ts_store_out_move(st, m->id, m->state, m->state, 0, 0, next, 0,
                                         "waiting for the contact's working hours");
            }
        }
    }
    if (o->rate_per_hour) {
        uint64_t n = 0;
        r = ts_store_out_sent_since(st, m->domain, now - 60 * US_PER_MIN, &n);
        if (r)
            return r;
        if (n >= o->rate_per_hour) {
            stats->held++;
            return ts_store_out_move(st, m->id, m->state, m->state, 0, 0, now + US_PER_MIN, 0,
                                     "waiting: the domain's rate limit is reached");
        }
    }
    /* Step 1. */
    r = ts_store_out_move(st, m->id, m->state, TS_OUT_SENDING, 1, 0, m->next_attempt, 0, NULL);
    if (r)
        return r == TS_EBUSY ? 0 : r; /* another sender took it */
    m->attempts++;
    struct dot_ctx dc = {st, m->id, m->next_attempt};
    ts_smtp_reply_t reply;
    uint64_t t0 = ts_metrics_now_us();
    ts_smtp_result_t res =
        ts_smtp_send(smtp, o->from, m->rcpt, m->data, m->len, before_dot, &dc, &reply);
    ts_metric_observe_us(m_latency, ts_metrics_now_us() - t0);
    char text[TS_SMTP_TEXT_MAX + 32];
    if (reply.code)
        snprintf(text, sizeof text, "%d %s%s%s", reply.code, reply.status,
                 reply.status[0] ? " " : "", reply.text);
    else
        snprintf(text, sizeof text, "%s", reply.text[0] ? reply.text : "no answer");
    int64_t done = ts_time_now();
    unsigned max = o->max_attempts ? o->max_attempts : 20;
    if (res == TS_SMTP_OK) {
        stats->sent++;
        ts_metric_add(m_sent, 1);
        return ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_SENT, 0, done, m->next_attempt,
                                 done, text);
    }
    if (res == TS_SMTP_PERM || (unsigned)m->attempts >= max) {
        stats->failed++;
        ts_metric_add(m_failed, 1);
        log_mail(TS_LOG_WARN, m, "outbox: mail failed", text);
        return ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_FAILED, 0, 0, m->next_attempt, 0,
                                 text);
    }
    stats->deferred++;
    ts_metric_add(m_deferred, 1);
    log_mail(TS_LOG_INFO, m, "outbox: mail deferred", text);
    return ts_store_out_move(st, m->id, TS_OUT_SENDING, TS_OUT_DEFERRED, 0, 0,
                             done + ts_outbox_backoff(m->attempts), 0, text);
}

int ts_outbox_send_due(ts_store_t *st, const ts_outbox_opts_t *o, int64_t now,
                       volatile sig_atomic_t *stop, ts_outbox_stats_t *stats)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, metrics);
    struct due d = {0};
    int r = ts_store_out_due(st, now, o->batch ? o->batch : 100, take, &d);
    ts_arena_t *a = ts_arena_new(4096);
    ts_smtp_t *smtp = d.n ? ts_smtp_open(&o->smtp) : NULL;
    for (size_t i = 0; r == 0 && i < d.n; i++) {
        if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
            break;
        ts_arena_reset(a);
        r = handle(st, o, smtp, &d.m[i], now, a, stats);
        if (r)
            ts_log_error("outbox: mail %" PRId64 ": %s (%s)", d.m[i].id, ts_strerror(r),
                         ts_store_errmsg(st));
    }
    for (size_t i = 0; i < d.n; i++) {
        free(d.m[i].message_id);
        free(d.m[i].rcpt);
        free(d.m[i].domain);
        free(d.m[i].data);
    }
    free(d.m);
    ts_smtp_close(smtp);
    ts_arena_free(a);
    return r;
}

struct retry_ctx {
    int64_t id;
    int64_t *ids;
    int *states, *attempts;
    size_t n, cap;
};

static int retry_take(const ts_out_rec_t *o, void *ctx)
{
    struct retry_ctx *c = ctx;
    if (c->id > 0 && o->id != c->id)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->ids = ts_xrealloc(c->ids, c->cap * sizeof *c->ids);
        c->states = ts_xrealloc(c->states, c->cap * sizeof *c->states);
        c->attempts = ts_xrealloc(c->attempts, c->cap * sizeof *c->attempts);
    }
    c->ids[c->n] = o->id;
    c->states[c->n] = o->state;
    c->attempts[c->n++] = o->attempts;
    return 0;
}

int ts_outbox_retry(ts_store_t *st, int64_t site_id, int64_t id, size_t *n)
{
    struct retry_ctx c = {.id = id};
    int r = ts_store_out_foreach(st, site_id, TS_OUT_FAILED, 0, retry_take, &c);
    if (r == 0)
        r = ts_store_out_foreach(st, site_id, TS_OUT_DEFERRED, 0, retry_take, &c);
    size_t done = 0;
    int64_t now = ts_time_now();
    for (size_t i = 0; r == 0 && i < c.n; i++) {
        r = ts_store_out_move(st, c.ids[i], c.states[i], TS_OUT_QUEUED, -c.attempts[i], 0, now, 0,
                              "queued again by hand");
        if (r == TS_EBUSY) /* sent meanwhile */
            r = 0;
        else if (r == 0)
            done++;
    }
    if (r == 0 && id > 0 && c.n == 0)
        r = TS_ENOENT;
    if (n)
        *n = done;
    free(c.ids);
    free(c.states);
    free(c.attempts);
    return r;
}

static void time_or_null(ts_jsonw_t *w, const char *key, int64_t us)
{
    char buf[48];
    ts_jsonw_key(w, key);
    if (us == 0) {
        ts_jsonw_null(w);
        return;
    }
    ts_time_format_utc(us, buf, sizeof buf);
    ts_jsonw_cstr(w, buf);
}

void ts_out_json(struct ts_jsonw *w, const ts_out_rec_t *o)
{
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, o->id);
    ts_jsonw_key(w, "site");
    ts_jsonw_cstr(w, o->site_name);
    ts_jsonw_key(w, "message_id");
    ts_jsonw_cstr(w, o->message_id);
    ts_jsonw_key(w, "rcpt");
    ts_jsonw_cstr(w, o->rcpt);
    ts_jsonw_key(w, "subject");
    ts_jsonw_cstr(w, o->subject);
    ts_jsonw_key(w, "kind");
    ts_jsonw_cstr(w, o->kind);
    ts_jsonw_key(w, "urgent");
    ts_jsonw_bool(w, o->urgent);
    ts_jsonw_key(w, "state");
    ts_jsonw_cstr(w, ts_out_state_name(o->state));
    ts_jsonw_key(w, "attempts");
    ts_jsonw_int(w, o->attempts);
    time_or_null(w, "created", o->created);
    bool waiting = o->state == TS_OUT_QUEUED || o->state == TS_OUT_DEFERRED;
    time_or_null(w, "next_attempt", waiting ? o->next_attempt : 0);
    time_or_null(w, "sent", o->state == TS_OUT_SENT ? o->sent_at : 0);
    ts_jsonw_key(w, "reply");
    ts_jsonw_cstr(w, o->last_reply);
    ts_jsonw_object_end(w);
}
