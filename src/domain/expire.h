/* SPDX-License-Identifier: Apache-2.0 */
/* Expiry of deactivations, as `tocsin domain expire` runs it once and
 * `tocsin serve` runs it periodically: the cases whose period has ended are
 * reactivated (store/domainstore.h), the hook runs for each, reminders are
 * reported once per deactivation end, and the RPZ file is rewritten when
 * something changed. */
#pragma once
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct ts_domain_run_opts {
    const char *rpz;                   /* the RPZ file to rewrite; NULL: none */
    const char *origin;                /* its zone name; NULL: the default */
    bool rpz_reported;                 /* list the open cases too */
    const char *hook;                  /* hook.h; NULL: none */
    int64_t remind_us;                 /* report cases ending within this; 0: no reminders */
    struct ts_domain_notices *notices; /* notice.h: "reactivate" and "remind"
                                          notices; NULL: none */
} ts_domain_run_opts_t;

typedef struct ts_domain_run_stats {
    unsigned expired, reminded, hook_failures, notices, notice_failures;
} ts_domain_run_stats_t;

/* One round at `now`. report (may be NULL) gets a line per case:
 * "reactivated ID DOMAIN" and "ending ID DOMAIN UNTIL". The hook's and the
 * notices' failures are logged and counted, the round goes on (a notice is
 * queued after its case is reactivated or marked reminded: a crash in
 * between loses that notice, never the reactivation).
 * \retval 0.  \retval a store error, or TS_EIO writing the RPZ (errno). */
TS_MUSTCHECK int ts_domain_expire_run(ts_store_t *st, const ts_domain_run_opts_t *o, int64_t now,
                                      FILE *report, ts_domain_run_stats_t *stats /* OUT */);

/* The periodic round of `serve`, in a thread of its own with its own store
 * connection, every every_us until *stop. */
typedef struct ts_domain_expirer ts_domain_expirer_t;
TS_MUSTCHECK int ts_domain_expirer_start(const char *db_path, const ts_domain_run_opts_t *o,
                                         int64_t every_us, volatile sig_atomic_t *stop,
                                         ts_domain_expirer_t **out /* OUT */);
/* Waits for the thread (after *stop was set) and frees it; NULL is fine. */
void ts_domain_expirer_join(ts_domain_expirer_t *w);
