/* SPDX-License-Identifier: Apache-2.0 */
/* Ranges: "range\nversion". Whatever parses (as vers, vls or GitHub's
 * syntax) must format to vers text that parses back to the same range, and
 * containment must answer or refuse, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    ts_str_t range = ts_str((const char *)data, nl ? (size_t)(nl - (const char *)data) : size);
    ts_str_t v = nl ? ts_str(nl + 1, size - range.len - 1) : range;
    ts_vrange_t r, r2;
    char buf[2048], buf2[2048];
    bool in;
    if (ts_vrange_parse_vers(range, &r, NULL, NULL, 0) == 0 ||
        ts_vrange_parse_vls(TS_VS_GENERIC, range, &r, NULL, 0) == 0 ||
        ts_vrange_parse_github(TS_VS_GENERIC, range, &r, NULL, 0) == 0) {
        ts_vrange_format(&r, buf, sizeof buf);
        if (ts_vrange_parse_vers(ts_str_c(buf), &r2, NULL, NULL, 0) != 0)
            abort();
        ts_vrange_format(&r2, buf2, sizeof buf2);
        if (strcmp(buf, buf2) != 0)
            abort();
        int rc = ts_vrange_contains(&r, v, &in), rc2 = ts_vrange_contains(&r2, v, &in);
        if (rc != rc2)
            abort();
    }
    int c, c2;
    ts_vscheme_t s = (ts_vscheme_t)(size % 4);
    if (ts_version_cmp(s, range, v, &c) == 0 &&
        (ts_version_cmp(s, v, range, &c2) != 0 || (c > 0) - (c < 0) != (c2 < 0) - (c2 > 0)))
        abort(); /* antisymmetric */
    if (ts_version_cmp_bound(s, range, v, &c) == 0 &&
        (ts_version_cmp_bound(s, v, range, &c2) != 0 || (c > 0) - (c < 0) != (c2 < 0) - (c2 > 0)))
        abort(); /* with bound patterns too */
    return 0;
}
