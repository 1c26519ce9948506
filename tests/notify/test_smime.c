/* SPDX-License-Identifier: Apache-2.0 */
/* S/MIME (RFC 8551) through gpgsm: what is not a certificate, an expired
 * certificate and a home without a signing certificate are refused with a
 * clear error; a signed mail verifies with `gpgsm --verify`, a signed and
 * enveloped one decrypts with `gpgsm --decrypt` to a signed entity that
 * verifies; the MIME structure matches its golden file. Certificates are
 * made here, in throwaway gpgsm homes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "gpgtest.h"
#include "mimetest.h"
#include "notify/contact.h"
#include "notify/mime.h"
#include "notify/smime.h"

static gt_home_t csirt, soc, old, untrusted, signonly, empty;
static char *soc_cert, *old_cert;

static int setup(void **state)
{
    if (gt_smime_new(&csirt, "Example CSIRT", "csirt@csirt.test", "2026-01-01", "2036-01-01",
                     false) ||
        gt_smime_new(&soc, "SOC Site A", "soc@site-a.test", "2026-01-01", "2036-01-01", false) ||
        gt_smime_new(&old, "Old SOC", "old@site-a.test", "2020-01-01", "2021-01-01", false) ||
        gt_smime_new(&untrusted, "Nobody", "csirt@csirt.test", "2026-01-01", "2036-01-01", false) ||
        gt_smime_new(&signonly, "Sign Only", "so@site-a.test", "2026-01-01", "2036-01-01", true))
        return -1;
    /* Each side trusts the other's (self-signed) certificate as a root. */
    if (gt_smime_trust(&csirt, soc.fpr) || gt_smime_trust(&csirt, old.fpr) ||
        gt_smime_trust(&soc, csirt.fpr))
        return -1;
    memset(&empty, 0, sizeof empty);
    empty.dir = tt_tmpdir();
    soc_cert = gt_smime_cert(&soc);
    old_cert = gt_smime_cert(&old);
    return soc_cert && old_cert ? 0 : -1;
}

static int teardown(void **state)
{
    gt_home_free(&csirt);
    gt_home_free(&soc);
    gt_home_free(&old);
    gt_home_free(&untrusted);
    gt_home_free(&signonly);
    gt_home_free(&empty);
    free(soc_cert);
    free(old_cert);
    return 0;
}

/* r must be want; else the message says why. */
#define assert_rc(r, want, err)                                                                    \
    do {                                                                                           \
        int r_ = (r);                                                                              \
        if (r_ != (want))                                                                          \
            fail_msg("%d (want %d): %s", r_, (want), err);                                         \
    } while (0)

static void test_bad_input(void **state)
{
    char err[400] = "", fpr[TS_SMIME_FPR_MAX + 1];
    int64_t exp;
    ts_smime_t *s = NULL;
    /* A home without a signing certificate: no S/MIME identity. */
    assert_rc(ts_smime_open(empty.dir, NULL, &s, err, sizeof err), TS_ENOENT, err);
    assert_null(s);
    assert_non_null(strstr(err, "no usable S/MIME signing certificate"));
    assert_rc(ts_smime_open(csirt.dir, soc.fpr, &s, err, sizeof err), TS_ENOENT, err);
    /* A certificate whose root the home does not trust: refused at open. */
    char path[1024];
    snprintf(path, sizeof path, "%s/trustlist.txt", untrusted.dir);
    assert_int_equal(tt_write_file(path, "", 0), 0);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "gpgconf --homedir '%s' --reload gpg-agent 2>/dev/null",
             untrusted.dir);
    assert_int_equal(tt_run(cmd, NULL), 0);
    assert_rc(ts_smime_open(untrusted.dir, NULL, &s, err, sizeof err), TS_ECRYPTO, err);
    assert_non_null(strstr(err, "trustlist.txt"));
    assert_null(s);
    /* Not certificates. */
    assert_int_equal(ts_smime_cert_fpr("hello", fpr, &exp), TS_EINVAL);
    assert_int_equal(
        ts_smime_cert_fpr("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", fpr,
                          &exp),
        TS_EINVAL);
    assert_rc(ts_smime_open(csirt.dir, NULL, &s, err, sizeof err), 0, err);
    ts_buf_t m = TS_BUF_INIT;
    ts_mail_t ml = mt_mail("<bad@csirt.test>");
    ml.enc_cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), TS_EINVAL, err);
    assert_non_null(strstr(err, "not a PEM X.509 certificate"));
    assert_int_equal(m.len, 0);
    /* An expired certificate cannot encrypt: refused, nothing built (the
     * builder then sends signed only, with the note). */
    ml.enc_cert = old_cert;
    assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), TS_EINVAL, err);
    assert_non_null(strstr(err, "expired"));
    assert_int_equal(m.len, 0);
    /* A certificate whose root the CSIRT does not trust: gpgsm refuses it,
     * nothing is built (never sent in clear instead). */
    char *stranger = gt_smime_cert(&untrusted);
    assert_non_null(stranger);
    ml.enc_cert = stranger;
    assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), TS_ECRYPTO, err);
    assert_non_null(strstr(err, "trustlist.txt"));
    assert_int_equal(m.len, 0);
    free(stranger);
    /* A header injection is refused before anything is signed. */
    ml = mt_mail("<bad@csirt.test>");
    ml.subject = "hi\r\nBcc: x@evil.test";
    assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), TS_EINVAL, err);
    assert_int_equal(m.len, 0);
    ts_buf_free(&m);
    ts_smime_close(s);

    /* A contact's certificate: not one, expired, or the right one. */
    ts_arena_t *a = ts_arena_new(4096);
    ts_contact_rec_t rec;
    ts_contact_defaults(&rec);
    ts_contact_in_t in = {.smime_cert = "not a certificate"};
    assert_int_equal(ts_contact_apply(&in, &rec, a, INT64_C(1796662800) * 1000000, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "smime_cert: not a PEM X.509 certificate"));
    in.smime_cert = old_cert;
    assert_int_equal(ts_contact_apply(&in, &rec, a, INT64_C(1796662800) * 1000000, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "expired"));
    char *so = gt_smime_cert(&signonly);
    assert_non_null(so);
    in.smime_cert = so;
    assert_int_equal(ts_contact_apply(&in, &rec, a, INT64_C(1796662800) * 1000000, err, sizeof err),
                     TS_EINVAL);
    assert_non_null(strstr(err, "key usage does not allow encryption"));
    free(so);
    in = (ts_contact_in_t){.crypto = "x509"};
    assert_int_equal(ts_contact_apply(&in, &rec, a, 0, err, sizeof err), TS_EINVAL);
    assert_string_equal(err, "crypto: auto, pgp or smime");
    in = (ts_contact_in_t){.smime_cert = soc_cert, .crypto = "smime"};
    assert_int_equal(ts_contact_apply(&in, &rec, a, INT64_C(1796662800) * 1000000, err, sizeof err),
                     0);
    assert_int_equal(rec.crypto, TS_CRYPTO_SMIME);
    assert_true(rec.smime_expires > INT64_C(1796662800) * 1000000);
    ts_arena_free(a);
}

/* Checks a multipart/signed entity (headers included) with gpgsm in the
 * contact's home: the first part's bytes against the smime.p7s part. A
 * byte changed in the signed part must fail. */
static void verify_signed(const char *ent)
{
    assert_non_null(strstr(ent, "Content-Type: multipart/signed; "
                                "protocol=\"application/pkcs7-signature\";\r\n micalg=sha-256;"));
    char b[64];
    mt_boundary_of(ent, b);
    size_t n, sn;
    char *signed_part = mt_part(ent, b, &n);
    char *sigpart = mt_part(strstr(ent, signed_part) + n, b, &sn);
    assert_non_null(strstr(sigpart, "Content-Type: application/pkcs7-signature; "
                                    "name=\"smime.p7s\"\r\n"
                                    "Content-Transfer-Encoding: base64\r\n"));
    char *body = strstr(sigpart, "\r\n\r\n");
    assert_non_null(body);
    ts_buf_t sig = TS_BUF_INIT;
    mt_b64_decode(body + 4, strlen(body + 4), &sig);
    char dp[1024], sp[1024], args[2200];
    snprintf(dp, sizeof dp, "%s/signed", soc.dir);
    snprintf(sp, sizeof sp, "%s/smime.p7s", soc.dir);
    assert_int_equal(tt_write_file(dp, signed_part, n), 0);
    assert_int_equal(tt_write_file(sp, sig.data, sig.len), 0);
    char *out = NULL;
    snprintf(args, sizeof args, "--status-fd 1 --verify '%s' '%s'", sp, dp);
    assert_int_equal(gt_gpgsm(&soc, args, &out), 0);
    assert_non_null(strstr(out, "[GNUPG:] GOODSIG"));
    assert_non_null(strstr(out, csirt.fpr));
    free(out);
    signed_part[n - 3] ^= 1;
    assert_int_equal(tt_write_file(dp, signed_part, n), 0);
    assert_int_not_equal(gt_gpgsm(&soc, args, NULL), 0);
    ts_buf_free(&sig);
    free(signed_part);
    free(sigpart);
}

/* The message with its boundaries numbered and each run of base64 lines
 * as one "[base64]" line: what the golden file holds. */
static void structure(const char *msg, ts_buf_t *out)
{
    char b[4][64];
    size_t nb = 0;
    for (const char *p = msg; (p = strstr(p, "boundary=\"")) && nb < 4; p += 10)
        snprintf(b[nb++], 64, "%.*s", (int)strcspn(p + 10, "\""), p + 10);
    bool in_b64 = false, body = false;
    for (const char *p = msg; *p;) {
        size_t k = strcspn(p, "\n");
        char line[1200];
        snprintf(line, sizeof line, "%.*s", (int)(k > 1100 ? 1100 : k), p);
        p += k + (p[k] == '\n');
        bool b64 =
            body && strlen(line) > 1 && line[strlen(line) - 1] == '\r' &&
            strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
                strlen(line) - 1;
        if (line[0] == '\r')
            body = true;
        else if (strncmp(line, "--", 2) == 0 || strncmp(line, "Content-", 8) == 0)
            body = false;
        if (b64) {
            if (!in_b64)
                ts_buf_puts(out, "[base64]\n");
            in_b64 = true;
            continue;
        }
        in_b64 = false;
        for (size_t i = 0; i < nb; i++) {
            char *at;
            while ((at = strstr(line, b[i])) != NULL) {
                char tmp[1200];
                snprintf(tmp, sizeof tmp, "%.*sBOUNDARY%zu%s", (int)(at - line), line, i + 1,
                         at + strlen(b[i]));
                snprintf(line, sizeof line, "%s", tmp);
            }
        }
        ts_buf_puts(out, line);
        ts_buf_puts(out, "\n");
    }
}

static void golden(const char *name, const char *msg)
{
    ts_buf_t s = TS_BUF_INIT;
    structure(msg, &s);
    char why[5000];
    if (tt_golden(name, s.data, s.len, why, sizeof why) != 0)
        fail_msg("%s", why);
    ts_buf_free(&s);
}

/* RFC 8551 section 3.5.3: multipart/signed, the entity and its detached
 * signature, which gpgsm verifies. */
static void test_signed(void **state)
{
    ts_smime_t *s = NULL;
    char err[400] = "";
    assert_rc(ts_smime_open(csirt.dir, csirt.fpr, &s, err, sizeof err), 0, err);
    assert_string_equal(ts_smime_signer(s), csirt.fpr);
    ts_mail_t ml = mt_mail("<s@csirt.test>");
    ts_buf_t m = TS_BUF_INIT;
    assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), 0, err);
    mt_check_7bit_crlf(m.data, m.len);
    assert_non_null(strstr(m.data, "Message-ID: <s@csirt.test>\r\n"));
    char *hdr_end = strstr(m.data, "\r\n\r\n");
    char *ct = strstr(m.data, "Content-Type: multipart/signed");
    assert_true(ct != NULL && ct < hdr_end); /* the mail's own type */
    verify_signed(ct);
    golden("notify/smime-signed.txt", m.data);
    ts_buf_free(&m);
    ts_smime_close(s);
}

/* RFC 8551 sections 3.3 and 3.7: application/pkcs7-mime enveloped-data,
 * base64; the contact decrypts a multipart/signed entity that verifies and
 * holds the text and the CSV. */
static void test_encrypted(void **state)
{
    ts_smime_t *s = NULL;
    char err[400] = "";
    assert_rc(ts_smime_open(csirt.dir, NULL, &s, err, sizeof err), 0, err);
    ts_mail_t ml = mt_mail("<e@csirt.test>");
    ml.enc_cert = soc_cert;
    ts_buf_t m = TS_BUF_INIT;
    /* Ten times: the certificate from the cache after the first, and gpgsm
     * 2.2 fails the eighth encryption of one session. */
    for (int round = 0; round < 10; round++) {
        ts_buf_reset(&m);
        assert_rc(ts_mime_build_smime(&ml, s, &m, err, sizeof err), 0, err);
    }
    mt_check_7bit_crlf(m.data, m.len);
    assert_non_null(strstr(m.data, "Content-Type: application/pkcs7-mime; "
                                   "smime-type=enveloped-data;\r\n name=\"smime.p7m\"\r\n"
                                   "Content-Transfer-Encoding: base64\r\n"));
    assert_null(strstr(m.data, "multipart/signed")); /* signed inside, not outside */
    assert_null(strstr(m.data, "ein Eintrag"));
    golden("notify/smime-encrypted.txt", m.data);
    char *body = strstr(m.data, "\r\n\r\n");
    assert_non_null(body);
    ts_buf_t der = TS_BUF_INIT;
    mt_b64_decode(body + 4, strlen(body + 4), &der);
    char ep[1024], args[1200];
    snprintf(ep, sizeof ep, "%s/smime.p7m", soc.dir);
    assert_int_equal(tt_write_file(ep, der.data, der.len), 0);
    char *plain = NULL;
    snprintf(args, sizeof args, "--decrypt '%s'", ep);
    assert_int_equal(gt_gpgsm(&soc, args, &plain), 0);
    assert_non_null(plain);
    mt_check_7bit_crlf(plain, strlen(plain));
    assert_int_equal(strncmp(plain, "Content-Type: multipart/signed;", 31), 0);
    assert_non_null(strstr(plain, "ein Eintrag."));
    assert_non_null(strstr(plain, "filename=\"events-scanner.csv\""));
    verify_signed(plain);
    /* The CSIRT cannot read it (encrypted to the contact only). */
    assert_int_not_equal(gt_gpgsm(&csirt, args, NULL), 0);
    free(plain);
    ts_buf_free(&der);
    ts_buf_free(&m);
    ts_smime_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_encrypted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
