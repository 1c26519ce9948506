/* SPDX-License-Identifier: Apache-2.0 */
/* Incidents: what a site is shown instead of a flat list of raw events.
 *
 * The store aggregates every event it writes, per owner link, into the
 * incident of the link's key (store/incstore.h):
 *   (site, classification type, identifier, the site's object, role, suppressed)
 * where the object is what the site owns on the link's side (ts_link_own):
 *  - one host or network: that host or network ("198.51.100.7",
 *    "198.51.100.0/24");
 *  - several (an address scan's targets): the claim that matched
 *    ("198.51.100.0/24"), so one scan of a site's range is one incident;
 *  - none (the side was routed by ASN or domain): the rule ("AS64500",
 *    "example.org").
 * This file holds what aggregation decides without the store: the states
 * and their names, a link's object, suppression rules and their matching,
 * the CVE an event names. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/event.h"
#include "core/ip.h"
#include "route/constituency.h"

/* An incident's state as its site sets it. */
typedef enum ts_inc_state {
    TS_INC_NEW = 1,
    TS_INC_ACKNOWLEDGED = 2,
    TS_INC_IN_PROGRESS = 3,
    TS_INC_RESOLVED = 4,
    TS_INC_FALSE_POSITIVE = 5,
    TS_INC_EXPECTED = 6,
} ts_inc_state_t;

#define TS_INC_STATES 6

/* "new", "acknowledged", "in-progress", "resolved", "false-positive",
 * "expected"; NULL outside the enum. */
const char *ts_inc_state_name(ts_inc_state_t s);
/* The names above only (exact, lower case). \retval TS_ENOENT. */
TS_MUSTCHECK int ts_inc_state_lookup(const char *s, size_t n, ts_inc_state_t *out /* OUT */);
/* New, acknowledged and in progress: the site has yet to finish with it. A
 * closed state (resolved, false positive, expected) also closes it for
 * aggregation: the key's next event opens a new incident pointing to it. */
static inline bool ts_inc_state_open(ts_inc_state_t s)
{
    return s == TS_INC_NEW || s == TS_INC_ACKNOWLEDGED || s == TS_INC_IN_PROGRESS;
}

#define TS_INC_OBJECT_MAX 256 /* bytes of an object's text */
#define TS_INC_IDENT_MAX 512  /* bytes of an identifier kept in a key */

/* What link l's site owns of e (see above): its text into obj (size bytes,
 * at least TS_IP_STRLEN), and when it is an address or network, that prefix
 * into *net (family TS_AF_NONE otherwise). *own gets ts_link_own()'s answer,
 * pointing into *one or l. */
void ts_inc_object(const ts_event_t *e, const ts_link_t *l, ts_prefix_t *one, ts_targets_t *own,
                   char *obj, size_t size, ts_prefix_t *net /* OUT */);

/* The single address on the far side of link l (a peer), or family
 * TS_AF_NONE when that side names none or many. */
ts_ip_t ts_inc_peer(const ts_event_t *e, const ts_link_t *l);

/* ---- Suppression rules ----------------------------------------------------------------- */

/* A site's rule: events of its incidents matching it are still stored and
 * counted, but go to a suppressed incident, which has no priority (and
 * causes no notification). */
typedef struct ts_suppress {
    int64_t id;
    int64_t site_id;
    ts_type_t type;
    const char *identifier; /* "*" = any identifier; "" = events without one */
    ts_prefix_t net;        /* the site's host or network */
    ts_prefix_t peer;       /* family TS_AF_NONE: any peer */
    int64_t expires;        /* us since the epoch; 0: never */
    int64_t created;
    const char *who;  /* certificate fingerprint, or "cli:USER" */
    const char *note; /* "" when none */
} ts_suppress_t;

/* Whether rule r suppresses a link of its site (or a descendant: the caller
 * checks that) with this type, identifier (.ptr NULL: none), object network
 * (family TS_AF_NONE: the link names no address, which no rule matches) and
 * peer, at time now. The object must lie inside the rule's network. */
bool ts_suppress_match(const ts_suppress_t *r, ts_type_t type, ts_str_t identifier,
                       const ts_prefix_t *object, const ts_ip_t *peer, int64_t now);

/* Whether net lies inside the space of site (its claims and its
 * descendants'), and every address of net that any site owns belongs to
 * site or a descendant: the test a suppression rule's or a critical mark's
 * network passes. \retval 0 yes.  \retval TS_ERANGE wider than the site's
 * space.  \retval TS_EDENIED it names another site's addresses.
 * \retval TS_ENOENT no such site. */
TS_MUSTCHECK int ts_inc_net_check(ts_constituency_t *c, int64_t site, const ts_prefix_t *net);

/* The first CVE id an event names in its identifier or description
 * ("CVE-2021-44228", upper case) into buf (at least 32 bytes); false when
 * none. */
bool ts_inc_cve(const ts_event_t *e, char *buf, size_t size);
