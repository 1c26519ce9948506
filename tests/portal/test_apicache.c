/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "portal/apicache.h"

static void put(const char *key, uint64_t version, int64_t now, int status, const char *body)
{
    ts_http_resp_t r;
    ts_http_resp_init(&r);
    r.status = status;
    ts_buf_puts(&r.body, body);
    ts_http_resp_header(&r, "X-Next-Cursor", "abc");
    ts_apicache_put(key, strlen(key), version, now, &r);
    ts_http_resp_free(&r);
}

/* Returns the cached body, or NULL on a miss (static buffer). */
static const char *get(const char *key, uint64_t version, int64_t now)
{
    static char out[256];
    ts_http_resp_t r;
    ts_http_resp_init(&r);
    bool hit = ts_apicache_get(key, strlen(key), version, now, &r);
    if (hit) {
        snprintf(out, sizeof out, "%d %.*s %s", r.status, (int)r.body.len, r.body.data,
                 r.n_headers == 1 ? r.header_value[0] : "-");
    }
    ts_http_resp_free(&r);
    return hit ? out : NULL;
}

static void test_miss_and_invalidation(void **state)
{
    (void)state;
    assert_null(get("site:1\n/api/v1/events\n\n", 7, 1000));
    put("site:1\n/api/v1/events\n\n", 7, 1000, 200, "{\"a\":1}");
    assert_string_equal(get("site:1\n/api/v1/events\n\n", 7, 2000), "200 {\"a\":1} abc");
    /* Another scope, another query: never the same entry. */
    assert_null(get("site:2\n/api/v1/events\n\n", 7, 2000));
    assert_null(get("site:1\n/api/v1/events\nlimit=5\n", 7, 2000));
    /* The store changed: the entry is gone, even for the old version. */
    assert_null(get("site:1\n/api/v1/events\n\n", 8, 2000));
    assert_null(get("site:1\n/api/v1/events\n\n", 7, 2000));
}

static void test_ttl(void **state)
{
    (void)state;
    put("csirt\n/api/v1/stats\n\n", 1, 1000, 200, "s");
    assert_non_null(get("csirt\n/api/v1/stats\n\n", 1, 1000 + TS_APICACHE_TTL_US));
    assert_null(get("csirt\n/api/v1/stats\n\n", 1, 1001 + TS_APICACHE_TTL_US));
    /* A clock that went backwards does not serve an entry from the future. */
    put("csirt\n/api/v1/site\n\n", 1, 5000, 200, "s");
    assert_null(get("csirt\n/api/v1/site\n\n", 1, 4000));
}

static void test_bounded(void **state)
{
    (void)state;
    char key[64];
    for (int i = 0; i < TS_APICACHE_SLOTS * 3; i++) {
        snprintf(key, sizeof key, "site:%d\n/api/v1/events\n\n", i);
        put(key, 1, 1000, 200, "x");
    }
    int hits = 0;
    for (int i = 0; i < TS_APICACHE_SLOTS * 3; i++) {
        snprintf(key, sizeof key, "site:%d\n/api/v1/events\n\n", i);
        hits += get(key, 1, 1000) != NULL;
    }
    assert_int_equal(hits, TS_APICACHE_SLOTS);
    /* An answer over the bound is not kept. */
    ts_http_resp_t r;
    ts_http_resp_init(&r);
    r.status = 200;
    for (size_t i = 0; i <= TS_APICACHE_BODY_MAX; i++)
        ts_buf_putc(&r.body, 'x');
    ts_apicache_put("big", 3, 1, 1000, &r);
    ts_http_resp_free(&r);
    assert_null(get("big", 1, 1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miss_and_invalidation),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
