/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/advisory.h"

static int check(ts_advisory_t *a, void *ctx)
{
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        *(size_t *)ctx += strlen(p->ref) + strlen(p->full_name) + strlen(p->version_text) +
                          strlen(p->doubt) + strlen(p->note) + strlen(p->via);
        if (p->range_ok == (p->range_error[0] != '\0'))
            abort();
    }
    ts_advisory_free(a);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_advisory_t *a = NULL;
    char err[256];
    size_t n = 0;
    if (ts_cve5_parse((const char *)data, size, "fuzz", &a, err, sizeof err) == 0)
        check(a, &n);
    /* The NVD reader shares the builder: same input, other shape. */
    int rc = ts_nvd_parse((const char *)data, size, "fuzz", check, NULL, &n, err, sizeof err);
    return rc > 0 || n == (size_t)-1; /* check() never stops the walk */
}
