/* SPDX-License-Identifier: Apache-2.0 */
/* CPE names: whatever parses must format as a 2.3 string that parses back to
 * an EQUAL name (UNDEFINED when it holds wildcards). */
#include <stdint.h>
#include <stdlib.h>

#include "advisory/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_cpe_t c, c2;
    char buf[4096];
    if (ts_cpe_parse(ts_str((const char *)data, size), &c, NULL, 0) != 0)
        return 0;
    ts_cpe_format(&c, buf, sizeof buf);
    if (ts_cpe_parse(ts_str_c(buf), &c2, NULL, 0) != 0)
        abort();
    ts_cpe_rel_t r = ts_cpe_compare(&c, &c2);
    if (r != TS_CPE_EQUAL && r != TS_CPE_UNDEFINED)
        abort();
    if (r == TS_CPE_EQUAL && ts_cpe_compare(&c2, &c) != TS_CPE_EQUAL)
        abort();
    return 0;
}
