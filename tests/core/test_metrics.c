/* SPDX-License-Identifier: Apache-2.0 */
/* The metrics registry: hostile label values are escaped and bounded, the
 * number of series per family is capped, registering is idempotent, updates
 * from several threads are all counted, and the exposition text is pinned by
 * tests/data/golden/metrics.prom (TS_UPDATE_GOLDEN=1 rewrites it). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"
#include "testutil.h"

static char *render(void)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_metrics_render(&b);
    ts_buf_putc(&b, '\0');
    return b.data;
}

/* Every sample line: NAME{...} VALUE, with balanced, closed quotes. */
static void assert_well_formed(const char *text)
{
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        if (*line != '#') {
            bool in = false, esc = false;
            int braces = 0;
            for (const char *p = line; p < end; p++) {
                if (esc)
                    esc = false;
                else if (in && *p == '\\')
                    esc = true;
                else if (*p == '"')
                    in = !in;
                else if (!in && *p == '{')
                    braces++;
                else if (!in && *p == '}')
                    braces--;
            }
            if (in || braces != 0)
                fail_msg("malformed sample line: %.*s", (int)(end - line), line);
        }
        line = end + 1;
    }
}

static void test_hostile_label_values(void **state)
{
    char longv[400];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    ts_metric_t *a = ts_metrics_counter("test_hostile_total", "Hostile values.",
                                        (const char *[]){"feed", "a\"b\\c\nd} x=\"1", NULL});
    ts_metric_t *b = ts_metrics_counter("test_hostile_total", "Hostile values.",
                                        (const char *[]){"feed", "\xff\xfe bad \xc3", NULL});
    ts_metric_t *c = ts_metrics_counter("test_hostile_total", "Hostile values.",
                                        (const char *[]){"feed", longv, NULL});
    ts_metric_add(a, 1);
    ts_metric_add(b, 2);
    ts_metric_add(c, 3);
    char *t = render();
    assert_well_formed(t);
    assert_non_null(strstr(t, "test_hostile_total{feed=\"a\\\"b\\\\c\\nd} x=\\\"1\"} 1\n"));
    assert_non_null(strstr(t, "test_hostile_total{feed=\"?? bad ?\"} 2\n"));
    char want[200];
    snprintf(want, sizeof want, "test_hostile_total{feed=\"%.128s\"} 3\n", longv);
    assert_non_null(strstr(t, want));
    free(t);
}

static void test_series_are_capped(void **state)
{
    char v[32];
    ts_metric_t *first = NULL, *last = NULL;
    for (int i = 0; i < TS_METRICS_SERIES_MAX + 50; i++) {
        snprintf(v, sizeof v, "feed-%d", i);
        last =
            ts_metrics_counter("test_capped_total", "Capped.", (const char *[]){"feed", v, NULL});
        ts_metric_add(last, 1);
        if (i == 0)
            first = last;
    }
    /* The first TS_METRICS_SERIES_MAX - 1 have their own series, the rest share one. */
    assert_int_equal(ts_metric_value(first), 1);
    assert_int_equal(ts_metric_value(last), 51);
    char *t = render();
    assert_non_null(strstr(t, "test_capped_total{feed=\"_other\"} 51\n"));
    size_t n = 0;
    for (const char *p = t; (p = strstr(p, "\ntest_capped_total{")); p++)
        n++;
    assert_int_equal(n, TS_METRICS_SERIES_MAX);
    free(t);
}

static void test_registering_is_idempotent(void **state)
{
    ts_metric_t *a = ts_metrics_counter("test_same_total", "Same.",
                                        (const char *[]){"input", "/x", "format", "eve", NULL});
    ts_metric_t *b = ts_metrics_counter("test_same_total", "Same.",
                                        (const char *[]){"input", "/x", "format", "eve", NULL});
    ts_metric_t *c = ts_metrics_counter("test_same_total", "Same.",
                                        (const char *[]){"input", "/y", "format", "eve", NULL});
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
}

struct adder {
    ts_metric_t *c, *h;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    for (int i = 0; i < 100000; i++) {
        ts_metric_add(a->c, 1);
        ts_metric_observe_us(a->h, (uint64_t)(i % 20000));
    }
    return NULL;
}

static void test_concurrent_updates_are_all_counted(void **state)
{
    struct adder a = {ts_metrics_counter("test_threads_total", "Threads.", NULL),
                      ts_metrics_histogram("test_threads_seconds", "Threads.", NULL)};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, add_many, &a), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(ts_metric_value(a.c), 400000);
    assert_int_equal(ts_metric_value(a.h), 400000);
}

/* A registry of its own names, rendered alone into the golden file. */
static void test_exposition_golden(void **state)
{
    ts_metric_t *ev = ts_metrics_counter(
        "tocsin_golden_events_total", "Events stored.",
        (const char *[]){"input", "/var/log/suricata/eve.json", "format", "eve", NULL});
    ts_metric_add(ev, 1234);
    ts_metric_t *g = ts_metrics_gauge("tocsin_golden_inputs", "Inputs running.", NULL);
    ts_metric_set(g, -2);
    ts_metric_t *h = ts_metrics_histogram("tocsin_golden_commit_seconds",
                                          "Commit latency.\nSecond line \\ backslash.", NULL);
    ts_metric_observe_us(h, 400);      /* <= 0.5 ms */
    ts_metric_observe_us(h, 500);      /* the bound itself is in its bucket */
    ts_metric_observe_us(h, 3000);     /* <= 5 ms */
    ts_metric_observe_us(h, 3000000);  /* <= 5 s */
    ts_metric_observe_us(h, 60000000); /* past 10 s: +Inf only */
    char *all = render();
    const char *from = strstr(all, "# HELP tocsin_golden_events_total");
    assert_non_null(from);
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, from);
    ts_metrics_write_header(&b, "tocsin_golden_exporter_flows_total", "Flows.", "counter");
    ts_metrics_write_sample(&b, "tocsin_golden_exporter_flows_total",
                            (const char *[]){"exporter", "192.0.2.1", "domain", "0", NULL}, 99);
    char why[8192];
    if (tt_golden("metrics.prom", b.data, b.len, why, sizeof why) != 0)
        fail_msg("%s", why);
    assert_well_formed(from);
    assert_int_equal(ts_metric_value(h), 5);
    ts_buf_free(&b);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_label_values),
        cmocka_unit_test(test_series_are_capped),
        cmocka_unit_test(test_registering_is_idempotent),
        cmocka_unit_test(test_concurrent_updates_are_all_counted),
        cmocka_unit_test(test_exposition_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
