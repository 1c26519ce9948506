/* SPDX-License-Identifier: Apache-2.0 */
/* S/MIME through gpgme's CMS protocol (see smime.h). */
#include <gnutls/x509.h>
#include <gpgme.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "notify/keycache.h"
#include "notify/smime.h"

struct ts_smime {
    gpgme_ctx_t ctx; /* signing, and looking certificates up */
    char *home;      /* NULL: the default home */
    gpgme_key_t signer;
    char signer_fpr[TS_SMIME_FPR_MAX + 1];
    ts_keycache_t keys; /* recipients already looked up */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_gpgme(void)
{
    gpgme_check_version(NULL);
    gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
}

static void gerr(char *err, size_t errsize, const char *what, gpgme_error_t e)
{
    ts_seterr(err, errsize, "%s: %s", what, gpgme_strerror(e));
}

/* A gpgme context on gpgsm in home, binary output. */
static gpgme_error_t cms_ctx(const char *home, gpgme_ctx_t *ctx)
{
    pthread_once(&once, init_gpgme);
    gpgme_error_t e = gpgme_new(ctx);
    if (!e)
        e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_CMS);
    if (!e && home)
        e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_CMS, NULL, home);
    /* No passphrase is ever typed (see pgp.c): loopback mode without a
     * passphrase callback makes a key that wants one fail at once. (gpgme's
     * CMS engine answers a callback's refusal with "Not implemented" even
     * for a key without a passphrase, so there is none.) */
    if (!e)
        e = gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_LOOPBACK);
    if (e && *ctx) {
        gpgme_release(*ctx);
        *ctx = NULL;
    }
    if (!e)
        gpgme_set_armor(*ctx, 0);
    return e;
}

int ts_smime_open(const char *home, const char *sign_key, ts_smime_t **out, char *err,
                  size_t errsize)
{
    *out = NULL;
    ts_smime_t *s = ts_xcalloc(1, sizeof *s);
    s->home = home ? ts_xstrdup(home) : NULL;
    gpgme_error_t e = cms_ctx(home, &s->ctx);
    if (e) {
        gerr(err, errsize, "gpgme (CMS)", e);
        ts_smime_close(s);
        return TS_ECRYPTO;
    }
    /* The whole chain, root included: a recipient that knows none of it can
     * still check the signature, and decide on the root itself. */
    gpgme_set_include_certs(s->ctx, -1);
    gpgme_key_t k;
    int found = 0;
    e = gpgme_op_keylist_start(s->ctx, sign_key, 1);
    while (!e && !(e = gpgme_op_keylist_next(s->ctx, &k))) {
        if (k->can_sign && !k->revoked && !k->expired && !k->disabled && !k->invalid &&
            found++ == 0)
            s->signer = k;
        else
            gpgme_key_unref(k);
    }
    gpgme_op_keylist_end(s->ctx);
    if (e && gpgme_err_code(e) != GPG_ERR_EOF) {
        gerr(err, errsize, "gpgsm keylist", e);
        ts_smime_close(s);
        return TS_ECRYPTO;
    }
    if (found != 1) {
        ts_seterr(err, errsize, "%s",
                  found == 0 ? "no usable S/MIME signing certificate with its secret key"
                             : "several S/MIME signing certificates: name one "
                               "(--smime-sign-key)");
        ts_smime_close(s);
        return TS_ENOENT;
    }
    snprintf(s->signer_fpr, sizeof s->signer_fpr, "%s", s->signer->fpr ? s->signer->fpr : "");
    e = gpgme_signers_add(s->ctx, s->signer);
    if (e) {
        gerr(err, errsize, "S/MIME signing certificate", e);
        ts_smime_close(s);
        return TS_ECRYPTO;
    }
    /* One signature now, so that a certificate gpgsm will not sign with (an
     * untrusted root, no CRL, a key that wants a passphrase) stops the
     * notifier at its start, not each S/MIME mail later. */
    ts_buf_t probe = TS_BUF_INIT;
    char micalg[32];
    int r = ts_smime_sign(s, "tocsin\r\n", 8, &probe, micalg, err, errsize);
    ts_buf_free(&probe);
    if (r) {
        ts_smime_close(s);
        return r;
    }
    *out = s;
    return 0;
}

void ts_smime_close(ts_smime_t *s)
{
    if (s == NULL)
        return;
    ts_keycache_clear(&s->keys);
    if (s->signer)
        gpgme_key_unref(s->signer);
    if (s->ctx)
        gpgme_release(s->ctx);
    free(s->home);
    free(s);
}

const char *ts_smime_signer(const ts_smime_t *s)
{
    return s->signer_fpr;
}

static void take(gpgme_data_t d, ts_buf_t *out)
{
    size_t n = 0;
    char *m = gpgme_data_release_and_get_mem(d, &n);
    if (m)
        ts_buf_append(out, m, n);
    gpgme_free(m);
}

/* RFC 8551 section 3.5.3.1 names. */
static const char *micalg_name(gpgme_hash_algo_t h)
{
    switch (h) {
    case GPGME_MD_SHA1:
        return "sha-1";
    case GPGME_MD_SHA224:
        return "sha-224";
    case GPGME_MD_SHA384:
        return "sha-384";
    case GPGME_MD_SHA512:
        return "sha-512";
    default:
        return "sha-256";
    }
}

/* A hint for the CSIRT when gpgsm refuses a certificate. */
static const char *hint(gpgme_error_t e)
{
    switch (gpgme_err_code(e)) {
    case GPG_ERR_NOT_TRUSTED:
        return " (its root is not in the gpgsm home's trustlist.txt)";
    case GPG_ERR_MISSING_ISSUER_CERT:
        return " (give the certificate with its chain, or import the issuer)";
    case GPG_ERR_NO_CRL_KNOWN:
    case GPG_ERR_CRL_TOO_OLD:
        return " (no current CRL: run dirmngr, or disable-crl-checks in gpgsm.conf)";
    default:
        return "";
    }
}

int ts_smime_sign(ts_smime_t *s, const char *data, size_t len, ts_buf_t *sig, char micalg[32],
                  char *err, size_t errsize)
{
    gpgme_data_t in = NULL, out = NULL;
    gpgme_error_t e = gpgme_data_new_from_mem(&in, data, len, 0);
    if (!e)
        e = gpgme_data_new(&out);
    if (!e)
        e = gpgme_op_sign(s->ctx, in, out, GPGME_SIG_MODE_DETACH);
    gpgme_sign_result_t sr = e ? NULL : gpgme_op_sign_result(s->ctx);
    gpgme_data_release(in);
    if (e || sr == NULL || sr->signatures == NULL) {
        ts_seterr(err, errsize, "S/MIME signing with %s: %s%s", s->signer_fpr,
                  e ? gpgme_strerror(e) : "no signature made", e ? hint(e) : "");
        gpgme_data_release(out);
        return TS_ECRYPTO;
    }
    snprintf(micalg, 32, "%s", micalg_name(sr->signatures->hash_algo));
    take(out, sig);
    return 0;
}

int ts_smime_cert_fpr(const char *pem, char fpr[TS_SMIME_FPR_MAX + 1], int64_t *expires)
{
    fpr[0] = '\0';
    *expires = 0;
    if (pem == NULL || strlen(pem) > TS_SMIME_CERT_MAX)
        return TS_EINVAL;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return TS_ECRYPTO;
    gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
    unsigned char raw[20];
    size_t n = sizeof raw;
    int r = 0;
    if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, raw, &n) < 0 || n != sizeof raw) {
        r = TS_EINVAL;
    } else {
        for (size_t i = 0; i < n; i++)
            snprintf(fpr + 2 * i, 3, "%02X", raw[i]);
        time_t exp = gnutls_x509_crt_get_expiration_time(crt);
        *expires = exp == (time_t)-1 ? 0 : (int64_t)exp * 1000000;
    }
    gnutls_x509_crt_deinit(crt);
    return r;
}

static gpgme_key_t recipient(ts_smime_t *s, const char *fpr, const char *pem, char *err,
                             size_t errsize)
{
    gpgme_key_t k = ts_keycache_find(&s->keys, fpr);
    if (k)
        return k;
    gpgme_error_t e = gpgme_get_key(s->ctx, fpr, &k, 0);
    if (e) {
        gpgme_data_t in = NULL;
        e = gpgme_data_new_from_mem(&in, pem, strlen(pem), 0);
        if (!e)
            e = gpgme_op_import(s->ctx, in);
        gpgme_data_release(in);
        if (!e)
            e = gpgme_get_key(s->ctx, fpr, &k, 0);
    }
    if (e) {
        gerr(err, errsize, "the contact's certificate", e);
        return NULL;
    }
    ts_keycache_put(&s->keys, k);
    return k;
}

int ts_smime_encrypt(ts_smime_t *s, const char *cert_pem, const char *data, size_t len,
                     ts_buf_t *out, char *err, size_t errsize)
{
    char fpr[TS_SMIME_FPR_MAX + 1];
    int64_t expires;
    int r = ts_smime_cert_fpr(cert_pem, fpr, &expires);
    if (r) {
        ts_seterr(err, errsize, "the contact's S/MIME certificate is not a PEM X.509 certificate");
        return r;
    }
    gpgme_key_t k = recipient(s, fpr, cert_pem, err, errsize);
    if (k == NULL)
        return TS_ECRYPTO;
    if (!k->can_encrypt || k->revoked || k->expired || k->disabled) {
        ts_seterr(err, errsize, "the S/MIME certificate %s cannot encrypt now (%s)", fpr,
                  k->revoked   ? "revoked"
                  : k->expired ? "expired"
                               : "not for encryption");
        return TS_EINVAL;
    }
    gpgme_key_t rcpt[2] = {k, NULL};
    gpgme_data_t in = NULL, o = NULL;
    /* A gpgsm session of its own for each encryption: gpgsm 2.2 answers the
     * eighth ENCRYPT of one session with ENOMEM, and every command after it
     * (signing too) with an IPC error. */
    gpgme_ctx_t ec = NULL;
    gpgme_error_t e = cms_ctx(s->home, &ec);
    if (!e)
        e = gpgme_data_new_from_mem(&in, data, len, 0);
    if (!e)
        e = gpgme_data_new(&o);
    if (!e)
        e = gpgme_op_encrypt(ec, rcpt, 0, in, o);
    gpgme_data_release(in);
    if (e && gpgme_err_code(e) == GPG_ERR_UNUSABLE_PUBKEY) {
        /* gpgsm's reason is the recipient's. */
        gpgme_encrypt_result_t er = gpgme_op_encrypt_result(ec);
        if (er && er->invalid_recipients && er->invalid_recipients->reason)
            e = er->invalid_recipients->reason;
    }
    if (ec)
        gpgme_release(ec);
    if (e) {
        ts_seterr(err, errsize, "S/MIME encryption to %s: %s%s", fpr, gpgme_strerror(e), hint(e));
        gpgme_data_release(o);
        /* Expired or revoked after gpgsm listed it: as an expired one. */
        return gpgme_err_code(e) == GPG_ERR_CERT_EXPIRED ||
                       gpgme_err_code(e) == GPG_ERR_CERT_REVOKED
                   ? TS_EINVAL
                   : TS_ECRYPTO;
    }
    take(o, out);
    return 0;
}
