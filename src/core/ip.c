/* SPDX-License-Identifier: Apache-2.0 */
/* Strict address parsing over (ptr, len) slices: every index is checked against
 * n before use, so inputs need no NUL and no byte past n is ever read. */
#include "core/ip.h"

#include <string.h>

#include "core/str.h"

/* Exactly four dotted decimal octets; "0" is fine, "00" and "01" are not
 * (inet_aton would read a leading zero as octal). */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        if (k > 0) {
            if (i >= n || s[i] != '.')
                return TS_EADDR;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        size_t digits = i - start;
        if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0'))
            return TS_EADDR;
        out[k] = (uint8_t)v;
    }
    return i == n ? 0 : TS_EADDR;
}

/* RFC 4291 section 2.2 text forms. Groups before "::" fill from the front,
 * groups after it from the back; an embedded IPv4 is only legal as the final
 * token and counts as two groups. */
static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    size_t nh = 0, nt = 0, i = 0;
    bool dbl = false;

    if (n < 2)
        return TS_EADDR;
    if (s[0] == ':') {
        if (s[1] != ':')
            return TS_EADDR;
        dbl = true;
        i = 2;
    }
    while (i < n) {
        size_t j = i;
        bool dot = false;
        while (j < n && s[j] != ':') {
            if (s[j] == '.')
                dot = true;
            j++;
        }
        uint16_t *dst = dbl ? tail : head;
        size_t *cnt = dbl ? &nt : &nh;
        if (dot) {
            uint8_t v4[4];
            if (j != n || nh + nt + 2 > 8 || parse_v4(s + i, j - i, v4) != 0)
                return TS_EADDR;
            dst[(*cnt)++] = (uint16_t)(v4[0] << 8 | v4[1]);
            dst[(*cnt)++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = j;
            break;
        }
        if (j == i || j - i > 4 || nh + nt >= 8)
            return TS_EADDR;
        unsigned g = 0;
        for (size_t k = i; k < j; k++) {
            int h = ts_hexval(s[k]);
            if (h < 0)
                return TS_EADDR;
            g = g << 4 | (unsigned)h;
        }
        dst[(*cnt)++] = (uint16_t)g;
        if (j == n) {
            i = j;
            break;
        }
        /* s[j] == ':' */
        if (j + 1 < n && s[j + 1] == ':') {
            if (dbl)
                return TS_EADDR;
            dbl = true;
            i = j + 2;
        } else {
            i = j + 1;
            if (i == n)
                return TS_EADDR; /* trailing single colon */
        }
    }
    size_t total = nh + nt;
    if (dbl ? total > 7 : total != 8)
        return TS_EADDR;
    uint16_t g[8] = {0};
    for (size_t k = 0; k < nh; k++)
        g[k] = head[k];
    for (size_t k = 0; k < nt; k++)
        g[8 - nt + k] = tail[k];
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)g[k];
    }
    return 0;
}

int ts_ip_parse(const char *s, size_t n, ts_ip_t *out)
{
    ts_ip_t ip;
    memset(&ip, 0, sizeof ip);
    if (s == NULL || n == 0 || n > TS_IP_STRLEN)
        return TS_EADDR;
    if (memchr(s, ':', n) != NULL) {
        if (parse_v6(s, n, ip.bytes) != 0)
            return TS_EADDR;
        ip.family = TS_AF_INET6;
    } else {
        if (parse_v4(s, n, ip.bytes) != 0)
            return TS_EADDR;
        ip.family = TS_AF_INET;
    }
    *out = ip;
    return 0;
}

static unsigned family_bits(const ts_ip_t *ip)
{
    return ip->family == TS_AF_INET ? 32 : 128;
}

bool ts_prefix_clear_host_bits(ts_prefix_t *p)
{
    bool changed = false;
    unsigned bits = family_bits(&p->addr);
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        uint8_t mask;
        if (lo >= bits || lo >= p->len)
            mask = 0;
        else if (lo + 8 <= p->len)
            mask = 0xff;
        else
            mask = (uint8_t)(0xff << (8 - (p->len - lo)));
        uint8_t b = p->addr.bytes[i] & mask;
        changed |= b != p->addr.bytes[i];
        p->addr.bytes[i] = b;
    }
    return changed;
}

int ts_prefix_parse(const char *s, size_t n, ts_prefix_t *out)
{
    if (s == NULL || n == 0)
        return TS_EADDR;
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    ts_prefix_t p;
    memset(&p, 0, sizeof p);
    if (ts_ip_parse(s, alen, &p.addr) != 0)
        return TS_EADDR;
    unsigned total = family_bits(&p.addr);
    unsigned len = total;
    if (slash) {
        size_t i = alen + 1, digits = n - i;
        if (digits == 0 || digits > 3 || (digits > 1 && s[i] == '0'))
            return TS_EADDR;
        len = 0;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return TS_EADDR;
            len = len * 10 + (unsigned)(s[i] - '0');
        }
        if (len > total)
            return TS_EADDR;
    }
    p.len = (uint8_t)len;
    if (ts_prefix_clear_host_bits(&p))
        return TS_EADDR;
    *out = p;
    return 0;
}

static size_t put_v4(const uint8_t b[4], char *buf)
{
    size_t o = 0;
    for (int k = 0; k < 4; k++) {
        if (k > 0)
            buf[o++] = '.';
        unsigned v = b[k];
        if (v >= 100)
            buf[o++] = (char)('0' + v / 100);
        if (v >= 10)
            buf[o++] = (char)('0' + v / 10 % 10);
        buf[o++] = (char)('0' + v % 10);
    }
    return o;
}

static size_t put_hex16(unsigned g, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (g >> shift) & 0xf;
        if (d || started || shift == 0) {
            buf[o++] = hex[d];
            started = true;
        }
    }
    return o;
}

/* RFC 5952 section 4: lower case, no leading zeros, "::" replaces the longest
 * run of two or more zero groups (the first on a tie). */
static size_t put_v6(const uint8_t b[16], char *buf)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    size_t o = 0;
    if (memcmp(b, mapped, 12) == 0) {
        memcpy(buf, "::ffff:", 7);
        return 7 + put_v4(b + 12, buf + 7);
    }
    unsigned g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (unsigned)b[2 * k] << 8 | b[2 * k + 1];
    int best = -1, bestlen = 1;
    for (int k = 0; k < 8;) {
        if (g[k] != 0) {
            k++;
            continue;
        }
        int e = k;
        while (e < 8 && g[e] == 0)
            e++;
        if (e - k > bestlen) {
            best = k;
            bestlen = e - k;
        }
        k = e;
    }
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            buf[o++] = ':';
            buf[o++] = ':';
            k += bestlen - 1;
            continue;
        }
        if (k > 0 && k != best + bestlen)
            buf[o++] = ':';
        o += put_hex16(g[k], buf + o);
    }
    return o;
}

/* Writes into a local buffer first so that a short caller buffer still gets a
 * NUL-terminated (truncated) string rather than an overflow. */
static size_t emit(const char *tmp, size_t len, char *buf, size_t size)
{
    if (size == 0)
        return len;
    size_t c = len < size ? len : size - 1;
    memcpy(buf, tmp, c);
    buf[c] = '\0';
    return len;
}

size_t ts_ip_format(const ts_ip_t *ip, char *buf, size_t size)
{
    char tmp[TS_IP_STRLEN];
    size_t len = 0;
    if (ip->family == TS_AF_INET)
        len = put_v4(ip->bytes, tmp);
    else if (ip->family == TS_AF_INET6)
        len = put_v6(ip->bytes, tmp);
    return emit(tmp, len, buf, size);
}

size_t ts_prefix_format(const ts_prefix_t *p, char *buf, size_t size)
{
    char tmp[TS_IP_STRLEN];
    size_t len = ts_ip_format(&p->addr, tmp, sizeof tmp);
    if (p->addr.family != TS_AF_NONE) {
        tmp[len++] = '/';
        unsigned v = p->len;
        if (v >= 100)
            tmp[len++] = (char)('0' + v / 100);
        if (v >= 10)
            tmp[len++] = (char)('0' + v / 10 % 10);
        tmp[len++] = (char)('0' + v % 10);
    }
    return emit(tmp, len, buf, size);
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned len)
{
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(a, b, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return ((a[full] ^ b[full]) & mask) == 0;
}

bool ts_prefix_contains(const ts_prefix_t *p, const ts_ip_t *ip)
{
    if (p->addr.family == TS_AF_NONE || p->addr.family != ip->family || p->len > family_bits(ip))
        return false;
    return prefix_match(p->addr.bytes, ip->bytes, p->len);
}

bool ts_prefix_covers(const ts_prefix_t *a, const ts_prefix_t *b)
{
    if (a->len > b->len)
        return false;
    return ts_prefix_contains(a, &b->addr);
}

void ts_prefix_range16(const ts_prefix_t *p, uint8_t lo[16], uint8_t hi[16])
{
    unsigned bits = p->len;
    if (p->addr.family == TS_AF_INET) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(lo, mapped, 12);
        memcpy(lo + 12, p->addr.bytes, 4);
        bits += 96;
    } else {
        memcpy(lo, p->addr.bytes, 16);
    }
    memcpy(hi, lo, 16);
    for (unsigned i = bits; i < 128; i++)
        hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

bool ts_ip_equal(const ts_ip_t *a, const ts_ip_t *b)
{
    return ts_ip_compare(a, b) == 0;
}

int ts_prefix_compare(const ts_prefix_t *a, const ts_prefix_t *b)
{
    int c = ts_ip_compare(&a->addr, &b->addr);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

int ts_ip_compare(const ts_ip_t *a, const ts_ip_t *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    size_t n = a->family == TS_AF_INET ? 4 : 16;
    int c = memcmp(a->bytes, b->bytes, n);
    return (c > 0) - (c < 0);
}
