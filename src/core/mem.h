/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation policy: small internal allocations abort on failure (there is no
 * useful recovery from a failed 64-byte malloc in a daemon); sizes driven by
 * input are bounded by the callers and reported as TS_ETOOBIG instead. */
#pragma once
#include <stddef.h>

void *ts_xmalloc(size_t n);
void *ts_xcalloc(size_t nmemb, size_t size);
/* Returns the new pointer; the old one is no longer valid. */
void *ts_xrealloc(void *p, size_t n);
char *ts_xstrdup(const char *s);
char *ts_xstrndup(const char *s, size_t n);
