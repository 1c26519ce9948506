/* SPDX-License-Identifier: Apache-2.0 */
/* The domain store: a registry CSIRT's domain deactivation cases, the zones
 * it claims, the evidence and decisions of each case (its timeline), and
 * the serial of the Response Policy Zone made from them.
 *
 * The rules are the store's, not its callers' (domainstore.c checks them
 * inside the backend's transaction, so two writers cannot both pass):
 *  - a case's domain is a normalised name (domain/name.h) strictly under a
 *    claimed zone;
 *  - states: reported -> review -> notified -> deactivated -> reactivated;
 *    cancelled (the registry removed the domain) from any open state;
 *    closed (no action) from reported, review or notified. reactivated,
 *    cancelled and closed are final;
 *  - a deactivation lasts at least one day and at most the policy's
 *    max_days (default 30);
 *  - an extension (of a deactivated case) needs evidence dated after the
 *    case's last decision, given with the extension, and is itself capped:
 *    it runs from the current end (or now, if later) for at most max_days;
 *  - evidence is a URL (http/https), a file (its SHA-256 kept) or an event
 *    that exists in the store;
 *  - every decision records who, why, when, and the period it sets;
 *  - the RPZ serial increases with every decision that changes what the
 *    zone lists (deactivate, extend, reactivate, cancel).
 * Times are us since the epoch; every operation that writes takes `now`, so
 * that tests and faketime control the clock. Strings passed in are borrowed
 * for the call; strings given to callbacks live only during the callback.
 * Refusals by a rule return TS_ECONFLICT with *why (a static message naming
 * the rule); malformed arguments TS_EINVAL with *why. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TS_DOMAIN_MAX_DAYS_DEFAULT 30
#define TS_DOMAIN_MAX_DAYS_LIMIT 365 /* what a policy may set at most */
#define TS_DOMAIN_EVIDENCE_MAX 16    /* items in one request */
#define TS_DOMAIN_TEXT_MAX 2048      /* a URL, a path, a reason's text */

typedef struct ts_domain_case {
    int64_t id;
    const char *domain; /* A-label form, lower case, no trailing dot */
    const char *reason; /* a category: ts_domain_reason_ok() */
    const char *state; /* reported, review, notified, deactivated, reactivated, cancelled, closed */
    int64_t opened, updated;
    int64_t since, until; /* the current (or last) deactivation; 0 never deactivated */
    int64_t last_decision;
    int extensions;
    int64_t reminded; /* the deactivation end a reminder was queued for; 0 */
    const char *opened_by;
    /* Who is informed (domain/notice.h); "" unknown. Private: never published. */
    const char *holder, *registrar, *reporter; /* addresses */
    const char *lang;                          /* "en" or "de": the notices' language */
} ts_domain_case_t;

typedef struct ts_domain_evidence {
    int64_t id, case_id;
    const char *kind;   /* "url", "file", "event" */
    const char *value;  /* the URL, the file's name as given, the event id */
    const char *sha256; /* a file's digest, hex; "" otherwise */
    int64_t event_id;   /* kind event; 0 otherwise */
    int64_t dated;      /* when it was observed: the event's time, the file's mtime, else added */
    int64_t added;
    const char *who;
} ts_domain_evidence_t;

typedef struct ts_domain_decision {
    int64_t id, case_id, at;
    const char
        *action; /* open, evidence, review, notify, deactivate, extend, reactivate, cancel, close */
    const char *who, *why;
    const char *from_state, *to_state;
    int64_t valid_from, valid_until; /* the period a deactivation or extension sets; 0 */
} ts_domain_decision_t;

/* One decision asked of the store. */
typedef struct ts_domain_request {
    int64_t case_id;
    const char *action;                   /* as ts_domain_decision_t's, not "open" */
    const char *who;                      /* required */
    const char *why;                      /* "" allowed */
    int days;                             /* deactivate, extend */
    const ts_domain_evidence_t *evidence; /* kind, value, sha256, event_id, dated; added/who set */
    size_t n_evidence;
} ts_domain_request_t;

typedef int (*ts_domain_case_cb)(const ts_domain_case_t *c, void *ctx);

/* A case copied out of a callback: its strings live in the struct. */
typedef struct ts_domain_case_buf {
    ts_domain_case_t c;
    char domain[256], reason[32], state[32], by[256];
    char holder[TS_DOMAIN_TEXT_MAX + 1], registrar[TS_DOMAIN_TEXT_MAX + 1],
        reporter[TS_DOMAIN_TEXT_MAX + 1], lang[8];
} ts_domain_case_buf_t;
/* A ts_domain_case_cb that copies the case into ctx (a ts_domain_case_buf_t). */
int ts_domain_case_copy(const ts_domain_case_t *c, void *ctx);
typedef int (*ts_domain_evidence_cb)(const ts_domain_evidence_t *e, void *ctx);
typedef int (*ts_domain_decision_cb)(const ts_domain_decision_t *d, void *ctx);
typedef int (*ts_domain_zone_cb)(const char *zone, void *ctx);
/* A domain seen in events (source or destination fqdn) under a claimed
 * zone: how many events name it, the newest such event, and the open case
 * it has (0 none). */
typedef int (*ts_domain_candidate_cb)(const char *fqdn, uint64_t events, int64_t last_event,
                                      int64_t case_id, void *ctx);

/* Reason categories a case may have (phishing, malware, botnet-cc, spam,
 * fraud, other). */
bool ts_domain_reason_ok(const char *r);
/* Whether s is a known state / action name. */
bool ts_domain_state_final(const char *state);

/* Claims a zone (normalised, e.g. "cz"). \retval TS_EEXIST claimed already. */
TS_MUSTCHECK int ts_store_domain_zone_add(ts_store_t *st, const char *zone, int64_t now);
/* \retval TS_ENOENT not claimed. */
TS_MUSTCHECK int ts_store_domain_zone_remove(ts_store_t *st, const char *zone);
/* By name. */
TS_MUSTCHECK int ts_store_domain_zones_foreach(ts_store_t *st, ts_domain_zone_cb cb, void *ctx);
/* The zone of the claimed zones that domain is strictly under (the longest).
 * \retval 0 with zone (size bytes).  \retval TS_ENOENT none. */
TS_MUSTCHECK int ts_store_domain_zone_of(ts_store_t *st, const char *domain, char *zone,
                                         size_t size);

/* The policy's cap on one deactivation or extension, in days (the default
 * until set), and the RPZ serial (0 before any change). */
TS_MUSTCHECK int ts_store_domain_settings(ts_store_t *st, int *max_days /* OUT */,
                                          int64_t *serial /* OUT */);
/* \retval TS_EINVAL days outside 1..TS_DOMAIN_MAX_DAYS_LIMIT. */
TS_MUSTCHECK int ts_store_domain_set_max_days(ts_store_t *st, int days);
/* Whether the public list shows past deactivations too (default: counted,
 * not listed). */
TS_MUSTCHECK int ts_store_domain_list_past(ts_store_t *st, bool *on /* OUT */);
TS_MUSTCHECK int ts_store_domain_set_list_past(ts_store_t *st, bool on);

/* Opens a case for domain with at least one piece of evidence, or, when the
 * domain has an open case already, adds the evidence to it (*joined true).
 * contacts (may be NULL) gives the holder, registrar and reporter addresses
 * and the language of the case's notices (only for a new case; each "" or
 * NULL unknown; the language "en" when not "de").
 * \retval 0 with *id.  \retval TS_ECONFLICT / TS_EINVAL with *why: not under
 * a claimed zone, not a normalised name, an unknown reason, no evidence,
 * evidence not a URL/file/existing event. */
TS_MUSTCHECK int ts_store_domain_case_open(ts_store_t *st, const char *domain, const char *reason,
                                           const char *who, const ts_domain_case_t *contacts,
                                           const ts_domain_evidence_t *ev, size_t n_ev, int64_t now,
                                           int64_t *id /* OUT */, bool *joined /* OUT */,
                                           const char **why /* OUT */);
/* A decision on a case (the rules above), or "evidence" to add evidence
 * without changing the state. \retval 0.  \retval TS_ENOENT no such case.
 * \retval TS_ECONFLICT / TS_EINVAL with *why. */
TS_MUSTCHECK int ts_store_domain_decide(ts_store_t *st, const ts_domain_request_t *req, int64_t now,
                                        const char **why /* OUT */);
/* Reactivates every deactivated case whose end has come (who "expiry") and
 * calls cb with each (state already reactivated); then marks for reminder
 * the deactivated cases ending within remind_us that were not reminded of
 * this end, calling remind_cb with each (NULL: none). */
TS_MUSTCHECK int ts_store_domain_expire(ts_store_t *st, int64_t now, int64_t remind_us,
                                        ts_domain_case_cb cb, ts_domain_case_cb remind_cb,
                                        void *ctx);

/* \retval TS_ENOENT no such case. */
TS_MUSTCHECK int ts_store_domain_case_get(ts_store_t *st, int64_t id, ts_domain_case_cb cb,
                                          void *ctx);
/* Cases in a state (NULL: all), newest first; limit 0 = all. */
TS_MUSTCHECK int ts_store_domain_cases_foreach(ts_store_t *st, const char *state, size_t limit,
                                               ts_domain_case_cb cb, void *ctx);
/* How many cases there are in each final state and in all. */
TS_MUSTCHECK int ts_store_domain_cases_count(ts_store_t *st, uint64_t *total /* OUT */,
                                             uint64_t *past /* OUT: in a final state */);
/* In the order they were added. */
TS_MUSTCHECK int ts_store_domain_evidence_foreach(ts_store_t *st, int64_t case_id,
                                                  ts_domain_evidence_cb cb, void *ctx);
TS_MUSTCHECK int ts_store_domain_decisions_foreach(ts_store_t *st, int64_t case_id,
                                                   ts_domain_decision_cb cb, void *ctx);
/* Names in events under a claimed zone, most events first; limit 0 = all. */
TS_MUSTCHECK int ts_store_domain_candidates(ts_store_t *st, size_t limit, ts_domain_candidate_cb cb,
                                            void *ctx);
