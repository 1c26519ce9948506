/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "route/constfile.h"
#include "route/loader.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

#define HEAD "{\"tocsin_constituency\": 1, \"sites\": ["
#define TAIL "]}"

static void expect_bad(const char *doc, int code, const char *needle)
{
    ts_constfile_t *f = (ts_constfile_t *)1;
    char err[512] = "";
    int rc = ts_constfile_parse(doc, strlen(doc), &f, err, sizeof err);
    if (rc != code || strstr(err, needle) == NULL)
        print_error("doc %s\n  rc %d (%s), want %d\n  err \"%s\"\n  want \"%s\"\n", doc, rc,
                    ts_errname(rc), code, err, needle);
    assert_int_equal(rc, code);
    assert_null(f);
    assert_non_null(strstr(err, needle));
}

static void test_malformed(void **state)
{
    expect_bad("", TS_ETRUNC, "unexpected end");
    expect_bad("sites: []", TS_ESYNTAX, "line 1");
    expect_bad("{\"tocsin_constituency\": 1,\n \"sites\": [}", TS_ESYNTAX, "line 2");
    expect_bad("[]", TS_ETYPE, "document: expected object, got array");
    expect_bad("{}", TS_EMISSING, "\"tocsin_constituency\" is missing");
    expect_bad("{\"sites\": []}", TS_EMISSING, "not a constituency file");
    expect_bad("{\"tocsin_constituency\": 2, \"sites\": []}", TS_ENOTSUP, "version 2");
    expect_bad("{\"tocsin_constituency\": \"1\", \"sites\": []}", TS_ETYPE,
               "tocsin_constituency: expected integer, got string");
    expect_bad("{\"tocsin_constituency\": 1}", TS_EMISSING, "field \"sites\" is missing");
    expect_bad("{\"tocsin_constituency\": 1, \"sites\": {}}", TS_ETYPE,
               "sites: expected array, got object");
    expect_bad("{\"tocsin_constituency\": 1, \"sites\": [], \"comment\": \"x\"}", TS_EINVAL,
               "unknown field \"comment\"");
    expect_bad("{\"tocsin_constituency\": 1, \"sites\": [], \"sites\": []}", TS_ESYNTAX,
               "duplicate key \"sites\"");
    expect_bad(HEAD "1" TAIL, TS_ETYPE, "sites[0]: expected object, got number");
    expect_bad(HEAD "{}" TAIL, TS_EMISSING, "sites[0]: field \"name\" is missing");
    expect_bad(HEAD "{\"name\": 5}" TAIL, TS_ETYPE, "sites[0]: name: expected string");
    expect_bad(HEAD "{\"name\": \"a\"}, {\"name\": \"a b\"}" TAIL, TS_EINVAL,
               "sites[1]: name: \"a b\" is not a site name");
    expect_bad(HEAD "{\"name\": \"\"}" TAIL, TS_EINVAL, "sites[0]: name: \"\" is not");
    expect_bad(HEAD "{\"name\": \"a\", \"netwroks\": []}" TAIL, TS_EINVAL,
               "site a: unknown field \"netwroks\"");
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [], \"networks\": []}" TAIL, TS_ESYNTAX,
               "duplicate key \"networks\"");
    expect_bad(HEAD "{\"name\": \"a\", \"parent\": null}" TAIL, TS_ETYPE,
               "site a: parent: expected string, got null");
    expect_bad(HEAD "{\"name\": \"a\", \"description\": 1}" TAIL, TS_ETYPE,
               "site a: description: expected string");
    expect_bad(HEAD "{\"name\": \"a\", \"description\": \"two\\nlines\"}" TAIL, TS_EINVAL,
               "site a: description");
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": \"192.0.2.0/24\"}" TAIL, TS_ETYPE,
               "site a: networks: expected array, got string");
    expect_bad(HEAD "{\"name\": \"a\", \"parent\": \"x y\"}" TAIL, TS_EINVAL,
               "site a: parent: \"x y\" is not a site name");
    /* Deeper than the format needs. */
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [[[[[[[1]]]]]]]}" TAIL, TS_ETOOBIG, "nesting");
}

static void test_bad_claims(void **state)
{
    expect_bad(HEAD "{\"name\": \"uni-a\", \"networks\": [\"192.0.2.0/24\", \"10.0.0.0/8\", "
                    "\"198.51.100.1/24\"]}" TAIL,
               TS_EADDR,
               "site uni-a: networks[2]: 198.51.100.1/24 has host bits set (the network is "
               "198.51.100.0/24)");
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [\"2001:db8::1/32\"]}" TAIL, TS_EADDR,
               "has host bits set (the network is 2001:db8::/32)");
    const char *bad_nets[] = {"300.1.1.0/24", "10.0.0.0/33", "2001:db8::/129",
                              "10.0.0.0/",    "10.0.0.0/08", "10.0.0/24",
                              "10.0.0.0/-1",  "example.org", "",
                              "10.0.0.0/24 ", "010.0.0.0/8", "/8"};
    for (size_t i = 0; i < sizeof bad_nets / sizeof bad_nets[0]; i++) {
        char doc[256];
        snprintf(doc, sizeof doc, HEAD "{\"name\": \"a\", \"networks\": [\"%s\"]}" TAIL,
                 bad_nets[i]);
        expect_bad(doc, TS_EADDR, "site a: networks[0]: ");
    }
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [24]}" TAIL, TS_ETYPE,
               "site a: networks[0]: expected string, got number");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [0]}" TAIL, TS_ERANGE,
               "site a: asns[0]: 0 is out of range 1-4294967295");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [1, 4294967296]}" TAIL, TS_ERANGE,
               "site a: asns[1]: 4294967296 is out of range");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [-5]}" TAIL, TS_ERANGE, "asns[0]");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [\"AS64500\"]}" TAIL, TS_ETYPE,
               "site a: asns[0]: expected integer, got string");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [64500.0]}" TAIL, TS_ETYPE,
               "asns[0]: expected integer, got number");
    expect_bad(HEAD "{\"name\": \"a\", \"domains\": [\"ok.example\", \"a..b\"]}" TAIL, TS_EINVAL,
               "site a: domains[1]: \"a..b\" is not a domain name");
    expect_bad(HEAD "{\"name\": \"a\", \"domains\": [\"\"]}" TAIL, TS_EINVAL, "domains[0]");
    expect_bad(HEAD "{\"name\": \"a\", \"domains\": [\".example.org\"]}" TAIL, TS_EINVAL,
               "domains[0]");
    expect_bad(HEAD "{\"name\": \"a\", \"domains\": [\"x.example\", \"x.example\"]}" TAIL,
               TS_EEXIST, "site a: domains[1]: x.example is listed twice");
    expect_bad(HEAD "{\"name\": \"a\", \"contacts\": [{\"name\": \"SOC\"}]}" TAIL, TS_EMISSING,
               "site a: contacts[0]: field \"email\" is missing");
    expect_bad(HEAD "{\"name\": \"a\", \"contacts\": [{\"email\": \"soc@x.example\", "
                    "\"phone\": \"1\"}]}" TAIL,
               TS_EINVAL, "site a: contacts[0]: unknown field \"phone\"");
    expect_bad(HEAD "{\"name\": \"a\", \"contacts\": [\"soc@x.example\"]}" TAIL, TS_ETYPE,
               "site a: contacts[0]: expected object, got string");
    const char *bad_mail[] = {"nobody", "@x.example",     "a b@x.example",
                              "soc@",   "soc@x..example", "<soc@x.example>"};
    for (size_t i = 0; i < sizeof bad_mail / sizeof bad_mail[0]; i++) {
        char doc[256];
        snprintf(doc, sizeof doc,
                 HEAD "{\"name\": \"a\", \"contacts\": [{\"email\": \"%s\"}]}" TAIL, bad_mail[i]);
        expect_bad(doc, TS_EINVAL, "site a: contacts[0]: email: ");
    }
    expect_bad(HEAD "{\"name\": \"a\", \"contacts\": [{\"email\": \"soc@x.example\"}, "
                    "{\"email\": \"SOC@x.example\"}]}" TAIL,
               TS_EEXIST, "site a: contacts[1]: SOC@x.example is listed twice");
}

static void test_bad_tree(void **state)
{
    expect_bad(HEAD "{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"a\"}" TAIL, TS_EEXIST,
               "site a is listed twice (sites[0] and sites[2])");
    expect_bad(HEAD "{\"name\": \"a\"}, {\"name\": \"b\", \"parent\": \"zz\"}" TAIL, TS_ENOENT,
               "site b: parent: there is no site zz");
    expect_bad(HEAD "{\"name\": \"a\", \"parent\": \"a\"}" TAIL, TS_ECYCLE, "site a: parent: ");
    expect_bad(HEAD
               "{\"name\": \"a\", \"parent\": \"b\"}, {\"name\": \"b\", \"parent\": \"a\"}" TAIL,
               TS_ECYCLE, "forms a cycle");
    expect_bad(HEAD "{\"name\": \"r\"}, {\"name\": \"a\", \"parent\": \"c\"}, "
                    "{\"name\": \"b\", \"parent\": \"a\"}, {\"name\": \"c\", \"parent\": \"b\"}, "
                    "{\"name\": \"d\", \"parent\": \"r\"}" TAIL,
               TS_ECYCLE, "forms a cycle");
    /* Parent names are exact. */
    expect_bad(HEAD "{\"name\": \"A\"}, {\"name\": \"b\", \"parent\": \"a\"}" TAIL, TS_ENOENT,
               "there is no site a");
}

static void test_conflicts(void **state)
{
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [\"192.0.2.0/24\"]}, {\"name\": \"b\", "
                    "\"networks\": [\"10.0.0.0/8\", \"192.0.2.0/24\"]}" TAIL,
               TS_ECONFLICT, "site b: networks[1]: 192.0.2.0/24 is also claimed by site a");
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [\"2001:DB8::/32\"]}, {\"name\": \"b\", "
                    "\"parent\": \"a\", \"networks\": [\"2001:db8:0:0::/32\"]}" TAIL,
               TS_ECONFLICT, "site b: networks[0]: 2001:db8::/32 is also claimed by site a");
    expect_bad(HEAD
               "{\"name\": \"a\", \"asns\": [64500]}, {\"name\": \"b\", \"asns\": [64500]}" TAIL,
               TS_ECONFLICT, "site b: asns[0]: AS64500 is also claimed by site a");
    expect_bad(HEAD "{\"name\": \"a\", \"domains\": [\"Example.ORG\"]}, {\"name\": \"b\", "
                    "\"domains\": [\"example.org.\"]}" TAIL,
               TS_ECONFLICT, "site b: domains[0]: example.org is also claimed by site a");
    expect_bad(HEAD "{\"name\": \"a\", \"networks\": [\"192.0.2.0/24\", \"192.0.2.0/24\"]}" TAIL,
               TS_EEXIST, "site a: networks[1]: 192.0.2.0/24 is listed twice");
    expect_bad(HEAD "{\"name\": \"a\", \"asns\": [7, 7]}" TAIL, TS_EEXIST, "listed twice");
}

static void test_size_bound(void **state)
{
    size_t n = TS_CONSTFILE_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    ts_constfile_t *f;
    char err[256];
    assert_int_equal(ts_constfile_parse(big, n, &f, err, sizeof err), TS_ETOOBIG);
    assert_null(f);
    free(big);
}

/* ---- Valid files ------------------------------------------------------------------ */

static const char messy[] =
    "{\"sites\": [\n"
    " {\"name\": \"uni-b\", \"parent\": \"csirt\", \"domains\": [\"Uni-B.example.\"],\n"
    "  \"networks\": [\"198.51.100.0/25\"]},\n"
    " {\"name\": \"dept\", \"parent\": \"uni-a\", \"networks\": [\"192.0.2.128/25\"],\n"
    "  \"contacts\": [{\"email\": \"z@dept.example\"}, {\"email\": \"a@dept.example\", "
    "\"name\": \"Ann \\\"A\\\" \\u00e9\"}]},\n"
    " {\"name\": \"uni-a\", \"parent\": \"csirt\", \"description\": \"University A\",\n"
    "  \"networks\": [\"2001:db8:a::/48\", \"192.0.2.0/24\", \"10.0.0.0/8\", \"192.0.2.0/25\"],\n"
    "  \"asns\": [65001, 700, 64500], \"domains\": [\"uni-a.example\", \"B.uni-a.example\"]},\n"
    " {\"name\": \"csirt\", \"description\": \"Example CSIRT\", \"networks\": [],\n"
    "  \"contacts\": [{\"email\": \"soc@csirt.example\", \"name\": \"SOC\"}]},\n"
    " {\"name\": \"Agency\", \"networks\": [\"203.0.113.7\"]}\n"
    "], \"tocsin_constituency\": 1}";

static const char canonical[] = "{\n"
                                "  \"tocsin_constituency\": 1,\n"
                                "  \"sites\": [\n"
                                "    {\n"
                                "      \"name\": \"Agency\",\n"
                                "      \"networks\": [\n"
                                "        \"203.0.113.7/32\"\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"name\": \"csirt\",\n"
                                "      \"description\": \"Example CSIRT\",\n"
                                "      \"contacts\": [\n"
                                "        {\"email\": \"soc@csirt.example\", \"name\": \"SOC\"}\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"name\": \"uni-a\",\n"
                                "      \"parent\": \"csirt\",\n"
                                "      \"description\": \"University A\",\n"
                                "      \"networks\": [\n"
                                "        \"10.0.0.0/8\",\n"
                                "        \"192.0.2.0/24\",\n"
                                "        \"192.0.2.0/25\",\n"
                                "        \"2001:db8:a::/48\"\n"
                                "      ],\n"
                                "      \"asns\": [\n"
                                "        700,\n"
                                "        64500,\n"
                                "        65001\n"
                                "      ],\n"
                                "      \"domains\": [\n"
                                "        \"b.uni-a.example\",\n"
                                "        \"uni-a.example\"\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"name\": \"dept\",\n"
                                "      \"parent\": \"uni-a\",\n"
                                "      \"contacts\": [\n"
                                "        {\"email\": \"a@dept.example\", \"name\": \"Ann \\\"A\\\" "
                                "\xc3\xa9\"},\n"
                                "        {\"email\": \"z@dept.example\"}\n"
                                "      ],\n"
                                "      \"networks\": [\n"
                                "        \"192.0.2.128/25\"\n"
                                "      ]\n"
                                "    },\n"
                                "    {\n"
                                "      \"name\": \"uni-b\",\n"
                                "      \"parent\": \"csirt\",\n"
                                "      \"networks\": [\n"
                                "        \"198.51.100.0/25\"\n"
                                "      ],\n"
                                "      \"domains\": [\n"
                                "        \"uni-b.example\"\n"
                                "      ]\n"
                                "    }\n"
                                "  ]\n"
                                "}\n";

static ts_constfile_t *parse_ok(const char *doc, size_t len)
{
    ts_constfile_t *f = NULL;
    char err[512] = "";
    int rc = ts_constfile_parse(doc, len, &f, err, sizeof err);
    if (rc != 0)
        print_error("parse: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(f);
    return f;
}

static void test_canonical(void **state)
{
    ts_constfile_t *f = parse_ok(messy, strlen(messy));
    assert_int_equal(f->n_sites, 5);
    ts_buf_t a = TS_BUF_INIT, b = TS_BUF_INIT;
    ts_constfile_write(f, &a);
    if (strcmp(a.data, canonical) != 0)
        print_error("got:\n%s", a.data);
    assert_string_equal(a.data, canonical);

    /* Round trip: import the export, export again: the same bytes. */
    ts_constfile_t *g = parse_ok(a.data, a.len);
    ts_constfile_write(g, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    ts_constfile_free(g);
    ts_constfile_free(f);

    /* An empty file. */
    const char *empty = "{\"tocsin_constituency\": 1, \"sites\": []}";
    f = parse_ok(empty, strlen(empty));
    ts_buf_reset(&a);
    ts_constfile_write(f, &a);
    assert_string_equal(a.data, "{\n  \"tocsin_constituency\": 1,\n  \"sites\": []\n}\n");
    ts_constfile_free(f);
    ts_buf_free(&a);
    ts_buf_free(&b);
}

static void test_build_and_route(void **state)
{
    ts_constfile_t *f = parse_ok(messy, strlen(messy));
    ts_constituency_t *c;
    char err[256];
    assert_int_equal(ts_constfile_build(f, &c, err, sizeof err), 0);
    assert_int_equal(ts_constituency_site_count(c), 5);
    ts_match_t m;
    ts_ip_t a;
    assert_int_equal(ts_ip_parse("192.0.2.200", 11, &a), 0);
    assert_int_equal(ts_constituency_lookup_ip(c, &a, &m), 0);
    assert_string_equal(m.site_name, "dept");
    assert_int_equal(ts_ip_parse("192.0.2.1", 9, &a), 0);
    assert_int_equal(ts_constituency_lookup_ip(c, &a, &m), 0);
    assert_string_equal(m.site_name, "uni-a");
    assert_string_equal(m.rule, "192.0.2.0/25");
    assert_int_equal(ts_constituency_lookup_domain(c, "www.uni-b.example", 17, &m), 0);
    assert_string_equal(m.site_name, "uni-b");
    int64_t dept, csirt;
    assert_int_equal(ts_constituency_site_id(c, "dept", &dept), 0);
    assert_int_equal(ts_constituency_site_id(c, "csirt", &csirt), 0);
    assert_true(ts_constituency_is_ancestor(c, csirt, dept));
    ts_constituency_free(c);
    ts_constfile_free(f);
}

static void test_assemble_and_read(void **state)
{
    /* A file assembled in code is validated and ordered like a parsed one. */
    ts_constfile_t *f = ts_constfile_new();
    ts_cf_site_t *s = ts_constfile_add_site(f, "child", "root", NULL);
    ts_cf_site_add_domain(s, "CHILD.Example");
    ts_prefix_t p;
    char err[256];
    assert_int_equal(ts_constfile_parse_network("192.0.2.1/24", 12, &p, err, sizeof err), TS_EADDR);
    assert_string_equal(err, "192.0.2.1/24 has host bits set (the network is 192.0.2.0/24)");
    assert_int_equal(ts_constfile_parse_network("192.0.2.0/24", 12, &p, err, sizeof err), 0);
    ts_cf_site_add_network(s, &p);
    s = ts_constfile_add_site(f, "root", NULL, "The root");
    ts_cf_site_add_asn(s, 64500);
    ts_cf_site_add_contact(s, "soc@root.example", NULL);
    assert_int_equal(ts_constfile_validate(f, err, sizeof err), 0);
    assert_string_equal(f->sites[0].name, "root");
    assert_string_equal(f->sites[1].name, "child");
    assert_string_equal(f->sites[1].domains[0], "child.example");
    ts_buf_t out = TS_BUF_INIT;
    ts_constfile_write(f, &out);

    /* Bad additions are caught by validation. */
    ts_cf_site_add_asn(&f->sites[0], 0);
    assert_int_equal(ts_constfile_validate(f, err, sizeof err), TS_EINVAL);
    ts_constfile_free(f);

    char *dir = tt_tmpdir();
    char path[1024];
    snprintf(path, sizeof path, "%s/constituency.json", dir);
    assert_int_equal(ts_constfile_read(path, &f, err, sizeof err), TS_EIO);
    assert_null(f);
    assert_int_equal(tt_write_file(path, out.data, out.len), 0);
    assert_int_equal(ts_constfile_read(path, &f, err, sizeof err), 0);
    ts_buf_t again = TS_BUF_INIT;
    ts_constfile_write(f, &again);
    assert_string_equal(out.data, again.data);
    ts_constfile_free(f);
    ts_buf_free(&again);
    ts_buf_free(&out);
    tt_rmtree(dir);
    free(dir);
}

/* ---- Against a real store ------------------------------------------------------ */

struct fixture {
    char *dir;
    char loc[1024];
    ts_store_t *st;
};

static int store_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dir = tt_tmpdir();
    if (tt_store_fresh(fx->dir, "tocsin.db", fx->loc, sizeof fx->loc) != 0 ||
        ts_store_open(fx->loc, &fx->st) != 0) {
        tt_rmtree(fx->dir);
        free(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int store_teardown(void **state)
{
    struct fixture *fx = *state;
    ts_store_close(fx->st);
    tt_store_drop(fx->loc);
    tt_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static int apply_text(ts_store_t *st, const char *doc, bool prune, ts_constfile_stats_t *stats,
                      char *err, size_t errsize)
{
    ts_constfile_t *f = parse_ok(doc, strlen(doc));
    int rc = ts_constfile_apply(st, f, prune, stats, err, errsize);
    ts_constfile_free(f);
    return rc;
}

static char *export_text(ts_store_t *st)
{
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_constfile_export(st, &b), 0);
    return b.data;
}

static void test_store_import_export(void **state)
{
    struct fixture *fx = *state;
    ts_constfile_stats_t stats;
    char err[512] = "";

    /* Empty store: empty export, empty constituency. */
    char *e0 = export_text(fx->st);
    assert_string_equal(e0, "{\n  \"tocsin_constituency\": 1,\n  \"sites\": []\n}\n");
    free(e0);

    int rc = apply_text(fx->st, messy, false, &stats, err, sizeof err);
    if (rc != 0)
        print_error("apply: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(stats.sites_created, 5);
    assert_int_equal(stats.sites_updated + stats.sites_unchanged + stats.sites_removed, 0);
    assert_int_equal(stats.claims_added, 13);
    assert_int_equal(stats.claims_removed, 0);
    assert_int_equal(stats.contacts, 3);

    char *e1 = export_text(fx->st);
    assert_string_equal(e1, canonical);

    /* Loading from the store routes like the file. */
    ts_constituency_t *c;
    assert_int_equal(ts_constituency_load(fx->st, &c), 0);
    assert_int_equal(ts_constituency_site_count(c), 5);
    ts_ip_t a;
    ts_match_t m;
    assert_int_equal(ts_ip_parse("192.0.2.200", 11, &a), 0);
    assert_int_equal(ts_constituency_lookup_ip(c, &a, &m), 0);
    assert_string_equal(m.site_name, "dept");
    int64_t id;
    assert_int_equal(ts_store_site_find(fx->st, "dept", &id), 0);
    assert_int_equal(m.site_id, id);
    assert_int_equal(ts_constituency_lookup_asn(c, 700, &m), 0);
    assert_string_equal(m.site_name, "uni-a");
    assert_int_equal(ts_constituency_lookup_domain(c, "x.b.uni-a.example", 17, &m), 0);
    assert_string_equal(m.rule, "b.uni-a.example");
    ts_constituency_free(c);

    /* Import the export again: nothing changes, and the export is identical. */
    rc = apply_text(fx->st, e1, false, &stats, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(stats.sites_unchanged, 5);
    assert_int_equal(stats.sites_created + stats.sites_updated, 0);
    assert_int_equal(stats.claims_added + stats.claims_removed, 0);
    char *e2 = export_text(fx->st);
    assert_string_equal(e1, e2);
    free(e1);
    free(e2);
}

static void test_store_changes(void **state)
{
    struct fixture *fx = *state;
    ts_constfile_stats_t stats;
    char err[512] = "";
    const char *v1 = HEAD "{\"name\": \"root\", \"networks\": [\"10.0.0.0/8\"]},"
                          "{\"name\": \"a\", \"parent\": \"root\", \"networks\": "
                          "[\"10.1.0.0/16\"], \"asns\": [64500]},"
                          "{\"name\": \"b\", \"parent\": \"a\", \"domains\": [\"b.example\"]},"
                          "{\"name\": \"old\", \"parent\": \"root\", \"networks\": "
                          "[\"10.9.0.0/16\"]},"
                          "{\"name\": \"old-child\", \"parent\": \"old\"}" TAIL;
    assert_int_equal(apply_text(fx->st, v1, false, &stats, err, sizeof err), 0);
    char *before = export_text(fx->st);

    /* b and a swap places, the /16 moves from a to b, "old" is not in the
     * file, and what it holds is claimed by a: refused without prune, and
     * the store is unchanged. */
    const char *v2 = HEAD "{\"name\": \"root\", \"networks\": [\"10.0.0.0/8\"]},"
                          "{\"name\": \"a\", \"parent\": \"b\", \"asns\": [64500], "
                          "\"networks\": [\"10.9.0.0/16\"]},"
                          "{\"name\": \"b\", \"parent\": \"root\", \"description\": \"B\","
                          " \"networks\": [\"10.1.0.0/16\"], \"domains\": [\"b.example\"]}" TAIL;
    int rc = apply_text(fx->st, v2, false, &stats, err, sizeof err);
    assert_int_equal(rc, TS_ECONFLICT);
    if (strstr(err, "10.9.0.0/16") == NULL || strstr(err, "site old") == NULL ||
        strstr(err, "site a") == NULL)
        print_error("err: %s\n", err);
    assert_non_null(strstr(err, "10.9.0.0/16"));
    assert_non_null(strstr(err, "site old"));
    assert_non_null(strstr(err, "site a"));
    assert_non_null(strstr(err, "prune"));
    char *same = export_text(fx->st);
    assert_string_equal(before, same);
    free(same);

    /* With prune: old and old-child go (child first), the rest moves. */
    rc = apply_text(fx->st, v2, true, &stats, err, sizeof err);
    if (rc != 0)
        print_error("apply: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(stats.sites_removed, 2);
    assert_int_equal(stats.sites_created, 0);
    assert_int_equal(stats.sites_updated, 2);
    assert_int_equal(stats.sites_unchanged, 1);
    /* 10.1/16 moved a -> b (one removed, one added), 10.9/16 moved old -> a. */
    assert_int_equal(stats.claims_added, 2);
    assert_int_equal(stats.claims_removed, 2);
    int64_t id;
    assert_int_equal(ts_store_site_find(fx->st, "old", &id), TS_ENOENT);
    assert_int_equal(ts_store_site_find(fx->st, "old-child", &id), TS_ENOENT);

    ts_constituency_t *c;
    assert_int_equal(ts_constituency_load(fx->st, &c), 0);
    int64_t a, b, root;
    assert_int_equal(ts_constituency_site_id(c, "a", &a), 0);
    assert_int_equal(ts_constituency_site_id(c, "b", &b), 0);
    assert_int_equal(ts_constituency_site_id(c, "root", &root), 0);
    assert_true(ts_constituency_is_ancestor(c, b, a));
    assert_false(ts_constituency_is_ancestor(c, a, b));
    ts_ip_t ip;
    ts_match_t m;
    assert_int_equal(ts_ip_parse("10.9.1.1", 8, &ip), 0);
    assert_int_equal(ts_constituency_lookup_ip(c, &ip, &m), 0);
    assert_string_equal(m.site_name, "a");
    assert_int_equal(ts_ip_parse("10.1.1.1", 8, &ip), 0);
    assert_int_equal(ts_constituency_lookup_ip(c, &ip, &m), 0);
    assert_string_equal(m.site_name, "b");
    ts_constituency_free(c);

    /* Without prune, sites missing from the file stay, with their claims. */
    const char *v3 = HEAD "{\"name\": \"root\", \"networks\": [\"10.0.0.0/8\"]},"
                          "{\"name\": \"new\", \"parent\": \"root\", \"asns\": [65000]}" TAIL;
    rc = apply_text(fx->st, v3, false, &stats, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(stats.sites_kept, 2);
    assert_int_equal(stats.sites_created, 1);
    assert_int_equal(ts_store_site_find(fx->st, "a", &id), 0);
    char *e = export_text(fx->st);
    assert_non_null(strstr(e, "\"name\": \"new\""));
    assert_non_null(strstr(e, "\"10.9.0.0/16\""));
    /* The export imports into a fresh store and exports the same again. */
    ts_constfile_t *f = parse_ok(e, strlen(e));
    ts_buf_t w = TS_BUF_INIT;
    ts_constfile_write(f, &w);
    assert_string_equal(w.data, e);
    ts_buf_free(&w);
    ts_constfile_free(f);
    free(e);
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_claims),
        cmocka_unit_test(test_bad_tree),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_build_and_route),
        cmocka_unit_test(test_assemble_and_read),
        cmocka_unit_test_setup_teardown(test_store_import_export, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_store_changes, store_setup, store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
