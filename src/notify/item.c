/* SPDX-License-Identifier: Apache-2.0 */
/* Notifiable items: checks, names, and the JSON form digests keep them in. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "notify/item.h"

#define ITEM_JSON_MAX (TS_NITEM_TEXT_MAX * 8 + (16u << 20))

static const char *const kind_names[] = {"?", "new-incident", "priority-raised", "advisory",
                                         "scan-finding"};
static const char *const prio_names[] = {"none", "low", "medium", "high", "critical"};

const char *ts_nitem_kind_name(ts_nitem_kind_t k)
{
    return k >= TS_NITEM_NEW && k <= TS_NITEM_FINDING ? kind_names[k] : "?";
}

const char *ts_prio_name(int p)
{
    return p >= TS_PRIO_LOW && p <= TS_PRIO_CRITICAL ? prio_names[p] : "?";
}

int ts_prio_parse(const char *s)
{
    for (int i = 0; s && i <= TS_PRIO_CRITICAL; i++)
        if (strcmp(s, prio_names[i]) == 0)
            return i;
    return -1;
}

static bool text_ok(const char *s, size_t max, bool required)
{
    if (s == NULL || s[0] == '\0')
        return !required;
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

int ts_nitem_check(const ts_nitem_t *it, char *err, size_t errsize)
{
    const char *bad = NULL;
    if (it == NULL)
        bad = "item";
    else if (it->site_id <= 0)
        bad = "site";
    else if (it->kind < TS_NITEM_NEW || it->kind > TS_NITEM_FINDING)
        bad = "kind";
    else if (it->priority < TS_PRIO_LOW || it->priority > TS_PRIO_CRITICAL)
        bad = "priority";
    else if (!text_ok(it->type, 64, true))
        bad = "type";
    else if (!text_ok(it->ref, 256, false))
        bad = "ref";
    else if (!text_ok(it->summary, TS_NITEM_TEXT_MAX, true))
        bad = "summary";
    else if (!text_ok(it->why, TS_NITEM_TEXT_MAX, false))
        bad = "why";
    else if (!text_ok(it->link, TS_NITEM_TEXT_MAX, false))
        bad = "link";
    else if (it->n_hosts > 0 && it->hosts == NULL)
        bad = "hosts";
    for (size_t i = 0; bad == NULL && i < it->n_hosts; i++)
        if (!text_ok(it->hosts[i], 512, true))
            bad = "hosts";
    if (bad) {
        ts_seterr(err, errsize, "item: %s: missing, out of range or holding control characters",
                  bad);
        return TS_EINVAL;
    }
    return 0;
}

void ts_nitem_write(const ts_nitem_t *it, ts_buf_t *out)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "site");
    ts_jsonw_int(&w, it->site_id);
    ts_jsonw_key(&w, "kind");
    ts_jsonw_int(&w, it->kind);
    ts_jsonw_key(&w, "type");
    ts_jsonw_cstr(&w, it->type);
    ts_jsonw_key(&w, "priority");
    ts_jsonw_int(&w, it->priority);
    ts_jsonw_key(&w, "prev_priority");
    ts_jsonw_int(&w, it->prev_priority);
    ts_jsonw_key(&w, "ref");
    ts_jsonw_cstr(&w, it->ref ? it->ref : "");
    ts_jsonw_key(&w, "hosts");
    ts_jsonw_array_begin(&w);
    for (size_t i = 0; i < it->n_hosts; i++)
        ts_jsonw_cstr(&w, it->hosts[i]);
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "summary");
    ts_jsonw_cstr(&w, it->summary);
    ts_jsonw_key(&w, "why");
    ts_jsonw_cstr(&w, it->why ? it->why : "");
    ts_jsonw_key(&w, "link");
    ts_jsonw_cstr(&w, it->link ? it->link : "");
    ts_jsonw_key(&w, "csv");
    ts_jsonw_cstr(&w, it->events_csv ? it->events_csv : "");
    if (it->events_iodef) {
        ts_jsonw_key(&w, "iodef");
        ts_jsonw_cstr(&w, it->events_iodef);
    }
    ts_jsonw_object_end(&w);
}

struct ts_nitem_owned {
    ts_json_t *root;
    const char **hosts;
};

void ts_nitem_free(ts_nitem_owned_t *o)
{
    if (o == NULL)
        return;
    ts_json_free(o->root);
    free(o->hosts);
    free(o);
}

static const char *str_of(const ts_json_t *root, const char *key, int *r)
{
    ts_str_t s = TS_STR_NULL;
    if (*r == 0)
        *r = ts_json_get_str(root, key, false, &s, NULL, 0);
    return s.ptr ? s.ptr : "";
}

int ts_nitem_read(const char *json, size_t len, ts_nitem_t *it, ts_nitem_owned_t **owner)
{
    memset(it, 0, sizeof *it);
    *owner = NULL;
    ts_json_t *root = NULL;
    if (ts_json_parse(json, len, ITEM_JSON_MAX, 4, 0, &root, NULL, 0) != 0 || root == NULL ||
        ts_json_as_object(root, "item", NULL, 0) != 0) {
        ts_json_free(root);
        return TS_ESYNTAX;
    }
    ts_nitem_owned_t *o = ts_xcalloc(1, sizeof *o);
    o->root = root;
    int64_t site = 0, kind = 0, prio = 0, prev = 0;
    int r = ts_json_get_int(root, "site", true, 1, INT64_MAX, &site, NULL, 0);
    if (r == 0)
        r = ts_json_get_int(root, "kind", true, 1, 4, &kind, NULL, 0);
    if (r == 0)
        r = ts_json_get_int(root, "priority", true, 1, 4, &prio, NULL, 0);
    if (r == 0)
        r = ts_json_get_int(root, "prev_priority", false, 0, 4, &prev, NULL, 0);
    it->site_id = site;
    it->kind = (ts_nitem_kind_t)kind;
    it->priority = (int)prio;
    it->prev_priority = (int)prev;
    it->type = str_of(root, "type", &r);
    it->ref = str_of(root, "ref", &r);
    it->summary = str_of(root, "summary", &r);
    it->why = str_of(root, "why", &r);
    it->link = str_of(root, "link", &r);
    it->events_csv = str_of(root, "csv", &r);
    ts_json_t *iodef;
    if (r == 0 && ts_json_member(root, "iodef", &iodef))
        it->events_iodef = str_of(root, "iodef", &r);
    ts_json_t *hosts = NULL;
    size_t n = 0;
    if (r == 0)
        r = ts_json_get_array(root, "hosts", false, &hosts, &n, NULL, 0);
    if (r == 0 && n > 0) {
        o->hosts = ts_xcalloc(n, sizeof *o->hosts);
        for (size_t i = 0; i < n && r == 0; i++) {
            ts_str_t s;
            r = ts_json_as_str(ts_json_index(hosts, i), "host", &s, NULL, 0);
            o->hosts[i] = s.ptr;
        }
        it->hosts = o->hosts;
        it->n_hosts = n;
    }
    if (r == 0)
        r = ts_nitem_check(it, NULL, 0);
    if (r != 0) {
        ts_nitem_free(o);
        memset(it, 0, sizeof *it);
        return TS_ESYNTAX;
    }
    *owner = o;
    return 0;
}

void ts_nitem_one_line(ts_buf_t *b, const char *s, size_t max)
{
    size_t start = b->len;
    for (; s && *s && b->len - start < max; s++)
        ts_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

void ts_nitem_url_segment(ts_buf_t *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            ts_buf_putc(b, (char)c);
        else
            ts_buf_printf(b, "%%%02X", c);
    }
}
