/* SPDX-License-Identifier: Apache-2.0 */
/* The Shadowserver Reports API's reports/list answer (ingest/ssapi.h): every
 * report it accepts has names that are safe path components. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ssapi.h"

static void check_name(const char *s, bool may_be_empty)
{
    size_t n = strnlen(s, TS_SSAPI_NAME_MAX + 1);
    if (n > TS_SSAPI_NAME_MAX || (n == 0 && !may_be_empty) || s[0] == '.' || strchr(s, '/'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_ssapi_report_t *r = NULL;
    size_t n = 0;
    char err[256];
    int rc = ts_ssapi_list_parse((const char *)data, size, &r, &n, err, sizeof err);
    if (rc < 0 && (r != NULL || memchr(err, '\0', sizeof err) == NULL))
        abort();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        check_name(r[i].id, false);
        check_name(r[i].file, false);
        check_name(r[i].type, true);
    }
    free(r);
    return 0;
}
