/* SPDX-License-Identifier: Apache-2.0 */
/* The domain policy file: any input is parsed or refused with a message,
 * never crashes; what parses has only known recipient bits and terminated
 * strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > TS_DOMAIN_POLICY_MAX)
        return 0;
    ts_domain_policy_t p;
    ts_domain_policy_defaults(&p);
    char err[256] = "";
    int r = ts_domain_policy_parse((const char *)data, size, &p, err, sizeof err);
    if (r != 0 && (r != TS_ESYNTAX || err[0] == '\0'))
        abort();
    if (r == 0) {
        for (int s = 0; s < TS_DSTEP_COUNT_; s++)
            if (p.notify[s] & ~15u)
                abort();
        if (memchr(p.from, '\0', sizeof p.from) == NULL ||
            memchr(p.from_name, '\0', sizeof p.from_name) == NULL ||
            memchr(p.templates, '\0', sizeof p.templates) == NULL)
            abort();
    }
    return 0;
}
