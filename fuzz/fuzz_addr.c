/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses and prefixes: whatever parses must format and re-parse unchanged. */
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[TS_IP_STRLEN];
    ts_ip_t ip, ip2;
    ts_prefix_t p, p2;
    if (ts_ip_parse((const char *)data, size, &ip) == 0) {
        size_t n = ts_ip_format(&ip, buf, sizeof buf);
        if (n >= sizeof buf || ts_ip_parse(buf, n, &ip2) != 0 || !ts_ip_equal(&ip, &ip2))
            abort();
    }
    if (ts_prefix_parse((const char *)data, size, &p) == 0) {
        size_t n = ts_prefix_format(&p, buf, sizeof buf);
        if (n >= sizeof buf || ts_prefix_parse(buf, n, &p2) != 0 || p.len != p2.len ||
            !ts_ip_equal(&p.addr, &p2.addr) || !ts_prefix_contains(&p2, &p.addr))
            abort();
    }
    return 0;
}
