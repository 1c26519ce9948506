/* SPDX-License-Identifier: Apache-2.0 */
/* Logging to stderr, one line per message, written with a single write() so
 * that threads never interleave within a line. Text lines read
 *   2026-11-27T08:00:00.123Z tocsin: warning: message key=value
 * (without the time and with a syslog priority prefix such as "<4>" when
 * stderr is systemd's journal, which stamps lines itself); JSON lines read
 *   {"time":"2026-11-27T08:00:00.123Z","level":"warning","msg":"message","key":"value"}
 * Messages carry data from inputs only after sanitising control characters,
 * so a hostile record cannot forge log lines. Never log keys, tokens or
 * passwords (a certificate fingerprint is fine). */
#pragma once
#include <stddef.h>

#include "core/error.h"

typedef enum ts_log_level {
    TS_LOG_ERROR = 0,
    TS_LOG_WARN = 1,
    TS_LOG_INFO = 2,
    TS_LOG_DEBUG = 3,
} ts_log_level_t;

typedef enum ts_log_format {
    TS_LOG_TEXT = 0,
    TS_LOG_JSON = 1,
} ts_log_format_t;

/* Messages above this level are dropped: TOCSIN_LOG=error|warn|info|debug,
 * read at first use; TS_LOG_INFO by default. */
ts_log_level_t ts_log_get_level(void);
/* The line format: TOCSIN_LOG_FORMAT=text|json, read at first use, unless set
 * here first (`tocsin --log-format`).
 * \retval 0 ok.  \retval TS_EINVAL name is neither "text" nor "json". */
TS_MUSTCHECK int ts_log_set_format(const char *name);
ts_log_format_t ts_log_get_format(void);

void ts_log(ts_log_level_t level, const char *fmt, ...) TS_PRINTF(2, 3);

/* A structured line: msg then each key with its value (NULL values are left
 * out). Keys are fixed identifiers of the caller; values are sanitised like
 * messages, and quoted in text lines when they hold a space, '"' or '='. */
typedef struct ts_log_field {
    const char *key;
    const char *value;
} ts_log_field_t;
void ts_log_fields(ts_log_level_t level, const char *msg, const ts_log_field_t *fields, size_t n);

/* Sends the lines to fd instead of stderr (tests); -1 restores stderr. */
void ts_log_set_fd(int fd);

#define ts_log_error(...) ts_log(TS_LOG_ERROR, __VA_ARGS__)
#define ts_log_warn(...) ts_log(TS_LOG_WARN, __VA_ARGS__)
#define ts_log_info(...) ts_log(TS_LOG_INFO, __VA_ARGS__)
#define ts_log_debug(...) ts_log(TS_LOG_DEBUG, __VA_ARGS__)
