/* SPDX-License-Identifier: Apache-2.0 */
/* Headers cannot be injected (CR/LF and controls refused, non-ASCII
 * encoded); encoded words, quoted-printable and base64 read back as written;
 * a whole message is 7-bit with CRLF lines, and its RFC 3156 forms verify
 * and decrypt with gpg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gpgtest.h"
#include "mimetest.h"
#include "notify/mime.h"

static gt_home_t csirt, soc;
static char *soc_key;

static int setup(void **state)
{
    if (gt_home_new(&csirt, "Example CSIRT <csirt@csirt.test>", "sign", "never") ||
        gt_home_new(&soc, "SOC <soc@site-a.test>", "default", "never") ||
        gt_trust(&soc, &csirt) != 0)
        return -1;
    soc_key = gt_export(&soc);
    return soc_key ? 0 : -1;
}

static int teardown(void **state)
{
    gt_home_free(&csirt);
    gt_home_free(&soc);
    free(soc_key);
    return 0;
}

static void test_injection_refused(void **state)
{
    static const char *const bad[] = {
        "hi\r\nBcc: victim@example.org",
        "hi\nX: y",
        "hi\rX: y",
        "a\x01b",
        "a\x7f",
        "bad \xc3 utf-8",
        "\xc2\x85next line",
        "line\xe2\x80\xa8sep",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_buf_t b = TS_BUF_INIT;
        if (ts_mime_header(&b, "Subject", bad[i]) != TS_EINVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_int_equal(b.len, 0);
        if (ts_mime_mailbox(&b, "To", bad[i], "a@example.org") != TS_EINVAL)
            fail_msg("display accepted: %s", bad[i]);
        ts_buf_free(&b);
    }
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_mime_mailbox(&b, "To", "x", "a@example.org\r\nBcc: v@example.org"),
                     TS_EINVAL);
    assert_int_equal(ts_mime_mailbox(&b, "To", "x", "a@example.org>, <v@example.org"), TS_EINVAL);
    char longv[1200];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    assert_int_equal(ts_mime_header(&b, "Subject", longv), TS_EINVAL);
    assert_int_equal(b.len, 0);
    ts_buf_free(&b);
}

/* Decodes "=?UTF-8?B?...?=" words of a header value (test side). */
static void decode_words(const char *v, ts_buf_t *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = v;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        p += 10;
        unsigned acc = 0;
        int bits = 0;
        for (; *p && *p != '?'; p++) {
            if (*p == '=')
                continue;
            acc = acc << 6 | (unsigned)(strchr(b64, *p) - b64);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                ts_buf_putc(out, (char)(acc >> bits & 0xff));
            }
        }
    }
}

static void test_headers(void **state)
{
    ts_buf_t b = TS_BUF_INIT, d = TS_BUF_INIT;
    assert_int_equal(ts_mime_header(&b, "Subject", "plain ASCII"), 0);
    assert_string_equal(b.data, "Subject: plain ASCII\r\n");
    ts_buf_reset(&b);
    /* Non-ASCII: encoded words of at most 75 characters, on folded lines. */
    const char *v = "Meldung f\xc3\xbcr Universit\xc3\xa4t M\xc3\xbcnchen \xe2\x80\x94 "
                    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e und noch viel mehr Text, damit "
                    "gefaltet wird";
    assert_int_equal(ts_mime_header(&b, "Subject", v), 0);
    for (char *line = b.data; *line;) {
        size_t n = strcspn(line, "\r");
        assert_true(n <= 78);
        for (size_t i = 0; i < n; i++)
            assert_true((unsigned char)line[i] < 0x80);
        line += n + 2;
    }
    decode_words(b.data, &d);
    assert_string_equal(d.data, v);
    /* ASCII that looks like an encoded word is encoded, so it reads back. */
    ts_buf_reset(&b);
    assert_int_equal(ts_mime_header(&b, "Subject", "=?UTF-8?B?eA==?="), 0);
    assert_null(strstr(b.data, "Subject: =?UTF-8?B?eA==?=\r\n"));
    ts_buf_reset(&b);
    assert_int_equal(ts_mime_mailbox(&b, "To", "Doe, \"J\" \\", "j@example.org"), 0);
    assert_string_equal(b.data, "To: \"Doe, \\\"J\\\" \\\\\" <j@example.org>\r\n");
    ts_buf_reset(&b);
    assert_int_equal(ts_mime_mailbox(&b, "To", "J\xc3\xbcrgen", "j@example.org"), 0);
    assert_string_equal(b.data, "To: =?UTF-8?B?SsO8cmdlbg==?= <j@example.org>\r\n");
    ts_buf_reset(&b);
    assert_int_equal(ts_mime_mailbox(&b, "From", NULL, "j@example.org"), 0);
    assert_string_equal(b.data, "From: <j@example.org>\r\n");
    ts_buf_free(&b);
    ts_buf_free(&d);
}

static void test_bodies(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    const char *text = "F\xc3\xbcr Sie: a=b\n.dot line\nFrom here\ntrailing space \n"
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                       "aaaaaaaaaa\n";
    ts_mime_qp(&b, text, strlen(text));
    assert_string_equal(
        b.data, "F=C3=BCr Sie: a=3Db\r\n=2Edot line\r\n=46rom here\r\n"
                "trailing space=20\r\n"
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\n"
                "aaaaaaaaaa\r\n");
    ts_buf_reset(&b);
    ts_mime_base64(&b, "any carnal pleasure.", 20);
    assert_string_equal(b.data, "YW55IGNhcm5hbCBwbGVhc3VyZS4=\r\n");
    ts_buf_free(&b);
    char id[TS_MIME_MSGID_MAX], id2[TS_MIME_MSGID_MAX];
    ts_mime_message_id("csirt.test", id);
    ts_mime_message_id("csirt.test", id2);
    assert_int_equal(strlen(id), 1 + 32 + 1 + 10 + 1);
    assert_string_not_equal(id, id2);
    char date[64];
    ts_mime_date(INT64_C(1796662800) * 1000000, date, sizeof date);
    assert_string_equal(date, "Mon, 07 Dec 2026 17:00:00 +0000");
}

static void test_build(void **state)
{
    char err[256] = "";
    ts_buf_t m = TS_BUF_INIT;
    /* Bad values reach no output. */
    ts_mail_t bad = mt_mail("<x@csirt.test>");
    bad.to = "soc@site-a.test\r\nBcc: x@evil.test";
    assert_int_equal(ts_mime_build(&bad, NULL, &m, err, sizeof err), TS_EINVAL);
    assert_int_equal(m.len, 0);
    bad = mt_mail("<x@csirt.test>");
    bad.subject = "hi\r\nBcc: x@evil.test";
    assert_int_equal(ts_mime_build(&bad, NULL, &m, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "Subject"));
    bad = mt_mail("no brackets");
    assert_int_equal(ts_mime_build(&bad, NULL, &m, err, sizeof err), TS_EINVAL);
    bad = mt_mail("<x@csirt.test>");
    ts_mime_att_t evil = {"text/csv", "../../etc/passwd", "x", 1};
    bad.att = &evil;
    assert_int_equal(ts_mime_build(&bad, NULL, &m, err, sizeof err), TS_EINVAL);
    assert_int_equal(m.len, 0);

    ts_mail_t ok = mt_mail("<abc@csirt.test>");
    assert_int_equal(ts_mime_build(&ok, NULL, &m, err, sizeof err), 0);
    mt_check_7bit_crlf(m.data, m.len);
    assert_non_null(strstr(m.data, "Message-ID: <abc@csirt.test>\r\n"));
    assert_non_null(strstr(m.data, "Content-Disposition: attachment; "
                                   "filename=\"events-scanner.csv\""));
    ts_buf_free(&m);
}

/* RFC 3156 section 5: the first part's bytes verify with the second. */
static void test_signed(void **state)
{
    ts_pgp_t *p = NULL;
    char err[256] = "";
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &p, err, sizeof err), 0);
    ts_mail_t ml = mt_mail("<s@csirt.test>");
    ts_buf_t m = TS_BUF_INIT;
    assert_int_equal(ts_mime_build(&ml, p, &m, err, sizeof err), 0);
    mt_check_7bit_crlf(m.data, m.len);
    assert_non_null(strstr(m.data, "Content-Type: multipart/signed; micalg=pgp-sha"));
    assert_non_null(strstr(m.data, "protocol=\"application/pgp-signature\""));
    char b[64];
    mt_boundary_of(m.data, b);
    size_t n, sn;
    char *signed_part = mt_part(m.data, b, &n);
    char *after = strstr(m.data, signed_part) + n;
    char *sigpart = mt_part(after, b, &sn);
    char *sig = strstr(sigpart, "-----BEGIN PGP SIGNATURE");
    assert_non_null(sig);
    char dp[1024], sp[1024], args[2200];
    snprintf(dp, sizeof dp, "%s/signed", soc.dir);
    snprintf(sp, sizeof sp, "%s/sig.asc", soc.dir);
    assert_int_equal(tt_write_file(dp, signed_part, n), 0);
    assert_int_equal(tt_write_file(sp, sig, strlen(sig)), 0);
    snprintf(args, sizeof args, "--verify '%s' '%s'", sp, dp);
    assert_int_equal(gt_gpg(&soc, args, NULL), 0);
    /* One byte changed: the signature fails. */
    signed_part[n - 3] ^= 1;
    assert_int_equal(tt_write_file(dp, signed_part, n), 0);
    assert_int_not_equal(gt_gpg(&soc, args, NULL), 0);
    free(signed_part);
    free(sigpart);
    ts_buf_free(&m);
    ts_pgp_close(p);
}

/* RFC 3156 section 6: the version part, then the armour; the contact
 * decrypts a MIME entity with the text and the CSV, signed by the CSIRT. */
static void test_encrypted(void **state)
{
    ts_pgp_t *p = NULL;
    char err[256] = "";
    assert_int_equal(ts_pgp_open(csirt.dir, NULL, &p, err, sizeof err), 0);
    ts_mail_t ml = mt_mail("<e@csirt.test>");
    ml.enc_fpr = soc.fpr;
    ml.enc_key = soc_key;
    ts_buf_t m = TS_BUF_INIT;
    assert_int_equal(ts_mime_build(&ml, p, &m, err, sizeof err), 0);
    mt_check_7bit_crlf(m.data, m.len);
    assert_non_null(strstr(m.data, "Content-Type: multipart/encrypted;\r\n"
                                   " protocol=\"application/pgp-encrypted\""));
    assert_non_null(strstr(m.data, "Content-Type: application/pgp-encrypted\r\n"));
    assert_non_null(strstr(m.data, "\r\nVersion: 1\r\n"));
    assert_null(strstr(m.data, "ein Eintrag")); /* the text is not in clear */
    char *arm = strstr(m.data, "-----BEGIN PGP MESSAGE-----");
    assert_non_null(arm);
    char ep[1024], args[1200];
    snprintf(ep, sizeof ep, "%s/enc.asc", soc.dir);
    assert_int_equal(tt_write_file(ep, arm, strlen(arm)), 0);
    char *plain = NULL;
    snprintf(args, sizeof args, "--status-fd 1 --decrypt '%s'", ep);
    assert_int_equal(gt_gpg(&soc, args, &plain), 0);
    assert_non_null(strstr(plain, "[GNUPG:] GOODSIG"));
    assert_non_null(strstr(plain, "Content-Type: multipart/mixed"));
    assert_non_null(strstr(plain, "ein Eintrag."));
    assert_non_null(strstr(plain, "filename=\"events-scanner.csv\""));
    free(plain);
    ts_buf_free(&m);
    ts_pgp_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_injection_refused),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_encrypted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
