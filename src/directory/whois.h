/* SPDX-License-Identifier: Apache-2.0 */
/* whois (RFC 3912) for contact finding, the last resort: one query line over
 * TCP port 43, the answer read until the server closes, bounded in time and
 * size; and the reading of an answer: the abuse address in the attributes
 * the registries use (RIPE/AFRINIC "abuse-mailbox:", ARIN "OrgAbuseEmail:",
 * APNIC/LACNIC "abuse-mailbox:" and "% Abuse contact for ... is '...'"
 * comments, "Registrar Abuse Contact Email:" of domain registries), the
 * object it describes, and a referral to another server (ARIN
 * "ReferralServer:", IANA "refer:"/"whois:"). */
#pragma once
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "notify/address.h"

#define TS_WHOIS_MAX (256 * 1024) /* largest answer read */
#define TS_WHOIS_HOST_MAX 256
#define TS_WHOIS_OBJECT_MAX 128

typedef struct ts_whois_answer {
    char email[TS_ADDR_MAX + 1];        /* the abuse address, "" none */
    char object[TS_WHOIS_OBJECT_MAX];   /* "inetnum: 192.0.2.0 - 192.0.2.255", "" */
    char refer_host[TS_WHOIS_HOST_MAX]; /* a referral, "" none */
    int refer_port;                     /* 43 unless the referral says */
} ts_whois_answer_t;

/* Reads an answer (len bytes at text, any bytes).
 * \retval 0 (whatever was found; an answer with nothing in it is not an
 * error). */
TS_MUSTCHECK int ts_whois_parse(const char *text, size_t len, ts_whois_answer_t *out /* OUT */);

/* Asks host:port for query (no CR or LF in it) and reads the answer into
 * out (reset first) until the server closes.
 * \retval 0.  \retval TS_EINVAL a bad query or host.  \retval TS_ETOOBIG the
 * answer passed max bytes (what was read stays in out).  \retval TS_ENET
 * connection refused, name unknown, or timeout_ms passed before the server
 * closed (err says which). */
TS_MUSTCHECK int ts_whois_query(const char *host, int port, const char *query, int timeout_ms,
                                size_t max, ts_buf_t *out, char *err, size_t errsize);
