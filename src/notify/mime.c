/* SPDX-License-Identifier: Apache-2.0 */
/* Mail messages and OpenPGP/MIME (see mime.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"
#include "notify/address.h"
#include "notify/mime.h"

#define LINE_MAX_ 998

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_run(ts_buf_t *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        ts_buf_append(out, q, 4);
    }
}

void ts_mime_base64(ts_buf_t *out, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i += 57) {
        b64_run(out, p + i, n - i < 57 ? n - i : 57);
        ts_buf_puts(out, "\r\n");
    }
}

/* Checks a header value: no controls (tab allowed), valid UTF-8; *ascii set. */
static bool value_ok(const char *v, bool *ascii)
{
    size_t n = strlen(v);
    *ascii = true;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ts_utf8_next((const unsigned char *)v + i, n - i, &cp);
        if (cp == TS_UTF8_BAD || (cp < 0x20 && cp != '\t') || cp == 0x7f ||
            (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
            return false;
        if (cp >= 0x80)
            *ascii = false;
        i += k;
    }
    return true;
}

/* Encoded words, each holding whole UTF-8 sequences, on lines of at most 76
 * characters (RFC 2047 sections 2 and 5): the first word fits in `first`
 * characters (what the header's name leaves), the others follow CRLF SP. */
static void encoded_words(ts_buf_t *out, const char *v, size_t first)
{
    size_t n = strlen(v), i = 0, room = first;
    while (i < n) {
        /* "=?UTF-8?B?" + base64 + "?=": 4 characters per 3 bytes. */
        size_t max = room > 16 ? (room - 12) / 4 * 3 : 3, take = 0;
        while (i + take < n) {
            uint32_t cp;
            size_t k = ts_utf8_next((const unsigned char *)v + i + take, n - i - take, &cp);
            if (take + k > max && take > 0)
                break;
            take += k;
        }
        if (i > 0)
            ts_buf_puts(out, "\r\n ");
        ts_buf_puts(out, "=?UTF-8?B?");
        b64_run(out, (const unsigned char *)v + i, take);
        ts_buf_puts(out, "?=");
        i += take;
        room = 75;
    }
}

int ts_mime_header(ts_buf_t *out, const char *name, const char *value)
{
    bool ascii;
    if (value == NULL || !value_ok(value, &ascii))
        return TS_EINVAL;
    if (ascii && strlen(name) + 2 + strlen(value) > LINE_MAX_)
        return TS_EINVAL;
    ts_buf_puts(out, name);
    ts_buf_puts(out, ": ");
    /* An ASCII value that looks like an encoded word would be decoded by the
     * reader: encode it too, so that it reads back as written. */
    if (ascii && strstr(value, "=?") == NULL)
        ts_buf_puts(out, value);
    else
        encoded_words(out, value, 76 - strlen(name) - 2);
    ts_buf_puts(out, "\r\n");
    return 0;
}

int ts_mime_mailbox(ts_buf_t *out, const char *name, const char *display, const char *addr)
{
    if (addr == NULL || ts_addr_check(addr, strlen(addr), NULL, NULL, 0) != 0)
        return TS_EINVAL;
    bool ascii = true;
    if (display && !value_ok(display, &ascii))
        return TS_EINVAL;
    ts_buf_puts(out, name);
    ts_buf_puts(out, ": ");
    if (display && display[0]) {
        if (ascii && strstr(display, "=?") == NULL) {
            ts_buf_putc(out, '"');
            for (const char *c = display; *c; c++) {
                if (*c == '"' || *c == '\\')
                    ts_buf_putc(out, '\\');
                ts_buf_putc(out, *c);
            }
            ts_buf_putc(out, '"');
        } else {
            encoded_words(out, display, 76 - strlen(name) - 2);
        }
        ts_buf_putc(out, ' ');
    }
    ts_buf_putc(out, '<');
    ts_buf_puts(out, addr);
    ts_buf_puts(out, ">\r\n");
    return 0;
}

void ts_mime_qp(ts_buf_t *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (c == '\n') {
            ts_buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        /* Space or tab before a line end is encoded, so that no transport
         * strips it (6.7 rule 3); "From " and a leading dot are too. */
        bool at_end =
            i + 1 == n || s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
        bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
        if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
            lit = false;
        size_t w = lit ? 1 : 3;
        if (col + w > 75) {
            ts_buf_puts(out, "=\r\n");
            col = 0;
        }
        if (lit) {
            ts_buf_putc(out, (char)c);
        } else {
            char e[3] = {'=', hex[c >> 4], hex[c & 15]};
            ts_buf_append(out, e, 3);
        }
        col += w;
    }
    if (col > 0)
        ts_buf_puts(out, "\r\n");
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    if (bytes > sizeof r)
        bytes = sizeof r;
    size_t got = 0;
    while (got < bytes) {
        ssize_t k = getrandom(r + got, bytes - got, 0);
        if (k > 0)
            got += (size_t)k;
    }
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

void ts_mime_message_id(const char *domain, char *out)
{
    char a[33];
    random_hex(a, 16);
    snprintf(out, TS_MIME_MSGID_MAX, "<%s@%s>", a, domain && *domain ? domain : "tocsin.invalid");
}

void ts_mime_date(int64_t us, char *out, size_t size)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    gmtime_r(&t, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ASCII armour with its line ends made CRLF. */
static void crlf(ts_buf_t *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            ts_buf_putc(out, '\r');
        ts_buf_putc(out, s[i]);
    }
    if (n > 0 && s[n - 1] != '\n')
        ts_buf_puts(out, "\r\n");
}

static void boundary(char out[40])
{
    memcpy(out, "=_tocsin_", 9);
    random_hex(out + 9, 12);
}

static bool filename_ok(const char *f)
{
    if (f == NULL || *f == '\0' || strlen(f) > 64)
        return false;
    for (const char *c = f; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '-' || *c == '_'))
            return false;
    return true;
}

/* The multipart/mixed entity: its own headers and body, without a final
 * CRLF (RFC 3156 signs exactly these bytes). */
static int entity(const ts_mail_t *m, ts_buf_t *e, char *err, size_t errsize)
{
    char b[40];
    boundary(b);
    ts_buf_printf(e, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", b);
    ts_buf_printf(e,
                  "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                  b);
    ts_mime_qp(e, m->text, strlen(m->text));
    for (size_t i = 0; i < m->n_att; i++) {
        const ts_mime_att_t *a = &m->att[i];
        bool ascii;
        if (!filename_ok(a->filename) || a->content_type == NULL ||
            !value_ok(a->content_type, &ascii) || !ascii) {
            ts_seterr(err, errsize, "attachment %zu: bad file name or type", i);
            return TS_EINVAL;
        }
        ts_buf_printf(e,
                      "--%s\r\nContent-Type: %s; name=\"%s\"\r\n"
                      "Content-Disposition: attachment; filename=\"%s\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n",
                      b, a->content_type, a->filename, a->filename);
        ts_mime_base64(e, a->data, a->len);
    }
    ts_buf_printf(e, "--%s--", b);
    return 0;
}

static int headers(const ts_mail_t *m, ts_buf_t *out, char *err, size_t errsize)
{
    char date[64];
    ts_mime_date(m->date, date, sizeof date);
    const char *bad = NULL;
    if (ts_mime_mailbox(out, "From", m->from_name, m->from))
        bad = "From";
    else if (ts_mime_mailbox(out, "To", m->to_name, m->to))
        bad = "To";
    else if (m->reply_to && ts_mime_mailbox(out, "Reply-To", NULL, m->reply_to))
        bad = "Reply-To";
    else if (ts_mime_header(out, "Subject", m->subject))
        bad = "Subject";
    else if (m->message_id == NULL || m->message_id[0] != '<' ||
             ts_mime_header(out, "Message-ID", m->message_id))
        bad = "Message-ID";
    if (bad) {
        ts_seterr(err, errsize,
                  "%s: refused (a control character, CR/LF, invalid UTF-8 or a bad "
                  "address)",
                  bad);
        return TS_EINVAL;
    }
    ts_buf_printf(out, "Date: %s\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n", date);
    return 0;
}

int ts_mime_build(const ts_mail_t *m, ts_pgp_t *pgp, ts_buf_t *out, char *err, size_t errsize)
{
    ts_buf_t e = TS_BUF_INIT, x = TS_BUF_INIT;
    size_t start = out->len;
    int r = headers(m, out, err, errsize);
    if (r == 0)
        r = entity(m, &e, err, errsize);
    char b[40];
    boundary(b);
    if (r == 0 && pgp == NULL) {
        ts_buf_append(out, e.data, e.len);
        ts_buf_puts(out, "\r\n");
    } else if (r == 0 && m->enc_fpr == NULL) {
        char micalg[32];
        r = ts_pgp_sign(pgp, e.data, e.len, &x, micalg);
        if (r)
            ts_seterr(err, errsize, "signing failed");
        if (r == 0) {
            ts_buf_printf(out,
                          "Content-Type: multipart/signed; micalg=%s;\r\n"
                          " protocol=\"application/pgp-signature\"; boundary=\"%s\"\r\n\r\n"
                          "This is an OpenPGP/MIME signed message (RFC 3156).\r\n--%s\r\n",
                          micalg, b, b);
            ts_buf_append(out, e.data, e.len);
            ts_buf_printf(out,
                          "\r\n--%s\r\nContent-Type: application/pgp-signature; "
                          "name=\"signature.asc\"\r\n"
                          "Content-Description: OpenPGP digital signature\r\n"
                          "Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n",
                          b);
            crlf(out, x.data, x.len);
            ts_buf_printf(out, "--%s--\r\n", b);
        }
    } else if (r == 0) {
        r = ts_pgp_encrypt_sign(pgp, m->enc_fpr, m->enc_key, m->enc_key ? strlen(m->enc_key) : 0,
                                e.data, e.len, &x, err, errsize);
        if (r == 0) {
            ts_buf_printf(out,
                          "Content-Type: multipart/encrypted;\r\n"
                          " protocol=\"application/pgp-encrypted\"; boundary=\"%s\"\r\n\r\n"
                          "This is an OpenPGP/MIME encrypted message (RFC 3156).\r\n"
                          "--%s\r\nContent-Type: application/pgp-encrypted\r\n"
                          "Content-Description: PGP/MIME version identification\r\n\r\n"
                          "Version: 1\r\n\r\n"
                          "--%s\r\nContent-Type: application/octet-stream; "
                          "name=\"encrypted.asc\"\r\n"
                          "Content-Description: OpenPGP encrypted message\r\n"
                          "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n",
                          b, b, b);
            crlf(out, x.data, x.len);
            ts_buf_printf(out, "--%s--\r\n", b);
        }
    }
    if (r) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    ts_buf_free(&e);
    ts_buf_free(&x);
    return r;
}

/* The multipart/signed entity (its Content-Type header and body, ending in
 * CRLF) of the entity e, signed with sm (RFC 8551 section 3.5.3). */
static int smime_signed(const ts_buf_t *e, ts_smime_t *sm, ts_buf_t *out, char *err, size_t errsize)
{
    ts_buf_t sig = TS_BUF_INIT;
    char micalg[32], b[40];
    int r = ts_smime_sign(sm, e->data, e->len, &sig, micalg, err, errsize);
    if (r == 0) {
        boundary(b);
        ts_buf_printf(
            out,
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
            " micalg=%s; boundary=\"%s\"\r\n\r\n"
            "This is an S/MIME signed message (RFC 8551).\r\n--%s\r\n",
            micalg, b, b);
        ts_buf_append(out, e->data, e->len);
        ts_buf_printf(
            out,
            "\r\n--%s\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n"
            "Content-Description: S/MIME cryptographic signature\r\n\r\n",
            b);
        ts_mime_base64(out, sig.data, sig.len);
        ts_buf_printf(out, "--%s--\r\n", b);
    }
    ts_buf_free(&sig);
    return r;
}

int ts_mime_build_smime(const ts_mail_t *m, ts_smime_t *sm, ts_buf_t *out, char *err,
                        size_t errsize)
{
    ts_buf_t e = TS_BUF_INIT, s = TS_BUF_INIT, x = TS_BUF_INIT;
    size_t start = out->len;
    int r = headers(m, out, err, errsize);
    if (r == 0)
        r = entity(m, &e, err, errsize);
    if (r == 0)
        r = smime_signed(&e, sm, &s, err, errsize);
    if (r == 0 && m->enc_cert == NULL) {
        ts_buf_append(out, s.data, s.len);
    } else if (r == 0) {
        /* Signed first, then enveloped (RFC 8551 section 3.7): the
         * recipient sees the signature only after decrypting. */
        r = ts_smime_encrypt(sm, m->enc_cert, s.data, s.len, &x, err, errsize);
        if (r == 0) {
            ts_buf_puts(out, "Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\r\n"
                             " name=\"smime.p7m\"\r\n"
                             "Content-Transfer-Encoding: base64\r\n"
                             "Content-Disposition: attachment; filename=\"smime.p7m\"\r\n"
                             "Content-Description: S/MIME encrypted message\r\n\r\n");
            ts_mime_base64(out, x.data, x.len);
        }
    }
    if (r) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    ts_buf_free(&e);
    ts_buf_free(&s);
    ts_buf_free(&x);
    return r;
}
