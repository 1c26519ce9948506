/* SPDX-License-Identifier: Apache-2.0 */
/* Mail messages: headers (RFC 5322, with RFC 2047 encoded words for
 * non-ASCII text), MIME bodies (RFC 2045/2046) and OpenPGP/MIME (RFC 3156:
 * multipart/signed, and multipart/encrypted around a signed-and-encrypted
 * entity) and S/MIME (RFC 8551: multipart/signed with an
 * application/pkcs7-signature, and application/pkcs7-mime enveloped-data
 * around such a signed entity: signed first, then enveloped).
 *
 * Every message is 7-bit with CRLF line ends: text parts are
 * quoted-printable, attachments base64, header values ASCII or encoded
 * words. A value that would reach a header with CR, LF or NUL is refused
 * (TS_EINVAL), never cleaned: header injection is impossible by
 * construction. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "notify/pgp.h"
#include "notify/smime.h"

/* Appends "name: value" CRLF. ASCII values go as they are (refused past 998
 * bytes), others as UTF-8 "B" encoded words folded onto continuation lines.
 * \retval TS_EINVAL CR, LF, NUL or another control character, or invalid
 * UTF-8 (nothing is appended then). */
TS_MUSTCHECK int ts_mime_header(ts_buf_t *out, const char *name, const char *value);
/* Appends "name: display <addr>" CRLF, the display name quoted or encoded as
 * needed ("" or NULL: the bare address). addr must pass ts_addr_check().
 * \retval TS_EINVAL as ts_mime_header(), or a bad address. */
TS_MUSTCHECK int ts_mime_mailbox(ts_buf_t *out, const char *name, const char *display,
                                 const char *addr);
/* Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in LF or
 * CRLF: lines of at most 76 characters, CRLF ends. */
void ts_mime_qp(ts_buf_t *out, const char *s, size_t n);
/* Base64 in lines of 76 characters, CRLF ends. */
void ts_mime_base64(ts_buf_t *out, const void *data, size_t n);
/* A fresh "<hex.hex@domain>" Message-ID (128 random bits); out holds at
 * least TS_MIME_MSGID_MAX bytes. */
#define TS_MIME_MSGID_MAX 300
void ts_mime_message_id(const char *domain, char *out);
/* RFC 5322 date of us since the epoch, in UTC ("Mon, 07 Dec 2026 16:00:00 +0000"). */
void ts_mime_date(int64_t us, char *out, size_t size);

typedef struct ts_mime_att {
    const char *content_type; /* "text/csv; charset=utf-8" */
    const char *filename;     /* ASCII, no quotes or controls */
    const void *data;
    size_t len;
} ts_mime_att_t;

typedef struct ts_mail {
    const char *from, *from_name; /* the CSIRT's address and name */
    const char *to, *to_name;     /* the contact */
    const char *reply_to;         /* NULL: none */
    const char *subject;
    const char *message_id; /* from ts_mime_message_id() */
    int64_t date;           /* us since the epoch */
    const char *text;       /* the body, UTF-8 */
    const ts_mime_att_t *att;
    size_t n_att;
    /* Encryption: the contact's key (fingerprint and armour); NULL: signed only. */
    const char *enc_fpr;
    const char *enc_key;
    /* S/MIME encryption: the contact's PEM certificate; NULL: signed only. */
    const char *enc_cert;
} ts_mail_t;

/* Builds the whole message into out: the headers, then the body as a
 * multipart/mixed entity (text and attachments) that is signed (RFC 3156
 * section 5) with pgp's key, or signed and encrypted to enc_fpr (section
 * 6.2) when given; pgp NULL gives the unsigned entity (previews).
 * \retval 0.  \retval TS_EINVAL a header value or an address refused (err
 * says which).  \retval TS_ECRYPTO signing or encryption failed. */
TS_MUSTCHECK int ts_mime_build(const ts_mail_t *m, ts_pgp_t *pgp, ts_buf_t *out, char *err,
                               size_t errsize);
/* As ts_mime_build(), with S/MIME: the multipart/mixed entity signed with
 * sm's certificate (RFC 8551 section 3.5.3, multipart/signed with a
 * detached application/pkcs7-signature), and, when enc_cert is given, that
 * signed entity enveloped to it (section 3.3, application/pkcs7-mime;
 * smime-type=enveloped-data, base64). enc_fpr and enc_key are not used.
 * \retval 0.  \retval TS_EINVAL a header value or an address refused, or
 * enc_cert cannot encrypt now (expired, revoked; err says which).
 * \retval TS_ECRYPTO signing or encryption failed (err says why). */
TS_MUSTCHECK int ts_mime_build_smime(const ts_mail_t *m, ts_smime_t *sm, ts_buf_t *out, char *err,
                                     size_t errsize);
