/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int whole = ts_jscan_validate(s, size, NULL, NULL);
    /* Walking an object must agree with validating it, and each string must unescape. */
    ts_jscan_iter_t it;
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    char buf[4096];
    size_t n;
    if (ts_jscan_object_begin(&it, s, size) == 0) {
        int rc;
        while ((rc = ts_jscan_object_next(&it, &k, &v)) == 1)
            if (v.type == TS_JSCAN_STRING && v.raw.len - 2 <= sizeof buf &&
                ts_jscan_unescape(v.raw.ptr + 1, v.raw.len - 2, buf, sizeof buf, &n) == TS_ESYNTAX)
                abort();
        if ((rc == 0) != (whole == 0))
            abort();
    }
    return 0;
}
