/* SPDX-License-Identifier: Apache-2.0 */
#include "core/markup.h"

#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

void ts_markup_text(ts_buf_t *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = ts_utf8_next(p + i, n - i, &cp);
        if (k == 0)
            break;
        if (cp == TS_UTF8_BAD || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            cp == 0xfffe || cp == 0xffff) {
            i += k;
            continue;
        }
        switch (cp) {
        case '&':
            ts_buf_puts(b, "&amp;");
            break;
        case '<':
            ts_buf_puts(b, "&lt;");
            break;
        case '>':
            ts_buf_puts(b, "&gt;");
            break;
        case '"':
            ts_buf_puts(b, "&quot;");
            break;
        case '\'':
            ts_buf_puts(b, "&apos;");
            break;
        default:
            ts_buf_append(b, p + i, k);
        }
        i += k;
    }
}
