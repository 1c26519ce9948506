/* SPDX-License-Identifier: Apache-2.0 */
/* Throwaway GnuPG homes for the notification tests: keys made with the gpg
 * command line in temporary directories, their agents stopped at the end.
 * No passphrases (the tests never type one). */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct gt_home {
    char *dir;
    char fpr[80]; /* the primary key made by gt_home_new */
} gt_home_t;

/* Runs gpg in home with args (a shell fragment); 0 on success. */
static inline int gt_gpg(const gt_home_t *h, const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "gpg --homedir '%s' --batch --no-tty --pinentry-mode loopback --passphrase '' %s "
             "2>/dev/null",
             h->dir, args);
    return tt_run(cmd, out);
}

/* A new home holding one key for uid: "sign" (ed25519, signing only),
 * "default" (signing key with an encryption subkey); expire "never" or a
 * gpg period ("1d"). */
static inline int gt_home_new(gt_home_t *h, const char *uid, const char *usage, const char *expire)
{
    memset(h, 0, sizeof *h);
    h->dir = tt_tmpdir();
    char args[512];
    snprintf(args, sizeof args, "--quick-gen-key '%s' %s %s %s", uid,
             strcmp(usage, "sign") == 0 ? "ed25519" : "future-default",
             strcmp(usage, "sign") == 0 ? "sign" : "default", expire);
    if (gt_gpg(h, args, NULL) != 0)
        return -1;
    char *out = NULL;
    if (gt_gpg(h, "--with-colons --list-keys", &out) != 0 || out == NULL)
        return -1;
    char *fpr = strstr(out, "\nfpr:::::::::");
    if (fpr)
        snprintf(h->fpr, sizeof h->fpr, "%.*s", (int)strcspn(fpr + 13, ":"), fpr + 13);
    free(out);
    return h->fpr[0] ? 0 : -1;
}

/* The armoured public key of the home's key (malloc'd). */
static inline char *gt_export(const gt_home_t *h)
{
    char *out = NULL, args[128];
    snprintf(args, sizeof args, "--armor --export %s", h->fpr);
    if (gt_gpg(h, args, &out) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Imports from's public key into h. */
static inline int gt_trust(const gt_home_t *h, const gt_home_t *from)
{
    char *pub = gt_export(from);
    char path[1024], args[1200];
    snprintf(path, sizeof path, "%s/import.asc", h->dir);
    int r = pub && tt_write_file(path, pub, strlen(pub)) == 0 ? 0 : -1;
    snprintf(args, sizeof args, "--import '%s'", path);
    if (r == 0)
        r = gt_gpg(h, args, NULL);
    free(pub);
    return r;
}

/* Runs gpgsm in home with args (a shell fragment); 0 on success. */
static inline int gt_gpgsm(const gt_home_t *h, const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "gpgsm --homedir '%s' --batch --no-tty --pinentry-mode loopback --passphrase '' %s "
             "2>/dev/null",
             h->dir, args);
    return tt_run(cmd, out);
}

static inline int gt_smime_trust(const gt_home_t *h, const char *fpr);

/* A new gpgsm home holding one self-signed RSA certificate (key usage
 * "sign, encrypt", or "sign" when sign_only) with its secret key, for
 * "CN=cn" and email, valid from not_before to
 * not_after ("2020-01-01"); h->fpr gets its fingerprint and the home trusts
 * it (trustlist.txt) and checks no CRLs (nothing to ask on loopback). */
static inline int gt_smime_new(gt_home_t *h, const char *cn, const char *email,
                               const char *not_before, const char *not_after, bool sign_only)
{
    memset(h, 0, sizeof *h);
    h->dir = tt_tmpdir();
    char path[1024], params[512], args[1200];
    snprintf(params, sizeof params,
             "Key-Type: RSA\nKey-Length: 2048\nKey-Usage: %s\nSerial: random\n"
             "Name-DN: CN=%s\nName-Email: %s\nNot-Before: %s\nNot-After: %s\n%%commit\n",
             sign_only ? "sign" : "sign, encrypt", cn, email, not_before, not_after);
    snprintf(path, sizeof path, "%s/gpgsm.conf", h->dir);
    if (tt_write_file(path, "disable-crl-checks\n", 19) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/params", h->dir);
    if (tt_write_file(path, params, strlen(params)) != 0)
        return -1;
    snprintf(args, sizeof args, "--armor --gen-key '%s' > '%s/own.pem'", path, h->dir);
    if (gt_gpgsm(h, args, NULL) != 0)
        return -1;
    snprintf(args, sizeof args, "--import '%s/own.pem'", h->dir);
    if (gt_gpgsm(h, args, NULL) != 0)
        return -1;
    char *out = NULL;
    if (gt_gpgsm(h, "--with-colons --list-secret-keys", &out) != 0 || out == NULL)
        return -1;
    char *fpr = strstr(out, "\nfpr:::::::::");
    if (fpr)
        snprintf(h->fpr, sizeof h->fpr, "%.*s", (int)strcspn(fpr + 13, ":"), fpr + 13);
    free(out);
    return h->fpr[0] ? gt_smime_trust(h, h->fpr) : -1;
}

/* Adds a root certificate's fingerprint to h's trustlist.txt. */
static inline int gt_smime_trust(const gt_home_t *h, const char *fpr)
{
    char path[1024], line[128];
    snprintf(path, sizeof path, "%s/trustlist.txt", h->dir);
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return -1;
    snprintf(line, sizeof line, "%s S relax\n", fpr);
    int r = fputs(line, f) >= 0 ? 0 : -1;
    if (fclose(f) != 0)
        r = -1;
    return r;
}

/* The PEM certificate of h (malloc'd). */
static inline char *gt_smime_cert(const gt_home_t *h)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/own.pem", h->dir);
    return tt_read_file(path, NULL);
}

static inline void gt_home_free(gt_home_t *h)
{
    if (h->dir == NULL)
        return;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "gpgconf --homedir '%s' --kill all >/dev/null 2>&1", h->dir);
    (void)tt_run(cmd, NULL);
    tt_rmtree(h->dir);
    free(h->dir);
    h->dir = NULL;
}
