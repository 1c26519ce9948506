/* SPDX-License-Identifier: Apache-2.0 */
#include "incident/config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_MIN (60LL * 1000000)             /* 1 minute */
#define WINDOW_MAX (365 * TS_DAY_US)            /* 1 year */
#define RETENTION_MIN TS_DAY_US                 /* 1 day */
#define DURATION_MAX (1000LL * 365 * TS_DAY_US) /* what ts_duration_parse accepts */
#define WEIGHT_MAX 1000.0

static const char *const factor_names[TS_F_COUNT_] = {
    "source", "hosts", "repeats", "duration", "type", "critical", "advisory", "tlp",
};

/* Points of each factor at its full value; they sum to 100 so that a score
 * reads as a percentage of the worst case. */
static const double default_weight[TS_F_COUNT_] = {20, 15, 10, 5, 20, 15, 10, 5};

/* The type factor's value per RSIT type (taxonomy.c's order): what a host in
 * this state means for its site, from a compromise (1) to noise (0). */
static const double default_severity[TS_RSIT_TYPES] = {
    0.2, /* harmful-speech */
    0.3, /* spam */
    0.3, /* violence */
    0.7, /* ddos */
    0.6, /* dos */
    0.3, /* misconfiguration */
    0.5, /* outage */
    0.7, /* sabotage */
    0.2, /* copyright */
    0.5, /* masquerade */
    0.6, /* phishing */
    0.4, /* unauthorized-use-of-resources */
    0.8, /* data-leak */
    0.8, /* data-loss */
    0.8, /* unauthorised-information-access */
    0.8, /* unauthorised-information-modification */
    0.3, /* scanner */
    0.4, /* sniffing */
    0.4, /* social-engineering */
    0.5, /* brute-force */
    0.6, /* exploit */
    0.4, /* ids-alert */
    0.9, /* application-compromise */
    0.7, /* burglary */
    1.0, /* privileged-account-compromise */
    1.0, /* system-compromise */
    0.8, /* unprivileged-account-compromise */
    0.8, /* c2-server */
    0.9, /* infected-system */
    0.6, /* malware-configuration */
    0.8, /* malware-distribution */
    0.4, /* blacklist */
    0.5, /* dga-domain */
    0.7, /* malware */
    0.2, /* other */
    0.3, /* proxy */
    0.2, /* tor */
    0.2, /* undetermined */
    0.0, /* test */
    0.4, /* ddos-amplifier */
    0.4, /* information-disclosure */
    0.3, /* potentially-unwanted-accessible */
    0.5, /* vulnerable-system */
    0.2, /* weak-crypto */
};

/* A label says how far the reporter lets it travel: the more restricted, the
 * more it was worth reporting to this site in particular. */
static const double default_tlp[TS_TLP_LEVELS] = {0.0, 0.0, 0.2, 0.5, 0.8, 1.0};
static const char *const tlp_keys[TS_TLP_LEVELS] = {"none",  "clear",        "green",
                                                    "amber", "amber+strict", "red"};

void ts_incconf_defaults(ts_incconf_t *c)
{
    memset(c, 0, sizeof *c);
    c->window = TS_DAY_US;
    c->retention_events = 180 * TS_DAY_US;
    c->retention_incidents = 2 * 365 * TS_DAY_US;
    memcpy(c->weight, default_weight, sizeof c->weight);
    memcpy(c->severity, default_severity, sizeof c->severity);
    memcpy(c->tlp, default_tlp, sizeof c->tlp);
}

int64_t ts_incconf_window(const ts_incconf_t *c, ts_type_t type)
{
    return type < TS_RSIT_TYPES && c->window_type[type] ? c->window_type[type] : c->window;
}

int64_t ts_incconf_retention(const ts_incconf_t *c, ts_type_t type)
{
    return type < TS_RSIT_TYPES && c->retention_events_type[type] ? c->retention_events_type[type]
                                                                  : c->retention_events;
}

const char *ts_factor_name(ts_factor_t f)
{
    return (unsigned)f < TS_F_COUNT_ ? factor_names[f] : NULL;
}

int ts_factor_lookup(const char *s, size_t n, ts_factor_t *out)
{
    for (int f = 0; f < TS_F_COUNT_; f++)
        if (strlen(factor_names[f]) == n && memcmp(factor_names[f], s, n) == 0) {
            *out = (ts_factor_t)f;
            return 0;
        }
    return TS_ENOENT;
}

/* ---- Durations and numbers ------------------------------------------------------ */

static const struct {
    char unit;
    int64_t us;
} units[] = {
    {'y', 365 * TS_DAY_US},  {'w', 7 * TS_DAY_US},  {'d', TS_DAY_US},
    {'h', 3600LL * 1000000}, {'m', 60LL * 1000000}, {'s', 1000000},
};

int ts_duration_parse(const char *s, size_t n, int64_t *us)
{
    if (n < 2 || n > 12)
        return TS_EINVAL;
    int64_t k = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return TS_EINVAL;
        k = k * 10 + (s[i] - '0');
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (s[n - 1] == units[u].unit) {
            if (k > DURATION_MAX / units[u].us)
                return TS_EINVAL;
            *us = k * units[u].us;
            return 0;
        }
    return TS_EINVAL;
}

void ts_duration_format(int64_t us, char *buf, size_t size)
{
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (us >= units[u].us && us % units[u].us == 0) {
            snprintf(buf, size, "%" PRId64 "%c", us / units[u].us, units[u].unit);
            return;
        }
    /* Below a second (never parsed from a file): the seconds, rounded. */
    snprintf(buf, size, "%" PRId64 "s", (us + 500000) / 1000000);
}

/* A plain decimal ("20", "0.35"): digits, at most one point, at most six
 * decimals, nothing else (no sign, exponent, inf or nan). */
static int parse_number(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 16)
        return TS_EINVAL;
    size_t dots = 0, digits = 0, decimals = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (++dots > 1 || i == 0 || i + 1 == n)
                return TS_EINVAL;
        } else if (s[i] >= '0' && s[i] <= '9') {
            digits++;
            decimals += dots;
        } else {
            return TS_EINVAL;
        }
    }
    if (digits == 0 || decimals > 6)
        return TS_EINVAL;
    char tmp[24];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    return 0;
}

/* Shortest of at most six decimals that reads back as v ("0.3", "20"). */
static void format_number(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot == NULL)
        return;
    char *end = buf + strlen(buf);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0';
}

/* ---- Parsing ---------------------------------------------------------------------- */

/* Keys that may appear once: one bit per slot. */
enum {
    K_WINDOW,
    K_WINDOW_T,
    K_RET_EVENTS = K_WINDOW_T + TS_RSIT_TYPES,
    K_RET_EVENTS_T,
    K_RET_INCIDENTS = K_RET_EVENTS_T + TS_RSIT_TYPES,
    K_WEIGHT,
    K_SEVERITY = K_WEIGHT + TS_F_COUNT_,
    K_TLP = K_SEVERITY + TS_RSIT_TYPES,
    K_COUNT_ = K_TLP + TS_TLP_LEVELS,
};

static bool starts(const char *k, size_t kn, const char *p, size_t *rest)
{
    size_t n = strlen(p);
    if (kn <= n || memcmp(k, p, n) != 0)
        return false;
    *rest = n;
    return true;
}

static int type_of(const char *s, size_t n, ts_type_t *t)
{
    /* Canonical names only: a legacy spelling in a file is a typo waiting. */
    if (ts_type_lookup(s, n, t) != 0)
        return TS_ENOENT;
    const char *canon = ts_type_name(*t);
    return strlen(canon) == n && memcmp(canon, s, n) == 0 ? 0 : TS_ENOENT;
}

/* One KEY = VALUE: the slot it fills (for duplicates), or an error. */
static int apply(ts_incconf_t *c, const char *k, size_t kn, const char *v, size_t vn, int *slot,
                 const char **why)
{
    size_t r;
    ts_type_t t;
    int64_t d;
    double x;
    *why = "unknown key";
    if (kn == 6 && memcmp(k, "window", 6) == 0) {
        *slot = K_WINDOW;
        goto window;
    }
    if (starts(k, kn, "window.", &r)) {
        if (type_of(k + r, kn - r, &t) != 0)
            return TS_ENOENT;
        *slot = K_WINDOW_T + t;
        goto window;
    }
    if (kn == 16 && memcmp(k, "retention.events", 16) == 0) {
        *slot = K_RET_EVENTS;
        goto retention;
    }
    if (starts(k, kn, "retention.events.", &r)) {
        if (type_of(k + r, kn - r, &t) != 0)
            return TS_ENOENT;
        *slot = K_RET_EVENTS_T + t;
        goto retention;
    }
    if (kn == 19 && memcmp(k, "retention.incidents", 19) == 0) {
        *slot = K_RET_INCIDENTS;
        goto retention;
    }
    if (starts(k, kn, "weight.", &r)) {
        ts_factor_t f;
        if (ts_factor_lookup(k + r, kn - r, &f) != 0)
            return TS_ENOENT;
        *slot = K_WEIGHT + (int)f;
        *why = "not a number from 0 to 1000";
        if (parse_number(v, vn, &x) != 0 || x > WEIGHT_MAX)
            return TS_EINVAL;
        c->weight[f] = x;
        return 0;
    }
    if (starts(k, kn, "severity.", &r)) {
        if (type_of(k + r, kn - r, &t) != 0)
            return TS_ENOENT;
        *slot = K_SEVERITY + t;
        *why = "not a number from 0 to 1";
        if (parse_number(v, vn, &x) != 0 || x > 1.0)
            return TS_EINVAL;
        c->severity[t] = x;
        return 0;
    }
    if (starts(k, kn, "tlp.", &r)) {
        int l = -1;
        for (int i = 0; i < TS_TLP_LEVELS; i++)
            if (strlen(tlp_keys[i]) == kn - r && memcmp(tlp_keys[i], k + r, kn - r) == 0)
                l = i;
        if (l < 0)
            return TS_ENOENT;
        *slot = K_TLP + l;
        *why = "not a number from 0 to 1";
        if (parse_number(v, vn, &x) != 0 || x > 1.0)
            return TS_EINVAL;
        c->tlp[l] = x;
        return 0;
    }
    return TS_ENOENT;
window:
    *why = "not a duration from 1m to 365d (e.g. 6h, 7d)";
    if (ts_duration_parse(v, vn, &d) != 0 || d < WINDOW_MIN || d > WINDOW_MAX)
        return TS_EINVAL;
    if (*slot == K_WINDOW)
        c->window = d;
    else
        c->window_type[*slot - K_WINDOW_T] = d;
    return 0;
retention:
    *why = "not a duration of at least 1d (e.g. 180d, 2y)";
    if (ts_duration_parse(v, vn, &d) != 0 || d < RETENTION_MIN)
        return TS_EINVAL;
    if (*slot == K_RET_EVENTS)
        c->retention_events = d;
    else if (*slot == K_RET_INCIDENTS)
        c->retention_incidents = d;
    else
        c->retention_events_type[*slot - K_RET_EVENTS_T] = d;
    return 0;
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Raw events never outlive their incidents: each event retention (the
 * line that set it, or retention.incidents' when it is the default that
 * lost) is at most retention.incidents. */
static int check_retention(const ts_incconf_t *c, const unsigned *seen, char *err, size_t errsize)
{
    for (int t = -1; t < TS_RSIT_TYPES; t++) {
        int64_t r = t < 0 ? c->retention_events : c->retention_events_type[t];
        if (r <= c->retention_incidents)
            continue;
        unsigned line = seen[t < 0 ? K_RET_EVENTS : K_RET_EVENTS_T + t];
        if (line == 0)
            line = seen[K_RET_INCIDENTS];
        ts_seterr(err, errsize, "line %u: retention.events%s%s: longer than retention.incidents",
                  line, t < 0 ? "" : ".", t < 0 ? "" : ts_type_name((ts_type_t)t));
        return TS_EINVAL;
    }
    return 0;
}

int ts_incconf_parse(const char *text, size_t len, ts_incconf_t *c, char *err, size_t errsize)
{
    ts_incconf_defaults(c);
    if (len > TS_INCCONF_MAX) {
        ts_seterr(err, errsize, "longer than %u bytes", TS_INCCONF_MAX);
        return TS_ETOOBIG;
    }
    unsigned seen[K_COUNT_] = {0}; /* the line that gave each key; 0 none */
    size_t pos = 0;
    for (unsigned line = 1; pos < len; line++) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        if (n > TS_INCCONF_LINE_MAX) {
            ts_seterr(err, errsize, "line %u: longer than %d bytes", line, TS_INCCONF_LINE_MAX);
            return TS_ETOOBIG;
        }
        const char *hash = memchr(s, '#', n);
        if (hash)
            n = (size_t)(hash - s);
        while (n > 0 && blank(s[n - 1]))
            n--;
        while (n > 0 && blank(*s)) {
            s++;
            n--;
        }
        if (n == 0)
            continue;
        const char *eq = memchr(s, '=', n);
        size_t kn = eq ? (size_t)(eq - s) : 0;
        while (kn > 0 && blank(s[kn - 1]))
            kn--;
        const char *v = eq ? eq + 1 : NULL;
        size_t vn = eq ? n - (size_t)(v - s) : 0;
        while (vn > 0 && blank(*v)) {
            v++;
            vn--;
        }
        if (eq == NULL || kn == 0 || vn == 0 || memchr(s, '\0', n) != NULL) {
            ts_seterr(err, errsize, "line %u: expected KEY = VALUE", line);
            return TS_ESYNTAX;
        }
        for (size_t i = 0; i < kn + vn; i++) {
            char ch = i < kn ? s[i] : v[i - kn];
            if ((unsigned char)ch <= ' ' || (unsigned char)ch >= 0x7f) {
                ts_seterr(err, errsize, "line %u: blank or non-ASCII byte inside key or value",
                          line);
                return TS_ESYNTAX;
            }
        }
        int slot = -1;
        const char *why = NULL;
        int r = apply(c, s, kn, v, vn, &slot, &why);
        if (r == 0 && seen[slot] != 0) {
            ts_seterr(err, errsize, "line %u: %.*s given twice", line, (int)kn, s);
            return TS_EEXIST;
        }
        if (r) {
            ts_seterr(err, errsize, "line %u: %.*s: %s", line, (int)kn, s, why);
            return r;
        }
        seen[slot] = line;
    }
    return check_retention(c, seen, err, errsize);
}

/* ---- Writing ------------------------------------------------------------------------ */

static void put_duration(ts_buf_t *out, const char *key, const char *sub, int64_t us)
{
    char d[32];
    ts_duration_format(us, d, sizeof d);
    ts_buf_printf(out, "%s%s%s = %s\n", key, sub ? "." : "", sub ? sub : "", d);
}

static void put_number(ts_buf_t *out, const char *key, const char *sub, double v)
{
    char d[40];
    format_number(v, d, sizeof d);
    ts_buf_printf(out, "%s.%s = %s\n", key, sub, d);
}

void ts_incconf_write(const ts_incconf_t *c, ts_buf_t *out)
{
    ts_buf_puts(out, "# tocsin incident configuration (docs/incidents.md)\n");
    put_duration(out, "window", NULL, c->window);
    for (int t = 0; t < TS_RSIT_TYPES; t++)
        if (c->window_type[t] && c->window_type[t] != c->window)
            put_duration(out, "window", ts_type_name((ts_type_t)t), c->window_type[t]);
    put_duration(out, "retention.events", NULL, c->retention_events);
    for (int t = 0; t < TS_RSIT_TYPES; t++)
        if (c->retention_events_type[t] && c->retention_events_type[t] != c->retention_events)
            put_duration(out, "retention.events", ts_type_name((ts_type_t)t),
                         c->retention_events_type[t]);
    put_duration(out, "retention.incidents", NULL, c->retention_incidents);
    for (int f = 0; f < TS_F_COUNT_; f++)
        put_number(out, "weight", factor_names[f], c->weight[f]);
    for (int t = 0; t < TS_RSIT_TYPES; t++)
        put_number(out, "severity", ts_type_name((ts_type_t)t), c->severity[t]);
    for (int l = 0; l < TS_TLP_LEVELS; l++)
        put_number(out, "tlp", tlp_keys[l], c->tlp[l]);
}
