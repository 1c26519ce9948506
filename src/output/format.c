/* SPDX-License-Identifier: Apache-2.0 */
/* Event output formats; the rules each format follows are in format.h. */
#include "output/format.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/taxonomy.h"
#include "core/tlp.h"
#include "core/utf8.h"

#define ELLIPSIS "\xE2\x80\xA6"

static const char *role_name(ts_role_t role)
{
    switch (role) {
    case TS_ROLE_SOURCE:
        return "source";
    case TS_ROLE_DESTINATION:
        return "destination";
    }
    return NULL;
}

static const char *kind_name(ts_rule_kind_t kind)
{
    switch (kind) {
    case TS_RULE_NETWORK:
        return "network";
    case TS_RULE_ASN:
        return "asn";
    case TS_RULE_DOMAIN:
        return "domain";
    }
    return NULL;
}

/* Links as the store hands them; a negative count is none. */
static int n_links(const ts_stored_event_t *ev)
{
    return ev->n_links < 0 || ev->links == NULL ? 0 : ev->n_links;
}

static const char *type_name(const ts_event_t *e)
{
    return ts_type_name(e->type);
}

static const char *taxonomy_name(const ts_event_t *e)
{
    return ts_type_name(e->type) ? ts_taxonomy_name(ts_type_taxonomy(e->type)) : NULL;
}

int ts_format_parse(const char *name, ts_format_t *out)
{
    if (name == NULL)
        return TS_EINVAL;
    if (strcmp(name, "table") == 0)
        *out = TS_FMT_TABLE;
    else if (strcmp(name, "json") == 0 || strcmp(name, "ndjson") == 0)
        *out = TS_FMT_JSON;
    else if (strcmp(name, "csv") == 0)
        *out = TS_FMT_CSV;
    else
        return TS_EINVAL;
    return 0;
}

const char *ts_format_name(ts_format_t fmt)
{
    switch (fmt) {
    case TS_FMT_TABLE:
        return "table";
    case TS_FMT_JSON:
        return "json";
    case TS_FMT_CSV:
        return "csv";
    }
    return "unknown";
}

/* ---- json ------------------------------------------------------------------ */

static void j_str(ts_jsonw_t *w, const char *key, ts_str_t s)
{
    if (s.ptr == NULL)
        return;
    ts_jsonw_key(w, key);
    ts_jsonw_str(w, s);
}

static void j_cstr(ts_jsonw_t *w, const char *key, const char *s)
{
    if (s == NULL)
        return;
    ts_jsonw_key(w, key);
    ts_jsonw_cstr(w, s);
}

static void j_time(ts_jsonw_t *w, const char *key, int64_t us)
{
    if (us == TS_TIME_NONE)
        return;
    char t[64];
    size_t n = ts_time_format(us, t, sizeof t);
    ts_jsonw_key(w, key);
    ts_jsonw_str(w, ts_str(t, n));
}

static void j_endpoint(ts_jsonw_t *w, const char *side, const ts_endpoint_t *ep)
{
    char key[32];
    if (ep->ip.family != TS_AF_NONE) {
        char ip[TS_IP_STRLEN];
        size_t n = ts_ip_format(&ep->ip, ip, sizeof ip);
        snprintf(key, sizeof key, "%s.ip", side);
        ts_jsonw_key(w, key);
        ts_jsonw_str(w, ts_str(ip, n));
    }
    if (ep->port >= 0 && ep->port <= 65535) {
        snprintf(key, sizeof key, "%s.port", side);
        ts_jsonw_key(w, key);
        ts_jsonw_int(w, ep->port);
    }
    if (ep->asn >= 0) {
        snprintf(key, sizeof key, "%s.asn", side);
        ts_jsonw_key(w, key);
        ts_jsonw_int(w, ep->asn);
    }
    snprintf(key, sizeof key, "%s.fqdn", side);
    j_str(w, key, ep->fqdn);
    snprintf(key, sizeof key, "%s.url", side);
    j_str(w, key, ep->url);
    if (ep->network.addr.family != TS_AF_NONE) {
        char net[TS_IP_STRLEN];
        size_t n = ts_prefix_format(&ep->network, net, sizeof net);
        snprintf(key, sizeof key, "%s.network", side);
        ts_jsonw_key(w, key);
        ts_jsonw_str(w, ts_str(net, n));
    }
}

/* A target list as an object: count (when known), exact, summary, list. */
static void j_targets(ts_jsonw_t *w, const char *key, const ts_targets_t *t)
{
    if (t == NULL || t->n == 0)
        return;
    ts_jsonw_key(w, key);
    ts_format_targets_json(w, t, t->n);
}

/* "extra." + key as a C string for the writer. A NUL inside the key (the
 * writer takes C strings) becomes U+FFFD rather than cutting the key short. */
static void j_extra_key(ts_jsonw_t *w, ts_buf_t *tmp, ts_str_t key)
{
    ts_buf_reset(tmp);
    ts_buf_puts(tmp, "extra.");
    for (size_t i = 0; i < key.len; i++) {
        if (key.ptr[i] == '\0')
            ts_buf_puts(tmp, TS_UTF8_REPLACEMENT);
        else
            ts_buf_putc(tmp, key.ptr[i]);
    }
    ts_jsonw_key(w, tmp->data);
}

static void json_event(const ts_stored_event_t *ev, ts_buf_t *out)
{
    const ts_event_t *e = &ev->ev;
    ts_jsonw_t w;
    ts_jsonw_init(&w, out);
    ts_jsonw_object_begin(&w);
    j_time(&w, "time.source", e->time_source);
    j_time(&w, "time.observation", e->time_observation);
    j_cstr(&w, "classification.taxonomy", taxonomy_name(e));
    j_cstr(&w, "classification.type", type_name(e));
    j_str(&w, "classification.identifier", e->identifier);
    j_str(&w, "event_description.text", e->description);
    j_endpoint(&w, "source", &e->src);
    j_endpoint(&w, "destination", &e->dst);
    j_str(&w, "protocol.transport", e->transport);
    j_str(&w, "protocol.application", e->application);
    j_str(&w, "feed.name", e->feed_name);
    j_str(&w, "feed.provider", e->feed_provider);
    j_cstr(&w, "tlp", ts_tlp_name(e->tlp));

    uint32_t n_extra = e->n_extra > TS_EVENT_EXTRA_MAX ? TS_EVENT_EXTRA_MAX : e->n_extra;
    ts_buf_t tmp = TS_BUF_INIT;
    for (uint32_t i = 0; i < n_extra; i++) {
        const ts_extra_t *x = &e->extra[i];
        if (x->key.ptr == NULL)
            continue;
        /* A repeated key would make the object ambiguous (parsers disagree
         * on which one wins): the first one is kept. */
        bool dup = false;
        for (uint32_t j = 0; j < i && !dup; j++)
            dup = e->extra[j].key.ptr != NULL && ts_str_eq(e->extra[j].key, x->key);
        if (dup)
            continue;
        j_extra_key(&w, &tmp, x->key);
        ts_jsonw_raw(&w, x->value_json);
    }
    ts_buf_free(&tmp);

    ts_jsonw_key(&w, "tocsin.id");
    ts_jsonw_int(&w, ev->id);
    ts_jsonw_key(&w, "tocsin.count");
    ts_jsonw_uint(&w, e->count);
    j_targets(&w, "tocsin.source.targets", e->src.targets);
    j_targets(&w, "tocsin.destination.targets", e->dst.targets);
    int nl = n_links(ev);
    if (nl > 0) {
        j_cstr(&w, "tocsin.site", ev->links[0].match.site_name);
        j_cstr(&w, "tocsin.role", role_name(ev->links[0].role));
        ts_jsonw_key(&w, "tocsin.links");
        ts_jsonw_array_begin(&w);
        for (int i = 0; i < nl; i++) {
            const ts_link_t *l = &ev->links[i];
            ts_jsonw_object_begin(&w);
            j_cstr(&w, "site", l->match.site_name);
            j_cstr(&w, "role", role_name(l->role));
            j_cstr(&w, "rule", l->match.rule);
            j_cstr(&w, "match", kind_name(l->match.kind));
            j_targets(&w, "targets", &l->own);
            ts_jsonw_object_end(&w);
        }
        ts_jsonw_array_end(&w);
    }
    ts_jsonw_object_end(&w);
    ts_buf_putc(out, '\n');
}

/* ---- csv ------------------------------------------------------------------- */

static const char *const csv_columns[] = {
    "id",
    "time.source",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "source.ip",
    "source.port",
    "source.asn",
    "source.fqdn",
    "destination.ip",
    "destination.port",
    "destination.asn",
    "destination.fqdn",
    "protocol.transport",
    "protocol.application",
    "feed.name",
    "event_description.text",
    "site",
    "role",
    "rule",
    "tlp",
    "source.network",
    "source.target_count",
    "source.targets",
    "destination.network",
    "destination.target_count",
    "destination.targets",
};

/* One text field, preceded by a comma unless first. */
static void csv_text(ts_buf_t *out, const char *s, size_t n, bool first)
{
    if (!first)
        ts_buf_putc(out, ',');
    if (s == NULL || n == 0)
        return;
    const unsigned char *p = (const unsigned char *)s;
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
    if (quote)
        ts_buf_putc(out, '"');
    if (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' || p[0] == '\t' || p[0] == '\r')
        ts_buf_putc(out, '\'');
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"')
            run++;
        ts_buf_append(out, p + i, run - i);
        i = run;
        if (i >= n)
            break;
        unsigned c = p[i];
        if (c == '"') {
            ts_buf_append(out, "\"\"", 2);
            i++;
        } else if (c == '\t' || c == '\r' || c == '\n') {
            ts_buf_putc(out, (char)c);
            i++;
        } else if (c < 0x80) { /* other C0 controls, NUL and DEL */
            ts_buf_puts(out, TS_UTF8_REPLACEMENT);
            i++;
        } else {
            uint32_t cp;
            size_t len = ts_utf8_next(p + i, n - i, &cp);
            if (cp == TS_UTF8_BAD || cp <= 0x9F) /* invalid, or a C1 control */
                ts_buf_puts(out, TS_UTF8_REPLACEMENT);
            else
                ts_buf_append(out, p + i, len);
            i += len;
        }
    }
    if (quote)
        ts_buf_putc(out, '"');
}

void ts_format_targets_json(ts_jsonw_t *w, const ts_targets_t *t, uint32_t max)
{
    ts_jsonw_object_begin(w);
    if (t->count > 0) {
        ts_jsonw_key(w, "count");
        ts_jsonw_uint(w, t->count);
    }
    ts_jsonw_key(w, "exact");
    ts_jsonw_bool(w, ts_targets_exact(t));
    char sum[160];
    size_t n = ts_targets_summary(t, sum, sizeof sum);
    ts_jsonw_key(w, "summary");
    ts_jsonw_str(w, ts_str(sum, n));
    ts_jsonw_key(w, "list");
    ts_jsonw_array_begin(w);
    uint32_t shown = t->n < max ? t->n : max;
    for (uint32_t i = 0; i < shown; i++) {
        char e[TS_IP_STRLEN];
        ts_jsonw_str(w, ts_str(e, ts_targets_entry_text(&t->list[i], e, sizeof e)));
    }
    ts_jsonw_array_end(w);
    if (shown < t->n) {
        ts_jsonw_key(w, "more");
        ts_jsonw_uint(w, t->n - shown);
    }
    ts_jsonw_object_end(w);
}

void ts_format_csv_text(ts_buf_t *out, const char *s, bool first)
{
    csv_text(out, s, s ? strlen(s) : 0, first);
}

static void csv_slice(ts_buf_t *out, ts_str_t s)
{
    csv_text(out, s.ptr, s.len, false);
}

static void csv_cstr(ts_buf_t *out, const char *s)
{
    csv_text(out, s, s ? strlen(s) : 0, false);
}

/* Numeric columns are produced here, never from text, so need no protection. */
static void csv_int(ts_buf_t *out, bool present, int64_t v)
{
    ts_buf_putc(out, ',');
    if (present)
        ts_buf_printf(out, "%" PRId64, v);
}

static void csv_endpoint(ts_buf_t *out, const ts_endpoint_t *ep)
{
    char ip[TS_IP_STRLEN];
    size_t n = ep->ip.family != TS_AF_NONE ? ts_ip_format(&ep->ip, ip, sizeof ip) : 0;
    csv_text(out, ip, n, false);
    csv_int(out, ep->port >= 0 && ep->port <= 65535, ep->port);
    csv_int(out, ep->asn >= 0, ep->asn);
    csv_slice(out, ep->fqdn);
}

/* network, target count (empty when unknown), the list space-separated:
 * tocsin writes them all, so they need no protection. */
static void csv_side_targets(ts_buf_t *out, const ts_endpoint_t *ep)
{
    char net[TS_IP_STRLEN];
    size_t n = 0;
    if (ep->network.addr.family != TS_AF_NONE)
        n = ts_prefix_format(&ep->network, net, sizeof net);
    csv_text(out, net, n, false);
    const ts_targets_t *t = ep->targets;
    bool has = t != NULL && t->n > 0;
    csv_int(out, has && t->count > 0, has ? (int64_t)t->count : 0);
    ts_buf_putc(out, ',');
    if (has)
        ts_targets_format(t->list, t->n, out);
}

static void csv_header(ts_buf_t *out)
{
    for (size_t i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++) {
        if (i)
            ts_buf_putc(out, ',');
        ts_buf_puts(out, csv_columns[i]);
    }
    ts_buf_puts(out, "\r\n");
}

static void csv_event(const ts_stored_event_t *ev, ts_buf_t *out)
{
    const ts_event_t *e = &ev->ev;
    ts_buf_printf(out, "%" PRId64, ev->id);
    char t[64];
    /* As the API's JSON writes times, so that a CSV download reads the same. */
    size_t tn =
        e->time_source != TS_TIME_NONE ? ts_time_format_utc(e->time_source, t, sizeof t) : 0;
    csv_text(out, t, tn, false);
    csv_cstr(out, taxonomy_name(e));
    csv_cstr(out, type_name(e));
    csv_slice(out, e->identifier);
    csv_endpoint(out, &e->src);
    csv_endpoint(out, &e->dst);
    csv_slice(out, e->transport);
    csv_slice(out, e->application);
    csv_slice(out, e->feed_name);
    csv_slice(out, e->description);
    const ts_link_t *l = n_links(ev) > 0 ? &ev->links[0] : NULL;
    csv_cstr(out, l ? l->match.site_name : NULL);
    csv_cstr(out, l ? role_name(l->role) : NULL);
    csv_cstr(out, l ? l->match.rule : NULL);
    csv_cstr(out, ts_tlp_name(e->tlp));
    csv_side_targets(out, &e->src);
    csv_side_targets(out, &e->dst);
    ts_buf_puts(out, "\r\n");
}

/* ---- table ----------------------------------------------------------------- */

enum {
    W_ID = 8,
    W_TIME = 19,
    W_TYPE = 20,
    W_TLP = 16,
    W_ADDR = 30,
    W_SITE = 20,
    W_DESC = 50,
};
#define SEP "  "

/* Code points that must not reach a terminal as they are: C0 and C1
 * controls (ESC starts escape sequences, U+009B is a one-byte CSI), DEL, line
 * and paragraph separators, and the bidirectional controls that can make a
 * line read differently from what it holds. */
static bool unsafe_cp(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends the display form of one code point unit of s at p. */
static size_t tbl_unit(ts_buf_t *out, const unsigned char *p, size_t n, bool emit)
{
    uint32_t cp;
    size_t len = ts_utf8_next(p, n, &cp);
    if (!emit)
        return len;
    if (cp == TS_UTF8_BAD)
        ts_buf_puts(out, TS_UTF8_REPLACEMENT);
    else if (unsafe_cp(cp))
        ts_buf_putc(out, '?');
    else
        ts_buf_append(out, p, len);
    return len;
}

/* A left-aligned cell of width columns, neutralised and cut on a character
 * boundary (the cut marked with an ellipsis). pad: fill with spaces to the
 * width (not for the last column, to leave no trailing blanks). */
static void tbl_cell(ts_buf_t *out, const char *s, size_t n, size_t width, bool pad)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    if (s == NULL)
        n = 0;
    size_t cols = 0;
    for (size_t i = 0; i < n && cols <= width; cols++)
        i += tbl_unit(out, p + i, n - i, false);
    size_t keep = cols > width ? width - 1 : cols;
    size_t i = 0;
    for (size_t k = 0; k < keep; k++)
        i += tbl_unit(out, p + i, n - i, true);
    if (cols > width) {
        ts_buf_puts(out, ELLIPSIS);
        keep = width;
    }
    if (pad)
        for (; keep < width; keep++)
            ts_buf_putc(out, ' ');
}

static void tbl_ccell(ts_buf_t *out, const char *s, size_t width, bool pad)
{
    tbl_cell(out, s, s ? strlen(s) : 0, width, pad);
}

void ts_format_table_cell(ts_buf_t *out, const char *s, size_t width, bool pad)
{
    tbl_ccell(out, s, width ? width : SIZE_MAX - 1, pad && width > 0);
}

/* "ip:port", "[v6]:port", the FQDN when there is no address, or "-". The
 * result only feeds a cell of W_ADDR columns, so a long FQDN may be cut here;
 * the cell shows the cut. */
static void tbl_endpoint(ts_buf_t *out, const ts_endpoint_t *ep)
{
    char buf[4 * W_ADDR + TS_IP_STRLEN + 16];
    size_t n = 0;
    if (ep->ip.family != TS_AF_NONE) {
        char ip[TS_IP_STRLEN];
        ts_ip_format(&ep->ip, ip, sizeof ip);
        bool v6 = ep->ip.family == TS_AF_INET6;
        bool port = ep->port >= 0 && ep->port <= 65535;
        if (port)
            n = (size_t)snprintf(buf, sizeof buf, v6 ? "[%s]:%d" : "%s:%d", ip, (int)ep->port);
        else
            n = (size_t)snprintf(buf, sizeof buf, "%s", ip);
    } else if (ep->targets != NULL && ep->targets->n > 0) {
        n = ts_targets_summary(ep->targets, buf, sizeof buf);
    } else if (ep->network.addr.family != TS_AF_NONE) {
        n = ts_prefix_format(&ep->network, buf, sizeof buf);
    } else if (ep->fqdn.ptr != NULL && ep->fqdn.len > 0) {
        n = ep->fqdn.len < sizeof buf - 8 ? ep->fqdn.len : sizeof buf - 8;
        memcpy(buf, ep->fqdn.ptr, n);
        if (ep->port >= 0 && ep->port <= 65535 && n == ep->fqdn.len)
            n += (size_t)snprintf(buf + n, sizeof buf - n, ":%d", (int)ep->port);
    } else {
        buf[0] = '-';
        n = 1;
    }
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    tbl_cell(out, buf, n, W_ADDR, true);
}

static void tbl_rule(ts_buf_t *out, size_t width)
{
    for (size_t i = 0; i < width; i++)
        ts_buf_putc(out, '-');
}

static void table_header(ts_buf_t *out)
{
    ts_buf_printf(out, "%*s" SEP, W_ID, "ID");
    tbl_ccell(out, "TIME (UTC)", W_TIME, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "TYPE", W_TYPE, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "TLP", W_TLP, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "SOURCE", W_ADDR, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "DESTINATION", W_ADDR, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "SITE/ROLE", W_SITE, true);
    ts_buf_puts(out, SEP);
    tbl_ccell(out, "DESCRIPTION", W_DESC, false);
    ts_buf_putc(out, '\n');
    const size_t widths[] = {W_ID, W_TIME, W_TYPE, W_TLP, W_ADDR, W_ADDR, W_SITE, W_DESC};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        if (i)
            ts_buf_puts(out, SEP);
        tbl_rule(out, widths[i]);
    }
    ts_buf_putc(out, '\n');
}

static void table_event(const ts_stored_event_t *ev, ts_buf_t *out)
{
    const ts_event_t *e = &ev->ev;
    char idbuf[32];
    int idn = snprintf(idbuf, sizeof idbuf, "%" PRId64, ev->id);
    /* Ids wider than the column push the row right rather than being cut. */
    if (idn < W_ID)
        ts_buf_printf(out, "%*s", W_ID - idn, "");
    ts_buf_puts(out, idbuf);
    ts_buf_puts(out, SEP);

    char t[64] = "-";
    if (e->time_source != TS_TIME_NONE) {
        size_t tn = ts_time_format_utc(e->time_source, t, sizeof t);
        /* "2026-11-27T06:30:00.123456+00:00" -> "2026-11-27 06:30:00"; a year
         * outside 0000-9999 keeps its full form (cut by the cell). */
        if (tn >= 19 && t[10] == 'T') {
            t[10] = ' ';
            t[19] = '\0';
        }
    }
    tbl_ccell(out, t, W_TIME, true);
    ts_buf_puts(out, SEP);
    const char *type = type_name(e);
    tbl_ccell(out, type ? type : "-", W_TYPE, true);
    ts_buf_puts(out, SEP);
    const char *tlp = ts_tlp_name(e->tlp);
    char label[W_TLP + 8] = "-";
    if (tlp)
        snprintf(label, sizeof label, "TLP:%s", tlp);
    tbl_ccell(out, label, W_TLP, true);
    ts_buf_puts(out, SEP);
    tbl_endpoint(out, &e->src);
    ts_buf_puts(out, SEP);
    tbl_endpoint(out, &e->dst);
    ts_buf_puts(out, SEP);

    /* "site/src,site/dst"; a removed site shows as "?". */
    char site[4 * W_SITE + 8];
    size_t sn = 0;
    int nl = n_links(ev);
    for (int i = 0; i < nl && sn < sizeof site - 1; i++) {
        const ts_link_t *l = &ev->links[i];
        const char *name = l->match.site_name ? l->match.site_name : "?";
        const char *role = l->role == TS_ROLE_SOURCE        ? "src"
                           : l->role == TS_ROLE_DESTINATION ? "dst"
                                                            : "?";
        int k = snprintf(site + sn, sizeof site - sn, "%s%s/%s", i ? "," : "", name, role);
        if (k < 0)
            break;
        sn += (size_t)k;
    }
    if (sn >= sizeof site)
        sn = sizeof site - 1;
    if (sn == 0)
        site[sn++] = '-';
    tbl_cell(out, site, sn, W_SITE, true);
    ts_buf_puts(out, SEP);

    if (e->description.ptr != NULL && e->description.len > 0)
        tbl_cell(out, e->description.ptr, e->description.len, W_DESC, false);
    else
        ts_buf_putc(out, '-');
    ts_buf_putc(out, '\n');
}

static void table_footer(size_t count, ts_buf_t *out)
{
    ts_buf_printf(out, "%zu event%s\n", count, count == 1 ? "" : "s");
}

/* ---- dispatch ------------------------------------------------------------- */

void ts_format_header(ts_format_t fmt, ts_buf_t *out)
{
    switch (fmt) {
    case TS_FMT_TABLE:
        table_header(out);
        break;
    case TS_FMT_CSV:
        csv_header(out);
        break;
    case TS_FMT_JSON:
        break;
    }
}

void ts_format_event(ts_format_t fmt, const ts_stored_event_t *ev, ts_buf_t *out)
{
    switch (fmt) {
    case TS_FMT_TABLE:
        table_event(ev, out);
        break;
    case TS_FMT_CSV:
        csv_event(ev, out);
        break;
    case TS_FMT_JSON:
        json_event(ev, out);
        break;
    }
}

void ts_format_footer(ts_format_t fmt, size_t count, ts_buf_t *out)
{
    if (fmt == TS_FMT_TABLE)
        table_footer(count, out);
}
