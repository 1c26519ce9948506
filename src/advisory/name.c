/* SPDX-License-Identifier: Apache-2.0 */
/* Vendor and product name normal forms.
 *
 * The forms must be equal for the spellings one vendor uses across sources:
 * CSAF ("Digi International, Inc. ", "Red Hat", "Palo Alto Networks"), CVE 5
 * CNA text ("paloaltonetworks") and CPE values ("schneider-electric",
 * "enterprise_linux"). Bytes >= 0x80 are kept as they are (names such as
 * "Hörmann" stay distinct from "Hormann": no transliteration is guessed). */
#include "advisory/name.h"

#include <stdbool.h>
#include <string.h>

static bool name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Case-folds, and turns every run of other bytes into one '_', without a
 * leading or trailing '_'. */
static int fold(ts_str_t in, char out[TS_NAME_MAX], size_t *outlen)
{
    size_t n = 0;
    bool sep = false;
    for (size_t k = 0; k < in.len; k++) {
        unsigned char c = (unsigned char)in.ptr[k];
        if (!name_char(c)) {
            sep = n > 0;
            continue;
        }
        if (sep) {
            if (n + 1 >= TS_NAME_MAX)
                return TS_ETOOBIG;
            out[n++] = '_';
            sep = false;
        }
        if (n + 1 >= TS_NAME_MAX)
            return TS_ETOOBIG;
        out[n++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    *outlen = n;
    return n ? 0 : TS_EINVAL;
}

static bool is_na(ts_str_t in)
{
    while (in.len && (in.ptr[0] == ' ' || in.ptr[0] == '\t')) {
        in.ptr++;
        in.len--;
    }
    while (in.len && (in.ptr[in.len - 1] == ' ' || in.ptr[in.len - 1] == '\t'))
        in.len--;
    return in.len == 3 && (in.ptr[0] | 0x20) == 'n' && in.ptr[1] == '/' &&
           (in.ptr[2] | 0x20) == 'a';
}

/* Legal-form words dropped from the end of vendor names. "co" is only
 * dropped with a following "ltd" ("Co., Ltd.") because on its own it is too
 * often part of a name. */
static const char *const legal[] = {
    "inc",  "incorporated", "corp",  "corporation", "ltd", "limited", "llc",     "gmbh",
    "ag",   "se",           "sa",    "plc",         "bv",  "nv",      "oy",      "ab",
    "spa",  "srl",          "kg",    "pty",         "kk",  "co_ltd",  "s_a",     "b_v",
    "n_v",  "gmbh_co_kg",   "co_kg", "as",          "asa", "aps",     "sas",     "sarl",
    "ltda", "oyj",          "s_p_a", "s_r_l",       "a_s", "pte_ltd", "pvt_ltd", "private_limited",
};

/* Vendors whose CPE form is one word while humans write several. */
static const struct {
    const char *from, *to;
} aliases[] = {
    {"red_hat", "redhat"},
    {"palo_alto_networks", "paloaltonetworks"},
    {"apache_software_foundation", "apache"},
    {"the_apache_software_foundation", "apache"},
};

static bool strip_suffix(char *s, size_t *n, const char *word)
{
    size_t w = strlen(word);
    if (*n <= w + 1 || s[*n - w - 1] != '_' || memcmp(s + *n - w, word, w) != 0)
        return false;
    *n -= w + 1;
    s[*n] = '\0';
    return true;
}

int ts_name_vendor(ts_str_t in, char out[TS_NAME_MAX])
{
    out[0] = '\0';
    if (in.ptr == NULL || is_na(in))
        return TS_EINVAL;
    size_t n;
    int rc = fold(in, out, &n);
    if (rc) {
        out[0] = '\0';
        return rc;
    }
    /* longest suffixes first so that "co_ltd" goes as a whole */
    bool again = true;
    while (again) {
        again = false;
        for (size_t k = sizeof legal / sizeof legal[0]; k-- > 0;)
            if (strip_suffix(out, &n, legal[k])) {
                again = true;
                break;
            }
    }
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (strcmp(out, aliases[k].from) == 0) {
            strcpy(out, aliases[k].to);
            break;
        }
    return 0;
}

/* Drops trailing parenthesised qualifiers: the order number, region or
 * edition vendors append to a product's name ("SIMATIC S7-1500 CPU 1518-4
 * PN/DP (6ES7518-4AP00-0AB0)", "Red Hat Enterprise Linux BaseOS (v. 9)"). A
 * name that is nothing but qualifiers keeps them. */
static ts_str_t strip_qualifiers(ts_str_t in)
{
    for (;;) {
        size_t n = in.len;
        while (n && (in.ptr[n - 1] == ' ' || in.ptr[n - 1] == '\t'))
            n--;
        if (n == 0 || in.ptr[n - 1] != ')')
            return in;
        size_t depth = 0, k = n;
        while (k-- > 0) {
            if (in.ptr[k] == ')')
                depth++;
            else if (in.ptr[k] == '(' && --depth == 0)
                break;
        }
        if (k == (size_t)-1 || depth != 0)
            return in; /* unbalanced: leave it */
        ts_str_t rest = ts_str(in.ptr, k);
        size_t m = 0;
        for (size_t i = 0; i < rest.len; i++)
            m += name_char((unsigned char)rest.ptr[i]);
        if (m == 0)
            return in;
        in = rest;
    }
}

int ts_name_product(ts_str_t in, char out[TS_NAME_MAX])
{
    out[0] = '\0';
    if (in.ptr == NULL || is_na(in))
        return TS_EINVAL;
    size_t n;
    int rc = fold(strip_qualifiers(in), out, &n);
    if (rc)
        out[0] = '\0';
    return rc;
}

void ts_name_product_alias(const char *vendor, char product[TS_NAME_MAX])
{
    /* The kernel CNA names its product "Linux" by "Linux"; CPE and NVD say
     * linux_kernel. */
    if (strcmp(vendor, "linux") == 0 && strcmp(product, "linux") == 0)
        strcpy(product, "linux_kernel");
}
