/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the notification mails back in tests: the parts of a multipart
 * entity, its boundary, and the 7-bit CRLF form every message must have. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "notify/mime.h"

/* Appends the bytes of base64 text s[0..n) to out; line ends, padding and
 * anything else outside the alphabet are skipped. */
static inline void mt_b64_decode(const char *s, size_t n, ts_buf_t *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = s[i] ? strchr(alphabet, s[i]) : NULL;
        if (c == NULL)
            continue;
        acc = acc << 6 | (unsigned)(c - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            ts_buf_putc(out, (char)(acc >> bits & 0xff));
        }
    }
}

/* The test mail: German subject, a text, a CSV attachment, a fixed date. */
static inline ts_mail_t mt_mail(const char *msgid)
{
    static const ts_mime_att_t att = {"text/csv; charset=utf-8", "events-scanner.csv",
                                      "time,ip\r\n2026-12-07,192.0.2.1\r\n", 30};
    return (ts_mail_t){
        .from = "csirt@csirt.test",
        .from_name = "Example CSIRT",
        .to = "soc@site-a.test",
        .to_name = "SOC",
        .subject = "[Example CSIRT] 1 Meldung f\xc3\xbcr site-a",
        .message_id = msgid,
        .date = INT64_C(1796662800) * 1000000,
        .text = "Hallo,\nein Eintrag.\n",
        .att = &att,
        .n_att = 1,
    };
}

/* Text between "--B\r\n" and the next "\r\n--B" (RFC 3156's and RFC 8551's
 * signed bytes), malloc'd; *len its length. */
static inline char *mt_part(const char *msg, const char *b, size_t *len)
{
    char open[80], close[80];
    snprintf(open, sizeof open, "--%s\r\n", b);
    snprintf(close, sizeof close, "\r\n--%s", b);
    const char *s = strstr(msg, open);
    assert_non_null(s);
    s += strlen(open);
    const char *e = strstr(s, close);
    assert_non_null(e);
    *len = (size_t)(e - s);
    return strndup(s, *len);
}

/* The first boundary="..." of msg into b (64 bytes). */
static inline void mt_boundary_of(const char *msg, char *b)
{
    const char *p = strstr(msg, "boundary=\"");
    assert_non_null(p);
    snprintf(b, 64, "%.*s", (int)strcspn(p + 10, "\""), p + 10);
}

/* 7-bit, no NUL, every LF after a CR. */
static inline void mt_check_7bit_crlf(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_true((unsigned char)d[i] < 0x80 && d[i] != '\0');
        if (d[i] == '\n')
            assert_true(i > 0 && d[i - 1] == '\r');
    }
}
