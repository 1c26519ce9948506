/* SPDX-License-Identifier: Apache-2.0 */
/* A domain case as the CSIRT sees it (CLI `case show --format json`, the
 * API's /api/v1/domain-cases): the case with the addresses of who is
 * informed, its evidence and its timeline, including who decided and why.
 * Never for the public (publish.h). */
#pragma once
#include <stdint.h>

#include "core/buf.h"
#include "core/jsonw.h"
#include "store/store.h"

/* One case with evidence and timeline as a JSON object into w.
 * \retval 0.  \retval TS_ENOENT no such case (nothing written); a store error. */
TS_MUSTCHECK int ts_domain_case_json(ts_store_t *st, int64_t id, ts_jsonw_t *w);
/* The cases in state (NULL: all), newest first, limit 0 = all, as a JSON
 * array of case objects without evidence and timeline. */
TS_MUSTCHECK int ts_domain_cases_json(ts_store_t *st, const char *state, size_t limit,
                                      ts_jsonw_t *w);
