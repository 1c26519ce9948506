/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/quarantine and /api/v1/inputs: what the CSIRT's inputs took in and
 * rejected. Records of every input, whatever site they would have concerned:
 * a site certificate gets the 404 of an unknown path. */
#include <string.h>

#include "core/jsonw.h"
#include "output/quarantine.h"
#include "portal/api_int.h"

#define QUARANTINE_DEFAULT_LIMIT 50

/* Closes the open array and the object of w and answers with them, or with
 * a 500 when the store failed (r). */
static void finish(ts_store_t *st, ts_http_resp_t *resp, ts_jsonw_t *w, int r, const char *what)
{
    if (r != 0) {
        ts_buf_free(w->out);
        ts_api_internal(st, resp, r, what);
        return;
    }
    ts_jsonw_array_end(w);
    ts_jsonw_object_end(w);
    ts_buf_free(&resp->body);
    resp->body = *w->out;
    *w->out = (ts_buf_t)TS_BUF_INIT;
    resp->status = 200;
}

static int count_row(const char *key, uint64_t count, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "reason");
    ts_jsonw_cstr(w, key);
    ts_jsonw_key(w, "count");
    ts_jsonw_uint(w, count);
    ts_jsonw_object_end(w);
    return 0;
}

static int record_row(const ts_quarantine_rec_t *q, void *ctx)
{
    ts_format_quarantine_json(ctx, q);
    return 0;
}

/* {"counts":[{"reason","count"}],"records":[...]}: every reason's count, and
 * the newest records (?reason= one reason, ?limit= 1..1000, default 50). */
void ts_api_quarantine(ts_store_t *st, const ts_principal_t *who, const ts_query_t *q,
                       ts_http_resp_t *resp)
{
    if (!who->csirt) {
        ts_api_not_found(resp);
        return;
    }
    size_t limit = QUARANTINE_DEFAULT_LIMIT;
    const char *v = ts_query_get(q, "limit");
    if (v && ts_query_limit(v, &limit) != 0) {
        ts_api_bad_value(resp, "limit", "not a number from 1 to 1000");
        return;
    }
    const char *reason = ts_query_get(q, "reason");
    if (reason && (*reason == '\0' || strlen(reason) > 32 ||
                   strspn(reason, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(reason))) {
        ts_api_bad_value(resp, "reason", "not a reason key (syntax, utf8, missing, ...)");
        return;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "counts");
    ts_jsonw_array_begin(&w);
    int r = ts_store_quarantine_stats(st, count_row, &w);
    if (r == 0) {
        ts_jsonw_array_end(&w);
        ts_jsonw_key(&w, "records");
        ts_jsonw_array_begin(&w);
        r = ts_store_quarantine_foreach(st, reason, limit, record_row, &w);
    }
    finish(st, resp, &w, r, "quarantine");
}

static int input_row(const ts_input_info_t *in, void *ctx)
{
    ts_format_input_json(ctx, in);
    return 0;
}

/* {"inputs":[{"input","format","offset","line","updated"}]} */
void ts_api_inputs(ts_store_t *st, const ts_principal_t *who, ts_http_resp_t *resp)
{
    if (!who->csirt) {
        ts_api_not_found(resp);
        return;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "inputs");
    ts_jsonw_array_begin(&w);
    int r = ts_store_inputs_foreach(st, input_row, &w);
    finish(st, resp, &w, r, "inputs");
}
