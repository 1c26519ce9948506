/* SPDX-License-Identifier: Apache-2.0 */
#include "core/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"

#define LABEL_VALUE_MAX 128
#define N_BUCKETS 14

/* Upper bounds of the histogram buckets, in microseconds. */
static const uint64_t bucket_us[N_BUCKETS] = {500,     1000,    2500,    5000,    10000,
                                              25000,   50000,   100000,  250000,  500000,
                                              1000000, 2500000, 5000000, 10000000};

typedef enum kind { K_COUNTER, K_GAUGE, K_HISTOGRAM } kind_t;
static const char *const kind_names[] = {"counter", "gauge", "histogram"};

struct family;

struct ts_metric {
    struct family *fam;
    struct ts_metric *next;
    char *labels; /* rendered and escaped: a="x",b="y"; "" without labels */
    _Atomic uint64_t value;
    /* Histograms: counts per bucket, not cumulative, the last one past the
     * largest bound; the count is their sum, so a scrape always sees a +Inf
     * bucket equal to _count. */
    _Atomic uint64_t buckets[N_BUCKETS + 1];
    _Atomic uint64_t sum_us;
};

struct family {
    struct family *next;
    char *name, *help;
    kind_t kind;
    char *label_names[TS_METRICS_LABELS_MAX];
    size_t n_labels;
    ts_metric_t *first, *last;
    size_t n_series;    /* "_other" not counted */
    ts_metric_t *other; /* the series past TS_METRICS_SERIES_MAX */
};

/* Names are the callers' constants: a bad one is a bug, in every build. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ts_log_error("metrics: %s: %s", name, #cond);                                          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct family *families, *families_last;

static bool name_ok(const char *s, bool colon)
{
    if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || (colon && c == ':')))
            return false;
    }
    return true;
}

/* A label value as the exposition format wants it: escaped, valid UTF-8,
 * at most LABEL_VALUE_MAX bytes of the original. */
static void put_value(ts_buf_t *b, const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    size_t n = strlen(v), used = 0;
    while (used < n) {
        uint32_t cp;
        size_t k = ts_utf8_next(p + used, n - used, &cp);
        if (used + k > LABEL_VALUE_MAX)
            break;
        if (cp == TS_UTF8_BAD) {
            ts_buf_putc(b, '?');
        } else if (cp == '\\' || cp == '"') {
            ts_buf_putc(b, '\\');
            ts_buf_putc(b, (char)cp);
        } else if (cp == '\n') {
            ts_buf_puts(b, "\\n");
        } else {
            ts_buf_append(b, p + used, k);
        }
        used += k;
    }
}

static void put_labels(ts_buf_t *b, const char *const *labels)
{
    for (size_t i = 0; labels && labels[i]; i += 2) {
        if (i)
            ts_buf_putc(b, ',');
        ts_buf_printf(b, "%s=\"", labels[i]);
        put_value(b, labels[i + 1] ? labels[i + 1] : "");
        ts_buf_putc(b, '"');
    }
}

static ts_metric_t *new_series(struct family *f, char *labels)
{
    ts_metric_t *m = ts_xcalloc(1, sizeof *m);
    m->fam = f;
    m->labels = labels;
    if (f->last)
        f->last->next = m;
    else
        f->first = m;
    f->last = m;
    return m;
}

static struct family *find_family(const char *name, const char *help, kind_t kind,
                                  const char *const *labels)
{
    size_t n = 0;
    while (labels && labels[2 * n])
        n++;
    REQUIRE(name_ok(name, true) && n <= TS_METRICS_LABELS_MAX);
    for (struct family *f = families; f; f = f->next) {
        if (strcmp(f->name, name) != 0)
            continue;
        REQUIRE(f->kind == kind && f->n_labels == n);
        for (size_t i = 0; i < n; i++)
            REQUIRE(strcmp(f->label_names[i], labels[2 * i]) == 0);
        return f;
    }
    struct family *f = ts_xcalloc(1, sizeof *f);
    f->name = ts_xstrdup(name);
    f->help = ts_xstrdup(help ? help : "");
    f->kind = kind;
    f->n_labels = n;
    for (size_t i = 0; i < n; i++) {
        REQUIRE(name_ok(labels[2 * i], false));
        f->label_names[i] = ts_xstrdup(labels[2 * i]);
    }
    if (families_last)
        families_last->next = f;
    else
        families = f;
    families_last = f;
    return f;
}

static ts_metric_t *series(const char *name, const char *help, kind_t kind,
                           const char *const *labels)
{
    ts_buf_t b = TS_BUF_INIT;
    put_labels(&b, labels);
    char *key = ts_xstrndup(b.data ? b.data : "", b.len);
    ts_buf_free(&b);
    pthread_mutex_lock(&mu);
    struct family *f = find_family(name, help, kind, labels);
    ts_metric_t *m = f->first;
    while (m && strcmp(m->labels, key) != 0)
        m = m->next;
    if (m) {
        free(key);
    } else if (f->n_series < TS_METRICS_SERIES_MAX - 1) { /* one is kept for "_other" */
        m = new_series(f, key);
        f->n_series++;
    } else {
        free(key);
        if (f->other == NULL) {
            const char *other[2 * TS_METRICS_LABELS_MAX + 1] = {NULL};
            for (size_t i = 0; i < f->n_labels; i++) {
                other[2 * i] = f->label_names[i];
                other[2 * i + 1] = "_other";
            }
            put_labels(&b, other);
            f->other = new_series(f, ts_xstrndup(b.data ? b.data : "", b.len));
            ts_buf_free(&b);
            ts_log_warn("metrics: %s has %d series; further ones are counted as \"_other\"",
                        f->name, TS_METRICS_SERIES_MAX);
        }
        m = f->other;
    }
    pthread_mutex_unlock(&mu);
    return m;
}

ts_metric_t *ts_metrics_counter(const char *name, const char *help, const char *const *labels)
{
    return series(name, help, K_COUNTER, labels);
}

ts_metric_t *ts_metrics_gauge(const char *name, const char *help, const char *const *labels)
{
    return series(name, help, K_GAUGE, labels);
}

ts_metric_t *ts_metrics_histogram(const char *name, const char *help, const char *const *labels)
{
    return series(name, help, K_HISTOGRAM, labels);
}

void ts_metric_add(ts_metric_t *m, uint64_t n)
{
    atomic_fetch_add_explicit(&m->value, n, memory_order_relaxed);
}

void ts_metric_set(ts_metric_t *m, int64_t v)
{
    atomic_store_explicit(&m->value, (uint64_t)v, memory_order_relaxed);
}

void ts_metric_observe_us(ts_metric_t *m, uint64_t us)
{
    size_t i = 0;
    while (i < N_BUCKETS && us > bucket_us[i])
        i++;
    atomic_fetch_add_explicit(&m->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, us, memory_order_relaxed);
}

uint64_t ts_metric_value(const ts_metric_t *m)
{
    if (m->fam->kind != K_HISTOGRAM)
        return atomic_load_explicit(&m->value, memory_order_relaxed);
    uint64_t n = 0;
    for (size_t i = 0; i <= N_BUCKETS; i++)
        n += atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
    return n;
}

uint64_t ts_metrics_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void ts_metrics_write_header(ts_buf_t *out, const char *name, const char *help, const char *type)
{
    ts_buf_printf(out, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            ts_buf_puts(out, "\\\\");
        else if (*p == '\n')
            ts_buf_puts(out, "\\n");
        else
            ts_buf_putc(out, *p);
    }
    ts_buf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* name{labels[,extra]} */
static void put_sample_name(ts_buf_t *out, const char *name, const char *suffix, const char *labels,
                            const char *extra)
{
    ts_buf_printf(out, "%s%s", name, suffix);
    bool l = labels && *labels;
    if (l || extra) {
        ts_buf_printf(out, "{%s%s%s}", l ? labels : "", l && extra ? "," : "", extra ? extra : "");
    }
}

void ts_metrics_write_sample(ts_buf_t *out, const char *name, const char *const *labels,
                             uint64_t value)
{
    ts_buf_t l = TS_BUF_INIT;
    put_labels(&l, labels);
    ts_buf_putc(&l, '\0');
    put_sample_name(out, name, "", l.data, NULL);
    ts_buf_printf(out, " %llu\n", (unsigned long long)value);
    ts_buf_free(&l);
}

static void render_histogram(ts_buf_t *out, const struct family *f, const ts_metric_t *m)
{
    uint64_t cum = 0;
    char le[48];
    for (size_t i = 0; i <= N_BUCKETS; i++) {
        cum += atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
        if (i < N_BUCKETS)
            snprintf(le, sizeof le, "le=\"%g\"", (double)bucket_us[i] / 1e6);
        else
            snprintf(le, sizeof le, "le=\"+Inf\"");
        put_sample_name(out, f->name, "_bucket", m->labels, le);
        ts_buf_printf(out, " %llu\n", (unsigned long long)cum);
    }
    uint64_t sum = atomic_load_explicit(&m->sum_us, memory_order_relaxed);
    put_sample_name(out, f->name, "_sum", m->labels, NULL);
    ts_buf_printf(out, " %llu.%06llu\n", (unsigned long long)(sum / 1000000),
                  (unsigned long long)(sum % 1000000));
    put_sample_name(out, f->name, "_count", m->labels, NULL);
    ts_buf_printf(out, " %llu\n", (unsigned long long)cum);
}

void ts_metrics_render(ts_buf_t *out)
{
    pthread_mutex_lock(&mu);
    for (const struct family *f = families; f; f = f->next) {
        ts_metrics_write_header(out, f->name, f->help, kind_names[f->kind]);
        for (const ts_metric_t *m = f->first; m; m = m->next) {
            if (f->kind == K_HISTOGRAM) {
                render_histogram(out, f, m);
                continue;
            }
            uint64_t v = atomic_load_explicit(&m->value, memory_order_relaxed);
            put_sample_name(out, f->name, "", m->labels, NULL);
            if (f->kind == K_GAUGE)
                ts_buf_printf(out, " %lld\n", (long long)(int64_t)v);
            else
                ts_buf_printf(out, " %llu\n", (unsigned long long)v);
        }
    }
    pthread_mutex_unlock(&mu);
}
