/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses and header values: an address that passes holds nothing that
 * could end a header or an SMTP command; a header written from any value is
 * one line of 7-bit text or continuation lines, never a new header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/address.h"
#include "notify/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char dom[TS_DOMAIN_MAX + 1];
    if (ts_addr_check(s, size, dom, NULL, 0) == 0) {
        for (size_t i = 0; i < size; i++)
            if (s[i] <= ' ' || s[i] == '<' || s[i] == '>' || (unsigned char)s[i] >= 0x7f)
                abort();
    }
    char *v = malloc(size + 1);
    memcpy(v, data, size);
    v[size] = '\0';
    ts_buf_t b = TS_BUF_INIT;
    if (ts_mime_header(&b, "Subject", v) == 0) {
        for (size_t i = 0; i < b.len; i++) {
            unsigned char c = (unsigned char)b.data[i];
            if (c >= 0x80 || c == 0)
                abort();
            /* A line end is CRLF, and the next line continues (space) or
             * is the end. */
            if (c == '\n' &&
                (i == 0 || b.data[i - 1] != '\r' || (i + 1 < b.len && b.data[i + 1] != ' ')))
                abort();
        }
    }
    ts_buf_free(&b);
    free(v);
    return 0;
}
