/* SPDX-License-Identifier: Apache-2.0 */
/* Downloads of feeds and report schemas over HTTPS (libcurl): https only,
 * redirects included, the server's certificate always verified (the system's
 * CAs or a given CA file), TLS 1.2 or newer; a body bounded in size, taken
 * whole or not at all (a body shorter than its Content-Length is an error);
 * conditional GET by ETag and Last-Modified; POST of a JSON body with extra
 * headers (the Shadowserver API's signed requests). The body's SHA-256 is
 * computed as it arrives. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define TS_DOWNLOAD_URL_MAX 2048

typedef struct ts_download_opts {
    const char *url;           /* https://host/... */
    const char *cacert;        /* PEM CA file trusted instead of the system's, or NULL */
    const char *etag;          /* If-None-Match, NULL or "" for none */
    const char *last_modified; /* If-Modified-Since, NULL or "" for none */
    const char *post;          /* a POST body (sent as application/json), NULL: GET */
    size_t post_len;
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
    uint64_t max;               /* largest body taken (0: 64 MiB) */
    long timeout_s;             /* whole transfer (0: 300) */
} ts_download_opts_t;

typedef struct ts_download {
    long status;       /* HTTP status */
    bool not_modified; /* 304: nothing was written */
    uint64_t size;     /* body bytes */
    char sha256[65];   /* of the body, hex */
    char etag[256];    /* the response's ETag, "" when none or too long */
    char last_modified[128];
} ts_download_t;

/* Whether url is an https URL tocsin fetches: a host, no user info, no
 * control characters or blanks, at most TS_DOWNLOAD_URL_MAX bytes. */
bool ts_download_url_ok(const char *url);

/* Sets on the libcurl easy handle curl (a CURL *) the policy of every
 * tocsin download: https only (redirects too, at most 5), the peer's
 * certificate and host name verified against the system's CAs or cacert
 * (PEM, NULL: the system's), TLS 1.2 or newer, 30 s to connect, timeout_s for
 * the transfer (0: 300), abort below 1 byte/s for 60 s, compressed bodies
 * decoded, libcurl's messages into errbuf (CURL_ERROR_SIZE bytes).
 * \retval 0, else the CURLcode of the option that failed. */
int ts_download_policy(void *curl, const char *cacert, long timeout_s, char *errbuf);

/* The body into the file descriptor fd (written from its current position)
 * or, fd < 0, into out (reset first). *d is filled in either way.
 * \retval 0 HTTP 200 (body taken) or 304 (d->not_modified, nothing taken).
 * \retval TS_EINVAL not an https URL.  \retval TS_ETOOBIG over o->max.
 * \retval TS_ETRUNC the body ended before its announced length.
 * \retval TS_EDENIED HTTP 401 or 403.  \retval TS_ENOENT HTTP 404 or 410.
 * \retval TS_EIO writing to fd failed.
 * \retval TS_ENET anything else: DNS, connection, TLS (an untrusted
 *         certificate), another HTTP status. err says which. */
TS_MUSTCHECK int ts_download(const ts_download_opts_t *o, int fd, ts_buf_t *out,
                             ts_download_t *d /* OUT */, char *err, size_t errsize);
