/* SPDX-License-Identifier: Apache-2.0 */
/* Handing a mail to the relay over SMTP (libcurl): STARTTLS when the relay
 * offers it (required with tls_required; smtps:// is TLS from the start),
 * AUTH when a user is given, one recipient per transaction.
 *
 * The end of the data is the point at which the relay takes the mail: the
 * caller's before_dot runs before the last bytes of the message are handed
 * to libcurl (after them nothing stops it from sending the final "."), and
 * the mail is not sent when it fails (the data stays unfinished, the
 * connection is dropped and the relay discards the transaction). This is
 * what the outbox uses to know, after a crash, whether a mail can have
 * reached the relay (notify/outbox.h). libcurl is not told the message's
 * size, which would let it end the data without asking for more. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define TS_SMTP_TEXT_MAX 512

/* One reply of the relay: the code of its last line, the enhanced status
 * code when it has one ("5.1.1"), and its text (the lines' texts joined by
 * a space, cut to fit). */
typedef struct ts_smtp_reply {
    int code; /* 0 when there was no reply (network failure) */
    char status[16];
    char text[TS_SMTP_TEXT_MAX];
} ts_smtp_reply_t;

/* Incremental reply parser: feed it the relay's lines (without or with
 * their CRLF) one at a time. */
typedef struct ts_smtp_parser {
    ts_smtp_reply_t cur;
    bool in_reply; /* a continuation ("250-") was seen */
    bool bad;      /* a line that is not a reply line */
} ts_smtp_parser_t;
void ts_smtp_parser_init(ts_smtp_parser_t *p);
/* \retval 1 a reply is complete (in p->cur until the next line).
 * \retval 0 more lines belong to it.  \retval TS_ESYNTAX not an SMTP reply
 * line (three digits, then ' ' or '-' or the end). */
TS_MUSTCHECK int ts_smtp_parser_line(ts_smtp_parser_t *p, const char *line, size_t len);

typedef enum ts_smtp_result {
    TS_SMTP_OK = 0,   /* 2xx after the data: the relay has it */
    TS_SMTP_TEMP = 1, /* 4xx or no answer (network, timeout): try again later */
    TS_SMTP_PERM = 2, /* 5xx: the relay refuses it (recipient unknown...) */
} ts_smtp_result_t;

typedef struct ts_smtp_opts {
    const char *url;      /* smtp://host:port[/EHLO-NAME] or smtps://host:port */
    const char *user;     /* AUTH: NULL for none */
    const char *password; /* never logged */
    bool tls_required;    /* STARTTLS or fail (TS_SMTP_TEMP) */
    const char *cafile;   /* the relay's CA for TLS; NULL: the system's */
    long timeout_ms;      /* the whole transaction; 0 = 60 s */
} ts_smtp_opts_t;

/* A sender: one SMTP connection kept open (with its TLS session and EHLO)
 * from one mail to the next, opened again when the relay closed it. Used by
 * one thread at a time. Never NULL; free with ts_smtp_close(). */
typedef struct ts_smtp ts_smtp_t;
ts_smtp_t *ts_smtp_open(const ts_smtp_opts_t *o);
void ts_smtp_close(ts_smtp_t *s);

/* Sends data (len bytes, CRLF lines) from `from` to `rcpt` (addresses that
 * passed ts_addr_check). reply gets the relay's first refusal, else its
 * last reply.
 * \retval a ts_smtp_result_t (never negative): before_dot failing gives
 * TS_SMTP_TEMP with reply->code 0 and the mail not sent. */
ts_smtp_result_t ts_smtp_send(ts_smtp_t *s, const char *from, const char *rcpt, const char *data,
                              size_t len, int (*before_dot)(void *ctx), void *ctx,
                              ts_smtp_reply_t *reply /* OUT */);

/* The class of a reply code (2xx OK, 4xx or none TEMP, 5xx PERM). */
ts_smtp_result_t ts_smtp_class(int code);
