/* SPDX-License-Identifier: Apache-2.0 */
/* Templates: everything wrong is refused when the set is loaded (with the
 * file, the line and what the file may use); the shipped set loads; a
 * rendering uses every value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "notify/template.h"
#include "testutil.h"

static int parse(ts_tpl_kind_t k, const char *text, char *err, size_t errsize)
{
    ts_tpl_t *t = NULL;
    int r = ts_tpl_parse(k, "x.txt", text, strlen(text), &t, err, errsize);
    ts_tpl_free(t);
    return r;
}

static void test_refused(void **state)
{
    char err[512];
    assert_int_equal(parse(TS_TPL_ITEM, "a\n{{summary}} {{bogus}}\n", err, sizeof err), TS_ESYNTAX);
    assert_string_equal(err, "x.txt:2: unknown placeholder {{bogus}} (this file may use: type "
                             "kind priority summary why link hosts ref)");
    /* A digest name in an item file is unknown there. */
    assert_int_equal(parse(TS_TPL_ITEM, "{{site}}", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_GROUP, "{{items}} {{why}}", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_ITEM, "{{summary", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_ITEM, "{{summ\nary}}", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_ITEM, "{{ summary }}", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_ITEM, "bad \xc3 utf-8", err, sizeof err), TS_EUTF8);
    assert_int_equal(parse(TS_TPL_ITEM, "cr\r\n", err, sizeof err), TS_ESYNTAX);
    /* A digest needs its subject line and a blank line. */
    assert_int_equal(parse(TS_TPL_DIGEST, "Hello {{contact}}\n", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_DIGEST, "Subject: x\nbody\n", err, sizeof err), TS_ESYNTAX);
    assert_int_equal(parse(TS_TPL_DIGEST, "Subject: {{nope}}\n\nbody\n", err, sizeof err),
                     TS_ESYNTAX);
    assert_non_null(strstr(err, "x.txt:1:"));
}

static void test_render(void **state)
{
    ts_tpl_t *t = NULL;
    const char text[] = "Subject: [{{csirt}}] {{count}} for {{site}}\n\n{{contact}}: {{groups}}"
                        "{{key_note}}. {{{{x}}\n";
    char err[256];
    assert_int_equal(ts_tpl_parse(TS_TPL_DIGEST, "d", text, strlen(text), &t, err, sizeof err),
                     TS_ESYNTAX); /* "{{{{x}}": "{{" then "{{x}}": x is unknown */
    const char ok[] = "Subject: [{{csirt}}] {{count}} for {{site}}\n\n{{contact}}: {{groups}}"
                      "{{key_note}}. { {x} }\n";
    assert_int_equal(ts_tpl_parse(TS_TPL_DIGEST, "d", ok, strlen(ok), &t, err, sizeof err), 0);
    const char *v[TS_V_COUNT_] = {0};
    v[TS_V_CSIRT] = "CERT";
    v[TS_V_COUNT] = "3";
    v[TS_V_SITE] = "uni-a";
    v[TS_V_CONTACT] = "Ann";
    v[TS_V_GROUPS] = "G";
    ts_buf_t b = TS_BUF_INIT;
    ts_tpl_render_subject(t, v, &b);
    assert_string_equal(b.data, "[CERT] 3 for uni-a");
    ts_buf_reset(&b);
    ts_tpl_render(t, v, &b);
    assert_string_equal(b.data, "Ann: G. { {x} }\n"); /* key_note NULL reads as "" */
    ts_buf_free(&b);
    ts_tpl_free(t);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    assert_int_equal(tt_write_file(p, text, strlen(text)), 0);
}

/* The shipped set loads; a set with one bad file is refused whole, naming
 * the file; an item kind's own file comes before its type's, a type's before
 * item.txt. */
static void test_sets(void **state)
{
    ts_tpl_set_t *s = NULL;
    char err[512] = "";
    char src[1024];
    snprintf(src, sizeof src, "%s/templates", TS_SOURCE_DIR);
    if (ts_tpl_set_load(src, &s, err, sizeof err) != 0)
        fail_msg("the shipped templates: %s", err);
    const ts_tpl_t *plain = ts_tpl_get(s, "de", TS_TPL_ITEM, NULL, NULL);
    const ts_tpl_t *adv = ts_tpl_get(s, "de", TS_TPL_ITEM, "advisory", "vulnerable-system");
    const ts_tpl_t *scan = ts_tpl_get(s, "de", TS_TPL_ITEM, "scan-finding", "vulnerable-system");
    assert_true(adv != plain && scan != plain && adv != scan);
    assert_true(ts_tpl_get(s, "de", TS_TPL_ITEM, "new-incident", "vulnerable-system") == plain);
    assert_true(ts_tpl_get(s, "fr", TS_TPL_DIGEST, NULL, NULL) ==
                ts_tpl_get(s, "en", TS_TPL_DIGEST, NULL, NULL));
    ts_tpl_set_free(s);

    char *dir = tt_tmpdir();
    char p[1024];
    for (int l = 0; l < TS_TPL_LANG_COUNT; l++) {
        snprintf(p, sizeof p, "%s/%s", dir, ts_tpl_langs[l]);
        assert_int_equal(mkdir(p, 0700), 0);
        write_file(p, "digest.txt", "Subject: {{count}}\n\n{{groups}}\n");
        write_file(p, "group.txt", "{{type}}\n{{items}}");
        write_file(p, "verify.txt", "Subject: {{site}}\n\n{{link}}\n");
        write_file(p, "forward.txt", "Subject: [TLP:{{tlp}}] {{hosts}}\n\n{{summary}}\n");
    }
    snprintf(p, sizeof p, "%s/en", dir);
    write_file(p, "item.txt", "{{summary}}\n");
    /* de/item.txt is missing. */
    assert_int_equal(ts_tpl_set_load(dir, &s, err, sizeof err), TS_ENOENT);
    assert_non_null(strstr(err, "de/item.txt"));
    snprintf(p, sizeof p, "%s/de", dir);
    write_file(p, "item.txt", "{{summary}}\n");
    write_file(p, "item-scanner.txt", "{{summary}} {{hostz}}\n");
    assert_int_equal(ts_tpl_set_load(dir, &s, err, sizeof err), TS_ESYNTAX);
    assert_non_null(strstr(err, "de/item-scanner.txt:1: unknown placeholder {{hostz}}"));
    write_file(p, "item-scanner.txt", "{{summary}} {{hosts}}\n");
    write_file(p, "item-Bad Name.txt", "{{summary}}\n");
    assert_int_equal(ts_tpl_set_load(dir, &s, err, sizeof err), TS_ESYNTAX);
    snprintf(p, sizeof p, "%s/de/item-Bad Name.txt", dir);
    assert_int_equal(remove(p), 0);
    snprintf(p, sizeof p, "%s/de", dir);
    write_file(p, "item-advisory.txt", "A {{summary}}\n");
    assert_int_equal(ts_tpl_set_load(dir, &s, err, sizeof err), 0);
    const ts_tpl_t *by_type = ts_tpl_get(s, "de", TS_TPL_ITEM, "new-incident", "scanner");
    const ts_tpl_t *by_kind = ts_tpl_get(s, "de", TS_TPL_ITEM, "advisory", "scanner");
    assert_true(by_type != ts_tpl_get(s, "de", TS_TPL_ITEM, "new-incident", "phishing"));
    assert_true(by_kind != by_type);
    assert_true(ts_tpl_get(s, "en", TS_TPL_ITEM, "advisory", "scanner") ==
                ts_tpl_get(s, "en", TS_TPL_ITEM, NULL, NULL));
    ts_tpl_set_free(s);
    tt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
