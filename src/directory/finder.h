/* SPDX-License-Identifier: Apache-2.0 */
/* The contact chain: who to tell about an address, prefix, ASN or domain.
 *
 *   own sites (the constituency's most specific claim, the site's abuse
 *   contact) -> the team directory (the most specific constituency entry of
 *   a listed or accredited team) -> RDAP (RFC 9083 abuse entity; the server
 *   from IANA's bootstrap files kept in the store, RFC 9224) -> whois
 *   (RFC 3912, following referrals) -> nothing, said plainly.
 *
 * A step that fails (an error, a 429, a malformed or huge answer, a timeout,
 * a referral loop) is noted in the answer's trail and the chain goes on to
 * the next. Network answers are cached in the store for a TTL; queries to one
 * server are spaced by a minimum interval; every network step has a time
 * limit and a size limit. A finder is used by one thread at a time. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/jsonw.h"
#include "directory/rdap.h"
#include "directory/whois.h"
#include "store/store.h"

typedef struct ts_finder_opts {
    const char *cacert;     /* RDAP: PEM CA file trusted instead of the system's, or NULL */
    const char *rdap_base;  /* RDAP: ask this base URL instead of the bootstrap's, or NULL */
    const char *whois_host; /* the first whois server (NULL: whois.iana.org) */
    int whois_port;         /* 0: 43 */
    int timeout_ms;         /* each network step (0: 10000) */
    int64_t ttl_us;         /* cached network answers (0: one day) */
    int min_interval_ms;    /* between two queries to one server (< 0: none; 0: 1000) */
    bool no_network;        /* stop after the directory and the cache */
    bool no_cache;          /* neither read nor write the cache */
} ts_finder_opts_t;

typedef struct ts_finder ts_finder_t;

#define TS_FINDER_TEXT 256

typedef struct ts_contact_answer {
    char query[TS_FINDER_TEXT];  /* canonical: "192.0.2.1", "AS64500", "example.org" */
    const char *kind;            /* "address", "prefix", "asn", "domain" */
    const char *source;          /* "site", "team", "rdap", "whois", "none" */
    char name[TS_FINDER_TEXT];   /* the site or team, "" */
    char email[TS_ADDR_MAX + 1]; /* "" for "none" */
    char object[TS_FINDER_TEXT]; /* the claim, the RDAP handle, the whois object */
    char server[TS_FINDER_TEXT]; /* the RDAP URL or whois server that answered, "" */
    int64_t fetched;             /* us: when the answer was obtained */
    bool cached;                 /* from the store's cache */
    bool verified;               /* the contact confirmed its address (site, team) */
    int team_state;              /* a team's state, else 0 */
    char trail[1024];            /* the steps that fell through and why, "; "-separated */
} ts_contact_answer_t;

/* A finder over st (borrowed; outlives the finder): loads the constituency
 * and the team directory into memory. *o is copied (its strings borrowed).
 * \retval 0.  \retval a store error. */
TS_MUSTCHECK int ts_finder_new(ts_store_t *st, const ts_finder_opts_t *o,
                               ts_finder_t **out /* OUT */);
void ts_finder_free(ts_finder_t *f);

/* The contact for query at now (us).
 * \retval 0 *a set (source "none" when nothing was found).
 * \retval TS_EINVAL query is none of address, prefix, ASN, domain. */
TS_MUSTCHECK int ts_finder_find(ts_finder_t *f, const char *query, int64_t now,
                                ts_contact_answer_t *a /* OUT */);

/* The answer as a JSON object: query, kind, source, name, email, object,
 * server, fetched, age_seconds, cached, verified, team_state, trail. */
void ts_contact_answer_json(const ts_contact_answer_t *a, int64_t now, ts_jsonw_t *w);
