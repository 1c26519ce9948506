/* SPDX-License-Identifier: Apache-2.0 */
/* TCP banners and probe answers: the first two bytes pick the port (which
 * recognisers apply), the rest is what the service sent. Every field must
 * stay within its array and hold no control byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (n == max)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static ts_service_t s;
    memset(&s, 0, sizeof s);
    uint16_t port = (uint16_t)(data[0] << 8 | data[1]);
    (void)ts_svc_recognise(port, data + 2, size - 2, &s);
    check(s.service, sizeof s.service);
    check(s.product, sizeof s.product);
    check(s.version, sizeof s.version);
    check(s.info, sizeof s.info);
    check(s.title, sizeof s.title);
    check(s.banner, sizeof s.banner);
    check(s.identifier, sizeof s.identifier);
    return 0;
}
