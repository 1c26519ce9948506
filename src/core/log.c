/* SPDX-License-Identifier: Apache-2.0 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/jsonw.h"

/* Settled at first use, from whichever thread logs first: atomics, so that
 * two first uses at once are no data race (they settle on the same value). */
static _Atomic int level = -1;
static _Atomic int format = -1;
static _Atomic int journal = -1; /* stderr is systemd's journal */
static _Atomic int log_fd = -1;

static const char *const names[] = {"error", "warning", "info", "debug"};
/* syslog priorities, as the journal reads them from a "<N>" prefix */
static const char *const prios[] = {"<3>", "<4>", "<6>", "<7>"};

ts_log_level_t ts_log_get_level(void)
{
    if (level < 0) {
        const char *env = getenv("TOCSIN_LOG");
        int l = TS_LOG_INFO;
        if (env) {
            for (int i = 0; i < 4; i++)
                if (strncmp(env, names[i], 4) == 0)
                    l = i;
        }
        level = l;
    }
    return (ts_log_level_t)level;
}

int ts_log_set_format(const char *name)
{
    if (name && strcmp(name, "text") == 0)
        format = TS_LOG_TEXT;
    else if (name && strcmp(name, "json") == 0)
        format = TS_LOG_JSON;
    else
        return TS_EINVAL;
    return 0;
}

ts_log_format_t ts_log_get_format(void)
{
    if (format < 0) {
        const char *env = getenv("TOCSIN_LOG_FORMAT");
        if (env == NULL || ts_log_set_format(env) != 0)
            format = TS_LOG_TEXT;
    }
    return (ts_log_format_t)format;
}

void ts_log_set_fd(int fd)
{
    log_fd = fd;
    journal = -1;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected. */
static bool on_journal(int fd)
{
    if (journal < 0) {
        const char *env = getenv("JOURNAL_STREAM");
        struct stat sb;
        unsigned long long dev = 0, ino = 0;
        journal = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 && fstat(fd, &sb) == 0 &&
                  (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
    }
    return journal == 1;
}

/* "2026-11-27T08:00:00.123Z" */
static void put_now(ts_buf_t *b)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    char s[32];
    gmtime_r(&ts.tv_sec, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    ts_buf_printf(b, "%s.%03ldZ", s, ts.tv_nsec / 1000000);
}

static void sanitise(char *s)
{
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static void put_text_value(ts_buf_t *b, const char *v)
{
    bool quote = *v == '\0' || strpbrk(v, " \"=") != NULL;
    if (quote)
        ts_buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (quote && (c == '"' || c == '\\'))
            ts_buf_putc(b, '\\');
        ts_buf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    if (quote)
        ts_buf_putc(b, '"');
}

static void emit(ts_log_level_t l, const char *msg, const ts_log_field_t *f, size_t n)
{
    int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
    ts_buf_t b = TS_BUF_INIT;
    if (ts_log_get_format() == TS_LOG_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        ts_jsonw_object_begin(&w);
        ts_buf_t t = TS_BUF_INIT;
        put_now(&t);
        ts_jsonw_key(&w, "time");
        ts_jsonw_str(&w, ts_str(t.data, t.len));
        ts_buf_free(&t);
        ts_jsonw_key(&w, "level");
        ts_jsonw_cstr(&w, names[l]);
        ts_jsonw_key(&w, "msg");
        ts_jsonw_cstr(&w, msg);
        for (size_t i = 0; i < n; i++) {
            if (f[i].value == NULL)
                continue;
            ts_jsonw_key(&w, f[i].key);
            ts_jsonw_cstr(&w, f[i].value);
        }
        ts_jsonw_object_end(&w);
    } else {
        if (on_journal(fd)) {
            ts_buf_puts(&b, prios[l]);
        } else {
            put_now(&b);
            ts_buf_putc(&b, ' ');
        }
        ts_buf_printf(&b, "tocsin: %s: %s", names[l], msg);
        for (size_t i = 0; i < n; i++) {
            if (f[i].value == NULL)
                continue;
            ts_buf_printf(&b, " %s=", f[i].key);
            put_text_value(&b, f[i].value);
        }
    }
    ts_buf_putc(&b, '\n');
    /* One write per line: a line is never split between threads. */
    size_t off = 0;
    while (off < b.len) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    ts_buf_free(&b);
}

void ts_log(ts_log_level_t l, const char *fmt, ...)
{
    if ((int)l > (int)ts_log_get_level())
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sanitise(msg);
    emit(l, msg, NULL, 0);
}

void ts_log_fields(ts_log_level_t l, const char *msg, const ts_log_field_t *fields, size_t n)
{
    if ((int)l > (int)ts_log_get_level())
        return;
    char m[1024];
    snprintf(m, sizeof m, "%s", msg);
    sanitise(m);
    emit(l, m, fields, n);
}
