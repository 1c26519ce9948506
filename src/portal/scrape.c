/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/scrape.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "flow/flow.h"
#include "portal/server.h"
#include "ts_version.h"

/* ---- Rendering ------------------------------------------------------------------ */

struct rows {
    ts_exporter_stats_t *v;
    size_t n, cap;
};

static int keep_row(const ts_exporter_stats_t *s, int64_t updated, void *ctx)
{
    struct rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->v = ts_xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = *s;
    return 0;
}

/* One family of the exporter counters: value(row) per exporter and domain. */
static void exporter_family(ts_buf_t *out, const struct rows *r, const char *name, const char *help,
                            uint64_t (*value)(const ts_exporter_stats_t *))
{
    ts_metrics_write_header(out, name, help, "counter");
    for (size_t i = 0; i < r->n; i++) {
        char ip[TS_IP_STRLEN], dom[16];
        ts_ip_format(&r->v[i].exporter, ip, sizeof ip);
        snprintf(dom, sizeof dom, "%u", (unsigned)r->v[i].domain);
        ts_metrics_write_sample(out, name, (const char *[]){"exporter", ip, "domain", dom, NULL},
                                value(&r->v[i]));
    }
}

static uint64_t v_packets(const ts_exporter_stats_t *s)
{
    return s->packets;
}
static uint64_t v_flows(const ts_exporter_stats_t *s)
{
    return s->flows;
}
static uint64_t v_lost(const ts_exporter_stats_t *s)
{
    return s->lost;
}
static uint64_t v_dropped(const ts_exporter_stats_t *s)
{
    uint64_t n = 0;
    for (int d = 0; d < TS_FLOW_DROP_COUNT_; d++)
        n += s->drops[d];
    return n;
}

int ts_scrape_render(ts_store_t *st, ts_buf_t *out)
{
    ts_metric_set(ts_metrics_gauge("tocsin_build_info", "The running tocsin's version.",
                                   (const char *[]){"version", TS_VERSION_STRING, NULL}),
                  1);
    ts_metrics_render(out);
    if (st == NULL)
        return 0;
    struct rows r = {0};
    int rc = ts_store_exporters_foreach(st, keep_row, &r);
    if (rc != 0) {
        ts_log_error("metrics: cannot read the exporter counters: %s", ts_store_errmsg(st));
        free(r.v);
        return TS_EDB;
    }
    exporter_family(out, &r, "tocsin_exporter_datagrams_total",
                    "Datagrams decoded per flow exporter (as last saved by tocsin collect).",
                    v_packets);
    exporter_family(out, &r, "tocsin_exporter_flows_total",
                    "Flow records decoded per flow exporter (as last saved by tocsin collect).",
                    v_flows);
    exporter_family(out, &r, "tocsin_exporter_lost_total",
                    "Flows (v5, IPFIX) or packets (v9) missing per the exporter's sequence "
                    "numbers (as last saved by tocsin collect).",
                    v_lost);
    exporter_family(out, &r, "tocsin_exporter_dropped_total",
                    "Datagrams and sets dropped as malformed or over a limit, per flow exporter "
                    "(as last saved by tocsin collect).",
                    v_dropped);
    free(r.v);
    return 0;
}

/* ---- The loopback listener -------------------------------------------------------- */

struct ts_scrape_listener {
    struct MHD_Daemon *d;
    char *db_path;
    ts_store_t *st; /* opened by the listener's one thread, closed after it stopped */
    char url[96];
};

static bool loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
           (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
                              ts_buf_t *body)
{
    struct MHD_Response *r;
    if (body->len) {
        r = MHD_create_response_from_buffer_with_free_callback(body->len, body->data, free);
        if (r)
            *body = (ts_buf_t)TS_BUF_INIT;
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    ts_buf_free(body);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* libmicrohttpd's own messages: the format comes from the library. */
static void on_mhd_log(void *cls, const char *fm, va_list ap) TS_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fm, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fm, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    ts_log_debug("metrics listener: %s", msg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    ts_scrape_listener_t *l = cls;
    ts_buf_t b = TS_BUF_INIT;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        ts_buf_puts(&b, "only GET and HEAD\n");
        return answer(c, 405, "text/plain; charset=utf-8", &b);
    }
    if (url == NULL || strcmp(url, "/metrics") != 0) {
        ts_buf_puts(&b, "only /metrics is served here\n");
        return answer(c, 404, "text/plain; charset=utf-8", &b);
    }
    if (l->st == NULL && l->db_path && ts_store_open_existing(l->db_path, &l->st) != 0)
        l->st = NULL; /* the store has said why; the registry is still served */
    ts_scrape_render(l->st, &b);
    return answer(c, 200, TS_SCRAPE_CONTENT_TYPE, &b);
}

int ts_scrape_listener_start(const char *listen, const char *db_path, ts_scrape_listener_t **out,
                             char *err, size_t errsize)
{
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t slen;
    if (listen == NULL || ts_server_parse_listen(listen, &ss, &slen) != 0) {
        ts_seterr(err, errsize, "metrics listener: '%s' is not a numeric ADDRESS:PORT",
                  listen ? listen : "");
        return TS_EINVAL;
    }
    if (!loopback(&ss)) {
        ts_seterr(err, errsize,
                  "metrics listener: %s is not a loopback address (127.0.0.0/8 or [::1]); "
                  "elsewhere, scrape the portal's /metrics with a CSIRT certificate",
                  listen);
        return TS_EINVAL;
    }
    ts_scrape_listener_t *l = ts_xcalloc(1, sizeof *l);
    l->db_path = db_path ? ts_xstrdup(db_path) : NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    errno = 0;
    l->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, l,
                            MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                            MHD_OPTION_END);
    if (l->d == NULL) {
        ts_seterr(err, errsize, "metrics listener: cannot listen on %s: %s", listen,
                  errno ? strerror(errno) : "see the messages above");
        free(l->db_path);
        free(l);
        return TS_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
        snprintf(l->url, sizeof l->url, "http://[%s]:%u/metrics", host,
                 di ? (unsigned)di->port : 0u);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
        snprintf(l->url, sizeof l->url, "http://%s:%u/metrics", host, di ? (unsigned)di->port : 0u);
    }
    ts_log_info("metrics on %s", l->url);
    *out = l;
    return 0;
}

const char *ts_scrape_listener_url(const ts_scrape_listener_t *l)
{
    return l->url;
}

void ts_scrape_listener_stop(ts_scrape_listener_t *l)
{
    if (l == NULL)
        return;
    MHD_stop_daemon(l->d);
    ts_store_close(l->st);
    free(l->db_path);
    free(l);
}
