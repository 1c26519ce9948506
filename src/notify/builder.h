/* SPDX-License-Identifier: Apache-2.0 */
/* From items to queued mails, in two steps, each in one store transaction:
 *
 *  1. collect: a source's items after its watermark go to the contacts of
 *     their site that want them, as rows waiting for a digest (due now for
 *     an immediate item, at the next hour or day for a digest), and the
 *     watermark moves, all in one commit: a crash before it leaves
 *     everything as it was, after it nothing is collected twice;
 *  2. build: every contact with items due gets one mail (groups by type,
 *     hosts listed, the why and the portal link of each item, the events as
 *     CSV, IODEF when asked for), signed and, when the contact has a current
 *     key (or certificate), encrypted, with OpenPGP or S/MIME as the
 *     contact's crypto says (ts_notify_uses_smime()); the mail goes into
 *     the outbox and the items leave, in one commit, so a digest is queued
 *     exactly once.
 *
 * Which contact gets an item: the item's site's contacts only (the store
 * adds a waiting row only for a contact of that site), unless the type is in
 * its never_types; at once when the priority is at least its immediate
 * threshold or the type is in immediate_types (for a RAISED item, when the
 * priority crossed the threshold: it was below, it is not any more), else in
 * its digest (none: not at all). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/item.h"
#include "notify/pgp.h"
#include "notify/smime.h"
#include "notify/template.h"
#include "store/store.h"

typedef struct ts_notify_cfg {
    const char *from;      /* the CSIRT's address (envelope and From) */
    const char *from_name; /* the CSIRT's name in From and in the texts */
    const char *portal;    /* the portal's base URL for links */
    const ts_tpl_set_t *tpl;
    ts_pgp_t *pgp;     /* NULL: unsigned (previews only) */
    ts_smime_t *smime; /* the CSIRT's S/MIME identity; NULL: none (a contact
                          that asks for S/MIME gets no mail, an error says why) */
    bool in_txn;       /* the caller holds the transaction (previews roll it back) */
    size_t max_mails;  /* build at most this many per call (0: all), so that a
                          daemon's round gets to sending */
} ts_notify_cfg_t;

typedef struct ts_notify_stats {
    uint64_t items;        /* items collected */
    uint64_t waiting;      /* rows added for contacts */
    uint64_t mails;        /* mails queued */
    uint64_t encrypted;    /* of which encrypted */
    uint64_t expired_keys; /* sent signed only because the contact's key expired */
} ts_notify_stats_t;

/* Step 1 for one source, at `now`. \retval 0.  \retval a store error (rolled
 * back).  \retval TS_EINVAL the source gave an item ts_nitem_check()
 * refuses (rolled back; err says which). */
TS_MUSTCHECK int ts_notify_collect(ts_store_t *st, const ts_notify_cfg_t *cfg,
                                   const ts_nsource_t *src, int64_t now, ts_notify_stats_t *stats,
                                   char *err, size_t errsize);
/* Step 1 for one item (inside the caller's transaction): the rows for the
 * contacts of its site. \retval 0, TS_EINVAL (a bad item), a store error. */
TS_MUSTCHECK int ts_notify_add_item(ts_store_t *st, const ts_nitem_t *it, int64_t now,
                                    ts_notify_stats_t *stats, char *err, size_t errsize);
/* Step 2 for every contact with rows due at `now` (site_id 0), or for one
 * site's contacts whatever their due times (site_id > 0: previews).
 * \retval 0.  \retval a store error.  \retval TS_ECRYPTO signing failed
 * (nothing queued for that contact; the rest goes on and the first error is
 * returned). */
TS_MUSTCHECK int ts_notify_build(ts_store_t *st, const ts_notify_cfg_t *cfg, int64_t now,
                                 int64_t site_id, ts_notify_stats_t *stats, char *err,
                                 size_t errsize);

/* One contact's mail as text: the items grouped by type (items is sorted
 * in place: type, then priority, highest first), each group and item from
 * the contact's language's templates, the why and link of every item, the
 * events as one CSV file per type ("events-<type>.csv"), and IODEF files
 * when the contact asks for them. Never NULL; free with ts_nmail_free(). */
typedef struct ts_nmail ts_nmail_t;
struct ts_contact_rec;
struct ts_mime_att;
ts_nmail_t *ts_notify_render(const ts_notify_cfg_t *cfg, const struct ts_contact_rec *c,
                             ts_nitem_t *items, size_t n, bool urgent, int64_t now);
const char *ts_nmail_subject(const ts_nmail_t *d);
const char *ts_nmail_text(const ts_nmail_t *d);
/* *att (valid until ts_nmail_free) gets the attachments; returns how many. */
size_t ts_nmail_attachments(const ts_nmail_t *d, const struct ts_mime_att **att);
/* Whether the contact's mail goes as S/MIME: its crypto is smime, or auto
 * with a certificate, no OpenPGP key, and an S/MIME identity in cfg. */
bool ts_notify_uses_smime(const ts_notify_cfg_t *cfg, const struct ts_contact_rec *c);
/* The contact's key (or, for S/MIME, certificate) has expired: the mail says
 * so and is not encrypted. */
bool ts_nmail_key_expired(const ts_nmail_t *d);
void ts_nmail_free(ts_nmail_t *d);

/* When a digest of this kind collected at `now` is due: now for
 * TS_DIGEST_NONE (immediate), the next full hour, or the next midnight UTC. */
int64_t ts_notify_due(int digest, int64_t now);
