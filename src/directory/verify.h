/* SPDX-License-Identifier: Apache-2.0 */
/* Contact re-verification: every site contact (store/notifystore.h) and
 * every team contact (a directory team's address and its representatives)
 * confirms its address on a cycle (default 6 months).
 *
 * A contact is verified while its last confirmation is younger than the
 * cycle; then a mail with a single-use token (random, 256 bits, expiring;
 * only its SHA-256 kept) is queued in the notification outbox (site
 * contacts: their site and contact; team contacts: site 0, contact 0) and it
 * is stale until it confirms; unconfirmed past the grace period (the token's
 * lifetime) it is unverified, and stays so until it confirms a new token
 * (sent again each grace period). Lookup answers and the directory show it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define TS_VERIFY_CYCLE_US (183LL * 86400 * 1000000) /* six months */
#define TS_VERIFY_GRACE_US (30LL * 86400 * 1000000)  /* a token's lifetime */
#define TS_VERIFY_TOKEN_LEN 64                       /* 32 random bytes in hex */

typedef enum ts_verify_state {
    TS_VERIFIED = 1,
    TS_VERIFY_STALE = 2,      /* past the cycle, a confirmation asked for */
    TS_VERIFY_UNVERIFIED = 3, /* never confirmed, or not within the grace period */
} ts_verify_state_t;

/* "verified", "stale", "unverified". */
const char *ts_verify_state_name(int state);
/* The state of a contact from its last confirmation and last mail. */
int ts_verify_state(int64_t verified_at, int64_t sent_at, int64_t now, int64_t cycle_us,
                    int64_t grace_us);

struct ts_tpl_set;
struct ts_pgp;

typedef struct ts_verify_opts {
    const struct ts_tpl_set *tpl; /* the mails' templates (verify.txt; notify/template.h) */
    struct ts_pgp *pgp;           /* signs the mails (notify/pgp.h); NULL: unsigned */
    const char *from;             /* the CSIRT's address (From) */
    const char *from_name;        /* the CSIRT's name ({{csirt}}); NULL or "": "CSIRT" */
    const char *portal_url;       /* https://portal.example: the link is URL/public/verify?token= */
    int64_t cycle_us;             /* 0: TS_VERIFY_CYCLE_US */
    int64_t grace_us;             /* 0: TS_VERIFY_GRACE_US */
    bool dry_run;                 /* list what is due, queue nothing */
} ts_verify_opts_t;

/* One contact and its state, for listings. */
typedef struct ts_verify_item {
    const char *kind;  /* "site" or "team" */
    const char *owner; /* the site's or team's name */
    const char *email;
    int state; /* a ts_verify_state_t */
    int64_t verified_at, sent_at;
    bool due; /* a mail would be (or was just) queued */
} ts_verify_item_t;
typedef int (*ts_verify_item_cb)(const ts_verify_item_t *it, void *ctx);

/* Walks every site and team contact at now: queues a verification mail
 * (o->tpl, o->from and o->portal_url required unless o->dry_run)
 * for each that is due (not verified within the cycle, no token alive),
 * each in one transaction with its token's hash, unless o->dry_run; cb
 * (may be NULL) gets every contact. *queued (may be NULL) counts the mails.
 * \retval 0.  \retval a store error (what was queued before stays). */
TS_MUSTCHECK int ts_verify_run(ts_store_t *st, const ts_verify_opts_t *o, int64_t now,
                               ts_verify_item_cb cb, void *ctx, size_t *queued /* OUT */);

/* Confirms a token (the text from the mail's link).
 * \retval 0 confirmed; *email (may be NULL; TS_ADDR_MAX + 1 bytes) gets the
 * address.  \retval TS_ENOENT unknown or used already (a replay).
 * \retval TS_ERANGE expired.  \retval TS_EINVAL not a token. */
TS_MUSTCHECK int ts_verify_confirm(ts_store_t *st, const char *token, int64_t now,
                                   char *email /* OUT, may be NULL */);
