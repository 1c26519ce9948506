/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "portal/api.h"
#include "portal/http.h"
#include "portal/nocert.h"
#include "portal/peer.h"
#include "portal/pki.h"
#include "portal/scrape.h"

#define PEM_MAX (1u << 20)
#define URI_MAX 8192
#define STATIC_PATH_MAX 1024
#define STATIC_FILE_MAX ((uint64_t)64 << 20)

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; font-src 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

struct ts_server {
    struct MHD_Daemon *d;
    ts_peer_trust_t *trust;
    char *db_path;
    int root_fd; /* web root, -1 when none */
    uint16_t port;
    char url[96];
    char *key_pem, *cert_pem, *ca_pem;
    size_t key_len;
    atomic_bool started; /* MHD messages are warnings while starting, debug after */
    char *contact;       /* for the refused browser's page; NULL: the CSIRT */
    bool access_log;
    pthread_mutex_t stores_mu;
    ts_store_t **stores; /* one per server thread, closed at stop */
    size_t n_stores, cap_stores;
    bool store_failed_logged;
};

/* The store of the current server thread. Threads belong to one daemon, but
 * tests may run several servers in one process: the owner is checked. */
static _Thread_local ts_store_t *tl_store;
static _Thread_local const ts_server_t *tl_owner;

#define REVERIFY_S 60 /* a long keep-alive connection is verified again this often */

struct conn {
    uint64_t gen; /* trust generation of the cached verdict; 0 = not verified */
    time_t at;    /* when it was verified (monotonic seconds) */
    ts_peer_reason_t chain;
    char fp[TS_FINGERPRINT_HEX + 1];
    ts_peer_reason_t logged; /* last refusal written to the log */
};

struct req {
    uint64_t t0; /* ts_metrics_now_us() when the request line arrived */
    char method[16];
    bool started;
    bool too_big;
    bool authed; /* who holds the verified principal */
    ts_principal_t who;
    char *path;  /* raw, percent-encoded */
    char *query; /* raw, NULL when absent */
    ts_buf_t body;
};

void ts_server_opts_init(ts_server_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 2;
    o->conn_limit = 256;
    o->timeout_s = 30;
    o->access_log = true;
}

int ts_server_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    char host[INET6_ADDRSTRLEN + 1];
    const char *port;
    bool v6 = s[0] == '[';
    if (v6) {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host)
            return TS_EINVAL;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon == NULL || strchr(s, ':') != colon || (size_t)(colon - s) >= sizeof host)
            return TS_EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    }
    if (*port == '\0' || strlen(port) > 5)
        return TS_EINVAL;
    unsigned long p = 0;
    for (const char *c = port; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return TS_EINVAL;
        p = p * 10 + (unsigned long)(*c - '0');
    }
    if (p > 65535)
        return TS_EINVAL;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return TS_EADDR;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)p);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return TS_EADDR;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)p);
        *len = sizeof *a;
    }
    return 0;
}

/* ---- Pure checks ------------------------------------------------------------ */

/* "application/json" optionally followed by parameters ("; charset=utf-8"). */
static bool is_form_type(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    return ct != NULL && strncasecmp(ct, want, sizeof want - 1) == 0 &&
           (ct[sizeof want - 1] == '\0' || ct[sizeof want - 1] == ';');
}

static bool is_json_type(const char *ct)
{
    if (ct == NULL)
        return false;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

bool ts_server_csrf_ok(const char *method, const char *sec_fetch_site, const char *origin,
                       const char *host, const char *content_type, size_t body_len, bool form_ok)
{
    if (method == NULL)
        return false;
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return true;
    if (sec_fetch_site != NULL) {
        if (strcmp(sec_fetch_site, "same-origin") != 0)
            return false;
    } else {
        /* Without Fetch Metadata, the Origin must name this very server. */
        if (origin == NULL || host == NULL || strncmp(origin, "https://", 8) != 0 ||
            strcasecmp(origin + 8, host) != 0)
            return false;
    }
    /* A cross-site form cannot send JSON without a CORS preflight. */
    bool needs_body =
        strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
    if ((needs_body || body_len > 0) && !is_json_type(content_type) &&
        !(form_ok && is_form_type(content_type)))
        return false;
    return true;
}

static bool static_char_ok(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '~' || c == '-' || c == '/';
}

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
};

const char *ts_server_static_path(const char *path, char *rel, size_t relsize)
{
    if (path == NULL || path[0] != '/' || relsize < 16)
        return NULL;
    size_t o = 0;
    for (const char *p = path + 1; *p; p++) {
        char c = *p;
        if (c == '%') {
            int h = ts_hexval(p[1]), l = h < 0 ? -1 : ts_hexval(p[2]);
            if (h < 0 || l < 0)
                return NULL;
            c = (char)(h * 16 + l);
            p += 2;
        }
        if (!static_char_ok(c) || o + 1 >= relsize || o + 1 >= STATIC_PATH_MAX)
            return NULL;
        rel[o++] = c;
    }
    rel[o] = '\0';
    if (o == 0 || rel[o - 1] == '/') {
        static const char idx[] = "index.html";
        if (o + sizeof idx > relsize)
            return NULL;
        memcpy(rel + o, idx, sizeof idx);
        o += sizeof idx - 1;
    }
    /* Segments: non-empty, never starting with '.' (hidden files, "..", "."). */
    const char *seg = rel;
    const char *last = rel;
    for (;;) {
        const char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.')
            return NULL;
        last = seg;
        if (!slash)
            break;
        seg = slash + 1;
    }
    const char *dot = strrchr(last, '.');
    if (dot == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
        if (strcmp(dot + 1, content_types[i].ext) == 0)
            return content_types[i].type;
    return NULL;
}

/* "app.3f9a1c2b.js": a name with a content hash never changes. */
static bool hashed_name(const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    const char *p = strchr(base, '.');
    while (p) {
        const char *q = strchr(p + 1, '.');
        if (q == NULL)
            return false;
        size_t n = (size_t)(q - p - 1);
        bool hex = n >= 8;
        for (size_t i = 0; hex && i < n; i++)
            hex = isxdigit((unsigned char)p[1 + i]) != 0;
        if (hex)
            return true;
        p = q;
    }
    return false;
}

/* ---- Files -------------------------------------------------------------------- */

static int read_pem(const char *dir, const char *name, char **out, size_t *len, char *err,
                    size_t errsize)
{
    char path[4096], why[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n;
    int r = ts_file_read(path, PEM_MAX, TS_FILE_REGULAR, out, &n, why, sizeof why);
    if (r == 0 && n == 0) {
        free(*out);
        *out = NULL;
        snprintf(why, sizeof why, "empty");
        r = TS_EIO;
    }
    if (r) {
        ts_seterr(err, errsize, "cannot read %s: %s", path, why);
        return r == TS_ETOOBIG ? TS_EIO : r;
    }
    if (len)
        *len = n;
    return 0;
}

static int open_beneath(int root, const char *rel)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, root, rel, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return (int)fd;
    /* Kernels before 5.6: the path was already checked for ".." segments;
     * symlinks are refused at the last component and in the directories by
     * comparing the resolved path with the root's. */
    int f = openat(root, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (f < 0)
        return -1;
    char proc[64], rootp[4096], filep[4096];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", root);
    ssize_t a = readlink(proc, rootp, sizeof rootp - 1);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", f);
    ssize_t b = readlink(proc, filep, sizeof filep - 1);
    if (a <= 0 || b <= 0) {
        close(f);
        return -1;
    }
    rootp[a] = filep[b] = '\0';
    size_t rl = (size_t)a;
    if (strncmp(filep, rootp, rl) != 0 || filep[rl] != '/' || strcmp(filep + rl + 1, rel) != 0) {
        close(f);
        errno = ELOOP;
        return -1;
    }
    return f;
}

/* ---- Responses ---------------------------------------------------------------- */

static void add_common_headers(struct MHD_Response *r, bool no_store)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    if (no_store)
        MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* Queues resp (taking its body) with the common headers. */
static enum MHD_Result queue(struct MHD_Connection *c, ts_http_resp_t *resp, bool no_store,
                             bool close_conn)
{
    struct MHD_Response *r;
    if (resp->body.len > 0) {
        r = MHD_create_response_from_buffer_with_free_callback(resp->body.len, resp->body.data,
                                                               free);
        if (r) {
            resp->body.data = NULL;
            resp->body.len = resp->body.cap = 0;
        }
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (r == NULL) {
        ts_http_resp_free(resp);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "application/json");
    for (int i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(r, resp->header_name[i], resp->header_value[i]);
    add_common_headers(r, no_store);
    if (close_conn)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    ts_http_resp_free(resp);
    return ret;
}

static enum MHD_Result queue_error(struct MHD_Connection *c, int status, const char *code,
                                   const char *message, bool close_conn)
{
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    ts_http_resp_error(&resp, status, code, message);
    return queue(c, &resp, true, close_conn);
}

/* 405 to a method other than GET and HEAD. */
static enum MHD_Result get_only(struct MHD_Connection *c)
{
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    ts_http_resp_error(&resp, 405, "method_not_allowed", "only GET and HEAD");
    ts_http_resp_header(&resp, "Allow", "GET, HEAD");
    return queue(c, &resp, true, false);
}

/* ---- Per-thread store --------------------------------------------------------- */

static ts_store_t *thread_store(ts_server_t *s)
{
    if (tl_owner == s && tl_store)
        return tl_store;
    ts_store_t *st;
    if (ts_store_open(s->db_path, &st) < 0)
        return NULL; /* the store has logged why */
    pthread_mutex_lock(&s->stores_mu);
    if (s->n_stores == s->cap_stores) {
        s->cap_stores = s->cap_stores ? 2 * s->cap_stores : 8;
        s->stores = ts_xrealloc(s->stores, s->cap_stores * sizeof *s->stores);
    }
    s->stores[s->n_stores++] = st;
    pthread_mutex_unlock(&s->stores_mu);
    tl_store = st;
    tl_owner = s;
    return st;
}

/* ---- MHD callbacks -------------------------------------------------------------- */

static void peer_name(struct MHD_Connection *c, char *buf, size_t size)
{
    snprintf(buf, size, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    char host[INET6_ADDRSTRLEN], serv[8];
    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct req *rq = ts_xcalloc(1, sizeof *rq);
    rq->t0 = ts_metrics_now_us();
    size_t n = uri ? strnlen(uri, URI_MAX + 1) : 0;
    if (n == 0 || n > URI_MAX) {
        rq->path = ts_xstrdup(""); /* refused as a bad path */
        return rq;
    }
    const char *q = memchr(uri, '?', n);
    if (q) {
        rq->path = ts_xstrndup(uri, (size_t)(q - uri));
        rq->query = ts_xstrndup(q + 1, n - (size_t)(q - uri) - 1);
    } else {
        rq->path = ts_xstrndup(uri, n);
    }
    return rq;
}

/* ---- Accounting ----------------------------------------------------------------- */

/* Metric series per route and status, registered at first use: the registry
 * takes a lock to register, a request must not. */
#define ROUTE_METRICS TS_API_ROUTE_MAX
#define ROUTE_STATIC (TS_API_ROUTE_MAX + 1)
#define ROUTES (TS_API_ROUTE_MAX + 2)
static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 413, 500};
#define STATUSES (sizeof statuses / sizeof statuses[0] + 1) /* + "other" */
static _Atomic(ts_metric_t *) req_count[ROUTES][STATUSES];
static _Atomic(ts_metric_t *) req_time[ROUTES];

static unsigned route_of_path(const char *path)
{
    if (ts_api_owns(path))
        return ts_api_route_of(path);
    return strcmp(path, "/metrics") == 0 ? ROUTE_METRICS : ROUTE_STATIC;
}

static const char *route_label(unsigned r)
{
    return r == ROUTE_METRICS ? "metrics" : r == ROUTE_STATIC ? "static" : ts_api_route_label(r);
}

static ts_metric_t *series(_Atomic(ts_metric_t *) *slot, bool histogram, const char *route,
                           const char *code)
{
    ts_metric_t *m = atomic_load_explicit(slot, memory_order_acquire);
    if (m)
        return m;
    if (histogram)
        m = ts_metrics_histogram("tocsin_http_request_duration_seconds",
                                 "Time from a request's arrival to its answer sent, per route.",
                                 (const char *[]){"route", route, NULL});
    else
        m = ts_metrics_counter("tocsin_http_requests_total",
                               "Requests answered by the portal, per route and status.",
                               (const char *[]){"route", route, "code", code, NULL});
    atomic_store_explicit(slot, m, memory_order_release);
    return m;
}

static void account(ts_server_t *s, struct MHD_Connection *c, const struct req *rq)
{
    const union MHD_ConnectionInfo *si =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = si ? si->http_status : 0;
    if (status == 0)
        return; /* nothing was answered (the connection broke first) */
    uint64_t us = ts_metrics_now_us() - rq->t0;
    unsigned route = route_of_path(rq->path);
    size_t k = 0;
    while (k < STATUSES - 1 && statuses[k] != (int)status)
        k++;
    char code[16];
    snprintf(code, sizeof code, k < STATUSES - 1 ? "%u" : "other", status);
    ts_metric_add(series(&req_count[route][k], false, route_label(route), code), 1);
    ts_metric_observe_us(series(&req_time[route], true, route_label(route), NULL), us);
    if (!s->access_log)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    const struct conn *cn = ci ? ci->socket_context : NULL;
    char peer[80], st[16], ms[24];
    peer_name(c, peer, sizeof peer);
    snprintf(st, sizeof st, "%u", status);
    snprintf(ms, sizeof ms, "%.1f", (double)us / 1000.0);
    const ts_log_field_t f[] = {
        {"method", rq->method},
        {"path", rq->path},
        {"status", st},
        {"ms", ms},
        {"fingerprint", rq->authed        ? rq->who.fingerprint
                        : cn && cn->fp[0] ? cn->fp
                                          : "-"},
        {"site", rq->authed ? (rq->who.csirt ? "CSIRT" : rq->who.site) : "-"},
        {"peer", peer},
    };
    ts_log_fields(TS_LOG_INFO, "access", f, sizeof f / sizeof f[0]);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *rq = *req_cls;
    if (rq == NULL)
        return;
    account(cls, c, rq);
    free(rq->path);
    free(rq->query);
    ts_buf_free(&rq->body);
    free(rq);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = ts_xcalloc(1, sizeof(struct conn));
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's own messages: the format comes from the library. */
static void on_mhd_log(void *cls, const char *fm, va_list ap) TS_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fm, va_list ap)
{
    const ts_server_t *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fm, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    /* After start, MHD reports every failed handshake: debug only. */
    ts_log(atomic_load(&s->started) ? TS_LOG_DEBUG : TS_LOG_WARN, "httpd: %s", msg);
}

/* What anyone may read without a certificate: the health check, the API's
 * description and the published pages under /public/ (the CSIRT's public
 * lists). Their handlers get no principal, so they cannot show a site's data. */
static bool is_public(const char *method, const char *path)
{
    if (ts_api_public_form(method, path))
        return true;
    return (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
           (strcmp(path, "/api/v1/health") == 0 || strcmp(path, "/api/v1/openapi.json") == 0 ||
            strncmp(path, TS_API_PUBLIC_PREFIX, strlen(TS_API_PUBLIC_PREFIX)) == 0);
}

/* Verifies the connection's peer (cached until the trust state changes or
 * REVERIFY_S pass) and identifies it in the registry (each request). */
static ts_peer_reason_t authenticate(ts_server_t *s, struct MHD_Connection *c, ts_store_t *st,
                                     ts_principal_t *who, const char **fp)
{
    *fp = "";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *cn = ci ? ci->socket_context : NULL;
    if (cn == NULL)
        return TS_PEER_NO_CERT;
    ts_peer_trust_check(s->trust);
    uint64_t gen = ts_peer_trust_generation(s->trust);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    /* Certificates expire, and CRLs go stale, while a connection lasts. */
    if (cn->gen != gen || now.tv_sec - cn->at >= REVERIFY_S) {
        const union MHD_ConnectionInfo *ti =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        gnutls_session_t session = ti ? (gnutls_session_t)ti->tls_session : NULL;
        cn->chain = ts_peer_verify_session(s->trust, session, cn->fp);
        cn->gen = gen;
        cn->at = now.tv_sec;
    }
    *fp = cn->fp;
    ts_peer_reason_t r = cn->chain;
    if (r == TS_PEER_OK)
        r = st ? ts_peer_identify(st, cn->fp, who) : TS_PEER_STORE_ERROR;
    if (r != TS_PEER_OK && cn->logged != r) {
        char peer[80];
        peer_name(c, peer, sizeof peer);
        ts_log_warn("client refused: reason=%s peer=%s fingerprint=%s", ts_peer_reason_name(r),
                    peer, cn->fp[0] ? cn->fp : "-");
        cn->logged = r;
    }
    return r;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static enum MHD_Result serve_static(ts_server_t *s, struct MHD_Connection *c, const char *method,
                                    const char *path)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return get_only(c);
    }
    char rel[STATIC_PATH_MAX + 16];
    const char *type = ts_server_static_path(path, rel, sizeof rel);
    int fd = -1;
    struct stat sb;
    if (type && s->root_fd >= 0)
        fd = open_beneath(s->root_fd, rel);
    if (fd >= 0 &&
        (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > STATIC_FILE_MAX)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return queue_error(c, 404, "not_found", "no such resource", false);

    char etag[96];
    snprintf(etag, sizeof etag, "\"%llx-%llx-%llx.%lx\"", (unsigned long long)sb.st_ino,
             (unsigned long long)sb.st_size, (unsigned long long)sb.st_mtim.tv_sec,
             (unsigned long)sb.st_mtim.tv_nsec);
    const char *inm = header(c, "If-None-Match");
    bool not_modified = inm && strstr(inm, etag) != NULL;
    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    if (not_modified) {
        close(fd);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_MODIFIED;
    } else {
        r = MHD_create_response_from_fd64((uint64_t)sb.st_size, fd); /* takes fd */
        if (r == NULL)
            close(fd);
    }
    if (r == NULL)
        return MHD_NO;
    if (!not_modified)
        MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "ETag", etag);
    bool html = strncmp(type, "text/html", 9) == 0;
    MHD_add_response_header(r, "Cache-Control",
                            !html && hashed_name(rel) ? "public, max-age=31536000, immutable"
                                                      : "no-cache");
    add_common_headers(r, false);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* The CSIRT's view of the whole installation; anyone else learns nothing,
 * not even that it exists. */
static enum MHD_Result serve_metrics(ts_server_t *s, struct MHD_Connection *c, const struct req *rq,
                                     const char *method)
{
    if (!rq->authed || !rq->who.csirt)
        return queue_error(c, 404, "not_found", "no such resource", false);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return get_only(c);
    }
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    resp.status = 200;
    resp.content_type = TS_SCRAPE_CONTENT_TYPE;
    ts_scrape_render(thread_store(s), &resp.body);
    return queue(c, &resp, true, false);
}

static enum MHD_Result respond(ts_server_t *s, struct MHD_Connection *c, struct req *rq,
                               const char *method)
{
    const char *path = rq->path;
    if (rq->too_big)
        return queue_error(c, 413, "payload_too_large", "request body larger than 64 KiB", true);
    if (!ts_server_csrf_ok(method, header(c, "Sec-Fetch-Site"), header(c, "Origin"),
                           header(c, "Host"), header(c, "Content-Type"), rq->body.len,
                           ts_api_public_form(method, path)))
        return queue_error(c, 403, "forbidden",
                           "cross-site request refused (same-origin JSON requests only)", false);
    if (strcmp(path, "/metrics") == 0)
        return serve_metrics(s, c, rq, method);
    if (!ts_api_owns(path))
        return serve_static(s, c, method, path);
    ts_store_t *st = thread_store(s);
    if (st == NULL)
        return queue_error(c, 500, "internal", "the store is unavailable", false);

    ts_http_req_t req = {
        /* MHD sends no body for HEAD: the API answers it as GET. */
        .method = strcmp(method, "HEAD") == 0 ? "GET" : method,
        .path = path,
        .query = rq->query,
        .accept = header(c, "Accept"),
        .content_type = header(c, "Content-Type"),
        .body = rq->body.data,
        .body_len = rq->body.len,
        .who = rq->authed ? &rq->who : NULL,
    };
    ts_http_resp_t resp;
    ts_http_resp_init(&resp);
    ts_api_handle(st, &req, &resp);
    return queue(c, &resp, true, false);
}

/* Decides on the headers alone, before any body is read: a refusal is sent at
 * once and the connection closed. Returns MHD_YES to go on reading. */
static enum MHD_Result admit(ts_server_t *s, struct MHD_Connection *c, struct req *rq,
                             const char *method)
{
    if (rq->path[0] != '/')
        return queue_error(c, 400, "bad_parameter", "bad request path", true);
    if (!is_public(method, rq->path)) {
        const char *fp;
        ts_peer_reason_t r = authenticate(s, c, thread_store(s), &rq->who, &fp);
        if (r != TS_PEER_OK && ts_nocert_wants_html(rq->path, header(c, "Accept"))) {
            ts_http_resp_t resp;
            ts_http_resp_init(&resp);
            resp.status = 403;
            resp.content_type = "text/html; charset=utf-8";
            ts_nocert_page(r, s->contact, &resp.body);
            return queue(c, &resp, true, true);
        }
        if (r != TS_PEER_OK)
            return queue_error(c, 403, "forbidden", "a valid site certificate is required", true);
        rq->authed = true;
    }
    const char *cl = header(c, "Content-Length");
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno || end == cl || n > TS_SERVER_BODY_MAX)
            return queue_error(c, 413, "payload_too_large", "request body larger than 64 KiB",
                               true);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    ts_server_t *s = cls;
    struct req *rq = *req_cls;
    if (rq == NULL) /* the URI callback always runs first; be safe anyway */
        *req_cls = rq = on_uri(s, url, c);
    if (!rq->started) {
        /* Answering on the first call makes MHD close the connection: fine for
         * a refusal, so only refusals are sent now. */
        rq->started = true;
        snprintf(rq->method, sizeof rq->method, "%s", method);
        return admit(s, c, rq, method);
    }
    if (*upload_data_size > 0) {
        /* Chunked bodies have no Content-Length: the excess is dropped and
         * the answer, once the body is over, is 413. */
        if (!rq->too_big && rq->body.len + *upload_data_size <= TS_SERVER_BODY_MAX)
            ts_buf_append(&rq->body, upload_data, *upload_data_size);
        else
            rq->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return respond(s, c, rq, method);
}

/* ---- Start / stop ------------------------------------------------------------- */

static void free_server(ts_server_t *s)
{
    if (s->key_pem) {
        explicit_bzero(s->key_pem, s->key_len);
        free(s->key_pem);
    }
    free(s->cert_pem);
    free(s->ca_pem);
    for (size_t i = 0; i < s->n_stores; i++)
        ts_store_close(s->stores[i]);
    free(s->stores);
    ts_peer_trust_close(s->trust);
    if (s->root_fd >= 0)
        close(s->root_fd);
    free(s->db_path);
    free(s->contact);
    pthread_mutex_destroy(&s->stores_mu);
    free(s);
}

int ts_server_start(const ts_server_opts_t *o, ts_server_t **out, char *err, size_t errsize)
{
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t slen;
    if (o->listen == NULL || ts_server_parse_listen(o->listen, &ss, &slen) < 0) {
        ts_seterr(err, errsize, "bad listen address '%s' (ADDRESS:PORT or [IPV6]:PORT)",
                  o->listen ? o->listen : "");
        return TS_EINVAL;
    }
    if (o->ca_dir == NULL || o->db_path == NULL || o->threads < 1 || o->threads > 16) {
        ts_seterr(err, errsize, "server options incomplete or out of range");
        return TS_EINVAL;
    }
    ts_server_t *s = ts_xcalloc(1, sizeof *s);
    s->root_fd = -1;
    pthread_mutex_init(&s->stores_mu, NULL);
    s->db_path = ts_xstrdup(o->db_path);
    s->contact = o->contact ? ts_xstrdup(o->contact) : NULL;
    s->access_log = o->access_log;
    int rc;
    char *crl = NULL;
    if ((rc = read_pem(o->ca_dir, TS_CA_CERT_FILE, &s->ca_pem, NULL, err, errsize)) < 0 ||
        (rc = read_pem(o->ca_dir, TS_CA_SERVER_CERT_FILE, &s->cert_pem, NULL, err, errsize)) < 0 ||
        (rc = read_pem(o->ca_dir, TS_CA_SERVER_KEY_FILE, &s->key_pem, &s->key_len, err, errsize)) <
            0 ||
        (rc = read_pem(o->ca_dir, TS_CA_CRL_FILE, &crl, NULL, err, errsize)) < 0)
        goto fail;
    free(crl);
    if ((rc = ts_peer_trust_open(o->ca_dir, &s->trust, err, errsize)) < 0)
        goto fail;
    if (o->web_dir) {
        s->root_fd = open(o->web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0) {
            ts_seterr(err, errsize, "cannot open the web directory %s: %s", o->web_dir,
                      strerror(errno));
            rc = TS_ENOENT;
            goto fail;
        }
    }

    unsigned flags =
        MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    errno = 0;
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
        MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem, MHD_OPTION_HTTPS_MEM_TRUST, s->ca_pem,
        MHD_OPTION_HTTPS_PRIORITIES, TS_SERVER_PRIORITIES, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->conn_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(128 * 1024), MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (s->d == NULL) {
        ts_seterr(err, errsize, "cannot start the HTTPS server on %s: %s", o->listen,
                  errno ? strerror(errno) : "see the messages above");
        rc = TS_EIO;
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (di == NULL || getsockname(di->listen_fd, (struct sockaddr *)&bound, &blen) < 0) {
        ts_seterr(err, errsize, "cannot read the bound address");
        rc = TS_EIO;
        goto fail;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (bound.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&bound;
        s->port = ntohs(a->sin6_port);
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(s->url, sizeof s->url, "https://[%s]:%u/", host, (unsigned)s->port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&bound;
        s->port = ntohs(a->sin_port);
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(s->url, sizeof s->url, "https://%s:%u/", host, (unsigned)s->port);
    }
    atomic_store(&s->started, true);
    *out = s;
    return 0;
fail:
    if (s->d)
        MHD_stop_daemon(s->d);
    free_server(s);
    return rc;
}

uint16_t ts_server_port(const ts_server_t *s)
{
    return s->port;
}

const char *ts_server_url(const ts_server_t *s)
{
    return s->url;
}

void ts_server_reload(ts_server_t *s)
{
    ts_peer_trust_reload(s->trust);
}

void ts_server_stop(ts_server_t *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->d);
    s->d = NULL;
    free_server(s);
}
