/* SPDX-License-Identifier: Apache-2.0 */
#include "ingest/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ingest/mapping.h"
#include "ingest/parser_int.h"
#include "ingest/shadowserver.h"

static const ts_parser_t eve_parser = {
    .name = "eve",
    .description = "Suricata EVE JSON (alerts become events; other event types are skipped)",
    .parse = ts_eve_parse};
static const ts_parser_t intelmq_parser = {.name = "intelmq",
                                           .description =
                                               "IntelMQ events as JSON lines with flat dotted keys",
                                           .parse = ts_intelmq_parse};
static const ts_parser_t cowrie_parser = {
    .name = "cowrie",
    .description = "Cowrie honeypot JSON log (logins, commands, downloads; other events skipped)",
    .parse = ts_cowrie_parse};
static const ts_parser_t sshd_parser = {
    .name = "sshd",
    .description = "OpenSSH sshd syslog lines (failed logins, invalid users, scans; rest skipped)",
    .parse = ts_sshd_parse};

static const ts_parser_t shadowserver_parser = {
    .name = "shadowserver",
    .description = "Shadowserver report CSV, read by Shadowserver's schema (--schema, --report)",
    .ops = &ts_ss_parser_ops,
    .tlp = TS_TLP_AMBER};

static const ts_parser_t drop_parser = {
    .name = "spamhaus-drop",
    .description = "Spamhaus DROP/EDROP (text or JSON lines): hijacked netblocks",
    .parse = ts_spamhaus_drop_parse,
    .tlp = TS_TLP_CLEAR};
static const ts_parser_t dshield_parser = {
    .name = "dshield-block",
    .description = "DShield's recommended block list (tab-separated /24s)",
    .parse = ts_dshield_block_parse,
    .tlp = TS_TLP_CLEAR};
static const ts_parser_t dataplane_parser = {
    .name = "dataplane",
    .description = "dataplane.org reports (ASN | ASname | ipaddr | lastseen | category)",
    .parse = ts_dataplane_parse,
    .tlp = TS_TLP_CLEAR};
static const ts_parser_t cymru_parser = {
    .name = "cymru-cap",
    .description = "Team Cymru CAP reports (category|address|asn|timestamp|info|asninfo)",
    .parse = ts_cymru_cap_parse,
    .tlp = TS_TLP_AMBER};

static const ts_parser_t mapped_parser = {
    .name = "mapped",
    .description = "CSV or JSON lines as a mapping file says (--mapping FILE, docs/feeds.md)",
    .ops = &ts_mapping_parser_ops};
static const ts_parser_t certeu_parser = {.name = "certeu-csv",
                                          .description = "CERT-EU's CSV feed",
                                          .ops = &ts_certeu_parser_ops,
                                          .tlp = TS_TLP_AMBER};
static const ts_parser_t ctip_parser = {.name = "ctip",
                                        .description =
                                            "Microsoft CTIP infected hosts (Azure JSON lines)",
                                        .ops = &ts_ctip_parser_ops,
                                        .tlp = TS_TLP_AMBER};

static const ts_parser_t idea_parser = {
    .name = "idea",
    .description = "IDEA (Warden): JSON lines, objects over several lines, or an array",
    .parse = ts_idea_parse,
    .json = true};
static const ts_parser_t n6_parser = {.name = "n6",
                                      .description =
                                          "n6 events: a REST answer (array) or Stream API bodies",
                                      .parse = ts_n6_parse,
                                      .json = true};

static const ts_parser_t *const parsers[] = {
    &eve_parser,  &intelmq_parser, &cowrie_parser,    &sshd_parser,  &shadowserver_parser,
    &drop_parser, &dshield_parser, &dataplane_parser, &cymru_parser, &certeu_parser,
    &ctip_parser, &mapped_parser,  &idea_parser,      &n6_parser,    NULL};

const ts_parser_t *ts_parser_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; parsers[i]; i++)
        if (strcmp(parsers[i]->name, name) == 0)
            return parsers[i];
    return NULL;
}

const ts_parser_t *const *ts_parser_list(void)
{
    return parsers;
}

int ts_perr(ts_parse_error_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->detail, sizeof err->detail, fmt, ap);
        va_end(ap);
    }
    return code;
}

int ts_perr_json(ts_parse_error_t *err, const ts_jscan_iter_t *it)
{
    int code = it->err ? it->err : TS_ESYNTAX;
    return ts_perr(err, code, "JSON: %s at byte %zu", it->err_msg ? it->err_msg : "invalid",
                   it->err_off);
}

static void lower_ascii(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] | 0x20);
}

int ts_pstr(ts_arena_t *a, const ts_jscan_val_t *v, const char *field, bool lower, ts_str_t *out,
            ts_parse_error_t *err)
{
    if (v->type != TS_JSCAN_STRING)
        return ts_perr(err, TS_ETYPE, "%s: expected a string, got %s", field,
                       ts_jscan_type_name(v->type));
    ts_str_t raw = ts_jscan_str_raw(v);
    /* Unescaping never lengthens, so the raw length bounds the result; cap the
     * allocation so a huge value cannot eat the arena before being refused. */
    size_t cap = raw.len < TS_EVENT_STR_MAX ? raw.len : TS_EVENT_STR_MAX;
    char *buf = ts_arena_alloc(a, cap + 1);
    size_t n;
    if (!v->escaped) {
        if (raw.len > TS_EVENT_STR_MAX)
            goto toobig;
        memcpy(buf, raw.ptr, raw.len);
        n = raw.len;
    } else {
        int rc = ts_jscan_unescape(raw.ptr, raw.len, buf, cap, &n);
        if (rc == TS_ETOOBIG)
            goto toobig;
        if (rc == TS_EINVAL)
            return ts_perr(err, TS_EINVAL, "%s: contains U+0000", field);
        if (rc != 0)
            return ts_perr(err, rc, "%s: bad string", field);
    }
    buf[n] = '\0';
    if (lower)
        lower_ascii(buf, n);
    *out = ts_str(buf, n);
    return 0;
toobig:
    return ts_perr(err, TS_ETOOBIG, "%s: longer than %d bytes", field, TS_EVENT_STR_MAX);
}

int ts_pstr_small(const ts_jscan_val_t *v, char *buf, size_t cap, ts_str_t *out)
{
    if (v->type != TS_JSCAN_STRING)
        return TS_ETYPE;
    ts_str_t raw = ts_jscan_str_raw(v);
    if (!v->escaped) {
        *out = raw;
        return 0;
    }
    size_t n;
    int rc = ts_jscan_unescape(raw.ptr, raw.len, buf, cap, &n);
    if (rc != 0)
        return rc;
    *out = ts_str(buf, n);
    return 0;
}

int ts_pextra(ts_arena_t *a, ts_event_t *e, ts_str_t key, const ts_jscan_val_t *v,
              ts_parse_error_t *err)
{
    if (v->raw.len > TS_EVENT_STR_MAX)
        return ts_perr(err, TS_ETOOBIG, "%.*s: value longer than %d bytes", (int)key.len, key.ptr,
                       TS_EVENT_STR_MAX);
    uint32_t i;
    for (i = 0; i < e->n_extra; i++)
        if (ts_str_eq(e->extra[i].key, key))
            break;
    if (i == e->n_extra) {
        if (e->n_extra >= TS_EVENT_EXTRA_MAX)
            return ts_perr(err, TS_ETOOBIG, "more than %d extra fields (at %.*s)",
                           TS_EVENT_EXTRA_MAX, (int)(key.len > 64 ? 64 : key.len), key.ptr);
        e->n_extra++;
    }
    e->extra[i].key = key;
    e->extra[i].value_json = ts_arena_strdup(a, v->raw);
    return 0;
}

int ts_pport(const ts_jscan_val_t *v, const char *field, int32_t *out, ts_parse_error_t *err)
{
    if (v->type != TS_JSCAN_NUMBER || !v->integer)
        return ts_perr(err, TS_ETYPE, "%s: expected an integer port, got %s", field,
                       v->type == TS_JSCAN_NUMBER ? "a fraction" : ts_jscan_type_name(v->type));
    int64_t x;
    if (ts_jscan_int64(v, &x) != 0 || x < 0 || x > 65535)
        return ts_perr(err, TS_ERANGE, "%s: port %.*s outside 0-65535", field,
                       (int)(v->raw.len > 24 ? 24 : v->raw.len), v->raw.ptr);
    *out = (int32_t)x;
    return 0;
}

bool ts_pdns_name(ts_str_t s)
{
    size_t n = s.len;
    if (n > 0 && s.ptr[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    bool all_digits = true;
    for (size_t i = 0; i < n; i++) {
        char c = s.ptr[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            all_digits = true;
            continue;
        }
        bool digit = c >= '0' && c <= '9';
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!digit && !alpha && c != '-' && c != '_')
            return false;
        if (!digit)
            all_digits = false;
        if (++label > 63)
            return false;
    }
    return label > 0 && !all_digits;
}

ts_str_t ts_pdns_copy(ts_arena_t *a, ts_str_t s)
{
    if (s.len > 0 && s.ptr[s.len - 1] == '.')
        s.len--;
    ts_str_t c = ts_arena_strdup(a, s);
    lower_ascii((char *)c.ptr, c.len);
    return c;
}

ts_str_t ts_pkey(const ts_jscan_key_t *k, char *buf, size_t cap)
{
    if (!k->escaped)
        return k->raw;
    size_t n;
    if (ts_jscan_unescape(k->raw.ptr, k->raw.len, buf, cap, &n) != 0)
        return ts_str("", 0);
    return ts_str(buf, n);
}
