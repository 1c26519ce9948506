/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ts_arena_t *arena;
    if (arena == NULL)
        arena = ts_arena_new(64 * 1024);
    ts_event_t e;
    ts_parse_error_t err;
    int rc = ts_n6_parse((const char *)data, size, arena, &e, &err);
    if (rc < 0 && memchr(err.detail, '\0', sizeof err.detail) == NULL)
        abort(); /* the detail must always be a terminated string */
    ts_arena_reset(arena);
    return 0;
}
