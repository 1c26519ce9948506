/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate registry: every certificate tocsin's CA issued, keyed by
 * the SHA-256 fingerprint of its DER encoding, with the (site, holder) it
 * identifies and its revocation. The portal maps a verified client
 * certificate to an identity only through this registry, never through the
 * subject name (two certificates may share a name; one fingerprint is one
 * certificate).
 *
 * Strings handed to callbacks are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define TS_FINGERPRINT_HEX 64 /* SHA-256, lowercase hex, without colons */
#define TS_SERIAL_HEX_MAX 40  /* RFC 5280: at most 20 octets */
#define TS_HOLDER_MAX 128     /* bytes of a holder name */

typedef struct ts_cert_rec {
    const char *fingerprint; /* TS_FINGERPRINT_HEX lowercase hex digits */
    const char *serial;      /* lowercase hex, no leading zeros beyond one octet pair */
    int64_t site_id;         /* the site it identifies; 0 for a CSIRT certificate */
    const char *site_name;   /* name of that site; "" when csirt, or when the site was removed */
    bool site_exists;        /* false once the site is removed: the certificate is then refused */
    bool csirt;              /* sees the whole constituency */
    const char *holder;      /* the person or system holding it (free text) */
    bool reader;             /* read-only (role reader): the API refuses its writes */
    int64_t not_before;      /* validity, us since the epoch */
    int64_t not_after;
    int64_t issued;  /* when it was registered, us since the epoch */
    int64_t revoked; /* when it was revoked, us since the epoch; 0 = not revoked */
} ts_cert_rec_t;

/* Registers an issued certificate. rec->site_name, site_exists and revoked
 * are ignored. \retval TS_EEXIST same fingerprint or serial already known.
 * \retval TS_ENOENT site_id names no site.  \retval TS_EINVAL a malformed
 * fingerprint or serial, or csirt with a site / a site without csirt missing. */
TS_MUSTCHECK int ts_store_cert_add(ts_store_t *st, const ts_cert_rec_t *rec);

typedef int (*ts_cert_cb)(const ts_cert_rec_t *rec, void *ctx);
/* Looks up one certificate by its fingerprint (exactly TS_FINGERPRINT_HEX
 * lowercase hex digits) and calls cb once with it.
 * \retval TS_ENOENT unknown, or not a well-formed fingerprint.
 * \retval the callback's non-zero value. */
TS_MUSTCHECK int ts_store_cert_lookup(ts_store_t *st, const char *fingerprint, ts_cert_cb cb,
                                      void *ctx);
/* Marks a certificate revoked at time `when` (us, > 0). key is its serial
 * (lowercase hex) or its fingerprint. Revoking twice keeps the first time.
 * \retval TS_ENOENT no such certificate (also for a malformed key).
 * \retval TS_EINVAL when <= 0. */
TS_MUSTCHECK int ts_store_cert_revoke(ts_store_t *st, const char *key, int64_t when);
/* Every certificate, in issue order. */
TS_MUSTCHECK int ts_store_certs_foreach(ts_store_t *st, ts_cert_cb cb, void *ctx);

/* The checks ts_store_cert_add() applies, for callers that validate earlier
 * (the CA, the command line). */
/* Exactly TS_FINGERPRINT_HEX lowercase hex digits. */
bool ts_cert_fingerprint_valid(const char *fingerprint);
/* 1..20 octets as lowercase hex (an even number of digits). */
bool ts_cert_serial_valid(const char *serial);
/* 1..TS_HOLDER_MAX bytes of well-formed UTF-8 without control characters
 * (C0, DEL, C1, U+2028/U+2029) or bidirectional marks and overrides. */
bool ts_cert_holder_valid(const char *holder);
