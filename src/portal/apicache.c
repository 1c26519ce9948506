/* SPDX-License-Identifier: Apache-2.0 */
#include "portal/apicache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

typedef struct entry {
    char *key;
    size_t key_len;
    uint64_t version;
    int64_t stored;
    uint64_t used; /* tick of the last hit, for replacement */
    int status;
    const char *content_type;
    ts_buf_t body;
    int n_headers;
    const char *header_name[TS_HTTP_HEADERS_MAX];
    char *header_value[TS_HTTP_HEADERS_MAX];
} entry_t;

typedef struct cache {
    entry_t e[TS_APICACHE_SLOTS];
    uint64_t tick;
} cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void entry_clear(entry_t *e)
{
    free(e->key);
    ts_buf_free(&e->body);
    for (int i = 0; i < e->n_headers; i++)
        free(e->header_value[i]);
    memset(e, 0, sizeof *e);
}

static void cache_free(void *p)
{
    cache_t *c = p;
    for (int i = 0; i < TS_APICACHE_SLOTS; i++)
        entry_clear(&c->e[i]);
    free(c);
}

static void cache_init(void)
{
    (void)pthread_key_create(&cache_key, cache_free);
}

static cache_t *cache_get(bool create)
{
    (void)pthread_once(&cache_once, cache_init);
    cache_t *c = pthread_getspecific(cache_key);
    if (c == NULL && create) {
        c = ts_xcalloc(1, sizeof *c);
        if (pthread_setspecific(cache_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    return c;
}

static entry_t *find(cache_t *c, const char *key, size_t key_len)
{
    for (int i = 0; i < TS_APICACHE_SLOTS; i++) {
        entry_t *e = &c->e[i];
        if (e->key != NULL && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    }
    return NULL;
}

bool ts_apicache_get(const char *key, size_t key_len, uint64_t version, int64_t now_us,
                     ts_http_resp_t *resp)
{
    cache_t *c = cache_get(false);
    if (c == NULL)
        return false;
    entry_t *e = find(c, key, key_len);
    if (e == NULL)
        return false;
    if (e->version != version || now_us - e->stored > TS_APICACHE_TTL_US || now_us < e->stored) {
        entry_clear(e);
        return false;
    }
    e->used = ++c->tick;
    resp->status = e->status;
    resp->content_type = e->content_type;
    ts_buf_reset(&resp->body);
    ts_buf_append(&resp->body, e->body.data, e->body.len);
    for (int i = 0; i < e->n_headers; i++)
        ts_http_resp_header(resp, e->header_name[i], e->header_value[i]);
    return true;
}

void ts_apicache_put(const char *key, size_t key_len, uint64_t version, int64_t now_us,
                     const ts_http_resp_t *resp)
{
    if (resp->body.len > TS_APICACHE_BODY_MAX)
        return;
    cache_t *c = cache_get(true);
    if (c == NULL)
        return;
    entry_t *e = find(c, key, key_len);
    if (e == NULL) {
        e = &c->e[0];
        for (int i = 0; i < TS_APICACHE_SLOTS && e->key != NULL; i++)
            if (c->e[i].key == NULL || c->e[i].used < e->used)
                e = &c->e[i];
    }
    entry_clear(e);
    e->key = ts_xmalloc(key_len);
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->version = version;
    e->stored = now_us;
    e->used = ++c->tick;
    e->status = resp->status;
    e->content_type = resp->content_type;
    ts_buf_append(&e->body, resp->body.data, resp->body.len);
    for (int i = 0; i < resp->n_headers && i < TS_HTTP_HEADERS_MAX; i++) {
        e->header_name[i] = resp->header_name[i];
        e->header_value[i] = ts_xstrdup(resp->header_value[i]);
        e->n_headers++;
    }
}
