/* SPDX-License-Identifier: Apache-2.0 */
/* OpenPGP through gpgme: checking a contact's public key, and signing and
 * encrypting the mails (RFC 3156 needs a detached signature, and an
 * encrypted-and-signed message for multipart/encrypted).
 *
 * Keys: the CSIRT's signing key lives in its GnuPG home (home, or GNUPGHOME,
 * or ~/.gnupg); a contact's public key is stored with the contact and
 * imported into that home when a mail to the contact is encrypted (an
 * import of a key already there changes nothing). Keys are checked, when a
 * contact is added, in a throwaway home that is removed afterwards, so that
 * something that is not a key never reaches the CSIRT's keyring.
 *
 * A ts_pgp_t is used by one thread at a time. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define TS_PGP_FPR_MAX 64
#define TS_PGP_KEY_MAX (256u << 10) /* bytes of an armoured public key */

typedef struct ts_pgp_keyinfo {
    char fpr[TS_PGP_FPR_MAX + 1]; /* primary key fingerprint, upper-case hex */
    char uid[256];                /* the first user id, "" when none */
    int64_t expires;              /* us since the epoch of the encryption subkey; 0 = never */
    bool can_encrypt;             /* a valid (not expired, not revoked) encryption subkey */
    bool expired;                 /* every encryption subkey has expired */
    bool revoked;
} ts_pgp_keyinfo_t;

/* Checks that data (len bytes, ASCII armour or binary) holds exactly one
 * OpenPGP public key and describes it; at `now` (us) it is expired when its
 * encryption subkeys are. No secret key is accepted.
 * \retval 0.  \retval TS_EINVAL not a key, several keys, a secret key, or no
 * encryption subkey at all (err says which).  \retval TS_ETOOBIG.
 * \retval TS_ECRYPTO gpgme or gpg failed (err says how). */
TS_MUSTCHECK int ts_pgp_key_inspect(const void *data, size_t len, int64_t now,
                                    ts_pgp_keyinfo_t *info /* OUT */, char *err, size_t errsize);

typedef struct ts_pgp ts_pgp_t;

/* Opens the GnuPG home `home` (NULL: gpg's default) for signing with the
 * secret key sign_key (a fingerprint, or NULL for the home's only secret
 * key). \retval 0, *out set (ts_pgp_close()).  \retval TS_ENOENT no such
 * secret key (or several and none named).  \retval TS_ECRYPTO. */
TS_MUSTCHECK int ts_pgp_open(const char *home, const char *sign_key, ts_pgp_t **out /* OUT */,
                             char *err, size_t errsize);
void ts_pgp_close(ts_pgp_t *p);
/* The signing key's fingerprint. */
const char *ts_pgp_signer(const ts_pgp_t *p);

/* A detached, armoured signature of data into sig; micalg gets the RFC 3156
 * name of the hash ("pgp-sha256"). \retval 0.  \retval TS_ECRYPTO. */
TS_MUSTCHECK int ts_pgp_sign(ts_pgp_t *p, const char *data, size_t len, ts_buf_t *sig,
                             char micalg[32]);
/* data signed and encrypted to the key fpr (armoured key given in key, len
 * key_len, imported when not yet known), armoured, into out.
 * \retval 0.  \retval TS_EINVAL the key is not usable for encryption now.
 * \retval TS_ECRYPTO. */
TS_MUSTCHECK int ts_pgp_encrypt_sign(ts_pgp_t *p, const char *fpr, const char *key, size_t key_len,
                                     const char *data, size_t len, ts_buf_t *out, char *err,
                                     size_t errsize);
