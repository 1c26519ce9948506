/* SPDX-License-Identifier: Apache-2.0 */
/* RDAP answers and bootstrap files: never crash; an abuse address found is
 * a valid address; a server found is https. */
#include <stdlib.h>
#include <string.h>

#include "directory/rdap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char err[256], url[TS_RDAP_URL_MAX];
    ts_rdap_abuse_t a;
    if (ts_rdap_abuse(s, size, &a, err, sizeof err) == 0 &&
        ts_addr_check(a.email, strlen(a.email), NULL, NULL, 0) != 0)
        abort();
    (void)!ts_rdap_boot_check(s, size, "ipv4", err, sizeof err);
    if (ts_rdap_boot_find(s, size, TS_RDAP_IP, "192.0.2.1", url, sizeof url, err, sizeof err) ==
            0 &&
        strncmp(url, "https://", 8) != 0)
        abort();
    if (ts_rdap_boot_find(s, size, TS_RDAP_DOMAIN, "www.example.org", url, sizeof url, err,
                          sizeof err) == 0 &&
        url[strlen(url) - 1] != '/')
        abort();
    return 0;
}
