/* SPDX-License-Identifier: Apache-2.0 */
#include "output/exporter.h"

#include "core/event.h"
#include "core/ip.h"

void ts_format_exporter_json(ts_jsonw_t *w, const ts_exporter_stats_t *s, int64_t updated)
{
    char ip[TS_IP_STRLEN], when[48], last[48];
    ts_ip_format(&s->exporter, ip, sizeof ip);
    ts_time_format(updated, when, sizeof when);
    ts_time_format(s->last_export_ms * 1000, last, sizeof last);
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "exporter");
    ts_jsonw_cstr(w, ip);
    ts_jsonw_key(w, "domain");
    ts_jsonw_uint(w, s->domain);
    ts_jsonw_key(w, "version");
    ts_jsonw_uint(w, s->version);
    ts_jsonw_key(w, "packets");
    ts_jsonw_uint(w, s->packets);
    ts_jsonw_key(w, "flows");
    ts_jsonw_uint(w, s->flows);
    ts_jsonw_key(w, "templates");
    ts_jsonw_uint(w, s->templates);
    ts_jsonw_key(w, "options_templates");
    ts_jsonw_uint(w, s->options);
    ts_jsonw_key(w, "lost");
    ts_jsonw_uint(w, s->lost);
    ts_jsonw_key(w, "sequence_resets");
    ts_jsonw_uint(w, s->sequence_resets);
    ts_jsonw_key(w, "sampling");
    ts_jsonw_uint(w, s->sampling);
    ts_jsonw_key(w, "drops");
    ts_jsonw_object_begin(w);
    for (int i = 0; i < TS_FLOW_DROP_COUNT_; i++) {
        ts_jsonw_key(w, ts_flow_drop_name((ts_flow_drop_t)i));
        ts_jsonw_uint(w, s->drops[i]);
    }
    ts_jsonw_object_end(w);
    ts_jsonw_key(w, "last_export");
    ts_jsonw_cstr(w, last);
    ts_jsonw_key(w, "updated");
    ts_jsonw_cstr(w, when);
    ts_jsonw_object_end(w);
}
