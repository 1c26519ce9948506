/* SPDX-License-Identifier: Apache-2.0 */
/* The recipient keys (OpenPGP keys, S/MIME certificates) a signer has
 * already looked up through gpgme: a digest run encrypts to the same
 * contacts many times, and each lookup is a round trip to gpg or gpgsm.
 * A fixed number is kept, the oldest replaced first. Used by pgp.c and
 * smime.c, one thread at a time (the signer's). */
#pragma once
#include <gpgme.h>
#include <stddef.h>

#define TS_KEYCACHE_MAX 64

typedef struct ts_keycache {
    gpgme_key_t keys[TS_KEYCACHE_MAX];
    size_t n, next_evict;
} ts_keycache_t;

/* The key of fingerprint fpr (case ignored), borrowed; NULL when not kept. */
gpgme_key_t ts_keycache_find(const ts_keycache_t *c, const char *fpr);
/* Keeps k (the cache takes the caller's reference), releasing the oldest
 * when full. */
void ts_keycache_put(ts_keycache_t *c, gpgme_key_t k);
/* Releases every key kept. */
void ts_keycache_clear(ts_keycache_t *c);
