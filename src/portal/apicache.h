/* SPDX-License-Identifier: Apache-2.0 */
/* A small per-thread cache of API answers. A dashboard polls the same few
 * queries, and a page of events costs a dozen statements and a JSON encoding
 * where a cached copy costs one lookup. An entry is served only while the
 * store is unchanged (the data version given by ts_store_data_version()) and
 * for at most TS_APICACHE_TTL_US, since relative windows ("the last 24 hours",
 * the stats' 30 days) move with the clock.
 *
 * The key must hold everything the answer depends on: the caller's scope
 * (site or CSIRT), the path, the raw query and the Accept header. Each thread
 * has its own entries (no locking); they are freed when the thread ends. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portal/http.h"

#define TS_APICACHE_SLOTS 64
#define TS_APICACHE_TTL_US (5 * 1000000)
#define TS_APICACHE_BODY_MAX (256u << 10) /* larger answers are not kept */

/* Fills resp (initialised, empty) with a copy of the entry for key stored at
 * this version no longer than the TTL ago. \retval true on a hit. */
bool ts_apicache_get(const char *key, size_t key_len, uint64_t version, int64_t now_us,
                     ts_http_resp_t *resp);
/* Keeps a copy of resp under key (replacing the oldest entry when full). */
void ts_apicache_put(const char *key, size_t key_len, uint64_t version, int64_t now_us,
                     const ts_http_resp_t *resp);
