/* SPDX-License-Identifier: Apache-2.0 */
/* Vendor and product normal forms, with the dirty spellings of the corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/name.h"

typedef int (*norm_fn)(ts_str_t, char[TS_NAME_MAX]);

static void expect(norm_fn f, const char *in, const char *want)
{
    size_t n = strlen(in);
    char *h = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
    assert_non_null(h);
    memcpy(h, in, n);
    char out[TS_NAME_MAX];
    int rc = f(ts_str(h, n), out);
    free(h);
    if (rc != 0 || strcmp(out, want) != 0)
        fail_msg("\"%s\" -> rc %d \"%s\", want \"%s\"", in, rc, rc ? "" : out, want);
}

static void expect_err(norm_fn f, const char *in, size_t n, int want)
{
    char out[TS_NAME_MAX];
    memset(out, 'x', sizeof out);
    int rc = f(ts_str(in, n), out);
    if (rc != want)
        fail_msg("\"%.*s\" -> rc %d, want %d", (int)(n > 40 ? 40 : n), in ? in : "", rc, want);
    assert_int_equal(out[0], '\0');
}

static void test_invalid(void **state)
{
    (void)state;
    const norm_fn fns[] = {ts_name_vendor, ts_name_product};
    for (int k = 0; k < 2; k++) {
        expect_err(fns[k], NULL, 0, TS_EINVAL);
        expect_err(fns[k], "", 0, TS_EINVAL);
        expect_err(fns[k], "  ", 2, TS_EINVAL);
        expect_err(fns[k], ",.-;", 4, TS_EINVAL);
        expect_err(fns[k], "n/a", 3, TS_EINVAL); /* 20% of CVE 5 CNA containers */
        expect_err(fns[k], " N/A ", 5, TS_EINVAL);
        char big[300];
        memset(big, 'a', sizeof big);
        expect_err(fns[k], big, sizeof big, TS_ETOOBIG);
        expect_err(fns[k], big, TS_NAME_MAX, TS_ETOOBIG);
        /* exactly the longest that fits */
        char out[TS_NAME_MAX];
        assert_int_equal(fns[k](ts_str(big, TS_NAME_MAX - 1), out), 0);
        assert_int_equal(strlen(out), TS_NAME_MAX - 1);
    }
    /* the '_' of a separator counts against the bound too */
    char sep[TS_NAME_MAX + 1];
    memset(sep, 'a', sizeof sep);
    sep[TS_NAME_MAX - 2] = ' ';
    expect_err(ts_name_product, sep, TS_NAME_MAX, TS_ETOOBIG);
}

static void test_vendor(void **state)
{
    (void)state;
    expect(ts_name_vendor, "Digi International, Inc. ", "digi_international");
    expect(ts_name_vendor, "Schneider Electric", "schneider_electric");
    expect(ts_name_vendor, "schneider-electric", "schneider_electric"); /* CPE spelling */
    expect(ts_name_vendor, "Siemens", "siemens");
    expect(ts_name_vendor, "Siemens AG", "siemens");
    expect(ts_name_vendor, "Red Hat", "redhat");
    expect(ts_name_vendor, "redhat", "redhat");
    expect(ts_name_vendor, "Red Hat, Inc.", "redhat");
    expect(ts_name_vendor, "Palo Alto Networks", "paloaltonetworks");
    expect(ts_name_vendor, "paloaltonetworks", "paloaltonetworks");
    expect(ts_name_vendor, "Cisco", "cisco");
    expect(ts_name_vendor, "Cisco Systems, Inc.", "cisco_systems");
    expect(ts_name_vendor, "Microsoft Corporation", "microsoft");
    expect(ts_name_vendor, "Hangzhou Hikvision Digital Technology Co., Ltd.",
           "hangzhou_hikvision_digital_technology");
    expect(ts_name_vendor, "Phoenix Contact GmbH & Co. KG", "phoenix_contact");
    expect(ts_name_vendor, "The Apache Software Foundation", "apache");
    expect(ts_name_vendor, "  ABB\t", "abb");
    expect(ts_name_vendor, "Kongsberg Maritime AS", "kongsberg_maritime");
    expect(ts_name_vendor, "Advantech Co., Ltd.", "advantech");
    expect(ts_name_vendor, "Moxa Inc.", "moxa");
    expect(ts_name_vendor, "Mitsubishi Electric Corporation", "mitsubishi_electric");
    expect(ts_name_vendor, "AG", "ag"); /* a legal word alone is the name */
    expect(ts_name_vendor, "Hörmann KG", "h\xc3\xb6rmann");
    expect(ts_name_vendor, "HÖRMANN", "h\xc3\x96rmann"); /* no guessing outside ASCII */
}

static void test_product(void **state)
{
    (void)state;
    expect(ts_name_product, "Enterprise Linux", "enterprise_linux");
    expect(ts_name_product, "enterprise_linux", "enterprise_linux");
    expect(ts_name_product, "PAN-OS", "pan_os");
    expect(ts_name_product, "pan-os", "pan_os");
    expect(ts_name_product, "Digi ConnectPort LTS 8/16/32", "digi_connectport_lts_8_16_32");
    expect(ts_name_product, "Data Center Expert ", "data_center_expert");
    /* products keep legal-looking words: "SE" is an edition here */
    expect(ts_name_product, "Java SE", "java_se");
    expect(ts_name_product, "SIMATIC WinCC Runtime Professional V17",
           "simatic_wincc_runtime_professional_v17");
    /* trailing parenthesised qualifiers go: order numbers, regions, editions */
    expect(ts_name_product, "SIMATIC S7-1500 CPU 1518-4 PN/DP (6ES7518-4AP00-0AB0)",
           "simatic_s7_1500_cpu_1518_4_pn_dp");
    expect(ts_name_product, "LiveTwin Industrial Edge app (6AV2170-0BL00-0AA0)",
           "livetwin_industrial_edge_app");
    expect(ts_name_product, "Red Hat Enterprise Linux BaseOS (v. 9)",
           "red_hat_enterprise_linux_baseos");
    expect(ts_name_product, "SCALANCE X200 (EU) (6GK5200-4AH00-2BA3) ", "scalance_x200");
    expect(ts_name_product, "Device (model (rev. 2))", "device");
    /* inner ones stay, and so does a name that is nothing else */
    expect(ts_name_product, "Data Flow (DFM) Monitor", "data_flow_dfm_monitor");
    expect(ts_name_product, "(6ES7518-4AP00-0AB0)", "6es7518_4ap00_0ab0");
    expect(ts_name_product, "Product ((", "product");
    expect(ts_name_product, "Product x)", "product_x");
    expect(ts_name_product, "Unbalanced (a))", "unbalanced_a");
}

static void test_product_alias(void **state)
{
    (void)state;
    char p[TS_NAME_MAX];
    strcpy(p, "linux");
    ts_name_product_alias("linux", p);
    assert_string_equal(p, "linux_kernel");
    strcpy(p, "linux");
    ts_name_product_alias("debian", p);
    assert_string_equal(p, "linux");
    strcpy(p, "linux_kernel");
    ts_name_product_alias("linux", p);
    assert_string_equal(p, "linux_kernel");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_vendor),
        cmocka_unit_test(test_product),
        cmocka_unit_test(test_product_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
