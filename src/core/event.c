/* SPDX-License-Identifier: Apache-2.0 */
#include "core/event.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void ts_event_init(ts_event_t *e)
{
    /* Only the fixed part is cleared: extra[] beyond n_extra is never read,
     * and clearing 32 slots per event would be a measurable hot-path cost. */
    memset(e, 0, offsetof(ts_event_t, extra));
    e->time_source = TS_TIME_NONE;
    e->time_observation = TS_TIME_NONE;
    e->type = TS_TYPE_UNDETERMINED;
    e->src.port = e->dst.port = -1;
    e->src.asn = e->dst.asn = -1;
    e->count = 1;
    e->n_extra = 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): pure arithmetic, so no TZ or locale can leak in. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Floor division and its non-negative remainder, for times before 1970. */
static int64_t floordiv(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;
    if (r < 0) {
        r += b;
        q--;
    }
    *rem = r;
    return q;
}

static size_t format_time(int64_t us, bool zulu, char *buf, size_t size)
{
    int64_t frac, secs_r;
    int64_t secs = floordiv(us, 1000000, &frac);
    int64_t days = floordiv(secs, 86400, &secs_r);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned hh = (unsigned)(secs_r / 3600), mm = (unsigned)(secs_r / 60 % 60),
             ss = (unsigned)(secs_r % 60);
    int n;
    if (y >= 0 && y <= 9999 && size >= 33) {
        /* The common case without printf: a tenth of the cost, and every
         * output format writes times. */
        char *p = buf;
        unsigned v[] = {(unsigned)y, m, d, hh, mm, ss};
        static const char sep[] = "--T::";
        for (int i = 0; i < 6; i++) {
            unsigned w = i == 0 ? 4 : 2, x = v[i];
            for (unsigned k = w; k-- > 0; x /= 10)
                p[k] = (char)('0' + x % 10);
            p += w;
            if (i < 5)
                *p++ = sep[i];
        }
        if (!zulu || frac) {
            *p++ = '.';
            unsigned x = (unsigned)frac;
            for (int k = 5; k >= 0; k--, x /= 10)
                p[k] = (char)('0' + x % 10);
            p += 6;
        }
        const char *zone = zulu ? "Z" : "+00:00";
        size_t zl = strlen(zone);
        memcpy(p, zone, zl + 1);
        return (size_t)(p - buf) + zl;
    }
    if (!zulu)
        n = snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02u.%06u+00:00", (long long)y, m, d,
                     hh, mm, ss, (unsigned)frac);
    else if (frac)
        n = snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", (long long)y, m, d, hh, mm,
                     ss, (unsigned)frac);
    else
        n = snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, hh, mm, ss);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
}

size_t ts_time_format(int64_t us, char *buf, size_t size)
{
    return format_time(us, false, buf, size);
}

size_t ts_time_format_utc(int64_t us, char *buf, size_t size)
{
    return format_time(us, true, buf, size);
}

static int digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    if (at + count > n)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned char c = (unsigned char)s[at + i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

int ts_time_parse_when(const char *s, size_t n, int64_t now, int64_t *us)
{
    bool digits = n >= 2 && n <= 9;
    for (size_t i = 0; digits && i + 1 < n; i++)
        digits = s[i] >= '0' && s[i] <= '9';
    if (digits) {
        int64_t mult;
        switch (s[n - 1]) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        case 'w':
            mult = 604800;
            break;
        default:
            return TS_EINVAL;
        }
        int64_t k = 0;
        for (size_t i = 0; i + 1 < n; i++)
            k = k * 10 + (s[i] - '0');
        /* 99999999 weeks would overflow in microseconds; beyond 10^12 s
         * (31,000 years) no window means anything anyway. */
        if (k * mult > 1000000000000LL)
            return TS_EINVAL;
        *us = now - k * mult * 1000000;
        return 0;
    }
    if (n == 0 || n > 64)
        return TS_EINVAL;
    return ts_time_parse(s, n, us) == 0 ? 0 : TS_EINVAL;
}

int ts_time_parse(const char *s, size_t n, int64_t *us)
{
    unsigned y, mo, d, hh = 0, mi = 0, ss = 0, frac = 0;
    if (s == NULL || n < 10)
        return TS_EINVAL;
    if (digits(s, n, 0, 4, &y) || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d))
        return TS_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
        return TS_EINVAL;
    size_t i = 10;
    int64_t offset_s = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return TS_EINVAL;
        i++;
        if (digits(s, n, i, 2, &hh) || i + 2 >= n || s[i + 2] != ':' ||
            digits(s, n, i + 3, 2, &mi) || i + 5 >= n || s[i + 5] != ':' ||
            digits(s, n, i + 6, 2, &ss))
            return TS_EINVAL;
        /* No leap seconds: epoch microseconds cannot hold :60. */
        if (hh > 23 || mi > 59 || ss > 59)
            return TS_EINVAL;
        i += 8;
        if (i < n && s[i] == '.') {
            i++;
            size_t nd = 0;
            unsigned scale = 100000;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd >= 9)
                    return TS_EINVAL;
                /* Truncate to microseconds: never round into the next second. */
                if (nd < 6) {
                    frac += (unsigned)(s[i] - '0') * scale;
                    scale /= 10;
                }
                nd++;
                i++;
            }
            if (nd == 0)
                return TS_EINVAL;
        }
        if (i < n) {
            if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                int sign = s[i] == '-' ? -1 : 1;
                unsigned oh, om;
                i++;
                if (digits(s, n, i, 2, &oh))
                    return TS_EINVAL;
                i += 2;
                if (i < n && s[i] == ':')
                    i++;
                if (digits(s, n, i, 2, &om))
                    return TS_EINVAL;
                i += 2;
                if (oh > 23 || om > 59)
                    return TS_EINVAL;
                offset_s = sign * (int64_t)(oh * 3600 + om * 60);
            } else {
                return TS_EINVAL;
            }
        }
        if (i != n)
            return TS_EINVAL;
    }
    int64_t days = days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - offset_s;
    *us = secs * 1000000 + frac;
    return 0;
}

int64_t ts_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
