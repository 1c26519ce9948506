/* SPDX-License-Identifier: Apache-2.0 */
/* The notification store: site contacts (the constituency's contacts table,
 * extended with roles, keys, language, time zone, working hours and
 * preferences), the items waiting for a contact's digest, the watermark of
 * each notification source, and the outbox of mails.
 *
 * Tenancy: every call that reads or changes a contact or a mail takes the
 * site it acts for (site_id > 0) and touches only rows of that site; a row of
 * another site is TS_ENOENT, exactly like a missing one. site_id 0 is the
 * CSIRT's view (every site) where a call says so.
 *
 * Strings passed in are borrowed for the call; strings handed to callbacks
 * are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- Contacts -------------------------------------------------------------------- */

/* Roles, a bit set. */
enum {
    TS_ROLE_ABUSE = 1,
    TS_ROLE_SECURITY = 2,
    TS_ROLE_TECHNICAL = 4,
    TS_ROLE_MANAGEMENT = 8,
    TS_ROLE_ALL_ = 15,
};

/* How the items below the immediate threshold reach a contact. */
typedef enum ts_digest {
    TS_DIGEST_NONE = 0, /* never */
    TS_DIGEST_HOURLY = 1,
    TS_DIGEST_DAILY = 2,
} ts_digest_t;

/* How a contact's mail is signed and encrypted. */
typedef enum ts_crypto {
    TS_CRYPTO_AUTO = 0,  /* OpenPGP with a key; S/MIME with only a certificate
                            when the CSIRT has an S/MIME identity; else OpenPGP */
    TS_CRYPTO_PGP = 1,   /* OpenPGP (RFC 3156) */
    TS_CRYPTO_SMIME = 2, /* S/MIME (RFC 8551) */
} ts_crypto_t;

typedef struct ts_contact_rec {
    int64_t id;                  /* set by the store */
    int64_t site_id;             /* the site it belongs to */
    const char *site_name;       /* read only: "" when written */
    const char *email;           /* an addr-spec (notify/address.h) */
    const char *name;            /* "" when none */
    unsigned roles;              /* TS_ROLE_* bits, at least one */
    const char *phone;           /* "" when none */
    const char *lang;            /* "en" or "de" */
    const char *tz;              /* IANA zone name, "UTC" by default */
    const char *hours;           /* working hours "Mon-Fri 08:00-17:00"; "" = any time */
    int immediate;               /* lowest priority (1..4) sent at once; 0 = none */
    int digest;                  /* a ts_digest_t, for the rest */
    const char *immediate_types; /* comma-separated types always sent at once, "" none */
    const char *never_types;     /* comma-separated types never sent, "" none */
    bool iodef;                  /* attach IODEF besides CSV */
    const char *pgp_key;         /* ASCII-armoured public key, "" when none */
    const char *pgp_fpr;         /* its primary fingerprint (hex), "" when none */
    int64_t pgp_expires;         /* us since the epoch; 0 = never */
    const char *smime_cert;      /* PEM certificate, "" when none */
    int64_t smime_expires;       /* us since the epoch; 0 when none */
    int crypto;                  /* a ts_crypto_t */
    int64_t created, updated;    /* us since the epoch, set by the store */
} ts_contact_rec_t;

typedef int (*ts_contact_rec_cb)(const ts_contact_rec_t *c, void *ctx);

/* Adds a contact (every field as given; id, site_name, created and updated
 * are set by the store). The caller has validated the fields (notify/contact.h).
 * \retval TS_EEXIST the site has a contact of this address (case ignored).
 * \retval TS_ENOENT no such site.  \retval TS_EINVAL a NULL or empty email. */
TS_MUSTCHECK int ts_store_ncontact_add(ts_store_t *st, const ts_contact_rec_t *c,
                                       int64_t *id /* OUT */);
/* Replaces every field of contact c->id of site c->site_id.
 * \retval TS_ENOENT no such contact in that site.  \retval TS_EEXIST the new
 * address is another contact's of the site. */
TS_MUSTCHECK int ts_store_ncontact_update(ts_store_t *st, const ts_contact_rec_t *c);
/* \retval TS_ENOENT no such contact in that site. */
TS_MUSTCHECK int ts_store_ncontact_remove(ts_store_t *st, int64_t site_id, int64_t id);
/* The contact of a site by address (case ignored). \retval TS_ENOENT. */
TS_MUSTCHECK int ts_store_ncontact_find(ts_store_t *st, int64_t site_id, const char *email,
                                        int64_t *id /* OUT */);
/* One contact (site_id 0: of any site). \retval TS_ENOENT none (or another site's). */
TS_MUSTCHECK int ts_store_ncontact_get(ts_store_t *st, int64_t site_id, int64_t id,
                                       ts_contact_rec_cb cb, void *ctx);
/* The contacts of one site (0: of every site), by site name then address. */
TS_MUSTCHECK int ts_store_ncontacts_foreach(ts_store_t *st, int64_t site_id, ts_contact_rec_cb cb,
                                            void *ctx);

/* ---- Watermarks ------------------------------------------------------------------- */

/* The watermark of a notification source (0 when it never ran). */
TS_MUSTCHECK int ts_store_nmark_get(ts_store_t *st, const char *source, int64_t *mark /* OUT */);
/* Sets it; call in the transaction that queues what the source gave. */
TS_MUSTCHECK int ts_store_nmark_set(ts_store_t *st, const char *source, int64_t mark);

/* ---- Items waiting for a digest -------------------------------------------------------- */

typedef struct ts_npending_rec {
    int64_t id;
    int64_t contact_id;
    int64_t site_id;
    int64_t due;      /* us since the epoch: when the digest holding it is built */
    bool urgent;      /* an immediate item: ignores quiet hours */
    const char *item; /* the item, serialised (notify/item.h) */
    int64_t created;
} ts_npending_rec_t;
typedef int (*ts_npending_cb)(const ts_npending_rec_t *p, void *ctx);

/* Adds an item for a contact; the contact must belong to p->site_id. */
TS_MUSTCHECK int ts_store_npending_add(ts_store_t *st, const ts_npending_rec_t *p);
/* Items due at `now` or earlier, by contact then id (every site). */
TS_MUSTCHECK int ts_store_npending_due(ts_store_t *st, int64_t now, ts_npending_cb cb, void *ctx);
/* Items of one site (0: every site) whatever their due time, by contact then id. */
TS_MUSTCHECK int ts_store_npending_foreach(ts_store_t *st, int64_t site_id, ts_npending_cb cb,
                                           void *ctx);
/* Removes the items of a contact due at `now` or earlier (after queueing
 * their digest, in the same transaction). */
TS_MUSTCHECK int ts_store_npending_clear(ts_store_t *st, int64_t contact_id, int64_t now);

/* ---- The outbox ---------------------------------------------------------------------- */

typedef enum ts_out_state {
    TS_OUT_QUEUED = 1,   /* built, waiting to be sent */
    TS_OUT_SENDING = 2,  /* handed to the relay; see dot_at */
    TS_OUT_SENT = 3,     /* the relay accepted it (2xx after the data) */
    TS_OUT_DEFERRED = 4, /* a 4xx or a network failure: tried again at next_attempt */
    TS_OUT_FAILED = 5,   /* a 5xx, or too many attempts: never sent, shown */
} ts_out_state_t;

typedef struct ts_out_rec {
    int64_t id;
    int64_t site_id;
    const char *site_name; /* read only */
    int64_t contact_id;
    const char *message_id; /* "<...@...>", unique */
    const char *rcpt;       /* the recipient address */
    const char *domain;     /* its domain, lower case (rate limits) */
    const char *subject;    /* decoded, for listings */
    const char *kind;       /* "immediate", "hourly", "daily" */
    bool urgent;            /* sent in quiet hours too */
    const void *data;       /* the whole message as sent (CRLF lines) */
    size_t len;
    int state; /* a ts_out_state_t */
    int attempts;
    int64_t created, next_attempt, sent_at;
    int64_t dot_at;         /* when the end of the data was about to go out; 0 = not yet */
    const char *last_reply; /* the relay's last answer, "" when none */
} ts_out_rec_t;
typedef int (*ts_out_cb)(const ts_out_rec_t *o, void *ctx);

/* Queues a mail (state QUEUED; id set). site_id 0 and contact_id 0: a mail
 * to someone outside the constituency (domain/notice.h), sent at once, with
 * no contact's working hours. \retval TS_EEXIST its Message-ID is taken. */
TS_MUSTCHECK int ts_store_out_add(ts_store_t *st, const ts_out_rec_t *o, int64_t *id /* OUT */);
/* Mails of one site (0: every site), newest first; state 0 = any; limit 0 = all. */
TS_MUSTCHECK int ts_store_out_foreach(ts_store_t *st, int64_t site_id, int state, size_t limit,
                                      ts_out_cb cb, void *ctx);
/* Mails to send at `now`: QUEUED or DEFERRED with next_attempt <= now, and
 * every SENDING one (left by a crash), oldest first, at most limit. */
TS_MUSTCHECK int ts_store_out_due(ts_store_t *st, int64_t now, size_t limit, ts_out_cb cb,
                                  void *ctx);
/* Moves mail id from state `from` to `to` with the other fields given, only
 * when it is still in `from` (a compare-and-set: two senders never both
 * take one mail). attempts_inc adds to attempts; dot_at, next_attempt and
 * sent_at are written as given; reply NULL keeps the last reply.
 * \retval TS_EBUSY it was not in `from`.  \retval TS_ENOENT no such mail. */
TS_MUSTCHECK int ts_store_out_move(ts_store_t *st, int64_t id, int from, int to, int attempts_inc,
                                   int64_t dot_at, int64_t next_attempt, int64_t sent_at,
                                   const char *reply);
/* Mails sent to a domain since `since` (rate limits). */
TS_MUSTCHECK int ts_store_out_sent_since(ts_store_t *st, const char *domain, int64_t since,
                                         uint64_t *n /* OUT */);
/* Counts per state of one site (0: every site): cb(state name, count). */
TS_MUSTCHECK int ts_store_out_stats(ts_store_t *st, int64_t site_id, ts_count_cb cb, void *ctx);

/* "queued", "sending", "sent", "deferred", "failed"; "?" otherwise. */
const char *ts_out_state_name(int state);
/* The state of a name, 0 when unknown. */
int ts_out_state_parse(const char *name);
