/* SPDX-License-Identifier: Apache-2.0 */
/* Domain name normalisation (name.h). libidn2 does the IDNA2008 work; the
 * label checks after it are ours, so that a name that libidn2 passes through
 * unchanged (pure ASCII) is held to the same host-name rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "core/utf8.h"
#include "domain/name.h"

#define NAME_IN_MAX 1024

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return TS_EINVAL;
}

static bool utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ts_utf8_next(p + i, n - i, &cp);
        if (cp == TS_UTF8_BAD || cp < 0x21)
            return false;
    }
    return true;
}

static bool ldh_label_ok(const char *p, size_t n)
{
    if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

int ts_domain_name_norm(const char *in, char *out, size_t size, const char **why)
{
    if (why)
        *why = "";
    if (in == NULL || out == NULL || size == 0)
        return TS_EINVAL;
    size_t n = strnlen(in, NAME_IN_MAX + 1);
    if (n == 0)
        return fail(why, "empty domain name");
    if (n > NAME_IN_MAX)
        return fail(why, "domain name too long");
    if (!utf8_ok(in, n))
        return fail(why, "domain name is not UTF-8 or holds spaces or controls");
    char buf[NAME_IN_MAX + 1];
    memcpy(buf, in, n + 1);
    if (buf[n - 1] == '.')
        buf[--n] = '\0'; /* the root: "example.cz." and "example.cz" are one name */
    if (n == 0 || buf[0] == '.')
        return fail(why, "domain name has an empty label");
    char *ascii = NULL;
    int rc = idn2_to_ascii_8z(buf, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
        idn2_free(ascii);
        ascii = NULL;
        rc = idn2_to_ascii_8z(buf, &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    }
    if (rc != IDN2_OK) {
        idn2_free(ascii);
        return fail(why, "domain name is not a valid internationalised name (IDNA2008)");
    }
    size_t m = strlen(ascii);
    for (size_t i = 0; i < m; i++)
        if (ascii[i] >= 'A' && ascii[i] <= 'Z')
            ascii[i] = (char)(ascii[i] - 'A' + 'a');
    int r = 0;
    if (m == 0 || m > TS_DOMAIN_NAME_MAX) {
        r = fail(why, "domain name longer than 253 bytes");
    } else {
        for (const char *p = ascii; r == 0;) {
            const char *dot = strchr(p, '.');
            size_t len = dot ? (size_t)(dot - p) : strlen(p);
            if (!ldh_label_ok(p, len))
                r = fail(why, "domain label must be 1-63 letters, digits or inner hyphens");
            if (dot == NULL)
                break;
            p = dot + 1;
        }
    }
    if (r == 0 && m + 1 > size)
        r = TS_ERANGE;
    if (r == 0)
        memcpy(out, ascii, m + 1);
    idn2_free(ascii);
    return r;
}

bool ts_domain_name_under(const char *name, const char *zone)
{
    if (name == NULL || zone == NULL)
        return false;
    size_t n = strlen(name), z = strlen(zone);
    return z > 0 && n > z + 1 && name[n - z - 1] == '.' && memcmp(name + n - z, zone, z) == 0;
}
