/* SPDX-License-Identifier: Apache-2.0 */
/* Package URLs: whatever parses must format canonically and parse back to
 * the same package, version and qualifiers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/purl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_purl_t p, p2;
    char buf[4096];
    if (ts_purl_parse(ts_str((const char *)data, size), &p, NULL, 0) != 0)
        return 0;
    ts_purl_format(&p, buf, sizeof buf);
    if (ts_purl_parse(ts_str_c(buf), &p2, NULL, 0) != 0 || !ts_purl_same_package(&p, &p2) ||
        strcmp(p.version, p2.version) != 0 || strcmp(p.qualifiers, p2.qualifiers) != 0)
        abort();
    return 0;
}
