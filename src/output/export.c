/* SPDX-License-Identifier: Apache-2.0 */
/* Exchange formats (export.h). */
#include "output/export.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/markup.h"
#include "core/taxonomy.h"
#include "core/tlp.h"
#include "ingest/idea.h"

int ts_export_parse(const char *name, ts_export_fmt_t *out)
{
    static const char *const names[] = {"idea", "iodef", "stix", "misp"};
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (ts_export_fmt_t)i;
            return 0;
        }
    return TS_EINVAL;
}

const char *ts_export_media_type(ts_export_fmt_t fmt)
{
    switch (fmt) {
    case TS_EXPORT_IDEA:
        return "application/idea+json";
    case TS_EXPORT_IODEF:
        return "application/iodef+xml";
    case TS_EXPORT_STIX:
        return "application/stix+json";
    case TS_EXPORT_MISP:
        return "application/misp+json";
    }
    return "application/octet-stream";
}

bool ts_export_allowed(ts_tlp_t tlp)
{
    return tlp != TS_TLP_AMBER_STRICT && tlp != TS_TLP_RED;
}

/* A name-based UUID (RFC 4122 version 5 layout over SHA-256): the same
 * inputs give the same identifier in every export. */
static void uuid(const ts_export_t *x, const char *kind, int64_t id, const char *value, char *out)
{
    char in[512];
    int n = snprintf(in, sizeof in, "%s|%s|%" PRId64 "|%s", x->csirt, kind, id, value ? value : "");
    unsigned char d[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, in, (size_t)(n < 0 ? 0 : n), d) != 0)
        memset(d, 0, sizeof d);
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[d[i] >> 4];
        out[k++] = hex[d[i] & 15];
    }
    out[k] = '\0';
}

static void tstamp(int64_t us, char *buf)
{
    ts_time_format_utc(us, buf, 64);
}

static void jkey_time(ts_jsonw_t *w, const char *key, int64_t us)
{
    if (us == TS_TIME_NONE)
        return;
    char t[64];
    tstamp(us, t);
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, t);
}

static void jkey_str(ts_jsonw_t *w, const char *key, ts_str_t s)
{
    if (s.ptr == NULL || s.len == 0)
        return;
    ts_jsonw_key(w, key);
    ts_jsonw_str(w, s);
}

/* The addresses a side names: its ip, else its targets, else its network. */
typedef struct addrs {
    ts_prefix_t one;
    const ts_prefix_t *list;
    size_t n;
    bool from_network;
} addrs_t;

static void side_addrs(const ts_endpoint_t *ep, addrs_t *a)
{
    memset(a, 0, sizeof *a);
    if (ep->ip.family != TS_AF_NONE) {
        a->one.addr = ep->ip;
        a->one.len = ep->ip.family == TS_AF_INET ? 32 : 128;
        a->list = &a->one;
        a->n = 1;
    } else if (ep->targets && ep->targets->n > 0) {
        a->list = ep->targets->list;
        a->n = ep->targets->n;
    } else if (ep->network.addr.family != TS_AF_NONE) {
        a->one = ep->network;
        a->list = &a->one;
        a->n = 1;
        a->from_network = true;
    }
}

static const char *entry(const ts_prefix_t *p, char *buf)
{
    ts_targets_entry_text(p, buf, TS_IP_STRLEN);
    return buf;
}

static bool is_host(const ts_prefix_t *p)
{
    return p->len == (p->addr.family == TS_AF_INET ? 32 : 128);
}

/* ---- IDEA ---------------------------------------------------------------------- */

static void idea_side(ts_jsonw_t *w, const ts_event_t *e, const ts_endpoint_t *ep)
{
    addrs_t a;
    side_addrs(ep, &a);
    bool any = a.n || ep->port >= 0 || ep->fqdn.len || ep->url.len;
    if (!any)
        return;
    ts_jsonw_object_begin(w);
    for (int fam = 0; fam < 2; fam++) {
        bool open = false;
        for (size_t i = 0; i < a.n; i++) {
            if ((a.list[i].addr.family == TS_AF_INET) != (fam == 0))
                continue;
            if (!open) {
                ts_jsonw_key(w, fam == 0 ? "IP4" : "IP6");
                ts_jsonw_array_begin(w);
                open = true;
            }
            char buf[TS_IP_STRLEN];
            ts_jsonw_cstr(w, entry(&a.list[i], buf));
        }
        if (open)
            ts_jsonw_array_end(w);
    }
    if (ep->port >= 0) {
        ts_jsonw_key(w, "Port");
        ts_jsonw_array_begin(w);
        ts_jsonw_int(w, ep->port);
        ts_jsonw_array_end(w);
    }
    if (e->transport.len || e->application.len) {
        ts_jsonw_key(w, "Proto");
        ts_jsonw_array_begin(w);
        if (e->transport.len)
            ts_jsonw_str(w, e->transport);
        if (e->application.len)
            ts_jsonw_str(w, e->application);
        ts_jsonw_array_end(w);
    }
    static const char *const keys[] = {"Hostname", "URL"};
    const ts_str_t vals[] = {ep->fqdn, ep->url};
    for (int i = 0; i < 2; i++) {
        if (vals[i].len == 0)
            continue;
        ts_jsonw_key(w, keys[i]);
        ts_jsonw_array_begin(w);
        ts_jsonw_str(w, vals[i]);
        ts_jsonw_array_end(w);
    }
    ts_jsonw_object_end(w);
}

static void idea_event(ts_export_t *x, const ts_stored_event_t *se, ts_buf_t *out)
{
    const ts_event_t *e = &se->ev;
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "Format");
    ts_jsonw_cstr(&w, "IDEA0");
    char id[40];
    uuid(x, "idea", se->id, NULL, id);
    ts_jsonw_key(&w, "ID");
    ts_jsonw_cstr(&w, id);
    jkey_time(&w, "CreateTime", x->now);
    jkey_time(&w, "DetectTime",
              e->time_observation != TS_TIME_NONE ? e->time_observation : e->time_source);
    jkey_time(&w, "EventTime", e->time_source);
    ts_jsonw_key(&w, "Category");
    ts_jsonw_array_begin(&w);
    ts_jsonw_cstr(&w, ts_idea_type_category(e->type));
    ts_jsonw_array_end(&w);
    jkey_str(&w, "Description", e->description);
    if (e->count > 1) {
        ts_jsonw_key(&w, "ConnCount");
        ts_jsonw_uint(&w, e->count);
    }
    if (ts_tlp_name(e->tlp)) {
        ts_jsonw_key(&w, "TLP");
        ts_jsonw_cstr(&w, ts_tlp_name(e->tlp));
    }
    static const char *const sides[] = {"Source", "Target"};
    const ts_endpoint_t *eps[] = {&e->src, &e->dst};
    for (int s = 0; s < 2; s++) {
        addrs_t a;
        side_addrs(eps[s], &a);
        if (!a.n && eps[s]->port < 0 && !eps[s]->fqdn.len && !eps[s]->url.len)
            continue;
        ts_jsonw_key(&w, sides[s]);
        ts_jsonw_array_begin(&w);
        idea_side(&w, e, eps[s]);
        ts_jsonw_array_end(&w);
    }
    ts_jsonw_key(&w, "Node");
    ts_jsonw_array_begin(&w);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "Name");
    ts_jsonw_cstr(&w, x->csirt);
    ts_jsonw_key(&w, "SW");
    ts_jsonw_array_begin(&w);
    ts_jsonw_cstr(&w, "tocsin");
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    ts_jsonw_array_end(&w);
    /* What IDEA has no member for, so that tocsin reads back the event it wrote. */
    ts_jsonw_key(&w, "_tocsin");
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "classification.type");
    ts_jsonw_cstr(&w, ts_type_name(e->type));
    jkey_str(&w, "identifier", e->identifier);
    jkey_str(&w, "feed.name", e->feed_name);
    jkey_str(&w, "feed.provider", e->feed_provider);
    for (int s = 0; s < 2; s++) {
        if (eps[s]->network.addr.family == TS_AF_NONE)
            continue;
        char net[TS_IP_STRLEN];
        ts_prefix_format(&eps[s]->network, net, sizeof net);
        ts_jsonw_key(&w, s == 0 ? "source.network" : "destination.network");
        ts_jsonw_cstr(&w, net);
    }
    if (e->n_extra) {
        ts_jsonw_key(&w, "extra");
        ts_jsonw_object_begin(&w);
        ts_buf_t k = TS_BUF_INIT;
        for (uint32_t i = 0; i < e->n_extra; i++) {
            ts_buf_reset(&k);
            ts_buf_append(&k, e->extra[i].key.ptr, e->extra[i].key.len);
            ts_jsonw_key(&w, k.data ? k.data : "");
            ts_jsonw_raw(&w, e->extra[i].value_json);
        }
        ts_buf_free(&k);
        ts_jsonw_object_end(&w);
    }
    ts_jsonw_object_end(&w);
    ts_jsonw_object_end(&w);
    ts_buf_putc(out, '\n');
}

/* ---- IODEF 2 -------------------------------------------------------------------- */

static void xml_text(ts_buf_t *out, ts_str_t s)
{
    char *c = strndup(s.ptr ? s.ptr : "", s.len);
    ts_markup_text(out, c);
    free(c);
}

static void xml_elem(ts_buf_t *out, const char *name, const char *attrs, ts_str_t s)
{
    ts_buf_printf(out, "<%s%s>", name, attrs ? attrs : "");
    xml_text(out, s);
    ts_buf_printf(out, "</%s>", name);
}

static int ip_protocol(ts_str_t t)
{
    return ts_str_eq_c(t, "tcp")    ? 6
           : ts_str_eq_c(t, "udp")  ? 17
           : ts_str_eq_c(t, "icmp") ? 1
           : ts_str_eq_c(t, "sctp") ? 132
                                    : -1;
}

static void iodef_system(ts_buf_t *out, const ts_event_t *e, const ts_endpoint_t *ep,
                         const char *category)
{
    addrs_t a;
    side_addrs(ep, &a);
    if (a.n == 0)
        return;
    ts_buf_printf(out, "<System category=\"%s\"><Node>", category);
    for (size_t i = 0; i < a.n; i++) {
        char buf[TS_IP_STRLEN];
        bool v4 = a.list[i].addr.family == TS_AF_INET;
        ts_buf_printf(out, "<Address category=\"%s\">%s</Address>",
                      is_host(&a.list[i]) ? (v4 ? "ipv4-addr" : "ipv6-addr")
                                          : (v4 ? "ipv4-net" : "ipv6-net"),
                      entry(&a.list[i], buf));
    }
    ts_buf_puts(out, "</Node>");
    int proto = ip_protocol(e->transport);
    if (proto >= 0) {
        ts_buf_printf(out, "<Service ip-protocol=\"%d\">", proto);
        if (ep->port >= 0)
            ts_buf_printf(out, "<Port>%d</Port>", (int)ep->port);
        ts_buf_puts(out, "</Service>");
    }
    ts_buf_puts(out, "</System>");
}

static void iodef_data(ts_buf_t *out, const char *meaning, ts_str_t s)
{
    if (s.ptr == NULL || s.len == 0)
        return;
    ts_buf_printf(out, "<AdditionalData dtype=\"string\" meaning=\"%s\">", meaning);
    xml_text(out, s);
    ts_buf_puts(out, "</AdditionalData>");
}

static const char *iodef_restriction(ts_tlp_t tlp)
{
    switch (tlp) {
    case TS_TLP_CLEAR:
        return "white";
    case TS_TLP_GREEN:
        return "green";
    case TS_TLP_AMBER:
        return "amber";
    default:
        return "private";
    }
}

static void iodef_contact(ts_export_t *x, ts_buf_t *out)
{
    ts_buf_puts(out, "<Contact role=\"creator\" type=\"organization\">");
    xml_elem(out, "ContactName", NULL, ts_str_c(x->csirt));
    ts_buf_puts(out, "</Contact>");
}

static void iodef_event(ts_export_t *x, const ts_stored_event_t *se, ts_buf_t *out)
{
    const ts_event_t *e = &se->ev;
    char t[64];
    ts_buf_printf(out, "<Incident purpose=\"reporting\" restriction=\"%s\">",
                  iodef_restriction(e->tlp));
    ts_buf_puts(out, "<IncidentID name=\"");
    ts_markup_text(out, x->csirt);
    ts_buf_printf(out, "\">%" PRId64 "</IncidentID>", se->id);
    if (e->time_observation != TS_TIME_NONE) {
        tstamp(e->time_observation, t);
        ts_buf_printf(out, "<DetectTime>%s</DetectTime>", t);
    }
    if (e->time_source != TS_TIME_NONE) {
        tstamp(e->time_source, t);
        ts_buf_printf(out, "<StartTime>%s</StartTime>", t);
    }
    tstamp(x->now, t);
    ts_buf_printf(out, "<GenerationTime>%s</GenerationTime>", t);
    if (e->description.len)
        xml_elem(out, "Description", NULL, e->description);
    iodef_contact(x, out);
    ts_buf_puts(out, "<EventData>");
    iodef_system(out, e, &e->src, "source");
    iodef_system(out, e, &e->dst, "target");
    ts_buf_puts(out, "</EventData>");
    iodef_data(out, "classification.taxonomy",
               ts_str_c(ts_taxonomy_name(ts_type_taxonomy(e->type))));
    iodef_data(out, "classification.type", ts_str_c(ts_type_name(e->type)));
    iodef_data(out, "classification.identifier", e->identifier);
    iodef_data(out, "source.fqdn", e->src.fqdn);
    iodef_data(out, "source.url", e->src.url);
    iodef_data(out, "destination.fqdn", e->dst.fqdn);
    iodef_data(out, "destination.url", e->dst.url);
    iodef_data(out, "protocol.application", e->application);
    iodef_data(out, "feed.name", e->feed_name);
    iodef_data(out, "tlp", ts_str_c(ts_tlp_name(e->tlp)));
    ts_buf_puts(out, "</Incident>\n");
}

/* ---- STIX 2.1 -------------------------------------------------------------------- */

/* The OASIS TLP 2.0 marking definitions (cti-stix-common-objects). */
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
static const struct {
    ts_tlp_t tlp;
    const char *id, *word;
} stix_tlp[] = {
    {TS_TLP_CLEAR, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"},
    {TS_TLP_GREEN, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"},
    {TS_TLP_AMBER, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"},
};

static void stix_common(ts_export_t *x, ts_jsonw_t *w, const char *type, const char *id,
                        ts_tlp_t tlp, bool sdo)
{
    ts_jsonw_key(w, "type");
    ts_jsonw_cstr(w, type);
    ts_jsonw_key(w, "spec_version");
    ts_jsonw_cstr(w, "2.1");
    ts_jsonw_key(w, "id");
    ts_jsonw_cstr(w, id);
    if (sdo) {
        char ident[80], t[64];
        snprintf(ident, sizeof ident, "identity--");
        uuid(x, "identity", 0, NULL, ident + 10);
        tstamp(x->now, t);
        ts_jsonw_key(w, "created_by_ref");
        ts_jsonw_cstr(w, ident);
        ts_jsonw_key(w, "created");
        ts_jsonw_cstr(w, t);
        ts_jsonw_key(w, "modified");
        ts_jsonw_cstr(w, t);
    }
    for (size_t i = 0; i < sizeof stix_tlp / sizeof stix_tlp[0]; i++) {
        if (stix_tlp[i].tlp != tlp)
            continue;
        ts_jsonw_key(w, "object_marking_refs");
        ts_jsonw_array_begin(w);
        ts_jsonw_cstr(w, stix_tlp[i].id);
        ts_jsonw_array_end(w);
    }
}

static void stix_begin(ts_export_t *x, ts_buf_t *out)
{
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    char id[80], t[64];
    snprintf(id, sizeof id, "bundle--");
    uuid(x, "bundle", x->now, NULL, id + 8);
    ts_buf_printf(out, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[\n", id);
    ts_jsonw_object_begin(&w);
    snprintf(id, sizeof id, "identity--");
    uuid(x, "identity", 0, NULL, id + 10);
    stix_common(x, &w, "identity", id, TS_TLP_NONE, false);
    tstamp(x->now, t);
    ts_jsonw_key(&w, "created");
    ts_jsonw_cstr(&w, t);
    ts_jsonw_key(&w, "modified");
    ts_jsonw_cstr(&w, t);
    ts_jsonw_key(&w, "name");
    ts_jsonw_cstr(&w, x->csirt);
    ts_jsonw_key(&w, "identity_class");
    ts_jsonw_cstr(&w, "organization");
    ts_jsonw_object_end(&w);
    for (size_t i = 0; i < sizeof stix_tlp / sizeof stix_tlp[0]; i++) {
        ts_buf_puts(out, ",\n");
        ts_jsonw_init(&w, out);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "type");
        ts_jsonw_cstr(&w, "marking-definition");
        ts_jsonw_key(&w, "spec_version");
        ts_jsonw_cstr(&w, "2.1");
        ts_jsonw_key(&w, "id");
        ts_jsonw_cstr(&w, stix_tlp[i].id);
        ts_jsonw_key(&w, "created");
        ts_jsonw_cstr(&w, "2022-10-01T00:00:00.000Z");
        char name[32];
        snprintf(name, sizeof name, "TLP:%s", ts_tlp_name(stix_tlp[i].tlp));
        ts_jsonw_key(&w, "name");
        ts_jsonw_cstr(&w, name);
        ts_jsonw_key(&w, "extensions");
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, TLP2_EXTENSION);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "extension_type");
        ts_jsonw_cstr(&w, "property-extension");
        ts_jsonw_key(&w, "tlp_2_0");
        ts_jsonw_cstr(&w, stix_tlp[i].word);
        ts_jsonw_object_end(&w);
        ts_jsonw_object_end(&w);
        ts_jsonw_object_end(&w);
    }
}

/* One cyber observable per address of a side; their ids into refs. */
static size_t stix_scos(ts_export_t *x, const ts_stored_event_t *se, const ts_endpoint_t *ep,
                        ts_buf_t *out, char refs[][80], size_t max)
{
    addrs_t a;
    side_addrs(ep, &a);
    size_t n = 0;
    for (size_t i = 0; i < a.n && n < max; i++) {
        char buf[TS_IP_STRLEN];
        const char *type = a.list[i].addr.family == TS_AF_INET ? "ipv4-addr" : "ipv6-addr";
        entry(&a.list[i], buf);
        snprintf(refs[n], 80, "%s--", type);
        uuid(x, type, 0, buf, refs[n] + strlen(refs[n]));
        ts_jsonw_t w;
        ts_buf_puts(out, ",\n");
        ts_jsonw_init(&w, out);
        ts_jsonw_object_begin(&w);
        stix_common(x, &w, type, refs[n], se->ev.tlp, false);
        ts_jsonw_key(&w, "value");
        ts_jsonw_cstr(&w, buf);
        ts_jsonw_object_end(&w);
        n++;
    }
    return n;
}

static void stix_event(ts_export_t *x, const ts_stored_event_t *se, ts_buf_t *out)
{
    const ts_event_t *e = &se->ev;
    enum { MAXREF = 64 };
    char refs[2 * MAXREF][80];
    size_t ns = stix_scos(x, se, &e->src, out, refs, MAXREF);
    size_t nd = stix_scos(x, se, &e->dst, out, refs + ns, MAXREF);
    char od[80], ind[80], sig[80], t[64], first[64];
    snprintf(od, sizeof od, "observed-data--");
    uuid(x, "observed-data", se->id, NULL, od + 15);
    tstamp(e->time_source != TS_TIME_NONE ? e->time_source : e->time_observation, first);
    ts_jsonw_t w;
    ts_buf_puts(out, ",\n");
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    stix_common(x, &w, "observed-data", od, e->tlp, true);
    ts_jsonw_key(&w, "first_observed");
    ts_jsonw_cstr(&w, first);
    ts_jsonw_key(&w, "last_observed");
    ts_jsonw_cstr(&w, first);
    ts_jsonw_key(&w, "number_observed");
    ts_jsonw_uint(&w, e->count ? e->count : 1);
    ts_jsonw_key(&w, "object_refs");
    ts_jsonw_array_begin(&w);
    for (size_t i = 0; i < ns + nd; i++)
        ts_jsonw_cstr(&w, refs[i]);
    if (ns + nd == 0) {
        /* observed-data needs an object: the CSIRT's identity stands in. */
        char ident[80];
        snprintf(ident, sizeof ident, "identity--");
        uuid(x, "identity", 0, NULL, ident + 10);
        ts_jsonw_cstr(&w, ident);
    }
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "labels");
    ts_jsonw_array_begin(&w);
    ts_jsonw_cstr(&w, ts_taxonomy_name(ts_type_taxonomy(e->type)));
    ts_jsonw_cstr(&w, ts_type_name(e->type));
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    if (ns == 0)
        return;
    /* The source addresses as an indicator, sighted in this event. */
    snprintf(ind, sizeof ind, "indicator--");
    uuid(x, "indicator", se->id, NULL, ind + 11);
    ts_buf_puts(out, ",\n");
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    stix_common(x, &w, "indicator", ind, e->tlp, true);
    char name[160];
    snprintf(name, sizeof name, "%s (%s)", ts_type_name(e->type),
             ts_taxonomy_name(ts_type_taxonomy(e->type)));
    ts_jsonw_key(&w, "name");
    ts_jsonw_cstr(&w, name);
    jkey_str(&w, "description", e->description);
    ts_jsonw_key(&w, "indicator_types");
    ts_jsonw_array_begin(&w);
    ts_jsonw_cstr(&w, "malicious-activity");
    ts_jsonw_array_end(&w);
    ts_buf_t pat = TS_BUF_INIT;
    addrs_t a;
    side_addrs(&e->src, &a);
    ts_buf_putc(&pat, '[');
    for (size_t i = 0; i < a.n && i < MAXREF; i++) {
        char buf[TS_IP_STRLEN];
        ts_buf_printf(&pat, "%s%s:value = '%s'", i ? " OR " : "",
                      a.list[i].addr.family == TS_AF_INET ? "ipv4-addr" : "ipv6-addr",
                      entry(&a.list[i], buf));
    }
    ts_buf_putc(&pat, ']');
    ts_jsonw_key(&w, "pattern");
    ts_jsonw_cstr(&w, pat.data);
    ts_buf_free(&pat);
    ts_jsonw_key(&w, "pattern_type");
    ts_jsonw_cstr(&w, "stix");
    ts_jsonw_key(&w, "valid_from");
    ts_jsonw_cstr(&w, first);
    ts_jsonw_object_end(&w);
    snprintf(sig, sizeof sig, "sighting--");
    uuid(x, "sighting", se->id, NULL, sig + 10);
    tstamp(x->now, t);
    ts_buf_puts(out, ",\n");
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    stix_common(x, &w, "sighting", sig, e->tlp, true);
    ts_jsonw_key(&w, "sighting_of_ref");
    ts_jsonw_cstr(&w, ind);
    ts_jsonw_key(&w, "observed_data_refs");
    ts_jsonw_array_begin(&w);
    ts_jsonw_cstr(&w, od);
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "count");
    ts_jsonw_uint(&w, e->count ? e->count : 1);
    ts_jsonw_object_end(&w);
}

/* ---- MISP core format -------------------------------------------------------------- */

/* The source of these types is the one doing harm: an IDS may match it. */
static bool source_is_attacker(ts_type_t type)
{
    static const char *const types[] = {
        "scanner",   "brute-force",          "exploit", "ids-alert", "spam",      "phishing",
        "c2-server", "malware-distribution", "ddos",    "dos",       "blacklist", "masquerade",
        "sniffing",  "social-engineering"};
    const char *name = ts_type_name(type);
    for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i], name) == 0)
            return true;
    return false;
}

static int misp_distribution(ts_tlp_t tlp)
{
    switch (tlp) {
    case TS_TLP_CLEAR:
        return 3; /* all communities */
    case TS_TLP_GREEN:
        return 2; /* connected communities */
    case TS_TLP_AMBER:
        return 1; /* this community only */
    default:
        return 0; /* your organisation only */
    }
}

static void misp_attr(ts_export_t *x, ts_jsonw_t *w, const ts_stored_event_t *se, const char *type,
                      const char *category, const char *value, bool ids, int *k)
{
    char id[40], tag[16];
    snprintf(tag, sizeof tag, "attr%d", (*k)++);
    uuid(x, tag, se->id, value, id);
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "uuid");
    ts_jsonw_cstr(w, id);
    ts_jsonw_key(w, "type");
    ts_jsonw_cstr(w, type);
    ts_jsonw_key(w, "category");
    ts_jsonw_cstr(w, category);
    ts_jsonw_key(w, "value");
    ts_jsonw_cstr(w, value);
    ts_jsonw_key(w, "to_ids");
    ts_jsonw_bool(w, ids);
    ts_jsonw_object_end(w);
}

static void misp_side(ts_export_t *x, ts_jsonw_t *w, const ts_stored_event_t *se,
                      const ts_endpoint_t *ep, bool src, int *k)
{
    bool ids = src && source_is_attacker(se->ev.type);
    addrs_t a;
    side_addrs(ep, &a);
    for (size_t i = 0; i < a.n && i < 1024; i++) {
        char buf[TS_IP_STRLEN];
        misp_attr(x, w, se, src ? "ip-src" : "ip-dst", "Network activity", entry(&a.list[i], buf),
                  ids, k);
    }
    char num[16];
    if (ep->port >= 0) {
        snprintf(num, sizeof num, "%d", (int)ep->port);
        misp_attr(x, w, se, "port", "Network activity", num, false, k);
    }
    char *s;
    if (ep->fqdn.len) {
        s = strndup(ep->fqdn.ptr, ep->fqdn.len);
        misp_attr(x, w, se, "hostname", "Network activity", s, ids, k);
        free(s);
    }
    if (ep->url.len) {
        s = strndup(ep->url.ptr, ep->url.len);
        misp_attr(x, w, se, "url", "Network activity", s, ids, k);
        free(s);
    }
}

static void misp_event(ts_export_t *x, const ts_stored_event_t *se, ts_buf_t *out)
{
    const ts_event_t *e = &se->ev;
    if (x->written)
        ts_buf_puts(out, ",\n");
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "Event");
    ts_jsonw_object_begin(&w);
    char id[40], t[64], info[256];
    uuid(x, "misp-event", se->id, NULL, id);
    ts_jsonw_key(&w, "uuid");
    ts_jsonw_cstr(&w, id);
    if (e->description.len)
        snprintf(info, sizeof info, "%.*s",
                 (int)(e->description.len > 200 ? 200 : e->description.len), e->description.ptr);
    else
        snprintf(info, sizeof info, "%s event %" PRId64, ts_type_name(e->type), se->id);
    ts_jsonw_key(&w, "info");
    ts_jsonw_cstr(&w, info);
    int64_t when = e->time_source != TS_TIME_NONE ? e->time_source : e->time_observation;
    tstamp(when != TS_TIME_NONE ? when : x->now, t);
    t[10] = '\0';
    ts_jsonw_key(&w, "date");
    ts_jsonw_cstr(&w, t);
    ts_jsonw_key(&w, "threat_level_id");
    ts_jsonw_cstr(&w, "4");
    ts_jsonw_key(&w, "analysis");
    ts_jsonw_cstr(&w, "2");
    char num[24];
    snprintf(num, sizeof num, "%d", misp_distribution(e->tlp));
    ts_jsonw_key(&w, "distribution");
    ts_jsonw_cstr(&w, num);
    ts_jsonw_key(&w, "published");
    ts_jsonw_bool(&w, false);
    snprintf(num, sizeof num, "%" PRId64, x->now / 1000000);
    ts_jsonw_key(&w, "timestamp");
    ts_jsonw_cstr(&w, num);
    ts_jsonw_key(&w, "Orgc");
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "name");
    ts_jsonw_cstr(&w, x->csirt);
    ts_jsonw_object_end(&w);
    ts_jsonw_key(&w, "Tag");
    ts_jsonw_array_begin(&w);
    char tag[160];
    if (ts_tlp_name(e->tlp)) {
        snprintf(tag, sizeof tag, "tlp:%s", ts_tlp_name(e->tlp));
        for (char *p = tag; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p | 0x20);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "name");
        ts_jsonw_cstr(&w, tag);
        ts_jsonw_object_end(&w);
    }
    snprintf(tag, sizeof tag, "rsit:%s=\"%s\"", ts_taxonomy_name(ts_type_taxonomy(e->type)),
             ts_type_name(e->type));
    ts_jsonw_object_begin(&w);
    ts_jsonw_key(&w, "name");
    ts_jsonw_cstr(&w, tag);
    ts_jsonw_object_end(&w);
    ts_jsonw_array_end(&w);
    ts_jsonw_key(&w, "Attribute");
    ts_jsonw_array_begin(&w);
    int k = 0;
    misp_side(x, &w, se, &e->src, true, &k);
    misp_side(x, &w, se, &e->dst, false, &k);
    ts_jsonw_array_end(&w);
    ts_jsonw_object_end(&w);
    ts_jsonw_object_end(&w);
}

/* ---- Dispatch -------------------------------------------------------------------- */

void ts_export_begin(ts_export_t *x, ts_export_fmt_t fmt, int64_t now, ts_buf_t *out)
{
    memset(x, 0, sizeof *x);
    x->fmt = fmt;
    x->now = now;
    x->csirt = getenv("TOCSIN_CSIRT_NAME");
    if (x->csirt == NULL || *x->csirt == '\0')
        x->csirt = "tocsin CSIRT";
    switch (fmt) {
    case TS_EXPORT_IODEF:
        ts_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<IODEF-Document version=\"2.00\" xml:lang=\"en\""
                         " xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">\n");
        break;
    case TS_EXPORT_STIX:
        stix_begin(x, out);
        break;
    case TS_EXPORT_MISP:
        ts_buf_puts(out, "{\"response\":[\n");
        break;
    case TS_EXPORT_IDEA:
        break;
    }
}

bool ts_export_event(ts_export_t *x, const ts_stored_event_t *ev, ts_buf_t *out)
{
    if (!ts_export_allowed(ev->ev.tlp)) {
        x->withheld++;
        return false;
    }
    switch (x->fmt) {
    case TS_EXPORT_IDEA:
        idea_event(x, ev, out);
        break;
    case TS_EXPORT_IODEF:
        iodef_event(x, ev, out);
        break;
    case TS_EXPORT_STIX:
        stix_event(x, ev, out);
        break;
    case TS_EXPORT_MISP:
        misp_event(x, ev, out);
        break;
    }
    x->written++;
    return true;
}

void ts_export_end(ts_export_t *x, ts_buf_t *out)
{
    switch (x->fmt) {
    case TS_EXPORT_IODEF:
        if (x->written == 0) {
            char t[64];
            tstamp(x->now, t);
            ts_buf_puts(out, "<Incident purpose=\"reporting\" restriction=\"private\">"
                             "<IncidentID name=\"");
            ts_markup_text(out, x->csirt);
            ts_buf_printf(out,
                          "\">none</IncidentID><GenerationTime>%s</GenerationTime>"
                          "<Description>no events</Description>",
                          t);
            iodef_contact(x, out);
            ts_buf_puts(out, "</Incident>\n");
        }
        ts_buf_puts(out, "</IODEF-Document>\n");
        break;
    case TS_EXPORT_STIX:
    case TS_EXPORT_MISP:
        ts_buf_puts(out, "\n]}\n");
        break;
    case TS_EXPORT_IDEA:
        break;
    }
}
