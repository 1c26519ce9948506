/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/service.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

void ts_svc_clean(char *out, size_t size, const uint8_t *p, size_t n)
{
    if (size == 0)
        return;
    size_t w = strnlen(out, size - 1);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = ts_utf8_next(p + i, n - i, &cp);
        bool text = cp != TS_UTF8_BAD && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
                    cp != 0x2028 && cp != 0x2029;
        if (text && k == 1 && cp == '\\')
            text = false; /* a backslash is escaped too, so \xNN cannot be forged */
        if (text) {
            if (w + k >= size)
                break;
            memcpy(out + w, p + i, k);
            w += k;
            i += k;
        } else {
            if (w + 4 >= size)
                break;
            snprintf(out + w, size - w, "\\x%02x", p[i]);
            w += 4;
            i += 1;
        }
    }
    out[w] = '\0';
}

void ts_svc_version_at(const char *s, char *out, size_t size)
{
    size_t k = 0;
    if (!isdigit((unsigned char)s[0])) {
        out[0] = '\0';
        return;
    }
    while (s[k] && (isalnum((unsigned char)s[k]) || strchr(".+~_-", s[k])) && k + 1 < size)
        k++;
    while (k && strchr(".-_", s[k - 1]))
        k--; /* "1.2." at the end of a sentence */
    memcpy(out, s, k);
    out[k] = '\0';
}

struct ident_row {
    const char *service;
    const char *identifier;
    unsigned char exposed; /* 1: an exposure by itself; 2: also a UDP amplifier */
};

/* Shadowserver's report names, as IntelMQ's shadowserver parser turns them
 * into classification.identifier, for the services tocsin recognises. */
static const struct ident_row idents[] = {
    {"ssh", "accessible-ssh", 0},     {"telnet", "accessible-telnet", 1},
    {"ftp", "accessible-ftp", 0},     {"http", "accessible-http", 0},
    {"https", "accessible-https", 0}, {"smtp", "accessible-smtp", 0},
    {"pop3", "accessible-pop3", 0},   {"imap", "accessible-imap", 0},
    {"rdp", "open-rdp", 1},           {"smb", "accessible-smb", 1},
    {"vnc", "accessible-vnc", 1},     {"mysql", "open-mysql", 1},
    {"redis", "open-redis", 1},       {"memcached", "open-memcached", 2},
    {"mongodb", "open-mongodb", 1},   {"elasticsearch", "open-elasticsearch", 1},
    {"dns", "open-dns", 0},           {"ntp", "open-ntp", 0},
    {"snmp", "open-snmp", 2},         {"ssdp", "open-ssdp", 2},
    {"mdns", "open-mdns", 2},         {"cldap", "open-ldap", 2},
    {"chargen", "open-chargen", 2},   {"qotd", "open-qotd", 2},
    {"tls", "accessible-tls", 0},
};
#define N_IDENTS (sizeof idents / sizeof idents[0])

void ts_svc_classify(ts_service_t *s)
{
    if (strcmp(s->service, "dns") == 0 && s->recursion) {
        snprintf(s->identifier, sizeof s->identifier, "dns-open-resolver");
        return;
    }
    if (strcmp(s->identifier, "ntp-version") == 0)
        return; /* set by the mode 6 answer */
    for (size_t i = 0; i < N_IDENTS; i++) {
        if (strcmp(s->service, idents[i].service) == 0) {
            snprintf(s->identifier, sizeof s->identifier, "%s", idents[i].identifier);
            return;
        }
    }
    s->identifier[0] = '\0';
}

bool ts_svc_exposed(const char *identifier, bool *amplifier)
{
    *amplifier = false;
    if (strcmp(identifier, "dns-open-resolver") == 0 || strcmp(identifier, "ntp-version") == 0) {
        *amplifier = true;
        return true;
    }
    for (size_t i = 0; i < N_IDENTS; i++) {
        if (strcmp(identifier, idents[i].identifier) == 0) {
            *amplifier = idents[i].exposed == 2;
            return idents[i].exposed != 0;
        }
    }
    return false;
}
