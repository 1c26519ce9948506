/* SPDX-License-Identifier: Apache-2.0 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int level = -1;

static const char *names[] = {"error", "warning", "info", "debug"};

ts_log_level_t ts_log_get_level(void)
{
    if (level < 0) {
        const char *env = getenv("TOCSIN_LOG");
        level = TS_LOG_INFO;
        if (env) {
            for (int i = 0; i < 4; i++)
                if (strncmp(env, names[i], 4) == 0)
                    level = i;
        }
    }
    return (ts_log_level_t)level;
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
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    fprintf(stderr, "tocsin: %s: %s\n", names[l], msg);
}
