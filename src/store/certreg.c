/* SPDX-License-Identifier: Apache-2.0 */
/* The certificate registry: validation shared by every backend, then the
 * backend's operations. */
#include <string.h>

#include "core/utf8.h"
#include "store/certreg_int.h"

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool ts_cert_fingerprint_valid(const char *fingerprint)
{
    return fingerprint != NULL && strlen(fingerprint) == TS_FINGERPRINT_HEX &&
           lower_hex(fingerprint, TS_FINGERPRINT_HEX);
}

bool ts_cert_serial_valid(const char *serial)
{
    if (serial == NULL)
        return false;
    size_t n = strlen(serial);
    return n >= 2 && n <= TS_SERIAL_HEX_MAX && n % 2 == 0 && lower_hex(serial, n);
}

bool ts_cert_holder_valid(const char *holder)
{
    if (holder == NULL)
        return false;
    size_t n = strlen(holder);
    if (n == 0 || n > TS_HOLDER_MAX)
        return false;
    const unsigned char *p = (const unsigned char *)holder;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ts_utf8_next(p + i, n - i, &cp);
        /* Control characters and bidirectional overrides would end up in
         * subject names and terminal listings. */
        if (cp == TS_UTF8_BAD || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x200e ||
            cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
            return false;
        i += k;
    }
    return true;
}

static bool rec_valid(const ts_cert_rec_t *rec)
{
    if (!ts_cert_fingerprint_valid(rec->fingerprint) || !ts_cert_serial_valid(rec->serial) ||
        !ts_cert_holder_valid(rec->holder))
        return false;
    if (rec->csirt ? rec->site_id != 0 : rec->site_id <= 0)
        return false;
    return rec->not_after > rec->not_before;
}

int ts_store_cert_add(ts_store_t *st, const ts_cert_rec_t *rec)
{
    if (st == NULL || rec == NULL)
        return TS_EINVAL;
    if (st->ops->cert == NULL || st->ops->cert->add == NULL)
        return TS_ENOTSUP;
    if (!rec_valid(rec))
        return TS_EINVAL;
    return st->ops->cert->add(st, rec);
}

int ts_store_cert_lookup(ts_store_t *st, const char *fingerprint, ts_cert_cb cb, void *ctx)
{
    if (st == NULL || cb == NULL)
        return TS_EINVAL;
    if (st->ops->cert == NULL || st->ops->cert->lookup == NULL)
        return TS_ENOTSUP;
    /* A malformed fingerprint names no certificate; the caller learns no more
     * than that. */
    if (!ts_cert_fingerprint_valid(fingerprint))
        return TS_ENOENT;
    return st->ops->cert->lookup(st, fingerprint, cb, ctx);
}

int ts_store_cert_revoke(ts_store_t *st, const char *key, int64_t when)
{
    if (st == NULL || key == NULL || when <= 0)
        return TS_EINVAL;
    if (st->ops->cert == NULL || st->ops->cert->revoke == NULL)
        return TS_ENOTSUP;
    if (!ts_cert_fingerprint_valid(key) && !ts_cert_serial_valid(key))
        return TS_ENOENT;
    return st->ops->cert->revoke(st, key, when);
}

int ts_store_certs_foreach(ts_store_t *st, ts_cert_cb cb, void *ctx)
{
    if (st == NULL || cb == NULL)
        return TS_EINVAL;
    if (st->ops->cert == NULL || st->ops->cert->foreach == NULL)
        return TS_ENOTSUP;
    return st->ops->cert->foreach (st, cb, ctx);
}
