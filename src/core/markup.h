/* SPDX-License-Identifier: Apache-2.0 */
/* Text inside HTML or XML markup (element content or a quoted attribute). */
#pragma once
#include "core/buf.h"

/* Appends s (NUL-terminated, may be NULL) with &, <, >, " and ' escaped,
 * dropping what XML 1.0 cannot carry: controls other than tab, newline and
 * CR, ill-formed UTF-8, U+FFFE and U+FFFF. */
void ts_markup_text(ts_buf_t *b, const char *s);
