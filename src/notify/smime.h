/* SPDX-License-Identifier: Apache-2.0 */
/* S/MIME (RFC 8551) through gpgme's CMS protocol (gpgsm): signing the mails
 * with the CSIRT's certificate, and encrypting them to a contact's.
 *
 * Certificates: the CSIRT's signing certificate and its secret key live in
 * its gpgsm home (the GnuPG home: home, or GNUPGHOME, or ~/.gnupg); a
 * contact's certificate (PEM, optionally followed by its chain) is stored
 * with the contact and imported into that home when a mail is encrypted to
 * it. Unlike OpenPGP, gpgsm has no "always trust": the contact's
 * certificate must chain to a root the home trusts (its trustlist.txt), as
 * the CSIRT's own does. A certificate that does not is a configuration
 * error (TS_ECRYPTO, the mail is not built), never a reason to send in
 * clear.
 *
 * A ts_smime_t is used by one thread at a time. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define TS_SMIME_FPR_MAX 64
#define TS_SMIME_CERT_MAX (64u << 10) /* bytes of a PEM certificate (with its chain) */

typedef struct ts_smime ts_smime_t;

/* Opens the gpgsm home `home` (NULL: the default GnuPG home) for signing
 * with the certificate sign_key (a fingerprint, "&KEYGRIP", or NULL for the
 * home's only certificate with a secret key). One signature is made to
 * check that gpgsm signs with it.
 * \retval 0, *out set (ts_smime_close()).  \retval TS_ENOENT no such
 * certificate with a usable secret key (or several and none named).
 * \retval TS_ECRYPTO gpgme or gpgsm failed, or gpgsm will not sign with it
 * (its root not trusted, no CRL, a passphrase wanted: err says which). */
TS_MUSTCHECK int ts_smime_open(const char *home, const char *sign_key, ts_smime_t **out /* OUT */,
                               char *err, size_t errsize);
void ts_smime_close(ts_smime_t *s);
/* The signing certificate's fingerprint (SHA-1, upper-case hex). */
const char *ts_smime_signer(const ts_smime_t *s);

/* A detached CMS signature (DER) of data into sig; micalg gets the RFC 8551
 * name of the hash ("sha-256").
 * \retval 0.  \retval TS_ECRYPTO (err says why: an untrusted or expired
 * signing certificate, an agent that wants a passphrase). */
TS_MUSTCHECK int ts_smime_sign(ts_smime_t *s, const char *data, size_t len, ts_buf_t *sig,
                               char micalg[32], char *err, size_t errsize);

/* The leaf (first) certificate of a PEM text: its SHA-1 fingerprint
 * (upper-case hex, as gpgsm names it) and its expiry (us since the epoch).
 * \retval 0.  \retval TS_EINVAL not a PEM X.509 certificate (or larger
 * than TS_SMIME_CERT_MAX).  \retval TS_ECRYPTO GnuTLS failed. */
TS_MUSTCHECK int ts_smime_cert_fpr(const char *pem, char fpr[TS_SMIME_FPR_MAX + 1] /* OUT */,
                                   int64_t *expires /* OUT */);

/* data encrypted (enveloped-data, DER) to the certificate cert_pem (its
 * leaf; the certificates are imported when not yet known) into out.
 * \retval 0.  \retval TS_EINVAL the certificate is not one, has expired, is
 * revoked or cannot encrypt.  \retval TS_ECRYPTO gpgsm refused it (not
 * trusted, a missing issuer: err says which) or failed. */
TS_MUSTCHECK int ts_smime_encrypt(ts_smime_t *s, const char *cert_pem, const char *data, size_t len,
                                  ts_buf_t *out, char *err, size_t errsize);
