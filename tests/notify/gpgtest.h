/* SPDX-License-Identifier: Apache-2.0 */
/* Throwaway GnuPG homes for the notification tests: keys made with the gpg
 * command line in temporary directories, their agents stopped at the end.
 * No passphrases (the tests never type one). */
#pragma once
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
