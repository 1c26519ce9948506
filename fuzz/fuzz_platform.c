/* SPDX-License-Identifier: Apache-2.0 */
/* Inventory specs: whatever parses must re-parse from its canonical form to
 * the same canonical form, keys and device identifiers (stored specs are
 * re-read at every import). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ts_platform_t a, b;
    char in[TS_PLATFORM_SPEC_MAX + 16], err[256];
    if (size >= sizeof in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    if (ts_platform_parse(in, &a, err, sizeof err) != 0)
        return 0;
    if (ts_platform_parse(a.spec, &b, err, sizeof err) != 0 || strcmp(a.spec, b.spec) != 0 ||
        strcmp(a.vendor, b.vendor) != 0 || strcmp(a.product, b.product) != 0 ||
        strcmp(a.version, b.version) != 0 || a.kind != b.kind || a.family != b.family ||
        strcmp(a.model, b.model) != 0 || strcmp(a.sku, b.sku) != 0 ||
        strcmp(a.serial, b.serial) != 0)
        abort();
    return 0;
}
