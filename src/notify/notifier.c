/* SPDX-License-Identifier: Apache-2.0 */
/* The notification daemon part (see notifier.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "core/log.h"
#include "core/mem.h"
#include "directory/verify.h"
#include "notify/notifier.h"

const ts_nsource_t *const ts_notify_sources[] = {&ts_nsource_advisories, &ts_nsource_scans,
                                                 &ts_nsource_incidents};
const size_t ts_notify_n_sources = sizeof ts_notify_sources / sizeof ts_notify_sources[0];

#define VERIFY_EVERY_US (3600LL * 1000000)

struct ts_notifier {
    ts_notifier_opts_t o;
    ts_tpl_set_t *tpl;
    ts_pgp_t *pgp;
    ts_smime_t *smime;
    ts_notify_cfg_t cfg;
    int64_t verified; /* the last contact re-verification walk (directory/verify.h) */
};

int ts_notifier_open(const ts_notifier_opts_t *o, ts_notifier_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_notifier_t *n = ts_xcalloc(1, sizeof *n);
    n->o = *o;
    char dir[4096];
    const char *tdir = o->templates ? o->templates : ts_tpl_default_dir(dir, sizeof dir);
    int r = ts_tpl_set_load(tdir, &n->tpl, err, errsize);
    if (r == 0)
        r = ts_pgp_open(o->gnupg_home, o->sign_key, &n->pgp, err, errsize);
    if (r == 0 && o->smime_sign_key) {
        char why[400] = "";
        r = ts_smime_open(o->smime_home ? o->smime_home : o->gnupg_home, o->smime_sign_key,
                          &n->smime, why, sizeof why);
        if (r)
            ts_seterr(err, errsize, "S/MIME: %s", why);
    }
    if (r) {
        ts_notifier_close(n);
        return r;
    }
    n->cfg = (ts_notify_cfg_t){
        .from = o->out.from,
        .from_name = o->from_name ? o->from_name : "CSIRT",
        .portal = o->portal ? o->portal : "",
        .tpl = n->tpl,
        .pgp = n->pgp,
        .smime = n->smime,
        .max_mails = o->out.batch ? o->out.batch : 100,
    };
    *out = n;
    return 0;
}

void ts_notifier_close(ts_notifier_t *n)
{
    if (n == NULL)
        return;
    ts_tpl_set_free(n->tpl);
    ts_pgp_close(n->pgp);
    ts_smime_close(n->smime);
    free(n);
}

int ts_notifier_round(ts_notifier_t *n, ts_store_t *st, int64_t now, volatile sig_atomic_t *stop,
                      ts_notifier_stats_t *stats)
{
    char err[512] = "";
    int first = 0;
    for (size_t i = 0; i < ts_notify_n_sources; i++) {
        int r = ts_notify_collect(st, &n->cfg, ts_notify_sources[i], now, &stats->built, err,
                                  sizeof err);
        if (r) {
            ts_log_error("notify: source %s: %s", ts_notify_sources[i]->name, err);
            first = first ? first : r;
        }
    }
    err[0] = '\0';
    int r = ts_notify_build(st, &n->cfg, now, 0, &stats->built, err, sizeof err);
    if (r)
        first = first ? first : r; /* logged per contact */
    /* Contacts confirm their addresses on a cycle: the walk is cheap but
     * touches every contact, so once an hour is enough; its mails go out
     * with this round's. */
    if (n->o.verify_contacts && n->o.portal && now - n->verified >= VERIFY_EVERY_US) {
        ts_verify_opts_t vo = {.tpl = n->tpl,
                               .pgp = n->pgp,
                               .from = n->o.out.from,
                               .from_name = n->o.from_name,
                               .portal_url = n->o.portal};
        size_t queued = 0;
        r = ts_verify_run(st, &vo, now, NULL, NULL, &queued);
        if (r)
            ts_log_error("notify: contact re-verification: %s", ts_strerror(r));
        else if (queued)
            ts_log_info("notify: %zu contact verification mails queued", queued);
        n->verified = now;
        first = first ? first : r;
    }
    r = ts_outbox_send_due(st, &n->o.out, now, stop, &stats->sent);
    return first ? first : r;
}

void ts_notifier_loop(ts_notifier_t *n, ts_store_t *st, volatile sig_atomic_t *stop)
{
    int64_t every = n->o.interval_us > 0 ? n->o.interval_us : INT64_C(10) * 1000000;
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        ts_notifier_stats_t s = {0};
        int64_t start = ts_time_now();
        if (ts_notifier_round(n, st, start, stop, &s) != 0)
            ts_log_warn("notify: the round ended with an error (logged above); trying again "
                        "in the next one");
        if (s.built.mails || s.sent.sent || s.sent.deferred || s.sent.failed)
            ts_log_info("notify: %llu mails queued, %llu sent, %llu deferred, %llu failed",
                        (unsigned long long)s.built.mails, (unsigned long long)s.sent.sent,
                        (unsigned long long)s.sent.deferred, (unsigned long long)s.sent.failed);
        /* A full batch: more may be due, go on at once. Else sleep, in
         * short steps so that a stop is seen at once. */
        size_t batch = n->o.out.batch ? n->o.out.batch : 100;
        bool full = s.built.mails >= batch || s.sent.sent + s.sent.deferred + s.sent.failed +
                                                      s.sent.held + s.sent.resent_after_crash >=
                                                  batch;
        while (!full && !__atomic_load_n(stop, __ATOMIC_ACQUIRE) && ts_time_now() - start < every) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

struct ts_notifier_thread {
    ts_notifier_t *n;
    ts_store_t *st;
    volatile sig_atomic_t *stop;
    pthread_t thread;
};

static void *thread_main(void *arg)
{
    ts_notifier_thread_t *t = arg;
    ts_log_info("notify: sending the sites' notifications");
    ts_notifier_loop(t->n, t->st, t->stop);
    return NULL;
}

int ts_notifier_start(const ts_notifier_opts_t *o, const char *db, volatile sig_atomic_t *stop,
                      ts_notifier_thread_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_notifier_thread_t *t = ts_xcalloc(1, sizeof *t);
    t->stop = stop;
    int r = ts_notifier_open(o, &t->n, err, errsize);
    if (r == 0 && (r = ts_store_open(db, &t->st)) != 0)
        ts_seterr(err, errsize, "cannot open the store");
    if (r == 0 && pthread_create(&t->thread, NULL, thread_main, t) != 0) {
        ts_seterr(err, errsize, "cannot start the notification thread");
        r = TS_EIO;
    }
    if (r) {
        ts_store_close(t->st);
        ts_notifier_close(t->n);
        free(t);
        return r;
    }
    *out = t;
    return 0;
}

void ts_notifier_join(ts_notifier_thread_t *t)
{
    if (t == NULL)
        return;
    pthread_join(t->thread, NULL);
    ts_store_close(t->st);
    ts_notifier_close(t->n);
    free(t);
}
