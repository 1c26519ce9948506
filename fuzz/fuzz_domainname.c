/* SPDX-License-Identifier: Apache-2.0 */
/* Domain names: whatever the input, a name that normalises is lower-case
 * LDH labels of 1..63 bytes, at most 253 bytes, and normalising it again
 * gives itself (so a case, a zone and an RPZ line agree on one form). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *in = malloc(size + 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char out[TS_DOMAIN_NAME_MAX + 1], again[TS_DOMAIN_NAME_MAX + 1];
    if (ts_domain_name_norm(in, out, sizeof out, NULL) == 0) {
        size_t n = strlen(out), label = 0;
        if (n == 0 || n > TS_DOMAIN_NAME_MAX)
            abort();
        for (size_t i = 0; i <= n; i++) {
            char c = out[i];
            if (c == '.' || c == '\0') {
                if (label == 0 || label > 63)
                    abort();
                label = 0;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                abort();
            } else {
                label++;
            }
        }
        if (ts_domain_name_norm(out, again, sizeof again, NULL) != 0 || strcmp(out, again) != 0)
            abort();
    }
    free(in);
    return 0;
}
