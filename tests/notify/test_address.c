/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "notify/address.h"

static int check(const char *s)
{
    return ts_addr_check(s, strlen(s), NULL, NULL, 0);
}

/* Everything that could end a header or an SMTP command, or is not an
 * addr-spec of the dot-atom form, is refused, with a reason. */
static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "no-at",
        "@example.org",
        "a@",
        "a@b",             /* no dot: not a mail domain */
        "a b@example.org", /* space */
        "a@example.org\r\nBcc: x@evil.test",
        "a@example.org\n",
        "a\r@example.org",
        "\"quoted\"@example.org",
        "a..b@example.org",
        ".a@example.org",
        "a.@example.org",
        "a@[192.0.2.1]",
        "a@exa mple.org",
        "a@example.org.",
        "<a@example.org>",
        "a(comment)@example.org",
        "a,b@example.org",
        "j\xc3\xbcrgen@example.org", /* non-ASCII local part */
        "a@b\xc3\xbc.org",
        "a@-example.org",
        "a@example..org",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[128] = "";
        if (ts_addr_check(bad[i], strlen(bad[i]), NULL, err, sizeof err) != TS_EINVAL)
            fail_msg("accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
    }
    /* A NUL inside the given length. */
    assert_int_equal(ts_addr_check("a\0b@example.org", 15, NULL, NULL, 0), TS_EINVAL);
    char longlocal[80];
    memset(longlocal, 'a', 65);
    strcpy(longlocal + 65, "@example.org");
    assert_int_equal(check(longlocal), TS_EINVAL);
    char longall[300];
    memset(longall, 'a', 60);
    longall[60] = '@';
    for (int i = 0; i < 4; i++)
        memcpy(longall + 61 + i * 50, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.", 50);
    strcpy(longall + 261, "org");
    assert_int_equal(check(longall), TS_EINVAL);
}

static void test_accepted(void **state)
{
    static const char *const good[] = {
        "soc@example.org",
        "first.last+tag@sub.example.org",
        "a!#$%&'*+-/=?^_`{|}~@example.org",
        "CERT@Uni-A.Example",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (check(good[i]) != 0)
            fail_msg("refused: %s", good[i]);
    char dom[TS_DOMAIN_MAX + 1];
    assert_int_equal(ts_addr_check("CERT@Uni-A.Example", 18, dom, NULL, 0), 0);
    assert_string_equal(dom, "uni-a.example");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
