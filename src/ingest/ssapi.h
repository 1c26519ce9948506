/* SPDX-License-Identifier: Apache-2.0 */
/* A client of Shadowserver's Reports API: reports/list, then
 * reports/download of each report not ingested yet, each ingested by the
 * schema engine with its report type (ingest/shadowserver.h) through the
 * durable ingest, then remembered in the feed store by its id.
 *
 * Requests are POSTs of a JSON object holding "apikey" and the method's
 * fields, signed as Shadowserver documents it: the hex HMAC-SHA256 of the
 * exact body with the API secret, in the header HMAC2. The secret is never
 * logged, shown or stored.
 *
 * A report is downloaded to "<spool>/ss/<id>/<file>" (its name as the list
 * gives it, so that the report type also follows from it) and removed once
 * its id is kept; a report left there by a run that did not finish is
 * ingested from its checkpoint, never downloaded again. */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "route/constituency.h"
#include "store/store.h"

#define TS_SSAPI_URL_DEFAULT "https://transform.shadowserver.org/api2/"

typedef struct ts_ssapi_opts {
    const char *base;   /* the API's base URL, ending in '/' or not (default above) */
    const char *key;    /* the API key: [A-Za-z0-9_-], 1-128 */
    const char *secret; /* the API secret (not logged) */
    size_t secret_len;
    const char *since;  /* YYYY-MM-DD: the first day listed (default: two days ago) */
    const char *until;  /* YYYY-MM-DD: the last (default: today) */
    const char *spool;  /* where reports are downloaded (made when missing) */
    const char *cacert; /* PEM CA file instead of the system's, or NULL */
    uint64_t max_body;  /* of one report (0: TS_FEED_BODY_MAX_DEFAULT) */
    long timeout_s;
    volatile sig_atomic_t *stop;
} ts_ssapi_opts_t;

#define TS_SSAPI_NAME_MAX 200      /* bytes of a report's id, file name or type */
#define TS_SSAPI_REPORTS_MAX 20000 /* of one list: a longer one asks for fewer days */

/* A report of reports/list, its strings checked to be path components:
 * 1-TS_SSAPI_NAME_MAX of [A-Za-z0-9._-], not starting with '.'. */
typedef struct ts_ssapi_report {
    char id[TS_SSAPI_NAME_MAX + 1];
    char file[TS_SSAPI_NAME_MAX + 1];
    char type[TS_SSAPI_NAME_MAX + 1]; /* "" when the list gives none */
} ts_ssapi_report_t;

/* Parses a reports/list answer: a JSON array of objects with string "id"
 * and "file" and optional "type" (other members ignored).
 * \retval 0, *out (free() it, also when *n is 0) and *n set.
 * \retval TS_ESYNTAX, TS_ETRUNC, TS_EUTF8, TS_ETYPE, TS_EMISSING, TS_EINVAL,
 *         TS_ETOOBIG with err: not JSON, not such an array, a name that is
 *         not a path component, more than TS_SSAPI_REPORTS_MAX reports. */
TS_MUSTCHECK int ts_ssapi_list_parse(const char *json, size_t len, ts_ssapi_report_t **out,
                                     size_t *n, char *err, size_t errsize);

typedef struct ts_ssapi_stats {
    uint64_t listed, seen, ingested, failed;
    uint64_t records, events, quarantined;
} ts_ssapi_stats_t;

/* The hex HMAC-SHA256 of body with key (what goes in HMAC2). hex gets 65
 * bytes. \retval 0, TS_ECRYPTO. */
TS_MUSTCHECK int ts_ssapi_sign(const char *secret, size_t secret_len, const char *body, size_t len,
                               char hex[65]);

/* Lists and ingests the reports not ingested yet.
 * \retval 0 every report went in.  \retval TS_EINVAL bad options (err).
 * \retval TS_ENET, TS_EDENIED, TS_ETOOBIG, TS_ESYNTAX the list could not be
 * had (err).  \retval another ts_err: some report failed (the others still
 * went in; it is tried again next run). */
TS_MUSTCHECK int ts_ssapi_pull(ts_store_t *st, ts_constituency_t **c, const ts_ssapi_opts_t *o,
                               ts_ssapi_stats_t *stats /* OUT */, char *err, size_t errsize);
