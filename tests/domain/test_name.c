/* SPDX-License-Identifier: Apache-2.0 */
/* Domain name normalisation: refusals first (empty, spaces, bad labels,
 * invalid IDN, too long), then case folding, the trailing dot, IDN to
 * punycode, and "under a zone". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/name.h"

static void test_invalid(void **state)
{
    (void)state;
    char out[TS_DOMAIN_NAME_MAX + 1];
    char longlabel[80], longname[300];
    memset(longlabel, 'a', 64);
    memcpy(longlabel + 64, ".cz", 4);
    for (size_t i = 0; i < 127; i++)
        memcpy(longname + 2 * i, "a.", 2);
    memcpy(longname + 254, "cz", 3);
    const char *bad[] = {"",        ".",      "..",     "a..cz",    ".a.cz",       "a b.cz",
                         "a\tb.cz", "-a.cz",  "a-.cz",  "a_b.cz",   "exa$mple.cz", "\xff\xfe.cz",
                         longlabel, longname, "a.cz..", "xn--zz.cz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        int r = ts_domain_name_norm(bad[i], out, sizeof out, &why);
        if (r != TS_EINVAL)
            fail_msg("accepted bad name #%zu: %s -> %s", i, bad[i], out);
        assert_non_null(why);
        assert_true(why[0] != '\0');
    }
    assert_int_equal(ts_domain_name_norm(NULL, out, sizeof out, NULL), TS_EINVAL);
    char small[4];
    assert_int_equal(ts_domain_name_norm("example.cz", small, sizeof small, NULL), TS_ERANGE);
}

static void expect(const char *in, const char *want)
{
    char out[TS_DOMAIN_NAME_MAX + 1];
    const char *why = "";
    int r = ts_domain_name_norm(in, out, sizeof out, &why);
    if (r != 0)
        fail_msg("%s refused: %s", in, why);
    assert_string_equal(out, want);
}

static void test_normalise(void **state)
{
    (void)state;
    expect("example.cz", "example.cz");
    expect("Example.CZ", "example.cz");
    expect("EXAMPLE.cz.", "example.cz");
    expect("cz", "cz");
    expect("cz.", "cz");
    expect("příklad.cz", "xn--pklad-zsa96e.cz");
    expect("PŘÍKLAD.CZ.", "xn--pklad-zsa96e.cz");
    expect("xn--pklad-zsa96e.cz", "xn--pklad-zsa96e.cz");
    expect("a-b.c0.cz", "a-b.c0.cz");
    /* NFC: a decomposed í (i + combining acute) is the same name. */
    expect("pr\xcc\x8ci\xcc\x81klad.cz", "xn--pklad-zsa96e.cz");
}

static void test_under(void **state)
{
    (void)state;
    assert_true(ts_domain_name_under("example.cz", "cz"));
    assert_true(ts_domain_name_under("a.example.cz", "cz"));
    assert_true(ts_domain_name_under("a.example.cz", "example.cz"));
    assert_false(ts_domain_name_under("cz", "cz"));
    assert_false(ts_domain_name_under("example.cz", "example.cz"));
    assert_false(ts_domain_name_under("examplecz", "cz"));
    assert_false(ts_domain_name_under("xcz", "cz"));
    assert_false(ts_domain_name_under("example.sk", "cz"));
    assert_false(ts_domain_name_under("example.cz", ""));
    assert_false(ts_domain_name_under(NULL, "cz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_under),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
