/* SPDX-License-Identifier: Apache-2.0 */
/* A small HTTPS load client for the portal (and, for comparison, nginx): C
 * keep-alive HTTP/1.1 connections over libcurl's multi interface, one request
 * in flight per connection, each presenting a real client certificate and
 * verifying the server against the CA (peer and host name; never switched
 * off). After a warm-up (handshakes, caches) it counts, for D seconds, the
 * requests completed with status 200, and prints requests/s, latency p50/p99/
 * max, errors, the TLS connections opened inside the window (0 when
 * keep-alive holds) and ramp_ms, how long until every connection had answered
 * once (C handshakes plus a first request).
 *
 * usage: bench_portal --url URL --cert PEM --key PEM --cacert PEM
 *                     [--connections C=64] [--duration D=5] [--warmup W=1]
 *                     [--label TEXT]
 * Output, one line: label conns=C secs=D reqs=N rps=R p50_ms= p99_ms= max_ms=
 *                   errors=E connects=K bytes_per_req=B */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/mem.h"

#define CONNS_MAX 1024

typedef struct conn {
    CURL *easy;
    double started; /* seconds, monotonic */
    size_t bytes;
    bool answered; /* has completed a request: its connection is up */
    char errbuf[CURL_ERROR_SIZE];
} conn_t;

typedef struct stats {
    double *lat; /* seconds per completed request */
    size_t n, cap;
    uint64_t errors;
    uint64_t bytes;
    long connects;
    char first_error[CURL_ERROR_SIZE + 64];
} stats_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    ((conn_t *)ud)->bytes += size * nmemb;
    return size * nmemb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_portal --url URL --cert PEM --key PEM --cacert PEM\n"
                    "                    [--connections C] [--duration D] [--warmup W]\n"
                    "                    [--label TEXT]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {"cacert", required_argument, NULL, 'a'},
        {"connections", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"label", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *cert = NULL, *key = NULL, *cacert = NULL, *label = "run";
    long conns = 64;
    double duration = 5, warmup = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'u':
            url = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'a':
            cacert = optarg;
            break;
        case 'n':
            conns = strtol(optarg, NULL, 10);
            break;
        case 'd':
            duration = strtod(optarg, NULL);
            break;
        case 'w':
            warmup = strtod(optarg, NULL);
            break;
        case 'l':
            label = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (!url || !cert || !key || !cacert || conns < 1 || conns > CONNS_MAX || !(duration > 0) ||
        warmup < 0) {
        usage();
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    CURLM *multi = curl_multi_init();
    /* Keep every connection open and never multiplex: C connections, one
     * request at a time each, as C browsers' keep-alive connections would. */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conns);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    conn_t *cv = ts_xcalloc((size_t)conns, sizeof *cv);
    for (long i = 0; i < conns; i++) {
        CURL *e = curl_easy_init();
        cv[i].easy = e;
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(e, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(e, CURLOPT_SSLKEY, key);
        curl_easy_setopt(e, CURLOPT_CAINFO, cacert);
        /* Only the CA given: libcurl would otherwise also load the system's
         * trust store for every new connection. */
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &cv[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, &cv[i]);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cv[i].errbuf);
        cv[i].started = now_s();
        curl_multi_add_handle(multi, e);
    }

    stats_t st = {0};
    double t_begin = now_s();
    /* The window opens after the warm-up AND once every connection has
     * answered, so that it measures requests, not handshakes; it closes
     * `duration` later. */
    double t_measure = t_begin + warmup, t_open = 1e300, t_end = 1e300, ramp = -1;
    long in_flight = conns, answered = 0;
    bool measuring = false;
    while (in_flight > 0) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            CURL *e = m->easy_handle;
            CURLcode res = m->data.result;
            conn_t *c = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
            double t = now_s();
            if (!c->answered && res == CURLE_OK) {
                c->answered = true;
                if (++answered == conns)
                    ramp = t - t_begin;
            }
            if (!measuring && t >= t_measure && (answered == conns || t > t_begin + 30)) {
                measuring = true;
                t_open = t;
                t_end = t + duration;
                st.n = 0;
                st.errors = 0;
                st.bytes = 0;
                st.connects = 0;
            }
            long code = 0, nconn = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
            curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn);
            /* Counted: requests started in the window and done by its end;
             * the others (first requests, stragglers) are not. */
            if (measuring && c->started >= t_open && t <= t_end) {
                st.connects += nconn;
                if (res == CURLE_OK && code == 200) {
                    if (st.n == st.cap) {
                        st.cap = st.cap ? 2 * st.cap : 65536;
                        st.lat = ts_xrealloc(st.lat, st.cap * sizeof *st.lat);
                    }
                    st.lat[st.n++] = t - c->started;
                    st.bytes += c->bytes;
                } else {
                    if (st.errors == 0)
                        snprintf(st.first_error, sizeof st.first_error, "%s (HTTP %ld) %s",
                                 curl_easy_strerror(res), code, c->errbuf);
                    st.errors++;
                }
            }
            curl_multi_remove_handle(multi, e);
            if (t < t_end) {
                c->bytes = 0;
                c->errbuf[0] = '\0';
                c->started = now_s();
                curl_multi_add_handle(multi, e);
            } else {
                in_flight--;
            }
        }
        if (in_flight > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
        if (now_s() > t_end + 30 || (!measuring && now_s() > t_begin + 120))
            break; /* a server that stopped answering: report what we have */
    }
    qsort(st.lat, st.n, sizeof *st.lat, cmp_double);
    printf("%s conns=%ld secs=%.1f reqs=%zu rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
           "errors=%llu connects=%ld bytes_per_req=%llu ramp_ms=%.0f\n",
           label, conns, duration, st.n, (double)st.n / duration, pct(st.lat, st.n, 0.50) * 1e3,
           pct(st.lat, st.n, 0.99) * 1e3, st.n ? st.lat[st.n - 1] * 1e3 : 0.0,
           (unsigned long long)st.errors, st.connects,
           (unsigned long long)(st.n ? st.bytes / st.n : 0), ramp * 1e3);
    if (st.errors)
        fprintf(stderr, "%s: first error: %s\n", label, st.first_error);
    for (long i = 0; i < conns; i++) {
        curl_multi_remove_handle(multi, cv[i].easy);
        curl_easy_cleanup(cv[i].easy);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    free(cv);
    free(st.lat);
    return st.n > 0 ? 0 : 1;
}
