/* SPDX-License-Identifier: Apache-2.0 */
/* Expiry rounds (expire.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "core/log.h"
#include "domain/expire.h"
#include "domain/hook.h"
#include "domain/notice.h"
#include "domain/rpz.h"
#include "store/domainstore.h"

struct round {
    ts_store_t *st;
    int64_t now;
    const ts_domain_run_opts_t *o;
    FILE *report;
    ts_domain_run_stats_t *stats;
};

static void notice(struct round *rd, const ts_domain_case_t *c, const char *action, int64_t now)
{
    if (rd->o->notices == NULL)
        return;
    unsigned n = 0;
    char err[512] = "";
    if (ts_domain_notices_queue(rd->st, rd->o->notices, c, action, "", now, &n, err, sizeof err) !=
        0) {
        ts_log_error("domain: case %lld %s: notices: %s", (long long)c->id, action, err);
        rd->stats->notice_failures++;
    }
    rd->stats->notices += n;
}

static int on_expired(const ts_domain_case_t *c, void *ctx)
{
    struct round *rd = ctx;
    rd->stats->expired++;
    ts_log_info("domain: case %lld %s reactivated: its deactivation ended", (long long)c->id,
                c->domain);
    if (rd->report)
        fprintf(rd->report, "reactivated %lld %s\n", (long long)c->id, c->domain);
    char why[512] = "";
    if (rd->o->hook && ts_domain_hook_run(rd->o->hook, "reactivate", c, why, sizeof why) != 0) {
        ts_log_error("domain: case %lld reactivate: hook failed: %s", (long long)c->id, why);
        rd->stats->hook_failures++;
    }
    notice(rd, c, "reactivate", rd->now);
    return 0;
}

static int on_remind(const ts_domain_case_t *c, void *ctx)
{
    struct round *rd = ctx;
    rd->stats->reminded++;
    char until[48];
    ts_time_format_utc(c->until, until, sizeof until);
    ts_log_info("domain: case %lld %s: the deactivation ends %s", (long long)c->id, c->domain,
                until);
    if (rd->report)
        fprintf(rd->report, "ending %lld %s %s\n", (long long)c->id, c->domain, until);
    notice(rd, c, "remind", rd->now);
    return 0;
}

int ts_domain_expire_run(ts_store_t *st, const ts_domain_run_opts_t *o, int64_t now, FILE *report,
                         ts_domain_run_stats_t *stats)
{
    if (st == NULL || o == NULL || stats == NULL || o->remind_us < 0)
        return TS_EINVAL;
    memset(stats, 0, sizeof *stats);
    struct round rd = {.st = st, .now = now, .o = o, .report = report, .stats = stats};
    int r = ts_store_domain_expire(st, now, o->remind_us, on_expired, on_remind, &rd);
    if (r == 0 && o->rpz != NULL) {
        ts_rpz_opts_t ro = {.origin = o->origin, .reported = o->rpz_reported};
        r = ts_rpz_write(st, &ro, o->rpz);
        if (r != 0)
            ts_log_error("domain: rpz %s: %s%s%s", o->rpz, ts_strerror(r), r == TS_EIO ? ": " : "",
                         r == TS_EIO ? strerror(errno) : "");
    }
    return r;
}

struct ts_domain_expirer {
    char *db_path;
    ts_domain_run_opts_t o;
    int64_t every;
    volatile sig_atomic_t *stop;
    pthread_t thread;
};

static void *expirer_main(void *arg)
{
    ts_domain_expirer_t *w = arg;
    ts_store_t *st = NULL;
    int r = ts_store_open(w->db_path, &st);
    if (r < 0) {
        ts_log_error("domain expiry: cannot open the database: %s", ts_strerror(r));
        return NULL;
    }
    int64_t next = ts_time_now();
    while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE)) {
        if (ts_time_now() >= next) {
            ts_domain_run_stats_t s = {0};
            r = ts_domain_expire_run(st, &w->o, ts_time_now(), NULL, &s);
            if (r != 0 && r != TS_EIO)
                ts_log_error("domain expiry: %s (%s)", ts_strerror(r), ts_store_errmsg(st));
            next = ts_time_now() + w->every;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ts_store_close(st);
    return NULL;
}

int ts_domain_expirer_start(const char *db_path, const ts_domain_run_opts_t *o, int64_t every_us,
                            volatile sig_atomic_t *stop, ts_domain_expirer_t **out)
{
    if (db_path == NULL || o == NULL || every_us <= 0 || stop == NULL || out == NULL)
        return TS_EINVAL;
    ts_domain_expirer_t *w = calloc(1, sizeof *w);
    if (w == NULL || (w->db_path = strdup(db_path)) == NULL) {
        free(w);
        return TS_ENOMEM;
    }
    w->o = *o;
    w->every = every_us;
    w->stop = stop;
    if (pthread_create(&w->thread, NULL, expirer_main, w) != 0) {
        free(w->db_path);
        free(w);
        return TS_EIO;
    }
    *out = w;
    return 0;
}

void ts_domain_expirer_join(ts_domain_expirer_t *w)
{
    if (w == NULL)
        return;
    pthread_join(w->thread, NULL);
    free(w->db_path);
    free(w);
}
