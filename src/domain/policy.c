/* SPDX-License-Identifier: Apache-2.0 */
/* The policy file (policy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "domain/policy.h"
#include "notify/address.h"

#define LINE_MAX_BYTES 1024

static const char *const step_names[TS_DSTEP_COUNT_] = {"notify",     "deactivate", "extend",
                                                        "reactivate", "cancel",     "remind"};

int ts_domain_step_of(const char *action)
{
    for (int i = 0; action && i < TS_DSTEP_COUNT_; i++)
        if (strcmp(action, step_names[i]) == 0)
            return i;
    return -1;
}

const char *ts_domain_step_name(ts_domain_step_t s)
{
    return (unsigned)s < TS_DSTEP_COUNT_ ? step_names[s] : "?";
}

void ts_domain_policy_defaults(ts_domain_policy_t *p)
{
    memset(p, 0, sizeof *p);
    p->notify[TS_DSTEP_NOTIFY] = TS_DWHO_HOLDER;
    p->notify[TS_DSTEP_DEACTIVATE] =
        TS_DWHO_HOLDER | TS_DWHO_REGISTRAR | TS_DWHO_REPORTER | TS_DWHO_NATIONAL;
    p->notify[TS_DSTEP_EXTEND] = TS_DWHO_HOLDER | TS_DWHO_REGISTRAR;
    p->notify[TS_DSTEP_REACTIVATE] = TS_DWHO_HOLDER | TS_DWHO_REGISTRAR | TS_DWHO_REPORTER;
    p->notify[TS_DSTEP_CANCEL] = TS_DWHO_HOLDER | TS_DWHO_REGISTRAR;
    p->notify[TS_DSTEP_REMIND] = TS_DWHO_HOLDER | TS_DWHO_REGISTRAR;
    snprintf(p->from_name, sizeof p->from_name, "CSIRT");
    snprintf(p->national_lang, sizeof p->national_lang, "en");
}

static int fail(char *err, size_t errsize, unsigned line, const char *what, const char *word)
{
    snprintf(err, errsize, "line %u: %s%s%.80s%s", line, what, word ? " \"" : "", word ? word : "",
             word ? "\"" : "");
    return TS_ESYNTAX;
}

/* Copies a single-word (or, for from-name, rest-of-line) value. */
static int value(char *dst, size_t size, const char *v, unsigned line, const char *key, char *err,
                 size_t errsize)
{
    if (v == NULL || *v == '\0')
        return fail(err, errsize, line, "a value is missing after", key);
    if (strlen(v) >= size)
        return fail(err, errsize, line, "value too long for", key);
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int address(char *dst, size_t size, const char *v, unsigned line, const char *key, char *err,
                   size_t errsize)
{
    int r = value(dst, size, v, line, key, err, errsize);
    char dom[TS_DOMAIN_MAX + 1], why[128];
    if (r == 0 && ts_addr_check(v, strlen(v), dom, why, sizeof why) != 0)
        return fail(err, errsize, line, "not an e-mail address:", v);
    return r;
}

static int parse_line(char *l, unsigned line, ts_domain_policy_t *p, bool *named, char *err,
                      size_t errsize)
{
    char *save = NULL;
    char *key = strtok_r(l, " \t", &save);
    if (key == NULL)
        return 0;
    char *rest = save && *save ? save + strspn(save, " \t") : NULL;
    if (strcmp(key, "from-name") == 0)
        return value(p->from_name, sizeof p->from_name, rest, line, key, err, errsize);
    if (strcmp(key, "notify") == 0) {
        char *step = strtok_r(NULL, " \t", &save);
        int s = ts_domain_step_of(step);
        if (s < 0)
            return fail(err, errsize, line, "unknown step", step ? step : "");
        unsigned who = 0;
        bool none = false;
        for (char *w; (w = strtok_r(NULL, " \t", &save)) != NULL;) {
            if (strcmp(w, "holder") == 0)
                who |= TS_DWHO_HOLDER;
            else if (strcmp(w, "registrar") == 0)
                who |= TS_DWHO_REGISTRAR;
            else if (strcmp(w, "reporter") == 0)
                who |= TS_DWHO_REPORTER;
            else if (strcmp(w, "national-csirt") == 0)
                who |= TS_DWHO_NATIONAL;
            else if (strcmp(w, "none") == 0)
                none = true;
            else
                return fail(err, errsize, line, "unknown recipient", w);
        }
        if ((who == 0) == !none)
            return fail(err, errsize, line, "name the recipients of a step, or none:", step);
        if (named[s])
            return fail(err, errsize, line, "step named twice:", step);
        named[s] = true;
        p->notify[s] = who;
        return 0;
    }
    char *v = strtok_r(NULL, " \t", &save);
    if (v != NULL && strtok_r(NULL, " \t", &save) != NULL)
        return fail(err, errsize, line, "one value expected after", key);
    if (strcmp(key, "from") == 0)
        return address(p->from, sizeof p->from, v, line, key, err, errsize);
    if (strcmp(key, "national-csirt") == 0)
        return address(p->national, sizeof p->national, v, line, key, err, errsize);
    if (strcmp(key, "national-lang") == 0) {
        if (v == NULL || (strcmp(v, "en") != 0 && strcmp(v, "de") != 0))
            return fail(err, errsize, line, "national-lang is en or de", NULL);
        return value(p->national_lang, sizeof p->national_lang, v, line, key, err, errsize);
    }
    if (strcmp(key, "procedure") == 0) {
        if (v == NULL || strncmp(v, "https://", 8) != 0)
            return fail(err, errsize, line, "procedure is an https:// URL", NULL);
        return value(p->procedure, sizeof p->procedure, v, line, key, err, errsize);
    }
    if (strcmp(key, "sign-key") == 0)
        return value(p->sign_key, sizeof p->sign_key, v, line, key, err, errsize);
    if (strcmp(key, "gnupg-home") == 0)
        return value(p->gnupg_home, sizeof p->gnupg_home, v, line, key, err, errsize);
    if (strcmp(key, "templates") == 0)
        return value(p->templates, sizeof p->templates, v, line, key, err, errsize);
    return fail(err, errsize, line, "unknown setting", key);
}

int ts_domain_policy_parse(const char *text, size_t len, ts_domain_policy_t *p, char *err,
                           size_t errsize)
{
    if (text == NULL || p == NULL)
        return TS_EINVAL;
    bool named[TS_DSTEP_COUNT_] = {false};
    unsigned line = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        line++;
        if (n >= LINE_MAX_BYTES)
            return fail(err, errsize, line, "line longer than 1023 bytes", NULL);
        char l[LINE_MAX_BYTES];
        memcpy(l, text + i, n);
        l[n] = '\0';
        i += n + 1;
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)l[k] < 0x20 && l[k] != '\t' && l[k] != '\r')
                return fail(err, errsize, line, "a control character", NULL);
        char *hash = strchr(l, '#');
        if (hash)
            *hash = '\0';
        size_t m = strlen(l);
        while (m > 0 && (l[m - 1] == ' ' || l[m - 1] == '\t' || l[m - 1] == '\r'))
            l[--m] = '\0';
        int r = parse_line(l, line, p, named, err, errsize);
        if (r != 0)
            return r;
    }
    return 0;
}

int ts_domain_policy_load(const char *path, ts_domain_policy_t *p, char *err, size_t errsize)
{
    char *text = NULL;
    size_t len = 0;
    char why[256];
    int r = ts_file_read(path, TS_DOMAIN_POLICY_MAX, TS_FILE_REGULAR, &text, &len, why, sizeof why);
    if (r != 0) {
        snprintf(err, errsize, "%s: %s", path, why);
        return r;
    }
    ts_domain_policy_defaults(p);
    char perr[256] = "";
    r = ts_domain_policy_parse(text, len, p, perr, sizeof perr);
    if (r != 0)
        snprintf(err, errsize, "%s: %s", path, perr);
    free(text);
    return r;
}
