/* SPDX-License-Identifier: Apache-2.0 */
/* The Shadowserver schema loader; a schema that loads is then used on a
 * header and a row. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/shadowserver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_ss_schema_t *s = NULL;
    char err[256];
    if (ts_ss_schema_parse((const char *)data, size, &s, err, sizeof err) != 0) {
        if (s != NULL || memchr(err, '\0', sizeof err) == NULL)
            abort();
        return 0;
    }
    ts_arena_t *a = ts_arena_new(4096);
    ts_ss_reader_t *r = ts_ss_reader_new(s, 0);
    ts_parse_error_t pe;
    static const char hdr[] = "timestamp,ip,src_ip,port,asn,tag,hostname,url,http_host";
    static const char row[] = "2024-01-01 00:00:00,192.0.2.1,192.0.2.2,80,0,cve-2024-1;x,h,/u,h";
    ts_event_t e;
    if (ts_ss_reader_header(r, hdr, sizeof hdr - 1, &pe) == 0 &&
        ts_ss_reader_row(r, row, sizeof row - 1, a, &e, &pe) < 0 &&
        memchr(pe.detail, '\0', sizeof pe.detail) == NULL)
        abort();
    ts_ss_reader_free(r);
    ts_arena_free(a);
    ts_ss_schema_free(s);
    return 0;
}
