/* SPDX-License-Identifier: Apache-2.0 */
/* Sending the outbox, exactly once.
 *
 * A mail goes QUEUED (or DEFERRED, when due) -> SENDING -> SENT, DEFERRED or
 * FAILED, each move a committed compare-and-set in the store, in this order:
 *
 *   1. QUEUED/DEFERRED -> SENDING (attempts + 1, dot_at = 0), committed;
 *   2. SMTP: MAIL, RCPT, DATA and the message bytes but the last ones;
 *   3. dot_at = now, committed (if that commit fails, the last bytes and
 *      the final "." are not sent: the relay drops the transaction and the
 *      mail is not sent);
 *   4. the last bytes, the "." and the relay's answer;
 *   5. SENDING -> SENT (2xx), DEFERRED (4xx, no answer: next_attempt after
 *      a backoff of 1, 2, 4 ... minutes, at most an hour) or FAILED (5xx, or
 *      max_attempts reached), committed with the relay's answer.
 *
 * A crash (kill -9, power loss) leaves a mail in SENDING; the next run
 * finds it first and resolves it:
 *   - dot_at = 0: the crash came before step 3, so the relay never got the
 *     whole message nor the ".": the transaction died with the connection
 *     and nothing was delivered. The mail is sent again (same bytes, same
 *     Message-ID).
 *   - dot_at != 0: the crash came between steps 3 and 5: the relay may have
 *     taken it. This window is a round trip and a commit long. With a
 *     resolver (resolve_cmd), the relay is asked by Message-ID: exit 0 means
 *     it has the mail (SENT), exit 1 that it does not (sent again), anything
 *     else leaves the mail in SENDING to be asked again later. Without a
 *     resolver the mail is marked SENT with the reply "in doubt after a
 *     crash": never sending twice wins over the small chance that the crash
 *     fell between step 3 and the "." leaving this host (the resolver
 *     closes that gap).
 * So a mail is never lost (it stays in the outbox until SENT or FAILED) and
 * never sent twice (a mail is sent again only when the relay cannot have it,
 * or says it has not).
 *
 * Quiet hours: a mail that is not urgent waits for the contact's working
 * hours (next_attempt moves, no attempt is counted). Rate limits: at most
 * rate_per_hour mails per recipient domain in any hour (0: no limit); a
 * mail over the limit waits a minute. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/smtp.h"
#include "store/notifystore.h"
#include "store/store.h"

typedef struct ts_outbox_opts {
    ts_smtp_opts_t smtp;
    const char *from;        /* the envelope sender */
    unsigned rate_per_hour;  /* per recipient domain; 0 = none */
    unsigned max_attempts;   /* then FAILED; 0 = 20 */
    const char *resolve_cmd; /* NULL: none (see above); run as CMD '<message-id>' */
    size_t batch;            /* mails per call; 0 = 100 */
} ts_outbox_opts_t;

typedef struct ts_outbox_stats {
    uint64_t sent, deferred, failed, resent_after_crash, in_doubt, held;
} ts_outbox_stats_t;

/* Sends what is due at `now`, one mail at a time, until none is due, stop
 * is set, or batch mails were handled. \retval 0.  \retval a store error
 * (the mail being handled keeps its state, and is resolved next time). */
TS_MUSTCHECK int ts_outbox_send_due(ts_store_t *st, const ts_outbox_opts_t *o, int64_t now,
                                    volatile sig_atomic_t *stop, ts_outbox_stats_t *stats);

/* Puts FAILED or DEFERRED mails back in the queue, due now: one (id > 0)
 * or every one of a site (site_id; 0 = every site) in those states.
 * *n (may be NULL) gets how many. \retval TS_ENOENT id is no such mail in
 * those states (or another site's). */
TS_MUSTCHECK int ts_outbox_retry(ts_store_t *st, int64_t site_id, int64_t id,
                                 size_t *n /* OUT, may be NULL */);

/* A mail as one JSON object (the CLI's json lines and the API's outbox):
 * id, site, message_id, rcpt, subject, kind, urgent, state, attempts,
 * created, next_attempt (null unless queued or deferred), sent (null until
 * sent), reply. Never the message itself. */
struct ts_jsonw;
void ts_out_json(struct ts_jsonw *w, const ts_out_rec_t *o);

/* The wait before attempt number `attempts` + 1 (us): 1, 2, 4 ... minutes,
 * at most an hour. */
int64_t ts_outbox_backoff(int attempts);
