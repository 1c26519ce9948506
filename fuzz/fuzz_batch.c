/* SPDX-License-Identifier: Apache-2.0 */
/* The bus's batch decoder: a message either decodes, and then encodes back
 * to the same bytes, or is refused; never a read outside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ts_batch_t b;
    if (b.arena == NULL)
        ts_batch_init(&b);
    if (ts_batch_decode(data, size, &b) == 0) {
        ts_buf_t again = TS_BUF_INIT;
        ts_batch_encode(&b, &again);
        if (again.len != size || memcmp(again.data, data, size) != 0)
            abort();
        ts_buf_free(&again);
    }
    return 0;
}
