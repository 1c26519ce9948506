/* SPDX-License-Identifier: Apache-2.0 */
/* Logging to stderr: one line per message, "LEVEL tocsin: message". Messages
 * carry data from inputs only after sanitising control characters, so a
 * hostile record cannot forge log lines. Never log keys, tokens or passwords. */
#pragma once
#include "core/error.h"

typedef enum ts_log_level {
    TS_LOG_ERROR = 0,
    TS_LOG_WARN = 1,
    TS_LOG_INFO = 2,
    TS_LOG_DEBUG = 3,
} ts_log_level_t;

/* Messages above this level are dropped: TOCSIN_LOG=error|warn|info|debug,
 * read at first use; TS_LOG_INFO by default. */
ts_log_level_t ts_log_get_level(void);
void ts_log(ts_log_level_t level, const char *fmt, ...) TS_PRINTF(2, 3);

#define ts_log_error(...) ts_log(TS_LOG_ERROR, __VA_ARGS__)
#define ts_log_warn(...) ts_log(TS_LOG_WARN, __VA_ARGS__)
#define ts_log_info(...) ts_log(TS_LOG_INFO, __VA_ARGS__)
#define ts_log_debug(...) ts_log(TS_LOG_DEBUG, __VA_ARGS__)
