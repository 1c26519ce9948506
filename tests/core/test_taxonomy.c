/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/taxonomy.h"

int ts__suricata_table_check(void);

static ts_type_t type_of(const char *s)
{
    ts_type_t t = 255;
    assert_int_equal(ts_type_lookup(s, strlen(s), &t), 0);
    return t;
}

static const char *cat(const char *s)
{
    return ts_type_name(ts_suricata_category_type(s, strlen(s)));
}

static void test_invalid_names(void **state)
{
    (void)state;
    ts_type_t t;
    ts_taxonomy_t x;
    assert_int_equal(ts_type_lookup("", 0, &t), TS_ENOENT);
    assert_int_equal(ts_type_lookup("scan", 4, &t), TS_ENOENT);
    assert_int_equal(ts_type_lookup("scanners", 8, &t), TS_ENOENT);
    assert_int_equal(ts_type_lookup("scanner", 6, &t), TS_ENOENT); /* prefix only */
    assert_int_equal(ts_type_lookup("ids_alert", 9, &t), TS_ENOENT);
    assert_int_equal(ts_type_lookup("abusive-content", 15, &t), TS_ENOENT); /* a taxonomy */
    assert_int_equal(ts_type_lookup("spam\0", 5, &t), TS_ENOENT);
    assert_int_equal(ts_type_lookup(NULL, 0, &t), TS_ENOENT);
    assert_int_equal(ts_taxonomy_lookup("spam", 4, &x), TS_ENOENT);
    assert_int_equal(ts_taxonomy_lookup("", 0, &x), TS_ENOENT);
    assert_null(ts_type_name(TS_RSIT_TYPES));
    assert_null(ts_type_name(255));
    assert_null(ts_taxonomy_name(TS_RSIT_TAXONOMIES));
}

static void test_table(void **state)
{
    (void)state;
    /* Fixed ids from the header and the reference order. */
    assert_string_equal(ts_type_name(TS_TYPE_UNDETERMINED), "undetermined");
    assert_string_equal(ts_type_name(TS_TYPE_IDS_ALERT), "ids-alert");
    assert_string_equal(ts_type_name(0), "harmful-speech");
    assert_string_equal(ts_type_name(TS_RSIT_TYPES - 1), "weak-crypto");
    assert_string_equal(ts_taxonomy_name(0), "abusive-content");
    assert_string_equal(ts_taxonomy_name(TS_RSIT_TAXONOMIES - 1), "vulnerable");
    /* Every name round-trips, and names are unique. */
    for (unsigned i = 0; i < TS_RSIT_TYPES; i++) {
        const char *n = ts_type_name((ts_type_t)i);
        assert_non_null(n);
        assert_int_equal(type_of(n), i);
        assert_non_null(ts_taxonomy_name(ts_type_taxonomy((ts_type_t)i)));
    }
    for (unsigned i = 0; i < TS_RSIT_TAXONOMIES; i++) {
        ts_taxonomy_t x = 255;
        const char *n = ts_taxonomy_name((ts_taxonomy_t)i);
        assert_int_equal(ts_taxonomy_lookup(n, strlen(n), &x), 0);
        assert_int_equal(x, i);
    }
    /* Spot checks of the type -> taxonomy column. */
    struct {
        const char *type, *tax;
    } rows[] = {
        {"spam", "abusive-content"},
        {"ddos", "availability"},
        {"phishing", "fraud"},
        {"data-leak", "information-content-security"},
        {"scanner", "information-gathering"},
        {"brute-force", "intrusion-attempts"},
        {"system-compromise", "intrusions"},
        {"c2-server", "malicious-code"},
        {"tor", "other"},
        {"test", "test"},
        {"weak-crypto", "vulnerable"},
        {"unauthorized-use-of-resources", "fraud"},
        {"unauthorised-information-modification", "information-content-security"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_string_equal(ts_taxonomy_name(ts_type_taxonomy(type_of(rows[i].type))), rows[i].tax);
    /* Count per taxonomy as in the reference table. */
    unsigned per[TS_RSIT_TAXONOMIES] = {0};
    for (unsigned i = 0; i < TS_RSIT_TYPES; i++)
        per[ts_type_taxonomy((ts_type_t)i)]++;
    const unsigned want[TS_RSIT_TAXONOMIES] = {3, 5, 4, 4, 3, 3, 5, 4, 7, 1, 5};
    for (unsigned i = 0; i < TS_RSIT_TAXONOMIES; i++)
        assert_int_equal(per[i], want[i]);
}

static void test_legacy(void **state)
{
    (void)state;
    assert_string_equal(ts_type_name(type_of("c&c")), "c2-server");
    assert_string_equal(ts_type_name(type_of("C&C")), "c2-server");
    assert_string_equal(ts_type_name(type_of("unknown")), "undetermined");
    assert_string_equal(ts_type_name(type_of("Botnet Drone")), "infected-system");
    assert_string_equal(ts_type_name(type_of("ransomware")), "infected-system");
    assert_string_equal(ts_type_name(type_of("Unauthorised-information-access")),
                        "unauthorised-information-access");
    assert_string_equal(ts_type_name(type_of("defacement")),
                        "unauthorised-information-modification");
    assert_string_equal(ts_type_name(type_of("dropzone")), "other");
    assert_string_equal(ts_type_name(type_of("IDS-ALERT")), "ids-alert");
    ts_taxonomy_t x;
    assert_int_equal(ts_taxonomy_lookup("Malicious Code", 14, &x), 0);
    assert_string_equal(ts_taxonomy_name(x), "malicious-code");
    assert_int_equal(ts_taxonomy_lookup("intrusion attempts", 18, &x), 0);
    assert_string_equal(ts_taxonomy_name(x), "intrusion-attempts");
}

static void test_suricata(void **state)
{
    (void)state;
    assert_true(ts__suricata_table_check() > 80);
    /* Unknown, empty, absurd: ids-alert, never a crash. */
    assert_string_equal(cat(""), "ids-alert");
    assert_string_equal(cat("no such classtype"), "ids-alert");
    assert_string_equal(ts_type_name(ts_suricata_category_type(NULL, 0)), "ids-alert");
    char big[300];
    memset(big, 'a', sizeof big);
    assert_string_equal(ts_type_name(ts_suricata_category_type(big, sizeof big)), "ids-alert");
    assert_string_equal(cat("trojan-activit"), "ids-alert"); /* prefix */
    /* Short names and descriptions, any case. */
    assert_string_equal(cat("trojan-activity"), "infected-system");
    assert_string_equal(cat("A Network Trojan was detected"), "infected-system");
    assert_string_equal(cat("Malware Command and Control Activity Detected"), "infected-system");
    assert_string_equal(cat("attempted-admin"), "exploit");
    assert_string_equal(cat("Attempted Administrator Privilege Gain"), "exploit");
    assert_string_equal(cat("ATTEMPTED-RECON"), "scanner");
    assert_string_equal(cat("Attempted Information Leak"), "scanner");
    assert_string_equal(cat("Detection of a Network Scan"), "scanner");
    assert_string_equal(cat("web-application-attack"), "exploit");
    assert_string_equal(cat("Executable code was detected"), "exploit");
    assert_string_equal(cat("successful-admin"), "privileged-account-compromise");
    assert_string_equal(cat("Successful User Privilege Gain"), "unprivileged-account-compromise");
    assert_string_equal(cat("denial-of-service"), "dos");
    assert_string_equal(cat("Attempted Denial of Service"), "dos");
    assert_string_equal(cat("Potential Corporate Privacy Violation"), "ids-alert");
    assert_string_equal(cat("Not Suspicious Traffic"), "ids-alert");
    assert_string_equal(cat("Potentially Bad Traffic"), "ids-alert");
    assert_string_equal(cat("Misc activity"), "ids-alert");
    assert_string_equal(cat("unknown"), "ids-alert");
    assert_string_equal(cat("Device Retrieving External IP Address Detected"), "ids-alert");
    assert_string_equal(cat("coin-mining"), "unauthorized-use-of-resources");
    assert_string_equal(cat("social-engineering"), "social-engineering");
    assert_string_equal(cat("credential-theft"), "phishing");
    assert_string_equal(cat("default-login-attempt"), "brute-force");
    assert_string_equal(cat("sdf"), "data-leak");
    assert_string_equal(cat("Large Scale Information Leak"), "information-disclosure");
    assert_string_equal(cat("pup-activity"), "infected-system");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_names),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_suricata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
