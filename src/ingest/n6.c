/* SPDX-License-Identifier: Apache-2.0 */
/* n6 in (CERT Polska): an event as the REST API gives it (the elements of
 * /search/events' JSON array) and as the Stream API's message body (the same
 * object, with "type"). One object per record.
 *
 * Decisions:
 * - category -> RSIT type by the table below (dos-victim puts the addresses
 *   on the destination side, every other category on the source side).
 * - restriction -> TLP: public CLEAR, need-to-know AMBER, internal RED.
 * - confidence -> extra "feed.accuracy" (low 20, medium 50, high 100), as
 *   IntelMQ's n6 parser; the word itself stays in extra "n6.confidence".
 * - address[]: one ip alone is the side's ip (with its asn), more are the
 *   side's targets; cc and asn of each are kept in extra "n6.address".
 * - time -> time.source; source ("provider.channel") -> feed.name, feed.provider
 *   "n6"; name -> classification.identifier; dport, sport, proto, fqdn,
 *   url; everything else -> extra "n6.<key>". */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "ingest/field.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

static const struct {
    const char *category, *type;
} cats[] = {
    {"amplifier", "ddos-amplifier"},
    {"backdoor", "system-compromise"},
    {"bl", "blacklist"},
    {"bots", "infected-system"},
    {"cnc", "c2-server"},
    {"deface", "unauthorised-information-modification"},
    {"dns-query", "other"},
    {"dos-attacker", "ddos"},
    {"dos-victim", "ddos"},
    {"flow", "other"},
    {"flow-anomaly", "other"},
    {"fraud", "masquerade"},
    {"leak", "data-leak"},
    {"malurl", "malware-distribution"},
    {"malware-action", "malware-configuration"},
    {"other", "other"},
    {"phish", "phishing"},
    {"proxy", "proxy"},
    {"sandbox-url", "malware-distribution"},
    {"scanning", "scanner"},
    {"server-exploit", "exploit"},
    {"sinkhole", "infected-system"},
    {"spam", "spam"},
    {"spam-url", "spam"},
    {"tor", "tor"},
    {"vulnerable", "vulnerable-system"},
    {"webinject", "malware-configuration"},
};

static const char *str_of(json_object *v)
{
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int set(ts_arena_t *a, ts_event_t *e, ts_field_id_t id, json_object *v, const char *what,
               ts_parse_error_t *err)
{
    ts_fieldstate_t st = {0};
    ts_field_t f = {id, TS_STR_NULL};
    ts_fvalue_t fv = {.kind = TS_FV_STR};
    if (json_object_is_type(v, json_type_int)) {
        fv.kind = TS_FV_INT;
        fv.i = json_object_get_int64(v);
    } else if (str_of(v)) {
        fv.s = ts_str(str_of(v), (size_t)json_object_get_string_len(v));
    } else {
        return ts_perr(err, TS_ETYPE, "%s: expected a string or an integer", what);
    }
    return ts_field_set(a, e, &st, &f, &fv, what, err);
}

static int keep(ts_arena_t *a, ts_event_t *e, const char *key, json_object *v,
                ts_parse_error_t *err)
{
    const char *txt = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    size_t n = strlen(txt);
    if (n > TS_EVENT_STR_MAX || e->n_extra >= TS_EVENT_EXTRA_MAX)
        return ts_perr(err, TS_ETOOBIG, "%s: too long, or too many extra fields", key);
    e->extra[e->n_extra].key = ts_arena_strdup(a, ts_str_c(key));
    e->extra[e->n_extra++].value_json = ts_arena_strdup(a, ts_str(txt, n));
    return 0;
}

static int addresses(ts_arena_t *a, ts_event_t *e, json_object *arr, bool victim,
                     ts_parse_error_t *err)
{
    if (!json_object_is_type(arr, json_type_array))
        return ts_perr(err, TS_ETYPE, "address: not an array");
    size_t n = json_object_array_length(arr);
    if (n == 0)
        return 0;
    if (n > TS_TARGETS_INPUT_MAX)
        return ts_perr(err, TS_ETOOBIG, "address: more than %d entries", TS_TARGETS_INPUT_MAX);
    ts_endpoint_t *ep = victim ? &e->dst : &e->src;
    ts_prefix_t *list = ts_arena_alloc(a, n * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i), *ip, *asn;
        const char *s;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "ip", &ip) ||
            (s = str_of(ip)) == NULL || ts_prefix_parse(s, strlen(s), &list[i]) != 0 ||
            list[i].len != (list[i].addr.family == TS_AF_INET ? 32 : 128))
            return ts_perr(err, TS_EADDR, "address[%zu].ip: not an IP address", i);
        if (n == 1 && json_object_object_get_ex(o, "asn", &asn)) {
            int rc = set(a, e, victim ? TS_F_DST_ASN : TS_F_SRC_ASN, asn, "address[0].asn", err);
            if (rc)
                return rc;
        }
    }
    if (n == 1) {
        ep->ip = list[0].addr;
        return 0;
    }
    size_t k = ts_targets_normalize(list, n);
    ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
    *t = (ts_targets_t){list, (uint32_t)k, k};
    ep->targets = t;
    return 0;
}

int ts_n6_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e, ts_parse_error_t *err)
{
    ts_json_t *o;
    char jerr[TS_JSON_ERRMAX];
    int rc = ts_json_parse(line, len, TS_LINE_MAX, 16, 0, &o, jerr, sizeof jerr);
    if (rc != 0)
        return ts_perr(err, rc, "%s", jerr);
    if (!json_object_is_type(o, json_type_object)) {
        ts_json_free(o);
        return ts_perr(err, TS_ETYPE, "not an n6 event object");
    }
    ts_event_init(e);
    e->type = TS_TYPE_UNDETERMINED;
    e->feed_provider = TS_STR_LIT("n6");
    json_object *v;
    const char *s;
    bool victim = false;
    if (!json_object_object_get_ex(o, "category", &v) || (s = str_of(v)) == NULL) {
        rc = ts_perr(err, TS_EMISSING, "category: missing");
    } else {
        size_t i;
        for (i = 0; i < sizeof cats / sizeof cats[0]; i++)
            if (strcmp(cats[i].category, s) == 0)
                break;
        if (i == sizeof cats / sizeof cats[0])
            rc = ts_perr(err, TS_EINVAL, "category: \"%.40s\" is not an n6 category", s);
        else
            rc = ts_type_lookup(cats[i].type, strlen(cats[i].type), &e->type);
        victim = strcmp(s, "dos-victim") == 0;
    }
    if (rc == 0 && json_object_object_get_ex(o, "restriction", &v)) {
        s = str_of(v) ? str_of(v) : "";
        if (strcmp(s, "public") == 0)
            e->tlp = TS_TLP_CLEAR;
        else if (strcmp(s, "need-to-know") == 0)
            e->tlp = TS_TLP_AMBER;
        else if (strcmp(s, "internal") == 0)
            e->tlp = TS_TLP_RED;
        else
            rc = ts_perr(err, TS_EINVAL, "restriction: not public, need-to-know or internal");
    }
    if (rc == 0 && json_object_object_get_ex(o, "confidence", &v)) {
        s = str_of(v) ? str_of(v) : "";
        const char *acc = strcmp(s, "low") == 0      ? "20"
                          : strcmp(s, "medium") == 0 ? "50"
                          : strcmp(s, "high") == 0   ? "100"
                                                     : NULL;
        if (acc == NULL)
            rc = ts_perr(err, TS_EINVAL, "confidence: not low, medium or high");
        else
            e->extra[e->n_extra++] = (ts_extra_t){TS_STR_LIT("feed.accuracy"), ts_str_c(acc)};
    }
    static const struct {
        const char *key;
        ts_field_id_t id;
    } direct[] = {{"time", TS_F_TIME_SOURCE}, {"source", TS_F_FEED_NAME}, {"name", TS_F_IDENTIFIER},
                  {"dport", TS_F_DST_PORT},   {"sport", TS_F_SRC_PORT},   {"proto", TS_F_TRANSPORT},
                  {"fqdn", TS_F_SRC_FQDN},    {"url", TS_F_SRC_URL}};
    for (size_t i = 0; rc == 0 && i < sizeof direct / sizeof direct[0]; i++)
        if (json_object_object_get_ex(o, direct[i].key, &v) && v)
            rc = set(a, e, direct[i].id, v, direct[i].key, err);
    if (rc == 0 && json_object_object_get_ex(o, "address", &v) && v)
        rc = addresses(a, e, v, victim, err);
    static const char *const used[] = {"category", "restriction", "time",  "source", "name",
                                       "dport",    "sport",       "proto", "fqdn",   "url"};
    json_object_object_foreach(o, k, x)
    {
        bool is_used = false;
        for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
            is_used = is_used || strcmp(k, used[i]) == 0;
        if (rc == 0 && !is_used && x) {
            char key[80];
            snprintf(key, sizeof key, "n6.%.60s", k);
            rc = keep(a, e, key, x, err);
        }
    }
    ts_json_free(o);
    if (rc != 0)
        return rc;
    ts_fieldstate_t st = {0};
    rc = ts_field_finish(a, e, &st, err);
    return rc ? rc : TS_PARSE_EVENT;
}
