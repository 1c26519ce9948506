/* SPDX-License-Identifier: Apache-2.0 */
/* Process metrics: a registry that any module registers its counters,
 * gauges and latency histograms into, rendered in the Prometheus text
 * exposition format (version 0.0.4) for GET /metrics.
 *
 * A metric is a family (name, help, type, label names) with one series per
 * set of label values. Registering is idempotent: asking again for the same
 * name and label values returns the same series, so a module may register
 * where it first needs a series (an input when it starts, a feed when it is
 * first seen). Registering takes a mutex; updating a series is one relaxed
 * atomic operation and takes no lock, so hot paths only ever update series
 * they registered before. Series live as long as the process.
 *
 * Label values may come from input data (file paths, feed names): they are
 * cut to 128 bytes, invalid UTF-8 becomes '?', and a family holds at most
 * TS_METRICS_SERIES_MAX series; beyond that every new set of values shares
 * one series whose values are all "_other" (and a warning is logged once).
 *
 * Names and label names are the caller's constants: [a-zA-Z_:][a-zA-Z0-9_:]*
 * (labels without ':'); a bad one, or a name registered again with another
 * type or other label names, is a programming error (assert). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define TS_METRICS_SERIES_MAX 200
#define TS_METRICS_LABELS_MAX 3

typedef struct ts_metric ts_metric_t;

/* labels: NULL, or label name/value pairs ending with NULL:
 * (const char *[]){"input", path, "format", "eve", NULL}.
 * Never returns NULL. */
ts_metric_t *ts_metrics_counter(const char *name, const char *help, const char *const *labels);
ts_metric_t *ts_metrics_gauge(const char *name, const char *help, const char *const *labels);
/* Latency in seconds, buckets from 0.5 ms to 10 s. */
ts_metric_t *ts_metrics_histogram(const char *name, const char *help, const char *const *labels);

/* Counter: adds n. Gauge: adds n (may be negative through ts_metric_set). */
void ts_metric_add(ts_metric_t *m, uint64_t n);
/* Gauge: sets the value. */
void ts_metric_set(ts_metric_t *m, int64_t v);
/* Histogram: records one observation of us microseconds. */
void ts_metric_observe_us(ts_metric_t *m, uint64_t us);

/* Current value: a counter's or gauge's value, a histogram's count. */
uint64_t ts_metric_value(const ts_metric_t *m);

/* Appends every family of the registry, in registration order. */
void ts_metrics_render(ts_buf_t *out);

/* For families kept elsewhere (read from the store when scraped), written
 * with the same escaping: a family's header, then its samples. labels as
 * above; type "counter" or "gauge". */
void ts_metrics_write_header(ts_buf_t *out, const char *name, const char *help, const char *type);
void ts_metrics_write_sample(ts_buf_t *out, const char *name, const char *const *labels,
                             uint64_t value);

/* Microseconds of CLOCK_MONOTONIC, for measuring what ts_metric_observe_us() records. */
uint64_t ts_metrics_now_us(void);
