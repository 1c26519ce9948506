/* SPDX-License-Identifier: Apache-2.0 */
/* Forwarding an event about an address outside the constituency to whoever
 * the contact chain names for it (a directory team, an RDAP or whois abuse
 * address), as a mail queued in the notification outbox (site 0, contact 0).
 *
 * TLP is honoured: an event labelled AMBER+STRICT or RED never leaves the
 * CSIRT; CLEAR, GREEN and AMBER go out with their label in the subject and
 * the text; an event without a label goes out as TLP:AMBER (the most
 * restrictive level that may be shared with a recipient's organisation). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "directory/finder.h"
#include "store/store.h"

typedef enum ts_forward_side {
    TS_FORWARD_AUTO = 0, /* the side whose address no site owns (source first) */
    TS_FORWARD_SOURCE = 1,
    TS_FORWARD_DESTINATION = 2,
} ts_forward_side_t;

struct ts_tpl_set;

typedef struct ts_forward_opts {
    const struct ts_tpl_set *tpl; /* the mail's template (forward.txt; notify/template.h) */
    const char *from;             /* the CSIRT's address */
    const char *from_name;        /* the CSIRT's name; NULL or "": "CSIRT" */
    int side;                     /* a ts_forward_side_t */
    bool dry_run;                 /* find and check, queue nothing */
} ts_forward_opts_t;

typedef struct ts_forward_result {
    ts_contact_answer_t contact; /* who, and where that came from */
    char address[64];            /* the address forwarded about */
    const char *tlp;             /* the label the mail carries */
    char message_id[320];        /* "" with dry_run */
} ts_forward_result_t;

/* Forwards event `id`.
 * \retval 0 queued (or found, with dry_run).  \retval TS_ENOENT no such event.
 * \retval TS_EDENIED its TLP forbids sharing outside the CSIRT (*why).
 * \retval TS_ECONFLICT the side's address belongs to a site of the
 * constituency, or the side has no address (*why).
 * \retval TS_EAGAIN no contact found (r->contact says what was tried).
 * \retval TS_EINVAL bad options. */
TS_MUSTCHECK int ts_forward_event(ts_store_t *st, ts_finder_t *f, int64_t id,
                                  const ts_forward_opts_t *o, int64_t now,
                                  ts_forward_result_t *r /* OUT */, const char **why /* OUT */);
