/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_mapping_t *m = NULL;
    char err[256];
    int rc = ts_mapping_parse((const char *)data, size, &m, err, sizeof err);
    if ((rc == 0) != (m != NULL) || (rc != 0 && memchr(err, '\0', sizeof err) == NULL))
        abort();
    ts_mapping_free(m);
    return 0;
}
