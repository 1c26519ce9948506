/* SPDX-License-Identifier: Apache-2.0 */
/* Working hours and time zones (see hours.h). The zone's offset is read
 * from its TZif file (RFC 8536) rather than through TZ and localtime(),
 * which would change the whole process's zone under other threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "notify/hours.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define US_PER_MIN (INT64_C(60) * 1000000)

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int day_of(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strncasecmp(s, day_names[i], 3) == 0)
            return i;
    return -1;
}

static int hhmm(const char *s, int *min)
{
    if (!(s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' && s[3] >= '0' &&
          s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return -1;
    *min = h * 60 + m;
    return 0;
}

int ts_hours_parse(const char *s, ts_hours_t *h, char *err, size_t errsize)
{
    memset(h, 0, sizeof *h);
    if (s == NULL || s[0] == '\0') {
        h->any = true;
        return 0;
    }
    size_t n = strlen(s);
    const char *sp = strchr(s, ' ');
    if (n > TS_HOURS_MAX || sp == NULL || strlen(sp + 1) != 11 || sp[6] != '-' ||
        hhmm(sp + 1, &h->start_min) || hhmm(sp + 7, &h->end_min) || h->start_min >= h->end_min) {
        ts_seterr(err, errsize,
                  "working hours: expected \"Mon-Fri 08:00-17:00\", the start "
                  "before the end");
        return TS_EINVAL;
    }
    const char *p = s;
    while (p < sp) {
        int a = p + 3 <= sp ? day_of(p) : -1, b = a;
        p += 3;
        if (a >= 0 && *p == '-') {
            b = p + 4 <= sp ? day_of(p + 1) : -1;
            p += 4;
        }
        if (a < 0 || b < 0 || b < a || (p < sp && *p != ',')) {
            ts_seterr(err, errsize,
                      "working hours: days are Mon..Sun, as \"Mon-Fri\" or "
                      "\"Mon,Wed\"");
            return TS_EINVAL;
        }
        for (int d = a; d <= b; d++)
            h->days |= (uint8_t)(1u << d);
        if (*p == ',')
            p++;
    }
    return 0;
}

static bool tz_name_ok(const char *tz)
{
    size_t n = strlen(tz);
    if (n == 0 || n > TS_TZ_MAX || tz[0] == '/' || strstr(tz, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = tz[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
    }
    return true;
}

static char *read_zone(const char *tz, size_t *len)
{
    char path[256], why[128];
    snprintf(path, sizeof path, "%s/%s", ZONEINFO, tz);
    char *data = NULL;
    if (ts_file_read(path, 1u << 20, TS_FILE_REGULAR, &data, len, why, sizeof why) != 0)
        return NULL;
    if (*len < 44 || memcmp(data, "TZif", 4) != 0) {
        free(data);
        return NULL;
    }
    return data;
}

int ts_tz_check(const char *tz)
{
    if (tz == NULL || !tz_name_ok(tz))
        return TS_EINVAL;
    if (strcmp(tz, "UTC") == 0)
        return 0;
    size_t len;
    char *d = read_zone(tz, &len);
    free(d);
    return d ? 0 : TS_ENOENT;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The offset at t (seconds) from a TZif file: the version 2+ data block with
 * 64-bit times when present, else version 1's. A time after the last
 * transition keeps the last offset (zoneinfo as Debian builds it lists the
 * transitions up to 2037). */
static int32_t zone_offset(const unsigned char *d, size_t len, int64_t t)
{
    size_t hdr = 44;
    uint32_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = be32(d + 20 + 4 * i); /* isut, isstd, leap, time, type, char */
    size_t tsize = 4;
    const unsigned char *p = d + hdr;
    if (d[4] >= '2') {
        size_t v1 =
            (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] + (size_t)cnt[2] * 8 + cnt[1] + cnt[0];
        if (hdr + v1 + 44 > len)
            return 0;
        const unsigned char *h2 = d + hdr + v1;
        if (memcmp(h2, "TZif", 4) != 0)
            return 0;
        for (int i = 0; i < 6; i++)
            cnt[i] = be32(h2 + 20 + 4 * i);
        p = h2 + 44;
        tsize = 8;
    }
    size_t need = (size_t)cnt[3] * (tsize + 1) + (size_t)cnt[4] * 6;
    if (cnt[4] == 0 || (size_t)(p - d) + need > len)
        return 0;
    const unsigned char *times = p, *idx = p + (size_t)cnt[3] * tsize, *types = idx + cnt[3];
    uint32_t type = 0;
    /* Before the first transition: the first non-DST type (RFC 8536 3.2). */
    for (uint32_t i = 0; i < cnt[4]; i++)
        if (types[6 * i + 4] == 0) {
            type = i;
            break;
        }
    for (uint32_t i = 0; i < cnt[3]; i++) {
        int64_t at = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
        if (at > t)
            break;
        type = idx[i];
    }
    if (type >= cnt[4])
        return 0;
    return (int32_t)be32(types + 6 * type);
}

int32_t ts_tz_offset(const char *tz, int64_t us)
{
    if (tz == NULL || strcmp(tz, "UTC") == 0 || !tz_name_ok(tz))
        return 0;
    size_t len;
    char *d = read_zone(tz, &len);
    if (d == NULL)
        return 0;
    int64_t t = us / 1000000;
    int32_t off = zone_offset((const unsigned char *)d, len, t);
    free(d);
    return off;
}

/* A zone read once for many lookups: NULL data is UTC. */
struct zone {
    char *data;
    size_t len;
};

static int32_t offset_in(const struct zone *z, int64_t us)
{
    return z->data ? zone_offset((const unsigned char *)z->data, z->len, us / 1000000) : 0;
}

static bool open_at(const ts_hours_t *h, const struct zone *z, int64_t us)
{
    int64_t local = us / 1000000 + offset_in(z, us);
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int wday = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: Mon = 0 */
    int min = (int)((local - day * 86400) / 60);
    return (h->days & (1u << wday)) && min >= h->start_min && min < h->end_min;
}

int64_t ts_hours_next_open(const ts_hours_t *h, const char *tz, int64_t now)
{
    if (h->any || h->days == 0)
        return now;
    struct zone z = {NULL, 0};
    if (tz && strcmp(tz, "UTC") != 0 && tz_name_ok(tz))
        z.data = read_zone(tz, &z.len);
    int64_t r = now;
    if (!open_at(h, &z, now)) {
        /* Minute steps from the next whole minute, for at most 8 days:
         * simple, and right across offset changes. */
        int64_t t = now - now % US_PER_MIN + US_PER_MIN;
        for (int i = 0; i < 8 * 1440; i++, t += US_PER_MIN)
            if (open_at(h, &z, t)) {
                r = t;
                break;
            }
    }
    free(z.data);
    return r;
}
