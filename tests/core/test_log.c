/* SPDX-License-Identifier: Apache-2.0 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/log.h"

/* Runs fn with the log sent to a pipe and returns what it wrote (malloc'd). */
static char *capture(void (*fn)(void))
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    ts_log_set_fd(p[1]);
    fn();
    ts_log_set_fd(-1);
    close(p[1]);
    size_t cap = 65536, n = 0;
    char *out = malloc(cap);
    ssize_t r;
    while ((r = read(p[0], out + n, cap - n - 1)) > 0)
        n += (size_t)r;
    close(p[0]);
    out[n] = '\0';
    return out;
}

static void assert_matches(const char *text, const char *re)
{
    regex_t rx;
    assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE), 0);
    int r = regexec(&rx, text, 0, NULL, 0);
    regfree(&rx);
    if (r != 0)
        fail_msg("'%s' does not match /%s/", text, re);
}

static void test_format_names(void **state)
{
    assert_int_equal(ts_log_set_format(NULL), TS_EINVAL);
    assert_int_equal(ts_log_set_format(""), TS_EINVAL);
    assert_int_equal(ts_log_set_format("JSON"), TS_EINVAL);
    assert_int_equal(ts_log_set_format("jsonl"), TS_EINVAL);
    assert_int_equal(ts_log_set_format("json"), 0);
    assert_int_equal(ts_log_get_format(), TS_LOG_JSON);
    assert_int_equal(ts_log_set_format("text"), 0);
    assert_int_equal(ts_log_get_format(), TS_LOG_TEXT);
}

static void hostile_lines(void)
{
    ts_log_warn("record from %s", "evil\nFAKE error: forged");
    ts_log_info("second");
    ts_log_debug("dropped at the default level");
}

static void test_text_lines_have_time_and_level(void **state)
{
    assert_int_equal(ts_log_set_format("text"), 0);
    char *out = capture(hostile_lines);
    /* Two lines: the newline of the input is neutralised, debug is dropped. */
    const char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_non_null(strchr(nl + 1, '\n'));
    assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
    assert_matches(out, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                        "tocsin: warning: record from evil\\?FAKE error: forged$");
    assert_matches(out, "^[0-9T:.-]{23}Z tocsin: info: second$");
    free(out);
}

static void fielded(void)
{
    static const ts_log_field_t f[] = {
        {"fingerprint", "ab01"}, {"path", "/api/v1/events"}, {"site", NULL},
        {"agent", "a \"b\" c"},  {"status", "200"},          {"empty", ""},
        {"ctl", "x\ty"},
    };
    ts_log_fields(TS_LOG_INFO, "access", f, sizeof f / sizeof f[0]);
}

static void test_text_fields_are_quoted_when_needed(void **state)
{
    assert_int_equal(ts_log_set_format("text"), 0);
    char *out = capture(fielded);
    assert_matches(out, " tocsin: info: access fingerprint=ab01 path=/api/v1/events "
                        "agent=\"a \\\\\"b\\\\\" c\" status=200 empty=\"\" ctl=x\\?y$");
    free(out);
}

static void test_json_lines_parse(void **state)
{
    assert_int_equal(ts_log_set_format("json"), 0);
    char *out = capture(fielded);
    json_object *o = json_tokener_parse(out);
    assert_non_null(o);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "time", &v));
    assert_matches(json_object_get_string(v), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$");
    assert_true(json_object_object_get_ex(o, "level", &v));
    assert_string_equal(json_object_get_string(v), "info");
    assert_true(json_object_object_get_ex(o, "msg", &v));
    assert_string_equal(json_object_get_string(v), "access");
    assert_true(json_object_object_get_ex(o, "agent", &v));
    assert_string_equal(json_object_get_string(v), "a \"b\" c");
    assert_true(json_object_object_get_ex(o, "ctl", &v));
    assert_string_equal(json_object_get_string(v), "x\ty");
    assert_false(json_object_object_get_ex(o, "site", &v)); /* NULL: left out */
    json_object_put(o);
    free(out);
    out = capture(hostile_lines);
    /* Each line is one object; the forged newline stays inside its string. */
    char *second = strchr(out, '\n');
    assert_non_null(second);
    *second = '\0';
    o = json_tokener_parse(out);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "level", &v));
    assert_string_equal(json_object_get_string(v), "warning");
    json_object_put(o);
    free(out);
    assert_int_equal(ts_log_set_format("text"), 0);
}

static void one_error(void)
{
    ts_log_error("disk full");
}

/* On the journal the line starts with the syslog priority, without a time. */
static void test_journal_prefix(void **state)
{
    assert_int_equal(ts_log_set_format("text"), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct stat sb;
    assert_int_equal(fstat(p[1], &sb), 0);
    char env[64];
    snprintf(env, sizeof env, "%llu:%llu", (unsigned long long)sb.st_dev,
             (unsigned long long)sb.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    ts_log_set_fd(p[1]);
    one_error();
    ts_log_set_fd(-1);
    unsetenv("JOURNAL_STREAM");
    close(p[1]);
    char buf[256] = "";
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "<3>tocsin: error: disk full\n");
    /* Another stream than the journal's: a time again. */
    setenv("JOURNAL_STREAM", "1:1", 1);
    char *out = capture(one_error);
    unsetenv("JOURNAL_STREAM");
    assert_matches(out, "^[0-9T:.-]{23}Z tocsin: error: disk full$");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_text_lines_have_time_and_level),
        cmocka_unit_test(test_text_fields_are_quoted_when_needed),
        cmocka_unit_test(test_json_lines_parse),
        cmocka_unit_test(test_journal_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
