/* SPDX-License-Identifier: Apache-2.0 */
/* Whatever bytes come in as a string or as a raw value, the writer's output
 * must be one valid JSON document (checked with json-c, strict + UTF-8). */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_array_begin(&w);
    ts_jsonw_str(&w, ts_str((const char *)data, size));
    ts_jsonw_raw(&w, ts_str((const char *)data, size));
    ts_jsonw_array_end(&w);
    struct json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, b.data, (int)b.len);
    if (o == NULL || json_tokener_get_parse_end(tok) != b.len)
        abort();
    json_object_put(o);
    json_tokener_free(tok);
    ts_buf_free(&b);
    return 0;
}
