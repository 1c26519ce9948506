/* SPDX-License-Identifier: Apache-2.0 */
/* SMTP through libcurl (see smtp.h). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "notify/smtp.h"

void ts_smtp_parser_init(ts_smtp_parser_t *p)
{
    memset(p, 0, sizeof *p);
}

static void append_text(ts_smtp_reply_t *r, const char *s, size_t n)
{
    size_t have = strlen(r->text);
    if (have && have + 1 < sizeof r->text)
        r->text[have++] = ' ';
    for (size_t i = 0; i < n && have + 1 < sizeof r->text; i++) {
        unsigned char c = (unsigned char)s[i];
        r->text[have++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    r->text[have] = '\0';
}

int ts_smtp_parser_line(ts_smtp_parser_t *p, const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
        line[2] < '0' || line[2] > '9' || (len > 3 && line[3] != ' ' && line[3] != '-')) {
        p->bad = true;
        return TS_ESYNTAX;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!p->in_reply)
        memset(&p->cur, 0, sizeof p->cur);
    else if (code != p->cur.code) {
        p->bad = true;
        p->in_reply = false;
        return TS_ESYNTAX;
    }
    p->cur.code = code;
    const char *t = len > 4 ? line + 4 : "";
    size_t tn = len > 4 ? len - 4 : 0;
    /* An enhanced status code (RFC 3463) leads the text: class.subject.detail. */
    if (p->cur.status[0] == '\0' && tn >= 5 && t[0] == line[0] && t[1] == '.') {
        size_t k = 2, dots = 1;
        while (k < tn && k < sizeof p->cur.status - 1 &&
               ((t[k] >= '0' && t[k] <= '9') || (t[k] == '.' && dots++ < 2)))
            k++;
        if (dots == 2 && (k == tn || t[k] == ' ') && t[k - 1] != '.') {
            memcpy(p->cur.status, t, k);
            p->cur.status[k] = '\0';
            t += k;
            tn -= k;
            while (tn && *t == ' ')
                t++, tn--;
        }
    }
    append_text(&p->cur, t, tn);
    p->in_reply = len > 3 && line[3] == '-';
    return p->in_reply ? 0 : 1;
}

ts_smtp_result_t ts_smtp_class(int code)
{
    if (code >= 200 && code < 400)
        return TS_SMTP_OK;
    if (code >= 500 && code < 600)
        return TS_SMTP_PERM;
    return TS_SMTP_TEMP;
}

struct xfer {
    const char *data;
    size_t len, off;
    int (*before_dot)(void *);
    void *ctx;
    bool aborted;
    ts_smtp_parser_t parser;
    ts_smtp_reply_t last;
    ts_smtp_reply_t refusal; /* the first 4xx or 5xx: later replies (QUIT's 221) hide it */
    char line[1024];
    size_t line_len;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    struct xfer *x = arg;
    size_t room = size * nitems;
    if (x->off == x->len)
        return 0; /* libcurl sends the final "." */
    size_t n = x->len - x->off < room ? x->len - x->off : room;
    /* The last bytes: once they are handed over, nothing stops libcurl from
     * ending the data, so the send is recorded first (or does not happen). */
    if (x->off + n == x->len && x->before_dot) {
        if (x->before_dot(x->ctx) != 0) {
            x->aborted = true;
            return CURL_READFUNC_ABORT;
        }
        x->before_dot = NULL;
    }
    memcpy(buf, x->data + x->off, n);
    x->off += n;
    return n;
}

/* The relay's replies arrive as "header" data; keep the last whole one. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)h;
    struct xfer *x = arg;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    for (size_t i = 0; i < size; i++) {
        if (x->line_len < sizeof x->line)
            x->line[x->line_len++] = data[i];
        if (data[i] == '\n') {
            if (ts_smtp_parser_line(&x->parser, x->line, x->line_len) == 1) {
                x->last = x->parser.cur;
                if (x->last.code >= 400 && x->refusal.code == 0)
                    x->refusal = x->last;
            }
            x->line_len = 0;
        }
    }
    return 0;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct ts_smtp {
    ts_smtp_opts_t o;
    CURL *h;
};

ts_smtp_t *ts_smtp_open(const ts_smtp_opts_t *o)
{
    pthread_once(&once, init_curl);
    ts_smtp_t *s = ts_xcalloc(1, sizeof *s);
    s->o = *o;
    s->h = curl_easy_init();
    return s;
}

void ts_smtp_close(ts_smtp_t *s)
{
    if (s == NULL)
        return;
    if (s->h)
        curl_easy_cleanup(s->h); /* says QUIT on the connection kept */
    free(s);
}

ts_smtp_result_t ts_smtp_send(ts_smtp_t *s, const char *from, const char *rcpt, const char *data,
                              size_t len, int (*before_dot)(void *ctx), void *ctx,
                              ts_smtp_reply_t *reply)
{
    memset(reply, 0, sizeof *reply);
    struct xfer x = {.data = data, .len = len, .before_dot = before_dot, .ctx = ctx};
    ts_smtp_parser_init(&x.parser);
    CURL *h = s->h;
    if (h == NULL) {
        snprintf(reply->text, sizeof reply->text, "libcurl: cannot start a transfer");
        return TS_SMTP_TEMP;
    }
    const ts_smtp_opts_t *o = &s->o;
    char env_from[300], env_to[300];
    snprintf(env_from, sizeof env_from, "<%s>", from);
    snprintf(env_to, sizeof env_to, "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, env_to);
    /* The same handle, so that libcurl keeps the connection (and its TLS
     * session and EHLO) from one mail to the next. */
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, env_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &x);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &x);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* feeds debug_cb only; nothing is printed */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     o->tls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (o->cafile) {
        /* That file only: libcurl would read the whole system CA directory
         * on every handshake too (about 90 ms here). */
        curl_easy_setopt(h, CURLOPT_CAINFO, o->cafile);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    if (o->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, o->password ? o->password : "");
    }
    CURLcode cr = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(rcpts);
    *reply = x.refusal.code ? x.refusal : x.last;
    if (x.aborted) {
        memset(reply, 0, sizeof *reply);
        snprintf(reply->text, sizeof reply->text, "not sent: the outbox could not record the send");
        return TS_SMTP_TEMP;
    }
    if (cr == CURLE_OK && x.off == x.len)
        return reply->code ? ts_smtp_class(reply->code) : TS_SMTP_OK;
    if (reply->code >= 500)
        return TS_SMTP_PERM;
    if (reply->code == 0 || ts_smtp_class(reply->code) == TS_SMTP_OK) {
        reply->code = 0;
        snprintf(reply->text, sizeof reply->text, "%s", curl_easy_strerror(cr));
    }
    return TS_SMTP_TEMP;
}
