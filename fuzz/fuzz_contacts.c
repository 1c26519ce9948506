/* SPDX-License-Identifier: Apache-2.0 */
/* Contact import files (CSV or JSON): whatever parses has a site and an
 * address in every row, and every row's fields go through the checks
 * without the store (keys are left out: they need gpg). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/contact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_contact_import_t *imp = NULL;
    char err[256];
    if (ts_contact_import_parse((const char *)data, size, &imp, err, sizeof err) != 0)
        return 0;
    ts_arena_t *a = ts_arena_new(4096);
    for (size_t i = 0; i < ts_contact_import_count(imp); i++) {
        const ts_contact_row_t *r = ts_contact_import_row(imp, i);
        if (r->site == NULL || r->site[0] == '\0' || r->in.email == NULL)
            abort();
        ts_contact_in_t in = r->in;
        in.pgp_key = NULL;
        in.smime_cert = NULL;
        ts_contact_rec_t rec;
        ts_contact_defaults(&rec);
        if (ts_contact_apply(&in, &rec, a, 0, err, sizeof err) == 0 && rec.email == NULL)
            abort();
        ts_arena_reset(a);
    }
    ts_arena_free(a);
    ts_contact_import_free(imp);
    return 0;
}
