/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the API: endpoint groups that live in files of their own. api.c
 * routes every path under a group's prefix to its function, after the
 * authentication check (req->who is never NULL here). */
#pragma once
#include "portal/http.h"
#include "store/store.h"

/* /api/v1/advisories[/...] and /api/v1/platforms[/...] (api_advisory.c). */
void ts_api_advisory_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp);
