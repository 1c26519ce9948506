/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory: other CSIRTs (Trusted-Introducer style), what they
 * cover (ASNs, prefixes, domains), their representatives, and the listing
 * and accreditation process with its audit trail.
 *
 * The process is a state machine whose every rule is enforced here, not by
 * the callers (CLI, portal, import):
 *
 *   candidate --sponsor x2, list-as--> listed --accredit--> accreditation
 *   candidate (deadline) --accredit--> accredited; listed, accreditation
 *   candidate and accredited can be suspended; recertify brings a suspended
 *   team back to where it was, and renews an accredited team's
 *   certification; a candidate can be rejected: it may apply again 12 months
 *   after the rejection, and after three rejections it is closed for good.
 *
 * A sponsor must be accredited when it sponsors (recorded with the time and
 * who recorded it), cannot be the team itself, and sponsors one application
 * once. Rejection clears the application's sponsors (the audit keeps them).
 *
 * Every operation takes `now` (us since the epoch) so that tests control the
 * clock, and `who` ("cli:USER", a certificate fingerprint) for the audit.
 * A refused step is TS_ECONFLICT with *why set to a static sentence naming
 * the rule. Strings passed in are borrowed for the call; strings handed to
 * callbacks are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "route/constituency.h"
#include "store/store.h"

typedef enum ts_team_state {
    TS_TEAM_CANDIDATE = 1,
    TS_TEAM_LISTED = 2,
    TS_TEAM_ACCR_CANDIDATE = 3, /* accreditation candidate, until its deadline */
    TS_TEAM_ACCREDITED = 4,
    TS_TEAM_SUSPENDED = 5,
    TS_TEAM_REJECTED = 6, /* may apply again 12 months after the rejection */
    TS_TEAM_CLOSED = 7,   /* rejected three times: no longer considered */
} ts_team_state_t;

#define TS_TEAM_REAPPLY_US (365LL * 86400 * 1000000) /* 12 months */
#define TS_TEAM_REJECTIONS_MAX 3
#define TS_TEAM_DEADLINE_US (91LL * 86400 * 1000000) /* 3 months to complete the data */
#define TS_TEAM_SPONSORS 2
#define TS_TEAM_NAME_MAX 64
#define TS_TEAM_FIELD_MAX 256   /* each one-line field */
#define TS_TEAM_KEY_MAX 65536   /* an armoured OpenPGP key */
#define TS_TEAM_SCOPES_MAX 4096 /* constituency entries of one team */
#define TS_TEAM_REPS_MAX 32

/* "candidate", "listed", "accreditation-candidate", "accredited",
 * "suspended", "rejected", "closed"; "?" for anything else. */
const char *ts_team_state_name(int state);
/* A state by that name. \retval TS_EINVAL unknown. */
TS_MUSTCHECK int ts_team_state_parse(const char *name, int *state /* OUT */);
/* Names a team may have: 1-64 of [A-Za-z0-9._-]. */
bool ts_team_name_ok(const char *name);

typedef struct ts_team_scope {
    ts_rule_kind_t kind; /* TS_RULE_NETWORK, _ASN, _DOMAIN */
    const char *value;   /* canonical: "192.0.2.0/24", "64500", "example.org" */
} ts_team_scope_t;

typedef struct ts_team_rep {
    const char *name;
    const char *email;
    const char *phone; /* "" when none */
} ts_team_rep_t;

typedef struct ts_team_rec {
    int64_t id; /* set by the store */
    const char *name;
    const char *official_name;   /* "" when none */
    const char *country;         /* ISO 3166-1 alpha-2, upper case */
    const char *ctype;           /* constituency type ("national", "research", ...), "" */
    const char *email;           /* the team's address */
    const char *emergency_phone; /* "" when none */
    const char *pgp_key;         /* armoured public key, "" when none */
    const char *rfc2350;         /* URL of its RFC 2350 document, "" when none */
    const char *website;         /* "" when none */
    const char *hours;           /* business hours "Mon-Fri 08:00-17:00", "" */
    const char *tz;              /* IANA zone, "UTC" when none */
    /* Written by add/update; NULL (0) on reads (scopes/reps_foreach). */
    const ts_team_scope_t *scopes;
    size_t n_scopes;
    const ts_team_rep_t *reps;
    size_t n_reps;
    /* Read only: the process. */
    int state;           /* a ts_team_state_t */
    int prev_state;      /* a suspended team's state before, else 0 */
    int rejections;      /* how many times rejected */
    int64_t state_since; /* us */
    int64_t deadline;    /* an accreditation candidate's, else 0 */
    int64_t last_rejected;
    int64_t listed_at, accredited_at, recertified_at; /* 0 never */
    int64_t verified_at;                              /* its address last confirmed, 0 never */
    int64_t created, updated;
} ts_team_rec_t;

typedef int (*ts_team_cb)(const ts_team_rec_t *t, void *ctx);

/* Adds a candidate with its scopes and representatives. A rejected team of
 * that name applies again instead (its data replaced), if the rules allow.
 * \retval TS_EINVAL a bad name, email, country or scope (*why says which).
 * \retval TS_EEXIST a team of that name that is not rejected.
 * \retval TS_ECONFLICT rejected less than 12 months ago, or closed (*why). */
TS_MUSTCHECK int ts_store_team_add(ts_store_t *st, const ts_team_rec_t *t, int64_t now,
                                   const char *who, int64_t *id /* OUT, may be NULL */,
                                   const char **why /* OUT */);
/* Replaces a team's data, scopes and representatives (not its state).
 * \retval TS_ENOENT no such team.  \retval TS_EINVAL as for add. */
TS_MUSTCHECK int ts_store_team_update(ts_store_t *st, const ts_team_rec_t *t, int64_t now,
                                      const char *who, const char **why /* OUT */);
/* One team by name. \retval TS_ENOENT. */
TS_MUSTCHECK int ts_store_team_get(ts_store_t *st, const char *name, ts_team_cb cb, void *ctx);
/* Every team by name (state 0: any state). */
TS_MUSTCHECK int ts_store_teams_foreach(ts_store_t *st, int state, ts_team_cb cb, void *ctx);

/* cb gets team_id with each scope / representative. team_id 0: every team's,
 * by team then value. */
typedef int (*ts_team_scope_cb)(int64_t team_id, const ts_team_scope_t *s, void *ctx);
typedef int (*ts_team_rep_cb)(int64_t team_id, const ts_team_rep_t *r, void *ctx);
TS_MUSTCHECK int ts_store_team_scopes_foreach(ts_store_t *st, int64_t team_id, ts_team_scope_cb cb,
                                              void *ctx);
TS_MUSTCHECK int ts_store_team_reps_foreach(ts_store_t *st, int64_t team_id, ts_team_rep_cb cb,
                                            void *ctx);

/* ---- The process ---------------------------------------------------------------- */

/* `sponsor` supports `name`'s application.
 * \retval TS_ENOENT either team unknown.  \retval TS_ECONFLICT (*why): the
 * team is not a candidate, the sponsor is itself, not accredited now, or
 * sponsored this application already. */
TS_MUSTCHECK int ts_store_team_sponsor(ts_store_t *st, const char *name, const char *sponsor,
                                       int64_t now, const char *who, const char **why /* OUT */);
/* candidate -> listed, with two sponsors. */
TS_MUSTCHECK int ts_store_team_list(ts_store_t *st, const char *name, int64_t now, const char *who,
                                    const char **why /* OUT */);
/* A founding member: a candidate accredited at once, allowed only while
 * fewer than two teams are accredited (nobody could sponsor the first
 * ones). \retval TS_ECONFLICT (*why) not a candidate, or two accredited. */
TS_MUSTCHECK int ts_store_team_found(ts_store_t *st, const char *name, int64_t now, const char *who,
                                     const char **why /* OUT */);
/* listed -> accreditation candidate (deadline = now + deadline_us, 0: the
 * default 3 months); accreditation candidate -> accredited, before its
 * deadline and with its data complete (email, emergency phone, OpenPGP key,
 * RFC 2350 document). *to (may be NULL) gets the new state. */
TS_MUSTCHECK int ts_store_team_accredit(ts_store_t *st, const char *name, int64_t deadline_us,
                                        int64_t now, const char *who, int *to /* OUT */,
                                        const char **why /* OUT */);
/* listed, accreditation candidate or accredited -> suspended. */
TS_MUSTCHECK int ts_store_team_suspend(ts_store_t *st, const char *name, const char *reason,
                                       int64_t now, const char *who, const char **why /* OUT */);
/* suspended -> its state before; accredited: certification renewed. */
TS_MUSTCHECK int ts_store_team_recertify(ts_store_t *st, const char *name, int64_t now,
                                         const char *who, const char **why /* OUT */);
/* candidate -> rejected (closed at the third); an accreditation candidate
 * goes back to listed (not a rejection of its listing). */
TS_MUSTCHECK int ts_store_team_reject(ts_store_t *st, const char *name, const char *reason,
                                      int64_t now, const char *who, const char **why /* OUT */);

typedef struct ts_team_sponsor_rec {
    const char *sponsor; /* its name */
    int64_t at;
    const char *who;
} ts_team_sponsor_rec_t;
typedef int (*ts_team_sponsor_cb)(const ts_team_sponsor_rec_t *s, void *ctx);
/* The sponsors of a team's current application, oldest first. */
TS_MUSTCHECK int ts_store_team_sponsors_foreach(ts_store_t *st, int64_t team_id,
                                                ts_team_sponsor_cb cb, void *ctx);

/* ---- Contact finding: RDAP bootstrap files and cached answers ------------------------ */

/* An IANA RDAP bootstrap file (RFC 9224) as fetched: kind "ipv4", "ipv6",
 * "asn" or "dns". */
typedef struct ts_rdap_boot_rec {
    const char *kind;
    const char *source; /* the URL or file it came from */
    const char *content;
    size_t len;
    int64_t fetched;
} ts_rdap_boot_rec_t;
typedef int (*ts_rdap_boot_cb)(const ts_rdap_boot_rec_t *b, void *ctx);
/* Keeps (replaces) the file of b->kind; the caller has checked it. */
TS_MUSTCHECK int ts_store_rdap_boot_put(ts_store_t *st, const ts_rdap_boot_rec_t *b);
/* The file of a kind. \retval TS_ENOENT none kept. */
TS_MUSTCHECK int ts_store_rdap_boot_get(ts_store_t *st, const char *kind, ts_rdap_boot_cb cb,
                                        void *ctx);

/* A cached answer of the contact chain (directory/finder.h), by query. */
typedef struct ts_lookup_rec {
    const char *query;  /* canonical: an address, prefix, "AS64500", a domain */
    const char *source; /* "rdap", "whois", "none" */
    const char *server; /* the server that answered */
    const char *object; /* the object it came from (a handle, an inetnum) */
    const char *email;  /* "" for "none" */
    int64_t fetched, expires;
} ts_lookup_rec_t;
typedef int (*ts_lookup_cb)(const ts_lookup_rec_t *l, void *ctx);
/* Keeps (replaces) the answer for l->query. */
TS_MUSTCHECK int ts_store_lookup_put(ts_store_t *st, const ts_lookup_rec_t *l);
/* The answer for a query that has not expired at now. \retval TS_ENOENT. */
TS_MUSTCHECK int ts_store_lookup_get(ts_store_t *st, const char *query, int64_t now,
                                     ts_lookup_cb cb, void *ctx);

/* ---- Contact re-verification (directory/verify.h) ------------------------------------- */

/* One contact's verification: kind "site" (ref_id: the notification
 * contact's id, site_id its site) or "team" (ref_id: the team's id, email
 * the team's address or a representative's; site_id 0). Only the token's
 * SHA-256 (hex) is kept. */
typedef struct ts_verify_rec {
    const char *kind;
    int64_t ref_id;
    const char *email;
    int64_t site_id;
    int64_t sent_at;        /* the last verification mail, 0 never */
    int64_t verified_at;    /* the last confirmation, 0 never */
    const char *token_hash; /* "" when no token is outstanding */
    int64_t token_expires;
} ts_verify_rec_t;
typedef int (*ts_verify_cb)(const ts_verify_rec_t *v, void *ctx);
/* Keeps (replaces) the row of (kind, ref_id, email). */
TS_MUSTCHECK int ts_store_verify_put(ts_store_t *st, const ts_verify_rec_t *v);
/* Every row, by kind, ref_id and email. */
TS_MUSTCHECK int ts_store_verify_foreach(ts_store_t *st, ts_verify_cb cb, void *ctx);
/* The row holding a token hash. \retval TS_ENOENT none (unknown or used). */
TS_MUSTCHECK int ts_store_verify_by_token(ts_store_t *st, const char *hash, ts_verify_cb cb,
                                          void *ctx);
/* Uses the token once: its row becomes verified at now and the token goes;
 * for a team's own address the team's verified_at too.
 * \retval TS_ENOENT no row holds it (unknown, or used already). */
TS_MUSTCHECK int ts_store_verify_use(ts_store_t *st, const char *hash, int64_t now);

typedef struct ts_team_audit_rec {
    int64_t at;
    const char *who;
    const char *action; /* "add", "sponsor", "list", "accredit", ... */
    int from, to;       /* states (equal when the state did not change) */
    const char *detail; /* "" when none */
} ts_team_audit_rec_t;
typedef int (*ts_team_audit_cb)(const ts_team_audit_rec_t *a, void *ctx);
/* A team's audit trail, oldest first. */
TS_MUSTCHECK int ts_store_team_audit_foreach(ts_store_t *st, int64_t team_id, ts_team_audit_cb cb,
                                             void *ctx);
