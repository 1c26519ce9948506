/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSH sshd log lines as syslog writes them.
 *
 * Accepted layouts (the record is the whole line):
 * - BSD syslog "Mmm dd HH:MM:SS host sshd[pid]: message", the host and the
 *   pid optional ("Mmm dd HH:MM:SS sshd[pid]: ...", "... host sshd: ..."),
 *   the tag also as "[sshd]:" or "[sshd]", an optional "<PRI>" in front;
 * - the same with an RFC 3339 timestamp instead (rsyslog's
 *   RSYSLOG_FileFormat): "2015-04-16T18:02:50.321974+00:00 host sshd[pid]: ...";
 * - RFC 5424 "<PRI>1 TIMESTAMP HOST sshd PROCID MSGID SD message".
 * Program names sshd, sshd-session (OpenSSH 9.8) and sshd-auth (10.0) are sshd.
 * A line of another program is TS_PARSE_SKIP; a line that is not syslog at
 * all (no valid timestamp) is TS_ESYNTAX.
 *
 * Year: BSD timestamps carry none. The year is that of the reference time
 * (now, or what ts_sshd_set_reference_time() set), and the previous year when
 * the date would then lie more than a day in the future (a December line read
 * in January); Feb 29 goes back to the last leap year. BSD timestamps carry no
 * zone either: they are taken as UTC (syslog hosts that log local time are
 * off by their offset; RFC 3339 / 5424 timestamps keep theirs).
 *
 * Which lines are attack evidence follows fail2ban's sshd filter in its
 * default "normal" mode, taken one line at a time (fail2ban also correlates
 * lines of one sshd pid; we do not keep state between lines):
 * - intrusion-attempts/brute-force: "Failed METHOD for [invalid user ]U from
 *   H ..." (kind failed-auth; "Failed publickey" only for invalid users,
 *   since a legitimate user with several keys fails on each key before the
 *   right one), "Invalid user|Illegal user U from H" (invalid-user), PAM
 *   "Authentication failure|error|failed for U from H" and "User not known to
 *   the underlying authentication module for U from H" (auth-failure), "ROOT
 *   LOGIN REFUSED FROM H" (root-login-refused), "User U from H not allowed
 *   because ..." (user-not-allowed), "Received disconnect from H: 3: ...: Auth
 *   fail" (auth-fail-disconnect), "maximum authentication attempts exceeded
 *   for U from H" (max-auth-attempts), "Disconnecting invalid|authenticating
 *   user U H port P: Change of username or service not allowed"
 *   (change-of-user);
 * - information-gathering/scanner: "refused connect from N (H)" (tcp
 *   wrappers refused the address; refused-connect), and three lines where
 *   the client never spoke SSH, which is what port scanners and banner
 *   grabbers do (fail2ban's "ddos" mode): "Did not receive identification
 *   string from H" (no-identification), "Bad protocol version identification
 *   '...' from H" (bad-protocol-version), "banner exchange: Connection from H
 *   port P: invalid format" (banner-invalid).
 * Skipped as noise: accepted logins and sessions; "pam_unix(sshd:auth):
 *   authentication failure; ... rhost=H" (the "Failed password" line of the
 *   same attempt is the evidence: counting both doubles every attempt, and a
 *   user who then logs in successfully mistyped); "Connection closed/reset
 *   by ... [preauth]", "Disconnected from ...", "Received disconnect ...: 11:"
 *   (every client that gives up or finishes does that); "POSSIBLE BREAK-IN
 *   ATTEMPT" (a reverse DNS mismatch of the client's provider, not an attack;
 *   fail2ban dropped it for that reason); "Disconnecting: Too many
 *   authentication failures" (no address in the line); "Unable to negotiate",
 *   "Timeout before authentication", kex errors (old clients and flaky
 *   networks as often as scanners).
 *
 * Injection: user names and identification strings are chosen by the client
 * and may contain " from 10.0.0.1 port 22 ssh2". The address is the first
 * " from " whose whole remainder fits the exact OpenSSH layout ("H[ port
 * N][ sshN][: info]" at the end of the line), and for the identification
 * string, which precedes the address, the last one.
 *
 * The address: strict ts_ip_parse (IPv4-mapped IPv6 unmapped to IPv4, as a
 * dual-stack sshd logs IPv4 clients that way), or a DNS name (sshd with
 * UseDNS logs names) kept as source.fqdn. A recognised line whose address is
 * neither is TS_EADDR. No destination: the sensor's own address is not in the
 * line.
 *
 * "message repeated N times: [ MSG]" (rsyslog) is MSG with count N.
 * extra: sshd.kind, sshd.user, sshd.method (failed-auth), sshd.port (client
 * port), sshd.host (the logging host), sshd.pid. description = the message. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"

static _Atomic int64_t reference_time = TS_TIME_NONE;

void ts_sshd_set_reference_time(int64_t us)
{
    atomic_store(&reference_time, us);
}

/* ---- slices ----------------------------------------------------------------------- */

static bool starts(ts_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && memcmp(s.ptr, lit, n) == 0;
}

static bool eat(ts_str_t *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->len < n || memcmp(s->ptr, lit, n) != 0)
        return false;
    s->ptr += n;
    s->len -= n;
    return true;
}

static ts_str_t sub(ts_str_t s, size_t from, size_t to)
{
    return ts_str(s.ptr + from, to - from);
}

/* Leading non-space run of s. */
static ts_str_t token(ts_str_t s)
{
    size_t i = 0;
    while (i < s.len && s.ptr[i] != ' ')
        i++;
    return ts_str(s.ptr, i);
}

static ts_str_t skip(ts_str_t s, size_t n)
{
    return ts_str(s.ptr + n, s.len - n);
}

static ts_str_t trim_right(ts_str_t s)
{
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' ||
                         s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == '\n'))
        s.len--;
    return s;
}

static ts_str_t find(ts_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.ptr + i, lit, n) == 0)
            return skip(s, i);
    return TS_STR_NULL;
}

/* Unsigned decimal of 1..maxdig digits at the start of *s, consumed. */
static bool eat_uint(ts_str_t *s, size_t maxdig, uint64_t *out)
{
    size_t i = 0;
    uint64_t x = 0;
    while (i < s->len && s->ptr[i] >= '0' && s->ptr[i] <= '9') {
        if (++i > maxdig)
            return false;
        x = x * 10 + (uint64_t)(s->ptr[i - 1] - '0');
    }
    if (i == 0)
        return false;
    *out = x;
    *s = skip(*s, i);
    return true;
}

static bool digits_exact(const char *p, size_t n, unsigned *out)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (unsigned)(p[i] - '0');
    }
    *out = x;
    return true;
}

/* ---- the syslog header -------------------------------------------------------------- */

struct rec {
    int64_t time;
    ts_str_t host; /* logging host; ptr NULL when absent */
    int64_t pid;   /* -1 when absent */
    ts_str_t msg;
    uint64_t count;
};

static int64_t reference_now(void)
{
    int64_t r = atomic_load(&reference_time);
    return r == TS_TIME_NONE ? ts_time_now() : r;
}

/* "Mmm dd HH:MM:SS " at the start of *s. */
static int bsd_time(ts_str_t *s, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (s->len < 3)
        return TS_ESYNTAX;
    unsigned mon = 0;
    for (unsigned m = 0; m < 12; m++)
        if (memcmp(s->ptr, months + 3 * m, 3) == 0)
            mon = m + 1;
    if (mon == 0)
        return TS_ESYNTAX;
    ts_str_t t = skip(*s, 3);
    size_t sp = 0;
    while (sp < t.len && t.ptr[sp] == ' ')
        sp++;
    if (sp == 0 || sp > 2)
        return TS_ESYNTAX;
    t = skip(t, sp);
    uint64_t day;
    unsigned hh, mi, ss;
    if (!eat_uint(&t, 2, &day) || day < 1 || day > 31 || t.len < 10 || t.ptr[0] != ' ' ||
        !digits_exact(t.ptr + 1, 2, &hh) || t.ptr[3] != ':' || !digits_exact(t.ptr + 4, 2, &mi) ||
        t.ptr[6] != ':' || !digits_exact(t.ptr + 7, 2, &ss) || t.ptr[9] != ' ')
        return TS_ESYNTAX;
    *s = skip(t, 10);

    int64_t ref = reference_now();
    time_t rs = (time_t)(ref / 1000000);
    struct tm tm;
    if (gmtime_r(&rs, &tm) == NULL)
        return TS_EINVAL;
    int year = tm.tm_year + 1900;
    for (int y = year; y > year - 9; y--) {
        char iso[32];
        int n = snprintf(iso, sizeof iso, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, mon, (unsigned)day,
                         hh, mi, ss);
        int64_t us;
        if (n <= 0 || (size_t)n >= sizeof iso || ts_time_parse(iso, (size_t)n, &us) != 0)
            continue; /* Feb 29 outside a leap year, or a bad time of day */
        if (us > ref + INT64_C(86400000000))
            continue;
        *out = us;
        return 0;
    }
    return TS_EINVAL;
}

/* A syslog tag at the start of *s: "name[pid]:", "name:", "[name]:" or
 * "[name]", followed by a space or the end; consumed with its spaces. */
static bool parse_tag(ts_str_t *s, ts_str_t *name, int64_t *pid)
{
    ts_str_t t = *s;
    *pid = -1;
    if (t.len > 0 && t.ptr[0] == '[') {
        size_t i = 1;
        while (i < t.len && t.ptr[i] != ']' && t.ptr[i] != ' ')
            i++;
        if (i >= t.len || t.ptr[i] != ']' || i == 1)
            return false;
        *name = sub(t, 1, i);
        t = skip(t, i + 1);
        eat(&t, ":");
    } else {
        size_t i = 0;
        while (i < t.len && t.ptr[i] != '[' && t.ptr[i] != ':' && t.ptr[i] != ' ')
            i++;
        if (i == 0 || i == t.len || t.ptr[i] == ' ')
            return false;
        *name = sub(t, 0, i);
        t = skip(t, i);
        if (eat(&t, "[")) {
            uint64_t p;
            if (!eat_uint(&t, 10, &p) || !eat(&t, "]"))
                return false;
            *pid = (int64_t)p;
        }
        if (!eat(&t, ":"))
            return false;
    }
    if (t.len > 0 && t.ptr[0] != ' ')
        return false;
    while (t.len > 0 && t.ptr[0] == ' ')
        t = skip(t, 1);
    *s = t;
    return true;
}

/* sshd-session (OpenSSH 9.8) and sshd-auth (10.0) log what sshd logged before
 * them; sshd-keygen and the like are other programs. */
static bool is_sshd(ts_str_t name)
{
    return ts_str_eq_c(name, "sshd") || ts_str_eq_c(name, "sshd-session") ||
           ts_str_eq_c(name, "sshd-auth");
}

/* RFC 5424 after "<PRI>1 ". */
static int rfc5424(ts_str_t s, struct rec *r, ts_parse_error_t *err)
{
    ts_str_t f[5]; /* timestamp, host, app, procid, msgid */
    for (int i = 0; i < 5; i++) {
        f[i] = token(s);
        if (f[i].len == 0 || f[i].len == s.len)
            return ts_perr(err, TS_ESYNTAX, "RFC 5424 header: missing fields");
        s = skip(s, f[i].len + 1);
    }
    if (!is_sshd(f[2]))
        return TS_PARSE_SKIP;
    if (!ts_str_eq_c(f[0], "-") && ts_time_parse(f[0].ptr, f[0].len, &r->time) != 0)
        return ts_perr(err, TS_EINVAL, "RFC 5424 header: bad timestamp");
    if (!ts_str_eq_c(f[1], "-"))
        r->host = f[1];
    uint64_t pid;
    ts_str_t p = f[3];
    if (eat_uint(&p, 10, &pid) && p.len == 0)
        r->pid = (int64_t)pid;
    /* Structured data: "-" or [id k="v" ...]... where quoted values may hold
     * brackets and escape '"', '\' and ']' with a backslash. */
    if (eat(&s, "-")) {
    } else if (s.len > 0 && s.ptr[0] == '[') {
        size_t i = 0;
        while (i < s.len && s.ptr[i] == '[') {
            bool quoted = false;
            for (i++; i < s.len; i++) {
                char c = s.ptr[i];
                if (quoted && c == '\\')
                    i++;
                else if (c == '"')
                    quoted = !quoted;
                else if (!quoted && c == ']')
                    break;
            }
            if (i >= s.len)
                return ts_perr(err, TS_ESYNTAX, "RFC 5424 structured data: unterminated");
            i++;
        }
        s = skip(s, i);
    } else {
        return ts_perr(err, TS_ESYNTAX, "RFC 5424 header: bad structured data");
    }
    if (s.len > 0 && !eat(&s, " "))
        return ts_perr(err, TS_ESYNTAX, "RFC 5424 header: no space before the message");
    eat(&s, "\xEF\xBB\xBF");
    r->msg = s;
    return 0;
}

static int parse_header(const char *line, size_t len, struct rec *r, ts_parse_error_t *err)
{
    ts_str_t s = ts_str(line, len);
    if (eat(&s, "<")) {
        uint64_t pri;
        if (!eat_uint(&s, 3, &pri) || pri > 191 || !eat(&s, ">"))
            return ts_perr(err, TS_ESYNTAX, "syslog header: bad <PRI>");
        if (eat(&s, "1 "))
            return rfc5424(s, r, err);
    }
    if (s.len > 0 && s.ptr[0] >= '0' && s.ptr[0] <= '9') {
        ts_str_t t = token(s);
        if (t.len == s.len || ts_time_parse(t.ptr, t.len, &r->time) != 0)
            return ts_perr(err, TS_ESYNTAX, "syslog header: bad timestamp");
        s = skip(s, t.len + 1);
    } else {
        int rc = bsd_time(&s, &r->time);
        if (rc == TS_ESYNTAX)
            return ts_perr(err, rc, "syslog header: no 'Mmm dd HH:MM:SS' timestamp");
        if (rc != 0)
            return ts_perr(err, rc, "syslog header: impossible date");
    }
    ts_str_t name;
    if (!parse_tag(&s, &name, &r->pid)) {
        ts_str_t h = token(s);
        if (h.len == 0 || h.len == s.len)
            return TS_PARSE_SKIP; /* a bare host with no message */
        r->host = h;
        s = skip(s, h.len + 1);
        if (!parse_tag(&s, &name, &r->pid))
            return TS_PARSE_SKIP; /* not "program: message" */
    }
    if (!is_sshd(name))
        return TS_PARSE_SKIP;
    r->msg = s;
    return 0;
}

/* ---- the message -------------------------------------------------------------------- */

enum kind_id {
    K_FAILED_AUTH,
    K_INVALID_USER,
    K_AUTH_FAILURE,
    K_ROOT_REFUSED,
    K_USER_NOT_ALLOWED,
    K_AUTH_FAIL_DISCONNECT,
    K_MAX_AUTH,
    K_CHANGE_OF_USER,
    K_REFUSED_CONNECT,
    K_NO_IDENT,
    K_BAD_PROTOCOL,
    K_BANNER_INVALID,
};

static const struct {
    const char *name;
    const char *identifier;
    bool scanner; /* information-gathering/scanner, else intrusion-attempts/brute-force */
} kinds[] = {
    [K_FAILED_AUTH] = {"failed-auth", "sshd-failed-auth", false},
    [K_INVALID_USER] = {"invalid-user", "sshd-invalid-user", false},
    [K_AUTH_FAILURE] = {"auth-failure", "sshd-auth-failure", false},
    [K_ROOT_REFUSED] = {"root-login-refused", "sshd-root-login-refused", false},
    [K_USER_NOT_ALLOWED] = {"user-not-allowed", "sshd-user-not-allowed", false},
    [K_AUTH_FAIL_DISCONNECT] = {"auth-fail-disconnect", "sshd-auth-fail-disconnect", false},
    [K_MAX_AUTH] = {"max-auth-attempts", "sshd-max-auth-attempts", false},
    [K_CHANGE_OF_USER] = {"change-of-user", "sshd-change-of-user", false},
    [K_REFUSED_CONNECT] = {"refused-connect", "sshd-refused-connect", true},
    [K_NO_IDENT] = {"no-identification", "sshd-no-identification", true},
    [K_BAD_PROTOCOL] = {"bad-protocol-version", "sshd-bad-protocol-version", true},
    [K_BANNER_INVALID] = {"banner-invalid", "sshd-banner-invalid", true},
};

struct hit {
    enum kind_id kind;
    ts_str_t user;   /* ptr NULL when the line names none */
    ts_str_t method; /* failed-auth only */
    ts_ip_t ip;
    ts_str_t fqdn;
    int32_t port;
};

enum {
    T_SSH = 1,  /* " sshN" may follow the port */
    T_INFO = 2, /* ": anything" may end the line */
    T_VIA = 4,  /* " via NAME" may follow */
};

/* ts_pdns_name() admits labels like "-" that no resolver returns; a name
 * from reverse DNS has labels starting and ending with a letter or digit. */
static bool name_labels_ok(ts_str_t h)
{
    for (size_t i = 0; i < h.len; i++)
        if (h.ptr[i] == '-' &&
            (i == 0 || h.ptr[i - 1] == '.' || i + 1 == h.len || h.ptr[i + 1] == '.'))
            return false;
    return true;
}

/* A client address: IP (mapped IPv4 unmapped) or DNS name. */
static bool set_host(ts_str_t h, struct hit *out)
{
    if (ts_ip_parse(h.ptr, h.len, &out->ip) == 0) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (out->ip.family == TS_AF_INET6 && memcmp(out->ip.bytes, mapped, 12) == 0) {
            memmove(out->ip.bytes, out->ip.bytes + 12, 4);
            memset(out->ip.bytes + 4, 0, 12);
            out->ip.family = TS_AF_INET;
        }
        out->fqdn = TS_STR_NULL;
        return true;
    }
    if (ts_pdns_name(h) && name_labels_ok(h)) {
        out->ip.family = TS_AF_NONE;
        out->fqdn = h;
        return true;
    }
    return false;
}

/* Whether t is "HOST[ port N][ sshN][ via X]" then the end (spaces and an
 * optional " [preauth]"), or follow, or ": ..." (T_INFO).
 * \retval 1 fits, host set.  \retval 0 does not fit.  \retval TS_EADDR fits
 * but HOST is neither an IP address nor a DNS name. */
static int tail_fits(ts_str_t t, unsigned flags, const char *follow, struct hit *h)
{
    ts_str_t host = token(t);
    if (host.len == 0)
        return 0;
    t = skip(t, host.len);
    int32_t port = -1;
    if (starts(t, " port ")) {
        ts_str_t p = skip(t, 6);
        uint64_t n;
        if (eat_uint(&p, 5, &n) && n <= 65535) {
            port = (int32_t)n;
            t = p;
        }
    }
    if (flags & T_SSH) {
        ts_str_t p = t;
        if (eat(&p, " ssh")) {
            if (p.len > 0 && p.ptr[0] >= '0' && p.ptr[0] <= '9')
                p = skip(p, 1);
            if (p.len == 0 || p.ptr[0] == ' ' || p.ptr[0] == ':')
                t = p;
        }
    }
    if ((flags & T_VIA) && starts(t, " via ")) {
        ts_str_t v = token(skip(t, 5));
        if (v.len > 0)
            t = skip(t, 5 + v.len);
    }
    bool ok = false;
    if (follow)
        ok = starts(t, follow);
    else if ((flags & T_INFO) && starts(t, ": "))
        ok = true;
    if (!ok && !follow) {
        ts_str_t end = trim_right(t);
        eat(&end, " [preauth]");
        ok = trim_right(end).len == 0;
    }
    if (!ok)
        return 0;
    if (!set_host(host, h))
        return TS_EADDR;
    h->port = port;
    return 1;
}

/* Finds the " from " in s (first, or last when last) whose remainder fits.
 * \retval 1 found: *user_end = offset of that " from ".
 * \retval 0 none fits.  \retval TS_EADDR one fits but for its address. */
static int from_host(ts_str_t s, unsigned flags, const char *follow, bool last, struct hit *h,
                     size_t *user_end)
{
    int result = 0;
    for (size_t i = 0; i + 6 <= s.len; i++) {
        if (memcmp(s.ptr + i, " from ", 6) != 0)
            continue;
        struct hit tmp = *h;
        int rc = tail_fits(skip(s, i + 6), flags, follow, &tmp);
        if (rc == 1) {
            *h = tmp;
            *user_end = i;
            result = 1;
            if (!last)
                return 1;
        } else if (rc < 0 && result == 0) {
            result = TS_EADDR;
        }
    }
    return result;
}

/* "[invalid user |illegal user ]U from H..." into h. */
static int user_from(ts_str_t s, unsigned flags, const char *follow, struct hit *h)
{
    if (!eat(&s, "invalid user "))
        eat(&s, "illegal user ");
    size_t end;
    /* Searched from the space before s, so that an empty user name ("Invalid
     * user  from H") is found too; offsets in s2 are one more than in s. */
    ts_str_t s2 = ts_str(s.ptr - 1, s.len + 1);
    int rc = from_host(s2, flags, follow, false, h, &end);
    if (rc == 1)
        h->user = ts_str(s.ptr, end ? end - 1 : 0);
    return rc;
}

/* Classifies the message. \retval 1 an event (h set).  \retval 0 not
 * evidence.  \retval <0 a recognised line that is malformed. */
static int classify(ts_str_t m, struct hit *h, ts_parse_error_t *err)
{
    int rc;
    h->user = h->method = TS_STR_NULL;
    h->port = -1;
#define BAD(kind_)                                                                                 \
    (rc == TS_EADDR                                                                                \
         ? ts_perr(err, TS_EADDR, "%s: client address is not an IP address or name",               \
                   kinds[kind_].name)                                                              \
         : ts_perr(err, TS_ESYNTAX, "%s: no ' from ADDRESS' ending the line", kinds[kind_].name))
    if (eat(&m, "Failed ")) {
        h->kind = K_FAILED_AUTH;
        ts_str_t method = token(m);
        if (method.len == 0 || method.len > 64 || !starts(skip(m, method.len), " for "))
            return 0;
        m = skip(m, method.len + 5);
        if (ts_str_eq_c(method, "publickey") && !starts(m, "invalid user "))
            return 0;
        h->method = method;
        if ((rc = user_from(m, T_SSH | T_INFO, NULL, h)) == 1)
            return 1;
        return BAD(K_FAILED_AUTH);
    }
    if (eat(&m, "Invalid user ") || eat(&m, "Illegal user ")) {
        h->kind = K_INVALID_USER;
        ts_str_t s2 = ts_str(m.ptr - 1, m.len + 1);
        size_t end;
        if ((rc = from_host(s2, 0, NULL, false, h, &end)) == 1) {
            h->user = ts_str(m.ptr, end ? end - 1 : 0);
            return 1;
        }
        return BAD(K_INVALID_USER);
    }
    {
        ts_str_t p = m;
        eat(&p, "PAM: ");
        if (eat(&p, "Authentication ") || eat(&p, "authentication ")) {
            if (eat(&p, "failure for ") || eat(&p, "error for ") || eat(&p, "failed for ")) {
                h->kind = K_AUTH_FAILURE;
                if ((rc = user_from(p, T_VIA, NULL, h)) == 1)
                    return 1;
                return BAD(K_AUTH_FAILURE);
            }
        }
        if (eat(&p, "User not known to the underlying authentication module for ")) {
            h->kind = K_AUTH_FAILURE;
            if ((rc = user_from(p, 0, NULL, h)) == 1)
                return 1;
            return BAD(K_AUTH_FAILURE);
        }
    }
    if (eat(&m, "ROOT LOGIN REFUSED FROM ")) {
        h->kind = K_ROOT_REFUSED;
        h->user = TS_STR_LIT("root");
        if ((rc = tail_fits(m, 0, NULL, h)) == 1)
            return 1;
        return BAD(K_ROOT_REFUSED);
    }
    if (eat(&m, "User ")) {
        /* "User U not allowed because account is locked" names no client. */
        h->kind = K_USER_NOT_ALLOWED;
        ts_str_t s2 = ts_str(m.ptr - 1, m.len + 1);
        size_t end;
        rc = from_host(s2, 0, " not allowed because ", false, h, &end);
        if (rc == 1)
            h->user = ts_str(m.ptr, end ? end - 1 : 0);
        return rc == 1 ? 1 : rc == 0 ? 0 : BAD(K_USER_NOT_ALLOWED);
    }
    if (eat(&m, "refused connect from ")) {
        h->kind = K_REFUSED_CONNECT;
        ts_str_t t = trim_right(m);
        size_t open = t.len;
        while (open > 0 && t.ptr[open - 1] != '(')
            open--;
        rc = 0;
        if (open > 0 && t.len > open && t.ptr[t.len - 1] == ')') {
            if (set_host(sub(t, open, t.len - 1), h))
                return 1;
            rc = TS_EADDR;
        }
        return BAD(K_REFUSED_CONNECT);
    }
    if (eat(&m, "Received disconnect from ")) {
        h->kind = K_AUTH_FAIL_DISCONNECT;
        ts_str_t host = token(m), t = skip(m, host.len);
        if (host.len > 1 && host.ptr[host.len - 1] == ':') {
            host.len--;
        } else {
            uint64_t port;
            if (!eat(&t, " port ") || !eat_uint(&t, 5, &port) || port > 65535 || !eat(&t, ":"))
                return 0;
            h->port = (int32_t)port;
        }
        while (t.len > 0 && t.ptr[0] == ' ')
            t = skip(t, 1);
        ts_str_t end = trim_right(t);
        if (end.len >= 10 && memcmp(end.ptr + end.len - 10, " [preauth]", 10) == 0)
            end.len -= 10;
        if (!eat(&t, "3: ") || end.len < 11 ||
            memcmp(end.ptr + end.len - 11, ": Auth fail", 11) != 0)
            return 0;
        if (set_host(host, h))
            return 1;
        rc = TS_EADDR;
        return BAD(K_AUTH_FAIL_DISCONNECT);
    }
    if (eat(&m, "maximum authentication attempts exceeded for ")) {
        h->kind = K_MAX_AUTH;
        if ((rc = user_from(m, T_SSH, NULL, h)) == 1)
            return 1;
        return BAD(K_MAX_AUTH);
    }
    if (eat(&m, "Disconnecting invalid user ") || eat(&m, "Disconnecting authenticating user ")) {
        h->kind = K_CHANGE_OF_USER;
        static const char change[] = ": Change of username or service not allowed";
        ts_str_t c = find(m, change);
        if (c.ptr == NULL)
            return 0;
        /* Backwards from the marker: " HOST port N". */
        size_t e = (size_t)(c.ptr - m.ptr), i = e;
        while (i > 0 && m.ptr[i - 1] >= '0' && m.ptr[i - 1] <= '9')
            i--;
        rc = 0;
        if (i < e && e - i <= 5 && i >= 6 && memcmp(m.ptr + i - 6, " port ", 6) == 0) {
            size_t hend = i - 6, hs = hend;
            while (hs > 0 && m.ptr[hs - 1] != ' ')
                hs--;
            if (hs < hend) {
                if (set_host(sub(m, hs, hend), h)) {
                    uint64_t port;
                    ts_str_t p = sub(m, i, e);
                    if (eat_uint(&p, 5, &port) && port <= 65535)
                        h->port = (int32_t)port;
                    h->user = sub(m, 0, hs > 0 ? hs - 1 : 0);
                    return 1;
                }
                rc = TS_EADDR;
            }
        }
        return BAD(K_CHANGE_OF_USER);
    }
    if (eat(&m, "Did not receive identification string from ")) {
        h->kind = K_NO_IDENT;
        if ((rc = tail_fits(m, 0, NULL, h)) == 1)
            return 1;
        return BAD(K_NO_IDENT);
    }
    if (starts(m, "Bad protocol version identification ")) {
        h->kind = K_BAD_PROTOCOL;
        size_t end;
        if ((rc = from_host(m, 0, NULL, true, h, &end)) == 1)
            return 1;
        return BAD(K_BAD_PROTOCOL);
    }
    if (eat(&m, "banner exchange: Connection from ")) {
        h->kind = K_BANNER_INVALID;
        ts_str_t host = token(m), t = skip(m, host.len);
        uint64_t port;
        if (!eat(&t, " port ") || !eat_uint(&t, 5, &port) || port > 65535 ||
            !eat(&t, ": invalid format"))
            return 0;
        h->port = (int32_t)port;
        if (set_host(host, h))
            return 1;
        rc = TS_EADDR;
        return BAD(K_BANNER_INVALID);
    }
#undef BAD
    return 0;
}

/* ---- the event ---------------------------------------------------------------------- */

static bool valid_utf8(ts_str_t s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t n = s.len;
    while (n > 0) {
        if (*p < 0x80) {
            p++;
            n--;
            continue;
        }
        uint32_t cp;
        size_t k = ts_utf8_next(p, n, &cp);
        if (cp == TS_UTF8_BAD)
            return false;
        p += k;
        n -= k;
    }
    return true;
}

/* s (valid UTF-8) as a JSON string, in the arena. */
static ts_str_t json_quote(ts_arena_t *a, ts_str_t s)
{
    char *out = ts_arena_alloc(a, s.len * 6 + 3), *p = out;
    *p++ = '"';
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            p += sprintf(p, "\\u%04x", c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    *p = '\0';
    return ts_str(out, (size_t)(p - out));
}

static ts_str_t json_int(ts_arena_t *a, int64_t x)
{
    char *out = ts_arena_alloc(a, 24);
    int n = snprintf(out, 24, "%lld", (long long)x);
    return ts_str(out, (size_t)n);
}

static void add_extra(ts_event_t *e, const char *key, ts_str_t json)
{
    /* At most six keys: TS_EVENT_EXTRA_MAX cannot be reached. */
    e->extra[e->n_extra].key = ts_str_c(key);
    e->extra[e->n_extra].value_json = json;
    e->n_extra++;
}

int ts_sshd_parse(const char *line, size_t len, ts_arena_t *arena, ts_event_t *out,
                  ts_parse_error_t *err)
{
    struct rec r = {.time = TS_TIME_NONE, .host = TS_STR_NULL, .pid = -1, .count = 1};
    int rc = parse_header(line, len, &r, err);
    if (rc != 0)
        return rc;
    ts_str_t m = trim_right(r.msg);
    if (eat(&m, "[ID ")) { /* Solaris: "[ID 800047 auth.info] " */
        ts_str_t c = find(m, "] ");
        if (c.ptr == NULL)
            return TS_PARSE_SKIP;
        m = skip(c, 2);
    }
    if (eat(&m, "message repeated ")) {
        uint64_t n;
        if (!eat_uint(&m, 9, &n) || n == 0 || !eat(&m, " times: [ ") || m.len == 0 ||
            m.ptr[m.len - 1] != ']')
            return TS_PARSE_SKIP;
        m.len--;
        r.count = n;
    }
    if (!eat(&m, "error: "))
        eat(&m, "fatal: ");

    struct hit h;
    memset(&h, 0, sizeof h);
    rc = classify(m, &h, err);
    if (rc <= 0)
        return rc < 0 ? rc : TS_PARSE_SKIP;

    if (m.len > TS_EVENT_STR_MAX)
        return ts_perr(err, TS_ETOOBIG, "message: longer than %d bytes", TS_EVENT_STR_MAX);
    if (!valid_utf8(m) || (r.host.ptr && !valid_utf8(r.host)))
        return ts_perr(err, TS_EUTF8, "message: invalid UTF-8");

    ts_event_t *e = out;
    ts_event_init(e);
    e->feed_name = TS_STR_LIT("sshd");
    e->transport = TS_STR_LIT("tcp");
    e->application = TS_STR_LIT("ssh");
    e->time_source = r.time;
    e->count = r.count;
    const char *type = kinds[h.kind].scanner ? "scanner" : "brute-force";
    if (ts_type_lookup(type, strlen(type), &e->type) != 0)
        return ts_perr(err, TS_EINVAL, "internal: unknown type %s", type);
    e->identifier = ts_str_c(kinds[h.kind].identifier);
    e->description = ts_arena_strdup(arena, m);
    e->src.ip = h.ip;
    if (h.fqdn.ptr)
        e->src.fqdn = ts_pdns_copy(arena, h.fqdn);

    char kj[40];
    int kn = snprintf(kj, sizeof kj, "\"%s\"", kinds[h.kind].name);
    add_extra(e, "sshd.kind", ts_arena_strdup(arena, ts_str(kj, (size_t)kn)));
    if (h.user.ptr)
        add_extra(e, "sshd.user", json_quote(arena, h.user));
    if (h.method.ptr)
        add_extra(e, "sshd.method", json_quote(arena, h.method));
    if (h.port >= 0)
        add_extra(e, "sshd.port", json_int(arena, h.port));
    if (r.host.ptr)
        add_extra(e, "sshd.host", json_quote(arena, r.host));
    if (r.pid >= 0)
        add_extra(e, "sshd.pid", json_int(arena, r.pid));
    return TS_PARSE_EVENT;
}
