/* SPDX-License-Identifier: Apache-2.0 */
/* SMTP replies as a relay sends them: fed line by line; a complete reply has
 * a code of 200-599, a status of its class or none, and a text without
 * control characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_smtp_parser_t p;
    ts_smtp_parser_init(&p);
    const char *s = (const char *)data, *end = s + size;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        if (ts_smtp_parser_line(&p, s, n) == 1) {
            if (p.cur.code < 200 || p.cur.code > 599)
                abort();
            if (p.cur.status[0] && p.cur.status[0] != '0' + p.cur.code / 100)
                abort();
            for (const char *c = p.cur.text; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    abort();
        }
        s += n;
    }
    return 0;
}
