/* SPDX-License-Identifier: Apache-2.0 */
/* E-mail addresses (see address.h). */
#include <string.h>

#include "notify/address.h"

/* atext of RFC 5322 section 3.2.3. */
static bool atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int ts_addr_check(const char *s, size_t len, char *domain, char *err, size_t errsize)
{
    if (s == NULL || len == 0) {
        ts_seterr(err, errsize, "empty");
        return TS_EINVAL;
    }
    if (len > TS_ADDR_MAX) {
        ts_seterr(err, errsize, "longer than %d bytes", TS_ADDR_MAX);
        return TS_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            ts_seterr(err, errsize, "a control character (CR, LF, NUL...)");
            return TS_EINVAL;
        }
        if (c >= 0x80) {
            ts_seterr(err, errsize,
                      "a non-ASCII character (internationalised addresses are "
                      "not supported)");
            return TS_EINVAL;
        }
    }
    const char *at = memrchr(s, '@', len);
    if (at == NULL) {
        ts_seterr(err, errsize, "no '@'");
        return TS_EINVAL;
    }
    size_t local = (size_t)(at - s);
    if (local == 0 || local > TS_ADDR_LOCAL_MAX) {
        ts_seterr(err, errsize, "the part before '@' must have 1 to %d characters",
                  TS_ADDR_LOCAL_MAX);
        return TS_EINVAL;
    }
    /* dot-atom: atoms of atext joined by single dots. */
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (i == 0 || i + 1 == local || s[i + 1] == '.') {
                ts_seterr(err, errsize, "a dot at the start or end, or two dots, before '@'");
                return TS_EINVAL;
            }
        } else if (!atext(c)) {
            ts_seterr(err, errsize, "'%c' is not allowed before '@'", c);
            return TS_EINVAL;
        }
    }
    char dom[TS_DOMAIN_MAX + 1];
    size_t dlen = len - local - 1;
    if (dlen == 0 || s[len - 1] == '.' || ts_domain_normalize(at + 1, dlen, dom, NULL) != 0 ||
        strchr(dom, '.') == NULL) {
        ts_seterr(err, errsize, "'%.*s' is not a domain name", (int)(dlen > 64 ? 64 : dlen),
                  at + 1);
        return TS_EINVAL;
    }
    /* Host names (RFC 1123): no label starts or ends with a hyphen. */
    for (const char *l = dom; *l;) {
        size_t k = strcspn(l, ".");
        if (l[0] == '-' || l[k - 1] == '-') {
            ts_seterr(err, errsize, "'%s' is not a host name (a label starts or ends with '-')",
                      dom);
            return TS_EINVAL;
        }
        l += k + (l[k] == '.');
    }
    if (domain)
        memcpy(domain, dom, strlen(dom) + 1);
    return 0;
}
