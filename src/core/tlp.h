/* SPDX-License-Identifier: Apache-2.0 */
/* The Traffic Light Protocol 2.0 (FIRST, https://www.first.org/tlp/): the
 * sharing label an event carries. Only the label and its text forms live
 * here; who may receive what is decided elsewhere.
 *
 * Levels are ordered from the least to the most restricted, so that
 * `a < b` reads "a may be shared more widely than b". TS_TLP_NONE is an event
 * that carries no label (its feed gave none). */
#pragma once
#include <stddef.h>

#include "core/error.h"

typedef enum ts_tlp {
    TS_TLP_NONE = 0,
    TS_TLP_CLEAR = 1,
    TS_TLP_GREEN = 2,
    TS_TLP_AMBER = 3,
    TS_TLP_AMBER_STRICT = 4,
    TS_TLP_RED = 5,
} ts_tlp_t;

/* Parses a label as feeds write it: an optional "TLP:" or "TLP" prefix and
 * blanks after it, then CLEAR, WHITE (TLP 1.0, read as CLEAR), GREEN, AMBER,
 * AMBER+STRICT or RED, all case-insensitive ("TLP:CLEAR", "clear", "tlp:
 * amber+strict"). No surrounding blanks, nothing else.
 * \retval 0 ok, *out set (never TS_TLP_NONE).  \retval TS_EINVAL anything else,
 * the empty string included (absence is the caller's business). */
TS_MUSTCHECK int ts_tlp_parse(const char *s, size_t n, ts_tlp_t *out /* OUT */);

/* The level's name without prefix, as events store and print it: "CLEAR",
 * "GREEN", "AMBER", "AMBER+STRICT", "RED"; NULL for TS_TLP_NONE and values
 * outside the enum. Static storage. */
const char *ts_tlp_name(ts_tlp_t tlp);
