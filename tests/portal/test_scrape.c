/* SPDX-License-Identifier: Apache-2.0 */
/* GET /metrics: the registry and the store's exporter counters in one
 * exposition, and the plain-HTTP listener that serves it on loopback only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/metrics.h"
#include "portal/scrape.h"
#include "testutil.h"

static void test_listener_refuses_other_addresses(void **state)
{
    static const char *const bad[] = {"0.0.0.0:0",   "192.0.2.1:9464", "[::]:0", "[2001:db8::1]:0",
                                      "localhost:0", "127.0.0.1",      "",       "127.0.0.1:99999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ts_scrape_listener_t *l = (ts_scrape_listener_t *)1;
        char err[256] = "";
        assert_int_equal(ts_scrape_listener_start(bad[i], NULL, &l, err, sizeof err), TS_EINVAL);
        assert_null(l);
        assert_true(err[0] != '\0');
    }
    ts_scrape_listener_t *l = NULL;
    char err[256] = "";
    assert_int_equal(ts_scrape_listener_start("0.0.0.0:0", NULL, &l, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "not a loopback address"));
}

static void save_exporter(ts_store_t *st, const char *ip, uint64_t flows, uint64_t lost)
{
    ts_exporter_stats_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ts_ip_parse(ip, strlen(ip), &s.exporter), 0);
    s.version = 9;
    s.packets = 10;
    s.flows = flows;
    s.lost = lost;
    s.drops[TS_FLOW_DROP_MALFORMED] = 2;
    s.drops[TS_FLOW_DROP_SHORT] = 1;
    s.sampling = 1;
    assert_int_equal(ts_store_exporter_save(st, &s), 0);
}

static void test_render_with_exporters(void **state)
{
    char *dir = tt_tmpdir(), db[512];
    snprintf(db, sizeof db, "%s/m.db", dir);
    ts_store_t *st;
    assert_int_equal(ts_store_open(db, &st), 0);
    save_exporter(st, "192.0.2.1", 1000, 3);
    save_exporter(st, "2001:db8::9", 20, 0);
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_scrape_render(st, &b), 0);
    ts_buf_putc(&b, '\0');
    const char *want[] = {
        "# TYPE tocsin_build_info gauge\ntocsin_build_info{version=\"",
        "tocsin_exporter_flows_total{exporter=\"192.0.2.1\",domain=\"0\"} 1000\n",
        "tocsin_exporter_flows_total{exporter=\"2001:db8::9\",domain=\"0\"} 20\n",
        "tocsin_exporter_lost_total{exporter=\"192.0.2.1\",domain=\"0\"} 3\n",
        "tocsin_exporter_dropped_total{exporter=\"192.0.2.1\",domain=\"0\"} 3\n",
        "tocsin_exporter_datagrams_total{exporter=\"2001:db8::9\",domain=\"0\"} 10\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (strstr(b.data, want[i]) == NULL)
            fail_msg("no '%s' in:\n%s", want[i], b.data);
    ts_buf_free(&b);
    ts_store_close(st);
    tt_rmtree(dir);
    free(dir);
}

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    ts_buf_append(ctx, p, size * n);
    return size * n;
}

static long fetch(const char *url, const char *method, ts_buf_t *body, char **type)
{
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    long status = 0;
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (type)
        *type = ct ? strdup(ct) : NULL;
    curl_easy_cleanup(c);
    ts_buf_putc(body, '\0');
    return status;
}

static void test_listener_serves_metrics_only(void **state)
{
    ts_metric_add(ts_metrics_counter("tocsin_test_scrapes_total", "A test counter.", NULL), 7);
    ts_scrape_listener_t *l = NULL;
    char err[256] = "";
    assert_int_equal(ts_scrape_listener_start("127.0.0.1:0", NULL, &l, err, sizeof err), 0);
    const char *url = ts_scrape_listener_url(l);
    assert_int_equal(strncmp(url, "http://127.0.0.1:", 17), 0);
    ts_buf_t b = TS_BUF_INIT;
    char *type = NULL;
    assert_int_equal(fetch(url, NULL, &b, &type), 200);
    assert_string_equal(type, TS_SCRAPE_CONTENT_TYPE);
    assert_non_null(strstr(b.data, "tocsin_test_scrapes_total 7\n"));
    free(type);
    ts_buf_reset(&b);
    char other[128];
    snprintf(other, sizeof other, "%.*s/", (int)(strlen(url) - strlen("/metrics")), url);
    assert_int_equal(fetch(other, NULL, &b, NULL), 404);
    ts_buf_reset(&b);
    assert_int_equal(fetch(url, "POST", &b, NULL), 405);
    ts_buf_free(&b);
    ts_scrape_listener_stop(l);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listener_refuses_other_addresses),
        cmocka_unit_test(test_render_with_exporters),
        cmocka_unit_test(test_listener_serves_metrics_only),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
