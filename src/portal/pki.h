/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin's own certificate authority (GnuTLS): it issues the site
 * certificates the portal accepts, registers each in the certificate registry
 * (store/certreg.h), revokes them and signs the CRL the server checks.
 *
 * A CA directory holds (keys 0600, directory 0700):
 *   ca.pem      the CA certificate (also what the server trusts for clients)
 *   ca.key      its private key
 *   crl.pem     the current CRL, rewritten atomically (rename) on each change
 *   server.pem, server.key   the portal's TLS certificate, issued by ts_ca_init
 *   serial      nothing: serials are 16 random octets (RFC 5280 uniqueness)
 *
 * Every function that fails explains why in err (errsize bytes; may be NULL). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/certreg.h"
#include "store/store.h"

typedef struct ts_ca ts_ca_t;

/* Creates a CA in dir (created 0700 if missing): an ECDSA P-256 key and a
 * self-signed CA certificate with subject CN=name, valid `days` days, an
 * empty CRL, and a server certificate for the portal valid for the host names
 * and addresses in server_names (NULL-terminated; e.g. "localhost",
 * "127.0.0.1"). \retval TS_EEXIST dir already holds a CA (never overwritten).
 * \retval TS_EIO, TS_ECRYPTO. */
TS_MUSTCHECK int ts_ca_init(const char *dir, const char *name, unsigned days,
                            const char *const *server_names, char *err, size_t errsize);

/* Opens the CA of dir (certificate and key). Free with ts_ca_close().
 * \retval TS_ENOENT no CA there.  \retval TS_EIO, TS_ECRYPTO. */
TS_MUSTCHECK int ts_ca_open(const char *dir, ts_ca_t **out /* OUT */, char *err, size_t errsize);
void ts_ca_close(ts_ca_t *ca);

typedef struct ts_cert_request {
    int64_t site_id;     /* the site; 0 with csirt */
    bool csirt;          /* a CSIRT certificate, sees the whole constituency */
    const char *holder;  /* 1..TS_HOLDER_MAX bytes, printable UTF-8 */
    bool reader;         /* read-only: the API refuses its writes (403) */
    int64_t not_before;  /* us since the epoch; TS_TIME_NONE = now - 1 min */
    int64_t not_after;   /* us since the epoch; TS_TIME_NONE = not_before + 365 days */
    bool no_client_auth; /* tests only: leave out the clientAuth extended key usage */
} ts_cert_request_t;

typedef struct ts_issued {
    char fingerprint[TS_FINGERPRINT_HEX + 1];
    char serial[TS_SERIAL_HEX_MAX + 1];
    char cert_path[4096]; /* DIR/NAME.pem */
    char key_path[4096];  /* DIR/NAME.key, 0600 */
    char p12_path[4096];  /* DIR/NAME.p12, 0600, protected by the password given */
} ts_issued_t;

/* Issues a client certificate (new ECDSA P-256 key), writes it to outdir as
 * base.pem, base.key and base.p12 (PKCS#12 with key and certificate,
 * encrypted with p12_password, which may be "" for none), and registers it in
 * st in the same step: a certificate that is not registered never leaves the
 * function. The subject is informational (CN=holder, OU=site): the portal
 * identifies by fingerprint. \retval TS_ENOENT no such site.
 * \retval TS_EEXIST an output file exists (never overwritten). */
TS_MUSTCHECK int ts_ca_issue(ts_ca_t *ca, ts_store_t *st, const ts_cert_request_t *req,
                             const char *outdir, const char *base, const char *p12_password,
                             ts_issued_t *out /* OUT */, char *err, size_t errsize);

/* Writes a new CRL (crl.pem in the CA directory, atomically) listing every
 * certificate the registry marks revoked, valid for valid_hours from now.
 * \retval TS_EIO, TS_ECRYPTO, TS_EDB. */
TS_MUSTCHECK int ts_ca_write_crl(ts_ca_t *ca, ts_store_t *st, unsigned valid_hours, char *err,
                                 size_t errsize);

/* When the CRL in dir (crl.pem) stops being valid (its nextUpdate), in us
 * since the epoch. \retval TS_ENOENT no CRL.  \retval TS_EIO, TS_ECRYPTO
 * (unreadable, no nextUpdate). */
TS_MUSTCHECK int ts_ca_crl_next_update(const char *dir, int64_t *next /* OUT */, char *err,
                                       size_t errsize);

/* Paths inside a CA directory, for the server and the CLI. */
const char *ts_ca_dir(const ts_ca_t *ca);
#define TS_CA_CERT_FILE "ca.pem"
#define TS_CA_KEY_FILE "ca.key"
#define TS_CA_CRL_FILE "crl.pem"
#define TS_CA_SERVER_CERT_FILE "server.pem"
#define TS_CA_SERVER_KEY_FILE "server.key"
#define TS_CRL_HOURS_DEFAULT (7 * 24)
