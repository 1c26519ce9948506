/* SPDX-License-Identifier: Apache-2.0 */
/* Body of the flow decoder fuzz targets (one target per version): one
 * decoder lives across inputs so that templates from earlier inputs apply to
 * later ones, and its memory must stay within the limits it was given. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"

static inline int ts_fuzz_flow(const uint8_t *data, size_t size, uint8_t version)
{
    static ts_flow_decoder_t *d;
    static uint8_t buf[65536];
    if (d == NULL) {
        ts_flow_limits_t lim = {.max_exporters = 8,
                                .max_templates = 64,
                                .max_pending_bytes = 4096,
                                .template_lifetime_ms = 600000};
        d = ts_flow_decoder_new(&lim);
    }
    if (size > sizeof buf)
        size = sizeof buf;
    memcpy(buf, data, size);
    if (size >= 2) { /* steer every input to this version's decoder */
        buf[0] = 0;
        buf[1] = version;
    }
    ts_ip_t from = {.family = TS_AF_INET, .bytes = {192, 0, 2, 1}};
    (void)ts_flow_decode(d, &from, buf, size, NULL, NULL);
    if (ts_flow_decoder_memory(d) > 8u * (64 * 3200 + 4096 + 4096) + 65536)
        abort();
    return 0;
}
