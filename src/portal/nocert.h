/* SPDX-License-Identifier: Apache-2.0 */
/* The page a browser gets when the portal refuses its certificate (or it
 * sent none): what happened, what to import, whom to ask. The API keeps its
 * JSON 403; only a page request (a path outside /api/ and /metrics whose
 * Accept names text/html) gets this HTML. The page is self-contained and
 * needs nothing the refused browser could not load: no script, no style
 * sheet, no image (the strict CSP stays). */
#pragma once
#include <stdbool.h>

#include "core/buf.h"
#include "portal/peer.h"

/* True when a refused request for path with this Accept header (NULL when
 * absent) should be answered with the HTML page rather than JSON. */
bool ts_nocert_wants_html(const char *path, const char *accept);

/* Appends the page for the refusal reason r. contact (may be NULL: "the
 * CSIRT that runs this portal") is the operator's text from `tocsin serve
 * --contact`, escaped here. */
void ts_nocert_page(ts_peer_reason_t r, const char *contact, ts_buf_t *out);
