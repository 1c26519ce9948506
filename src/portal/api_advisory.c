/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the advisory endpoints are implemented. */
#include "portal/api_int.h"

void ts_api_advisory_route(ts_store_t *st, const ts_http_req_t *req, ts_http_resp_t *resp)
{
    (void)st;
    (void)req;
    ts_http_resp_error(resp, 404, "not_found", "no such resource");
}
