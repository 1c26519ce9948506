/* SPDX-License-Identifier: Apache-2.0 */
/* Query strings: parse with the /events parameter set, then every typed
 * parser on every value; a decoded value must be bounded, NUL-free, and a
 * decoded cursor must re-encode to itself. */
#include <stdlib.h>
#include <string.h>

#include "portal/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"since", "until", "taxonomy", "type",   "role", "ip",
                                        "site",  "limit", "cursor",   "format", NULL};
    char *raw = malloc(size + 1);
    memcpy(raw, data, size);
    raw[size] = '\0';
    ts_query_t q;
    char err[128], cur[TS_QUERY_CURSOR_LEN + 1];
    if (ts_query_parse(raw, names, &q, err, sizeof err) == 0) {
        for (size_t i = 0; i < q.n; i++) {
            const char *v = q.p[i].value;
            int64_t t, id;
            size_t lim;
            ts_role_t role;
            uint8_t lo[16], hi[16];
            ts_taxonomy_t tax;
            ts_type_t type;
            ts_api_format_t fmt;
            if (strlen(v) > TS_QUERY_VALUE_MAX)
                abort();
            (void)!ts_query_time(v, 0, &t);
            (void)!ts_query_role(v, &role);
            (void)!ts_query_taxonomy(v, &tax);
            (void)!ts_query_type(v, &type);
            (void)!ts_query_format(v, &fmt);
            (void)ts_query_site_valid(v);
            if (ts_query_limit(v, &lim) == 0 && (lim < 1 || lim > TS_QUERY_LIMIT_MAX))
                abort();
            if (ts_query_ip(v, lo, hi) == 0 && memcmp(lo, hi, 16) > 0)
                abort();
            if (ts_query_cursor_decode(v, &id) == 0) {
                ts_query_cursor_encode(id, cur);
                if (strcmp(cur, v) != 0)
                    abort();
            }
        }
        ts_query_free(&q);
    }
    free(raw);
    return 0;
}
