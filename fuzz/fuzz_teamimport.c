/* SPDX-License-Identifier: Apache-2.0 */
/* Team import files: never crash; every record taken has a name, a country
 * and an address, and canonical constituency entries. */
#include <stdlib.h>
#include <string.h>

#include "directory/teamimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_team_import_t *imp = NULL;
    char err[256];
    if (ts_team_import_parse((const char *)data, size, &imp, err, sizeof err) != 0)
        return 0;
    for (size_t i = 0; i < ts_team_import_count(imp); i++) {
        const ts_team_rec_t *t = ts_team_import_get(imp, i);
        if (t->name == NULL || t->country == NULL || t->email == NULL)
            abort();
        for (size_t k = 0; k < t->n_scopes; k++)
            if (t->scopes[k].value == NULL || t->scopes[k].value[0] == '\0')
                abort();
    }
    ts_team_import_free(imp);
    return 0;
}
