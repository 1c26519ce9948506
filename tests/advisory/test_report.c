/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory CSV row, shared by the CLI and the API: advisory text is
 * hostile (titles and rules come from vendors' documents). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/advisory.h"
#include "advisory/report.h"

static void test_csv_row_hostile(void **state)
{
    (void)state;
    ts_adv_row_t r;
    memset(&r, 0, sizeof r);
    r.adv.id = "X-1";
    r.adv.severity = "high";
    r.adv.cvss = -1;
    r.adv.title = "=HYPERLINK(\"http://x\")\x01, and more";
    r.site_name = "uni-a";
    r.platform = "-vendor:prod:1";
    r.m.status = TS_PS_AFFECTED;
    r.m.undecided = true;
    r.m.rule = "line\nbreak";
    r.m.product_name = "";
    ts_buf_t b = TS_BUF_INIT;
    ts_adv_csv_header(&b);
    ts_adv_csv_row(&b, &r);
    assert_string_equal(b.data,
                        "id,severity,cvss,site,platform,status,undecided,verdict,reason,product,"
                        "title\r\n"
                        "X-1,high,,uni-a,'-vendor:prod:1,known_affected,true,needs_a_look,"
                        "\"line\nbreak\",,"
                        "\"'=HYPERLINK(\"\"http://x\"\")\xEF\xBF\xBD, and more\"\r\n");
    ts_buf_reset(&b);
    r.adv.cvss = 9.75;
    r.m.undecided = false;
    r.adv.title = NULL;
    ts_adv_csv_row(&b, &r);
    assert_string_equal(b.data, "X-1,high,9.8,uni-a,'-vendor:prod:1,known_affected,false,"
                                "known_affected,\"line\nbreak\",,\r\n");
    assert_string_equal(ts_adv_verdict_name(TS_PS_NOT_AFFECTED, true), "needs_a_look");
    assert_string_equal(ts_adv_verdict_name(TS_PS_FIXED, false), "fixed");
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_row_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
