/* SPDX-License-Identifier: Apache-2.0 */
/* Recognising TCP services from what they send: greetings and the answers to
 * tocsin's probes. Product names are CPE vendor:product pairs, so that the
 * advisory matcher finds them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scan/service.h"

/* ---- Small helpers on (p, n) -------------------------------------------------------- */

static bool starts(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    return n >= k && memcmp(p, s, k) == 0;
}

/* The first occurrence of s in (p, n), case-insensitive, or NULL. */
static const uint8_t *find_ci(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; k && i + k <= n; i++)
        if (strncasecmp((const char *)p + i, s, k) == 0)
            return p + i;
    return NULL;
}

static const uint8_t *find(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    if (k == 0 || n < k)
        return NULL;
    return memmem(p, n, s, k);
}

/* The first line of (p, n), clean, into out. */
static void first_line(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t e = 0;
    while (e < n && p[e] != '\r' && p[e] != '\n')
        e++;
    out[0] = '\0';
    ts_svc_clean(out, size, p, e);
}

static void set(char *dst, size_t size, const char *v)
{
    snprintf(dst, size, "%s", v);
}

/* Looks for "name" in text and takes the version after it (after one of
 * the separators given). Returns true when the name was found. */
static bool product_after(const char *text, const char *name, const char *seps, const char *cpe,
                          ts_service_t *s)
{
    const char *at = strstr(text, name);
    if (at == NULL)
        return false;
    set(s->product, sizeof s->product, cpe);
    const char *v = at + strlen(name);
    while (*v && strchr(seps, *v))
        v++;
    ts_svc_version_at(v, s->version, sizeof s->version);
    return true;
}

/* ---- SSH (RFC 4253 section 4.2) ------------------------------------------------------ */

static void ssh(const uint8_t *p, size_t n, ts_service_t *s)
{
    char line[TS_SVC_INFO_MAX];
    first_line(p, n, line, sizeof line);
    set(s->service, sizeof s->service, "ssh");
    /* SSH-protoversion-softwareversion SP comments */
    const char *sw = strchr(line + 4, '-');
    if (sw == NULL)
        return;
    sw++;
    const char *sp = strchr(sw, ' ');
    if (sp)
        set(s->info, sizeof s->info, sp + 1);
    if (strncmp(sw, "OpenSSH_", 8) == 0) {
        set(s->product, sizeof s->product, "openbsd:openssh");
        ts_svc_version_at(sw + 8, s->version, sizeof s->version);
    } else if (strncmp(sw, "dropbear_", 9) == 0) {
        set(s->product, sizeof s->product, "dropbear_ssh_project:dropbear_ssh");
        ts_svc_version_at(sw + 9, s->version, sizeof s->version);
    } else if (s->info[0] == '\0') {
        snprintf(s->info, sizeof s->info, "%.*s", (int)(sp ? (size_t)(sp - sw) : strlen(sw)), sw);
    }
}

/* ---- Mail and file transfer greetings ------------------------------------------------ */

static void mail_products(const char *line, ts_service_t *s)
{
    if (strstr(line, "Postfix"))
        set(s->product, sizeof s->product, "postfix:postfix");
    else if (product_after(line, "Exim", " ", "exim:exim", s))
        ;
    else if (product_after(line, "Sendmail", " /", "sendmail:sendmail", s))
        ;
    else if (strstr(line, "Dovecot"))
        set(s->product, sizeof s->product, "dovecot:dovecot");
    else if (strstr(line, "Microsoft ESMTP"))
        set(s->product, sizeof s->product, "microsoft:exchange_server");
}

static void greeting_220(uint16_t port, const uint8_t *p, size_t n, ts_service_t *s)
{
    char line[TS_SVC_INFO_MAX];
    first_line(p, n, line, sizeof line);
    set(s->info, sizeof s->info, line + 4 <= line + strlen(line) ? line + 4 : "");
    bool smtp = strstr(line, "SMTP") || port == 25 || port == 587 || port == 465;
    if (strstr(line, "FTP") || strstr(line, "ftp"))
        smtp = strstr(line, "SMTP") != NULL;
    if (smtp) {
        set(s->service, sizeof s->service, "smtp");
        mail_products(line, s);
        return;
    }
    set(s->service, sizeof s->service, "ftp");
    if (product_after(line, "vsFTPd", " ", "vsftpd_project:vsftpd", s) ||
        product_after(line, "ProFTPD", " ", "proftpd:proftpd", s) ||
        product_after(line, "FileZilla Server", " ", "filezilla-project:filezilla_server", s))
        return;
    if (strstr(line, "Pure-FTPd"))
        set(s->product, sizeof s->product, "pureftpd:pure-ftpd");
}

/* ---- Databases and caches ------------------------------------------------------------- */

static void redis(const uint8_t *p, size_t n, ts_service_t *s)
{
    set(s->service, sizeof s->service, "redis");
    set(s->product, sizeof s->product, "redis:redis");
    const uint8_t *v = find(p, n, "redis_version:");
    if (v) {
        char t[TS_SVC_VERSION_MAX] = "";
        size_t off = (size_t)(v - p) + 14, e = off;
        while (e < n && p[e] != '\r' && p[e] != '\n' && e - off < sizeof t - 1)
            e++;
        ts_svc_clean(t, sizeof t, p + off, e - off);
        ts_svc_version_at(t, s->version, sizeof s->version);
    } else {
        first_line(p, n, s->info, sizeof s->info);
    }
}

/* MySQL/MariaDB initial handshake (protocol 10): length, sequence 0, 0x0a,
 * then the server version, NUL-terminated. */
static bool mysql(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 6 || p[3] != 0 || p[4] != 0x0a)
        return false;
    size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (len < 2 || len > 0x10000)
        return false;
    size_t e = 5;
    while (e < n && e < 5 + 64 && p[e] != 0)
        e++;
    if (e >= n || p[e] != 0)
        return false;
    char v[TS_SVC_VERSION_MAX] = "";
    ts_svc_clean(v, sizeof v, p + 5, e - 5);
    set(s->service, sizeof s->service, "mysql");
    const char *x = v;
    if (strncmp(x, "5.5.5-", 6) == 0)
        x += 6; /* MariaDB's compatibility prefix */
    if (strstr(v, "MariaDB"))
        set(s->product, sizeof s->product, "mariadb:mariadb");
    else
        set(s->product, sizeof s->product, "oracle:mysql");
    ts_svc_version_at(x, s->version, sizeof s->version);
    char *dash = strchr(s->version, '-');
    if (dash)
        *dash = '\0';
    return true;
}

/* A MongoDB OP_MSG reply (opcode 2013) to buildInfo: the BSON string
 * "version" anywhere in its first document. */
static bool mongodb(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 21)
        return false;
    uint32_t op =
        (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 | (uint32_t)p[15] << 24;
    if (op != 2013 && op != 1)
        return false;
    set(s->service, sizeof s->service, "mongodb");
    set(s->product, sizeof s->product, "mongodb:mongodb");
    static const uint8_t key[] = {0x02, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0};
    const uint8_t *k = memmem(p, n, key, sizeof key);
    if (k && (size_t)(k - p) + sizeof key + 4 < n) {
        size_t off = (size_t)(k - p) + sizeof key;
        size_t len = (size_t)p[off] | (size_t)p[off + 1] << 8;
        if (len > 1 && len < 64 && off + 4 + len <= n) {
            char v[TS_SVC_VERSION_MAX] = "";
            ts_svc_clean(v, sizeof v, p + off + 4, len - 1);
            ts_svc_version_at(v, s->version, sizeof s->version);
        }
    }
    return true;
}

/* ---- Windows services ----------------------------------------------------------------- */

/* TPKT (RFC 1006) carrying an X.224 Connection Confirm (0xd0). */
static bool rdp(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 11 || p[0] != 3 || p[1] != 0 || (p[5] & 0xf0) != 0xd0)
        return false;
    set(s->service, sizeof s->service, "rdp");
    if (n >= 19 && p[11] == 0x02) /* RDP_NEG_RSP */
        snprintf(s->info, sizeof s->info, "selected protocol %u", p[15]);
    return true;
}

/* SMB over TCP (NetBIOS session framing): an SMB2 NEGOTIATE response names
 * the dialect the server chose; SMB1 answers "\xffSMB". */
static bool smb(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (n < 8 || p[0] != 0)
        return false;
    if (starts(p + 4, n - 4, "\xffSMB")) {
        set(s->service, sizeof s->service, "smb");
        set(s->info, sizeof s->info, "SMB1");
        return true;
    }
    if (!starts(p + 4, n - 4, "\xfeSMB"))
        return false;
    set(s->service, sizeof s->service, "smb");
    if (n >= 4 + 64 + 6) {
        unsigned d = (unsigned)(p[4 + 64 + 4] | p[4 + 64 + 5] << 8);
        snprintf(s->info, sizeof s->info, "dialect %x.%x.%x", d >> 8, (d >> 4) & 15, d & 15);
    }
    return true;
}

/* ---- HTTP ------------------------------------------------------------------------------- */

struct http_server {
    const char *prefix;
    const char *cpe;
};

static const struct http_server servers[] = {
    {"nginx/", "f5:nginx"},
    {"Apache/", "apache:http_server"},
    {"Microsoft-IIS/", "microsoft:internet_information_services"},
    {"lighttpd/", "lighttpd:lighttpd"},
    {"openresty/", "openresty:openresty"},
    {"Jetty(", "eclipse:jetty"},
    {"Apache-Coyote/", "apache:tomcat"},
    {"MiniUPnPd/", "miniupnp_project:miniupnpd"},
    {"Caddy", "caddyserver:caddy"},
};

static void server_header(const char *v, ts_service_t *s)
{
    set(s->info, sizeof s->info, v);
    for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++) {
        const char *at = strstr(v, servers[i].prefix);
        if (at) {
            set(s->product, sizeof s->product, servers[i].cpe);
            ts_svc_version_at(at + strlen(servers[i].prefix), s->version, sizeof s->version);
            return;
        }
    }
}

static void title(const uint8_t *p, size_t n, ts_service_t *s)
{
    const uint8_t *t = find_ci(p, n, "<title");
    if (t == NULL)
        return;
    size_t off = (size_t)(t - p) + 6;
    while (off < n && p[off] != '>')
        off++;
    if (off >= n)
        return;
    off++;
    const uint8_t *end = find_ci(p + off, n - off, "</title");
    size_t len = end ? (size_t)(end - (p + off)) : n - off;
    char raw[TS_SVC_INFO_MAX] = "";
    ts_svc_clean(raw, sizeof raw, p + off, len);
    /* Whitespace runs (newlines were escaped: \x0a) become one space. */
    size_t w = 0;
    for (size_t i = 0; raw[i]; i++) {
        if (strncmp(raw + i, "\\x0a", 4) == 0 || strncmp(raw + i, "\\x0d", 4) == 0 ||
            strncmp(raw + i, "\\x09", 4) == 0) {
            i += 3;
            raw[i] = ' ';
        }
        if (raw[i] == ' ' && (w == 0 || raw[w - 1] == ' '))
            continue;
        raw[w++] = raw[i];
    }
    while (w && raw[w - 1] == ' ')
        w--;
    raw[w] = '\0';
    set(s->title, sizeof s->title, raw);
}

void ts_svc_http(const uint8_t *p, size_t n, ts_service_t *s)
{
    if (s->service[0] == '\0')
        set(s->service, sizeof s->service, "http");
    const uint8_t *head_end = find(p, n, "\r\n\r\n");
    size_t head = head_end ? (size_t)(head_end - p) : n;
    const uint8_t *sv = find_ci(p, head, "\nServer:");
    if (sv) {
        size_t off = (size_t)(sv - p) + 8;
        while (off < head && (p[off] == ' ' || p[off] == '\t'))
            off++;
        size_t e = off;
        while (e < head && p[e] != '\r' && p[e] != '\n')
            e++;
        char v[TS_SVC_INFO_MAX] = "";
        ts_svc_clean(v, sizeof v, p + off, e - off);
        server_header(v, s);
    }
    if (head_end == NULL)
        return;
    const uint8_t *body = head_end + 4;
    size_t bn = n - (size_t)(body - p);
    title(body, bn, s);
    /* Elasticsearch answers GET / with its name and version in JSON. */
    if (find(body, bn, "You Know, for Search")) {
        set(s->service, sizeof s->service, "elasticsearch");
        set(s->product, sizeof s->product, "elastic:elasticsearch");
        const uint8_t *num = find(body, bn, "\"number\"");
        if (num) {
            size_t off = (size_t)(num - p) + 8;
            while (off < n && (p[off] == ' ' || p[off] == ':' || p[off] == '"'))
                off++;
            char v[TS_SVC_VERSION_MAX] = "";
            size_t e = off;
            while (e < n && p[e] != '"' && e - off < sizeof v - 1)
                e++;
            ts_svc_clean(v, sizeof v, p + off, e - off);
            ts_svc_version_at(v, s->version, sizeof s->version);
        }
    }
}

/* ---- Entry --------------------------------------------------------------------------------- */

bool ts_svc_recognise(uint16_t port, const uint8_t *p, size_t n, ts_service_t *s)
{
    if (p == NULL || n == 0)
        return false;
    if (s->banner[0] == '\0')
        ts_svc_clean(s->banner, sizeof s->banner, p, n);
    bool ok = true;
    if (starts(p, n, "SSH-"))
        ssh(p, n, s);
    else if (starts(p, n, "HTTP/1.") || starts(p, n, "HTTP/2"))
        ts_svc_http(p, n, s);
    else if (starts(p, n, "220 ") || starts(p, n, "220-"))
        greeting_220(port, p, n, s);
    else if (starts(p, n, "+OK")) {
        set(s->service, sizeof s->service, "pop3");
        first_line(p, n, s->info, sizeof s->info);
        mail_products(s->info, s);
    } else if (starts(p, n, "* OK") || starts(p, n, "* PREAUTH")) {
        set(s->service, sizeof s->service, "imap");
        first_line(p, n, s->info, sizeof s->info);
        mail_products(s->info, s);
    } else if (find(p, n < 256 ? n : 256, "redis_version:") || starts(p, n, "-DENIED Redis") ||
               starts(p, n, "-NOAUTH") || (port == 6379 && (p[0] == '-' || p[0] == '$')))
        redis(p, n, s);
    else if (starts(p, n, "VERSION ")) {
        set(s->service, sizeof s->service, "memcached");
        set(s->product, sizeof s->product, "memcached:memcached");
        ts_svc_version_at((const char *)s->banner + 8, s->version, sizeof s->version);
    } else if (starts(p, n, "RFB ")) {
        set(s->service, sizeof s->service, "vnc");
        first_line(p, n, s->info, sizeof s->info);
    } else if (p[0] == 0xff && n >= 3 && p[1] >= 0xfb && p[1] <= 0xfe)
        set(s->service, sizeof s->service, "telnet"); /* IAC WILL/WONT/DO/DONT */
    else if ((p[0] == 0x16 || p[0] == 0x15) && n >= 3 && p[1] == 3)
        set(s->service, sizeof s->service, "tls"); /* a handshake or an alert */
    else if (rdp(p, n, s) || smb(p, n, s) || mysql(p, n, s) || mongodb(p, n, s))
        ;
    else if (port == 53 && n > 14 && (size_t)(p[0] << 8 | p[1]) <= n - 2)
        ok = ts_svc_recognise_udp(53, p + 2, n - 2, s);
    else
        ok = false;
    if (ok)
        ts_svc_classify(s);
    return ok;
}
