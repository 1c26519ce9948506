/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces of the feed pulls without a network: which URLs are refused before
 * any connection, when a feed is due and when it is late, the signature of
 * the Shadowserver API's requests (RFC 4231's HMAC-SHA256 vectors), its
 * reports/list answers (names that could leave the spool refused) and the
 * options it refuses before any request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/download.h"
#include "ingest/feedpull.h"
#include "ingest/ssapi.h"

#define S 1000000LL

static void test_urls(void **state)
{
    (void)state;
    const char *bad[] = {NULL,
                         "",
                         "http://x.example/a",
                         "ftp://x.example/a",
                         "file:///etc/passwd",
                         "https://",
                         "https:///a",
                         "https://user@x.example/a",
                         "https://x.example/a b",
                         "https://x.example/\n",
                         "HTTPS//x.example"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ts_download_url_ok(bad[i]));
    assert_true(ts_download_url_ok("https://x.example/drop.txt"));
    assert_true(ts_download_url_ok("https://127.0.0.1:8443/f?x=1"));
    /* Refused before any connection. */
    ts_buf_t b = TS_BUF_INIT;
    ts_download_t d;
    char err[256];
    ts_download_opts_t o = {.url = "http://127.0.0.1:1/x"};
    assert_int_equal(ts_download(&o, -1, &b, &d, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "https"));
    ts_buf_free(&b);
}

static void test_due_late(void **state)
{
    (void)state;
    ts_feed_rec_t f = {.every = 3600, .created = 1000 * S};
    /* Never tried: due; not late until twice its interval after creation. */
    assert_true(ts_feed_due(&f, 1000 * S));
    assert_false(ts_feed_late(&f, (1000 + 7200) * S));
    assert_true(ts_feed_late(&f, (1000 + 7201) * S));
    f.last_attempt = f.last_success = 5000 * S;
    assert_false(ts_feed_due(&f, (5000 + 3599) * S));
    assert_true(ts_feed_due(&f, (5000 + 3600) * S));
    assert_false(ts_feed_late(&f, (5000 + 7200) * S));
    assert_true(ts_feed_late(&f, (5000 + 7201) * S));
    /* Failing pulls do not make it timely. */
    f.last_attempt = (5000 + 7000) * S;
    assert_true(ts_feed_late(&f, (5000 + 7201) * S));
}

static void test_sign(void **state)
{
    (void)state;
    char hex[65];
    /* RFC 4231, test cases 2 and 6 (a key longer than the block). */
    assert_int_equal(ts_ssapi_sign("Jefe", 4, "what do ya want for nothing?", 28, hex), 0);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char key[131];
    memset(key, 0xaa, sizeof key);
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_int_equal(ts_ssapi_sign(key, sizeof key, msg, strlen(msg), hex), 0);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_api_refusals(void **state)
{
    (void)state;
    ts_ssapi_stats_t s;
    char err[256];
    ts_ssapi_opts_t o = {.key = "k\"", .secret = "x", .secret_len = 1, .spool = "/nonexistent"};
    assert_int_equal(ts_ssapi_pull(NULL, NULL, &o, &s, err, sizeof err), TS_EINVAL);
    o.key = "key";
    o.secret_len = 0;
    assert_int_equal(ts_ssapi_pull(NULL, NULL, &o, &s, err, sizeof err), TS_EINVAL);
    o.secret_len = 1;
    o.since = "2026-02-30x";
    assert_int_equal(ts_ssapi_pull(NULL, NULL, &o, &s, err, sizeof err), TS_EINVAL);
    assert_non_null(strstr(err, "--since"));
}

static void test_list(void **state)
{
    (void)state;
    ts_ssapi_report_t *r = NULL;
    size_t n = 9;
    char err[256];
    /* Refused: not JSON, not a list, names that are not path components. */
    const char *bad[] = {"",
                         "not json",
                         "{\"error\":\"bad signature\"}",
                         "[1]",
                         "[{\"file\":\"a.csv\"}]",
                         "[{\"id\":\"r1\"}]",
                         "[{\"id\":7,\"file\":\"a.csv\"}]",
                         "[{\"id\":\"../r1\",\"file\":\"a.csv\"}]",
                         "[{\"id\":\"r1\",\"file\":\"../../etc/passwd\"}]",
                         "[{\"id\":\"r1\",\"file\":\".a.csv\"}]",
                         "[{\"id\":\"r1\",\"file\":\"a.csv\",\"type\":\"x/y\"}]",
                         "[{\"id\":\"\",\"file\":\"a.csv\"}]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(ts_ssapi_list_parse(bad[i], strlen(bad[i]), &r, &n, err, sizeof err) < 0);
        assert_null(r);
        assert_int_equal(n, 0);
    }
    ts_buf_t big = TS_BUF_INIT;
    ts_buf_printf(&big, "[");
    for (int i = 0; i <= TS_SSAPI_REPORTS_MAX; i++)
        ts_buf_printf(&big, "%s{\"id\":\"r%d\",\"file\":\"f.csv\"}", i ? "," : "", i);
    ts_buf_printf(&big, "]");
    assert_int_equal(ts_ssapi_list_parse(big.data, big.len, &r, &n, err, sizeof err), TS_ETOOBIG);
    ts_buf_free(&big);
    /* Accepted, the other members ignored. */
    const char *good = "[{\"id\":\"r-1\",\"file\":\"2026-01-05-scan_ntp-x.csv\","
                       "\"type\":\"scan_ntp\",\"url\":\"https://dl.example/a\"},"
                       "{\"id\":\"r-2\",\"file\":\"b.csv\"}]";
    assert_int_equal(ts_ssapi_list_parse(good, strlen(good), &r, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].id, "r-1");
    assert_string_equal(r[0].file, "2026-01-05-scan_ntp-x.csv");
    assert_string_equal(r[0].type, "scan_ntp");
    assert_string_equal(r[1].type, "");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls), cmocka_unit_test(test_due_late),
        cmocka_unit_test(test_sign), cmocka_unit_test(test_api_refusals),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
