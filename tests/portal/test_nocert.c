/* SPDX-License-Identifier: Apache-2.0 */
/* The refused browser's page: only page requests get it (the API keeps its
 * JSON), the operator's contact is escaped, every reason says something of
 * its own, and the page needs nothing the strict CSP would block. Pinned by
 * tests/data/golden/nocert.html (TS_UPDATE_GOLDEN=1 rewrites it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "portal/nocert.h"
#include "testutil.h"

#define BROWSER "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

static void test_who_gets_html(void **state)
{
    /* No Accept, API paths, /metrics and non-HTML types: JSON. */
    assert_false(ts_nocert_wants_html("/", NULL));
    assert_false(ts_nocert_wants_html(NULL, BROWSER));
    assert_false(ts_nocert_wants_html("/api/v1/events", BROWSER));
    assert_false(ts_nocert_wants_html("/api/", BROWSER));
    assert_false(ts_nocert_wants_html("/metrics", BROWSER));
    assert_false(ts_nocert_wants_html("/", "*/*"));
    assert_false(ts_nocert_wants_html("/", "application/json"));
    assert_false(ts_nocert_wants_html("/", "text/html;q=0"));
    assert_false(ts_nocert_wants_html("/", "text/html; q=0.0, application/json"));
    /* Page requests of a browser. */
    assert_true(ts_nocert_wants_html("/", BROWSER));
    assert_true(ts_nocert_wants_html("/", "TEXT/HTML"));
    assert_true(ts_nocert_wants_html("/assets/app.js", "text/html;q=0.5"));
    assert_true(ts_nocert_wants_html("/index.html", "application/json;q=0, text/html"));
    assert_true(ts_nocert_wants_html("/apix", BROWSER));
}

static void test_contact_is_escaped(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_nocert_page(TS_PEER_NO_CERT, "<script>alert(1)</script> & \"cert\"@x", &b);
    ts_buf_putc(&b, '\0');
    assert_null(strstr(b.data, "<script"));
    assert_non_null(
        strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;cert&quot;@x"));
    ts_buf_free(&b);
}

static void test_reasons_and_csp(void **state)
{
    char first[512] = "";
    int distinct = 0;
    for (int r = TS_PEER_NO_CERT; r <= TS_PEER_STORE_ERROR; r++) {
        ts_buf_t b = TS_BUF_INIT;
        ts_nocert_page((ts_peer_reason_t)r, NULL, &b);
        ts_buf_putc(&b, '\0');
        /* Nothing the CSP would block or the refused browser could not load. */
        assert_null(strstr(b.data, "<script"));
        assert_null(strstr(b.data, "<style"));
        assert_null(strstr(b.data, " style="));
        assert_null(strstr(b.data, "<link"));
        assert_null(strstr(b.data, "<img"));
        assert_non_null(strstr(b.data, "the CSIRT that runs this portal"));
        assert_non_null(strstr(b.data, ".p12"));
        const char *reason = strstr(b.data, "<p id=\"reason\">");
        assert_non_null(reason);
        if (strncmp(first, reason, strlen(first)) != 0 || first[0] == '\0') {
            distinct++;
            snprintf(first, sizeof first, "%.*s", (int)strcspn(reason, "\n"), reason);
        }
        ts_buf_free(&b);
    }
    assert_true(distinct >= 5);
}

static void test_golden_page(void **state)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_nocert_page(TS_PEER_EXPIRED, "cert@example-nren.example", &b);
    char why[8192];
    if (tt_golden("nocert.html", b.data, b.len, why, sizeof why) != 0)
        fail_msg("%s", why);
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_gets_html),
        cmocka_unit_test(test_contact_is_escaped),
        cmocka_unit_test(test_reasons_and_csp),
        cmocka_unit_test(test_golden_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
