/* SPDX-License-Identifier: Apache-2.0 */
/* Flow decoder, version 5 (see flow_fuzz.h). */
#include "flow_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return ts_fuzz_flow(data, size, 5);
}
