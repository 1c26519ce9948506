/* SPDX-License-Identifier: Apache-2.0 */
/* Line-based third-party feeds: Spamhaus DROP/EDROP, DShield's block list,
 * dataplane.org reports and Team Cymru's CAP reports. One line, one event;
 * comment lines, blank lines and column titles are skipped.
 *
 * Classifications follow IntelMQ's parsers for the same feeds: DROP is spam
 * (hijacked netblocks used by spammers), DShield's list is a blacklist of
 * attacking /24s, dataplane and CAP name their category per line (tables
 * below). A netblock is the event's source.network, so that it routes to
 * every site owning part of it. */
#include <stdio.h>
#include <string.h>

#include "core/jsonscan.h"
#include "ingest/field.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

static ts_str_t trim(ts_str_t s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[0] == '\r')) {
        s.ptr++;
        s.len--;
    }
    while (s.len &&
           (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' || s.ptr[s.len - 1] == '\r'))
        s.len--;
    return s;
}

static bool comment(ts_str_t s, char c)
{
    s = trim(s);
    return s.len == 0 || s.ptr[0] == c;
}

static int set_type(ts_event_t *e, const char *type)
{
    return ts_type_lookup(type, strlen(type), &e->type);
}

static int set_str(ts_arena_t *a, ts_event_t *e, ts_field_id_t id, const char *key, ts_str_t v,
                   const char *what, ts_parse_error_t *err)
{
    ts_fieldstate_t st = {0};
    ts_field_t f = {id, ts_str_c(key)};
    ts_fvalue_t fv = {.kind = TS_FV_STR, .s = v};
    return ts_field_set(a, e, &st, &f, &fv, what, err);
}

static int network(ts_str_t s, ts_prefix_t *p, ts_parse_error_t *err)
{
    if (ts_prefix_parse(s.ptr, s.len, p) != 0)
        return ts_perr(err, TS_EADDR, "not a network: \"%.*s\"", (int)(s.len > 50 ? 50 : s.len),
                       s.ptr);
    return 0;
}

/* ---- Spamhaus DROP / EDROP ------------------------------------------------------
 * "1.4.0.0/17 ; SBL256893", or the JSON lines form
 * {"cidr":"1.10.16.0/20","sblid":"SBL256894","rir":"apnic"}. */
int ts_spamhaus_drop_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e,
                           ts_parse_error_t *err)
{
    ts_str_t s = trim(ts_str(line, len));
    if (comment(s, ';'))
        return TS_PARSE_SKIP;
    ts_event_init(e);
    set_type(e, "spam");
    e->identifier = TS_STR_LIT("spamhaus-drop");
    e->feed_name = TS_STR_LIT("Spamhaus DROP");
    e->feed_provider = TS_STR_LIT("Spamhaus");
    ts_str_t cidr, sbl = TS_STR_NULL;
    char cbuf[TS_IP_STRLEN], sbuf[64];
    if (s.ptr[0] == '{') {
        ts_jscan_iter_t it;
        ts_jscan_key_t k;
        ts_jscan_val_t v;
        if (ts_jscan_object_begin(&it, s.ptr, s.len) != 0)
            return ts_perr(err, TS_ESYNTAX, "not a JSON object");
        cidr = TS_STR_NULL;
        int rc;
        while ((rc = ts_jscan_object_next(&it, &k, &v)) == 1) {
            if (ts_str_eq_c(k.raw, "cidr") && ts_pstr_small(&v, cbuf, sizeof cbuf, &cidr) != 0)
                return ts_perr(err, TS_ETYPE, "cidr: not a short string");
            if (ts_str_eq_c(k.raw, "sblid") && ts_pstr_small(&v, sbuf, sizeof sbuf, &sbl) != 0)
                return ts_perr(err, TS_ETYPE, "sblid: not a short string");
        }
        if (rc < 0)
            return ts_perr_json(err, &it);
        if (cidr.ptr == NULL)
            return TS_PARSE_SKIP; /* the trailer: {"type":"metadata",...} */
    } else {
        const char *semi = memchr(s.ptr, ';', s.len);
        cidr = trim(ts_str(s.ptr, semi ? (size_t)(semi - s.ptr) : s.len));
        if (semi)
            sbl = trim(ts_str(semi + 1, s.len - (size_t)(semi - s.ptr) - 1));
    }
    int rc = network(cidr, &e->src.network, err);
    if (rc == 0 && sbl.ptr && sbl.len)
        rc = ts_field_extra_text(a, e, TS_STR_LIT("blocklist"), sbl, err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* ---- DShield block list ------------------------------------------------------------
 * Tab-separated: Start End Netblock Attacks Name Country email. */
int ts_dshield_block_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e,
                           ts_parse_error_t *err)
{
    ts_str_t s = trim(ts_str(line, len));
    if (comment(s, '#') || (s.len >= 5 && memcmp(s.ptr, "Start", 5) == 0))
        return TS_PARSE_SKIP;
    ts_str_t f[7];
    size_t n = 0, i = 0;
    while (n < 7 && i <= s.len) {
        const char *tab = memchr(s.ptr + i, '\t', s.len - i);
        size_t end = tab ? (size_t)(tab - s.ptr) : s.len;
        f[n++] = trim(ts_str(s.ptr + i, end - i));
        i = end + 1;
    }
    if (n < 3)
        return ts_perr(err, TS_ESYNTAX, "%zu tab-separated fields, at least 3 needed", n);
    ts_event_init(e);
    set_type(e, "blacklist");
    e->identifier = TS_STR_LIT("dshield-block");
    e->feed_name = TS_STR_LIT("DShield Block");
    e->feed_provider = TS_STR_LIT("DShield");
    char net[TS_IP_STRLEN + 8];
    int k = snprintf(net, sizeof net, "%.*s/%.*s", (int)(f[0].len > TS_IP_STRLEN ? 0 : f[0].len),
                     f[0].ptr, (int)(f[2].len > 3 ? 3 : f[2].len), f[2].ptr);
    int rc = network(ts_str(net, (size_t)k), &e->src.network, err);
    static const char *const keys[] = {
        NULL, NULL, NULL, "attacks", "as_name", "source.geolocation.cc", "source.abuse_contact"};
    for (size_t j = 3; rc == 0 && j < n; j++)
        if (f[j].len)
            rc = ts_field_extra_text(a, e, ts_str_c(keys[j]), f[j], err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* ---- dataplane.org -------------------------------------------------------------------
 * "ASN | ASname | ipaddr | lastseen | category", blanks around '|'. The AS
 * name may itself hold '|': the first field is read from the left, the last
 * three from the right, the name is what lies between. */
static const struct {
    const char *category, *type;
} dataplane_types[] = {
    {"sshpwauth", "brute-force"},
    {"telnetlogin", "brute-force"},
    {"sipregistration", "brute-force"},
    {"sshclient", "scanner"},
    {"dnsrd", "scanner"},
    {"dnsrdany", "scanner"},
    {"dnsversion", "scanner"},
    {"sipquery", "scanner"},
    {"sipinvitation", "scanner"},
    {"smtpgreet", "scanner"},
    {"vncrfb", "scanner"},
    {"smtpdata", "spam"},
    {"proto41", "proxy"},
};

int ts_dataplane_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e,
                       ts_parse_error_t *err)
{
    ts_str_t s = trim(ts_str(line, len));
    if (comment(s, '#'))
        return TS_PARSE_SKIP;
    const char *bar[64];
    size_t nb = 0;
    for (size_t i = 0; i < s.len && nb < 64; i++)
        if (s.ptr[i] == '|')
            bar[nb++] = s.ptr + i;
    if (nb < 4)
        return ts_perr(err, TS_ESYNTAX, "%zu '|'-separated fields, 5 needed", nb + 1);
    const char *end = s.ptr + s.len;
    ts_str_t asn = trim(ts_str(s.ptr, (size_t)(bar[0] - s.ptr)));
    ts_str_t name = trim(ts_str(bar[0] + 1, (size_t)(bar[nb - 3] - bar[0] - 1)));
    ts_str_t ip = trim(ts_str(bar[nb - 3] + 1, (size_t)(bar[nb - 2] - bar[nb - 3] - 1)));
    ts_str_t seen = trim(ts_str(bar[nb - 2] + 1, (size_t)(bar[nb - 1] - bar[nb - 2] - 1)));
    ts_str_t cat = trim(ts_str(bar[nb - 1] + 1, (size_t)(end - bar[nb - 1] - 1)));
    ts_event_init(e);
    e->type = TS_TYPE_UNDETERMINED;
    for (size_t i = 0; i < sizeof dataplane_types / sizeof dataplane_types[0]; i++)
        if (ts_str_eq_c(cat, dataplane_types[i].category))
            set_type(e, dataplane_types[i].type);
    e->feed_name = TS_STR_LIT("dataplane");
    e->feed_provider = TS_STR_LIT("dataplane.org");
    int rc = set_str(a, e, TS_F_IDENTIFIER, NULL, cat, "category", err);
    if (rc == 0)
        rc = set_str(a, e, TS_F_SRC_IP, NULL, ip, "ipaddr", err);
    if (rc == 0 && !ts_str_eq_c(asn, "NA"))
        rc = set_str(a, e, TS_F_SRC_ASN, NULL, asn, "ASN", err);
    if (rc == 0)
        rc = set_str(a, e, TS_F_TIME_SOURCE, NULL, seen, "lastseen", err);
    if (rc == 0 && name.len && !ts_str_eq_c(name, "NA"))
        rc = ts_field_extra_text(a, e, TS_STR_LIT("source.as_name"), name, err);
    return rc ? rc : TS_PARSE_EVENT;
}

/* ---- Team Cymru CAP ----------------------------------------------------------------
 * "category|address|asn|timestamp|optional_information|asninfo". The
 * optional information is "key: value;" pairs (older reports: "key value"
 * pairs separated by blanks), or for some categories a bare value. */
static const struct {
    const char *category, *type;
} cymru_types[] = {
    {"bot", "infected-system"},
    {"bruteforce", "brute-force"},
    {"controller", "c2-server"},
    {"darknet", "scanner"},
    {"ddosreport", "ddos"},
    {"honeypot", "scanner"},
    {"phishing", "phishing"},
    {"proxy", "proxy"},
    {"openresolver", "ddos-amplifier"},
    {"openresolvers", "ddos-amplifier"},
    {"scanner", "scanner"},
    {"spam", "spam"},
    {"malwareurl", "malware-distribution"},
};

static int cymru_pair(ts_arena_t *a, ts_event_t *e, ts_str_t key, ts_str_t val,
                      ts_parse_error_t *err)
{
    if (val.len == 0)
        return 0;
    if (ts_str_eq_c(key, "family") || ts_str_eq_c(key, "mwtype"))
        return ts_field_extra_text(a, e, TS_STR_LIT("malware.name"), val, err);
    if (ts_str_eq_c(key, "dest_addr") || ts_str_eq_c(key, "dstaddr"))
        return set_str(a, e, TS_F_DST_IP, NULL, val, "dest_addr", err);
    if (ts_str_eq_c(key, "dest_port"))
        return set_str(a, e, TS_F_DST_PORT, NULL, val, "dest_port", err);
    if (ts_str_eq_c(key, "port") || ts_str_eq_c(key, "srcport"))
        return set_str(a, e, TS_F_SRC_PORT, NULL, val, "port", err);
    if (ts_str_eq_c(key, "hostname"))
        return ts_field_extra_text(a, e, TS_STR_LIT("destination.hostname"), val, err);
    if (ts_str_eq_c(key, "protocol")) {
        const char *t = ts_str_eq_c(val, "6")    ? "tcp"
                        : ts_str_eq_c(val, "17") ? "udp"
                        : ts_str_eq_c(val, "1")  ? "icmp"
                                                 : NULL;
        if (t)
            e->transport = ts_str_c(t);
        return ts_field_extra_text(a, e, TS_STR_LIT("protocol"), val, err);
    }
    char k[80];
    int n = snprintf(k, sizeof k, "%.*s", (int)(key.len > 60 ? 60 : key.len), key.ptr);
    return ts_field_extra_text(a, e, ts_arena_strdup(a, ts_str(k, (size_t)n)), val, err);
}

static int cymru_info(ts_arena_t *a, ts_event_t *e, ts_str_t cat, ts_str_t info,
                      ts_parse_error_t *err)
{
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && i < info.len) {
        const char *semi = memchr(info.ptr + i, ';', info.len - i);
        size_t end = semi ? (size_t)(semi - info.ptr) : info.len;
        ts_str_t item = trim(ts_str(info.ptr + i, end - i));
        i = end + 1;
        if (item.len == 0)
            continue;
        const char *colon = memchr(item.ptr, ':', item.len);
        bool url = item.len > 7 &&
                   (memcmp(item.ptr, "http://", 7) == 0 || memcmp(item.ptr, "https://", 8) == 0);
        if (colon && !url) {
            rc =
                cymru_pair(a, e, trim(ts_str(item.ptr, (size_t)(colon - item.ptr))),
                           trim(ts_str(colon + 1, item.len - (size_t)(colon - item.ptr) - 1)), err);
        } else if (url) {
            rc = set_str(a, e, TS_F_SRC_URL, NULL, item, "url", err);
        } else if (memchr(item.ptr, ' ', item.len)) {
            /* "srcport 61458 mwtype Conficker dstaddr 172.16.0.22" */
            ts_str_t w[32];
            size_t nw = 0, j = 0;
            while (j < item.len && nw < 32) {
                while (j < item.len && item.ptr[j] == ' ')
                    j++;
                size_t st = j;
                while (j < item.len && item.ptr[j] != ' ')
                    j++;
                if (j > st)
                    w[nw++] = ts_str(item.ptr + st, j - st);
            }
            for (size_t k = 0; rc == 0 && k + 1 < nw; k += 2)
                rc = cymru_pair(a, e, w[k], w[k + 1], err);
        } else if (ts_str_eq_c(cat, "bruteforce")) {
            rc = set_str(a, e, TS_F_APPLICATION, NULL, item, "application", err);
        } else {
            rc = ts_field_extra_text(a, e, TS_STR_LIT("info"), item, err);
        }
    }
    return rc;
}

int ts_cymru_cap_parse(const char *line, size_t len, ts_arena_t *a, ts_event_t *e,
                       ts_parse_error_t *err)
{
    ts_str_t s = trim(ts_str(line, len));
    if (comment(s, '#'))
        return TS_PARSE_SKIP;
    ts_str_t f[6];
    size_t n = 0, i = 0;
    while (n < 6 && i <= s.len) {
        const char *bar = n < 5 ? memchr(s.ptr + i, '|', s.len - i) : NULL;
        size_t end = bar ? (size_t)(bar - s.ptr) : s.len;
        f[n++] = trim(ts_str(s.ptr + i, end - i));
        i = end + 1;
    }
    if (n < 6)
        return ts_perr(err, TS_ESYNTAX, "%zu '|'-separated fields, 6 needed", n);
    ts_event_init(e);
    e->type = TS_TYPE_UNDETERMINED;
    for (size_t k = 0; k < sizeof cymru_types / sizeof cymru_types[0]; k++)
        if (ts_str_eq_c(f[0], cymru_types[k].category))
            set_type(e, cymru_types[k].type);
    e->feed_name = TS_STR_LIT("CAP");
    e->feed_provider = TS_STR_LIT("Team Cymru");
    int rc = set_str(a, e, TS_F_IDENTIFIER, NULL, f[0], "category", err);
    if (rc == 0)
        rc = set_str(a, e, TS_F_SRC_IP, NULL, f[1], "address", err);
    if (rc == 0 && f[2].len)
        rc = set_str(a, e, TS_F_SRC_ASN, NULL, f[2], "asn", err);
    if (rc == 0)
        rc = set_str(a, e, TS_F_TIME_SOURCE, NULL, f[3], "timestamp", err);
    if (rc == 0)
        rc = cymru_info(a, e, f[0], f[4], err);
    if (rc == 0 && f[5].len)
        rc = ts_field_extra_text(a, e, TS_STR_LIT("source.as_name"), f[5], err);
    return rc ? rc : TS_PARSE_EVENT;
}
