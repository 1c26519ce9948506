/* SPDX-License-Identifier: Apache-2.0 */
/* Mail templates (see template.h). A template is parsed once into literal
 * runs and placeholders, so rendering is appends only. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "notify/template.h"
#include "ts_version.h"

const char *const ts_tpl_langs[TS_TPL_LANG_COUNT] = {"en", "de"};

static const char *const var_names[TS_V_COUNT_] = {
    "site", "contact", "count",  "period",   "groups",  "key_note", "csirt", "date",
    "type", "items",   "kind",   "priority", "summary", "why",      "link",  "hosts",
    "ref",  "tlp",     "domain", "reason",   "step",    "since",    "until", "procedure",
};

/* The placeholders each kind may use. */
static const uint32_t allowed[] = {
    [TS_TPL_DIGEST] = 1u << TS_V_SITE | 1u << TS_V_CONTACT | 1u << TS_V_COUNT | 1u << TS_V_PERIOD |
                      1u << TS_V_GROUPS | 1u << TS_V_KEY_NOTE | 1u << TS_V_CSIRT | 1u << TS_V_DATE,
    [TS_TPL_GROUP] = 1u << TS_V_TYPE | 1u << TS_V_COUNT | 1u << TS_V_ITEMS,
    [TS_TPL_ITEM] = 1u << TS_V_KIND | 1u << TS_V_TYPE | 1u << TS_V_PRIORITY | 1u << TS_V_SUMMARY |
                    1u << TS_V_WHY | 1u << TS_V_LINK | 1u << TS_V_HOSTS | 1u << TS_V_REF,
    [TS_TPL_VERIFY] =
        1u << TS_V_SITE | 1u << TS_V_CONTACT | 1u << TS_V_LINK | 1u << TS_V_CSIRT | 1u << TS_V_DATE,
    [TS_TPL_FORWARD] = 1u << TS_V_CSIRT | 1u << TS_V_DATE | 1u << TS_V_TYPE | 1u << TS_V_HOSTS |
                       1u << TS_V_SUMMARY | 1u << TS_V_TLP,
    [TS_TPL_NOTICE] = 1u << TS_V_CONTACT | 1u << TS_V_CSIRT | 1u << TS_V_DATE | 1u << TS_V_WHY |
                      1u << TS_V_DOMAIN | 1u << TS_V_REASON | 1u << TS_V_STEP | 1u << TS_V_SINCE |
                      1u << TS_V_UNTIL | 1u << TS_V_PROCEDURE,
};

struct seg {
    int var;      /* -1: literal */
    size_t start; /* literal: offset in text */
    size_t len;
};

struct part {
    struct seg *segs;
    size_t n, cap;
};

struct ts_tpl {
    char *text;
    struct part subject, body;
};

static void push(struct part *p, int var, size_t start, size_t len)
{
    if (var < 0 && len == 0)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->segs = ts_xrealloc(p->segs, p->cap * sizeof *p->segs);
    }
    p->segs[p->n++] = (struct seg){var, start, len};
}

static void known_list(ts_tpl_kind_t kind, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int v = 0; v < TS_V_COUNT_; v++)
        if (allowed[kind] & (1u << v)) {
            int w = snprintf(buf + n, size - n, "%s%s", n ? " " : "", var_names[v]);
            if (w < 0 || (size_t)w >= size - n)
                break;
            n += (size_t)w;
        }
}

static unsigned line_of(const char *text, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

/* Splits text[from, to) into segments. */
static int scan(ts_tpl_kind_t kind, const char *name, const char *text, size_t from, size_t to,
                struct part *p, char *err, size_t errsize)
{
    size_t lit = from;
    for (size_t i = from; i < to;) {
        if (i + 1 < to && text[i] == '{' && text[i + 1] == '{') {
            const char *close = memmem(text + i + 2, to - i - 2, "}}", 2);
            const char *nl = memchr(text + i + 2, '\n', to - i - 2);
            if (close == NULL || (nl && nl < close)) {
                ts_seterr(err, errsize, "%s:%u: \"{{\" without \"}}\" on the same line", name,
                          line_of(text, i));
                return TS_ESYNTAX;
            }
            size_t nlen = (size_t)(close - (text + i + 2));
            int var = -1;
            for (int v = 0; v < TS_V_COUNT_; v++)
                if (strlen(var_names[v]) == nlen && memcmp(var_names[v], text + i + 2, nlen) == 0 &&
                    (allowed[kind] & (1u << v)))
                    var = v;
            if (var < 0) {
                char known[256];
                known_list(kind, known, sizeof known);
                ts_seterr(err, errsize,
                          "%s:%u: unknown placeholder {{%.*s}} (this file may use: %s)", name,
                          line_of(text, i), (int)(nlen > 40 ? 40 : nlen), text + i + 2, known);
                return TS_ESYNTAX;
            }
            push(p, -1, lit, i - lit);
            push(p, var, 0, 0);
            i += 2 + nlen + 2;
            lit = i;
        } else {
            i++;
        }
    }
    push(p, -1, lit, to - lit);
    return 0;
}

void ts_tpl_free(ts_tpl_t *t)
{
    if (t == NULL)
        return;
    free(t->subject.segs);
    free(t->body.segs);
    free(t->text);
    free(t);
}

int ts_tpl_parse(ts_tpl_kind_t kind, const char *name, const char *text, size_t len, ts_tpl_t **out,
                 char *err, size_t errsize)
{
    *out = NULL;
    if (len > TS_TPL_FILE_MAX) {
        ts_seterr(err, errsize, "%s: larger than %u bytes", name, TS_TPL_FILE_MAX);
        return TS_ETOOBIG;
    }
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ts_utf8_next((const unsigned char *)text + i, len - i, &cp);
        if (cp == TS_UTF8_BAD || cp == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == '\r') {
            ts_seterr(err, errsize, "%s:%u: %s", name, line_of(text, i),
                      cp == TS_UTF8_BAD ? "not UTF-8" : "a control character");
            return cp == TS_UTF8_BAD ? TS_EUTF8 : TS_ESYNTAX;
        }
        i += n;
    }
    ts_tpl_t *t = ts_xcalloc(1, sizeof *t);
    t->text = ts_xstrndup(text, len);
    size_t body = 0;
    int r = 0;
    if (kind == TS_TPL_DIGEST || kind == TS_TPL_VERIFY || kind == TS_TPL_FORWARD ||
        kind == TS_TPL_NOTICE) {
        const char *nl = memchr(text, '\n', len);
        if (len < 9 || memcmp(text, "Subject: ", 9) != 0 || nl == NULL ||
            (size_t)(nl - text) + 1 >= len || nl[1] != '\n') {
            ts_seterr(err, errsize,
                      "%s:1: a mail starts with a \"Subject: ...\" line and a blank line", name);
            ts_tpl_free(t);
            return TS_ESYNTAX;
        }
        r = scan(kind, name, t->text, 9, (size_t)(nl - text), &t->subject, err, errsize);
        body = (size_t)(nl - text) + 2;
    }
    if (r == 0)
        r = scan(kind, name, t->text, body, len, &t->body, err, errsize);
    if (r) {
        ts_tpl_free(t);
        return r;
    }
    *out = t;
    return 0;
}

static void render(const ts_tpl_t *t, const struct part *p, const char *const values[],
                   ts_buf_t *out)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct seg *s = &p->segs[i];
        if (s->var < 0)
            ts_buf_append(out, t->text + s->start, s->len);
        else if (values[s->var])
            ts_buf_puts(out, values[s->var]);
    }
}

void ts_tpl_render(const ts_tpl_t *t, const char *const values[TS_V_COUNT_], ts_buf_t *out)
{
    render(t, &t->body, values, out);
}

void ts_tpl_render_subject(const ts_tpl_t *t, const char *const values[TS_V_COUNT_], ts_buf_t *out)
{
    render(t, &t->subject, values, out);
}

/* ---- Sets ---------------------------------------------------------------------------------- */

#define TYPES_MAX 64

struct lang_set {
    ts_tpl_t *digest, *group, *item, *verify, *forward;
    char *type_name[TYPES_MAX];
    ts_tpl_t *type_item[TYPES_MAX];
    size_t n_types;
};

struct ts_tpl_set {
    struct lang_set lang[TS_TPL_LANG_COUNT];
};

void ts_tpl_set_free(ts_tpl_set_t *s)
{
    if (s == NULL)
        return;
    for (size_t l = 0; l < TS_TPL_LANG_COUNT; l++) {
        struct lang_set *ls = &s->lang[l];
        ts_tpl_free(ls->digest);
        ts_tpl_free(ls->group);
        ts_tpl_free(ls->item);
        ts_tpl_free(ls->verify);
        ts_tpl_free(ls->forward);
        for (size_t i = 0; i < ls->n_types; i++) {
            free(ls->type_name[i]);
            ts_tpl_free(ls->type_item[i]);
        }
    }
    free(s);
}

static int load_file(const char *dir, const char *lang, const char *file, ts_tpl_kind_t kind,
                     ts_tpl_t **out, char *err, size_t errsize)
{
    char path[4096], name[256], why[256];
    snprintf(path, sizeof path, "%s/%s/%s", dir, lang, file);
    snprintf(name, sizeof name, "%s/%s", lang, file);
    char *text = NULL;
    size_t len = 0;
    int r = ts_file_read(path, TS_TPL_FILE_MAX, TS_FILE_REGULAR, &text, &len, why, sizeof why);
    if (r) {
        ts_seterr(err, errsize, "%s: %s", path, why);
        return r == TS_ETOOBIG ? r : r == TS_ENOENT ? TS_ENOENT : TS_EIO;
    }
    r = ts_tpl_parse(kind, name, text, len, out, err, errsize);
    free(text);
    return r;
}

/* RSIT type names: lower case letters, digits and '-'. */
static bool type_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static int load_lang(const char *dir, const char *lang, struct lang_set *ls, char *err,
                     size_t errsize)
{
    int r = load_file(dir, lang, "digest.txt", TS_TPL_DIGEST, &ls->digest, err, errsize);
    if (r == 0)
        r = load_file(dir, lang, "group.txt", TS_TPL_GROUP, &ls->group, err, errsize);
    if (r == 0)
        r = load_file(dir, lang, "item.txt", TS_TPL_ITEM, &ls->item, err, errsize);
    if (r == 0)
        r = load_file(dir, lang, "verify.txt", TS_TPL_VERIFY, &ls->verify, err, errsize);
    if (r == 0)
        r = load_file(dir, lang, "forward.txt", TS_TPL_FORWARD, &ls->forward, err, errsize);
    if (r)
        return r;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, lang);
    DIR *d = opendir(path);
    if (d == NULL) {
        ts_seterr(err, errsize, "%s: cannot list", path);
        return TS_EIO;
    }
    struct dirent *e;
    while (r == 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 10 || strncmp(e->d_name, "item-", 5) != 0 || strcmp(e->d_name + n - 4, ".txt"))
            continue;
        if (!type_name_ok(e->d_name + 5, n - 9)) {
            ts_seterr(err, errsize,
                      "%s/%s: not item-<name>.txt with an item kind or RSIT type name", path,
                      e->d_name);
            r = TS_ESYNTAX;
            break;
        }
        if (ls->n_types == TYPES_MAX) {
            ts_seterr(err, errsize, "%s: more than %d item-<name>.txt files", path, TYPES_MAX);
            r = TS_ETOOBIG;
            break;
        }
        ts_tpl_t *t = NULL;
        r = load_file(dir, lang, e->d_name, TS_TPL_ITEM, &t, err, errsize);
        if (r == 0) {
            ls->type_name[ls->n_types] = ts_xstrndup(e->d_name + 5, n - 9);
            ls->type_item[ls->n_types++] = t;
        }
    }
    closedir(d);
    return r;
}

int ts_tpl_set_load(const char *dir, ts_tpl_set_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_tpl_set_t *s = ts_xcalloc(1, sizeof *s);
    int r = 0;
    for (size_t l = 0; l < TS_TPL_LANG_COUNT && r == 0; l++)
        r = load_lang(dir, ts_tpl_langs[l], &s->lang[l], err, errsize);
    if (r) {
        ts_tpl_set_free(s);
        return r;
    }
    *out = s;
    return 0;
}

const ts_tpl_t *ts_tpl_get(const ts_tpl_set_t *s, const char *lang, ts_tpl_kind_t kind,
                           const char *item_kind, const char *type)
{
    const struct lang_set *ls = &s->lang[0];
    for (size_t l = 0; lang && l < TS_TPL_LANG_COUNT; l++)
        if (strcmp(lang, ts_tpl_langs[l]) == 0)
            ls = &s->lang[l];
    if (kind == TS_TPL_DIGEST)
        return ls->digest;
    if (kind == TS_TPL_GROUP)
        return ls->group;
    if (kind == TS_TPL_VERIFY)
        return ls->verify;
    if (kind == TS_TPL_FORWARD)
        return ls->forward;
    for (size_t i = 0; item_kind && i < ls->n_types; i++)
        if (strcmp(ls->type_name[i], item_kind) == 0)
            return ls->type_item[i];
    for (size_t i = 0; type && i < ls->n_types; i++)
        if (strcmp(ls->type_name[i], type) == 0)
            return ls->type_item[i];
    return ls->item;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *ts_tpl_default_dir(char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, size, "%s/%s/../templates", exe, TS_WEB_DIR_FROM_BIN);
            if (is_dir(buf))
                return buf;
        }
    }
    snprintf(buf, size, "%s/templates", TS_SOURCE_DIR);
    return buf;
}
