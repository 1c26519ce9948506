/* SPDX-License-Identifier: Apache-2.0 */
/* IDEA in: one IDEA object per record (idea.h for the categories).
 *
 * Decisions:
 * - DetectTime is required (IDEA makes it so); EventTime is time.source,
 *   else DetectTime; DetectTime is time.observation.
 * - Category: the first one that maps to RSIT sets the type; all of them
 *   are kept as extra "idea.category" (a JSON array). None that maps:
 *   undetermined.
 * - Source and Target: every IP4/IP6 entry of every object of the side.
 *   One address alone is the side's ip; more, or networks, or ranges, are
 *   the side's targets (i12a's multi-target model), so that each site sees
 *   only its own. An IPv4 range "a-b" becomes its exact prefixes, an IPv6
 *   range the smallest prefix covering it (the count is then unknown).
 *   The first Port, Hostname and URL of a side are its port, fqdn and url;
 *   Proto's first tcp/udp/icmp is the transport, the next word the
 *   application.
 * - TLP: the top-level "TLP" (a label as core/tlp.h reads it).
 * - Description, Note -> event_description.text (Note when no
 *   Description); ConnCount -> count; ID -> extra "idea.id"; the private
 *   "_tocsin" member (what output/idea.c writes) restores the identifier,
 *   the feed and extra; any other top-level member -> extra "idea.<name>". */
#include "ingest/idea.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "ingest/field.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

static const struct {
    const char *category, *type;
} cats[] = {
    {"Abusive.Spam", "spam"},
    {"Abusive.Harassment", "harmful-speech"},
    {"Abusive.Child", "harmful-speech"},
    {"Abusive.Sexual", "harmful-speech"},
    {"Abusive.Violence", "violence"},
    {"Malware", "infected-system"},
    {"Malware.Virus", "infected-system"},
    {"Malware.Worm", "infected-system"},
    {"Malware.Trojan", "infected-system"},
    {"Malware.Spyware", "infected-system"},
    {"Malware.Dialer", "infected-system"},
    {"Malware.Rootkit", "infected-system"},
    {"Recon.Scanning", "scanner"},
    {"Recon.Sniffing", "sniffing"},
    {"Recon.SocialEngineering", "social-engineering"},
    {"Recon.Searching", "scanner"},
    {"Attempt.Exploit", "exploit"},
    {"Attempt.Login", "brute-force"},
    {"Attempt.NewSignature", "ids-alert"},
    {"Intrusion.AdminCompromise", "privileged-account-compromise"},
    {"Intrusion.UserCompromise", "unprivileged-account-compromise"},
    {"Intrusion.AppCompromise", "application-compromise"},
    {"Intrusion.Botnet", "infected-system"},
    {"Availability.DoS", "dos"},
    {"Availability.DDoS", "ddos"},
    {"Availability.Sabotage", "sabotage"},
    {"Availability.Outage", "outage"},
    {"Information.UnauthorizedAccess", "unauthorised-information-access"},
    {"Information.UnauthorizedModification", "unauthorised-information-modification"},
    {"Fraud.UnauthorizedUsage", "unauthorized-use-of-resources"},
    {"Fraud.Copyright", "copyright"},
    {"Fraud.Masquerade", "masquerade"},
    {"Fraud.Phishing", "phishing"},
    {"Fraud.Scam", "masquerade"},
    {"Vulnerable.Open", "potentially-unwanted-accessible"},
    {"Vulnerable.Config", "vulnerable-system"},
    {"Anomaly.Traffic", "other"},
    {"Anomaly.Connection", "other"},
    {"Anomaly.Protocol", "other"},
    {"Anomaly.System", "other"},
    {"Anomaly.Application", "other"},
    {"Anomaly.Behaviour", "other"},
    {"Other", "other"},
    {"Test", "test"},
};

/* Written out: the category of each RSIT type, where the table above is not
 * a one-to-one answer. */
static const struct {
    const char *type, *category;
} out_cats[] = {
    {"spam", "Abusive.Spam"},
    {"harmful-speech", "Abusive.Harassment"},
    {"violence", "Abusive.Violence"},
    {"ddos", "Availability.DDoS"},
    {"dos", "Availability.DoS"},
    {"misconfiguration", "Vulnerable.Config"},
    {"outage", "Availability.Outage"},
    {"sabotage", "Availability.Sabotage"},
    {"copyright", "Fraud.Copyright"},
    {"masquerade", "Fraud.Masquerade"},
    {"phishing", "Fraud.Phishing"},
    {"unauthorized-use-of-resources", "Fraud.UnauthorizedUsage"},
    {"data-leak", "Information.UnauthorizedAccess"},
    {"data-loss", "Information.UnauthorizedModification"},
    {"unauthorised-information-access", "Information.UnauthorizedAccess"},
    {"unauthorised-information-modification", "Information.UnauthorizedModification"},
    {"scanner", "Recon.Scanning"},
    {"sniffing", "Recon.Sniffing"},
    {"social-engineering", "Recon.SocialEngineering"},
    {"brute-force", "Attempt.Login"},
    {"exploit", "Attempt.Exploit"},
    {"ids-alert", "Attempt.NewSignature"},
    {"application-compromise", "Intrusion.AppCompromise"},
    {"burglary", "Other"},
    {"privileged-account-compromise", "Intrusion.AdminCompromise"},
    {"system-compromise", "Intrusion.AdminCompromise"},
    {"unprivileged-account-compromise", "Intrusion.UserCompromise"},
    {"c2-server", "Intrusion.Botnet"},
    {"infected-system", "Malware"},
    {"malware-configuration", "Malware"},
    {"malware-distribution", "Malware"},
    {"blacklist", "Other"},
    {"dga-domain", "Other"},
    {"malware", "Malware"},
    {"other", "Other"},
    {"proxy", "Other"},
    {"tor", "Other"},
    {"undetermined", "Other"},
    {"test", "Test"},
    {"ddos-amplifier", "Vulnerable.Open"},
    {"information-disclosure", "Vulnerable.Config"},
    {"potentially-unwanted-accessible", "Vulnerable.Open"},
    {"vulnerable-system", "Vulnerable.Config"},
    {"weak-crypto", "Vulnerable.Config"},
};
_Static_assert(sizeof out_cats / sizeof out_cats[0] == TS_RSIT_TYPES, "one category per type");

int ts_idea_category_type(const char *s, size_t n, ts_type_t *out)
{
    char buf[96];
    if (n >= sizeof buf)
        return TS_ENOENT;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strncasecmp(buf, "Availibility.", 13) == 0)
        buf[5] = 'a'; /* "Availibility" -> "Availability" */
    const char *dot = strchr(buf, '.');
    int class_match = -1;
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
        if (strcasecmp(cats[i].category, buf) == 0)
            return ts_type_lookup(cats[i].type, strlen(cats[i].type), out);
        size_t cl = dot ? (size_t)(dot - buf) : 0;
        if (class_match < 0 && cl && strncasecmp(cats[i].category, buf, cl) == 0 &&
            (cats[i].category[cl] == '\0' || cats[i].category[cl] == '.'))
            class_match = (int)i;
    }
    if (class_match < 0)
        return TS_ENOENT;
    return ts_type_lookup(cats[class_match].type, strlen(cats[class_match].type), out);
}

const char *ts_idea_type_category(ts_type_t type)
{
    const char *name = ts_type_name(type);
    for (size_t i = 0; name && i < sizeof out_cats / sizeof out_cats[0]; i++)
        if (strcmp(out_cats[i].type, name) == 0)
            return out_cats[i].category;
    return "Other";
}

/* ---- The reader --------------------------------------------------------------- */

#define SIDE_MAX 4096 /* address entries read per side */

typedef struct side {
    ts_prefix_t *list;
    size_t n;
    bool inexact;
} side_t;

/* An IPv4 range as its exact prefixes. */
static size_t range4(uint32_t lo, uint32_t hi, ts_prefix_t *out, size_t max)
{
    size_t n = 0;
    while (lo <= hi && n < max) {
        int len = 32;
        while (len > 0) {
            uint32_t size = (uint32_t)1 << (32 - (len - 1));
            if ((len - 1) == 0 || (lo & (size - 1)) != 0 || (uint64_t)lo + size - 1 > hi)
                break;
            len--;
        }
        ts_prefix_t *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->addr.family = TS_AF_INET;
        p->addr.bytes[0] = (uint8_t)(lo >> 24);
        p->addr.bytes[1] = (uint8_t)(lo >> 16);
        p->addr.bytes[2] = (uint8_t)(lo >> 8);
        p->addr.bytes[3] = (uint8_t)lo;
        p->len = (uint8_t)len;
        uint64_t next = (uint64_t)lo + ((uint64_t)1 << (32 - len));
        if (next > 0xffffffffULL)
            break;
        lo = (uint32_t)next;
    }
    return n;
}

static int add_addr(ts_str_t s, side_t *sd, ts_parse_error_t *err)
{
    const char *dash = memchr(s.ptr, '-', s.len);
    if (sd->n >= SIDE_MAX)
        return ts_perr(err, TS_ETOOBIG, "more than %d addresses on one side", SIDE_MAX);
    if (dash == NULL) {
        if (ts_prefix_parse(s.ptr, s.len, &sd->list[sd->n]) != 0)
            return ts_perr(err, TS_EADDR, "\"%.*s\": not an address or network",
                           (int)(s.len > 60 ? 60 : s.len), s.ptr);
        sd->n++;
        return 0;
    }
    ts_ip_t lo, hi;
    if (ts_ip_parse(s.ptr, (size_t)(dash - s.ptr), &lo) != 0 ||
        ts_ip_parse(dash + 1, s.len - (size_t)(dash - s.ptr) - 1, &hi) != 0 ||
        lo.family != hi.family || ts_ip_compare(&lo, &hi) > 0)
        return ts_perr(err, TS_EADDR, "\"%.*s\": not an address range",
                       (int)(s.len > 60 ? 60 : s.len), s.ptr);
    if (lo.family == TS_AF_INET) {
        sd->n += range4(ts_ip_v4(&lo), ts_ip_v4(&hi), sd->list + sd->n, SIDE_MAX - sd->n);
        return 0;
    }
    /* IPv6: the common prefix covers the range. */
    ts_prefix_t *p = &sd->list[sd->n++];
    p->addr = lo;
    p->len = 0;
    while (p->len < 128 &&
           ((lo.bytes[p->len / 8] ^ hi.bytes[p->len / 8]) & (0x80 >> (p->len % 8))) == 0)
        p->len++;
    if (ts_prefix_clear_host_bits(p) || p->len < 128)
        sd->inexact = ts_ip_compare(&lo, &hi) != 0;
    return 0;
}

static const char *str_of(json_object *v)
{
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int side_objects(ts_arena_t *a, json_object *arr, const char *what, ts_endpoint_t *ep,
                        ts_event_t *e, side_t *sd, ts_parse_error_t *err)
{
    if (!json_object_is_type(arr, json_type_array))
        return ts_perr(err, TS_ETYPE, "%s: not an array", what);
    ts_fieldstate_t st = {0};
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *v;
        if (!json_object_is_type(o, json_type_object))
            return ts_perr(err, TS_ETYPE, "%s[%zu]: not an object", what, i);
        static const char *const fams[] = {"IP4", "IP6"};
        for (int f = 0; f < 2; f++) {
            if (!json_object_object_get_ex(o, fams[f], &v))
                continue;
            if (!json_object_is_type(v, json_type_array))
                return ts_perr(err, TS_ETYPE, "%s[%zu].%s: not an array", what, i, fams[f]);
            for (size_t k = 0; k < json_object_array_length(v); k++) {
                const char *s = str_of(json_object_array_get_idx(v, k));
                if (s == NULL)
                    return ts_perr(err, TS_ETYPE, "%s[%zu].%s[%zu]: not a string", what, i, fams[f],
                                   k);
                int rc = add_addr(ts_str_c(s), sd, err);
                if (rc)
                    return rc;
            }
        }
        if (json_object_object_get_ex(o, "Port", &v) && json_object_is_type(v, json_type_array) &&
            json_object_array_length(v) > 0 && ep->port < 0) {
            int64_t p = json_object_get_int64(json_object_array_get_idx(v, 0));
            if (p < 0 || p > 65535)
                return ts_perr(err, TS_ERANGE, "%s[%zu].Port: outside 0-65535", what, i);
            ep->port = (int32_t)p;
        }
        if (json_object_object_get_ex(o, "Proto", &v) && json_object_is_type(v, json_type_array)) {
            for (size_t k = 0; k < json_object_array_length(v) && k < 2; k++) {
                const char *s = str_of(json_object_array_get_idx(v, k));
                if (s == NULL)
                    continue;
                bool l4 = !strcasecmp(s, "tcp") || !strcasecmp(s, "udp") ||
                          !strcasecmp(s, "icmp") || !strcasecmp(s, "sctp");
                ts_field_t f = {l4 ? TS_F_TRANSPORT : TS_F_APPLICATION, TS_STR_NULL};
                ts_str_t *dst = l4 ? &e->transport : &e->application;
                ts_fvalue_t fv = {.kind = TS_FV_STR, .s = ts_str_c(s)};
                if (dst->ptr == NULL && ts_field_set(a, e, &st, &f, &fv, "Proto", err) != 0)
                    return TS_EINVAL;
            }
        }
        static const struct {
            const char *key;
            int id;
        } firsts[] = {{"Hostname", 3}, {"URL", 4}};
        for (int f = 0; f < 2; f++) {
            if (!json_object_object_get_ex(o, firsts[f].key, &v) ||
                !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                continue;
            const char *s = str_of(json_object_array_get_idx(v, 0));
            ts_str_t *dst = firsts[f].id == 3 ? &ep->fqdn : &ep->url;
            if (s == NULL || dst->ptr)
                continue;
            ts_field_t fld = {ep == &e->src ? (firsts[f].id == 3 ? TS_F_SRC_FQDN : TS_F_SRC_URL)
                                            : (firsts[f].id == 3 ? TS_F_DST_FQDN : TS_F_DST_URL),
                              TS_STR_NULL};
            ts_fvalue_t fv = {.kind = TS_FV_STR, .s = ts_str_c(s)};
            int rc = ts_field_set(a, e, &st, &fld, &fv, firsts[f].key, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* The side's addresses: one host alone as ip, else targets. */
static void side_finish(ts_arena_t *a, side_t *sd, ts_endpoint_t *ep)
{
    size_t n = ts_targets_normalize(sd->list, sd->n);
    if (n == 0)
        return;
    unsigned bits = sd->list[0].addr.family == TS_AF_INET ? 32 : 128;
    if (n == 1 && sd->list[0].len == bits && !sd->inexact) {
        ep->ip = sd->list[0].addr;
        return;
    }
    /* A blocklist's netblock written by tocsin: the side's network. */
    if (n == 1 && ts_prefix_compare(&sd->list[0], &ep->network) == 0)
        return;
    uint64_t count = sd->inexact ? 0 : n;
    if (n > TS_TARGETS_INPUT_MAX) {
        n = ts_targets_cover(sd->list, n, TS_TARGETS_INPUT_MAX);
        count = count > n ? count : 0;
    }
    ts_prefix_t *list = ts_arena_alloc(a, n * sizeof *list);
    memcpy(list, sd->list, n * sizeof *list);
    ts_targets_t *t = ts_arena_alloc(a, sizeof *t);
    *t = (ts_targets_t){list, (uint32_t)n, count};
    ep->targets = t;
}

static int text_field(ts_arena_t *a, ts_event_t *e, ts_field_id_t id, const char *s,
                      const char *what, ts_parse_error_t *err)
{
    ts_fieldstate_t st = {0};
    ts_field_t f = {id, TS_STR_NULL};
    ts_fvalue_t fv = {.kind = TS_FV_STR, .s = ts_str_c(s)};
    return ts_field_set(a, e, &st, &f, &fv, what, err);
}

static int keep_json(ts_arena_t *a, ts_event_t *e, const char *key, json_object *v,
                     ts_parse_error_t *err)
{
    const char *txt = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    size_t n = strlen(txt);
    if (n > TS_EVENT_STR_MAX)
        return ts_perr(err, TS_ETOOBIG, "%s: longer than %d bytes", key, TS_EVENT_STR_MAX);
    if (e->n_extra >= TS_EVENT_EXTRA_MAX)
        return ts_perr(err, TS_ETOOBIG, "more than %d extra fields", TS_EVENT_EXTRA_MAX);
    e->extra[e->n_extra].key = ts_arena_strdup(a, ts_str_c(key));
    e->extra[e->n_extra++].value_json = ts_arena_strdup(a, ts_str(txt, n));
    return 0;
}

/* "_tocsin": what the writer keeps that IDEA has no member for. */
static int private_part(ts_arena_t *a, ts_event_t *e, json_object *o, ts_parse_error_t *err)
{
    if (!json_object_is_type(o, json_type_object))
        return ts_perr(err, TS_ETYPE, "_tocsin: not an object");
    json_object *v;
    int rc = 0;
    if (json_object_object_get_ex(o, "classification.type", &v) && str_of(v) &&
        ts_type_lookup(str_of(v), strlen(str_of(v)), &e->type) != 0)
        rc = ts_perr(err, TS_EINVAL, "_tocsin.classification.type: not an RSIT type");
    if (rc == 0 && json_object_object_get_ex(o, "identifier", &v) && str_of(v))
        rc = text_field(a, e, TS_F_IDENTIFIER, str_of(v), "_tocsin.identifier", err);
    if (rc == 0 && json_object_object_get_ex(o, "feed.name", &v) && str_of(v))
        rc = text_field(a, e, TS_F_FEED_NAME, str_of(v), "_tocsin.feed.name", err);
    if (rc == 0 && json_object_object_get_ex(o, "feed.provider", &v) && str_of(v))
        rc = text_field(a, e, TS_F_FEED_PROVIDER, str_of(v), "_tocsin.feed.provider", err);
    if (rc == 0 && json_object_object_get_ex(o, "source.network", &v) && str_of(v))
        rc = text_field(a, e, TS_F_SRC_NETWORK, str_of(v), "_tocsin.source.network", err);
    if (rc == 0 && json_object_object_get_ex(o, "destination.network", &v) && str_of(v))
        rc = text_field(a, e, TS_F_DST_NETWORK, str_of(v), "_tocsin.destination.network", err);
    if (rc == 0 && json_object_object_get_ex(o, "extra", &v) &&
        json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, k, x)
        {
            if (rc == 0 && x)
                rc = keep_json(a, e, k, x, err);
        }
    }
    return rc;
}

int ts_idea_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e, ts_parse_error_t *err)
{
    ts_json_t *o;
    char jerr[TS_JSON_ERRMAX];
    int rc = ts_json_parse(line, len, TS_LINE_MAX, 16, 0, &o, jerr, sizeof jerr);
    if (rc != 0)
        return ts_perr(err, rc, "%s", jerr);
    if (!json_object_is_type(o, json_type_object)) {
        ts_json_free(o);
        return ts_perr(err, TS_ETYPE, "not an IDEA object");
    }
    ts_event_init(e);
    e->type = TS_TYPE_UNDETERMINED;
    static _Thread_local ts_prefix_t lists[2][SIDE_MAX];
    side_t sides[2] = {{lists[0], 0, false}, {lists[1], 0, false}};
    json_object *v;
    const char *s;
    /* Written by tocsin: its own members (ID, Node, ...) are not the
     * event's; "_tocsin" holds what the event had. */
    bool own = json_object_object_get_ex(o, "_tocsin", &v);
    if (json_object_object_get_ex(o, "Format", &v) &&
        (!str_of(v) || strncmp(str_of(v), "IDEA", 4) != 0))
        rc = ts_perr(err, TS_EINVAL, "Format: not IDEA0");
    if (rc == 0 && (!json_object_object_get_ex(o, "DetectTime", &v) || !str_of(v)))
        rc = ts_perr(err, TS_EMISSING, "DetectTime: missing");
    if (rc == 0)
        rc = text_field(a, e, TS_F_TIME_OBSERVATION, str_of(v), "DetectTime", err);
    if (rc == 0)
        e->time_source = e->time_observation;
    if (rc == 0 && json_object_object_get_ex(o, "EventTime", &v) && (s = str_of(v)))
        rc = text_field(a, e, TS_F_TIME_SOURCE, s, "EventTime", err);
    if (rc == 0 && json_object_object_get_ex(o, "Category", &v)) {
        if (!json_object_is_type(v, json_type_array)) {
            rc = ts_perr(err, TS_ETYPE, "Category: not an array");
        } else {
            bool found = false;
            for (size_t i = 0; i < json_object_array_length(v) && !found; i++)
                if ((s = str_of(json_object_array_get_idx(v, i))))
                    found = ts_idea_category_type(s, strlen(s), &e->type) == 0;
            if (!own)
                rc = keep_json(a, e, "idea.category", v, err);
        }
    }
    if (rc == 0 && json_object_object_get_ex(o, "Description", &v) && (s = str_of(v)))
        rc = text_field(a, e, TS_F_DESCRIPTION, s, "Description", err);
    else if (rc == 0 && json_object_object_get_ex(o, "Note", &v) && (s = str_of(v)))
        rc = text_field(a, e, TS_F_DESCRIPTION, s, "Note", err);
    if (rc == 0 && json_object_object_get_ex(o, "TLP", &v))
        rc = text_field(a, e, TS_F_TLP, str_of(v) ? str_of(v) : "", "TLP", err);
    if (rc == 0 && json_object_object_get_ex(o, "ConnCount", &v) &&
        json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0)
        e->count = (uint64_t)json_object_get_int64(v);
    if (rc == 0 && json_object_object_get_ex(o, "Source", &v))
        rc = side_objects(a, v, "Source", &e->src, e, &sides[0], err);
    if (rc == 0 && json_object_object_get_ex(o, "Target", &v))
        rc = side_objects(a, v, "Target", &e->dst, e, &sides[1], err);
    if (rc == 0 && json_object_object_get_ex(o, "_tocsin", &v))
        rc = private_part(a, e, v, err);
    if (rc == 0 && !own && json_object_object_get_ex(o, "ID", &v) && str_of(v))
        rc = ts_field_extra_text(a, e, TS_STR_LIT("idea.id"), ts_str_c(str_of(v)), err);
    static const char *const known[] = {"Format",      "DetectTime", "EventTime", "Category",
                                        "Description", "Note",       "TLP",       "ConnCount",
                                        "Source",      "Target",     "_tocsin",   "ID"};
    json_object_object_foreach(o, k, x)
    {
        bool is_known = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            is_known = is_known || strcmp(k, known[i]) == 0;
        if (rc == 0 && !own && !is_known && x) {
            char key[96];
            snprintf(key, sizeof key, "idea.%.80s", k);
            rc = keep_json(a, e, key, x, err);
        }
    }
    ts_json_free(o);
    if (rc != 0)
        return rc;
    side_finish(a, &sides[0], &e->src);
    side_finish(a, &sides[1], &e->dst);
    ts_fieldstate_t st = {0};
    rc = ts_field_finish(a, e, &st, err);
    return rc ? rc : TS_PARSE_EVENT;
}
