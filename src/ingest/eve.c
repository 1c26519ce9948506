/* SPDX-License-Identifier: Apache-2.0 */
/* Suricata EVE JSON: one object per line.
 *
 * Decisions:
 * - Only event_type "alert" becomes an event. Every other type (flow, dns,
 *   http, tls, stats, fileinfo, ...) and unknown future types are context and
 *   give TS_PARSE_SKIP. "anomaly" (decoder/protocol oddities, very noisy) and
 *   "drop" (IPS packet drops, which accompany the alert of the dropping rule
 *   and would count it twice) are skipped as well. A skipped line is still
 *   fully validated JSON with a string event_type, else it is an error.
 * - Mandatory for alerts: timestamp, src_ip, dest_ip, alert (object) with an
 *   integer alert.signature_id. Ports are optional (ICMP) but, when present,
 *   must be integers in 0-65535.
 * - classification.type from alert.category (ts_suricata_category_type; an
 *   alert without category is ids-alert); classification.identifier is
 *   "sid-<sid>" for gid 1 (or no gid), "gid-<gid>-sid-<sid>" otherwise:
 *   lower case as IntelMQ identifiers are, and stable across rule revisions.
 * - protocol.transport = proto lower-cased; protocol.application = app_proto
 *   lower-cased, omitted when "failed" or "unknown" (no application known).
 * - http.hostname / tls.sni name the server; they set the server side's fqdn
 *   only when the alert says which side that is (direction "to_server": the
 *   destination; "to_client": the source) and the name is a DNS name.
 * - extra keys: alert.signature_id, alert.gid, alert.rev, alert.severity,
 *   alert.action, alert.category, suricata.flow_id, suricata.in_iface,
 *   http.hostname, http.url, tls.sni, dns.rrname (values as JSON text).
 * - Duplicate keys: the last occurrence wins. */
#include <string.h>

#include "core/jsonscan.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

/* Members of interest, collected in one pass over the line: nested objects
 * are opened in place (ts_jscan_open) rather than skipped by the top-level
 * walk and re-scanned afterwards, so each byte is validated once. Values are
 * only interpreted once the whole line has been validated. A container value
 * kept here has raw.len == 0 (see ts_jscan_object_next_lazy); only its type
 * is ever looked at. */
struct eve_alert {
    ts_jscan_val_t sig, sid, gid, rev, sev, cat, act;
};

struct eve_top {
    ts_jscan_val_t timestamp, event_type, src_ip, src_port, dest_ip, dest_port, proto, app_proto,
        flow_id, in_iface, alert, http, tls, dns, direction;
    struct eve_alert al;
    ts_jscan_val_t http_host, http_url, tls_sni, dns_rrname, dns_q_rrname;
};

#define KEY_IS(k, lit) ((k).len == sizeof(lit) - 1 && memcmp((k).ptr, lit, sizeof(lit) - 1) == 0)

typedef void (*member_fn)(void *ctx, ts_jscan_iter_t *it, ts_str_t key, const ts_jscan_val_t *v);

/* Walks the object value v left pending in it, handing each member to fn
 * (which may open the member's own value in turn). Failures land in it->err,
 * where the caller's next walk step finds them. */
static void walk_object(ts_jscan_iter_t *it, ts_jscan_val_t *v, member_fn fn, void *ctx)
{
    ts_jscan_iter_t c;
    if (ts_jscan_open(it, &c) != 0)
        return;
    ts_jscan_key_t k;
    ts_jscan_val_t mv;
    char kb[32];
    while (ts_jscan_object_next_lazy(&c, &k, &mv) == 1)
        fn(ctx, &c, ts_pkey(&k, kb, sizeof kb), &mv);
    (void)!ts_jscan_close(it, &c, v);
}

static void alert_member(void *ctx, ts_jscan_iter_t *it, ts_str_t k, const ts_jscan_val_t *v)
{
    struct eve_alert *al = ctx;
    (void)it;
    switch (k.len) {
    case 3:
        if (KEY_IS(k, "gid"))
            al->gid = *v;
        else if (KEY_IS(k, "rev"))
            al->rev = *v;
        break;
    case 6:
        if (KEY_IS(k, "action"))
            al->act = *v;
        break;
    case 8:
        if (KEY_IS(k, "category"))
            al->cat = *v;
        else if (KEY_IS(k, "severity"))
            al->sev = *v;
        break;
    case 9:
        if (KEY_IS(k, "signature"))
            al->sig = *v;
        break;
    case 12:
        if (KEY_IS(k, "signature_id"))
            al->sid = *v;
        break;
    default:
        break;
    }
}

static void http_member(void *ctx, ts_jscan_iter_t *it, ts_str_t k, const ts_jscan_val_t *v)
{
    struct eve_top *t = ctx;
    (void)it;
    if (KEY_IS(k, "hostname"))
        t->http_host = *v;
    else if (KEY_IS(k, "url"))
        t->http_url = *v;
}

static void tls_member(void *ctx, ts_jscan_iter_t *it, ts_str_t k, const ts_jscan_val_t *v)
{
    struct eve_top *t = ctx;
    (void)it;
    if (KEY_IS(k, "sni"))
        t->tls_sni = *v;
}

static void rrname_member(void *ctx, ts_jscan_iter_t *it, ts_str_t k, const ts_jscan_val_t *v)
{
    (void)it;
    if (KEY_IS(k, "rrname"))
        *(ts_jscan_val_t *)ctx = *v;
}

static void dns_member(void *ctx, ts_jscan_iter_t *it, ts_str_t k, const ts_jscan_val_t *v)
{
    struct eve_top *t = ctx;
    if (KEY_IS(k, "rrname")) {
        t->dns_rrname = *v;
    } else if (KEY_IS(k, "query")) {
        /* EVE v2: the name is dns.query[0].rrname. */
        memset(&t->dns_q_rrname, 0, sizeof t->dns_q_rrname);
        if (v->type != TS_JSCAN_ARRAY)
            return;
        ts_jscan_iter_t q;
        ts_jscan_val_t first, arr = *v;
        if (ts_jscan_open(it, &q) != 0)
            return;
        if (ts_jscan_array_next_lazy(&q, &first) == 1 && first.type == TS_JSCAN_OBJECT)
            walk_object(&q, &first, rrname_member, &t->dns_q_rrname);
        (void)!ts_jscan_close(it, &q, &arr);
    }
}

static void top_member(struct eve_top *t, ts_jscan_iter_t *it, ts_str_t k, ts_jscan_val_t *v)
{
    switch (k.len) {
    case 3:
        if (KEY_IS(k, "dns")) {
            t->dns = *v;
            memset(&t->dns_rrname, 0, sizeof t->dns_rrname);
            memset(&t->dns_q_rrname, 0, sizeof t->dns_q_rrname);
            if (v->type == TS_JSCAN_OBJECT)
                walk_object(it, v, dns_member, t);
        } else if (KEY_IS(k, "tls")) {
            t->tls = *v;
            memset(&t->tls_sni, 0, sizeof t->tls_sni);
            if (v->type == TS_JSCAN_OBJECT)
                walk_object(it, v, tls_member, t);
        }
        break;
    case 4:
        if (KEY_IS(k, "http")) {
            t->http = *v;
            memset(&t->http_host, 0, sizeof t->http_host);
            memset(&t->http_url, 0, sizeof t->http_url);
            if (v->type == TS_JSCAN_OBJECT)
                walk_object(it, v, http_member, t);
        }
        break;
    case 5:
        if (KEY_IS(k, "alert")) {
            t->alert = *v;
            memset(&t->al, 0, sizeof t->al);
            if (v->type == TS_JSCAN_OBJECT)
                walk_object(it, v, alert_member, &t->al);
        } else if (KEY_IS(k, "proto")) {
            t->proto = *v;
        }
        break;
    case 6:
        if (KEY_IS(k, "src_ip"))
            t->src_ip = *v;
        break;
    case 7:
        if (KEY_IS(k, "dest_ip"))
            t->dest_ip = *v;
        else if (KEY_IS(k, "flow_id"))
            t->flow_id = *v;
        break;
    case 8:
        if (KEY_IS(k, "src_port"))
            t->src_port = *v;
        else if (KEY_IS(k, "in_iface"))
            t->in_iface = *v;
        break;
    case 9:
        if (KEY_IS(k, "timestamp"))
            t->timestamp = *v;
        else if (KEY_IS(k, "dest_port"))
            t->dest_port = *v;
        else if (KEY_IS(k, "app_proto"))
            t->app_proto = *v;
        else if (KEY_IS(k, "direction"))
            t->direction = *v;
        break;
    case 10:
        if (KEY_IS(k, "event_type"))
            t->event_type = *v;
        break;
    default:
        break;
    }
}

static int parse_ip(const ts_jscan_val_t *v, const char *field, ts_ip_t *out, ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "%s: missing", field);
    char buf[TS_IP_STRLEN];
    ts_str_t s;
    int rc = ts_pstr_small(v, buf, sizeof buf, &s);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "%s: expected a string, got %s", field,
                       ts_jscan_type_name(v->type));
    if (rc != 0 || ts_ip_parse(s.ptr, s.len, out) != 0)
        return ts_perr(err, TS_EADDR, "%s: not an IP address", field);
    return 0;
}

static int add_extra(ts_arena_t *a, ts_event_t *e, const char *key, const ts_jscan_val_t *v,
                     ts_jscan_type_t want, ts_parse_error_t *err)
{
    if (v->type == TS_JSCAN_NONE)
        return 0;
    if (v->type != want)
        return ts_perr(err, TS_ETYPE, "%s: expected %s, got %s", key, ts_jscan_type_name(want),
                       ts_jscan_type_name(v->type));
    if (want == TS_JSCAN_NUMBER && !v->integer)
        return ts_perr(err, TS_ETYPE, "%s: expected an integer", key);
    return ts_pextra(a, e, ts_str_c(key), v, err);
}

/* Decimal digits of x into p (no NUL); returns the length. */
static size_t put_u64(char *p, uint64_t x)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static int parse_alert(const ts_jscan_val_t *av, const struct eve_alert *al, ts_arena_t *a,
                       ts_event_t *e, ts_parse_error_t *err)
{
    if (av->type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "alert: missing");
    if (av->type != TS_JSCAN_OBJECT)
        return ts_perr(err, TS_ETYPE, "alert: expected an object, got %s",
                       ts_jscan_type_name(av->type));
    const ts_jscan_val_t sid = al->sid, gid = al->gid, rev = al->rev, sev = al->sev, cat = al->cat,
                         act = al->act, sig = al->sig;
    int rc;

    uint64_t sidn, gidn = 1;
    if (sid.type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "alert.signature_id: missing");
    if ((rc = ts_jscan_uint64(&sid, &sidn)) != 0)
        return ts_perr(err, rc, "alert.signature_id: expected a non-negative integer");
    if (gid.type != TS_JSCAN_NONE && (rc = ts_jscan_uint64(&gid, &gidn)) != 0)
        return ts_perr(err, rc, "alert.gid: expected a non-negative integer");

    char idbuf[64], *p = idbuf;
    if (gidn != 1) {
        memcpy(p, "gid-", 4);
        p += 4;
        p += put_u64(p, gidn);
        *p++ = '-';
    }
    memcpy(p, "sid-", 4);
    p += 4;
    p += put_u64(p, sidn);
    e->identifier = ts_arena_strdup(a, ts_str(idbuf, (size_t)(p - idbuf)));

    if (sig.type != TS_JSCAN_NONE &&
        (rc = ts_pstr(a, &sig, "alert.signature", false, &e->description, err)) != 0)
        return rc;
    if (cat.type != TS_JSCAN_NONE) {
        char cb[96];
        ts_str_t cs;
        rc = ts_pstr_small(&cat, cb, sizeof cb, &cs);
        if (rc == TS_ETYPE)
            return ts_perr(err, rc, "alert.category: expected a string, got %s",
                           ts_jscan_type_name(cat.type));
        /* Too long or odd to be a classtype: the generic type. */
        e->type = rc == 0 ? ts_suricata_category_type(cs.ptr, cs.len) : TS_TYPE_IDS_ALERT;
    } else {
        e->type = TS_TYPE_IDS_ALERT;
    }
    if ((rc = ts_pextra(a, e, TS_STR_LIT("alert.signature_id"), &sid, err)) != 0 ||
        (rc = add_extra(a, e, "alert.gid", &gid, TS_JSCAN_NUMBER, err)) != 0 ||
        (rc = add_extra(a, e, "alert.rev", &rev, TS_JSCAN_NUMBER, err)) != 0 ||
        (rc = add_extra(a, e, "alert.severity", &sev, TS_JSCAN_NUMBER, err)) != 0 ||
        (rc = add_extra(a, e, "alert.action", &act, TS_JSCAN_STRING, err)) != 0 ||
        (rc = add_extra(a, e, "alert.category", &cat, TS_JSCAN_STRING, err)) != 0)
        return rc;
    return 0;
}

static int set_fqdn(ts_arena_t *a, ts_event_t *e, int server_side, const ts_jscan_val_t *v)
{
    if (server_side == 0 || v->type != TS_JSCAN_STRING)
        return 0;
    char buf[256];
    ts_str_t s;
    if (ts_pstr_small(v, buf, sizeof buf, &s) != 0 || !ts_pdns_name(s))
        return 0;
    ts_endpoint_t *ep = server_side > 0 ? &e->dst : &e->src;
    if (ts_str_is_null(ep->fqdn))
        ep->fqdn = ts_pdns_copy(a, s);
    return 0;
}

int ts_eve_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                 ts_parse_error_t *err)
{
    ts_jscan_iter_t it;
    if (ts_jscan_object_begin(&it, line, len) != 0)
        return ts_perr(err, TS_ESYNTAX, "not a JSON object");
    struct eve_top t;
    memset(&t, 0, sizeof t);
    ts_jscan_key_t k;
    ts_jscan_val_t v;
    char kb[32];
    int rc;
    while ((rc = ts_jscan_object_next_lazy(&it, &k, &v)) == 1)
        top_member(&t, &it, ts_pkey(&k, kb, sizeof kb), &v);
    if (rc < 0)
        return ts_perr_json(err, &it);

    if (t.event_type.type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "event_type: missing");
    char etb[32];
    ts_str_t et;
    rc = ts_pstr_small(&t.event_type, etb, sizeof etb, &et);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "event_type: expected a string, got %s",
                       ts_jscan_type_name(t.event_type.type));
    if (rc != 0 || !KEY_IS(et, "alert"))
        return TS_PARSE_SKIP;

    ts_event_t *e = out;
    ts_event_init(e);
    e->feed_name = TS_STR_LIT("suricata");

    if (t.timestamp.type == TS_JSCAN_NONE)
        return ts_perr(err, TS_EMISSING, "timestamp: missing");
    char tb[64];
    ts_str_t ts;
    rc = ts_pstr_small(&t.timestamp, tb, sizeof tb, &ts);
    if (rc == TS_ETYPE)
        return ts_perr(err, TS_ETYPE, "timestamp: expected a string, got %s",
                       ts_jscan_type_name(t.timestamp.type));
    if (rc != 0 || ts_time_parse(ts.ptr, ts.len, &e->time_source) != 0)
        return ts_perr(err, TS_EINVAL, "timestamp: not a valid time");

    if ((rc = parse_ip(&t.src_ip, "src_ip", &e->src.ip, err)) != 0 ||
        (rc = parse_ip(&t.dest_ip, "dest_ip", &e->dst.ip, err)) != 0)
        return rc;
    if (t.src_port.type != TS_JSCAN_NONE &&
        (rc = ts_pport(&t.src_port, "src_port", &e->src.port, err)) != 0)
        return rc;
    if (t.dest_port.type != TS_JSCAN_NONE &&
        (rc = ts_pport(&t.dest_port, "dest_port", &e->dst.port, err)) != 0)
        return rc;
    if (t.proto.type != TS_JSCAN_NONE &&
        (rc = ts_pstr(arena, &t.proto, "proto", true, &e->transport, err)) != 0)
        return rc;
    if (t.app_proto.type != TS_JSCAN_NONE) {
        if ((rc = ts_pstr(arena, &t.app_proto, "app_proto", true, &e->application, err)) != 0)
            return rc;
        if (ts_str_eq_c(e->application, "failed") || ts_str_eq_c(e->application, "unknown"))
            e->application = TS_STR_NULL;
    }
    if ((rc = parse_alert(&t.alert, &t.al, arena, e, err)) != 0)
        return rc;

    if (t.flow_id.type != TS_JSCAN_NONE) {
        uint64_t fid;
        if ((rc = ts_jscan_uint64(&t.flow_id, &fid)) != 0)
            return ts_perr(err, rc, "flow_id: expected a 64-bit unsigned integer");
        if ((rc = ts_pextra(arena, e, TS_STR_LIT("suricata.flow_id"), &t.flow_id, err)) != 0)
            return rc;
    }
    if ((rc = add_extra(arena, e, "suricata.in_iface", &t.in_iface, TS_JSCAN_STRING, err)) != 0)
        return rc;

    int server_side = 0;
    if (t.direction.type == TS_JSCAN_STRING) {
        ts_str_t d = ts_jscan_str_raw(&t.direction);
        server_side = KEY_IS(d, "to_server") ? 1 : KEY_IS(d, "to_client") ? -1 : 0;
    }
    if (t.http.type == TS_JSCAN_OBJECT) {
        if ((rc = add_extra(arena, e, "http.hostname", &t.http_host, TS_JSCAN_STRING, err)) != 0 ||
            (rc = add_extra(arena, e, "http.url", &t.http_url, TS_JSCAN_STRING, err)) != 0)
            return rc;
        set_fqdn(arena, e, server_side, &t.http_host);
    }
    if (t.tls.type == TS_JSCAN_OBJECT) {
        if ((rc = add_extra(arena, e, "tls.sni", &t.tls_sni, TS_JSCAN_STRING, err)) != 0)
            return rc;
        set_fqdn(arena, e, server_side, &t.tls_sni);
    }
    if (t.dns.type == TS_JSCAN_OBJECT) {
        /* EVE v1 puts rrname in dns; alerts in v2 carry dns.query[0].rrname. */
        const ts_jscan_val_t *rr =
            t.dns_rrname.type != TS_JSCAN_NONE ? &t.dns_rrname : &t.dns_q_rrname;
        if ((rc = add_extra(arena, e, "dns.rrname", rr, TS_JSCAN_STRING, err)) != 0)
            return rc;
    }
    return TS_PARSE_EVENT;
}
