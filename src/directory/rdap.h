/* SPDX-License-Identifier: Apache-2.0 */
/* RDAP for contact finding: the abuse contact of an RDAP answer (RFC 9083:
 * the entity with the role "abuse", often nested inside the registrant's or
 * another entity, its address in the jCard "vcardArray"), and the server to
 * ask, from IANA's bootstrap files (RFC 9224).
 *
 * Answers come from servers on the network: sizes and nesting are bounded,
 * anything malformed is refused with a reason, nothing is trusted to end. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "notify/address.h"

#define TS_RDAP_MAX (1024 * 1024)   /* largest answer or bootstrap file read */
#define TS_RDAP_BOOT_MAX (4u << 20) /* largest bootstrap file */
#define TS_RDAP_ENTITY_DEPTH 8      /* entities nested in entities */
#define TS_RDAP_ENTITIES_MAX 1000   /* entities looked at in one answer */
#define TS_RDAP_HANDLE_MAX 128
#define TS_RDAP_URL_MAX 512

typedef struct ts_rdap_abuse {
    char email[TS_ADDR_MAX + 1];     /* the abuse address */
    char entity[TS_RDAP_HANDLE_MAX]; /* the handle of the entity it came from, "" */
    char object[TS_RDAP_HANDLE_MAX]; /* the handle of the answer's object, "" */
    int depth;                       /* of the entity: 1 = a top-level entity */
} ts_rdap_abuse_t;

/* The abuse contact of an RDAP answer (len bytes at json): of the shallowest
 * entity with the role "abuse" that has a valid e-mail address.
 * \retval 0 found.  \retval TS_ENOENT a well-formed answer without one.
 * \retval TS_ESYNTAX / TS_ETOOBIG / TS_EUTF8 / TS_ETRUNC / TS_ETYPE not an
 * RDAP answer (err says why), TS_EDEPTH entities nested too deep. */
TS_MUSTCHECK int ts_rdap_abuse(const char *json, size_t len, ts_rdap_abuse_t *out /* OUT */,
                               char *err, size_t errsize);

typedef enum ts_rdap_kind {
    TS_RDAP_IP = 1,     /* an address or prefix: "ipv4" or "ipv6" file, path ip/ */
    TS_RDAP_ASN = 2,    /* "asn" file, path autnum/ */
    TS_RDAP_DOMAIN = 3, /* "dns" file, path domain/ */
} ts_rdap_kind_t;

/* Checks a bootstrap file of kind (ipv4, ipv6, asn, dns: its "services").
 * \retval 0.  \retval as ts_rdap_abuse, TS_EINVAL an entry that is not of
 * the file's kind (err says which). */
TS_MUSTCHECK int ts_rdap_boot_check(const char *json, size_t len, const char *kind, char *err,
                                    size_t errsize);
/* The base URL (https preferred, ending in '/') that serves query in a
 * bootstrap file: the longest prefix holding the address or prefix, the
 * range holding the ASN, the longest suffix of the domain.
 * \retval 0 url set.  \retval TS_ENOENT no service for it.  \retval as
 * ts_rdap_boot_check for a malformed file. */
TS_MUSTCHECK int ts_rdap_boot_find(const char *json, size_t len, ts_rdap_kind_t kind,
                                   const char *query, char *url /* OUT */, size_t urlsize,
                                   char *err, size_t errsize);
