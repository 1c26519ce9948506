/* SPDX-License-Identifier: Apache-2.0 */
/* OpenPGP through gpgme (see pgp.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gpgme.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/mem.h"
#include "notify/keycache.h"
#include "notify/pgp.h"

struct ts_pgp {
    gpgme_ctx_t ctx;
    gpgme_key_t signer;
    char signer_fpr[TS_PGP_FPR_MAX + 1];
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

/* No passphrase is ever typed: a signing key that needs one must be unlocked
 * in its agent beforehand, or the operation fails at once instead of
 * waiting for a pinentry nobody sees. */
static gpgme_error_t no_passphrase(void *hook, const char *uid_hint, const char *info, int bad,
                                   int fd)
{
    return gpg_error(GPG_ERR_NO_PASSPHRASE);
}

static gpgme_error_t new_ctx(const char *home, gpgme_ctx_t *ctx, char *err, size_t errsize)
{
    pthread_once(&once, init_gpgme);
    gpgme_error_t e = gpgme_new(ctx);
    if (!e && home)
        e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
    if (!e)
        e = gpgme_set_pinentry_mode(*ctx, GPGME_PINENTRY_MODE_LOOPBACK);
    if (e) {
        gerr(err, errsize, "gpgme", e);
        if (*ctx)
            gpgme_release(*ctx);
        *ctx = NULL;
        return e;
    }
    gpgme_set_passphrase_cb(*ctx, no_passphrase, NULL);
    gpgme_set_armor(*ctx, 1);
    return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Describes the key from its subkeys: the encryption subkeys decide. */
static void describe(gpgme_key_t k, int64_t now, ts_pgp_keyinfo_t *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->fpr, sizeof info->fpr, "%s", k->fpr ? k->fpr : "");
    if (k->uids && k->uids->uid)
        snprintf(info->uid, sizeof info->uid, "%s", k->uids->uid);
    info->revoked = k->revoked;
    bool any = false;
    /* A subkey is usable no longer than its primary key. */
    int64_t primary =
        k->subkeys && k->subkeys->expires > 0 ? (int64_t)k->subkeys->expires * 1000000 : 0;
    for (gpgme_subkey_t s = k->subkeys; s; s = s->next) {
        if (!s->can_encrypt || s->revoked || s->disabled || s->invalid)
            continue;
        int64_t exp = s->expires > 0 ? (int64_t)s->expires * 1000000 : 0;
        if (primary && (exp == 0 || primary < exp))
            exp = primary;
        bool expired = s->expired || (exp != 0 && exp <= now);
        any = true;
        if (!expired) {
            info->can_encrypt = true;
            if (info->expires == 0 || exp == 0 || exp > info->expires)
                info->expires = exp;
        } else if (!info->can_encrypt && exp > info->expires) {
            info->expires = exp;
        }
    }
    info->expired = any && !info->can_encrypt;
    if (k->revoked)
        info->can_encrypt = false;
}

int ts_pgp_key_inspect(const void *data, size_t len, int64_t now, ts_pgp_keyinfo_t *info, char *err,
                       size_t errsize)
{
    memset(info, 0, sizeof *info);
    if (data == NULL || len == 0) {
        ts_seterr(err, errsize, "empty");
        return TS_EINVAL;
    }
    if (len > TS_PGP_KEY_MAX) {
        ts_seterr(err, errsize, "larger than %u bytes", TS_PGP_KEY_MAX);
        return TS_ETOOBIG;
    }
    const char *tmp = getenv("TMPDIR");
    char home[512];
    snprintf(home, sizeof home, "%s/tocsin-key-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(home) == NULL) {
        ts_seterr(err, errsize, "cannot make a temporary GnuPG home in %s", tmp ? tmp : "/tmp");
        return TS_ECRYPTO;
    }
    gpgme_ctx_t ctx = NULL;
    gpgme_data_t in = NULL;
    int r = 0;
    if (new_ctx(home, &ctx, err, errsize)) {
        r = TS_ECRYPTO;
        goto out;
    }
    gpgme_error_t e = gpgme_data_new_from_mem(&in, data, len, 0);
    if (!e)
        e = gpgme_op_import(ctx, in);
    if (e) {
        gerr(err, errsize, "gpg import", e);
        r = gpgme_err_code(e) == GPG_ERR_NO_DATA ? TS_EINVAL : TS_ECRYPTO;
        goto out;
    }
    gpgme_import_result_t ir = gpgme_op_import_result(ctx);
    if (ir == NULL || ir->considered == 0 || ir->imports == NULL) {
        ts_seterr(err, errsize, "not an OpenPGP public key");
        r = TS_EINVAL;
        goto out;
    }
    if (ir->secret_read > 0 || ir->secret_imported > 0) {
        ts_seterr(err, errsize, "a secret key: give the public key only");
        r = TS_EINVAL;
        goto out;
    }
    if (ir->considered > 1 || ir->imports->next != NULL) {
        ts_seterr(err, errsize, "%d keys: give exactly one", ir->considered);
        r = TS_EINVAL;
        goto out;
    }
    if (ir->imports->result != 0 || ir->imports->fpr == NULL) {
        gerr(err, errsize, "not an importable key", ir->imports->result);
        r = TS_EINVAL;
        goto out;
    }
    gpgme_key_t k = NULL;
    e = gpgme_get_key(ctx, ir->imports->fpr, &k, 0);
    if (e) {
        gerr(err, errsize, "reading the imported key", e);
        r = TS_ECRYPTO;
        goto out;
    }
    describe(k, now, info);
    bool any_enc = false;
    for (gpgme_subkey_t s = k->subkeys; s; s = s->next)
        any_enc |= s->can_encrypt;
    gpgme_key_unref(k);
    if (!any_enc) {
        ts_seterr(err, errsize, "the key %s cannot encrypt (no encryption subkey)", info->fpr);
        r = TS_EINVAL;
    }
out:
    gpgme_data_release(in);
    if (ctx)
        gpgme_release(ctx);
    /* gpg needs no agent to import a public key, but stop one if it came. */
    char sock[600];
    snprintf(sock, sizeof sock, "%s/S.gpg-agent", home);
    if (access(sock, F_OK) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, 1);
                dup2(null, 2);
            }
            execlp("gpgconf", "gpgconf", "--homedir", home, "--kill", "gpg-agent", (char *)NULL);
            _exit(127);
        }
        int status;
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    nftw(home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return r;
}

int ts_pgp_open(const char *home, const char *sign_key, ts_pgp_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_pgp_t *p = ts_xcalloc(1, sizeof *p);
    if (new_ctx(home, &p->ctx, err, errsize)) {
        free(p);
        return TS_ECRYPTO;
    }
    gpgme_error_t e = gpgme_op_keylist_start(p->ctx, sign_key, 1);
    gpgme_key_t k;
    int found = 0;
    while (!e && !(e = gpgme_op_keylist_next(p->ctx, &k))) {
        if (k->can_sign && !k->revoked && !k->expired && !k->disabled && !k->invalid &&
            found++ == 0)
            p->signer = k;
        else
            gpgme_key_unref(k);
    }
    gpgme_op_keylist_end(p->ctx);
    if (found != 1) {
        ts_seterr(err, errsize, "%s",
                  found == 0 ? "no usable secret signing key"
                             : "several secret keys: name one (--sign-key)");
        ts_pgp_close(p);
        return TS_ENOENT;
    }
    snprintf(p->signer_fpr, sizeof p->signer_fpr, "%s", p->signer->fpr);
    e = gpgme_signers_add(p->ctx, p->signer);
    if (e) {
        gerr(err, errsize, "signing key", e);
        ts_pgp_close(p);
        return TS_ECRYPTO;
    }
    *out = p;
    return 0;
}

void ts_pgp_close(ts_pgp_t *p)
{
    if (p == NULL)
        return;
    ts_keycache_clear(&p->keys);
    if (p->signer)
        gpgme_key_unref(p->signer);
    gpgme_release(p->ctx);
    free(p);
}

const char *ts_pgp_signer(const ts_pgp_t *p)
{
    return p->signer_fpr;
}

static void take(gpgme_data_t d, ts_buf_t *out)
{
    size_t n = 0;
    char *m = gpgme_data_release_and_get_mem(d, &n);
    if (m)
        ts_buf_append(out, m, n);
    gpgme_free(m);
}

int ts_pgp_sign(ts_pgp_t *p, const char *data, size_t len, ts_buf_t *sig, char micalg[32])
{
    gpgme_data_t in = NULL, out = NULL;
    gpgme_error_t e = gpgme_data_new_from_mem(&in, data, len, 0);
    if (!e)
        e = gpgme_data_new(&out);
    if (!e)
        e = gpgme_op_sign(p->ctx, in, out, GPGME_SIG_MODE_DETACH);
    gpgme_sign_result_t sr = e ? NULL : gpgme_op_sign_result(p->ctx);
    gpgme_data_release(in);
    if (e || sr == NULL || sr->signatures == NULL) {
        gpgme_data_release(out);
        return TS_ECRYPTO;
    }
    const char *h = gpgme_hash_algo_name(sr->signatures->hash_algo);
    snprintf(micalg, 32, "pgp-%s", h ? h : "sha256");
    for (char *c = micalg; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    take(out, sig);
    return 0;
}

static gpgme_key_t recipient(ts_pgp_t *p, const char *fpr, const char *key, size_t key_len,
                             char *err, size_t errsize)
{
    gpgme_key_t k = ts_keycache_find(&p->keys, fpr);
    if (k)
        return k;
    gpgme_error_t e = gpgme_get_key(p->ctx, fpr, &k, 0);
    if (e && key && key_len) {
        gpgme_data_t in = NULL;
        e = gpgme_data_new_from_mem(&in, key, key_len, 0);
        if (!e)
            e = gpgme_op_import(p->ctx, in);
        gpgme_data_release(in);
        if (!e)
            e = gpgme_get_key(p->ctx, fpr, &k, 0);
    }
    if (e) {
        gerr(err, errsize, "the contact's key", e);
        return NULL;
    }
    ts_keycache_put(&p->keys, k);
    return k;
}

int ts_pgp_encrypt_sign(ts_pgp_t *p, const char *fpr, const char *key, size_t key_len,
                        const char *data, size_t len, ts_buf_t *out, char *err, size_t errsize)
{
    gpgme_key_t k = recipient(p, fpr, key, key_len, err, errsize);
    if (k == NULL)
        return TS_ECRYPTO;
    if (!k->can_encrypt || k->revoked || k->expired) {
        ts_seterr(err, errsize, "the key %s cannot encrypt now (expired or revoked)", fpr);
        return TS_EINVAL;
    }
    gpgme_key_t rcpt[2] = {k, NULL};
    gpgme_data_t in = NULL, o = NULL;
    gpgme_error_t e = gpgme_data_new_from_mem(&in, data, len, 0);
    if (!e)
        e = gpgme_data_new(&o);
    /* The key was checked when the contact was added (fingerprint, expiry,
     * usage): the CSIRT vouches for it, gpg's web of trust has no say. */
    if (!e)
        e = gpgme_op_encrypt_sign(p->ctx, rcpt, GPGME_ENCRYPT_ALWAYS_TRUST, in, o);
    gpgme_data_release(in);
    if (e) {
        gerr(err, errsize, "encrypting", e);
        gpgme_data_release(o);
        return TS_ECRYPTO;
    }
    take(o, out);
    return 0;
}
