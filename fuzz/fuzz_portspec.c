/* SPDX-License-Identifier: Apache-2.0 */
/* Port specs: a parsed set is ascending, distinct and within 1-65535. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/portspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[TS_PORTSPEC_MAX + 8], err[128];
    if (size >= sizeof in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    ts_portset_t s;
    if (ts_portset_parse(in, &s, err, sizeof err) != 0)
        return 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.ports[i] == 0 || (i && s.ports[i - 1] >= s.ports[i]))
            abort();
    ts_portset_free(&s);
    return 0;
}
