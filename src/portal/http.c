/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/http.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/mem.h"

void ts_http_resp_init(ts_http_resp_t *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
}

void ts_http_resp_free(ts_http_resp_t *r)
{
    ts_buf_free(&r->body);
    for (int i = 0; i < r->n_headers; i++)
        free(r->header_value[i]);
    r->n_headers = 0;
}

void ts_http_resp_header(ts_http_resp_t *r, const char *name, const char *value)
{
    if (r->n_headers >= TS_HTTP_HEADERS_MAX || name == NULL || value == NULL)
        return;
    r->header_name[r->n_headers] = name;
    r->header_value[r->n_headers] = ts_xstrdup(value);
    r->n_headers++;
}

void ts_http_resp_error(ts_http_resp_t *r, int status, const char *code, const char *message)
{
    r->status = status;
    r->content_type = NULL;
    ts_buf_reset(&r->body);
    ts_jsonw_t w;
    ts_jsonw_init(&w, &r->body);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "error");
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "code");
    ts_jsonw_cstr(&w, code ? code : "internal");
    ts_jsonw_key(&w, "message");
    ts_jsonw_cstr(&w, message ? message : "");
    ts_jsonw_object_end(&w);
    ts_jsonw_object_end(&w);
}
