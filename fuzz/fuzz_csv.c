/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "ingest/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ts_arena_t *arena;
    static ts_str_t f[TS_CSV_FIELDS_MAX];
    if (arena == NULL)
        arena = ts_arena_new(64 * 1024);
    size_t n;
    int rc = ts_csv_split((const char *)data, size, ',', arena, f, TS_CSV_FIELDS_MAX, &n);
    /* A record that splits never ends inside a quote, and the reverse. */
    if ((rc == TS_ETRUNC) != ts_csv_open_quote((const char *)data, size, ','))
        abort();
    ts_arena_reset(arena);
    return 0;
}
