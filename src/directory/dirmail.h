/* SPDX-License-Identifier: Apache-2.0 */
/* The directory's mails (re-verification, forwarding): a template of
 * notify/template.h rendered, built as a MIME message and queued in the
 * notification outbox, which sends it exactly once. */
#pragma once
#include <stdint.h>

#include "core/error.h"
#include "notify/mime.h"
#include "notify/template.h"
#include "store/store.h"

typedef struct ts_dirmail {
    const ts_tpl_set_t *tpl;
    ts_pgp_t *pgp;         /* signs the mail; NULL: unsigned */
    ts_tpl_kind_t kind;    /* TS_TPL_VERIFY, TS_TPL_FORWARD */
    const char *lang;      /* the recipient's; NULL: en */
    const char *from;      /* the CSIRT's address */
    const char *from_name; /* NULL or "": "CSIRT" (also {{csirt}}) */
    const char *to, *to_name;
    /* Values of the template; {{csirt}} and {{date}} are filled in here. */
    const char *values[TS_V_COUNT_];
    int64_t site_id, contact_id; /* the outbox row's: 0 and 0 outside the constituency */
    const char *out_kind;        /* the outbox row's kind: "verify", "forward" */
    int64_t now;
} ts_dirmail_t;

/* Renders, builds and queues m (in the caller's transaction if one is open).
 * \retval 0, msgid (TS_MIME_MSGID_MAX bytes, may be NULL) set.
 * \retval TS_EINVAL an address refused (err says which); store errors. */
TS_MUSTCHECK int ts_dirmail_queue(ts_store_t *st, const ts_dirmail_t *m,
                                  char *msgid /* OUT, may be NULL */, char *err, size_t errsize);
