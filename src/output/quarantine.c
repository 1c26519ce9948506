/* SPDX-License-Identifier: Apache-2.0 */
#include "output/quarantine.h"

static void put_time(ts_jsonw_t *w, const char *key, int64_t us)
{
    char t[48];
    ts_time_format_utc(us, t, sizeof t);
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, t);
}

void ts_format_quarantine_json(ts_jsonw_t *w, const ts_quarantine_rec_t *q)
{
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "id");
    ts_jsonw_int(w, q->id);
    put_time(w, "time", q->time);
    ts_jsonw_key(w, "input");
    ts_jsonw_cstr(w, q->input ? q->input : "");
    ts_jsonw_key(w, "format");
    ts_jsonw_cstr(w, q->format ? q->format : "");
    ts_jsonw_key(w, "line");
    ts_jsonw_uint(w, q->line);
    ts_jsonw_key(w, "offset");
    ts_jsonw_uint(w, q->offset);
    ts_jsonw_key(w, "reason");
    ts_jsonw_cstr(w, q->reason);
    ts_jsonw_key(w, "detail");
    ts_jsonw_cstr(w, q->detail ? q->detail : "");
    ts_jsonw_key(w, "record_length");
    ts_jsonw_uint(w, q->record_len);
    ts_jsonw_key(w, "data");
    ts_jsonw_str(w, ts_str(q->data, q->data_len));
    ts_jsonw_object_end(w);
}

void ts_format_input_json(ts_jsonw_t *w, const ts_input_info_t *in)
{
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "input");
    ts_jsonw_cstr(w, in->name);
    ts_jsonw_key(w, "format");
    ts_jsonw_cstr(w, in->format);
    ts_jsonw_key(w, "offset");
    ts_jsonw_uint(w, in->state.offset);
    ts_jsonw_key(w, "line");
    ts_jsonw_uint(w, in->state.line);
    put_time(w, "updated", in->updated);
    ts_jsonw_object_end(w);
}
