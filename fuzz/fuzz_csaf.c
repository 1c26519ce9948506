/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_advisory_t *a = NULL;
    char err[256];
    if (ts_csaf_parse((const char *)data, size, "fuzz", &a, err, sizeof err) != 0) {
        if (a != NULL)
            abort();
        return 0;
    }
    /* Every string of every entry must be readable and NUL-terminated. */
    size_t n = strlen(a->id) + strlen(a->title) + strlen(a->severity);
    for (size_t i = 0; i < a->n_products; i++) {
        const ts_adv_product_t *p = &a->products[i];
        n += strlen(p->ref) + strlen(p->full_name) + strlen(p->version_text) +
             strlen(p->range_error) + strlen(p->doubt) + strlen(p->note) + strlen(p->via);
        for (size_t k = 0; k < p->n_ids; k++)
            n += strlen(p->ids[k].value) + strlen(ts_adv_id_kind_name(p->ids[k].kind));
        if (p->range_ok == (p->range_error[0] != '\0') || p->status < TS_PS_AFFECTED ||
            p->status > TS_PS_NOT_AFFECTED)
            abort();
        for (size_t k = 0; k < p->n_remediations; k++)
            n += strlen(p->remediations[k]->category) + strlen(p->remediations[k]->url);
    }
    for (size_t i = 0; i < a->n_problems; i++)
        n += strlen(a->problems[i]);
    ts_advisory_free(a);
    return n == (size_t)-1;
}
