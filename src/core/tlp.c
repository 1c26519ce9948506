/* SPDX-License-Identifier: Apache-2.0 */
#include "core/tlp.h"

#include <strings.h>

static const char *const names[] = {
    [TS_TLP_CLEAR] = "CLEAR", [TS_TLP_GREEN] = "GREEN",
    [TS_TLP_AMBER] = "AMBER", [TS_TLP_AMBER_STRICT] = "AMBER+STRICT",
    [TS_TLP_RED] = "RED",
};

static int same(const char *s, size_t n, const char *word)
{
    size_t k = 0;
    while (word[k] != '\0')
        k++;
    return n == k && strncasecmp(s, word, n) == 0;
}

int ts_tlp_parse(const char *s, size_t n, ts_tlp_t *out)
{
    if (s == NULL)
        return TS_EINVAL;
    if (n >= 3 && strncasecmp(s, "TLP", 3) == 0) {
        s += 3;
        n -= 3;
        if (n > 0 && *s == ':') {
            s++;
            n--;
        }
        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
    }
    if (same(s, n, "WHITE")) {
        *out = TS_TLP_CLEAR;
        return 0;
    }
    for (int t = TS_TLP_CLEAR; t <= TS_TLP_RED; t++) {
        if (same(s, n, names[t])) {
            *out = (ts_tlp_t)t;
            return 0;
        }
    }
    return TS_EINVAL;
}

const char *ts_tlp_name(ts_tlp_t tlp)
{
    return tlp >= TS_TLP_CLEAR && tlp <= TS_TLP_RED ? names[tlp] : NULL;
}
