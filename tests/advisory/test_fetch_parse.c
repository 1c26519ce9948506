/* SPDX-License-Identifier: Apache-2.0 */
/* The CSAF provider files fetching reads: provider-metadata.json,
 * changes.csv, index.txt, ROLIE feeds, digest files, and the URL and path
 * checks that keep a hostile list from pointing anywhere. Invalid input
 * first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advisory/fetch.h"
#include "core/event.h"

/* Bad-line reports, collected. */
struct bads {
    size_t n, skipped, remarks;
    size_t where[32];
    int code[32];
};

static void on_bad(size_t where, int code, const char *why, void *ctx)
{
    struct bads *b = ctx;
    assert_non_null(why);
    assert_true(strlen(why) > 0);
    if (b->n < 32) {
        b->where[b->n] = where;
        b->code[b->n] = code;
    }
    b->n++;
    if (code < 0)
        b->skipped++;
    else
        b->remarks++;
}

static int64_t t(const char *s)
{
    int64_t us;
    assert_int_equal(ts_time_parse(s, strlen(s), &us), 0);
    return us;
}

/* ---- URL and path checks ---- */

static void test_url_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "http://example.org/x.json",
        "ftp://example.org/x.json",
        "https://",
        "https:///x.json",
        "https://:443/x",
        "https://exa mple.org/x",
        "https://example.org/a\tb",
        "https://user@example.org/x",
        "https://example.org\\x",
        "//example.org/x.json",
        "example.org/x.json",
        "file:///etc/passwd",
        "https://example.org/\x7f",
    };
    assert_false(ts_csaf_url_ok(NULL));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ts_csaf_url_ok(bad[i]));
    char *long_url = malloc(TS_CSAF_URL_MAX + 2);
    memcpy(long_url, "https://h/", 10);
    memset(long_url + 10, 'a', TS_CSAF_URL_MAX - 9);
    long_url[TS_CSAF_URL_MAX + 1] = '\0';
    assert_false(ts_csaf_url_ok(long_url));
    long_url[TS_CSAF_URL_MAX] = '\0'; /* exactly the bound */
    assert_true(ts_csaf_url_ok(long_url));
    free(long_url);

    assert_true(ts_csaf_url_ok("https://example.org"));
    assert_true(ts_csaf_url_ok("HTTPS://example.org:8443/.well-known/csaf/provider-metadata.json"));
    assert_true(ts_csaf_url_ok("https://127.0.0.1:4443/a/b.json?x=1#f"));
    assert_true(ts_csaf_url_ok("https://example.org/path@with-at"));
}

static void test_path_refused(void **state)
{
    static const char *const bad[] = {
        "",
        ".json",
        "/abs/x.json",
        "../x.json",
        "2023/../../x.json",
        "a//b.json",
        "./a.json",
        "2023/./a.json",
        "a.txt",
        "a.json/",
        "a.JSON",
        "https://evil.example/a.json",
        "a b.json",
        "a\\b.json",
        "a%2f..%2fb.json",
        "a?.json",
        "a#.json",
        "2023/a.json\r",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ts_csaf_path_ok(bad[i], strlen(bad[i])));
    assert_false(ts_csaf_path_ok("a\0b.json", 8));
    assert_false(ts_csaf_path_ok(NULL, 0));

    assert_true(ts_csaf_path_ok("a.json", 6));
    assert_true(ts_csaf_path_ok("2023/esa-2023-001.json", 22));
    assert_true(ts_csaf_path_ok("2024/cisco-sa_x+y.v2.json", 25));
    assert_true(ts_csaf_path_ok("white/2024/x..y.json", 20)); /* ".." inside a name is fine */
}

/* ---- changes.csv ---- */

static void test_changes_bad_lines(void **state)
{
    static const char csv[] =
        "\"2024/ok-1.json\",\"2024-03-02T10:00:00Z\"\n"              /* 1 ok */
        "\"2024/one-field.json\"\n"                                  /* 2 one field */
        "\"2024/unterminated.json,\"2024-03-01T00:00:00Z\"\n"        /* 3 bad quote */
        "\"2024/x.json\"junk,\"2024-03-01T00:00:00Z\"\n"             /* 4 text after quote */
        "\"2024/x.json\",\"2024-03-01T00:00:00Z\",\"extra\"\n"       /* 5 three fields */
        "\"2024/x.json\",\"yesterday\"\n"                            /* 6 bad date */
        "\"../etc/passwd.json\",\"2024-03-01T00:00:00Z\"\n"          /* 7 unsafe path */
        "\"https://evil.example/a.json\",\"2024-03-01T00:00:00Z\"\n" /* 8 absolute URL */
        "2024/unq\"uote.json,2024-03-01T00:00:00Z\n"                 /* 9 quote in unquoted */
        "\"2024/a.txt\",\"2024-03-01T00:00:00Z\"\n"                  /* 10 not JSON */
        "\"2024/ok-2.json\",\"2024-03-01T00:00:00Z\"\n";             /* 11 ok */
    ts_csaf_list_t l;
    struct bads b = {0};
    assert_int_equal(ts_csaf_changes_parse(csv, sizeof csv - 1, &l, on_bad, &b), 0);
    assert_int_equal(b.skipped, 9);
    assert_int_equal(b.remarks, 0);
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(b.where[i], i + 2); /* lines 2..10, 1-based */
        assert_true(b.code[i] < 0);
    }
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].url, "2024/ok-1.json");
    assert_string_equal(l.v[1].url, "2024/ok-2.json");
    assert_true(l.v[0].date == t("2024-03-02T10:00:00Z"));
    assert_null(l.v[0].hash_url);
    ts_csaf_list_free(&l);

    /* A NUL byte inside a quoted field. */
    static const char nul[] = "\"2024/a\0b.json\",\"2024-03-01T00:00:00Z\"\n";
    memset(&b, 0, sizeof b);
    assert_int_equal(ts_csaf_changes_parse(nul, sizeof nul - 1, &l, on_bad, &b), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.skipped, 1);
    ts_csaf_list_free(&l);

    /* A field longer than any URL. */
    size_t big = TS_CSAF_URL_MAX + 100;
    char *longline = malloc(big + 40);
    longline[0] = '"';
    memset(longline + 1, 'a', big);
    strcpy(longline + 1 + big, ".json\",\"2024-03-01T00:00:00Z\"");
    memset(&b, 0, sizeof b);
    assert_int_equal(ts_csaf_changes_parse(longline, strlen(longline), &l, on_bad, &b), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.skipped, 1);
    assert_int_equal(b.code[0], TS_ETOOBIG);
    ts_csaf_list_free(&l);
    free(longline);
}

static void test_changes_too_big(void **state)
{
    /* Never read: the size is checked first; calloc keeps the pages untouched. */
    size_t n = (size_t)TS_CSAF_LIST_MAX + 1;
    char *huge = calloc(1, n);
    assert_non_null(huge);
    ts_csaf_list_t l;
    assert_int_equal(ts_csaf_changes_parse(huge, n, &l, NULL, NULL), TS_ETOOBIG);
    assert_int_equal(l.n, 0);
    assert_int_equal(ts_csaf_index_parse(huge, n, &l, NULL, NULL), TS_ETOOBIG);
    free(huge);
}

static void test_changes_order_and_forms(void **state)
{
    /* CRLF, unquoted fields, an escaped quote pair that leaves a safe path,
     * blank lines, no final newline; line 4 is newer than line 3. */
    static const char csv[] = "\r\n"
                              "\"2024/b.json\",\"2024-05-01T12:00:00.000Z\"\r\n"
                              "2024/a.json,2024-04-01T00:00:00+02:00\r\n"
                              "\"2024/c.json\",\"2024-06-01T00:00:00Z\"\r\n"
                              "   \n"
                              "\"2023/d.json\",\"2023-01-01\"";
    ts_csaf_list_t l;
    struct bads b = {0};
    assert_int_equal(ts_csaf_changes_parse(csv, sizeof csv - 1, &l, on_bad, &b), 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(b.skipped, 0);
    assert_int_equal(b.remarks, 1);
    assert_int_equal(b.where[0], 4);
    assert_int_equal(b.code[0], 0);
    assert_string_equal(l.v[1].url, "2024/a.json");
    assert_true(l.v[1].date == t("2024-03-31T22:00:00Z"));
    assert_string_equal(l.v[2].url, "2024/c.json");
    assert_string_equal(l.v[3].url, "2023/d.json");
    assert_true(l.v[3].date == t("2023-01-01T00:00:00Z"));
    ts_csaf_list_free(&l);

    /* Empty file: nothing, no complaint. */
    memset(&b, 0, sizeof b);
    assert_int_equal(ts_csaf_changes_parse("", 0, &l, on_bad, &b), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.n, 0);
    ts_csaf_list_free(&l);

    /* A doubled quote is an escaped quote: the path then holds a '"' and is refused. */
    static const char esc[] = "\"2024/a\"\"b.json\",\"2024-01-01T00:00:00Z\"\n";
    assert_int_equal(ts_csaf_changes_parse(esc, sizeof esc - 1, &l, on_bad, &b), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.skipped, 1);
    ts_csaf_list_free(&l);
}

/* ---- index.txt ---- */

static void test_index(void **state)
{
    static const char idx[] = "2024/a.json\n"
                              "../../etc/passwd.json\n"
                              "/abs.json\n"
                              "2024/readme.txt\n"
                              "\n"
                              "2024/b.json\r\n"
                              "2024/c.json";
    ts_csaf_list_t l;
    struct bads b = {0};
    assert_int_equal(ts_csaf_index_parse(idx, sizeof idx - 1, &l, on_bad, &b), 0);
    assert_int_equal(b.skipped, 3);
    assert_int_equal(b.where[0], 2);
    assert_int_equal(b.where[2], 4);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].url, "2024/a.json");
    assert_string_equal(l.v[1].url, "2024/b.json");
    assert_string_equal(l.v[2].url, "2024/c.json");
    assert_true(l.v[2].date == TS_TIME_NONE);
    ts_csaf_list_free(&l);

    static const char nul[] = "2024/a\0.json\n";
    memset(&b, 0, sizeof b);
    assert_int_equal(ts_csaf_index_parse(nul, sizeof nul - 1, &l, on_bad, &b), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.skipped, 1);
    ts_csaf_list_free(&l);
}

/* ---- provider-metadata.json ---- */

static void pmd_bad(const char *json, int want, const char *msg_part)
{
    ts_csaf_pmd_t *p = (ts_csaf_pmd_t *)1;
    char err[256] = "";
    int rc = ts_csaf_pmd_parse(json, strlen(json), &p, err, sizeof err);
    if (rc != want || strstr(err, msg_part) == NULL)
        fail_msg("%s: got %d \"%s\", want %d with \"%s\"", json, rc, err, want, msg_part);
    assert_null(p);
}

#define PMD_HEAD "{\"canonical_url\":\"https://p.example/.well-known/csaf/provider-metadata.json\","

static void test_pmd_invalid(void **state)
{
    pmd_bad("", TS_ETRUNC, "");
    pmd_bad("{\"canonical_url\":", TS_ETRUNC, "");
    pmd_bad("[]", TS_ETYPE, "expected object");
    pmd_bad("{\"role\":\"csaf_provider\"}", TS_EMISSING, "canonical_url");
    pmd_bad("{\"canonical_url\":\"http://p.example/pmd.json\",\"role\":\"csaf_provider\"}",
            TS_EINVAL, "canonical_url: not an https URL");
    pmd_bad(PMD_HEAD "\"distributions\":[]}", TS_EMISSING, "role");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_god\"}", TS_EINVAL, "unknown role");
    pmd_bad(PMD_HEAD "\"role\":7}", TS_ETYPE, "role");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":{}}", TS_ETYPE, "distributions");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":[{}]}", TS_EINVAL,
            "distributions[0].: neither directory_url nor rolie");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":[42]}", TS_ETYPE,
            "distributions[0]");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":"
                     "[{\"directory_url\":\"http://p.example/csaf/\"}]}",
            TS_EINVAL, "distributions[0].directory_url: not an https URL");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":"
                     "[{\"directory_url\":\"https://p.example/a/\"},"
                     "{\"rolie\":{\"feeds\":[{\"url\":\"https://p.example/f.json\"},"
                     "{\"url\":\"ftp://p.example/g.json\"}]}}]}",
            TS_EINVAL, "distributions[1].rolie.feeds[1].url: not an https URL");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":[{\"rolie\":{}}]}", TS_EMISSING,
            "feeds");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":[{\"rolie\":[]}]}", TS_ETYPE,
            "rolie");
    pmd_bad(PMD_HEAD "\"role\":\"csaf_provider\",\"public_openpgp_keys\":[\"x\"]}", TS_ETYPE,
            "public_openpgp_keys[0]");

    /* Too many distributions. */
    char *many = malloc(100 + 40 * (TS_CSAF_DISTS_MAX + 1));
    strcpy(many, PMD_HEAD "\"role\":\"csaf_provider\",\"distributions\":[");
    for (int i = 0; i <= TS_CSAF_DISTS_MAX; i++)
        strcat(many,
               i ? ",{\"directory_url\":\"https://a/\"}" : "{\"directory_url\":\"https://a/\"}");
    strcat(many, "]}");
    pmd_bad(many, TS_ETOOBIG, "more than");
    free(many);
}

static void test_pmd_valid(void **state)
{
    static const char json[] =
        PMD_HEAD "\"last_updated\":\"2024-01-01T00:00:00Z\",\"list_on_CSAF_aggregators\":true,"
                 "\"metadata_version\":\"2.0\",\"mirror_on_CSAF_aggregators\":true,"
                 "\"publisher\":{\"category\":\"vendor\",\"name\":\"P\",\"namespace\":"
                 "\"https://p.example\"},\"role\":\"csaf_trusted_provider\","
                 "\"distributions\":[{\"directory_url\":\"https://p.example/csaf/white//\"},"
                 "{\"rolie\":{\"feeds\":[{\"summary\":\"w\",\"tlp_label\":\"WHITE\","
                 "\"url\":\"https://p.example/csaf/feed-white.json\"},"
                 "{\"tlp_label\":\"GREEN\",\"url\":\"https://p.example/csaf/feed-green.json\"}]}}],"
                 "\"public_openpgp_keys\":[{\"fingerprint\":\"ABCDEF0123\",\"url\":"
                 "\"https://p.example/key.asc\"},{\"url\":\"https://p.example/k2.asc\"}]}";
    ts_csaf_pmd_t *p = NULL;
    char err[256] = "";
    assert_int_equal(ts_csaf_pmd_parse(json, sizeof json - 1, &p, err, sizeof err), 0);
    assert_non_null(p);
    assert_string_equal(p->role, "csaf_trusted_provider");
    assert_int_equal(p->n_dirs, 1);
    assert_string_equal(p->dirs[0], "https://p.example/csaf/white");
    assert_int_equal(p->n_feeds, 2);
    assert_string_equal(p->feeds[1], "https://p.example/csaf/feed-green.json");
    assert_int_equal(p->n_key_fprs, 1);
    assert_string_equal(p->key_fprs[0], "ABCDEF0123");
    ts_csaf_pmd_free(p);

    /* No distributions at all parses (the run says so). */
    static const char bare[] = PMD_HEAD "\"role\":\"csaf_publisher\"}";
    assert_int_equal(ts_csaf_pmd_parse(bare, sizeof bare - 1, &p, err, sizeof err), 0);
    assert_int_equal(p->n_dirs + p->n_feeds, 0);
    ts_csaf_pmd_free(p);
}

/* ---- ROLIE ---- */

static void test_rolie_invalid(void **state)
{
    ts_csaf_list_t l;
    char err[256];
    static const char *const bad[] = {
        "", "{", "[]", "{}", "{\"feed\":[]}", "{\"feed\":{\"entry\":{}}}"};
    static const int want[] = {TS_ETRUNC, TS_ETRUNC, TS_ETYPE, TS_EMISSING, TS_ETYPE, TS_ETYPE};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(
            ts_csaf_rolie_parse(bad[i], strlen(bad[i]), &l, NULL, NULL, err, sizeof err), want[i]);
        assert_int_equal(l.n, 0);
        assert_true(strlen(err) > 0);
    }

    /* Bad entries are skipped, each reported with its index. */
    static const char feed[] =
        "{\"feed\":{\"id\":\"x\",\"entry\":["
        "7,"                                      /* 0 */
        "{\"updated\":\"2024-01-01T00:00:00Z\"}," /* 1 no URL */
        "{\"content\":{\"src\":\"http://p.example/a.json\"},"
        "\"updated\":\"2024-01-01T00:00:00Z\"},"                /* 2 http */
        "{\"content\":{\"src\":\"https://p.example/a.json\"}}," /* 3 no updated */
        "{\"content\":{\"src\":\"https://p.example/a.json\"},\"updated\":\"soon\"}," /* 4 */
        "{\"content\":{\"src\":\"https://p.example/a.json\"},\"updated\":\"2024-01-01\","
        "\"link\":[{\"rel\":\"hash\",\"href\":\"http://p.example/a.json.sha512\"}]}," /* 5 */
        "{\"content\":{\"src\":\"https://p.example/a.json\"},\"updated\":\"2024-01-01\","
        "\"link\":\"nope\"}" /* 6 */
        "]}}";
    struct bads b = {0};
    assert_int_equal(ts_csaf_rolie_parse(feed, sizeof feed - 1, &l, on_bad, &b, err, sizeof err),
                     0);
    assert_int_equal(l.n, 0);
    assert_int_equal(b.skipped, 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(b.where[i], i);
    ts_csaf_list_free(&l);
}

static void test_rolie_valid(void **state)
{
    static const char feed[] =
        "{\"feed\":{\"id\":\"p-white\",\"title\":\"P WHITE\",\"updated\":\"2024-05-01T00:00:00Z\","
        "\"link\":[{\"rel\":\"self\",\"href\":\"https://p.example/feed.json\"}],"
        "\"entry\":["
        "{\"id\":\"A-1\",\"title\":\"A\",\"published\":\"2024-01-01T00:00:00Z\","
        "\"updated\":\"2024-04-01T08:00:00Z\","
        "\"link\":[{\"rel\":\"self\",\"href\":\"https://p.example/2024/a-1.json\"},"
        "{\"rel\":\"hash\",\"href\":\"https://p.example/2024/a-1.json.sha512\"},"
        "{\"rel\":\"hash\",\"href\":\"https://p.example/2024/a-1.json.sha256\"},"
        "{\"rel\":\"signature\",\"href\":\"https://p.example/2024/a-1.json.asc\"}],"
        "\"content\":{\"type\":\"application/json\",\"src\":\"https://p.example/2024/a-1.json\"},"
        "\"format\":{\"schema\":\"https://docs.oasis-open.org/csaf/csaf/v2.0/"
        "csaf_json_schema.json\",\"version\":\"2.0\"}},"
        "{\"id\":\"B-2\",\"updated\":\"2024-03-01T00:00:00Z\","
        "\"link\":[{\"rel\":\"self\",\"href\":\"https://p.example/2024/b-2.json\"},"
        "{\"rel\":\"alternate\"},{\"href\":\"x\"}]}"
        "]}}";
    ts_csaf_list_t l;
    char err[256];
    struct bads b = {0};
    assert_int_equal(ts_csaf_rolie_parse(feed, sizeof feed - 1, &l, on_bad, &b, err, sizeof err),
                     0);
    assert_int_equal(b.n, 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].url, "https://p.example/2024/a-1.json");
    assert_true(l.v[0].date == t("2024-04-01T08:00:00Z"));
    assert_string_equal(l.v[0].hash_url, "https://p.example/2024/a-1.json.sha512");
    assert_string_equal(l.v[0].sig_url, "https://p.example/2024/a-1.json.asc");
    assert_string_equal(l.v[1].url, "https://p.example/2024/b-2.json");
    assert_null(l.v[1].hash_url);
    assert_null(l.v[1].sig_url);
    ts_csaf_list_free(&l);

    /* A feed without entries is an empty list. */
    static const char empty[] = "{\"feed\":{\"id\":\"e\"}}";
    assert_int_equal(ts_csaf_rolie_parse(empty, sizeof empty - 1, &l, on_bad, &b, err, sizeof err),
                     0);
    assert_int_equal(l.n, 0);
    ts_csaf_list_free(&l);
}

/* ---- digest files ---- */

static void test_digest(void **state)
{
    unsigned char d[64];
    size_t n = 0;
    char h512[129], h256[65];
    for (int i = 0; i < 128; i++)
        h512[i] = "0123456789abcdef"[i % 16];
    h512[128] = '\0';
    memcpy(h256, h512, 64);
    h256[64] = '\0';

    static const char *const bad[] = {"", "\n", "abc", "zz", "  " /* leading space */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ts_csaf_digest_parse(bad[i], strlen(bad[i]), d, &n), TS_ESYNTAX);
    char buf[400];
    snprintf(buf, sizeof buf, "%.127s", h512); /* one digit short */
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), TS_ESYNTAX);
    snprintf(buf, sizeof buf, "%s0", h512); /* one too many */
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), TS_ESYNTAX);
    snprintf(buf, sizeof buf, "%sg  a.json\n", h512);
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), TS_ESYNTAX);
    snprintf(buf, sizeof buf, "%s  a\x01.json\n", h512);
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), TS_ESYNTAX);
    snprintf(buf, sizeof buf, "%s  a.json\nsecond line\n", h512);
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), TS_ESYNTAX);

    snprintf(buf, sizeof buf, "%s  a.json\n", h512); /* sha512sum output */
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), 0);
    assert_int_equal(n, 64);
    assert_int_equal(d[0], 0x01);
    assert_int_equal(d[63], 0xef);
    snprintf(buf, sizeof buf, "%s\r\n\n", h256);
    for (char *p = buf; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(ts_csaf_digest_parse(buf, strlen(buf), d, &n), 0);
    assert_int_equal(n, 32);
    assert_int_equal(d[5], 0xAB);
    assert_int_equal(ts_csaf_digest_parse(h256, 64, d, &n), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_refused),
        cmocka_unit_test(test_path_refused),
        cmocka_unit_test(test_changes_bad_lines),
        cmocka_unit_test(test_changes_too_big),
        cmocka_unit_test(test_changes_order_and_forms),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_pmd_invalid),
        cmocka_unit_test(test_pmd_valid),
        cmocka_unit_test(test_rolie_invalid),
        cmocka_unit_test(test_rolie_valid),
        cmocka_unit_test(test_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
