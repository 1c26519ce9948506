/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/portspec.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Chosen for tocsin from the IANA registry and the services CSIRT reports
 * name, not taken from any scanner's frequency table. */
const uint16_t ts_ports_top100[100] = {
    /* remote access */
    22,
    23,
    2222,
    3389,
    5900,
    5901,
    5985,
    5986,
    2323,
    992,
    /* web */
    80,
    443,
    8080,
    8443,
    8000,
    8008,
    8081,
    8888,
    81,
    3000,
    4443,
    9443,
    10000,
    7001,
    /* mail */
    25,
    465,
    587,
    110,
    995,
    143,
    993,
    /* name, directory, time, file */
    53,
    389,
    636,
    3268,
    88,
    111,
    2049,
    21,
    990,
    69,
    873,
    445,
    139,
    135,
    548,
    /* databases and caches */
    1433,
    1521,
    3306,
    5432,
    6379,
    11211,
    27017,
    27018,
    9200,
    9300,
    5984,
    9042,
    7474,
    8086,
    2379,
    50000,
    /* messaging, queues, orchestration */
    1883,
    8883,
    5672,
    15672,
    61616,
    9092,
    2181,
    2375,
    2376,
    6443,
    10250,
    4369,
    /* network devices, printing, telephony, VPN */
    161,
    179,
    1723,
    1194,
    500,
    4786,
    8291,
    7547,
    9100,
    631,
    515,
    5060,
    5061,
    1080,
    3128,
    /* industrial control */
    102,
    502,
    20000,
    44818,
    1911,
    2404,
    /* others often found open */
    5555,
    6000,
    37777,
    8088,
    9090,
};

static void set_bit(uint8_t *bits, unsigned p)
{
    bits[p >> 3] |= (uint8_t)(1u << (p & 7));
}

static void add_range(uint8_t *bits, unsigned lo, unsigned hi)
{
    for (unsigned p = lo; p <= hi; p++)
        set_bit(bits, p);
}

static bool has_bit(const uint8_t *bits, unsigned p)
{
    return (bits[p >> 3] >> (p & 7)) & 1;
}

static void top100(uint8_t *bits)
{
    for (size_t i = 0; i < 100; i++)
        set_bit(bits, ts_ports_top100[i]);
}

static void top1000(uint8_t *bits)
{
    top100(bits);
    size_t n = 100;
    for (unsigned p = 1; n < 1000; p++) {
        if (!has_bit(bits, p)) {
            set_bit(bits, p);
            n++;
        }
    }
}

/* A decimal port at *s: 1-65535, up to 5 digits, no sign. */
static bool read_port(const char **s, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    size_t d = 0;
    while (*p >= '0' && *p <= '9') {
        if (++d > 5)
            return false;
        v = v * 10 + (unsigned)(*p - '0');
        p++;
    }
    if (d == 0 || v == 0 || v > 65535)
        return false;
    *s = p;
    *out = v;
    return true;
}

static int parse_list(const char *spec, uint8_t *bits, char *err, size_t errsize)
{
    const char *p = spec;
    for (;;) {
        unsigned lo, hi;
        const char *at = p;
        if (!read_port(&p, &lo)) {
            ts_seterr(err, errsize, "'%.*s' is not a port (1-65535)", (int)strcspn(at, ",-"), at);
            return TS_EINVAL;
        }
        hi = lo;
        if (*p == '-') {
            p++;
            at = p;
            if (!read_port(&p, &hi)) {
                ts_seterr(err, errsize, "'%.*s' is not a port (1-65535)", (int)strcspn(at, ","),
                          at);
                return TS_EINVAL;
            }
            if (hi < lo) {
                ts_seterr(err, errsize, "the range %u-%u ends before it starts", lo, hi);
                return TS_EINVAL;
            }
        }
        add_range(bits, lo, hi);
        if (*p == '\0')
            return 0;
        if (*p != ',') {
            ts_seterr(err, errsize, "unexpected '%c' in the port list", *p);
            return TS_EINVAL;
        }
        p++;
    }
}

int ts_portset_parse(const char *spec, ts_portset_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    if (spec == NULL || *spec == '\0') {
        ts_seterr(err, errsize, "no ports given");
        return TS_EINVAL;
    }
    if (strlen(spec) > TS_PORTSPEC_MAX) {
        ts_seterr(err, errsize, "the port spec is longer than %d bytes", TS_PORTSPEC_MAX);
        return TS_ETOOBIG;
    }
    uint8_t *bits = ts_xcalloc(65536 / 8, 1);
    int r = 0;
    if (strcmp(spec, "top100") == 0)
        top100(bits);
    else if (strcmp(spec, "top1000") == 0)
        top1000(bits);
    else if (strcmp(spec, "all") == 0)
        add_range(bits, 1, 65535);
    else if (*spec >= '0' && *spec <= '9')
        r = parse_list(spec, bits, err, errsize);
    else {
        ts_seterr(err, errsize, "ports are top100, top1000, all or a list like 22,80,8000-8100");
        r = TS_EINVAL;
    }
    if (r == 0) {
        size_t n = 0;
        for (unsigned p = 1; p < 65536; p++)
            n += has_bit(bits, p);
        out->ports = ts_xmalloc(n * sizeof *out->ports);
        for (unsigned p = 1; p < 65536; p++)
            if (has_bit(bits, p))
                out->ports[out->n++] = (uint16_t)p;
    }
    free(bits);
    return r;
}

void ts_portset_free(ts_portset_t *s)
{
    if (s == NULL)
        return;
    free(s->ports);
    s->ports = NULL;
    s->n = 0;
}

bool ts_portset_has(const ts_portset_t *s, uint16_t port)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ports[mid] == port)
            return true;
        if (s->ports[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
