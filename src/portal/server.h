/* SPDX-License-Identifier: Apache-2.0 */
/* The portal's HTTPS server (libmicrohttpd + GnuTLS, mutual TLS).
 *
 * Every connection is asked for a client certificate; the server verifies it
 * itself (portal/peer.h: chain against tocsin's CA and CRL, clientAuth,
 * registry), once per connection (again after a CA/CRL reload), and looks
 * the fingerprint up in the registry on each request, so a revocation or a
 * removed site takes effect on the next request. Only GET/HEAD of
 * /api/v1/health and /api/v1/openapi.json answer without a verified
 * certificate; anything else gets 403 {"error":{"code":"forbidden"}} and the
 * connection is closed.
 *
 * /api/... goes to ts_api_handle(); other paths are static files of the web
 * root (GET/HEAD, a fixed list of types, no listing, no hidden files, no
 * symlinks). Every response carries the security headers of the API contract
 * (CSP, HSTS, nosniff, no-referrer, COOP/CORP; no-store under /api/).
 * A refused browser asking for a page (Accept: text/html, a path outside
 * /api/) gets an HTML page that says what to do instead (portal/nocert.h).
 * GET /metrics (portal/scrape.h) answers CSIRT certificates; a site's
 * certificate gets 404 there, as for any path it may not know of.
 *
 * Each request is counted in the metrics registry (per route and status,
 * with its latency) and, with access_log, logged once it completed: method,
 * path (no query), status, milliseconds, certificate fingerprint and site.
 *
 * Methods other than GET/HEAD must come from the same origin (Sec-Fetch-Site
 * same-origin, or Origin equal to https://HOST) and, with a body (always for
 * POST/PUT/PATCH), with Content-Type application/json; else 403.
 *
 * Threading: the daemon runs its own threads (a pool of opts.threads); each
 * thread opens its own store (stores are not shared between threads) on its
 * first request. ts_server_reload() may be called from any thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"

#define TS_SERVER_BODY_MAX (64u * 1024u) /* larger request bodies get 413 */
#define TS_SERVER_PRIORITIES                                                                       \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:"            \
    "+CHACHA20-POLY1305:-RSA:-DHE-RSA:-DHE-DSS:%SERVER_PRECEDENCE"

typedef struct ts_server ts_server_t;

typedef struct ts_server_opts {
    const char *listen;  /* "ADDRESS:PORT" or "[IPV6]:PORT"; port 0 = any free port */
    const char *ca_dir;  /* ca.pem, crl.pem, server.pem, server.key */
    const char *web_dir; /* static files; NULL = none (every non-API path is 404) */
    const char *db_path; /* the store each server thread opens */
    unsigned threads;    /* server threads, 1..16 (default 2) */
    unsigned conn_limit; /* concurrent connections (default 256) */
    unsigned timeout_s;  /* idle connection timeout in seconds (default 30) */
    const char *contact; /* whom a refused browser should ask (its HTML page); NULL: the CSIRT */
    bool access_log;     /* one log line per request (default true) */
} ts_server_opts_t;

void ts_server_opts_init(ts_server_opts_t *o);

/* Parses "1.2.3.4:443" or "[::1]:443" (numeric addresses only).
 * \retval TS_EINVAL malformed.  \retval TS_EADDR not an address. */
TS_MUSTCHECK int ts_server_parse_listen(const char *s, struct sockaddr_storage *ss /* OUT */,
                                        socklen_t *len /* OUT */);

/* Loads the keys and the trust state and starts listening.
 * \retval TS_ENOENT a file of the CA directory is missing (named in err).
 * \retval TS_EINVAL bad options.  \retval TS_EIO cannot listen (err says why).
 * \retval TS_ECRYPTO a key or certificate does not load. */
TS_MUSTCHECK int ts_server_start(const ts_server_opts_t *o, ts_server_t **out /* OUT */, char *err,
                                 size_t errsize);
/* The port actually bound (useful with port 0). */
uint16_t ts_server_port(const ts_server_t *s);
/* "https://ADDRESS:PORT/" of the listening socket. */
const char *ts_server_url(const ts_server_t *s);
/* Reloads the CA certificate and the CRL now (SIGHUP). */
void ts_server_reload(ts_server_t *s);
/* Stops listening, waits for the server threads, frees everything. */
void ts_server_stop(ts_server_t *s);

/* The cross-site request check applied to methods other than GET and HEAD:
 * same origin, and a JSON body (which a cross-site form cannot send without a
 * CORS preflight), or with form_ok an HTML form's body (the one public form,
 * ts_api_public_form(), whose single-use token authorises it). Any argument
 * but method may be NULL (header absent).
 * \retval true the request may proceed. */
bool ts_server_csrf_ok(const char *method, const char *sec_fetch_site, const char *origin,
                       const char *host, const char *content_type, size_t body_len, bool form_ok);
/* Maps a request path (percent-encoded, without query) to a path relative to
 * the web root ("index.html" for "/"), refusing NUL, "..", hidden files, empty
 * segments and characters outside [A-Za-z0-9._~-/], and returns its content
 * type; NULL when refused or of a type not served. */
const char *ts_server_static_path(const char *path, char *rel, size_t relsize);
