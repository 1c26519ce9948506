/* SPDX-License-Identifier: Apache-2.0 */
/* whois answers: never crash; what is found is an address, a host name and
 * a port. */
#include <stdlib.h>
#include <string.h>

#include "directory/whois.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_whois_answer_t a;
    if (ts_whois_parse((const char *)data, size, &a) != 0)
        abort();
    if (a.email[0] && ts_addr_check(a.email, strlen(a.email), NULL, NULL, 0) != 0)
        abort();
    if (a.refer_host[0] &&
        (a.refer_port <= 0 || a.refer_port > 65535 || strpbrk(a.refer_host, " \r\n/:") != NULL))
        abort();
    return 0;
}
