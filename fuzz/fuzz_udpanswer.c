/* SPDX-License-Identifier: Apache-2.0 */
/* UDP answers (DNS, NTP, SNMP, CLDAP, SSDP, mDNS, memcached): the first byte
 * picks the probe's port, the rest is the datagram. Fields stay bounded and
 * clean. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/service.h"
#include "scan/udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    const uint16_t *ports = ts_udp_ports(&n);
    if (size < 1)
        return 0;
    static ts_service_t s;
    memset(&s, 0, sizeof s);
    (void)ts_svc_recognise_udp(ports[data[0] % n], data + 1, size - 1, &s);
    const char *f[] = {s.service, s.product, s.version, s.info, s.banner};
    for (size_t k = 0; k < 5; k++)
        for (const char *p = f[k]; *p; p++)
            if ((unsigned char)*p < 0x20)
                abort();
    return 0;
}
