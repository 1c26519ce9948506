/* SPDX-License-Identifier: Apache-2.0 */
/* OpenPGP through gpgme, checked with the gpg command line: what is not a
 * usable public key is refused; a signature verifies; an encrypted message
 * decrypts with the contact's secret key and carries the CSIRT's signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "gpgtest.h"
#include "notify/pgp.h"

static gt_home_t csirt, soc, signonly, brief;
static char *soc_key, *signonly_key, *brief_key;

static int setup(void **state)
{
    if (gt_home_new(&csirt, "Example CSIRT <csirt@csirt.test>", "sign", "never") ||
        gt_home_new(&soc, "SOC <soc@site-a.test>", "default", "never") ||
        gt_home_new(&signonly, "Sign Only <so@site-a.test>", "sign", "never") ||
        gt_home_new(&brief, "Brief <brief@site-a.test>", "default", "1d"))
        return -1;
    soc_key = gt_export(&soc);
    signonly_key = gt_export(&signonly);
    brief_key = gt_export(&brief);
    /* The contact knows the CSIRT's public key, to verify what it gets. */
    return soc_key && signonly_key && brief_key && gt_trust(&soc, &csirt) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    gt_home_free(&csirt);
    gt_home_free(&soc);
    gt_home_free(&signonly);
    gt_home_free(&brief);
    free(soc_key);
    free(signonly_key);
    free(brief_key);
    return 0;
}

static int inspect(const char *data, ts_pgp_keyinfo_t *ki, char *err, size_t errsize)
{
    return ts_pgp_key_inspect(data, data ? strlen(data) : 0, ts_time_now(), ki, err, errsize);
}

static void test_not_keys(void **state)
{
    ts_pgp_keyinfo_t ki;
    char err[256];
    assert_int_equal(inspect(NULL, &ki, err, sizeof err), TS_EINVAL);
    assert_int_equal(inspect("", &ki, err, sizeof err), TS_EINVAL);
    assert_int_equal(inspect("hello, I am not a key\n", &ki, err, sizeof err), TS_EINVAL);
    assert_int_equal(inspect("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n"
                             "-----END PGP PUBLIC KEY BLOCK-----\n",
                             &ki, err, sizeof err),
                     TS_EINVAL);
    /* A secret key is never taken. */
    char *sec = NULL, args[128];
    snprintf(args, sizeof args, "--armor --export-secret-keys %s", soc.fpr);
    assert_int_equal(gt_gpg(&soc, args, &sec), 0);
    assert_int_equal(inspect(sec, &ki, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "secret"));
    free(sec);
    /* Two keys in one file. */
    size_t n = strlen(soc_key) + strlen(brief_key) + 1;
    char *two = malloc(n);
    snprintf(two, n, "%s%s", soc_key, brief_key);
    assert_int_equal(inspect(two, &ki, err, sizeof err), TS_EINVAL);
    free(two);
    /* A key that cannot encrypt. */
    assert_int_equal(inspect(signonly_key, &ki, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "cannot encrypt"));
    char big[TS_PGP_KEY_MAX + 2];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(inspect(big, &ki, err, sizeof err), TS_ETOOBIG);
}

static void test_keys(void **state)
{
    ts_pgp_keyinfo_t ki;
    char err[256] = "";
    assert_int_equal(inspect(soc_key, &ki, err, sizeof err), 0);
    assert_string_equal(ki.fpr, soc.fpr);
    assert_true(ki.can_encrypt);
    assert_false(ki.expired);
    assert_int_equal(ki.expires, 0);
    assert_non_null(strstr(ki.uid, "soc@site-a.test"));
    /* A key that expires in a day: usable now, expired two days on. */
    assert_int_equal(inspect(brief_key, &ki, err, sizeof err), 0);
    assert_true(ki.can_encrypt);
    int64_t day = INT64_C(86400) * 1000000;
    assert_true(ki.expires > ts_time_now() && ki.expires <= ts_time_now() + day + 60000000);
    assert_int_equal(ts_pgp_key_inspect(brief_key, strlen(brief_key), ts_time_now() + 2 * day, &ki,
                                        err, sizeof err),
                     0);
    assert_false(ki.can_encrypt);
    assert_true(ki.expired);
}

static void test_open(void **state)
{
    ts_pgp_t *p = NULL;
    char err[256];
    /* A home without a secret key, and a fingerprint that is none of its keys. */
    char *empty = tt_tmpdir();
    assert_int_equal(ts_pgp_open(empty, NULL, &p, err, sizeof err), TS_ENOENT);
    assert_null(p);
    assert_int_equal(ts_pgp_open(csirt.dir, soc.fpr, &p, err, sizeof err), TS_ENOENT);
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &p, err, sizeof err), 0);
    assert_string_equal(ts_pgp_signer(p), csirt.fpr);
    ts_pgp_close(p);
    tt_rmtree(empty);
    free(empty);
}

static void write_tmp(const char *dir, const char *name, const void *d, size_t n, char *path)
{
    snprintf(path, 1024, "%s/%s", dir, name);
    assert_int_equal(tt_write_file(path, d, n), 0);
}

/* A detached signature that gpg verifies with the CSIRT's public key, and
 * that fails when one byte of the data changes. */
static void test_sign_verify(void **state)
{
    ts_pgp_t *p = NULL;
    char err[256];
    assert_int_equal(ts_pgp_open(csirt.dir, csirt.fpr, &p, err, sizeof err), 0);
    const char data[] = "Content-Type: text/plain\r\n\r\nhello\r\n";
    ts_buf_t sig = TS_BUF_INIT;
    char micalg[32];
    assert_int_equal(ts_pgp_sign(p, data, strlen(data), &sig, micalg), 0);
    assert_memory_equal(micalg, "pgp-sha", 7); /* RFC 3156: "pgp-" and the hash's name */
    assert_non_null(strstr(sig.data, "BEGIN PGP SIGNATURE"));
    char dp[1024], sp[1024], args[2200];
    write_tmp(soc.dir, "data", data, strlen(data), dp);
    write_tmp(soc.dir, "sig.asc", sig.data, sig.len, sp);
    snprintf(args, sizeof args, "--verify '%s' '%s'", sp, dp);
    assert_int_equal(gt_gpg(&soc, args, NULL), 0);
    write_tmp(soc.dir, "data", "Content-Type: text/plain\r\n\r\nhellO\r\n", strlen(data), dp);
    assert_int_not_equal(gt_gpg(&soc, args, NULL), 0);
    ts_buf_free(&sig);
    ts_pgp_close(p);
}

/* Encrypted to the contact's key (imported from the armour given, as a
 * contact's stored key is), decrypted by the contact, signature good. */
static void test_encrypt_decrypt(void **state)
{
    ts_pgp_t *p = NULL;
    char err[256] = "";
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &p, err, sizeof err), 0);
    /* A fingerprint without a key to import. */
    ts_buf_t out = TS_BUF_INIT;
    assert_int_equal(ts_pgp_encrypt_sign(p, "0123456789ABCDEF0123456789ABCDEF01234567", NULL, 0,
                                         "x", 1, &out, err, sizeof err),
                     TS_ECRYPTO);
    const char data[] = "secret text \xc3\xa4\r\n";
    assert_int_equal(ts_pgp_encrypt_sign(p, soc.fpr, soc_key, strlen(soc_key), data, strlen(data),
                                         &out, err, sizeof err),
                     0);
    /* Again, from the cache. */
    ts_buf_t again = TS_BUF_INIT;
    assert_int_equal(
        ts_pgp_encrypt_sign(p, soc.fpr, NULL, 0, data, strlen(data), &again, err, sizeof err), 0);
    char ep[1024], args[1200];
    write_tmp(soc.dir, "m.asc", out.data, out.len, ep);
    char *plain = NULL;
    snprintf(args, sizeof args, "--decrypt '%s'", ep);
    assert_int_equal(gt_gpg(&soc, args, &plain), 0);
    assert_string_equal(plain, data);
    free(plain);
    /* The CSIRT cannot read it back (not encrypted to itself). */
    assert_int_not_equal(gt_gpg(&csirt, args, NULL), 0);
    ts_buf_free(&out);
    ts_buf_free(&again);
    ts_pgp_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_keys),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_encrypt_decrypt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
