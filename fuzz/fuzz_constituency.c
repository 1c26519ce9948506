/* SPDX-License-Identifier: Apache-2.0 */
/* Constituency file: whatever parses must export, re-parse, and export to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route/constfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_constfile_t *f, *g;
    char err[256];
    if (ts_constfile_parse((const char *)data, size, &f, err, sizeof err) != 0)
        return 0;
    ts_buf_t a = TS_BUF_INIT, b = TS_BUF_INIT;
    ts_constfile_write(f, &a);
    if (ts_constfile_parse(a.data, a.len, &g, err, sizeof err) != 0)
        abort(); /* the canonical form of a valid file must be valid */
    ts_constfile_write(g, &b);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();
    ts_constfile_free(f);
    ts_constfile_free(g);
    ts_buf_free(&a);
    ts_buf_free(&b);
    return 0;
}
