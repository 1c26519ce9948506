/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/download.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ts_version.h"

#define DL_MAX_DEFAULT (64u << 20)

bool ts_download_url_ok(const char *url)
{
    if (url == NULL)
        return false;
    size_t n = strlen(url);
    if (n > TS_DOWNLOAD_URL_MAX || n <= 8 || strncasecmp(url, "https://", 8) != 0)
        return false;
    /* A host must follow; userinfo ("https://a@b") is refused because it
     * makes the host a reader sees differ from the one contacted. */
    if (url[8] == '/' || url[8] == ':' || url[8] == '.')
        return false;
    bool in_authority = true;
    for (size_t i = 8; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>')
            return false;
        if (c == '/' || c == '?' || c == '#')
            in_authority = false;
        if (in_authority && c == '@')
            return false;
    }
    return true;
}

struct sink {
    int fd;
    ts_buf_t *out;
    uint64_t max, size;
    bool over, io;
    gnutls_hash_hd_t hash;
    ts_download_t *d;
};

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
    struct sink *S = arg;
    size_t len = sz * n;
    if (S->size + len > S->max) {
        S->over = true;
        return 0; /* aborts the transfer */
    }
    if (S->fd >= 0) {
        for (size_t done = 0; done < len;) {
            ssize_t w = write(S->fd, p + done, len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                S->io = true;
                return 0;
            }
            done += (size_t)w;
        }
    } else {
        ts_buf_append(S->out, p, len);
    }
    gnutls_hash(S->hash, p, len);
    S->size += len;
    return len;
}

/* Keeps a header's value (trimmed) when it fits, else "". */
static void keep(char *dst, size_t cap, const char *v, size_t n)
{
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    while (n > 0 && *v == ' ') {
        v++;
        n--;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            n = 0; /* a header with control characters is not kept */
    if (n >= cap)
        n = 0;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    struct sink *S = arg;
    size_t len = sz * n;
    /* A new response (after a redirect) starts with its status line. */
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        S->d->etag[0] = S->d->last_modified[0] = '\0';
    } else if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        keep(S->d->etag, sizeof S->d->etag, p + 5, len - 5);
    } else if (len > 14 && strncasecmp(p, "Last-Modified:", 14) == 0) {
        keep(S->d->last_modified, sizeof S->d->last_modified, p + 14, len - 14);
    }
    return len;
}

int ts_download_policy(void *curl, const char *cacert, long timeout_s, char *errbuf)
{
    CURL *h = curl;
    CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (c == CURLE_OK)                                                                         \
            c = curl_easy_setopt(h, opt, val);                                                     \
    } while (0)
    /* https only, redirects included; verification is never optional. */
    SET(CURLOPT_PROTOCOLS_STR, "https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 5L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (cacert) {
        SET(CURLOPT_CAINFO, cacert);
        SET(CURLOPT_CAPATH, (char *)NULL);
    }
    SET(CURLOPT_CONNECTTIMEOUT, 30L);
    SET(CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 300L);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, 60L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, "tocsin/" TS_VERSION_STRING);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* bounds apply to the decoded bytes */
    SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
    return (int)c;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ok;

static void curl_init(void)
{
    curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int ts_download(const ts_download_opts_t *o, int fd, ts_buf_t *out, ts_download_t *d, char *err,
                size_t errsize)
{
    memset(d, 0, sizeof *d);
    if (out)
        ts_buf_reset(out);
    if (o == NULL || !ts_download_url_ok(o->url) || (fd < 0 && out == NULL)) {
        ts_seterr(err, errsize, "not an https URL (https://host/...)");
        return TS_EINVAL;
    }
    pthread_once(&curl_once, curl_init);
    if (!curl_ok) {
        ts_seterr(err, errsize, "cannot initialise libcurl");
        return TS_ENET;
    }
    struct sink S = {.fd = fd, .out = out, .max = o->max ? o->max : DL_MAX_DEFAULT, .d = d};
    if (gnutls_hash_init(&S.hash, GNUTLS_DIG_SHA256) < 0) {
        ts_seterr(err, errsize, "cannot start SHA-256");
        return TS_ECRYPTO;
    }
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    ts_buf_t line = TS_BUF_INIT;
    int rc = 0;
    if (h == NULL) {
        ts_seterr(err, errsize, "cannot initialise libcurl");
        rc = TS_ENET;
        goto out;
    }
    if (o->etag && *o->etag) {
        ts_buf_reset(&line);
        ts_buf_printf(&line, "If-None-Match: %s", o->etag);
        hdr = curl_slist_append(hdr, line.data);
    }
    if (o->last_modified && *o->last_modified) {
        ts_buf_reset(&line);
        ts_buf_printf(&line, "If-Modified-Since: %s", o->last_modified);
        hdr = curl_slist_append(hdr, line.data);
    }
    if (o->post)
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
    for (const char *const *x = o->headers; x && *x; x++)
        hdr = curl_slist_append(hdr, *x);
    CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (c == CURLE_OK)                                                                         \
            c = curl_easy_setopt(h, opt, val);                                                     \
    } while (0)
    c = (CURLcode)ts_download_policy(h, o->cacert, o->timeout_s, errbuf);
    SET(CURLOPT_URL, o->url);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)S.max);
    SET(CURLOPT_WRITEFUNCTION, on_data);
    SET(CURLOPT_WRITEDATA, &S);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, &S);
    if (hdr)
        SET(CURLOPT_HTTPHEADER, hdr);
    if (o->post) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->post_len);
        SET(CURLOPT_POSTFIELDS, o->post);
    }
#undef SET
    if (c != CURLE_OK) {
        ts_seterr(err, errsize, "libcurl: %s", curl_easy_strerror(c));
        rc = TS_ENET;
        goto out;
    }
    c = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status);
    d->size = S.size;
    if (c == CURLE_FILESIZE_EXCEEDED || (c == CURLE_WRITE_ERROR && S.over)) {
        ts_seterr(err, errsize, "the body is larger than %llu bytes", (unsigned long long)S.max);
        rc = TS_ETOOBIG;
    } else if (c == CURLE_WRITE_ERROR && S.io) {
        ts_seterr(err, errsize, "cannot write the body: %s", strerror(errno));
        rc = TS_EIO;
    } else if (c == CURLE_PARTIAL_FILE) {
        ts_seterr(err, errsize, "the body ended early (%llu bytes): truncated",
                  (unsigned long long)S.size);
        rc = TS_ETRUNC;
    } else if (c != CURLE_OK) {
        ts_seterr(err, errsize, "%s", errbuf[0] ? errbuf : curl_easy_strerror(c));
        rc = TS_ENET;
    } else if (d->status == 304) {
        d->not_modified = true;
    } else if (d->status == 401 || d->status == 403) {
        ts_seterr(err, errsize, "HTTP %ld: refused", d->status);
        rc = TS_EDENIED;
    } else if (d->status == 404 || d->status == 410) {
        ts_seterr(err, errsize, "HTTP %ld: not found", d->status);
        rc = TS_ENOENT;
    } else if (d->status != 200) {
        ts_seterr(err, errsize, "HTTP %ld", d->status);
        rc = TS_ENET;
    }
out:;
    unsigned char md[32];
    gnutls_hash_deinit(S.hash, md);
    for (int i = 0; i < 32; i++)
        snprintf(d->sha256 + 2 * i, 3, "%02x", md[i]);
    if (out && out->data == NULL)
        ts_buf_append(out, "", 0);
    curl_slist_free_all(hdr);
    ts_buf_free(&line);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}
