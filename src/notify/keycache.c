/* SPDX-License-Identifier: Apache-2.0 */
/* Recipient keys already looked up (see keycache.h). */
#include <strings.h>

#include "notify/keycache.h"

gpgme_key_t ts_keycache_find(const ts_keycache_t *c, const char *fpr)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->keys[i]->fpr && strcasecmp(c->keys[i]->fpr, fpr) == 0)
            return c->keys[i];
    return NULL;
}

void ts_keycache_put(ts_keycache_t *c, gpgme_key_t k)
{
    if (c->n == TS_KEYCACHE_MAX) {
        gpgme_key_unref(c->keys[c->next_evict]);
        c->keys[c->next_evict] = k;
        c->next_evict = (c->next_evict + 1) % TS_KEYCACHE_MAX;
    } else {
        c->keys[c->n++] = k;
    }
}

void ts_keycache_clear(ts_keycache_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        gpgme_key_unref(c->keys[i]);
    c->n = c->next_evict = 0;
}
