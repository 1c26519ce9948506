/* SPDX-License-Identifier: Apache-2.0 */
/* The notification daemon part: each round collects the sources' new items
 * (builder.h), builds the digests that are due, and sends the outbox
 * (outbox.h). `tocsin notify run` runs rounds until stopped (or one with
 * --once); `tocsin serve --notify-smtp ...` runs them in a thread. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/builder.h"
#include "notify/outbox.h"
#include "store/store.h"

typedef struct ts_notifier_opts {
    ts_outbox_opts_t out;   /* the relay, the sender, limits, the resolver */
    const char *from_name;  /* the CSIRT's name (default "CSIRT") */
    const char *portal;     /* the portal's base URL for links */
    const char *templates;  /* the template directory (default: ts_tpl_default_dir) */
    const char *gnupg_home; /* NULL: GNUPGHOME or ~/.gnupg */
    const char *sign_key;   /* the signing key's fingerprint; NULL: the home's only one */
    /* S/MIME: the signing certificate (fingerprint or "&KEYGRIP"); NULL: no
     * S/MIME identity (contacts get OpenPGP). Its gpgsm home: smime_home,
     * else gnupg_home. */
    const char *smime_sign_key;
    const char *smime_home;
    int64_t interval_us; /* between rounds (default 10 s) */
    /* Re-verify the site and team contacts (directory/verify.h) once an
     * hour, with portal links; the mails signed like the notifications. */
    bool verify_contacts;
} ts_notifier_opts_t;

typedef struct ts_notifier ts_notifier_t;

/* Loads the templates (refusing a bad one now, not when a mail is built)
 * and opens the signing key (and the S/MIME signing certificate when
 * smime_sign_key is given). \retval 0, *out set (ts_notifier_close()).
 * \retval the template or key error; err says which. */
TS_MUSTCHECK int ts_notifier_open(const ts_notifier_opts_t *o, ts_notifier_t **out /* OUT */,
                                  char *err, size_t errsize);
void ts_notifier_close(ts_notifier_t *n);

typedef struct ts_notifier_stats {
    ts_notify_stats_t built;
    ts_outbox_stats_t sent;
} ts_notifier_stats_t;

/* One round at `now`. \retval 0, or the first error (logged; the next
 * round starts over). */
TS_MUSTCHECK int ts_notifier_round(ts_notifier_t *n, ts_store_t *st, int64_t now,
                                   volatile sig_atomic_t *stop, ts_notifier_stats_t *stats);
/* Rounds every interval (at once after a full batch) until *stop; a round's
 * error is logged and the next round starts over. */
void ts_notifier_loop(ts_notifier_t *n, ts_store_t *st, volatile sig_atomic_t *stop);

/* The rounds in a thread of their own, on a store of their own opened at
 * db (for `tocsin serve`): templates and key are loaded before it starts
 * (a bad template or a missing key fails here, err says which), then rounds
 * run until *stop. \retval 0, *out set; ts_notifier_join() ends it. */
typedef struct ts_notifier_thread ts_notifier_thread_t;
TS_MUSTCHECK int ts_notifier_start(const ts_notifier_opts_t *o, const char *db,
                                   volatile sig_atomic_t *stop,
                                   ts_notifier_thread_t **out /* OUT */, char *err, size_t errsize);
/* Waits for the thread (after *stop was set) and frees it. */
void ts_notifier_join(ts_notifier_thread_t *t);

/* The sources of every round, in order; the first n_sources. */
extern const ts_nsource_t *const ts_notify_sources[];
extern const size_t ts_notify_n_sources;
