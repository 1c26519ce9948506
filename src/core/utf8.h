/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 decoding by the rules of Unicode (table 3-7, "well-formed UTF-8 byte
 * sequences"): no overlong forms, no surrogates (U+D800-U+DFFF), nothing above
 * U+10FFFF, no lead bytes C0, C1 or F5-FF. Ill-formed input is consumed one
 * maximal ill-formed subpart at a time (Unicode 15 section 3.9, "U+FFFD
 * substitution of maximal subparts"), so that each becomes exactly one U+FFFD
 * and the same bytes always give the same replacement, whoever decodes them. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* What ts_utf8_next() stores for an ill-formed subpart; never a code point. */
#define TS_UTF8_BAD UINT32_MAX

/* U+FFFD REPLACEMENT CHARACTER, encoded (3 bytes). */
#define TS_UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* Decodes one sequence at p, which holds n >= 1 bytes (none past p + n is
 * read). Returns the bytes consumed, 1 to 4 and never more than n. *cp (OUT)
 * is the code point, or TS_UTF8_BAD when those bytes are a maximal ill-formed
 * subpart: a byte that cannot start a sequence (80-C1, F5-FF), or a lead byte
 * followed by fewer continuation bytes than it needs (a wrong byte or the end
 * of the input), the wrong byte not being consumed. */
size_t ts_utf8_next(const unsigned char *p, size_t n, uint32_t *cp /* OUT */);
