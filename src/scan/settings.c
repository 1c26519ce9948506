/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/mem.h"
#include "route/constituency.h"
#include "ts_version.h"

struct site_limits {
    char name[TS_SITE_NAME_MAX + 1];
    ts_scan_limits_t limits;
};

struct ts_scan_settings {
    char url[TS_SCAN_URL_MAX + 1];
    uint32_t rate, host_rate, max_addresses;
    ts_scan_limits_t limits;
    struct site_limits *sites;
    size_t n_sites;
    ts_prefix_t *optout;
    size_t n_optout;
};

ts_scan_settings_t *ts_scan_settings_default(void)
{
    ts_scan_settings_t *s = ts_xcalloc(1, sizeof *s);
    s->rate = 2000;
    s->host_rate = 200;
    s->max_addresses = 65536;
    s->limits.concurrent = 1;
    s->limits.addresses_per_day = 65536;
    return s;
}

void ts_scan_settings_free(ts_scan_settings_t *s)
{
    if (s == NULL)
        return;
    free(s->sites);
    free(s->optout);
    free(s);
}

static bool read_u64(const char *v, uint64_t max, uint64_t *out)
{
    if (*v < '0' || *v > '9' || strlen(v) > 20)
        return false;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0' || x > max)
        return false;
    *out = x;
    return true;
}

static int add_optout(ts_scan_settings_t *s, char *v, unsigned line, char *err, size_t errsize)
{
    for (char *tok = strtok(v, " \t,"); tok; tok = strtok(NULL, " \t,")) {
        ts_prefix_t p;
        if (ts_prefix_parse(tok, strlen(tok), &p) != 0) {
            ts_seterr(err, errsize, "line %u: '%.64s' is not an address or a prefix", line, tok);
            return TS_EINVAL;
        }
        s->optout = ts_xrealloc(s->optout, (s->n_optout + 1) * sizeof *s->optout);
        s->optout[s->n_optout++] = p;
    }
    return 0;
}

/* One "key = value" line; limits points at the section's limits. */
static int setting(ts_scan_settings_t *s, ts_scan_limits_t *limits, bool in_site, const char *key,
                   char *v, unsigned line, char *err, size_t errsize)
{
    uint64_t x;
    if (strcmp(key, "concurrent") == 0 || strcmp(key, "addresses_per_day") == 0) {
        bool conc = key[0] == 'c';
        if (!read_u64(v, conc ? 1000 : UINT32_MAX, &x) || (conc && x == 0)) {
            ts_seterr(err, errsize, "line %u: %s takes a number (%s)", line, key,
                      conc ? "1-1000" : "0-4294967295");
            return TS_EINVAL;
        }
        if (conc)
            limits->concurrent = (uint32_t)x;
        else
            limits->addresses_per_day = x;
        return 0;
    }
    if (in_site) {
        ts_seterr(err, errsize,
                  "line %u: only concurrent and addresses_per_day belong in a site section", line);
        return TS_EINVAL;
    }
    if (strcmp(key, "url") == 0) {
        size_t n = strlen(v);
        for (size_t i = 0; i < n; i++) {
            if ((unsigned char)v[i] <= 0x20 || v[i] == 0x7f || v[i] == '(' || v[i] == ')') {
                ts_seterr(err, errsize, "line %u: the url holds a space, a control or a bracket",
                          line);
                return TS_EINVAL;
            }
        }
        if (n > TS_SCAN_URL_MAX) {
            ts_seterr(err, errsize, "line %u: the url is longer than %d bytes", line,
                      TS_SCAN_URL_MAX);
            return TS_EINVAL;
        }
        memcpy(s->url, v, n + 1);
        return 0;
    }
    if (strcmp(key, "opt_out") == 0)
        return add_optout(s, v, line, err, errsize);
    uint32_t *slot = strcmp(key, "rate") == 0            ? &s->rate
                     : strcmp(key, "host_rate") == 0     ? &s->host_rate
                     : strcmp(key, "max_addresses") == 0 ? &s->max_addresses
                                                         : NULL;
    if (slot == NULL) {
        ts_seterr(err, errsize, "line %u: unknown setting '%.64s'", line, key);
        return TS_EINVAL;
    }
    if (!read_u64(v, 10000000, &x) || x == 0) {
        ts_seterr(err, errsize, "line %u: %s takes a number (1-10000000)", line, key);
        return TS_EINVAL;
    }
    *slot = (uint32_t)x;
    return 0;
}

static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

static int parse_line(ts_scan_settings_t *s, char *p, unsigned line, char *err, size_t errsize)
{
    p = trim(p);
    if (*p == '\0' || *p == '#')
        return 0;
    if (*p == '[') {
        size_t n = strlen(p);
        if (strncmp(p, "[site ", 6) != 0 || p[n - 1] != ']') {
            ts_seterr(err, errsize, "line %u: a section reads [site NAME]", line);
            return TS_ESYNTAX;
        }
        p[n - 1] = '\0';
        char *name = trim(p + 6);
        if (!ts_site_name_valid(name)) {
            ts_seterr(err, errsize, "line %u: '%.64s' is not a site name", line, name);
            return TS_EINVAL;
        }
        s->sites = ts_xrealloc(s->sites, (s->n_sites + 1) * sizeof *s->sites);
        struct site_limits *sl = &s->sites[s->n_sites++];
        snprintf(sl->name, sizeof sl->name, "%s", name);
        sl->limits = s->limits; /* what the section leaves out stays as above */
        return 0;
    }
    char *eq = strchr(p, '=');
    if (eq == NULL) {
        ts_seterr(err, errsize, "line %u: expected key = value", line);
        return TS_ESYNTAX;
    }
    *eq = '\0';
    char *key = trim(p), *v = trim(eq + 1);
    bool in_site = s->n_sites > 0;
    ts_scan_limits_t *limits = in_site ? &s->sites[s->n_sites - 1].limits : &s->limits;
    return setting(s, limits, in_site, key, v, line, err, errsize);
}

int ts_scan_settings_parse(const char *text, size_t len, ts_scan_settings_t **out, char *err,
                           size_t errsize)
{
    *out = NULL;
    if (len > TS_SCAN_SETTINGS_MAX) {
        ts_seterr(err, errsize, "the settings are larger than %d bytes", TS_SCAN_SETTINGS_MAX);
        return TS_ETOOBIG;
    }
    ts_scan_settings_t *s = ts_scan_settings_default();
    char *copy = ts_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (memchr(text, '\0', len) != NULL) {
        ts_seterr(err, errsize, "the settings hold a NUL byte");
        free(copy);
        ts_scan_settings_free(s);
        return TS_ESYNTAX;
    }
    int r = 0;
    unsigned line = 1;
    for (char *p = copy; r == 0 && p != NULL; line++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        r = parse_line(s, p, line, err, errsize);
        p = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (r) {
        ts_scan_settings_free(s);
        return r;
    }
    *out = s;
    return 0;
}

int ts_scan_settings_load(const char *path, ts_scan_settings_t **out, char *err, size_t errsize)
{
    if (path == NULL || *path == '\0') {
        *out = ts_scan_settings_default();
        return 0;
    }
    char *data;
    size_t len;
    char e[256] = "";
    int r = ts_file_read(path, TS_SCAN_SETTINGS_MAX, TS_FILE_REGULAR, &data, &len, e, sizeof e);
    if (r) {
        ts_seterr(err, errsize, "cannot read %s: %s", path, e);
        *out = NULL;
        return r == TS_ETOOBIG ? r : TS_EIO;
    }
    r = ts_scan_settings_parse(data, len, out, e, sizeof e);
    if (r)
        ts_seterr(err, errsize, "%s: %s", path, e);
    free(data);
    return r;
}

const char *ts_scan_settings_url(const ts_scan_settings_t *s)
{
    return s->url;
}

uint32_t ts_scan_settings_rate(const ts_scan_settings_t *s)
{
    return s->rate;
}

uint32_t ts_scan_settings_host_rate(const ts_scan_settings_t *s)
{
    return s->host_rate;
}

uint32_t ts_scan_settings_max_addresses(const ts_scan_settings_t *s)
{
    return s->max_addresses;
}

ts_scan_limits_t ts_scan_settings_limits(const ts_scan_settings_t *s, const char *site)
{
    for (size_t i = 0; site && i < s->n_sites; i++)
        if (strcmp(s->sites[i].name, site) == 0)
            return s->sites[i].limits;
    return s->limits;
}

bool ts_scan_settings_opted_out(const ts_scan_settings_t *s, const ts_ip_t *ip)
{
    for (size_t i = 0; i < s->n_optout; i++)
        if (ts_prefix_contains(&s->optout[i], ip))
            return true;
    return false;
}

void ts_scan_user_agent(const ts_scan_settings_t *s, char *out, size_t size)
{
    if (s->url[0])
        snprintf(out, size, "tocsin/%s (+%s)", TS_VERSION_STRING, s->url);
    else
        snprintf(out, size, "tocsin/%s", TS_VERSION_STRING);
}
