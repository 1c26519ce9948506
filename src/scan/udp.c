/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/udp.h"

#include <stdio.h>
#include <string.h>

#include "scan/service.h"

/* ---- Payloads ------------------------------------------------------------------- */

static const uint8_t dns_version_bind[] = {
    0x74, 0x73,                                     /* id */
    0x01, 0x00,                                     /* recursion desired */
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* one question */
    7,    'v',  'e',  'r',  's',  'i',  'o',  'n',  4, 'b', 'i', 'n', 'd', 0, 0x00, 0x10, /* TXT */
    0x00, 0x03, /* CHAOS */
};

/* LI 0, version 4, mode 3 (client); a non-zero transmit time, which servers
 * echo as the origin time. */
static const uint8_t ntp_client[48] = {
    0x23, 0, 6, 0xec, [40] = 0x74, 0x6f, 0x63, 0x73, 0x69, 0x6e, 0x00, 0x01,
};

/* Version 2, mode 6, READVAR (2) of association 0 (the system). */
const uint8_t ts_udp_ntp_readvar[12] = {0x16, 0x02, 0x00, 0x01};

static const uint8_t snmp_get[] = {
    0x30, 0x37,                                   /* SEQUENCE */
    0x02, 0x01, 0x01,                             /* version: v2c */
    0x04, 0x06, 'p',  'u',  'b',  'l',  'i', 'c', /* community */
    0xa0, 0x2a,                                   /* GetRequest-PDU */
    0x02, 0x04, 0x74, 0x6f, 0x63, 0x73,           /* request-id */
    0x02, 0x01, 0x00, 0x02, 0x01, 0x00,           /* error-status, error-index */
    0x30, 0x1c,                                   /* variable-bindings */
    0x30, 0x0c, 0x06, 0x08, 0x2b, 6,    1,   2,   1, 1, 1, 0, 0x05, 0x00, /* sysDescr.0 */
    0x30, 0x0c, 0x06, 0x08, 0x2b, 6,    1,   2,   1, 1, 2, 0, 0x05, 0x00, /* sysObjectID.0 */
};

static const uint8_t cldap_rootdse[] = {
    0x30, 0x25, 0x02, 0x01, 0x01,       /* LDAPMessage, messageID 1 */
    0x63, 0x20,                         /* SearchRequest */
    0x04, 0x00,                         /* baseObject "" */
    0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, /* scope base, never deref */
    0x02, 0x01, 0x00, 0x02, 0x01, 0x00, /* no size or time limit */
    0x01, 0x01, 0x00,                   /* typesOnly FALSE */
    0x87, 0x0b, 'o',  'b',  'j',  'e',  'c', 't', 'C', 'l', 'a', 's', 's', /* present */
    0x30, 0x00,                                                            /* all attributes */
};

static const char ssdp_search[] = "M-SEARCH * HTTP/1.1\r\n"
                                  "HOST: 239.255.255.250:1900\r\n"
                                  "MAN: \"ssdp:discover\"\r\n"
                                  "MX: 1\r\n"
                                  "ST: ssdp:all\r\n"
                                  "\r\n";

static const uint8_t mdns_services[] =
    {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        9,    '_',  's',  'e',  'r',  'v',  'i',  'c',  'e',  's',  7,    '_',
        'd',  'n',  's',  '-',  's',  'd',  4,    '_',  'u',  'd',  'p',  5,
        'l',  'o',  'c',  'a',  'l',  0,    0x00, 0x0c, 0x00, 0x01, /* PTR, IN */
};

static const uint8_t memcached_version[] = {
    0x74, 0x73, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 'v', 'e', 'r', 's', 'i', 'o', 'n', '\r', '\n',
};

static const uint8_t one_byte[] = {'\n'};

static const ts_udp_probe_t probes[] = {
    {17, "qotd", one_byte, sizeof one_byte},
    {19, "chargen", one_byte, sizeof one_byte},
    {53, "dns", dns_version_bind, sizeof dns_version_bind},
    {123, "ntp", ntp_client, sizeof ntp_client},
    {161, "snmp", snmp_get, sizeof snmp_get},
    {389, "cldap", cldap_rootdse, sizeof cldap_rootdse},
    {1900, "ssdp", (const uint8_t *)ssdp_search, sizeof ssdp_search - 1},
    {5353, "mdns", mdns_services, sizeof mdns_services},
    {11211, "memcached", memcached_version, sizeof memcached_version},
};
#define N_PROBES (sizeof probes / sizeof probes[0])

const ts_udp_probe_t *ts_udp_probe_for(uint16_t port)
{
    for (size_t i = 0; i < N_PROBES; i++)
        if (probes[i].port == port)
            return &probes[i];
    return NULL;
}

const uint16_t *ts_udp_ports(size_t *n)
{
    static const uint16_t ports[N_PROBES] = {17, 19, 53, 123, 161, 389, 1900, 5353, 11211};
    *n = N_PROBES;
    return ports;
}

/* ---- BER (SNMP, LDAP): definite lengths only, bounded ------------------------------- */

struct ber {
    const uint8_t *p;
    size_t n;
};

/* Reads one element: its tag and contents. */
static bool ber_next(struct ber *b, uint8_t *tag, struct ber *content)
{
    if (b->n < 2)
        return false;
    *tag = b->p[0];
    size_t len = b->p[1], hdr = 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 3 || b->n < 2 + k)
            return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | b->p[2 + i];
        hdr += k;
    }
    if (len > b->n - hdr)
        return false;
    content->p = b->p + hdr;
    content->n = len;
    b->p += hdr + len;
    b->n -= hdr + len;
    return true;
}

/* An OID's dotted text. */
static void oid_text(const struct ber *o, char *out, size_t size)
{
    size_t w = 0;
    out[0] = '\0';
    unsigned long v = 0;
    for (size_t i = 0; i < o->n && w + 24 < size; i++) {
        v = (v << 7) | (o->p[i] & 0x7f);
        if (v > 0xffffffffUL)
            return;
        if (o->p[i] & 0x80)
            continue;
        if (w == 0)
            w += (size_t)snprintf(out, size, "%lu.%lu", v < 80 ? v / 40 : 2,
                                  v < 80 ? v % 40 : v - 80);
        else
            w += (size_t)snprintf(out + w, size - w, ".%lu", v);
        v = 0;
    }
}

static bool snmp_answer(const uint8_t *p, size_t n, ts_service_t *s)
{
    struct ber b = {p, n}, msg, x;
    uint8_t tag;
    if (!ber_next(&b, &tag, &msg) || tag != 0x30)
        return false;
    if (!ber_next(&msg, &tag, &x) || tag != 0x02) /* version */
        return false;
    if (!ber_next(&msg, &tag, &x) || tag != 0x04) /* community */
        return false;
    struct ber pdu;
    if (!ber_next(&msg, &tag, &pdu) || tag != 0xa2) /* GetResponse */
        return false;
    snprintf(s->service, sizeof s->service, "snmp");
    /* request-id, error-status, error-index, then the bindings */
    for (int i = 0; i < 4; i++)
        if (!ber_next(&pdu, &tag, &x))
            return true;
    struct ber list = x, vb;
    while (ber_next(&list, &tag, &vb)) {
        struct ber name, val;
        uint8_t nt, vt;
        if (!ber_next(&vb, &nt, &name) || nt != 0x06 || !ber_next(&vb, &vt, &val))
            continue;
        char oid[128];
        oid_text(&name, oid, sizeof oid);
        if (strcmp(oid, "1.3.6.1.2.1.1.1.0") == 0 && vt == 0x04) {
            s->info[0] = '\0';
            ts_svc_clean(s->info, sizeof s->info, val.p, val.n);
        } else if (strcmp(oid, "1.3.6.1.2.1.1.2.0") == 0 && vt == 0x06) {
            char obj[128];
            oid_text(&val, obj, sizeof obj);
            /* Net-SNMP's agents name themselves under its enterprise number. */
            if (strncmp(obj, "1.3.6.1.4.1.8072.", 17) == 0)
                snprintf(s->product, sizeof s->product, "net-snmp:net-snmp");
        }
    }
    return true;
}

static bool cldap_answer(const uint8_t *p, size_t n, ts_service_t *s)
{
    struct ber b = {p, n}, msg, x;
    uint8_t tag;
    if (!ber_next(&b, &tag, &msg) || tag != 0x30 || !ber_next(&msg, &tag, &x) || tag != 0x02)
        return false;
    if (!ber_next(&msg, &tag, &x) || (tag != 0x64 && tag != 0x65))
        return false; /* SearchResultEntry or SearchResultDone */
    snprintf(s->service, sizeof s->service, "cldap");
    return true;
}

/* ---- DNS ----------------------------------------------------------------------- */

/* Skips a name at *off (compression pointers end it). */
static bool dns_skip_name(const uint8_t *p, size_t n, size_t *off)
{
    for (int labels = 0; labels < 128; labels++) {
        if (*off >= n)
            return false;
        uint8_t l = p[*off];
        if (l == 0) {
            (*off)++;
            return true;
        }
        if ((l & 0xc0) == 0xc0) {
            *off += 2;
            return *off <= n;
        }
        if (l & 0xc0)
            return false;
        *off += 1 + (size_t)l;
    }
    return false;
}

static bool dns_answer(const uint8_t *p, size_t n, bool mdns, ts_service_t *s)
{
    if (n < 12 || !(p[2] & 0x80))
        return false; /* not a response */
    snprintf(s->service, sizeof s->service, mdns ? "mdns" : "dns");
    if (mdns)
        return true;
    s->recursion = (p[3] & 0x80) != 0;
    unsigned qd = (unsigned)(p[4] << 8 | p[5]), an = (unsigned)(p[6] << 8 | p[7]);
    size_t off = 12;
    for (unsigned i = 0; i < qd && i < 16; i++) {
        if (!dns_skip_name(p, n, &off) || off + 4 > n)
            return true;
        off += 4;
    }
    for (unsigned i = 0; i < an && i < 16; i++) {
        if (!dns_skip_name(p, n, &off) || off + 10 > n)
            return true;
        unsigned type = (unsigned)(p[off] << 8 | p[off + 1]);
        size_t rdlen = (size_t)(p[off + 8] << 8 | p[off + 9]);
        off += 10;
        if (rdlen > n - off)
            return true;
        if (type == 16 && rdlen > 0) {
            size_t l = p[off];
            if (l > rdlen - 1)
                l = rdlen - 1;
            char v[TS_SVC_INFO_MAX - 16] = "";
            ts_svc_clean(v, sizeof v, p + off + 1, l);
            snprintf(s->info, sizeof s->info, "version.bind: %s", v);
            /* The names servers give themselves. */
            const char *ver;
            if (strncmp(v, "dnsmasq-", 8) == 0) {
                snprintf(s->product, sizeof s->product, "thekelleys:dnsmasq");
                ts_svc_version_at(v + 8, s->version, sizeof s->version);
            } else if (strncmp(v, "unbound ", 8) == 0) {
                snprintf(s->product, sizeof s->product, "nlnetlabs:unbound");
                ts_svc_version_at(v + 8, s->version, sizeof s->version);
            } else if ((ver = strstr(v, "PowerDNS Recursor ")) != NULL) {
                snprintf(s->product, sizeof s->product, "powerdns:recursor");
                ts_svc_version_at(ver + 18, s->version, sizeof s->version);
            } else if (v[0] >= '8' && v[0] <= '9' && v[1] == '.') {
                snprintf(s->product, sizeof s->product, "isc:bind");
                ts_svc_version_at(v, s->version, sizeof s->version);
                s->version[strcspn(s->version, "-")] = '\0';
            }
            return true;
        }
        off += rdlen;
    }
    return true;
}

/* ---- NTP ------------------------------------------------------------------------- */

static bool ntp_answer(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 12)
        return false;
    unsigned mode = p[0] & 7, vn = (p[0] >> 3) & 7;
    if (mode == 4 && n >= 48) {
        snprintf(s->service, sizeof s->service, "ntp");
        if (s->info[0] == '\0')
            snprintf(s->info, sizeof s->info, "NTPv%u server, stratum %u", vn, p[1]);
        return true;
    }
    if (mode != 6 || !(p[1] & 0x80))
        return false; /* a mode 6 response has R set */
    snprintf(s->service, sizeof s->service, "ntp");
    size_t count = (size_t)(p[10] << 8 | p[11]);
    if (count > n - 12)
        count = n - 12;
    const uint8_t *d = p + 12;
    const char key[] = "version=\"";
    for (size_t i = 0; i + sizeof key - 1 <= count; i++) {
        if (memcmp(d + i, key, sizeof key - 1) != 0)
            continue;
        size_t st = i + sizeof key - 1, e = st;
        while (e < count && d[e] != '"')
            e++;
        char v[TS_SVC_INFO_MAX] = "";
        ts_svc_clean(v, sizeof v, d + st, e - st);
        snprintf(s->info, sizeof s->info, "%s", v);
        /* "ntpd ntpsec-1.2.2 2023-05-24T..." or "ntpd 4.2.8p15@1.3728-o ..." */
        const char *x = strstr(v, "ntpsec-");
        if (x) {
            snprintf(s->product, sizeof s->product, "ntpsec:ntpsec");
            ts_svc_version_at(x + 7, s->version, sizeof s->version);
        } else if (strncmp(v, "ntpd ", 5) == 0 && v[5] >= '0' && v[5] <= '9') {
            snprintf(s->product, sizeof s->product, "ntp:ntp");
            ts_svc_version_at(v + 5, s->version, sizeof s->version);
        }
        snprintf(s->identifier, sizeof s->identifier, "ntp-version");
        return true;
    }
    return true;
}

/* ---- The rest ---------------------------------------------------------------------- */

static bool memcached_answer(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 8 + 8 || memcmp(p + 8, "VERSION ", 8) != 0)
        return false;
    snprintf(s->service, sizeof s->service, "memcached");
    snprintf(s->product, sizeof s->product, "memcached:memcached");
    char v[TS_SVC_VERSION_MAX] = "";
    ts_svc_clean(v, sizeof v, p + 16, n - 16);
    ts_svc_version_at(v, s->version, sizeof s->version);
    return true;
}

static bool ssdp_answer(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0)
        return false;
    snprintf(s->service, sizeof s->service, "ssdp");
    ts_service_t h = {0};
    ts_svc_http(p, n, &h);
    snprintf(s->info, sizeof s->info, "%s", h.info);
    return true;
}

bool ts_svc_recognise_udp(uint16_t port, const uint8_t *p, size_t n, ts_service_t *s)
{
    if (p == NULL || n == 0)
        return false;
    if (s->banner[0] == '\0')
        ts_svc_clean(s->banner, sizeof s->banner, p, n);
    bool ok;
    switch (port) {
    case 53:
        ok = dns_answer(p, n, false, s);
        break;
    case 5353:
        ok = dns_answer(p, n, true, s);
        break;
    case 123:
        ok = ntp_answer(p, n, s);
        break;
    case 161:
        ok = snmp_answer(p, n, s);
        break;
    case 389:
        ok = cldap_answer(p, n, s);
        break;
    case 1900:
        ok = ssdp_answer(p, n, s);
        break;
    case 11211:
        ok = memcached_answer(p, n, s);
        break;
    case 17:
    case 19:
        snprintf(s->service, sizeof s->service, port == 17 ? "qotd" : "chargen");
        ok = true;
        break;
    default:
        ok = false;
    }
    const ts_udp_probe_t *pr = ts_udp_probe_for(port);
    if (ok && pr && n > 2 * pr->len)
        s->amplifier = true;
    if (ok)
        ts_svc_classify(s);
    return ok;
}
