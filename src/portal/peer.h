/* SPDX-License-Identifier: Apache-2.0 */
/* Client certificate verification for the portal, deny by default.
 *
 * libmicrohttpd with HTTPS_MEM_TRUST only *requests* a client certificate:
 * the handshake succeeds whatever the client sends. This module decides, for
 * each connection, whether the peer is one of tocsin's site certificates:
 *
 *   1. the trust state is usable: the CA certificate loaded, and a CRL signed
 *      by that CA that is not out of date (otherwise everything is refused);
 *   2. the chain the peer sent (at most 2 certificates) verifies against that
 *      CA only (never the system store), with its validity period and the CRL;
 *   3. the leaf carries the clientAuth extended key usage (a certificate
 *      without any EKU is refused as well);
 *   4. the SHA-256 fingerprint of the leaf's DER encoding is in the
 *      certificate registry, not revoked there, and its site still exists.
 *
 * The identity is the registry entry found by fingerprint, never a name from
 * the certificate. Every refusal has its own reason code for the log.
 *
 * Threading: a ts_peer_trust_t is shared by every server thread. Verification
 * takes a reference on the current trust state; a reload builds a new state
 * and swaps it in, and the old one is freed when its last user is done. */
#pragma once
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "portal/http.h"
#include "store/store.h"

typedef enum ts_peer_reason {
    TS_PEER_OK = 0,
    TS_PEER_NO_CERT,             /* the client sent no certificate */
    TS_PEER_BAD_CERT,            /* not an X.509 certificate we can parse */
    TS_PEER_CHAIN_TOO_LONG,      /* more than 2 certificates */
    TS_PEER_UNKNOWN_ISSUER,      /* not issued by tocsin's CA */
    TS_PEER_SELF_SIGNED,         /* a self-signed leaf */
    TS_PEER_BAD_SIGNATURE,       /* issuer name matches, signature does not */
    TS_PEER_EXPIRED,             /* not_after in the past */
    TS_PEER_NOT_YET_VALID,       /* not_before in the future */
    TS_PEER_REVOKED,             /* listed in the CRL */
    TS_PEER_INVALID,             /* any other chain verification failure */
    TS_PEER_NO_TRUST,            /* the CA certificate could not be loaded */
    TS_PEER_CRL_MISSING,         /* crl.pem absent or unreadable */
    TS_PEER_CRL_BAD,             /* crl.pem does not parse */
    TS_PEER_CRL_BAD_SIGNATURE,   /* crl.pem not signed by the CA */
    TS_PEER_CRL_OUT_OF_DATE,     /* its next update is in the past (or absent) */
    TS_PEER_NO_CLIENT_AUTH,      /* no clientAuth extended key usage */
    TS_PEER_UNKNOWN_FINGERPRINT, /* not in the certificate registry */
    TS_PEER_REVOKED_REGISTRY,    /* revoked in the registry */
    TS_PEER_SITE_REMOVED,        /* its site was removed */
    TS_PEER_STORE_ERROR,         /* the registry could not be read */
} ts_peer_reason_t;

/* Stable short name of a reason ("ok", "no_certificate", "expired", ...),
 * for the log. Never NULL. */
const char *ts_peer_reason_name(ts_peer_reason_t r);

typedef struct ts_peer_trust ts_peer_trust_t;

/* Loads the trust state from cadir (ca.pem and crl.pem). A CRL problem does
 * not fail: it puts the state in "refuse everything" until a good CRL
 * appears. Free with ts_peer_trust_close().
 * \retval TS_ENOENT, TS_EIO ca.pem missing or unreadable.
 * \retval TS_ECRYPTO ca.pem does not hold a certificate. */
TS_MUSTCHECK int ts_peer_trust_open(const char *cadir, ts_peer_trust_t **out /* OUT */, char *err,
                                    size_t errsize);
/* Call only after every verifying thread has stopped. */
void ts_peer_trust_close(ts_peer_trust_t *t);
/* Reloads ca.pem and crl.pem now (SIGHUP). A ca.pem that cannot be loaded
 * leaves a state that refuses everything. */
void ts_peer_trust_reload(ts_peer_trust_t *t);
/* Reloads when ca.pem or crl.pem changed (inode, size or mtime), looking at
 * most once a second. ts_peer_verify_chain() calls it. */
void ts_peer_trust_check(ts_peer_trust_t *t);
/* Changes each time a new trust state is swapped in. */
uint64_t ts_peer_trust_generation(ts_peer_trust_t *t);
/* Why the current state refuses everything, or TS_PEER_OK when it is usable. */
ts_peer_reason_t ts_peer_trust_state(ts_peer_trust_t *t);

/* Steps 1-3 for a chain given as DER certificates, leaf first, at time now
 * (seconds since the epoch). Writes the leaf's fingerprint (lowercase hex,
 * TS_FINGERPRINT_HEX digits) to fp when the leaf parses, "" otherwise. */
ts_peer_reason_t ts_peer_verify_chain(ts_peer_trust_t *t, const gnutls_datum_t *certs, unsigned n,
                                      int64_t now, char fp[TS_FINGERPRINT_HEX + 1]);
/* Step 4: looks fp up in the registry and fills who on TS_PEER_OK. */
ts_peer_reason_t ts_peer_identify(ts_store_t *st, const char *fp, ts_principal_t *who /* OUT */);
/* Steps 1-3 for the peer of a TLS session (its certificate list). */
ts_peer_reason_t ts_peer_verify_session(ts_peer_trust_t *t, gnutls_session_t session,
                                        char fp[TS_FINGERPRINT_HEX + 1]);
