/* SPDX-License-Identifier: Apache-2.0 */
/* The scan settings file: parsed or refused, never more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_scan_settings_t *s;
    char err[256];
    if (ts_scan_settings_parse((const char *)data, size, &s, err, sizeof err) != 0)
        return 0;
    if (ts_scan_settings_rate(s) == 0 || ts_scan_settings_limits(s, "x").concurrent == 0)
        abort();
    ts_scan_settings_free(s);
    return 0;
}
