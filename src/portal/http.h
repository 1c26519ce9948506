/* SPDX-License-Identifier: Apache-2.0 */
/* What the HTTPS server hands to the handlers and gets back: a request with
 * the identity the server verified, and a response the handler fills. Kept
 * free of libmicrohttpd so that handlers are tested (and fuzzed) in-process,
 * with the same code path as behind TLS. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/certreg.h"

/* Who sent a request: the site certificate the server verified and looked up
 * in the certificate registry. Filled only by the server (or by tests). */
typedef struct ts_principal {
    bool csirt;      /* a CSIRT certificate: sees the whole constituency */
    bool reader;     /* role reader: may read, never change anything (403) */
    int64_t site_id; /* the certificate's site; 0 when csirt */
    char site[65];   /* its name; "" when csirt */
    char holder[TS_HOLDER_MAX + 1];
    char fingerprint[TS_FINGERPRINT_HEX + 1];
} ts_principal_t;

typedef struct ts_http_req {
    const char *method; /* "GET", "HEAD", "POST", ... */
    const char *path;   /* as received, percent-encoded, without the query */
    const char *query;  /* raw query string without the '?'; NULL when absent */
    const char *accept; /* the Accept header; NULL when absent */
    const char *content_type;
    const char *body; /* request body (POST/PUT/DELETE); not NUL-terminated */
    size_t body_len;
    const ts_principal_t *who; /* NULL: not authenticated; only public resources answer */
} ts_http_req_t;

#define TS_HTTP_HEADERS_MAX 4

typedef struct ts_http_resp {
    int status;               /* HTTP status code */
    const char *content_type; /* static string; NULL = application/json */
    ts_buf_t body;            /* owned by the response: ts_http_resp_free() */
    /* Extra headers, static names, values owned by the response. */
    int n_headers;
    const char *header_name[TS_HTTP_HEADERS_MAX];
    char *header_value[TS_HTTP_HEADERS_MAX];
} ts_http_resp_t;

void ts_http_resp_init(ts_http_resp_t *r);
void ts_http_resp_free(ts_http_resp_t *r);
/* Adds a header (value copied). Ignored beyond TS_HTTP_HEADERS_MAX. */
void ts_http_resp_header(ts_http_resp_t *r, const char *name, const char *value);
/* Sets an error response: status and the JSON body
 * {"error":{"code":code,"message":message}} (the message is escaped). */
void ts_http_resp_error(ts_http_resp_t *r, int status, const char *code, const char *message);
