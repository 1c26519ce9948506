/* SPDX-License-Identifier: Apache-2.0 */
/* GET /metrics: the process's metrics registry (core/metrics.h) and the flow
 * collector's per-exporter counters as the store holds them (saved by
 * `tocsin collect`, so a portal shows them too), in the Prometheus text
 * format. The portal serves it to CSIRT certificates; a scrape listener
 * serves it over plain HTTP on a loopback address only, for a Prometheus on
 * the same host (a site never sees it: it describes the whole constituency's
 * infrastructure). */
#pragma once
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "store/store.h"

#define TS_SCRAPE_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Appends the whole exposition. st may be NULL (no exporter counters).
 * \retval 0 ok.  \retval TS_EDB the exporter counters could not be read
 * (logged); out then holds the registry only. */
int ts_scrape_render(ts_store_t *st, ts_buf_t *out);

typedef struct ts_scrape_listener ts_scrape_listener_t;

/* Serves GET/HEAD /metrics over plain HTTP on listen ("127.0.0.1:9464",
 * "[::1]:9464"; port 0 picks one), with one thread that opens db_path
 * (may be NULL: registry only) when first scraped. Logs "metrics on URL".
 * \retval TS_EINVAL listen malformed, or not a loopback address (err says).
 * \retval TS_EIO cannot listen. */
TS_MUSTCHECK int ts_scrape_listener_start(const char *listen, const char *db_path,
                                          ts_scrape_listener_t **out /* OUT */, char *err,
                                          size_t errsize);
/* "http://ADDRESS:PORT/metrics" of the listening socket. */
const char *ts_scrape_listener_url(const ts_scrape_listener_t *l);
/* Stops the listener and frees it (NULL is fine). */
void ts_scrape_listener_stop(ts_scrape_listener_t *l);
