/* SPDX-License-Identifier: Apache-2.0 */
/* Importing: refusals first (bad arguments, a path that does not exist), then
 * a directory mixing bad documents (truncated, not JSON, unknown format, a
 * CSAF document without its tracking id, invalid UTF-8, empty) with good
 * ones: every good one is imported, every bad one is reported with its own
 * name, and nothing of a bad one is stored. Then symlinks are not followed,
 * non-JSON files are skipped, and a session sees its platforms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advisory/import.h"
#include "store/advstore.h"
#include "testutil.h"
#include "ttstore.h"

static const char good_fmt[] =
    "{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
    "\"publisher\":{\"category\":\"vendor\",\"name\":\"ACME\",\"namespace\":\"https://"
    "acme.example\"},"
    "\"title\":\"Widget flaw %d\",\"notes\":[{\"category\":\"summary\",\"text\":\"x\"}],"
    "\"tracking\":{\"id\":\"ACME-%d\",\"status\":\"final\",\"version\":\"1\","
    "\"initial_release_date\":\"2024-01-01T00:00:00Z\",\"current_release_date\":\"2024-01-01T00:00:"
    "00Z\","
    "\"revision_history\":[{\"date\":\"2024-01-01T00:00:00Z\",\"number\":\"1\",\"summary\":\"x\"}]}"
    "},"
    "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"ACME\",\"branches\":["
    "{\"category\":\"product_name\",\"name\":\"Widget\",\"branches\":["
    "{\"category\":\"product_version_range\",\"name\":\"<=2.0\","
    "\"product\":{\"name\":\"ACME Widget <=2.0\",\"product_id\":\"CSAFPID-0001\"}}]}]}]},"
    "\"vulnerabilities\":[{\"cve\":\"CVE-2024-%04d\",\"product_status\":{\"known_affected\":"
    "[\"CSAFPID-0001\"]},\"notes\":[{\"category\":\"summary\",\"text\":\"y\"}]}]}";

struct fx {
    char *dir;
    char db[4200], docs[4200];
    ts_store_t *st;
    int64_t site;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    if (tt_store_fresh(f->dir, "t.db", f->db, sizeof f->db) != 0)
        return -1;
    snprintf(f->docs, sizeof f->docs, "%s/docs", f->dir);
    if (mkdir(f->docs, 0700) != 0 || ts_store_open(f->db, &f->st) != 0)
        return -1;
    if (ts_store_site_add(f->st, "uni-a", 0, "", &f->site) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->db);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void put(struct fx *f, const char *name, const char *data, size_t len)
{
    char p[8500];
    snprintf(p, sizeof p, "%s/%s", f->docs, name);
    assert_int_equal(tt_write_file(p, data, len), 0);
}

static void put_good(struct fx *f, const char *name, int n)
{
    char doc[8192];
    int len = snprintf(doc, sizeof doc, good_fmt, n, n, n);
    put(f, name, doc, (size_t)len);
}

#define MAXR 32
struct reports {
    int n;
    char name[MAXR][512];
    int code[MAXR];
};

static void on_report(const char *name, int code, const char *why, void *ctx)
{
    struct reports *r = ctx;
    assert_non_null(why);
    assert_true(why[0] != '\0');
    if (code == 0 || r->n >= MAXR)
        return; /* warnings are not rejections */
    snprintf(r->name[r->n], sizeof r->name[0], "%s", name);
    r->code[r->n] = code;
    r->n++;
}

static bool reported(const struct reports *r, const char *suffix)
{
    for (int i = 0; i < r->n; i++) {
        size_t a = strlen(r->name[i]), b = strlen(suffix);
        if (a >= b && strcmp(r->name[i] + a - b, suffix) == 0)
            return true;
    }
    return false;
}

static int exists_cb(const ts_adv_rec_t *rec, void *ctx)
{
    (void)rec;
    (void)ctx;
    return 0;
}

struct adv_ids {
    int64_t rowid;
    char id[32];
};

static int ids_cb(const ts_adv_rec_t *rec, void *ctx)
{
    struct adv_ids *a = ctx;
    a->rowid = rec->rowid;
    snprintf(a->id, sizeof a->id, "%s", rec->id);
    return 0;
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    ts_adv_import_stats_t s = {0};
    char p[8500];
    snprintf(p, sizeof p, "%s/nope", f->docs);
    assert_int_equal(ts_adv_import_path(f->st, p, &s, NULL, NULL), TS_ENOENT);
    assert_int_equal(ts_adv_import_path(NULL, p, &s, NULL, NULL), TS_EINVAL);
    struct reports r = {0};
    /* A buffer that is no advisory is rejected with its name. */
    assert_true(ts_adv_import_buffer(f->st, "[]", 2, "empty-array", &s, on_report, &r) < 0);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.name[0], "empty-array");
    uint64_t n = 99;
    assert_int_equal(ts_store_adv_count(f->st, &n), 0);
    assert_int_equal(n, 0);
}

static void test_mixed_directory(void **state)
{
    struct fx *f = *state;
    put_good(f, "01-good.json", 1);
    put(f, "02-truncated.json", "{\"document\":{\"category\":", 24);
    put(f, "03-notjson.json", "this is not json", 16);
    put(f, "04-unknown.json", "{\"hello\":\"world\"}", 17);
    /* A CSAF document without tracking.id. */
    char doc[8192];
    int len = snprintf(doc, sizeof doc, good_fmt, 5, 5, 5);
    char *id = strstr(doc, "\"id\":\"ACME-5\",");
    assert_non_null(id);
    memmove(id, id + 14, strlen(id + 14) + 1);
    put(f, "05-noid.json", doc, strlen(doc));
    put(f, "06-utf8.json", "{\"document\":{\"title\":\"caf\xe9\"}}", 29);
    put(f, "07-empty.json", "", 0);
    put_good(f, "08-good.json", 8);
    char sub[8500];
    snprintf(sub, sizeof sub, "%s/sub", f->docs);
    assert_int_equal(mkdir(sub, 0700), 0);
    put_good(f, "sub/09-good.json", 9);
    put(f, "sub/readme.txt", "not a json file", 15); /* skipped: not *.json */
    char target[8500], link[8500];
    snprintf(target, sizeof target, "%s/outside.json", f->dir);
    len = snprintf(doc, sizeof doc, good_fmt, 10, 10, 10);
    assert_int_equal(tt_write_file(target, doc, (size_t)len), 0);
    snprintf(link, sizeof link, "%s/10-link.json", f->docs);
    assert_int_equal(symlink(target, link), 0); /* not followed */

    ts_adv_import_stats_t s = {0};
    struct reports r = {0};
    assert_int_equal(ts_adv_import_path(f->st, f->docs, &s, on_report, &r), 0);
    assert_int_equal(s.documents, 9);
    assert_int_equal(s.imported, 3);
    assert_int_equal(s.rejected, 6);
    assert_int_equal(r.n, 6);
    assert_true(reported(&r, "/02-truncated.json"));
    assert_true(reported(&r, "/03-notjson.json"));
    assert_true(reported(&r, "/04-unknown.json"));
    assert_true(reported(&r, "/05-noid.json"));
    assert_true(reported(&r, "/06-utf8.json"));
    assert_true(reported(&r, "/07-empty.json"));
    assert_false(reported(&r, "/01-good.json"));

    assert_int_equal(ts_store_adv_get(f->st, "ACME-1", exists_cb, NULL), 0);
    assert_int_equal(ts_store_adv_get(f->st, "ACME-8", exists_cb, NULL), 0);
    assert_int_equal(ts_store_adv_get(f->st, "ACME-9", exists_cb, NULL), 0);
    assert_int_equal(ts_store_adv_get(f->st, "ACME-10", exists_cb, NULL), TS_ENOENT);
    /* The same advisory by its store id (the scan's advisory findings). */
    struct adv_ids by_id = {0}, by_rowid = {0};
    assert_int_equal(ts_store_adv_get(f->st, "ACME-8", ids_cb, &by_id), 0);
    assert_true(by_id.rowid > 0);
    assert_int_equal(ts_store_adv_by_rowid(f->st, by_id.rowid, ids_cb, &by_rowid), 0);
    assert_int_equal(by_rowid.rowid, by_id.rowid);
    assert_string_equal(by_rowid.id, "ACME-8");
    assert_int_equal(ts_store_adv_by_rowid(f->st, by_id.rowid + 1000, ids_cb, &by_rowid),
                     TS_ENOENT);
    assert_int_equal(ts_store_adv_by_rowid(f->st, by_id.rowid, NULL, NULL), TS_EINVAL);
    uint64_t n = 0;
    assert_int_equal(ts_store_adv_count(f->st, &n), 0);
    assert_int_equal(n, 3);
}

static void test_session_matches(void **state)
{
    struct fx *f = *state;
    int64_t pid;
    char err[256];
    assert_int_equal(
        ts_adv_platform_add(f->st, f->site, "acme:widget:1.0", &pid, NULL, err, sizeof err), 0);
    ts_adv_importer_t *imp;
    assert_int_equal(ts_adv_importer_new(f->st, &imp), 0);
    assert_int_equal(ts_adv_importer_platforms(imp), 1);
    assert_true(ts_adv_importer_memory(imp) > 0);
    char doc[8192];
    int len = snprintf(doc, sizeof doc, good_fmt, 42, 42, 42);
    ts_adv_import_stats_t s = {0};
    assert_int_equal(ts_adv_importer_buffer(imp, doc, (size_t)len, "acme-42", &s, NULL, NULL), 0);
    assert_int_equal(s.imported, 1);
    assert_int_equal(s.new_matches, 1);
    ts_adv_importer_free(imp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_matches, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
